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
#include <unistd.h>

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
vpath_lookup(struct offmig_ctx *ctx, int dirfd, const char *name,
    char **foundp)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	int fd, ret = OFFMIG_ENOTFOUND;

	*foundp = NULL;
	/* The exact name first: one system call in the common case. */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if ((*foundp = strdup(name)) == NULL)
			return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    name);
		return OFFMIG_OK;
	}
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "cannot read directory to look up '%s'", name);
	if ((dir = fdopendir(fd)) == NULL) {
		int e = errno;

		close(fd);
		return ctx_set_error(ctx, OFFMIG_EIO, e,
		    "cannot read directory to look up '%s'", name);
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (wstrcasecmp(de->d_name, name) == 0) {
			if ((*foundp = strdup(de->d_name)) == NULL)
				ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno,
				    "%s", name);
			else
				ret = OFFMIG_OK;
			break;
		}
	}
	closedir(dir);
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

int
vpath_resolve(struct offmig_ctx *ctx, int dirfd, const char *rel,
    enum vpath_want want, int *fdp, char **hostp, struct stat *stp)
{
	char *host = NULL, *comp = NULL, *found = NULL;
	size_t hlen = 0, hcap = 0;
	const char *p = rel, *q;
	struct stat st;
	int cur = -1, ret, last;

	if (fdp != NULL)
		*fdp = -1;
	if (hostp != NULL)
		*hostp = NULL;
	if (rel == NULL || has_dotdot(rel))
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0,
		    "'%s': a path from the disk may not contain '..'",
		    rel != NULL ? rel : "(null)");
	if ((cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "'%s'", rel);
	if ((host = strdup("")) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "'%s'", rel);
		goto fail;
	}
	if (fstat(cur, &st) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "'%s'", rel);
		goto fail;
	}
	for (;;) {
		while (is_sep(*p) || (p[0] == '.' && (is_sep(p[1]) ||
		    p[1] == '\0')))
			p += p[0] == '.' ? 1 : 1;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && !is_sep(*q); q++)
			;
		free(comp);
		if ((comp = strndup(p, (size_t)(q - p))) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "'%s'",
			    rel);
			goto fail;
		}
		p = q;
		while (is_sep(*p) || (p[0] == '.' && (is_sep(p[1]) ||
		    p[1] == '\0')))
			p++;
		last = *p == '\0';

		free(found);
		found = NULL;
		if ((ret = vpath_lookup(ctx, cur, comp, &found)) != OFFMIG_OK) {
			if (ret == OFFMIG_ENOTFOUND)
				ctx_set_error(ctx, ret, 0,
				    "'%s': no '%s' in '%s'", rel, comp,
				    *host ? host : ".");
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
		    "'%s': '%s' is not a regular file", rel, *host ? host : ".");
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
			flags |= O_RDONLY | (S_ISDIR(st.st_mode) ?
			    O_DIRECTORY : 0);
		if (found == NULL)
			*fdp = cur, cur = -1;
		else if ((*fdp = openat(cur, found, flags)) < 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "'%s'",
			    host);
			goto fail;
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

char *
winpath_expand(const char *s, const struct winenv *env, size_t nenv)
{
	size_t cap = strlen(s) + 1, len = 0;
	char *out = malloc(cap), *tmp;
	const char *p = s;

	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		const char *val = NULL, *end;
		size_t vlen, i;

		if (*p == '%' && (end = strchr(p + 1, '%')) != NULL &&
		    end > p + 1) {
			for (i = 0; i < nenv; i++)
				if (strlen(env[i].name) == (size_t)(end - p - 1) &&
				    strncasecmp(env[i].name, p + 1,
				    (size_t)(end - p - 1)) == 0) {
					val = env[i].value;
					break;
				}
		}
		if (val != NULL) {
			vlen = strlen(val);
			p = end + 1;
		} else {
			val = p;
			vlen = 1;
			p++;
		}
		if (len + vlen + 1 > cap) {
			while (len + vlen + 1 > cap)
				cap *= 2;
			if ((tmp = realloc(out, cap)) == NULL) {
				free(out);
				return NULL;
			}
			out = tmp;
		}
		memcpy(out + len, val, vlen);
		len += vlen;
	}
	out[len] = '\0';
	return out;
}
