/*
 * What every mode of sshgate-lint shares: printing diagnostics, reading
 * a policy the way the gate reads it, and the regex check every mode
 * runs.  lint.c, audit.c and suggest.c call into this file; it calls
 * none of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "probe.h"
#include "trust.h"
#include "warnings.h"
#include "xmalloc.h"

/* ---- output ------------------------------------------------------------- */

void
out_diags(struct out *o, const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];

		if (!o->json) {
			char *s = diag_render(g);

			fputs(s, stderr);
			free(s);
			continue;
		}
		json_obj(&o->j);
		json_kstr(&o->j, "type", "diagnostic");
		json_kstr(&o->j, "level", diag_level_name(g->level));
		json_kstr(&o->j, "name", g->name);
		json_kstr(&o->j, "file", g->file);
		json_kint(&o->j, "line", g->line);
		json_kint(&o->j, "col", g->col);
		json_kint(&o->j, "width", g->line ? g->width : 0);
		json_kstr(&o->j, "rule", g->rule);
		json_kstr(&o->j, "message", g->msg);
		json_kstr(&o->j, "source", g->src);
		json_kint(&o->j, "index", o->ndiag);
		json_key(&o->j, "parent");
		if (g->level == DIAG_NOTE && o->parent >= 0)
			json_int(&o->j, o->parent);
		else
			json_null(&o->j);
		if (g->level != DIAG_NOTE)
			o->parent = o->ndiag;
		o->ndiag++;
		json_obj_end(&o->j);
	}
}

/*
 * The probes' warnings in source order, like a compiler's: from index
 * `from' on, by line and column, stable, a note staying with the
 * diagnostic before it.  (The parser and the tests report in their own
 * order, before.)
 */
void
sort_diags(struct diags *d, size_t from)
{
	size_t *start, ng = 0, i, j;

	if (d->n < from + 2)
		return;
	start = xreallocarray(NULL, d->n + 1, sizeof(*start));
	for (i = from; i < d->n; i++)
		if (i == from || d->v[i].level != DIAG_NOTE)
			start[ng++] = i;
	start[ng] = d->n;
	/* insertion sort of the groups: they are few and nearly in order */
	for (i = 1; i < ng; i++) {
		size_t a = start[i], len = start[i + 1] - a, k;
		struct diag *tmp = xreallocarray(NULL, len, sizeof(*tmp));

		for (j = i; j > 0; j--) {
			const struct diag *p = &d->v[start[j - 1]], *q = &d->v[a];

			if (p->line < q->line || (p->line == q->line &&
			    p->col <= q->col))
				break;
		}
		if (j == i) {
			free(tmp);
			continue;
		}
		/* move group i in front of group j */
		memcpy(tmp, &d->v[a], len * sizeof(*tmp));
		memmove(&d->v[start[j] + len], &d->v[start[j]],
		    (a - start[j]) * sizeof(*tmp));
		memcpy(&d->v[start[j]], tmp, len * sizeof(*tmp));
		for (k = i; k > j; k--)
			start[k] = start[k - 1] + len;
		start[j + 1] = start[j] + len;
		free(tmp);
	}
	free(start);
}

/*
 * Read the policy.  The gate would refuse a file that is not trusted
 * (owner, mode, symlinks, writable parents); for the installed policy
 * the linter says so as a warning and still reads it.  A draft named
 * with -f is source code, not a deployment: --audit checks the
 * deployed one.
 */
struct policy *
lint_load(const char *file, int trust, struct diags *d)
{
	char why[512], *text;
	size_t len;
	int fd = -1;
	struct policy *p;
	struct source src = { file, NULL, 0 };

	if (trust) {
		fd = trust_open(file, O_RDONLY, TRUST_NO_LINKS, why,
		    sizeof(why));
		if (fd == -1)
			diag_add(d, DIAG_WARNING, "untrusted-file", &src, NULL,
			    NULL, "sshgate would refuse this file: %s", why);
	}
	if (fd == -1)
		fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		diag_add(d, DIAG_ERROR, NULL, &src, NULL, NULL,
		    "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (read_all(fd, SSHGATE_POLICY_MAX, &text, &len, why, sizeof(why))) {
		diag_add(d, DIAG_ERROR, NULL, &src, NULL, NULL, "%s", why);
		close(fd);
		return NULL;
	}
	close(fd);
	p = policy_parse(file, text, len, d);
	free(text);
	return p;
}

/* ---- regexes whose backtracking can explode -------------------------------- */

/*
 * A quantifier at re[i]: its length (0: none), whether it repeats (a
 * maximum above 1) and whether it is unbounded (*, +, {n,}).  A
 * possessive one (a++, a*+, a{2,}+) gives nothing back, like an atomic
 * group: it counts as neither.  {n,m} only with n written, as PCRE2
 * 10.42 reads it.
 */
static size_t
quantifier(const char *re, size_t i, int *repeats, int *unbounded,
    int *possessive)
{
	unsigned long lo, hi;
	char *end;
	size_t j = i;

	*repeats = *unbounded = *possessive = 0;
	if (re[j] == '*' || re[j] == '+') {
		*repeats = *unbounded = 1;
		j++;
	} else if (re[j] == '?')
		j++;
	else if (re[j] == '{' && re[j + 1] >= '0' && re[j + 1] <= '9') {
		lo = strtoul(re + j + 1, &end, 10);
		hi = lo;
		if (end[0] == ',' && end[1] == '}') {
			*unbounded = 1;
			end++;
		} else if (end[0] == ',' && end[1] >= '0' && end[1] <= '9')
			hi = strtoul(end + 1, &end, 10);
		if (*end != '}')
			return 0;
		*repeats = *unbounded || hi > 1;
		j = (size_t)(end - re) + 1;
	} else
		return 0;
	if (re[j] == '+') {
		*repeats = *unbounded = 0;
		*possessive = 1;
		j++;
	} else if (re[j] == '?')
		j++;
	return j - i;
}

/*
 * The first group of re that repeats (a quantifier with a maximum above
 * 1) a body holding an unbounded quantifier at any depth: (a+)+,
 * (\w+\s?)*, (.*a){3}.  On a near miss PCRE2 backtracks through every
 * way of sharing the characters among the repetitions, exponentially
 * many.  A possessive quantifier and an atomic group (?>...) give nothing
 * back and do not count.  A syntactic scan, not a parse (PCRE2 checked
 * the syntax): it does not know whether the repetitions can overlap, so
 * it may warn about a safe group -- (\/[a-z]*)* -- whose fix is the same,
 * a possessive inner quantifier.  It does not read (?x) comments.
 * Returns 1 with the offsets of the group's '(' and of the end of its
 * quantifier, 0 for none.  sshgate-lint(1), nested-quantifier.
 */
static int
nested_quantifier(const char *re, size_t *start, size_t *end)
{
	enum { MAXDEPTH = 250 };	/* PCRE2's default nesting limit */
	size_t open[MAXDEPTH + 1], depth = 0, i, q, n = strlen(re);
	unsigned char body[MAXDEPTH + 1], atomic[MAXDEPTH + 1];
	const char *e;
	int repeats, unbounded, possessive, inner;

	body[0] = 0;
	for (i = 0; i < n; i++) {
		switch (re[i]) {
		case '(':
			if (strncmp(re + i, "(?#", 3) == 0) {
				e = strchr(re + i, ')');
				i = e != NULL ? (size_t)(e - re) : n;
				continue;
			}
			if (depth == MAXDEPTH)
				return 0;
			depth++;
			open[depth] = i;
			body[depth] = 0;
			atomic[depth] = strncmp(re + i, "(?>", 3) == 0;
			continue;
		case ')':
			if (depth == 0)
				continue;
			q = quantifier(re, i + 1, &repeats, &unbounded,
			    &possessive);
			inner = body[depth] && !atomic[depth] && !possessive;
			if (repeats && inner) {
				*start = open[depth];
				*end = i + 1 + q;
				return 1;
			}
			depth--;
			body[depth] |= inner || unbounded;
			i += q;
			continue;
		case '\\':
			if (re[i + 1] == 'Q') {		/* \Q...\E: literal */
				e = strstr(re + i + 2, "\\E");
				i = e != NULL ? (size_t)(e - re) + 1 : n;
			} else if (re[i + 1] != '\0' &&
			    strchr("xopPNgk", re[i + 1]) != NULL &&
			    re[i + 2] == '{') {		/* \x{41}, \p{L} ... */
				e = strchr(re + i, '}');
				i = e != NULL ? (size_t)(e - re) : n;
			} else if (re[i + 1] != '\0')
				i++;
			break;
		case '[':
			i++;
			if (re[i] == '^')
				i++;
			if (re[i] == ']')
				i++;
			while (i < n && re[i] != ']') {
				if (re[i] == '\\' && re[i + 1] != '\0')
					i += 2;
				else if (re[i] == '[' && re[i + 1] == ':' &&
				    (e = strstr(re + i, ":]")) != NULL)
					i = (size_t)(e - re) + 2;
				else
					i++;
			}
			break;
		}
		/* re[i] ends an atom: a character, an escape, a class */
		if (i >= n)
			break;
		q = quantifier(re, i + 1, &repeats, &unbounded, &possessive);
		body[depth] |= unbounded;
		i += q;
	}
	return 0;
}

/* The column of byte off of a's regex: each '/' was written "\/". */
static unsigned
regex_col(const struct pat *a, size_t off)
{
	unsigned col = a->at.col + 1 + (unsigned)off;
	size_t k;

	for (k = 0; k < off; k++)
		if (a->text[k] == '/')
			col++;
	return col;
}

void
lint_regexes(struct policy *p, struct diags *d)
{
	struct source src = policy_source(p);
	size_t i, k, start, end;

	for (i = 0; i < p->nrules; i++) {
		struct rule *r = &p->rules[i];

		for (k = 0; k < r->natoms; k++) {
			const struct pat *a = r->atoms[k];
			struct loc at = a->at;
			char *shown;

			if (a->kind != PAT_RE ||
			    !nested_quantifier(a->text, &start, &end) ||
			    rule_allowed(r, "nested-quantifier"))
				continue;
			at.col = regex_col(a, start);
			at.width = regex_col(a, end) - at.col;
			shown = pat_atom_text(a);
			diag_add(d, DIAG_WARNING, "nested-quantifier", &src, &at,
			    r->name, "%s repeats a group that holds a repeat "
			    "itself: on a word that almost matches, PCRE2 tries "
			    "every way of splitting it among the repetitions, "
			    "exponentially many, and a command of such words "
			    "uses up the regex budget", shown);
			diag_add(d, DIAG_NOTE, NULL, &src, NULL, r->name, "fix: "
			    "make the inner quantifier possessive, as in (a++)+ "
			    "or [a-z]*+, or the group atomic, (?>...)");
			free(shown);
		}
	}
}
