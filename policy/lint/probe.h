/*
 * Danger probes: every run rule's patterns are tried against the danger
 * catalogue (catalogue.h) with the matcher's own atom test, and every hit
 * is confirmed by a whole example command that policy_decide() permits
 * through that rule.  Warnings a rule silences with an allow comment are
 * not reported (and the comment is marked used).
 */
#ifndef SSHGATE_PROBE_H
#define SSHGATE_PROBE_H

#include "catalogue.h"
#include "policy.h"

/* Probe every run rule; warnings and their notes go to *d. */
void	probe_policy(struct policy *p, struct diags *d);

/* Probe one rule of p. */
void	probe_rule(struct policy *p, struct rule *r, struct diags *d);

/*
 * The same for a rule written from a client's command (--suggest): its
 * literals are the client's words, not values the author fixed, so a
 * literal "--rsh=sh" is probed like a pattern that accepts it.
 */
void	probe_suggested_rule(struct policy *p, struct rule *r,
	    struct diags *d);

/* Does r silence warning name?  Marks its allow comment used. */
int	rule_allowed(struct rule *r, const char *name);

/* An allow comment that silenced nothing is a warning itself. */
void	probe_unused_allows(const struct policy *p, struct diags *d);

/*
 * Every spelling argparse resolves to opt in scope (the option itself,
 * then each unique prefix, longest first); returns the count and an
 * allocated array of allocated strings.
 */
size_t	option_spellings(const struct program *pr, const char *scope,
	    const char *opt, char ***out);

#endif
