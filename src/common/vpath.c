/*
 * vpath.c - resolving Windows paths below the root of a mounted volume, one
 * component at a time, case-insensitively as Windows does, never following
 * a symbolic link and never leaving the directory it starts from.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/openat2.h>
#endif

#include "common/common.h"
#include "common/vpath.h"

static int
is_sep(char c)
{
	return c == '\\' || c == '/';
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return 1;
	return 0;
}

/* Non-zero when some component of s is exactly "..". */
static int
has_dotdot(const char *s)
{
	const char *p = s;

	while (*p != '\0') {
		const char *q = p;

		while (*q != '\0' && !is_sep(*q))
			q++;
		if (q - p == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p = *q != '\0' ? q + 1 : q;
	}
	return 0;
}

static int
letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
upper(char c)
{
	return c >= 'a' && c <= 'z' ? c - 0x20 : c;
}

enum winpath_kind
winpath_classify(const char *p, char sysdrive, const char **restp)
{
	if (restp != NULL)
		*restp = NULL;
	if (p == NULL || *p == '\0' || has_control(p) || has_dotdot(p))
		return WINPATH_INVALID;
	/* "\??\C:\x" (NT object namespace) and "\\?\C:\x" (Win32 long path). */
	if ((strncmp(p, "\\??\\", 4) == 0 || strncmp(p, "\\\\?\\", 4) == 0)) {
		const char *q = p + 4;

		if (strncasecmp(q, "UNC\\", 4) == 0)
			return WINPATH_UNC;
		if (letter(q[0]) && q[1] == ':')
			p = q;
		else
			return WINPATH_DEVICE;
	} else if (strncmp(p, "\\\\.\\", 4) == 0)
		return WINPATH_DEVICE;
	else if (is_sep(p[0]) && is_sep(p[1]))
		return WINPATH_UNC;
	if (letter(p[0]) && p[1] == ':') {
		if (upper(p[0]) != upper(sysdrive))
			return WINPATH_OTHER_DRIVE;
		p += 2;
		while (is_sep(*p))
			p++;
		if (restp != NULL)
			*restp = p;
		return WINPATH_SYSTEM_DRIVE;
	}
	while (is_sep(*p))
		p++;
	if (restp != NULL)
		*restp = p;
	return WINPATH_RELATIVE;
}

int
vdir_open(struct vdir *d, int dirfd)
{
	d->pos = d->len = 0;
	d->fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return d->fd >= 0 ? 0 : -1;
}

const char *
vdir_next(struct vdir *d, unsigned char *typep)
{
	for (;;) {
		const struct dirent64 *de;

		if (d->pos >= d->len) {
			ssize_t n = getdents64(d->fd, d->buf, sizeof(d->buf));

			if (n <= 0) {
				if (n == 0)
					errno = 0;
				return NULL;
			}
			d->len = (size_t)n;
			d->pos = 0;
		}
		de = (const struct dirent64 *)(const void *)(d->buf + d->pos);
		if (de->d_reclen == 0 || d->pos + de->d_reclen > d->len) {
			errno = EIO;
			return NULL;
		}
		d->pos += de->d_reclen;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") ==
		    0)
			continue;
		if (typep != NULL)
			*typep = de->d_type;
		return de->d_name;
	}
}

void
vdir_close(struct vdir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int
vpath_lookup(struct offmig_ctx *ctx, int dirfd, const char *name,
    char **foundp)
{
	struct stat st;
	struct vdir dir;
	const char *n;
	int ret;

	*foundp = NULL;
	/* One name only: a separator would make fstatat() walk a path. */
	if (*name == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0,
		    "'%s' is not a single name", name);
	/* The exact name first: one system call in the common case. */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if ((*foundp = strdup(name)) == NULL)
			return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    name);
		return OFFMIG_OK;
	}
	if (vdir_open(&dir, dirfd) != 0)
		return ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "cannot read directory to look up '%s'", name);
	ret = OFFMIG_ENOTFOUND;
	while ((n = vdir_next(&dir, NULL)) != NULL)
		if (wstrcasecmp(n, name) == 0) {
			if ((*foundp = strdup(n)) == NULL)
				ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno,
				    "%s", name);
			else
				ret = OFFMIG_OK;
			break;
		}
	if (n == NULL && errno != 0)
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "cannot read directory to look up '%s'", name);
	vdir_close(&dir);
	if (ret == OFFMIG_ENOTFOUND)
		ctx_set_error(ctx, ret, 0, "no '%s' in the directory", name);
	return ret;
}

/* Appends "/name" to the host path being built. */
static int
host_append(char **host, size_t *len, size_t *cap, const char *name)
{
	size_t n = strlen(name), need = *len + n + 2;

	if (need > *cap) {
		size_t c = *cap ? *cap : 64;
		char *p;

		while (c < need)
			c *= 2;
		if ((p = realloc(*host, c)) == NULL)
			return -1;
		*host = p;
		*cap = c;
	}
	if (*len > 0)
		(*host)[(*len)++] = '/';
	memcpy(*host + *len, name, n + 1);
	*len += n;
	return 0;
}

/*
 * Normalizes rel into "a/b/c": separators '\' or '/', empty components and
 * "." dropped.  Returns a string the caller frees, or NULL on ENOMEM.
 */
static char *
normalize(const char *rel)
{
	char *path = malloc(strlen(rel) + 1), *o = path;
	const char *p = rel, *q;

	if (path == NULL)
		return NULL;
	while (*p != '\0') {
		while (is_sep(*p))
			p++;
		for (q = p; *q != '\0' && !is_sep(*q); q++)
			;
		if (q > p && !(q - p == 1 && *p == '.')) {
			if (o > path)
				*o++ = '/';
			memcpy(o, p, (size_t)(q - p));
			o += q - p;
		}
		p = q;
	}
	*o = '\0';
	return path;
}

#if defined(__linux__) && defined(SYS_openat2)
static _Atomic int no_openat2;	/* set once, read by every thread */

/*
 * openat2(2) with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS: the kernel
 * resolves the whole path with the guarantees of the walk below (no link
 * followed, nothing outside dirfd) in one call.  -1 with errno as openat2
 * sets it; ENOSYS when the kernel lacks it.  Declared in vpath.h.
 */
int
vpath_open_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how;
	int fd;

	if (no_openat2) {
		errno = ENOSYS;
		return -1;
	}
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
	fd = (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how,
	    sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		no_openat2 = 1;
	return fd;
}
#else
int
vpath_open_beneath(int dirfd, const char *path, int flags)
{
	errno = ENOSYS;
	return -1;
}
#endif

/*
 * Walks the '/'-separated path below cur (which it takes over), one
 * component at a time, matching names as Windows does.  host holds the
 * part already resolved ("" at the start); rel is the original, for
 * messages.
 */
static int
walk(struct offmig_ctx *ctx, int cur, char *host, const char *path,
    const char *rel, enum vpath_want want, int *fdp, char **hostp,
    struct stat *stp)
{
	size_t hlen = strlen(host), hcap = hlen + 1;
	const char *p = path, *q;
	char *comp = NULL, *found = NULL;
	struct stat st;
	int ret, last;

	if (fstat(cur, &st) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "'%s'", rel);
		goto fail;
	}
	while (*p != '\0') {
		for (q = p; *q != '\0' && *q != '/'; q++)
			;
		free(comp);
		if ((comp = strndup(p, (size_t)(q - p))) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "'%s'",
			    rel);
			goto fail;
		}
		p = *q == '/' ? q + 1 : q;
		last = *p == '\0';

		free(found);
		found = NULL;
		if ((ret = vpath_lookup(ctx, cur, comp, &found)) != OFFMIG_OK) {
			if (ret == OFFMIG_ENOTFOUND)
				ctx_set_error(ctx, ret, 0,
				    "'%s': no '%s' in '%s'", rel, comp,
				    *host ? host : ".");
			else
				ctx_prefix_error(ctx, "'%s'", rel);
			goto fail;
		}
		if (host_append(&host, &hlen, &hcap, found) != 0) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "'%s'",
			    rel);
			goto fail;
		}
		if (fstatat(cur, found, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "'%s'",
			    host);
			goto fail;
		}
		if (S_ISLNK(st.st_mode) && (!last || want != VPATH_ANY)) {
			ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0,
			    "'%s': '%s' is a symbolic link, which offmig does "
			    "not follow", rel, host);
			goto fail;
		}
		if (last)
			break;
		if (!S_ISDIR(st.st_mode)) {
			ret = ctx_set_error(ctx, OFFMIG_ENOTFOUND, 0,
			    "'%s': '%s' is not a directory", rel, host);
			goto fail;
		}
		{
			int next = openat(cur, found, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);

			if (next < 0) {
				ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
				    "'%s'", host);
				goto fail;
			}
			close(cur);
			cur = next;
		}
	}

	/* The last component, or the start directory itself for "". */
	if (want == VPATH_FILE && !S_ISREG(st.st_mode)) {
		ret = ctx_set_error(ctx, OFFMIG_ENOTFOUND, 0,
		    "'%s': '%s' is not a regular file", rel,
		    *host ? host : ".");
		goto fail;
	}
	if (want == VPATH_DIR && !S_ISDIR(st.st_mode)) {
		ret = ctx_set_error(ctx, OFFMIG_ENOTFOUND, 0,
		    "'%s': '%s' is not a directory", rel, *host ? host : ".");
		goto fail;
	}
	if (stp != NULL)
		*stp = st;
	if (fdp != NULL) {
		int flags = O_CLOEXEC | O_NOFOLLOW;

		if (S_ISLNK(st.st_mode))
			flags |= O_PATH;
		else
			flags |= O_RDONLY | O_NONBLOCK | O_NOCTTY |
			    (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0);
		if (found == NULL)
			*fdp = cur, cur = -1;
		else if ((*fdp = openat(cur, found, flags)) < 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "'%s'",
			    host);
			goto fail;
		} else {
			struct stat fst;

			/*
			 * The name may have been replaced between fstatat()
			 * and openat(): make sure this is what was checked.
			 */
			if (fstat(*fdp, &fst) != 0 || fst.st_dev != st.st_dev ||
			    fst.st_ino != st.st_ino) {
				close(*fdp);
				*fdp = -1;
				ret = ctx_set_error(ctx, OFFMIG_EIO, 0,
				    "'%s': '%s' changed while it was opened",
				    rel, host);
				goto fail;
			}
		}
	}
	if (hostp != NULL) {
		*hostp = host;
		host = NULL;
	}
	ret = OFFMIG_OK;
fail:
	if (cur >= 0)
		close(cur);
	free(comp);
	free(found);
	free(host);
	return ret;
}

int
vpath_resolve(struct offmig_ctx *ctx, int dirfd, const char *rel,
    enum vpath_want want, int *fdp, char **hostp, struct stat *stp)
{
	char *path = NULL, *host = NULL;
	struct stat st;
	int fd, start, ret;

	if (fdp != NULL)
		*fdp = -1;
	if (hostp != NULL)
		*hostp = NULL;
	if (rel == NULL)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0,
		    "no path to resolve");
	if (has_dotdot(rel))
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0,
		    "'%s': a path from the disk may not contain '..'", rel);
	if ((path = normalize(rel)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "'%s'", rel);
	if (*path == '\0') {
		/*
		 * "", "\" or ".": a path that names the starting directory
		 * itself is never what a path from the disk should mean.
		 */
		free(path);
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0,
		    "'%s': empty path", rel);
	}

	/*
	 * Fast path: the names exist exactly as given.  One openat2() with
	 * the final flags; fstat() only when the type or the caller needs it.
	 */
	{
		int flags = fdp != NULL ? O_RDONLY | O_NONBLOCK | O_NOCTTY :
		    O_PATH;

		if (want == VPATH_DIR)
			flags |= O_DIRECTORY;
		fd = vpath_open_beneath(dirfd, path, flags);
	}
	if (fd >= 0) {
		int need_stat = stp != NULL || want != VPATH_DIR;

		if (need_stat && fstat(fd, &st) != 0) {
			close(fd);
			fd = -1;
			errno = 0;
		} else if (!need_stat || (!S_ISLNK(st.st_mode) &&
		    (want != VPATH_FILE || S_ISREG(st.st_mode)))) {
			if (stp != NULL)
				*stp = st;
			if (fdp != NULL)
				*fdp = fd;
			else
				close(fd);
			if (hostp != NULL)
				*hostp = path;
			else
				free(path);
			return OFFMIG_OK;
		} else {
			close(fd);
			fd = -1;
			errno = 0;
		}
	}

	/*
	 * Slow path.  When the path is simply missing as written, the longest
	 * prefix that exists exactly is found with openat2() and only the
	 * rest is walked name by name; otherwise (a link, a wrong type, no
	 * openat2) the whole path is walked, which also words the error.
	 */
	if (fd < 0 && errno == ENOENT && !no_openat2) {
		size_t end = strlen(path);
		char *prefix;

		if ((prefix = strdup(path)) == NULL) {
			free(path);
			return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "'%s'",
			    rel);
		}
		/*
		 * Ever shorter prefixes of path, each cut at a '/' in the
		 * copy; path itself stays whole for the rest to walk.
		 */
		for (;;) {
			while (end > 0 && path[end - 1] != '/')
				end--;
			if (end == 0)
				break;
			prefix[--end] = '\0';
			start = vpath_open_beneath(dirfd, prefix,
			    O_RDONLY | O_DIRECTORY);
			if (start >= 0) {
				/* walk() takes over start and prefix. */
				ret = walk(ctx, start, prefix, path + end + 1,
				    rel, want, fdp, hostp, stp);
				free(path);
				return ret;
			}
			if (errno != ENOENT && errno != ENOTDIR)
				break;
		}
		free(prefix);
	}
	if ((start = openat(dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0) {
		free(path);
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "'%s'", rel);
	}
	if ((host = strdup("")) == NULL) {
		close(start);
		free(path);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "'%s'", rel);
	}
	ret = walk(ctx, start, host, path, rel, want, fdp, hostp, stp);
	free(path);
	return ret;
}

enum { VLIST_SEEN, VLIST_LISTED, VLIST_BAD };
enum { VL_UNSURE, VL_ABSENT, VL_DIR };

void
vlist_init(struct vlist *l, int dirfd)
{
	memset(l, 0, sizeof(*l));
	l->dirfd = dirfd;
}

void
vlist_release(struct vlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->d[i].host);
		free(l->d[i].names);
		free(l->d[i].types);
	}
	l->n = 0;
}

/* Reads the names of d->host into d; VLIST_LISTED or VLIST_BAD. */
static void
vlist_read(struct vlist *l, struct vlist_dir *d)
{
	struct vdir v;
	const char *name;
	unsigned char type;
	size_t cap = 0, tcap = 0;

	d->state = VLIST_BAD;
	v.pos = v.len = 0;
	if ((v.fd = vpath_open_beneath(l->dirfd, d->host, O_RDONLY |
	    O_DIRECTORY)) < 0)
		return;
	errno = 0;
	while ((name = vdir_next(&v, &type)) != NULL) {
		size_t len = strlen(name) + 1;

		if (d->n == VLIST_MAX_NAMES)
			goto out;
		if (d->len + len > cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			char *p;

			while (ncap < d->len + len)
				ncap *= 2;
			if ((p = realloc(d->names, ncap)) == NULL)
				goto out;
			d->names = p;
			cap = ncap;
		}
		if (d->n == tcap) {
			size_t ncap = tcap ? tcap * 2 : 64;
			unsigned char *t;

			if ((t = realloc(d->types, ncap)) == NULL)
				goto out;
			d->types = t;
			tcap = ncap;
		}
		memcpy(d->names + d->len, name, len);
		d->len += len;
		d->types[d->n++] = type;
	}
	if (errno == 0)
		d->state = VLIST_LISTED;
out:
	vdir_close(&v);
}

/*
 * What the listing of parent says of name: VL_DIR (*foundp the stored
 * name, inside the listing), VL_ABSENT, or VL_UNSURE.  A folder met the
 * first time is listed only when now is set.
 */
static int
vlist_find(struct vlist *l, const char *parent, const char *name, int now,
    const char **foundp)
{
	struct vlist_dir *d = NULL;
	const char *p, *hit = NULL;
	size_t i, k;
	int pass;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->d[i].host, parent) == 0) {
			d = &l->d[i];
			break;
		}
	if (d == NULL) {
		if (l->n == VLIST_DIRS)
			return VL_UNSURE;
		d = &l->d[l->n];
		memset(d, 0, sizeof(*d));
		if ((d->host = strdup(parent)) == NULL)
			return VL_UNSURE;
		l->n++;
		d->state = VLIST_SEEN;
		if (!now)
			return VL_UNSURE;
	}
	if (d->state == VLIST_SEEN)
		vlist_read(l, d);
	if (d->state != VLIST_LISTED)
		return VL_UNSURE;
	/* The exact name first, then the first Windows takes for it. */
	for (pass = 0; pass < 2 && hit == NULL; pass++)
		for (p = d->names, k = 0; k < d->n; p += strlen(p) + 1, k++)
			if (pass == 0 ? strcmp(p, name) == 0 :
			    wstrcasecmp(p, name) == 0) {
				hit = p;
				break;
			}
	if (hit == NULL)
		return VL_ABSENT;
	if (d->types[k] != DT_DIR)
		return VL_UNSURE;
	*foundp = hit;
	return VL_DIR;
}

void
vlist_prefetch(struct vlist *l, const char *dir)
{
	struct vlist_dir *d;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->d[i].host, dir) == 0)
			return;
	if (l->n == VLIST_DIRS || has_dotdot(dir))
		return;
	d = &l->d[l->n];
	memset(d, 0, sizeof(*d));
	if ((d->host = strdup(dir)) == NULL)
		return;
	l->n++;
	vlist_read(l, d);
}

int
vlist_absent(struct vlist *l, const char *parent, const char *name)
{
	const char *found;

	if (parent == NULL || has_dotdot(parent) || strchr(name, '/') != NULL)
		return 0;
	return vlist_find(l, parent, name, 1, &found) == VL_ABSENT;
}

int
vpath_resolve_dir_listed(struct offmig_ctx *ctx, struct vlist *l,
    const char *rel, char **hostp)
{
	const char *leaf, *found;
	char *path, *slash, *host;
	int ret;

	*hostp = NULL;
	if (rel == NULL || has_dotdot(rel) || (path = normalize(rel)) == NULL)
		return vpath_resolve(ctx, l->dirfd, rel, VPATH_DIR, NULL,
		    hostp, NULL);
	if (*path == '\0') {
		free(path);
		return vpath_resolve(ctx, l->dirfd, rel, VPATH_DIR, NULL,
		    hostp, NULL);
	}
	if ((slash = strrchr(path, '/')) != NULL) {
		*slash = '\0';
		leaf = slash + 1;
	} else
		leaf = path;
	switch (vlist_find(l, slash != NULL ? path : "", leaf, 0, &found)) {
	case VL_DIR:
		host = slash != NULL ? str_printf("%s/%s", path, found) :
		    strdup(found);
		free(path);
		if (host == NULL)
			return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "'%s'",
			    rel);
		*hostp = host;
		return OFFMIG_OK;
	case VL_ABSENT:
		/* As the walk below a folder that exists says it. */
		ret = ctx_set_error(ctx, OFFMIG_ENOTFOUND, 0, "'%s': no '%s' "
		    "in '%s'", rel, leaf, slash != NULL ? path : ".");
		free(path);
		return ret;
	default:
		free(path);
		return vpath_resolve(ctx, l->dirfd, rel, VPATH_DIR, NULL,
		    hostp, NULL);
	}
}

/*
 * Windows paths are at most 32767 UTF-16 units long.  A value that would
 * make the result longer is not substituted (the reference stays as it is,
 * like an unknown one), so hostile values repeated many times cannot make
 * the result grow without bound.
 */
#define WINPATH_EXPAND_MAX	(32767 * 3)

char *
winpath_expand(const char *s, const struct winenv *env, size_t nenv)
{
	size_t slen = strlen(s), cap = slen + 1, len = 0, *vlens = NULL, i;
	char *out = malloc(cap), *tmp;
	const char *p = s;

	if (out == NULL || (nenv > 0 &&
	    (vlens = calloc(nenv, sizeof(*vlens))) == NULL))
		goto fail;
	for (i = 0; i < nenv; i++)
		vlens[i] = env[i].value != NULL ? strlen(env[i].value) : 0;
	while (*p != '\0') {
		const char *val = NULL, *end = NULL;
		size_t vlen = 0, nlen;

		if (*p == '%' && (end = strchr(p + 1, '%')) != NULL &&
		    end > p + 1) {
			nlen = (size_t)(end - p - 1);
			for (i = 0; i < nenv; i++) {
				const char *name = env[i].name;

				if (name != NULL && env[i].value != NULL &&
				    strlen(name) == nlen &&
				    strncasecmp(name, p + 1, nlen) == 0) {
					val = env[i].value;
					vlen = vlens[i];
					break;
				}
			}
		}
		/* What is left of s after the reference is copied at least. */
		if (val != NULL && len + vlen + (slen -
		    (size_t)(end + 1 - s)) <= WINPATH_EXPAND_MAX)
			p = end + 1;
		else {
			/*
			 * Literal text, or an unknown or oversized reference:
			 * copied up to the next '%' (a lone '%' as well).
			 */
			val = p;
			vlen = 1;
			while (val[vlen] != '\0' && val[vlen] != '%')
				vlen++;
			p += vlen;
		}
		if (len + vlen + 1 > cap) {
			while (len + vlen + 1 > cap)
				cap *= 2;
			if ((tmp = realloc(out, cap)) == NULL)
				goto fail;
			out = tmp;
		}
		memcpy(out + len, val, vlen);
		len += vlen;
	}
	out[len] = '\0';
	free(vlens);
	return out;

fail:
	free(vlens);
	free(out);
	return NULL;
}
