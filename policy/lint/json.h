/*
 * A small streaming JSON writer for sshgate-lint --json: one record (an
 * object) per line.  Strings are escaped so that any byte is safe: '"',
 * '\' and control bytes as JSON escapes, and every byte outside
 * printable ASCII as \u00XX (the byte's value), so the output is always
 * ASCII and valid JSON whatever the input.
 */
#ifndef SSHGATE_JSON_H
#define SSHGATE_JSON_H

#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE	*f;
	int	 depth;
	int	 count[JSON_MAX_DEPTH];	/* values written at each level */
	int	 keyed;			/* a key was just written */
};

void	json_init(struct json *j, FILE *f);
void	json_obj(struct json *j);		/* { */
void	json_obj_end(struct json *j);		/* }, and a newline at depth 0 */
void	json_arr(struct json *j);		/* [ */
void	json_arr_end(struct json *j);		/* ] */
void	json_key(struct json *j, const char *key);
void	json_str(struct json *j, const char *s);	/* NULL: null */
void	json_int(struct json *j, long long v);
void	json_bool(struct json *j, int b);
void	json_null(struct json *j);

/* key and value in one call */
void	json_kstr(struct json *j, const char *key, const char *s);
void	json_kint(struct json *j, const char *key, long long v);
void	json_kbool(struct json *j, const char *key, int b);

#endif
