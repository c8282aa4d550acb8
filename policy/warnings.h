/*
 * The names of sshgate-lint's warnings.  The parser checks every
 * "# sshgate-lint: allow NAME: REASON" comment against this table: an
 * unknown name, a missing reason or a comment outside a rule is the
 * warning allow-comment (with the closest name), never an error -- the
 * gate reads past a comment that is only the linter's.
 */
#ifndef SSHGATE_WARNINGS_H
#define SSHGATE_WARNINGS_H

struct warning_name {
	const char	*name;
	const char	*summary;	/* one line, for --list-warnings */
	int		 allowable;	/* may be silenced in a rule */
};

extern const struct warning_name warning_names[];	/* ends with NULL */

/* The findings of sshgate-lint --audit (summary; allowable unused). */
extern const struct warning_name audit_findings[];	/* ends with NULL */

const struct warning_name *warning_lookup(const char *name);

#endif
