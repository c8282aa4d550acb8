#!/bin/bash
# The README's main job, "sudo setup/demo", on a fresh Debian 13: in a
# machine made from the Debian 13 tree (which tests/run.d/matrix makes
# with what setup/deps demo would install, as there is no network here),
# the demo finds nothing to install, builds with Debian 13's compiler and
# libraries, sets up both sides with its borgmatic 1.9, borg 1.4 and
# OpenSSH 10, and must end with "restore identical".
. "${top_srcdir:-.}/tests/matrix/lib.sh"
mx_enter trixie
mx_machine m trixie
for p in gcc make autoconf automake pkg-config; do
	[ -x "$MX_DIR/m/root/usr/bin/$p" ] ||
	    sgt_skip "the Debian 13 tree has no $p (tests/run.d/matrix makes it with the build packages)"
done
mx_on m /sgt-src/setup/demo > "$MX_DIR/demo.out" 2>&1
rc=$?
is "$rc" 0 "setup/demo on Debian $(mx_on m cat /etc/debian_version) exits 0"
[ $rc -eq 0 ] || mx_show "$MX_DIR/demo.out" 60
grep -q '^   built in ' "$MX_DIR/demo.out" && ! grep -q '^deps: installing' "$MX_DIR/demo.out"
ok $? "... built there, with nothing to install"
grep -Eq 'borgmatic 1\.9\.[0-9]+, borg 1\.4\.[0-9]+: the configs from (.*/)?borgmatic-1\.9/' "$MX_DIR/demo.out"
ok $? "... with Debian 13's borgmatic 1.9 and borg 1.4, and the configs for them"
grep 'the configs from' "$MX_DIR/demo.out" | sed 's/^ */# /'
[ "$(tail -1 "$MX_DIR/demo.out")" = "restore identical" ]
ok $? "... and its report ends with 'restore identical'"
sed -n '/^== report/,$p' "$MX_DIR/demo.out" | sed 's/^/# /'
sgt_done
