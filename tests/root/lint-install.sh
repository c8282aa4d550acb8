#!/bin/bash
# sshgate-lint --install NEW and --rollback (policy/lint/install.c) with
# the real setuid gate reading the installed policy: a broken policy
# leaves the old one in place byte for byte and the gate permitting as
# before; a good one is swapped while 20 gate runs are in flight, none of
# them refused; the change report lists exactly the commands whose
# decision changes; a policy changed under --install is not replaced;
# --rollback restores the old decisions, and a second one the new.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"

lint=$SGT_DIR/bin/sshgate-lint
pol=$SGT_POLICY
dir=$(dirname "$pol")
log=$SGT_DIR/syslog
w=$SGT_DIR/w
mkdir -p "$w" || sgt_bail "mkdir"

# A: whoami by rule 'who', "say a" permitted, "say b" denied.
cat >"$w/A" <<EOF
sshgate-policy 1
rule who {
    run  /usr/bin/id -un
    as   $SGT_RUNNER
    args "whoami"
    test permit "whoami"
}
rule say-a {
    run  /bin/echo
    as   $SGT_RUNNER
    args "say" "a"
    test permit "say a"
}
test deny "say b"
test deny "rm x"
EOF
# B: whoami by another rule, "say a" denied, "say b" permitted.
cat >"$w/B" <<EOF
sshgate-policy 1
rule whoami-b {
    run  /usr/bin/id -un
    as   $SGT_RUNNER
    args "whoami"
    test permit "whoami"
}
rule say-b {
    run  /bin/echo
    as   $SGT_RUNNER
    args "say" "b"
    test permit "say b"
}
test deny "say a"
test deny "rm x"
EOF
# 200 KB of comments before the rules of each: a file written in place
# would be read without its rules by a run that comes meanwhile.
for f in A B; do
	{ head -n 1 "$w/$f"; for i in $(seq 2000); do
		printf '# %s padding %098d\n' "$f" "$i"; done
	  tail -n +2 "$w/$f"; } >"$w/$f.tmp" && mv "$w/$f.tmp" "$w/$f"
done
sgt_policy "$w/A"

# run CMD: the gate as the login account; sets rc and out, and got:
# "0:OUTPUT" for a run, the exit status alone for a refusal
run() {
	out=$(sgt_gate SSH_ORIGINAL_COMMAND="$1" -- 2>&1)
	rc=$?
	got=$rc
	[ "$rc" = 0 ] && got="0:$out"
}
# decisions WHAT WHOAMI-RULE SAY-A SAY-B: what the gate does now
decisions() {
	local n
	n=$(grep -c "permit rule=" "$log")
	run whoami
	is "$rc:$out" "0:$SGT_RUNNER" "$1: whoami runs"
	settle "$n"
	grep "permit rule=" "$log" | tail -n 1 | grep -q "permit rule=$2 "
	ok $? "$1: ... by rule $2"
	run "say a"
	is "$got" "$3" "$1: say a"
	run "say b"
	is "$got" "$4" "$1: say b"
}
settle() {	# the listener writes asynchronously: a permit after n
	local i
	for i in $(seq 100); do
		[ "$(grep -c "permit rule=" "$log")" -gt "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
# only FILES...: the policy directory holds exactly these names
only() {
	is "$(echo $(ls -A "$dir"))" "$*" "the directory holds $* only"
}
# changes FILE: the report's changed commands, sorted
changes() {
	grep -E '^  (permit -> deny|deny -> permit|other rule): ' "$1" | sort
}

decisions "A installed" who "0:a" 3

# ---- usage --------------------------------------------------------------------------

for args in "--install $w/B --last 0" "--install $w/B --json" "--dry-run" \
    "--log /dev/null --test whoami" "--install $w/B --rollback"; do
	"$lint" $args >/dev/null 2>&1
	is "$?" 2 "sshgate-lint $args: exit 2"
done
setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups -- \
    "$lint" --install "$w/B" >"$w/out" 2>"$w/err"
is "$?:$(cat "$w/err")" "2:sshgate-lint: --install needs root: the policy and its directory are root's" \
    "--install as another account: exit 2, and why"

# ---- broken policies leave A in place, byte for byte --------------------------

printf 'sshgate-policy 1\nrule x {\n    run /bin/true\n' >"$w/parse"
sed 's/test permit "say b"/test permit "say c"/' "$w/B" >"$w/failing"
for bad in parse failing; do
	"$lint" --install "$w/$bad" --log /dev/null >"$w/out" 2>"$w/err"
	is "$?" 2 "a policy with $bad errors: exit 2"
	grep -q "$w/$bad has [0-9]* errors\?: $pol not changed" "$w/err"
	ok $? "... and says it did not change $pol"
	cmp -s "$pol" "$w/A"
	ok $? "... A is in place, byte for byte"
	only policy
done
grep -q "test expects permit by rule 'say-b', but it is denied" "$w/err"
ok $? "the failing test is named"

# The copy is checked in the installed policy's own directory, as the
# gate walks it: a group-writable directory refuses B itself.
chmod 0775 "$dir"
"$lint" --install "$w/B" --log /dev/null >"$w/out" 2>"$w/err"
is "$?" 2 "a group-writable policy directory: exit 2"
grep -q "sshgate would refuse any policy in $dir: directory $dir is writable by its group (mode 0775); not installed" "$w/err"
ok $? "... with the walker's reason"
chmod 0755 "$dir"
cmp -s "$pol" "$w/A"
ok $? "... A is in place, byte for byte"
only policy
# NEW's own owner and mode do not matter: its bytes are copied once.
cp "$w/B" "$w/B-draft" && chown "$SGT_LOGIN" "$w/B-draft" &&
    chmod 0666 "$w/B-draft"
"$lint" --install "$w/B-draft" --dry-run --log /dev/null >/dev/null 2>&1
is "$?" 0 "a draft owned by another account, mode 0666, passes --dry-run"
# With --strict, a warning is enough to keep A.
{ cat "$w/B"; printf 'rule warn {\n    run /bin/echo\n    as %s\n    args "warn" /(a+)+/\n}\n' "$SGT_RUNNER"; } >"$w/warn"
"$lint" --install "$w/warn" --strict --log /dev/null >"$w/out" 2>"$w/err"
is "$?" 1 "--strict and a policy with a warning: exit 1"
grep -q "\[nested-quantifier\]" "$w/err" &&
    grep -q "$w/warn has 1 warning and --strict: $pol not changed" "$w/err"
ok $? "... names the warning, and says it did not change $pol"
cmp -s "$pol" "$w/A"
ok $? "... A is in place, byte for byte"
only policy
decisions "after the broken ones" who "0:a" 3

# ---- the log, and the report ------------------------------------------------------

run "rm x"
is "$rc" 3 "rm x is denied (for the log)"
run "id"
is "$rc" 3 "id is denied (for the log)"
want=$(printf '%s\n' \
    "  deny -> permit: say b" \
    "  other rule: whoami" \
    "  permit -> deny: say a" | sort)
"$lint" --install "$w/B" --dry-run --log "$log" >"$w/out" 2>"$w/err"
is "$?" 0 "--dry-run of B: exit 0"
sed -n '/^the installed policy.s tests/,/^the log/p' "$w/out" >"$w/tests"
is "$(changes "$w/tests")" "$want" \
    "the installed policy's tests: exactly the 3 changes"
sed -n '/^the log/,$p' "$w/out" >"$w/logpart"
is "$(changes "$w/logpart" | sed 's/ (.* times)$//')" "$want" \
    "the log's commands: exactly the 3 changes (rm x, id unchanged)"
grep -q "^the log ($log): the last [0-9]* commands, 5 different" "$w/out"
ok $? "the log: 5 different commands, permits rebuilt from their argv"
grep -q "^dry run: $pol not changed" "$w/out"
ok $? "--dry-run says so"
cmp -s "$pol" "$w/A"
ok $? "... A is in place, byte for byte"
only policy

# Without --log: journalctl -t sshgate.  A stand-in bound over it in this
# test's mount namespace prints the gate's log; then one that fails; then
# none that can run.
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >%s/jargs\nexec cat %s\n' "$w" "$log" \
    >"$w/journalctl" && chmod 0755 "$w/journalctl" &&
    mount --bind "$w/journalctl" /usr/bin/journalctl || sgt_bail "journalctl"
"$lint" --install "$w/B" --dry-run >"$w/out" 2>"$w/err"
is "$?:$(cat "$w/jargs")" "0:-q --no-pager -o cat -t sshgate -n 20000" \
    "without --log: journalctl -q --no-pager -o cat -t sshgate -n 20000"
grep -q "^the log (journalctl -t sshgate): the last [0-9]* commands, 5 different" "$w/out"
ok $? "... its lines are the log"
printf '#!/bin/sh\nexit 1\n' >"$w/journalctl"
"$lint" --install "$w/B" --dry-run >"$w/out" 2>"$w/err"
is "$?:$(grep "^the log" "$w/out")" \
    "0:the log: not compared: journalctl -t sshgate failed (give --log FILE)" \
    "a journalctl that fails: the log is not compared, and the report says so"
umount /usr/bin/journalctl && mount --bind /dev/null /usr/bin/journalctl ||
    sgt_bail "journalctl"
"$lint" --install "$w/B" --dry-run >"$w/out" 2>"$w/err"
is "$?:$(grep "^the log" "$w/out")" \
    "0:the log: not compared: no /usr/bin/journalctl to read (give --log FILE)" \
    "no journalctl: the same"
umount /usr/bin/journalctl || sgt_bail "umount"
cmp -s "$pol" "$w/A"
ok $? "... A is in place, byte for byte"
only policy

# ---- changed under --install: refused ---------------------------------------

# NEW from a FIFO: --install has read the installed policy when it opens
# NEW, so the change below falls between its read and its rename.
mkfifo -m 0600 "$w/fifo" || sgt_bail "mkfifo"
for how in edited replaced; do
	"$lint" --install "$w/fifo" --log /dev/null >"$w/out" 2>"$w/err" &
	lpid=$!
	exec 3>"$w/fifo"
	# meanwhile, a second one waits for nobody
	"$lint" --rollback --log /dev/null >"$w/out2" 2>"$w/err2"
	is "$?" 2 "a second --rollback while --install runs: exit 2"
	grep -q "$dir: another sshgate-lint --install or --rollback is at work there" "$w/err2"
	ok $? "... and says why"
	if [ "$how" = edited ]; then
		echo "# $how" >>"$pol"
	else
		{ cat "$w/A"; echo "# $how"; } >"$dir/.sgt-new" &&
		    mv "$dir/.sgt-new" "$pol"
	fi
	cat "$w/B" >&3
	exec 3>&-
	wait "$lpid"
	is "$?" 3 "the installed policy $how during --install: exit 3"
	grep -q "$pol changed while it was checked: not installed" "$w/err"
	ok $? "... and says why"
	is "$(tail -n 1 "$pol")" "# $how" "... the $how policy stays"
	only policy
	sgt_policy "$w/A"
done

# A signal while --install reads the log (a FIFO): its copy is removed.
mkfifo -m 0600 "$w/logfifo" || sgt_bail "mkfifo"
"$lint" --install "$w/B" --log "$w/logfifo" >"$w/out" 2>"$w/err" &
lpid=$!
exec 3>"$w/logfifo"
ls -A "$dir" | grep -q '^\.policy\.new\.'
ok $? "while --install reads the log, its copy is in the directory"
kill -TERM "$lpid"
wait "$lpid"
is "$?" 143 "SIGTERM ends it"
exec 3>&-
cmp -s "$pol" "$w/A"
ok $? "... A is in place, byte for byte"
only policy

# ---- an installed policy the gate refuses is replaced ------------------------------

chmod 0664 "$pol"
run whoami
is "$rc" 4 "a group-writable installed policy: the gate refuses it"
"$lint" --install "$w/A" --log - <"$log" >"$w/out" 2>"$w/err"
is "$?" 0 "--install A over it: exit 0"
grep -q "^the installed policy's tests: none (the gate refuses the installed policy (file $pol is writable by its group (mode 0664)) and permits nothing)" "$w/out"
ok $? "... its report: the gate refuses the installed one"
grep -q "^the log (stdin): the last [0-9]* commands, 3 different" "$w/out" &&
    grep -Eq "^  [0-9]+ permit lines not compared: no installed policy the gate uses, to rebuild their commands with" "$w/out" &&
    [ -z "$(changes "$w/out")" ]
ok $? "... the log's denials (--log -), decided by nothing and by A, do not change; its permits are not compared"
is "$(stat -c '%U:%G %a' "$pol")" "root:root 644" "... A is in place, root:root 0644"
run whoami
is "$got" "0:$SGT_RUNNER" "... and the gate permits again"

 ----------------------------

# Each worker runs whoami until told to stop, and then until 3 of its
# runs started after the swap; each run's line: AFTER:STATUS:OUTPUT.
n0=$(grep -c "permit rule=" "$log")
l0=$(wc -l <"$log")
keep=$SGT_PIDS pids=
for i in $(seq 20); do
	(
		k=0
		while [ ! -e "$w/stop" ] || [ "$k" -lt 3 ]; do
			a=0
			[ -e "$w/swapped" ] && a=1
			o=$(sgt_gate SSH_ORIGINAL_COMMAND=whoami -- 2>&1)
			printf '%s:%s:%s\n' "$a" "$?" "$o" >>"$w/run.$i"
			k=$((k + a))
		done
	) &
	SGT_PIDS="$SGT_PIDS $!"
	pids="$pids $!"
done
# every worker ran once before the swap (2 minutes at most: the
# valgrind stage runs the gate under memcheck)
for t in $(seq 2400); do
	c=0
	for i in $(seq 20); do [ -s "$w/run.$i" ] && c=$((c + 1)); done
	[ "$c" = 20 ] && break
	sleep 0.05
done
is "$c" 20 "20 workers run the gate"
"$lint" --install "$w/B" --log "$log" >"$w/out" 2>"$w/err"
is "$?" 0 "--install B while they run: exit 0"
touch "$w/swapped" "$w/stop"
wait $pids
SGT_PIDS=$keep
cat "$w"/run.* >"$w/runs"
total=$(wc -l <"$w/runs")
after=$(grep -c "^1:" "$w/runs")
is "$(grep -cvx "[01]:0:$SGT_RUNNER" "$w/runs")" 0 \
    "none of the $total runs was refused or failed"
for t in $(seq 100); do
	[ "$(grep -c "permit rule=" "$log")" -ge $((n0 + total)) ] && break
	sleep 0.05
done
is "$(($(grep -c "permit rule=" "$log") - n0))" "$total" \
    "the log has a permit for each run"
nb=$(grep -c "permit rule=whoami-b " "$log")
[ "$after" -ge 60 ] && [ "$nb" -ge "$after" ] &&
    [ $((total - nb)) -ge 20 ]
ok $? "each worker ran with A, and 3 times after the swap with B ($((total - nb)) and $nb of $total runs)"
tail -n +$((l0 + 1)) "$log" | grep -Eq "policy .*(refused|error)|nothing is permitted"
ok $((!$?)) "the log has no policy refusal or error since the workers started"
cmp -s "$pol" "$w/B"
ok $? "B is installed, byte for byte"
cmp -s "$pol.prev" "$w/A"
ok $? "A is kept as policy.prev, byte for byte"
is "$(stat -c '%U:%G %a' "$pol")" "root:root 644" "B is root:root 0644"
only "policy policy.prev"
grep -q "^installed $w/B as $pol; the replaced policy is kept as $pol.prev" \
    "$w/out"
ok $? "--install says what it did"
is "$(changes "$w/out" | sed 's/ (.* times)$//' | sort -u)" "$want" \
    "its report: exactly the 3 changes"
decisions "B installed" whoami-b 3 "0:b"

# ---- rollback ----------------------------------------------------------------------

"$lint" --rollback --log /dev/null >"$w/out" 2>"$w/err"
is "$?" 0 "--rollback: exit 0"
cmp -s "$pol" "$w/A" && cmp -s "$pol.prev" "$w/B"
ok $? "A is back, B is kept as policy.prev"
decisions "rolled back" who "0:a" 3
"$lint" --rollback --log /dev/null >"$w/out" 2>"$w/err"
is "$?" 0 "--rollback of the rollback: exit 0"
cmp -s "$pol" "$w/B" && cmp -s "$pol.prev" "$w/A"
ok $? "B is back, A is kept"
decisions "rolled back twice" whoami-b 3 "0:b"
only "policy policy.prev"

# A broken previous policy is not put back.
cp "$w/parse" "$pol.prev"
"$lint" --rollback --log /dev/null >"$w/out" 2>"$w/err"
is "$?" 2 "--rollback to a broken previous policy: exit 2"
cmp -s "$pol" "$w/B"
ok $? "... B stays"
rm -f "$pol.prev"
"$lint" --rollback --log /dev/null >"$w/out" 2>"$w/err"
is "$?" 2 "--rollback without a previous policy: exit 2"
grep -q "no previous policy $pol.prev to roll back to" "$w/err"
ok $? "... says so"
cmp -s "$pol" "$w/B"
ok $? "... B stays"

sgt_done
