/*
 * spawn SPEC -- start contenders round-robin and time each run (for
 * tests/bench/run; built by it with cc, never installed).  Runs as root.
 *
 * SPEC, one item a line (a value is the rest of the line):
 *   R ROUNDS WARMUP
 *   C NAME UID GID STATUS RUNS      a contender; its lines follow:
 *   A ARG                           argv, in order (the first is the path)
 *   E NAME=VALUE                    the whole environment
 *   P SRC DST                       before each run, untimed: copy SRC to
 *                                   DST (through DST.new and rename)
 *
 * Each round starts every contender once, the first one rotating from
 * round to round, so that drift and position effects hit all alike.  A
 * run is vfork() + the account's ids (no supplementary groups) + execve()
 * + waitpid(), timed with CLOCK_MONOTONIC; stdin, stdout and stderr are
 * /dev/null.  The child holds no capability at its execve (its uids are
 * the account's), so a setuid program meets the kernel's mode checks as
 * it would under sshd.  A run whose exit status is not STATUS stops
 * everything: a time for a command that was refused or failed would be a
 * lie.  Output: "NAME<TAB>ROUND<TAB>NANOSECONDS<TAB>PID" per timed run
 * (the pid joins a run to what perf recorded of it).
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct contender {
	char	*name, *src, *dst;
	long	 uid, gid, status, runs;
	char	**argv, **envp;
	size_t	 argc, envc;
};

static void
push(char ***v, size_t *n, char *s)
{
	*v = reallocarray(*v, *n + 2, sizeof(**v));
	if (*v == NULL)
		err(1, "reallocarray");
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static void
copy_file(const char *src, const char *dst)
{
	char tmp[4096], buf[65536];
	ssize_t n;
	int in, out;

	snprintf(tmp, sizeof(tmp), "%s.new", dst);
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", src);
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		err(1, "%s", tmp);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			err(1, "write %s", tmp);
	if (n < 0 || fchmod(out, 0644) != 0 || close(out) != 0)
		err(1, "%s", tmp);
	close(in);
	if (rename(tmp, dst) != 0)
		err(1, "rename %s", dst);
}

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	struct contender *cs = NULL, *c = NULL;
	size_t nc = 0, j, len = 0;
	long rounds = 0, warm = 0, r;
	char *line = NULL;
	ssize_t n;
	FILE *f;
	int null;

	if (argc != 2)
		errx(2, "usage: spawn SPEC");
	if ((f = fopen(argv[1], "r")) == NULL)
		err(1, "%s", argv[1]);
	while ((n = getline(&line, &len, f)) > 0) {
		char *v = line + 2;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (n < 2 || line[1] != ' ')
			errx(1, "bad spec line: %.40s", line);
		switch (line[0]) {
		case 'R':
			if (sscanf(v, "%ld %ld", &rounds, &warm) != 2)
				errx(1, "bad R line");
			break;
		case 'C':
			cs = reallocarray(cs, nc + 1, sizeof(*cs));
			if (cs == NULL)
				err(1, "reallocarray");
			c = &cs[nc++];
			memset(c, 0, sizeof(*c));
			c->name = malloc(strlen(v) + 1);
			if (c->name == NULL || sscanf(v, "%s %ld %ld %ld %ld",
			    c->name, &c->uid, &c->gid, &c->status, &c->runs) != 5)
				errx(1, "bad C line: %s", v);
			break;
		case 'A':
		case 'E':
		case 'P':
			if (c == NULL)
				errx(1, "%c before C", line[0]);
			if (line[0] == 'A')
				push(&c->argv, &c->argc, strdup(v));
			else if (line[0] == 'E')
				push(&c->envp, &c->envc, strdup(v));
			else {
				char *sp = strchr(v, ' ');

				if (sp == NULL)
					errx(1, "bad P line");
				*sp = '\0';
				c->src = strdup(v);
				c->dst = strdup(sp + 1);
			}
			break;
		default:
			errx(1, "bad spec line: %.40s", line);
		}
	}
	fclose(f);
	for (j = 0; j < nc; j++) {
		if (cs[j].argc == 0)
			errx(1, "%s: no argv", cs[j].name);
		if (cs[j].envp == NULL)
			push(&cs[j].envp, &cs[j].envc, NULL), cs[j].envc = 0;
	}
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		err(1, "/dev/null");

	for (r = 0; r < warm + rounds; r++) {
		for (j = 0; j < nc; j++) {
			long long t0, t1;
			pid_t pid;
			int st;

			c = &cs[(r + (long)j) % (long)nc];
			if (r - warm >= c->runs)
				continue;
			if (c->src != NULL)
				copy_file(c->src, c->dst);
			t0 = now_ns();
			pid = vfork();
			if (pid == -1)
				err(1, "vfork");
			if (pid == 0) {
				/* raw syscalls: this child shares our memory */
				if (dup2(null, 0) == -1 || dup2(null, 1) == -1 ||
				    dup2(null, 2) == -1 ||
				    syscall(SYS_setgroups, 0, NULL) != 0 ||
				    syscall(SYS_setresgid, c->gid, c->gid, c->gid) != 0 ||
				    syscall(SYS_setresuid, c->uid, c->uid, c->uid) != 0)
					_exit(120);
				execve(c->argv[0], c->argv, c->envp);
				_exit(121);
			}
			if (waitpid(pid, &st, 0) != pid)
				err(1, "waitpid");
			t1 = now_ns();
			if (!WIFEXITED(st) || WEXITSTATUS(st) != c->status) {
				fprintf(stderr, "spawn: %s: %s %d, not status %ld "
				    "(120: ids, 121: exec)\n", c->name,
				    WIFEXITED(st) ? "status" : "signal",
				    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
				    c->status);
				return 1;
			}
			if (r >= warm)
				printf("%s\t%ld\t%lld\t%ld\n", c->name, r - warm,
				    t1 - t0, (long)pid);
		}
	}
	return fflush(stdout) != 0;
}
