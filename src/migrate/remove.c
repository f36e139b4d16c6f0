/*
 * remove.c - removing a migration store: offmig_store_remove().
 *
 * A store is removed only when every file it holds is also reachable
 * outside it: at the place restore put it (STORE/restored says where and
 * how), or, for an object never restored, at its original place on the
 * volume; the same inode with another link, or (copies) the same size and
 * SHA-256.  The whole store is checked before anything is unlinked; the
 * journal says "remove checked" before the first unlink, so a rerun after
 * a kill goes on removing without checking again (a store file already
 * gone is then expected).  Nothing here follows a symbolic link: store
 * files and destinations are opened beneath their roots with
 * RESOLVE_NO_SYMLINKS (or one component at a time with O_NOFOLLOW), the
 * tree is removed with *at() calls relative to directory descriptors, and
 * a link met in the store is unlinked as a link.  Memory does not grow
 * with the number of objects: the manifest and the restore record are
 * streamed side by side (the record is read as the few sorted runs its
 * restores appended), the store's tree is walked with one descriptor a
 * level.  In a hard-link store the check takes each stored file to be the
 * inode the manifest records and confirms all of them at once with one
 * walk of files/ (a sum of hashes of (path, inode) pairs); anything odd
 * runs the full check, a stat a file, which names the culprits.
 *
 * The fast check also proves the places without a stat each: each place's
 * folder is listed once (getdents: name, d_ino, d_type), and a place is
 * reachable when its entry is a regular file naming the recorded inode,
 * in a folder of the store's filesystem, and is not the store's own entry.
 * That is a link count of at least 2 without asking for it: a directory
 * entry is one (filesystem, folder inode, name) -- folders cannot be
 * hard-linked -- so the store's entry (found by the walk of files/) and
 * the place's (another folder inode or another name) are two links to
 * the inode, and unlinking the store's leaves the place's.  Because some
 * filesystems make d_ino up, the first match in each folder is checked
 * with fstatat (same inode and device, a regular file, st_nlink >= 2); a
 * mismatch there sends every place of that folder to fstatat.  Places the listing does not prove
 * (replaced, a copy, a link, missing, a folder too big to list) are
 * looked at with fstatat as the full check does.  See dl_reach() and
 * docs/STORE-FORMAT.md.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "common/doc.h"
#include "common/sha256.h"
#include "common/vpath.h"
#include "migrate/manifest.h"
#include "migrate/remove.h"
#include "migrate/store.h"

#define NTFS_ATTRIB_XATTR	"system.ntfs_attrib_be"
#define NTFS_ATTR_READONLY	0x00000001u
#define COPY_TMP		"offmig~copy~tmp:"
#define MAX_LISTED		1000	/* problems listed in a report */
#define MAX_RUNS		64	/* separate restores in one record */
#define MAX_USERS		1024
#define RLINE_MAX		(MANIFEST_MAX_LINE + 2)

/* Journal. */

int
store_journal_add(struct offmig_ctx *ctx, int storefd, const char *storepath,
    const char *command, const char *event, const char *arg, int sync)
{
	struct mbuf b = { 0 };
	int fd, ret = OFFMIG_OK;

	mbuf_add(&b, command, strlen(command));
	mbuf_add(&b, "\t", 1);
	mbuf_add(&b, event, strlen(event));
	mbuf_add(&b, "\t", 1);
	mbuf_add_escaped(&b, arg, strlen(arg));
	mbuf_add(&b, "\n", 1);
	if (b.oom)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "journal");
	fd = openat(storefd, STORE_JOURNAL, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s", storepath,
		    STORE_JOURNAL);
		goto out;
	}
	if (io_write_all(fd, b.p, b.len) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s: write",
		    storepath, STORE_JOURNAL);
		goto out;
	}
	if (sync) {
		if (store_fault("fsync"))
			ret = ctx_set_error(ctx, OFFMIG_EIO, EIO, "%s/%s: fsync "
			    "(injected fault)", storepath, STORE_JOURNAL);
		else if (fdatasync(fd) != 0)
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s: "
			    "fsync", storepath, STORE_JOURNAL);
	}
out:
	if (fd >= 0)
		close(fd);
	mbuf_free(&b);
	return ret;
}

int
store_journal_has(int storefd, const char *command, const char *event)
{
	char buf[8192], want[64];
	size_t wlen, have = 0;
	ssize_t n;
	int fd, found = 0, bol = 1;

	wlen = (size_t)snprintf(want, sizeof(want), "%s\t%s\t", command,
	    event);
	if (wlen >= sizeof(want))
		return 0;
	fd = openat(storefd, STORE_JOURNAL, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK);
	if (fd < 0)
		return 0;
	/* Match want at the start of each line, a byte at a time. */
	while (!found && (n = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t i;

		for (i = 0; i < n && !found; i++) {
			if (buf[i] == '\n') {
				bol = 1;
				have = 0;
				continue;
			}
			if (bol && have < wlen && buf[i] == want[have]) {
				if (++have == wlen)
					found = 1;
			} else
				bol = 0;
		}
	}
	close(fd);
	return found;
}

/* Opening below a root, following no link. */

/*
 * Opens path ('/'-separated, names as stored) below dirfd: openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or one component at a time with
 * O_NOFOLLOW when the kernel lacks it or the path is longer than the
 * kernel takes in one call.  -1 with errno (ELOOP: a link on the way).
 */
static int
open_below(int dirfd, const char *path, int flags)
{
	const char *p, *q;
	char name[NAME_MAX + 1];
	int fd, next;

	fd = vpath_open_beneath(dirfd, path, flags);
	if (fd >= 0 || (errno != ENOSYS && errno != ENAMETOOLONG))
		return fd;
	if ((fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	for (p = path; *p != '\0'; p = q) {
		size_t len;

		q = strchr(p, '/');
		len = q != NULL ? (size_t)(q - p) : strlen(p);
		if (len == 0 || len > NAME_MAX) {
			close(fd);
			errno = len == 0 ? EINVAL : ENAMETOOLONG;
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		q = q != NULL ? q + 1 : p + len;
		next = openat(fd, name, (*q != '\0' ? O_PATH | O_DIRECTORY :
		    flags) | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
	}
	return fd;
}

/*
 * The folder of the last path looked up below a root, kept open: the
 * manifest lists a folder's objects together, so most lookups reuse it.
 */
struct pcache {
	struct mbuf	 dir;
	int		 fd;
	uint64_t	 gen;		/* counts the folders opened */
	int		 have_st;	/* st below is the folder's */
	struct stat	 st;
};

/* The stat of the folder pc holds (cached); NULL when it cannot be had. */
static const struct stat *
pc_stat(struct pcache *pc)
{
	if (!pc->have_st && pc->fd >= 0 && fstat(pc->fd, &pc->st) == 0)
		pc->have_st = 1;
	return pc->have_st ? &pc->st : NULL;
}

static void
pc_release(struct pcache *pc)
{
	if (pc->fd >= 0)
		close(pc->fd);
	pc->fd = -1;
	mbuf_free(&pc->dir);
}

/*
 * The folder of rel below rootfd (owned by the cache: not to be closed)
 * and, in *namep, rel's last component.  -1 with errno (ELOOP: a link on
 * the way).
 */
static int
pc_parent(struct pcache *pc, int rootfd, const char *rel, const char **namep)
{
	const char *slash = strrchr(rel, '/');
	size_t dlen = slash != NULL ? (size_t)(slash - rel) : 0;
	char *parent;

	*namep = slash != NULL ? slash + 1 : rel;
	if (pc->fd >= 0 && pc->dir.len == dlen && (dlen == 0 ||
	    memcmp(pc->dir.p, rel, dlen) == 0))
		return pc->fd;
	if (pc->fd >= 0)
		close(pc->fd);
	pc->fd = -1;
	pc->dir.len = 0;
	if (dlen == 0)
		pc->fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	else if ((parent = strndup(rel, dlen)) == NULL)
		return -1;
	else {
		pc->fd = open_below(rootfd, parent, O_PATH | O_DIRECTORY);
		free(parent);
	}
	if (pc->fd < 0)
		return -1;
	pc->gen++;
	pc->have_st = 0;
	mbuf_add(&pc->dir, rel, dlen);
	if (pc->dir.oom) {
		close(pc->fd);
		pc->fd = -1;
		errno = ENOMEM;
		return -1;
	}
	return pc->fd;
}

/*
 * The entries of one destination folder, read with getdents (readdir):
 * name, inode number (d_ino) and type (d_type), in an open-addressing
 * table.  The fast check proves most destinations with it instead of one
 * fstatat each (see dl_reach()).  Bounded: a folder of more than
 * DL_MAX_ENTRIES entries or DL_MAX_NAMES bytes of names is not listed
 * (its destinations are looked at one fstatat each).
 */
#define DL_MAX_ENTRIES	65536
#define DL_MAX_NAMES	(4u << 20)

struct dent {
	uint64_t	 ino;
	uint32_t	 off, hash;	/* name at names + off; hash 0: free */
	uint16_t	 len;
	unsigned char	 type;
};

struct dlist {
	uint64_t	 gen;		/* of the pcache folder listed */
	int		 built, usable;
	int		 sampled;	/* one match confirmed by fstatat */
	struct dent	*tab;
	size_t		 cap, n;
	char		*names;
	size_t		 nlen, ncap;
};

static uint32_t
dl_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h != 0 ? h : 1;
}

static void
dl_release(struct dlist *dl)
{
	free(dl->tab);
	free(dl->names);
	memset(dl, 0, sizeof(*dl));
}

/* Adds an entry; -1 when the folder is too big to list (or ENOMEM). */
static int
dl_add(struct dlist *dl, const char *name, size_t len, uint64_t ino,
    unsigned char type)
{
	struct dent *e;
	uint32_t h = dl_hash(name, len);
	size_t i;

	if (dl->n >= DL_MAX_ENTRIES || len > NAME_MAX ||
	    dl->nlen + len > DL_MAX_NAMES)
		return -1;
	if (2 * (dl->n + 1) > dl->cap) {
		size_t ncap = dl->cap ? 2 * dl->cap : 256, j;
		struct dent *nt = calloc(ncap, sizeof(*nt));

		if (nt == NULL)
			return -1;
		for (j = 0; j < dl->cap; j++) {
			if (dl->tab[j].hash == 0)
				continue;
			for (i = dl->tab[j].hash & (ncap - 1); nt[i].hash != 0;
			    i = (i + 1) & (ncap - 1))
				;
			nt[i] = dl->tab[j];
		}
		free(dl->tab);
		dl->tab = nt;
		dl->cap = ncap;
	}
	if (dl->nlen + len > dl->ncap) {
		size_t ncap = dl->ncap ? dl->ncap : 16384;
		char *nn;

		while (ncap < dl->nlen + len)
			ncap *= 2;
		if ((nn = realloc(dl->names, ncap)) == NULL)
			return -1;
		dl->names = nn;
		dl->ncap = ncap;
	}
	memcpy(dl->names + dl->nlen, name, len);
	for (i = h & (dl->cap - 1); dl->tab[i].hash != 0;
	    i = (i + 1) & (dl->cap - 1))
		;
	e = &dl->tab[i];
	e->hash = h;
	e->off = (uint32_t)dl->nlen;
	e->len = (uint16_t)len;
	e->ino = ino;
	e->type = type;
	dl->nlen += len;
	dl->n++;
	return 0;
}

static const struct dent *
dl_find(const struct dlist *dl, const char *name)
{
	size_t len = strlen(name), i;
	uint32_t h = dl_hash(name, len);

	if (dl->cap == 0)
		return NULL;
	for (i = h & (dl->cap - 1); dl->tab[i].hash != 0;
	    i = (i + 1) & (dl->cap - 1))
		if (dl->tab[i].hash == h && dl->tab[i].len == len &&
		    memcmp(dl->names + dl->tab[i].off, name, len) == 0)
			return &dl->tab[i];
	return NULL;
}

/*
 * Lists the folder open at fd (its own open file description, so the
 * cache's descriptor keeps no directory offset).  dl->usable 0 when it
 * cannot be read or is too big.
 */
static void
dl_build(struct dlist *dl, int fd, uint64_t gen)
{
	struct dirent *de;
	DIR *d;
	int dfd;

	dl->gen = gen;
	dl->built = 1;
	dl->usable = 0;
	dl->sampled = 0;
	dl->n = dl->nlen = 0;
	if (dl->cap > 0)
		memset(dl->tab, 0, dl->cap * sizeof(*dl->tab));
	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	dl->usable = 1;
	while ((de = readdir(d)) != NULL)
		if (dl_add(dl, de->d_name, strlen(de->d_name),
		    (uint64_t)de->d_ino, de->d_type) != 0) {
			dl->usable = 0;
			break;
		}
	closedir(d);
}

/* Removing a tree. */

static void
rm_failed(struct offmig_ctx *ctx, struct rm_counts *c, const char *path,
    int e, const char *what)
{
	if (c->silent) {
		c->failed++;
		return;
	}
	ctx_log(ctx, OFFMIG_LOG_ERROR, "%s: cannot be removed: %s", path,
	    what != NULL ? what : strerror(e));
	c->failed++;
	if (c->doc != NULL && c->failures != NULL && c->listed < MAX_LISTED) {
		struct offmig_node *o = doc_push_object(c->doc, c->failures);

		doc_add_str(c->doc, o, "path", path);
		doc_add_str(c->doc, o, "error", what != NULL ? what :
		    strerror(e));
		c->listed++;
	}
}

/*
 * ntfs-3g's attribute of the inode fd is open on (O_PATH is enough: the
 * xattr is read through /proc/self/fd).  Returns 0, or -1 where the
 * filesystem does not give it.
 */
static int
ntfs_attr_get(int fd, uint32_t *ap)
{
	unsigned char v[4];
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (getxattr(proc, NTFS_ATTRIB_XATTR, v, sizeof(v)) != 4)
		return -1;
	*ap = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
	    (uint32_t)v[2] << 8 | v[3];
	return 0;
}

static int
ntfs_attr_set(int fd, uint32_t a)
{
	unsigned char v[4];
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	v[0] = (unsigned char)(a >> 24);
	v[1] = (unsigned char)(a >> 16);
	v[2] = (unsigned char)(a >> 8);
	v[3] = (unsigned char)a;
	return setxattr(proc, NTFS_ATTRIB_XATTR, v, sizeof(v), 0);
}

/*
 * unlinkat, making a read-only entry or folder writable when refused: the
 * folder's mode (0555), or the entry's NTFS read-only attribute (ntfs-3g
 * refuses to unlink a read-only file).  Attributes belong to the inode,
 * which a restored file shares: the attribute is given back after the
 * unlink when other names keep the inode.
 */
static int
unlink_entry(int dirfd, const char *name, int flags)
{
	struct stat dst;
	uint32_t a;
	int fd, e;

	if (store_fault(flags & AT_REMOVEDIR ? "rmdir" : "unlink")) {
		errno = EIO;
		return -1;
	}
	if (unlinkat(dirfd, name, flags) == 0)
		return 0;
	if (errno != EACCES && errno != EPERM)
		return -1;
	e = errno;
	if (fstat(dirfd, &dst) == 0 && (dst.st_mode & 0300) != 0300 &&
	    fchmod(dirfd, (dst.st_mode & 07777) | 0700) == 0 &&
	    unlinkat(dirfd, name, flags) == 0)
		return 0;
	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && ntfs_attr_get(fd, &a) == 0 && (a & NTFS_ATTR_READONLY) &&
	    ntfs_attr_set(fd, a & ~NTFS_ATTR_READONLY) == 0) {
		struct stat st;

		if (unlinkat(dirfd, name, flags) == 0) {
			if (fstat(fd, &st) == 0 && st.st_nlink > 0)
				(void)ntfs_attr_set(fd, a);
			close(fd);
			return 0;
		}
		e = errno;
		(void)ntfs_attr_set(fd, a);
	}
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}


static int
rm_tree(struct offmig_ctx *ctx, int dirfd, const char *name,
    unsigned char dtype, struct mbuf *path, struct rm_counts *c, int depth);

/*
 * Removes what the open directory fd holds; path names it.  At most
 * maxpass readings of the folder (see rm_tree()).
 */
static int
rm_contents(struct offmig_ctx *ctx, int fd, struct mbuf *path,
    struct rm_counts *c, int depth, int maxpass)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd, pass, removed, ret = OFFMIG_OK;

	if (fstat(fd, &st) == 0 && (st.st_mode & 0700) != 0700)
		(void)fchmod(fd, (st.st_mode & 07777) | 0700);
	if ((dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0 ||
	    (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		rm_failed(ctx, c, path->p, errno, NULL);
		return OFFMIG_OK;
	}
	for (pass = 0, removed = 1; removed && pass < maxpass; pass++) {
		uint64_t before = c->files + c->dirs;

		removed = 0;
		rewinddir(d);
		while ((de = readdir(d)) != NULL) {
			size_t keep = path->len;

			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			mbuf_add(path, "/", 1);
			mbuf_add(path, de->d_name, strlen(de->d_name) + 1);
			path->len--;
			if (path->oom) {
				closedir(d);
				return c->silent ? OFFMIG_ENOMEM :
				    ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM,
				    "remove");
			}
			ret = rm_tree(ctx, fd, de->d_name, de->d_type, path, c,
			    depth + 1);
			path->len = keep;
			path->p[keep] = '\0';
			if (ret != OFFMIG_OK) {
				closedir(d);
				return ret;
			}
		}
		removed = c->files + c->dirs > before;
	}
	closedir(d);
	return OFFMIG_OK;
}

static int
rm_tree(struct offmig_ctx *ctx, int dirfd, const char *name,
    unsigned char dtype, struct mbuf *path, struct rm_counts *c, int depth)
{
	struct stat st;
	uint64_t failed;
	int fd, ret;

	/*
	 * What readdir says is not a folder is unlinked at once (no stat: a
	 * third of the system calls of a store's removal).  A file cannot
	 * lead to another filesystem; one mounted over fails with EBUSY.
	 */
	if (dtype != DT_UNKNOWN && dtype != DT_DIR && !c->want_bytes) {
		if (unlink_entry(dirfd, name, 0) == 0) {
			c->files++;
			return OFFMIG_OK;
		}
		if (errno == ENOENT)
			return OFFMIG_OK;
		if (errno != EISDIR) {
			rm_failed(ctx, c, path->p, errno, NULL);
			return OFFMIG_OK;
		}
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			rm_failed(ctx, c, path->p, errno, NULL);
		return OFFMIG_OK;
	}
	if (c->xdev_dev_set && st.st_dev != c->dev) {
		rm_failed(ctx, c, path->p, 0, "on another filesystem (a mount "
		    "point); not entered");
		return OFFMIG_OK;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink_entry(dirfd, name, 0) != 0) {
			if (errno != ENOENT)
				rm_failed(ctx, c, path->p, errno, NULL);
			return OFFMIG_OK;
		}
		c->files++;
		if (S_ISREG(st.st_mode))
			c->bytes += (uint64_t)st.st_size;
		return OFFMIG_OK;
	}
	if (depth > 4096) {
		rm_failed(ctx, c, path->p, 0, "folders nested too deep");
		return OFFMIG_OK;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		/* A read-only folder without x for us: open it up first. */
		if (e == EACCES && fchmodat(dirfd, name, (st.st_mode & 07777) |
		    0700, 0) == 0)
			fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT)
				rm_failed(ctx, c, path->p, e, NULL);
			return OFFMIG_OK;
		}
	}
	/*
	 * Some filesystems (FUSE among them) may skip entries when a folder
	 * changes while it is read: when the folder is not empty after one
	 * reading (and nothing failed), it is read again while readings
	 * remove something.  Only then: a second reading of every folder
	 * would cost as much as the first.
	 */
	failed = c->failed;
	ret = rm_contents(ctx, fd, path, c, depth, 1);
	if (ret == OFFMIG_OK && c->failed == failed) {
		if (unlink_entry(dirfd, name, AT_REMOVEDIR) == 0) {
			close(fd);
			c->dirs++;
			return OFFMIG_OK;
		}
		if (errno != ENOTEMPTY && errno != EEXIST) {
			int e = errno;

			close(fd);
			if (e != ENOENT)
				rm_failed(ctx, c, path->p, e, NULL);
			return OFFMIG_OK;
		}
		ret = rm_contents(ctx, fd, path, c, depth, 8);
	}
	close(fd);
	if (ret != OFFMIG_OK)
		return ret;
	if (unlink_entry(dirfd, name, AT_REMOVEDIR) != 0) {
		/* What is left inside was listed already. */
		if (errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
			rm_failed(ctx, c, path->p, errno, NULL);
		else if (errno != ENOENT)
			c->failed++;
		return OFFMIG_OK;
	}
	c->dirs++;
	return OFFMIG_OK;
}

int
rm_entry(struct offmig_ctx *ctx, int dirfd, const char *name,
    const char *path, struct rm_counts *c)
{
	struct mbuf p = { 0 };
	int ret;

	mbuf_add(&p, path, strlen(path) + 1);
	if (p.oom)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "remove");
	p.len--;
	ret = rm_tree(ctx, dirfd, name, DT_UNKNOWN, &p, c, 0);
	mbuf_free(&p);
	return ret;
}

/* The restore record, STORE/restored. */

struct rrec {
	uint64_t	 seq, ino;
	char		*dest;		/* unescaped; owned by the run */
	char		 how[16];
};

/* One sorted run of R records: [start, end) of the file. */
struct rrun {
	FILE		*fp;
	off_t		 start, end;
	off_t		 pos;		/* of fp (ftello would lseek each time) */
	int		 have;		/* cur is valid */
	struct rrec	 cur;
};

struct restored {
	int		 present;
	char		*id, *volume;
	struct rrun	 runs[MAX_RUNS];
	size_t		 nruns;
	char		*line;		/* RLINE_MAX bytes */
	uint64_t	 records;
};

/*
 * Reads one line of at most MANIFEST_MAX_LINE bytes into line.  Returns its
 * length with the newline, 0 at the end or at a torn last line (no
 * newline), -1 when too long.
 */
static ssize_t
rline(FILE *fp, char *line)
{
	size_t n;

	if (fgets(line, RLINE_MAX, fp) == NULL)
		return 0;
	n = strlen(line);
	if (n == 0 || line[n - 1] != '\n')
		return feof(fp) ? 0 : -1;
	return (ssize_t)n;
}

/* Splits line (without its newline) at TABs into at most max fields. */
static size_t
fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	while (n < max && (line = strchr(line, '\t')) != NULL) {
		*line++ = '\0';
		f[n++] = line;
	}
	return strchr(f[n - 1], '\t') != NULL ? max + 1 : n;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/*
 * Parses an R line (newline cut) into r, whose dest it replaces (r owns
 * it).  Returns 0, or -1 with *why set.
 */
static int
parse_r(char *line, struct rrec *r, const char **why)
{
	char *f[6], *dest;
	size_t dlen;

	if (fields(line, f, 5) != 5) {
		*why = "an R record has 5 fields";
		return -1;
	}
	if (parse_u64(f[1], &r->seq) != 0 || r->seq == 0 ||
	    parse_u64(f[3], &r->ino) != 0) {
		*why = "bad seq or inode";
		return -1;
	}
	if (manifest_unescape(f[2], strlen(f[2]), &dest, &dlen) != 0) {
		*why = "bad escape in the destination";
		return -1;
	}
	if (manifest_check_relpath(dest, dlen) != NULL) {
		free(dest);
		*why = "the destination is not a relative path below the volume";
		return -1;
	}
	snprintf(r->how, sizeof(r->how), "%s", f[4]);
	free(r->dest);
	r->dest = dest;
	return 0;
}

static void
restored_release(struct restored *rs)
{
	size_t i;

	for (i = 0; i < rs->nruns; i++) {
		if (rs->runs[i].fp != NULL)
			fclose(rs->runs[i].fp);
		free(rs->runs[i].cur.dest);
	}
	free(rs->id);
	free(rs->volume);
	free(rs->line);
	memset(rs, 0, sizeof(*rs));
}

/* Reads the next R record of a run into run->cur (have = 0 at its end). */
static int
run_next(struct offmig_ctx *ctx, struct restored *rs, struct rrun *run,
    const char *name)
{
	const char *why;
	ssize_t n;

	run->have = 0;
	while (run->pos < run->end) {
		if ((n = rline(run->fp, rs->line)) <= 0)
			return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s: "
			    "changed while being read", name);
		run->pos += n;
		rs->line[n - 1] = '\0';
		if (rs->line[0] != 'R')
			continue;
		if (parse_r(rs->line, &run->cur, &why) != 0)
			return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s: %s",
			    name, why);
		run->have = 1;
		return OFFMIG_OK;
	}
	return OFFMIG_OK;
}

/*
 * Opens STORE/restored when there is one: checks it whole (first line,
 * the store's id, every record, the checksum of each S line; a torn last
 * line is the mark of an interrupted restore and ends it), notes where each
 * run of increasing seqs begins, and opens a reader at each.
 */
static int
restored_open(struct offmig_ctx *ctx, int storefd, const char *storepath,
    const char *id, struct restored *rs)
{
	struct sha256 sha;
	struct rrec tmp = { 0 };
	char name[PATH_MAX], *f[5];
	FILE *fp = NULL;
	uint64_t prev = 0;
	unsigned long lineno = 0;
	off_t off = 0, next = 0, starts[MAX_RUNS];
	ssize_t n;
	size_t i;
	int fd, ret = OFFMIG_OK;

	memset(rs, 0, sizeof(*rs));
	snprintf(name, sizeof(name), "%s/%s", storepath, STORE_RESTORED);
	fd = openat(storefd, STORE_RESTORED, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? OFFMIG_OK : ctx_set_error(ctx,
		    errno == ELOOP ? OFFMIG_EUNSAFE : OFFMIG_EIO, errno, "%s",
		    name);
	rs->present = 1;
	if ((rs->line = malloc(RLINE_MAX)) == NULL ||
	    (fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "remove");
	}
	sha256_init(&sha);
	for (;;) {
		const char *why = NULL;

		if ((n = rline(fp, rs->line)) == 0)
			break;
		off = next;
		next += n;
		lineno++;
		if (n < 0) {
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s:%lu: "
			    "line longer than %d bytes", name, lineno,
			    MANIFEST_MAX_LINE);
			goto out;
		}
		if (memchr(rs->line, '\0', (size_t)n) != NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s:%lu: a "
			    "NUL byte", name, lineno);
			goto out;
		}
		rs->line[n - 1] = '\0';
		if (lineno == 1) {
			char *v;

			if (fields(rs->line, f, 4) != 4 ||
			    strcmp(f[0], "offmig-restored") != 0 ||
			    strcmp(f[1], "1") != 0 ||
			    strncmp(f[2], "id=", 3) != 0 ||
			    strncmp(f[3], "volume=", 7) != 0 ||
			    manifest_unescape(f[3] + 7, strlen(f[3] + 7), &v,
			    NULL) != 0) {
				ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
				    "%s:1: not an offmig restore record", name);
				goto out;
			}
			rs->volume = v;
			if (strcmp(f[2] + 3, id) != 0) {
				ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
				    "%s:1: store id %s is not the header's %s",
				    name, f[2] + 3, id);
				goto out;
			}
		} else if (rs->line[0] == 'R' && rs->line[1] == '\t') {
			if (parse_r(rs->line, &tmp, &why) != 0) {
				ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
				    "%s:%lu: %s", name, lineno, why);
				goto out;
			}
			if (rs->nruns == 0 || tmp.seq < prev) {
				if (rs->nruns == MAX_RUNS) {
					ret = ctx_set_error(ctx,
					    OFFMIG_ECORRUPT, 0, "%s:%lu: more "
					    "than %d separate restores", name,
					    lineno, MAX_RUNS);
					goto out;
				}
				starts[rs->nruns++] = off;
			}
			prev = tmp.seq;
			rs->records++;
		} else if (rs->line[0] == 'S' && rs->line[1] == '\t') {
			struct sha256 c = sha;
			unsigned char d[SHA256_DIGEST_LEN];
			char hex[SHA256_HEX_LEN + 1];
			const char *s = strstr(rs->line, "\tsha256=");

			sha256_final(&c, d);
			sha256_hex(d, hex);
			if (s == NULL || strcmp(s + 8, hex) != 0) {
				ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
				    "%s:%lu: the checksum does not match the "
				    "lines before it", name, lineno);
				goto out;
			}
		} else {
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s:%lu: "
			    "unknown record", name, lineno);
			goto out;
		}
		rs->line[n - 1] = '\n';
		/* fields() cut the line: hash the bytes as they were read. */
		for (i = 0; i < (size_t)n; i++)
			if (rs->line[i] == '\0')
				rs->line[i] = '\t';
		sha256_update(&sha, rs->line, (size_t)n);
	}
	if (lineno == 0) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s: empty", name);
		goto out;
	}
	for (i = 0; i < rs->nruns; i++) {
		struct rrun *run = &rs->runs[i];
		int rfd;

		run->start = starts[i];
		run->end = i + 1 < rs->nruns ? starts[i + 1] : next;
		rfd = openat(storefd, STORE_RESTORED, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW | O_NONBLOCK);
		if (rfd < 0 || (run->fp = fdopen(rfd, "r")) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", name);
			if (rfd >= 0)
				close(rfd);
			goto out;
		}
		run->pos = run->start;
		if (fseeko(run->fp, run->start, SEEK_SET) != 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", name);
			goto out;
		}
		if ((ret = run_next(ctx, rs, run, name)) != OFFMIG_OK)
			goto out;
	}
out:
	free(tmp.dest);
	fclose(fp);
	return ret;
}

/* The check. */

struct upath {
	char	*sid, *profile;
};

struct rmv {
	struct offmig_ctx *ctx;
	const char	*storepath;
	int		 storefd, volfd, force;
	char		*store_rel;	/* STORE below the volume root, or NULL */
	struct offmig_doc *doc;
	struct offmig_node *unreach;
	uint64_t	 objects, reachable, nunreach, listed, links;
	uint64_t	 store_files;	/* 'f' records whose store file is there */
	uint64_t	 missing;	/* store files gone before the check */
	uint64_t	 bytes;		/* of the stored files checked */
	/*
	 * The fast pass (hard-link stores): stored files are taken to be the
	 * inodes the manifest records, without a stat each; the sum of a
	 * hash of each (path, inode) of the manifest must then equal that of
	 * the files a walk of files/ finds (readdir gives names and inodes).
	 * Anything odd (a mismatch, a file not reachable, a link) makes the
	 * check run again the slow way, which names what is wrong.
	 */
	int		 quiet, anomaly;
	dev_t		 sdev;
	char		*volume;	/* where places were looked up */
	int		 restored;	/* STORE/restored was there */
	uint64_t	 mset[4], wset[4];
	struct pcache	 spc, vpc;	/* last folders in the store, on the volume */
	struct dlist	 dl;		/* the entries of vpc's folder */
	/* The fast pass: the current store file's folder and name. */
	const struct stat *sdir;
	const char	*sname;
	uint64_t	 dl_proved, dl_stats;	/* destinations proved each way */
	/* The store file of the current record, hashed when needed. */
	char		 shash[SHA256_HEX_LEN + 1];
	int		 shash_state;	/* 0 not yet, 1 done, -1 failed */
	/* Users and registry exports, bounded by the number of users. */
	struct upath	 users[MAX_USERS];
	size_t		 nusers;
	struct upath	 regs[MAX_USERS];	/* sid, winpath of pending 'r' */
	uint64_t	 regseq[MAX_USERS];
	size_t		 nregs;
};

static void
unreachable(struct rmv *m, uint64_t seq, const char *store_path,
    const char *winpath, const char *why)
{
	m->nunreach++;
	if (m->quiet) {
		m->anomaly = 1;
		return;
	}
	if (m->nunreach <= 20)
		ctx_log(m->ctx, m->force ? OFFMIG_LOG_INFO : OFFMIG_LOG_WARN,
		    "%s (%s): not reachable outside the store: %s", winpath,
		    store_path, why);
	if (m->listed < MAX_LISTED) {
		struct offmig_node *o = doc_push_object(m->doc, m->unreach);

		if (seq > 0)
			doc_add_int(m->doc, o, "seq", (int64_t)seq);
		doc_add_str(m->doc, o, "store_path", store_path);
		doc_add_str(m->doc, o, "winpath", winpath);
		doc_add_str(m->doc, o, "reason", why);
		m->listed++;
	}
}

/* Non-zero when rel lies inside STORE (compared ignoring ASCII case: never less safe). */
static int
inside_store(const struct rmv *m, const char *rel)
{
	size_t n;

	if (m->store_rel == NULL)
		return 0;
	n = strlen(m->store_rel);
	return strncasecmp(rel, m->store_rel, n) == 0 && (rel[n] == '\0' ||
	    rel[n] == '/');
}

/*
 * The fast pass's proof that the store file (inode ino, the name m->sname
 * in the store folder m->sdir) is reachable at the entry name of the
 * volume folder pfd (the cache m->vpc), from the folder's listing alone:
 * 1 proved, 0 not (the caller then looks with fstatat).
 *
 * Why this is the proof that the inode has two links: a directory entry
 * is one (filesystem, folder inode, name) -- folders cannot be hard-linked
 * -- and d_ino is the inode the entry names.  The walk of files/ has found
 * the store's entry (m->sdir, m->sname) naming inode ino (the (path,
 * inode) sums), and the listing finds (pfd's folder, name) naming ino on
 * the same filesystem (st_dev of both folders), a regular file (d_type).
 * When the two entries differ -- another folder inode or another name;
 * the same (a mount of the store's folder on the volume) is refused here
 * -- the inode has at least two names, so unlinking the store's leaves
 * the content at its place.  That d_ino is the inode number stat gives
 * (not so on every filesystem: some FUSE ones make it up) is confirmed by
 * one fstatat a folder, the first match, which also checks the link count;
 * when it is not, the folder's places are all looked at with fstatat.
 */
static int
dl_reach(struct rmv *m, int pfd, const char *name, uint64_t ino)
{
	const struct stat *fst;
	const struct dent *e;
	struct stat st;

	if (m->sdir == NULL || m->sname == NULL)
		return 0;
	if (!m->dl.built || m->dl.gen != m->vpc.gen)
		dl_build(&m->dl, pfd, m->vpc.gen);
	if (!m->dl.usable || (fst = pc_stat(&m->vpc)) == NULL ||
	    fst->st_dev != m->sdev || m->sdir->st_dev != m->sdev)
		return 0;
	if ((e = dl_find(&m->dl, name)) == NULL || e->type != DT_REG ||
	    e->ino != ino)
		return 0;
	if (fst->st_ino == m->sdir->st_ino && strcmp(name, m->sname) == 0)
		return 0;
	if (!m->dl.sampled) {
		m->dl_stats++;
		if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_dev != m->sdev ||
		    (uint64_t)st.st_ino != ino || st.st_nlink < 2) {
			/* Not trusted in this folder: fstatat each place. */
			m->dl.usable = 0;
			return 0;
		}
		m->dl.sampled = 1;
	}
	m->dl_proved++;
	return 1;
}

/*
 * Is the content of the store file (sst, at store_path) reachable at rel
 * below the volume?  The same inode with another link, or another regular
 * file of the same size and SHA-256.  1 yes, 0 no (*why says why).
 */
static int
reach_at(struct rmv *m, const char *rel, const struct stat *sst,
    const char *store_path, const char **why)
{
	struct stat dst;
	const char *name;
	char hex[SHA256_HEX_LEN + 1];
	int pfd, fd, ok;

	if (m->volfd < 0) {
		*why = "the volume cannot be opened";
		return 0;
	}
	if (inside_store(m, rel)) {
		*why = "its place lies inside the store";
		return 0;
	}
	if ((pfd = pc_parent(&m->vpc, m->volfd, rel, &name)) < 0) {
		/* O_NOFOLLOW|O_DIRECTORY on a link fails ELOOP or ENOTDIR. */
		*why = errno == ELOOP || errno == ENOTDIR ? "a symbolic link "
		    "(or a file) where a folder on the way to its place "
		    "should be" : "its folder is missing";
		return 0;
	}
	if (m->quiet && dl_reach(m, pfd, name, (uint64_t)sst->st_ino))
		return 1;
	m->dl_stats++;
	if (fstatat(pfd, name, &dst, AT_SYMLINK_NOFOLLOW) != 0) {
		*why = "missing at its place";
		return 0;
	}
	if (!S_ISREG(dst.st_mode)) {
		*why = "its place holds something else than a file";
		return 0;
	}
	if (dst.st_dev == sst->st_dev && dst.st_ino == sst->st_ino) {
		if (dst.st_nlink < 2) {
			*why = "link count 1";
			return 0;
		}
		return 1;
	}
	if (dst.st_size != sst->st_size) {
		*why = "another file at its place (another inode and size)";
		return 0;
	}
	if (m->shash_state == 0) {
		int sfd = open_below(m->storefd, store_path, O_RDONLY |
		    O_NONBLOCK);

		m->shash_state = sfd >= 0 && sha256_fd(sfd, m->shash) == 0 ? 1 :
		    -1;
		if (sfd >= 0)
			close(sfd);
	}
	fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ok = m->shash_state == 1 && fd >= 0 && sha256_fd(fd, hex) == 0 &&
	    strcmp(hex, m->shash) == 0;
	if (fd >= 0)
		close(fd);
	if (!ok)
		*why = "another file at its place (content differs)";
	return ok;
}

/* Adds (path, ino) to a set summed as four 64-bit words of SHA-256. */
static void
mset_add(uint64_t acc[4], const char *path, size_t len, uint64_t ino)
{
	unsigned char d[SHA256_DIGEST_LEN], b[9];
	struct sha256 c;
	size_t i, k;

	sha256_init(&c);
	sha256_update(&c, path, len);
	b[0] = '\0';
	for (i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)(ino >> (8 * i));
	sha256_update(&c, b, sizeof(b));
	sha256_final(&c, d);
	for (k = 0; k < 4; k++) {
		uint64_t w = 0;

		for (i = 0; i < 8; i++)
			w = w << 8 | d[8 * k + i];
		acc[k] += w;
	}
}

/* Checks one 'f' or 'r' record against its R records. */
static int
check_object(struct rmv *m, struct restored *rs, const char *rname,
    const struct manifest_record *rec)
{
	struct stat sst;
	const char *why = "never restored, and not at its original place";
	const char *why2 = NULL, *sname;
	int fd, reach = 0, restored = 0, ret;
	size_t i;

	m->objects++;
	m->shash_state = 0;
	m->sdir = NULL;
	m->sname = NULL;
	for (i = 0; i < rs->nruns; i++) {
		struct rrun *run = &rs->runs[i];

		while (run->have && run->cur.seq < rec->seq)
			if ((ret = run_next(m->ctx, rs, run, rname)) !=
			    OFFMIG_OK)
				return ret;
	}
	if (m->quiet && rec->kind == 'f') {
		/* The walk of files/ confirms these afterwards. */
		fd = pc_parent(&m->spc, m->storefd, rec->store_path, &sname);
		if (fd < 0 || (m->sdir = pc_stat(&m->spc)) == NULL) {
			m->anomaly = 1;
			goto skip;
		}
		m->sname = sname;
		memset(&sst, 0, sizeof(sst));
		sst.st_dev = m->sdev;
		sst.st_ino = (ino_t)rec->ino;
		sst.st_size = (off_t)rec->size;
		sst.st_mode = S_IFREG;
		mset_add(m->mset, rec->store_path + 6, strlen(rec->store_path +
		    6), rec->ino);
		goto stored;
	}
	fd = pc_parent(&m->spc, m->storefd, rec->store_path, &sname);
	if (fd < 0 || fstatat(fd, sname, &sst, AT_SYMLINK_NOFOLLOW) != 0 ||
	    S_ISLNK(sst.st_mode)) {
		int e = fd >= 0 && S_ISLNK(sst.st_mode) ? ELOOP : errno;

		if (m->quiet) {
			m->anomaly = 1;
			goto skip;
		}
		if (e == ELOOP) {
			/* A link planted in the store holds no data. */
			ctx_log(m->ctx, OFFMIG_LOG_WARN, "%s/%s: a symbolic "
			    "link in the store (or on its way); removed as a "
			    "link, never followed", m->storepath,
			    rec->store_path);
			m->links++;
			m->reachable++;
			goto skip;
		}
		if (e == ENOENT || e == ENOTDIR) {
			m->missing++;
			unreachable(m, rec->seq, rec->store_path, rec->winpath,
			    "missing from the store (damaged store)");
			goto skip;
		}
		return ctx_set_error(m->ctx, OFFMIG_EIO, e, "%s/%s",
		    m->storepath, rec->store_path);
	}
	if (!S_ISREG(sst.st_mode)) {
		if (m->quiet) {
			m->anomaly = 1;
			goto skip;
		}
		unreachable(m, rec->seq, rec->store_path, rec->winpath,
		    "not a file in the store (damaged store)");
		m->missing++;
		goto skip;
	}
stored:
	if (rec->kind == 'f')
		m->store_files++;
	m->bytes += (uint64_t)sst.st_size;
	for (i = 0; i < rs->nruns; i++) {
		struct rrun *run = &rs->runs[i];

		while (run->have && run->cur.seq == rec->seq) {
			const char *h = run->cur.how;

			if (strcmp(h, "skipped") != 0)
				restored = 1;
			if (!reach) {
				if (rec->kind == 'r')
					reach = strcmp(h, "registry") == 0;
				else if (strcmp(h, "link") == 0 ||
				    strcmp(h, "copy") == 0 ||
				    strcmp(h, "same") == 0 ||
				    strcmp(h, "renamed") == 0 ||
				    strcmp(h, "overwritten") == 0)
					reach = reach_at(m, run->cur.dest,
					    &sst, rec->store_path, &why2);
			}
			if ((ret = run_next(m->ctx, rs, run, rname)) !=
			    OFFMIG_OK)
				return ret;
		}
	}
	if (!reach && rec->kind == 'f')
		reach = reach_at(m, rec->host_path, &sst, rec->store_path,
		    &why);
	if (!reach && rec->kind == 'r') {
		/* Decided at the end, from the user's hive on the volume. */
		if (m->nregs < MAX_USERS &&
		    (m->regs[m->nregs].sid = strdup(rec->sid)) != NULL &&
		    (m->regs[m->nregs].profile = strdup(rec->store_path)) !=
		    NULL) {
			m->regseq[m->nregs++] = rec->seq;
			return OFFMIG_OK;
		}
		if (m->nregs < MAX_USERS)
			free(m->regs[m->nregs].sid);
		why = "a registry export not merged by a restore";
	}
	if (reach)
		m->reachable++;
	else
		unreachable(m, rec->seq, rec->store_path, rec->winpath,
		    restored && why2 != NULL ? why2 : why);
	return OFFMIG_OK;
skip:
	/* Its R records are passed over. */
	for (i = 0; i < rs->nruns; i++) {
		struct rrun *run = &rs->runs[i];

		while (run->have && run->cur.seq == rec->seq)
			if ((ret = run_next(m->ctx, rs, run, rname)) !=
			    OFFMIG_OK)
				return ret;
	}
	return OFFMIG_OK;
}

/*
 * A registry export never merged by a restore is reachable while the
 * user's own hive (NTUSER.DAT in the profile the U record names) is still
 * on the volume: the export is a copy of part of it.
 */
static void
check_registry(struct rmv *m)
{
	size_t i, j;

	for (i = 0; i < m->nregs; i++) {
		const char *why = "a registry export not merged by a restore, "
		    "and the user's hive is not on the volume";
		int ok = 0;

		for (j = 0; j < m->nusers && m->volfd >= 0; j++) {
			const char *rest;
			char *hive;
			struct stat st;
			enum winpath_kind k;

			if (strcmp(m->users[j].sid, m->regs[i].sid) != 0)
				continue;
			k = winpath_classify(m->users[j].profile, 'C', &rest);
			if (k != WINPATH_SYSTEM_DRIVE && k != WINPATH_RELATIVE)
				break;
			if ((hive = str_printf("%s\\NTUSER.DAT", rest)) ==
			    NULL)
				break;
			ok = vpath_resolve(NULL, m->volfd, hive, VPATH_FILE,
			    NULL, NULL, &st) == OFFMIG_OK;
			free(hive);
			break;
		}
		if (ok)
			m->reachable++;
		else
			unreachable(m, m->regseq[i], m->regs[i].profile,
			    m->regs[i].sid, why);
	}
}

/*
 * Counts the regular files below fd (not following links, not leaving
 * dev) and adds each (path below files/, inode) to set; path holds the
 * folder's path ("" at the top).
 */
static int
count_files(int fd, dev_t dev, uint64_t *np, uint64_t set[4],
    struct mbuf *path, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd;

	if (depth > 4096 || (dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t keep = path->len, n = strlen(de->d_name);
		uint64_t ino = (uint64_t)de->d_ino;
		int isdir;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_REG)
			isdir = 0;
		else if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		else if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0)
			continue;
		else if (S_ISREG(st.st_mode)) {
			isdir = 0;
			ino = (uint64_t)st.st_ino;
		} else if (S_ISDIR(st.st_mode) && st.st_dev == dev)
			isdir = 1;
		else
			continue;
		if (keep > 0)
			mbuf_add(path, "/", 1);
		mbuf_add(path, de->d_name, n);
		if (path->oom) {
			closedir(d);
			errno = ENOMEM;
			return -1;
		}
		if (!isdir) {
			if (strcmp(de->d_name, COPY_TMP) != 0) {
				(*np)++;
				mset_add(set, path->p, path->len, ino);
			}
		} else {
			int sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0 || count_files(sub, dev, np, set, path,
			    depth + 1) != 0) {
				if (sub >= 0)
					close(sub);
				closedir(d);
				return -1;
			}
			close(sub);
		}
		path->len = keep;
	}
	closedir(d);
	return 0;
}

/* Names a store may hold at its top besides files/, registry/, rules/. */
static int
known_top(const char *name)
{
	static const char *const known[] = {
		STORE_HEADER, STORE_MANIFEST, STORE_JOURNAL, STORE_RESTORED,
		STORE_FILES_DIR, STORE_REGISTRY_DIR, "rules", NULL
	};
	size_t i, n = strlen(name);

	for (i = 0; known[i] != NULL; i++)
		if (strcmp(name, known[i]) == 0)
			return 1;
	/* Temporary files of an interrupted write (header, exports, record). */
	return n > 4 && strcmp(name + n - 4, ".tmp") == 0;
}

/*
 * Files the manifest does not list: in files/ (more regular files than
 * the manifest's objects found there) and at the top of STORE (anything
 * not offmig's).  Without --force they stop the removal.
 */
static int
check_strays(struct rmv *m, dev_t dev)
{
	struct dirent *de;
	uint64_t n = 0;
	DIR *d;
	int fd;

	fd = openat(m->storefd, STORE_FILES_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		struct mbuf path = { 0 };
		int r = count_files(fd, dev, &n, m->wset, &path, 0);

		mbuf_free(&path);
		close(fd);
		if (r != 0)
			return ctx_set_error(m->ctx, errno == ENOMEM ?
			    OFFMIG_ENOMEM : OFFMIG_EIO, errno, "%s/files",
			    m->storepath);
		if (m->quiet && (n != m->store_files ||
		    memcmp(m->wset, m->mset, sizeof(m->mset)) != 0))
			m->anomaly = 1;
		if (n > m->store_files) {
			char what[128];

			snprintf(what, sizeof(what), "%" PRIu64 " file(s) the "
			    "manifest does not list (an interrupted create? "
			    "run it again to record them)", n - m->store_files);
			unreachable(m, 0, STORE_FILES_DIR, "-", what);
		}
	}
	if ((fd = openat(m->storefd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return ctx_set_error(m->ctx, OFFMIG_EIO, errno, "%s",
		    m->storepath);
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 && !known_top(de->d_name))
			unreachable(m, 0, de->d_name, "-", "not part of an "
			    "offmig store");
	closedir(d);
	return OFFMIG_OK;
}

/* STORE's path relative to the volume root when it lies below it. */
static char *
rel_below(const char *volroot, const char *storepath)
{
	char *vr = realpath(volroot, NULL), *sr = realpath(storepath, NULL);
	char *rel = NULL;
	size_t n;

	if (vr != NULL && sr != NULL) {
		n = strcmp(vr, "/") == 0 ? 0 : strlen(vr);
		if (strncmp(sr, vr, n) == 0 && sr[n] == '/')
			rel = strdup(sr + n + 1);
	}
	free(vr);
	free(sr);
	return rel;
}

/* Forgets what a pass found, for the next one. */
static void
rmv_reset(struct rmv *m)
{
	size_t i;

	for (i = 0; i < m->nusers; i++) {
		free(m->users[i].sid);
		free(m->users[i].profile);
	}
	for (i = 0; i < m->nregs; i++) {
		free(m->regs[i].sid);
		free(m->regs[i].profile);
	}
	m->nusers = m->nregs = 0;
	free(m->store_rel);
	m->store_rel = NULL;
	pc_release(&m->spc);
	pc_release(&m->vpc);
	dl_release(&m->dl);
	m->sdir = NULL;
	m->sname = NULL;
	if (m->volfd >= 0)
		close(m->volfd);
	m->volfd = -1;
	m->objects = m->reachable = m->nunreach = m->listed = m->links = 0;
	m->store_files = m->missing = m->bytes = 0;
	m->dl_proved = m->dl_stats = 0;
	m->anomaly = 0;
	memset(m->mset, 0, sizeof(m->mset));
	memset(m->wset, 0, sizeof(m->wset));
}

static void
rmv_release(struct rmv *m)
{
	size_t i;

	free(m->volume);
	for (i = 0; i < m->nusers; i++) {
		free(m->users[i].sid);
		free(m->users[i].profile);
	}
	for (i = 0; i < m->nregs; i++) {
		free(m->regs[i].sid);
		free(m->regs[i].profile);
	}
	free(m->store_rel);
	pc_release(&m->spc);
	pc_release(&m->vpc);
	dl_release(&m->dl);
	if (m->volfd >= 0)
		close(m->volfd);
}

/*
 * The check pass: every object of the manifest, the strays.  Returns
 * OFFMIG_OK (the counts in m say what was found), OFFMIG_ECORRUPT for a
 * damaged manifest or record, OFFMIG_EIO.
 */
static int
check_store(struct rmv *m, const struct store_header *h, const char *volroot,
    dev_t dev, int *sealedp)
{
	struct manifest_reader *r = NULL;
	struct manifest_record rec;
	struct restored rs;
	const char *vol;
	char *mname = NULL, *rname = NULL;
	int ret;

	*sealedp = 0;
	if ((ret = restored_open(m->ctx, m->storefd, m->storepath, h->id,
	    &rs)) != OFFMIG_OK)
		goto out;
	vol = volroot != NULL ? volroot : rs.volume != NULL ? rs.volume :
	    h->volume;
	m->restored = rs.present;
	free(m->volume);
	if (vol != NULL && (m->volume = strdup(vol)) == NULL) {
		ret = ctx_set_error(m->ctx, OFFMIG_ENOMEM, ENOMEM, "remove");
		goto out;
	}
	if (vol == NULL) {
		if (m->quiet)
			m->anomaly = 1;
		else
			ctx_log(m->ctx, OFFMIG_LOG_WARN, "%s: no volume named; "
			    "nothing can be found outside the store",
			    m->storepath);
	} else if ((m->volfd = open(vol, O_PATH | O_DIRECTORY | O_CLOEXEC)) <
	    0) {
		if (m->quiet)
			m->anomaly = 1;
		else
			ctx_log(m->ctx, OFFMIG_LOG_WARN, "%s: the volume cannot "
			    "be opened (%s); nothing can be found outside the "
			    "store", vol, strerror(errno));
	}
	else
		m->store_rel = rel_below(vol, m->storepath);
	if (m->store_rel != NULL && volume_hibernated(m->volfd)) {
		ret = ctx_set_error(m->ctx, OFFMIG_EUNSAFE, 0, "%s: Windows is "
		    "hibernated or was shut down with Fast Startup (hiberfil.sys "
		    "says so); nothing is written to the volume: start Windows "
		    "and shut it down fully (shutdown /s /t 0), then run the "
		    "same command again", vol);
		goto out;
	}
	if ((mname = str_join_path(m->storepath, STORE_MANIFEST)) == NULL ||
	    (rname = str_join_path(m->storepath, STORE_RESTORED)) == NULL) {
		ret = ctx_set_error(m->ctx, OFFMIG_ENOMEM, ENOMEM, "remove");
		goto out;
	}
	if ((ret = manifest_open(m->ctx, m->storefd, mname, &r)) !=
	    OFFMIG_OK) {
		if (ret == OFFMIG_EIO && offmig_errno(m->ctx) == ENOENT)
			ret = ctx_set_error(m->ctx, OFFMIG_ECORRUPT, 0, "%s: no "
			    "manifest (a damaged store)", m->storepath);
		goto out;
	}
	if (strcmp(manifest_id(r), h->id) != 0) {
		ret = ctx_set_error(m->ctx, OFFMIG_ECORRUPT, 0, "%s:1: store id "
		    "is not the header's", mname);
		goto out;
	}
	while ((ret = manifest_next(r, &rec)) > 0) {
		if (rec.kind == 'U') {
			if (m->nusers < MAX_USERS &&
			    (m->users[m->nusers].sid = strdup(rec.sid)) !=
			    NULL) {
				if ((m->users[m->nusers].profile =
				    strdup(rec.host_path)) == NULL) {
					free(m->users[m->nusers].sid);
					ret = ctx_set_error(m->ctx,
					    OFFMIG_ENOMEM, ENOMEM, "remove");
					goto out;
				}
				m->nusers++;
			}
			continue;
		}
		if (rec.kind == 'd')
			continue;	/* an empty folder holds nothing */
		if ((ret = check_object(m, &rs, rname, &rec)) != OFFMIG_OK)
			goto out;
	}
	if (ret < 0)
		goto out;
	*sealedp = manifest_sealed(r);
	check_registry(m);
	ret = check_strays(m, dev);
out:
	manifest_close(r);
	restored_release(&rs);
	free(mname);
	free(rname);
	return ret;
}

/*
 * Removing files/ with two threads.  Unlinking is most of a removal, and
 * the kernel unlinks in different folders at once: on a machine with
 * more than one CPU, the folders of files/ at the first depth that has at
 * least PRM_MIN_UNITS of them (at most PRM_MAX_DEPTH down) are shared out
 * to two threads, each removing whole folders (rm_tree(), silent: a
 * failure is only counted).  The usual single-threaded removal of files/
 * follows and finds whatever they left (what failed is then logged and
 * listed as always).  Not with OFFMIG_FAULT set (fault injection counts
 * steps in order), nor for small stores.
 */
#define PRM_MIN_UNITS	8
#define PRM_MAX_DEPTH	4
#define PRM_MAX_UNITS	4096
#define PRM_MIN_OBJECTS	1000

struct prm {
	pthread_mutex_t	 mu;
	int		 filesfd;
	dev_t		 dev;
	char		**units;	/* folders, relative to files/ */
	size_t		 n, next;
	uint64_t	 files, dirs;
};

static void *
prm_worker(void *arg)
{
	struct prm *p = arg;

	for (;;) {
		struct rm_counts c;
		struct mbuf path = { 0 };
		const char *unit, *name, *slash;
		size_t i;
		int pfd;

		pthread_mutex_lock(&p->mu);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->mu);
		if (i == p->n)
			break;
		unit = p->units[i];
		slash = strrchr(unit, '/');
		name = slash != NULL ? slash + 1 : unit;
		if (slash != NULL) {
			char *parent = strndup(unit, (size_t)(slash - unit));

			pfd = parent != NULL ? open_below(p->filesfd, parent,
			    O_RDONLY | O_DIRECTORY) : -1;
			free(parent);
		} else
			pfd = fcntl(p->filesfd, F_DUPFD_CLOEXEC, 0);
		if (pfd < 0)
			continue;
		memset(&c, 0, sizeof(c));
		c.silent = 1;
		c.xdev_dev_set = 1;
		c.dev = p->dev;
		mbuf_add(&path, unit, strlen(unit) + 1);
		if (!path.oom) {
			path.len--;
			(void)rm_tree(NULL, pfd, name, DT_DIR, &path, &c, 0);
		}
		mbuf_free(&path);
		close(pfd);
		pthread_mutex_lock(&p->mu);
		p->files += c.files;
		p->dirs += c.dirs;
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

static void
prm_free_units(char **u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(u[i]);
	free(u);
}

/*
 * The subfolders of the folders cur[0..ncur) (relative to files/, "" its
 * top): a new array in *nextp, NULL and -1 when there are too many or on
 * an error.
 */
static int
prm_level(int filesfd, dev_t dev, char **cur, size_t ncur, char ***nextp,
    size_t *nnextp)
{
	char **next = NULL;
	size_t n = 0, i;

	for (i = 0; i < ncur; i++) {
		struct dirent *de;
		DIR *d;
		int fd = *cur[i] == '\0' ? openat(filesfd, ".", O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC) : open_below(filesfd, cur[i],
		    O_RDONLY | O_DIRECTORY);

		if (fd < 0 || (d = fdopendir(fd)) == NULL) {
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		while ((de = readdir(d)) != NULL) {
			struct stat st;
			char **grown, *rel;

			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (de->d_type != DT_DIR && (de->d_type != DT_UNKNOWN ||
			    fstatat(dirfd(d), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) ||
			    st.st_dev != dev))
				continue;
			if (n == PRM_MAX_UNITS || (grown = realloc(next,
			    (n + 1) * sizeof(*next))) == NULL) {
				closedir(d);
				goto fail;
			}
			next = grown;
			rel = *cur[i] == '\0' ? strdup(de->d_name) :
			    str_printf("%s/%s", cur[i], de->d_name);
			if (rel == NULL) {
				closedir(d);
				goto fail;
			}
			next[n++] = rel;
		}
		closedir(d);
	}
	*nextp = next;
	*nnextp = n;
	return 0;
fail:
	prm_free_units(next, n);
	return -1;
}

/* Removes most of files/ with two threads when worth it; c gets the counts. */
static void
remove_files_parallel(int storefd, dev_t dev, uint64_t objects,
    struct rm_counts *c)
{
	struct prm p;
	const char *fault = getenv("OFFMIG_FAULT");
	char **cur, *top;
	size_t ncur = 1, depth;
	pthread_t t;
	int started;

	if (objects < PRM_MIN_OBJECTS || sysconf(_SC_NPROCESSORS_ONLN) < 2 ||
	    (fault != NULL && *fault != '\0'))
		return;
	memset(&p, 0, sizeof(p));
	p.dev = dev;
	p.filesfd = openat(storefd, STORE_FILES_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (p.filesfd < 0)
		return;
	if ((cur = malloc(sizeof(*cur))) == NULL || (top = strdup("")) ==
	    NULL) {
		free(cur);
		close(p.filesfd);
		return;
	}
	cur[0] = top;
	for (depth = 1; depth <= PRM_MAX_DEPTH && ncur < PRM_MIN_UNITS;
	    depth++) {
		char **next;
		size_t nnext;

		if (prm_level(p.filesfd, dev, cur, ncur, &next, &nnext) != 0)
			break;
		prm_free_units(cur, ncur);
		cur = next;
		ncur = nnext;
		if (ncur == 0)
			break;
	}
	if (ncur >= 2 && *cur[0] != '\0' &&
	    pthread_mutex_init(&p.mu, NULL) == 0) {
		p.units = cur;
		p.n = ncur;
		started = pthread_create(&t, NULL, prm_worker, &p) == 0;
		(void)prm_worker(&p);
		if (started)
			(void)pthread_join(t, NULL);
		pthread_mutex_destroy(&p.mu);
		c->files += p.files;
		c->dirs += p.dirs;
	}
	prm_free_units(cur, ncur);
	close(p.filesfd);
}

/* Removal. */

static int
unlink_top(struct offmig_ctx *ctx, int storefd, const char *storepath,
    const char *name, struct rm_counts *c)
{
	char *p = str_join_path(storepath, name);
	int ret;

	if (p == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "remove");
	ret = rm_entry(ctx, storefd, name, p, c);
	free(p);
	return ret;
}

/* Removes the folder STORE itself (empty by now) and syncs its parent. */
static int
remove_folder(struct offmig_ctx *ctx, const char *storepath,
    struct rm_counts *c)
{
	char *parent = strdup(storepath), *slash;
	int fd;

	if (parent == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "remove");
	while ((slash = strrchr(parent, '/')) != NULL && slash[1] == '\0' &&
	    slash > parent)
		*slash = '\0';
	if (store_fault("rmdir") || rmdir(storepath) != 0) {
		rm_failed(ctx, c, storepath, errno, NULL);
		free(parent);
		return OFFMIG_OK;
	}
	c->dirs++;
	slash = strrchr(parent, '/');
	if (slash == NULL)
		strcpy(parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(parent);
	return OFFMIG_OK;
}

/* Everything but the journal, in order; then the journal and STORE. */
static int
remove_store(struct offmig_ctx *ctx, int storefd, const char *storepath,
    uint64_t objects, struct rm_counts *c)
{
	static const char *const first[] = {
		STORE_FILES_DIR, STORE_REGISTRY_DIR, "rules", NULL
	};
	static const char *const last[] = {
		STORE_RESTORED, STORE_MANIFEST, STORE_HEADER, NULL
	};
	struct dirent *de;
	DIR *d;
	size_t i;
	int fd, ret;

	remove_files_parallel(storefd, c->dev, objects, c);
	for (i = 0; first[i] != NULL; i++)
		if ((ret = unlink_top(ctx, storefd, storepath, first[i], c)) !=
		    OFFMIG_OK)
			return ret;
	/* Temporary files of interrupted writes, what --force let through. */
	if ((fd = openat(storefd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
	    0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		rm_failed(ctx, c, storepath, errno, NULL);
		return OFFMIG_OK;
	}
	while ((de = readdir(d)) != NULL) {
		int keep = strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, STORE_JOURNAL) == 0;

		for (i = 0; !keep && last[i] != NULL; i++)
			keep = strcmp(de->d_name, last[i]) == 0;
		if (!keep && (ret = unlink_top(ctx, storefd, storepath,
		    de->d_name, c)) != OFFMIG_OK) {
			closedir(d);
			return ret;
		}
	}
	closedir(d);
	/* The store stays recognisable (header, journal) until all else is gone. */
	if (c->failed > 0)
		return OFFMIG_OK;
	for (i = 0; last[i] != NULL; i++)
		if ((ret = unlink_top(ctx, storefd, storepath, last[i], c)) !=
		    OFFMIG_OK)
			return ret;
	if (c->failed > 0)
		return OFFMIG_OK;
	if (fsync(storefd) != 0)
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: fsync",
		    storepath);
	if ((ret = store_journal_add(ctx, storefd, storepath, "remove", "done",
	    "", 1)) != OFFMIG_OK)
		return ret;
	if ((ret = unlink_top(ctx, storefd, storepath, STORE_JOURNAL, c)) !=
	    OFFMIG_OK || c->failed > 0)
		return ret;
	return remove_folder(ctx, storepath, c);
}

/* Non-zero when the open directory fd has no entries. */
static int
dir_empty(int fd)
{
	struct dirent *de;
	DIR *d;
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0), empty = 1;

	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

int
offmig_store_remove(struct offmig_ctx *ctx, const char *store,
    const char *volroot, unsigned flags, struct offmig_doc **docp)
{
	struct rmv m;
	struct store_header h = { 0 };
	struct rm_counts c;
	struct offmig_node *o, *ck, *rm;
	struct stat sst;
	char t[32], arg[64];
	int ret, checked, sealed = 0, force = (flags &
	    OFFMIG_STORE_REMOVE_FORCE) != 0;

	*docp = NULL;
	memset(&m, 0, sizeof(m));
	memset(&c, 0, sizeof(c));
	m.ctx = ctx;
	m.storefd = m.volfd = m.spc.fd = m.vpc.fd = -1;
	m.force = force;
	m.storepath = store;
	if (store == NULL || *store == '\0' ||
	    (flags & ~OFFMIG_STORE_REMOVE_FORCE) != 0)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "store remove: bad "
		    "arguments");
	m.storefd = open(store, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (m.storefd < 0) {
		int e = errno;

		if (e == ENOENT)
			return ctx_set_error(ctx, OFFMIG_ENOTFOUND, 0, "%s: no "
			    "such store (removed already?)", store);
		return ctx_set_error(ctx, e == ELOOP || e == ENOTDIR ?
		    OFFMIG_EUNSAFE : OFFMIG_EIO, e, "%s%s", store, e == ELOOP ?
		    ": a symbolic link; refused" : "");
	}
	if (fstat(m.storefd, &sst) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", store);
		goto out;
	}
	c.xdev_dev_set = 1;
	c.dev = sst.st_dev;
	if ((m.doc = doc_new()) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "remove");
		goto out;
	}
	c.doc = m.doc;
	o = doc_add_object(m.doc, doc_root_mut(m.doc), "store_remove");
	doc_add_str(m.doc, o, "store", store);
	doc_add_bool(m.doc, o, "forced", force);
	m.unreach = doc_add_array(m.doc, o, "unreachable");
	c.failures = doc_add_array(m.doc, o, "not_removed");
	checked = store_journal_has(m.storefd, "remove", "checked");
	doc_add_bool(m.doc, o, "resumed", checked);
	ret = store_header_read(ctx, m.storefd, store, &h);
	if (ret == OFFMIG_ENOTFOUND && !checked) {
		if (!dir_empty(m.storefd)) {
			ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: not an "
			    "offmig store (no %s); refused", store,
			    STORE_HEADER);
			goto out;
		}
		/* What a remove killed before its very last step leaves. */
		ret = OFFMIG_OK;
		checked = 1;
	} else if (ret == OFFMIG_ENOTFOUND)
		ret = OFFMIG_OK;
	else if (ret != OFFMIG_OK)
		goto out;
	if (h.id != NULL)
		doc_add_str(m.doc, o, "id", h.id);
	if (h.mode != NULL)
		doc_add_str(m.doc, o, "mode", h.mode);
	ck = doc_add_object(m.doc, o, "checked");
	if (!checked) {
		iso8601((int64_t)time(NULL), t, sizeof(t));
		if ((ret = store_journal_add(ctx, m.storefd, store, "remove",
		    "begin", t, 1)) != OFFMIG_OK)
			goto out;
		m.sdev = sst.st_dev;
		m.quiet = strcmp(h.mode, "hardlink") == 0;
		ret = check_store(&m, &h, volroot, sst.st_dev, &sealed);
		if (m.quiet && (ret != OFFMIG_OK || m.anomaly)) {
			/* Again, the slow way, to name what is wrong. */
			rmv_reset(&m);
			m.quiet = 0;
			ret = check_store(&m, &h, volroot, sst.st_dev,
			    &sealed);
		}
		doc_add_str(m.doc, o, "volume", m.volume);
		doc_add_bool(m.doc, o, "restored", m.restored);
		if (ret != OFFMIG_OK && !(force && ret == OFFMIG_ECORRUPT))
			goto out;
		if (ret != OFFMIG_OK) {
			ctx_log(ctx, OFFMIG_LOG_INFO, "%s; removed anyway "
			    "(--force)", offmig_errmsg(ctx));
			ret = OFFMIG_OK;
		}
		doc_add_bool(m.doc, ck, "complete", sealed);
		doc_add_int(m.doc, ck, "objects", (int64_t)m.objects);
		doc_add_int(m.doc, ck, "reachable", (int64_t)m.reachable);
		doc_add_int(m.doc, ck, "unreachable", (int64_t)m.nunreach);
		doc_add_int(m.doc, ck, "links", (int64_t)m.links);
		/* How: the fast pass, and places proved from folder listings. */
		doc_add_bool(m.doc, ck, "fast", m.quiet);
		doc_add_int(m.doc, ck, "listed", (int64_t)m.dl_proved);
		doc_add_int(m.doc, ck, "stats", (int64_t)m.dl_stats);
		if (m.missing > 0 && !force) {
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s: %"
			    PRIu64 " stored file(s) missing before anything "
			    "was removed: a damaged store (see 'offmig store "
			    "verify'); nothing removed", store, m.missing);
			goto refused;
		}
		if (m.nunreach > 0 && !force) {
			const struct offmig_node *first = offmig_node_at(
			    offmig_node_get(doc_root_mut(m.doc),
			    "store_remove.unreachable"), 0);

			ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: %" PRIu64
			    " stored file(s) are not reachable outside the "
			    "store (first: '%s': %s); nothing removed; restore "
			    "them first, or use --force", store, m.nunreach,
			    offmig_node_get_str(first, "winpath") != NULL &&
			    strcmp(offmig_node_get_str(first, "winpath"), "-")
			    != 0 ? offmig_node_get_str(first, "winpath") :
			    offmig_node_get_str(first, "store_path"),
			    offmig_node_get_str(first, "reason"));
			goto refused;
		}
		snprintf(arg, sizeof(arg), "objects=%" PRIu64, m.objects);
		if ((ret = store_journal_add(ctx, m.storefd, store, "remove",
		    "checked", arg, 1)) != OFFMIG_OK)
			goto out;
	}
	if ((ret = remove_store(ctx, m.storefd, store, checked ?
	    PRM_MIN_OBJECTS : m.objects, &c)) != OFFMIG_OK)
		goto out;
	rm = doc_add_object(m.doc, o, "removed");
	doc_add_int(m.doc, rm, "files", (int64_t)c.files);
	doc_add_int(m.doc, rm, "dirs", (int64_t)c.dirs);
	/* The stored files' bytes (the tree is removed without a stat a file). */
	doc_add_int(m.doc, rm, "bytes", (int64_t)m.bytes);
	doc_add_int(m.doc, rm, "failed", (int64_t)c.failed);
	doc_add_bool(m.doc, o, "complete", c.failed == 0);
	if (c.failed > 0)
		ctx_log(ctx, OFFMIG_LOG_ERROR, "%s: %" PRIu64 " entr%s could not "
		    "be removed; run the same command again once the cause is "
		    "fixed", store, c.failed, c.failed == 1 ? "y" : "ies");
	if (doc_status(m.doc) != OFFMIG_OK) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "remove report");
		goto out;
	}
	*docp = m.doc;
	m.doc = NULL;
	goto out;
refused:
	/* The report says what stops the removal. */
	if (doc_status(m.doc) == OFFMIG_OK) {
		*docp = m.doc;
		m.doc = NULL;
	}
out:
	offmig_doc_free(m.doc);
	store_header_release(&h);
	rmv_release(&m);
	if (m.storefd >= 0)
		close(m.storefd);
	return ret;
}
