/*
 * Shared by the libFuzzer harnesses.  An invariant that fails aborts, so
 * that libFuzzer keeps the input and the replay in make check fails too.
 */
#ifndef SSHGATE_FUZZ_H
#define SSHGATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The match harness's input, also read by tests/fuzz/agree.c: parts
 * separated by "\n%%\n" lines.  *part is the length of the part at s;
 * returns the start of the next one, or NULL if this is the last.
 */
static inline const char *
fuzz_cut(const char *s, size_t len, size_t *part)
{
	const char *m = memmem(s, len, "\n%%\n", 4);

	if (m == NULL) {
		*part = len;
		return NULL;
	}
	*part = (size_t)(m - s);
	return m + 4;
}

#define INVARIANT(c) do { \
	if (!(c)) { \
		fprintf(stderr, "invariant failed: %s (%s:%d)\n", #c, \
		    __FILE__, __LINE__); \
		abort(); \
	} \
} while (0)

#endif
