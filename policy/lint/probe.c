/*
 * Danger probes.  MUST:
 *  - decide with the gate's own code: an atom is tried with
 *    policy_atom_match() (the matcher's test), and a hit counts only when
 *    a whole example command built around it is permitted by the rule
 *    through policy_decide() -- never a second matcher;
 *  - take what is dangerous from the catalogue's tables (catalogue.c),
 *    never from code here;
 *  - probe run rules only: a deny rule's broad patterns deny, they do not
 *    endanger;
 *  - never execute anything: the program files are only stat'ed and, for
 *    a #! line, read.
 *
 * Vocabulary: an atom is one "literal" or /regex/ of a rule's args; the
 * rule's NFA (parse.c) says which atoms can follow which.  Word 0 is the
 * client's program name, which the rule's run replaces: only atoms that
 * can match a later word reach the program.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "automaton.h"
#include "catalogue.h"
#include "confine.h"
#include "escape.h"
#include "location.h"
#include "probe.h"
#include "sampler.h"
#include "strv.h"
#include "syscalls.h"
#include "trust.h"
#include "xmalloc.h"

/* One forced step of an example: this atom takes this word. */
struct step {
	int		 atom;
	const char	*word;
};

/* What the probes found for one (atom, danger). */
struct finding {
	int		 hit;		/* 1 unconfirmed, 2 confirmed */
	char		*words;		/* the forced words, quoted, escaped */
	char		*example;	/* the permitted command */
};

struct ctx {
	struct policy		*p;
	struct rule		*r;
	struct diags		*d;
	struct source		 src;
	const struct program	*prog;
	size_t			 n;		/* atoms */
	struct automaton	 au;		/* the rule's (automaton.h) */
	unsigned char		*subpos;	/* at the command's position */
	unsigned char		*scope_on;	/* program scopes reachable */
	struct strv		 pool;		/* sample words */
	const char		**sample;	/* a word each atom accepts */
	char			 from[64];
	const char		*tag;
	int			 emitted;	/* the last warning was shown */
	int			 client_literals; /* literals are client words */
};

static int
accepts(const struct ctx *c, int atom, const char *word)
{
	return policy_atom_match(c->r->atoms[atom], word) == 1;
}

static int
is_re(const struct ctx *c, int atom)
{
	return c->r->atoms[atom]->kind == PAT_RE;
}

/* Can the client choose this atom's word?  A regex, or (--suggest) any. */
static int
client_chosen(const struct ctx *c, int atom)
{
	return is_re(c, atom) || c->client_literals;
}

int
rule_allowed(struct rule *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nallows; i++)
		if (strcmp(r->allows[i].name, name) == 0) {
			r->allows[i].used = 1;
			return 1;
		}
	return 0;
}

static void __attribute__((format(printf, 4, 5)))
warn(struct ctx *c, const char *name, const struct loc *at,
    const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	c->emitted = 0;
	if (rule_allowed(c->r, name))
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		xfatal_hook("vasprintf");
	if (at == NULL || at->line == 0)
		at = &c->r->loc.name;
	diag_add(c->d, DIAG_WARNING, name, &c->src, at, c->r->name, "%s",
	    msg);
	free(msg);
	c->emitted = 1;
}

/* A note that belongs to the warning just emitted (if it was). */
static void __attribute__((format(printf, 2, 3)))
note(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (!c->emitted)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		xfatal_hook("vasprintf");
	diag_add(c->d, DIAG_NOTE, NULL, &c->src, NULL, c->r->name, "%s", msg);
	free(msg);
}

/* ---- samples and examples --------------------------------------------- */

/* The words of a test command: program names (word 0) or the others. */
static void
pool_add_command(struct ctx *c, const char *cmd, int program)
{
	struct words w;
	struct tok_error te;
	size_t i;

	if (argv_split(cmd, strlen(cmd), &w, &te) != TOK_OK)
		return;
	for (i = 0; i < w.n; i++)
		if ((i == 0) == program)
			strv_add(&c->pool, w.v[i]);
	words_free(&w);
}

/*
 * The best sample for an atom is the word it took in one of the policy's
 * own tests: find a path of atoms through the rule's automaton that
 * accepts the test's words (after the rule's drop prefix) and remember
 * each atom's word.
 */
static void
samples_from_test(struct ctx *c, const char *cmd)
{
	struct words w;
	struct tok_error te;
	unsigned char *reach;
	int *back;
	size_t i, a, b, n, skip = 0;
	int end = -1;

	if (argv_split(cmd, strlen(cmd), &w, &te) != TOK_OK)
		return;
	if (c->r->ndrop > 0 && w.n >= c->r->ndrop) {
		for (i = 0; i < c->r->ndrop; i++)
			if (strcmp(c->r->drop[i], w.v[i]) != 0)
				break;
		if (i == c->r->ndrop)
			skip = c->r->ndrop;
	}
	n = w.n - skip;
	if (n == 0 || c->n == 0) {
		words_free(&w);
		return;
	}
	reach = xcalloc(n * c->n, 1);
	back = xreallocarray(NULL, n * c->n, sizeof(int));
	for (i = 0; i < n; i++)
		for (a = 0; a < c->n; a++) {
			int ok = 0;

			back[i * c->n + a] = -1;
			if (i == 0)
				ok = c->au.first[a];
			else
				for (b = 0; b < c->n && !ok; b++)
					if (reach[(i - 1) * c->n + b] &&
					    c->au.succ[b * c->n + a]) {
						ok = 1;
						back[i * c->n + a] = (int)b;
					}
			if (ok && accepts(c, (int)a, w.v[skip + i]))
				reach[i * c->n + a] = 1;
		}
	for (a = 0; a < c->n && end < 0; a++)
		if (reach[(n - 1) * c->n + a] && c->au.ends[a])
			end = (int)a;
	for (i = n; end >= 0 && i-- > 0; ) {
		size_t k;

		/* point into the pool, which outlives the words */
		strv_add(&c->pool, w.v[skip + i]);
		for (k = 0; k < c->pool.n; k++)
			if (strcmp(c->pool.v[k], w.v[skip + i]) == 0)
				break;
		if (c->sample[end] == NULL)
			c->sample[end] = c->pool.v[k];
		end = back[i * c->n + (size_t)end];
	}
	free(reach);
	free(back);
	words_free(&w);
}

/*
 * Sample words complete example commands: the policy's own test words
 * first, then common ones, program names last; an atom's sample is the
 * first it accepts that does not start with '-' (else any).
 */
static void
make_samples(struct ctx *c)
{
	size_t i, k;
	int pass;

	for (i = 0; i < c->p->ntests; i++)
		pool_add_command(c, c->p->tests[i].cmd, 0);
	for (i = 0; common_samples[i] != NULL; i++)
		strv_add(&c->pool, common_samples[i]);
	for (i = 0; i < c->p->ntests; i++)
		pool_add_command(c, c->p->tests[i].cmd, 1);
	c->sample = xcalloc(c->n + 1, sizeof(*c->sample));
	for (i = 0; i < c->p->ntests; i++)
		if (c->p->tests[i].want == TEST_PERMIT)
			samples_from_test(c, c->p->tests[i].cmd);
	for (i = 0; i < c->n; i++) {
		const struct pat *a = c->r->atoms[i];

		if (c->sample[i] != NULL)
			continue;
		if (a->kind == PAT_LIT) {
			c->sample[i] = a->text;
			continue;
		}
		for (pass = 0; pass < 2 && c->sample[i] == NULL; pass++)
			for (k = 0; k < c->pool.n; k++)
				if ((pass || c->pool.v[k][0] != '-') &&
				    accepts(c, (int)i, c->pool.v[k])) {
					c->sample[i] = c->pool.v[k];
					break;
				}
		for (pass = 0; pass < 2 && c->sample[i] == NULL; pass++) {
			char *w = regex_example(a->text, pass);

			if (w != NULL && w[0] != '\0' && accepts(c, (int)i, w)) {
				strv_add(&c->pool, w);
				c->sample[i] = c->pool.v[c->pool.n - 1];
			}
			free(w);
		}
	}
}

enum wres { W_NONE, W_PERMITTED, W_NOT_THIS_RULE };

/*
 * Build a whole command around the forced steps and let the gate's own
 * decision say whether this rule permits it.
 */
static enum wres
witness(struct ctx *c, const struct step *chain, size_t k, char **example)
{
	int *pre, *post;
	size_t npre, npost, i, n = 0;
	char **words, *cmd;
	struct request req;
	struct decision dec;
	enum wres res;

	*example = NULL;
	if (automaton_path(&c->au, c->sample, -1, chain[0].atom, &pre,
	    &npre) != 0)
		return W_NONE;
	if (automaton_path(&c->au, c->sample, chain[k - 1].atom, -1,
	    &post, &npost) != 0) {
		free(pre);
		return W_NONE;
	}
	words = xreallocarray(NULL, npre + k + npost + 1, sizeof(*words));
	for (i = 0; i < npre; i++)
		words[n++] = xstrdup(c->sample[pre[i]]);
	for (i = 0; i < k; i++)
		words[n++] = xstrdup(chain[i].word);
	for (i = 0; i < npost; i++)
		words[n++] = xstrdup(c->sample[post[i]]);
	words[n] = NULL;
	cmd = argv_join(words, n);
	for (i = 0; i < n; i++)
		free(words[i]);
	free(words);
	free(pre);
	free(post);

	memset(&req, 0, sizeof(req));
	req.cmd = cmd;
	req.cmdlen = strnlen(cmd, SSHGATE_CMD_MAX + 1);
	req.tag = c->tag;
	req.from = c->from[0] ? c->from : NULL;
	policy_decide(c->p, &req, &dec, NULL);
	res = dec.verdict == VERDICT_PERMIT && dec.rule == c->r ?
	    W_PERMITTED : W_NOT_THIS_RULE;
	decision_free(&dec);
	if (res == W_PERMITTED)
		*example = cmd;
	else
		free(cmd);
	return res;
}

static char *
chain_text(const struct step *chain, size_t k)
{
	char *s = xstrdup(""), *t, *e;
	size_t i;

	for (i = 0; i < k; i++) {
		e = escape_str(chain[i].word, 200);
		t = xasprintf("%s%s'%s'", s, i ? " then " : "", e);
		free(e);
		free(s);
		s = t;
	}
	return s;
}

/* Try one candidate: the atoms must accept it, then an example decides. */
static void
consider(struct ctx *c, struct finding *f, const struct step *chain,
    size_t k)
{
	size_t i;
	char *ex;

	if (f->hit == 2)
		return;
	for (i = 0; i < k; i++)
		if (!accepts(c, chain[i].atom, chain[i].word))
			return;
	switch (witness(c, chain, k, &ex)) {
	case W_PERMITTED:
		free(f->words);
		f->words = chain_text(chain, k);
		f->example = ex;
		f->hit = 2;
		break;
	case W_NONE:
		if (f->hit == 0) {
			f->words = chain_text(chain, k);
			f->hit = 1;
		}
		break;
	case W_NOT_THIS_RULE:
		break;
	}
}

static void
finding_free(struct finding *f)
{
	free(f->words);
	free(f->example);
	memset(f, 0, sizeof(*f));
}

/* After the warning: the example, or why there is none. */
static void
finding_note(struct ctx *c, const struct finding *f)
{
	char *e;

	if (f->hit == 2) {
		char *sel;

		e = escape_str(f->example, 1024);
		if (c->from[0] && c->tag)
			sel = xasprintf(" (from %s, tag %s)", c->from, c->tag);
		else if (c->from[0] || c->tag)
			sel = xasprintf(" (%s %s)", c->tag ? "tag" : "from",
			    c->tag ? c->tag : c->from);
		else
			sel = xstrdup("");
		note(c, "rule '%s' permits, e.g.: %s%s", c->r->name, e, sel);
		free(sel);
		free(e);
	} else if (f->hit == 1)
		note(c, "no whole example command: some pattern of rule '%s' "
		    "matches none of the sample words; a 'test permit' in the "
		    "rule gives the linter one", c->r->name);
}

/*
 * An atom as the policy writes it: "literal" with \" and \\, /regex/ with
 * \/ (the lexer admits only printable ASCII in both).
 */
static char *
atom_shown(const struct ctx *c, int atom)
{
	const struct pat *a = c->r->atoms[atom];
	const char *t;
	char *s = xmalloc(2 * strlen(a->text) + 3);
	size_t o = 0;

	s[o++] = a->kind == PAT_LIT ? '"' : '/';
	for (t = a->text; *t != '\0'; t++) {
		if (a->kind == PAT_LIT ? (*t == '"' || *t == '\\') : *t == '/')
			s[o++] = '\\';
		s[o++] = *t;
	}
	s[o++] = a->kind == PAT_LIT ? '"' : '/';
	s[o] = '\0';
	return s;
}

/* ---- generic dangers of a run rule ------------------------------------- */

static const char *
runner_kind_name(enum runner_kind k)
{
	switch (k) {
	case RK_SHELL:		return "a shell";
	case RK_INTERPRETER:	return "an interpreter";
	case RK_LAUNCHER:	return "a launcher of other programs";
	}
	return "?";
}

static int
run_has(const struct rule *r, const char *w)
{
	size_t i;

	for (i = 1; i < r->nrun; i++)
		if (strcmp(r->run[i], w) == 0)
			return 1;
	return 0;
}

/* Does a #! line name python without -I?  Reads, never runs. */
static int
python_script_without_I(const char *path)
{
	char buf[256], *nl;
	ssize_t n;
	int fd, bad = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	if (strstr(buf, "python") != NULL && strstr(buf, " -I") == NULL)
		bad = 1;
	return bad;
}

static void
check_program(struct ctx *c)
{
	const struct rule *r = c->r;
	const struct danger_program *dp = danger_program_lookup(r->run[0]);
	char why[512];
	size_t i;
	int fd, fixed = 0;

	if (dp != NULL) {
		for (i = 1; i < r->nrun; i++)
			if (r->run[i][0] == '/' || (i >= 2 &&
			    (strcmp(r->run[i - 1], "-c") == 0 ||
			    strcmp(r->run[i - 1], "-m") == 0 ||
			    strcmp(r->run[i - 1], "-e") == 0)))
				fixed = 1;
		if (!fixed)
			warn(c, "interpreter", &r->loc.run, "program %s is %s, "
			    "and no script or program follows it in 'run': the "
			    "client's words decide what it runs", r->run[0],
			    runner_kind_name(dp->kind));
		if (strcmp(dp->name, "python") == 0 && !run_has(r, "-I"))
			warn(c, "interpreter", &r->loc.run, "python runs "
			    "without -I: it reads PYTHON* variables and the "
			    "runner's user site-packages under HOME");
	} else if (python_script_without_I(r->run[0]))
		warn(c, "interpreter", &r->loc.run, "%s is a Python script "
		    "whose #! line lacks -I: it reads PYTHON* variables and "
		    "the runner's user site-packages; run it as "
		    "'/usr/bin/python3 -I %s'", r->run[0], r->run[0]);

	/* The gate refuses an untrusted program (gate/main.c, step 5). */
	for (i = 0; i < r->nrun; i++) {
		if (r->run[i][0] != '/' || (i > 0 && r->run[i - 1][0] == '-' &&
		    strcmp(r->run[i - 1], "-I") != 0))
			continue;
		fd = trust_open(r->run[i], O_PATH, TRUST_FOLLOW_LINKS, why,
		    sizeof(why));
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (i == 0)
			warn(c, "program-not-trusted", &r->loc.run, "on this "
			    "host sshgate would refuse to run %s: %s",
			    r->run[0], why);
		else
			warn(c, "program-not-trusted", &r->loc.run, "on this "
			    "host %s, which %s runs, is not trusted: %s",
			    r->run[i], r->run[0], why);
	}
}

static void
check_environment(struct ctx *c)
{
	const struct rule *r = c->r;
	size_t i;

	for (i = 0; i < r->nkeep; i++) {
		const struct danger_env *e = danger_env_lookup(r->keepenv[i]);

		if (e != NULL)
			warn(c, "kept-variable", &r->loc.keepenv, "keepenv %s: "
			    "the client sets it, and %s", r->keepenv[i], e->why);
	}
}

static void
check_confinement(struct ctx *c)
{
	const struct rule *r = c->r;
	const struct sc_group *g;
	const struct danger_cap *dc;
	static const struct confine_host any_kernel = { 6, 0 };
	struct confine cf;
	struct passwd *pw;
	char *missing = NULL, *t;
	size_t i;
	int cap, root;

	/* Landlock confines writes to the writable paths: not to these. */
	for (i = 0; i < r->nwrite; i++) {
		const struct danger_dir *dd;
		size_t n = strlen(r->write[i]);

		for (dd = danger_dirs; dd->path != NULL; dd++)
			if (strcmp(r->write[i], "/") == 0 ||
			    (strncmp(dd->path, r->write[i], n) == 0 &&
			    (dd->path[n] == '\0' || dd->path[n] == '/')))
				break;
		if (dd->path != NULL)
			warn(c, "writable-root", &r->loc.write, "'write %s' lets "
			    "the program write %s%s: %s", r->write[i],
			    strcmp(r->write[i], "/") == 0 ? "everywhere, "
			    "including " : "", dd->path, dd->why);
	}
	/*
	 * uid 0 owns every root-owned file.  The gate confines a uid 0
	 * runner further (a read-only view of the mounts, @ipc denied) and
	 * refuses it without Landlock or without seccomp: confine_decide()
	 * (policy/confine.c) decides, here for a kernel that has every
	 * Landlock ABI the gate uses, so that the warning is the same on
	 * every host (gate-refuses says what this one does).
	 */
	pw = getpwnam(r->user);
	root = strcmp(r->user, "root") == 0 || (pw != NULL && pw->pw_uid == 0);
	(void)confine_decide(r, root, &any_kernel, &cf);
	if (cf.refusal.cause == REFUSE_UID0_NO_SECCOMP)
		warn(c, "root-runner", &r->loc.seccomp, "the program runs as "
		    "uid 0 with 'seccomp none': the gate refuses to run it, "
		    "since only the filter keeps uid 0 from root's IPC objects; "
		    "use a runner account");
	if (cf.readonly_mounts && r->landlock != LANDLOCK_REQUIRE)
		warn(c, "root-runner", &r->loc.as, "the program runs as uid 0 "
		    "with 'landlock %s': uid 0 owns every root-owned file, so "
		    "the gate refuses it wherever Landlock is missing; use a "
		    "runner account, or say 'landlock require'",
		    landlock_mode_name(r->landlock));
	if (r->seccomp_off)
		warn(c, "no-seccomp", &r->loc.seccomp, "'seccomp none': the "
		    "program may ptrace, mount, open files by handle, load "
		    "BPF and use io_uring, which bypasses every other "
		    "filter");
	for (g = sc_groups; g->name != NULL && !r->seccomp_off; g++) {
		if (!(SC_DEFAULT & g->bit) || (r->seccomp & g->bit))
			continue;
		t = xasprintf("%s%s%s", missing ? missing : "", missing ?
		    ", " : "", g->name);
		free(missing);
		missing = t;
	}
	if (missing != NULL) {
		warn(c, "weak-seccomp", &r->loc.seccomp, "the seccomp profile "
		    "allows %s, which 'seccomp default' denies%s", missing,
		    (r->caps >> CAP_DAC_READ_SEARCH) & 1 &&
		    !(r->seccomp & SC_HANDLE) ? "; with dac_read_search, "
		    "open_by_handle_at opens any file by handle, around "
		    "every directory (the \"Shocker\" escape)" : "");
		free(missing);
	}
	for (cap = 0; cap < 64; cap++) {
		const char *name;

		if (!((r->caps >> cap) & 1) || cap == CAP_DAC_READ_SEARCH)
			continue;
		name = cap_to_name(cap);
		for (dc = danger_caps; dc->name != NULL; dc++)
			if (name != NULL && strcmp(dc->name, name) == 0)
				break;
		warn(c, "capability", &r->loc.caps, "caps %s: the program %s; "
		    "a backup needs dac_read_search at most",
		    name ? name : "?", dc->why);
	}
}

/* ---- dangers of patterns, any program ----------------------------------- */

static void
check_broad(struct ctx *c, int a)
{
	struct finding f = { 0 };
	struct step st;
	char *shown;
	size_t i;

	for (i = 0; broad_samples[i] != NULL; i++)
		if (!accepts(c, a, broad_samples[i]))
			return;
	for (i = 0; broad_samples[i] != NULL && f.hit != 2; i++) {
		st.atom = a;
		st.word = broad_samples[i];
		consider(c, &f, &st, 1);
	}
	if (f.hit) {
		shown = atom_shown(c, a);
		warn(c, "broad-pattern", &c->r->atoms[a]->at, "%s accepts any "
		    "word, e.g. '-x', '--rsh=sh', '/etc/../x': write the values "
		    "you expect", shown);
		finding_note(c, &f);
		free(shown);
	}
	finding_free(&f);
}

static void
check_dash_value(struct ctx *c, int a)
{
	struct finding f = { 0 };
	struct step st;
	char *shown;
	size_t i;
	int value = 0;

	/* Only a pattern for values: it accepts some word without '-'. */
	for (i = 0; i < c->pool.n && !value; i++)
		if (c->pool.v[i][0] != '-' && accepts(c, a, c->pool.v[i]))
			value = 1;
	if (!value)
		return;
	for (i = 0; dash_samples[i] != NULL && f.hit != 2; i++) {
		st.atom = a;
		st.word = dash_samples[i];
		consider(c, &f, &st, 1);
	}
	/* and every single-letter option, -a to -Z */
	for (i = 0; i < 52 && f.hit != 2; i++) {
		char w[3] = { '-', (char)(i < 26 ? 'a' + i : 'A' + i - 26),
		    '\0' };

		st.atom = a;
		st.word = w;
		consider(c, &f, &st, 1);
	}
	if (f.hit) {
		shown = atom_shown(c, a);
		warn(c, "dash-value", &c->r->atoms[a]->at, "%s accepts %s, a "
		    "word starting with '-': the program reads it as an "
		    "option, not as the value the pattern was written for",
		    shown, f.words);
		finding_note(c, &f);
		free(shown);
	}
	finding_free(&f);
}

/* ---- dangers of a known program (borg) --------------------------------- */

static int
scope_index(const struct program *pr, const char *scope)
{
	size_t i;

	for (i = 0; i < pr->nscopes; i++)
		if (strcmp(pr->scopes[i], scope) == 0)
			return (int)i;
	return -1;
}

static const struct prog_opt *
find_opt(const struct program *pr, const char *scope, const char *opt)
{
	size_t i;

	for (i = 0; i < pr->nopts; i++)
		if (strcmp(pr->opts[i].scope, scope) == 0 &&
		    strcmp(pr->opts[i].opt, opt) == 0)
			return &pr->opts[i];
	return NULL;
}

/*
 * argparse (Python 3.11, allow_abbrev) resolves "--xy" and "--xy=V" to
 * the one option string of the parser that starts with "--xy", unless
 * "--xy" is itself an option.  So the spellings of an option in a scope
 * are the option and each prefix of it, down to "--" plus one character,
 * that no other option string of that scope starts with.
 */
size_t
option_spellings(const struct program *pr, const char *scope,
    const char *opt, char ***out)
{
	struct strv s = { 0 };
	size_t n, len = strlen(opt), i, count;

	*out = NULL;
	if (find_opt(pr, scope, opt) == NULL)
		return 0;
	strv_add(&s, opt);
	if (strncmp(opt, "--", 2) == 0)
		for (n = len - 1; n >= 3; n--) {
			for (i = 0, count = 0; i < pr->nopts; i++) {
				if (strcmp(pr->opts[i].scope, scope) != 0)
					continue;
				if (strlen(pr->opts[i].opt) == n &&
				    strncmp(pr->opts[i].opt, opt, n) == 0)
					count = 2;	/* exact: not a prefix */
				else if (strncmp(pr->opts[i].opt, opt, n) == 0)
					count++;
			}
			if (count == 1) {
				char *w = xstrndup(opt, n);

				strv_add(&s, w);
				free(w);
			}
		}
	*out = s.v;
	return s.n;
}

static int
option_like(const struct ctx *c, int a)
{
	const struct pat *p = c->r->atoms[a];
	size_t i;

	if (p->kind == PAT_LIT)
		return p->text[0] == '-';
	for (i = 0; dash_samples[i] != NULL; i++)
		if (accepts(c, a, dash_samples[i]))
			return 1;
	return 0;
}

/*
 * Which atoms can stand where the program reads its command (borg
 * create): right after word 0, or after main options and their values.
 */
static void
find_command_position(struct ctx *c)
{
	const struct program *pr = c->prog;
	int *work = xreallocarray(NULL, 2 * c->n + 2, sizeof(int));
	unsigned char *seen = xcalloc(2 * c->n + 2, 1);
	size_t nw = 0, a, b;

	for (a = 0; a < c->n; a++)
		if (c->au.first[a])
			for (b = 0; b < c->n; b++)
				if (c->au.succ[a * c->n + b] && !seen[2 * b]) {
					seen[2 * b] = 1;
					work[nw++] = (int)(2 * b);
				}
	while (nw > 0) {
		int item = work[--nw], value = item & 1;
		const struct pat *p;
		const struct prog_opt *o;
		int next_value = 0;

		a = (size_t)(item >> 1);
		c->subpos[a] = 1;
		p = c->r->atoms[a];
		if (!option_like(c, (int)a) && !value)
			continue;
		if (!value && p->kind == PAT_LIT &&
		    (o = find_opt(pr, "", p->text)) != NULL && o->takes_value)
			next_value = 1;
		for (b = 0; b < c->n; b++) {
			int it = (int)(2 * b) | next_value;

			if (c->au.succ[a * c->n + b] && !seen[it]) {
				seen[it] = 1;
				work[nw++] = it;
			}
		}
	}
	free(work);
	free(seen);
}

/* The atom that takes the command word(s), or -1; *second the next. */
static int
command_atoms(const struct ctx *c, const char *cmd, int from, int *second)
{
	char first[64];
	const char *sp = strchr(cmd, ' ');
	size_t a, b;

	*second = -1;
	if (sp == NULL) {
		for (a = (size_t)from; a < c->n; a++)
			if (c->subpos[a] && accepts(c, (int)a, cmd))
				return (int)a;
		return -1;
	}
	if ((size_t)(sp - cmd) >= sizeof(first))
		return -1;
	memcpy(first, cmd, (size_t)(sp - cmd));
	first[sp - cmd] = '\0';
	for (a = (size_t)from; a < c->n; a++) {
		if (!c->subpos[a] || !accepts(c, (int)a, first))
			continue;
		for (b = 0; b < c->n; b++)
			if (c->au.succ[a * c->n + b] && accepts(c, (int)b, sp + 1)) {
				*second = (int)b;
				return (int)a;
			}
	}
	return -1;
}

static void
find_scopes(struct ctx *c)
{
	const struct program *pr = c->prog;
	size_t i;
	int second;

	c->scope_on = xcalloc(pr->nscopes + 1, 1);
	for (i = 0; i < pr->nscopes; i++)
		if (pr->scopes[i][0] == '\0' ||
		    command_atoms(c, pr->scopes[i], 0, &second) >= 0)
			c->scope_on[i] = 1;
}

/* Is w one of the comma-separated items of list? */
static int
in_list(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = list; *p != '\0'; p += strcspn(p, ",") + (p[strcspn(p,
	    ",")] == ',')) {
		if (strncmp(p, w, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

/* The spellings of a dangerous option in every scope the rule reaches. */
static void
reachable_spellings(const struct ctx *c, const struct danger *dg,
    struct strv *out)
{
	const struct program *pr = c->prog;
	size_t i, k, n;
	char **sp;

	for (i = 0; i < pr->nscopes; i++) {
		if (!c->scope_on[i])
			continue;
		if (dg->scopes != NULL && !in_list(dg->scopes, pr->scopes[i]))
			continue;
		n = option_spellings(pr, pr->scopes[i], dg->word, &sp);
		for (k = 0; k < n; k++) {
			strv_add(out, sp[k]);
			free(sp[k]);
		}
		free(sp);
	}
}

static void
report_danger(struct ctx *c, const struct danger *dg, int a,
    struct finding *f, const char *spelled)
{
	char *shown;

	if (!f->hit)
		return;
	shown = atom_shown(c, a);
	if (spelled != NULL && strcmp(spelled, dg->word) != 0)
		warn(c, dg->warning, &c->r->atoms[a]->at, "%s accepts %s, "
		    "which borg reads as %s (argparse takes any unique "
		    "prefix): %s", shown, f->words, dg->word, dg->why);
	else
		warn(c, dg->warning, &c->r->atoms[a]->at, "%s accepts %s: %s",
		    shown, f->words, dg->why);
	finding_note(c, f);
	free(shown);
}

static void
check_option(struct ctx *c, const struct danger *dg)
{
	struct strv sp = { 0 };
	const char *const *vals = value_samples[dg->value];
	size_t a, b, i, v;

	reachable_spellings(c, dg, &sp);
	for (a = 0; a < c->n; a++) {
		struct finding f = { 0 };
		const char *spelled = NULL;

		if (!c->au.later[a])
			continue;
		for (i = 0; i < sp.n && f.hit != 2; i++) {
			struct step st[2];

			st[0].atom = (int)a;
			st[0].word = sp.v[i];
			if (dg->value == VK_NONE)	/* a flag */
				consider(c, &f, st, 1);
			/* --opt=VALUE in one word: only a regex varies it */
			for (v = 0; dg->value != VK_NONE && is_re(c, (int)a) &&
			    vals[v] != NULL && f.hit != 2; v++) {
				char *w = xasprintf("%s=%s", sp.v[i], vals[v]);

				st[0].word = w;
				consider(c, &f, st, 1);
				free(w);
			}
			/* ... or a literal the client wrote (--suggest) */
			if (dg->value != VK_NONE && !is_re(c, (int)a) &&
			    c->client_literals && f.hit != 2) {
				const char *lit = c->r->atoms[a]->text;
				size_t l = strlen(sp.v[i]);

				if (strncmp(lit, sp.v[i], l) == 0 &&
				    lit[l] == '=') {
					st[0].word = lit;
					consider(c, &f, st, 1);
				}
			}
			/* --opt VALUE: the value from a pattern that follows */
			st[0].word = sp.v[i];
			for (b = 0; dg->value != VK_NONE && b < c->n &&
			    f.hit != 2; b++) {
				if (!c->au.succ[a * c->n + b] ||
				    !client_chosen(c, (int)b))
					continue;
				st[1].atom = (int)b;
				if (!is_re(c, (int)b)) {
					st[1].word = c->r->atoms[b]->text;
					consider(c, &f, st, 2);
					continue;
				}
				for (v = 0; vals[v] != NULL && f.hit != 2; v++) {
					st[1].word = vals[v];
					consider(c, &f, st, 2);
				}
			}
			if (f.hit && spelled == NULL)
				spelled = sp.v[i];
			if (f.hit == 2)
				spelled = sp.v[i];
		}
		report_danger(c, dg, (int)a, &f, spelled);
		finding_free(&f);
	}
	strv_free(&sp);
}

static void
check_command(struct ctx *c, const struct danger *dg)
{
	size_t a;
	int second, at;

	if (scope_index(c->prog, dg->word) < 0)
		return;
	for (a = 0; a < c->n; a++) {
		struct finding f = { 0 };
		struct step st[2];
		const char *sp = strchr(dg->word, ' ');
		char first[64];

		at = command_atoms(c, dg->word, (int)a, &second);
		if (at != (int)a)
			continue;
		st[0].atom = at;
		if (sp == NULL) {
			st[0].word = dg->word;
			consider(c, &f, st, 1);
		} else {
			snprintf(first, sizeof(first), "%.*s",
			    (int)(sp - dg->word), dg->word);
			st[0].word = first;
			st[1].atom = second;
			st[1].word = sp + 1;
			consider(c, &f, st, 2);
		}
		report_danger(c, dg, at, &f, NULL);
		finding_free(&f);
	}
}

static void
check_end_of_options(struct ctx *c)
{
	size_t a;

	for (a = 0; a < c->n; a++) {
		struct finding f = { 0 };
		struct step st = { (int)a, "--" };
		char *shown;

		if (!c->au.later[a])
			continue;
		consider(c, &f, &st, 1);
		if (f.hit) {
			shown = atom_shown(c, (int)a);
			warn(c, "borg-end-of-options", &c->r->atoms[a]->at,
			    "%s accepts '--': borg reads every later word as a "
			    "positional argument, a path or the command of "
			    "--content-from-command and --paths-from-command",
			    shown);
			finding_note(c, &f);
			free(shown);
		}
		finding_free(&f);
	}
}

static void
short_option_words(const struct ctx *c, struct strv *out)
{
	const struct program *pr = c->prog;
	struct strv flags = { 0 }, valued = { 0 };
	size_t i, j;

	for (i = 0; i < pr->nopts; i++) {
		const struct prog_opt *o = &pr->opts[i];
		int s = scope_index(pr, o->scope);

		if (s < 0 || !c->scope_on[s] || strlen(o->opt) != 2 ||
		    o->opt[0] != '-' || o->opt[1] == '-')
			continue;
		strv_add(o->takes_value ? &valued : &flags, o->opt + 1);
	}
	for (i = 0; i < valued.n; i++) {
		char *w = xasprintf("-%sx", valued.v[i]);

		strv_add(out, w);
		free(w);
	}
	for (i = 0; i < flags.n; i++) {
		for (j = 0; j < flags.n; j++) {
			char *w;

			if (i == j)
				continue;
			w = xasprintf("-%s%s", flags.v[i], flags.v[j]);
			strv_add(out, w);
			free(w);
		}
		for (j = 0; j < valued.n; j++) {
			char *w = xasprintf("-%s%s", flags.v[i], valued.v[j]);

			strv_add(out, w);
			free(w);
		}
	}
	strv_free(&flags);
	strv_free(&valued);
}

static void
check_short_options(struct ctx *c)
{
	struct strv words = { 0 };
	size_t a, i;

	short_option_words(c, &words);
	for (a = 0; a < c->n; a++) {
		struct finding f = { 0 };
		char *shown;

		if (!c->au.later[a] || !client_chosen(c, (int)a))
			continue;
		for (i = 0; i < words.n && f.hit != 2; i++) {
			struct step st = { (int)a, words.v[i] };

			consider(c, &f, &st, 1);
		}
		if (f.hit) {
			shown = atom_shown(c, (int)a);
			warn(c, "borg-short-options", &c->r->atoms[a]->at,
			    "%s accepts %s: argparse reads a word like '-ve' as "
			    "several short options and '-eVALUE' as an option "
			    "with its value, so one word can carry options the "
			    "pattern does not show", shown, f.words);
			finding_note(c, &f);
			free(shown);
		}
		finding_free(&f);
	}
	strv_free(&words);
}

enum repo_probe { RP_TESTSUITE, RP_LOCAL, RP_PLACEHOLDER };

/*
 * An atom that can come only right after a literal option that takes a
 * value ("--exclude" /PATTERN/) is that option's value: borg never reads
 * it as a repository or an archive.
 */
static int
option_value_only(const struct ctx *c, size_t b)
{
	const struct program *pr = c->prog;
	size_t a, i;
	int any = 0;

	if (c->au.first[b])
		return 0;
	for (a = 0; a < c->n; a++) {
		const struct pat *p = c->r->atoms[a];
		const struct prog_opt *o = NULL;

		if (!c->au.succ[a * c->n + b])
			continue;
		for (i = 0; p->kind == PAT_LIT && i < pr->nscopes && o == NULL;
		    i++)
			if (c->scope_on[i])
				o = find_opt(pr, pr->scopes[i], p->text);
		if (o == NULL || !o->takes_value)
			return 0;
		any = 1;
	}
	return any;
}

static void
check_repository(struct ctx *c, enum repo_probe which)
{
	static const char *const fixed_ts[] = {
		"ssh://__testsuite__/x", "ssh://__testsuite__/./repo::archive",
		"__testsuite__:repo", NULL
	};
	static const char *const fixed_local[] = {
		"/tmp/repo", "/tmp/repo::archive", "file:///tmp/repo::archive",
		"repo::archive", NULL
	};
	static const char *const *fixed[] = {
		[RP_TESTSUITE] = fixed_ts, [RP_LOCAL] = fixed_local,
		[RP_PLACEHOLDER] = NULL,
	};
	size_t a, i, hs, hl;

	for (a = 0; a < c->n; a++) {
		struct strv m = { 0 };
		struct finding f = { 0 };
		int remote = 0;
		char *shown;

		if (!c->au.later[a] || !client_chosen(c, (int)a) ||
		    option_value_only(c, a))
			continue;
		for (i = 0; i < c->pool.n; i++) {
			const char *s = c->pool.v[i];

			if (!accepts(c, (int)a, s))
				continue;
			if (remote_host(s, &hs, &hl))
				remote = 1;
			/* a client's own local location (--suggest) */
			if (which == RP_LOCAL && !is_re(c, (int)a) &&
			    !remote_host(s, &hs, &hl) &&
			    (strstr(s, "::") != NULL ||
			    strncmp(s, "file://", 7) == 0)) {
				strv_add(&m, s);
				remote = 1;
			}
			if (which == RP_TESTSUITE)
				mutants_testsuite(s, &m);
			else if (which == RP_LOCAL)
				mutants_local(s, &m);
			else
				mutants_placeholder(s, &m);
		}
		/* Only a pattern that accepts a remote repository is one. */
		if (which != RP_PLACEHOLDER && !remote) {
			strv_free(&m);
			continue;
		}
		for (i = 0; fixed[which] != NULL && fixed[which][i] != NULL;
		    i++)
			strv_add(&m, fixed[which][i]);
		for (i = 0; i < m.n && f.hit != 2; i++) {
			struct step st = { (int)a, m.v[i] };

			consider(c, &f, &st, 1);
		}
		if (f.hit) {
			shown = atom_shown(c, (int)a);
			if (which == RP_TESTSUITE)
				warn(c, "borg-testsuite-host", &c->r->atoms[a]->at,
				    "%s accepts %s: for the host __testsuite__ "
				    "borg ignores --rsh and BORG_RSH and starts a "
				    "repository server on this host", shown,
				    f.words);
			else if (which == RP_LOCAL)
				warn(c, "borg-local-repository",
				    &c->r->atoms[a]->at, "%s accepts %s, a local "
				    "repository: borg creates and writes "
				    "repository files on this host", shown,
				    f.words);
			else
				warn(c, "borg-placeholder-path",
				    &c->r->atoms[a]->at, "%s accepts %s: borg "
				    "expands {now:FORMAT} in repository paths and "
				    "archive names, and '/..' in the format leads "
				    "out of the intended path", shown, f.words);
			finding_note(c, &f);
			free(shown);
		}
		finding_free(&f);
		strv_free(&m);
	}
}

static void
check_program_dangers(struct ctx *c)
{
	const struct danger *dg;

	find_command_position(c);
	find_scopes(c);
	for (dg = c->prog->dangers; dg->word != NULL; dg++) {
		if (dg->command)
			check_command(c, dg);
		else
			check_option(c, dg);
	}
	check_end_of_options(c);
	check_short_options(c);
	check_repository(c, RP_TESTSUITE);
	check_repository(c, RP_PLACEHOLDER);
	check_repository(c, RP_LOCAL);
}

/* ---- entry points ------------------------------------------------------ */

static void
probe(struct policy *p, struct rule *r, struct diags *d, int client_literals)
{
	struct ctx c;
	size_t a;

	if (r->deny != NULL || r->nrun == 0 || r->args == NULL)
		return;
	memset(&c, 0, sizeof(c));
	c.client_literals = client_literals;
	c.p = p;
	c.r = r;
	c.d = d;
	c.src = policy_source(p);
	c.n = r->natoms;
	c.prog = program_lookup((const char *const *)r->run, r->nrun);
	/* Examples are asked as a connection the rule's selectors admit. */
	if (r->nfrom > 0 && inet_ntop(r->from[0].family, r->from[0].addr,
	    c.from, sizeof(c.from)) == NULL)
		c.from[0] = '\0';
	c.tag = r->ntags > 0 ? r->tags[0] : NULL;

	check_program(&c);
	check_environment(&c);
	check_confinement(&c);

	automaton_build(&c.au, r);
	c.subpos = xcalloc(c.n + 1, 1);
	make_samples(&c);
	for (a = 0; a < c.n; a++) {
		if (!c.au.later[a] || !is_re(&c, (int)a))
			continue;
		check_broad(&c, (int)a);
		check_dash_value(&c, (int)a);
	}
	if (c.prog != NULL)
		check_program_dangers(&c);

	automaton_free(&c.au);
	free(c.subpos);
	free(c.scope_on);
	free(c.sample);
	strv_free(&c.pool);
}

void
probe_rule(struct policy *p, struct rule *r, struct diags *d)
{
	probe(p, r, d, 0);
}

void
probe_suggested_rule(struct policy *p, struct rule *r, struct diags *d)
{
	probe(p, r, d, 1);
}

void
probe_policy(struct policy *p, struct diags *d)
{
	size_t i;

	for (i = 0; i < p->nrules; i++)
		probe_rule(p, &p->rules[i], d);
}

void
probe_unused_allows(const struct policy *p, struct diags *d)
{
	struct source src = policy_source(p);
	size_t i, k;

	for (i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rules[i];

		for (k = 0; k < r->nallows; k++)
			if (!r->allows[k].used)
				diag_add(d, DIAG_WARNING, "unused-allow", &src,
				    &r->allows[k].at, r->name, "'allow %s' "
				    "silences nothing: rule '%s' gets no such "
				    "warning", r->allows[k].name, r->name);
	}
}
