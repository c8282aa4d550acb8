#!/bin/bash
# What must fail, fails clearly: a denied command, a wrong repository, a
# missing tunnel (three ways), a squatted socket, another ssh session's
# socket, a socket directory others can write -- each with a message on
# the backup server's side and
# a non-zero borgmatic result -- and the attacks the sudo rule allowed.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_init "$@"
e2e_start
e2e_make_tree "$E2E_DATA" 1 || sgt_bail "cannot make the tree"
sockdir=$E2E_VPS/run/$SGT_LOGIN

# A variant of the job: the shipped config and wrapper, one setting changed.
variant() {	# variant NAME SED-ON-YAML SED-ON-CONF: prints the yaml path
	local v=$E2E_CONF/$E2E_NAME-$1
	sed "$3" "$E2E_CONF/$E2E_NAME.conf" > "$v.conf"
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$E2E_SRV/libexec/sshgate-pull" "$v.conf" \
	    > "$E2E_SRV/libexec/sshgate-pull-$E2E_NAME-$1"
	chmod 0755 "$E2E_SRV/libexec/sshgate-pull-$E2E_NAME-$1"
	sed -e "s|sshgate-pull-$E2E_NAME\$|sshgate-pull-$E2E_NAME-$1|" -e "$2" \
	    "$E2E_PULL_YAML" > "$v-pull.yaml"
	printf '%s\n' "$v-pull.yaml"
}

fails_with() {	# fails_with DESCRIPTION TEXT BORGMATIC-ARGS...
	local what=$1 text=$2 out rc
	shift 2
	out=$(e2e_borgmatic "$@" 2>&1)
	rc=$?
	[ $rc -ne 0 ]
	ok $? "$what: borgmatic fails (status $rc)"
	printf '%s\n' "$out" | grep -qF -- "$text"
	rc=$?
	ok $rc "$what: the server side says \"$text\""
	[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
}

permits() { grep -c 'permit rule=borg-create' "$SGT_DIR/syslog"; }

# ---- a denied command ---------------------------------------------------------

fails_with "prune through the VPS" \
    "sshgate: denied: rule 'run-on-server': prune, compact and check run on the backup server" \
    --config "$E2E_PULL_YAML" prune
e2e_last_deny | grep -q "reason=\"rule 'run-on-server'.*command=\"borg 'prune'"
ok $? "... and the VPS logs the denial with the command"

# ---- a wrong repository URL -----------------------------------------------------

y=$(variant repo 's|ssh://backup/./vps$|ssh://backup/./elsewhere|' '')
fails_with "a wrong repository URL" \
    "this host backs up only to ssh://backup/./vps" --config "$y" create

# ---- a missing tunnel ---------------------------------------------------------------

# 1. the server's socket unit is not running
e2e_serve_stop
fails_with "no borg serve socket on the server" \
    "is not a socket: is the borg serve socket unit for this job running?" \
    --config "$E2E_PULL_YAML" create
e2e_serve_start

# 2. the VPS cannot bind the socket (its directory is gone: a reboot
#    without the tmpfiles.d snippet); ExitOnForwardFailure stops ssh
#    before any command runs there
n=$(permits)
mv "$sockdir" "$sockdir.away"
fails_with "the VPS refuses the tunnel" "remote port forwarding failed" \
    --config "$E2E_PULL_YAML" create
out=$(e2e_borgmatic --config "$E2E_PULL_YAML" create 2>&1)
printf '%s\n' "$out" | grep -q "the tunnel .* could not be set up"
ok $? "... and the wrapper says which tunnel could not be set up"
is "$(permits)" "$n" "... and borg create never started on the VPS"
mv "$sockdir.away" "$sockdir"

# 3. the tunnel goes elsewhere: sshgate-connect finds only the socket an
#    earlier session left (sshd does not remove it), or none at all, and
#    says so
y=$(variant elsewhere '' "s|^REMOTE_SOCKET=.*|REMOTE_SOCKET=$sockdir/elsewhere.sock|")
[ -S "$sockdir/borg.sock" ]
ok $? "an earlier session left its socket behind"
fails_with "a tunnel to another path, a stale socket" \
    "borg.sock: nobody listens on it (a socket left by an earlier session): is the tunnel up?" \
    --config "$y" create
rm -f "$sockdir/borg.sock"
fails_with "a tunnel to another path, no socket" \
    "borg.sock: No such file or directory (is the tunnel up?" --config "$y" create

# ---- a squatted socket ----------------------------------------------------------------

# Another account's socket where the policy's socket should be (the
# directory is the login account's, 2750: root places it, as a
# misconfiguration would).  The connector refuses it before connecting:
# the squatter's listener sees no connection at all.
squatter=sgt-q$SGT_ID
sgt_add_user "$squatter" /usr/sbin/nologin
"$SGT_PY" - "$sockdir/borg.sock" "$SGT_DIR/squat-count" "$squatter" <<'PY' &
import os, pwd, socket, sys
pw = pwd.getpwnam(sys.argv[3])
s = socket.socket(socket.AF_UNIX)
if os.path.lexists(sys.argv[1]):
    os.unlink(sys.argv[1])
s.bind(sys.argv[1])
os.chown(sys.argv[1], pw.pw_uid, pw.pw_gid)
os.chmod(sys.argv[1], 0o666)
count = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.setgid(pw.pw_gid); os.setuid(pw.pw_uid)
s.listen()
n = 0
os.pwrite(count, b"0\n", 0)
while True:
    c, _ = s.accept()
    n += 1
    os.pwrite(count, b"%d\n" % n, 0)
    c.close()
PY
SGT_PIDS="$SGT_PIDS $!"
for i in $(seq 100); do [ -s "$SGT_DIR/squat-count" ] && break; sleep 0.05; done
is "$(stat -c %U "$sockdir/borg.sock")" "$squatter" "a squatter's socket is in place"
fails_with "a squatted socket (the tunnel elsewhere)" \
    "borg.sock is owned by uid $(id -u "$squatter"), not the login account" \
    --config "$y" create
is "$(cat "$SGT_DIR/squat-count")" 0 "... refused before any connection to it"
# With the real wrapper, sshd replaces it (StreamLocalBindUnlink) with
# the session's own socket, and the backup goes where it should.
out=$(e2e_borgmatic --config "$E2E_PULL_YAML" create 2>&1)
ok $? "with the tunnel, sshd replaces the squatted socket and the backup succeeds"
[ -n "$out" ] && diag "$out"
is "$(cat "$SGT_DIR/squat-count")" 0 "... and the squatter never received a connection"

# ---- another ssh session's socket ---------------------------------------------------

# A second backup server that logs in as the same account holds a tunnel
# at the job's socket path, without running anything (ssh -N): sshd binds
# it as the login account.  A session of the job whose own tunnel goes
# elsewhere must not reach it: its connector refuses a listener that is
# not its own session's sshd (no ancestor of it).
rm -f "$sockdir/borg.sock"
e2e_ssh -N -o ExitOnForwardFailure=yes -R "$sockdir/borg.sock:$E2E_SERVE_SOCKET" \
    127.0.0.1 < /dev/null &
holder=$!
SGT_PIDS="$SGT_PIDS $holder"
for i in $(seq 100); do [ -S "$sockdir/borg.sock" ] && break; sleep 0.05; done
is "$(stat -c %U "$sockdir/borg.sock" 2>&1)" "$SGT_LOGIN" \
    "another session's tunnel is at the job's socket, the login account's"
n=$(e2e_archives | wc -l)
out=$(e2e_borgmatic --config "$y" create 2>&1)
rc=$?
[ $rc -ne 0 ]
ok $? "another session's socket (the tunnel elsewhere): borgmatic fails (status $rc)"
printf '%s\n' "$out" | grep -Eq "sshgate-connect: $sockdir/borg\.sock: the listening process \(pid [0-9]+\) is not this ssh session's sshd: another session's socket"
rc=$?
ok $rc "... the server side says \"the listening process (pid N) is not this ssh session's sshd: another session's socket\""
[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
is "$(e2e_archives | wc -l)" "$n" "... and no archive reached the repository through it"
pkill -TERM -P "$holder"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
out=$(e2e_borgmatic --config "$E2E_PULL_YAML" create 2>&1)
ok $? "with its own tunnel, the job's backup succeeds"
[ -n "$out" ] && diag "$out"

# ---- a socket directory others can write --------------------------------------------

chmod 2770 "$sockdir"
fails_with "a group-writable socket directory" \
    "socket directory $sockdir refused: directory $sockdir is writable by its group (mode 2770)" \
    --config "$E2E_PULL_YAML" create
chmod 2750 "$sockdir"

# ---- attacks: what the sudo rule allowed, and what sshd must refuse --------------------

attack() {	# attack DESCRIPTION WANT-STATUS TEXT SSH-ARGS...
	local what=$1 want=$2 text=$3 out rc
	shift 3
	out=$(e2e_ssh "$@" < /dev/null 2>&1)
	rc=$?
	is "$rc" "$want" "$what: refused (status $rc)"
	[ -n "$text" ] || return 0
	printf '%s\n' "$out" | grep -qF -- "$text"
	rc=$?
	ok $rc "$what: \"$text\""
	[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
}
attack "the sudo rule's root shell (borg --rsh='sh -c id')" 3 \
    "sshgate: denied: rule 'old-wrapper-rsh'" \
    127.0.0.1 "sudo -E borg --rsh='sh -c id' --version"
attack "borg create running a command" 3 "sshgate: denied" \
    127.0.0.1 "borg create --content-from-command ssh://backup/./vps::x -- id"
attack "borg extract (writing files on the VPS)" 3 "sshgate: denied" \
    127.0.0.1 "borg extract ssh://backup/./vps::x etc/shadow"
attack "an interactive shell" 3 "sshgate: denied: no command given" 127.0.0.1
attack "a terminal" 255 "PTY allocation request failed" -tt 127.0.0.1 borg --version
attack "the sftp subsystem" 3 "" -s 127.0.0.1 sftp
# sshd hands the subsystem's program over as the command
e2e_last_deny | grep -q 'command="/usr/lib/openssh/sftp-server"'
ok $? "... and the VPS logs the sftp request as a denied command"
attack "a TCP connection through the VPS (-W)" 255 "stdio forwarding failed" \
    -W 127.0.0.1:22 127.0.0.1
attack "a TCP port opened on the VPS (-R)" 255 "remote port forwarding failed" \
    -o ExitOnForwardFailure=yes -R 127.0.0.1:2222:127.0.0.1:22 127.0.0.1 borg --version

sgt_done
