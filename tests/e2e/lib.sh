# tests/e2e/lib.sh -- a VPS and a backup server on one host, for the
# end-to-end tests and setup/demo (bash).
#
#   . "$top_srcdir/tests/e2e/lib.sh"
#   e2e_init                 # namespaces, accounts, both sides installed
#   e2e_start                # the VPS's sshd and the server's socket unit
#   e2e_borgmatic ARGS...    # borgmatic as the backup account
#   e2e_backup_service       # what sshgate-backup-vps.service runs
#   e2e_restore ARCHIVE DIR  # borg extract on the server side, as root
#
# Both "machines" live in one private mount namespace and one private
# network namespace (its own 127.0.0.1, so the VPS's sshd listens on port
# 22 and collides with nothing), with a private /run.  They are installed
# by the real installers, setup/vps/install and setup/server/install,
# with the shipped policy, units and borgmatic configs; only names and
# paths are our own (everything is called sgt-*).  systemd is not PID 1:
# the socket unit is played by systemd-socket-activate with the unit's
# own ListenStream, User, WorkingDirectory, Environment and ExecStart.
#
# The tree to back up lives on the root file system (/srv/sgt-PID: the
# shipped policy admits /srv, and a Debian 12 kernel's tmpfs has no user
# xattrs); it is removed on exit with everything else.
#
# The backup server may also be a machine of its own, a root directory
# entered with chroot (tests/matrix/lib.sh): then E2E_SRV_ROOT is that
# directory as this script sees it, E2E_SRV_RUN the command that runs a
# program inside (e.g. "chroot ROOT"), and E2E_HOME, E2E_CONF, E2E_REPO,
# E2E_UNIT_DIR and the units' own values are paths inside the machine.
# Accounts are the machine's: names are resolved inside it.  Here both
# are empty: the server is this host.

. "${top_srcdir:-.}/tests/lib/sgt.sh"

E2E_SRV_ROOT=
E2E_SRV_RUN=()

E2E_NAME=vps	# the job name: the shipped policy's repository "./vps"

e2e_need() {	# e2e_need PROGRAM...: or skip
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || [ -x "$p" ] ||
		    sgt_skip "needs $p (setup/deps test installs it)"
	done
}

e2e_log() { [ -n "${E2E_VERBOSE:-}" ] && printf '# %s\n' "$*"; return 0; }

# Enter the namespaces: root, a private mount namespace and network
# namespace, and what sgt_init provides (a private /run among it).
e2e_enter() {
	[ "$(id -u)" = 0 ] || sgt_skip "needs root"
	e2e_need unshare ip ssh ssh-keygen borg borgmatic systemd-socket-activate \
	    setfacl setfattr setpriv flock /usr/sbin/sshd
	if [ -z "${SGT_IN_NS:-}" ]; then
		SGT_IN_NS=1 exec unshare -m -n --propagation private -- \
		    /bin/bash "$0" "$@"
		sgt_skip "cannot enter private namespaces"
	fi
	ip link set lo up || sgt_bail "lo up"
	# A unix datagram socket queues net.unix.max_dgram_qlen datagrams:
	# the kernel's default is 10, systemd sets 512 (its sysctl.d), and a
	# machine without systemd as PID 1 keeps 10.  50 sessions that start
	# at once against a syslog listener starved of CPU fill 10 at once,
	# and a gate that waited its 0.5 s for room goes on unlogged, by
	# design (gate/log.c).  The value is this network namespace's own,
	# and a socket takes it when it is made: before sgt_init starts the
	# listener on /dev/log.
	echo 512 > /proc/sys/net/unix/max_dgram_qlen ||
	    sgt_bail "net.unix.max_dgram_qlen"
	sgt_init
	E2E_VPS=$SGT_DIR/vps
	E2E_SRV=$SGT_DIR/srv
	E2E_SERVER=sgt-s$SGT_ID
	E2E_DATA_ROOT=/srv/sgt-$SGT_ID
	E2E_DATA=$E2E_DATA_ROOT/data
	# where e2e_server_install puts the backup server's side
	E2E_HOME=$E2E_SRV/home
	E2E_REPO=$E2E_SRV/repos/$E2E_NAME
	E2E_CONF=$E2E_SRV/conf
	E2E_PULL_YAML=$E2E_CONF/$E2E_NAME-pull.yaml
	E2E_LOCAL_YAML=$E2E_CONF/$E2E_NAME-local.yaml
	E2E_LOCAL_SOCKET=$E2E_SRV/run/$E2E_NAME.sock
	E2E_REMOTE_SOCKET=$E2E_VPS/run/$SGT_LOGIN/borg.sock
	E2E_UNIT_DIR=$E2E_SRV/systemd
	E2E_ROOT_BORG=$SGT_DIR/root-borg
	SGT_EXTRA_CLEANUP='e2e_cleanup'
	mkdir -p "$E2E_VPS" "$E2E_SRV" || sgt_bail "mkdir"
}

# After e2e_enter, before the installers: the data root, the VPS's sshd
# set-up, and the login account's home as the installer leaves it.
e2e_prepare() {
	mkdir -p "$E2E_DATA_ROOT" && chmod 0755 "$E2E_DATA_ROOT" || sgt_bail "mkdir"
	e2e_vps_machine
	# sgt_init's login account has a home of its own; the installer
	# gives a new one root's (PAM reads ~/.pam_environment): do the same.
	chown root:root "$SGT_DIR/home/$SGT_LOGIN" && chmod 0755 "$SGT_DIR/home/$SGT_LOGIN" ||
	    sgt_bail "chown the login account's home"
}

# Enter the namespaces and set up both sides.  Options for the VPS
# installer may follow (e.g. --shell sh).
e2e_init() {
	e2e_enter
	e2e_prepare
	e2e_server_install || sgt_bail "setup/server/install failed"
	e2e_vps_install "$@" || sgt_bail "setup/vps/install failed"
}

e2e_cleanup() {
	local p
	for p in "${E2E_VPS:-/nonexistent}/sshd.pid"; do
		[ -s "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	[ -n "${E2E_SERVER:-}" ] && SGT_USERS="$SGT_USERS $E2E_SERVER"
	case ${E2E_DATA_ROOT:-} in
	/srv/sgt-[0-9]*) rm -rf --one-file-system -- "$E2E_DATA_ROOT" ;;
	esac
	for u in ${SGT_USERS:-}; do sgt_pkill -KILL -u "$u" 2>/dev/null; done
	sleep 0.1
}

# The VPS before the installer: a host key and a main sshd_config that
# includes a drop-in directory, like Debian's.
e2e_vps_machine() {
	mkdir -p "$E2E_VPS/sshd_config.d"
	ssh-keygen -q -t ed25519 -N '' -C sgt-vps -f "$E2E_VPS/hostkey" ||
	    sgt_bail "host key"
	cat > "$E2E_VPS/sshd_config" <<EOF
Include $E2E_VPS/sshd_config.d/*.conf
ListenAddress 127.0.0.1
Port 22
HostKey $E2E_VPS/hostkey
PidFile $E2E_VPS/sshd.pid
UsePAM yes
KbdInteractiveAuthentication no
PasswordAuthentication no
PermitRootLogin no
X11Forwarding yes
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel VERBOSE
EOF
}

# The backup server: the account, the repository, the units, the wrapper
# and the borgmatic configs, by setup/server/install.  Options for the
# installer may follow.
e2e_server_install() {
	"$top_srcdir/setup/server/install" \
	    --name "$E2E_NAME" --account "$E2E_SERVER" \
	    --vps 127.0.0.1 --vps-login "$SGT_LOGIN" \
	    --vps-host-key-file "$E2E_VPS/hostkey.pub" \
	    --remote-socket "$E2E_REMOTE_SOCKET" --source "$E2E_DATA" \
	    --home "$E2E_SRV/home" --repo-dir "$E2E_SRV/repos" \
	    --socket-dir "$E2E_SRV/run" --conf-dir "$E2E_SRV/conf" \
	    --state-dir "$E2E_SRV/state" \
	    --libexec-dir "$E2E_SRV/libexec" --systemd-dir "$E2E_SRV/systemd" \
	    --manifest "$E2E_SRV/manifest" --systemctl no --init "$@" \
	    > "$E2E_SRV/install.log" 2>&1
	local rc=$?
	SGT_USERS="$SGT_USERS $E2E_SERVER"
	[ $rc -eq 0 ] || { sed 's/^/# /' "$E2E_SRV/install.log"; return 1; }
	E2E_PASSPHRASE=$(cat "$E2E_CONF/$E2E_NAME.passphrase")
}

# The VPS side, by setup/vps/install, with the test's accounts (they
# exist already: sgt_init made them) and the shipped policy template.
e2e_vps_install() {
	e2e_vps_installer "$E2E_VPS/run/$SGT_LOGIN" \
	    --from 127.0.0.1 --key-file "$E2E_CONF/$E2E_NAME.key.pub" "$@"
}

# setup/vps/install with this test's paths: the socket directory, then
# the options that name servers, keys and anything else.
e2e_vps_installer() {	# e2e_vps_installer SOCKET-DIR OPTION...
	local sockdir=$1 gg=()
	shift
	# the gate's group is the login's, as before --gate-group existed
	# (tests/e2e/upgrade.sh runs an installer from before it, too)
	grep -q -e '--gate-group)' "$top_srcdir/setup/vps/install" &&
	    gg=(--gate-group "$SGT_LOGIN")
	"$top_srcdir/setup/vps/install" \
	    --login "$SGT_LOGIN" --runner "$SGT_RUNNER" "${gg[@]}" \
	    --gate "$SGT_DIR/bin/sshgate" --connect "$SGT_DIR/bin/sshgate-connect" \
	    --lint "$SGT_DIR/bin/sshgate-lint" --policy "$SGT_POLICY" \
	    --socket-dir "$sockdir" --state-dir "$E2E_VPS/state" \
	    --keys-dir "$E2E_VPS/keys" --sshd-dir "$E2E_VPS/sshd_config.d" \
	    --sshd-config "$E2E_VPS/sshd_config" \
	    --tmpfiles-dir "$E2E_VPS/tmpfiles.d" --manifest "$E2E_VPS/manifest" \
	    --reload none "$@" > "$E2E_VPS/install.log" 2>&1 ||
	    { sed 's/^/# /' "$E2E_VPS/install.log"; return 1; }
}

# A unit file, as this script reaches it.
e2e_unit() { printf '%s\n' "$E2E_SRV_ROOT$E2E_UNIT_DIR/$1"; }

# Run a program on the backup server (as root): here, or in its machine.
e2e_on_srv() { "${E2E_SRV_RUN[@]}" "$@"; }

# A unit file's value for KEY (the last one, as systemd reads it).
e2e_unit_get() {	# e2e_unit_get UNIT KEY
	sed -n "s/^$2=//p" "$(e2e_unit "$1")" | tail -1
}

e2e_start() {
	e2e_sshd_start && e2e_serve_start
}

e2e_sshd_start() {
	/usr/sbin/sshd -f "$E2E_VPS/sshd_config" -E "$E2E_VPS/sshd.log" ||
	    sgt_bail "sshd did not start: $(cat "$E2E_VPS/sshd.log")"
	local i
	for i in $(seq 100); do
		[ -s "$E2E_VPS/sshd.pid" ] && break
		sleep 0.05
	done
	[ -s "$E2E_VPS/sshd.pid" ] || sgt_bail "sshd wrote no pid file: $(cat "$E2E_VPS/sshd.log")"
}

e2e_sshd_reload() {
	kill -HUP "$(cat "$E2E_VPS/sshd.pid")" && sleep 0.3
}

# The socket unit sshgate-serve-vps.socket and its service, played by
# systemd-socket-activate with the units' own values.
e2e_serve_start() {
	local sock svc user group wd exec umask_ env_args=() e
	sock=sshgate-serve-$E2E_NAME.socket
	svc=sshgate-serve-$E2E_NAME@.service
	E2E_SERVE_SOCKET=$(e2e_unit_get "$sock" ListenStream)
	user=$(e2e_unit_get "$svc" User)
	group=$(e2e_unit_get "$svc" Group)
	wd=$(e2e_unit_get "$svc" WorkingDirectory)
	exec=$(e2e_unit_get "$svc" ExecStart)
	umask_=$(e2e_unit_get "$svc" UMask)
	while IFS= read -r e; do
		env_args+=("$e")
	done < <(sed -n 's/^Environment=//p' "$(e2e_unit "$svc")")
	[ "$(e2e_unit_get "$sock" Accept)" = yes ] || sgt_bail "socket unit without Accept=yes"
	[ "$(e2e_unit_get "$svc" StandardInput)" = socket ] &&
	    [ "$(e2e_unit_get "$svc" StandardOutput)" = socket ] ||
	    sgt_bail "service does not talk over the socket"
	mkdir -p -m "$(e2e_unit_get "$sock" DirectoryMode)" \
	    "$E2E_SRV_ROOT$(dirname "$E2E_SERVE_SOCKET")"
	rm -f "$E2E_SRV_ROOT$E2E_SERVE_SOCKET"
	# StandardError=journal: here, a file.
	# shellcheck disable=SC2086
	(umask "$umask_"; exec "${E2E_SRV_RUN[@]}" systemd-socket-activate \
	    --accept --inetd -l "$E2E_SERVE_SOCKET" -- \
	    setpriv --reuid="$user" --regid="$group" --init-groups -- \
	    env -i -C "$wd" HOME="$(e2e_on_srv getent passwd "$user" | cut -d: -f6)" \
	    USER="$user" LOGNAME="$user" PATH=/usr/bin:/bin LANG=C.UTF-8 \
	    "${env_args[@]}" $exec) 2>>"$E2E_SRV/journal.log" &
	E2E_SERVE_PID=$!
	SGT_PIDS="$SGT_PIDS $E2E_SERVE_PID"
	local i
	for i in $(seq 100); do
		[ -S "$E2E_SRV_ROOT$E2E_SERVE_SOCKET" ] && break
		sleep 0.05
	done
	[ -S "$E2E_SRV_ROOT$E2E_SERVE_SOCKET" ] || sgt_bail "socket activation did not listen"
	e2e_on_srv chown "$(e2e_unit_get "$sock" SocketUser):$(e2e_unit_get "$sock" SocketGroup)" \
	    "$E2E_SERVE_SOCKET" &&
	    e2e_on_srv chmod "$(e2e_unit_get "$sock" SocketMode)" "$E2E_SERVE_SOCKET"
}

e2e_serve_stop() {
	[ -n "${E2E_SERVE_PID:-}" ] || return 0
	kill "$E2E_SERVE_PID" 2>/dev/null
	wait "$E2E_SERVE_PID" 2>/dev/null
	E2E_SERVE_PID=
	rm -f "$E2E_SRV_ROOT$E2E_SERVE_SOCKET"
}

# Run as the backup account, as the backup service would: its own
# environment only.
e2e_as_server() {
	"${E2E_SRV_RUN[@]}" env -i HOME="$E2E_HOME" USER="$E2E_SERVER" LOGNAME="$E2E_SERVER" \
	    PATH=/usr/bin:/bin LANG=C.UTF-8 \
	    setpriv --reuid="$E2E_SERVER" --regid="$E2E_SERVER" --init-groups -- "$@"
}

e2e_borgmatic() { e2e_as_server borgmatic "$@"; }

# What sshgate-backup-vps.service runs (ExecStartPre=, then ExecStart=),
# line by line, as its User; a
# line with systemd's "+" prefix as root (full privileges), with an
# environment as empty as systemd's.  On failure, what its OnFailure=
# unit runs (e2e_alert_service), as systemd would start it.
e2e_backup_service() {
	local svc line rc=0
	svc=sshgate-backup-$E2E_NAME.service
	[ "$(e2e_unit_get "$svc" User)" = "$E2E_SERVER" ] || return 1
	while IFS= read -r line; do
		case $line in
		+*)	# shellcheck disable=SC2086
			e2e_on_srv env -i PATH=/usr/bin:/bin LANG=C.UTF-8 ${line#+} ;;
		*)	# shellcheck disable=SC2086
			e2e_as_server $line ;;
		esac
		rc=$?
		[ $rc -eq 0 ] || break
	done < <(sed -n 's/^ExecStartPre=//p' "$(e2e_unit "$svc")"
	    sed -n 's/^ExecStart=//p' "$(e2e_unit "$svc")")
	[ $rc -eq 0 ] || e2e_alert_service "$svc" >> "$E2E_SRV/alert.log" 2>&1
	return $rc
}

# The OnFailure= unit of UNIT (a template instance named after UNIT, as
# systemd's %n gives it), its ExecStart as root.
e2e_alert_service() {	# e2e_alert_service UNIT
	local on tmpl inst line
	on=$(e2e_unit_get "$1" OnFailure)
	on=${on//%n/$1}
	tmpl=${on%%@*}@.service
	[ -f "$(e2e_unit "$tmpl")" ] || { echo "no unit $tmpl"; return 1; }
	inst=${on#*@}
	inst=${inst%.service}
	line=$(e2e_unit_get "$tmpl" ExecStart)
	line=${line//%i/$inst}
	# shellcheck disable=SC2086
	e2e_on_srv env -i PATH=/usr/bin:/bin LANG=C.UTF-8 $line
}

# Archives in the repository, read on the server side (local config).
e2e_archives() {
	e2e_as_server env BORG_PASSCOMMAND="cat $E2E_CONF/$E2E_NAME.passphrase" \
	    BORG_BASE_DIR="$E2E_HOME" borg list --short "$E2E_REPO"
}

# Restore ARCHIVE into DIR (created) as root, on the server side: root so
# that owners, the root-only file and ACLs come back; --bypass-lock so
# that root writes nothing into the backup account's repository.  DIR
# is a path on the server (inside its machine, if it has one).
e2e_restore() {	# e2e_restore ARCHIVE DIR
	mkdir -p "$E2E_SRV_ROOT$2" && chmod 0700 "$E2E_SRV_ROOT$2" &&
	    e2e_on_srv env -i -C "$2" PATH=/usr/bin:/bin LANG=C.UTF-8 \
	    HOME="$E2E_ROOT_BORG" BORG_BASE_DIR="$E2E_ROOT_BORG" \
	    BORG_PASSCOMMAND="cat $E2E_CONF/$E2E_NAME.passphrase" \
	    borg extract --bypass-lock "$E2E_REPO::$1"
}

# The tree to back up: every kind of thing borg must bring back.
e2e_make_tree() {	# e2e_make_tree DIR [SEED]
	"$SGT_PY" "$top_srcdir/tests/e2e/treecmp" make "$1" "${2:-1}" "$SGT_LOGIN"
}
e2e_snapshot() { "$SGT_PY" "$top_srcdir/tests/e2e/treecmp" snapshot "$1"; }
e2e_compare() { "$SGT_PY" "$top_srcdir/tests/e2e/treecmp" compare "$1" "$2"; }

# Watch every process's argv on the host for a string, until stopped.
# The string reaches the watcher in a file, never in its own argv.
e2e_watch_argv_start() {	# e2e_watch_argv_start STRING OUTFILE
	: > "$2"
	(umask 077; printf '%s' "$1" > "$SGT_DIR/.watch-needle")
	cat > "$SGT_DIR/.watch.py" <<'PY'
import os, sys, time
needle = open(sys.argv[1], "rb").read()
out, stop = sys.argv[2], sys.argv[3]
me = str(os.getpid())
seen, samples = set(), 0
while not os.path.exists(stop):
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or pid == me:
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read()
        except OSError:
            continue
        seen.add(argv.split(b"\0")[0])
        if needle in argv:
            with open(out, "ab") as f:
                f.write(b"pid %s: %s\n" % (pid.encode(), argv.replace(b"\0", b" ")))
    samples += 1
    time.sleep(0.02)
with open(out + ".seen", "wb") as f:
    f.write(b"\n".join(sorted(seen)) + b"\n")
with open(out + ".samples", "w") as f:
    f.write("%d\n" % samples)
PY
	"$SGT_PY" "$SGT_DIR/.watch.py" "$SGT_DIR/.watch-needle" "$2" "$SGT_DIR/.watch-stop" &
	E2E_WATCH_PID=$!
	SGT_PIDS="$SGT_PIDS $E2E_WATCH_PID"
}

e2e_watch_argv_stop() {
	touch "$SGT_DIR/.watch-stop"
	wait "$E2E_WATCH_PID" 2>/dev/null
	rm -f "$SGT_DIR/.watch-stop"
}

# ssh to the VPS as the backup server does, with the job's key, but
# without the wrapper (no tunnel unless given): for attacks and faults.
e2e_ssh() {	# e2e_ssh [SSH-OPTIONS...] [--] [COMMAND]
	e2e_as_server ssh -F /dev/null -T -o BatchMode=yes \
	    -o IdentitiesOnly=yes -o IdentityFile="$E2E_CONF/$E2E_NAME.key" \
	    -o UserKnownHostsFile="$E2E_CONF/$E2E_NAME.known_hosts" \
	    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
	    -o LogLevel=ERROR -l "$SGT_LOGIN" "$@"
}

# The gate's last log line about a denial, without the syslog prefix.
e2e_last_deny() {
	grep 'sshgate\[[0-9]*\]: deny ' "$SGT_DIR/syslog" | tail -1 |
	    sed 's/^.*sshgate\[[0-9]*\]: //'
}

# ---- several backup servers for one VPS ------------------------------------
#
#   e2e_server_add NAME      # server NAME: setup/server/install --vps-server
#   e2e_server_use NAME      # the server side's E2E_* are server NAME's
#   e2e_vps_install_servers  # setup/vps/install --server NAME for each
#
# Each server lives on this host with its own account (sgt-sNAME<id>),
# directories, units and repository under $SGT_DIR/srv-NAME, and backs up
# the same VPS (E2E_DATA).  After e2e_server_use NAME, e2e_serve_start,
# e2e_borgmatic, e2e_archives, e2e_restore and the others act on server
# NAME.  Its socket on the VPS is setup/server/install's default for
# --vps-server NAME, /run/sshgate/LOGIN/NAME.sock (/run is the test's own).

E2E_SERVERS=
declare -A e2e_serve_pids=()

e2e_server_use() {	# e2e_server_use NAME [JOB]
	[ -n "${E2E_SRV_NAME:-}" ] && e2e_serve_pids[$E2E_SRV_NAME/$E2E_NAME]=${E2E_SERVE_PID:-}
	[ $# -lt 2 ] || E2E_NAME=$2
	E2E_SRV_NAME=$1
	E2E_SRV=$SGT_DIR/srv-$1
	E2E_SERVER=sgt-s$1$SGT_ID
	E2E_HOME=$E2E_SRV/home
	E2E_REPO=$E2E_SRV/repos/$E2E_NAME
	E2E_CONF=$E2E_SRV/conf
	E2E_PULL_YAML=$E2E_CONF/$E2E_NAME-pull.yaml
	E2E_LOCAL_YAML=$E2E_CONF/$E2E_NAME-local.yaml
	E2E_LOCAL_SOCKET=$E2E_SRV/run/$E2E_NAME.sock
	E2E_UNIT_DIR=$E2E_SRV/systemd
	# what the installer and e2e_serve_start found out, or nothing yet
	E2E_REMOTE_SOCKET=$(sed -n 's/^REMOTE_SOCKET=//p' "$E2E_CONF/$E2E_NAME.conf" 2>/dev/null)
	E2E_PASSPHRASE=$(cat "$E2E_CONF/$E2E_NAME.passphrase" 2>/dev/null)
	E2E_SERVE_SOCKET=$(e2e_unit_get "sshgate-serve-$E2E_NAME.socket" ListenStream 2>/dev/null)
	E2E_SERVE_PID=${e2e_serve_pids[$1/$E2E_NAME]:-}
	mkdir -p "$E2E_SRV" || sgt_bail "mkdir $E2E_SRV"
}

e2e_server_add() {	# e2e_server_add NAME [INSTALLER OPTIONS...]
	local n=$1
	shift
	e2e_server_use "$n"
	E2E_SERVERS="${E2E_SERVERS:+$E2E_SERVERS }$n"
	# no --remote-socket: the installer's default for --vps-server
	E2E_REMOTE_SOCKET=
	e2e_server_install --vps-server "$n" "$@" || return 1
	e2e_server_use "$n"
}

# ---- pull jobs: several per backup server --------------------------------
#
#   e2e_job_add SERVER JOB [INSTALLER OPTIONS...]
#                            # setup/server/install --name JOB --vps-job JOB
#                            # for server SERVER (its account and
#                            # directories, as e2e_server_add), its own
#                            # manifest; the first --source is E2E_DATA
#   e2e_server_use SERVER JOB  # then the E2E_* are that job's
#   e2e_vps_job JOB OPTION...  # setup/vps/install --job JOB, its server's key

e2e_job_add() {	# e2e_job_add SERVER JOB [INSTALLER OPTIONS...]
	local s=$1 j=$2
	shift 2
	e2e_server_use "$s" "$j"
	case " $E2E_SERVERS " in *" $s "*) ;; *) E2E_SERVERS="${E2E_SERVERS:+$E2E_SERVERS }$s" ;; esac
	E2E_REMOTE_SOCKET=
	e2e_server_install --vps-job "$j" --manifest "$E2E_SRV/manifest-$j" "$@" || return 1
	e2e_server_use "$s" "$j"
}

e2e_vps_job() {	# e2e_vps_job SERVER JOB [OPTION...]
	local s=$1 j=$2
	shift 2
	e2e_vps_installer "/run/sshgate/$SGT_LOGIN" --job "$j" --from 127.0.0.1 \
	    --key-file "$SGT_DIR/srv-$s/conf/$j.key.pub" "$@"
}

# The VPS side for the servers of e2e_server_add, each from 127.0.0.1
# with its own key; options for the VPS installer may follow.
e2e_vps_install_servers() {
	local n args=()
	for n in $E2E_SERVERS; do
		args+=(--server "$n" --from 127.0.0.1
		    --key-file "$SGT_DIR/srv-$n/conf/$E2E_NAME.key.pub")
	done
	e2e_vps_installer "/run/sshgate/$SGT_LOGIN" "${args[@]}" "$@"
}
