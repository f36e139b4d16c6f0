/*
 * replay.c - transaction-log replay in memory (the rules are in replay.h).
 * The primary and the logs are untrusted: every offset and length read
 * from them is checked against its buffer before use, sizes are computed
 * in 64 bits, loops are bounded by the input length, and nothing is
 * allocated from a size a file claims before that size has been checked
 * against HIVE_REPLAY_MAX_HBINS and against the data that would fill it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/replay.h"

#define BB		REGF_BASE_BLOCK	/* 4096 */
#define LOG_SECTOR	512		/* log base block copy, entry alignment */
#define HVLE_HDR	40		/* HvLE header before the page references */

/* Offsets in a base block. */
#define BB_SEQ1		0x04
#define BB_SEQ2		0x08
#define BB_MAJOR	0x14
#define BB_MINOR	0x18
#define BB_TYPE		0x1C
#define BB_ROOT		0x24
#define BB_HBINS	0x28
#define BB_FLAGS	0x90
#define BB_CHECKSUM	0x1FC

/* One valid HvLE entry of a chain, as the scan found it. */
struct entry {
	size_t		 pos;		/* offset in the log */
	uint32_t	 size;
	uint32_t	 flags;
	uint32_t	 seq;
	uint32_t	 hbins;
	uint32_t	 count;		/* page references */
	uint64_t	 page_bytes;	/* sum of their sizes */
};

/* Working state for one log. */
struct lg {
	const struct replay_log_in *in;
	struct replay_log *out;
	size_t		 index;		/* position in the input */
	uint32_t	 clustering;
	/* New format: the valid chain. */
	struct entry	*ent;
	size_t		 nent;
	size_t		 plan;		/* entries to apply */
	/* Old format: the dirty vector. */
	size_t		 sector;	/* base block copy size */
	size_t		 bitmap_off;
	size_t		 pages_off;
	uint64_t	 dirty_bytes;
};

/* Serial number arithmetic (RFC 1982 style) on 32-bit sequence numbers. */
static int
seq_ge(uint32_t a, uint32_t b)
{
	return (uint32_t)(a - b) < 0x80000000U;
}

static int
seq_before(uint32_t a, uint32_t b)
{
	uint32_t d = b - a;

	return d >= 1 && d <= 0x7FFFFFFFU;
}

static void
setnote(char *note, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
setnote(char *note, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(note, size, fmt, ap);
	va_end(ap);
}

#define NOTE(buf, ...)	setnote((buf), sizeof(buf), __VA_ARGS__)

static int
hbins_ok(uint32_t hbins)
{
	return hbins >= 4096 && hbins % 4096 == 0 &&
	    hbins <= HIVE_REPLAY_MAX_HBINS;
}

/* A base block copy (>= 512 bytes) with signature and checksum right. */
static int
base_valid(const unsigned char *p, size_t len)
{
	return len >= LOG_SECTOR && memcmp(p, "regf", 4) == 0 &&
	    le32(p + BB_CHECKSUM) == regf_checksum(p);
}

/*
 * The header of the bin at hbins offset off in hdr (32 bytes readable):
 * signature, its own offset, and a size that is a multiple of 4096 and
 * ends within hbins.  Returns the size, or 0 when invalid.
 */
static uint32_t
hbin_size(const unsigned char *hdr, uint64_t off, uint64_t hbins)
{
	uint32_t size;

	if (memcmp(hdr, "hbin", 4) != 0 || le32(hdr + 4) != off)
		return 0;
	size = le32(hdr + 8);
	if (size < 4096 || size % 4096 != 0 || size > hbins - off)
		return 0;
	return size;
}

/*
 * Scans the HvLE chain of a new-format log from offset 512: entries must
 * follow each other with sequence numbers from the base block's seq1 on.
 * Fills l->ent and the counters; the note says where and why it stops.
 */
static int
scan_new(struct lg *l)
{
	const unsigned char *d = l->in->data;
	size_t len = l->in->len, pos = LOG_SECTOR, cap = 0;
	struct replay_log *o = l->out;
	uint32_t expect = o->seq1;
	const char *why = NULL;
	char buf[120];

	for (;;) {
		const unsigned char *e = d + pos;
		struct entry en;
		uint64_t refs_end, data_end;
		uint32_t i;

		if (len - pos < HVLE_HDR) {
			why = "end of file";
			break;
		}
		if (memcmp(e, "HvLE", 4) != 0) {
			why = "no HvLE signature";
			break;
		}
		memset(&en, 0, sizeof(en));
		en.pos = pos;
		en.size = le32(e + 4);
		en.flags = le32(e + 8);
		en.seq = le32(e + 12);
		en.hbins = le32(e + 16);
		en.count = le32(e + 20);
		if (en.size < 512 || en.size % 512 != 0 ||
		    en.size > len - pos) {
			snprintf(buf, sizeof(buf), "size %u is invalid or "
			    "past the end of the log", en.size);
			why = buf;
			break;
		}
		if (!hbins_ok(en.hbins)) {
			snprintf(buf, sizeof(buf), "hive bins size %u is "
			    "invalid", en.hbins);
			why = buf;
			break;
		}
		refs_end = HVLE_HDR + 8 * (uint64_t)en.count;
		if (en.count == 0 || refs_end > en.size) {
			snprintf(buf, sizeof(buf), "page count %u does not "
			    "fit", en.count);
			why = buf;
			break;
		}
		/* Hash-1 covers Hash-2's input, so it is checked first. */
		if (marvin32(HIVE_MARVIN_SEED, e + HVLE_HDR,
		    en.size - HVLE_HDR) != le64(e + 24) ||
		    marvin32(HIVE_MARVIN_SEED, e, 32) != le64(e + 32)) {
			why = "hash mismatch";
			break;
		}
		if (en.seq != expect) {
			snprintf(buf, sizeof(buf), "sequence %u, expected %u",
			    en.seq, expect);
			why = buf;
			break;
		}
		data_end = refs_end;
		for (i = 0; i < en.count; i++) {
			uint32_t off = le32(e + HVLE_HDR + 8 * (size_t)i);
			uint32_t sz = le32(e + HVLE_HDR + 8 * (size_t)i + 4);

			if ((uint64_t)off + sz > en.hbins)
				break;
			data_end += sz;
			en.page_bytes += sz;
		}
		if (i < en.count) {
			snprintf(buf, sizeof(buf), "page %u lies outside the "
			    "hive bins", i + 1);
			why = buf;
			break;
		}
		if (data_end > en.size) {
			why = "pages overrun the entry";
			break;
		}
		if (l->nent == cap) {
			struct entry *t;

			cap = cap == 0 ? 16 : cap * 2;
			if ((t = realloc(l->ent, cap * sizeof(*t))) == NULL)
				return OFFMIG_ENOMEM;
			l->ent = t;
		}
		l->ent[l->nent++] = en;
		if (l->nent == 1)
			o->first_seq = en.seq;
		o->last_seq = en.seq;
		o->pages += en.count;
		expect = en.seq + 1;
		pos += en.size;
	}
	o->entries = l->nent;
	if (strcmp(why, "end of file") == 0)
		NOTE(o->note, "%zu entries, chain ends at the end of the log",
		    l->nent);
	else
		NOTE(o->note, "%zu entries, entry %zu at 0x%zx: %s", l->nent,
		    l->nent + 1, pos, why);
	return OFFMIG_OK;
}

/* Validates the dirty vector of an old-format log. */
static void
scan_old(struct lg *l)
{
	const unsigned char *d = l->in->data;
	size_t len = l->in->len, nbytes, i;
	struct replay_log *o = l->out;
	uint64_t pages = 0, need;

	/* The base block copy is one sector: 512 × clustering factor. */
	l->sector = l->clustering >= 2 && l->clustering <= 8 ?
	    LOG_SECTOR * (size_t)l->clustering : LOG_SECTOR;
	l->bitmap_off = l->sector + 4;
	if (len < l->bitmap_off || memcmp(d + l->sector, "DIRT", 4) != 0) {
		o->base_ok = 0;
		NOTE(o->note, "no DIRT signature at 0x%zx", l->sector);
		return;
	}
	nbytes = o->hbins_size / 4096;	/* 1 bit per 512-byte page */
	if (nbytes > len - l->bitmap_off) {
		o->base_ok = 0;
		NOTE(o->note, "dirty vector of %zu bytes is cut short",
		    nbytes);
		return;
	}
	for (i = 0; i < nbytes; i++)
		pages += (uint64_t)__builtin_popcount(d[l->bitmap_off + i]);
	l->pages_off = (l->bitmap_off + nbytes + l->sector - 1) /
	    l->sector * l->sector;
	need = l->pages_off + pages * 512;
	if (need > len) {
		o->base_ok = 0;
		NOTE(o->note, "truncated: %llu dirty pages need %llu bytes, "
		    "the log has %zu", (unsigned long long)pages,
		    (unsigned long long)need, len);
		return;
	}
	o->pages = (size_t)pages;
	o->entries = 1;
	l->dirty_bytes = pages * 512;
	NOTE(o->note, "%zu dirty pages", o->pages);
}

/* Describes one log: format, base block, and its chain or dirty vector. */
static int
describe(struct lg *l)
{
	const struct replay_log_in *in = l->in;
	struct replay_log *o = l->out;
	const unsigned char *d = in->data;
	uint32_t type;

	if (in->len == 0 || d == NULL) {
		o->format = REPLAY_FMT_EMPTY;
		NOTE(o->note, "empty");
		return OFFMIG_OK;
	}
	o->format = REPLAY_FMT_UNKNOWN;
	if (in->len < LOG_SECTOR) {
		NOTE(o->note, "%zu bytes: too short for a base block",
		    in->len);
		return OFFMIG_OK;
	}
	if (memcmp(d, "regf", 4) != 0) {
		NOTE(o->note, "no regf signature");
		return OFFMIG_OK;
	}
	o->seq1 = le32(d + BB_SEQ1);
	o->seq2 = le32(d + BB_SEQ2);
	o->last_written = le64(d + 0x0C);
	o->hbins_size = le32(d + BB_HBINS);
	l->clustering = le32(d + 0x2C);
	type = le32(d + BB_TYPE);
	if (type == 6)
		o->format = REPLAY_FMT_NEW;
	else if (type == 1 || type == 2)
		o->format = REPLAY_FMT_OLD;
	else {
		NOTE(o->note, "file type %u is not a log", type);
		return OFFMIG_OK;
	}
	if (le32(d + BB_CHECKSUM) != regf_checksum(d)) {
		NOTE(o->note, "base block checksum 0x%08x, should be 0x%08x",
		    le32(d + BB_CHECKSUM), regf_checksum(d));
		return OFFMIG_OK;
	}
	if (o->seq1 != o->seq2) {
		NOTE(o->note, "base block sequence numbers differ (%u/%u)",
		    o->seq1, o->seq2);
		return OFFMIG_OK;
	}
	if (!hbins_ok(o->hbins_size)) {
		NOTE(o->note, "base block hive bins size %u is invalid",
		    o->hbins_size);
		return OFFMIG_OK;
	}
	o->base_ok = 1;
	if (o->format == REPLAY_FMT_NEW)
		return scan_new(l);
	scan_old(l);
	return OFFMIG_OK;
}

/* Appends "; text" (or text) to a note, truncating quietly. */
static void
note_add(char *note, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
note_add(char *note, size_t size, const char *fmt, ...)
{
	size_t n = strlen(note);
	va_list ap;

	if (n + 3 >= size)
		return;
	if (n > 0) {
		memcpy(note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(note + n, size - n, fmt, ap);
	va_end(ap);
}

/* The state shared by the planning and applying steps. */
struct rp {
	const unsigned char *p;		/* primary */
	size_t		 plen;
	/*
	 * The primary's buffer when it is ours to change (hive_replay_dir
	 * read it): the image is made in it rather than in a copy.  Only
	 * image_alloc() takes it, and nothing reads p after that.
	 */
	unsigned char	*own;
	int		 is_hive;	/* "regf" in >= 512 bytes */
	int		 pvalid;	/* ... and checksum right */
	uint32_t	 pseq1, pseq2, phbins;
	uint64_t	 allowance;	/* image size the primary justifies */
	struct lg	*lg;
	size_t		 n;
	struct replay_result *res;
	unsigned char	*img;
	size_t		 ilen;
	unsigned char	*touched;	/* 1 bit per 4 KiB block of bins */
	uint64_t	 touched_bits;
};

/* Allocates the image: the primary (or zeros) grown to len bytes. */
static int
image_alloc(struct rp *r, uint64_t len, uint32_t hbins_max)
{
	if (len < r->plen)
		len = r->plen;
	if (len < BB)
		len = BB;
	if (r->own != NULL) {
		unsigned char *t = realloc(r->own, (size_t)len);

		if (t == NULL)
			return OFFMIG_ENOMEM;
		r->own = NULL;
		r->img = t;
		r->p = t;
	} else {
		if ((r->img = malloc((size_t)len)) == NULL)
			return OFFMIG_ENOMEM;
		mem_prefault(r->img, (size_t)len);
		memcpy(r->img, r->p, r->plen);
	}
	r->ilen = (size_t)len;
	memset(r->img + r->plen, 0, r->ilen - r->plen);
	r->touched_bits = hbins_max / 4096 + 1;
	if ((r->touched = calloc((size_t)(r->touched_bits + 7) / 8, 1)) ==
	    NULL)
		return OFFMIG_ENOMEM;
	return OFFMIG_OK;
}

static void
touch(struct rp *r, uint64_t off, uint64_t len)
{
	uint64_t b;

	if (len == 0)
		return;
	for (b = off / 4096; b <= (off + len - 1) / 4096 &&
	    b < r->touched_bits; b++)
		r->touched[b / 8] |= (unsigned char)(1u << (b % 8));
}

static int
touched(const struct rp *r, uint64_t off)
{
	uint64_t b = off / 4096;

	return b < r->touched_bits && (r->touched[b / 8] >> (b % 8)) & 1;
}

/* Replaces the base block by a log's copy (File type back to 0). */
static void
base_from_log(struct rp *r, const struct lg *l, size_t copy)
{
	memset(r->img, 0, BB);
	memcpy(r->img, l->in->data, copy);
	put_le32(r->img + BB_TYPE, 0);
	r->res->base_from_log = 1;
}

/* Seals the base block: sequence numbers, hive bins size, checksum. */
static void
finish_base(struct rp *r, uint32_t seq, uint32_t hbins)
{
	unsigned char *b = r->img;
	uint32_t before = r->pvalid ? r->phbins :
	    (uint32_t)((r->plen > BB ? r->plen - BB : 0) & ~4095UL);

	put_le32(b + BB_SEQ1, seq);
	put_le32(b + BB_SEQ2, seq);
	put_le32(b + BB_TYPE, 0);
	put_le32(b + BB_HBINS, hbins);
	put_le32(b + BB_CHECKSUM, regf_checksum(b));
	r->res->seq_after = seq;
	r->res->grew = hbins > before;
	r->res->recovered = 1;
	r->res->data = r->img;
	r->res->len = r->ilen;
	r->img = NULL;
}

/*
 * Spec note 10: a bin the applied pages touched and whose header is now
 * invalid becomes a dummy bin (header and one free cell) reaching the next
 * valid bin.  Bins the logs did not touch are the primary's business.
 */
static void
dummy_bins(struct rp *r, uint32_t hbins)
{
	unsigned char *h = r->img + BB;
	uint64_t off = 0, q;
	uint32_t size;

	while (off < hbins) {
		if ((size = hbin_size(h + off, off, hbins)) != 0) {
			off += size;
			continue;
		}
		if (!touched(r, off)) {
			off += 4096;
			continue;
		}
		for (q = off + 4096; q < hbins && hbin_size(h + q, q,
		    hbins) == 0; q += 4096)
			;
		memset(h + off, 0, (size_t)(q - off));
		memcpy(h + off, "hbin", 4);
		put_le32(h + off + 4, (uint32_t)off);
		put_le32(h + off + 8, (uint32_t)(q - off));
		put_le32(h + off + 32, (uint32_t)(q - off - 32));
		r->res->dummy_bins++;
		off = q;
	}
}

/* Copies the planned entries of one log into the image. */
static void
apply_new_log(struct rp *r, struct lg *l, uint32_t *flagsp)
{
	const unsigned char *d = l->in->data;
	size_t k;
	uint32_t i;

	for (k = 0; k < l->plan; k++) {
		const struct entry *en = &l->ent[k];
		const unsigned char *e = d + en->pos;
		size_t data = HVLE_HDR + 8 * (size_t)en->count;

		for (i = 0; i < en->count; i++) {
			uint32_t off = le32(e + HVLE_HDR + 8 * (size_t)i);
			uint32_t sz = le32(e + HVLE_HDR + 8 * (size_t)i + 4);

			/* Checked by scan_new and image sizing. */
			memcpy(r->img + BB + off, e + data, sz);
			touch(r, off, sz);
			data += sz;
		}
		*flagsp = en->flags & 1;
		l->out->pages_applied += en->count;
	}
	l->out->entries_applied = l->plan;
	l->out->applies = l->plan > 0;
	r->res->entries_applied += l->plan;
	r->res->pages_applied += l->out->pages_applied;
}

/*
 * Plans the entries of l after `applied` page bytes of earlier logs: stops
 * before the first entry whose hive bins size the primary and the pages of
 * the logs cannot justify (a hive grows by whole new bins, which are
 * dirty and logged; the whole chain counts, since an entry may announce a
 * size whose pages the next one carries).  Returns the largest hive bins
 * size planned.
 */
static uint32_t
plan_log(struct rp *r, struct lg *l, uint64_t *applied, uint32_t hbmax)
{
	uint64_t total = *applied;
	size_t k;

	for (k = 0; k < l->nent; k++)
		total += l->ent[k].page_bytes;
	for (k = 0; k < l->nent; k++) {
		const struct entry *en = &l->ent[k];

		if (BB + (uint64_t)en->hbins > r->allowance + total) {
			NOTE(l->out->note, "entry %zu at 0x%zx: hive bins size "
			    "%u is more than the primary and the logged pages "
			    "can fill", k + 1, en->pos, en->hbins);
			break;
		}
		*applied += en->page_bytes;
		if (en->hbins > hbmax)
			hbmax = en->hbins;
	}
	l->plan = k;
	return hbmax;
}

/* New format (format-notes §2.4).  Returns OFFMIG_OK with or without data. */
static int
replay_new(struct rp *r)
{
	struct lg *ord[64], *last = NULL, *stand = NULL;
	uint64_t applied = 0;
	uint32_t hbmax = 0, flags = 0, seq = 0, hbins = 0;
	size_t n = 0, i, j;
	int ret, have_last = 0;

	for (i = 0; i < r->n && n < 64; i++)
		if (r->lg[i].out->format == REPLAY_FMT_NEW &&
		    r->lg[i].out->base_ok)
			ord[n++] = &r->lg[i];
	if (n == 0)
		return OFFMIG_OK;
	/* Earlier base-block sequence first; on a tie the longer chain. */
	for (i = 1; i < n; i++) {
		struct lg *t = ord[i];

		for (j = i; j > 0; j--) {
			struct lg *u = ord[j - 1];

			if (seq_before(t->out->seq1, u->out->seq1) ||
			    (t->out->seq1 == u->out->seq1 &&
			    t->nent > u->nent))
				ord[j] = u;
			else
				break;
		}
		ord[j] = t;
	}
	if (!r->pvalid) {
		/* Only the log with the latest entries; its base block. */
		stand = ord[n - 1];
		hbmax = plan_log(r, stand, &applied, 0);
		/* With no entry, the log's own hive bins size stays. */
		if (stand->plan == 0) {
			if (BB + (uint64_t)stand->out->hbins_size >
			    r->allowance) {
				NOTE(stand->out->note, "its hive bins size %u "
				    "is more than the primary file holds",
				    stand->out->hbins_size);
				return OFFMIG_OK;
			}
			hbmax = stand->out->hbins_size;
		}
		for (i = 0; i + 1 < n; i++)
			NOTE(ord[i]->out->note, "not used: the primary base "
			    "block is invalid and only the latest log "
			    "(%s) counts", stand->in->name);
		if ((ret = image_alloc(r, BB + (uint64_t)hbmax, hbmax)) !=
		    OFFMIG_OK)
			return ret;
		base_from_log(r, stand, LOG_SECTOR);
		apply_new_log(r, stand, &flags);
		stand->out->applies = 1;
		seq = stand->plan > 0 ? stand->ent[stand->plan - 1].seq :
		    stand->out->seq1;
		hbins = stand->plan > 0 ? stand->ent[stand->plan - 1].hbins :
		    stand->out->hbins_size;
		if (stand->plan == 0)
			flags = le32(r->img + BB_FLAGS) & 1;
		goto seal;
	}
	for (i = 0; i < n; i++) {
		struct lg *l = ord[i];

		if (!have_last) {
			if (!seq_ge(l->out->seq1, r->pseq2)) {
				NOTE(l->out->note, "too old: starts at seq %u, "
				    "before the primary's secondary seq %u",
				    l->out->seq1, r->pseq2);
				continue;
			}
		} else if (l->out->seq1 != seq + 1) {
			NOTE(l->out->note, "not used: starts at seq %u, the "
			    "last entry applied was %u", l->out->seq1, seq);
			continue;
		}
		hbmax = plan_log(r, l, &applied, hbmax);
		if (l->plan > 0) {
			have_last = 1;
			seq = l->ent[l->plan - 1].seq;
			hbins = l->ent[l->plan - 1].hbins;
			last = l;
		}
		if (l->plan < l->nent)
			break;		/* a growth refusal ends recovery */
	}
	if (last == NULL)
		return OFFMIG_OK;
	if ((ret = image_alloc(r, BB + (uint64_t)hbmax, hbmax)) != OFFMIG_OK)
		return ret;
	for (i = 0; i < n; i++)
		if (ord[i]->plan > 0)
			apply_new_log(r, ord[i], &flags);
seal:
	/* Only bit 0 of Flags travels in log entries (spec note 11). */
	put_le32(r->img + BB_FLAGS, (le32(r->img + BB_FLAGS) & ~1U) | flags);
	dummy_bins(r, hbins);
	finish_base(r, seq, hbins);
	return OFFMIG_OK;
}

/*
 * Old format: applies the dirty pages of l bin by bin; a dirty bin whose
 * header is invalid stops recovery there.
 */
static void
apply_old_log(struct rp *r, struct lg *l)
{
	const unsigned char *d = l->in->data;
	const unsigned char *bm = d + l->bitmap_off;
	uint32_t hbins = l->out->hbins_size;
	unsigned char *h = r->img + BB;
	uint64_t off = 0, rank = 0, pg, end;
	uint32_t size;

#define DIRTY(page)	((bm[(page) / 8] >> ((page) % 8)) & 1)
	while (off < hbins) {
		const unsigned char *hdr = h + off;
		int dirty = 0;

		if (DIRTY(off / 512))
			hdr = d + l->pages_off + rank * 512;
		size = hbin_size(hdr, off, hbins);
		end = off + (size != 0 ? size : 4096);
		for (pg = off / 512; pg < end / 512; pg++)
			dirty |= DIRTY(pg);
		if (size == 0 && dirty) {
			NOTE(r->res->note, "%s: dirty bin at 0x%llx has an "
			    "invalid header: recovery stops there",
			    l->in->name, (unsigned long long)off);
			break;
		}
		for (pg = off / 512; pg < end / 512; pg++)
			if (DIRTY(pg)) {
				memcpy(h + pg * 512, d + l->pages_off +
				    rank * 512, 512);
				rank++;
			}
		off = end;
	}
#undef DIRTY
	l->out->applies = 1;
	l->out->entries_applied = 1;
	l->out->pages_applied = (size_t)rank;
	r->res->entries_applied = 1;
	r->res->pages_applied = (size_t)rank;
}

/* Old format (format-notes §2.1). */
static int
replay_old(struct rp *r)
{
	struct lg *best = NULL;
	uint64_t hbin0_ts = 0;
	int have_hbin0 = 0, ret;
	uint32_t seq;
	size_t i;

	if (!r->pvalid && r->plen >= BB + 32 && memcmp(r->p + BB, "hbin",
	    4) == 0 && le32(r->p + BB + 4) == 0) {
		hbin0_ts = le64(r->p + BB + 20);
		have_hbin0 = 1;
	}
	for (i = 0; i < r->n; i++) {
		struct lg *l = &r->lg[i];
		struct replay_log *o = l->out;

		if (o->format != REPLAY_FMT_OLD || !o->base_ok)
			continue;
		if (r->pvalid) {
			uint64_t pts = le64(r->p + 0x0C);

			if (o->last_written != pts) {
				NOTE(o->note, "timestamp 0x%016llx differs "
				    "from the primary's 0x%016llx",
				    (unsigned long long)o->last_written,
				    (unsigned long long)pts);
				continue;
			}
			NOTE(o->note, "%zu dirty pages, timestamp matches the "
			    "primary's", o->pages);
		} else if (have_hbin0) {
			if (o->last_written < hbin0_ts) {
				NOTE(o->note, "timestamp 0x%016llx is older "
				    "than bin 0's 0x%016llx",
				    (unsigned long long)o->last_written,
				    (unsigned long long)hbin0_ts);
				continue;
			}
			NOTE(o->note, "%zu dirty pages, primary base block "
			    "invalid: timestamp %s bin 0's", o->pages,
			    o->last_written == hbin0_ts ? "equals" :
			    "is not older than");
		} else
			NOTE(o->note, "%zu dirty pages, primary base block "
			    "and bin 0 unreadable: used as after "
			    "self-healing", o->pages);
		if (BB + (uint64_t)o->hbins_size > r->allowance +
		    l->dirty_bytes) {
			NOTE(o->note, "hive bins size %u is more than the "
			    "primary and the logged pages can fill",
			    o->hbins_size);
			continue;
		}
		if (best == NULL || o->last_written >
		    best->out->last_written || (o->last_written ==
		    best->out->last_written && seq_before(best->out->seq1,
		    o->seq1)))
			best = l;
	}
	if (best == NULL)
		return OFFMIG_OK;
	for (i = 0; i < r->n; i++)
		if (&r->lg[i] != best && r->lg[i].out->format ==
		    REPLAY_FMT_OLD && r->lg[i].out->base_ok)
			note_add(r->lg[i].out->note, sizeof(r->lg[i].out->note),
			    "not used: %s is newer", best->in->name);
	if ((ret = image_alloc(r, BB + (uint64_t)best->out->hbins_size,
	    best->out->hbins_size)) != OFFMIG_OK)
		return ret;
	if (!r->pvalid)
		base_from_log(r, best, best->sector < BB ? best->sector : BB);
	else {
		/* The log's copy is the newer in-memory state. */
		memcpy(r->img + BB_MAJOR, best->in->data + BB_MAJOR, 8);
		memcpy(r->img + BB_ROOT, best->in->data + BB_ROOT, 4);
	}
	seq = le32(r->img + BB_SEQ1);
	apply_old_log(r, best);
	finish_base(r, seq, best->out->hbins_size);
	return OFFMIG_OK;
}

void
replay_result_free(struct replay_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->nlogs; i++)
		free(res->logs[i].name);
	free(res->logs);
	free(res->data);
	memset(res, 0, sizeof(*res));
}

/*
 * hive_replay(), with own (when not NULL) the primary's buffer, which it
 * takes and frees.
 */
static int
replay(struct offmig_ctx *ctx, const char *name,
    const unsigned char *primary, unsigned char *own, size_t plen,
    const struct replay_log_in *logs, size_t nlogs,
    struct replay_result *res)
{
	struct rp r;
	size_t i;
	int ret = OFFMIG_OK;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	r.own = own;
	r.p = own != NULL ? own : primary;
	r.plen = r.p != NULL ? plen : 0;
	r.res = res;
	if (nlogs > 0 && ((res->logs = calloc(nlogs, sizeof(*res->logs))) ==
	    NULL || (r.lg = calloc(nlogs, sizeof(*r.lg))) == NULL)) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", name);
		goto out;
	}
	res->nlogs = nlogs;
	r.n = nlogs;
	for (i = 0; i < nlogs; i++) {
		r.lg[i].in = &logs[i];
		r.lg[i].out = &res->logs[i];
		r.lg[i].index = i;
		if ((res->logs[i].name = strdup(logs[i].name != NULL ?
		    logs[i].name : "log")) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    name);
			goto out;
		}
		if (describe(&r.lg[i]) != OFFMIG_OK) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    logs[i].name);
			goto out;
		}
	}

	r.is_hive = r.plen >= LOG_SECTOR && memcmp(r.p, "regf", 4) == 0;
	r.pvalid = r.is_hive && base_valid(r.p, r.plen);
	if (r.is_hive) {
		r.pseq1 = le32(r.p + BB_SEQ1);
		r.pseq2 = le32(r.p + BB_SEQ2);
		r.phbins = le32(r.p + BB_HBINS);
		res->seq1_before = r.pseq1;
		res->seq2_before = r.pseq2;
	}
	res->dirty = !r.pvalid || r.pseq1 != r.pseq2;
	r.allowance = r.plen > BB ? r.plen : BB;
	if (r.pvalid && hbins_ok(r.phbins) && BB + (uint64_t)r.phbins >
	    r.allowance)
		r.allowance = BB + (uint64_t)r.phbins;

	if (!res->dirty) {
		/* Windows ignores logs of a clean hive, even newer ones. */
		for (i = 0; i < nlogs; i++) {
			struct replay_log *o = &res->logs[i];
			char was[200];

			if (o->format == REPLAY_FMT_EMPTY)
				continue;
			memcpy(was, o->note, sizeof(was));
			if (o->format == REPLAY_FMT_NEW && o->entries > 0 &&
			    seq_ge(o->last_seq, r.pseq2))
				NOTE(o->note, "hive is clean: entries %u..%u "
				    "are newer than the primary (seq %u) and "
				    "are ignored, as Windows does",
				    seq_ge(o->first_seq, r.pseq2) ?
				    o->first_seq : r.pseq2, o->last_seq,
				    r.pseq2);
			else
				NOTE(o->note, "hive is clean: not needed (%s)",
				    was);
		}
		goto out;
	}

	if ((ret = replay_new(&r)) != OFFMIG_OK)
		goto nomem;
	if (!res->recovered) {
		for (i = 0; i < nlogs; i++)
			if (r.lg[i].out->format == REPLAY_FMT_OLD &&
			    r.lg[i].out->base_ok)
				break;
		if (i < nlogs && (ret = replay_old(&r)) != OFFMIG_OK)
			goto nomem;
	} else
		for (i = 0; i < nlogs; i++)
			if (res->logs[i].format == REPLAY_FMT_OLD)
				note_add(res->logs[i].note,
				    sizeof(res->logs[i].note), "not used: "
				    "new-format logs take precedence");

	if (!res->recovered) {
		NOTE(res->note, "no log applies");
		for (i = 0; i < nlogs; i++)
			note_add(res->note, sizeof(res->note), "%s: %s",
			    res->logs[i].name, res->logs[i].note);
		if (nlogs == 0)
			note_add(res->note, sizeof(res->note), "no logs");
		if (!r.is_hive)
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s: not "
			    "a registry hive, and no log base block can "
			    "stand in for it", name);
	}
	goto out;
nomem:
	ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", name);
	free(res->data);
	res->data = NULL;
	res->len = 0;
	res->recovered = 0;
out:
	if (r.lg != NULL)
		for (i = 0; i < nlogs; i++)
			free(r.lg[i].ent);
	free(r.lg);
	free(r.img);
	free(r.own);
	free(r.touched);
	return ret;
}

int
hive_replay(struct offmig_ctx *ctx, const char *name,
    const unsigned char *primary, size_t plen,
    const struct replay_log_in *logs, size_t nlogs,
    struct replay_result *res)
{
	return replay(ctx, name, primary, NULL, plen, logs, nlogs, res);
}

/* Reads a regular file of at most HIVE_REPLAY_MAX_FILE bytes. */
static int
read_at(struct offmig_ctx *ctx, int dirfd, const char *dir_host,
    const char *name, unsigned char **datap, size_t *lenp)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t len;
	ssize_t n;
	int fd, e;

	*datap = NULL;
	*lenp = 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		e = errno;
		return ctx_set_error(ctx, e == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, e, "%s/%s", dir_host, name);
	}
	if (fstat(fd, &st) != 0) {
		e = errno;
		close(fd);
		return ctx_set_error(ctx, OFFMIG_EIO, e, "%s/%s", dir_host,
		    name);
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size > HIVE_REPLAY_MAX_FILE) {
		close(fd);
		return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: %s",
		    dir_host, name, S_ISREG(st.st_mode) ? "larger than 2 GiB" :
		    "not a regular file");
	}
	len = (size_t)st.st_size;
	if ((buf = malloc(len > 0 ? len : 1)) == NULL) {
		close(fd);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s/%s",
		    dir_host, name);
	}
	mem_prefault(buf, len);
	/* A file that shrinks meanwhile is read as far as it goes. */
	if ((n = io_read_full(fd, buf, len)) < 0) {
		e = errno;
		free(buf);
		close(fd);
		return ctx_set_error(ctx, OFFMIG_EIO, e, "%s/%s", dir_host,
		    name);
	}
	close(fd);
	*datap = buf;
	*lenp = (size_t)n;
	return OFFMIG_OK;
}

int
hive_replay_dir(struct offmig_ctx *ctx, int dirfd, const char *dir_host,
    const char *hivename, struct replay_result *res)
{
	struct replay_log_in *in = NULL;
	struct hive_log *found = NULL;
	unsigned char *prim = NULL, **bufs = NULL;
	size_t plen = 0, nfound = 0, i;
	char *pname = NULL;
	int ret;

	memset(res, 0, sizeof(*res));
	if ((ret = read_at(ctx, dirfd, dir_host, hivename, &prim, &plen)) !=
	    OFFMIG_OK)
		return ret;
	if ((ret = hive_find_logs(ctx, dirfd, dir_host, hivename, &found,
	    &nfound)) != OFFMIG_OK)
		goto out;
	if (nfound > 0 && ((in = calloc(nfound, sizeof(*in))) == NULL ||
	    (bufs = calloc(nfound, sizeof(*bufs))) == NULL)) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", dir_host);
		goto out;
	}
	for (i = 0; i < nfound; i++) {
		if ((ret = read_at(ctx, dirfd, dir_host, found[i].name,
		    &bufs[i], &in[i].len)) != OFFMIG_OK)
			goto out;
		in[i].name = found[i].name;
		in[i].data = bufs[i];
	}
	if ((pname = str_join_path(dir_host, hivename)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", dir_host);
		goto out;
	}
	/* The primary's buffer is handed over: no copy of the hive. */
	ret = replay(ctx, pname, NULL, prim, plen, in, nfound, res);
	prim = NULL;
out:
	if (bufs != NULL)
		for (i = 0; i < nfound; i++)
			free(bufs[i]);
	free(bufs);
	free(in);
	free(pname);
	hive_logs_free(found, nfound);
	free(prim);
	return ret;
}
