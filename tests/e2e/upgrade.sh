#!/bin/bash
# An upgrade as docs/pull-backup.md section 9 says, from the previous
# release's tree (issue 15, item 3): the tree of commit $OLD, taken from
# git history, is built, installed with make install (prefix and policy
# path of this test) and set up with both of its own installers; a
# backup runs.  Then the tree is replaced by this one ("git pull") and
# the section's steps follow, a backup after each: make install (the
# gate keeps root:LOGIN 4750, and the backup runs before any installer
# has run again), the VPS installer with the same options, the server
# installer with the same options.  Every backup succeeds, the archives
# of before are still listed, the oldest restores identical, and the
# installed programs say this tree's version.  Then --remove of both
# undoes what both versions recorded.  (The section's "make check" is
# left out: it is the suite this test is part of.)
#
# $OLD is 1b2fd70, the main branch as it was before the work on issue 15
# (jobs, migration, upgrades): what a VPS set up from the guide the day
# before runs.  Its make install reset the gate to root:root; its
# installers are the "older version of themselves" the new ones must
# re-run over.  CI's clean clone is a full git clone: the commit is there.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
OLD=1b2fd7042e347d87a2c2dde4f07ac1a1fbea4c9c

e2e_need git autoreconf make tar
git -c safe.directory='*' -C "$top_srcdir" rev-parse -q --verify "$OLD^{commit}" >/dev/null ||
    sgt_skip "commit $OLD is not in $top_srcdir's git history (a clone with full history has it)"
e2e_enter "$@"
# the test's own make, not the jobserver of the make check that runs it
unset MAKEFLAGS MFLAGS MAKELEVEL

SRC=$SGT_DIR/src	# the source tree, as a clone would be
P=$SGT_DIR/prefix	# configure --prefix
mkdir -p "$SRC" "$E2E_DATA_ROOT" && chmod 0755 "$E2E_DATA_ROOT" || sgt_bail mkdir
git -c safe.directory='*' -C "$top_srcdir" archive "$OLD" | tar -x -C "$SRC" ||
    sgt_bail "git archive $OLD"
ac_version() { sed -n 's/^AC_INIT(\[sshgate\], \[\([^]]*\)\].*/\1/p' "$1/configure.ac"; }
old_version=$(ac_version "$SRC")
new_version=$(ac_version "$top_srcdir")

show() { sed 's/^/#   /' "$1" | tail -n "${2:-30}"; }

# ---- version N-1: built, installed, set up by its own installers ----------------

(cd "$SRC" && ./autogen.sh && mkdir build && cd build &&
    ../configure -q --prefix="$P" --with-policy="$SGT_POLICY" &&
    make -s -j2 && make -s install) > "$SGT_DIR/build-old.log" 2>&1
rc=$?
ok $rc "the tree of $OLD (version $old_version): autogen, configure, make, make install"
[ $rc -eq 0 ] || { show "$SGT_DIR/build-old.log"; sgt_bail "cannot build $OLD"; }
gate=$P/sbin/sshgate

# both installers of that tree, with e2e/lib.sh's options (the same ones
# are given again after the upgrade) and the gate under $P
from_tree() { local top_srcdir=$SRC; "$@"; }
vps_install() {
	from_tree e2e_vps_install --gate "$gate" \
	    --connect "$P/libexec/sshgate/sshgate-connect" --lint "$P/bin/sshgate-lint"
}
e2e_vps_machine
chown root:root "$SGT_DIR/home/$SGT_LOGIN" && chmod 0755 "$SGT_DIR/home/$SGT_LOGIN"
from_tree e2e_server_install
ok $? "$OLD's setup/server/install"
vps_install
ok $? "$OLD's setup/vps/install"
is "$(stat -c '%U:%G %a' "$gate")" "root:$SGT_LOGIN 4750" "the installed gate is root:$SGT_LOGIN 4750"
e2e_start
e2e_make_tree "$E2E_DATA" 1 || sgt_bail "cannot make the tree"
e2e_snapshot "$E2E_DATA" > "$SGT_DIR/snap1.json"

# A backup: the backup unit's command lines, as systemd runs them
# (e2e_backup_service).  Its last line prunes (keep_hourly 24 ...): the
# archives of one test, all of one hour, would be pruned to the newest.
# So the backups between the steps run the unit's lines but that one --
# the history check as root, the pull through the VPS -- and the whole
# unit runs before the upgrade and at the end.
n=0
backup() {	# backup full|pull WHEN
	local rc line lines svc=sshgate-backup-$E2E_NAME.service
	n=$((n + 1))
	if [ "$1" = full ]; then
		e2e_backup_service > "$SGT_DIR/backup-$n.log" 2>&1
		rc=$?
	else
		rc=0
		mapfile -t lines < <(sed -n 's/^ExecStartPre=//p' "$(e2e_unit "$svc")"
		    sed -n 's/^ExecStart=//p' "$(e2e_unit "$svc")" | grep -v '^+')
		for line in "${lines[@]}"; do
			case $line in
			# shellcheck disable=SC2086
			+*)	env -i PATH=/usr/bin:/bin LANG=C.UTF-8 ${line#+} </dev/null ;;
			# shellcheck disable=SC2086
			*)	e2e_as_server $line </dev/null ;;
			esac || { rc=$?; break; }
		done > "$SGT_DIR/backup-$n.log" 2>&1
	fi
	ok $rc "backup $n ($2: $([ "$1" = full ] && echo "the backup unit" || echo "its check and pull")) succeeds"
	[ $rc -eq 0 ] || { show "$SGT_DIR/backup-$n.log"; grep -E 'deny|error' "$SGT_DIR/syslog" | tail -5 | sed 's/^/#   /'; }
}
backup full "version $old_version, $OLD"
before=$(e2e_archives)
a1=$(printf '%s\n' "$before" | head -1)

# ---- "git pull": the tree becomes this one ---------------------------------------

# Every file this tree has (tracked, and new ones not ignored), nothing
# else: what a pull leaves.  The build directory stays.  Written now, as
# git writes what it pulls: a copy with the source's older times would
# look older than the build's objects, and make would keep them.
find "$SRC" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} + || sgt_bail "rm"
git -c safe.directory='*' -C "$top_srcdir" ls-files -z --cached --others --exclude-standard |
    (cd "$top_srcdir" && "$SGT_PY" -c '
import os, shutil, sys
dst = sys.argv[1]
for p in sys.stdin.buffer.read().split(b"\0"):
    p = p.decode()
    if p and os.path.lexists(p):
        os.makedirs(os.path.join(dst, os.path.dirname(p)), exist_ok=True)
        shutil.copy(p, os.path.join(dst, p), follow_symlinks=False)
' "$SRC") || sgt_bail "cannot copy the tree"
is "$(ac_version "$SRC")" "$new_version" "the tree is this one (version $new_version)"

# ---- section 9, step by step ----------------------------------------------------------

(cd "$SRC" && ./autogen.sh && cd build &&
    eval "../configure -q $(./config.status --config)" &&
    make -s -j2 && make install) > "$SGT_DIR/build-new.log" 2>&1
rc=$?
ok $rc "autogen, configure with the options of the last configure (config.status --config), make, make install"
[ $rc -eq 0 ] || show "$SGT_DIR/build-new.log"
cmp -s "$gate" "$SRC/build/sshgate"
ok $? "the installed gate is the new one"
is "$(stat -c '%U:%G %a' "$gate")" "root:$SGT_LOGIN 4750" "... still root:$SGT_LOGIN 4750"
grep -q "is installed as root:$SGT_LOGIN mode 4750: the new one keeps them" "$SGT_DIR/build-new.log"
ok $? "... and make install says it kept them"
out=$(setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --init-groups -- "$gate" --version 2>&1)
is "$out" "sshgate $new_version (policy version 1)" "sshgate --version: $new_version, configure.ac's"
is "$("$P/bin/sshgate-lint" --version 2>&1)" "sshgate-lint $new_version (policy version 1)" "sshgate-lint --version: the same"
is "$("$P/libexec/sshgate/sshgate-connect" --version 2>&1)" "sshgate-connect $new_version" "sshgate-connect --version: the same"
backup pull "after make install, before the installers run again"

vps_install
ok $? "the new setup/vps/install over the old one, with the same options"
# (an error is "error:", the installer's and sshgate-lint's; a policy that
# changed is installed by sshgate-lint --install, whose summary says "0
# errors")
is "$(grep -E 'error:|was changed since the last run' "$E2E_VPS/install.log")" "" "... without an error or a file taken for edited"
diag "what it changed: $(grep -E ': (wrote|created|changed|made|removed|nothing changed)' "$E2E_VPS/install.log" | sed 's/^[^:]*: //' | paste -sd';')"
is "$(stat -c '%U:%G %a' "$gate")" "root:$SGT_LOGIN 4750" "... the gate still root:$SGT_LOGIN 4750"
e2e_sshd_reload
backup pull "after the VPS installer"

from_tree e2e_server_install
ok $? "the new setup/server/install over the old one, with the same options"
is "$(grep -E 'error|was changed since the last run' "$E2E_SRV/install.log")" "" "... without an error or a file taken for edited"
diag "what it changed: $(grep -E ': (wrote|created|changed|made|removed|generated)' "$E2E_SRV/install.log" | sed 's/^[^:]*: //' | paste -sd';')"
grep -q -- "setup/vps/install --login $SGT_LOGIN --from 127\.0\.0\.1 " "$E2E_SRV/install.log"
ok $? "... and prints the VPS command with --from 127.0.0.1, the address the VPS (on loopback) sees"
e2e_serve_stop
e2e_serve_start
backup pull "after the server installer"

# ---- the archives of before ---------------------------------------------------------------

after=$(e2e_archives)
is "$(printf '%s\n' "$after" | grep -c "^$E2E_NAME-")" 4 "4 archives, one of each backup"
missing=$(printf '%s\n' "$before" | grep -vxF -f <(printf '%s\n' "$after"))
is "$missing" "" "the archive of version $old_version is still listed"
if e2e_restore "$a1" "$E2E_DATA_ROOT/restore1" > "$SGT_DIR/restore.log" 2>&1; then
	out=$(e2e_compare "$SGT_DIR/snap1.json" "$E2E_DATA_ROOT/restore1$E2E_DATA")
	ok $? "the archive version $old_version made restores identical"
	diag "$out"
else
	ok 1 "the archive version $old_version made restores"
	show "$SGT_DIR/restore.log"
fi

# the whole unit: the new history check over the state the old one
# recorded, the pull, then prune, compact, check (what prune keeps is
# borg's to say: keep_hourly 24 keeps the newest of the hour, and borg
# 1.2 also the oldest while the 24 are not reached)
backup full "the whole unit, after the upgrade"
all=$( (printf '%s\n' "$after"; e2e_archives) | sort)
kept=$(e2e_archives)
is "$(printf '%s\n' "$kept" | tail -1)" "$(printf '%s\n' "$all" | tail -1)" "... its archive is the newest, and listed"
[ "$(printf '%s\n' "$kept" | wc -l)" -lt 5 ] &&
    [ -z "$(printf '%s\n' "$kept" | grep -vxF -f <(printf '%s\n' "$all"))" ]
ok $? "... and prune ran: $(printf '%s\n' "$kept" | wc -l) of the 5 archives kept"

# ---- and --remove still undoes what both versions did ---------------------------------

e2e_serve_stop
"$SRC/setup/vps/install" --remove --login "$SGT_LOGIN" --manifest "$E2E_VPS/manifest" \
    --reload none > "$SGT_DIR/remove-vps.log" 2>&1
ok $? "setup/vps/install --remove after the upgrade"
[ ! -e "$SGT_POLICY" ] && [ ! -e "$E2E_VPS/sshd_config.d/sshgate-$SGT_LOGIN.conf" ] &&
    [ ! -e "$E2E_VPS/keys/$SGT_LOGIN" ]
ok $? "... removes the policy, the drop-in and the keys"
# what stays: the socket directory, with the socket sshd left behind
# (sshd does not remove it; the next session replaces it)
is "$(grep -v '^#' "$E2E_VPS/manifest" 2>/dev/null | cut -f1,2 | paste -sd' ')" \
    "dir	$E2E_VPS/run dir	$E2E_VPS/run/$SGT_LOGIN" "... and keeps only the record of the socket directory, not empty"
is "$(stat -c '%U:%G %a' "$gate")" "root:root 4750" "... and gives the gate back the mode make install gave it first"
"$SRC/setup/server/install" --remove --name "$E2E_NAME" --manifest "$E2E_SRV/manifest" \
    --systemctl no > "$SGT_DIR/remove-srv.log" 2>&1
ok $? "setup/server/install --remove after the upgrade"
[ ! -e "$(e2e_unit "sshgate-backup-$E2E_NAME.service")" ] && [ -f "$E2E_REPO/config" ] &&
    [ -f "$E2E_CONF/$E2E_NAME.passphrase" ]
ok $? "... removes the units, keeps the repository and its passphrase"

sgt_done
