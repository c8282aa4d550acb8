#!/bin/bash
# Where the setuid code ends (docs/HACKING.md "Layout"): the library in
# policy/ and the gate in gate/ include no header of the linter's
# policy/lint/, only the linter's objects have that directory on their
# include path, nothing is built with tests/ on it, the library
# neither prints nor exits (but for xmalloc.c's end on no memory), no
# file of the gate calls into gate/main.c, Makefile.am ships every file
# of the tree, and docs/SECURITY.md's trusted base is current
# (SSHGATE_REGEN=1 rewrites its table).
. "${top_srcdir:-.}/tests/lib/sgt.sh"

top_srcdir=$(cd "$top_srcdir" && pwd) || sgt_bail "no top_srcdir"
tmp=$(mktemp -d) || sgt_bail "mktemp"
trap 'rm -rf "$tmp"' EXIT

"$SGT_PY" - "$top_srcdir" <<'PY' >"$tmp/out"
import glob, os, re, sys
top = sys.argv[1]
def rel(p): return os.path.relpath(p, top)
lint_h = {os.path.basename(p) for p in glob.glob(top + "/policy/lint/*.h")}
lint_h |= {os.path.basename(p) for p in glob.glob(top + "/policy/lint/*.def")}
base = glob.glob(top + "/policy/*.[ch]") + glob.glob(top + "/gate/*.[ch]")
bad = []
for p in sorted(base):
    for m in re.finditer(r'^#\s*include\s+"([^"]+)"', open(p).read(), re.M):
        if os.path.basename(m.group(1)) in lint_h or "lint/" in m.group(1):
            bad.append("%s includes the linter's %s" % (rel(p), m.group(1)))
print("includes\t" + "; ".join(bad))

# Makefile.am: the include directories, by variable.
text = open(top + "/Makefile.am").read().replace("\\\n", " ")
bad = []
for m in re.finditer(r"^(\w+)\s*=(.*)$", text, re.M):
    var, val = m.group(1), m.group(2)
    if not var.endswith("CPPFLAGS"):
        continue
    if "policy/lint" in val and not re.match(r"sshgate_lint_|tests_fuzz_\w*lint", var):
        bad.append("%s has policy/lint" % var)
    if re.search(r"-I\S*/tests\b", val):
        bad.append("%s has tests/" % var)
print("makefile\t" + "; ".join(bad))
lib = re.search(r"^libsshgate_a_SOURCES\s*=(.*)$", text, re.M).group(1).split()
gate = re.search(r"^sshgate_SOURCES\s*=(.*)$", text, re.M).group(1).split()
print("sources\t" + "; ".join(s for s in lib + gate if s.startswith("policy/lint/")))

# The library (policy/*.c) never prints or exits: its callers do.  The
# one exception is xmalloc.c, whose point is to end the program when
# memory runs out (docs/STYLE.md 5), through the caller's hook first.
bad = []
for p in sorted(glob.glob(top + "/policy/*.c")):
    if p.endswith("/xmalloc.c"):
        continue
    src = re.sub(r"/\*.*?\*/", "", open(p).read(), flags=re.S)
    for m in re.finditer(r"\b(exit|_exit|abort|printf|fprintf|puts|fputs|perror|err|errx|warn|warnx)\s*\(", src):
        bad.append("%s: %s()" % (rel(p), m.group(1)))
print("quiet\t" + "; ".join(bad))

# The gate's files call into log.c (die()), never into main.c: main.c is
# the sequence (docs/STYLE.md 1), the others its steps, and a call back
# would make a cycle.  A function main.c defines, called by another
# gate/*.c that does not define one of that name itself.
def code(p):
    s = re.sub(r"/\*.*?\*/", "", open(p).read(), flags=re.S)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', s)
def defined(s):
    return set(re.findall(r"^(\w+)\([^;{]*\)\s*\{", s, re.M))
main_fns = defined(code(top + "/gate/main.c")) - {"main"}
bad = []
for p in sorted(glob.glob(top + "/gate/*.c")):
    if p.endswith("/main.c"):
        continue
    s = code(p)
    for f in sorted(main_fns - defined(s)):
        if re.search(r"\b%s\s*\(" % f, s):
            bad.append("%s calls %s() of main.c" % (rel(p), f))
print("calls\t%d\t" % len(main_fns) + "; ".join(bad))

# make dist ships every file git tracks (docs/, the fuzz dictionaries,
# everything): each is named by Makefile.am's EXTRA_DIST, a program's
# SOURCES or a dist_ variable, or lies in a directory named there, or is
# one automake ships itself.  Makefile.am is read, not run: no make dist.
# In a tree without git (the tarball itself) the files the docs promise
# are there.
import subprocess
vals = {}
for m in re.finditer(r"^(\w+)\s*(\+?=)(.*)$", text, re.M):
    var, op, val = m.groups()
    vals[var] = (vals.get(var, "") + " " if op == "+=" else "") + val
def expand(s, depth=0):
    return re.sub(r"\$\((\w+)\)", lambda m: expand(vals.get(m.group(1), ""),
                  depth + 1) if depth < 20 else "", s)
shipped = set()
for var, val in vals.items():
    if var == "EXTRA_DIST" or var.endswith("_SOURCES") or var.startswith("dist_"):
        shipped |= set(expand(val).split())
shipped |= {"Makefile.am", "configure.ac"}
def git(*args):
    return subprocess.run(["git", "-C", top] + list(args), check=True,
                          capture_output=True, text=True).stdout
try:
    tracked = None
    if os.path.samefile(git("rev-parse", "--show-toplevel").strip(), top):
        tracked = git("ls-files").split()
except (OSError, subprocess.CalledProcessError):
    tracked = None
bad = []
if tracked is not None:
    for f in tracked:
        if f == ".gitignore" or f in shipped:
            continue
        if not any(f.startswith(d.rstrip("/") + "/") for d in shipped):
            bad.append(f)
    print("dist\tgit %d\t" % len(tracked) + " ".join(bad))
else:
    want = ["docs/HACKING.md", "docs/TESTING.md"] + \
        [rel(p) for p in glob.glob(top + "/tests/fuzz/*.dict")]
    bad = [f for f in want if not os.path.exists(top + "/" + f)]
    if len(want) < 3:
        bad.append("no tests/fuzz/*.dict")
    print("dist\ttarball %d\t" % len(want) + " ".join(bad))

# docs/SECURITY.md's setuid trusted base: exactly the sources of the
# gate and its library, each with its current line count (wc -l).
def sources(var):
    return expand(vals.get(var, "")).split()
tb = sorted(set(sources("sshgate_SOURCES")) | set(sources("libsshgate_a_SOURCES")))
rows, total = [], {"gate": 0, "library": 0}
for f in tb:
    n = sum(1 for _ in open(top + "/" + f, "rb"))
    total["gate" if f.startswith("gate/") else "library"] += n
    rows.append("| `%s` | %d |" % (f, n))
table = "\n".join(["| File | Lines |", "|---|---:|"] + rows + [
    "| gate (`gate/`) | %d |" % total["gate"],
    "| library (`policy/`) | %d |" % total["library"],
    "| **total**, %d files | **%d** |" % (len(tb), total["gate"] + total["library"])])
sec = open(top + "/docs/SECURITY.md").read()
m = re.search(r"(<!-- trusted-base: [^\n]*-->\n)(.*?)(<!-- end of trusted-base -->)", sec, re.S)
if m is None:
    print("trusted\tno trusted-base markers in docs/SECURITY.md")
elif os.environ.get("SSHGATE_REGEN") == "1":
    open(top + "/docs/SECURITY.md", "w").write(
        sec[:m.start(2)] + table + "\n" + sec[m.end(2):])
    print("trusted\t")
else:
    listed = dict(re.findall(r"^\| `([^`]+)` \| (\d+) \|$", m.group(2), re.M))
    bad = ["%s not listed" % f for f in tb if f not in listed]
    bad += ["%s listed, not a source of the gate or library" % f
            for f in listed if f not in tb]
    bad += ["%s: %s lines listed, %s now" % (r.split("`")[1], listed[r.split("`")[1]],
            r.split("| ")[2].rstrip(" |")) for r in rows
            if r.split("`")[1] in listed and "| %s |" % listed[r.split("`")[1]] not in r]
    if not bad and m.group(2).strip("\n") != table:
        bad.append("the totals or the table's form differ")
    print("trusted\t" + "; ".join(bad))
PY

got() { sed -n "s/^$1\t//p" "$tmp/out"; }
is "$(got includes)" "" "no file of policy/ or gate/ includes a header of policy/lint/"
is "$(got makefile)" "" "only the linter's targets have policy/lint/ on the include path; none has tests/"
is "$(got sources)" "" "neither the library nor the gate is built from a file of policy/lint/"
is "$(got quiet)" "" "the library in policy/ neither prints nor exits"
calls=$(got calls)
is "${calls#*	}" "" "no file of gate/ but main.c calls a function main.c defines"
ok $([ "${calls%%	*}" -ge 10 ]; echo $?) "... of the ${calls%%	*} functions main.c defines (the check finds them)"
dist=$(got dist)
is "${dist#*	}" "" "make dist ships every file of the tree (${dist%%	*} files; docs/, tests/fuzz/*.dict)"
is "$(got trusted)" "" "docs/SECURITY.md lists the gate's and the library's sources with their line counts (to update: SSHGATE_REGEN=1 make check TESTS=tests/layout.sh)"

sgt_done
