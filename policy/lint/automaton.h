/*
 * A rule's automaton as the danger probes see it: which atoms (the
 * "literals" and /regexes/ of its args) can take the first word, which
 * can follow which, after which the words may end.  Built from the
 * rule's own NFA (parse.c), the one policy_decide() runs; nothing here
 * matches a word.
 */
#ifndef SSHGATE_AUTOMATON_H
#define SSHGATE_AUTOMATON_H

#include "policy.h"

struct automaton {
	size_t		 n;		/* atoms */
	unsigned char	*first;		/* atom can match word 0 */
	unsigned char	*later;		/* atom can match a later word */
	unsigned char	*ends;		/* the words may end after it */
	unsigned char	*succ;		/* succ[a * n + b]: b after a */
};

/* The automaton of rule r's args. */
void	automaton_build(struct automaton *au, const struct rule *r);

void	automaton_free(struct automaton *au);

/*
 * Shortest chain of atoms with a sample (sample[atom] != NULL) from word
 * 0 to `to' (exclusive), or from `from' (exclusive) to the end when
 * to < 0.  Returns the atoms in order in *path (allocated), or -1 if
 * there is none.
 */
int	automaton_path(const struct automaton *au, const char **sample,
	    int from, int to, int **path, size_t *len);

#endif
