#!/bin/bash
# Suggestion round trips: tests/lint/suggest.py.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_host_borg "$@"
work=$(mktemp -d) || sgt_bail "mktemp"
trap 'rm -rf "$work"' EXIT
"$SGT_PY" "$top_srcdir/tests/lint/suggest.py" "$top_builddir/sshgate-lint" \
    "$top_srcdir/tests/lint/suggest-base.policy" "$work"
