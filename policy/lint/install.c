/*
 * sshgate-lint --install NEW and --rollback: the visudo of the policy
 * (sshgate-lint(1), "Installing a policy").
 *
 * MUST:
 *  - check NEW as the gate will read it: its bytes copied once into a
 *    new file (O_EXCL, root:root 0644, synced) in the installed policy's
 *    own directory, that file opened again through trust_open()
 *    (docs/STYLE.md 10) and parsed from what the descriptor reads, as
 *    gate/main.c's load_policy() does -- so NEW's own owner and mode do
 *    not matter, the directory's do;
 *  - replace only a policy without errors whose tests pass (with
 *    --strict: without warnings), and only by rename() in the same
 *    directory, so that at every instant the installed path names one
 *    complete file and a gate run reads the old policy or the new one;
 *  - keep the replaced policy as PATH.prev: linked to a new name and
 *    renamed over PATH.prev before the installed path changes;
 *  - refuse when the installed file changed since it was read (inode,
 *    times and bytes compared right before the rename), like visudo;
 *    one --install or --rollback at a time (flock on the directory);
 *  - escape every command and log value it prints (policy/escape.c).
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "escape.h"
#include "install.h"
#include "probe.h"
#include "suggest.h"
#include "trust.h"
#include "xmalloc.h"

#define JOURNALCTL	"/usr/bin/journalctl"
#define JOURNAL_LINES	"20000"		/* the journal's last lines read */

/* Where the installed policy lives. */
struct place {
	char	 dir[PATH_MAX];
	char	 base[NAME_MAX + 1];
	char	 prevbase[NAME_MAX + 8];	/* BASE.prev */
	char	 prev[PATH_MAX];
	int	 dirfd;
};

/* The installed file as read: compared again before the rename. */
struct snapshot {
	int		 exists;
	struct stat	 st;
	char		*text;
	size_t		 len;
};

/* One decision, of either policy. */
struct outcome {
	int	 permit;
	char	*rule;		/* the deciding rule's name, or NULL */
	char	*reason;
};

/* A command from the log, with how often it came. */
struct logcmd {
	char	*cmd, *from, *tag;
	size_t	 count;
};

static int __attribute__((format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sshgate-lint: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return LINT_ERROR;
}

static int
place_of(const char *target, struct place *pl, char *why, size_t whylen)
{
	const char *slash = strrchr(target, '/');
	size_t n;

	memset(pl, 0, sizeof(*pl));
	pl->dirfd = -1;
	if (target[0] != '/' || slash == NULL || slash[1] == '\0' ||
	    strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0) {
		snprintf(why, whylen, "%s is not an absolute path of a file",
		    target);
		return -1;
	}
	n = (size_t)(slash - target);
	if (n >= sizeof(pl->dir) || strlen(slash + 1) > NAME_MAX - 40 ||
	    strlen(target) + 5 >= sizeof(pl->prev)) {
		snprintf(why, whylen, "%s is too long", target);
		return -1;
	}
	memcpy(pl->dir, target, n ? n : 1);
	pl->dir[n ? n : 1] = '\0';
	snprintf(pl->base, sizeof(pl->base), "%s", slash + 1);
	snprintf(pl->prevbase, sizeof(pl->prevbase), "%s.prev", pl->base);
	snprintf(pl->prev, sizeof(pl->prev), "%s.prev", target);
	return 0;
}

/* Read a file of the directory as it is, link or not; ENOENT: none. */
static int
snap(const struct place *pl, const char *base, struct snapshot *s,
    char *why, size_t whylen)
{
	int fd;

	memset(s, 0, sizeof(*s));
	fd = openat(pl->dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1) {
		snprintf(why, whylen, "%s/%s: %s", pl->dir, base,
		    errno == ELOOP ? "a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &s->st) == -1 || !S_ISREG(s->st.st_mode)) {
		snprintf(why, whylen, "%s/%s is not a regular file", pl->dir,
		    base);
		close(fd);
		return -1;
	}
	if (read_all(fd, SSHGATE_POLICY_MAX, &s->text, &s->len, why,
	    whylen) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	s->exists = 1;
	return 0;
}

static int
same_snap(const struct snapshot *a, const struct snapshot *b)
{
	if (a->exists != b->exists)
		return 0;
	if (!a->exists)
		return 1;
	return a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino &&
	    a->st.st_mtim.tv_sec == b->st.st_mtim.tv_sec &&
	    a->st.st_mtim.tv_nsec == b->st.st_mtim.tv_nsec &&
	    a->st.st_ctim.tv_sec == b->st.st_ctim.tv_sec &&
	    a->st.st_ctim.tv_nsec == b->st.st_ctim.tv_nsec &&
	    a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

static const struct install_opts *cur;	/* the run's options */

/*
 * A part (--install NEW --tag TAG) as the gate reads it for TAG
 * (gate/main.c, load_part()): the common part trusted and parsed, then
 * the part in its context (policy_parse_part()), joined -- what the
 * comparison and the tests decide with.  NULL with why or the errors.
 */
static struct policy *
part_view(const char *name, const char *text, size_t len, struct diags *d,
    char *why, size_t whylen)
{
	struct diags dc = { 0 };
	struct policy *common, *part;
	char *ctext;
	size_t clen;
	int fd;

	fd = trust_open(cur->common, O_RDONLY, TRUST_NO_LINKS, why, whylen);
	if (fd == -1)
		return NULL;
	if (read_all(fd, SSHGATE_POLICY_MAX, &ctext, &clen, why, whylen)) {
		close(fd);
		return NULL;
	}
	close(fd);
	common = policy_parse(cur->common, ctext, clen, &dc);
	free(ctext);
	if (common == NULL) {
		snprintf(why, whylen, "the common part %s has %zu error%s "
		    "(run sshgate-lint)", cur->common, dc.nerr, dc.nerr == 1 ?
		    "" : "s");
		diags_free(&dc);
		return NULL;
	}
	diags_free(&dc);
	part = policy_parse_part(common, name, text, len, cur->part_tag, d);
	if (part == NULL) {
		policy_free(common);
		return NULL;
	}
	return policy_join(common, part);
}

/*
 * The policy at path as the gate reads it (gate/main.c, load_policy()):
 * trusted through the descriptor, then parsed; diagnostics name `name'.
 * NULL with why (refused) or with the errors in *d.
 */
static struct policy *
gate_view(const char *path, const char *name, struct diags *d, char *why,
    size_t whylen)
{
	struct policy *p;
	char *text;
	size_t len;
	int fd;

	why[0] = '\0';
	fd = trust_open(path, O_RDONLY, TRUST_NO_LINKS, why, whylen);
	if (fd == -1)
		return NULL;
	if (read_all(fd, SSHGATE_POLICY_MAX, &text, &len, why, whylen)) {
		close(fd);
		return NULL;
	}
	close(fd);
	if (cur != NULL && cur->part_tag != NULL)
		p = part_view(name, text, len, d, why, whylen);
	else
		p = policy_parse(name, text, len, d);
	free(text);
	return p;
}

/* A new name in the directory: ".BASE.WHAT.PID.N". */
static void
temp_name(const struct place *pl, const char *what, unsigned n, char *buf,
    size_t size)
{
	snprintf(buf, size, ".%s.%s.%ld.%u", pl->base, what, (long)getpid(),
	    n);
}

/*
 * The copy is removed when a signal ends the run (Ctrl-C while the log
 * is read), as visudo removes its file: unlinkat() is safe in a handler.
 */
static int		 gone_dirfd = -1;
static char		 gone_name[2 * NAME_MAX];
static volatile sig_atomic_t gone_armed;

static void
on_signal(int sig)
{
	if (gone_armed)
		(void)unlinkat(gone_dirfd, gone_name, 0);
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

static int
catch_signals(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	if (sigfillset(&sa.sa_mask) != 0)
		return -1;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -1;
	return 0;
}

/* The copy: O_EXCL, root:root 0644, every byte written, synced. */
static int
write_copy(const struct place *pl, const char *text, size_t len, char *name,
    size_t size, char *why, size_t whylen)
{
	size_t off = 0;
	unsigned n;
	int fd = -1;

	for (n = 0; n < 100 && fd == -1; n++) {
		temp_name(pl, "new", n, name, size);
		fd = openat(pl->dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1 && errno != EEXIST)
			break;
	}
	if (fd == -1) {
		snprintf(why, whylen, "cannot create a file in %s: %s", pl->dir,
		    strerror(errno));
		name[0] = '\0';
		return -1;
	}
	gone_dirfd = pl->dirfd;
	snprintf(gone_name, sizeof(gone_name), "%s", name);
	gone_armed = 1;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			goto bad;
		off += (size_t)w;
	}
	if (fchown(fd, 0, 0) == -1 || fchmod(fd, 0644) == -1 ||
	    fsync(fd) == -1)
		goto bad;
	if (close(fd) == -1) {
		fd = -1;
		goto bad;
	}
	return 0;
bad:
	snprintf(why, whylen, "cannot write %s/%s: %s", pl->dir, name,
	    strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/* ---- decisions ------------------------------------------------------------ */

static void
outcome_of(const struct policy *p, const char *none, const char *cmd,
    const char *from, const char *tag, struct outcome *oc)
{
	struct request req = { cmd, strnlen(cmd, SSHGATE_CMD_MAX + 1), tag,
	    from };
	struct decision dec;

	if (p == NULL) {	/* the gate permits nothing */
		oc->permit = 0;
		oc->rule = NULL;
		oc->reason = xstrdup(none);
		return;
	}
	policy_decide(p, &req, &dec, NULL);
	oc->permit = dec.verdict == VERDICT_PERMIT;
	oc->rule = dec.rule != NULL ? xstrdup(dec.rule->name) : NULL;
	oc->reason = xstrdup(dec.reason);
	decision_free(&dec);
}

static void
outcome_free(struct outcome *oc)
{
	free(oc->rule);
	free(oc->reason);
}

/* A change: permit and deny swapped, or another rule permits. */
static const char *
change_of(const struct outcome *a, const struct outcome *b)
{
	if (a->permit && !b->permit)
		return "permit -> deny";
	if (!a->permit && b->permit)
		return "deny -> permit";
	if (a->permit && strcmp(a->rule, b->rule) != 0)
		return "other rule";
	return NULL;
}

static void
print_value(const char *key, const char *v)
{
	char *e;

	if (v == NULL)
		return;
	e = escape_str(v, 256);
	printf(" %s=%s", key, e);
	free(e);
}

/*
 * Decide cmd with both policies; print it when the decision changes.
 * Returns 1 for a change.
 */
static int
compare(const struct policy *old, const char *none, const struct policy *p,
    const char *cmd, const char *from, const char *tag, size_t count)
{
	struct outcome a, b;
	const char *what;
	char *e;

	outcome_of(old, none, cmd, from, tag, &a);
	outcome_of(p, NULL, cmd, from, tag, &b);
	what = change_of(&a, &b);
	if (what != NULL) {
		e = escape_str(cmd, 4096);
		printf("  %s: %s", what, e);
		free(e);
		print_value("from", from);
		print_value("tag", tag);
		if (count > 1)
			printf(" (%zu times)", count);
		printf("\n      installed: %s: %s\n      new:       %s: %s\n",
		    a.permit ? "permit" : "deny", a.reason,
		    b.permit ? "permit" : "deny", b.reason);
	}
	outcome_free(&a);
	outcome_free(&b);
	return what != NULL;
}

/* ---- the log ---------------------------------------------------------------- */

/* The value after key (" from=") up to a space; "-" is none. */
static char *
log_field(const char *s, const char *key)
{
	const char *p = strstr(s, key);
	size_t n;

	if (p == NULL)
		return NULL;
	p += strlen(key);
	n = strcspn(p, " ");
	if (n == 0 || (n == 1 && p[0] == '-'))
		return NULL;
	return xstrndup(p, n);
}

static char *
base_name(char *path)
{
	char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/*
 * A permit line logs the argv the rule built (the rule's run words, then
 * the client's words after its first), not the client's command: its
 * first word, and a dropped prefix, are not in the log.  The command is
 * rebuilt with the first word that lets the installed policy permit it
 * by the logged rule again: the name or the path of a run word, else a
 * literal word of the rule's args; without the rule's drop prefix, then
 * with it.  NULL when none does (or the argv is logged in parts).
 */
static char *
rebuild_permit(const struct policy *old, const char *line, char **from,
    char **tag)
{
	const char *s = strstr(line, "permit rule="), *a;
	const struct rule *r = NULL;
	struct tok_error te;
	struct words w;
	char *name, *cmd = NULL;
	size_t i, k, nc, ncand;
	int drop;

	*from = *tag = NULL;
	if (old == NULL || s == NULL || (s != line && s[-1] != ' ') ||
	    (a = strstr(s, " argv=")) == NULL)
		return NULL;
	name = log_field(s, "permit rule=");
	for (i = 0; name != NULL && i < old->nrules; i++)
		if (strcmp(old->rules[i].name, name) == 0)
			r = &old->rules[i];
	free(name);
	a += strlen(" argv=");
	if (r == NULL || r->nrun == 0 ||
	    argv_split(a, strlen(a), &w, &te) != TOK_OK)
		return NULL;
	for (i = 0; i < r->nrun; i++)
		if (i >= w.n || strcmp(w.v[i], r->run[i]) != 0)
			goto out;
	*from = log_field(s, " from=");
	*tag = log_field(s, " tag=");
	ncand = 2 * r->nrun + r->natoms;
	for (drop = 0; drop < 2 && cmd == NULL; drop++)
		for (k = 0; k < ncand && cmd == NULL; k++) {
			char *first, **v;
			struct outcome oc;

			if (k < r->nrun)
				first = base_name(r->run[k]);
			else if (k < 2 * r->nrun)
				first = r->run[k - r->nrun];
			else if (r->atoms[k - 2 * r->nrun]->kind == PAT_LIT)
				first = r->atoms[k - 2 * r->nrun]->text;
			else
				continue;
			nc = (drop ? r->ndrop : 0) + 1 + (w.n - r->nrun);
			v = xreallocarray(NULL, nc + 1, sizeof(*v));
			for (i = 0; drop && i < r->ndrop; i++)
				v[i] = r->drop[i];
			v[i++] = first;
			memcpy(v + i, w.v + r->nrun, (w.n - r->nrun) *
			    sizeof(*v));
			cmd = argv_join(v, nc);
			free(v);
			outcome_of(old, NULL, cmd, *from, *tag, &oc);
			if (!oc.permit || strcmp(oc.rule, r->name) != 0) {
				free(cmd);
				cmd = NULL;
			}
			outcome_free(&oc);
		}
out:
	words_free(&w);
	if (cmd == NULL) {
		free(*from);
		free(*tag);
		*from = *tag = NULL;
	}
	return cmd;
}

/*
 * The commands of the last `last' decision lines of the log, oldest
 * first, the same command from the same place and tag counted once.  A
 * permit line whose command cannot be rebuilt is counted in *lost.
 */
static size_t
read_log(FILE *in, const struct policy *old, size_t last,
    struct logcmd **out, size_t *total, size_t *lost)
{
	char **ring = xreallocarray(NULL, last, sizeof(*ring));
	char *line = NULL, *cmd, *from, *tag;
	struct logcmd *v;
	size_t cap = 0, n = 0, i, k, nv = 0;
	ssize_t len;

	*total = *lost = 0;
	while ((len = getline(&line, &cap, in)) != -1) {
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (strstr(line, "deny caller=") == NULL &&
		    strstr(line, "permit rule=") == NULL)
			continue;
		if (n >= last)
			free(ring[n % last]);
		ring[n % last] = xstrdup(line);
		n++;
	}
	free(line);
	v = xreallocarray(NULL, (n < last ? n : last) + 1, sizeof(*v));
	for (i = n > last ? n - last : 0; i < n; i++) {
		line = ring[i % last];
		if (log_denial(line, &cmd, &from, &tag) != 0 &&
		    (cmd = rebuild_permit(old, line, &from, &tag)) == NULL) {
			*lost += strstr(line, "permit rule=") != NULL;
			free(line);
			continue;
		}
		free(line);
		(*total)++;
		for (k = 0; k < nv; k++)
			if (strcmp(v[k].cmd, cmd) == 0 &&
			    (v[k].from ? from && strcmp(v[k].from, from) == 0 :
			    from == NULL) &&
			    (v[k].tag ? tag && strcmp(v[k].tag, tag) == 0 :
			    tag == NULL))
				break;
		if (k < nv) {
			v[k].count++;
			free(cmd);
			free(from);
			free(tag);
			continue;
		}
		v[nv++] = (struct logcmd){ cmd, from, tag, 1 };
	}
	free(ring);
	*out = v;
	return nv;
}

static void
logcmds_free(struct logcmd *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].cmd);
		free(v[i].from);
		free(v[i].tag);
	}
	free(v);
}

/*
 * The gate's lines in the journal, when there is one: journalctl, run
 * with a fixed path and environment, its output read through a pipe.
 */
static FILE *
journal_open(pid_t *pid)
{
	int pfd[2], devnull;
	FILE *f;

	if (access(JOURNALCTL, X_OK) != 0 || pipe2(pfd, O_CLOEXEC) == -1)
		return NULL;
	if ((*pid = fork()) == -1) {
		close(pfd[0]);
		close(pfd[1]);
		return NULL;
	}
	if (*pid == 0) {
		char *argv[] = { xstrdup("journalctl"), xstrdup("-q"),
		    xstrdup("--no-pager"), xstrdup("-o"), xstrdup("cat"),
		    xstrdup("-t"), xstrdup("sshgate"), xstrdup("-n"),
		    xstrdup(JOURNAL_LINES), NULL };
		char *envp[] = { xstrdup("PATH=/usr/bin:/bin"),
		    xstrdup("LC_ALL=C"), NULL };

		devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (devnull == -1 || dup2(devnull, 0) == -1 ||
		    dup2(pfd[1], 1) == -1 || dup2(devnull, 2) == -1)
			_exit(127);
		execve(JOURNALCTL, argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	if ((f = fdopen(pfd[0], "r")) == NULL) {
		close(pfd[0]);
		while (waitpid(*pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	return f;
}

/* The log's part of the report; -1 when a given log cannot be read. */
static int
report_log(const struct install_opts *io, const struct policy *old,
    const char *none, const struct policy *p)
{
	struct logcmd *v;
	const char *shown = io->log;
	size_t n, i, total, lost, changed = 0;
	pid_t pid = -1;
	FILE *in;
	int st, bad;

	if (io->log == NULL) {
		shown = "journalctl -t sshgate";
		if ((in = journal_open(&pid)) == NULL) {
			printf("the log: not compared: no %s to read (give "
			    "--log FILE)\n", JOURNALCTL);
			return 0;
		}
	} else if (strcmp(io->log, "-") == 0) {
		shown = "stdin";
		in = stdin;
	} else if ((in = fopen(io->log, "re")) == NULL) {
		fail("%s: %s", io->log, strerror(errno));
		return -1;
	}
	n = read_log(in, old, io->last, &v, &total, &lost);
	bad = ferror(in);
	if (in != stdin)
		fclose(in);
	if (pid != -1) {
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		if (bad || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("the log: not compared: %s failed (give --log "
			    "FILE)\n", shown);
			logcmds_free(v, n);
			return 0;
		}
	} else if (bad) {
		logcmds_free(v, n);
		fail("%s: cannot read", shown);
		return -1;
	}
	printf("the log (%s): the last %zu command%s, %zu different\n",
	    shown, total, total == 1 ? "" : "s", n);
	for (i = 0; i < n; i++)
		changed += compare(old, none, p, v[i].cmd, v[i].from,
		    v[i].tag, v[i].count);
	logcmds_free(v, n);
	printf("  %zu decision%s change%s\n", changed, changed == 1 ? "" : "s",
	    changed == 1 ? "s" : "");
	if (lost > 0 && old == NULL)
		printf("  %zu permit line%s not compared: no installed policy "
		    "the gate uses, to rebuild %s command%s with\n", lost,
		    lost == 1 ? "" : "s", lost == 1 ? "its" : "their",
		    lost == 1 ? "" : "s");
	else if (lost > 0)
		printf("  %zu permit line%s not compared: the installed policy "
		    "does not permit a command rebuilt from %s by its rule\n",
		    lost, lost == 1 ? "" : "s", lost == 1 ? "it" : "them");
	return 0;
}

/* The installed policy's own tests, decided by both. */
static void
report_tests(const struct policy *old, const char *none,
    const struct policy *p)
{
	size_t i, changed = 0;

	if (old == NULL) {
		printf("the installed policy's tests: none (%s)\n", none);
		return;
	}
	printf("the installed policy's tests: %zu\n", old->ntests);
	for (i = 0; i < old->ntests; i++) {
		const struct ptest *t = &old->tests[i];

		changed += compare(old, none, p, t->cmd, t->from, t->tag, 1);
	}
	printf("  %zu decision%s change%s\n", changed, changed == 1 ? "" : "s",
	    changed == 1 ? "s" : "");
}

/* ---- the swap --------------------------------------------------------------- */

/*
 * The replaced policy to BASE.prev, by a second link renamed over it,
 * then the checked copy to BASE: the installed path is never missing
 * and never half written.
 */
static int
swap(const struct place *pl, const char *tmp, int keep, char *why,
    size_t whylen)
{
	char link[2 * NAME_MAX];
	unsigned n;
	int r = -1;

	if (keep) {
		for (n = 0; n < 100; n++) {
			temp_name(pl, "prev", n, link, sizeof(link));
			if ((r = linkat(pl->dirfd, pl->base, pl->dirfd, link,
			    0)) == 0 || errno != EEXIST)
				break;
		}
		if (r == -1) {
			snprintf(why, whylen, "cannot link %s/%s: %s", pl->dir,
			    pl->base, strerror(errno));
			return -1;
		}
		if (renameat(pl->dirfd, link, pl->dirfd, pl->prevbase) == -1) {
			snprintf(why, whylen, "cannot rename to %s: %s",
			    pl->prev, strerror(errno));
			(void)unlinkat(pl->dirfd, link, 0);
			return -1;
		}
	}
	if (renameat(pl->dirfd, tmp, pl->dirfd, pl->base) == -1) {
		snprintf(why, whylen, "cannot rename to %s/%s: %s", pl->dir,
		    pl->base, strerror(errno));
		return -1;
	}
	if (fsync(pl->dirfd) == -1) {
		snprintf(why, whylen, "fsync %s: %s", pl->dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- --install, --rollback -------------------------------------------------- */

int
install_run(const struct install_opts *io, struct out *o)
{
	struct place pl;
	struct snapshot before, after, src;
	struct trust_why tw;
	struct diags d = { 0 }, dold = { 0 };
	struct policy *old = NULL, *p = NULL;
	char why[3 * PATH_MAX], *none = NULL, tmp[2 * NAME_MAX] = "";
	char tmppath[PATH_MAX + 2 * NAME_MAX];
	const char *name = io->newfile != NULL ? io->newfile : NULL;
	size_t failed = 0, probed;
	int rc = LINT_ERROR, fd;

	memset(&before, 0, sizeof(before));
	memset(&src, 0, sizeof(src));
	cur = io;
	if (o->json)
		return fail("--install and --rollback print text, not --json");
	if (geteuid() != 0)
		return fail("%s needs root: the policy and its directory are "
		    "root's", io->newfile ? "--install" : "--rollback");
	if (place_of(io->target, &pl, why, sizeof(why)) != 0)
		return fail("%s", why);
	if (catch_signals() != 0)
		return fail("sigaction: %s", strerror(errno));
	/* the directory as the gate walks it; then one of us at a time */
	pl.dirfd = trust_walk(pl.dir, O_RDONLY | O_DIRECTORY, TRUST_NO_LINKS,
	    TRUST_DIR, 0, &tw);
	if (pl.dirfd == -1)
		return fail("sshgate would refuse any policy in %s: %s; not "
		    "%s", pl.dir, tw.msg, io->newfile ? "installed" :
		    "rolled back");
	if (flock(pl.dirfd, LOCK_EX | LOCK_NB) == -1) {
		rc = fail("%s: %s", pl.dir, errno == EWOULDBLOCK ? "another "
		    "sshgate-lint --install or --rollback is at work there" :
		    strerror(errno));
		goto out;
	}

	/* The installed policy: its bytes, and what the gate makes of it. */
	if (snap(&pl, pl.base, &before, why, sizeof(why)) != 0) {
		rc = fail("the installed policy %s", why);
		goto out;
	}
	if (!before.exists && io->part_tag != NULL)
		none = xasprintf("there is no part for tag '%s': the common "
		    "part decides alone", io->part_tag);
	else if (!before.exists)
		none = xstrdup("there is no installed policy: the gate "
		    "permits nothing");
	else if ((old = gate_view(io->target, io->target, &dold, why,
	    sizeof(why))) == NULL && why[0] != '\0')
		none = xasprintf("the gate refuses the installed policy (%s) "
		    "and permits nothing", why);
	else if (old == NULL)
		none = xasprintf("the installed policy has %zu error%s: the "
		    "gate permits nothing", dold.nerr, dold.nerr == 1 ? "" :
		    "s");

	/* What replaces it: NEW, or the kept previous policy. */
	if (io->newfile == NULL) {
		name = pl.prev;
		if (snap(&pl, pl.prevbase, &src, why, sizeof(why)) != 0) {
			rc = fail("the previous policy %s", why);
			goto out;
		}
		if (!src.exists) {
			rc = fail("no previous policy %s to roll back to",
			    pl.prev);
			goto out;
		}
	} else {
		if ((fd = open(io->newfile, O_RDONLY | O_CLOEXEC |
		    O_NOCTTY)) == -1) {
			rc = fail("%s: %s", io->newfile, strerror(errno));
			goto out;
		}
		if (read_all(fd, SSHGATE_POLICY_MAX, &src.text, &src.len, why,
		    sizeof(why)) != 0) {
			close(fd);
			rc = fail("%s: %s", io->newfile, why);
			goto out;
		}
		close(fd);
	}

	/* Its copy, read as the gate will read it, and linted. */
	if (write_copy(&pl, src.text, src.len, tmp, sizeof(tmp), why,
	    sizeof(why)) != 0) {
		rc = fail("%s", why);
		goto out;
	}
	snprintf(tmppath, sizeof(tmppath), "%s/%s", strcmp(pl.dir, "/") == 0 ?
	    "" : pl.dir, tmp);
	printf("checking %s as %s will read it (copied to %s)\n", name,
	    io->target, tmppath);
	p = gate_view(tmppath, name, &d, why, sizeof(why));
	if (p == NULL && why[0] != '\0') {
		struct source s = { name, NULL, 0 };

		diag_add(&d, DIAG_ERROR, "untrusted-file", &s, NULL, NULL,
		    "sshgate would refuse it as %s: %s", io->target, why);
	}
	if (p != NULL)
		failed = policy_run_tests(p, &d);
	probed = d.n;
	if (p != NULL) {
		probe_policy(p, &d);
		lint_regexes(p, &d);
		probe_unused_allows(p, &d);
	}
	sort_diags(&d, probed);
	out_diags(o, &d);
	if (p != NULL) {
		printf("%s: %zu rule%s, %zu of %zu test%s passed, %zu error%s, "
		    "%zu warning%s\n", name, p->nrules, p->nrules == 1 ? "" :
		    "s", p->ntests - failed, p->ntests, p->ntests == 1 ? "" :
		    "s", d.nerr, d.nerr == 1 ? "" : "s", d.nwarn,
		    d.nwarn == 1 ? "" : "s");
		report_tests(old, none, p);
		if (report_log(io, old, none, p) != 0)
			goto out;
	}
	if (p == NULL || d.nerr > 0) {
		rc = fail("%s has %zu error%s: %s not changed", name, d.nerr,
		    d.nerr == 1 ? "" : "s", io->target);
		goto out;
	}
	if (io->strict && d.nwarn > 0) {
		fprintf(stderr, "sshgate-lint: %s has %zu warning%s and "
		    "--strict: %s not changed\n", name, d.nwarn,
		    d.nwarn == 1 ? "" : "s", io->target);
		rc = LINT_WARN;
		goto out;
	}
	if (io->dry_run) {
		printf("dry run: %s not changed\n", io->target);
		rc = LINT_OK;
		goto out;
	}

	/* Last: the installed file must be the one that was compared. */
	if (snap(&pl, pl.base, &after, why, sizeof(why)) != 0) {
		rc = fail("the installed policy %s", why);
		goto out;
	}
	if (!same_snap(&before, &after)) {
		fprintf(stderr, "sshgate-lint: %s changed while it was checked: "
		    "not %s; look at it, then run again\n", io->target,
		    io->newfile ? "installed" : "rolled back");
		free(after.text);
		rc = LINT_CHANGED;
		goto out;
	}
	free(after.text);
	if (swap(&pl, tmp, before.exists, why, sizeof(why)) != 0) {
		rc = fail("%s; %s not changed", why, io->target);
		goto out;
	}
	tmp[0] = '\0';
	if (io->newfile == NULL)
		printf("rolled back: %s is the previous policy again; the "
		    "replaced one is kept as %s (--rollback again undoes "
		    "this)\n", io->target, pl.prev);
	else if (before.exists)
		printf("installed %s as %s; the replaced policy is kept as %s "
		    "(sshgate-lint --rollback puts it back)\n", io->newfile,
		    io->target, pl.prev);
	else
		printf("installed %s as %s (there was no policy to keep)\n",
		    io->newfile, io->target);
	rc = LINT_OK;
out:
	gone_armed = 0;
	if (tmp[0] != '\0' && unlinkat(pl.dirfd, tmp, 0) == -1) {
		fprintf(stderr, "sshgate-lint: cannot remove %s/%s: %s\n",
		    pl.dir, tmp, strerror(errno));
		rc = LINT_ERROR;
	}
	if (pl.dirfd != -1)
		close(pl.dirfd);
	policy_free(old);
	policy_free(p);
	diags_free(&d);
	diags_free(&dold);
	free(before.text);
	free(src.text);
	free(none);
	return rc;
}
