#!/bin/bash
# sshgate-lint: exit statuses, --test, --explain, embedded tests, and the
# tokenizer's refusals.  --explain output is checked line by line with
# targeted patterns, not as a whole: its layout may grow.
. "${top_srcdir:-.}/tests/lib/sgt.sh"

top_srcdir=$(cd "$top_srcdir" && pwd) || sgt_bail "no top_srcdir"
top_builddir=$(cd "$top_builddir" && pwd) || sgt_bail "no top_builddir"
lint=$top_builddir/sshgate-lint
[ -x "$lint" ] || sgt_bail "no $lint"
tmp=$(mktemp -d) || sgt_bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
cd "$top_srcdir/tests/tables" || sgt_bail "no tests/tables"
unset SSH_CONNECTION

# run ARGS...: sets $rc, $out (stdout) and $err (stderr)
run() {
	"$lint" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# has TEXT DESCRIPTION: $out holds TEXT as a whole line (fixed string)
has() {
	printf '%s\n' "$out" | grep -qxF -- "$1"
	ok $? "$2"
}

# like LINE-REGEX DESCRIPTION: some line of $out matches (extended regex)
like() {
	if printf '%s\n' "$out" | grep -qE -- "$1"; then
		ok 0 "$2"
	else
		ok 1 "$2"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

# ---- compiling ---------------------------------------------------------

run -f parse/valid-full.policy
is "$rc" 0 "a clean policy exits 0"
like '^parse/valid-full\.policy: 3 rules, 9 tests passed' \
    "and says how many rules and tests"
run -f parse/many-errors.policy
is "$rc" 2 "a policy with errors exits 2"
[ -z "$out" ]
ok $? "and prints nothing on stdout"
n=$(grep -c ': error: ' "$tmp/err")
is "$n" 9 "all 9 errors are reported in one run"
run -f parse/no-such-file.policy
is "$rc" 2 "a missing file exits 2"
printf '%s\n' "$err" | grep -q 'cannot open: No such file or directory'
ok $? "and says why"
"$lint" -f parse/valid-minimal.policy --bogus >/dev/null 2>&1
is "$?" 2 "an unknown option exits 2"

# ---- options: did you mean, usage, --help, --from ------------------------

# usage_err ARGS... -- MESSAGE: exit 2, nothing on stdout, MESSAGE then the
# usage on stderr
usage_err() {
	local args=() msg
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	msg=$2
	run "${args[@]}"
	is "$rc" 2 "${args[*]}: exit 2"
	is "$out" "" "${args[*]}: nothing on stdout"
	is "$(printf '%s\n' "$err" | head -n 1)" "$msg" "${args[*]}: $msg"
	printf '%s\n' "$err" | sed -n 2p | grep -q '^usage: sshgate-lint '
	ok $? "${args[*]}: then the usage on stderr"
}
usage_err --explian "borg --version" -- \
    "sshgate-lint: unknown option '--explian'; did you mean '--explain'?"
usage_err --jsno -- \
    "sshgate-lint: unknown option '--jsno'; did you mean '--json'?"
usage_err --frm 192.0.2.7 -- \
    "sshgate-lint: unknown option '--frm'; did you mean '--from'?"
usage_err --frobnicate -- "sshgate-lint: unknown option '--frobnicate'"
usage_err -x -- "sshgate-lint: unknown option '-x'"
usage_err --sugg x -- \
    "sshgate-lint: option '--sugg' is ambiguous: --suggest --suggest-from-log"
usage_err --json=yes -- "sshgate-lint: option '--json' takes no value"
usage_err --test -- "sshgate-lint: option '--test' needs a value"
usage_err -f -- "sshgate-lint: option '-f' needs a value"
usage_err --test id --explain id -f parse/valid-minimal.policy -- \
    "sshgate-lint: one mode at a time: --test, --explain, --explain-log, --suggest, --suggest-from-log, --audit, --catalogue or --list-warnings"
usage_err -f parse/valid-minimal.policy --test borg create -- \
    "sshgate-lint: unexpected argument 'create' (a command goes in one argument: quote it)"
usage_err --audit root extra -- \
    "sshgate-lint: unexpected argument 'extra' (--audit takes one USER)"

for h in --help -h; do
	run $h
	is "$rc" 0 "$h exits 0"
	is "$err" "" "$h writes nothing on stderr"
	printf '%s\n' "$out" | head -n 1 | grep -q '^usage: sshgate-lint '
	ok $? "$h starts with the usage, on stdout"
done

# --from is an address (inet_pton), else exit 2 before anything is read
for a in backup.example.org 192.0.2.300 192.0.2 '' 2001:db8::1::2; do
	usage_err=$(printf "sshgate-lint: --from '%s' is not an IP address: give the client's IPv4 address as a dotted quad (192.0.2.10) or an IPv6 address (2001:db8::10), as sshd reports it in SSH_CONNECTION; not a host name" "$a")
	run -f lint/decide.policy --test "borg --version" --from "$a"
	is "$rc" 2 "--from '$a': exit 2"
	is "$err" "$usage_err" "--from '$a': says it is not an address"
	is "$out" "" "--from '$a': no decision"
done
run --audit --from backup.example.org
is "$rc" 2 "--audit --from a host name: exit 2 too"
for a in 192.0.2.7 2001:db8::7 ::ffff:192.0.2.7; do
	run -f lint/decide.policy --test "borg --version" --from "$a"
	[ "$rc" = 0 ] || [ "$rc" = 1 ]
	ok $? "--from '$a' is an address: decided (exit $rc)"
done

# ---- embedded tests ----------------------------------------------------

run -f parse/tests-fail.policy
is "$rc" 2 "failing embedded tests exit 2"
for at in 10:5 11:5 12:5 21:5 22:5 28:5 35:1 36:1 38:1 40:1; do
	printf '%s\n' "$err" | grep -q "^parse/tests-fail\.policy:$at: error: test expects "
	ok $? "the failing test at $at is reported where it is written"
done
n=$(grep -c ': error: test expects' "$tmp/err")
is "$n" 10 "and only the 10 failing tests"
printf '%s\n' "$err" | tail -n 1 | grep -qx 'parse/tests-fail\.policy: 10 of 17 tests failed, 0 warnings; the gate would use this policy as it is'
ok $? "the summary counts the failed tests, and does not claim the policy is unusable"

# ---- --test --------------------------------------------------------------

p=lint/decide.policy
run -f $p --test "borg --version" --from 192.0.2.7
is "$rc" 0 "--test: a permitted command exits 0"
has "permit: rule 'version'" "and names the rule"
run -f $p --test "sudo -E borg --info --version" --from 2001:db8::1
has "permit: rule 'version'" "--test: drop, quantifiers, an IPv6 client"
run -f $p --test "borg --version"
is "$rc" 1 "--test: 'from' does not admit a missing address: exit 1"
has "deny: no rule permits this command" "and says that no rule permits it"
SSH_CONNECTION="192.0.2.9 50000 192.0.2.1 22" run -f $p --test "borg --version"
has "permit: rule 'version'" "--test takes the address from SSH_CONNECTION"
run -f $p --test "borg --version" --from 198.51.100.1
is "$rc" 1 "--test: an address outside 'from' is denied"
run -f $p --test "borg --rsh=sh --version" --from 192.0.2.7
is "$rc" 1 "--test: a deny rule exits 1"
has "deny: rule 'deny-rsh': the remote shell is pinned here" \
    "and prints the rule's message"
run -f $p --test "tagged" --tag nightly
has "permit: rule 'tagged'" "--test --tag selects a tagged rule"
run -f $p --test "tagged" --tag daily
has "deny: no rule permits this command" "and a wrong tag does not"
run -f $p --test "borg --version; id" --from 192.0.2.7
is "$rc" 1 "--test: a command the tokenizer refuses exits 1"
has "deny: unquoted ';' at column 15" "with the tokenizer's reason"
run -f parse/many-errors.policy --test "borg --version"
is "$rc" 4 "--test on a policy with errors exits 4, as the gate would"
has "refuse: policy parse/many-errors.policy has 9 errors; nothing is permitted (run sshgate-lint)" \
    "and says the gate's words: it decides nothing"
# What the gate refuses on every machine, a draft's --test refuses too:
# a rule run as root without a seccomp filter (the issue's case: it
# permitted, exit 0, and --json said "permit")
printf '%s\n' 'sshgate-policy 1' 'rule r {' '    run      /usr/bin/id' \
    '    as       root' '    seccomp  none' '    args     "id"' '}' > "$tmp/root.policy"
run -f "$tmp/root.policy" --test id
is "$rc" 5 "--test of a draft's uid 0 rule without seccomp exits 5, as the gate would"
has "refuse: rule 'r' runs as uid 0 without seccomp: uid 0 owns root's IPC objects and more that only the filter keeps from it; refused" \
    "with the gate's words"
run -f "$tmp/root.policy" --json --test id
printf '%s\n' "$out" | tail -1 | grep -q '"verdict":"refuse".*"cause":"uid0-without-seccomp","gate_exit":5'
ok $? "--json: verdict refuse, its cause and gate_exit"

# ---- --explain ------------------------------------------------------------

run -f $p --explain "sudo -E borg --debug --version" --from 192.0.2.7
is "$rc" 0 "--explain: a permit exits 0"
like '^command: +sudo -E borg --debug --version$' "--explain shows the command"
like '^from: +192\.0\.2\.7$' "the client address"
like '^tag: +\(none\)$' "and the tag"
like '^ +\[0\] sudo$' "word [0]"
like '^ +\[2\] borg$' "word [2]"
like '^ +\[4\] --version$' "word [4]"
like "^ +deny-rsh \(line 3\): no match \(?.*stopped at word 0 'sudo'" \
    "a rule that failed says at which word"
like '^ +expected: "borg"$' "and what it expected there"
like "^ +version \(line 7\): MATCH \(after dropping 2 leading words\)" \
    "the deciding rule, and the dropped prefix"
has "permit: rule 'version'" "the decision"
like '^ +program: +/usr/bin/python3$' "the plan: the program"
like '^ +argv\[0\] +/usr/bin/python3$' "argv[0]"
like '^ +argv\[1\] +-I$' "argv[1]"
like '^ +argv\[2\] +/usr/bin/borg$' "argv[2]"
like '^ +argv\[3\] +--debug$' "argv[3]"
like '^ +argv\[4\] +--version$' "argv[4]"
printf '%s\n' "$out" | grep -qE '^ +argv\[5\]'
ok $((!$?)) "and no argv[5]"
like '^ +env\[0\] +HOME=/var/lib/sshgate-borg$' "env[0]: setenv"
like '^ +env\[1\] +PATH=/usr/bin:/bin$' "env[1]: the default PATH"
printf '%s\n' "$out" | grep -qE '^ +env\[2\]'
ok $((!$?)) "and no kept variable the caller does not have"
BORG_PASSPHRASE='pass word' run -f $p --explain "borg --version" --from 192.0.2.7
like '^ +env\[2\] +BORG_PASSPHRASE=pass word$' "env[2]: the kept variable"
like '^ +runner: +nobody' "the runner"
like '^ +caps: +none' "the capabilities"
like '^ +seccomp: ' "the seccomp filter"
like '^ +landlock: +require; writable: /dev/null$' "the Landlock rule"

run -f $p --explain "borg --info --info --verbose" --from 192.0.2.7
is "$rc" 1 "--explain: a deny exits 1"
like "^ +version \(line 7\): no match .*stopped at word 3 '--verbose'" \
    "the word where the pattern stopped, counted as listed"
like '^ +expected: "--info" \| "--debug" \| "--version"$' \
    "every atom that could have come next"
printf '%s\n' "$out" | grep -q 'execution plan'
ok $((!$?)) "no plan for a deny"
has "deny: no rule permits this command; rule 'version' (line 7) does not accept word 3: '--verbose'" \
    "the decision names the nearest rule and the word it did not accept"

run -f $p --explain "borg --info" --from 192.0.2.7
like "^ +version \(line 7\): no match .*the words ended after word 1 '--info'" \
    "a command that is too short: where the words ended"

run -f $p --explain "borg --version"
like "^ +version \(line 7\): skipped: 'from' does not admit" \
    "a rule whose 'from' does not admit the client is skipped"
run -f $p --explain "tagged" --tag other
like "^ +tagged \(line 16\): skipped: 'tag' does not admit" \
    "a rule whose 'tag' does not admit the tag is skipped"

run -f $p --explain "written nope"
like '^ +expected: "a\\"b"$' "a literal with a quote is shown as written"
run -f $p --explain "written 'a\"b' nope"
like '^ +expected: /ssh:\\/\\/backup\\/\\.\\/vps::x/$' \
    "a regex with slashes is shown as written"
run -f $p --explain "written 'a\"b' ssh://backup/./vps::x nope"
like '^ +expected: "c\\\\d"$' "a literal with a backslash as written"
run -f $p --explain "written 'a\"b' ssh://backup/./vps::x 'c\\d' x"
like '^ +expected: /\\d\+/$' "a regex escape as written"
has "deny: no rule permits this command; rule 'written' (line 22) does not accept word 4: 'x'" \
    "(the words got that far)"
run -f $p --explain "written 'a\"b' ssh://backup/./vps::x 'c\\d' 42"
has "permit: rule 'written'" "and all of them match"

run -f $p --explain "borg --version | sh"
is "$rc" 1 "--explain: a refused command exits 1"
like '^words: +refused by the tokenizer$' "and says the tokenizer refused it"
has "deny: unquoted '|' at column 16" "and why"

# ---- the hint of a denial: the nearest rule and the word it refused ------

p=lint/hint.policy
no="deny: no rule permits this command"
run -f $p --test "borg create --stats ssh://backup/./vps::vps-1 /etc /opt/x"
is "$rc" 1 "hint: a denied command still exits 1"
has "$no; rule 'create' (line 4) does not accept word 5: '/opt/x'" \
    "no rule: the rule that read most, and the first word it did not accept"
run -f $p --explain "borg create --stats ssh://backup/./vps::vps-1 /etc /opt/x"
has "$no; rule 'create' (line 4) does not accept word 5: '/opt/x'" \
    "--explain prints the same reason"
like "^ +create \(line 4\): no match .*stopped at word 5 '/opt/x'" \
    "and its trace counts the word the same"
run -f $p --test "borg extract ssh://backup/./vps::vps-1"
has "deny: rule 'no-extract': extract is not for this key; rule 'extract-dry' (line 18) does not accept word 2: 'ssh://backup/./vps::vps-1'" \
    "a deny rule: its message, then the run rule tried before it that read most"
run -f $p --test "borg info"
has "$no" "one word read (the program): no hint"
run -f $p --test "sh -c id"
has "$no" "no word read: no hint"
run -f $p --test "borg create --stats"
has "$no; rule 'create' (line 4) needs more words after word 2" \
    "the words ran out: the last word read"
run -f $p --test "borg create x"
has "$no; rule 'create' (line 4) does not accept word 2: 'x'" \
    "a tie (create-dry read as far): the first rule in the file"
run -f $p --test "borg create 'a\"b\\c'"
has "$no; rule 'create' (line 4) does not accept word 2: 'a\x22b\\\\c'" \
    "the word escaped as in the log: a quote as \\x22, a backslash doubled"
run -f $p --test "sudo -E borg create --stats ssh://backup/./vps::vps-1 /opt"
has "$no; rule 'create' (line 4) does not accept word 6: '/opt'" \
    "the dropped prefix is counted, as --explain lists the words"
run -f $p --test "sudo -E borg create"
has "$no; rule 'create' (line 4) needs more words after word 3" \
    "and counted when the words ran out"
long=$(printf 'y%.0s' {1..200})
run -f $p --test "borg create $long"
has "$no; rule 'create' (line 4) does not accept word 2: '${long:0:80}...'" \
    "a long word: its first 80 bytes and '...'"
x64=$(printf 'x%.0s' {1..64})
run -f $p --test "long long x"
has "$no; rule '$x64' (line 27) does not accept word 2: 'x'" "a name of 64 characters"
run -f $p --test "long long deny x"
has "$no; rule '$x64' (line 27) does not accept word 2: 'deny'" \
    "a deny rule that read further is never named"
run -f $p --test "redos x $(printf 'a%.0s' {1..40})!"
has "deny: rule 'redos': a pattern hit the PCRE2 match limit on word 2" \
    "a PCRE2 limit: its reason alone, though a rule before read two words"
m400=$(printf 'm%.0s' {1..400})
run -f $p --test "long long deny"
has "deny: rule 'no-long': $m400" \
    "the longest message and name: a hint that cannot fit is left out"
quotes=$(printf '"%.0s' {1..100})
run -f $p --test "mid deny '$quotes'"
hint="; rule 'mid-okay' (line 38) does not accept word 2: '"
has "deny: rule 'long-deny': $m400$hint$(printf '\\x22%.0s' {1..9})...'" \
    "the word shortened to fit 511 bytes, never inside an escape"
is "$(printf '%s' "${out#deny: }" | wc -c)" 511 "(the reason's 511 bytes)"
# The hint is made from the pass that decided, at no regex cost: 30
# words took 1966080 of the 2000000 steps of the budget, and a second
# pass over the nearest rule would run out of it.
w15=aaaaaaaaaaaaaaa
run -f $p --test "budget$(printf " $w15%.0s" {1..30}) X"
has "$no; rule 'near-budget' (line 59) does not accept word 31: 'X'" \
    "the hint of a decision that used 98% of the budget: no more work"
run -f $p --explain "budget$(printf " $w15%.0s" {1..30}) X"
has "$no; rule 'near-budget' (line 59) does not accept word 31: 'X'" \
    "  and the same with --explain's trace"

# ---- the regex budget of a whole decision ---------------------------------
# A backtracking-prone regex accepts every word, each after 49153 steps:
# the budget (2000000 steps, sshgate-policy(5)) runs out on word 31 of
# 4,095, a deny by the rule that spent it -- never "try the next rule".

p=lint/budget.policy
run -f $p
is "$rc" 0 "budget: the embedded tests, each a decision with a whole budget, pass"
w15=aaaaaaaaaaaaaaa
run -f $p --test "probe$(printf " $w15%.0s" {1..4095})"
is "$rc" 1 "budget: 4,095 near misses of a backtracking regex exit 1"
has "deny: rule 'redos': the command needs more regex work than the budget allows (2000000 PCRE2 steps in all, used up on word 31)" \
    "and the reason is the budget, with the rule and the word"
run -f $p --test "probe$(printf " $w15%.0s" {1..30})"
has "permit: rule 'redos'" "budget: 30 of them fit the budget"
run -f $p --explain "probe$(printf " $w15%.0s" {1..31})"
like "^  redos \(line 5\): ERROR \(regex budget\)$" \
    "--explain: the rule that ran out of budget"
printf '%s\n' "$out" | grep -q "^  later "
ok $((! $?)) "and no rule after it is tried"
run -f $p --json --test "probe$(printf " $w15%.0s" {1..31})"
like '"outcome":"budget"' "--json: the rule's outcome is budget"
like '"verdict":"deny".*"reason":"rule .redos.: the command needs more regex work' \
    "and the verdict deny with the reason"

# ---- the tokenizer's refusals, through --test (DESIGN section 3) -----------

"$SGT_PY" - "$top_srcdir/tests/tables/tokenizer.tsv" "$lint" <<'PY' >"$tmp/tok"
import re, subprocess, sys

table, lint = sys.argv[1], sys.argv[2]
ARG_MAX_ONE = 131072	# Linux MAX_ARG_STRLEN: the longest single argument

def unescape(s):
    out, i = bytearray(), 0
    simple = {"t": b"\t", "n": b"\n", "r": b"\r", "s": b" ", "e": b"",
              "\\": b"\\"}
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            c = s[i + 1]
            if c in simple:
                out += simple[c]; i += 2; continue
            if c == "x" and i + 3 < len(s):
                out.append(int(s[i + 2:i + 4], 16)); i += 4; continue
        out += s[i].encode(); i += 1
    return bytes(out)

# what the reason must say for each refusal
why = {"blank": "empty command", "too-long": "longer than 65536 bytes",
       "too-many-words": "more than 4096 words", "bad-byte": "byte 0x",
       "unquoted": "unquoted", "in-dquote": "inside double quotes",
       "open-squote": "single quote", "open-dquote": "double quote",
       "trailing-backslash": "backslash at the end"}
n = 0
for lineno, line in enumerate(open(table, encoding="latin-1"), 1):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    f = line.split("\t")
    if f[0] == "ok":
        continue
    m = re.match(r"@(\d+):(.*)", f[1])
    cmd = unescape(m.group(2)) * int(m.group(1)) if m else unescape(f[1])
    col = int(f[2])
    if b"\0" in cmd or len(cmd) >= ARG_MAX_ONE:
        print("skip\t%d\t%s: not passable as one argument" % (lineno, f[0]))
        continue
    r = subprocess.run([lint, "-f", "lint/all.policy", "--test", cmd],
                       capture_output=True)
    o = r.stdout.decode("latin-1").rstrip("\n")
    good = r.returncode == 1 and o.startswith("deny: ") and \
        why[f[0]] in o and ("column" not in o or "column %d" % col in o)
    print("%s\t%d\t%s: %s" % ("ok" if good else "not", lineno, f[0], o))
    n += 1
print("count\t%d\t" % n)
PY
while IFS=$'\t' read -r st line what; do
	case $st in
	ok)	ok 0 "--test refuses tokenizer.tsv:$line ($what)" ;;
	not)	ok 1 "--test refuses tokenizer.tsv:$line ($what)" ;;
	skip)	diag "tokenizer.tsv:$line $what (the unit test covers it)" ;;
	count)	[ "$line" -ge 40 ]
		ok $? "$line refused rows of the tokenizer table were run" ;;
	esac
done <"$tmp/tok"
run -f lint/all.policy --test "borg --version"
has "permit: rule 'all'" "the same policy permits a plain command"

sgt_done
