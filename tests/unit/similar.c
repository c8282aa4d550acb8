/*
 * policy/similar.c: the edit distance on known pairs (each edit kind,
 * case, the bound), and which suggestion similar_best() makes -- the
 * typos of issue 14 get the name meant, a far word gets none.
 */
#include <string.h>

#include "similar.h"
#include "../tap.h"

static const char *
pick(const char *word, const char *const *cands)
{
	struct similar s;

	similar_init(&s, word);
	for (; *cands != NULL; cands++)
		similar_try(&s, *cands);
	return similar_best(&s);
}

static void
dist(const char *a, const char *b, unsigned want)
{
	unsigned got = similar_distance(a, b);

	tap_ok(got == want, "distance '%s' '%s' = %u (want %u)", a, b, got,
	    want);
}

static void
best(const char *word, const char *const *cands, const char *want)
{
	const char *got = pick(word, cands);

	tap_ok(got == want || (got != NULL && want != NULL &&
	    strcmp(got, want) == 0), "'%s' -> %s (want %s)", word,
	    got ? got : "none", want ? want : "none");
}

int
main(void)
{
	static const char *const fields[] = { "run", "as", "args", "tag",
	    "from", "seccomp", "landlock", "caps", "setenv", "keepenv",
	    "write", NULL };
	static const char *const caps[] = { "chown", "dac_override",
	    "dac_read_search", "fowner", "setuid", NULL };
	static const char *const opts[] = { "test", "explain", "suggest",
	    "strict", "json", "from", "tag", NULL };
	char big[SIMILAR_MAX + 2];

	dist("", "", 0);
	dist("abc", "", 3);
	dist("", "abc", 3);
	dist("seccomp", "seccomp", 0);
	dist("sekcomp", "seccomp", 1);		/* substitution */
	dist("dac_read_serch", "dac_read_search", 1);	/* deletion */
	dist("seccompp", "seccomp", 1);		/* insertion */
	dist("explian", "explain", 1);		/* transposition */
	dist("SECCOMP", "seccomp", 0);		/* case */
	dist("kitten", "sitting", 3);
	dist("ca", "abc", 3);			/* OSA, not full Damerau */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dist(big, "a", SIMILAR_MAX + 1);	/* longer than the bound */
	big[SIMILAR_MAX] = '\0';
	dist(big, big, 0);			/* exactly the bound */

	best("sekcomp", fields, "seccomp");
	best("arg", fields, "args");
	best("landlok", fields, "landlock");
	best("keepnev", fields, "keepenv");
	best("seccomp", fields, NULL);		/* the name itself */
	best("xyz", fields, NULL);		/* far from every name */
	best("timeout", fields, NULL);
	best("dac_read_serch", caps, "dac_read_search");
	best("DAC_READ_SERCH", caps, "dac_read_search");
	best("sys_admin", caps, NULL);
	best("explian", opts, "explain");
	best("jsno", opts, "json");
	best("x", opts, NULL);			/* one byte: never */
	best("tst", opts, "test");
	return tap_done();
}
