/*
 * logwrite.c - the project's own transaction-log writer: given the primary
 * image before and after a change, writes the log Windows would have left
 * (new format: base block + HvLE entries hashed with Marvin32; old format:
 * base block + DIRT vector + 512-byte pages).  Tests and fixtures use it to
 * make dirty hives whose recovery is known; it never touches a file.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/replay.h"

#define BB	REGF_BASE_BLOCK
#define PAGE	4096

/* Checks an image and returns its hive bins size, or 0. */
static uint32_t
image_hbins(const unsigned char *img, size_t len)
{
	uint32_t hbins;

	if (img == NULL || len < BB || memcmp(img, "regf", 4) != 0)
		return 0;
	hbins = le32(img + 0x28);
	if (hbins < PAGE || hbins % PAGE != 0 ||
	    hbins > HIVE_REPLAY_MAX_HBINS || len - BB < hbins)
		return 0;
	return hbins;
}

/* Whether 4 KiB block b of the bins differs (anything past old differs). */
static int
block_differs(const unsigned char *o, uint32_t ohb, const unsigned char *n,
    uint64_t off, size_t size)
{
	if (off + size > ohb)
		return 1;
	return memcmp(o + BB + off, n + BB + off, size) != 0;
}

static void
put_le64(unsigned char *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

int
replay_rehash_entry(unsigned char *log, size_t len, size_t off)
{
	uint32_t size;

	if (off > len || len - off < 40 || memcmp(log + off, "HvLE", 4) != 0)
		return -1;
	size = le32(log + off + 4);
	if (size < 40 || size > len - off)
		return -1;
	put_le64(log + off + 24, marvin32(HIVE_MARVIN_SEED, log + off + 40,
	    size - 40));
	put_le64(log + off + 32, marvin32(HIVE_MARVIN_SEED, log + off, 32));
	return 0;
}

/* A run of differing 4 KiB blocks: one page reference. */
struct run {
	uint32_t	off;
	uint32_t	size;
};

int
replay_write_new_log(struct offmig_ctx *ctx, const unsigned char *oldimg,
    size_t oldlen, const unsigned char *newimg, size_t newlen, uint32_t seq,
    size_t nentries, unsigned char **outp, size_t *outlenp)
{
	uint32_t ohb = image_hbins(oldimg, oldlen);
	uint32_t nhb = image_hbins(newimg, newlen);
	struct run *runs = NULL;
	size_t nruns = 0, nblocks = 0, per, i, k, pos, total;
	unsigned char *out;
	uint64_t off;

	*outp = NULL;
	*outlenp = 0;
	if (ohb == 0 || nhb == 0 || nentries == 0)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "log writer: "
		    "the images must be hives with valid hive bins sizes");
	if ((runs = calloc(nhb / PAGE, sizeof(*runs))) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "log writer");
	for (off = 0; off < nhb; off += PAGE) {
		if (!block_differs(oldimg, ohb, newimg, off, PAGE))
			continue;
		nblocks++;
		if (nruns > 0 && runs[nruns - 1].off + runs[nruns - 1].size ==
		    off)
			runs[nruns - 1].size += PAGE;
		else {
			runs[nruns].off = (uint32_t)off;
			runs[nruns].size = PAGE;
			nruns++;
		}
	}
	/* Split runs so that each entry can get at least one. */
	while (nruns < nentries && nruns < nblocks) {
		for (i = 0; i < nruns && runs[i].size == PAGE; i++)
			;
		memmove(runs + i + 2, runs + i + 1, (nruns - i - 1) *
		    sizeof(*runs));
		runs[i + 1].off = runs[i].off + PAGE;
		runs[i + 1].size = runs[i].size - PAGE;
		runs[i].size = PAGE;
		nruns++;
	}
	if (nentries > nruns)
		nentries = nruns;
	/* Size: base block, then each entry rounded up to 512. */
	per = nentries > 0 ? (nruns + nentries - 1) / nentries : 0;
	total = 512;
	for (k = 0, i = 0; k < nentries; k++) {
		size_t n = nruns - i < per ? nruns - i : per, j, esz = 40;

		/* Leave at least one run for each remaining entry. */
		if (nruns - (i + n) < nentries - k - 1)
			n = nruns - i - (nentries - k - 1);
		for (j = i; j < i + n; j++)
			esz += 8 + runs[j].size;
		total += (esz + 511) / 512 * 512;
		i += n;
	}
	if ((out = calloc(1, total)) == NULL) {
		free(runs);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "log writer");
	}
	memcpy(out, newimg, 512);
	put_le32(out + 0x1C, 6);
	regf_set_sequences(out, seq, seq);
	pos = 512;
	for (k = 0, i = 0; k < nentries; k++) {
		size_t n = nruns - i < per ? nruns - i : per, j, esz = 40, data;
		unsigned char *e = out + pos;

		if (nruns - (i + n) < nentries - k - 1)
			n = nruns - i - (nentries - k - 1);
		for (j = i; j < i + n; j++)
			esz += 8 + runs[j].size;
		esz = (esz + 511) / 512 * 512;
		memcpy(e, "HvLE", 4);
		put_le32(e + 4, (uint32_t)esz);
		put_le32(e + 8, le32(newimg + 0x90) & 1);
		put_le32(e + 12, seq + (uint32_t)k);
		put_le32(e + 16, nhb);
		put_le32(e + 20, (uint32_t)n);
		data = 40 + 8 * n;
		for (j = i; j < i + n; j++) {
			put_le32(e + 40 + 8 * (j - i), runs[j].off);
			put_le32(e + 44 + 8 * (j - i), runs[j].size);
			memcpy(e + data, newimg + BB + runs[j].off,
			    runs[j].size);
			data += runs[j].size;
		}
		(void)replay_rehash_entry(out, total, pos);
		pos += esz;
		i += n;
	}
	free(runs);
	*outp = out;
	*outlenp = total;
	return OFFMIG_OK;
}

int
replay_write_old_log(struct offmig_ctx *ctx, const unsigned char *oldimg,
    size_t oldlen, const unsigned char *newimg, size_t newlen, uint32_t seq,
    uint64_t last_written, unsigned char **outp, size_t *outlenp)
{
	uint32_t ohb = image_hbins(oldimg, oldlen);
	uint32_t nhb = image_hbins(newimg, newlen);
	size_t nbytes, pages_off, npages = 0, total, i;
	unsigned char *out;
	uint64_t off;

	*outp = NULL;
	*outlenp = 0;
	if (ohb == 0 || nhb == 0)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "log writer: "
		    "the images must be hives with valid hive bins sizes");
	nbytes = nhb / PAGE;
	for (off = 0; off < nhb; off += PAGE)
		if (block_differs(oldimg, ohb, newimg, off, PAGE))
			npages += PAGE / 512;
	pages_off = (512 + 4 + nbytes + 511) / 512 * 512;
	total = pages_off + npages * 512;
	if ((out = calloc(1, total)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "log writer");
	memcpy(out, newimg, 512);
	put_le32(out + 0x1C, 1);
	put_le32(out + 0x0C, (uint32_t)last_written);
	put_le32(out + 0x10, (uint32_t)(last_written >> 32));
	regf_set_sequences(out, seq, seq);
	memcpy(out + 512, "DIRT", 4);
	/* Windows dirties whole 4 KiB blocks: bitmap bytes are 0 or 0xFF. */
	for (off = 0, i = 0; off < nhb; off += PAGE)
		if (block_differs(oldimg, ohb, newimg, off, PAGE)) {
			out[516 + off / PAGE] = 0xFF;
			memcpy(out + pages_off + i * 512, newimg + BB + off,
			    PAGE);
			i += PAGE / 512;
		}
	*outp = out;
	*outlenp = total;
	return OFFMIG_OK;
}
