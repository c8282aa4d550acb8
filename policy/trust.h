/*
 * Trusting files through their descriptors (docs/STYLE.md 10): one walker for
 * every path the programs trust -- the policy, the program, the rule's
 * writable, exec and read paths, the socket directory.
 */
#ifndef SSHGATE_TRUST_H
#define SSHGATE_TRUST_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>

enum trust_links { TRUST_NO_LINKS, TRUST_FOLLOW_LINKS };
enum trust_kind { TRUST_FILE, TRUST_DIR, TRUST_FILE_OR_DIR };

/* What refused a walk: for the fix that sshgate-lint --audit prints. */
enum trust_fault {
	TRUST_LOOKUP,	/* a component could not be opened (err) */
	TRUST_OWNER,	/* `at' has the wrong owner */
	TRUST_MODE,	/* `at' is writable by group or others */
	TRUST_LINK,	/* `at' is a symbolic link */
	TRUST_TYPE,	/* `at' is not of the kind wanted */
	TRUST_OTHER
};

struct trust_why {
	enum trust_fault fault;
	int		 err;		/* errno, for TRUST_LOOKUP */
	char		 at[PATH_MAX];	/* the component refused, from "/" */
	char		 msg[512];	/* the reason, for people */
};

/*
 * Open an absolute path walking it from "/" one component at a time with
 * O_NOFOLLOW, and trust it only if every directory on the way is owned by
 * root and the last component by root or by `owner' (0: root only), none
 * of them writable by group or others (sticky or not: a sticky /tmp still
 * lets anyone make a name in it first).  Since every directory above the
 * last component is root's, only root can replace that component.  With
 * TRUST_NO_LINKS a symlink anywhere is refused; with TRUST_FOLLOW_LINKS
 * it is followed, and since it sits in a directory only root can write,
 * only root can have placed it.  The last component must be of the kind
 * given; it is opened with flags (O_RDONLY, or O_PATH) and decided on
 * through that descriptor.  Returns the fd (close-on-exec), or -1 with
 * the reason in why.
 */
int	trust_walk(const char *path, int flags, enum trust_links links,
	    enum trust_kind kind, uid_t owner, struct trust_why *why);

/* trust_walk() of a regular file that only root may own. */
int	trust_open(const char *path, int flags, enum trust_links links,
	    char *why, size_t whylen);

/* Read a whole file of at most max bytes; -1 with why on error. */
int	read_all(int fd, size_t max, char **buf, size_t *len, char *why,
	    size_t whylen);

#endif
