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
# The runner's, but below the login account's home, which the login may
# change
ldata=$SGT_DIR/home/$SGT_LOGIN/sgt-data
install -d -o "$SGT_RUNNER" -g "$SGT_RUNNER" -m 0700 "$ldata"

{
	echo "sshgate-policy 1"
	cf_rule scoped probe "as       $SGT_RUNNER" "write    $CF_HOME" \
	    "read     $rdir"
	cf_rule unscoped probe-all "as       $SGT_RUNNER" "write    $CF_HOME"
	cf_rule runner-read probe-r "as       $SGT_RUNNER" \
	    "read     $SGT_DIR/sgt-rdir"
	cf_rule login-read probe-l "as       $SGT_RUNNER" \
	    "read     $SGT_DIR/sgt-ldir"
	cf_rule lhome-read probe-lh "as       $SGT_RUNNER" \
	    "read     $ldata"
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
# the gate's reason: "sshgate: readable path PATH of rule 'NAME' refused: WHY"
gate_why() { printf '%s\n' "$out" | sed -n "s|^sshgate: readable path $1 of rule '$2' refused: ||p"; }
l_why=$(gate_why "$SGT_DIR/sgt-ldir" login-read)
cf_gate SSH_ORIGINAL_COMMAND="probe-lh status" --
expect_status 5 "a read path below the login's home: refused with exit 5"
expect_no "^Uid:" "the read path below the login's home: nothing ran"
lh_why=$(gate_why "$ldata" lhome-read)
is "$lh_why" "directory $SGT_DIR/home/$SGT_LOGIN is owned by uid $(id -u "$SGT_LOGIN"), not root" \
    "the read path below the login's home: the refusal names the login's directory"

# Landlock ABI 1 has both read rights
out=$(env -i SSH_ORIGINAL_COMMAND="probe read=$rdir/sub/file read=$CF_ROOTFILE" \
    "$CF_PROBE" wrap-landlock=abi:1 "$SGT_DIR/bin/sshgate" 2>&1); rc=$?
expect_status 0 "abi 1: runs"
expect "read=$rdir/sub/file: ok" "abi 1: the read path"
expect "read=$CF_ROOTFILE: errno=EACCES" "abi 1: nothing else"

# sshgate-lint --audit walks each read path as the gate does (policy/
# trust.c): a read-path error with the gate's reason and a fix for each
# path the gate refuses, nothing for the ones it accepts.
"$SGT_DIR/bin/sshgate-lint" --json --audit --gate "$SGT_DIR/bin/sshgate" \
    --sshd-config "$SGT_DIR/sgt-no-sshd_config" --pam-dir "$SGT_DIR/sgt-no-pam" \
    "$SGT_LOGIN" > "$SGT_DIR/audit.json" 2>&1
is "$?" 2 "audit: it finds errors (exit 2)"
audit_says() {	# audit_says PATH REASON: a read-path error with the reason
	"$SGT_PY" - "$SGT_DIR/audit.json" "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
hits = [r for r in recs if r.get("name") == "read-path" and
        r["subject"] == sys.argv[2] and r["level"] == "error" and
        sys.argv[3] and r["message"].endswith(": " + sys.argv[3]) and
        r.get("fix")]
if not hits:
    for r in recs:
        if r.get("name") == "read-path":
            print("# " + json.dumps(r))
sys.exit(0 if hits else 1)
PY
}
audit_says "$SGT_DIR/sgt-ldir" "$l_why"
ok $? "audit: the read path the login account owns, the gate's reason, a fix"
audit_says "$ldata" "$lh_why"
ok $? "audit: the read path below the login's home, the gate's reason, a fix"
n=$("$SGT_PY" -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(sum(1 for r in recs if r.get("name") == "read-path"))' "$SGT_DIR/audit.json")
is "$n" 2 "audit: no read-path finding for the paths the gate accepts ($rdir, the runner's)"
sgt_done
