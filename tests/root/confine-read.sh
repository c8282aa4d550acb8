#!/bin/bash
# The read scope (docs/sshgate-policy.5 "read"): a rule with "read"
# paths reads only beneath them, its writable and exec paths, and the
# system's few files every program reads (policy/exec.c, read_base:
# /usr, the loader's cache, accounts, name resolution, the time zone);
# a rule without "read" reads what the runner may, as before.  A
# readable path is walked like a writable path: untrusted is exit 5.
# Before the read scope, every read below was "ok" (and "read" was not
# a field).
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

abi=$("$SGT_PY" -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
[ "$abi" -ge 1 ] 2>/dev/null || sgt_skip "this kernel has no Landlock (abi $abi)"

rdir=$SGT_DIR/sgt-readable
install -d -o root -g root -m 0755 "$rdir" "$rdir/sub"
echo "sgt-readable" > "$rdir/sub/file"
chmod 0644 "$rdir/sub/file"
echo "sgt-own" > "$CF_HOME/own"
chown "$SGT_RUNNER:" "$CF_HOME/own"
install -d -o "$SGT_RUNNER" -g "$SGT_RUNNER" -m 0755 "$SGT_DIR/sgt-rdir"
install -d -o "$SGT_LOGIN" -g "$SGT_LOGIN" -m 0755 "$SGT_DIR/sgt-ldir"

{
	echo "sshgate-policy 1"
	cf_rule scoped probe "as       $SGT_RUNNER" "write    $CF_HOME" \
	    "read     $rdir"
	cf_rule unscoped probe-all "as       $SGT_RUNNER" "write    $CF_HOME"
	cf_rule runner-read probe-r "as       $SGT_RUNNER" \
	    "read     $SGT_DIR/sgt-rdir"
	cf_rule login-read probe-l "as       $SGT_RUNNER" \
	    "read     $SGT_DIR/sgt-ldir"
} | sgt_policy -

checks="read=/proc/self/stat read=$rdir/sub/file read=$rdir read=$CF_HOME/own read=$CF_ROOTFILE read=/etc/hostname read=/etc/ld.so.cache read=/usr/share/common-licenses/GPL-3 read=$SGT_DIR read=/ read=/dev/null exec=/usr/bin/id"

cf_gate SSH_ORIGINAL_COMMAND="probe $checks" --
expect_status 0 "scoped: runs (its program, loader and libraries are readable)"
expect "read=$rdir/sub/file: ok" "scoped: a file beneath a read path"
expect "read=$rdir: errno=EISDIR" "scoped: the read directory itself can be opened"
expect "read=$CF_HOME/own: ok" "scoped: a file in its writable path"
# (not /etc/passwd: other tests' useradd replaces it, and the scope
# grants the file the gate opened, docs/sshgate-policy.5 "read")
expect "read=/etc/ld.so.cache: ok" "scoped: /etc/ld.so.cache (read_base)"
expect "read=/usr/share/common-licenses/GPL-3: ok" "scoped: a file beneath /usr (read_base)"
expect "read=/dev/null: ok" "scoped: /dev/null"
expect "read=$CF_ROOTFILE: errno=EACCES" "scoped: a world-readable root file elsewhere cannot be read"
expect "read=/etc/hostname: errno=EACCES" "scoped: /etc/hostname cannot be read"
expect "read=$SGT_DIR: errno=EACCES" "scoped: a directory elsewhere cannot be listed"
expect "read=/: errno=EACCES" "scoped: / cannot be listed"
expect "read=/proc/self/stat: errno=EACCES" "scoped: /proc (not in the scope) cannot be read"
expect "exec=/usr/bin/id: errno=EACCES" "scoped: the execute right still holds"

cf_gate SSH_ORIGINAL_COMMAND="probe-all read=$CF_ROOTFILE read=/etc/hostname read=$SGT_DIR" --
expect "read=$CF_ROOTFILE: ok" "unscoped: reads what the runner may, as before"
expect "read=/etc/hostname: ok" "unscoped: /etc/hostname"
expect "read=$SGT_DIR: errno=EISDIR" "unscoped: directories"

cf_gate SSH_ORIGINAL_COMMAND="probe-r read=$SGT_DIR/sgt-rdir" --
expect_status 0 "a read path the runner owns (below root's directories): runs"
cf_gate SSH_ORIGINAL_COMMAND="probe-l status" --
expect_status 5 "a read path the login account owns: refused with exit 5"
expect_no "^Uid:" "the login account's read path: nothing ran"
grep -q "readable path $SGT_DIR/sgt-ldir of rule 'login-read' refused" "$SGT_DIR/syslog"
ok $? "the refusal is logged with the path and the rule"

# Landlock ABI 1 has both read rights
out=$(env -i SSH_ORIGINAL_COMMAND="probe read=$rdir/sub/file read=$CF_ROOTFILE" \
    "$CF_PROBE" wrap-landlock=abi:1 "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
expect_status 0 "abi 1: runs"
expect "read=$rdir/sub/file: ok" "abi 1: the read path"
expect "read=$CF_ROOTFILE: errno=EACCES" "abi 1: nothing else"
sgt_done
