#!/bin/bash
# The setuid gate, run by an unprivileged login account, execs a permitted
# command as the runner and refuses an unknown one.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"

sgt_policy - <<POL
sshgate-policy 1
rule whoami {
    run /usr/bin/id -un
    as $SGT_RUNNER
    args "whoami"
}
POL
out=$(sgt_gate SSH_ORIGINAL_COMMAND=whoami -- 2>&1)
is "$out" "$SGT_RUNNER" "permitted command runs as the runner"
out=$(sgt_gate SSH_ORIGINAL_COMMAND="whoami x" -- 2>&1); rc=$?
is "$rc" 3 "an unmatched command exits 3"
grep -q "deny caller=$SGT_LOGIN" "$SGT_DIR/syslog"
ok $? "the denial is in syslog"
sgt_done
