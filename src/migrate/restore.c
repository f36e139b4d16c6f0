/*
 * restore.c - putting a migration store back on a volume after Windows was
 * reinstalled: offmig_store_restore().  docs/STORE-FORMAT.md "Restore"
 * describes what it does and what it writes; in short:
 *
 * - The manifest is read twice, streaming: once whole (a damaged manifest
 *   is refused before anything is written, an unsealed one too; the users'
 *   U records, which follow their objects, are kept), then object by
 *   object.
 * - Each user object goes to the profile of the user of the same name on
 *   the new volume (local SIDs change across a reinstall), mapped by known
 *   folder (XP's "My Documents" to "Documents", ...): the new profile's
 *   folders as its hives say, else Vista and later's default layout.
 *   Machine objects keep their path.
 * - Placing: a hard link to the store's file when the store is a hard-link
 *   store on the volume's filesystem, else a copy (temporary name, fsync,
 *   rename) with mode, times and NTFS attributes.  Folders are made one
 *   component at a time with mkdirat and opened O_NOFOLLOW: a symbolic
 *   link met on the way is refused and nothing is written through it.
 * - Each placement is appended to STORE/restored after it is made; a rerun
 *   skips the objects recorded, and adopts the placements made but not
 *   recorded (the destination, or a "name(N).ext" candidate, already is the
 *   store's file), so nothing is placed twice.
 * - Registry exports are merged into the users' new NTUSER.DAT through the
 *   safe hive writer, or left pending until the user has a hive.
 *
 * Nothing is written outside the volume and STORE/restored and
 * STORE/journal.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
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
#include "common/sha256.h"
#include "common/vpath.h"
#include "hive/regexport.h"
#include "hive/writer.h"
#include "migrate/manifest.h"
#include "migrate/restore.h"
#include "migrate/store.h"
#include "profiles/profiles.h"

#define NTFS_ATTRIB_XATTR	"system.ntfs_attrib_be"
#define MAX_USERS		4096
#define MAX_PROBLEMS		1000	/* listed in the report; all are counted */
#define MAX_REG_SIZE		(256u * 1024 * 1024)
#define RECORD_SYNC_EVERY	8192	/* restored is synced this often */
#define RECORD_BUFFER		(32 * 1024)	/* and written at least this often */
#define RESTORED_MAX_LINE	(MANIFEST_MAX_LINE + 256)

/*
 * Known folders below a profile: the registry name, then where XP, Vista/7
 * (when different) and Windows 8 and later put them by default.  The last
 * entries are no known folders but places XP had that Vista and later
 * replaced by junctions into AppData (which ntfs-3g shows as symbolic
 * links, so writing through them would be refused).
 */
struct kfolder {
	const char	*name, *xp, *v7, *v8;
};
static const struct kfolder kfolders[] = {
	{ "Desktop", "Desktop", NULL, "Desktop" },
	{ "Personal", "My Documents", NULL, "Documents" },
	{ "{374DE290-123F-4565-9164-39C4925E467B}", NULL, NULL, "Downloads" },
	{ "My Pictures", "My Documents/My Pictures", NULL, "Pictures" },
	{ "My Music", "My Documents/My Music", NULL, "Music" },
	{ "My Video", "My Documents/My Videos", NULL, "Videos" },
	{ "Favorites", "Favorites", NULL, "Favorites" },
	{ "AppData", "Application Data", NULL, "AppData/Roaming" },
	{ "Local AppData", "Local Settings/Application Data", NULL,
	    "AppData/Local" },
	{ "Start Menu", "Start Menu", NULL,
	    "AppData/Roaming/Microsoft/Windows/Start Menu" },
	{ "Templates", "Templates", NULL,
	    "AppData/Roaming/Microsoft/Windows/Templates" },
	{ "SendTo", "SendTo", NULL, "AppData/Roaming/Microsoft/Windows/SendTo" },
	{ "Recent", "Recent", NULL, "AppData/Roaming/Microsoft/Windows/Recent" },
	{ "NetHood", "NetHood", NULL,
	    "AppData/Roaming/Microsoft/Windows/Network Shortcuts" },
	{ "PrintHood", "PrintHood", NULL,
	    "AppData/Roaming/Microsoft/Windows/Printer Shortcuts" },
	{ "Cookies", "Cookies", "AppData/Roaming/Microsoft/Windows/Cookies",
	    "AppData/Local/Microsoft/Windows/INetCookies" },
	{ "History", "Local Settings/History", NULL,
	    "AppData/Local/Microsoft/Windows/History" },
	{ "Cache", "Local Settings/Temporary Internet Files",
	    "AppData/Local/Microsoft/Windows/Temporary Internet Files",
	    "AppData/Local/Microsoft/Windows/INetCache" },
	{ NULL, "Local Settings/Temp", NULL, "AppData/Local/Temp" },
	{ NULL, "Local Settings", NULL, "AppData/Local" },
};
#define NKF	(sizeof(kfolders) / sizeof(kfolders[0]))

/* Length of pre when it is rel's first components (ASCII case ignored), else 0. */
static size_t
kf_prefix(const char *rel, const char *pre)
{
	size_t n;

	if (pre == NULL)
		return 0;
	n = strlen(pre);
	if (strncasecmp(rel, pre, n) != 0 || (rel[n] != '\0' && rel[n] != '/'))
		return 0;
	return n;
}

/* The known folder rel starts in (longest match), its index or -1. */
static int
kf_match(const char *rel, const char **restp)
{
	size_t i, best = 0, n;
	int idx = -1;

	for (i = 0; i < NKF; i++) {
		const char *c[3] = { kfolders[i].xp, kfolders[i].v7,
		    kfolders[i].v8 };
		size_t j;

		for (j = 0; j < 3; j++)
			if ((n = kf_prefix(rel, c[j])) > best) {
				best = n;
				idx = (int)i;
			}
	}
	*restp = idx < 0 ? rel : rel + best + (rel[best] == '/');
	return idx;
}

/* "a" + "/" + "b", either may be empty. */
static char *
join2(const char *a, const char *b)
{
	if (a == NULL || *a == '\0')
		return strdup(b);
	if (b == NULL || *b == '\0')
		return strdup(a);
	return str_printf("%s/%s", a, b);
}

char *
restore_map_default(const char *rel, const char **folderp, const char **restp)
{
	const char *rest;
	int i = kf_match(rel, &rest);

	if (folderp != NULL)
		*folderp = i >= 0 ? kfolders[i].name : NULL;
	if (restp != NULL)
		*restp = rest;
	if (i < 0)
		return strdup(rel);
	return join2(kfolders[i].v8, rest);
}

/* A Windows path ("C:\Users\bob") as a host path below the root ("Users/bob"), or NULL. */
static char *
win_to_rel(const char *win, char sysdrive)
{
	const char *rest = NULL;
	enum winpath_kind k;
	char *out, *o;

	if (win == NULL)
		return NULL;
	if (isalpha((unsigned char)win[0]) && win[1] == ':')
		sysdrive = win[0];
	k = winpath_classify(win, sysdrive, &rest);
	if ((k != WINPATH_SYSTEM_DRIVE && k != WINPATH_RELATIVE) ||
	    rest == NULL || *rest == '\0')
		return NULL;
	if ((out = malloc(strlen(rest) + 1)) == NULL)
		return NULL;
	for (o = out; *rest != '\0'; rest++) {
		char c = *rest == '\\' ? '/' : *rest;

		if (c == '/' && (o == out || o[-1] == '/'))
			continue;
		*o++ = c;
	}
	while (o > out && o[-1] == '/')
		o--;
	*o = '\0';
	if (*out == '\0') {
		free(out);
		return NULL;
	}
	return out;
}

/* Non-zero when path starts with the components of base, as Windows compares names. */
static size_t
ci_under(const char *path, const char *base)
{
	size_t n = strlen(base);
	char *head;
	int eq;

	if (strlen(path) <= n || path[n] != '/')
		return 0;
	if ((head = strndup(path, n)) == NULL)
		return 0;
	eq = wstrcasecmp(head, base) == 0;
	free(head);
	return eq ? n : 0;
}

/* One user of the store, and where that user goes on the new volume. */
struct ruser {
	char		*sid, *user, *profile;	/* U record */
	char		*oldrel;		/* old profile below the root */
	int		 selected;
	const struct profile *np;		/* new profile, or NULL */
	char		*newroot;		/* new profile below the root */
	char		*kf[NKF];		/* its known folders, or NULL */
	uint64_t	 objects, bytes, renamed, skipped, failed;
	const char	*registry;		/* merged, pending, none, failed */
};

struct restore {
	struct offmig_ctx *ctx;
	struct offmig_ctx *vctx;	/* the new volume's (its warnings are ours to report) */
	const char	*storepath, *volroot;
	unsigned	 flags;
	enum offmig_conflict conflict;
	int		 dry;
	int		 storefd, volfd, rfd, jfd;
	int		 copystore, link;
	int		 attrs_ok;	/* -1 unknown, 0 no, 1 yes */
	char		 id[33];
	dev_t		 voldev;
	char		*store_rel;	/* STORE below the volume root, or NULL */
	struct offmig_volume *vol;	/* NULL: no Windows on the volume */
	const struct profile_list *pl;
	struct offmig_doc *folders;
	struct ruser	*users;
	size_t		 nusers;
	/* restored: which seqs are recorded, its running checksum. */
	unsigned char	*done;
	struct mbuf	 rbuf;		/* R records not yet written */
	uint64_t	 nobj, nbytes, recorded, unsynced;
	int		 rsealed;
	struct sha256	 sha;
	/* The open destination folder and the store folder last used. */
	char		*dpath, *dact;
	int		 dfd;
	/*
	 * The names in dfd as Windows compares them: a set of fingerprints
	 * of their upper-cased forms (0 free), read once a folder, so that
	 * "Report.docx" is a conflict with an existing "report.docx"
	 * without a look at the folder a file.
	 */
	uint64_t	*cs;
	size_t		 cscap, csn;
	int		 csstate;	/* CS_UNREAD, CS_READ, CS_TOOBIG */
	char		*spath;
	int		 sfd;
	/* Counts. */
	uint64_t	 objects, bytes, linked, copied, same, renamed,
			 overwritten, skipped, failed, already, excluded;
	int		 unsafe;
	int		 xp_remap;	/* the volume has no real "Documents and Settings" */
	/* Report. */
	struct offmig_doc *doc;
	struct offmig_node *problems, *placements;
	size_t		 nproblems;
	offmig_progress_fn *progress;
	void		*parg;
	struct offmig_progress pr;
	/* A dry run's placements, streamed (NULL: kept in the report). */
	offmig_placement_fn *place_fn;
	void		*place_arg;
	int		 place_ret;	/* the callback's stop value */
};

/* Returns err after making it the context's error (for fatal errors). */
static int
fatal_fault(struct restore *r, const char *what)
{
	return ctx_set_error(r->ctx, OFFMIG_EIO, EIO, "%s (injected fault)",
	    what);
}

/* Reports that an object could not be restored; counted, listed, logged. */
static void
item_fail(struct restore *r, const struct manifest_record *rec,
    struct ruser *u, int unsafe, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
item_fail(struct restore *r, const struct manifest_record *rec,
    struct ruser *u, int unsafe, const char *fmt, ...)
{
	char buf[OFFMIG_ERRMSG_MAX + 512];
	struct offmig_node *o;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->failed++;
	if (u != NULL)
		u->failed++;
	if (unsafe)
		r->unsafe = 1;
	ctx_log(r->ctx, OFFMIG_LOG_ERROR, "%s: %s; not restored",
	    rec->winpath, buf);
	if (r->nproblems++ < MAX_PROBLEMS) {
		o = doc_push_object(r->doc, r->problems);
		doc_add_int(r->doc, o, "seq", (int64_t)rec->seq);
		doc_add_str(r->doc, o, "winpath", rec->winpath);
		doc_add_str(r->doc, o, "store_path", rec->store_path);
		doc_add_str(r->doc, o, "problem", buf);
		doc_add_bool(r->doc, o, "refused", unsafe);
	}
}

static struct ruser *
user_find(struct restore *r, const char *sid)
{
	size_t i;

	if (sid == NULL || *sid == '\0')
		return NULL;
	for (i = 0; i < r->nusers; i++)
		if (strcmp(r->users[i].sid, sid) == 0)
			return &r->users[i];
	return NULL;
}

static struct ruser *
user_add(struct restore *r, const char *sid)
{
	struct ruser *u = user_find(r, sid), *t;

	if (u != NULL || sid == NULL || *sid == '\0')
		return u;
	if (r->nusers >= MAX_USERS)
		return NULL;
	if ((t = realloc(r->users, (r->nusers + 1) * sizeof(*t))) == NULL)
		return NULL;
	r->users = t;
	u = &t[r->nusers];
	memset(u, 0, sizeof(*u));
	if ((u->sid = strdup(sid)) == NULL)
		return NULL;
	u->selected = 1;
	u->registry = "none";
	r->nusers++;
	return u;
}

static void
users_free(struct restore *r)
{
	size_t i, j;

	for (i = 0; i < r->nusers; i++) {
		struct ruser *u = &r->users[i];

		free(u->sid);
		free(u->user);
		free(u->profile);
		free(u->oldrel);
		free(u->newroot);
		for (j = 0; j < NKF; j++)
			free(u->kf[j]);
	}
	free(r->users);
}

/* Journal: "restore<TAB>event<TAB>arg", synced. */
static int
journal(struct restore *r, const char *event, const char *arg)
{
	struct mbuf b = { 0 };
	int ret = OFFMIG_OK;

	if (r->jfd < 0)
		return OFFMIG_OK;
	mbuf_add(&b, "restore\t", 8);
	mbuf_add(&b, event, strlen(event));
	mbuf_add(&b, "\t", 1);
	mbuf_add_escaped(&b, arg, strlen(arg));
	mbuf_add(&b, "\n", 1);
	if (b.oom)
		return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "journal");
	if (io_write_all(r->jfd, b.p, b.len) != 0) {
		ret = ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s: write",
		    r->storepath, STORE_JOURNAL);
		goto out;
	}
	if (store_fault("fsync"))
		ret = fatal_fault(r, "journal: fsync");
	else if (fdatasync(r->jfd) != 0)
		ret = ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s: fsync",
		    r->storepath, STORE_JOURNAL);
out:
	mbuf_free(&b);
	return ret;
}

/*
 * Makes what was placed durable, then the records: syncfs of the volume
 * before the restored file's fdatasync, so that no record survives a power
 * cut that the placement it describes did not.
 */
static int
records_flush(struct restore *r)
{
	int ret = OFFMIG_OK;

	if (r->rfd < 0 || r->rbuf.len == 0)
		return OFFMIG_OK;
	if (io_write_all(r->rfd, r->rbuf.p, r->rbuf.len) != 0)
		ret = ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s: write",
		    r->storepath, STORE_RESTORED);
	r->rbuf.len = 0;
	return ret;
}

static int
records_sync(struct restore *r)
{
	int ret;

	if ((ret = records_flush(r)) != OFFMIG_OK)
		return ret;
	if (r->rfd < 0 || r->unsynced == 0)
		return OFFMIG_OK;
	if (store_fault("fsync"))
		return fatal_fault(r, "restored: fsync");
	if (syncfs(r->volfd) != 0 || fdatasync(r->rfd) != 0)
		return ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s: fsync",
		    r->storepath, STORE_RESTORED);
	r->unsynced = 0;
	return OFFMIG_OK;
}

/*
 * Appends an R record.  Records are buffered (at most RECORD_BUFFER bytes)
 * and written in whole lines: a kill loses the last few, whose objects
 * the rerun finds in place and records then, or leaves a torn last line,
 * which the rerun cuts off.
 */
static int
record(struct restore *r, const struct manifest_record *rec, const char *dest,
    uint64_t ino, const char *how)
{
	char num[48];
	size_t start = r->rbuf.len;
	int ret = OFFMIG_OK;

	if (r->dry)
		return OFFMIG_OK;
	if (store_fault("record"))
		return fatal_fault(r, "restored: write");
	snprintf(num, sizeof(num), "R\t%" PRIu64 "\t", rec->seq);
	mbuf_add(&r->rbuf, num, strlen(num));
	mbuf_add_escaped(&r->rbuf, dest, strlen(dest));
	snprintf(num, sizeof(num), "\t%" PRIu64 "\t", ino);
	mbuf_add(&r->rbuf, num, strlen(num));
	mbuf_add(&r->rbuf, how, strlen(how));
	mbuf_add(&r->rbuf, "\n", 1);
	if (r->rbuf.oom)
		return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "restored");
	sha256_update(&r->sha, r->rbuf.p + start, r->rbuf.len - start);
	r->done[(rec->seq - 1) / 8] |= (unsigned char)(1u <<
	    ((rec->seq - 1) % 8));
	r->recorded++;
	if (++r->unsynced >= RECORD_SYNC_EVERY)
		ret = records_sync(r);
	else if (r->rbuf.len >= RECORD_BUFFER)
		ret = records_flush(r);
	return ret;
}

static int
is_done(const struct restore *r, uint64_t seq)
{
	return seq >= 1 && seq <= r->nobj &&
	    (r->done[(seq - 1) / 8] & (1u << ((seq - 1) % 8))) != 0;
}

/* Parses one line of restored (without its newline). */
static int
restored_line(struct restore *r, char *line, size_t len, unsigned lineno,
    const char *vol)
{
	char *f[6];
	size_t n = 0;
	char *p = line, *end;
	uint64_t seq;

	(void)vol;
	line[len] = '\0';
	while (n < 6) {
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	if (p != NULL && n == 6)
		goto bad;
	if (lineno == 1) {
		if (n != 4 || strcmp(f[0], "offmig-restored") != 0 ||
		    strcmp(f[1], "1") != 0 || strncmp(f[2], "id=", 3) != 0 ||
		    strncmp(f[3], "volume=", 7) != 0)
			goto bad;
		if (strcmp(f[2] + 3, r->id) != 0)
			return ctx_set_error(r->ctx, OFFMIG_ECORRUPT, 0, "%s/%s:1: "
			    "made for another store (id %s, this store is %s)",
			    r->storepath, STORE_RESTORED, f[2] + 3, r->id);
		return OFFMIG_OK;
	}
	if (r->rsealed)
		return ctx_set_error(r->ctx, OFFMIG_ECORRUPT, 0, "%s/%s:%u: "
		    "a line after the seal", r->storepath, STORE_RESTORED,
		    lineno);
	if (n == 3 && strcmp(f[0], "S") == 0) {
		r->rsealed = 1;
		return OFFMIG_OK;
	}
	if (n != 5 || strcmp(f[0], "R") != 0)
		goto bad;
	errno = 0;
	seq = strtoull(f[1], &end, 10);
	if (errno != 0 || *end != '\0' || f[1][0] == '\0' || seq == 0 ||
	    seq > r->nobj)
		goto bad;
	r->done[(seq - 1) / 8] |= (unsigned char)(1u << ((seq - 1) % 8));
	r->recorded++;
	return OFFMIG_OK;
bad:
	return ctx_set_error(r->ctx, OFFMIG_ECORRUPT, 0, "%s/%s:%u: not a "
	    "restore record", r->storepath, STORE_RESTORED, lineno);
}

/*
 * Opens (or, unless dry, creates) STORE/restored and reads what earlier
 * runs recorded; a torn last line (a kill in the middle of a write) is cut
 * off.
 */
static int
restored_open(struct restore *r)
{
	struct mbuf line = { 0 };
	struct stat st;
	char buf[65536];
	off_t off = 0, good = 0;
	unsigned lineno = 0;
	ssize_t n;
	int fd, ret = OFFMIG_OK;

	sha256_init(&r->sha);
	fd = openat(r->storefd, STORE_RESTORED, (r->dry ? O_RDONLY : O_RDWR) |
	    O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && !r->dry && fstat(fd, &st) == 0 && st.st_size == 0) {
		/* Made by a run killed before its first line: start it again. */
		close(fd);
		if (unlinkat(r->storefd, STORE_RESTORED, 0) != 0)
			return ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s",
			    r->storepath, STORE_RESTORED);
		fd = -1;
		errno = ENOENT;
	}
	if (fd < 0 && errno == ENOENT) {
		struct mbuf b = { 0 };
		char *abs;

		if (r->dry)
			return OFFMIG_OK;
		fd = openat(r->storefd, STORE_RESTORED, O_RDWR | O_CREAT |
		    O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s",
			    r->storepath, STORE_RESTORED);
		abs = realpath(r->volroot, NULL);
		mbuf_add(&b, "offmig-restored\t1\tid=", 21);
		mbuf_add(&b, r->id, 32);
		mbuf_add(&b, "\tvolume=", 8);
		mbuf_add_escaped(&b, abs != NULL ? abs : r->volroot,
		    strlen(abs != NULL ? abs : r->volroot));
		mbuf_add(&b, "\n", 1);
		free(abs);
		if (b.oom)
			ret = ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "restored");
		else if (io_write_all(fd, b.p, b.len) != 0 ||
		    fdatasync(fd) != 0 || fsync(r->storefd) != 0)
			ret = ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s",
			    r->storepath, STORE_RESTORED);
		else
			sha256_update(&r->sha, b.p, b.len);
		mbuf_free(&b);
		if (ret != OFFMIG_OK) {
			close(fd);
			return ret;
		}
		r->rfd = fd;
		return OFFMIG_OK;
	}
	if (fd < 0)
		return ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s",
		    r->storepath, STORE_RESTORED);
	while (ret == OFFMIG_OK && (n = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t i, start = 0;

		for (i = 0; i < n && ret == OFFMIG_OK; i++) {
			if (buf[i] != '\n')
				continue;
			mbuf_add(&line, buf + start, (size_t)(i - start));
			if (line.oom) {
				ret = ctx_set_error(r->ctx, OFFMIG_ENOMEM,
				    ENOMEM, "restored");
				break;
			}
			if (line.len > RESTORED_MAX_LINE || memchr(line.p, 0,
			    line.len) != NULL) {
				ret = ctx_set_error(r->ctx, OFFMIG_ECORRUPT, 0,
				    "%s/%s:%u: line too long or with a NUL",
				    r->storepath, STORE_RESTORED, lineno + 1);
				break;
			}
			mbuf_add(&line, "", 1);	/* room for the NUL */
			if (line.oom) {
				ret = ctx_set_error(r->ctx, OFFMIG_ENOMEM,
				    ENOMEM, "restored");
				break;
			}
			if (strncmp(line.p, "S\t", 2) != 0)
				sha256_update(&r->sha, line.p, line.len - 1),
				sha256_update(&r->sha, "\n", 1);
			ret = restored_line(r, line.p, line.len - 1, ++lineno,
			    r->volroot);
			line.len = 0;
			start = i + 1;
			good = off + i + 1;
		}
		if (ret == OFFMIG_OK && start < n) {
			mbuf_add(&line, buf + start, (size_t)(n - start));
			if (line.len > RESTORED_MAX_LINE)
				ret = ctx_set_error(r->ctx, OFFMIG_ECORRUPT, 0,
				    "%s/%s:%u: line too long", r->storepath,
				    STORE_RESTORED, lineno + 1);
		}
		off += n;
	}
	if (ret == OFFMIG_OK && off == 0) {
		/* Empty (a dry run sees what a killed first run left): nothing recorded. */
		mbuf_free(&line);
		close(fd);
		return OFFMIG_OK;
	}
	if (ret == OFFMIG_OK && lineno == 0) {
		/* Only a torn first line: nothing was recorded; start again. */
		mbuf_free(&line);
		close(fd);
		if (r->dry)
			return OFFMIG_OK;
		if (unlinkat(r->storefd, STORE_RESTORED, 0) != 0)
			return ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s",
			    r->storepath, STORE_RESTORED);
		return restored_open(r);
	}
	if (ret == OFFMIG_OK && good < off) {
		/* A torn last record: cut it off (its object is placed again or adopted). */
		if (r->rsealed)
			ret = ctx_set_error(r->ctx, OFFMIG_ECORRUPT, 0, "%s/%s: "
			    "bytes after the seal", r->storepath,
			    STORE_RESTORED);
		else if (!r->dry && ftruncate(fd, good) != 0)
			ret = ctx_set_error(r->ctx, OFFMIG_EIO, errno,
			    "%s/%s: cutting a torn last line", r->storepath,
			    STORE_RESTORED);
	}
	mbuf_free(&line);
	if (ret != OFFMIG_OK) {
		close(fd);
		return ret;
	}
	if (r->dry) {
		close(fd);
		return OFFMIG_OK;
	}
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s",
		    r->storepath, STORE_RESTORED);
	}
	r->rfd = fd;
	return OFFMIG_OK;
}

/* Writes the seal of restored: every object has its record. */
static int
restored_seal(struct restore *r)
{
	unsigned char d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN + 1], line[160];
	int ret;

	if ((ret = records_sync(r)) != OFFMIG_OK)
		return ret;
	sha256_final(&r->sha, d);
	sha256_hex(d, hex);
	snprintf(line, sizeof(line), "S\tobjects=%" PRIu64 "\tsha256=%s\n",
	    r->recorded, hex);
	if (store_fault("record"))
		return fatal_fault(r, "restored: seal");
	if (io_write_all(r->rfd, line, strlen(line)) != 0 ||
	    fdatasync(r->rfd) != 0)
		return ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s/%s: seal",
		    r->storepath, STORE_RESTORED);
	r->rsealed = 1;
	snprintf(line, sizeof(line), "objects=%" PRIu64, r->recorded);
	return journal(r, "done", line);
}

/* Reads the header's id and mode (store_header_read() checks it whole). */
static int
header_read(struct restore *r)
{
	struct store_header h;
	int ret;

	ret = store_header_read(r->ctx, r->storefd, r->storepath, &h);
	if (ret == OFFMIG_ENOTFOUND)
		ret = ctx_set_error(r->ctx, OFFMIG_ECORRUPT, ENOENT, "%s/%s "
		    "(not an offmig store)", r->storepath, STORE_HEADER);
	if (ret == OFFMIG_OK) {
		memcpy(r->id, h.id, 33);
		r->copystore = strcmp(h.mode, "copy") == 0;
	}
	store_header_release(&h);
	return ret;
}

/*
 * First pass: the whole manifest is read and checked (the reader checks
 * every line and the seal), the users' U records kept, the totals counted.
 */
static int
first_pass(struct restore *r)
{
	struct manifest_reader *rd = NULL;
	struct manifest_record rec;
	char *name;
	int ret;

	if ((name = str_join_path(r->storepath, STORE_MANIFEST)) == NULL)
		return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "manifest");
	if ((ret = manifest_open(r->ctx, r->storefd, name, &rd)) != OFFMIG_OK)
		goto out;
	if (strcmp(manifest_id(rd), r->id) != 0) {
		ret = ctx_set_error(r->ctx, OFFMIG_ECORRUPT, 0, "%s:1: store id "
		    "is not the header's", name);
		goto out;
	}
	while ((ret = manifest_next(rd, &rec)) > 0) {
		struct ruser *u;

		if (rec.kind != 'U') {
			r->nobj = rec.seq;
			r->nbytes += rec.size;
			if (rec.sid[0] != '\0' && user_add(r, rec.sid) == NULL) {
				ret = ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM,
				    "%s: too many users", name);
				goto out;
			}
			continue;
		}
		if ((u = user_add(r, rec.sid)) == NULL) {
			ret = ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "%s: "
			    "too many users", name);
			goto out;
		}
		free(u->user);
		free(u->profile);
		u->user = rec.winpath[0] != '\0' ? strdup(rec.winpath) : NULL;
		u->profile = rec.host_path[0] != '\0' ? strdup(rec.host_path) :
		    NULL;
	}
	if (ret < 0)
		goto out;
	if (!manifest_sealed(rd)) {
		ret = ctx_set_error(r->ctx, OFFMIG_EUNSAFE, 0, "%s: the store is "
		    "incomplete (its manifest has no seal: store create was "
		    "interrupted); run 'offmig store create' again on the old "
		    "volume to finish it, or check it with 'offmig store "
		    "verify'", r->storepath);
		goto out;
	}
	ret = OFFMIG_OK;
out:
	manifest_close(rd);
	free(name);
	return ret;
}

/* The folder "name" of the new profile sid in the folders report, as a host path. */
static char *
new_folder(struct restore *r, const char *sid, const char *name)
{
	const struct offmig_node *profs, *p = NULL, *fs;
	size_t i, n;

	if (r->folders == NULL || name == NULL)
		return NULL;
	profs = offmig_node_get(offmig_doc_root(r->folders), "profiles");
	n = offmig_node_len(profs);
	for (i = 0; i < n && p == NULL; i++) {
		const char *s = offmig_node_get_str(offmig_node_at(profs, i),
		    "sid");

		if (s != NULL && strcmp(s, sid) == 0)
			p = offmig_node_at(profs, i);
	}
	fs = offmig_node_get(p, "folders");
	n = offmig_node_len(fs);
	for (i = 0; i < n; i++) {
		const struct offmig_node *f = offmig_node_at(fs, i);
		const char *fn = offmig_node_get_str(f, "name"), *h;

		if (fn == NULL || strcmp(fn, name) != 0)
			continue;
		if ((h = offmig_node_get_str(f, "host_path")) != NULL)
			return strdup(h);
		return win_to_rel(offmig_node_get_str(f, "path"),
		    r->vol->sysdrive);
	}
	return NULL;
}

/* Finds each store user's new profile and folders. */
static int
users_map(struct restore *r, const struct offmig_filter *filter)
{
	size_t i, j;

	for (i = 0; i < r->nusers; i++) {
		struct ruser *u = &r->users[i];
		struct profile fake;

		memset(&fake, 0, sizeof(fake));
		fake.sid = u->sid;
		fake.user = u->user;
		fake.status = PROFILE_OK;
		fake.last_use = NO_TIME;
		u->selected = filter_match(filter, &fake);
		u->oldrel = win_to_rel(u->profile, 'C');
		if (u->user == NULL)
			continue;
		if (r->pl != NULL) {
			const struct profile *p = profile_find(r->pl, u->user);

			if (p != NULL && p->status != PROFILE_SYSTEM &&
			    p->status != PROFILE_ORPHAN_FOLDER && (p->user ==
			    NULL || wstrcasecmp(p->user, u->user) == 0))
				u->np = p;
		}
		if (u->np != NULL) {
			u->newroot = u->np->host_path != NULL ?
			    strdup(u->np->host_path) :
			    win_to_rel(u->np->path, r->vol->sysdrive);
			for (j = 0; j < NKF; j++)
				u->kf[j] = new_folder(r, u->np->sid,
				    kfolders[j].name);
		}
		if (u->newroot == NULL)
			u->newroot = str_printf("%s/%s", r->pl != NULL &&
			    r->pl->profiles_dir_host != NULL ?
			    r->pl->profiles_dir_host : "Users", u->user);
		if (u->newroot == NULL)
			return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "users");
	}
	return OFFMIG_OK;
}

/* XP's common folders (below "Documents and Settings/All Users") on Vista and later. */
static const struct { const char *xp, *now; } common_map[] = {
	{ "Documents/My Music", "Users/Public/Music" },
	{ "Documents/My Pictures", "Users/Public/Pictures" },
	{ "Documents/My Videos", "Users/Public/Videos" },
	{ "Documents", "Users/Public/Documents" },
	{ "Desktop", "Users/Public/Desktop" },
	{ "Favorites", "Users/Public/Favorites" },
	{ "Application Data", "ProgramData" },
	{ "Start Menu", "ProgramData/Microsoft/Windows/Start Menu" },
	{ "Templates", "ProgramData/Microsoft/Windows/Templates" },
	{ "", "ProgramData" },	/* All Users itself is ProgramData now */
};

#define XP_PROFILES	"Documents and Settings/"

/*
 * An XP path below "Documents and Settings" on a volume that lays profiles
 * out as Vista and later do: All Users' folders to Public and ProgramData,
 * another profile (of a user without a U record) to Users/NAME with its
 * known folders mapped.  NULL when p is no such path (or on ENOMEM).
 */
static char *
map_xp_machine(const char *p)
{
	size_t n = strlen(XP_PROFILES), i, k;
	const char *rest, *slash;
	char *m, *out;

	if (strncasecmp(p, XP_PROFILES, n) != 0)
		return NULL;
	p += n;
	if (strncasecmp(p, "All Users/", 10) == 0) {
		p += 10;
		for (i = 0; i < sizeof(common_map) / sizeof(common_map[0]); i++)
			if ((k = kf_prefix(p, common_map[i].xp)) > 0 ||
			    common_map[i].xp[0] == '\0') {
				rest = p + k + (p[k] == '/');
				return join2(common_map[i].now, rest);
			}
		return NULL;
	}
	if ((slash = strchr(p, '/')) == NULL || slash == p)
		return NULL;
	if ((m = restore_map_default(slash + 1, NULL, NULL)) == NULL)
		return NULL;
	if (strncasecmp(p, "Default User/", 13) == 0)
		out = join2("Users/Default", m);
	else
		out = str_printf("Users/%.*s/%s", (int)(slash - p), p, m);
	free(m);
	return out;
}

/*
 * Where an object goes, below the volume root (caller frees).  User
 * objects below the old profile go below the new one, mapped by known
 * folder; everything else keeps its place.
 */
static char *
map_dest(struct restore *r, const struct manifest_record *rec,
    struct ruser *u)
{
	const char *rest;
	char *dest, *m;
	size_t n;
	int k;

	if (u == NULL || u->oldrel == NULL || u->newroot == NULL ||
	    (n = ci_under(rec->host_path, u->oldrel)) == 0) {
		if (r->xp_remap && (dest = map_xp_machine(rec->host_path)) !=
		    NULL)
			return dest;
		return strdup(rec->host_path);
	}
	k = kf_match(rec->host_path + n + 1, &rest);
	if (k >= 0 && u->kf[k] != NULL)
		dest = join2(u->kf[k], rest);
	else {
		if ((m = restore_map_default(rec->host_path + n + 1, NULL,
		    NULL)) == NULL)
			return NULL;
		dest = join2(u->newroot, m);
		free(m);
	}
	/* The same place: keep the names exactly as they were stored. */
	if (dest != NULL && wstrcasecmp(dest, rec->host_path) == 0) {
		free(dest);
		dest = strdup(rec->host_path);
	}
	return dest;
}

/* Closes the cached destination folder. */
/* The case set's states, and how many names it holds at most. */
#define CS_UNREAD	0
#define CS_READ		1
#define CS_TOOBIG	2	/* a folder that large is searched name by name */
#define CS_MAX		(1u << 20)

/*
 * A fingerprint of name as Windows compares names: FNV-1a over its code
 * points upper-cased as wstrcasecmp() does (invalid bytes kept apart from
 * every code point), never 0.  Two names wstrcasecmp() finds equal have
 * the same fingerprint.
 */
static uint64_t
fold_hash(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t cp;
	size_t n;

	while (*p != '\0') {
		if (*p < 0x80) {
			cp = *p >= 'a' && *p <= 'z' ? *p - 0x20u : *p;
			p++;
		} else {
			n = utf8_decode(p, strnlen((const char *)p, 4), &cp);
			if (n == 0) {
				cp = 0x110000u + *p;
				n = 1;
			}
			p += n;
			cp = wupcase(cp);
		}
		h = (h ^ (cp & 0xff)) * 0x100000001b3ULL;
		h = (h ^ ((cp >> 8) & 0xff)) * 0x100000001b3ULL;
		h = (h ^ (cp >> 16)) * 0x100000001b3ULL;
	}
	return h != 0 ? h : 1;
}

/* Adds a fingerprint; 0 on success (or when the set gave up), -1 ENOMEM. */
static int
cs_add(struct restore *r, uint64_t h)
{
	size_t i;

	if (r->csstate != CS_READ)
		return 0;
	if ((r->csn + 1) * 2 > r->cscap) {
		size_t cap = r->cscap ? r->cscap * 2 : 256, j;
		uint64_t *n;

		if (r->csn + 1 > CS_MAX) {
			r->csstate = CS_TOOBIG;
			return 0;
		}
		if ((n = calloc(cap, sizeof(*n))) == NULL)
			return -1;
		for (j = 0; j < r->cscap; j++) {
			if (r->cs[j] == 0)
				continue;
			for (i = (size_t)r->cs[j] & (cap - 1); n[i] != 0;
			    i = (i + 1) & (cap - 1))
				;
			n[i] = r->cs[j];
		}
		free(r->cs);
		r->cs = n;
		r->cscap = cap;
	}
	for (i = (size_t)h & (r->cscap - 1); r->cs[i] != 0;
	    i = (i + 1) & (r->cscap - 1))
		if (r->cs[i] == h)
			return 0;
	r->cs[i] = h;
	r->csn++;
	return 0;
}

static int
cs_has(const struct restore *r, uint64_t h)
{
	size_t i;

	if (r->cscap == 0)
		return 0;
	for (i = (size_t)h & (r->cscap - 1); r->cs[i] != 0;
	    i = (i + 1) & (r->cscap - 1))
		if (r->cs[i] == h)
			return 1;
	return 0;
}

/* Empties the set for a new folder (keeping its memory). */
static void
cs_reset(struct restore *r, int state)
{
	if (r->cscap > 1024) {
		/* A large folder's table: not cleared again and again. */
		free(r->cs);
		r->cs = NULL;
		r->cscap = 0;
	} else if (r->cs != NULL)
		memset(r->cs, 0, r->cscap * sizeof(*r->cs));
	r->csn = 0;
	r->csstate = state;
}

/* Reads the names of r->dfd into the set.  <0: a fatal error. */
static int
cs_load(struct restore *r)
{
	struct dirent *de;
	DIR *d;
	int fd;

	cs_reset(r, CS_READ);
	if ((fd = openat(r->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		r->csstate = CS_TOOBIG;	/* searched name by name, then */
		return OFFMIG_OK;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				r->csstate = CS_TOOBIG;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (cs_add(r, fold_hash(de->d_name)) != 0) {
			closedir(d);
			return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "restore");
		}
		if (r->csstate != CS_READ)
			break;
	}
	closedir(d);
	return OFFMIG_OK;
}

/*
 * The entry of the open destination folder whose name is name as Windows
 * compares names (the exact name first): 1 with *foundp the name on the
 * disk (caller frees), 0 with *foundp NULL when there is none, or a fatal
 * error (< 0).  Costs a lookup in the folder's set in the common case.
 */
static int
ci_find(struct restore *r, const char *name, char **foundp)
{
	struct offmig_ctx quiet;
	int ret;

	*foundp = NULL;
	if (r->csstate == CS_UNREAD && (ret = cs_load(r)) != OFFMIG_OK)
		return ret;
	if (r->csstate == CS_READ && !cs_has(r, fold_hash(name)))
		return 0;
	memset(&quiet, 0, sizeof(quiet));
	ret = vpath_lookup(&quiet, r->dfd, name, foundp);
	if (ret == OFFMIG_ENOMEM)
		return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
	if (ret != OFFMIG_OK) {
		*foundp = NULL;
		return 0;
	}
	return 1;
}

/* A name now taken in the open destination folder. */
static int
ci_note(struct restore *r, const char *name)
{
	if (cs_add(r, fold_hash(name)) != 0)
		return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
	return OFFMIG_OK;
}

static void
dcache_drop(struct restore *r)
{
	r->csstate = CS_UNREAD;
	if (r->dfd >= 0)
		close(r->dfd);
	r->dfd = -1;
	free(r->dpath);
	free(r->dact);
	r->dpath = r->dact = NULL;
}

/*
 * Opens the folder path (below the volume root) one component at a time,
 * O_NOFOLLOW | O_DIRECTORY, each name found as Windows would (an existing
 * "documents" is "Documents"), making the missing ones unless dry.
 * *createdp says whether the last component was made.  Returns
 * OFFMIG_OK, OFFMIG_ENOTFOUND (dry, a component missing), OFFMIG_EUNSAFE
 * (a symbolic link on the way: msg says where), OFFMIG_EIO with errno
 * in *errp for other per-object failures, or a fatal error (< 0 and
 * *errp == -1).
 */
static int
dest_dir(struct restore *r, const char *path, int *createdp, char *msg,
    size_t msgsize, int *errp)
{
	struct offmig_ctx quiet;
	struct mbuf act = { 0 };
	char *copy, *p, *q;
	int fd, made_parent = 0, ret = OFFMIG_OK;

	*createdp = 0;
	*errp = 0;
	msg[0] = '\0';
	if (r->dpath != NULL && strcmp(r->dpath, path) == 0)
		return OFFMIG_OK;
	dcache_drop(r);
	if ((copy = strdup(path)) == NULL) {
		*errp = -1;
		return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
	}
	memset(&quiet, 0, sizeof(quiet));
	fd = fcntl(r->volfd, F_DUPFD_CLOEXEC, 0);
	for (p = copy; fd >= 0 && p != NULL && *p != '\0'; p = q) {
		char *found = NULL;
		const char *name = p;
		int nfd, made = 0;

		if ((q = strchr(p, '/')) != NULL)
			*q++ = '\0';
		nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT) {
			if (!made_parent && vpath_lookup(&quiet, fd, p, &found) ==
			    OFFMIG_OK) {
				name = found;
				nfd = openat(fd, found, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
			} else if (r->dry) {
				ret = OFFMIG_ENOTFOUND;
				goto done;
			} else {
				if (store_fault("mkdir")) {
					ret = fatal_fault(r, "mkdir");
					*errp = -1;
					goto done;
				}
				if (mkdirat(fd, p, 0755) != 0 && errno != EEXIST) {
					*errp = errno;
					snprintf(msg, msgsize, "making folder "
					    "'%.*s': %s", (int)act.len,
					    act.p != NULL ? act.p : "",
					    strerror(errno));
					ret = OFFMIG_EIO;
					goto done;
				}
				made = 1;
				nfd = openat(fd, p, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
			}
		}
		if (nfd < 0) {
			struct stat st;
			int e = errno;

			if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode)) {
				snprintf(msg, msgsize, "'%s%s%s' is a symbolic "
				    "link (or junction): not followed, nothing "
				    "written through it", act.p != NULL ?
				    act.p : "", act.len > 0 ? "/" : "", name);
				ret = OFFMIG_EUNSAFE;
			} else {
				snprintf(msg, msgsize, "'%s%s%s': %s",
				    act.p != NULL ? act.p : "", act.len > 0 ?
				    "/" : "", name, e == ENOTDIR ?
				    "a file is where a folder should be" :
				    strerror(e));
				ret = OFFMIG_EIO;
				*errp = e;
			}
			free(found);
			goto done;
		}
		if (act.len > 0)
			mbuf_add(&act, "/", 1);
		mbuf_add(&act, name, strlen(name));
		free(found);
		close(fd);
		fd = nfd;
		made_parent = made;
		*createdp = made;
	}
	if (fd < 0) {
		ret = ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s", r->volroot);
		*errp = -1;
		goto done;
	}
	mbuf_add(&act, "", 1);
	if (act.oom) {
		ret = ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
		*errp = -1;
		goto done;
	}
	r->dfd = fd;
	fd = -1;
	/* A folder just made holds nothing: no need to read it. */
	if (made_parent)
		cs_reset(r, CS_READ);
	r->dact = act.p;
	act.p = NULL;
	if ((r->dpath = strdup(path)) == NULL) {
		dcache_drop(r);
		ret = ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
		*errp = -1;
	}
done:
	if (fd >= 0)
		close(fd);
	mbuf_free(&act);
	free(copy);
	return ret;
}

/* Opens the store folder holding store_path; *namep points at its last name. */
static int
store_dir(struct restore *r, const char *store_path, const char **namep)
{
	const char *slash = strrchr(store_path, '/');
	char *parent;

	*namep = slash + 1;
	if ((parent = strndup(store_path, (size_t)(slash - store_path))) ==
	    NULL)
		return -1;
	if (r->spath != NULL && strcmp(r->spath, parent) == 0) {
		free(parent);
		return r->sfd;
	}
	if (r->sfd >= 0)
		close(r->sfd);
	free(r->spath);
	r->spath = parent;
	r->sfd = vpath_open_beneath(r->storefd, parent, O_RDONLY |
	    O_DIRECTORY);
	if (r->sfd < 0 && errno == ENOSYS) {
		/* Without openat2: one component at a time, O_NOFOLLOW. */
		char *copy = strdup(parent), *p, *q;
		int fd = fcntl(r->storefd, F_DUPFD_CLOEXEC, 0), next;

		for (p = copy; copy != NULL && fd >= 0 && p != NULL; p = q) {
			if ((q = strchr(p, '/')) != NULL)
				*q++ = '\0';
			next = openat(fd, p, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			close(fd);
			fd = next;
		}
		free(copy);
		r->sfd = fd;
	}
	if (r->sfd < 0) {
		free(r->spath);
		r->spath = NULL;
	}
	return r->sfd;
}

/*
 * The store's file for rec, checked: a regular file (no link followed),
 * with the recorded size and mtime and, in a hard-link store, the
 * recorded inode.  Returns 0, or -1 with msg set.
 */
static int
store_file(struct restore *r, const struct manifest_record *rec, int *sfdp,
    const char **snamep, struct stat *st, char *msg, size_t msgsize)
{
	int64_t mt;

	if ((*sfdp = store_dir(r, rec->store_path, snamep)) < 0) {
		snprintf(msg, msgsize, "%s: its folder in the store cannot be "
		    "opened: %s", rec->store_path, errno == ELOOP ||
		    errno == EXDEV ? "a symbolic link is in the way" :
		    strerror(errno));
		return -1;
	}
	if (fstatat(*sfdp, *snamep, st, AT_SYMLINK_NOFOLLOW) != 0) {
		snprintf(msg, msgsize, "%s is missing from the store",
		    rec->store_path);
		return -1;
	}
	mt = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	if (rec->kind == 'd' ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode)) {
		snprintf(msg, msgsize, "%s in the store is not a %s",
		    rec->store_path, rec->kind == 'd' ? "folder" : "file");
		return -1;
	}
	if (rec->kind != 'd' && ((uint64_t)st->st_size != rec->size ||
	    mt != rec->mtime_ns || (!r->copystore && rec->kind == 'f' &&
	    (uint64_t)st->st_ino != rec->ino))) {
		snprintf(msg, msgsize, "%s in the store changed since it was "
		    "captured (%s differs from the manifest): the store file was "
		    "swapped or modified", rec->store_path,
		    (uint64_t)st->st_size != rec->size ? "size" :
		    mt != rec->mtime_ns ? "mtime" : "inode");
		return -1;
	}
	return 0;
}

/* Non-zero when files a and b (open) have the same bytes. */
static int
same_content(int a, int b, off_t size)
{
	static char x[65536], y[65536];
	off_t off = 0;

	while (off < size) {
		ssize_t n = pread(a, x, sizeof(x), off), m;

		if (n <= 0)
			return 0;
		m = pread(b, y, (size_t)n, off);
		if (m != n || memcmp(x, y, (size_t)n) != 0)
			return 0;
		off += n;
	}
	return 1;
}

/*
 * Non-zero when dfd/name already is the store's file: the same inode, or
 * (copies) a regular file of the same size, mtime and content.
 */
static int
is_ours(struct restore *r, int dfd, const char *name, const struct stat *dst,
    int sfd, const char *sname, const struct stat *sst)
{
	int a, b, same = 0;

	(void)r;
	if (dst->st_dev == sst->st_dev && dst->st_ino == sst->st_ino)
		return 1;
	if (!S_ISREG(dst->st_mode) || dst->st_size != sst->st_size ||
	    dst->st_mtim.tv_sec != sst->st_mtim.tv_sec ||
	    dst->st_mtim.tv_nsec != sst->st_mtim.tv_nsec)
		return 0;
	a = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	b = openat(sfd, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (a >= 0 && b >= 0)
		same = same_content(a, b, sst->st_size);
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return same;
}

/*
 * The NTFS attributes of a manifest record (8 hex digits) as the bytes of
 * ntfs-3g's attribute xattr; 0 when there are none or r takes none.
 */
static int
attr_bytes(const struct restore *r, const char *attrs, unsigned char v[4])
{
	unsigned long a;
	char *end;

	if (r->attrs_ok == 0 || attrs == NULL || strlen(attrs) != 8)
		return 0;
	a = strtoul(attrs, &end, 16);
	if (*end != '\0')
		return 0;
	v[0] = (unsigned char)(a >> 24);
	v[1] = (unsigned char)(a >> 16);
	v[2] = (unsigned char)(a >> 8);
	v[3] = (unsigned char)a;
	return 1;
}

/* Sets the NTFS attributes on fd when the filesystem takes them. */
static void
set_attrs(struct restore *r, int fd, const char *attrs)
{
	unsigned char v[4];

	if (!attr_bytes(r, attrs, v))
		return;
	if (fsetxattr(fd, NTFS_ATTRIB_XATTR, v, 4, 0) == 0)
		r->attrs_ok = 1;
	else if (errno == ENOTSUP || errno == EOPNOTSUPP || errno == EPERM ||
	    errno == ENODATA)
		r->attrs_ok = 0;
}

/*
 * The same for a folder made by restore.  A refusal here says nothing of
 * files (some file systems take a file's attributes and not a folder's),
 * so it does not turn attributes off for the rest of the run.
 */
static void
set_dir_attrs(struct restore *r, int fd, const char *attrs)
{
	unsigned char v[4];

	if (!attr_bytes(r, attrs, v))
		return;
	if (fsetxattr(fd, NTFS_ATTRIB_XATTR, v, 4, 0) != 0 &&
	    errno != ENOTSUP && errno != EOPNOTSUPP)
		ctx_log(r->ctx, OFFMIG_LOG_WARN, "setting a folder's NTFS "
		    "attributes (%s): %s", attrs, strerror(errno));
}

/* What copy_in() and place() return besides OFFMIG_OK and fatal errors (< 0). */
#define PLACE_EXISTS	1	/* the name is taken (msg set) */
#define PLACE_FAILED	2	/* this object failed (msg set) */

/*
 * Copies the store file into dfd/name: through RESTORE_TMP, data by
 * FICLONE, copy_file_range or read/write, mode, NTFS attributes and times
 * set, fsync, rename (replacing only when replace is set).  Returns
 * OFFMIG_OK, a fatal error, or OFFMIG_EIO with msg for this object.
 */
static int
copy_in(struct restore *r, const struct manifest_record *rec, int sfd,
    const char *sname, const struct stat *sst, int dfd, const char *name,
    int replace, char *msg, size_t msgsize)
{
	struct timespec ts[2];
	struct stat in_st;
	char buf[65536];
	int in, out = -1, done = 0;
	off_t left;

	if (store_fault("copy"))
		return fatal_fault(r, "copy");
	in = openat(sfd, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (in < 0 || fstat(in, &in_st) != 0 || in_st.st_ino != sst->st_ino ||
	    in_st.st_dev != sst->st_dev) {
		snprintf(msg, msgsize, "%s: the store file changed while being "
		    "opened", rec->store_path);
		goto fail;
	}
	if (unlinkat(dfd, RESTORE_TMP, 0) != 0 && errno != ENOENT) {
		snprintf(msg, msgsize, "removing a copy left by an interrupted "
		    "run: %s", strerror(errno));
		goto fail;
	}
	out = openat(dfd, RESTORE_TMP, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		snprintf(msg, msgsize, "creating the copy: %s", strerror(errno));
		goto fail;
	}
#ifdef FICLONE
	if (sst->st_size > 0 && ioctl(out, FICLONE, in) == 0)
		done = 1;
#endif
	for (left = sst->st_size; !done && left > 0;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL,
		    (size_t)(left > (1 << 30) ? (1 << 30) : left), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;		/* read and write instead */
		if (n == 0) {
			snprintf(msg, msgsize, "%s: shorter than recorded",
			    rec->store_path);
			goto fail;
		}
		left -= n;
	}
	if (!done && left > 0) {
		off_t off = sst->st_size - left;

		while (left > 0) {
			ssize_t n = pread(in, buf, sizeof(buf), off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 || pwrite(out, buf, (size_t)n, off) != n) {
				snprintf(msg, msgsize, "copying: %s", n == 0 ?
				    "the store file is shorter than recorded" :
				    strerror(errno));
				goto fail;
			}
			off += n;
			left -= n;
		}
	}
	if (fchmod(out, rec->mode & 07777) != 0) {
		snprintf(msg, msgsize, "setting the mode: %s", strerror(errno));
		goto fail;
	}
	set_attrs(r, out, rec->attrs);
	ts[0] = sst->st_atim;
	ts[1].tv_sec = (time_t)(rec->mtime_ns / 1000000000);
	ts[1].tv_nsec = (long)(rec->mtime_ns % 1000000000);
	if (ts[1].tv_nsec < 0) {
		ts[1].tv_sec--;
		ts[1].tv_nsec += 1000000000;
	}
	if (futimens(out, ts) != 0) {
		snprintf(msg, msgsize, "setting the times: %s", strerror(errno));
		goto fail;
	}
	if (store_fault("fsync")) {
		close(in);
		close(out);
		return fatal_fault(r, "fsync of a copy");
	}
	if (fsync(out) != 0) {
		snprintf(msg, msgsize, "fsync of the copy: %s", strerror(errno));
		goto fail;
	}
	close(out);
	out = -1;
	close(in);
	in = -1;
	if (store_fault("rename"))
		return fatal_fault(r, "rename of a copy");
	if (replace ? renameat(dfd, RESTORE_TMP, dfd, name) != 0 :
	    (renameat2(dfd, RESTORE_TMP, dfd, name, RENAME_NOREPLACE) != 0 &&
	    ((errno != EINVAL && errno != ENOSYS) ||
	    renameat(dfd, RESTORE_TMP, dfd, name) != 0))) {
		snprintf(msg, msgsize, "renaming the copy into place: %s",
		    strerror(errno));
		unlinkat(dfd, RESTORE_TMP, 0);
		return PLACE_FAILED;
	}
	return OFFMIG_OK;
fail:
	if (in >= 0)
		close(in);
	if (out >= 0) {
		close(out);
		unlinkat(dfd, RESTORE_TMP, 0);
	}
	return PLACE_FAILED;
}

/*
 * Places the store file at dfd/name (replacing what is there when
 * replace is set): a hard link when possible, else a copy.  *howp is
 * "link" or "copy"; *inop the destination's inode.  PLACE_EXISTS (with
 * msg set) when a link finds the name taken.
 */

static int
place(struct restore *r, const struct manifest_record *rec, int sfd,
    const char *sname, const struct stat *sst, int dfd, const char *name,
    int replace, const char **howp, uint64_t *inop, char *msg,
    size_t msgsize)
{
	struct stat after;
	const char *at = replace ? RESTORE_TMP : name;
	int ret;

	if (r->link) {
		if (store_fault("link"))
			return fatal_fault(r, "link");
		if (replace && unlinkat(dfd, RESTORE_TMP, 0) != 0 &&
		    errno != ENOENT) {
			snprintf(msg, msgsize, "removing a link left by an "
			    "interrupted run: %s", strerror(errno));
			return PLACE_FAILED;
		}
		/*
		 * linkat without AT_SYMLINK_FOLLOW links the name itself,
		 * never what a link points at; the name was checked (inode,
		 * size, mtime) just before.  Nothing is stat'ed afterwards:
		 * restore must stay near "cp -al" (docs/STORE-FORMAT.md).
		 */
		if (linkat(sfd, sname, dfd, at, 0) == 0) {
			if (replace) {
				if (store_fault("rename"))
					return fatal_fault(r, "rename");
				if (renameat(dfd, RESTORE_TMP, dfd, name) != 0) {
					snprintf(msg, msgsize, "replacing: %s",
					    strerror(errno));
					unlinkat(dfd, RESTORE_TMP, 0);
					return PLACE_FAILED;
				}
			}
			*howp = "link";
			*inop = (uint64_t)sst->st_ino;
			return OFFMIG_OK;
		}
		if (errno == EEXIST) {
			snprintf(msg, msgsize, "'%s' appeared while restoring",
			    name);
			return PLACE_EXISTS;
		}
		if (errno != EXDEV && errno != EPERM && errno != EMLINK) {
			snprintf(msg, msgsize, "linking: %s", strerror(errno));
			return PLACE_FAILED;
		}
		/* Not on the same filesystem after all (or no links): copy. */
		if (errno == EXDEV)
			r->link = 0;
	}
	ret = copy_in(r, rec, sfd, sname, sst, dfd, name, replace, msg,
	    msgsize);
	if (ret != OFFMIG_OK)
		return ret;
	if (fstatat(dfd, name, &after, AT_SYMLINK_NOFOLLOW) != 0) {
		snprintf(msg, msgsize, "the copy vanished: %s", strerror(errno));
		return PLACE_FAILED;
	}
	*howp = "copy";
	*inop = (uint64_t)after.st_ino;
	return OFFMIG_OK;
}

/* "name(N).ext" (USMT's form; the extension is what follows the last '.'). */
static char *
candidate(const char *name, unsigned i)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL || dot == name)
		return str_printf("%s(%u)", name, i);
	return str_printf("%.*s(%u)%s", (int)(dot - name), name, i, dot);
}

/* Adds a line to the dry-run listing. */
static void
dry_note(struct restore *r, const struct manifest_record *rec,
    const struct ruser *u, const char *to, const char *how)
{
	struct offmig_node *o;

	if (!r->dry || r->place_ret < 0)
		return;
	if (r->place_fn != NULL) {
		struct offmig_placement p;
		int ret;

		p.seq = rec->seq;
		p.kind = rec->kind;
		p.user = u != NULL ? u->user : NULL;
		p.from = rec->host_path[0] != '\0' ? rec->host_path :
		    rec->store_path;
		p.to = to;
		p.how = how;
		if ((ret = r->place_fn(r->place_arg, &p)) < 0)
			r->place_ret = ret;
		return;
	}
	o = doc_push_object(r->doc, r->placements);
	doc_add_int(r->doc, o, "seq", (int64_t)rec->seq);
	doc_add_strn(r->doc, o, "kind", &rec->kind, 1);
	doc_add_str(r->doc, o, "user", u != NULL ? u->user : NULL);
	doc_add_str(r->doc, o, "from", rec->host_path[0] != '\0' ?
	    rec->host_path : rec->store_path);
	doc_add_str(r->doc, o, "to", to);
	doc_add_str(r->doc, o, "how", how);
}

/* Counts a placement. */
static void
count(struct restore *r, const struct manifest_record *rec, struct ruser *u,
    const char *how)
{
	r->objects++;
	r->bytes += rec->size;
	if (u != NULL) {
		u->objects++;
		u->bytes += rec->size;
	}
	if (strcmp(how, "link") == 0)
		r->linked++;
	else if (strcmp(how, "copy") == 0)
		r->copied++;
	else if (strcmp(how, "same") == 0)
		r->same++;
	else if (strcmp(how, "renamed") == 0) {
		r->renamed++;
		if (u != NULL)
			u->renamed++;
	} else if (strcmp(how, "overwritten") == 0)
		r->overwritten++;
	else if (strcmp(how, "skipped") == 0) {
		r->skipped++;
		r->objects--;
		r->bytes -= rec->size;
		if (u != NULL) {
			u->skipped++;
			u->objects--;
			u->bytes -= rec->size;
		}
	}
}

/* dest's folder part and name: "a/b/c" -> "a/b", "c". */
static char *
split(const char *dest, const char **namep)
{
	const char *slash = strrchr(dest, '/');

	if (slash == NULL) {
		*namep = dest;
		return strdup("");
	}
	*namep = slash + 1;
	return strndup(dest, (size_t)(slash - dest));
}

/* The destination host path as stored: the folder's names, then name. */
static char *
full(struct restore *r, const char *name)
{
	return join2(r->dact != NULL ? r->dact : "", name);
}

/* A file ('f') to dest. */
static int
restore_file(struct restore *r, const struct manifest_record *rec,
    struct ruser *u, const char *dest)
{
	char msg[OFFMIG_ERRMSG_MAX], *dir, *cand = NULL, *where = NULL;
	char *ci = NULL, dbuf[NAME_MAX + 1];
	const char *name, *dname, *sname, *how = NULL;
	struct stat sst, dst;
	uint64_t ino = 0;
	int sfd, created, e, taken, ret = OFFMIG_OK;
	unsigned i;

	if (store_file(r, rec, &sfd, &sname, &sst, msg, sizeof(msg)) != 0) {
		item_fail(r, rec, u, 0, "%s", msg);
		return OFFMIG_OK;
	}
	if ((dir = split(dest, &name)) == NULL)
		return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
	ret = dest_dir(r, dir, &created, msg, sizeof(msg), &e);
	free(dir);
	if (ret == OFFMIG_ENOTFOUND) {	/* dry run, a folder to make */
		dry_note(r, rec, u, dest, r->link ? "link" : "copy");
		count(r, rec, u, r->link ? "link" : "copy");
		return OFFMIG_OK;
	}
	if (ret == OFFMIG_EUNSAFE || (ret != OFFMIG_OK && e >= 0)) {
		item_fail(r, rec, u, ret == OFFMIG_EUNSAFE, "%s", msg);
		return OFFMIG_OK;
	}
	if (ret != OFFMIG_OK)
		return ret;
	/*
	 * The name as Windows finds it: an existing "report.docx" is where
	 * "Report.docx" goes (a conflict), never a second name beside it.
	 */
	if ((ret = ci_find(r, name, &ci)) < 0)
		return ret;
	taken = ret;
	dname = name;
	if (ci != NULL) {
		/* A name read from the folder: at most NAME_MAX bytes. */
		snprintf(dbuf, sizeof(dbuf), "%s", ci);
		free(ci);
		ci = NULL;
		dname = dbuf;
	}
	if (!taken && !r->dry && r->link) {
		/* The usual case, a free name: one linkat, no stat. */
		ret = place(r, rec, sfd, sname, &sst, r->dfd, name, 0, &how,
		    &ino, msg, sizeof(msg));
		if (ret == OFFMIG_OK) {
			if ((ret = ci_note(r, name)) != OFFMIG_OK)
				return ret;
			where = full(r, name);
			goto placed;
		}
		if (ret != PLACE_EXISTS) {
			if (ret < 0)
				return ret;
			item_fail(r, rec, u, 0, "%s: %s", dest, msg);
			return OFFMIG_OK;
		}
		how = NULL;
	}
	if (fstatat(r->dfd, dname, &dst, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT) {
			item_fail(r, rec, u, 0, "%s: %s", dest, strerror(errno));
			free(ci);
			return OFFMIG_OK;
		}
		if (r->dry)
			how = r->link ? "link" : "copy";
		else if ((ret = place(r, rec, sfd, sname, &sst, r->dfd, name, 0,
		    &how, &ino, msg, sizeof(msg))) != OFFMIG_OK) {
			free(ci);
			if (ret < 0)
				return ret;
			item_fail(r, rec, u, 0, "%s: %s", dest, msg);
			return OFFMIG_OK;
		} else if ((ret = ci_note(r, name)) != OFFMIG_OK) {
			free(ci);
			return ret;
		}
		where = full(r, name);
	} else if (is_ours(r, r->dfd, dname, &dst, sfd, sname, &sst)) {
		how = "same";
		ino = (uint64_t)dst.st_ino;
		where = full(r, dname);
	} else if (r->conflict == OFFMIG_CONFLICT_SKIP) {
		how = "skipped";
		ino = (uint64_t)dst.st_ino;
		where = full(r, dname);
		ctx_log(r->ctx, OFFMIG_LOG_INFO, "%s: '%s' exists on the volume "
		    "and is kept (--conflict skip); the stored file is not "
		    "restored", rec->winpath, where != NULL ? where : dest);
	} else if (r->conflict == OFFMIG_CONFLICT_RENAME ||
	    S_ISDIR(dst.st_mode)) {
		/*
		 * Keep both: the first free "name(N).ext" (free as Windows
		 * compares names), or ours from an earlier run.
		 */
		char *cc = NULL;

		for (i = 1; i <= RESTORE_MAX_CANDIDATES; i++) {
			free(cand);
			free(cc);
			cc = NULL;
			if ((cand = candidate(name, i)) == NULL) {
				free(ci);
				return ctx_set_error(r->ctx, OFFMIG_ENOMEM,
				    ENOMEM, "restore");
			}
			if ((ret = ci_find(r, cand, &cc)) < 0) {
				free(cand);
				free(ci);
				return ret;
			}
			if (ret == 0 || fstatat(r->dfd, cc, &dst,
			    AT_SYMLINK_NOFOLLOW) != 0) {
				if (ret == 1 && errno != ENOENT)
					continue;
				if (!r->dry && (ret = place(r, rec, sfd, sname,
				    &sst, r->dfd, cand, 0, &how, &ino, msg,
				    sizeof(msg))) != OFFMIG_OK) {
					free(cand);
					free(cc);
					free(ci);
					if (ret < 0)
						return ret;
					item_fail(r, rec, u, 0, "%s: %s", dest,
					    msg);
					return OFFMIG_OK;
				}
				if (!r->dry && (ret = ci_note(r, cand)) !=
				    OFFMIG_OK) {
					free(cand);
					free(cc);
					free(ci);
					return ret;
				}
				break;
			}
			if (is_ours(r, r->dfd, cc, &dst, sfd, sname, &sst)) {
				/* Placed by an earlier run: its name on the disk. */
				free(cand);
				cand = cc;
				cc = NULL;
				ino = (uint64_t)dst.st_ino;
				break;
			}
		}
		free(cc);
		if (i > RESTORE_MAX_CANDIDATES) {
			free(cand);
			free(ci);
			item_fail(r, rec, u, 0, "%s: exists, and so do %d other "
			    "names for it", dest, RESTORE_MAX_CANDIDATES);
			return OFFMIG_OK;
		}
		how = "renamed";
		where = full(r, cand);
		free(cand);
	} else {
		/*
		 * Overwrite: the old file keeps another name (a hard link, so
		 * nothing is copied), then the store's file replaces it.
		 */
		char *bak = NULL;
		struct stat bst;

		for (i = 0; i <= RESTORE_MAX_CANDIDATES; i++) {
			free(bak);
			bak = i == 0 ? str_printf("%s%s", dname,
			    RESTORE_OLD_SUFFIX) : str_printf("%s%s.%u", dname,
			    RESTORE_OLD_SUFFIX, i);
			if (bak == NULL)
				return ctx_set_error(r->ctx, OFFMIG_ENOMEM,
				    ENOMEM, "restore");
			if (fstatat(r->dfd, bak, &bst, AT_SYMLINK_NOFOLLOW) !=
			    0) {
				if (errno != ENOENT)
					continue;
				if (r->dry)
					break;
				if (store_fault("backup")) {
					free(bak);
					return fatal_fault(r, "backup link");
				}
				if (linkat(r->dfd, dname, r->dfd, bak, 0) != 0) {
					item_fail(r, rec, u, 0, "%s: keeping the "
					    "old file as %s: %s", dest, bak,
					    strerror(errno));
					free(bak);
					return OFFMIG_OK;
				}
				if ((ret = ci_note(r, bak)) != OFFMIG_OK) {
					free(bak);
					return ret;
				}
				break;
			}
			if (bst.st_ino == dst.st_ino && bst.st_dev == dst.st_dev)
				break;	/* kept by an interrupted run */
		}
		if (i > RESTORE_MAX_CANDIDATES) {
			free(bak);
			item_fail(r, rec, u, 0, "%s: no free name to keep the "
			    "old file", dest);
			return OFFMIG_OK;
		}
		if (!r->dry && (ret = place(r, rec, sfd, sname, &sst, r->dfd,
		    dname, 1, &how, &ino, msg, sizeof(msg))) != OFFMIG_OK) {
			free(bak);
			if (ret < 0)
				return ret;
			item_fail(r, rec, u, 0, "%s: %s", dest, msg);
			return OFFMIG_OK;
		}
		if (!r->dry)
			ctx_log(r->ctx, OFFMIG_LOG_INFO, "%s: the volume's "
			    "file was replaced; it is kept as %s", dest, bak);
		free(bak);
		how = "overwritten";
		where = full(r, dname);
	}
placed:
	if (where == NULL)
		return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
	dry_note(r, rec, u, where, how);
	ret = record(r, rec, where, ino, how);
	if (ret == OFFMIG_OK)
		count(r, rec, u, how);
	free(where);
	return ret;
}

/* An empty folder ('d') at dest. */
static int
restore_folder(struct restore *r, const struct manifest_record *rec,
    struct ruser *u, const char *dest)
{
	char msg[OFFMIG_ERRMSG_MAX];
	struct timespec ts[2];
	struct stat st;
	int created, e, ret;

	ret = dest_dir(r, dest, &created, msg, sizeof(msg), &e);
	if (ret == OFFMIG_ENOTFOUND) {
		dry_note(r, rec, u, dest, "copy");
		count(r, rec, u, "copy");
		return OFFMIG_OK;
	}
	if (ret == OFFMIG_EUNSAFE || (ret != OFFMIG_OK && e >= 0)) {
		item_fail(r, rec, u, ret == OFFMIG_EUNSAFE, "%s", msg);
		return OFFMIG_OK;
	}
	if (ret != OFFMIG_OK)
		return ret;
	if (created) {
		ts[0].tv_sec = (time_t)(rec->mtime_ns / 1000000000);
		ts[0].tv_nsec = (long)(rec->mtime_ns % 1000000000);
		if (ts[0].tv_nsec < 0) {
			ts[0].tv_sec--;
			ts[0].tv_nsec += 1000000000;
		}
		ts[1] = ts[0];
		set_dir_attrs(r, r->dfd, rec->attrs);
		if (fchmod(r->dfd, rec->mode & 07777) != 0 ||
		    futimens(r->dfd, ts) != 0)
			ctx_log(r->ctx, OFFMIG_LOG_WARN, "%s: setting the "
			    "folder's mode and times: %s", dest,
			    strerror(errno));
	}
	if (fstat(r->dfd, &st) != 0)
		return ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s", dest);
	dry_note(r, rec, u, r->dact, created ? "copy" : "same");
	ret = record(r, rec, r->dact, (uint64_t)st.st_ino, created ? "copy" :
	    "same");
	if (ret == OFFMIG_OK)
		count(r, rec, u, created ? "copy" : "same");
	return ret;
}

/* A user's registry export ('r'): merged into the new NTUSER.DAT, or pending. */
static int
restore_registry(struct restore *r, const struct manifest_record *rec,
    struct ruser *u)
{
	char msg[OFFMIG_ERRMSG_MAX], *dirrel = NULL, *dirhost = NULL;
	char *text = NULL, *bak = NULL;
	const char *sname, *base;
	struct hive_builder *b = NULL;
	struct stat sst, hst;
	int sfd, hfd = -1, fd = -1, ret = OFFMIG_OK;
	size_t len = 0;
	ssize_t n;

	if (r->flags & OFFMIG_RESTORE_NO_REGISTRY)
		return OFFMIG_OK;
	if (u == NULL || u->np == NULL || !u->np->hive_present ||
	    u->np->hive_host == NULL) {
		if (u != NULL)
			u->registry = "pending";
		ctx_log(r->ctx, OFFMIG_LOG_INFO, "%s: %s has no profile hive on "
		    "this volume yet: the registry settings stay in the store "
		    "(%s); log on once as %s, then run restore again to merge "
		    "them", rec->winpath, u != NULL && u->user != NULL ?
		    u->user : rec->sid, rec->store_path, u != NULL && u->user !=
		    NULL ? u->user : rec->sid);
		dry_note(r, rec, u, NULL, "pending");
		return OFFMIG_OK;
	}
	if (store_file(r, rec, &sfd, &sname, &sst, msg, sizeof(msg)) != 0) {
		u->registry = "failed";
		item_fail(r, rec, u, 0, "%s", msg);
		return OFFMIG_OK;
	}
	if (r->dry) {
		u->registry = "merge";
		dry_note(r, rec, u, u->np->hive_host, "registry");
		count(r, rec, u, "registry");
		return OFFMIG_OK;
	}
	if (sst.st_size > (off_t)MAX_REG_SIZE) {
		u->registry = "failed";
		item_fail(r, rec, u, 0, "%s: larger than %u MiB", rec->store_path,
		    MAX_REG_SIZE >> 20);
		return OFFMIG_OK;
	}
	fd = openat(sfd, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || (text = malloc((size_t)sst.st_size + 1)) == NULL) {
		ret = fd < 0 ? OFFMIG_EIO : OFFMIG_ENOMEM;
		snprintf(msg, sizeof(msg), "%s", strerror(errno));
		goto fail;
	}
	if ((n = io_read_full(fd, text, (size_t)sst.st_size)) !=
	    (ssize_t)sst.st_size) {
		snprintf(msg, sizeof(msg), "reading %s: %s", rec->store_path,
		    n >= 0 ? "shorter than recorded" : strerror(errno));
		ret = OFFMIG_EIO;
		goto fail;
	}
	len = (size_t)n;
	text[len] = '\0';
	if ((dirrel = split(u->np->hive_host, &base)) == NULL) {
		ret = ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
		goto out;
	}
	ret = vpath_resolve(r->ctx, r->volfd, dirrel, VPATH_DIR, &hfd, &dirhost,
	    NULL);
	if (ret != OFFMIG_OK) {
		snprintf(msg, sizeof(msg), "%s", offmig_errmsg(r->ctx));
		goto fail;
	}
	if (store_fault("registry")) {
		ret = fatal_fault(r, "registry merge");
		goto out;
	}
	if ((ret = hive_writer_open(r->ctx, hfd, dirhost, base, 0, &b)) ==
	    OFFMIG_OK && (ret = hive_builder_apply_reg_prefix(b, text, len,
	    rec->store_path, "HKEY_CURRENT_USER")) != OFFMIG_OK) {
		hive_builder_abort(b);
		b = NULL;
	}
	if (ret == OFFMIG_OK) {
		ret = hive_writer_commit(b, &bak);
		b = NULL;
	}
	if (ret != OFFMIG_OK) {
		snprintf(msg, sizeof(msg), "merging into %s: %s",
		    u->np->hive_host, offmig_errmsg(r->ctx));
		if (ret == OFFMIG_EUNSAFE)
			snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
			    " (run 'offmig hive clean' on the volume, or boot "
			    "Windows and shut it down fully, then restore "
			    "again)");
		goto fail;
	}
	if (fstatat(hfd, base, &hst, AT_SYMLINK_NOFOLLOW) != 0) {
		ret = ctx_set_error(r->ctx, OFFMIG_EIO, errno, "%s",
		    u->np->hive_host);
		goto out;
	}
	ctx_log(r->ctx, OFFMIG_LOG_INFO, "%s: registry settings merged into "
	    "%s (the hive before is kept as %s)", u->user, u->np->hive_host,
	    bak != NULL ? bak : "-");
	u->registry = "merged";
	ret = record(r, rec, u->np->hive_host, (uint64_t)hst.st_ino,
	    "registry");
	if (ret == OFFMIG_OK)
		count(r, rec, u, "registry");
	goto out;
fail:
	u->registry = "failed";
	item_fail(r, rec, u, ret == OFFMIG_EUNSAFE, "%s", msg);
	ret = OFFMIG_OK;
out:
	if (fd >= 0)
		close(fd);
	if (hfd >= 0)
		close(hfd);
	free(text);
	free(dirrel);
	free(dirhost);
	free(bak);
	return ret;
}

/* Non-zero when dest is STORE or lies below it. */
static int
in_store(const struct restore *r, const char *dest)
{
	size_t n;

	if (r->store_rel == NULL)
		return 0;
	n = strlen(r->store_rel);
	if (strncasecmp(dest, r->store_rel, n) == 0 && (dest[n] == '\0' ||
	    dest[n] == '/'))
		return 1;
	return 0;
}

static void
progress(struct restore *r, int force)
{
	if (r->progress == NULL)
		return;
	if (!force && (r->pr.objects & 255) != 0)
		return;
	r->progress(r->parg, &r->pr);
}

/* Second pass: every object. */
static int
second_pass(struct restore *r)
{
	struct manifest_reader *rd = NULL;
	struct manifest_record rec;
	char *name, *dest;
	int ret;

	if ((name = str_join_path(r->storepath, STORE_MANIFEST)) == NULL)
		return ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM, "manifest");
	if ((ret = manifest_open(r->ctx, r->storefd, name, &rd)) != OFFMIG_OK)
		goto out;
	while ((ret = manifest_next(rd, &rec)) > 0) {
		struct ruser *u;

		if (rec.kind == 'U')
			continue;
		r->pr.objects++;
		r->pr.bytes += rec.size;
		progress(r, 0);
		u = user_find(r, rec.sid);
		if (u != NULL && !u->selected) {
			r->excluded++;
			continue;
		}
		if (is_done(r, rec.seq)) {
			r->already++;
			if (rec.kind == 'r' && u != NULL)
				u->registry = "merged";
			continue;
		}
		if (rec.kind == 'r') {
			ret = restore_registry(r, &rec, u);
		} else {
			if ((dest = map_dest(r, &rec, u)) == NULL) {
				ret = ctx_set_error(r->ctx, OFFMIG_ENOMEM, ENOMEM,
				    "restore");
				break;
			}
			if (manifest_check_relpath(dest, strlen(dest)) != NULL ||
			    in_store(r, dest))
				item_fail(r, &rec, u, 1, "its destination '%s' "
				    "is not a place below the volume outside "
				    "the store", dest);
			else if (rec.kind == 'd')
				ret = restore_folder(r, &rec, u, dest);
			else
				ret = restore_file(r, &rec, u, dest);
			free(dest);
		}
		if (ret == OFFMIG_OK && r->place_ret < 0)
			ret = r->place_ret;	/* a dry run's callback stopped it */
		if (ret != OFFMIG_OK)
			break;
	}
	if (ret > 0)
		ret = OFFMIG_OK;
out:
	manifest_close(rd);
	free(name);
	return ret;
}

/* The report. */
static void
report(struct restore *r, int complete)
{
	struct offmig_node *root = doc_get_mut(doc_root_mut(r->doc),
	    "store_restore"), *arr;
	size_t i;

	doc_add_str(r->doc, root, "mode", r->copystore ? "copy" : "hardlink");
	doc_add_str(r->doc, root, "placement", r->link ? "link" : "copy");
	doc_add_str(r->doc, root, "conflict", r->conflict ==
	    OFFMIG_CONFLICT_SKIP ? "skip" : r->conflict ==
	    OFFMIG_CONFLICT_OVERWRITE ? "overwrite" : "rename");
	doc_add_bool(r->doc, root, "dry_run", r->dry);
	doc_add_bool(r->doc, root, "complete", complete);
	arr = doc_add_array(r->doc, root, "users");
	for (i = 0; i < r->nusers; i++) {
		const struct ruser *u = &r->users[i];
		struct offmig_node *o;

		if (!u->selected)
			continue;
		o = doc_push_object(r->doc, arr);
		doc_add_str(r->doc, o, "user", u->user);
		doc_add_str(r->doc, o, "sid_old", u->sid);
		doc_add_str(r->doc, o, "sid_new", u->np != NULL ? u->np->sid :
		    NULL);
		doc_add_str(r->doc, o, "profile", u->newroot);
		doc_add_int(r->doc, o, "objects", (int64_t)u->objects);
		doc_add_int(r->doc, o, "bytes", (int64_t)u->bytes);
		doc_add_int(r->doc, o, "renamed", (int64_t)u->renamed);
		doc_add_int(r->doc, o, "skipped", (int64_t)u->skipped);
		doc_add_int(r->doc, o, "failed", (int64_t)u->failed);
		doc_add_str(r->doc, o, "registry", u->registry);
	}
	doc_add_int(r->doc, root, "objects", (int64_t)r->objects);
	doc_add_int(r->doc, root, "bytes", (int64_t)r->bytes);
	doc_add_int(r->doc, root, "linked", (int64_t)r->linked);
	doc_add_int(r->doc, root, "copied", (int64_t)r->copied);
	doc_add_int(r->doc, root, "same", (int64_t)r->same);
	doc_add_int(r->doc, root, "renamed", (int64_t)r->renamed);
	doc_add_int(r->doc, root, "overwritten", (int64_t)r->overwritten);
	doc_add_int(r->doc, root, "skipped", (int64_t)r->skipped);
	doc_add_int(r->doc, root, "failed", (int64_t)r->failed);
	doc_add_int(r->doc, root, "already", (int64_t)r->already);
	doc_add_int(r->doc, root, "excluded", (int64_t)r->excluded);
	doc_add_int(r->doc, root, "problems_total", (int64_t)r->nproblems);
}

/* The store's path below the volume root when it lies there (else NULL). */
static char *
store_below(const char *volroot, const char *store)
{
	char *v = realpath(volroot, NULL), *s = realpath(store, NULL), *out =
	    NULL;
	size_t n;

	if (v != NULL && s != NULL) {
		n = strlen(v);
		if (strcmp(v, "/") == 0)
			out = strdup(s + 1);
		else if (strncmp(s, v, n) == 0 && s[n] == '/')
			out = strdup(s + n + 1);
		else if (strcmp(s, v) == 0)
			out = strdup("");
	}
	free(v);
	free(s);
	return out;
}

static int
restore_run(struct offmig_ctx *ctx, const char *store, const char *volroot,
    unsigned flags, enum offmig_conflict conflict,
    const struct offmig_filter *filter, offmig_progress_fn *progressfn,
    void *arg, offmig_placement_fn *place_fn, void *place_arg,
    struct offmig_doc **docp)
{
	struct restore r;
	struct offmig_node *root;
	struct stat vst, fst;
	char when[40];
	int ret, complete = 0;

	if (docp != NULL)
		*docp = NULL;
	if (store == NULL || volroot == NULL || docp == NULL ||
	    (conflict != OFFMIG_CONFLICT_RENAME && conflict !=
	    OFFMIG_CONFLICT_OVERWRITE && conflict != OFFMIG_CONFLICT_SKIP))
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "store restore: bad "
		    "arguments");
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.storepath = store;
	r.volroot = volroot;
	r.flags = flags;
	r.conflict = conflict;
	r.dry = (flags & OFFMIG_RESTORE_DRY_RUN) != 0;
	r.storefd = r.volfd = r.rfd = r.jfd = r.dfd = r.sfd = -1;
	r.attrs_ok = -1;
	r.progress = progressfn;
	r.parg = arg;
	r.place_fn = place_fn;
	r.place_arg = place_arg;
	r.pr.what = "restore";
	if ((r.doc = doc_new()) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
	root = doc_add_object(r.doc, doc_root_mut(r.doc), "store_restore");
	doc_add_str(r.doc, root, "store", store);
	doc_add_str(r.doc, root, "volume", volroot);
	r.problems = doc_add_array(r.doc, root, "problems");
	if (r.dry && place_fn == NULL)
		r.placements = doc_add_array(r.doc, root, "placements");

	if ((r.storefd = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ret = ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", store);
		goto out;
	}
	if ((r.volfd = open(volroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fstat(r.volfd, &vst) != 0) {
		ret = ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", volroot);
		goto out;
	}
	r.voldev = vst.st_dev;
	if ((ret = header_read(&r)) != OFFMIG_OK)
		goto out;
	r.store_rel = store_below(volroot, store);
	if (r.store_rel != NULL && r.store_rel[0] == '\0') {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: the store is "
		    "the volume's root folder", store);
		goto out;
	}
	/* Hard links when the store's files are on the volume's filesystem. */
	r.link = !r.copystore && fstatat(r.storefd, STORE_FILES_DIR, &fst,
	    AT_SYMLINK_NOFOLLOW) == 0 && fst.st_dev == vst.st_dev;
	if ((ret = first_pass(&r)) != OFFMIG_OK)
		goto out;
	r.pr.objects_total = r.nobj;
	r.pr.bytes_total = r.nbytes;
	if ((r.done = calloc((size_t)(r.nobj / 8 + 1), 1)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
		goto out;
	}
	/* The new volume: its Windows installation, when there is one. */
	if ((r.vctx = offmig_ctx_new()) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
		goto out;
	}
	ret = offmig_volume_open(r.vctx, volroot, NULL, &r.vol);
	if (ret == OFFMIG_ENOMEM || ret == OFFMIG_EAMBIGUOUS ||
	    ret == OFFMIG_EIO) {
		ret = ctx_set_error(ctx, ret, offmig_errno(r.vctx), "%s",
		    offmig_errmsg(r.vctx));
		goto out;
	}
	if (ret != OFFMIG_OK) {
		r.vol = NULL;
		ctx_log(ctx, ret == OFFMIG_ENOWINDOWS ? OFFMIG_LOG_INFO :
		    OFFMIG_LOG_WARN, "%s: %s; users go to Windows' default "
		    "layout (Users\\NAME) and registry settings stay pending",
		    volroot, offmig_errmsg(r.vctx));
	}
	if (!r.dry && (r.vol != NULL ? r.vol->hibernated :
	    volume_hibernated(r.volfd))) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: Windows was "
		    "hibernated or shut down with Fast Startup (hiberfil.sys "
		    "is in use), so it would restore its cached view of the "
		    "disk over any change: nothing was written.  Boot Windows "
		    "and shut it down fully (Shift+Shut down, or shutdown /s "
		    "/t 0), or turn hibernation off there with powercfg /h "
		    "off, then restore again", volroot);
		goto out;
	}
	if (r.vol != NULL) {
		if (volume_profiles(r.vol, &r.pl) != OFFMIG_OK)
			r.pl = NULL;
		if (offmig_folders_report(r.vctx, r.vol, NULL, NULL,
		    &r.folders) != OFFMIG_OK)
			r.folders = NULL;
	}
	if ((ret = users_map(&r, filter)) != OFFMIG_OK)
		goto out;
	{
		/* XP paths are mapped when the volume has no such folder (or a junction). */
		struct offmig_ctx quiet;
		struct stat dst;

		memset(&quiet, 0, sizeof(quiet));
		r.xp_remap = vpath_resolve(&quiet, r.volfd, "Documents and "
		    "Settings", VPATH_ANY, NULL, NULL, &dst) != OFFMIG_OK ||
		    !S_ISDIR(dst.st_mode);
	}
	if ((ret = restored_open(&r)) != OFFMIG_OK)
		goto out;
	if (!r.dry) {
		r.jfd = openat(r.storefd, STORE_JOURNAL, O_WRONLY | O_APPEND |
		    O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (r.jfd < 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s",
			    store, STORE_JOURNAL);
			goto out;
		}
	}
	if (!r.dry && !r.rsealed) {
		iso8601((int64_t)time(NULL), when, sizeof(when));
		if ((ret = journal(&r, "begin", when)) != OFFMIG_OK)
			goto out;
	}
	if ((ret = second_pass(&r)) != OFFMIG_OK)
		goto out;
	if (!r.dry && (ret = records_sync(&r)) != OFFMIG_OK)
		goto out;
	if (r.rsealed)
		complete = 1;	/* finished before: nothing was written */
	else if (!r.dry && r.recorded == r.nobj) {
		if ((ret = restored_seal(&r)) != OFFMIG_OK)
			goto out;
		complete = 1;
	}
	progress(&r, 1);
	if (r.unsafe)
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: some objects "
		    "were refused for safety (a symbolic link in the way, or a "
		    "destination outside the volume); the rest was restored",
		    volroot);
	report(&r, complete);
	if (doc_status(r.doc) != OFFMIG_OK) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "restore");
		goto out;
	}
	*docp = r.doc;
	r.doc = NULL;
out:
	if (r.vctx != NULL) {
		/* What the volume's reports complained about is worth a warning. */
		if (offmig_ctx_warnings(r.vctx) > 0 && ret == OFFMIG_OK)
			ctx_log(ctx, OFFMIG_LOG_INFO, "%s: %lu problems reading "
			    "the new volume's profiles (see 'offmig folders')",
			    volroot, offmig_ctx_warnings(r.vctx));
	}
	offmig_doc_free(r.doc);
	offmig_doc_free(r.folders);
	offmig_volume_close(r.vol);
	offmig_ctx_free(r.vctx);
	dcache_drop(&r);
	free(r.cs);
	if (r.sfd >= 0)
		close(r.sfd);
	free(r.spath);
	users_free(&r);
	mbuf_free(&r.rbuf);
	free(r.done);
	free(r.store_rel);
	if (r.rfd >= 0) {
		/* Stopped by an error: what was placed is still recorded. */
		records_flush(&r);
		close(r.rfd);
	}
	if (r.jfd >= 0)
		close(r.jfd);
	if (r.storefd >= 0)
		close(r.storefd);
	if (r.volfd >= 0)
		close(r.volfd);
	return ret;
}

int
offmig_store_restore(struct offmig_ctx *ctx, const char *store,
    const char *volroot, unsigned flags, enum offmig_conflict conflict,
    const struct offmig_filter *filter, offmig_progress_fn *progressfn,
    void *arg, struct offmig_doc **docp)
{
	return restore_run(ctx, store, volroot, flags, conflict, filter,
	    progressfn, arg, NULL, NULL, docp);
}

int
offmig_store_restore_dry(struct offmig_ctx *ctx, const char *store,
    const char *volroot, unsigned flags, enum offmig_conflict conflict,
    const struct offmig_filter *filter, offmig_placement_fn *fn, void *arg,
    struct offmig_doc **docp)
{
	if (fn == NULL) {
		if (docp != NULL)
			*docp = NULL;
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "store restore: "
		    "no placement callback");
	}
	return restore_run(ctx, store, volroot, flags | OFFMIG_RESTORE_DRY_RUN,
	    conflict, filter, NULL, NULL, fn, arg, docp);
}
