/*
 * Matcher table tests: every tests/tables/match/NAME.tsv is decided
 * against NAME.policy, row by row:
 *
 *   RESULT <TAB> FROM <TAB> TAG <TAB> COMMAND
 *
 * RESULT is one of
 *   permit:RULE      rule RULE permits, no word dropped
 *   permit:RULE+N    rule RULE permits after dropping N leading words
 *   deny:RULE        the deny rule RULE matches
 *   deny             no rule matches
 *   refused:STATUS   the tokenizer refuses (tok_status_name)
 *   error:RULE       a regex of RULE hits a PCRE2 limit: deny, cause
 *                    CAUSE_MATCH_ERROR, no later rule is tried
 *   budget:RULE      the decision's regex budget runs out in RULE: deny,
 *                    cause CAUSE_BUDGET, no later rule is tried
 * FROM and TAG are "-" for none.  COMMAND: see table_command().
 *
 * Every row is also decided with a trace (as sshgate-lint --explain
 * does), which must not change anything, and every permitted command is
 * re-quoted and decided again, which must not change anything either
 * (one argv, one decision).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "policy.h"
#include "tables.h"
#include "../tap.h"

static const char *
cause_name(enum deny_cause c)
{
	switch (c) {
	case CAUSE_NONE:	return "none";
	case CAUSE_TOKENIZER:	return "refused";
	case CAUSE_NO_RULE:	return "no-rule";
	case CAUSE_DENY_RULE:	return "deny-rule";
	case CAUSE_MATCH_ERROR:	return "error";
	case CAUSE_BUDGET:	return "budget";
	}
	return "?";
}

/* The decision as one comparable line. */
static char *
outcome(const struct decision *dec)
{
	char *s = NULL;
	int n;

	switch (dec->cause) {
	case CAUSE_NONE:
		n = dec->dropped ? asprintf(&s, "permit:%s+%zu", dec->rule->name,
		    dec->dropped) : asprintf(&s, "permit:%s", dec->rule->name);
		break;
	case CAUSE_TOKENIZER:
		n = asprintf(&s, "refused:%s",
		    tok_status_name(dec->tokerr.status));
		break;
	case CAUSE_NO_RULE:
		n = asprintf(&s, "deny");
		break;
	case CAUSE_DENY_RULE:
		n = asprintf(&s, "deny:%s", dec->rule->name);
		break;
	case CAUSE_MATCH_ERROR:
		n = asprintf(&s, "error:%s", dec->rule->name);
		break;
	case CAUSE_BUDGET:
		n = asprintf(&s, "budget:%s", dec->rule->name);
		break;
	default:
		n = asprintf(&s, "?");
	}
	if (n < 0)
		abort();
	return s;
}

/* The verdict must agree with the cause: only CAUSE_NONE permits. */
static int
consistent(const struct decision *dec)
{
	if (dec->verdict == VERDICT_PERMIT)
		return dec->cause == CAUSE_NONE && dec->rule != NULL &&
		    dec->rule->deny == NULL && dec->rule->nrun > 0;
	return dec->cause != CAUSE_NONE && dec->reason[0] != '\0';
}

static void
run_row(const struct policy *p, const char *table, size_t lineno,
    char **f)
{
	struct request req;
	struct decision a, b;
	struct trace t;
	char *cmd, *got, *got2;
	size_t len;
	int same;

	cmd = table_command(f[3], &len);
	memset(&req, 0, sizeof(req));
	req.cmd = cmd;
	req.cmdlen = len;
	req.from = table_opt(f[1]);
	req.tag = table_opt(f[2]);

	policy_decide(p, &req, &a, NULL);
	got = outcome(&a);
	tap_ok(strcmp(got, f[0]) == 0 && consistent(&a), "%s:%zu: %s %.60s%s "
	    "(from %s, tag %s)", table, lineno, f[0], f[3],
	    strlen(f[3]) > 60 ? "..." : "", f[1], f[2]);
	if (strcmp(got, f[0]) != 0 || !consistent(&a))
		tap_diag("got %s (%s): %s", got, cause_name(a.cause), a.reason);

	/* The trace is for explaining; it must not change the decision. */
	policy_decide(p, &req, &b, &t);
	got2 = outcome(&b);
	same = strcmp(got, got2) == 0 && strcmp(a.reason, b.reason) == 0 &&
	    a.verdict == b.verdict && a.dropped == b.dropped;
	if (!same) {
		tap_ok(0, "%s:%zu: same decision with a trace", table, lineno);
		tap_diag("without: %s: %s", got, a.reason);
		tap_diag("with:    %s: %s", got2, b.reason);
	}
	trace_free(&t);
	decision_free(&b);
	free(got2);

	/* Quoting the words again gives the same words, the same decision. */
	if (a.cause != CAUSE_TOKENIZER) {
		char *q = argv_join(a.words.v, a.words.n);

		req.cmd = q;
		req.cmdlen = strlen(q);
		policy_decide(p, &req, &b, NULL);
		got2 = outcome(&b);
		if (strcmp(got, got2) != 0) {
			tap_ok(0, "%s:%zu: same decision for the re-quoted "
			    "command", table, lineno);
			tap_diag("%s gives %s", q, got2);
		}
		free(got2);
		decision_free(&b);
		free(q);
	}
	free(got);
	decision_free(&a);
	free(cmd);
}

static void
run_table(const char *dir, const char *name)
{
	char *path, *line = NULL, *f[8];
	size_t cap = 0, lineno = 0;
	int base = (int)strlen(name) - 4;
	struct policy *p;
	ssize_t len;
	FILE *in;

	if (asprintf(&path, "%s/%.*s.policy", dir, base, name) < 0)
		abort();
	p = table_policy(path);
	free(path);
	if (!tap_ok(p != NULL, "%.*s.policy compiles", base, name))
		return;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	in = fopen(path, "r");
	free(path);
	if (!tap_ok(in != NULL, "%s opens", name)) {
		policy_free(p);
		return;
	}
	while ((len = getline(&line, &cap, in)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (table_fields(line, f, 8) != 4) {
			tap_ok(0, "%s:%zu: a row has 4 fields", name, lineno);
			continue;
		}
		run_row(p, name, lineno, f);
	}
	free(line);
	fclose(in);
	policy_free(p);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
is_table(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 4 && strcmp(e->d_name + n - 4, ".tsv") == 0;
}

int
main(void)
{
	const char *dir = tap_srcpath("tests/tables/match");
	struct dirent **v;
	int i, n;

	n = scandir(dir, &v, is_table, by_name);
	if (n <= 0) {
		tap_ok(0, "tables in %s", dir);
		return tap_done();
	}
	for (i = 0; i < n; i++) {
		run_table(dir, v[i]->d_name);
		free(v[i]);
	}
	free(v);
	return tap_done();
}
