/*
 * Identity and capabilities.  MUST:
 *  - resolve the runner at run time and refuse a missing account;
 *  - cut the bounding set and lock the securebits while still root, then
 *    change ids with supplementary groups dropped, then raise the ambient
 *    set -- in that order, the one that works with libcap-ng 0.8.3;
 *  - verify the result from the kernel's side and die if anything differs:
 *    ids, groups, every capability set, the securebits, and that the old
 *    uid cannot be regained.
 * With SECBIT_NOROOT locked, uid 0 gains nothing at execve, which is what
 * makes a runner "root" with a cut bounding set meaningful.
 */
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <grp.h>
#include <linux/securebits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cap-ng.h>

#include "gate.h"
#include "xmalloc.h"

#define SECBITS_WANTED	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | \
	SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED)

/* policy/confine.c decides, as for sshgate-lint --test. */
void
resolve_runner(const struct rule *r, uid_t caller, struct runner *run)
{
	struct confine_runner cr;
	struct refusal f;

	if (confine_runner(r, caller, &cr, &f) != 0)
		refuse(&f);
	run->uid = cr.uid;
	run->gid = cr.gid;
	run->name = xstrdup(cr.name);
}

static int
last_cap(void)
{
	int c = CAP_LAST_CAP;

	/* The running kernel may know more capabilities than our headers. */
	while (prctl(PR_CAPBSET_READ, (unsigned long)(c + 1), 0, 0, 0) >= 0)
		c++;
	return c;
}

static uint64_t
caps_of(uint32_t lo, uint32_t hi)
{
	return (uint64_t)lo | ((uint64_t)hi << 32);
}

/* Check from the kernel's side that we are exactly what the rule says. */
static void
verify(const struct rule *r, const struct runner *run)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int c, last = last_cap();
	long sb;

	if (getresuid(&ru, &eu, &su) == -1 || ru != run->uid ||
	    eu != run->uid || su != run->uid)
		die(EXIT_PRIV, "uid is not %u after the switch", run->uid);
	if (getresgid(&rg, &eg, &sg) == -1 || rg != run->gid ||
	    eg != run->gid || sg != run->gid)
		die(EXIT_PRIV, "gid is not %u after the switch", run->gid);
	if (getgroups(0, NULL) != 0)
		die(EXIT_PRIV, "supplementary groups remain after the switch");
	/*
	 * Zeroed first: a capget() that filled only the first of the two
	 * version-3 structures (as Valgrind 3.19 believes it does) must not
	 * leave the upper 32 capabilities to chance.
	 */
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) == -1)
		die(EXIT_PRIV, "capget: %s", strerror(errno));
	if (caps_of(data[0].effective, data[1].effective) != r->caps ||
	    caps_of(data[0].permitted, data[1].permitted) != r->caps ||
	    caps_of(data[0].inheritable, data[1].inheritable) != r->caps)
		die(EXIT_PRIV, "capability sets differ from the rule's");
	for (c = 0; c <= last; c++) {
		int want = c < 64 && (r->caps >> c) & 1;

		if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) != want)
			die(EXIT_PRIV, "bounding set holds capability %d", c);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET,
		    (unsigned long)c, 0, 0) != want)
			die(EXIT_PRIV, "ambient set differs at capability %d", c);
	}
	sb = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (sb < 0 || (sb & SECBITS_WANTED) != SECBITS_WANTED)
		die(EXIT_PRIV, "securebits are not locked");
	/* The old identity must be out of reach. */
	if (run->uid != 0 && (setuid(0) != -1 || seteuid(0) != -1))
		die(EXIT_PRIV, "uid 0 could be regained");
	if (run->gid != 0 && setgid(0) != -1)
		die(EXIT_PRIV, "gid 0 could be regained");
	if (!((r->caps >> CAP_SYS_ADMIN) & 1)) {
		/* raising a capability outside the bounding set must fail */
		data[0].permitted |= 1u << CAP_SYS_ADMIN;
		data[0].effective |= 1u << CAP_SYS_ADMIN;
		if (syscall(SYS_capset, &hdr, data) != -1)
			die(EXIT_PRIV, "CAP_SYS_ADMIN could be regained");
	}
}

static void
set_caps_state(uint64_t caps, capng_type_t type)
{
	int c;

	capng_clear(CAPNG_SELECT_BOTH);
	for (c = 0; c < 64; c++)
		if ((caps >> c) & 1 && capng_update(CAPNG_ADD, type,
		    (unsigned)c) != 0)
			die(EXIT_PRIV, "capng_update(%d) failed", c);
}

void
drop_privileges(const struct rule *r, const struct runner *run)
{
	int c, rc;

	if (capng_get_caps_process() != 0)
		die(EXIT_PRIV, "cannot read our capabilities");
	/* 1. The bounding set, while we still hold CAP_SETPCAP. */
	set_caps_state(r->caps, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
	    CAPNG_INHERITABLE | CAPNG_BOUNDING_SET);
	if (capng_apply(CAPNG_SELECT_BOUNDS) != 0)
		die(EXIT_PRIV, "cannot cut the bounding set");
	/* 2. Securebits: uid 0 is nobody special from now on, and locked. */
	if (capng_lock() != 0)
		die(EXIT_PRIV, "cannot lock the securebits: %s", strerror(errno));
	/* 3. Ids, supplementary groups dropped; caps become E/P/I. */
	rc = capng_change_id((int)run->uid, (int)run->gid, CAPNG_DROP_SUPP_GRP);
	if (rc != 0)
		die(EXIT_PRIV, "cannot switch to %s (%u:%u): capng_change_id "
		    "returned %d (%s)", run->name, run->uid, run->gid, rc,
		    strerror(errno));
	/* 4. Ambient: what the program keeps across execve. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
		die(EXIT_PRIV, "cannot clear the ambient set: %s",
		    strerror(errno));
	for (c = 0; c < 64; c++)
		if ((r->caps >> c) & 1 && prctl(PR_CAP_AMBIENT,
		    PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) != 0)
			die(EXIT_PRIV, "cannot raise ambient capability %d: %s",
			    c, strerror(errno));
	verify(r, run);
}

/*
 * For the supervisor: every id root (as the gate already is), no
 * supplementary group, and of the capabilities CAP_KILL alone, to signal
 * a program of another uid.  Root's ids keep a program of another uid and
 * the caller from signalling it, changing its limits or tracing it (a uid
 * 0 runner has Landlock's signal scope and the @debug filter instead);
 * the cut bounding set and the locked securebits keep uid 0 from gaining
 * anything more.  Made non-dumpable again, and checked.
 */
void
drop_to_supervisor(void)
{
	static char name[] = "(supervisor)", root[] = "root";
	struct runner self = { 0, 0, root };
	struct rule sup;

	memset(&sup, 0, sizeof(sup));
	sup.caps = 1ull << CAP_KILL;
	sup.name = name;
	drop_privileges(&sup, &self);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		die(EXIT_PRIV, "the supervisor cannot be made non-dumpable");
}
