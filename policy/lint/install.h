/*
 * sshgate-lint --install NEW and --rollback (install.c): replace the
 * installed policy the way visudo replaces sudoers.
 */
#ifndef SSHGATE_INSTALL_H
#define SSHGATE_INSTALL_H

#include <stddef.h>

#include "out.h"

#define INSTALL_LAST	1000	/* commands of the log, by default */
#define INSTALL_LAST_MAX 1000000	/* and at most */

struct install_opts {
	const char	*target;	/* the installed policy (absolute) */
	const char	*newfile;	/* NEW; NULL for --rollback */
	const char	*log;		/* FILE or "-"; NULL: the journal */
	size_t		 last;		/* the last N commands of the log */
	int		 strict, dry_run;
	/* --install NEW --tag TAG: target is TAG's part (policy_part_path()),
	 * read as the gate reads it for TAG, after the common part */
	const char	*part_tag;	/* NULL: the policy itself */
	const char	*common;	/* the common part, with part_tag */
};

/* Check, report, and replace; returns sshgate-lint's exit status. */
int	install_run(const struct install_opts *io, struct out *o);

#endif
