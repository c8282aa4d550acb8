/*
 * Edit distance for "did you mean ...?" (similar.h).  MUST: bound the
 * work before doing it (SIMILAR_MAX), read nothing past a string's end,
 * and suggest only a name that is close: a wild guess would send the
 * admin the wrong way.
 */
#include <ctype.h>
#include <string.h>

#include "similar.h"

/* Case does not count: "DAC_READ_SERCH" is as close as "dac_read_serch". */
static int
same(char x, char y)
{
	return tolower((unsigned char)x) == tolower((unsigned char)y);
}

unsigned
similar_distance(const char *a, const char *b)
{
	/* three rows: two back for a transposition, one back, this one */
	unsigned row[3][SIMILAR_MAX + 1];
	size_t la = strnlen(a, SIMILAR_MAX + 1), lb = strnlen(b,
	    SIMILAR_MAX + 1), i, j;

	if (la > SIMILAR_MAX || lb > SIMILAR_MAX)
		return SIMILAR_MAX + 1;
	for (j = 0; j <= lb; j++)
		row[0][j] = (unsigned)j;
	for (i = 1; i <= la; i++) {
		unsigned *cur = row[i % 3], *prev = row[(i + 2) % 3];
		unsigned *prev2 = row[(i + 1) % 3];

		cur[0] = (unsigned)i;
		for (j = 1; j <= lb; j++) {
			unsigned cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
			unsigned d = prev[j] + 1;

			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) &&
			    same(a[i - 2], b[j - 1]) && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
	}
	return row[la % 3][lb];
}

void
similar_init(struct similar *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->dist = SIMILAR_MAX + 1;
}

/* The first of equally close candidates wins: the tables' order. */
void
similar_try(struct similar *s, const char *candidate)
{
	unsigned d = similar_distance(s->word, candidate);

	if (d < s->dist) {
		s->best = candidate;
		s->dist = d;
	}
}

/*
 * Close enough to be a typo: one edit in a word of up to 4 bytes, two
 * up to 8, three beyond; never the word itself, never a distance as
 * long as the word (every byte replaced is not a typo).
 */
const char *
similar_best(const struct similar *s)
{
	size_t len = strnlen(s->word, SIMILAR_MAX + 1);
	unsigned max = len <= 4 ? 1 : len <= 8 ? 2 : 3;

	if (s->best == NULL || s->dist == 0 || s->dist > max ||
	    s->dist >= len)
		return NULL;
	return s->best;
}
