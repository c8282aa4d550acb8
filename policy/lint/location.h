/*
 * borg's repository locations, for the repository probes (probe.c):
 * ssh://[user@]host[:port]/path[::archive], [user@]host:path[::archive]
 * (scp style), file:///path, or a local path; and the mutants of a
 * location a pattern should not accept.
 */
#ifndef SSHGATE_LOCATION_H
#define SSHGATE_LOCATION_H

#include <stddef.h>

#include "strv.h"

/* The host's start and length in s, or 0 if s is not a remote one. */
int	remote_host(const char *s, size_t *start, size_t *len);

/* The path and archive part of a remote location: "/./repo::a". */
const char *remote_rest(const char *s);

/* s with its host replaced by __testsuite__ (borg's local test server). */
void	mutants_testsuite(const char *s, struct strv *out);

/* s made a local repository: its path, /tmp/repo, file:///tmp/repo. */
void	mutants_local(const char *s, struct strv *out);

/* s with a {now:FORMAT} placeholder that leads out of its path. */
void	mutants_placeholder(const char *s, struct strv *out);

#endif
