/*
 * sha256.h - SHA-256 (FIPS 180-4), incremental.  Used for the store
 * manifest's seal and for comparing file contents; no external library.
 */
#ifndef OFFMIG_SHA256_H
#define OFFMIG_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN	32
#define SHA256_HEX_LEN		64

struct sha256 {
	uint32_t	h[8];		/* running hash value H(i) */
	uint64_t	len;		/* bytes hashed so far */
	unsigned char	buf[64];	/* partial block */
	size_t		nbuf;		/* bytes in buf */
};

void	sha256_init(struct sha256 *c);
void	sha256_update(struct sha256 *c, const void *data, size_t len);
/* Finishes the hash into out; c must be initialised again to be reused. */
void	sha256_final(struct sha256 *c, unsigned char out[SHA256_DIGEST_LEN]);
/* Lower-case hex of a digest into hex (65 bytes with the NUL). */
void	sha256_hex(const unsigned char d[SHA256_DIGEST_LEN],
	    char hex[SHA256_HEX_LEN + 1]);
/*
 * The hex digest of what is read from fd to its end (from its current
 * offset).  Returns 0, or -1 with errno set on a read error.
 */
int	sha256_fd(int fd, char hex[SHA256_HEX_LEN + 1]);

#endif /* OFFMIG_SHA256_H */
