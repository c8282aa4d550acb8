# tests/matrix/lib.sh -- one pull backup between two fresh Debian
# installs of given releases, through the setuid gate and the shipped
# installers (bash, TAP).  Each tests/matrix/pull-VPS-SERVER.sh is
#
#   . "${top_srcdir:-.}/tests/matrix/lib.sh"
#   mx_pull VPS-SUITE SERVER-SUITE        # e.g. bookworm trixie
#
# The Debian userland trees come from tests/run.d/matrix (debootstrap
# --variant=minbase of bookworm, trixie and sid with borgbackup,
# borgmatic, openssh-server, systemd ...): $SGT_MATRIX_TREES/SUITE.
# Without them the test skips (a failure under SSHGATE_TESTS_MUST_RUN=1).
#
# Each "machine" is an overlayfs over a pristine tree (the tree is never
# written), with its own proc, /dev, /sys (read-only), /run and /tmp,
# entered with chroot: a fresh Debian install.  The test runs in private
# mount, network and PID namespaces: the VPS's own sshd listens on port
# 22 of a private 127.0.0.1, nothing leaves loopback, and when the test
# ends the PID namespace ends with it, every process included.  All it
# creates is under /var/tmp/sgt-mx-ID (ID: the test's process id outside
# the namespaces), removed on exit, also on failure.
#
# On the VPS: "make install DESTDIR=ROOT" of this build (its default
# prefix, /usr/local), then setup/vps/install with its defaults; on the
# server: setup/server/install with its defaults (job vps, account
# borg-pull, /etc/sshgate-pull ...).  The source tree is bound read-only
# at /sgt-src in both.  The server's socket unit and backup service are
# played by tests/e2e/lib.sh's helpers, inside the server's machine
# (E2E_SRV_ROOT, E2E_SRV_RUN).

. "${top_srcdir:-.}/tests/e2e/lib.sh"

MX_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Run a program as root inside a machine (vps or server), with the
# environment an administrator's root shell would have.
mx_on() {	# mx_on MACHINE PROGRAM [ARG...]
	local m=$1
	shift
	env -i PATH="$MX_PATH" HOME=/root LANG=C.UTF-8 TERM=dumb \
	    chroot "$MX_DIR/$m/root" "$@"
}

# Show the last lines of a log as TAP comments.
mx_show() {	# mx_show FILE [LINES]
	[ -f "$1" ] && tail -n "${2:-40}" "$1" | sed 's/^/#   /'
	return 0
}

# An installer's log: its errors (the first lines of a long one: a
# program's usage may follow), then how it ended.
mx_show_install() {	# mx_show_install FILE
	grep -m 3 -A 2 ': error: ' "$1" | cut -c 1-300 | sed 's/^/#   /'
	echo "#   ..."
	mx_show "$1" 6
}

mx_cleanup() {
	set +e
	exec 2>/dev/null	# no "Killed" notices from the shell
	# We are PID 1 of the test's PID namespace: this ends every other
	# process in it (sshd, the socket unit, the syslog listener, ...).
	[ $$ = 1 ] && kill -KILL -1
	wait
	local r
	for r in "$MX_DIR"/*/root; do
		[ -d "$r" ] || continue
		umount -R "$r" 2>/dev/null || umount -R -l "$r" 2>/dev/null
	done
	case $MX_DIR in
	/var/tmp/sgt-mx-[0-9]*) rm -rf --one-file-system -- "$MX_DIR" ;;
	esac
}

# A fresh install's disk: $MX_DIR/NAME/root, an overlay over the tree of
# SUITE (which stays as it is), nothing mounted in it.
mx_overlay() {	# mx_overlay NAME SUITE
	local d=$MX_DIR/$1 tree=$SGT_MATRIX_TREES/$2
	mkdir -p "$d/upper" "$d/work" "$d/root" || sgt_bail "mkdir $d"
	mount -t overlay -o "lowerdir=$tree,upperdir=$d/upper,workdir=$d/work" \
	    "sgt-$1" "$d/root" || sgt_bail "overlay for $1 over $tree"
}

# A machine: that disk with what a booted Debian has mounted (proc, /dev,
# /sys, /run, /tmp), and the source tree at /sgt-src.
mx_machine() {	# mx_machine NAME SUITE
	local r=$MX_DIR/$1/root n
	mx_overlay "$1" "$2"
	mount -t proc -o nosuid,nodev,noexec sgt-proc "$r/proc" || sgt_bail "proc in $1"
	# a sysfs of this network namespace (its own lo), read-only
	mount -t sysfs -o ro,nosuid,nodev,noexec sgt-sys "$r/sys" || sgt_bail "sysfs in $1"
	mount -t tmpfs -o mode=0755,nosuid,nodev sgt-run "$r/run" || sgt_bail "/run in $1"
	mkdir -m 0755 "$r/run/sshd" "$r/run/lock"
	mount -t tmpfs -o mode=1777,nosuid,nodev sgt-tmp "$r/tmp" || sgt_bail "/tmp in $1"
	# a /dev of its own: the real nodes bound in
	mount -t tmpfs -o mode=0755,nosuid sgt-dev "$r/dev" || sgt_bail "/dev in $1"
	for n in null zero full random urandom tty ptmx; do
		touch "$r/dev/$n" && mount --bind "/dev/$n" "$r/dev/$n" ||
		    sgt_bail "/dev/$n in $1"
	done
	mkdir -p "$r/dev/pts" "$r/dev/shm"
	mount --bind /dev/pts "$r/dev/pts" || sgt_bail "/dev/pts in $1"
	mount -t tmpfs -o mode=1777,nosuid,nodev sgt-shm "$r/dev/shm" || sgt_bail "/dev/shm in $1"
	ln -s /proc/self/fd "$r/dev/fd"
	ln -s /proc/self/fd/0 "$r/dev/stdin"
	ln -s /proc/self/fd/1 "$r/dev/stdout"
	ln -s /proc/self/fd/2 "$r/dev/stderr"
	mkdir -p "$r/sgt-src" &&
	    mount --bind "$top_srcdir" "$r/sgt-src" &&
	    mount -o remount,bind,ro "$r/sgt-src" || sgt_bail "/sgt-src in $1"
}

# syslog on a machine's /dev/log: one datagram, one line in FILE.
mx_syslog() {	# mx_syslog MACHINE FILE
	local ready=$MX_DIR/.logready-$1
	: > "$2"
	"$SGT_PY" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
out = open(sys.argv[2], "ab", buffering=0)
os.write(3, b"r"); os.close(3)
while True:
    out.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
' "$MX_DIR/$1/root/dev/log" "$2" 3>"$ready" &
	while [ ! -s "$ready" ]; do
		kill -0 $! 2>/dev/null || sgt_bail "syslog listener on $1"
		sleep 0.05
	done
}

# Each program's version on a machine, one line.
mx_versions() {	# mx_versions MACHINE
	local bm borg py ssh
	bm=$(mx_on "$1" borgmatic --version 2>&1 | tail -1)
	borg=$(mx_on "$1" borg --version 2>&1 | tail -1)
	py=$(mx_on "$1" python3 --version 2>&1)
	ssh=$(mx_on "$1" ssh -V 2>&1)
	printf 'borgmatic %s, %s, %s, %s' "$bm" "$borg" "$py" "${ssh%%,*}"
}

# Enter the test's namespaces with the trees of SUITE... checked: the
# script runs again inside them, and what it leaves on disk goes when
# they end.
mx_enter() {	# mx_enter SUITE...
	local s p
	[ "$(id -u)" = 0 ] || sgt_skip "needs root"
	[ -n "${SGT_MATRIX_TREES:-}" ] ||
	    sgt_skip "SGT_MATRIX_TREES is not set (tests/run.d/matrix builds the Debian trees)"
	for s in "$@"; do
		for p in borgmatic borg python3 setfacl systemd-socket-activate; do
			[ -x "$SGT_MATRIX_TREES/$s/usr/bin/$p" ] ||
			    sgt_skip "no Debian $s tree with $p in $SGT_MATRIX_TREES"
		done
		[ -x "$SGT_MATRIX_TREES/$s/usr/sbin/sshd" ] ||
		    sgt_skip "no Debian $s tree with sshd in $SGT_MATRIX_TREES"
	done
	e2e_need unshare chroot ip make python3
	grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
	    sgt_skip "no overlayfs"
	[ -f "$top_builddir/Makefile" ] && [ -x "$top_builddir/sshgate" ] ||
	    sgt_skip "no build in $top_builddir"
	if [ -z "${MX_IN_NS:-}" ]; then
		# Not exec: when the namespaces end, however they end, what
		# the test left on disk goes too.
		MX_ID=$$
		MX_IN_NS=1 MX_ID=$MX_ID unshare -m -n -p -f --mount-proc \
		    --propagation private -- /bin/bash "$0" "$@"
		s=$?
		rm -rf --one-file-system -- "/var/tmp/sgt-mx-$MX_ID"
		exit $s
	fi
	MX_DIR=/var/tmp/sgt-mx-$MX_ID
	SGT_DIR=$MX_DIR		# e2e_last_deny reads $SGT_DIR/syslog
	SGT_PIDS=		# e2e_serve_start adds to it; the PID namespace ends them all
	trap mx_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -m 0700 "$MX_DIR" || sgt_bail "mkdir $MX_DIR"
	ip link set lo up || sgt_bail "lo up"
	# What systemd sets on Debian: the kernel's default of 10 queued
	# datagrams loses syslog lines under load.
	echo 512 > /proc/sys/net/unix/max_dgram_qlen || sgt_bail "max_dgram_qlen"
}

# Enter the namespaces, build both machines, install both sides.
mx_init() {	# mx_init VPS-SUITE SERVER-SUITE
	local p
	mx_enter "$1" "$2"
	MX_VPS_SUITE=$1 MX_SRV_SUITE=$2

	mx_machine vps "$MX_VPS_SUITE"
	mx_machine server "$MX_SRV_SUITE"
	MX_VPS=$MX_DIR/vps/root
	MX_SRV=$MX_DIR/server/root

	# tests/e2e/lib.sh's names, for the server in its machine
	E2E_VPS=$MX_DIR/vps E2E_SRV=$MX_DIR/server
	E2E_SRV_ROOT=$MX_SRV
	E2E_SRV_RUN=(env -i PATH="$MX_PATH" LANG=C.UTF-8 chroot "$MX_SRV")
	E2E_SERVER=borg-pull
	E2E_HOME=/var/lib/borg-pull
	E2E_REPO=/srv/borg-pull/$E2E_NAME
	E2E_CONF=/etc/sshgate-pull
	E2E_PULL_YAML=$E2E_CONF/$E2E_NAME-pull.yaml
	E2E_LOCAL_YAML=$E2E_CONF/$E2E_NAME-local.yaml
	E2E_UNIT_DIR=/etc/systemd/system
	E2E_ROOT_BORG=/root/sgt-borg
	E2E_DATA=/srv/sgt-data
	SGT_LOGIN=borg SGT_RUNNER=sshgate-borg

	diag "VPS $MX_VPS_SUITE: $(mx_versions vps)"
	diag "server $MX_SRV_SUITE: $(mx_versions server)"

	# The VPS: its own host keys (both machines of a pair may come from
	# one tree), the gate's syslog, this build installed.
	rm -f "$MX_VPS"/etc/ssh/ssh_host_*_key "$MX_VPS"/etc/ssh/ssh_host_*_key.pub
	mx_on vps ssh-keygen -A > "$E2E_VPS/hostkeys.log" 2>&1 ||
	    { mx_show "$E2E_VPS/hostkeys.log"; sgt_bail "ssh-keygen -A on the VPS"; }
	mx_syslog vps "$MX_DIR/syslog"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make -C "$top_builddir" -s install DESTDIR="$MX_VPS" \
	    > "$E2E_VPS/make-install.log" 2>&1
	ok $? "make install DESTDIR=<the VPS> of this build"
	[ -u "$MX_VPS/usr/local/sbin/sshgate" ] ||
	    { mx_show "$E2E_VPS/make-install.log"; sgt_bail "no setuid gate installed"; }

	# The server, as the guide says: the VPS's host key, and defaults.
	cp "$MX_VPS/etc/ssh/ssh_host_ed25519_key.pub" "$MX_SRV/root/sgt-vps-host-key.pub" ||
	    sgt_bail "copy the VPS's host key"
	mx_on server /sgt-src/setup/server/install --vps 127.0.0.1 \
	    --vps-host-key-file /root/sgt-vps-host-key.pub \
	    --source "$E2E_DATA" --init > "$E2E_SRV/install.log" 2>&1
	MX_SRV_INSTALLED=$?
	ok $MX_SRV_INSTALLED "setup/server/install on Debian $MX_SRV_SUITE (defaults, --init)"
	if [ $MX_SRV_INSTALLED != 0 ]; then
		mx_show_install "$E2E_SRV/install.log"
		return 1
	fi
	E2E_PASSPHRASE=$(cat "$MX_SRV$E2E_CONF/$E2E_NAME.passphrase") ||
	    sgt_bail "no passphrase"

	# The VPS, as the guide says: the server's key, and defaults.
	cp "$MX_SRV$E2E_CONF/$E2E_NAME.key.pub" "$MX_VPS/root/sgt-server-key.pub" ||
	    sgt_bail "copy the server's key"
	mx_on vps /sgt-src/setup/vps/install --from 127.0.0.1 \
	    --key-file /root/sgt-server-key.pub > "$E2E_VPS/install.log" 2>&1
	MX_VPS_INSTALLED=$?
	ok $MX_VPS_INSTALLED "setup/vps/install on Debian $MX_VPS_SUITE (defaults)"
	if [ $MX_VPS_INSTALLED != 0 ]; then
		mx_show_install "$E2E_VPS/install.log"
		return 1
	fi
	p=$(mx_on vps sshgate-lint --print-policy-path) &&
	    [ "$(stat -c '%U:%G %a' "$MX_VPS$p")" = "root:root 644" ] &&
	    mx_on vps sshgate-lint -f "$p" > /dev/null
	ok $? "... the shipped policy is where the installed gate reads it ($p), and passes sshgate-lint"
	return 0
}

# The VPS's own sshd, on loopback only, and the server's socket unit.
mx_start() {
	mx_on vps /usr/sbin/sshd -f /etc/ssh/sshd_config \
	    -o ListenAddress=127.0.0.1 -o Port=22 -E /var/log/sgt-sshd.log \
	    > "$E2E_VPS/sshd.out" 2>&1
	ok $? "the VPS's sshd starts ($(mx_on vps ssh -V 2>&1 | cut -d, -f1))"
	local i
	for i in $(seq 100); do
		[ -s "$MX_VPS/run/sshd.pid" ] && break
		sleep 0.05
	done
	[ -s "$MX_VPS/run/sshd.pid" ] ||
	    { mx_show "$E2E_VPS/sshd.out"; mx_show "$MX_VPS/var/log/sgt-sshd.log";
	      sgt_bail "sshd wrote no pid file"; }
	e2e_serve_start
}

# ---- the steps ---------------------------------------------------------------------

mx_loglines() { wc -l < "$MX_DIR/syslog"; }

# The gate's log lines since line N.  Every line a finished command made
# is in the VPS's /dev/log queue, but the listener may not have written
# it yet: a mark sent after them, through the same socket, comes out
# after them.
mx_log_since() {	# mx_log_since N
	local i mark
	MX_MARK=$((${MX_MARK:-0} + 1))
	mark="sgt-mark $MX_MARK"
	"$SGT_PY" -c 'import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(sys.argv[2].encode(), sys.argv[1])' \
	    "$MX_VPS/dev/log" "$mark" || sgt_bail "cannot write to the VPS's /dev/log"
	for i in $(seq 200); do
		grep -qx "$mark" "$MX_DIR/syslog" && break
		sleep 0.05
	done
	grep -qx "$mark" "$MX_DIR/syslog" || sgt_bail "the VPS's syslog listener stopped"
	tail -n "+$(($1 + 1))" "$MX_DIR/syslog" | grep -v '^sgt-mark [0-9]*$'
}

# Run borgmatic as the backup account; it must succeed, and the VPS must
# have permitted it by each of RULES and denied nothing.  Its stdout is
# in $MX_DIR/out, stderr in $MX_DIR/err.
mx_borgmatic() {	# mx_borgmatic "RULE..." BORGMATIC-ARGS...
	local rules=$1 n rc r lines missing=
	shift
	n=$(mx_loglines)
	e2e_borgmatic "$@" > "$MX_DIR/out" 2> "$MX_DIR/err"
	rc=$?
	ok $rc "borgmatic $* (status $rc)"
	[ $rc -eq 0 ] || mx_show "$MX_DIR/err" 12
	lines=$(mx_log_since "$n")
	for r in $rules; do
		printf '%s\n' "$lines" | grep -q "permit rule=$r caller=$SGT_LOGIN(.*runner=$SGT_RUNNER " ||
		    missing="$missing $r"
	done
	if [ -z "$missing" ] && ! printf '%s\n' "$lines" | grep -q 'sshgate\[[0-9]*\]: deny '; then
		ok 0 "... the VPS's gate permitted it by $(echo $rules | sed 's/ /, /g'), denied nothing"
	else
		ok 1 "... the VPS's gate permitted it by $(echo $rules | sed 's/ /, /g'), denied nothing"
		[ -n "$missing" ] && diag "no permit by:$missing"
		printf '%s\n' "$lines" | grep 'sshgate\[[0-9]*\]: ' |
		    sed -e 's/^.*sshgate\[[0-9]*\]: /#   VPS: /' | cut -c 1-300 | tail -8
	fi
	MX_RC=$rc
	return $rc
}

# A command that must be refused by the VPS, by RULE.
mx_refused() {	# mx_refused RULE BORGMATIC-ARGS...
	local rule=$1 n rc lines
	shift
	n=$(mx_loglines)
	e2e_borgmatic "$@" > "$MX_DIR/out" 2> "$MX_DIR/err"
	rc=$?
	lines=$(mx_log_since "$n")
	[ $rc -ne 0 ] && printf '%s\n' "$lines" | grep -q "deny .*reason=\"rule '$rule'"
	rc=$?
	ok $rc "borgmatic $* is refused by the VPS, rule $rule"
	[ $rc -eq 0 ] || mx_show "$MX_DIR/err" 8
}

# A check of the last borgmatic's output: on failure, show it (unless
# borgmatic itself failed: then it was shown already).
mx_out_ok() {	# mx_out_ok STATUS DESCRIPTION
	ok "$1" "$2"
	[ "$1" -eq 0 ] || [ "$MX_RC" -ne 0 ] ||
	    { mx_show "$MX_DIR/out" 8; mx_show "$MX_DIR/err" 8; }
}

# The JSON in FILE (at -v 2, borgmatic 1.7 writes its log lines to stdout
# too, around the JSON: the first value that starts with "[" or "{"),
# tested with a Python expression on it, d.
mx_json() {	# mx_json FILE EXPRESSION
	"$SGT_PY" -c 'import json, re, sys
t = open(sys.argv[1]).read()
m = re.search(r"^[[{]", t, re.M)
d = json.JSONDecoder().raw_decode(t[m.start():])[0]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null
}

mx_archive_count() { e2e_archives 2>/dev/null | grep -c "^$E2E_NAME-"; }

# The whole test of one combination.
mx_pull() {	# mx_pull VPS-SUITE SERVER-SUITE
	local t0=$SECONDS pull out rc a n snap
	mx_init "$1" "$2" || sgt_done
	mx_start
	diag "both machines installed and started in $((SECONDS - t0)) s"
	pull=(--config "$E2E_PULL_YAML")

	# ---- the chain, without borgmatic: ssh, sshd, the gate, borg ---------------
	n=$(mx_loglines)
	out=$(e2e_ssh 127.0.0.1 "borg --version" < /dev/null 2>&1)
	rc=$?
	is "$rc:$out" "0:$(mx_on vps borg --version 2>&1)" \
	    "ssh through the VPS's sshd and gate runs the VPS's borg --version"
	mx_log_since "$n" |
	    grep -q "permit rule=borg-version caller=$SGT_LOGIN(.*runner=$SGT_RUNNER "
	ok $? "... permitted by rule borg-version, as the runner, confined (seccomp, Landlock)"

	# ---- the tree, made on the VPS by its own python ---------------------------
	mx_on vps python3 -I /sgt-src/tests/e2e/treecmp make "$E2E_DATA" 1 "$SGT_LOGIN" \
	    > "$MX_DIR/make.log" 2>&1 ||
	    { mx_show "$MX_DIR/make.log"; sgt_bail "treecmp make on the VPS"; }
	snap=$MX_DIR/snap.json
	mx_on vps python3 -I /sgt-src/tests/e2e/treecmp snapshot "$E2E_DATA" > "$snap" ||
	    sgt_bail "treecmp snapshot on the VPS"
	mx_json "$snap" '(all(d["summary"][k] > 0 for k in ("hardlinked", "symlinks",
	    "with_xattrs", "with_acls")) and d["entries"]["secret/root-only"]["mode"] == "00600"
	    and d["entries"]["secret/root-only"]["uid"] == 0)'
	ok $? "the tree on the VPS has hard links, symlinks, xattrs, ACLs and a root-only file"

	# ---- borgmatic on the server, through the VPS --------------------------------
	mx_borgmatic "borg-version borg-create" "${pull[@]}" create
	is "$(mx_archive_count)" 1 "... one archive in the repository"
	mx_borgmatic "borg-version borg-create" "${pull[@]}" --verbosity 1 create --stats --list
	grep -q 'Number of files' "$MX_DIR/err" "$MX_DIR/out"
	mx_out_ok $? "... borg's statistics shown"
	mx_borgmatic "borg-version borg-create" "${pull[@]}" --verbosity 2 create --json
	mx_json "$MX_DIR/out" 'd[0]["archive"]["name"].startswith("vps-")'
	mx_out_ok $? "... its --json output parses and names the archive"
	mx_borgmatic "borg-version borg-create" "${pull[@]}" create --progress
	mx_borgmatic "borg-version borg-create" "${pull[@]}" --dry-run create
	if mx_on server borgmatic --help 2>&1 | grep -q -- '--log-json'; then
		mx_borgmatic "borg-version borg-create" "${pull[@]}" --log-json create
		n=5
	else
		diag "borgmatic $(mx_on server borgmatic --version) has no --log-json: not run"
		n=4
	fi
	is "$(mx_archive_count)" $n "$n archives: one for each create, none for the dry run"
	mx_borgmatic "borg-version borg-list" "${pull[@]}" list
	a=$(e2e_archives | tail -1)
	[ -n "$a" ] && grep -q "^$a " "$MX_DIR/out"
	mx_out_ok $? "... it lists the last archive, $a"
	mx_borgmatic "borg-version borg-list" "${pull[@]}" list --json
	mx_json "$MX_DIR/out" 'len(d[0]["archives"]) == '"$n"
	mx_out_ok $? "... its --json output parses and has the $n archives"
	mx_borgmatic "borg-version borg-list" "${pull[@]}" list --archive latest
	grep -q "srv/sgt-data/secret/root-only" "$MX_DIR/out"
	mx_out_ok $? "... the latest archive's list has the root-only file"
	mx_borgmatic "borg-version borg-info" "${pull[@]}" info
	grep -q "^All archives: " "$MX_DIR/out"
	mx_out_ok $? "... it shows the repository's summary"
	mx_borgmatic "borg-version borg-list borg-info" "${pull[@]}" info --archive latest
	[ -n "$a" ] && grep -qF -- "$a" "$MX_DIR/out"
	mx_out_ok $? "... it shows the latest archive"

	# ---- restore on the server, compare with the VPS's tree -------------------------
	if [ -z "$a" ]; then
		ok 1 "borg extract on the server: no archive to extract"
	elif e2e_restore "$a" /srv/sgt-restore > "$MX_DIR/restore.log" 2>&1; then
		cp "$snap" "$MX_SRV/root/sgt-snap.json" || sgt_bail "copy the snapshot"
		out=$(mx_on server python3 -I /sgt-src/tests/e2e/treecmp compare \
		    /root/sgt-snap.json "/srv/sgt-restore$E2E_DATA" 2>&1)
		ok $? "borg extract on the server: identical to the VPS's tree (content, owners, modes, links, xattrs, ACLs)"
		diag "$out"
	else
		ok 1 "borg extract $a on the server"
		mx_show "$MX_DIR/restore.log"
	fi

	# ---- what the backup service runs; what the VPS refuses -------------------------
	n=$(mx_loglines)
	out=$(e2e_backup_service 2>&1)
	ok $? "the sshgate-backup-$E2E_NAME.service command lines succeed (create via the VPS; prune, compact, check locally)"
	[ -n "$out" ] && diag "$out"
	mx_log_since "$n" | grep -q "permit rule=borg-create caller=$SGT_LOGIN("
	ok $? "... its create went through the VPS's gate"
	mx_refused run-on-server "${pull[@]}" prune
	mx_refused run-on-server "${pull[@]}" compact
	# --force: borgmatic 1.9 and 2.0 skip a check run within its frequency
	# (one month by default) for the repository's id, and the service's
	# local check of the same repository has just run: nothing would
	# reach the VPS to refuse.
	mx_refused run-on-server "${pull[@]}" check --force
	diag "Debian $1 VPS, Debian $2 server: $((SECONDS - t0)) s"
	sgt_done
}

# Run a TAP test script inside a machine, with this build bound
# read-only at /sgt-build, and make its results this test's: each "ok"
# and "not ok" again through ok(), its diagnostics as they are; its plan
# must match what it ran, and it must exit 0 when all passed.
mx_relay() {	# mx_relay MACHINE SCRIPT (relative to the source tree)
	local r=$MX_DIR/$1/root line n=0 plan= rc
	mkdir -p "$r/sgt-build" && mount --bind "$top_builddir" "$r/sgt-build" &&
	    mount -o remount,bind,ro "$r/sgt-build" || sgt_bail "/sgt-build in $1"
	mx_on "$1" env top_srcdir=/sgt-src top_builddir=/sgt-build \
	    /bin/bash "/sgt-src/$2" > "$MX_DIR/relay.out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*)		n=$((n + 1)); ok 0 "${line#ok * - }" ;;
		"not ok "*)	n=$((n + 1)); ok 1 "${line#not ok * - }" ;;
		"1.."*)		plan=${line#1..} ;;
		"Bail out!"*)	sgt_bail "$2 in $1: ${line#Bail out! }" ;;
		*)		printf '# %s\n' "${line#\# }" ;;
		esac
	done < "$MX_DIR/relay.out"
	[ "$plan" = "$n" ] && { [ $rc -eq 0 ] || [ $sgt_failed -gt 0 ]; }
	ok $? "$2 in Debian's $(mx_on "$1" cat /etc/debian_version) userland: ran its plan ($n of ${plan:-none}), exit status $rc"
}

# tests/e2e/history-lib.sh between two machines: root on the VPS attacks
# the repository through a pull session's socket, the server's unit must
# notice before it prunes, the recovery must bring the archive back.
mx_history() {	# mx_history VPS-SUITE SERVER-SUITE
	local t0=$SECONDS
	. "$top_srcdir/tests/e2e/history-lib.sh"
	mx_init "$1" "$2" || sgt_done
	mx_syslog server "$MX_DIR/server-syslog"
	mx_start
	diag "both machines installed and started in $((SECONDS - t0)) s"
	HX_VPS=(mx_on vps)
	HX_VPS_ROOT=$MX_VPS
	HX_SOCKET=/run/sshgate/$SGT_LOGIN/borg.sock
	HX_RUNNER_BASE=/var/lib/$SGT_RUNNER
	HX_WORK=/srv/sgt-hx
	HX_SRV_SYSLOG=$MX_DIR/server-syslog
	HX_RESTORE=/srv/sgt-hx-restore
	hx_compare() {
		mx_on server python3 -I /sgt-src/tests/e2e/treecmp compare \
		    /root/sgt-snap.json "$1" 2>&1
	}
	SGT_EXTRA_CLEANUP="hx_cleanup; ${SGT_EXTRA_CLEANUP:-:}"
	mx_on vps python3 -I /sgt-src/tests/e2e/treecmp make "$E2E_DATA" 1 "$SGT_LOGIN" \
	    > "$MX_DIR/make.log" 2>&1 ||
	    { mx_show "$MX_DIR/make.log"; sgt_bail "treecmp make on the VPS"; }
	mx_on vps python3 -I /sgt-src/tests/e2e/treecmp snapshot "$E2E_DATA" \
	    > "$MX_SRV/root/sgt-snap.json" || sgt_bail "treecmp snapshot on the VPS"
	hx_setup
	hx_good_run "the first night"
	hx_cases "ssh://backup/./$E2E_NAME"
	sgt_done
}
