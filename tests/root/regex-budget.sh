#!/bin/bash
# The regex budget of one decision (sshgate-policy(5)): every rule and
# word of a command together may take 2000000 PCRE2 steps.  A
# backtracking-prone regex that accepts each of 4,095 words after 49153
# steps is denied at word 31, by the rule that spent the budget, through
# the real setuid gate as the login account, and logged as such.  Times
# are not asserted here (tests/bench measures); the verdict and its
# reason are.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"

sgt_policy - <<EOF2
sshgate-policy 1
rule redos {
    run  /bin/echo redos
    as   $SGT_RUNNER
    args "probe" /(a+)+[bc]|[a-z]+/*
}
rule later {
    # would permit: never tried once the budget is spent
    run  /bin/echo later
    as   $SGT_RUNNER
    args "probe" /.*/*
}
EOF2
log=$SGT_DIR/syslog
settle() {	# the listener writes asynchronously; wait for a new deny line
	local i
	for i in $(seq 100); do
		tail -n +"$(($1 + 1))" "$log" | grep -q "sshgate\[[0-9]*\]: deny " &&
		    return 0
		sleep 0.05
	done
	return 1
}
w15=aaaaaaaaaaaaaaa	# 49153 steps for the regex, charged 65536
why="rule 'redos': the command needs more regex work than the budget allows (2000000 PCRE2 steps in all, used up on word 31)"

n=$(wc -l <"$log")
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe$(printf " $w15%.0s" $(seq 4095))" \
    -- 2>"$SGT_DIR/err")
is "$?" 3 "4,095 near misses of a backtracking regex: denied, exit 3"
is "$out" "" "nothing ran"
if grep -qxF "sshgate: denied: $why" "$SGT_DIR/err"; then
	ok 0 "the reason is the budget, with the rule and the word"
else
	ok 1 "the reason is the budget, with the rule and the word"
	diag "$(head -c 500 "$SGT_DIR/err")"
fi
settle "$n"
tail -n +"$((n + 1))" "$log" | grep "sshgate\[[0-9]*\]: deny " |
    grep -qF "reason=\"$why\""
ok $? "and the denial is logged with that reason"

out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe$(printf " $w15%.0s" $(seq 30))" -- 2>&1)
is "$out" "redos$(printf " $w15%.0s" $(seq 30))" \
    "30 of them fit the budget: permitted by the same rule"
out=$(sgt_gate SSH_ORIGINAL_COMMAND="probe$(printf " abcdefghijklmn%.0s" $(seq 4095))" -- 2>&1)
is "$out" "redos$(printf " abcdefghijklmn%.0s" $(seq 4095))" \
    "4,095 words the regex accepts at once: permitted by the same rule"
sgt_done
