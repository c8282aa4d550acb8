#!/bin/bash
# docs/sshgate.8 is clean mdoc: no warning or error from mandoc -Tlint.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
command -v mandoc >/dev/null || sgt_skip "needs mandoc"
out=$(mandoc -Tlint -Wwarning "$top_builddir/docs/sshgate.8" 2>&1)
is "$out" "" "mandoc -Tlint -Wwarning docs/sshgate.8 says nothing"
# Every exit status the gate defines is documented.
for n in $(sed -n 's/^#define EXIT_[A-Z]*[[:space:]]*\([0-9]*\).*/\1/p' "$top_srcdir/gate/gate.h"); do
	grep -qx "\.It $n" "$top_builddir/docs/sshgate.8"
	ok $? "exit status $n is in EXIT STATUS"
done
sgt_done
