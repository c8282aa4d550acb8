#!/bin/bash
# The shipped example policy (setup/vps/policy.in, rendered by the build)
# compiles, passes its own tests and gets no warning: exit 0 with --strict.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_host_borg "$@"	# lints rules that run /usr/bin/borg: a stub where it is missing
policy=$top_builddir/setup/vps/policy
[ -f "$policy" ] || sgt_bail "no $policy (make builds it)"
out=$("$top_builddir/sshgate-lint" --strict -f "$policy" 2>&1); rc=$?
is "$rc" 0 "sshgate-lint --strict on the example policy exits 0"
[ $rc = 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
grep -q ", 0 warnings$" <<<"$out"
ok $? "and reports no warning"
# its path regexes repeat groups, each with a possessive inner quantifier
! grep -q "nested-quantifier" <<<"$out"
ok $? "not even nested-quantifier (sshgate-lint(1))"
sgt_done
