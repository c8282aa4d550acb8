/*
 * sshgate -- the forced command of a backup login account.
 *
 * This file reads like the DESCRIPTION of sshgate(8): one straight
 * sequence of steps in security order.  Each step says why it comes where
 * it does.  Any failure ends the process through die() with a documented
 * status; nothing is exec'd unless every step before it succeeded.
 *
 * MUST:
 *  - treat argv, the environment, fds, rlimits and signal state as
 *    hostile: they belong to the caller;
 *  - read the environment once, copy what is needed, and drop it;
 *  - decide on the argv that will be exec'd, and exec exactly that argv;
 *  - load the seccomp filter last and exec right after.
 */
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "argv.h"
#include "escape.h"
#include "gate.h"
#include "part.h"
#include "plan.h"
#include "policy.h"
#include "trust.h"
#include "xmalloc.h"

#ifndef SSHGATE_POLICY_PATH
#error "SSHGATE_POLICY_PATH must be set by the build"
#endif

extern char **environ;

static struct {
	int		 root_caller;	/* real root, not setuid */
	int		 logging;
	char		*caller;	/* "name(uid)" for logs */
	uid_t		 caller_uid;	/* the real uid, or sudo's caller */
	const char	*policy;
	const char	*cmd;		/* the client's command, or NULL */
	char		*tag;
	char		 from[64];	/* client address or "" */
	char		**env;		/* copy of the caller's environment */
	struct policy	*pol;		/* the rule in use points into it; a
					   supervisor lives on with it */
} g;

/*
 * What die() undoes first (gate/log.c): the supervisor's program, which
 * must not outlive the decision to end the run.
 */
static void
cleanup(void)
{
	if (supervised_child > 0)
		(void)kill(supervised_child, SIGKILL);
}

/* What die()'s log line says of the run; NULL once it is logged. */
static const char *
context(void)
{
	static char ctx[LOG_MSG_MAX + 1];
	int n;

	if (!g.logging)
		return NULL;
	n = snprintf(ctx, sizeof(ctx), " caller=%s from=%s tag=%s",
	    g.caller ? g.caller : "-", g.from[0] ? g.from : "-",
	    g.tag ? g.tag : "-");
	if (n < 0 || (size_t)n >= sizeof(ctx))	/* never cut silently */
		memcpy(ctx + sizeof(ctx) - sizeof(LOG_CUT), LOG_CUT,
		    sizeof(LOG_CUT));
	return ctx;
}

static void
oom(const char *what)
{
	die(EXIT_PRIV, "out of memory (%s)", what);
}

/*
 * A long argv in the log: its word count, its SHA-256 and its words that
 * are not options, in parts (policy/logfmt.c says how).  The options are
 * counted, not logged: every one of them passed the rule the line names.
 */
static void
log_words(int level, const char *head, const char *cont, char *const *v,
    size_t n)
{
	struct loglines l = { NULL, 0 };

	logfmt_words(&l, head, cont, v, n);
	log_lines(level, &l);
	loglines_free(&l);
}

/* Does HEAD KEY=VALUE fit in one line?  (KEY with its " =\"\"") */
static int
fits(const char *head, const char *key, const char *value)
{
	return strlen(head) + strlen(key) + strlen(value) <= LOG_MSG_MAX;
}

/*
 * A denial: one clear line for the client, and the log's line in the
 * format sshgate-lint reads back (policy/logfmt.c): the command whole
 * while it is at most LOG_COMMAND_MAX bytes, in parts when it needs more
 * than one line.
 */
static void __attribute__((noreturn))
deny(const char *reason, const struct words *w)
{
	struct loglines l = { NULL, 0 };

	if (g.logging) {
		logfmt_deny(&l, g.caller, g.from[0] ? g.from : NULL, g.tag,
		    reason, g.cmd, w);
		log_lines(LOG_NOTICE, &l);
		loglines_free(&l);
		g.logging = 0;	/* said it; say() need not repeat it */
	}
	say(EXIT_DENIED, LOG_NOTICE, "denied: ", reason);
}

/* The permit: one line while the argv fits, else log_words(). */
static void
log_permit(const struct rule *r, const struct plan *plan,
    const struct runner *run, const struct landlock *ll)
{
	char llshown[16], *head, *shown;

	if (ll->fd >= 0)
		snprintf(llshown, sizeof(llshown), "abi%d", ll->abi);
	else
		snprintf(llshown, sizeof(llshown), "off");
	head = xasprintf("permit rule=%s caller=%s from=%s tag=%s runner=%s "
	    "landlock=%s version=%s", r->name, g.caller,
	    g.from[0] ? g.from : "-", g.tag ? g.tag : "-", run->name, llshown,
	    PACKAGE_VERSION);
	shown = argv_join(plan->argv, plan->argc);
	if (fits(head, " argv=", shown))
		log_msg(LOG_INFO, "%s argv=%s", head, shown);
	else
		log_words(LOG_INFO, head, "permit", plan->argv, plan->argc);
	free(shown);
	free(head);
}

/* ---- 1. hygiene --------------------------------------------------------- */

/*
 * Before anything else: 0, 1 and 2 must be open (else our first open()
 * becomes someone's stdout), no other inherited descriptor may survive,
 * no core dump may hold what we read, and no inherited signal disposition
 * or mask may reach the program.  Interval timers and execution-domain
 * flags also survive execve, setuid or not (the kernel clears only the
 * address-layout flags): a caller's armed ITIMER_REAL would kill the
 * program at a moment of the caller's choosing.
 */
static void
clean_start(void)
{
	static const int timers[] = { ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF };
	struct rlimit nocore = { 0, 0 };
	struct itimerval off, left;
	unsigned long ksa[8];	/* larger than any kernel sigaction */
	sigset_t none;
	size_t i;
	int fd, sig;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			continue;
		if (errno != EBADF || open("/dev/null", O_RDWR) != fd)
			_exit(EXIT_PRIV);
	}
	if (close_range(3, ~0U, 0) != 0)
		die(EXIT_PRIV, "close_range: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		die(EXIT_PRIV, "PR_SET_DUMPABLE: %s", strerror(errno));
	if (setrlimit(RLIMIT_CORE, &nocore) != 0)
		die(EXIT_PRIV, "RLIMIT_CORE: %s", strerror(errno));
	memset(&off, 0, sizeof(off));
	for (i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
		if (setitimer(timers[i], &off, NULL) != 0 ||
		    getitimer(timers[i], &left) != 0 ||
		    left.it_value.tv_sec != 0 || left.it_value.tv_usec != 0)
			die(EXIT_PRIV, "cannot disarm interval timer %d",
			    timers[i]);
	if (personality(PER_LINUX) == -1 ||
	    personality(0xffffffff) != PER_LINUX)
		die(EXIT_PRIV, "cannot reset the execution domain");
	/*
	 * Through the raw syscall: glibc's sigaction() refuses the signals
	 * it reserves (32, 33), which a caller can still have set to
	 * SIG_IGN -- and an ignored signal stays ignored across execve.  An
	 * all-zero kernel sigaction is SIG_DFL, no flags, empty mask, on
	 * every architecture's layout.
	 */
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		memset(ksa, 0, sizeof(ksa));
		if (syscall(SYS_rt_sigaction, sig, ksa, NULL,
		    (size_t)(NSIG - 1) / 8) != 0 ||
		    syscall(SYS_rt_sigaction, sig, NULL, ksa,
		    (size_t)(NSIG - 1) / 8) != 0 || ksa[0] != 0 || ksa[1] != 0)
			die(EXIT_PRIV, "cannot reset signal %d: %s", sig,
			    strerror(errno));
	}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		die(EXIT_PRIV, "sigprocmask: %s", strerror(errno));
	umask(077);
	xfatal_hook = oom;
	die_hooks(cleanup, context);
}

/* ---- 2. the caller -------------------------------------------------------- */

/*
 * Every id root, as ssh-keysign and doas do, before anything the caller
 * could race: with its real uid still ours, the caller could signal the
 * gate -- stop it in the window after a fork and before a supervisor
 * changes its ids, and so switch off the timeout.  From here on the
 * caller's uid is data (g.caller_uid), never an id of this process.
 */
static void
all_root(void)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)
		die(EXIT_PRIV, "cannot make every id root: %s", strerror(errno));
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 ||
	    ru != 0 || eu != 0 || su != 0 || rg != 0 || eg != 0 || sg != 0)
		die(EXIT_PRIV, "an id is not root after setresuid");
}

/*
 * Only two callers: the login account through the setuid bit (its real
 * gid must be the gate's group, which mode 4750 already demands), or real
 * root (admins and tests).  Checked before the environment is read, so
 * that nothing of a wrong caller's environment is ever used.
 */
static void
check_caller(void)
{
	uid_t ru, eu, su;
	struct passwd *pw;
	struct stat st;
	int fd;

	if (getresuid(&ru, &eu, &su) != 0)
		die(EXIT_PRIV, "getresuid: %s", strerror(errno));
	if (eu != 0)
		die(EXIT_USAGE, "sshgate must be installed setuid root "
		    "(mode 4750, group = the login account's group)");
	g.root_caller = ru == 0;
	g.caller_uid = ru;
	if (!g.root_caller) {
		/* through a descriptor (docs/STYLE.md 10; and valgrind answers a
		 * stat of /proc/self/exe with its own binary, not ours) */
		fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
		if (fd == -1 || fstat(fd, &st) != 0)
			die(EXIT_PRIV, "cannot stat /proc/self/exe: %s",
			    strerror(errno));
		close(fd);
		if (st.st_mode & S_IXOTH)
			die(EXIT_USAGE, "sshgate is executable by everyone; "
			    "install it mode 4750 with the login account's "
			    "group");
		if (getgid() != st.st_gid)
			die(EXIT_USAGE, "caller's group %u is not sshgate's group "
			    "%u", (unsigned)getgid(), (unsigned)st.st_gid);
	}
	pw = getpwuid(ru);
	g.caller = pw ? xasprintf("%s(%u)", pw->pw_name, (unsigned)ru) :
	    xasprintf("uid(%u)", (unsigned)ru);
	all_root();
}

/* ---- 3. arguments and environment --------------------------------------- */

static void
set_tag(const char *t)
{
	char *e;

	if (!valid_tag(t)) {
		e = escape_str(t, 80);
		die(EXIT_USAGE, "bad tag '%s' (letters, digits, '_', '.', '-')",
		    e);
	}
	g.tag = xstrdup(t);
}

/* "sshgate" or "/path/to/sshgate", as written in ForceCommand or command= */
static int
names_gate(const char *word)
{
	const char *base = strrchr(word, '/');

	return strcmp(base ? base + 1 : word, "sshgate") == 0;
}

/*
 * Copy the environment, then drop it: from here on the gate reads only
 * its copy, and nothing of the caller's environment reaches the program
 * except the rule's keepenv names.  The strings execve left on our stack
 * are wiped as well (/proc/PID/environ shows them for the whole life of
 * the process, a supervisor's too); forget_environment() wipes the copy.
 */
static void
copy_environment(void)
{
	size_t n = 0, i;

	if (environ != NULL)
		while (environ[n] != NULL)
			n++;
	g.env = xreallocarray(NULL, n + 1, sizeof(*g.env));
	for (i = 0; i < n; i++) {
		g.env[i] = xstrdup(environ[i]);
		explicit_bzero(environ[i], strlen(environ[i]));
	}
	g.env[n] = NULL;
	if (clearenv() != 0)
		die(EXIT_PRIV, "clearenv failed");
}

/*
 * Under sudo the real uid is 0: the account that called is what sudo put
 * in SUDO_UID (sudo sets it itself; only root can start us without sudo
 * and with a real uid 0).  Logged as caller=sudo:NAME(UID), and, as in
 * setuid mode, the runner may not be that account (resolve_runner()).
 * It can only add that refusal: SUDO_UID never permits anything.
 */
static void
note_sudo(void)
{
	const char *su;
	struct passwd *pw;
	char *end, *old;
	unsigned long uid;

	if (!g.root_caller || (su = env_lookup(g.env, "SUDO_UID")) == NULL)
		return;
	errno = 0;
	uid = strtoul(su, &end, 10);
	if (errno != 0 || end == su || *end != '\0' || uid > UINT_MAX - 1)
		return;
	g.caller_uid = (uid_t)uid;
	pw = getpwuid((uid_t)uid);
	old = g.caller;
	g.caller = xasprintf("sudo:%s(%lu)", pw ? pw->pw_name : "uid", uid);
	free(old);
}

/*
 * sshgate                  ForceCommand: the command is SSH_ORIGINAL_COMMAND
 * sshgate TAG              command="sshgate TAG" in authorized_keys
 * sshgate -c CMD           as the login shell; CMD is the forced command
 *                          ("sshgate [TAG]") or, without one, the client's
 * sshgate -f FILE [...]    another policy: real root only, not under sudo
 * sshgate --version        the version, on stdout (for an upgrade's check)
 */
static void
parse_args(int argc, char **argv)
{
	const char *shell_cmd = NULL, *orig, *conn;
	int i = 1;

	if (argc < 1 || argv[0] == NULL)
		die(EXIT_USAGE, "started without argv[0]");
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("sshgate %s (policy version %d)\n", PACKAGE_VERSION,
		    SSHGATE_POLICY_VERSION);
		exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : EXIT_USAGE);
	}
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			if (!g.root_caller || env_lookup(g.env, "SUDO_UID"))
				die(EXIT_USAGE, "-f is for real root only");
			g.policy = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			shell_cmd = argv[i + 1];
			i += 2;
			break;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			char *e = escape_str(argv[i], 80);

			die(EXIT_USAGE, "unknown option '%s'", e);
		}
	}
	if (i < argc && shell_cmd == NULL)
		set_tag(argv[i++]);
	if (i < argc)
		die(EXIT_USAGE, "too many arguments");

	orig = env_lookup(g.env, "SSH_ORIGINAL_COMMAND");
	g.cmd = orig;
	if (shell_cmd != NULL) {
		struct words w;
		struct tok_error te;

		if (argv_split(shell_cmd, strnlen(shell_cmd, SSHGATE_CMD_MAX + 1),
		    &w, &te) == TOK_OK && names_gate(w.v[0])) {
			/* -c "sshgate [TAG]": a forced command ran us */
			if (w.n > 2)
				die(EXIT_USAGE, "the forced command takes one "
				    "tag at most");
			if (w.n == 2)
				set_tag(w.v[1]);
		} else
			g.cmd = shell_cmd;	/* sshgate is only the shell */
		words_free(&w);
	}
	conn = env_lookup(g.env, "SSH_CONNECTION");
	if (parse_ssh_connection(conn, g.from, sizeof(g.from)) != 0)
		g.from[0] = '\0';
}

/* ---- 4. policy and decision --------------------------------------------- */

/*
 * The tag's part, policy.d/TAG.policy (policy_part_path()), after the
 * common part: read through the same walk and parser, it decides for its
 * tag only, its rules before the common part's; a part that is refused stops
 * its tag alone -- no other tag reads it (sshgate(8), sshgate-policy(5)).
 */
static struct policy *
load_part(struct policy *common)
{
	struct diags d = { 0 };
	struct refusal f;
	struct policy *part;
	char path[PATH_MAX], why[512], *first;

	switch (policy_part_path(g.policy, g.tag, path, sizeof(path))) {
	case 1:
		return common;
	case -1:
		refusal_set(&f, REFUSE_PART_UNTRUSTED, g.tag, g.policy,
		    "the path of its part is too long");
		refuse(&f);
	}
	switch (part_read(common, path, g.tag, 1, &part, &d, why,
	    sizeof(why))) {
	case PART_NONE:
		return common;
	case PART_UNTRUSTED:
		refusal_set(&f, REFUSE_PART_UNTRUSTED, g.tag, path, why);
		refuse(&f);
	case PART_ERROR:
		first = d.n > 0 ? xasprintf("%s:%u:%u: %s", d.v[0].file,
		    d.v[0].line, d.v[0].col, d.v[0].msg) : xstrdup("?");
		log_msg(LOG_ERR, "policy error: %s", first);
		free(first);
		snprintf(why, sizeof(why), "%zu", d.nerr);
		refusal_set(&f, REFUSE_PART_ERROR, g.tag, path, why);
		refuse(&f);
	}
	diags_free(&d);
	return policy_join(common, part);
}

static struct policy *
load_policy(void)
{
	struct diags d = { 0 };
	struct refusal f;
	struct policy *p;
	char why[512], *text, *first;
	size_t len;
	int fd;

	/* Trusted through the descriptor: root-owned, no writable parent. */
	fd = trust_open(g.policy, O_RDONLY, TRUST_NO_LINKS, why, sizeof(why));
	if (fd == -1 || read_all(fd, SSHGATE_POLICY_MAX, &text, &len, why,
	    sizeof(why))) {
		refusal_set(&f, REFUSE_POLICY_UNTRUSTED, NULL, g.policy, why);
		refuse(&f);
	}
	close(fd);
	p = policy_parse(g.policy, text, len, &d);
	free(text);
	if (p == NULL) {
		first = d.n > 0 ? xasprintf("%s:%u:%u: %s", d.v[0].file,
		    d.v[0].line, d.v[0].col, d.v[0].msg) : xstrdup("?");
		if (g.logging)
			log_msg(LOG_ERR, "policy error: %s", first);
		free(first);
		snprintf(why, sizeof(why), "%zu", d.nerr);
		refusal_set(&f, REFUSE_POLICY_ERROR, NULL, g.policy, why);
		refuse(&f);
	}
	diags_free(&d);
	return load_part(p);
}

/*
 * Once the plan holds what the program gets, the caller's environment is
 * wiped and freed: nothing else needs it, and a supervisor lives on.
 */
static void
forget_environment(void)
{
	size_t i;

	for (i = 0; g.env[i] != NULL; i++) {
		explicit_bzero(g.env[i], strlen(g.env[i]));
		free(g.env[i]);
	}
	free(g.env);
	g.env = NULL;
	g.cmd = NULL;		/* it was in there */
}

/* ---- 6. the writable paths ---------------------------------------------- */

/*
 * Each walked once from "/" as root (trust_walk(), docs/sshgate.8): every
 * directory above it root's and written by root alone, the path itself
 * root's or the runner's, no symbolic link anywhere.  Whoever controls a
 * directory on the way could otherwise swap in a symlink between runs
 * and move the Landlock grant -- and for a uid 0 runner the writable
 * bind -- onto a directory of their choice (docs/SECURITY.md).  Landlock
 * and the read-only view use these descriptors; no path is looked up
 * again.
 */
static void
open_writable(const struct rule *r, const struct runner *run,
    struct wpaths *wp)
{
	struct trust_why why;
	struct refusal f;
	size_t i;

	wp->n = 0;
	wp->fd = xreallocarray(NULL, r->nwrite + 1, sizeof(*wp->fd));
	for (i = 0; i < r->nwrite; i++) {
		wp->fd[i] = trust_walk(r->write[i], O_PATH, TRUST_NO_LINKS,
		    TRUST_FILE_OR_DIR, run->uid, &why);
		if (wp->fd[i] == -1) {
			refusal_set(&f, REFUSE_WRITE_PATH, r->name, r->write[i],
			    why.msg);
			refuse(&f);
		}
		wp->n++;
	}
}

static void
close_writable(struct wpaths *wp)
{
	size_t i;

	for (i = 0; i < wp->n; i++)
		if (close(wp->fd[i]) != 0)
			die(EXIT_PRIV, "close: %s", strerror(errno));
	free(wp->fd);
	wp->fd = NULL;
	wp->n = 0;
}

/* ---- main: the sequence -------------------------------------------------- */

int
main(int argc, char **argv)
{
	struct policy *pol;
	struct request req;
	struct decision dec;
	struct plan plan;
	struct runner run;
	struct landlock ll;
	struct confine_host host;
	struct confine conf;
	struct refusal f;
	struct wpaths wp;
	struct cgrun cg;
	void *filter;
	char why[512];
	int fd;

	/* 1. Inherited state cannot influence anything after this. */
	clean_start();

	/* 2. Who calls, before reading anything the caller controls. */
	check_caller();

	/*
	 * 3. Take what we need from argv and the environment; drop the rest.
	 * The log opens first: a refused invocation (-f, a bad tag) is a
	 * decision, and is logged like any other.
	 */
	copy_environment();
	note_sudo();
	log_open();
	g.logging = 1;
	g.policy = SSHGATE_POLICY_PATH;
	parse_args(argc, argv);

	/* 4. The policy decides on the words; a doubt is a deny. */
	g.pol = pol = load_policy();
	memset(&req, 0, sizeof(req));
	req.cmd = g.cmd;
	req.cmdlen = g.cmd ? strnlen(g.cmd, SSHGATE_CMD_MAX + 1) : 0;
	req.tag = g.tag;
	req.from = g.from[0] ? g.from : NULL;
	policy_decide(pol, &req, &dec, NULL);
	if (dec.verdict != VERDICT_PERMIT)
		deny(dec.reason, &dec.words);

	/* 5. What runs: the matched argv and a fresh environment. */
	if (plan_build(&dec, g.env, &plan, why, sizeof(why)) != 0)
		deny(why, &dec.words);
	forget_environment();
	fd = trust_open(plan.path, O_PATH, TRUST_FOLLOW_LINKS, why, sizeof(why));
	if (fd == -1) {
		refusal_set(&f, REFUSE_PROGRAM, dec.rule->name, plan.path, why);
		refuse(&f);
	}
	close(fd);

	/*
	 * 6-7. Everything that needs root or allocation happens before the
	 * identity changes: the process state the program starts from (every
	 * resource limit, nice, policy, affinity, I/O priority, oom_score_adj,
	 * timer slack: the documented defaults, not the caller's), the
	 * runner's ids; the confinement policy/confine.c decides for the
	 * rule, the runner and this kernel (sshgate-lint reports the same
	 * decision), or its refusal; for a uid 0 runner a private mount namespace, entered
	 * before the writable paths are opened (a descriptor of the old
	 * namespace cannot be bound in the new one); the writable paths,
	 * walked and opened once; the Landlock ruleset on their descriptors;
	 * for a uid 0 runner a read-only view of every mount but the writable
	 * paths, bound from the same descriptors (uid 0 owns root's files, and
	 * Landlock does not govern their modes, owners or ACLs); the seccomp
	 * filter (built, not loaded).
	 */
	state_reset(dec.rule);
	resolve_runner(dec.rule, g.caller_uid, &run);
	confine_host(&host);
	if (confine_decide(dec.rule, run.uid == 0, &host, &conf) != 0)
		refuse(&conf.refusal);
	readonly_enter(dec.rule, &conf);
	open_writable(dec.rule, &run, &wp);
	landlock_prepare(dec.rule, &run, &conf, &wp, &ll);
	readonly_system(dec.rule, &conf, &wp);
	close_writable(&wp);
	filter = sandbox_build(&conf);
	/*
	 * Every run is a unit of its own: the gate stays as a supervising
	 * parent that ends everything the program started when it exits (or
	 * when the timeout expires), and the program gets a session of its
	 * own.  Both go into a cgroup of the gate's own first (gate/cgroup.c),
	 * with the run's limits: a caller with a delegated cgroup subtree
	 * could otherwise move the supervisor into it and freeze it.
	 */
	cgroup_enter(dec.rule, &cg);
	log_permit(dec.rule, &plan, &run, &ll);
	supervise(dec.rule, plan.envp, &cg);	/* returns in the child */

	/* 8. Become the runner with the rule's capabilities; verify it. */
	drop_privileges(dec.rule, &run);
	supervise_arm();

	/*
	 * 9. no_new_privs before Landlock (which needs it) and before
	 * seccomp; then the working directory; the log closes; seccomp is
	 * the last thing loaded, and execve the next call.
	 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		die(EXIT_PRIV, "cannot set no_new_privs");
	landlock_enforce(&ll);
	if (chdir("/") != 0)
		die(EXIT_PRIV, "chdir /: %s", strerror(errno));
	log_close();
	g.logging = 0;
	sandbox_load(filter);
	execve(plan.path, plan.argv, plan.envp);
	die(EXIT_EXEC, "cannot execute %s: %s", plan.path, strerror(errno));
}
