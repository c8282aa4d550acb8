/*
 * The run's cgroup, for every run (each has a supervisor):
 * the supervisor in <cgroup2 mount>/sshgate/run-PID, the program in
 * run-PID/prog, both created by root in a place no other account can
 * write (sshgate(8) "THE RUN'S CGROUP").
 *
 * Why: a login account with a delegated cgroup v2 subtree (systemd gives
 * one to every user manager) could move the gate's processes into a
 * cgroup of its own and freeze them: the supervisor frozen is a timeout
 * that never fires.  Moving a process needs write access to the
 * cgroup.procs of the common ancestor of both cgroups, and for ours that
 * ancestor is root's; freezing ours needs their cgroup.freeze, root's.
 *
 * The supervisor is outside the cgroup it kills: at the end it writes
 * run-PID/prog/cgroup.kill, reaps what was there, removes prog, moves
 * itself to the root of the hierarchy (no other account can freeze or
 * move a process there either) and removes run-PID.
 *
 * Every step is read back: a move is checked in /proc/self/cgroup.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

#define CG_DIR		"sshgate"

/* Write "0" (this process) to DIR/cgroup.procs. */
static int
move_self(int dir)
{
	int fd, ok;

	if ((fd = openat(dir, "cgroup.procs", O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	ok = write(fd, "0", 1) == 1;
	if (close(fd) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* Is this process in cgroup PATH (the "0::" line of /proc/self/cgroup)? */
static int
in_cgroup(const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int yes = 0;

	if ((fp = fopen("/proc/self/cgroup", "re")) == NULL)
		return 0;
	while ((n = getline(&line, &cap, fp)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (strncmp(line, "0::", 3) == 0)
			yes = strcmp(line + 3, path) == 0;
	}
	free(line);
	fclose(fp);
	return yes;
}

/* A directory of ours: root's, written by root alone. */
static int
root_dir(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
	    (st.st_mode & 022) == 0;
}

static int
open_dir(int at, const char *name)
{
	return openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
}

/* A leftover run-PID of a supervisor that was killed: empty, or refused. */
static int
make_dir(int at, const char *name)
{
	int fd;

	if (mkdirat(at, name, 0700) != 0) {
		if (errno != EEXIST)
			return -1;
		if ((fd = open_dir(at, name)) == -1)
			return -1;
		(void)unlinkat(fd, "prog", AT_REMOVEDIR);
		close(fd);
		if (unlinkat(at, name, AT_REMOVEDIR) != 0 ||
		    mkdirat(at, name, 0700) != 0)
			return -1;
	}
	return open_dir(at, name);
}

/*
 * Remove the run-PID of supervisors that are gone (killed with SIGKILL:
 * nothing of theirs could clean up).  Only empty cgroups can be removed,
 * so a run that is still going keeps its own; the pid must not exist, so
 * a gate between its mkdir and its move keeps its own too.
 */
static void
sweep(int sg)
{
	struct dirent *de;
	char *end;
	long pid;
	DIR *d;
	int fd, dfd;

	if ((dfd = dup(sg)) == -1)
		return;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "run-", 4) != 0)
			continue;
		errno = 0;
		pid = strtol(de->d_name + 4, &end, 10);
		if (errno != 0 || *end != '\0' || pid < 2 || pid > INT_MAX ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if ((fd = open_dir(sg, de->d_name)) == -1)
			continue;
		(void)unlinkat(fd, "prog", AT_REMOVEDIR);
		close(fd);
		(void)unlinkat(sg, de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

#define HAVE_PIDS	1
#define HAVE_MEMORY	2

/*
 * The controllers the limits need, enabled in sshgate/ (which holds no
 * process, so the kernel lets it hand them on) when the hierarchy's root
 * offers them to it.  The root's own cgroup.subtree_control is the
 * system's (systemd enables pids and memory there) and is not touched.
 * Returns what is on: HAVE_PIDS, HAVE_MEMORY.
 */
static int
controllers(int sg, int want)
{
	static const struct { const char *name, *plus; int bit; } c[] = {
		{ "pids", "+pids", HAVE_PIDS },
		{ "memory", "+memory", HAVE_MEMORY },
	};
	char buf[1024], *p, *w;
	ssize_t n;
	size_t i;
	int fd, have = 0;

	if ((fd = openat(sg, "cgroup.controllers", O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (p = buf; (w = strsep(&p, " \n")) != NULL;)
		for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
			if (strcmp(w, c[i].name) == 0 && (want & c[i].bit))
				have |= c[i].bit;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (!(have & c[i].bit))
			continue;
		fd = openat(sg, "cgroup.subtree_control", O_WRONLY | O_CLOEXEC);
		if (fd == -1 || write(fd, c[i].plus, strlen(c[i].plus)) !=
		    (ssize_t)strlen(c[i].plus))
			have &= ~c[i].bit;
		if (fd != -1 && close(fd) != 0)
			have &= ~c[i].bit;
	}
	return have;
}

/* Write V to DIR/FILE and read it back; -1 with errno (EIO: not V). */
static int
set_limit(int dir, const char *file, unsigned long long v)
{
	char want[32], got[32];
	ssize_t n;
	int fd, e;

	snprintf(want, sizeof(want), "%llu\n", v);
	if ((fd = openat(dir, file, O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	if (write(fd, want, strlen(want)) != (ssize_t)strlen(want) ||
	    (n = pread(fd, got, sizeof(got) - 1, 0)) < 0) {
		e = errno;
		(void)close(fd);
		errno = e;
		return -1;
	}
	got[n] = '\0';
	if (close(fd) != 0)
		return -1;
	if (strcmp(got, want) != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * The run's limits on run-PID, which holds the supervisor and, below it,
 * the program: pids.max the rule's (or PIDS_DEFAULT) plus one for the
 * supervisor, memory.max the rule's.  A limit the rule asks for without
 * its controller follows "cgroup"; the default one is left out without
 * a word (every run of such a host would log it; sshgate(8) says how to
 * see it).  A controller that is there and a value that does not hold is
 * a doubt, and refused.
 */
static void
set_limits(const struct rule *r, int sg, int run, const char *where)
{
	int have, want = HAVE_PIDS | (r->memory ? HAVE_MEMORY : 0);
	unsigned pids = r->pids ? r->pids : PIDS_DEFAULT;
	struct refusal f;

	have = controllers(sg, want);
	if ((r->pids && !(have & HAVE_PIDS)) ||
	    (r->memory && !(have & HAVE_MEMORY))) {
		if (r->cgroup == CGROUP_REQUIRE) {
			refusal_set(&f, REFUSE_NO_CONTROLLER, r->name, where,
			    r->pids && !(have & HAVE_PIDS) ? "pids" : "memory");
			refuse(&f);
		}
		log_msg(LOG_WARNING, "rule=%s cgroup: no %s controller in %s; "
		    "running without the rule's limit (cgroup best-effort)",
		    r->name, r->pids && !(have & HAVE_PIDS) ? "pids" :
		    "memory", where);
	}
	if ((have & HAVE_PIDS) && set_limit(run, "pids.max",
	    (unsigned long long)pids + 1) != 0)
		die(EXIT_PRIV, "cannot set pids.max %u in %s: %s", pids + 1,
		    where, strerror(errno));
	if ((have & HAVE_MEMORY) && set_limit(run, "memory.max",
	    r->memory) != 0)
		die(EXIT_PRIV, "cannot set memory.max %llu in %s: %s",
		    r->memory, where, strerror(errno));
}

static void
close_all(struct cgrun *cg)
{
	if (cg->prog >= 0)
		close(cg->prog);
	if (cg->run >= 0)
		close(cg->run);
	if (cg->root >= 0)
		close(cg->root);
	cg->prog = cg->run = cg->root = -1;
}

/*
 * Before the supervisor's fork, as root: make sshgate/run-PID and
 * run-PID/prog and move this process (the supervisor to be) into
 * run-PID.  Without a usable cgroup2 the rule decides: `cgroup require`
 * refuses (EXIT_PRIV), `cgroup best-effort` logs a warning and runs
 * without, after removing what it made.  Once moved, a doubt is a
 * refusal whatever the rule says.
 */
void
cgroup_enter(const struct rule *r, struct cgrun *cg)
{
	char mnt[PATH_MAX], root[PATH_MAX], why[PATH_MAX + 64];
	struct statfs sf;
	struct refusal f;
	int sg = -1;

	cg->root = cg->run = cg->prog = -1;
	snprintf(cg->name, sizeof(cg->name), "run-%ld", (long)getpid());
	if (confine_cgroup_mount(mnt, sizeof(mnt), root, sizeof(root), why,
	    sizeof(why)) != 0)
		goto unusable;
	if ((cg->root = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstatfs(cg->root, &sf) != 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(why, sizeof(why), "%s: not a cgroup2 mount", mnt);
		goto unusable;
	}
	if ((mkdirat(cg->root, CG_DIR, 0755) != 0 && errno != EEXIST) ||
	    (sg = open_dir(cg->root, CG_DIR)) == -1) {
		snprintf(why, sizeof(why), "%s/%s: %s", mnt, CG_DIR,
		    strerror(errno));
		goto unusable;
	}
	if (!root_dir(sg))
		die(EXIT_PRIV, "%s/%s is not root's alone", mnt, CG_DIR);
	sweep(sg);
	if ((cg->run = make_dir(sg, cg->name)) == -1 ||
	    (cg->prog = make_dir(cg->run, "prog")) == -1) {
		snprintf(why, sizeof(why), "%s/%s/%s: %s", mnt, CG_DIR,
		    cg->name, strerror(errno));
		goto unusable;
	}
	snprintf(why, sizeof(why), "%s/%s", mnt, CG_DIR);
	set_limits(r, sg, cg->run, why);
	if (move_self(cg->run) != 0) {
		snprintf(why, sizeof(why), "%s/%s/%s/cgroup.procs: %s", mnt,
		    CG_DIR, cg->name, strerror(errno));
		goto unusable;
	}
	close(sg);
	snprintf(cg->path, sizeof(cg->path), "%s/%s/%s",
	    strcmp(root, "/") == 0 ? "" : root, CG_DIR, cg->name);
	if (!in_cgroup(cg->path))
		die(EXIT_PRIV, "not in cgroup %s after the move", cg->path);
	return;

unusable:
	/* not moved: what was made is empty, and goes */
	if (cg->run >= 0)
		(void)unlinkat(cg->run, "prog", AT_REMOVEDIR);
	if (sg >= 0) {
		if (cg->run >= 0)
			(void)unlinkat(sg, cg->name, AT_REMOVEDIR);
		close(sg);
	}
	close_all(cg);
	if (r->cgroup == CGROUP_REQUIRE) {
		refusal_set(&f, REFUSE_NO_CGROUP, r->name, NULL, why);
		refuse(&f);
	}
	log_msg(LOG_WARNING, "rule=%s cgroup: none (%s); running without "
	    "(cgroup best-effort)", r->name, why);
}

/* In the program's process, still root: into run-PID/prog, checked. */
void
cgroup_child(struct cgrun *cg)
{
	char prog[sizeof(cg->path) + 8];

	if (cg->run == -1)
		return;
	if (move_self(cg->prog) != 0)
		die(EXIT_PRIV, "cannot move into cgroup %s/prog: %s", cg->path,
		    strerror(errno));
	snprintf(prog, sizeof(prog), "%s/prog", cg->path);
	if (!in_cgroup(prog))
		die(EXIT_PRIV, "not in cgroup %s after the move", prog);
	close_all(cg);
}

/*
 * The supervisor, once the program has ended: every process left in
 * run-PID/prog is killed at once (Linux 5.14).  Without cgroup.kill the
 * supervisor's rounds over its children still end them.
 */
void
cgroup_kill(const struct cgrun *cg)
{
	int fd;

	if (cg->prog == -1)
		return;
	fd = openat(cg->prog, "cgroup.kill", O_WRONLY | O_CLOEXEC);
	if (fd == -1 || write(fd, "1", 1) != 1)
		log_msg(LOG_WARNING, "supervisor: cgroup.kill of %s/prog: %s",
		    cg->path, strerror(errno));
	if (fd != -1)
		close(fd);
}

/*
 * Until prog's cgroup.events says "populated 0": the kernel may count a
 * reaped process out a moment after waitpid() (rmdir is EBUSY until
 * then), and it wakes a poll() on cgroup.events when that changes, so
 * the wait ends as soon as it can -- a fixed pause cost every supervised
 * run 10 to 20 ms.  2 s at most; -1 with errno if it did not end.
 */
static int
wait_unpopulated(int dir)
{
	char buf[256];
	struct pollfd pf;
	ssize_t n;
	int tries;

	if ((pf.fd = openat(dir, "cgroup.events", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	pf.events = POLLPRI;
	for (tries = 0; tries < 20; tries++) {
		n = pread(pf.fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			break;
		buf[n] = '\0';
		if (strncmp(buf, "populated 0\n", 12) == 0 ||
		    strstr(buf, "\npopulated 0\n") != NULL) {
			close(pf.fd);
			return 0;
		}
		if (poll(&pf, 1, 100) == -1 && errno != EINTR)
			break;
	}
	close(pf.fd);
	errno = EBUSY;
	return -1;
}

/*
 * After the supervisor has reaped every process: remove prog, leave
 * run-PID for the root of the hierarchy, remove run-PID.
 */
void
cgroup_remove(struct cgrun *cg)
{
	int sg;

	if (cg->run == -1)
		return;
	if (unlinkat(cg->run, "prog", AT_REMOVEDIR) != 0 && (errno != EBUSY ||
	    wait_unpopulated(cg->prog) != 0 ||
	    unlinkat(cg->run, "prog", AT_REMOVEDIR) != 0))
		goto left;
	if (move_self(cg->root) != 0 || in_cgroup(cg->path) ||
	    (sg = open_dir(cg->root, CG_DIR)) == -1)
		goto left;
	/* empty: its only process, the supervisor, has just left it */
	if (unlinkat(sg, cg->name, AT_REMOVEDIR) != 0) {
		close(sg);
		goto left;
	}
	close(sg);
	close_all(cg);
	return;
left:
	log_msg(LOG_WARNING, "supervisor: cgroup %s left behind: %s",
	    cg->path, strerror(errno));
	close_all(cg);
}
