/*
 * The supervising parent, used only for rules with a timeout.  MUST hold
 * no privilege at all once the child is started: it becomes the runner
 * with empty capability and bounding sets, keeping only the right to
 * signal its own child (same uid).  It forwards SIGTERM/SIGHUP/SIGINT,
 * ends the child's process group when the timeout expires, logs the exit
 * status and duration, and exits with the child's status.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"

#define GRACE_SECONDS	10

pid_t supervised_child = -1;
static pid_t supervisor = -1;

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
null_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	/* The parent must not keep the session's stdin/stdout open. */
	if (fd == -1 || dup2(fd, STDIN_FILENO) == -1 ||
	    dup2(fd, STDOUT_FILENO) == -1)
		die(EXIT_PRIV, "supervisor: cannot detach from stdio");
	close(fd);
}

/*
 * In the child, after the identity change (which clears the parent-death
 * signal): the supervisor's death means no timeout, so the child must
 * not outlive it.
 */
void
supervise_arm(void)
{
	if (supervisor == -1)
		return;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		die(EXIT_PRIV, "PR_SET_PDEATHSIG: %s", strerror(errno));
	if (getppid() != supervisor)
		die(EXIT_PRIV, "the supervisor is gone");
}

void
supervise(const struct rule *r, const struct runner *run)
{
	sigset_t all, none, wait_for;
	struct timespec t0, left;
	siginfo_t si;
	pid_t pid, parent = getpid();
	int status, timed_out = 0, code;
	double deadline;

	sigfillset(&all);
	sigemptyset(&none);
	if (sigprocmask(SIG_BLOCK, &all, NULL) != 0)
		die(EXIT_PRIV, "sigprocmask: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == -1)
		die(EXIT_PRIV, "fork: %s", strerror(errno));
	if (pid == 0) {
		supervisor = parent;
		if (setpgid(0, 0) != 0)
			die(EXIT_PRIV, "setpgid: %s", strerror(errno));
		if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
			die(EXIT_PRIV, "sigprocmask: %s", strerror(errno));
		return;
	}
	supervised_child = pid;
	/* The child's own group, so that a timeout ends all of it. */
	(void)setpgid(pid, pid);
	null_stdio();
	drop_to_unprivileged(run);

	sigemptyset(&wait_for);
	sigaddset(&wait_for, SIGCHLD);
	sigaddset(&wait_for, SIGTERM);
	sigaddset(&wait_for, SIGHUP);
	sigaddset(&wait_for, SIGINT);
	deadline = r->timeout;
	for (;;) {
		double rest = deadline - since(&t0);
		int sig;

		if (rest <= 0) {
			if (!timed_out) {
				log_msg(LOG_WARNING, "rule=%s timeout after %us; "
				    "terminating", r->name, r->timeout);
				(void)kill(-pid, SIGTERM);
				(void)kill(pid, SIGTERM);
				timed_out = 1;
				deadline += GRACE_SECONDS;
				continue;
			}
			(void)kill(-pid, SIGKILL);
			(void)kill(pid, SIGKILL);
			rest = 1;
		}
		left.tv_sec = (time_t)rest;
		left.tv_nsec = (long)((rest - (double)left.tv_sec) * 1e9);
		sig = sigtimedwait(&wait_for, &si, &left);
		if (sig == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die(EXIT_PRIV, "sigtimedwait: %s", strerror(errno));
		}
		if (sig != SIGCHLD) {
			(void)kill(pid, sig);
			continue;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		code = 128 + WTERMSIG(status);
	else
		code = EXIT_PRIV;
	log_msg(timed_out ? LOG_WARNING : LOG_INFO, "rule=%s exit=%d%s "
	    "duration=%.3fs", r->name, code, timed_out ? " (timeout)" : "",
	    since(&t0));
	_exit(timed_out ? EXIT_TIMEOUT : code);
}
