/*
 * The effective confinement of a rule for a runner on this machine, and
 * the gate's refusals of a permitted command: one decision, enforced by
 * the gate (gate/landlock.c, gate/readonly.c, gate/sandbox.c,
 * gate/privs.c) and reported by sshgate-lint (--test, --explain, --json
 * and its errors), so that the two cannot drift (docs/STYLE.md 11).
 * No printing, no exit (docs/STYLE.md 4).
 */
#ifndef SSHGATE_CONFINE_H
#define SSHGATE_CONFINE_H

#include <sys/types.h>

#include "policy.h"

/*
 * Every cause for which the gate refuses to run a command the policy
 * permits: a stable name (in the log as cause=NAME and in sshgate-lint's
 * reason), and the gate's exit status (sshgate(8) EXIT STATUS).
 * tests/root/verdict.sh reads this list from here and fails if a cause
 * has no scenario in which the gate and sshgate-lint --test agree.
 */
#define REFUSALS(X) \
	X(REFUSE_POLICY_UNTRUSTED,	"policy-untrusted",	4) \
	X(REFUSE_POLICY_ERROR,		"policy-error",		4) \
	X(REFUSE_PART_UNTRUSTED,	"part-untrusted",	4) \
	X(REFUSE_PART_ERROR,		"part-error",		4) \
	X(REFUSE_RUNNER_MISSING,	"runner-missing",	5) \
	X(REFUSE_GROUP_MISSING,		"runner-group-missing",	5) \
	X(REFUSE_RUNNER_IS_CALLER,	"runner-is-caller",	5) \
	X(REFUSE_UID0_NO_SECCOMP,	"uid0-without-seccomp",	5) \
	X(REFUSE_NO_LANDLOCK,		"landlock-absent",	5) \
	X(REFUSE_UID0_LANDLOCK_ABI,	"uid0-landlock-abi",	5) \
	X(REFUSE_PROGRAM,		"program-untrusted",	126) \
	X(REFUSE_WRITE_PATH,		"write-path-untrusted",	5) \
	X(REFUSE_EXEC_PATH,		"exec-path-untrusted",	126) \
	X(REFUSE_INTERPRETER,		"interpreter-untrusted", 126) \
	X(REFUSE_READ_PATH,		"read-path-untrusted",	5) \
	X(REFUSE_NO_CGROUP,		"cgroup-absent",	5) \
	X(REFUSE_NO_CONTROLLER,		"cgroup-controller-absent", 5)

#define REFUSAL_ENUM(e, name, status)	e,
enum refusal_cause {
	REFUSE_NONE = 0,
	REFUSALS(REFUSAL_ENUM)
	REFUSE_MAX
};
#undef REFUSAL_ENUM

struct refusal {
	enum refusal_cause	cause;		/* REFUSE_NONE: the gate runs it */
	int			status;		/* the gate's exit status */
	char			reason[768];	/* what the gate says */
	char			subject[512];	/* the file, account or path */
	int			eacces;		/* a walk could not search a
						   directory (only root may) */
};

const char	*refusal_name(enum refusal_cause c);
int		 refusal_status(enum refusal_cause c);
/*
 * The gate's message for cause c: RULE is the rule's name, SUBJECT the
 * file, account or path refused, DETAIL the walker's reason, the errno
 * text or the error count, as each cause needs (policy/confine.c).
 */
void		 refusal_set(struct refusal *f, enum refusal_cause c,
		    const char *rule, const char *subject, const char *detail);
/* REFUSE_EXEC_PATH: KIND is exec_why_name()'s ("program", "exec", ...). */
void		 refusal_exec(struct refusal *f, const char *rule,
		    const char *kind, const char *path, const char *detail);

/*
 * REFUSE_INTERPRETER: the interpreter SUBJECT that OF names, refused
 * with DETAIL; without OF, SUBJECT itself (a malformed header, too many
 * interpreters).
 */
void		 refusal_interp(struct refusal *f, const char *rule,
		    const char *subject, const char *of, const char *detail);

/*
 * The execute chain of one path of exec_paths() (policy/exec.h), as the
 * gate grants it: the path walked from "/" (trust_walk(), links
 * followed, root's alone), GRANT called on its descriptor (the gate adds
 * the Landlock rule; it returns 1 for a regular file, 0 for a
 * directory), then the interpreter the file names ("#!", PT_INTERP),
 * walked and granted in turn, at most EXEC_INTERP_DEPTH, one SEEN
 * already skipped.  0; 1 for a BORG_RSH program not installed (nothing
 * granted); -1 with f (exec-path-untrusted, interpreter-untrusted); -2
 * with errno when a descriptor cannot be closed.
 */
struct exec_seen {
	char	*v[32];		/* interpreters granted */
	size_t	 n;
};
struct exec_path;
int	confine_exec_chain(const struct rule *r, const struct exec_path *e,
	    int (*grant)(int fd, const char *path, void *arg), void *arg,
	    struct exec_seen *seen, struct refusal *f);
void	confine_exec_seen_free(struct exec_seen *seen);

/* What the machine offers, as the gate asks it at run time. */
struct confine_host {
	int	landlock_abi;		/* 0: no Landlock */
	int	landlock_errno;		/* why, when 0 */
};
void	confine_host(struct confine_host *h);

/* The runner's ids (getpwnam, getgrnam at run time). */
struct confine_runner {
	uid_t	uid;
	gid_t	gid;
	char	name[256];
};
/*
 * The rule's runner as the gate resolves it: the account (and group)
 * must exist, and may not be CALLER's (the real uid, or under sudo
 * SUDO_UID's; 0 checks nothing).  0, or -1 with f set.
 */
int	confine_runner(const struct rule *r, uid_t caller,
	    struct confine_runner *run, struct refusal *f);

/* The confinement the gate enforces for rule r and a runner. */
struct confine {
	int		seccomp;	/* a filter is loaded */
	unsigned	seccomp_groups;	/* the SC_* groups it denies */
	int		landlock;	/* a ruleset is enforced */
	int		landlock_required;	/* refused without one */
	int		landlock_abi;	/* the kernel's, 0 without */
	int		landlock_errno;	/* why not, when 0 */
	int		readonly_mounts;	/* a private mount namespace, every
					   mount read-only but the writable
					   paths (a uid 0 runner) */
	struct refusal	refusal;
};
/*
 * Decide it: 0, or -1 with c->refusal set (a uid 0 runner without a
 * filter, Landlock required but absent, a uid 0 runner without
 * Landlock's signal scope).
 */
int	confine_decide(const struct rule *r, int uid0,
	    const struct confine_host *h, struct confine *c);

/*
 * The first cgroup2 mount (/proc/self/mountinfo): its mount point and
 * its root in the hierarchy; 0, or -1 with why ("no cgroup2 mount").
 */
int	confine_cgroup_mount(char *mnt, size_t mntsz, char *root,
	    size_t rootsz, char *why, size_t whysz);
/*
 * A "cgroup require" rule without a cgroup2 mount, or without a
 * controller its limits need, on this machine: 0, or -1 with f set
 * (gate/cgroup.c refuses with the same words).
 */
int	confine_cgroup(const struct rule *r, struct refusal *f);

#endif
