/*
 * marvin.c - Marvin32, the keyed hash of HvLE log entries (format-notes
 * §2.3).  Written from the published description: two 32-bit state words
 * mixed by a fixed block function, one 32-bit little-endian word at a time,
 * then a padded tail word and two more rounds.  Unlike yarp's port, the
 * tail handles every length (it is only ever a multiple of 8 in logs, but
 * the function is tested on all the public vectors).
 */
#include "config.h"

#include "common/common.h"
#include "hive/replay.h"

static inline uint32_t
rotl32(uint32_t x, unsigned int n)
{
	return (x << n) | (x >> (32 - n));
}

#define MARVIN_BLOCK(lo, hi) do {					\
	(hi) ^= (lo);							\
	(lo) = rotl32((lo), 20) + (hi);					\
	(hi) = rotl32((hi), 9) ^ (lo);					\
	(lo) = rotl32((lo), 27) + (hi);					\
	(hi) = rotl32((hi), 19);					\
} while (0)

uint64_t
marvin32(uint64_t seed, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t lo = (uint32_t)seed, hi = (uint32_t)(seed >> 32), fin;
	size_t n = len / 4, i;

	for (i = 0; i < n; i++, p += 4) {
		lo += le32(p);
		MARVIN_BLOCK(lo, hi);
	}
	/* The 0..3 tail bytes go below a 0x80 terminator byte. */
	switch (len & 3) {
	case 3:
		fin = 0x80000000U | (uint32_t)p[2] << 16 |
		    (uint32_t)p[1] << 8 | p[0];
		break;
	case 2:
		fin = 0x800000U | (uint32_t)p[1] << 8 | p[0];
		break;
	case 1:
		fin = 0x8000U | p[0];
		break;
	default:
		fin = 0x80;
		break;
	}
	lo += fin;
	MARVIN_BLOCK(lo, hi);
	MARVIN_BLOCK(lo, hi);
	return (uint64_t)hi << 32 | lo;
}
