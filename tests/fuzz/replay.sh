#!/bin/bash
# Replay every seed and every input that ever crashed or broke an
# invariant through each harness, built without libFuzzer (TAP).
: "${top_srcdir:=.}" "${top_builddir:=.}"
n=0 failed=0
for name in tokenizer policy match env lint lint-log; do
	n=$((n + 1))
	bin=$top_builddir/tests/fuzz/replay-$name
	out=$("$bin" "$top_srcdir/tests/fuzz/corpus/$name" \
	    "$top_srcdir/tests/fuzz/crashes/$name" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $n - $name: ${out##*ok 1 - }"
	else
		echo "not ok $n - $name: replay failed (status $rc)"
		printf '%s\n' "$out" | tail -5 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ $failed -eq 0 ]
