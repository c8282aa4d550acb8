#!/bin/bash
# The end of a run: every process the program left behind ends
# (2,000 of them, each in a session of its own and ignoring SIGTERM), and
# the supervisor pays for each once.  Counted, not timed: strace counts
# the supervisor's kill() calls, which must grow with the number of
# processes, not with its square (the time is docs/PERFORMANCE.md's).
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"
command -v strace >/dev/null || sgt_skip "needs strace (setup/deps test installs it)"

N=2000
{
	echo "sshgate-policy 1"
	cf_rule leave probe \
	    "as       $SGT_RUNNER" \
	    "write    $CF_HOME" \
	    "timeout  10m"
	cf_rule overstay probe-t \
	    "as       $SGT_RUNNER" \
	    "write    $CF_HOME" \
	    "timeout  20s"
	cf_rule plain probe-p \
	    "as       $SGT_RUNNER" \
	    "write    $CF_HOME"
} | sgt_policy -

nrunner() { sgt_pgrep -c -u "$SGT_RUNNER"; }

# run CMD: the setuid gate with its stdin on a fifo; once the program has
# made its orphans, strace attaches to the supervisor (the gate's pid) and
# a line on the fifo lets the program go on ("await").  Sets $rc, $kills,
# $before (processes of the runner with the orphans made, the program
# included).
run() {
	local fifo=$SGT_DIR/go i
	rm -f "$fifo" && mkfifo -m 0600 "$fifo" || sgt_bail "mkfifo"
	exec 7<>"$fifo"
	env -i SSH_ORIGINAL_COMMAND="$1" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- /usr/bin/env \
	    "$SGT_DIR/bin/sshgate" <&7 >"$SGT_DIR/gate.out" 2>&1 &
	gate=$!
	SGT_PIDS="$SGT_PIDS $gate"
	for i in $(seq 600); do
		grep -q "^orphans=" "$SGT_DIR/gate.out" && break
		sleep 0.1
	done
	before=$(nrunner)
	strace -qq -e trace=kill -e signal=none -o "$SGT_DIR/strace.out" \
	    -p "$gate" &
	tracer=$!
	SGT_PIDS="$SGT_PIDS $tracer"
	for i in $(seq 100); do
		[ "$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$gate/status")" \
		    = "$tracer" ] && break
		sleep 0.05
	done
	echo go >&7
	wait "$gate"; rc=$?
	wait "$tracer"
	exec 7>&-
	kills=$(grep -c '^kill(' "$SGT_DIR/strace.out")
}

# ---- the program exits, its orphans stay behind -----------------------------
run "probe orphans=$N await"
expect_line() { grep -Fxq -- "$1" "$SGT_DIR/gate.out"; }
expect_line "orphans=$N: ok"
ok $? "the program made $N orphans (double fork, setsid, SIGTERM ignored)"
[ "$before" -ge $((N + 1)) ]
ok $? "they ran: $before processes of the runner (orphans, program; the supervisor is root's)"
is "$rc" 0 "the gate exits with the program's status"
is "$(nrunner)" 0 "no process of the runner is left" ||
    ps -o pid,ppid,stat,etime,args -u "$SGT_RUNNER" | head -5 | sed 's/^/# /'
[ "$kills" -ge 1 ] && [ "$kills" -le $((2 * N + 2)) ]
ok $? "the supervisor ended $N orphans with $kills kill() calls (at most 2 per process)"

# ---- the time is up, with the orphans still there ----------------------------
run "probe-t orphans=$N await sleep=600"
expect_line "orphans=$N: ok"
ok $? "the program made $N orphans, then slept past its timeout"
is "$rc" 124 "the timeout ends the gate with exit 124"
is "$(nrunner)" 0 "no process of the runner is left" ||
    ps -o pid,ppid,stat,etime,args -u "$SGT_RUNNER" | head -5 | sed 's/^/# /'
[ "$kills" -ge 1 ] && [ "$kills" -le $((2 * N + 4)) ]
ok $? "the supervisor ended $N orphans with $kills kill() calls (at most 2 per process)"

# ---- a rule without a timeout, no terminal: a run of its own too -------------
# The old gate became the program here, and its orphans outlived the run
# with the rule's identity.  setsid -w: no controlling terminal even when
# make runs on one (a terminal made the old gate supervise).  The output
# goes to a file: orphans holding a pipe would keep a reader waiting.
setsid -w env -i SSH_ORIGINAL_COMMAND="probe-p orphans=3" setpriv \
    --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups -- \
    /usr/bin/env "$SGT_DIR/bin/sshgate" </dev/null >"$SGT_DIR/gate.out" 2>&1
rc=$?
expect_line "orphans=3: ok"
ok $? "no timeout, no terminal: the program made 3 orphans"
is "$rc" 0 "the gate exits with the program's status"
is "$(nrunner)" 0 "no process of the runner outlives the run"
sgt_done
