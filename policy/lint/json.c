/*
 * The JSON writer.  MUST produce valid JSON from any bytes (see json.h);
 * nesting deeper than JSON_MAX_DEPTH is a programming error and aborts
 * through xfatal_hook rather than writing something malformed.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "xmalloc.h"

void
json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Before any value: a comma if it is not the first at its level. */
static void
sep(struct json *j)
{
	if (j->keyed) {
		j->keyed = 0;
		return;
	}
	if (j->depth > 0 && j->count[j->depth - 1]++ > 0)
		fputc(',', j->f);
}

static void
push(struct json *j, int c)
{
	sep(j);
	if (j->depth >= JSON_MAX_DEPTH)
		xfatal_hook("JSON nesting too deep");
	fputc(c, j->f);
	j->count[j->depth++] = 0;
}

static void
pop(struct json *j, int c)
{
	if (j->depth == 0)
		xfatal_hook("JSON nesting mismatch");
	j->depth--;
	fputc(c, j->f);
	if (j->depth == 0)
		fputc('\n', j->f);
}

void
json_obj(struct json *j)
{
	push(j, '{');
}

void
json_obj_end(struct json *j)
{
	pop(j, '}');
}

void
json_arr(struct json *j)
{
	push(j, '[');
}

void
json_arr_end(struct json *j)
{
	pop(j, ']');
}

static void
put_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':	fputs("\\\"", f); break;
		case '\\':	fputs("\\\\", f); break;
		case '\n':	fputs("\\n", f); break;
		case '\t':	fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void
json_key(struct json *j, const char *key)
{
	sep(j);
	put_string(j->f, key);
	fputc(':', j->f);
	j->keyed = 1;
}

void
json_str(struct json *j, const char *s)
{
	sep(j);
	if (s == NULL)
		fputs("null", j->f);
	else
		put_string(j->f, s);
}

void
json_int(struct json *j, long long v)
{
	sep(j);
	fprintf(j->f, "%lld", v);
}

void
json_bool(struct json *j, int b)
{
	sep(j);
	fputs(b ? "true" : "false", j->f);
}

void
json_null(struct json *j)
{
	sep(j);
	fputs("null", j->f);
}

void
json_kstr(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void
json_kint(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

void
json_kbool(struct json *j, const char *key, int b)
{
	json_key(j, key);
	json_bool(j, b);
}
