# session.py -- a stand-in for sshd's session process, for the tests that
# run sshgate-connect without sshd (run with $SGT_PY, as root).
#
#   session.py [--count FILE] [--received FILE] [--depth N]
#              [--serve 'COMMAND WORDS' [--serve-log FILE]]
#              USER SOCKET [-- COMMAND ...]
#
# sshd's per-connection process binds the forwarded socket (ssh -R) as the
# login account and forks the session's command, whose descendants are
# borg and sshgate-connect: the connector accepts a listener that is its
# ancestor only.  This does the same: it binds SOCKET (as root, so in any
# directory; then owned by USER, 0660 by umask 0117, with the directory's
# group if that is setgid, as sshd makes it) and listens with USER's
# effective uid and gid (what SO_PEERCRED reports); then
#  - with a COMMAND: forks it N levels below itself (1: its child; 2: its
#    grandchild, under a process that only waits), serves connections
#    until it ends, waits for what it started, and exits with its status.
#    The COMMAND gets root's ids back, so that it can become whom it must
#    (the gate's caller, the runner);
#  - without: serves until killed, nobody's ancestor.
# A connection is answered with what it sent, upper-cased, after the end
# of input; with --serve it is the stdin and stdout of COMMAND WORDS (split
# at spaces), run as USER, its stderr appended to the --serve-log FILE.
# The --count FILE holds the connections so far, --received the bytes
# read from them.  SIGTERM ends the COMMAND too.

import os
import pwd
import select
import signal
import socket
import sys

USAGE = ("usage: session.py [--count FILE] [--received FILE] [--depth N] "
         "[--serve WORDS [--serve-log FILE]] USER SOCKET [-- COMMAND ...]")


def counter(path):
    """A file opened while still root (USER may not write where it is)."""
    if path is None:
        return None
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)


def put(fd, n):
    if fd is not None:
        os.pwrite(fd, b"%d\n" % n, 0)     # numbers only grow


def status(st):
    code = os.waitstatus_to_exitcode(st)
    return code if code >= 0 else 128 - code


def as_root():
    os.seteuid(0)
    os.setegid(0)


def start_command(cmd, depth, listener):
    pid = os.fork()
    if pid:
        return pid
    try:
        listener.close()        # as sshd's child does
        as_root()
        for _ in range(depth - 1):
            child = os.fork()
            if child:
                os._exit(status(os.waitpid(child, 0)[1]))
        os.execvp(cmd[0], cmd)
    except OSError as e:
        print("session.py: %s: %s" % (cmd[0], e), file=sys.stderr)
    os._exit(127)


def serve_command(conn, words, log, pw):
    pid = os.fork()
    if pid:
        return
    try:
        as_root()
        os.dup2(conn.fileno(), 0)
        os.dup2(conn.fileno(), 1)
        if log:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(fd, 2)
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
        os.execvp(words[0], words)
    except OSError as e:
        print("session.py: %s: %s" % (words[0], e), file=sys.stderr)
    os._exit(127)


def upper(conn, received_fd, received):
    data = b""
    while True:
        try:
            b = conn.recv(65536)
        except OSError:
            break
        if not b:
            break
        data += b
        received += len(b)
        put(received_fd, received)
    try:
        conn.sendall(data.upper())
    except OSError:
        pass
    return received


def main(args):
    opts = {"--count": None, "--received": None, "--depth": "1",
            "--serve": None, "--serve-log": None}
    while args and args[0] in opts:
        if len(args) < 2:
            sys.exit(USAGE)
        opts[args[0]] = args[1]
        args = args[2:]
    if len(args) < 2 or (len(args) > 2 and (args[2] != "--" or len(args) < 4)):
        sys.exit(USAGE)
    user, path, cmd = args[0], args[1], args[3:]
    depth = int(opts["--depth"])
    pw = pwd.getpwnam(user)

    if os.path.lexists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX)
    old = os.umask(0o117)
    s.bind(path)
    os.umask(old)
    os.chown(path, pw.pw_uid, -1)
    count_fd = counter(opts["--count"])
    received_fd = counter(opts["--received"])
    connections = received = 0
    put(received_fd, 0)
    os.setegid(pw.pw_gid)
    os.seteuid(pw.pw_uid)
    s.listen()                  # SO_PEERCRED: this process, as USER
    put(count_fd, 0)            # the callers' sign that it listens

    pid = start_command(cmd, depth, s) if cmd else None
    if pid:
        def end(signum, frame):
            os.kill(pid, signal.SIGTERM)
            os._exit(143)
        signal.signal(signal.SIGTERM, end)
    rc = 0
    while True:
        if pid:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                rc = status(st)
                break
        if not select.select([s], [], [], 0.05 if pid else None)[0]:
            continue
        conn, _ = s.accept()
        connections += 1
        put(count_fd, connections)
        if opts["--serve"]:
            serve_command(conn, opts["--serve"].split(), opts["--serve-log"], pw)
        else:
            received = upper(conn, received_fd, received)
        conn.close()
    s.close()
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    sys.exit(rc)


main(sys.argv[1:])
