#!/bin/bash
# sshgate-lint --audit against a deployment built here (as root, in a
# private mount namespace, with sgt-* accounts): first a correct one,
# which must give no findings; then each fault planted alone, which must
# be reported with its name and subject; then all faults at once; and an
# unprivileged audit, which must say what it could not read.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_host_borg "$@"	# lints rules that run /usr/bin/borg: a stub where it is missing
sgt_init "$@"
command -v ssh-keygen >/dev/null && [ -x /usr/sbin/sshd ] ||
    sgt_skip "needs openssh-server and ssh-keygen"

D=$SGT_DIR
L=$SGT_LOGIN
R=$SGT_RUNNER
GATE=$D/bin/sshgate
LINT=$top_builddir/sshgate-lint
SOCKDIR=$D/sock
ssh-keygen -q -t ed25519 -N '' -C sgt-host -f "$D/hostkey" </dev/null ||
    sgt_bail "host key"
ssh-keygen -q -t ed25519 -N '' -C backup@server -f "$D/client" </dev/null ||
    sgt_bail "client key"
PUB=$(cat "$D/client.pub")

deploy() {	# the correct deployment, from scratch
	chown root:"$L" "$GATE" && chmod 4750 "$GATE"
	[ "$(getent passwd "$L" | cut -d: -f7)" = /bin/sh ] ||
	    usermod -s /bin/sh "$L"
	rm -f "$D/home/$L/.bashrc"
	sgt_policy - <<POL
sshgate-policy 1

rule borg-list {
    from     192.0.2.10
    run      /usr/bin/python3 -I /usr/bin/borg
    as       $R
    write    $D/var
    setenv   TMPDIR $D/var
    exec     $D/libexec
    read     $D/data
    keepenv  BORG_PASSPHRASE
    setenv   BORG_RSH "$D/bin/sshgate-connect -u $L $SOCKDIR/borg.sock"
    args     "borg" "list" /ssh:\/\/backup\/\.\/vps/
    test permit "borg list ssh://backup/./vps"
}
POL
	mkdir -p "$D/var" && chown "$R:" "$D/var"
	# trusted as the gate trusts them: an exec path root's alone, a
	# read path the runner's, each below root's directories
	rm -rf "$D/libexec" "$D/data"
	install -d -o root -g root -m 0755 "$D/libexec"
	install -d -o "$R" -g "$R" -m 0700 "$D/data"
	rm -rf "$SOCKDIR"
	install -d -o "$L" -g "$R" -m 2750 "$SOCKDIR"
	install -d -o root -g root -m 0755 "$D/keys"
	printf 'restrict,port-forwarding,from="192.0.2.10" %s\n' "$PUB" \
	    > "$D/keys/$L"
	chown root:root "$D/keys/$L" && chmod 0644 "$D/keys/$L"
	install -d -o root -g root -m 0755 "$D/pam.d"
	printf '@include common-session\nsession required pam_env.so\n' \
	    > "$D/pam.d/sshd"
	printf 'session required pam_unix.so\n' > "$D/pam.d/common-session"
	cat > "$D/sshd_config" <<CFG
HostKey $D/hostkey
AuthorizedKeysFile $D/keys/%u
UsePAM yes
PermitUserEnvironment no
Match User $L
    ForceCommand $GATE
    AllowTcpForwarding remote
    AllowStreamLocalForwarding remote
    StreamLocalBindUnlink yes
    StreamLocalBindMask 0117
    PermitListen none
    PermitOpen none
    PermitTTY no
    X11Forwarding no
    AllowAgentForwarding no
    PermitTunnel no
    PermitUserRC no
    AcceptEnv BORG_PASSPHRASE
CFG
}

audit() {	# audit [as USER] -> JSON records in $D/audit.json, status
	local rc
	"$LINT" --json --audit --gate "$GATE" --sshd-config "$D/sshd_config" \
	    --pam-dir "$D/pam.d" "$L" > "$D/audit.json" 2> "$D/audit.err"
	rc=$?
	return $rc
}

# expect NAME SUBJECT-PART [LEVEL]: the last audit reported this
expect() {
	"$SGT_PY" - "$D/audit.json" "$@" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
name, subject = sys.argv[2], sys.argv[3]
level = sys.argv[4] if len(sys.argv) > 4 else None
hits = [r for r in recs if r.get("type") == "finding" and r["name"] == name
        and subject in r["subject"] + " " + r["message"]
        and (level is None or r["level"] == level)]
if not hits:
    for r in recs:
        print("# " + json.dumps(r))
sys.exit(0 if hits else 1)
PY
}

# ---- the correct deployment ---------------------------------------------
deploy
audit; rc=$?
is "$rc" 0 "a correct deployment: exit 0"
"$SGT_PY" - "$D/audit.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
bad = [r for r in recs if r["type"] == "finding"]
for r in bad:
    print("# " + json.dumps(r))
sys.exit(1 if bad else 0)
PY
ok $? "a correct deployment: no findings"
out=$("$LINT" --audit --gate "$GATE" --sshd-config "$D/sshd_config" \
    --pam-dir "$D/pam.d" "$L")
is "$out" "audit of $L: no findings" "the text says so"
# without naming the account: the gate's group names it
"$LINT" --audit --gate "$GATE" --sshd-config "$D/sshd_config" \
    --pam-dir "$D/pam.d" > "$D/audit.txt" 2>&1
is "$(tail -1 "$D/audit.txt")" "audit of $L: no findings" \
    "the login account is found from the gate's group"

# ---- each fault alone ---------------------------------------------------
fault() {	# fault DESCRIPTION NAME SUBJECT-PART LEVEL -- COMMAND...
	local what=$1 name=$2 subject=$3 level=$4 rc
	shift 5
	deploy
	"$@" || sgt_bail "planting: $what"
	audit; rc=$?
	expect "$name" "$subject" "$level"
	ok $? "$what: reported as $name ($level)"
	case $level in
	error)	is "$rc" 2 "$what: exit 2" ;;
	*)	is "$rc" 1 "$what: exit 1" ;;
	esac
}
sedi() { local f=$1; shift; sed -i "$@" "$f"; }
keyline() { printf '%s %s\n' "$1" "$PUB" > "$D/keys/$L"; }
newpolicy() { sgt_policy - ; }

fault "gate mode 4755" gate-mode "$GATE" error -- chmod 4755 "$GATE"
fault "gate not setuid" gate-mode "not setuid" error -- chmod 0750 "$GATE"
fault "gate group root" gate-group "$GATE" error -- chgrp root "$GATE"
fault "gate missing" gate-missing "$GATE" error -- mv "$GATE" "$GATE.away"
mv "$GATE.away" "$GATE" 2>/dev/null
fault "policy writable by all" policy-untrusted "$SGT_POLICY" error -- \
    chmod 0666 "$SGT_POLICY"
fault "policy with a naive rule" policy-warnings "$SGT_POLICY" warning -- \
    sedi "$SGT_POLICY" 's|/ssh:\\/\\/backup\\/\\.\\/vps/|/.*/|'
fault "policy that does not parse" policy-errors "$SGT_POLICY" error -- \
    sedi "$SGT_POLICY" 's/^    as .*/    as/'
fault "login shell nologin" account-shell "nologin" error -- \
    usermod -s /usr/sbin/nologin "$L"
fault "login shell bash" account-shell "bash" warning -- \
    usermod -s /bin/bash "$L"
fault "a .bashrc for bash" bash-rc-file ".bashrc" warning -- \
    eval 'usermod -s /bin/bash "$L" && touch "$D/home/$L/.bashrc"'
fault "no ForceCommand, no command=" key-options "nothing forces" error -- \
    sedi "$D/sshd_config" '/ForceCommand/d'
fault "ForceCommand runs another program" sshd-forcecommand "/bin/true" \
    error -- sedi "$D/sshd_config" "s|ForceCommand .*|ForceCommand /bin/true|"
fault "AllowTcpForwarding yes" sshd-setting "AllowTcpForwarding yes" error -- \
    sedi "$D/sshd_config" 's/AllowTcpForwarding remote/AllowTcpForwarding yes/'
fault "AllowTcpForwarding no" sshd-setting "AllowTcpForwarding no" warning -- \
    sedi "$D/sshd_config" 's/AllowTcpForwarding remote/AllowTcpForwarding no/'
fault "AllowStreamLocalForwarding yes" sshd-setting \
    "AllowStreamLocalForwarding yes" error -- sedi "$D/sshd_config" \
    's/AllowStreamLocalForwarding remote/AllowStreamLocalForwarding yes/'
fault "PermitTTY yes" sshd-setting "PermitTTY yes" warning -- \
    sedi "$D/sshd_config" 's/PermitTTY no/PermitTTY yes/'
fault "PermitUserRC yes" sshd-setting "PermitUserRC yes" warning -- \
    sedi "$D/sshd_config" 's/PermitUserRC no/PermitUserRC yes/'
fault "PermitUserEnvironment yes" sshd-setting "PermitUserEnvironment yes" \
    error -- sedi "$D/sshd_config" \
    's/PermitUserEnvironment no/PermitUserEnvironment yes/'
fault "X11Forwarding yes" sshd-setting "X11Forwarding yes" warning -- \
    sedi "$D/sshd_config" 's/X11Forwarding no/X11Forwarding yes/'
fault "PermitListen any" sshd-setting "PermitListen any" warning -- \
    sedi "$D/sshd_config" '/PermitListen/d'
fault "StreamLocalBindMask 0177" sshd-setting "StreamLocalBindMask 0177" \
    warning -- sedi "$D/sshd_config" '/StreamLocalBindMask/d'
fault "Debian's AcceptEnv LANG LC_*" sshd-acceptenv "LC_*" warning -- \
    sedi "$D/sshd_config" 's/AcceptEnv BORG_PASSPHRASE/AcceptEnv LANG LC_*/'
fault "key without restrict" key-options "lacks 'restrict'" warning -- \
    keyline 'port-forwarding,from="192.0.2.10"'
fault "key without from=" key-options "no from=" warning -- \
    keyline 'restrict,port-forwarding'
fault "key without port-forwarding" key-options "forbids port forwarding" \
    warning -- keyline 'restrict,from="192.0.2.10"'
fault "key with another command=" key-options "does not run" error -- \
    keyline 'restrict,port-forwarding,from="192.0.2.10",command="/bin/sh"'
fault "keys the account owns" keys-writable "$D/keys/$L" warning -- \
    chown "$L" "$D/keys/$L"
fault "no keys" keys-missing "$L" warning -- rm "$D/keys/$L"
fault "socket directory 0777" socket-dir "$SOCKDIR" error -- \
    chmod 0777 "$SOCKDIR"
fault "socket directory of root" socket-dir "$SOCKDIR" error -- \
    chown root "$SOCKDIR"
fault "socket directory missing" socket-dir "does not exist" error -- \
    rmdir "$SOCKDIR"
fault "socket directory of another group" socket-dir "runner's group" \
    warning -- chgrp root "$SOCKDIR"
fault "pam_env user_readenv=1" pam-user-readenv "$D/pam.d/common-session" \
    warning -- eval 'echo "session required pam_env.so user_readenv=1" \
    >> "$D/pam.d/common-session"'
fault "a runner that does not exist" runner-missing "sgt-nosuch" error -- \
    sedi "$SGT_POLICY" "s/^    as .*/    as sgt-nosuch$$/"
fault "a writable path that does not exist" write-path "$D/var" error -- \
    rmdir "$D/var"
# The gate walks a writable path as root before anything uses it: root's
# directories above it, the runner's or root's path, no symlink.
fault "a writable path below the login account's home" write-path \
    "the gate refuses this writable path: directory $D/home/$L is owned by uid $(id -u "$L"), not root" \
    error -- eval 'install -d -o "$R" -g "$R" -m 0700 "$D/home/$L/cache" &&
    sedi "$SGT_POLICY" "s|write    $D/var|write    $D/home/$L/cache|"'
rm -rf "$D/home/$L/cache"
fault "a writable path that is a symlink" write-path \
    "the gate refuses this writable path: $D/var is a symbolic link" error -- \
    eval 'mv "$D/var" "$D/var.real" && ln -s var.real "$D/var"'
rm -f "$D/var"; rm -rf "$D/var.real"
fault "a writable path of another account" write-path \
    "directory $D/var is owned by uid $(id -u "$L"), not root or uid $(id -u "$R")" \
    error -- chown "$L" "$D/var"
# An exec path as the gate walks it before granting the execute right
# (gate/landlock.c): root's alone, below root's directories, links
# followed (the reason and the fix name where they lead).
fault "an exec path below the login account's home" exec-path \
    "the gate refuses this exec path: directory $D/home/$L is owned by uid $(id -u "$L"), not root" \
    error -- eval 'install -d -o root -g root -m 0755 "$D/home/$L/bin" &&
    sedi "$SGT_POLICY" "s|exec     $D/libexec|exec     $D/home/$L/bin|"'
rm -rf "$D/home/$L/bin"
fault "an exec path the runner owns" exec-path \
    "the gate refuses this exec path: directory $D/libexec is owned by uid $(id -u "$R"), not root" \
    error -- chown "$R" "$D/libexec"
fault "an exec path writable by its group" exec-path \
    "the gate refuses this exec path: directory $D/libexec is writable by its group (mode 0775)" \
    error -- chmod 0775 "$D/libexec"
"$SGT_PY" - "$D/audit.json" "$D/libexec" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if any(r.get("name") == "exec-path" and
    r["subject"] == sys.argv[2] and
    (r["fix"] or "").startswith("chmod go-w " + sys.argv[2] + ", if nobody "
    "else needs to write it; or ") for r in recs) else 1)
PY
ok $? "an exec path writable by its group: the fix is chmod go-w, or another place"
fault "an exec path that does not exist" exec-path \
    "$D/libexec" error -- rmdir "$D/libexec"
fault "an exec path linked into the login account's home" exec-path \
    "the gate refuses this exec path: directory $D/home/$L is owned by uid $(id -u "$L"), not root" \
    error -- eval 'install -d -o root -g root -m 0755 "$D/home/$L/bin" &&
    rmdir "$D/libexec" && ln -s "home/$L/bin" "$D/libexec"'
"$SGT_PY" - "$D/audit.json" "$D/libexec" "$D/home/$L" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if any(r.get("name") == "exec-path" and
    r["subject"] == sys.argv[2] and sys.argv[3] in (r["fix"] or "")
    for r in recs) else 1)
PY
ok $? "an exec path linked into the login account's home: the fix names the real directory"
rm -rf "$D/home/$L/bin"
# A read path as the gate walks it for the read scope: the runner's or
# root's, below root's directories, links followed.
fault "a read path below the login account's home" read-path \
    "the gate refuses this readable path: directory $D/home/$L is owned by uid $(id -u "$L"), not root" \
    error -- eval 'install -d -o "$R" -g "$R" -m 0700 "$D/home/$L/data" &&
    sedi "$SGT_POLICY" "s|read     $D/data|read     $D/home/$L/data|"'
rm -rf "$D/home/$L/data"
fault "a read path of the login account" read-path \
    "the gate refuses this readable path: directory $D/data is owned by uid $(id -u "$L"), not root or uid $(id -u "$R")" \
    error -- chown "$L" "$D/data"
fault "a read path that does not exist" read-path "$D/data" error -- \
    rmdir "$D/data"

# The socket directory: the audit and sshgate-connect walk it the same way
# (policy/trust.c) and give the same reason.
[ "$(stat -c '%u %a' /tmp)" = "0 1777" ] || sgt_bail "/tmp is not root's 1777"
tsock=/tmp/sgt-sock$SGT_ID
SGT_EXTRA_CLEANUP="rm -rf $tsock"	# socket directories, keys
as_runner() { setpriv --reuid="$R" --regid="$R" --clear-groups -- "$@"; }
connect_says() {	# connect_says SOCKET: sshgate-connect's reason, status 2
	local out
	out=$(as_runner "$D/bin/sshgate-connect" -u "$L" "$1" </dev/null 2>&1)
	[ $? = 2 ] || return 1
	printf '%s\n' "${out#*refused: }"
}
sock_at() {	# sock_at DIR: the policy's socket in DIR, made as install does
	install -d -o "$L" -g "$R" -m 2750 "$1" &&
	    sedi "$SGT_POLICY" "s|$SOCKDIR/borg.sock|$1/borg.sock|"
}
why="directory /tmp is writable by others (mode 1777)"
# Before: the subject was the 0750 socket directory, for the mode of the
# 1777 /tmp above it, and the fix offered "chmod go-w /tmp".  Now the
# subject is /tmp, the message names the socket directory, and the fix
# is to move it (a sticky directory is everyone's to write).
fault "a socket directory under /tmp" socket-dir \
    "sshgate-connect refuses the socket directory $tsock: $why" error -- \
    sock_at "$tsock"
"$SGT_PY" - "$D/audit.json" "$tsock" "$L" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
got = [r for r in recs if r.get("name") == "socket-dir"]
want = [{"type": "finding", "level": "error", "name": "socket-dir",
         "subject": "/tmp", "message": "rule 'borg-list': sshgate-connect "
         "refuses the socket directory %s: directory /tmp is writable by "
         "others (mode 1777)" % sys.argv[2],
         "fix": "move it to /run/sshgate/%s (setup/vps/install's layout: "
         "/run/sshgate root's, mode 0755)" % sys.argv[3]}]
if got != want:
    print("# got:  " + json.dumps(got))
    print("# want: " + json.dumps(want))
sys.exit(got != want)
PY
ok $? "a socket directory under /tmp: /tmp is blamed, exact message and fix"
is "$(connect_says "$tsock/borg.sock")" "$why" \
    "a socket directory under /tmp: sshgate-connect refuses it, same reason"
why="directory $D/home/$L is owned by uid $(id -u "$L"), not root"
fault "a socket directory below the login account's home" socket-dir \
    "sshgate-connect refuses the socket directory $D/home/$L/sock: $why" error -- \
    sock_at "$D/home/$L/sock"
expect socket-dir "$D/home/$L rule 'borg-list'" error
ok $? "a socket directory below the login's home: the home is the subject"
is "$(connect_says "$D/home/$L/sock/borg.sock")" "$why" \
    "a socket directory below the login's home: sshgate-connect refuses it, same reason"
rm -rf "$D/home/$L/sock" "$tsock"
# The keys file through the same walker: a sticky /tmp above it counts.
fault "keys below /tmp" keys-writable \
    "directory /tmp is writable by others (mode 1777)" warning -- \
    eval 'install -d -m 0755 "$tsock" && cp -p "$D/keys/$L" "$tsock/$L" &&
    sedi "$D/sshd_config" "s|^AuthorizedKeysFile .*|AuthorizedKeysFile $tsock/%u|"'
rm -rf "$tsock"
deploy
install -o "$L" -g "$R" -m 0660 /dev/null "$SOCKDIR/borg.sock"
out=$(as_runner "$D/bin/sshgate-connect" -u "$L" "$SOCKDIR/borg.sock" </dev/null 2>&1)
is "$out" "sshgate-connect: $SOCKDIR/borg.sock is not a socket" \
    "the correct socket directory: sshgate-connect accepts it (and looks at the socket)"
rm -f "$SOCKDIR/borg.sock"

# ---- every fault at once ----------------------------------------------------
deploy
chmod 4755 "$GATE"
chmod 0666 "$SGT_POLICY"
usermod -s /bin/bash "$L"
touch "$D/home/$L/.bashrc"
sed -i -e 's/AllowTcpForwarding remote/AllowTcpForwarding yes/' \
    -e 's/PermitTTY no/PermitTTY yes/' \
    -e 's/AcceptEnv BORG_PASSPHRASE/AcceptEnv LANG LC_*/' \
    -e '/ForceCommand/d' "$D/sshd_config"
keyline 'from="192.0.2.10"'
chmod 0777 "$SOCKDIR"
echo "session required pam_env.so user_readenv=1" >> "$D/pam.d/sshd"
audit; rc=$?
is "$rc" 2 "all faults at once: exit 2"
for want in "gate-mode $GATE" "policy-untrusted $SGT_POLICY" \
    "account-shell bash" "bash-rc-file .bashrc" \
    "sshd-setting AllowTcpForwarding" "sshd-setting PermitTTY" \
    "sshd-acceptenv LANG" "key-options nothing forces" \
    "key-options lacks 'restrict'" "socket-dir $SOCKDIR" \
    "pam-user-readenv $D/pam.d/sshd"; do
	expect "${want%% *}" "${want#* }"
	ok $? "all at once: $want"
done

# ---- messages: what is wrong, where, and the fix with the real names ------
# text mode, for the exact lines an administrator reads
audit_text() {	# audit_text [ARGS...] -> $D/audit.txt
	"$LINT" --audit --sshd-config "$D/sshd_config" --pam-dir "$D/pam.d" \
	    "$@" > "$D/audit.txt" 2>&1
}
fixof() {	# fixof NAME: the fix of the last JSON audit's finding NAME
	"$SGT_PY" -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("name") == sys.argv[2]:
        print(r["fix"]); break' "$D/audit.json" "$1"
}

# A missing policy.  Before: "policy-untrusted ... cannot open DIR" with
# "fix: chown root:root the file, chmod 0644 ..." and an "unreadable"
# finding for the same file.  Now one finding that says it does not
# exist and how to install one.
deploy
rm "$SGT_POLICY"
audit_text --gate "$GATE" "$L"
grep -F "$SGT_POLICY" "$D/audit.txt" | grep -v '^    fix: ' > "$D/pol.txt"
is "$(cat "$D/pol.txt")" \
    "$SGT_POLICY: error: the policy does not exist: the gate permits nothing [policy-missing]" \
    "a missing policy: one finding, it does not exist"
grep -qxF "    fix: install -o root -g root -m 0644 YOUR-POLICY $SGT_POLICY, once sshgate-lint -f YOUR-POLICY passes (setup/vps/install installs the shipped one)" "$D/audit.txt"
ok $? "a missing policy: the fix installs one there"
! grep -q 'chown root:root\|policy-untrusted\|unreadable' "$D/audit.txt"
ok $? "a missing policy: no chown/chmod fix, no untrusted or unreadable finding"
# ... in a directory that is missing too, no gate, no account named:
# before, "(login account)" ... "fix: name it: sshgate-lint --audit USER"
# and the summary "audit of ?"
audit_text --gate "$D/bin/nosuch" -f "$D/sgt-nodir/policy"
is "$(cat "$D/audit.txt")" \
"$D/sgt-nodir/policy: error: the policy does not exist: the gate permits nothing [policy-missing]
    fix: install -d -o root -g root -m 0755 $D/sgt-nodir && install -o root -g root -m 0644 YOUR-POLICY $D/sgt-nodir/policy, once sshgate-lint -f YOUR-POLICY passes (setup/vps/install installs the shipped one)
(login account): error: cannot tell which account is the login account: the gate is not installed there, so its group cannot name it [account-missing]
    fix: name it: sshgate-lint --audit followed by the account the backup server logs in as
audit of $D/sgt-nodir/policy: 2 errors, 0 warnings, 0 not checked" \
    "no policy, no directory, no gate: each said once, the summary names the policy"

# The account, when the gate cannot name it: the policy's connector does
deploy
audit_text --gate "$D/bin/nosuch"
grep -qxF "    fix: name it: sshgate-lint --audit $L (the account the policy's sshgate-connect -u names)" "$D/audit.txt"
ok $? "no gate: the fix names the login account the policy's connector names"
# ... and an account that does not exist: before, "create it, or name
# the right one"
audit_text --gate "$GATE" "sgt-nouser$$"
grep -qxF "    fix: useradd --create-home --shell /bin/sh sgt-nouser$$ (setup/vps/install creates it), or name the right one" "$D/audit.txt"
ok $? "an account that does not exist: the fix creates it by its name"

# A relative -f.  Before: "the gate refuses the policy: policy is not an
# absolute path" with the chown fix.  Now it is taken from the working
# directory as the gate would walk it: the correct deployment is clean.
deploy
(cd "$(dirname "$SGT_POLICY")" && "$LINT" --audit --gate "$GATE" \
    --sshd-config "$D/sshd_config" --pam-dir "$D/pam.d" \
    -f "$(basename "$SGT_POLICY")" "$L") > "$D/audit.txt" 2>&1
is "$(cat "$D/audit.txt")" "audit of $L: no findings" \
    "a relative -f of the installed policy: checked by its absolute path, no findings"
(cd "$D" && "$LINT" --audit --gate "$GATE" --sshd-config "$D/sshd_config" \
    --pam-dir "$D/pam.d" -f sgt-none.policy "$L") > "$D/audit.txt" 2>&1
grep -qxF "$D/sgt-none.policy: error: the policy does not exist: the gate permits nothing [policy-missing]" "$D/audit.txt"
ok $? "a relative -f that does not exist: missing, by its absolute path"

# A runner that does not exist.  Before: "useradd ... ACCOUNT".
fault "a runner that does not exist (fix)" runner-missing "sgt-nosuch" error -- \
    sedi "$SGT_POLICY" "s/^    as .*/    as sgt-nosuch$$/"
is "$(fixof runner-missing)" \
    "useradd --system --no-create-home --shell /usr/sbin/nologin sgt-nosuch$$" \
    "a runner that does not exist: the fix creates it by its name"
# The policy's own fixes name the file.  Before: "sshgate-lint -f FILE".
fault "a policy that does not parse (fix)" policy-errors "$SGT_POLICY" error -- \
    sedi "$SGT_POLICY" 's/^    as .*/    as/'
is "$(fixof policy-errors)" "run sshgate-lint -f $SGT_POLICY and fix what it reports" \
    "a policy that does not parse: the fix names the file"
fault "a policy writable by all (fix)" policy-untrusted "$SGT_POLICY" error -- \
    chmod 0666 "$SGT_POLICY"
is "$(fixof policy-untrusted)" \
    "chown root:root $SGT_POLICY && chmod 0644 $SGT_POLICY" \
    "a policy writable by all: the fix names the file"
# ... and a directory above it that is not root's alone: that directory
fault "a policy in a directory the login account owns" policy-untrusted \
    "$SGT_POLICY" error -- chown "$L" "$(dirname "$SGT_POLICY")"
is "$(fixof policy-untrusted)" \
    "chown root:root $(dirname "$SGT_POLICY") && chmod go-w $(dirname "$SGT_POLICY"), if nobody else needs to write it; or keep the policy elsewhere" \
    "a policy in a directory the login account owns: the fix names that directory"
chown root: "$(dirname "$SGT_POLICY")"
# ... and a policy in /tmp: not "chmod go-w /tmp" (before, "chown
# root:root the file ..."), but to keep it elsewhere
install -o root -g root -m 0644 "$SGT_POLICY" "/tmp/sgt-pol$$"
SGT_EXTRA_CLEANUP="rm -f /tmp/sgt-pol$$; ${SGT_EXTRA_CLEANUP:-}"
audit_text --gate "$GATE" -f "/tmp/sgt-pol$$" "$L"
rm -f "/tmp/sgt-pol$$"
grep -qxF "    fix: keep the policy where only root writes every directory above it, as the gate's $SGT_POLICY" "$D/audit.txt"
ok $? "a policy in /tmp: the fix keeps it where the gate reads it"

# The key's fix with the real names.  Before: from="BACKUP-SERVER" and
# command="sshgate" whatever the key and the policy said.
fault "key without restrict (fix)" key-options "lacks 'restrict'" warning -- \
    keyline 'port-forwarding,from="192.0.2.10"'
is "$(fixof key-options)" \
    'start the key with: restrict,port-forwarding,from="192.0.2.10"' \
    "key without restrict: the fix keeps the key's from="
fault "no ForceCommand, no command= (fix)" key-options "nothing forces" error -- \
    eval 'sedi "$D/sshd_config" "/ForceCommand/d" &&
    keyline "restrict,port-forwarding"'
is "$(fixof key-options)" \
    "start the key with: restrict,port-forwarding,from=\"192.0.2.10\",command=\"$GATE\"" \
    "nothing forces the gate: the fix names the policy's address and the gate"
# A tag the ForceCommand hides.  Before: "ForceCommand sshgate TAG".
fault "a tag ForceCommand hides" sshd-forcecommand "no tag reaches" warning -- \
    sedi "$SGT_POLICY" 's/^    from     192.0.2.10$/    from     192.0.2.10\n    tag      site1/'
is "$(fixof sshd-forcecommand)" \
    "give the tag in ForceCommand (ForceCommand $GATE site1), or drop ForceCommand and use command=\"$GATE site1\" in authorized_keys" \
    "a tag ForceCommand hides: the fix names the gate and the policy's tag"

# sshd -T without /run/sshd, as root.  Before: "fix: run the audit as
# root".  Now what sshd said, and how to make the directory.
deploy
rmdir /run/sshd || sgt_bail "rmdir /run/sshd"
audit; rc=$?
mkdir -m 0755 /run/sshd || sgt_bail "mkdir /run/sshd"
is "$rc" 1 "sshd -T without /run/sshd: exit 1 (not checked)"
expect sshd-unreadable "Missing privilege separation directory: /run/sshd" unchecked
ok $? "sshd -T without /run/sshd: sshd's own reason"
is "$(fixof sshd-unreadable)" \
    "sshd -T needs /run/sshd: mkdir -m 0755 /run/sshd, or start sshd once" \
    "sshd -T without /run/sshd: the fix makes the directory, not 'run as root'"

# ---- unprivileged -------------------------------------------------------------
deploy
setpriv --reuid="$R" --regid="$R" --clear-groups -- "$LINT" --json --audit \
    --gate "$GATE" --sshd-config "$D/sshd_config" --pam-dir "$D/pam.d" "$L" \
    > "$D/audit.json" 2>&1; rc=$?
is "$rc" 1 "unprivileged: exit 1 (something not checked)"
expect sshd-unreadable "sshd -T" unchecked
ok $? "unprivileged: it says it could not read sshd's settings"
is "$(fixof sshd-unreadable)" "run the audit as root: sshd -T reads the host keys" \
    "unprivileged: the fix is to run the audit as root"
"$SGT_PY" - "$D/audit.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
errs = [r for r in recs if r.get("level") in ("error", "warning")]
for r in errs:
    print("# " + json.dumps(r))
sys.exit(1 if errs else 0)
PY
ok $? "unprivileged: and no false finding from what it could not read"
sgt_done
