#!/bin/bash
# Two backup servers pull from one VPS login at the same moment, each
# through its own forwarded socket, pinned by the policy for its key.
# Each server is set up by setup/server/install --vps-server a|b (its own
# account, repository, units, key); the VPS by setup/vps/install --server
# a ... --server b ... (each key with command="sshgate NAME", each
# server's rules tagged and pinned to NAME.sock).  Both borgmatic creates
# run at once: each server's borg serve (its socket unit) is held with
# SIGSTOP until both sessions are up on the VPS, each with its own socket
# and its own connector, then both run.  Each repository gets exactly its
# own new archive, and each restores identical to the source; the gate
# logged each session with its own tag and rule.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_prepare
sockdir=/run/sshgate/$SGT_LOGIN

# ---- both servers, then the VPS -------------------------------------------------

for s in a b; do
	e2e_server_add "$s" || sgt_bail "setup/server/install --vps-server $s failed"
	is "$E2E_REMOTE_SOCKET" "$sockdir/$s.sock" \
	    "server $s: setup/server/install --vps-server $s forwards to $sockdir/$s.sock"
	grep -q "setup/vps/install --login $SGT_LOGIN --server $s --from " "$E2E_SRV/install.log" &&
	    grep -q "every other backup server of this VPS" "$E2E_SRV/install.log"
	ok $? "... and prints the VPS command with --server $s, and says to give every server"
done
e2e_vps_install_servers || sgt_bail "setup/vps/install --server a --server b failed"
ok 0 "setup/vps/install --server a --server b"
grep -q "^restrict,port-forwarding,from=\"127.0.0.1\",command=\"$SGT_DIR/bin/sshgate a\" $(cut -d' ' -f1-2 "$SGT_DIR/srv-a/conf/$E2E_NAME.key.pub") " "$E2E_VPS/keys/$SGT_LOGIN" &&
    grep -q "^restrict,port-forwarding,from=\"127.0.0.1\",command=\"$SGT_DIR/bin/sshgate b\" $(cut -d' ' -f1-2 "$SGT_DIR/srv-b/conf/$E2E_NAME.key.pub") " "$E2E_VPS/keys/$SGT_LOGIN"
ok $? "each server's key runs the gate with its own tag"

e2e_sshd_start
for s in a b; do
	e2e_server_use "$s"
	e2e_serve_start
done

e2e_make_tree "$E2E_DATA" 1 || sgt_bail "cannot make the tree"
e2e_snapshot "$E2E_DATA" > "$SGT_DIR/snap.json"

# ---- both at once ----------------------------------------------------------------------

# Each server's socket activator is stopped before its backup starts: the
# borg on the VPS connects through the tunnel into the listening socket's
# queue, and no borg serve answers until it is continued.  So both
# sessions are certainly up at the same moment.
declare -A pid serve
for s in a b; do
	e2e_server_use "$s"
	serve[$s]=$E2E_SERVE_PID
	kill -STOP "${serve[$s]}" || sgt_bail "cannot hold server $s's socket activator"
	e2e_borgmatic --config "$E2E_PULL_YAML" --verbosity 1 create --stats \
	    > "$SGT_DIR/$s.out" 2>&1 &
	pid[$s]=$!
done
connector() {	# the VPS's connector to SOCKET, while it runs
	sgt_pgrep -u "$SGT_RUNNER" -f "sshgate-connect -u $SGT_LOGIN $1 " | head -1
}
for i in $(seq 600); do
	[ -n "$(connector "$sockdir/a.sock")" ] && [ -n "$(connector "$sockdir/b.sock")" ] && break
	sleep 0.05
done
[ -n "$(connector "$sockdir/a.sock")" ] && [ -n "$(connector "$sockdir/b.sock")" ]
ok $? "both sessions are up at once: on the VPS, a connector to a.sock and one to b.sock"
[ -S "$sockdir/a.sock" ] && [ -S "$sockdir/b.sock" ] &&
    [ "$(stat -c %i "$sockdir/a.sock")" != "$(stat -c %i "$sockdir/b.sock")" ]
ok $? "... $sockdir/a.sock and b.sock both there, two sockets"
is "$(grep -c "permit rule=borg-create\." "$SGT_DIR/syslog")" 2 "... and the gate has permitted two borg creates"
# Each session, found by its tag: the gate that logged "permit
# rule=borg-create.NAME", the borg it runs (its child), that borg's
# BORG_RSH and connector, and the sshd that listens on the socket: the
# sshd of the same session (an ancestor of the gate).
ppid() { ps -o ppid= -p "$1" | tr -d ' '; }
ancestors() { local p=$1; while p=$(ppid "$p") && [ -n "$p" ] && [ "$p" -gt 1 ]; do echo "$p"; done; }
for s in a b; do
	g=$(sed -n "s/.*sshgate\[\([0-9]*\)\]: permit rule=borg-create\.$s .* tag=$s .*/\1/p" "$SGT_DIR/syslog" | tail -1)
	borg=$([ -n "$g" ] && pgrep -P "$g" | head -1)
	rsh=$([ -n "$borg" ] && tr '\0' '\n' < "/proc/$borg/environ" | sed -n 's/^BORG_RSH=//p')
	is "$rsh" "$SGT_DIR/bin/sshgate-connect -u $SGT_LOGIN $sockdir/$s.sock" \
	    "tag $s: the gate's borg create on the VPS has BORG_RSH pinned to $s.sock"
	c=$([ -n "$borg" ] && pgrep -P "$borg" -f sshgate-connect | head -1)
	[ -n "$c" ] && [ "$c" = "$(connector "$sockdir/$s.sock")" ]
	ok $? "... and its connector is the one connected to $s.sock"
	l=$(ss -xlpn | grep -F " $sockdir/$s.sock " | grep -o 'pid=[0-9]*' | head -1)
	[ -n "$g" ] && [ -n "$l" ] && ancestors "$g" | grep -qx "${l#pid=}"
	ok $? "... whose listener ($l) is the sshd of the same session"
done
for s in a b; do kill -CONT "${serve[$s]}"; done
for s in a b; do
	wait "${pid[$s]}"
	rc=$?
	ok $rc "server $s's backup succeeds"
	[ $rc -eq 0 ] || sed 's/^/#   /' "$SGT_DIR/$s.out"
done

# ---- the gate's log: each session its own tag and rule -------------------------------------

for s in a b; do
	grep -q "permit rule=borg-create.$s caller=$SGT_LOGIN([0-9]*) from=127.0.0.1 tag=$s runner=$SGT_RUNNER " "$SGT_DIR/syslog"
	ok $? "the gate logged: permit rule=borg-create.$s ... tag=$s"
	grep -q "permit rule=borg-version caller=$SGT_LOGIN([0-9]*) from=127.0.0.1 tag=$s " "$SGT_DIR/syslog"
	ok $? "... after the version probe with tag $s"
done
! grep -E 'sshgate\[[0-9]+\]: permit ' "$SGT_DIR/syslog" |
    grep -E ' rule=[a-z-]+\.(a .* tag=b|b .* tag=a) '
ok $? "no rule of one server was used with the other's tag"
is "$(grep -cE 'sshgate\[[0-9]+\]: deny ' "$SGT_DIR/syslog")" 0 "nothing was denied"

# ---- each repository: exactly its own new archive, identical to the source ------------

for s in a b; do
	e2e_server_use "$s"
	archives=$(e2e_archives)
	is "$(printf '%s\n' "$archives" | grep -c .)" 1 "server $s's repository has exactly one archive"
	name=$(sed -n 's/^Archive name: *//p' "$SGT_DIR/$s.out")
	is "$archives" "$name" "... the one server $s's backup reported ($name)"
	if e2e_restore "$archives" "$E2E_DATA_ROOT/restore-$s" > "$SGT_DIR/restore-$s.log" 2>&1; then
		out=$(e2e_compare "$SGT_DIR/snap.json" "$E2E_DATA_ROOT/restore-$s$E2E_DATA")
		ok $? "... and restores identical to the source"
		diag "$out"
	else
		ok 1 "... and restores identical to the source"
		sed 's/^/#   /' "$SGT_DIR/restore-$s.log"
	fi
done
[ "$(sed -n 's/^Archive name: *//p' "$SGT_DIR/a.out")" != "$(sed -n 's/^Archive name: *//p' "$SGT_DIR/b.out")" ]
ok $? "two archives, two names"

sgt_done
