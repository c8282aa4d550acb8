#!/bin/bash
# The adversarial tables (tests/tables/attack/*.tsv) against the shipped
# policy through the real setuid gate, run by the login account with
# exactly each row's environment.  The policy is setup/vps/policy.in
# rendered as setup/vps/install renders it, with the test's names; only
# the rules' program (/usr/bin/python3) is replaced by tests/probe-argv,
# which prints the argv and the environment it got.  tests/lib/attack.py
# runs the rows and says what each checks.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"
command -v dash >/dev/null || sgt_skip "needs dash (the shell the argv is compared with)"

[ -x "$top_builddir/tests/probe-argv" ] || sgt_bail "build tests/probe-argv"
PROBE=$SGT_DIR/bin/probe-argv
install -o root -g root -m 0755 "$top_builddir/tests/probe-argv" "$PROBE" ||
    sgt_bail "install probe"
state=$SGT_DIR/state
install -d -o "$SGT_RUNNER" -g "$SGT_RUNNER" -m 0700 "$state" || sgt_bail "state dir"
install -d -o "$SGT_LOGIN" -g "$SGT_RUNNER" -m 2750 "$SGT_DIR/sock" || sgt_bail "socket dir"

pol=$SGT_DIR/policy.rendered
sed -e "s|@login@|$SGT_LOGIN|g" -e "s|@runner@|$SGT_RUNNER|g" \
    -e "s|@socket_dir@|$SGT_DIR/sock|g" -e "s|@state_dir@|$state|g" \
    -e "s|@policy_dir@|$(dirname "$SGT_POLICY")|g" \
    -e "s|@connect@|$SGT_DIR/bin/sshgate-connect|g" \
    -e "s|^\( *run  *\)/usr/bin/python3 |\1$PROBE |" \
    -e "s|@repo_re@|vps|g" -e "s|@repo@|vps|g" \
    -e "s|@archive_prefix_re@|vps|g" -e "s|@archive_prefix@|vps|g" \
    -e 's#@sources_re@#etc|home|root|srv|opt|var\\/www|var\\/lib|var\\/backups#g' \
    "$top_srcdir/setup/vps/policy.in" > "$pol"
! grep -n '@[a-z_]*@' "$pol" && ! grep -q '^ *run .*python3' "$pol" &&
    [ "$(grep -c "^ *run  *$PROBE -I /usr/bin/borg\$" "$pol")" = 4 ]
ok $? "the shipped policy is rendered with the test's names, its 4 programs replaced by the probe"
"$SGT_DIR/bin/sshgate-lint" -f "$pol" >"$SGT_DIR/lint.out" 2>&1
r=$?
ok $r "the rendered policy compiles and passes its own tests"
[ $r = 0 ] || sed 's/^/# /' "$SGT_DIR/lint.out"
sgt_policy "$pol"

cat > "$SGT_DIR/context" <<EOF
GATE=$SGT_DIR/bin/sshgate
POLICY=$pol
SYSLOG=$SGT_DIR/syslog
LOGIN=$SGT_LOGIN
LOGIN_UID=$(id -u "$SGT_LOGIN")
LOGIN_GID=$(id -g "$SGT_LOGIN")
START=$sgt_n
POLICY_DIR=$(dirname "$SGT_POLICY")
EOF
"$SGT_PY" "$top_srcdir/tests/lib/attack.py" "$SGT_DIR/context" \
    "$top_srcdir"/tests/tables/attack/*.tsv > "$SGT_DIR/attack.tap" 2>&1
r=$?
cat "$SGT_DIR/attack.tap"
read -r rows failed permitted denied < <(sed -n \
    's/^# attack: \([0-9]*\) rows, \([0-9]*\) failed, \([0-9]*\) permitted, \([0-9]*\) denied$/\1 \2 \3 \4/p' \
    "$SGT_DIR/attack.tap")
sgt_n=$((sgt_n + ${rows:-0}))
sgt_failed=$((sgt_failed + ${failed:-0}))
ok $r "the table runner finished"
[ "${rows:-0}" -ge 200 ] && [ "${permitted:-0}" -ge 20 ]
ok $? "at least 200 rows, 20 of them permitted, were run (${rows:-0}: ${permitted:-0} permitted, ${denied:-0} denied)"
[ "$(grep -c '^\(not \)\?ok ' "$SGT_DIR/attack.tap")" = "${rows:-x}" ]
ok $? "every row printed one result"

sgt_done
