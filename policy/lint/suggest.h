/*
 * sshgate-lint --suggest and --suggest-from-log (suggest.c).
 */
#ifndef SSHGATE_SUGGEST_H
#define SSHGATE_SUGGEST_H

#include <stdio.h>

#include "out.h"

int	suggest_command(struct policy *p, const char *cmd, const char *from,
	    const char *tag, struct out *o);
int	suggest_log(struct policy *p, FILE *in, const char *name,
	    struct out *o);
/* A gate's denial line: 0 with its command, address and tag (allocated). */
int	log_denial(const char *line, char **cmd, char **from, char **tag);

#endif
