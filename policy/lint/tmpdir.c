/*
 * Warning borg-no-tmpdir: a rule that runs borg and may write somewhere
 * needs TMPDIR inside its writable paths.  Landlock keeps the program out
 * of /tmp (docs/sshgate.8, "Landlock keeps the program out of /tmp"), and
 * borg's start-up self test makes temporary files: without a writable
 * TMPDIR borg create stops with "No usable temporary directory"
 * (setup/vps/policy.in says so above its rule borg-create;
 * tests/root/docs-examples.sh shows it through the gate).  A rule with
 * no writable path is left alone: borg --version needs none.  MUST
 * decide from the rule's own fields only, as the gate will use them.
 */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "probe.h"
#include "tmpdir.h"

/* Does any word of "run" name borg (/usr/bin/borg, python3 -I .../borg)? */
static int
runs_borg(const struct rule *r)
{
	size_t i;
	const char *b;

	for (i = 0; i < r->nrun; i++) {
		b = strrchr(r->run[i], '/');
		if (strcmp(b != NULL ? b + 1 : r->run[i], "borg") == 0)
			return 1;
	}
	return 0;
}

/* Is path one of the writable paths, or below one? */
static int
in_writable(const struct rule *r, const char *path)
{
	size_t i, n;

	for (i = 0; i < r->nwrite; i++) {
		n = strlen(r->write[i]);
		while (n > 1 && r->write[i][n - 1] == '/')
			n--;
		if (strncmp(path, r->write[i], n) == 0 &&
		    (path[n] == '\0' || path[n] == '/' || n == 1))
			return 1;
	}
	return 0;
}

void
lint_tmpdir(struct policy *p, struct diags *d)
{
	struct source src = policy_source(p);
	const char *tmpdir;
	size_t i, k;

	for (i = 0; i < p->nrules; i++) {
		struct rule *r = &p->rules[i];

		if (r->deny != NULL || r->nwrite == 0 || !runs_borg(r))
			continue;
		tmpdir = NULL;
		for (k = 0; k < r->nset; k++)
			if (strcmp(r->setenv[k].name, "TMPDIR") == 0)
				tmpdir = r->setenv[k].value;
		if (tmpdir != NULL && in_writable(r, tmpdir))
			continue;
		if (rule_allowed(r, "borg-no-tmpdir"))
			continue;
		if (tmpdir == NULL)
			diag_add(d, DIAG_WARNING, "borg-no-tmpdir", &src,
			    &r->loc.write, r->name, "rule '%s' runs borg with "
			    "writable paths but sets no TMPDIR: Landlock keeps "
			    "borg out of /tmp, and borg create stops with \"No "
			    "usable temporary directory\"", r->name);
		else
			diag_add(d, DIAG_WARNING, "borg-no-tmpdir", &src,
			    &r->loc.write, r->name, "rule '%s' runs borg with "
			    "TMPDIR %s, outside its writable paths: Landlock "
			    "keeps borg from writing there, and borg create "
			    "stops with \"No usable temporary directory\"",
			    r->name, tmpdir);
		diag_add(d, DIAG_NOTE, NULL, &src, NULL, r->name, "fix: "
		    "setenv TMPDIR %s", r->write[0]);
	}
}
