# cgroup.sh -- the login account's delegated cgroup v2 subtree (bash, after
# sgt.sh): the caller that tries to move and freeze a run (sshgate(8),
# "THE RUN'S CGROUP"), for tests/root/confine-cgroup.sh and the cgroup rows
# of tests/root/confine-matrix.sh.
#
#   cg_delegate              find the cgroup2 mount, make $DEL below it,
#                            delegated to $SGT_LOGIN; false (nothing made)
#                            without a writable cgroup2 mount
#   cg_start OUT CMD...      CMD in the background, in $DEL, its output in
#                            OUT; its pid in $cg_pid (and in $SGT_PIDS)
#   cgroup_of PID            the process's cgroup v2, as /proc/PID/cgroup
#                            shows it
#   login_write FILE VALUE   the login account writes VALUE to FILE:
#                            "ok" or "errno=NAME"
#   cg_thaw                  thaw $DEL and $DEL/x
#
# $CG is the first cgroup2 mount (on a hybrid system, the unified one),
# $CGROOT the root of the hierarchy that it shows, as /proc/PID/cgroup
# names it ("" for /).  $DEL is sgt-dPID below $CG, made by root and given
# to the login account as systemd delegates a subtree (user@.service):
# the directory and the files that move processes and enable controllers
# are the account's.  The account makes its own cgroup "x" in it.  On exit,
# also after a failure, every process in $DEL or $DEL/x is thawed first
# (before sgt_cleanup signals the test's processes and waits for them: a
# frozen one would not end), then moved to the root of the hierarchy, and
# both cgroups are removed.

cg_delegate() {
	CG=$(findmnt -n -t cgroup2 -o TARGET | head -1)
	[ -n "$CG" ] && [ -w "$CG/cgroup.procs" ] || return 1
	CGROOT=$(findmnt -n -t cgroup2 -o FSROOT "$CG" | head -1)
	[ "$CGROOT" = / ] && CGROOT=
	DEL=$CG/sgt-d$SGT_ID
	trap 'cg_thaw; sgt_cleanup' EXIT
	SGT_EXTRA_CLEANUP="${SGT_EXTRA_CLEANUP:-}; cg_remove"
	mkdir "$DEL" || sgt_bail "mkdir $DEL"
	chown "$SGT_LOGIN:" "$DEL" "$DEL/cgroup.procs" \
	    "$DEL/cgroup.subtree_control" "$DEL/cgroup.threads" ||
	    sgt_bail "chown $DEL"
}

cg_thaw() {
	local d
	[ -n "${DEL:-}" ] || return 0
	for d in "$DEL"/x "$DEL"; do
		[ -e "$d/cgroup.freeze" ] && echo 0 > "$d/cgroup.freeze"
	done 2>/dev/null
	return 0
}

cg_remove() {
	local d p
	cg_thaw
	for d in "$DEL"/x "$DEL"; do
		[ -d "$d" ] || continue
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			echo "$p" > "$CG/cgroup.procs"
		done 2>/dev/null
		rmdir "$d" 2>/dev/null
	done
	return 0
}

cg_start() {	# cg_start OUT CMD...: started by a process already in $DEL
	local out=$1
	shift
	(
		echo "$BASHPID" > "$DEL/cgroup.procs" || exit 99
		exec "$@"
	) >"$out" 2>&1 &
	cg_pid=$!
	SGT_PIDS="$SGT_PIDS $cg_pid"
}

cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null; }

login_write() {
	setpriv --reuid="$SGT_LOGIN" --regid="$SGT_LOGIN" --clear-groups \
	    -- "$SGT_PY" -c '
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    try:
        os.write(fd, sys.argv[2].encode())
    finally:
        os.close(fd)
    print("ok")
except OSError as e:
    print("errno=" + errno.errorcode[e.errno])' "$1" "$2" 2>&1
}
