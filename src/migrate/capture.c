/*
 * capture.c - offmig store create: runs a plan (plan.c) over the volume and
 * pushes what it selects into a migration store (store.c).
 *
 * The rules the store is made with are kept in STORE/rules/: the -i files
 * (and --config) copied there, or, without any, the XML offmig xml tailors
 * to the volume, generated in a temporary folder outside the volume and
 * copied.  STORE/rules/index names them; a rerun of an interrupted create
 * uses what the index names, so it evaluates the same rules and the plan
 * gives the objects in the same order (store.c's resumption relies on it).
 *
 * Files go to store_add() as the plan finds them.  Each user's registry
 * values and keys are written as .reg text (HKEY_CURRENT_USER paths, UTF-8,
 * LF) to a temporary file as they come (memory does not grow with their
 * number), which is then handed to store_add_registry() mapped, not read
 * into memory.  The machine's registry (HKLM) and INI keys are not put in
 * the store: the report counts them and says so.  A U record per selected
 * user says "ok", "partial" or "failed" and why; every user that is not
 * "ok" is logged as an error (the CLI exits 1).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "common/common.h"
#include "common/doc.h"
#include "hive/hive.h"
#include "hive/regexport.h"
#include "profiles/profiles.h"
#include "migrate/store.h"

#define RULES_DIR	"rules"
#define RULES_INDEX	"index"
#define RULES_MAX	(32u << 20)	/* bytes of one rule file */
#define MAX_RULE_FILES	256
#define MAX_PROBLEMS	32		/* listed per user (all counted) */

struct rfile {
	char	*name;		/* name in STORE/rules/ */
	char	*data;
	size_t	 len;
	int	 is_config;
};

struct cuser {
	char		*sid;
	char		*user;
	char		*profile_path;
	const struct profile *p;	/* the entry evaluated, or NULL */
	char		**probs;	/* what is wrong, in order */
	size_t		 nprobs;
	int		 failed;	/* nothing could be captured */
	uint64_t	 unreadable;	/* objects store_add could not take */
	uint64_t	 reg_values, reg_keys, reg_problems;
};

struct cap {
	struct offmig_ctx *ctx;
	struct offmig_volume *vol;
	struct store	*s;
	const char	*storepath;
	struct cuser	*users;
	size_t		 nusers;
	/* The registry export being written. */
	struct cuser	*ru;		/* its user, NULL when none */
	FILE		*regfp;
	char		*cur_key;	/* HKCU\... of the last section */
	char		*val_key;	/* key whose values are cached */
	struct hive_rawval *vals;
	size_t		 nvals, cursor;
	/* What is not put in the store. */
	uint64_t	 hklm_values, hklm_keys, ini_keys, system_unreadable;
	char		*last_ini;
	uint64_t	 reg_values, reg_keys;
	char		*store_rel;	/* STORE below the volume root */
	uint64_t	 own_skipped;	/* the store's own files met */
	/* Progress. */
	offmig_progress_fn *pfn;
	void		*parg;
	struct offmig_progress prog;
	int		 ret;
};

static void
rfiles_free(struct rfile *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].data);
	}
	free(r);
}

/* Reads a whole file (at most RULES_MAX bytes) below dirfd or by path. */
static int
read_file(struct offmig_ctx *ctx, int dirfd, const char *path,
    const char *shown, char **datap, size_t *lenp)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret = OFFMIG_OK;

	*datap = NULL;
	*lenp = 0;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    (dirfd == AT_FDCWD ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", shown);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: not a regular "
		    "file", shown);
		goto out;
	}
	if ((uint64_t)st.st_size > RULES_MAX) {
		ret = ctx_set_error(ctx, OFFMIG_EINVAL, 0, "%s: larger than %u "
		    "MiB", shown, RULES_MAX >> 20);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "%s", shown);
		goto out;
	}
	if ((n = io_read_full(fd, buf, (size_t)st.st_size)) < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", shown);
		goto out;
	}
	len = (size_t)n;
	buf[len] = '\0';
	*datap = buf;
	*lenp = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

/* A name for STORE/rules/: the base name, reduced to safe bytes. */
static char *
rule_name(const char *path, const struct rfile *have, size_t n)
{
	const char *b = strrchr(path, '/');
	char *name, *p;
	size_t i;
	int dup;

	b = b != NULL ? b + 1 : path;
	if (*b == '\0' || strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
		b = "rules.xml";
	if ((name = str_printf("%.120s", b)) == NULL)
		return NULL;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '_'))
			*p = '_';
	if (name[0] == '.')
		name[0] = '_';
	if (strcmp(name, RULES_INDEX) == 0)
		name[0] = 'I';
	do {
		dup = 0;
		for (i = 0; i < n && !dup; i++)
			dup = strcmp(have[i].name, name) == 0;
		if (dup) {
			char *nn = str_printf("%zu-%s", n + 1, name);

			free(name);
			if ((name = nn) == NULL)
				return NULL;
		}
	} while (dup);
	return name;
}

static int
rfile_push(struct offmig_ctx *ctx, struct rfile **rp, size_t *np,
    char *name, char *data, size_t len, int is_config)
{
	struct rfile *r;

	if (*np >= MAX_RULE_FILES || (r = realloc(*rp, (*np + 1) *
	    sizeof(*r))) == NULL) {
		free(name);
		free(data);
		return ctx_set_error(ctx, *np >= MAX_RULE_FILES ? OFFMIG_EINVAL :
		    OFFMIG_ENOMEM, 0, "rules: too many files or out of memory");
	}
	*rp = r;
	r[*np].name = name;
	r[*np].data = data;
	r[*np].len = len;
	r[*np].is_config = is_config;
	(*np)++;
	return OFFMIG_OK;
}

/*
 * The rules an interrupted create recorded (STORE/rules/index);
 * OFFMIG_ENOTFOUND when none.
 */
static int
rules_from_store(struct offmig_ctx *ctx, const char *storepath,
    struct rfile **rp, size_t *np)
{
	char *dir = NULL, *index = NULL, *line, *next, *tab;
	size_t len;
	int dfd = -1, ret;

	if ((dir = str_printf("%s/%s", storepath, RULES_DIR)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "rules");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		ret = errno == ENOENT ? OFFMIG_ENOTFOUND : ctx_set_error(ctx,
		    errno == ELOOP ? OFFMIG_EUNSAFE : OFFMIG_EIO, errno, "%s",
		    dir);
		goto out;
	}
	ret = read_file(ctx, dfd, RULES_INDEX, RULES_DIR "/" RULES_INDEX,
	    &index, &len);
	if (ret != OFFMIG_OK)
		goto out;
	for (line = index; *line != '\0'; line = next) {
		char *data, *name;
		size_t dlen;
		int cfg;

		if ((next = strchr(line, '\n')) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: "
			    "truncated", dir, RULES_INDEX);
			goto out;
		}
		*next++ = '\0';
		if ((tab = strchr(line, '\t')) == NULL ||
		    (strncmp(line, "input\t", 6) != 0 &&
		    strncmp(line, "config\t", 7) != 0) || tab[1] == '\0' ||
		    strchr(tab + 1, '/') != NULL || tab[1] == '.') {
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: bad "
			    "line '%.80s'", dir, RULES_INDEX, line);
			goto out;
		}
		cfg = strncmp(line, "config\t", 7) == 0;
		if ((name = strdup(tab + 1)) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "rules");
			goto out;
		}
		if ((ret = read_file(ctx, dfd, name, name, &data, &dlen)) !=
		    OFFMIG_OK) {
			ctx_prefix_error(ctx, "%s", dir);
			free(name);
			goto out;
		}
		if ((ret = rfile_push(ctx, rp, np, name, data, dlen, cfg)) !=
		    OFFMIG_OK)
			goto out;
	}
	if (*np == 0)
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: empty", dir,
		    RULES_INDEX);
out:
	if (dfd >= 0)
		close(dfd);
	free(index);
	free(dir);
	return ret;
}

/* Removes the temporary folder of the generated XML (flat). */
static void
rm_flat(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				(void)unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	(void)rmdir(dir);
}

/* The XML offmig xml tailors to the volume, generated outside it. */
static int
rules_generate(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct offmig_filter *filter, struct rfile **rp, size_t *np)
{
	static const char *const names[] = {
		"offmig-user.xml", "offmig-apps.xml", "config.xml"
	};
	struct offmig_doc *xdoc = NULL;
	const char *tmpdir = getenv("TMPDIR");
	char *dir;
	size_t i;
	int ret;

	if (tmpdir == NULL || *tmpdir != '/')
		tmpdir = "/tmp";
	if ((dir = str_printf("%s/offmig-xml.XXXXXX", tmpdir)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "rules");
	if (mkdtemp(dir) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: a temporary "
		    "folder for the tailored XML", dir);
		free(dir);
		return ret;
	}
	ret = offmig_xml_generate(ctx, vol, filter, dir, OFFMIG_XML_FORCE,
	    &xdoc);
	offmig_doc_free(xdoc);
	if (ret != OFFMIG_OK) {
		ctx_prefix_error(ctx, "the tailored XML");
		goto out;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = str_printf("%s/%s", dir, names[i]), *data, *name;
		size_t len;

		if (path == NULL || (name = strdup(names[i])) == NULL) {
			free(path);
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "rules");
			goto out;
		}
		ret = read_file(ctx, AT_FDCWD, path, path, &data, &len);
		free(path);
		if (ret != OFFMIG_OK) {
			free(name);
			goto out;
		}
		if ((ret = rfile_push(ctx, rp, np, name, data, len,
		    strcmp(names[i], "config.xml") == 0)) != OFFMIG_OK)
			goto out;
	}
out:
	rm_flat(dir);
	free(dir);
	return ret;
}

/* The -i files and the config, read now (the store records these bytes). */
static int
rules_given(struct offmig_ctx *ctx, const char *const *inputs,
    const char *config, struct rfile **rp, size_t *np)
{
	size_t i, len;
	char *data, *name;
	int ret;

	for (i = 0; inputs[i] != NULL; i++) {
		if ((ret = read_file(ctx, AT_FDCWD, inputs[i], inputs[i], &data,
		    &len)) != OFFMIG_OK)
			return ret;
		if ((name = rule_name(inputs[i], *rp, *np)) == NULL) {
			free(data);
			return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "rules");
		}
		if ((ret = rfile_push(ctx, rp, np, name, data, len, 0)) !=
		    OFFMIG_OK)
			return ret;
	}
	if (config != NULL) {
		if ((ret = read_file(ctx, AT_FDCWD, config, config, &data,
		    &len)) != OFFMIG_OK)
			return ret;
		if ((name = rule_name(config, *rp, *np)) == NULL) {
			free(data);
			return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "rules");
		}
		if ((ret = rfile_push(ctx, rp, np, name, data, len, 1)) !=
		    OFFMIG_OK)
			return ret;
	}
	return OFFMIG_OK;
}

/* Writes dirfd/name atomically (name.tmp, fsync, rename). */
static int
put_file(struct offmig_ctx *ctx, int dirfd, const char *shown,
    const char *name, const char *data, size_t len)
{
	char *tmp = str_printf("%s.tmp", name);
	int fd, ret = OFFMIG_OK;

	if (tmp == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "rules");
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s", shown, tmp);
		goto out;
	}
	if (io_write_all(fd, data, len) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s: write",
		    shown, tmp);
		goto out;
	}
	if (store_fault("fsync") || fsync(fd) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s: fsync",
		    shown, tmp);
		goto out;
	}
	if (store_fault("rename") || renameat(dirfd, tmp, dirfd, name) != 0)
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s: rename",
		    shown, name);
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	return ret;
}

/* STORE/rules/: each file, then the index that makes them the store's. */
static int
rules_record(struct offmig_ctx *ctx, const char *storepath,
    const struct rfile *r, size_t n)
{
	char *dir = str_printf("%s/%s", storepath, RULES_DIR), *index = NULL;
	size_t i, len = 0;
	int dfd = -1, ret = OFFMIG_OK;

	if (dir == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "rules");
	if (store_fault("mkdir") || (mkdir(dir, 0700) != 0 && errno !=
	    EEXIST)) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: mkdir", dir);
		goto out;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		ret = ctx_set_error(ctx, errno == ELOOP || errno == ENOTDIR ?
		    OFFMIG_EUNSAFE : OFFMIG_EIO, errno, "%s", dir);
		goto out;
	}
	for (i = 0; i < n; i++) {
		char *line;

		if ((ret = put_file(ctx, dfd, dir, r[i].name, r[i].data,
		    r[i].len)) != OFFMIG_OK)
			goto out;
		line = str_printf("%s%s\t%s\n", index ? index : "",
		    r[i].is_config ? "config" : "input", r[i].name);
		if (line == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "rules");
			goto out;
		}
		free(index);
		index = line;
	}
	len = index != NULL ? strlen(index) : 0;
	if ((ret = put_file(ctx, dfd, dir, RULES_INDEX, index ? index : "",
	    len)) != OFFMIG_OK)
		goto out;
	if (store_fault("fsync") || fsync(dfd) != 0)
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: fsync", dir);
out:
	if (dfd >= 0)
		close(dfd);
	free(index);
	free(dir);
	return ret;
}

/* Users. */

static void
add_problem(struct cuser *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_problem(struct cuser *u, const char *fmt, ...)
{
	char msg[512], **v, *m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (u->nprobs >= MAX_PROBLEMS || (m = strdup(msg)) == NULL)
		return;
	if ((v = realloc(u->probs, (u->nprobs + 1) * sizeof(*v))) == NULL) {
		free(m);
		return;
	}
	u->probs = v;
	v[u->nprobs++] = m;
}

/* The problems joined with "; " (caller frees); NULL on ENOMEM. */
static char *
problems_text(const struct cuser *u)
{
	size_t i, len = 1;
	char *s;

	for (i = 0; i < u->nprobs; i++)
		len += strlen(u->probs[i]) + 2;
	if ((s = malloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < u->nprobs; i++) {
		if (i > 0)
			strcat(s, "; ");
		strcat(s, u->probs[i]);
	}
	return s;
}

static struct cuser *
user_by_sid(struct cap *c, const char *sid)
{
	size_t i;

	for (i = 0; sid != NULL && i < c->nusers; i++)
		if (strcmp(c->users[i].sid, sid) == 0)
			return &c->users[i];
	return NULL;
}

/*
 * The selected users, one per SID (a live entry and its .bak twin give
 * one), with what is wrong with each profile already known.
 */
static int
users_select(struct cap *c, const struct offmig_filter *filter)
{
	const struct profile_list *pl;
	size_t i;
	int ret;

	if ((ret = volume_profiles(c->vol, &pl)) != OFFMIG_OK)
		return ret;
	if ((c->users = calloc(pl->n + 1, sizeof(*c->users))) == NULL)
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, ENOMEM, "capture");
	for (i = 0; i < pl->n; i++) {
		const struct profile *p = &pl->v[i];
		struct cuser *u;
		struct hive *h;

		if (p->status == PROFILE_SYSTEM)
			continue;
		if (p->status == PROFILE_ORPHAN_FOLDER) {
			if (filter_match(filter, p))
				ctx_log(c->ctx, OFFMIG_LOG_WARN, "%s: a profile "
				    "folder without a ProfileList entry (no SID): "
				    "captured only as far as the rules' file "
				    "patterns reach it", p->host_path ?
				    p->host_path : p->key);
			continue;
		}
		if (p->sid == NULL || !filter_match(filter, p))
			continue;
		if ((u = user_by_sid(c, p->sid)) == NULL) {
			u = &c->users[c->nusers++];
			if ((u->sid = strdup(p->sid)) == NULL)
				return ctx_set_error(c->ctx, OFFMIG_ENOMEM,
				    ENOMEM, "capture");
		}
		if (p->status == PROFILE_TEMPORARY) {
			add_problem(u, "temporary profile (%s): not captured",
			    p->path ? p->path : "no path");
			if (u->p == NULL)
				u->failed = 1;
			continue;
		}
		if (u->p != NULL && !p->is_bak)
			continue;
		u->p = p;
		u->failed = 0;
		free(u->user);
		free(u->profile_path);
		u->user = p->user != NULL ? strdup(p->user) : NULL;
		/* Expanded (%SystemDrive%\...): restore maps from it. */
		u->profile_path = p->path != NULL ? volume_expand(c->vol,
		    p->path) : NULL;
		if (p->is_bak)
			add_problem(u, "captured from the backup entry %s (the "
			    "live entry is damaged or temporary)", p->key);
		if (p->user == NULL || (p->user_source != NULL &&
		    strcmp(p->user_source, "none") == 0))
			add_problem(u, "SID not resolved to a user name");
		if (p->host_path == NULL)
			add_problem(u, "profile folder %s missing: no files "
			    "captured", p->path ? p->path : "(none)");
		if (!p->hive_present || volume_user_hive(c->vol, p, &h) !=
		    OFFMIG_OK)
			add_problem(u, "no readable NTUSER.DAT: registry not "
			    "captured");
		if (p->host_path == NULL && !p->hive_present)
			u->failed = 1;
	}
	return OFFMIG_OK;
}

/*
 * Refuses a store inside a profile folder being captured before anything
 * is written (store.c would refuse it too, but only once it meets the
 * store's own files among the objects).
 */
static int
store_outside_profiles(struct cap *c)
{
	char *vr = realpath(c->vol->root, NULL), *sr = NULL, *dir, *slash;
	const char *rel;
	size_t i, n;
	int ret = OFFMIG_OK;

	if ((dir = strdup(c->storepath)) == NULL) {
		free(vr);
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, ENOMEM, "capture");
	}
	/* STORE, or the folder it will be made in and its name. */
	if ((sr = realpath(dir, NULL)) == NULL) {
		while ((n = strlen(dir)) > 1 && dir[n - 1] == '/')
			dir[n - 1] = '\0';
		slash = strrchr(dir, '/');
		if (slash != NULL) {
			char *base = slash + 1, *pr;

			*slash = '\0';
			pr = realpath(slash == dir ? "/" : dir, NULL);
			if (pr != NULL)
				sr = str_printf("%s/%s", strcmp(pr, "/") == 0 ?
				    "" : pr, base);
			free(pr);
		} else {
			char *pr = realpath(".", NULL);

			if (pr != NULL)
				sr = str_printf("%s/%s", pr, dir);
			free(pr);
		}
	}
	if (vr == NULL || sr == NULL)
		goto out;	/* store_create_begin() says what is wrong */
	n = strcmp(vr, "/") == 0 ? 0 : strlen(vr);
	if (strncmp(sr, vr, n) != 0 || sr[n] != '/')
		goto out;
	rel = sr + n + 1;
	if ((c->store_rel = strdup(rel)) == NULL) {
		ret = ctx_set_error(c->ctx, OFFMIG_ENOMEM, ENOMEM, "capture");
		goto out;
	}
	for (i = 0; i < c->nusers; i++) {
		const struct profile *p = c->users[i].p;
		size_t l;

		if (p == NULL || p->host_path == NULL || *p->host_path == '\0')
			continue;
		l = strlen(p->host_path);
		if (strncasecmp(rel, p->host_path, l) == 0 && (rel[l] == '/' ||
		    rel[l] == '\0')) {
			ret = ctx_set_error(c->ctx, OFFMIG_EUNSAFE, 0, "%s: the "
			    "store lies inside the profile folder '%s' being "
			    "captured; put the store outside the profiles",
			    c->storepath, p->path ? p->path : p->host_path);
			goto out;
		}
	}
out:
	free(vr);
	free(sr);
	free(dir);
	return ret;
}

/* Progress. */

static void
progress(struct cap *c, const char *what)
{
	c->prog.what = what;
	if (c->pfn != NULL)
		c->pfn(c->parg, &c->prog);
}

/* Registry. */

static int
reg_finish(struct cap *c)
{
	struct stat st;
	void *map;
	int ret = OFFMIG_OK, fd;

	if (c->regfp == NULL)
		return OFFMIG_OK;
	fputc('\n', c->regfp);		/* a blank line ends the last section */
	if (fflush(c->regfp) != 0 || ferror(c->regfp) ||
	    fstat(fd = fileno(c->regfp), &st) != 0) {
		ret = ctx_set_error(c->ctx, OFFMIG_EIO, errno, "%s: the "
		    "registry export of %s (temporary file)", c->storepath,
		    c->ru->sid);
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		ret = ctx_set_error(c->ctx, OFFMIG_EIO, errno, "%s: mapping the "
		    "registry export of %s", c->storepath, c->ru->sid);
		goto out;
	}
	ret = store_add_registry(c->s, c->ru->sid, map, (size_t)st.st_size);
	munmap(map, (size_t)st.st_size);
	if (ret == OFFMIG_OK) {
		c->prog.objects++;
		progress(c, "registry");
	}
out:
	fclose(c->regfp);
	c->regfp = NULL;
	c->ru = NULL;
	free(c->cur_key);
	c->cur_key = NULL;
	return ret;
}

static int
reg_start(struct cap *c, struct cuser *u)
{
	int fd;

	fd = open(c->storepath, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 && (c->regfp = fdopen(fd, "w+")) == NULL)
		close(fd);
	if (c->regfp == NULL && (c->regfp = tmpfile()) == NULL)
		return ctx_set_error(c->ctx, OFFMIG_EIO, errno, "a temporary "
		    "file for the registry export of %s", u->sid);
	c->ru = u;
	fputs("Windows Registry Editor Version 5.00\n", c->regfp);
	return OFFMIG_OK;
}

static void
vals_drop(struct cap *c)
{
	hive_rawvals_free(c->vals, c->nvals);
	c->vals = NULL;
	c->nvals = 0;
	c->cursor = 0;
	free(c->val_key);
	c->val_key = NULL;
}

/* The key below HKCU ("" for HKCU itself), or NULL when not an HKCU path. */
static const char *
hkcu_sub(const char *path)
{
	if (strncasecmp(path, "HKCU", 4) != 0)
		return NULL;
	if (path[4] == '\0')
		return "";
	return path[4] == '\\' ? path + 5 : NULL;
}

/* Loads the values of key (an HKCU path of len bytes) into the cache. */
static int
vals_load(struct cap *c, struct hive *h, const char *key, size_t len,
    hnode *nodep)
{
	char *k = strndup(key, len);
	const char *sub;
	size_t nbad = 0;
	int ret;

	if (k == NULL)
		return OFFMIG_ENOMEM;
	if ((sub = hkcu_sub(k)) == NULL || hive_lookup(c->ctx, h, 0, sub,
	    nodep) != OFFMIG_OK) {
		free(k);
		return OFFMIG_ENOTFOUND;
	}
	vals_drop(c);
	c->val_key = k;
	ret = hive_key_values(c->ctx, h, *nodep, &c->vals, &c->nvals, &nbad);
	if (ret != OFFMIG_OK) {
		c->vals = NULL;
		c->nvals = 0;
		return ret == OFFMIG_ENOMEM ? ret : OFFMIG_ENOTFOUND;
	}
	return OFFMIG_OK;
}

/* The cached value named name[0..len), searched from the cursor on. */
static const struct hive_rawval *
vals_find(struct cap *c, const char *name, size_t len)
{
	size_t i, j;

	for (i = 0; i < c->nvals; i++) {
		j = (c->cursor + i) % c->nvals;
		if (strlen(c->vals[j].name) == len &&
		    memcmp(c->vals[j].name, name, len) == 0) {
			c->cursor = j + 1;
			return &c->vals[j];
		}
	}
	return NULL;
}

/* Writes the section header of key (an HKCU path) unless it is the current one. */
static void
reg_section(struct cap *c, const char *key, size_t len)
{
	const char *sub;

	if (c->cur_key != NULL && strlen(c->cur_key) == len &&
	    memcmp(c->cur_key, key, len) == 0)
		return;
	free(c->cur_key);
	c->cur_key = strndup(key, len);
	sub = key + 4;
	fprintf(c->regfp, "\n[HKEY_CURRENT_USER%.*s]\n", (int)(len - 4), sub);
}

static void
reg_name(FILE *fp, const char *name)
{
	if (*name == '\0') {
		fputc('@', fp);
		return;
	}
	fputc('"', fp);
	for (; *name != '\0'; name++) {
		if (*name == '\\' || *name == '"')
			fputc('\\', fp);
		fputc(*name, fp);
	}
	fputc('"', fp);
}

static int
reg_item(struct cap *c, const struct offmig_plan_item *it)
{
	struct cuser *u = user_by_sid(c, it->sid);
	const struct hive_rawval *v = NULL;
	const char *path = it->path, *p;
	size_t plen = strlen(path);
	struct hive *h = NULL;
	hnode node;
	int ret;

	if (u == NULL || u->p == NULL || volume_user_hive(c->vol, u->p, &h) !=
	    OFFMIG_OK) {
		ctx_log(c->ctx, OFFMIG_LOG_ERROR, "%s: the user %s's hive "
		    "cannot be read again; not captured", path, it->sid);
		if (u != NULL)
			u->reg_problems++;
		return OFFMIG_OK;
	}
	if (c->ru != u) {
		if ((ret = reg_finish(c)) != OFFMIG_OK ||
		    (ret = reg_start(c, u)) != OFFMIG_OK)
			return ret;
	}
	if (hkcu_sub(path) == NULL || strpbrk(path, "\r\n") != NULL) {
		ctx_log(c->ctx, OFFMIG_LOG_ERROR, "%s: not an HKCU location a "
		    ".reg file can hold; not captured", path);
		u->reg_problems++;
		return OFFMIG_OK;
	}
	if (strcmp(it->type, "key") == 0) {
		reg_section(c, path, plen);
		u->reg_keys++;
		c->reg_keys++;
		return ferror(c->regfp) ? ctx_set_error(c->ctx, OFFMIG_EIO,
		    errno, "registry export: write") : OFFMIG_OK;
	}
	/* "KEY [NAME]": the cached key first, else each " [" tried in turn. */
	if (plen < 4 || path[plen - 1] != ']') {
		v = NULL;
	} else if (c->val_key != NULL && strncmp(path, c->val_key,
	    strlen(c->val_key)) == 0 && strncmp(path + strlen(c->val_key),
	    " [", 2) == 0) {
		size_t k = strlen(c->val_key);

		v = vals_find(c, path + k + 2, plen - k - 3);
	}
	for (p = path; v == NULL && (p = strstr(p, " [")) != NULL; p++) {
		ret = vals_load(c, h, path, (size_t)(p - path), &node);
		if (ret == OFFMIG_ENOMEM)
			return ctx_set_error(c->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "registry export");
		if (ret == OFFMIG_OK)
			v = vals_find(c, p + 2, plen - (size_t)(p - path) - 3);
	}
	if (v == NULL) {
		ctx_log(c->ctx, OFFMIG_LOG_ERROR, "%s: the value cannot be read "
		    "back from the hive; not captured", path);
		u->reg_problems++;
		return OFFMIG_OK;
	}
	{
		char *rhs = regexport_value_text(v->type, v->data, v->len);

		if (rhs == NULL)
			return ctx_set_error(c->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "registry export");
		reg_section(c, c->val_key, strlen(c->val_key));
		reg_name(c->regfp, v->name);
		fprintf(c->regfp, "=%s\n", rhs);
		free(rhs);
	}
	u->reg_values++;
	c->reg_values++;
	if (ferror(c->regfp))
		return ctx_set_error(c->ctx, OFFMIG_EIO, errno, "registry "
		    "export: write");
	return OFFMIG_OK;
}

/* 1 when a host path lies in the store (its own files, met by a walk). */
static int
in_store(const struct cap *c, const char *host_path)
{
	size_t n;

	if (c->store_rel == NULL || host_path == NULL)
		return 0;
	n = strlen(c->store_rel);
	return strncmp(host_path, c->store_rel, n) == 0 &&
	    (host_path[n] == '/' || host_path[n] == '\0');
}

/* The plan's callback: every object, as found. */
static int
on_item(void *arg, const struct offmig_plan_item *it)
{
	struct cap *c = arg;
	struct store_object o;
	char rule[64 + 4096];
	unsigned long before;
	int ret;

	/*
	 * The store's own files, when a rule reaches the store's folder (a
	 * "*.pst anywhere" pattern does): the store never captures itself.
	 */
	if (in_store(c, it->host_path)) {
		c->own_skipped++;
		return 0;
	}
	if (strcmp(it->type, "file") == 0 || strcmp(it->type, "folder") == 0) {
		/* A folder item is an empty folder: store_add makes a 'd'. */
		memset(&o, 0, sizeof(o));
		o.winpath = it->path;
		o.host_path = it->host_path;
		o.st = it->st;
		o.sid = it->sid;
		o.folder = it->known_folder;
		o.component = it->component;
		if (it->rule_file != NULL) {
			snprintf(rule, sizeof(rule), "%s:%ld", it->rule_file,
			    it->rule_line);
			o.rule = rule;
		}
		before = offmig_ctx_failures(c->ctx);
		if ((ret = store_add(c->s, &o)) != OFFMIG_OK) {
			c->ret = ret;
			return ret;
		}
		if (offmig_ctx_failures(c->ctx) > before) {
			struct cuser *u = user_by_sid(c, it->sid);

			if (u != NULL)
				u->unreadable++;
			else
				c->system_unreadable++;
		} else {
			c->prog.objects++;
			c->prog.bytes += it->size;
		}
		progress(c, "files");
		return 0;
	}
	if (strcmp(it->type, "registry") == 0 || strcmp(it->type, "key") == 0) {
		if (it->sid == NULL) {
			if (strcmp(it->type, "key") == 0)
				c->hklm_keys++;
			else
				c->hklm_values++;
			return 0;
		}
		if ((ret = reg_item(c, it)) != OFFMIG_OK) {
			c->ret = ret;
			return ret;
		}
		return 0;
	}
	if (strcmp(it->type, "ini") == 0) {
		c->ini_keys++;
		if (it->host_path != NULL && (c->last_ini == NULL ||
		    strcmp(c->last_ini, it->host_path) != 0)) {
			free(c->last_ini);
			c->last_ini = strdup(it->host_path);
			ctx_log(c->ctx, OFFMIG_LOG_WARN, "%s: the rules select "
			    "INI keys of this file; a store does not hold INI "
			    "keys (a file rule that takes the file keeps it)",
			    it->host_path);
		}
	}
	return 0;
}

/* The cheap pre-count: files and bytes the plan selects (progress only). */
static int
count_item(void *arg, const struct offmig_plan_item *it)
{
	struct cap *c = arg;

	if ((strcmp(it->type, "file") == 0 || strcmp(it->type, "folder") ==
	    0) && !in_store(c, it->host_path)) {
		c->prog.objects_total++;
		c->prog.bytes_total += it->size;
	}
	return 0;
}

static void
cap_release(struct cap *c)
{
	size_t i;

	if (c->regfp != NULL)
		fclose(c->regfp);
	free(c->cur_key);
	vals_drop(c);
	free(c->last_ini);
	free(c->store_rel);
	for (i = 0; i < c->nusers; i++) {
		free(c->users[i].sid);
		free(c->users[i].user);
		free(c->users[i].profile_path);
		for (size_t j = 0; j < c->users[i].nprobs; j++)
			free(c->users[i].probs[j]);
		free(c->users[i].probs);
	}
	free(c->users);
}

/* The U records, and each user that is not "ok" logged as an error. */
static int
users_record(struct cap *c)
{
	size_t i;
	int ret;

	for (i = 0; i < c->nusers; i++) {
		struct cuser *u = &c->users[i];
		const char *status;
		char *text;

		if (u->unreadable > 0)
			add_problem(u, "%" PRIu64 " file%s could not be "
			    "captured", u->unreadable, u->unreadable == 1 ? "" :
			    "s");
		if (u->reg_problems > 0)
			add_problem(u, "%" PRIu64 " registry item%s could not "
			    "be captured", u->reg_problems, u->reg_problems ==
			    1 ? "" : "s");
		status = u->failed ? "failed" : u->nprobs > 0 ? "partial" :
		    "ok";
		if ((text = problems_text(u)) == NULL)
			return ctx_set_error(c->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "capture");
		if (u->nprobs > 0)
			ctx_log(c->ctx, OFFMIG_LOG_ERROR, "profile %s (%s): %s: "
			    "%s", u->sid, u->user ? u->user : "unknown user",
			    status, text);
		ret = store_user(c->s, u->sid, u->user ? u->user : "",
		    u->profile_path ? u->profile_path : "", status, text);
		free(text);
		if (ret != OFFMIG_OK)
			return ret;
	}
	return OFFMIG_OK;
}

/* The report: store_create's summary, the rules, the users, the registry. */
static int
report(struct cap *c, const struct offmig_doc *sdoc, const struct rfile *r,
    size_t nr, struct offmig_doc **docp)
{
	const struct offmig_node *src = offmig_node_get(offmig_doc_root(sdoc),
	    "store_create"), *susers = offmig_node_get(src, "users");
	struct offmig_doc *doc = doc_new();
	struct offmig_node *o, *arr, *x;
	size_t i, j;

	if (doc == NULL)
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, ENOMEM, "report");
	o = doc_add_object(doc, doc_root_mut(doc), "store_create");
	for (i = 0; i < offmig_node_len(src); i++)
		if (strcmp(offmig_node_key(src, i), "users") != 0)
			doc_add_copy(doc, o, offmig_node_key(src, i),
			    offmig_node_at(src, i));
	arr = doc_add_array(doc, o, "rules");
	for (i = 0; i < nr; i++) {
		x = doc_push_object(doc, arr);
		doc_add_str(doc, x, "name", r[i].name);
		doc_add_str(doc, x, "kind", r[i].is_config ? "config" : "input");
		doc_add_int(doc, x, "bytes", (int64_t)r[i].len);
	}
	arr = doc_add_array(doc, o, "users");
	for (i = 0; i < c->nusers; i++) {
		const struct cuser *u = &c->users[i];
		int64_t objects = 0, bytes = 0;

		for (j = 0; j < offmig_node_len(susers); j++) {
			const struct offmig_node *su = offmig_node_at(susers, j);
			const char *sid = offmig_node_get_str(su, "sid");

			if (sid != NULL && strcmp(sid, u->sid) == 0) {
				objects = offmig_node_int(offmig_node_get(su,
				    "objects"));
				bytes = offmig_node_int(offmig_node_get(su,
				    "bytes"));
			}
		}
		x = doc_push_object(doc, arr);
		doc_add_str(doc, x, "sid", u->sid);
		doc_add_str(doc, x, "user", u->user);
		doc_add_str(doc, x, "profile_path", u->profile_path);
		doc_add_str(doc, x, "status", u->failed ? "failed" :
		    u->nprobs > 0 ? "partial" : "ok");
		doc_add_int(doc, x, "objects", objects);
		doc_add_int(doc, x, "bytes", bytes);
		doc_add_int(doc, x, "registry_values", (int64_t)u->reg_values);
		doc_add_int(doc, x, "registry_keys", (int64_t)u->reg_keys);
		x = doc_add_array(doc, x, "problems");
		for (j = 0; j < u->nprobs; j++)
			doc_push_str(doc, x, u->probs[j]);
	}
	x = doc_add_object(doc, o, "registry");
	doc_add_int(doc, x, "values", (int64_t)c->reg_values);
	doc_add_int(doc, x, "keys", (int64_t)c->reg_keys);
	x = doc_add_object(doc, o, "not_captured");
	doc_add_int(doc, x, "machine_registry_values", (int64_t)c->hklm_values);
	doc_add_int(doc, x, "machine_registry_keys", (int64_t)c->hklm_keys);
	doc_add_int(doc, x, "ini_keys", (int64_t)c->ini_keys);
	doc_add_int(doc, x, "system_files_failed",
	    (int64_t)c->system_unreadable);
	doc_add_int(doc, x, "store_own_files", (int64_t)c->own_skipped);
	if (doc_status(doc) != OFFMIG_OK) {
		offmig_doc_free(doc);
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, ENOMEM, "report");
	}
	*docp = doc;
	return OFFMIG_OK;
}

/* The rule files, loaded from memory under their names in the store. */
static int
load_rules(struct offmig_ctx *ctx, const struct rfile *r, size_t nr,
    struct offmig_rules **rulesp)
{
	size_t i;
	int ret;

	if ((ret = offmig_rules_new(ctx, rulesp)) != OFFMIG_OK)
		return ret;
	for (i = 0; i < nr; i++) {
		char *name = str_printf("%s/%s", RULES_DIR, r[i].name);

		if (name == NULL)
			return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "rules");
		(void)offmig_rules_load_memory(ctx, *rulesp, name, r[i].data,
		    r[i].len, r[i].is_config);
		free(name);
	}
	return OFFMIG_OK;
}

int
offmig_store_capture(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const char *const *inputs, const char *config,
    const struct offmig_filter *filter, const char *store, unsigned flags,
    offmig_progress_fn *progress_fn, void *arg, struct offmig_doc **docp)
{
	struct offmig_rules *rules = NULL;
	struct offmig_doc *pdoc = NULL, *sdoc = NULL;
	struct rfile *r = NULL;
	struct cap c;
	size_t nr = 0, i;
	char *computer = NULL;
	int ret, stored = 0;

	if (docp != NULL)
		*docp = NULL;
	if (vol == NULL || store == NULL || *store == '\0' ||
	    (inputs == NULL && config != NULL) ||
	    (flags & ~(OFFMIG_STORE_COPY | OFFMIG_STORE_NO_REGISTRY)) != 0)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "store create: bad "
		    "arguments");
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.storepath = store;
	c.vol = vol;
	/* A hard-link store writes to the volume: never a hibernated one. */
	if (vol->hibernated && !(flags & OFFMIG_STORE_COPY)) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: Windows was "
		    "hibernated or shut down with Fast Startup (hiberfil.sys "
		    "is in use), so it would restore its cached view of the "
		    "disk over the store: nothing was written.  Boot Windows "
		    "and shut it down fully (Shift+Shut down, or shutdown /s "
		    "/t 0), or make a copy store on other media (--copy)",
		    vol->root);
		goto out;
	}
	/* The rules: those of an interrupted create, else given or tailored. */
	ret = rules_from_store(ctx, store, &r, &nr);
	if (ret == OFFMIG_OK) {
		stored = 1;
		if (inputs != NULL) {
			struct rfile *g = NULL;
			size_t ng = 0;
			int same;

			ret = rules_given(ctx, inputs, config, &g, &ng);
			same = ret == OFFMIG_OK && ng == nr;
			for (i = 0; same && i < ng; i++)
				same = g[i].len == r[i].len && memcmp(g[i].data,
				    r[i].data, g[i].len) == 0;
			rfiles_free(g, ng);
			if (ret != OFFMIG_OK)
				goto out;
			if (!same) {
				ret = ctx_set_error(ctx, OFFMIG_EINVAL, 0, "%s: "
				    "the store was begun with other rules (see "
				    "%s/%s/); continue it with the same -i files "
				    "or without -i", store, store, RULES_DIR);
				goto out;
			}
		}
	} else if (ret == OFFMIG_ENOTFOUND) {
		ret = inputs != NULL ? rules_given(ctx, inputs, config, &r, &nr) :
		    rules_generate(ctx, vol, filter, &r, &nr);
	}
	if (ret != OFFMIG_OK)
		goto out;
	if ((ret = load_rules(ctx, r, nr, &rules)) != OFFMIG_OK)
		goto out;
	for (i = 0; i < offmig_rules_ndiags(rules); i++) {
		enum offmig_level lv;
		const char *file, *msg;
		long line;

		if (offmig_rules_diag(rules, i, &lv, &file, &line, &msg) ==
		    OFFMIG_OK && lv != OFFMIG_LOG_INFO)
			ctx_log(ctx, lv, "%s:%ld: %s", file, line, msg);
	}
	if (offmig_rules_nerrors(rules) > 0) {
		ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "the rules have %zu "
		    "error%s; no store made", offmig_rules_nerrors(rules),
		    offmig_rules_nerrors(rules) == 1 ? "" : "s");
		goto out;
	}
	if ((ret = users_select(&c, filter)) != OFFMIG_OK ||
	    (ret = store_outside_profiles(&c)) != OFFMIG_OK)
		goto out;
	computer = os_computer_name(vol);
	{
		struct offmig_doc *odoc = NULL;
		const char *prod = NULL, *build = NULL;
		char *windows = NULL;

		if ((odoc = doc_new()) != NULL && os_build(vol, odoc,
		    doc_root_mut(odoc)) == OFFMIG_OK) {
			prod = offmig_node_get_str(offmig_doc_root(odoc),
			    "product_name");
			build = offmig_node_get_str(offmig_doc_root(odoc),
			    "build");
		}
		windows = str_printf("%s%s%s", prod ? prod : "Windows",
		    build ? " build " : "", build ? build : "");
		ret = store_create_begin(ctx, vol->rootfd, vol->root, store,
		    flags & OFFMIG_STORE_COPY ? STORE_COPY : 0, computer,
		    windows, &c.s);
		free(windows);
		offmig_doc_free(odoc);
	}
	if (ret != OFFMIG_OK)
		goto out;
	if (!stored && (ret = rules_record(ctx, store, r, nr)) != OFFMIG_OK) {
		store_abort(c.s);
		c.s = NULL;
		goto out;
	}
	/* The totals, once the store is known to be possible. */
	if (progress_fn != NULL) {
		/* A first plan run, files only, counts what will come. */
		ret = offmig_plan_run(ctx, vol, rules, filter,
		    OFFMIG_PLAN_NO_REGISTRY, count_item, &c, &pdoc);
		offmig_doc_free(pdoc);
		pdoc = NULL;
		if (ret != OFFMIG_OK) {
			store_abort(c.s);
			c.s = NULL;
			goto out;
		}
		c.pfn = progress_fn;
		c.parg = arg;
		progress(&c, "start");
	}
	ret = offmig_plan_run(ctx, vol, rules, filter,
	    flags & OFFMIG_STORE_NO_REGISTRY ? OFFMIG_PLAN_NO_REGISTRY : 0,
	    on_item, &c, &pdoc);
	if (ret == OFFMIG_OK)
		ret = reg_finish(&c);
	if (ret == OFFMIG_OK)
		ret = users_record(&c);
	if (ret != OFFMIG_OK) {
		if (c.ret != OFFMIG_OK && ret != c.ret)
			ret = c.ret;
		store_abort(c.s);
		c.s = NULL;
		goto out;
	}
	{
		const struct offmig_node *un = offmig_node_get(
		    offmig_doc_root(pdoc), "unsupported");

		for (i = 0; i < offmig_node_len(un); i++) {
			const struct offmig_node *n = offmig_node_at(un, i);

			ctx_log(ctx, OFFMIG_LOG_WARN, "%s:%" PRId64 ": %s not "
			    "evaluated: %s", offmig_node_get_str(n, "file"),
			    offmig_node_int(offmig_node_get(n, "line")),
			    offmig_node_get_str(n, "construct"),
			    offmig_node_get_str(n, "detail"));
		}
	}
	ret = store_create_end(c.s, &sdoc);
	c.s = NULL;
	if (ret != OFFMIG_OK)
		goto out;
	progress(&c, "done");
	if (docp != NULL)
		ret = report(&c, sdoc, r, nr, docp);
out:
	offmig_doc_free(sdoc);
	offmig_doc_free(pdoc);
	offmig_rules_free(rules);
	rfiles_free(r, nr);
	free(computer);
	cap_release(&c);
	return ret;
}

int
offmig_store_record_json(FILE *fp, const struct offmig_store_record *r)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *o;
	char kind[2] = { r->kind, '\0' }, mode[16];
	int ret;

	if (doc == NULL)
		return OFFMIG_ENOMEM;
	o = doc_root_mut(doc);
	doc_add_str(doc, o, "kind", kind);
	if (r->kind == 'U') {
		doc_add_str(doc, o, "sid", r->sid);
		doc_add_str(doc, o, "user", r->winpath);
		doc_add_str(doc, o, "profile_path", r->host_path);
		doc_add_str(doc, o, "status", r->folder);
		doc_add_int(doc, o, "objects", (int64_t)r->seq);
		doc_add_int(doc, o, "bytes", (int64_t)r->size);
		doc_add_str(doc, o, "problems", r->component);
	} else {
		snprintf(mode, sizeof(mode), "%o", (unsigned)r->mode);
		doc_add_int(doc, o, "seq", (int64_t)r->seq);
		doc_add_str(doc, o, "winpath", r->winpath);
		doc_add_str(doc, o, "host_path", r->host_path);
		doc_add_str(doc, o, "store_path", r->store_path);
		doc_add_str(doc, o, "sid", r->sid);
		doc_add_str(doc, o, "folder", r->folder);
		doc_add_str(doc, o, "component", r->component);
		doc_add_str(doc, o, "rule", r->rule);
		doc_add_int(doc, o, "size", (int64_t)r->size);
		doc_add_int(doc, o, "mtime_ns", r->mtime_ns);
		doc_add_int(doc, o, "ino", (int64_t)r->ino);
		doc_add_int(doc, o, "nlink", (int64_t)r->nlink);
		doc_add_str(doc, o, "mode", mode);
		doc_add_str(doc, o, "attrs", r->attrs);
	}
	ret = doc_status(doc) != OFFMIG_OK ? OFFMIG_ENOMEM :
	    offmig_write_json(fp, offmig_doc_root(doc));
	offmig_doc_free(doc);
	return ret;
}
