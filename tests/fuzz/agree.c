/*
 * agree LINT DIR...: the matcher and sshgate-lint --test agree on every
 * input of the match harness's corpus (and its kept crashes).
 *
 * Each input is cut as tests/fuzz/match.c cuts it (policy, "%%" line,
 * command, optionally "%%" line and tag).  For each one whose policy
 * compiles, the library's policy_decide() decides, and the real
 * sshgate-lint binary decides on the same policy (written to a file),
 * command (an argument) and tag, from the harness's address.  The
 * verdicts and the deciding rule must be equal: a permit of the matcher
 * is a permit of the linter by the same rule, and the reverse.
 *
 * Not comparable, and counted as such: a command with a NUL byte (no
 * argument can carry it; the tokenizer refuses it anyway) and a tag that
 * the gate would refuse before deciding.  Prints TAP, one line a
 * directory, one "not ok" line per disagreement.
 */
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "policy.h"

#define FROM	"192.0.2.10"	/* the match harness's client address */

static const char *lint;
static char tmp[] = "/tmp/sgt-agree-XXXXXX";
static int n, failed;

/* sshgate-lint's first line of output for the decision, or NULL. */
static char *
lint_decides(const char *policy, size_t plen, const char *cmd, const char *tag)
{
	char path[64], line[1024];
	int fd, pipefd[2], status;
	ssize_t got;
	size_t len = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/policy", tmp);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, policy, plen) != (ssize_t)plen ||
	    close(fd) != 0 || pipe(pipefd) != 0)
		return NULL;
	pid = fork();
	if (pid == -1)
		return NULL;
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 2);
		if (tag != NULL)
			execl(lint, lint, "-f", path, "--from", FROM, "--tag", tag,
			    "--test", cmd, (char *)NULL);
		else
			execl(lint, lint, "-f", path, "--from", FROM, "--test",
			    cmd, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < sizeof(line) - 1 &&
	    (got = read(pipefd[0], line + len, sizeof(line) - 1 - len)) > 0)
		len += (size_t)got;
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) > 1)
		return NULL;
	line[len] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return strdup(line);
}

struct counts {
	int inputs, permits, denies, nul, badtag, broken;
};

static void
run_file(const char *path, struct counts *c)
{
	FILE *f = fopen(path, "rb");
	char buf[1 << 16], *cmdbuf, *tagbuf = NULL, *said, want[600];
	const char *cmd, *tag;
	size_t size, plen, clen;
	struct diags d = { 0 };
	struct policy *p;
	struct request r;
	struct decision dec;

	if (f == NULL)
		return;
	size = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	c->inputs++;
	if ((cmd = fuzz_cut(buf, size, &plen)) == NULL)
		return;
	tag = fuzz_cut(cmd, size - (size_t)(cmd - buf), &clen);
	if (tag != NULL)
		tagbuf = strndup(tag, size - (size_t)(tag - buf));
	p = policy_parse("agree", buf, plen, &d);
	diags_free(&d);
	if (p == NULL) {
		c->broken++;
		free(tagbuf);
		return;
	}
	if (memchr(cmd, '\0', clen) != NULL) {
		c->nul++;
		goto out;
	}
	if (tagbuf != NULL && !valid_tag(tagbuf)) {
		c->badtag++;
		goto out;
	}
	cmdbuf = strndup(cmd, clen);
	memset(&r, 0, sizeof(r));
	r.cmd = cmdbuf;
	r.cmdlen = clen;
	r.tag = tagbuf;
	r.from = FROM;
	policy_decide(p, &r, &dec, NULL);
	if (dec.verdict == VERDICT_PERMIT) {
		snprintf(want, sizeof(want), "permit: rule '%s'", dec.rule->name);
		c->permits++;
	} else {
		snprintf(want, sizeof(want), "deny: %s", dec.reason);
		c->denies++;
	}
	said = lint_decides(buf, plen, cmdbuf, tagbuf);
	if (said == NULL || strcmp(said, want) != 0) {
		printf("not ok %d - %s: the matcher and sshgate-lint disagree\n",
		    ++n, path);
		printf("# matcher: %s\n# lint:    %s\n", want,
		    said ? said : "(failed)");
		failed++;
	}
	free(said);
	decision_free(&dec);
	free(cmdbuf);
out:
	policy_free(p);
	free(tagbuf);
}

int
main(int argc, char **argv)
{
	char path[4096];
	struct dirent *e;
	int i, permits = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: agree LINT DIR...\n");
		return 2;
	}
	lint = argv[1];
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	for (i = 2; i < argc; i++) {
		struct counts c = { 0 };
		DIR *dir = opendir(argv[i]);

		if (dir == NULL) {
			printf("not ok %d - cannot read %s\n", ++n, argv[i]);
			failed++;
			continue;
		}
		while ((e = readdir(dir)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			run_file(path, &c);
		}
		closedir(dir);
		printf("ok %d - %s: %d inputs, %d permits and %d denials "
		    "compared (%d with a NUL byte, %d with a tag the gate "
		    "refuses, %d policies that do not compile)\n", ++n, argv[i],
		    c.inputs, c.permits, c.denies, c.nul, c.badtag, c.broken);
		permits += c.permits;
	}
	/* a corpus without a single permit would prove nothing */
	printf("%s %d - %d permits compared in all\n", permits > 0 ? "ok" :
	    "not ok", ++n, permits);
	if (permits == 0)
		failed++;
	snprintf(path, sizeof(path), "%s/policy", tmp);
	unlink(path);
	rmdir(tmp);
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
