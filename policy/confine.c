/*
 * One decision of what confines a rule's program, and of when the gate
 * refuses to run it; the gate enforces it, sshgate-lint reports it.
 * MUST:
 *  - hold every such decision that the gate and sshgate-lint can both
 *    make: the runner, the confinement, the exec chain with its
 *    interpreters, the cgroup a "cgroup require" rule needs; the walks
 *    of the policy file, the program and the writable and read paths
 *    stay in the gate's steps (descriptors it keeps), and refuse with
 *    refusal_set()'s words;
 *  - never run a uid 0 runner without a seccomp filter, without Landlock,
 *    or without Landlock's signal scope (ABI 6): uid 0 owns root's files
 *    and IPC objects, and is the uid of sshd and of the supervisor
 *    (docs/HACKING.md "Decisions already taken");
 *  - give each refusal the gate's exact words and exit status, so that
 *    sshgate-lint --test says what the gate says (tests/root/verdict.sh).
 */
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confine.h"
#include "exec.h"
#include "trust.h"
#include "xmalloc.h"

#define REFUSAL_ROW(e, name, status)	[e] = { name, status },
static const struct {
	const char	*name;
	int		 status;
} refusals[REFUSE_MAX] = {
	[REFUSE_NONE] = { "none", 0 },
	REFUSALS(REFUSAL_ROW)
};
#undef REFUSAL_ROW

const char *
refusal_name(enum refusal_cause c)
{
	return c < REFUSE_MAX ? refusals[c].name : "?";
}

int
refusal_status(enum refusal_cause c)
{
	return c < REFUSE_MAX ? refusals[c].status : 5;
}

/* Never cut silently (docs/STYLE.md 6): a text cut to fit says so. */
static void
cut(char *s, size_t size)
{
	static const char mark[] = "... [cut]";

	memcpy(s + size - sizeof(mark), mark, sizeof(mark));
}

void
refusal_set(struct refusal *f, enum refusal_cause c, const char *rule,
    const char *subject, const char *detail)
{
	char *m = f->reason;
	size_t n = sizeof(f->reason);
	int k = 0;

	f->cause = c;
	f->status = refusal_status(c);
	f->eacces = 0;
	if (snprintf(f->subject, sizeof(f->subject), "%s", subject ? subject :
	    "") >= (int)sizeof(f->subject))
		cut(f->subject, sizeof(f->subject));
	switch (c) {
	case REFUSE_POLICY_UNTRUSTED:
		k = snprintf(m, n, "policy %s refused: %s; nothing is permitted",
		    subject, detail);
		break;
	case REFUSE_POLICY_ERROR:
		k = snprintf(m, n, "policy %s has %s error%s; nothing is "
		    "permitted (run sshgate-lint)", subject, detail,
		    strcmp(detail, "1") == 0 ? "" : "s");
		break;
	/* A part stops its tag only: the words say which (RULE: the tag). */
	case REFUSE_PART_UNTRUSTED:
		k = snprintf(m, n, "policy part %s refused: %s; nothing is "
		    "permitted for tag '%s'", subject, detail, rule);
		break;
	case REFUSE_PART_ERROR:
		k = snprintf(m, n, "policy part %s has %s error%s; nothing is "
		    "permitted for tag '%s' (run sshgate-lint)", subject,
		    detail, strcmp(detail, "1") == 0 ? "" : "s", rule);
		break;
	case REFUSE_RUNNER_MISSING:
		k = snprintf(m, n, "runner account '%s' of rule '%s' does not "
		    "exist", subject, rule);
		break;
	case REFUSE_GROUP_MISSING:
		k = snprintf(m, n, "runner group '%s' of rule '%s' does not exist",
		    subject, rule);
		break;
	case REFUSE_RUNNER_IS_CALLER:
		k = snprintf(m, n, "rule '%s' runs as the calling account %s; a "
		    "rule needs a runner account of its own", rule, subject);
		break;
	case REFUSE_UID0_NO_SECCOMP:
		k = snprintf(m, n, "rule '%s' runs as uid 0 without seccomp: uid 0 "
		    "owns root's IPC objects and more that only the filter "
		    "keeps from it; refused", rule);
		break;
	case REFUSE_NO_LANDLOCK:
		k = snprintf(m, n, "rule '%s' requires Landlock, which this kernel "
		    "does not offer (%s)", rule, detail);
		break;
	case REFUSE_UID0_LANDLOCK_ABI:
		k = snprintf(m, n, "rule '%s' runs as uid 0, which needs Landlock's "
		    "signal scope (ABI 6, Linux 6.12); this kernel has ABI %s: "
		    "its program could signal every root process; use a "
		    "runner account", rule, detail);
		break;
	case REFUSE_PROGRAM:
		k = snprintf(m, n, "program of rule '%s' refused: %s", rule, detail);
		break;
	case REFUSE_WRITE_PATH:
		k = snprintf(m, n, "writable path %s of rule '%s' refused: %s",
		    subject, rule, detail);
		break;
	case REFUSE_EXEC_PATH:
		refusal_exec(f, rule, "exec", subject, detail);
		break;
	case REFUSE_READ_PATH:
		k = snprintf(m, n, "readable path %s of rule '%s' refused: %s",
		    subject, rule, detail);
		break;
	case REFUSE_NO_CGROUP:
		k = snprintf(m, n, "no cgroup for the run (%s); rule '%s' says "
		    "cgroup require", detail, rule);
		break;
	case REFUSE_NO_CONTROLLER:
		k = snprintf(m, n, "no %s controller in %s for the run's limit; "
		    "rule '%s' says cgroup require", detail, subject, rule);
		break;
	default:
		f->cause = REFUSE_NONE;
		f->status = 0;
		m[0] = '\0';
		break;
	}
	if (k < 0 || (size_t)k >= n)
		cut(m, n);
}

void
refusal_exec(struct refusal *f, const char *rule, const char *kind,
    const char *path, const char *detail)
{
	int k;

	f->cause = REFUSE_EXEC_PATH;
	f->status = refusal_status(REFUSE_EXEC_PATH);
	f->eacces = 0;
	if (snprintf(f->subject, sizeof(f->subject), "%s", path) >=
	    (int)sizeof(f->subject))
		cut(f->subject, sizeof(f->subject));
	k = snprintf(f->reason, sizeof(f->reason), "%s path %s of rule '%s' "
	    "refused: %s", kind, path, rule, detail);
	if (k < 0 || (size_t)k >= sizeof(f->reason))
		cut(f->reason, sizeof(f->reason));
}

void
refusal_interp(struct refusal *f, const char *rule, const char *subject,
    const char *of, const char *detail)
{
	int k;

	f->cause = REFUSE_INTERPRETER;
	f->status = refusal_status(REFUSE_INTERPRETER);
	f->eacces = 0;
	if (snprintf(f->subject, sizeof(f->subject), "%s", subject) >=
	    (int)sizeof(f->subject))
		cut(f->subject, sizeof(f->subject));
	if (of != NULL)
		k = snprintf(f->reason, sizeof(f->reason), "interpreter %s of "
		    "%s (rule '%s') refused: %s", subject, of, rule, detail);
	else
		k = snprintf(f->reason, sizeof(f->reason), "%s of rule '%s' "
		    "refused: %s", subject, rule, detail);
	if (k < 0 || (size_t)k >= sizeof(f->reason))
		cut(f->reason, sizeof(f->reason));
}

int
confine_exec_chain(const struct rule *r, const struct exec_path *e,
    int (*grant)(int fd, const char *path, void *arg), void *arg,
    struct exec_seen *seen, struct refusal *f)
{
	struct trust_why why;
	char cur[PATH_MAX], interp[PATH_MAX], msg[128];
	size_t k;
	int fd, depth, got, rc = 0;

	memset(f, 0, sizeof(*f));
	fd = trust_walk(e->path, O_RDONLY, TRUST_FOLLOW_LINKS,
	    e->why == EXEC_RULE ? TRUST_FILE_OR_DIR : TRUST_FILE, 0, &why);
	/*
	 * A connector not installed: nothing to execute, and nothing
	 * granted (the directories above what is missing were root's:
	 * only root could add it, which the ruleset, made now, would not
	 * follow).
	 */
	if (fd == -1 && e->why == EXEC_BORG_RSH &&
	    why.fault == TRUST_LOOKUP && why.err == ENOENT)
		return 1;
	if (fd == -1) {
		refusal_exec(f, r->name, exec_why_name(e->why), e->path,
		    why.msg);
		f->eacces = why.fault == TRUST_LOOKUP && why.err == EACCES;
		return -1;
	}
	snprintf(cur, sizeof(cur), "%s", e->path);
	for (depth = 0; ; depth++) {
		if (!grant(fd, cur, arg))
			break;		/* a directory */
		got = exec_interp(fd, interp, sizeof(interp), msg, sizeof(msg));
		if (got == -1) {
			refusal_interp(f, r->name, cur, NULL, msg);
			rc = -1;
			break;
		}
		if (got == 0)
			break;
		/* the loader of every program: granted once */
		for (k = 0; k < seen->n; k++)
			if (strcmp(seen->v[k], interp) == 0)
				break;
		if (k < seen->n)
			break;
		if (depth == EXEC_INTERP_DEPTH) {
			snprintf(msg, sizeof(msg), "more than %d interpreters",
			    EXEC_INTERP_DEPTH);
			refusal_interp(f, r->name, e->path, NULL, msg);
			rc = -1;
			break;
		}
		if (close(fd) != 0)
			return -2;
		fd = trust_walk(interp, O_RDONLY, TRUST_FOLLOW_LINKS,
		    TRUST_FILE, 0, &why);
		if (fd == -1) {
			refusal_interp(f, r->name, interp, cur, why.msg);
			f->eacces = why.fault == TRUST_LOOKUP &&
			    why.err == EACCES;
			return -1;
		}
		memcpy(cur, interp, sizeof(cur));
		if (seen->n < sizeof(seen->v) / sizeof(seen->v[0]))
			seen->v[seen->n++] = xstrdup(interp);
	}
	if (close(fd) != 0)
		return -2;
	return rc;
}

void
confine_exec_seen_free(struct exec_seen *seen)
{
	size_t k;

	for (k = 0; k < seen->n; k++)
		free(seen->v[k]);
	seen->n = 0;
}

/* The Landlock ABI of the running kernel (the version query). */
void
confine_host(struct confine_host *h)
{
	long abi;

	memset(h, 0, sizeof(*h));
#ifdef SYS_landlock_create_ruleset
	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1u << 0);
#else
	abi = syscall(444, NULL, 0, 1u << 0);
#endif
	if (abi > 0)
		h->landlock_abi = (int)abi;
	else
		h->landlock_errno = errno;
}

int
confine_runner(const struct rule *r, uid_t caller, struct confine_runner *run,
    struct refusal *f)
{
	struct passwd *pw;
	struct group *gr;

	memset(f, 0, sizeof(*f));
	pw = getpwnam(r->user);
	if (pw == NULL) {
		refusal_set(f, REFUSE_RUNNER_MISSING, r->name, r->user, NULL);
		return -1;
	}
	run->uid = pw->pw_uid;
	run->gid = pw->pw_gid;
	snprintf(run->name, sizeof(run->name), "%s", pw->pw_name);
	/*
	 * The runner must not be the calling account: the caller's own
	 * processes could signal it, change its limits (prlimit) and edit
	 * the files it writes.  Real root, 0, can do all that anyway.
	 */
	if (caller != 0 && run->uid == caller) {
		refusal_set(f, REFUSE_RUNNER_IS_CALLER, r->name, run->name,
		    NULL);
		return -1;
	}
	if (r->group != NULL) {
		gr = getgrnam(r->group);
		if (gr == NULL) {
			refusal_set(f, REFUSE_GROUP_MISSING, r->name, r->group,
			    NULL);
			return -1;
		}
		run->gid = gr->gr_gid;
	}
	return 0;
}

int
confine_decide(const struct rule *r, int uid0, const struct confine_host *h,
    struct confine *c)
{
	char abi[16];

	memset(c, 0, sizeof(*c));
	c->seccomp = !r->seccomp_off;
	/* SysV IPC and @debug: uid 0 owns root's IPC objects (sandbox.c) */
	c->seccomp_groups = r->seccomp | (uid0 ? SC_UID0 : 0);
	c->landlock_abi = h->landlock_abi;
	c->landlock_errno = h->landlock_errno;
	c->landlock = h->landlock_abi > 0;
	/* uid 0 owns root's files: without Landlock it could write them */
	c->landlock_required = r->landlock == LANDLOCK_REQUIRE || uid0;
	c->readonly_mounts = uid0;
	if (!c->landlock && c->landlock_required) {
		refusal_set(&c->refusal, REFUSE_NO_LANDLOCK, r->name, NULL,
		    strerror(h->landlock_errno));
		return -1;
	}
	/*
	 * uid 0 is the uid of sshd, of the supervisor, of every root
	 * process: without Landlock's signal scope it could signal them all.
	 */
	if (uid0 && h->landlock_abi < 6) {
		snprintf(abi, sizeof(abi), "%d", h->landlock_abi);
		refusal_set(&c->refusal, REFUSE_UID0_LANDLOCK_ABI, r->name,
		    NULL, abi);
		return -1;
	}
	if (uid0 && r->seccomp_off) {
		refusal_set(&c->refusal, REFUSE_UID0_NO_SECCOMP, r->name, NULL,
		    NULL);
		return -1;
	}
	return 0;
}

/*
 * The first cgroup2 mount in /proc/self/mountinfo: its mount point and
 * its root inside the hierarchy.  A path with an escape (\040 ...) is
 * skipped rather than decoded.  Returns 0, or -1 with WHY set.  (The
 * gate's cgroup_enter() and confine_cgroup() look it up alike.)
 */
int
confine_cgroup_mount(char *mnt, size_t mntsz, char *root, size_t rootsz, char *why,
    size_t whysz)
{
	char *line = NULL, *f[6], *p, *sep;
	size_t cap = 0;
	FILE *fp;
	int i, found = 0;

	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL) {
		snprintf(why, whysz, "/proc/self/mountinfo: %s",
		    strerror(errno));
		return -1;
	}
	while (!found && getline(&line, &cap, fp) != -1) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - TYPE ... */
		if ((sep = strstr(line, " - ")) == NULL ||
		    strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		*sep = '\0';
		p = line;
		for (i = 0; i < 6; i++)
			f[i] = strsep(&p, " ");
		if (f[5] == NULL || strchr(f[3], '\\') != NULL ||
		    strchr(f[4], '\\') != NULL || f[3][0] != '/' ||
		    f[4][0] != '/' || strlen(f[3]) >= rootsz ||
		    strlen(f[4]) >= mntsz)
			continue;
		strcpy(root, f[3]);
		strcpy(mnt, f[4]);
		found = 1;
	}
	free(line);
	fclose(fp);
	if (!found)
		snprintf(why, whysz, "no cgroup2 mount");
	return found ? 0 : -1;
}

/*
 * The refusals of gate/cgroup.c that this machine decides, for a rule
 * that says "cgroup require": no cgroup2 mount (or not one), or a
 * controller its limits need (pids, memory) that the hierarchy's root
 * does not hand on (its cgroup.subtree_control, which is what the
 * gate's sshgate/ gets as cgroup.controllers).  The gate meets them in
 * cgroup_enter(), with these words; what can only fail at run time
 * (mkdir, a move) is its own.
 */
int
confine_cgroup(const struct rule *r, struct refusal *f)
{
	char mnt[PATH_MAX], root[PATH_MAX], why[PATH_MAX + 64], buf[1024];
	char where[PATH_MAX + 16], *p, *w;
	struct statfs sf;
	ssize_t n;
	int fd, c, pids = 0, memory = 0;

	memset(f, 0, sizeof(*f));
	if (r->cgroup != CGROUP_REQUIRE)
		return 0;
	if (confine_cgroup_mount(mnt, sizeof(mnt), root, sizeof(root), why,
	    sizeof(why)) != 0) {
		refusal_set(f, REFUSE_NO_CGROUP, r->name, NULL, why);
		return -1;
	}
	fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fstatfs(fd, &sf) != 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		if (fd != -1)
			close(fd);
		if (snprintf(why, sizeof(why), "%s: not a cgroup2 mount", mnt) >=
		    (int)sizeof(why))
			cut(why, sizeof(why));
		refusal_set(f, REFUSE_NO_CGROUP, r->name, NULL, why);
		return -1;
	}
	/* the controllers the root hands on to its children, sshgate/ */
	n = -1;
	c = openat(fd, "cgroup.subtree_control", O_RDONLY | O_CLOEXEC);
	if (c != -1) {
		n = read(c, buf, sizeof(buf) - 1);
		close(c);
	}
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	for (p = buf; (w = strsep(&p, " \n")) != NULL;) {
		pids |= strcmp(w, "pids") == 0;
		memory |= strcmp(w, "memory") == 0;
	}
	if (snprintf(where, sizeof(where), "%s/sshgate", mnt) >=
	    (int)sizeof(where))
		cut(where, sizeof(where));
	if ((r->pids && !pids) || (r->memory && !memory)) {
		refusal_set(f, REFUSE_NO_CONTROLLER, r->name, where,
		    r->pids && !pids ? "pids" : "memory");
		return -1;
	}
	return 0;
}
