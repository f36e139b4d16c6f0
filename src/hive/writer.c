/*
 * writer.c - the safe hive writer (see writer.h for the rules): refuses
 * hives whose logs would apply, edits a private copy through hivex, and
 * commits through a temp file, a backup and a rename, fixing on the way
 * what hivex writes wrongly (base block, subkey lists of non-ASCII names).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/writer.h"

/* Seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01. */
#define FILETIME_UNIX_DIFF	11644473600ULL
/* The largest hive the writer loads (hivex keeps it all in memory). */
#define MAX_HIVE_SIZE		(1024ULL * 1024 * 1024)
/* Backups tried after NAME.offmig-bak: NAME.offmig-bak.1 ... .9. */
#define MAX_BACKUPS		9
#define TMP_INFIX		".offmig-tmp-"

static int fault_step;
static unsigned tmp_counter;

void
hive_writer_set_fault(int step)
{
	fault_step = step;
}

/* Non-zero when the commit must stop after step (a simulated crash). */
static int
fault_at(int step)
{
	const char *e;
	int want = fault_step;

	if (want == 0 && (e = getenv("OFFMIG_FAULT_STEP")) != NULL)
		want = atoi(e);
	return want == step;
}

/*
 * Upper case of a UTF-16 code unit as Windows' registry computes it, for
 * the units where offmig is sure of the answer; -1 for the others.
 * Surrogates are upper-cased unit by unit, so they stay as they are.
 * Letters whose mapping is uncertain (U+00B5, U+0131, U+017F, Latin
 * Extended-B, accented Greek, Armenian, fullwidth Latin...) are unknown.
 * Arrows, mathematical and technical symbols, box drawing, shapes,
 * miscellaneous symbols and dingbats have no case (the circled letters
 * U+24B6..U+24E9 do, and stay unknown).
 */
static int32_t
upper_unit(uint32_t c)
{
	if (c < 0x80)
		return c >= 'a' && c <= 'z' ? (int32_t)c - 0x20 : (int32_t)c;
	if (c < 0x100) {
		if (c == 0xB5)
			return -1;
		if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
			return (int32_t)c - 0x20;
		return c == 0xFF ? 0x178 : (int32_t)c;
	}
	if (c < 0x180) {
		/* Latin Extended-A: pairs, upper case first. */
		if (c == 0x131 || c == 0x149 || c == 0x17F)
			return -1;
		if (c == 0x130 || c == 0x138 || c == 0x178)
			return (int32_t)c;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (int32_t)((c & 1) ? c : c - 1);
		return (int32_t)((c & 1) ? c - 1 : c);
	}
	if (c >= 0x391 && c <= 0x3A9)
		return (int32_t)c;
	if (c == 0x3C2)
		return 0x3A3;
	if (c >= 0x3B1 && c <= 0x3C9)
		return (int32_t)c - 0x20;
	if (c >= 0x400 && c <= 0x42F)
		return (int32_t)c;
	if (c >= 0x430 && c <= 0x44F)
		return (int32_t)c - 0x20;
	if (c >= 0x450 && c <= 0x45F)
		return (int32_t)c - 0x50;
	/* Scripts and symbols without case. */
	if ((c >= 0x590 && c <= 0x8FF) || (c >= 0x900 && c <= 0x109F) ||
	    (c >= 0x2000 && c <= 0x206F) || (c >= 0x20A0 && c <= 0x20CF) ||
	    (c >= 0x2190 && c <= 0x23FF) || (c >= 0x2500 && c <= 0x27BF) ||
	    (c >= 0x2900 && c <= 0x2BFF) ||
	    (c >= 0x3000 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7A3) ||
	    (c >= 0xD800 && c <= 0xDFFF) || (c >= 0xF900 && c <= 0xFAFF))
		return (int32_t)c;
	return -1;
}

/* Comparison key: upper-cased units, unknown letters as themselves. */
static uint16_t
fold_unit(uint16_t u)
{
	int32_t v = upper_unit(u);

	return v < 0 ? u : (uint16_t)v;
}

int
hive_name_hash(const char *name, uint32_t *hashp)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n = strlen(name), i = 0, k;
	uint32_t h = 0, cp;

	while (i < n) {
		uint32_t units[2];
		size_t nu = 1;

		if ((k = utf8_decode(s + i, n - i, &cp)) == 0 ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		i += k;
		if (cp >= 0x10000) {
			units[0] = 0xD800 + ((cp - 0x10000) >> 10);
			units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
			nu = 2;
		} else
			units[0] = cp;
		for (k = 0; k < nu; k++) {
			int32_t u = upper_unit(units[k]);

			if (u < 0)
				return -1;
			h = 37 * h + (uint32_t)u;
		}
	}
	*hashp = h;
	return 0;
}

/* A plain file name: no directory part, not "." or "..". */
static int
plain_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL &&
	    strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* (uint32) a - b in [0, 2^31): a is b or later, as Windows orders seqs. */
static int
seq_not_older(uint32_t a, uint32_t b)
{
	return (uint32_t)(a - b) < 0x80000000U;
}

/*
 * Refuses the hive when a log beside it would apply (rule in writer.h).
 * info is the hive's base block.
 */
static int
check_logs(struct offmig_ctx *ctx, int dirfd, const char *dir_host,
    const char *name, const char *path, const struct regf_info *info)
{
	struct hive_log *logs = NULL;
	size_t nlogs = 0, i;
	int ret;

	if ((ret = hive_find_logs(ctx, dirfd, dir_host, name, &logs,
	    &nlogs)) != OFFMIG_OK)
		return ret;
	for (i = 0; i < nlogs && ret == OFFMIG_OK; i++) {
		unsigned char buf[516];
		struct regf_info li;
		const char *want;
		int fd;

		if (logs[i].size < sizeof(buf))
			continue;
		if ((fd = openat(dirfd, logs[i].name, O_RDONLY | O_NONBLOCK |
		    O_NOFOLLOW | O_CLOEXEC)) < 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s",
			    logs[i].host_path);
			break;
		}
		if (io_pread_all(fd, buf, sizeof(buf), 0) != 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s",
			    logs[i].host_path);
			close(fd);
			break;
		}
		close(fd);
		/* Windows ignores a log whose base block is not valid. */
		if (regf_parse(buf, sizeof(buf), &li) != OFFMIG_OK ||
		    !li.checksum_ok)
			continue;
		if (li.file_type == 6)
			want = "HvLE";
		else if (li.file_type == 1 || li.file_type == 2)
			want = "DIRT";
		else
			continue;
		if (memcmp(buf + 512, want, 4) != 0)
			continue;
		if (seq_not_older(li.seq1, info->seq2))
			ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0,
			    "%s: log %s holds changes that would apply (its "
			    "sequence number %u, the hive's %u); run offmig "
			    "hive recover/clean first", path, logs[i].name,
			    li.seq1, info->seq2);
	}
	hive_logs_free(logs, nlogs);
	return ret;
}

/* Removes ".NAME.offmig-tmp-*" files left by interrupted commits. */
static void
remove_stale_temps(int dirfd, const char *name)
{
	char *prefix = str_printf(".%s" TMP_INFIX, name);
	struct dirent *de;
	DIR *dir;
	int fd;

	if (prefix == NULL)
		return;
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
	    0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		free(prefix);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		struct stat st;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			unlinkat(dirfd, de->d_name, 0);
	}
	closedir(dir);
	free(prefix);
}

/* An anonymous memory file; -1 with errno set when there is none. */
static int
mem_file(void)
{
#ifdef HAVE_MEMFD_CREATE
	return memfd_create("offmig-writer", MFD_CLOEXEC);
#else
	errno = ENOSYS;
	return -1;
#endif
}

int
hive_writer_open(struct offmig_ctx *ctx, int dirfd, const char *dir_host,
    const char *name, unsigned flags, struct hive_builder **bp)
{
	struct hive_builder *b;
	struct regf_info info;
	char procpath[64];
	uint32_t plain = 0;
	int fd = -1, mfd = -1, ret, i;

	*bp = NULL;
	if (!plain_name(name))
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0,
		    "%s: the hive must be a file name within %s", name,
		    dir_host);
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", name);
	b->ctx = ctx;
	b->dirfd = -1;
	b->flags = flags;
	if ((b->path = str_join_path(dir_host, name)) == NULL ||
	    (b->name = strdup(name)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", name);
		goto fail;
	}
	if ((b->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", dir_host);
		goto fail;
	}
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0) {
		if (errno == ELOOP)
			ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0,
			    "%s: is a symbolic link; not written", b->path);
		else
			ret = ctx_set_error(ctx, errno == ENOENT ?
			    OFFMIG_ENOTFOUND : OFFMIG_EIO, errno, "%s",
			    b->path);
		goto fail;
	}
	if (fstat(fd, &b->st) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", b->path);
		goto fail;
	}
	if (!S_ISREG(b->st.st_mode)) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0,
		    "%s: not a regular file; not written", b->path);
		goto fail;
	}
	if (b->st.st_size < 8192 || (uint64_t)b->st.st_size > MAX_HIVE_SIZE) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: %lld bytes: not a hive the writer can load", b->path,
		    (long long)b->st.st_size);
		goto fail;
	}
	b->orig_len = (size_t)b->st.st_size;
	if ((b->orig = malloc(b->orig_len)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", b->path);
		goto fail;
	}
	if (io_pread_all(fd, b->orig, b->orig_len, 0) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", b->path);
		goto fail;
	}
	close(fd);
	fd = -1;
	if (regf_parse(b->orig, REGF_BASE_BLOCK, &info) != OFFMIG_OK ||
	    info.major != 1 || info.file_type != 0) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: not a primary registry hive of version 1.x", b->path);
		goto fail;
	}
	b->minor = info.minor;
	b->seq = info.seq2;
	if (!(flags & HIVE_WRITER_FIXTURE)) {
		if (info.dirty) {
			ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0,
			    "%s is dirty (%s): its logs would apply; run "
			    "offmig hive recover/clean first", b->path,
			    info.checksum_ok ? "sequence numbers differ" :
			    "bad base block checksum");
			goto fail;
		}
		if ((ret = check_logs(ctx, dirfd, dir_host, name, b->path,
		    &info)) != OFFMIG_OK)
			goto fail;
	}
	remove_stale_temps(dirfd, name);

	/*
	 * hivex loads the whole file in write mode and closes it: hand it a
	 * memory copy, with the plain XOR it checks the checksum against.
	 */
	if ((mfd = mem_file()) < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "%s: cannot make a private copy", b->path);
		goto fail;
	}
	for (i = 0; i < 127; i++)
		plain ^= le32(b->orig + 4 * i);
	if (io_write_all(mfd, b->orig, 0x1FC) != 0 ||
	    io_write_all(mfd, (unsigned char[4]){ plain & 0xff, (plain >> 8) &
	    0xff, (plain >> 16) & 0xff, plain >> 24 }, 4) != 0 ||
	    io_write_all(mfd, b->orig + 0x200, b->orig_len - 0x200) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "%s: cannot make a private copy", b->path);
		goto fail;
	}
	snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", mfd);
	if ((b->h = hivex_open(procpath, HIVEX_OPEN_WRITE)) == NULL) {
		ret = ctx_set_error(ctx, errno == ENOMEM ? OFFMIG_ENOMEM :
		    OFFMIG_ECORRUPT, errno, "%s: hivex cannot load it for "
		    "writing", b->path);
		goto fail;
	}
	close(mfd);
	*bp = b;
	return OFFMIG_OK;
fail:
	if (fd >= 0)
		close(fd);
	if (mfd >= 0)
		close(mfd);
	hive_builder_abort(b);
	return ret;
}

int
hive_writer_set_backup(struct hive_builder *b, const char *bakname)
{
	char *copy;

	if (!plain_name(bakname) || strcmp(bakname, b->name) == 0)
		return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
		    "%s: backup '%s' must be another file name in the same "
		    "directory", b->path, bakname);
	if ((copy = strdup(bakname)) == NULL)
		return ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    b->path);
	free(b->backup);
	b->backup = copy;
	return OFFMIG_OK;
}

/*
 * Subkey lists.  A parent's subkeys may sit in one leaf (li, lf, lh) or in
 * several under an ri; the entries of all its leaves form one sorted
 * sequence.  The fix keeps the entries hivex did not add in the order they
 * had, takes out the added ones and puts each back where Windows' order
 * wants it, then rewrites the leaves in place with their counts unchanged
 * and the lh hash or lf hint of each added entry recomputed.
 */
struct sub_entry {
	uint32_t	 off;		/* nk, hbins-relative */
	uint32_t	 field;		/* lf hint or lh hash as stored */
	uint16_t	*key;		/* upper-cased name */
	size_t		 nkey;
	int		 added;
};

/* Cell at hbins-relative off: its data and data size, or NULL. */
static unsigned char *
cell_at(unsigned char *img, size_t len, uint32_t off, size_t *sizep)
{
	uint64_t at = 0x1000ULL + off;
	int32_t cs;
	uint64_t size;

	if (off == 0xFFFFFFFF || at + 8 > len)
		return NULL;
	cs = (int32_t)le32(img + at);
	if (cs >= 0)			/* free cells hold nothing */
		return NULL;
	size = (uint64_t)-(int64_t)cs;
	if (size < 8 || at + size > len)
		return NULL;
	*sizep = (size_t)size - 4;
	return img + at + 4;
}

/*
 * Name of the nk at off as UTF-16 units (upper-cased when fold), and the
 * lf hint Windows would store for it.  Returns NULL when the cell is not a
 * readable nk.
 */
static uint16_t *
nk_name(unsigned char *img, size_t len, uint32_t off, size_t *np,
    uint32_t *hintp)
{
	unsigned char *nk, hint[4] = { 0, 0, 0, 0 };
	size_t size, nlen, n, i;
	uint16_t *u;
	int comp;

	if ((nk = cell_at(img, len, off, &size)) == NULL || size < 0x4C ||
	    memcmp(nk, "nk", 2) != 0)
		return NULL;
	comp = (le16(nk + 2) & 0x20) != 0;
	nlen = le16(nk + 0x48);
	if (0x4C + nlen > size)
		return NULL;
	n = comp ? nlen : nlen / 2;
	if ((u = calloc(n + 1, sizeof(*u))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		u[i] = comp ? nk[0x4C + i] : le16(nk + 0x4C + 2 * i);
	/* The hint: the first 4 characters while they fit in a byte. */
	for (i = 0; i < n && i < 4; i++) {
		if (u[i] > 0xFF) {
			hint[0] = 0;
			break;
		}
		hint[i] = (unsigned char)u[i];
	}
	*hintp = le32(hint);
	for (i = 0; i < n; i++)
		u[i] = fold_unit(u[i]);
	*np = n;
	return u;
}

static int
key_cmp(const struct sub_entry *a, const struct sub_entry *b)
{
	size_t i;

	for (i = 0; i < a->nkey && i < b->nkey; i++)
		if (a->key[i] != b->key[i])
			return a->key[i] < b->key[i] ? -1 : 1;
	return (a->nkey > i) - (b->nkey > i);
}

/* Windows' lh hash of upper-cased units. */
static uint32_t
units_hash(const uint16_t *u, size_t n)
{
	uint32_t h = 0;
	size_t i;

	for (i = 0; i < n; i++)
		h = 37 * h + u[i];
	return h;
}

/* At most this many leaves under one ri (Windows splits at ~1000). */
#define MAX_LEAVES	4096

static int
fix_parent(struct hive_builder *b, unsigned char *img, size_t len,
    hnode parent)
{
	struct offmig_ctx *ctx = b->ctx;
	unsigned char *nk, *list, *leaf;
	uint32_t leaves[MAX_LEAVES];
	struct sub_entry *ent = NULL, *order = NULL;
	size_t size, lsize, nleaves = 0, nent = 0, nsub, i, j, k, esz = 0;
	char type[3] = "";
	int ret = OFFMIG_OK;

	if (parent < 0x1000 || parent - 0x1000 > 0xFFFFFFFFULL ||
	    (nk = cell_at(img, len, (uint32_t)(parent - 0x1000), &size)) ==
	    NULL || size < 0x4C || memcmp(nk, "nk", 2) != 0)
		return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: key at 0x%zx is not a key after hivex's commit",
		    b->path, (size_t)parent);
	/* Each subkey takes at least 4 bytes of some leaf. */
	if ((nsub = le32(nk + 0x14)) > len / 4)
		goto bad;
	if ((list = cell_at(img, len, le32(nk + 0x1C), &lsize)) == NULL ||
	    lsize < 4)
		goto bad;
	if (memcmp(list, "ri", 2) == 0) {
		nleaves = le16(list + 2);
		if (nleaves > MAX_LEAVES || 4 + 4 * nleaves > lsize)
			goto bad;
		for (i = 0; i < nleaves; i++)
			leaves[i] = le32(list + 4 + 4 * i);
	} else {
		nleaves = 1;
		leaves[0] = le32(nk + 0x1C);
	}
	if ((ent = calloc(nsub + 1, sizeof(*ent))) == NULL ||
	    (order = calloc(nsub + 1, sizeof(*order))) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", b->path);
		goto out;
	}
	for (i = 0; i < nleaves; i++) {
		size_t cnt;

		if ((leaf = cell_at(img, len, leaves[i], &lsize)) == NULL ||
		    lsize < 4)
			goto bad;
		if (type[0] == '\0') {
			memcpy(type, leaf, 2);
			if (strcmp(type, "li") == 0)
				esz = 4;
			else if (strcmp(type, "lf") == 0 ||
			    strcmp(type, "lh") == 0)
				esz = 8;
			else
				goto bad;
		} else if (memcmp(type, leaf, 2) != 0) {
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
			    "%s: key at 0x%zx mixes subkey list types; not "
			    "written", b->path, (size_t)parent);
			goto out;
		}
		cnt = le16(leaf + 2);
		if (4 + cnt * esz > lsize || nent + cnt > nsub)
			goto bad;
		for (j = 0; j < cnt; j++, nent++) {
			struct sub_entry *e = &ent[nent];
			uint32_t hint;

			e->off = le32(leaf + 4 + j * esz);
			e->field = esz == 8 ? le32(leaf + 8 + j * esz) : 0;
			if ((e->key = nk_name(img, len, e->off, &e->nkey,
			    &hint)) == NULL)
				goto bad;
			for (k = 0; k < b->nadded; k++)
				if (b->added[k].parent == parent &&
				    b->added[k].child == 0x1000ULL + e->off)
					e->added = 1;
			if (e->added) {
				if (strcmp(type, "lh") == 0)
					e->field = units_hash(e->key, e->nkey);
				else if (strcmp(type, "lf") == 0)
					e->field = hint;
			}
		}
	}
	if (nent != nsub)
		goto bad;
	/* The old entries in their order, then each added one inserted. */
	for (i = 0, k = 0; i < nent; i++)
		if (!ent[i].added)
			order[k++] = ent[i];
	for (i = 0; i < nent; i++) {
		if (!ent[i].added)
			continue;
		for (j = 0; j < k && key_cmp(&order[j], &ent[i]) <= 0; j++)
			;
		memmove(&order[j + 1], &order[j], (k - j) * sizeof(*order));
		order[j] = ent[i];
		k++;
	}
	/* Back into the leaves, each keeping its count. */
	for (i = 0, k = 0; i < nleaves; i++) {
		size_t cnt;

		leaf = cell_at(img, len, leaves[i], &lsize);
		cnt = le16(leaf + 2);
		for (j = 0; j < cnt; j++, k++) {
			put_le32(leaf + 4 + j * esz, order[k].off);
			if (esz == 8)
				put_le32(leaf + 8 + j * esz, order[k].field);
		}
	}
	goto out;
bad:
	ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
	    "%s: damaged subkey list of the key at 0x%zx after hivex's "
	    "commit; not written", b->path, (size_t)parent);
out:
	if (ent != NULL)
		for (i = 0; i < nent; i++)
			free(ent[i].key);
	free(ent);
	free(order);
	return ret;
}

/* Fixes the subkey list of every key that got a child, once each. */
static int
fix_lists(struct hive_builder *b, unsigned char *img, size_t len)
{
	size_t i, j;
	int ret;

	for (i = 0; i < b->nadded; i++) {
		for (j = 0; j < i; j++)
			if (b->added[j].parent == b->added[i].parent)
				break;
		if (j < i)
			continue;
		if ((ret = fix_parent(b, img, len, b->added[i].parent)) !=
		    OFFMIG_OK)
			return ret;
	}
	return OFFMIG_OK;
}

/* The FILETIME of now. */
static uint64_t
filetime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec + FILETIME_UNIX_DIFF) * 10000000ULL +
	    (uint64_t)ts.tv_nsec / 100;
}

/*
 * The base block hivex leaves behind, made right: sequence numbers one
 * past the old ones and equal, the time of the write, the size of the
 * bins actually there, the checksum with Windows' fix-ups.
 */
static int
fix_base_block(struct hive_builder *b, unsigned char *img, size_t len,
    uint32_t seq)
{
	size_t off = 0x1000;

	while (off + 32 <= len && memcmp(img + off, "hbin", 4) == 0) {
		uint32_t sz = le32(img + off + 8);

		if (sz < 4096 || sz % 4096 != 0 || sz > len - off ||
		    le32(img + off + 4) != off - 0x1000)
			return ctx_set_error(b->ctx, OFFMIG_ECORRUPT, 0,
			    "%s: bad hive bin at 0x%zx after hivex's commit; "
			    "not written", b->path, off);
		off += sz;
	}
	if (off == 0x1000 || le32(img + 0x24) >= off - 0x1000)
		return ctx_set_error(b->ctx, OFFMIG_ECORRUPT, 0,
		    "%s: no hive bins or root key after hivex's commit; not "
		    "written", b->path);
	put_le32(img + 0x04, seq);
	put_le32(img + 0x08, seq);
	if (!(b->flags & HIVE_WRITER_FIXTURE)) {
		uint64_t ft = filetime_now();

		put_le32(img + 0x0C, (uint32_t)ft);
		put_le32(img + 0x10, (uint32_t)(ft >> 32));
		/* The first bin keeps a copy of it. */
		put_le32(img + 0x1000 + 20, (uint32_t)ft);
		put_le32(img + 0x1000 + 24, (uint32_t)(ft >> 32));
	}
	put_le32(img + 0x1C, 0);
	put_le32(img + 0x28, (uint32_t)(off - 0x1000));
	put_le32(img + 0x1FC, regf_checksum(img));
	return OFFMIG_OK;
}

/* hivex's commit, into memory; *imgp is malloc'd. */
static int
commit_image(struct hive_builder *b, unsigned char **imgp, size_t *lenp)
{
	char procpath[64];
	unsigned char *img = NULL;
	struct stat st;
	int mfd, ret = OFFMIG_OK;

	*imgp = NULL;
	if ((mfd = mem_file()) < 0)
		return ctx_set_error(b->ctx, OFFMIG_EIO, errno,
		    "%s: cannot make a memory file", b->path);
	snprintf(procpath, sizeof(procpath), "/proc/self/fd/%d", mfd);
	if (hivex_commit(b->h, procpath, 0) != 0) {
		ret = ctx_set_error(b->ctx, OFFMIG_EIO, errno,
		    "%s: hivex cannot commit", b->path);
		goto out;
	}
	if (fstat(mfd, &st) != 0 || st.st_size < 8192 ||
	    (uint64_t)st.st_size > MAX_HIVE_SIZE * 2) {
		ret = ctx_set_error(b->ctx, OFFMIG_EIO, errno,
		    "%s: hivex's commit has a bad size", b->path);
		goto out;
	}
	if ((img = malloc((size_t)st.st_size)) == NULL) {
		ret = ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    b->path);
		goto out;
	}
	if (io_pread_all(mfd, img, (size_t)st.st_size, 0) != 0) {
		ret = ctx_set_error(b->ctx, OFFMIG_EIO, errno, "%s", b->path);
		free(img);
		goto out;
	}
	*imgp = img;
	*lenp = (size_t)st.st_size;
out:
	close(mfd);
	return ret;
}

/* Is the file name in the directory the original, or a byte copy of it? */
static int
same_as_orig(struct hive_builder *b, const char *name)
{
	unsigned char *buf;
	struct stat st;
	int fd, same = 0;

	if (fstatat(b->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	if (st.st_dev == b->st.st_dev && st.st_ino == b->st.st_ino)
		return 1;
	if ((uint64_t)st.st_size != b->orig_len)
		return 0;
	if ((fd = openat(b->dirfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return 0;
	if ((buf = malloc(b->orig_len)) != NULL &&
	    io_pread_all(fd, buf, b->orig_len, 0) == 0)
		same = memcmp(buf, b->orig, b->orig_len) == 0;
	free(buf);
	close(fd);
	return same;
}

/* Writes len bytes to a new file name (O_EXCL) with the original's mode. */
static int
write_new(struct hive_builder *b, const char *name, const void *buf,
    size_t len, struct stat *stp, int sync_fault)
{
	int fd, e;

	if ((fd = openat(b->dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, b->st.st_mode & 07777)) < 0)
		return -1;
	/* The umask may have narrowed the mode; owner kept where allowed. */
	if (fchmod(fd, b->st.st_mode & 07777) != 0 ||
	    (geteuid() == 0 && fchown(fd, b->st.st_uid, b->st.st_gid) != 0) ||
	    io_write_all(fd, buf, len) != 0)
		goto fail;
	if (sync_fault && fault_at(HIVE_WSTEP_TEMP_WRITTEN)) {
		close(fd);
		errno = 0;
		return -2;
	}
	if (fsync(fd) != 0 || (stp != NULL && fstat(fd, stp) != 0))
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(b->dirfd, name, 0);
	errno = e;
	return -1;
}

/* A fresh temp name for dirfd/NAME. */
static char *
temp_name(struct hive_builder *b)
{
	return str_printf(".%s" TMP_INFIX "%ld-%u", b->name, (long)getpid(),
	    ++tmp_counter);
}

/*
 * Keeps the original under a backup name (*usedp gets it).  A hard link
 * costs nothing and is the original itself; where links are not
 * supported the bytes read at open are copied.
 */
static int
make_backup(struct hive_builder *b, char **usedp)
{
	char *cand = NULL;
	int i, last = b->backup != NULL ? 0 : MAX_BACKUPS;

	*usedp = NULL;
	for (i = 0; i <= last; i++) {
		free(cand);
		if (b->backup != NULL)
			cand = strdup(b->backup);
		else if (i == 0)
			cand = str_printf("%s.offmig-bak", b->name);
		else
			cand = str_printf("%s.offmig-bak.%d", b->name, i);
		if (cand == NULL)
			return ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno, "%s",
			    b->path);
		if (linkat(b->dirfd, b->name, b->dirfd, cand, 0) == 0) {
			*usedp = cand;
			return OFFMIG_OK;
		}
		if (errno == EPERM || errno == EOPNOTSUPP || errno == EMLINK ||
		    errno == ENOSYS) {
			if (write_new(b, cand, b->orig, b->orig_len, NULL, 0) ==
			    0) {
				*usedp = cand;
				return OFFMIG_OK;
			}
		}
		if (errno != EEXIST) {
			int ret = ctx_set_error(b->ctx, OFFMIG_EIO, errno,
			    "%s: cannot keep a backup as %s", b->path, cand);

			free(cand);
			return ret;
		}
		/* Left by an interrupted run: it is the original. */
		if (same_as_orig(b, cand)) {
			*usedp = cand;
			return OFFMIG_OK;
		}
	}
	free(cand);
	if (b->backup != NULL)
		return ctx_set_error(b->ctx, OFFMIG_EUNSAFE, 0,
		    "%s: backup %s exists and is not a copy of it; not "
		    "written", b->path, b->backup);
	return ctx_set_error(b->ctx, OFFMIG_EUNSAFE, 0,
	    "%s: backups %s.offmig-bak to .offmig-bak.%d exist; move them "
	    "away first", b->path, b->name, MAX_BACKUPS);
}

/* Has the original changed since open (another writer, Windows)? */
static int
orig_changed(struct hive_builder *b)
{
	struct stat st;

	if (fstatat(b->dirfd, b->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 1;
	return st.st_dev != b->st.st_dev || st.st_ino != b->st.st_ino ||
	    st.st_size != b->st.st_size ||
	    st.st_mtim.tv_sec != b->st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != b->st.st_mtim.tv_nsec;
}

/*
 * Checks the subkey lists fixed above: each fixed parent's entries are in
 * order and an lh hash of an added entry is Windows' hash.
 */
static int
check_lists(struct hive_builder *b, unsigned char *img, size_t len)
{
	size_t i;

	for (i = 0; i < b->nadded; i++) {
		unsigned char *nk, *list;
		size_t size, lsize, j, n;
		uint32_t hint;
		uint16_t *u;
		int found = 0;

		nk = cell_at(img, len, (uint32_t)(b->added[i].parent - 0x1000),
		    &size);
		if (nk == NULL || size < 0x4C || (list = cell_at(img, len,
		    le32(nk + 0x1C), &lsize)) == NULL || lsize < 4)
			return -1;
		if (memcmp(list, "lh", 2) != 0)
			continue;	/* ri, li, lf: order checked by lookup */
		n = le16(list + 2);
		if (4 + 8 * n > lsize)
			return -1;
		for (j = 0; j < n; j++) {
			size_t nu;

			if (0x1000ULL + le32(list + 4 + 8 * j) !=
			    b->added[i].child)
				continue;
			if ((u = nk_name(img, len, le32(list + 4 + 8 * j), &nu,
			    &hint)) == NULL)
				return -1;
			found = units_hash(u, nu) == le32(list + 8 + 8 * j);
			free(u);
		}
		if (!found)
			return -1;
	}
	return 0;
}

/*
 * Reads the committed file back and checks it is what was written and a
 * clean hive holding every key written.
 */
static int
verify(struct hive_builder *b, const unsigned char *img, size_t len,
    const struct stat *tst, uint32_t seq)
{
	struct hive *h = NULL;
	unsigned char *buf = NULL;
	struct stat st;
	size_t i;
	hnode n;
	int fd, ret = OFFMIG_OK;

	if ((fd = openat(b->dirfd, b->name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 || fstat(fd, &st) != 0)
		ret = ctx_set_error(b->ctx, OFFMIG_EIO, errno,
		    "%s: cannot read it back", b->path);
	else if (st.st_ino != tst->st_ino || st.st_dev != tst->st_dev ||
	    (uint64_t)st.st_size != len)
		ret = ctx_set_error(b->ctx, OFFMIG_EIO, 0,
		    "%s: is not the file just written", b->path);
	else if ((buf = malloc(len)) == NULL)
		ret = ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    b->path);
	else if (io_pread_all(fd, buf, len, 0) != 0 ||
	    memcmp(buf, img, len) != 0)
		ret = ctx_set_error(b->ctx, OFFMIG_EIO, errno,
		    "%s: reads back differently from what was written",
		    b->path);
	else if ((ret = hive_open_fd(b->ctx, fd, b->path, &h)) != OFFMIG_OK)
		ctx_prefix_error(b->ctx, "after writing");
	else if (hive_info(h)->dirty || !hive_info(h)->checksum_ok ||
	    hive_info(h)->seq1 != seq)
		ret = ctx_set_error(b->ctx, OFFMIG_ECORRUPT, 0,
		    "%s: base block wrong after writing", b->path);
	else if (check_lists(b, buf, len) != 0)
		ret = ctx_set_error(b->ctx, OFFMIG_ECORRUPT, 0,
		    "%s: subkey list hash wrong after writing", b->path);
	for (i = 0; ret == OFFMIG_OK && i < b->nkeys; i++)
		if (hive_lookup(b->ctx, h, 0, b->keys[i], &n) != OFFMIG_OK)
			ret = ctx_set_error(b->ctx, OFFMIG_ECORRUPT, 0,
			    "%s: key '%s' not found after writing", b->path,
			    b->keys[i]);
	hive_close(h);
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Puts the original bytes back after a failed verification. */
static int
restore_orig(struct hive_builder *b)
{
	char *tmp = temp_name(b);
	int ok;

	if (tmp == NULL)
		return -1;
	ok = write_new(b, tmp, b->orig, b->orig_len, NULL, 0) == 0 &&
	    renameat(b->dirfd, tmp, b->dirfd, b->name) == 0 &&
	    fsync(b->dirfd) == 0;
	if (!ok)
		unlinkat(b->dirfd, tmp, 0);
	free(tmp);
	return ok ? 0 : -1;
}

/* Stops like a crash after step: nothing is cleaned up. */
#define FAULT(step)							\
	do {								\
		if (fault_at(step)) {					\
			ret = ctx_set_error(ctx, OFFMIG_EIO, 0,		\
			    "%s: fault injected after step %d", b->path,\
			    step);					\
			crashed = 1;					\
			goto out;					\
		}							\
	} while (0)

int
hive_writer_commit(struct hive_builder *b, char **backupp)
{
	struct offmig_ctx *ctx = b->ctx;
	unsigned char *img = NULL;
	char *tmp = NULL, *bak = NULL;
	struct stat tst;
	size_t len = 0;
	uint32_t seq = b->seq + 1;
	int ret, r, renamed = 0, crashed = 0;

	if (backupp != NULL)
		*backupp = NULL;
	if ((ret = commit_image(b, &img, &len)) != OFFMIG_OK ||
	    (ret = fix_lists(b, img, len)) != OFFMIG_OK ||
	    (ret = fix_base_block(b, img, len, seq)) != OFFMIG_OK)
		goto out;
	if ((tmp = temp_name(b)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", b->path);
		goto out;
	}
	if ((r = write_new(b, tmp, img, len, &tst, 1)) == -2) {
		crashed = 1;
		ret = ctx_set_error(ctx, OFFMIG_EIO, 0,
		    "%s: fault injected after step %d", b->path,
		    HIVE_WSTEP_TEMP_WRITTEN);
		goto out;
	}
	if (r != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "%s: cannot write %s", b->path, tmp);
		free(tmp);
		tmp = NULL;		/* write_new removed it */
		goto out;
	}
	FAULT(HIVE_WSTEP_TEMP_SYNCED);
	if (!(b->flags & (HIVE_WRITER_FIXTURE | HIVE_WRITER_NO_BACKUP))) {
		if ((ret = make_backup(b, &bak)) != OFFMIG_OK)
			goto out;
		FAULT(HIVE_WSTEP_BACKUP);
	}
	if (orig_changed(b)) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0,
		    "%s: changed since it was opened; not written", b->path);
		goto out;
	}
	if (renameat(b->dirfd, tmp, b->dirfd, b->name) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", b->path);
		goto out;
	}
	renamed = 1;
	FAULT(HIVE_WSTEP_RENAMED);
	if (fsync(b->dirfd) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: directory",
		    b->path);
		goto out;
	}
	FAULT(HIVE_WSTEP_DIR_SYNCED);
	if ((ret = verify(b, img, len, &tst, seq)) != OFFMIG_OK) {
		if (restore_orig(b) == 0)
			ctx_prefix_error(ctx, "original put back");
		else
			ctx_prefix_error(ctx, "original kept as %s",
			    bak != NULL ? bak : "(no backup)");
	}
out:
	if (!renamed && !crashed && tmp != NULL)
		unlinkat(b->dirfd, tmp, 0);
	if (ret == OFFMIG_OK && backupp != NULL) {
		*backupp = bak;
		bak = NULL;
	}
	free(bak);
	free(tmp);
	free(img);
	hive_builder_abort(b);
	return ret;
}
