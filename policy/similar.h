/*
 * "Did you mean ...?": the known name closest to a misspelt one, by
 * edit distance (similar.c).  Pure: no printing, no allocation.  The
 * callers (the parser for fields, capabilities, seccomp groups and
 * allow comments; sshgate-lint for its options and warning names) try
 * each known name in turn and put the best one in their message.
 */
#ifndef SSHGATE_SIMILAR_H
#define SSHGATE_SIMILAR_H

/* Longer words get no suggestion (docs/STYLE.md 6: bound first). */
#define SIMILAR_MAX	64

struct similar {
	const char	*word;	/* what was written */
	const char	*best;	/* the closest candidate so far, or NULL */
	unsigned	 dist;	/* its distance */
};

void	similar_init(struct similar *s, const char *word);
void	similar_try(struct similar *s, const char *candidate);
/* The closest candidate if it is close enough to be a typo, else NULL. */
const char *similar_best(const struct similar *s);

/*
 * Optimal string alignment distance (Damerau-Levenshtein without
 * edits of a transposed pair): insertions, deletions, substitutions
 * and transpositions of neighbours count 1.  Either string longer than
 * SIMILAR_MAX: SIMILAR_MAX + 1.
 */
unsigned similar_distance(const char *a, const char *b);

#endif
