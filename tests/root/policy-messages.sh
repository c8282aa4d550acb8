#!/bin/bash
# The messages of issue 14 against the real setuid gate: a misspelt
# "# sshgate-lint: allow" comment is the linter's warning, not a policy
# error, so the gate still permits by the policy (it refused it whole
# before); the linter reports the comment with the name meant and fails
# --strict.  A policy saved with CRLF line ends is still refused (exit 4),
# with one error.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"
lint=$top_builddir/sshgate-lint

policy() {
	cat <<POL
sshgate-policy 1
rule whoami {
    # sshgate-lint: allow brod-pattern: a typo of broad-pattern
    run /usr/bin/id -un
    as $SGT_RUNNER
    args "whoami"
}
POL
}
policy | sgt_policy -
out=$(sgt_gate SSH_ORIGINAL_COMMAND=whoami -- 2>&1); rc=$?
is "$rc $out" "0 $SGT_RUNNER" "a misspelt allow comment: the gate permits by the policy"
out=$("$lint" -f "$(sgt_policy_path)" --strict 2>&1); rc=$?
is "$rc" 1 "sshgate-lint --strict fails on it (exit 1)"
printf '%s\n' "$out" | grep -qF "warning: 'brod-pattern' is not a warning a rule can silence; did you mean 'broad-pattern'? (sshgate-lint --list-warnings shows them); this comment silences nothing [allow-comment]"
ok $? "and names the warning meant"
"$lint" -f "$(sgt_policy_path)" >/dev/null 2>&1
is "$?" 0 "without --strict: exit 0, as the gate uses the policy"

policy | sed 's/$/\r/' | sgt_policy -
out=$(sgt_gate SSH_ORIGINAL_COMMAND=whoami -- 2>&1); rc=$?
is "$rc" 4 "CRLF line ends: the gate refuses the policy (exit 4)"
printf '%s\n' "$out" | grep -q "has 1 error; nothing is permitted"
ok $? "with one error, not one per line"
grep -q "policy error: .*: a CRLF (Windows) line end, the first in the file" "$SGT_DIR/syslog"
ok $? "the log names the CRLF and the line"
sgt_done
