#!/bin/bash
# policy/lint/borg-options.def is data: borg's real option list, scope by
# scope.  It must be exactly what borg's own argparse parser holds (the
# installed borg; Debian 12 ships 1.2.4), so that the unique prefixes the
# linter computes from it are the ones borg accepts.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
"$SGT_PY" -c 'import borg.archiver' 2>/dev/null ||
    sgt_skip "needs borgbackup (python3 -c 'import borg.archiver')"
table=$top_srcdir/policy/lint/borg-options.def
got=$("$SGT_PY" "$top_srcdir/tests/lint/borg-options.py" table)
ok $? "borg's parser can be read"
if [ "$got" = "$(cat "$table")" ]; then
	ok 0 "policy/lint/borg-options.def is borg's option list, byte for byte"
else
	ok 1 "policy/lint/borg-options.def is borg's option list, byte for byte"
	diff -u "$table" <(printf '%s\n' "$got") | head -20 | sed 's/^/# /'
fi
n=$(grep -c '^BORG_OPT(' "$table")
[ "$n" -gt 1000 ]
ok $? "the table holds every scope's options ($n)"
grep -q '^BORG_OPT("create", "--content-from-command", 0)$' "$table" &&
    grep -q '^BORG_OPT("", "--rsh", 1)$' "$table"
ok $? "it knows create --content-from-command (a flag) and --rsh (a value)"
sgt_done
