/*
 * The gate's internal interface.  Every function here either succeeds or
 * ends the process through die(): nothing warns and carries on after the
 * first privileged call (docs/STYLE.md 2).
 */
#ifndef SSHGATE_GATE_H
#define SSHGATE_GATE_H

#include <sys/types.h>

#include "confine.h"
#include "logfmt.h"
#include "plan.h"
#include "policy.h"

/* Exit statuses, documented in sshgate(8).  Never 1: borgmatic reads 1
 * as a warning. */
#define EXIT_USAGE	2	/* wrong caller or bad arguments */
#define EXIT_DENIED	3	/* the policy denies the command */
#define EXIT_POLICY	4	/* the policy cannot be trusted or parsed */
#define EXIT_PRIV	5	/* a confinement or privilege step failed */
#define EXIT_TIMEOUT	124	/* the rule's timeout expired */
#define EXIT_EXEC	126	/* the program could not be executed */

/*
 * log.c: die() ends the gate with status: the clean-up main registered
 * with die_hooks() (the supervisor's program killed), the message on
 * stderr and, while context() gives the run's context (" caller=..."),
 * in the log.  say() is die() with the message made and a level and
 * prefix of the caller's (a denial).
 */
void	die(int status, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
void	say(int status, int level, const char *prefix, const char *msg)
	    __attribute__((noreturn));
void	die_hooks(void (*cleanup)(void), const char *(*context)(void));
/* A refusal of policy/confine.c: its words, its status. */
#define refuse(f)	die((f)->status, "%s", (f)->reason)

/*
 * log.c: syslog authpriv over /dev/log, never blocking.  A line holds
 * LOG_MSG_MAX bytes of message (policy/logfmt.h).  Nothing is cut
 * silently: log_msg() ends a longer message with LOG_CUT, and a long
 * value is split into lines by policy/logfmt.c, sent by log_lines().
 */
void	log_open(void);
void	log_msg(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_lines(int level, const struct loglines *l);
void	log_close(void);

/* privs.c */
struct runner {
	uid_t	 uid;
	gid_t	 gid;
	char	*name;
};
void	resolve_runner(const struct rule *r, uid_t caller, struct runner *run);
void	drop_privileges(const struct rule *r, const struct runner *run);
void	drop_to_supervisor(void);

/* main.c: the rule's writable paths, each opened once (O_PATH) by
 * trust_walk(); Landlock and the read-only view use these descriptors,
 * never the paths */
struct wpaths {
	size_t	 n;
	int	*fd;		/* fd[i] is the rule's write[i] */
};

/* landlock.c */
struct landlock {
	int	fd;		/* ruleset, -1 when not enforced */
	int	abi;
};
void	landlock_prepare(const struct rule *r, const struct runner *run,
	    const struct confine *c, const struct wpaths *wp,
	    struct landlock *ll);
void	landlock_enforce(struct landlock *ll);

/* readonly.c: for a uid 0 runner, a private mount namespace (entered
 * before the writable paths are opened), then every mount read-only but
 * the rule's writable paths */
void	readonly_enter(const struct rule *r, const struct confine *c);
void	readonly_system(const struct rule *r, const struct confine *c,
	    const struct wpaths *wp);

/* state.c: every resource limit, nice, scheduling policy, CPU affinity,
 * I/O priority, oom_score_adj and timer slack set to the documented
 * defaults (nice and I/O priority: the rule's), as root, and checked */
void	state_reset(const struct rule *r);

/* sandbox.c: the seccomp filter */
void	*sandbox_build(const struct confine *c);
void	 sandbox_load(void *ctx);

/* cgroup.c: the run's cgroup, for runs with a supervisor: the
 * supervisor in <cgroup2>/sshgate/run-PID, the program in run-PID/prog */
struct cgrun {
	int	root;		/* the hierarchy's root, run-PID, prog: */
	int	run;		/* directory descriptors, -1 when the run */
	int	prog;		/* has no cgroup (cgroup best-effort) */
	char	name[32];	/* "run-PID" */
	char	path[4200];	/* as /proc/self/cgroup shows run-PID */
};
void	cgroup_enter(const struct rule *r, struct cgrun *cg);
void	cgroup_child(struct cgrun *cg);
void	cgroup_kill(const struct cgrun *cg);
void	cgroup_remove(struct cgrun *cg);

/* supervise.c: the supervising parent of every run */
extern pid_t supervised_child;
void	supervise(const struct rule *r, char **envp, struct cgrun *cg);
void	supervise_arm(void);

#endif
