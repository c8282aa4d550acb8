#!/bin/bash
# setup/server/install and the wrapper it installs: the account, the
# repository, the units (systemd-analyze verify, and what they must say),
# the borgmatic configs of the borgmatic in front of it; idempotent; a
# borgmatic or borg of a version it does not know, a unit that does not
# verify and a borgmatic config that this borgmatic does not accept (each
# validated on its own) are refused before anything changes; the wrapper
# quotes exactly what the gate's tokenizer undoes, keeps the passphrase
# off command lines and says clearly what is missing; --remove keeps the
# backups, --purge not.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_vps_machine

srv() {	# srv [more options]: the installer with this test's paths
	"$top_srcdir/setup/server/install" \
	    --name "$E2E_NAME" --account "$E2E_SERVER" \
	    --vps 127.0.0.1 --vps-port 2222 --vps-login borg \
	    --vps-host-key-file "$E2E_VPS/hostkey.pub" \
	    --remote-socket /run/sshgate/borg/borg.sock \
	    --source /srv/www --source /etc \
	    --home "$E2E_SRV/home" --repo-dir "$E2E_SRV/repos" \
	    --socket-dir "$E2E_SRV/run" --conf-dir "$E2E_SRV/conf" \
	    --state-dir "$E2E_SRV/state" \
	    --libexec-dir "$E2E_SRV/libexec" --systemd-dir "$E2E_SRV/etc/systemd" \
	    --manifest "$E2E_SRV/manifest" --systemctl no "$@"
}
SGT_USERS="$SGT_USERS $E2E_SERVER"
conf=$E2E_SRV/conf
repo=$E2E_SRV/repos/$E2E_NAME
unit() { printf '%s\n' "$E2E_SRV/etc/systemd/$1"; }
# in a directory the installer makes with its parent (--systemd-dir)
E2E_UNIT_DIR=$E2E_SRV/etc/systemd

# ---- refusals before anything changes ------------------------------------------

out=$(srv 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q 'give --init'
ok $? "without --init, a missing repository is an error"
out=$(srv --init --source '/home/*' 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q 'no globs'
ok $? "a glob in a source is refused (borgmatic would expand it on the server)"
copy_install() {	# copy_install DIR: the installer from a copy of setup/ in DIR
	"$1/server/install" --name "$E2E_NAME" --account "$E2E_SERVER" --vps 127.0.0.1 \
	    --vps-host-key-file "$E2E_VPS/hostkey.pub" --home "$E2E_SRV/home" \
	    --repo-dir "$E2E_SRV/repos" --socket-dir "$E2E_SRV/run" --conf-dir "$conf" \
	    --state-dir "$E2E_SRV/state" \
	    --libexec-dir "$E2E_SRV/libexec" --systemd-dir "$E2E_SRV/etc/systemd" \
	    --manifest "$E2E_SRV/manifest" --systemctl no --init
}
broken=$SGT_DIR/setup-copy
cp -r "$top_srcdir/setup" "$broken"
sed -i 's/^StandardInput=socket$/StandardInput=sockt/' "$broken/server/sshgate-serve@.service.in"
out=$(copy_install "$broken" 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q 'systemd-analyze verify: .*sockt'
ok $? "a unit that systemd-analyze does not accept cleanly is refused"

# Each borgmatic config is validated on its own (borgmatic 1.7's
# validate-borgmatic-config checks only the last of several -c files):
# a broken one is named, whichever of the two it is.
bm_version=$(borgmatic --version)
case $bm_version in 1.7.*) templates=borgmatic-1.7 ;; *) templates=borgmatic-1.9 ;; esac
for which in pull local; do
	cp -r "$top_srcdir/setup" "$SGT_DIR/setup-$which"
	printf 'sgt_not_an_option: 1\n' >> "$SGT_DIR/setup-$which/server/$templates/$which.yaml.in"
	out=$(copy_install "$SGT_DIR/setup-$which" 2>&1)
	[ $? -ne 0 ] &&
	    printf '%s\n' "$out" | grep -q "error: borgmatic $bm_version does not accept $E2E_NAME-$which.yaml (rendered from .*/$templates/$which.yaml.in" &&
	    printf '%s\n' "$out" | grep -q "sgt_not_an_option"
	ok $? "a broken $which config is refused by name, with borgmatic's reason"
	[ $? -eq 0 ] || diag "$out"
done

# The versions in front of the installer: stand-ins bound over
# /usr/bin/borgmatic and /usr/bin/borg (in this test's mount namespace).
standin() {	# standin PROGRAM OUTPUT -- ARGS: the installer, PROGRAM --version says OUTPUT
	local prog=$1 said=$2 rc
	shift 3
	printf '%s\n' "$said" > "$SGT_DIR/standin.out"
	printf '#!/bin/sh\ncat %s\n' "$SGT_DIR/standin.out" > "$SGT_DIR/standin"
	chmod 0755 "$SGT_DIR/standin"
	mount --bind "$SGT_DIR/standin" "$prog" || sgt_bail "bind over $prog"
	srv "$@" 2>&1
	rc=$?
	umount "$prog" || sgt_bail "umount $prog"
	return $rc
}
supported_bm='use borgmatic 1.7.x (Debian 12), 1.9.x (Debian 13) or 2.0.x (Debian unstable)'
for v in 1.8.0 2.1.0 1.6.3 1.70.7 3.0.0; do
	out=$(standin /usr/bin/borgmatic "$v" -- --init)
	[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q "error: borgmatic $v is not supported: $supported_bm"
	ok $? "borgmatic $v is refused, and the message names the supported versions"
done
out=$(standin /usr/bin/borgmatic "1.7" -- --init)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q "error: cannot tell the version of /usr/bin/borgmatic: .* said: 1.7"
ok $? "a version that is not MAJOR.MINOR.PATCH is refused"
supported_borg='use borg 1.2.x (Debian 12) or 1.4.x (Debian 13, unstable)'
for v in 2.0.0b14 1.1.18 1.3.0 1.20.4 1.40.0; do
	out=$(standin /usr/bin/borg "borg $v" -- --init)
	[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q "error: borg $v is not supported: $supported_borg"
	ok $? "borg $v is refused, and the message names the supported versions"
done
! getent passwd "$E2E_SERVER" >/dev/null && [ ! -e "$E2E_SRV/manifest" ] && [ ! -e "$conf" ]
ok $? "... before anything changed"

# ---- a fresh install -------------------------------------------------------------------

out=$(srv --init 2>&1)
ok $? "installs, with a new repository"
diag "$out"
is "$(getent passwd "$E2E_SERVER" | cut -d: -f6-7)" "$E2E_SRV/home:/usr/sbin/nologin" "the backup account: its home, no shell"
is "$(stat -c '%U %a' "$E2E_SRV/home")" "$E2E_SERVER 700" "... its home is private"
is "$(stat -c '%U %a' "$repo")" "$E2E_SERVER 700" "the repository is the account's"
is "$(stat -c '%U %a' "$conf/$E2E_NAME.passphrase") $(stat -c '%U %a' "$conf/$E2E_NAME.key")" \
    "$E2E_SERVER 600 $E2E_SERVER 600" "passphrase and ssh key: the account's, 0600"
info=$(e2e_as_server env BORG_PASSCOMMAND="cat $conf/$E2E_NAME.passphrase" BORG_BASE_DIR="$E2E_SRV/home" \
    borg info "$repo" 2>&1)
printf '%s\n' "$info" | grep -q 'Encrypted: Yes (repokey BLAKE2b)'
ok $? "the repository is encrypted (repokey-blake2) with that passphrase"
is "$(cat "$conf/$E2E_NAME.known_hosts")" "[127.0.0.1]:2222 $(cut -d' ' -f1-2 "$E2E_VPS/hostkey.pub")" \
    "known_hosts pins the VPS's host key (no trust on first use)"
grep -qx "REMOTE_SOCKET=/run/sshgate/borg/borg.sock" "$conf/$E2E_NAME.conf" &&
    grep -qx "LOCAL_SOCKET=$E2E_SRV/run/$E2E_NAME.sock" "$conf/$E2E_NAME.conf"
ok $? "the job's settings name both ends of the tunnel"

SYSTEMD_UNIT_PATH="$E2E_SRV/etc/systemd:" systemd-analyze verify \
    "$(unit sshgate-serve-vps.socket)" "$(unit sshgate-serve-vps@.service)" \
    "$(unit sshgate-backup-vps.service)" "$(unit sshgate-backup-vps.timer)" \
    "$(unit sshgate-alert-vps@.service)" > "$SGT_DIR/verify" 2>&1
ok $? "systemd-analyze verify passes the installed units"
[ ! -s "$SGT_DIR/verify" ]
ok $? "... without a single warning"
[ -s "$SGT_DIR/verify" ] && sed 's/^/#   /' "$SGT_DIR/verify"
u() { e2e_unit_get "$@"; }
is "$(u sshgate-serve-vps.socket ListenStream)" "$E2E_SRV/run/$E2E_NAME.sock" "socket: ListenStream is the local end of the tunnel"
is "$(u sshgate-serve-vps.socket Accept)" yes "socket: Accept=yes (one borg serve per connection)"
is "$(u sshgate-serve-vps.socket SocketUser) $(u sshgate-serve-vps.socket SocketMode)" \
    "$E2E_SERVER 0600" "socket: only the backup account may connect"
for kv in StandardInput=socket StandardOutput=socket StandardError=journal \
    "User=$E2E_SERVER" "WorkingDirectory=$E2E_SRV/repos" \
    "ExecStart=/usr/bin/borg serve --append-only --restrict-to-repository $repo"; do
	is "$(u sshgate-serve-vps@.service "${kv%%=*}")" "${kv#*=}" "service: $kv"
done
is "$(u sshgate-backup-vps.service ExecStartPre)" "+$E2E_SRV/libexec/sshgate-guard $conf/$E2E_NAME.conf check" \
    "backup service: first (as root) the history check: nothing runs after a loss"
is "$(sed -n 's/^ExecStart=//p' "$(unit sshgate-backup-vps.service)")" \
"/usr/bin/borgmatic --config $conf/$E2E_NAME-pull.yaml create
+$E2E_SRV/libexec/sshgate-guard $conf/$E2E_NAME.conf run" \
    "backup service: create through the VPS, then (as root) the history check, which runs prune/compact/check"
for kv in "REPOSITORY=$repo" "ACCOUNT=$E2E_SERVER" "LOCAL_CONFIG=$conf/$E2E_NAME-local.yaml" \
    "STATE_FILE=$E2E_SRV/state/$E2E_NAME/state" "PASSPHRASE_FILE=$conf/$E2E_NAME.passphrase"; do
	grep -qxF "$kv" "$conf/$E2E_NAME.conf"
	ok $? "the job's settings tell the history check $kv"
done
is "$(stat -c '%U:%G %a' "$E2E_SRV/state" "$E2E_SRV/state/$E2E_NAME" "$E2E_SRV/state/$E2E_NAME/state" | paste -sd' ')" \
    "root:root 700 root:root 700 root:root 600" "the recorded state: root's only, outside the repository"
"$SGT_PY" -c 'import json, sys; s = json.load(open(sys.argv[1]))
sys.exit(not (s["transaction"] == 1 and s["archives"] == [] and s["repository"] == sys.argv[2]))' \
    "$E2E_SRV/state/$E2E_NAME/state" "$repo"
ok $? "... recorded at once: the new repository's first transaction, no archive"
printf '%s\n' "$out" | grep -q "recorded the good state of $repo"
ok $? "... and the installer says so"
is "$(u sshgate-backup-vps.service OnFailure)" "sshgate-alert-vps@%n.service" "backup service: OnFailure= starts the alert unit"
is "$(u sshgate-alert-vps@.service ExecStart)" "$E2E_SRV/libexec/sshgate-pull-alert $conf/alert %i $conf/$E2E_NAME.conf" \
    "alert unit: checks the history and runs the administrator's hook $conf/alert, if there is one"
for f in "$conf/$E2E_NAME-pull.yaml" "$conf/$E2E_NAME-local.yaml"; do
	case $templates in
	borgmatic-1.7)
		grep -q '^location:$' "$f" && validate-borgmatic-config -c "$f" >/dev/null 2>&1 ;;
	*)	! grep -q '^location:$' "$f" && borgmatic --config "$f" config validate >/dev/null 2>&1 ;;
	esac
	ok $? "${f##*/}: from $templates/, valid for borgmatic $bm_version on its own"
done
grep -Eqx " *(- path: |- )ssh://backup/./$E2E_NAME" "$conf/$E2E_NAME-pull.yaml" &&
    grep -Eqx " *local_path: $E2E_SRV/libexec/sshgate-pull-$E2E_NAME" "$conf/$E2E_NAME-pull.yaml" &&
    grep -Eqx " *(- path: |- )$repo" "$conf/$E2E_NAME-local.yaml"
ok $? "pull config: the VPS's repository URL and the wrapper; local config: the local repository"
is "$(grep -E '^ *keep_' "$conf/$E2E_NAME-local.yaml" | sed 's/^ *//' | paste -sd' ')" \
    "keep_hourly: 24 keep_daily: 7 keep_weekly: 4 keep_monthly: 6" \
    "local config: without --keep-* or --retention-from, the default retention"

# ---- idempotent -----------------------------------------------------------------------------

cp "$E2E_SRV/manifest" "$SGT_DIR/manifest.1"
out=$(srv 2>&1)
ok $? "a second run (without --init) succeeds"
! printf '%s\n' "$out" | grep -Eq ' (wrote|created|generated) '
ok $? "... and writes nothing"
printf '%s\n' "$out" | grep -qx "setup/server/install: nothing changed"
ok $? "... and says 'nothing changed'"
cmp -s "$E2E_SRV/manifest" "$SGT_DIR/manifest.1"
rc=$?
ok $rc "... and records the same"
[ $rc = 0 ] || diff "$SGT_DIR/manifest.1" "$E2E_SRV/manifest" | sed 's/^/# /'
grep -qx "dir	$E2E_SRV/etc" "$E2E_SRV/manifest"
ok $? "... the directory it made for the units' (--systemd-dir $E2E_SRV/etc/systemd) included"

# ---- the wrapper ------------------------------------------------------------------------------

# A copy of the job's settings with ssh replaced by a recorder.
cat > "$SGT_DIR/fake-ssh" <<'EOF'
#!/bin/bash
printf '%s\n' "$@" > "$REC.argv"
env > "$REC.env"
exit "${FAKE_STATUS:-0}"
EOF
chmod 0755 "$SGT_DIR/fake-ssh"
sed "s|^SSH=.*||; \$a SSH=$SGT_DIR/fake-ssh" "$conf/$E2E_NAME.conf" > "$SGT_DIR/fake.conf"
mkdir -p "$E2E_SRV/run" "$SGT_DIR/rec.d"
chown "$E2E_SERVER" "$SGT_DIR/rec.d"
"$SGT_PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); time.sleep(600)' \
    "$E2E_SRV/run/$E2E_NAME.sock" &
SGT_PIDS="$SGT_PIDS $!"
for i in $(seq 100); do [ -S "$E2E_SRV/run/$E2E_NAME.sock" ] && break; sleep 0.05; done
chown "$E2E_SERVER" "$E2E_SRV/run/$E2E_NAME.sock"
wrap() {	# wrap [VAR=value ...] -- ARGS: the wrapper as the backup account
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	e2e_as_server env REC="$SGT_DIR/rec.d/rec" "${envs[@]}" \
	    "$E2E_SRV/libexec/sshgate-pull" "$SGT_DIR/fake.conf" "$@"
}
args=("it's" "a b" '$HOME' '`id`' '"q"' 'back\slash' '*?[]' \
    '{hostname}-{now:%Y-%m-%dT%H:%M:%S.%f}' ';|&<>()' '~root' '#x' '' '--rsh=sh -c id')
wrap -- create "${args[@]}"
ok $? "the wrapper runs ssh"
cmd=$(tail -1 "$SGT_DIR/rec.d/rec.argv")
words=$("$SGT_DIR/bin/sshgate-lint" -f "$top_builddir/setup/vps/policy" --explain "$cmd" 2>/dev/null | sed -n 's/^  \[[0-9]*\] //p')
expect=$(printf '%s\n' borg create "${args[@]}")
is "$words" "$expect" "the gate's tokenizer gets back exactly the words borgmatic passed"
grep -qx 'ExitOnForwardFailure=yes' "$SGT_DIR/rec.d/rec.argv" &&
    grep -qx -- "/run/sshgate/borg/borg.sock:$E2E_SRV/run/$E2E_NAME.sock" "$SGT_DIR/rec.d/rec.argv" &&
    grep -qx "Port=2222" "$SGT_DIR/rec.d/rec.argv" && grep -qx "User=borg" "$SGT_DIR/rec.d/rec.argv"
ok $? "ssh gets the tunnel, ExitOnForwardFailure, the port and the login"

wrap BORG_PASSCOMMAND="cat $conf/$E2E_NAME.passphrase" -- --version
pp=$(cat "$conf/$E2E_NAME.passphrase")
grep -qx "BORG_PASSPHRASE=$pp" "$SGT_DIR/rec.d/rec.env" && ! grep -q '^BORG_PASSCOMMAND=' "$SGT_DIR/rec.d/rec.env"
ok $? "encryption_passcommand runs here; ssh gets the passphrase in its environment only"
! grep -qF "$pp" "$SGT_DIR/rec.d/rec.argv"
ok $? "... and not in its argv"

out=$(wrap -- create "$(printf 'caf\303\251')" 2>&1)
[ $? -eq 2 ] && printf '%s\n' "$out" | grep -q 'outside printable ASCII, which sshgate refuses'
ok $? "an argument sshgate would refuse is refused here, with the reason"
out=$(wrap FAKE_STATUS=255 -- --version 2>&1)
[ $? -eq 255 ] && printf '%s\n' "$out" | grep -q "the tunnel /run/sshgate/borg/borg.sock -> .* could not be set up"
ok $? "an ssh failure names the tunnel"
out=$(wrap FAKE_STATUS=3 -- prune 2>&1)
is "$?" 3 "the VPS side's status comes through (3: sshgate denied)"
echo 'VPS_TYPO=1' >> "$SGT_DIR/fake.conf"
out=$(wrap -- --version 2>&1)
[ $? -eq 2 ] && printf '%s\n' "$out" | grep -q "unknown setting 'VPS_TYPO'"
ok $? "a misspelt setting is an error, not ignored"

# ---- remove keeps the backups; purge does not -------------------------------------------------

out=$(srv --remove 2>&1)
ok $? "--remove succeeds"
diag "$out"
[ ! -e "$(unit sshgate-serve-vps.socket)" ] && [ ! -e "$E2E_SRV/libexec/sshgate-pull" ] &&
    [ ! -e "$conf/$E2E_NAME-pull.yaml" ] && [ ! -e "$conf/$E2E_NAME.key" ] &&
    [ ! -e "$conf/$E2E_NAME.conf" ] && [ ! -e "$E2E_SRV/libexec/sshgate-guard" ] &&
    [ ! -e "$(unit sshgate-alert-vps@.service)" ]
ok $? "units, wrapper, history check, configs, key are gone"
[ -f "$repo/config" ] && [ -f "$conf/$E2E_NAME.passphrase" ] && getent passwd "$E2E_SERVER" >/dev/null &&
    [ -f "$E2E_SRV/state/$E2E_NAME/state" ]
ok $? "the repository, its passphrase, their account and the recorded state stay"
state_before=$(sha256sum < "$E2E_SRV/state/$E2E_NAME/state")

# An adopted repository is checked in full: a symlink in its place, a
# file of another owner inside it (chown -R through a symlink changes
# only the link).
mv "$repo" "$repo.real" && ln -s "$repo.real" "$repo" || sgt_bail "symlink"
out=$(srv 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q "$repo is a symlink (to $repo.real): move the repository there, or give --repo-dir and --name"
ok $? "a symlink in the repository's place is refused, with what to do"
rm "$repo" && mv "$repo.real" "$repo" || sgt_bail "unsymlink"
seg=$(find "$repo/data" -type f | head -1)
chown root "$seg"
out=$(srv 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q "$seg is not $E2E_SERVER's (borg serve runs as $E2E_SERVER): chown -R $E2E_SERVER: $repo"
ok $? "a file inside the repository that is not the account's is named and refused"
chown "$E2E_SERVER" "$seg"

out=$(srv --init 2>&1)
ok $? "installing again uses the kept repository and passphrase"
printf '%s\n' "$out" | grep -q "using the repository $repo" &&
    printf '%s\n' "$out" | grep -q "kept the passphrase" &&
    printf '%s\n' "$out" | grep -q "kept the recorded state $E2E_SRV/state/$E2E_NAME/state"
ok $? "... and says so"
is "$(sha256sum < "$E2E_SRV/state/$E2E_NAME/state")" "$state_before" \
    "... and the recorded state is the one of before: a new install never overwrites it"
out=$(srv --purge 2>&1)
ok $? "--purge succeeds"
[ ! -e "$repo" ] && [ ! -e "$conf" ] && [ ! -e "$E2E_SRV/home" ] && ! getent passwd "$E2E_SERVER" >/dev/null &&
    [ ! -e "$E2E_SRV/state/$E2E_NAME" ]
ok $? "... and removes the repository, the passphrase, the account and the recorded state too"

sgt_done
