#!/usr/bin/python3
"""terminal.py -- a terminal for the tests of what the program can do to one.

    terminal.py [--send-after TEXT LINE] [--hangup-after TEXT] -- CMD [ARG ...]

Runs CMD as the session leader of a new pty (its controlling terminal, on
0, 1 and 2; echo off, so that the output holds only what was written), the
way sshd runs a session's command with a pty or a terminal runs a shell.
Once the output holds TEXT, --send-after types LINE and a newline into the
terminal, as a user at it would; --hangup-after closes the terminal's
master side, as sshd does when the client goes away.  Then it waits for
CMD to end (60 s at most) and prints what CMD wrote to the terminal,
followed by "terminal.py: exit=N", "terminal.py: signal=N" or "terminal.py: hung".
"""
import os
import pty
import select
import signal
import sys
import termios
import time

LIMIT = 60


def main():
    args = sys.argv[1:]
    send = hangup = None
    while args and args[0] != "--":
        if args[0] == "--send-after" and len(args) >= 3:
            send = (args[1].encode(), args[2].encode() + b"\n")
            args = args[3:]
        elif args[0] == "--hangup-after" and len(args) >= 2:
            hangup = args[1].encode()
            args = args[2:]
        else:
            sys.exit("terminal.py: usage: see the file's header")
    args = args[1:]
    if not args:
        sys.exit("terminal.py: no command")
    pid, master = pty.fork()
    if pid == 0:
        attrs = termios.tcgetattr(0)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(0, termios.TCSANOW, attrs)
        try:
            os.execvp(args[0], args)
        finally:
            os._exit(127)
    out = b""
    deadline = time.monotonic() + LIMIT
    status = None
    while time.monotonic() < deadline:
        if master is not None:
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    data = b""
                if not data:		# EIO: every slave fd is closed
                    os.close(master)
                    master = None
                out += data
            if master is not None and send and send[0] in out:
                os.write(master, send[1])
                send = None
            if master is not None and hangup and hangup in out:
                os.close(master)
                master = None
        else:
            time.sleep(0.1)
        w, st = os.waitpid(pid, os.WNOHANG)
        if w == pid:
            status = st
            break
    if master is not None:		# what is still buffered
        while select.select([master], [], [], 0.2)[0]:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            out += data
    sys.stdout.write(out.replace(b"\r\n", b"\n").decode(errors="replace"))
    if out and not out.endswith(b"\n"):
        sys.stdout.write("\n")
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        print("terminal.py: hung")
    elif os.WIFSIGNALED(status):
        print("terminal.py: signal=%d" % os.WTERMSIG(status))
    else:
        print("terminal.py: exit=%d" % os.WEXITSTATUS(status))


main()
