/*
 * The one path walker (docs/HACKING.md): the gate's policy and program,
 * the rule's writable paths (gate/main.c), its exec and read paths
 * (gate/landlock.c), the socket directory (gate/connect.c) and
 * sshgate-lint --audit (policy/audit.c) all trust a path through it, so
 * that what the audit passes the programs accept.
 *
 * MUST: decide on what was opened (fstat of the open descriptor), never
 * on a path checked before opening; refuse a symlink where none is
 * expected; check every directory between "/" and the file, since whoever
 * can write one of them can replace everything below it; let an account
 * other than root own only the last component, below root's directories.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trust.h"
#include "xmalloc.h"

#define MAX_LINKS	40

static int __attribute__((format(printf, 4, 5)))
refuse(struct trust_why *why, enum trust_fault fault, const char *at,
    const char *fmt, ...)
{
	va_list ap;

	why->fault = fault;
	why->err = 0;
	snprintf(why->at, sizeof(why->at), "%s", at);
	va_start(ap, fmt);
	vsnprintf(why->msg, sizeof(why->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int
lookup_failed(struct trust_why *why, const char *at, int err)
{
	refuse(why, TRUST_LOOKUP, at, "cannot open %s: %s", at, strerror(err));
	why->err = err;
	return -1;
}

/* Owner and mode of one component: root's, or owner's (0: root only). */
static int
untrusted(const struct stat *st, const char *name, uid_t owner,
    struct trust_why *why)
{
	const char *what = S_ISDIR(st->st_mode) ? "directory" : "file";
	unsigned mode = (unsigned)(st->st_mode & 07777);

	if (st->st_uid != 0 && (owner == 0 || st->st_uid != owner)) {
		if (owner == 0)
			refuse(why, TRUST_OWNER, name, "%s %s is owned by uid "
			    "%u, not root", what, name, (unsigned)st->st_uid);
		else
			refuse(why, TRUST_OWNER, name, "%s %s is owned by uid "
			    "%u, not root or uid %u", what, name,
			    (unsigned)st->st_uid, (unsigned)owner);
	} else if (st->st_mode & S_IWOTH)
		refuse(why, TRUST_MODE, name, "%s %s is writable by others "
		    "(mode %04o)", what, name, mode);
	else if (st->st_mode & S_IWGRP)
		refuse(why, TRUST_MODE, name, "%s %s is writable by its group "
		    "(mode %04o)", what, name, mode);
	else
		return 0;
	return 1;
}

/* Is the last component of the kind wanted?  0 if so. */
static int
wrong_kind(const struct stat *st, enum trust_kind kind, const char *name,
    struct trust_why *why)
{
	if (kind == TRUST_FILE && !S_ISREG(st->st_mode))
		return refuse(why, TRUST_TYPE, name, "%s is not a regular file",
		    name);
	if (kind == TRUST_DIR && !S_ISDIR(st->st_mode))
		return refuse(why, TRUST_TYPE, name, "%s is not a directory",
		    name);
	if (kind == TRUST_FILE_OR_DIR && !S_ISREG(st->st_mode) &&
	    !S_ISDIR(st->st_mode))
		return refuse(why, TRUST_TYPE, name, "%s is neither a directory "
		    "nor a regular file", name);
	return 0;
}

/* Replace the directory fd, checking the new directory first. */
static int
enter_dir(int *dirfd, int fd, const char *shown, struct trust_why *why)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		refuse(why, TRUST_OTHER, shown, "cannot stat %s: %s", shown,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		refuse(why, TRUST_TYPE, shown, "%s is not a directory", shown);
		close(fd);
		return -1;
	}
	if (untrusted(&st, shown, 0, why)) {
		close(fd);
		return -1;
	}
	if (*dirfd >= 0)
		close(*dirfd);
	*dirfd = fd;
	return 0;
}

/*
 * Open the last component, whose type was seen through an O_PATH
 * descriptor (no device or FIFO is ever opened for reading), and decide
 * on what was opened, not on what was looked at.
 */
static int
open_last(int dirfd, const char *comp, const char *shown, int flags,
    enum trust_kind kind, uid_t owner, struct trust_why *why)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, comp, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    ((flags & O_PATH) ? 0 : O_NONBLOCK));
	if (fd == -1)
		return lookup_failed(why, shown, errno);
	if (fstat(fd, &st) == -1)
		refuse(why, TRUST_OTHER, shown, "cannot stat %s: %s", shown,
		    strerror(errno));
	else if (S_ISLNK(st.st_mode))
		refuse(why, TRUST_LINK, shown, "%s is a symbolic link", shown);
	else if (wrong_kind(&st, kind, shown, why) == 0 &&
	    !untrusted(&st, shown, owner, why))
		return fd;
	close(fd);
	return -1;
}

int
trust_walk(const char *path, int flags, enum trust_links links,
    enum trust_kind kind, uid_t owner, struct trust_why *why)
{
	char rest[2 * PATH_MAX], shown[PATH_MAX], comp[NAME_MAX + 1];
	char target[PATH_MAX];
	int dirfd = -1, fd = -1, nlinks = 0;
	size_t shownlen;
	struct stat st;

	why->at[0] = why->msg[0] = '\0';
	if (path[0] != '/')
		return refuse(why, TRUST_OTHER, path, "%s is not an absolute "
		    "path", path);
	if (strlen(path) >= PATH_MAX)
		return refuse(why, TRUST_OTHER, "", "path is too long");
	strcpy(rest, path);
restart:
	strcpy(shown, "/");
	shownlen = 1;
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		lookup_failed(why, "/", errno);
		goto out;
	}
	if (enter_dir(&dirfd, fd, "/", why) == -1)
		goto out;
	fd = -1;
	for (;;) {
		char *p = rest, *slash;
		size_t n;
		int last;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* "/" itself, or a path ending in "/." */
			if (kind == TRUST_FILE)
				refuse(why, TRUST_TYPE, shown, "%s names a "
				    "directory", path);
			else
				fd = open_last(dirfd, ".", shown, flags, kind,
				    owner, why);
			goto out;
		}
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n > NAME_MAX) {
			refuse(why, TRUST_OTHER, shown, "a component of %s is "
			    "too long", path);
			goto out;
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
			lookup_failed(why, shown, errno);
			goto out;
		}
		if (fstat(fd, &st) == -1) {
			refuse(why, TRUST_OTHER, shown, "cannot stat %s: %s",
			    shown, strerror(errno));
			goto fail;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t len;
			size_t tl, rl;

			if (links == TRUST_NO_LINKS) {
				refuse(why, TRUST_LINK, shown, "%s is a "
				    "symbolic link", shown);
				goto fail;
			}
			if (++nlinks > MAX_LINKS) {
				refuse(why, TRUST_LINK, shown, "too many "
				    "symbolic links in %s", path);
				goto fail;
			}
			len = readlinkat(dirfd, comp, target, sizeof(target));
			if (len <= 0 || (size_t)len >= sizeof(target)) {
				refuse(why, TRUST_LINK, shown, "cannot read "
				    "link %s", shown);
				goto fail;
			}
			target[len] = '\0';
			close(fd);
			fd = -1;
			tl = (size_t)len;
			rl = strlen(rest);
			if (tl + 1 + rl + 1 > sizeof(rest)) {
				refuse(why, TRUST_OTHER, shown, "path too long "
				    "after following links");
				goto out;
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
			if (enter_dir(&dirfd, fd, shown, why) == -1) {
				fd = -1;
				goto out;
			}
			fd = -1;
			continue;
		}
		if (wrong_kind(&st, kind, shown, why))
			goto fail;
		close(fd);
		fd = open_last(dirfd, comp, shown, flags, kind, owner, why);
		goto out;
	}
fail:
	close(fd);
	fd = -1;
out:
	if (dirfd >= 0)
		close(dirfd);
	return fd;
}

int
trust_open(const char *path, int flags, enum trust_links links, char *why,
    size_t whylen)
{
	struct trust_why w;
	int fd;

	fd = trust_walk(path, flags, links, TRUST_FILE, 0, &w);
	if (fd == -1)
		snprintf(why, whylen, "%s", w.msg);
	return fd;
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
