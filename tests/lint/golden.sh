#!/bin/bash
# Golden files: every tests/lint/cases/NAME.policy is linted (with the
# options in NAME.args, one per line) and the output is compared byte for
# byte with NAME.out (text) and NAME.json (--json).  The files hold
# stdout, then stderr, then the exit status.
#
# Only the running kernel's Landlock line is normalised (it names the
# kernel's ABI).  SSHGATE_REGEN=1 rewrites the expected files instead:
# review the diff before committing it.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_host_borg "$@"	# lints rules that run /usr/bin/borg: a stub where it is missing

lint=$top_builddir/sshgate-lint
[ -x "$lint" ] || sgt_bail "no $lint (build first)"
cases=$top_srcdir/tests/lint/cases
work=$(mktemp -d) || sgt_bail "mktemp"
trap 'rm -rf "$work"' EXIT

normalise() {
	sed -e 's/^\(            this kernel: \).*/\1KERNEL/' \
	    -e 's/"kernel_abi":[0-9]*/"kernel_abi":N/'
}

run_case() {	# run_case NAME [--json] -> the golden text on stdout
	local name=$1 json=${2:-} args=() rc
	if [ -f "$cases/$name.args" ]; then
		mapfile -t args < "$cases/$name.args"
	fi
	# relative names keep the file name in the diagnostics stable
	(cd "$cases" && "$lint" -f "$name.policy" ${json:+"$json"} "${args[@]}" \
	    >"$work/out" 2>"$work/err"); rc=$?
	normalise < "$work/out"
	echo "--- stderr"
	normalise < "$work/err"
	echo "--- exit $rc"
}

for p in "$cases"/*.policy; do
	name=$(basename "$p" .policy)
	for kind in out json; do
		run_case "$name" $([ $kind = json ] && echo --json) > "$work/got"
		want=$cases/$name.$kind
		if [ "${SSHGATE_REGEN:-0}" = 1 ]; then
			cp "$work/got" "$want"
		fi
		if [ -f "$want" ] && cmp -s "$work/got" "$want"; then
			ok 0 "$name: $kind matches the golden file"
		else
			ok 1 "$name: $kind matches the golden file"
			diff -u "$want" "$work/got" 2>&1 | head -40 | sed 's/^/# /'
		fi
		if [ $kind = json ]; then
			# every record (as printed) is one valid JSON object
			"$SGT_PY" -c '
import json, sys
for line in sys.stdin:
    assert isinstance(json.loads(line), dict)
' < "$work/out"
			ok $? "$name: every --json line is a JSON object"
		fi
	done
done
sgt_done
