/*
 * A clean process state for the program.  MUST:
 *  - set every resource limit to the value sshgate(8) documents, never
 *    keep the caller's: a caller's RLIMIT_FSIZE cut a program's state file
 *    short, a low RLIMIT_NOFILE made "borg create" skip files with only a
 *    warning -- a weakened run, not a failed one;
 *  - reset what else survives execve and the caller chose: nice and I/O
 *    priority (the rule's, the kernel's defaults unless it is gentler),
 *    scheduling policy, CPU affinity, oom_score_adj, timer slack;
 *  - do it as root (raising a hard limit, lowering nice, leaving
 *    SCHED_IDLE, and at times lowering oom_score_adj need privilege),
 *    before the read-only mounts of a uid 0 runner (oom_score_adj is a
 *    file in /proc), and verify every value from the kernel's side.
 * Once set, the caller cannot change them again before the execve: every
 * id of the gate is root's by then (main.c, all_root()), and it is not
 * dumpable (its /proc files are root's).  Cgroup membership is not
 * touched here.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <linux/ioprio.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate.h"

/*
 * The kernel's own defaults, what init starts with (but RLIMIT_CORE).
 * Where root lacks CAP_SYS_RESOURCE (a container), the gate can still
 * set each of them by lowering what a login normally has; only a limit
 * the caller lowered below one needs raising, and is then refused.
 */
#define NOFILE_SOFT	1024		/* INR_OPEN_CUR */
#define NOFILE_HARD	4096		/* INR_OPEN_MAX */
#define MEMLOCK		(8UL << 20)	/* MLOCK_LIMIT since Linux 5.16 */
#define MSGQUEUE	819200		/* MQ_BYTES_MAX */
#define STACK_SOFT	(8UL << 20)	/* _STK_LIM */
#define SLACK_NS	50000		/* init's timer slack */
#define MAX_CPUS	8192		/* the largest CONFIG_NR_CPUS */

static const char *const names[RLIM_NLIMITS] = {
	[RLIMIT_AS] = "RLIMIT_AS", [RLIMIT_CORE] = "RLIMIT_CORE",
	[RLIMIT_CPU] = "RLIMIT_CPU", [RLIMIT_DATA] = "RLIMIT_DATA",
	[RLIMIT_FSIZE] = "RLIMIT_FSIZE", [RLIMIT_LOCKS] = "RLIMIT_LOCKS",
	[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",
	[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
	[RLIMIT_NOFILE] = "RLIMIT_NOFILE", [RLIMIT_NPROC] = "RLIMIT_NPROC",
	[RLIMIT_RSS] = "RLIMIT_RSS", [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",
	[RLIMIT_RTTIME] = "RLIMIT_RTTIME",
	[RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING", [RLIMIT_STACK] = "RLIMIT_STACK",
};

static struct rlimit want[RLIM_NLIMITS];

/*
 * The first line of a small file of the kernel's, without its newline.
 * -1 with errno set when it cannot be read or has no line end in size.
 */
static int
read_line(const char *path, char *buf, size_t size)
{
	ssize_t n;
	char *nl;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	n = read(fd, buf, size - 1);
	saved = errno;
	(void)close(fd);	/* read-only: nothing to lose */
	if (n < 0) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) == NULL) {
		errno = EOVERFLOW;
		return -1;
	}
	*nl = '\0';
	return 0;
}

static rlim_t
kernel_number(const char *path)
{
	char buf[32], *end;
	unsigned long long v;

	if (read_line(path, buf, sizeof(buf)) != 0)
		die(EXIT_PRIV, "cannot read %s: %s", path, strerror(errno));
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno != 0 || end == buf || *end != '\0' || buf[0] == '-')
		die(EXIT_PRIV, "%s is not a number", path);
	return (rlim_t)v;
}

/* A kernel CPU list ("0-3,8,10-11") into set; -1 if it is none. */
static int
parse_cpus(const char *s, cpu_set_t *set, size_t size)
{
	unsigned long a, b;
	char *end;

	CPU_ZERO_S(size, set);
	for (;;) {
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		a = b = strtoul(s, &end, 10);
		if (errno == 0 && *end == '-' && end[1] >= '0' && end[1] <= '9')
			b = strtoul(end + 1, &end, 10);
		if (errno != 0 || b < a || b >= MAX_CPUS)
			return -1;
		for (; a <= b; a++)
			CPU_SET_S(a, size, set);
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

static cpu_set_t *
cpus_alloc(void)
{
	cpu_set_t *set = CPU_ALLOC(MAX_CPUS);

	if (set == NULL)
		die(EXIT_PRIV, "out of memory (CPU set)");
	CPU_ZERO_S(CPU_ALLOC_SIZE(MAX_CPUS), set);
	return set;
}

/*
 * The CPUs the kernel lets this process use: the online ones, and of
 * those only its cpuset's (cgroup v2, else v1) when it is in one.  The
 * affinity asked for is every CPU; the kernel keeps these.
 */
static void
allowed_cpus(cpu_set_t *set)
{
	size_t size = CPU_ALLOC_SIZE(MAX_CPUS);
	char line[8192], cs[1024], path[1100];
	cpu_set_t *in;
	int n;

	if (read_line("/sys/devices/system/cpu/online", line,
	    sizeof(line)) != 0 || parse_cpus(line, set, size) != 0)
		die(EXIT_PRIV, "cannot read the online CPUs from "
		    "/sys/devices/system/cpu/online");
	if (read_line("/proc/self/cpuset", cs, sizeof(cs)) != 0) {
		if (errno == ENOENT)
			return;		/* a kernel without cpusets */
		die(EXIT_PRIV, "/proc/self/cpuset: %s", strerror(errno));
	}
	n = snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cpuset.cpus.effective",
	    strcmp(cs, "/") == 0 ? "" : cs);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    read_line(path, line, sizeof(line)) != 0) {
		n = snprintf(path, sizeof(path),
		    "/sys/fs/cgroup/cpuset%s/cpuset.effective_cpus",
		    strcmp(cs, "/") == 0 ? "" : cs);
		if (n < 0 || (size_t)n >= sizeof(path))
			die(EXIT_PRIV, "cpuset path too long");
		if (read_line(path, line, sizeof(line)) != 0) {
			/* no cgroup file system there: no cpuset to ask */
			if (errno == ENOENT || errno == ENOTDIR)
				return;
			die(EXIT_PRIV, "%s: %s", path, strerror(errno));
		}
	}
	in = cpus_alloc();
	if (parse_cpus(line, in, size) != 0)
		die(EXIT_PRIV, "%s: not a CPU list", path);
	CPU_AND_S(size, set, set, in);
	CPU_FREE(in);
}

/* "SOFT/HARD" for messages */
static const char *
shown(const struct rlimit *rl, char *buf, size_t size)
{
	char soft[24] = "unlimited", hard[24] = "unlimited";

	if (rl->rlim_cur != RLIM_INFINITY)
		snprintf(soft, sizeof(soft), "%llu",
		    (unsigned long long)rl->rlim_cur);
	if (rl->rlim_max != RLIM_INFINITY)
		snprintf(hard, sizeof(hard), "%llu",
		    (unsigned long long)rl->rlim_max);
	snprintf(buf, size, "%s/%s", soft, hard);
	return buf;
}

/* The documented limits (sshgate(8), "Resources"). */
static void
choose_limits(void)
{
	rlim_t half = kernel_number("/proc/sys/kernel/threads-max") / 2;
	size_t i;

	for (i = 0; i < RLIM_NLIMITS; i++)
		want[i].rlim_cur = want[i].rlim_max = RLIM_INFINITY;
	want[RLIMIT_CORE].rlim_cur = want[RLIMIT_CORE].rlim_max = 0;
	want[RLIMIT_STACK].rlim_cur = STACK_SOFT;
	want[RLIMIT_NOFILE].rlim_cur = NOFILE_SOFT;
	want[RLIMIT_NOFILE].rlim_max = NOFILE_HARD;
	/* the kernel gives init half of kernel.threads-max */
	want[RLIMIT_NPROC].rlim_cur = want[RLIMIT_NPROC].rlim_max = half;
	want[RLIMIT_SIGPENDING].rlim_cur = half;
	want[RLIMIT_SIGPENDING].rlim_max = half;
	want[RLIMIT_MEMLOCK].rlim_cur = want[RLIMIT_MEMLOCK].rlim_max = MEMLOCK;
	want[RLIMIT_MSGQUEUE].rlim_cur = MSGQUEUE;
	want[RLIMIT_MSGQUEUE].rlim_max = MSGQUEUE;
	/* no way to a better priority than nice 0, nor to real time */
	want[RLIMIT_NICE].rlim_cur = want[RLIMIT_NICE].rlim_max = 0;
	want[RLIMIT_RTPRIO].rlim_cur = want[RLIMIT_RTPRIO].rlim_max = 0;
}

/* The rule's I/O priority (IO_NONE: the kernel's default). */
static long
ioprio_of(const struct rule *r)
{
	if (r->ioclass == IO_IDLE)
		return IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0);
	if (r->ioclass == IO_BEST_EFFORT)
		return IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, r->iolevel);
	return IOPRIO_PRIO_VALUE(IOPRIO_CLASS_NONE, 0);
}

/* Every value as set, from the kernel's side. */
static void
check(const struct rule *r, const cpu_set_t *want_cpus)
{
	size_t size = CPU_ALLOC_SIZE(MAX_CPUS);
	struct rlimit rl;
	cpu_set_t *got;
	char adj[16], was[48], now[48];
	size_t i;
	long prio;
	int n;

	for (i = 0; i < RLIM_NLIMITS; i++)
		if (getrlimit((int)i, &rl) != 0 ||
		    rl.rlim_cur != want[i].rlim_cur ||
		    rl.rlim_max != want[i].rlim_max)
			die(EXIT_PRIV, "%s is %s, not %s", names[i],
			    shown(&rl, was, sizeof(was)),
			    shown(&want[i], now, sizeof(now)));
	if (read_line("/proc/self/oom_score_adj", adj, sizeof(adj)) != 0 ||
	    strcmp(adj, "0") != 0)
		die(EXIT_PRIV, "oom_score_adj is not 0");
	if (sched_getscheduler(0) != SCHED_OTHER)
		die(EXIT_PRIV, "the scheduling policy is not SCHED_OTHER");
	errno = 0;
	n = getpriority(PRIO_PROCESS, 0);
	if (errno != 0 || n != r->nice)
		die(EXIT_PRIV, "nice is not %d", r->nice);
	prio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
	if (prio != ioprio_of(r))
		die(EXIT_PRIV, "the I/O priority is not the rule's");
	if (prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) != SLACK_NS)
		die(EXIT_PRIV, "the timer slack is not %d ns", SLACK_NS);
	got = cpus_alloc();
	if (sched_getaffinity(0, size, got) != 0)
		die(EXIT_PRIV, "sched_getaffinity: %s", strerror(errno));
	for (i = 0; i < MAX_CPUS; i++)
		if (CPU_ISSET_S(i, size, want_cpus) && !CPU_ISSET_S(i, size, got))
			die(EXIT_PRIV, "CPU %zu is not in the affinity mask", i);
	CPU_FREE(got);
}

void
state_reset(const struct rule *r)
{
	struct sched_param sp = { 0 };
	struct rlimit rl;
	char was[48], now[48];
	cpu_set_t *all;
	size_t i;
	int fd, e;

	choose_limits();
	for (i = 0; i < RLIM_NLIMITS; i++) {
		if (setrlimit((int)i, &want[i]) == 0)
			continue;
		/* EPERM: a hard limit below the default, and no
		 * CAP_SYS_RESOURCE to raise it -- a refusal, not a
		 * weaker run */
		e = errno;
		if (getrlimit((int)i, &rl) != 0)
			rl.rlim_cur = rl.rlim_max = 0;
		die(EXIT_PRIV, "cannot set %s from %s to %s: %s", names[i],
		    shown(&rl, was, sizeof(was)),
		    shown(&want[i], now, sizeof(now)), strerror(e));
	}
	/* below the lowest value a privileged writer ever gave it
	 * (oom_score_adj_min), only with CAP_SYS_RESOURCE */
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd == -1 || write(fd, "0", 1) != 1 || close(fd) != 0)
		die(EXIT_PRIV, "cannot reset oom_score_adj: %s",
		    strerror(errno));
	/* the policy first: it keeps the nice value, and an RT task has
	 * no timer slack to set; no SCHED_RESET_ON_FORK either */
	if (sched_setscheduler(0, SCHED_OTHER, &sp) != 0)
		die(EXIT_PRIV, "cannot set SCHED_OTHER: %s", strerror(errno));
	if (setpriority(PRIO_PROCESS, 0, r->nice) != 0)
		die(EXIT_PRIV, "cannot set nice %d: %s", r->nice,
		    strerror(errno));
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, ioprio_of(r)) != 0)
		die(EXIT_PRIV, "cannot set the I/O priority: %s",
		    strerror(errno));
	/*
	 * The value, not 0: PR_SET_TIMERSLACK 0 returns to the slack the
	 * process inherited when it was forked, which the caller chose.
	 */
	if (prctl(PR_SET_TIMERSLACK, (unsigned long)SLACK_NS, 0, 0, 0) != 0)
		die(EXIT_PRIV, "cannot set the timer slack: %s",
		    strerror(errno));
	all = cpus_alloc();
	for (i = 0; i < MAX_CPUS; i++)
		CPU_SET_S(i, CPU_ALLOC_SIZE(MAX_CPUS), all);
	if (sched_setaffinity(0, CPU_ALLOC_SIZE(MAX_CPUS), all) != 0)
		die(EXIT_PRIV, "cannot allow every CPU: %s", strerror(errno));
	allowed_cpus(all);
	check(r, all);
	CPU_FREE(all);
}

