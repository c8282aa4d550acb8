# tests/e2e/history-lib.sh -- a compromised VPS attacks its backups
# through the pull session's forwarded socket; the backup server's unit
# must notice before anything irreversible runs, and the recovery of
# docs/pull-backup.md ("Recovering a repository") must bring the lost
# archive back.  Sourced after tests/e2e/lib.sh (tests/e2e/history.sh)
# or tests/matrix/lib.sh (tests/matrix/history-*.sh), both sides
# installed and started; the caller sets:
#
#   HX_VPS=(...)       runs a command as root on the VPS (empty: here)
#   HX_VPS_ROOT        the VPS's files, as this script sees them
#   HX_SOCKET          the forwarded socket, as the VPS sees it
#   HX_RUNNER_BASE     the runner's BORG_BASE_DIR on the VPS
#   HX_WORK            a directory on the VPS (created here, 0755)
#   HX_SRV_SYSLOG      where the backup server's syslog lands
#   HX_RESTORE         a directory on the server to restore into
#   hx_compare DIR     compares DIR (on the server) with the VPS's tree
#
# The attacker is root on the VPS: it has borg, the repository's
# passphrase (the VPS's borg receives it every night) and the socket,
# which sshd creates for the length of a pull session.  So that it can
# act while a session is up, the VPS's /usr/bin/borg is replaced (a bind
# mount, in this test's mount namespace) by one that holds a "borg
# create" until the attacker is done -- root can do that too -- and
# runs the real borg otherwise.

HX_N=0

hx_setup() {
	local conf
	mkdir -p "$HX_VPS_ROOT$HX_WORK/atk" && chmod 0755 "$HX_VPS_ROOT$HX_WORK" ||
	    sgt_bail "mkdir $HX_WORK"
	# The attacker's remote shell: the socket, nothing else.
	cat > "$HX_VPS_ROOT$HX_WORK/relay" <<'EOF'
import os, socket, sys, threading
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
def up():
    while True:
        b = os.read(0, 65536)
        if not b:
            s.shutdown(socket.SHUT_WR)
            return
        s.sendall(b)
threading.Thread(target=up, daemon=True).start()
while True:
    b = s.recv(65536)
    if not b:
        break
    os.write(1, b)
EOF
	# What the attacker runs when borg's command line cannot do it:
	# deletes through the protocol (borg serve accepts them and, in
	# append-only mode, only records them).  "all": every object;
	# "data": every object but the manifest and the given archives.
	cat > "$HX_VPS_ROOT$HX_WORK/raw-delete" <<'EOF'
import sys
from borg.archiver import Archiver
from borg.logger import setup_logging
from borg.remote import RemoteRepository
from borg.helpers import Location
setup_logging()
url, what = sys.argv[1], sys.argv[2]
keep = set(bytes.fromhex(k) for k in sys.argv[3:])
args = Archiver().parse_args(["list", url])
with RemoteRepository(Location(url), exclusive=True, lock_wait=30, args=args) as repo:
    ids, marker = [], None
    while True:
        got = repo.list(limit=10000, marker=marker)
        if not got:
            break
        ids += got
        marker = got[-1]
    n = 0
    for i in ids:
        if what == "data" and (i == bytes(32) or i in keep):
            continue
        repo.delete(i)
        n += 1
    repo.commit(compact=False)
print("deleted %d of %d objects" % (n, len(ids)))
EOF
	# The held borg.
	cp "$HX_VPS_ROOT/usr/bin/borg" "$HX_VPS_ROOT$HX_WORK/borg.real" || sgt_bail "cp borg"
	cat > "$HX_VPS_ROOT$HX_WORK/borg" <<EOF
#!/usr/bin/python3
import os, sys, time
if sys.argv[1:2] == ["create"] and os.path.exists("$HX_WORK/hold"):
    # the runner may write in its BORG_BASE_DIR only: say so there
    open(os.path.join(os.environ["BORG_BASE_DIR"], "sgt-held"), "w").close()
    t = time.monotonic()
    while not os.path.exists("$HX_WORK/release") and time.monotonic() - t < 300:
        time.sleep(0.1)
from borg.archiver import main
sys.exit(main())
EOF
	chmod 0755 "$HX_VPS_ROOT$HX_WORK/borg" &&
	    mount --bind "$HX_VPS_ROOT$HX_WORK/borg" "$HX_VPS_ROOT/usr/bin/borg" ||
	    sgt_bail "bind the held borg over the VPS's /usr/bin/borg"
	# The administrator's alert hook: it records what it was given.
	HX_ALERT_OUT=/root/sgt-alert.out
	[ -z "$E2E_SRV_ROOT" ] && HX_ALERT_OUT=$E2E_SRV/alert.out
	printf '#!/bin/sh\n{ echo "unit: $1"; cat; } > %s\n' "$HX_ALERT_OUT" |
	    e2e_on_srv sh -c "cat > $E2E_CONF/alert && chmod 0755 $E2E_CONF/alert" ||
	    sgt_bail "alert hook"
	conf=$E2E_SRV_ROOT$E2E_CONF/$E2E_NAME.conf
	HX_STATE=$(sed -n 's/^STATE_FILE=//p' "$conf")
	HX_GUARD=$(e2e_unit_get "sshgate-backup-$E2E_NAME.service" ExecStart | sed 's/^+//; s/ .*//')
	HX_PASSPHRASE=$(cat "$E2E_SRV_ROOT$E2E_CONF/$E2E_NAME.passphrase") || sgt_bail "passphrase"
	HX_REPO_ID=$(sed -n 's/^id = //p' "$E2E_SRV_ROOT$E2E_REPO/config")
}

hx_cleanup() {
	[ -n "${HX_VPS_ROOT+set}" ] && umount "$HX_VPS_ROOT/usr/bin/borg" 2>/dev/null
	return 0
}

# Root on the VPS runs borg against the repository through the socket.
hx_attack_borg() {
	"${HX_VPS[@]}" env -i HOME="$HX_WORK/atk" BORG_BASE_DIR="$HX_WORK/atk" \
	    PATH=/usr/bin:/bin LANG=C.UTF-8 BORG_PASSPHRASE="$HX_PASSPHRASE" \
	    BORG_RSH="python3 -I $HX_WORK/relay $HX_SOCKET" \
	    BORG_DELETE_I_KNOW_WHAT_I_AM_DOING=YES BORG_RELOCATED_REPO_ACCESS_IS_OK=yes \
	    BORG_CHECK_I_KNOW_WHAT_I_AM_DOING=YES "$@"
}

# Archives in the repository as "NAME ID", read on the server.
hx_archives() {
	e2e_as_server env BORG_PASSCOMMAND="cat $E2E_CONF/$E2E_NAME.passphrase" \
	    BORG_BASE_DIR="$E2E_HOME" borg list --format '{archive} {id}{NL}' "$E2E_REPO"
}

# The repository's segment files and their sizes.
hx_segments() {
	(cd "$E2E_SRV_ROOT$E2E_REPO/data" && find . -type f -name '[0-9]*' -printf '%p %s\n' | sort)
}

hx_guard() {	# hx_guard MODE: sshgate-guard, as the unit runs it
	e2e_on_srv env -i PATH=/usr/bin:/bin LANG=C.UTF-8 "$HX_GUARD" \
	    "$E2E_CONF/$E2E_NAME.conf" "$@"
}

# A good night: the unit runs, the state is recorded.
hx_good_run() {	# hx_good_run WHAT
	local out
	out=$(e2e_backup_service 2>&1)
	local rc=$?
	ok $rc "$1: the backup unit succeeds (history check, create, history check, prune, compact, check)"
	[ $rc -eq 0 ] || diag "$out"
}

# One attack: WHAT names it; the attacker's command follows (run while a
# second pull session is up).  TARGET is the archive it must cost.
hx_case() {	# hx_case WHAT KIND COMMAND... (KIND: vanished|replaced|objects|everything|config)
	local what=$1 kind=$2 target tid out rc before after good n n2
	shift 2
	HX_N=$((HX_N + 1))
	read -r target tid < <(hx_archives | head -1)
	[ -n "$target" ] || sgt_bail "$what: no archive to attack"
	# an archive the state does not know yet: the attack comes after it
	e2e_borgmatic --config "$E2E_PULL_YAML" create > "$SGT_DIR/hx-mid.out" 2>&1 ||
	    { sed 's/^/#   /' "$SGT_DIR/hx-mid.out"; sgt_bail "$what: the pull before the attack"; }

	# ---- a pull session, held; the attack through its socket -----------------
	# (borgmatic's "borg --version" comes first, in a session of its
	# own: the held "borg create" says when its session is up)
	local flag=$HX_VPS_ROOT$HX_RUNNER_BASE/sgt-held
	rm -f "$HX_VPS_ROOT$HX_WORK/release" "$flag"
	touch "$HX_VPS_ROOT$HX_WORK/hold"
	e2e_borgmatic --config "$E2E_PULL_YAML" create > "$SGT_DIR/hx-held.out" 2>&1 &
	local held=$!
	for n in $(seq 1200); do
		[ -e "$flag" ] && break
		sleep 0.05
	done
	[ -e "$flag" ] && [ -S "$HX_VPS_ROOT$HX_SOCKET" ]
	ok $? "$what: a pull session is up (its borg create is held), with its forwarded socket"
	rm -f "$flag"
	hx_attack_borg "$@" > "$SGT_DIR/hx-attack.out" 2>&1
	rc=$?
	case $* in
	*"borg delete ssh://backup/./$E2E_NAME")
		# borg serve --append-only refuses to destroy the repository
		[ $rc -ne 0 ] && grep -q 'append-only' "$SGT_DIR/hx-attack.out"
		ok $? "$what: borg serve --append-only refuses to destroy the repository"
		# ... so the attacker deletes every object instead
		hx_attack_borg python3 -I "$HX_WORK/raw-delete" "ssh://backup/./$E2E_NAME" all \
		    > "$SGT_DIR/hx-attack.out" 2>&1
		rc=$? ;;
	esac
	ok $rc "$what: the attack through the socket succeeds (borg serve --append-only accepts it)"
	[ $rc -eq 0 ] || sed 's/^/#   /' "$SGT_DIR/hx-attack.out"
	touch "$HX_VPS_ROOT$HX_WORK/release"
	rm -f "$HX_VPS_ROOT$HX_WORK/hold"
	wait "$held"
	rc=$?
	if [ "$kind" = everything ]; then
		[ $rc -ne 0 ] && grep -q 'no manifest' "$SGT_DIR/hx-held.out"
		ok $? "$what: the held pull session then fails: the repository has no manifest"
	elif [ "$kind" = config ]; then
		[ $rc -ne 0 ] && grep -qi 'passphrase.*incorrect' "$SGT_DIR/hx-held.out"
		ok $? "$what: the held pull session then fails: the passphrase no longer opens the key"
	else
		ok $rc "$what: the held pull session then finishes"
	fi

	# ---- the backup unit: it must fail before anything irreversible ----------
	before=$(hx_segments)
	local archives_before
	archives_before=$(hx_archives)
	n=$(wc -l < "$HX_SRV_SYSLOG")
	rm -f "$E2E_SRV_ROOT$HX_ALERT_OUT"
	out=$(e2e_backup_service 2>&1)
	rc=$?
	is "$rc" 1 "$what: the backup unit fails (the history check's status 1)"
	after=$(hx_segments)
	[ -n "$before" ] && [ -z "$(comm -23 <(printf '%s\n' "$before") <(printf '%s\n' "$after"))" ]
	ok $? "$what: nothing was compacted: every segment file is still there, unchanged"
	if [ "$kind" = everything ] || [ "$kind" = config ]; then
		# no manifest, or a key the passphrase does not open
		[ -z "$archives_before" ] && ! hx_archives > /dev/null 2>&1
		ok $? "$what: nothing was pruned: there is still no list of archives to prune from"
	else
		[ -n "$archives_before" ] &&
		    [ -z "$(comm -23 <(printf '%s\n' "$archives_before" | sort) <(hx_archives | sort))" ]
		ok $? "$what: nothing was pruned: every archive of before the unit is still there"
	fi
	case $kind in
	vanished)	printf '%s\n' "$out" | grep -q "archive $target (.*id $tid) vanished: deleted in transaction [0-9]* (UTC 20" ;;
	config)		printf '%s\n' "$out" | grep -q "the repository's config changed (key): borg serve lets a client replace the key" &&
			    printf '%s\n' "$out" | grep -qF "put the recorded config back: cp ${HX_STATE%/*}/config $E2E_REPO/config; chown $E2E_SERVER: $E2E_REPO/config" &&
			    ! printf '%s\n' "$out" | grep -q "last good transaction" ;;
	everything)	printf '%s\n' "$out" | grep -q "transaction [0-9]* (UTC 20.*) deleted or overwrote what the recorded state had: .*archive $target (id $tid)" &&
			    printf '%s\n' "$out" | grep -q "transaction [0-9]* (UTC 20.*) deleted the manifest" ;;
	replaced)	printf '%s\n' "$out" | grep -q "archive $target (.*) was replaced: its id was $tid, now [0-9a-f]\{64\}; deleted in transaction [0-9]*" ;;
	objects)	printf '%s\n' "$out" | grep -q "transaction [0-9]* (UTC 20.*) deleted or overwrote what the recorded state had: object [0-9a-f]\{64\}" &&
			    hx_archives | grep -q "^$target $tid$" ;;
	esac
	rc=$?
	ok $rc "$what: the message says what was lost ($kind: $target) and in which transaction"
	[ $rc -eq 0 ] || diag "$out"
	case $kind in
	objects)	n2=object ;;
	config)		n2="config changed" ;;
	*)		n2="archive $target" ;;
	esac
	# (the listener may not have written the line yet)
	for rc in $(seq 100); do
		tail -n +"$((n + 1))" "$HX_SRV_SYSLOG" |
		    grep -q "^<27>.*sshgate-guard\[[0-9]*\]: $E2E_NAME: .*$n2" && break
		sleep 0.05
	done
	tail -n +"$((n + 1))" "$HX_SRV_SYSLOG" | grep -q "^<27>.*sshgate-guard\[[0-9]*\]: $E2E_NAME: .*$n2"
	ok $? "$what: ... logged at err level (daemon.err) by sshgate-guard"
	grep -qx "unit: sshgate-backup-$E2E_NAME.service" "$E2E_SRV_ROOT$HX_ALERT_OUT"
	ok $? "$what: OnFailure= ran the alert hook with the unit's name"

	# ---- recovery, as docs/pull-backup.md says --------------------------------
	if [ "$kind" = config ]; then
		good=none
		e2e_on_srv sh -c "cp ${HX_STATE%/*}/config $E2E_REPO/config &&
		    chown $E2E_SERVER: $E2E_REPO/config" || sgt_bail "put the config back"
	else
		good=$(printf '%s\n' "$out" | sed -n 's/.*the last good transaction is \([0-9]*\):.*/\1/p')
		[ -n "$good" ] || sgt_bail "$what: no last good transaction in: $out"
		hx_recover "$good"
	fi
	out=$(hx_guard check 2>&1)
	rc=$?
	ok $rc "$what: after the recovery (the rollback to transaction $good), the history check passes"
	[ $rc -eq 0 ] || diag "$out"
	hx_archives | grep -qx "$target $tid"
	ok $? "$what: ... and $target is back, with its id"
	rm -rf "$E2E_SRV_ROOT$HX_RESTORE"
	if e2e_restore "$target" "$HX_RESTORE" > "$SGT_DIR/hx-restore.log" 2>&1; then
		out=$(hx_compare "$HX_RESTORE$E2E_DATA")
		ok $? "$what: $target restores identical to its source"
		diag "$out"
	else
		ok 1 "$what: restore $target"
		sed 's/^/#   /' "$SGT_DIR/hx-restore.log"
	fi
	rm -rf "$E2E_SRV_ROOT$HX_RESTORE"
	hx_good_run "$what: re-enabled"
}

# docs/pull-backup.md, "Recovering a repository", step by step.
hx_recover() {	# hx_recover TRANSACTION
	local g=$1 base
	# 2. keep the evidence: a copy of hard links
	e2e_on_srv cp -al "$E2E_REPO" "$E2E_REPO.compromised-$HX_N" ||
	    sgt_bail "cp -al"
	# 3. the rollback: the expendable index files, every segment after G
	e2e_on_srv sh -c "cd $E2E_REPO && rm -f hints.* index.* integrity.* &&
	    for f in data/*/*; do n=\${f##*/}; [ \"\$n\" -gt $g ] && rm -- \"\$f\"; done; true" ||
	    sgt_bail "rollback"
	# 4. the backup account's cache and the manifest time it saw
	e2e_as_server env BORG_PASSCOMMAND="cat $E2E_CONF/$E2E_NAME.passphrase" \
	    HOME="$E2E_HOME" borg delete --cache-only "$E2E_REPO" > "$SGT_DIR/hx-rec.log" 2>&1 ||
	    { sed 's/^/#   /' "$SGT_DIR/hx-rec.log"; sgt_bail "borg delete --cache-only"; }
	e2e_on_srv rm -f "$E2E_HOME/.config/borg/security/$HX_REPO_ID/manifest-timestamp"
	# 5. the VPS (reinstalled, or the runner's borg state removed)
	base=$HX_VPS_ROOT$HX_RUNNER_BASE
	rm -rf "$base/.cache/borg/$HX_REPO_ID" "$base/.config/borg/security/$HX_REPO_ID"
	e2e_on_srv rm -rf "$E2E_REPO.compromised-$HX_N"
}

# Every attack, one after the other, against the repository at URL.
hx_cases() {	# hx_cases URL
	local url=$1
	hx_case "borg delete of the oldest archive" vanished \
	    sh -c 'exec borg delete "$0::$(borg list --short "$0" | head -1)"' "$url"
	hx_case "borg prune --keep-last 1" vanished \
	    borg prune --keep-last 1 --glob-archives "$E2E_NAME-*" "$url"
	hx_case "borg recreate of the oldest archive" replaced \
	    sh -c 'exec borg recreate --exclude re:secret/ "$0::$(borg list --short "$0" | head -1)"' "$url"
	hx_case "a delete of the whole repository" everything \
	    borg delete "$url"
	hx_case "a delete of the archives' data only" objects \
	    sh -c 'exec python3 -I "$1" "$0" data $(borg list --format "{id} " "$0")' "$url" "$HX_WORK/raw-delete"
	hx_case "borg key change-passphrase" config \
	    env BORG_NEW_PASSPHRASE=sgt-stolen borg key change-passphrase "$url"
}
