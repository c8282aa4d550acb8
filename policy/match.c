/*
 * The matcher.  MUST:
 *  - decide by one sentence: the first rule, in file order, whose
 *    selectors admit the connection and whose args pattern matches the
 *    words decides; if none does, deny;
 *  - run in time linear in the number of words: the args pattern is an NFA
 *    simulated state-set by state-set, each atom tried at most once per
 *    word, never backtracking over words;
 *  - treat any PCRE2 failure (a limit hit) as a deny of the whole command,
 *    never as "no match, try the next rule";
 *  - bound the regex work of the whole decision, every rule and word
 *    together, by one budget of PCRE2 steps (SSHGATE_PCRE2_BUDGET); a
 *    per-word limit alone lets 4,096 words cost 4,096 times as much.
 *    Running out is a deny of the whole command, like a limit;
 *  - never let the hint of a denial (the word the nearest rule refused)
 *    change the decision: it is text for the admin, made after deciding.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "escape.h"
#include "policy.h"
#include "xmalloc.h"

struct matcher {
	pcre2_match_context	*mctx;
	pcre2_match_data	*md;
	uint32_t		 budget;	/* PCRE2 steps left */
};

/* atom_match()'s failures; the caller denies */
#define MATCH_LIMIT	(-1)	/* a PCRE2 limit for one word */
#define MATCH_BUDGET	(-2)	/* the decision's budget ran out */
#define NOT_TRIED	(-3)	/* nfa_run()'s memo: no answer yet */

static void
matcher_init(struct matcher *m)
{
	m->mctx = pcre2_match_context_create(NULL);
	m->md = pcre2_match_data_create(1, NULL);
	if (m->mctx == NULL || m->md == NULL)
		xfatal_hook("pcre2 match context");
	m->budget = SSHGATE_PCRE2_BUDGET;
	pcre2_set_depth_limit(m->mctx, SSHGATE_PCRE2_DEPTH_LIMIT);
	pcre2_set_heap_limit(m->mctx, SSHGATE_PCRE2_HEAP_LIMIT);
}

static void
matcher_free(struct matcher *m)
{
	pcre2_match_data_free(m->md);
	pcre2_match_context_free(m->mctx);
}

/*
 * 1 match, 0 no match, MATCH_LIMIT or MATCH_BUDGET: the caller denies.
 *
 * The budget.  PCRE2 counts a match's steps against its match limit but
 * does not say how many it took, only whether it stayed under the limit.
 * So a regex is tried with a limit of SSHGATE_PCRE2_FIRST_STEPS, and
 * again with twice the limit each time it hits it, up to the per-word
 * limit and never above what is left of the budget; the limit it finished
 * under is charged.  A match is charged less than twice the steps it took
 * (but at least the first limit), and the tries before the last together
 * took fewer steps than twice the one before it: a whole decision does
 * at most twice the budget's steps, and one word's limit more (the
 * last try is cut to the per-word limit, and hitting it ends the
 * decision).  PCRE2's count does not depend on the machine or the time:
 * the gate and sshgate-lint reach the same verdict.
 */
static int
atom_match(struct matcher *m, const struct pat *a, const char *word)
{
	uint32_t lim = SSHGATE_PCRE2_FIRST_STEPS;
	int rc;

	if (a->kind == PAT_LIT)
		return strcmp(a->text, word) == 0;
	for (;;) {
		if (lim > SSHGATE_PCRE2_MATCH_LIMIT)
			lim = SSHGATE_PCRE2_MATCH_LIMIT;
		if (lim > m->budget)
			lim = m->budget;
		if (lim == 0)
			return MATCH_BUDGET;
		pcre2_set_match_limit(m->mctx, lim);
		rc = pcre2_match(a->re, (PCRE2_SPTR)word, strlen(word), 0, 0,
		    m->md, m->mctx);
		if (rc != PCRE2_ERROR_MATCHLIMIT)
			break;
		if (lim == SSHGATE_PCRE2_MATCH_LIMIT) {
			m->budget -= lim;
			return MATCH_LIMIT;
		}
		if (lim == m->budget) {
			m->budget = 0;
			return MATCH_BUDGET;
		}
		lim *= 2;
	}
	m->budget -= lim;
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return MATCH_LIMIT;
}

/*
 * One atom against one word, exactly as policy_decide() tries it (same
 * flags, same limits), for sshgate-lint's danger probes.
 */
int
policy_atom_match(const struct pat *a, const char *word)
{
	struct matcher m;
	int rc;

	if (a->kind == PAT_LIT)
		return strcmp(a->text, word) == 0;
	matcher_init(&m);
	rc = atom_match(&m, a, word);
	matcher_free(&m);
	return rc;
}

struct stateset {
	int	*v;
	size_t	 n;
};

/* Add s and everything reachable from it without reading a word. */
static void
add_state(const struct nfa *nfa, struct stateset *set, unsigned *mark,
    unsigned gen, int *stack, int s)
{
	size_t sp = 0;

	stack[sp++] = s;
	while (sp > 0) {
		const struct nfa_state *st;

		s = stack[--sp];
		if (s < 0 || mark[s] == gen)
			continue;
		mark[s] = gen;
		st = &nfa->s[s];
		switch (st->op) {
		case NFA_SPLIT:
			/* y first so that x is explored first (stable order) */
			stack[sp++] = st->y;
			stack[sp++] = st->x;
			break;
		case NFA_JUMP:
			stack[sp++] = st->x;
			break;
		case NFA_ATOM:
		case NFA_ACCEPT:
			set->v[set->n++] = s;
			break;
		}
	}
}

/*
 * Run the rule's NFA over words[0..n).  Returns 1 match, 0 no match,
 * MATCH_LIMIT or MATCH_BUDGET, with *stop the index of the word that failed or erred (n when
 * the words ran out); on no match the atoms that could have come next
 * are put in rt (if any).
 */
static int
nfa_run(struct matcher *m, const struct rule *r, char *const *words, size_t n,
    size_t *stop, struct rule_trace *rt)
{
	const struct nfa *nfa = &r->nfa;
	struct stateset cur, nxt, tmp;
	unsigned *mark, gen = 1;
	int *stack, *memo, result = 0;
	size_t i, k;

	cur.v = xreallocarray(NULL, nfa->n, sizeof(int));
	nxt.v = xreallocarray(NULL, nfa->n, sizeof(int));
	stack = xreallocarray(NULL, nfa->n * 2 + 2, sizeof(int));
	mark = xcalloc(nfa->n, sizeof(unsigned));
	memo = xreallocarray(NULL, r->natoms ? r->natoms : 1, sizeof(int));
	cur.n = nxt.n = 0;
	add_state(nfa, &cur, mark, gen, stack, nfa->start);

	for (i = 0; i < n && cur.n > 0; i++) {
		for (k = 0; k < r->natoms; k++)
			memo[k] = NOT_TRIED;
		nxt.n = 0;
		gen++;
		for (k = 0; k < cur.n; k++) {
			const struct nfa_state *st = &nfa->s[cur.v[k]];

			if (st->op != NFA_ATOM)
				continue;
			if (memo[st->atom] == NOT_TRIED)
				memo[st->atom] = atom_match(m,
				    r->atoms[st->atom], words[i]);
			if (memo[st->atom] < 0) {
				result = memo[st->atom];
				*stop = i;
				if (rt != NULL)
					rt->stop = i;
				goto out;
			}
			if (memo[st->atom] == 1)
				add_state(nfa, &nxt, mark, gen, stack, st->x);
		}
		if (nxt.n == 0)
			break;
		tmp = cur;
		cur = nxt;
		nxt = tmp;
	}
	*stop = i;
	if (i == n) {
		for (k = 0; k < cur.n; k++)
			if (nfa->s[cur.v[k]].op == NFA_ACCEPT)
				result = 1;
	}
	if (result == 0 && rt != NULL) {
		/* cur holds the states alive before word i failed (or the end) */
		rt->stop = i;
		rt->at_end = i == n;
		rt->expected = xreallocarray(NULL, cur.n + 1, sizeof(int));
		for (k = 0; k < cur.n; k++)
			if (nfa->s[cur.v[k]].op == NFA_ATOM)
				rt->expected[rt->nexpected++] =
				    nfa->s[cur.v[k]].atom;
	}
out:
	free(cur.v);
	free(nxt.v);
	free(stack);
	free(mark);
	free(memo);
	return result;
}

static int
cidr_contains(const struct cidr *c, int family, const unsigned char *a)
{
	unsigned i;

	if (c->family != family)
		return 0;
	for (i = 0; i < c->prefix; i++) {
		unsigned char bit = (unsigned char)(0x80 >> (i % 8));

		if ((c->addr[i / 8] & bit) != (a[i / 8] & bit))
			return 0;
	}
	return 1;
}

static int
from_admits(const struct rule *r, const char *from)
{
	unsigned char a[16];
	int family;
	size_t i;

	if (r->nfrom == 0)
		return 1;
	if (from == NULL)
		return 0;
	if (inet_pton(AF_INET, from, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, from, a) == 1) {
		family = AF_INET6;
		/* ::ffff:a.b.c.d is the IPv4 client a.b.c.d */
		static const unsigned char mapped[12] = {
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
		};
		if (memcmp(a, mapped, 12) == 0) {
			memmove(a, a + 12, 4);
			family = AF_INET;
		}
	} else
		return 0;
	for (i = 0; i < r->nfrom; i++)
		if (cidr_contains(&r->from[i], family, a))
			return 1;
	return 0;
}

/*
 * Does some rule's "from" name the address?  1 yes, 0 no, -1 when no
 * rule of the policy names any address (every rule admits every one).
 * For --suggest-from-log: a denial from an address the policy never
 * names is a stranger's, not a client the admin forgot.
 */
int
policy_names_address(const struct policy *p, const char *addr)
{
	size_t i;
	int any = 0;

	for (i = 0; i < p->nrules; i++) {
		if (p->rules[i].nfrom == 0)
			continue;
		any = 1;
		if (from_admits(&p->rules[i], addr))
			return 1;
	}
	return any ? 0 : -1;
}

static int
tag_admits(const struct rule *r, const char *tag)
{
	size_t i;

	if (r->ntags == 0)
		return 1;
	if (tag == NULL)
		return 0;
	for (i = 0; i < r->ntags; i++)
		if (strcmp(r->tags[i], tag) == 0)
			return 1;
	return 0;
}

static size_t
drop_count(const struct rule *r, const struct words *w)
{
	size_t i;

	if (r->ndrop == 0 || w->n < r->ndrop)
		return 0;
	for (i = 0; i < r->ndrop; i++)
		if (strcmp(r->drop[i], w->v[i]) != 0)
			return 0;
	return r->ndrop;
}

static struct rule_trace *
trace_add(struct trace *t, const struct rule *r, enum rule_outcome o)
{
	struct rule_trace *rt;

	if (t == NULL)
		return NULL;
	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	rt = &t->v[t->n++];
	memset(rt, 0, sizeof(*rt));
	rt->rule = r;
	rt->outcome = o;
	return rt;
}

/*
 * A denial names the rule that came nearest and the word it did not
 * accept: after a migration most denials are one word off (a source
 * directory outside the allowed roots), and "no rule permits this
 * command" alone does not say which.  Only a rule that read the program
 * and one more word is named: fewer is no rule for this command at all
 * ("sh -c id"), and naming one would be noise.
 *
 * Nearest: among the run rules whose selectors admitted the connection
 * and that were tried before the decision, the one whose pattern read
 * the most words; the first in the file on a tie.  decide() notes it
 * from the pass that decides (nfa_run()'s stop), so the hint costs no
 * regex work at all: a denial with a hint costs what it costs without
 * one, a factor of 1 on the budget (tests/lint.sh: a hint after 98% of
 * the budget, which a second pass would have run out of).  The gate and
 * sshgate-lint --test/--explain print the same reason: it is made here.
 */
#define HINT_MIN_WORDS	2
#define HINT_WORD_MAX	80	/* bytes of the word shown; escape.c adds "..." */

/*
 * Append "; rule 'NAME' (line L) does not accept word N: 'WORD'" (or
 * "needs more words after word N") to the reason, L the line of the
 * rule's name in the policy, for the rule r that read stop words
 * after its drop prefix, if it read enough.  Words are counted from 0 with the
 * dropped prefix, as sshgate-lint --explain lists them.  The reason is
 * logged inside reason="...", so the word is escaped with its quotes;
 * the word is shortened until the whole hint fits, never cut inside an
 * escape, and a hint that does not fit at all is left out (a long deny
 * message comes first, whole).
 */
static void
add_hint(struct decision *dec, const struct rule *r, size_t drop,
    size_t stop)
{
	size_t len = strlen(dec->reason), room = sizeof(dec->reason) - len;
	size_t w = drop + stop, max;
	char *e;
	int n;

	if (r == NULL || stop < HINT_MIN_WORDS)
		return;
	if (w >= dec->words.n) {
		n = snprintf(dec->reason + len, room, "; rule '%s' (line %u) "
		    "needs more words after word %zu", r->name,
		    r->loc.name.line, w - 1);
		if (n < 0 || (size_t)n >= room)
			dec->reason[len] = '\0';
		return;
	}
	for (max = strnlen(dec->words.v[w], HINT_WORD_MAX);; max--) {
		e = escape_quoted(dec->words.v[w], max);
		n = snprintf(dec->reason + len, room, "; rule '%s' (line %u) "
		    "does not accept word %zu: '%s'", r->name,
		    r->loc.name.line, w, e);
		free(e);
		if (n >= 0 && (size_t)n < room)
			return;
		if (max == 0) {
			dec->reason[len] = '\0';
			return;
		}
	}
}

/*
 * One decision with a given matcher.  PCRE2 10.42 keeps its backtracking
 * frames (20 KiB at least) in the match data: a policy's test run shares
 * one matcher instead of allocating them again for every test.
 */
static void
decide(const struct policy *p, const struct request *req,
    struct decision *dec, struct trace *t, struct matcher *m)
{
	const struct rule *near = NULL;	/* the permit rule that read most */
	size_t i, near_drop = 0, near_stop = 0;

	memset(dec, 0, sizeof(*dec));
	dec->verdict = VERDICT_DENY;
	m->budget = SSHGATE_PCRE2_BUDGET;	/* per decision */
	if (t != NULL)
		memset(t, 0, sizeof(*t));
	if (argv_split(req->cmd, req->cmdlen, &dec->words, &dec->tokerr) !=
	    TOK_OK) {
		dec->cause = CAUSE_TOKENIZER;
		tok_strerror(&dec->tokerr, dec->reason, sizeof(dec->reason));
		return;
	}
	for (i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rules[i];
		struct rule_trace *rt;
		size_t drop, stop = 0;
		int rc;

		if (!from_admits(r, req->from)) {
			trace_add(t, r, RULE_SKIP_FROM);
			continue;
		}
		if (!tag_admits(r, req->tag)) {
			trace_add(t, r, RULE_SKIP_TAG);
			continue;
		}
		drop = drop_count(r, &dec->words);
		rt = trace_add(t, r, RULE_NO_MATCH);
		if (rt != NULL)
			rt->dropped = drop;
		/* no word left after the prefix: nothing for "run" to replace */
		rc = dec->words.n > drop ? nfa_run(m, r, dec->words.v + drop,
		    dec->words.n - drop, &stop, rt) : 0;
		if (rc == 0) {
			/* the first of the furthest, for the denial's hint */
			if (r->deny == NULL && (near == NULL ||
			    stop > near_stop)) {
				near = r;
				near_drop = drop;
				near_stop = stop;
			}
			continue;
		}
		dec->rule = r;
		dec->dropped = drop;
		/* words are counted from 0, as --explain lists them */
		if (rc == MATCH_LIMIT) {
			if (rt != NULL)
				rt->outcome = RULE_ERROR;
			dec->cause = CAUSE_MATCH_ERROR;
			snprintf(dec->reason, sizeof(dec->reason), "rule '%s': "
			    "a pattern hit the PCRE2 match limit on word %zu",
			    r->name, stop + drop);
			return;
		}
		if (rc == MATCH_BUDGET) {
			if (rt != NULL)
				rt->outcome = RULE_BUDGET;
			dec->cause = CAUSE_BUDGET;
			snprintf(dec->reason, sizeof(dec->reason), "rule '%s': "
			    "the command needs more regex work than the budget "
			    "allows (%u PCRE2 steps in all, used up on word %zu)",
			    r->name, (unsigned)SSHGATE_PCRE2_BUDGET, stop + drop);
			return;
		}
		if (rt != NULL)
			rt->outcome = RULE_MATCH;
		if (r->deny != NULL) {
			dec->cause = CAUSE_DENY_RULE;
			snprintf(dec->reason, sizeof(dec->reason), "rule '%s': "
			    "%s", r->name, r->deny);
			add_hint(dec, near, near_drop, near_stop);
			return;
		}
		dec->verdict = VERDICT_PERMIT;
		dec->cause = CAUSE_NONE;
		snprintf(dec->reason, sizeof(dec->reason), "rule '%s'", r->name);
		return;
	}
	dec->cause = CAUSE_NO_RULE;
	snprintf(dec->reason, sizeof(dec->reason), "no rule permits this "
	    "command");
	add_hint(dec, near, near_drop, near_stop);
}

void
policy_decide(const struct policy *p, const struct request *req,
    struct decision *dec, struct trace *t)
{
	struct matcher m;

	matcher_init(&m);
	decide(p, req, dec, t, &m);
	matcher_free(&m);
}

void
decision_free(struct decision *dec)
{
	words_free(&dec->words);
}

void
trace_free(struct trace *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].expected);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int
parse_ssh_connection(const char *conn, char *addr, size_t size)
{
	const char *sp;
	size_t n;
	unsigned char buf[16];

	if (conn == NULL)
		return -1;
	sp = strchr(conn, ' ');
	n = sp ? (size_t)(sp - conn) : strlen(conn);
	if (n == 0 || n >= size)
		return -1;
	memcpy(addr, conn, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, buf) != 1 &&
	    inet_pton(AF_INET6, addr, buf) != 1)
		return -1;
	return 0;
}

/*
 * An atom as it is written in the policy: the lexer's only rewritings
 * (\" and \\ in a literal, \/ in a regex) are undone, nothing else is
 * escaped -- the lexer let only printable ASCII into atoms.  Long atoms
 * end in "...".
 */
char *
pat_atom_text(const struct pat *a)
{
	const size_t max = 200;
	size_t i, o = 0, n = strlen(a->text);
	char *s, q = a->kind == PAT_LIT ? '"' : '/';

	/* each byte may take two; quotes, "..." and NUL take six */
	s = xmalloc(2 * (n < max ? n : max) + 6);
	s[o++] = q;
	for (i = 0; i < n && i < max; i++) {
		char c = a->text[i];

		if (c == q || (a->kind == PAT_LIT && c == '\\'))
			s[o++] = '\\';
		s[o++] = c;
	}
	if (i < n) {
		memcpy(s + o, "...", 3);
		o += 3;
	}
	s[o++] = q;
	s[o] = '\0';
	return s;
}

static void
append(char **s, const char *t)
{
	char *n = xasprintf("%s%s", *s, t);

	free(*s);
	*s = n;
}

char *
pat_text(const struct pat *p)
{
	char *s = xstrdup(""), *k;
	size_t i;

	switch (p->kind) {
	case PAT_LIT:
	case PAT_RE:
		free(s);
		return pat_atom_text(p);
	case PAT_SEQ:
	case PAT_ALT:
		for (i = 0; i < p->nkids; i++) {
			if (i > 0)
				append(&s, p->kind == PAT_SEQ ? " " : " | ");
			k = pat_text(p->kids[i]);
			append(&s, k);
			free(k);
		}
		return s;
	case PAT_OPT:
	case PAT_STAR:
	case PAT_PLUS:
		k = pat_text(p->kids[0]);
		if (p->kids[0]->kind == PAT_SEQ || p->kids[0]->kind == PAT_ALT) {
			append(&s, "(");
			append(&s, k);
			append(&s, ")");
		} else
			append(&s, k);
		free(k);
		append(&s, p->kind == PAT_OPT ? "?" : p->kind == PAT_STAR ?
		    "*" : "+");
		return s;
	}
	return s;
}

size_t
policy_run_tests(const struct policy *p, struct diags *d)
{
	struct source src = policy_source(p);
	struct matcher m;
	size_t i, failed = 0;

	matcher_init(&m);
	for (i = 0; i < p->ntests; i++) {
		const struct ptest *t = &p->tests[i];
		const char *rname = t->rule >= 0 ? p->rules[t->rule].name : NULL;
		struct request req = { t->cmd, strlen(t->cmd), t->tag, t->from };
		struct decision dec;
		int ok;

		decide(p, &req, &dec, NULL, &m);
		if (t->want == TEST_DENY)
			ok = dec.verdict == VERDICT_DENY;
		else
			ok = dec.verdict == VERDICT_PERMIT && (t->rule < 0 ||
			    dec.rule == &p->rules[t->rule]);
		if (!ok) {
			failed++;
			if (t->want == TEST_DENY)
				diag_add(d, DIAG_ERROR, NULL, &src, &t->at, rname,
				    "test expects deny, but %s permits it",
				    dec.reason);
			else if (dec.verdict == VERDICT_PERMIT)
				diag_add(d, DIAG_ERROR, NULL, &src, &t->at, rname,
				    "test expects permit by rule '%s', but %s "
				    "permits it%s", rname, dec.reason,
				    dec.rule->index < t->rule ? " first" : "");
			else if (rname != NULL)
				diag_add(d, DIAG_ERROR, NULL, &src, &t->at, rname,
				    "test expects permit by rule '%s', but it is "
				    "denied: %s", rname, dec.reason);
			else
				diag_add(d, DIAG_ERROR, NULL, &src, &t->at, rname,
				    "test expects permit, but it is denied: %s",
				    dec.reason);
		}
		decision_free(&dec);
	}
	matcher_free(&m);
	return failed;
}
