/*
 * Trusting files through their descriptors (STYLE.md 10).
 */
#ifndef SSHGATE_TRUST_H
#define SSHGATE_TRUST_H

#include <stddef.h>

enum trust_links { TRUST_NO_LINKS, TRUST_FOLLOW_LINKS };

/*
 * Open an absolute path walking it from "/" one component at a time with
 * O_NOFOLLOW, and trust it only if every directory on the way and the
 * file itself are owned by root and writable by neither group nor others.
 * With TRUST_NO_LINKS a symlink anywhere is refused; with
 * TRUST_FOLLOW_LINKS a symlink is followed, and since it sits in a
 * directory only root can write, only root can have placed it.  The file
 * must be a regular file; it is opened with flags (O_RDONLY or O_PATH).
 * Returns the fd, or -1 with the reason in why.
 */
int	trust_open(const char *path, int flags, enum trust_links links,
	    char *why, size_t whylen);

/* Read a whole file of at most max bytes; -1 with why on error. */
int	read_all(int fd, size_t max, char **buf, size_t *len, char *why,
	    size_t whylen);

#endif
