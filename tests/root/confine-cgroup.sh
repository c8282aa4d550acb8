#!/bin/bash
# The run's cgroup (sshgate(8) "THE RUN'S CGROUP"): with a supervisor, the
# gate moves itself into <cgroup2>/sshgate/run-PID and the program into
# run-PID/prog, which no other account can write.  A login account with a
# delegated cgroup v2 subtree (systemd gives one to every user manager)
# could otherwise move the supervisor into a cgroup of its own and freeze
# it: a timeout that never fires.  The old gate: the move and the freeze
# succeeded, and the program outlived its timeout.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
. "$top_srcdir/tests/lib/cgroup.sh"
cf_init "$@"

cg_delegate || sgt_skip "needs a writable cgroup2 mount"

{
	echo "sshgate-policy 1"
	cf_rule short probe "as       $SGT_RUNNER" "timeout  3s"
	cf_rule strict strict "as       $SGT_RUNNER" "timeout  3s" \
	    "cgroup   require"
	cf_rule lenient lenient "as       $SGT_RUNNER" "timeout  3s" \
	    "cgroup   best-effort"
	cf_rule capped capped "as       $SGT_RUNNER" "pids     16" \
	    "cgroup   require"
} | sgt_policy -

start_gate() {	# start_gate CMD: the setuid gate in the background, in $DEL
	cg_start "$SGT_DIR/gate.out" env -i SSH_ORIGINAL_COMMAND="$1" setpriv \
	    --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups \
	    -- /usr/bin/env "$SGT_DIR/bin/sshgate"
	gate=$cg_pid
	local i
	for i in $(seq 100); do
		grep -q ": " "$SGT_DIR/gate.out" && break
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

wait_gate() {	# wait_gate SECONDS: the gate's status, or "running"
	local i
	for i in $(seq $(($1 * 10))); do
		alive "$gate" || break
		sleep 0.1
	done
	if alive "$gate"; then
		rc=running
		return
	fi
	wait "$gate"; rc=$?
}

# ---- the run's processes are in the gate's cgroup ---------------------------
t0=$(date +%s)
start_gate "probe spawn-sleep=30"
[ -n "$child" ] && [ -n "$grandchild" ]
ok $? "the program (pid $child) and its own child (pid $grandchild) run"
run=$CGROOT/sshgate/run-$gate
is "$(cgroup_of "$gate")" "$run" "the supervisor is in the gate's cgroup, not the caller's"
is "$(cgroup_of "$child")" "$run/prog" "the program is in the cgroup below it"
is "$(cgroup_of "$grandchild")" "$run/prog" "so is the program's child"
is "$(stat -c '%U %a' "$CG/sshgate" 2>&1)" "root 700" "sshgate/ is root's alone"
is "$(stat -c '%U %a' "$CG/sshgate/run-$gate" 2>&1)" "root 700" "run-PID is root's alone"

# ---- 2(d): the caller moves the supervisor into its subtree and freezes it --
setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups -- \
    mkdir "$DEL/x"
ok $? "the caller makes a cgroup in its delegated subtree"
out=$(login_write "$DEL/x/cgroup.procs" "$gate")
case $out in errno=EACCES|errno=EPERM|errno=ENOENT) r=0 ;; *) r=1 ;; esac
ok $r "the caller cannot move the supervisor into it ($out)"
out=$(login_write "$DEL/x/cgroup.procs" "$child")
case $out in errno=EACCES|errno=EPERM|errno=ENOENT) r=0 ;; *) r=1 ;; esac
ok $r "... nor the program ($out)"
out=$(login_write "$DEL/x/cgroup.freeze" 1)
is "$out" ok "the caller freezes its own cgroup"
out=$(login_write "$CG/sshgate/run-$gate/cgroup.freeze" 1)
case $out in errno=EACCES|errno=EPERM|errno=ENOENT) r=0 ;; *) r=1 ;; esac
ok $r "... but not the gate's ($out)"
out=$(login_write "$CG/sshgate/run-$gate/prog/cgroup.freeze" 1)
case $out in errno=EACCES|errno=EPERM|errno=ENOENT) r=0 ;; *) r=1 ;; esac
ok $r "... nor the program's ($out)"
is "$(cgroup_of "$gate")" "$run" "the supervisor is still in the gate's cgroup"
wait_gate 15
t1=$(date +%s)
is "$rc" 124 "the timeout fires: exit 124"
[ $((t1 - t0)) -lt 16 ]
ok $? "after the rule's 3 seconds, not the program's 30 ($((t1 - t0))s)"
cg_thaw
! alive "$child" && ! alive "$grandchild"
ok $? "the program and its child are gone"
[ ! -e "$CG/sshgate/run-$gate" ]
ok $? "the run's cgroup is removed after a timeout"

# ---- what the program leaves behind dies with its cgroup --------------------
start_gate "probe orphans=5"
wait_gate 15
is "$rc" 0 "a program that leaves orphans behind exits 0"
! sgt_pgrep -u "$SGT_RUNNER" >/dev/null
ok $? "no process of the runner survives the run"
[ ! -e "$CG/sshgate/run-$gate" ]
ok $? "the run's cgroup is removed after a normal exit"
! grep -q "cgroup.*left behind\|cgroup.kill of" "$SGT_DIR/syslog"
ok $? "the supervisor logged no clean-up failure"

# ---- a supervisor killed with SIGKILL leaves run-PID; the next run removes it
start_gate "probe spawn-sleep=30"
kill -KILL "$gate"
wait "$gate" 2>/dev/null
for i in $(seq 40); do alive "$child" || break; sleep 0.05; done
sgt_pkill -KILL -u "$SGT_RUNNER" sleep 2>/dev/null
stale=$gate
[ -d "$CG/sshgate/run-$stale" ]
ok $? "a supervisor killed with SIGKILL leaves its run-PID behind"
cf_gate SSH_ORIGINAL_COMMAND="probe pid" --
expect_status 0 "the next run with a supervisor runs"
[ ! -e "$CG/sshgate/run-$stale" ]
ok $? "... and removes the run-PID of the supervisor that is gone"

# ---- cgroup require / best-effort -----------------------------------------
cf_gate SSH_ORIGINAL_COMMAND="strict pid" --
expect_status 0 "cgroup require with a cgroup2 at hand: the rule runs"
# Without cgroup v2: real root, in a mount namespace without the mount.
nocg() {	# nocg COMMAND: the gate as real root where no cgroup2 is mounted
	unshare -m --propagation private -- /bin/sh -c '
		umount -l "$1" || exit 98
		grep -q " - cgroup2 " /proc/self/mountinfo && exit 97
		exec env -i SSH_ORIGINAL_COMMAND="$2" "$3"' sh "$CG" "$1" \
	    "$SGT_DIR/bin/sshgate" 2>&1
}
out=$(nocg "strict pid"); rc=$?
expect_status 5 "no cgroup2 and cgroup require: refused, exit 5"
printf '%s\n' "$out" | grep -q "no cgroup for the run (no cgroup2 mount); rule 'strict' says cgroup require"
ok $? "... saying why"
! printf '%s\n' "$out" | grep -q "^pid:"
ok $? "... and the program did not run"
out=$(nocg "lenient pid"); rc=$?
expect_status 0 "no cgroup2 and cgroup best-effort: the rule runs"
printf '%s\n' "$out" | grep -q "^pid: [0-9]"
ok $? "... the program ran"
grep -q "rule=lenient cgroup: none (no cgroup2 mount); running without (cgroup best-effort)" "$SGT_DIR/syslog"
ok $? "... and a warning is logged"
out=$(nocg "probe pid"); rc=$?
expect_status 0 "the default is best-effort"

# ---- the run's limits, as this host's cgroup v2 allows them ------------------
# (tests/matrix/limits-uml.sh has both cases on a kernel of their own)
cf_gate SSH_ORIGINAL_COMMAND="capped forks=40" --
if grep -qw pids "$CG/cgroup.subtree_control"; then
	expect_status 0 "pids 16 with the pids controller: the rule runs"
	expect "forks=40: errno=EAGAIN after 15" "... and its program has 15 children at most"
	! grep -q "cgroup: no pids controller" "$SGT_DIR/syslog"
	ok $? "... and no run notes a missing controller"
else
	diag "no pids controller in this host's cgroup v2 ($CG)"
	expect_status 5 "pids 16 and cgroup require without the pids controller: refused, exit 5"
	printf '%s\n' "$out" | grep -q "no pids controller in $CG/sshgate for the run's limit; rule 'capped' says cgroup require"
	ok $? "... saying why"
	! grep -q "rule=short .*pids" "$SGT_DIR/syslog"
	ok $? "... while a run with the default pids.max runs without it, and no line of every run says so"
fi
sgt_done
