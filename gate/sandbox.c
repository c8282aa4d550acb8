/*
 * The seccomp filter, built from policy/syscalls.c.  MUST:
 *  - allow the native architecture only and KILL_PROCESS anything else
 *    (the default kills only the thread; x32 and int 0x80 bypass a deny
 *    list written for x86_64);
 *  - compare ioctl requests on their low 32 bits (the kernel ignores the
 *    rest; a full 64-bit compare is bypassed by setting high bits);
 *  - be loaded last, just before execve, so that nothing of ours runs
 *    under it and nothing runs without it;
 *  - never drop a rule silently: a name libseccomp cannot resolve, and
 *    for which we know no number, stops the gate;
 *  - deny exactly the groups confine_decide() (policy/confine.c) gives:
 *    for a uid 0 runner SysV IPC and message queues, and @debug, whatever
 *    the rule says (SC_UID0): uid 0 owns root's IPC objects, which
 *    neither Landlock nor the read-only mounts (readonly.c) govern, and
 *    shares root's uid with the supervisor; confine_decide() refuses uid
 *    0 without a filter before this file is reached.
 */
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <sched.h>
#include <string.h>

#include <seccomp.h>

#include "gate.h"
#include "syscalls.h"

static const unsigned long clone_ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
};

/* Inode flags an owner may set (nodump, noatime, project ids...). */
static const unsigned long fsflags_ioctls[] = {
	FS_IOC_SETFLAGS, FS_IOC32_SETFLAGS, FS_IOC_FSSETXATTR,
};

static void
add(scmp_filter_ctx ctx, uint32_t act, int nr, unsigned n,
    const struct scmp_arg_cmp *cmp, const char *name)
{
	int rc = seccomp_rule_add_array(ctx, act, nr, n, cmp);

	if (rc != 0)
		die(EXIT_PRIV, "seccomp rule for %s: %s", name, strerror(-rc));
}

static void
add_rule(scmp_filter_ctx ctx, const struct sc_rule *sr)
{
	struct scmp_arg_cmp cmp;
	uint32_t act;
	size_t i;
	int nr;

	/*
	 * A negative pseudo-number means "not on this architecture", which
	 * libseccomp turns into no rule.  An unknown name is newer than
	 * libseccomp: use its number, or refuse to build a weaker filter.
	 */
	nr = seccomp_syscall_resolve_name(sr->syscall);
	if (nr == __NR_SCMP_ERROR) {
		long n = sc_newer_nr(sr->syscall);

		if (n < 0)
			die(EXIT_PRIV, "seccomp: libseccomp does not know "
			    "syscall %s; the filter cannot be built as the "
			    "policy says", sr->syscall);
		nr = (int)n;
	}
	switch (sr->action) {
	case SCA_ENOSYS:
		act = SCMP_ACT_ERRNO(ENOSYS);
		break;
	case SCA_EAFNOSUPPORT:
		act = SCMP_ACT_ERRNO(EAFNOSUPPORT);
		break;
	default:
		act = SCMP_ACT_ERRNO(EPERM);
		break;
	}
	switch (sr->arg) {
	case SCARG_NONE:
		add(ctx, act, nr, 0, NULL, sr->syscall);
		break;
	case SCARG_CLONE_NS:
	case SCARG_UNSHARE_NS:
		for (i = 0; i < sizeof(clone_ns_flags) /
		    sizeof(clone_ns_flags[0]); i++) {
			cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, clone_ns_flags[i],
			    clone_ns_flags[i]);
			add(ctx, act, nr, 1, &cmp, sr->syscall);
		}
		/* In clone()'s flags 0x80 is part of the exit signal. */
		if (sr->arg == SCARG_UNSHARE_NS) {
			cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWTIME,
			    CLONE_NEWTIME);
			add(ctx, act, nr, 1, &cmp, sr->syscall);
		}
		break;
	case SCARG_IOCTL_TTY:
		cmp = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI);
		add(ctx, act, nr, 1, &cmp, sr->syscall);
		cmp = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX);
		add(ctx, act, nr, 1, &cmp, sr->syscall);
		break;
	case SCARG_SOCKET_NOT_UNIX:
		cmp = SCMP_A0(SCMP_CMP_NE, AF_UNIX);
		add(ctx, act, nr, 1, &cmp, sr->syscall);
		break;
	case SCARG_OTHER_PID:
		cmp = SCMP_A0(SCMP_CMP_NE, 0);
		add(ctx, act, nr, 1, &cmp, sr->syscall);
		break;
	case SCARG_IOCTL_FSFLAGS:
		for (i = 0; i < sizeof(fsflags_ioctls) /
		    sizeof(fsflags_ioctls[0]); i++) {
			cmp = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
			    fsflags_ioctls[i]);
			add(ctx, act, nr, 1, &cmp, sr->syscall);
		}
		break;
	default:
		die(EXIT_PRIV, "seccomp: unknown argument filter for %s",
		    sr->syscall);
	}
}

/* The groups, and whether a filter at all: policy/confine.c decides. */
void *
sandbox_build(const struct confine *c)
{
	const struct sc_group *g;
	const struct sc_rule *sr;
	scmp_filter_ctx ctx;
	int rc;

	if (!c->seccomp)
		return NULL;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL)
		die(EXIT_PRIV, "seccomp_init failed");
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS);
	if (rc != 0)
		die(EXIT_PRIV, "seccomp bad-arch action: %s", strerror(-rc));
	for (sr = sc_always; sr->syscall != NULL; sr++)
		add_rule(ctx, sr);
	for (g = sc_groups; g->name != NULL; g++) {
		if (!(c->seccomp_groups & g->bit))
			continue;
		for (sr = g->rules; sr->syscall != NULL; sr++)
			add_rule(ctx, sr);
	}
	return ctx;
}

void
sandbox_load(void *ctx)
{
	int rc;

	if (ctx == NULL)
		return;
	rc = seccomp_load(ctx);
	if (rc != 0)
		die(EXIT_PRIV, "seccomp_load: %s", strerror(-rc));
	seccomp_release(ctx);
	/* Check the result: the kernel must report filter mode. */
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
		die(EXIT_PRIV, "seccomp filter is not in force");
}
