/*
 * clean.c - `offmig hive clean VOLUME [--apply | --undo]`: finds stale hive
 * state on a volume and, with --apply, cleans it so that an interrupted run
 * resumes and --undo puts every byte back.
 *
 * What is stale:
 * - a dirty hive whose logs recover it (the machine hives of
 *   System32\config, each profile's NTUSER.DAT and UsrClass.dat, the
 *   Default profile's NTUSER.DAT, Amcache.hve): "replay", then a
 *   "reset-log" for each of its non-empty logs;
 * - a non-empty log beside a clean hive, which Windows ignores and which
 *   no longer applies: "reset-log";
 * - a log ("X.LOG", "X.LOG1", "X.LOG2": a regf file, or empty) whose
 *   hive X is gone: "remove-orphan-log", moved to the quarantine;
 * - hive copies left by interrupted tools beside the hives: "*.tmp" and
 *   "*.sav" files that are registry files (they start with "regf"; other
 *   files of those names are not ours to judge), and USMT's working folder
 *   USMT.TMP at the root of the system drive: "quarantine".  USMT's
 *   "$dest$" names are where it loads the offline hives in the registry
 *   (HKLM\$dest$software); a hive it failed to unload is left dirty with
 *   its logs, which the replay above handles: no file of that name exists.
 * - what cannot be handled safely is "refused" and left alone: a symbolic
 *   link or other odd entry where a hive, log or leftover should be (never
 *   followed), a dirty hive no log recovers, a temporary name in use.
 *
 * Where things go: the folder offmig-clean at the volume root, so that
 * every move is a rename(2) on one file system.  It holds "journal",
 * "backup/" (the replaced hives and logs) and "quarantine/" (the moved
 * leftovers), both flat, each entry named "<step>-<original name>"; the
 * journal says where each came from.  Nothing outside the volume is
 * touched: every directory is opened with vpath_resolve() from
 * vol->rootfd, every file with O_NOFOLLOW, and a link is never followed.
 *
 * The journal ("journal", text, one record a line, fields separated by
 * tabs, bytes <= 0x20, '%' and 0x7F escaped as %XX) is written with
 * O_APPEND, each record followed by fsync():
 *
 *   offmig-clean 1
 *   action A KIND PARENT PATH REASON DETAIL
 *   step N A OP DIR NAME STORE TYPE SIZE INO SHA ASIZE ASHA
 *   planned NACTIONS NSTEPS
 *   done N  |  fail N MESSAGE
 *   complete
 *   undo N
 *   undone
 *
 * The whole plan (actions and steps) is written and sealed by "planned"
 * before the first change; a journal that ends before "planned" records
 * nothing done and is started afresh.  A step is one change on the disk;
 * SIZE and SHA (SHA-256) describe the file before it, ASIZE and ASHA after
 * it; TYPE is 'f' or 'd' (a directory is known by its inode INO).  The
 * steps of a replay of hive H in directory D:
 *
 *   link     H -> backup/N-H    hard link (a copy when the file system
 *                               has no hard links): H never vanishes
 *   stage    D/H.offmig-new     the recovered hive, written and fsynced
 *                               (hive_replay() over the files as read;
 *                               hivex never writes it)
 *   replace  H.offmig-new -> H  rename over the primary, fsync D
 *
 * and of a log reset: "link L -> backup/N-L", then "reset L": an empty
 * file written as L.offmig-new and renamed over L.  An empty log is what
 * Windows leaves for an unused one (a 0-byte .LOG2 is normal), and the
 * recovered hive is clean (seq1 = seq2, checksum right), so Windows would
 * ignore the old logs anyway; emptying them makes sure no stale entry can
 * ever apply over the result.  The hive is replaced before its logs are
 * reset, so a stop in between leaves a clean hive and harmless logs.  A
 * leftover is one step, "move X -> quarantine/N-X".  After each change the
 * directories concerned are fsynced, then "done N" is appended.
 *
 * Resume: --apply with a journal that is not complete runs every step not
 * recorded as done; each step first looks at the disk and recognises a
 * change made before a stop that came ahead of its record (the file
 * already has ASHA, the backup already holds SHA, the source is already
 * gone and the quarantine holds it).  A file that is neither as before nor
 * as after fails its action ("fail N"), and the steps after it in that
 * action (and the log resets of a failed replay) are skipped.
 *
 * Undo: from the journal, last step first.  Before any change every step
 * is checked: each file must be either as the clean left it (ASHA) or as it
 * was (SHA); anything else (Windows booted and wrote the hive since) is
 * refused with OFFMIG_EUNSAFE naming the file, and nothing is changed.
 * Then the backups are renamed back over what clean wrote, staged files
 * are removed, redundant backup links of files that were never replaced
 * are unlinked, and leftovers go back; "undo N" follows each step.  At the
 * end "undone" is written and the folder is removed (journal, the two
 * empty folders, then offmig-clean itself).  A stop anywhere is resumed by
 * running --undo again.
 *
 * Fully clean, the state the tests check after --apply: every hive the
 * scan covers is clean, every log beside it is empty, no leftover or
 * orphan log is left where it was, and a new dry run plans nothing.  A
 * second --apply then does nothing; with a finished journal and new stale
 * state (Windows ran again) it refuses until the old clean is undone or
 * its folder moved away, so that one journal always describes one clean.
 *
 * A volume Windows left hibernated or with Fast Startup is refused for
 * --apply and --undo: Windows would restore its cached view of the disk
 * over whatever is written.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/profiles.h"
#include "profiles/clean.h"
#include "hive/replay.h"

#define JOURNAL_MAGIC	"offmig-clean"
#define JOURNAL_VERSION	1
#define TEMP_SUFFIX	".offmig-new"
#define PART_SUFFIX	".part"
/* A journal larger than this is not one we wrote. */
#define JOURNAL_MAX	(256UL << 20)
#define MAX_ACTIONS	1000000

/* ---- SHA-256 (FIPS 180-4) ---- */

struct sha256 {
	uint32_t	h[8];
	uint64_t	len;
	unsigned char	buf[64];
	size_t		nbuf;
};

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static void
sha_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
		    (w[i - 15] >> 3)) + w[i - 7] + (ROR(w[i - 2], 17) ^
		    ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void
sha_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->nbuf = 0;
}

static void
sha_update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->len += len;
	if (s->nbuf > 0) {
		size_t n = 64 - s->nbuf < len ? 64 - s->nbuf : len;

		memcpy(s->buf + s->nbuf, p, n);
		s->nbuf += n;
		p += n;
		len -= n;
		if (s->nbuf < 64)
			return;
		sha_block(s, s->buf);
		s->nbuf = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		sha_block(s, p);
	memcpy(s->buf, p, len);
	s->nbuf = len;
}

static void
sha_final(struct sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72];
	size_t n = s->nbuf < 56 ? 56 - s->nbuf : 120 - s->nbuf;
	int i;

	memset(pad, 0, sizeof(pad));
	pad[0] = 0x80;
	for (i = 0; i < 8; i++)
		pad[n + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	sha_update(s, pad, n + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

static void
sha_buf(const void *data, size_t len, unsigned char out[32])
{
	struct sha256 s;

	sha_init(&s);
	sha_update(&s, data, len);
	sha_final(&s, out);
}

/* ---- the model ---- */

enum step_op { OP_LINK, OP_STAGE, OP_REPLACE, OP_RESET, OP_MOVE };
static const char *const op_names[] = {
	"link", "stage", "replace", "reset", "move"
};

/* What a name in a directory holds: absent, a file (hashed), a directory. */
struct fstate {
	char		type;		/* '-' absent, 'f', 'd', '?' */
	uint64_t	size;
	uint64_t	ino;
	unsigned char	sha[32];
};

struct step {
	int		 a;		/* its action */
	enum step_op	 op;
	char		*dir;		/* from the root, "" */
	char		*name;		/* the file (stage,
					   replace: the hive) */
	char		*store;		/* link: backup/..., move:
					   quarantine/..., stage, replace,
					   reset: the temporary name */
	char		 type;		/* 'f' or 'd' */
	uint64_t	 size, ino;	/* before */
	unsigned char	 sha[32];
	uint64_t	 asize;		/* after it */
	unsigned char	 asha[32];
	int		 done, failed, undone;
	char		*error;
};

enum act_state { ST_PLANNED, ST_DONE, ST_FAILED, ST_SKIPPED, ST_UNDONE };
static const char *const state_names[] = {
	"planned", "done", "failed", "skipped", "undone"
};

struct action {
	char		*kind;
	int		 parent;	/* a replay's reset-log: its index */
	char		*path;		/* relative to the root */
	char		*reason;
	char		*detail;	/* "key=int;..." */
	int		 refused;	/* never had steps */
	enum act_state	 state;
	char		*error;
};

struct clean {
	struct offmig_ctx	*ctx;
	struct offmig_volume	*vol;
	enum offmig_clean_mode	 mode;
	struct action		*act;
	size_t			 nact;
	struct step		*step;
	size_t			 nstep;
	/* Journal state. */
	int			 have_journal;	/* the file exists */
	int			 planned, complete, undoing, undone;
	int			 cleanfd;	/* offmig-clean, or -1 */
	int			 backupfd, quarfd;
	int			 jfd;
	/* Scan: directories already seen. */
	dev_t			*seen_dev;
	ino_t			*seen_ino;
	size_t			 nseen;
};

static long fault_at = -1;
static long fault_count;

void
clean_set_fault(long n)
{
	fault_at = n > 0 ? n : 0;
}

/* A point where the tests may stop the process as if it were killed. */
static void
fault_point(void)
{
	if (fault_at < 0) {
		const char *e = getenv("OFFMIG_FAULT_STEP");

		fault_at = e != NULL ? strtol(e, NULL, 10) : 0;
	}
	if (fault_at > 0 && ++fault_count == fault_at)
		_exit(CLEAN_FAULT_EXIT);
}

static void
clean_release(struct clean *c)
{
	size_t i;

	for (i = 0; i < c->nact; i++) {
		free(c->act[i].kind);
		free(c->act[i].path);
		free(c->act[i].reason);
		free(c->act[i].detail);
		free(c->act[i].error);
	}
	free(c->act);
	for (i = 0; i < c->nstep; i++) {
		free(c->step[i].dir);
		free(c->step[i].name);
		free(c->step[i].store);
		free(c->step[i].error);
	}
	free(c->step);
	free(c->seen_dev);
	free(c->seen_ino);
	if (c->jfd >= 0)
		close(c->jfd);
	if (c->backupfd >= 0)
		close(c->backupfd);
	if (c->quarfd >= 0)
		close(c->quarfd);
	if (c->cleanfd >= 0)
		close(c->cleanfd);
}

static char *
join_rel(const char *dir, const char *name)
{
	return *dir == '\0' ? strdup(name) : str_join_path(dir, name);
}

/* Adds an action; returns its index or -1 on ENOMEM (message set). */
static int
add_action(struct clean *c, const char *kind, int parent, const char *dir,
    const char *name, const char *reason, const char *detail)
{
	struct action *t, *a;

	if (c->nact >= MAX_ACTIONS)
		return ctx_set_error(c->ctx, OFFMIG_EINVAL, 0,
		    "more than %d actions", MAX_ACTIONS), -1;
	if ((t = realloc(c->act, (c->nact + 1) * sizeof(*t))) == NULL)
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "clean"), -1;
	c->act = t;
	a = &c->act[c->nact];
	memset(a, 0, sizeof(*a));
	a->parent = parent;
	a->kind = strdup(kind);
	a->path = name != NULL ? join_rel(dir, name) : strdup(dir);
	a->reason = xstrdup_or_null(reason);
	a->detail = xstrdup_or_null(detail);
	c->nact++;
	if (a->kind == NULL || a->path == NULL ||
	    (reason != NULL && a->reason == NULL) ||
	    (detail != NULL && a->detail == NULL))
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "clean"), -1;
	return (int)(c->nact - 1);
}

static struct step *
add_step(struct clean *c, int a, enum step_op op, const char *dir,
    const char *name, const char *store)
{
	struct step *t, *s;

	if ((t = realloc(c->step, (c->nstep + 1) * sizeof(*t))) == NULL) {
		ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "clean");
		return NULL;
	}
	c->step = t;
	s = &c->step[c->nstep];
	memset(s, 0, sizeof(*s));
	s->a = a;
	s->op = op;
	s->type = 'f';
	s->dir = strdup(dir);
	s->name = strdup(name);
	s->store = strdup(store);
	c->nstep++;
	if (s->dir == NULL || s->name == NULL || s->store == NULL) {
		ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "clean");
		return NULL;
	}
	return s;
}

/* ---- files ---- */

/* Reads a regular file (O_NOFOLLOW) whole; at most HIVE_REPLAY_MAX_FILE. */
static int
read_at(struct offmig_ctx *ctx, int dirfd, const char *name, const char *rel,
    unsigned char **bufp, size_t *lenp)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t len;
	ssize_t n;
	int fd, ret = OFFMIG_OK;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return ctx_set_error(ctx, errno == ELOOP ? OFFMIG_EUNSAFE :
		    OFFMIG_EIO, errno, "%s", rel);
	if (fstat(fd, &st) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", rel);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size >
	    HIVE_REPLAY_MAX_FILE) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s: %s", rel,
		    S_ISREG(st.st_mode) ? "too large" : "not a regular file");
		goto out;
	}
	len = (size_t)st.st_size;
	if ((buf = malloc(len > 0 ? len : 1)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", rel);
		goto out;
	}
	if ((n = io_pread_full(fd, buf, len, 0)) != (ssize_t)len) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, n < 0 ? errno : 0,
		    "%s: %s", rel, n < 0 ? "read" : "shorter than its size");
		goto out;
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

/*
 * What name in dirfd holds now, never following a link: a regular file is
 * hashed (when hash is set), a directory known by its inode.  Returns 0, or
 * -1 with errno when it cannot be read.
 */
static int
fstate_at(int dirfd, const char *name, int hash, struct fstate *fs)
{
	unsigned char buf[65536];
	struct sha256 s;
	struct stat st;
	ssize_t n;
	int fd;

	memset(fs, 0, sizeof(*fs));
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT) {
			fs->type = '-';
			return 0;
		}
		return -1;
	}
	fs->ino = (uint64_t)st.st_ino;
	fs->size = (uint64_t)st.st_size;
	if (S_ISDIR(st.st_mode)) {
		fs->type = 'd';
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		fs->type = '?';
		return 0;
	}
	fs->type = 'f';
	if (!hash)
		return 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return -1;
	sha_init(&s);
	fs->size = 0;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		sha_update(&s, buf, (size_t)n);
		fs->size += (uint64_t)n;
	}
	close(fd);
	sha_final(&s, fs->sha);
	return 0;
}

/* The file or directory a step saw before it. */
static int
is_before(const struct step *s, const struct fstate *fs)
{
	if (s->type == 'd')
		return fs->type == 'd' && fs->ino == s->ino;
	return fs->type == 'f' && fs->size == s->size &&
	    memcmp(fs->sha, s->sha, 32) == 0;
}

/* The file a step leaves (stage, replace, reset). */
static int
is_after(const struct step *s, const struct fstate *fs)
{
	return fs->type == 'f' && fs->size == s->asize &&
	    memcmp(fs->sha, s->asha, 32) == 0;
}

/*
 * Writes len bytes to name in dirfd, created or truncated (never through a
 * link: O_NOFOLLOW), and fsyncs it.  The caller renames it into place.
 */
static int
write_at(struct offmig_ctx *ctx, int dirfd, const char *name,
    const char *rel, const void *data, size_t len)
{
	int fd;

	if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return ctx_set_error(ctx, errno == ELOOP ? OFFMIG_EUNSAFE :
		    OFFMIG_EIO, errno, "%s", rel);
	if (io_write_all(fd, data, len) != 0) {
		int e = errno;

		close(fd);
		return ctx_set_error(ctx, OFFMIG_EIO, e, "%s", rel);
	}
	if (fsync(fd) != 0) {
		int e = errno;

		close(fd);
		return ctx_set_error(ctx, OFFMIG_EIO, e, "%s", rel);
	}
	if (close(fd) != 0)
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", rel);
	return OFFMIG_OK;
}

static int
sync_dir(struct offmig_ctx *ctx, int dirfd, const char *rel)
{
	if (fsync(dirfd) != 0 && errno != EINVAL)
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", rel);
	return OFFMIG_OK;
}

/* Opens a directory of the volume; "" is the root itself. */
static int
open_dir(struct clean *c, const char *rel, int *fdp)
{
	if (*rel == '\0') {
		if ((*fdp = openat(c->vol->rootfd, ".", O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC)) < 0)
			return ctx_set_error(c->ctx, OFFMIG_EIO, errno, "%s",
			    c->vol->root);
		return OFFMIG_OK;
	}
	return vpath_resolve(c->ctx, c->vol->rootfd, rel, VPATH_DIR, fdp, NULL,
	    NULL);
}

/* ---- the journal ---- */

static void
esc_append(char **buf, size_t *len, size_t *cap, const char *s, int sep)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t need = *len + 3 * strlen(s) + 2;
	char *t;

	if (*buf == NULL)
		return;
	if (need > *cap) {
		size_t nc = *cap * 2 > need ? *cap * 2 : need;

		if ((t = realloc(*buf, nc)) == NULL) {
			free(*buf);
			*buf = NULL;
			return;
		}
		*buf = t;
		*cap = nc;
	}
	if (sep)
		(*buf)[(*len)++] = '\t';
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch <= 0x20 || ch == '%' || ch == 0x7F) {
			(*buf)[(*len)++] = '%';
			(*buf)[(*len)++] = hex[ch >> 4];
			(*buf)[(*len)++] = hex[ch & 15];
		} else
			(*buf)[(*len)++] = (char)ch;
	}
	(*buf)[*len] = '\0';
}

/*
 * Appends one record (fields NULL-terminated; "" stands for an empty
 * field, written as "-") and fsyncs the journal.
 */
static int
journal_append(struct clean *c, const char *first, ...)
{
	size_t len = 0, cap = 256;
	char *line = malloc(cap);
	const char *f;
	va_list ap;

	if (line == NULL)
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "journal");
	line[0] = '\0';
	esc_append(&line, &len, &cap, first, 0);
	va_start(ap, first);
	while ((f = va_arg(ap, const char *)) != NULL)
		esc_append(&line, &len, &cap, *f == '\0' ? "-" : f, 1);
	va_end(ap);
	if (line == NULL)
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "journal");
	line[len++] = '\n';
	if (io_write_all(c->jfd, line, len) != 0) {
		int e = errno;

		free(line);
		return ctx_set_error(c->ctx, OFFMIG_EIO, e, "%s/%s/%s",
		    c->vol->root, CLEAN_DIR, CLEAN_JOURNAL);
	}
	free(line);
	if (fsync(c->jfd) != 0)
		return ctx_set_error(c->ctx, OFFMIG_EIO, errno, "%s/%s/%s",
		    c->vol->root, CLEAN_DIR, CLEAN_JOURNAL);
	return OFFMIG_OK;
}

static void
hexstr(const unsigned char sha[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[sha[i] >> 4];
		out[2 * i + 1] = hex[sha[i] & 15];
	}
	out[64] = '\0';
}

static int
journal_step(struct clean *c, size_t i)
{
	const struct step *s = &c->step[i];
	char n[24], a[24], type[2] = { s->type, '\0' }, size[24], ino[24],
	    asize[24], sha[65], asha[65];

	snprintf(n, sizeof(n), "%zu", i + 1);
	snprintf(a, sizeof(a), "%d", s->a + 1);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)s->size);
	snprintf(ino, sizeof(ino), "%llu", (unsigned long long)s->ino);
	snprintf(asize, sizeof(asize), "%llu", (unsigned long long)s->asize);
	hexstr(s->sha, sha);
	hexstr(s->asha, asha);
	return journal_append(c, "step", n, a, op_names[s->op], s->dir,
	    s->name, s->store, type, size, ino, sha, asize, asha, NULL);
}

static int
journal_mark(struct clean *c, const char *what, size_t i, const char *msg)
{
	char n[24];

	snprintf(n, sizeof(n), "%zu", i + 1);
	return journal_append(c, what, n, msg, NULL);
}

/* Writes the plan, sealed by "planned". */
static int
journal_plan(struct clean *c)
{
	char hdr[16], na[24], ns[24];
	size_t i;
	int ret;

	snprintf(hdr, sizeof(hdr), "%d", JOURNAL_VERSION);
	if ((ret = journal_append(c, JOURNAL_MAGIC, hdr, NULL)) != OFFMIG_OK)
		return ret;
	for (i = 0; i < c->nact; i++) {
		const struct action *a = &c->act[i];
		char ai[24], pi[24];

		snprintf(ai, sizeof(ai), "%zu", i + 1);
		snprintf(pi, sizeof(pi), "%d", a->parent + 1);
		if ((ret = journal_append(c, "action", ai, a->kind, pi,
		    a->path, a->reason != NULL ? a->reason : "",
		    a->detail != NULL ? a->detail : "", NULL)) != OFFMIG_OK)
			return ret;
	}
	for (i = 0; i < c->nstep; i++)
		if ((ret = journal_step(c, i)) != OFFMIG_OK)
			return ret;
	snprintf(na, sizeof(na), "%zu", c->nact);
	snprintf(ns, sizeof(ns), "%zu", c->nstep);
	if ((ret = journal_append(c, "planned", na, ns, NULL)) != OFFMIG_OK)
		return ret;
	c->planned = 1;
	return OFFMIG_OK;
}

/* Decodes %XX escapes in place; "-" is the empty field.  -1 if malformed. */
static int
unescape(char *s)
{
	char *o = s;

	if (strcmp(s, "-") == 0) {
		*s = '\0';
		return 0;
	}
	for (; *s != '\0'; s++) {
		if (*s == '%') {
			unsigned v = 0;
			int k;

			for (k = 1; k <= 2; k++) {
				char h = s[k];

				v <<= 4;
				if (h >= '0' && h <= '9')
					v |= (unsigned)(h - '0');
				else if (h >= 'A' && h <= 'F')
					v |= (unsigned)(h - 'A' + 10);
				else
					return -1;
			}
			if (v == 0)
				return -1;
			*o++ = (char)v;
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return 0;
}

static int
parse_num(const char *s, uint64_t max, uint64_t *vp)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' ||
		    v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*vp = v;
	return 0;
}

static int
parse_sha(const char *s, unsigned char out[32])
{
	int i;

	if (strlen(s) != 64)
		return -1;
	for (i = 0; i < 64; i++) {
		char h = s[i];
		unsigned v;

		if (h >= '0' && h <= '9')
			v = (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v = (unsigned)(h - 'a' + 10);
		else
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return 0;
}

/* A name that stays in its directory: not empty, no '/', not "." or "..". */
static int
plain_name(const char *s)
{
	return *s != '\0' && strchr(s, '/') == NULL && strcmp(s, ".") != 0 &&
	    strcmp(s, "..") != 0;
}

/* A relative path without "..", "." or empty components ("" allowed). */
static int
plain_path(const char *s)
{
	const char *p = s, *q;

	if (*s == '\0')
		return 1;
	for (;;) {
		size_t n;

		q = strchr(p, '/');
		n = q != NULL ? (size_t)(q - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (q == NULL)
			return 1;
		p = q + 1;
	}
}

/*
 * Parses one journal line (split in place into at most 16 fields).  Returns
 * 0, or -1 with what is wrong in *whyp.
 */
static int
journal_line(struct clean *c, char *line, size_t lineno, int *seen_hdr,
    const char **whyp)
{
	char *f[16];
	size_t nf = 0, i;
	uint64_t v;
	char *p = line;

	for (;;) {
		if (nf == 16) {
			*whyp = "too many fields";
			return -1;
		}
		f[nf++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	for (i = 0; i < nf; i++)
		if (unescape(f[i]) != 0) {
			*whyp = "bad escape";
			return -1;
		}
	if (!*seen_hdr) {
		if (lineno != 1 || nf != 2 ||
		    strcmp(f[0], JOURNAL_MAGIC) != 0) {
			*whyp = "not an offmig-clean journal";
			return -1;
		}
		if (parse_num(f[1], 1000, &v) != 0 || v != JOURNAL_VERSION) {
			*whyp = "unknown journal version";
			return -1;
		}
		*seen_hdr = 1;
		return 0;
	}
	if (strcmp(f[0], "action") == 0 && nf == 7 && !c->planned) {
		uint64_t pa;
		int k;

		if (parse_num(f[1], MAX_ACTIONS, &v) != 0 ||
		    v != c->nact + 1 ||
		    parse_num(f[3], MAX_ACTIONS, &pa) != 0 ||
		    pa >= v || !plain_path(f[4]) || *f[4] == '\0') {
			*whyp = "bad action record";
			return -1;
		}
		if ((k = add_action(c, f[2], (int)pa - 1, f[4], NULL,
		    *f[5] ? f[5] : NULL, *f[6] ? f[6] : NULL)) < 0)
			return -2;
		if (strcmp(f[2], "refused") == 0) {
			c->act[k].refused = 1;
			c->act[k].state = ST_SKIPPED;
		}
		return 0;
	}
	if (strcmp(f[0], "step") == 0 && nf == 13 && !c->planned) {
		struct step *s;
		uint64_t a, size, ino, asize;
		int op;

		for (op = 0; op <= OP_MOVE; op++)
			if (strcmp(f[3], op_names[op]) == 0)
				break;
		if (parse_num(f[1], SIZE_MAX, &v) != 0 || v != c->nstep + 1 ||
		    parse_num(f[2], c->nact, &a) != 0 || a == 0 ||
		    op > OP_MOVE || !plain_path(f[4]) || !plain_name(f[5]) ||
		    (strcmp(f[7], "f") != 0 && strcmp(f[7], "d") != 0) ||
		    parse_num(f[8], UINT64_MAX, &size) != 0 ||
		    parse_num(f[9], UINT64_MAX, &ino) != 0 ||
		    parse_num(f[11], UINT64_MAX, &asize) != 0) {
			*whyp = "bad step record";
			return -1;
		}
		/* Where a step may put things. */
		if ((op == OP_LINK && (strncmp(f[6], CLEAN_BACKUP "/",
		    sizeof(CLEAN_BACKUP)) != 0 ||
		    !plain_name(f[6] + sizeof(CLEAN_BACKUP)))) ||
		    (op == OP_MOVE && (strncmp(f[6], CLEAN_QUARANTINE "/",
		    sizeof(CLEAN_QUARANTINE)) != 0 ||
		    !plain_name(f[6] + sizeof(CLEAN_QUARANTINE)))) ||
		    ((op == OP_STAGE || op == OP_REPLACE ||
		    op == OP_RESET) && (strlen(f[6]) != strlen(f[5]) +
		    strlen(TEMP_SUFFIX) || strncmp(f[6], f[5],
		    strlen(f[5])) != 0 || strcmp(f[6] + strlen(f[5]),
		    TEMP_SUFFIX) != 0))) {
			*whyp = "step stores outside the clean folder";
			return -1;
		}
		if ((s = add_step(c, (int)a - 1, (enum step_op)op, f[4], f[5],
		    f[6])) == NULL)
			return -2;
		s->type = f[7][0];
		s->size = size;
		s->ino = ino;
		s->asize = asize;
		if (parse_sha(f[10], s->sha) != 0 ||
		    parse_sha(f[12], s->asha) != 0) {
			*whyp = "bad hash";
			return -1;
		}
		return 0;
	}
	if (strcmp(f[0], "planned") == 0 && nf == 3 && !c->planned) {
		uint64_t ns;

		if (parse_num(f[1], MAX_ACTIONS, &v) != 0 || v != c->nact ||
		    parse_num(f[2], SIZE_MAX, &ns) != 0 || ns != c->nstep) {
			*whyp = "plan counts do not match";
			return -1;
		}
		c->planned = 1;
		return 0;
	}
	if (!c->planned) {
		*whyp = "record before the plan is sealed";
		return -1;
	}
	if ((strcmp(f[0], "done") == 0 && nf == 2) ||
	    (strcmp(f[0], "fail") == 0 && nf == 3) ||
	    (strcmp(f[0], "undo") == 0 && nf == 2)) {
		struct step *s;

		if (parse_num(f[1], c->nstep, &v) != 0 || v == 0) {
			*whyp = "step number out of range";
			return -1;
		}
		s = &c->step[v - 1];
		if (f[0][0] == 'd')
			s->done = 1;
		else if (f[0][0] == 'u') {
			s->undone = 1;
			c->undoing = 1;
		} else {
			s->failed = 1;
			free(s->error);
			if ((s->error = strdup(f[2])) == NULL)
				return -2;
		}
		if (c->undoing && f[0][0] != 'u') {
			*whyp = "apply record after an undo began";
			return -1;
		}
		return 0;
	}
	if (strcmp(f[0], "complete") == 0 && nf == 1 && !c->undoing) {
		c->complete = 1;
		return 0;
	}
	if (strcmp(f[0], "undone") == 0 && nf == 1) {
		c->undoing = c->undone = 1;
		return 0;
	}
	*whyp = "unknown record";
	return -1;
}

/*
 * Opens offmig-clean (creating it and its two folders when create is set)
 * without following a link.  OFFMIG_ENOTFOUND when it is absent and not
 * created.
 */
static int
open_clean_dir(struct clean *c, int create)
{
	struct offmig_ctx *ctx = c->ctx;
	const char *sub[2] = { CLEAN_BACKUP, CLEAN_QUARANTINE };
	int *fds[2] = { &c->backupfd, &c->quarfd };
	int i, fd;

	if (c->cleanfd < 0) {
		if ((fd = openat(c->vol->rootfd, CLEAN_DIR, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 &&
		    errno == ENOENT && create) {
			if (mkdirat(c->vol->rootfd, CLEAN_DIR, 0700) != 0 &&
			    errno != EEXIST)
				return ctx_set_error(ctx, OFFMIG_EIO, errno,
				    "%s/%s", c->vol->root, CLEAN_DIR);
			if (sync_dir(ctx, c->vol->rootfd, c->vol->root) !=
			    OFFMIG_OK)
				return OFFMIG_EIO;
			fd = openat(c->vol->rootfd, CLEAN_DIR, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0) {
			if (errno == ENOENT)
				return OFFMIG_ENOTFOUND;
			if (errno == ELOOP || errno == ENOTDIR)
				return ctx_set_error(ctx, OFFMIG_EUNSAFE, 0,
				    "%s/%s is a symbolic link or not a "
				    "directory; hive clean keeps its journal "
				    "there and never follows a link: move it "
				    "away", c->vol->root, CLEAN_DIR);
			return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s",
			    c->vol->root, CLEAN_DIR);
		}
		c->cleanfd = fd;
	}
	for (i = 0; i < 2; i++) {
		if (*fds[i] >= 0)
			continue;
		if ((fd = openat(c->cleanfd, sub[i], O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) < 0 && errno == ENOENT &&
		    create) {
			if (mkdirat(c->cleanfd, sub[i], 0700) != 0 &&
			    errno != EEXIST)
				return ctx_set_error(ctx, OFFMIG_EIO, errno,
				    "%s/%s/%s", c->vol->root, CLEAN_DIR,
				    sub[i]);
			if (sync_dir(ctx, c->cleanfd, CLEAN_DIR) != OFFMIG_OK)
				return OFFMIG_EIO;
			fd = openat(c->cleanfd, sub[i], O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return ctx_set_error(ctx, errno == ELOOP ||
			    errno == ENOTDIR ? OFFMIG_EUNSAFE : OFFMIG_EIO,
			    errno, "%s/%s/%s", c->vol->root, CLEAN_DIR,
			    sub[i]);
		*fds[i] = fd;
	}
	return OFFMIG_OK;
}

/*
 * Reads the journal when there is one.  Sets have_journal; the steps and
 * actions come from it when it holds a sealed plan.  A last line without
 * its newline was cut by a crash and is dropped (and cut off the file
 * before the next record is appended).
 */
static int
journal_load(struct clean *c)
{
	struct offmig_ctx *ctx = c->ctx;
	unsigned char *buf = NULL;
	size_t len = 0, pos = 0, lineno = 0, end;
	int ret, seen_hdr = 0;
	struct stat st;
	char rel[64];

	snprintf(rel, sizeof(rel), "%s/%s", CLEAN_DIR, CLEAN_JOURNAL);
	if ((ret = open_clean_dir(c, 0)) == OFFMIG_ENOTFOUND)
		return OFFMIG_OK;
	if (ret != OFFMIG_OK)
		return ret;
	if (fstatat(c->cleanfd, CLEAN_JOURNAL, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return OFFMIG_OK;
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s",
		    c->vol->root, rel);
	}
	if (!S_ISREG(st.st_mode))
		return ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s/%s is not a "
		    "regular file; hive clean never follows a link: move it "
		    "away", c->vol->root, rel);
	if ((uint64_t)st.st_size > JOURNAL_MAX)
		return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: damaged "
		    "journal: too large", c->vol->root, rel);
	if ((ret = read_at(ctx, c->cleanfd, CLEAN_JOURNAL, rel, &buf, &len)) !=
	    OFFMIG_OK)
		return ret;
	c->have_journal = 1;
	end = len;
	while (end > 0 && buf[end - 1] != '\n')
		end--;
	while (pos < end) {
		char *nl = memchr(buf + pos, '\n', end - pos), *line;
		const char *why = NULL;
		int r;

		line = (char *)buf + pos;
		*nl = '\0';
		lineno++;
		if (memchr(line, '\0', (size_t)(nl - line)) != NULL)
			r = -1, why = "NUL byte";
		else
			r = journal_line(c, line, lineno, &seen_hdr, &why);
		if (r == -2) {
			free(buf);
			return ctx_set_error(ctx, OFFMIG_ENOMEM, errno,
			    "%s/%s", c->vol->root, rel);
		}
		if (r != 0) {
			free(buf);
			return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: "
			    "damaged journal: line %zu: %s", c->vol->root,
			    rel, lineno, why);
		}
		pos = (size_t)(nl - (char *)buf) + 1;
	}
	free(buf);
	if (len > 0 && !seen_hdr && end > 0)
		return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s/%s: damaged "
		    "journal", c->vol->root, rel);
	if (end < len && c->mode != OFFMIG_CLEAN_DRY_RUN) {
		/* Cut the torn record before appending. */
		int fd = openat(c->cleanfd, CLEAN_JOURNAL, O_WRONLY |
		    O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0 || ftruncate(fd, (off_t)end) != 0 ||
		    fsync(fd) != 0) {
			int e = errno;

			if (fd >= 0)
				close(fd);
			return ctx_set_error(ctx, OFFMIG_EIO, e, "%s/%s",
			    c->vol->root, rel);
		}
		close(fd);
	}
	return OFFMIG_OK;
}

static int
journal_open_append(struct clean *c, int create)
{
	int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC;

	if (c->jfd >= 0)
		return OFFMIG_OK;
	if (create)
		flags |= O_CREAT | O_TRUNC;
	if ((c->jfd = openat(c->cleanfd, CLEAN_JOURNAL, flags, 0600)) < 0)
		return ctx_set_error(c->ctx, errno == ELOOP ? OFFMIG_EUNSAFE :
		    OFFMIG_EIO, errno, "%s/%s/%s", c->vol->root, CLEAN_DIR,
		    CLEAN_JOURNAL);
	if (create)
		return sync_dir(c->ctx, c->cleanfd, CLEAN_DIR);
	return OFFMIG_OK;
}

/* Forgets an unsealed plan: nothing of it was done. */
static void
plan_reset(struct clean *c)
{
	clean_release(c);
	c->act = NULL;
	c->step = NULL;
	c->nact = c->nstep = 0;
	c->seen_dev = NULL;
	c->seen_ino = NULL;
	c->nseen = 0;
	c->jfd = c->backupfd = c->quarfd = c->cleanfd = -1;
	c->planned = c->complete = c->undoing = c->undone = 0;
}

/* ---- the scan ---- */

static int
has_suffix_ci(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcasecmp(name + n - s, suffix) == 0;
}

/* Length of a log suffix (".LOG", ".LOG1", ".LOG2") ending name, or 0. */
static size_t
log_suffix(const char *name)
{
	if (has_suffix_ci(name, ".LOG"))
		return 4;
	if (has_suffix_ci(name, ".LOG1") || has_suffix_ci(name, ".LOG2"))
		return 5;
	return 0;
}

/* 1 when the regular file starts with "regf". */
static int
starts_regf(int dirfd, const char *name)
{
	char sig[4];
	int fd, ok;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return 0;
	ok = pread(fd, sig, 4, 0) == 4 && memcmp(sig, "regf", 4) == 0;
	close(fd);
	return ok;
}

/* A refused item: reported, warned about, left alone. */
static int
refuse(struct clean *c, const char *dir, const char *name, const char *why)
{
	int a = add_action(c, "refused", -1, dir, name, why, NULL);

	if (a < 0)
		return OFFMIG_ENOMEM;
	c->act[a].refused = 1;
	c->act[a].state = ST_SKIPPED;
	ctx_log(c->ctx, OFFMIG_LOG_WARN, "%s/%s: %s", c->vol->root,
	    c->act[a].path, why);
	return OFFMIG_OK;
}

static char *
store_name(const struct clean *c, const char *area, const char *name)
{
	return str_printf("%s/%zu-%s", area, c->nstep + 1, name);
}

/* Plans the backup and reset of one non-empty log. */
static int
plan_reset_log(struct clean *c, int parent, const char *dir, int dirfd,
    const char *log, const char *reason)
{
	struct fstate fs;
	struct step *s;
	char *bk, *tmp;
	int a;

	if (fstate_at(dirfd, log, 1, &fs) != 0 || fs.type != 'f')
		return OFFMIG_OK;
	if (fs.size == 0)
		return OFFMIG_OK;
	if ((tmp = str_printf("%s%s", log, TEMP_SUFFIX)) == NULL)
		return OFFMIG_ENOMEM;
	{
		struct fstate t;

		if (fstate_at(dirfd, tmp, 0, &t) != 0 || t.type != '-') {
			free(tmp);
			return refuse(c, dir, log, "its temporary name "
			    TEMP_SUFFIX " is in use; left alone");
		}
	}
	{
		char detail[64];

		snprintf(detail, sizeof(detail), "size=%llu",
		    (unsigned long long)fs.size);
		if ((a = add_action(c, "reset-log", parent, dir, log, reason,
		    detail)) < 0) {
			free(tmp);
			return OFFMIG_ENOMEM;
		}
	}
	if ((bk = store_name(c, CLEAN_BACKUP, log)) == NULL ||
	    (s = add_step(c, a, OP_LINK, dir, log, bk)) == NULL) {
		free(bk);
		free(tmp);
		return OFFMIG_ENOMEM;
	}
	free(bk);
	s->size = fs.size;
	s->ino = fs.ino;
	memcpy(s->sha, fs.sha, 32);
	if ((s = add_step(c, a, OP_RESET, dir, log, tmp)) == NULL) {
		free(tmp);
		return OFFMIG_ENOMEM;
	}
	free(tmp);
	s->size = fs.size;
	s->ino = fs.ino;
	memcpy(s->sha, fs.sha, 32);
	s->asize = 0;
	sha_buf("", 0, s->asha);
	return OFFMIG_OK;
}

/*
 * Reads a hive and its logs and replays them.  data/len: the primary;
 * *logsp (hive_find_logs) and the replay in res.
 */
static int
load_replay(struct clean *c, int dirfd, const char *dir, const char *name,
    struct hive_log **logsp, size_t *nlogsp, struct replay_result *res,
    unsigned char psha[32], uint64_t *psize)
{
	struct offmig_ctx *ctx = c->ctx;
	struct replay_log_in *in = NULL;
	unsigned char *prim = NULL, **ldata = NULL;
	size_t plen = 0, i, n = 0;
	char *rel = join_rel(dir, name), *host = NULL;
	int ret;

	*logsp = NULL;
	*nlogsp = 0;
	memset(res, 0, sizeof(*res));
	if (rel == NULL || (host = str_join_path(c->vol->root, dir)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", name);
		goto out;
	}
	if ((ret = read_at(ctx, dirfd, name, rel, &prim, &plen)) != OFFMIG_OK)
		goto out;
	sha_buf(prim, plen, psha);
	*psize = plen;
	if ((ret = hive_find_logs(ctx, dirfd, host, name, logsp, nlogsp)) !=
	    OFFMIG_OK)
		goto out;
	n = *nlogsp;
	if ((in = calloc(n + 1, sizeof(*in))) == NULL ||
	    (ldata = calloc(n + 1, sizeof(*ldata))) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", rel);
		goto out;
	}
	for (i = 0; i < n; i++) {
		char *lrel = join_rel(dir, (*logsp)[i].name);

		if (lrel == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    rel);
			goto out;
		}
		ret = read_at(ctx, dirfd, (*logsp)[i].name, lrel, &ldata[i],
		    &in[i].len);
		free(lrel);
		if (ret != OFFMIG_OK)
			goto out;
		in[i].name = (*logsp)[i].name;
		in[i].data = ldata[i];
	}
	ret = hive_replay(ctx, rel, prim, plen, in, n, res);
out:
	for (i = 0; ldata != NULL && i < n; i++)
		free(ldata[i]);
	free(ldata);
	free(in);
	free(prim);
	free(rel);
	free(host);
	return ret;
}

/* Plans what one hive needs: a replay and log resets, or stale log resets. */
static int
plan_hive(struct clean *c, int dirfd, const char *dir, const char *name)
{
	struct replay_result res;
	struct hive_log *logs = NULL;
	size_t nlogs = 0, i;
	unsigned char psha[32];
	uint64_t psize = 0;
	struct fstate ps;
	int ret, a = -1;

	ret = load_replay(c, dirfd, dir, name, &logs, &nlogs, &res, psha,
	    &psize);
	if (ret == OFFMIG_ENOMEM)
		goto out;
	if (ret != OFFMIG_OK) {
		char why[OFFMIG_ERRMSG_MAX + 32];

		snprintf(why, sizeof(why), "cannot be read: %s",
		    offmig_errmsg(c->ctx));
		ret = refuse(c, dir, name, why);
		goto out;
	}
	if (res.dirty && !res.recovered) {
		char why[300];

		snprintf(why, sizeof(why), "dirty, and no transaction log "
		    "recovers it (%s); left as it is", res.note[0] != '\0' ?
		    res.note : "no log");
		ret = refuse(c, dir, name, why);
		goto out;
	}
	if (res.recovered && res.data != NULL) {
		char detail[200], *tmp, *bk;
		struct step *s;

		if ((tmp = str_printf("%s%s", name, TEMP_SUFFIX)) == NULL) {
			ret = OFFMIG_ENOMEM;
			goto out;
		}
		if (fstate_at(dirfd, tmp, 0, &ps) != 0 || ps.type != '-') {
			free(tmp);
			ret = refuse(c, dir, name, "its temporary name "
			    TEMP_SUFFIX " is in use; left alone");
			goto out;
		}
		snprintf(detail, sizeof(detail), "entries_applied=%zu;"
		    "pages_applied=%zu;seq1_before=%u;seq2_before=%u;"
		    "seq_after=%u;size=%zu", res.entries_applied,
		    res.pages_applied, res.seq1_before, res.seq2_before,
		    res.seq_after, res.len);
		if ((a = add_action(c, "replay", -1, dir, name, "dirty: its "
		    "transaction logs recover it", detail)) < 0 ||
		    (bk = store_name(c, CLEAN_BACKUP, name)) == NULL) {
			free(tmp);
			ret = OFFMIG_ENOMEM;
			goto out;
		}
		s = add_step(c, a, OP_LINK, dir, name, bk);
		free(bk);
		if (s == NULL) {
			free(tmp);
			ret = OFFMIG_ENOMEM;
			goto out;
		}
		s->size = psize;
		memcpy(s->sha, psha, 32);
		for (i = 0; i < 2; i++) {
			if ((s = add_step(c, a, i == 0 ? OP_STAGE : OP_REPLACE,
			    dir, name, tmp)) == NULL) {
				free(tmp);
				ret = OFFMIG_ENOMEM;
				goto out;
			}
			s->size = psize;
			memcpy(s->sha, psha, 32);
			s->asize = res.len;
			sha_buf(res.data, res.len, s->asha);
		}
		free(tmp);
	}
	for (i = 0; i < nlogs; i++)
		if ((ret = plan_reset_log(c, a, dir, dirfd, logs[i].name,
		    a >= 0 ? "its hive was recovered from it" : "its hive is "
		    "clean: the log no longer applies")) != OFFMIG_OK)
			goto out;
	ret = OFFMIG_OK;
out:
	replay_result_free(&res);
	hive_logs_free(logs, nlogs);
	return ret;
}

static int
plan_move(struct clean *c, const char *kind, const char *dir, int dirfd,
    const char *name, const char *reason)
{
	struct fstate fs;
	struct step *s;
	char *q;
	int a;

	if (fstate_at(dirfd, name, 1, &fs) != 0 ||
	    (fs.type != 'f' && fs.type != 'd'))
		return OFFMIG_OK;
	if ((a = add_action(c, kind, -1, dir, name, reason, NULL)) < 0 ||
	    (q = store_name(c, CLEAN_QUARANTINE, name)) == NULL)
		return OFFMIG_ENOMEM;
	s = add_step(c, a, OP_MOVE, dir, name, q);
	free(q);
	if (s == NULL)
		return OFFMIG_ENOMEM;
	s->type = fs.type;
	s->size = fs.size;
	s->ino = fs.ino;
	memcpy(s->sha, fs.sha, 32);
	return OFFMIG_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Scans one directory that holds hives (names in hives[], matched as
 * Windows matches names): the hives, their logs, orphan logs and leftover
 * copies.  Entries are taken in name order so that plans are reproducible.
 */
static int
scan_dir(struct clean *c, const char *dir, const char *const *hives,
    size_t nhives)
{
	struct offmig_ctx quiet;
	char **names = NULL;
	size_t n = 0, i, h;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int dirfd = -1, fd, ret = OFFMIG_OK;

	memset(&quiet, 0, sizeof(quiet));
	if (open_dir(c, dir, &dirfd) != OFFMIG_OK)
		return OFFMIG_OK;	/* no such directory: nothing there */
	if (fstat(dirfd, &st) != 0)
		goto out;
	for (i = 0; i < c->nseen; i++)
		if (c->seen_dev[i] == st.st_dev && c->seen_ino[i] == st.st_ino)
			goto out;
	{
		dev_t *dv = realloc(c->seen_dev, (c->nseen + 1) * sizeof(*dv));
		ino_t *iv;

		if (dv != NULL)
			c->seen_dev = dv;
		iv = dv != NULL ? realloc(c->seen_ino, (c->nseen + 1) *
		    sizeof(*iv)) : NULL;
		if (iv == NULL) {
			ret = ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "%s",
			    dir);
			goto out;
		}
		c->seen_ino = iv;
		c->seen_dev[c->nseen] = st.st_dev;
		c->seen_ino[c->nseen++] = st.st_ino;
	}
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		char **t;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((t = realloc(names, (n + 1) * sizeof(*t))) == NULL ||
		    (t[n] = strdup(de->d_name)) == NULL) {
			if (t != NULL)
				names = t;
			ret = ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "%s",
			    dir);
			goto out;
		}
		names = t;
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && ret == OFFMIG_OK; i++) {
		const char *e = names[i];
		size_t ls = log_suffix(e);
		int is_link, is_reg;

		if (fstatat(dirfd, e, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		is_link = S_ISLNK(st.st_mode);
		is_reg = S_ISREG(st.st_mode);
		for (h = 0; h < nhives; h++)
			if (wstrcasecmp(e, hives[h]) == 0)
				break;
		if (h < nhives) {
			if (!is_reg)
				ret = refuse(c, dir, e, is_link ? "a symbolic "
				    "link where a hive should be; never "
				    "followed" : "not a regular file where a "
				    "hive should be");
			else
				ret = plan_hive(c, dirfd, dir, e);
			continue;
		}
		if (has_suffix_ci(e, TEMP_SUFFIX))
			continue;	/* ours, from a journaled step */
		if (ls > 0) {
			char *base = strndup(e, strlen(e) - ls), *found = NULL;
			int r;

			if (base == NULL) {
				ret = ctx_set_error(c->ctx, OFFMIG_ENOMEM,
				    errno, "%s", dir);
				break;
			}
			r = *base != '\0' ? vpath_lookup(&quiet, dirfd, base,
			    &found) : OFFMIG_ENOTFOUND;
			for (h = 0; h < nhives; h++)
				if (wstrcasecmp(base, hives[h]) == 0)
					break;
			if (r == OFFMIG_OK && h < nhives && !is_reg)
				ret = refuse(c, dir, e, is_link ? "a symbolic "
				    "link where a log should be; never "
				    "followed" : "not a regular file where a "
				    "log should be");
			else if (r == OFFMIG_ENOTFOUND && is_link)
				ret = refuse(c, dir, e, "a symbolic link named "
				    "like a log; never followed");
			else if (r == OFFMIG_ENOTFOUND && is_reg &&
			    (st.st_size == 0 || starts_regf(dirfd, e)))
				ret = plan_move(c, "remove-orphan-log", dir,
				    dirfd, e, "transaction log whose hive is "
				    "gone");
			free(found);
			free(base);
			continue;
		}
		if (has_suffix_ci(e, ".tmp") || has_suffix_ci(e, ".sav")) {
			if (is_link)
				ret = refuse(c, dir, e, "a symbolic link named "
				    "like a hive copy; never followed");
			else if (is_reg && starts_regf(dirfd, e))
				ret = plan_move(c, "quarantine", dir, dirfd, e,
				    "hive copy left by an interrupted tool");
		}
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d != NULL)
		closedir(d);
	if (dirfd >= 0)
		close(dirfd);
	return ret;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? strndup(path, (size_t)(slash - path)) :
	    strdup("");
}

/* Finds everything to clean on the volume. */
static int
scan(struct clean *c)
{
	static const char *const sys[] = {
		"SOFTWARE", "SYSTEM", "SAM", "SECURITY", "DEFAULT",
		"COMPONENTS", "DRIVERS", "BBI", "ELAM"
	};
	static const char *const ntuser[] = { "NTUSER.DAT" };
	static const char *const usrclass[] = { "UsrClass.dat" };
	static const char *const amcache[] = { "Amcache.hve" };
	struct offmig_volume *vol = c->vol;
	const struct profile_list *pl = NULL;
	struct offmig_ctx quiet;
	struct stat st;
	char *dir, *found = NULL;
	size_t i;
	int ret;

	memset(&quiet, 0, sizeof(quiet));
	if ((ret = scan_dir(c, vol->configdir_host, sys,
	    sizeof(sys) / sizeof(sys[0]))) != OFFMIG_OK)
		return ret;
	if ((dir = str_join_path(vol->windir_host, "AppCompat/Programs")) ==
	    NULL)
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "scan");
	{
		char *host = NULL;

		if (vpath_resolve(&quiet, vol->rootfd, dir, VPATH_DIR, NULL,
		    &host, NULL) == OFFMIG_OK)
			ret = scan_dir(c, host, amcache, 1);
		free(host);
	}
	free(dir);
	if (ret != OFFMIG_OK)
		return ret;
	if (volume_profiles(vol, &pl) == OFFMIG_OK) {
		for (i = 0; i < pl->n && ret == OFFMIG_OK; i++) {
			const struct profile *p = &pl->v[i];
			char *ud = NULL, *host = NULL;

			if (p->host_path == NULL)
				continue;
			dir = p->hive_host != NULL ? dir_of(p->hive_host) :
			    strdup(p->host_path);
			if (dir == NULL)
				return ctx_set_error(c->ctx, OFFMIG_ENOMEM,
				    errno, "scan");
			ret = scan_dir(c, dir, ntuser, 1);
			free(dir);
			if (ret != OFFMIG_OK)
				break;
			if (p->usrclass_host != NULL)
				ud = dir_of(p->usrclass_host);
			else
				ud = str_join_path(p->host_path,
				    "AppData/Local/Microsoft/Windows");
			if (ud == NULL)
				return ctx_set_error(c->ctx, OFFMIG_ENOMEM,
				    errno, "scan");
			if (vpath_resolve(&quiet, vol->rootfd, ud, VPATH_DIR,
			    NULL, &host, NULL) == OFFMIG_OK)
				ret = scan_dir(c, host, usrclass, 1);
			free(host);
			free(ud);
		}
		if (ret == OFFMIG_OK && pl->default_path != NULL &&
		    volume_resolve(vol, pl->default_path, VPATH_DIR, &dir,
		    NULL) == OFFMIG_OK) {
			ret = scan_dir(c, dir, ntuser, 1);
			free(dir);
		}
		if (ret != OFFMIG_OK)
			return ret;
	}
	/* USMT's working folder at the root of the system drive. */
	if (vpath_lookup(&quiet, vol->rootfd, "USMT.TMP", &found) ==
	    OFFMIG_OK && fstatat(vol->rootfd, found, &st,
	    AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			ret = refuse(c, "", found, "a symbolic link named like "
			    "USMT's working folder; never followed");
		else if (S_ISDIR(st.st_mode))
			ret = plan_move(c, "quarantine", "", vol->rootfd, found,
			    "USMT working folder left by an interrupted "
			    "ScanState or LoadState");
	}
	free(found);
	return ret;
}

/* ---- carrying out ---- */

static int
step_fail(struct clean *c, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a failed step (journal and log); the run goes on. */
static int
step_fail(struct clean *c, size_t i, const char *fmt, ...)
{
	struct step *s = &c->step[i];
	char msg[OFFMIG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->failed = 1;
	free(s->error);
	s->error = strdup(msg);
	ctx_log(c->ctx, OFFMIG_LOG_ERROR, "%s/%s: %s", c->vol->root,
	    c->act[s->a].path, msg);
	return journal_mark(c, "fail", i, msg);
}

/* The fd of the area a store path names, and the name in it. */
static int
store_fd(const struct clean *c, const char *store, const char **namep)
{
	if (strncmp(store, CLEAN_BACKUP "/", sizeof(CLEAN_BACKUP)) == 0) {
		*namep = store + sizeof(CLEAN_BACKUP);
		return c->backupfd;
	}
	*namep = store + sizeof(CLEAN_QUARANTINE);
	return c->quarfd;
}

/* Copies name to the backup when the file system cannot link it. */
static int
copy_backup(struct clean *c, int dirfd, const char *name, const char *rel,
    int bfd, const char *bname)
{
	unsigned char *buf;
	size_t len;
	char *part;
	int ret;

	if ((ret = read_at(c->ctx, dirfd, name, rel, &buf, &len)) != OFFMIG_OK)
		return ret;
	if ((part = str_printf("%s%s", bname, PART_SUFFIX)) == NULL) {
		free(buf);
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "%s", rel);
	}
	ret = write_at(c->ctx, bfd, part, rel, buf, len);
	if (ret == OFFMIG_OK && renameat(bfd, part, bfd, bname) != 0)
		ret = ctx_set_error(c->ctx, OFFMIG_EIO, errno, "%s", rel);
	free(part);
	free(buf);
	return ret;
}

/*
 * Runs step i: first recognises a change already made (a stop between the
 * change and its record), then makes it.  Returns OFFMIG_OK when the step
 * is done or has failed (recorded); other codes stop the run.
 */
static int
run_step(struct clean *c, size_t i)
{
	struct offmig_ctx *ctx = c->ctx;
	struct step *s = &c->step[i];
	const char *path = c->act[s->a].path, *sname;
	struct fstate cur, other;
	int dirfd = -1, sfd, ret;

	if ((ret = open_dir(c, s->dir, &dirfd)) != OFFMIG_OK) {
		if (ret == OFFMIG_ENOMEM)
			return ret;
		return step_fail(c, i, "%s", offmig_errmsg(ctx));
	}
	if (fstate_at(dirfd, s->name, s->type == 'f', &cur) != 0) {
		ret = step_fail(c, i, "cannot be read: %s", strerror(errno));
		goto out;
	}
	switch (s->op) {
	case OP_LINK:
		sfd = store_fd(c, s->store, &sname);
		if (fstate_at(sfd, sname, 1, &other) != 0) {
			ret = step_fail(c, i, "%s: %s", s->store,
			    strerror(errno));
			goto out;
		}
		if (other.type != '-') {
			if (is_before(s, &other))
				break;		/* linked before a stop */
			ret = step_fail(c, i, "%s/%s already exists and holds "
			    "something else", CLEAN_DIR, s->store);
			goto out;
		}
		if (!is_before(s, &cur)) {
			ret = step_fail(c, i, "changed since the clean was "
			    "planned; left alone");
			goto out;
		}
		if (linkat(dirfd, s->name, sfd, sname, 0) != 0) {
			if (errno != EPERM && errno != EOPNOTSUPP &&
			    errno != EMLINK && errno != EXDEV &&
			    errno != ENOSYS) {
				ret = step_fail(c, i, "backup: %s",
				    strerror(errno));
				goto out;
			}
			if ((ret = copy_backup(c, dirfd, s->name, path, sfd,
			    sname)) != OFFMIG_OK) {
				if (ret == OFFMIG_ENOMEM)
					goto out;
				ret = step_fail(c, i, "backup: %s",
				    offmig_errmsg(ctx));
				goto out;
			}
		}
		if ((ret = sync_dir(ctx, sfd, CLEAN_BACKUP)) != OFFMIG_OK)
			goto out;
		fault_point();
		break;
	case OP_STAGE:
		if (is_after(s, &cur))
			break;		/* replaced before a stop */
		if (!is_before(s, &cur)) {
			ret = step_fail(c, i, "changed since the clean was "
			    "planned; left alone");
			goto out;
		}
		{
			struct replay_result res;
			struct hive_log *logs = NULL;
			size_t nlogs = 0;
			unsigned char psha[32], rsha[32];
			uint64_t psize;

			ret = load_replay(c, dirfd, s->dir, s->name, &logs,
			    &nlogs, &res, psha, &psize);
			hive_logs_free(logs, nlogs);
			if (ret == OFFMIG_OK && (res.data == NULL ||
			    (sha_buf(res.data, res.len, rsha),
			    res.len != s->asize ||
			    memcmp(rsha, s->asha, 32) != 0))) {
				replay_result_free(&res);
				ret = step_fail(c, i, "its logs changed since "
				    "the clean was planned; left alone");
				goto out;
			}
			if (ret == OFFMIG_OK)
				ret = write_at(ctx, dirfd, s->store, path,
				    res.data, res.len);
			replay_result_free(&res);
			if (ret == OFFMIG_ENOMEM)
				goto out;
			if (ret != OFFMIG_OK) {
				ret = step_fail(c, i, "%s", offmig_errmsg(ctx));
				goto out;
			}
		}
		if ((ret = sync_dir(ctx, dirfd, s->dir)) != OFFMIG_OK)
			goto out;
		fault_point();
		break;
	case OP_REPLACE:
		if (is_after(s, &cur))
			break;
		if (fstate_at(dirfd, s->store, 1, &other) != 0 ||
		    !is_after(s, &other) || !is_before(s, &cur)) {
			ret = step_fail(c, i, "the hive or its recovered copy "
			    "changed since the clean was planned; left alone");
			goto out;
		}
		if (renameat(dirfd, s->store, dirfd, s->name) != 0) {
			ret = step_fail(c, i, "%s", strerror(errno));
			goto out;
		}
		if ((ret = sync_dir(ctx, dirfd, s->dir)) != OFFMIG_OK)
			goto out;
		fault_point();
		break;
	case OP_RESET:
		if (is_after(s, &cur))
			break;
		if (!is_before(s, &cur)) {
			ret = step_fail(c, i, "changed since the clean was "
			    "planned; left alone");
			goto out;
		}
		if ((ret = write_at(ctx, dirfd, s->store, path, "", 0)) !=
		    OFFMIG_OK) {
			if (ret == OFFMIG_ENOMEM)
				goto out;
			ret = step_fail(c, i, "%s", offmig_errmsg(ctx));
			goto out;
		}
		if (renameat(dirfd, s->store, dirfd, s->name) != 0) {
			ret = step_fail(c, i, "%s", strerror(errno));
			goto out;
		}
		if ((ret = sync_dir(ctx, dirfd, s->dir)) != OFFMIG_OK)
			goto out;
		fault_point();
		break;
	case OP_MOVE:
		sfd = store_fd(c, s->store, &sname);
		if (fstate_at(sfd, sname, s->type == 'f', &other) != 0) {
			ret = step_fail(c, i, "%s: %s", s->store,
			    strerror(errno));
			goto out;
		}
		if (cur.type == '-' && is_before(s, &other))
			break;			/* moved before a stop */
		if (!is_before(s, &cur) || other.type != '-') {
			ret = step_fail(c, i, "changed since the clean was "
			    "planned; left alone");
			goto out;
		}
		if (renameat(dirfd, s->name, sfd, sname) != 0) {
			ret = step_fail(c, i, "%s", strerror(errno));
			goto out;
		}
		if ((ret = sync_dir(ctx, sfd, CLEAN_QUARANTINE)) != OFFMIG_OK ||
		    (ret = sync_dir(ctx, dirfd, s->dir)) != OFFMIG_OK)
			goto out;
		fault_point();
		break;
	}
	s->done = 1;
	ret = journal_mark(c, "done", i, NULL);
	if (ret == OFFMIG_OK)
		fault_point();
out:
	if (dirfd >= 0)
		close(dirfd);
	return ret;
}

/* 1 when an earlier step of the action, or of its parent, failed. */
static int
action_blocked(const struct clean *c, size_t i)
{
	const struct step *s = &c->step[i];
	size_t j;

	for (j = 0; j < i; j++)
		if (c->step[j].failed && (c->step[j].a == s->a ||
		    c->step[j].a == c->act[s->a].parent))
			return 1;
	return 0;
}

static int
apply(struct clean *c)
{
	size_t i;
	int ret;

	for (i = 0; i < c->nstep; i++) {
		if (c->step[i].done || c->step[i].failed ||
		    action_blocked(c, i))
			continue;
		if ((ret = run_step(c, i)) != OFFMIG_OK)
			return ret;
	}
	if ((ret = journal_append(c, "complete", NULL)) != OFFMIG_OK)
		return ret;
	c->complete = 1;
	fault_point();
	return OFFMIG_OK;
}

/*
 * Undo, check only: 1 when step i can be reverted or already is, else 0
 * with the file named in the message.
 */
static int
undo_check(struct clean *c, size_t i, int dirfd)
{
	struct step *s = &c->step[i];
	struct fstate cur, other;
	const char *sname;
	int sfd;

	if (s->undone || s->op == OP_STAGE)
		return 1;
	if (fstate_at(dirfd, s->name, s->type == 'f', &cur) != 0)
		goto bad;
	switch (s->op) {
	case OP_LINK:
		sfd = store_fd(c, s->store, &sname);
		if (sfd < 0 || fstate_at(sfd, sname, 1, &other) != 0)
			goto bad;
		if (other.type == '-' || is_before(s, &other))
			return 1;
		goto bad;
	case OP_REPLACE:
	case OP_RESET:
		if (is_before(s, &cur))
			return 1;
		{
			const struct step *lk = NULL;
			size_t j;

			/* The backup its link step made. */
			for (j = i; j-- > 0;)
				if (c->step[j].a == s->a &&
				    c->step[j].op == OP_LINK) {
					lk = &c->step[j];
					break;
				}
			if (lk == NULL || !is_after(s, &cur))
				goto bad;
			sfd = store_fd(c, lk->store, &sname);
			if (sfd < 0 || fstate_at(sfd, sname, 1, &other) != 0 ||
			    !is_before(s, &other))
				goto bad;
			return 1;
		}
	case OP_MOVE:
		sfd = store_fd(c, s->store, &sname);
		if (sfd < 0 || fstate_at(sfd, sname, s->type == 'f', &other) !=
		    0)
			goto bad;
		if ((cur.type == '-' && is_before(s, &other)) ||
		    (is_before(s, &cur) && other.type == '-'))
			return 1;
		goto bad;
	default:
		return 1;
	}
bad:
	ctx_set_error(c->ctx, OFFMIG_EUNSAFE, 0, "%s/%s changed since the "
	    "clean (it is neither what was there nor what clean wrote); undo "
	    "would lose it, so nothing was undone: the journal and backups "
	    "are in %s/%s", c->vol->root, c->act[s->a].path, c->vol->root,
	    CLEAN_DIR);
	return 0;
}

/* Reverts step i (undo_check() passed). */
static int
undo_step(struct clean *c, size_t i)
{
	struct offmig_ctx *ctx = c->ctx;
	struct step *s = &c->step[i];
	struct fstate cur;
	const char *sname;
	int dirfd = -1, sfd, ret = OFFMIG_OK, changed = 0;

	if ((ret = open_dir(c, s->dir, &dirfd)) != OFFMIG_OK)
		return ret;
	if (fstate_at(dirfd, s->name, s->type == 'f', &cur) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s",
		    c->vol->root, c->act[s->a].path);
		goto out;
	}
	switch (s->op) {
	case OP_LINK:
		sfd = store_fd(c, s->store, &sname);
		/* The original is back in place: this link is a spare. */
		if (fstatat(sfd, sname, &(struct stat){ 0 },
		    AT_SYMLINK_NOFOLLOW) == 0 && is_before(s, &cur)) {
			if (unlinkat(sfd, sname, 0) != 0) {
				ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
				    "%s/%s/%s", c->vol->root, CLEAN_DIR,
				    s->store);
				goto out;
			}
			ret = sync_dir(ctx, sfd, CLEAN_BACKUP);
			changed = 1;
		}
		break;
	case OP_STAGE:
		if (fstatat(dirfd, s->store, &(struct stat){ 0 },
		    AT_SYMLINK_NOFOLLOW) == 0) {
			struct fstate t;

			if (fstate_at(dirfd, s->store, 0, &t) == 0 &&
			    t.type == 'f') {
				if (unlinkat(dirfd, s->store, 0) != 0) {
					ret = ctx_set_error(ctx, OFFMIG_EIO,
					    errno, "%s/%s", c->vol->root,
					    s->store);
					goto out;
				}
				ret = sync_dir(ctx, dirfd, s->dir);
				changed = 1;
			}
		}
		break;
	case OP_REPLACE:
	case OP_RESET:
		if (is_before(s, &cur))
			break;
		{
			const struct step *lk = NULL;
			size_t j;

			for (j = i; j-- > 0;)
				if (c->step[j].a == s->a &&
				    c->step[j].op == OP_LINK) {
					lk = &c->step[j];
					break;
				}
			if (lk == NULL) {
				ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
				    "%s/%s/%s: no backup step for step %zu",
				    c->vol->root, CLEAN_DIR, CLEAN_JOURNAL,
				    i + 1);
				goto out;
			}
			sfd = store_fd(c, lk->store, &sname);
			if (renameat(sfd, sname, dirfd, s->name) != 0) {
				ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
				    "%s/%s", c->vol->root, c->act[s->a].path);
				goto out;
			}
			if ((ret = sync_dir(ctx, dirfd, s->dir)) == OFFMIG_OK)
				ret = sync_dir(ctx, sfd, CLEAN_BACKUP);
			changed = 1;
		}
		break;
	case OP_MOVE:
		if (cur.type != '-')
			break;
		sfd = store_fd(c, s->store, &sname);
		if (renameat(sfd, sname, dirfd, s->name) != 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s",
			    c->vol->root, c->act[s->a].path);
			goto out;
		}
		if ((ret = sync_dir(ctx, dirfd, s->dir)) == OFFMIG_OK)
			ret = sync_dir(ctx, sfd, CLEAN_QUARANTINE);
		changed = 1;
		break;
	}
	if (ret != OFFMIG_OK)
		goto out;
	if (changed)
		fault_point();
	s->undone = 1;
	if ((ret = journal_mark(c, "undo", i, NULL)) == OFFMIG_OK)
		fault_point();
out:
	if (dirfd >= 0)
		close(dirfd);
	return ret;
}

/* Removes the clean folder once everything is undone. */
static int
remove_clean_dir(struct clean *c)
{
	struct offmig_ctx *ctx = c->ctx;
	const char *sub[2] = { CLEAN_BACKUP, CLEAN_QUARANTINE };
	int i;

	if (c->jfd >= 0) {
		close(c->jfd);
		c->jfd = -1;
	}
	if (unlinkat(c->cleanfd, CLEAN_JOURNAL, 0) != 0 && errno != ENOENT)
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s/%s",
		    c->vol->root, CLEAN_DIR, CLEAN_JOURNAL);
	fault_point();
	for (i = 0; i < 2; i++)
		if (unlinkat(c->cleanfd, sub[i], AT_REMOVEDIR) != 0 &&
		    errno != ENOENT)
			return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s/%s "
			    "is not empty: left in place", c->vol->root,
			    CLEAN_DIR, sub[i]);
	if (unlinkat(c->vol->rootfd, CLEAN_DIR, AT_REMOVEDIR) != 0 &&
	    errno != ENOENT)
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s is not "
		    "empty: left in place", c->vol->root, CLEAN_DIR);
	return sync_dir(ctx, c->vol->rootfd, c->vol->root);
}

static int
undo(struct clean *c)
{
	size_t i;
	int ret, dirfd;

	if (!c->undone) {
		/* Every file is checked before anything is changed. */
		for (i = c->nstep; i-- > 0;) {
			if (c->step[i].undone)
				continue;
			if (open_dir(c, c->step[i].dir, &dirfd) != OFFMIG_OK) {
				ctx_set_error(c->ctx, OFFMIG_EUNSAFE, 0,
				    "%s/%s: its directory changed since the "
				    "clean; nothing was undone",
				    c->vol->root, c->act[c->step[i].a].path);
				return OFFMIG_EUNSAFE;
			}
			ret = undo_check(c, i, dirfd);
			close(dirfd);
			if (!ret)
				return OFFMIG_EUNSAFE;
		}
		for (i = c->nstep; i-- > 0;)
			if (!c->step[i].undone &&
			    (ret = undo_step(c, i)) != OFFMIG_OK)
				return ret;
		if ((ret = journal_append(c, "undone", NULL)) != OFFMIG_OK)
			return ret;
		c->undone = 1;
		fault_point();
	}
	return remove_clean_dir(c);
}

/* ---- the report ---- */

static void
doc_detail(struct offmig_doc *doc, struct offmig_node *o, const char *det)
{
	struct offmig_node *d = doc_add_object(doc, o, "detail");
	char *copy, *tok, *save = NULL;

	if (det == NULL || (copy = strdup(det)) == NULL)
		return;
	for (tok = strtok_r(copy, ";", &save); tok != NULL;
	    tok = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(tok, '=');
		uint64_t v;

		if (eq == NULL)
			continue;
		*eq = '\0';
		if (parse_num(eq + 1, INT64_MAX, &v) == 0)
			doc_add_int(doc, d, tok, (int64_t)v);
		else
			doc_add_str(doc, d, tok, eq + 1);
	}
	free(copy);
}

/* Each action's state from its steps. */
static void
settle_states(struct clean *c)
{
	size_t i, j;

	for (i = 0; i < c->nact; i++) {
		struct action *a = &c->act[i];
		size_t n = 0, done = 0, undone = 0, failed = 0;
		const char *err = NULL;

		if (a->refused)
			continue;
		for (j = 0; j < c->nstep; j++) {
			const struct step *s = &c->step[j];

			if (s->a != (int)i)
				continue;
			n++;
			done += s->done;
			undone += s->undone;
			if (s->failed) {
				failed++;
				err = s->error;
			}
		}
		if (n > 0 && undone == n)
			a->state = ST_UNDONE;
		else if (failed > 0)
			a->state = ST_FAILED;
		else if (n > 0 && done == n)
			a->state = ST_DONE;
		else if (c->complete || (a->parent >= 0 &&
		    c->act[a->parent].state == ST_FAILED))
			a->state = ST_SKIPPED;
		else
			a->state = ST_PLANNED;
		free(a->error);
		a->error = xstrdup_or_null(err);
	}
}

static int
build_report(struct clean *c, struct offmig_doc **docp)
{
	static const char *const modes[] = { "dry-run", "apply", "undo" };
	struct offmig_doc *doc;
	struct offmig_node *root, *arr, *sum;
	char *jpath = NULL, *qpath = NULL;
	size_t i;
	int ret, k;

	settle_states(c);
	if ((doc = doc_new()) == NULL)
		return ctx_set_error(c->ctx, OFFMIG_ENOMEM, errno, "report");
	root = doc_root_mut(doc);
	doc_add_str(doc, root, "volume", c->vol->root);
	doc_add_str(doc, root, "mode", modes[c->mode]);
	if (c->cleanfd >= 0 && !(c->mode == OFFMIG_CLEAN_UNDO && c->undone)) {
		jpath = str_printf("%s/%s/%s", c->vol->root, CLEAN_DIR,
		    CLEAN_JOURNAL);
		if (c->quarfd >= 0)
			qpath = str_printf("%s/%s/%s", c->vol->root, CLEAN_DIR,
			    CLEAN_QUARANTINE);
	}
	doc_add_str(doc, root, "journal", c->have_journal || c->jfd >= 0 ?
	    jpath : NULL);
	doc_add_str(doc, root, "quarantine", qpath);
	free(jpath);
	free(qpath);
	doc_add_bool(doc, root, "hibernated", c->vol->hibernated);
	arr = doc_add_array(doc, root, "actions");
	for (i = 0; i < c->nact; i++) {
		const struct action *a = &c->act[i];
		struct offmig_node *o;

		o = doc_push_object(doc, arr);
		doc_add_str(doc, o, "kind", a->kind);
		doc_add_str(doc, o, "path", a->path);
		doc_add_str(doc, o, "reason", a->reason);
		doc_detail(doc, o, a->detail);
		doc_add_str(doc, o, "state", state_names[a->state]);
		doc_add_str(doc, o, "error", a->error);
	}
	sum = doc_add_object(doc, root, "summary");
	{
		static const char *const kinds[] = {
			"replay", "reset-log", "quarantine",
			"remove-orphan-log", "refused"
		};

		for (k = 0; k < 5; k++) {
			struct offmig_node *ko = doc_add_object(doc, sum,
			    kinds[k]);
			int st;

			for (st = 0; st <= ST_UNDONE; st++) {
				int64_t n = 0;

				for (i = 0; i < c->nact; i++)
					if (strcmp(c->act[i].kind, kinds[k]) ==
					    0 && (int)c->act[i].state == st)
						n++;
				doc_add_int(doc, ko, state_names[st], n);
			}
		}
	}
	if ((ret = doc_status(doc)) != OFFMIG_OK) {
		offmig_doc_free(doc);
		return ctx_set_error(c->ctx, ret, 0, "report");
	}
	*docp = doc;
	return OFFMIG_OK;
}

/* Planned work in a fresh scan (refused items are not work). */
static size_t
pending_work(const struct clean *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->nact; i++)
		n += !c->act[i].refused;
	return n;
}

int
offmig_hive_clean(struct offmig_ctx *ctx, struct offmig_volume *vol,
    enum offmig_clean_mode mode, struct offmig_doc **docp)
{
	struct clean c;
	int ret;

	*docp = NULL;
	if (vol == NULL || (mode != OFFMIG_CLEAN_DRY_RUN &&
	    mode != OFFMIG_CLEAN_APPLY && mode != OFFMIG_CLEAN_UNDO))
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "hive clean: bad "
		    "arguments");
	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.vol = vol;
	c.mode = mode;
	c.jfd = c.backupfd = c.quarfd = c.cleanfd = -1;
	fault_count = 0;
	if (mode != OFFMIG_CLEAN_DRY_RUN && vol->hibernated) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: Windows was "
		    "hibernated or shut down with Fast Startup (hiberfil.sys "
		    "is in use), so it would restore its cached view of the "
		    "disk over any change: nothing was written.  Boot Windows "
		    "and shut it down fully (Shift+Shut down, or shutdown /s "
		    "/t 0), or turn hibernation off there with powercfg /h "
		    "off; removing hiberfil.sys also works but loses the "
		    "hibernated session", vol->root);
		goto out;
	}
	if ((ret = journal_load(&c)) != OFFMIG_OK)
		goto out;
	if (c.have_journal && !c.planned && mode != OFFMIG_CLEAN_DRY_RUN) {
		/* The plan was being written: nothing of it was done. */
		if (unlinkat(c.cleanfd, CLEAN_JOURNAL, 0) != 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s/%s",
			    vol->root, CLEAN_DIR, CLEAN_JOURNAL);
			goto out;
		}
		plan_reset(&c);
		c.ctx = ctx;
		c.vol = vol;
		c.mode = mode;
	}
	switch (mode) {
	case OFFMIG_CLEAN_DRY_RUN:
		/* A journal in progress is what a run would continue. */
		if (c.planned && !c.complete && !c.undoing)
			break;
		plan_reset(&c);
		c.ctx = ctx;
		c.vol = vol;
		c.mode = mode;
		if ((ret = open_clean_dir(&c, 0)) != OFFMIG_OK &&
		    ret != OFFMIG_ENOTFOUND)
			goto out;
		c.have_journal = c.cleanfd >= 0 && faccessat(c.cleanfd,
		    CLEAN_JOURNAL, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
		ret = scan(&c);
		break;
	case OFFMIG_CLEAN_APPLY:
		if (c.undoing) {
			ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s/%s/%s: "
			    "an undo was begun; finish it with --undo before "
			    "cleaning again", vol->root, CLEAN_DIR,
			    CLEAN_JOURNAL);
			goto out;
		}
		if (c.planned && c.complete) {
			struct clean fresh;

			memset(&fresh, 0, sizeof(fresh));
			fresh.ctx = ctx;
			fresh.vol = vol;
			fresh.mode = mode;
			fresh.jfd = fresh.backupfd = fresh.quarfd =
			    fresh.cleanfd = -1;
			ret = scan(&fresh);
			if (ret == OFFMIG_OK && pending_work(&fresh) > 0)
				ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0,
				    "%s/%s records a finished clean and the "
				    "volume has new stale hive state: undo "
				    "the old clean with --undo, or move %s "
				    "away to keep it, then clean again",
				    vol->root, CLEAN_DIR, CLEAN_DIR);
			if (ret == OFFMIG_OK) {
				/* Nothing to do: report the new scan. */
				fresh.have_journal = 1;
				fresh.cleanfd = c.cleanfd;
				c.cleanfd = -1;
				ret = build_report(&fresh, docp);
			}
			clean_release(&fresh);
			goto out;
		}
		if (!c.planned) {
			if ((ret = scan(&c)) != OFFMIG_OK)
				goto out;
			if (pending_work(&c) == 0)
				break;	/* nothing to do or write */
			if ((ret = open_clean_dir(&c, 1)) != OFFMIG_OK ||
			    (ret = journal_open_append(&c, 1)) != OFFMIG_OK ||
			    (ret = journal_plan(&c)) != OFFMIG_OK)
				goto out;
			c.have_journal = 1;
			fault_point();
		} else if ((ret = open_clean_dir(&c, 1)) != OFFMIG_OK ||
		    (ret = journal_open_append(&c, 0)) != OFFMIG_OK)
			goto out;
		ret = apply(&c);
		break;
	case OFFMIG_CLEAN_UNDO:
		if (c.cleanfd < 0)
			break;		/* nothing was cleaned */
		if (!c.have_journal) {
			/* Only the empty folders of a finished undo. */
			ret = remove_clean_dir(&c);
			break;
		}
		if ((ret = journal_open_append(&c, 0)) != OFFMIG_OK)
			goto out;
		ret = undo(&c);
		break;
	}
	if (ret == OFFMIG_OK)
		ret = build_report(&c, docp);
out:
	clean_release(&c);
	return ret;
}
