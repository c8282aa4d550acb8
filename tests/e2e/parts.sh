#!/bin/bash
# Jobs as policy parts (sshgate-policy(5) "Parts", docs/pull-backup.md
# "Many jobs: the policy in parts"), with real borg through the gate:
# two backup servers a and b set up as in two-servers.sh, then the VPS
# policy replaced by its parts -- setup/vps/render-policy --common and
# --part a|b, installed with sshgate-lint --install [--tag NAME].  Both
# pulls succeed through their parts; a broken part of b stops b only (a
# still backs up; the log and sshgate-lint name b's part and error); b
# repaired backs up again; b's part removed, b is denied and a runs.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_prepare
sockdir=/run/sshgate/$SGT_LOGIN
LINT=$SGT_DIR/bin/sshgate-lint
D=$(dirname "$SGT_POLICY")/policy.d

for s in a b; do
	e2e_server_add "$s" || sgt_bail "setup/server/install --vps-server $s failed"
done
e2e_vps_install_servers || sgt_bail "setup/vps/install --server a --server b failed"

# ---- the installed one-file policy, as parts -------------------------------------

R=("$top_srcdir/setup/vps/render-policy" --login "$SGT_LOGIN" --runner "$SGT_RUNNER"
    --socket-dir "$sockdir" --state-dir "$E2E_VPS/state"
    --policy-dir "$(dirname "$SGT_POLICY")" --connect "$SGT_DIR/bin/sshgate-connect")
"${R[@]}" --server a --server b "$top_srcdir/setup/vps/policy.in" | cmp -s - "$SGT_POLICY"
ok $? "the installed policy is render-policy's with these names (the parts below are too)"
"${R[@]}" --common "$top_srcdir/setup/vps/policy.in" > "$SGT_DIR/common" &&
    "${R[@]}" --part a "$top_srcdir/setup/vps/policy.in" > "$SGT_DIR/a.policy" &&
    "${R[@]}" --part b "$top_srcdir/setup/vps/policy.in" > "$SGT_DIR/b.policy"
ok $? "render-policy --common, --part a, --part b"
"$LINT" --install "$SGT_DIR/common" --log /dev/null > "$SGT_DIR/inst.log" 2>&1 &&
    "$LINT" --install "$SGT_DIR/a.policy" --tag a --log /dev/null >> "$SGT_DIR/inst.log" 2>&1 &&
    "$LINT" --install "$SGT_DIR/b.policy" --tag b --log /dev/null >> "$SGT_DIR/inst.log" 2>&1
good=$?
ok $good "sshgate-lint --install the common part, then --tag a and --tag b their parts"
[ $good = 0 ] || sed 's/^/#   /' "$SGT_DIR/inst.log"
! grep -q '^rule borg-create' "$SGT_POLICY" && [ -f "$D/a.policy" ] && [ -f "$D/b.policy" ]
ok $? "... the installed policy has no server's rules now, policy.d/ has a.policy and b.policy"

e2e_sshd_start
for s in a b; do
	e2e_server_use "$s"
	e2e_serve_start
done
e2e_make_tree "$E2E_DATA" 1 || sgt_bail "cannot make the tree"

backup() {	# backup NAME: server NAME's borgmatic create; sets rc, out
	e2e_server_use "$1"
	out=$(e2e_borgmatic --config "$E2E_PULL_YAML" --verbosity 1 create 2>&1)
	rc=$?
}

for s in a b; do
	backup "$s"
	ok $rc "server $s backs up through its part"
	[ $rc = 0 ] || sed 's/^/#   /' <<<"$out"
	grep -q "permit rule=borg-create.$s caller=$SGT_LOGIN([0-9]*) from=127.0.0.1 tag=$s " "$SGT_DIR/syslog"
	ok $? "... the gate logged permit rule=borg-create.$s tag=$s"
done

# ---- a broken part stops its job only --------------------------------------------------

sed -i '0,/^    seccomp  strict$/ s//    sekcomp  strict/' "$D/b.policy"
grep -q sekcomp "$D/b.policy" || sgt_bail "b's part not broken"
backup b
[ $rc != 0 ] && grep -q "policy part $D/b.policy has 1 error; nothing is permitted for tag 'b'" <<<"$out"
good=$?
ok $good "b's part broken: b's backup fails, and its client is told which part"
[ $good = 0 ] || sed 's/^/#   /' <<<"$out"
grep -q "policy error: $D/b.policy:[0-9]*:[0-9]*: unknown field 'sekcomp'" "$SGT_DIR/syslog"
ok $? "... the log has the part, the line and the error"
backup a
ok $rc "... server a still backs up"
lint=$("$LINT" 2>&1)
is "$?" 2 "... sshgate-lint fails"
grep -q "^$D/b.policy:[0-9]*:[0-9]*: error: unknown field 'sekcomp'" <<<"$lint"
ok $? "... naming b's part and its error"
"$LINT" --install "$SGT_DIR/b.policy" --tag b --log /dev/null > "$SGT_DIR/inst.log" 2>&1
ok $? "sshgate-lint --install --tag b puts the good part back"
backup b
ok $rc "... and b backs up again"

# ---- a job removed --------------------------------------------------------------------

rm "$D/b.policy" "$D/b.policy.prev"
backup b
[ $rc != 0 ]
ok $? "b's part removed: b's backup fails"
e2e_last_deny | grep -q "tag=b"
ok $? "... denied by the gate, tag b in the log"
backup a
ok $rc "... a still backs up"
for s in a b; do
	e2e_server_use "$s"
	is "$(e2e_archives | grep -c .)" "$([ $s = a ] && echo 3 || echo 2)" "server $s's repository has its archives"
done

sgt_done
