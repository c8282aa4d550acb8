#!/bin/bash
# The fuzz stage's test (tests/run.d/fuzz): every libFuzzer harness for
# FUZZ_SECONDS (60) from the corpus in the tree, one TAP line each with
# its executions, coverage and crashes.  A crash, a broken invariant, a
# leak, an input that runs out of memory or hangs (libFuzzer's -timeout,
# a hang detector) fails it.  Needs a build configured --enable-fuzzing.
: "${top_srcdir:=.}" "${top_builddir:=.}"
secs=${FUZZ_SECONDS:-60}
cd "$top_builddir" || exit 1
n=0 failed=0
for name in tokenizer policy match env lint lint-log; do
	n=$((n + 1))
	if [ ! -x "tests/fuzz/fuzz-$name" ]; then
		echo "not ok $n - $name: tests/fuzz/fuzz-$name not built (--enable-fuzzing)"
		failed=$((failed + 1))
		continue
	fi
	rm -rf "fuzz-corpus/$name" "fuzz-crashes/$name"
	out=$(bash "$top_srcdir/tests/fuzz/run-fuzz" "$top_srcdir" "$secs" "$name")
	rc=$?
	line=$(printf '%s\n' "$out" | grep "^$name ")
	if [ $rc = 0 ]; then
		echo "ok $n - ${line:-$name: no summary}"
	else
		echo "not ok $n - ${line:-$name: no summary}"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ $failed = 0 ]
