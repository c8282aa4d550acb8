/*
 * Linter harness: a policy file through every pass "sshgate-lint -f
 * FILE" runs (policy/lint/out.c, lint_passes()), printing nothing.
 * Invariants: the parser returns a policy exactly when it reported no
 * error; every diagnostic points inside the file, is one line of
 * printable ASCII (untrusted bytes escaped) and a warning has a known
 * name; every example command a note shows ("rule 'R' permits, e.g.:
 * CMD") is permitted by rule R according to policy_decide(), with the
 * rule's first address and tag: the linter never claims with code of
 * its own (docs/STYLE.md 11).
 */
#include <arpa/inet.h>
#include <string.h>

#include "fuzz.h"
#include "out.h"
#include "policy.h"
#include "warnings.h"
#include "xmalloc.h"

static const char permits[] = "' permits, e.g.: ";

static void
printable(const char *s)
{
	for (; *s != '\0'; s++)
		INVARIANT(*s >= 0x20 && *s < 0x7f);
}

/* The note's example, decided again: rule r must permit it. */
static void
check_example(struct policy *p, const char *msg)
{
	const char *name = msg + strlen("rule '"), *e;
	struct request req;
	struct decision dec;
	char from[64] = "", *cmd, *sel;
	size_t i, n;
	struct rule *r = NULL;

	e = strstr(name, permits);
	INVARIANT(e != NULL);
	for (i = 0; i < p->nrules && r == NULL; i++)
		if (strlen(p->rules[i].name) == (size_t)(e - name) &&
		    strncmp(p->rules[i].name, name, (size_t)(e - name)) == 0)
			r = &p->rules[i];
	INVARIANT(r != NULL);
	e += strlen(permits);
	if (strchr(e, '\\') != NULL)
		return;		/* escaped: not the bytes themselves */
	if (r->nfrom > 0)
		INVARIANT(inet_ntop(r->from[0].family, r->from[0].addr, from,
		    sizeof(from)) != NULL);
	if (from[0] && r->ntags > 0)
		sel = xasprintf(" (from %s, tag %s)", from, r->tags[0]);
	else if (from[0] || r->ntags > 0)
		sel = xasprintf(" (%s %s)", from[0] ? "from" : "tag",
		    from[0] ? from : r->tags[0]);
	else
		sel = xstrdup("");
	n = strlen(e);
	INVARIANT(n >= strlen(sel) && strcmp(e + n - strlen(sel), sel) == 0);
	cmd = xstrndup(e, n - strlen(sel));
	memset(&req, 0, sizeof(req));
	req.cmd = cmd;
	req.cmdlen = strlen(cmd);
	req.from = from[0] ? from : NULL;
	req.tag = r->ntags > 0 ? r->tags[0] : NULL;
	policy_decide(p, &req, &dec, NULL);
	INVARIANT(dec.verdict == VERDICT_PERMIT && dec.rule == r);
	decision_free(&dec);
	free(cmd);
	free(sel);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct policy *p;
	size_t i, lines = 1, probed;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	p = policy_parse("fuzz", (const char *)data, size, &d);
	INVARIANT((p == NULL) == (d.nerr > 0));
	if (p != NULL) {
		policy_run_tests(p, &d);
		probed = d.n;
		lint_passes(p, &d);
		sort_diags(&d, probed);
	}
	for (i = 0; i < d.n; i++) {
		const struct diag *g = &d.v[i];

		INVARIANT(g->line <= lines);
		INVARIANT(g->msg != NULL);
		printable(g->msg);
		if (g->level == DIAG_WARNING)
			INVARIANT(g->name != NULL &&
			    warning_lookup(g->name) != NULL);
		if (p != NULL && g->level == DIAG_NOTE &&
		    strncmp(g->msg, "rule '", 6) == 0 &&
		    strstr(g->msg, permits) != NULL)
			check_example(p, g->msg);
	}
	policy_free(p);
	diags_free(&d);
	return 0;
}
