/*
 * sshgate-lint --suggest and --suggest-from-log: from denied commands to
 * a rule, or an addition to an existing rule, that permits exactly those
 * argvs.  MUST:
 *  - generalise only what changes from run to run and is harmless: the
 *    timestamps in borg archive names and the format of borgmatic's
 *    {now:...} placeholders (without '/'); every other word is a literal;
 *  - prove each suggestion with the gate's own code before printing it:
 *    the policy with the suggestion parses, its tests (old and new) pass,
 *    policy_decide() permits each command through the suggested rule, and
 *    the danger probes run on it;
 *  - never print a suggestion the danger probes flag, unless asked
 *    (--include-dangerous): a log holds what attackers sent too.  Its
 *    warnings are printed on stdout as comments, so that a draft made
 *    with "... | sshgate-lint --suggest-from-log - > draft" keeps them,
 *    and they point at the suggestion's own lines ("suggestion N, line
 *    K"), never at lines of a policy nobody can see;
 *  - suggest nothing for a denial from an address no rule's "from"
 *    names, unless asked (--include-unknown-addresses), and say how many
 *    were left out;
 *  - treat log lines as untrusted: they are read by the code that writes
 *    them (policy/logfmt.c); a line that does not read back cleanly, or a
 *    command the gate logged cut or by its words alone, is skipped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "escape.h"
#include "logfmt.h"
#include "suggest.h"
#include "probe.h"
#include "syscalls.h"
#include "xmalloc.h"

/* A growing string. */
struct buf {
	char	*s;
	size_t	 n, cap;
};

static void
bput(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;

		b->s = xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void
bputs(struct buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		xfatal_hook("vasprintf");
	bputs(b, s);
	free(s);
}

static char *
bdone(struct buf *b)
{
	if (b->s == NULL)
		return xstrdup("");
	return b->s;
}

/* ---- from words to atoms ------------------------------------------------ */

/* A policy "string": only \" and \\ are escapes (sshgate-policy(5)). */
static void
put_string(struct buf *b, const char *w)
{
	bputs(b, "\"");
	for (; *w != '\0'; w++) {
		if (*w == '"' || *w == '\\')
			bputs(b, "\\");
		bput(b, w, 1);
	}
	bputs(b, "\"");
}

/* A field value: bare when the lexer reads it as one word, else quoted. */
static void
put_value(struct buf *b, const char *w)
{
	const char *p;

	for (p = w; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("\"{}#", *p) != NULL)
			break;
	if (*p == '\0' && w[0] != '\0')
		bputs(b, w);
	else
		put_string(b, w);
}

/* Literal text inside a /regex/: PCRE metacharacters and '/' escaped. */
static void
put_re_literal(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strchr("\\^$.|?*+()[]{}/", s[i]) != NULL)
			bputs(b, "\\");
		bput(b, s + i, 1);
	}
}

static size_t
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	return i;
}

/*
 * A timestamp at s: YYYY-MM-DD, optionally [T_ ]HH:MM:SS and .fraction,
 * or YYYYMMDD[T-]HHMMSS.  Returns its length and the regex for it.
 */
static size_t
timestamp(const char *s, size_t n, const char **re)
{
	size_t k, f;

	if (n >= 10 && digits(s, 4) == 4 && s[4] == '-' &&
	    digits(s + 5, 2) == 2 && s[7] == '-' && digits(s + 8, 2) == 2) {
		k = 10;
		if (n >= 19 && strchr("T_ ", s[10]) != NULL &&
		    digits(s + 11, 2) == 2 && s[13] == ':' &&
		    digits(s + 14, 2) == 2 && s[16] == ':' &&
		    digits(s + 17, 2) == 2) {
			k = 19;
			if (k + 1 < n && s[k] == '.' &&
			    (f = digits(s + k + 1, n - k - 1)) >= 1 && f <= 9) {
				k += 1 + f;
				*re = s[10] == 'T' ? "[0-9]{4}-[0-9]{2}-[0-9]{2}T"
				    "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{1,9}" :
				    s[10] == '_' ? "[0-9]{4}-[0-9]{2}-[0-9]{2}_"
				    "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{1,9}" :
				    "[0-9]{4}-[0-9]{2}-[0-9]{2} "
				    "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{1,9}";
				return k;
			}
			*re = s[10] == 'T' ? "[0-9]{4}-[0-9]{2}-[0-9]{2}T"
			    "[0-9]{2}:[0-9]{2}:[0-9]{2}" : s[10] == '_' ?
			    "[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]{2}:[0-9]{2}:"
			    "[0-9]{2}" : "[0-9]{4}-[0-9]{2}-[0-9]{2} "
			    "[0-9]{2}:[0-9]{2}:[0-9]{2}";
			return k;
		}
		*re = "[0-9]{4}-[0-9]{2}-[0-9]{2}";
		return k;
	}
	if (n >= 15 && digits(s, 8) == 8 && (s[8] == 'T' || s[8] == '-') &&
	    digits(s + 9, 6) == 6) {
		*re = s[8] == 'T' ? "[0-9]{8}T[0-9]{6}" : "[0-9]{8}-[0-9]{6}";
		return 15;
	}
	return 0;
}

/*
 * borg's {now} and {utcnow} placeholders, with or without a format; the
 * format may vary but never holds '/' (sshgate-lint(1),
 * borg-placeholder-path).
 */
static size_t
placeholder(const char *s, size_t n)
{
	const char *e;

	if (n < 5 || s[0] != '{')
		return 0;
	if (strncmp(s, "{now", 4) != 0 && strncmp(s, "{utcnow", 7) != 0)
		return 0;
	e = memchr(s, '}', n);
	if (e == NULL)
		return 0;
	if (s[strncmp(s, "{now", 4) == 0 ? 4 : 7] != ':' &&
	    s[strncmp(s, "{now", 4) == 0 ? 4 : 7] != '}')
		return 0;
	return (size_t)(e - s) + 1;
}

#define PLACEHOLDER_RE	"\\{(now|utcnow)(:[%A-Za-z0-9.:T_-]{1,40})?\\}"

/*
 * One word as an atom.  For borg, a word with "repo::archive" gets its
 * archive's timestamps and {now...} placeholders generalised, and a word
 * with a placeholder elsewhere gets that; else a literal.
 */
static char *
word_atom(const char *w, int borg)
{
	struct buf b = { 0 };
	const char *arch = borg ? strstr(w, "::") : NULL, *re;
	size_t n = strlen(w), i, k, from = arch ? (size_t)(arch - w) + 2 : 0;
	int general = 0;

	if (borg)
		for (i = 0; i < n; i++)
			if (placeholder(w + i, n - i) ||
			    (arch && i >= from && timestamp(w + i, n - i, &re)))
				general = 1;
	if (!general) {
		put_string(&b, w);
		return bdone(&b);
	}
	bputs(&b, "/");
	for (i = 0; i < n; ) {
		if ((k = placeholder(w + i, n - i)) > 0) {
			bputs(&b, PLACEHOLDER_RE);
			i += k;
		} else if (arch && i >= from &&
		    (k = timestamp(w + i, n - i, &re)) > 0) {
			bputs(&b, re);
			i += k;
		} else {
			put_re_literal(&b, w + i, 1);
			i++;
		}
	}
	bputs(&b, "/");
	return bdone(&b);
}

static char *
sequence(char *const *w, size_t n, int borg)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		char *a = word_atom(w[i], borg);

		bprintf(&b, "%s%s", i ? " " : "", a);
		free(a);
	}
	return bdone(&b);
}

/* ---- the commands ------------------------------------------------------- */

struct cmd {
	char		*text;		/* as the client sent it */
	char		*from, *tag;
	size_t		 count;		/* times seen */
	struct words	 w;
	size_t		 skip;		/* leading words a drop removes */
	char		*seq;		/* its atoms */
};

struct group {
	struct cmd	*v;
	size_t		 n;
};

/* One run of --suggest or --suggest-from-log. */
struct sctx {
	struct out	*o;
	int		 flags;		/* SUGGEST_* */
	unsigned	 nsug;		/* suggestions so far, numbered from 1 */
	char		**taken;	/* rule names suggested so far */
	size_t		 ntaken;
};

static void
cmd_free(struct cmd *c)
{
	free(c->text);
	free(c->from);
	free(c->tag);
	words_free(&c->w);
	free(c->seq);
}

static int
is_borg(const struct cmd *c)
{
	const char *w0 = c->w.v[c->skip], *b = strrchr(w0, '/');

	return strcmp(b ? b + 1 : w0, "borg") == 0;
}

/* ---- the policy's text ------------------------------------------------- */

/* Offset of the start of line `line' (1-based), or len. */
static size_t
line_offset(const char *text, size_t len, unsigned line)
{
	size_t i = 0;
	unsigned l = 1;

	while (l < line && i < len) {
		const char *nl = memchr(text + i, '\n', len - i);

		if (nl == NULL)
			return len;
		i = (size_t)(nl - text) + 1;
		l++;
	}
	return i;
}

/* The last line of the rule's args pattern (continuation lines too). */
static unsigned
args_end_line(const struct policy *p, const struct rule *r)
{
	unsigned last = r->loc.args.line, l;
	size_t i, off;

	for (i = 0; i < r->natoms; i++)
		if (r->atoms[i]->at.line > last)
			last = r->atoms[i]->at.line;
	for (l = last + 1; ; l++) {
		off = line_offset(p->text, p->len, l);
		if (off >= p->len)
			break;
		while (off < p->len && (p->text[off] == ' ' ||
		    p->text[off] == '\t'))
			off++;
		if (off >= p->len || strchr("\"/()|?*+", p->text[off]) == NULL)
			break;
		last = l;
	}
	return last;
}

static int
rule_named(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nrules; i++)
		if (strcmp(p->rules[i].name, name) == 0)
			return 1;
	return 0;
}

/* ---- a new rule --------------------------------------------------------- */

/* The absolute program for a client's first word, found without running
 * anything; a Python script gets its interpreter with -I. */
static void
default_run(struct buf *b, const char *word)
{
	static const char *const dirs[] = {
		"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin", NULL
	};
	char *path = NULL, line[256], *interp, *sp;
	struct stat st;
	size_t i;
	FILE *f;

	if (word[0] == '/')
		path = xstrdup(word);
	for (i = 0; path == NULL && dirs[i] != NULL && strchr(word, '/') ==
	    NULL; i++) {
		char *t = xasprintf("%s/%s", dirs[i], word);

		if (stat(t, &st) == 0 && S_ISREG(st.st_mode))
			path = t;
		else
			free(t);
	}
	if (path == NULL) {
		bprintf(b, "    run      /ABSOLUTE/PATH/OF/");
		put_value(b, word);
		bputs(b, "\n");
		return;
	}
	f = fopen(path, "re");
	if (f != NULL && fgets(line, sizeof(line), f) != NULL &&
	    strncmp(line, "#!", 2) == 0) {
		interp = line + 2;
		while (*interp == ' ')
			interp++;
		interp[strcspn(interp, " \t\n")] = '\0';
		sp = strrchr(interp, '/');
		if (interp[0] == '/' && sp != NULL &&
		    strncmp(sp + 1, "python", 6) == 0) {
			bprintf(b, "    run      %s -I ", interp);
			put_value(b, path);
			bputs(b, "\n");
			fclose(f);
			free(path);
			return;
		}
	}
	if (f != NULL)
		fclose(f);
	bputs(b, "    run      ");
	put_value(b, path);
	bputs(b, "\n");
	free(path);
}

static void
put_seccomp(struct buf *b, const struct rule *r)
{
	const struct sc_group *g;

	if (r->seccomp_off) {
		bputs(b, "none");
		return;
	}
	if (r->seccomp == SC_DEFAULT) {
		bputs(b, "default");
		return;
	}
	bputs(b, "strict");
	for (g = sc_groups; g->name != NULL; g++)
		if (!(r->seccomp & g->bit))
			bprintf(b, " -%s", g->name);
}

/* The confinement of a template rule, field by field. */
static void
put_confinement(struct buf *b, const struct rule *t)
{
	size_t i;
	int c, any = 0;

	bputs(b, "    run     ");
	for (i = 0; i < t->nrun; i++) {
		bputs(b, " ");
		put_value(b, t->run[i]);
	}
	bprintf(b, "\n    as       %s%s%s\n", t->user, t->group ? ":" : "",
	    t->group ? t->group : "");
	bputs(b, "    caps     ");
	for (c = 0; c < 64; c++)
		if ((t->caps >> c) & 1)
			bprintf(b, "%s%s", any++ ? " " : "", cap_to_name(c));
	bprintf(b, "%s\n    seccomp  ", any ? "" : "none");
	put_seccomp(b, t);
	bprintf(b, "\n    landlock %s\n", landlock_mode_name(t->landlock));
	if (t->nwrite > 0) {
		bputs(b, "    write   ");
		for (i = 0; i < t->nwrite; i++) {
			bputs(b, " ");
			put_value(b, t->write[i]);
		}
		bputs(b, "\n");
	}
	if (t->nexec > 0) {
		bputs(b, "    exec    ");
		for (i = 0; i < t->nexec; i++) {
			bputs(b, " ");
			put_value(b, t->exec[i]);
		}
		bputs(b, "\n");
	}
	if (t->nread > 0) {
		bputs(b, "    read    ");
		for (i = 0; i < t->nread; i++) {
			bputs(b, " ");
			put_value(b, t->read[i]);
		}
		bputs(b, "\n");
	}
	if (t->timeout)
		bprintf(b, "    timeout  %us\n", t->timeout);
	if (t->nkeep > 0) {
		bputs(b, "    keepenv ");
		for (i = 0; i < t->nkeep; i++)
			bprintf(b, " %s", t->keepenv[i]);
		bputs(b, "\n");
	}
	for (i = 0; i < t->nset; i++) {
		bprintf(b, "    setenv   %s ", t->setenv[i].name);
		put_string(b, t->setenv[i].value);
		bputs(b, "\n");
	}
}

static void
put_tests(struct buf *b, const struct group *g, const char *indent)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		bprintf(b, "%stest permit ", indent);
		put_string(b, g->v[i].text);
		if (g->v[i].from != NULL)
			bprintf(b, " from %s", g->v[i].from);
		if (g->v[i].tag != NULL)
			bprintf(b, " tag %s", g->v[i].tag);
		bputs(b, "\n");
	}
}

static char *
new_rule(const struct policy *p, const struct group *g,
    const struct rule *tmpl, char **name_out, char *const *taken,
    size_t ntaken)
{
	struct buf b = { 0 }, nm = { 0 };
	const struct cmd *c0 = &g->v[0];
	const char *w0 = c0->w.v[c0->skip], *base = strrchr(w0, '/');
	char *name;
	size_t i, k;
	int n = 1, clash;

	base = base ? base + 1 : w0;
	for (i = 0; base[i] != '\0' && nm.n < 40; i++)
		if ((base[i] >= 'a' && base[i] <= 'z') || (base[i] >= 'A' &&
		    base[i] <= 'Z') || (base[i] >= '0' && base[i] <= '9') ||
		    strchr("_.-", base[i]) != NULL)
			bput(&nm, base + i, 1);
	if (nm.n == 0)
		bputs(&nm, "command");
	/* then its command word, or its last option without dashes */
	for (i = c0->skip + 1, k = 0; i < c0->w.n && k == 0; i++)
		if (c0->w.v[i][0] != '-')
			k = i;
	if (k == 0 && c0->w.n > c0->skip + 1)
		k = c0->w.n - 1;
	if (k > 0) {
		const char *s = c0->w.v[k];
		size_t before = nm.n;

		bputs(&nm, "-");
		for (s += strspn(s, "-"), i = 0; s[i] != '\0' && i < 20; i++)
			if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
			    s[i] <= '9') || s[i] == '-')
				bput(&nm, s + i, 1);
		if (nm.n == before + 1) {	/* nothing usable */
			nm.n = before;
			nm.s[nm.n] = '\0';
		}
	}
	name = xstrdup(nm.s);
	do {
		clash = rule_named(p, name);
		for (k = 0; k < ntaken && !clash; k++)
			clash = strcmp(taken[k], name) == 0;
		if (clash) {
			free(name);
			name = xasprintf("%s-%d", nm.s, ++n);
		}
	} while (clash);
	free(nm.s);

	bprintf(&b, "rule %s {\n", name);
	if (tmpl != NULL && tmpl->ndrop > 0) {
		bputs(&b, "    drop    ");
		for (i = 0; i < tmpl->ndrop; i++) {
			bputs(&b, " ");
			put_string(&b, tmpl->drop[i]);
		}
		bputs(&b, "\n");
	} else if (c0->skip > 0) {
		bputs(&b, "    drop    ");
		for (i = 0; i < c0->skip; i++) {
			bputs(&b, " ");
			put_string(&b, c0->w.v[i]);
		}
		bputs(&b, "\n");
	}
	if (c0->from != NULL)
		bprintf(&b, "    from     %s\n", c0->from);
	if (c0->tag != NULL)
		bprintf(&b, "    tag      %s\n", c0->tag);
	if (tmpl != NULL) {
		bprintf(&b, "    # confinement as in rule '%s' (line %u): "
		    "narrow it to what this command needs\n", tmpl->name,
		    tmpl->loc.name.line);
		put_confinement(&b, tmpl);
	} else {
		default_run(&b, w0);
		bputs(&b, "    # a runner account of its own is better than "
		    "nobody\n");
		bputs(&b, "    as       nobody\n    caps     none\n"
		    "    seccomp  strict\n    landlock require\n");
	}
	for (i = 0; i < g->n; i++)
		bprintf(&b, "%s%s\n", i ? "             | " : "    args     ",
		    g->v[i].seq);
	put_tests(&b, g, "    ");
	bputs(&b, "}\n");
	*name_out = name;
	return bdone(&b);
}

/* ---- proof ---------------------------------------------------------------- */

struct proof {
	int		 parses, tests, permits;
	struct diags	 warnings;	/* probe warnings on the new lines */
	struct diags	 errors;	/* why a proof failed */
};

/*
 * A diagnostic of the policy with the suggestion, put where its reader
 * finds it: a line of the suggestion on the suggestion's own lines (its
 * source sug is "suggestion N", line 1 its first printed line), any other
 * line on the policy as it is without the suggestion (a line after an
 * addition moves back by the addition's length), no line on sug.
 */
static void
relocate(struct diags *to, const struct diag *x, const struct policy *p,
    const struct source *sug, unsigned first, unsigned last)
{
	struct source src = policy_source(p);
	struct loc at = { x->line, x->col, x->width };
	const struct source *s = &src;

	if (x->line == 0)
		s = sug;
	else if (x->line >= first && x->line <= last) {
		at.line = x->line - first + 1;
		s = sug;
	} else if (x->line > last)
		at.line = x->line - (last - first + 1);
	diag_add(to, x->level, x->name, s, x->line ? &at : NULL, x->rule,
	    "%s", x->msg);
}

static void
prove(const struct policy *p, const char *text, size_t len,
    unsigned first, unsigned last, const char *rule, const struct group *g,
    const struct source *sug, struct proof *pf)
{
	struct diags d = { 0 }, pd = { 0 };
	struct policy *np;
	size_t i;
	int keep = 0;

	memset(pf, 0, sizeof(*pf));
	np = policy_parse(p->file, text, len, &d);
	if (np == NULL)
		goto out;
	pf->parses = 1;
	pf->tests = policy_run_tests(np, &d) == 0;
	pf->permits = 1;
	for (i = 0; i < g->n; i++) {
		struct request req;
		struct decision dec;

		memset(&req, 0, sizeof(req));
		req.cmd = g->v[i].text;
		req.cmdlen = strlen(g->v[i].text);
		req.from = g->v[i].from;
		req.tag = g->v[i].tag;
		policy_decide(np, &req, &dec, NULL);
		if (dec.verdict != VERDICT_PERMIT ||
		    strcmp(dec.rule->name, rule) != 0) {
			char *e = escape_str(g->v[i].text, 1024);

			pf->permits = 0;
			diag_add(&d, DIAG_ERROR, NULL, NULL, NULL, rule,
			    "the policy with the suggestion does not permit "
			    "'%s' by rule '%s': %s", e, rule, dec.reason);
			free(e);
		}
		decision_free(&dec);
	}
	for (i = 0; i < np->nrules; i++)
		if (strcmp(np->rules[i].name, rule) == 0)
			probe_suggested_rule(np, &np->rules[i], &pd);
	/* only what the suggested lines bring; a note follows its warning */
	for (i = 0; i < pd.n; i++) {
		const struct diag *x = &pd.v[i];

		if (x->level == DIAG_NOTE && x->line == 0) {
			if (keep)
				relocate(&pf->warnings, x, p, sug, first, last);
			continue;
		}
		keep = x->line >= first && x->line <= last;
		if (keep)
			relocate(&pf->warnings, x, p, sug, first, last);
	}
	policy_free(np);
out:
	for (i = 0; i < d.n; i++)
		relocate(&pf->errors, &d.v[i], p, sug, first, last);
	diags_free(&pd);
	diags_free(&d);
}

static void
proof_free(struct proof *pf)
{
	diags_free(&pf->warnings);
	diags_free(&pf->errors);
}

/* ---- one group of commands ------------------------------------------------ */

static void
put_escaped(FILE *f, const char *prefix, const char *s)
{
	char *e = escape_str(s, 4096);

	fprintf(f, "%s%s\n", prefix, e);
	free(e);
}

/*
 * Diagnostics as comments on stdout: "# warning: suggestion 2, line 1,
 * column 32: MSG [NAME]", the line and a caret under it, each "# "ed.
 */
static void
comment_diags(const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		char *r = diag_render(g), *l, *nl;

		if (g->line > 0)
			printf("#   %s: %s, line %u, column %u: %s",
			    diag_level_name(g->level), g->file, g->line,
			    g->col, g->msg);
		else
			printf("#   %s: %s: %s", diag_level_name(g->level),
			    g->file, g->msg);
		if (g->name != NULL)
			printf(" [%s]", g->name);
		printf("\n");
		/* the source line and its caret: diag_render()'s after its head */
		for (l = strchr(r, '\n'); l != NULL && l[1] != '\0'; l = nl) {
			nl = strchr(l + 1, '\n');
			if (nl != NULL)
				*nl = '\0';
			printf("#   %s\n", l + 1);
		}
		free(r);
	}
}

/*
 * Suggest for a group of commands that share program, command word and
 * connection.  Returns LINT_OK, LINT_WARN (the danger probes flag the
 * suggestion) or LINT_ERROR (it could not be proven).  A flagged one is
 * withheld, its warnings printed, unless SUGGEST_DANGEROUS.
 */
static int
suggest_group(struct policy *p, struct group *g, const struct rule *target,
    const struct rule *tmpl, struct sctx *cx)
{
	struct buf add = { 0 }, text = { 0 };
	struct proof pf;
	struct source sug;
	struct out *o = cx->o;
	char *rule_text = NULL, *name = NULL, *indent, *sname;
	unsigned after = 0, first, last, nlines = 0, num = ++cx->nsug;
	size_t off, i;
	int rc, withheld;
	const char *kind;

	if (target != NULL) {
		/* an addition: one more alternative, and its tests */
		unsigned col = target->atoms[0]->at.col;

		kind = "addition";
		name = xstrdup(target->name);
		after = args_end_line(p, target);
		indent = xasprintf("%*s", (int)(col > 1 ? col - 1 : 0), "");
		for (i = 0; i < g->n; i++)
			bprintf(&add, "%s| %s\n", indent, g->v[i].seq);
		free(indent);
		indent = xasprintf("%*s", (int)(target->loc.args.col > 1 ?
		    target->loc.args.col - 1 : 4), "");
		put_tests(&add, g, indent);
		free(indent);
		off = line_offset(p->text, p->len, after + 1);
		bput(&text, p->text, off);
		if (off > 0 && p->text[off - 1] != '\n')
			bputs(&text, "\n");
		bputs(&text, add.s);
		bput(&text, p->text + off, p->len - off);
		first = after + 1;
	} else {
		kind = "rule";
		rule_text = new_rule(p, g, tmpl, &name, cx->taken, cx->ntaken);
		cx->taken = xreallocarray(cx->taken, cx->ntaken + 1,
		    sizeof(*cx->taken));
		cx->taken[cx->ntaken++] = xstrdup(name);
		bput(&text, p->text, p->len);
		if (p->len > 0 && p->text[p->len - 1] != '\n')
			bputs(&text, "\n");
		bputs(&text, "\n");
		first = 1;
		for (i = 0; i < text.n; i++)
			first += text.s[i] == '\n';
		bputs(&text, rule_text);
		bputs(&add, rule_text);
	}
	for (i = 0; i < add.n; i++)
		nlines += add.s[i] == '\n';
	last = first + nlines - 1;
	sname = xasprintf("suggestion %u", num);
	sug.file = sname;
	sug.text = add.s;
	sug.len = add.n;
	prove(p, text.s, text.n, first, last, name, g, &sug, &pf);
	withheld = pf.warnings.nwarn > 0 && !(cx->flags & SUGGEST_DANGEROUS);
	rc = !pf.parses || !pf.tests || !pf.permits ? LINT_ERROR :
	    pf.warnings.nwarn > 0 ? LINT_WARN : LINT_OK;
	/*
	 * A group is withheld for one of its commands: suggest for each
	 * alone instead, so that a harmless denial is not hidden behind a
	 * dangerous one it was grouped with.
	 */
	if (withheld && g->n > 1) {
		cx->nsug--;
		if (target == NULL)
			free(cx->taken[--cx->ntaken]);
		for (i = 0, rc = LINT_OK; i < g->n; i++) {
			struct group one = { &g->v[i], 1 };
			int r = suggest_group(p, &one, target, tmpl, cx);

			if (r > rc)
				rc = r;
		}
		goto done;
	}

	if (o->json) {
		json_obj(&o->j);
		json_kstr(&o->j, "type", "suggestion");
		json_kint(&o->j, "number", num);
		json_kstr(&o->j, "kind", kind);
		json_kstr(&o->j, "rule", name);
		if (target != NULL)
			json_kint(&o->j, "after_line", after);
		json_key(&o->j, "commands");
		json_arr(&o->j);
		for (i = 0; i < g->n; i++) {
			json_obj(&o->j);
			json_kstr(&o->j, "command", g->v[i].text);
			json_kstr(&o->j, "from", g->v[i].from);
			json_kstr(&o->j, "tag", g->v[i].tag);
			json_kint(&o->j, "count", (long long)g->v[i].count);
			json_obj_end(&o->j);
		}
		json_arr_end(&o->j);
		json_kstr(&o->j, "text", withheld ? NULL : add.s);
		json_kbool(&o->j, "withheld", withheld);
		json_kbool(&o->j, "parses", pf.parses);
		json_kbool(&o->j, "tests_pass", pf.tests);
		json_kbool(&o->j, "permits", pf.permits);
		json_kint(&o->j, "warnings", (long long)pf.warnings.nwarn);
		json_obj_end(&o->j);
		out_diags(o, &pf.errors);
		out_diags(o, &pf.warnings);
		goto done;
	}
	for (i = 0; i < g->n; i++) {
		char *h = g->v[i].count > 1 ? xasprintf("# %s: denied %zu "
		    "times, like: ", sname, g->v[i].count) :
		    xasprintf("# %s: denied: ", sname);

		put_escaped(stdout, h, g->v[i].text);
		free(h);
	}
	if (withheld) {
		printf("# %s: withheld: the danger probes flag it "
		    "(--include-dangerous prints it):\n", sname);
		comment_diags(&pf.warnings);
		comment_diags(&pf.errors);
		goto done;
	}
	if (target != NULL)
		printf("# %s: add to rule '%s' (%s:%u), after line %u:\n",
		    sname, name, p->file, target->loc.name.line, after);
	else
		printf("# %s: a new rule; append it to %s:\n", sname, p->file);
	fputs(add.s, stdout);
	if (rc == LINT_ERROR)
		printf("# %s: NOT PROVEN:\n", sname);
	else
		printf("# %s: checked: with this %s the policy parses, its "
		    "tests pass, and rule '%s' permits %s; the danger probes "
		    "%s\n", sname, kind, name, g->n == 1 ? "the command" :
		    "each command", pf.warnings.nwarn ? "warn:" :
		    "find nothing");
	comment_diags(&pf.errors);
	comment_diags(&pf.warnings);
done:
	fflush(stdout);
	proof_free(&pf);
	free(sname);
	free(add.s);
	free(text.s);
	free(rule_text);
	free(name);
	return rc;
}

/* ---- classifying commands ---------------------------------------------- */

enum verdict_kind { V_SUGGEST, V_PERMITTED, V_DENY_RULE, V_TOKENIZER };

/*
 * Ask the gate.  For a command no rule takes, find the rule it came
 * closest to: the run rule whose pattern read the most words (at least
 * the program and its command word: an addition; at least the program:
 * a template for a new rule's confinement).
 */
static enum verdict_kind
classify(const struct policy *p, struct cmd *c, const struct rule **target,
    const struct rule **tmpl, char *why, size_t whylen)
{
	struct request req;
	struct decision dec;
	struct trace t;
	size_t i, best = 0;
	enum verdict_kind v = V_SUGGEST;
	const struct rule *bestr = NULL;

	*target = *tmpl = NULL;
	memset(&req, 0, sizeof(req));
	req.cmd = c->text;
	req.cmdlen = strnlen(c->text, SSHGATE_CMD_MAX + 1);
	req.from = c->from;
	req.tag = c->tag;
	policy_decide(p, &req, &dec, &t);
	snprintf(why, whylen, "%s", dec.reason);
	if (dec.cause == CAUSE_TOKENIZER)
		v = V_TOKENIZER;
	else if (dec.verdict == VERDICT_PERMIT)
		v = V_PERMITTED;
	else if (dec.cause == CAUSE_DENY_RULE || dec.cause == CAUSE_MATCH_ERROR ||
	    dec.cause == CAUSE_BUDGET)
		v = V_DENY_RULE;
	else {
		c->w = dec.words;
		memset(&dec.words, 0, sizeof(dec.words));
		for (i = 0; i < t.n; i++) {
			const struct rule_trace *rt = &t.v[i];

			if (rt->outcome != RULE_NO_MATCH || rt->rule->deny)
				continue;
			if (bestr == NULL || rt->stop > best) {
				best = rt->stop;
				bestr = rt->rule;
				c->skip = rt->dropped;
			}
		}
		if (bestr != NULL && best >= 1)
			*tmpl = bestr;
		if (bestr != NULL && best >= 2)
			*target = bestr;
		if (*tmpl == NULL)
			c->skip = 0;
		if (*tmpl == NULL && c->w.n >= 3 &&
		    strcmp(c->w.v[0], "sudo") == 0 &&
		    strcmp(c->w.v[1], "-E") == 0)
			c->skip = 2;	/* the old wrapper's prefix */
		if (c->skip >= c->w.n)
			c->skip = 0;
	}
	trace_free(&t);
	decision_free(&dec);
	return v;
}

static void
note_line(struct out *o, const char *what, const char *cmd, const char *why)
{
	char *e = escape_str(cmd, 1024), *w = escape_str(why, 512);

	if (o->json) {
		json_obj(&o->j);
		json_kstr(&o->j, "type", "skipped");
		json_kstr(&o->j, "command", e);
		json_kstr(&o->j, "why", w);
		json_obj_end(&o->j);
	} else
		printf("# %s: %s\n#   %s\n", what, e, w);
	free(e);
	free(w);
}

/* Group commands that share (from, tag, target or template, program,
 * command word) into one suggestion each; suggest; worst status wins. */
static int
suggest_all(struct policy *p, struct cmd *cmds, size_t n, struct sctx *cx)
{
	const struct rule **targets, **tmpls;
	unsigned char *done = xcalloc(n + 1, 1);
	char why[512];
	struct out *o = cx->o;
	size_t i, j, k;
	int rc = LINT_OK, r;

	targets = xcalloc(n + 1, sizeof(*targets));
	tmpls = xcalloc(n + 1, sizeof(*tmpls));
	for (i = 0; i < n; i++) {
		switch (classify(p, &cmds[i], &targets[i], &tmpls[i], why,
		    sizeof(why))) {
		case V_SUGGEST:
			cmds[i].seq = sequence(cmds[i].w.v + cmds[i].skip,
			    cmds[i].w.n - cmds[i].skip, is_borg(&cmds[i]));
			break;
		case V_PERMITTED:
			note_line(o, "already permitted", cmds[i].text, why);
			done[i] = 1;
			break;
		case V_DENY_RULE:
			note_line(o, "denied on purpose, no suggestion",
			    cmds[i].text, why);
			done[i] = 1;
			if (rc == LINT_OK)
				rc = LINT_WARN;
			break;
		case V_TOKENIZER:
			note_line(o, "not a plain argv, no suggestion",
			    cmds[i].text, why);
			done[i] = 1;
			if (rc == LINT_OK)
				rc = LINT_WARN;
			break;
		}
	}
	for (i = 0; i < n; i++) {
		struct group g = { NULL, 0 };

		if (done[i])
			continue;
		for (j = i; j < n; j++) {
			const struct cmd *a = &cmds[i], *b = &cmds[j];
			int same;

			if (done[j])
				continue;
			same = targets[j] == targets[i] && tmpls[j] == tmpls[i] &&
			    (a->from ? b->from && strcmp(a->from, b->from) == 0 :
			    b->from == NULL) && (a->tag ? b->tag &&
			    strcmp(a->tag, b->tag) == 0 : b->tag == NULL) &&
			    a->skip == b->skip &&
			    strcmp(a->w.v[a->skip], b->w.v[b->skip]) == 0 &&
			    (a->w.n > a->skip + 1) == (b->w.n > b->skip + 1) &&
			    (a->w.n <= a->skip + 1 || strcmp(a->w.v[a->skip + 1],
			    b->w.v[b->skip + 1]) == 0);
			if (!same)
				continue;
			done[j] = 1;
			/* denials that differ only in timestamps: one */
			for (k = 0; k < g.n; k++)
				if (strcmp(g.v[k].seq, b->seq) == 0)
					break;
			if (k < g.n) {
				g.v[k].count += b->count;
				continue;
			}
			g.v = xreallocarray(g.v, g.n + 1, sizeof(*g.v));
			g.v[g.n++] = cmds[j];
		}
		r = suggest_group(p, &g, targets[i], tmpls[i], cx);
		if (r > rc)
			rc = r;
		free(g.v);
	}
	free(targets);
	free(tmpls);
	free(done);
	return rc;
}

static void
sctx_free(struct sctx *cx)
{
	size_t i;

	for (i = 0; i < cx->ntaken; i++)
		free(cx->taken[i]);
	free(cx->taken);
}

int
suggest_command(struct policy *p, const char *cmd, const char *from,
    const char *tag, int flags, struct out *o)
{
	struct sctx cx = { o, flags, 0, NULL, 0 };
	struct cmd c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.text = xstrdup(cmd);
	c.from = from ? xstrdup(from) : NULL;
	c.tag = tag ? xstrdup(tag) : NULL;
	c.count = 1;
	rc = suggest_all(p, &c, 1, &cx);
	sctx_free(&cx);
	cmd_free(&c);
	return rc;
}

/* ---- the log ---------------------------------------------------------------- */

/*
 * The gate's denials, read back by policy/logfmt.c, the code that wrote
 * them: a command logged whole (in one line or in parts) is suggested
 * for; one logged cut, or by its words alone, never.
 */
/*
 * Leave out the denials from addresses no rule's "from" names (when the
 * policy names any): after an attack the log is full of them, and a rule
 * suggested for one would let the attacker in.  Says how many, and from
 * which addresses (the first few), on stdout or as a JSON record.
 */
static int
same_from(const struct cmd *a, const struct cmd *b)
{
	return a->from ? b->from && strcmp(a->from, b->from) == 0 :
	    b->from == NULL;
}

static size_t
drop_unknown(const struct policy *p, struct cmd *cmds, size_t n,
    struct out *o)
{
	struct buf addrs = { 0 };
	unsigned char *unknown = xcalloc(n + 1, 1);
	size_t i, j, k = 0, denials = 0, naddr = 0;
	char *why;

	for (i = 0; i < n; i++)
		unknown[i] = policy_names_address(p, cmds[i].from) == 0;
	for (i = 0; i < n; i++) {
		if (!unknown[i])
			continue;
		denials += cmds[i].count;
		for (j = 0; j < i; j++)		/* an address seen before? */
			if (unknown[j] && same_from(&cmds[j], &cmds[i]))
				break;
		if (j == i && naddr++ < 5)
			bprintf(&addrs, "%s%s", naddr > 1 ? ", " : "",
			    cmds[i].from ? cmds[i].from : "none");
	}
	for (i = 0; i < n; i++) {
		if (unknown[i])
			cmd_free(&cmds[i]);
		else
			cmds[k++] = cmds[i];
	}
	free(unknown);
	if (denials == 0)
		return k;
	why = xasprintf("%zu denial%s from %zu address%s that no rule's "
	    "'from' names (%s%s); --include-unknown-addresses suggests for "
	    "them too", denials, denials == 1 ? "" : "s", naddr,
	    naddr == 1 ? "" : "es", addrs.s, naddr > 5 ? ", ..." : "");
	if (o->json) {
		json_obj(&o->j);
		json_kstr(&o->j, "type", "skipped");
		json_kstr(&o->j, "command", NULL);
		json_kint(&o->j, "count", (long long)denials);
		json_kstr(&o->j, "why", why);
		json_obj_end(&o->j);
	} else
		printf("# ignored: %s\n", why);
	free(why);
	free(addrs.s);
	return k;
}

int
suggest_log_flags(struct policy *p, FILE *in, const char *name, int flags,
    struct out *o)
{
	struct sctx cx = { o, flags, 0, NULL, 0 };
	struct logreader lr = { NULL, 0 };
	struct logdeny d;
	struct cmd *cmds = NULL, c;
	size_t n = 0, i, cap = 0, truncs = 0, lines = 0, bad = 0, incomplete;
	char *line = NULL, *why;
	ssize_t len;
	int rc;

	while ((len = getline(&line, &cap, in)) != -1) {
		lines++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		switch (logread_line(&lr, line, &d)) {
		case LOGREAD_NONE:
		case LOGREAD_PART:
			continue;
		case LOGREAD_BAD:
			bad++;
			continue;
		case LOGREAD_DONE:
			break;
		}
		if (d.what != LOGCMD_WHOLE) {	/* a shell request has none */
			truncs += d.what != LOGCMD_NONE;
			logdeny_free(&d);
			continue;
		}
		memset(&c, 0, sizeof(c));
		c.text = d.cmd;
		c.from = d.from;
		c.tag = d.tag;
		c.count = 1;
		d.cmd = d.from = d.tag = NULL;
		logdeny_free(&d);
		/* the same command from the same place: count it */
		for (i = 0; i < n; i++)
			if (strcmp(cmds[i].text, c.text) == 0 &&
			    same_from(&cmds[i], &c) &&
			    (cmds[i].tag ? c.tag && strcmp(cmds[i].tag,
			    c.tag) == 0 : c.tag == NULL))
				break;
		if (i < n) {
			cmds[i].count++;
			cmd_free(&c);
			continue;
		}
		cmds = xreallocarray(cmds, n + 1, sizeof(*cmds));
		cmds[n++] = c;
	}
	incomplete = logread_end(&lr);
	if (ferror(in)) {
		fprintf(stderr, "sshgate-lint: %s: %s\n", name, strerror(errno));
		free(line);
		for (i = 0; i < n; i++)
			cmd_free(&cmds[i]);
		free(cmds);
		return LINT_ERROR;
	}
	free(line);
	if (truncs > 0)
		note_line(o, "skipped", "(truncated commands)", truncs == 1 ?
		    "1 command was truncated in the log; a truncated command "
		    "is never suggested" : "commands were truncated in the "
		    "log; a truncated command is never suggested");
	if (incomplete + bad > 0) {
		why = xasprintf("%zu line%s that look like the gate's denials "
		    "do not read back, and %zu denial%s logged in parts lack "
		    "some; none is suggested", bad, bad == 1 ? "" : "s",
		    incomplete, incomplete == 1 ? "" : "s");
		note_line(o, "skipped", "(unreadable denials)", why);
		free(why);
	}
	if (n == 0) {
		fprintf(stderr, "sshgate-lint: %s: no sshgate denial among "
		    "%zu line%s\n", name, lines, lines == 1 ? "" : "s");
		free(cmds);
		return LINT_WARN;
	}
	if (!(flags & SUGGEST_UNKNOWN))
		n = drop_unknown(p, cmds, n, o);
	rc = n > 0 ? suggest_all(p, cmds, n, &cx) : LINT_WARN;
	sctx_free(&cx);
	for (i = 0; i < n; i++)
		cmd_free(&cmds[i]);
	free(cmds);
	return rc;
}

int
suggest_log(struct policy *p, FILE *in, const char *name, struct out *o)
{
	return suggest_log_flags(p, in, name, 0, o);
}

/*
 * A one-line denial's command, address and tag, read by policy/logfmt.c
 * (for --install's report of logged decisions, install.c): 0,
 * or -1 when the line is no whole denial (a denial in parts needs
 * logread_line() over all its lines).
 */
int
log_denial(const char *line, char **cmd, char **from, char **tag)
{
	struct logreader r = { NULL, 0 };
	struct logdeny d;
	int rc = -1;

	if (logread_line(&r, line, &d) == LOGREAD_DONE &&
	    d.what == LOGCMD_WHOLE) {
		*cmd = d.cmd;
		*from = d.from;
		*tag = d.tag;
		d.cmd = d.from = d.tag = NULL;
		rc = 0;
	}
	logdeny_free(&d);	/* logread_line() always sets it */
	logread_end(&r);
	return rc;
}

/* ---- --explain-log -------------------------------------------------------- */

/*
 * A command as one shell word that gives it back byte for byte: in
 * single quotes when it is printable ASCII, else in $'...' with every
 * other byte as \xNN -- printable ASCII either way, safe on a terminal.
 */
static char *
shell_quote(const char *s)
{
	struct buf b = { 0 };
	const unsigned char *p;
	int plain = 1;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			plain = 0;
	bputs(&b, plain ? "'" : "$'");
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (plain && *p == '\'')
			bputs(&b, "'\\''");
		else if (!plain && (*p == '\'' || *p == '\\'))
			bprintf(&b, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			bprintf(&b, "\\x%02x", *p);
		else
			bput(&b, (const char *)p, 1);
	}
	bputs(&b, "'");
	return bdone(&b);
}

int
explain_log(const char *arg, int json, char **cmd, char **from, char **tag)
{
	struct logreader lr = { NULL, 0 };
	struct logdeny d, got;
	char *text = NULL, *buf = NULL, *line, *next, *q;
	size_t cap = 0, n = 0;
	ssize_t len;
	int found = 0, bad = 0;
	FILE *in = stdin;

	memset(&got, 0, sizeof(got));
	if (strcmp(arg, "-") != 0)
		text = xstrdup(arg);
	else {
		text = NULL;
		while ((len = getline(&buf, &cap, in)) != -1) {
			q = text ? xasprintf("%s%s", text, buf) :
			    xstrdup(buf);
			free(text);
			text = q;
		}
		free(buf);
		if (text == NULL)
			text = xstrdup("");
	}
	/* every line; the first denial read back whole is the one */
	for (line = text; line != NULL && !found; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		switch (logread_line(&lr, line, &d)) {
		case LOGREAD_DONE:
			got = d;
			found = 1;
			break;
		case LOGREAD_BAD:
			bad = 1;
			break;
		default:
			break;
		}
	}
	n = logread_end(&lr);
	free(text);
	if (!found) {
		fprintf(stderr, "sshgate-lint: --explain-log: %s\n", n > 0 ?
		    "the denial's parts are not all there (give every line "
		    "of its sshgate[PID])" : bad ? "a denial line that does "
		    "not read back (edited, or not the gate's)" :
		    "no denial of the gate (\"deny caller=...\") in it");
		return -1;
	}
	if (got.what != LOGCMD_WHOLE) {
		fprintf(stderr, "sshgate-lint: --explain-log: %s\n",
		    got.what == LOGCMD_NONE ? "a shell request: there is no "
		    "command to explain" : got.what == LOGCMD_CUT ?
		    "the command was longer than the log keeps (its first "
		    "bytes only): the gate's own reason is in the line" :
		    "the log has the command's words that are not options "
		    "only (it was longer than the log keeps): the gate's own "
		    "reason is in the line");
		logdeny_free(&got);
		return -1;
	}
	if (!json) {
		/* printable ASCII: policy/logfmt.c reads no other reason */
		printf("logged:   reason \"%s\"\n", got.reason);
		q = shell_quote(got.cmd);
		printf("paste:    sshgate-lint%s%s%s%s --explain %s\n",
		    got.from ? " --from " : "", got.from ? got.from : "",
		    got.tag ? " --tag " : "", got.tag ? got.tag : "", q);
		free(q);
	}
	*cmd = got.cmd;
	*from = got.from;
	*tag = got.tag;
	got.cmd = got.from = got.tag = NULL;
	logdeny_free(&got);
	return 0;
}
