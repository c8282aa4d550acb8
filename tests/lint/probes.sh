#!/bin/bash
# The danger catalogue, entry by entry: tests/lint/probes.py.  Needs
# borg's Python package (Debian's borgbackup) to ask its argparse parser.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
"$SGT_PY" -c 'import borg.archiver' 2>/dev/null ||
    sgt_skip "needs borgbackup (python3 -c 'import borg.archiver')"
work=$(mktemp -d) || sgt_bail "mktemp"
trap 'rm -rf "$work"' EXIT
"$SGT_PY" "$top_srcdir/tests/lint/probes.py" "$top_builddir/sshgate-lint" \
    "$top_srcdir/tests/lint/borg-options.py" "$work"
