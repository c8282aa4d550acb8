/*
 * The tokenizer.  MUST:
 *  - decide on bytes before anything else: length first, then every byte
 *    must be printable ASCII (0x20..0x7e) whether quoted or not;
 *  - never expand anything: no variables, globs, tildes, braces;
 *  - refuse, rather than guess, wherever a POSIX shell would read the
 *    string differently from us (unquoted metacharacters, $ and ` in
 *    double quotes);
 *  - be pure: same input, same output, no I/O, no globals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "xmalloc.h"

/* Outside quotes these mean something to a shell; we refuse them. */
static const char unquoted_meta[] = "|&;<>()$`*?[]#~";

static int
is_meta(unsigned char c)
{
	return c != '\0' && strchr(unquoted_meta, c) != NULL;
}

static enum tok_status
fail(struct tok_error *e, enum tok_status s, size_t col, unsigned char byte)
{
	e->status = s;
	e->col = col;
	e->byte = byte;
	return s;
}

enum tok_status
argv_split(const char *cmd, size_t len, struct words *w, struct tok_error *e)
{
	char *out;
	size_t i, o, start, nwords = 0;
	int in_word = 0;
	enum tok_status st;

	memset(w, 0, sizeof(*w));
	memset(e, 0, sizeof(*e));
	if (cmd == NULL)
		return fail(e, TOK_NONE, 0, 0);
	if (len > SSHGATE_CMD_MAX)
		return fail(e, TOK_TOO_LONG, 0, 0);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)cmd[i];

		if (c < 0x20 || c > 0x7e)
			return fail(e, TOK_BAD_BYTE, i + 1, c);
	}

	/* Unquoting only shrinks, so len + 1 bytes hold every word. */
	out = xmalloc(len + 1);
	o = 0;
	i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)cmd[i];

		if (c == ' ') {
			if (in_word) {
				out[o++] = '\0';
				in_word = 0;
			}
			i++;
			continue;
		}
		if (!in_word) {
			if (++nwords > SSHGATE_WORDS_MAX) {
				st = fail(e, TOK_TOO_MANY, i + 1, 0);
				goto bad;
			}
			in_word = 1;
		}
		if (c == '\'') {
			start = i++;
			while (i < len && cmd[i] != '\'')
				out[o++] = cmd[i++];
			if (i == len) {
				st = fail(e, TOK_OPEN_SQUOTE, start + 1, 0);
				goto bad;
			}
			i++;
		} else if (c == '"') {
			start = i++;
			for (;;) {
				if (i == len) {
					st = fail(e, TOK_OPEN_DQUOTE, start + 1, 0);
					goto bad;
				}
				c = (unsigned char)cmd[i];
				if (c == '"')
					break;
				if (c == '\\' && i + 1 < len &&
				    strchr("\"\\$`", cmd[i + 1]) != NULL) {
					/* POSIX: only these four are escapes */
					out[o++] = cmd[i + 1];
					i += 2;
					continue;
				}
				if (c == '$' || c == '`') {
					st = fail(e, TOK_IN_DQUOTE, i + 1, c);
					goto bad;
				}
				out[o++] = (char)c;
				i++;
			}
			i++;
		} else if (c == '\\') {
			if (i + 1 == len) {
				st = fail(e, TOK_TRAILING_BACKSLASH, i + 1, c);
				goto bad;
			}
			out[o++] = cmd[i + 1];
			i += 2;
		} else if (is_meta(c)) {
			st = fail(e, TOK_UNQUOTED, i + 1, c);
			goto bad;
		} else {
			out[o++] = (char)c;
			i++;
		}
	}
	if (in_word)
		out[o++] = '\0';
	if (nwords == 0) {
		free(out);
		return fail(e, TOK_BLANK, 0, 0);
	}

	w->buf = out;
	w->n = nwords;
	w->v = xreallocarray(NULL, nwords + 1, sizeof(*w->v));
	for (i = 0, o = 0; i < nwords; i++) {
		w->v[i] = out + o;
		o += strlen(out + o) + 1;
	}
	w->v[nwords] = NULL;
	return TOK_OK;
bad:
	free(out);
	return st;
}

void
words_free(struct words *w)
{
	free(w->v);
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

const char *
tok_status_name(enum tok_status s)
{
	switch (s) {
	case TOK_OK:			return "ok";
	case TOK_NONE:			return "none";
	case TOK_BLANK:			return "blank";
	case TOK_TOO_LONG:		return "too-long";
	case TOK_TOO_MANY:		return "too-many-words";
	case TOK_BAD_BYTE:		return "bad-byte";
	case TOK_UNQUOTED:		return "unquoted";
	case TOK_IN_DQUOTE:		return "in-dquote";
	case TOK_OPEN_SQUOTE:		return "open-squote";
	case TOK_OPEN_DQUOTE:		return "open-dquote";
	case TOK_TRAILING_BACKSLASH:	return "trailing-backslash";
	}
	return "unknown";
}

void
tok_strerror(const struct tok_error *e, char *buf, size_t size)
{
	switch (e->status) {
	case TOK_OK:
		snprintf(buf, size, "no error");
		break;
	case TOK_NONE:
		snprintf(buf, size, "no command given (interactive login "
		    "is not allowed)");
		break;
	case TOK_BLANK:
		snprintf(buf, size, "empty command");
		break;
	case TOK_TOO_LONG:
		snprintf(buf, size, "command longer than %d bytes",
		    SSHGATE_CMD_MAX);
		break;
	case TOK_TOO_MANY:
		snprintf(buf, size, "more than %d words in the command",
		    SSHGATE_WORDS_MAX);
		break;
	case TOK_BAD_BYTE:
		snprintf(buf, size, "byte 0x%02x not allowed at column %zu",
		    e->byte, e->col);
		break;
	case TOK_UNQUOTED:
		snprintf(buf, size, "unquoted '%c' at column %zu",
		    e->byte, e->col);
		break;
	case TOK_IN_DQUOTE:
		snprintf(buf, size, "unescaped '%c' inside double quotes "
		    "at column %zu", e->byte, e->col);
		break;
	case TOK_OPEN_SQUOTE:
		snprintf(buf, size, "single quote at column %zu is never "
		    "closed", e->col);
		break;
	case TOK_OPEN_DQUOTE:
		snprintf(buf, size, "double quote at column %zu is never "
		    "closed", e->col);
		break;
	case TOK_TRAILING_BACKSLASH:
		snprintf(buf, size, "backslash at the end of the command "
		    "(column %zu)", e->col);
		break;
	}
}

/* Characters that need no quoting: neither space, quote nor meta. */
static int
is_plain(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '\'' && c != '"' && c != '\\' &&
	    !is_meta(c);
}

char *
argv_quote(const char *word)
{
	size_t i, n = strlen(word), o = 0;
	char *q;
	int plain = n > 0;

	for (i = 0; i < n && plain; i++)
		plain = is_plain((unsigned char)word[i]);
	if (plain)
		return xstrdup(word);
	/* Worst case every byte is ' which becomes '\'' (4 bytes). */
	q = xreallocarray(NULL, n + 1, 4);
	q[o++] = '\'';
	for (i = 0; i < n; i++) {
		if (word[i] == '\'') {
			memcpy(q + o, "'\\''", 4);
			o += 4;
		} else
			q[o++] = word[i];
	}
	q[o++] = '\'';
	q[o] = '\0';
	return q;
}

char *
argv_join(char *const *v, size_t n)
{
	size_t i, len = 0, o = 0;
	char **q = xreallocarray(NULL, n + 1, sizeof(*q));
	char *s;

	for (i = 0; i < n; i++) {
		q[i] = argv_quote(v[i]);
		len += strlen(q[i]) + 1;
	}
	s = xmalloc(len + 1);
	for (i = 0; i < n; i++) {
		size_t l = strlen(q[i]);

		if (i > 0)
			s[o++] = ' ';
		memcpy(s + o, q[i], l);
		o += l;
		free(q[i]);
	}
	s[o] = '\0';
	free(q);
	return s;
}
