#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "xmalloc.h"

const char *
diag_level_name(enum diag_level level)
{
	switch (level) {
	case DIAG_ERROR:	return "error";
	case DIAG_WARNING:	return "warning";
	case DIAG_NOTE:		return "note";
	}
	return "error";
}

/*
 * Copy line number `line' (1-based) of the source, escaped for display.
 * The search starts where the previous one of d ended, if that was
 * before this line of the same text.
 */
static char *
source_line(struct diags *d, const struct source *src, unsigned line)
{
	const char *p = src->text, *end = src->text + src->len, *nl;
	unsigned l = 1;
	size_t i, n;
	char *out;

	if (d->seen_text == src->text && d->seen_line <= line &&
	    d->seen_line > 0 && d->seen_off <= src->len) {
		p = src->text + d->seen_off;
		l = d->seen_line;
	}
	for (; l < line && p < end; l++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return NULL;
		p = nl + 1;
	}
	if (l != line || p > end)
		return NULL;
	d->seen_text = src->text;
	d->seen_line = line;
	d->seen_off = (size_t)(p - src->text);
	/* no further than what is shown: a line may be megabytes long */
	n = (size_t)(end - p) > 512 ? 512 : (size_t)(end - p);
	nl = memchr(p, '\n', n);
	if (nl != NULL)
		n = (size_t)(nl - p);
	/* One output byte per input byte keeps the caret in its column. */
	out = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		out[i] = (c == '\t' || (c >= 0x20 && c < 0x7f)) ? (char)c : '?';
	}
	out[n] = '\0';
	return out;
}

void
diag_add(struct diags *d, enum diag_level level, const char *name,
    const struct source *src, const struct loc *at, const char *rule,
    const char *fmt, ...)
{
	struct diag *g;
	va_list ap;
	char *msg = NULL;

	if (d->n >= DIAG_MAX) {
		if (level == DIAG_ERROR)
			d->nerr++;
		else if (level == DIAG_WARNING)
			d->nwarn++;
		if (d->n > DIAG_MAX)
			return;
		/* the first one not kept: say so, once */
		level = DIAG_NOTE;
		name = NULL;
		at = NULL;
		rule = NULL;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;

		d->v = xreallocarray(d->v, cap, sizeof(*d->v));
		d->cap = cap;
	}
	if (d->n == DIAG_MAX) {
		msg = xasprintf("too many diagnostics: the first %d are shown, "
		    "the others only counted", DIAG_MAX);
	} else {
		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			msg = NULL;
		va_end(ap);
	}
	g = &d->v[d->n++];
	memset(g, 0, sizeof(*g));
	g->level = level;
	g->msg = msg ? msg : xstrdup("(message lost: out of memory)");
	g->name = name ? xstrdup(name) : NULL;
	g->rule = rule ? xstrdup(rule) : NULL;
	g->file = xstrdup(src && src->file ? src->file : "-");
	if (at != NULL && at->line > 0) {
		g->line = at->line;
		g->col = at->col;
		g->width = at->width ? at->width : 1;
		if (src != NULL && src->text != NULL)
			g->src = source_line(d, src, at->line);
	}
	if (level == DIAG_ERROR)
		d->nerr++;
	else if (level == DIAG_WARNING)
		d->nwarn++;
}

void
diags_free(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].name);
		free(d->v[i].rule);
		free(d->v[i].msg);
		free(d->v[i].src);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

char *
diag_render(const struct diag *g)
{
	char *head, *out, *caret;
	size_t i, n;

	if (g->line > 0)
		head = xasprintf("%s:%u:%u: %s: %s%s%s%s", g->file, g->line,
		    g->col, diag_level_name(g->level), g->msg,
		    g->name ? " [" : "", g->name ? g->name : "",
		    g->name ? "]" : "");
	else
		head = xasprintf("%s: %s: %s%s%s%s", g->file,
		    diag_level_name(g->level), g->msg,
		    g->name ? " [" : "", g->name ? g->name : "",
		    g->name ? "]" : "");
	/* A column past the part of the line that is shown: no caret. */
	if (g->src == NULL || g->col == 0 || g->col - 1 > strlen(g->src)) {
		out = xasprintf("%s\n", head);
		free(head);
		return out;
	}
	/* Caret under the column; tabs in the line are kept for alignment. */
	n = g->col - 1 + g->width;
	if (n > strlen(g->src))	/* no tildes beyond the shown line */
		n = g->col - 1 + 1 > strlen(g->src) ? g->col : strlen(g->src);
	caret = xmalloc(n + 1);
	for (i = 0; i < g->col - 1; i++)
		caret[i] = (i < strlen(g->src) && g->src[i] == '\t') ? '\t' : ' ';
	caret[i++] = '^';
	for (; i < n; i++)
		caret[i] = '~';
	caret[n] = '\0';
	out = xasprintf("%s\n    %s\n    %s\n", head, g->src, caret);
	free(head);
	free(caret);
	return out;
}
