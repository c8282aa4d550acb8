#!/bin/bash
# The program and the caller's terminal.  Run from a shell on a pty
# (tests/lib/terminal.py), the program gets a session of its own under a
# supervisor: no controlling terminal, no TIOCSTI into the caller's
# terminal (even with seccomp none), no way to take its foreground, and
# nothing it started is left to read the caller's next line.  It still
# reads and writes the terminal it was given, and it still ends when the
# terminal goes away (sshd closing a session's pty: SIGHUP).
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

{
	echo "sshgate-policy 1"
	cf_rule open probe \
	    "as       $SGT_RUNNER" \
	    "write    $CF_HOME" \
	    "seccomp  none"
	cf_rule open-timeout probe-t \
	    "as       $SGT_RUNNER" \
	    "write    $CF_HOME" \
	    "seccomp  strict -@tty" \
	    "timeout  20s"
} | sgt_policy -

TERMINAL=("$SGT_PY" "$top_srcdir/tests/lib/terminal.py")
gate() {	# gate CMD: $G is the setuid gate as the login account (sgt_gate)
	G=(env -i SSH_ORIGINAL_COMMAND="$1" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- /bin/sh -c 'exec "$@"' sh \
	    "$SGT_DIR/bin/sshgate")
}
gone() {	# gone PID: the process ends within 10 s (or is not there)
	local i st
	for i in $(seq 100); do
		st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = Z ] && return 0
		sleep 0.1
	done
	return 1
}
caller_shell() {	# caller_shell CMD: a shell on a terminal runs the gate,
			# then a user types a line, which the shell reads
	gate "$1"
	out=$("${TERMINAL[@]}" --send-after gate-exit= sgt-next-line -- \
	    bash -c '"$@"; echo "gate-exit=$?"; sleep 1
		read -r -t 5 line; echo "shell-read=[$line]"' bash "${G[@]}" 2>&1)
}

for r in probe probe-t; do
	case $r in
	probe)	what="seccomp none";;
	probe-t) what="timeout, seccomp without @tty";;
	esac
	caller_shell "$r devtty sti=sgt-inject-0 sti-tty=sgt-inject-tty tcsetpgrp leftover-read"
	expect "gate-exit=0" "$what: the program ran"
	expect "devtty: errno=ENXIO" "$what: no controlling terminal (/dev/tty: ENXIO)"
	# EPERM: not the program's controlling terminal; EIO where
	# dev.tty.legacy_tiocsti is 0
	printf '%s\n' "$out" | grep -Eqx 'sti=sgt-inject-0: errno=(EPERM|EIO)'
	ok $? "$what: TIOCSTI into the terminal on fd 0 fails"
	expect "sti-tty=sgt-inject-tty: errno=ENXIO" "$what: TIOCSTI into /dev/tty fails"
	expect "tcsetpgrp: errno=ENOTTY" "$what: the terminal's foreground cannot be taken"
	expect_no "^leftover-read: read" "$what: no process of the run reads the caller's next line"
	expect "shell-read=[sgt-next-line]" "$what: the caller's shell reads it, and nothing pushed before it"
	left=$(printf '%s\n' "$out" | sed -n 's/^leftover-read: pid=//p')
	[ -n "$left" ] && gone "$left"
	ok $? "$what: the process left waiting on the terminal is gone"

	# The terminal is still the program's to use.
	gate "$r fds await"
	out=$("${TERMINAL[@]}" --send-after "fds: " typed -- "${G[@]}" 2>&1)
	expect "await: ok" "$what: the program reads a line typed on its terminal"
	expect "terminal.py: exit=0" "$what: and exits with it"

	# sshd's session with a pty: the gate is the session's leader; the
	# client goes away, sshd closes the pty, the kernel sends SIGHUP.
	gate "$r sleep=60"
	out=$("${TERMINAL[@]}" --hangup-after "sleep=60: pid=" -- "${G[@]}" 2>&1)
	pid=$(printf '%s\n' "$out" | sed -n 's/^sleep=60: pid=//p')
	[ -n "$pid" ] && gone "$pid"
	ok $? "$what: a hangup of the session's terminal ends the program"
	printf '%s\n' "$out" | grep -Eqx 'terminal.py: (exit=129|signal=1)'
	ok $? "$what: and the gate, by SIGHUP"

	# ^C on the terminal interrupts the program, as it did in the
	# caller's process group.
	gate "$r sleep=60"
	out=$("${TERMINAL[@]}" --send-after "sleep=60: pid=" $'\003' -- "${G[@]}" 2>&1)
	pid=$(printf '%s\n' "$out" | sed -n 's/^sleep=60: pid=//p')
	[ -n "$pid" ] && gone "$pid"
	ok $? "$what: ^C on the terminal ends the program"
	printf '%s\n' "$out" | grep -Eqx 'terminal.py: (exit=130|signal=2)'
	ok $? "$what: and the gate, by SIGINT"

	# A shell on a terminal runs the gate; the terminal goes away: the
	# shell, its session's leader, dies, and the kernel hangs up the
	# terminal's foreground.
	out=$("${TERMINAL[@]}" --hangup-after "sleep=60: pid=" -- \
	    bash -c '"$@"; echo "gate-exit=$?"' bash "${G[@]}" 2>&1)
	pid=$(printf '%s\n' "$out" | sed -n 's/^sleep=60: pid=//p')
	[ -n "$pid" ] && gone "$pid"
	ok $? "$what: started by a shell, the program ends when the terminal goes away"
done

# Without a terminal (sshd without a pty: pipes and sockets) the run has
# its supervisor too (every run has one, so that nothing the program
# starts outlives it), the gate's own process, and no exit line without a
# timeout; the program ends when the client's side closes (sshd sends no
# signal then: EOF on stdin, EPIPE on output).
# setsid -w: no controlling terminal even when make runs on one.
gate "probe await pid ppid"
printf 'a line\n' | setsid -w "${G[@]}" >"$SGT_DIR/out" 2>&1 &
gpid=$!
wait "$gpid"; rc=$?
out=$(cat "$SGT_DIR/out")
expect "await: ok" "no terminal: the program reads its stdin"
expect "ppid: $gpid" "no terminal, no timeout: the gate is the program's supervising parent"
expect_no "^pid: $gpid\$" "... and did not become the program"
for r in probe probe-t; do
	gate "$r await"
	out=$(setsid -w "${G[@]}" </dev/null 2>&1); rc=$?
	expect "await: ok" "no terminal, $r: the program sees the client's EOF"
	expect_status 0 "no terminal, $r: and exits"
done
sgt_pkill -KILL -u "$SGT_RUNNER" 2>/dev/null
sgt_done
