#!/bin/bash
# A rule with a timeout: the gate stays as a supervising parent out of
# everyone's reach (root's ids, CAP_KILL alone), ends the program's whole
# process group when the time is up (exit 124), logs the exit status and
# duration, and takes the program with it if it dies.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

{
	echo "sshgate-policy 1"
	cf_rule short probe \
	    "as       $SGT_RUNNER" \
	    "caps     dac_read_search" \
	    "write    $CF_HOME" \
	    "keepenv  BORG_PASSPHRASE" \
	    "exec     /bin/sleep" \
	    "timeout  3s"
} | sgt_policy -
# (spawn-sleep and escape-sleep execute /bin/sleep: Landlock's execute
# right allows it only through the rule's "exec")

start_gate() {	# start_gate CMD [GATE]: the setuid gate in the background
	env -i SSH_ORIGINAL_COMMAND="$1" BORG_PASSPHRASE="sgt-pass-$SGT_ID" \
	    SGT_CALLER_SECRET="sgt-caller-$SGT_ID" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- /usr/bin/env \
	    "${2:-$SGT_DIR/bin/sshgate}" >"$SGT_DIR/gate.out" 2>&1 &
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
is "$(field Uid "$gate")" "0 0 0 0" "supervisor: every uid root, none the runner's or the caller's"
is "$(field Gid "$gate")" "0 0 0 0" "supervisor: every gid root"
is "$(field Groups "$gate")" "" "supervisor: no supplementary groups"
for set in CapInh CapPrm CapEff CapAmb CapBnd; do
	is "$(field $set "$gate")" 0000000000000020 "supervisor: $set holds CAP_KILL alone"
done
is "$(field NoNewPrivs "$gate")" 1 "supervisor: no_new_privs"
is "$(readlink "/proc/$gate/fd/0")" /dev/null "supervisor: its stdin is /dev/null, not the session's"
is "$(field CapEff "$child")" 0000000000000004 "program: CAP_DAC_READ_SEARCH"
is "$(field Seccomp "$child")" 2 "program: seccomp filter mode"

# Nobody else can touch the supervisor: not the caller (the login account),
# not the program (the runner), not even a uid 0 process with the
# supervisor's own capabilities (it is not dumpable).
cat > "$SGT_DIR/touch.py" <<'PY'
import ctypes, errno, os, resource, signal, sys
pid, how = int(sys.argv[1]), sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)

def attempt(name, call):
    try:
        call()
        print("%s: ok" % name)
    except OSError as e:
        print("%s: errno=%s" % (name, errno.errorcode[e.errno]))

def ptrace_attach(p):
    if libc.ptrace(16, p, None, None) != 0:	# PTRACE_ATTACH
        raise OSError(ctypes.get_errno(), "ptrace")
    os.waitpid(p, 0)
    libc.ptrace(17, p, None, None)		# PTRACE_DETACH

if how == "kill-only":	# uid 0 with CAP_KILL alone, as the supervisor
    class Hdr(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
    class Data(ctypes.Structure):
        _fields_ = [("eff", ctypes.c_uint32), ("prm", ctypes.c_uint32),
                    ("inh", ctypes.c_uint32)]
    d = (Data * 2)()
    d[0].eff = d[0].prm = 1 << 5
    if libc.capset(ctypes.byref(Hdr(0x20080522, 0)), d) != 0:
        sys.exit("capset failed")
    # the same tracer against a dumpable process of the same ids: works
    other = os.fork()
    if other == 0:
        signal.pause()
        os._exit(0)
    attempt("ptrace-dumpable", lambda: ptrace_attach(other))
    os.kill(other, signal.SIGKILL)
    os.waitpid(other, 0)
    attempt("ptrace", lambda: ptrace_attach(pid))
    sys.exit(0)
def stop_and_go(p):	# a regression must fail the test, not hang it
    os.kill(p, signal.SIGSTOP)
    os.kill(p, signal.SIGCONT)

attempt("stop", lambda: stop_and_go(pid))
attempt("prlimit", lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (3, 3)))
attempt("renice", lambda: os.setpriority(os.PRIO_PROCESS, pid, 19))
PY
chmod 0644 "$SGT_DIR/touch.py"
out=$(setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups -- \
    "$SGT_PY" "$SGT_DIR/touch.py" "$gate" caller 2>&1)
expect "stop: errno=EPERM" "the caller cannot stop the supervisor"
expect "prlimit: errno=EPERM" "... nor change its limits"
expect "renice: errno=EPERM" "... nor renice it"
out=$(setpriv --reuid="$SGT_RUNNER" --regid="$SGT_RUNNER" --clear-groups -- \
    "$SGT_PY" "$SGT_DIR/touch.py" "$gate" runner 2>&1)
expect "stop: errno=EPERM" "the runner account cannot stop the supervisor"
expect "prlimit: errno=EPERM" "... nor change its limits"
out=$("$SGT_PY" "$SGT_DIR/touch.py" "$gate" kill-only 2>&1)
expect "ptrace-dumpable: ok" "a uid 0 process with CAP_KILL alone traces a dumpable process of its ids"
expect "ptrace: errno=EPERM" "... but not the supervisor: it is not dumpable"

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
! sgt_pgrep -u "$SGT_RUNNER" -x sleep >/dev/null
ok $? "no process of the run survives the timeout"
grep -q "rule=short timeout after 3s" "$SGT_DIR/syslog"
ok $? "the timeout is logged"
grep -q "rule=short exit=.* (timeout) duration=" "$SGT_DIR/syslog"
ok $? "the exit line with duration is logged"

# ---- the supervisor forgets the environment -----------------------------
# What the caller and the program gave it is gone from its memory.
cat > "$SGT_DIR/grep-mem.py" <<'PY'
import sys
pid, needles, found = int(sys.argv[1]), [a.encode() for a in sys.argv[2:]], set()
with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb") as mem:
    for line in maps:
        addr, perms = line.split()[:2]
        if perms[0] != "r":
            continue
        lo, hi = (int(x, 16) for x in addr.split("-"))
        try:
            mem.seek(lo)
            chunk = mem.read(hi - lo)
        except (OSError, ValueError, OverflowError):
            continue
        found.update(n for n in needles if n in chunk)
for n in needles:
    print("%s: %s" % (n.decode(), "found" if n in found else "absent"))
PY
# (The native gate: under valgrind the process would be valgrind's, which
# keeps a copy of the environment of its own.)
start_gate "probe spawn-sleep=30" "$SGT_GATE_NATIVE"
out=$("$SGT_PY" "$SGT_DIR/grep-mem.py" "$gate" "sgt-pass-$SGT_ID" "sgt-caller-$SGT_ID" 2>&1)
expect "sgt-pass-$SGT_ID: absent" "the supervisor's memory holds no BORG_PASSPHRASE (kept for the program)"
expect "sgt-caller-$SGT_ID: absent" "... and nothing of the caller's environment"
out=$("$SGT_PY" "$SGT_DIR/grep-mem.py" "$child" "sgt-pass-$SGT_ID" 2>&1)
expect "sgt-pass-$SGT_ID: found" "(the program has its BORG_PASSPHRASE: the search finds what is there)"
wait "$gate"

# ---- a normal exit passes through -------------------------------------------
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe exit=7" -- 2>&1); rc=$?
is "$rc" 7 "the program's exit status is the gate's"
grep -q "rule=short exit=7 duration=" "$SGT_DIR/syslog"
ok $? "the exit status is logged"
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe status fds" -- 2>&1); rc=$?
expect "Seccomp: 2" "the program under a supervisor is confined as always"
expect "fds: 0 1 2" "and has only 0, 1, 2"

# ---- the program cannot reach its supervisor --------------------------------
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe kill-parent prlimit-parent" -- 2>&1); rc=$?
expect "kill-parent: errno=EPERM" "the program cannot signal its supervisor"
expect "prlimit-parent: errno=EPERM" "... nor change its limits (prlimit)"
# Where Landlock scopes signals (ABI 6), a kernel that does not (ABI 5):
# the ids alone keep the supervisor out of the program's reach.
abi=$("$SGT_PY" -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
wrap=()
[ "$abi" -ge 6 ] 2>/dev/null && wrap=("$CF_PROBE" wrap-landlock=abi:5)
out=$(env -i SSH_ORIGINAL_COMMAND="probe kill-parent prlimit-parent" \
    "${wrap[@]}" "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
expect "kill-parent: errno=EPERM" "no Landlock signal scope (abi ${wrap:+5, as }$abi): the program cannot signal its supervisor"
expect "prlimit-parent: errno=EPERM" "... nor change its limits"

# ---- the supervisor dies: the program follows ------------------------------
start_gate "probe spawn-sleep=30"
kill -KILL "$gate"
wait "$gate" 2>/dev/null
for i in $(seq 40); do alive "$child" || break; sleep 0.05; done
! alive "$child"
ok $? "killing the supervisor kills the program (parent-death signal)"
sgt_pkill -KILL -u "$SGT_RUNNER" sleep 2>/dev/null
sgt_done
