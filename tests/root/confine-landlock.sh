#!/bin/bash
# Landlock: "require" refuses and "best-effort" runs with a logged warning
# on a kernel without it; an older ABI is used as far as it goes and the
# log says what it lacks.  This kernel has Landlock, so the paths for
# kernels without it (or with an older ABI) are reached the way such a
# kernel would answer: the gate is started by real root (a documented
# caller) under a seccomp filter that makes the Landlock syscalls fail with
# ENOSYS or EOPNOTSUPP, or answers the version query with an older ABI
# (tests/probe.c, wrap-landlock).  The gate itself is the production binary,
# unchanged.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

abi=$("$SGT_PY" -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
[ "$abi" -ge 1 ] 2>/dev/null || sgt_skip "this kernel has no Landlock (abi $abi)"

{
	echo "sshgate-policy 1"
	cf_rule require probe \
	    "as       $SGT_RUNNER" \
	    "caps     dac_read_search" \
	    "landlock require" \
	    "write    $CF_HOME"
	cf_rule best-effort probe-be \
	    "as       $SGT_RUNNER" \
	    "caps     dac_read_search" \
	    "landlock best-effort" \
	    "write    $CF_HOME"
	# a root-owned path: a uid 0 runner may write only what root owns
	cf_rule root-best-effort probe-root-be \
	    "as       root" \
	    "landlock best-effort" \
	    "write    $SGT_DIR/sgt-rootcache"
} | sgt_policy -
install -d -o root -g root -m 0700 "$SGT_DIR/sgt-rootcache"

as_root() {	# as_root WRAP-MODE CMD: the gate run by real root, wrapped
	out=$(env -i SSH_ORIGINAL_COMMAND="$2" "$CF_PROBE" "wrap-landlock=$1" \
	    "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
}

# The real kernel, through the setuid gate: the ABI is in the permit line.
cf_gate SSH_ORIGINAL_COMMAND="probe create=/tmp/sgt-t$SGT_ID" --
expect "create=/tmp/sgt-t$SGT_ID: errno=EACCES" "Landlock in force: /tmp is not writable"
grep -q "permit rule=require .* landlock=abi$abi " "$SGT_DIR/syslog"
ok $? "the permit line names the Landlock ABI in force (abi$abi)"

# The same caller and rule without the wrapper, for comparison.
out=$(env -i SSH_ORIGINAL_COMMAND="probe create=/tmp/sgt-t$SGT_ID" \
    "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
expect "create=/tmp/sgt-t$SGT_ID: errno=EACCES" "real root as caller: same confinement"

for mode in ENOSYS EOPNOTSUPP; do
	: > "$SGT_DIR/syslog"
	as_root $mode "probe status"
	expect_status 5 "$mode, landlock require: refused with exit 5"
	expect_no "^Uid:" "$mode, landlock require: nothing ran"
	grep -q "rule 'require' requires Landlock" "$SGT_DIR/syslog"
	ok $? "$mode, landlock require: the refusal is logged"

	: > "$SGT_DIR/syslog"
	as_root $mode "probe-be status create=/tmp/sgt-t$SGT_ID create=$CF_HOME/sgt-be-$mode"
	expect_status 0 "$mode, landlock best-effort: runs"
	expect "Seccomp: 2" "$mode, best-effort: seccomp still in force"
	expect "CapBnd: 0000000000000004" "$mode, best-effort: bounding set still cut"
	expect "create=$CF_HOME/sgt-be-$mode: ok" "$mode, best-effort: the writable path works"
	# Without Landlock only file modes protect the rest: /tmp is 1777.
	expect "create=/tmp/sgt-t$SGT_ID: ok" "$mode, best-effort: /tmp is writable (what best-effort gives up)"
	rm -f /tmp/sgt-t$SGT_ID
	grep -q "rule=best-effort landlock unavailable.*best-effort" "$SGT_DIR/syslog"
	ok $? "$mode, best-effort: a warning is logged"
	grep -q "permit rule=best-effort .* landlock=off " "$SGT_DIR/syslog"
	ok $? "$mode, best-effort: the permit line says landlock=off"

	as_root $mode "probe-root-be status"
	expect_status 5 "$mode, runner root with best-effort: refused (uid 0 needs Landlock)"
	expect_no "^Uid:" "$mode, runner root: nothing ran"
	printf '%s\n' "$out" | grep -q "rule 'root-best-effort' requires Landlock"
	ok $? "$mode, runner root: refused for want of Landlock"
done

# An older kernel: the ABI the version query reports is what is used.
for old in 1 3; do
	[ "$old" -lt "$abi" ] || continue
	: > "$SGT_DIR/syslog"
	as_root abi:$old "probe create=/tmp/sgt-t$SGT_ID create=$CF_HOME/sgt-abi$old write=/etc/passwd"
	expect_status 0 "abi $old: runs"
	expect "create=/tmp/sgt-t$SGT_ID: errno=EACCES" "abi $old: /tmp is still not writable"
	expect "create=$CF_HOME/sgt-abi$old: ok" "abi $old: the writable path works"
	grep -q "permit rule=require .* landlock=abi$old " "$SGT_DIR/syslog"
	ok $? "abi $old: the permit line says landlock=abi$old"
	case $old in 1) lacks=truncate;; 3) lacks="device ioctls";; esac
	grep -q "rule=require landlock abi=$old: this kernel does not restrict.* $lacks" "$SGT_DIR/syslog"
	ok $? "abi $old: the log says what this ABI does not restrict ($lacks)"
	rm -f /tmp/sgt-t$SGT_ID
done
sgt_done
