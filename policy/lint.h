/*
 * sshgate-lint's internal interface (lint.c, audit.c, suggest.c): how a
 * mode prints.  Text goes to stdout (results) and stderr (diagnostics);
 * with --json every record is one JSON object per line on stdout.
 */
#ifndef SSHGATE_LINT_H
#define SSHGATE_LINT_H

#include <stdio.h>

#include "json.h"
#include "policy.h"

/* Exit statuses of sshgate-lint (sshgate-lint(1)). */
#define LINT_OK		0	/* clean; --test: permitted */
#define LINT_WARN	1	/* warnings with --strict; --test: denied */
#define LINT_ERROR	2	/* errors, or a usage error */

struct out {
	int		json;
	struct json	j;
};

/* Diagnostics: text to stderr with carets, or JSON records. */
void	out_diags(struct out *o, const struct diags *d);

/*
 * Load a policy for linting.  With trust set, the file is first checked
 * the way the gate checks it (a warning if the gate would refuse it).
 * Returns NULL when it cannot be read or has errors (all in *d).
 */
struct policy *lint_load(const char *file, int trust, struct diags *d);

/*
 * Warn about regexes whose backtracking can explode (nested-quantifier),
 * in every rule: a deny rule's regex takes the gate's time as well.
 */
void	lint_regexes(struct policy *p, struct diags *d);

/* audit.c */
struct audit_opts {
	const char	*user;		/* login account, or NULL */
	const char	*policy;	/* policy file */
	const char	*gate;		/* the installed sshgate */
	const char	*sshd;		/* sshd binary */
	const char	*sshd_config;	/* -f for sshd -T, or NULL */
	const char	*keys;		/* authorized_keys, or NULL: sshd's */
	const char	*pam_dir;	/* /etc/pam.d */
	const char	*from;		/* client address for sshd -T -C */
};
int	audit_run(const struct audit_opts *ao, struct out *o);

/* suggest.c */
int	suggest_command(struct policy *p, const char *cmd, const char *from,
	    const char *tag, struct out *o);
int	suggest_log(struct policy *p, FILE *in, const char *name,
	    struct out *o);

#endif
