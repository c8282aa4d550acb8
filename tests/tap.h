/*
 * A small TAP producer for the unit tests (docs/STYLE.md 13).  A test that
 * cannot run says "1..0 # SKIP reason" -- unless SSHGATE_TESTS_MUST_RUN=1,
 * where a skip is a failure.
 */
#ifndef SSHGATE_TAP_H
#define SSHGATE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void
tap_plan(int n)
{
	printf("1..%d\n", n);
}

static inline void
tap_skip_all(const char *why)
{
	const char *must = getenv("SSHGATE_TESTS_MUST_RUN");

	if (must != NULL && strcmp(must, "1") == 0) {
		printf("1..1\nnot ok 1 - must run, but: %s\n", why);
		exit(1);
	}
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

static inline int __attribute__((format(printf, 2, 3)))
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

static inline void __attribute__((format(printf, 1, 2)))
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Path of a file in the source tree, from $top_srcdir or ".". */
static inline char *
tap_srcpath(const char *rel)
{
	const char *top = getenv("top_srcdir");
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", top ? top : ".", rel);
	return buf;
}

/* Decode \\ \t \n \r \xHH \s (space) \e (nothing); returns length. */
static inline size_t
tap_unescape(const char *in, char *out)
{
	size_t o = 0;

	while (*in) {
		if (in[0] == '\\' && in[1]) {
			switch (in[1]) {
			case 't': out[o++] = '\t'; in += 2; continue;
			case 'n': out[o++] = '\n'; in += 2; continue;
			case 'r': out[o++] = '\r'; in += 2; continue;
			case 's': out[o++] = ' '; in += 2; continue;
			case 'e': in += 2; continue;
			case '\\': out[o++] = '\\'; in += 2; continue;
			case 'x':
				if (in[2] && in[3]) {
					char h[3] = { in[2], in[3], 0 };

					out[o++] = (char)strtol(h, NULL, 16);
					in += 4;
					continue;
				}
				break;
			}
		}
		out[o++] = *in++;
	}
	out[o] = '\0';
	return o;
}

#endif
