#!/bin/bash
# The sudo alternative to the setuid bit: a one-line sudoers rule for the
# gate only, with the env_keep it needs.  Under sudo the gate's real uid
# is 0; it must confine the program exactly as in setuid mode, refuse -f
# and a runner that is the calling account, and log who called through
# sudo.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"
command -v sudo >/dev/null || sgt_skip "needs sudo"

# The gate as the sudo setup installs it: root-owned, not setuid.
gate=$SGT_DIR/bin/sshgate-sudo
install -o root -g root -m 0755 "$top_builddir/sshgate" "$gate"

# Our own sudoers.d, in this test's mount namespace only.
mkdir -m 0755 "$SGT_DIR/sudoers.d"
cat > "$SGT_DIR/sudoers.d/sgt-gate" <<SUDO
Defaults!$gate env_keep += "SSH_ORIGINAL_COMMAND SSH_CONNECTION BORG_PASSPHRASE"
$SGT_LOGIN ALL=(root) NOPASSWD: $gate ""
SUDO
chmod 0440 "$SGT_DIR/sudoers.d/sgt-gate"
mount --bind "$SGT_DIR/sudoers.d" /etc/sudoers.d || sgt_bail "bind sudoers.d"
visudo -c >/dev/null || sgt_bail "sudoers does not parse"

{
	echo "sshgate-policy 1"
	cf_rule borg-like probe \
	    "as       $SGT_RUNNER" \
	    "caps     dac_read_search" \
	    "seccomp  strict" \
	    "landlock require" \
	    "write    $CF_HOME" \
	    "keepenv  BORG_PASSPHRASE" \
	    "setenv   HOME $CF_HOME"
	cf_rule as-caller probe-caller \
	    "as       $SGT_LOGIN" \
	    "caps     dac_read_search" \
	    "landlock best-effort"
} | sgt_policy -

via_sudo() {	# via_sudo [VAR=val ...] -- [sudo args]: as the login account
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	out=$(env -i "${envs[@]}" setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" \
	    --init-groups -- sudo -n "$@" 2>&1); rc=$?
}

via_sudo SSH_ORIGINAL_COMMAND="probe status env fds read=$CF_SECRET write=/etc/passwd inet setuid0" \
    BORG_PASSPHRASE=sgt-pass LD_PRELOAD=/tmp/sgt-evil.so PYTHONPATH=/tmp/sgt-evil \
    HOME=/tmp/sgt-evil -- "$gate"
expect_status 0 "through sudo the probe runs"
expect "Uid: $CF_RUID	$CF_RUID	$CF_RUID	$CF_RUID" "uid = the runner, not root"
expect "Groups: " "no supplementary groups"
for set in CapInh CapPrm CapEff CapAmb CapBnd; do
	expect "$set: 0000000000000004" "$set holds CAP_DAC_READ_SEARCH only"
done
expect "NoNewPrivs: 1" "no_new_privs"
expect "Seccomp: 2" "seccomp filter mode"
expect "securebits: 0xf" "securebits locked"
expect "fds: 0 1 2" "only 0, 1, 2"
expect "read=$CF_SECRET: ok" "the root-only file is readable"
expect "write=/etc/passwd: errno=EACCES" "/etc/passwd is not writable"
expect "inet: errno=EAFNOSUPPORT" "no AF_INET"
expect "setuid0: errno=EPERM" "setuid(0) refused"
expect "env: BORG_PASSPHRASE=sgt-pass" "env_keep'd BORG_PASSPHRASE passes"
expect "env: HOME=$CF_HOME" "HOME is the rule's"
expect_no "^env: (LD_PRELOAD|PYTHONPATH|SUDO_[A-Z]+|MAIL|LOGNAME|USER|SHELL|TERM)=" \
    "nothing of the caller's or sudo's environment reaches the program"
grep -q "permit rule=borg-like caller=sudo:$SGT_LOGIN(" "$SGT_DIR/syslog"
ok $? "the log names the account that called through sudo"

# The runner must not be the calling account, under sudo too: the
# account SUDO_UID names, not the real uid 0.
n=$(wc -l <"$SGT_DIR/syslog")
via_sudo SSH_ORIGINAL_COMMAND="probe-caller status" -- "$gate"
expect_status 5 "a rule whose runner is the account that called through sudo is refused (exit 5)"
expect_no "^Uid:" "and nothing ran"
tail -n +"$((n + 1))" "$SGT_DIR/syslog" | grep -qF "rule 'as-caller' runs as the calling account $SGT_LOGIN; a rule needs a runner account of its own caller=sudo:$SGT_LOGIN("
ok $? "and the refusal is logged with the sudo caller"

# The rule's "" allows no arguments: no -f, no tag, no other policy.
via_sudo SSH_ORIGINAL_COMMAND="probe status" -- "$gate" -f /etc/passwd
[ "$rc" != 0 ] && ! printf '%s\n' "$out" | grep -q '^Uid:'
ok $? "sudo refuses arguments to the gate"
# And the gate refuses -f under sudo even if a rule allowed arguments.
out=$(env -i SUDO_UID=1 SUDO_USER=x SSH_ORIGINAL_COMMAND="probe status" \
    "$gate" -f "$SGT_POLICY" 2>&1); rc=$?
expect_status 2 "-f is refused when SUDO_UID says sudo started the gate"

# Without the env_keep line sudo drops the command: the gate says so.
sed -i '/^Defaults/d' "$SGT_DIR/sudoers.d/sgt-gate"
via_sudo SSH_ORIGINAL_COMMAND="probe status" -- "$gate"
expect_status 3 "without env_keep the gate sees no command: denied (exit 3)"

# The sudo-mode gate run directly by the login account: not setuid, refused.
out=$(env -i SSH_ORIGINAL_COMMAND="probe status" setpriv --reuid="$SGT_LOGIN" \
    --regid="$SGT_LOGIN" --clear-groups -- "$gate" 2>&1); rc=$?
expect_status 2 "the non-setuid gate refuses a non-root caller (exit 2)"
expect_no "^Uid:" "and runs nothing"
sgt_done
