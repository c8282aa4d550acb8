#!/bin/bash
# setup/vps/install: refuses a borg (asked as the policy runs it) of a
# version it does not know, or none; creates what it must (accounts,
# directories, policy, key file, sshd drop-in, tmpfiles.d snippet, the
# gate's mode), checks sshd's effective settings, is idempotent, touches
# nothing it does not own, rolls back a drop-in that another sshd_config
# line would override, and --remove undoes exactly what it did.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_vps_machine

login=sgt-a$SGT_ID runner=sgt-b$SGT_ID ggroup=sgt-g$SGT_ID
SGT_USERS="$SGT_USERS $login $runner $ggroup"
# the gate as make install leaves it (configure's default group root)
chown root:root "$SGT_DIR/bin/sshgate" && chmod 4750 "$SGT_DIR/bin/sshgate" || sgt_bail "chown the gate"
ssh-keygen -q -t ed25519 -N '' -C sgt-client -f "$SGT_DIR/client" || sgt_bail keygen
gate=$SGT_DIR/bin/sshgate
sockdir=$E2E_VPS/run/$login
state=$E2E_VPS/state-$runner
keys=$E2E_VPS/keys
dropin=$E2E_VPS/sshd_config.d/sshgate-$login.conf
manifest=$E2E_VPS/manifest
# other tests (sgt-*) may come and go meanwhile; everything else must stay
passwd_now() { { cat /etc/passwd; cut -d: -f1-3 /etc/group; } | grep -v '^sgt-' | sort; }
before_passwd=$(passwd_now)

install_vps() {
	"$top_srcdir/setup/vps/install" \
	    --login "$login" --runner "$runner" --gate-group "$ggroup" \
	    --from 127.0.0.1 --from 192.0.2.0/24 --key-file "$SGT_DIR/client.pub" \
	    --gate "$gate" --connect "$SGT_DIR/bin/sshgate-connect" \
	    --lint "$SGT_DIR/bin/sshgate-lint" --policy "$SGT_POLICY" \
	    --socket-dir "$sockdir" --state-dir "$state" \
	    --keys-dir "$keys" --sshd-dir "$E2E_VPS/sshd_config.d" \
	    --sshd-config "$E2E_VPS/sshd_config" \
	    --tmpfiles-dir "$E2E_VPS/tmpfiles.d" --manifest "$manifest" \
	    --reload none "$@"
}

# ---- refusals before anything changes ---------------------------------------

out=$(install_vps --shell bash 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q 'never bash'
ok $? "refuses bash as the login shell"
sed 's|^Include .*||' "$E2E_VPS/sshd_config" > "$SGT_DIR/noinclude"
out=$(install_vps --sshd-config "$SGT_DIR/noinclude" 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q 'does not .Include'
ok $? "refuses an sshd_config that would ignore the drop-in"
out=$(install_vps --key 'ssh-ed25519 AAAA x' 2>&1)
[ $? -ne 0 ]
ok $? "refuses a key that is not a key"

# The VPS's borg, asked as the policy runs it ("/usr/bin/python3 -I
# /usr/bin/borg"): a stand-in (python) bound over /usr/bin/borg, in this
# test's mount namespace, says a version and records who asked.
: > "$SGT_DIR/borg-asked"
chmod 0666 "$SGT_DIR/borg-asked"
standin_borg() {	# standin_borg OUTPUT [ARGS]: the installer, /usr/bin/borg --version says OUTPUT
	local said=$1 rc
	shift
	cat > "$SGT_DIR/borg-standin" <<EOF
import os
# the environment as exec'd (os.environ has python's own LC_CTYPE, PEP 538)
env = open("/proc/self/environ", "rb").read().split(b"\\0")
names = sorted(e.split(b"=")[0].decode() for e in env if e)
with open("$SGT_DIR/borg-asked", "w") as f:
    f.write("%d %d %s %s\\n" % (os.getuid(), os.getgid(),
            ",".join(map(str, os.getgroups())) or "-", ",".join(names) or "-"))
print("$said")
EOF
	chmod 0644 "$SGT_DIR/borg-standin"
	mount --bind "$SGT_DIR/borg-standin" /usr/bin/borg || sgt_bail "bind over /usr/bin/borg"
	install_vps "$@" 2>&1
	rc=$?
	umount /usr/bin/borg || sgt_bail "umount /usr/bin/borg"
	return $rc
}
for v in 2.0.0b14 1.1.18 1.3.0 1.20.4 1.40.0; do
	out=$(standin_borg "borg $v")
	[ $? -ne 0 ] && printf '%s\n' "$out" |
	    grep -q "error: borg $v is not supported: use borg 1.2.x (Debian 12) or 1.4.x (Debian 13, unstable)"
	ok $? "borg $v on the VPS is refused, and the message names the supported versions"
done
is "$(cat "$SGT_DIR/borg-asked")" "$(id -u nobody) $(id -g nobody) - -" \
    "... asked as nobody, without supplementary groups, with an empty environment"
out=$(standin_borg "borg 1.2")
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q "error: cannot tell the version of /usr/bin/borg: .* said: borg 1.2"
ok $? "a version that is not MAJOR.MINOR.PATCH is refused"

# A missing /usr/bin/borg or /usr/bin/python3: hidden by an overlay over
# /usr/bin (a whiteout), in this test's mount namespace.
hidden() {	# hidden NAME [ARGS]: the installer, without /usr/bin/NAME
	local name=$1 ov=$SGT_DIR/ov rc
	shift
	mkdir -p "$ov/upper" "$ov/work" && mknod "$ov/upper/$name" c 0 0 &&
	    mount -t overlay sgt-ov -o "lowerdir=/usr/bin,upperdir=$ov/upper,workdir=$ov/work" /usr/bin ||
	    sgt_bail "cannot hide /usr/bin/$name (overlayfs)"
	install_vps "$@" 2>&1
	rc=$?
	# lazily: umount itself runs from the overlay
	umount -l /usr/bin && rm -rf "$ov" || sgt_bail "umount the overlay over /usr/bin"
	return $rc
}
for p in borg python3; do
	out=$(hidden $p)
	[ $? -ne 0 ] && printf '%s\n' "$out" |
	    grep -q "error: /usr/bin/$p not found: the policy runs /usr/bin/python3 -I /usr/bin/borg"
	ok $? "a VPS without /usr/bin/$p is refused, and the message says why it is needed"
done
[ -f /usr/bin/borg ] && [ -x /usr/bin/python3 ]
ok $? "... (and both are back)"
! getent passwd "$login" >/dev/null && [ ! -e "$manifest" ] && [ ! -e "$dropin" ]
ok $? "... and changed nothing"

# ---- a fresh install ------------------------------------------------------------

out=$(install_vps 2>&1)
ok $? "installs"
diag "$out"
pw=$(getent passwd "$login")
is "$(printf '%s' "$pw" | cut -d: -f7)" "$gate" "the login account's shell is sshgate itself"
is "$(printf '%s' "$pw" | cut -d: -f6)" "$(dirname "$sockdir")" "... its home is root's (the socket directory's parent)"
is "$(getent shadow "$login" | cut -d: -f2)" '*' "... no password, and not locked for sshd"
is "$(getent passwd "$runner" | cut -d: -f6-7)" "$state:/usr/sbin/nologin" "the runner: home = state dir, no shell"
is "$(id -nG "$runner")" "$runner" "the runner is in its own group only"
is "$(stat -c '%U:%G %a' "$sockdir")" "$login:$runner 2750" "socket directory: login's, runner's group, setgid, 2750"
is "$(stat -c '%U:%G %a' "$(dirname "$sockdir")")" "root:root 755" "... under a root-owned directory"
is "$(stat -c '%U:%G %a' "$state")" "$runner:$runner 700" "state directory: the runner's, 0700"
is "$(stat -c '%U:%G %a' "$gate")" "root:$ggroup 4750" "sshgate: setuid root, 4750, the gate's group (was root:root)"
is "$(id -gn "$login")" "$ggroup" "... the login account's primary group"
is "$(stat -c '%U:%G %a' "$SGT_POLICY")" "root:root 644" "the policy is root's, 0644"
printf '%s\n' "$out" | grep -q "^    installed .* as $SGT_POLICY (there was no policy to keep)"
ok $? "... put in place by sshgate-lint --install"
"$SGT_DIR/bin/sshgate-lint" -f "$SGT_POLICY" > "$SGT_DIR/lint.out" 2>&1 &&
    ! grep -q "warning:" "$SGT_DIR/lint.out"
ok $? "sshgate-lint accepts the installed policy without a warning: $(cat "$SGT_DIR/lint.out")"
grep -q "^    as       $runner$" "$SGT_POLICY" &&
    grep -q "\"$SGT_DIR/bin/sshgate-connect -u $login $sockdir/borg.sock\"" "$SGT_POLICY" &&
    ! grep -q '@[a-z_]*@' "$SGT_POLICY"
ok $? "the policy names this host's accounts, connector and socket"
sed -e "s|@login@|$login|g" -e "s|@runner@|$runner|g" -e "s|@socket_dir@|$sockdir|g" \
    -e "s|@state_dir@|$state|g" -e "s|@policy_dir@|$(dirname "$SGT_POLICY")|g" \
    -e "s|@connect@|$SGT_DIR/bin/sshgate-connect|g" \
    -e "s|@repo_re@|vps|g" -e "s|@repo@|vps|g" \
    -e "s|@archive_prefix_re@|vps|g" -e "s|@archive_prefix@|vps|g" \
    -e 's#@sources_re@#etc|home|root|srv|opt|var\\/www|var\\/lib|var\\/backups#g' \
    "$top_srcdir/setup/vps/policy.in" |
    cmp -s - "$SGT_POLICY"
ok $? "... and its rules are the shipped ones"
is "$(stat -c '%U:%G %a' "$keys/$login")" "root:root 644" "the authorized keys file is root's (the login cannot edit it)"
grep -qx "restrict,port-forwarding,from=\"127.0.0.1,192.0.2.0/24\",command=\"$gate\" $(cat "$SGT_DIR/client.pub")" "$keys/$login"
ok $? "... with restrict,port-forwarding,from=,command="
grep -qx "d $sockdir 2750 $login $runner -" "$E2E_VPS/tmpfiles.d/sshgate-$login.conf"
ok $? "a tmpfiles.d line recreates the socket directory at boot"
sshd -t -f "$E2E_VPS/sshd_config"
ok $? "sshd -t accepts the configuration"
printf '%s\n' "$out" | grep -q "sshgate-lint --audit: audit of $login: no findings"
ok $? "sshgate-lint --audit finds nothing to report on the fresh install"

eff=$(sshd -T -f "$E2E_VPS/sshd_config" -C "user=$login,host=x,addr=127.0.0.1")
setting() { printf '%s\n' "$eff" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' | paste -sd' '; }
for kv in "forcecommand $gate" "allowtcpforwarding remote" "permitlisten none" \
    "permitopen none" "allowstreamlocalforwarding remote" "streamlocalbindunlink yes" \
    "streamlocalbindmask 0117" "permittty no" "x11forwarding no" \
    "allowagentforwarding no" "permittunnel no" "permituserrc no" \
    "permituserenvironment no" "acceptenv BORG_PASSPHRASE" \
    "authorizedkeysfile $keys/$login" "authenticationmethods publickey"; do
	is "$(setting "${kv%% *}")" "${kv#* }" "sshd -T for $login: ${kv%% *} ${kv#* }"
done
eff=$(sshd -T -f "$E2E_VPS/sshd_config" -C "user=root,host=x,addr=127.0.0.1")
is "$(setting x11forwarding) $(setting acceptenv)" "yes LANG LC_*" "... and other users keep the global settings"

# The key works, and only for sshgate.
/usr/sbin/sshd -f "$E2E_VPS/sshd_config" -E "$E2E_VPS/sshd.log" || sgt_bail sshd
for i in $(seq 100); do [ -s "$E2E_VPS/sshd.pid" ] && break; sleep 0.05; done
out=$(ssh -F /dev/null -T -o BatchMode=yes -i "$SGT_DIR/client" -o IdentitiesOnly=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    "$login@127.0.0.1" borg --version 2>&1 < /dev/null)
is "$out" "borg $(borg --version | cut -d' ' -f2)" "the backup server's key reaches borg --version through sshgate"
grep -q "permit rule=borg-version caller=$login" "$SGT_DIR/syslog"
ok $? "... as the gate's rule borg-version"

# ---- idempotent ---------------------------------------------------------------------

cp "$manifest" "$SGT_DIR/manifest.1"
out=$(install_vps 2>&1)
ok $? "a second run succeeds"
printf '%s\n' "$out" | grep -q 'nothing changed' && ! printf '%s\n' "$out" | grep -Eq ' (wrote|created|changed) '
ok $? "... and changes nothing"
cmp -s "$manifest" "$SGT_DIR/manifest.1"
ok $? "... and records the same"

# A new template: the policy is replaced by sshgate-lint --install, which
# keeps the old one as policy.prev; the manifest records both.
cp "$SGT_POLICY" "$SGT_DIR/policy.1"
{ cat "$top_srcdir/setup/vps/policy.in"; echo "# a later version"; } >"$SGT_DIR/policy.in.2"
out=$(install_vps --template "$SGT_DIR/policy.in.2" 2>&1)
ok $? "a run with a changed template succeeds"
printf '%s\n' "$out" | grep -q "^    installed .* as $SGT_POLICY; the replaced policy is kept as $SGT_POLICY.prev"
ok $? "... puts the new policy in place with sshgate-lint --install"
cmp -s "$SGT_POLICY.prev" "$SGT_DIR/policy.1" && [ "$(tail -n 1 "$SGT_POLICY")" = "# a later version" ]
ok $? "... and keeps the old one as policy.prev"
grep -q "^file	$SGT_POLICY.prev	$(sha256sum <"$SGT_POLICY.prev" | cut -d' ' -f1)$" "$manifest"
ok $? "... which the manifest records"

# ---- nothing it does not own ---------------------------------------------------------

# an admin's edit is kept (and reported), not overwritten
echo "	MaxSessions 2" >> "$dropin"
out=$(install_vps 2>&1)
ok $? "a run after an admin edited the drop-in succeeds"
printf '%s\n' "$out" | grep -q "was changed since the last run; left as it is"
ok $? "... says so"
grep -q 'MaxSessions 2' "$dropin"
ok $? "... and keeps the edit"

# a file it did not write is refused
other_manifest=$SGT_DIR/other-manifest
out=$(install_vps --manifest "$other_manifest" 2>&1)
[ $? -ne 0 ] && printf '%s\n' "$out" | grep -q 'exists and was not written by setup/vps/install'
ok $? "a file it did not write (no record of it) is refused"

# another sshd_config line that wins over the drop-in: detected, rolled back
cp "$dropin" "$SGT_DIR/dropin.before"
printf 'Match User %s\n\tAllowStreamLocalForwarding no\n' "$login" > "$E2E_VPS/sshd_config.d/00-site.conf"
rm -f "$dropin"
sed -i "/^file\t${dropin//\//\\/}\t/d" "$manifest"
cmp -s "$SGT_POLICY" "$SGT_DIR/policy.1" || sgt_bail "the policy is not the first one"
out=$(install_vps --template "$SGT_DIR/policy.in.2" 2>&1)
rc=$?
[ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q "effective 'allowstreamlocalforwarding' for $login is 'no', not 'remote'"
ok $? "an earlier Match block that overrides the drop-in is detected"
[ ! -e "$dropin" ]
ok $? "... and the new drop-in is rolled back"
cmp -s "$SGT_POLICY" "$SGT_DIR/policy.1" && [ "$(tail -n 1 "$SGT_POLICY.prev")" = "# a later version" ] &&
    printf '%s\n' "$out" | grep -q "and $SGT_POLICY rolled back"
ok $? "... and so is the policy it replaced (sshgate-lint --rollback)"
grep -q "^file	$SGT_POLICY	$(sha256sum <"$SGT_POLICY" | cut -d' ' -f1)$" "$manifest"
ok $? "... which the manifest records"
rm -f "$E2E_VPS/sshd_config.d/00-site.conf"
cp "$SGT_DIR/dropin.before" "$dropin"
sed -i '/MaxSessions 2/d' "$dropin"
out=$(install_vps 2>&1)
ok $? "a run after the conflict is gone succeeds"
[ $? -eq 0 ] || diag "$out"

# ---- remove ------------------------------------------------------------------------

kill "$(cat "$E2E_VPS/sshd.pid")"
echo "# local note" >> "$SGT_POLICY"
out=$(install_vps --remove 2>&1)
ok $? "--remove succeeds"
diag "$out"
! getent passwd "$login" >/dev/null && ! getent passwd "$runner" >/dev/null &&
    ! getent group "$login" >/dev/null && ! getent group "$runner" >/dev/null &&
    ! getent group "$ggroup" >/dev/null
ok $? "the accounts and the gate's group it created are gone"
is "$(passwd_now)" "$before_passwd" "/etc/passwd and /etc/group are as before"
[ ! -e "$sockdir" ] && [ ! -e "$(dirname "$sockdir")" ] && [ ! -e "$state" ] &&
    [ ! -e "$keys" ] && [ ! -e "$dropin" ] && [ ! -e "$E2E_VPS/tmpfiles.d" ] && [ ! -e "$manifest" ]
ok $? "its files and directories are gone"
[ -e "$SGT_POLICY" ] && printf '%s\n' "$out" | grep -q "$SGT_POLICY was changed after installation; left in place"
ok $? "the policy, edited after installation, is left in place and reported"
[ ! -e "$SGT_POLICY.prev" ]
ok $? "the policy it replaced, kept as policy.prev, is gone"
is "$(stat -c '%U:%G %a' "$gate")" "root:root 4750" "the gate's owner and mode are restored"
[ -e "$E2E_VPS/sshd_config.d" ] && [ -e "$E2E_VPS/sshd_config" ]
ok $? "sshd's own configuration is untouched"

# ---- an existing login account: used, its shell recorded and restored --------------------

rm -f "$SGT_POLICY"
out=$(install_vps --login "$SGT_LOGIN" --runner "$SGT_RUNNER" --shell sh \
    --socket-dir "$E2E_VPS/run/$SGT_LOGIN" 2>&1)
ok $? "installs with existing accounts and --shell sh"
[ $? -eq 0 ] || diag "$out"
is "$(getent passwd "$SGT_LOGIN" | cut -d: -f7)" /bin/sh "the login shell is /bin/sh"
rm -f "$E2E_VPS/sshd.pid"
/usr/sbin/sshd -f "$E2E_VPS/sshd_config" -E "$E2E_VPS/sshd.log" || sgt_bail sshd
for i in $(seq 100); do [ -s "$E2E_VPS/sshd.pid" ] && break; sleep 0.05; done
out=$(ssh -F /dev/null -T -o BatchMode=yes -i "$SGT_DIR/client" -o IdentitiesOnly=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    "$SGT_LOGIN@127.0.0.1" borg --version 2>&1 < /dev/null)
is "$out" "borg $(borg --version | cut -d' ' -f2)" "through /bin/sh as the login shell, the key reaches borg --version too"
kill "$(cat "$E2E_VPS/sshd.pid")"
out=$(install_vps --login "$SGT_LOGIN" --runner "$SGT_RUNNER" \
    --socket-dir "$E2E_VPS/run/$SGT_LOGIN" 2>&1)
is "$(getent passwd "$SGT_LOGIN" | cut -d: -f7)" "$gate" "a rerun with --shell gate sets sshgate as the shell"
printf '%s\n' "$out" | grep -q "changed the login shell of $SGT_LOGIN from /bin/sh to $gate"
ok $? "... and says from what"
out=$(install_vps --login "$SGT_LOGIN" --runner "$SGT_RUNNER" --remove 2>&1)
ok $? "--remove succeeds"
getent passwd "$SGT_LOGIN" >/dev/null && getent passwd "$SGT_RUNNER" >/dev/null
ok $? "accounts it did not create stay"
is "$(getent passwd "$SGT_LOGIN" | cut -d: -f7)" /bin/sh "the login shell it first found is restored"
is "$(id -gn "$SGT_LOGIN")" "$SGT_LOGIN" "... and its primary group"

# ---- a policy the gate would refuse here: sshgate-lint's status says so ----------
# The installer runs on a kernel without Landlock (tests/probe's
# wrap-landlock, as tests/root/verdict.sh does): every rule of the shipped
# policy says "landlock require", so the gate would refuse them all, and
# sshgate-lint's exit status stops the installer (no grep of its output).
[ -x "$top_builddir/tests/probe" ] || sgt_bail "tests/probe not built"
out=$("$top_builddir/tests/probe" wrap-landlock=ENOSYS \
    "$top_srcdir/setup/vps/install" --login "$SGT_LOGIN" --runner "$SGT_RUNNER" \
    --from 127.0.0.1 --key-file "$SGT_DIR/client.pub" \
    --gate "$gate" --connect "$SGT_DIR/bin/sshgate-connect" \
    --lint "$SGT_DIR/bin/sshgate-lint" --policy "$SGT_POLICY" \
    --socket-dir "$E2E_VPS/run/$SGT_LOGIN" --state-dir "$state" \
    --keys-dir "$keys" --sshd-dir "$E2E_VPS/sshd_config.d" \
    --sshd-config "$E2E_VPS/sshd_config" \
    --tmpfiles-dir "$E2E_VPS/tmpfiles.d" --manifest "$manifest" \
    --reload none 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -q "sshgate would refuse $SGT_POLICY" <<<"$out" &&
    grep -q "error: .*(exit 5, landlock-absent).*\[gate-refuses\]" <<<"$out"
ok $? "a kernel without Landlock: the installer stops at sshgate-lint's error (landlock-absent)"
[ $rc -ne 0 ] || diag "$out"
# A failed run is undone whole (setup/lib/installer.sh): no manifest is
# left, the login shell is the one before.
[ ! -e "$manifest" ]
ok $? "... and the failed run left no manifest: nothing to remove"
is "$(getent passwd "$SGT_LOGIN" | cut -d: -f7)" /bin/sh "... and the login shell is the one before"

sgt_done
