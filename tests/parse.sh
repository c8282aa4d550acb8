#!/bin/bash
# Parser golden tests.  Every tests/tables/parse/NAME.policy is compiled
# with "sshgate-lint -f NAME.policy", run from that directory (a relative
# path, so that the output does not depend on where the tree lives); its
# stderr must equal NAME.err byte for byte.  The exit status must be 2
# when NAME.err holds an error, 0 otherwise; NAME.out, when present, is
# the expected stdout.
#
# Then every message the lexer and the parser can emit (the format
# strings in policy/lex.c and policy/parse.c) must appear in some .err
# file: a new diagnostic needs a golden.
#
# SSHGATE_GOLDEN_UPDATE=1 rewrites the .err/.out files; review the diff.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_host_borg "$@"

top_srcdir=$(cd "$top_srcdir" && pwd) || sgt_bail "no top_srcdir"
top_builddir=$(cd "$top_builddir" && pwd) || sgt_bail "no top_builddir"
lint=$top_builddir/sshgate-lint
dir=$top_srcdir/tests/tables/parse
tmp=$(mktemp -d) || sgt_bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
[ -x "$lint" ] || sgt_bail "no $lint"
cd "$dir" || sgt_bail "no $dir"

for p in *.policy; do
	n=${p%.policy}
	"$lint" -f "$p" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "${SSHGATE_GOLDEN_UPDATE:-0}" = 1 ]; then
		cp "$tmp/err" "$n.err"
		[ "$rc" = 0 ] && cp "$tmp/out" "$n.out"
	fi
	want=0
	grep -q ': error: ' "$n.err" 2>/dev/null && want=2
	if [ ! -f "$n.err" ]; then
		ok 1 "$n: no golden $n.err"
	elif ! cmp -s "$tmp/err" "$n.err"; then
		ok 1 "$n: stderr differs from $n.err"
		diff -u "$n.err" "$tmp/err" | sed 's/^/# /' | head -40
	elif [ "$rc" != "$want" ]; then
		ok 1 "$n: exit status $rc, want $want"
	elif [ -f "$n.out" ] && ! cmp -s "$tmp/out" "$n.out"; then
		ok 1 "$n: stdout differs from $n.out"
		diff -u "$n.out" "$tmp/out" | sed 's/^/# /'
	else
		ok 0 "$n: exit $rc, diagnostics as in $n.err"
	fi
done

# Every diagnostic of the lexer and the parser has a golden.
# Parts (sshgate-policy(5), "Parts"): parts/policy.d/TAG.policy linted
# with the common part parts/policy; the golden is parts.err (parts.out)
"$lint" -f parts/policy >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "${SSHGATE_GOLDEN_UPDATE:-0}" = 1 ]; then
	cp "$tmp/err" parts.err
	cp "$tmp/out" parts.out
fi
if ! cmp -s "$tmp/err" parts.err || ! cmp -s "$tmp/out" parts.out; then
	ok 1 "parts: the diagnostics differ from parts.err, parts.out"
	diff -u parts.err "$tmp/err" | sed 's/^/# /' | head -40
	diff -u parts.out "$tmp/out" | sed 's/^/# /' | head -20
else
	is "$rc" 2 "parts: each part's errors with its file name, exit 2"
fi

# -f a part: read after the common part beside it, for its tag (a rule
# of job-b.policy read alone would admit every tag, and its test "deny
# create tag job-a" would fail)
out=$("$lint" -f parts/policy.d/job-b.policy 2>&1)
is "$?:$(head -1 <<<"$out")" "0:parts/policy.d/job-b.policy: 1 rule, 3 tests passed" \
    "parts: -f policy.d/job-b.policy is linted as job-b's part, after parts/policy"
is "$("$lint" -f parts/policy.d/job-b.policy --test create 2>&1)" "permit: rule 'job-b-create'" \
    "parts: --test with -f a part decides for its tag"
"$lint" -f parts/policy.d/job-b.policy --test create --tag job-c >/dev/null 2>&1
is "$?" 1 "parts: ... and for another tag, with that tag's files (none: denied)"

"$SGT_PY" - "$top_srcdir/policy/lex.c" "$top_srcdir/policy/parse.c" \
    -- *.err <<'PY' > "$tmp/cover"
import re, sys

args = sys.argv[1:]
sep = args.index("--")
sources, goldens = args[:sep], args[sep + 1:]
text = "".join(open(g, encoding="latin-1").read() for g in goldens)
lines = [l for l in text.splitlines()
         if ": error: " in l or ": note: " in l or ": warning: " in l]

# Never emitted by sshgate-lint: the file is refused by read_all() first.
unreachable = {"policy larger than %u bytes"}
# The wrappers of lex_error(): formats around a message, not messages.
wrappers = {"%s", "%s (byte 0x%02x)"}

def calls(src):
    """The argument text of every ERR(), WARN(), NOTE(), lex_error(),
    diag_add()."""
    for m in re.finditer(r"\b(ERR|WARN|NOTE|lex_error|diag_add)\s*\(", src):
        depth, i = 1, m.end()
        while depth and i < len(src):
            c = src[i]
            if c == '"':
                i += 1
                while src[i] != '"':
                    i += 2 if src[i] == "\\" else 1
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            i += 1
        yield src[m.end():i - 1]

def messages(args):
    """Runs of adjacent C string literals: each run is one string."""
    out, cur, last = [], None, 0
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', args):
        s = m.group(1).replace('\\"', '"').replace("\\\\", "\\")
        if cur is not None and args[last:m.start()].strip() == "":
            cur += s
        else:
            if cur is not None:
                out.append(cur)
            cur = s
        last = m.end()
    if cur is not None:
        out.append(cur)
    return out

conv = re.compile(r"%(?:0?\d+)?(?:zu|s|u|d|c|x)")
seen = set()
for path in sources:
    src = open(path, encoding="utf-8").read()
    for a in calls(src):
        for msg in messages(a):
            if msg in seen or msg in wrappers or msg in unreachable:
                continue
            seen.add(msg)
            if len(conv.sub("", msg).strip()) < 4:
                continue	# "", "s": pieces of a plural
            pat = ".*?".join(re.escape(p) for p in conv.split(msg))
            hit = any(re.search(pat, l) for l in lines)
            print("%s\t%s" % ("ok" if hit else "missing", msg))
PY
[ -s "$tmp/cover" ] || sgt_bail "could not read the diagnostics from policy/*.c"
while IFS=$'\t' read -r st msg; do
	[ "$st" = ok ]
	ok $? "a golden shows: $msg"
done < "$tmp/cover"
sgt_done
