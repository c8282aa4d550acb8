/*
 * borg's repository locations (location.h), as borg parses them; what
 * a pattern may accept is decided by policy_decide() on a whole command
 * (probe.c), not here.
 */
#include <stdlib.h>
#include <string.h>

#include "location.h"
#include "xmalloc.h"

/*
 * borg's locations: ssh://[user@]host[:port]/path[::archive],
 * [user@]host:path[::archive] (scp style), file:///path, or a local path.
 * Returns the host's start and length, or 0 if s is not a remote one.
 */
int
remote_host(const char *s, size_t *start, size_t *len)
{
	const char *h, *e, *at, *colon;

	if (strncmp(s, "ssh://", 6) == 0) {
		h = s + 6;
		e = h + strcspn(h, "/");
		at = memchr(h, '@', (size_t)(e - h));
		if (at != NULL)
			h = at + 1;
		colon = memchr(h, ':', (size_t)(e - h));
		if (colon != NULL)
			e = colon;
	} else {
		colon = strchr(s, ':');
		if (colon == NULL || colon == s || colon[1] == ':' ||
		    strchr(s, '/') < colon || strncmp(s, "file:", 5) == 0)
			return 0;
		h = s;
		at = memchr(h, '@', (size_t)(colon - h));
		if (at != NULL)
			h = at + 1;
		e = colon;
	}
	if (e == h)
		return 0;
	*start = (size_t)(h - s);
	*len = (size_t)(e - h);
	return 1;
}

/* The path and archive part of a remote location: "/./repo::a". */
const char *
remote_rest(const char *s)
{
	const char *p;

	if (strncmp(s, "ssh://", 6) == 0) {
		p = strchr(s + 6, '/');
		return p ? p : "";
	}
	p = strchr(s, ':');
	return p ? p + 1 : "";
}

static char *
replace(const char *s, size_t start, size_t len, const char *with)
{
	return xasprintf("%.*s%s%s", (int)start, s, with, s + start + len);
}

void
mutants_testsuite(const char *s, struct strv *out)
{
	size_t hs, hl;
	char *m;

	if (!remote_host(s, &hs, &hl))
		return;
	m = replace(s, hs, hl, "__testsuite__");
	strv_add(out, m);
	free(m);
}

void
mutants_local(const char *s, struct strv *out)
{
	const char *rest = remote_rest(s), *arch = strstr(s, "::");
	size_t hs, hl;
	char *m;

	if (!remote_host(s, &hs, &hl))
		return;
	if (arch == NULL)
		arch = "";
	strv_add(out, rest);
	if (rest[0] != '/') {
		m = xasprintf("/%s", rest);
		strv_add(out, m);
		free(m);
	}
	m = xasprintf("/tmp/repo%s", arch);
	strv_add(out, m);
	free(m);
	m = xasprintf("file:///tmp/repo%s", arch);
	strv_add(out, m);
	free(m);
}

void
mutants_placeholder(const char *s, struct strv *out)
{
	static const char *const bad[] = {
		"{now:/../../x}", "{now:%Y/../..}", "{utcnow:/../../x}", NULL
	};
	const char *p, *q, *arch;
	size_t i, hs, hl;
	char *m;

	for (p = s; (p = strchr(p, '{')) != NULL; p++) {
		if (strncmp(p, "{now", 4) != 0 && strncmp(p, "{utcnow", 7) != 0)
			continue;
		q = strchr(p, '}');
		if (q == NULL)
			break;
		for (i = 0; bad[i] != NULL; i++) {
			m = replace(s, (size_t)(p - s), (size_t)(q - p + 1),
			    bad[i]);
			strv_add(out, m);
			free(m);
		}
	}
	if (!remote_host(s, &hs, &hl))
		return;
	arch = strstr(s, "::");
	if (arch != NULL) {
		m = replace(s, (size_t)(arch - s), 0, bad[0]);	/* in the path */
		strv_add(out, m);
		free(m);
	}
	m = xasprintf("%s%s%s", s, arch ? "" : "::", bad[0]);
	strv_add(out, m);
	free(m);
}
