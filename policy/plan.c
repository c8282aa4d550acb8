/*
 * The child's argv and environment.  MUST:
 *  - exec the argv that matched: the rule's program and fixed arguments,
 *    then the client's words after the first (and after any dropped
 *    prefix), unchanged;
 *  - build the environment only from constants, the rule's setenv and the
 *    rule's keepenv names: nothing else of the caller's environment passes;
 *  - never put one name in it twice;
 *  - refuse (not truncate) a kept value that is too long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "xmalloc.h"

const char *
env_lookup(char *const *env, const char *name)
{
	size_t n = strlen(name);

	if (env == NULL)
		return NULL;
	for (; *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static void
env_push(struct plan *pl, char *entry)
{
	pl->envp = xreallocarray(pl->envp, pl->envc + 2, sizeof(*pl->envp));
	pl->envp[pl->envc++] = entry;
	pl->envp[pl->envc] = NULL;
}

/*
 * "NAME=value" in a buffer of exactly its size: vasprintf() would leave
 * a freed copy of a kept value (a passphrase) behind in the heap.
 */
static char *
env_entry(const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;
	char *e = xmalloc(len);

	snprintf(e, len, "%s=%s", name, value);
	return e;
}

int
plan_build(const struct decision *dec, char *const *client_env,
    struct plan *pl, char *err, size_t errlen)
{
	const struct rule *r = dec->rule;
	size_t i, nclient, from;
	int have_path = 0;

	memset(pl, 0, sizeof(*pl));
	if (dec->verdict != VERDICT_PERMIT || r == NULL || r->nrun == 0) {
		snprintf(err, errlen, "not a permit");
		return -1;
	}
	pl->rule = r;
	pl->path = xstrdup(r->run[0]);

	/* argv: run words, then the client's words after its first. */
	from = dec->dropped + 1;
	nclient = dec->words.n > from ? dec->words.n - from : 0;
	pl->argc = r->nrun + nclient;
	pl->argv = xreallocarray(NULL, pl->argc + 1, sizeof(*pl->argv));
	for (i = 0; i < r->nrun; i++)
		pl->argv[i] = xstrdup(r->run[i]);
	for (i = 0; i < nclient; i++)
		pl->argv[r->nrun + i] = xstrdup(dec->words.v[from + i]);
	pl->argv[pl->argc] = NULL;

	/* envp: fixed values first, then kept ones, in policy order. */
	pl->envp = xcalloc(1, sizeof(*pl->envp));
	for (i = 0; i < r->nset; i++) {
		if (strcmp(r->setenv[i].name, "PATH") == 0)
			have_path = 1;
		env_push(pl, xasprintf("%s=%s", r->setenv[i].name,
		    r->setenv[i].value));
	}
	/*
	 * The default PATH only where neither the rule nor a kept variable
	 * gives one: two PATH entries would let getenv() and a program that
	 * walks environ (Python's os.environ keeps the last) disagree.
	 */
	for (i = 0; i < r->nkeep; i++)
		if (strcmp(r->keepenv[i], "PATH") == 0 &&
		    env_lookup(client_env, "PATH") != NULL)
			have_path = 1;
	if (!have_path)
		env_push(pl, xstrdup("PATH=" SSHGATE_DEFAULT_PATH));
	for (i = 0; i < r->nkeep; i++) {
		const char *v = env_lookup(client_env, r->keepenv[i]);

		if (v == NULL)
			continue;
		if (strnlen(v, SSHGATE_ENV_VALUE_MAX + 1) >
		    SSHGATE_ENV_VALUE_MAX) {
			snprintf(err, errlen, "kept variable %s is longer than "
			    "%d bytes", r->keepenv[i], SSHGATE_ENV_VALUE_MAX);
			plan_free(pl);
			return -1;
		}
		env_push(pl, env_entry(r->keepenv[i], v));
	}
	return 0;
}

void
plan_free(struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->argc; i++)
		free(pl->argv[i]);
	free(pl->argv);
	for (i = 0; i < pl->envc; i++)
		free(pl->envp[i]);
	free(pl->envp);
	free(pl->path);
	memset(pl, 0, sizeof(*pl));
}
