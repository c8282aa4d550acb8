#!/usr/bin/python3
"""attack.py -- run the adversarial tables through the real setuid gate.

    attack.py CONTEXT-FILE TABLE.tsv...

Called by tests/root/attack-tables.sh, which has set up the accounts, the
setuid gate, the shipped policy (with its program replaced by
tests/probe-argv) and the syslog listener; CONTEXT-FILE names them, one
NAME=value a line.  Prints TAP lines without a plan and, last, a line
"# attack: N rows, F failed, P permitted, D denied" for the caller.

A table row is four tab-separated fields:

    EXPECT  ENV  COMMAND  DESCRIPTION

EXPECT   permit RULE           the rule permits; the probe must get the
                               matched argv and the rule's environment
         deny RULE             a deny rule of that name decides
         deny none             no rule matches
         deny tok:STATUS       the tokenizer refuses (tok_status_name())
         deny limit:RULE       a pattern of RULE hits a PCRE2 limit
         deny env              a kept variable is refused (too long)
ENV      "-", or the caller's environment besides SSH_ORIGINAL_COMMAND:
         NAME=value entries separated by single spaces, in this order,
         duplicates kept (the gate gets exactly this envp)
COMMAND  SSH_ORIGINAL_COMMAND; "@unset" for none; "@py:EXPR" for one
         built by a Python expression (long commands)
ENV and COMMAND take the escapes \\\\, \\t, \\n, \\r, \\s (a space), \\xNN,
and @policy_dir@ for the policy's directory.  ENV "@py:EXPR" is an
expression for one entry or a list of them.

For every row: the gate runs as the login account, with exactly that
environment and no capability (the kernel checks the 4750 mode); the
status, the message, and the log line are checked; a denial must leave
stdout empty (nothing ran).  For a permit, the words are also split by
dash ("printf '%s\\0' COMMAND"): the argv the probe got must be the
rule's fixed arguments followed by dash's words after the first (and
after "sudo -E"), and the environment exactly the rule's setenv values,
then PATH unless set, then the rule's keepenv names that the caller has
(first occurrence) -- nothing else.
"""
import ctypes
import os
import re
import subprocess
import sys
import time

HANG = 120          # hang detector, seconds
libc = ctypes.CDLL(None, use_errno=True)

TOK_RE = {
    "unquoted": r"unquoted '.' at column [0-9]+",
    "bad-byte": r"byte 0x[0-9a-f]{2} not allowed at column [0-9]+",
    "in-dquote": r"unescaped '.' inside double quotes at column [0-9]+",
    "open-squote": r"single quote at column [0-9]+ is never closed",
    "open-dquote": r"double quote at column [0-9]+ is never closed",
    "trailing-backslash": r"backslash at the end of the command \(column [0-9]+\)",
    "blank": r"empty command",
    "none": r"no command given \(interactive login is not allowed\)",
    "too-long": r"command longer than 65536 bytes",
    "too-many-words": r"more than 4096 words in the command",
}


def generate(expr, ctx):
    """A long command or environment from a Python expression of the table"""
    return eval(expr, {"__builtins__": {"len": len, "range": range,
                                        "str": str}},
                {"POLICY_DIR": ctx["POLICY_DIR"]})


def unescape(s, ctx):
    out = bytearray()
    i = 0
    b = s.replace("@policy_dir@", ctx["POLICY_DIR"]).encode("utf-8")
    while i < len(b):
        c = b[i:i + 1]
        if c == b"\\" and i + 1 < len(b):
            n = b[i + 1:i + 2]
            if n == b"x":
                out.append(int(b[i + 2:i + 4], 16))
                i += 4
                continue
            out += {b"\\": b"\\", b"t": b"\t", b"n": b"\n", b"r": b"\r",
                    b"s": b" "}[n]
            i += 2
            continue
        out += c
        i += 1
    return bytes(out)


def escaped(b):
    """As tests/probe-argv prints a value."""
    out = []
    for x in b:
        if x == 0x5c:
            out.append("\\\\")
        elif 0x20 <= x < 0x7f:
            out.append(chr(x))
        else:
            out.append("\\x%02x" % x)
    return "".join(out)


def read_context(path):
    ctx = {}
    for line in open(path):
        k, _, v = line.rstrip("\n").partition("=")
        ctx[k] = v
    return ctx


def parse_rules(policy):
    """rule name -> dict(run=[...], drop=[...], setenv=[(n, v)], keep=[...])"""
    rules, cur = {}, None
    for line in open(policy, encoding="utf-8"):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        if w[0] == "rule":
            cur = rules.setdefault(w[1], {"run": [], "drop": [], "setenv": [],
                                          "keep": []})
        elif cur is None:
            continue
        elif w[0] == "run":
            cur["run"] = w[1:]
        elif w[0] == "drop":
            cur["drop"] = [x.strip('"') for x in w[1:]]
        elif w[0] == "keepenv":
            cur["keep"] += w[1:]
        elif w[0] == "setenv":
            m = re.match(r'\s*setenv\s+(\S+)\s+(.*?)\s*$', line)
            v = m.group(2)
            if v.startswith('"'):
                v = re.sub(r'\\(.)', r'\1', v[1:-1])
            cur["setenv"].append((m.group(1), v))
        elif w[0] == "}":
            cur = None
    return rules


def run_gate(ctx, envp, timeout=HANG):
    """The setuid gate as the login account with exactly envp (a list of
    bytes, duplicates kept), no capability; returns (status, stdout,
    stderr), status "hung" if the hang detector fired."""
    uid, gid = int(ctx["LOGIN_UID"]), int(ctx["LOGIN_GID"])
    gate = ctx["GATE"].encode()

    def become_login_and_exec():
        # subprocess would close descriptors only after this function
        os.closerange(3, 65536)
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)     # every capability goes with root
        argv = (ctypes.c_char_p * 2)(gate, None)
        env = (ctypes.c_char_p * (len(envp) + 1))(*envp, None)
        libc.execve(gate, argv, env)
        os.write(2, b"attack.py: execve failed\n")
        os._exit(127)

    p = subprocess.Popen([ctx["GATE"]], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={}, preexec_fn=become_login_and_exec)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return "hung", out, err


def dash_words(cmd):
    r = subprocess.run(["dash", "-c", b"printf '%s\\0' " + cmd],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env={"PATH": "/usr/bin:/bin"})
    if r.returncode != 0:
        return None
    return r.stdout.split(b"\0")[:-1]


class Log:
    def __init__(self, path):
        self.path = path
        self.seen = self.size()

    def size(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def new_lines(self, want, wait=5.0):
        """New log lines since the last call; waits until one matches want"""
        deadline = time.monotonic() + wait
        while True:
            with open(self.path, "rb") as f:
                f.seek(self.seen)
                data = f.read()
            lines = data.decode("utf-8", "replace").splitlines()
            if any(re.search(want, l) for l in lines) or \
                    time.monotonic() > deadline:
                self.seen += len(data)
                return lines
            time.sleep(0.02)


def main():
    ctx = read_context(sys.argv[1])
    rules = parse_rules(ctx["POLICY"])
    log = Log(ctx["SYSLOG"])
    n = failed = permitted = denied = 0
    start = int(ctx.get("START", "0"))

    def result(ok, desc, why=()):
        nonlocal n, failed
        n += 1
        if not ok:
            failed += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", start + n, desc))
        for w in why:
            for l in str(w).splitlines() or [""]:
                print("#   " + l)
        sys.stdout.flush()

    for table in sys.argv[2:]:
        tname = os.path.basename(table)
        for lineno, line in enumerate(open(table, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            f = line.split("\t")
            if len(f) != 4:
                result(False, "%s:%d: not four tab-separated fields" %
                       (tname, lineno))
                continue
            expect, envf, cmdf, desc = f
            desc = "%s:%d %s" % (tname, lineno, desc)
            if envf.startswith("@py:"):
                v = generate(envf[4:], ctx)
                envp = [x.encode() for x in (v if isinstance(v, list)
                                             else [v])]
            else:
                envp = [unescape(e, ctx) for e in
                        ([] if envf == "-" else envf.split(" "))]
            if cmdf == "@unset":
                cmd = None
            elif cmdf.startswith("@py:"):
                cmd = generate(cmdf[4:], ctx).encode()
            else:
                cmd = unescape(cmdf, ctx)
            full = ([b"SSH_ORIGINAL_COMMAND=" + cmd] if cmd is not None
                    else []) + envp
            rc, out, err = run_gate(ctx, full)
            errs = err.decode("utf-8", "replace")
            why = ["status %s" % rc, "stderr: " + errs.strip(),
                   "stdout: " + out.decode("utf-8", "replace")[:2000]]
            kind, _, arg = expect.partition(" ")
            if kind == "deny":
                denied += 1
                if arg == "none":
                    # and maybe the nearest rule's refused word (match.c)
                    reason = (r"no rule permits this command(; rule "
                              r"'[A-Za-z0-9_.-]+' \(line [0-9]+\) (does not accept word "
                              r"[0-9]+: '[ -~]*'|needs more words after "
                              r"word [0-9]+))?$")
                elif arg.startswith("tok:"):
                    reason = TOK_RE[arg[4:]] + "$"
                elif arg.startswith("limit:"):
                    reason = (r"rule '%s': a pattern hit the PCRE2 match limit"
                              r" on word [0-9]+$" % arg[6:])
                elif arg == "env":
                    reason = r"kept variable \S+ is longer than 4096 bytes$"
                else:
                    reason = r"rule '%s': " % re.escape(arg)
                msg = re.search(r"^sshgate: denied: (.*)$", errs, re.M)
                ok = (rc == 3 and out == b"" and msg is not None and
                      re.match(reason, msg.group(1)) is not None)
                lines = log.new_lines(r"sshgate\[[0-9]+\]: deny ")
                logged = any(re.search(r"sshgate\[[0-9]+\]: deny caller=%s\(" %
                                       re.escape(ctx["LOGIN"]), l)
                             for l in lines)
                if ok and not logged:
                    why.append("no deny line in the log: %r" % lines)
                result(ok and logged, "denied: " + desc, () if ok and logged
                       else why)
                continue
            if kind != "permit":
                result(False, "%s: unknown expectation %r" % (desc, expect))
                continue
            permitted += 1
            rule = rules[arg]
            lines = log.new_lines(r"permit rule=")
            problems = []
            if rc != 0:
                problems.append("not permitted")
            words = dash_words(cmd) if rc == 0 else None
            if rc == 0 and words is None:
                problems.append("dash could not split the command")
            if words is not None:
                drop = [d.encode() for d in rule["drop"]]
                if drop and words[:len(drop)] == drop:
                    words = words[len(drop):]
                want = ["program " + rule["run"][0]]
                argv = rule["run"] + [escaped(w) for w in words[1:]]
                want += ["argv[%d] %s" % (i, a) for i, a in enumerate(argv)]
                envl, names = [], set()
                for k, v in rule["setenv"]:
                    envl.append("%s=%s" % (k, v))
                    names.add(k)
                if "PATH" not in names:
                    envl.append("PATH=/usr/bin:/bin")
                for k in rule["keep"]:
                    for e in envp:
                        if e.startswith(k.encode() + b"="):
                            envl.append(escaped(e))
                            break
                want += ["env[%d] %s" % (i, e) for i, e in enumerate(envl)]
                got = out.decode("utf-8", "replace").splitlines()
                if got != want:
                    problems.append("the probe's argv and environment differ "
                                    "from the rule's and dash's words:")
                    problems += ["  want: " + w for w in want if w not in got]
                    problems += ["  got:  " + g for g in got if g not in want]
            if not any(re.search(r"permit rule=%s caller=%s\(" %
                                 (re.escape(arg), re.escape(ctx["LOGIN"])), l)
                       for l in lines):
                problems.append("no permit line for rule %s in the log: %r" %
                                (arg, lines))
            result(not problems, "permitted by %s, argv and environment as "
                   "matched: %s" % (arg, desc), problems + why if problems
                   else ())
    print("# attack: %d rows, %d failed, %d permitted, %d denied" %
          (n, failed, permitted, denied))
    return 0


if __name__ == "__main__":
    sys.exit(main())
