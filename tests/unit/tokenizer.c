/*
 * Table-driven tokenizer tests: tests/tables/tokenizer.tsv.
 * Each accepted row also checks that quoting the words and splitting
 * again gives the same words (one argv, one decision).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "../tap.h"

#define MAXF 64

static int
split_tabs(char *line, char **f)
{
	int n = 0;

	f[n++] = line;
	for (; *line && n < MAXF; line++)
		if (*line == '\t') {
			*line = '\0';
			f[n++] = line + 1;
		}
	return n;
}

static int
roundtrip(const struct words *w)
{
	char *joined = argv_join(w->v, w->n);
	struct words w2;
	struct tok_error e;
	size_t i;
	int ok;

	ok = argv_split(joined, strlen(joined), &w2, &e) == TOK_OK &&
	    w2.n == w->n;
	for (i = 0; ok && i < w->n; i++)
		ok = strcmp(w->v[i], w2.v[i]) == 0;
	free(joined);
	words_free(&w2);
	return ok;
}

int
main(void)
{
	FILE *f = fopen(tap_srcpath("tests/tables/tokenizer.tsv"), "r");
	char *line = NULL, *fld[MAXF], *input = NULL, word[70000];
	size_t cap = 0, lineno = 0;
	ssize_t len;

	if (f == NULL) {
		perror("tokenizer.tsv");
		return 1;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		struct words w;
		struct tok_error e;
		enum tok_status st;
		size_t inlen, i;
		int nf, good;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		nf = split_tabs(line, fld);
		if (nf < 3) {
			tap_ok(0, "line %zu: malformed row", lineno);
			continue;
		}
		/* "@N:s" in the input column: the string s repeated N times */
		free(input);
		if (fld[1][0] == '@') {
			size_t n = strtoul(fld[1] + 1, NULL, 10), k, sl;
			char unit[64];

			sl = tap_unescape(strchr(fld[1], ':') + 1, unit);
			input = malloc(n * sl + 1);
			for (inlen = 0, k = 0; k < n; k++, inlen += sl)
				memcpy(input + inlen, unit, sl);
			input[inlen] = '\0';
		} else {
			input = malloc(strlen(fld[1]) + 1);
			inlen = tap_unescape(fld[1], input);
		}
		if (input == NULL)
			return 1;
		st = argv_split(input, inlen, &w, &e);
		if (strcmp(fld[0], "ok") == 0) {
			good = st == TOK_OK && w.n == (size_t)(nf - 2);
			for (i = 0; good && i < w.n; i++) {
				tap_unescape(fld[2 + i], word);
				good = strcmp(word, w.v[i]) == 0;
			}
			if (good)
				good = roundtrip(&w);
			tap_ok(good, "line %zu: accepts %s", lineno, fld[1]);
			if (!good && st == TOK_OK)
				for (i = 0; i < w.n; i++)
					tap_diag("word %zu: [%s]", i, w.v[i]);
			else if (!good) {
				char msg[256];

				tok_strerror(&e, msg, sizeof(msg));
				tap_diag("refused: %s", msg);
			}
		} else {
			char msg[256];
			size_t col = strtoul(fld[2], NULL, 10);

			tok_strerror(&e, msg, sizeof(msg));
			good = st != TOK_OK &&
			    strcmp(tok_status_name(st), fld[0]) == 0 &&
			    e.col == col && w.v == NULL;
			tap_ok(good, "line %zu: refuses %.40s: %s (%s)", lineno,
			    fld[1], msg, nf > 3 ? fld[3] : "");
			if (!good)
				tap_diag("got %s at column %zu", tok_status_name(st),
				    e.col);
		}
		if (st == TOK_OK)
			words_free(&w);
	}
	free(input);
	free(line);
	fclose(f);
	{
		struct words w;
		struct tok_error e;

		tap_ok(argv_split(NULL, 0, &w, &e) == TOK_NONE,
		    "no command at all is refused as a shell request");
	}
	return tap_done();
}
