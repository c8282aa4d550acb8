/*
 * The policy parser.  MUST:
 *  - collect every error with its place and go on; never stop at the first;
 *  - accept nothing it does not understand: unknown fields, duplicate
 *    fields and rules, bad names, relative paths are errors;
 *  - return NULL for a policy with any error, so that a caller cannot use
 *    half a policy (fail closed);
 *  - bound recursion (group nesting) so that no input exhausts the stack.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <cap-ng.h>
#include <pcre2.h>

#include "escape.h"
#include "lex.h"
#include "policy.h"
#include "similar.h"
#include "syscalls.h"
#include "warnings.h"
#include "xmalloc.h"

#define MAX_NESTING	32
#define MAX_TIMEOUT	(30u * 24 * 3600)

struct value {
	char		*text;
	struct loc	 at;
	int		 quoted;
};

struct values {
	struct value	*v;
	size_t		 n;
	struct loc	 key;	/* the field name */
};

struct parser {
	struct lexer	 lx;
	struct source	 src;
	struct diags	*d;
	struct policy	*p;
	struct token	 tok;
	int		 depth;
	const char	*rule;	/* name of the rule being parsed */
	size_t		 rules_cap, tests_cap;
	int		*names;	/* hash of rule names -> rule index + 1 */
	size_t		 names_cap;
	struct pat	**regexes;	/* hash of compiled regexes by text */
	size_t		 regexes_cap, nregexes;
	/* A part (policy_parse_part()): its tag and the common part. */
	const char	*part_tag;
	const struct policy *common;
};

/* FNV-1a; the table only speeds up the duplicate check. */
static size_t
name_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * Index of an earlier rule with this name, or -1; records the new rule.
 * A hash table keeps a 10,000-rule policy linear to parse.
 */
static int
name_seen(struct parser *ps, const struct rule *r)
{
	const struct rule *rules = ps->p->rules;
	size_t i, mask;

	if (2 * (size_t)(r->index + 1) > ps->names_cap) {
		size_t cap = ps->names_cap ? ps->names_cap * 2 : 64;
		int k;

		free(ps->names);
		ps->names = xcalloc(cap, sizeof(*ps->names));
		ps->names_cap = cap;
		for (k = 0; k < r->index; k++) {
			for (i = name_hash(rules[k].name) & (cap - 1);
			    ps->names[i] != 0; i = (i + 1) & (cap - 1))
				;
			ps->names[i] = k + 1;
		}
	}
	mask = ps->names_cap - 1;
	for (i = name_hash(r->name) & mask; ps->names[i] != 0;
	    i = (i + 1) & mask)
		if (strcmp(rules[ps->names[i] - 1].name, r->name) == 0)
			return ps->names[i] - 1;
	ps->names[i] = r->index + 1;
	return -1;
}

/*
 * Room for element n of an array that grows one element at a time: its
 * capacity is the next power of two, so that n appends cost O(log n)
 * reallocations, not n (a 10,000-rule policy has some 200,000 patterns,
 * states and values).
 */
static void *
grow(void *v, size_t n, size_t size)
{
	if (n == 0 || (n & (n - 1)) == 0)
		return xreallocarray(v, n ? 2 * n : 1, size);
	return v;
}

static void
next(struct parser *ps, enum lexmode m)
{
	token_free(&ps->tok);
	lex_next(&ps->lx, m, &ps->tok);
}

#define ERR(ps, at, ...) \
	diag_add((ps)->d, DIAG_ERROR, NULL, &(ps)->src, (at), (ps)->rule, \
	    __VA_ARGS__)
/* A lint-only finding: the gate reads past it (allow comments). */
#define WARN(ps, at, name, ...) \
	diag_add((ps)->d, DIAG_WARNING, (name), &(ps)->src, (at), (ps)->rule, \
	    __VA_ARGS__)
#define NOTE(ps, at, ...) \
	diag_add((ps)->d, DIAG_NOTE, NULL, &(ps)->src, (at), (ps)->rule, \
	    __VA_ARGS__)

/*
 * "; did you mean 'NAME'?" for the known name closest to what was written
 * (policy/similar.c), or "" when none is close: the end of an "unknown
 * ..." message.  The names come from the parser's own tables.
 */
static const char *
hint(char *buf, size_t size, const char *prefix, const struct similar *s)
{
	const char *best = similar_best(s);

	if (best == NULL)
		return "";
	(void)snprintf(buf, size, "; did you mean '%s%s'?", prefix, best);
	return buf;
}

/* Skip the rest of the line after an error; the current token is NL/EOF. */
static void
skip_line(struct parser *ps)
{
	while (ps->tok.t != T_NL && ps->tok.t != T_EOF)
		next(ps, LEX_FIELD);
}

/*
 * After a rule header the parser cannot use: skip the rule's body, up to
 * the '}' that ends it or a line that starts the next rule, so that its
 * fields are not reported again as misplaced at the top level.
 */
static void
skip_rule(struct parser *ps)
{
	int line_start = 0;

	for (;;) {
		if (ps->tok.t == T_EOF)
			return;
		if (line_start && ps->tok.t == T_WORD &&
		    strcmp(ps->tok.text, "rule") == 0)
			return;
		if (ps->tok.t == T_RBRACE) {
			next(ps, LEX_FIELD);
			skip_line(ps);
			return;
		}
		line_start = ps->tok.t == T_NL;
		next(ps, LEX_FIELD);
	}
}

static void
values_free(struct values *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		free(vs->v[i].text);
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

/*
 * Read a field's values up to the end of the line.  The current token is
 * the field name.  Returns 0 and leaves the NL/EOF as current token.
 */
static int
read_values(struct parser *ps, struct values *vs)
{
	int ok = 1;

	memset(vs, 0, sizeof(*vs));
	vs->key = ps->tok.at;
	for (;;) {
		next(ps, LEX_FIELD);
		if (ps->tok.t == T_NL || ps->tok.t == T_EOF)
			break;
		if (ps->tok.t == T_WORD || ps->tok.t == T_STRING) {
			struct value *v;

			vs->v = grow(vs->v, vs->n, sizeof(*vs->v));
			v = &vs->v[vs->n++];
			v->text = ps->tok.text;
			v->at = ps->tok.at;
			v->quoted = ps->tok.t == T_STRING;
			ps->tok.text = NULL;
			continue;
		}
		if (ps->tok.t != T_BAD)
			ERR(ps, &ps->tok.at, "unexpected %s; a field ends at the "
			    "end of its line", tk_name(ps->tok.t));
		ok = 0;
		skip_line(ps);
		break;
	}
	return ok;
}

static char **
values_strings(const struct values *vs, size_t from, size_t *n)
{
	char **s = xreallocarray(NULL, vs->n - from + 1, sizeof(*s));
	size_t i;

	for (i = from; i < vs->n; i++)
		s[i - from] = xstrdup(vs->v[i].text);
	s[vs->n - from] = NULL;
	*n = vs->n - from;
	return s;
}

static int
valid_name(const char *s, size_t max, const char *extra)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr(extra, s[i]) == NULL)
			return 0;
	return 1;
}

/* A tag: in a rule's "tag" field, and as the gate's argument. */
int
valid_tag(const char *s)
{
	return valid_name(s, SSHGATE_TAG_MAX, "_.-") && s[0] != '-';
}

int
valid_env_name(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return i <= 128;
}

/* Absolute, normalised: no "//", no "." or ".." component, no trailing /. */
static const char *
path_problem(const char *path)
{
	const char *p;

	if (path[0] != '/')
		return "is not an absolute path";
	if (strlen(path) > 4095)
		return "is too long";
	if (strcmp(path, "/") == 0)
		return NULL;
	if (path[strlen(path) - 1] == '/')
		return "ends with '/'";
	for (p = path; *p != '\0'; ) {
		const char *e;
		size_t n;

		p++;		/* past '/' */
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0)
			return "contains \"//\"";
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' &&
		    p[1] == '.'))
			return "contains a \".\" or \"..\" component";
		p += n;
	}
	return NULL;
}

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

int
cidr_parse(const char *s, struct cidr *c)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long prefix;
	unsigned max, i;

	memset(c, 0, sizeof(*c));
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else
		return -1;
	c->prefix = max;
	if (slash != NULL) {
		if (!isdigit((unsigned char)*slash))
			return -1;
		errno = 0;
		prefix = strtoul(slash, &end, 10);
		if (errno != 0 || *end != '\0' || prefix > max ||
		    (slash[0] == '0' && slash[1] != '\0'))
			return -1;
		c->prefix = (unsigned)prefix;
	}
	/* Host bits must be zero: "10.0.0.1/8" is a typo, not a network. */
	for (i = c->prefix; i < max; i++)
		if (c->addr[i / 8] & (0x80 >> (i % 8)))
			return -2;
	/*
	 * ::ffff:a.b.c.d is the IPv4 client a.b.c.d, and the matcher sees
	 * such a client as IPv4: store the network the same way, or it
	 * could never admit anyone.
	 */
	if (c->family == AF_INET6 && c->prefix >= 96 &&
	    memcmp(c->addr, v4mapped, sizeof(v4mapped)) == 0) {
		memmove(c->addr, c->addr + 12, 4);
		memset(c->addr + 4, 0, 12);
		c->family = AF_INET;
		c->prefix -= 96;
	}
	return 0;
}

/* ---- patterns ---------------------------------------------------------- */

static struct pat *
pat_new(enum pat_kind kind, const struct loc *at)
{
	struct pat *p = xcalloc(1, sizeof(*p));

	p->kind = kind;
	p->at = *at;
	p->atom = -1;
	return p;
}

static void
pat_add(struct pat *p, struct pat *kid)
{
	p->kids = grow(p->kids, p->nkids, sizeof(*p->kids));
	p->kids[p->nkids++] = kid;
}

static void
pat_free(struct pat *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nkids; i++)
		pat_free(p->kids[i]);
	free(p->kids);
	free(p->text);
	if (p->re != NULL)
		pcre2_code_free(p->re);
	free(p);
}

static int
continues_pattern(enum tk t)
{
	return t == T_STRING || t == T_REGEX || t == T_LPAREN ||
	    t == T_RPAREN || t == T_BAR || t == T_NL;
}

/* An args pattern may go on over lines that begin with pattern tokens. */
static void
skip_continuation(struct parser *ps)
{
	struct token peek;

	while (ps->tok.t == T_NL) {
		lex_peek(&ps->lx, LEX_ARGS, &peek);
		if (!continues_pattern(peek.t)) {
			token_free(&peek);
			return;
		}
		token_free(&peek);
		next(ps, LEX_ARGS);
	}
}

static struct pat *parse_alt(struct parser *ps, struct rule *r);

static struct pat *
parse_item(struct parser *ps, struct rule *r)
{
	struct pat *a = NULL, *q;
	struct loc open;

	switch (ps->tok.t) {
	case T_STRING:
	case T_REGEX:
		a = pat_new(ps->tok.t == T_STRING ? PAT_LIT : PAT_RE,
		    &ps->tok.at);
		a->text = ps->tok.text;
		ps->tok.text = NULL;
		a->atom = (int)r->natoms;
		r->atoms = grow(r->atoms, r->natoms, sizeof(*r->atoms));
		r->atoms[r->natoms++] = a;
		next(ps, LEX_ARGS);
		break;
	case T_LPAREN:
		open = ps->tok.at;
		if (++ps->depth > MAX_NESTING) {
			ERR(ps, &open, "groups nested deeper than %d",
			    MAX_NESTING);
			ps->depth--;
			return NULL;
		}
		next(ps, LEX_ARGS);
		skip_continuation(ps);
		a = parse_alt(ps, r);
		ps->depth--;
		if (a == NULL)
			return NULL;
		skip_continuation(ps);
		if (ps->tok.t != T_RPAREN) {
			ERR(ps, &open, "group is never closed with ')'");
			pat_free(a);
			return NULL;
		}
		next(ps, LEX_ARGS);
		break;
	default:
		return NULL;
	}
	switch (ps->tok.t) {
	case T_QMARK:
		q = pat_new(PAT_OPT, &ps->tok.at);
		break;
	case T_STAR:
		q = pat_new(PAT_STAR, &ps->tok.at);
		break;
	case T_PLUS:
		q = pat_new(PAT_PLUS, &ps->tok.at);
		break;
	default:
		return a;
	}
	pat_add(q, a);
	next(ps, LEX_ARGS);
	if (ps->tok.t == T_QMARK || ps->tok.t == T_STAR ||
	    ps->tok.t == T_PLUS) {
		ERR(ps, &ps->tok.at, "two quantifiers in a row; group the "
		    "first in ( ) if you mean it");
		pat_free(q);
		return NULL;
	}
	return q;
}

static struct pat *
parse_seq(struct parser *ps, struct rule *r)
{
	struct pat *seq = NULL, *it;
	struct loc at = ps->tok.at;

	for (;;) {
		skip_continuation(ps);
		if (ps->tok.t == T_WORD) {
			ERR(ps, &ps->tok.at, "bare word '%s' in args: write "
			    "\"%s\" for a literal or /.../ for a regex",
			    ps->tok.text, ps->tok.text);
			goto bad;
		}
		if (ps->tok.t == T_QMARK || ps->tok.t == T_STAR ||
		    ps->tok.t == T_PLUS) {
			ERR(ps, &ps->tok.at, "%s has nothing before it to "
			    "repeat", tk_name(ps->tok.t));
			goto bad;
		}
		if (ps->tok.t == T_BAD)
			goto bad;
		if (ps->tok.t != T_STRING && ps->tok.t != T_REGEX &&
		    ps->tok.t != T_LPAREN)
			break;
		it = parse_item(ps, r);
		if (it == NULL)
			goto bad;
		if (seq == NULL)
			seq = pat_new(PAT_SEQ, &at);
		pat_add(seq, it);
	}
	if (seq == NULL)
		ERR(ps, &ps->tok.at, "expected a pattern (\"literal\", /regex/ "
		    "or a group), found %s", tk_name(ps->tok.t));
	return seq;
bad:
	pat_free(seq);
	return NULL;
}

static struct pat *
parse_alt(struct parser *ps, struct rule *r)
{
	struct pat *s, *alt;

	s = parse_seq(ps, r);
	if (s == NULL)
		return NULL;
	skip_continuation(ps);
	if (ps->tok.t != T_BAR)
		return s;
	alt = pat_new(PAT_ALT, &s->at);
	pat_add(alt, s);
	while (ps->tok.t == T_BAR) {
		next(ps, LEX_ARGS);
		s = parse_seq(ps, r);
		if (s == NULL) {
			pat_free(alt);
			return NULL;
		}
		pat_add(alt, s);
		skip_continuation(ps);
	}
	return alt;
}

/*
 * An atom whose regex was compiled before, with the same text (and so the
 * same flags), or NULL; records a new one.  A policy of per-key rules
 * repeats its option patterns in every rule: each distinct regex is
 * compiled once, and the others get a copy of its code (which matches
 * exactly as a compilation of their own would).  Only compiled regexes
 * are recorded: a regex that does not compile is compiled, and reported,
 * at every place it is written.
 */
static struct pat *
regex_seen(struct parser *ps, struct pat *a, int record)
{
	size_t i, mask;

	if (record && 2 * (ps->nregexes + 1) > ps->regexes_cap) {
		size_t cap = ps->regexes_cap ? ps->regexes_cap * 2 : 64, k;
		struct pat **old = ps->regexes;

		ps->regexes = xcalloc(cap, sizeof(*ps->regexes));
		for (k = 0; k < ps->regexes_cap; k++) {
			if (old[k] == NULL)
				continue;
			for (i = name_hash(old[k]->text) & (cap - 1);
			    ps->regexes[i] != NULL; i = (i + 1) & (cap - 1))
				;
			ps->regexes[i] = old[k];
		}
		free(old);
		ps->regexes_cap = cap;
	}
	if (ps->regexes_cap == 0)
		return NULL;
	mask = ps->regexes_cap - 1;
	for (i = name_hash(a->text) & mask; ps->regexes[i] != NULL;
	    i = (i + 1) & mask)
		if (strcmp(ps->regexes[i]->text, a->text) == 0)
			return ps->regexes[i];
	if (record) {
		ps->regexes[i] = a;
		ps->nregexes++;
	}
	return NULL;
}

static void
compile_regexes(struct parser *ps, struct rule *r)
{
	size_t i;

	for (i = 0; i < r->natoms; i++) {
		struct pat *a = r->atoms[i], *same;
		int err;
		PCRE2_SIZE off;

		if (a->kind != PAT_RE)
			continue;
		if ((same = regex_seen(ps, a, 0)) != NULL) {
			a->re = pcre2_code_copy(same->re);
			if (a->re == NULL)
				xfatal_hook("pcre2_code_copy");
			continue;
		}
		/*
		 * Whole-argument match; no UTF or UCP (arguments are ASCII);
		 * no \C; parentheses do not capture (nothing reads them).
		 */
		a->re = pcre2_compile((PCRE2_SPTR)a->text, PCRE2_ZERO_TERMINATED,
		    PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOLLAR_ENDONLY |
		    PCRE2_NEVER_UTF | PCRE2_NEVER_UCP | PCRE2_NEVER_BACKSLASH_C |
		    PCRE2_NO_AUTO_CAPTURE, &err, &off, NULL);
		if (a->re != NULL) {
			regex_seen(ps, a, 1);
		} else {
			PCRE2_UCHAR msg[256];
			struct loc at = a->at;
			size_t k;

			if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
				strcpy((char *)msg, "unknown PCRE2 error");
			/*
			 * off counts bytes of the regex as PCRE2 saw it; each
			 * '/' in it was written "\/", one column more.
			 */
			at.col += (unsigned)off + 1;
			for (k = 0; k < off && a->text[k] != '\0'; k++)
				if (a->text[k] == '/')
					at.col++;
			at.width = 1;
			ERR(ps, &at, "regex: %s", (char *)msg);
		}
	}
}

/* Thompson construction, built back to front: build(p, next) -> start. */
static int
nfa_emit(struct nfa *n, enum nfa_op op, int atom, int x, int y)
{
	n->s = grow(n->s, n->n, sizeof(*n->s));
	n->s[n->n].op = op;
	n->s[n->n].atom = atom;
	n->s[n->n].x = x;
	n->s[n->n].y = y;
	return (int)n->n++;
}

static int
nfa_build(struct nfa *n, const struct pat *p, int next)
{
	int i, s, split;

	switch (p->kind) {
	case PAT_LIT:
	case PAT_RE:
		return nfa_emit(n, NFA_ATOM, p->atom, next, -1);
	case PAT_SEQ:
		for (i = (int)p->nkids - 1; i >= 0; i--)
			next = nfa_build(n, p->kids[i], next);
		return next;
	case PAT_ALT:
		s = nfa_build(n, p->kids[p->nkids - 1], next);
		for (i = (int)p->nkids - 2; i >= 0; i--)
			s = nfa_emit(n, NFA_SPLIT, -1,
			    nfa_build(n, p->kids[i], next), s);
		return s;
	case PAT_OPT:
		return nfa_emit(n, NFA_SPLIT, -1,
		    nfa_build(n, p->kids[0], next), next);
	case PAT_STAR:
		split = nfa_emit(n, NFA_SPLIT, -1, -1, next);
		/* nfa_build may move n->s: never hold an address across it */
		s = nfa_build(n, p->kids[0], split);
		n->s[split].x = s;
		return split;
	case PAT_PLUS:
		split = nfa_emit(n, NFA_SPLIT, -1, -1, next);
		s = nfa_build(n, p->kids[0], split);
		n->s[split].x = s;
		return s;
	}
	return next;
}

/* Can the pattern match no word at all? */
static int
pat_nullable(const struct pat *p)
{
	size_t i;

	switch (p->kind) {
	case PAT_LIT:
	case PAT_RE:
		return 0;
	case PAT_SEQ:
		for (i = 0; i < p->nkids; i++)
			if (!pat_nullable(p->kids[i]))
				return 0;
		return 1;
	case PAT_ALT:
		for (i = 0; i < p->nkids; i++)
			if (pat_nullable(p->kids[i]))
				return 1;
		return 0;
	case PAT_OPT:
	case PAT_STAR:
		return 1;
	case PAT_PLUS:
		return pat_nullable(p->kids[0]);
	}
	return 1;
}

/* ---- fields ------------------------------------------------------------ */

static int
once(struct parser *ps, struct loc *seen, const struct values *vs,
    const char *field)
{
	if (seen->line != 0) {
		ERR(ps, &vs->key, "'%s' given twice in one rule", field);
		NOTE(ps, seen, "first given here");
		return 0;
	}
	*seen = vs->key;
	return 1;
}

static int
want_values(struct parser *ps, const struct values *vs, const char *field,
    size_t min, size_t max)
{
	if (vs->n < min) {
		ERR(ps, &vs->key, "'%s' needs %s", field, min == 1 ?
		    "a value" : "more values");
		return 0;
	}
	if (vs->n > max) {
		ERR(ps, &vs->v[max].at, "'%s' takes %zu value%s", field, max,
		    max == 1 ? "" : "s");
		return 0;
	}
	return 1;
}

static void
field_from(struct parser *ps, struct rule *r, struct values *vs)
{
	size_t i;

	if (!want_values(ps, vs, "from", 1, 256))
		return;
	if (r->loc.from.line == 0)
		r->loc.from = vs->key;
	for (i = 0; i < vs->n; i++) {
		struct cidr c;
		int rc = cidr_parse(vs->v[i].text, &c);

		if (rc == -2) {
			ERR(ps, &vs->v[i].at, "'%s' has host bits set beyond "
			    "the prefix", vs->v[i].text);
			continue;
		}
		if (rc != 0) {
			ERR(ps, &vs->v[i].at, "'%s' is not an IPv4 or IPv6 "
			    "address or network", vs->v[i].text);
			continue;
		}
		r->from = grow(r->from, r->nfrom, sizeof(*r->from));
		r->from_text = grow(r->from_text, r->nfrom,
		    sizeof(*r->from_text));
		r->from[r->nfrom] = c;
		r->from_text[r->nfrom++] = xstrdup(vs->v[i].text);
	}
}

static void
field_tag(struct parser *ps, struct rule *r, struct values *vs)
{
	size_t i;

	if (!want_values(ps, vs, "tag", 1, 256))
		return;
	if (r->loc.tag.line == 0)
		r->loc.tag = vs->key;
	for (i = 0; i < vs->n; i++) {
		if (!valid_tag(vs->v[i].text)) {
			ERR(ps, &vs->v[i].at, "tag '%s': use letters, digits, "
			    "'_', '.', '-' (not first), at most %d",
			    vs->v[i].text, SSHGATE_TAG_MAX);
			continue;
		}
		r->tags = grow(r->tags, r->ntags, sizeof(*r->tags));
		r->tags[r->ntags++] = xstrdup(vs->v[i].text);
	}
}

static void
field_drop(struct parser *ps, struct rule *r, struct values *vs)
{
	if (!once(ps, &r->loc.drop, vs, "drop") ||
	    !want_values(ps, vs, "drop", 1, 16))
		return;
	r->drop = values_strings(vs, 0, &r->ndrop);
}

static void
field_run(struct parser *ps, struct rule *r, struct values *vs)
{
	const char *why;

	if (!once(ps, &r->loc.run, vs, "run") ||
	    !want_values(ps, vs, "run", 1, 64))
		return;
	if ((why = path_problem(vs->v[0].text)) != NULL) {
		ERR(ps, &vs->v[0].at, "program '%s' %s", vs->v[0].text, why);
		return;
	}
	r->run = values_strings(vs, 0, &r->nrun);
}

static void
field_deny(struct parser *ps, struct rule *r, struct values *vs)
{
	size_t i;

	if (!once(ps, &r->loc.deny, vs, "deny") ||
	    !want_values(ps, vs, "deny", 1, 1))
		return;
	if (!vs->v[0].quoted) {
		ERR(ps, &vs->v[0].at, "the deny message must be a \"string\"");
		return;
	}
	i = strlen(vs->v[0].text);
	if (i == 0 || i > 400) {
		ERR(ps, &vs->v[0].at, "the deny message must be 1 to 400 "
		    "characters");
		return;
	}
	r->deny = xstrdup(vs->v[0].text);
}

static void
field_as(struct parser *ps, struct rule *r, struct values *vs)
{
	char *colon, *u;

	if (!once(ps, &r->loc.as, vs, "as") || !want_values(ps, vs, "as", 1, 1))
		return;
	u = xstrdup(vs->v[0].text);
	colon = strchr(u, ':');
	if (colon != NULL)
		*colon++ = '\0';
	if (!valid_name(u, 32, "_.-") || u[0] == '-' || (colon != NULL &&
	    (!valid_name(colon, 32, "_.-") || colon[0] == '-'))) {
		ERR(ps, &vs->v[0].at, "'%s' is not USER or USER:GROUP",
		    vs->v[0].text);
		free(u);
		return;
	}
	r->user = u;
	r->group = colon ? xstrdup(colon) : NULL;
}

int
cap_from_name(const char *name)
{
	char buf[64];
	size_t i;

	if (strncasecmp(name, "cap_", 4) == 0)
		name += 4;
	if (strlen(name) >= sizeof(buf) || name[0] == '\0')
		return -1;
	for (i = 0; name[i] != '\0'; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return -1;
		buf[i] = (char)tolower((unsigned char)name[i]);
	}
	buf[i] = '\0';
	return capng_name_to_capability(buf);
}

const char *
cap_to_name(int cap)
{
	return capng_capability_to_name((unsigned)cap);
}

static void
field_caps(struct parser *ps, struct rule *r, struct values *vs)
{
	size_t i;

	if (!once(ps, &r->loc.caps, vs, "caps") ||
	    !want_values(ps, vs, "caps", 1, 64))
		return;
	r->caps_set = 1;
	if (strcmp(vs->v[0].text, "none") == 0) {
		if (vs->n > 1)
			ERR(ps, &vs->v[1].at, "'caps none' stands alone");
		return;
	}
	for (i = 0; i < vs->n; i++) {
		int c = cap_from_name(vs->v[i].text);

		if (c < 0 || c > 63) {
			const char *t = vs->v[i].text, *n;
			struct similar sim;
			char buf[96];
			int k;

			similar_init(&sim, strncasecmp(t, "cap_", 4) == 0 ?
			    t + 4 : t);
			for (k = 0; k <= 63 && (n = cap_to_name(k)) != NULL; k++)
				similar_try(&sim, n);
			ERR(ps, &vs->v[i].at, "unknown capability '%s'%s", t,
			    hint(buf, sizeof(buf), "", &sim));
			continue;
		}
		r->caps |= (uint64_t)1 << c;
	}
}

static void
field_seccomp(struct parser *ps, struct rule *r, struct values *vs)
{
	size_t i;
	unsigned set = 0;

	if (!once(ps, &r->loc.seccomp, vs, "seccomp") ||
	    !want_values(ps, vs, "seccomp", 1, 64))
		return;
	if (strcmp(vs->v[0].text, "none") == 0) {
		if (vs->n > 1)
			ERR(ps, &vs->v[1].at, "'seccomp none' stands alone");
		r->seccomp_off = 1;
		r->seccomp = 0;
		return;
	}
	for (i = 0; i < vs->n; i++) {
		const char *t = vs->v[i].text;
		const struct sc_group *g;
		int minus = t[0] == '-';

		if (strcmp(t, "strict") == 0) {
			set |= SC_STRICT;
			continue;
		}
		if (strcmp(t, "default") == 0) {
			set |= SC_DEFAULT;
			continue;
		}
		g = sc_group_by_name(t + minus);
		if (g == NULL) {
			struct similar sim;
			char buf[96];

			similar_init(&sim, t + minus);
			if (!minus) {
				similar_try(&sim, "strict");
				similar_try(&sim, "default");
				similar_try(&sim, "none");
			}
			for (g = sc_groups; g->name != NULL; g++)
				similar_try(&sim, g->name);
			ERR(ps, &vs->v[i].at, "unknown seccomp profile or group "
			    "'%s'%s (profiles: strict, default, none; groups "
			    "start with '@', '-@group' removes one)", t,
			    hint(buf, sizeof(buf), minus ? "-" : "", &sim));
			continue;
		}
		if (minus)
			set &= ~g->bit;
		else
			set |= g->bit;
	}
	r->seccomp = set;
}

static void
field_write(struct parser *ps, struct rule *r, struct values *vs)
{
	size_t i;
	const char *why;

	if (!want_values(ps, vs, "write", 1, 64))
		return;
	if (r->loc.write.line == 0)
		r->loc.write = vs->key;
	for (i = 0; i < vs->n; i++) {
		if ((why = path_problem(vs->v[i].text)) != NULL) {
			ERR(ps, &vs->v[i].at, "writable path '%s' %s",
			    vs->v[i].text, why);
			continue;
		}
		r->write = grow(r->write, r->nwrite, sizeof(*r->write));
		r->write[r->nwrite++] = xstrdup(vs->v[i].text);
	}
}

static void
field_exec(struct parser *ps, struct rule *r, struct values *vs)
{
	size_t i;
	const char *why;

	if (!want_values(ps, vs, "exec", 1, 64))
		return;
	if (r->loc.exec.line == 0)
		r->loc.exec = vs->key;
	for (i = 0; i < vs->n; i++) {
		if ((why = path_problem(vs->v[i].text)) != NULL) {
			ERR(ps, &vs->v[i].at, "exec path '%s' %s",
			    vs->v[i].text, why);
			continue;
		}
		r->exec = grow(r->exec, r->nexec, sizeof(*r->exec));
		r->exec_at = grow(r->exec_at, r->nexec, sizeof(*r->exec_at));
		r->exec_at[r->nexec] = vs->v[i].at;
		r->exec[r->nexec++] = xstrdup(vs->v[i].text);
	}
}

static void
field_read(struct parser *ps, struct rule *r, struct values *vs)
{
	size_t i;
	const char *why;

	if (!want_values(ps, vs, "read", 1, 64))
		return;
	if (r->loc.read.line == 0)
		r->loc.read = vs->key;
	for (i = 0; i < vs->n; i++) {
		if ((why = path_problem(vs->v[i].text)) != NULL) {
			ERR(ps, &vs->v[i].at, "readable path '%s' %s",
			    vs->v[i].text, why);
			continue;
		}
		r->read = grow(r->read, r->nread, sizeof(*r->read));
		r->read_at = grow(r->read_at, r->nread, sizeof(*r->read_at));
		r->read_at[r->nread] = vs->v[i].at;
		r->read[r->nread++] = xstrdup(vs->v[i].text);
	}
}

static void
field_landlock(struct parser *ps, struct rule *r, struct values *vs)
{
	if (!once(ps, &r->loc.landlock, vs, "landlock") ||
	    !want_values(ps, vs, "landlock", 1, 1))
		return;
	if (strcmp(vs->v[0].text, "require") == 0)
		r->landlock = LANDLOCK_REQUIRE;
	else if (strcmp(vs->v[0].text, "best-effort") == 0)
		r->landlock = LANDLOCK_BEST_EFFORT;
	else
		ERR(ps, &vs->v[0].at, "landlock is 'require' or 'best-effort'");
}

static void
field_cgroup(struct parser *ps, struct rule *r, struct values *vs)
{
	if (!once(ps, &r->loc.cgroup, vs, "cgroup") ||
	    !want_values(ps, vs, "cgroup", 1, 1))
		return;
	if (strcmp(vs->v[0].text, "require") == 0)
		r->cgroup = CGROUP_REQUIRE;
	else if (strcmp(vs->v[0].text, "best-effort") == 0)
		r->cgroup = CGROUP_BEST_EFFORT;
	else
		ERR(ps, &vs->v[0].at, "cgroup is 'require' or 'best-effort'");
}

/* The run's cgroup limits: processes and threads, and memory. */
static void
field_pids(struct parser *ps, struct rule *r, struct values *vs)
{
	const char *t;
	char *end;
	unsigned long n;

	if (!once(ps, &r->loc.pids, vs, "pids") ||
	    !want_values(ps, vs, "pids", 1, 1))
		return;
	t = vs->v[0].text;
	errno = 0;
	n = isdigit((unsigned char)t[0]) ? strtoul(t, &end, 10) : 0;
	if (errno != 0 || n == 0 || n > PIDS_MAX || *end != '\0') {
		ERR(ps, &vs->v[0].at, "pids is a number of processes and "
		    "threads from 1 to %d (the default is %d)", PIDS_MAX,
		    PIDS_DEFAULT);
		return;
	}
	r->pids = (unsigned)n;
}

static void
field_memory(struct parser *ps, struct rule *r, struct values *vs)
{
	const char *t;
	char *end;
	unsigned long long n;
	int shift;

	if (!once(ps, &r->loc.memory, vs, "memory") ||
	    !want_values(ps, vs, "memory", 1, 1))
		return;
	t = vs->v[0].text;
	errno = 0;
	n = isdigit((unsigned char)t[0]) ? strtoull(t, &end, 10) : 0;
	shift = errno != 0 || n == 0 ? -1 : *end == 'M' ? 20 :
	    *end == 'G' ? 30 : *end == 'T' ? 40 : -1;
	if (shift < 0 || end[1] != '\0' || n > (1ULL << 50) >> shift) {
		ERR(ps, &vs->v[0].at, "memory is a size in mebibytes, "
		    "gibibytes or tebibytes: '512M', '2G', '1T' (at most 1024T)");
		return;
	}
	r->memory = n << shift;
}

static void
field_timeout(struct parser *ps, struct rule *r, struct values *vs)
{
	const char *t;
	char *end;
	unsigned long n, mult = 1;

	if (!once(ps, &r->loc.timeout, vs, "timeout") ||
	    !want_values(ps, vs, "timeout", 1, 1))
		return;
	t = vs->v[0].text;
	errno = 0;
	n = isdigit((unsigned char)t[0]) ? strtoul(t, &end, 10) : 0;
	if (!isdigit((unsigned char)t[0]) || errno != 0)
		goto bad;
	if (strcmp(end, "s") == 0 || *end == '\0')
		mult = 1;
	else if (strcmp(end, "m") == 0)
		mult = 60;
	else if (strcmp(end, "h") == 0)
		mult = 3600;
	else if (strcmp(end, "d") == 0)
		mult = 86400;
	else
		goto bad;
	if (n == 0 || n > MAX_TIMEOUT / mult)
		goto bad;
	r->timeout = (unsigned)(n * mult);
	return;
bad:
	ERR(ps, &vs->v[0].at, "timeout is a number with s, m, h or d, "
	    "from 1s to 30d");
}

/* A gentler run: only ever less CPU priority than the default. */
static void
field_nice(struct parser *ps, struct rule *r, struct values *vs)
{
	const char *t;
	char *end;
	unsigned long n;

	if (!once(ps, &r->loc.nice, vs, "nice") ||
	    !want_values(ps, vs, "nice", 1, 1))
		return;
	t = vs->v[0].text;
	errno = 0;
	n = isdigit((unsigned char)t[0]) ? strtoul(t, &end, 10) : 20;
	if (errno != 0 || n > 19 || *end != '\0') {
		ERR(ps, &vs->v[0].at, "nice is a number from 0 (the default) "
		    "to 19 (the gentlest); a rule cannot raise a program's "
		    "priority");
		return;
	}
	r->nice = (int)n;
}

/* Likewise for I/O: the default, best-effort at a lower level, or idle. */
static void
field_ionice(struct parser *ps, struct rule *r, struct values *vs)
{
	const char *t;

	if (!once(ps, &r->loc.ionice, vs, "ionice") ||
	    !want_values(ps, vs, "ionice", 1, 1))
		return;
	t = vs->v[0].text;
	if (strcmp(t, "none") == 0)
		r->ioclass = IO_NONE;
	else if (strcmp(t, "idle") == 0)
		r->ioclass = IO_IDLE;
	else if (strncmp(t, "best-effort:", 12) == 0 && t[12] >= '4' &&
	    t[12] <= '7' && t[13] == '\0') {
		r->ioclass = IO_BEST_EFFORT;
		r->iolevel = t[12] - '0';
	} else
		ERR(ps, &vs->v[0].at, "ionice is 'none' (the default), "
		    "'best-effort:N' with N from 4 (the default level) to 7 "
		    "(the gentlest), or 'idle'; never real time");
}

static void
field_keepenv(struct parser *ps, struct rule *r, struct values *vs)
{
	size_t i;

	if (!want_values(ps, vs, "keepenv", 1, 64))
		return;
	if (r->loc.keepenv.line == 0)
		r->loc.keepenv = vs->key;
	for (i = 0; i < vs->n; i++) {
		if (!valid_env_name(vs->v[i].text)) {
			ERR(ps, &vs->v[i].at, "'%s' is not a variable name",
			    vs->v[i].text);
			continue;
		}
		r->keepenv = grow(r->keepenv, r->nkeep, sizeof(*r->keepenv));
		r->keepenv_at = grow(r->keepenv_at, r->nkeep,
		    sizeof(*r->keepenv_at));
		r->keepenv_at[r->nkeep] = vs->v[i].at;
		r->keepenv[r->nkeep++] = xstrdup(vs->v[i].text);
	}
}

/*
 * borg runs BORG_RSH split as a shell would (shlex): its first word, when
 * it is a plain absolute path, is a program the rule's program executes
 * (docs/sshgate-policy.5 "exec").  Anything else derives nothing.
 */
static void
rsh_program(struct rule *r, const struct setenv *e)
{
	size_t n = strcspn(e->value, " \t");
	char *p;

	if (strcmp(e->name, "BORG_RSH") != 0 || e->value[0] != '/')
		return;
	p = xstrndup(e->value, n);
	if (strpbrk(p, "'\"\\$`") != NULL || path_problem(p) != NULL) {
		free(p);
		return;
	}
	free(r->rsh_program);	/* set twice: an error of its own */
	r->rsh_program = p;
}

static void
field_setenv(struct parser *ps, struct rule *r, struct values *vs)
{
	struct setenv *e;

	if (vs->n == 1 && strchr(vs->v[0].text, '=') != NULL) {
		ERR(ps, &vs->v[0].at, "write 'setenv NAME VALUE' (a space, "
		    "not '=')");
		return;
	}
	if (!want_values(ps, vs, "setenv", 2, 2))
		return;
	if (!valid_env_name(vs->v[0].text)) {
		ERR(ps, &vs->v[0].at, "'%s' is not a variable name",
		    vs->v[0].text);
		return;
	}
	r->setenv = grow(r->setenv, r->nset, sizeof(*r->setenv));
	e = &r->setenv[r->nset++];
	e->name = xstrdup(vs->v[0].text);
	e->value = xstrdup(vs->v[1].text);
	e->at = vs->v[0].at;
	rsh_program(r, e);
}

/* test permit|deny "COMMAND" [from ADDR] [tag TAG] */
static void
field_test(struct parser *ps, struct rule *r, struct values *vs)
{
	struct ptest t;
	size_t i;

	memset(&t, 0, sizeof(t));
	t.at = vs->key;
	t.rule = r ? r->index : -1;
	if (vs->n < 2 || (strcmp(vs->v[0].text, "permit") != 0 &&
	    strcmp(vs->v[0].text, "deny") != 0) || !vs->v[1].quoted) {
		ERR(ps, &vs->key, "write: test permit|deny \"COMMAND\" "
		    "[from ADDRESS] [tag TAG]");
		return;
	}
	t.want = strcmp(vs->v[0].text, "permit") == 0 ? TEST_PERMIT :
	    TEST_DENY;
	for (i = 2; i + 1 < vs->n; i += 2) {
		struct cidr c;

		if (strcmp(vs->v[i].text, "from") == 0 && t.from == NULL &&
		    cidr_parse(vs->v[i + 1].text, &c) == 0 &&
		    strchr(vs->v[i + 1].text, '/') == NULL)
			t.from = xstrdup(vs->v[i + 1].text);
		else if (strcmp(vs->v[i].text, "tag") == 0 && t.tag == NULL)
			t.tag = xstrdup(vs->v[i + 1].text);
		else
			break;
	}
	if (i != vs->n) {
		ERR(ps, &vs->v[i < vs->n ? i : vs->n - 1].at, "after the "
		    "command a test takes 'from ADDRESS' and 'tag TAG'");
		free(t.from);
		free(t.tag);
		return;
	}
	/* A part's test runs as a connection with its tag. */
	if (r == NULL && t.tag == NULL && ps->part_tag != NULL)
		t.tag = xstrdup(ps->part_tag);
	t.cmd = xstrdup(vs->v[1].text);
	if (ps->p->ntests == ps->tests_cap) {
		ps->tests_cap = ps->tests_cap ? ps->tests_cap * 2 : 16;
		ps->p->tests = xreallocarray(ps->p->tests, ps->tests_cap,
		    sizeof(*ps->p->tests));
	}
	ps->p->tests[ps->p->ntests++] = t;
}

static void
field_args(struct parser *ps, struct rule *r)
{
	struct loc key = ps->tok.at;

	if (r->loc.args.line != 0) {
		ERR(ps, &key, "'args' given twice in one rule");
		NOTE(ps, &r->loc.args, "first given here");
		skip_line(ps);
		return;
	}
	r->loc.args = key;
	next(ps, LEX_ARGS);
	r->args = parse_alt(ps, r);
	if (r->args == NULL)
		r->natoms = 0;	/* freed with the failed pattern */
	/* The first word is what "run" replaces: it must always be there. */
	if (r->args != NULL && pat_nullable(r->args))
		ERR(ps, &key, "args can match an empty command; the first word "
		    "must always be matched");
	if (r->args == NULL) {
		/* Skip the rest of the pattern, continuation lines too. */
		for (;;) {
			while (ps->tok.t != T_NL && ps->tok.t != T_EOF)
				next(ps, LEX_ARGS);
			if (ps->tok.t == T_EOF)
				return;
			skip_continuation(ps);
			if (ps->tok.t == T_NL || ps->tok.t == T_EOF)
				return;
		}
	}
	if (ps->tok.t != T_NL && ps->tok.t != T_EOF) {
		if (ps->tok.t == T_RPAREN)
			ERR(ps, &ps->tok.at, "')' without a matching '('");
		else if (ps->tok.t != T_BAD)
			ERR(ps, &ps->tok.at, "unexpected %s in args",
			    tk_name(ps->tok.t));
		pat_free(r->args);
		r->args = NULL;
		r->natoms = 0;
		skip_line(ps);
	}
}

struct field {
	const char	*name;
	void		(*fn)(struct parser *, struct rule *, struct values *);
	size_t		 loc;	/* in struct rule_locs, or NO_LOC */
};

#define LOC(f)	offsetof(struct rule_locs, f)
#define NO_LOC	((size_t)-1)

static const struct field fields[] = {
	{ "from", field_from, LOC(from) }, { "tag", field_tag, LOC(tag) },
	{ "drop", field_drop, LOC(drop) }, { "run", field_run, LOC(run) },
	{ "deny", field_deny, LOC(deny) }, { "as", field_as, LOC(as) },
	{ "caps", field_caps, LOC(caps) },
	{ "seccomp", field_seccomp, LOC(seccomp) },
	{ "write", field_write, LOC(write) },
	{ "exec", field_exec, LOC(exec) },
	{ "read", field_read, LOC(read) },
	{ "landlock", field_landlock, LOC(landlock) },
	{ "cgroup", field_cgroup, LOC(cgroup) },
	{ "pids", field_pids, LOC(pids) },
	{ "memory", field_memory, LOC(memory) },
	{ "timeout", field_timeout, LOC(timeout) },
	{ "nice", field_nice, LOC(nice) },
	{ "ionice", field_ionice, LOC(ionice) },
	{ "keepenv", field_keepenv, LOC(keepenv) },
	{ "setenv", field_setenv, NO_LOC }, { "test", field_test, NO_LOC },
	{ NULL, NULL, NO_LOC }
};

/* Is a the path b or beneath it? */
static int
beneath(const char *a, const char *b)
{
	size_t n = strlen(b);

	return strcmp(b, "/") == 0 || (strncmp(a, b, n) == 0 &&
	    (a[n] == '\0' || a[n] == '/'));
}

/*
 * Landlock grants a right beneath the path it is given: an exec path
 * over a writable one, or beneath it, would let the program write a
 * program and execute it (docs/sshgate-policy.5, "exec").
 */
static void
check_exec_write(struct parser *ps, const struct rule *r)
{
	size_t i, j;

	for (i = 0; i < r->nexec; i++)
		for (j = 0; j < r->nwrite; j++)
			if (beneath(r->write[j], r->exec[i]) ||
			    beneath(r->exec[i], r->write[j])) {
				ERR(ps, &r->exec_at[i], "exec path '%s' and "
				    "writable path '%s' overlap: the program "
				    "could write a program and execute it",
				    r->exec[i], r->write[j]);
				break;
			}
}

/* Everything that needs the whole rule. */
static void
check_rule(struct parser *ps, struct rule *r, const struct loc *at)
{
	size_t i, j;

	if (r->args == NULL && r->loc.args.line == 0)
		ERR(ps, at, "rule '%s' has no 'args': say which commands it "
		    "matches", r->name);
	if (r->loc.run.line == 0 && r->loc.deny.line == 0)
		ERR(ps, at, "rule '%s' needs 'run PROGRAM' or "
		    "'deny \"MESSAGE\"'", r->name);
	if (r->loc.run.line != 0 && r->loc.deny.line != 0) {
		ERR(ps, &r->loc.deny, "a rule either runs a program or denies");
		NOTE(ps, &r->loc.run, "'run' given here");
	}
	if (r->loc.run.line != 0 && r->loc.as.line == 0)
		ERR(ps, at, "rule '%s' needs 'as ACCOUNT': the account its "
		    "program runs as", r->name);
	/* (a rule with both run and deny has had its error above) */
	if (r->loc.deny.line != 0 && r->loc.run.line == 0) {
		const struct { const char *n; struct loc *l; } runonly[] = {
			{ "as", &r->loc.as }, { "caps", &r->loc.caps },
			{ "seccomp", &r->loc.seccomp }, { "write", &r->loc.write },
			{ "exec", &r->loc.exec }, { "read", &r->loc.read },
			{ "landlock", &r->loc.landlock },
			{ "cgroup", &r->loc.cgroup },
			{ "pids", &r->loc.pids }, { "memory", &r->loc.memory },
			{ "timeout", &r->loc.timeout },
			{ "nice", &r->loc.nice }, { "ionice", &r->loc.ionice },
			{ "keepenv", &r->loc.keepenv },
		};
		for (i = 0; i < sizeof(runonly) / sizeof(runonly[0]); i++)
			if (runonly[i].l->line != 0)
				ERR(ps, runonly[i].l, "a deny rule runs nothing; "
				    "'%s' has no meaning here", runonly[i].n);
		if (r->nset > 0)
			ERR(ps, &r->setenv[0].at, "a deny rule runs nothing; "
			    "'setenv' has no meaning here");
	}
	for (i = 0; i < r->nset; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(r->setenv[i].name, r->setenv[j].name) == 0) {
				ERR(ps, &r->setenv[i].at, "variable '%s' is set "
				    "twice", r->setenv[i].name);
				NOTE(ps, &r->setenv[j].at, "first set here");
				break;
			}
		for (j = 0; j < r->nkeep; j++)
			if (strcmp(r->setenv[i].name, r->keepenv[j]) == 0)
				ERR(ps, &r->setenv[i].at, "variable '%s' is both "
				    "kept from the client and set",
				    r->setenv[i].name);
	}
	for (i = 0; i < r->nkeep; i++)
		for (j = 0; j < i; j++)
			if (strcmp(r->keepenv[i], r->keepenv[j]) == 0) {
				ERR(ps, &r->keepenv_at[i], "variable '%s' is "
				    "kept twice", r->keepenv[i]);
				NOTE(ps, &r->keepenv_at[j], "first kept here");
				break;
			}
	check_exec_write(ps, r);
}

/*
 * "# sshgate-lint: allow NAME: REASON" names a warning a rule may silence
 * and says why.  A typo would silence nothing and a bare name explains
 * nothing, so both are reported -- as the warning allow-comment, not as
 * errors: the comment is the linter's, and a policy the gate refuses
 * permits nothing (one misspelt comment would stop every backup).  The
 * linter shows it, and --strict fails on it (sshgate-lint(1)).
 */
static int
allow_valid(struct parser *ps, const struct lex_allow *la)
{
	const struct warning_name *w = warning_lookup(la->name);
	struct similar sim;
	char *name, buf[96];
	int ok = 0;

	/* comments may hold any UTF-8: the name is shown escaped */
	name = escape_str(la->name, 64);
	if (w == NULL || !w->allowable) {
		similar_init(&sim, la->name);
		for (w = warning_names; w->name != NULL; w++)
			if (w->allowable)
				similar_try(&sim, w->name);
		WARN(ps, &la->at, "allow-comment", "'%s' is not a warning a "
		    "rule can silence%s (sshgate-lint --list-warnings shows "
		    "them); this comment silences nothing", name,
		    hint(buf, sizeof(buf), "", &sim));
	} else if (la->reason[0] == '\0')
		WARN(ps, &la->at, "allow-comment", "silencing '%s' needs a "
		    "reason: '# sshgate-lint: allow %s: WHY'; this comment "
		    "silences nothing", name, name);
	else
		ok = 1;
	free(name);
	return ok;
}

/*
 * A part's rule names are unique across the common part and the part: a
 * log line's rule=NAME names one rule (sshgate-policy(5), "Parts").
 */
static void
common_name_seen(struct parser *ps, const struct rule *r)
{
	struct source src = policy_source(ps->common);
	size_t i;

	for (i = 0; i < ps->common->nrules; i++)
		if (strcmp(ps->common->rules[i].name, r->name) == 0) {
			ERR(ps, &r->loc.name, "rule '%s' is also defined in "
			    "the common part %s", r->name, ps->common->file);
			diag_add(ps->d, DIAG_NOTE, NULL, &src,
			    &ps->common->rules[i].loc.name, r->name,
			    "the common part's definition");
			return;
		}
}

/*
 * A part decides for its tag only: a rule without "tag" gets the part's,
 * one with another tag is an error (it could never decide: the gate reads
 * this part only for connections with the part's tag).
 */
static void
part_tags(struct parser *ps, struct rule *r)
{
	size_t i;

	for (i = 0; i < r->ntags; i++)
		if (strcmp(r->tags[i], ps->part_tag) != 0) {
			ERR(ps, &r->loc.tag, "tag '%s': a rule of the part for "
			    "tag '%s' decides for that tag only", r->tags[i],
			    ps->part_tag);
			return;
		}
	if (r->ntags == 0) {
		r->tags = xreallocarray(NULL, 1, sizeof(*r->tags));
		r->tags[0] = xstrdup(ps->part_tag);
		r->ntags = 1;
	}
}

static void
parse_rule(struct parser *ps)
{
	struct policy *p = ps->p;
	struct rule *r;
	struct loc brace;
	size_t i, first_test = p->ntests;
	int prev;

	next(ps, LEX_FIELD);
	if (ps->tok.t != T_WORD || !valid_name(ps->tok.text, 64, "_.-")) {
		if (ps->tok.t != T_BAD)
			ERR(ps, &ps->tok.at, "a rule needs a name (letters, "
			    "digits, '_', '.', '-')");
		skip_rule(ps);
		return;
	}
	if (p->nrules == ps->rules_cap) {
		ps->rules_cap = ps->rules_cap ? ps->rules_cap * 2 : 16;
		p->rules = xreallocarray(p->rules, ps->rules_cap,
		    sizeof(*p->rules));
	}
	r = &p->rules[p->nrules];
	memset(r, 0, sizeof(*r));
	r->index = (int)p->nrules++;
	r->name = ps->tok.text;
	ps->tok.text = NULL;
	r->loc.name = ps->tok.at;
	r->seccomp = SC_STRICT;
	r->landlock = LANDLOCK_REQUIRE;
	r->cgroup = CGROUP_BEST_EFFORT;
	ps->rule = r->name;
	if ((prev = name_seen(ps, r)) >= 0) {
		ERR(ps, &r->loc.name, "rule '%s' is defined twice", r->name);
		NOTE(ps, &p->rules[prev].loc.name, "previous definition here");
	}
	if (ps->common != NULL)
		common_name_seen(ps, r);
	next(ps, LEX_FIELD);
	if (ps->tok.t != T_LBRACE) {
		if (ps->tok.t != T_BAD)
			ERR(ps, &ps->tok.at, "expected '{' after the rule name");
		skip_rule(ps);
		ps->rule = NULL;
		return;
	}
	brace = ps->tok.at;
	next(ps, LEX_FIELD);
	/* Say so, then read the field anyway: one mistake, one error. */
	if (ps->tok.t != T_NL && ps->tok.t != T_EOF && ps->tok.t != T_BAD)
		ERR(ps, &ps->tok.at, "fields start on the line after '{'");
	for (;;) {
		const struct field *f;
		struct values vs;

		while (ps->tok.t == T_NL)
			next(ps, LEX_FIELD);
		if (ps->tok.t == T_RBRACE)
			break;
		if (ps->tok.t == T_EOF) {
			ERR(ps, &brace, "rule '%s' is never closed with '}'",
			    r->name);
			goto done;
		}
		if (ps->tok.t != T_WORD) {
			if (ps->tok.t != T_BAD)
				ERR(ps, &ps->tok.at, "expected a field name, "
				    "found %s", tk_name(ps->tok.t));
			skip_line(ps);
			continue;
		}
		if (strcmp(ps->tok.text, "args") == 0) {
			field_args(ps, r);
			continue;
		}
		if (strcmp(ps->tok.text, "rule") == 0) {
			ERR(ps, &brace, "rule '%s' is never closed with '}'",
			    r->name);
			NOTE(ps, &ps->tok.at, "the next rule starts here");
			goto done;
		}
		for (f = fields; f->name != NULL; f++)
			if (strcmp(f->name, ps->tok.text) == 0)
				break;
		if (f->name == NULL) {
			struct similar sim;
			char buf[96];

			similar_init(&sim, ps->tok.text);
			similar_try(&sim, "args");
			for (f = fields; f->name != NULL; f++)
				similar_try(&sim, f->name);
			ERR(ps, &ps->tok.at, "unknown field '%s'%s", ps->tok.text,
			    hint(buf, sizeof(buf), "", &sim));
			skip_line(ps);
			continue;
		}
		if (read_values(ps, &vs))
			f->fn(ps, r, &vs);
		else if (f->loc != NO_LOC) {
			/*
			 * The values were refused (and reported), but the
			 * field was given: no second error saying it is
			 * missing.
			 */
			struct loc *seen = (struct loc *)(void *)
			    ((char *)&r->loc + f->loc);

			if (seen->line == 0)
				*seen = vs.key;
		}
		values_free(&vs);
	}
	next(ps, LEX_FIELD);
	if (ps->tok.t != T_NL && ps->tok.t != T_EOF) {
		if (ps->tok.t != T_BAD)
			ERR(ps, &ps->tok.at, "'}' ends its line");
		skip_line(ps);
	}
done:
	for (i = 0; i < ps->lx.nallows; i++) {
		struct lex_allow *la = &ps->lx.allows[i];
		struct allow *a;

		if (la->at.line < brace.line) {
			WARN(ps, &la->at, "allow-comment", "'sshgate-lint: "
			    "allow' belongs inside the rule it silences");
			continue;
		}
		if (!allow_valid(ps, la))
			continue;
		r->allows = grow(r->allows, r->nallows, sizeof(*r->allows));
		a = &r->allows[r->nallows++];
		a->name = la->name;
		a->reason = la->reason;
		a->at = la->at;
		a->used = 0;
		la->name = la->reason = NULL;
	}
	for (i = 0; i < ps->lx.nallows; i++) {
		free(ps->lx.allows[i].name);
		free(ps->lx.allows[i].reason);
	}
	ps->lx.nallows = 0;
	if (ps->part_tag != NULL)
		part_tags(ps, r);
	/* A rule's test runs as a connection its selectors admit. */
	for (i = first_test; i < p->ntests; i++) {
		struct ptest *t = &p->tests[i];
		char buf[INET6_ADDRSTRLEN];

		if (t->rule != r->index)
			continue;
		if (t->from == NULL && r->nfrom > 0 &&
		    inet_ntop(r->from[0].family, r->from[0].addr, buf,
		    sizeof(buf)) != NULL)
			t->from = xstrdup(buf);
		if (t->tag == NULL && r->ntags > 0)
			t->tag = xstrdup(r->tags[0]);
	}
	check_rule(ps, r, &r->loc.name);
	compile_regexes(ps, r);
	if (r->args != NULL) {
		int accept = nfa_emit(&r->nfa, NFA_ACCEPT, -1, -1, -1);

		r->nfa.start = nfa_build(&r->nfa, r->args, accept);
	}
	ps->rule = NULL;
}

static int
parse_version(struct parser *ps)
{
	struct loc at;
	int ok = 0;

	while (ps->tok.t == T_NL)
		next(ps, LEX_FIELD);
	at = ps->tok.at;
	if (ps->tok.t != T_WORD || strcmp(ps->tok.text, "sshgate-policy") != 0) {
		/*
		 * No version line at all: one error, and the parse goes on
		 * from this token, so that a first "rule" is read as a rule
		 * and not reported line by line.
		 */
		ERR(ps, &at, "the policy must begin with the line "
		    "'sshgate-policy %d'", SSHGATE_POLICY_VERSION);
		return 0;
	}
	next(ps, LEX_FIELD);
	if (ps->tok.t == T_WORD && strcmp(ps->tok.text, "1") == 0) {
		ok = 1;
		next(ps, LEX_FIELD);
	} else if (ps->tok.t == T_WORD) {
		ERR(ps, &ps->tok.at, "policy version '%s' is not "
		    "supported; this sshgate reads version %d",
		    ps->tok.text, SSHGATE_POLICY_VERSION);
		skip_line(ps);
		return 0;
	}
	if (!ok) {
		ERR(ps, &at, "the policy must begin with the line "
		    "'sshgate-policy %d'", SSHGATE_POLICY_VERSION);
		skip_line(ps);
		return 0;
	}
	if (ps->tok.t != T_NL && ps->tok.t != T_EOF) {
		if (ps->tok.t != T_BAD)
			ERR(ps, &ps->tok.at, "unexpected %s after the version",
			    tk_name(ps->tok.t));
		skip_line(ps);
	}
	return 1;
}

struct source
policy_source(const struct policy *p)
{
	struct source s = { p->file, p->text, p->len };

	return s;
}

static struct policy *
parse(const char *file, const char *text, size_t len, struct diags *d,
    const struct policy *common, const char *tag)
{
	struct parser ps;
	struct policy *p;
	size_t nerr = d->nerr, i;

	memset(&ps, 0, sizeof(ps));
	ps.common = common;
	ps.part_tag = tag;
	p = xcalloc(1, sizeof(*p));
	p->file = xstrdup(file);
	p->text = xmalloc(len + 1);
	memcpy(p->text, text, len);
	p->text[len] = '\0';
	p->len = len;
	ps.src = policy_source(p);
	ps.d = d;
	ps.p = p;
	if (len > SSHGATE_POLICY_MAX) {
		ERR(&ps, NULL, "policy larger than %u bytes", SSHGATE_POLICY_MAX);
		policy_free(p);
		return NULL;
	}
	lex_init(&ps.lx, &ps.src, d);
	next(&ps, LEX_FIELD);
	parse_version(&ps);
	for (;;) {
		while (ps.tok.t == T_NL)
			next(&ps, LEX_FIELD);
		if (ps.tok.t == T_EOF)
			break;
		if (ps.tok.t == T_WORD && strcmp(ps.tok.text, "rule") == 0) {
			parse_rule(&ps);
			continue;
		}
		if (ps.tok.t == T_WORD && strcmp(ps.tok.text, "test") == 0) {
			struct values vs;

			if (read_values(&ps, &vs))
				field_test(&ps, NULL, &vs);
			values_free(&vs);
			continue;
		}
		if (ps.tok.t != T_BAD)
			ERR(&ps, &ps.tok.at, "expected 'rule' or 'test', found "
			    "%s%s%s", tk_name(ps.tok.t), ps.tok.text ? " " : "",
			    ps.tok.text ? ps.tok.text : "");
		skip_line(&ps);
	}
	token_free(&ps.tok);
	free(ps.names);
	free(ps.regexes);
	/* Silencing comments outside any rule silence nothing: say so. */
	for (i = 0; i < ps.lx.nallows; i++) {
		WARN(&ps, &ps.lx.allows[i].at, "allow-comment", "'sshgate-lint: "
		    "allow' belongs inside the rule it silences");
		free(ps.lx.allows[i].name);
		free(ps.lx.allows[i].reason);
	}
	free(ps.lx.allows);
	if (d->nerr > nerr) {
		policy_free(p);
		return NULL;
	}
	return p;
}

struct policy *
policy_parse(const char *file, const char *text, size_t len, struct diags *d)
{
	return parse(file, text, len, d, NULL, NULL);
}

struct policy *
policy_parse_part(const struct policy *common, const char *file,
    const char *text, size_t len, const char *tag, struct diags *d)
{
	return parse(file, text, len, d, common, tag);
}

/*
 * The part's rules, then the common part's, in one policy: the first
 * match in that order decides (sshgate-policy(5), "Parts") -- the job's
 * own rules, then what every tag shares and the common part's closing
 * denials, as in one file with the job's rules before the shared ones.
 * The tests are the part's; the file and text too (its diagnostics).
 */
struct policy *
policy_join(struct policy *common, struct policy *part)
{
	size_t n = common->nrules + part->nrules, i;
	struct rule *v;

	v = xreallocarray(NULL, n ? n : 1, sizeof(*v));
	if (part->nrules > 0)
		memcpy(v, part->rules, part->nrules * sizeof(*v));
	if (common->nrules > 0)
		memcpy(v + part->nrules, common->rules,
		    common->nrules * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i].index = (int)i;
	free(part->rules);
	part->rules = v;
	part->nrules = n;
	free(common->rules);
	common->rules = NULL;
	common->nrules = 0;
	policy_free(common);
	return part;
}

void
policy_free(struct policy *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->nrules; i++) {
		struct rule *r = &p->rules[i];

		free(r->name);
		free(r->from);
		for (j = 0; j < r->nfrom; j++)
			free(r->from_text[j]);
		free(r->from_text);
		for (j = 0; j < r->ntags; j++)
			free(r->tags[j]);
		free(r->tags);
		for (j = 0; j < r->ndrop; j++)
			free(r->drop[j]);
		free(r->drop);
		for (j = 0; j < r->nrun; j++)
			free(r->run[j]);
		free(r->run);
		free(r->deny);
		free(r->user);
		free(r->group);
		for (j = 0; j < r->nwrite; j++)
			free(r->write[j]);
		free(r->write);
		for (j = 0; j < r->nexec; j++)
			free(r->exec[j]);
		free(r->exec);
		free(r->exec_at);
		free(r->rsh_program);
		for (j = 0; j < r->nread; j++)
			free(r->read[j]);
		free(r->read);
		free(r->read_at);
		for (j = 0; j < r->nkeep; j++)
			free(r->keepenv[j]);
		free(r->keepenv);
		free(r->keepenv_at);
		for (j = 0; j < r->nset; j++) {
			free(r->setenv[j].name);
			free(r->setenv[j].value);
		}
		free(r->setenv);
		pat_free(r->args);
		free(r->atoms);
		free(r->nfa.s);
		for (j = 0; j < r->nallows; j++) {
			free(r->allows[j].name);
			free(r->allows[j].reason);
		}
		free(r->allows);
	}
	free(p->rules);
	for (i = 0; i < p->ntests; i++) {
		free(p->tests[i].cmd);
		free(p->tests[i].from);
		free(p->tests[i].tag);
	}
	free(p->tests);
	free(p->file);
	free(p->text);
	free(p);
}

const char *
landlock_mode_name(enum landlock_mode m)
{
	return m == LANDLOCK_REQUIRE ? "require" : "best-effort";
}

const char *
io_class_text(const struct rule *r)
{
	static const char *const be[8] = {
		"best-effort:0", "best-effort:1", "best-effort:2",
		"best-effort:3", "best-effort:4", "best-effort:5",
		"best-effort:6", "best-effort:7",
	};

	if (r->ioclass == IO_BEST_EFFORT && r->iolevel >= 0 && r->iolevel < 8)
		return be[r->iolevel];
	return r->ioclass == IO_IDLE ? "idle" : "none";
}

const char *
cgroup_mode_name(enum cgroup_mode m)
{
	return m == CGROUP_REQUIRE ? "require" : "best-effort";
}
