#!/bin/bash
# What the caller (T2, the login account) controls must not reach the
# program or weaken its confinement: environment, open descriptors,
# signal dispositions, the signal mask, interval timers, resource limits,
# and the rest of the process state that survives execve.
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
	cf_rule as-root probe-root \
	    "as       root" \
	    "caps     none" \
	    "seccomp  strict" \
	    "landlock require"
	cf_rule gentle probe-gentle \
	    "as       $SGT_RUNNER" \
	    "nice     10" \
	    "ionice   best-effort:7" \
	    "timeout  60s"
	cf_rule idle probe-idle \
	    "as       $SGT_RUNNER" \
	    "ionice   idle"
	cf_rule supervised probe-timeout \
	    "as       $SGT_RUNNER" \
	    "caps     dac_read_search" \
	    "seccomp  strict" \
	    "landlock require" \
	    "write    $CF_HOME" \
	    "timeout  60s"
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

# ---- resource limits and the rest of the process state -----------------------
# Every resource limit, nice, scheduling policy, CPU affinity, I/O priority,
# oom_score_adj and timer slack survive execve.  The program gets the
# defaults of sshgate(8) instead, whatever the caller had and whatever the
# runner: a caller's low RLIMIT_FSIZE cut a program's state file short, a
# low RLIMIT_NOFILE made borg create skip files with a warning -- a
# weakened backup, not a failed one.
half=$(( $(cat /proc/sys/kernel/threads-max) / 2 ))
# every CPU this cpuset has, as the kernel answers a fresh request for all
all_cpus=$("$SGT_PY" -c 'import os
os.sched_setaffinity(0, range(8192))
print(" ".join(str(c) for c in sorted(os.sched_getaffinity(0))))')
one_cpu=${all_cpus##* }
want_state=(
	"limit-as: unlimited unlimited" "limit-core: 0 0"
	"limit-cpu: unlimited unlimited" "limit-data: unlimited unlimited"
	"limit-fsize: unlimited unlimited" "limit-locks: unlimited unlimited"
	"limit-memlock: 8388608 8388608" "limit-msgqueue: 819200 819200"
	"limit-nice: 0 0" "limit-nofile: 1024 4096"
	"limit-nproc: $half $half" "limit-rss: unlimited unlimited"
	"limit-rtprio: 0 0" "limit-rttime: unlimited unlimited"
	"limit-sigpending: $half $half" "limit-stack: 8388608 unlimited"
	"nice: 0" "sched: other" "affinity: $all_cpus" "ioprio: none/0"
	"oom_score_adj: 0" "timerslack: 50000"
)
# Raising a hard limit needs CAP_SYS_RESOURCE.  Where root has it (a
# normal host) the gate raises a limit the caller lowered back to the
# default and runs; where even root lacks it (a container), it cannot, and
# refuses (exit 5) rather than run weakened.  A lowered soft limit is
# raised back to the default without any privilege.
if (( 0x$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status) >> 24 & 1 )); then
	lowered=run
else
	lowered=deny
	diag "root lacks CAP_SYS_RESOURCE here: a lowered hard limit is refused"
fi

# Either the confined program runs exactly as confined as always, with the
# default limits, or the gate refuses cleanly (a documented status, a
# message, nothing run).
expect_line() {	# expect_line LINE: $out holds it, else a diag and false
	printf '%s\n' "$out" | grep -Fxq -- "$1" && return
	diag "missing: $1"
	return 1
}
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
	out=$(env -i SSH_ORIGINAL_COMMAND="probe $CF_CHECKS state" setpriv \
	    --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups -- \
	    prlimit "$1" -- "$SGT_GATE_NATIVE" 2>&1); rc=$?
	local how= res=${1%%=*}
	res=${res#--}
	if [ "$rc" = 0 ] && cf_confined && expect_line "$(printf '%s\n' \
	    "${want_state[@]}" | grep "^limit-$res: ")"; then
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
hostile_limit --nofile=64:64 $lowered
hostile_limit --nofile=64: run
hostile_limit --fsize=0:0 $lowered
hostile_limit --fsize=0: run
hostile_limit --nproc=0:0 either
hostile_limit --nproc=0: either
hostile_limit --sigpending=0:0 either
hostile_limit --memlock=0:0 $lowered
hostile_limit --memlock=0: run
hostile_limit --msgqueue=0:0 $lowered
hostile_limit --msgqueue=0: run
hostile_limit --locks=0:0 $lowered
hostile_limit --locks=0: run
hostile_limit --cpu=1:1 $lowered
hostile_limit --cpu=1: run
hostile_limit --stack=$((256 << 10)): run
hostile_limit --data=$((64 << 20)): run
hostile_limit --core=unlimited run
hostile_limit --nice=0:0 run
# the refusal says which limit and why
out=$(env -i SSH_ORIGINAL_COMMAND="probe status state" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups -- prlimit --fsize=1024 -- \
    "$SGT_GATE_NATIVE" 2>&1); rc=$?
if [ "$lowered" = run ]; then
	expect_status 0 "RLIMIT_FSIZE lowered to 1024/1024: raised back, the program runs"
	expect "limit-fsize: unlimited unlimited" "... with RLIMIT_FSIZE unlimited"
else
	expect_status 5 "RLIMIT_FSIZE lowered to 1024/1024, no CAP_SYS_RESOURCE: refused (exit 5)"
	expect "sshgate: cannot set RLIMIT_FSIZE from 1024/1024 to unlimited/unlimited: Operation not permitted" \
	    "... saying which limit, from what to what"
	expect_no "^Uid:" "... and nothing ran"
fi
# the core limit the program gets is 0 whatever the caller asked
out=$(env -i SSH_ORIGINAL_COMMAND="probe status" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups -- prlimit --core=100000:unlimited \
    -- "$SGT_DIR/bin/sshgate" 2>&1)
expect "rlimit-core: 0" "RLIMIT_CORE is 0 in the program"

# All of it at once, by a caller who wants the program slow, starved or
# cut short: every resource limit lowered (the hard ones too where the
# gate can raise them again), nice 19, SCHED_IDLE, or SCHED_BATCH with
# reset-on-fork, one CPU, the idle I/O class, oom_score_adj 1000, a timer
# slack of 1 s.  The slack is set in the process that forks the gate's: a
# new process takes its default slack, the one PR_SET_TIMERSLACK 0 returns
# to, from its parent's.
# (a copy the login account can read: the source tree may be root's, 0700)
install -m 0644 "$top_srcdir/tests/lib/slack.py" "$SGT_DIR/slack.py" ||
    sgt_bail "install slack.py"
hostile_state() {	# hostile_state COMMAND CHRT-POLICY-OPTION...: $out, $rc
	local cmd=$1 h=
	shift
	[ "$lowered" = run ] || h=:	# soft limits only
	out=$(env -i SSH_ORIGINAL_COMMAND="$cmd" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- "$SGT_PY" "$SGT_DIR/slack.py" \
	    prlimit --fsize=1024$h --nofile=64$h --nproc=64$h --stack=$((1 << 20))$h \
	    --data=$((512 << 20))$h --as=$((1 << 30))$h --cpu=60$h --memlock=0$h \
	    --msgqueue=0$h --sigpending=64$h --locks=0$h --rss=$((1 << 20))$h \
	    --rttime=1000$h -- nice -n 19 chrt "$@" 0 taskset -c "$one_cpu" \
	    ionice -c 3 choom -n 1000 -- "$SGT_GATE_NATIVE" 2>&1); rc=$?
}
expect_state() {	# expect_state DESCRIPTION: $out has every line of want_state
	local l missing=()
	for l in "${want_state[@]}"; do
		printf '%s\n' "$out" | grep -Fxq -- "$l" || missing+=("$l")
	done
	ok "${#missing[@]}" "$1"
	[ "${#missing[@]}" = 0 ] && return
	printf '# want line: %s\n' "${missing[@]}"
	printf '%s\n' "$out" | grep -E '^(limit-|nice|sched|affinity|ioprio|oom|timerslack|sshgate)' |
	    sed 's/^/#   got: /'
}
# the caller's own view, so that the defaults are not what it had anyway
out=$(env -i setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups -- \
    "$SGT_PY" -c '
import ctypes, os, sys
ctypes.CDLL(None).prctl(29, 1000000000, 0, 0, 0)
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
' prlimit --fsize=1024 --nofile=64 --nproc=64 --stack=$((1 << 20)) -- nice -n 19 \
    chrt --idle 0 taskset -c "$one_cpu" ionice -c 3 choom -n 1000 -- \
    "$CF_PROBE" state 2>&1)
printf '%s\n' "$out" | grep -Fxq "limit-fsize: 1024 1024" &&
    printf '%s\n' "$out" | grep -Fxq "nice: 19" &&
    printf '%s\n' "$out" | grep -Fxq "sched: idle" &&
    printf '%s\n' "$out" | grep -Fxq "affinity: $one_cpu" &&
    printf '%s\n' "$out" | grep -Fxq "ioprio: idle/7" &&
    printf '%s\n' "$out" | grep -Fxq "oom_score_adj: 1000" &&
    printf '%s\n' "$out" | grep -Fxq "timerslack: 1000000000"
r=$?; ok $r "without the gate, the hostile caller's state reaches a program"
[ $r = 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'

hostile_state "probe $CF_CHECKS state" --idle
expect_status 0 "a caller with a hostile process state (SCHED_IDLE): the probe runs"
cf_confined
ok $? "... fully confined"
for l in "${want_state[@]}"; do
	expect "$l" "... and sees the default: $l"
done
hostile_state "probe state" --batch --reset-on-fork
expect_status 0 "SCHED_BATCH with reset-on-fork: the probe runs"
expect_state "... and sees every default"
hostile_state "probe-root status state" --idle
expect_status 0 "the same caller, a uid 0 runner: the probe runs"
expect "Uid: 0	0	0	0" "... as uid 0"
expect "Seccomp: 2" "... under the seccomp filter"
expect_state "... and sees every default"
hostile_state "probe-timeout $CF_CHECKS state" --idle
expect_status 0 "the same caller, a rule with a timeout: the probe runs"
cf_confined
ok $? "... fully confined"
expect_state "... and sees every default"
# A rule may ask for a gentler run (nice, ionice): the rule's values,
# whatever the caller's, for the program and its supervisor.
hostile_state "probe-gentle state" --idle
expect_status 0 "a rule with nice 10 and ionice best-effort:7, a hostile caller: the probe runs"
expect "nice: 10" "... at the rule's nice 10, not the caller's 19"
expect "ioprio: be/7" "... and the rule's I/O priority, not the caller's idle class"
expect "sched: other" "... with SCHED_OTHER, not the caller's SCHED_IDLE"
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe-idle state" -- 2>&1); rc=$?
expect_status 0 "a rule with ionice idle, an ordinary caller: the probe runs"
expect "ioprio: idle/0" "... in the idle I/O class"
expect "nice: 0" "... at nice 0"

# The state is set once, and checked.  The caller cannot change it again
# before the execve: the gate makes every id root before it resets
# anything (ssh-keysign, doas), so the caller, whose real uid it was, can
# no longer even stop it.  The caller stops the gate again and again
# (SIGSTOP, which a real uid of its own allows) and looks at it each time:
# it must never catch it after the reset (every CPU allowed) -- where it
# could change each value back, and, in a supervisor, stop the timeout --
# and its stops must be refused from some point on.  (Before the ids were
# made root, the caller caught the gate after the reset within 30 runs.)
cat > "$SGT_DIR/race.py" <<'PY'
import ctypes, errno, os, platform, resource, signal, sys
gate, want, path = sys.argv[1], set(map(int, sys.argv[2].split())), sys.argv[3]
libc = ctypes.CDLL(None, use_errno=True)
IOPRIO_SET = {"x86_64": 251, "aarch64": 30}[platform.machine()]

def cpus(text):	# "0-1,4" -> {0, 1, 4}
    got = set()
    for part in text.split(","):
        a, _, b = part.partition("-")
        got.update(range(int(a), int(b or a) + 1))
    return got

def attempt(name, call):
    try:
        call()
        print("%s: ok" % name)
    except OSError as e:
        print("%s: errno=%s" % (name, errno.errorcode[e.errno]))

def write(f, value):
    with open(f, "w") as fh:
        fh.write(value)

def ioprio_idle(pid):
    if libc.syscall(IOPRIO_SET, 1, pid, 3 << 13) != 0:
        raise OSError(ctypes.get_errno(), "ioprio_set")

fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
pid = os.fork()
if pid == 0:
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.execv(gate, [gate])
os.close(fd)
status = None
while True:
    try:
        os.kill(pid, signal.SIGSTOP)
    except PermissionError:		# the ids changed
        print("refused: the caller can no longer stop it")
        attempt("renice", lambda: os.setpriority(os.PRIO_PROCESS, pid, 19))
        attempt("chrt", lambda: os.sched_setscheduler(pid, os.SCHED_IDLE,
                                                      os.sched_param(0)))
        attempt("taskset", lambda: os.sched_setaffinity(pid, {min(want)}))
        attempt("ionice", lambda: ioprio_idle(pid))
        attempt("prlimit", lambda: resource.prlimit(pid, resource.RLIMIT_FSIZE,
                                                    (1024, 1024)))
        attempt("oom_score_adj", lambda: write("/proc/%d/oom_score_adj" % pid,
                                               "1000"))
        attempt("timerslack_ns", lambda: write("/proc/%d/timerslack_ns" % pid,
                                               "1000000000"))
        break
    _, status = os.waitpid(pid, os.WUNTRACED)
    if not os.WIFSTOPPED(status):
        break			# it ended
    st = dict(l.split(":\t", 1) for l in
              open("/proc/%d/status" % pid).read().splitlines() if ":\t" in l)
    if cpus(st["Cpus_allowed_list"].strip()) == want:
        print("caught: after the reset, real uid %s" % st["Uid"].split()[0])
    os.kill(pid, signal.SIGCONT)
    status = None
if status is None:
    _, status = os.waitpid(pid, 0)
sys.stdout.write(open(path).read())
sys.exit(os.waitstatus_to_exitcode(status))
PY
chmod 0644 "$SGT_DIR/race.py"
caught=0 refused=0
for try in $(seq 30); do
	out=$(env -i SSH_ORIGINAL_COMMAND="probe state" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- taskset -c "$one_cpu" "$SGT_PY" \
	    "$SGT_DIR/race.py" "$SGT_GATE_NATIVE" "$all_cpus" \
	    "$SGT_DIR/home/$SGT_LOGIN/out" 2>&1); rc=$?
	if printf '%s\n' "$out" | grep -q '^caught: '; then
		caught=$((caught + 1))
		printf '%s\n' "$out" | grep '^caught: ' | head -1 | sed 's/^/# /'
	fi
	printf '%s\n' "$out" | grep -q '^refused: ' && refused=$((refused + 1))
done
is "$caught" 0 "in 30 runs the caller never stopped the gate after the reset"
[ "$refused" -gt 0 ]
ok $? "... its stops were refused from some point on ($refused of 30 runs saw it)"
expect "renice: errno=EPERM" "... and it cannot renice the gate"
expect "chrt: errno=EPERM" "... nor change its scheduling policy"
expect "taskset: errno=EPERM" "... nor its CPU affinity"
expect "ionice: errno=EPERM" "... nor its I/O priority"
expect "prlimit: errno=EPERM" "... nor its resource limits"
expect "oom_score_adj: errno=EACCES" "... nor its oom_score_adj"
expect "timerslack_ns: errno=EPERM" "... nor its timer slack"
expect_status 0 "... and the probe runs"
expect_state "... with every default"
# A caller with nothing odd: the defaults are not its own limits either.
# (The native gate: under valgrind the program gets valgrind's
# RLIMIT_NOFILE, tests/valgrind/shim.c.)
out=$(env -i SSH_ORIGINAL_COMMAND="probe state" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups -- /bin/sh -c 'exec "$@"' sh \
    "$SGT_GATE_NATIVE" 2>&1); rc=$?
expect_status 0 "an ordinary caller: the probe runs"
expect_state "... and sees every default"

sgt_done
