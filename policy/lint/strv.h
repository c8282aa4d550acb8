/*
 * A growing set of strings (the probes' sample words, an atom's
 * candidate words): each string once, in the order added, owned by the
 * set.
 */
#ifndef SSHGATE_STRV_H
#define SSHGATE_STRV_H

#include <stddef.h>

struct strv {
	char	**v;
	size_t	  n;
};

/* Is w in s? */
int	strv_has(const struct strv *s, const char *w);

/* Add a copy of w, unless s has it already. */
void	strv_add(struct strv *s, const char *w);

/* Free every string and the array; s is empty again. */
void	strv_free(struct strv *s);

#endif
