# tests/deb/lib.sh -- the Debian package of setup/deb/ in fresh Debian
# installs (bash, TAP).  Each tests/deb/pkg-dN.sh is
#
#   . "${top_srcdir:-.}/tests/deb/lib.sh"
#   deb_pull SUITE                       # bookworm or trixie
#
# The machines are tests/matrix/lib.sh's (overlays over debootstrap
# trees, private mount, network and PID namespaces): here over the trees
# setup/deb/build made and cached ($SGT_MATRIX_TREES/SUITE).  The
# packages come from tests/run.d/deb: $SGT_DEB_DEBS/SUITE/prev/*.deb
# (the previous version, N-1: the revision $SGT_DEB_PREV, HEAD by default) and
# $SGT_DEB_DEBS/SUITE/new/*.deb (this tree).  Nothing is installed from
# the source tree: both installers are the package's,
# /usr/share/sshgate/{vps,server}/install, run with their defaults.
#
# The test: install the previous version on both machines (the server's
# with an admin's own statoverride), set both sides up, a pull backup;
# upgrade both to this version: the statoverrides, the policy and the
# accounts stay, dpkg --verify is clean, the next backups run and the
# last archive restores identical; then the VPS installer's --remove and
# dpkg --purge on the VPS leave nothing of the package or the installer.
# In a third machine, /usr/share/sshgate/demo (the README's main job,
# setup/demo, as the package installs it) must end "restore identical".

. "${top_srcdir:-.}/tests/matrix/lib.sh"

# ok, returning the status it was given
deb_ok() {	# deb_ok STATUS DESCRIPTION
	ok "$1" "$2"
	return "$1"
}

# The files of a machine's root file system (its own mounts left out).
deb_files() {	# deb_files MACHINE
	mx_on "$1" find / -xdev \( -path /var/lib/dpkg -o -path /var/log \
	    -o -path /var/cache -o -path /root -o -path /srv \) -prune \
	    -o -print | LC_ALL=C sort
}

deb_install() {	# deb_install MACHINE prev|new
	local f
	f=$(cd "$SGT_DEB_DEBS/$MX_DEB_SUITE/$2" && ls sshgate_*.deb) ||
	    sgt_bail "no $2 package for $MX_DEB_SUITE in $SGT_DEB_DEBS"
	mkdir -p "$MX_DIR/$1/root/root/sgt-deb" &&
	    cp "$SGT_DEB_DEBS/$MX_DEB_SUITE/$2/$f" "$MX_DIR/$1/root/root/sgt-deb/" ||
	    sgt_bail "copy $f"
	mx_on "$1" dpkg -i "/root/sgt-deb/$f" > "$MX_DIR/dpkg-$1-$2.log" 2>&1
	deb_ok $? "dpkg -i $f on the $1" || mx_show "$MX_DIR/dpkg-$1-$2.log"
}

deb_gate_is() {	# deb_gate_is MACHINE "OWNER:GROUP MODE" "OVERRIDE" WHAT
	is "$(mx_on "$1" stat -c '%U:%G %a' /usr/sbin/sshgate) $(mx_on "$1" dpkg-statoverride --list /usr/sbin/sshgate)" \
	    "$2 $3" "$4"
}

deb_pull() {	# deb_pull SUITE
	local t0=$SECONDS s=$1 pol a snap out before after left
	[ -n "${SGT_DEB_DEBS:-}" ] ||
	    sgt_skip "SGT_DEB_DEBS is not set (tests/run.d/deb builds the packages)"
	mx_enter "$s"
	MX_DEB_SUITE=$s
	mx_machine vps "$s"
	mx_machine server "$s"
	MX_VPS=$MX_DIR/vps/root MX_SRV=$MX_DIR/server/root
	E2E_VPS=$MX_DIR/vps E2E_SRV=$MX_DIR/server
	E2E_SRV_ROOT=$MX_SRV
	E2E_SRV_RUN=(env -i PATH="$MX_PATH" LANG=C.UTF-8 chroot "$MX_SRV")
	E2E_SERVER=borg-pull E2E_HOME=/var/lib/borg-pull
	E2E_REPO=/srv/borg-pull/$E2E_NAME E2E_CONF=/etc/sshgate-pull
	E2E_PULL_YAML=$E2E_CONF/$E2E_NAME-pull.yaml
	E2E_LOCAL_YAML=$E2E_CONF/$E2E_NAME-local.yaml
	E2E_UNIT_DIR=/etc/systemd/system E2E_ROOT_BORG=/root/sgt-borg
	E2E_DATA=/srv/sgt-data
	SGT_LOGIN=borg SGT_RUNNER=sshgate-borg
	diag "Debian $s: $(mx_versions vps)"

	rm -f "$MX_VPS"/etc/ssh/ssh_host_*_key "$MX_VPS"/etc/ssh/ssh_host_*_key.pub
	mx_on vps ssh-keygen -A > "$E2E_VPS/hostkeys.log" 2>&1 ||
	    sgt_bail "ssh-keygen -A on the VPS"
	mx_syslog vps "$MX_DIR/syslog"
	before=$(deb_files vps)

	# ---- the previous version; an admin's own override on the server ----
	# (group adm: a group made here would shift the gid of the server's
	# sshgate, and borg restores the VPS's group sshgate by its name)
	mx_on server dpkg-statoverride --add root adm 0750 /usr/sbin/sshgate ||
	    sgt_bail "the server's own statoverride"
	deb_install vps prev
	deb_install server prev
	deb_gate_is vps "root:sshgate 4750" "root sshgate 4750 /usr/sbin/sshgate" \
	    "the VPS's gate: setuid root, group sshgate, by dpkg-statoverride"
	deb_gate_is server "root:adm 750" "root adm 750 /usr/sbin/sshgate" \
	    "the server's gate: the admin's own statoverride, kept by postinst"

	# ---- both sides, by the package's installers with their defaults ----
	cp "$MX_VPS/etc/ssh/ssh_host_ed25519_key.pub" "$MX_SRV/root/sgt-vps-host-key.pub" ||
	    sgt_bail "copy the VPS's host key"
	mx_on server /usr/share/sshgate/server/install --vps 127.0.0.1 \
	    --vps-host-key-file /root/sgt-vps-host-key.pub \
	    --source "$E2E_DATA" --init > "$E2E_SRV/install.log" 2>&1
	deb_ok $? "/usr/share/sshgate/server/install (defaults, --init)" ||
	    { mx_show_install "$E2E_SRV/install.log"; sgt_done; }
	E2E_PASSPHRASE=$(cat "$MX_SRV$E2E_CONF/$E2E_NAME.passphrase") ||
	    sgt_bail "no passphrase"
	cp "$MX_SRV$E2E_CONF/$E2E_NAME.key.pub" "$MX_VPS/root/sgt-server-key.pub" ||
	    sgt_bail "copy the server's key"
	mx_on vps /usr/share/sshgate/vps/install --from 127.0.0.1 \
	    --key-file /root/sgt-server-key.pub > "$E2E_VPS/install.log" 2>&1
	deb_ok $? "/usr/share/sshgate/vps/install (defaults)" ||
	    { mx_show_install "$E2E_VPS/install.log"; sgt_done; }
	grep -q ": created account borg (" "$E2E_VPS/install.log"
	ok $? "... it made the login account borg"
	is "$(mx_on vps id -gn borg)" sshgate "... borg's primary group"
	deb_gate_is vps "root:sshgate 4750" "root sshgate 4750 /usr/sbin/sshgate" \
	    "... and left the gate's statoverride as it was"
	pol=$(mx_on vps sshgate-lint --print-policy-path)
	is "$pol" /etc/sshgate/policy "the package's gate reads /etc/sshgate/policy"
	mx_on vps sshgate-lint > /dev/null
	ok $? "... which sshgate-lint passes as installed"
	pol=$(sha256sum < "$MX_VPS/etc/sshgate/policy")

	mx_start
	mx_on vps python3 -I /sgt-src/tests/e2e/treecmp make "$E2E_DATA" 1 "$SGT_LOGIN" \
	    > "$MX_DIR/make.log" 2>&1 || sgt_bail "treecmp make on the VPS"
	snap=$MX_DIR/snap.json
	mx_on vps python3 -I /sgt-src/tests/e2e/treecmp snapshot "$E2E_DATA" > "$snap" ||
	    sgt_bail "treecmp snapshot on the VPS"
	mx_borgmatic "borg-version borg-create" --config "$E2E_PULL_YAML" create
	is "$(mx_archive_count)" 1 "... one archive, with the previous version"

	# ---- the upgrade -------------------------------------------------------
	deb_install vps new
	deb_install server new
	is "$(mx_on vps dpkg-query -W -f '${Version}' sshgate)" \
	    "$(cd "$SGT_DEB_DEBS/$s/new" && ls sshgate_*.deb | cut -d_ -f2)" \
	    "the VPS has the new version"
	deb_gate_is vps "root:sshgate 4750" "root sshgate 4750 /usr/sbin/sshgate" \
	    "the upgrade kept the VPS gate's statoverride and mode"
	deb_gate_is server "root:adm 750" "root adm 750 /usr/sbin/sshgate" \
	    "... and the admin's own on the server"
	out=$(mx_on vps dpkg --verify sshgate 2>&1)
	is "$out" "" "dpkg --verify sshgate is clean on the VPS"
	is "$(sha256sum < "$MX_VPS/etc/sshgate/policy")" "$pol" \
	    "the upgrade left the installed policy as it was"
	mx_on vps /usr/share/sshgate/vps/install --from 127.0.0.1 \
	    --key-file /root/sgt-server-key.pub > "$E2E_VPS/install2.log" 2>&1
	deb_ok $? "the upgraded package's VPS installer, run again, succeeds" ||
	    mx_show_install "$E2E_VPS/install2.log"
	grep -q ": account borg exists" "$E2E_VPS/install2.log" &&
	    ! grep -q "primary group of borg" "$E2E_VPS/install2.log"
	ok $? "... and finds the account borg as it left it (its primary group unchanged)"
	mx_on server /usr/share/sshgate/server/install --vps 127.0.0.1 \
	    --vps-host-key-file /root/sgt-vps-host-key.pub \
	    --source "$E2E_DATA" > "$E2E_SRV/install2.log" 2>&1
	deb_ok $? "the upgraded package's server installer, run again, succeeds" ||
	    mx_show_install "$E2E_SRV/install2.log"
	doc=$(sed -n 's/^Documentation=file://p' \
	    "$MX_SRV/etc/systemd/system/sshgate-backup-$E2E_NAME.service")
	is "$doc" /usr/share/doc/sshgate/pull-backup.md \
	    "... its units' Documentation= is the package's guide"
	cmp -s "$MX_SRV$doc" "$top_srcdir/docs/pull-backup.md"
	ok $? "... which is there, uncompressed"
	mx_borgmatic "borg-version borg-create" --config "$E2E_PULL_YAML" create
	out=$(e2e_backup_service 2>&1)
	ok $? "the backup service's command lines succeed after the upgrade"
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	a=$(e2e_archives | tail -1)
	if [ -n "$a" ] && e2e_restore "$a" /srv/sgt-restore > "$MX_DIR/restore.log" 2>&1; then
		cp "$snap" "$MX_SRV/root/sgt-snap.json" || sgt_bail "copy the snapshot"
		out=$(mx_on server python3 -I /sgt-src/tests/e2e/treecmp compare \
		    /root/sgt-snap.json "/srv/sgt-restore$E2E_DATA" 2>&1)
		ok $? "the last archive ($a) restores identical to the VPS's tree"
		printf '%s\n' "$out" | sed 's/^/# /'
	else
		ok 1 "borg extract of the last archive '$a' on the server"
		mx_show "$MX_DIR/restore.log"
	fi

	# ---- the README's main job from the package, in a machine of its own ----
	mx_machine demo "$s"
	deb_install demo new
	mx_on demo /usr/share/sshgate/demo > "$MX_DIR/demo.out" 2>&1
	deb_ok $? "/usr/share/sshgate/demo (the README's main job, from the installed package) exits 0" ||
	    mx_show "$MX_DIR/demo.out" 40
	grep -q '^== using the installed package' "$MX_DIR/demo.out" &&
	    ! grep -q '^== building' "$MX_DIR/demo.out"
	ok $? "... with the package's programs and installers, no build"
	[ "$(tail -1 "$MX_DIR/demo.out")" = "restore identical" ]
	ok $? "... and its report ends with 'restore identical'"
	sed -n '/^== report/,$p' "$MX_DIR/demo.out" | sed 's/^/# /'

	# ---- remove and purge ------------------------------------------------
	kill "$(cat "$MX_VPS/run/sshd.pid")" 2>/dev/null
	mx_on vps /usr/share/sshgate/vps/install --remove --reload none \
	    > "$E2E_VPS/remove.log" 2>&1
	deb_ok $? "/usr/share/sshgate/vps/install --remove" || mx_show "$E2E_VPS/remove.log"
	grep -q ": removed account borg" "$E2E_VPS/remove.log"
	ok $? "... which removed the account borg (made by the first run, kept in the record by the second)"
	# sshd leaves the last forwarded socket in the socket directory, so
	# --remove keeps the directory and its record; /run is a tmpfs: after
	# a reboot (here: /run/sshgate removed) a second --remove finishes.
	rm -rf "$MX_VPS/run/sshgate"
	mx_on vps /usr/share/sshgate/vps/install --remove --reload none \
	    > "$E2E_VPS/remove2.log" 2>&1
	deb_ok $? "... and again after a reboot" || mx_show "$E2E_VPS/remove2.log"
	mx_on vps dpkg --remove sshgate > "$MX_DIR/dpkg-remove.log" 2>&1
	deb_ok $? "dpkg --remove sshgate" || mx_show "$MX_DIR/dpkg-remove.log"
	is "$(mx_on vps dpkg-statoverride --list /usr/sbin/sshgate)" \
	    "root sshgate 4750 /usr/sbin/sshgate" "... keeps the statoverride until the purge"
	mx_on vps dpkg --purge sshgate > "$MX_DIR/dpkg-purge.log" 2>&1
	deb_ok $? "dpkg --purge sshgate" || mx_show "$MX_DIR/dpkg-purge.log"
	is "$(mx_on vps dpkg-statoverride --list; mx_on vps getent group sshgate borg)" "" \
	    "... no statoverride, no group sshgate (nor borg)"
	after=$(deb_files vps)
	left=$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | grep '^[<>]')
	is "$left" "" "nothing is left of the package or the installer (outside /var/lib/dpkg, /var/log, /var/cache)"
	[ -z "$left" ] || mx_show "$E2E_VPS/remove.log"
	diag "Debian $s: $((SECONDS - t0)) s"
	sgt_done
}
