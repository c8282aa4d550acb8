/*
 * The policy: what the parser builds, what the matcher reads, what the
 * gate and sshgate-lint share.  The language is in sshgate-policy(5).
 *
 * The decision rule, in one sentence (also in the man page and in
 * policy_decide()): the first rule, in file order, whose selectors admit
 * the connection and whose args pattern matches the command's words
 * decides -- it runs its program, or denies if it is a deny rule; when no
 * rule matches, the command is denied.
 */
#ifndef SSHGATE_POLICY_H
#define SSHGATE_POLICY_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "argv.h"
#include "diag.h"

#define SSHGATE_POLICY_VERSION	1
#define SSHGATE_POLICY_MAX	(16u << 20)	/* bytes in a policy file */
#define SSHGATE_ENV_VALUE_MAX	4096		/* bytes in a kept variable */
#define SSHGATE_TAG_MAX		64
#define SSHGATE_DEFAULT_PATH	"/usr/bin:/bin"

/* PCRE2 limits for one argument; hitting one is a deny, never a match. */
#define SSHGATE_PCRE2_MATCH_LIMIT	100000
#define SSHGATE_PCRE2_DEPTH_LIMIT	1000
#define SSHGATE_PCRE2_HEAP_LIMIT	1024	/* KiB */
/*
 * The PCRE2 steps one decision may take in all, every rule and word
 * together (policy/match.c says how they are counted); running out is a
 * deny.  20 words at the per-word limit.
 */
#define SSHGATE_PCRE2_BUDGET		2000000
#define SSHGATE_PCRE2_FIRST_STEPS	8	/* the least a match costs */

/* seccomp groups (policy/syscalls.c has their contents). */
enum sc_group_bit {
	SC_DEBUG	= 1u << 0,
	SC_HANDLE	= 1u << 1,
	SC_BPF		= 1u << 2,
	SC_USERFAULTFD	= 1u << 3,
	SC_KEYRING	= 1u << 4,
	SC_REBOOT	= 1u << 5,
	SC_MODULE	= 1u << 6,
	SC_MOUNT	= 1u << 7,
	SC_SWAP		= 1u << 8,
	SC_CLOCK	= 1u << 9,
	SC_NAMESPACE	= 1u << 10,
	SC_TTY		= 1u << 11,
	SC_RAWIO	= 1u << 12,
	SC_PRIVILEGED	= 1u << 13,
	SC_NETWORK	= 1u << 14,	/* sockets other than AF_UNIX */
	SC_METADATA	= 1u << 15,	/* modes, owners, xattrs, times */
	SC_IPC		= 1u << 16,	/* SysV IPC and POSIX message queues */
};
#define SC_ALL_GROUPS	((1u << 17) - 1)
#define SC_STRICT	((1u << 15) - 1)
#define SC_DEFAULT	(SC_STRICT & ~SC_NETWORK)
/*
 * Always denied when the runner is uid 0, whatever the rule says: uid 0
 * owns root's IPC objects, and neither Landlock nor the read-only mounts
 * that keep it from changing root's files (gate/readonly.c) govern SysV
 * IPC or message queues; and it shares root's uid with the supervisor
 * (gate/supervise.c), whose limits it could change (prlimit) and every
 * root process it could read or steer.  The gate adds these groups itself.
 */
#define SC_UID0		(SC_IPC | SC_DEBUG)

enum landlock_mode { LANDLOCK_REQUIRE, LANDLOCK_BEST_EFFORT };
/*
 * The run's cgroup (gate/cgroup.c): refuse without one, or run without.
 * Its pids.max without a "pids" field; memory.max is set only by one.
 */
#define PIDS_DEFAULT	4096
#define PIDS_MAX	4194304		/* PID_MAX_LIMIT */
enum cgroup_mode { CGROUP_BEST_EFFORT, CGROUP_REQUIRE };

/* The program's I/O scheduling class (ioprio_set(2)); never real time. */
enum io_class { IO_NONE, IO_BEST_EFFORT, IO_IDLE };

struct cidr {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];
	unsigned	prefix;
};

/* Pattern over words: an atom matches one word. */
enum pat_kind { PAT_LIT, PAT_RE, PAT_SEQ, PAT_ALT, PAT_OPT, PAT_STAR, PAT_PLUS };

struct pat {
	enum pat_kind	 kind;
	struct loc	 at;
	char		*text;		/* PAT_LIT: the word; PAT_RE: the regex */
	void		*re;		/* PAT_RE: pcre2_code * */
	struct pat	**kids;
	size_t		 nkids;
	int		 atom;		/* index in rule->atoms, atoms only */
};

/* The compiled pattern: a Thompson NFA, simulated in O(words x states). */
enum nfa_op { NFA_ATOM, NFA_SPLIT, NFA_JUMP, NFA_ACCEPT };

struct nfa_state {
	enum nfa_op	op;
	int		atom;	/* NFA_ATOM */
	int		x, y;	/* next states */
};

struct nfa {
	struct nfa_state *s;
	size_t		  n;
	int		  start;
};

struct setenv {
	char		*name, *value;
	struct loc	 at;
};

enum test_want { TEST_PERMIT, TEST_DENY };

struct ptest {
	enum test_want	 want;
	char		*cmd;
	char		*from;		/* client address, or NULL */
	char		*tag;		/* gate argument, or NULL */
	int		 rule;		/* enclosing rule index, -1 at top */
	struct loc	 at;
};

/* Where each field was written, for diagnostics and lint. */
struct rule_locs {
	struct loc name, from, tag, drop, run, deny, as, caps, seccomp, write,
	    exec, read, landlock, cgroup, pids, memory, timeout, nice, ionice,
	    keepenv, args;
};

/* A lint warning silenced in a rule, with its reason. */
struct allow {
	char		*name, *reason;
	struct loc	 at;
	int		 used;
};

struct rule {
	char		*name;
	int		 index;
	struct rule_locs loc;

	/* selectors */
	struct cidr	*from;
	char		**from_text;
	size_t		 nfrom;
	char		**tags;
	size_t		 ntags;

	/* rewriting and what runs */
	char		**drop;
	size_t		 ndrop;
	char		**run;		/* run[0]: absolute program path */
	size_t		 nrun;
	char		*deny;		/* deny rule: message; else NULL */

	/* confinement */
	char		*user, *group;	/* runner account, group or NULL */
	uint64_t	 caps;		/* bit n = capability n */
	int		 caps_set;
	unsigned	 seccomp;	/* SC_* groups denied */
	int		 seccomp_off;	/* "seccomp none" */
	char		**write;
	size_t		 nwrite;
	char		**exec;		/* "exec": what else it may execute */
	struct loc	*exec_at;	/* where each path was written */
	size_t		 nexec;
	char		*rsh_program;	/* BORG_RSH's absolute first word */
	char		**read;		/* "read": the read scope, if any */
	struct loc	*read_at;
	size_t		 nread;
	enum landlock_mode landlock;
	enum cgroup_mode cgroup;	/* with a supervisor only */
	unsigned	 pids;		/* the run's pids.max, 0 = the default */
	unsigned long long memory;	/* its memory.max in bytes, 0 = none */
	unsigned	 timeout;	/* seconds, 0 = none */
	int		 nice;		/* 0 (the default) .. 19 */
	enum io_class	 ioclass;	/* IO_NONE: the default */
	int		 iolevel;	/* 0..7 for IO_BEST_EFFORT */

	/* environment */
	char		**keepenv;
	struct loc	*keepenv_at;	/* where each name was written */
	size_t		 nkeep;
	struct setenv	*setenv;
	size_t		 nset;

	/* the argument pattern */
	struct pat	*args;
	struct pat	**atoms;	/* atoms in source order */
	size_t		 natoms;
	struct nfa	 nfa;

	struct allow	*allows;
	size_t		 nallows;
};

struct policy {
	char		*file;
	char		*text;		/* the source, kept for diagnostics */
	size_t		 len;
	struct rule	*rules;
	size_t		 nrules;
	struct ptest	*tests;
	size_t		 ntests;
};

/* Parse; all errors go to *d.  Returns NULL when any error was found. */
struct policy	*policy_parse(const char *file, const char *text, size_t len,
		    struct diags *d);
void		 policy_free(struct policy *p);
/*
 * A part (sshgate-policy(5), "Parts"): parsed as a policy of its own, in
 * the context of the common part -- its rules decide for tag only (a
 * rule without "tag" gets it), its top-level tests run with it, and no
 * rule name of the common part is used again.  NULL on any error.
 */
struct policy	*policy_parse_part(const struct policy *common,
		    const char *file, const char *text, size_t len,
		    const char *tag, struct diags *d);
/* The part's rules then the common part's; consumes both. */
struct policy	*policy_join(struct policy *common, struct policy *part);
/*
 * The one choice of files for a tag (the gate and sshgate-lint): the
 * part DIR/policy.d/TAG.policy beside the policy DIR/NAME.  0 and the
 * path in buf; 1 when the tag selects no part (none, or one that begins
 * with '.': no part file is hidden, and "." or ".." names none); -1 when
 * the path does not fit.
 */
int		 policy_part_path(const char *policy, const char *tag,
		    char *buf, size_t size);
struct source	 policy_source(const struct policy *p);

/* What the connection looks like to the selectors. */
struct request {
	const char	*cmd;		/* SSH_ORIGINAL_COMMAND, or NULL */
	size_t		 cmdlen;
	const char	*tag;		/* the gate's argument, or NULL */
	const char	*from;		/* client address, or NULL */
};

enum verdict { VERDICT_PERMIT, VERDICT_DENY };

enum deny_cause {
	CAUSE_NONE,
	CAUSE_TOKENIZER,	/* the command is not a plain argv */
	CAUSE_NO_RULE,		/* no rule matched */
	CAUSE_DENY_RULE,	/* a deny rule matched */
	CAUSE_MATCH_ERROR,	/* a regex failed to run (limit hit) */
	CAUSE_BUDGET,		/* the decision's regex budget ran out */
};

struct decision {
	enum verdict	 verdict;
	enum deny_cause	 cause;
	const struct rule *rule;	/* the deciding rule, or NULL */
	struct words	 words;		/* the client's words */
	size_t		 dropped;	/* leading words removed by drop */
	struct tok_error tokerr;
	char		 reason[512];	/* one line, safe to print and log */
};

/* How one rule fared, for --explain. */
enum rule_outcome {
	RULE_SKIP_FROM, RULE_SKIP_TAG, RULE_NO_MATCH, RULE_MATCH, RULE_ERROR,
	RULE_BUDGET
};

struct rule_trace {
	const struct rule *rule;
	enum rule_outcome outcome;
	size_t		 dropped;
	size_t		 stop;		/* words matched before it failed */
	int		*expected;	/* atoms that could have come next */
	size_t		 nexpected;
	int		 at_end;	/* 1: ran out of words */
};

struct trace {
	struct rule_trace *v;
	size_t		   n;
};

/*
 * Decide.  Never fails open: any error is a deny with a reason.  When t is
 * not NULL every rule tried is recorded in it.
 */
void		 policy_decide(const struct policy *p, const struct request *r,
		    struct decision *dec, struct trace *t);
void		 decision_free(struct decision *dec);
void		 trace_free(struct trace *t);

/* The client address from SSH_CONNECTION ("addr port addr port"). */
int		 parse_ssh_connection(const char *conn, char *addr,
		    size_t size);

/*
 * 1 when some rule's "from" admits addr (an address, or NULL: none),
 * 0 when none does, -1 when no rule has a "from" at all.
 */
int		 policy_names_address(const struct policy *p,
		    const char *addr);

/* Atoms for explaining: "\"create\"" or "/--stats/". */
char		*pat_atom_text(const struct pat *a);
char		*pat_text(const struct pat *p);

/*
 * One atom against one word as the matcher tries it, with a whole budget:
 * 1, 0 or -1 (limit).
 */
int		 policy_atom_match(const struct pat *a, const char *word);

/* Run every embedded test; failures become diagnostics in *d. */
size_t		 policy_run_tests(const struct policy *p, struct diags *d);

/* Helpers shared with sshgate-lint. */
int		 cidr_parse(const char *s, struct cidr *c);
int		 valid_tag(const char *s);
int		 valid_env_name(const char *s);

/* Names */
const char	*landlock_mode_name(enum landlock_mode m);
/* "none", "idle" or "best-effort:N" */
const char	*io_class_text(const struct rule *r);
const char	*cgroup_mode_name(enum cgroup_mode m);
int		 cap_from_name(const char *name);
const char	*cap_to_name(int cap);
int		 cap_last(void);

#endif
