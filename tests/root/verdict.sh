#!/bin/bash
# One verdict (sshgate-lint(1) DESCRIPTION and EXIT STATUS): for every
# cause for which the gate refuses a command its policy permits -- read
# from the code, policy/confine.h's REFUSALS, not from a list here -- a
# scenario below sets it up on the installed policy, runs the real
# setuid gate and sshgate-lint --test (and --json, and plain lint) on
# the same file, and checks that they agree: the status, and lint's
# "refuse: REASON" against the gate's "sshgate: REASON".  A cause
# without a scenario fails the test.
#
# Landlock absent and a kernel with an older ABI are produced the way
# tests/root/confine-landlock.sh does: real root starts the unchanged
# gate -- and the unchanged linter -- under tests/probe.c's
# wrap-landlock, a seccomp filter that answers the Landlock calls as
# such a kernel would.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
. "$top_srcdir/tests/lib/confine.sh"
cf_init "$@"

LINT=$SGT_DIR/bin/sshgate-lint
CMD="probe status"
abi=$("$SGT_PY" -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')

# ---- the causes, from the code ---------------------------------------------

causes=$(sed -n 's/^[[:space:]]*X(REFUSE_[A-Z0-9_]*,[[:space:]]*"\([a-z0-9-]*\)",[[:space:]]*\([0-9]*\)).*/\1:\2/p' \
    "$top_srcdir/policy/confine.h")
n=$(grep -c '^[[:space:]]*X(REFUSE_' "$top_srcdir/policy/confine.h")
[ -n "$causes" ] && [ "$(wc -w <<<"$causes")" = "$n" ]
ok $? "policy/confine.h lists $n refusal causes, each with a name and a status"
# every refusal of the policy goes through a cause: no bare exit 4 left
sites=$(grep -n 'die(EXIT_POLICY' "$top_srcdir"/gate/*.c)
[ -z "$sites" ]
ok $? "the gate has no policy refusal without a cause name"
[ -z "$sites" ] || diag "$sites"
# nor of a program, path or interpreter: the one bare 126 is execve's own
sites=$(grep -n 'die(EXIT_EXEC' "$top_srcdir"/gate/*.c)
[ "$(grep -c . <<<"$sites")" = 1 ] && grep -q '"cannot execute %s' <<<"$sites"
good=$?
ok $good "the gate's only exit 126 without a cause name is execve's failure"
[ $good = 0 ] || diag "$sites"

# ---- helpers ---------------------------------------------------------------

rule() {	# rule NAME [FIELD LINE ...]: runs the probe for "probe status"
	local name=$1 l
	shift
	printf 'rule %s {\n    run      %s\n' "$name" "$CF_PROBE"
	for l in "$@"; do
		printf '    %s\n' "$l"
	done
	printf '    args     "probe" "status"\n}\n'
}

policy() {	# policy [FIELD LINE ...]: one rule, installed
	{ echo "sshgate-policy 1"; rule r "$@"; } | sgt_policy -
}

wrap=()		# real root under this wrapper, instead of the login account
lintas=()	# sshgate-lint under this (default: root)
gtag=()		# the gate's tag (command="sshgate TAG")
ltag=()		# and sshgate-lint's: --tag TAG

run_both() {	# sets grc, gerr (the gate); lrc, lout (lint --test)
	if [ ${#wrap[@]} -gt 0 ]; then
		gerr=$(env -i SSH_ORIGINAL_COMMAND="$CMD" "${wrap[@]}" \
		    "$SGT_DIR/bin/sshgate" "${gtag[@]}" 2>&1 >/dev/null)
	else
		gerr=$(sgt_gate SSH_ORIGINAL_COMMAND="$CMD" -- "${gtag[@]}" \
		    2>&1 >/dev/null)
	fi
	grc=$?
	lout=$(env -i "${lintas[@]}" "${wrap[@]}" "$LINT" "${ltag[@]}" \
	    --test "$CMD" 2>/dev/null)
	lrc=$?
}

# agree CAUSE STATUS: the gate refuses with STATUS, lint says the same
declare -A seen
agree() {
	local cause=$1 want=$2 reason json lint needle good
	seen[$cause]=1
	is "$want" "$status" "$cause: the scenario expects the status policy/confine.h gives"
	run_both
	reason=$(printf '%s\n' "$gerr" | sed -n '1s/^sshgate: //p')
	is "$grc" "$want" "$cause: the gate refuses with exit $want"
	[ -n "$reason" ]
	ok $? "$cause: and says why on stderr"
	is "$lrc" "$grc" "$cause: sshgate-lint --test exits as the gate does"
	is "$lout" "refuse: $reason" "$cause: with the gate's words"
	json=$(env -i "${lintas[@]}" "${wrap[@]}" "$LINT" "${ltag[@]}" --json \
	    --test "$CMD" 2>/dev/null | tail -1)
	"$SGT_PY" -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["type"] == "decision", d
assert d["verdict"] == "refuse", d
assert d["cause"] == sys.argv[2], d
assert d["gate_exit"] == int(sys.argv[3]), d
assert d["reason"] == sys.argv[4], d
' "$json" "$cause" "$grc" "$reason"
	ok $? "$cause: --json says refuse, the cause, gate_exit $grc, the reason"
	lint=$(env -i "${lintas[@]}" "${wrap[@]}" "$LINT" 2>&1)
	is "$?" 2 "$cause: linting the installed policy is an error"
	# untrusted-file says the walker's words, which the gate's wrap
	needle=${reason#"policy $SGT_POLICY refused: "}
	needle=${needle%"; nothing is permitted"}
	needle=${needle#"policy part $SGT_PART refused: "}
	needle=${needle%"; nothing is permitted for tag 'sgt-job'"}
	if [ "$cause" != policy-error ] && [ "$cause" != part-error ]; then
		grep -F -- "$needle" <<<"$lint" | grep -q ': error: ' &&
		    grep -q ': note: fix: ' <<<"$lint"
		good=$?
		ok $good "$cause: with the gate's words and a fix"
		[ $good = 0 ] || diag "$lint"
	fi
}

# ---- a run both permit, for comparison ----------------------------------------

policy "as       $SGT_RUNNER" "caps     dac_read_search"
run_both
is "$grc:$lrc" "0:0" "a rule the gate runs: exit 0, and sshgate-lint --test permits it"
is "$lout" "permit: rule 'r'" "  with the rule's name"
"$LINT" >/dev/null 2>&1
is "$?" 0 "  and linting the installed policy is clean of errors"

# ---- one scenario per cause ----------------------------------------------------

case_policy_untrusted() {
	policy "as       $SGT_RUNNER"
	chmod 0646 "$SGT_POLICY"
	agree policy-untrusted 4
	chmod 0644 "$SGT_POLICY"
}

case_policy_error() {
	policy "as       $SGT_RUNNER" "sekcomp  strict"
	agree policy-error 4
}

# A part (sshgate-policy(5), "Parts"): the common part is sound, the
# tag's part is refused; the same command without the tag still runs.
SGT_PART=$(dirname "$SGT_POLICY")/policy.d/sgt-job.policy
part() {	# part [FIELD LINE ...]: one rule in the part of tag sgt-job
	mkdir -p "${SGT_PART%/*}"
	chmod 0755 "${SGT_PART%/*}"
	{ echo "sshgate-policy 1"; rule p "$@"; } > "$SGT_PART"
	chmod 0644 "$SGT_PART"
}

case_part_untrusted() {
	policy "as       $SGT_RUNNER"
	part "as       $SGT_RUNNER"
	chmod 0646 "$SGT_PART"
	gtag=(sgt-job) ltag=(--tag sgt-job)
	agree part-untrusted 4
	gtag=() ltag=()
	run_both
	is "$grc:$lrc" "0:0" "part-untrusted: without the tag, the common part still runs it"
	rm -r "${SGT_PART%/*}"
}

case_part_error() {
	policy "as       $SGT_RUNNER"
	part "as       $SGT_RUNNER" "sekcomp  strict"
	gtag=(sgt-job) ltag=(--tag sgt-job)
	agree part-error 4
	gtag=(sgt-other) ltag=(--tag sgt-other)
	run_both
	is "$grc:$lrc" "0:0" "part-error: another tag never reads it, and runs"
	gtag=() ltag=()
	rm -r "${SGT_PART%/*}"
}

case_runner_missing() {
	policy "as       sgt-n$SGT_ID"
	agree runner-missing 5
}

case_runner_group_missing() {
	policy "as       $SGT_RUNNER:sgt-g$SGT_ID"
	agree runner-group-missing 5
}

# lint as the login account: the caller the gate sees
case_runner_is_caller() {
	policy "as       $SGT_LOGIN"
	lintas=(setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN"
	    --clear-groups --)
	agree runner-is-caller 5
	lintas=()
}

case_uid0_without_seccomp() {
	policy "as       root" "seccomp  none"
	agree uid0-without-seccomp 5
}

case_landlock_absent() {
	policy "as       $SGT_RUNNER" "landlock require"
	wrap=("$CF_PROBE" wrap-landlock=ENOSYS)
	agree landlock-absent 5
	wrap=()
}

case_uid0_landlock_abi() {
	policy "as       root"
	wrap=("$CF_PROBE" wrap-landlock=abi:5)
	agree uid0-landlock-abi 5
	wrap=()
}

# a copy of the probe in a directory everyone may write
case_program_untrusted() {
	install -d -m 0777 "$SGT_DIR/sgt-ow"
	install -m 0755 "$CF_PROBE" "$SGT_DIR/sgt-ow/probe"
	{ echo "sshgate-policy 1"
	  rule r "as       $SGT_RUNNER" |
	      sed "s|^    run .*|    run      $SGT_DIR/sgt-ow/probe|"; } |
	    sgt_policy -
	agree program-untrusted 126
}

case_write_path_untrusted() {
	install -d -m 1777 "$SGT_DIR/sgt-wt"
	policy "as       $SGT_RUNNER" "write    $SGT_DIR/sgt-wt"
	agree write-path-untrusted 5
}

case_exec_path_untrusted() {
	install -d -m 0777 "$SGT_DIR/sgt-ow"
	install -m 0755 /bin/true "$SGT_DIR/sgt-ow/true"
	policy "as       $SGT_RUNNER" "exec     $SGT_DIR/sgt-ow/true"
	agree exec-path-untrusted 126
}

# a trusted script whose "#!" names a program in a directory everyone
# may write: the gate reads the interpreter at run time, and so does lint
case_interpreter_untrusted() {
	install -d -m 0777 "$SGT_DIR/sgt-ow"
	install -m 0755 /bin/true "$SGT_DIR/sgt-ow/true"
	printf '#!%s\n' "$SGT_DIR/sgt-ow/true" > "$SGT_DIR/bin/sgt-script"
	chmod 0755 "$SGT_DIR/bin/sgt-script"
	policy "as       $SGT_RUNNER" "exec     $SGT_DIR/bin/sgt-script"
	agree interpreter-untrusted 126
}

case_read_path_untrusted() {
	install -d -m 1777 "$SGT_DIR/sgt-wt"
	policy "as       $SGT_RUNNER" "read     $SGT_DIR/sgt-wt"
	agree read-path-untrusted 5
}

# This host's cgroup2 is the hybrid one, whose root hands on no pids
# controller (tests/matrix/limits-uml.sh has a kernel that does): a rule
# with a pids limit and "cgroup require" is refused here.
case_cgroup_controller_absent() {
	local cg ctl
	cg=$(findmnt -n -t cgroup2 -o TARGET | head -1)
	ctl=$(cat "$cg/cgroup.subtree_control" 2>/dev/null)
	if [ -z "$cg" ] || grep -qw pids <<<"$ctl"; then
		seen[cgroup-controller-absent]=1
		ok 1 "cgroup-controller-absent: this host's cgroup2 root hands on pids ($ctl): produce it as tests/matrix/limits-uml.sh does"
		return
	fi
	policy "as       $SGT_RUNNER" "pids     16" "cgroup   require"
	agree cgroup-controller-absent 5
}

# Without cgroup2: both programs as real root in a mount namespace where
# it is unmounted (as tests/root/confine-cgroup.sh does for the gate).
case_cgroup_absent() {
	local cg
	cg=$(findmnt -n -t cgroup2 -o TARGET | head -1)
	policy "as       $SGT_RUNNER" "cgroup   require"
	printf '%s\n' '#!/bin/sh' 'umount -l "$1" || exit 98' \
	    'grep -q " - cgroup2 " /proc/self/mountinfo && exit 97' \
	    'shift' 'exec "$@"' > "$SGT_DIR/sgt-nocg"
	chmod 0755 "$SGT_DIR/sgt-nocg"
	wrap=(unshare -m --propagation private -- "$SGT_DIR/sgt-nocg" "$cg")
	agree cgroup-absent 5
	wrap=()
}

[ "$abi" -ge 6 ] 2>/dev/null ||
    diag "this kernel's Landlock ABI is $abi: uid0-without-seccomp meets uid0-landlock-abi first"
for c in $causes; do
	name=${c%%:*}
	status=${c#*:}
	fn=case_${name//-/_}
	if ! declare -F "$fn" >/dev/null; then
		ok 1 "$name (exit $status): a scenario ($fn)"
		continue
	fi
	"$fn"
	[ -n "${seen[$name]:-}" ]
	ok $? "$name (exit $status): its scenario checked it"
done

sgt_done
