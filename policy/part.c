/*
 * Parts: the common policy and, for a connection's tag, the one part
 * policy.d/TAG.policy beside it (sshgate-policy(5), "Parts";
 * sshgate(8)).  One choice of files for the gate and sshgate-lint.
 *
 * MUST: a tag selects at most one file, named by the tag alone inside
 * policy.d/ (a tag has no '/', and one that begins with '.' selects
 * none, so "." and ".." never name a directory); the part is trusted
 * through the descriptor that reads it (policy/trust.c), as the common
 * part is; a part that is absent decides nothing, one that cannot be
 * trusted or read, or does not compile, is an error for its tag.
 * No printing, no exit (docs/STYLE.md 4).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "part.h"
#include "trust.h"

int
policy_part_path(const char *policy, const char *tag, char *buf,
    size_t size)
{
	const char *slash = strrchr(policy, '/');
	int n;

	if (tag == NULL || !valid_tag(tag) || tag[0] == '.')
		return 1;
	n = snprintf(buf, size, "%.*spolicy.d/%s.policy",
	    slash ? (int)(slash - policy + 1) : 0, policy, tag);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return 0;
}

int
part_read(const struct policy *common, const char *path, const char *tag,
    int trust, struct policy **out, struct diags *d, char *why,
    size_t whylen)
{
	struct trust_why w;
	char *text;
	size_t len;
	int fd;

	*out = NULL;
	if (trust) {
		fd = trust_walk(path, O_RDONLY, TRUST_NO_LINKS, TRUST_FILE, 0,
		    &w);
		/* A name that is not there: only root makes names here. */
		if (fd == -1 && w.fault == TRUST_LOOKUP && w.err == ENOENT)
			return PART_NONE;
		if (fd == -1) {
			snprintf(why, whylen, "%s", w.msg);
			return PART_UNTRUSTED;
		}
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd == -1 && errno == ENOENT)
			return PART_NONE;
		if (fd == -1) {
			snprintf(why, whylen, "%s", strerror(errno));
			return PART_UNTRUSTED;
		}
	}
	if (read_all(fd, SSHGATE_POLICY_MAX, &text, &len, why, whylen) != 0) {
		close(fd);
		return PART_UNTRUSTED;
	}
	close(fd);
	*out = policy_parse_part(common, path, text, len, tag, d);
	free(text);
	return *out != NULL ? PART_READ : PART_ERROR;
}
