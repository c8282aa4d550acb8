/*
 * sshgate-lint: the policy's compiler, tester and explainer.  It links
 * the gate's own parser, matcher and plan builder (STYLE.md 11), runs
 * unprivileged, and never executes anything.
 *
 * Exit: 0 clean (or permit for --test), 1 deny for --test, 2 errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "escape.h"
#include "plan.h"
#include "policy.h"
#include "syscalls.h"
#include "trust.h"
#include "xmalloc.h"

#ifndef SSHGATE_POLICY_PATH
#error "SSHGATE_POLICY_PATH must be set by the build"
#endif

extern char **environ;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sshgate-lint [-f FILE]\n"
	    "       sshgate-lint [-f FILE] --test COMMAND [--from ADDR] "
	    "[--tag TAG]\n"
	    "       sshgate-lint [-f FILE] --explain COMMAND [--from ADDR] "
	    "[--tag TAG]\n"
	    "       sshgate-lint --version | --print-policy-path\n");
	exit(2);
}

static void
print_diags(const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		char *s = diag_render(&d->v[i]);

		fputs(s, stderr);
		free(s);
	}
}

/*
 * Read the policy.  The gate would refuse a file that is not trusted
 * (owner, mode, symlinks, writable parents); the linter says so as a
 * warning and still reads it, so that drafts can be tested.
 */
static struct policy *
load(const char *file, struct diags *d)
{
	char why[512], *text;
	size_t len;
	int fd;
	struct policy *p;
	struct source src = { file, NULL, 0 };

	fd = trust_open(file, O_RDONLY, TRUST_NO_LINKS, why, sizeof(why));
	if (fd == -1) {
		diag_add(d, DIAG_WARNING, "untrusted-file", &src, NULL, NULL,
		    "sshgate would refuse this file: %s", why);
		fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd == -1) {
			diag_add(d, DIAG_ERROR, NULL, &src, NULL, NULL,
			    "cannot open: %s", strerror(errno));
			return NULL;
		}
	}
	if (read_all(fd, SSHGATE_POLICY_MAX, &text, &len, why, sizeof(why))) {
		diag_add(d, DIAG_ERROR, NULL, &src, NULL, NULL, "%s", why);
		close(fd);
		return NULL;
	}
	close(fd);
	p = policy_parse(file, text, len, d);
	free(text);
	return p;
}

static const char *
outcome_text(const struct rule_trace *rt)
{
	switch (rt->outcome) {
	case RULE_SKIP_FROM:	return "skipped: 'from' does not admit the "
				    "client address";
	case RULE_SKIP_TAG:	return "skipped: 'tag' does not admit the "
				    "gate's tag";
	case RULE_NO_MATCH:	return "no match";
	case RULE_MATCH:	return "MATCH";
	case RULE_ERROR:	return "ERROR (match limit)";
	}
	return "?";
}

static void
explain_trace(const struct decision *dec, const struct trace *t)
{
	size_t i, k;

	printf("rules tried, in order:\n");
	if (t->n == 0)
		printf("  (none)\n");
	for (i = 0; i < t->n; i++) {
		const struct rule_trace *rt = &t->v[i];
		const struct rule *r = rt->rule;

		printf("  %s (line %u): %s", r->name, r->loc.name.line,
		    outcome_text(rt));
		if (rt->dropped > 0)
			printf(" (after dropping %zu leading word%s)",
			    rt->dropped, rt->dropped == 1 ? "" : "s");
		if (rt->outcome == RULE_NO_MATCH) {
			size_t w = rt->stop + rt->dropped;

			if (rt->at_end && w == 0)
				printf(" -- there are no words, but the pattern "
				    "wants some");
			else if (rt->at_end)
				printf(" -- the words ended after word %zu "
				    "'%s', but the pattern wants more", w - 1,
				    dec->words.v[w - 1]);
			else
				printf(" -- stopped at word %zu '%s'", w,
				    dec->words.v[w]);
			printf("\n      expected: ");
			if (rt->nexpected == 0)
				printf("nothing more");
			for (k = 0; k < rt->nexpected; k++) {
				char *a = pat_atom_text(r->atoms[rt->expected[k]]);

				printf("%s%s", k ? " | " : "", a);
				free(a);
			}
		}
		printf("\n");
	}
}

static void
caps_text(uint64_t caps)
{
	int c, any = 0;

	for (c = 0; c < 64; c++)
		if ((caps >> c) & 1) {
			const char *n = cap_to_name(c);

			printf("%s%s", any++ ? ", " : "", n ? n : "?");
		}
	if (!any)
		printf("none");
}

static void
explain_seccomp(const struct rule *r)
{
	const struct sc_group *g;
	const struct sc_rule *sr;

	if (r->seccomp_off) {
		printf("  seccomp:  none (no filter)\n");
		return;
	}
	printf("  seccomp:  native architecture only, any other is killed "
	    "(KILL_PROCESS)\n");
	printf("            always:");
	for (sr = sc_always; sr->syscall != NULL; sr++)
		printf(" %s", sr->syscall);
	printf(" -> ENOSYS\n");
	for (g = sc_groups; g->name != NULL; g++) {
		if (!(r->seccomp & g->bit))
			continue;
		printf("            %s (%s):", g->name, g->why);
		for (sr = g->rules; sr->syscall != NULL; sr++)
			printf(" %s%s -> %s%s", sr->syscall, sc_arg_text(sr->arg),
			    sc_action_name(sr->action), sr[1].syscall ? "," : "");
		printf("\n");
	}
}

static void
explain_plan(const struct plan *pl)
{
	const struct rule *r = pl->rule;
	struct passwd *pw = getpwnam(r->user);
	struct group *gr = r->group ? getgrnam(r->group) : NULL;
	size_t i;
	char *e;

	printf("execution plan:\n");
	/* program and argv escaped like env: one form for the whole plan */
	e = escape_str(pl->path, 4096);
	printf("  program:  %s\n", e);
	free(e);
	for (i = 0; i < pl->argc; i++) {
		e = escape_str(pl->argv[i], 4096);
		printf("  argv[%zu]  %s\n", i, e);
		free(e);
	}
	for (i = 0; i < pl->envc; i++) {
		e = escape_str(pl->envp[i], 4096);
		printf("  env[%zu]   %s\n", i, e);
		free(e);
	}
	printf("  runner:   %s", r->user);
	if (r->group)
		printf(":%s", r->group);
	if (pw != NULL)
		printf(" (uid %u, gid %u)", (unsigned)pw->pw_uid,
		    (unsigned)(r->group ? (gr ? gr->gr_gid : (gid_t)-1) :
		    pw->pw_gid));
	else
		printf(" (no such account on this host: the gate would refuse)");
	printf(", no supplementary groups\n");
	printf("  caps:     ");
	caps_text(r->caps);
	printf(" (effective, permitted, inheritable, ambient; bounding set "
	    "the same)\n");
	printf("  securebits: noroot, no_setuid_fixup, both locked; "
	    "no_new_privs\n");
	explain_seccomp(r);
	printf("  landlock: %s; writable: /dev/null", landlock_mode_name(
	    r->landlock));
	for (i = 0; i < r->nwrite; i++)
		printf(", %s", r->write[i]);
	printf("\n");
	if (r->timeout)
		printf("  timeout:  %us\n", r->timeout);
	else
		printf("  timeout:  none\n");
}

static int
run_decide(const struct policy *p, const char *cmd, const char *from,
    const char *tag, int explain)
{
	struct request req = { cmd, strnlen(cmd, SSHGATE_CMD_MAX + 1), tag,
	    from };
	struct decision dec;
	struct trace t;
	struct plan pl;
	char err[256];
	size_t i;
	int rc;

	policy_decide(p, &req, &dec, explain ? &t : NULL);
	if (explain) {
		char *e = escape_str(cmd, 4096);

		printf("command:  %s\n", e);
		free(e);
		printf("from:     %s\ntag:      %s\n", from ? from : "(none)",
		    tag ? tag : "(none)");
		if (dec.cause == CAUSE_TOKENIZER)
			printf("words:    refused by the tokenizer\n");
		else {
			printf("words (%zu):\n", dec.words.n);
			for (i = 0; i < dec.words.n; i++)
				printf("  [%zu] %s\n", i, dec.words.v[i]);
			explain_trace(&dec, &t);
		}
		trace_free(&t);
	}
	if (dec.verdict == VERDICT_PERMIT &&
	    plan_build(&dec, environ, &pl, err, sizeof(err)) != 0) {
		printf("deny: %s\n", err);
		decision_free(&dec);
		return 1;
	}
	if (dec.verdict == VERDICT_PERMIT) {
		printf("permit: %s\n", dec.reason);
		if (explain)
			explain_plan(&pl);
		plan_free(&pl);
		rc = 0;
	} else {
		printf("deny: %s\n", dec.reason);
		rc = 1;
	}
	decision_free(&dec);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "test", required_argument, NULL, 't' },
		{ "explain", required_argument, NULL, 'e' },
		{ "from", required_argument, NULL, 'F' },
		{ "tag", required_argument, NULL, 'T' },
		{ "version", no_argument, NULL, 'V' },
		{ "print-policy-path", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = SSHGATE_POLICY_PATH, *cmd = NULL, *from = NULL;
	const char *tag = NULL;
	char addr[64];
	struct diags d = { 0 };
	struct policy *p;
	size_t failed = 0;
	int c, explain = 0, rc;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 't':
		case 'e':
			if (cmd != NULL)
				usage();
			cmd = optarg;
			explain = c == 'e';
			break;
		case 'F':
			from = optarg;
			break;
		case 'T':
			tag = optarg;
			break;
		case 'V':
			printf("sshgate-lint %s (policy version %d)\n",
			    PACKAGE_VERSION, SSHGATE_POLICY_VERSION);
			return 0;
		case 'P':
			/* the gate's compiled-in policy, for scripts and tests */
			printf("%s\n", SSHGATE_POLICY_PATH);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (from == NULL && parse_ssh_connection(getenv("SSH_CONNECTION"),
	    addr, sizeof(addr)) == 0)
		from = addr;

	p = load(file, &d);
	/* The embedded tests run only on a policy that compiled. */
	if (p != NULL)
		failed = policy_run_tests(p, &d);
	print_diags(&d);
	if (p == NULL) {
		fprintf(stderr, "%s: %zu error%s, %zu warning%s; the gate "
		    "would permit nothing\n", file, d.nerr, d.nerr == 1 ? "" :
		    "s", d.nwarn, d.nwarn == 1 ? "" : "s");
		diags_free(&d);
		return 2;
	}
	if (cmd == NULL && d.nerr > 0) {
		/* It compiles: the gate would use it, tests or not. */
		fprintf(stderr, "%s: %zu of %zu test%s failed, %zu warning%s; "
		    "the gate would use this policy as it is\n", file, failed,
		    p->ntests, p->ntests == 1 ? "" : "s", d.nwarn,
		    d.nwarn == 1 ? "" : "s");
		policy_free(p);
		diags_free(&d);
		return 2;
	}
	if (cmd == NULL) {
		printf("%s: %zu rule%s, %zu test%s passed, %zu warning%s\n",
		    file, p->nrules, p->nrules == 1 ? "" : "s", p->ntests,
		    p->ntests == 1 ? "" : "s", d.nwarn, d.nwarn == 1 ? "" : "s");
		rc = 0;
	} else
		rc = run_decide(p, cmd, from, tag, explain);
	policy_free(p);
	diags_free(&d);
	return rc;
}
