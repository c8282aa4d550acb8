/*
 * The gate's long log lines and its denial line, written and read back
 * (logfmt.h).  MUST:
 *  - keep every line within LOG_MSG_MAX bytes of message, and cut
 *    nothing silently: a long value goes in numbered parts, split only
 *    between whole escapes;
 *  - write only printable ASCII, and never a '"' inside a quoted value:
 *    the client's bytes cannot end a field or forge another line;
 *  - read back exactly what was written -- the command byte for byte,
 *    or that it was cut -- and nothing that was not: a line that does
 *    not read back cleanly is refused, never guessed at.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "logfmt.h"
#include "policy.h"
#include "sha256.h"
#include "xmalloc.h"

static void
add(struct loglines *out, char *line)
{
	out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
	out->v[out->n++] = line;
}

void
loglines_free(struct loglines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * How much of an escaped value fits in room bytes: whole escapes only
 * ("\\", "\xNN"), and up to the last space when that keeps at least
 * half the room, so that a word is split only when it is that long.
 */
static size_t
part_len(const char *v, size_t room)
{
	size_t i = 0, step, space = 0, len = strlen(v);

	while (i < len) {
		step = v[i] != '\\' ? 1 : v[i + 1] == 'x' ? 4 : 2;
		if (step > len - i)
			step = len - i;
		if (i + step > room)
			break;
		i += step;
		if (v[i - 1] == ' ')
			space = i;
	}
	if (i < len && space >= room / 2)
		return space;
	return i;
}

/* The parts are counted first, so that every line can say M. */
void
logfmt_parts(struct loglines *out, const char *head, const char *cont,
    const char *key, const char *value)
{
	const char *prefix;
	size_t len = strlen(value), off, n, i, m = 0, fixed, room;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (off = 0, i = 1; i == 1 || off < len; off += n, i++) {
			prefix = i == 1 ? head : cont;
			/* " part=I/M KEY=\"\"", each number 20 digits at most */
			fixed = strlen(prefix) + strlen(key) + 50;
			room = fixed < LOG_MSG_MAX ? LOG_MSG_MAX - fixed : 0;
			n = part_len(value + off, room);
			if (n == 0 && i > 1)	/* cannot be: cont is short */
				n = len - off;
			if (pass == 1)
				add(out, xasprintf("%s part=%zu/%zu %s=\"%.*s\"",
				    prefix, i, m, key, (int)n, value + off));
		}
		m = i - 1;
	}
}

/*
 * A long argv: its word count, and its words that are not options (that
 * do not start with '-': the program, the repository, the archive, the
 * paths), quoted as in argv= and escaped as in command=.  The options are
 * counted, not logged.  With the SHA-256 of the whole argv
 * (policy/sha256.c; nothing the gate links has one, and a
 * non-cryptographic hash would prove nothing about words their sender
 * chose): whoever holds the command -- the backup server's log, a
 * suspect's history -- can check that it is the one logged, options
 * included, with printf '%s\0' WORD ... | sha256sum.
 */
void
logfmt_words(struct loglines *out, const char *head, const char *cont,
    char *const *v, size_t n)
{
	char **w = xreallocarray(NULL, n + 1, sizeof(*w));
	char *joined, *e, *h, digest[2 * SHA256_LEN + 1];
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (v[i][0] != '-')
			w[k++] = v[i];
	joined = argv_join(w, k);
	e = escape_quoted(joined, strlen(joined));
	sha256_words(v, n, digest);
	h = xasprintf("%s words=%zu sha256=%s options-not-logged=%zu", head, n,
	    digest, n - k);
	logfmt_parts(out, h, cont, "non-options", e);
	free(h);
	free(e);
	free(joined);
	free(w);
}

void
logfmt_deny(struct loglines *out, const char *caller, const char *from,
    const char *tag, const char *reason, const char *cmd,
    const struct words *w)
{
	char *r = xstrdup(reason), *head, *e, *p;

	/* the reason is printable ASCII already (struct decision) */
	for (p = r; (p = strchr(p, '"')) != NULL; ) {
		*p = '\0';
		e = xasprintf("%s\\x22%s", r, p + 1);
		p = e + (p - r) + 4;
		free(r);
		r = e;
	}
	head = xasprintf("deny caller=%s from=%s tag=%s reason=\"%s\"",
	    caller ? caller : "-", from ? from : "-", tag ? tag : "-", r);
	free(r);
	if (cmd != NULL && strnlen(cmd, LOG_COMMAND_MAX + 1) >
	    LOG_COMMAND_MAX && w != NULL && w->n > 0) {
		logfmt_words(out, head, "deny", w->v, w->n);
		free(head);
		return;
	}
	/* quotes escaped too: the command must not end its field */
	e = escape_quoted(cmd, LOG_COMMAND_MAX);
	if (strlen(head) + strlen(" command=\"\"") + strlen(e) <= LOG_MSG_MAX)
		add(out, xasprintf("%s command=\"%s\"", head, e));
	else
		logfmt_parts(out, head, "deny", "command", e);
	free(e);
	free(head);
}

/* ---- reading back ------------------------------------------------------- */

struct logpend {
	char		 pid[24];
	struct logdeny	 d;
	char		*key;		/* "command" or "non-options" */
	size_t		 have, m;	/* parts read, parts in all */
	char		*val;		/* their values, joined */
};

void
logdeny_free(struct logdeny *d)
{
	free(d->caller);
	free(d->from);
	free(d->tag);
	free(d->reason);
	free(d->cmd);
	memset(d, 0, sizeof(*d));
}

/* Undo escape_quoted(): \\ and \xNN; anything else, or a NUL, is not ours. */
static char *
unescape(const char *s, size_t n, size_t *len)
{
	char *out = xmalloc(n + 1);
	size_t i, o = 0;
	unsigned v;

	for (i = 0; i < n; i++) {
		if (s[i] == '"' || (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f)
			goto bad;
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (i + 1 < n && s[i + 1] == '\\') {
			out[o++] = '\\';
			i++;
		} else if (i + 3 < n && s[i + 1] == 'x' &&
		    strchr("0123456789abcdef", s[i + 2]) != NULL &&
		    strchr("0123456789abcdef", s[i + 3]) != NULL &&
		    sscanf(s + i + 2, "%2x", &v) == 1 && v != 0) {
			out[o++] = (char)v;
			i += 3;
		} else
			goto bad;
	}
	out[o] = '\0';
	*len = o;
	return out;
bad:
	free(out);
	return NULL;
}

static int
skip(const char **s, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*s, lit, n) != 0)
		return 0;
	*s += n;
	return 1;
}

/* A field's value: up to the next space or the end, not empty. */
static char *
token(const char **s)
{
	size_t n = strcspn(*s, " ");
	char *t;

	if (n == 0)
		return NULL;
	t = xstrndup(*s, n);
	*s += n;
	return t;
}

static int
number(const char **s, size_t *v)
{
	char *end;
	unsigned long long n;

	if (**s < '0' || **s > '9')
		return 0;
	n = strtoull(*s, &end, 10);
	if (end - *s > 9)
		return 0;
	*v = (size_t)n;
	*s = end;
	return 1;
}

/* "...": the bytes up to the next '"', which must be there. */
static int
quoted(const char **s, const char **v, size_t *n)
{
	const char *e;

	if (**s != '"' || (e = strchr(*s + 1, '"')) == NULL)
		return 0;
	*v = *s + 1;
	*n = (size_t)(e - *v);
	*s = e + 1;
	return 1;
}

/* "-" is none; else an address, a tag: as the gate writes them */
static int
selector(char **v, int address)
{
	unsigned char buf[16];

	if (strcmp(*v, "-") == 0) {
		free(*v);
		*v = NULL;
		return 1;
	}
	if (address)
		return inet_pton(AF_INET, *v, buf) == 1 ||
		    inet_pton(AF_INET6, *v, buf) == 1;
	return valid_tag(*v);
}

/* The message of a line: after "sshgate[PID]: ", or the line itself. */
static const char *
message(const char *line, char *pid, size_t size)
{
	const char *p = line, *q;
	size_t n;

	pid[0] = '\0';
	if (strncmp(line, "deny ", 5) == 0)
		return line;
	while ((p = strstr(p, "sshgate[")) != NULL) {
		p += strlen("sshgate[");
		n = strspn(p, "0123456789");
		q = p + n;
		if (n > 0 && n < size && strncmp(q, "]: ", 3) == 0) {
			memcpy(pid, p, n);
			pid[n] = '\0';
			return q + 3;
		}
	}
	return NULL;
}

/* The whole value is read: what it says about the command. */
static int
finish(struct logpend *pp)
{
	struct logdeny *d = &pp->d;
	size_t len;
	char *raw;

	if (strcmp(pp->key, "non-options") == 0) {
		d->what = LOGCMD_WORDS;
		if ((raw = unescape(pp->val, strlen(pp->val), &len)) == NULL)
			return -1;
		free(raw);
		d->cmd = pp->val;
		pp->val = NULL;
		return 0;
	}
	if (strcmp(pp->val, "(none)") == 0) {
		d->what = LOGCMD_NONE;
		return 0;
	}
	if ((raw = unescape(pp->val, strlen(pp->val), &len)) == NULL)
		return -1;
	d->what = LOGCMD_WHOLE;
	if (len > LOG_COMMAND_MAX) {
		/* escape_quoted() cut it and said so: exactly that, or not ours */
		if (len != LOG_COMMAND_MAX + 3 ||
		    strcmp(raw + LOG_COMMAND_MAX, "...") != 0) {
			free(raw);
			return -1;
		}
		raw[LOG_COMMAND_MAX] = '\0';
		d->what = LOGCMD_CUT;
	}
	d->cmd = raw;
	return 0;
}

static void
pend_free(struct logpend *pp)
{
	logdeny_free(&pp->d);
	free(pp->key);
	free(pp->val);
}

static void
pend_drop(struct logreader *r, size_t i)
{
	pend_free(&r->v[i]);
	r->v[i] = r->v[--r->n];
}

/* " [part=I/M ]KEY="VALUE"" and the end of the message */
static int
value(const char **s, size_t *i, size_t *m, char **key, const char **v,
    size_t *n)
{
	const char *k;

	*i = *m = 1;
	if (skip(s, " part=")) {
		if (!number(s, i) || !skip(s, "/") || !number(s, m) ||
		    *i == 0 || *i > *m || *m > LOG_PARTS_MAX)
			return 0;
	}
	if (!skip(s, " "))
		return 0;
	k = *s;
	if (!skip(s, "command=\"") && !skip(s, "non-options=\""))
		return 0;
	*key = xstrndup(k, (size_t)(*s - k) - 2);
	(*s)--;
	return quoted(s, v, n) && **s == '\0';
}

enum logread
logread_line(struct logreader *r, const char *line, struct logdeny *d)
{
	struct logpend p, *pp;
	const char *s, *v;
	char pid[24], *key = NULL, *t;
	size_t i, m, n, k;

	memset(d, 0, sizeof(*d));
	if ((s = message(line, pid, sizeof(pid))) == NULL)
		return LOGREAD_NONE;
	if (skip(&s, "deny part=")) {
		s -= strlen(" part=");	/* value() reads it */
		for (k = 0; k < r->n && strcmp(r->v[k].pid, pid) != 0; k++)
			;
		if (k == r->n)
			return LOGREAD_BAD;	/* no first part */
		pp = &r->v[k];
		if (!value(&s, &i, &m, &key, &v, &n) || i != pp->have + 1 ||
		    m != pp->m || strcmp(key, pp->key) != 0) {
			free(key);
			pend_drop(r, k);
			return LOGREAD_BAD;
		}
		free(key);
		t = xasprintf("%s%.*s", pp->val, (int)n, v);
		free(pp->val);
		pp->val = t;
		if (++pp->have < pp->m)
			return LOGREAD_PART;
		if (finish(pp) != 0) {
			pend_drop(r, k);
			return LOGREAD_BAD;
		}
		*d = pp->d;
		memset(&pp->d, 0, sizeof(pp->d));
		pend_drop(r, k);
		return LOGREAD_DONE;
	}
	if (!skip(&s, "deny caller="))
		return LOGREAD_NONE;
	memset(&p, 0, sizeof(p));
	snprintf(p.pid, sizeof(p.pid), "%s", pid);
	if ((p.d.caller = token(&s)) == NULL || !skip(&s, " from=") ||
	    (p.d.from = token(&s)) == NULL || !selector(&p.d.from, 1) ||
	    !skip(&s, " tag=") || (p.d.tag = token(&s)) == NULL ||
	    !selector(&p.d.tag, 0) || !skip(&s, " reason=") ||
	    !quoted(&s, &v, &n))
		goto bad;
	for (k = 0; k < n; k++)		/* the gate's reasons are printable */
		if ((unsigned char)v[k] < 0x20 || (unsigned char)v[k] >= 0x7f)
			goto bad;
	p.d.reason = xstrndup(v, n);
	if (skip(&s, " words=")) {
		if (!number(&s, &p.d.words) || !skip(&s, " sha256=") ||
		    strspn(s, "0123456789abcdef") != 2 * SHA256_LEN)
			goto bad;
		s += 2 * SHA256_LEN;
		if (!skip(&s, " options-not-logged=") || !number(&s, &n))
			goto bad;
	}
	if (!value(&s, &i, &m, &p.key, &v, &n) || i != 1 ||
	    (p.d.words > 0) != (strcmp(p.key, "non-options") == 0))
		goto bad;
	p.val = xstrndup(v, n);
	p.have = 1;
	p.m = m;
	/* a first part again from this pid: the one before lost its end */
	for (k = 0; k < r->n; k++)
		if (strcmp(r->v[k].pid, pid) == 0)
			pend_drop(r, k);
	if (m == 1) {
		if (finish(&p) != 0)
			goto bad;
		*d = p.d;
		memset(&p.d, 0, sizeof(p.d));
		pend_free(&p);
		return LOGREAD_DONE;
	}
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	r->v[r->n++] = p;
	return LOGREAD_PART;
bad:
	pend_free(&p);
	return LOGREAD_BAD;
}

size_t
logread_end(struct logreader *r)
{
	size_t n = r->n;

	while (r->n > 0)
		pend_drop(r, r->n - 1);
	free(r->v);
	r->v = NULL;
	return n;
}
