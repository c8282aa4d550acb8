#!/bin/bash
# Load: 50 concurrent ssh sessions through the gate on loopback, with the
# shipped installers' setup and policy -- first 50 permitted "borg
# --version" (the real borg, confined), then 50 of which half are denied.
# Every session succeeds or is cleanly refused, none hangs; afterwards no
# process of the login or runner account is left, no session of sshd, no
# TCP connection, and sshd's listener holds the descriptors it held.
. "${top_srcdir:-.}/tests/e2e/lib.sh"
e2e_init "$@"
N=${SGT_LOAD_SESSIONS:-50}
# sshd's defaults refuse unauthenticated connections beyond 10 at a time
# (MaxStartups 10:30:100): raise them, for this sshd only.
sed -i '1i MaxStartups 200:30:300' "$E2E_VPS/sshd_config"
e2e_sshd_start
sshd_pid=$(cat "$E2E_VPS/sshd.pid")

# one session, as the backup server would start it, under a hang detector
session() {	# session I COMMAND: output in $SGT_DIR/s.I.{out,err,rc}
	e2e_as_server timeout -k 10 300 ssh -F /dev/null -T -o BatchMode=yes \
	    -o IdentitiesOnly=yes -o IdentityFile="$E2E_CONF/$E2E_NAME.key" \
	    -o UserKnownHostsFile="$E2E_CONF/$E2E_NAME.known_hosts" \
	    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
	    -o LogLevel=ERROR -l "$SGT_LOGIN" 127.0.0.1 "$2" </dev/null \
	    >"$SGT_DIR/s.$1.out" 2>"$SGT_DIR/s.$1.err"
	echo $? > "$SGT_DIR/s.$1.rc"
}
quiet() {	# wait until nothing of the sessions is left, up to 10 s
	for i in $(seq 200); do
		sgt_pgrep -u "$SGT_LOGIN" >/dev/null || sgt_pgrep -u "$SGT_RUNNER" >/dev/null ||
		    [ -n "$(pgrep -P "$sshd_pid")" ] || return 0
		sleep 0.05
	done
}
state() {	# what must be as before
	echo "sshd listener fds: $(ls /proc/"$sshd_pid"/fd | wc -l)"
	pgrep -P "$sshd_pid" -a | sed 's/^/sshd session: /'
	ps -o pid=,args= -u "$SGT_LOGIN" -u "$SGT_RUNNER" | sed 's/^/process: /'
	ss -Htn state established | sed 's/^/tcp: /'
	ss -Hxl | grep -v '/dev/log' | sed 's/^/unix listener: /'
}
# a first session, so that everything sshd opens once is open
session 0 "borg --version"
quiet
state > "$SGT_DIR/state.before"
grep -q '^sshd listener fds: [0-9]' "$SGT_DIR/state.before"
ok $? "sshd listens ($(head -1 "$SGT_DIR/state.before"))"
permits0=$(grep -c 'sshgate\[[0-9]*\]: permit rule=borg-version ' "$SGT_DIR/syslog")

wave() {	# wave NAME: N sessions at once, command by index
	local i pids=()
	for i in $(seq "$N"); do
		session "$i" "$(cmd "$i")" &
		pids+=($!)
	done
	wait "${pids[@]}"
	local good=0 hung=0 bad=0
	: > "$SGT_DIR/bad"
	for i in $(seq "$N"); do
		rc=$(cat "$SGT_DIR/s.$i.rc")
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			hung=$((hung + 1))
		elif expected "$i" "$rc"; then
			good=$((good + 1))
		else
			bad=$((bad + 1))
			{ echo "session $i: status $rc"; cat "$SGT_DIR/s.$i.out" "$SGT_DIR/s.$i.err"; } >> "$SGT_DIR/bad"
		fi
	done
	is "$good:$hung:$bad" "$N:0:0" "$1: $N concurrent sessions, each as expected, none hung"
	head -20 "$SGT_DIR/bad" | sed 's/^/#   /'
	is "$(cat "$SGT_DIR"/s.*.err | grep -c 'syslog unavailable')" 0 \
	    "$1: no session was told its decision went unlogged"
}

# ---- 50 permitted at once ------------------------------------------------------
cmd() { echo "borg --version"; }
expected() {	# the real borg answered, confined by the gate
	[ "$2" = 0 ] && [ "$(cat "$SGT_DIR/s.$1.out")" = "borg 1.2.4" ]
}
wave "permitted"
for i in $(seq 100); do
	n=$(($(grep -c 'sshgate\[[0-9]*\]: permit rule=borg-version ' "$SGT_DIR/syslog") - permits0))
	[ "$n" -ge "$N" ] && break
	sleep 0.05
done
is "$n" "$N" "the gate logged $N permits"
quiet
state > "$SGT_DIR/state.after1"
cmp -s "$SGT_DIR/state.before" "$SGT_DIR/state.after1"
ok $? "afterwards: no process, sshd session, TCP connection or listener left; sshd's descriptors as before"
diff "$SGT_DIR/state.before" "$SGT_DIR/state.after1" | sed 's/^/#   /'

# ---- 50 at once, every second one denied -------------------------------------------
cmd() {
	if [ $(($1 % 2)) = 0 ]; then
		echo "borg '--version' '--info'"
	else
		echo "borg --rsh='sh -c id' --version"
	fi
}
expected() {
	if [ $(($1 % 2)) = 0 ]; then
		[ "$2" = 0 ] && [ "$(cat "$SGT_DIR/s.$1.out")" = "borg 1.2.4" ]
	else
		[ "$2" = 3 ] && [ ! -s "$SGT_DIR/s.$1.out" ] &&
		    grep -q "^sshgate: denied: rule 'old-wrapper-rsh'" "$SGT_DIR/s.$1.err"
	fi
}
d0=$(grep -c 'sshgate\[[0-9]*\]: deny ' "$SGT_DIR/syslog")
wave "mixed"
for i in $(seq 100); do
	n=$(($(grep -c 'sshgate\[[0-9]*\]: deny ' "$SGT_DIR/syslog") - d0))
	[ "$n" -ge $((N / 2)) ] && break
	sleep 0.05
done
is "$n" $((N / 2)) "the gate logged $((N / 2)) denials"
quiet
state > "$SGT_DIR/state.after2"
cmp -s "$SGT_DIR/state.before" "$SGT_DIR/state.after2"
ok $? "afterwards: nothing left, as before"
diff "$SGT_DIR/state.before" "$SGT_DIR/state.after2" | sed 's/^/#   /'

sgt_done
