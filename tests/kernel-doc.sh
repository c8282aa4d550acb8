#!/bin/bash
# The kernel requirements README.md and docs/pull-backup.md section 10
# state, against the code they come from (issue 15, portability): the
# newest Landlock ABI the gate uses (gate/landlock.c LL_ABI_USED), the
# ABI and Linux release a uid 0 runner needs (its refusal message),
# close_range for Linux 5.9 (gate/main.c), "landlock require" in every
# rule of the shipped policy (why the VPS needs Landlock), and a row for
# each ABI 1 to 7 and for none in the guide's table.  No root.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }

guide=$top_srcdir/docs/pull-backup.md
readme=$top_srcdir/README.md
ll=$top_srcdir/gate/landlock.c
# section 10 of the guide, one line
sec=$(sed -n '/^## 10\. /,/^## /p' "$guide" | tr '\n' ' ')
# README.md's Requirements, one line
req_text=$(sed -n '/^## Requirements/,/^## /p' "$readme" | tr '\n' ' ')

used=$(sed -n 's/^#define LL_ABI_USED[[:space:]]*\([0-9]*\).*/\1/p' "$ll")
[ -n "$used" ] && printf '%s\n' "$sec" | grep -q "the newest Landlock ABI the kernel offers, up to $used[,;]"
ok $? "the guide: the newest ABI the gate uses is LL_ABI_USED ($used)"

for abi in 1 2 3 4 5 6 7; do
	sed -n '/^## 10\. /,/^## /p' "$guide" | grep -Eq "^\| [^|]+ \| $abi \|"
	ok $? "the guide's table has a row for ABI $abi"
done
sed -n '/^## 10\. /,/^## /p' "$guide" | grep -Eq '^\| before 5\.13, or Landlock not enabled \| none \|'
ok $? "... and one for a kernel without Landlock"

# a uid 0 runner: the ABI and release of the gate's own refusal (its
# words are in policy/confine.c, which decides for the gate and the linter)
msg=$(grep -o 'signal scope (ABI [0-9]*, Linux [0-9.]*)' "$top_srcdir/policy/confine.c" | head -1)
rel=$(printf '%s\n' "$msg" | sed -n 's/.*Linux \([0-9.]*\))/\1/p')
[ -n "$rel" ] && printf '%s\n' "$req_text" | grep -q "a runner that is uid 0 needs Linux $rel" &&
    printf '%s\n' "$sec" | grep -q "6.12 to 6.14 (Debian 13) | 6 |.*uid 0 needs this ABI"
ok $? "README and the guide: a uid 0 runner needs Linux $rel, as policy/confine.c says ($msg)"

grep -q 'close_range(3' "$top_srcdir/gate/main.c" &&
    printf '%s\n' "$req_text" | grep -q 'needs Linux 5.9 at least (`close_range`)' &&
    printf '%s\n' "$sec" | grep -q 'The gate needs Linux 5.9 or later (`close_range`)'
ok $? "README and the guide: the gate needs Linux 5.9 (close_range, gate/main.c)"

# the rules that run a program (the others deny)
rules=$(grep -c '^[[:space:]]*run[[:space:]]' "$top_srcdir/setup/vps/policy.in")
req=$(grep -c '^[[:space:]]*landlock require$' "$top_srcdir/setup/vps/policy.in")
tmo=$(grep -c '^[[:space:]]*timeout[[:space:]]' "$top_srcdir/setup/vps/policy.in")
[ "$rules" -gt 0 ] && [ "$rules" = "$req" ] && [ "$rules" = "$tmo" ]
ok $? "every rule of the shipped policy that runs a program says landlock require and has a timeout ($req and $tmo of $rules)"
printf '%s\n' "$req_text" | grep -q 'Linux 5.13 or later with Landlock enabled' &&
    printf '%s\n' "$sec" | grep -q 'Linux 5.13 or later with Landlock enabled'
ok $? "so README and the guide: Linux 5.13 or later with Landlock enabled"

echo "1..$n"
[ "$failed" -eq 0 ]
