#!/bin/bash
# sshgate-connect, run as the runner the way the confined borg runs it:
# joins stdin/stdout to the login account's socket and ignores what borg
# appends; refuses, before connecting, a path that is not a socket, a
# socket of another owner, a directory others can write or own, a
# symlink on the way, a listener of another uid, a stale socket; and,
# before any data flows, a listener that is not its ancestor (another ssh
# session's sshd) or that it cannot check -- and its reason reaches a
# client that writes first, as borg does.
#
# sshd's session process, which binds the forwarded socket and forks the
# session's command, is played by tests/lib/session.py: the connector runs
# below it, as the runner.
. "${top_srcdir:-.}/tests/lib/sgt.sh"
sgt_init "$@"
connect=$SGT_DIR/bin/sshgate-connect
[ -x "$connect" ] || sgt_bail "no sshgate-connect in the build"
other=sgt-o$SGT_ID
sgt_add_user "$other" /usr/sbin/nologin

mkdir -p "$SGT_DIR/run"
d=$SGT_DIR/run/sock
install -d -o "$SGT_LOGIN" -g "$SGT_RUNNER" -m 2750 "$d"
count=$SGT_DIR/count
received=$SGT_DIR/received

# session [OPTIONS] AS-USER PATH [-- COMMAND ...]: tests/lib/session.py,
# counting into $count and $received
session_py=("$SGT_PY" "$top_srcdir/tests/lib/session.py")
session() { "${session_py[@]}" --count "$count" --received "$received" "$@"; }

# listen AS-USER PATH: a listener that is nobody's ancestor (it upper-cases
# what it reads until EOF), in the background; its pid in $LISTENER
listen() {
	rm -f "$2" "$count"
	"${session_py[@]}" --count "$count" --received "$received" "$@" &
	SGT_PIDS="$SGT_PIDS $!"
	LISTENER=$!
	for i in $(seq 100); do [ -S "$2" ] && [ -s "$count" ] && return; sleep 0.05; done
	sgt_bail "listener did not start"
}

runner=(env -i PATH=/usr/bin:/bin setpriv --reuid="$SGT_RUNNER" --regid="$SGT_RUNNER"
    --clear-groups --)
as_runner() { "${runner[@]}" "$@"; }

refused() {	# refused DESCRIPTION TEXT SOCKET
	local out rc
	out=$(printf 'x' | as_runner "$connect" -u "$SGT_LOGIN" "$3" backup borg serve 2>&1)
	rc=$?
	is "$rc" 2 "$1: refused"
	printf '%s\n' "$out" | grep -qF -- "$2"
	rc=$?
	ok $rc "$1: \"$2\""
	[ $rc -eq 0 ] || diag "$out"
}

# ---- the way it is meant to work --------------------------------------------

out=$(printf 'hello borg' | session "$SGT_LOGIN" "$d/borg.sock" -- \
    "${runner[@]}" "$connect" -u "$SGT_LOGIN" "$d/borg.sock" backup borg serve --info)
ok $? "the runner connects to the login account's socket (group access, 0660)"
is "$out" "HELLO BORG" "stdin goes to the socket, the answer to stdout, the end of input is passed on"
is "$(stat -c '%U:%G %a' "$d/borg.sock")" "$SGT_LOGIN:$SGT_RUNNER 660" \
    "... through a socket like the one sshd makes (setgid directory, StreamLocalBindMask 0117)"
out=$(printf 'x' | session "$SGT_LOGIN" "$d/borg.sock" -- \
    env -i setpriv --reuid="$other" --regid="$other" --clear-groups -- \
    "$connect" -u "$SGT_LOGIN" "$d/borg.sock" 2>&1)
[ $? -eq 2 ] && printf '%s\n' "$out" | grep -q 'Permission denied'
ok $? "another account cannot even reach it"

# Between the connector and sshd's session process are the gate (or its
# supervisor), borg, perhaps sh: the listener may be any ancestor.
out=$(printf 'hello again' | session --depth 2 "$SGT_LOGIN" "$d/borg.sock" -- \
    "${runner[@]}" "$connect" -u "$SGT_LOGIN" "$d/borg.sock" backup borg serve)
ok $? "a listener that is its grandparent is accepted"
is "$out" "HELLO AGAIN" "... and joined"
out=$(session --depth 2 "$SGT_LOGIN" "$d/borg.sock" -- sh -c \
    'g=$(sed "s/.*) . //; s/ .*//" /proc/$PPID/stat); tr "\0" " " </proc/$g/cmdline')
case $out in *session.py*--depth\ 2*) r=0 ;; *) r=1 ;; esac
ok $r "(--depth 2: the command's grandparent is the listener)"
[ $r -eq 0 ] || diag "$out"

# /proc/PID/stat names the program in parentheses, and the name may hold
# spaces and parentheses: the parent's pid is read after the last ')'.
ln -s /bin/sh "$SGT_DIR/bin/sgt) S 1 (x"
out=$(printf 'hello odd' | session "$SGT_LOGIN" "$d/borg.sock" -- "${runner[@]}" \
    "$SGT_DIR/bin/sgt) S 1 (x" -c '"$@"; exit $?' sh \
    "$connect" -u "$SGT_LOGIN" "$d/borg.sock" backup borg serve)
ok $? "an ancestor named \"sgt) S 1 (x\" between them: accepted"
is "$out" "HELLO ODD" "... and joined"

# ---- what it refuses -----------------------------------------------------------

listen "$SGT_LOGIN" "$d/borg.sock"
kill "$LISTENER"; wait "$LISTENER" 2>/dev/null
refused "a stale socket" "nobody listens on it (a socket left by an earlier session): is the tunnel up?" "$d/borg.sock"

rm -f "$d/borg.sock"
install -o "$SGT_LOGIN" -g "$SGT_RUNNER" -m 0660 /dev/null "$d/borg.sock"
refused "a regular file" "borg.sock is not a socket" "$d/borg.sock"
rm -f "$d/borg.sock"

listen "$SGT_LOGIN" "$d/real.sock"
ln -s real.sock "$d/borg.sock"
chown -h "$SGT_LOGIN:$SGT_RUNNER" "$d/borg.sock"
refused "a symlink to a good socket" "borg.sock is not a socket" "$d/borg.sock"
is "$(cat "$count")" 0 "... and nothing connected to it"
rm -f "$d/borg.sock"
kill "$LISTENER"; wait "$LISTENER" 2>/dev/null

listen "$other" "$d/borg.sock"
chmod 0666 "$d/borg.sock"
refused "another account's socket" "is owned by uid $(id -u "$other"), not the login account" "$d/borg.sock"
is "$(cat "$count")" 0 "... refused before connecting"
# the file is the login's, the process listening behind it is not
chown "$SGT_LOGIN" "$d/borg.sock"
refused "a listener of another account" "the listening process runs as uid $(id -u "$other")" "$d/borg.sock"
kill "$LISTENER"; wait "$LISTENER" 2>/dev/null

# ---- only its own ssh session's listener -------------------------------------

# Two backup servers log in as the same account: either session's sshd
# binds its socket as the login account, in the same directory.
listen "$SGT_LOGIN" "$d/borg.sock"
refused "a listener of the login account that is not its ancestor (a sibling)" \
    "borg.sock: the listening process (pid $LISTENER) is not this ssh session's sshd: another session's socket" \
    "$d/borg.sock"
is "$(cat "$count") $(cat "$received")" "1 0" "... refused after connecting (to learn the pid), before any data"
kill "$LISTENER"; wait "$LISTENER" 2>/dev/null

"${session_py[@]}" --count "$SGT_DIR/b.count" --received "$SGT_DIR/b.received" \
    "$SGT_LOGIN" "$d/b.sock" -- sleep 600 &
b=$!
SGT_PIDS="$SGT_PIDS $b"
for i in $(seq 100); do [ -s "$SGT_DIR/b.count" ] && break; sleep 0.05; done
out=$(printf 'x' | session "$SGT_LOGIN" "$d/a.sock" -- \
    "${runner[@]}" "$connect" -u "$SGT_LOGIN" "$d/b.sock" backup borg serve 2>&1)
is "$?" 2 "session A's connector pointed at session B's socket: refused"
printf '%s\n' "$out" | grep -qF "b.sock: the listening process (pid $b) is not this ssh session's sshd: another session's socket"
ok $? "... \"the listening process (pid $b) is not this ssh session's sshd\""
is "$(cat "$SGT_DIR/b.received")" 0 "... and session B's listener got no data"
kill "$b"; wait "$b" 2>/dev/null

# Without the parent chain in /proc there is no check, and no connection.
# With hidepid the runner sees its own processes only: enough when the
# processes between it and sshd are the runner's (borg, the supervisor).
hidepid() {
	unshare -m --propagation private sh -c \
	    'mount -t proc -o hidepid=invisible sgt-proc /proc && exec "$@"' sh "$@"
}
out=$(printf 'x' | hidepid "${session_py[@]}" --count "$count" --received "$received" --depth 2 "$SGT_LOGIN" "$d/borg.sock" -- \
    "${runner[@]}" "$connect" -u "$SGT_LOGIN" "$d/borg.sock" backup borg serve 2>&1)
is "$?" 2 "/proc with hidepid, a process of root between it and the listener: refused"
printf '%s\n' "$out" | grep -Eq 'borg\.sock: cannot read /proc/[0-9]+/stat \(No such file or directory\), so cannot check that the listening process \(pid [0-9]+\) is this ssh session.s sshd \(is /proc mounted with hidepid\?\)'
r=$?
ok $r "... \"cannot read /proc/PID/stat\""
[ $r -eq 0 ] || diag "$out"
is "$(cat "$received")" 0 "... and no data went through"
out=$(printf 'hello hidden' | hidepid "${session_py[@]}" "$SGT_LOGIN" "$d/borg.sock" -- \
    "${runner[@]}" sh -c '"$@"; exit $?' sh "$connect" -u "$SGT_LOGIN" "$d/borg.sock" backup borg serve)
ok $? "/proc with hidepid, only the runner's processes between: accepted"
is "$out" "HELLO HIDDEN" "... and joined"

# ---- what it refuses before connecting, continued -----------------------------

listen "$SGT_LOGIN" "$d/borg.sock"
chmod 2770 "$d"
refused "a group-writable directory" "socket directory $d refused: directory $d is writable by its group (mode 2770)" "$d/borg.sock"
chmod 2750 "$d"
chmod 0777 "$SGT_DIR/run"
refused "a directory above others can write" "directory $SGT_DIR/run is writable by others (mode 0777)" "$d/borg.sock"
chmod 1777 "$SGT_DIR/run"
refused "a directory above everyone can write, sticky (/tmp)" "directory $SGT_DIR/run is writable by others (mode 1777)" "$d/borg.sock"
chmod 0755 "$SGT_DIR/run"
chown "$other" "$SGT_DIR/run"
refused "a directory above owned by another account" "directory $SGT_DIR/run is owned by uid $(id -u "$other"), not root" "$d/borg.sock"
chown "$SGT_LOGIN" "$SGT_DIR/run"
refused "a directory above owned by the login account (only the socket directory may be)" "directory $SGT_DIR/run is owned by uid $(id -u "$SGT_LOGIN"), not root" "$d/borg.sock"
chown root "$SGT_DIR/run"
ln -s run "$SGT_DIR/link"
refused "a symlinked directory on the way" "$SGT_DIR/link is a symbolic link" "$SGT_DIR/link/sock/borg.sock"
is "$(cat "$count")" 0 "none of these refusals connected"
refused "a relative path" "give the absolute path of the socket" "borg.sock"

# ---- the reason reaches borg -------------------------------------------------------

# borg writes its first request at once, then reads stdout and stderr.
# A connector that refused and left would make that write fail (EPIPE):
# borg would print a traceback instead of the reason.
chmod 2770 "$d"
out=$(as_runner "$SGT_PY" - "$connect" "$SGT_LOGIN" "$d/borg.sock" <<'PY'
import select, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "-u", sys.argv[2], sys.argv[3], "backup", "borg", "serve"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(0.5)  # slower than the refusal, as a loaded machine is
try:
    p.stdin.write(b"\x82" * 200); p.stdin.flush()
except BrokenPipeError:
    print("EPIPE"); sys.exit(0)
err = b""
while True:
    r, _, _ = select.select([p.stdout, p.stderr], [], [], 10)
    if p.stderr in r:
        b = p.stderr.read1(4096)
        if b:
            err += b
            continue
    if p.stdout in r and not p.stdout.read1(4096):
        break
print("stderr before the end of stdout: " + err.decode().strip())
PY
)
chmod 2750 "$d"
case $out in
*"before the end of stdout: sshgate-connect: "*"writable by its group"*)
	ok 0 "a refusal reaches a client that writes first (no EPIPE, reason before EOF)" ;;
*)	ok 1 "a refusal reaches a client that writes first (no EPIPE, reason before EOF)"
	diag "$out" ;;
esac

sgt_done
