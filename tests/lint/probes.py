#!/usr/bin/python3
"""Danger probes, entry by entry (TAP).

For every entry of sshgate-lint's danger catalogue, a rule that accepts
exactly that danger must get the entry's warning, and a control rule that
accepts a near miss must not.  The option spellings (every unique prefix)
are checked against borg's own argparse parser first: the catalogue must
list exactly the words borg 1.2.4 resolves to each dangerous option.

usage: probes.py SSHGATE-LINT BORG-OPTIONS.PY WORKDIR
"""
import json
import os
import re
import subprocess
import sys

lint, borgopts, work = sys.argv[1:4]
n = 0
failed = 0


def ok(cond, what, detail=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
    if not cond:
        failed += 1
        for line in (detail or "").splitlines()[:20]:
            print("# " + line)


def run(*args, stdin=None):
    return subprocess.run(args, capture_output=True, text=True, input=stdin)


cat = run(lint, "--catalogue")
ok(cat.returncode == 0, "--catalogue runs")
options, commands, variables, programs, caps, dirs = [], [], [], [], [], []
for line in cat.stdout.splitlines():
    f = line.split("\t")
    if f[0] == "option":
        options.append((f[1], f[2], f[3], f[4]))  # program scope spelling option
    elif f[0] == "command":
        commands.append((f[2], f[3]))               # command, warning
    elif f[0] == "variable":
        variables.append((f[1], f[2]))              # name, match
    elif f[0] == "program":
        programs.append(f[1])
    elif f[0] == "capability":
        caps.append(f[1])
    elif f[0] == "directory":
        dirs.append(f[1])

# ---- 1. the spellings are borg's own -------------------------------------
dangerous = sorted({o[3] for o in options})
py = run("/usr/bin/python3", borgopts, "prefixes", *dangerous)
ok(py.returncode == 0, "borg's argparse lists the prefixes", py.stderr)
want = set()
for line in py.stdout.splitlines():
    scope, word, opt = line.split("\t")
    want.add((scope, word, opt))
got = set()
for prog, scope, spelling, opt in options:
    got.add((scope, spelling, opt))
    got.add((scope, spelling + "=x", opt))
ok(got == want, "the catalogue's spellings are exactly those borg's "
   "argparse resolves to each dangerous option (%d)" % len(got),
   "only in the catalogue: %s\nonly in argparse: %s" %
   (sorted(got - want)[:10], sorted(want - got)[:10]))
ok(("", "--rs", "--rsh") in got and ("create", "--cont", "--content-from-command")
   in got and ("", "--debug-p", "--debug-profile") in got,
   "--rs, --cont and --debug-p are among them")

# ---- 2. each entry, probed ---------------------------------------------------
catalogue_why = {}
for line in cat.stdout.splitlines():
    f = line.split("\t")
    if f[0] == "option":
        catalogue_why[f[4]] = f[-1]


def re_escape(w):
    return re.sub(r"([\\^$.|?*+()\[\]{}/])", r"\\\1", w)


rules = []      # (name, text, expected warning or None, needle, what)


def rule(name, body, warning, needle, what=None):
    rules.append((name, "rule %s {\n    tag %s\n%s}\n" % (name, name, body),
                  warning, needle, what))


BORG = "    run /usr/bin/python3 -I /usr/bin/borg\n    as nobody\n"
REPO = r"/ssh:\/\/backup\/\.\/vps::a/"
# one scope per spelling: the main parser, else one that is no danger itself
danger_commands = {c.split()[0] for c, _ in commands}
best = {}
for prog, scope, spelling, opt in options:
    rank = 0 if scope == "" else 1 if scope.split()[0] not in danger_commands \
        else 2
    if spelling not in best or rank < best[spelling][0]:
        best[spelling] = (rank, prog, scope, spelling, opt)
seen = set()
i = 0
for prog, scope, spelling, opt in options:
    if spelling in seen:
        continue
    seen.add(spelling)
    _, prog, scope, spelling, opt = best[spelling]
    i += 1
    words = ['"%s"' % w for w in scope.split()] if scope else []
    before, after = (words, []) if scope else ([], ['"list"'])
    valued = opt not in ("--content-from-command", "--paths-from-command")
    warning = ("borg-runs-program" if opt in ("--rsh", "--remote-path",
               "--content-from-command", "--paths-from-command",
               "--tar-filter") else "borg-writes-file")
    if valued:
        atom = "/%s=[a-z0-9\\/ -]+/" % re_escape(spelling)
        rule("o%d" % i, BORG + "    args \"borg\" %s %s %s %s\n" % (
            " ".join(before), atom, " ".join(after), REPO), warning,
            "'%s=" % spelling)
        rule("b%d" % i, BORG + "    args \"borg\" %s \"%s\" /[a-z0-9\\/ -]+/ "
             "%s %s\n" % (" ".join(before), spelling, " ".join(after), REPO),
             warning, "'%s' then" % spelling)
        # a near miss: no option of borg is spelled like this
        rule("c%d" % i, BORG + "    args \"borg\" %s /%sq=[a-z0-9\\/ -]+/ "
             "%s %s\n" % (" ".join(before), re_escape(spelling),
                          " ".join(after), REPO), None, None, spelling)
    else:
        rule("o%d" % i, BORG + "    args \"borg\" %s \"%s\" %s %s\n" % (
            " ".join(before), spelling, " ".join(after), REPO), warning,
            "'%s'" % spelling)
        rule("c%d" % i, BORG + "    args \"borg\" %s \"%sq\" %s %s\n" % (
            " ".join(before), spelling, " ".join(after), REPO), None, None,
            spelling)

for k, (command, warning) in enumerate(commands):
    words = " ".join('"%s"' % w for w in command.split())
    rule("k%d" % k, BORG + "    args \"borg\" %s %s\n" % (words, REPO),
         warning, "'%s'" % command.split()[0])
rule("kc", BORG + "    args \"borg\" \"list\" %s\n" % REPO, None, None)

for k, (name, match) in enumerate(variables):
    var = {"exact": name, "prefix": name + "TEST",
           "BORG_*_DIR": "BORG_CACHE_DIR"}[match]
    rule("v%d" % k, "    run /usr/bin/id\n    as nobody\n    keepenv %s\n"
         "    args \"id\"\n" % var, "kept-variable", "keepenv %s:" % var)
rule("vc", "    run /usr/bin/id\n    as nobody\n    keepenv BORG_PASSPHRASE\n"
     "    args \"id\"\n", None, None)

for k, name in enumerate(programs):
    rule("p%d" % k, "    run /usr/bin/%s\n    as nobody\n    args \"x\"\n" % name,
         "interpreter", "program /usr/bin/%s is" % name)
rule("pc", "    run /usr/bin/id\n    as nobody\n    args \"id\"\n", None, None)

for k, name in enumerate(caps):
    rule("cap%d" % k, "    run /usr/bin/id\n    as nobody\n    caps %s\n"
         "    args \"id\"\n" % name, "capability", "caps %s:" % name)
rule("capc", "    run /usr/bin/id\n    as nobody\n    caps dac_read_search\n"
     "    args \"id\"\n", None, None)

for k, path in enumerate(dirs + ["/"]):
    rule("w%d" % k, "    run /usr/bin/id\n    as nobody\n    write %s\n"
         "    args \"id\"\n" % path, "writable-root", "'write %s'" % path)
    # the directory above: holds it, so it is no better
    up = os.path.dirname(path)
    if up != "/":
        rule("wu%d" % k, "    run /usr/bin/id\n    as nobody\n    write %s\n"
             "    args \"id\"\n" % up, "writable-root", "'write %s'" % up)
rule("wc", "    run /usr/bin/id\n    as nobody\n    write /var/lib/sshgate-id\n"
     "    args \"id\"\n", None, None)

policy = os.path.join(work, "probes.policy")
with open(policy, "w") as f:
    f.write("sshgate-policy 1\n\n" + "\n".join(r[1] for r in rules))
res = run(lint, "-f", policy, "--json")
ok(res.returncode == 0, "the probe policy compiles", res.stderr + res.stdout[-2000:])
by_rule = {}
for line in res.stdout.splitlines():
    rec = json.loads(line)
    if rec["type"] == "diagnostic" and rec["level"] == "warning":
        by_rule.setdefault(rec["rule"], []).append(rec)

names = {"borg-runs-program", "borg-writes-file", "kept-variable",
         "interpreter", "capability", "writable-root"}
for name, text, warning, needle, what in rules:
    ws = by_rule.get(name, [])
    if warning is None:
        # a near miss of an option: nothing about that option; else nothing
        bad = [w for w in ws if w["name"] in names and
               (what is None or what in w["message"])]
        ok(not bad, "control %s (%s) gets no catalogue warning" %
           (name, what or "harmless"), text + json.dumps(bad, indent=1))
    else:
        hit = [w for w in ws if w["name"] == warning and needle in w["message"]]
        ok(hit, "%s: %s about %s" % (name, warning, needle),
           text + json.dumps(ws, indent=1))

print("1..%d" % n)
sys.exit(1 if failed else 0)
