/*
 * The danger catalogue: what sshgate-lint probes every run rule with.
 * Data only (policy/lint/catalogue.c, policy/lint/borg-options.def); the
 * engine is policy/lint/probe.c, borg's repository syntax
 * policy/lint/location.c.  sshgate-lint --catalogue prints all of it.
 */
#ifndef SSHGATE_CATALOGUE_H
#define SSHGATE_CATALOGUE_H

#include <stddef.h>

/* What kind of value an option takes, for the sample values tried. */
enum value_kind { VK_NONE, VK_PROGRAM, VK_FILE, VK_UMASK };

/* Sample values of a kind, NULL-terminated. */
extern const char *const *value_samples[];

/* One option of one scope of borg's argparse parser. */
struct prog_opt {
	const char	*scope;		/* "" main, "create", "key export" */
	const char	*opt;		/* "--rsh", "-e" */
	int		 takes_value;
};

/* A dangerous option or (sub)command of a program. */
struct danger {
	const char	*warning;	/* warning name */
	const char	*word;		/* "--rsh", or a command: "key export" */
	int		 command;	/* 1: word is a (sub)command */
	const char	*scopes;	/* option: space-separated, NULL = all */
	enum value_kind	 value;		/* option with a value: what to try */
	const char	*why;
};

/* A program the catalogue knows, by the basename in the rule's run. */
struct program {
	const char		*name;		/* "borg" */
	const struct prog_opt	*opts;		/* its real option list */
	size_t			 nopts;
	const char *const	*scopes;	/* its parser scopes, "" first */
	size_t			 nscopes;
	const struct danger	*dangers;	/* ends with word NULL */
};

extern const struct program programs[];		/* ends with name NULL */

/* A client variable that must not be kept. */
enum env_match { ENV_EXACT, ENV_PREFIX, ENV_BORG_DIR };

struct danger_env {
	const char	*name;		/* "LD_", "BORG_RSH" */
	enum env_match	 match;
	const char	*why;
};

extern const struct danger_env danger_envs[];	/* ends with name NULL */

const struct danger_env *danger_env_lookup(const char *var);

/* Shells, interpreters and launchers as a rule's program. */
enum runner_kind { RK_SHELL, RK_INTERPRETER, RK_LAUNCHER };

struct danger_program {
	const char	*name;		/* basename; a trailing version is ok */
	enum runner_kind kind;
};

extern const struct danger_program danger_programs[];

const struct danger_program *danger_program_lookup(const char *path);

/* Capabilities beyond dac_read_search, with what they allow. */
struct danger_cap {
	const char	*name;		/* libcap-ng's name: "dac_override" */
	const char	*why;
};

extern const struct danger_cap danger_caps[];

/* Directories a writable path must not be or hold. */
struct danger_dir {
	const char	*path;
	const char	*why;
};

extern const struct danger_dir danger_dirs[];

/* Words a regex must not accept all of: then it accepts anything. */
extern const char *const broad_samples[];
/* Words that start with '-' (for values that must not). */
extern const char *const dash_samples[];
/* Ordinary words every rule may use to complete an example command. */
extern const char *const common_samples[];

const struct program *program_lookup(const char *const *run, size_t nrun);

#endif
