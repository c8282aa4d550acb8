#!/bin/bash
# Parts (sshgate-policy(5) "Parts", sshgate(8) FILES): with tag TAG the
# gate reads the common policy and policy.d/TAG.policy beside it, and no
# other part.  The part's rules come first, then the common part's; a
# part's rules decide for its tag only; a tag that begins with '.'
# selects no part; a broken or untrusted part stops its own tag (exit 4,
# the log names the part)
# and no other; sshgate-lint --test --tag decides as the gate does, and
# sshgate-lint with no -f reports every part's errors with its file name.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"

LINT=$SGT_DIR/bin/sshgate-lint
D=$(dirname "$SGT_POLICY")/policy.d

sgt_policy - <<EOF
sshgate-policy 1
rule common-deny {
    deny     "the common part says no"
    args     "job" "forbidden" /.*/*
}
rule common-id {
    run      /usr/bin/id -un
    as       $SGT_RUNNER
    args     "whoami"
}
EOF
mkdir "$D" && chmod 0755 "$D" || sgt_bail "mkdir $D"
part() {	# part TAG [ARGS]: a part whose one rule prints its tag
	cat > "$D/$1.policy" <<EOF
sshgate-policy 1
rule $1-echo {
    run      /bin/echo $1
    as       $SGT_RUNNER
    args     "job" /.*/
    test     permit "job x"
}
test deny "job x" tag sgt-none
EOF
	chmod 0644 "$D/$1.policy"
}
part sgt-a
part sgt-b

# gate TAG CMD: sets rc, out, err
gate() {
	local t=$1
	shift
	out=$(sgt_gate SSH_ORIGINAL_COMMAND="$1" -- ${t:+"$t"} \
	    2>"$SGT_DIR/err")
	rc=$?
	err=$(cat "$SGT_DIR/err")
}

gate sgt-a "job x"
is "$rc:$out" "0:sgt-a x" "tag sgt-a: its part's rule runs"
gate sgt-b "job x"
is "$rc:$out" "0:sgt-b x" "tag sgt-b: its own part's, not sgt-a's"
gate sgt-a "whoami"
is "$rc:$out" "0:$SGT_RUNNER" "tag sgt-a: the common part's rules too"
gate sgt-a "job forbidden"
is "$rc:$out" "0:sgt-a forbidden" "the part's rules come first: its permit decides before the common part's deny"
gate "" "job forbidden"
is "$rc" 3 "  without the tag the common part's deny decides"
gate sgt-a "job forbidden too"
is "$rc" 3 "what the part's rules do not take falls to the common part's rules"
grep -q "the common part says no" <<<"$err"
ok $? "  its deny, with its message"
gate "" "job x"
is "$rc" 3 "without a tag no part is read: denied"
gate sgt-c "job x"
is "$rc" 3 "a tag without a part: the common part alone, denied"
gate "" "whoami"
is "$rc:$out" "0:$SGT_RUNNER" "without a tag the common part decides"

# a part's rule carries its tag: copied under another tag's name it
# still decides only for the tag its file names
sed 's/^rule sgt-a-echo/rule sgt-x-echo/' "$D/sgt-a.policy" > "$D/sgt-x.policy"
chmod 0644 "$D/sgt-x.policy"
gate sgt-x "job x"
is "$rc:$out" "0:sgt-a x" "a part's rule decides for the tag of its file"
sed -i 's/^    as /    tag      sgt-a\n    as /' "$D/sgt-x.policy"
gate sgt-x "job x"
is "$rc" 4 "a part's rule that names another tag is an error of the part"
grep -q "policy part $D/sgt-x.policy has 1 error; nothing is permitted for tag 'sgt-x'" <<<"$err"
ok $? "  the client is told which part, and which tag it stops"
grep -q "policy error: $D/sgt-x.policy:[0-9]*:[0-9]*: tag 'sgt-a': a rule of the part for tag 'sgt-x' decides for that tag only" "$SGT_DIR/syslog"
ok $? "  the log has the part's file, line and the error"
grep -q "policy part $D/sgt-x.policy has 1 error; nothing is permitted for tag 'sgt-x'.* tag=sgt-x" "$SGT_DIR/syslog"
ok $? "  and the refusal, with the tag"
gate sgt-a "job x"
is "$rc:$out" "0:sgt-a x" "the broken part stops its own tag only: sgt-a still runs"
lint=$("$LINT" 2>&1)
is "$?" 2 "sshgate-lint (the installed policy) fails on the broken part"
grep -q "^$D/sgt-x.policy:[0-9]*:[0-9]*: error: tag 'sgt-a'" <<<"$lint"
ok $? "  with the part's file name"
grep -q "^$D/sgt-a.policy: 1 rule, 2 tests passed" <<<"$lint"
ok $? "  and checks the sound parts, their tests with their tag"
rm "$D/sgt-x.policy"

# the same rule name in the common part and a part: the part's error
sed 's/^rule sgt-b-echo/rule common-id/' "$D/sgt-b.policy" > "$D/sgt-y.policy"
chmod 0644 "$D/sgt-y.policy"
gate sgt-y "job x"
is "$rc" 4 "a part may not reuse a rule name of the common part"
"$LINT" 2>&1 | grep -q "^$D/sgt-y.policy:2:6: error: rule 'common-id' is also defined in the common part $SGT_POLICY"
ok $? "  sshgate-lint says so at the part's rule"
audit() {	# sshgate-lint --audit of the login account, its findings
	"$LINT" --audit --gate "$SGT_DIR/bin/sshgate" \
	    --sshd-config "$SGT_DIR/sgt-no-sshd_config" \
	    --pam-dir "$SGT_DIR/sgt-no-pam" "$SGT_LOGIN" 2>&1
}
aout=$(audit)
grep -q "^$D/sgt-y.policy: error: 1 error: the gate permits nothing for tag sgt-y \[policy-errors\]" <<<"$aout"
good=$?
ok $good "--audit: the broken part, its tag stopped"
[ $good = 0 ] || diag "$aout"
rm "$D/sgt-y.policy"

# untrusted: the part is walked as the policy is
chmod 0664 "$D/sgt-b.policy"
gate sgt-b "job x"
is "$rc" 4 "a group-writable part is refused"
grep -q "policy part $D/sgt-b.policy refused: .*writable by its group" <<<"$err"
ok $? "  naming the part"
gate sgt-a "job x"
is "$rc:$out" "0:sgt-a x" "  and other tags still run"
aout=$(audit)
grep -q "^$D/sgt-b.policy: error: the gate refuses this part, and tag sgt-b: .*writable by its group.* \[policy-untrusted\]" <<<"$aout"
good=$?
ok $good "  --audit: the untrusted part, and its tag"
[ $good = 0 ] || diag "$aout"
chmod 0644 "$D/sgt-b.policy"
! audit | grep -q "$D/sgt-.\.policy"
ok $? "  --audit: no finding about sound parts"
ln -s sgt-a.policy "$D/sgt-l.policy"
gate sgt-l "job x"
is "$rc" 4 "a part that is a symbolic link is refused"
rm "$D/sgt-l.policy"

# the name of a part comes from the tag alone
cp "$D/sgt-a.policy" "$D/.sgt-h.policy"
gate .sgt-h "job x"
is "$rc" 3 "a tag that begins with '.' selects no part"
"$LINT" 2>&1 | grep -q "^$D/.sgt-h.policy: error: not a part"
ok $? "  and sshgate-lint says the gate never reads that file"
rm "$D/.sgt-h.policy"

# sshgate-lint --test --tag chooses the files as the gate does
is "$("$LINT" --tag sgt-a --test 'job x')" "permit: rule 'sgt-a-echo'" "sshgate-lint --test --tag TAG reads TAG's part"
is "$("$LINT" --tag sgt-b --test 'job x')" "permit: rule 'sgt-b-echo'" "  and only that one"
"$LINT" --test 'job x' >/dev/null
is "$?" 1 "  and without --tag, none"
"$LINT" >/dev/null 2>&1
is "$?" 0 "sshgate-lint: the common part and both parts are clean"

# sshgate-lint --install NEW --tag TAG: TAG's part, checked in the
# context of the common part, replaced by rename(), the old one kept
cp "$D/sgt-a.policy" "$SGT_DIR/new-a"
rm -r "$D"
sed 's/^rule sgt-a-echo/rule sgt-c-echo/; s|/bin/echo sgt-a|/bin/echo sgt-c|' \
    "$SGT_DIR/new-a" > "$SGT_DIR/new-c"
inst=$("$LINT" --install "$SGT_DIR/new-c" --tag sgt-c --log /dev/null 2>&1)
is "$?" 0 "--install NEW --tag sgt-c installs the part (policy.d/ made)"
[ "$(stat -c '%U %a' "$D" "$D/sgt-c.policy")" = "root 755
root 644" ]
ok $? "  policy.d/ root's 0755, the part root's 0644"
grep -q "there is no part for tag 'sgt-c': the common part decides alone" <<<"$inst"
ok $? "  and says there was none before"
gate sgt-c "job x"
is "$rc:$out" "0:sgt-c x" "  the gate runs it for tag sgt-c"
sed 's/^rule sgt-c-echo/rule common-id/' "$SGT_DIR/new-c" > "$SGT_DIR/bad-c"
inst=$("$LINT" --install "$SGT_DIR/bad-c" --tag sgt-c --log /dev/null 2>&1)
is "$?" 2 "--install of a part that clashes with the common part fails"
grep -q "rule 'common-id' is also defined in the common part" <<<"$inst"
ok $? "  with the part's error"
cmp -s "$SGT_DIR/new-c" "$D/sgt-c.policy"
ok $? "  and the installed part is unchanged"
sed 's|/bin/echo sgt-c|/bin/echo sgt-c2|' "$SGT_DIR/new-c" > "$SGT_DIR/new-c2"
"$LINT" --install "$SGT_DIR/new-c2" --tag sgt-c --log /dev/null >/dev/null 2>&1
is "$?" 0 "--install replaces the part"
cmp -s "$SGT_DIR/new-c" "$D/sgt-c.policy.prev"
ok $? "  keeping the old one as sgt-c.policy.prev"
gate sgt-c "job x"
is "$rc:$out" "0:sgt-c2 x" "  the gate reads the new part"
"$LINT" --rollback --tag sgt-c --log /dev/null >/dev/null 2>&1
is "$?" 0 "--rollback --tag sgt-c puts the old part back"
gate sgt-c "job x"
is "$rc:$out" "0:sgt-c x" "  the gate reads it again"
"$LINT" >/dev/null 2>&1
is "$?" 0 "sshgate-lint: the kept sgt-c.policy.prev is no error"

sgt_done
