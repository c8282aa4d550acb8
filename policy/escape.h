#ifndef SSHGATE_ESCAPE_H
#define SSHGATE_ESCAPE_H

#include <stddef.h>

/*
 * Make untrusted bytes safe for a log line or a terminal: printable ASCII
 * stays, backslash becomes \\, anything else becomes \xNN.  At most max
 * input bytes are used; if there were more, "..." is appended and the
 * result says so.  The result is for display only: never matched, never
 * executed.  Returns an allocated string.
 */
char	*escape_bytes(const char *s, size_t len, size_t max);
char	*escape_str(const char *s, size_t max);

/*
 * escape_str(), and a double quote becomes \x22 too: for a value shown
 * between double quotes in a log line, which the value must not end.
 */
char	*escape_quoted(const char *s, size_t max);

#endif
