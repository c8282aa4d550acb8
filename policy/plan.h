/*
 * The execution plan of a permit: exactly what the gate will exec, built
 * by the same code for the gate and for sshgate-lint --explain.
 */
#ifndef SSHGATE_PLAN_H
#define SSHGATE_PLAN_H

#include "policy.h"

struct plan {
	const struct rule *rule;
	char		 *path;		/* absolute program */
	char		**argv;		/* argc entries, then NULL */
	size_t		  argc;
	char		**envp;		/* envc entries, then NULL */
	size_t		  envc;
};

/*
 * Build the plan for a permit.  client_env is the caller's environment
 * (NAME=value strings, NULL-terminated), read only for the rule's keepenv
 * names.  Returns 0, or -1 with a reason in err (a kept value too long).
 */
int	plan_build(const struct decision *dec, char *const *client_env,
	    struct plan *pl, char *err, size_t errlen);
void	plan_free(struct plan *pl);

/* The value of NAME in a NAME=value list (first occurrence), or NULL. */
const char *env_lookup(char *const *env, const char *name);

#endif
