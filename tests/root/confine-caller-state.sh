#!/bin/bash
# What the caller (T2, the login account) controls must not reach the
# program or weaken its confinement: environment, open descriptors,
# signal dispositions, the signal mask, interval timers, resource limits.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

{
	echo "sshgate-policy 1"
	cf_rule borg-like probe \
	    "as       $SGT_RUNNER" \
	    "caps     dac_read_search" \
	    "seccomp  strict" \
	    "landlock require" \
	    "write    $CF_HOME" \
	    "keepenv  BORG_PASSPHRASE" \
	    "setenv   HOME $CF_HOME" \
	    "setenv   BORG_BASE_DIR $CF_HOME"
} | sgt_policy -

# ---- who may call ----------------------------------------------------------
# Mode 4750 with the login account's group lets the kernel refuse others;
# the gate refuses a member of that group whose real group differs, and a
# copy that anyone could execute.
other=sgt-o$SGT_ID
sgt_add_user "$other" /bin/sh
usermod -a -G "$SGT_LOGIN" "$other" || sgt_bail "usermod"
# (/usr/bin/env: setpriv keeps root's capabilities until its execve; the
# hop makes the gate's execve an unprivileged one, as sgt_gate does.)
out=$(env -i SSH_ORIGINAL_COMMAND="probe status" setpriv --reuid="$other" \
    --regid="$other" --init-groups -- /usr/bin/env "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
expect_status 2 "a member of the gate's group with another real group is refused (exit 2)"
expect_no "^Uid:" "and nothing ran"
out=$(env -i SSH_ORIGINAL_COMMAND="probe status" setpriv --reuid="$other" \
    --regid="$other" --clear-groups -- /usr/bin/env "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
printf '%s\n' "$out" | grep -q 'Permission denied' && ! printf '%s\n' "$out" | grep -q '^Uid:'
r=$?; ok $r "anyone else cannot even execute it (mode 4750)"; [ $r = 0 ] || diag "status $rc: $out"
install -o root -g "$SGT_LOGIN" -m 4755 "$top_builddir/sshgate" "$SGT_DIR/bin/sshgate-4755"
out=$(env -i SSH_ORIGINAL_COMMAND="probe status" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups -- /usr/bin/env "$SGT_DIR/bin/sshgate-4755" 2>&1); rc=$?
expect_status 2 "a gate that everyone may execute refuses to run (exit 2)"
expect_no "^Uid:" "and runs nothing"
install -o root -g "$SGT_LOGIN" -m 0750 "$top_builddir/sshgate" "$SGT_DIR/bin/sshgate-nosuid"
out=$(env -i SSH_ORIGINAL_COMMAND="probe status" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups -- /usr/bin/env "$SGT_DIR/bin/sshgate-nosuid" 2>&1); rc=$?
expect_status 2 "a gate without the setuid bit refuses to run (exit 2)"

# ---- environment ----------------------------------------------------------
hostile=(
	LD_PRELOAD=/tmp/sgt-evil.so LD_LIBRARY_PATH=/tmp/sgt-evil LD_AUDIT=/tmp/x.so
	PYTHONPATH=/tmp/sgt-evil PYTHONINSPECT=1 PYTHONSTARTUP=/tmp/sgt-evil.py
	PYTHONHOME=/tmp/sgt-evil PYTHONUSERBASE=/tmp/sgt-evil
	BORG_PASSCOMMAND="sh -c id" BORG_LOGGING_CONF=/tmp/sgt-evil.conf
	BORG_RSH="sh -c id" BORG_REMOTE_PATH=/tmp/sgt-evil BORG_BASE_DIR=/tmp/sgt-evil
	BORG_CACHE_DIR=/tmp/sgt-evil PATH=/tmp/sgt-evil:/usr/bin HOME=/tmp/sgt-evil
	BASH_ENV=/tmp/sgt-evil TMPDIR=/tmp/sgt-evil IFS=x GCONV_PATH=/tmp/sgt-evil
	MALLOC_CHECK_=3 GLIBC_TUNABLES=glibc.malloc.check=3
)
cf_gate "${hostile[@]}" BORG_PASSPHRASE=sgt-pass SSH_CONNECTION="127.0.0.1 1 127.0.0.1 22" \
    SSH_ORIGINAL_COMMAND="probe env" --
expect_status 0 "the probe runs with a hostile environment"
for v in "${hostile[@]}"; do
	n=${v%%=*}
	case $n in PATH|HOME|BORG_BASE_DIR) continue;; esac
	expect_no "^env: $n=" "$n set by the caller does not reach the program"
done
expect "env: PATH=/usr/bin:/bin" "PATH is the gate's, not the caller's"
expect "env: HOME=$CF_HOME" "HOME is the rule's"
expect "env: BORG_BASE_DIR=$CF_HOME" "BORG_BASE_DIR is the rule's"
expect "env: BORG_PASSPHRASE=sgt-pass" "a keepenv variable passes"
expect_no "^env: SSH_" "SSH_ORIGINAL_COMMAND and SSH_CONNECTION stay with the gate"
n=$(printf '%s\n' "$out" | grep -c '^env: ')
is "$n" 4 "the program's environment has exactly 4 variables"

# ---- descriptors ------------------------------------------------------------
cf_gate SSH_ORIGINAL_COMMAND="probe fds" -- 7<"$CF_ROOTFILE" 8<>/dev/null 200</etc/passwd
expect "fds: 0 1 2" "descriptors the caller left open are not in the program"
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe fds" -- 2>/dev/null 0<&- 7</etc/passwd)
expect "fds: 0 1 2" "a closed stdin is reopened (on /dev/null), nothing else is open"

# ---- signals and timers -----------------------------------------------------
# The caller ignores and blocks signals and arms every interval timer; all
# of that survives execve unless the gate resets it.
out=$(env -i SSH_ORIGINAL_COMMAND="probe status" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups -- "$SGT_PY" -c '
import os, signal, sys
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE,
          signal.SIGCHLD, signal.SIGALRM, signal.SIGXFSZ):
    signal.signal(s, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGTERM,
                                          signal.SIGCHLD})
# 32 and 33 are glibc-internal: its sigaction() refuses them, the kernel
# does not.  Ignore them with the raw syscall (x86_64: rt_sigaction = 13).
import ctypes, platform
if platform.machine() == "x86_64":
    ksa = (ctypes.c_ulong * 4)(1, 0, 0, 0)  # SIG_IGN, flags, restorer, mask
    for s in (32, 33):
        if ctypes.CDLL(None, use_errno=True).syscall(13, s, ksa, None, 8) != 0:
            sys.exit("rt_sigaction %d failed" % s)
    # and block them (rt_sigprocmask = 14, SIG_BLOCK = 0)
    mask = ctypes.c_ulong((1 << 31) | (1 << 32))
    if ctypes.CDLL(None).syscall(14, 0, ctypes.byref(mask), None, 8) != 0:
        sys.exit("rt_sigprocmask failed")
signal.setitimer(signal.ITIMER_REAL, 3000)
signal.setitimer(signal.ITIMER_VIRTUAL, 3000)
signal.setitimer(signal.ITIMER_PROF, 3000)
os.execv(sys.argv[1], [sys.argv[1]])
' "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
expect_status 0 "the probe runs for a caller with odd signal state"
expect "SigBlk: 0000000000000000" "the caller's blocked signals are unblocked"
expect "SigIgn: 0000000000000000" "the caller's ignored signals are back to default"
expect "itimers: none" "the caller's interval timers are disarmed"

# Execution domain flags survive execve; the kernel clears only a few of
# them for a setuid program (address layout ones), not e.g. UNAME26.
out=$(env -i SSH_ORIGINAL_COMMAND="probe status" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups -- setarch "$(uname -m)" -R \
    --uname-2.6 -- "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
expect_status 0 "the probe runs for a caller with an odd personality"
expect "personality: 00000000" "the caller's personality flags do not reach the program"

# A caller that set no_new_privs (as a seccomp or Landlock sandbox needs)
# gets no setuid: the gate must notice and refuse, not run unprivileged.
out=$(env -i SSH_ORIGINAL_COMMAND="probe status" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups --no-new-privs -- \
    /usr/bin/env "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
expect_status 2 "a caller with no_new_privs is refused (exit 2)"
expect_no "^Uid:" "and nothing ran"

# ---- resource limits --------------------------------------------------------
# Either the confined program runs exactly as confined as always, or the
# gate refuses cleanly (a documented status, a message, nothing run).
clean_deny() {	# a documented status and a message, or ld.so did not
		# even start the gate (127); never any output of the program
	case $rc in
	2|3|4|5|126)
		printf '%s\n' "$out" | grep -q '^sshgate: ' ||
		    { diag "no message"; return 1; };;
	127)	printf '%s\n' "$out" | grep -q 'error while loading shared' ||
		    { diag "127 without the loader's message"; return 1; };;
	*)	diag "status $rc"; return 1;;
	esac
	! printf '%s\n' "$out" | grep -Eq '^(Uid|fds|inet|env|read=.*):'
}
# ($SGT_GATE_NATIVE: the gate itself, also in the valgrind stage, where
# valgrind would not survive these limits; tests/lib/sgt.sh)
hostile_limit() {	# hostile_limit PRLIMIT-OPTION EXPECT(run|deny|either)
	out=$(env -i SSH_ORIGINAL_COMMAND="probe $CF_CHECKS" setpriv \
	    --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups -- \
	    prlimit "$1" -- "$SGT_GATE_NATIVE" 2>&1); rc=$?
	local how=
	if [ "$rc" = 0 ] && cf_confined; then
		how=run
	elif clean_deny; then
		how=deny
	fi
	case $2:$how in
	either:run|either:deny|run:run|deny:deny)
		ok 0 "$1: a ${how} (status $rc)";;
	*)	ok 1 "$1: want a $2, got status $rc"
		printf '%s\n' "$out" | sed 's/^/#   /';;
	esac
	rm -f /tmp/sgt-t$SGT_ID
}
hostile_limit --nofile=3:3 deny
for n in 4 5 6 7 8 9 10 12 16; do
	hostile_limit --nofile=$n:$n either
done
hostile_limit --nofile=64:64 run
hostile_limit --fsize=0:0 run
hostile_limit --nproc=0:0 either
hostile_limit --sigpending=0:0 either
hostile_limit --memlock=0:0 run
hostile_limit --msgqueue=0:0 run
hostile_limit --locks=0:0 run
hostile_limit --cpu=1:1 run
hostile_limit --core=unlimited run
# the core limit the program gets is 0 whatever the caller asked
out=$(env -i SSH_ORIGINAL_COMMAND="probe status" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups -- prlimit --core=100000:unlimited \
    -- "$SGT_DIR/bin/sshgate" 2>&1)
expect "rlimit-core: 0" "RLIMIT_CORE is 0 in the program"

sgt_done
