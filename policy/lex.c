/*
 * The policy lexer.  MUST: report every bad byte with its line and column
 * and go on (all errors in one run); accept ASCII only outside comments;
 * never read past the end of the source.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "xmalloc.h"

#define ALLOW_MARK	"sshgate-lint: allow "

/*
 * Byte classes for the fast paths: a run of bytes that can neither end a
 * token nor be an error is taken at once.  None of these classes holds
 * '\n', so a run never changes the line and adds its length to the
 * column, exactly as advance() byte by byte would.
 */
enum {
	B_BLANK		= 1 << 0,	/* ' ' '\t' */
	B_COMMENT	= 1 << 1,	/* printable ASCII and tab */
	B_STRING	= 1 << 2,	/* printable ASCII but '"' '\\' */
	B_REGEX		= 1 << 3,	/* printable ASCII but '/' '\\' */
	B_WORD		= 1 << 4,	/* a word byte in a field */
	B_WORD_ARGS	= 1 << 5,	/* a word byte in args */
};

static unsigned char byte_class[256];

static void
classes_init(void)
{
	int c;

	if (byte_class[' '] != 0)
		return;
	for (c = 0; c < 256; c++) {
		unsigned char k = 0;

		if (c == ' ' || c == '\t')
			k |= B_BLANK;
		if ((c >= 0x20 && c < 0x7f) || c == '\t')
			k |= B_COMMENT;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			k |= B_STRING;
		if (c >= 0x20 && c < 0x7f && c != '/' && c != '\\')
			k |= B_REGEX;
		/* as is_word_byte() */
		if (c > 0x20 && c < 0x7f && c != '"' && c != '{' && c != '}') {
			k |= B_WORD;
			if (strchr("()|?*+/", c) == NULL)
				k |= B_WORD_ARGS;
		}
		byte_class[c] = k;
	}
}

/* Length of the run of bytes of class k at the current position. */
static size_t
run_of(const struct lexer *l, unsigned char k)
{
	const unsigned char *p = (const unsigned char *)l->src->text;
	size_t i = l->pos, n = l->src->len;

	while (i < n && (byte_class[p[i]] & k))
		i++;
	return i - l->pos;
}

/* Skip n bytes of a run (no newline among them). */
static void
skip_run(struct lexer *l, size_t n)
{
	l->pos += n;
	l->col += (unsigned)n;
}

void
lex_init(struct lexer *l, const struct source *src, struct diags *d)
{
	classes_init();
	memset(l, 0, sizeof(*l));
	l->src = src;
	l->d = d;
	l->line = 1;
	l->col = 1;
}

const char *
tk_name(enum tk t)
{
	switch (t) {
	case T_EOF:	return "end of file";
	case T_NL:	return "end of line";
	case T_WORD:	return "word";
	case T_STRING:	return "string";
	case T_REGEX:	return "regex";
	case T_LBRACE:	return "'{'";
	case T_RBRACE:	return "'}'";
	case T_LPAREN:	return "'('";
	case T_RPAREN:	return "')'";
	case T_BAR:	return "'|'";
	case T_QMARK:	return "'?'";
	case T_STAR:	return "'*'";
	case T_PLUS:	return "'+'";
	case T_BAD:	return "bad token";
	}
	return "token";
}

void
token_free(struct token *t)
{
	free(t->text);
	t->text = NULL;
}

static int
at_end(const struct lexer *l)
{
	return l->pos >= l->src->len;
}

static unsigned char
cur(const struct lexer *l)
{
	return at_end(l) ? '\0' : (unsigned char)l->src->text[l->pos];
}

static void
advance(struct lexer *l)
{
	if (at_end(l))
		return;
	if (l->src->text[l->pos] == '\n') {
		l->line++;
		l->col = 1;
	} else
		l->col++;
	l->pos++;
}

static struct loc
here(const struct lexer *l)
{
	struct loc at = { l->line, l->col, 1 };

	return at;
}

static void
lex_error(struct lexer *l, const struct loc *at, const char *msg,
    unsigned char c)
{
	if (c != '\0')
		diag_add(l->d, DIAG_ERROR, NULL, l->src, at, NULL,
		    "%s (byte 0x%02x)", msg, c);
	else
		diag_add(l->d, DIAG_ERROR, NULL, l->src, at, NULL, "%s", msg);
}

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_len(const unsigned char *p, size_t left)
{
	size_t n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A carriage return right before a newline: a file saved with CRLF line
 * ends (Windows).  One error for the file, at the first one, with the
 * fix; the others are read as plain line ends, so that the errors that
 * remain are real ones (not one per line).  The policy is still refused:
 * the gate takes the file as it is, byte for byte.
 */
static int
lex_crlf(struct lexer *l)
{
	const char *f = l->src->file, *name = "FILE";
	struct loc at;

	if (l->pos + 1 >= l->src->len || l->src->text[l->pos] != '\r' ||
	    l->src->text[l->pos + 1] != '\n')
		return 0;
	if (!l->crlf) {
		/* the real name when it can be pasted into a shell as is */
		if (f != NULL && f[0] != '\0' && f[0] != '-' &&
		    strlen(f) < 256 && strspn(f, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_./+-") == strlen(f))
			name = f;
		at = here(l);
		diag_add(l->d, DIAG_ERROR, NULL, l->src, &at, NULL, "a CRLF "
		    "(Windows) line end, the first in the file (the others "
		    "are not reported); convert the file with: "
		    "sed -i 's/\\r$//' %s (or dos2unix %s)", name, name);
		l->crlf = 1;
	}
	advance(l);
	return 1;
}

/* A comment runs to the end of the line; it may silence a warning. */
static void
lex_comment(struct lexer *l)
{
	struct loc at = here(l);
	size_t start = l->pos + 1, end;
	const char *s;

	while (!at_end(l) && cur(l) != '\n') {
		unsigned char c = cur(l);
		size_t n;

		if ((n = run_of(l, B_COMMENT)) > 0) {
			skip_run(l, n);
			continue;
		}
		if (c == '\r' && l->pos + 1 < l->src->len &&
		    l->src->text[l->pos + 1] == '\n')
			break;	/* lex_next() reports a CRLF line end */
		n = utf8_len((const unsigned char *)l->src->text +
		    l->pos, l->src->len - l->pos);

		if (c == '\0' || c == '\r' || n == 0) {
			struct loc bad = here(l);

			lex_error(l, &bad, c == '\r' ? "carriage return in "
			    "comment" : (c == '\0' ? "NUL byte in comment" :
			    "invalid UTF-8 in comment"), c);
			n = 1;
		}
		while (n-- > 0)
			advance(l);
	}
	end = l->pos;
	while (start < end && l->src->text[start] == ' ')
		start++;
	s = l->src->text + start;
	if (end - start > strlen(ALLOW_MARK) &&
	    memcmp(s, ALLOW_MARK, strlen(ALLOW_MARK)) == 0) {
		const char *p = s + strlen(ALLOW_MARK), *e = l->src->text + end;
		const char *colon = memchr(p, ':', (size_t)(e - p));
		struct lex_allow *a;

		l->allows = xreallocarray(l->allows, l->nallows + 1,
		    sizeof(*l->allows));
		a = &l->allows[l->nallows++];
		a->at = at;
		if (colon == NULL) {
			a->name = xstrndup(p, (size_t)(e - p));
			a->reason = xstrdup("");
		} else {
			const char *r = colon + 1;

			a->name = xstrndup(p, (size_t)(colon - p));
			while (r < e && *r == ' ')
				r++;
			a->reason = xstrndup(r, (size_t)(e - r));
		}
	}
}

static int
is_word_byte(unsigned char c, enum lexmode m)
{
	if (c <= 0x20 || c >= 0x7f || c == '"' || c == '{' || c == '}')
		return 0;
	if (m == LEX_ARGS && strchr("()|?*+/", c) != NULL)
		return 0;
	return 1;
}

/* Room in the token buffer *s (capacity *cap) for need bytes in all. */
static void
room(char **s, size_t *cap, size_t need)
{
	if (need <= *cap)
		return;
	*cap = *cap * 2 > need ? *cap * 2 : need;
	*s = xreallocarray(*s, *cap, 1);
}

static void
lex_string(struct lexer *l, struct token *t)
{
	size_t cap = 16, n = 0;
	char *s = xmalloc(cap);

	t->t = T_STRING;
	advance(l);	/* the opening quote */
	for (;;) {
		unsigned char c = cur(l);

		if (at_end(l) || c == '\n') {
			lex_error(l, &t->at, "string is never closed", 0);
			t->t = T_BAD;
			break;
		}
		if (c == '"') {
			advance(l);
			break;
		}
		if (byte_class[c] & B_STRING) {
			size_t k = run_of(l, B_STRING);

			room(&s, &cap, n + k + 2);
			memcpy(s + n, l->src->text + l->pos, k);
			n += k;
			skip_run(l, k);
			continue;
		}
		if (c == '\\') {
			struct loc at = here(l);

			advance(l);
			c = cur(l);
			if (c != '"' && c != '\\') {
				at.width = 2;
				diag_add(l->d, DIAG_ERROR, NULL, l->src, &at, NULL,
				    "unknown escape in string; only \\\" and "
				    "\\\\ are escapes");
				t->t = T_BAD;
				if (at_end(l) || c == '\n')
					continue;
			}
		} else if (c < 0x20 || c >= 0x7f) {
			struct loc at = here(l);

			lex_error(l, &at, c == '\t' ? "tab in string; write "
			    "spaces" : "byte not allowed in string", c);
			t->t = T_BAD;
		}
		room(&s, &cap, n + 2);
		s[n++] = (char)c;
		advance(l);
	}
	s[n] = '\0';
	t->text = s;
	t->at.width = l->line == t->at.line ? l->col - t->at.col : 1;
}

static void
lex_regex(struct lexer *l, struct token *t)
{
	size_t cap = 16, n = 0;
	char *s = xmalloc(cap);

	t->t = T_REGEX;
	advance(l);	/* the opening slash */
	for (;;) {
		unsigned char c = cur(l);

		if (at_end(l) || c == '\n') {
			lex_error(l, &t->at, "regex is never closed with '/'",
			    0);
			t->t = T_BAD;
			break;
		}
		if (c == '/') {
			advance(l);
			break;
		}
		if (byte_class[c] & B_REGEX) {
			size_t k = run_of(l, B_REGEX);

			room(&s, &cap, n + k + 3);
			memcpy(s + n, l->src->text + l->pos, k);
			n += k;
			skip_run(l, k);
			continue;
		}
		if (c < 0x20 || c >= 0x7f) {
			struct loc at = here(l);

			lex_error(l, &at, "byte not allowed in regex", c);
			t->t = T_BAD;
		}
		room(&s, &cap, n + 3);
		if (c == '\\' && l->pos + 1 < l->src->len &&
		    l->src->text[l->pos + 1] == '/') {
			advance(l);	/* \/ is a slash */
			c = '/';
		} else if (c == '\\') {
			s[n++] = '\\';
			advance(l);
			c = cur(l);
			if (at_end(l) || c == '\n')
				continue;
			if (c < 0x20 || c >= 0x7f) {	/* escaped, still a byte */
				struct loc at = here(l);

				lex_error(l, &at, "byte not allowed in regex", c);
				t->t = T_BAD;
			}
		}
		s[n++] = (char)c;
		advance(l);
	}
	s[n] = '\0';
	if (n == 0 && t->t == T_REGEX) {
		lex_error(l, &t->at, "empty regex", 0);
		t->t = T_BAD;
	}
	t->text = s;
	t->at.width = l->line == t->at.line ? l->col - t->at.col : 1;
}

void
lex_next(struct lexer *l, enum lexmode m, struct token *t)
{
	unsigned char c;

	memset(t, 0, sizeof(*t));
	for (;;) {
		c = cur(l);
		if (at_end(l)) {
			t->t = T_EOF;
			t->at = here(l);
			return;
		}
		if (c == ' ' || c == '\t') {
			skip_run(l, run_of(l, B_BLANK));
			continue;
		}
		if (c == '#') {
			lex_comment(l);
			continue;
		}
		if (c == '\r' && lex_crlf(l))
			continue;
		break;
	}
	t->at = here(l);
	switch (c) {
	case '\n':
		t->t = T_NL;
		advance(l);
		return;
	case '"':
		lex_string(l, t);
		return;
	case '{':
		t->t = T_LBRACE;
		advance(l);
		return;
	case '}':
		t->t = T_RBRACE;
		advance(l);
		return;
	}
	if (m == LEX_ARGS) {
		const char *ops = "()|?*+";
		static const enum tk optk[] = {
			T_LPAREN, T_RPAREN, T_BAR, T_QMARK, T_STAR, T_PLUS
		};
		/* strchr() would find the terminator for a NUL byte */
		const char *p = c != '\0' ? strchr(ops, c) : NULL;

		if (c == '/') {
			lex_regex(l, t);
			return;
		}
		if (p != NULL) {
			t->t = optk[p - ops];
			advance(l);
			return;
		}
	}
	if (is_word_byte(c, m)) {
		size_t start = l->pos;

		skip_run(l, run_of(l, m == LEX_ARGS ? B_WORD_ARGS : B_WORD));
		t->t = T_WORD;
		t->text = xstrndup(l->src->text + start, l->pos - start);
		t->at.width = (unsigned)(l->pos - start);
		return;
	}
	/* Anything else is one bad byte (or one bad UTF-8 sequence). */
	if (c == '\r')
		lex_error(l, &t->at, "carriage return not at the end of a "
		    "line", 0);
	else if (c >= 0x80)
		lex_error(l, &t->at, "non-ASCII byte outside a comment", c);
	else
		lex_error(l, &t->at, "byte not allowed here", c);
	t->t = T_BAD;
	if (c >= 0x80) {
		size_t n = utf8_len((const unsigned char *)l->src->text + l->pos,
		    l->src->len - l->pos);

		while (n-- > 1)
			advance(l);
	}
	advance(l);
}

void
lex_peek(struct lexer *l, enum lexmode m, struct token *t)
{
	struct lexer saved = *l;
	struct diags quiet = { 0 };

	/* Peeking must not report: the real read will. */
	l->d = &quiet;
	lex_next(l, m, t);
	diags_free(&quiet);
	/* Comments seen while peeking are recorded again by the real read. */
	while (l->nallows > saved.nallows) {
		l->nallows--;
		free(l->allows[l->nallows].name);
		free(l->allows[l->nallows].reason);
	}
	saved.allows = l->allows;
	*l = saved;
}
