#!/bin/bash
# The probe, run through the setuid gate by the login account under a
# rule confined like the example policy's borg-create rule: what it sees
# from inside, and every escape it tries.
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
	    "setenv   HOME $CF_HOME" \
	    "setenv   BORG_BASE_DIR $CF_HOME"
	cf_rule no-caps probe-nocaps \
	    "as       $SGT_RUNNER" \
	    "caps     none"
	cf_rule as-caller probe-caller \
	    "as       $SGT_LOGIN" \
	    "caps     dac_read_search" \
	    "landlock best-effort"
} | sgt_policy -

cf_runner_sleeper
sib=$CF_SIB

cf_gate SSH_ORIGINAL_COMMAND="probe status fds" --
expect_status 0 "the probe runs"
expect "Uid: $CF_RUID	$CF_RUID	$CF_RUID	$CF_RUID" "uid = the runner (r/e/s/fs)"
expect "Gid: $CF_RGID	$CF_RGID	$CF_RGID	$CF_RGID" "gid = the runner's group"
expect "Groups: " "no supplementary groups"
for set in CapInh CapPrm CapEff CapAmb CapBnd; do
	expect "$set: 0000000000000004" "$set holds CAP_DAC_READ_SEARCH only"
done
expect "NoNewPrivs: 1" "no_new_privs is set"
expect "Seccomp: 2" "seccomp filter mode"
expect "Seccomp_filters: 1" "exactly the gate's filter"
expect "securebits: 0xf" "securebits NOROOT and NO_SETUID_FIXUP, both locked"
expect "SigBlk: 0000000000000000" "no blocked signal"
expect "SigIgn: 0000000000000000" "no ignored signal"
expect "umask: 0077" "umask 077"
expect "cwd: /" "working directory /"
expect "rlimit-core: 0" "no core dumps"
expect "fds: 0 1 2" "only 0, 1 and 2 are open"

# What must work.
cf_gate SSH_ORIGINAL_COMMAND="probe read=$CF_SECRET create=$CF_HOME/sgt-new write=/dev/null unix" --
expect "read=$CF_SECRET: ok" "a root-only 0600 file in a 0700 directory is readable"
expect "create=$CF_HOME/sgt-new: ok" "the rule's writable path is writable"
expect "write=/dev/null: ok" "/dev/null is writable"
expect "unix: ok" "AF_UNIX sockets work"

# Writes outside the writable path.
cf_gate SSH_ORIGINAL_COMMAND="probe write=/etc/passwd create=/etc/sgt-w$SGT_ID write=$CF_ROOTFILE truncate=$CF_ROOTFILE unlink=$CF_ROOTFILE mkdir=/tmp/sgt-d$SGT_ID create=/tmp/sgt-t$SGT_ID" --
expect "write=/etc/passwd: errno=EACCES" "writing /etc/passwd is refused"
expect "create=/etc/sgt-w$SGT_ID: errno=EACCES" "creating a file in /etc is refused"
expect "write=$CF_ROOTFILE: errno=EACCES" "writing a root-owned 0644 file is refused"
expect "truncate=$CF_ROOTFILE: errno=EACCES" "truncating it is refused"
expect "unlink=$CF_ROOTFILE: errno=EACCES" "removing it is refused"
expect "mkdir=/tmp/sgt-d$SGT_ID: errno=EACCES" "mkdir in /tmp is refused (Landlock)"
expect "create=/tmp/sgt-t$SGT_ID: errno=EACCES" "creating a file in /tmp is refused (Landlock)"
[ ! -e /tmp/sgt-d$SGT_ID ] && [ ! -e /tmp/sgt-t$SGT_ID ] && [ ! -e /etc/sgt-w$SGT_ID ]
ok $? "nothing was created outside the writable path"
rm -rf /tmp/sgt-d$SGT_ID /tmp/sgt-t$SGT_ID

# Identity and capabilities cannot grow.
cf_gate SSH_ORIGINAL_COMMAND="probe setuid0 seteuid0 setgid0 setgroups capraise ambient-raise" --
for w in setuid0 seteuid0 setgid0 setgroups capraise ambient-raise; do
	expect "$w: errno=EPERM" "$w is refused"
done

# Other processes, the kernel, the network.
cf_gate SSH_ORIGINAL_COMMAND="probe ptrace-child ptrace=$sib procmem=$sib kill=$sib process_vm_readv mount umount pivot_root chroot handle=$CF_SECRET inet inet6 netlink inet-hibits io_uring clone3 clone-newuser clone-newns unshare-user unshare-net setns tiocsti tiocsti-hibits tioclinux bpf userfaultfd perf_event_open keyctl kexec_load init_module swapon reboot settime personality" --
expect_status 0 "the probe survives every refusal"
for w in ptrace-child "ptrace=$sib" process_vm_readv mount umount pivot_root \
    chroot clone-newuser clone-newns unshare-user unshare-net setns tiocsti \
    tiocsti-hibits tioclinux bpf userfaultfd perf_event_open keyctl \
    kexec_load init_module swapon reboot settime personality; do
	expect "$w: errno=EPERM" "$w is refused with EPERM"
done
expect "handle=$CF_SECRET: name_to_handle_at errno=EPERM" "name_to_handle_at is refused"
expect "handle=$CF_SECRET: errno=EPERM" "open_by_handle_at (Shocker) is refused"
expect "procmem=$sib: errno=EACCES" "a sibling's /proc/PID/mem cannot be opened"
expect "kill=$sib: errno=EPERM" "a sibling cannot be signalled (Landlock scope)"
for w in inet inet6 netlink inet-hibits; do
	expect "$w: errno=EAFNOSUPPORT" "socket $w fails with EAFNOSUPPORT"
done
expect "io_uring: errno=ENOSYS" "io_uring_setup fails with ENOSYS"
expect "clone3: errno=ENOSYS" "clone3 fails with ENOSYS (libc falls back)"

# A foreign syscall ABI ends the process: x32 on x86_64.
if [ "$(uname -m)" = x86_64 ]; then
	out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe x32" -- 2>&1); rc=$?
	expect_status $((128 + 31)) "an x32 syscall kills the process (SIGSYS)"
	expect_no "^x32: " "the x32 syscall never returned"
	# int 0x80 reaches seccomp only when the kernel has the i386 entry.
	sh -c '"$0" int80' "$CF_PROBE" >/dev/null 2>&1
	if [ $? = 0 ]; then
		out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe int80" -- 2>&1); rc=$?
		expect_status $((128 + 31)) "an int 0x80 syscall kills the process (SIGSYS)"
	else
		diag "int 0x80: this kernel has no i386 entry; not tried"
	fi
fi

# Without dac_read_search the same file is out of reach: the capability
# is what reads it, not a leak elsewhere.
cf_gate SSH_ORIGINAL_COMMAND="probe-nocaps status read=$CF_SECRET" --
expect "CapEff: 0000000000000000" "caps none: no effective capability"
expect "CapBnd: 0000000000000000" "caps none: empty bounding set"
expect "read=$CF_SECRET: errno=EACCES" "caps none: the root-only file is unreadable"

grep -q "permit rule=borg-like caller=$SGT_LOGIN" "$SGT_DIR/syslog"
ok $? "each permit is logged"

# The runner must be an account of its own, not the caller.
cf_gate SSH_ORIGINAL_COMMAND="probe-caller status" --
expect_status 5 "a rule whose runner is the calling account is refused (exit 5)"
expect_no "^Uid:" "and nothing ran"
sgt_done
