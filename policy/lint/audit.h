/*
 * sshgate-lint --audit (audit.c): the deployment on this machine, checked.
 */
#ifndef SSHGATE_AUDIT_H
#define SSHGATE_AUDIT_H

#include "out.h"

struct audit_opts {
	const char	*user;		/* login account, or NULL */
	const char	*policy;	/* policy file */
	const char	*gate;		/* the installed sshgate */
	const char	*sshd;		/* sshd binary */
	const char	*sshd_config;	/* -f for sshd -T, or NULL */
	const char	*keys;		/* authorized_keys, or NULL: sshd's */
	const char	*pam_dir;	/* /etc/pam.d */
	const char	*from;		/* client address for sshd -T -C */
};
int	audit_run(const struct audit_opts *ao, struct out *o);

#endif
