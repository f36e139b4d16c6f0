/*
 * hive.c - read-only access to registry hives through hivex.  This file and
 * build.c are the only ones that include <hivex.h>.
 *
 * hivex parses; offmig decides.  The base block is parsed here first, so a
 * file hivex would refuse gets a precise message, and a checksum that only
 * Windows' fix-up rule accepts (hivex does not know it) still opens, from a
 * private copy.  Names are compared as Windows compares them (hivex folds
 * ASCII only), and value data is decoded here, not by hivex, so odd lengths,
 * missing terminators and lone surrogates are treated the same everywhere.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/replay.h"

#define SMALL_HIVE	(1024 * 1024)

struct hive {
	hive_h			*h;
	char			*name;		/* host path, for messages */
	int			 fd;		/* our own copy of the fd */
	uint64_t		 size;
	/*
	 * The file mapped read-only, or read into memory when it is at most
	 * SMALL_HIVE bytes (NULL if neither worked): names are decoded from
	 * it directly, which is much cheaper than hivex's iconv conversion
	 * and keeps lone surrogates.
	 */
	const unsigned char	*map;
	int			 map_malloced;	/* read into memory, not mapped */
	struct regf_info	 info;
	/*
	 * When the hive was dirty and its logs were consulted: what they held
	 * and what was applied (data released).  NULL otherwise.
	 */
	struct replay_result	*replay;
};

const char *
hive_name(const struct hive *h)
{
	return h->name;
}

const struct regf_info *
hive_info(const struct hive *h)
{
	return &h->info;
}

uint64_t
hive_file_size(const struct hive *h)
{
	return h->size;
}

hnode
hive_root(const struct hive *h)
{
	return hivex_root(h->h);
}

void
hive_close(struct hive *h)
{
	if (h == NULL)
		return;
	if (h->h != NULL)
		hivex_close(h->h);
	if (h->map != NULL && h->map_malloced)
		free((void *)h->map);
	else if (h->map != NULL)
		munmap((void *)h->map, (size_t)h->size);
	if (h->replay != NULL) {
		replay_result_free(h->replay);
		free(h->replay);
	}
	if (h->fd >= 0)
		close(h->fd);
	free(h->name);
	free(h);
}

/*
 * Says why hivex refused a hive whose base block is fine: the first bin or
 * cell that is not what it should be, or the root key.  Walks the bins the
 * way hivex does (from 0x1000 to the end of the hive bins data or of the
 * file), always moving forward.  Sets the message and returns
 * OFFMIG_ECORRUPT.
 */
static int
diagnose(struct offmig_ctx *ctx, struct hive *h, int e)
{
	uint64_t end = 0x1000ULL + h->info.hbins_size, off = 0x1000;
	uint64_t root = 0x1000ULL + h->info.root_offset;
	const char *pre = h->info.checksum_ok ? "" :
	    "bad checksum in base block, and ";
	unsigned char hdr[32], cell[8];
	int root_seen = 0;

	if (end > h->size)
		end = h->size;
	while (off + 32 <= end) {
		uint64_t size, c;

		if (io_pread_all(h->fd, hdr, sizeof(hdr), (off_t)off) != 0)
			break;
		if (memcmp(hdr, "hbin", 4) != 0)
			return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
			    "%s: not a hive: %shbin signature missing at "
			    "offset 0x%llx", h->name, pre,
			    (unsigned long long)off);
		size = le32(hdr + 8);
		if (size <= 32 || size % 4096 != 0 || off + size > h->size)
			return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
			    "%s: not a hive: %shbin at offset 0x%llx has bad "
			    "size %llu", h->name, pre, (unsigned long long)off,
			    (unsigned long long)size);
		/* Cells: a size > 4, a multiple of 4, within the bin. */
		for (c = off + 32; c + 4 <= off + size; ) {
			int32_t cs;
			uint64_t len;

			if (io_pread_all(h->fd, cell, sizeof(cell),
			    (off_t)c) != 0)
				break;
			cs = (int32_t)le32(cell);
			len = cs < 0 ? (uint64_t)-(int64_t)cs : (uint64_t)cs;
			if (len <= 4 || len % 4 != 0 || c + len > off + size)
				return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
				    "%s: not a hive: %sbad cell size %lld at "
				    "offset 0x%llx", h->name, pre,
				    (long long)cs, (unsigned long long)c);
			if (c == root && cs < 0 && memcmp(cell + 4, "nk", 2) ==
			    0)
				root_seen = 1;
			c += len;
		}
		off += size;
	}
	if (!root_seen)
		return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: not a hive: %sno root key cell at offset 0x%llx",
		    h->name, pre, (unsigned long long)root);
	return ctx_set_error(ctx, OFFMIG_ECORRUPT, e,
	    "%s: not a hive: %shivex refuses it", h->name, pre);
}

/*
 * Copies the whole file into an anonymous memory file with the base block
 * checksum set to what hivex expects (a plain XOR).  The original is never
 * touched.  Returns the new descriptor or -1 (message set).
 */
static int
private_copy(struct offmig_ctx *ctx, struct hive *h)
{
	unsigned char buf[65536];
	uint64_t off = 0;
	uint32_t sum = 0;
	int mfd, i;

#ifdef HAVE_MEMFD_CREATE
	mfd = memfd_create("offmig-hive", MFD_CLOEXEC);
#else
	mfd = -1;
	errno = ENOSYS;
#endif
	if (mfd < 0) {
		ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "%s: cannot make a private copy", h->name);
		return -1;
	}
	while (off < h->size) {
		size_t n = h->size - off > sizeof(buf) ? sizeof(buf) :
		    (size_t)(h->size - off);

		if (io_pread_all(h->fd, buf, n, (off_t)off) != 0) {
			ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", h->name);
			goto fail;
		}
		if (off == 0) {
			for (i = 0; i < 127; i++)
				sum ^= le32(buf + 4 * i);
			put_le32(buf + 0x1FC, sum);
		}
		if (pwrite(mfd, buf, n, (off_t)off) != (ssize_t)n) {
			ctx_set_error(ctx, OFFMIG_EIO, errno,
			    "%s: cannot make a private copy", h->name);
			goto fail;
		}
		off += n;
	}
	return mfd;
fail:
	close(mfd);
	return -1;
}

int
hive_open_fd(struct offmig_ctx *ctx, int fd, const char *name,
    struct hive **hp)
{
	unsigned char base[REGF_BASE_BLOCK];
	char procpath[64];
	struct hive *h = NULL;
	struct stat st;
	size_t blen;
	uint32_t plain = 0;
	int i, ret, e;

	*hp = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->name = strdup(name)) == NULL) {
		free(h);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", name);
	}
	h->fd = -1;
	if (fstat(fd, &st) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", name);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: not a regular file", name);
		goto fail;
	}
	h->size = (uint64_t)st.st_size;
	if ((h->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", name);
		goto fail;
	}
	blen = h->size < sizeof(base) ? (size_t)h->size : sizeof(base);
	if (io_pread_all(fd, base, blen, 0) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", name);
		goto fail;
	}
	if (h->size < 4 || memcmp(base, "regf", 4) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: not a registry hive (no regf signature)", name);
		goto fail;
	}
	if (h->size < 8192) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: truncated: %llu bytes, a hive has at least 8192", name,
		    (unsigned long long)h->size);
		goto fail;
	}
	/* The whole base block was read: the file has at least 8192 bytes. */
	if (regf_parse(base, sizeof(base), &h->info) != OFFMIG_OK) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: not a registry hive (no regf signature)", name);
		goto fail;
	}
	if (h->info.major != 1) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: unsupported hive version %u.%u", name, h->info.major,
		    h->info.minor);
		goto fail;
	}
	for (i = 0; i < 127; i++)
		plain ^= le32(base + 4 * i);
	if (plain != h->info.checksum) {
		/*
		 * Either Windows' fix-up applies (0 or ~0 stored as 1 or ~1)
		 * or the base block is damaged; hivex refuses both.  Read a
		 * private copy whose checksum hivex accepts.  A damaged one is
		 * still flagged through info.checksum_ok.
		 */
		int mfd = private_copy(ctx, h);

		if (mfd < 0) {
			ret = OFFMIG_EIO;
			goto fail;
		}
		close(h->fd);
		h->fd = mfd;
	}
	snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", h->fd);
	if ((h->h = hivex_open(procpath, 0)) == NULL) {
		e = errno;
		if (e == ENOMEM)
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, e, "%s", name);
		else if (e == ENOTSUP || e == EINVAL || e == EFAULT ||
		    e == ERANGE || e == ELOOP || e == EOVERFLOW ||
		    e == EILSEQ)
			ret = diagnose(ctx, h, e);
		else
			ret = ctx_set_error(ctx, OFFMIG_EIO, e, "%s", name);
		goto fail;
	}
	if (h->size <= SMALL_HIVE) {
		/*
		 * A small hive (a user's, mostly) is read: one pread() costs
		 * less than a map's faults and the TLB flush of its munmap().
		 */
		unsigned char *b = malloc((size_t)h->size);

		if (b != NULL &&
		    io_pread_all(h->fd, b, (size_t)h->size, 0) == 0) {
			h->map = b;
			h->map_malloced = 1;
		} else
			free(b);
	} else if (h->size <= SIZE_MAX) {
		void *m = mmap(NULL, (size_t)h->size, PROT_READ, MAP_PRIVATE,
		    h->fd, 0);

		h->map = m != MAP_FAILED ? m : NULL;
	}
	/*
	 * With the bytes at hand the descriptor is not needed any more: a
	 * volume with a thousand profiles keeps a thousand hives open, and
	 * hivex holds one descriptor for each already.
	 */
	if (h->map != NULL) {
		close(h->fd);
		h->fd = -1;
	}
	*hp = h;
	return OFFMIG_OK;
fail:
	hive_close(h);
	return ret;
}

const struct replay_result *
hive_replay_info(const struct hive *h)
{
	return h != NULL ? h->replay : NULL;
}

int
hive_fd_dirty(int fd)
{
	unsigned char bb[512];
	struct regf_info info;

	if (io_pread_all(fd, bb, sizeof(bb), 0) != 0)
		return -1;
	/* A damaged base block counts as dirty: a log may stand in for it. */
	if (regf_parse(bb, sizeof(bb), &info) != OFFMIG_OK)
		return 1;
	return info.dirty;
}

/*
 * An anonymous file holding len bytes of data, or -1 with the message set
 * and the code in *errp.
 */
static int
memfd_of(struct offmig_ctx *ctx, const char *name, const void *data,
    size_t len, int *errp)
{
	const unsigned char *p = data;
	int mfd;

#ifdef HAVE_MEMFD_CREATE
	mfd = memfd_create("offmig-recovered", MFD_CLOEXEC);
#else
	mfd = -1;
	errno = ENOSYS;
#endif
	if (mfd < 0) {
		*errp = ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "%s: cannot hold the recovered hive in memory", name);
		return -1;
	}
	if (io_write_all(mfd, p, len) != 0) {
		*errp = ctx_set_error(ctx, errno == ENOSPC ? OFFMIG_ENOMEM :
		    OFFMIG_EIO, errno,
		    "%s: cannot hold the recovered hive in memory", name);
		close(mfd);
		return -1;
	}
	return mfd;
}

int
hive_open_logs(struct offmig_ctx *ctx, int fd, const char *name, int dirfd,
    const char *dir_host, const char *base, unsigned flags,
    struct hive **hp)
{
	unsigned char bb[REGF_BASE_BLOCK];
	struct regf_info disk;
	struct replay_result *res;
	int mfd, ret, parsed;

	*hp = NULL;
	if (dirfd < 0 || (flags & HIVE_OPEN_NO_LOGS) || hive_fd_dirty(fd) != 1)
		return hive_open_fd(ctx, fd, name, hp);
	parsed = io_pread_all(fd, bb, sizeof(bb), 0) == 0 &&
	    regf_parse(bb, sizeof(bb), &disk) == OFFMIG_OK;
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", name);
	ret = hive_replay_dir(ctx, dirfd, dir_host, base, res);
	if (ret == OFFMIG_ENOMEM) {
		replay_result_free(res);
		free(res);
		return ret;
	}
	if (ret != OFFMIG_OK || !res->recovered || res->data == NULL) {
		/*
		 * Read the primary as it is; the logs' state stays on the
		 * handle so that reports can say why they did not help.
		 */
		if (ret != OFFMIG_OK && res->note[0] == '\0')
			snprintf(res->note, sizeof(res->note), "%s",
			    offmig_errmsg(ctx));
		free(res->data);
		res->data = NULL;
		res->recovered = 0;
		if ((ret = hive_open_fd(ctx, fd, name, hp)) != OFFMIG_OK) {
			replay_result_free(res);
			free(res);
			return ret;
		}
		(*hp)->replay = res;
		return OFFMIG_OK;
	}
	mfd = memfd_of(ctx, name, res->data, res->len, &ret);
	free(res->data);
	res->data = NULL;
	if (mfd < 0) {
		replay_result_free(res);
		free(res);
		return ret;
	}
	ret = hive_open_fd(ctx, mfd, name, hp);
	close(mfd);
	if (ret != OFFMIG_OK) {
		ctx_prefix_error(ctx, "after replaying its logs");
		replay_result_free(res);
		free(res);
		return ret;
	}
	/* hive_info() describes the file on the disk, which is dirty. */
	if (parsed)
		(*hp)->info = disk;
	else
		(*hp)->info.dirty = 1;
	(*hp)->replay = res;
	return OFFMIG_OK;
}

int
hive_open_path(struct offmig_ctx *ctx, const char *path, struct hive **hp)
{
	int fd, ret;

	*hp = NULL;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", path);
	ret = hive_open_fd(ctx, fd, path, hp);
	close(fd);
	return ret;
}

/*
 * Reads a name stored in a cell at off + at (len bytes; Latin-1 when comp
 * is set, else UTF-16LE), checking that it lies within the cell, whose
 * size is the first dword at off.  Returns NULL when it does not.
 */
static char *
raw_cell_name(struct hive *h, uint64_t off, uint64_t at, uint16_t len,
    int comp)
{
	unsigned char hdr[4], *name;
	const unsigned char *src;
	int32_t cs;
	char *s;

	if (off > h->size || h->size - off < at + len || h->size - off < 4)
		return NULL;
	if (h->map != NULL)
		memcpy(hdr, h->map + off, sizeof(hdr));
	else if (io_pread_all(h->fd, hdr, sizeof(hdr), (off_t)off) != 0)
		return NULL;
	cs = (int32_t)le32(hdr);
	/* Cells in use have a negative size. */
	if (cs >= 0 || cs == INT32_MIN || at + len > (uint64_t)-(int64_t)cs)
		return NULL;
	if (h->map != NULL)
		return comp ? latin1_to_utf8(h->map + off + at, len) :
		    utf16le_to_utf8(h->map + off + at, len, NULL);
	if ((name = malloc(len != 0 ? len : 1)) == NULL)
		return NULL;
	if (io_pread_all(h->fd, name, len, (off_t)(off + at)) != 0) {
		free(name);
		return NULL;
	}
	src = name;
	s = comp ? latin1_to_utf8(src, len) : utf16le_to_utf8(src, len, NULL);
	free(name);
	return s;
}

/* Reads len bytes at off from the map or the file; 0 on success. */
static int
raw_read(struct hive *h, void *buf, size_t len, uint64_t off)
{
	if (off > h->size || h->size - off < len)
		return -1;
	if (h->map != NULL) {
		memcpy(buf, h->map + off, len);
		return 0;
	}
	return io_pread_all(h->fd, buf, len, (off_t)off);
}

/*
 * Reads a key's name from its nk record when hivex cannot convert it (lone
 * surrogates): flags at +0x06, name length at +0x4C, name at +0x50 from the
 * cell start.  Returns NULL when the record is unreadable.
 */
static char *
raw_key_name(struct hive *h, hnode n)
{
	unsigned char rec[0x50];

	if (raw_read(h, rec, sizeof(rec), n) != 0 ||
	    rec[4] != 'n' || rec[5] != 'k')
		return NULL;
	return raw_cell_name(h, n, 0x50, le16(rec + 0x4C),
	    (le16(rec + 6) & 0x20) != 0);
}

/* The same for a value's vk record: length at +0x06, flags at +0x14. */
static char *
raw_value_name(struct hive *h, hive_value_h v)
{
	unsigned char rec[0x18];

	if (raw_read(h, rec, sizeof(rec), v) != 0 ||
	    rec[4] != 'v' || rec[5] != 'k')
		return NULL;
	return raw_cell_name(h, v, 0x18, le16(rec + 6),
	    (le16(rec + 0x14) & 1) != 0);
}

char *
hive_key_name(struct offmig_ctx *ctx, struct hive *h, hnode n)
{
	char *s;
	int e;

	/*
	 * From the mapped record when possible: hivex converts through
	 * iconv, which is slow and refuses lone surrogates.
	 */
	if (h->map != NULL && (s = raw_key_name(h, n)) != NULL)
		return s;
	errno = 0;
	if ((s = hivex_node_name(h->h, n)) != NULL)
		return s;
	e = errno;
	if (e == ENOMEM) {
		ctx_set_error(ctx, OFFMIG_ENOMEM, e, "%s", h->name);
		return NULL;
	}
	if (h->map == NULL && (s = raw_key_name(h, n)) != NULL)
		return s;
	ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
	    "%s: unreadable key name at offset 0x%zx", h->name, n);
	return NULL;
}

/* Name of a value (UTF-8, caller frees), or NULL when unreadable. */
static char *
value_name(struct hive *h, hive_value_h v)
{
	char *s;

	if (h->map != NULL && (s = raw_value_name(h, v)) != NULL)
		return s;
	errno = 0;
	if ((s = hivex_value_key(h->h, v)) != NULL)
		return s;
	if (errno == ENOMEM)
		return NULL;
	return raw_value_name(h, v);
}

int64_t
hive_key_mtime(struct hive *h, hnode n)
{
	int64_t ft;

	errno = 0;
	ft = hivex_node_timestamp(h->h, n);
	if (ft <= 0)
		return NO_TIME;
	return filetime_to_unix((uint64_t)ft);
}

int
hive_children(struct offmig_ctx *ctx, struct hive *h, hnode n,
    hnode **kidsp, size_t *np)
{
	hive_node_h *kids;
	hnode *copy;
	size_t i, nk;

	*kidsp = NULL;
	*np = 0;
	errno = 0;
	if ((kids = hivex_node_children(h->h, n)) == NULL) {
		int e = errno;
		char *path;
		int ret;

		if (e == ENOMEM)
			return ctx_set_error(ctx, OFFMIG_ENOMEM, e, "%s",
			    h->name);
		path = hive_key_path(NULL, h, n);
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: damaged subkey list of key '%s'", h->name,
		    path != NULL ? path : "?");
		free(path);
		return ret;
	}
	for (nk = 0; kids[nk] != 0; nk++)
		;
	if (nk == 0) {
		free(kids);
		return OFFMIG_OK;
	}
	/* hivex's array is its own; the caller gets a plain copy. */
	if ((copy = calloc(nk, sizeof(*copy))) == NULL) {
		free(kids);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", h->name);
	}
	for (i = 0; i < nk; i++)
		copy[i] = kids[i];
	free(kids);
	*kidsp = copy;
	*np = nk;
	return OFFMIG_OK;
}

/*
 * Finds the child of n named name, compared as Windows compares names.
 * hivex_node_get_child() folds ASCII only and gives up at the first name
 * iconv cannot convert, so the children are scanned here; it costs the
 * same (hivex scans linearly too).
 */
static int
find_child(struct offmig_ctx *ctx, struct hive *h, hnode n, const char *name,
    hnode *out)
{
	hnode *kids = NULL;
	size_t nk, i;
	int ret;

	*out = 0;
	if ((ret = hive_children(ctx, h, n, &kids, &nk)) != OFFMIG_OK)
		return ret;
	ret = OFFMIG_ENOTFOUND;
	for (i = 0; i < nk && ret == OFFMIG_ENOTFOUND; i++) {
		char *kn = hive_key_name(NULL, h, kids[i]);

		/* An unreadable sibling does not hide the others. */
		if (kn != NULL && wstrcasecmp(kn, name) == 0) {
			*out = kids[i];
			ret = OFFMIG_OK;
		}
		free(kn);
	}
	free(kids);
	return ret;
}

int
hive_lookup(struct offmig_ctx *ctx, struct hive *h, hnode from,
    const char *path, hnode *out)
{
	hnode cur = from != 0 ? from : hivex_root(h->h);
	const char *p = path, *q;
	char comp[1024];
	int ret;

	*out = 0;
	while (*p != '\0') {
		while (*p == '\\')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && *q != '\\'; q++)
			;
		/* Windows key names are at most 255 characters. */
		if ((size_t)(q - p) >= sizeof(comp))
			return OFFMIG_ENOTFOUND;
		memcpy(comp, p, (size_t)(q - p));
		comp[q - p] = '\0';
		if ((ret = find_child(ctx, h, cur, comp, &cur)) != OFFMIG_OK)
			return ret;
		p = q;
	}
	*out = cur;
	return OFFMIG_OK;
}

/* Keys deeper than this are a loop in the parent links. */
#define MAX_KEY_DEPTH	512

char *
hive_key_path(struct offmig_ctx *ctx, struct hive *h, hnode n)
{
	hnode root = hivex_root(h->h), cur = n;
	char *path, *tmp;
	int depth = 0;

	if ((path = strdup("")) == NULL) {
		ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", h->name);
		return NULL;
	}
	while (cur != root) {
		char *name;

		if (cur == 0 || depth++ >= MAX_KEY_DEPTH) {
			ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
			    "%s: damaged parent links above key '%s'",
			    h->name, path);
			free(path);
			return NULL;
		}
		if ((name = hive_key_name(ctx, h, cur)) == NULL) {
			free(path);
			return NULL;
		}
		tmp = str_printf("%s%s%s", name, *path != '\0' ? "\\" : "",
		    path);
		free(name);
		free(path);
		if ((path = tmp) == NULL) {
			ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    h->name);
			return NULL;
		}
		errno = 0;
		cur = hivex_node_parent(h->h, cur);
	}
	return path;
}

/*
 * Finds a value of key by name, compared as Windows compares names; the
 * first match wins.  hivex_node_get_value() folds ASCII only, so the list
 * is scanned here.
 */
static int
find_value(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const char *name, hive_value_h *out)
{
	hive_value_h *vals;
	size_t i;
	int ret = OFFMIG_ENOTFOUND;

	*out = 0;
	errno = 0;
	if ((vals = hivex_node_values(h->h, key)) == NULL) {
		char *path;

		if (errno == ENOMEM)
			return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    h->name);
		path = hive_key_path(NULL, h, key);
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: damaged value list of key '%s' while looking for "
		    "'%s'", h->name, path != NULL ? path : "?", name);
		free(path);
		return ret;
	}
	for (i = 0; vals[i] != 0 && ret != OFFMIG_OK; i++) {
		char *vn = value_name(h, vals[i]);

		if (vn != NULL && wstrcasecmp(vn, name) == 0) {
			*out = vals[i];
			ret = OFFMIG_OK;
		}
		free(vn);
	}
	free(vals);
	return ret;
}

/* Message for a value that cannot be used, naming hive, key and value. */
static int
value_error(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const char *name, int err, const char *what)
{
	char *path = hive_key_path(NULL, h, key);

	ctx_set_error(ctx, err, 0, "%s: value '%s' of key '%s': %s", h->name,
	    *name != '\0' ? name : "(default)", path != NULL ? path : "?",
	    what);
	free(path);
	return err;
}

int
hive_value_type(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const char *name, uint32_t *typep, size_t *lenp)
{
	hive_value_h v;
	hive_type t;
	size_t len;
	int ret;

	if (typep != NULL)
		*typep = 0;
	if (lenp != NULL)
		*lenp = 0;
	if ((ret = find_value(ctx, h, key, name, &v)) != OFFMIG_OK)
		return ret;
	if (hivex_value_type(h->h, v, &t, &len) != 0)
		return value_error(ctx, h, key, name, OFFMIG_ECORRUPT,
		    "unreadable");
	if (typep != NULL)
		*typep = (uint32_t)t;
	if (lenp != NULL)
		*lenp = len;
	return OFFMIG_OK;
}

int
hive_get_raw(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const char *name, uint32_t *typep, void **datap, size_t *lenp)
{
	hive_value_h v;
	hive_type t;
	size_t len;
	char *data;
	int ret;

	if (typep != NULL)
		*typep = 0;
	*datap = NULL;
	*lenp = 0;
	if ((ret = find_value(ctx, h, key, name, &v)) != OFFMIG_OK)
		return ret;
	/* hivex caps the length at HIVEX_MAX_VALUE_LEN (8 MB). */
	errno = 0;
	if ((data = hivex_value_value(h->h, v, &t, &len)) == NULL)
		return value_error(ctx, h, key, name, errno == ENOMEM ?
		    OFFMIG_ENOMEM : OFFMIG_ECORRUPT, "data cannot be read");
	if (typep != NULL)
		*typep = (uint32_t)t;
	*datap = data;
	*lenp = len;
	return OFFMIG_OK;
}

int
hive_val_string(const struct hive_val *v, char **sp)
{
	*sp = NULL;
	if (!v->present)
		return OFFMIG_ENOTFOUND;
	/*
	 * Strings, and binary data of even length (programs store
	 * UTF-16LE text as REG_BINARY or REG_NONE).  REG_MULTI_SZ gives its
	 * first string.
	 */
	if (v->type != REG_SZ && v->type != REG_EXPAND_SZ &&
	    v->type != REG_LINK && v->type != REG_MULTI_SZ &&
	    !((v->type == REG_BINARY || v->type == REG_NONE) &&
	    v->len % 2 == 0))
		return OFFMIG_EINVAL;
	if ((*sp = utf16le_to_utf8(v->data, v->len, NULL)) == NULL)
		return OFFMIG_ENOMEM;
	return OFFMIG_OK;
}

int
hive_get_string(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const char *name, char **sp, uint32_t *typep)
{
	struct hive_val v;
	int ret;

	*sp = NULL;
	if (typep != NULL)
		*typep = 0;
	memset(&v, 0, sizeof(v));
	if ((ret = hive_get_raw(ctx, h, key, name, &v.type, &v.data,
	    &v.len)) != OFFMIG_OK)
		return ret;
	v.present = 1;
	if (typep != NULL)
		*typep = v.type;
	ret = hive_val_string(&v, sp);
	free(v.data);
	if (ret == OFFMIG_EINVAL)
		return value_error(ctx, h, key, name, ret, "not a string");
	if (ret == OFFMIG_ENOMEM)
		return ctx_set_error(ctx, ret, errno, "%s", h->name);
	return ret;
}

/* Parses a string of decimal digits (no sign, no spaces); -1 if it is not. */
static int
parse_decimal(const char *s, uint64_t *vp)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' ||
		    v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*vp = v;
	return 0;
}

int
hive_val_qword(const struct hive_val *v, uint64_t *vp)
{
	const unsigned char *p = v->data;
	int ret = OFFMIG_OK;

	*vp = 0;
	if (!v->present)
		return OFFMIG_ENOTFOUND;
	if ((v->type == REG_DWORD || v->type == REG_BINARY) && v->len == 4)
		*vp = le32(p);
	else if (v->type == REG_DWORD_BIG_ENDIAN && v->len == 4)
		*vp = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	else if ((v->type == REG_QWORD || v->type == REG_BINARY) &&
	    v->len == 8)
		*vp = le64(p);
	else if (v->type == REG_SZ || v->type == REG_EXPAND_SZ) {
		char *s = utf16le_to_utf8(v->data, v->len, NULL);

		if (s == NULL)
			ret = OFFMIG_ENOMEM;
		else if (parse_decimal(s, vp) != 0)
			ret = OFFMIG_EINVAL;
		free(s);
	} else
		ret = OFFMIG_EINVAL;
	if (ret != OFFMIG_OK)
		*vp = 0;
	return ret;
}

int
hive_get_qword(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const char *name, uint64_t *vp)
{
	struct hive_val v;
	int ret;

	*vp = 0;
	memset(&v, 0, sizeof(v));
	if ((ret = hive_get_raw(ctx, h, key, name, &v.type, &v.data,
	    &v.len)) != OFFMIG_OK)
		return ret;
	v.present = 1;
	ret = hive_val_qword(&v, vp);
	free(v.data);
	if (ret == OFFMIG_EINVAL)
		return value_error(ctx, h, key, name, ret, "not a number");
	if (ret == OFFMIG_ENOMEM)
		return ctx_set_error(ctx, ret, errno, "%s", h->name);
	return ret;
}

int
hive_get_values(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const char *const *names, size_t n, struct hive_val *out)
{
	hive_value_h *vals;
	size_t i, j, left = n;

	memset(out, 0, n * sizeof(*out));
	errno = 0;
	if ((vals = hivex_node_values(h->h, key)) == NULL)
		return value_error(ctx, h, key, "*", OFFMIG_ECORRUPT,
		    "damaged value list");
	for (i = 0; vals[i] != 0 && left > 0; i++) {
		char *vn = value_name(h, vals[i]);

		if (vn == NULL)
			continue;
		for (j = 0; j < n; j++) {
			hive_type t;
			size_t len;
			char *data;

			/* The first value of a name wins, as in lookups. */
			if (out[j].present || wstrcasecmp(vn, names[j]) != 0)
				continue;
			errno = 0;
			if ((data = hivex_value_value(h->h, vals[i], &t, &len)) !=
			    NULL) {
				out[j].present = 1;
				out[j].type = (uint32_t)t;
				out[j].data = data;
				out[j].len = len;
				left--;
			}
			break;
		}
		free(vn);
	}
	free(vals);
	return OFFMIG_OK;
}

void
hive_vals_release(struct hive_val *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].data);
		v[i].data = NULL;
		v[i].present = 0;
	}
}

int
hive_get_dword(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const char *name, uint32_t *vp)
{
	uint64_t v;
	int ret;

	*vp = 0;
	if ((ret = hive_get_qword(ctx, h, key, name, &v)) != OFFMIG_OK)
		return ret;
	if (v > 0xFFFFFFFFULL)
		return value_error(ctx, h, key, name, OFFMIG_EINVAL,
		    "does not fit in 32 bits");
	*vp = (uint32_t)v;
	return OFFMIG_OK;
}

void
hive_strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
hive_get_multi(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const char *name, char ***vp)
{
	const unsigned char *p;
	size_t len, units, i, start, n, count;
	uint32_t type;
	void *data;
	char **v;
	int ret, pass;

	*vp = NULL;
	if ((ret = hive_get_raw(ctx, h, key, name, &type, &data, &len)) !=
	    OFFMIG_OK)
		return ret;
	if (type != REG_MULTI_SZ && type != REG_SZ && type != REG_EXPAND_SZ) {
		free(data);
		return value_error(ctx, h, key, name, OFFMIG_EINVAL,
		    "not a list of strings");
	}
	p = data;
	units = len / 2;
	v = NULL;
	count = 0;
	/* Pass 0 counts the strings, pass 1 converts them. */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && (v = calloc(count + 1, sizeof(*v))) == NULL)
			goto nomem;
		for (n = 0, start = 0, i = 0; i <= units; i++) {
			if (i < units && le16(p + 2 * i) != 0)
				continue;
			/*
			 * An empty string in the last unit, or at the end
			 * of the data, is the list terminator.
			 */
			if (i == start && (i + 1 >= units))
				break;
			if (pass == 1 && (v[n] = utf16le_to_utf8(p + 2 * start,
			    2 * (i - start), NULL)) == NULL)
				goto nomem;
			n++;
			start = i + 1;
		}
		count = n;
	}
	free(data);
	*vp = v;
	return OFFMIG_OK;
nomem:
	hive_strv_free(v);
	free(data);
	return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", h->name);
}

int
hive_value_names(struct offmig_ctx *ctx, struct hive *h, hnode key,
    char ***namesp)
{
	hive_value_h *vals;
	size_t n, i;
	char **v;
	int ret;

	*namesp = NULL;
	errno = 0;
	if ((vals = hivex_node_values(h->h, key)) == NULL)
		return value_error(ctx, h, key, "*", errno == ENOMEM ?
		    OFFMIG_ENOMEM : OFFMIG_ECORRUPT, "damaged value list");
	for (n = 0; vals[n] != 0; n++)
		;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL) {
		free(vals);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", h->name);
	}
	for (i = 0; i < n; i++) {
		if ((v[i] = value_name(h, vals[i])) != NULL)
			continue;
		if (errno == ENOMEM)
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    h->name);
		else {
			char what[64];

			snprintf(what, sizeof(what),
			    "unreadable value name at offset 0x%zx", vals[i]);
			ret = value_error(ctx, h, key, "*", OFFMIG_ECORRUPT,
			    what);
		}
		hive_strv_free(v);
		free(vals);
		return ret;
	}
	free(vals);
	*namesp = v;
	return OFFMIG_OK;
}

int
hive_key_values(struct offmig_ctx *ctx, struct hive *h, hnode key,
    struct hive_rawval **valsp, size_t *np, size_t *nbadp)
{
	struct hive_rawval *v = NULL;
	hive_value_h *vals;
	size_t n, i, k = 0;

	*valsp = NULL;
	*np = 0;
	*nbadp = 0;
	errno = 0;
	if ((vals = hivex_node_values(h->h, key)) == NULL)
		return value_error(ctx, h, key, "*", errno == ENOMEM ?
		    OFFMIG_ENOMEM : OFFMIG_ECORRUPT, "damaged value list");
	for (n = 0; vals[n] != 0; n++)
		;
	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL) {
		free(vals);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", h->name);
	}
	for (i = 0; i < n; i++) {
		hive_type t;
		size_t len;
		char *name, *data;

		errno = 0;
		if ((name = value_name(h, vals[i])) == NULL) {
			if (errno == ENOMEM)
				goto nomem;
			(*nbadp)++;
			continue;
		}
		errno = 0;
		if ((data = hivex_value_value(h->h, vals[i], &t, &len)) ==
		    NULL) {
			free(name);
			if (errno == ENOMEM)
				goto nomem;
			(*nbadp)++;
			continue;
		}
		v[k].name = name;
		v[k].type = (uint32_t)t;
		v[k].data = data;
		v[k].len = len;
		k++;
	}
	free(vals);
	if (k == 0) {
		free(v);
		v = NULL;
	}
	*valsp = v;
	*np = k;
	return OFFMIG_OK;
nomem:
	free(vals);
	hive_rawvals_free(v, k);
	return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "%s", h->name);
}

void
hive_rawvals_free(struct hive_rawval *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].data);
	}
	free(v);
}
