/*
 * Environment builder harness: a fixed policy, a fuzzed caller
 * environment (NUL-separated NAME=value strings).  Invariants: the child
 * environment holds only PATH, the rule's setenv names and its keepenv
 * names; each kept value is the caller's first occurrence; nothing longer
 * than the limit passes.
 */
#include <string.h>

#include "fuzz.h"
#include "plan.h"
#include "policy.h"

static const char pol[] =
    "sshgate-policy 1\n"
    "rule r {\n"
    "    run /usr/bin/python3 -I /usr/bin/borg\n"
    "    as nobody\n"
    "    keepenv BORG_PASSPHRASE LANG\n"
    "    setenv HOME /var/lib/x\n"
    "    args \"borg\" /.*/*\n"
    "}\n";

static struct policy *p;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct request r = { "borg create x", 13, NULL, NULL };
	struct decision dec;
	struct plan pl;
	char **env, *copy, err[256];
	size_t n = 0, i, k;

	if (p == NULL) {
		p = policy_parse("env", pol, sizeof(pol) - 1, &d);
		INVARIANT(p != NULL);
	}
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	env = calloc(size + 2, sizeof(*env));
	for (i = 0; i <= size; i++)
		if (i == 0 || copy[i - 1] == '\0')
			if (i < size)
				env[n++] = copy + i;
	env[n] = NULL;
	policy_decide(p, &r, &dec, NULL);
	INVARIANT(dec.verdict == VERDICT_PERMIT);
	if (plan_build(&dec, env, &pl, err, sizeof(err)) == 0) {
		for (i = 0; i < pl.envc; i++) {
			const char *e = pl.envp[i], *v = strchr(e, '=');

			INVARIANT(v != NULL);
			if (strncmp(e, "PATH=", 5) == 0 ||
			    strncmp(e, "HOME=", 5) == 0)
				continue;
			INVARIANT(strncmp(e, "BORG_PASSPHRASE=", 16) == 0 ||
			    strncmp(e, "LANG=", 5) == 0);
			INVARIANT(strlen(v + 1) <= SSHGATE_ENV_VALUE_MAX);
			/* the first occurrence in the caller's environment */
			for (k = 0; k < n; k++)
				if (strncmp(env[k], e, (size_t)(v - e) + 1) == 0)
					break;
			INVARIANT(k < n && strcmp(env[k], e) == 0);
		}
		plan_free(&pl);
	}
	decision_free(&dec);
	free(env);
	free(copy);
	return 0;
}
