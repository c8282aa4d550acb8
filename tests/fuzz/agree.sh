#!/bin/bash
# The matcher and the real sshgate-lint --test decide alike
# (tests/fuzz/agree.c): every input of the match harness's corpus and
# kept crashes, and the shipped policy with each command of the
# adversarial tables (tests/fuzz/agree-tables.py), where the permits are.
: "${top_srcdir:=.}" "${top_builddir:=.}"
rows=$(mktemp -d /tmp/sgt-agree-rows.XXXXXX) || exit 1
trap 'rm -rf -- "$rows"' EXIT
/usr/bin/python3 "$top_srcdir/tests/fuzz/agree-tables.py" \
    "$top_builddir/setup/vps/policy" "$rows" \
    "$top_srcdir"/tests/tables/attack/*.tsv >/dev/null || exit 1
"$top_builddir/tests/fuzz/agree" "$top_builddir/sshgate-lint" \
    "$top_srcdir/tests/fuzz/corpus/match" "$top_srcdir/tests/fuzz/crashes/match" \
    "$rows"
