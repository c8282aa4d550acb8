/*
 * Policy parser harness.  Invariants: the parser returns a policy exactly
 * when it reported no error; every diagnostic points inside the file; a
 * policy that parsed runs its own tests without crashing.
 */
#include <string.h>

#include "fuzz.h"
#include "policy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct policy *p;
	size_t i, lines = 1;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	p = policy_parse("fuzz", (const char *)data, size, &d);
	INVARIANT((p == NULL) == (d.nerr > 0));
	for (i = 0; i < d.n; i++) {
		INVARIANT(d.v[i].line <= lines);
		INVARIANT(d.v[i].msg != NULL);
		free(diag_render(&d.v[i]));
	}
	if (p != NULL) {
		policy_run_tests(p, &d);
		policy_free(p);
	}
	diags_free(&d);
	return 0;
}
