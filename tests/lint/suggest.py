#!/usr/bin/python3
"""Suggestion round trips (TAP): --suggest and --suggest-from-log.

For each command: the suggestion, applied to the policy, must make the
policy lint clean under --strict (the danger probes find nothing, so the
suggested rule permits nothing from the catalogue), its own tests pass,
and --test permits the command by the suggested rule; a generalised
timestamp must still admit a later one.  A dangerous command's suggestion
must carry the danger's warning.

usage: suggest.py SSHGATE-LINT BASE-POLICY WORKDIR
"""
import json
import os
import subprocess
import sys

lint, base, work = sys.argv[1:4]
n = failed = 0


def ok(cond, what, detail=""):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[:30]:
            print("# " + line)


def run(*args, stdin=None):
    return subprocess.run(args, capture_output=True, text=True, input=stdin)


def records(out):
    return [json.loads(line) for line in out.splitlines()]


def apply(text, sugs):
    """The policy text with the suggestions: additions bottom up, then
    new rules at the end (line numbers refer to the original)."""
    lines = text.splitlines(keepends=True)
    for s in sorted((s for s in sugs if s["kind"] == "addition"),
                    key=lambda s: -s["after_line"]):
        lines[s["after_line"]:s["after_line"]] = [s["text"]]
    out = "".join(lines)
    for s in sugs:
        if s["kind"] == "rule":
            out += "\n" + s["text"]
    return out


def write(name, text):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


with open(base) as f:
    base_text = f.read()
r = run(lint, "-f", base, "--strict")
ok(r.returncode == 0, "the base policy is clean under --strict", r.stderr)

SAFE = [
    ("borg --version --log-json", None, "borg-version"),
    ("borg --info --version", None, None),
    ("borg create --one-file-system ssh://backup/./vps::vps-{now:%Y-%m-%dT%H:%M:%S.%f} /srv/vps-data",
     None, "borg-create"),
    ("sudo -E borg list ssh://backup/./vps", None, None),
    ("borg info --json ssh://backup/./vps", None, None),
    ("borg check --glob-archives 'vps-*' ssh://backup/./vps", None, None),
    ("borg prune --keep-hourly 24 --keep-daily 7 --glob-archives 'vps-*' ssh://backup/./vps",
     None, None),
    ("borg list ssh://backup/./vps::vps-2024-11-28T04:00:00.123456", None, None),
    ("whoami", None, None),
]
LATER = {
    "borg list ssh://backup/./vps::vps-2024-11-28T04:00:00.123456":
        "borg list ssh://backup/./vps::vps-2025-01-31T23:59:59.000001",
    "borg create --one-file-system ssh://backup/./vps::vps-{now:%Y-%m-%dT%H:%M:%S.%f} /srv/vps-data":
        "borg create --one-file-system ssh://backup/./vps::vps-{utcnow:%Y-%m-%d} /srv/vps-data",
}
DANGEROUS = [
    ("borg create --rsh=sh ssh://backup/./vps::vps-{now} /etc", "borg-runs-program"),
    ("borg extract ssh://backup/./vps::vps-2024-11-28T04:00:00 etc/hosts", "borg-writes-file"),
    ("borg list /var/tmp/repo::x", "borg-local-repository"),
]

# each suggestion is made against the policy with the ones before it
current = base_text
for cmd, _, addition_to in SAFE:
    cur = write("current.policy", current)
    r = run(lint, "-f", cur, "--json", "--suggest", cmd)
    recs = records(r.stdout)
    sugs = [x for x in recs if x["type"] == "suggestion"]
    ok(r.returncode == 0 and len(sugs) == 1, "suggest: %s" % cmd,
       r.stdout + r.stderr)
    if len(sugs) != 1:
        continue
    s = sugs[0]
    ok(s["parses"] and s["tests_pass"] and s["permits"] and s["warnings"] == 0,
       "  the linter proved it (parses, tests, permits, no warning)", s)
    if addition_to:
        ok(s["kind"] == "addition" and s["rule"] == addition_to,
           "  it is an addition to rule %s" % addition_to, s)
    current = apply(current, [s])
    path = write("one.policy", current)
    r = run(lint, "-f", path, "--strict")
    ok(r.returncode == 0, "  applied, the policy is clean under --strict",
       r.stdout + r.stderr + s["text"])
    r = run(lint, "-f", path, "--test", cmd)
    ok(r.returncode == 0 and r.stdout == "permit: rule '%s'\n" % s["rule"],
       "  and permits the command by rule %s" % s["rule"], r.stdout + r.stderr)
    if cmd in LATER:
        r = run(lint, "-f", path, "--test", LATER[cmd])
        ok(r.returncode == 0, "  and a later timestamp: %s" % LATER[cmd],
           r.stdout)
    # exactly that argv: one more word is not permitted by it
    r = run(lint, "-f", path, "--test", cmd + " --rsh=sh")
    ok(r.returncode == 1, "  but not the command with --rsh=sh appended",
       r.stdout)

path = write("all.policy", current)
r = run(lint, "-f", path, "--strict")
ok(r.returncode == 0, "all suggestions together: clean under --strict",
   r.stdout + r.stderr)
for cmd, _, _ in SAFE:
    r = run(lint, "-f", path, "--test", cmd)
    ok(r.returncode == 0, "  permits: %s" % cmd, r.stdout)

for cmd, warning in DANGEROUS:
    r = run(lint, "-f", base, "--json", "--suggest", cmd)
    recs = records(r.stdout)
    warns = [x for x in recs if x["type"] == "diagnostic"
             and x["level"] == "warning"]
    ok(r.returncode == 1 and any(w["name"] == warning for w in warns),
       "suggest %s: exit 1 and a %s warning" % (cmd, warning), r.stdout)

# already permitted, and a deny rule's decision, are not suggested
r = run(lint, "-f", base, "--suggest", "borg --version")
ok(r.returncode == 0 and "already permitted" in r.stdout,
   "an already permitted command gets no suggestion", r.stdout)
r = run(lint, "-f", base, "--suggest", "borg;id")
ok(r.returncode == 1 and "not a plain argv" in r.stdout,
   "a command the tokenizer refuses gets none", r.stdout)

# ---- the log ---------------------------------------------------------------
def gate_escape(cmd):
    """As the gate logs a command: \\ doubled, '"' and bytes outside
    printable ASCII as \\xNN (escape_quoted() in policy/escape.c)."""
    out = ""
    for ch in cmd:
        if ch == "\\":
            out += "\\\\"
        elif ch == '"' or not " " <= ch <= "~":
            out += "\\x%02x" % ord(ch)
        else:
            out += ch
    return out


LOG = [
    'borg list --format "{archive}{NL}" ssh://backup/./vps',
    "borg list ssh://backup/./vps",
    "borg check --glob-archives 'vps-*' ssh://backup/./vps",
    "borg list ssh://backup/./vps::vps-2024-11-28T04:00:00",
    "borg list ssh://backup/./vps::vps-2024-11-29T04:00:00",
    "borg list ssh://backup/./vps::vps-2024-11-30T04:00:00",
    "borg list ssh://backup/./vps",
]
lines = []
for k, cmd in enumerate(LOG):
    lines.append('Nov %d 04:00:0%d vps sshgate[%d]: deny caller=borg(998) '
                 'from=192.0.2.10 tag=- reason="no rule permits this command" '
                 'command="%s"' % (20 + k, k, 100 + k, gate_escape(cmd)))
    lines.append("Nov %d 04:00:0%d vps sshd[%d]: Accepted publickey for borg"
                 % (20 + k, k, 200 + k))
lines.append('Nov 30 04:00:09 vps sshgate[99]: deny caller=borg(998) from=- '
             'tag=- reason="x" command="' + "a" * 16384 + '..."')
log = write("auth.log", "\n".join(lines) + "\n")
# A long command the gate logged in parts (sshgate(8), LOGGING): never
# whole, so never suggested, and counted as truncated.
parts = ['Dec  1 04:00:00 vps sshgate[7]: deny caller=borg(998) from=- tag=- '
         'reason="no rule permits this command" words=300 sha256=' + '0' * 64 +
         ' options-not-logged=295 part=1/2 non-options="borg create "',
         'Dec  1 04:00:00 vps sshgate[7]: deny part=2/2 '
         'non-options="ssh://backup/./vps::a /etc"',
         'Dec  1 04:00:01 vps sshgate[8]: deny caller=borg(998) from=- tag=- '
         'reason="byte 0x01 not allowed at column 5" part=1/1 '
         'command="job \\x01"']
r = run(lint, "-f", base, "--json", "--suggest-from-log", "-",
        stdin="\n".join(parts) + "\n")
recs = records(r.stdout)
ok(not any(x["type"] == "suggestion" for x in recs) and
   any(x["type"] == "skipped" and "truncated" in x["why"] for x in recs),
   "a denial logged in parts is skipped as truncated, and said so",
   r.stdout + r.stderr)
r = run(lint, "-f", base, "--json", "--suggest-from-log", log)
recs = records(r.stdout)
sugs = [x for x in recs if x["type"] == "suggestion"]
ok(r.returncode == 0, "--suggest-from-log exits 0", r.stdout + r.stderr)
ok(len(sugs) == 2, "the log's denials make two suggestions (list, check)",
   r.stdout)
lst = [s for s in sugs if "list" in s["text"]]
ok(lst and sum(c["count"] for c in lst[0]["commands"]) == 6 and
   len(lst[0]["commands"]) == 3,
   "six list denials: three patterns, the timestamps grouped", lst)
ok(any(x["type"] == "skipped" and "truncated" in x["why"] for x in recs),
   "a truncated command is skipped, and said so", r.stdout)
path = write("log.policy", apply(base_text, sugs))
r = run(lint, "-f", path, "--strict")
ok(r.returncode == 0, "with the log's suggestions: clean under --strict",
   r.stdout + r.stderr)
for cmd in set(LOG):
    r = run(lint, "-f", path, "--from", "192.0.2.10", "--test", cmd)
    ok(r.returncode == 0, "  permits (from 192.0.2.10): %s" % cmd, r.stdout)
r = run(lint, "-f", path, "--from", "192.0.2.99", "--test", LOG[0])
ok(r.returncode == 1, "  but not from another address", r.stdout)
r = run(lint, "-f", base, "--suggest-from-log", "-", stdin="\n".join(lines))
ok(r.returncode == 0 and "denied 3 times, like: borg list" in r.stdout,
   "the log from stdin, as text, counts the denials", r.stdout)

# The gate's reason names the word the nearest rule did not accept, its
# quotes escaped: it cannot end the reason field, and the command after
# it is read whole.  The reason is the library's, taken from --test.
cmd = "borg create ssh://backup/./vps::vps-{now} /etc 'a\" command=\"b\\c'"
r = run(lint, "-f", base, "--from", "192.0.2.10", "--test", cmd)
why = r.stdout[len("deny: "):].rstrip("\n")
ok(r.returncode == 1 and r.stdout.startswith("deny: ") and
   why.endswith("; rule 'borg-create' (line 12) does not accept word 4: "
                "'a\\x22 command=\\x22b\\\\c'"),
   "the reason names the word, its quotes escaped", r.stdout)
line = ('Dec  1 04:00:00 vps sshgate[7]: deny caller=borg(998) '
        'from=192.0.2.10 tag=- reason="%s" command="%s"'
        % (why, gate_escape(cmd)))
r = run(lint, "-f", base, "--json", "--suggest-from-log", "-", stdin=line)
sugs = [x for x in records(r.stdout) if x["type"] == "suggestion"]
ok(r.returncode == 0 and len(sugs) == 1 and
   [c["command"] for c in sugs[0]["commands"]] == [cmd],
   "--suggest-from-log reads the command after a reason with the hint",
   line + "\n" + r.stdout + r.stderr)

# ---- what the log's denials are not turned into -----------------------------
# sshgate-lint(1)'s example, "journalctl -t sshgate --since yesterday |
# sshgate-lint --suggest-from-log -": journalctl's short format, stdout
# alone kept (the draft), against a policy whose rules name the backup
# server's address.  An attack from another address is ignored and
# counted; a suggestion the danger probes flag is withheld, its warnings
# kept on stdout as comments that name the suggestion's own lines.
named = write("named.policy", base_text.replace(
    "    drop     \"sudo\" \"-E\"\n",
    "    drop     \"sudo\" \"-E\"\n    from     192.0.2.10\n").replace(
    'test permit "borg --version"',
    'test permit "borg --version" from 192.0.2.10').replace(
    'test permit "borg create ssh://backup/./vps::vps-{now} /etc"',
    'test permit "borg create ssh://backup/./vps::vps-{now} /etc" '
    'from 192.0.2.10'))
r = run(lint, "-f", named, "--strict")
ok(r.returncode == 0, "the policy naming 192.0.2.10 is clean", r.stderr)


def jline(sec, pid, frm, cmd):
    return ('Dec 02 03:00:%02d vps sshgate[%d]: deny caller=borg(998) '
            'from=%s tag=- reason="no rule permits this command" '
            'command="%s"' % (sec, pid, frm, gate_escape(cmd)))


journal = "\n".join([
    jline(1, 301, "192.0.2.66", "bash -i"),
    jline(2, 302, "192.0.2.66", "bash -i"),
    jline(3, 303, "198.51.100.7", "sh -c id"),
    jline(4, 304, "192.0.2.10",
          "borg create --rsh=sh ssh://backup/./vps::vps-{now} /etc"),
    jline(5, 305, "192.0.2.10", "borg list ssh://backup/./vps"),
    jline(6, 306, "-", "borg info ssh://backup/./vps"),
]) + "\n"
# the example as sshgate-lint(1) prints it (the page generated with the
# configured paths, in the build): journalctl's part is played
# by the lines above, sshgate-lint's part runs as written (with -f)
page = os.path.join(os.environ.get("top_builddir", "."), "docs",
                    "sshgate-lint.1")
with open(page) as f:
    example = [l for l in f if l.startswith(".Dl # journalctl -t sshgate ")
               and "--suggest-from-log" in l]
ok(len(example) == 1 and example[0].split("|")[0].strip() ==
   ".Dl # journalctl -t sshgate --since yesterday",
   "sshgate-lint(1)'s example pipes journalctl -t sshgate into the linter",
   example)
argv = example[0].split("|")[1].split() if example else ["?"]
ok(argv[0] == "sshgate-lint", "  ... into sshgate-lint", argv)
RSH_LINE = ('             | "borg" "create" "--rsh=sh" /ssh:\\/\\/backup\\/'
            '\\.\\/vps::vps-\\{(now|utcnow)(:[%A-Za-z0-9.:T_-]{1,40})?\\}/ '
            '"/etc"')
r = run(lint, "-f", named, *argv[1:], stdin=journal)
out = r.stdout.splitlines()
ok(r.returncode == 1 and r.stderr == "",
   "the man page's example (%s): exit 1, nothing on stderr"
   % " ".join(argv), r.stdout + r.stderr)
ok(out[0] == "# ignored: 4 denials from 3 addresses that no rule's 'from' "
   "names (192.0.2.66, 198.51.100.7, none); --include-unknown-addresses "
   "suggests for them too",
   "denials from addresses no rule names, or none: ignored, counted, named",
   out[:1])
ok(not any("bash" in l or "sh -c" in l or "borg info" in l
           for l in out[1:]),
   "  nothing is suggested for them", r.stdout)
ok(out[1:7] == [
    "# suggestion 1: denied: borg create --rsh=sh "
    "ssh://backup/./vps::vps-{now} /etc",
    "# suggestion 1: withheld: the danger probes flag it "
    "(--include-dangerous prints it):",
    "#   warning: suggestion 1, line 1, column 32: \"--rsh=sh\" accepts "
    "'--rsh=sh': borg starts RSH as its remote shell, a program of the "
    "client's choice (a later --rsh, and one after the command, overrides "
    "an earlier one and BORG_RSH) [borg-runs-program]",
    "#       " + RSH_LINE,
    "#       " + " " * 31 + "^" + "~" * 9,
    "#   note: suggestion 1: rule 'borg-create' permits, e.g.: borg create "
    "--rsh=sh ssh://backup/./vps::vps-{now} /etc (from 192.0.2.10)"],
   "a flagged suggestion is withheld; its warning is a comment on stdout, "
   "at the suggestion's line 1", "\n".join(out))
ok(not any(l.strip() and not l.startswith("#") and "--rsh" in l
           for l in out),
   "  no line of the draft that is not a comment permits --rsh=sh",
   r.stdout)
ok("# suggestion 2: a new rule; append it to %s:" % named in out and
   "rule borg-list {" in out and "    from     192.0.2.10" in out,
   "  the harmless denial from the known address is suggested", r.stdout)


def sections(lines):
    """suggestion number -> its printed text (the lines between its
    "append it to"/"add to rule" header and its "checked" line)."""
    secs, cur = {}, None
    for l in lines:
        if l.startswith("# suggestion ") and (
                "append it to" in l or "add to rule" in l):
            cur = int(l.split()[2].rstrip(":"))
            secs[cur] = []
        elif l.startswith("#"):
            cur = None
        elif cur is not None:
            secs[cur].append(l)
    return secs


r = run(lint, "-f", named, "--include-dangerous", "--suggest-from-log", "-",
        stdin=journal)
out = r.stdout.splitlines()
secs = sections(out)
ok(r.returncode == 1 and r.stderr == "" and secs.get(1, [None])[0] ==
   RSH_LINE, "--include-dangerous prints the flagged suggestion",
   r.stdout + r.stderr)
# every warning's "suggestion N, line K" is that line of suggestion N
# as printed: the source line under the warning is the same text
checked = 0
for i, l in enumerate(out):
    if l.startswith("#   warning: suggestion "):
        f = l.split(",")
        num, line = int(f[0].split()[3]), int(f[1].split()[1])
        src = out[i + 1][len("#       "):]
        ok(num in secs and 0 < line <= len(secs[num]) and
           secs[num][line - 1] == src,
           "  warning of suggestion %d, line %d: that line, as printed"
           % (num, line), "\n".join(out))
        checked += 1
ok(checked == 1 and "# suggestion 1: checked: with this addition the policy "
   "parses, its tests pass, and rule 'borg-create' permits the command; "
   "the danger probes warn:" in out,
   "  and says the probes warn, the warnings below it", r.stdout)

r = run(lint, "-f", named, "--include-unknown-addresses",
        "--suggest-from-log", "-", stdin=journal)
out = r.stdout.splitlines()
ok(r.returncode == 1 and not any(l.startswith("# ignored") for l in out)
   and "# suggestion 1: denied 2 times, like: bash -i" in out and
   "# suggestion 1: withheld: the danger probes flag it "
   "(--include-dangerous prints it):" in out and
   not any(l.startswith("rule bash") for l in out),
   "--include-unknown-addresses: the attack's denials are considered, "
   "and bash -i is still withheld", r.stdout)
r = run(lint, "-f", named, "--include-unknown-addresses",
        "--include-dangerous", "--suggest-from-log", "-", stdin=journal)
out = r.stdout.splitlines()
ok(r.returncode == 1 and "rule bash-i {" in out and
   any(l.startswith("#   warning: suggestion 1, line ") and
       l.endswith("[interpreter]") for l in out),
   "  with --include-dangerous as well, it is printed, with its warning",
   r.stdout)
r = run(lint, "-f", named, "--json", "--suggest-from-log", "-", stdin=journal)
recs = records(r.stdout)
sk = [x for x in recs if x["type"] == "skipped" and x.get("count") == 4]
wh = [x for x in recs if x["type"] == "suggestion" and x["withheld"]]
dg = [x for x in recs if x["type"] == "diagnostic" and
      x["level"] == "warning"]
ok(len(sk) == 1 and len(wh) == 1 and wh[0]["text"] is None and
   wh[0]["number"] == 1 and len(dg) == 1 and
   dg[0]["file"] == "suggestion 1" and dg[0]["line"] == 1 and
   dg[0]["source"] == RSH_LINE,
   "--json: the ignored count, the withheld suggestion without its text, "
   "its warning at file 'suggestion 1', line 1", r.stdout)

# A new rule copies its template's confinement whole: "exec" and
# "read" too (a suggestion without the template's read scope would read
# everything).
tpl = write("template.policy", """sshgate-policy 1
rule t {
    run      /usr/bin/id
    as       nobody
    write    /var/lib/sgt-x
    exec     /usr/bin/ssh
    read     /srv/sgt-data
    args     "id" "-u"
}
""")
r = run(lint, "-f", tpl, "--suggest", "id -g")
ok(r.returncode == 0 and "    exec     /usr/bin/ssh\n" in r.stdout and
   "    read     /srv/sgt-data\n" in r.stdout,
   "a suggested rule keeps the template's exec and read paths", r.stdout)

print("1..%d" % n)
sys.exit(1 if failed else 0)
