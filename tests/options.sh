#!/bin/bash
# Every option a program's parser accepts is described in its --help and
# in its man page or guide; --help goes to stdout and exits 0, a usage
# error to stderr with exit 2.  The options are read from the source (the
# getopt table and option string of sshgate-lint, the case labels of the
# installers' loops), not from a list kept here, so a new option without
# a description fails.
. "${top_srcdir:-.}/tests/lib/sgt.sh"

top_srcdir=$(cd "$top_srcdir" && pwd) || sgt_bail "no top_srcdir"
top_builddir=$(cd "$top_builddir" && pwd) || sgt_bail "no top_builddir"
lint=$top_builddir/sshgate-lint
[ -x "$lint" ] || sgt_bail "no $lint"
tmp=$(mktemp -d) || sgt_bail "mktemp"
trap 'rm -rf "$tmp"' EXIT

# help_ok NAME CMD...: --help on stdout only, exit 0
help_ok() {
	local name=$1; shift
	"$@" --help >"$tmp/out" 2>"$tmp/err"
	is "$?" 0 "$name --help exits 0"
	[ -s "$tmp/out" ] && [ ! -s "$tmp/err" ]
	ok $? "$name --help writes to stdout only"
	head -n 1 "$tmp/out" | grep -q '^usage: '
	ok $? "$name --help starts with the usage"
}

# usage_bad NAME CMD...: a bad option: exit 2, the usage on stderr only
usage_bad() {
	local name=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	is "$?" 2 "$name ${*: -1}: exit 2"
	[ ! -s "$tmp/out" ] && grep -q '^usage: ' "$tmp/err"
	ok $? "$name ${*: -1}: the usage on stderr, nothing on stdout"
}

# ---- sshgate-lint: struct option opts[] and the getopt_long() string -----
src=$top_srcdir/policy/lint/lint.c
page=$top_builddir/docs/sshgate-lint.1
longs=$(sed -n '/struct option opts\[\]/,/{ NULL/p' "$src" |
    grep -oE '\{ "[a-z-]+", (no|required|optional)_argument' |
    grep -oE '"[a-z-]+"' | tr -d '"')
shorts=$(grep -oE 'getopt_long\(argc, argv, "[^"]*"' "$src" |
    sed 's/.*"\(.*\)"/\1/' | tr -d ':' | fold -w1)
[ "$(echo "$longs" | wc -w)" -ge 19 ] && [ -n "$shorts" ]
ok $? "sshgate-lint: read $(echo $longs | wc -w) long and $(echo $shorts | wc -w) short options from lint.c"
help_ok sshgate-lint "$lint"
"$lint" --help > "$tmp/help"
for o in $longs; do
	grep -qE -- "(^|[ ,|[])--$o([] =,|]|$)" "$tmp/help"
	ok $? "sshgate-lint --help describes --$o"
	grep -qE -- "Fl \\\\-$o( |$)" "$page"
	ok $? "sshgate-lint(1) has --$o"
done
for o in $shorts; do
	grep -qE -- "(^|[ [])-$o([] ,]|$)" "$tmp/help"
	ok $? "sshgate-lint --help describes -$o"
	grep -qE -- "Fl $o( |$)" "$page"
	ok $? "sshgate-lint(1) has -$o"
done
usage_bad sshgate-lint "$lint" --no-such-option

# ---- the installers: the case labels of their option loops ---------------
guide=$top_srcdir/docs/pull-backup.md
for prog in setup/vps/install setup/server/install; do
	opts=$(sed -n '/^while \[ \$# -gt 0 \]; do/,/^done/p' \
	    "$top_srcdir/$prog" | grep -oE '^	(-h\|)?--[a-z-]+\)' |
	    grep -oE -- '-[a-z-]+' | sort -u)
	[ "$(echo "$opts" | wc -w)" -ge 15 ]
	ok $? "$prog: read $(echo $opts | wc -w) options from its loop"
	help_ok "$prog" "$top_srcdir/$prog"
	"$top_srcdir/$prog" --help > "$tmp/help"
	for o in $opts; do
		grep -qE -- "(^|[ ,|])$o( |,|\||$)" "$tmp/help"
		ok $? "$prog --help describes $o"
		sed -n "/^\`$(echo "$prog" | sed 's,/,\\/,g')\`:/,/^\`setup\|^## /p" \
		    "$guide" | grep -qF -- "\`$o"
		ok $? "docs/pull-backup.md's table for $prog has $o"
	done
	usage_bad "$prog" "$top_srcdir/$prog" --no-such-option
	usage_bad "$prog" "$top_srcdir/$prog" --manifest
done

# ---- sshgate-connect: --version alone; as BORG_RSH its argv is borg's ------
connect=$top_builddir/sshgate-connect
[ -x "$connect" ] || sgt_bail "no $connect"
got=$("$connect" --version 2>&1 </dev/null)
is "$?:$got" "0:sshgate-connect $(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" \
    "sshgate-connect --version: the version, exit 0"
got=$("$connect" -u sgt-no-such-account /run/sgt-none/x.sock localhost \
    borg serve --version 2>&1 </dev/null)
is "$?:$got" "2:sshgate-connect: no account sgt-no-such-account" \
    "sshgate-connect -u LOGIN SOCKET ... --version: borg's words, not an option"

# ---- setup/deps, setup/demo ------------------------------------------------
# their words: setup/deps's purposes (its case labels), setup/demo's
# options (the labels "1:--NAME" of its argument check); in --help and in
# README.md
readme=$top_srcdir/README.md
help_ok setup/deps "$top_srcdir/setup/deps"
usage_bad setup/deps "$top_srcdir/setup/deps" --no-such-option
words=$(sed -n '/^case "${1:-build}" in/,/^esac/p' "$top_srcdir/setup/deps" |
    grep -oE '^[a-z]+\)' | tr -d ')')
[ "$(echo $words | wc -w)" -ge 4 ]
ok $? "setup/deps: read its purposes: $(echo $words)"
"$top_srcdir/setup/deps" --help > "$tmp/help"
for w in $words; do
	grep -qE "^  $w " "$tmp/help"
	ok $? "setup/deps --help describes $w"
	grep -qE "setup/deps [a-z|]*\b$w\b" "$readme"
	ok $? "README.md names setup/deps $w"
done
help_ok setup/demo "$top_srcdir/setup/demo"
usage_bad setup/demo "$top_srcdir/setup/demo" --no-such-option
words=$(grep -oE '(^|\|)1:--[a-z-]+' "$top_srcdir/setup/demo" |
    sed 's/.*1://' | grep -vx -- '--help' | sort -u)
[ -n "$words" ]
ok $? "setup/demo: read its options: $(echo $words)"
"$top_srcdir/setup/demo" --help > "$tmp/help"
for w in $words; do
	grep -qE -- "^  $w " "$tmp/help"
	ok $? "setup/demo --help describes $w"
	grep -qF -- "setup/demo $w" "$readme"
	ok $? "README.md names setup/demo $w"
done
sgt_done
