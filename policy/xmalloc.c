#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

static void
default_fatal(const char *what)
{
	static const char msg[] = "sshgate: out of memory\n";

	(void)what;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(5);
}

void (*xfatal_hook)(const char *what) = default_fatal;

static void *
checked(void *p, const char *what)
{
	if (p == NULL) {
		xfatal_hook(what);
		abort();	/* the hook must not return */
	}
	return p;
}

void *
xmalloc(size_t size)
{
	return checked(malloc(size ? size : 1), "malloc");
}

void *
xcalloc(size_t n, size_t size)
{
	return checked(calloc(n ? n : 1, size ? size : 1), "calloc");
}

/* Callers write q = xreallocarray(p, ...), never p = realloc(p, ...). */
void *
xreallocarray(void *p, size_t n, size_t size)
{
	return checked(reallocarray(p, n ? n : 1, size ? size : 1),
	    "reallocarray");
}

char *
xstrdup(const char *s)
{
	return checked(strdup(s), "strdup");
}

char *
xstrndup(const char *s, size_t n)
{
	return checked(strndup(s, n), "strndup");
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		s = NULL;
	return checked(s, "vasprintf");
}
