/*
 * The gate's log lines for long values and for a denial: written by the
 * gate (gate/main.c sends them), read back by sshgate-lint
 * (--suggest-from-log, --explain-log).  One format and one length limit,
 * here, so that the writer and the reader cannot drift; tests/unit/logfmt
 * formats and parses every kind of command and compares.  Pure: strings
 * in, strings out (docs/STYLE.md 4).
 */
#ifndef SSHGATE_LOGFMT_H
#define SSHGATE_LOGFMT_H

#include <stddef.h>

#include "argv.h"

/*
 * A line holds LOG_MSG_MAX bytes of message: with the syslog header
 * (under 48 bytes) a datagram stays within the 2048 bytes that RFC 5424
 * asks every receiver to take.  A message cut to fit ends in LOG_CUT.
 */
#define LOG_MSG_MAX	2000
#define LOG_CUT		"... [cut]"
/*
 * A denied command of up to LOG_COMMAND_MAX bytes is logged whole,
 * escaped, in numbered parts when it needs more than one line (at most
 * 34: four bytes of escape for each); a longer one by its words (their
 * count, their SHA-256, those that are not options), or, refused by the
 * tokenizer, its first LOG_COMMAND_MAX bytes and "...".
 */
#define LOG_COMMAND_MAX	16384
#define LOG_PARTS_MAX	1000	/* more parts than this: not our line */

struct loglines {
	char	**v;
	size_t	  n;
};
void	loglines_free(struct loglines *l);

/*
 * A value too long for one line, in parts, appended to out:
 *   HEAD part=1/M KEY="..."
 *   CONT part=I/M KEY="..."		for I = 2 .. M
 * The parts' values, joined as they are, give the whole value.  value
 * is escaped by the caller (escape_quoted(): printable ASCII, no '"').
 */
void	logfmt_parts(struct loglines *out, const char *head, const char *cont,
	    const char *key, const char *value);

/*
 * A long argv: "HEAD words=N sha256=HEX options-not-logged=K" and the
 * words that do not start with '-', quoted, joined and escaped, in parts
 * under the key non-options.
 */
void	logfmt_words(struct loglines *out, const char *head, const char *cont,
	    char *const *v, size_t n);

/*
 * A denial: "deny caller=C from=F tag=T reason="R" command="CMD"" (a NULL
 * from or tag is "-"; a '"' in the reason is written \x22; CMD is the
 * command escaped, "(none)" without one), in parts when it does not fit;
 * a command over LOG_COMMAND_MAX bytes as logfmt_words() says when it
 * has words w.
 */
void	logfmt_deny(struct loglines *out, const char *caller, const char *from,
	    const char *tag, const char *reason, const char *cmd,
	    const struct words *w);

/* What a denial's lines say about the command. */
enum logcmd {
	LOGCMD_WHOLE,	/* cmd is the command, byte for byte */
	LOGCMD_NONE,	/* no command: a shell request */
	LOGCMD_CUT,	/* cmd is its first LOG_COMMAND_MAX bytes */
	LOGCMD_WORDS,	/* cmd is its non-options, as logged (escaped) */
};

struct logdeny {
	char		*caller, *from, *tag;	/* from, tag: NULL for "-" */
	char		*reason;		/* as logged */
	enum logcmd	 what;
	char		*cmd;
	size_t		 words;			/* LOGCMD_WORDS: how many */
};
void	logdeny_free(struct logdeny *d);

/*
 * Reads denials back from syslog or journalctl lines ("... sshgate[PID]:
 * MSG", or MSG alone): the parts of one denial come from one pid, in
 * order, and may be interleaved with other lines.
 */
struct logreader {
	struct logpend	*v;	/* denials whose parts are not all read */
	size_t		 n;
};

enum logread {
	LOGREAD_NONE,	/* not a denial of the gate */
	LOGREAD_PART,	/* a part, taken; the denial is not whole yet */
	LOGREAD_DONE,	/* a denial is whole: in *d, to logdeny_free() */
	LOGREAD_BAD,	/* a denial line that does not read back */
};
enum logread	logread_line(struct logreader *r, const char *line,
		    struct logdeny *d);
/* Forget what is pending; returns how many denials lacked parts. */
size_t		logread_end(struct logreader *r);

#endif
