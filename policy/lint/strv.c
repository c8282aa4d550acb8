/*
 * A set of strings for the danger probes (strv.h).  Allocation ends the
 * program on failure (docs/STYLE.md 5).
 */
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "xmalloc.h"

int
strv_has(const struct strv *s, const char *w)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], w) == 0)
			return 1;
	return 0;
}

void
strv_add(struct strv *s, const char *w)
{
	if (strv_has(s, w))
		return;
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = xstrdup(w);
}

void
strv_free(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
