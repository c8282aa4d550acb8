#!/bin/bash
# The manual pages, as the build generates them from docs/*.in with the
# configured paths: every one is mdoc that "mandoc -Tlint -Wwarning"
# accepts, renders without a stray option or an unbalanced quote (mandoc
# and man -l), names this build's paths (and another configure's); every
# policy example of the pages and of docs/*.md lints; and
# sshgate-policy(5) agrees with the code: every field the parser knows
# and every seccomp group is described, the quoting section names every
# character the tokenizer refuses, and the example policy compiles and
# passes its own tests.
. "${top_srcdir:-.}/tests/lib/sgt.sh"

top_srcdir=$(cd "$top_srcdir" && pwd) || sgt_bail "no top_srcdir"
top_builddir=$(cd "$top_builddir" && pwd) || sgt_bail "no top_builddir"
command -v mandoc >/dev/null || sgt_skip "needs mandoc (setup/deps test)"
tmp=$(mktemp -d) || sgt_bail "mktemp"
trap 'rm -rf "$tmp"' EXIT

pages=("$top_builddir"/docs/*.[1-8])
[ -e "${pages[0]}" ]
ok $? "there are manual pages in docs/"
for page in "${pages[@]}"; do
	[ -e "$page" ] || continue
	name=${page#"$top_builddir"/}
	if mandoc -Tlint -Wwarning "$page" >"$tmp/lint" 2>&1; then
		ok 0 "mandoc -Tlint -Wwarning $name"
	else
		ok 1 "mandoc -Tlint -Wwarning $name"
		sed 's/^/# /' "$tmp/lint"
	fi
done

# Each page as a reader sees it, rendered by mandoc and by man(1): no
# word rendered as an option by mistake (".Fl for standard input" gives
# "-for -standard -input": a single dash before three or more lowercase
# letters is no option of any program the pages name), and every
# double quote that opens is closed before the next opens (".Pq Dq a ,
# Dq b" gives ("a, "b"")).
render_check() {	# a rendering on stdin; prints each fault found
	"$SGT_PY" -c '
import re, sys
text = re.sub(".\b", "", sys.stdin.read())
bad = []
for n, line in enumerate(text.splitlines(), 1):
    for m in re.finditer(r"(?<![\w-])-[a-z]{3,}\b", line):
        bad.append("line %d: %s: %s" % (n, m.group(0), line.strip()))
depth = 0
for i, c in enumerate(text):
    if c in "\u201c\u201d" and (c == "\u201c") == (depth == 1):
        n = text.count("\n", 0, i) + 1
        bad.append("line %d: unbalanced %s: %s" % (n, c,
                   text.splitlines()[n - 1].strip()))
    depth = 1 if c == "\u201c" else 0 if c == "\u201d" else depth
for b in bad:
    print(b)
'
}
# the check itself: it finds both faults the pages had
got=$(printf '.Dd x\n.Dt X 1\n.Os\n.Sh NAME\n.Nm x\n.Nd x\n.Sh DESCRIPTION\nout\n.Pq Fl for standard input ,\nand\n.Pq Dq a , Dq b .\n' |
    mandoc -Tutf8 | render_check | sed 's/:.*//' | tr '\n' ' ')
is "$got" "line 7 line 7 line 7 line 7 line 7 " \
    "the rendering check finds -for -standard -input and unclosed quotes"
have_man=0
command -v man >/dev/null && have_man=1
ok $((1 - have_man)) "man(1) is installed (setup/deps test)"
for page in "${pages[@]}"; do
	name=${page#"$top_builddir"/}
	mandoc -Tutf8 "$page" | render_check >"$tmp/render"
	[ ! -s "$tmp/render" ]
	ok $? "$name rendered by mandoc: no stray option, quotes balanced"
	sed 's/^/# /' "$tmp/render"
	[ $have_man = 1 ] || continue
	MANWIDTH=80 MAN_KEEP_FORMATTING=1 man -l "$page" 2>&1 | render_check >"$tmp/render"
	[ ! -s "$tmp/render" ]
	ok $? "$name rendered by man -l: no stray option, quotes balanced"
	sed 's/^/# /' "$tmp/render"
done

# The pages are generated from docs/*.in with the configured paths: no
# placeholder is left, and the policy path is the one this build's
# programs have compiled in.
for page in "${pages[@]}"; do
	name=${page#"$top_builddir"/}
	left=$(grep -o '@[a-z_]*@' "$page" | sort -u | tr '\n' ' ')
	is "$left" "" "$name: no placeholder left"
done
path=$("$top_builddir/sshgate-lint" --print-policy-path)
grep -qxF ".It Pa $path" "$top_builddir/docs/sshgate-policy.5"
ok $? "sshgate-policy(5) FILES names this build's policy path $path"
grep -qxF ".It Pa $path" "$top_builddir/docs/sshgate.8"
ok $? "sshgate(8) FILES names this build's policy path $path"
grep -qxF ".It Pa $path" "$top_builddir/docs/sshgate-lint.1"
ok $? "sshgate-lint(1) FILES names this build's policy path $path"

# ... and with another configuration: configure --prefix=/opt/x
# --sysconfdir=/etc in a directory of its own (a source tree configured in
# place refuses a second build, so it sees the sources through links that
# leave out that build's files).
mkdir "$tmp/src" "$tmp/cfg" || sgt_bail "mkdir"
for f in "$top_srcdir"/* "$top_srcdir"/.[!.]*; do
	case ${f##*/} in
	config.status|config.h|config.log|Makefile|stamp-h1) continue ;;
	esac
	ln -s "$f" "$tmp/src/"
done
(cd "$tmp/cfg" && "$tmp/src/configure" -q --prefix=/opt/x \
    --sysconfdir=/etc >"$tmp/configure.out" 2>&1 &&
    make -s docs/sshgate.8 docs/sshgate-policy.5 docs/sshgate-lint.1 \
    >>"$tmp/configure.out" 2>&1)
rc=$?
ok $rc "configure --prefix=/opt/x --sysconfdir=/etc; make the pages"
[ $rc = 0 ] || sed 's/^/# /' "$tmp/configure.out"
grep -c '^\.It Pa /etc/sshgate/policy$' "$tmp/cfg/docs/sshgate-policy.5" \
    "$tmp/cfg/docs/sshgate.8" "$tmp/cfg/docs/sshgate-lint.1" >"$tmp/count"
is "$(cat "$tmp/count")" "$tmp/cfg/docs/sshgate-policy.5:1
$tmp/cfg/docs/sshgate.8:1
$tmp/cfg/docs/sshgate-lint.1:1" "that build's pages name /etc/sshgate/policy in FILES"
grep -qxF '.It Pa /opt/x/sbin/sshgate' "$tmp/cfg/docs/sshgate-lint.1"
ok $? "... and sshgate-lint(1) FILES names the gate /opt/x/sbin/sshgate"
grep -qxF '.Pa /etc/sshgate/policy' "$tmp/cfg/docs/sshgate-policy.5"
ok $? "... and in sshgate-policy(5)'s SYNOPSIS"
grep -qF 'NOPASSWD: /opt/x/sbin/sshgate ""' "$tmp/cfg/docs/sshgate.8"
ok $? "... and sshgate(8)'s sudoers example runs /opt/x/sbin/sshgate"
grep -qF '"/opt/x/libexec/sshgate/sshgate-connect -u' \
    "$tmp/cfg/docs/sshgate-policy.5"
ok $? "... and sshgate-policy(5)'s example runs /opt/x/libexec/sshgate/sshgate-connect"
left=$(grep -lE '/usr/local/(etc|sbin|libexec)' "$tmp/cfg/docs/"*.[1-8])
is "$left" "" "... and no page of that build names /usr/local/etc, sbin or libexec"

# Every policy example of the pages and of docs/*.md, taken out by its
# marker (tests/docs-examples.py), compiles, passes its tests and gets no
# error from sshgate-lint; a block that looks like a policy or an
# sshd_config without a marker fails (tests/root/docs-examples.sh runs
# the sshd_config fragments and the example policy's borg create).
mkdir "$tmp/ex" || sgt_bail "mkdir"
"$SGT_PY" "$top_srcdir/tests/docs-examples.py" "$tmp/ex" "${pages[@]}" \
    "$top_srcdir"/docs/*.md >"$tmp/ex/list"
ok $? "tests/docs-examples.py takes the examples out"
bad=$(grep -v -e '^policy' -e '^sshd_config' "$tmp/ex/list")
is "$bad" "" "every policy or sshd_config block has an example marker"
n=$(grep -c '^policy' "$tmp/ex/list")
[ "$n" -ge 2 ]
ok $? "policy examples found: $n"
while IFS=$'\t' read -r kind file where; do
	case $kind in policy|policy-rules) ;; *) continue ;; esac
	(cd "$tmp/ex" && "$top_builddir/sshgate-lint" -f "${file##*/}") \
	    >"$tmp/out" 2>&1
	rc=$?
	! grep -q ': error: ' "$tmp/out" && [ $rc = 0 ]
	ok $? "$where: the $kind example lints without an error ($rc)"
	[ $rc = 0 ] || sed 's/^/# /' "$tmp/out"
done <"$tmp/ex/list"

policy5=$top_builddir/docs/sshgate-policy.5
[ -f "$policy5" ] || sgt_bail "no docs/sshgate-policy.5"

"$SGT_PY" - "$policy5" "$top_srcdir/policy/parse.c" \
    "$top_srcdir/policy/syscalls.c" "$top_srcdir/policy/argv.c" \
    "$tmp/example.policy" "$tmp/commands" <<'PY' >"$tmp/facts"
import re, shlex, sys

page, parse_c, syscalls_c, argv_c, example, commands = sys.argv[1:]
man = open(page, encoding="utf-8").read()
lines = man.splitlines()

# Fields: the parser's table, plus "args", which it handles itself.
fields = re.findall(r'\{ "([a-z]+)", field_[a-z]+', open(parse_c).read())
for f in sorted(set(fields + ["args"])):
    hit = any(re.match(r"\.It Cm %s( |$)" % re.escape(f), l) for l in lines)
    print("%s\tfield '%s' has an entry in FIELDS" % ("ok" if hit else "not", f))

# seccomp groups
groups = re.findall(r'\{ "(@[a-z-]+)", SC_', open(syscalls_c).read())
for g in groups:
    hit = re.search(r"\.Cm\b.*%s\b" % re.escape(g), man) is not None
    print("%s\tseccomp group %s is named" % ("ok" if hit else "not", g))
print("%s\tthe groups were found in syscalls.c" % ("ok" if groups else "not"))

# The characters the tokenizer refuses outside quotes.
meta = re.search(r'unquoted_meta\[\] = "((?:[^"\\]|\\.)*)"',
                 open(argv_c).read()).group(1).encode().decode("unicode_escape")
refused = [l for l in lines if l.startswith(".Ql") and "\\&|" in l]
shown = refused[0].replace("\\&", "") if refused else ""
for c in meta:
    print("%s\tQUOTING lists '%s' as refused" % ("ok" if c in shown.split()
          else "not", c))

# The example policy: the .Bd -literal block of EXAMPLES that begins
# with the version line (FILE FORMAT shows that line alone), with the
# roff escapes undone.
def unroff(t):
    return t.replace("\\e", "\\").replace("\\&", "")
examples = man.split("\n.Sh EXAMPLES\n", 1)[-1].split("\n.Sh ", 1)[0]
blocks = re.findall(r"^\.Bd -literal[^\n]*\n(.*?)^\.Ed$", examples,
                    re.M | re.S)
pol = [b for b in blocks if b.startswith("sshgate-policy 1\n") and
       "\nrule " in b]
if pol:
    open(example, "w").write(unroff(pol[0]))
print("%s\tEXAMPLES holds a policy" % ("ok" if pol else "not"))

# Its "$ sshgate-lint -f policy ... --test CMD" lines and the line each
# prints, for the shell to run: the output, then the arguments, by tabs.
with open(commands, "w") as out:
    for b in blocks:
        lines = unroff(b).replace("\\\n", "").splitlines()
        for i, l in enumerate(lines[:-1]):
            args = shlex.split(l[2:]) if l.startswith("$ ") else []
            if args[:3] == ["sshgate-lint", "-f", "policy"] and \
                    "--test" in args:
                out.write("\t".join([lines[i + 1], "-f", "example.policy"] +
                                    args[3:]) + "\n")
PY
while IFS=$'\t' read -r st what; do
	[ "$st" = ok ]
	ok $? "sshgate-policy.5: $what"
done <"$tmp/facts"

if [ -s "$tmp/example.policy" ]; then
	(cd "$tmp" && "$top_builddir/sshgate-lint" -f example.policy) \
	    >"$tmp/out" 2>&1
	rc=$?
	ok $rc "sshgate-policy.5: the example policy compiles and its tests pass"
	[ $rc = 0 ] || sed 's/^/# /' "$tmp/out"
	# each command of EXAMPLES prints what the page says
	[ "$(wc -l <"$tmp/commands")" -ge 2 ]
	ok $? "sshgate-policy.5: EXAMPLES tries commands with --test"
	while IFS=$'\t' read -r -a f; do
		got=$(cd "$tmp" && "$top_builddir/sshgate-lint" "${f[@]:1}" 2>&1)
		is "$got" "${f[0]}" "sshgate-policy.5: EXAMPLES: ${f[*]:3}"
	done <"$tmp/commands"
fi

# The project stands on its own: a comment cites docs/STYLE.md by one of
# its numbered rules, and nothing outside the tree (../shared, DESIGN.md).
"$SGT_PY" - "$top_srcdir" <<'PY' >"$tmp/refs"
import os, re, sys
top = sys.argv[1]
rules = set(re.findall(r"^(\d+)\. ", open(os.path.join(top, "docs/STYLE.md")).read(), re.M))
bad = []
for d in ["gate", "policy", "tests", "setup", "docs", ".ci"]:
    for root, dirs, files in os.walk(os.path.join(top, d)):
        for f in files:
            path = os.path.join(root, f)
            rel = os.path.relpath(path, top)
            if rel == "docs/STYLE.md" or rel == "tests/docs.sh":
                continue
            try:
                text = open(path, encoding="utf-8").read()
            except (UnicodeDecodeError, OSError):
                continue
            for m in re.finditer(r"(\S*)STYLE\.md(?: (\d+))?", text):
                if not m.group(1).endswith("docs/") or \
                        (m.group(2) and m.group(2) not in rules):
                    bad.append("%s: %s" % (rel, m.group(0)))
            for m in re.finditer(r"DESIGN\.md|\.\./shared", text):
                bad.append("%s: %s" % (rel, m.group(0)))
for f in ["Makefile.am", "configure.ac", "README.md"]:
    text = open(os.path.join(top, f), encoding="utf-8").read()
    for m in re.finditer(r"(\S*)STYLE\.md(?: (\d+))?", text):
        if not m.group(1).endswith("docs/") or \
                (m.group(2) and m.group(2) not in rules):
            bad.append("%s: %s" % (f, m.group(0)))
    for m in re.finditer(r"DESIGN\.md|\.\./shared", text):
        bad.append("%s: %s" % (f, m.group(0)))
for b in bad:
    print(b)
PY
[ ! -s "$tmp/refs" ]
ok $? "every STYLE.md cited is docs/STYLE.md and one of its rules; nothing cites ../shared or DESIGN.md"
[ -s "$tmp/refs" ] && sed 's/^/# /' "$tmp/refs"

sgt_done
