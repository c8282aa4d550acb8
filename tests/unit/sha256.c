/*
 * policy/sha256.c against the examples of FIPS 180-4 (and its long
 * message: a million 'a'), fed in pieces of every size; and the digest
 * of words as docs/sshgate.8 says to reproduce it: printf '%s\0' WORD ...
 * | sha256sum.
 */
#include <string.h>

#include "sha256.h"
#include "../tap.h"

static void
hex(const unsigned char *d, char *out)
{
	int i;

	for (i = 0; i < SHA256_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void
check(const char *msg, size_t len, size_t repeat, const char *want)
{
	struct sha256 c;
	unsigned char d[SHA256_LEN];
	char got[2 * SHA256_LEN + 1];
	size_t piece, i, off, n;

	for (piece = 1; piece <= 129; piece += piece < 3 ? 1 : 63) {
		sha256_init(&c);
		for (i = 0; i < repeat; i++)
			for (off = 0; off < len; off += n) {
				n = len - off < piece ? len - off : piece;
				sha256_add(&c, msg + off, n);
			}
		sha256_end(&c, d);
		hex(d, got);
		tap_ok(strcmp(got, want) == 0, "%zu bytes x %zu in pieces of "
		    "%zu: %s", len, repeat, piece, got);
	}
}

int
main(void)
{
	char w0[] = "borg", w1[] = "create", w2[] = "", w3[] = "/root /etc";
	char *words[] = { w0, w1, w2, w3 };
	char got[2 * SHA256_LEN + 1];

	check("", 0, 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca"
	    "495991b7852b855");
	check("abc", 3, 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb"
	    "410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 1,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check("aaaaaaaaaa", 10, 100000, "cdc76e5c9914fb9281a1c7e284d73e67f1809"
	    "a48a497200e046d39ccc7112cd0");
	/* printf 'borg\0create\0\0/root /etc\0' | sha256sum */
	sha256_words(words, 4, got);
	tap_ok(strcmp(got, "a728a6120fe4693a98b14c28567ad507a14a3c2d2c04047f"
	    "efe179ddb396d3ad") == 0, "the words, each ended by a NUL: %s",
	    got);
	return tap_done();
}
