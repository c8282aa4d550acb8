/*
 * Helpers shared by the table-driven unit tests (match.c, plan.c): read a
 * policy from the source tree, split a table row, expand a command.
 */
#ifndef SSHGATE_TEST_TABLES_H
#define SSHGATE_TEST_TABLES_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "policy.h"
#include "../tap.h"

/* Parse a policy file; any diagnostic is printed and is a failure. */
static inline struct policy *
table_policy(const char *path)
{
	struct diags d = { 0 };
	struct policy *p;
	char *text = NULL;
	size_t len = 0, cap = 0, i;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		tap_diag("cannot open %s", path);
		return NULL;
	}
	for (;;) {
		size_t n;

		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			text = realloc(text, cap);
			if (text == NULL)
				abort();
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	p = policy_parse(path, text, len, &d);
	for (i = 0; i < d.n; i++) {
		char *s = diag_render(&d.v[i]);

		printf("# %s", s);
		free(s);
	}
	if (p != NULL && d.n > 0) {
		policy_free(p);
		p = NULL;
	}
	diags_free(&d);
	free(text);
	return p;
}

/* Split a line on tabs in place; returns the number of fields. */
static inline int
table_fields(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	for (; *line != '\0' && n < max; line++)
		if (*line == '\t') {
			*line = '\0';
			f[n++] = line + 1;
		}
	return n;
}

/*
 * A command from a table: the escapes of tap_unescape(), and
 * "PREFIX@N:UNIT" or "PREFIX@N:UNIT@:SUFFIX" for PREFIX, then UNIT
 * repeated N times, then SUFFIX (each part unescaped).  Returns an
 * allocated string and its length.
 */
static inline char *
table_command(const char *in, size_t *lenp)
{
	const char *at = NULL, *p;
	char *out, *unit, *prefix, *suffix;
	size_t n = 0, plen, ulen, slen = 0, k, len;

	for (p = in; *p != '\0'; p++)
		if (p[0] == '@' && isdigit((unsigned char)p[1])) {
			const char *q = p + 1;

			while (isdigit((unsigned char)*q))
				q++;
			if (*q == ':') {
				at = p;
				n = strtoul(p + 1, NULL, 10);
				break;
			}
		}
	if (at == NULL) {
		out = malloc(strlen(in) + 1);
		if (out == NULL)
			abort();
		*lenp = tap_unescape(in, out);
		return out;
	}
	prefix = malloc(strlen(in) + 1);
	unit = malloc(strlen(in) + 1);
	if (prefix == NULL || unit == NULL)
		abort();
	memcpy(prefix, in, (size_t)(at - in));
	prefix[at - in] = '\0';
	plen = tap_unescape(prefix, prefix);
	strcpy(unit, strchr(at, ':') + 1);
	suffix = strstr(unit, "@:");
	if (suffix != NULL) {
		*suffix = '\0';
		suffix += 2;
		slen = tap_unescape(suffix, suffix);
	}
	ulen = tap_unescape(unit, unit);
	out = malloc(plen + n * ulen + slen + 1);
	if (out == NULL)
		abort();
	memcpy(out, prefix, plen);
	for (len = plen, k = 0; k < n; k++, len += ulen)
		memcpy(out + len, unit, ulen);
	if (suffix != NULL)
		memcpy(out + len, suffix, slen);
	len += slen;
	out[len] = '\0';
	free(prefix);
	free(unit);
	*lenp = len;
	return out;
}

/* "-" in a table means "none". */
static inline const char *
table_opt(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : s;
}

#endif
