#!/bin/bash
# Load: 5 borg pull backups at once, each the whole chain (borgmatic, the
# wrapper, ssh with the reverse tunnel, sshd, sshgate, borg create
# confined, sshgate-connect, borg serve), set up by the real installers.
#
#  1. Five VPS/backup-server pairs, each in namespaces of its own (its own
#     sshd, gate, accounts and repository), start their backups at the
#     same moment (a barrier) and must overlap in time: each succeeds
#     and restores identical.
#  2. On one pair, five backups of the same job at once.  The VPS's
#     socket is pinned by the policy, so the wrapper runs them one after
#     another (docs/pull-backup.md): all five succeed, in turn.
#
# Every backup runs under a hang detector; afterwards no process of the
# login, runner or backup account is left, no sshd session, no socket in
# the VPS's socket directory, and each pair's accounts are gone.
. "${top_srcdir:-.}/tests/e2e/lib.sh"

N=${SGT_LOAD_PULLS:-5}
HANG=600	# seconds a backup may take on a loaded 2-core machine

# Nothing of a backup may be left once it has returned (up to 10 s for
# sshd and borg serve to see the connection close).  The one thing that
# stays is the file of the forwarded socket, borg.sock, with nothing
# listening on it: sshd does not remove the file of a unix socket it
# forwarded, and the next session's sshd replaces it (StreamLocalBindUnlink
# yes in the drop-in, docs/pull-backup.md).
leftovers() {
	local i sshd_pid left
	sshd_pid=$(cat "$E2E_VPS/sshd.pid")
	for i in $(seq 200); do
		left=$( {
			ps -o pid=,user=,args= -u "$SGT_LOGIN" -u "$SGT_RUNNER" \
			    -u "$E2E_SERVER"
			pgrep -P "$sshd_pid" -a | sed 's/^/sshd session: /'
			find "$E2E_VPS/run/$SGT_LOGIN" -mindepth 1 ! -name borg.sock \
			    -printf 'in the socket directory: %p\n'
			ss -Hxl | grep -F "$E2E_VPS/run/$SGT_LOGIN/" |
			    sed 's/^/listening: /'
		} 2>&1 )
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	printf '%s\n' "$left"
	return 1
}

# Wait for the $N processes in pids; count in good, hung (the hang
# detector's 124 or 137) and bad, showing the output OUT.I of each bad one.
tally() {	# tally PREDICATE OUT: PREDICATE I STATUS tells a good one
	local i rc
	good=0 hung=0 bad=0
	for i in $(seq $N); do
		wait "${pids[$((i - 1))]}"
		rc=$?
		if [ $rc = 124 ] || [ $rc = 137 ]; then
			hung=$((hung + 1))
		elif "$1" "$i" "$rc"; then
			good=$((good + 1))
		else
			bad=$((bad + 1))
			sed "s/^/#   $i: /" "$2.$i" | head -40
		fi
	done
}

# ---- one pair (run by part 1, five times at once) ------------------------------

if [ -n "${SGT_PULL_ONE:-}" ]; then
	e2e_init
	e2e_start
	e2e_make_tree "$E2E_DATA" 1 || sgt_bail "cannot make the tree"
	e2e_snapshot "$E2E_DATA" > "$SGT_DIR/snap.json"
	touch "$SGT_PULL_ONE/ready.$SGT_ID"
	for i in $(seq 12000); do
		[ -e "$SGT_PULL_ONE/go" ] && break
		sleep 0.05
	done
	[ -e "$SGT_PULL_ONE/go" ] || sgt_bail "no go after 600 s"
	date +%s.%N > "$SGT_PULL_ONE/start.$SGT_ID"
	out=$(e2e_as_server timeout -k 10 "$HANG" borgmatic --config "$E2E_PULL_YAML" create 2>&1)
	rc=$?
	date +%s.%N > "$SGT_PULL_ONE/end.$SGT_ID"
	ok $rc "pair $SGT_ID: borgmatic create through sshgate succeeds (status $rc)"
	[ $rc -eq 0 ] || diag "$out"
	grep -q "permit rule=borg-create caller=$SGT_LOGIN.* runner=$SGT_RUNNER " "$SGT_DIR/syslog"
	ok $? "pair $SGT_ID: the gate ran it by rule borg-create"
	a=$(e2e_archives | tail -1)
	if e2e_restore "$a" "$E2E_DATA_ROOT/restore" > "$SGT_DIR/restore.log" 2>&1; then
		out=$(e2e_compare "$SGT_DIR/snap.json" "$E2E_DATA_ROOT/restore$E2E_DATA")
		ok $? "pair $SGT_ID: restore identical"
		[ -n "$out" ] && diag "$out"
	else
		ok 1 "pair $SGT_ID: restore"
		sed 's/^/#   /' "$SGT_DIR/restore.log"
	fi
	left=$(leftovers)
	ok $? "pair $SGT_ID: nothing of the backup is left"
	[ -n "$left" ] && diag "$left"
	echo "$SGT_LOGIN $SGT_RUNNER $E2E_SERVER" > "$SGT_PULL_ONE/accounts.$SGT_ID"
	sgt_done
fi

# ---- the test -----------------------------------------------------------------------------

e2e_init "$@"
e2e_start
coord=$(mktemp -d /var/tmp/sgt-pulls.XXXXXX) || sgt_bail "mktemp"
SGT_EXTRA_CLEANUP="$SGT_EXTRA_CLEANUP; rm -rf -- '$coord'"

# ---- 1. five pairs, five backups at the same moment --------------------------------------

pids=()
for i in $(seq $N); do
	# each pair makes namespaces of its own, inside this test's
	env SGT_PULL_ONE="$coord" SGT_IN_NS= \
	    top_srcdir="$top_srcdir" top_builddir="$top_builddir" \
	    timeout -k 10 $((HANG + 600)) /bin/bash "$0" > "$coord/tap.$i" 2>&1 &
	pids+=($!)
done
for i in $(seq 12000); do
	[ "$(find "$coord" -name 'ready.*' | wc -l)" -ge $N ] && break
	# a pair that has failed to set up will never be ready
	alive=0
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
	[ $alive -lt $N ] && break
	sleep 0.05
done
touch "$coord/go"
pair_ok() {	# pair_ok I STATUS: the pair's four checks passed
	[ "$2" = 0 ] && ! grep -q '^not ok' "$coord/tap.$1" &&
	    [ "$(grep -c '^ok' "$coord/tap.$1")" = 4 ]
}
tally pair_ok "$coord/tap"
is "$good:$hung:$bad" "$N:0:0" "$N pairs: each backup succeeded and restored identical, none hung, nothing left"
# the five backups ran at the same time: each started before any ended
last_start=$(cat "$coord"/start.* 2>/dev/null | sort -n | tail -1)
first_end=$(cat "$coord"/end.* 2>/dev/null | sort -n | head -1)
is "$(ls "$coord"/start.* 2>/dev/null | wc -l)" $N "all $N backups started"
"$SGT_PY" -c 'import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))' \
    "${last_start:-1}" "${first_end:-0}"
ok $? "they overlapped: the last started before the first ended"
left=
for f in "$coord"/accounts.*; do
	[ -e "$f" ] || continue
	for u in $(cat "$f"); do
		getent passwd "$u" >/dev/null && left="$left $u"
		sgt_pgrep -u "$u" >/dev/null 2>&1 && left="$left process-of-$u"
	done
done
is "${left# }" "" "each pair removed its accounts, and none has a process left"

# ---- 2. five backups of one job at once ---------------------------------------------------

before=$(e2e_archives | grep -c "^$E2E_NAME-")
e2e_make_tree "$E2E_DATA" 1 || sgt_bail "cannot make the tree"
pids=()
for i in $(seq $N); do
	e2e_as_server timeout -k 10 "$HANG" borgmatic --config "$E2E_PULL_YAML" \
	    create > "$SGT_DIR/same.$i" 2>&1 &
	pids+=($!)
done
job_ok() { [ "$2" = 0 ]; }
tally job_ok "$SGT_DIR/same"
is "$good:$hung:$bad" "$N:0:0" "$N backups of one job at once: each succeeded, none hung"
is "$(cat "$SGT_DIR"/same.* | grep -c 'another session of this job is running; waiting')" \
    $((N - 1)) "... $((N - 1)) of them waited for the one before"
is "$(e2e_archives | grep -c "^$E2E_NAME-")" $((before + N)) "... and $N archives are in the repository"
is "$(grep -c "permit rule=borg-create caller=$SGT_LOGIN" "$SGT_DIR/syslog")" $N \
    "... each run by the gate, by rule borg-create"
left=$(leftovers)
ok $? "nothing of the backups is left"
[ -n "$left" ] && diag "$left"

sgt_done
