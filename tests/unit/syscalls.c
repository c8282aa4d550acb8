/*
 * Every syscall the seccomp groups name is one the filter can actually
 * name: known to this libseccomp, or listed with its number.  A typo in
 * policy/syscalls.c would otherwise become a syscall that the gate
 * refuses to build a filter for -- caught here, not on a VPS.
 */
#include <seccomp.h>

#include "policy.h"
#include "syscalls.h"
#include "../tap.h"

static void
check(const struct sc_rule *sr, const char *group)
{
	int nr = seccomp_syscall_resolve_name(sr->syscall);

	tap_ok(nr != __NR_SCMP_ERROR || sc_newer_nr(sr->syscall) >= 0,
	    "%s: %s resolves (%d, newer %ld)", group, sr->syscall, nr,
	    sc_newer_nr(sr->syscall));
}

int
main(void)
{
	const struct sc_group *g;
	const struct sc_rule *sr;
	unsigned seen = 0;

	for (sr = sc_always; sr->syscall != NULL; sr++)
		check(sr, "always");
	for (g = sc_groups; g->name != NULL; g++) {
		tap_ok(!(seen & g->bit), "%s has a bit of its own", g->name);
		seen |= g->bit;
		for (sr = g->rules; sr->syscall != NULL; sr++)
			check(sr, g->name);
	}
	tap_ok(seen == SC_ALL_GROUPS, "SC_ALL_GROUPS is every group");
	tap_ok((SC_STRICT & ~SC_ALL_GROUPS) == 0 &&
	    (SC_DEFAULT & ~SC_STRICT) == 0 && (SC_UID0 & ~SC_ALL_GROUPS) == 0,
	    "the profiles are made of groups");
	tap_ok(sc_newer_nr("no_such_syscall") == -1,
	    "an unknown name has no number");
	return tap_done();
}
