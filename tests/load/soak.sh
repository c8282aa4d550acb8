#!/bin/bash
# Soak: 2,000 sequential runs of the setuid gate as the login account --
# permitted (directly and under a supervising parent), denied by the
# policy and by the tokenizer -- and nothing grows: the open descriptors
# of the long-lived process that receives the gate's log, the files under
# /run, /tmp, /var/tmp, /dev/shm and the runner's directory, the
# processes of the two accounts (none), the descriptors the program gets
# (0, 1, 2 every time); and every decision is in the log.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"
RUNS=${SGT_SOAK_RUNS:-2000}

{
	echo "sshgate-policy 1"
	cf_rule direct probe \
	    "as       $SGT_RUNNER" \
	    "caps     dac_read_search" \
	    "write    $CF_HOME" \
	    "setenv   HOME $CF_HOME"
	cf_rule supervised supervised \
	    "as       $SGT_RUNNER" \
	    "write    $CF_HOME" \
	    "timeout  1m"
} | sgt_policy -

# /tmp and /var/tmp of our own (this mount namespace): other tests on
# the host come and go there.  /dev/shm and /run are already ours
# (sgt.sh): no other test's directory comes and goes under them.
sgt_private_dir /tmp 1777
sgt_private_dir /var/tmp 1777
logger_pid=$(echo $SGT_PIDS | awk '{print $1}')
snapshot() {	# what must not grow
	{
		echo "log listener fds: $(ls /proc/"$logger_pid"/fd | wc -l)"
		find /run -xdev ! -path "$SGT_DIR/syslog" \
		    ! -path "$SGT_DIR/soak.*" -print 2>/dev/null
		find /tmp /var/tmp /dev/shm "$CF_HOME" -xdev -print 2>/dev/null
		ps -o pid=,args= -u "$SGT_LOGIN" -u "$SGT_RUNNER" | sed 's/^/process: /'
	} | sort
}
settle() {	# processes of the accounts end right after the gate does
	for i in $(seq 100); do
		sgt_pgrep -u "$SGT_LOGIN" >/dev/null || sgt_pgrep -u "$SGT_RUNNER" >/dev/null ||
		    return 0
		sleep 0.05
	done
}
lines0=$(grep -c 'sshgate\[' "$SGT_DIR/syslog")
snapshot > "$SGT_DIR/soak.before"
grep -q "^log listener fds: [0-9]" "$SGT_DIR/soak.before"
ok $? "the log listener is there to watch ($(grep "^log listener fds" "$SGT_DIR/soak.before"))"

direct=0 supervised=0 denied=0 refused=0 bad=0
: > "$SGT_DIR/soak.bad"
for i in $(seq "$RUNS"); do
	case $((i % 4)) in
	0)	out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe fds" -- 2>&1)
		if [ $? = 0 ] && [ "$out" = "fds: 0 1 2" ]; then
			direct=$((direct + 1))
		else
			bad=$((bad + 1)); echo "$i direct: $out" >> "$SGT_DIR/soak.bad"
		fi ;;
	1)	out=$(sgt_gate SSH_ORIGINAL_COMMAND="supervised fds" -- 2>&1)
		if [ $? = 0 ] && [ "$out" = "fds: 0 1 2" ]; then
			supervised=$((supervised + 1))
		else
			bad=$((bad + 1)); echo "$i supervised: $out" >> "$SGT_DIR/soak.bad"
		fi ;;
	2)	out=$(sgt_gate SSH_ORIGINAL_COMMAND="borg extract x" -- 2>&1)
		if [ $? = 3 ] && [ "$out" = "sshgate: denied: no rule permits this command" ]; then
			denied=$((denied + 1))
		else
			bad=$((bad + 1)); echo "$i denied: $out" >> "$SGT_DIR/soak.bad"
		fi ;;
	3)	out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe fds; id" -- 2>&1)
		if [ $? = 3 ] && [ "$out" = "sshgate: denied: unquoted ';' at column 10" ]; then
			refused=$((refused + 1))
		else
			bad=$((bad + 1)); echo "$i refused: $out" >> "$SGT_DIR/soak.bad"
		fi ;;
	esac
done
is "$bad" 0 "$RUNS runs: $direct permitted, $supervised permitted under a supervisor, $denied denied by the policy, $refused by the tokenizer"
head -5 "$SGT_DIR/soak.bad" | sed 's/^/#   /'
is "$direct:$supervised" "$((RUNS / 4)):$((RUNS / 4))" "every permitted program got exactly descriptors 0, 1 and 2"
settle
snapshot > "$SGT_DIR/soak.after"
if cmp -s "$SGT_DIR/soak.before" "$SGT_DIR/soak.after"; then
	ok 0 "no growth: the log listener's descriptors, files under /run /tmp /var/tmp /dev/shm and the runner's directory, processes"
else
	ok 1 "no growth: the log listener's descriptors, files under /run /tmp /var/tmp /dev/shm and the runner's directory, processes"
	diff "$SGT_DIR/soak.before" "$SGT_DIR/soak.after" | head -20 | sed 's/^/#   /'
fi
# every decision logged: one line each, and the supervisor's exit line
for i in $(seq 100); do
	lines=$(($(grep -c 'sshgate\[' "$SGT_DIR/syslog") - lines0))
	[ "$lines" -ge $((RUNS + RUNS / 4)) ] && break
	sleep 0.05
done
is "$lines" $((RUNS + RUNS / 4)) "every decision is in the log ($RUNS, and $((RUNS / 4)) exit lines of the supervisor)"
grep 'sshgate\[' "$SGT_DIR/syslog" | grep -v ': permit rule=\|: deny\|: rule=supervised exit=' |
    head -5 | sed 's/^/#   other: /'
is "$(grep -c "sshgate\[[0-9]*\]: permit rule=supervised " "$SGT_DIR/syslog"):$(grep -c "sshgate\[[0-9]*\]: rule=supervised exit=0 " "$SGT_DIR/syslog")" \
    "$((RUNS / 4)):$((RUNS / 4))" "every supervised run ended with exit 0, as its supervisor logged"

sgt_done
