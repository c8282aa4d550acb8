#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "xmalloc.h"

static char *
escape(const char *s, size_t len, size_t max, int quote)
{
	size_t i, o = 0, n = len < max ? len : max;
	char *out = xreallocarray(NULL, n + 1, 4);	/* \xNN per byte */

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c >= 0x20 && c < 0x7f && !(quote && c == '"'))
			out[o++] = (char)c;
		else {
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	out[o] = '\0';
	if (n < len) {
		char *t = xasprintf("%s...", out);

		free(out);
		out = t;
	}
	return out;
}

char *
escape_bytes(const char *s, size_t len, size_t max)
{
	return escape(s, len, max, 0);
}

char *
escape_str(const char *s, size_t max)
{
	if (s == NULL)
		return xstrdup("(none)");
	return escape_bytes(s, strnlen(s, max + 1), max);
}

char *
escape_quoted(const char *s, size_t max)
{
	if (s == NULL)
		return xstrdup("(none)");
	return escape(s, strnlen(s, max + 1), max, 1);
}
