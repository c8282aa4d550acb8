#!/bin/bash
# The valgrind stage's last test (tests/run.d/valgrind): every run of the
# gate under memcheck left its log in $SGT_VALGRIND/logs; valgrind ran
# with --quiet, so a log with anything in it is an error report (or a
# warning that valgrind could not follow the gate).  Zero are allowed.
: "${SGT_VALGRIND:?set by tests/run.d/valgrind}"
logs=("$SGT_VALGRIND"/logs/vg.*.log)
n=0 bad=0
[ -e "${logs[0]}" ] || logs=()
for l in "${logs[@]}"; do
	n=$((n + 1))
	[ -s "$l" ] || continue
	bad=$((bad + 1))
	[ $bad -le 5 ] && sed -n '1,40s/^/# /p' "$l"
done
if [ "$n" -gt 0 ]; then
	echo "ok 1 - the gate ran under memcheck $n times"
else
	echo "not ok 1 - the gate never ran under memcheck"
fi
errors=$(cat /dev/null "${logs[@]}" | grep -c '^==[0-9]*== [A-Z]')
if [ "$bad" = 0 ]; then
	echo "ok 2 - no memcheck error and no valgrind warning in $n runs"
else
	echo "not ok 2 - $bad of $n runs reported errors or warnings ($errors report lines)"
fi
echo "1..2"
[ "$n" -gt 0 ] && [ "$bad" = 0 ]
