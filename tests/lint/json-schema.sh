#!/bin/bash
# sshgate-lint --json: every record matches the table of sshgate-lint(1),
# "JSON OUTPUT" -- each type and each nested object has every field the
# table lists for it (but those in brackets, which are optional) and no
# field it does not list.  The records are those of the golden cases
# (tests/lint/cases/*.json) and of every other mode: --test of a command
# the tokenizer refuses, --explain of a permit with read paths and of a
# deny, --suggest, --suggest-from-log with a skipped line, --audit,
# --catalogue, --list-warnings.  Every row of the table must be seen.
. "${top_srcdir:-.}/tests/lib/sgt.sh"

top_srcdir=$(cd "$top_srcdir" && pwd) || sgt_bail "no top_srcdir"
top_builddir=$(cd "$top_builddir" && pwd) || sgt_bail "no top_builddir"
lint=$top_builddir/sshgate-lint
[ -x "$lint" ] || sgt_bail "no $lint"
work=$(mktemp -d) || sgt_bail "mktemp"
trap 'rm -rf "$work"' EXIT
unset SSH_CONNECTION

cat > "$work/p" <<'POL'
sshgate-policy 1
rule id {
    run      /usr/bin/id
    as       nobody
    read     /etc
    args     "id" /-[un]/?
    test permit "id"
}
rule off {
    run      /usr/bin/true
    as       nobody
    seccomp  none
    args     "true"
}
POL
{
	# the goldens normalise the kernel's Landlock ABI to N
	sed 's/"kernel_abi":N/"kernel_abi":0/' "$top_srcdir"/tests/lint/cases/*.json
	"$lint" -f "$work/p" --json --test 'id; ls'
	"$lint" -f "$work/p" --json --explain 'id -u'
	"$lint" -f "$work/p" --json --explain 'true'
	"$lint" -f "$work/p" --json --explain 'id -x'
	"$lint" -f "$work/p" --json --suggest 'id -g'
	printf '%s\n' 'Dec  1 04:00:01 vps sshgate[8]: deny caller=borg(998) from=- tag=- reason="x" command="'"$(printf 'a%.0s' $(seq 16384))"'..."' |
	    "$lint" -f "$work/p" --json --suggest-from-log -
	"$lint" --json --audit --gate "$work/none" --sshd "$work/none" \
	    --pam-dir "$work" nobody
	"$lint" --json --catalogue
	"$lint" --json --list-warnings
} 2>"$work/err" | grep '^{' > "$work/records"
[ -s "$work/records" ]
ok $? "the modes wrote records"

"$SGT_PY" - "$top_builddir/docs/sshgate-lint.1" "$work/records" <<'PY' > "$work/tap"
import json, re, sys

page, records = sys.argv[1], sys.argv[2]
schema, on = {}, False
for line in open(page, encoding="utf-8"):
    if line.startswith(".Sh "):
        on = line.strip() == ".Sh JSON OUTPUT"
        continue
    m = re.match(r"\.It (\S+) Ta (.*)$", line.rstrip("\n"))
    if on and m and m.group(1) != "Sy":
        fields = m.group(2).split()
        req = {f for f in fields if not f.startswith("[")}
        opt = {f.strip("[]") for f in fields if f.startswith("[")}
        schema[m.group(1)] = (req, opt)
print("%sok - sshgate-lint(1) documents %d record types and objects"
      % ("" if len(schema) >= 20 else "not ", len(schema)))

bad, seen, n = [], set(), 0

def check(path, obj):
    if path not in schema:
        bad.append("%s: not in the table (fields %s)" % (path, sorted(obj)))
        return
    seen.add(path)
    req, opt = schema[path]
    keys = set(obj)
    for k in sorted(req - keys):
        bad.append("%s: documented field %r missing" % (path, k))
    for k in sorted(keys - req - opt):
        bad.append("%s: field %r is not documented" % (path, k))
    for k, v in obj.items():
        sub = path + "." + k
        if isinstance(v, dict):
            check(sub, v)
        elif isinstance(v, list) and any(isinstance(x, dict) for x in v):
            for x in v:
                check(sub + "[]", x)

for line in open(records, encoding="ascii"):
    r = json.loads(line)
    n += 1
    check(r["type"], r)
print("ok - %d records read" % n)
for b in sorted(set(bad))[:40]:
    print("not ok - %s" % b)
if not bad:
    print("ok - every record has the documented fields, and only those")
for t in sorted(set(schema) - seen):
    print("not ok - no record of the table's %s was seen" % t)
if not set(schema) - seen:
    print("ok - every row of the table was seen")
PY
[ -s "$work/tap" ] || sgt_bail "the schema check printed nothing"
while read -r st rest; do
	case $st in
	ok)	ok 0 "${rest#- }" ;;
	*)	ok 1 "${rest#ok - }" ;;
	esac
done < "$work/tap"
sgt_done
