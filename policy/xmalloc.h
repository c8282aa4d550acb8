/*
 * Allocation that never returns NULL to its caller (docs/STYLE.md 5).
 * Running out of memory ends the program through xfatal_hook, which each
 * program sets to its own dying function; the library never exits itself
 * other than through this one door.
 */
#ifndef SSHGATE_XMALLOC_H
#define SSHGATE_XMALLOC_H

#include <stddef.h>

extern void (*xfatal_hook)(const char *what);

void	*xmalloc(size_t size);
void	*xcalloc(size_t n, size_t size);
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
