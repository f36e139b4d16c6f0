/*
 * pever.c - reads the version resource of a Windows executable (PE32 or
 * PE32+) for USMT's DoesFileVersionMatch, IsFileVersionAbove/Below and
 * NewestVersion, and compares dotted versions.
 *
 * The path through the file: "MZ" and e_lfanew -> "PE\0\0" -> COFF file
 * header -> optional header (magic 0x10B or 0x20B) -> data directory 2
 * (resources) -> the section holding that RVA -> the resource directory
 * tree, three levels deep: type RT_VERSION (16) -> the first name -> the
 * language 0x409, else the first -> a data entry whose RVA is mapped
 * through the section table again -> VS_VERSIONINFO: VS_FIXEDFILEINFO and
 * the StringFileInfo table 040904B0, 040904E4, or else the first.
 *
 * The file is hostile until proven otherwise: it is read with pread() in
 * small bounded pieces (headers, the section table, one directory at a
 * time, at most 64 KiB of version data, since its wLength is 16 bits),
 * never mapped, so a multi-gigabyte file costs a few reads.  Every offset
 * and size is checked against the file size and the bounds of its section
 * before use; the resource tree is walked to a fixed depth with loop
 * detection, directories have at most PE_MAX_DIR_ENTRIES entries, and the
 * resource directory must lie within PE_MAX_RSRC bytes of its start.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "migrate/pever.h"

/* Resource directory offsets beyond this are refused (the 16 MiB bound). */
#define PE_MAX_RSRC		(16u * 1024 * 1024)
/* Entries in one resource directory (real ones have a few dozen). */
#define PE_MAX_DIR_ENTRIES	4096u
/* An optional header larger than this is damage (the real ones are 224/240). */
#define PE_MAX_OPT_HEADER	4096u
/* VS_VERSIONINFO's wLength is 16 bits: no more is ever read. */
#define PE_MAX_VERSION		65535u
#define RT_VERSION		16u
#define LANG_EN_US		0x409u
#define VS_FFI_SIGNATURE	0xFEEF04BDu
#define VS_FFI_SIZE		52u

static const char *const tags[8] = {
	"CompanyName", "FileDescription", "FileVersion", "InternalName",
	"LegalCopyright", "OriginalFilename", "ProductName", "ProductVersion",
};
#define TAG_FILEVERSION		2
#define TAG_PRODUCTVERSION	7

struct pe {
	struct offmig_ctx *ctx;
	int		 fd;
	const char	*name;
	uint64_t	 size;		/* of the file */
	unsigned char	*sect;		/* the section table */
	unsigned	 nsect;
	uint64_t	 rs_off;	/* resource directory: file offset */
	uint64_t	 rs_len;	/* bytes of its section from there */
	uint32_t	 rs_rva;
};

static int
corrupt(struct pe *pe, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records OFFMIG_ECORRUPT with "NAME: what is wrong". */
static int
corrupt(struct pe *pe, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ctx_set_error(pe->ctx, OFFMIG_ECORRUPT, 0, "%s: %s", pe->name,
	    msg);
}

/*
 * Reads n bytes at off; what names them in the message when the file is
 * too short for them.
 */
static int
read_at(struct pe *pe, uint64_t off, void *buf, size_t n, const char *what)
{
	ssize_t r;

	if (off > pe->size || n > pe->size - off)
		return corrupt(pe, "%s (%zu bytes at offset %llu) runs past "
		    "the end of the file (%llu bytes)", what, n,
		    (unsigned long long)off, (unsigned long long)pe->size);
	if ((r = io_pread_full(pe->fd, buf, n, (off_t)off)) < 0)
		return ctx_set_error(pe->ctx, OFFMIG_EIO, errno,
		    "%s: reading %s", pe->name, what);
	if ((size_t)r < n)
		return corrupt(pe, "the file ended while reading %s "
		    "(it shrank?)", what);
	return OFFMIG_OK;
}

/*
 * Maps rva to a file offset through the section table: *offp, and in
 * *availp the bytes of that section's raw data from there (clipped to the
 * file).  Returns 0, or -1 when no section holds rva in its file data.
 */
static int
rva_map(const struct pe *pe, uint32_t rva, uint64_t *offp, uint64_t *availp)
{
	unsigned i;

	for (i = 0; i < pe->nsect; i++) {
		const unsigned char *s = pe->sect + 40 * (size_t)i;
		uint32_t va = le32(s + 12), raw = le32(s + 16);
		uint64_t ptr = le32(s + 20), off;

		if (rva < va || (uint64_t)rva - va >= raw)
			continue;
		off = ptr + (rva - va);
		if (off >= pe->size)
			continue;
		*offp = off;
		*availp = raw - ((uint64_t)rva - va);
		if (*availp > pe->size - off)
			*availp = pe->size - off;
		return 0;
	}
	return -1;
}

/*
 * Headers up to the resource directory: fills v->machine, pe->sect and the
 * resource window.  OFFMIG_ENOTFOUND when the image has no resources.
 */
static int
read_headers(struct pe *pe, struct pe_version *v)
{
	unsigned char dos[64], coff[24], *opt = NULL;
	uint32_t lfanew, ndirs, rva, size;
	size_t optsize, dirs;
	uint64_t off;
	int ret;

	if (pe->size < sizeof(dos))
		return corrupt(pe, "not a PE file (%llu bytes, too short for "
		    "a DOS header)", (unsigned long long)pe->size);
	if ((ret = read_at(pe, 0, dos, sizeof(dos), "the DOS header")) != 0)
		return ret;
	if (dos[0] != 'M' || dos[1] != 'Z')
		return corrupt(pe, "not a PE file (no MZ signature)");
	lfanew = le32(dos + 0x3C);
	if ((uint64_t)lfanew + sizeof(coff) > pe->size)
		return corrupt(pe, "not a PE file (e_lfanew 0x%x points past "
		    "the end of the file)", lfanew);
	if ((ret = read_at(pe, lfanew, coff, sizeof(coff),
	    "the PE header")) != 0)
		return ret;
	if (memcmp(coff, "PE\0\0", 4) != 0)
		return corrupt(pe, "not a PE file (no PE signature at e_lfanew "
		    "0x%x; an MS-DOS, NE or LE program?)", lfanew);
	v->machine = le16(coff + 4);
	pe->nsect = le16(coff + 6);
	optsize = le16(coff + 20);
	if (optsize < 2)
		return corrupt(pe, "no optional header (SizeOfOptionalHeader "
		    "%zu): an object file, not an image", optsize);
	if (optsize > PE_MAX_OPT_HEADER)
		return corrupt(pe, "SizeOfOptionalHeader %zu is implausible "
		    "(more than %u)", optsize, PE_MAX_OPT_HEADER);
	if ((opt = malloc(optsize)) == NULL)
		return ctx_set_error(pe->ctx, OFFMIG_ENOMEM, 0,
		    "out of memory");
	off = (uint64_t)lfanew + sizeof(coff);
	if ((ret = read_at(pe, off, opt, optsize, "the optional header")) != 0)
		goto out;
	switch (le16(opt)) {
	case 0x10B:
		dirs = 96;
		break;
	case 0x20B:
		dirs = 112;
		break;
	default:
		ret = corrupt(pe, "unknown optional header magic 0x%04x (not "
		    "PE32 0x10b nor PE32+ 0x20b)", le16(opt));
		goto out;
	}
	/* Data directory 2 must be within both the header and its count. */
	if (optsize < dirs) {
		ret = corrupt(pe, "optional header too short (%zu bytes) for "
		    "its magic 0x%04x", optsize, le16(opt));
		goto out;
	}
	ndirs = le32(opt + dirs - 4);
	if (ndirs < 3 || optsize < dirs + 3 * 8) {
		ret = ctx_set_error(pe->ctx, OFFMIG_ENOTFOUND, 0,
		    "%s: no version resource (no resource data directory)",
		    pe->name);
		goto out;
	}
	rva = le32(opt + dirs + 16);
	size = le32(opt + dirs + 20);
	if (rva == 0 || size == 0) {
		ret = ctx_set_error(pe->ctx, OFFMIG_ENOTFOUND, 0,
		    "%s: no version resource (no resources)", pe->name);
		goto out;
	}
	off += optsize;
	if (pe->nsect == 0) {
		ret = corrupt(pe, "no sections, yet a resource directory at "
		    "RVA 0x%x", rva);
		goto out;
	}
	if (off + 40 * (uint64_t)pe->nsect > pe->size) {
		ret = corrupt(pe, "section table (%u sections at offset %llu) "
		    "runs past the end of the file", pe->nsect,
		    (unsigned long long)off);
		goto out;
	}
	if ((pe->sect = malloc(40 * (size_t)pe->nsect)) == NULL) {
		ret = ctx_set_error(pe->ctx, OFFMIG_ENOMEM, 0, "out of memory");
		goto out;
	}
	if ((ret = read_at(pe, off, pe->sect, 40 * (size_t)pe->nsect,
	    "the section table")) != 0)
		goto out;
	if (rva_map(pe, rva, &pe->rs_off, &pe->rs_len) != 0) {
		ret = corrupt(pe, "the resource directory's RVA 0x%x is in no "
		    "section's file data", rva);
		goto out;
	}
	pe->rs_rva = rva;
	if (pe->rs_len > PE_MAX_RSRC)
		pe->rs_len = PE_MAX_RSRC;
	ret = OFFMIG_OK;
out:
	free(opt);
	return ret;
}

/*
 * Reads the resource directory at off (relative to the resource directory
 * start) with its entries: *entp (caller frees) holds *np 8-byte entries,
 * named ones first.
 */
static int
read_dir(struct pe *pe, uint32_t off, const char *what, unsigned char **entp,
    unsigned *np)
{
	unsigned char hdr[16];
	unsigned n;
	int ret;

	*entp = NULL;
	*np = 0;
	if (off > pe->rs_len || pe->rs_len - off < sizeof(hdr))
		return corrupt(pe, "resource directory (%s) at offset 0x%x is "
		    "outside the resource section (0x%llx bytes)", what, off,
		    (unsigned long long)pe->rs_len);
	if ((ret = read_at(pe, pe->rs_off + off, hdr, sizeof(hdr), what)) != 0)
		return ret;
	n = (unsigned)le16(hdr + 12) + le16(hdr + 14);
	if (n > PE_MAX_DIR_ENTRIES)
		return corrupt(pe, "resource directory (%s) at offset 0x%x has "
		    "%u entries (more than %u)", what, off, n,
		    PE_MAX_DIR_ENTRIES);
	if ((uint64_t)n * 8 > pe->rs_len - off - sizeof(hdr))
		return corrupt(pe, "resource directory (%s) at offset 0x%x: "
		    "its %u entries run past the resource section", what, off,
		    n);
	if (n == 0)
		return OFFMIG_OK;
	if ((*entp = malloc((size_t)n * 8)) == NULL)
		return ctx_set_error(pe->ctx, OFFMIG_ENOMEM, 0,
		    "out of memory");
	if ((ret = read_at(pe, pe->rs_off + off + sizeof(hdr), *entp,
	    (size_t)n * 8, what)) != 0) {
		free(*entp);
		*entp = NULL;
		return ret;
	}
	*np = n;
	return OFFMIG_OK;
}

/*
 * Walks root -> RT_VERSION -> first name -> 0x409 or the first language,
 * and returns the data entry's RVA and size.
 */
static int
find_version(struct pe *pe, uint32_t *rvap, uint32_t *sizep)
{
	static const char *const what[3] = {
		"root", "RT_VERSION", "version languages",
	};
	unsigned char *ent = NULL, data[16];
	uint32_t seen[3], off = 0, next = 0, name;
	unsigned n, i, level, pick;
	int ret;

	for (level = 0; level < 3; level++) {
		/* Loop detection: a directory that is one of its ancestors. */
		for (i = 0; i < level; i++)
			if (seen[i] == off)
				return corrupt(pe, "resource directory loop: "
				    "the %s directory points back to offset "
				    "0x%x", what[level - 1], off);
		seen[level] = off;
		if ((ret = read_dir(pe, off, what[level], &ent, &n)) != 0)
			return ret;
		/* RT_VERSION; the first name; 0x409, else the first one. */
		pick = level == 1 && n > 0 ? 0 : n;
		for (i = 0; level != 1 && i < n; i++) {
			name = le32(ent + 8 * i);
			if (name == (level == 0 ? RT_VERSION : LANG_EN_US)) {
				pick = i;
				break;
			}
		}
		if (level == 2 && pick == n && n > 0)
			pick = 0;
		if (pick == n) {
			free(ent);
			return ctx_set_error(pe->ctx, OFFMIG_ENOTFOUND, 0,
			    "%s: no version resource%s", pe->name, level == 0 ?
			    "" : " (an empty RT_VERSION directory)");
		}
		next = le32(ent + 8 * pick + 4);
		free(ent);
		ent = NULL;
		if (level < 2 && !(next & 0x80000000u))
			return corrupt(pe, "the %s resource directory entry "
			    "points to data, not to a directory", what[level]);
		if (level == 2 && (next & 0x80000000u))
			return corrupt(pe, "resource directory tree deeper "
			    "than three levels under RT_VERSION");
		off = next & 0x7FFFFFFFu;
	}
	if (off > pe->rs_len || pe->rs_len - off < sizeof(data))
		return corrupt(pe, "resource data entry at offset 0x%x is "
		    "outside the resource section", off);
	if ((ret = read_at(pe, pe->rs_off + off, data, sizeof(data),
	    "the version resource data entry")) != 0)
		return ret;
	*rvap = le32(data);
	*sizep = le32(data + 4);
	return OFFMIG_OK;
}

/* One block of the version resource (VS_VERSIONINFO, String, ...). */
struct vblk {
	size_t		 off, end;	/* [off, off + wLength) in the buffer */
	uint16_t	 vlen, type;	/* wValueLength, wType */
	size_t		 key, nkey;	/* szKey: offset, UTF-16 units */
	size_t		 val;		/* the value, 32-bit aligned */
	size_t		 kids;		/* the first child, 32-bit aligned */
};

static size_t
align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

/* The block at off, which must end by lim. */
static int
vblk_read(struct pe *pe, const unsigned char *b, size_t lim, size_t off,
    const char *what, struct vblk *k)
{
	size_t i, vbytes;
	uint16_t len;

	if (off > lim || lim - off < 6)
		return corrupt(pe, "version resource: %s at offset %zu is cut "
		    "short", what, off);
	len = le16(b + off);
	if (len < 6)
		return corrupt(pe, "version resource: %s at offset %zu has "
		    "wLength %u (less than its header)", what, off, len);
	if (len > lim - off)
		return corrupt(pe, "version resource: %s at offset %zu has "
		    "wLength %u, past its parent's end (%zu bytes left)", what,
		    off, len, lim - off);
	k->off = off;
	k->end = off + len;
	k->vlen = le16(b + off + 2);
	k->type = le16(b + off + 4);
	k->key = off + 6;
	for (i = k->key; i + 1 < k->end; i += 2)
		if (b[i] == 0 && b[i + 1] == 0)
			break;
	if (i + 1 >= k->end)
		return corrupt(pe, "version resource: %s at offset %zu: its "
		    "key has no terminator within the block", what, off);
	k->nkey = (i - k->key) / 2;
	k->val = align4(i + 2);
	if (k->val > k->end)
		k->val = k->end;
	/* Text values count UTF-16 units (some writers count bytes). */
	vbytes = k->type == 1 ? (size_t)k->vlen * 2 : k->vlen;
	if (vbytes > k->end - k->val)
		vbytes = k->end - k->val;
	k->kids = align4(k->val + vbytes);
	if (k->kids > k->end)
		k->kids = k->end;
	return OFFMIG_OK;
}

/* 1 when the block's key is the ASCII text s, case-insensitively. */
static int
key_is(const unsigned char *b, const struct vblk *k, const char *s)
{
	size_t i, n = strlen(s);
	uint16_t c;

	if (k->nkey != n)
		return 0;
	for (i = 0; i < n; i++) {
		c = le16(b + k->key + 2 * i);
		if (c >= 0x80 || (c | 0x20) != ((unsigned char)s[i] | 0x20))
			return 0;
	}
	return 1;
}

/*
 * The next child of parent after the one ending at prev_end (or the first
 * when prev_end is 0): 1 with *k filled, 0 when there are no more.
 */
static int
vblk_next(struct pe *pe, const unsigned char *b, const struct vblk *parent,
    size_t prev_end, const char *what, struct vblk *k, int *retp)
{
	size_t off = prev_end == 0 ? parent->kids : align4(prev_end);

	*retp = OFFMIG_OK;
	/* Fewer bytes than a header left: trailing padding. */
	if (off >= parent->end || parent->end - off < 6)
		return 0;
	if ((*retp = vblk_read(pe, b, parent->end, off, what, k)) != 0)
		return 0;
	return 1;
}

static int
read_strings(struct pe *pe, const unsigned char *b, const struct vblk *sfi,
    struct pe_version *v)
{
	struct vblk t, chosen, s;
	size_t prev = 0;
	int ret, rank = 0, r, i;

	memset(&chosen, 0, sizeof(chosen));

	/* The table: 040904B0, else 040904E4, else the first. */
	while (vblk_next(pe, b, sfi, prev, "a StringTable", &t, &ret)) {
		prev = t.end;
		r = key_is(b, &t, "040904B0") ? 3 : key_is(b, &t, "040904E4") ?
		    2 : 1;
		if (r > rank) {
			chosen = t;
			rank = r;
		}
	}
	if (ret != 0 || rank == 0)
		return ret;
	prev = 0;
	while (vblk_next(pe, b, &chosen, prev, "a String", &s, &ret)) {
		prev = s.end;
		for (i = 0; i < 8; i++)
			if (key_is(b, &s, tags[i]))
				break;
		if (i == 8 || v->strings[i] != NULL || s.vlen == 0)
			continue;
		/* Up to the first NUL within the block. */
		if ((v->strings[i] = utf16le_to_utf8(b + s.val, s.end - s.val,
		    NULL)) == NULL)
			return ctx_set_error(pe->ctx, OFFMIG_ENOMEM, 0,
			    "out of memory");
		if (v->strings[i][0] == '\0') {
			free(v->strings[i]);
			v->strings[i] = NULL;
		}
	}
	return ret;
}

static int
parse_version(struct pe *pe, const unsigned char *b, size_t n,
    struct pe_version *v)
{
	struct vblk root, k;
	size_t prev = 0;
	int ret, have_sfi = 0;

	if ((ret = vblk_read(pe, b, n, 0, "VS_VERSIONINFO", &root)) != 0)
		return ret;
	if (!key_is(b, &root, "VS_VERSION_INFO"))
		return corrupt(pe, "version resource: the root block's key is "
		    "not VS_VERSION_INFO");
	if (root.vlen != 0) {
		const unsigned char *f = b + root.val;

		if (root.vlen < VS_FFI_SIZE ||
		    root.end - root.val < VS_FFI_SIZE)
			return corrupt(pe, "version resource: VS_FIXEDFILEINFO "
			    "of %u bytes (%zu in the block), not %u", root.vlen,
			    root.end - root.val, VS_FFI_SIZE);
		if (le32(f) != VS_FFI_SIGNATURE)
			return corrupt(pe, "version resource: VS_FIXEDFILEINFO "
			    "signature is 0x%08x, not 0x%08x", le32(f),
			    VS_FFI_SIGNATURE);
		v->has_fixed = 1;
		v->file_ver[0] = le16(f + 10);
		v->file_ver[1] = le16(f + 8);
		v->file_ver[2] = le16(f + 14);
		v->file_ver[3] = le16(f + 12);
		v->product_ver[0] = le16(f + 18);
		v->product_ver[1] = le16(f + 16);
		v->product_ver[2] = le16(f + 22);
		v->product_ver[3] = le16(f + 20);
	}
	while (vblk_next(pe, b, &root, prev, "a VS_VERSIONINFO child", &k,
	    &ret)) {
		prev = k.end;
		if (!have_sfi && key_is(b, &k, "StringFileInfo")) {
			have_sfi = 1;
			if ((ret = read_strings(pe, b, &k, v)) != 0)
				return ret;
		}
	}
	return ret;
}

/*
 * On OFFMIG_ENOTFOUND v->machine is still set (the image is sound, it just
 * has no version resource); on every other error *v is all zero.  Only
 * regular files are read: a FIFO or a device is refused as ECORRUPT.
 */
int
pe_version_read(struct offmig_ctx *ctx, int fd, const char *name,
    struct pe_version *v)
{
	struct pe pe;
	struct stat st;
	unsigned char *buf = NULL;
	uint32_t rva = 0, size = 0;
	uint64_t off, avail;
	size_t n;
	uint16_t machine;
	int ret;

	memset(v, 0, sizeof(*v));
	memset(&pe, 0, sizeof(pe));
	pe.ctx = ctx;
	pe.fd = fd;
	pe.name = name != NULL ? name : "(PE file)";
	if (fstat(fd, &st) != 0)
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", pe.name);
	if (!S_ISREG(st.st_mode))
		return corrupt(&pe, "not a regular file");
	pe.size = (uint64_t)st.st_size;
	if ((ret = read_headers(&pe, v)) != 0 ||
	    (ret = find_version(&pe, &rva, &size)) != 0)
		goto out;
	if (size < 6) {
		ret = corrupt(&pe, "version resource of %u bytes", size);
		goto out;
	}
	if (rva_map(&pe, rva, &off, &avail) != 0) {
		ret = corrupt(&pe, "version resource data at RVA 0x%x is in no "
		    "section's file data", rva);
		goto out;
	}
	n = size < PE_MAX_VERSION ? size : PE_MAX_VERSION;
	if (n > pe.size - off) {
		ret = corrupt(&pe, "version resource (%u bytes at RVA 0x%x) "
		    "runs past the end of the file (%llu bytes)", size, rva,
		    (unsigned long long)pe.size);
		goto out;
	}
	if (n > avail) {
		ret = corrupt(&pe, "version resource (%u bytes at RVA 0x%x) "
		    "runs past the end of its section", size, rva);
		goto out;
	}
	if ((buf = malloc(n)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "out of memory");
		goto out;
	}
	if ((ret = read_at(&pe, off, buf, n, "the version resource")) != 0)
		goto out;
	ret = parse_version(&pe, buf, n, v);
out:
	free(buf);
	free(pe.sect);
	if (ret != OFFMIG_OK) {
		/* The machine stays known when only the resource is missing. */
		machine = ret == OFFMIG_ENOTFOUND ? v->machine : 0;
		pe_version_release(v);
		v->machine = machine;
	}
	return ret;
}

void
pe_version_release(struct pe_version *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < 8; i++)
		free(v->strings[i]);
	memset(v, 0, sizeof(*v));
}

const char *
pe_version_get(struct pe_version *v, const char *tag)
{
	const uint16_t *n;
	size_t i;

	if (v == NULL || tag == NULL)
		return NULL;
	for (i = 0; i < 8; i++)
		if (strcasecmp(tag, tags[i]) == 0)
			break;
	if (i == 8)
		return NULL;
	if (v->strings[i] != NULL ||
	    (i != TAG_FILEVERSION && i != TAG_PRODUCTVERSION) || !v->has_fixed)
		return v->strings[i];
	/* Filled from VS_FIXEDFILEINFO once, then kept in strings[]. */
	n = i == TAG_FILEVERSION ? v->file_ver : v->product_ver;
	v->strings[i] = str_printf("%u.%u.%u.%u", n[0], n[1], n[2], n[3]);
	return v->strings[i];
}

/*
 * Versions.  The leading dotted numeric part of a string counts: "6.1.7600.
 * 16385 (win7_rtm.090713-1255)" is 6.1.7600.16385; "5, 1, 2600, 0" (the
 * comma form of old resource scripts) is 5.1.2600.0.  Components beyond
 * VER_MAX are ignored; values saturate at UINT64_MAX.
 */
#define VER_MAX	16

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The components of s into c[] (the rest zeroed); returns their count. */
static size_t
ver_parse(const char *s, uint64_t c[VER_MAX])
{
	size_t n = 0;
	uint64_t x;
	const char *p;

	memset(c, 0, VER_MAX * sizeof(*c));
	s = skip_space(s);
	while (is_digit(*s)) {
		for (x = 0; is_digit(*s); s++)
			x = x > (UINT64_MAX - 9) / 10 ? UINT64_MAX :
			    x * 10 + (uint64_t)(*s - '0');
		if (n < VER_MAX)
			c[n] = x;
		n++;
		if (s[0] == '.' && is_digit(s[1]))
			s++;
		else if (s[0] == ',' && is_digit(*(p = skip_space(s + 1))))
			s = p;
		else
			break;
	}
	return n < VER_MAX ? n : VER_MAX;
}

int
version_cmp(const char *a, const char *b)
{
	uint64_t ca[VER_MAX], cb[VER_MAX];
	size_t i;

	ver_parse(a != NULL ? a : "", ca);
	ver_parse(b != NULL ? b : "", cb);
	for (i = 0; i < VER_MAX; i++)
		if (ca[i] != cb[i])
			return ca[i] < cb[i] ? -1 : 1;
	return 0;
}

/*
 * "6.*", "6.1.*", "*", "6.1.7600.16385", "6.*.7600": components compared
 * numerically, a "*" component matches any one component, a trailing one
 * any rest; a component like "76*" is a wildcard on the decimal digits.
 * Components the pattern does not name must be 0 ("6.1" is 6.1.0.0).  A
 * pattern with anything but digits, '.' and '*' (or a version without a
 * leading number) is matched as text, case-insensitively, with '*' and '?'.
 */
int
version_match(const char *have, const char *pattern)
{
	uint64_t h[VER_MAX];
	const char *p, *t, *end;
	char tok[64], dec[24];
	size_t i, nh, len;

	if (have == NULL || pattern == NULL)
		return 0;
	p = skip_space(pattern);
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - p == 1 && *p == '*')
		return 1;
	for (t = p; t < end; t++)
		if (!is_digit(*t) && *t != '.' && *t != '*')
			break;
	nh = ver_parse(have, h);
	if (t < end || p == end || nh == 0)
		return wildmatch_ci(pattern, have);
	for (i = 0; p <= end; i++) {
		for (t = p; t < end && *t != '.'; t++)
			;
		len = (size_t)(t - p);
		if (len == 0 || len >= sizeof(tok))
			return 0;		/* "6..1", or absurd */
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (strcmp(tok, "*") == 0 && t == end)
			return 1;		/* the rest, whatever it is */
		if (i >= VER_MAX)
			return 0;
		if (strchr(tok, '*') == NULL) {
			uint64_t x = 0;

			for (t = tok; *t != '\0'; t++)
				x = x > (UINT64_MAX - 9) / 10 ? UINT64_MAX :
				    x * 10 + (uint64_t)(*t - '0');
			if (x != h[i])
				return 0;
		} else if (strcmp(tok, "*") != 0) {
			snprintf(dec, sizeof(dec), "%llu",
			    (unsigned long long)h[i]);
			if (!wildmatch_ci(tok, dec))
				return 0;
		}
		p += len + 1;
	}
	for (; i < VER_MAX; i++)
		if (h[i] != 0)
			return 0;
	return 1;
}
