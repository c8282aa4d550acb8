#!/bin/bash
# A compromised VPS cannot destroy its backups: while a pull session is
# up, root on the VPS connects to the forwarded socket and, through
# "borg serve --append-only", deletes the oldest archive, prunes, rewrites
# an archive (recreate), deletes the whole repository (borg refuses; the
# attacker then deletes every object), or deletes only the data of the
# archives, or replaces the repository's key (a new passphrase).  Each
# time the backup unit fails before prune, compact or
# check run, says what was lost and in which transaction, logs it at err
# level, starts its OnFailure= alert; then the recovery of
# docs/pull-backup.md brings the archive back, identical, and the unit
# runs again.  tests/e2e/history-lib.sh has the cases.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
. "$top_srcdir/tests/e2e/history-lib.sh"
e2e_init "$@"
e2e_start

HX_VPS=()
HX_VPS_ROOT=
HX_SOCKET=$E2E_REMOTE_SOCKET
HX_RUNNER_BASE=$E2E_VPS/state
HX_WORK=$E2E_DATA_ROOT/hx
HX_SRV_SYSLOG=$SGT_DIR/syslog
HX_RESTORE=$E2E_DATA_ROOT/restore
hx_compare() { e2e_compare "$SGT_DIR/snap.json" "$1"; }
SGT_EXTRA_CLEANUP="hx_cleanup; $SGT_EXTRA_CLEANUP"

e2e_make_tree "$E2E_DATA" 1 || sgt_bail "cannot make the tree"
e2e_snapshot "$E2E_DATA" > "$SGT_DIR/snap.json"
hx_setup
hx_good_run "the first night"

hx_cases "ssh://backup/./$E2E_NAME"

# ---- the err level under systemd: a "<3>" prefix on stderr, no syslog ---------

# JOURNAL_STREAM names stderr when it is the journal (systemd.exec(5)).
sed "s|^STATE_FILE=.*|STATE_FILE=$SGT_DIR/no-state|" "$E2E_CONF/$E2E_NAME.conf" > "$SGT_DIR/nostate.conf"
n=$(wc -l < "$SGT_DIR/syslog")
env -i PATH=/usr/bin:/bin JOURNAL_STREAM="$(stat -c %d:%i "$SGT_DIR")" \
    "$HX_GUARD" "$SGT_DIR/nostate.conf" check 2> "$SGT_DIR/plain.err"
is "$?" 2 "a check that cannot be made: status 2"
grep -q "^sshgate-guard: nostate: no recorded state $SGT_DIR/no-state" "$SGT_DIR/plain.err" &&
    tail -n +"$((n + 1))" "$SGT_DIR/syslog" | grep -q "^<27>.* sshgate-guard\[[0-9]*\]: nostate: no recorded state"
ok $? "... said on stderr and, at err level, to syslog (stderr is not the journal)"
n=$(wc -l < "$SGT_DIR/syslog")
: > "$SGT_DIR/journal.err"
env -i PATH=/usr/bin:/bin JOURNAL_STREAM="$(stat -c %d:%i "$SGT_DIR/journal.err")" \
    "$HX_GUARD" "$SGT_DIR/nostate.conf" check 2>> "$SGT_DIR/journal.err"
grep -q "^<3>sshgate-guard: nostate: no recorded state" "$SGT_DIR/journal.err" &&
    ! tail -n +"$((n + 1))" "$SGT_DIR/syslog" | grep -q 'sshgate-guard'
ok $? "stderr is the journal: the line carries the err level (<3>), and goes to syslog no second time"

sgt_done
