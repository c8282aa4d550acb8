/*
 * Plan tests: tests/tables/plan/plan.cases against plan.policy.  For a
 * permitted command, plan_build() must give exactly the expected argv
 * and environment -- the run words, then the client's words after its
 * first (after any dropped prefix); setenv in order, PATH unless the
 * rule has one, the kept variables the caller has (first occurrence) --
 * and nothing else; a kept value that is too long is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "plan.h"
#include "policy.h"
#include "tables.h"
#include "../tap.h"

#define MAXF	64

struct vec {
	char	*v[MAXF + 1];
	size_t	 len[MAXF];
	size_t	 n;
	int	 given;
};

struct tcase {
	size_t		 line;
	char		*cmd, *from, *tag, *refused;
	size_t		 cmdlen;
	struct vec	 env, argv, envp;
};

static void
vec_set(struct vec *v, char **f, int nf)
{
	int i;

	for (i = 1; i < nf && v->n < MAXF; i++) {
		v->v[v->n] = table_command(f[i], &v->len[v->n]);
		v->n++;
	}
	v->v[v->n] = NULL;
	v->given = 1;
}

static void
vec_free(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	memset(v, 0, sizeof(*v));
}

/* Compare a NULL-terminated list with the expected one, byte for byte. */
static int
vec_same(const struct vec *want, char *const *got, size_t ngot,
    const char *what)
{
	size_t i;
	int same = want->n == ngot;

	for (i = 0; same && i < ngot; i++)
		same = strlen(got[i]) == want->len[i] &&
		    memcmp(got[i], want->v[i], want->len[i]) == 0;
	if (!same) {
		for (i = 0; i < ngot; i++) {
			char *e = escape_str(got[i], 200);

			tap_diag("got  %s[%zu] %s", what, i, e);
			free(e);
		}
		for (i = 0; i < want->n; i++) {
			char *e = escape_bytes(want->v[i], want->len[i], 200);

			tap_diag("want %s[%zu] %s", what, i, e);
			free(e);
		}
	}
	return same && got[ngot] == NULL;
}

static void
run_case(const struct policy *p, struct tcase *c)
{
	struct request req = { c->cmd, c->cmdlen, c->tag, c->from };
	struct decision dec;
	struct plan pl;
	char err[256];
	int rc;

	policy_decide(p, &req, &dec, NULL);
	if (!tap_ok(dec.verdict == VERDICT_PERMIT, "line %zu: %.50s is "
	    "permitted", c->line, c->cmd)) {
		tap_diag("%s", dec.reason);
		decision_free(&dec);
		return;
	}
	err[0] = '\0';
	rc = plan_build(&dec, c->env.v, &pl, err, sizeof(err));
	if (c->refused != NULL) {
		tap_ok(rc == -1 && strstr(err, c->refused) != NULL &&
		    pl.argv == NULL && pl.envp == NULL, "line %zu: no plan: %s",
		    c->line, c->refused);
		if (rc != -1)
			plan_free(&pl);
		else if (strstr(err, c->refused) == NULL)
			tap_diag("reason: %s", err);
		decision_free(&dec);
		return;
	}
	if (!tap_ok(rc == 0, "line %zu: a plan is built", c->line)) {
		tap_diag("%s", err);
		decision_free(&dec);
		return;
	}
	tap_ok(strcmp(pl.path, dec.rule->run[0]) == 0 &&
	    strcmp(pl.argv[0], pl.path) == 0, "line %zu: program %s is "
	    "argv[0]", c->line, pl.path);
	if (c->argv.given)
		tap_ok(vec_same(&c->argv, pl.argv, pl.argc, "argv"),
		    "line %zu: argv", c->line);
	if (c->envp.given)
		tap_ok(vec_same(&c->envp, pl.envp, pl.envc, "env"),
		    "line %zu: environment, and nothing else", c->line);
	plan_free(&pl);
	decision_free(&dec);
}

static void
case_free(struct tcase *c)
{
	free(c->cmd);
	free(c->from);
	free(c->tag);
	free(c->refused);
	vec_free(&c->env);
	vec_free(&c->argv);
	vec_free(&c->envp);
	memset(c, 0, sizeof(*c));
}

int
main(void)
{
	struct policy *p = table_policy(tap_srcpath("tests/tables/plan/"
	    "plan.policy"));
	FILE *in = fopen(tap_srcpath("tests/tables/plan/plan.cases"), "r");
	char *line = NULL, *f[MAXF + 1];
	size_t cap = 0, lineno = 0, ncases = 0, junk;
	struct tcase c;
	ssize_t len;
	int nf;

	if (!tap_ok(p != NULL && in != NULL, "plan.policy and plan.cases "
	    "are read"))
		return tap_done();
	memset(&c, 0, sizeof(c));
	for (;;) {
		len = getline(&line, &cap, in);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == -1 || line[0] == '\0') {
			if (c.cmd != NULL) {
				run_case(p, &c);
				ncases++;
			}
			case_free(&c);
			if (len == -1)
				break;
			lineno++;
			continue;
		}
		lineno++;
		if (line[0] == '#')
			continue;
		nf = table_fields(line, f, MAXF + 1);
		if (c.line == 0)
			c.line = lineno;
		if (strcmp(f[0], "cmd") == 0 && nf == 2)
			c.cmd = table_command(f[1], &c.cmdlen);
		else if (strcmp(f[0], "from") == 0 && nf == 2)
			c.from = table_command(f[1], &junk);
		else if (strcmp(f[0], "tag") == 0 && nf == 2)
			c.tag = table_command(f[1], &junk);
		else if (strcmp(f[0], "refused") == 0 && nf == 2)
			c.refused = table_command(f[1], &junk);
		else if (strcmp(f[0], "env") == 0)
			vec_set(&c.env, f, nf);
		else if (strcmp(f[0], "argv") == 0)
			vec_set(&c.argv, f, nf);
		else if (strcmp(f[0], "envp") == 0)
			vec_set(&c.envp, f, nf);
		else
			tap_ok(0, "line %zu: unknown field '%s'", lineno, f[0]);
	}
	tap_ok(ncases >= 15, "%zu cases ran", ncases);
	free(line);
	fclose(in);
	policy_free(p);
	return tap_done();
}
