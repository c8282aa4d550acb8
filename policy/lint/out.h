/*
 * sshgate-lint's shared part (out.c): how a mode prints and reads a
 * policy.  Text goes to stdout (results) and stderr (diagnostics);
 * with --json every record is one JSON object per line on stdout.
 */
#ifndef SSHGATE_OUT_H
#define SSHGATE_OUT_H

#include <stdio.h>

#include "confine.h"
#include "json.h"
#include "policy.h"

/* Exit statuses of sshgate-lint (sshgate-lint(1)). */
#define LINT_OK		0	/* clean; --test: permitted */
#define LINT_WARN	1	/* warnings with --strict; --test: denied */
#define LINT_ERROR	2	/* errors, or a usage error */
#define LINT_CHANGED	3	/* --install: the installed policy changed */
/* --test, --explain: the gate's own status where it refuses (4, 5, 126:
 * struct refusal's status, policy/confine.c) */

struct out {
	int		json;
	struct json	j;
	/*
	 * JSON diagnostics are numbered in the order written ("index", from
	 * 0), and a note names the diagnostic it belongs to ("parent"): the
	 * last one before it that is not a note (sshgate-lint(1), "JSON").
	 */
	long long	ndiag;
	long long	parent;		/* -1: none yet */
};

/* Diagnostics: text to stderr with carets, or JSON records. */
void	out_diags(struct out *o, const struct diags *d);

/*
 * Load a policy for linting.  With trust set, the file is first checked
 * the way the gate checks it (an error, untrusted-file, if the gate
 * would refuse it).
 * Returns NULL when it cannot be read or has errors (all in *d).
 */
struct policy *lint_load(const char *file, int trust, struct diags *d);
/* The same, and *f the gate's refusal of the file (policy-untrusted, or
 * policy-error when it does not compile), cause REFUSE_NONE if none. */
struct policy *lint_load_as_gate(const char *file, int trust,
	    struct diags *d, struct refusal *f);

/*
 * What the gate does with rule r's PROGRAM once the policy permits it,
 * on this machine: 0, it runs; -1, refused, with *f (policy/confine.c's
 * words and status).  *run and *c as far as the steps got.
 */
int	gate_refusal(const struct rule *r, const char *program,
	    const struct confine_host *h, struct confine_runner *run,
	    struct confine *c, struct refusal *f);
/* gate-refuses, with a fix, for every run rule it refuses: an error for
 * the installed policy, a note for a draft. */
void	lint_gate_refusals(const struct policy *p, int installed,
	    struct diags *d);

/*
 * Sort the diagnostics from index `from' on by line and column, a note
 * staying with the diagnostic before it.
 */
void	sort_diags(struct diags *d, size_t from);

/*
 * Warn about regexes whose backtracking can explode (nested-quantifier),
 * in every rule: a deny rule's regex takes the gate's time as well.
 */
void	lint_regexes(struct policy *p, struct diags *d);

/*
 * The passes "sshgate-lint -f FILE" runs on a policy that compiled,
 * after its embedded tests: the danger probes, nested-quantifier, unused
 * allow comments.  Here, not in main(), so that the fuzz harness
 * (tests/fuzz/lint.c) runs exactly these.
 */
void	lint_passes(struct policy *p, struct diags *d);

#endif
