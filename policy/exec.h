/*
 * What a rule's program may execute (Landlock's execute right,
 * docs/sshgate-policy.5 "exec"): built by the same code for the gate
 * (gate/landlock.c) and for sshgate-lint --explain.
 */
#ifndef SSHGATE_EXEC_H
#define SSHGATE_EXEC_H

#include <stddef.h>

#include "policy.h"

/* Why a path is on the list. */
enum exec_why { EXEC_PROGRAM, EXEC_RULE, EXEC_BORG_RSH };

struct exec_path {
	const char	*path;		/* points into the rule */
	enum exec_why	 why;
};

/*
 * The paths a rule lets its program execute, before interpreters: the
 * program (run[0]), each "exec" path, and the program BORG_RSH names
 * when the rule sets it and its first word is an absolute path.  *v is
 * allocated (free it); returns the count.
 */
size_t		 exec_paths(const struct rule *r, struct exec_path **v);
const char	*exec_why_name(enum exec_why why);

/*
 * A rule with "read" paths has a read scope: beneath those, its
 * writable and exec paths, and these, which nearly every program reads
 * (the loader's cache, libraries and data beneath /usr, accounts, name
 * resolution, time zone, locale aliases); nothing else.  NULL-terminated.
 */
extern const char *const read_base[];

/* Interpreters the kernel opens in turn (binfmt_script and binfmt_elf
 * allow 4 rewrites; one more than a script and its ELF loader). */
#define EXEC_INTERP_DEPTH	4

/*
 * The interpreter the regular file open on fd names: an ELF file's
 * PT_INTERP, or a script's "#!" path.  1 with the path in buf, 0 when it
 * names none (a static program, any other file), -1 with the reason in
 * why (a malformed header, a relative or overlong path).
 */
int		 exec_interp(int fd, char *buf, size_t size, char *why,
		    size_t whylen);

#endif
