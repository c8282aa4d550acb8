/*
 * Matcher harness: input = policy, a line "%%", a command, optionally a
 * second "%%" line and a tag.  Invariants: the decision is deterministic,
 * and its reason is one line of printable ASCII; an equivalent quoting of
 * the same words gets the same decision; a permit comes from a run rule
 * and its plan is the rule's program plus the client's words; a refused
 * command is never permitted.
 */
#include <string.h>

#include "fuzz.h"
#include "plan.h"
#include "policy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *cmd, *tag;
	size_t plen, clen, i;
	struct diags d = { 0 };
	struct policy *p;
	struct request r1, r2;
	struct decision d1, d2, d3;
	struct plan pl;
	char err[256], *tagbuf = NULL, *cmdbuf, *requoted;

	cmd = fuzz_cut(s, size, &plen);
	if (cmd == NULL)
		return 0;
	tag = fuzz_cut(cmd, size - (size_t)(cmd - s), &clen);
	if (tag != NULL)
		tagbuf = strndup(tag, size - (size_t)(tag - s));
	p = policy_parse("fuzz", s, plen, &d);
	diags_free(&d);
	if (p == NULL) {
		free(tagbuf);
		return 0;
	}
	cmdbuf = strndup(cmd, clen);
	memset(&r1, 0, sizeof(r1));
	r1.cmd = cmdbuf;
	r1.cmdlen = clen;
	r1.tag = tagbuf;
	r1.from = "192.0.2.10";
	policy_decide(p, &r1, &d1, NULL);
	policy_decide(p, &r1, &d2, NULL);
	INVARIANT(d1.verdict == d2.verdict && d1.rule == d2.rule &&
	    d1.cause == d2.cause && strcmp(d1.reason, d2.reason) == 0);
	/* printed to the client and logged as reason="..." (sshgate(8)) */
	for (i = 0; d1.reason[i] != '\0'; i++)
		INVARIANT(d1.reason[i] >= 0x20 && d1.reason[i] < 0x7f);
	if (d1.cause == CAUSE_TOKENIZER)
		INVARIANT(d1.verdict == VERDICT_DENY);
	else {
		/* the same words, quoted our way: the same decision */
		requoted = argv_join(d1.words.v, d1.words.n);
		r2 = r1;
		r2.cmd = requoted;
		r2.cmdlen = strlen(requoted);
		if (r2.cmdlen <= SSHGATE_CMD_MAX) {
			policy_decide(p, &r2, &d3, NULL);
			INVARIANT(d3.verdict == d1.verdict && d3.rule == d1.rule);
			decision_free(&d3);
		}
		free(requoted);
	}
	if (d1.verdict == VERDICT_PERMIT) {
		INVARIANT(d1.rule != NULL && d1.rule->deny == NULL &&
		    d1.rule->nrun > 0);
		INVARIANT(plan_build(&d1, NULL, &pl, err, sizeof(err)) == 0);
		INVARIANT(pl.argc == d1.rule->nrun + d1.words.n - d1.dropped - 1);
		for (i = 0; i < d1.rule->nrun; i++)
			INVARIANT(strcmp(pl.argv[i], d1.rule->run[i]) == 0);
		for (i = d1.rule->nrun; i < pl.argc; i++)
			INVARIANT(strcmp(pl.argv[i], d1.words.v[d1.dropped + 1 +
			    i - d1.rule->nrun]) == 0);
		plan_free(&pl);
	}
	decision_free(&d1);
	decision_free(&d2);
	policy_free(p);
	free(cmdbuf);
	free(tagbuf);
	return 0;
}
