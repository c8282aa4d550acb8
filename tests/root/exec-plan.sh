#!/bin/bash
# The gate execs exactly the argv and the environment that
# "sshgate-lint --explain" prints for the same policy, command and caller
# environment.  The policy is the example policy of setup/vps (as built),
# with its program replaced by tests/probe-argv, its runner and writable
# directory by the test's, plus a rule of the test's own; the gate runs
# as real root with -f, the probe as the runner, and prints what it got.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"

[ -x "$top_builddir/tests/probe-argv" ] || sgt_bail "build tests/probe-argv"
[ -f "$top_builddir/setup/vps/policy" ] || sgt_bail "build setup/vps/policy"
install -o root -g root -m 0755 "$top_builddir/tests/probe-argv" \
    "$SGT_DIR/bin/probe-argv" || sgt_bail "install probe"
lib=$SGT_DIR/lib/borg
mkdir -p "$lib" && chown "$SGT_RUNNER:" "$lib" && chmod 0700 "$lib" ||
    sgt_bail "mkdir $lib"
pol=$SGT_DIR/policy
{
	sed -e "s|/var/lib/sshgate-borg|$lib|g" \
	    -e "s|^\( *as  *\)sshgate-borg\$|\1$SGT_RUNNER|" \
	    -e "s|^\( *run  *\)/usr/bin/python3 |\1$SGT_DIR/bin/probe-argv |" \
	    "$top_builddir/setup/vps/policy"
	cat <<EOF

rule sgt-probe {
    from    192.0.2.0/24
    tag     sgt-tag
    drop    "sudo" "-E"
    run     $SGT_DIR/bin/probe-argv --fixed "two words"
    as      $SGT_RUNNER
    keepenv BORG_PASSPHRASE LANG TZ
    setenv  PATH /opt/probe/bin
    setenv  WITH_BACKSLASH "a\\\\b"
    setenv  EMPTY ""
    args    "probe" /.*/*
}
EOF
} > "$pol"
chmod 0644 "$pol"
grep -q "probe-argv -I /usr/bin/borg" "$pol" &&
    ! grep -q "sshgate-borg$" "$pol"
ok $? "the example policy is rendered for the test"

"$SGT_DIR/bin/sshgate-lint" -f "$pol" >"$SGT_DIR/lint.out" 2>&1
rc=$?
ok $rc "the rendered policy compiles and passes its own tests"
[ $rc = 0 ] || sed 's/^/# /' "$SGT_DIR/lint.out"

# The caller's environment, given to both the linter and the gate: what
# the rules keep, with bytes that need escaping, and what must not pass.
callenv=(
	"BORG_PASSPHRASE=p$(printf '\303\244')ss \\ w$(printf '\001')rd"
	"LANG=C.UTF-8"
	"LD_PRELOAD=/nonexistent/evil.so"
	"PYTHONPATH=/tmp"
	"BORG_RSH=sh -c id"
	"HOME=/root"
	"PATH=/tmp/evil:/usr/bin:/bin"
)

# plan_lines FILE: the program, argv[i] and env[i] lines of --explain,
# in the probe's form.
plan_lines() {
	sed -n -e 's/^ *program: *\(.*\)$/program \1/p' \
	    -e 's/^ *\(argv\[[0-9]*\]\) *\(.*\)$/\1 \2/p' \
	    -e 's/^ *\(env\[[0-9]*\]\) *\(.*\)$/\1 \2/p' "$1"
}

check() {	# check TAG FROM COMMAND: explain and gate agree
	local tag=$1 from=$2 cmd=$3 targs=() cenv=("${callenv[@]}")
	[ -n "$tag" ] && targs=("$tag")
	[ -n "$from" ] && cenv+=("SSH_CONNECTION=$from 50022 192.0.2.1 22")
	env -i "${cenv[@]}" "$SGT_DIR/bin/sshgate-lint" -f "$pol" \
	    --explain "$cmd" ${tag:+--tag "$tag"} >"$SGT_DIR/explain" 2>/dev/null
	is "$?" 0 "lint permits: $cmd"
	plan_lines "$SGT_DIR/explain" >"$SGT_DIR/want"
	[ "$(grep -c '^argv\[0\] ' "$SGT_DIR/want")" = 1 ] &&
	    grep -q '^env\[0\] ' "$SGT_DIR/want"
	ok $? "explain shows a plan with argv[i] and env[i] lines"
	env -i "${cenv[@]}" "SSH_ORIGINAL_COMMAND=$cmd" \
	    "$SGT_DIR/bin/sshgate" -f "$pol" "${targs[@]}" \
	    >"$SGT_DIR/got" 2>"$SGT_DIR/got.err" </dev/null
	is "$?" 0 "the gate runs the probe for: $cmd"
	if cmp -s "$SGT_DIR/want" "$SGT_DIR/got"; then
		ok 0 "the probe got exactly the explained argv and environment"
	else
		ok 1 "the probe got exactly the explained argv and environment"
		diff -u "$SGT_DIR/want" "$SGT_DIR/got" | sed 's/^/# /'
		sed 's/^/# stderr: /' "$SGT_DIR/got.err"
	fi
	! grep -Eq '^env\[[0-9]+\] (LD_PRELOAD|PYTHONPATH|SSH_|HOME=/root|PATH=/tmp)' \
	    "$SGT_DIR/got"
	ok $? "nothing of the caller's environment but the kept names"
}

# Every "test permit" of the example policy, as a connection its rule
# admits (the rule's first from and tag, unless the test names them).
"$SGT_PY" - "$pol" >"$SGT_DIR/permits" <<'PY'
import re, sys
tag = frm = None
for line in open(sys.argv[1]):
    w = line.split()
    if not w:
        continue
    if w[0] == "rule":
        tag = frm = None
    elif w[0] == "from" and frm is None:
        frm = w[1].split("/")[0]
    elif w[0] == "tag" and tag is None:
        tag = w[1]
    elif w[0] == "test" and w[1] == "permit":
        m = re.match(r'\s*test\s+permit\s+"((?:[^"\\]|\\.)*)"(.*)$', line)
        cmd = re.sub(r'\\(.)', r'\1', m.group(1))
        rest = m.group(2).split()
        opt = dict(zip(rest[0::2], rest[1::2]))
        print("%s\x1f%s\x1f%s" % (opt.get("tag", tag or ""),
                              opt.get("from", frm or ""), cmd))
PY
n=0
while IFS=$'\x1f' read -r tag from cmd; do	# \t would collapse
	check "$tag" "$from" "$cmd"
	n=$((n + 1))
done <"$SGT_DIR/permits"
[ "$n" -ge 5 ]
ok $? "$n commands of the example policy's own tests were run"
check sgt-tag 192.0.2.7 "sudo -E probe 'two  spaces' \"q\\\"uote\" 'back\\slash' x=1 --a=b ''"

# Spot checks that the comparison compares something.
grep -qx 'argv\[0\] '"$SGT_DIR/bin/probe-argv" "$SGT_DIR/got" &&
    grep -qx 'argv\[1\] --fixed' "$SGT_DIR/got" &&
    grep -qx 'argv\[2\] two words' "$SGT_DIR/got" &&
    grep -qx 'argv\[3\] two  spaces' "$SGT_DIR/got" &&
    grep -qx 'argv\[4\] q"uote' "$SGT_DIR/got" &&
    grep -qx 'argv\[5\] back\\\\slash' "$SGT_DIR/got" &&
    grep -qx 'argv\[8\] ' "$SGT_DIR/got" &&
    ! grep -q 'argv\[9\]' "$SGT_DIR/got"
ok $? "the probe rule: run words, then the client's words after the first"
grep -qx 'env\[0\] PATH=/opt/probe/bin' "$SGT_DIR/got" &&
    grep -qx 'env\[1\] WITH_BACKSLASH=a\\\\b' "$SGT_DIR/got" &&
    grep -qx 'env\[2\] EMPTY=' "$SGT_DIR/got" &&
    grep -qx 'env\[3\] BORG_PASSPHRASE=p\\xc3\\xa4ss \\\\ w\\x01rd' "$SGT_DIR/got" &&
    grep -qx 'env\[4\] LANG=C.UTF-8' "$SGT_DIR/got" &&
    ! grep -q 'env\[5\]' "$SGT_DIR/got"
ok $? "the probe rule: setenv in order, its own PATH, kept values byte for byte"

sgt_done
