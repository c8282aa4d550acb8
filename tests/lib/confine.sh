# confine.sh -- helpers for the confinement tests (bash, after sgt.sh).
#
#   cf_init                  sgt_init, then the probe and the fixtures
#   cf_gate [VAR=val ...] -- CMD
#                            run CMD through the setuid gate as the login
#                            account; output in $out, status in $rc
#   expect LINE DESC         $out holds exactly that line
#   expect_status N DESC     $rc is N
#
# Fixtures, all below $SGT_DIR (removed with it):
#   $CF_PROBE      the probe, root-owned in a root-owned directory
#   $CF_SECRET     root:root 0600 in a root:root 0700 directory
#   $CF_ROOTFILE   root:root 0644
#   $CF_HOME       the runner's private home, 0700 (its only writable path)

cf_init() {
	sgt_init "$@"
	[ -x "$top_builddir/tests/probe" ] || sgt_bail "tests/probe not built"
	CF_PROBE=$SGT_DIR/bin/sgt-probe
	install -o root -g root -m 0755 "$top_builddir/tests/probe" "$CF_PROBE" ||
	    sgt_bail "install probe"
	mkdir -m 0700 "$SGT_DIR/sgt-private"
	CF_SECRET=$SGT_DIR/sgt-private/secret
	echo "sgt-secret-$SGT_ID" > "$CF_SECRET"
	chmod 0600 "$CF_SECRET"
	CF_ROOTFILE=$SGT_DIR/sgt-rootfile
	echo "sgt-root-owned" > "$CF_ROOTFILE"
	chmod 0644 "$CF_ROOTFILE"
	CF_HOME=$SGT_DIR/home/$SGT_RUNNER
	install -d -o "$SGT_RUNNER" -g "$SGT_RUNNER" -m 0700 "$CF_HOME"
	CF_RUID=$(id -u "$SGT_RUNNER")
	CF_RGID=$(id -g "$SGT_RUNNER")
	# The probe's checks of a whole confinement (see cf_confined)
	CF_CHECKS="status fds write=/etc/passwd create=/tmp/sgt-t$SGT_ID inet read=$CF_SECRET"
	# Files a failed test could leave outside $SGT_DIR.
	SGT_EXTRA_CLEANUP="rm -rf /etc/sgt-w$SGT_ID /etc/sgt-f$SGT_ID /tmp/sgt-t$SGT_ID /tmp/sgt-d$SGT_ID"
}

# $out is the probe's report on $CF_CHECKS from a run fully confined as a
# rule with "caps dac_read_search" and "sockets unix": true, or a diag of
# the first line missing and false.
cf_confined() {
	local l
	for l in "Uid: $CF_RUID	$CF_RUID	$CF_RUID	$CF_RUID" \
	    "CapEff: 0000000000000004" "CapBnd: 0000000000000004" \
	    "CapAmb: 0000000000000004" "NoNewPrivs: 1" "Seccomp: 2" \
	    "securebits: 0xf" "fds: 0 1 2" "write=/etc/passwd: errno=EACCES" \
	    "create=/tmp/sgt-t$SGT_ID: errno=EACCES" "inet: errno=EAFNOSUPPORT" \
	    "read=$CF_SECRET: ok"; do
		printf '%s\n' "$out" | grep -Fxq -- "$l" || { diag "missing: $l"; return 1; }
	done
}

cf_gate() {
	out=$(sgt_gate "$@" 2>&1)
	rc=$?
}

expect() {	# expect LINE DESCRIPTION
	if printf '%s\n' "$out" | grep -Fxq -- "$1"; then
		ok 0 "$2"
	else
		ok 1 "$2"
		printf '# want line: %s\n' "$1"
		printf '%s\n' "$out" | sed 's/^/#   got: /'
	fi
}

expect_no() {	# expect_no REGEX DESCRIPTION: no line of $out matches
	if printf '%s\n' "$out" | grep -Eq -- "$1"; then
		ok 1 "$2"
		printf '%s\n' "$out" | grep -E -- "$1" | sed 's/^/#   got: /'
	else
		ok 0 "$2"
	fi
}

expect_status() {	# expect_status N DESCRIPTION
	if [ "$rc" = "$1" ]; then
		ok 0 "$2"
	else
		ok 1 "$2"
		printf '# status %s, want %s\n' "$rc" "$1"
		printf '%s\n' "$out" | sed 's/^/#   out: /'
	fi
}

# A process of the runner account outside any gate: the "sibling" that a
# confined program must not be able to trace.  Its pid is in $CF_SIB.
cf_runner_sleeper() {
	setpriv --reuid="$SGT_RUNNER" --regid="$SGT_RUNNER" --clear-groups \
	    -- sleep 600 >/dev/null 2>&1 &
	CF_SIB=$!
	SGT_PIDS="$SGT_PIDS $CF_SIB"
}

# The confinement fields of a rule, as the borg rule of the example
# policy has them: cf_rule NAME FIRSTWORD [extra field lines...]
cf_rule() {
	local name=$1 first=$2
	shift 2
	printf 'rule %s {\n' "$name"
	printf '    run      %s\n' "$CF_PROBE"
	printf '    %s\n' "$@"
	printf '    args     "%s" /[A-Za-z0-9_=\\/.:-]+/*\n}\n' "$first"
}
