/*
 * sshgate-lint --audit: check a live system against what sshgate needs
 * (sshgate-lint(1) AUDIT; the OpenSSH facts it relies on are cited where
 * each check is made).  MUST:
 *  - only look: stat, read, and run "sshd -T" (which prints sshd's
 *    effective settings and changes nothing); never execute anything
 *    else, never write;
 *  - run unprivileged where it can, and say what it could not read
 *    instead of guessing;
 *  - escape everything read from the system before printing it;
 *  - give every finding a name, the thing it is about and the fix.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "escape.h"
#include "part.h"
#include "audit.h"
#include "probe.h"
#include "tmpdir.h"
#include "trust.h"
#include "warnings.h"
#include "xmalloc.h"

#define SSHD_OUTPUT_MAX		(1u << 20)
#define SSHD_TIMEOUT_MS		15000
#define KEYS_MAX		(4u << 20)
#define PAM_DEPTH		8

enum level { F_ERROR, F_WARNING, F_UNCHECKED };

struct setting {
	char	*key;
	char	*value;
};

struct audit {
	const struct audit_opts	*ao;
	struct out		*o;
	size_t			 nerr, nwarn, nunchecked;
	struct policy		*pol;
	char			*user;
	uid_t			 uid;
	gid_t			 gid;
	char			*home, *shell;
	int			 have_account;
	struct setting		*sshd;		/* sshd -T, or NULL */
	size_t			 nsshd;
	int			 sshd_read;
	int			 forced_by_shell;
	char			*policy;	/* its absolute path */
};

/* ---- findings --------------------------------------------------------------- */

static const char *
level_name(enum level l)
{
	switch (l) {
	case F_ERROR:		return "error";
	case F_WARNING:		return "warning";
	case F_UNCHECKED:	return "not checked";
	}
	return "?";
}

static void __attribute__((format(printf, 6, 7)))
finding(struct audit *a, enum level l, const char *name, const char *subject,
    const char *fix, const char *fmt, ...)
{
	const struct warning_name *w;
	va_list ap;
	char *msg = NULL, *subj, *m;

	for (w = audit_findings; w->name != NULL; w++)
		if (strcmp(w->name, name) == 0)
			break;
	if (w->name == NULL)
		xfatal_hook("a finding without a documented name");
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		xfatal_hook("vasprintf");
	/* messages carry paths and values read from the system */
	subj = escape_str(subject, 512);
	m = escape_str(msg, 2048);
	if (l == F_ERROR)
		a->nerr++;
	else if (l == F_WARNING)
		a->nwarn++;
	else
		a->nunchecked++;
	if (a->o->json) {
		json_obj(&a->o->j);
		json_kstr(&a->o->j, "type", "finding");
		json_kstr(&a->o->j, "level", l == F_UNCHECKED ? "unchecked" :
		    level_name(l));
		json_kstr(&a->o->j, "name", name);
		json_kstr(&a->o->j, "subject", subj);
		json_kstr(&a->o->j, "message", m);
		json_kstr(&a->o->j, "fix", fix);
		json_obj_end(&a->o->j);
	} else {
		printf("%s: %s: %s [%s]\n", subj, level_name(l), m, name);
		if (fix != NULL) {
			char *f = escape_str(fix, 2048);

			printf("    fix: %s\n", f);
			free(f);
		}
	}
	free(msg);
	free(subj);
	free(m);
}

/* ---- small helpers ------------------------------------------------------- */

static const char *
base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static char *
dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	if (s == NULL)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}

static char *
fmt_mode(mode_t m)
{
	return xasprintf("%04o", (unsigned)(m & 07777));
}

/* ---- sshd -T --------------------------------------------------------------- */

/*
 * Run sshd -T and collect its output.  A clean environment, stdin from
 * /dev/null, no other descriptors; killed if it takes too long.
 */
static int
run_sshd(struct audit *a, const char *addr, char **out, char **err)
{
	const struct audit_opts *ao = a->ao;
	char *argv[8], *conn, **av;
	char *envp[] = { NULL };
	int po[2], pe[2], status, i = 0, open_fds = 2;
	size_t no = 0, ne = 0;
	char *bo = xmalloc(SSHD_OUTPUT_MAX + 1), *be = xmalloc(4097);
	struct pollfd pf[2];
	pid_t pid;
	struct timespec t0, t1;

	*out = *err = NULL;
	conn = xasprintf("user=%s,host=%s,addr=%s", a->user, addr, addr);
	argv[i++] = xstrdup("sshd");
	argv[i++] = xstrdup("-T");
	if (ao->sshd_config != NULL) {
		argv[i++] = xstrdup("-f");
		argv[i++] = xstrdup(ao->sshd_config);
	}
	argv[i++] = xstrdup("-C");
	argv[i++] = conn;
	argv[i] = NULL;
	conn = NULL;	/* freed with argv */
	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
		*err = xasprintf("pipe: %s", strerror(errno));
		goto fail;
	}
	if ((pid = fork()) == -1) {
		*err = xasprintf("fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null == -1 || dup2(null, 0) == -1 || dup2(po[1], 1) == -1 ||
		    dup2(pe[1], 2) == -1)
			_exit(127);
		if (syscall(SYS_close_range, 3, ~0U, 0) != 0)
			_exit(127);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		execve(ao->sshd, argv, envp);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	pf[0].fd = po[0];
	pf[1].fd = pe[0];
	pf[0].events = pf[1].events = POLLIN;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (open_fds > 0) {
		long ms;
		int k;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = SSHD_TIMEOUT_MS - ((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (ms <= 0 || poll(pf, 2, (int)ms) <= 0) {
			if (ms > 0 && errno == EINTR)
				continue;
			kill(pid, SIGKILL);
			*err = xstrdup("sshd -T did not finish in time");
			break;
		}
		for (k = 0; k < 2; k++) {
			char *buf = k ? be : bo;
			size_t *n = k ? &ne : &no, cap = k ? 4096 :
			    SSHD_OUTPUT_MAX;
			char sink[512];
			ssize_t r;

			if (pf[k].fd < 0 || !(pf[k].revents & (POLLIN | POLLHUP |
			    POLLERR)))
				continue;
			if (*n < cap)
				r = read(pf[k].fd, buf + *n, cap - *n);
			else
				r = read(pf[k].fd, sink, sizeof(sink));
			if (r > 0 && *n < cap)
				*n += (size_t)r;
			if (r == 0 || (r < 0 && errno != EINTR)) {
				close(pf[k].fd);
				pf[k].fd = -1;
				open_fds--;
			}
		}
	}
	for (i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	bo[no] = '\0';
	be[ne] = '\0';
	for (av = argv; *av != NULL; av++)
		free(*av);
	if (*err != NULL) {
		free(bo);
		free(be);
		return -1;
	}
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char *nl;

		/*
		 * sshd's last line says why ("no hostkeys available"); its
		 * log lines on stderr end in "\r\n"
		 */
		while (ne > 0 && (be[ne - 1] == '\n' || be[ne - 1] == '\r'))
			be[--ne] = '\0';
		nl = strrchr(be, '\n');
		*err = WIFEXITED(status) && WEXITSTATUS(status) == 127 &&
		    ne == 0 ? xasprintf("cannot run %s", ao->sshd) :
		    xstrdup(ne ? (nl ? nl + 1 : be) : "sshd -T failed");
		free(bo);
		free(be);
		return -1;
	}
	free(be);
	*out = bo;
	return 0;
fail:
	for (av = argv; *av != NULL; av++)
		free(*av);
	free(bo);
	free(be);
	return -1;
}

static void
parse_settings(struct audit *a, char *text)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		struct setting *s;

		if (sp == NULL)
			continue;
		*sp = '\0';
		a->sshd = xreallocarray(a->sshd, a->nsshd + 1, sizeof(*a->sshd));
		s = &a->sshd[a->nsshd++];
		s->key = xstrdup(line);
		s->value = xstrdup(sp + 1);
	}
}

static const char *
sshd_get(const struct audit *a, const char *key)
{
	size_t i;

	for (i = 0; i < a->nsshd; i++)
		if (strcmp(a->sshd[i].key, key) == 0)
			return a->sshd[i].value;
	return NULL;
}

/* The backup server's address: --from, else the policy's first, or NULL. */
static char *
server_address(const struct audit *a)
{
	size_t i;
	char buf[64];

	if (a->ao->from != NULL)
		return xstrdup(a->ao->from);
	for (i = 0; a->pol != NULL && i < a->pol->nrules; i++) {
		const struct rule *r = &a->pol->rules[i];

		if (r->nfrom > 0 && inet_ntop(r->from[0].family,
		    r->from[0].addr, buf, sizeof(buf)) != NULL)
			return xstrdup(buf);
	}
	return NULL;
}

/* The address sshd -T is asked about: server_address(), else one. */
static char *
audit_address(const struct audit *a)
{
	char *addr = server_address(a);

	return addr != NULL ? addr : xstrdup("192.0.2.1");	/* TEST-NET-1 */
}

/* The policy's first tag, or NULL. */
static const char *
policy_tag(const struct audit *a)
{
	size_t i;

	for (i = 0; a->pol != NULL && i < a->pol->nrules; i++)
		if (a->pol->rules[i].ntags > 0)
			return a->pol->rules[i].tags[0];
	return NULL;
}

/* Does the first word of a command name the gate? */
static int
names_gate(const struct audit *a, const char *cmd)
{
	struct words w;
	struct tok_error te;
	int yes = 0;

	if (argv_split(cmd, strlen(cmd), &w, &te) != TOK_OK)
		return 0;
	if (w.n >= 1 && (strcmp(w.v[0], a->ao->gate) == 0 ||
	    (w.v[0][0] != '/' && strcmp(w.v[0], "sshgate") == 0)))
		yes = 1;
	words_free(&w);
	return yes;
}

static int
policy_uses_tags(const struct audit *a)
{
	size_t i;

	for (i = 0; a->pol != NULL && i < a->pol->nrules; i++)
		if (a->pol->rules[i].ntags > 0)
			return 1;
	return 0;
}

static int
policy_keeps(const struct audit *a, const char *var)
{
	size_t i, k;

	for (i = 0; a->pol != NULL && i < a->pol->nrules; i++)
		for (k = 0; k < a->pol->rules[i].nkeep; k++)
			if (strcmp(a->pol->rules[i].keepenv[k], var) == 0)
				return 1;
	return 0;
}

struct want {
	const char	*key;		/* sshd -T keyword */
	const char	*good;		/* the value sshgate wants */
	const char	*keyword;	/* sshd_config spelling */
	enum level	 level;
	const char	*why;
};

static const struct want wants[] = {
	{ "permittty", "no", "PermitTTY", F_WARNING, "the client gets a "
	    "pseudo-terminal" },
	{ "x11forwarding", "no", "X11Forwarding", F_WARNING, "the client may "
	    "forward X11" },
	{ "allowagentforwarding", "no", "AllowAgentForwarding", F_WARNING,
	    "the client may forward its agent" },
	{ "permittunnel", "no", "PermitTunnel", F_WARNING, "the client may "
	    "open tun/tap tunnels" },
	{ "permituserrc", "no", "PermitUserRC", F_WARNING, "sshd runs "
	    "~/.ssh/rc with the account's shell before the forced command" },
	{ "permituserenvironment", "no", "PermitUserEnvironment", F_ERROR,
	    "~/.ssh/environment and environment= set variables (BASH_ENV, "
	    "LD_PRELOAD) for the login shell before sshgate starts" },
	{ "permitlisten", "none", "PermitListen", F_WARNING, "the client may "
	    "listen on TCP ports of this host" },
	{ "permitopen", "none", "PermitOpen", F_WARNING, "the client may "
	    "open TCP connections from this host, should local forwarding be "
	    "allowed" },
	{ "streamlocalbindunlink", "yes", "StreamLocalBindUnlink", F_WARNING,
	    "a socket left by an earlier session makes the next reverse "
	    "tunnel fail" },
	{ "disableforwarding", "no", "DisableForwarding", F_WARNING, "it "
	    "forbids the reverse unix-socket tunnel the backup needs" },
	{ NULL, NULL, NULL, F_WARNING, NULL }
};

static void
check_forwarding(struct audit *a, const char *subject)
{
	const char *v;
	char *fix;

	v = sshd_get(a, "allowtcpforwarding");
	if (v != NULL && strcmp(v, "remote") != 0) {
		fix = xasprintf("in 'Match User %s': AllowTcpForwarding remote",
		    a->user);
		if (strcmp(v, "no") == 0)
			finding(a, F_WARNING, "sshd-setting", subject, fix,
			    "AllowTcpForwarding no also forbids the reverse "
			    "unix-socket tunnel the backup needs (OpenSSH 9.2)");
		else
			finding(a, F_ERROR, "sshd-setting", subject, fix,
			    "AllowTcpForwarding %s: the client may open "
			    "connections from this host (local forwarding)", v);
		free(fix);
	}
	v = sshd_get(a, "allowstreamlocalforwarding");
	if (v != NULL && strcmp(v, "remote") != 0) {
		fix = xasprintf("in 'Match User %s': "
		    "AllowStreamLocalForwarding remote", a->user);
		if (strcmp(v, "no") == 0 || strcmp(v, "local") == 0)
			finding(a, F_WARNING, "sshd-setting", subject, fix,
			    "AllowStreamLocalForwarding %s forbids the reverse "
			    "unix-socket tunnel the backup needs", v);
		else
			finding(a, F_ERROR, "sshd-setting", subject, fix,
			    "AllowStreamLocalForwarding %s: the client may "
			    "connect to any unix socket the account can reach",
			    v);
		free(fix);
	}
	v = sshd_get(a, "streamlocalbindmask");
	if (v != NULL) {
		unsigned long mask = strtoul(v, NULL, 8);

		if (mask & 0060) {
			fix = xasprintf("in 'Match User %s': StreamLocalBindMask "
			    "0117", a->user);
			finding(a, F_WARNING, "sshd-setting", subject, fix,
			    "StreamLocalBindMask %s: the forwarded socket is not "
			    "open to its group, so the runner cannot connect to "
			    "it (sshgate's socket directory gives the runner's "
			    "group access)", v);
			free(fix);
		}
	}
}

static void
check_acceptenv(struct audit *a, const char *subject)
{
	size_t i;
	int bash = a->shell != NULL && (strcmp(base(a->shell), "bash") == 0 ||
	    strcmp(base(a->shell), "rbash") == 0);

	for (i = 0; i < a->nsshd; i++) {
		char *v, *tok, *save = NULL, *fix;

		if (strcmp(a->sshd[i].key, "acceptenv") != 0)
			continue;
		v = xstrdup(a->sshd[i].value);
		for (tok = strtok_r(v, " ", &save); tok != NULL;
		    tok = strtok_r(NULL, " ", &save)) {
			int wild = strpbrk(tok, "*?") != NULL;

			if (!wild && policy_keeps(a, tok))
				continue;
			fix = xasprintf("accept only what the policy keeps: "
			    "in 'Match User %s', AcceptEnv with the variables "
			    "the rules keep (it replaces Debian's global "
			    "'AcceptEnv LANG LC_*'), without '%s'", a->user,
			    tok);
			finding(a, bash ? F_ERROR : F_WARNING, "sshd-acceptenv",
			    subject, fix, "AcceptEnv %s: %s reaches the login "
			    "shell%s", tok, wild ? "every variable it matches" :
			    "a variable no rule keeps", bash ? ", and bash runs "
			    "BASH_ENV and traces with PS4 before sshgate starts" :
			    "");
			free(fix);
		}
		free(v);
	}
}

/* authorized_keys files as sshd names them: %h %u %U %%, relative = ~ */
static char *
expand_keys_path(const struct audit *a, const char *tmpl)
{
	char *out = xstrdup(""), *t;
	const char *p;

	for (p = tmpl; *p != '\0'; p++) {
		if (*p == '%' && p[1] != '\0') {
			p++;
			if (*p == 'h')
				t = xasprintf("%s%s", out, a->home ? a->home : "");
			else if (*p == 'u')
				t = xasprintf("%s%s", out, a->user);
			else if (*p == 'U')
				t = xasprintf("%s%u", out, (unsigned)a->uid);
			else
				t = xasprintf("%s%c", out, *p);
		} else
			t = xasprintf("%s%c", out, *p);
		free(out);
		out = t;
	}
	if (out[0] != '/') {
		t = xasprintf("%s/%s", a->home ? a->home : "", out);
		free(out);
		out = t;
	}
	return out;
}

static void check_keys_file(struct audit *a, const char *path, int forced,
    int *nkeys);

/*
 * What to do when sshd -T failed, from what sshd said: a missing
 * privilege separation directory (/run/sshd, made by a running sshd or
 * systemd-tmpfiles) is not cured by root; host keys only root can read.
 */
static char *
sshd_fix(const char *err)
{
	static const char privsep[] = "Missing privilege separation "
	    "directory: ";
	const char *p = strstr(err, privsep);

	if (p != NULL) {
		p += strlen(privsep);
		return xasprintf("sshd -T needs %s: mkdir -m 0755 %s, or start "
		    "sshd once", p, p);
	}
	if (geteuid() != 0)
		return xstrdup("run the audit as root: sshd -T reads the host "
		    "keys");
	if (strstr(err, "no hostkeys available") != NULL)
		return xstrdup("give sshd host keys (ssh-keygen -A), or name "
		    "the configuration that has them with --sshd-config");
	return xstrdup("make 'sshd -T' work: the message above is sshd's");
}

static void
check_sshd(struct audit *a)
{
	const struct want *w;
	char *addr, *out = NULL, *err = NULL, *subject, *fix;
	const char *fc = NULL, *v;
	int nkeys = 0, forced;

	addr = audit_address(a);
	subject = xasprintf("sshd -T%s%s -C user=%s,addr=%s",
	    a->ao->sshd_config ? " -f " : "", a->ao->sshd_config ?
	    a->ao->sshd_config : "", a->user, addr);
	if (run_sshd(a, addr, &out, &err) != 0) {
		fix = sshd_fix(err);
		finding(a, F_UNCHECKED, "sshd-unreadable", subject, fix,
		    "could not read sshd's effective settings: %s", err);
		free(fix);
		free(err);
		goto keys;
	}
	a->sshd_read = 1;
	parse_settings(a, out);
	free(out);

	fc = sshd_get(a, "forcecommand");
	if (fc != NULL && strcmp(fc, "none") != 0) {
		if (!names_gate(a, fc)) {
			fix = xasprintf("in 'Match User %s': ForceCommand %s",
			    a->user, a->ao->gate);
			finding(a, F_ERROR, "sshd-forcecommand", subject, fix,
			    "ForceCommand runs '%s', not %s", fc, a->ao->gate);
			free(fix);
		} else if (policy_uses_tags(a) && strchr(fc, ' ') == NULL) {
			fix = xasprintf("give the tag in ForceCommand "
			    "(ForceCommand %s %s), or drop ForceCommand and use "
			    "command=\"%s %s\" in authorized_keys", a->ao->gate,
			    policy_tag(a), a->ao->gate, policy_tag(a));
			finding(a, F_WARNING, "sshd-forcecommand", subject, fix,
			    "ForceCommand overrides the keys' command=, so no tag "
			    "reaches the gate, and the policy's rules with 'tag' "
			    "never match");
			free(fix);
		}
	}
	for (w = wants; w->key != NULL; w++) {
		v = sshd_get(a, w->key);
		if (v == NULL || strcmp(v, w->good) == 0)
			continue;
		fix = xasprintf("in 'Match User %s': %s %s", a->user, w->keyword,
		    w->good);
		finding(a, w->level, "sshd-setting", subject, fix, "%s %s: %s",
		    w->keyword, v, w->why);
		free(fix);
	}
	check_forwarding(a, subject);
	check_acceptenv(a, subject);
	v = sshd_get(a, "authorizedkeyscommand");
	if (v != NULL && strcmp(v, "none") != 0)
		finding(a, F_UNCHECKED, "sshd-unreadable", subject, NULL,
		    "keys also come from AuthorizedKeysCommand %s, whose keys "
		    "the audit cannot see", v);

keys:
	forced = a->forced_by_shell || (fc != NULL && a->sshd_read &&
	    strcmp(fc, "none") != 0 && names_gate(a, fc));
	if (a->ao->keys != NULL)
		check_keys_file(a, a->ao->keys, forced, &nkeys);
	else if (!a->sshd_read) {
		finding(a, F_UNCHECKED, "sshd-unreadable", a->user, "run the "
		    "audit as root, or name the file with --authorized-keys",
		    "the authorized keys were not checked: without sshd's "
		    "settings the audit cannot tell where sshd reads them");
		goto out;
	} else {
		char *list, *tok, *save = NULL;

		v = a->sshd_read ? sshd_get(a, "authorizedkeysfile") : NULL;
		list = xstrdup(v ? v : ".ssh/authorized_keys "
		    ".ssh/authorized_keys2");
		for (tok = strtok_r(list, " ", &save); tok != NULL;
		    tok = strtok_r(NULL, " ", &save)) {
			char *path;

			if (strcmp(tok, "none") == 0)
				continue;
			path = expand_keys_path(a, tok);
			check_keys_file(a, path, forced, &nkeys);
			free(path);
		}
		free(list);
	}
	if (nkeys == 0)
		finding(a, F_WARNING, "keys-missing", a->user, "add the backup "
		    "server's key with restrict,port-forwarding,from=\"...\"",
		    "no authorized key found: the backup server cannot log in");
out:
	free(subject);
	free(addr);
}

/* ---- authorized_keys ----------------------------------------------------- */

struct keyopts {
	int	 restrict_, port_forwarding, no_port_forwarding, no_pty,
		 no_agent, no_x11, no_user_rc, environment;
	char	*from, *command;
};

static int
is_keytype(const char *s, size_t n)
{
	static const char *const types[] = {
		"ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-", NULL
	};
	size_t i;

	for (i = 0; types[i] != NULL; i++)
		if (n > strlen(types[i]) &&
		    strncmp(s, types[i], strlen(types[i])) == 0)
			return 1;
	return 0;
}

/* One option list: name[="value"],...  Returns 0, or -1 if malformed. */
static int
parse_keyopts(const char *s, size_t n, struct keyopts *k)
{
	size_t i = 0;

	while (i < n) {
		size_t ns = i, ne;
		char *val = NULL, *name;

		while (i < n && s[i] != ',' && s[i] != '=')
			i++;
		ne = i;
		if (i < n && s[i] == '=') {
			size_t o = 0;

			if (++i >= n || s[i] != '"')
				return -1;
			val = xmalloc(n - i + 1);
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n && s[i + 1] == '"')
					i++;
				val[o++] = s[i];
			}
			val[o] = '\0';
			if (i >= n) {
				free(val);
				return -1;
			}
			i++;
		}
		name = xstrndup(s + ns, ne - ns);
#define IS(x)	(strcasecmp(name, x) == 0)
		if (IS("restrict"))
			k->restrict_ = 1;
		else if (IS("port-forwarding"))
			k->port_forwarding = 1;
		else if (IS("no-port-forwarding"))
			k->no_port_forwarding = 1;
		else if (IS("no-pty"))
			k->no_pty = 1;
		else if (IS("no-agent-forwarding"))
			k->no_agent = 1;
		else if (IS("no-x11-forwarding"))
			k->no_x11 = 1;
		else if (IS("no-user-rc"))
			k->no_user_rc = 1;
		else if (IS("environment"))
			k->environment = 1;
		else if (IS("from") && val != NULL && k->from == NULL) {
			k->from = val;
			val = NULL;
		} else if (IS("command") && val != NULL && k->command == NULL) {
			k->command = val;
			val = NULL;
		}
#undef IS
		free(name);
		free(val);
		if (i < n && s[i] == ',')
			i++;
		else if (i < n)
			return -1;
	}
	return 0;
}

static void
check_key(struct audit *a, const char *subject, const char *line, int forced)
{
	struct keyopts k;
	size_t n = 0;
	int inq = 0;
	char *fix, *srv;

	memset(&k, 0, sizeof(k));
	/* the options end at the first blank outside quotes */
	while (line[n] != '\0' && (inq || (line[n] != ' ' &&
	    line[n] != '\t'))) {
		if (line[n] == '"' && (n == 0 || line[n - 1] != '\\'))
			inq = !inq;
		n++;
	}
	if (is_keytype(line, n))
		n = 0;
	if (n > 0 && parse_keyopts(line, n, &k) != 0) {
		finding(a, F_ERROR, "key-options", subject, NULL, "sshd cannot "
		    "parse this key's options; it ignores the key");
		goto out;
	}
	/* the real names: the key's own from=, else the policy's address */
	srv = k.from != NULL ? xstrdup(k.from) : server_address(a);
	fix = xasprintf("start the key with: restrict,port-forwarding,"
	    "from=\"%s\"%s%s%s", srv != NULL ? srv : "BACKUP-SERVER",
	    forced ? "" : ",command=\"", forced ? "" : a->ao->gate,
	    forced ? "" : "\"");
	free(srv);
	if (!k.restrict_ && !(k.no_pty && k.no_agent && k.no_x11 &&
	    k.no_user_rc))
		finding(a, F_WARNING, "key-options", subject, fix, "the key "
		    "lacks 'restrict': it allows a pty, agent and X11 "
		    "forwarding and ~/.ssh/rc unless sshd forbids them");
	if (k.no_port_forwarding || (k.restrict_ && !k.port_forwarding))
		finding(a, F_WARNING, "key-options", subject, fix, "the key "
		    "forbids port forwarding, and with it the reverse "
		    "unix-socket tunnel the backup needs ('restrict' needs "
		    "'port-forwarding' after it)");
	if (k.from == NULL)
		finding(a, F_WARNING, "key-options", subject, fix, "the key has "
		    "no from=: whoever holds it may connect from anywhere");
	if (k.environment)
		finding(a, F_WARNING, "key-options", subject, "remove "
		    "environment= from the key", "the key sets environment "
		    "variables (ignored only while PermitUserEnvironment is "
		    "no)");
	if (k.command != NULL && !names_gate(a, k.command))
		finding(a, F_ERROR, "key-options", subject, fix, "the key's "
		    "command=\"%s\" does not run %s", k.command, a->ao->gate);
	else if (k.command == NULL && !forced)
		finding(a, F_ERROR, "key-options", subject, fix, "nothing "
		    "forces sshgate for this key: no command=, no ForceCommand "
		    "and the login shell is not the gate");
	free(fix);
out:
	free(k.from);
	free(k.command);
}

static void
check_keys_file(struct audit *a, const char *path, int forced, int *nkeys)
{
	char why[512], *text, *line, *save = NULL, *fix;
	struct trust_why tw;
	size_t len;
	unsigned lineno = 0;
	struct stat st;
	int fd, wfd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd == -1) {
		if (errno == ENOENT)
			return;
		finding(a, F_UNCHECKED, "unreadable", path, NULL, "could not "
		    "read: %s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		finding(a, F_ERROR, "keys-writable", path, NULL, "not a "
		    "regular file");
		close(fd);
		return;
	}
	/*
	 * sshd's StrictModes also wants this; the point here is T2.  The
	 * gate's walk (root's file, root's directories; sshd follows links,
	 * so links in them too); a lookup this audit may not make is no
	 * finding.
	 */
	wfd = trust_walk(path, O_PATH, TRUST_FOLLOW_LINKS, TRUST_FILE, 0, &tw);
	if (wfd >= 0)
		close(wfd);
	else if (tw.fault != TRUST_LOOKUP) {
		fix = xasprintf("keep the keys where only root writes: "
		    "AuthorizedKeysFile /etc/ssh/authorized_keys/%%u, owned "
		    "root, mode 0644");
		finding(a, F_WARNING, "keys-writable", path, fix, "%s: the "
		    "account%s may change its own key options (drop "
		    "restrict, from=, command=)", tw.msg,
		    st.st_uid == a->uid ? "" : " or another user");
		free(fix);
	}
	if (read_all(fd, KEYS_MAX, &text, &len, why, sizeof(why)) != 0) {
		close(fd);
		finding(a, F_UNCHECKED, "unreadable", path, NULL, "could not "
		    "read: %s", why);
		return;
	}
	close(fd);
	for (line = text; line != NULL && line < text + len; ) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		char *p = line, *subject;

		if (nl != NULL)
			*nl = '\0';
		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0' && *p != '#') {
			subject = xasprintf("%s:%u", path, lineno);
			(*nkeys)++;
			check_key(a, subject, p, forced);
			free(subject);
		}
		line = nl ? nl + 1 : NULL;
	}
	(void)save;
	free(text);
}

/* ---- the gate, the policy, the account --------------------------------- */

static void
check_gate(struct audit *a)
{
	const char *g = a->ao->gate;
	char why[512], *fix, *m;
	struct stat st;
	struct statvfs vfs;
	int fd;

	fd = trust_open(g, O_PATH, TRUST_NO_LINKS, why, sizeof(why));
	if (fd == -1) {
		if (lstat(g, &st) != 0 && errno == ENOENT)
			finding(a, F_ERROR, "gate-missing", g, "install sshgate "
			    "(make install), or name it with --gate", "no such "
			    "file");
		else
			finding(a, F_ERROR, "gate-untrusted", g, "make the file "
			    "and every directory above it root-owned and "
			    "writable only by root", "%s", why);
		return;
	}
	if (fstat(fd, &st) != 0) {
		finding(a, F_UNCHECKED, "unreadable", g, NULL, "fstat: %s",
		    strerror(errno));
		close(fd);
		return;
	}
	m = fmt_mode(st.st_mode);
	fix = xasprintf("chown root:%s %s && chmod 4750 %s", a->user, g, g);
	if (!(st.st_mode & S_ISUID))
		finding(a, F_ERROR, "gate-mode", g, fix, "mode %s: not setuid, "
		    "so the gate cannot confine anything and refuses to run",
		    m);
	else if (st.st_mode & S_IXOTH)
		finding(a, F_ERROR, "gate-mode", g, fix, "mode %s: every "
		    "account may run the setuid gate (it refuses to run so)", m);
	else if ((st.st_mode & 07777) != 04750)
		finding(a, F_WARNING, "gate-mode", g, fix, "mode %s, not 4750",
		    m);
	if (a->have_account && st.st_gid != a->gid)
		finding(a, F_ERROR, "gate-group", g, fix, "group %u is not the "
		    "login account's group %u: the gate refuses a caller whose "
		    "group is not its own", (unsigned)st.st_gid,
		    (unsigned)a->gid);
	if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_NOSUID))
		finding(a, F_ERROR, "gate-nosuid", g, "install the gate on a "
		    "file system mounted without nosuid", "the file system is "
		    "mounted nosuid: the setuid bit has no effect");
	free(m);
	free(fix);
	close(fd);
}

/*
 * The policy's path as the gate would walk it: absolute.  A relative -f
 * is taken from the working directory as it is, links and all (not
 * realpath(): the walk must see a link to refuse it).
 */
static char *
policy_path(const char *f)
{
	char cwd[PATH_MAX];

	if (f[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(f);
	return xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", f);
}

/*
 * A policy that is not there: one finding, with how to put one there
 * (its directory too, when that is missing).  1 if so.
 */
static int
policy_missing(struct audit *a, const char *f)
{
	struct stat st;
	char *dir, *fix;

	if (lstat(f, &st) == 0 || (errno != ENOENT && errno != ENOTDIR))
		return 0;
	dir = dir_of(f);
	if (stat(dir, &st) != 0 && errno == ENOENT)
		fix = xasprintf("install -d -o root -g root -m 0755 %s && "
		    "install -o root -g root -m 0644 YOUR-POLICY %s, once "
		    "sshgate-lint -f YOUR-POLICY passes (setup/vps/install "
		    "installs the shipped one)", dir, f);
	else
		fix = xasprintf("install -o root -g root -m 0644 YOUR-POLICY "
		    "%s, once sshgate-lint -f YOUR-POLICY passes "
		    "(setup/vps/install installs the shipped one)", f);
	finding(a, F_ERROR, "policy-missing", f, fix, "the policy does not "
	    "exist: the gate permits nothing");
	free(fix);
	free(dir);
	return 1;
}

/*
 * The fix for a policy the gate refuses, naming what the walk refused:
 * the file itself, or the directory above it (a sticky one, /tmp, is
 * everyone's to write: the policy goes elsewhere).
 */
static char *
policy_trust_fix(const char *f)
{
	struct trust_why why;
	struct stat st;
	int fd;

	fd = trust_walk(f, O_PATH, TRUST_NO_LINKS, TRUST_FILE, 0, &why);
	if (fd != -1) {
		close(fd);
		return xasprintf("chown root:root %s && chmod 0644 %s", f, f);
	}
	if (why.fault == TRUST_LINK)
		return xasprintf("name the file itself: %s is a symbolic link",
		    why.at);
	if (strcmp(why.at, f) == 0)
		return why.fault == TRUST_TYPE ? xasprintf("make %s a regular "
		    "file", f) : xasprintf("chown root:root %s && chmod 0644 "
		    "%s", f, f);
	if (why.fault == TRUST_MODE && lstat(why.at, &st) == 0 &&
	    (st.st_mode & S_ISVTX))
		return xasprintf("keep the policy where only root writes every "
		    "directory above it, as the gate's %s", SSHGATE_POLICY_PATH);
	if (why.fault == TRUST_OWNER || why.fault == TRUST_MODE)
		return xasprintf("chown root:root %s && chmod go-w %s, if nobody "
		    "else needs to write it; or keep the policy elsewhere",
		    why.at, why.at);
	return xasprintf("keep the policy where only root writes every "
	    "directory above it, as the gate's %s", SSHGATE_POLICY_PATH);
}

static void	check_parts(struct audit *a);

static void
check_policy(struct audit *a)
{
	struct diags d = { 0 };
	char *f = policy_path(a->ao->policy), *fix;
	size_t i;

	a->policy = f;
	if (policy_missing(a, f))
		return;
	a->pol = lint_load(f, 1, &d);
	for (i = 0; i < d.n; i++)
		if (d.v[i].name && strcmp(d.v[i].name, "untrusted-file") == 0) {
			fix = policy_trust_fix(f);
			finding(a, F_ERROR, "policy-untrusted", f, fix, "the gate "
			    "refuses the policy: %s", d.v[i].msg +
			    strlen("sshgate would refuse this file: "));
			free(fix);
		}
	if (a->pol == NULL) {
		if (d.nerr > 0 && d.v[d.n - 1].line == 0 &&
		    strncmp(d.v[d.n - 1].msg, "cannot open", 11) == 0)
			finding(a, F_UNCHECKED, "unreadable", f, NULL, "%s",
			    d.v[d.n - 1].msg);
		else {
			fix = xasprintf("run sshgate-lint -f %s and fix what it "
			    "reports", f);
			finding(a, F_ERROR, "policy-errors", f, fix, "%zu error%s: "
			    "the gate permits nothing", d.nerr, d.nerr == 1 ?
			    "" : "s");
			free(fix);
		}
		diags_free(&d);
		return;
	}
	diags_free(&d);
	memset(&d, 0, sizeof(d));
	if (policy_run_tests(a->pol, &d) > 0) {
		fix = xasprintf("run sshgate-lint -f %s", f);
		finding(a, F_ERROR, "policy-errors", f, fix, "%zu of the "
		    "policy's own tests fail", d.nerr);
		free(fix);
	}
	lint_passes(a->pol, &d);
	if (d.nwarn > 0) {
		fix = xasprintf("run sshgate-lint -f %s and fix or silence what "
		    "it reports", f);
		finding(a, F_WARNING, "policy-warnings", f, fix, "the linter "
		    "has %zu warning%s about the policy", d.nwarn,
		    d.nwarn == 1 ? "" : "s");
		free(fix);
	}
	diags_free(&d);
	check_parts(a);
}

/*
 * Each part in policy.d/ beside the policy (sshgate-policy(5), "Parts"),
 * read as the gate reads it for its tag: untrusted or broken, it stops
 * that tag (the same finding names as the policy's, the part as the
 * subject).  The sound parts' rules join the policy's, so that their
 * runners and paths are checked with the rest.
 */
static void
check_parts(struct audit *a)
{
	char dir[PATH_MAX], path[PATH_MAX], want[PATH_MAX], tag[128];
	char why[512], *fix;
	const char *slash = strrchr(a->policy, '/');
	struct dirent **ents;
	struct policy *part;
	struct diags d;
	size_t len;
	int i, n;

	if (snprintf(dir, sizeof(dir), "%.*spolicy.d", slash ? (int)(slash -
	    a->policy + 1) : 0, a->policy) >= (int)sizeof(dir))
		return;
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		len = strlen(name);
		if (name[0] == '.' || len <= 7 || len - 7 >= sizeof(tag) ||
		    strcmp(name + len - 7, ".policy") != 0 ||
		    snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		    (int)sizeof(path))
			continue;	/* sshgate-lint reports non-parts */
		snprintf(tag, sizeof(tag), "%.*s", (int)(len - 7), name);
		if (policy_part_path(a->policy, tag, want, sizeof(want)) != 0 ||
		    strcmp(want, path) != 0)
			continue;
		memset(&d, 0, sizeof(d));
		switch (part_read(a->pol, path, tag, 1, &part, &d, why,
		    sizeof(why))) {
		case PART_NONE:
			break;
		case PART_UNTRUSTED:
			fix = xasprintf("chown root:root %s && chmod 0644 %s, "
			    "in directories only root writes", path, path);
			finding(a, F_ERROR, "policy-untrusted", path, fix,
			    "the gate refuses this part, and tag %s: %s", tag,
			    why);
			free(fix);
			break;
		case PART_ERROR:
			fix = xasprintf("run sshgate-lint and fix what it "
			    "reports for %s", path);
			finding(a, F_ERROR, "policy-errors", path, fix, "%zu "
			    "error%s: the gate permits nothing for tag %s",
			    d.nerr, d.nerr == 1 ? "" : "s", tag);
			free(fix);
			break;
		default:
			a->pol = policy_join(a->pol, part);
			break;
		}
		diags_free(&d);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
}

static void
check_account(struct audit *a)
{
	static const char *const rc[] = {
		".bashrc", ".bash_profile", ".bash_login", ".profile",
		".bash_logout", NULL
	};
	const char *sh;
	char *fix, *p;
	struct stat st;
	size_t i;

	if (!a->have_account)
		return;
	if (a->uid == 0)
		finding(a, F_ERROR, "account-missing", a->user, "create a "
		    "dedicated login account (useradd -m -s /bin/sh borg)",
		    "the login account is root");
	sh = base(a->shell);
	fix = xasprintf("usermod -s /bin/sh %s (or -s %s)", a->user,
	    a->ao->gate);
	if (strcmp(a->shell, a->ao->gate) == 0)
		a->forced_by_shell = 1;
	else if (strcmp(sh, "nologin") == 0 || strcmp(sh, "false") == 0 ||
	    a->shell[0] == '\0')
		finding(a, F_ERROR, "account-shell", a->user, fix, "login shell "
		    "%s: sshd runs forced commands with the login shell, so "
		    "nothing runs", a->shell[0] ? a->shell : "(none)");
	else if (strcmp(sh, "bash") == 0 || strcmp(sh, "rbash") == 0) {
		finding(a, F_WARNING, "account-shell", a->user, fix, "login "
		    "shell %s: bash reads rc files, BASH_ENV and SHELLOPTS/PS4 "
		    "before sshgate starts", a->shell);
		for (i = 0; rc[i] != NULL && a->home != NULL; i++) {
			p = xasprintf("%s/%s", a->home, rc[i]);
			if (lstat(p, &st) == 0)
				finding(a, F_WARNING, "bash-rc-file", p, "remove "
				    "it, and give the account /bin/sh", "bash "
				    "may run this file before sshgate starts");
			free(p);
		}
	}
	free(fix);
	if (a->home == NULL || a->home[0] != '/')
		return;
	if (lstat(a->home, &st) != 0) {
		if (errno == ENOENT)
			finding(a, F_WARNING, "account-home", a->home, "create it "
			    "owned by root, mode 0755", "the home directory does "
			    "not exist");
		else
			finding(a, F_UNCHECKED, "unreadable", a->home, NULL,
			    "could not stat: %s", strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode) || (st.st_uid != 0 && st.st_uid != a->uid) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		char *m = fmt_mode(st.st_mode);

		finding(a, F_WARNING, "account-home", a->home, "chown root: and "
		    "chmod 0755 the home directory", "owner uid %u, mode %s: "
		    "someone other than root and %s can change it", (unsigned)
		    st.st_uid, m, a->user);
		free(m);
	}
	p = xasprintf("%s/.ssh", a->home);
	if (lstat(p, &st) == 0 && (!S_ISDIR(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != a->uid) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		char *m = fmt_mode(st.st_mode);

		finding(a, F_WARNING, "account-home", p, "chown root: and chmod "
		    "0755 it", "owner uid %u, mode %s: someone other than root "
		    "and %s can change the keys", (unsigned)st.st_uid, m,
		    a->user);
		free(m);
	}
	free(p);
}

/* ---- PAM ----------------------------------------------------------------- */

static void
scan_pam(struct audit *a, const char *file, int depth, int *found)
{
	char *path, why[256], *text, *line, *nl;
	size_t len;
	unsigned lineno = 0;
	int fd;

	if (depth > PAM_DEPTH || strchr(file, '/') != NULL)
		return;
	path = xasprintf("%s/%s", a->ao->pam_dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		if (errno != ENOENT)
			finding(a, F_UNCHECKED, "unreadable", path, NULL, "could "
			    "not read: %s", strerror(errno));
		free(path);
		return;
	}
	if (read_all(fd, 1u << 20, &text, &len, why, sizeof(why)) != 0) {
		finding(a, F_UNCHECKED, "unreadable", path, NULL, "%s", why);
		close(fd);
		free(path);
		return;
	}
	close(fd);
	for (line = text; line != NULL && line < text + len; line = nl) {
		char *hash, *tok[16], *save = NULL, *t;
		int n = 0, i;

		nl = memchr(line, '\n', (size_t)(text + len - line));
		if (nl != NULL)
			*nl++ = '\0';
		lineno++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		for (t = strtok_r(line, " \t", &save); t != NULL && n < 16;
		    t = strtok_r(NULL, " \t", &save))
			tok[n++] = t;
		if (n == 2 && strcmp(tok[0], "@include") == 0) {
			scan_pam(a, tok[1], depth + 1, found);
			continue;
		}
		/* type control module args; control may be [ ... ] */
		for (i = 1; i < n; i++) {
			if (strcmp(tok[i], "include") == 0 ||
			    strcmp(tok[i], "substack") == 0) {
				if (i + 1 < n)
					scan_pam(a, tok[i + 1], depth + 1, found);
				break;
			}
			if (strstr(tok[i], "pam_env.so") != NULL) {
				int k;

				for (k = i + 1; k < n; k++)
					if (strcmp(tok[k], "user_readenv=1") == 0) {
						char *s = xasprintf("%s:%u", path,
						    lineno);

						*found = 1;
						finding(a, F_WARNING,
						    "pam-user-readenv", s, "remove "
						    "user_readenv=1 here, or make the "
						    "home directory root-owned so that "
						    "the account cannot write "
						    ".pam_environment", "pam_env reads "
						    "%s's ~/.pam_environment into the "
						    "session, and the login shell gets "
						    "it before sshgate starts", a->user);
						free(s);
					}
				break;
			}
		}
	}
	free(text);
	free(path);
}

static void
check_pam(struct audit *a)
{
	const char *v = a->sshd_read ? sshd_get(a, "usepam") : NULL;
	struct stat st;
	char *pe;
	int found = 0, writable = 0;

	if (v != NULL && strcmp(v, "no") == 0)
		return;
	if (!a->have_account || a->home == NULL)
		return;
	/* harmless while the account can neither have nor write the file */
	pe = xasprintf("%s/.pam_environment", a->home);
	if (lstat(pe, &st) == 0)
		writable = 1;
	else if (stat(a->home, &st) == 0 && (st.st_uid == a->uid ||
	    (st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) &&
	    st.st_gid == a->gid)))
		writable = 1;
	free(pe);
	if (writable)
		scan_pam(a, "sshd", 0, &found);
}

/* ---- the socket directory, runners, a rule's paths ------------------------ */

/* The socket of "sshgate-connect [-u USER] SOCKET" in a BORG_RSH value. */
static char *
connector_socket(const char *value, char **owner)
{
	struct words w;
	struct tok_error te;
	char *sock = NULL;
	size_t i;

	*owner = NULL;
	if (argv_split(value, strlen(value), &w, &te) != TOK_OK)
		return NULL;
	if (w.n >= 2 && strcmp(base(w.v[0]), "sshgate-connect") == 0) {
		for (i = 1; i + 1 < w.n; i++)
			if (strcmp(w.v[i], "-u") == 0) {
				*owner = xstrdup(w.v[i + 1]);
				i++;
			}
		sock = xstrdup(w.v[w.n - 1]);
	}
	words_free(&w);
	return sock;
}

/*
 * The fix for a path that trust_walk() refused.  owner may own the last
 * component; make creates the path where it is, as kind ("a directory");
 * place is a layout that passes.
 */
static char *
walk_fix(const struct trust_why *w, const char *path, const char *owner,
    const char *make, const char *place, const char *kind)
{
	int last = strcmp(w->at, path) == 0;
	struct stat st;

	switch (w->fault) {
	case TRUST_LOOKUP:
		return xstrdup(make);
	case TRUST_OWNER:
		if (last)
			return xasprintf("chown %s %s", owner, path);
		break;
	case TRUST_MODE:
		/* others may have to write it: a producer's data, /tmp */
		if (last)
			return xasprintf("chmod go-w %s, if nobody else needs to "
			    "write it; or %s", path, place);
		break;
	case TRUST_LINK:
		return xasprintf("name the real path, without symbolic links "
		    "(not %s); or %s", w->at, place);
	case TRUST_TYPE:
		if (last)
			return xasprintf("make it %s: %s", kind, make);
		break;
	case TRUST_OTHER:
		return xstrdup(place);
	}
	/* a sticky directory (/tmp) is meant for everyone to write */
	if (w->fault == TRUST_MODE && lstat(w->at, &st) == 0 &&
	    (st.st_mode & S_ISVTX))
		return xstrdup(place);
	return xasprintf("%s; or, if nobody else needs to write it, chown "
	    "root:root %s && chmod go-w %s", place, w->at, w->at);
}

/*
 * The socket directory as sshgate-connect walks it (trust_walk(): the
 * login account may own it, root every directory above it), then what
 * the connector cannot know: the owner sshd needs, the runner's group.
 */
static void
check_socket_dir(struct audit *a, const struct rule *r, const char *sock,
    const char *owner)
{
	char *dir = dir_of(sock), *fix, *m, *wfix, *place;
	struct passwd *rp = getpwnam(r->user);
	struct group *gr = r->group ? getgrnam(r->group) : NULL;
	gid_t rgid = gr ? gr->gr_gid : rp ? rp->pw_gid : (gid_t)-1;
	struct trust_why why;
	struct stat st;
	int fd;

	fix = xasprintf("install -d -o %s -g %s -m 2750 %s (and a "
	    "tmpfiles.d line, since /run is emptied at boot)", a->user,
	    r->group ? r->group : r->user, dir);
	if (owner != NULL && strcmp(owner, a->user) != 0)
		finding(a, F_WARNING, "socket-dir", sock, NULL, "rule '%s': "
		    "sshgate-connect -u %s expects the socket to belong to %s, "
		    "but the login account is %s", r->name, owner, owner,
		    a->user);
	fd = trust_walk(dir, O_PATH, TRUST_NO_LINKS, TRUST_DIR, a->uid, &why);
	if (fd == -1 && why.fault == TRUST_LOOKUP && why.err == ENOENT) {
		finding(a, F_ERROR, "socket-dir", dir, fix, "rule '%s': "
		    "the socket directory does not exist (%s)", r->name,
		    why.msg);
		goto out;
	}
	if (fd == -1 && why.fault == TRUST_LOOKUP) {
		finding(a, F_UNCHECKED, "unreadable", dir, NULL, "%s",
		    why.msg);
		goto out;
	}
	if (fd == -1) {
		place = xasprintf("move it to /run/sshgate/%s "
		    "(setup/vps/install's layout: /run/sshgate root's, mode "
		    "0755)", a->user);
		wfix = walk_fix(&why, dir, a->user, fix, place, "a directory");
		/* the directory at fault, which may be one above it */
		finding(a, F_ERROR, "socket-dir", why.at[0] ? why.at : dir,
		    wfix, "rule '%s': sshgate-connect refuses the socket "
		    "directory %s: %s", r->name, dir, why.msg);
		free(wfix);
		free(place);
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		finding(a, F_UNCHECKED, "unreadable", dir, NULL, "fstat: %s",
		    strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	m = fmt_mode(st.st_mode);
	if (st.st_uid != a->uid)
		finding(a, F_ERROR, "socket-dir", dir, fix, "owned by uid %u, "
		    "not %s: sshd creates the forwarded socket as the login "
		    "account", (unsigned)st.st_uid, a->user);
	else if (st.st_mode & S_IRWXO)
		finding(a, F_WARNING, "socket-dir", dir, fix, "mode %s: every "
		    "account can reach the socket", m);
	else if (rgid != (gid_t)-1 && st.st_gid != rgid)
		finding(a, F_WARNING, "socket-dir", dir, fix, "group %u is not "
		    "the runner's group %u: the runner of rule '%s' cannot "
		    "reach the socket", (unsigned)st.st_gid, (unsigned)rgid,
		    r->name);
	else if (!(st.st_mode & S_ISGID))
		finding(a, F_WARNING, "socket-dir", dir, fix, "mode %s: without "
		    "the setgid bit the socket does not get the runner's group",
		    m);
	free(m);
out:
	free(fix);
	free(dir);
}

/*
 * A rule's path that trust_walk() refused, said as the gate says it
 * (gate/main.c, gate/landlock.c: "<what> PATH of rule 'NAME' refused:
 * REASON"): a lookup this audit may not make is not checked; a path
 * that does not exist, or any other refusal, is an error with the
 * walker's own reason and walk_fix()'s fix.  may is what the rule may do
 * there ("write here").
 */
static void
path_refused(struct audit *a, const struct rule *r, const char *name,
    const char *what, const char *may, const char *path,
    const struct trust_why *why, const char *owner, const char *make,
    const char *place, const char *kind)
{
	char *fix;

	if (why->fault == TRUST_LOOKUP && why->err != ENOENT) {
		finding(a, F_UNCHECKED, "unreadable", path, NULL, "%s",
		    why->msg);
		return;
	}
	fix = walk_fix(why, path, owner, make, place, kind);
	if (why->fault == TRUST_LOOKUP)
		finding(a, F_ERROR, name, path, fix, "rule '%s' may %s, but it "
		    "does not exist: the gate refuses the rule (%s)", r->name,
		    may, why->msg);
	else
		finding(a, F_ERROR, name, path, fix, "rule '%s': the gate "
		    "refuses this %s: %s", r->name, what, why->msg);
	free(fix);
}

/*
 * A writable path as the gate walks it before anything uses it
 * (trust_walk(), gate/main.c): the runner may own it, root every
 * directory above it, no symbolic link anywhere.  The same reason.
 */
static void
check_write_path(struct audit *a, const struct rule *r, uid_t ruid,
    const char *path)
{
	struct trust_why why;
	char *make, *place;
	int fd;

	fd = trust_walk(path, O_PATH, TRUST_NO_LINKS, TRUST_FILE_OR_DIR, ruid,
	    &why);
	if (fd >= 0) {
		close(fd);
		return;
	}
	make = xasprintf("install -d -o %s -g %s -m 0700 %s (every directory "
	    "above it root's, mode 0755)", r->user, r->group ? r->group :
	    r->user, path);
	place = xasprintf("move it below directories that only root owns "
	    "and writes (e.g. /var/lib/%s) and name that in rule '%s'",
	    strcmp(r->user, "root") == 0 ? r->name : r->user, r->name);
	path_refused(a, r, "write-path", "writable path", "write here", path,
	    &why, r->user, make, place, "a directory");
	free(place);
	free(make);
}

/*
 * An exec path as the gate walks it before it grants the execute right
 * on it (trust_walk(), gate/landlock.c, exit 126): root's alone, as is
 * every directory above it, as the program is; symbolic links followed,
 * so a reason may name a component where a link leads.  O_PATH where
 * the gate, which reads the interpreter through its descriptor, opens
 * O_RDONLY: the walk decides on the same fstat() either way, and an
 * audit without root need not be able to read the file.
 */
static void
check_exec_path(struct audit *a, const struct rule *r, const char *path)
{
	struct trust_why why;
	char *make, *place;
	int fd;

	fd = trust_walk(path, O_PATH, TRUST_FOLLOW_LINKS, TRUST_FILE_OR_DIR, 0,
	    &why);
	if (fd >= 0) {
		close(fd);
		return;
	}
	make = xasprintf("install it there, root's, mode 0755 (the program, "
	    "or a directory of programs), every directory above it root's, "
	    "mode 0755; or take it out of rule '%s'", r->name);
	place = xasprintf("install what it names below directories that only "
	    "root owns and writes (e.g. /usr/local/libexec) and name that in "
	    "rule '%s'", r->name);
	path_refused(a, r, "exec-path", "exec path", "execute this", path,
	    &why, "root", make, place, "a program or a directory");
	free(place);
	free(make);
}

/*
 * A read path as the gate walks it for the rule's read scope
 * (trust_walk(), gate/landlock.c, exit 5): like a writable path, the
 * runner's or root's below root's directories, but with symbolic links
 * followed.
 */
static void
check_read_path(struct audit *a, const struct rule *r, uid_t ruid,
    const char *path)
{
	struct trust_why why;
	char *make, *place;
	int fd;

	fd = trust_walk(path, O_PATH, TRUST_FOLLOW_LINKS, TRUST_FILE_OR_DIR,
	    ruid, &why);
	if (fd >= 0) {
		close(fd);
		return;
	}
	make = xasprintf("install -d -o %s -g %s -m 0700 %s (every directory "
	    "above it root's, mode 0755), or take it out of rule '%s'",
	    r->user, r->group ? r->group : r->user, path, r->name);
	place = xasprintf("move it below directories that only root owns "
	    "and writes (e.g. /var/lib/%s) and name that in rule '%s'",
	    strcmp(r->user, "root") == 0 ? r->name : r->user, r->name);
	path_refused(a, r, "read-path", "readable path", "read here", path,
	    &why, r->user, make, place, "a directory or a regular file");
	free(place);
	free(make);
}

struct seen {
	char	**v;
	size_t	  n;
};

/* 1 the first time s is seen, then 0 */
static int
first_time(struct seen *sn, const char *s)
{
	size_t i;

	for (i = 0; i < sn->n; i++)
		if (strcmp(sn->v[i], s) == 0)
			return 0;
	sn->v = xreallocarray(sn->v, sn->n + 1, sizeof(*sn->v));
	sn->v[sn->n++] = xstrdup(s);
	return 1;
}

static void
seen_free(struct seen *sn)
{
	size_t i;

	for (i = 0; i < sn->n; i++)
		free(sn->v[i]);
	free(sn->v);
}

static void
check_runners(struct audit *a)
{
	struct seen sockets = { NULL, 0 }, runners = { NULL, 0 };
	struct seen paths = { NULL, 0 };
	size_t i, k;

	for (i = 0; a->pol != NULL && i < a->pol->nrules; i++) {
		const struct rule *r = &a->pol->rules[i];
		struct passwd *rp;
		uid_t ruid;

		if (r->deny != NULL || r->nrun == 0)
			continue;
		rp = getpwnam(r->user);
		if (rp == NULL && first_time(&runners, r->user))
		{
			char *fix = xasprintf("useradd --system --no-create-home "
			    "--shell /usr/sbin/nologin %s", r->user);

			finding(a, F_ERROR, "runner-missing", r->user, fix,
			    "rule '%s' runs as %s, which does not exist: the "
			    "gate refuses the rule", r->name, r->user);
			free(fix);
		}
		else if (rp != NULL && a->have_account && rp->pw_uid == a->uid &&
		    first_time(&runners, r->user))
			finding(a, F_ERROR, "runner-missing", r->user, "give "
			    "the rule a runner account of its own", "rule '%s' "
			    "runs as the login account itself, which the gate "
			    "refuses (the caller could signal it and edit what "
			    "it writes)", r->name);
		ruid = rp != NULL ? rp->pw_uid : 0;
		/*
		 * Each path once per way it is walked: a writable or read
		 * path may be trusted for one runner only; an exec path is
		 * root's for every runner.
		 */
		for (k = 0; rp != NULL && k < r->nwrite; k++) {
			char *key = xasprintf("write %u %s", (unsigned)ruid,
			    r->write[k]);

			if (first_time(&paths, key))
				check_write_path(a, r, ruid, r->write[k]);
			free(key);
		}
		for (k = 0; k < r->nexec; k++) {
			char *key = xasprintf("exec %s", r->exec[k]);

			if (first_time(&paths, key))
				check_exec_path(a, r, r->exec[k]);
			free(key);
		}
		for (k = 0; rp != NULL && k < r->nread; k++) {
			char *key = xasprintf("read %u %s", (unsigned)ruid,
			    r->read[k]);

			if (first_time(&paths, key))
				check_read_path(a, r, ruid, r->read[k]);
			free(key);
		}
		for (k = 0; k < r->nset; k++) {
			char *owner, *sock;

			if (strcmp(r->setenv[k].name, "BORG_RSH") != 0)
				continue;
			sock = connector_socket(r->setenv[k].value, &owner);
			if (sock != NULL && a->have_account &&
			    first_time(&sockets, sock))
				check_socket_dir(a, r, sock, owner);
			free(sock);
			free(owner);
		}
	}
	seen_free(&sockets);
	seen_free(&runners);
	seen_free(&paths);
}

/* ---- the kernel ------------------------------------------------------------ */

static void
check_kernel(struct audit *a)
{
	long abi = -1;
	size_t i;
	int require = 0;

#ifdef SYS_landlock_create_ruleset
	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1u << 0);
#endif
	for (i = 0; a->pol != NULL && i < a->pol->nrules; i++)
		if (a->pol->rules[i].deny == NULL &&
		    a->pol->rules[i].landlock == LANDLOCK_REQUIRE)
			require = 1;
	if (abi <= 0)
		finding(a, require ? F_ERROR : F_WARNING, "kernel-landlock",
		    "kernel", "boot a kernel with Landlock enabled (lsm= "
		    "including landlock)", "the running kernel has no Landlock "
		    "(%s)%s", strerror(errno), require ? ": the gate refuses "
		    "every rule with 'landlock require'" : ": writes are not "
		    "confined");
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
		finding(a, F_ERROR, "kernel-seccomp", "kernel", "boot a kernel "
		    "with CONFIG_SECCOMP_FILTER", "the running kernel has no "
		    "seccomp: the gate cannot load its filter");
}

/* ---- the audit ------------------------------------------------------------- */

static char *connector_socket(const char *value, char **owner);

/* The login account the policy's connector names (-u), if one does. */
static char *
policy_login(const struct audit *a)
{
	size_t i, k;
	char *owner = NULL, *sock;

	for (i = 0; a->pol != NULL && i < a->pol->nrules; i++)
		for (k = 0; k < a->pol->rules[i].nset; k++) {
			if (strcmp(a->pol->rules[i].setenv[k].name,
			    "BORG_RSH") != 0)
				continue;
			sock = connector_socket(a->pol->rules[i].setenv[k].value,
			    &owner);
			free(sock);
			if (owner != NULL)
				return owner;
		}
	return NULL;
}

static int
find_account(struct audit *a)
{
	struct passwd *pw;
	struct group *gr;
	struct stat st;

	if (a->ao->user != NULL)
		a->user = xstrdup(a->ao->user);
	else if (stat(a->ao->gate, &st) == 0 &&
	    (gr = getgrgid(st.st_gid)) != NULL && st.st_gid != 0)
		a->user = xstrdup(gr->gr_name);
	else {
		char *login = policy_login(a), *fix;

		fix = login != NULL ? xasprintf("name it: sshgate-lint --audit "
		    "%s (the account the policy's sshgate-connect -u names)",
		    login) : xstrdup("name it: sshgate-lint --audit followed by "
		    "the account the backup server logs in as");
		finding(a, F_ERROR, "account-missing", "(login account)", fix,
		    "cannot tell which account is the login account: %s",
		    stat(a->ao->gate, &st) != 0 ? "the gate is not installed "
		    "there, so its group cannot name it" : "the gate's group "
		    "does not name it");
		free(fix);
		free(login);
		return -1;
	}
	if ((pw = getpwnam(a->user)) == NULL) {
		char *fix = xasprintf("useradd --create-home --shell /bin/sh %s "
		    "(setup/vps/install creates it), or name the right one",
		    a->user);

		finding(a, F_ERROR, "account-missing", a->user, fix, "no such "
		    "account");
		free(fix);
		return -1;
	}
	a->uid = pw->pw_uid;
	a->gid = pw->pw_gid;
	a->home = xstrdup(pw->pw_dir ? pw->pw_dir : "");
	a->shell = xstrdup(pw->pw_shell ? pw->pw_shell : "");
	a->have_account = 1;
	return 0;
}

int
audit_run(const struct audit_opts *ao, struct out *o)
{
	struct audit a;
	size_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	a.ao = ao;
	a.o = o;
	check_policy(&a);
	if (find_account(&a) == 0) {
		check_account(&a);
		check_gate(&a);
		check_sshd(&a);
		check_pam(&a);
	}
	check_runners(&a);
	check_kernel(&a);

	rc = a.nerr > 0 ? LINT_ERROR : a.nwarn + a.nunchecked > 0 ?
	    LINT_WARN : LINT_OK;
	if (o->json) {
		json_obj(&o->j);
		json_kstr(&o->j, "type", "audit");
		json_kstr(&o->j, "user", a.user);
		json_kint(&o->j, "errors", (long long)a.nerr);
		json_kint(&o->j, "warnings", (long long)a.nwarn);
		json_kint(&o->j, "unchecked", (long long)a.nunchecked);
		json_kint(&o->j, "exit", rc);
		json_obj_end(&o->j);
	} else if (rc == LINT_OK)
		printf("audit of %s: no findings\n", a.user);
	else
		printf("audit of %s: %zu error%s, %zu warning%s, %zu not "
		    "checked\n", a.user ? a.user : a.policy, a.nerr,
		    a.nerr == 1 ? "" : "s", a.nwarn, a.nwarn == 1 ? "" : "s",
		    a.nunchecked);
	for (i = 0; i < a.nsshd; i++) {
		free(a.sshd[i].key);
		free(a.sshd[i].value);
	}
	free(a.sshd);
	policy_free(a.pol);
	free(a.user);
	free(a.policy);
	free(a.home);
	free(a.shell);
	return rc;
}
