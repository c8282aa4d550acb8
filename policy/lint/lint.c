/*
 * sshgate-lint: the policy's compiler, tester, explainer and deployment
 * auditor.  It links the gate's own parser, matcher and plan builder
 * (docs/STYLE.md 11), runs unprivileged, and never executes anything it lints
 * (the audit runs only "sshd -T", which reads configuration).  Everything
 * untrusted it prints is escaped.
 *
 * Exit: 0 clean (or permit for --test), 1 warnings with --strict (or deny
 * for --test), 2 errors; 3 --install: the installed policy changed;
 * --test and --explain 4, 5 or 126 where the gate
 * would refuse the policy or the rule with that status (policy/confine.c
 * decides for both; sshgate-lint(1) EXIT STATUS).
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "catalogue.h"
#include "confine.h"
#include "escape.h"
#include "exec.h"
#include "audit.h"
#include "tmpdir.h"
#include "install.h"
#include "out.h"
#include "part.h"
#include "suggest.h"
#include "plan.h"
#include "policy.h"
#include "probe.h"
#include "similar.h"
#include "syscalls.h"
#include "trust.h"
#include "warnings.h"
#include "xmalloc.h"

#ifndef SSHGATE_POLICY_PATH
#error "SSHGATE_POLICY_PATH must be set by the build"
#endif
#ifndef SSHGATE_GATE_PATH
#define SSHGATE_GATE_PATH	"/usr/local/sbin/sshgate"
#endif

extern char **environ;

static const char synopsis[] =
    "usage: sshgate-lint [-f FILE] [--strict] [--json]\n"
    "       sshgate-lint [-f FILE] [--json] --test|--explain COMMAND "
    "[--from ADDR] [--tag TAG]\n"
    "       sshgate-lint [-f FILE] [--json] --explain-log LINE|- "
    "[--from ADDR] [--tag TAG]\n"
    "       sshgate-lint [-f FILE] [--json] --suggest COMMAND "
    "[--from ADDR] [--tag TAG]\n"
    "                    [--include-dangerous]\n"
    "       sshgate-lint [-f FILE] [--json] --suggest-from-log FILE|-\n"
    "                    [--include-dangerous] "
    "[--include-unknown-addresses]\n"
    "       sshgate-lint [-f FILE] [--json] --audit [--gate PATH] "
    "[--sshd PATH]\n"
    "                    [--sshd-config FILE] [--authorized-keys FILE] "
    "[--pam-dir DIR]\n"
    "                    [--from ADDR] [USER]\n"
    "       sshgate-lint [-f PATH] [--strict] [--dry-run] [--log FILE|-] "
    "[--last N]\n"
    "                    --install NEW | --rollback\n"
    "       sshgate-lint [--json] --catalogue | --list-warnings\n"
    "       sshgate-lint --version | --print-policy-path | --help\n";

/* A usage error: the synopsis on stderr, exit 2. */
static void __attribute__((noreturn))
usage(void)
{
	fputs(synopsis, stderr);
	exit(LINT_ERROR);
}

/*
 * --help: every option, one line each, grouped by mode, on stdout, exit 0
 * (tests/options.sh checks that each option main() accepts is here).
 */
static void
help(void)
{
	fputs(synopsis, stdout);
	printf("\n"
	    "Modes (one at most; without one: compile the policy, run its "
	    "tests, probe it):\n"
	    "  --test COMMAND          decide COMMAND as the gate would: "
	    "permit or deny (exit 0/1)\n"
	    "  --explain COMMAND       the decision, every rule tried, and "
	    "what would run\n"
	    "  --explain-log LINE      --explain of a denial's log line(s), "
	    "or - for stdin\n"
	    "  --suggest COMMAND       a rule that permits COMMAND, proven "
	    "before printed\n"
	    "  --suggest-from-log FILE rules for the denials in a log "
	    "(FILE, or - for stdin)\n"
	    "  --audit [USER]          check the installation for USER: "
	    "accounts, gate, sshd, keys\n"
	    "  --catalogue             print the danger catalogue the probes "
	    "use\n"
	    "  --list-warnings         print every warning and audit finding "
	    "with its summary\n"
	    "  --install NEW           check NEW as the gate would read it, "
	    "show what changes, and\n"
	    "                          put it in place by rename (the old one "
	    "kept as PATH.prev)\n"
	    "  --rollback              put PATH.prev back the same way\n"
	    "\n"
	    "Installing (--install, --rollback):\n"
	    "  --dry-run               check and report, change nothing\n"
	    "  --log FILE              the log whose last decisions are "
	    "compared (- for stdin;\n"
	    "                          default: journalctl -t sshgate)\n"
	    "  --last N                how many of the log's last commands "
	    "(default: 1000)\n"
	    "\n"
	    "Policy and output:\n"
	    "  -f FILE                 the policy to read (default: %s)\n"
	    "  --strict                exit 1 when there are warnings\n"
	    "  --json                  one JSON record per line on stdout\n"
	    "\n"
	    "The connection (--test, --explain, --explain-log, --suggest, "
	    "--audit):\n"
	    "  --from ADDR             the client's address, IPv4 or IPv6 "
	    "(default: from SSH_CONNECTION)\n"
	    "  --tag TAG               the tag the gate was given\n"
	    "\n"
	    "Suggestions (--suggest, --suggest-from-log):\n"
	    "  --include-dangerous     print what the danger probes flag, "
	    "with the warnings\n"
	    "  --include-unknown-addresses\n"
	    "                          suggest for denials from addresses "
	    "no 'from' names\n"
	    "\n"
	    "Where --audit looks:\n"
	    "  --gate PATH             the installed gate (default: %s)\n"
	    "  --sshd PATH             the sshd binary (default: "
	    "/usr/sbin/sshd)\n"
	    "  --sshd-config FILE      the sshd configuration for sshd -T "
	    "-f\n"
	    "  --authorized-keys FILE  the authorized keys, instead of "
	    "sshd's\n"
	    "  --pam-dir DIR           the PAM configuration (default: "
	    "/etc/pam.d)\n"
	    "\n"
	    "Information:\n"
	    "  --version               print the version and exit\n"
	    "  --print-policy-path     print the gate's compiled-in policy "
	    "path\n"
	    "  -h, --help              print this help and exit\n"
	    "\n"
	    "Exit: 0 clean or permitted, 1 warnings with --strict or denied, "
	    "2 errors or usage,\n"
	    "3 --install: the installed policy changed under it, 4, 5 or 126: "
	    "the gate would\n"
	    "refuse the policy or the rule with that status.\n"
	    "See sshgate-lint(1).\n", SSHGATE_POLICY_PATH, SSHGATE_GATE_PATH);
}

static void
die_oom(const char *what)
{
	fprintf(stderr, "sshgate-lint: out of memory (%s)\n", what);
	exit(LINT_ERROR);
}

/* ---- --explain ----------------------------------------------------------- */

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
	case RULE_BUDGET:	return "ERROR (regex budget)";
	}
	return "?";
}

static const char *
outcome_name(enum rule_outcome o)
{
	switch (o) {
	case RULE_SKIP_FROM:	return "skip-from";
	case RULE_SKIP_TAG:	return "skip-tag";
	case RULE_NO_MATCH:	return "no-match";
	case RULE_MATCH:	return "match";
	case RULE_ERROR:	return "error";
	case RULE_BUDGET:	return "budget";
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

/* What Landlock lets the program execute (policy/exec.c, as the gate). */
static void
explain_exec(const struct rule *r)
{
	struct exec_path *v;
	size_t i, n = exec_paths(r, &v);

	printf("            executable:");
	for (i = 0; i < n; i++)
		printf("%s %s (%s)", i ? "," : "", v[i].path,
		    exec_why_name(v[i].why));
	printf("; and the interpreter each names (\"#!\", ELF PT_INTERP), "
	    "in turn; nothing else\n");
	free(v);
	if (r->nread == 0) {
		printf("            readable: everything the runner may read\n");
		return;
	}
	printf("            readable: only");
	for (i = 0; i < r->nread; i++)
		printf(" %s,", r->read[i]);
	printf(" the writable and executable paths, and");
	for (i = 0; read_base[i] != NULL; i++)
		printf("%s %s", i ? "," : "", read_base[i]);
	printf("\n");
}

/* The filter confine_decide() gives (policy/confine.c), as gate/sandbox.c
 * builds it. */
static void
explain_seccomp(const struct confine *c)
{
	const struct sc_group *g;
	const struct sc_rule *sr;

	if (!c->seccomp && c->readonly_mounts) {
		printf("  seccomp:  none -- the gate refuses a uid 0 runner "
		    "without a filter\n");
		return;
	}
	if (!c->seccomp) {
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
		if (!(c->seccomp_groups & g->bit))
			continue;
		printf("            %s (%s):", g->name, g->why);
		for (sr = g->rules; sr->syscall != NULL; sr++)
			printf(" %s%s -> %s%s", sr->syscall, sc_arg_text(sr->arg),
			    sc_action_name(sr->action), sr[1].syscall ? "," : "");
		printf("\n");
	}
}

/* "none", or a rule's memory size as written ("512M", "2G", "1T") */
static const char *
memory_text(unsigned long long bytes, char *buf, size_t size)
{
	if (bytes == 0)
		snprintf(buf, size, "none");
	else if (bytes % (1ULL << 40) == 0)
		snprintf(buf, size, "%lluT", bytes >> 40);
	else if (bytes % (1ULL << 30) == 0)
		snprintf(buf, size, "%lluG", bytes >> 30);
	else
		snprintf(buf, size, "%lluM", bytes >> 20);
	return buf;
}

/*
 * The plan, and the confinement confine_decide() decided for the runner
 * on this machine (c), the one the gate enforces; run NULL when the
 * runner does not exist.
 */
static void
explain_plan(const struct plan *pl, const struct confine_runner *run,
    const struct confine *c)
{
	const struct rule *r = pl->rule;
	size_t i;
	char *e, mem[32];

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
	if (run != NULL)
		printf(" (uid %u, gid %u)", (unsigned)run->uid,
		    (unsigned)run->gid);
	else
		printf(" (no such account on this host: the gate would refuse)");
	printf(", no supplementary groups\n");
	printf("  caps:     ");
	caps_text(r->caps);
	printf(" (effective, permitted, inheritable, ambient; bounding set "
	    "the same)\n");
	printf("  securebits: noroot, no_setuid_fixup, both locked; "
	    "no_new_privs\n");
	explain_seccomp(c);
	printf("  landlock: %s; writable: /dev/null", c->landlock_required ?
	    (r->landlock == LANDLOCK_REQUIRE ? "require" : "require (uid 0)") :
	    landlock_mode_name(r->landlock));
	for (i = 0; i < r->nwrite; i++)
		printf(", %s", r->write[i]);
	printf("\n");
	explain_exec(r);
	if (c->landlock)
		printf("            this kernel: Landlock ABI %d\n",
		    c->landlock_abi);
	else
		printf("            this kernel: no Landlock -- %s\n",
		    c->landlock_required ? "the gate would refuse to run this "
		    "rule" : "the gate would run it without");
	if (c->readonly_mounts)
		printf("  mounts:   a private namespace, every mount read-only "
		    "but the writable paths (the runner is uid 0)\n");
	printf("  process:  working directory /, umask 077, file descriptors "
	    "0 1 2 only, signals default and unblocked, core size 0\n");
	printf("  priority: nice %d, I/O %s\n", r->nice,
	    io_class_text(r));
	if (r->timeout)
		printf("  timeout:  %us\n", r->timeout);
	else
		printf("  timeout:  none\n");
	/* the supervisor's cgroup (sshgate(8) "The run's cgroup") */
	printf("  cgroup:   %s (the supervisor and the program in a cgroup of "
	    "the gate's own)\n", cgroup_mode_name(r->cgroup));
	printf("  limits:   pids %u, memory %s (the run's cgroup, where the "
	    "system has the controller)\n", r->pids ? r->pids : PIDS_DEFAULT,
	    memory_text(r->memory, mem, sizeof(mem)));
}

static void
json_trace(struct json *j, const struct decision *dec, const struct trace *t)
{
	size_t i, k;

	json_key(j, "trace");
	json_arr(j);
	for (i = 0; i < t->n; i++) {
		const struct rule_trace *rt = &t->v[i];

		json_obj(j);
		json_kstr(j, "rule", rt->rule->name);
		json_kint(j, "line", rt->rule->loc.name.line);
		json_kstr(j, "outcome", outcome_name(rt->outcome));
		json_kint(j, "dropped", (long long)rt->dropped);
		if (rt->outcome == RULE_NO_MATCH) {
			json_kint(j, "stop", (long long)(rt->stop + rt->dropped));
			json_kbool(j, "at_end", rt->at_end);
			json_key(j, "expected");
			json_arr(j);
			for (k = 0; k < rt->nexpected; k++) {
				char *a = pat_atom_text(
				    rt->rule->atoms[rt->expected[k]]);

				json_str(j, a);
				free(a);
			}
			json_arr_end(j);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
	(void)dec;
}

static void
json_plan(struct json *j, const struct plan *pl,
    const struct confine_runner *run, const struct confine *cf)
{
	const struct rule *r = pl->rule;
	const struct sc_group *g;
	const struct sc_rule *sr;
	struct exec_path *xv;
	size_t i, n;
	int c;

	json_key(j, "plan");
	json_obj(j);
	json_kstr(j, "program", pl->path);
	json_key(j, "argv");
	json_arr(j);
	for (i = 0; i < pl->argc; i++)
		json_str(j, pl->argv[i]);
	json_arr_end(j);
	json_key(j, "env");
	json_arr(j);
	for (i = 0; i < pl->envc; i++)
		json_str(j, pl->envp[i]);
	json_arr_end(j);
	json_key(j, "runner");
	json_obj(j);
	json_kstr(j, "user", r->user);
	json_kstr(j, "group", r->group);
	if (run != NULL) {
		json_kint(j, "uid", run->uid);
		json_kint(j, "gid", run->gid);
	} else {
		json_key(j, "uid");
		json_null(j);
		json_key(j, "gid");
		json_null(j);
	}
	json_kbool(j, "supplementary_groups", 0);
	json_obj_end(j);
	json_key(j, "caps");
	json_arr(j);
	for (c = 0; c < 64; c++)
		if ((r->caps >> c) & 1)
			json_str(j, cap_to_name(c));
	json_arr_end(j);
	json_key(j, "securebits");
	json_arr(j);
	json_str(j, "noroot");
	json_str(j, "noroot_locked");
	json_str(j, "no_setuid_fixup");
	json_str(j, "no_setuid_fixup_locked");
	json_arr_end(j);
	json_kbool(j, "no_new_privs", 1);
	json_key(j, "seccomp");
	if (!cf->seccomp)
		json_null(j);
	else {
		json_obj(j);
		json_kstr(j, "other_architectures", "KILL_PROCESS");
		json_key(j, "deny");
		json_arr(j);
		for (sr = sc_always; sr->syscall != NULL; sr++) {
			json_obj(j);
			json_kstr(j, "group", NULL);
			json_kstr(j, "syscall", sr->syscall);
			json_kstr(j, "when", sc_arg_text(sr->arg));
			json_kstr(j, "action", sc_action_name(sr->action));
			json_obj_end(j);
		}
		for (g = sc_groups; g->name != NULL; g++) {
			if (!(cf->seccomp_groups & g->bit))
				continue;
			for (sr = g->rules; sr->syscall != NULL; sr++) {
				json_obj(j);
				json_kstr(j, "group", g->name);
				json_kstr(j, "syscall", sr->syscall);
				json_kstr(j, "when", sc_arg_text(sr->arg));
				json_kstr(j, "action", sc_action_name(sr->action));
				json_obj_end(j);
			}
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_key(j, "landlock");
	json_obj(j);
	json_kstr(j, "mode", cf->landlock_required ? "require" :
	    landlock_mode_name(r->landlock));
	json_kint(j, "kernel_abi", cf->landlock_abi);
	json_key(j, "writable");
	json_arr(j);
	json_str(j, "/dev/null");
	for (i = 0; i < r->nwrite; i++)
		json_str(j, r->write[i]);
	json_arr_end(j);
	json_key(j, "executable");
	json_arr(j);
	n = exec_paths(r, &xv);
	for (i = 0; i < n; i++) {
		json_obj(j);
		json_kstr(j, "path", xv[i].path);
		json_kstr(j, "why", exec_why_name(xv[i].why));
		json_obj_end(j);
	}
	free(xv);
	json_arr_end(j);
	if (r->nread > 0) {
		json_key(j, "readable");
		json_arr(j);
		for (i = 0; i < r->nread; i++)
			json_str(j, r->read[i]);
		for (i = 0; read_base[i] != NULL; i++)
			json_str(j, read_base[i]);
		json_arr_end(j);
	}
	json_obj_end(j);
	json_kbool(j, "readonly_mounts", cf->readonly_mounts);
	json_kstr(j, "cwd", "/");
	json_kstr(j, "umask", "077");
	json_kint(j, "core_limit", 0);
	json_kint(j, "nice", r->nice);
	json_kstr(j, "ionice", io_class_text(r));
	json_kint(j, "timeout", r->timeout);
	json_kstr(j, "cgroup", cgroup_mode_name(r->cgroup));
	json_kint(j, "pids", r->pids ? r->pids : PIDS_DEFAULT);
	json_kint(j, "memory", (long long)r->memory);
	json_obj_end(j);
}

/*
 * Once, where the gate's refusal of a rule depends on the machine and
 * the file is a draft (-f, not the installed policy).
 */
static void
machine_note(struct diags *d, const struct source *src)
{
	diag_add(d, DIAG_NOTE, NULL, src, NULL, NULL, "not the installed "
	    "policy: what depends on the machine (accounts, Landlock, the "
	    "program and writable paths) was checked for this machine; the "
	    "file's own trust was not");
}

/* A draft's rule that the gate on this machine would refuse: notes. */
static void
machine_refusal(struct out *o, const struct policy *p, const struct refusal *f)
{
	struct diags d = { 0 };
	struct source src = policy_source(p);

	diag_add(&d, DIAG_NOTE, "gate-refuses", &src, NULL, NULL, "on this "
	    "machine the gate would refuse it (exit %d, %s): %s", f->status,
	    refusal_name(f->cause), f->reason);
	machine_note(&d, &src);
	out_diags(o, &d);
	diags_free(&d);
}

/*
 * The gate's decision on cmd, whole: the policy's (permit, deny), or the
 * gate's refusal of what the policy permits -- of the policy file itself
 * (pf: untrusted, or not compiling; p is then NULL or unused for the
 * verdict), or of the rule's run on this machine (gate_refusal(): the
 * program, the runner, confine_decide(), the writable paths).  Returns
 * the exit status the gate's decision maps to (sshgate-lint(1)): 0
 * permit, 1 deny, else the gate's own status for the refusal.
 */
static int
run_decide(const struct policy *p, const char *cmd, const char *from,
    const char *tag, int explain, struct out *o, const struct refusal *pf,
    int installed)
{
	struct request req = { cmd, strnlen(cmd, SSHGATE_CMD_MAX + 1), tag,
	    from };
	struct decision dec;
	struct trace t;
	struct plan pl;
	static const struct confine_host any_kernel = { 6, 0 };
	struct confine_host h;
	struct confine_runner run;
	struct confine cf;
	struct refusal f, nf;
	char err[256];
	size_t i;
	int rc, planned = 0, have_run = 0, decided = 0;

	memset(&f, 0, sizeof(f));
	memset(&dec, 0, sizeof(dec));
	memset(&t, 0, sizeof(t));
	if (pf->cause != REFUSE_NONE)
		f = *pf;
	if (p != NULL) {
		policy_decide(p, &req, &dec, explain || o->json ? &t : NULL);
		decided = 1;
	}
	if (f.cause == REFUSE_NONE && dec.verdict == VERDICT_PERMIT) {
		if (plan_build(&dec, environ, &pl, err, sizeof(err)) == 0)
			planned = 1;
		else {
			dec.verdict = VERDICT_DENY;
			snprintf(dec.reason, sizeof(dec.reason), "%s", err);
		}
	}
	if (planned) {
		confine_host(&h);
		if (gate_refusal(dec.rule, pl.path, &h, &run, &cf, &f) != 0 &&
		    !installed) {
			/*
			 * A draft may be meant for another machine: the
			 * policy's verdict stands; --explain and --json add
			 * a note of what the gate here would do (--test's
			 * one line stays the policy's).
			 */
			if (explain || o->json)
				machine_refusal(o, p, &f);
			memset(&f, 0, sizeof(f));
			/*
			 * ... but what the gate refuses on every machine is
			 * refused here too: a rule run as root (uid 0
			 * everywhere) without a filter, decided for a
			 * kernel with every Landlock ABI the gate uses.
			 */
			if (strcmp(dec.rule->user, "root") == 0 &&
			    confine_decide(dec.rule, 1, &any_kernel, &cf) != 0)
				f = cf.refusal;
		}
		/*
		 * The plan shown: the runner's ids and the confinement
		 * confine_decide() gives it, also where a step refused.
		 */
		have_run = confine_runner(dec.rule, 0, &run, &nf) == 0;
		(void)confine_decide(dec.rule, have_run ? run.uid == 0 :
		    strcmp(dec.rule->user, "root") == 0, &h, &cf);
	}
	rc = f.cause != REFUSE_NONE ? f.status :
	    dec.verdict == VERDICT_PERMIT ? LINT_OK : LINT_WARN;
	if (o->json) {
		json_obj(&o->j);
		json_kstr(&o->j, "type", "decision");
		json_kstr(&o->j, "command", cmd);
		json_kstr(&o->j, "from", from);
		json_kstr(&o->j, "tag", tag);
		json_key(&o->j, "words");
		if (!decided || dec.cause == CAUSE_TOKENIZER)
			json_null(&o->j);
		else {
			json_arr(&o->j);
			for (i = 0; i < dec.words.n; i++)
				json_str(&o->j, dec.words.v[i]);
			json_arr_end(&o->j);
			json_trace(&o->j, &dec, &t);
		}
		if (f.cause != REFUSE_NONE) {
			json_kstr(&o->j, "verdict", "refuse");
			json_kstr(&o->j, "rule", dec.rule ? dec.rule->name :
			    NULL);
			json_kstr(&o->j, "reason", f.reason);
			json_kstr(&o->j, "cause", refusal_name(f.cause));
			json_kint(&o->j, "gate_exit", f.status);
		} else {
			json_kstr(&o->j, "verdict", dec.verdict ==
			    VERDICT_PERMIT ? "permit" : "deny");
			json_kstr(&o->j, "rule", dec.rule ? dec.rule->name :
			    NULL);
			json_kstr(&o->j, "reason", dec.reason);
			json_kint(&o->j, "gate_exit", dec.verdict ==
			    VERDICT_PERMIT ? 0 : 3);
		}
		if (planned && explain)
			json_plan(&o->j, &pl, have_run ? &run : NULL, &cf);
		json_obj_end(&o->j);
		goto out;
	}
	if (explain) {
		char *e = escape_str(cmd, 4096);

		printf("command:  %s\n", e);
		free(e);
		printf("from:     %s\ntag:      %s\n", from ? from : "(none)",
		    tag ? tag : "(none)");
		if (!decided)
			printf("words:    not read: the gate refuses the "
			    "policy\n");
		else if (dec.cause == CAUSE_TOKENIZER)
			printf("words:    refused by the tokenizer\n");
		else {
			printf("words (%zu):\n", dec.words.n);
			for (i = 0; i < dec.words.n; i++)
				printf("  [%zu] %s\n", i, dec.words.v[i]);
			explain_trace(&dec, &t);
		}
	}
	if (f.cause != REFUSE_NONE) {
		printf("refuse: %s\n", f.reason);
		if (explain)
			printf("the gate would exit %d (%s)%s\n", f.status,
			    refusal_name(f.cause), planned ? "; the plan it "
			    "refuses:" : "");
		if (explain && planned)
			explain_plan(&pl, have_run ? &run : NULL, &cf);
	} else if (dec.verdict == VERDICT_PERMIT) {
		printf("permit: %s\n", dec.reason);
		if (explain)
			explain_plan(&pl, have_run ? &run : NULL, &cf);
	} else
		printf("deny: %s\n", dec.reason);
out:
	if (decided && (explain || o->json))
		trace_free(&t);
	if (planned)
		plan_free(&pl);
	if (decided)
		decision_free(&dec);
	return rc;
}

/* ---- --catalogue, --list-warnings ---------------------------------------- */

static const char *
env_match_name(enum env_match m)
{
	switch (m) {
	case ENV_EXACT:		return "exact";
	case ENV_PREFIX:	return "prefix";
	case ENV_BORG_DIR:	return "BORG_*_DIR";
	}
	return "?";
}

static void
cat_record(struct out *o, const char *kind, const char *a, const char *b,
    const char *c, const char *d, const char *why)
{
	if (o->json) {
		json_obj(&o->j);
		json_kstr(&o->j, "type", kind);
		if (strcmp(kind, "option") == 0) {
			json_kstr(&o->j, "program", a);
			json_kstr(&o->j, "scope", b);
			json_kstr(&o->j, "spelling", c);
			json_kstr(&o->j, "option", d);
		} else if (strcmp(kind, "command") == 0) {
			json_kstr(&o->j, "program", a);
			json_kstr(&o->j, "command", b);
			json_kstr(&o->j, "warning", c);
		} else if (strcmp(kind, "variable") == 0) {
			json_kstr(&o->j, "name", a);
			json_kstr(&o->j, "match", b);
		} else {
			json_kstr(&o->j, "name", a);
			json_kstr(&o->j, "kind", b);
		}
		json_kstr(&o->j, "why", why);
		json_obj_end(&o->j);
		return;
	}
	printf("%s\t%s", kind, a);
	if (b != NULL)
		printf("\t%s", b);
	if (c != NULL)
		printf("\t%s", c);
	if (d != NULL)
		printf("\t%s", d);
	printf("\t%s\n", why ? why : "");
}

/*
 * The whole catalogue, one record per line: every spelling of every
 * dangerous option in every scope that has it (tests/lint compare this
 * with borg's own argparse), every dangerous command, variable and
 * program.
 */
static int
print_catalogue(struct out *o)
{
	static const char *const kinds[] = {
		[RK_SHELL] = "shell", [RK_INTERPRETER] = "interpreter",
		[RK_LAUNCHER] = "launcher"
	};
	const struct program *pr;
	const struct danger *dg;
	const struct danger_env *e;
	const struct danger_program *dp;
	const struct danger_cap *dc;
	const struct danger_dir *dd;
	size_t s, k, n;
	char **sp;

	for (pr = programs; pr->name != NULL; pr++)
		for (dg = pr->dangers; dg->word != NULL; dg++) {
			if (dg->command) {
				cat_record(o, "command", pr->name, dg->word,
				    dg->warning, NULL, dg->why);
				continue;
			}
			for (s = 0; s < pr->nscopes; s++) {
				n = option_spellings(pr, pr->scopes[s],
				    dg->word, &sp);
				for (k = 0; k < n; k++) {
					cat_record(o, "option", pr->name,
					    pr->scopes[s], sp[k], dg->word,
					    dg->why);
					free(sp[k]);
				}
				free(sp);
			}
		}
	for (e = danger_envs; e->name != NULL; e++)
		cat_record(o, "variable", e->name, env_match_name(e->match),
		    NULL, NULL, e->why);
	for (dp = danger_programs; dp->name != NULL; dp++)
		cat_record(o, "program", dp->name, kinds[dp->kind], NULL, NULL,
		    NULL);
	for (dc = danger_caps; dc->name != NULL; dc++)
		cat_record(o, "capability", dc->name, "cap", NULL, NULL,
		    dc->why);
	for (dd = danger_dirs; dd->path != NULL; dd++)
		cat_record(o, "directory", dd->path, "write", NULL, NULL,
		    dd->why);
	return LINT_OK;
}

/* Every warning name (lint), then every finding name (--audit). */
static int
list_warnings(struct out *o)
{
	const struct warning_name *w;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (w = pass ? audit_findings : warning_names; w->name != NULL;
		    w++) {
			const char *kind = pass ? "audit" : w->allowable ?
			    "warning" : "file";

			if (o->json) {
				json_obj(&o->j);
				json_kstr(&o->j, "type", "warning-name");
				json_kstr(&o->j, "kind", kind);
				json_kstr(&o->j, "name", w->name);
				json_kbool(&o->j, "allowable", w->allowable);
				json_kstr(&o->j, "summary", w->summary);
				json_obj_end(&o->j);
			} else
				printf("%s\t%s\t%s\n", kind, w->name,
				    w->summary);
		}
	return LINT_OK;
}

/* ---- main ----------------------------------------------------------------- */

/*
 * The summary record: the same fields whether the policy compiled or not
 * (sshgate-lint(1), "JSON"); what could not be counted is null.
 */
static void
json_summary(struct out *o, const char *file, const struct policy *p,
    size_t failed, const struct diags *d, int rc)
{
	json_obj(&o->j);
	json_kstr(&o->j, "type", "summary");
	json_kstr(&o->j, "file", file);
	json_kbool(&o->j, "compiled", p != NULL);
	json_key(&o->j, "rules");
	if (p != NULL)
		json_int(&o->j, (long long)p->nrules);
	else
		json_null(&o->j);
	json_key(&o->j, "tests");
	if (p != NULL)
		json_int(&o->j, (long long)p->ntests);
	else
		json_null(&o->j);
	json_kint(&o->j, "tests_failed", (long long)failed);
	json_kint(&o->j, "errors", (long long)d->nerr);
	json_kint(&o->j, "warnings", (long long)d->nwarn);
	json_kint(&o->j, "exit", rc);
	json_obj_end(&o->j);
}

/*
 * An option getopt_long() refused: say which, with the closest known one
 * (policy/similar.c) for a misspelt long option, then the usage.
 */
static void __attribute__((noreturn))
bad_option(int c, const char *word, const struct option *opts)
{
	const struct option *o, *exact = NULL;
	struct similar sim;
	char name[SIMILAR_MAX + 1], *e;
	const char *best;
	size_t n, prefixed = 0;

	e = escape_str(word, 64);
	if (c == ':') {
		fprintf(stderr, "sshgate-lint: option '%s' needs a value\n", e);
		free(e);
		usage();
	}
	/* "--explian=x": the name is what comes before '=' */
	best = NULL;
	name[0] = '\0';
	if (strncmp(word, "--", 2) == 0 && (n = strcspn(word + 2, "=")) > 0 &&
	    n <= SIMILAR_MAX) {
		memcpy(name, word + 2, n);
		name[n] = '\0';
		similar_init(&sim, name);
		for (o = opts; o->name != NULL; o++) {
			if (strcmp(o->name, name) == 0)
				exact = o;
			if (strncmp(o->name, name, n) == 0)
				prefixed++;
			similar_try(&sim, o->name);
		}
		best = similar_best(&sim);
	}
	if (exact != NULL)
		fprintf(stderr, "sshgate-lint: option '--%s' takes no value\n",
		    exact->name);
	else if (prefixed > 1) {
		fprintf(stderr, "sshgate-lint: option '--%s' is ambiguous:",
		    name);
		for (o = opts; o->name != NULL; o++)
			if (strncmp(o->name, name, strlen(name)) == 0)
				fprintf(stderr, " --%s", o->name);
		fprintf(stderr, "\n");
	} else if (best != NULL)
		fprintf(stderr, "sshgate-lint: unknown option '%s'; did you "
		    "mean '--%s'?\n", e, best);
	else if (optopt != 0 && word[0] == '-' && word[1] != '-')
		fprintf(stderr, "sshgate-lint: unknown option '-%c'\n",
		    optopt);
	else
		fprintf(stderr, "sshgate-lint: unknown option '%s'\n", e);
	free(e);
	usage();
}

/*
 * --from is compared with the rules' from lists as an address: a host
 * name or a malformed quad would match nothing and give a misleading
 * deny.  The forms inet_pton(3) accepts, as parse_ssh_connection() does.
 */
static int
valid_addr(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1;
}

enum mode {
	M_LINT, M_TEST, M_EXPLAIN, M_SUGGEST, M_SUGGEST_LOG, M_AUDIT,
	M_CATALOGUE, M_WARNINGS, M_EXPLAIN_LOG, M_INSTALL
};

static void
set_mode(enum mode *m, enum mode want)
{
	if (*m != M_LINT) {
		fprintf(stderr, "sshgate-lint: one mode at a time: --test, "
		    "--explain, --explain-log, --suggest, --suggest-from-log, "
		    "--audit, --catalogue or --list-warnings\n");
		usage();
	}
	*m = want;
}

/* A part the gate would refuse: an error, with the fix. */
static void
part_untrusted(struct diags *d, const struct source *src, const char *why)
{
	diag_add(d, DIAG_ERROR, "untrusted-file", src, NULL, NULL, "sshgate "
	    "would refuse this part: %s", why);
	diag_add(d, DIAG_NOTE, NULL, src, NULL, NULL, "fix: make %s a regular "
	    "file, root's, mode 0644, in directories only root writes "
	    "(policy.d/ root's, mode 0755)", src->file);
}

/*
 * The tag's part after the common part, the files the gate reads for that
 * tag (policy_part_path(), part_read()): --test, --explain and --suggest
 * decide with the same rules as the gate.  A part the gate would refuse
 * is its refusal (pf), and *pp is then NULL.
 */
static void
add_part(struct policy **pp, const char *file, const char *tag, int trust,
    struct diags *d, struct refusal *pf)
{
	char path[PATH_MAX], why[512], n[32];
	struct source src;
	struct policy *part;
	size_t nerr = d->nerr;

	if (*pp == NULL || policy_part_path(file, tag, path, sizeof(path)) != 0)
		return;
	src.file = path;
	src.text = NULL;
	src.len = 0;
	switch (part_read(*pp, path, tag, trust, &part, d, why, sizeof(why))) {
	case PART_NONE:
		return;
	case PART_READ:
		*pp = policy_join(*pp, part);
		return;
	case PART_UNTRUSTED:
		part_untrusted(d, &src, why);
		refusal_set(pf, REFUSE_PART_UNTRUSTED, tag, path, why);
		break;
	default:
		snprintf(n, sizeof(n), "%zu", d->nerr - nerr);
		refusal_set(pf, REFUSE_PART_ERROR, tag, path, n);
		break;
	}
	policy_free(*pp);
	*pp = NULL;
}

/*
 * Every part in policy.d/ beside the policy, each in the context of the
 * common part p (sshgate-policy(5), "Parts"): its errors with its own
 * file name, its tests run with its rules before the common part's,
 * the passes and the gate's refusals as for the policy.  A file there
 * that no tag selects is an error: the gate never reads it.  Returns the
 * number of tests that failed; prints one summary line a part.
 */
static size_t
lint_parts(const char *file, const struct policy *p, int trust,
    struct diags *d, struct out *o, const char *only)
{
	char dir[PATH_MAX], path[PATH_MAX], want[PATH_MAX], tag[128], why[512];
	const char *slash = strrchr(file, '/');
	struct dirent **ents;
	struct policy *part, *common;
	struct diags scratch;
	struct source src;
	size_t failed = 0, len, from;
	int i, n;

	if (snprintf(dir, sizeof(dir), "%.*spolicy.d", slash ? (int)(slash -
	    file + 1) : 0, file) >= (int)sizeof(dir))
		return 0;
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return 0;	/* no parts */
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		len = strlen(name);
		/*
		 * Not parts, and no error: --install's kept previous part,
		 * and its temporary copies (".NAME.new.PID.N", install.c).
		 */
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
		    (len > 12 && strcmp(name + len - 12, ".policy.prev") ==
		    0) ||
		    (name[0] == '.' && (len < 7 ||
		    strcmp(name + len - 7, ".policy") != 0)))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		    (int)sizeof(path) || (only != NULL && strcmp(path,
		    only) != 0))
			continue;
		src.file = path;
		src.text = NULL;
		src.len = 0;
		tag[0] = '\0';
		if (len > 7 && len - 7 < sizeof(tag) &&
		    strcmp(name + len - 7, ".policy") == 0)
			snprintf(tag, sizeof(tag), "%.*s", (int)(len - 7),
			    name);
		if (tag[0] == '\0' || policy_part_path(file, tag, want,
		    sizeof(want)) != 0 || strcmp(want, path) != 0) {
			diag_add(d, DIAG_ERROR, NULL, &src, NULL, NULL, "not a "
			    "part: no tag selects it, the gate never reads it "
			    "(a part is TAG.policy, TAG a tag that does not "
			    "begin with '.')");
			continue;
		}
		from = d->n;
		switch (part_read(p, path, tag, trust, &part, d, why,
		    sizeof(why))) {
		case PART_NONE:
			continue;
		case PART_UNTRUSTED:
			part_untrusted(d, &src, why);
			continue;
		case PART_ERROR:
			continue;
		}
		lint_gate_refusals(part, trust, d);
		lint_passes(part, d);
		/* its tests, as the gate decides for its tag */
		memset(&scratch, 0, sizeof(scratch));
		common = policy_parse(p->file, p->text, p->len, &scratch);
		diags_free(&scratch);
		if (common != NULL) {
			struct policy *j = policy_join(common, part);
			size_t nf = policy_run_tests(j, d);

			failed += nf;
			if (!o->json && nf == 0)
				printf("%s: %zu rule%s, %zu test%s passed\n",
				    path, j->nrules - p->nrules,
				    j->nrules - p->nrules == 1 ? "" : "s",
				    j->ntests, j->ntests == 1 ? "" : "s");
			part = j;
		}
		sort_diags(d, from);
		policy_free(part);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return failed;
}

/*
 * -f DIR/policy.d/TAG.policy names a part: it is read as the gate reads
 * it for TAG, after the common part beside it (DIR/ and the compiled-in
 * policy's name), not as a policy of its own (where its rules would
 * admit every tag).  1, with the common part's path and the tag, when
 * file is such a part and the common part is there.
 */
static int
part_of(const char *file, char *common, size_t csize, char *tag,
    size_t tsize)
{
	const char *base = strrchr(file, '/');
	const char *pbase = strrchr(SSHGATE_POLICY_PATH, '/');
	char want[PATH_MAX];
	size_t len, dlen;

	base = base ? base + 1 : file;
	len = strlen(base);
	dlen = (size_t)(base - file);
	if (len <= 7 || strcmp(base + len - 7, ".policy") != 0 ||
	    len - 7 >= tsize || dlen < 9 ||
	    strncmp(base - 9, "policy.d/", 9) != 0)
		return 0;
	snprintf(tag, tsize, "%.*s", (int)(len - 7), base);
	if (snprintf(common, csize, "%.*s%s", (int)(dlen - 9), file,
	    pbase ? pbase + 1 : SSHGATE_POLICY_PATH) >= (int)csize)
		return 0;
	if (policy_part_path(common, tag, want, sizeof(want)) != 0 ||
	    strcmp(want, file) != 0)
		return 0;
	return access(common, F_OK) == 0;
}

static int
finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "sshgate-lint: cannot write the output\n");
		return LINT_ERROR;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "test", required_argument, NULL, 't' },
		{ "explain", required_argument, NULL, 'e' },
		{ "explain-log", required_argument, NULL, 'L' },
		{ "suggest", required_argument, NULL, 's' },
		{ "suggest-from-log", required_argument, NULL, 'l' },
		{ "include-dangerous", no_argument, NULL, 'I' },
		{ "include-unknown-addresses", no_argument, NULL, 'U' },
		{ "audit", no_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'F' },
		{ "tag", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 'S' },
		{ "gate", required_argument, NULL, 'g' },
		{ "sshd", required_argument, NULL, 'D' },
		{ "sshd-config", required_argument, NULL, 'C' },
		{ "authorized-keys", required_argument, NULL, 'K' },
		{ "pam-dir", required_argument, NULL, 'M' },
		{ "catalogue", no_argument, NULL, 'c' },
		{ "list-warnings", no_argument, NULL, 'W' },
		{ "version", no_argument, NULL, 'V' },
		{ "print-policy-path", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "install", required_argument, NULL, 'i' },
		{ "rollback", no_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "log", required_argument, NULL, 'G' },
		{ "last", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = SSHGATE_POLICY_PATH, *arg = NULL, *from = NULL;
	const char *tag = NULL;
	char partpath[PATH_MAX], partdir[PATH_MAX];	/* --install --tag */
	char pcommon[PATH_MAX], ptag[128];	/* -f a part: part_of() */
	const char *only = NULL;
	char *lcmd = NULL, *lfrom = NULL, *ltag = NULL;	/* --explain-log */
	struct audit_opts ao;
	struct install_opts io = { .log = NULL, .last = INSTALL_LAST };
	char *end;
	char addr[64];
	struct diags d = { 0 };
	struct policy *p;
	struct out o;
	enum mode mode = M_LINT;
	size_t failed = 0, probed;
	struct refusal pf;
	struct source src = { NULL, NULL, 0 };
	size_t n;
	int c, strict = 0, json = 0, file_given = 0, rc, installed;
	int sflags = 0;
	int machine = 0;

	xfatal_hook = die_oom;
	memset(&ao, 0, sizeof(ao));
	ao.gate = SSHGATE_GATE_PATH;
	ao.sshd = "/usr/sbin/sshd";
	ao.pam_dir = "/etc/pam.d";
	opterr = 0;	/* bad_option() says it, with the closest option */
	while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			file_given = 1;
			break;
		case 't':
			set_mode(&mode, M_TEST);
			arg = optarg;
			break;
		case 'e':
			set_mode(&mode, M_EXPLAIN);
			arg = optarg;
			break;
		case 'L':
			set_mode(&mode, M_EXPLAIN_LOG);
			arg = optarg;
			break;
		case 's':
			set_mode(&mode, M_SUGGEST);
			arg = optarg;
			break;
		case 'l':
			set_mode(&mode, M_SUGGEST_LOG);
			arg = optarg;
			break;
		case 'a':
			set_mode(&mode, M_AUDIT);
			break;
		case 'I':
			sflags |= SUGGEST_DANGEROUS;
			break;
		case 'U':
			sflags |= SUGGEST_UNKNOWN;
			break;
		case 'c':
			set_mode(&mode, M_CATALOGUE);
			break;
		case 'W':
			set_mode(&mode, M_WARNINGS);
			break;
		case 'F':
			from = optarg;
			break;
		case 'T':
			tag = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'S':
			strict = 1;
			break;
		case 'g':
			ao.gate = optarg;
			break;
		case 'D':
			ao.sshd = optarg;
			break;
		case 'C':
			ao.sshd_config = optarg;
			break;
		case 'K':
			ao.keys = optarg;
			break;
		case 'M':
			ao.pam_dir = optarg;
			break;
		case 'i':	/* --install, --rollback: install.c */
		case 'R':
			set_mode(&mode, M_INSTALL);
			io.newfile = c == 'i' ? optarg : NULL;
			break;
		case 'n':
			io.dry_run = 1;
			break;
		case 'G':
			io.log = optarg;
			break;
		case 'N':
			errno = 0;
			io.last = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || io.last == 0 ||
			    io.last > INSTALL_LAST_MAX)
				usage();
			break;
		case 'V':
			printf("sshgate-lint %s (policy version %d)\n",
			    PACKAGE_VERSION, SSHGATE_POLICY_VERSION);
			return finish(LINT_OK);
		case 'P':
			/* the gate's compiled-in policy, for scripts and tests */
			printf("%s\n", SSHGATE_POLICY_PATH);
			return finish(LINT_OK);
		case 'h':
			help();
			return finish(LINT_OK);
		default:
			bad_option(c, argv[optind - 1], opts);
		}
	}
	if (from != NULL && !valid_addr(from)) {
		char *e = escape_str(from, 64);

		fprintf(stderr, "sshgate-lint: --from '%s' is not an IP "
		    "address: give the client's IPv4 address as a dotted quad "
		    "(192.0.2.10) or an IPv6 address (2001:db8::10), as sshd "
		    "reports it in SSH_CONNECTION; not a host name\n", e);
		free(e);
		exit(LINT_ERROR);
	}
	if (mode == M_AUDIT && optind + 1 == argc)
		ao.user = argv[optind++];
	if (optind != argc) {
		/* --audit's USER is the first; name the one too many */
		char *e = escape_str(argv[mode == M_AUDIT ? optind + 1 :
		    optind], 64);

		fprintf(stderr, "sshgate-lint: unexpected argument '%s'%s\n",
		    e, mode == M_AUDIT ? " (--audit takes one USER)" :
		    " (a command goes in one argument: quote it)");
		free(e);
		usage();
	}
	if (mode != M_INSTALL && (io.dry_run || io.log != NULL ||
	    io.last != INSTALL_LAST)) {
		fprintf(stderr, "sshgate-lint: --dry-run, --log and --last go "
		    "with --install or --rollback\n");
		usage();
	}
	memset(&o, 0, sizeof(o));
	o.json = json;
	o.parent = -1;
	json_init(&o.j, stdout);

	if (mode == M_CATALOGUE)
		return finish(print_catalogue(&o));
	if (mode == M_WARNINGS)
		return finish(list_warnings(&o));
	if (mode == M_INSTALL && tag != NULL) {
		/* TAG's part, beside the policy; policy.d/ made if missing */
		if (policy_part_path(file, tag, partpath,
		    sizeof(partpath)) != 0) {
			fprintf(stderr, "sshgate-lint: tag '%s' selects no "
			    "part (it begins with '.')\n", tag);
			return finish(LINT_ERROR);
		}
		snprintf(partdir, sizeof(partdir), "%s", partpath);
		*strrchr(partdir, '/') = '\0';
		if (io.newfile != NULL && mkdir(partdir, 0755) == -1 &&
		    errno != EEXIST) {
			fprintf(stderr, "sshgate-lint: %s: %s\n", partdir,
			    strerror(errno));
			return finish(LINT_ERROR);
		}
		io.part_tag = tag;
		io.common = file;
		file = partpath;
	}
	if (mode == M_INSTALL) {
		io.target = file;
		io.strict = strict;
		return finish(install_run(&io, &o));
	}
	if (mode == M_AUDIT) {
		ao.policy = file;
		ao.from = from;
		return finish(audit_run(&ao, &o));
	}
	/* --explain-log: --explain of the logged command, address and tag */
	if (mode == M_EXPLAIN_LOG) {
		if (explain_log(arg, json, &lcmd, &lfrom, &ltag) != 0)
			return finish(LINT_ERROR);
		arg = lcmd;
		from = from ? from : lfrom;
		tag = tag ? tag : ltag;
		mode = M_EXPLAIN;
	}
	src.file = file;
	if (from == NULL && parse_ssh_connection(getenv("SSH_CONNECTION"),
	    addr, sizeof(addr)) == 0)
		from = addr;

	if (file_given && (mode == M_LINT || mode == M_TEST ||
	    mode == M_EXPLAIN) && part_of(file, pcommon, sizeof(pcommon), ptag,
	    sizeof(ptag))) {
		only = file;
		file = pcommon;
		src.file = file;
		if (tag == NULL)
			tag = ptag;
	}
	installed = !file_given || strcmp(file, SSHGATE_POLICY_PATH) == 0;
	p = lint_load_as_gate(file, installed, &d, &pf);
	/* The embedded tests run only on a policy that compiled. */
	if (p != NULL)
		failed = policy_run_tests(p, &d);
	probed = d.n;
	if (p != NULL && mode == M_LINT) {
		/* what the gate refuses on this machine: errors */
		n = d.n;
		lint_gate_refusals(p, installed, &d);
		machine = d.n > n && !installed;
		lint_passes(p, &d);
	}
	sort_diags(&d, probed);
	/* the parts: each after the common part, with its own file name */
	if (p != NULL && mode == M_LINT)
		failed += lint_parts(file, p, installed, &d, &o, only);
	if (p != NULL && mode != M_LINT && tag != NULL)
		add_part(&p, file, tag, installed, &d, &pf);
	if (machine)
		machine_note(&d, &src);
	out_diags(&o, &d);
	/*
	 * A policy that does not compile permits nothing; one whose tests
	 * fail is what the gate would use as it is: an error for the
	 * compiler, while --test and the other modes still decide with it.
	 */
	/*
	 * --test and --explain say what the gate does with a policy it
	 * refuses: nothing runs, with the gate's words and status.
	 */
	if (p == NULL && (mode == M_TEST || mode == M_EXPLAIN)) {
		rc = run_decide(NULL, arg, from, tag, mode == M_EXPLAIN, &o,
		    &pf, installed);
		diags_free(&d);
		return finish(rc);
	}
	if (p == NULL || (mode == M_LINT && d.nerr > 0)) {
		if (o.json)
			json_summary(&o, file, p, failed, &d, LINT_ERROR);
		else if (p == NULL)
			fprintf(stderr, "%s: %zu error%s, %zu warning%s; the "
			    "gate would permit nothing\n", file, d.nerr,
			    d.nerr == 1 ? "" : "s", d.nwarn,
			    d.nwarn == 1 ? "" : "s");
		else if (failed == 0)
			fprintf(stderr, "%s: %zu error%s, %zu warning%s; the "
			    "gate would refuse what they name\n", file, d.nerr,
			    d.nerr == 1 ? "" : "s", d.nwarn,
			    d.nwarn == 1 ? "" : "s");
		else
			fprintf(stderr, "%s: %zu of %zu test%s failed, %zu "
			    "warning%s; the gate would use this policy as it "
			    "is\n", file, failed, p->ntests, p->ntests == 1 ?
			    "" : "s", d.nwarn, d.nwarn == 1 ? "" : "s");
		policy_free(p);
		diags_free(&d);
		return finish(LINT_ERROR);
	}
	switch (mode) {
	case M_TEST:
	case M_EXPLAIN:
		rc = run_decide(p, arg, from, tag, mode == M_EXPLAIN, &o, &pf,
		    installed);
		break;
	case M_SUGGEST:
		rc = suggest_command(p, arg, from, tag, sflags, &o);
		break;
	case M_SUGGEST_LOG:
		if (strcmp(arg, "-") == 0)
			rc = suggest_log_flags(p, stdin, "(stdin)", sflags,
			    &o);
		else {
			FILE *in = fopen(arg, "re");

			if (in == NULL) {
				fprintf(stderr, "sshgate-lint: %s: %s\n", arg,
				    strerror(errno));
				rc = LINT_ERROR;
				break;
			}
			rc = suggest_log_flags(p, in, arg, sflags, &o);
			fclose(in);
		}
		break;
	default:
		rc = strict && d.nwarn > 0 ? LINT_WARN : LINT_OK;
		if (o.json)
			json_summary(&o, file, p, failed, &d, rc);
		else
			printf("%s: %zu rule%s, %zu test%s passed, %zu "
			    "warning%s\n", file, p->nrules,
			    p->nrules == 1 ? "" : "s", p->ntests,
			    p->ntests == 1 ? "" : "s", d.nwarn,
			    d.nwarn == 1 ? "" : "s");
		break;
	}
	policy_free(p);
	diags_free(&d);
	free(lcmd);
	free(lfrom);
	free(ltag);
	return finish(rc);
}
