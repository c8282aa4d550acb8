/*
 * sgt-probe -- looks at the confinement from inside the program that the
 * gate executes, and tries what the confinement must forbid.
 *
 *   sgt-probe WORD ...
 *
 * Each WORD is one check; "NAME=ARG" gives it an argument.  Every check
 * prints one line "WORD: ok" or "WORD: errno=ENAME" (status lines print
 * values instead).  The probe never decides what is expected: the root
 * tests do.  Checks that would be killed by seccomp (x32, int80) are
 * meant to be run as the only word of a separate invocation, whose exit
 * signal the test observes.
 *
 * One word is not a check but a wrapper, for root tests of code paths
 * that this kernel would not otherwise reach:
 *
 *   sgt-probe wrap-landlock=MODE PROGRAM [ARG ...]
 *
 * runs PROGRAM under a seccomp filter that makes the Landlock syscalls
 * fail with MODE = ENOSYS (a kernel without Landlock) or EOPNOTSUPP
 * (Landlock disabled at boot), or, with MODE = abi:N, answers the ABI
 * version query with N and lets every other Landlock call through to the
 * kernel (an older kernel).  Root only (CAP_SYS_ADMIN, no no_new_privs).
 *
 * "exec=PATH" executes PATH without arguments in a child, its 0 1 2 on
 * /dev/null, and reports whether execve succeeded.
 *
 * A check that succeeds changes nothing it need not change: "write"
 * opens for writing and writes no byte, "chmod"/"chown"/"utime"/"setflags"
 * set what is already there.  Only "create" and "mkdir" make something
 * new, in the place the test names.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/io_uring.h>
#include <linux/ioprio.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/seccomp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stddef.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define X32_SYSCALL_BIT	0x40000000UL
#ifndef SYS_fchmodat2
#define SYS_fchmodat2	452
#endif
#define SYS_setxattrat_	463	/* Linux 6.13; one number on every arch */

static const char *word;	/* the check being run, for result() */
static const char *arg;		/* its argument, or NULL */

static void
say_rc(long rc)
{
	if (rc < 0)
		printf("%s: errno=%s\n", word, strerrorname_np(errno) ?
		    strerrorname_np(errno) : "?");
	else
		printf("%s: ok\n", word);
}

static void
need_arg(void)
{
	if (arg == NULL || *arg == '\0') {
		printf("%s: usage: needs =ARG\n", word);
		exit(2);
	}
}

static void
status_field(const char *name)
{
	char line[512];
	size_t n = strlen(name);
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL) {
		printf("%s: unreadable\n", name);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			char *v = line + n + 1;

			v += strspn(v, " \t");
			printf("%s: %s", name, v);
			fclose(f);
			return;
		}
	printf("%s: absent\n", name);
	fclose(f);
}

static void
do_status(void)
{
	static const char *fields[] = {
		"Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd",
		"CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters", "SigBlk",
		"SigIgn", NULL
	};
	struct itimerval it[3];
	struct rlimit rl;
	char cwd[4096];
	mode_t um;
	int i;

	for (i = 0; fields[i] != NULL; i++)
		status_field(fields[i]);
	printf("dumpable: %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	printf("securebits: %#lx\n", (unsigned long)prctl(PR_GET_SECUREBITS,
	    0, 0, 0, 0));
	um = umask(0);
	umask(um);
	printf("umask: %04o\n", (unsigned)um);
	printf("cwd: %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	if (getitimer(ITIMER_REAL, &it[0]) == 0 &&
	    getitimer(ITIMER_VIRTUAL, &it[1]) == 0 &&
	    getitimer(ITIMER_PROF, &it[2]) == 0)
		printf("itimers: %s\n", (it[0].it_value.tv_sec |
		    it[0].it_value.tv_usec | it[1].it_value.tv_sec |
		    it[1].it_value.tv_usec | it[2].it_value.tv_sec |
		    it[2].it_value.tv_usec) ? "armed" : "none");
	do {
		char pers[32] = "?";
		FILE *f = fopen("/proc/self/personality", "r");

		if (f != NULL) {
			if (fgets(pers, sizeof(pers), f) == NULL)
				strcpy(pers, "?\n");
			fclose(f);
		}
		printf("personality: %s", pers);
	} while (0);
	if (getrlimit(RLIMIT_CORE, &rl) == 0)
		printf("rlimit-core: %llu\n", (unsigned long long)rl.rlim_cur);
}

/*
 * The process state that survives execve, one value a line: every
 * resource limit ("limit-NAME: SOFT HARD"), nice, scheduling policy, CPU
 * affinity, I/O priority, oom_score_adj, timer slack.
 */
static void
do_state(void)
{
	static const struct {
		int		 res;
		const char	*name;
	} lim[] = {
		{ RLIMIT_AS, "as" }, { RLIMIT_CORE, "core" },
		{ RLIMIT_CPU, "cpu" }, { RLIMIT_DATA, "data" },
		{ RLIMIT_FSIZE, "fsize" }, { RLIMIT_LOCKS, "locks" },
		{ RLIMIT_MEMLOCK, "memlock" }, { RLIMIT_MSGQUEUE, "msgqueue" },
		{ RLIMIT_NICE, "nice" }, { RLIMIT_NOFILE, "nofile" },
		{ RLIMIT_NPROC, "nproc" }, { RLIMIT_RSS, "rss" },
		{ RLIMIT_RTPRIO, "rtprio" }, { RLIMIT_RTTIME, "rttime" },
		{ RLIMIT_SIGPENDING, "sigpending" }, { RLIMIT_STACK, "stack" },
	};
	static const char *const classes[] = { "none", "rt", "be", "idle" };
	static const char *const policies[] = { "other", "fifo", "rr",
		"batch", "iso", "idle", "deadline" };
	char v[2][32], adj[32] = "?\n";
	struct rlimit rl;
	cpu_set_t *set;
	size_t i, size = CPU_ALLOC_SIZE(8192);
	long prio;
	int pol, n, c;
	FILE *f;

	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		if (getrlimit(lim[i].res, &rl) != 0) {
			printf("limit-%s: errno=%s\n", lim[i].name,
			    strerrorname_np(errno));
			continue;
		}
		for (n = 0; n < 2; n++) {
			rlim_t x = n == 0 ? rl.rlim_cur : rl.rlim_max;

			if (x == RLIM_INFINITY)
				snprintf(v[n], sizeof(v[n]), "unlimited");
			else
				snprintf(v[n], sizeof(v[n]), "%llu",
				    (unsigned long long)x);
		}
		printf("limit-%s: %s %s\n", lim[i].name, v[0], v[1]);
	}
	errno = 0;
	n = getpriority(PRIO_PROCESS, 0);
	printf("nice: %d\n", errno == 0 ? n : 99);
	pol = sched_getscheduler(0);
	printf("sched: %s%s\n", (pol & ~SCHED_RESET_ON_FORK) >= 0 &&
	    (pol & ~SCHED_RESET_ON_FORK) < 7 ?
	    policies[pol & ~SCHED_RESET_ON_FORK] : "?",
	    pol != -1 && (pol & SCHED_RESET_ON_FORK) ? " reset-on-fork" : "");
	set = CPU_ALLOC(8192);
	if (set != NULL && sched_getaffinity(0, size, set) == 0) {
		printf("affinity:");
		for (c = 0; c < 8192; c++)
			if (CPU_ISSET_S(c, size, set))
				printf(" %d", c);
		printf("\n");
	} else
		printf("affinity: errno=%s\n", strerrorname_np(errno));
	CPU_FREE(set);
	prio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
	if (prio < 0)
		printf("ioprio: errno=%s\n", strerrorname_np(errno));
	else
		printf("ioprio: %s/%ld\n", IOPRIO_PRIO_CLASS(prio) < 4 ?
		    classes[IOPRIO_PRIO_CLASS(prio)] : "?",
		    (long)IOPRIO_PRIO_DATA(prio));
	f = fopen("/proc/self/oom_score_adj", "r");
	if (f != NULL) {
		if (fgets(adj, sizeof(adj), f) == NULL)
			strcpy(adj, "?\n");
		fclose(f);
	}
	printf("oom_score_adj: %s", adj);
	printf("timerslack: %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
}

static void
do_env(void)
{
	char **e;

	for (e = environ; e != NULL && *e != NULL; e++)
		printf("env: %s\n", *e);
}

static void
do_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int self;

	if (d == NULL) {
		printf("fds: unreadable\n");
		return;
	}
	self = dirfd(d);
	printf("fds:");
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == self)
			continue;
		printf(" %s", de->d_name);
	}
	printf("\n");
	closedir(d);
}

static void
do_read(void)
{
	char c;
	int fd;

	need_arg();
	fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || read(fd, &c, 1) < 0) {
		say_rc(-1);
		if (fd != -1)
			close(fd);
		return;
	}
	close(fd);
	say_rc(0);
}

static void
do_write(void)
{
	int fd;

	need_arg();
	/* The open is what every permission check looks at. */
	fd = open(arg, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd != -1)
		close(fd);
	say_rc(fd);
}

static void
do_create(void)
{
	int fd;

	need_arg();
	fd = open(arg, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd != -1 && write(fd, "sgt\n", 4) != 4) {
		say_rc(-1);
		close(fd);
		return;
	}
	if (fd != -1)
		close(fd);
	say_rc(fd);
}

static void
do_chmod(int two)
{
	struct stat st;
	long rc;

	need_arg();
	if (stat(arg, &st) == -1) {
		say_rc(-1);
		return;
	}
	if (two)
		rc = syscall(SYS_fchmodat2, AT_FDCWD, arg,
		    (unsigned)(st.st_mode & 07777), 0);
	else
		rc = chmod(arg, st.st_mode & 07777);
	say_rc(rc);
}

static void
do_chown(void)
{
	struct stat st;

	need_arg();
	if (stat(arg, &st) == -1) {
		say_rc(-1);
		return;
	}
	say_rc(chown(arg, (uid_t)-1, st.st_gid));
}

/* A user.* attribute: the owner may set it, Landlock does not look. */
static void
do_setxattr(int at)
{
	struct {
		uint64_t value;
		uint32_t size;
		uint32_t flags;
	} xa = { (uint64_t)(uintptr_t)"1", 1, 0 };

	need_arg();
	if (at)
		say_rc(syscall(SYS_setxattrat_, AT_FDCWD, arg, 0, "user.sgt",
		    &xa, sizeof(xa)));
	else
		say_rc(setxattr(arg, "user.sgt", "1", 1, 0));
}

static void
do_utime(void)
{
	struct timespec ts[2];
	struct stat st;

	need_arg();
	if (stat(arg, &st) == -1) {
		say_rc(-1);
		return;
	}
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	say_rc(utimensat(AT_FDCWD, arg, ts, 0));
}

static void
do_setflags(void)
{
	long flags = 0;
	int fd;

	need_arg();
	fd = open(arg, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || ioctl(fd, FS_IOC_GETFLAGS, &flags) == -1) {
		say_rc(-1);
		if (fd != -1)
			close(fd);
		return;
	}
	say_rc(ioctl(fd, FS_IOC_SETFLAGS, &flags));
	close(fd);
}

static void
do_ptrace_child(void)
{
	pid_t pid = fork();
	long rc;

	if (pid == -1) {
		say_rc(-1);
		return;
	}
	if (pid == 0) {
		pause();
		_exit(0);
	}
	rc = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
	say_rc(rc);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void
do_procmem(void)
{
	char path[64];
	int fd;

	need_arg();
	snprintf(path, sizeof(path), "/proc/%s/mem", arg);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd != -1)
		close(fd);
	say_rc(fd);
}

static void
do_process_vm(void)
{
	char src[8] = "sgt", dst[8];
	struct iovec l = { dst, sizeof(dst) }, r = { src, sizeof(src) };

	say_rc(syscall(SYS_process_vm_readv, getpid(), &l, 1UL, &r, 1UL, 0UL));
}

static void
do_handle(void)
{
	struct {
		struct file_handle fh;
		unsigned char buf[MAX_HANDLE_SZ];
	} h;
	char dir[4096], *slash;
	int mount_id, fd, mfd;

	need_arg();
	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, arg, &h.fh, &mount_id, 0) == -1) {
		printf("%s: name_to_handle_at errno=%s\n", word,
		    strerrorname_np(errno));
		/* A made-up handle: the kernel would say ESTALE or EINVAL. */
		h.fh.handle_bytes = 8;
		h.fh.handle_type = 1;
	}
	/* The handle is looked up on the filesystem of the directory fd. */
	snprintf(dir, sizeof(dir), "%s", arg);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir)
		*slash = '\0';
	mfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = open_by_handle_at(mfd == -1 ? AT_FDCWD : mfd, &h.fh, O_RDONLY);
	if (fd != -1)
		close(fd);
	say_rc(fd);
	if (mfd != -1)
		close(mfd);
}

static void
do_socket(int family, unsigned long hibits)
{
	long fd;

	/* Raw, so that bits above 32 reach the filter as the caller sent. */
	fd = syscall(SYS_socket, (unsigned long)family | hibits,
	    (unsigned long)SOCK_STREAM | SOCK_CLOEXEC, 0UL);
	if (fd >= 0)
		close((int)fd);
	say_rc(fd);
}

static void
do_x32(void)
{
	long rc;

	fflush(stdout);
	rc = syscall(X32_SYSCALL_BIT | SYS_getpid);
	say_rc(rc);
}

static void
do_int80(void)
{
	long rc = 20;	/* getpid in the i386 table */

	fflush(stdout);
	__asm__ volatile ("int $0x80" : "+a"(rc) : : "memory");
	if (rc < 0 && rc > -4096) {
		errno = (int)-rc;
		rc = -1;
	}
	say_rc(rc);
}

static void
do_io_uring(void)
{
	struct io_uring_params p;
	long fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(SYS_io_uring_setup, 1U, &p);
	if (fd >= 0)
		close((int)fd);
	say_rc(fd);
}

static void
do_clone3(void)
{
	/* size 0 is invalid: the kernel says EINVAL, the filter ENOSYS */
	say_rc(syscall(SYS_clone3, NULL, 0UL));
}

static void
do_clone_ns(unsigned long flag)
{
	long pid;

	pid = syscall(SYS_clone, flag | SIGCHLD, 0UL, NULL, NULL, 0UL);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	say_rc(pid);
}

static void
do_tty_ioctl(unsigned long req, unsigned long hibits)
{
	char c = '\n';

	/* stdin need not be a tty: the filter answers before the driver */
	say_rc(syscall(SYS_ioctl, 0UL, req | hibits, &c));
}

static void
do_kill(void)
{
	need_arg();
	say_rc(kill((pid_t)atol(arg), 0));
}

/* RLIMIT_NOFILE of pid set to what it is: allowed or not. */
static void
do_prlimit(pid_t pid)
{
	struct rlimit cur;

	if (prlimit(pid, RLIMIT_NOFILE, NULL, &cur) != 0) {
		say_rc(-1);
		return;
	}
	say_rc(prlimit(pid, RLIMIT_NOFILE, &cur, NULL));
}

static void
do_ptrace_pid(void)
{
	pid_t pid;
	long rc;

	need_arg();
	pid = (pid_t)atol(arg);
	rc = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
	say_rc(rc);
	if (rc == 0)
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
}

static void
do_capraise(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &hdr, d) == -1) {
		say_rc(-1);
		return;
	}
	d[0].permitted |= 1u << CAP_SYS_ADMIN;
	d[0].effective |= 1u << CAP_SYS_ADMIN;
	say_rc(syscall(SYS_capset, &hdr, d));
}

/* A child sleeping ARG seconds; "escape" leaves the process group and
 * ignores SIGTERM, as a program hiding from a timeout would. */
static void
do_spawn_sleep(int escape)
{
	pid_t pid;

	need_arg();
	pid = fork();
	if (pid == 0) {
		if (escape && (setsid() == -1 ||
		    signal(SIGTERM, SIG_IGN) == SIG_ERR))
			_exit(126);
		execl("/bin/sleep", "sleep", arg, (char *)NULL);
		_exit(127);
	}
	printf("%s: pid=%ld\n", word, (long)pid);
	fflush(stdout);
	sleep((unsigned)atoi(arg));
}

/*
 * execve of ARG (no arguments, 0 1 2 on /dev/null) in a child: "ok" when
 * the exec succeeded (the close-on-exec pipe closed without a word),
 * else the errno that execve returned.
 */
static void
do_exec(void)
{
	char *argv[2] = { NULL, NULL }, *envp[1] = { NULL };
	int p[2], err = 0, null;
	ssize_t got;
	pid_t pid;

	need_arg();
	if ((argv[0] = strdup(arg)) == NULL || pipe2(p, O_CLOEXEC) == -1) {
		say_rc(-1);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		null = open("/dev/null", O_RDWR);
		if (null == -1 || dup2(null, 0) == -1 || dup2(null, 1) == -1 ||
		    dup2(null, 2) == -1)
			_exit(125);
		execve(arg, argv, envp);
		err = errno;
		(void)!write(p[1], &err, sizeof(err));
		_exit(127);
	}
	close(p[1]);
	if (pid == -1) {
		close(p[0]);
		say_rc(-1);
		return;
	}
	got = read(p[0], &err, sizeof(err));
	close(p[0]);
	(void)waitpid(pid, NULL, 0);
	free(argv[0]);
	if (got == (ssize_t)sizeof(err)) {
		errno = err;
		say_rc(-1);
	} else
		say_rc(0);
}

/*
 * N processes that leave the program behind: each double fork, a new
 * session, SIGTERM and SIGHUP ignored, pause().  Only SIGKILL ends them,
 * and only a subreaper finds them (their parent is gone).
 */
static void
do_orphans(void)
{
	pid_t pid;
	long i, n;
	int st;

	need_arg();
	n = atol(arg);
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid == -1)
			break;
		if (pid == 0) {
			if (fork() != 0)
				_exit(0);
			if (setsid() == -1 || signal(SIGTERM, SIG_IGN) ==
			    SIG_ERR || signal(SIGHUP, SIG_IGN) == SIG_ERR)
				_exit(126);
			for (;;)
				pause();
		}
		if (waitpid(pid, &st, 0) == -1)
			break;
	}
	if (i < n)
		printf("%s: errno=%s after %ld\n", word,
		    strerrorname_np(errno), i);
	else
		printf("%s: ok\n", word);
	fflush(stdout);
}

/*
 * N children at once, each pause()ing until the probe kills them: how
 * many the run's pids.max lets it have.  "forks=N: ok", or the errno of
 * the fork that failed and how many were running.
 */
static void
do_forks(void)
{
	pid_t *pids;
	long i, n;
	int e = 0;

	need_arg();
	n = atol(arg);
	if (n < 1 || (pids = calloc((size_t)n, sizeof(*pids))) == NULL) {
		printf("%s: usage: N from 1\n", word);
		exit(2);
	}
	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) == -1) {
			e = errno;
			break;
		}
		if (pids[i] == 0) {
			for (;;)
				pause();
		}
	}
	n = i;
	for (i = 0; i < n; i++)
		if (kill(pids[i], SIGKILL) != 0 || waitpid(pids[i], NULL, 0) == -1)
			printf("%s: cannot end child %ld\n", word, (long)pids[i]);
	free(pids);
	if (e != 0)
		printf("%s: errno=%s after %ld\n", word, strerrorname_np(e), n);
	else
		printf("%s: ok\n", word);
}

/*
 * Take and touch ARG MiB, a page at a time: "alloc=N: ok", or the probe
 * dies as the run's memory.max makes it (the OOM killer's SIGKILL).
 */
static void
do_alloc(void)
{
	size_t mib, i;
	char *p;

	need_arg();
	mib = (size_t)atol(arg);
	p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		say_rc(-1);
		return;
	}
	for (i = 0; i < mib << 20; i += 4096)
		p[i] = 1;
	say_rc(munmap(p, mib << 20));
}

/* Wait for a line (or EOF) on stdin: the test's signal to go on. */
static void
do_await(void)
{
	char c;
	ssize_t n;

	while ((n = read(STDIN_FILENO, &c, 1)) == 1 && c != '\n')
		;
	say_rc(n);
}

/*
 * What a program could do to the terminal it was started from: open its
 * controlling terminal, push input into the terminal on fd 0 or into
 * /dev/tty (ARG and a newline, by TIOCSTI), take the foreground.
 */
static void
do_devtty(void)
{
	/* read only: TIOCSTI needs no more, and Landlock allows it */
	int fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);

	say_rc(fd);
	if (fd != -1)
		close(fd);
}

static void
do_sti(int devtty)
{
	size_t i, len;
	long rc = 0;
	int fd = STDIN_FILENO, e;
	char c;

	need_arg();
	if (devtty && (fd = open("/dev/tty", O_RDONLY | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		say_rc(-1);
		return;
	}
	len = strlen(arg);
	for (i = 0; rc == 0 && i <= len; i++) {
		c = i < len ? arg[i] : '\n';
		rc = syscall(SYS_ioctl, fd, TIOCSTI, &c);
	}
	e = errno;
	if (devtty)
		close(fd);
	errno = e;
	say_rc(rc);
}

static void
do_tcsetpgrp(void)
{
	/* with SIGTTOU ignored, a background process group may do it */
	if (signal(SIGTTOU, SIG_IGN) == SIG_ERR) {
		say_rc(-1);
		return;
	}
	say_rc(tcsetpgrp(STDIN_FILENO, getpgrp()));
}

/*
 * A child that outlives the program and waits for the caller's next
 * line: it takes the terminal's foreground if it can, then reads fd 0 and
 * prints what it got.  The program goes on once the child is about to
 * read.
 */
static void
do_leftover_read(void)
{
	char line[256], c;
	size_t len = 0;
	ssize_t n = 0;
	pid_t pid;
	int p[2];

	if (pipe(p) == -1 || (pid = fork()) == -1) {
		say_rc(-1);
		return;
	}
	if (pid == 0) {
		if (signal(SIGTTOU, SIG_IGN) == SIG_ERR ||
		    signal(SIGHUP, SIG_IGN) == SIG_ERR ||
		    signal(SIGTERM, SIG_IGN) == SIG_ERR)
			_exit(126);
		(void)tcsetpgrp(STDIN_FILENO, getpgrp());
		close(p[0]);
		(void)!write(p[1], "r", 1);
		close(p[1]);
		while (len < sizeof(line) - 1 &&
		    (n = read(STDIN_FILENO, &c, 1)) == 1 && c != '\n')
			line[len++] = c;
		line[len] = '\0';
		if (n == -1)
			printf("%s: errno=%s\n", word, strerrorname_np(errno));
		else
			printf("%s: read [%s]\n", word, line);
		_exit(0);
	}
	close(p[1]);
	(void)!read(p[0], &c, 1);
	close(p[0]);
	printf("%s: pid=%ld\n", word, (long)pid);
}

static void
do_perf(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.exclude_kernel = 1;
	say_rc(syscall(SYS_perf_event_open, &a, 0, -1, -1, 0UL));
}

static void
do_settime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	say_rc(clock_settime(CLOCK_REALTIME, &ts));
}

#if defined(__x86_64__)
#define NATIVE_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH	AUDIT_ARCH_AARCH64
#else
#define NATIVE_ARCH	0	/* wrap-landlock refuses to run */
#endif
#define LL_CREATE	444	/* landlock_create_ruleset, all architectures */
#define LL_RESTRICT	446

static int
install_filter(uint32_t action, int only_create, unsigned flags)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, LL_CREATE, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K,
		    only_create ? LL_CREATE : LL_RESTRICT, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

/* Answer the version query with abi; let everything else through. */
static int
fake_abi(long abi, pid_t child, int listener)
{
	struct seccomp_notif_sizes sz;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int status;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) == -1)
		return 125;
	req = calloc(1, sz.seccomp_notif);
	resp = calloc(1, sz.seccomp_notif_resp);
	if (req == NULL || resp == NULL)
		return 125;
	for (;;) {
		struct pollfd pf = { listener, POLLIN, 0 };

		if (waitpid(child, &status, WNOHANG) == child)
			break;
		if (poll(&pf, 1, 100) <= 0 || !(pf.revents & POLLIN))
			continue;
		memset(req, 0, sz.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) == -1)
			continue;
		memset(resp, 0, sz.seccomp_notif_resp);
		resp->id = req->id;
		if (req->data.args[0] == 0 && req->data.args[1] == 0 &&
		    req->data.args[2] == 1 /* LANDLOCK_CREATE_RULESET_VERSION */)
			resp->val = abi;
		else
			resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}

static int
wrap_landlock(const char *mode, char **cmd)
{
	int listener;
	pid_t pid;

	if (cmd[0] == NULL || NATIVE_ARCH == 0) {
		fprintf(stderr, "wrap-landlock: no program, or an "
		    "architecture this wrapper does not know\n");
		return 2;
	}
	if (strcmp(mode, "ENOSYS") == 0 || strcmp(mode, "EOPNOTSUPP") == 0) {
		if (install_filter(SECCOMP_RET_ERRNO | (mode[1] == 'N' ?
		    ENOSYS : EOPNOTSUPP), 0, 0) == -1) {
			perror("wrap-landlock: seccomp");
			return 125;
		}
		execv(cmd[0], cmd);
		perror("wrap-landlock: execv");
		return 127;
	}
	if (strncmp(mode, "abi:", 4) != 0) {
		fprintf(stderr, "wrap-landlock: mode ENOSYS, EOPNOTSUPP or "
		    "abi:N\n");
		return 2;
	}
	listener = install_filter(SECCOMP_RET_USER_NOTIF, 1,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER);
	if (listener == -1) {
		perror("wrap-landlock: seccomp listener");
		return 125;
	}
	pid = fork();
	if (pid == -1)
		return 125;
	if (pid == 0) {
		close(listener);
		execv(cmd[0], cmd);
		_exit(127);
	}
	return fake_abi(atol(mode + 4), pid, listener);
}

int
main(int argc, char **argv)
{
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		static char buf[4096];
		char *eq;

		word = argv[i];
		snprintf(buf, sizeof(buf), "%s", argv[i]);
		eq = strchr(buf, '=');
		arg = NULL;
		if (eq != NULL) {
			*eq = '\0';
			arg = eq + 1;
		}
		errno = 0;
		if (strcmp(buf, "probe") == 0)
			continue;	/* the client's first word */
		else if (strcmp(buf, "wrap-landlock") == 0) {
			need_arg();
			return wrap_landlock(arg, argv + i + 1);
		}
		else if (strcmp(buf, "status") == 0)
			do_status();
		else if (strcmp(buf, "env") == 0)
			do_env();
		else if (strcmp(buf, "state") == 0)
			do_state();
		else if (strcmp(buf, "fds") == 0)
			do_fds();
		else if (strcmp(buf, "forks") == 0)
			do_forks();
		else if (strcmp(buf, "alloc") == 0)
			do_alloc();
		else if (strcmp(buf, "read") == 0)
			do_read();
		else if (strcmp(buf, "write") == 0)
			do_write();
		else if (strcmp(buf, "create") == 0)
			do_create();
		else if (strcmp(buf, "mkdir") == 0) {
			need_arg();
			say_rc(mkdir(arg, 0700));
		} else if (strcmp(buf, "unlink") == 0) {
			need_arg();
			say_rc(unlink(arg));
		} else if (strcmp(buf, "truncate") == 0) {
			struct stat st;

			need_arg();
			say_rc(stat(arg, &st) == -1 ? -1 :
			    truncate(arg, st.st_size));
		} else if (strcmp(buf, "chmod") == 0)
			do_chmod(0);
		else if (strcmp(buf, "fchmodat2") == 0)
			do_chmod(1);
		else if (strcmp(buf, "chown") == 0)
			do_chown();
		else if (strcmp(buf, "setxattr") == 0)
			do_setxattr(0);
		else if (strcmp(buf, "setxattrat") == 0)
			do_setxattr(1);
		else if (strcmp(buf, "utime") == 0)
			do_utime();
		else if (strcmp(buf, "setflags") == 0)
			do_setflags();
		else if (strcmp(buf, "setuid0") == 0)
			say_rc(setuid(0));
		else if (strcmp(buf, "seteuid0") == 0)
			say_rc(seteuid(0));
		else if (strcmp(buf, "setgid0") == 0)
			say_rc(setgid(0));
		else if (strcmp(buf, "setgroups") == 0) {
			gid_t g0 = 0;

			say_rc(setgroups(1, &g0));
		} else if (strcmp(buf, "capraise") == 0)
			do_capraise();
		else if (strcmp(buf, "ambient-raise") == 0)
			say_rc(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE,
			    CAP_SYS_ADMIN, 0, 0));
		else if (strcmp(buf, "ptrace-child") == 0)
			do_ptrace_child();
		else if (strcmp(buf, "ptrace") == 0)
			do_ptrace_pid();
		else if (strcmp(buf, "procmem") == 0)
			do_procmem();
		else if (strcmp(buf, "process_vm_readv") == 0)
			do_process_vm();
		else if (strcmp(buf, "kill") == 0)
			do_kill();
		else if (strcmp(buf, "mount") == 0)
			say_rc(mount("sgt", "/tmp", "tmpfs", 0, NULL));
		else if (strcmp(buf, "umount") == 0)
			say_rc(umount2("/proc", MNT_DETACH));
		else if (strcmp(buf, "pivot_root") == 0)
			say_rc(syscall(SYS_pivot_root, "/", "/"));
		else if (strcmp(buf, "chroot") == 0)
			say_rc(chroot("/"));
		else if (strcmp(buf, "handle") == 0)
			do_handle();
		else if (strcmp(buf, "inet") == 0)
			do_socket(AF_INET, 0);
		else if (strcmp(buf, "inet6") == 0)
			do_socket(AF_INET6, 0);
		else if (strcmp(buf, "netlink") == 0)
			say_rc(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0));
		else if (strcmp(buf, "unix") == 0)
			do_socket(AF_UNIX, 0);
		else if (strcmp(buf, "inet-hibits") == 0)
			do_socket(AF_INET, 1UL << 32);
		else if (strcmp(buf, "x32") == 0)
			do_x32();
		else if (strcmp(buf, "int80") == 0)
			do_int80();
		else if (strcmp(buf, "io_uring") == 0)
			do_io_uring();
		else if (strcmp(buf, "clone3") == 0)
			do_clone3();
		else if (strcmp(buf, "clone-newuser") == 0)
			do_clone_ns(CLONE_NEWUSER);
		else if (strcmp(buf, "clone-newns") == 0)
			do_clone_ns(CLONE_NEWNS);
		else if (strcmp(buf, "unshare-user") == 0)
			say_rc(unshare(CLONE_NEWUSER));
		else if (strcmp(buf, "unshare-net") == 0)
			say_rc(unshare(CLONE_NEWNET));
		else if (strcmp(buf, "setns") == 0)
			say_rc(setns(-1, 0));
		else if (strcmp(buf, "tiocsti") == 0)
			do_tty_ioctl(TIOCSTI, 0);
		else if (strcmp(buf, "tiocsti-hibits") == 0)
			do_tty_ioctl(TIOCSTI, 1UL << 32);
		else if (strcmp(buf, "tioclinux") == 0)
			do_tty_ioctl(TIOCLINUX, 0);
		else if (strcmp(buf, "bpf") == 0)
			say_rc(syscall(SYS_bpf, 0, NULL, 0));
		else if (strcmp(buf, "userfaultfd") == 0)
			say_rc(syscall(SYS_userfaultfd, O_CLOEXEC));
		else if (strcmp(buf, "perf_event_open") == 0)
			do_perf();
		else if (strcmp(buf, "keyctl") == 0)
			say_rc(syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */,
			    -3 /* session */, 0));
		else if (strcmp(buf, "kexec_load") == 0)
			say_rc(syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL));
		else if (strcmp(buf, "init_module") == 0)
			say_rc(syscall(SYS_init_module, NULL, 0UL, ""));
		else if (strcmp(buf, "swapon") == 0)
			say_rc(syscall(SYS_swapon, "/dev/null", 0));
		else if (strcmp(buf, "reboot") == 0)
			say_rc(syscall(SYS_reboot, 0, 0, 0, NULL));
		else if (strcmp(buf, "settime") == 0)
			do_settime();
		else if (strcmp(buf, "shmget") == 0) {
			long id = syscall(SYS_shmget, 0 /* IPC_PRIVATE */,
			    4096UL, 0600);

			if (id >= 0)
				(void)syscall(SYS_shmctl, id, 0 /* IPC_RMID */,
				    NULL);
			say_rc(id);
		} else if (strcmp(buf, "statvfs") == 0) {
			struct statvfs sv;

			need_arg();
			if (statvfs(arg, &sv) == -1)
				say_rc(-1);
			else
				printf("%s: %s\n", word, (sv.f_flag & ST_RDONLY) ?
				    "ro" : "rw");
		} else if (strcmp(buf, "personality") == 0)
			say_rc(syscall(SYS_personality, 0xffffffffUL));
		else if (strcmp(buf, "sleep") == 0) {
			need_arg();
			printf("%s: pid=%ld\n", word, (long)getpid());
			sleep((unsigned)atoi(arg));
		} else if (strcmp(buf, "spawn-sleep") == 0)
			do_spawn_sleep(0);
		else if (strcmp(buf, "escape-sleep") == 0)
			do_spawn_sleep(1);
		else if (strcmp(buf, "orphans") == 0)
			do_orphans();
		else if (strcmp(buf, "exec") == 0)
			do_exec();
		else if (strcmp(buf, "pid") == 0)
			printf("%s: %ld\n", word, (long)getpid());
		else if (strcmp(buf, "ppid") == 0)
			printf("%s: %ld\n", word, (long)getppid());
		else if (strcmp(buf, "kill-parent") == 0)
			say_rc(kill(getppid(), 0));
		else if (strcmp(buf, "stop-parent") == 0)
			say_rc(kill(getppid(), SIGSTOP));
		else if (strcmp(buf, "prlimit-parent") == 0)
			do_prlimit(getppid());
		else if (strcmp(buf, "prlimit-self") == 0)
			do_prlimit(0);	/* as setrlimit() does */
		else if (strcmp(buf, "devtty") == 0)
			do_devtty();
		else if (strcmp(buf, "sti") == 0)
			do_sti(0);
		else if (strcmp(buf, "sti-tty") == 0)
			do_sti(1);
		else if (strcmp(buf, "tcsetpgrp") == 0)
			do_tcsetpgrp();
		else if (strcmp(buf, "leftover-read") == 0)
			do_leftover_read();
		else if (strcmp(buf, "await") == 0)
			do_await();
		else if (strcmp(buf, "exit") == 0) {
			need_arg();
			exit(atoi(arg));
		} else {
			printf("%s: unknown check\n", word);
			return 2;
		}
	}
	return 0;
}
