/*
 * The tokenizer: SSH_ORIGINAL_COMMAND -> argv, without a shell.
 * Rules in sshgate-policy(5), QUOTING; tables in tests/tables/tokenizer.tsv.
 */
#ifndef SSHGATE_ARGV_H
#define SSHGATE_ARGV_H

#include <stddef.h>

#define SSHGATE_CMD_MAX		65536	/* bytes in one command */
#define SSHGATE_WORDS_MAX	4096	/* words in one command */

enum tok_status {
	TOK_OK = 0,
	TOK_NONE,		/* no command at all: a shell request */
	TOK_BLANK,		/* empty or only spaces */
	TOK_TOO_LONG,
	TOK_TOO_MANY,
	TOK_BAD_BYTE,		/* outside 0x20..0x7e, quoted or not */
	TOK_UNQUOTED,		/* shell metacharacter outside quotes */
	TOK_IN_DQUOTE,		/* unescaped $ or ` inside "..." */
	TOK_OPEN_SQUOTE,	/* no closing ' */
	TOK_OPEN_DQUOTE,	/* no closing " */
	TOK_TRAILING_BACKSLASH,
};

struct tok_error {
	enum tok_status	status;
	size_t		col;	/* 1-based byte column, 0 if none */
	unsigned char	byte;	/* the offending byte, if any */
};

struct words {
	char	**v;	/* n words, then NULL */
	size_t	  n;
	char	 *buf;	/* backing store for the words */
};

/*
 * Split cmd[0..len) into words.  cmd == NULL means "no command".
 * Returns TOK_OK and fills *w, or another status with *e filled and
 * *w empty.  Pure: no I/O, no global state.
 */
enum tok_status	argv_split(const char *cmd, size_t len, struct words *w,
		    struct tok_error *e);
void		words_free(struct words *w);

/* One line that names the cause, e.g. "unquoted ';' at column 17". */
void		tok_strerror(const struct tok_error *e, char *buf, size_t size);

/* Short stable name of a status, for tables and logs ("unquoted"). */
const char	*tok_status_name(enum tok_status s);

/*
 * Quote one word so that argv_split() gives it back unchanged: bare when
 * it holds only ordinary characters, else in single quotes.  Returns an
 * allocated string.
 */
char		*argv_quote(const char *word);

/* Quote and join words with single spaces; allocated. */
char		*argv_join(char *const *v, size_t n);

#endif
