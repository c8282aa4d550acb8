#!/bin/bash
# The rows of the adversarial tables that need a real sshd: subsystem
# requests (sftp), scp, commands of 100 KiB to 1 MiB, empty and blank
# commands, a newline in the command, and the client's environment as
# sshd passes it (SendEnv/AcceptEnv).  Both sides are installed by the
# shipped installers (tests/e2e/lib.sh); for the rows that must run, the
# installed policy's program is replaced by tests/probe-argv, which
# prints the argv and the environment it got.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_init "$@"
e2e_sshd_start
[ -x "$top_builddir/tests/probe-argv" ] || sgt_bail "build tests/probe-argv"
PROBE=$SGT_DIR/bin/probe-argv
install -o root -g root -m 0755 "$top_builddir/tests/probe-argv" "$PROBE" ||
    sgt_bail "install probe"
sed -i "s|^\( *run  *\)/usr/bin/python3 |\1$PROBE |" "$SGT_POLICY"
[ "$(grep -c "^ *run  *$PROBE -I /usr/bin/borg\$" "$SGT_POLICY")" = 4 ]
ok $? "the installed policy's programs are replaced by the probe"

# ssh as the backup server (e2e_ssh), with extra variables in the
# client's environment, under the hang detector (status 124):
# ssh_env 'VAR=value ...' SSH-ARGS...
ssh_env() {
	local vars=$1
	shift
	# shellcheck disable=SC2086
	e2e_as_server env $vars timeout -k 5 120 ssh -F /dev/null -T -o BatchMode=yes \
	    -o IdentitiesOnly=yes -o IdentityFile="$E2E_CONF/$E2E_NAME.key" \
	    -o UserKnownHostsFile="$E2E_CONF/$E2E_NAME.known_hosts" \
	    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
	    -o LogLevel=ERROR -l "$SGT_LOGIN" "$@"
}
denies() { grep -c 'sshgate\[[0-9]*\]: deny ' "$SGT_DIR/syslog"; }
permits() { grep -c 'sshgate\[[0-9]*\]: permit ' "$SGT_DIR/syslog"; }

# row WANT-STATUS DESCRIPTION SSH-ARGS...: the status, and for a denial
# no output on stdout and one more deny line in the log
row() {
	local want=$1 what=$2 d0 p0
	shift 2
	d0=$(denies) p0=$(permits)
	ssh_env "" "$@" </dev/null >"$SGT_DIR/out" 2>"$SGT_DIR/err"
	rc=$?
	out=$(cat "$SGT_DIR/out") err=$(cat "$SGT_DIR/err")
	if [ "$rc" = "$want" ] && [ -z "$out" ] && [ "$(permits)" = "$p0" ]; then
		ok 0 "$what (status $rc, nothing ran)"
	else
		ok 1 "$what: want status $want and nothing run"
		diag "status $rc" "stdout: $(head -c 500 "$SGT_DIR/out")" "stderr: $err"
	fi
	dn=$(( $(denies) - d0 ))
}

# ---- subsystems and file transfer --------------------------------------------------

row 3 "an sftp subsystem request" -s 127.0.0.1 sftp
is "$dn" 1 "... is one denial in the log"
grep 'sshgate\[[0-9]*\]: deny ' "$SGT_DIR/syslog" | tail -1 |
    grep -q 'command="/usr/lib/openssh/sftp-server"'
ok $? "... logged with the command sshd made of it"
# The sftp client: its session is denied, the transfer never starts
d0=$(denies)
printf 'get /etc/hostname %s/sgt-got\n' "$SGT_DIR" |
    e2e_as_server timeout -k 5 120 sftp -F /dev/null -b - -o BatchMode=yes \
    -o IdentitiesOnly=yes -o IdentityFile="$E2E_CONF/$E2E_NAME.key" \
    -o UserKnownHostsFile="$E2E_CONF/$E2E_NAME.known_hosts" \
    -o GlobalKnownHostsFile=/dev/null "$SGT_LOGIN@127.0.0.1" >"$SGT_DIR/out" 2>&1
rc=$?
[ "$rc" != 0 ] && [ ! -e "$SGT_DIR/sgt-got" ] && [ "$(denies)" = $((d0 + 1)) ]
ok $? "the sftp client fails (status $rc), nothing is transferred, one denial logged"
row 3 "scp from the VPS (scp -f)" 127.0.0.1 scp -f /etc/hostname
row 3 "scp to the VPS (scp -t)" 127.0.0.1 scp -t /tmp
row 3 "internal-sftp as a command" 127.0.0.1 internal-sftp

# ---- empty, blank and multi-line commands ----------------------------------------------

row 3 "no command (a shell request)" 127.0.0.1
grep -q 'sshgate: denied: no command given' "$SGT_DIR/err"
ok $? "... the client is told what the account is for"
row 3 "an empty command" 127.0.0.1 ''
row 3 "a blank command" 127.0.0.1 '   '
grep -q 'sshgate: denied: empty command' "$SGT_DIR/err"
ok $? "... is denied as an empty command"
row 3 "a newline between two commands (sshd passes it verbatim)" 127.0.0.1 \
    "borg --version
id"
grep -q "sshgate: denied: byte 0x0a not allowed at column 15" "$SGT_DIR/err"
ok $? "... is refused at the newline's column"
row 3 "a shell command line" 127.0.0.1 'borg --version; id'

# ---- long commands ---------------------------------------------------------------------

big() {	# big BYTES: words of a permitted-looking command of that many
	# bytes, one a line (each under the 128 KiB one execve string may
	# have: ssh joins its arguments with spaces)
	"$SGT_PY" -c 'import sys
p = "borg create ssh://backup/./vps::vps-{now}"
n = int(sys.argv[1]) - len(p)
print(p)
while n > 0:
    w = min(n - 1, 60000)
    print("/etc/" + "x" * (w - 5) if w >= 6 else "/etc")
    n -= w + 1' "$1"
}
words() { mapfile -t w < <(big "$1"); }
words 65537
row 3 "a command of 65537 bytes" 127.0.0.1 "${w[@]}"
grep -q "sshgate: denied: command longer than 65536 bytes" "$SGT_DIR/err"
ok $? "... is denied as too long"
words 102400
row 3 "a command of 100 KiB" 127.0.0.1 "${w[@]}"
grep -q "sshgate: denied: command longer than 65536 bytes" "$SGT_DIR/err"
ok $? "... is denied as too long"
# Beyond what one execve string may hold (128 KiB), sshd cannot start the
# login shell with it; beyond sshd's packet limit (256 KiB) the request
# is refused.  Either way nothing runs and nothing hangs.
for kib in 200 1024; do
	words $((kib << 10))
	p0=$(permits) d0=$(denies)
	ssh_env "" 127.0.0.1 "${w[@]}" </dev/null >"$SGT_DIR/out" 2>"$SGT_DIR/err"
	rc=$?
	[ "$rc" != 0 ] && [ "$rc" != 124 ] && [ ! -s "$SGT_DIR/out" ] &&
	    [ "$(permits)" = "$p0" ] && [ "$(denies)" = "$d0" ]
	ok $? "a command of $kib KiB fails (status $rc) before the gate starts, no hang"
	diag "client: $(head -c 300 "$SGT_DIR/err")"
	[ "$rc" = 124 ] && diag "hung"
done
for i in $(seq 100); do	# sshd reaps its session processes soon after
	ps -o pid=,user=,stat=,args= -u "$SGT_LOGIN" -u "$SGT_RUNNER" > "$SGT_DIR/left"
	[ -s "$SGT_DIR/left" ] || break
	sleep 0.1
done
[ ! -s "$SGT_DIR/left" ]
ok $? "no process of the login or the runner account is left"
sed 's/^/#   left: /' "$SGT_DIR/left"

# ---- a permitted command, and the client's environment ------------------------------

# sshd passes LANG and LC_* (Debian's AcceptEnv) and BORG_PASSPHRASE (the
# installer's); the gate keeps only what the rule names.
vars="LANG=xx_XX.UTF-8 LC_ALL=C LC_CTYPE=../../tmp/sgt-x BORG_PASSPHRASE=sgt-pass-$SGT_ID LD_PRELOAD=/nonexistent/sgt.so PYTHONPATH=/tmp"
ssh_env "$vars" -o SendEnv='LANG LC_* BORG_PASSPHRASE LD_PRELOAD PYTHONPATH' \
    127.0.0.1 "borg 'create' 'ssh://backup/./vps::vps-{now}' '/etc'" </dev/null \
    >"$SGT_DIR/out" 2>"$SGT_DIR/err"
rc=$?
ok $rc "a permitted command through ssh runs the rule's program"
grep -qx "argv\[0\] $PROBE" "$SGT_DIR/out" && grep -qx 'argv\[1\] -I' "$SGT_DIR/out" &&
    grep -qx 'argv\[2\] /usr/bin/borg' "$SGT_DIR/out" &&
    grep -qx 'argv\[3\] create' "$SGT_DIR/out" &&
    grep -qx 'argv\[4\] ssh://backup/./vps::vps-{now}' "$SGT_DIR/out" &&
    grep -qx 'argv\[5\] /etc' "$SGT_DIR/out" && ! grep -q 'argv\[6\]' "$SGT_DIR/out"
ok $? "... with exactly the matched argv"
grep -qx "env\[[0-9]*\] BORG_PASSPHRASE=sgt-pass-$SGT_ID" "$SGT_DIR/out"
ok $? "... BORG_PASSPHRASE, sent and accepted, is kept"
grep -qx 'env\[[0-9]*\] LANG=C.UTF-8' "$SGT_DIR/out"
ok $? "... LANG is the rule's, not the client's"
! grep -Eq '^env\[[0-9]+\] (LC_|LD_|PYTHON|SSH_|USER=|LOGNAME=|MAIL=|SHELL=|MOTD)' "$SGT_DIR/out"
ok $? "... nothing else of the client's or sshd's environment"
[ "$(grep -c '^env\[' "$SGT_DIR/out")" = 7 ]
ok $? "... exactly the rule's 6 variables and the kept one"
[ $rc = 0 ] || sed 's/^/#   /' "$SGT_DIR/out" "$SGT_DIR/err"

sgt_done
