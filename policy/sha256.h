/*
 * SHA-256 (FIPS 180-4), for the digest of a long argv in the gate's log
 * (docs/sshgate.8, LOGGING).  Small and self-contained: the gate links no
 * crypto library.
 */
#ifndef SSHGATE_SHA256_H
#define SSHGATE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32

struct sha256 {
	uint32_t	h[8];
	uint64_t	bytes;		/* message length so far */
	unsigned char	buf[64];	/* a block being filled */
	size_t		nbuf;
};

void	sha256_init(struct sha256 *c);
void	sha256_add(struct sha256 *c, const void *data, size_t len);
void	sha256_end(struct sha256 *c, unsigned char out[SHA256_LEN]);

/* The digest of words v[0..n-1], each followed by one NUL byte (what
 * "printf '%s\0' WORD ... | sha256sum" prints), as 64 hex digits. */
void	sha256_words(char *const *v, size_t n, char hex[2 * SHA256_LEN + 1]);

#endif
