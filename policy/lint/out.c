/*
 * What every mode of sshgate-lint shares: printing diagnostics, reading
 * a policy the way the gate reads it, and the regex check every mode
 * runs.  lint.c, audit.c and suggest.c call into this file; it calls
 * none of them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "out.h"
#include "probe.h"
#include "tmpdir.h"
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
 * diagnostic before it, unless it has a place of its own.  (The parser
 * and the tests report in their own order, before.)
 */
void
sort_diags(struct diags *d, size_t from)
{
	size_t *start, ng = 0, i, j;

	if (d->n < from + 2)
		return;
	start = xreallocarray(NULL, d->n + 1, sizeof(*start));
	for (i = from; i < d->n; i++)
		if (i == from || d->v[i].level != DIAG_NOTE ||
		    d->v[i].line != 0)	/* a note of its own: gate-refuses */
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
 * The fix for a walk the gate refused, naming the component it refused
 * (trust_walk()'s why->at): the policy file, or a rule's path.
 */
static char *
refused_fix(const struct trust_why *w, const char *path, const char *owner,
    const char *what)
{
	switch (w->fault) {
	case TRUST_LOOKUP:
		if (w->err == ENOENT)
			return xasprintf("fix: create %s (%s), or name the one "
			    "that exists", w->at, what);
		return xasprintf("fix: make %s searchable by root", w->at);
	case TRUST_OWNER:
		return xasprintf("fix: chown %s %s", strcmp(w->at, path) == 0 ?
		    owner : "root:root", w->at);
	case TRUST_MODE:
		return xasprintf("fix: chmod go-w %s", w->at);
	case TRUST_LINK:
		return xasprintf("fix: name the real path instead of %s, which "
		    "is a symbolic link", w->at);
	case TRUST_TYPE:
		return xasprintf("fix: make %s %s", w->at, what);
	case TRUST_OTHER:
		break;
	}
	return xasprintf("fix: let only root write %s and every directory "
	    "above it", path);
}

/* confine_exec_chain()'s grant for the linter: a file goes on. */
static int
is_file(int fd, const char *path, void *arg)
{
	struct stat st;

	(void)path;
	(void)arg;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* A walk this process could not do, though root (the gate) may. */
static int
unsearchable(const struct trust_why *w)
{
	return w->fault == TRUST_LOOKUP && w->err == EACCES && geteuid() != 0;
}

/* The fix for a refusal of rule r, with the real names. */
static char *
refusal_fix(const struct rule *r, const struct refusal *f)
{
	switch (f->cause) {
	case REFUSE_RUNNER_MISSING:
		return xasprintf("fix: create the account (useradd --system "
		    "--no-create-home --shell /usr/sbin/nologin %s), or name "
		    "one that exists in 'as'", f->subject);
	case REFUSE_GROUP_MISSING:
		return xasprintf("fix: create the group (groupadd --system %s), "
		    "or name one that exists in 'as'", f->subject);
	case REFUSE_RUNNER_IS_CALLER:
		return xasprintf("fix: give rule '%s' a runner account of its "
		    "own in 'as', not %s", r->name, f->subject);
	case REFUSE_UID0_NO_SECCOMP:
		return xasprintf("fix: remove 'seccomp none' from rule '%s', or "
		    "run it as a runner account ('as')", r->name);
	case REFUSE_NO_LANDLOCK:
		return xasprintf("fix: boot a kernel with Landlock (lsm= must "
		    "name landlock)%s", r->landlock == LANDLOCK_REQUIRE &&
		    strcmp(r->user, "root") != 0 ? ", or say 'landlock "
		    "best-effort' in the rule" : "");
	case REFUSE_UID0_LANDLOCK_ABI:
		return xasprintf("fix: run rule '%s' as a runner account ('as'), "
		    "or boot Linux 6.12 or later", r->name);
	case REFUSE_PROGRAM:
		return xasprintf("fix: install %s root's, not writable by group "
		    "or others, in directories only root writes", f->subject);
	case REFUSE_WRITE_PATH:
		return xasprintf("fix: make %s root's or %s's, not writable by "
		    "group or others, below directories only root writes, "
		    "without symbolic links", f->subject, r->user);
	case REFUSE_READ_PATH:
		return xasprintf("fix: make %s root's or %s's, not writable by "
		    "group or others, below directories only root writes",
		    f->subject, r->user);
	case REFUSE_EXEC_PATH:
		return xasprintf("fix: make %s root's, not writable by group or "
		    "others, in directories only root writes; or take it out "
		    "of the rule", f->subject);
	case REFUSE_INTERPRETER:
		return xasprintf("fix: make %s root's, not writable by group or "
		    "others, in directories only root writes, or name the "
		    "program the interpreter runs in 'run' or 'exec'",
		    f->subject);
	case REFUSE_NO_CGROUP:
		return xasprintf("fix: mount cgroup2 (the unified hierarchy), or "
		    "say 'cgroup best-effort' in rule '%s'", r->name);
	case REFUSE_NO_CONTROLLER:
		return xasprintf("fix: let the cgroup2 root hand the controller "
		    "on (echo +pids +memory > cgroup.subtree_control at the "
		    "mount; systemd does on a pure cgroup v2 system), or say "
		    "'cgroup best-effort' in rule '%s'", r->name);
	default:
		return xasprintf("fix: see sshgate(8)");
	}
}

/*
 * Read the policy.  For the installed policy (trust set) the file is
 * first walked as the gate walks it (trust_open()); one the gate would
 * refuse is an error, with the fix, and sets *f (policy-untrusted); the
 * linter still reads it, to say what else is wrong.  A draft named with
 * -f is source code, not a deployment: its trust is not checked.
 */
struct policy *
lint_load_as_gate(const char *file, int trust, struct diags *d,
    struct refusal *f)
{
	char why[512], *text, *fix, n[32];
	size_t len;
	int fd = -1;
	struct policy *p;
	struct source src = { file, NULL, 0 };
	struct trust_why w;

	if (f != NULL)
		memset(f, 0, sizeof(*f));
	if (trust) {
		fd = trust_walk(file, O_RDONLY, TRUST_NO_LINKS, TRUST_FILE, 0,
		    &w);
		if (fd == -1) {
			diag_add(d, DIAG_ERROR, "untrusted-file", &src, NULL,
			    NULL, "sshgate would refuse this file: %s", w.msg);
			fix = refused_fix(&w, file, "root:root", "a regular "
			    "file, root's, mode 0644");
			diag_add(d, DIAG_NOTE, NULL, &src, NULL, NULL, "%s",
			    fix);
			free(fix);
			if (f != NULL)
				refusal_set(f, REFUSE_POLICY_UNTRUSTED, NULL,
				    file, w.msg);
		}
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
		if (f != NULL && f->cause == REFUSE_NONE)
			refusal_set(f, REFUSE_POLICY_UNTRUSTED, NULL, file, why);
		return NULL;
	}
	close(fd);
	p = policy_parse(file, text, len, d);
	free(text);
	if (p == NULL && f != NULL && f->cause == REFUSE_NONE) {
		snprintf(n, sizeof(n), "%zu", d->nerr);
		refusal_set(f, REFUSE_POLICY_ERROR, NULL, file, n);
	}
	return p;
}

struct policy *
lint_load(const char *file, int trust, struct diags *d)
{
	return lint_load_as_gate(file, trust, d, NULL);
}

/*
 * The gate's steps after the policy permitted rule r's PROGRAM, on this
 * machine, in its order (gate/main.c): the program walked as root walks
 * it, the runner (confine_runner(), with this process's real uid as the
 * caller), the confinement (confine_decide()), the writable paths walked
 * for the runner, the paths it may execute (not the interpreters they
 * name, which the gate reads at run time) and read (gate/landlock.c),
 * and a "cgroup require" rule's cgroup (confine_cgroup()).
 * A walk that fails only because this process may not search a
 * directory the gate (root) may is not a refusal.  0: the gate
 * runs it; -1 with *f set.
 */
int
gate_refusal(const struct rule *r, const char *program,
    const struct confine_host *h, struct confine_runner *run,
    struct confine *c, struct refusal *f)
{
	struct trust_why w;
	struct exec_path *xv;
	struct exec_seen seen = { { NULL }, 0 };
	size_t i, n;
	int fd, rc = 0;

	memset(f, 0, sizeof(*f));
	memset(c, 0, sizeof(*c));
	fd = trust_walk(program, O_PATH, TRUST_FOLLOW_LINKS, TRUST_FILE, 0, &w);
	if (fd == -1 && !unsearchable(&w)) {
		refusal_set(f, REFUSE_PROGRAM, r->name, program, w.msg);
		return -1;
	}
	if (fd != -1)
		close(fd);
	if (confine_runner(r, getuid(), run, f) != 0)
		return -1;
	if (confine_decide(r, run->uid == 0, h, c) != 0) {
		*f = c->refusal;
		return -1;
	}
	for (i = 0; i < r->nwrite; i++) {
		fd = trust_walk(r->write[i], O_PATH, TRUST_NO_LINKS,
		    TRUST_FILE_OR_DIR, run->uid, &w);
		if (fd == -1 && !unsearchable(&w)) {
			refusal_set(f, REFUSE_WRITE_PATH, r->name, r->write[i],
			    w.msg);
			return -1;
		}
		if (fd != -1)
			close(fd);
	}
	/* gate/landlock.c: what it may execute, then what it may read */
	n = exec_paths(r, &xv);
	for (i = 0; i < n; i++) {
		rc = confine_exec_chain(r, &xv[i], is_file, NULL, &seen, f);
		if (rc == -1 && !(f->eacces && geteuid() != 0))
			break;
		memset(f, 0, sizeof(*f));
		rc = 0;
	}
	confine_exec_seen_free(&seen);
	free(xv);
	if (rc == -1)
		return -1;
	for (i = 0; i < r->nread; i++) {
		fd = trust_walk(r->read[i], O_PATH, TRUST_FOLLOW_LINKS,
		    TRUST_FILE_OR_DIR, run->uid, &w);
		if (fd == -1 && !unsearchable(&w)) {
			refusal_set(f, REFUSE_READ_PATH, r->name, r->read[i],
			    w.msg);
			return -1;
		}
		if (fd != -1)
			close(fd);
	}
	/* gate/cgroup.c: a "cgroup require" rule's cgroup and controllers */
	return confine_cgroup(r, f);
}

/*
 * Every run rule the gate would refuse on this machine, with the gate's
 * words and a fix (sshgate-lint(1), gate-refuses): an error for the
 * installed policy, a note for a draft (-f), which may be meant for a
 * machine that has the accounts and paths this one lacks.  The
 * program is the rule's run program: the word the client sends does not
 * change which program runs.
 */
static const struct loc *
refusal_loc(const struct rule *r, enum refusal_cause c)
{
	const struct loc *at;

	switch (c) {
	case REFUSE_RUNNER_MISSING:
	case REFUSE_GROUP_MISSING:
	case REFUSE_RUNNER_IS_CALLER:
	case REFUSE_UID0_LANDLOCK_ABI:
		at = &r->loc.as;
		break;
	case REFUSE_UID0_NO_SECCOMP:
		at = &r->loc.seccomp;
		break;
	case REFUSE_NO_LANDLOCK:
		at = &r->loc.landlock;
		break;
	case REFUSE_PROGRAM:
		at = &r->loc.run;
		break;
	case REFUSE_WRITE_PATH:
		at = &r->loc.write;
		break;
	case REFUSE_EXEC_PATH:
	case REFUSE_INTERPRETER:
		at = &r->loc.exec;
		break;
	case REFUSE_NO_CGROUP:
	case REFUSE_NO_CONTROLLER:
		at = &r->loc.cgroup;
		break;
	case REFUSE_READ_PATH:
		at = &r->loc.read;
		break;
	default:
		at = &r->loc.name;
		break;
	}
	/* a field the rule does not write: its name */
	return at->line != 0 ? at : &r->loc.name;
}

void
lint_gate_refusals(const struct policy *p, int installed, struct diags *d)
{
	struct source src = policy_source(p);
	struct confine_host h;
	struct confine_runner run;
	struct confine c;
	struct refusal f;
	const struct rule *r;
	char *fix;
	size_t i;

	confine_host(&h);
	for (i = 0; i < p->nrules; i++) {
		r = &p->rules[i];
		if (r->nrun == 0 || gate_refusal(r, r->run[0], &h, &run, &c,
		    &f) == 0)
			continue;
		diag_add(d, installed ? DIAG_ERROR : DIAG_NOTE,
		    "gate-refuses", &src, refusal_loc(r, f.cause),
		    r->name, "on this machine the gate would refuse to run "
		    "this rule (exit %d, %s): %s", f.status,
		    refusal_name(f.cause), f.reason);
		fix = refusal_fix(r, &f);
		diag_add(d, DIAG_NOTE, NULL, &src, NULL, r->name, "%s", fix);
		free(fix);
	}
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

void
lint_passes(struct policy *p, struct diags *d)
{
	probe_policy(p, d);
	lint_regexes(p, d);
	lint_tmpdir(p, d);
	probe_unused_allows(p, d);
}
