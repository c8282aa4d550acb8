#!/bin/bash
# A rule with a timeout: the gate stays as a supervising parent that holds
# no privilege, ends the program's whole process group when the time is
# up (exit 124), logs the exit status and duration, and takes the program
# with it if it dies.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

{
	echo "sshgate-policy 1"
	cf_rule short probe \
	    "as       $SGT_RUNNER" \
	    "caps     dac_read_search" \
	    "write    $CF_HOME" \
	    "timeout  3s"
} | sgt_policy -

start_gate() {	# start_gate CMD: the setuid gate in the background
	env -i SSH_ORIGINAL_COMMAND="$1" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- /usr/bin/env \
	    "$SGT_DIR/bin/sshgate" >"$SGT_DIR/gate.out" 2>&1 &
	gate=$!
	SGT_PIDS="$SGT_PIDS $gate"
	local i
	for i in $(seq 100); do
		grep -q "pid=" "$SGT_DIR/gate.out" && break
		sleep 0.05
	done
	grandchild=$(sed -n 's/^[a-z]*-sleep=[0-9]*: pid=//p' "$SGT_DIR/gate.out" | head -1)
	child=$(pgrep -P "$gate" | head -1)
}

alive() {	# a process that exists and is not a zombie
	local st
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

field() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$2/status" | tr -s '\t ' ' '; }

# ---- the supervisor while the program runs --------------------------------
t0=$(date +%s)
start_gate "probe spawn-sleep=30"
[ -n "$child" ] && [ -n "$grandchild" ]
ok $? "the program (pid $child) and its own child (pid $grandchild) run"
is "$(field Uid "$gate")" "$CF_RUID $CF_RUID $CF_RUID $CF_RUID" "supervisor: uid = the runner"
is "$(field Gid "$gate")" "$CF_RGID $CF_RGID $CF_RGID $CF_RGID" "supervisor: gid = the runner's"
is "$(field Groups "$gate")" "" "supervisor: no supplementary groups"
for set in CapInh CapPrm CapEff CapAmb CapBnd; do
	is "$(field $set "$gate")" 0000000000000000 "supervisor: $set empty"
done
is "$(field NoNewPrivs "$gate")" 1 "supervisor: no_new_privs"
is "$(stat -c %u "/proc/$gate/status")" 0 "supervisor: not dumpable (its /proc files stay root's)"
is "$(readlink "/proc/$gate/fd/0")" /dev/null "supervisor: its stdin is /dev/null, not the session's"
is "$(field CapEff "$child")" 0000000000000004 "program: CAP_DAC_READ_SEARCH"
is "$(field Seccomp "$child")" 2 "program: seccomp filter mode"

# ---- the timeout ------------------------------------------------------------
wait "$gate"; rc=$?
t1=$(date +%s)
is "$rc" 124 "the timeout ends the gate with exit 124"
[ $((t1 - t0)) -ge 3 ] && [ $((t1 - t0)) -lt 15 ]
ok $? "after the rule's 3 seconds, not the program's 30 ($((t1 - t0))s)"
! alive "$child"
ok $? "the program is gone"
! alive "$grandchild"
ok $? "its own child is gone too (the whole process group)"

# A program that hides a process from the timeout: a new session (out of
# the process group) that ignores SIGTERM.
start_gate "probe escape-sleep=60 spawn-sleep=60"
alive "$grandchild"
ok $? "the escaping process (pid $grandchild) runs in its own session"
wait "$gate"; rc=$?
is "$rc" 124 "the timeout still ends the gate with exit 124"
! alive "$grandchild"
ok $? "the escaped process is gone too"
! pgrep -u "$SGT_RUNNER" -x sleep >/dev/null
ok $? "no process of the run survives the timeout"
grep -q "rule=short timeout after 3s" "$SGT_DIR/syslog"
ok $? "the timeout is logged"
grep -q "rule=short exit=.* (timeout) duration=" "$SGT_DIR/syslog"
ok $? "the exit line with duration is logged"

# ---- a normal exit passes through -------------------------------------------
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe exit=7" -- 2>&1); rc=$?
is "$rc" 7 "the program's exit status is the gate's"
grep -q "rule=short exit=7 duration=" "$SGT_DIR/syslog"
ok $? "the exit status is logged"
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe status fds" -- 2>&1); rc=$?
expect "Seccomp: 2" "the program under a supervisor is confined as always"
expect "fds: 0 1 2" "and has only 0, 1, 2"

# ---- the supervisor dies: the program follows ------------------------------
start_gate "probe spawn-sleep=30"
kill -KILL "$gate"
wait "$gate" 2>/dev/null
for i in $(seq 40); do alive "$child" || break; sleep 0.05; done
! alive "$child"
ok $? "killing the supervisor kills the program (parent-death signal)"
pkill -KILL --ns $$ --nslist pid -u "$SGT_RUNNER" sleep 2>/dev/null
sgt_done
