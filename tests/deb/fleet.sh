#!/bin/bash
# tests/deb/fleet.sh -- setup/ansible/ deploys a fleet: 3 VPS hosts (one
# of them Debian 13) and 2 backup servers, from a controller (this
# host's ansible-playbook), with the package tests/run.d/deb built
# ($SGT_DEB_DEBS/SUITE/new/*.deb).
#
# Each host is a machine of tests/matrix/lib.sh (an overlay over the
# debootstrap tree of its release, cached by the deb stage) with a
# network namespace of its own: a veth pair to a bridge in the test's
# private network namespace, an address in 10.87.0.0/24 that exists
# only there, and its own sshd on that address.  The controller reaches
# each host by ssh as root, with a key and known_hosts of its own.
# Two controllers take turns: this host's ansible-playbook (Debian 12,
# ansible-core 2.14) and Debian 13's (2.19), in a machine over the trixie
# tree with the layer tests/deb/controller made ($SGT_MATRIX_TREES/
# trixie-ansible; without it, diag says so and Debian 12's runs them all).
#
# The jobs: vps1 -> backup1, vps1-off (vps1) -> backup2, vps2 -> backup1,
# vps3 (Debian 13) -> backup2.  The steps: --check --diff on the fresh
# fleet changes nothing (12); the playbook deploys every job (12); every
# job's backup service runs and its archive restores identical to its
# VPS's tree; a second run reports 0 changed (13); vps2 leaves
# the inventory and vps1-off gets state: absent: --check --diff shows
# both and changes nothing (13), the next run removes them on both sides
# (13; the repositories and passphrases stay), the one after changes
# nothing (12), and the other jobs still back up; vps3 is lost (its
# sshd stopped) and taken out of the inventory: the run succeeds, its
# server side goes, the controller keeps its record for the admin to
# delete (12); vps4, a fresh Debian 13 machine, joins: the run installs
# the package and its job, and its backup restores identical (13).
# systemd is not PID 1: the server's units are played by
# tests/e2e/lib.sh's helpers in the server's machine.
. "${top_srcdir:-.}/tests/matrix/lib.sh"

FL_NET=10.87.0
# NAME:SUITE:HOST-NUMBER
FL_HOSTS="vps1:bookworm:11 vps2:bookworm:12 vps3:trixie:13 backup1:bookworm:21 backup2:trixie:22"
# JOB:VPS:SERVER
FL_JOBS="vps1:vps1:backup1 vps1-off:vps1:backup2 vps2:vps2:backup1 vps3:vps3:backup2"
declare -A FL_NS=() FL_ADDR=()

# ok, returning the status it was given
fl_ok() {	# fl_ok STATUS DESCRIPTION
	ok "$1" "$2"
	return "$1"
}

# Run a program as root inside a machine, in its network namespace.
fl_on() {	# fl_on MACHINE PROGRAM [ARG...]
	local m=$1
	shift
	nsenter --net="${FL_NS[$m]}" env -i PATH="$MX_PATH" HOME=/root \
	    LANG=C.UTF-8 TERM=dumb chroot "$MX_DIR/$m/root" "$@"
}

# A machine with its own network namespace, address and sshd.
fl_machine() {	# fl_machine NAME SUITE HOST-NUMBER
	local n=$1 r=$MX_DIR/$1/root pid i
	mx_machine "$n" "$2"
	# the namespace is held by a process of the test's PID namespace:
	# it ends with the test
	unshare -n -- sleep infinity &
	pid=$!
	for i in $(seq 100); do
		[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.05
	done
	FL_NS[$n]=/proc/$pid/ns/net
	FL_ADDR[$n]=$FL_NET.$3
	ip link add "sgt-$n" type veth peer name eth0 netns "$pid" &&
	    ip link set "sgt-$n" master sgt-br up &&
	    nsenter --net="${FL_NS[$n]}" sh -c "ip link set lo up &&
		ip addr add ${FL_ADDR[$n]}/24 dev eth0 && ip link set eth0 up" ||
	    sgt_bail "the network of $n"
	rm -f "$r"/etc/ssh/ssh_host_*_key "$r"/etc/ssh/ssh_host_*_key.pub
	mx_on "$n" ssh-keygen -A > "$MX_DIR/$n/hostkeys.log" 2>&1 ||
	    sgt_bail "ssh-keygen -A on $n"
	mkdir -p -m 0700 "$r/root/.ssh" &&
	    cp "$FL_CTL/id.pub" "$r/root/.ssh/authorized_keys" || sgt_bail "root's key on $n"
	printf '%s %s\n' "${FL_ADDR[$n]}" "$(cut -d' ' -f1-2 "$r/etc/ssh/ssh_host_ed25519_key.pub")" \
	    >> "$FL_CTL/known_hosts"
	fl_on "$n" /usr/sbin/sshd -o "ListenAddress=${FL_ADDR[$n]}" \
	    -E /var/log/sgt-sshd.log > "$MX_DIR/$n/sshd.out" 2>&1 ||
	    { mx_show "$MX_DIR/$n/sshd.out"; sgt_bail "sshd on $n"; }
	for i in $(seq 100); do
		[ -s "$r/run/sshd.pid" ] && break
		sleep 0.05
	done
	[ -s "$r/run/sshd.pid" ] || sgt_bail "sshd on $n wrote no pid file"
}

# The inventory, without the VPS hosts given; the jobs in $FL_ABSENT
# with state: absent.
fl_inventory() {	# fl_inventory [VPS-LEFT-OUT...]
	local h n s a j vps srv out=" $* "
	cat <<EOF
all:
  vars:
    ansible_user: root
    ansible_python_interpreter: /usr/bin/python3
    sshgate_deb_dir: $FL_CTL/debs
    sshgate_fleet_dir: $FL_CTL/fleet
  children:
    sshgate_vps:
      hosts:
EOF
	for h in $FL_HOSTS; do
		IFS=: read -r n s a <<<"$h"
		case $n in vps*) ;; *) continue ;; esac
		case $out in *" $n "*) continue ;; esac
		printf '        %s:\n          ansible_host: %s\n          sshgate_jobs:\n' \
		    "$n" "$FL_NET.$a"
		for j in $FL_JOBS; do
			IFS=: read -r j vps srv <<<"$j"
			[ "$vps" = "$n" ] || continue
			case " ${FL_ABSENT:-} " in
			*" $j "*) printf '            - {name: %s, server: %s, state: absent}\n' "$j" "$srv" ;;
			*) printf '            - {name: %s, server: %s, sources: [/srv/sgt-data]}\n' "$j" "$srv" ;;
			esac
		done
	done
	cat <<EOF
    sshgate_servers:
      vars:
        sshgate_server_systemctl: no     # a YAML boolean, taken as --systemctl no
      hosts:
EOF
	for h in $FL_HOSTS; do
		IFS=: read -r n s a <<<"$h"
		case $n in backup*) printf '        %s: {ansible_host: %s}\n' "$n" "$FL_NET.$a" ;; esac
	done
}

# Run the playbook from controller 12 (this host) or 13 (the machine
# ctl13, when there is one); its output in $MX_DIR/play-TAG.log.
fl_play() {	# fl_play 12|13 TAG [ANSIBLE-PLAYBOOK-ARGS...]
	local c=$1 tag=$2 rc run=() site=$top_srcdir/setup/ansible/site.yml
	shift 2
	if [ "$c" = 13 ] && [ -n "$FL_CTL13" ]; then
		run=(chroot "$FL_CTL13") site=/sgt-src/setup/ansible/site.yml
	else
		c=12
	fi
	echo "controller $c" > "$MX_DIR/play-$tag.log"
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$FL_CTL/home$c" LANG=C.UTF-8 \
	    ANSIBLE_CONFIG="$FL_CTL/ansible.cfg" ANSIBLE_NOCOLOR=1 \
	    ANSIBLE_SSH_CONTROL_PATH_DIR="$FL_CTL/cp$c${FL_CP:-}" ANSIBLE_LOCAL_TEMP="$FL_CTL/tmp$c" \
	    "${run[@]}" ansible-playbook "$site" "$@" >> "$MX_DIR/play-$tag.log" 2>&1
	rc=$?
	# kept beside the test's log
	cp "$MX_DIR/play-$tag.log" "$top_builddir/tests/deb/fleet-play-$tag.log" 2>/dev/null
	return $rc
}

# Debian 13's controller: a machine over the trixie tree and the layer
# with its ansible-core, which sees the controller's directory where
# this host does.
fl_controller13() {
	local layer=$SGT_MATRIX_TREES/trixie-ansible
	FL_CTL13=
	if [ ! -x "$layer/usr/bin/ansible-playbook" ]; then
		diag "no Debian 13 controller ($layer: tests/deb/controller trixie makes it): Debian 12's runs every step"
		return 0
	fi
	# two lower layers: ansible-core's over the tree
	mx_machine ctl13 "trixie-ansible:$SGT_MATRIX_TREES/trixie"
	FL_CTL13=$MX_DIR/ctl13/root
	mkdir -p "$FL_CTL13$FL_CTL" && mount --bind "$FL_CTL" "$FL_CTL13$FL_CTL" ||
	    sgt_bail "$FL_CTL in the Debian 13 controller"
	diag "controller 13: $(chroot "$FL_CTL13" ansible-playbook --version 2>&1 | sed -n 1p)"
}

# The controller (12 or 13) that ran the play TAG.
fl_ctl_of() {	# fl_ctl_of TAG
	sed -n 's/^controller //p;q' "$MX_DIR/play-$1.log"
}

# SERVER's key lines for JOB in VPS's sshd key files.
fl_key_lines() {	# fl_key_lines JOB VPS SERVER
	grep -rhF "$(cut -d' ' -f2 "$MX_DIR/$3/root/etc/sshgate-pull/$1.key.pub" 2>/dev/null)" \
	    "$MX_DIR/$2/root/etc/ssh/sshgate-keys/" 2>/dev/null
}

# The PLAY RECAP's COUNTER (ok, changed, failed ...) of each host, "HOST=N ...".
fl_recap() {	# fl_recap TAG COUNTER
	sed -n '/^PLAY RECAP/,$p' "$MX_DIR/play-$1.log" |
	    sed -n "s/^\([a-z0-9]*\) *:.* $2=\([0-9]*\) .*/\1=\2/p" | sort | paste -sd' '
}

fl_show_play() {	# fl_show_play TAG: the failed tasks, then the recap
	diag "the whole output: $top_builddir/tests/deb/fleet-play-$1.log"
	grep -E '^(fatal|failed):|UNREACHABLE' "$MX_DIR/play-$1.log" | head -8 |
	    sed 's/^\([^{]*\){.*"msg": "\([^"]*\)".*"stderr": "\([^"]*\)".*/\1 \2: \3/' |
	    cut -c 1-400 | sed 's/^/#   /'
	sed -n '/^PLAY RECAP/,$p' "$MX_DIR/play-$1.log" | sed 's/^/#   /'
}

# tests/e2e/lib.sh's names for JOB on its server's machine.
fl_job_use() {	# fl_job_use JOB SERVER
	E2E_NAME=$1 E2E_SRV=$MX_DIR/$2 E2E_SRV_ROOT=$MX_DIR/$2/root
	E2E_SRV_RUN=(nsenter "--net=${FL_NS[$2]}" env -i PATH="$MX_PATH" LANG=C.UTF-8
	    chroot "$E2E_SRV_ROOT")
	E2E_SERVER=borg-pull E2E_HOME=/var/lib/borg-pull
	E2E_REPO=/srv/borg-pull/$1 E2E_CONF=/etc/sshgate-pull
	E2E_UNIT_DIR=/etc/systemd/system E2E_ROOT_BORG=/root/sgt-borg
	E2E_PULL_YAML=$E2E_CONF/$1-pull.yaml E2E_LOCAL_YAML=$E2E_CONF/$1-local.yaml
}

# JOB's backup service, as its units run it; then, with "restore", its
# last archive restored on the server and compared with the VPS's tree.
fl_backup() {	# fl_backup JOB VPS SERVER [restore]
	local out a rc
	fl_job_use "$1" "$3"
	e2e_serve_start
	out=$(e2e_backup_service 2>&1)
	ok $? "$1: the backup service on $3 pulls from $2 ($(fl_on "$2" cat /etc/debian_version))"
	[ -n "$out" ] && printf '%s\n' "$out" | tail -8 | sed 's/^/#   /'
	if [ "${4:-}" = restore ]; then
		a=$(e2e_archives | tail -1)
		if [ -n "$a" ] && e2e_restore "$a" "/srv/sgt-restore-$1" > "$MX_DIR/restore-$1.log" 2>&1; then
			cp "$MX_DIR/snap-$2.json" "$E2E_SRV_ROOT/root/sgt-snap-$2.json" ||
			    sgt_bail "copy the snapshot"
			out=$(mx_on "$3" python3 -I /sgt-src/tests/e2e/treecmp compare \
			    "/root/sgt-snap-$2.json" "/srv/sgt-restore-$1/srv/sgt-data" 2>&1)
			rc=$?
			ok $rc "... its archive $a restores identical to $2's tree"
			[ $rc = 0 ] || printf '%s\n' "$out" | head -10 | sed 's/^/#   /'
		else
			ok 1 "... borg extract of its last archive '$a' on $3"
			mx_show "$MX_DIR/restore-$1.log"
		fi
	fi
	e2e_serve_stop
}

# A run that must change nothing.
fl_again() {	# fl_again 12|13 TAG
	local out h n
	fl_play "$1" "$2"
	fl_ok $? "the playbook, run again (controller $(fl_ctl_of "$2")), succeeds" ||
	    fl_show_play "$2"
	out=$(fl_recap "$2" changed)
	is "$out" "$(fl_recap "$2" ok | sed 's/=[0-9]*/=0/g')" "... and reports 0 changed on every host"
	case $out in *=[1-9]*)
		grep -B 3 '^changed:' "$MX_DIR/play-$2.log" | grep '^TASK\|^changed' | sed 's/^/#   /'
		for h in $FL_HOSTS; do
			n=${h%%:*}
			diff -r "$MX_DIR/manifests/$n" "$MX_DIR/$n/root/var/lib/sshgate-setup" |
			    sed "s/^/#   $n: /"
		done ;;
	esac
}

# Is JOB installed on its VPS (vps/install --list-jobs)?
fl_vps_jobs() {	# fl_vps_jobs VPS: its jobs, one line
	fl_on "$1" /usr/share/sshgate/vps/install --list-jobs 2>&1 | sort | paste -sd' '
}

fl_test() {
	local t0=$SECONDS h n s a b j vps srv out rc
	[ -n "${SGT_DEB_DEBS:-}" ] ||
	    sgt_skip "SGT_DEB_DEBS is not set (tests/run.d/deb builds the packages)"
	for s in bookworm trixie; do
		ls "$SGT_DEB_DEBS/$s/new/"sshgate_*.deb > /dev/null 2>&1 ||
		    sgt_skip "no package for $s in $SGT_DEB_DEBS/$s/new"
	done
	command -v ansible-playbook > /dev/null ||
	    sgt_skip "needs ansible-playbook (setup/deps test installs ansible-core)"
	e2e_need nsenter ssh-keygen
	mx_enter bookworm trixie
	diag "controller 12: $(ansible-playbook --version 2>&1 | sed -n 1p)"

	# ---- the controller, the network, the machines -----------------------------
	FL_CTL=$MX_DIR/ctl
	for s in home12 home13 cp12 cp13 tmp12 tmp13 debs/bookworm debs/trixie; do
		mkdir -p -m 0700 "$FL_CTL/$s" || sgt_bail "mkdir $FL_CTL/$s"
	done
	for s in bookworm trixie; do
		cp "$SGT_DEB_DEBS/$s/new/"sshgate_*.deb "$FL_CTL/debs/$s/" || sgt_bail "the .debs"
	done
	ssh-keygen -q -t ed25519 -N '' -C sgt-controller -f "$FL_CTL/id" ||
	    sgt_bail "the controller's key"
	cat > "$FL_CTL/ansible.cfg" <<EOF
[defaults]
inventory = $FL_CTL/inventory.yml
forks = 5
retry_files_enabled = False
private_key_file = $FL_CTL/id
[ssh_connection]
ssh_args = -F /dev/null -o IdentitiesOnly=yes -o UserKnownHostsFile=$FL_CTL/known_hosts -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o ControlMaster=auto -o ControlPersist=120s
pipelining = True
EOF
	ip link add sgt-br type bridge && ip addr add "$FL_NET.1/24" dev sgt-br &&
	    ip link set sgt-br up || sgt_bail "the bridge"
	for h in $FL_HOSTS; do
		IFS=: read -r n s a <<<"$h"
		fl_machine "$n" "$s" "$a"
	done
	for n in vps1 vps2 vps3; do mx_syslog "$n" "$MX_DIR/syslog-$n"; done
	fl_controller13
	diag "5 machines up in $((SECONDS - t0)) s"

	# ---- a job name twice: refused before any host is reached ----------------------
	fl_inventory | sed 's/{name: vps2,/{name: vps1,/' > "$FL_CTL/inventory.yml"
	fl_play 12 dup
	rc=$?
	grep -q "the jobs' names must be unique in the fleet" "$MX_DIR/play-dup.log" &&
	    [ $rc != 0 ] && ! grep -q '^PLAY \[VPS hosts' "$MX_DIR/play-dup.log"
	ok $? "an inventory with a job name twice is refused before any host is reached (exit $rc)"
	fl_inventory > "$FL_CTL/inventory.yml"

	# ---- --check --diff on the fresh fleet changes nothing -------------------------
	fl_play 12 check0 --check --diff
	rc=$?
	fl_ok $rc "--check --diff on the fresh fleet succeeds" || fl_show_play check0
	out=$(for h in $FL_HOSTS; do
		n=${h%%:*}
		fl_on "$n" dpkg-query -W sshgate > /dev/null 2>&1 && echo "$n: sshgate installed"
		[ -e "$MX_DIR/$n/root/var/lib/sshgate-ansible" ] && echo "$n: /var/lib/sshgate-ansible"
		[ -e "$MX_DIR/$n/root/var/cache/sshgate-ansible" ] && echo "$n: /var/cache/sshgate-ansible"
	done; [ -e "$FL_CTL/fleet" ] && echo "controller: $FL_CTL/fleet")
	is "$out" "" "... and changes nothing on the hosts or the controller"
	is "$(fl_recap check0 changed | tr ' ' '\n' | grep -v '^localhost=' | grep -c '=0$')" 0 "... while it reports changes on every host: $(fl_recap check0 changed)"

	# ---- the deployment ---------------------------------------------------------------
	# (the role runs vps/install --job, --list-jobs and --remove --job)
	for s in bookworm trixie; do
		dpkg-deb --fsys-tarfile "$FL_CTL/debs/$s/"sshgate_*.deb |
		    tar -xO ./usr/share/sshgate/vps/install | grep -q -e '--list-jobs)'
		fl_ok $? "the $s package's VPS installer has --job and --list-jobs" ||
		    sgt_done
	done
	fl_play 12 run1
	fl_ok $? "the playbook deploys the fleet ($((SECONDS - t0)) s so far)" ||
	    { fl_show_play run1; sgt_done; }
	is "$(fl_recap run1 failed) / $(fl_recap run1 unreachable)" \
	    "backup1=0 backup2=0 localhost=0 vps1=0 vps2=0 vps3=0 / backup1=0 backup2=0 localhost=0 vps1=0 vps2=0 vps3=0" \
	    "... no host failed or unreachable"
	is "$(fl_vps_jobs vps1) / $(fl_vps_jobs vps2) / $(fl_vps_jobs vps3)" "vps1 vps1-off / vps2 / vps3" \
	    "each VPS has its jobs (vps/install --list-jobs)"
	for j in $FL_JOBS; do
		IFS=: read -r j vps srv <<<"$j"
		# the job's key on the VPS: the server's, from its address, the gate's command
		fl_key_lines "$j" "$vps" "$srv" > "$MX_DIR/key-$j"
		grep -q "from=\"${FL_ADDR[$srv]}\"" "$MX_DIR/key-$j" &&
		    grep -q 'command="/usr/sbin/sshgate' "$MX_DIR/key-$j"
		ok $? "$j: $srv's key is on $vps with from=\"${FL_ADDR[$srv]}\" and command=\"/usr/sbin/sshgate ...\""
		[ -s "$FL_CTL/fleet/$j/repokey" ] && [ -s "$FL_CTL/fleet/$j/passphrase" ] &&
		    cmp -s "$FL_CTL/fleet/$j/passphrase" "$MX_DIR/$srv/root/etc/sshgate-pull/$j.passphrase" &&
		    cmp -s "$FL_CTL/fleet/$j/$j.key.pub" "$MX_DIR/$srv/root/etc/sshgate-pull/$j.key.pub" &&
		    grep -q '^BORG_KEY ' "$FL_CTL/fleet/$j/repokey"
		ok $? "... the controller has its repository's key, passphrase and ssh public key"
	done
	grep -q 'sshgate-lint --audit' "$MX_DIR/play-run1.log" &&
	    [ "$(grep '^TASK \[' "$MX_DIR/play-run1.log" | tail -1)" = \
	      "$(grep '^TASK \[.*audit' "$MX_DIR/play-run1.log" | tail -1)" ]
	ok $? "sshgate-lint --audit is the last task on the VPS hosts"

	# ---- every job's backup, restored identical ---------------------------------------
	for n in vps1 vps2 vps3; do
		mx_on "$n" python3 -I /sgt-src/tests/e2e/treecmp make /srv/sgt-data 1 borg \
		    > "$MX_DIR/make-$n.log" 2>&1 ||
		    { mx_show "$MX_DIR/make-$n.log"; sgt_bail "treecmp make on $n"; }
		mx_on "$n" python3 -I /sgt-src/tests/e2e/treecmp snapshot /srv/sgt-data \
		    > "$MX_DIR/snap-$n.json" || sgt_bail "treecmp snapshot on $n"
	done
	for j in $FL_JOBS; do
		IFS=: read -r j vps srv <<<"$j"
		fl_backup "$j" "$vps" "$srv" restore
	done

	# ---- a second run changes nothing ------------------------------------------------
	for h in $FL_HOSTS; do
		n=${h%%:*}
		mkdir -p "$MX_DIR/manifests/$n" &&
		    cp -r "$MX_DIR/$n/root/var/lib/sshgate-setup/." "$MX_DIR/manifests/$n/" ||
		    sgt_bail "copy the manifests of $n"
	done
	fl_again 13 run2

	# ---- vps2 leaves the inventory, vps1-off is marked state: absent ---------------
	FL_ABSENT=vps1-off
	fl_inventory vps2 > "$FL_CTL/inventory.yml"
	fl_play 13 check1 --check --diff
	fl_ok $? "vps2 left the inventory, vps1-off is absent: --check --diff succeeds" ||
	    fl_show_play check1
	for j in vps2:backup1:vps2 vps1-off:backup2:vps1; do
		IFS=: read -r j srv vps <<<"$j"
		grep -q "\"msg\": \"would remove the job $j: /usr/share/sshgate/server/install --remove --name $j " \
		    "$MX_DIR/play-check1.log" &&
		    grep -q "\"msg\": \"would remove the job $j: /usr/share/sshgate/vps/install --remove --job $j\"" \
		    "$MX_DIR/play-check1.log" &&
		    grep -q "\"path\": \"/var/lib/sshgate-ansible/server/$j.args\"" "$MX_DIR/play-check1.log"
		ok $? "... says it would remove $j on $srv and $vps, and shows its record's removal"
	done
	is "$(fl_recap check1 changed | tr ' ' '\n' | grep -v '=0' | cut -d= -f1 | paste -sd' ')" \
	    "backup1 backup2 vps1 vps2" "... reports changes on those hosts only"
	is "$(fl_vps_jobs vps1) / $(fl_vps_jobs vps2)" "vps1 vps1-off / vps2" \
	    "... and changes nothing: the VPS hosts still have their jobs"
	[ -f "$MX_DIR/backup1/root/var/lib/sshgate-setup/server-vps2" ] &&
	    [ -f "$MX_DIR/backup2/root/etc/sshgate-pull/vps1-off.key" ]
	ok $? "... and the servers their side"

	fl_play 13 run3
	fl_ok $? "the playbook removes vps2's job and vps1-off" || fl_show_play run3
	is "$(fl_vps_jobs vps2) / $(fl_vps_jobs vps1)" " / vps1" "... vps2 has no job left, vps1 only vps1"
	! grep -rqF "$(cut -d' ' -f2 "$MX_DIR/backup1/root/etc/sshgate-pull/vps2.key.pub" 2>/dev/null || echo none)" \
	    "$MX_DIR/vps2/root/etc/ssh/sshgate-keys/" 2>/dev/null
	ok $? "... nor backup1's key for it"
	! grep -rqF "$(cut -d' ' -f2 "$MX_DIR/backup2/root/etc/sshgate-pull/vps1-off.key.pub" 2>/dev/null || echo none)" \
	    "$MX_DIR/vps1/root/etc/ssh/sshgate-keys/" 2>/dev/null
	ok $? "... nor vps1 backup2's key for vps1-off"
	out=$(cd "$MX_DIR/backup1/root" && ls -d etc/systemd/system/sshgate-*-vps2[.@]* \
	    etc/sshgate-pull/vps2-pull.yaml etc/sshgate-pull/vps2.key 2>/dev/null
	    grep -v '^#' var/lib/sshgate-setup/server-vps2 | grep -v -e '^data-' -e $'^dir\t')
	is "$out" "" "... backup1 has no unit, config or key of it left, its manifest only what stays (data; directories other jobs use)"
	out=$(cd "$MX_DIR/backup2/root" && ls -d etc/systemd/system/sshgate-*-vps1-off[.@]* \
	    etc/sshgate-pull/vps1-off.key 2>/dev/null
	    grep -v '^#' var/lib/sshgate-setup/server-vps1-off | grep -v -e '^data-' -e $'^dir\t')
	is "$out" "" "... nor backup2 of vps1-off"
	fl_job_use vps2 backup1
	[ -n "$(e2e_archives 2>/dev/null)" ]
	ok $? "... and keeps its repository, passphrase and archives"
	[ ! -e "$FL_CTL/fleet/vps2/job.yml" ] && [ -s "$FL_CTL/fleet/vps2/repokey" ] &&
	    [ ! -e "$FL_CTL/fleet/vps1-off/job.yml" ] && [ -s "$FL_CTL/fleet/vps1-off/repokey" ]
	ok $? "... the controller keeps both repositories' keys, the jobs are no longer listed"
	is "$(fl_vps_jobs vps3)" "vps3" "vps3 keeps its job"
	fl_again 12 run4
	for j in $FL_JOBS; do
		IFS=: read -r j vps srv <<<"$j"
		case $j in vps2|vps1-off) continue ;; esac
		fl_backup "$j" "$vps" "$srv"
		is "$(e2e_archives | grep -c "^$j-")" 2 "... $j has its second archive"
	done

	# ---- vps3 is lost: unreachable, and taken out of the inventory -----------------
	kill "$(cat "$MX_DIR/vps3/root/run/sshd.pid")" || sgt_bail "kill vps3's sshd"
	# new connections (the old ones' masters would still reach it)
	FL_CP=-lost
	mkdir -m 0700 "$FL_CTL/cp12-lost" || sgt_bail "mkdir"
	fl_inventory vps2 vps3 > "$FL_CTL/inventory.yml"
	fl_play 12 lost
	fl_ok $? "vps3 is lost and left the inventory: the playbook succeeds" || fl_show_play lost
	grep -q "vps3 left the inventory and cannot be reached" "$MX_DIR/play-lost.log"
	ok $? "... and says vps3 cannot be reached, and what is left to do"
	out=$(cd "$MX_DIR/backup2/root" && ls -d etc/systemd/system/sshgate-*-vps3[.@]* \
	    etc/sshgate-pull/vps3.key 2>/dev/null
	    grep -v '^#' var/lib/sshgate-setup/server-vps3 | grep -v -e '^data-' -e $'^dir\t')
	is "$out" "" "... backup2 has removed vps3's job, and keeps its repository"
	is "$(fl_vps_jobs vps1)" "vps1" "... vps1's job stays"
	[ -f "$FL_CTL/fleet/vps3/job.yml" ] && [ -s "$FL_CTL/fleet/vps3/repokey" ]
	ok $? "... the controller keeps vps3's job.yml (to delete by hand) and its keys"

	# ---- vps4 (Debian 13) joins: Debian 13's controller deploys it from nothing ---
	FL_HOSTS="$FL_HOSTS vps4:trixie:14" FL_JOBS="$FL_JOBS vps4:vps4:backup1"
	fl_machine vps4 trixie 14
	mx_syslog vps4 "$MX_DIR/syslog-vps4"
	# what an earlier deployment would have left: an older .deb
	mkdir -p "$MX_DIR/vps4/root/var/cache/sshgate-ansible" &&
	    cp "$SGT_DEB_DEBS/trixie/prev/"sshgate_*.deb "$MX_DIR/vps4/root/var/cache/sshgate-ansible/" ||
	    sgt_bail "an older .deb on vps4"
	fl_inventory vps2 vps3 > "$FL_CTL/inventory.yml"
	fl_play 13 join
	fl_ok $? "vps4 joins the inventory: the playbook (controller $(fl_ctl_of join)) deploys it" ||
	    fl_show_play join
	# (vps3 too: the controller still has its record, and reaches for it)
	is "$(fl_recap join failed)" "backup1=0 backup2=0 localhost=0 vps1=0 vps3=0 vps4=0" \
	    "... no host failed"
	fl_on vps4 dpkg-query -W -f '${Status}' sshgate 2>/dev/null | grep -q ' installed$' &&
	    [ "$(fl_vps_jobs vps4)" = vps4 ]
	ok $? "... vps4 has the package and its job"
	is "$(ls "$MX_DIR/vps4/root/var/cache/sshgate-ansible")" "$(cd "$FL_CTL/debs/trixie" && ls sshgate_*.deb)" \
	    "... and keeps the installed .deb alone (the older one went)"
	fl_key_lines vps4 vps4 backup1 | grep -q "from=\"${FL_ADDR[backup1]}\""
	ok $? "... with backup1's key from=\"${FL_ADDR[backup1]}\""
	# its tree, made once the job's login account is there (as on the others)
	mx_on vps4 python3 -I /sgt-src/tests/e2e/treecmp make /srv/sgt-data 1 borg \
	    > "$MX_DIR/make-vps4.log" 2>&1 ||
	    { mx_show "$MX_DIR/make-vps4.log"; sgt_bail "treecmp make on vps4"; }
	mx_on vps4 python3 -I /sgt-src/tests/e2e/treecmp snapshot /srv/sgt-data \
	    > "$MX_DIR/snap-vps4.json" || sgt_bail "treecmp snapshot on vps4"
	fl_backup vps4 vps4 backup1 restore
	fl_job_use vps1 backup1
	a=$(e2e_archives | tail -1)
	fl_backup vps1 vps1 backup1
	b=$(e2e_archives | tail -1)
	[ -n "$b" ] && [ "$b" != "$a" ]
	ok $? "... and vps1 still backs up to backup1: a new archive $b (the last was $a)"
	diag "the fleet test: $((SECONDS - t0)) s"
	sgt_done
}

fl_test
