/*
 * probe-argv: the program a root test lets the gate run.  It prints its
 * argv and its environment, one entry a line, in the form sshgate-lint
 * --explain uses for the plan ("argv[0] /path", "env[0] NAME=value"),
 * with bytes escaped as escape_str() does (\\ for a backslash, \xNN for
 * anything not printable ASCII), so that the two can be compared line by
 * line.  The first line is "program PATH", the file the kernel ran.  Deliberately self-contained: it runs under the rule's seccomp
 * filter and Landlock ruleset.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern char **environ;

static void
escaped(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\\\", stdout);
		else if (*p >= 0x20 && *p < 0x7f)
			putchar(*p);
		else
			printf("\\x%02x", *p);
	}
	putchar('\n');
}

static void
put(const char *what, int i, const char *s)
{
	printf("%s[%d] ", what, i);
	escaped(s);
}

int
main(int argc, char **argv)
{
	char exe[PATH_MAX];
	ssize_t n;
	int i;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return 1;
	exe[n] = '\0';
	printf("program ");
	escaped(exe);
	for (i = 0; i < argc; i++)
		put("argv", i, argv[i]);
	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		put("env", i, environ[i]);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 1;
	return 0;
}
