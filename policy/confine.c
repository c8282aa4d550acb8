/*
 * One decision of what confines a rule's program, and of when the gate
 * refuses to run it; the gate enforces it, sshgate-lint reports it.
 * MUST:
 *  - hold every such decision that does not need the gate's privilege
 *    (the policy file's and the paths' trust are walked by each program
 *    with trust_walk(), and reported through refusal_set() here);
 *  - never run a uid 0 runner without a seccomp filter, without Landlock,
 *    or without Landlock's signal scope (ABI 6): uid 0 owns root's files
 *    and IPC objects, and is the uid of sshd and of the supervisor
 *    (docs/HACKING.md "Decisions already taken");
 *  - give each refusal the gate's exact words and exit status, so that
 *    sshgate-lint --test says what the gate says (tests/root/verdict.sh).
 */
#include <sys/syscall.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "confine.h"

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

void
refusal_set(struct refusal *f, enum refusal_cause c, const char *rule,
    const char *subject, const char *detail)
{
	char *m = f->reason;
	size_t n = sizeof(f->reason);

	f->cause = c;
	f->status = refusal_status(c);
	snprintf(f->subject, sizeof(f->subject), "%s", subject ? subject :
	    "");
	switch (c) {
	case REFUSE_POLICY_UNTRUSTED:
		snprintf(m, n, "policy %s refused: %s; nothing is permitted",
		    subject, detail);
		break;
	case REFUSE_POLICY_ERROR:
		snprintf(m, n, "policy %s has %s error%s; nothing is "
		    "permitted (run sshgate-lint)", subject, detail,
		    strcmp(detail, "1") == 0 ? "" : "s");
		break;
	case REFUSE_RUNNER_MISSING:
		snprintf(m, n, "runner account '%s' of rule '%s' does not "
		    "exist", subject, rule);
		break;
	case REFUSE_GROUP_MISSING:
		snprintf(m, n, "runner group '%s' of rule '%s' does not exist",
		    subject, rule);
		break;
	case REFUSE_RUNNER_IS_CALLER:
		snprintf(m, n, "rule '%s' runs as the calling account %s; a "
		    "rule needs a runner account of its own", rule, subject);
		break;
	case REFUSE_UID0_NO_SECCOMP:
		snprintf(m, n, "rule '%s' runs as uid 0 without seccomp: uid 0 "
		    "owns root's IPC objects and more that only the filter "
		    "keeps from it; refused", rule);
		break;
	case REFUSE_NO_LANDLOCK:
		snprintf(m, n, "rule '%s' requires Landlock, which this kernel "
		    "does not offer (%s)", rule, detail);
		break;
	case REFUSE_UID0_LANDLOCK_ABI:
		snprintf(m, n, "rule '%s' runs as uid 0, which needs Landlock's "
		    "signal scope (ABI 6, Linux 6.12); this kernel has ABI %s: "
		    "its program could signal every root process; use a "
		    "runner account", rule, detail);
		break;
	case REFUSE_PROGRAM:
		snprintf(m, n, "program of rule '%s' refused: %s", rule, detail);
		break;
	case REFUSE_WRITE_PATH:
		snprintf(m, n, "writable path %s of rule '%s' refused: %s",
		    subject, rule, detail);
		break;
	case REFUSE_EXEC_PATH:
		refusal_exec(f, rule, "exec", subject, detail);
		break;
	case REFUSE_READ_PATH:
		snprintf(m, n, "readable path %s of rule '%s' refused: %s",
		    subject, rule, detail);
		break;
	default:
		f->cause = REFUSE_NONE;
		f->status = 0;
		m[0] = '\0';
		break;
	}
}

void
refusal_exec(struct refusal *f, const char *rule, const char *kind,
    const char *path, const char *detail)
{
	f->cause = REFUSE_EXEC_PATH;
	f->status = refusal_status(REFUSE_EXEC_PATH);
	snprintf(f->subject, sizeof(f->subject), "%s", path);
	snprintf(f->reason, sizeof(f->reason), "%s path %s of rule '%s' "
	    "refused: %s", kind, path, rule, detail);
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
