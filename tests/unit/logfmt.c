/*
 * The deny log line round trip (policy/logfmt.c): every command is
 * formatted by the code the gate logs with, read back by the code
 * sshgate-lint reads with (--suggest-from-log, --explain-log), and must
 * come back byte for byte -- so the tokenizer splits it into the same
 * words -- with its address and tag; or, over LOG_COMMAND_MAX bytes,
 * say that it is not whole.  Every line is printable ASCII within
 * LOG_MSG_MAX bytes.  Lines that were edited, lost or reordered are
 * refused, never read as something else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "logfmt.h"
#include "xmalloc.h"
#include "../tap.h"

#define HDR	"Dec  2 21:00:00 vps sshgate[%d]: %s"

static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static int
same_words(const struct words *a, const struct words *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

/* a long command: "borg create REPO" and n paths, each with word w */
static char *
long_cmd(size_t n, const char *w)
{
	char *s = xstrdup("borg create ssh://backup/./vps::vps-1"), *t;
	size_t i;

	for (i = 0; i < n; i++) {
		t = xasprintf("%s /srv/data/%s-%04zu", s, w, i);
		free(s);
		s = t;
	}
	return s;
}

/*
 * Format cmd's denial, read it back with another pid's denial in parts
 * interleaved (and a line of another program), and check.  want: what
 * the reader must say about the command.
 */
static void
roundtrip(const char *what, const char *cmd, const char *from,
    const char *tag, const char *reason, enum logcmd want, size_t lines)
{
	struct loglines l = { NULL, 0 }, other = { NULL, 0 };
	struct logreader r = { NULL, 0 };
	struct logdeny d, od;
	struct words w, w2;
	struct tok_error e;
	enum tok_status st, st2;
	size_t i, k = 0, fit = 1, done = 0, parts;
	char *line, *ocmd = long_cmd(600, "o\"ther");
	struct words ow;
	int ok = 1;

	memset(&w, 0, sizeof(w));
	st = argv_split(cmd, cmd ? strlen(cmd) : 0, &w, &e);
	logfmt_deny(&l, "borg(998)", from, tag, reason, cmd, &w);
	argv_split(ocmd, strlen(ocmd), &ow, &e);
	logfmt_deny(&other, "borg(998)", "192.0.2.9", NULL, "no rule permits "
	    "this command", ocmd, &ow);
	for (i = 0; i < l.n; i++)
		fit &= strlen(l.v[i]) <= LOG_MSG_MAX && printable(l.v[i]);
	tap_ok(l.n >= lines && (lines > 1 || l.n == 1) && fit, "%s: %zu "
	    "line%s, each printable ASCII within %d bytes", what, l.n,
	    l.n == 1 ? "" : "s", LOG_MSG_MAX);
	memset(&d, 0, sizeof(d));
	for (i = 0; i < l.n; i++) {
		enum logread rc;

		/* the other denial's parts in between, and sshd's lines */
		if (k < other.n) {
			line = xasprintf(HDR, 99, other.v[k++]);
			rc = logread_line(&r, line, &od);
			free(line);
			if (rc == LOGREAD_DONE)
				logdeny_free(&od);
			ok &= rc == LOGREAD_PART || rc == LOGREAD_DONE;
		}
		ok &= logread_line(&r, "Dec  2 21:00:00 vps sshd[5]: Accepted "
		    "publickey for borg", &od) == LOGREAD_NONE;
		line = xasprintf(HDR, 4242, l.v[i]);
		rc = logread_line(&r, line, &d);
		free(line);
		if (i + 1 < l.n)
			ok &= rc == LOGREAD_PART;
		else
			done = rc == LOGREAD_DONE;
	}
	tap_ok(ok && done, "%s: read back among another denial's parts", what);
	parts = logread_end(&r);
	tap_ok(parts == (k < other.n), "%s: only the other denial is left "
	    "unfinished", what);
	tap_ok(done && d.what == want, "%s: read back as %s", what,
	    want == LOGCMD_WHOLE ? "whole" : want == LOGCMD_NONE ? "none" :
	    want == LOGCMD_CUT ? "cut" : "words");
	tap_ok(done && (from ? d.from && strcmp(d.from, from) == 0 :
	    d.from == NULL) && (tag ? d.tag && strcmp(d.tag, tag) == 0 :
	    d.tag == NULL) && strcmp(d.caller, "borg(998)") == 0 &&
	    strchr(d.reason, '"') == NULL && strlen(d.reason) >=
	    strlen(reason), "%s: caller, address, tag; the reason without "
	    "'\"'", what);
	if (done && want == LOGCMD_WHOLE) {
		tap_ok(strcmp(d.cmd, cmd) == 0, "%s: the command byte for byte",
		    what);
		st2 = argv_split(d.cmd, strlen(d.cmd), &w2, &e);
		tap_ok(st2 == st && (st != TOK_OK || same_words(&w, &w2)),
		    "%s: the same %s", what, st == TOK_OK ? "words" :
		    "refusal by the tokenizer");
		words_free(&w2);
	}
	if (done && want == LOGCMD_CUT)
		tap_ok(strlen(d.cmd) == LOG_COMMAND_MAX &&
		    strncmp(d.cmd, cmd, LOG_COMMAND_MAX) == 0,
		    "%s: its first %d bytes, and that it was cut", what,
		    LOG_COMMAND_MAX);
	if (done && want == LOGCMD_WORDS)
		tap_ok(d.words == w.n && strstr(d.cmd, "/srv/data/") != NULL,
		    "%s: its %zu words counted, the non-options logged", what,
		    w.n);
	logdeny_free(&d);
	loglines_free(&l);
	loglines_free(&other);
	words_free(&w);
	words_free(&ow);
	free(ocmd);
}

/* One line, edited: must be refused, not read as another command. */
static void
refused(const char *what, const char *msg)
{
	struct logreader r = { NULL, 0 };
	struct logdeny d;
	char *line = xasprintf(HDR, 7, msg);
	enum logread rc = logread_line(&r, line, &d);

	if (rc == LOGREAD_DONE)
		logdeny_free(&d);
	tap_ok(rc == LOGREAD_BAD, "refused: %s", what);
	logread_end(&r);
	free(line);
}

int
main(void)
{
	static const char no[] = "no rule permits this command";
	struct loglines l = { NULL, 0 };
	struct logreader r = { NULL, 0 };
	struct logdeny d;
	struct words w;
	struct tok_error e;
	char *s, *t, *line;
	size_t i;

	roundtrip("a plain command", "borg list ssh://backup/./vps",
	    "192.0.2.10", NULL, no, LOGCMD_WHOLE, 1);
	roundtrip("double quotes", "job a 'B\"c' \"d\\\"e\"", "2001:db8::7",
	    "nightly", "no rule permits this command; rule 'open' does not "
	    "accept word 2: 'B\\x22c'", LOGCMD_WHOLE, 1);
	roundtrip("backslashes", "job 'a\\b' \"c\\\\d\" e\\ f \\\\x41",
	    NULL, NULL, no, LOGCMD_WHOLE, 1);
	roundtrip("spaces in words", "job 'x  y' \"  z \"", NULL, NULL, no,
	    LOGCMD_WHOLE, 1);
	roundtrip("fields in a word", "job 'a\" command=\"b' ' part=2/3 "
	    "command=\"x\"' 'sshgate[1]: deny caller=x'", NULL, NULL, no,
	    LOGCMD_WHOLE, 1);
	roundtrip("a deny message with quotes", "job ABC", NULL, NULL,
	    "rule 'refuse': say \"no\" \\ twice", LOGCMD_WHOLE, 1);
	roundtrip("non-ASCII UTF-8 (the tokenizer refuses it)",
	    "job caf\xc3\xa9 \xe2\x82\xac", NULL, NULL,
	    "byte 0xc3 not allowed at column 8", LOGCMD_WHOLE, 1);
	roundtrip("control bytes (the tokenizer refuses them)",
	    "job a\nforged: permit rule=x\033[2J\177\x01", NULL, NULL,
	    "byte 0x0a not allowed at column 6", LOGCMD_WHOLE, 1);
	roundtrip("no command", NULL, NULL, NULL, "no command given",
	    LOGCMD_NONE, 1);

	s = long_cmd(700, "dir");
	roundtrip("a long command, in parts", s, "192.0.2.10", NULL, no,
	    LOGCMD_WHOLE, 2);
	free(s);
	s = long_cmd(300, "q\"uo\\te");
	roundtrip("a long command of escapes, in parts", s, NULL, NULL, no,
	    LOGCMD_WHOLE, 2);
	free(s);
	/* exactly LOG_COMMAND_MAX bytes: whole; one more: its words */
	s = long_cmd(900, "dir");
	s[LOG_COMMAND_MAX] = '\0';
	i = strlen(s);
	while (s[i - 1] == ' ' || s[i - 1] == '/')
		s[--i] = 'x';
	tap_ok(strlen(s) == LOG_COMMAND_MAX, "a command of %d bytes",
	    LOG_COMMAND_MAX);
	roundtrip("exactly LOG_COMMAND_MAX bytes", s, NULL, NULL, no,
	    LOGCMD_WHOLE, 2);
	t = xasprintf("%sy", s);
	roundtrip("LOG_COMMAND_MAX bytes and one: its words", t, NULL, NULL,
	    no, LOGCMD_WORDS, 2);
	free(t);
	free(s);
	s = xmalloc(LOG_COMMAND_MAX + 101);
	memcpy(s, "job ", 4);
	memset(s + 4, '\x01', LOG_COMMAND_MAX + 96);
	s[LOG_COMMAND_MAX + 100] = '\0';
	roundtrip("a long command the tokenizer refuses: cut", s, NULL, NULL,
	    "byte 0x01 not allowed at column 5", LOGCMD_CUT, 2);
	free(s);

	refused("a bad escape", "deny caller=b(1) from=- tag=- reason=\"x\" "
	    "command=\"job \\q\"");
	refused("a NUL escaped", "deny caller=b(1) from=- tag=- reason=\"x\" "
	    "command=\"job \\x00\"");
	refused("an address that is none", "deny caller=b(1) "
	    "from=backup.example.org tag=- reason=\"x\" command=\"job\"");
	refused("a bad tag", "deny caller=b(1) from=- tag=a\\x1b "
	    "reason=\"x\" command=\"job\"");
	refused("text after the command", "deny caller=b(1) from=- tag=- "
	    "reason=\"x\" command=\"job\" x=\"y\"");
	refused("a cut mark anywhere but at LOG_COMMAND_MAX", "deny "
	    "caller=b(1) from=- tag=- reason=\"x\" command=\"job...\"x");
	refused("a continuation without its first part",
	    "deny part=2/2 command=\"job\"");

	/* a part lost, or out of order */
	s = long_cmd(300, "dir");
	argv_split(s, strlen(s), &w, &e);
	logfmt_deny(&l, "b(1)", NULL, NULL, no, s, &w);
	for (i = 0; i < l.n; i++) {
		if (i == 1)
			continue;
		line = xasprintf(HDR, 8, l.v[i]);
		if (i == 2)
			tap_ok(logread_line(&r, line, &d) == LOGREAD_BAD,
			    "part 3 after part 1: refused");
		else
			logread_line(&r, line, &d);
		free(line);
	}
	tap_ok(logread_end(&r) == 0, "... and forgotten, nothing pending");
	line = xasprintf(HDR, 8, l.v[0]);
	logread_line(&r, line, &d);
	free(line);
	tap_ok(logread_end(&r) == 1, "a denial whose last parts never came "
	    "is counted as incomplete");
	loglines_free(&l);
	words_free(&w);
	free(s);

	return tap_done();
}
