/*
 * The supervising parent of every run.  MUST be out of reach of the
 * program and of the caller from the fork to its exit: it keeps root's ids (the gate made
 * them all root before anything the caller could race) with CAP_KILL
 * alone, so that neither the program (another uid; a uid 0 runner has a
 * filter that keeps it from prlimit on another process, and Landlock's
 * signal scope) nor the caller can signal it, change its limits or trace
 * it.  It wipes the program's environment from its memory, forwards
 * SIGTERM/SIGHUP/SIGINT, ends the program's process group when the
 * rule's timeout expires, logs the exit status and duration (for a rule
 * with a timeout or a limit), and exits with the program's status.
 *
 * The child MUST start a session of its own: no controlling terminal, so
 * the program can neither push input into the caller's terminal (TIOCSTI)
 * nor open /dev/tty nor take the terminal's foreground.  The supervisor
 * stays in the caller's session: the signals of the terminal (SIGHUP when
 * it goes away, SIGINT) and of sshd still reach it, and it passes them on.
 *
 * MUST also end what the program left behind: a process that leaves the
 * process group (setsid, setpgid) or ignores SIGTERM would otherwise
 * outlive the run, with the rule's identity and capabilities.  The supervisor is a child subreaper, so every
 * orphan of the program becomes its child, and it kills its children
 * until none is left before it exits: once each, not once per round.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
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
 * SIGKILL every child of ours, from one reading of the kernel's list of
 * them ("PID PID ... "); returns how many were sent it, or -1 if the list
 * cannot be read.  Our children cannot be reaped by anyone but us, so a
 * pid in the list is still that child when kill() reaches it.
 */
static int
kill_children(void)
{
	char path[64], buf[4096];
	ssize_t n, i;
	long pid = 0;		/* -1: too long for a pid, skipped */
	int fd, count = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/children",
	    (long)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			/* a number may go on in the next read */
			if (isdigit((unsigned char)buf[i])) {
				if (pid >= 0 && pid <= (INT_MAX - 9) / 10)
					pid = pid * 10 + (buf[i] - '0');
				else
					pid = -1;
				continue;
			}
			if (pid > 1 && kill((pid_t)pid, SIGKILL) == 0)
				count++;
			pid = 0;
		}
	}
	if (pid > 1 && kill((pid_t)pid, SIGKILL) == 0)
		count++;
	close(fd);
	return n == -1 && count == 0 ? -1 : count;
}

/*
 * Kill the program's process group, then, round after round, every
 * process that was reparented to us, until we have no child left.  Each
 * round reads the list of our children once and reaps as many as it
 * killed, so that every process costs one kill() and one waitpid(), not
 * one per round (a round per process made 1,600 orphans cost 859,000
 * kill() calls).  A killed process's own children become ours before it
 * can be reaped: the next round finds them.  Should a child that ended on
 * its own be reaped in place of a killed one, the killed one is listed and
 * killed once more in the next round: still at most two kill() calls for
 * each process.
 */
static void
end_descendants(pid_t pgrp)
{
	int n, warned = 0;

	(void)kill(-pgrp, SIGKILL);
	for (;;) {
		n = kill_children();
		if (n == -1 && !warned) {
			log_msg(LOG_WARNING, "supervisor: cannot list its "
			    "children (%s); processes that left the program's "
			    "process group may survive", strerror(errno));
			warned = 1;
		}
		if (n < 1)
			n = 1;	/* wait for any: ECHILD ends the clean-up */
		while (n > 0) {
			if (waitpid(-1, NULL, 0) != -1)
				n--;
			else if (errno != EINTR)
				return;		/* ECHILD: nothing is left */
		}
	}
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

/* Explicitly forgotten: what the program got, BORG_PASSPHRASE and all. */
static void
wipe(char **envp)
{
	size_t i;

	for (i = 0; envp != NULL && envp[i] != NULL; i++) {
		explicit_bzero(envp[i], strlen(envp[i]));
		free(envp[i]);
		envp[i] = NULL;
	}
}

void
supervise(const struct rule *r, char **envp, struct cgrun *cg)
{
	sigset_t all, none, wait_for;
	struct timespec t0, left;
	siginfo_t si;
	pid_t pid, w, parent = getpid();
	int status = 0, st, timed_out = 0, done = 0, code;
	double deadline;

	sigfillset(&all);
	sigemptyset(&none);
	if (sigprocmask(SIG_BLOCK, &all, NULL) != 0)
		die(EXIT_PRIV, "sigprocmask: %s", strerror(errno));
	/* Orphans of the program become ours (not inherited by fork). */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		die(EXIT_PRIV, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == -1)
		die(EXIT_PRIV, "fork: %s", strerror(errno));
	if (pid == 0) {
		supervisor = parent;
		/* Also the process group that a timeout ends. */
		if (setsid() == -1)
			die(EXIT_PRIV, "setsid: %s", strerror(errno));
		/* out of the supervisor's cgroup, into the one it kills */
		cgroup_child(cg);
		if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
			die(EXIT_PRIV, "sigprocmask: %s", strerror(errno));
		return;
	}
	/*
	 * No setpgid(pid, pid) here to close the race with the child: it
	 * would make the child a group leader, which setsid() refuses.  A
	 * signal sent to the group before it exists also goes to pid.
	 */
	supervised_child = pid;
	null_stdio();
	wipe(envp);
	drop_to_supervisor();

	sigemptyset(&wait_for);
	sigaddset(&wait_for, SIGCHLD);
	sigaddset(&wait_for, SIGTERM);
	sigaddset(&wait_for, SIGHUP);
	sigaddset(&wait_for, SIGINT);
	deadline = r->timeout;
	for (;;) {
		double rest = deadline - since(&t0);
		int sig;

		if (r->timeout > 0 && rest <= 0) {
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
		/* without a timeout (a terminal run), until a signal comes */
		sig = sigtimedwait(&wait_for, &si, r->timeout > 0 ? &left : NULL);
		if (sig == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die(EXIT_PRIV, "sigtimedwait: %s", strerror(errno));
		}
		if (sig != SIGCHLD) {
			(void)kill(pid, sig);
			continue;
		}
		/* The program, or an orphan of it that came to us. */
		while ((w = waitpid(-1, &st, WNOHANG)) > 0)
			if (w == pid) {
				status = st;
				done = 1;
			}
		if (done)
			break;
	}
	/*
	 * The run ends with the program: nothing it started outlives it.
	 * What is left in the program's cgroup dies at once; the rounds
	 * reap it (and end it all where there is no cgroup).
	 */
	cgroup_kill(cg);
	end_descendants(pid);
	cgroup_remove(cg);
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		code = 128 + WTERMSIG(status);
	else
		code = EXIT_PRIV;
	/* A terminal alone (no timeout, no limit) adds no line to the log. */
	if (r->timeout > 0 || r->pids > 0 || r->memory > 0)
		log_msg(timed_out ? LOG_WARNING : LOG_INFO, "rule=%s exit=%d%s "
		    "duration=%.3fs", r->name, code,
		    timed_out ? " (timeout)" : "", since(&t0));
	_exit(timed_out ? EXIT_TIMEOUT : code);
}
