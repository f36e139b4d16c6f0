/*
 * hivecheck.c - a full structural check of a hive in memory, without hivex.
 *
 * Three passes over the buffer: the base block; the chain of hive bins and
 * every cell in each bin (which builds a bitmap of where allocated cells
 * start); then a walk of the keys from the root, where every offset is
 * checked against that bitmap before anything at it is read.  The walk
 * keeps its own stack of at most HCHECK_MAX_DEPTH frames and marks every
 * key, list, value and big-data cell it takes ("claimed"), so nothing is
 * looked at twice: the work is bounded by the size of the buffer whatever
 * the offsets say.
 *
 * Offsets inside the hive are relative to the bins (file offset - 0x1000);
 * problems carry file offsets.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/hivecheck.h"

#define NIL		0xFFFFFFFFu
#define BINS		4096u		/* file offset of the first bin */
#define SEGMENT		16344u		/* data bytes per big-data segment */
#define NK_MIN		76		/* nk record before its name */
#define VK_MIN		20		/* vk record before its name */
#define NAME_MAX_UNITS	65535		/* names are at most 65535 bytes */

/* nk flags */
#define KEY_HIVE_ENTRY	0x0004
#define KEY_COMP_NAME	0x0020

struct frame {
	uint32_t	 off;		/* the key (bins-relative) */
	uint32_t	*kids;		/* its valid subkeys, in list order */
	size_t		 nkids, next;
};

struct hc {
	struct offmig_ctx *ctx;
	const char	*name;
	const unsigned char *d;
	size_t		 len;
	uint64_t	 end;		/* file offset where the bins walked end */
	uint32_t	 minor;
	struct hive_check *out;
	int		 nomem;
	/* One bit per 4 bytes of bins: allocated cell starts here. */
	unsigned char	*alloc;
	/* Cells the walk has taken as a key, list, value or db. */
	unsigned char	*claimed;
	/* Keys on the path from the root to the key being walked. */
	unsigned char	*onpath;
	/* Upper-cased names: the previous subkey in a list and this one. */
	uint16_t	*prev, *cur;
	size_t		 nprev;
	int		 have_prev;
	/*
	 * Code units of names compared so far.  Each key is listed once in a
	 * sound hive, so this stays below the buffer's size; a hostile one
	 * listing one long name many times would make the order and hash
	 * checks quadratic, so they stop at a budget.
	 */
	uint64_t	 name_units, name_budget;
	/* Subkeys gathered for the key being entered. */
	uint32_t	*kids;
	size_t		 nkids, kidscap;
};

/*
 * Windows compares key names by upper-casing UTF-16 code units one by one
 * (surrogates stay as they are): wupcase() in src/common/utf.c, the same
 * table every name lookup of offmig uses.
 */
static uint16_t
upcase16(uint16_t c)
{
	return (uint16_t)wupcase(c);
}

static void __attribute__((format(printf, 6, 0)))
add_to(struct hc *hc, struct hcheck_problem **list, size_t *n,
    uint64_t *total, uint64_t off, const char *fmt, va_list ap)
{
	struct hcheck_problem *p;

	(*total)++;
	if (*n >= HCHECK_MAX_PROBLEMS || hc->nomem)
		return;
	/* Room for the cap plus the final "... N more", taken at once. */
	if (*list == NULL &&
	    (*list = calloc(HCHECK_MAX_PROBLEMS + 1, sizeof(**list))) == NULL) {
		hc->nomem = 1;
		return;
	}
	p = &(*list)[*n];
	p->offset = off;
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	(*n)++;
}

/* Records a problem at file offset off. */
static void __attribute__((format(printf, 3, 4)))
problem(struct hc *hc, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_to(hc, &hc->out->problems, &hc->out->nproblems,
	    &hc->out->problems_total, off, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
note(struct hc *hc, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_to(hc, &hc->out->notes, &hc->out->nnotes,
	    &hc->out->notes_total, off, fmt, ap);
	va_end(ap);
}

/* Appends "... N more" when the cap was reached. */
static void
close_list(struct hc *hc, struct hcheck_problem *list, size_t *n,
    uint64_t total, const char *what)
{
	struct hcheck_problem *p;

	if (total <= *n || list == NULL || *n != HCHECK_MAX_PROBLEMS)
		return;
	p = &list[*n];
	p->offset = 0;
	snprintf(p->msg, sizeof(p->msg), "... %llu more %s",
	    (unsigned long long)(total - *n), what);
	(*n)++;
}

static size_t
bit(uint32_t rel)
{
	return rel / 4;
}

static int
test_bit(const unsigned char *map, size_t i)
{
	return map[i / 8] >> (i % 8) & 1;
}

static void
set_bit(unsigned char *map, size_t i)
{
	map[i / 8] |= (unsigned char)(1u << (i % 8));
}

static void
clear_bit(unsigned char *map, size_t i)
{
	map[i / 8] &= (unsigned char)~(1u << (i % 8));
}

static uint64_t
fileoff(uint32_t rel)
{
	return (uint64_t)rel + BINS;
}

/*
 * The allocated cell at rel: its data (after the size field) in *pp and the
 * data's length in *np.  0 when rel is nil, outside the bins walked, not
 * 4-aligned, or not where an allocated cell starts.  The bin walk only marks
 * cells that lie wholly inside their bin and the buffer, so *pp..*pp+*np is
 * always readable.
 */
static int
cell(const struct hc *hc, uint32_t rel, const unsigned char **pp, size_t *np)
{
	const unsigned char *c;
	int32_t size;

	if (rel == NIL || rel % 4 != 0 || fileoff(rel) + 8 > hc->end ||
	    !test_bit(hc->alloc, bit(rel)))
		return 0;
	c = hc->d + fileoff(rel);
	size = (int32_t)le32(c);
	*pp = c + 4;
	*np = (size_t)(-(int64_t)size) - 4;
	return 1;
}

/* Takes the cell at rel for the walk; 0 when it was taken already. */
static int
claim(struct hc *hc, uint32_t rel)
{
	size_t i = bit(rel);

	if (test_bit(hc->claimed, i))
		return 0;
	set_bit(hc->claimed, i);
	return 1;
}

/* An allocated cell holding an nk record whose name fits it. */
static int
nk_cell(const struct hc *hc, uint32_t rel, const unsigned char **pp,
    size_t *np)
{
	if (!cell(hc, rel, pp, np) || *np < NK_MIN || memcmp(*pp, "nk", 2) != 0)
		return 0;
	return (size_t)NK_MIN + le16(*pp + 72) <= *np;
}

/*
 * The name of the nk record at p (its length already checked) as UTF-16
 * code units in u (NAME_MAX_UNITS long); returns how many.  Compressed
 * names are Latin-1: each byte is a code unit.
 */
static size_t
nk_units(const unsigned char *p, uint16_t *u)
{
	size_t len = le16(p + 72), i, n;
	const unsigned char *s = p + NK_MIN;

	if (le16(p + 2) & KEY_COMP_NAME) {
		for (i = 0; i < len; i++)
			u[i] = s[i];
		return len;
	}
	n = len / 2;
	for (i = 0; i < n; i++)
		u[i] = le16(s + 2 * i);
	return n;
}

/* "'Name'" of the key at rel for messages, cut to fit buf. */
static const char *
keyname(const struct hc *hc, uint32_t rel, char *buf, size_t size)
{
	const unsigned char *p;
	size_t n, len;
	char *s;

	/* Past the cap the message is not kept: spare the conversion. */
	if (hc->out->nproblems >= HCHECK_MAX_PROBLEMS) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (!nk_cell(hc, rel, &p, &n)) {
		snprintf(buf, size, "at 0x%llx",
		    (unsigned long long)fileoff(rel));
		return buf;
	}
	/* Only 60 characters are shown. */
	len = le16(p + 72);
	if (len > 240)
		len = 240;
	if (le16(p + 2) & KEY_COMP_NAME)
		s = latin1_to_utf8(p + NK_MIN, len);
	else
		s = utf16le_to_utf8(p + NK_MIN, len, NULL);
	if (s != NULL && strlen(s) > 60) {
		/* Cut on a character boundary, not inside a sequence. */
		n = 60;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		s[n] = '\0';
	}
	snprintf(buf, size, "'%s'", s != NULL ? s : "?");
	free(s);
	return buf;
}

static int
ucmp(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
	size_t i, n = na < nb ? na : nb;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return na < nb ? -1 : na > nb;
}

static void
push_kid(struct hc *hc, uint32_t rel)
{
	uint32_t *k;

	if (hc->nkids == hc->kidscap) {
		size_t cap = hc->kidscap == 0 ? 64 : hc->kidscap * 2;

		if ((k = reallocarray(hc->kids, cap, sizeof(*k))) == NULL) {
			hc->nomem = 1;
			return;
		}
		hc->kids = k;
		hc->kidscap = cap;
	}
	hc->kids[hc->nkids++] = rel;
}

/*
 * One leaf (li, lf or lh) of the subkey list of key: its count fits the
 * cell, every element is a key, names ascend strictly (across all leaves
 * of an ri: hc->prev carries over), hashes and hints are right.  Returns the
 * count the leaf declares.
 */
static size_t
check_leaf(struct hc *hc, uint32_t key, uint32_t leaf, const unsigned char *p,
    size_t n)
{
	size_t count = le16(p + 2), esize = p[1] == 'i' ? 4 : 8, fit, i, nu, j;
	char a[80], b[80];

	fit = (n - 4) / esize;
	if (count > fit)
		problem(hc, fileoff(leaf), "subkey list of key %s: %zu "
		    "elements do not fit its %zu-byte cell",
		    keyname(hc, key, a, sizeof(a)), count, n);
	for (i = 0; i < count && i < fit; i++) {
		const unsigned char *e = p + 4 + i * esize, *kp;
		uint32_t rel = le32(e);
		size_t kn;
		uint16_t *t;

		if (!nk_cell(hc, rel, &kp, &kn)) {
			if (cell(hc, rel, &kp, &kn) && kn >= NK_MIN &&
			    memcmp(kp, "nk", 2) == 0)
				problem(hc, fileoff(leaf), "subkey list of key "
				    "%s: element %zu (0x%llx): key name length "
				    "%u does not fit its %zu-byte cell",
				    keyname(hc, key, a, sizeof(a)), i,
				    (unsigned long long)fileoff(rel),
				    le16(kp + 72), kn);
			else
				problem(hc, fileoff(leaf), "subkey list of key "
				    "%s: element %zu points to 0x%llx, not a "
				    "key cell", keyname(hc, key, a, sizeof(a)),
				    i, (unsigned long long)fileoff(rel));
			continue;
		}
		push_kid(hc, rel);
		if (hc->name_units > hc->name_budget)
			continue;
		hc->name_units += le16(kp + 72);
		if (hc->name_units > hc->name_budget) {
			problem(hc, fileoff(leaf), "subkey lists name the same "
			    "keys over and over: name order and hash checks "
			    "stop here");
			continue;
		}
		nu = nk_units(kp, hc->cur);
		if (p[1] == 'f') {
			/* The hint: the first 4 units as bytes, if all < 256. */
			unsigned char hint[4] = { 0, 0, 0, 0 };
			int wide = 0;

			for (j = 0; j < nu && j < 4; j++) {
				if (hc->cur[j] > 0xFF)
					wide = 1;
				hint[j] = (unsigned char)hc->cur[j];
			}
			if (wide ? e[4] != 0 : memcmp(hint, e + 4, 4) != 0)
				problem(hc, fileoff(leaf), "subkey list of key "
				    "%s: wrong name hint for %s", keyname(hc,
				    key, a, sizeof(a)), keyname(hc, rel, b,
				    sizeof(b)));
		}
		for (j = 0; j < nu; j++)
			hc->cur[j] = upcase16(hc->cur[j]);
		if (p[1] == 'h') {
			uint32_t h = 0;

			for (j = 0; j < nu; j++)
				h = 37 * h + hc->cur[j];
			if (h != le32(e + 4))
				problem(hc, fileoff(leaf), "subkey list of key "
				    "%s: hash 0x%08x of %s should be 0x%08x",
				    keyname(hc, key, a, sizeof(a)), le32(e + 4),
				    keyname(hc, rel, b, sizeof(b)), h);
		}
		if (hc->have_prev) {
			int c = ucmp(hc->prev, hc->nprev, hc->cur, nu);

			if (c == 0)
				problem(hc, fileoff(leaf), "subkey list of key "
				    "%s: duplicate subkey name %s",
				    keyname(hc, key, a, sizeof(a)),
				    keyname(hc, rel, b, sizeof(b)));
			else if (c > 0)
				problem(hc, fileoff(leaf), "subkey list of key "
				    "%s: %s is out of order (names must ascend "
				    "as upper case)", keyname(hc, key, a,
				    sizeof(a)), keyname(hc, rel, b, sizeof(b)));
		}
		t = hc->prev;
		hc->prev = hc->cur;
		hc->cur = t;
		hc->nprev = nu;
		hc->have_prev = 1;
	}
	return count;
}

static int
is_leaf(const unsigned char *p)
{
	return p[0] == 'l' && (p[1] == 'i' || p[1] == 'f' || p[1] == 'h');
}

/* check_subkeys() found no list to count (and said why). */
#define NO_LIST		((size_t)-1)

/*
 * The subkey list of key (at list): gathers its valid subkeys into
 * hc->kids and returns the total its leaves declare, or NO_LIST.
 */
static size_t
check_subkeys(struct hc *hc, uint32_t key, uint32_t list)
{
	const unsigned char *p, *lp;
	size_t n, ln, count, fit, i, total = 0;
	char a[80];

	hc->have_prev = 0;
	if (!cell(hc, list, &p, &n) || n < 4) {
		problem(hc, fileoff(key), "key %s: subkey list offset 0x%x is "
		    "not an allocated cell", keyname(hc, key, a, sizeof(a)),
		    list);
		return NO_LIST;
	}
	if (!claim(hc, list)) {
		problem(hc, fileoff(list), "key %s: subkey list is shared "
		    "with another key or record", keyname(hc, key, a,
		    sizeof(a)));
		return NO_LIST;
	}
	if (is_leaf(p))
		return check_leaf(hc, key, list, p, n);
	if (memcmp(p, "ri", 2) != 0) {
		problem(hc, fileoff(list), "key %s: subkey list has an unknown "
		    "signature 0x%02x%02x", keyname(hc, key, a, sizeof(a)),
		    p[0], p[1]);
		return NO_LIST;
	}
	count = le16(p + 2);
	fit = (n - 4) / 4;
	if (count > fit)
		problem(hc, fileoff(list), "index root of key %s: %zu elements "
		    "do not fit its %zu-byte cell", keyname(hc, key, a,
		    sizeof(a)), count, n);
	for (i = 0; i < count && i < fit; i++) {
		uint32_t rel = le32(p + 4 + 4 * i);

		if (!cell(hc, rel, &lp, &ln) || ln < 4) {
			problem(hc, fileoff(list), "index root of key %s: "
			    "element %zu points to 0x%llx, not an allocated "
			    "cell", keyname(hc, key, a, sizeof(a)), i,
			    (unsigned long long)fileoff(rel));
			continue;
		}
		if (memcmp(lp, "ri", 2) == 0) {
			problem(hc, fileoff(list), "index root of key %s: "
			    "element %zu points to another index root",
			    keyname(hc, key, a, sizeof(a)), i);
			continue;
		}
		if (!is_leaf(lp)) {
			problem(hc, fileoff(list), "index root of key %s: "
			    "element %zu is not a subkey list",
			    keyname(hc, key, a, sizeof(a)), i);
			continue;
		}
		if (!claim(hc, rel)) {
			problem(hc, fileoff(rel), "index root of key %s: leaf "
			    "%zu is shared with another list or record",
			    keyname(hc, key, a, sizeof(a)), i);
			continue;
		}
		total += check_leaf(hc, key, rel, lp, ln);
	}
	return total;
}

/* A big-data record for a value of size bytes (vk at vk, db at db). */
static void
check_db(struct hc *hc, uint32_t vk, uint32_t db, uint32_t size)
{
	const unsigned char *p, *sp, *gp;
	size_t n, sn, gn, nseg, want, i, need;
	uint32_t list;

	if (!cell(hc, db, &p, &n)) {
		problem(hc, fileoff(vk), "value data offset 0x%x is not an "
		    "allocated cell", db);
		return;
	}
	if (n < 8 || memcmp(p, "db", 2) != 0) {
		problem(hc, fileoff(vk), "value data of %u bytes is not stored "
		    "as a big data (db) record", size);
		return;
	}
	if (!claim(hc, db)) {
		problem(hc, fileoff(db), "big data record is shared with "
		    "another value or record");
		return;
	}
	hc->out->big_values++;
	nseg = le16(p + 2);
	want = (size + (size_t)SEGMENT - 1) / SEGMENT;
	if (nseg != want)
		problem(hc, fileoff(db), "big data of %u bytes has %zu "
		    "segments, expected %zu", size, nseg, want);
	list = le32(p + 4);
	if (!cell(hc, list, &sp, &sn)) {
		problem(hc, fileoff(db), "big data segment list offset 0x%x "
		    "is not an allocated cell", list);
		return;
	}
	if (!claim(hc, list)) {
		problem(hc, fileoff(db), "big data segment list is shared "
		    "with another record");
		return;
	}
	if (nseg > sn / 4) {
		problem(hc, fileoff(db), "big data segment list of %zu "
		    "entries does not fit its %zu-byte cell", nseg, sn);
		nseg = sn / 4;
	}
	for (i = 0; i < nseg; i++) {
		uint32_t seg = le32(sp + 4 * i);

		if (!cell(hc, seg, &gp, &gn)) {
			problem(hc, fileoff(db), "big data segment %zu at "
			    "0x%x is not an allocated cell", i, seg);
			continue;
		}
		if (i >= want)
			continue;
		need = i + 1 < want ? SEGMENT : size - SEGMENT * (want - 1);
		if (gn < need)
			problem(hc, fileoff(db), "big data segment %zu holds "
			    "%zu bytes, %zu needed", i, gn, need);
	}
}

/* Value i of a values list (at list) of key. */
static void
check_value(struct hc *hc, uint32_t key, uint32_t list, size_t i,
    uint32_t vk)
{
	const unsigned char *p, *dp;
	size_t n, dn;
	uint32_t raw, size, data;
	char a[80];

	if (!cell(hc, vk, &p, &n)) {
		problem(hc, fileoff(list), "values list of key %s: value %zu "
		    "points to 0x%llx, not an allocated cell",
		    keyname(hc, key, a, sizeof(a)), i,
		    (unsigned long long)fileoff(vk));
		return;
	}
	if (n < VK_MIN || memcmp(p, "vk", 2) != 0) {
		problem(hc, fileoff(vk), "value %zu of key %s has no vk "
		    "signature", i, keyname(hc, key, a, sizeof(a)));
		return;
	}
	if (!claim(hc, vk)) {
		problem(hc, fileoff(vk), "value %zu of key %s is listed twice "
		    "or shared with another record", i,
		    keyname(hc, key, a, sizeof(a)));
		return;
	}
	hc->out->values++;
	if ((size_t)VK_MIN + le16(p + 2) > n)
		problem(hc, fileoff(vk), "value %zu of key %s: name length %u "
		    "does not fit its %zu-byte cell", i,
		    keyname(hc, key, a, sizeof(a)), le16(p + 2), n);
	raw = le32(p + 4);
	data = le32(p + 8);
	size = raw & 0x7FFFFFFF;
	if (raw & 0x80000000) {
		/* Up to 4 bytes live in the data offset field itself. */
		if (size > 4)
			problem(hc, fileoff(vk), "value %zu of key %s: inline "
			    "data size %u is more than 4", i,
			    keyname(hc, key, a, sizeof(a)), size);
		return;
	}
	if (size == 0)
		return;
	if (hc->minor > 3 && size > SEGMENT) {
		check_db(hc, vk, data, size);
		return;
	}
	if (!cell(hc, data, &dp, &dn))
		problem(hc, fileoff(vk), "value %zu of key %s: data offset 0x%x "
		    "is not an allocated cell", i, keyname(hc, key, a,
		    sizeof(a)), data);
	else if (dn < size)
		problem(hc, fileoff(vk), "value %zu of key %s: data size %u is "
		    "larger than its %zu-byte cell", i, keyname(hc, key, a,
		    sizeof(a)), size, dn);
}

static void
check_values(struct hc *hc, uint32_t key, uint32_t count, uint32_t list)
{
	const unsigned char *p;
	size_t n, i;
	char a[80];

	if (!cell(hc, list, &p, &n)) {
		problem(hc, fileoff(key), "key %s: values list offset 0x%x is "
		    "not an allocated cell", keyname(hc, key, a, sizeof(a)),
		    list);
		return;
	}
	if (!claim(hc, list)) {
		problem(hc, fileoff(list), "key %s: values list is shared with "
		    "another key or record", keyname(hc, key, a, sizeof(a)));
		return;
	}
	if (count > n / 4) {
		problem(hc, fileoff(list), "key %s: values list of %u entries "
		    "does not fit its %zu-byte cell", keyname(hc, key, a,
		    sizeof(a)), count, n);
		count = (uint32_t)(n / 4);
	}
	for (i = 0; i < count; i++)
		check_value(hc, key, list, i, le32(p + 4 * i));
}

/*
 * Everything of the key at rel (an nk cell whose name fits, already
 * checked) except its subkeys' own contents; its valid subkeys are left in
 * hc->kids.  parent is the key it is listed under (NIL for the root).
 */
static void
enter_key(struct hc *hc, uint32_t rel, uint32_t parent)
{
	const unsigned char *p, *cp;
	size_t n, cn;
	uint32_t nsub, nval, off;
	uint16_t namelen, flags, clen;
	char a[80], b[80];

	hc->nkids = 0;
	(void)nk_cell(hc, rel, &p, &n);
	set_bit(hc->claimed, bit(rel));
	hc->out->keys++;
	flags = le16(p + 2);
	namelen = le16(p + 72);
	if (!(flags & KEY_COMP_NAME) && namelen % 2 != 0)
		problem(hc, fileoff(rel), "key %s: UTF-16 name has an odd "
		    "length %u", keyname(hc, rel, a, sizeof(a)), namelen);
	if (namelen == 0 && parent != NIL)
		problem(hc, fileoff(rel), "key under %s has an empty name",
		    keyname(hc, parent, a, sizeof(a)));
	if (parent != NIL && le32(p + 16) != parent)
		problem(hc, fileoff(rel), "key %s: parent offset 0x%x, but it "
		    "is listed under %s (0x%x)", keyname(hc, rel, a,
		    sizeof(a)), le32(p + 16), keyname(hc, parent, b,
		    sizeof(b)), parent);
	if (parent == NIL && !(flags & KEY_HIVE_ENTRY))
		note(hc, fileoff(rel), "root key %s lacks the hive-entry flag",
		    keyname(hc, rel, a, sizeof(a)));
	off = le32(p + 44);
	if (off == NIL)
		problem(hc, fileoff(rel), "key %s has no security descriptor "
		    "(sk offset is nil)", keyname(hc, rel, a, sizeof(a)));
	else if (!cell(hc, off, &cp, &cn) || cn < 20 ||
	    memcmp(cp, "sk", 2) != 0)
		problem(hc, fileoff(rel), "key %s: security offset 0x%x is not "
		    "an sk cell", keyname(hc, rel, a, sizeof(a)), off);
	else if ((size_t)20 + le32(cp + 16) > cn)
		problem(hc, fileoff(off), "security descriptor of %u bytes "
		    "does not fit its %zu-byte sk cell", le32(cp + 16), cn);
	clen = le16(p + 74);
	off = le32(p + 48);
	if (clen > 0 && !cell(hc, off, &cp, &cn))
		problem(hc, fileoff(rel), "key %s: class name offset 0x%x is "
		    "not an allocated cell", keyname(hc, rel, a, sizeof(a)),
		    off);
	else if (clen > 0 && cn < clen)
		problem(hc, fileoff(rel), "key %s: class name of %u bytes does "
		    "not fit its %zu-byte cell", keyname(hc, rel, a,
		    sizeof(a)), clen, cn);
	nval = le32(p + 36);
	if (nval > 0)
		check_values(hc, rel, nval, le32(p + 40));
	/* Volatile subkeys (nk+24, nk+32) mean nothing on disk. */
	nsub = le32(p + 20);
	off = le32(p + 28);
	if (nsub > 0) {
		size_t total = check_subkeys(hc, rel, off);

		if (total != NO_LIST && total != nsub)
			problem(hc, fileoff(rel), "key %s: %u subkeys, but its "
			    "subkey list holds %zu", keyname(hc, rel, a,
			    sizeof(a)), nsub, total);
	}
}

/*
 * Walks the keys depth first from the root with an explicit stack.  A key
 * already taken is never entered again: on the current path it is a loop,
 * elsewhere a key listed twice.
 */
static void
walk_keys(struct hc *hc, uint32_t root)
{
	struct frame *st;
	size_t sp = 0;
	char a[80], b[80];

	if ((st = calloc(HCHECK_MAX_DEPTH + 1, sizeof(*st))) == NULL) {
		hc->nomem = 1;
		return;
	}
	enter_key(hc, root, NIL);
	st[0].off = root;
	st[0].kids = hc->kids;
	st[0].nkids = hc->nkids;
	hc->kids = NULL;
	hc->kidscap = hc->nkids = 0;
	set_bit(hc->onpath, bit(root));
	sp = 1;
	while (sp > 0 && !hc->nomem) {
		struct frame *f = &st[sp - 1];
		uint32_t kid;

		if (f->next >= f->nkids) {
			clear_bit(hc->onpath, bit(f->off));
			free(f->kids);
			f->kids = NULL;
			sp--;
			continue;
		}
		kid = f->kids[f->next++];
		if (test_bit(hc->claimed, bit(kid))) {
			if (test_bit(hc->onpath, bit(kid)))
				problem(hc, fileoff(f->off), "loop: key %s "
				    "lists its ancestor %s as a subkey",
				    keyname(hc, f->off, a, sizeof(a)),
				    keyname(hc, kid, b, sizeof(b)));
			else
				problem(hc, fileoff(f->off), "key %s lists %s "
				    "(0x%llx), which is reached twice",
				    keyname(hc, f->off, a, sizeof(a)),
				    keyname(hc, kid, b, sizeof(b)),
				    (unsigned long long)fileoff(kid));
			continue;
		}
		if (sp > HCHECK_MAX_DEPTH) {
			problem(hc, fileoff(f->off), "key %s is %d levels "
			    "deep: its subkeys are not walked",
			    keyname(hc, f->off, a, sizeof(a)),
			    HCHECK_MAX_DEPTH);
			f->next = f->nkids;
			continue;
		}
		enter_key(hc, kid, f->off);
		if (sp > hc->out->max_depth)
			hc->out->max_depth = (uint32_t)sp;
		st[sp].off = kid;
		st[sp].kids = hc->kids;
		st[sp].nkids = hc->nkids;
		st[sp].next = 0;
		hc->kids = NULL;
		hc->kidscap = hc->nkids = 0;
		set_bit(hc->onpath, bit(kid));
		sp++;
	}
	while (sp > 0)
		free(st[--sp].kids);
	free(st);
}

/* Cells of the bin at pos, up to end (its end, or the buffer's). */
static void
walk_cells(struct hc *hc, uint64_t pos, uint64_t end, uint64_t binend)
{
	uint64_t c = pos + 32;

	while (c < end) {
		int32_t raw;
		uint64_t size;

		if (end - c < 4) {
			problem(hc, c, "cell size field crosses the end of its "
			    "bin");
			return;
		}
		raw = (int32_t)le32(hc->d + c);
		size = raw < 0 ? (uint64_t)(-(int64_t)raw) : (uint64_t)raw;
		if (size < 8) {
			problem(hc, c, "cell size %lld is too small",
			    (long long)raw);
			return;
		}
		if (size % 8 != 0) {
			problem(hc, c, "cell size %llu is not a multiple of 8",
			    (unsigned long long)size);
			/* Past a size off by 4 bytes nothing can be trusted. */
			if (size % 4 != 0)
				return;
		}
		if (c + size > end) {
			if (end < binend)
				problem(hc, c, "cell of %llu bytes runs past "
				    "the end of the data at 0x%llx",
				    (unsigned long long)size,
				    (unsigned long long)end);
			else
				problem(hc, c, "cell of %llu bytes crosses the "
				    "end of its bin at 0x%llx",
				    (unsigned long long)size,
				    (unsigned long long)end);
			return;
		}
		if (raw < 0) {
			set_bit(hc->alloc, (size_t)(c - BINS) / 4);
			hc->out->cells_used++;
			hc->out->bytes_used += size;
		} else {
			hc->out->cells_free++;
			hc->out->bytes_free += size;
		}
		c += size;
	}
}

static int
all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* A bin header at pos whose offset field says it belongs there. */
static int
is_bin(const struct hc *hc, uint64_t pos)
{
	return pos + 32 <= hc->len && memcmp(hc->d + pos, "hbin", 4) == 0 &&
	    le32(hc->d + pos + 4) == pos - BINS;
}

static void
walk_bins(struct hc *hc, uint64_t claimed_end)
{
	uint64_t pos = BINS, size;

	while (pos < hc->end) {
		if (hc->end - pos < 32) {
			problem(hc, pos, "%llu bytes after the last bin are "
			    "too few for a bin header",
			    (unsigned long long)(hc->end - pos));
			return;
		}
		if (memcmp(hc->d + pos, "hbin", 4) != 0) {
			uint64_t next = pos + 4096;

			if (all_zero(hc->d + pos, (size_t)(hc->end - pos))) {
				note(hc, pos, "the hbins size claims %llu more "
				    "bytes of bins, all zeros",
				    (unsigned long long)(hc->end - pos));
				return;
			}
			/* Skip to the next page that is a bin in place. */
			while (next < hc->end && !is_bin(hc, next))
				next += 4096;
			if (next < hc->end)
				problem(hc, pos, "bin signature is not 'hbin'; "
				    "the next bin is at 0x%llx",
				    (unsigned long long)next);
			else
				problem(hc, pos, "bin signature is not 'hbin'; "
				    "no bin follows");
			pos = next;
			continue;
		}
		hc->out->bins++;
		if (le32(hc->d + pos + 4) != pos - BINS)
			problem(hc, pos, "bin offset field 0x%x, but the bin is "
			    "at 0x%llx", le32(hc->d + pos + 4),
			    (unsigned long long)(pos - BINS));
		size = le32(hc->d + pos + 8);
		if (size == 0 || size % 4096 != 0) {
			problem(hc, pos, "bin size 0x%llx is not a multiple of "
			    "4096", (unsigned long long)size);
			size = 4096;
		}
		if (pos + size > claimed_end)
			problem(hc, pos, "bin of 0x%llx bytes runs past the end "
			    "of the hive bins data at 0x%llx",
			    (unsigned long long)size,
			    (unsigned long long)claimed_end);
		else if (pos + size > hc->len)
			problem(hc, pos, "bin of 0x%llx bytes runs past the end "
			    "of the file", (unsigned long long)size);
		walk_cells(hc, pos, pos + size < hc->end ? pos + size : hc->end,
		    pos + size);
		pos += size;
	}
}

/* The base block; returns 0 when there is nothing to walk. */
static int
check_base(struct hc *hc, struct regf_info *ri, uint64_t *claimed_end)
{
	if (hc->len < BINS) {
		ctx_set_error(hc->ctx, OFFMIG_ECORRUPT, 0, "%s: %zu bytes are "
		    "too short for a hive's base block", hc->name, hc->len);
		return 0;
	}
	if (regf_parse(hc->d, hc->len, ri) != OFFMIG_OK) {
		ctx_set_error(hc->ctx, OFFMIG_ECORRUPT, 0, "%s: no 'regf' "
		    "signature: not a registry hive", hc->name);
		return 0;
	}
	hc->minor = ri->minor;
	if (ri->major != 1)
		problem(hc, 0x14, "major version %u, not 1", ri->major);
	if (ri->minor < 3 || ri->minor > 6)
		problem(hc, 0x18, "minor version %u is not one of 3..6 "
		    "(the only layouts checked)", ri->minor);
	if (ri->file_type != 0)
		problem(hc, 0x1C, "file type %u, not 0 (a primary hive)",
		    ri->file_type);
	if (ri->file_format != 1)
		problem(hc, 0x20, "file format %u, not 1", ri->file_format);
	if (!ri->checksum_ok)
		problem(hc, 0x1FC, "base block checksum 0x%08x should be "
		    "0x%08x", ri->checksum, ri->checksum_calc);
	if (ri->seq1 != ri->seq2)
		note(hc, 0x4, "sequence numbers differ (%u/%u): the hive is "
		    "dirty and its logs may hold newer data", ri->seq1,
		    ri->seq2);
	if (ri->hbins_size == 0 || ri->hbins_size % 4096 != 0)
		problem(hc, 0x28, "hbins size 0x%x is not a positive multiple "
		    "of 4096", ri->hbins_size);
	*claimed_end = (uint64_t)BINS + ri->hbins_size;
	hc->end = *claimed_end;
	if (hc->end > hc->len) {
		problem(hc, 0x28, "hbins size 0x%x runs past the end of the "
		    "file (%zu bytes): the hive is truncated", ri->hbins_size,
		    hc->len);
		hc->end = hc->len;
	} else if (is_bin(hc, hc->end)) {
		/*
		 * Bins Windows ignores (yarp's "effective size").  A dirty
		 * hive may have grown before its base block was written: the
		 * logs say how large it is.
		 */
		if (ri->dirty)
			note(hc, hc->end, "a bin follows the end of the hive "
			    "bins data (hbins size 0x%x): the hive is dirty "
			    "and its logs may extend it", ri->hbins_size);
		else
			problem(hc, hc->end, "a bin follows the end of the "
			    "hive bins data: the hbins size 0x%x is too small",
			    ri->hbins_size);
	}
	return 1;
}

void
hive_check_free(struct hive_check *c)
{
	if (c == NULL)
		return;
	free(c->problems);
	free(c->notes);
	c->problems = c->notes = NULL;
	c->nproblems = c->nnotes = 0;
}

int
hive_check_buf(struct offmig_ctx *ctx, const char *name,
    const unsigned char *data, size_t len, struct hive_check *out)
{
	struct hc hc;
	struct regf_info ri;
	uint64_t claimed_end;
	size_t mapsize;
	const unsigned char *p;
	size_t n;
	int ret = OFFMIG_OK;

	memset(out, 0, sizeof(*out));
	memset(&hc, 0, sizeof(hc));
	hc.ctx = ctx;
	hc.name = name;
	hc.d = data;
	hc.len = len;
	hc.out = out;
	if (!check_base(&hc, &ri, &claimed_end)) {
		ret = OFFMIG_ECORRUPT;
		goto out;
	}
	/* One bit per 4 bytes of bins: 1/32 of the bins walked, per map. */
	mapsize = (size_t)((hc.end > BINS ? hc.end - BINS : 0) / 32 + 1);
	if ((hc.alloc = calloc(1, mapsize)) == NULL ||
	    (hc.claimed = calloc(1, mapsize)) == NULL ||
	    (hc.onpath = calloc(1, mapsize)) == NULL ||
	    (hc.prev = calloc(NAME_MAX_UNITS, sizeof(uint16_t))) == NULL ||
	    (hc.cur = calloc(NAME_MAX_UNITS, sizeof(uint16_t))) == NULL) {
		hc.nomem = 1;
		goto out;
	}
	hc.name_budget = 2 * (uint64_t)len + NAME_MAX_UNITS;
	walk_bins(&hc, claimed_end);
	if (!nk_cell(&hc, ri.root_offset, &p, &n)) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s: root cell "
		    "offset 0x%x is not an allocated key cell", name,
		    ri.root_offset);
		goto out;
	}
	walk_keys(&hc, ri.root_offset);
out:
	if (hc.nomem)
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "%s: out of memory "
		    "checking the hive", name);
	close_list(&hc, out->problems, &out->nproblems, out->problems_total,
	    "problems");
	close_list(&hc, out->notes, &out->nnotes, out->notes_total, "notes");
	free(hc.alloc);
	free(hc.claimed);
	free(hc.onpath);
	free(hc.prev);
	free(hc.cur);
	free(hc.kids);
	return ret;
}
