#!/bin/bash
# A rule whose runner is root: uid 0 with the bounding set cut and the
# securebits locked still owns every root-owned file.  Landlock must stop
# its writes, and seccomp what Landlock does not cover (modes, owners,
# extended attributes, times, inode flags).
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

{
	echo "sshgate-policy 1"
	cf_rule as-root probe \
	    "as       root" \
	    "caps     dac_read_search" \
	    "seccomp  strict" \
	    "landlock require" \
	    "write    $CF_HOME"
	cf_rule as-root-default probe-default \
	    "as       root" \
	    "caps     none" \
	    "seccomp  default"
	cf_rule as-root-noseccomp probe-none \
	    "as       root" \
	    "caps     none" \
	    "seccomp  none"
} | sgt_policy -

echo "sgt-etc" > /etc/sgt-f$SGT_ID
chmod 0644 /etc/sgt-f$SGT_ID
sleep 600 & rootpid=$!
SGT_PIDS="$SGT_PIDS $rootpid"

cf_gate SSH_ORIGINAL_COMMAND="probe status" --
expect_status 0 "the probe runs as root"
expect "Uid: 0	0	0	0" "uid 0"
expect "Groups: " "no supplementary groups"
for set in CapInh CapPrm CapEff CapAmb CapBnd; do
	expect "$set: 0000000000000004" "$set holds CAP_DAC_READ_SEARCH only"
done
expect "securebits: 0xf" "NOROOT and NO_SETUID_FIXUP locked: uid 0 gains nothing at exec"
expect "NoNewPrivs: 1" "no_new_privs"
expect "Seccomp: 2" "seccomp filter mode"

f=$CF_ROOTFILE e=/etc/sgt-f$SGT_ID
cf_gate SSH_ORIGINAL_COMMAND="probe write=$f write=/etc/passwd create=/etc/sgt-w$SGT_ID write=$e truncate=$e unlink=$e truncate=$f mkdir=/etc/sgt-w$SGT_ID" --
expect "write=$f: errno=EACCES" "a root-owned 0644 file is not writable by uid 0"
expect "write=/etc/passwd: errno=EACCES" "/etc/passwd is not writable by uid 0"
expect "create=/etc/sgt-w$SGT_ID: errno=EACCES" "no new file in /etc"
expect "write=$e: errno=EACCES" "a root-owned 0644 file in /etc is not writable"
expect "truncate=$e: errno=EACCES" "nor truncated"
expect "unlink=$e: errno=EACCES" "nor removed"
expect "mkdir=/etc/sgt-w$SGT_ID: errno=EACCES" "no new directory in /etc"
[ ! -e /etc/sgt-w$SGT_ID ] && [ "$(cat $e)" = sgt-etc ]
ok $? "/etc is unchanged"

# What Landlock does not cover: the owner's metadata rights.
cf_gate SSH_ORIGINAL_COMMAND="probe chmod=$e fchmodat2=$e chown=$e setxattr=$e setxattrat=$e utime=$e setflags=$f chmod=$f" --
for w in "chmod=$e" "fchmodat2=$e" "chown=$e" "setxattr=$e" "setxattrat=$e" \
    "utime=$e" "setflags=$f" "chmod=$f"; do
	expect "$w: errno=EPERM" "uid 0 cannot change metadata: $w"
done
cf_gate SSH_ORIGINAL_COMMAND="probe-default chmod=$e setxattr=$e" --
expect "chmod=$e: errno=EPERM" "also under seccomp default: chmod"
expect "setxattr=$e: errno=EPERM" "also under seccomp default: setxattr"

# Other root processes.
cf_gate SSH_ORIGINAL_COMMAND="probe kill=$rootpid ptrace=$rootpid procmem=$rootpid setuid0" --
expect "kill=$rootpid: errno=EPERM" "a root process cannot be signalled (Landlock scope)"
expect "ptrace=$rootpid: errno=EPERM" "nor traced"
expect "procmem=$rootpid: errno=EACCES" "nor its memory opened"

# uid 0 without any filter would own root's files again: refused.
cf_gate SSH_ORIGINAL_COMMAND="probe-none status" --
expect_status 5 "runner root with 'seccomp none' is refused (exit 5)"
expect_no "^Uid:" "and nothing ran"

sgt_done
