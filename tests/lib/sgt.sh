# sgt.sh -- shared helpers for the tests that need root (bash, TAP).
#
#   . "$top_srcdir/tests/lib/sgt.sh"
#   sgt_init                 # root + private mount namespace, or skip
#   sgt_policy FILE          # install FILE at the gate's compiled-in path
#   sgt_gate [VAR=val ...] -- [ARG ...]
#                            # run the setuid gate as the login account
#                            # (under the command in the array SGT_SESSION,
#                            # if set: e.g. tests/lib/session.py, sshd's
#                            # session process for sshgate-connect)
#   ok COND-EXIT-STATUS "description"; sgt_done
#
# Everything a test creates is named sgt-*: the accounts $SGT_LOGIN and
# $SGT_RUNNER, the directory $SGT_DIR (a tmpfs that lives only in this
# test's private mount namespace).  An EXIT trap removes all of it, also
# when the test fails or is interrupted.
#
# Inside the namespace the test gets its own /run (an empty tmpfs but
# for /run/sshd), its own /dev (the real nodes bound in) with a syslog
# listener on /dev/log writing to $SGT_DIR/syslog, and a tmpfs over the
# directory of the gate's compiled-in policy, so that the real setuid
# binary reads the test's policy without touching the host.

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
SGT_PY=/usr/bin/python3

sgt_n=0
sgt_failed=0

ok() {	# ok STATUS DESCRIPTION: STATUS 0 is a pass
	sgt_n=$((sgt_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $sgt_n - $2"
	else
		echo "not ok $sgt_n - $2"
		sgt_failed=$((sgt_failed + 1))
	fi
}

is() {	# is GOT WANT DESCRIPTION (status 1 on a failure)
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '# got:  %s\n# want: %s\n' "$1" "$2"
		return 1
	fi
}

diag() { printf '# %s\n' "$@"; }

sgt_done() {
	echo "1..$sgt_n"
	[ "$sgt_failed" -eq 0 ]
	exit $?
}

sgt_skip() {	# a skip is a failure when the tests must run (CI)
	if [ "${SSHGATE_TESTS_MUST_RUN:-0}" = 1 ]; then
		echo "1..1"
		echo "not ok 1 - must run, but: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

sgt_bail() {
	echo "Bail out! $*"
	exit 1
}

# The gate's compiled-in policy path, as the build defined it.
# Tests that lint policies whose rules run /usr/bin/borg: the linter
# checks on this host that the program is there and trusted (warning
# program-not-trusted), so without borgbackup their output would differ.
# Where /usr/bin/borg is missing, the test runs again in a private mount
# namespace whose /usr/bin is an overlay with a root-owned stub borg on
# top (never run: the linter only looks at it), a Python script without
# -I on its #! line like Debian's (the linter reads that line: warning
# interpreter); the host is not touched.
sgt_host_borg() {	# sgt_host_borg "$@": at the top of the test
	[ -n "${SGT_HOST_BORG:-}" ] || [ -e /usr/bin/borg ] && return 0
	[ "$(id -u)" = 0 ] ||
	    sgt_skip "no /usr/bin/borg (borgbackup) and not root to stand one in"
	SGT_HOST_BORG=1 unshare -m --propagation private -- /bin/bash -c '
		stub=$(mktemp -d /tmp/sgt-borg.XXXXXX) || exit 99
		chmod 0755 "$stub" &&
		    printf "#!/usr/bin/python3\nimport sys\nsys.exit(1)\n" > "$stub/borg" &&
		    chmod 0755 "$stub/borg" &&
		    mount -t overlay -o "lowerdir=$stub:/usr/bin" sgt-borg /usr/bin ||
		    { rm -rf "$stub"; exit 99; }
		bash "$0" "$@"
		rc=$?
		umount /usr/bin
		rm -rf "$stub"
		exit $rc' "$0" "$@"
	exit $?
}

sgt_policy_path() {
	"$top_builddir/sshgate-lint" --print-policy-path
}

# pgrep and pkill in this test's PID namespace only: other tests (the
# CI stages run side by side) have machines in PID namespaces of their
# own whose accounts may have the same uids as this test's.
sgt_pgrep() {
	pgrep --ns $$ --nslist pid "$@"
}
sgt_pkill() {
	pkill --ns $$ --nslist pid "$@"
}

sgt_cleanup() {
	set +e
	if [ -n "${SGT_PIDS:-}" ]; then
		kill $SGT_PIDS 2>/dev/null
		wait 2>/dev/null
	fi
	[ -n "${SGT_EXTRA_CLEANUP:-}" ] && eval "$SGT_EXTRA_CLEANUP"
	# The account goes only once its last process has been reaped:
	# useradd gives the next test's account the same uid, and a process
	# still dying would count as that account's (pgrep -u).
	for u in ${SGT_USERS:-}; do
		for i in $(seq 50); do
			sgt_pkill -KILL -u "$u" 2>/dev/null ||
			    break
			sleep 0.1
		done
		userdel "$u" >/dev/null 2>&1
		groupdel "$u" >/dev/null 2>&1
	done
	# the gate's cgroup directory, if the gate made it during the test:
	# the run-PID of supervisors that are gone (one killed with SIGKILL
	# leaves its own), then the directory, once the last supervisor has
	# removed its run-PID (2 s at most; a run of another test keeps it).
	# Only when no other test runs (the lock sgt_init took, made
	# exclusive): a gate of another test between its mkdir of sshgate/
	# and that of its run-PID would find sshgate/ gone and run without
	# a cgroup (a warning in the log: tests/load/soak.sh counted one
	# line too many when another test ended beside it).
	if [ -n "${SGT_CGROUP_NEW:-}" ] && [ -d "$SGT_CGROUP_NEW" ] &&
	    [ -n "${SGT_CGROUP_LOCK:-}" ] && flock -x -n "$SGT_CGROUP_LOCK"; then
		for i in $(seq 20); do
			for d in "$SGT_CGROUP_NEW"/run-*; do
				[ -d "$d" ] && ! kill -0 "${d##*/run-}" 2>/dev/null &&
				    rmdir "$d/prog" "$d"
			done 2>/dev/null
			rmdir "$SGT_CGROUP_NEW" 2>/dev/null && break
			sleep 0.1
		done
	fi
	if [ -n "${SGT_DIR:-}" ]; then
		umount -R "$SGT_DIR" 2>/dev/null
		rmdir "$SGT_DIR" 2>/dev/null || rm -rf "$SGT_DIR"
	fi
}

sgt_add_user() {	# sgt_add_user NAME [SHELL]: account + own group
	useradd -M -d "$SGT_DIR/home/$1" -s "${2:-/bin/sh}" -U "$1" ||
	    sgt_bail "useradd $1"
	SGT_USERS="${SGT_USERS:-} $1"
}

# A /dev of our own: the real nodes bound in (recursively: in a test
# that runs another inside, the outer /dev is itself made of bind mounts),
# and /dev/log ours.
sgt_private_dev() {
	local d=$SGT_DIR/dev.real n
	mkdir -p "$d"
	mount --rbind /dev "$d" || sgt_bail "bind /dev"
	mount -t tmpfs -o mode=0755,nosuid sgt-dev /dev || sgt_bail "tmpfs /dev"
	for n in null zero full random urandom tty; do
		touch "/dev/$n"
		mount --bind "$d/$n" "/dev/$n"
	done
	# ptmx finds its devpts as "pts" beside it, which a bind mount of
	# the single file cannot (opening it fails with ENOENT): a node
	mknod -m 0666 /dev/ptmx c 5 2 || sgt_bail "mknod /dev/ptmx"
	mkdir -p /dev/pts /dev/shm
	mount --bind "$d/pts" /dev/pts
	mount -t tmpfs -o mode=1777,nosuid,nodev sgt-shm /dev/shm
	ln -s /proc/self/fd /dev/fd
	ln -s /proc/self/fd/0 /dev/stdin
	ln -s /proc/self/fd/1 /dev/stdout
	ln -s /proc/self/fd/2 /dev/stderr
	umount -l "$d"
	rmdir "$d"
	# syslog: one datagram, one line
	: > "$SGT_DIR/syslog"
	"$SGT_PY" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log"); os.chmod("/dev/log", 0o666)
out = open(sys.argv[1], "ab", buffering=0)
os.write(3, b"r"); os.close(3)
while True:
    out.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
' "$SGT_DIR/syslog" 3>"$SGT_DIR/.logready" &
	SGT_PIDS="${SGT_PIDS:-} $!"
	while [ ! -s "$SGT_DIR/.logready" ]; do sleep 0.05; done
}

# The valgrind stage (tests/run.d/valgrind) sets SGT_VALGRIND to a
# directory with sgt-vggate and sgt-vgshim.so (tests/valgrind/): the
# gate's place is taken by sgt-vggate, setuid like the gate, which runs
# the real gate (sshgate.real) under memcheck.  $SGT_GATE_NATIVE is the
# gate without valgrind, for the checks of resource limits, which
# valgrind itself would not survive.
sgt_valgrind_install() {
	local b=$SGT_DIR/bin
	mv "$b/sshgate" "$b/sshgate.real" && chmod 0750 "$b/sshgate.real" &&
	    install -o root -g "$SGT_LOGIN" -m 4750 "$SGT_VALGRIND/sgt-vggate" \
	    "$b/sshgate" &&
	    install -o root -g root -m 0644 "$SGT_VALGRIND/sgt-vgshim.so" \
	    "$b/sgt-vgshim.so" &&
	    install -o root -g "$SGT_LOGIN" -m 4750 "$top_builddir/sshgate" \
	    "$b/sshgate-native" || sgt_bail "install the gate under valgrind"
	SGT_GATE_NATIVE=$b/sshgate-native
}

# A /run of our own, before anything is made under it: no test depends
# on what another program left in the host's /run (sshd -T wants
# /run/sshd, which only a running sshd or systemd-tmpfiles makes), and
# nothing a test makes there reaches the host or another test.  The
# source and build trees must not be under it.
sgt_private_run() {
	case $(cd "$top_srcdir" && pwd -P)/ in /run/*)
		sgt_bail "the source tree is under /run, which a test covers" ;;
	esac
	case $(cd "$top_builddir" && pwd -P)/ in /run/*)
		sgt_bail "the build tree is under /run, which a test covers" ;;
	esac
	mount -t tmpfs -o mode=0755,nosuid,nodev sgt-run /run ||
	    sgt_bail "tmpfs /run"
	mkdir -m 0755 /run/sshd || sgt_bail "mkdir /run/sshd"
}

# sgt_private_dir DIR MODE: an empty tmpfs of this test's own over DIR
# (/tmp, /var/tmp), in its mount namespace.  The source and build trees
# stay visible when they lie under DIR (a clone in a mktemp -d folder):
# their top directory there is bound back in.
sgt_private_dir() {
	local dir=$1 mode=$2 t top keep
	local trees=("$(cd "$top_srcdir" && pwd -P)" "$(cd "$top_builddir" && pwd -P)")
	keep=$SGT_DIR/host${dir//\//-}
	mkdir -p "$keep" && mount --bind "$dir" "$keep" &&
	    mount -t tmpfs -o "mode=$mode" "sgt${dir//\//-}" "$dir" ||
	    sgt_bail "a private $dir"
	for t in "${trees[@]}"; do
		case $t/ in "$dir"/*) ;; *) continue ;; esac
		top=${t#"$dir"/}
		top=${top%%/*}
		mountpoint -q "$dir/$top" && continue
		mkdir -p "$dir/$top" && mount --bind "$keep/$top" "$dir/$top" ||
		    sgt_bail "bind $dir/$top back into the private $dir"
	done
}

sgt_init() {
	[ "$(id -u)" = 0 ] || sgt_skip "needs root"
	command -v unshare >/dev/null || sgt_skip "needs unshare"
	if [ -z "${SGT_IN_NS:-}" ]; then
		SGT_IN_NS=1 exec unshare -m --propagation private -- \
		    /bin/bash "$0" "$@"
		sgt_skip "cannot enter a private mount namespace"
	fi
	SGT_ID=$$
	sgt_private_run
	SGT_DIR=/run/sgt-$SGT_ID
	SGT_LOGIN=sgt-l$SGT_ID
	SGT_RUNNER=sgt-r$SGT_ID
	SGT_USERS=
	SGT_PIDS=
	SGT_SESSION=()
	# The gate makes <cgroup2>/sshgate for its runs (gate/cgroup.c) and
	# keeps it; a test removes it again if it was not there before.
	# Every root test holds a shared lock on the cgroup2 mount's
	# directory (one for the whole host: the hierarchy is shared by
	# every mount namespace) until it ends; sgt_cleanup removes
	# sshgate/ only when it gets the lock alone (tests run side by side
	# under make -j2, and several suites on one machine).
	SGT_CGROUP_NEW=$(findmnt -n -t cgroup2 -o TARGET 2>/dev/null | head -1)
	SGT_CGROUP_LOCK=
	if [ -n "$SGT_CGROUP_NEW" ]; then
		exec {SGT_CGROUP_LOCK}<"$SGT_CGROUP_NEW" &&
		    flock -s -w 60 "$SGT_CGROUP_LOCK" ||
		    sgt_bail "lock $SGT_CGROUP_NEW"
	fi
	if [ -n "$SGT_CGROUP_NEW" ] && [ ! -e "$SGT_CGROUP_NEW/sshgate" ]; then
		SGT_CGROUP_NEW=$SGT_CGROUP_NEW/sshgate
	else
		SGT_CGROUP_NEW=
	fi
	trap sgt_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$SGT_DIR" && chmod 0755 "$SGT_DIR" || sgt_bail "mkdir"
	# suid and exec: the setuid gate is installed here
	mount -t tmpfs -o mode=0755,suid,exec,dev "sgt-$SGT_ID" "$SGT_DIR" ||
	    sgt_bail "tmpfs $SGT_DIR"
	mkdir -p "$SGT_DIR/bin" "$SGT_DIR/home"
	sgt_add_user "$SGT_LOGIN" /bin/sh
	sgt_add_user "$SGT_RUNNER" /usr/sbin/nologin
	mkdir -p "$SGT_DIR/home/$SGT_LOGIN"
	chown "$SGT_LOGIN:" "$SGT_DIR/home/$SGT_LOGIN"
	install -o root -g "$SGT_LOGIN" -m 4750 "$top_builddir/sshgate" \
	    "$SGT_DIR/bin/sshgate" || sgt_bail "install gate"
	SGT_GATE_NATIVE=$SGT_DIR/bin/sshgate
	[ -n "${SGT_VALGRIND:-}" ] && sgt_valgrind_install
	install -o root -g root -m 0755 "$top_builddir/sshgate-lint" \
	    "$SGT_DIR/bin/sshgate-lint"
	if [ -x "$top_builddir/sshgate-connect" ]; then
		install -o root -g root -m 0755 "$top_builddir/sshgate-connect" \
		    "$SGT_DIR/bin/sshgate-connect"
	fi
	sgt_private_dev
	# The compiled-in policy directory, covered by our own tmpfs: the
	# nearest directory on its path that exists (under make distcheck
	# the prefix is still empty), but never one the system needs.
	SGT_POLICY=$(sgt_policy_path) || sgt_bail "policy path"
	local pd
	pd=$(dirname "$SGT_POLICY")
	while [ ! -d "$pd" ]; do
		pd=$(dirname "$pd")
	done
	case $pd in
	/|/etc|/usr|/usr/local|/var|/run|/opt|/home|/tmp|/srv|/root)
		sgt_bail "will not cover $pd for $SGT_POLICY" ;;
	esac
	mount -t tmpfs -o mode=0755 sgt-policy "$pd" || sgt_bail "tmpfs $pd"
	mkdir -p "$(dirname "$SGT_POLICY")"
	chmod 0755 "$(dirname "$SGT_POLICY")"
}

sgt_policy() {	# install a policy file (or stdin with "-") where the gate reads
	if [ "$1" = - ]; then
		cat > "$SGT_POLICY"
	else
		cp "$1" "$SGT_POLICY"
	fi
	chown root:root "$SGT_POLICY"
	chmod 0644 "$SGT_POLICY"
}

# Run the setuid gate as the login account, with only the given
# environment: sgt_gate [NAME=value ...] -- [gate arguments].  The words of
# the array SGT_SESSION, if any, come first: the command that starts it.
sgt_gate() {
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	# Through sh: setpriv may still hold root's capabilities at its own
	# execve, which would let it past the gate's 4750 mode; sh holds none,
	# so the kernel checks the mode as it would for the real login.
	"${SGT_SESSION[@]}" env -i "${envs[@]}" setpriv --reuid="$SGT_LOGIN" \
	    --regid="$SGT_LOGIN" --clear-groups -- /bin/sh -c 'exec "$@"' sh \
	    "$SGT_DIR/bin/sshgate" "$@"
}
