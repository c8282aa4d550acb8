/*
 * sshgate-lint --suggest and --suggest-from-log (suggest.c).
 */
#ifndef SSHGATE_SUGGEST_H
#define SSHGATE_SUGGEST_H

#include <stdio.h>

#include "out.h"

/* flags */
#define SUGGEST_DANGEROUS	0x1	/* --include-dangerous */
#define SUGGEST_UNKNOWN		0x2	/* --include-unknown-addresses */

int	suggest_command(struct policy *p, const char *cmd, const char *from,
	    const char *tag, int flags, struct out *o);
int	suggest_log(struct policy *p, FILE *in, const char *name, int flags,
	    struct out *o);

#endif
