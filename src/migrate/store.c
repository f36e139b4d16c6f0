/*
 * store.c - creating a migration store: a mirror of hard links (or copies)
 * of the captured objects under STORE/files, the users' registry exports
 * under STORE/registry, an append-only manifest sealed at the end, and a
 * journal of the steps.  docs/STORE-FORMAT.md describes the result.
 *
 * Safety: nothing is written to the volume (sources are only stat'ed,
 * linked from, and read for copies); no symbolic link is followed, on the
 * volume side (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS for the
 * source's folder, AT_SYMLINK_NOFOLLOW / O_NOFOLLOW for the name, every
 * link checked to be the inode stat'ed) nor in the store (each component
 * opened with O_NOFOLLOW | O_DIRECTORY relative to its parent).
 * Crash safety: an object is linked before it is recorded, so a killed
 * create leaves at most objects linked but not recorded, which the rerun
 * records (once); objects are given in a deterministic order and a rerun
 * skips those recorded before (only the last recorded winpath is kept, so
 * memory stays flat whatever the number of objects).
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/fs.h>
#endif

#include "common/common.h"
#include "common/doc.h"
#include "common/vpath.h"
#include "migrate/manifest.h"
#include "migrate/store.h"

/* Name of a copy being written, in its destination folder (':' cannot be in a Windows name). */
#define COPY_TMP	"offmig~copy~tmp:"
#define NTFS_ATTRIB_XATTR	"system.ntfs_attrib_be"
#define MAX_USERS	4096

/* Fault injection. */

static struct {
	char		spec[64];	/* OFFMIG_FAULT as parsed */
	char		step[32];
	unsigned long	n, count;
} fault;

int
store_fault(const char *step)
{
	const char *e = getenv("OFFMIG_FAULT"), *k;
	const char *colon;

	if (e == NULL || *e == '\0')
		return 0;
	if (strcmp(e, fault.spec) != 0) {
		snprintf(fault.spec, sizeof(fault.spec), "%s", e);
		fault.count = 0;
		fault.n = 0;
		fault.step[0] = '\0';
		colon = strchr(e, ':');
		if (colon != NULL && (size_t)(colon - e) < sizeof(fault.step)) {
			memcpy(fault.step, e, (size_t)(colon - e));
			fault.step[colon - e] = '\0';
			fault.n = strtoul(colon + 1, NULL, 10);
		}
	}
	if (fault.n == 0 || strcmp(step, fault.step) != 0)
		return 0;
	if (++fault.count != fault.n)
		return 0;
	k = getenv("OFFMIG_FAULT_KILL");
	if (k != NULL && strcmp(k, "1") == 0)
		_exit(99);
	errno = EIO;
	return 1;
}

void
store_fault_reset(void)
{
	fault.spec[0] = '\0';
}

/* An open directory path below a base descriptor, one fd per component. */
struct dcache {
	int	  base;		/* not owned */
	size_t	  depth, cap;
	int	 *fd;		/* fd[i]: directory of components 0..i */
	char	**name;		/* component i */
};

/* Per-user counts for the U records. */
struct ucount {
	char		*sid;
	uint64_t	 objects, bytes, failed;
	int		 recorded;	/* a U record exists */
};

struct store {
	struct offmig_ctx *ctx;
	int		 volfd;		/* the volume root (a dup) */
	dev_t		 voldev;
	char		*volroot;
	char		*storepath;
	char		*store_rel;	/* STORE below the volume root, or NULL */
	int		 storefd, filesfd, regfd, journalfd;
	unsigned	 flags;
	char		 id[33];
	struct manifest_writer *w;
	int		 broken;	/* a fatal error happened */
	int		 complete;	/* the store was sealed already */
	/* Counts. */
	uint64_t	 seq, objects, bytes;
	uint64_t	 linked, adopted, skipped, failed, bytes_linked;
	/* Resumption. */
	int		 resumed, catchup;
	uint64_t	 target_seq;
	char		*target_winpath;
	/* Caches. */
	struct dcache	 dst;
	char		*src_parent;	/* host path of the folder srcfd is */
	int		 srcfd;
	int		 attrs_ok;	/* -1 probing, 1 readable, 0 not */
	unsigned	 attrs_probes;
	struct ucount	*users;
	size_t		 nusers;
	struct mbuf	 path, sp, par;	/* scratch */
};

static int
fatal(struct store *s, int ret)
{
	s->broken = 1;
	return ret;
}

/* Directory cache. */

static void
dcache_cut(struct dcache *c, size_t depth)
{
	while (c->depth > depth) {
		c->depth--;
		close(c->fd[c->depth]);
		free(c->name[c->depth]);
	}
}

static void
dcache_free(struct dcache *c)
{
	dcache_cut(c, 0);
	free(c->fd);
	free(c->name);
	c->fd = NULL;
	c->name = NULL;
	c->cap = 0;
}

/*
 * Opens (creating it when missing) the component name below parent, never
 * following a link.  Returns the fd or a negative error.
 */
static int
open_store_dir(struct store *s, int parent, const char *name, const char *path,
    int create)
{
	struct stat st;
	int fd, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno == ELOOP || errno == ENOTDIR) {
			if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				return ctx_set_error(s->ctx, OFFMIG_EUNSAFE, 0,
				    "%s/%s: a folder of the store is a symbolic "
				    "link; refused", s->storepath, path);
			return ctx_set_error(s->ctx, OFFMIG_EUNSAFE, 0,
			    "%s/%s: a folder of the store is not a directory",
			    s->storepath, path);
		}
		if (errno == ENOENT && !create)
			return OFFMIG_ENOTFOUND;
		if (errno != ENOENT || tries > 0)
			return ctx_set_error(s->ctx, OFFMIG_EIO, errno, "%s/%s",
			    s->storepath, path);
		if (store_fault("mkdir"))
			return ctx_set_error(s->ctx, OFFMIG_EIO, EIO,
			    "%s/%s: mkdir (injected fault)", s->storepath, path);
		if (mkdirat(parent, name, 0700) != 0 && errno != EEXIST)
			return ctx_set_error(s->ctx, OFFMIG_EIO, errno,
			    "%s/%s: mkdir", s->storepath, path);
	}
	return ctx_set_error(s->ctx, OFFMIG_EIO, 0, "%s/%s", s->storepath, path);
}

/*
 * The directory path[0..len) ('/'-separated, relative to c->base), created
 * as needed; *fdp is borrowed from the cache.  len 0 gives the base.
 */
static int
dcache_dir(struct store *s, struct dcache *c, const char *path, size_t len,
    int create, int *fdp)
{
	size_t level = 0, i = 0;

	while (i < len) {
		size_t j = i;
		char *comp;
		int fd, parent;

		while (j < len && path[j] != '/')
			j++;
		if (level < c->depth && strlen(c->name[level]) == j - i &&
		    memcmp(c->name[level], path + i, j - i) == 0) {
			level++;
			i = j + 1;
			continue;
		}
		dcache_cut(c, level);
		if ((comp = strndup(path + i, j - i)) == NULL)
			return ctx_set_error(s->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "store");
		if (c->depth == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 16;
			int *fds = realloc(c->fd, cap * sizeof(*fds));
			char **names;

			if (fds != NULL)
				c->fd = fds;
			names = fds ? realloc(c->name, cap * sizeof(*names)) :
			    NULL;
			if (names == NULL) {
				free(comp);
				return ctx_set_error(s->ctx, OFFMIG_ENOMEM,
				    ENOMEM, "store");
			}
			c->name = names;
			c->cap = cap;
		}
		parent = level == 0 ? c->base : c->fd[level - 1];
		s->path.len = 0;
		mbuf_add(&s->path, STORE_FILES_DIR "/", 6);
		mbuf_add(&s->path, path, j);
		fd = open_store_dir(s, parent, comp, s->path.oom ? comp :
		    s->path.p, create);
		if (fd < 0) {
			free(comp);
			return fd;
		}
		c->fd[c->depth] = fd;
		c->name[c->depth] = comp;
		c->depth++;
		level++;
		i = j + 1;
	}
	dcache_cut(c, level);
	*fdp = level == 0 ? c->base : c->fd[level - 1];
	return OFFMIG_OK;
}

/* Source side. */

/*
 * Opens the folder host path rel ("" for the root) below the volume root,
 * following no link; -1 with errno.
 */
static int
open_src_dir(int volfd, const char *rel)
{
	char *copy, *p, *q;
	int fd, next;

	if (*rel == '\0')
		return fcntl(volfd, F_DUPFD_CLOEXEC, 0);
	fd = vpath_open_beneath(volfd, rel, O_PATH | O_DIRECTORY);
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	/* No openat2: one component at a time, O_NOFOLLOW each. */
	if ((copy = strdup(rel)) == NULL)
		return -1;
	fd = fcntl(volfd, F_DUPFD_CLOEXEC, 0);
	for (p = copy; fd >= 0 && p != NULL; p = q) {
		q = strchr(p, '/');
		if (q != NULL)
			*q++ = '\0';
		next = openat(fd, p, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		fd = next;
	}
	free(copy);
	return fd;
}

/* The folder of the source (cached while objects stay in one folder). */
static int
src_dir(struct store *s, const char *parent, size_t len, int *fdp)
{
	if (s->src_parent != NULL && strlen(s->src_parent) == len &&
	    memcmp(s->src_parent, parent, len) == 0) {
		*fdp = s->srcfd;
		return 0;
	}
	if (s->srcfd >= 0)
		close(s->srcfd);
	free(s->src_parent);
	s->src_parent = NULL;
	if ((s->src_parent = strndup(parent, len)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	if ((s->srcfd = open_src_dir(s->volfd, s->src_parent)) < 0) {
		free(s->src_parent);
		s->src_parent = NULL;
		return -1;
	}
	*fdp = s->srcfd;
	return 0;
}

/* Users. */

static struct ucount *
user_get(struct store *s, const char *sid)
{
	struct ucount *u;
	size_t i;

	if (sid == NULL || *sid == '\0')
		return NULL;
	for (i = 0; i < s->nusers; i++)
		if (strcmp(s->users[i].sid, sid) == 0)
			return &s->users[i];
	if (s->nusers >= MAX_USERS)
		return NULL;
	if ((s->nusers & 15) == 0) {
		u = realloc(s->users, (s->nusers + 16) * sizeof(*u));
		if (u == NULL)
			return NULL;
		s->users = u;
	}
	u = &s->users[s->nusers];
	memset(u, 0, sizeof(*u));
	if ((u->sid = strdup(sid)) == NULL)
		return NULL;
	s->nusers++;
	return u;
}

/* Journal. */

static int
journal(struct store *s, const char *event, const char *arg, int sync)
{
	struct mbuf b = { 0 };
	int ret = OFFMIG_OK;

	if (s->journalfd < 0)
		return OFFMIG_OK;
	mbuf_add(&b, "create\t", 7);
	mbuf_add(&b, event, strlen(event));
	mbuf_add(&b, "\t", 1);
	mbuf_add_escaped(&b, arg, strlen(arg));
	mbuf_add(&b, "\n", 1);
	if (b.oom)
		return ctx_set_error(s->ctx, OFFMIG_ENOMEM, ENOMEM, "journal");
	if (io_write_all(s->journalfd, b.p, b.len) != 0) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno,
		    "%s/journal: write", s->storepath);
		goto out;
	}
	if (sync) {
		if (store_fault("fsync"))
			ret = ctx_set_error(s->ctx, OFFMIG_EIO, EIO,
			    "%s/journal: fsync (injected fault)", s->storepath);
		else if (fdatasync(s->journalfd) != 0)
			ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno,
			    "%s/journal: fsync", s->storepath);
	}
out:
	mbuf_free(&b);
	return ret;
}

/*
 * Reads the journal's create lines: *pendingp is the target seq of the
 * last "resume" not followed by its "caught-up" (0 if none).
 */
static int
journal_pending(struct store *s, uint64_t *pendingp)
{
	char buf[8192];
	struct mbuf line = { 0 };
	uint64_t pending = 0;
	ssize_t n;
	int fd, ret = OFFMIG_OK;

	*pendingp = 0;
	fd = openat(s->storefd, STORE_JOURNAL, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? OFFMIG_OK : ctx_set_error(s->ctx,
		    OFFMIG_EIO, errno, "%s/journal", s->storepath);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				/* Lines are short; a long one is cut, not kept whole. */
				if (line.len < 256)
					mbuf_add(&line, buf + i, 1);
				continue;
			}
			if (line.len > 0 && strncmp(line.p, "create\tresume\t",
			    14) == 0)
				pending = strtoull(line.p + 14, NULL, 10);
			else if (line.len > 0 && strncmp(line.p,
			    "create\tcaught-up\t", 17) == 0 &&
			    strtoull(line.p + 17, NULL, 10) == pending)
				pending = 0;
			line.len = 0;
		}
	}
	if (n < 0)
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno, "%s/journal",
		    s->storepath);
	if (line.oom)
		ret = ctx_set_error(s->ctx, OFFMIG_ENOMEM, ENOMEM, "journal");
	close(fd);
	mbuf_free(&line);
	*pendingp = pending;
	return ret;
}

/* Header. */

static int
fsync_dir(struct store *s, int fd, const char *what)
{
	if (store_fault("fsync"))
		return ctx_set_error(s->ctx, OFFMIG_EIO, EIO,
		    "%s: fsync (injected fault)", what);
	if (fsync(fd) != 0)
		return ctx_set_error(s->ctx, OFFMIG_EIO, errno, "%s: fsync",
		    what);
	return OFFMIG_OK;
}

/*
 * Writes data to dirfd/name atomically: name.tmp, fsync, rename, fsync
 * the folder.  On success *stp (when not NULL) describes the file.
 */
static int
write_atomic(struct store *s, int dirfd, const char *name, const void *data,
    size_t len, struct stat *stp)
{
	char tmp[PATH_MAX];
	int fd, ret;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if (unlinkat(dirfd, tmp, 0) != 0 && errno != ENOENT)
		return ctx_set_error(s->ctx, OFFMIG_EIO, errno, "%s/%s",
		    s->storepath, tmp);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0)
		return ctx_set_error(s->ctx, OFFMIG_EIO, errno, "%s/%s",
		    s->storepath, tmp);
	if (io_write_all(fd, data, len) != 0) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno, "%s/%s: write",
		    s->storepath, tmp);
		close(fd);
		return ret;
	}
	if (store_fault("fsync")) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, EIO, "%s/%s: fsync "
		    "(injected fault)", s->storepath, tmp);
		close(fd);
		return ret;
	}
	if (fsync(fd) != 0) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno, "%s/%s: fsync",
		    s->storepath, tmp);
		close(fd);
		return ret;
	}
	if (stp != NULL && fstat(fd, stp) != 0) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno, "%s/%s",
		    s->storepath, tmp);
		close(fd);
		return ret;
	}
	close(fd);
	if (store_fault("rename"))
		return ctx_set_error(s->ctx, OFFMIG_EIO, EIO,
		    "%s/%s: rename (injected fault)", s->storepath, name);
	if (renameat(dirfd, tmp, dirfd, name) != 0)
		return ctx_set_error(s->ctx, OFFMIG_EIO, errno,
		    "%s/%s: rename", s->storepath, name);
	return fsync_dir(s, dirfd, s->storepath);
}

static void
header_line(struct mbuf *b, const char *key, const char *value)
{
	mbuf_add(b, key, strlen(key));
	mbuf_add(b, "=", 1);
	if (value != NULL)
		mbuf_add_escaped(b, value, strlen(value));
	mbuf_add(b, "\n", 1);
}

static int
header_write(struct store *s, const char *computer, const char *windows)
{
	struct mbuf b = { 0 };
	char t[32], dev[32];
	time_t now = time(NULL);
	int ret;

	iso8601((int64_t)now, t, sizeof(t));
	snprintf(dev, sizeof(dev), "%ju", (uintmax_t)s->voldev);
	mbuf_add(&b, "# offmig migration store (docs/STORE-FORMAT.md)\n",
	    strlen("# offmig migration store (docs/STORE-FORMAT.md)\n"));
	header_line(&b, "format", "1");
	header_line(&b, "id", s->id);
	header_line(&b, "created", t);
	header_line(&b, "volume", s->volroot);
	header_line(&b, "volume_dev", dev);
	header_line(&b, "mode", s->flags & STORE_COPY ? "copy" : "hardlink");
	header_line(&b, "computer", computer);
	header_line(&b, "windows", windows);
	header_line(&b, "tool", "offmig " PACKAGE_VERSION);
	if (b.oom)
		ret = ctx_set_error(s->ctx, OFFMIG_ENOMEM, ENOMEM, "header");
	else
		ret = write_atomic(s, s->storefd, STORE_HEADER, b.p, b.len,
		    NULL);
	mbuf_free(&b);
	return ret;
}

/* Header fields a store needs back (values unescaped; caller frees). */
void
store_header_release(struct store_header *h)
{
	free(h->id);
	free(h->mode);
	free(h->volume);
	free(h->volume_dev);
	free(h->format);
	memset(h, 0, sizeof(*h));
}

int
store_header_read(struct offmig_ctx *ctx, int storefd, const char *storepath,
    struct store_header *h)
{
	char *buf, *line, *next, *eq;
	ssize_t n;
	size_t len = 0;
	unsigned lineno = 0;
	int fd, ret = OFFMIG_OK;

	memset(h, 0, sizeof(*h));
	fd = openat(storefd, STORE_HEADER, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK);
	if (fd < 0)
		return ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s/%s", storepath, STORE_HEADER);
	if ((buf = malloc(65537)) == NULL) {
		close(fd);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "header");
	}
	while (len < 65537 && (n = read(fd, buf + len, 65537 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len > 65536) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: larger "
		    "than 64 KiB", storepath, STORE_HEADER);
		goto out;
	}
	buf[len] = '\0';
	for (line = buf; line < buf + len; line = next) {
		char **dst = NULL, *val;

		lineno++;
		next = memchr(line, '\n', (size_t)(buf + len - line));
		if (next == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s:%u: "
			    "truncated line", storepath, STORE_HEADER, lineno);
			goto out;
		}
		*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s:%u: "
			    "not key=value", storepath, STORE_HEADER, lineno);
			goto out;
		}
		*eq = '\0';
		if (strcmp(line, "id") == 0)
			dst = &h->id;
		else if (strcmp(line, "mode") == 0)
			dst = &h->mode;
		else if (strcmp(line, "volume") == 0)
			dst = &h->volume;
		else if (strcmp(line, "volume_dev") == 0)
			dst = &h->volume_dev;
		else if (strcmp(line, "format") == 0)
			dst = &h->format;
		if (dst == NULL)
			continue;
		if (*dst != NULL || manifest_unescape(eq + 1, strlen(eq + 1),
		    &val, NULL) != 0 || strlen(val) == 0) {
			if (*dst == NULL)
				free(val);
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s:%u: "
			    "bad or repeated '%s'", storepath, STORE_HEADER,
			    lineno, line);
			goto out;
		}
		*dst = val;
	}
	if (h->format == NULL || strcmp(h->format, "1") != 0)
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: format is "
		    "not 1", storepath, STORE_HEADER);
	else if (h->id == NULL || strlen(h->id) != 32 ||
	    strspn(h->id, "0123456789abcdef") != 32)
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: bad id",
		    storepath, STORE_HEADER);
	else if (h->mode == NULL || (strcmp(h->mode, "hardlink") != 0 &&
	    strcmp(h->mode, "copy") != 0))
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: bad mode",
		    storepath, STORE_HEADER);
	else if (h->volume == NULL || h->volume_dev == NULL)
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: no volume",
		    storepath, STORE_HEADER);
out:
	free(buf);
	if (ret != OFFMIG_OK)
		store_header_release(h);
	return ret;
}

/* Creation. */

static void
store_free(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	dcache_free(&s->dst);
	if (s->srcfd >= 0)
		close(s->srcfd);
	free(s->src_parent);
	if (s->volfd >= 0)
		close(s->volfd);
	if (s->storefd >= 0)
		close(s->storefd);
	if (s->filesfd >= 0)
		close(s->filesfd);
	if (s->regfd >= 0)
		close(s->regfd);
	if (s->journalfd >= 0)
		close(s->journalfd);
	for (i = 0; i < s->nusers; i++)
		free(s->users[i].sid);
	free(s->users);
	free(s->volroot);
	free(s->storepath);
	free(s->store_rel);
	free(s->target_winpath);
	mbuf_free(&s->path);
	mbuf_free(&s->sp);
	mbuf_free(&s->par);
	free(s);
}

/* OFFMIG_OK when STORE has no entries; a store may not be made over files. */
static int
dir_is_empty(struct store *s)
{
	struct dirent *de;
	DIR *d;
	int fd, found = 0;

	if ((fd = openat(s->storefd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return ctx_set_error(s->ctx, OFFMIG_EIO, errno, "%s",
		    s->storepath);
	}
	while ((de = readdir(d)) != NULL)
		/* A header cut short by a crash is replaced; anything else is not ours. */
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0
		    && strcmp(de->d_name, STORE_HEADER ".tmp") != 0)
			found = 1;
	closedir(d);
	if (found)
		return ctx_set_error(s->ctx, OFFMIG_EUNSAFE, 0, "%s: not empty "
		    "and not an offmig store (no %s); refused", s->storepath,
		    STORE_HEADER);
	return OFFMIG_OK;
}

/* STORE's path relative to the volume root when it lies below it. */
static int
store_below_volume(struct store *s)
{
	char *vr = realpath(s->volroot, NULL), *sr = realpath(s->storepath,
	    NULL);
	size_t n;
	int ret = OFFMIG_OK;

	if (vr == NULL || sr == NULL) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno, "%s",
		    vr == NULL ? s->volroot : s->storepath);
		goto out;
	}
	n = strlen(sr);
	/* STORE is the volume root, or the volume lies below STORE. */
	if (strcmp(vr, sr) == 0 || strcmp(sr, "/") == 0 ||
	    (strncmp(vr, sr, n) == 0 && vr[n] == '/')) {
		ret = ctx_set_error(s->ctx, OFFMIG_EUNSAFE, 0, "%s: the store "
		    "cannot be the volume '%s' or contain it", s->storepath,
		    s->volroot);
		goto out;
	}
	n = strlen(vr);
	if (strcmp(vr, "/") == 0)
		n = 0;
	if (strncmp(sr, vr, n) == 0 && sr[n] == '/' &&
	    (s->store_rel = strdup(sr + n + 1)) == NULL)
		ret = ctx_set_error(s->ctx, OFFMIG_ENOMEM, ENOMEM, "store");
out:
	free(vr);
	free(sr);
	return ret;
}

static int
resume_manifest(struct store *s)
{
	struct manifest_reader *r = NULL;
	struct manifest_record rec;
	uint64_t pending, last, objects, bytes;
	const char *wp;
	char arg[32];
	int ret;

	if ((ret = journal_pending(s, &pending)) != OFFMIG_OK)
		return ret;
	if ((ret = manifest_open_resume(s->ctx, s->storefd, pending, &r)) !=
	    OFFMIG_OK)
		goto out;
	if (strcmp(manifest_id(r), s->id) != 0) {
		ret = ctx_set_error(s->ctx, OFFMIG_ECORRUPT, 0, "%s/manifest: "
		    "store id %s is not the header's %s", s->storepath,
		    manifest_id(r), s->id);
		goto out;
	}
	while ((ret = manifest_next(r, &rec)) > 0) {
		struct ucount *u = user_get(s, rec.sid);

		if (rec.kind == 'U') {
			if (u != NULL)
				u->recorded = 1;
		} else if (u != NULL) {
			u->objects++;
			u->bytes += rec.size;
		}
	}
	if (ret < 0) {
		ctx_prefix_error(s->ctx, "%s", s->storepath);
		goto out;
	}
	manifest_resume_state(r, &last, &objects, &bytes);
	s->seq = last;
	s->objects = objects;
	s->bytes = bytes;
	s->resumed = 1;
	if (manifest_sealed(r)) {
		s->complete = 1;
		ret = OFFMIG_OK;
		goto out;
	}
	if (pending != 0 && (wp = manifest_resume_winpath(r)) != NULL) {
		s->target_seq = pending;
	} else {
		s->target_seq = last;
		wp = manifest_last_winpath(r);
	}
	if (s->target_seq > 0 && wp != NULL) {
		if ((s->target_winpath = strdup(wp)) == NULL) {
			ret = ctx_set_error(s->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "store");
			goto out;
		}
		s->catchup = 1;
	}
	if ((ret = manifest_writer_resume(s->ctx, s->storefd, r, &s->w)) !=
	    OFFMIG_OK)
		goto out;
	if (s->catchup) {
		snprintf(arg, sizeof(arg), "%" PRIu64, s->target_seq);
		ret = journal(s, "resume", arg, 1);
	}
out:
	manifest_close(r);
	return ret;
}

int
store_create_begin(struct offmig_ctx *ctx, int vol_rootfd, const char *volroot,
    const char *storepath, unsigned flags, const char *computer,
    const char *windows, struct store **sp)
{
	struct store *s;
	struct stat vst, pst, sst;
	struct store_header h;
	char *parent = NULL, *slash;
	unsigned char rnd[16];
	int ret, i, existed;

	*sp = NULL;
	if (volroot == NULL || storepath == NULL || *storepath == '\0' ||
	    (flags & ~STORE_COPY) != 0)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "store create: bad "
		    "arguments");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "store");
	s->ctx = ctx;
	s->volfd = s->storefd = s->filesfd = s->regfd = s->journalfd = -1;
	s->srcfd = -1;
	s->attrs_ok = -1;
	s->flags = flags;
	if ((s->volroot = strdup(volroot)) == NULL ||
	    (s->storepath = strdup(storepath)) == NULL ||
	    (parent = strdup(storepath)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "store");
		goto fail;
	}
	if ((s->volfd = fcntl(vol_rootfd, F_DUPFD_CLOEXEC, 0)) < 0 ||
	    fstat(s->volfd, &vst) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", volroot);
		goto fail;
	}
	s->voldev = vst.st_dev;
	/* STORE itself, or the folder it will be made in. */
	existed = lstat(storepath, &sst) == 0;
	if (existed && !S_ISDIR(sst.st_mode)) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: exists and is "
		    "not a directory%s", storepath, S_ISLNK(sst.st_mode) ?
		    " (a symbolic link)" : "");
		goto fail;
	}
	if (!existed) {
		while ((slash = strrchr(parent, '/')) != NULL && slash[1] == '\0'
		    && slash > parent)
			*slash = '\0';
		slash = strrchr(parent, '/');
		if (slash == NULL)
			strcpy(parent, ".");
		else if (slash == parent)
			parent[1] = '\0';
		else
			*slash = '\0';
		if (stat(parent, &pst) != 0) {
			ret = ctx_set_error(ctx, OFFMIG_ENOTFOUND, errno,
			    "%s: the folder the store goes in", parent);
			goto fail;
		}
	} else
		pst = sst;
	if (pst.st_dev != vst.st_dev && !(flags & STORE_COPY)) {
		ret = ctx_set_error(ctx, OFFMIG_EXDEV, 0, "%s: the store is on "
		    "another filesystem than the volume '%s' (device %ju, the "
		    "volume's %ju): hard links cannot cross filesystems; put "
		    "the store on the volume, or make a copy store (--copy)",
		    storepath, volroot, (uintmax_t)pst.st_dev,
		    (uintmax_t)vst.st_dev);
		goto fail;
	}
	if (!existed) {
		if (store_fault("mkdir")) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, EIO, "%s: mkdir "
			    "(injected fault)", storepath);
			goto fail;
		}
		if (mkdir(storepath, 0700) != 0 && errno != EEXIST) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: mkdir",
			    storepath);
			goto fail;
		}
	}
	s->storefd = open(storepath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (s->storefd < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", storepath);
		goto fail;
	}
	if ((ret = store_below_volume(s)) != OFFMIG_OK)
		goto fail;
	/* The header names the volume by its absolute path. */
	{
		char *abs = realpath(volroot, NULL);

		if (abs != NULL) {
			free(s->volroot);
			s->volroot = abs;
		}
	}
	ret = store_header_read(ctx, s->storefd, storepath, &h);
	if (ret == OFFMIG_OK) {
		int same_mode = strcmp(h.mode, flags & STORE_COPY ? "copy" :
		    "hardlink") == 0;
		int same_dev = strtoumax(h.volume_dev, NULL, 10) ==
		    (uintmax_t)vst.st_dev;

		snprintf(s->id, sizeof(s->id), "%s", h.id);
		store_header_release(&h);
		if (!same_mode) {
			ret = ctx_set_error(ctx, OFFMIG_EINVAL, 0, "%s: an "
			    "interrupted %s store; continue it in the same mode",
			    storepath, flags & STORE_COPY ? "hard-link" : "copy");
			goto fail;
		}
		if (!same_dev && !(flags & STORE_COPY)) {
			ret = ctx_set_error(ctx, OFFMIG_EXDEV, 0, "%s: the store "
			    "was begun for another volume", storepath);
			goto fail;
		}
	} else if (ret == OFFMIG_ENOTFOUND) {
		/* Only an empty folder becomes a new store. */
		if ((ret = dir_is_empty(s)) != OFFMIG_OK)
			goto fail;
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
			    "getrandom");
			goto fail;
		}
		for (i = 0; i < 16; i++)
			snprintf(s->id + 2 * i, 3, "%02x", rnd[i]);
		if ((ret = header_write(s, computer, windows)) != OFFMIG_OK)
			goto fail;
	} else
		goto fail;
	s->journalfd = openat(s->storefd, STORE_JOURNAL, O_WRONLY | O_APPEND |
	    O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->journalfd < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/journal",
		    storepath);
		goto fail;
	}
	if (faccessat(s->storefd, STORE_MANIFEST, F_OK, AT_SYMLINK_NOFOLLOW) ==
	    0) {
		if ((ret = resume_manifest(s)) != OFFMIG_OK)
			goto fail;
	} else {
		char t[32];

		iso8601((int64_t)time(NULL), t, sizeof(t));
		if ((ret = journal(s, "begin", t, 0)) != OFFMIG_OK ||
		    (ret = manifest_writer_create(ctx, s->storefd, s->id,
		    &s->w)) != OFFMIG_OK ||
		    (ret = fsync_dir(s, s->storefd, storepath)) != OFFMIG_OK)
			goto fail;
	}
	if (!s->complete) {
		if ((s->filesfd = open_store_dir(s, s->storefd, STORE_FILES_DIR,
		    STORE_FILES_DIR, 1)) < 0) {
			ret = s->filesfd;
			s->filesfd = -1;
			goto fail;
		}
		s->dst.base = s->filesfd;
	}
	free(parent);
	*sp = s;
	return OFFMIG_OK;
fail:
	free(parent);
	manifest_writer_abort(s->w);
	s->w = NULL;
	store_free(s);
	return ret;
}

/* Objects. */

/* A per-item problem: reported, counted, and the object skipped. */
static int
item_problem(struct store *s, const char *sid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
item_problem(struct store *s, const char *sid, const char *fmt, ...)
{
	struct ucount *u = user_get(s, sid);
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx_log(s->ctx, OFFMIG_LOG_ERROR, "%s", msg);
	s->failed++;
	if (u != NULL)
		u->failed++;
	return OFFMIG_OK;
}

/* The drive letter of a Windows path ("C:\...", "\\?\C:\..."), 'C' otherwise. */
static char
drive_of(const char *winpath)
{
	if (strncmp(winpath, "\\\\?\\", 4) == 0 ||
	    strncmp(winpath, "\\??\\", 4) == 0)
		winpath += 4;
	if (isalpha((unsigned char)winpath[0]) && winpath[1] == ':')
		return (char)toupper((unsigned char)winpath[0]);
	return 'C';
}

/*
 * NTFS attributes of dirfd/name from ntfs-3g's xattr, as hex into buf; ""
 * when unknown.
 */
static void
read_attrs(struct store *s, int dirfd, const char *name, char *buf,
    size_t size)
{
	unsigned char v[4];
	char proc[PATH_MAX];
	ssize_t n;

	buf[0] = '\0';
	if (s->attrs_ok == 0)
		return;
	/* The folder's descriptor, then the name, never following a last link. */
	if ((size_t)snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", dirfd,
	    name) >= sizeof(proc))
		return;
	n = lgetxattr(proc, NTFS_ATTRIB_XATTR, v, sizeof(v));
	if (n == 4) {
		s->attrs_ok = 1;
		snprintf(buf, size, "%08X", (unsigned)v[0] << 24 |
		    (unsigned)v[1] << 16 | (unsigned)v[2] << 8 | v[3]);
		return;
	}
	/*
	 * ntfs-3g gives the attribute for every file; when the first objects
	 * have none, the filesystem is not ntfs-3g and asking again is waste.
	 */
	if (s->attrs_ok == -1 && ++s->attrs_probes >= 64)
		s->attrs_ok = 0;
}

static int
record(struct store *s, char kind, const struct store_object *o,
    const char *host_path, const char *store_path, const struct stat *st,
    uint64_t nlink, const char *attrs)
{
	struct manifest_record rec;
	struct ucount *u;
	uint64_t size = kind == 'd' ? 0 : (uint64_t)st->st_size;
	int ret;

	memset(&rec, 0, sizeof(rec));
	rec.kind = kind;
	rec.seq = s->seq + 1;
	rec.winpath = (char *)o->winpath;
	rec.host_path = (char *)host_path;
	rec.store_path = (char *)store_path;
	rec.sid = (char *)o->sid;
	rec.folder = (char *)o->folder;
	rec.component = (char *)o->component;
	rec.rule = (char *)o->rule;
	rec.size = size;
	rec.mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
	    st->st_mtim.tv_nsec;
	rec.ino = (uint64_t)st->st_ino;
	rec.nlink = nlink;
	rec.mode = (uint32_t)st->st_mode;
	rec.attrs = (char *)attrs;
	if ((ret = manifest_write_object(s->w, &rec)) != OFFMIG_OK)
		return fatal(s, ret);
	s->seq++;
	s->objects++;
	s->bytes += size;
	if ((u = user_get(s, o->sid)) != NULL) {
		u->objects++;
		u->bytes += size;
	}
	return OFFMIG_OK;
}

/* Ends the catching up when o is the last object the interrupted run recorded. */
static int
catchup_check(struct store *s, const char *winpath)
{
	char arg[32];

	if (!s->catchup || strcmp(winpath, s->target_winpath) != 0)
		return OFFMIG_OK;
	s->catchup = 0;
	snprintf(arg, sizeof(arg), "%" PRIu64, s->target_seq);
	return journal(s, "caught-up", arg, 1);
}

/* Copies in (an open regular file) into dstdir/name through a temporary name. */
static int
copy_file(struct store *s, int in, const struct stat *st, int dstdir,
    const char *name, const char *winpath)
{
	struct timespec ts[2];
	char buf[65536];
	int out, ret = OFFMIG_OK, done = 0;

	if (unlinkat(dstdir, COPY_TMP, 0) != 0 && errno != ENOENT)
		return fatal(s, ctx_set_error(s->ctx, OFFMIG_EIO, errno,
		    "%s: removing a copy left by an interrupted run", winpath));
	out = openat(dstdir, COPY_TMP, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return fatal(s, ctx_set_error(s->ctx, OFFMIG_EIO, errno,
		    "%s: creating its copy", winpath));
#ifdef FICLONE
	if (ioctl(out, FICLONE, in) == 0)
		done = 1;
#endif
	if (!done) {
		off_t left = st->st_size;
		int use_cfr = 1;

		while (left > 0 || (left == 0 && !done)) {
			ssize_t n = -1;

			if (use_cfr) {
				n = copy_file_range(in, NULL, out, NULL,
				    (size_t)(left > (1 << 30) ? (1 << 30) :
				    (left > 0 ? left : 65536)), 0);
				if (n < 0 && (errno == EXDEV || errno ==
				    ENOSYS || errno == EINVAL || errno ==
				    EOPNOTSUPP)) {
					use_cfr = 0;
					continue;
				}
			} else {
				n = read(in, buf, sizeof(buf));
				if (n > 0) {
					ssize_t off = 0;

					while (off < n) {
						ssize_t w = write(out, buf +
						    off, (size_t)(n - off));

						if (w < 0 && errno == EINTR)
							continue;
						if (w <= 0) {
							n = -1;
							break;
						}
						off += w;
					}
				}
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno,
				    "%s: copying", winpath);
				goto fail;
			}
			if (n == 0)
				break;	/* the file shrank, or its end */
			left -= n;
			done = 1;
		}
	}
	ts[0] = st->st_atim;
	ts[1] = st->st_mtim;
	if (fchmod(out, st->st_mode & 07777) != 0 ||
	    futimens(out, ts) != 0) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno,
		    "%s: setting the copy's mode and times", winpath);
		goto fail;
	}
	if (store_fault("fsync")) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, EIO,
		    "%s: fsync of the copy (injected fault)", winpath);
		goto fail;
	}
	if (fsync(out) != 0) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno,
		    "%s: fsync of the copy", winpath);
		goto fail;
	}
	close(out);
	out = -1;
	if (store_fault("rename")) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, EIO,
		    "%s: rename (injected fault)", winpath);
		goto fail;
	}
	if (renameat2(dstdir, COPY_TMP, dstdir, name, RENAME_NOREPLACE) != 0 &&
	    ((errno != EINVAL && errno != ENOSYS) ||
	    renameat(dstdir, COPY_TMP, dstdir, name) != 0)) {
		ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno,
		    "%s: rename of the copy", winpath);
		goto fail;
	}
	return OFFMIG_OK;
fail:
	if (out >= 0)
		close(out);
	return fatal(s, ret);
}

/*
 * Hard-links sdir/sname (st: what fstatat found there) as dstdir/name.
 * linkat(2) without AT_SYMLINK_FOLLOW never follows a link; the new link is
 * then checked with fstatat: the inode stat'ed before, its link count
 * risen.  Otherwise the link is removed and the object reported.  (Linking
 * an O_PATH descriptor with AT_EMPTY_PATH gives the same guarantee but
 * costs an open, an fstat and a close a file: 1.4-1.6x "cp -al" instead of
 * 1.1x; see docs/STORE-FORMAT.md.)  *linkedp: 1 linked, 0 not (a per-item
 * problem was reported), -1 the name is taken in the store.
 */
static int
link_file(struct store *s, int sdir, const char *sname, const struct stat *st,
    int dstdir, const char *name, const struct store_object *o, int *linkedp)
{
	struct stat after;
	int e;

	*linkedp = 0;
	if (linkat(sdir, sname, dstdir, name, 0) != 0) {
		e = errno;
		if (e == EEXIST) {
			*linkedp = -1;
			return OFFMIG_OK;
		}
		if (e == EXDEV)
			return fatal(s, ctx_set_error(s->ctx, OFFMIG_EXDEV, e,
			    "%s: cannot be linked into the store '%s'",
			    o->winpath, s->storepath));
		if (e == ENOSPC || e == EIO || e == EDQUOT || e == EROFS ||
		    e == ENOMEM)
			return fatal(s, ctx_set_error(s->ctx, OFFMIG_EIO, e,
			    "%s: link into the store", o->winpath));
		return item_problem(s, o->sid, "%s: link into the store: %s; "
		    "not captured", o->winpath, strerror(e));
	}
	if (fstatat(dstdir, name, &after, AT_SYMLINK_NOFOLLOW) != 0 ||
	    after.st_ino != st->st_ino || after.st_dev != st->st_dev ||
	    after.st_nlink <= st->st_nlink) {
		if (store_fault("unlink") || unlinkat(dstdir, name, 0) != 0)
			return fatal(s, ctx_set_error(s->ctx, OFFMIG_EIO, errno,
			    "%s/files/...: cannot remove the wrong link made "
			    "for '%s'", s->storepath, o->winpath));
		return item_problem(s, o->sid, "%s: replaced while being "
		    "linked, or its link count did not rise; not captured",
		    o->winpath);
	}
	*linkedp = 1;
	return OFFMIG_OK;
}

/*
 * The end of store_add() for a file linked first (sdir/name linked as
 * ddir/name), recorded as the walk saw it (o->st, a regular file of the
 * volume's filesystem, an instant before the link) or, without it, as a
 * stat of the new link finds it.
 */
static int
linked_first(struct store *s, const struct store_object *o, int sdir,
    int ddir, const char *name, const char *store_path)
{
	char attrs[16] = "";
	struct stat st;
	uint64_t before;

	if (o->st != NULL) {
		st = *o->st;
		before = (uint64_t)st.st_nlink;
	} else {
		if (fstatat(ddir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return fatal(s, ctx_set_error(s->ctx, OFFMIG_EIO,
			    errno, "%s/%s: vanished once linked",
			    s->storepath, store_path));
		if (!S_ISREG(st.st_mode) || st.st_dev != s->voldev) {
			if (store_fault("unlink") || unlinkat(ddir, name,
			    0) != 0)
				return fatal(s, ctx_set_error(s->ctx,
				    OFFMIG_EIO, errno, "%s/%s: cannot remove "
				    "the wrong link made for '%s'",
				    s->storepath, store_path, o->winpath));
			return item_problem(s, o->sid, "%s: %s; not captured",
			    o->winpath, S_ISLNK(st.st_mode) ? "a symbolic "
			    "link" : !S_ISREG(st.st_mode) ? "not a regular "
			    "file or folder" : "on another filesystem than "
			    "the volume root");
		}
		before = st.st_nlink > 0 ? (uint64_t)st.st_nlink - 1 : 0;
	}
	s->linked++;
	s->bytes_linked += (uint64_t)st.st_size;
	manifest_note_data(s->w, (uint64_t)st.st_size);
	read_attrs(s, sdir, name, attrs, sizeof(attrs));
	return record(s, 'f', o, o->host_path, store_path, &st, before,
	    attrs);
}

int
store_add(struct store *s, const struct store_object *o)
{
	char attrs[16] = "", drive[3] = { 0, '/', 0 };
	const char *why, *name, *slash, *store_path, *parent;
	struct stat st, dst;
	size_t hlen;
	int sdir, ddir, ret = OFFMIG_OK, exists, linked, link_tried = 0;
	uint64_t nlink;
	char kind;

	if (s->broken)
		return ctx_set_error(s->ctx, OFFMIG_EINVAL, 0, "store: an "
		    "earlier step failed; abort and run create again");
	if (o == NULL || o->winpath == NULL || o->host_path == NULL)
		return ctx_set_error(s->ctx, OFFMIG_EINVAL, 0, "store_add: no "
		    "path");
	if (s->complete) {
		s->skipped++;
		return OFFMIG_OK;
	}
	hlen = strlen(o->host_path);
	if ((why = manifest_check_relpath(o->host_path, hlen)) != NULL)
		return ctx_set_error(s->ctx, OFFMIG_EINVAL, 0, "%s: host path "
		    "'%s': %s", o->winpath, o->host_path, why ? why : "bad");
	if (s->store_rel != NULL) {
		size_t n = strlen(s->store_rel);

		if (strncmp(o->host_path, s->store_rel, n) == 0 &&
		    (o->host_path[n] == '\0' || o->host_path[n] == '/'))
			return ctx_set_error(s->ctx, OFFMIG_EUNSAFE, 0, "%s: "
			    "lies inside the store '%s'; the store cannot "
			    "capture itself", o->winpath, s->storepath);
		if (strncmp(s->store_rel, o->host_path, hlen) == 0 &&
		    s->store_rel[hlen] == '/')
			return ctx_set_error(s->ctx, OFFMIG_EUNSAFE, 0, "%s: "
			    "the store '%s' lies inside this folder being "
			    "captured; put the store elsewhere", o->winpath,
			    s->storepath);
	}
	drive[0] = drive_of(o->winpath);
	/* "files/C/Users/bob/a.txt", and its folder in the mirror "C/Users/bob". */
	slash = strrchr(o->host_path, '/');
	name = slash ? slash + 1 : o->host_path;
	s->sp.len = 0;
	mbuf_add(&s->sp, STORE_FILES_DIR "/", 6);
	mbuf_add(&s->sp, drive, 2);
	mbuf_add(&s->sp, o->host_path, hlen);
	s->par.len = 0;
	mbuf_add(&s->par, drive, slash ? 2 : 1);
	mbuf_add(&s->par, o->host_path, slash ? (size_t)(slash -
	    o->host_path) : 0);
	if (s->sp.oom || s->par.oom)
		return fatal(s, ctx_set_error(s->ctx, OFFMIG_ENOMEM, ENOMEM,
		    "store"));
	store_path = s->sp.p;
	parent = s->par.p;
	if (s->catchup) {
		/* Present in the store: recorded before the interruption. */
		ret = dcache_dir(s, &s->dst, parent, s->par.len, 0, &ddir);
		if (ret == OFFMIG_OK && fstatat(ddir, name, &dst,
		    AT_SYMLINK_NOFOLLOW) == 0) {
			if (S_ISLNK(dst.st_mode))
				return fatal(s, ctx_set_error(s->ctx,
				    OFFMIG_EUNSAFE, 0, "%s/%s: a symbolic link "
				    "in the store; refused", s->storepath,
				    store_path));
			s->skipped++;
			return catchup_check(s, o->winpath);
		}
		if (ret != OFFMIG_OK && ret != OFFMIG_ENOTFOUND)
			return fatal(s, ret);
		ret = OFFMIG_OK;
	}
	/* The source: its folder beneath the volume root, then the name. */
	if (src_dir(s, o->host_path, slash ? (size_t)(slash - o->host_path) :
	    0, &sdir) != 0) {
		int e = errno;

		if (e == ENOMEM)
			return fatal(s, ctx_set_error(s->ctx, OFFMIG_ENOMEM,
			    ENOMEM, "store"));
		ret = item_problem(s, o->sid, "%s: its folder cannot be opened "
		    "(%s); not captured", o->winpath, e == ELOOP ? "a symbolic "
		    "link on the way" : strerror(e));
		goto done;
	}
	/*
	 * A fresh hard-link create whose folder in the mirror is made
	 * already (every file of a folder but the first) links first.  What
	 * is recorded (inode, size, mtime, the link count before) is the
	 * walk's lstat of the source when the caller has it -- on ntfs-3g a
	 * stat after a link is a round trip through FUSE, a quarter of the
	 * time a file takes -- else a stat of the new link, which must show
	 * a regular file (anything else linked, a symbolic link or a special
	 * file, since linkat never follows, is unlinked and reported).  A
	 * source replaced between the walk and the link is caught later:
	 * restore and verify compare the store's file with the recorded
	 * inode, size and mtime, and remove keeps a file it cannot prove
	 * reachable elsewhere.  Any failure of the link takes the way below,
	 * which stats the source first.
	 */
	if (!s->resumed && !s->catchup && !(s->flags & STORE_COPY) &&
	    (o->st == NULL || (S_ISREG(o->st->st_mode) &&
	    o->st->st_dev == s->voldev)) &&
	    dcache_dir(s, &s->dst, parent, s->par.len, 0, &ddir) ==
	    OFFMIG_OK) {
		link_tried = 1;
		if (store_fault("link")) {
			ret = fatal(s, ctx_set_error(s->ctx, OFFMIG_EIO, EIO,
			    "%s: link (injected fault)", o->winpath));
			goto out;
		}
		if (linkat(sdir, name, ddir, name, 0) == 0)
			return linked_first(s, o, sdir, ddir, name,
			    store_path);
	}
	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		ret = item_problem(s, o->sid, "%s: cannot be opened: %s; not "
		    "captured", o->winpath, strerror(errno));
		goto done;
	}
	/* Its place in the mirror, made only now that the source is sound. */
	if ((ret = dcache_dir(s, &s->dst, parent, s->par.len, 1, &ddir)) !=
	    OFFMIG_OK) {
		ret = fatal(s, ret);
		goto out;
	}
	if (S_ISDIR(st.st_mode))
		kind = 'd';
	else if (S_ISREG(st.st_mode))
		kind = 'f';
	else {
		ret = item_problem(s, o->sid, "%s: %s; not captured",
		    o->winpath, S_ISLNK(st.st_mode) ? "a symbolic link" :
		    "not a regular file or folder");
		goto done;
	}
	/*
	 * A fresh hard-link create links first and looks only when the name
	 * is taken (a system call less a file); a resumed one looks first.
	 */
	exists = 0;
	if (s->resumed || kind != 'f' || (s->flags & STORE_COPY)) {
		exists = fstatat(ddir, name, &dst, AT_SYMLINK_NOFOLLOW) == 0;
		if (!exists && errno != ENOENT) {
			ret = fatal(s, ctx_set_error(s->ctx, OFFMIG_EIO, errno,
			    "%s/%s", s->storepath, store_path));
			goto out;
		}
		if (exists && S_ISLNK(dst.st_mode)) {
			ret = fatal(s, ctx_set_error(s->ctx, OFFMIG_EUNSAFE, 0,
			    "%s/%s: a symbolic link in the store; refused",
			    s->storepath, store_path));
			goto out;
		}
	}
	if (st.st_dev != s->voldev && !(s->flags & STORE_COPY)) {
		ret = item_problem(s, o->sid, "%s: on another filesystem than "
		    "the volume root; not captured", o->winpath);
		goto done;
	}
	nlink = (uint64_t)st.st_nlink;
	if (exists && !s->resumed) {
		/* A fresh create met it already: the object was given twice. */
		ctx_log(s->ctx, OFFMIG_LOG_WARN, "%s: given twice; recorded once",
		    o->winpath);
		s->skipped++;
		goto done;
	}
	if (exists) {
		/* Linked (or copied) by an interrupted run, not recorded. */
		int same;

		if (kind == 'd')
			same = S_ISDIR(dst.st_mode);
		else if (s->flags & STORE_COPY)
			same = S_ISREG(dst.st_mode) && dst.st_size ==
			    st.st_size && dst.st_mtim.tv_sec ==
			    st.st_mtim.tv_sec && dst.st_mtim.tv_nsec ==
			    st.st_mtim.tv_nsec;
		else {
			same = dst.st_ino == st.st_ino &&
			    dst.st_dev == st.st_dev;
			if (same && nlink > 1)
				nlink--;
		}
		if (!same) {
			ret = item_problem(s, o->sid, "%s: '%s' is in the store "
			    "already and is another file; not captured",
			    o->winpath, store_path);
			goto done;
		}
		s->adopted++;
	} else if (kind == 'd') {
		if (store_fault("mkdir")) {
			ret = fatal(s, ctx_set_error(s->ctx, OFFMIG_EIO, EIO,
			    "%s/%s: mkdir (injected fault)", s->storepath,
			    store_path));
			goto out;
		}
		if (mkdirat(ddir, name, 0700) != 0 && errno != EEXIST) {
			ret = fatal(s, ctx_set_error(s->ctx, OFFMIG_EIO, errno,
			    "%s/%s: mkdir", s->storepath, store_path));
			goto out;
		}
		s->linked++;
	} else {
		if (!link_tried && store_fault("link")) {
			ret = fatal(s, ctx_set_error(s->ctx, OFFMIG_EIO, EIO,
			    "%s: link (injected fault)", o->winpath));
			goto out;
		}
		if (s->flags & STORE_COPY) {
			int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW |
			    O_CLOEXEC | O_NONBLOCK);
			struct stat ist;

			if (in < 0 || fstat(in, &ist) != 0 ||
			    ist.st_ino != st.st_ino) {
				if (in >= 0)
					close(in);
				ret = item_problem(s, o->sid, "%s: cannot be "
				    "read: %s; not captured", o->winpath,
				    in < 0 ? strerror(errno) : "replaced");
				goto done;
			}
			ret = copy_file(s, in, &ist, ddir, name, o->winpath);
			close(in);
			if (ret != OFFMIG_OK)
				goto out;
			st = ist;
		} else {
			if ((ret = link_file(s, sdir, name, &st, ddir, name,
			    o, &linked)) != OFFMIG_OK || linked == 0)
				goto done;
			if (linked < 0) {
				/* The name is taken: the object was given twice? */
				if (fstatat(ddir, name, &dst,
				    AT_SYMLINK_NOFOLLOW) != 0 ||
				    S_ISLNK(dst.st_mode)) {
					ret = fatal(s, ctx_set_error(s->ctx,
					    OFFMIG_EUNSAFE, 0, "%s/%s: taken by "
					    "a symbolic link or vanished; "
					    "refused", s->storepath,
					    store_path));
					goto out;
				}
				if (dst.st_ino == st.st_ino &&
				    dst.st_dev == st.st_dev) {
					ctx_log(s->ctx, OFFMIG_LOG_WARN, "%s: "
					    "given twice; recorded once",
					    o->winpath);
					s->skipped++;
				} else
					ret = item_problem(s, o->sid, "%s: "
					    "'%s' is in the store already and "
					    "is another file; not captured",
					    o->winpath, store_path);
				goto done;
			}
		}
		s->linked++;
		s->bytes_linked += (uint64_t)st.st_size;
		manifest_note_data(s->w, (uint64_t)st.st_size);
	}
	read_attrs(s, sdir, name, attrs, sizeof(attrs));
	ret = record(s, kind, o, o->host_path, store_path, &st, nlink, attrs);
done:
	if (ret == OFFMIG_OK && s->catchup)
		ret = catchup_check(s, o->winpath);
out:
	return ret;
}

static int
sid_ok(const char *sid)
{
	size_t n = sid ? strlen(sid) : 0;

	return n > 0 && n < 200 && strspn(sid, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

int
store_add_registry(struct store *s, const char *sid, const char *regtext,
    size_t len)
{
	struct store_object o;
	struct stat st;
	char *winpath = NULL, *name = NULL, *store_path = NULL;
	int ret = OFFMIG_OK;

	if (s->broken)
		return ctx_set_error(s->ctx, OFFMIG_EINVAL, 0, "store: an "
		    "earlier step failed; abort and run create again");
	if (!sid_ok(sid))
		return ctx_set_error(s->ctx, OFFMIG_EINVAL, 0, "store: bad SID "
		    "'%s' for a registry export", sid ? sid : "");
	if (s->complete) {
		s->skipped++;
		return OFFMIG_OK;
	}
	if ((winpath = str_printf("HKEY_USERS\\%s", sid)) == NULL ||
	    (name = str_printf("%s.reg", sid)) == NULL ||
	    (store_path = str_printf("%s/%s", STORE_REGISTRY_DIR, name)) ==
	    NULL) {
		ret = fatal(s, ctx_set_error(s->ctx, OFFMIG_ENOMEM, ENOMEM,
		    "store"));
		goto out;
	}
	if (s->regfd < 0 && (s->regfd = open_store_dir(s, s->storefd,
	    STORE_REGISTRY_DIR, STORE_REGISTRY_DIR, 1)) < 0) {
		ret = fatal(s, s->regfd);
		s->regfd = -1;
		goto out;
	}
	if (s->catchup && fstatat(s->regfd, name, &st, AT_SYMLINK_NOFOLLOW) ==
	    0) {
		s->skipped++;
		ret = catchup_check(s, winpath);
		goto out;
	}
	if ((ret = write_atomic(s, s->regfd, name, regtext, len, &st)) !=
	    OFFMIG_OK) {
		ret = fatal(s, ret);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.winpath = winpath;
	o.host_path = "";
	o.sid = sid;
	o.st = &st;
	if ((ret = record(s, 'r', &o, "", store_path, &st, 1, "")) ==
	    OFFMIG_OK && s->catchup)
		ret = catchup_check(s, winpath);
out:
	free(winpath);
	free(name);
	free(store_path);
	return ret;
}

int
store_user(struct store *s, const char *sid, const char *user,
    const char *profile_path, const char *status, const char *problems)
{
	struct ucount *u;
	int ret;

	if (s->broken)
		return ctx_set_error(s->ctx, OFFMIG_EINVAL, 0, "store: an "
		    "earlier step failed; abort and run create again");
	if (!sid_ok(sid))
		return ctx_set_error(s->ctx, OFFMIG_EINVAL, 0, "store: bad SID "
		    "'%s' for a user", sid ? sid : "");
	/* STORE must not lie inside a profile being captured. */
	if (s->store_rel != NULL && profile_path != NULL) {
		const char *p = profile_path;
		size_t i, n;

		if (isalpha((unsigned char)p[0]) && p[1] == ':')
			p += 2;
		while (*p == '\\' || *p == '/')
			p++;
		n = strlen(p);
		for (i = 0; n > 0 && i < n; i++) {
			char a = p[i] == '\\' ? '/' : p[i];

			if (tolower((unsigned char)a) !=
			    tolower((unsigned char)s->store_rel[i]))
				break;
		}
		if (n > 0 && i == n && s->store_rel[n] == '/')
			return ctx_set_error(s->ctx, OFFMIG_EUNSAFE, 0, "%s: the "
			    "store lies inside the profile '%s' being captured; "
			    "put the store outside the profiles", s->storepath,
			    profile_path);
	}
	if (s->complete)
		return OFFMIG_OK;
	if ((u = user_get(s, sid)) == NULL)
		return fatal(s, ctx_set_error(s->ctx, OFFMIG_ENOMEM, ENOMEM,
		    "store: users"));
	if (u->recorded)
		return OFFMIG_OK;
	if ((ret = manifest_write_user(s->w, sid, user, profile_path,
	    u->objects, u->bytes, status, problems)) != OFFMIG_OK)
		return fatal(s, ret);
	u->recorded = 1;
	return OFFMIG_OK;
}

static struct offmig_doc *
summary(struct store *s)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *root = doc_root_mut(doc), *c, *users;
	size_t i;

	c = doc_add_object(doc, root, "store_create");
	doc_add_str(doc, c, "store", s->storepath);
	doc_add_str(doc, c, "volume", s->volroot);
	doc_add_str(doc, c, "id", s->id);
	doc_add_str(doc, c, "mode", s->flags & STORE_COPY ? "copy" :
	    "hardlink");
	doc_add_bool(doc, c, "resumed", s->resumed);
	doc_add_bool(doc, c, "complete_before", s->complete);
	doc_add_int(doc, c, "objects", (int64_t)s->objects);
	doc_add_int(doc, c, "bytes", (int64_t)s->bytes);
	doc_add_int(doc, c, "linked", (int64_t)s->linked);
	doc_add_int(doc, c, "adopted", (int64_t)s->adopted);
	doc_add_int(doc, c, "skipped", (int64_t)s->skipped);
	doc_add_int(doc, c, "failed", (int64_t)s->failed);
	doc_add_int(doc, c, "bytes_linked", (int64_t)s->bytes_linked);
	users = doc_add_array(doc, c, "users");
	for (i = 0; i < s->nusers; i++) {
		struct offmig_node *u = doc_push_object(doc, users);

		doc_add_str(doc, u, "sid", s->users[i].sid);
		doc_add_int(doc, u, "objects", (int64_t)s->users[i].objects);
		doc_add_int(doc, u, "bytes", (int64_t)s->users[i].bytes);
		doc_add_int(doc, u, "failed", (int64_t)s->users[i].failed);
	}
	return doc;
}

int
store_create_end(struct store *s, struct offmig_doc **summaryp)
{
	struct manifest_writer *w;
	char arg[64];
	int ret = OFFMIG_OK;

	if (summaryp != NULL)
		*summaryp = NULL;
	if (s->broken) {
		ret = ctx_set_error(s->ctx, OFFMIG_EINVAL, 0, "store: an "
		    "earlier step failed; not sealed");
		store_abort(s);
		return ret;
	}
	if (!s->complete) {
		if (s->catchup)
			ctx_log(s->ctx, OFFMIG_LOG_WARN, "%s: the last object of "
			    "the interrupted run ('%s') was not given again; "
			    "objects linked after it and not recorded may "
			    "remain in files/", s->storepath, s->target_winpath);
		/* Every link and folder durable before the seal says so. */
		if (store_fault("fsync"))
			ret = ctx_set_error(s->ctx, OFFMIG_EIO, EIO,
			    "%s: syncfs (injected fault)", s->storepath);
		else if (syncfs(s->storefd) != 0)
			ret = ctx_set_error(s->ctx, OFFMIG_EIO, errno,
			    "%s: syncfs", s->storepath);
		if (ret != OFFMIG_OK)
			goto fail;
		w = s->w;
		s->w = NULL;
		if ((ret = manifest_seal(w, s->objects, s->bytes)) !=
		    OFFMIG_OK ||
		    (ret = fsync_dir(s, s->storefd, s->storepath)) != OFFMIG_OK)
			goto fail;
		snprintf(arg, sizeof(arg), "objects=%" PRIu64, s->objects);
		if ((ret = journal(s, "sealed", arg, 1)) != OFFMIG_OK)
			goto fail;
	}
	if (summaryp != NULL) {
		*summaryp = summary(s);
		if (*summaryp == NULL || doc_status(*summaryp) != OFFMIG_OK) {
			offmig_doc_free(*summaryp);
			*summaryp = NULL;
			ret = ctx_set_error(s->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "store summary");
		}
	}
	store_free(s);
	return ret;
fail:
	store_abort(s);
	return ret;
}

void
store_abort(struct store *s)
{
	if (s == NULL)
		return;
	/*
	 * What is buffered are whole records of objects linked already: keep
	 * them (nothing is written if the manifest's own write failed).
	 */
	if (s->w != NULL)
		(void)manifest_writer_close(s->w);
	s->w = NULL;
	store_free(s);
}

/* Reading: list and verify. */

/* Opens path below dirfd following no link (openat2, or one component at a time). */
static int
open_below(int dirfd, const char *path, int flags)
{
	char *copy, *p, *q;
	int fd, next;

	fd = vpath_open_beneath(dirfd, path, flags);
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	if ((copy = strdup(path)) == NULL)
		return -1;
	fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	for (p = copy; fd >= 0 && p != NULL; p = q) {
		q = strchr(p, '/');
		if (q != NULL)
			*q++ = '\0';
		next = openat(fd, p, (q != NULL ? O_PATH | O_DIRECTORY : flags) |
		    O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	free(copy);
	return fd;
}

static int
open_store(struct offmig_ctx *ctx, const char *storepath, int *fdp,
    struct store_header *h)
{
	int fd, ret;

	*fdp = -1;
	fd = open(storepath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", storepath);
	if ((ret = store_header_read(ctx, fd, storepath, h)) != OFFMIG_OK) {
		if (ret == OFFMIG_ENOTFOUND)
			ctx_prefix_error(ctx, "not an offmig store");
		close(fd);
		return ret;
	}
	*fdp = fd;
	return OFFMIG_OK;
}

int
store_list(struct offmig_ctx *ctx, const char *storepath, store_list_fn *fn,
    void *arg, int *sealedp)
{
	struct manifest_reader *r = NULL;
	struct manifest_record rec;
	struct store_header h;
	char *name = NULL;
	int fd, ret;

	if (sealedp != NULL)
		*sealedp = 0;
	if ((ret = open_store(ctx, storepath, &fd, &h)) != OFFMIG_OK)
		return ret;
	if ((name = str_join_path(storepath, STORE_MANIFEST)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "store");
		goto out;
	}
	if ((ret = manifest_open(ctx, fd, name, &r)) != OFFMIG_OK)
		goto out;
	if (strcmp(manifest_id(r), h.id) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s:1: store id is "
		    "not the header's", name);
		goto out;
	}
	while ((ret = manifest_next(r, &rec)) > 0)
		if ((ret = fn(arg, &rec)) != 0)
			goto out;
	if (ret == 0 && sealedp != NULL)
		*sealedp = manifest_sealed(r);
out:
	manifest_close(r);
	free(name);
	store_header_release(&h);
	close(fd);
	return ret;
}

#define VERIFY_MAX_PROBLEMS	1000

struct verify {
	struct offmig_ctx *ctx;
	struct offmig_doc *doc;
	struct offmig_node *problems;
	uint64_t	 nproblems, ok, missing, changed, differs, unsafe;
	uint64_t	 source_missing, hashed;
};

static void
problem(struct verify *v, const struct manifest_record *rec,
    const char *what, const char *detail)
{
	struct offmig_node *p;

	ctx_log(v->ctx, OFFMIG_LOG_ERROR, "%s: %s%s%s", rec->store_path, what,
	    detail ? ": " : "", detail ? detail : "");
	if (v->nproblems++ >= VERIFY_MAX_PROBLEMS)
		return;
	p = doc_push_object(v->doc, v->problems);
	doc_add_int(v->doc, p, "seq", (int64_t)rec->seq);
	doc_add_str(v->doc, p, "store_path", rec->store_path);
	doc_add_str(v->doc, p, "winpath", rec->winpath);
	doc_add_str(v->doc, p, "problem", what);
	if (detail != NULL)
		doc_add_str(v->doc, p, "detail", detail);
	else
		doc_add_null(v->doc, p, "detail");
}

static void
verify_one(struct verify *v, int storefd, int volfd, int copy,
    unsigned flags, const struct manifest_record *rec)
{
	struct stat st, vst;
	char detail[160], h1[SHA256_HEX_LEN + 1], h2[SHA256_HEX_LEN + 1];
	int want_dir = rec->kind == 'd', fd, vfd;
	int64_t mt;

	fd = open_below(storefd, rec->store_path, want_dir ? O_PATH |
	    O_DIRECTORY : O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			v->missing++;
			problem(v, rec, "missing", NULL);
		} else if (errno == ELOOP || errno == EXDEV || errno == ENOTDIR) {
			v->unsafe++;
			problem(v, rec, "unsafe", "a symbolic link or another "
			    "type on the way in the store");
		} else {
			v->missing++;
			problem(v, rec, "unreadable", strerror(errno));
		}
		return;
	}
	if (fstat(fd, &st) != 0) {
		v->missing++;
		problem(v, rec, "unreadable", strerror(errno));
		close(fd);
		return;
	}
	mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	detail[0] = '\0';
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		snprintf(detail, sizeof(detail), "not a %s",
		    want_dir ? "folder" : "regular file");
	else if (rec->kind == 'f' && !copy && (uint64_t)st.st_ino != rec->ino)
		snprintf(detail, sizeof(detail), "another file (inode %ju, "
		    "recorded %" PRIu64 ")", (uintmax_t)st.st_ino, rec->ino);
	else if (rec->kind != 'd' && (uint64_t)st.st_size != rec->size)
		snprintf(detail, sizeof(detail), "size %jd, recorded %" PRIu64,
		    (intmax_t)st.st_size, rec->size);
	else if (rec->kind == 'f' && mt != rec->mtime_ns)
		snprintf(detail, sizeof(detail), "mtime %" PRId64 " ns, "
		    "recorded %" PRId64, mt, rec->mtime_ns);
	if (detail[0] != '\0') {
		v->changed++;
		problem(v, rec, "changed", detail);
		close(fd);
		return;
	}
	if ((flags & STORE_VERIFY_HASH) && rec->kind == 'f' && volfd >= 0) {
		vfd = open_below(volfd, rec->host_path, O_RDONLY | O_NONBLOCK);
		if (vfd < 0 || fstat(vfd, &vst) != 0 || !S_ISREG(vst.st_mode)) {
			v->source_missing++;
		} else if (vst.st_ino == st.st_ino && vst.st_dev == st.st_dev) {
			v->hashed++;	/* one file: the same content */
		} else if (sha256_fd(fd, h1) != 0 || sha256_fd(vfd, h2) != 0) {
			v->changed++;
			problem(v, rec, "unreadable", strerror(errno));
			close(vfd);
			close(fd);
			return;
		} else {
			v->hashed++;
			if (strcmp(h1, h2) != 0) {
				v->differs++;
				snprintf(detail, sizeof(detail), "store %s, "
				    "volume %s", h1, h2);
				problem(v, rec, "content differs from the "
				    "volume's file", detail);
				close(vfd);
				close(fd);
				return;
			}
		}
		if (vfd >= 0)
			close(vfd);
	}
	v->ok++;
	close(fd);
}

int
store_verify(struct offmig_ctx *ctx, const char *storepath, unsigned flags,
    struct offmig_doc **docp)
{
	struct manifest_reader *r = NULL;
	struct manifest_record rec;
	struct offmig_node *root, *o;
	struct verify v;
	struct store_header h;
	char *name = NULL;
	int fd, volfd = -1, ret, copy;
	uint64_t users = 0;

	*docp = NULL;
	memset(&v, 0, sizeof(v));
	v.ctx = ctx;
	if ((ret = open_store(ctx, storepath, &fd, &h)) != OFFMIG_OK)
		return ret;
	copy = strcmp(h.mode, "copy") == 0;
	if ((v.doc = doc_new()) == NULL ||
	    (name = str_join_path(storepath, STORE_MANIFEST)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "store");
		goto out;
	}
	if ((flags & STORE_VERIFY_HASH) && (volfd = open(h.volume, O_PATH |
	    O_DIRECTORY | O_CLOEXEC)) < 0)
		ctx_log(ctx, OFFMIG_LOG_WARN, "%s: the store's volume '%s' "
		    "cannot be opened (%s); contents not compared", storepath,
		    h.volume, strerror(errno));
	if ((ret = manifest_open(ctx, fd, name, &r)) != OFFMIG_OK)
		goto out;
	if (strcmp(manifest_id(r), h.id) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s:1: store id is "
		    "not the header's", name);
		goto out;
	}
	root = doc_root_mut(v.doc);
	o = doc_add_object(v.doc, root, "verify");
	doc_add_str(v.doc, o, "store", storepath);
	doc_add_str(v.doc, o, "id", h.id);
	doc_add_str(v.doc, o, "mode", h.mode);
	doc_add_str(v.doc, o, "volume", h.volume);
	v.problems = doc_add_array(v.doc, o, "problems");
	while ((ret = manifest_next(r, &rec)) > 0) {
		if (rec.kind == 'U')
			users++;
		else
			verify_one(&v, fd, volfd, copy, flags, &rec);
	}
	if (ret < 0)
		goto out;
	ret = OFFMIG_OK;
	doc_add_bool(v.doc, o, "complete", manifest_sealed(r));
	if (!manifest_sealed(r))
		ctx_log(ctx, OFFMIG_LOG_ERROR, "%s: incomplete (not sealed): "
		    "create was interrupted", name);
	doc_add_int(v.doc, o, "objects", (int64_t)manifest_seal_objects(r));
	doc_add_int(v.doc, o, "bytes", (int64_t)manifest_seal_bytes(r));
	doc_add_int(v.doc, o, "users", (int64_t)users);
	doc_add_bool(v.doc, o, "hashed_contents", (flags & STORE_VERIFY_HASH) &&
	    volfd >= 0);
	doc_add_bool(v.doc, o, "ok", manifest_sealed(r) && v.nproblems == 0);
	{
		struct offmig_node *c = doc_add_object(v.doc, o, "counts");

		doc_add_int(v.doc, c, "ok", (int64_t)v.ok);
		doc_add_int(v.doc, c, "missing", (int64_t)v.missing);
		doc_add_int(v.doc, c, "changed", (int64_t)v.changed);
		doc_add_int(v.doc, c, "content_differs", (int64_t)v.differs);
		doc_add_int(v.doc, c, "unsafe", (int64_t)v.unsafe);
		doc_add_int(v.doc, c, "source_missing",
		    (int64_t)v.source_missing);
		doc_add_int(v.doc, c, "hashed", (int64_t)v.hashed);
		doc_add_int(v.doc, c, "problems", (int64_t)v.nproblems);
	}
	if (doc_status(v.doc) != OFFMIG_OK) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "verify report");
		goto out;
	}
	*docp = v.doc;
	v.doc = NULL;
out:
	offmig_doc_free(v.doc);
	manifest_close(r);
	free(name);
	store_header_release(&h);
	if (volfd >= 0)
		close(volfd);
	close(fd);
	return ret;
}

/* Public wrappers (include/offmig.h). */

int
offmig_store_verify(struct offmig_ctx *ctx, const char *store, unsigned flags,
    struct offmig_doc **docp)
{
	if (docp == NULL || store == NULL)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "store verify: bad "
		    "arguments");
	*docp = NULL;
	return store_verify(ctx, store, flags & OFFMIG_STORE_VERIFY_HASH ?
	    STORE_VERIFY_HASH : 0, docp);
}

struct list_arg {
	offmig_store_list_fn	*fn;
	void			*arg;
};

static int
list_cb(void *arg, const struct manifest_record *rec)
{
	struct list_arg *la = arg;
	struct offmig_store_record e;

	memset(&e, 0, sizeof(e));
	e.kind = rec->kind;
	e.seq = rec->seq;
	e.winpath = rec->winpath;
	e.host_path = rec->host_path;
	e.store_path = rec->store_path;
	e.sid = rec->sid;
	e.folder = rec->folder;
	e.component = rec->component;
	e.rule = rec->rule;
	e.size = rec->size;
	e.mtime_ns = rec->mtime_ns;
	e.ino = rec->ino;
	e.nlink = rec->nlink;
	e.mode = rec->mode;
	e.attrs = rec->attrs;
	return la->fn(la->arg, &e);
}

int
offmig_store_list(struct offmig_ctx *ctx, const char *store,
    offmig_store_list_fn *fn, void *arg, int *completep)
{
	struct list_arg la;

	if (store == NULL || fn == NULL)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "store list: bad "
		    "arguments");
	la.fn = fn;
	la.arg = arg;
	return store_list(ctx, store, list_cb, &la, completep);
}

int
offmig_store_create(struct offmig_ctx *ctx, const char *volroot,
    const char *store, unsigned flags, const char *computer,
    const char *windows, offmig_store_next_fn *next, void *arg,
    struct offmig_doc **docp)
{
	struct offmig_store_item item;
	struct store_object o;
	struct store *s = NULL;
	int volfd, ret, n;

	if (docp != NULL)
		*docp = NULL;
	if (volroot == NULL || store == NULL || next == NULL)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "store create: bad "
		    "arguments");
	if ((volfd = open(volroot, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", volroot);
	ret = store_create_begin(ctx, volfd, volroot, store,
	    flags & OFFMIG_STORE_COPY ? STORE_COPY : 0, computer, windows, &s);
	if (ret != OFFMIG_OK)
		goto out;
	for (;;) {
		memset(&item, 0, sizeof(item));
		if ((n = next(arg, &item)) <= 0) {
			ret = n;
			break;
		}
		memset(&o, 0, sizeof(o));
		o.winpath = item.winpath;
		o.host_path = item.host_path;
		o.sid = item.sid;
		o.folder = item.folder;
		o.component = item.component;
		o.rule = item.rule;
		if (item.kind == 'r')
			ret = store_add_registry(s, item.sid, item.data,
			    item.len);
		else if (item.kind == 'U')
			ret = store_user(s, item.sid, item.user,
			    item.profile_path, item.status, item.problems);
		else
			ret = store_add(s, &o);
		if (ret != OFFMIG_OK)
			break;
	}
	if (ret != OFFMIG_OK) {
		store_abort(s);
		goto out;
	}
	ret = store_create_end(s, docp);
out:
	close(volfd);
	return ret;
}
