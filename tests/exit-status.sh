#!/bin/bash
# Each program's exit statuses are documented in one table, and the table
# lists exactly the statuses its code defines: the EXIT_* of gate/gate.h
# in sshgate(8) EXIT STATUS, the EXIT_* of gate/connect.c in its
# "sshgate-connect" subsection, the LINT_* of policy/lint/out.h in
# sshgate-lint(1) EXIT STATUS.  The numbers are read from the source, so a
# new status without a line in the table fails, and so does a table line
# for a status the code no longer has.
. "${top_srcdir:-.}/tests/lib/sgt.sh"

top_srcdir=$(cd "$top_srcdir" && pwd) || sgt_bail "no top_srcdir"

# defined PREFIX FILE: the numbers of "#define PREFIXNAME N", sorted
defined() {
	grep -oE "^#define $1[A-Z_]+[[:space:]]+[0-9]+" "$2" |
	    awk '{ print $3 }' | sort -n | uniq | tr '\n' ' '
}

# listed FILE FROM TO: the ".It N" items between the lines matching FROM
# and TO (TO excluded), sorted
listed() {
	awk -v from="$2" -v to="$3" '
		$0 ~ from { on = 1; next }
		on && $0 ~ to { exit }
		on && /^\.It [0-9]+$/ { print $2 }' "$1" | sort -n | uniq |
	    tr '\n' ' '
}

# check NAME CODE DOC
check() {
	[ -n "$2" ]
	ok $? "$1: statuses read from the code: $2"
	is "$3" "$2" "$1: the table lists exactly them"
}

gate8=$top_builddir/docs/sshgate.8
lint1=$top_builddir/docs/sshgate-lint.1
check sshgate "$(defined EXIT_ "$top_srcdir/gate/gate.h")" \
    "$(listed "$gate8" '^\.Sh EXIT STATUS' '^\.(Sh|Ss) ')"
check sshgate-connect "$(defined EXIT_ "$top_srcdir/gate/connect.c")" \
    "$(listed "$gate8" '^\.Ss sshgate-connect' '^\.(Sh|Ss) ')"
check sshgate-lint "$(defined LINT_ "$top_srcdir/policy/lint/out.h")" \
    "$(listed "$lint1" '^\.Sh EXIT STATUS' '^\.(Sh|Ss) ')"

# the code exits only through them: no status written as a number in an
# exit() or die() of the gate and the linter, nor in a return of
# sshgate-connect's main() (a program's own status is passed on as a
# variable; _exit(127) in a forked child that failed to exec is the
# child's, never the program's)
bad=$(grep -nE '(^|[^_])\b(exit|die)\([0-9]+' "$top_srcdir"/gate/*.c \
    "$top_srcdir"/policy/lint/*.c)
is "$bad" "" "gate/, policy/lint/: no exit status written as a number"
bad=$(sed -n '/^main(/,/^}/p' "$top_srcdir/gate/connect.c" |
    grep -E 'return [0-9]+;')
is "$bad" "" "sshgate-connect's main(): no exit status written as a number"
sgt_done
