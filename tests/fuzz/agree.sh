#!/bin/bash
# The matcher and the real sshgate-lint --test decide every input of the
# match harness's corpus and kept crashes alike (tests/fuzz/agree.c).
: "${top_srcdir:=.}" "${top_builddir:=.}"
exec "$top_builddir/tests/fuzz/agree" "$top_builddir/sshgate-lint" \
    "$top_srcdir/tests/fuzz/corpus/match" "$top_srcdir/tests/fuzz/crashes/match"
