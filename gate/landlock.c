/*
 * Landlock: the filesystem becomes read-only except beneath the rule's
 * writable paths and /dev/null, and nothing can be executed but what
 * the rule lets the program execute (policy/exec.c: its program, the
 * rule's "exec" paths, BORG_RSH's program) and the interpreter each
 * names; a rule with "read" paths can read only beneath those, these,
 * and policy/exec.c's read_base[].  MUST:
 *  - handle every write right the running kernel knows (best ABI), so
 *    that nothing writable is left unhandled by accident;
 *  - enforce what confine_decide() (policy/confine.c) decided: a rule
 *    that says "require" (or a uid 0 runner, who owns root's files) is
 *    refused there when the kernel has no Landlock, and a uid 0 runner
 *    when it has no signal scope (ABI < 6);
 *  - name the writable paths by the descriptors that gate/main.c opened
 *    through trust_walk(), never by a second lookup of the path: the
 *    ruleset grants exactly what was checked;
 *  - walk every path it lets the program execute with trust_walk() (as
 *    root, as gate/main.c walks the program) and grant the execute
 *    right on that descriptor: an untrusted one is a refusal (exit 126);
 *  - never grant the execute right where the program may write.
 * Own definitions: Debian 12's headers stop at ABI 2.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "exec.h"
#include "gate.h"
#include "trust.h"
#include "xmalloc.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset	444
#define SYS_landlock_add_rule		445
#define SYS_landlock_restrict_self	446
#endif

#define LL_VERSION		(1u << 0)	/* create_ruleset flag */
#define LL_RULE_PATH_BENEATH	1

#define FS_EXECUTE	(1ull << 0)
#define FS_WRITE_FILE	(1ull << 1)
#define FS_READ_FILE	(1ull << 2)
#define FS_READ_DIR	(1ull << 3)
#define FS_REMOVE_DIR	(1ull << 4)
#define FS_REMOVE_FILE	(1ull << 5)
#define FS_MAKE_CHAR	(1ull << 6)
#define FS_MAKE_DIR	(1ull << 7)
#define FS_MAKE_REG	(1ull << 8)
#define FS_MAKE_SOCK	(1ull << 9)
#define FS_MAKE_FIFO	(1ull << 10)
#define FS_MAKE_BLOCK	(1ull << 11)
#define FS_MAKE_SYM	(1ull << 12)
#define FS_REFER	(1ull << 13)	/* ABI 2 */
#define FS_TRUNCATE	(1ull << 14)	/* ABI 3 */
#define FS_IOCTL_DEV	(1ull << 15)	/* ABI 5 */
#define NET_BIND_TCP	(1ull << 0)	/* ABI 4 */
#define NET_CONNECT_TCP	(1ull << 1)
#define SCOPE_ABSTRACT_UNIX	(1ull << 0)	/* ABI 6 */
#define SCOPE_SIGNAL		(1ull << 1)

/* The newest ABI whose restrictions we use (7 added only audit flags). */
#define LL_ABI_USED	6

/* Rights that apply to a file (not a directory) in a path_beneath rule. */
#define FS_FILE_RIGHTS	(FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | \
			 FS_TRUNCATE | FS_IOCTL_DEV)

struct ll_ruleset_attr {
	uint64_t	handled_access_fs;
	uint64_t	handled_access_net;
	uint64_t	scoped;
};

struct ll_path_beneath {
	uint64_t	allowed_access;
	int32_t		parent_fd;
} __attribute__((packed));

static uint64_t
write_rights(int abi)
{
	uint64_t r = FS_WRITE_FILE | FS_REMOVE_DIR | FS_REMOVE_FILE |
	    FS_MAKE_CHAR | FS_MAKE_DIR | FS_MAKE_REG | FS_MAKE_SOCK |
	    FS_MAKE_FIFO | FS_MAKE_BLOCK | FS_MAKE_SYM;

	if (abi >= 2)
		r |= FS_REFER;
	if (abi >= 3)
		r |= FS_TRUNCATE;
	if (abi >= 5)
		r |= FS_IOCTL_DEV;
	return r;
}

/* Returns 1 when fd is a regular file. */
static int
allow_beneath(int ruleset, int fd, const char *path, uint64_t rights)
{
	struct ll_path_beneath pb;
	struct stat st;

	if (fstat(fd, &st) == -1)
		die(EXIT_PRIV, "landlock path %s: %s", path, strerror(errno));
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = S_ISDIR(st.st_mode) ? rights :
	    (rights & FS_FILE_RIGHTS);
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb,
	    0) != 0)
		die(EXIT_PRIV, "landlock rule for %s: %s", path,
		    strerror(errno));
	return S_ISREG(st.st_mode);
}

/*
 * The execute right on each path of exec_paths() and, in turn, on the
 * interpreter each file names (execve opens a script's "#!" program and
 * an ELF file's PT_INTERP loader for execution; shared libraries are
 * mapped, which the execute right does not govern).  Each walked from
 * "/" as root like the program (gate/main.c), the right granted on that
 * descriptor; an exec path may be a directory, the rest are files.  The
 * walk is confine_exec_chain()'s (policy/confine.c), which sshgate-lint
 * runs too; grant() adds the rule.
 */
struct grant_arg {
	int		ruleset;
	uint64_t	reads;
};

static int
grant(int fd, const char *path, void *arg)
{
	const struct grant_arg *g = arg;

	return allow_beneath(g->ruleset, fd, path, FS_EXECUTE | g->reads);
}

static void
allow_exec(int ruleset, const struct rule *r, uint64_t reads)
{
	struct grant_arg g = { ruleset, reads };
	struct exec_seen seen = { { NULL }, 0 };
	struct exec_path *v;
	struct refusal f;
	size_t i, n = exec_paths(r, &v);
	int rc;

	for (i = 0; i < n; i++) {
		rc = confine_exec_chain(r, &v[i], grant, &g, &seen, &f);
		if (rc == 1)
			log_msg(LOG_NOTICE, "rule=%s BORG_RSH program %s does "
			    "not exist: not executable", r->name, v[i].path);
		else if (rc == -1)
			refuse(&f);
		else if (rc == -2)
			die(EXIT_PRIV, "close: %s", strerror(errno));
	}
	confine_exec_seen_free(&seen);
	free(v);
}

/*
 * The read scope of a rule with "read" paths: those, walked from "/" as
 * root like the writable paths (root's or the runner's, below root's
 * directories; links followed, since only root can have placed them),
 * a refusal being exit 5; and read_base[] (policy/exec.c), of which one
 * that is missing is left out, and one that is not trusted left out and
 * logged.  The writable and exec paths get the read rights with theirs.
 */
static void
allow_read(int ruleset, const struct rule *r, const struct runner *run)
{
	struct trust_why why;
	struct refusal f;
	size_t i;
	int fd;

	for (i = 0; i < r->nread; i++) {
		fd = trust_walk(r->read[i], O_PATH, TRUST_FOLLOW_LINKS,
		    TRUST_FILE_OR_DIR, run->uid, &why);
		if (fd == -1) {
			refusal_set(&f, REFUSE_READ_PATH, r->name, r->read[i],
			    why.msg);
			refuse(&f);
		}
		(void)allow_beneath(ruleset, fd, r->read[i],
		    FS_READ_FILE | FS_READ_DIR);
		if (close(fd) != 0)
			die(EXIT_PRIV, "close: %s", strerror(errno));
	}
	for (i = 0; read_base[i] != NULL; i++) {
		fd = trust_walk(read_base[i], O_PATH, TRUST_FOLLOW_LINKS,
		    TRUST_FILE_OR_DIR, 0, &why);
		if (fd == -1) {
			if (why.fault != TRUST_LOOKUP || why.err != ENOENT)
				log_msg(LOG_NOTICE, "rule=%s %s left out of the "
				    "read scope: %s", r->name, read_base[i],
				    why.msg);
			continue;
		}
		(void)allow_beneath(ruleset, fd, read_base[i],
		    FS_READ_FILE | FS_READ_DIR);
		if (close(fd) != 0)
			die(EXIT_PRIV, "close: %s", strerror(errno));
	}
}

/*
 * Whether a ruleset is required, and whether this kernel's ABI will do,
 * confine_decide() (policy/confine.c) decided before this is called.
 */
void
landlock_prepare(const struct rule *r, const struct runner *run,
    const struct confine *c, const struct wpaths *wp, struct landlock *ll)
{
	struct ll_ruleset_attr attr;
	uint64_t reads;
	size_t i;
	int null;

	ll->fd = -1;
	ll->abi = c->landlock_abi;
	if (!c->landlock) {
		if (c->landlock_required)	/* confine_decide() refused it */
			die(EXIT_PRIV, "rule '%s' requires Landlock", r->name);
		log_msg(LOG_WARNING, "rule=%s landlock unavailable (%s); "
		    "running without it as the rule allows (best-effort)",
		    r->name, strerror(c->landlock_errno));
		return;
	}
	if (ll->abi < LL_ABI_USED)
		log_msg(LOG_NOTICE, "rule=%s landlock abi=%d: this kernel does "
		    "not restrict%s%s%s%s%s", r->name, ll->abi,
		    ll->abi < 2 ? " moving files between directories (all "
		    "such moves are refused)," : "",
		    ll->abi < 3 ? " truncate," : "",
		    ll->abi < 4 ? " TCP bind/connect," : "",
		    ll->abi < 5 ? " device ioctls," : "",
		    " signals and abstract unix sockets beyond the sandbox");
	reads = r->nread > 0 ? FS_READ_FILE | FS_READ_DIR : 0;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = write_rights(ll->abi) | FS_EXECUTE | reads;
	if (ll->abi >= 4 && (r->seccomp & SC_NETWORK))
		attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP;
	if (ll->abi >= 6)
		attr.scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
	/* Older kernels take the shorter structure they know. */
	ll->fd = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    ll->abi >= 6 ? sizeof(attr) : ll->abi >= 4 ?
	    2 * sizeof(uint64_t) : sizeof(uint64_t), 0);
	if (ll->fd < 0)
		die(EXIT_PRIV, "landlock_create_ruleset: %s", strerror(errno));
	if (fcntl(ll->fd, F_SETFD, FD_CLOEXEC) == -1)
		die(EXIT_PRIV, "fcntl: %s", strerror(errno));
	/* the gate's own choice, not the policy's, in root's /dev */
	null = open("/dev/null", O_PATH | O_CLOEXEC);
	if (null == -1)
		die(EXIT_PRIV, "/dev/null: %s", strerror(errno));
	(void)allow_beneath(ll->fd, null, "/dev/null",
	    write_rights(ll->abi) | reads);
	close(null);
	/* never the execute right: nothing written may be executed */
	for (i = 0; i < wp->n; i++)
		(void)allow_beneath(ll->fd, wp->fd[i], r->write[i],
		    write_rights(ll->abi) | reads);
	allow_exec(ll->fd, r, reads);
	if (reads != 0)
		allow_read(ll->fd, r, run);
}

void
landlock_enforce(struct landlock *ll)
{
	if (ll->fd < 0)
		return;
	/* Needs no_new_privs (or CAP_SYS_ADMIN, which we no longer have). */
	if (syscall(SYS_landlock_restrict_self, ll->fd, 0) != 0)
		die(EXIT_PRIV, "landlock_restrict_self: %s", strerror(errno));
	close(ll->fd);
	ll->fd = -1;
}
