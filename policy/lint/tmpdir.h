/*
 * sshgate-lint: a rule that runs borg under Landlock with writable paths
 * but no TMPDIR inside them (tmpdir.c).
 */
#ifndef SSHGATE_TMPDIR_H
#define SSHGATE_TMPDIR_H

#include "policy.h"

void	lint_tmpdir(struct policy *p, struct diags *d);

#endif
