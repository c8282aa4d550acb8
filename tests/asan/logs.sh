#!/bin/bash
# The sanitizer stage's last test (tests/run.d/asan): AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer write every report to a
# file under $SGT_ASAN_LOGS instead of stderr (so that no report hides
# in a test that expects a failure anyway).  Zero reports are allowed.
: "${SGT_ASAN_LOGS:?set by tests/run.d/asan}"
reports=$(find "$SGT_ASAN_LOGS" -type f -size +0 | sort)
n=$(printf '%s' "$reports" | grep -c .)
for r in $(printf '%s\n' "$reports" | head -3); do
	echo "# $r:"
	sed -n '1,30s/^/#   /p' "$r"
done
if [ "$n" = 0 ]; then
	echo "ok 1 - no report of ASan, LSan or UBSan from any test"
else
	echo "not ok 1 - $n sanitizer reports"
fi
echo "1..1"
[ "$n" = 0 ]
