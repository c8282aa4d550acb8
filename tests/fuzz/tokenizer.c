/*
 * Tokenizer harness.  Invariants: an accepted command yields words made of
 * printable ASCII only; quoting the words and splitting again gives the
 * same words; a refusal yields no words and a column inside the input.
 */
#include <string.h>

#include "argv.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct words w, w2;
	struct tok_error e, e2;
	char *joined;
	size_t i, j;

	if (argv_split((const char *)data, size, &w, &e) != TOK_OK) {
		INVARIANT(w.v == NULL && w.n == 0);
		INVARIANT(e.col <= size);
		return 0;
	}
	INVARIANT(w.n > 0 && w.n <= SSHGATE_WORDS_MAX && w.v[w.n] == NULL);
	for (i = 0; i < w.n; i++)
		for (j = 0; w.v[i][j] != '\0'; j++)
			INVARIANT(w.v[i][j] >= 0x20 && w.v[i][j] <= 0x7e);
	joined = argv_join(w.v, w.n);
	if (strlen(joined) <= SSHGATE_CMD_MAX) {
		INVARIANT(argv_split(joined, strlen(joined), &w2, &e2) == TOK_OK);
		INVARIANT(w2.n == w.n);
		for (i = 0; i < w.n; i++)
			INVARIANT(strcmp(w.v[i], w2.v[i]) == 0);
		words_free(&w2);
	}
	free(joined);
	words_free(&w);
	return 0;
}
