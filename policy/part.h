/*
 * Reading a policy part for a tag (policy/part.c), as the gate reads it.
 */
#ifndef SSHGATE_PART_H
#define SSHGATE_PART_H

#include "policy.h"

enum part_status {
	PART_NONE,	/* no part for the tag: the common part decides alone */
	PART_READ,	/* *out is the part, parsed in the common's context */
	PART_UNTRUSTED,	/* not trusted or not readable: why says */
	PART_ERROR	/* it does not compile: the errors are in d */
};

/*
 * The part at path (policy_part_path()) for tag; with trust, walked
 * from "/" as the gate walks its policy (root's, no writable parent, no
 * link), else opened as a draft.
 */
int	part_read(const struct policy *common, const char *path,
	    const char *tag, int trust, struct policy **out, struct diags *d,
	    char *why, size_t whylen);

#endif
