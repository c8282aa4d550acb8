#!/bin/bash
# The seccomp profiles a rule can name: strict (AF_UNIX only), default
# (any socket family), a profile minus one group, and none -- and what
# each one changes, seen from inside.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

common=("as       $SGT_RUNNER" "caps     dac_read_search" "write    $CF_HOME")
{
	echo "sshgate-policy 1"
	cf_rule strict probe-strict "${common[@]}" "seccomp  strict"
	cf_rule default probe-default "${common[@]}" "seccomp  default"
	cf_rule minus probe-minus "${common[@]}" "seccomp  strict -@debug"
	cf_rule none probe-none "${common[@]}" "seccomp  none"
	cf_rule metadata probe-metadata "${common[@]}" "seccomp  strict @metadata"
} | sgt_policy -

checks="status inet inet6 unix ptrace-child io_uring clone3 handle=$CF_SECRET mount tiocsti"

cf_gate SSH_ORIGINAL_COMMAND="probe-strict $checks" --
expect "Seccomp: 2" "strict: filter in force"
expect "inet: errno=EAFNOSUPPORT" "strict: AF_INET fails with EAFNOSUPPORT"
expect "inet6: errno=EAFNOSUPPORT" "strict: AF_INET6 fails with EAFNOSUPPORT"
expect "unix: ok" "strict: AF_UNIX works"
expect "ptrace-child: errno=EPERM" "strict: ptrace refused"

cf_gate SSH_ORIGINAL_COMMAND="probe-default $checks" --
expect "Seccomp: 2" "default: filter in force"
expect "inet: ok" "default: AF_INET allowed"
expect "unix: ok" "default: AF_UNIX works"
expect "ptrace-child: errno=EPERM" "default: ptrace still refused"
expect "io_uring: errno=ENOSYS" "default: io_uring still ENOSYS"
expect "clone3: errno=ENOSYS" "default: clone3 still ENOSYS"
expect "handle=$CF_SECRET: errno=EPERM" "default: open_by_handle_at still refused"
expect "tiocsti: errno=EPERM" "default: TIOCSTI still refused"
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe-default x32" -- 2>&1); rc=$?
[ "$(uname -m)" != x86_64 ] || expect_status $((128 + 31)) "default: an x32 syscall kills the process"

# Removing one group removes exactly that group.
cf_gate SSH_ORIGINAL_COMMAND="probe-minus $checks" --
expect "ptrace-child: ok" "strict -@debug: ptrace of its own child allowed (same Landlock domain)"
expect "inet: errno=EAFNOSUPPORT" "strict -@debug: the rest of strict stays"
expect "handle=$CF_SECRET: errno=EPERM" "strict -@debug: @handle stays"

# No filter at all: what the filter was holding back becomes visible.
# stdin not a terminal, also when make runs on one: "tiocsti" would
# reach that terminal (tests/root/confine-terminal.sh is about that)
cf_gate SSH_ORIGINAL_COMMAND="probe-none $checks" -- </dev/null
expect "Seccomp: 0" "none: no filter"
expect "NoNewPrivs: 1" "none: no_new_privs still set"
expect "CapBnd: 0000000000000004" "none: bounding set still cut"
expect "inet: ok" "none: AF_INET allowed"
expect "clone3: errno=EINVAL" "none: clone3 reaches the kernel"
# CAP_DAC_READ_SEARCH opens any file by handle: the "Shocker" escape
# that only the @handle group stops.
expect "handle=$CF_SECRET: ok" "none: open_by_handle_at works with dac_read_search (why @handle exists)"
expect "tiocsti: errno=ENOTTY" "none: TIOCSTI reaches the tty layer"
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe-none x32" -- 2>&1); rc=$?
[ "$(uname -m)" != x86_64 ] || expect_no "^x32: ok" "none: an x32 syscall is not killed (and this kernel has no x32)"
[ "$(uname -m)" != x86_64 ] || expect_status 0 "none: the x32 probe returns"

# A group a rule adds: the runner's own file keeps its mode.
install -o "$SGT_RUNNER" -m 0600 /dev/null "$CF_HOME/sgt-own"
cf_gate SSH_ORIGINAL_COMMAND="probe-metadata chmod=$CF_HOME/sgt-own utime=$CF_HOME/sgt-own setxattr=$CF_HOME/sgt-own inet" --
expect "chmod=$CF_HOME/sgt-own: errno=EPERM" "strict @metadata: chmod refused"
expect "utime=$CF_HOME/sgt-own: errno=EPERM" "strict @metadata: utime refused"
expect "setxattr=$CF_HOME/sgt-own: errno=EPERM" "strict @metadata: setxattr refused"
expect "inet: errno=EAFNOSUPPORT" "strict @metadata: strict stays"
cf_gate SSH_ORIGINAL_COMMAND="probe-strict chmod=$CF_HOME/sgt-own" --
expect "chmod=$CF_HOME/sgt-own: ok" "strict alone: the runner may chmod its own file"

grep -q "permit rule=none .* landlock=abi" "$SGT_DIR/syslog"
ok $? "seccomp none still runs under Landlock"
sgt_done
