/*
 * policy_part_path() (policy/part.c): the one choice of a part's file
 * for a tag, as a table -- the policy, the tag, and the part's path or
 * "none" (the tag selects no part) or "too long".  A tag names a file
 * inside policy.d/ only: no '/', and one that begins with '.' none.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "../tap.h"

static const struct {
	const char *policy, *tag, *want;
} rows[] = {
	{ "/etc/sshgate/policy", "site1", "/etc/sshgate/policy.d/site1.policy" },
	{ "/etc/sshgate/policy", "a.b-c_d", "/etc/sshgate/policy.d/a.b-c_d.policy" },
	{ "/etc/sshgate/policy", "a..b", "/etc/sshgate/policy.d/a..b.policy" },
	{ "/policy", "x", "/policy.d/x.policy" },
	{ "policy", "x", "policy.d/x.policy" },
	{ "/etc/sshgate/policy", NULL, "none" },
	{ "/etc/sshgate/policy", ".", "none" },
	{ "/etc/sshgate/policy", "..", "none" },
	{ "/etc/sshgate/policy", ".hidden", "none" },
	{ "/etc/sshgate/policy", "a/b", "none" },
	{ "/etc/sshgate/policy", "../x", "none" },
	{ "/etc/sshgate/policy", "-x", "none" },
	{ "/etc/sshgate/policy", "", "none" },
	{ "/etc/sshgate/policy", "a b", "none" },
	{ "/etc/sshgate/policy",
	  "x123456789x123456789x123456789x123456789x123456789x123456789x1234",
	  "none" },	/* 65 bytes: longer than a tag */
};

int
main(void)
{
	char buf[PATH_MAX], small[24];
	const char *got;
	size_t i;
	int r;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = policy_part_path(rows[i].policy, rows[i].tag, buf,
		    sizeof(buf));
		got = r == 0 ? buf : r == 1 ? "none" : "too long";
		tap_ok(strcmp(got, rows[i].want) == 0, "%s, tag %s: %s (got %s)",
		    rows[i].policy, rows[i].tag ? rows[i].tag : "(none)",
		    rows[i].want, got);
	}
	r = policy_part_path("/etc/sshgate/policy", "site1", small,
	    sizeof(small));
	tap_ok(r == -1, "a path that does not fit is -1, never cut (got %d)", r);
	return tap_done();
}
