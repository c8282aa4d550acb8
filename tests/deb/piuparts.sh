#!/bin/bash
# piuparts on this tree's package for Debian 12 and 13 (tests/run.d/deb
# builds them in $SGT_DEB_DEBS/SUITE/new): install in a minimal chroot of
# the release, remove, purge, and no file left or changed that the
# package does not own.  piuparts makes its chroot with debootstrap from
# deb.debian.org (about a minute each).  Its upgrade test needs the
# previous version in an archive; tests/deb/pkg-dN.sh upgrades from the
# N-1 package instead.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
[ "$(id -u)" = 0 ] || sgt_skip "needs root"
[ -n "${SGT_DEB_DEBS:-}" ] ||
    sgt_skip "SGT_DEB_DEBS is not set (tests/run.d/deb builds the packages)"
command -v piuparts >/dev/null || sgt_skip "no piuparts (setup/deps test)"
tmp=$(mktemp -d /var/tmp/sgt-piuparts.XXXXXX) || sgt_bail "mktemp"
trap 'rm -rf --one-file-system "$tmp"' EXIT
for s in bookworm trixie; do
	deb=$(ls "$SGT_DEB_DEBS/$s/new"/sshgate_*.deb 2>/dev/null)
	[ -n "$deb" ] || sgt_bail "no package for $s in $SGT_DEB_DEBS/$s/new"
	# --warn-on-others: what the dependencies leave (bookworm's piuparts
	# on trixie: /var/cache/debconf/tmp.ci/, owned by no package) is a
	# warning; a file the package under test leaves still fails
	piuparts -d "$s" -m http://deb.debian.org/debian --tmpdir "$tmp" \
	    --warn-on-others --no-upgrade-test "$deb" > "$tmp/$s.log" 2>&1
	rc=$?
	ok $rc "piuparts: ${deb##*/} installs, removes and purges clean on Debian $s"
	if [ $rc = 0 ]; then
		grep -q 'INFO: PASS: All tests.' "$tmp/$s.log"
		ok $? "... its log says PASS"
	else
		ok 1 "... its log says PASS"
		grep -E 'ERROR|FAIL' "$tmp/$s.log" | tail -15 | sed 's/^/#   /'
	fi
done
sgt_done
