#!/bin/bash
# docs/pull-backup.md section 6, steps 2 to 6 in order (step 1, the
# installed gate, is sgt_init's), from the sudo rule: the status
# quo (a login account with a shell and ~/.ssh/authorized_keys, the rule
# "NOPASSWD:SETENV: /usr/bin/borg", the old wrapper's "sudo -E borg
# --rsh=..." with socat to /tmp/borg.sock, a borg serve that is not
# append-only, borgmatic with the old config on a timer), then each step
# of the guide with the night's backup after it -- whichever job the
# timer runs at that moment -- and none may fail: the server side next to
# the old job (the old key reused, the old retention read from the old
# config, the timer left off; the prune preview), the VPS side as a new
# login account, a pull and a restore through it, the switch of the
# timer, the sudo rule and the old key retired; then the guide's rollback
# to the sudo rule and back again.
#
# systemd is not PID 1 here: "the timer" is which job the night runs
# (the old job's borgmatic line, or the backup unit's lines played by
# e2e_backup_service), set by the steps that the guide does with
# systemctl.  The sudoers file and /tmp exist only in this test's mount
# namespace (bind mounts).
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_need sudo socat visudo
e2e_enter "$@"
e2e_prepare
e2e_make_tree "$E2E_DATA" 1 || sgt_bail "cannot make the tree"

OLD=sgt-o$SGT_ID		# the status quo's "borg" account on the VPS
O=$E2E_SRV/old			# the old job's files on the server
mkdir -p "$O" || sgt_bail mkdir

# ---- the status quo ----

# /tmp of its own, world-writable as the old recipe needs it
sgt_private_dir /tmp 1777
# the sudo rule
SUDOERS=$SGT_DIR/sudoers.d
mkdir -m 0755 "$SUDOERS" && cp -a /etc/sudoers.d/. "$SUDOERS/" || sgt_bail sudoers.d
printf '%s ALL=(root:root) NOPASSWD:SETENV: /usr/bin/borg\n' "$OLD" > "$SUDOERS/sgt-borg"
chmod 0440 "$SUDOERS/sgt-borg"
visudo -cqf "$SUDOERS/sgt-borg" && mount --bind "$SUDOERS" /etc/sudoers.d ||
    sgt_bail "the sudoers file"
# the VPS's account: a shell, a home of its own, the server's key in it
sgt_add_user "$OLD" /bin/sh
usermod -p '*' "$OLD" || sgt_bail "usermod $OLD"
OLD_HOME=$SGT_DIR/home/$OLD
mkdir -p -m 0700 "$OLD_HOME/.ssh" && chmod 0700 "$OLD_HOME" || sgt_bail mkdir
# the backup server's account, its home and repository, made by hand
useradd -M -d "$E2E_HOME" -s /usr/sbin/nologin -U "$E2E_SERVER" || sgt_bail useradd
SGT_USERS="$SGT_USERS $E2E_SERVER"
mkdir -m 0700 "$E2E_HOME" && chown "$E2E_SERVER:" "$E2E_HOME" &&
    mkdir -m 0755 "$E2E_SRV/repos" && mkdir -m 0700 "$E2E_REPO" &&
    chown "$E2E_SERVER:" "$E2E_REPO" || sgt_bail mkdir
ssh-keygen -q -t ed25519 -N '' -C "old-pull@backup" -f "$O/key" &&
    chown "$E2E_SERVER:" "$O/key" || sgt_bail keygen
cp "$O/key.pub" "$OLD_HOME/.ssh/authorized_keys" && chown -R "$OLD:" "$OLD_HOME" ||
    sgt_bail authorized_keys
printf '127.0.0.1 %s\n' "$(cut -d' ' -f1-2 "$E2E_VPS/hostkey.pub")" > "$O/known_hosts"
head -c 24 /dev/urandom | base64 > "$O/passphrase" && chmod 0600 "$O/passphrase"
e2e_as_server env BORG_PASSPHRASE="$(cat "$O/passphrase")" BORG_BASE_DIR="$E2E_HOME" \
    borg init --encryption=repokey-blake2 "$E2E_REPO" || sgt_bail "borg init"
# the old recipe's sshd settings for the account
cat > "$E2E_VPS/sshd_config.d/10-borg.conf" <<EOF
Match User $OLD
	AcceptEnv BORG_PASSPHRASE
	StreamLocalBindUnlink yes
EOF
# its borg serve (not append-only), on a socket of its own
OLD_SOCK=$O/serve.sock
(exec systemd-socket-activate --accept --inetd -l "$OLD_SOCK" -- \
    setpriv --reuid="$E2E_SERVER" --regid="$E2E_SERVER" --init-groups -- \
    env -i -C "$E2E_SRV/repos" HOME="$E2E_HOME" PATH=/usr/bin:/bin LANG=C.UTF-8 \
    borg serve) 2>>"$O/serve.log" &
SGT_PIDS="$SGT_PIDS $!"
for i in $(seq 100); do [ -S "$OLD_SOCK" ] && break; sleep 0.05; done
chown "$E2E_SERVER:" "$OLD_SOCK" && chmod 0600 "$OLD_SOCK" || sgt_bail "the old socket"
# its wrapper and borgmatic config
cat > "$O/pull" <<EOF
#!/bin/sh
# the old recipe's wrapper: borg on the VPS through sudo, socat to /tmp
exec ssh -F /dev/null -T -o BatchMode=yes -o IdentitiesOnly=yes -i $O/key \\
    -o UserKnownHostsFile=$O/known_hosts -o StrictHostKeyChecking=yes \\
    -o LogLevel=ERROR -o SendEnv=BORG_PASSPHRASE \\
    -R /tmp/borg.sock:$OLD_SOCK $OLD@127.0.0.1 \\
    "sudo -E borg --rsh=\\"sh -c 'exec socat STDIO UNIX-CONNECT:/tmp/borg.sock'\\" \$*"
EOF
chmod 0755 "$O/pull"
cat > "$O/borgmatic.yaml" <<EOF
location:
    source_directories:
        - $E2E_DATA
    repositories:
        - ssh://backup/./$E2E_NAME
    local_path: $O/pull
    borgmatic_source_directory: $E2E_HOME/.borgmatic-never
storage:
    encryption_passphrase: '$(cat "$O/passphrase")'
    archive_name_format: '$E2E_NAME-{now:%Y-%m-%dT%H:%M:%S.%f}'
retention:
    keep_within: 60d
    keep_daily: 60
    keep_monthly: 12
    prefix: '$E2E_NAME-'
EOF
chown "$E2E_SERVER:" "$O/borgmatic.yaml" && chmod 0600 "$O/borgmatic.yaml"
e2e_sshd_start

# Twenty earlier nights of the old job: archives of the last twenty days
# (borg create --timestamp, on the server), for the retention below.
mkdir -p "$O/small" && echo night > "$O/small/f" && chmod -R a+rX "$O/small"
for d in $(seq 20 -1 1); do
	t=$(date -u -d "$d days ago" +%Y-%m-%dT03:00:00)
	e2e_as_server env BORG_PASSPHRASE="$(cat "$O/passphrase")" BORG_BASE_DIR="$E2E_HOME" \
	    borg create --timestamp "$t" "$E2E_REPO::$E2E_NAME-$t" "$O/small" ||
	    sgt_bail "the old nights"
done

count() { e2e_as_server env BORG_PASSPHRASE="$(cat "$O/passphrase")" BORG_BASE_DIR="$E2E_HOME" \
    borg list --short "$E2E_REPO" | grep -c "^$E2E_NAME-"; }

TIMER=old
night() {	# night WHEN: the timer's job runs; it must succeed and add one archive
	local before rc
	before=$(count)
	case $TIMER in
	old)	e2e_as_server borgmatic --config "$O/borgmatic.yaml" prune compact create \
		    > "$SGT_DIR/night.log" 2>&1 ;;
	new)	e2e_backup_service > "$SGT_DIR/night.log" 2>&1 ;;
	esac
	rc=$?
	[ $rc -eq 0 ] && [ "$(count)" = $((before + 1)) ]
	ok $? "the night's backup $1 ($TIMER job) succeeds and adds an archive ($before before)"
	[ $rc -eq 0 ] || { tail -20 "$SGT_DIR/night.log" | sed 's/^/#   /'
	    tail -5 "$SGT_DIR/syslog" | sed 's/^/#   /'; }
}

night "of the status quo"
[ -S /tmp/borg.sock ] && [ "$(stat -c %U "$OLD_HOME/.cache/borg")" = root ]
ok $? "... through sudo: the socket /tmp/borg.sock, root's borg cache in the account's home"

# ---- step 2: the backup server, the new job next to the old one ----

# the old key reused: in place before the installer runs, which then
# keeps it
mkdir -m 0755 "$E2E_CONF" && install -o "$E2E_SERVER" -g "$E2E_SERVER" -m 0600 "$O/key" "$E2E_CONF/$E2E_NAME.key" &&
    install -m 0644 "$O/key.pub" "$E2E_CONF/$E2E_NAME.key.pub" || sgt_bail "the key"
server_step() {	# server_step [OPTIONS...]: the guide's step 2, its output in $out
	e2e_server_install --passphrase-file "$O/passphrase" --timer off "$@"
}
# refused before anything changes: a retention that is not one
for bad in "--keep-daily 7d" "--keep-within 7" "--keep-daily 7 --retention-from $O/borgmatic.yaml"; do
	# shellcheck disable=SC2086
	server_step $bad
	[ $? -ne 0 ] && [ ! -e "$E2E_SRV/manifest" ] && [ ! -e "$E2E_LOCAL_YAML" ]
	ok $? "setup/server/install $bad is refused, and changes nothing"
	diag "$(grep 'error:' "$E2E_SRV/install.log")"
done
# a run that fails half-way (a config file there that it did not write)
# takes back what it wrote before: the directory holds what it held
echo '# an admin file' > "$E2E_LOCAL_YAML"
before=$(ls -A "$E2E_CONF" | paste -sd' ')
server_step --retention-from "$O/borgmatic.yaml"
[ $? -ne 0 ] && grep -q "rolled back every change of this run" "$E2E_SRV/install.log" &&
    grep -q "wrote $E2E_CONF/$E2E_NAME.passphrase" "$E2E_SRV/install.log" &&
    [ "$(ls -A "$E2E_CONF" | paste -sd' ')" = "$before" ] && [ ! -e "$E2E_SRV/manifest" ] &&
    [ ! -e "$E2E_SRV/libexec" ] && [ "$(stat -c '%U %a' "$E2E_CONF/$E2E_NAME.key")" = "$E2E_SERVER 600" ]
ok $? "setup/server/install that fails after writing the passphrase and more rolls all of it back"
rm -f "$E2E_LOCAL_YAML"
server_step --retention-from "$O/borgmatic.yaml"
ok $? "step 2: setup/server/install next to the old job (key reused, --retention-from the old config, --timer off)"
out=$(cat "$E2E_SRV/install.log")
printf '%s\n' "$out" | grep -q "using the existing ssh key $E2E_CONF/$E2E_NAME.key"
ok $? "... keeps the old key"
printf '%s\n' "$out" | grep -q "the first prune (keep_within=60d keep_daily=60 keep_monthly=12) would delete 0 archive(s) of $E2E_REPO, and keep 21:"
ok $? "... reads the old retention and says that the first prune deletes nothing"
[ "$(printf '%s\n' "$out" | grep -c '^    Keeping archive')" = 21 ]
ok $? "... listing the 21 archives it keeps"
printf '%s\n' "$out" | grep -q 'the timer is left disabled (--timer off)'
ok $? "... and leaves the timer off"
diag "$(grep -A1 'the first prune' "$E2E_SRV/install.log")"
night "after step 2"

# the retention cut that the preview exists for: daily 7 would delete
# the older nights -- said before any prune, nothing deleted
n=$(count)
server_step --keep-daily 7 || sgt_bail "the installer with --keep-daily 7"
out=$(cat "$E2E_SRV/install.log")
cut=$(printf '%s\n' "$out" | grep -c '^    Would prune:')
[ "$cut" -ge 10 ] && printf '%s\n' "$out" | grep -q "(keep_daily=7) would delete $cut archive(s)"
ok $? "with --keep-daily 7 the installer says the first prune would delete $cut archives, and lists them"
is "$(count)" "$n" "... and deletes none"
server_step --retention-from "$O/borgmatic.yaml" || sgt_bail "the installer, again"
grep -q '^    keep_within: 60d$' "$E2E_LOCAL_YAML"
ok $? "a re-run with --retention-from puts the old retention back"

# ---- step 3: the VPS, a new login account next to the old one ----

GG=sgt-g$SGT_ID			# the gate's group
SGT_USERS="$SGT_USERS $GG"
e2e_vps_install --gate-group "$GG"
ok $? "step 3: setup/vps/install --login (a new account) next to the old one"
is "$(stat -c '%U:%G %a' "$SGT_DIR/bin/sshgate"):$(id -gn "$SGT_LOGIN")" "root:$GG 4750:$GG" \
    "... the gate and the new account in the gate's group"
e2e_sshd_reload
is "$(getent passwd "$OLD" | cut -d: -f7)" /bin/sh "... the old account keeps its shell"
[ -f "$SUDOERS/sgt-borg" ] && [ -f "$OLD_HOME/.ssh/authorized_keys" ]
ok $? "... its sudo rule and key stay"
night "after step 3"

# An install over the old account itself (not side by side) that fails
# half-way -- a setting of an earlier Match block wins over its drop-in --
# after it changed the account's shell and group, wrote its files and
# directories: all of it is rolled back, and the night runs as before.
printf 'Match User %s\n\tPermitTTY yes\n' "$OLD" > "$E2E_VPS/sshd_config.d/05-sgt-tty.conf"
e2e_vps_installer "$E2E_VPS/run/$OLD" --login "$OLD" --gate-group "$GG" \
    --policy "$SGT_DIR/policy-old/policy" --manifest "$E2E_VPS/manifest-old" \
    --from 127.0.0.1 --key-file "$O/key.pub" > /dev/null
out=$(cat "$E2E_VPS/install.log")
rc=1
printf '%s\n' "$out" | grep -q "changed the login shell of $OLD from /bin/sh" &&
    printf '%s\n' "$out" | grep -q "changed the primary group of $OLD from $OLD to $GG" &&
    printf '%s\n' "$out" | grep -q "effective 'permittty' for $OLD is 'yes', not 'no'" &&
    printf '%s\n' "$out" | grep -q "rolled back every change of this run" && rc=0
ok $rc "an install over the old account fails after its changes, and says it rolled them back"
[ $rc -eq 0 ] || diag "$out"
is "$(getent passwd "$OLD" | cut -d: -f7):$(id -gn "$OLD")" "/bin/sh:$OLD" \
    "... the old account's shell and group are back"
[ ! -e "$E2E_VPS/manifest-old" ] && [ ! -e "$E2E_VPS/sshd_config.d/sshgate-$OLD.conf" ] &&
    [ ! -e "$E2E_VPS/keys/$OLD" ] && [ ! -e "$SGT_DIR/policy-old" ] &&
    [ ! -e "$E2E_VPS/run/$OLD" ] && [ ! -e "$E2E_VPS/tmpfiles.d/sshgate-$OLD.conf" ]
ok $? "... its files and directories are gone, and there is no manifest"
is "$(stat -c '%U:%G %a' "$SGT_DIR/bin/sshgate")" "root:$GG 4750" "... the gate is as it was"
rm -f "$E2E_VPS/sshd_config.d/05-sgt-tty.conf"
night "after the failed install"

# ---- step 4: a pull and a restore through the new path ----

e2e_serve_start
out=$(e2e_borgmatic --config "$E2E_PULL_YAML" --verbosity 1 create 2>&1)
ok $? "step 4: borgmatic create through sshgate"
[ $? -eq 0 ] || diag "$out"
a=$(e2e_archives | tail -1)
e2e_snapshot "$E2E_DATA" > "$SGT_DIR/snap.json" &&
    e2e_restore "$a" "$E2E_DATA_ROOT/restore" > "$SGT_DIR/restore.log" 2>&1 &&
    e2e_compare "$SGT_DIR/snap.json" "$E2E_DATA_ROOT/restore$E2E_DATA" > "$SGT_DIR/compare.log"
ok $? "... and its archive restores identical"
grep -q "permit rule=borg-create caller=$SGT_LOGIN" "$SGT_DIR/syslog"
ok $? "... by rule borg-create, as the new login account"
night "after step 4"

# ---- step 5: the switch of the timer ----

switch() {	# the guide's switch: the old timer off, the state taken, the new on
	TIMER=none
	env -i PATH=/usr/bin:/bin "$E2E_SRV/libexec/sshgate-guard" "$E2E_CONF/$E2E_NAME.conf" \
	    record --accept-loss > "$SGT_DIR/switch.log" 2>&1 && TIMER=new
}
switch
ok $? "step 5: the old job's timer off, its work up to now recorded, the new timer on"
night "after step 5"
[ "$(count)" -ge 25 ]
ok $? "... whose first prune kept the old nights (the old retention)"

# A second login account on the same VPS joins the gate's group: the
# gate is not moved, the first account's backup runs on.  The gate reads
# one policy, and the installer refuses, before it changes anything, to
# write over one that another installation wrote; here the second
# account's policy is another file.
X=sgt-x$SGT_ID
SGT_USERS="$SGT_USERS $X"
e2e_vps_installer "$E2E_VPS/run/$X" --login "$X" --gate-group "$GG" \
    --manifest "$E2E_VPS/manifest-x" --from 127.0.0.1 --key-file "$O/key.pub" > /dev/null
grep -q "error: $SGT_POLICY exists and was not written by this installation" "$E2E_VPS/install.log" &&
    ! getent passwd "$X" >/dev/null && [ ! -e "$E2E_VPS/manifest-x" ]
ok $? "a second login account with the same policy is refused before anything changes"
e2e_vps_installer "$E2E_VPS/run/$X" --login "$X" --gate-group "$GG" \
    --policy "$SGT_DIR/policy-x/policy" --manifest "$E2E_VPS/manifest-x" \
    --from 127.0.0.1 --key-file "$O/key.pub"
ok $? "a second login account with a policy of its own installs"
is "$(stat -c '%U:%G %a' "$SGT_DIR/bin/sshgate"):$(id -gn "$X")" "root:$GG 4750:$GG" \
    "... into the gate's group; the gate is not moved"
e2e_sshd_reload
night "with a second login account"
# ---- step 6: the sudo rule and the old key retired ----

retire() { mv "$SUDOERS/sgt-borg" "$SUDOERS/sgt-borg.disabled" &&
    mv "$OLD_HOME/.ssh/authorized_keys" "$OLD_HOME/.ssh/authorized_keys.disabled"; }
unretire() { mv "$SUDOERS/sgt-borg.disabled" "$SUDOERS/sgt-borg" &&
    mv "$OLD_HOME/.ssh/authorized_keys.disabled" "$OLD_HOME/.ssh/authorized_keys"; }
old_path_works() { e2e_as_server env BORG_PASSPHRASE="$(cat "$O/passphrase")" \
    "$O/pull" --version > "$SGT_DIR/old.log" 2>&1; }
retire
ok $? "step 6: the sudo rule and the old key are retired (sudo ignores a name with a dot)"
! old_path_works
ok $? "... the old path is refused"
! sudo -n -u root -l -U "$OLD" 2>/dev/null | grep -q /usr/bin/borg
ok $? "... sudo grants the account nothing"
night "after step 6"

# ---- rollback to the sudo rule, and back again ----

unretire && TIMER=old
ok $? "rollback: the sudo rule and key back, the old timer on"
old_path_works
ok $? "... the old path works again"
night "after the rollback"
switch && retire
ok $? "and back again: the switch and the retirement"
night "after going back"
! old_path_works
ok $? "... the old path is refused again"

# ---- all the way back: the undo of steps 6, 5, 3 and 2 ----

unretire && TIMER=old
ok $? "the undo of steps 6 and 5: the sudo rule and key back, the old timer on"

# step 3's undo, for both login accounts: the first while the second runs

e2e_vps_installer "$E2E_VPS/run/$SGT_LOGIN" --remove > /dev/null
rc=$?
[ $rc -eq 0 ] && grep -q "kept $SGT_DIR/bin/sshgate as it is: $X still run" "$E2E_VPS/install.log" &&
    [ "$(stat -c '%U:%G %a' "$SGT_DIR/bin/sshgate")" = "root:$GG 4750" ] &&
    getent group "$GG" >/dev/null && [ -s "$E2E_VPS/manifest" ]
ok $? "the first account's --remove while the second one is there keeps the gate, its group and their record"
[ $rc -eq 0 ] || diag "$(cat "$E2E_VPS/install.log")"
e2e_vps_installer "$E2E_VPS/run/$X" --login "$X" --manifest "$E2E_VPS/manifest-x" --remove &&
    e2e_vps_installer "$E2E_VPS/run/$SGT_LOGIN" --remove &&
    [ "$(stat -c '%U:%G %a' "$SGT_DIR/bin/sshgate")" = "root:$SGT_LOGIN 4750" ] &&
    ! getent group "$GG" >/dev/null && ! grep -qE '^(perm|group)' "$E2E_VPS/manifest"
rc=$?
ok $rc "then the second's --remove, and the first's again: the gate and the group as they were (the socket directory, with sshd's stale socket, is kept)"
[ $rc -eq 0 ] || diag "$(cat "$E2E_VPS/install.log")" "$(stat -c '%U:%G %a' "$SGT_DIR/bin/sshgate")" \
    "$(getent group "$GG")" "$(cat "$E2E_VPS/manifest" 2>&1)"
e2e_server_install --remove
ok $? "step 2's undo: setup/server/install --remove"
[ -f "$E2E_REPO/config" ] && [ -f "$E2E_CONF/$E2E_NAME.passphrase" ] && [ -f "$E2E_CONF/$E2E_NAME.key" ] &&
    getent passwd "$E2E_SERVER" >/dev/null && [ ! -e "$E2E_UNIT_DIR/sshgate-backup-$E2E_NAME.service" ] &&
    [ ! -e "$E2E_LOCAL_YAML" ]
ok $? "... keeps the repository, its passphrase, the reused key and the account; its units and configs are gone"
night "after undoing every step"

sgt_done
