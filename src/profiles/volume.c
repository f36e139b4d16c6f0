/*
 * volume.c - a mounted Windows system volume: finding its installation,
 * opening its hives, resolving the Windows paths found in them.  Nothing is
 * ever written: every descriptor is O_RDONLY, every path goes through
 * vpath_resolve(), which follows no symbolic link and cannot leave the root.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/par.h"
#include "profiles/profiles.h"
#include "hive/replay.h"

static const char *const hive_names[SYS_HIVE_COUNT] = {
	"SOFTWARE", "SYSTEM", "SAM", "SECURITY", "DEFAULT"
};

const char *
sys_hive_name(enum sys_hive which)
{
	return hive_names[which];
}

/* What one top-level directory of the volume looks like. */
struct candidate {
	char	*name;		/* as stored */
	int	 has_system32;
	int	 has_software;	/* present and opens for reading */
	int	 has_system;
	char	*why;		/* what is wrong when it is not complete */
};

static void
candidates_free(struct candidate *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].name);
		free(c[i].why);
	}
	free(c);
}

/*
 * Checks that System32\config\<hive> under dfd is a regular file that
 * opens for reading.  Returns 1 when it does; otherwise 0 and, when *whyp
 * is still NULL, what is wrong with it.
 */
static int
probe_hive(int dfd, const char *hive, int *missingp, char **whyp)
{
	struct offmig_ctx quiet;
	char rel[64];
	int fd, ret;

	memset(&quiet, 0, sizeof(quiet));
	snprintf(rel, sizeof(rel), "System32\\config\\%s", hive);
	ret = vpath_resolve(&quiet, dfd, rel, VPATH_FILE, &fd, NULL, NULL);
	if (ret == OFFMIG_OK) {
		close(fd);
		return 1;
	}
	if (ret == OFFMIG_ENOTFOUND)
		*missingp = 1;
	else if (*whyp == NULL)
		*whyp = str_printf("System32\\config\\%s cannot be read (%s)",
		    hive, offmig_errmsg(&quiet));
	return 0;
}

/*
 * Lists the top-level directories that look like a Windows directory (they
 * have System32), with what their config directory holds.  *nentriesp gets
 * the number of entries at the root, to tell a blank volume apart.
 */
static int
find_candidates(struct offmig_ctx *ctx, int rootfd, const char *root,
    struct candidate **cp, size_t *np, size_t *nentriesp)
{
	struct candidate *c = NULL;
	struct dirent *de;
	size_t n = 0, nentries = 0;
	DIR *dir;
	int fd;

	*cp = NULL;
	*np = 0;
	if ((fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (dir = fdopendir(fd)) == NULL) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return ctx_set_error(ctx, OFFMIG_EIO, e, "%s", root);
	}
	while ((de = readdir(dir)) != NULL) {
		struct offmig_ctx quiet;
		struct candidate *t;
		struct stat st;
		int dfd;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		nentries++;
		if (fstatat(rootfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if ((dfd = openat(rootfd, de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		memset(&quiet, 0, sizeof(quiet));
		if (vpath_resolve(&quiet, dfd, "System32", VPATH_DIR, NULL, NULL,
		    NULL) != OFFMIG_OK) {
			close(dfd);
			continue;
		}
		if ((t = realloc(c, (n + 1) * sizeof(*c))) == NULL ||
		    (t[n].name = strdup(de->d_name)) == NULL) {
			close(dfd);
			closedir(dir);
			candidates_free(t != NULL ? t : c, n);
			return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", root);
		}
		c = t;
		c[n].has_system32 = 1;
		c[n].why = NULL;
		{
			int nosw = 0, nosys = 0;

			c[n].has_software = probe_hive(dfd, "SOFTWARE", &nosw,
			    &c[n].why);
			c[n].has_system = probe_hive(dfd, "SYSTEM", &nosys,
			    &c[n].why);
			/* A missing hive is said first: the likelier cause. */
			if (nosw || nosys) {
				free(c[n].why);
				c[n].why = str_printf("System32\\config has no "
				    "%s%s%s", nosw ? "SOFTWARE" : "",
				    nosw && nosys ? " and no " : "",
				    nosys ? "SYSTEM" : "");
			}
		}
		close(dfd);
		n++;
	}
	closedir(dir);
	*cp = c;
	*np = n;
	*nentriesp = nentries;
	return OFFMIG_OK;
}

static int
complete(const struct candidate *c)
{
	return c->has_software && c->has_system;
}

/*
 * User hives opened ahead.  hivex walks a whole hive when it opens it,
 * which for a large SOFTWARE takes tens of milliseconds, and nothing can
 * say where the profiles are before SOFTWARE's ProfileList is read.  They
 * are nearly always in Users (or Documents and Settings), though: so
 * while one thread opens SOFTWARE, another opens the NTUSER.DAT of every
 * folder there, the way volume_open_hive() would, keeping what the opens
 * logged, makes the profile scan's checks below that folder
 * (profile_check_below() on a scratch profile), looks at its UsrClass.dat
 * as the hive list describes it, and lists the folders its known folders
 * are looked up in by default.  It opens SYSTEM and SAM and reads SAM's
 * users first, which the profile scan reads next.  The profiles then take
 * their hive, checks and listings from here, volume_sys_hive() the machine
 * hives, each replaying what was logged as if it happened then.  Each is
 * used only for the folder (or file) it was made for.  The work goes in
 * passes, the most useful first (hives, checks, then what the report said
 * it wants: volume_spec_want()), and stops as soon as SOFTWARE is open, so
 * that it never holds up the report (on ntfs-3g, where one daemon serves
 * every call, it may not get far); what it did not do is done later as if
 * nothing had been done ahead.  What nothing takes is freed with the
 * volume.
 */
#define SPEC_MAX	512	/* hives opened ahead, at most */

static int	open_hive_at(struct offmig_volume *vol, int fd,
		    const char *host, const char *winpath, struct hive **hp);
static int	sys_hive_open(struct offmig_volume *vol, enum sys_hive which,
		    struct hive **hp);
/* What the hive list says of one hive file (hive_file_look()). */
struct hive_file {
	char		*rel;		/* the path looked at, from the root */
	int		 found;
	char		*host;		/* as found */
	char		*msg;		/* why not, when not found */
	uint64_t	 size;
	int		 parsed;	/* info holds its base block */
	struct regf_info info;
	struct hive_log	*logs;
	size_t		 nlogs;
	struct replay_result *r;
};
static void	hive_file_look(struct offmig_volume *vol, const char *relpath,
		    struct hive_file *f);
static void	hive_file_free(struct hive_file *f);

struct spec_hive {
	char		*host;		/* as resolved: the key */
	struct hive	*hive;
	int		 err;
	char		*msg;		/* of a failed open */
	struct par_log	 log;		/* what the open logged */
	atomic_int	 taken;
	char		*dir;		/* its folder: the key of spec_dirs */
	struct profile	*chk;		/* the checks below dir, until taken */
	atomic_int	 chk_taken;
	struct vlist	*vl;		/* folders below dir listed, until taken */
	atomic_int	 vl_taken;
	struct hive_file *uc;		/* its UsrClass.dat looked at, until taken */
	atomic_int	 uc_taken;
};

struct spec_run {
	struct offmig_volume	*vol;
	struct spec_hive	*v;
	size_t			 n;
	struct spec_sys		 sys[SYS_HIVE_COUNT];	/* SYSTEM, SAM */
	struct sam_info		*sam;		/* SAM read, or NULL */
	int			 sam_ret;
	char			*sam_msg;
	unsigned		 want;		/* SPEC_WANT_*: what to do beyond */
	atomic_int		 stop;		/* SOFTWARE is open: stop now */
	pthread_t		 tid;
};

static int
spec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct spec_hive *)a)->host,
	    ((const struct spec_hive *)b)->host);
}

/* Whether a folder name could be a profile's (no expansion, no control). */
static int
spec_name_ok(const char *name)
{
	const unsigned char *p;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p < 0x20 || *p == '%')
			return 0;
	return 1;
}

/*
 * The profile scan's checks of the folder holding e's hive, on a scratch
 * profile (profile_check_below() changes nothing else, logs nothing).
 */
static void
spec_check(struct offmig_volume *vol, struct spec_hive *e)
{
	struct profile *c;

	if (e->dir == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->last_use = NO_TIME;
	if ((c->host_path = strdup(e->dir)) == NULL) {
		free(c);
		return;
	}
	profile_check_below(vol, c);
	e->chk = c;
}

/* Its UsrClass.dat (found by the checks), as the hive list describes it. */
static void
spec_usrclass(struct offmig_volume *vol, struct spec_hive *e)
{
	if (e->chk != NULL && e->chk->usrclass_host != NULL &&
	    (e->uc = malloc(sizeof(*e->uc))) != NULL)
		hive_file_look(vol, e->chk->usrclass_host, e->uc);
}

/* The folders its known folders are looked up in by default, listed. */
static void
spec_listings(struct offmig_volume *vol, struct spec_hive *e)
{
	if (e->dir != NULL && (e->vl = malloc(sizeof(*e->vl))) != NULL) {
		vlist_init(e->vl, vol->rootfd);
		folders_prefetch(e->vl, e->dir, strncmp(e->dir, "Users/", 6) !=
		    0);
	}
}

static int
spec_dir_cmp(const void *a, const void *b)
{
	const struct spec_hive *x = *(struct spec_hive *const *)a;
	const struct spec_hive *y = *(struct spec_hive *const *)b;

	return strcmp(x->dir, y->dir);
}

static struct spec_hive *
spec_by_dir(struct offmig_volume *vol, const char *dir)
{
	struct spec_hive key, *kp = &key, **ep;

	if (vol->spec_dirs == NULL || dir == NULL)
		return NULL;
	key.dir = (char *)dir;
	ep = bsearch(&kp, vol->spec_dirs, vol->nspec_dirs,
	    sizeof(*vol->spec_dirs), spec_dir_cmp);
	return ep != NULL ? *ep : NULL;
}

void
volume_spec_want(struct offmig_volume *vol, unsigned want)
{
	vol->spec_want |= want;
}

struct vlist *
volume_take_vlist(struct offmig_volume *vol, const char *host)
{
	struct spec_hive *e = spec_by_dir(vol, host);
	struct vlist *l;

	if (e == NULL || atomic_exchange(&e->vl_taken, 1) != 0)
		return NULL;
	l = e->vl;
	e->vl = NULL;
	return l;
}

int
volume_take_checked(struct offmig_volume *vol, struct profile *p)
{
	struct spec_hive *e = spec_by_dir(vol, p->host_path);

	if (e == NULL || atomic_exchange(&e->chk_taken, 1) != 0 ||
	    e->chk == NULL)
		return 0;
	profile_merge_checked(p, e->chk);
	profile_scratch_free(e->chk);
	e->chk = NULL;
	return 1;
}

int
volume_sam_read(struct offmig_volume *vol, struct hive *samh,
    struct sam_info *info)
{
	int ret;

	if (vol->spec_sam == NULL ||
	    samh != vol->hives[SYS_HIVE_SAM] || samh == NULL)
		return sam_read(vol->ctx, samh, info);
	*info = *vol->spec_sam;
	free(vol->spec_sam);
	vol->spec_sam = NULL;
	if ((ret = vol->spec_sam_ret) != OFFMIG_OK)
		ctx_set_error(vol->ctx, ret, 0, "%s", vol->spec_sam_msg != NULL ?
		    vol->spec_sam_msg : "SAM");
	return ret;
}

/* One directory of profiles: the hives of the folders in it. */
static void
spec_dir(struct spec_run *sr, struct offmig_ctx *priv, const char *base)
{
	struct offmig_volume *vol = sr->vol;
	struct offmig_ctx quiet;
	struct dirent *de;
	char *bhost = NULL;
	DIR *d;
	int dfd;

	memset(&quiet, 0, sizeof(quiet));
	if (vpath_resolve(&quiet, vol->rootfd, base, VPATH_DIR, &dfd, &bhost,
	    NULL) != OFFMIG_OK)
		return;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		free(bhost);
		return;
	}
	while (sr->n < SPEC_MAX && !atomic_load(&sr->stop) &&
	    (de = readdir(d)) != NULL) {
		struct spec_hive *e = &sr->v[sr->n];
		const char *slash;
		char *rel;
		int fd;

		if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) ||
		    !spec_name_ok(de->d_name) ||
		    (rel = str_printf("%s/%s/NTUSER.DAT", bhost,
		    de->d_name)) == NULL)
			continue;
		memset(e, 0, sizeof(*e));
		priv->log_arg = &e->log;
		/* As check_files() and volume_open_hive() would find it. */
		if (vpath_resolve(&quiet, vol->rootfd, rel, VPATH_FILE, &fd,
		    &e->host, NULL) != OFFMIG_OK) {
			free(rel);
			continue;
		}
		e->err = open_hive_at(vol, fd, e->host, e->host, &e->hive);
		if (e->err != OFFMIG_OK)
			e->msg = strdup(offmig_errmsg(vol->ctx));
		close(fd);
		free(rel);
		atomic_init(&e->taken, 0);
		atomic_init(&e->chk_taken, 0);
		atomic_init(&e->vl_taken, 0);
		atomic_init(&e->uc_taken, 0);
		if ((slash = strrchr(e->host, '/')) != NULL)
			e->dir = strndup(e->host, (size_t)(slash - e->host));
		sr->n++;
	}
	closedir(d);
	free(bhost);
}

/* Opens a machine hive ahead, keeping what the open logged. */
static void
spec_sys(struct spec_run *sr, struct offmig_ctx *priv, enum sys_hive which)
{
	struct offmig_volume *vol = sr->vol;
	struct spec_sys *x = &sr->sys[which];

	if (vol->hive_tried[which])
		return;
	priv->log_arg = &x->log;
	x->ret = sys_hive_open(vol, which, &x->hive);
	if (x->ret != OFFMIG_OK)
		x->msg = strdup(offmig_errmsg(vol->ctx));
	x->done = 1;
}

static void *
spec_thread(void *arg)
{
	struct spec_run *sr = arg;
	struct offmig_ctx priv;
	size_t i;

	memset(&priv, 0, sizeof(priv));
	priv.log_fn = par_log_keep;
	ctx_redirect(sr->vol->ctx, &priv);
	/* The machine hives the profile scan needs next. */
	spec_sys(sr, &priv, SYS_HIVE_SYSTEM);
	spec_sys(sr, &priv, SYS_HIVE_SAM);
	if (sr->sys[SYS_HIVE_SAM].done && sr->sys[SYS_HIVE_SAM].hive != NULL &&
	    (sr->sam = calloc(1, sizeof(*sr->sam))) != NULL &&
	    (sr->sam_ret = sam_read(sr->vol->ctx, sr->sys[SYS_HIVE_SAM].hive,
	    sr->sam)) != OFFMIG_OK)
		sr->sam_msg = strdup(offmig_errmsg(sr->vol->ctx));
	/*
	 * Then in passes, the most useful first, each stopped as soon as
	 * SOFTWARE is open: what is not done by then is done later, as if
	 * nothing had been done ahead.
	 */
	spec_dir(sr, &priv, "Users");
	spec_dir(sr, &priv, "Documents and Settings");
	for (i = 0; i < sr->n && !atomic_load(&sr->stop); i++)
		spec_check(sr->vol, &sr->v[i]);
	for (i = 0; (sr->want & SPEC_WANT_HIVELIST) && i < sr->n &&
	    !atomic_load(&sr->stop); i++)
		spec_usrclass(sr->vol, &sr->v[i]);
	for (i = 0; (sr->want & SPEC_WANT_FOLDERS) && i < sr->n &&
	    !atomic_load(&sr->stop); i++)
		spec_listings(sr->vol, &sr->v[i]);
	ctx_redirect(NULL, NULL);
	return NULL;
}

/* Starts opening user hives ahead, when there are threads to spare. */
static struct spec_run *
spec_start(struct offmig_volume *vol)
{
	struct spec_run *sr;

	if (vol->spec != NULL || par_jobs(vol->ctx, 2) < 2 ||
	    (sr = calloc(1, sizeof(*sr))) == NULL)
		return NULL;
	sr->vol = vol;
	sr->want = vol->spec_want;
	atomic_init(&sr->stop, 0);
	if ((sr->v = calloc(SPEC_MAX, sizeof(*sr->v))) == NULL ||
	    pthread_create(&sr->tid, NULL, spec_thread, sr) != 0) {
		free(sr->v);
		free(sr);
		return NULL;
	}
	return sr;
}

/* Waits for it and keeps what it opened, sorted for the lookups. */
static void
spec_finish(struct offmig_volume *vol, struct spec_run *sr)
{
	size_t i, n = 0;

	if (sr == NULL)
		return;
	atomic_store(&sr->stop, 1);
	pthread_join(sr->tid, NULL);
	qsort(sr->v, sr->n, sizeof(*sr->v), spec_cmp);
	vol->spec = sr->v;
	vol->nspec = sr->n;
	memcpy(vol->spec_sys, sr->sys, sizeof(vol->spec_sys));
	vol->spec_sam = sr->sam;
	vol->spec_sam_ret = sr->sam_ret;
	vol->spec_sam_msg = sr->sam_msg;
	free(sr);
	/* An index by folder of those whose folder was checked. */
	if (vol->nspec == 0 || (vol->spec_dirs = calloc(vol->nspec,
	    sizeof(*vol->spec_dirs))) == NULL)
		return;
	for (i = 0; i < vol->nspec; i++)
		if (vol->spec[i].dir != NULL)
			vol->spec_dirs[n++] = &vol->spec[i];
	qsort(vol->spec_dirs, n, sizeof(*vol->spec_dirs), spec_dir_cmp);
	vol->nspec_dirs = n;
}

static void
spec_free(struct offmig_volume *vol)
{
	size_t i;

	for (i = 0; i < vol->nspec; i++) {
		struct spec_hive *e = &vol->spec[i];

		hive_close(e->hive);
		free(e->host);
		free(e->msg);
		free(e->log.buf);
		profile_scratch_free(e->chk);
		free(e->dir);
		if (e->vl != NULL) {
			vlist_release(e->vl);
			free(e->vl);
		}
		hive_file_free(e->uc);
		free(e->uc);
	}
	free(vol->spec_dirs);
	vol->spec_dirs = NULL;
	vol->nspec_dirs = 0;
	for (i = 0; i < SYS_HIVE_COUNT; i++) {
		hive_close(vol->spec_sys[i].hive);
		free(vol->spec_sys[i].msg);
		free(vol->spec_sys[i].log.buf);
	}
	memset(vol->spec_sys, 0, sizeof(vol->spec_sys));
	if (vol->spec_sam != NULL) {
		sam_info_release(vol->spec_sam);
		free(vol->spec_sam);
		vol->spec_sam = NULL;
	}
	free(vol->spec_sam_msg);
	vol->spec_sam_msg = NULL;
	free(vol->spec);
	vol->spec = NULL;
	vol->nspec = 0;
}

int
volume_take_user_hive(struct offmig_volume *vol, const char *host,
    struct hive **hp, int *errp)
{
	struct spec_hive key, *e;

	if (vol->nspec == 0 || host == NULL)
		return 0;
	key.host = (char *)host;
	if ((e = bsearch(&key, vol->spec, vol->nspec, sizeof(*e),
	    spec_cmp)) == NULL || atomic_exchange(&e->taken, 1) != 0)
		return 0;
	(void)par_log_replay(vol->ctx, &e->log);
	*hp = e->hive;
	e->hive = NULL;
	*errp = e->err;
	if (e->err != OFFMIG_OK)
		ctx_set_error(vol->ctx, e->err, 0, "%s", e->msg != NULL ?
		    e->msg : "cannot be read");
	return 1;
}

void
offmig_volume_close(struct offmig_volume *vol)
{
	int i;

	if (vol == NULL)
		return;
	for (i = 0; i < SYS_HIVE_COUNT; i++) {
		hive_close(vol->hives[i]);
		free(vol->hive_msg[i]);
	}
	profile_list_free(vol->profiles);
	spec_free(vol);
	if (vol->configfd >= 0)
		close(vol->configfd);
	if (vol->windirfd >= 0)
		close(vol->windirfd);
	if (vol->rootfd >= 0)
		close(vol->rootfd);
	free(vol->configdir_host);
	free(vol->windir_host);
	free(vol->root);
	for (i = 0; i < VOLUME_ENV_COUNT; i++)
		free(vol->env[i]);
	for (i = 0; i < (int)(sizeof(vol->xdefs) / sizeof(vol->xdefs[0]));
	    i++)
		free(vol->xdefs[i]);
	free(vol);
}

/* Opens the root directory of a volume, with a message fit for the user. */
static int
open_root(struct offmig_ctx *ctx, const char *root, int *fdp)
{
	struct stat st;

	*fdp = -1;
	if (stat(root, &st) != 0)
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", root);
	if (!S_ISDIR(st.st_mode))
		return ctx_set_error(ctx, OFFMIG_EIO, ENOTDIR, "%s", root);
	if ((*fdp = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", root);
	return OFFMIG_OK;
}

/* Reads hiberfil.sys's signature: "hibr" (any case) means hibernated. */
int
volume_hibernated(int rootfd)
{
	struct offmig_ctx quiet;
	char sig[4];
	int fd, hib = 0;

	memset(&quiet, 0, sizeof(quiet));
	if (vpath_resolve(&quiet, rootfd, "hiberfil.sys", VPATH_FILE, &fd, NULL,
	    NULL) != OFFMIG_OK)
		return 0;
	if (pread(fd, sig, sizeof(sig), 0) == (ssize_t)sizeof(sig))
		hib = strncasecmp(sig, "hibr", 4) == 0;
	close(fd);
	return hib;
}

int
offmig_volume_open(struct offmig_ctx *ctx, const char *root,
    const struct offmig_volume_opts *opts, struct offmig_volume **volp)
{
	struct offmig_volume *vol = NULL;
	struct candidate *c = NULL;
	size_t n = 0, nentries = 0, i, ncomplete = 0, pick = 0;
	const char *want = opts != NULL ? opts->windows_dir : NULL;
	int ret;

	*volp = NULL;
	if ((vol = calloc(1, sizeof(*vol))) == NULL ||
	    (vol->root = strdup(root)) == NULL) {
		free(vol);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", root);
	}
	vol->ctx = ctx;
	vol->rootfd = vol->windirfd = vol->configfd = -1;
	vol->sysdrive = 'C';
	vol->flags = opts != NULL ? opts->flags : 0;
	if ((ret = open_root(ctx, root, &vol->rootfd)) != OFFMIG_OK ||
	    (ret = find_candidates(ctx, vol->rootfd, root, &c, &n,
	    &nentries)) != OFFMIG_OK)
		goto fail;
	for (i = 0; i < n; i++)
		if (complete(&c[i]) && (want == NULL ||
		    wstrcasecmp(want, c[i].name) == 0)) {
			ncomplete++;
			pick = i;
		}
	if (ncomplete == 0) {
		const struct candidate *bad = NULL;

		for (i = 0; i < n; i++)
			if (want == NULL || wstrcasecmp(want, c[i].name) == 0)
				bad = &c[i];
		if (bad != NULL)
			ret = ctx_set_error(ctx, OFFMIG_ENOWINDOWS, 0,
			    "%s: damaged Windows installation in '%s': %s",
			    root, bad->name, bad->why != NULL ? bad->why :
			    "its hives cannot be read");
		else if (want != NULL)
			ret = ctx_set_error(ctx, OFFMIG_ENOWINDOWS, 0,
			    "%s: no Windows installation in '%s'", root, want);
		else if (nentries == 0)
			ret = ctx_set_error(ctx, OFFMIG_ENOWINDOWS, 0,
			    "%s: no Windows installation: the volume is empty",
			    root);
		else
			ret = ctx_set_error(ctx, OFFMIG_ENOWINDOWS, 0,
			    "%s: no Windows installation: the volume holds "
			    "%zu entr%s, none is a Windows directory (one with "
			    "System32\\config\\SOFTWARE and SYSTEM)", root,
			    nentries, nentries == 1 ? "y" : "ies");
		goto fail;
	}
	if (ncomplete > 1) {
		char list[512] = "";
		size_t len = 0;

		for (i = 0; i < n && len < sizeof(list) - 1; i++)
			if (complete(&c[i]))
				len += (size_t)snprintf(list + len,
				    sizeof(list) - len, "%s'%s'",
				    len ? ", " : "", c[i].name);
		ret = ctx_set_error(ctx, OFFMIG_EAMBIGUOUS, 0,
		    "%s: %zu Windows installations (%s); choose one with "
		    "--windows DIR", root, ncomplete, list);
		goto fail;
	}
	if ((vol->windir_host = strdup(c[pick].name)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", root);
		goto fail;
	}
	if ((ret = vpath_resolve(ctx, vol->rootfd, vol->windir_host, VPATH_DIR,
	    &vol->windirfd, NULL, NULL)) != OFFMIG_OK ||
	    (ret = vpath_resolve(ctx, vol->windirfd, "System32\\config",
	    VPATH_DIR, &vol->configfd, &vol->configdir_host, NULL)) !=
	    OFFMIG_OK)
		goto fail;
	{
		char *full = str_join_path(vol->windir_host,
		    vol->configdir_host);

		if (full == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    root);
			goto fail;
		}
		free(vol->configdir_host);
		vol->configdir_host = full;
	}
	vol->hibernated = volume_hibernated(vol->rootfd);
	candidates_free(c, n);
	*volp = vol;
	return OFFMIG_OK;
fail:
	candidates_free(c, n);
	offmig_volume_close(vol);
	return ret;
}

int
offmig_volume_scan(struct offmig_ctx *ctx, const char *root,
    struct offmig_doc **docp)
{
	struct offmig_doc *doc;
	struct offmig_node *arr;
	struct candidate *c = NULL;
	size_t n = 0, nentries = 0, i;
	int fd, ret;

	*docp = NULL;
	if ((ret = open_root(ctx, root, &fd)) != OFFMIG_OK)
		return ret;
	ret = find_candidates(ctx, fd, root, &c, &n, &nentries);
	close(fd);
	if (ret != OFFMIG_OK)
		return ret;
	if ((doc = doc_new()) == NULL) {
		candidates_free(c, n);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", root);
	}
	arr = doc_add_array(doc, doc_root_mut(doc), "installations");
	for (i = 0; i < n; i++) {
		struct offmig_node *o = doc_push_object(doc, arr);
		char *host = str_join_path(root, c[i].name);

		doc_add_str(doc, o, "dir", c[i].name);
		doc_add_str(doc, o, "host_path", host);
		doc_add_bool(doc, o, "software", c[i].has_software);
		doc_add_bool(doc, o, "system", c[i].has_system);
		doc_add_bool(doc, o, "complete", complete(&c[i]));
		doc_add_str(doc, o, "problem", c[i].why);
		free(host);
	}
	doc_add_int(doc, doc_root_mut(doc), "entries", (int64_t)nentries);
	candidates_free(c, n);
	if ((ret = doc_status(doc)) != OFFMIG_OK) {
		offmig_doc_free(doc);
		return ctx_set_error(ctx, ret, 0, "%s", root);
	}
	*docp = doc;
	return OFFMIG_OK;
}

/*
 * Opens the hive in fd (file base in the directory dirfd, dirrel relative
 * to the root) through its logs when it is dirty, unless the volume was
 * opened with OFFMIG_VOLUME_NO_LOGS.  A hive read through its logs, or
 * dirty with no log that applies, is logged as a note.
 */
static int
open_hive_logs(struct offmig_volume *vol, int fd, const char *name,
    int dirfd, const char *dirrel, const char *base, struct hive **hp)
{
	const struct replay_result *r;
	char *dirhost;
	unsigned flags = (vol->flags & OFFMIG_VOLUME_NO_LOGS) ?
	    HIVE_OPEN_NO_LOGS : 0;
	int ret;

	if ((dirhost = str_join_path(vol->root, dirrel)) == NULL)
		return ctx_set_error(vol->ctx, OFFMIG_ENOMEM, errno, "%s",
		    name);
	ret = hive_open_logs(vol->ctx, fd, name, dirfd, dirhost, base, flags,
	    hp);
	free(dirhost);
	if (ret == OFFMIG_OK && (r = hive_replay_info(*hp)) != NULL) {
		if (r->recovered)
			ctx_log(vol->ctx, OFFMIG_LOG_INFO, "%s is dirty: read "
			    "through its transaction logs (%zu %s applied)",
			    name, r->entries_applied,
			    r->entries_applied == 1 ? "entry" : "entries");
		else
			ctx_log(vol->ctx, OFFMIG_LOG_INFO, "%s is dirty and "
			    "no transaction log brings it up to date (%s): "
			    "read as it is", name, r->note);
	}
	return ret;
}

/*
 * Finds and opens a machine hive (its logs replayed when it is dirty);
 * the error in vol->ctx on failure.
 */
static int
sys_hive_open(struct offmig_volume *vol, enum sys_hive which,
    struct hive **hp)
{
	struct offmig_ctx *ctx = vol->ctx;
	char *host = NULL, *name = NULL;
	int fd = -1, ret;

	*hp = NULL;
	ret = vpath_resolve(ctx, vol->configfd, hive_names[which], VPATH_FILE,
	    &fd, &host, NULL);
	if (ret == OFFMIG_OK) {
		char *rel = str_join_path(vol->configdir_host, host);

		name = rel != NULL ? str_join_path(vol->root, rel) : NULL;
		free(rel);
		if (name == NULL)
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    hive_names[which]);
		else
			ret = open_hive_logs(vol, fd, name, vol->configfd,
			    vol->configdir_host, host, hp);
	} else if (ret == OFFMIG_ENOTFOUND)
		ctx_set_error(ctx, ret, 0, "%s/%s/%s: no such hive", vol->root,
		    vol->configdir_host, hive_names[which]);
	if (fd >= 0)
		close(fd);
	free(host);
	free(name);
	return ret;
}

int
volume_sys_hive(struct offmig_volume *vol, enum sys_hive which,
    struct hive **hp)
{
	struct offmig_ctx *ctx = vol->ctx;
	struct spec_run *spec = NULL;
	struct spec_sys *x = &vol->spec_sys[which];
	int ret;

	*hp = NULL;
	if (vol->hive_tried[which]) {
		if (vol->hives[which] == NULL)
			return ctx_set_error(ctx, vol->hive_err[which], 0, "%s",
			    vol->hive_msg[which] != NULL ? vol->hive_msg[which] :
			    hive_names[which]);
		*hp = vol->hives[which];
		return OFFMIG_OK;
	}
	vol->hive_tried[which] = 1;
	if (x->done) {
		/* Opened ahead, while SOFTWARE was: as if opened now. */
		(void)par_log_replay(ctx, &x->log);
		ret = x->ret;
		vol->hives[which] = x->hive;
		x->hive = NULL;
		if (ret != OFFMIG_OK)
			ctx_set_error(ctx, ret, 0, "%s", x->msg != NULL ?
			    x->msg : hive_names[which]);
	} else {
		if (which == SYS_HIVE_SOFTWARE)
			spec = spec_start(vol);
		ret = sys_hive_open(vol, which, &vol->hives[which]);
		spec_finish(vol, spec);
	}
	if (ret != OFFMIG_OK) {
		vol->hive_err[which] = ret;
		vol->hive_msg[which] = strdup(offmig_errmsg(ctx));
		ctx_log(ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(ctx));
		return ret;
	}
	*hp = vol->hives[which];
	return OFFMIG_OK;
}

/*
 * Reads the values volume_expand() needs from SOFTWARE, once.  Lookups use
 * a quiet context: a missing value only means that the default is used.
 */
static void
env_load(struct offmig_volume *vol)
{
	static const struct {
		const char	*key;
		const char	*name;
	} src[VOLUME_ENV_COUNT] = {
		{ "Microsoft\\Windows NT\\CurrentVersion", "SystemRoot" },
		{ "Microsoft\\Windows\\CurrentVersion", "ProgramFilesDir" },
		{ "Microsoft\\Windows\\CurrentVersion",
		    "ProgramFilesDir (x86)" },
		{ "Microsoft\\Windows\\CurrentVersion", "ProgramW6432Dir" },
		{ "Microsoft\\Windows\\CurrentVersion", "CommonFilesDir" },
		{ "Microsoft\\Windows\\CurrentVersion",
		    "CommonFilesDir (x86)" },
	};
	struct offmig_ctx quiet;
	struct hive *sw;
	const char *sr, *rest;
	hnode k;
	int i, keep;

	if (vol->env_loaded)
		return;
	vol->env_loaded = 1;
	if (vol->hive_tried[SYS_HIVE_SOFTWARE] &&
	    vol->hives[SYS_HIVE_SOFTWARE] == NULL)
		return;
	if (volume_sys_hive(vol, SYS_HIVE_SOFTWARE, &sw) != OFFMIG_OK)
		return;
	memset(&quiet, 0, sizeof(quiet));
	for (i = 0; i < VOLUME_ENV_COUNT; i++) {
		char *v = NULL;

		if (hive_lookup(&quiet, sw, 0, src[i].key, &k) != OFFMIG_OK ||
		    hive_get_string(&quiet, sw, k, src[i].name, &v, NULL) !=
		    OFFMIG_OK)
			continue;
		/* Empty, or itself holding a variable: keep the default. */
		if (*v == '\0' || strchr(v, '%') != NULL) {
			free(v);
			continue;
		}
		vol->env[i] = v;
	}
	/*
	 * SystemRoot tells the letter the system drive had ("D:\WINDOWS" in
	 * a dual-boot installation).  It is trusted only when the rest of it
	 * names the directory this installation was found in.
	 */
	if ((sr = vol->env[VOLUME_ENV_SYSTEMROOT]) == NULL)
		return;
	keep = ((sr[0] >= 'A' && sr[0] <= 'Z') || (sr[0] >= 'a' &&
	    sr[0] <= 'z')) && sr[1] == ':' && (sr[2] == '\\' || sr[2] == '/');
	if (keep) {
		for (rest = sr + 3; *rest == '\\' || *rest == '/'; rest++)
			continue;
		keep = wstrcasecmp(rest, vol->windir_host) == 0;
	}
	if (keep)
		vol->sysdrive = (char)(sr[0] & ~0x20);
	else {
		free(vol->env[VOLUME_ENV_SYSTEMROOT]);
		vol->env[VOLUME_ENV_SYSTEMROOT] = NULL;
	}
}

enum { XD_WINDIR, XD_PD, XD_PUB, XD_PF, XD_PF86, XD_PFW, XD_CF, XD_CF86 };

/* Builds vol->xdefs; returns 0, or -1 on ENOMEM. */
static int
expand_defaults(struct offmig_volume *vol)
{
	char drive[3] = { 'C', ':', '\0' };
	char **x = vol->xdefs;
	size_t i;

	if (vol->xdefs_built && vol->xdefs_for == vol->profiles)
		return 0;
	for (i = 0; i < sizeof(vol->xdefs) / sizeof(vol->xdefs[0]); i++) {
		free(x[i]);
		x[i] = NULL;
	}
	vol->xdefs_built = 0;
	drive[0] = vol->sysdrive;
	x[XD_WINDIR] = vol->env[VOLUME_ENV_SYSTEMROOT] != NULL ?
	    strdup(vol->env[VOLUME_ENV_SYSTEMROOT]) :
	    str_printf("%s\\%s", drive, vol->windir_host);
	x[XD_PD] = str_printf("%s\\ProgramData", drive);
	x[XD_PUB] = str_printf("%s\\Users\\Public", drive);
	x[XD_PF] = str_printf("%s\\Program Files", drive);
	x[XD_PF86] = str_printf("%s\\Program Files (x86)", drive);
	if (x[XD_PF] == NULL || x[XD_PF86] == NULL)
		return -1;
	x[XD_PFW] = strdup(vol->env[VOLUME_ENV_PROGRAMW6432] != NULL ?
	    vol->env[VOLUME_ENV_PROGRAMW6432] : x[XD_PF]);
	x[XD_CF] = str_printf("%s\\Common Files",
	    vol->env[VOLUME_ENV_PROGRAMFILES] != NULL ?
	    vol->env[VOLUME_ENV_PROGRAMFILES] : x[XD_PF]);
	x[XD_CF86] = str_printf("%s\\Common Files",
	    vol->env[VOLUME_ENV_PROGRAMFILES_X86] != NULL ?
	    vol->env[VOLUME_ENV_PROGRAMFILES_X86] : x[XD_PF86]);
	for (i = 0; i < sizeof(vol->xdefs) / sizeof(vol->xdefs[0]); i++)
		if (x[i] == NULL)
			return -1;
	vol->xdefs_for = vol->profiles;
	vol->xdefs_built = 1;
	return 0;
}

void
volume_prepare(struct offmig_volume *vol)
{
	const struct profile_list *pl;

	env_load(vol);
	(void)volume_profiles(vol, &pl);
	(void)expand_defaults(vol);
}

char *
volume_expand(struct offmig_volume *vol, const char *s)
{
	const struct profile_list *pl;
	char drive[3] = { 'C', ':', '\0' };
	char **x = vol->xdefs, *out = NULL, *pass1;
	const char *allusers, *cfv;

	/* Nothing to expand: most paths. */
	if (strchr(s, '%') == NULL)
		return strdup(s);
	env_load(vol);
	pl = vol->profiles;
	drive[0] = vol->sysdrive;
	if (expand_defaults(vol) != 0)
		return NULL;
	/* XP has no ProgramData: there ALLUSERSPROFILE is "All Users". */
	allusers = pl != NULL && pl->programdata_path != NULL ?
	    pl->programdata_path : pl != NULL && pl->public_path != NULL ?
	    pl->public_path : x[XD_PD];
	cfv = vol->env[VOLUME_ENV_COMMONFILES] != NULL ?
	    vol->env[VOLUME_ENV_COMMONFILES] : x[XD_CF];
	{
		const struct winenv env[] = {
			{ "SystemDrive", drive },
			{ "SystemRoot", x[XD_WINDIR] },
			{ "windir", x[XD_WINDIR] },
			{ "ProgramData", pl != NULL && pl->programdata_path ?
			    pl->programdata_path : x[XD_PD] },
			{ "ALLUSERSPROFILE", allusers },
			{ "PUBLIC", pl != NULL && pl->public_path ?
			    pl->public_path : x[XD_PUB] },
			{ "ProgramFiles", vol->env[VOLUME_ENV_PROGRAMFILES] !=
			    NULL ? vol->env[VOLUME_ENV_PROGRAMFILES] :
			    x[XD_PF] },
			{ "ProgramFiles(x86)",
			    vol->env[VOLUME_ENV_PROGRAMFILES_X86] != NULL ?
			    vol->env[VOLUME_ENV_PROGRAMFILES_X86] :
			    x[XD_PF86] },
			{ "ProgramW6432", x[XD_PFW] },
			{ "CommonProgramFiles", cfv },
			{ "CommonProgramFiles(x86)",
			    vol->env[VOLUME_ENV_COMMONFILES_X86] != NULL ?
			    vol->env[VOLUME_ENV_COMMONFILES_X86] : x[XD_CF86] },
			{ "CommonProgramW6432", cfv },
			{ "HOMEDRIVE", drive },
		};
		size_t nenv = sizeof(env) / sizeof(env[0]);

		/* Values such as ProgramData hold %SystemDrive% themselves. */
		if ((pass1 = winpath_expand(s, env, nenv)) != NULL) {
			out = winpath_expand(pass1, env, nenv);
			free(pass1);
		}
	}
	return out;
}

/*
 * Refuses a path that is not on this volume, with a message naming it and
 * saying why ("'D:\Users\x' is on another drive (D:), outside the volume;
 * it is not read").  Every kind is OFFMIG_EUNSAFE: the path comes from the
 * disk and would lead elsewhere.
 */
static int
refuse_path(struct offmig_ctx *ctx, const char *winpath, const char *exp,
    enum winpath_kind kind)
{
	const char *what, *d;

	switch (kind) {
	case WINPATH_OTHER_DRIVE:
		/* "D:\x", or "\??\D:\x" and "\\?\D:\x". */
		d = exp[0] == '\\' && strlen(exp) >= 6 ? exp + 4 : exp;
		return ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "'%s' is on "
		    "another drive (%c:), outside the volume; it is not read",
		    winpath, d[0] & ~0x20);
	case WINPATH_UNC:
		what = "a network path, outside the volume";
		break;
	case WINPATH_DEVICE:
		what = "a device path, outside the volume";
		break;
	default:
		what = strstr(exp, "..") != NULL ? "not a valid path from the "
		    "disk ('..' could lead outside the volume)" : "not a "
		    "valid path from the disk (empty, or with control "
		    "characters)";
		break;
	}
	return ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "'%s' is %s; it is not "
	    "read", winpath, what);
}

/*
 * Expands a Windows path from the disk, refuses it unless it is on the
 * system drive (or relative), and resolves it below the volume's root with
 * vpath_resolve(): the one gate every registry path goes through.
 */
static int
resolve_gate(struct offmig_volume *vol, const char *winpath,
    enum vpath_want want, int *fdp, char **hostp, struct stat *stp,
    struct vlist *l)
{
	struct offmig_ctx *ctx = vol->ctx;
	enum winpath_kind kind;
	const char *rest;
	char *exp;
	int ret;

	if ((exp = volume_expand(vol, winpath)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", winpath);
	kind = winpath_classify(exp, vol->sysdrive, &rest);
	if (kind != WINPATH_SYSTEM_DRIVE && kind != WINPATH_RELATIVE)
		ret = refuse_path(ctx, winpath, exp, kind);
	else if (l != NULL)
		ret = vpath_resolve_dir_listed(ctx, l, rest, hostp);
	else
		ret = vpath_resolve(ctx, vol->rootfd, rest, want, fdp, hostp,
		    stp);
	free(exp);
	return ret;
}

int
volume_resolve(struct offmig_volume *vol, const char *winpath,
    enum vpath_want want, char **hostp, struct stat *stp)
{
	if (hostp != NULL)
		*hostp = NULL;
	return resolve_gate(vol, winpath, want, NULL, hostp, stp, NULL);
}

int
volume_resolve_dir_listed(struct offmig_volume *vol, struct vlist *l,
    const char *winpath, char **hostp)
{
	*hostp = NULL;
	if (l == NULL || l->dirfd != vol->rootfd)
		return resolve_gate(vol, winpath, VPATH_DIR, NULL, hostp, NULL,
		    NULL);
	return resolve_gate(vol, winpath, VPATH_DIR, NULL, hostp, NULL, l);
}

/*
 * Opens the hive at host (a path below the root, already resolved to fd),
 * replaying its logs when it is dirty.  winpath names it in messages.
 */
static int
open_hive_at(struct offmig_volume *vol, int fd, const char *host,
    const char *winpath, struct hive **hp)
{
	char *name;
	int ret;

	if ((name = str_join_path(vol->root, host)) == NULL)
		ret = ctx_set_error(vol->ctx, OFFMIG_ENOMEM, errno, "%s",
		    winpath);
	else if (!(vol->flags & OFFMIG_VOLUME_NO_LOGS) &&
	    hive_fd_dirty(fd) == 1) {
		/* Dirty: its logs are in its directory. */
		char *dir = strdup(host), *slash;
		int dfd = -1;

		if (dir == NULL)
			ret = ctx_set_error(vol->ctx, OFFMIG_ENOMEM, errno,
			    "%s", winpath);
		else {
			slash = strrchr(dir, '/');
			if (slash != NULL)
				*slash = '\0';
			ret = vpath_resolve(vol->ctx, vol->rootfd,
			    slash != NULL ? dir : ".", VPATH_DIR, &dfd, NULL,
			    NULL);
			if (ret == OFFMIG_OK)
				ret = open_hive_logs(vol, fd, name, dfd,
				    slash != NULL ? dir : ".", slash != NULL ?
				    slash + 1 : host, hp);
			if (dfd >= 0)
				close(dfd);
		}
		free(dir);
	} else
		ret = hive_open_fd(vol->ctx, fd, name, hp);
	free(name);
	return ret;
}

int
volume_open_hive(struct offmig_volume *vol, const char *winpath,
    struct hive **hp, char **hostp)
{
	char *host = NULL;
	int fd = -1, ret;

	*hp = NULL;
	if (hostp != NULL)
		*hostp = NULL;
	if ((ret = resolve_gate(vol, winpath, VPATH_FILE, &fd, &host, NULL,
	    NULL)) != OFFMIG_OK)
		return ret;
	ret = open_hive_at(vol, fd, host, winpath, hp);
	close(fd);
	if (ret == OFFMIG_OK && hostp != NULL)
		*hostp = host;
	else
		free(host);
	return ret;
}

/*
 * The state of one hive and its logs, for the hive lists of os and inspect
 * and for each profile's NTUSER.DAT: base block, problems, logs and, for a
 * dirty hive, what replaying its logs gives (r, NULL when the logs were
 * not consulted).
 */
static void
doc_hive_state(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *o, const struct regf_info *info, uint64_t size,
    const struct hive_log *logs, size_t nlogs, const struct replay_result *r)
{
	struct offmig_node *problems = doc_add_array(doc, o, "problems");
	struct offmig_node *la, *rec;
	size_t i, j;

	if (info == NULL) {
		doc_add_null(doc, o, "dirty");
		doc_push_str(doc, problems, "not a registry hive");
	} else {
		doc_add_bool(doc, o, "dirty", info->dirty);
		doc_add_int(doc, o, "seq1", info->seq1);
		doc_add_int(doc, o, "seq2", info->seq2);
		doc_add_bool(doc, o, "checksum_ok", info->checksum_ok);
		if (!info->checksum_ok)
			doc_push_str(doc, problems, "bad base block checksum");
		if ((uint64_t)REGF_BASE_BLOCK + info->hbins_size > size)
			doc_push_str(doc, problems, "truncated: shorter than "
			    "its base block says");
	}
	if (info == NULL || info->dirty) {
		if (vol->flags & OFFMIG_VOLUME_NO_LOGS) {
			if (info != NULL)
				doc_push_str(doc, problems, "dirty: read as it "
				    "is (--no-logs); changes may wait in its "
				    "transaction logs");
		} else if (r != NULL && r->recovered)
			doc_push_str(doc, problems, "dirty: read through its "
			    "transaction logs");
		else if (r != NULL && info != NULL)
			doc_push_str(doc, problems, "dirty, and no transaction "
			    "log brings it up to date: read as it is");
	}
	if (r != NULL) {
		rec = doc_add_object(doc, o, "recovery");
		doc_add_bool(doc, rec, "recovered", r->recovered);
		doc_add_int(doc, rec, "entries_applied",
		    (int64_t)r->entries_applied);
		doc_add_int(doc, rec, "pages_applied",
		    (int64_t)r->pages_applied);
		if (r->recovered)
			doc_add_int(doc, rec, "seq_after", r->seq_after);
		else
			doc_add_null(doc, rec, "seq_after");
		doc_add_bool(doc, rec, "base_from_log", r->base_from_log);
		doc_add_str(doc, rec, "note", r->note[0] != '\0' ? r->note :
		    NULL);
	} else
		doc_add_null(doc, o, "recovery");
	la = doc_add_array(doc, o, "logs");
	for (i = 0; i < nlogs; i++) {
		struct offmig_node *l = doc_push_object(doc, la);
		const struct replay_log *rl = NULL;

		for (j = 0; r != NULL && j < r->nlogs; j++)
			if (r->logs[j].name != NULL &&
			    strcmp(r->logs[j].name, logs[i].name) == 0)
				rl = &r->logs[j];
		doc_add_str(doc, l, "path", logs[i].host_path);
		doc_add_int(doc, l, "size", (int64_t)logs[i].size);
		doc_add_str(doc, l, "format", logs[i].format == 2 ? "new" :
		    logs[i].format == 1 ? "old" : logs[i].size == 0 ?
		    "empty" : "unknown");
		doc_add_int(doc, l, "seq1", logs[i].seq1);
		if (rl != NULL) {
			doc_add_int(doc, l, "entries", (int64_t)rl->entries);
			doc_add_bool(doc, l, "applies", rl->applies);
			doc_add_str(doc, l, "note", rl->note[0] != '\0' ?
			    rl->note : NULL);
		} else {
			doc_add_null(doc, l, "entries");
			doc_add_null(doc, l, "applies");
		}
	}
	doc_add_int(doc, o, "log_count", (int64_t)nlogs);
}

/*
 * Replays a dirty hive's logs to describe them (the data is dropped), or
 * returns NULL when the hive is clean, logs are not wanted, or the replay
 * could not run.
 */
struct replay_result *
volume_describe_replay(struct offmig_volume *vol, int dirfd, const char *dirrel,
    const char *base, const struct regf_info *info)
{
	struct offmig_ctx quiet;
	struct replay_result *r;
	char *dirhost;

	if ((info != NULL && !info->dirty) ||
	    (vol->flags & OFFMIG_VOLUME_NO_LOGS) || dirfd < 0)
		return NULL;
	memset(&quiet, 0, sizeof(quiet));
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (dirhost = str_join_path(vol->root, dirrel)) == NULL) {
		free(r);
		return NULL;
	}
	if (hive_replay_dir(&quiet, dirfd, dirhost, base, r) != OFFMIG_OK &&
	    r->note[0] == '\0')
		snprintf(r->note, sizeof(r->note), "%s", offmig_errmsg(&quiet));
	free(dirhost);
	free(r->data);
	r->data = NULL;
	return r;
}

void
volume_replay_free(struct replay_result *r)
{
	if (r != NULL) {
		replay_result_free(r);
		free(r);
	}
}


/* Looks at the hive file relpath (from the root) and what lies beside it. */
static void
hive_file_look(struct offmig_volume *vol, const char *relpath,
    struct hive_file *f)
{
	struct offmig_ctx quiet;
	unsigned char base[REGF_BASE_BLOCK];
	struct stat st;
	char *dirhost, *slash;
	int fd = -1, dfd = -1;
	ssize_t n;

	memset(f, 0, sizeof(*f));
	memset(&quiet, 0, sizeof(quiet));
	f->rel = strdup(relpath);
	if (vpath_resolve(&quiet, vol->rootfd, relpath, VPATH_FILE, &fd,
	    &f->host, &st) != OFFMIG_OK) {
		f->msg = strdup(offmig_errmsg(&quiet));
		return;
	}
	f->found = 1;
	f->size = (uint64_t)st.st_size;
	n = pread(fd, base, sizeof(base), 0);
	close(fd);
	f->parsed = n >= 512 && regf_parse(base, (size_t)n, &f->info) ==
	    OFFMIG_OK;
	/* Its logs, in the same directory. */
	if ((dirhost = strdup(f->host)) != NULL && (slash = strrchr(dirhost,
	    '/')) != NULL) {
		*slash = '\0';
		if (vpath_resolve(&quiet, vol->rootfd, dirhost, VPATH_DIR, &dfd,
		    NULL, NULL) == OFFMIG_OK) {
			(void)hive_find_logs(&quiet, dfd, dirhost, slash + 1,
			    &f->logs, &f->nlogs);
			if (f->parsed || f->nlogs > 0)
				f->r = volume_describe_replay(vol, dfd, dirhost,
				    slash + 1, f->parsed ? &f->info : NULL);
			close(dfd);
		}
	}
	free(dirhost);
}

static void
hive_file_free(struct hive_file *f)
{
	if (f == NULL)
		return;
	free(f->rel);
	free(f->host);
	free(f->msg);
	volume_replay_free(f->r);
	hive_logs_free(f->logs, f->nlogs);
	memset(f, 0, sizeof(*f));
}

/* The hive list's object for a hive file looked at. */
static void
hive_file_doc(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *o, const struct hive_file *f)
{
	if (!f->found) {
		doc_add_null(doc, o, "host_path");
		doc_add_bool(doc, o, "present", 0);
		doc_add_null(doc, o, "dirty");
		doc_push_str(doc, doc_add_array(doc, o, "problems"),
		    f->msg != NULL ? f->msg : "cannot be looked at");
		return;
	}
	doc_add_str(doc, o, "host_path", f->host);
	doc_add_bool(doc, o, "present", 1);
	doc_add_int(doc, o, "size", (int64_t)f->size);
	doc_hive_state(vol, doc, o, f->parsed ? &f->info : NULL, f->size,
	    f->logs, f->nlogs, f->r);
}

/* Describes one hive file for the hive list; relpath from the root. */
static void
doc_hive_file(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *o, const char *relpath)
{
	struct hive_file f;

	hive_file_look(vol, relpath, &f);
	hive_file_doc(vol, doc, o, &f);
	hive_file_free(&f);
}

/* The same description for a user's NTUSER.DAT, from what the profile scan
 * already read (no second look at the disk). */
static void
doc_profile_hive(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *o, const struct profile *p)
{
	doc_add_str(doc, o, "host_path", p->hive_host);
	doc_add_bool(doc, o, "present", 1);
	doc_add_int(doc, o, "size", (int64_t)p->hive_size);
	doc_hive_state(vol, doc, o, p->hive_info.major == 0 ? NULL :
	    &p->hive_info, p->hive_size, p->logs, p->nlogs, p->replay);
}

/* The hives of the profiles in a list of hives, built by par_run(). */
struct hives_job {
	struct offmig_volume		 *vol;
	const struct profile_list	 *pl;
	struct offmig_node		**out;	/* 2i: NTUSER.DAT, 2i+1: UsrClass */
};

/* What was found ahead of p's UsrClass.dat, when that is the one it has. */
static struct hive_file *
take_usrclass(struct offmig_volume *vol, const struct profile *p)
{
	struct spec_hive *e = spec_by_dir(vol, p->host_path);
	struct hive_file *f;

	if (e == NULL || atomic_exchange(&e->uc_taken, 1) != 0)
		return NULL;
	/* Taken: only this thread looks at it now; spec_free() frees it. */
	f = e->uc;
	if (f == NULL || f->rel == NULL || strcmp(f->rel, p->usrclass_host) !=
	    0)
		return NULL;
	e->uc = NULL;
	return f;
}

static void
hives_item(void *arg, size_t i, struct offmig_doc *doc)
{
	struct hives_job *job = arg;
	struct offmig_volume *vol = job->vol;
	const struct profile *p = &job->pl->v[i];
	struct offmig_node *o;
	struct hive_file *uc;
	char *win;

	if (p->hive_host == NULL)
		return;
	o = job->out[2 * i] = doc_new_object(doc);
	win = str_printf("%s\\NTUSER.DAT", p->path);
	doc_add_str(doc, o, "name", "NTUSER.DAT");
	doc_add_str(doc, o, "scope", "user");
	doc_add_str(doc, o, "sid", p->sid);
	doc_add_str(doc, o, "user", p->user);
	doc_add_str(doc, o, "path", win);
	doc_profile_hive(vol, doc, o, p);
	free(win);
	if (p->usrclass_host != NULL) {
		o = job->out[2 * i + 1] = doc_new_object(doc);
		doc_add_str(doc, o, "name", "UsrClass.dat");
		doc_add_str(doc, o, "scope", "user");
		doc_add_str(doc, o, "sid", p->sid);
		doc_add_str(doc, o, "user", p->user);
		doc_add_null(doc, o, "path");
		uc = take_usrclass(vol, p);
		if (uc != NULL) {
			hive_file_doc(vol, doc, o, uc);
			hive_file_free(uc);
			free(uc);
		} else
			doc_hive_file(vol, doc, o, p->usrclass_host);
	}
}

void
volume_doc_hives(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr)
{
	const struct profile_list *pl = NULL;
	struct hives_job job;
	size_t i;
	int w;

	env_load(vol);		/* the drive letter of the paths below */
	for (w = 0; w < SYS_HIVE_COUNT; w++) {
		struct offmig_node *o = doc_push_object(doc, arr);
		char *rel = str_join_path(vol->configdir_host, hive_names[w]);
		char *win = str_printf("%c:\\%s\\System32\\config\\%s",
		    vol->sysdrive, vol->windir_host, hive_names[w]);

		doc_add_str(doc, o, "name", hive_names[w]);
		doc_add_str(doc, o, "scope", "machine");
		doc_add_str(doc, o, "path", win);
		if (rel != NULL)
			doc_hive_file(vol, doc, o, rel);
		free(rel);
		free(win);
	}
	if (volume_profiles(vol, &pl) != OFFMIG_OK)
		return;
	/* The user hives, two objects a profile, built on a few threads. */
	if ((job.out = calloc(2 * pl->n + 1, sizeof(*job.out))) == NULL) {
		doc_fail(doc);
		return;
	}
	job.vol = vol;
	job.pl = pl;
	volume_prepare(vol);
	(void)par_run(vol->ctx, pl->n, hives_item, &job, doc);
	for (i = 0; i < 2 * pl->n; i++)
		if (job.out[i] != NULL)
			doc_push_node(doc, arr, job.out[i]);
	free(job.out);
}
