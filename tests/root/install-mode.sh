#!/bin/bash
# make install over an installed gate (issue 15, upgrades): the gate keeps
# the group and mode setup/vps/install gave it (before, the install hook
# reset it to root:root 4750 and every backup failed until the installer
# ran again); a configured --with-gate-group that differs is refused
# before anything changes; the guide is installed where the backup
# server's units' Documentation= points.  make install of this build
# with DESTDIR under the test's own directory; "gategroup=G" on make's
# command line stands for "configure --with-gate-group=G" (what configure
# writes into the Makefile), "gategroup=" for configure without it.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"
# the test's own make, not the jobserver of the make check that runs it
unset MAKEFLAGS MFLAGS MAKELEVEL

D=$SGT_DIR/dest
inst() {	# inst GATEGROUP: make install DESTDIR=$D gategroup=GATEGROUP
	make -C "$top_builddir" -s install DESTDIR="$D" gategroup="$1" \
	    > "$SGT_DIR/make.log" 2>&1
}
mode_of() { stat -c '%U:%G %a' "$1"; }

# ---- a first install: root:root 4750, as before --------------------------------

inst ""
ok $? "make install into an empty DESTDIR succeeds"
G=$(find "$D" -path '*/sbin/sshgate' -type f)
[ -n "$G" ] && [ -f "$G" ]
ok $? "the gate is installed (${G#$D})"
is "$(mode_of "$G")" "root:root 4750" "... root:root mode 4750 (no gate was there)"
cmp -s "$G" "$top_builddir/sshgate"
ok $? "... and it is this build's gate"
ls -a "$(dirname "$G")" | grep -q '^\.sshgate\.new$'
ok $((! $?)) "no temporary file left next to it"

# ---- over a gate of the login account's group: group and mode kept ------------

# an "older" gate: another file, as setup/vps/install leaves it
install -o root -g "$SGT_LOGIN" -m 4750 /bin/true "$G"
inst ""
ok $? "make install over root:$SGT_LOGIN 4750 succeeds"
is "$(mode_of "$G")" "root:$SGT_LOGIN 4750" "... and the gate is still root:$SGT_LOGIN 4750"
cmp -s "$G" "$top_builddir/sshgate"
ok $? "... with the new gate's content"
grep -q "is installed as root:$SGT_LOGIN mode 4750: the new one keeps them" "$SGT_DIR/make.log"
ok $? "make install says it kept them"
out=$(setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --init-groups -- "$G" --version 2>&1)
is "$?" 0 "the login account runs the new gate (--version)"
version=$(sed -n 's/^AC_INIT(\[sshgate\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
is "$out" "sshgate $version (policy version 1)" "... which is this build's version, $version"
setpriv --reuid="$SGT_RUNNER" --regid="$SGT_RUNNER" --init-groups -- "$G" --version >/dev/null 2>&1
ok $((! $?)) "another account cannot run it (mode 4750, group $SGT_LOGIN)"

# a mode of its own, setuid and nothing for others, is kept too
chmod 4710 "$G"
inst ""
is "$?:$(mode_of "$G")" "0:root:$SGT_LOGIN 4710" "make install over root:$SGT_LOGIN 4710 keeps 4710"
chmod 4750 "$G"

# the same group configured: the same
inst "$SGT_LOGIN"
is "$?:$(mode_of "$G")" "0:root:$SGT_LOGIN 4750" "configured with the installed gate's group: installed, root:$SGT_LOGIN 4750"

# ---- a configured group that differs: refused, nothing changed ------------------

install -o root -g "$SGT_LOGIN" -m 4750 /bin/true "$G"
ino=$(stat -c %i "$G")
inst "$SGT_RUNNER"
ok $((! $?)) "configured with another group ($SGT_RUNNER): make install fails"
is "$(mode_of "$G") $(stat -c %i "$G")" "root:$SGT_LOGIN 4750 $ino" "... the installed gate is the same file, root:$SGT_LOGIN 4750"
cmp -s "$G" /bin/true
ok $? "... with its old content"
msg="gate-mode: $G is installed as root:$SGT_LOGIN mode 4750, but configure was given --with-gate-group=$SGT_RUNNER: installing would lock the members of $SGT_LOGIN (the login account) out.  The installed gate was left as it is.  Configure with --with-gate-group=$SGT_LOGIN, or without --with-gate-group (the installed gate's group is kept); to hand the gate to $SGT_RUNNER on purpose, first: chgrp $SGT_RUNNER $G"
grep -qxF -- "$msg" "$SGT_DIR/make.log"
rc=$?
ok $rc "... and says why and what to do"
[ $rc -eq 0 ] || sed 's/^/# /' "$SGT_DIR/make.log"
# the fix it names works
chgrp "$SGT_RUNNER" "$G" && chmod 4750 "$G" && inst "$SGT_RUNNER"
is "$?:$(mode_of "$G")" "0:root:$SGT_RUNNER 4750" "after the chgrp it names, make install gives root:$SGT_RUNNER 4750"

# ---- a gate that is not setuid root is not a login account's: configured group --

install -o root -g "$SGT_LOGIN" -m 0755 /bin/true "$G"
inst ""
is "$?:$(mode_of "$G")" "0:root:root 4750" "over a gate that is not setuid (root:$SGT_LOGIN 0755): root:root 4750"
install -o "$SGT_LOGIN" -g "$SGT_LOGIN" -m 4750 /bin/true "$G"
inst "$SGT_LOGIN"
is "$?:$(mode_of "$G")" "0:root:$SGT_LOGIN 4750" "over one owned by another account: the configured group"

# ---- the guide where the units say it is -------------------------------------------

# The units' Documentation=file:@doc@, with setup/server/install's @doc@;
# make install puts the guide under the build's prefix.
doc=$(sed -n 's/^prefix=//p' "$top_srcdir/setup/server/install")$(sed -n \
    's/^doc=${prefix%\/}//p' "$top_srcdir/setup/server/install")
n=$(grep -l '^Documentation=file:@doc@$' "$top_srcdir"/setup/server/*.in | wc -l)
units=$(ls "$top_srcdir"/setup/server/*.in | wc -l)
is "$n" "$units" "every unit template's Documentation= is file:@doc@ ($n of $units)"
prefix=${G%/sbin/sshgate}
prefix=${prefix#$D}
is "$prefix/share/doc/sshgate/pull-backup.md" "$doc" "the installer's @doc@ is PREFIX/share/doc/sshgate/pull-backup.md (this build's prefix: $prefix)"
cmp -s "$D$doc" "$top_srcdir/docs/pull-backup.md"
ok $? "make install put docs/pull-backup.md at $doc"

# ---- uninstall -----------------------------------------------------------------------

make -C "$top_builddir" -s uninstall DESTDIR="$D" > "$SGT_DIR/make.log" 2>&1
ok $? "make uninstall succeeds"
[ ! -e "$G" ] && [ ! -e "$D$doc" ]
ok $? "... and removes the gate and the guide"

sgt_done
