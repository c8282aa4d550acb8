/*
 * The regex sampler: a word a simple regex probably accepts, for the
 * danger probes' example commands (probe.c).  Only a guess: the caller
 * keeps it only if the matcher accepts it.
 */
#ifndef SSHGATE_SAMPLER_H
#define SSHGATE_SAMPLER_H

/*
 * Literals and escapes as written, the first choice of every group, a
 * letter or digit of every class, each quantified item its minimum
 * number of times (more = 0) or at least once (more = 1).  Returns an
 * allocated word, or NULL for what it does not understand (lookarounds,
 * back references, \b ...).
 */
char	*regex_example(const char *re, int more);

#endif
