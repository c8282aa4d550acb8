#!/bin/bash
# The run's cgroup limits (the rule's "pids" and "memory", the default
# pids.max) on a kernel whose cgroup v2 has the pids and memory
# controllers, as Debian 12 and 13 boot it: this host's cgroup v2 is the
# hybrid one, where those controllers belong to cgroup v1, so the gate
# runs in a user-mode Linux (Debian's user-mode-linux: a Linux 6.1 run as
# a process of this host) booted on a Debian 12 machine's disk (an
# overlay over the matrix's bookworm tree, its root file system by
# hostfs).  No Landlock in that kernel: the rules say "landlock
# best-effort".
#
# The machine's init (written below) mounts cgroup2 at /sys/fs/cgroup and
# enables pids and memory at its root, as systemd does; it runs each case
# through the setuid gate as the login account and writes what it saw to
# /sgt-out, with syslog's lines.  The cases then take controllers away
# again, as on a system that lacks them.  This side reads /sgt-out.
. "${top_srcdir:-.}/tests/matrix/lib.sh"
command -v linux.uml >/dev/null ||
    sgt_skip "no linux.uml (Debian's user-mode-linux package)"
for p in usr/bin/python3 usr/bin/setpriv usr/sbin/useradd; do
	[ -x "${SGT_MATRIX_TREES:-/nonexistent}/bookworm/$p" ] ||
	    sgt_skip "no Debian bookworm tree with $p in \$SGT_MATRIX_TREES"
done
mx_enter
mx_overlay m bookworm
R=$MX_DIR/m/root

# this build, the probe, two accounts, the setuid gate in the login's group
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -C "$top_builddir" -s install tests/probe DESTDIR="$R" \
    > "$MX_DIR/make-install.log" 2>&1 ||
    { mx_show "$MX_DIR/make-install.log"; sgt_bail "make install"; }
install -D -o root -g root -m 0755 "$top_builddir/tests/probe" \
    "$R/usr/local/libexec/sgt-probe" || sgt_bail "install the probe"
mx_on m useradd -r -s /bin/sh sgt-login || sgt_bail "useradd sgt-login"
mx_on m useradd -r -s /usr/sbin/nologin sgt-run || sgt_bail "useradd sgt-run"
mx_on m chown root:sgt-login /usr/local/sbin/sshgate &&
    mx_on m chmod 4750 /usr/local/sbin/sshgate || sgt_bail "the gate's group"
policy=$("$top_builddir/sshgate-lint" --print-policy-path)
mkdir -p "$R${policy%/*}" || sgt_bail "mkdir ${policy%/*}"

rule() {	# rule NAME [FIELD LINE...]: runs the probe
	local name=$1
	shift
	printf 'rule %s {\n    run      /usr/local/libexec/sgt-probe\n' "$name"
	printf '    as       sgt-run\n    landlock best-effort\n'
	printf '    %s\n' "$@"
	printf '    args     "%s" /[a-z0-9=]++/*\n}\n' "$name"
}
{
	echo "sshgate-policy 1"
	rule few "pids     16"
	rule few-req "pids     16" "cgroup   require"
	rule small "memory   64M" "timeout  60s"
	rule small-req "memory   64M" "cgroup   require"
	rule plain "timeout  60s"
} > "$R$policy" && chmod 0644 "$R$policy" || sgt_bail "policy"
"$top_builddir/sshgate-lint" -f "$R$policy" > "$MX_DIR/lint.log" 2>&1
ok $? "the policy passes the linter" || mx_show "$MX_DIR/lint.log"

cat > "$R/sgt-init" <<'EOF'
#!/bin/sh
# init of the user-mode Linux: mounts, cases, power off
PATH=/usr/sbin:/usr/bin:/sbin:/bin
O=/sgt-out
CG=/sys/fs/cgroup
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t cgroup2 cgroup2 $CG
mount -t tmpfs -o mode=0755 run /run
mount -t tmpfs -o mode=1777 tmp /tmp
mountpoint -q /dev || mount -t devtmpfs dev /dev
echo "+pids +memory" > $CG/cgroup.subtree_control
cat $CG/cgroup.subtree_control > $O/controllers
python3 -c '
import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log"); os.chmod("/dev/log", 0o666)
out = open("/sgt-out/syslog", "ab", buffering=0)
os.write(1, b"r\n")
while True:
    out.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
' > $O/syslog-ready &
while [ ! -s $O/syslog-ready ]; do sleep 0.1; done

gate() {	# gate NAME COMMAND: the login account's ssh command
	env -i SSH_ORIGINAL_COMMAND="$2" setpriv --reuid=sgt-login \
	    --regid=sgt-login --clear-groups -- /usr/local/sbin/sshgate \
	    > $O/$1.out 2>&1
	echo $? > $O/$1.rc
}
# The run's limits, read as root while the probe waits for a line.
limits() {	# limits NAME COMMAND
	{
		i=0
		while [ $i -lt 100 ]; do
			for d in $CG/sshgate/run-*; do
				grep -qs . $d/cgroup.procs && break 2
			done
			sleep 0.1
			i=$((i + 1))
		done
		echo "pids.max $(cat $d/pids.max)" > $O/$1.limits
		echo "memory.max $(cat $d/memory.max)" >> $O/$1.limits
		echo
	} | gate "$@"
}

gate forks "few forks=40"
limits small "small await"
limits plain "plain await"
gate alloc16 "small alloc=16"
gate alloc256 "small alloc=256"
cp $O/syslog $O/syslog-both
# a system without the memory controller, then without pids
echo -memory > $CG/sshgate/cgroup.subtree_control &&
    echo -memory > $CG/cgroup.subtree_control &&
    cat $CG/cgroup.subtree_control > $O/controllers-nomem
gate nomem-req "small-req alloc=16"
gate nomem "small alloc=16"
echo -pids > $CG/sshgate/cgroup.subtree_control &&
    echo -pids > $CG/cgroup.subtree_control &&
    cat $CG/cgroup.subtree_control > $O/controllers-none
gate nopids-req "few-req forks=4"
gate nopids "plain forks=4"
sleep 0.5		# syslog's last lines
echo done > $O/done
sync
# reboot(2) RB_POWER_OFF: the user-mode kernel exits (sysrq's o aborts it)
python3 -c 'import ctypes; ctypes.CDLL(None).reboot(0x4321fedc)'
EOF
chmod 0755 "$R/sgt-init" && mkdir -m 0755 "$R/sgt-out" || sgt_bail "init"

# The kernel's memory: its own file under $MX_DIR, not /dev/shm's.
mkdir -m 0700 "$MX_DIR/uml-tmp"
TMPDIR=$MX_DIR/uml-tmp timeout 300 linux.uml mem=384M rootfstype=hostfs \
    rootflags="$R" rw init=/sgt-init con=null con0=fd:0,fd:1 \
    < /dev/null > "$MX_DIR/uml.log" 2>&1
[ -f "$R/sgt-out/done" ]
ok $? "the user-mode Linux ran every case" ||
    { mx_show "$MX_DIR/uml.log" 30; sgt_bail "no results"; }
O=$R/sgt-out
out() { cat "$O/$1.out"; }
rc() { cat "$O/$1.rc"; }
log() { grep -F -- "$1" "$O/syslog"; }

is "$(cat "$O/controllers")" "memory pids" "pids and memory are enabled at the root, as systemd does"
is "$(rc forks)" 0 "pids 16 (no timeout): the rule runs, supervised"
is "$(out forks | grep '^forks=')" "forks=40: errno=EAGAIN after 15" \
    "... the program and 15 children, then fork fails (EAGAIN)"
is "$(cat "$O/small.limits")" "pids.max 4097
memory.max 67108864" "memory 64M: memory.max 64 MiB"
is "$(cat "$O/plain.limits")" "pids.max 4097
memory.max max" "no pids field: pids.max is the default, 4096 and one for the supervisor; no memory field: no memory.max"
is "$(out alloc16 | grep '^alloc=')" "alloc=16: ok" "... 16 MiB can be used"
is "$(rc alloc256)" 137 "... 256 MiB cannot: the program is killed (128 + SIGKILL)"
out alloc256 | grep -q '^alloc='
ok $((!$?)) "... before it could say it had them"
log "rule=small exit=137 " > /dev/null
ok $? "... and the log says how it ended"
log "rule=few exit=0 " > /dev/null
ok $? "a rule with a limit and no timeout has its exit logged too"
! grep -q "controller" "$O/syslog-both"
ok $? "with both controllers nothing is logged of them"

is "$(cat "$O/controllers-nomem")" "pids" "then a system without the memory controller"
is "$(rc nomem-req)" 5 "memory and cgroup require: refused, exit 5"
out nomem-req | grep -q "no memory controller in /sys/fs/cgroup/sshgate for the run's limit; rule 'small-req' says cgroup require"
ok $? "... saying why"
! out nomem-req | grep -q '^alloc='
ok $? "... and the program did not run"
is "$(rc nomem)" 0 "memory and cgroup best-effort: the rule runs"
log "rule=small cgroup: no memory controller in /sys/fs/cgroup/sshgate; running without the rule's limit (cgroup best-effort)" > /dev/null
ok $? "... and the log says it runs without the limit"

is "$(cat "$O/controllers-none")" "" "then one without pids either"
is "$(rc nopids-req)" 5 "pids and cgroup require: refused, exit 5"
out nopids-req | grep -q "no pids controller in /sys/fs/cgroup/sshgate for the run's limit; rule 'few-req' says cgroup require"
ok $? "... saying why"
is "$(out nopids | grep '^forks=')" "forks=4: ok" "the default pids.max without the controller: the rule runs"
! log "rule=plain cgroup:" > /dev/null
ok $? "... without a line in the log (every run of such a host would have one)"
sgt_done
