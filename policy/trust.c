/*
 * MUST: decide on what was opened (fstat of the open descriptor), never
 * on a path checked before opening; refuse a symlink where none is
 * expected; check every directory between "/" and the file, since whoever
 * can write one of them can replace everything below it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trust.h"
#include "xmalloc.h"

#define MAX_LINKS	40

static int
untrusted(const struct stat *st, const char *what, const char *name,
    char *why, size_t whylen)
{
	if (st->st_uid != 0)
		snprintf(why, whylen, "%s %s is owned by uid %u, not root",
		    what, name, (unsigned)st->st_uid);
	else if (st->st_mode & S_IWOTH)
		snprintf(why, whylen, "%s %s is writable by others (mode "
		    "%04o)", what, name, (unsigned)(st->st_mode & 07777));
	else if (st->st_mode & S_IWGRP)
		snprintf(why, whylen, "%s %s is writable by its group (mode "
		    "%04o)", what, name, (unsigned)(st->st_mode & 07777));
	else
		return 0;
	return 1;
}

/* Replace the directory fd, checking the new directory first. */
static int
enter_dir(int *dirfd, int fd, const char *shown, char *why, size_t whylen)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		snprintf(why, whylen, "cannot stat %s: %s", shown,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "%s is not a directory", shown);
		close(fd);
		return -1;
	}
	if (untrusted(&st, "directory", shown, why, whylen)) {
		close(fd);
		return -1;
	}
	if (*dirfd >= 0)
		close(*dirfd);
	*dirfd = fd;
	return 0;
}

int
trust_open(const char *path, int flags, enum trust_links links, char *why,
    size_t whylen)
{
	char rest[2 * PATH_MAX], shown[PATH_MAX], comp[NAME_MAX + 1];
	char target[PATH_MAX];
	int dirfd = -1, fd = -1, nlinks = 0;
	size_t shownlen;
	struct stat st;

	if (path[0] != '/') {
		snprintf(why, whylen, "%s is not an absolute path", path);
		return -1;
	}
	if (strlen(path) >= PATH_MAX) {
		snprintf(why, whylen, "path is too long");
		return -1;
	}
	strcpy(rest, path);
restart:
	strcpy(shown, "/");
	shownlen = 1;
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || enter_dir(&dirfd, fd, "/", why, whylen) == -1) {
		if (fd == -1)
			snprintf(why, whylen, "cannot open /: %s",
			    strerror(errno));
		goto fail;
	}
	for (;;) {
		char *p = rest, *slash;
		size_t n;
		int last;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			snprintf(why, whylen, "%s names a directory", path);
			goto fail;
		}
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > NAME_MAX) {
			snprintf(why, whylen, "a component of %s is too long",
			    path);
			goto fail;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		last = *p == '\0';
		memmove(rest, p, strlen(p) + 1);
		if (strcmp(comp, ".") == 0)
			continue;
		if (shownlen + n + 2 < sizeof(shown)) {
			if (shownlen > 1)
				shown[shownlen++] = '/';
			memcpy(shown + shownlen, comp, n + 1);
			shownlen += n;
		}

		fd = openat(dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1) {
			snprintf(why, whylen, "cannot open %s: %s", shown,
			    strerror(errno));
			goto fail;
		}
		if (fstat(fd, &st) == -1) {
			snprintf(why, whylen, "cannot stat %s: %s", shown,
			    strerror(errno));
			goto fail;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t len;
			size_t tl, rl;

			if (links == TRUST_NO_LINKS) {
				snprintf(why, whylen, "%s is a symbolic link",
				    shown);
				goto fail;
			}
			if (++nlinks > MAX_LINKS) {
				snprintf(why, whylen, "too many symbolic links "
				    "in %s", path);
				goto fail;
			}
			len = readlinkat(dirfd, comp, target, sizeof(target));
			if (len <= 0 || (size_t)len >= sizeof(target)) {
				snprintf(why, whylen, "cannot read link %s",
				    shown);
				goto fail;
			}
			target[len] = '\0';
			close(fd);
			fd = -1;
			tl = (size_t)len;
			rl = strlen(rest);
			if (tl + 1 + rl + 1 > sizeof(rest)) {
				snprintf(why, whylen, "path too long after "
				    "following links");
				goto fail;
			}
			/* rest = target "/" rest */
			memmove(rest + tl + 1, rest, rl + 1);
			memcpy(rest, target, tl);
			rest[tl] = rl ? '/' : '\0';
			if (target[0] == '/')
				goto restart;
			/* relative: go on from the link's directory */
			shownlen -= n + (shownlen > n + 1 ? 1 : 0);
			shown[shownlen] = '\0';
			continue;
		}
		if (!last) {
			if (enter_dir(&dirfd, fd, shown, why, whylen) == -1) {
				fd = -1;
				goto fail;
			}
			fd = -1;
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			snprintf(why, whylen, "%s is not a regular file", shown);
			goto fail;
		}
		close(fd);
		fd = openat(dirfd, comp, flags | O_NOFOLLOW | O_CLOEXEC |
		    O_NOCTTY | ((flags & O_PATH) ? 0 : O_NONBLOCK));
		if (fd == -1) {
			snprintf(why, whylen, "cannot open %s: %s", shown,
			    strerror(errno));
			goto fail;
		}
		/* Decide on what was opened, not on what was looked at. */
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			snprintf(why, whylen, "%s is not a regular file", shown);
			goto fail;
		}
		if (untrusted(&st, "file", shown, why, whylen))
			goto fail;
		close(dirfd);
		return fd;
	}
fail:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	return -1;
}

int
read_all(int fd, size_t max, char **bufp, size_t *lenp, char *why,
    size_t whylen)
{
	struct stat st;
	size_t len = 0, cap;
	char *buf;

	if (fstat(fd, &st) == -1) {
		snprintf(why, whylen, "cannot stat: %s", strerror(errno));
		return -1;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		snprintf(why, whylen, "file is larger than %zu bytes", max);
		return -1;
	}
	cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (len == cap) {
			if (cap > max) {
				free(buf);
				snprintf(why, whylen, "file is larger than %zu "
				    "bytes", max);
				return -1;
			}
			buf = xreallocarray(buf, cap * 2 + 1, 1);
			cap = cap * 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(why, whylen, "read: %s", strerror(errno));
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max) {
		free(buf);
		snprintf(why, whylen, "file is larger than %zu bytes", max);
		return -1;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}
