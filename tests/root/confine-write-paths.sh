#!/bin/bash
# A rule's writable paths are trusted like the policy (docs/sshgate.8,
# "Writable paths"): the gate walks each from "/" once, as root, before
# anything uses it, and refuses it (exit 5) unless every directory above
# it is root's and written by root alone, the path itself is root's or
# the runner's, and no component is a symbolic link.  Landlock and, for
# a uid 0 runner, the writable bind use that one descriptor.
#
# The attack: a writable path below a directory the login account owns.
# The account swaps the path for a symlink; the gate used to follow it,
# so a rule "as root" wrote a root-only directory (standing in for /etc)
# through the read-only mounts and Landlock, and a runner's Landlock
# grant moved to a directory of the attacker's choice.  sshgate-lint
# --audit must report the same reason as the gate, and nothing for the
# layouts the gate accepts.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

R=$SGT_RUNNER
luid=$(id -u "$SGT_LOGIN")
lhome=$SGT_DIR/home/$SGT_LOGIN		# the login account's, 0755
[ "$(stat -c %U "$lhome")" = "$SGT_LOGIN" ] || sgt_bail "$lhome is not the login's"
as_login() {
	setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups -- "$@"
}

# Stand-ins: /etc (root's alone) and a directory of the runner that its
# rule may not write (another job's state, say).
etc=$SGT_DIR/sgt-etc
install -d -o root -g root -m 0700 "$etc"
echo "sgt-etc" > "$etc/passwd"
rdata=$SGT_DIR/sgt-rdata
install -d -o "$R" -g "$R" -m 0700 "$rdata"
# Below the login account's home: a cache for each kind of runner.
install -d -o root -g root -m 0700 "$lhome/rootcache"
install -d -o "$R" -g "$R" -m 0700 "$lhome/cache"
# Layouts the gate accepts: root's directories down to the path.
state=$SGT_DIR/sgt-state
install -d -o root -g root -m 0755 "$state"
install -d -o root -g root -m 0700 "$state/root"
install -d -o "$R" -g "$R" -m 0700 "$state/runner"
install -d -o "$R" -g "$R" -m 0770 "$state/gw"
install -d -o root -g root -m 1777 "$SGT_DIR/sgt-tmp"
install -d -o "$R" -g "$R" -m 0700 "$SGT_DIR/sgt-tmp/cache"
ln -s "$state/root" "$SGT_DIR/sgt-link"

{
	echo "sshgate-policy 1"
	cf_rule root-lhome probe-rl "as       root" "seccomp  strict" \
	    "landlock require" "write    $lhome/rootcache"
	cf_rule runner-lhome probe-nl "as       $R" "seccomp  strict" \
	    "landlock require" "write    $lhome/cache"
	cf_rule root-state probe-rs "as       root" "seccomp  strict" \
	    "landlock require" "write    $state/root"
	cf_rule runner-state probe-ns "as       $R" "seccomp  strict" \
	    "landlock require" "write    $state/runner"
	cf_rule root-link probe-link "as       root" "seccomp  strict" \
	    "landlock require" "write    $SGT_DIR/sgt-link"
	cf_rule root-runnerdir probe-rrd "as       root" "seccomp  strict" \
	    "landlock require" "write    $state/runner"
	cf_rule runner-gw probe-gw "as       $R" "seccomp  strict" \
	    "landlock require" "write    $state/gw"
	cf_rule runner-tmp probe-tmp "as       $R" "seccomp  strict" \
	    "landlock require" "write    $SGT_DIR/sgt-tmp/cache"
} | sgt_policy -

unchanged() {	# nothing new in the stand-ins, /etc's file as it was
	[ "$(ls -A "$etc")" = passwd ] && [ "$(cat "$etc/passwd")" = sgt-etc ] &&
	    [ -z "$(ls -A "$rdata")" ]
}

# refused RULE WORD PATH REASON DESC: exit 5, the reason, nothing ran
refused() {
	expect_status 5 "$5: exit 5"
	expect "sshgate: writable path $3 of rule '$1' refused: $4" \
	    "$5: the reason names the component"
	expect_no "^(Uid|create|write)" "$5: nothing ran"
	grep -qF "writable path $3 of rule '$1' refused: $4" "$SGT_DIR/syslog"
	ok $? "$5: logged"
}

# ---- (a) "as root", the path below the login account's home --------------
rl_why="directory $lhome is owned by uid $luid, not root"
cf_gate SSH_ORIGINAL_COMMAND="probe-rl create=$lhome/rootcache/sgt-new" --
refused root-lhome probe-rl "$lhome/rootcache" "$rl_why" \
    "as root, a writable path below the login's directory"
as_login mv "$lhome/rootcache" "$lhome/rootcache.away" &&
    as_login ln -s "$etc" "$lhome/rootcache" || sgt_bail "swap"
cf_gate SSH_ORIGINAL_COMMAND="probe-rl create=$lhome/rootcache/sgt-new create=$etc/sgt-new2 write=$etc/passwd" --
refused root-lhome probe-rl "$lhome/rootcache" "$rl_why" \
    "as root, the login swapped in a symlink to a root-only directory"
unchanged
ok $? "... and nothing was written there"

# ---- (b) a runner account, the same layout ---------------------------------
nl_why="directory $lhome is owned by uid $luid, not root"
cf_gate SSH_ORIGINAL_COMMAND="probe-nl create=$lhome/cache/sgt-new" --
refused runner-lhome probe-nl "$lhome/cache" "$nl_why" \
    "a runner, a writable path below the login's directory"
as_login mv "$lhome/cache" "$lhome/cache.away" &&
    as_login ln -s "$rdata" "$lhome/cache" || sgt_bail "swap"
cf_gate SSH_ORIGINAL_COMMAND="probe-nl create=$lhome/cache/sgt-new create=$rdata/sgt-new2" --
refused runner-lhome probe-nl "$lhome/cache" "$nl_why" \
    "a runner, the login swapped in a symlink to another directory of the runner"
unchanged
ok $? "... and the Landlock grant did not move there"

# ---- (c) the layouts the gate accepts --------------------------------------
cf_gate SSH_ORIGINAL_COMMAND="probe-rs status create=$state/root/sgt-new statvfs=$state/root create=$etc/sgt-new write=$etc/passwd" --
expect_status 0 "as root, root's directories down to a root-owned path: runs"
expect "Uid: 0	0	0	0" "... as uid 0"
expect "create=$state/root/sgt-new: ok" "... and writes its path"
expect "statvfs=$state/root: rw" "... which is the one writable mount"
expect "create=$etc/sgt-new: errno=EROFS" "... and nothing else"
expect "write=$etc/passwd: errno=EROFS" "... not even a file uid 0 owns"
cf_gate SSH_ORIGINAL_COMMAND="probe-ns status create=$state/runner/sgt-new create=$rdata/sgt-new" --
expect_status 0 "a runner, root's directories down to the runner's path: runs"
expect "Uid: $CF_RUID	$CF_RUID	$CF_RUID	$CF_RUID" "... as the runner"
expect "create=$state/runner/sgt-new: ok" "... and writes its path"
expect "create=$rdata/sgt-new: errno=EACCES" "... and not its other directory (Landlock)"
unchanged
ok $? "the stand-ins are unchanged"

# ---- (d) what else the walk refuses -------------------------------------------
cf_gate SSH_ORIGINAL_COMMAND="probe-link create=$state/root/sgt-l" --
refused root-link probe-link "$SGT_DIR/sgt-link" \
    "$SGT_DIR/sgt-link is a symbolic link" \
    "a symlink, even root's, as a writable path"
cf_gate SSH_ORIGINAL_COMMAND="probe-rrd create=$state/runner/sgt-r" --
refused root-runnerdir probe-rrd "$state/runner" \
    "directory $state/runner is owned by uid $CF_RUID, not root" \
    "as root, a path another account owns"
cf_gate SSH_ORIGINAL_COMMAND="probe-gw create=$state/gw/sgt-g" --
refused runner-gw probe-gw "$state/gw" \
    "directory $state/gw is writable by its group (mode 0770)" \
    "a group-writable path"
cf_gate SSH_ORIGINAL_COMMAND="probe-tmp create=$SGT_DIR/sgt-tmp/cache/sgt-t" --
refused runner-tmp probe-tmp "$SGT_DIR/sgt-tmp/cache" \
    "directory $SGT_DIR/sgt-tmp is writable by others (mode 1777)" \
    "a path below a sticky directory everyone writes (/tmp)"
[ ! -e "$state/root/sgt-l" ] && [ ! -e "$state/runner/sgt-r" ] &&
    [ ! -e "$state/gw/sgt-g" ] && [ ! -e "$SGT_DIR/sgt-tmp/cache/sgt-t" ]
ok $? "none of them wrote anything"

# ---- (e) sshgate-lint --audit says what the gate says ------------------------
"$SGT_DIR/bin/sshgate-lint" --json --audit --gate "$SGT_DIR/bin/sshgate" \
    --sshd-config "$SGT_DIR/sgt-no-sshd_config" --pam-dir "$SGT_DIR/sgt-no-pam" \
    "$SGT_LOGIN" > "$SGT_DIR/audit.json" 2>&1
is "$?" 2 "the audit finds errors (exit 2)"
audit_says() {	# audit_says PATH REASON: a write-path error with the reason
	"$SGT_PY" - "$SGT_DIR/audit.json" "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
hits = [r for r in recs if r.get("name") == "write-path" and
        r["subject"] == sys.argv[2] and r["level"] == "error" and
        r["message"].endswith(": " + sys.argv[3]) and r.get("fix")]
if not hits:
    for r in recs:
        if r.get("name") == "write-path":
            print("# " + json.dumps(r))
sys.exit(0 if hits else 1)
PY
}
audit_says "$lhome/rootcache" "$rl_why"
ok $? "audit: the as-root path below the login's directory, same reason, a fix"
audit_says "$lhome/cache" "$nl_why"
ok $? "audit: the runner's path below the login's directory, same reason"
audit_says "$SGT_DIR/sgt-link" "$SGT_DIR/sgt-link is a symbolic link"
ok $? "audit: the symlink, same reason"
audit_says "$state/runner" "directory $state/runner is owned by uid $CF_RUID, not root"
ok $? "audit: the runner's path in a rule as root, same reason"
audit_says "$state/gw" "directory $state/gw is writable by its group (mode 0770)"
ok $? "audit: the group-writable path, same reason"
audit_says "$SGT_DIR/sgt-tmp/cache" "directory $SGT_DIR/sgt-tmp is writable by others (mode 1777)"
ok $? "audit: the path below a sticky directory, same reason"
n=$("$SGT_PY" -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(sum(1 for r in recs if r.get("name") == "write-path"))' "$SGT_DIR/audit.json")
is "$n" 6 "audit: no write-path finding for the paths the gate accepts"

sgt_done
