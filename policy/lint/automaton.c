/*
 * A rule's automaton for the danger probes (automaton.h).  MUST read
 * the rule's NFA as parse.c built it, never a second idea of the args.
 */
#include <stdlib.h>

#include "automaton.h"
#include "xmalloc.h"

/* Atoms reachable from NFA state s without reading a word. */
static void
closure(const struct rule *r, int s, unsigned char *atoms, int *accept)
{
	const struct nfa *nfa = &r->nfa;
	unsigned char *seen = xcalloc(nfa->n ? nfa->n : 1, 1);
	int *stack = xreallocarray(NULL, nfa->n * 2 + 2, sizeof(int));
	size_t sp = 0;

	stack[sp++] = s;
	while (sp > 0) {
		const struct nfa_state *st;

		s = stack[--sp];
		if (s < 0 || seen[s])
			continue;
		seen[s] = 1;
		st = &nfa->s[s];
		switch (st->op) {
		case NFA_SPLIT:
			stack[sp++] = st->x;
			stack[sp++] = st->y;
			break;
		case NFA_JUMP:
			stack[sp++] = st->x;
			break;
		case NFA_ATOM:
			atoms[st->atom] = 1;
			break;
		case NFA_ACCEPT:
			*accept = 1;
			break;
		}
	}
	free(seen);
	free(stack);
}

void
automaton_build(struct automaton *au, const struct rule *r)
{
	size_t a, b, s;
	int acc = 0;

	au->n = r->natoms;
	au->first = xcalloc(au->n + 1, 1);
	au->later = xcalloc(au->n + 1, 1);
	au->ends = xcalloc(au->n + 1, 1);
	au->succ = xcalloc(au->n * au->n + 1, 1);
	closure(r, r->nfa.start, au->first, &acc);
	for (s = 0; s < r->nfa.n; s++) {
		const struct nfa_state *st = &r->nfa.s[s];
		int end = 0;

		if (st->op != NFA_ATOM)
			continue;
		a = (size_t)st->atom;
		closure(r, st->x, au->succ + a * au->n, &end);
		au->ends[a] = (unsigned char)end;
		for (b = 0; b < au->n; b++)
			if (au->succ[a * au->n + b])
				au->later[b] = 1;
	}
}

void
automaton_free(struct automaton *au)
{
	free(au->first);
	free(au->later);
	free(au->ends);
	free(au->succ);
	au->first = au->later = au->ends = au->succ = NULL;
}

int
automaton_path(const struct automaton *au, const char **sample, int from,
    int to, int **path, size_t *len)
{
	int *prev = xreallocarray(NULL, au->n + 1, sizeof(int));
	int *queue = xreallocarray(NULL, au->n + 1, sizeof(int));
	unsigned char *seen = xcalloc(au->n + 1, 1);
	size_t qh = 0, qt = 0, i, k;
	int goal = -1, u;

	*path = NULL;
	*len = 0;
	if ((from < 0 && au->first[to]) || (to < 0 && au->ends[from])) {
		free(prev);
		free(queue);
		free(seen);
		return 0;
	}
	for (i = 0; i < au->n; i++) {
		int start = from < 0 ? au->first[i] : au->succ[from * au->n + i];

		if (start && sample[i] != NULL) {
			seen[i] = 1;
			prev[i] = -1;
			queue[qt++] = (int)i;
		}
	}
	while (qh < qt && goal < 0) {
		u = queue[qh++];
		if (to < 0 && au->ends[u]) {
			goal = u;
			break;
		}
		if (to >= 0 && au->succ[(size_t)u * au->n + (size_t)to]) {
			goal = u;
			break;
		}
		for (i = 0; i < au->n; i++)
			if (au->succ[(size_t)u * au->n + i] && !seen[i] &&
			    sample[i] != NULL) {
				seen[i] = 1;
				prev[i] = u;
				queue[qt++] = (int)i;
			}
	}
	if (goal >= 0) {
		for (u = goal, k = 0; u >= 0; u = prev[u])
			k++;
		*path = xreallocarray(NULL, k, sizeof(int));
		*len = k;
		for (u = goal; u >= 0; u = prev[u])
			(*path)[--k] = u;
	}
	free(prev);
	free(queue);
	free(seen);
	return goal >= 0 ? 0 : -1;
}
