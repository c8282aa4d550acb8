#!/bin/bash
# Every decision of the gate is one syslog line (authpriv), or numbered
# parts of one for a long command (none cut silently), with the
# client's bytes escaped: a command cannot forge log lines or reach a
# terminal that reads the log.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"

sgt_policy - <<EOF
sshgate-policy 1
rule open {
    run  /bin/echo open
    as   $SGT_RUNNER
    args "job" /[a-z ]+/*
}
rule refuse {
    deny "jobs of another kind go elsewhere"
    args "job" /[A-Z]+/
}
rule long {
    run  /bin/true
    as   $SGT_RUNNER
    args "borg" "create" ( "--stats" )* /ssh:.*/ /\/.*/+
}
EOF
log=$SGT_DIR/syslog
uid=$(id -u "$SGT_LOGIN")
conn="192.0.2.7 50022 192.0.2.1 22"

# since N: the log lines after the first N
since() { tail -n +"$(($1 + 1))" "$log"; }
settle() {	# the listener writes asynchronously; wait for n lines
	local i
	for i in $(seq 100); do
		[ "$(wc -l <"$log")" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

n=$(wc -l <"$log")
out=$(sgt_gate SSH_ORIGINAL_COMMAND="job a 'b c'" SSH_CONNECTION="$conn" \
    -- nightly 2>&1)
is "$out" "open a b c" "a permitted command runs"
settle $((n + 1))
since "$n" >"$SGT_DIR/new"
is "$(wc -l <"$SGT_DIR/new")" 1 "a permit is one log line"
line=$(cat "$SGT_DIR/new")
case $line in
"<86>"*" sshgate["*"]: permit rule=open caller=$SGT_LOGIN($uid) from=192.0.2.7 tag=nightly runner=$SGT_RUNNER landlock=abi"[0-9]*" version=$SGT_VERSION argv=/bin/echo open a 'b c'")
	ok 0 "the permit line: authpriv.info, rule, caller, from, tag, runner, the gate's version, argv" ;;
*)	ok 1 "the permit line: authpriv.info, rule, caller, from, tag, runner, the gate's version, argv"
	diag "$line" ;;
esac

n=$(wc -l <"$log")
sgt_gate SSH_ORIGINAL_COMMAND="job ABC" -- >/dev/null 2>&1
is "$?" 3 "a deny rule's command exits 3"
settle $((n + 1))
line=$(since "$n")
case $line in
"<85>"*" sshgate["*"]: deny caller=$SGT_LOGIN($uid) from=- tag=- reason=\"rule 'refuse': jobs of another kind go elsewhere\" command=\"job ABC\"")
	ok 0 "the deny line: authpriv.notice, caller, no address, no tag, reason, command" ;;
*)	ok 1 "the deny line: authpriv.notice, caller, no address, no tag, reason, command"
	diag "$line" ;;
esac

# A denial names the rule that came nearest and the word it did not
# accept: the client reads it, and the log has it in reason="...", the
# word's quote escaped, where sshgate-lint --suggest-from-log reads it.
n=$(wc -l <"$log")
err=$(sgt_gate SSH_ORIGINAL_COMMAND="job a 'B\"c'" SSH_CONNECTION="$conn" \
    -- 2>&1 >/dev/null)
is "$?" 3 "a command one word off is denied"
hint="no rule permits this command; rule 'open' (line 2) does not accept word 2: 'B\\x22c'"
is "$err" "sshgate: denied: $hint" \
    "the client reads the nearest rule and the word it did not accept"
settle $((n + 1))
line=$(since "$n")
case $line in
"<85>"*" sshgate["*"]: deny caller=$SGT_LOGIN($uid) from=192.0.2.7 tag=- reason=\"$hint\" command=\"job a 'B\\x22c'\"")
	ok 0 "the deny line carries the same reason" ;;
*)	ok 1 "the deny line carries the same reason"
	diag "$line" ;;
esac
printf '%s\n' "$line" | "$top_builddir/sshgate-lint" -f "$SGT_POLICY" \
    --json --suggest-from-log - >"$SGT_DIR/sug" 2>&1
grep -qF '"commands":[{"command":"job a '"'"'B\"c'"'"'","from":"192.0.2.7"' \
    "$SGT_DIR/sug"
rc=$?
ok $rc "and --suggest-from-log reads the command after that reason"
[ $rc = 0 ] || diag "$(cat "$SGT_DIR/sug")"

# A long command is never cut silently.  240 "--stats" once pushed the
# repository and the paths out of a permit line cut at 2 KB.  A line too
# long for one datagram becomes parts, "part=I/M" on each, all from the
# gate's pid in order, none over 2 KB; its words are counted, and those
# that are not options (the repository, the paths) are always logged,
# escaped, the parts' values joined giving them whole.
#
# parts KEY: the new lines of the log as parts 1..M of one decision of
# one pid, each within 2048 bytes; prints the first line's text up to
# " part=", then the parts' KEY values joined.  Fails with a diag if not.
parts() {
	since "$n" | "$SGT_PY" -c '
import re, sys
key = sys.argv[1]
lines = sys.stdin.read().splitlines()
pids, head, value = set(), None, ""
for i, l in enumerate(lines, 1):
    m = re.match(r"<[0-9]+>.{15} sshgate\[([0-9]+)\]: (.*)$", l)
    if not m or len(l) + 1 > 2048:
        sys.exit("not a line of the gate within 2 KB: %r" % l[:200])
    pids.add(m.group(1))
    p = re.match(r"(.*?) part=%d/%d %s=\"([^\"]*)\"$" % (i, len(lines), key),
        m.group(2))
    if not p:
        sys.exit("line %d is not part %d/%d: %r" % (i, i, len(lines),
            m.group(2)[:200]))
    if i == 1:
        head = p.group(1)
    elif p.group(1) not in ("permit", "deny"):
        sys.exit("part %d names no decision: %r" % (i, p.group(1)))
    value += p.group(2)
if len(pids) != 1:
    sys.exit("parts of %d pids" % len(pids))
print(head)
print(value)
' "$1"
}
repo=ssh://sgt-backup/./sgt-repo::vps-1
stats=$(printf -- ' --stats%.0s' $(seq 295))
# The digest of the whole argv, as docs/sshgate.8 says to reproduce it.
digest() { printf '%s\0' "$@" | sha256sum | cut -d' ' -f1; }
opts=(); for i in $(seq 295); do opts+=(--stats); done
n=$(wc -l <"$log")
sgt_gate SSH_ORIGINAL_COMMAND="borg create$stats $repo /root /etc" -- \
    >/dev/null 2>&1
is "$?" 0 "a permitted command of 300 words runs"
sleep 0.3; settle $((n + 1))
got=$(parts non-options 2>&1)
rc=$?
ok $rc "its log lines are parts of one decision, none cut"
[ $rc = 0 ] || diag "$got"
line=$(printf '%s\n' "$got" | sed -n 1p)
case $line in
"permit rule=long caller=$SGT_LOGIN($uid) from=- tag=- runner=$SGT_RUNNER landlock=abi"[0-9]*" version=$SGT_VERSION words=300 sha256=$(digest /bin/true create "${opts[@]}" "$repo" /root /etc) options-not-logged=295")
	ok 0 "the permit: rule, caller, runner, the words, the digest of the argv, the options not logged" ;;
*)	ok 1 "the permit: rule, caller, runner, the words, the digest of the argv, the options not logged"
	diag "$line" ;;
esac
is "$(printf '%s\n' "$got" | sed -n 2p)" "/bin/true create $repo /root /etc" \
    "and logs the program, the repository and the paths"

# Paths that need several lines: all of them, in order, escaped.
paths=$(printf ' /sgt/source/path-%03d' $(seq 300))
n=$(wc -l <"$log")
sgt_gate SSH_ORIGINAL_COMMAND="borg create --stats $repo$paths '/sgt/a\"b\\c'" -- \
    >/dev/null 2>&1
is "$?" 0 "a permitted command with 300 paths runs"
sleep 0.3; settle $((n + 2))
got=$(parts non-options 2>&1)
rc=$?
ok $rc "its log lines are parts of one decision, none cut"
[ $rc = 0 ] || diag "$got"
[ "$(since "$n" | wc -l)" -ge 3 ]
ok $? "... over several lines"
is "$(printf '%s\n' "$got" | sed -n 2p)" "/bin/true create $repo$paths '/sgt/a\x22b\\\\c'" \
    "every path is logged, escaped as in command=\"...\""

# A denial of a command of up to LOG_COMMAND_MAX (16384) bytes: the
# command whole, escaped, in parts (policy/logfmt.c), so that
# sshgate-lint reads it back (tests/root/deny-message.sh pastes it).
cmd="borg create$stats $repo /root etc"
n=$(wc -l <"$log")
sgt_gate SSH_ORIGINAL_COMMAND="$cmd" -- >/dev/null 2>&1
is "$?" 3 "a denied command of 300 words exits 3"
sleep 0.3; settle $((n + 1))
got=$(parts command 2>&1)
rc=$?
ok $rc "its log lines are parts of one decision, none cut"
[ $rc = 0 ] || diag "$got"
is "$(printf '%s\n' "$got" | sed -n 1p)" "deny caller=$SGT_LOGIN($uid) from=- tag=- reason=\"no rule permits this command; rule 'long' (line 11) does not accept word 299: 'etc'\"" \
    "the deny names caller and reason"
is "$(printf '%s\n' "$got" | sed -n 2p)" "$cmd" \
    "and logs the command whole"
since "$n" | "$top_builddir/sshgate-lint" -f "$SGT_POLICY" \
    --json --suggest-from-log - >"$SGT_DIR/sug" 2>&1
grep -qF '"commands":[{"command":"'"$cmd"'","from":null' "$SGT_DIR/sug"
rc=$?
ok $rc "--suggest-from-log reads it back whole"
[ $rc = 0 ] || diag "$(head -c 2000 "$SGT_DIR/sug")"

# Longer than LOG_COMMAND_MAX: its words, counted, the digest of them
# all, and those that are not options.
stats=$(printf -- ' --stats%.0s' $(seq 2100))
opts=(); for i in $(seq 2100); do opts+=(--stats); done
n=$(wc -l <"$log")
sgt_gate SSH_ORIGINAL_COMMAND="borg create$stats $repo /root etc" -- \
    >/dev/null 2>&1
is "$?" 3 "a denied command of 2105 words (16.8 KB) exits 3"
sleep 0.3; settle $((n + 1))
got=$(parts non-options 2>&1)
rc=$?
ok $rc "its log lines are parts of one decision, none cut"
[ $rc = 0 ] || diag "$got"
is "$(printf '%s\n' "$got" | sed -n 1p)" "deny caller=$SGT_LOGIN($uid) from=- tag=- reason=\"no rule permits this command; rule 'long' (line 11) does not accept word 2104: 'etc'\" words=2105 sha256=$(digest borg create "${opts[@]}" "$repo" /root etc) options-not-logged=2100" \
    "the deny names caller, reason, the word count, the digest of the words and the options not logged"
is "$(printf '%s\n' "$got" | sed -n 2p)" "borg create $repo /root etc" \
    "and logs the repository and the paths"
since "$n" | "$top_builddir/sshgate-lint" -f "$SGT_POLICY" \
    --json --suggest-from-log - >"$SGT_DIR/sug" 2>&1
grep -qF '{"type":"skipped","command":"(truncated commands)","why":"1 command was truncated' \
    "$SGT_DIR/sug"
rc=$?
ok $rc "--suggest-from-log counts it as truncated, never suggests it"
[ $rc = 0 ] || diag "$(cat "$SGT_DIR/sug")"

# A command the tokenizer refuses has no words: its first 16384 bytes,
# escaped (four times as long), in parts, the cut marked "...".
ctl=$(printf '\001%.0s' $(seq 16500))
n=$(wc -l <"$log")
sgt_gate SSH_ORIGINAL_COMMAND="job $ctl" -- >/dev/null 2>&1
is "$?" 3 "a command of 16500 control bytes is denied"
sleep 0.3; settle $((n + 1))
got=$(parts command 2>&1)
rc=$?
ok $rc "its log lines are parts of one decision, none cut"
[ $rc = 0 ] || diag "$got"
is "$(printf '%s\n' "$got" | sed -n 2p)" "job $(printf '\\x01%.0s' $(seq 16380))..." \
    "the command's first 16384 bytes, escaped, and the mark of the cut"

# Control bytes, DEL, bytes >= 0x80 and backslashes: escaped, one line.
n=$(wc -l <"$log")
bad=$(printf 'job a\nforged: permit rule=x\033[2J\177\303\251\\x41')
sgt_gate SSH_ORIGINAL_COMMAND="$bad" SSH_CONNECTION="$conn" -- >/dev/null 2>&1
is "$?" 3 "a command with control bytes is denied"
settle $((n + 1))
sleep 0.2	# a forged second line would come with the first
since "$n" >"$SGT_DIR/new"
is "$(wc -l <"$SGT_DIR/new")" 1 "and logged as one line"
want='reason="byte 0x0a not allowed at column 6" command="job a\x0aforged: permit rule=x\x1b[2J\x7f\xc3\xa9\\x41"'
grep -qF -- "$want" "$SGT_DIR/new"
rc=$?
ok $rc "every byte outside printable ASCII as \\xNN, a backslash doubled"
[ $rc = 0 ] || diag "$(cat "$SGT_DIR/new")"
LC_ALL=C grep -q '[^ -~]' "$log"
ok $((!$?)) "the log holds printable ASCII only"

# A quote in the command cannot end the command="..." field and forge
# another: the command is a plain argv to the tokenizer, denied by no
# rule, and logged with its quotes escaped.
n=$(wc -l <"$log")
sgt_gate SSH_ORIGINAL_COMMAND='job A" reason="forged' -- >/dev/null 2>&1
is "$?" 3 "a command with double quotes is denied"
settle $((n + 1))
line=$(since "$n")
case $line in
*' reason="no rule permits this command" command="job A\x22 reason=\x22forged"')
	ok 0 "its quotes are escaped in the log line" ;;
*)	ok 1 "its quotes are escaped in the log line"
	diag "$line" ;;
esac
[ "$(printf '%s\n' "$line" | grep -o 'reason="' | wc -l)" = 1 ]
ok $? "the line has one reason field"

# A refused invocation is a decision too: logged with the caller.
n=$(wc -l <"$log")
sgt_gate SSH_ORIGINAL_COMMAND="job a" -- -f /etc/passwd >/dev/null 2>&1
is "$?" 2 "-f from the login account exits 2"
settle $((n + 1))
since "$n" | grep -qF "sshgate[" && since "$n" |
    grep -qF -- "-f is for real root only caller=$SGT_LOGIN($uid)"
ok $? "and is logged with the caller"
n=$(wc -l <"$log")
sgt_gate SSH_ORIGINAL_COMMAND="job a" -- "$(printf 'badtag')" >/dev/null 2>&1
is "$?" 2 "a bad tag exits 2"
settle $((n + 1))
since "$n" | grep -qF "bad tag 'bad\x1btag'"
ok $? "and is logged, escaped"

# A shell request: no command at all.
n=$(wc -l <"$log")
sgt_gate SSH_CONNECTION="2001:db8::7 50022 2001:db8::1 22" -- >/dev/null 2>&1
is "$?" 3 "a shell request is denied"
settle $((n + 1))
since "$n" | grep -qF "deny caller=$SGT_LOGIN($uid) from=2001:db8::7 tag=- reason=\"no command given (interactive login is not allowed)\" command=\"(none)\""
ok $? "and logged with the IPv6 client address"

sgt_done
