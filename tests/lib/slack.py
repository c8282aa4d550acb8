# slack.py ARGV...: run ARGV as a child of a process whose timer slack is
# 1 s (a child inherits its parent's slack when it is forked), and exit
# with its status: the hostile callers of tests/root/confine-caller-state.sh
# and confine-matrix.sh.
import ctypes, os, sys
if ctypes.CDLL(None).prctl(29, 1000000000, 0, 0, 0) != 0:  # PR_SET_TIMERSLACK
    sys.exit("cannot set the timer slack")
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
