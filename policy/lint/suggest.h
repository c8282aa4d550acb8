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
int	suggest_log_flags(struct policy *p, FILE *in, const char *name,
	    int flags, struct out *o);
/* suggest_log_flags() without flags: what the fuzz harness reads with */
int	suggest_log(struct policy *p, FILE *in, const char *name,
	    struct out *o);
/* A one-line denial's command, address and tag: 0, or -1 (suggest.c). */
int	log_denial(const char *line, char **cmd, char **from, char **tag);

/*
 * --explain-log: the first denial of the gate in arg (its line, or the
 * lines of its parts; "-": read them from stdin), read back: its command,
 * address and tag, allocated (address and tag NULL for none).  Prints
 * the logged reason and a command line to paste (not with json).
 * Returns 0, or -1 with the reason on stderr.
 */
int	explain_log(const char *arg, int json, char **cmd, char **from,
	    char **tag);

#endif
