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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INVARIANT(c) do { \
	if (!(c)) { \
		fprintf(stderr, "invariant failed: %s (%s:%d)\n", #c, \
		    __FILE__, __LINE__); \
		abort(); \
	} \
} while (0)

#endif
