#!/bin/bash
# The must-show: "borg create" of a tree with a root-only 0600 file, run
# through the setuid gate by the login account under a rule confined like
# the example policy's borg-create, against a local repository served by
# "borg serve --append-only" behind a unix socket laid out as the server's
# reverse tunnel would be (HACKING.md): the directory LOGIN:RUNNER-GROUP
# 2750, the socket 0660 created by the login account.  The connector is the
# installed sshgate-connect; sshd's session process, which binds the socket
# and starts the gate, is played by tests/lib/session.py.  Then root reads
# the archive back.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"
for p in /usr/bin/borg /usr/bin/python3; do
	command -v "$p" >/dev/null || sgt_skip "needs $p"
done
[ -x "$SGT_DIR/bin/sshgate-connect" ] || sgt_bail "sshgate-connect not built"

export BORG_PASSPHRASE=sgt-pass-$SGT_ID
repo=$SGT_DIR/repo
tree=$SGT_DIR/tree
sockdir=$SGT_DIR/sock
sock=$sockdir/borg.sock
lhome=$SGT_DIR/home/$SGT_LOGIN
mkdir -p "$lhome" && chown "$SGT_LOGIN:" "$lhome" && chmod 0700 "$lhome"

# ---- the tree: a root-only file in a root-only directory, and more -----------
mkdir -p "$tree/etc/sgt-conf" "$tree/root-only"
chmod 0700 "$tree/root-only"
head -c 4096 /dev/urandom | base64 > "$tree/root-only/secret"
chmod 0600 "$tree/root-only/secret"
echo "plain $SGT_ID" > "$tree/etc/sgt-conf/plain"
ln -s plain "$tree/etc/sgt-conf/link"
secret_sum=$(sha256sum < "$tree/root-only/secret")

# ---- the server side: repository, borg serve behind a unix socket -----------
install -d -o "$SGT_LOGIN" -g "$SGT_LOGIN" -m 0700 "$repo"
as_login() {
	env -i PATH=/usr/bin:/bin HOME="$lhome" BORG_BASE_DIR="$lhome" \
	    BORG_PASSPHRASE="$BORG_PASSPHRASE" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- "$@"
}
as_login borg init -e repokey "$repo" >/dev/null 2>&1 || sgt_bail "borg init"

install -d -o "$SGT_LOGIN" -g "$SGT_RUNNER" -m 2750 "$sockdir"
# in_session SOCKET REPO: the gate runs below the socket's listener, as
# below sshd's session process; each connection is a borg serve.
in_session() {
	SGT_SESSION=("$SGT_PY" "$top_srcdir/tests/lib/session.py"
	    --serve "env -i -C $(dirname "$2") PATH=/usr/bin:/bin HOME=$lhome BORG_BASE_DIR=$lhome borg serve --append-only --restrict-to-path $2"
	    --serve-log "$SGT_DIR/serve.log" "$SGT_LOGIN" "$1" --)
}
in_session "$sock" "$repo"
"${SGT_SESSION[@]}" true || sgt_bail "tests/lib/session.py"
is "$(stat -c '%U:%G %a' "$sock" 2>&1)" "$SGT_LOGIN:$SGT_RUNNER 660" \
    "the socket: the login account's, the runner's group, 0660"

# ---- the policy: the example's borg-create confinement ---------------------
rootbase=$SGT_DIR/sgt-rootborg
install -d -o root -g root -m 0700 "$rootbase"
sgt_policy - <<POL
sshgate-policy 1
rule borg-create {
    run      /usr/bin/python3 -I /usr/bin/borg
    as       $SGT_RUNNER
    caps     dac_read_search
    seccomp  strict
    landlock require
    write    $CF_HOME
    timeout  10m
    keepenv  BORG_PASSPHRASE
    setenv   HOME $CF_HOME
    setenv   BORG_BASE_DIR $CF_HOME
    setenv   TMPDIR $CF_HOME
    setenv   PATH /usr/bin:/bin
    setenv   BORG_RSH "$SGT_DIR/bin/sshgate-connect -u $SGT_LOGIN $sock"
    setenv   LANG C.UTF-8
    args     "borg" "create" ( "--stats" | "--list" | "--info" )*
             /ssh:\/\/backup\/run\/sgt-[0-9]+\/repo::sgt-[a-z0-9]+/
             /\/run\/sgt-[0-9]+\/tree(\/[a-z-]+)*/+
}
# The same as uid 0 (caps cut, read-only mounts, Landlock), for comparison.
# Without CAP_DAC_OVERRIDE uid 0 is "other" to the 0660 socket: it runs
# with the socket's group (as root:GROUP) to reach it.
rule borg-create-root {
    run      /usr/bin/python3 -I /usr/bin/borg
    as       root:$SGT_RUNNER
    caps     dac_read_search
    seccomp  strict
    landlock require
    write    $rootbase
    keepenv  BORG_PASSPHRASE
    setenv   HOME $rootbase
    setenv   BORG_BASE_DIR $rootbase
    setenv   TMPDIR $rootbase
    setenv   PATH /usr/bin:/bin
    setenv   BORG_RSH "$SGT_DIR/bin/sshgate-connect -u $SGT_LOGIN $sock"
    setenv   LANG C.UTF-8
    args     "borg-as-root" "create" ( "--stats" | "--list" | "--info" )*
             /ssh:\/\/backup\/run\/sgt-[0-9]+\/repo::sgt-[a-z0-9]+/
             /\/run\/sgt-[0-9]+\/tree(\/[a-z-]+)*/+
}
POL

cf_gate BORG_PASSPHRASE="$BORG_PASSPHRASE" \
    SSH_ORIGINAL_COMMAND="borg create --stats ssh://backup$repo::sgt-first $tree" --
expect_status 0 "borg create through the setuid gate succeeds"
[ "$rc" = 0 ] || { diag "serve log:"; sed 's/^/#   /' "$SGT_DIR/serve.log"; }
# borg counts regular files: secret and plain (the symlink is not one)
if printf '%s\n' "$out" | grep -Eq '^Number of files: +2$'; then
	ok 0 "borg create stored both regular files"
else
	ok 1 "borg create stored both regular files"
	printf '%s\n' "$out" | sed 's/^/#   /'
fi

# A second, incremental run uses the runner's private cache.
cf_gate BORG_PASSPHRASE="$BORG_PASSPHRASE" \
    SSH_ORIGINAL_COMMAND="borg create --stats ssh://backup$repo::sgt-second $tree" --
expect_status 0 "an incremental borg create succeeds too"
[ -d "$CF_HOME/.cache/borg" ] && [ -d "$CF_HOME/.config/borg/security" ]
ok $? "borg's cache and config are in the runner's private BORG_BASE_DIR"
is "$(stat -c '%U %a' "$CF_HOME")" "$SGT_RUNNER 700" "which stays the runner's, 0700"
find "$CF_HOME" ! -user "$SGT_RUNNER" | grep -q . && r=1 || r=0
ok $r "everything in it belongs to the runner"
grep -q "permit rule=borg-create caller=$SGT_LOGIN(.* runner=$SGT_RUNNER landlock=abi" "$SGT_DIR/syslog"
ok $? "the permit line is logged"
grep -q "rule=borg-create exit=0 duration=" "$SGT_DIR/syslog"
ok $? "the supervisor logged exit=0"

# The runner "root": the socket is reachable (a read-only mount does not
# stop connect()), the cache lives in its writable path.
cf_gate BORG_PASSPHRASE="$BORG_PASSPHRASE" \
    SSH_ORIGINAL_COMMAND="borg-as-root create --stats ssh://backup$repo::sgt-asroot $tree" --
expect_status 0 "borg create as the runner root succeeds too"
[ -d "$rootbase/.cache/borg" ]
ok $? "its cache is in its writable path"

# ---- the shipped example policy's borg-create rule, for real ----------------
# setup/vps/policy.in with only its site-specific names replaced: the
# runner, its directory, the login account and the socket.  The server
# side serves ./vps relative to its working directory, as the example's
# repository URL ssh://backup/./vps expects; /srv is a tmpfs of this
# test's mount namespace.
mkdir -p "$SGT_DIR/srv"
chown "$SGT_LOGIN:" "$SGT_DIR/srv"
as_login borg init -e repokey "$SGT_DIR/srv/vps" >/dev/null 2>&1 || sgt_bail "borg init vps"
sock2=$sockdir/example.sock
in_session "$sock2" "$SGT_DIR/srv/vps"
mount -t tmpfs -o mode=0755 sgt-srv /srv || sgt_bail "tmpfs /srv"
cp -a "$tree" /srv/sgt-tree
sed -e "s|@state_dir@|$CF_HOME|g" \
    -e "s|@runner@|$SGT_RUNNER|g" \
    -e "s|@login@|$SGT_LOGIN|g" \
    -e "s|@socket_dir@/borg.sock|$sock2|g" -e "s|@socket_dir@|$sockdir|g" \
    -e "s|@connect@|$SGT_DIR/bin/sshgate-connect|g" \
    -e "s|@policy_dir@|$(dirname "$SGT_POLICY")|g" \
    -e "s|@repo_re@|vps|g" -e "s|@repo@|vps|g" \
    -e "s|@archive_prefix_re@|vps|g" -e "s|@archive_prefix@|vps|g" \
    -e 's#@sources_re@#etc|home|root|srv|opt|var\\/www|var\\/lib|var\\/backups#g' \
    "$top_srcdir/setup/vps/policy.in" | sgt_policy -
"$top_builddir/sshgate-lint" -f "$SGT_POLICY" >/dev/null 2>&1
ok $? "the adapted example policy passes sshgate-lint and its own tests"
cf_gate BORG_PASSPHRASE="$BORG_PASSPHRASE" \
    SSH_ORIGINAL_COMMAND="borg create --stats ssh://backup/./vps::vps-{now} /srv/sgt-tree" --
expect_status 0 "the example's borg-create rule runs borg create through the gate"
grep -q "permit rule=borg-create .*runner=$SGT_RUNNER landlock=abi" "$SGT_DIR/syslog"
ok $? "decided by the example's borg-create rule"
cf_gate BORG_PASSPHRASE="$BORG_PASSPHRASE" SSH_ORIGINAL_COMMAND="borg list ssh://backup/./vps" --
expect_status 0 "the example's borg-list-info rule lists the repository"
printf '%s\n' "$out" | grep -q '^vps-20'
ok $? "and the archive is there"
got=$(env BORG_BASE_DIR="$SGT_DIR/rootborg" BORG_PASSPHRASE="$BORG_PASSPHRASE" \
    borg extract --stdout "$SGT_DIR/srv/vps::$(printf '%s\n' "$out" | awk '/^vps-20/ {print $1; exit}')" \
    srv/sgt-tree/root-only/secret 2>/dev/null | sha256sum)
is "$got" "$secret_sum" "the root-only file is in the example rule's archive"
umount /srv
SGT_SESSION=()

# ---- root reads the repository back ----------------------------------------
rb() { env BORG_BASE_DIR="$SGT_DIR/rootborg" BORG_PASSPHRASE="$BORG_PASSPHRASE" \
    borg "$@"; }
list=$(rb list "$repo" 2>&1)
printf '%s\n' "$list" | grep -q '^sgt-first ' && printf '%s\n' "$list" | grep -q '^sgt-second ' &&
    printf '%s\n' "$list" | grep -q '^sgt-asroot '
ok $? "borg list as root shows the three archives"
files=$(rb list "$repo::sgt-first" --format '{mode} {user} {path}{NL}' 2>&1)
printf '%s\n' "$files" | grep -qx -- "-rw------- root ${tree#/}/root-only/secret"
ok $? "the archive holds the root-only file, root-owned, 0600"
got=$(rb extract --stdout "$repo::sgt-first" "${tree#/}/root-only/secret" 2>/dev/null | sha256sum)
is "$got" "$secret_sum" "extract --stdout gives the root-only file's exact content"
got=$(rb extract --stdout "$repo::sgt-first" "${tree#/}/etc/sgt-conf/plain" 2>/dev/null)
is "$got" "plain $SGT_ID" "and the plain file's"
sgt_done
