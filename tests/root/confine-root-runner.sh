#!/bin/bash
# A rule whose runner is root: uid 0 with the bounding set cut and the
# securebits locked still owns every root-owned file.  It must not be able
# to write one, nor change its mode, owner, ACLs, attributes or times --
# which Landlock does not govern.  The gate gives a uid 0 runner a private
# mount namespace in which every mount is read-only but the rule's writable
# paths (gate/readonly.c), with Landlock in force as well.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

rw=$SGT_DIR/sgt-rootcache
install -d -o root -g root -m 0700 "$rw"
echo "sgt-rw" > "$rw/file"
{
	echo "sshgate-policy 1"
	cf_rule as-root probe \
	    "as       root" \
	    "caps     dac_read_search" \
	    "seccomp  strict" \
	    "landlock require" \
	    "write    $rw"
	cf_rule as-root-default probe-default \
	    "as       root" \
	    "caps     none" \
	    "seccomp  default"
	cf_rule as-root-nodebug probe-t \
	    "as       root" \
	    "caps     none" \
	    "seccomp  default -@debug" \
	    "timeout  1m"
	cf_rule as-root-noseccomp probe-none \
	    "as       root" \
	    "caps     none" \
	    "seccomp  none"
} | sgt_policy -

echo "sgt-etc" > /etc/sgt-f$SGT_ID
chmod 0644 /etc/sgt-f$SGT_ID
sleep 600 & rootpid=$!
SGT_PIDS="$SGT_PIDS $rootpid"
e=/etc/sgt-f$SGT_ID f=$CF_ROOTFILE

cf_gate SSH_ORIGINAL_COMMAND="probe status statvfs=/ statvfs=/etc statvfs=$SGT_DIR statvfs=$rw" --
expect_status 0 "the probe runs as root"
expect "Uid: 0	0	0	0" "uid 0"
expect "Groups: " "no supplementary groups"
for set in CapInh CapPrm CapEff CapAmb CapBnd; do
	expect "$set: 0000000000000004" "$set holds CAP_DAC_READ_SEARCH only"
done
expect "securebits: 0xf" "NOROOT and NO_SETUID_FIXUP locked: uid 0 gains nothing at exec"
expect "NoNewPrivs: 1" "no_new_privs"
expect "Seccomp: 2" "seccomp filter mode"
expect "statvfs=/: ro" "/ is mounted read-only for the program"
expect "statvfs=/etc: ro" "so is /etc"
expect "statvfs=$SGT_DIR: ro" "so is every other mount"
expect "statvfs=$rw: rw" "the rule's writable path is writable"
grep -q "permit rule=as-root .* runner=root landlock=abi" "$SGT_DIR/syslog"
ok $? "Landlock is in force for the uid 0 runner too"
# The host's view is unchanged: the namespace was the program's own.
[ -w /etc ] && touch /etc/sgt-f$SGT_ID && touch "$f"
ok $? "the host's mounts are still writable"

# Writes: refused by the read-only mount before Landlock is asked.
cf_gate SSH_ORIGINAL_COMMAND="probe write=$f write=/etc/passwd create=/etc/sgt-w$SGT_ID write=$e truncate=$e unlink=$e truncate=$f mkdir=/etc/sgt-w$SGT_ID create=/tmp/sgt-t$SGT_ID create=$rw/new write=$rw/file" --
expect "write=$f: errno=EROFS" "a root-owned 0644 file is not writable by uid 0"
expect "write=/etc/passwd: errno=EROFS" "/etc/passwd is not writable by uid 0"
expect "create=/etc/sgt-w$SGT_ID: errno=EROFS" "no new file in /etc"
expect "write=$e: errno=EROFS" "a root-owned 0644 file in /etc is not writable"
expect "truncate=$e: errno=EROFS" "nor truncated"
expect "unlink=$e: errno=EROFS" "nor removed"
expect "mkdir=/etc/sgt-w$SGT_ID: errno=EROFS" "no new directory in /etc"
expect "create=/tmp/sgt-t$SGT_ID: errno=EROFS" "no new file in /tmp"
expect "create=$rw/new: ok" "a new file in the writable path"
expect "write=$rw/file: ok" "an existing file in the writable path"
[ ! -e /etc/sgt-w$SGT_ID ] && [ "$(cat $e)" = sgt-etc ] && [ ! -e /tmp/sgt-t$SGT_ID ]
ok $? "/etc and /tmp are unchanged"

# What Landlock does not cover: the owner's metadata rights.
cf_gate SSH_ORIGINAL_COMMAND="probe chmod=$e fchmodat2=$e chown=$e setxattr=$e setxattrat=$e utime=$e setflags=$f chmod=$f chmod=$rw/file utime=$rw/file" --
for w in "chmod=$e" "fchmodat2=$e" "chown=$e" "setxattr=$e" "setxattrat=$e" \
    "utime=$e" "setflags=$f" "chmod=$f"; do
	expect "$w: errno=EROFS" "uid 0 cannot change metadata: $w"
done
expect "chmod=$rw/file: ok" "chmod in the writable path works (borg's cache needs it)"
expect "utime=$rw/file: ok" "so does utime"
cf_gate SSH_ORIGINAL_COMMAND="probe-default chmod=$e setxattr=$e write=$e" --
expect "chmod=$e: errno=EROFS" "also under seccomp default: chmod"
expect "setxattr=$e: errno=EROFS" "also under seccomp default: setxattr"
expect "write=$e: errno=EROFS" "also under seccomp default: write"

# What neither covers: IPC objects, always denied to uid 0 by the filter.
cf_gate SSH_ORIGINAL_COMMAND="probe-default shmget" --
expect "shmget: errno=EPERM" "SysV IPC is refused to uid 0 even under seccomp default"

# Other root processes.
cf_gate SSH_ORIGINAL_COMMAND="probe kill=$rootpid ptrace=$rootpid procmem=$rootpid" --
expect "kill=$rootpid: errno=EPERM" "a root process cannot be signalled (Landlock scope)"
expect "ptrace=$rootpid: errno=EPERM" "nor traced"
expect "procmem=$rootpid: errno=EACCES" "nor its memory opened"
# Its supervisor is root's too: the filter keeps the limits of every other
# process out of reach (@debug, forced for uid 0 even where the rule
# leaves it out), Landlock's scope its signals.
cf_gate SSH_ORIGINAL_COMMAND="probe-t kill-parent prlimit-parent prlimit-self" --
expect "kill-parent: errno=EPERM" "the supervisor of a uid 0 runner cannot be signalled"
expect "prlimit-parent: errno=EPERM" "... nor its limits changed (prlimit), under a rule without @debug"
expect "prlimit-self: ok" "... while its own limits still work (setrlimit: pid 0)"
# A kernel without Landlock's signal scope (ABI < 6; Debian 12's has 2):
# uid 0 could signal sshd, the supervisor, every root process.  Refused.
abi=$("$SGT_PY" -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
for old in 5 2; do
	[ "$old" -lt "$abi" ] || continue
	out=$(env -i SSH_ORIGINAL_COMMAND="probe status kill=$rootpid" \
	    "$CF_PROBE" wrap-landlock=abi:$old "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
	expect_status 5 "landlock abi $old (no signal scope): a uid 0 runner is refused (exit 5)"
	expect_no "^(Uid|kill=)" "... and nothing ran"
	printf '%s\n' "$out" | grep -q "runs as uid 0, which needs Landlock's signal scope (ABI 6, Linux 6.12); this kernel has ABI $old"
	ok $? "... saying why"
done
if [ "$abi" -lt 6 ] 2>/dev/null; then
	cf_gate SSH_ORIGINAL_COMMAND="probe status" --
	expect_status 5 "this kernel (landlock abi $abi, no signal scope): a uid 0 runner is refused (exit 5)"
fi
kill -0 "$rootpid"
ok $? "the root process is alive"

# uid 0 without any filter: refused.
cf_gate SSH_ORIGINAL_COMMAND="probe-none status" --
expect_status 5 "runner root with 'seccomp none' is refused (exit 5)"
expect_no "^Uid:" "and nothing ran"

sgt_done
