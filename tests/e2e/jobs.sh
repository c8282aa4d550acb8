#!/bin/bash
# Many pull jobs on one VPS (setup/vps/install --job NAME, docs/pull-backup.md
# "Several jobs"): two backup servers a and b on this host (accounts and
# directories of their own, as in two-servers.sh); server a has two jobs,
# a1 and a2 (two repositories, two keys, two source sets), server b one,
# b1.  Each job is set up on the server by setup/server/install --name JOB
# --vps-job JOB and on the VPS by its own run of setup/vps/install --job
# JOB.  All three pull and restore; a job's rules serve no other job;
# the same run again changes nothing; a broken part stops its job only;
# --remove --job a2 leaves a1 and b1 pulling and a2 refused; --remove
# removes the rest.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_enter "$@"
e2e_prepare
sockdir=/run/sshgate/$SGT_LOGIN
LINT=$SGT_DIR/bin/sshgate-lint
D=$(dirname "$SGT_POLICY")/policy.d
M=$E2E_VPS/manifest
R=$E2E_DATA_ROOT

# the jobs: server, job, the roots it backs up
declare -A srv=([a1]=a [a2]=a [b1]=b)
declare -A roots=([a1]="$R/a1" [a2]="$R/a2 $R/shared" [b1]="$R/a1")
jobs="a1 a2 b1"
src_opts() { local d; for d in ${roots[$1]}; do printf -- '--source\n%s\n' "$d"; done; }

# ---- the servers' jobs, then the VPS's, one run each ----------------------------

for j in $jobs; do
	mapfile -t o < <(src_opts "$j")
	E2E_DATA=${roots[$j]%% *}
	e2e_job_add "${srv[$j]}" "$j" "${o[@]:2}" ||
	    sgt_bail "setup/server/install --name $j --vps-job $j failed"
	is "$E2E_REMOTE_SOCKET" "$sockdir/$j.sock" "server ${srv[$j]}, job $j: the socket on the VPS is $j.sock"
	grep -q "setup/vps/install --login $SGT_LOGIN --job $j --repo $j --from " "$E2E_SRV/install.log" &&
	    grep -qF -- "$(printf ' --source %s' ${roots[$j]})" "$E2E_SRV/install.log"
	ok $? "... and it prints the VPS command with --job $j --repo $j and the job's --source"
done
[ "$(e2e_on_srv getent passwd "sgt-sa$SGT_ID" | cut -d: -f1)" = "sgt-sa$SGT_ID" ] &&
    [ -f "$SGT_DIR/srv-a/conf/a1.key" ] && [ -f "$SGT_DIR/srv-a/conf/a2.key" ] &&
    ! cmp -s "$SGT_DIR/srv-a/conf/a1.key.pub" "$SGT_DIR/srv-a/conf/a2.key.pub"
ok $? "server a: one account, two jobs with a key each"

n=0
for j in $jobs; do
	mapfile -t o < <(src_opts "$j")
	if e2e_vps_job "${srv[$j]}" "$j" "${o[@]}"; then
		ok 0 "setup/vps/install --job $j"
	else
		ok 1 "setup/vps/install --job $j"
		continue
	fi
	n=$((n + 1))
	[ $n -gt 1 ] && grep -q "account $SGT_LOGIN exists" "$E2E_VPS/install.log" &&
	    ! grep -q 'created account' "$E2E_VPS/install.log"
	good=$?
	if [ $n -gt 1 ]; then
		ok $good "... the common set-up reused"
		[ $good = 0 ] || sed 's/^/#   /' "$E2E_VPS/install.log"
	fi
	! grep -q "nothing changed" "$E2E_VPS/install.log"
	ok $? "... and it does not say 'nothing changed'"
done
is "$(e2e_vps_installer "$sockdir" --list-jobs && cat "$E2E_VPS/install.log" | paste -sd' ')" \
    "a1 a2 b1" "--list-jobs: a1 a2 b1"
keys=$E2E_VPS/keys/$SGT_LOGIN
good=0
for j in $jobs; do
	grep -qx "restrict,port-forwarding,from=\"127.0.0.1\",command=\"$SGT_DIR/bin/sshgate $j\" $(cat "$SGT_DIR/srv-${srv[$j]}/conf/$j.key.pub")" "$keys" ||
	    good=1
done
[ "$(grep -c . "$keys")" = 3 ]
ok $((good + $?)) "the key file: each job's key with command=\"sshgate JOB\", three lines"
! grep -q '^[[:space:]]*ForceCommand' "$E2E_VPS/sshd_config.d/sshgate-$SGT_LOGIN.conf"
ok $? "the drop-in has no ForceCommand (the keys' tags reach the gate)"
[ -f "$D/a1.policy" ] && [ -f "$D/a2.policy" ] && [ -f "$D/b1.policy" ] &&
    ! grep -q '^rule borg-create' "$SGT_POLICY"
ok $? "the policy is the common part; policy.d/ has a1, a2, b1"
grep -q 'R \\/(srv\\/sgt-[0-9]*\\/a2|srv\\/sgt-[0-9]*\\/shared)(' "$D/a2.policy" &&
    grep -q 'ssh:\\/\\/backup\\/\\.\\/a2::(\\{hostname\\}|a2)-' "$D/a2.policy" &&
    grep -q "setenv   BORG_BASE_DIR $E2E_VPS/state/a2\$" "$D/a2.policy" &&
    [ "$(stat -c '%U %a' "$E2E_VPS/state/a2")" = "$SGT_RUNNER 700" ]
ok $? "a2's part: its roots, its repository and prefix, its own borg cache $E2E_VPS/state/a2"
out=$("$LINT" 2>&1)
ok $? "sshgate-lint checks the common part and the three parts: $(grep -E '(policy|\.policy): [0-9]+ rules' <<<"$out" | sed 's/.*\///' | paste -sd' ')"

# ---- the same run again changes nothing -------------------------------------------

mapfile -t o < <(src_opts a2)
e2e_vps_job a a2 "${o[@]}"
ok $? "setup/vps/install --job a2 again, the same options"
grep -q "nothing changed" "$E2E_VPS/install.log" && ! grep -q '^setup/vps/install: wrote ' "$E2E_VPS/install.log"
ok $? "... says 'nothing changed' and writes nothing"

# ---- three pulls --------------------------------------------------------------------

e2e_sshd_start
for j in $jobs; do
	e2e_server_use "${srv[$j]}" "$j"
	e2e_serve_start
done
# three trees, each its own content (seed 1 makes one, 2 and 3 change it)
e2e_make_tree "$R/a1" 1 && e2e_make_tree "$R/a2" 1 && e2e_make_tree "$R/a2" 2 &&
    e2e_make_tree "$R/shared" 1 && e2e_make_tree "$R/shared" 3 ||
    sgt_bail "cannot make the trees"
for d in a1 a2 shared; do e2e_snapshot "$R/$d" > "$SGT_DIR/snap-$d.json"; done

backup() {	# backup JOB: its borgmatic create; sets rc, out
	e2e_server_use "${srv[$1]}" "$1"
	out=$(e2e_borgmatic --config "$E2E_PULL_YAML" --verbosity 1 create 2>&1)
	rc=$?
}
for j in $jobs; do
	backup "$j"
	ok $rc "job $j backs up"
	[ $rc = 0 ] || sed 's/^/#   /' <<<"$out"
	grep -q "permit rule=borg-create.$j caller=$SGT_LOGIN([0-9]*) from=127.0.0.1 tag=$j " "$SGT_DIR/syslog"
	ok $? "... the gate logged permit rule=borg-create.$j tag=$j"
done
for j in $jobs; do
	e2e_server_use "${srv[$j]}" "$j"
	a=$(e2e_archives)
	is "$(grep -c . <<<"$a")" 1 "job $j: one archive in $E2E_REPO"
	case $a in "$j-"*) ok 0 "... named $j-..." ;; *) ok 1 "... named $j-... ($a)" ;; esac
	if e2e_restore "$a" "$R/restore-$j" > "$SGT_DIR/restore-$j.log" 2>&1; then
		for d in ${roots[$j]}; do
			out=$(e2e_compare "$SGT_DIR/snap-${d##*/}.json" "$R/restore-$j$d")
			ok $? "... restores $d identical to the source"
			diag "$out"
		done
	else
		ok 1 "... restores"
		sed 's/^/#   /' "$SGT_DIR/restore-$j.log"
	fi
	[ "$(ls "$R/restore-$j$R" | paste -sd' ')" = "$(for d in ${roots[$j]}; do echo "${d##*/}"; done | sort | paste -sd' ')" ]
	ok $? "... and holds nothing but its own roots"
done

# ---- one job's rules serve no other ---------------------------------------------------

e2e_server_use b b1
out=$(e2e_ssh 127.0.0.1 "borg list ssh://backup/./a1" < /dev/null 2>&1)
[[ $out == *"denied: rule 'wrong-repository.b1': this host backs up only to ssh://backup/./b1 "* ]]
good=$?
ok $good "b1's key, a1's repository: denied by wrong-repository.b1, which names b1's"
[ $good = 0 ] || diag "$out"
e2e_server_use a a1
out=$(e2e_ssh 127.0.0.1 "borg create ssh://backup/./a1::a1-{now} $R/shared" < /dev/null 2>&1)
e2e_last_deny | grep -q "^deny .* tag=a1 reason=\"rule 'create-refused': "
good=$?
ok $good "a1's key, a2's root $R/shared: denied (create-refused, tag a1)"
[ $good = 0 ] || diag "$out / $(e2e_last_deny)"

# ---- a broken part stops its job only ----------------------------------------------------

cp -p "$D/b1.policy" "$SGT_DIR/b1.good"
printf 'garbage {\n' >> "$D/b1.policy"
backup b1
[ $rc != 0 ] && grep -q "policy part $D/b1.policy has 1 error; nothing is permitted for tag 'b1'" <<<"$out"
good=$?
ok $good "b1's part broken: b1's pull fails, and its client is told which part"
[ $good = 0 ] || sed 's/^/#   /' <<<"$out"
grep -q "policy error: $D/b1.policy:[0-9]*:[0-9]*: " "$SGT_DIR/syslog"
ok $? "... the gate's log names the part, its line and the error"
lint=$("$LINT" 2>&1)
is "$?" 2 "... sshgate-lint fails"
grep -q "^$D/b1.policy:[0-9]*:[0-9]*: error: " <<<"$lint"
ok $? "... naming b1's part: $(grep -m1 "^$D/b1.policy:" <<<"$lint")"
for j in a1 a2; do
	backup "$j"
	ok $rc "... job $j still backs up"
done
cp -p "$SGT_DIR/b1.good" "$D/b1.policy"
backup b1
ok $rc "b1's part put back: b1 backs up again"

# ---- a run that fails changes nothing ----------------------------------------------------

state() {	# what the jobs' runs own, as one text
	{ cat "$keys" "$M" "$M.jobs"/*; sha256sum "$D"/* "$SGT_POLICY"
	  ls -A "$D" "$M.jobs" "$E2E_VPS/keys/$SGT_LOGIN.d" "$E2E_VPS/state"
	  stat -c '%n %U:%G %a' "$D"/* "$E2E_VPS/state"/*; } 2>&1
}
before=$(state)
e2e_vps_installer "$sockdir" --job c1 --from 127.0.0.1 --key-file "$SGT_DIR/srv-a/conf/a1.key.pub"
is "$?" 1 "a job c1 with a1's key: refused"
grep -q "error: this key is job a1's already" "$E2E_VPS/install.log"
ok $? "... $(grep -o "this key is job a1's already[^:]*" "$E2E_VPS/install.log")"
ssh-keygen -q -t ed25519 -N '' -C sgt-c1 -f "$SGT_DIR/c1.key" || sgt_bail ssh-keygen
cp -p "$E2E_VPS/sshd_config" "$SGT_DIR/sshd_config.good"
echo "NoSuchKeyword yes" >> "$E2E_VPS/sshd_config"
e2e_vps_installer "$sockdir" --job c1 --from 127.0.0.1 --key-file "$SGT_DIR/c1.key.pub"
rc=$?
cp -p "$SGT_DIR/sshd_config.good" "$E2E_VPS/sshd_config"
is "$rc" 1 "a job c1 while sshd -t fails: the run fails"
grep -q "rolled back every change of this run" "$E2E_VPS/install.log"
ok $? "... and says it rolled back"
is "$(state)" "$before" "... the key file, the records, the parts and the caches are as before"
[ ! -e "$D/c1.policy" ] && [ ! -e "$M.jobs/c1" ]
ok $? "... no part and no record of c1"

# ---- --remove --job a2 -------------------------------------------------------------------

cp -p "$keys" "$SGT_DIR/keys.good"
echo "# edited by hand" >> "$keys"
e2e_vps_installer "$sockdir" --remove --job a2
is "$?" 1 "--remove --job a2 with a key file edited by hand: refused"
grep -q "error: $keys was changed since the last run: job a2's key lines would stay in it; nothing removed" "$E2E_VPS/install.log" &&
    grep -q "sshgate a2\"" "$keys" && [ -f "$D/a2.policy" ] && [ -f "$M.jobs/a2" ]
ok $? "... it says why, and a2 is still all there"
cp -p "$SGT_DIR/keys.good" "$keys"

a2fp=$(ssh-keygen -l -f "$SGT_DIR/srv-a/conf/a2.key.pub" | cut -d' ' -f2)
e2e_vps_installer "$sockdir" --remove --job a2
ok $? "setup/vps/install --remove --job a2"
grep -q "removed job a2" "$E2E_VPS/install.log"
ok $? "... says so: $(grep 'removed job a2' "$E2E_VPS/install.log")"
is "$(e2e_vps_installer "$sockdir" --list-jobs && cat "$E2E_VPS/install.log" | paste -sd' ')" \
    "a1 b1" "--list-jobs: a1 b1"
! grep -q "sshgate a2\"" "$keys" && [ "$(grep -c . "$keys")" = 2 ] &&
    [ ! -e "$D/a2.policy" ] && [ ! -e "$E2E_VPS/state/a2" ] && [ ! -e "$sockdir/a2.sock" ] &&
    [ ! -e "$M.jobs/a2" ] && [ ! -e "$E2E_VPS/keys/$SGT_LOGIN.d/a2.keys" ]
ok $? "a2's key line, part, borg cache, socket and record are gone"
[ -f "$D/a1.policy" ] && [ -f "$D/b1.policy" ] && [ -d "$E2E_VPS/state/a1" ] &&
    [ -d "$E2E_VPS/state/b1" ] && [ -f "$M" ] &&
    [ "$(grep -c "$SGT_DIR/bin/sshgate [ab]1\"" "$keys")" = 2 ]
ok $? "a1's and b1's are there, and the common set-up"
for j in a1 b1; do
	backup "$j"
	ok $rc "job $j still backs up"
	[ $rc = 0 ] || sed 's/^/#   /' <<<"$out"
done
before=$(grep -c 'tag=a2 ' "$SGT_DIR/syslog")
backup a2
[ $rc != 0 ] && grep -q "^$SGT_LOGIN@127.0.0.1: Permission denied (publickey)" <<<"$out" &&
    grep -q "^sshgate-pull: job a2: ssh $SGT_LOGIN@127.0.0.1 failed: the connection, the login (is job a2 installed on the VPS? there: setup/vps/install --list-jobs), or the tunnel $sockdir/a2.sock -> " <<<"$out"
good=$?
ok $good "a2's pull is refused: 'Permission denied (publickey)', and sshgate-pull names the job a2, --list-jobs and its tunnel $sockdir/a2.sock"
[ $good = 0 ] || sed 's/^/#   /' <<<"$out"
grep -qF "$a2fp" "$E2E_VPS/sshd.log"
good=$?
ok $good "... the VPS's sshd logged the refused key, a2's ($a2fp)"
[ $good = 0 ] || tail -5 "$E2E_VPS/sshd.log" | sed 's/^/#   /'

is "$(grep -c 'tag=a2 ' "$SGT_DIR/syslog")" "$before" "... and the gate never ran for tag a2"
for j in a1 b1; do
	e2e_server_use "${srv[$j]}" "$j"
	is "$(e2e_archives | grep -c .)" 3 "job $j's repository: its three archives"
done

# ---- --remove: the rest -------------------------------------------------------------------

e2e_vps_installer "$sockdir" --remove
ok $? "setup/vps/install --remove"
[ ! -e "$keys" ] && [ ! -e "$D" ] && [ ! -e "$SGT_POLICY" ] && [ ! -e "$M" ] &&
    [ ! -e "$M.jobs" ] && [ ! -e "$E2E_VPS/state" ] &&
    [ ! -e "$E2E_VPS/sshd_config.d/sshgate-$SGT_LOGIN.conf" ]
good=$?
ok $good "... removes every job and the common set-up"
[ $good = 0 ] || { sed 's/^/#   /' "$E2E_VPS/install.log"; ls -la "$E2E_VPS" "$D" 2>&1 | sed 's/^/#   /'; }

sgt_done
