#!/bin/bash
# Fail closed: what tests/root/policy-trust.sh does not cover.  A policy
# too large or full of errors, a regex that hits the PCRE2 limits, a
# caller's address-space limit, a syslog that stopped reading, a missing
# runner, group or writable path, a program that is missing, not a file,
# not executable, or a symlink into an untrusted place.  Each ends in a
# documented status with a message and nothing run -- or, where it may
# run, in a run exactly as confined as always.  "timeout" is only a hang
# detector here (generous, never a measure of speed).
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

HANG=300	# seconds before a run counts as hung

{
	echo "sshgate-policy 1"
	cf_rule borg-like probe \
	    "as       $SGT_RUNNER" \
	    "caps     dac_read_search" \
	    "seccomp  strict" \
	    "landlock require" \
	    "write    $CF_HOME" \
	    "setenv   HOME $CF_HOME"
} > "$SGT_DIR/probe.policy"
sgt_policy "$SGT_DIR/probe.policy"

nothing_ran() {	# no line of a probe's report in $out
	! printf '%s\n' "$out" |
	    grep -Eq '^(Uid|fds|inet|env|status|read=.*):|^(program|argv\[0\]) '
}

# gate_root FILE [VAR=val...]: the gate as real root with -f FILE, under
# the hang detector; sets rc, out (stdout), err (stderr)
gate_root() {
	local f=$1
	shift
	env -i SSH_ORIGINAL_COMMAND="probe status" "$@" timeout -k 5 "$HANG" \
	    "$SGT_DIR/bin/sshgate" -f "$f" >"$SGT_DIR/out" 2>"$SGT_DIR/err" </dev/null
	rc=$?
	out=$(cat "$SGT_DIR/out")
	err=$(cat "$SGT_DIR/err")
}

# refused STATUS ERE WHAT: after gate_root/gate_login
refused() {
	if [ "$rc" = "$1" ] && nothing_ran &&
	    printf '%s\n' "$err" | grep -qE -- "$2"; then
		ok 0 "$3 (exit $1)"
	else
		ok 1 "$3 (exit $1)"
		diag "exit $rc" "stdout: $out" "stderr: $err"
		[ "$rc" = 124 ] && diag "(hung for ${HANG}s)"
	fi
}

# gate_login [VAR=val ...] -- [PRLIMIT-OPTION...]: the setuid gate as the
# login account, under the hang detector; rc, out (stdout), err (stderr)
gate_login() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	env -i "${envs[@]}" timeout -k 5 "$HANG" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- prlimit "$@" -- \
	    "${GATE:-$SGT_DIR/bin/sshgate}" >"$SGT_DIR/out" 2>"$SGT_DIR/err" </dev/null
	rc=$?
	out=$(cat "$SGT_DIR/out")
	err=$(cat "$SGT_DIR/err")
}

pd=$SGT_DIR/pol
mkdir -m 0755 "$pd" || sgt_bail "mkdir"

# ---- a policy too large, or full of errors ------------------------------------
# The size limit is checked on the open descriptor before reading; a policy
# within it that is nothing but errors is refused in bounded time and
# memory (each diagnostic after the first 1000 is only counted).
{ head -n 1 "$SGT_DIR/probe.policy"; head -c $((100 << 20)) /dev/zero | tr '\0' '#'; } \
    > "$pd/huge"
chmod 0644 "$pd/huge"
gate_root "$pd/huge"
refused 4 "policy $pd/huge refused: file is larger than 16777216 bytes; nothing is permitted" \
    "a 100 MiB policy is refused unread"
rm -f "$pd/huge"
{ cat "$SGT_DIR/probe.policy"; printf '#%.0s' $(seq 16); } > "$pd/over"
truncate -s $(((16 << 20) + 1)) "$pd/over"
chmod 0644 "$pd/over"
gate_root "$pd/over"
refused 4 "file is larger than 16777216 bytes" "a policy one byte over 16 MiB is refused"
# and at exactly the limit it is read (the rest is comment padding)
{ cat "$SGT_DIR/probe.policy"; printf '# padding '; } > "$pd/limit"
n=$(stat -c %s "$pd/limit")
head -c $(((16 << 20) - n - 1)) /dev/zero | tr '\0' x >> "$pd/limit"
echo >> "$pd/limit"
chmod 0644 "$pd/limit"
is "$(stat -c %s "$pd/limit")" $((16 << 20)) "a policy of exactly 16 MiB is made"
gate_root "$pd/limit" SSH_ORIGINAL_COMMAND="probe $CF_CHECKS"
[ "$rc" = 0 ] && cf_confined
ok $? "a policy of exactly 16 MiB is read and used"
rm -f "$pd/over" "$pd/limit"

# ~15 MB of garbage three ways: random bytes; one line of control bytes
# (every error on one 15 MB line); a million lines with an error each.
# Under a 512 MiB address-space limit: the refusal must not need more
# ($SGT_GATE_NATIVE: valgrind, in the valgrind stage, would need more
# itself; the run without the limit is the one it watches).
head -c 15000000 /dev/urandom > "$pd/random"
{ echo "sshgate-policy 1"; head -c 15000000 /dev/zero | tr '\0' '\001'; } > "$pd/ctl"
"$SGT_PY" -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("sshgate-policy 1\n")
    for i in range(1000000):
        f.write("bogus%d x\n" % i)
' "$pd/lines"
chmod 0644 "$pd/random" "$pd/ctl" "$pd/lines"
for g in random ctl lines; do
	env -i SSH_ORIGINAL_COMMAND="probe status" timeout -k 5 "$HANG" \
	    prlimit --as=$((512 << 20)) -- "$SGT_GATE_NATIVE" -f "$pd/$g" \
	    >"$SGT_DIR/out" 2>"$SGT_DIR/err" </dev/null
	rc=$? out=$(cat "$SGT_DIR/out") err=$(cat "$SGT_DIR/err")
	refused 4 "policy $pd/$g has [0-9]+ errors; nothing is permitted" \
	    "15 MB of garbage ($g) is refused in bounded time and memory"
	gate_root "$pd/$g"
	refused 4 "policy $pd/$g has [0-9]+ errors; nothing is permitted" \
	    "... and without the limit"
done
grep -q "policy error: $pd/lines:2:1: expected 'rule' or 'test', found word bogus0" \
    "$SGT_DIR/syslog"
ok $? "... and the log names the first error"
timeout -k 5 "$HANG" "$SGT_DIR/bin/sshgate-lint" -f "$pd/lines" \
    >"$SGT_DIR/out" 2>"$SGT_DIR/err"
rc=$?
[ "$rc" = 2 ] &&
    grep -qx "$pd/lines: note: too many diagnostics: the first 1000 are shown, the others only counted" \
    "$SGT_DIR/err" &&
    grep -qx "$pd/lines: 1000000 errors, 0 warnings; the gate would permit nothing" \
    "$SGT_DIR/err" &&
    [ "$(grep -c ': error: ' "$SGT_DIR/err")" = 1000 ]
ok $? "sshgate-lint shows 1000 errors, says so, and counts all 1000000"
[ "$rc" = 2 ] || diag "exit $rc" "$(tail -3 "$SGT_DIR/err")"
rm -f "$pd/random" "$pd/ctl" "$pd/lines"

# ---- a regex that hits the PCRE2 limits ---------------------------------------
# Catastrophic backtracking on a crafted argument: the limit is a deny of
# the whole command, never "no match, try the next rule" -- the rule after
# it, which would permit, does not decide.
[ -x "$top_builddir/tests/probe-argv" ] || sgt_bail "tests/probe-argv not built"
PA=$SGT_DIR/bin/probe-argv
install -o root -g root -m 0755 "$top_builddir/tests/probe-argv" "$PA" ||
    sgt_bail "install probe-argv"
cat > "$pd/redos" <<EOF
sshgate-policy 1
rule redos {
    run  $PA
    as   $SGT_RUNNER
    args "probe" /(a+)+[bc]/
}
rule deep {
    run  $PA
    as   $SGT_RUNNER
    args "probe" "deep" /(a|b|ab)*c/
}
rule later {
    run  $PA
    as   $SGT_RUNNER
    args "probe" /[a-z]*/*
}
EOF
chmod 0644 "$pd/redos"
a40=$(printf 'a%.0s' $(seq 40))
gate_root "$pd/redos" SSH_ORIGINAL_COMMAND="probe ${a40}d"
refused 3 "denied: rule 'redos': a pattern hit the PCRE2 match limit on word 1" \
    "(a+)+[bc] against 40 a's and a d: denied at the match limit"
grep -q "deny .*reason=\"rule 'redos': a pattern hit the PCRE2 match limit on word 1\"" \
    "$SGT_DIR/syslog"
ok $? "... and logged as such"
gate_root "$pd/redos" SSH_ORIGINAL_COMMAND="probe aaab"
[ "$rc" = 0 ] && printf '%s\n' "$out" | grep -qx 'argv\[1\] aaab'
ok $? "the same rule permits a short matching word (the limit is not a blanket deny)"
gate_root "$pd/redos" SSH_ORIGINAL_COMMAND="probe deep $(head -c 60000 /dev/zero | tr '\0' a)"
refused 3 "denied: rule 'deep': a pattern hit the PCRE2 match limit on word 2" \
    "(a|b|ab)*c against a 60000-byte word: denied at a limit"
# the most words a command may have, each tried by a star: linear
gate_root "$pd/redos" SSH_ORIGINAL_COMMAND="probe$(printf ' abcdefghijklm%.0s' $(seq 4095))"
[ "$rc" = 0 ] && printf '%s\n' "$out" | grep -qx 'argv\[4095\] abcdefghijklm'
ok $? "4096 words through a starred regex: permitted, in bounded time"
gate_root "$pd/redos" SSH_ORIGINAL_COMMAND="probe$(printf ' a%.0s' $(seq 4096))"
refused 3 "denied: more than 4096 words in the command" "4097 words: denied"

# ---- the caller's address-space limit --------------------------------------------
# From starving to ample: every run is either a clean refusal or a run as
# confined as always -- never a half-confined one -- and the program's own
# limit is the default, unlimited.  The policy carries 8 MiB of comments,
# so that a wide band of limits makes the gate itself run out of memory
# (and not only the loader before it, or nothing).  Each limit twice: soft
# and hard, then the soft one alone.  A hard limit only root can raise,
# with CAP_SYS_RESOURCE; where it lacks that, the gate refuses (exit 5).
{ cat "$SGT_DIR/probe.policy"; printf '# padding '; head -c $((8 << 20)) /dev/zero |
    tr '\0' x; echo; } | sgt_policy -
runs=0 denies=0 ooms=0
for soft in "" ":"; do
for mb in 1 2 3 4 6 8 12 16 24 32 48 64 128 256 1024; do
	lim="RLIMIT_AS ${mb} MiB${soft:+ (soft)}"
	GATE=$SGT_GATE_NATIVE gate_login SSH_ORIGINAL_COMMAND="probe $CF_CHECKS state" -- \
	    --as=$((mb << 20))$soft
	out="$out
$err"
	if [ "$rc" = 0 ] && cf_confined &&
	    printf '%s\n' "$out" | grep -qx "limit-as: unlimited unlimited"; then
		runs=$((runs + 1))
		ok 0 "$lim: ran fully confined, the program's limit unlimited"
	elif [ "$rc" = 127 ] && printf '%s\n' "$out" | grep -q 'error while loading shared' &&
	    ! printf '%s\n' "$out" | grep -q '^sshgate:' && nothing_ran; then
		# the loader could not even start the gate: nothing of it ran
		denies=$((denies + 1))
		ok 0 "$lim: the gate itself could not start (127)"
	elif case $rc in 2|3|4|5|126) true;; *) false;; esac &&
	    printf '%s\n' "$out" | grep -q '^sshgate: ' && nothing_ran; then
		denies=$((denies + 1))
		printf '%s\n' "$out" | grep -q '^sshgate: out of memory' && ooms=$((ooms + 1))
		ok 0 "$lim: refused (exit $rc): $(printf '%s\n' "$out" | grep '^sshgate: ' | tail -1)"
	elif [ "$rc" -ge 128 ] && [ "$rc" != 124 ] && ! printf '%s\n' "$out" | grep -q '^Uid:'; then
		# the probe itself died of the limit after the gate's execve
		denies=$((denies + 1))
		ok 0 "$lim: the program died of the limit (status $rc), before any output"
	else
		ok 1 "$lim: neither a clean refusal nor a confined run (status $rc)"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
	rm -f "/tmp/sgt-t$SGT_ID"
done
done
[ "$runs" -gt 0 ] && [ "$ooms" -gt 0 ]
ok $? "both outcomes were reached ($denies refused, $ooms of them by the gate out of memory; $runs ran)"
sgt_policy "$SGT_DIR/probe.policy"

# ---- accounts, groups, writable paths ---------------------------------------------
policy_with() {	# policy_with FIELD-LINE...: the probe rule with these fields
	{
		echo "sshgate-policy 1"
		cf_rule sgt-rule probe "$@"
	} | sgt_policy -
}
policy_with "as       sgt-none$SGT_ID"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 5 "runner account 'sgt-none$SGT_ID' of rule 'sgt-rule' does not exist" \
    "a runner account that does not exist"
grep -q "runner account 'sgt-none$SGT_ID' of rule 'sgt-rule' does not exist caller=$SGT_LOGIN(" \
    "$SGT_DIR/syslog"
ok $? "... is logged with the caller"
# the runner deleted after the policy was written (looked up at run time)
gone=sgt-g$SGT_ID
sgt_add_user "$gone" /usr/sbin/nologin
policy_with "as       $gone"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
[ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q "^Uid: $(id -u "$gone")	"
ok $? "a runner account that exists runs the program"
userdel "$gone" && groupdel "$gone" 2>/dev/null
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 5 "runner account '$gone' of rule 'sgt-rule' does not exist" \
    "... and once it is deleted, the same policy is refused"
policy_with "as       $SGT_RUNNER:sgt-nogroup$SGT_ID"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 5 "runner group 'sgt-nogroup$SGT_ID' of rule 'sgt-rule' does not exist" \
    "a runner group that does not exist"
policy_with "as       $SGT_RUNNER" "write    $SGT_DIR/sgt-nowhere"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 5 "$SGT_DIR/sgt-nowhere" "a writable path that does not exist"

# ---- the program ---------------------------------------------------------------
prog_policy() {	# prog_policy PATH
	printf 'sshgate-policy 1\nrule sgt-prog {\n    run  %s\n    as   %s\n    args "probe" /[a-z=\\/.0-9-]+/*\n}\n' \
	    "$1" "$SGT_RUNNER" | sgt_policy -
}
pg=$SGT_DIR/prog
mkdir -m 0755 "$pg" || sgt_bail "mkdir"
prog_policy "$pg/missing"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 126 "program of rule 'sgt-prog' refused: cannot open $pg/missing: No such file or directory" \
    "a program that does not exist"
mkdir "$pg/dir"
prog_policy "$pg/dir"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 126 "$pg/dir is not a regular file" "a program that is a directory"
install -m 0644 "$CF_PROBE" "$pg/noexec"
prog_policy "$pg/noexec"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 126 "cannot execute $pg/noexec: Permission denied" \
    "a program that is not executable (the execve fails, confined)"
install -m 0755 -o "$SGT_LOGIN" "$CF_PROBE" "$pg/owned"
prog_policy "$pg/owned"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 126 "file $pg/owned is owned by uid $(id -u "$SGT_LOGIN"), not root" \
    "a program the login account owns"
install -m 0775 "$CF_PROBE" "$pg/gw"
prog_policy "$pg/gw"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 126 "file $pg/gw is writable by its group" "a group-writable program"

# Replaced by a symlink: into a place others control, refused; into a
# trusted place, the target runs (every directory and link on the way is
# root's and writable by root alone).
mkdir -m 1777 "$SGT_DIR/sgt-tmp"
install -m 0755 "$CF_PROBE" "$SGT_DIR/sgt-tmp/probe"
ln -s "$SGT_DIR/sgt-tmp/probe" "$pg/to-tmp"
prog_policy "$pg/to-tmp"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 126 "directory $SGT_DIR/sgt-tmp is writable by others \(mode 1777\)" \
    "a program replaced by a symlink into a sticky world-writable directory"
mkdir -m 0755 "$SGT_DIR/sgt-user" && chown "$SGT_LOGIN" "$SGT_DIR/sgt-user"
install -m 0755 "$CF_PROBE" "$SGT_DIR/sgt-user/probe"
ln -s ../sgt-user/probe "$pg/to-user"
prog_policy "$pg/to-user"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 126 "directory $pg/../sgt-user is owned by uid $(id -u "$SGT_LOGIN")" \
    "a program replaced by a relative symlink into the login account's directory"
ln -s "$pg/to-tmp" "$pg/chain"
prog_policy "$pg/chain"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 126 "writable by others" "a chain of symlinks ending in an untrusted place"
ln -s "$CF_PROBE" "$pg/to-trusted"
prog_policy "$pg/to-trusted"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
[ "$rc" = 0 ] && printf '%s\n' "$out" | grep -q "^Uid: $CF_RUID	"
ok $? "a program replaced by a symlink to a trusted program runs it"
ln -s loop-b "$pg/loop-a" && ln -s loop-a "$pg/loop-b"
prog_policy "$pg/loop-a"
gate_login SSH_ORIGINAL_COMMAND="probe status" --
refused 126 "program of rule 'sgt-prog' refused" "a symlink loop as the program"
sgt_policy "$SGT_DIR/probe.policy"

# ---- a syslog that stopped reading --------------------------------------------------
# The gate sends with MSG_DONTWAIT: a full socket buffer costs the log
# line (a warning on stderr), never a hang and never the decision.
kill $SGT_PIDS 2>/dev/null
wait 2>/dev/null
SGT_PIDS=
rm -f /dev/log
"$SGT_PY" - "$SGT_DIR/.stuck" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log"); os.chmod("/dev/log", 0o666)
w = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
w.connect("/dev/log"); w.setblocking(False)
n = 0
try:
    while True:
        w.send(b"<86>sgt-fill " + b"x" * 200); n += 1
except BlockingIOError:
    pass
open(sys.argv[1], "w").write("%d\n" % n)
import time
while True:
    time.sleep(60)    # holds the socket, never reads
PY
SGT_PIDS=$!
for i in $(seq 200); do [ -s "$SGT_DIR/.stuck" ] && break; sleep 0.05; done
[ -s "$SGT_DIR/.stuck" ]
ok $? "a syslog socket whose reader stopped is full ($(cat "$SGT_DIR/.stuck" 2>/dev/null) datagrams queued)"
gate_login SSH_ORIGINAL_COMMAND="probe $CF_CHECKS" --
out="$out
$err"
[ "$rc" = 0 ] && cf_confined &&
    printf '%s\n' "$err" | grep -qx "sshgate: warning: syslog unavailable; this decision is not logged"
ok $? "a permitted command runs fully confined, with a warning that it is not logged"
[ "$rc" = 0 ] || diag "exit $rc" "$err"
gate_login SSH_ORIGINAL_COMMAND="probe; id" --
[ "$rc" = 3 ] && printf '%s\n' "$err" | grep -q "^sshgate: denied: unquoted ';'" &&
    printf '%s\n' "$err" | grep -q "syslog unavailable"
ok $? "a denied command is still denied (exit 3), with the warning"
gate_root "$SGT_DIR/sgt-nopolicy"
refused 4 "cannot open $SGT_DIR/sgt-nopolicy" "an unusable policy is still refused (exit 4)"
kill $SGT_PIDS 2>/dev/null
wait 2>/dev/null
SGT_PIDS=
# a stream listener that never accepts, its backlog full
rm -f /dev/log
"$SGT_PY" - "$SGT_DIR/.stuck2" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("/dev/log"); os.chmod("/dev/log", 0o666); s.listen(0)
held = []
while True:
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.setblocking(False)
    try:
        c.connect("/dev/log"); held.append(c)
    except BlockingIOError:
        break
open(sys.argv[1], "w").write("%d\n" % len(held))
while True:
    time.sleep(60)
PY
SGT_PIDS=$!
for i in $(seq 200); do [ -s "$SGT_DIR/.stuck2" ] && break; sleep 0.05; done
gate_login SSH_ORIGINAL_COMMAND="probe $CF_CHECKS" --
out="$out
$err"
[ "$rc" = 0 ] && cf_confined && printf '%s\n' "$err" | grep -q "syslog unavailable"
ok $? "a stream syslog with a full backlog: the command runs confined, not logged, no hang"
kill $SGT_PIDS 2>/dev/null
wait 2>/dev/null
SGT_PIDS=
rm -f /dev/log
gate_login SSH_ORIGINAL_COMMAND="probe $CF_CHECKS" --
out="$out
$err"
[ "$rc" = 0 ] && cf_confined && printf '%s\n' "$err" | grep -q "syslog unavailable"
ok $? "no /dev/log at all: the command runs confined, with the warning"
gate_login SSH_ORIGINAL_COMMAND="borg extract x" --
[ "$rc" = 3 ] && printf '%s\n' "$err" | grep -q "^sshgate: denied: no rule permits this command"
ok $? "... and a denial is still a denial"
rm -f "/tmp/sgt-t$SGT_ID"

sgt_done
