#!/bin/bash
# A real pull backup end to end: borgmatic on the backup server runs the
# shipped wrapper, ssh reaches the VPS's sshd, sshgate runs borg create
# confined, borg talks back through the forwarded socket to the socket-
# activated "borg serve --append-only".  First and incremental backup,
# restored on the server side and compared byte for byte and attribute
# for attribute; list and info through sshgate; the backup service's own
# command lines; a second backup started while the first runs; the
# passphrase never on a command line.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_init "$@"
e2e_start

e2e_make_tree "$E2E_DATA" 1 || sgt_bail "cannot make the tree"
e2e_snapshot "$E2E_DATA" > "$SGT_DIR/snap1.json"
e2e_watch_argv_start "$E2E_PASSPHRASE" "$SGT_DIR/argv-hits"

# ---- the first backup: the shipped config, as the service runs it -----------

out=$(e2e_borgmatic --config "$E2E_PULL_YAML" create 2>&1)
ok $? "borgmatic create through sshgate succeeds"
[ -n "$out" ] && diag "$out"
archives=$(e2e_archives)
is "$(printf '%s\n' "$archives" | grep -c "^$E2E_NAME-")" 1 "one archive in the repository"
a1=$(printf '%s\n' "$archives" | tail -1)
grep -q "permit rule=borg-create caller=$SGT_LOGIN.* runner=$SGT_RUNNER " "$SGT_DIR/syslog"
ok $? "sshgate ran borg create by rule borg-create as the runner"
grep -q "permit rule=borg-version " "$SGT_DIR/syslog"
ok $? "... after borgmatic's version probe, by rule borg-version"

out=$(e2e_borgmatic --config "$E2E_PULL_YAML" list 2>&1)
ok $? "borgmatic list through sshgate succeeds"
printf '%s\n' "$out" | grep -q "^$a1 "
ok $? "... and lists the archive"
out=$(e2e_borgmatic --config "$E2E_PULL_YAML" info --json 2>&1); rc=$?
ok $rc "borgmatic info --json through sshgate succeeds"
[ $rc = 0 ] || { printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
    grep 'rule=borg-info' "$SGT_DIR/syslog" | tail -5 | sed 's/^/# /'; }
printf '%s\n' "$out" | grep -q '"encryption"'
ok $? "... and shows the repository"

# ---- the incremental backup ------------------------------------------------------

e2e_make_tree "$E2E_DATA" 2 || sgt_bail "cannot change the tree"
e2e_snapshot "$E2E_DATA" > "$SGT_DIR/snap2.json"
out=$(e2e_borgmatic --config "$E2E_PULL_YAML" --verbosity 1 create --list --stats 2>&1)
ok $? "the incremental borgmatic create -v 1 --list --stats succeeds"
printf '%s\n' "$out" | grep -q 'Number of files'
ok $? "... and prints borg's statistics"
# The VPS's files cache knew every unchanged file: borg lists (--filter
# AMEx-) only what was added or modified, a handful of 218 files.
changed=$(printf '%s\n' "$out" | grep -E "^[AM] $E2E_DATA/")
printf '%s\n' "$changed" | grep -qx "A $E2E_DATA/files/new-2" &&
    printf '%s\n' "$changed" | grep -qx "M $E2E_DATA/files/d0/f01" &&
    ! printf '%s\n' "$changed" | grep -q "/files/d[4-7]/" &&
    [ "$(printf '%s\n' "$changed" | wc -l)" -le 10 ]
rc=$?
ok $rc "... and read only the changed files ($(printf '%s\n' "$changed" | wc -l) listed)"
[ $rc -eq 0 ] || diag "$out"
a2=$(e2e_archives | tail -1)
[ "$a2" != "$a1" ]
ok $? "a second archive: $a2"

# ---- restore both, on the server side, and compare ----------------------------------

restore_and_compare() {	# ARCHIVE SNAPSHOT DIR WHAT
	if ! e2e_restore "$1" "$3" > "$SGT_DIR/restore.log" 2>&1; then
		ok 1 "restore $4"
		sed 's/^/#   /' "$SGT_DIR/restore.log"
		return
	fi
	out=$(e2e_compare "$2" "$3$E2E_DATA")
	ok $? "restore $4: identical"
	diag "$out"
}
restore_and_compare "$a1" "$SGT_DIR/snap1.json" "$E2E_DATA_ROOT/restore1" "of the first backup"
restore_and_compare "$a2" "$SGT_DIR/snap2.json" "$E2E_DATA_ROOT/restore2" "of the incremental backup"
r=$E2E_DATA_ROOT/restore2$E2E_DATA
is "$(stat -c '%U %a' "$r/secret/root-only")" "root 600" "the root-only 0600 file came back, root's and 0600"
cmp -s "$E2E_DATA/secret/root-only" "$r/secret/root-only"
ok $? "... with its content (borg read it with CAP_DAC_READ_SEARCH only)"
getfacl -cp "$r/attrs/acl" 2>/dev/null | grep -q "^user:$SGT_LOGIN:rw-$"
ok $? "an ACL entry came back"
[ "$(getfattr --only-values -n user.comment "$r/attrs/xattr" 2>/dev/null)" = "changed 2" ]
ok $? "an xattr came back (the changed value)"
[ "$(stat -c %i "$r/hl/a")" = "$(stat -c %i "$r/hl/sub/c")" ]
ok $? "hard links came back as one inode"
is "$(readlink "$r/ln/abs")" /etc/hostname "a symlink came back"
# ... and the comparison would have seen a difference: each change on a
# fresh copy of the restore (cp -a keeps all of it; checked first)
m=$E2E_DATA_ROOT/mutant
for change in "" "chmod 0606 files/d0/f00" "setfattr -x user.comment attrs/xattr" \
    "setfacl -b attrs/acl" "touch -h -d @1 ln/rel" "chown 4242 hl/p" \
    "ln -f files/d0/f02 files/d0/f03"; do
	rm -rf "$m" && cp -a "$r" "$m" || sgt_bail "cp -a"
	if [ -z "$change" ]; then
		e2e_compare "$SGT_DIR/snap2.json" "$m" > /dev/null
		ok $? "a copy of the restore compares identical"
		continue
	fi
	(cd "$m" && $change) || sgt_bail "$change"
	! e2e_compare "$SGT_DIR/snap2.json" "$m" > /dev/null
	ok $? "the comparison notices: $change"
done
rm -rf "$m"
[ -z "$(find "$E2E_REPO" ! -user "$E2E_SERVER" -print -quit)" ]
ok $? "the repository still belongs to the backup account only"

# ---- what the backup service runs: create here, prune/compact/check local ------------

out=$(e2e_backup_service 2>&1)
ok $? "the sshgate-backup-$E2E_NAME.service command lines succeed (create via the VPS; prune, compact, check locally)"
[ -n "$out" ] && diag "$out"

# ---- a second backup while the first one runs ------------------------------------------

# The first backup's borg serve is stopped (SIGSTOP) once it runs, so
# that it cannot finish before the second one has started; the second
# must wait for the first (one session per job: they share the socket
# path on the VPS), then run; both must succeed.
before=$(e2e_archives | grep -c "^$E2E_NAME-")
spawned() { grep -c '^Spawned ' "$E2E_SRV/journal.log"; }
n0=$(spawned)
e2e_borgmatic --config "$E2E_PULL_YAML" create > "$SGT_DIR/a.out" 2>&1 &
apid=$!
for i in $(seq 600); do [ "$(spawned)" -gt "$n0" ] && break; sleep 0.05; done
serve=
for i in $(seq 100); do
	serve=$(sgt_pgrep -u "$E2E_SERVER" -f 'borg serve' | head -1)
	[ -n "$serve" ] && break
	sleep 0.05
done
[ -n "$serve" ] && kill -STOP "$serve"
ok $? "the first backup's borg serve runs (and is held)"
e2e_borgmatic --config "$E2E_PULL_YAML" create > "$SGT_DIR/b.out" 2>&1 &
bpid=$!
for i in $(seq 600); do grep -q waiting "$SGT_DIR/b.out" && break; sleep 0.05; done
grep -q 'another session of this job is running; waiting' "$SGT_DIR/b.out"
ok $? "the second backup waits for the first"
[ -n "$serve" ] && kill -CONT "$serve"
wait "$apid"; arc=$?
wait "$bpid"; brc=$?
ok $arc "the first backup succeeds"
ok $brc "the second backup succeeds after it"
[ $arc -eq 0 ] && [ $brc -eq 0 ] || sed 's/^/#   /' "$SGT_DIR/a.out" "$SGT_DIR/b.out"
is "$(e2e_archives | grep -c "^$E2E_NAME-")" $((before + 2)) "both archives are in the repository"
a4=$(e2e_archives | tail -1)
restore_and_compare "$a4" "$SGT_DIR/snap2.json" "$E2E_DATA_ROOT/restore4" "of the second concurrent backup"

# ---- the passphrase ---------------------------------------------------------------------

e2e_watch_argv_stop
[ ! -s "$SGT_DIR/argv-hits" ]
ok $? "the passphrase appeared in no process's argv, on either side ($(cat "$SGT_DIR/argv-hits.samples") samples)"
[ -s "$SGT_DIR/argv-hits" ] && sed 's/^/#   /' "$SGT_DIR/argv-hits"
# ... and the watcher did see both sides at work
for p in /usr/bin/ssh "$SGT_DIR/bin/sshgate-connect" /usr/bin/python3; do
	grep -qxF "$p" "$SGT_DIR/argv-hits.seen"
	ok $? "the argv watcher saw $p run"
done
! grep -qF "$E2E_PASSPHRASE" "$SGT_DIR/syslog" "$E2E_SRV/journal.log" "$E2E_VPS/sshd.log"
ok $? "the passphrase is in no log"

sgt_done
