/*
 * tools.c - the hive tools of "offmig hive": check, recover, get, export
 * and import, on hive files named by host path.
 *
 * These work outside any volume: the user names a file, and its logs are
 * looked for beside it (hive_find_logs: NAME.LOG, .LOG1, .LOG2 in any
 * letter case).  Reading never writes; recover writes only its output, and
 * import goes through the safe writer (writer.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "common/doc.h"
#include "hive/hive.h"
#include "hive/hivecheck.h"
#include "hive/regexport.h"
#include "hive/replay.h"
#include "hive/writer.h"

/* Largest .reg file import reads. */
#define MAX_REG_FILE	(256UL * 1024 * 1024)

/*
 * Splits a host path into its directory ("." when there is none) and its
 * last component.  Both are malloc'd; returns -1 on ENOMEM.
 */
static int
split_path(const char *path, char **dirp, char **basep)
{
	const char *slash = strrchr(path, '/');

	*dirp = NULL;
	if (slash == NULL) {
		*dirp = strdup(".");
		*basep = strdup(path);
	} else {
		*dirp = slash == path ? strdup("/") :
		    strndup(path, (size_t)(slash - path));
		*basep = strdup(slash + 1);
	}
	if (*dirp == NULL || *basep == NULL) {
		free(*dirp);
		free(*basep);
		return -1;
	}
	return 0;
}

/*
 * Opens the directory of path; -1 with the message set and the code in
 * *errp.
 */
static int
open_dir_of(struct offmig_ctx *ctx, const char *path, char **dirp,
    char **basep, int *errp)
{
	int dfd;

	if (split_path(path, dirp, basep) != 0) {
		*errp = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
		return -1;
	}
	if (**basep == '\0') {
		*errp = ctx_set_error(ctx, OFFMIG_EINVAL, 0,
		    "%s: not a file name", path);
		goto fail;
	}
	if ((dfd = open(*dirp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		*errp = ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", *dirp);
		goto fail;
	}
	return dfd;
fail:
	free(*dirp);
	free(*basep);
	*dirp = *basep = NULL;
	return -1;
}

/*
 * Opens the hive at path as Windows would load it (logs applied unless
 * OFFMIG_HIVE_NO_LOGS).
 */
static int
open_hive(struct offmig_ctx *ctx, const char *path, unsigned flags,
    struct hive **hp)
{
	char *dir = NULL, *base = NULL;
	int fd, dfd, ret;

	*hp = NULL;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", path);
	if ((dfd = open_dir_of(ctx, path, &dir, &base, &ret)) < 0) {
		close(fd);
		return ret;
	}
	ret = hive_open_logs(ctx, fd, path, dfd, dir, base,
	    (flags & OFFMIG_HIVE_NO_LOGS) ? HIVE_OPEN_NO_LOGS : 0, hp);
	close(dfd);
	close(fd);
	free(dir);
	free(base);
	return ret;
}

/* Reads a whole regular file of at most max bytes. */
static int
read_file(struct offmig_ctx *ctx, int dirfd, const char *name,
    const char *shown, uint64_t max, unsigned char **bufp, size_t *lenp)
{
	unsigned char *buf;
	struct stat st;
	ssize_t n;
	int fd;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", shown);
	if (fstat(fd, &st) != 0) {
		close(fd);
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", shown);
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, S_ISREG(st.st_mode) ?
		    "%s: too large (%lld bytes)" : "%s: not a regular file",
		    shown, (long long)st.st_size);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", shown);
	}
	n = io_read_full(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != (ssize_t)st.st_size) {
		free(buf);
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: short read",
		    shown);
	}
	buf[n] = '\0';
	*bufp = buf;
	*lenp = (size_t)n;
	return OFFMIG_OK;
}

static const char *
fmt_name(enum replay_fmt f)
{
	switch (f) {
	case REPLAY_FMT_EMPTY:	return "empty";
	case REPLAY_FMT_OLD:	return "old";
	case REPLAY_FMT_NEW:	return "new";
	case REPLAY_FMT_UNKNOWN: break;
	}
	return "unknown";
}

/* The logs of a replay, as "logs"[] of o. */
static void
doc_logs(struct offmig_doc *doc, struct offmig_node *o, const char *dir,
    const struct replay_result *r)
{
	struct offmig_node *la = doc_add_array(doc, o, "logs");
	size_t i;

	for (i = 0; i < r->nlogs; i++) {
		const struct replay_log *l = &r->logs[i];
		struct offmig_node *lo = doc_push_object(doc, la);
		char *p = str_join_path(dir, l->name != NULL ? l->name : "?");

		doc_add_str(doc, lo, "path", p);
		free(p);
		doc_add_str(doc, lo, "format", fmt_name(l->format));
		doc_add_bool(doc, lo, "base_ok", l->base_ok);
		doc_add_int(doc, lo, "seq1", l->seq1);
		doc_add_int(doc, lo, "seq2", l->seq2);
		doc_add_int(doc, lo, "entries", (int64_t)l->entries);
		if (l->format == REPLAY_FMT_NEW && l->entries > 0) {
			doc_add_int(doc, lo, "first_seq", l->first_seq);
			doc_add_int(doc, lo, "last_seq", l->last_seq);
		} else {
			doc_add_null(doc, lo, "first_seq");
			doc_add_null(doc, lo, "last_seq");
		}
		doc_add_int(doc, lo, "pages", (int64_t)l->pages);
		doc_add_bool(doc, lo, "applies", l->applies);
		doc_add_int(doc, lo, "entries_applied",
		    (int64_t)l->entries_applied);
		doc_add_int(doc, lo, "pages_applied", (int64_t)l->pages_applied);
		doc_add_str(doc, lo, "note", l->note[0] != '\0' ? l->note :
		    NULL);
	}
}

static void
doc_recovery(struct offmig_doc *doc, struct offmig_node *o,
    const struct replay_result *r)
{
	struct offmig_node *rec = doc_add_object(doc, o, "recovery");

	doc_add_bool(doc, rec, "recovered", r->recovered);
	doc_add_int(doc, rec, "entries_applied", (int64_t)r->entries_applied);
	doc_add_int(doc, rec, "pages_applied", (int64_t)r->pages_applied);
	if (r->recovered)
		doc_add_int(doc, rec, "seq_after", r->seq_after);
	else
		doc_add_null(doc, rec, "seq_after");
	doc_add_bool(doc, rec, "base_from_log", r->base_from_log);
	doc_add_bool(doc, rec, "grew", r->grew);
	doc_add_str(doc, rec, "note", r->note[0] != '\0' ? r->note : NULL);
}

/*
 * Checks one hive into o; returns 1 when it has problems (including not
 * being readable), 0 when sound, -1 on ENOMEM.
 */
static int
check_one(struct offmig_ctx *ctx, struct offmig_doc *doc,
    struct offmig_node *o, const char *path, unsigned flags)
{
	struct offmig_ctx quiet;
	struct offmig_node *probs = doc_add_array(doc, o, "problems");
	struct offmig_node *st, *notes;
	struct replay_result r;
	struct hive_check hc;
	struct regf_info info;
	unsigned char *buf = NULL;
	const unsigned char *walk;
	char *dir = NULL, *base = NULL, tbuf[32];
	size_t len = 0, wlen, i;
	int dfd, ret, bad = 0, parsed;

	memset(&quiet, 0, sizeof(quiet));
	memset(&r, 0, sizeof(r));
	memset(&hc, 0, sizeof(hc));
	doc_add_str(doc, o, "path", path);
	if ((dfd = open_dir_of(&quiet, path, &dir, &base, &ret)) < 0 ||
	    read_file(&quiet, dfd, base, path, HIVE_REPLAY_MAX_FILE, &buf,
	    &len) != OFFMIG_OK) {
		doc_add_bool(doc, o, "readable", 0);
		doc_push_str(doc, probs, offmig_errmsg(&quiet));
		ctx_log(ctx, OFFMIG_LOG_ERROR, "%s", offmig_errmsg(&quiet));
		bad = 1;
		goto out;
	}
	doc_add_bool(doc, o, "readable", 1);
	doc_add_int(doc, o, "size", (int64_t)len);
	parsed = len >= 512 && regf_parse(buf, len, &info) == OFFMIG_OK;
	doc_add_bool(doc, o, "signature_ok", parsed);
	if (parsed) {
		snprintf(tbuf, sizeof(tbuf), "%u.%u", info.major, info.minor);
		doc_add_str(doc, o, "version", tbuf);
		doc_add_bool(doc, o, "checksum_ok", info.checksum_ok);
		doc_add_int(doc, o, "checksum", info.checksum);
		doc_add_int(doc, o, "checksum_calc", info.checksum_calc);
		doc_add_int(doc, o, "seq1", info.seq1);
		doc_add_int(doc, o, "seq2", info.seq2);
		doc_add_bool(doc, o, "dirty", info.dirty);
		doc_add_int(doc, o, "file_type", info.file_type);
		doc_add_int(doc, o, "hbins_size", info.hbins_size);
		doc_add_time(doc, o, "last_written",
		    info.last_written != 0 ? filetime_to_unix(info.last_written) :
		    NO_TIME);
		doc_add_str(doc, o, "embedded_name", info.file_name);
		if (info.file_type != 0) {
			doc_push_str(doc, probs, info.file_type == 6 ||
			    info.file_type == 1 || info.file_type == 2 ?
			    "a transaction log, not a hive" :
			    "unexpected file type in the base block");
			bad = 1;
		}
	} else {
		doc_add_null(doc, o, "dirty");
		doc_push_str(doc, probs, len < 512 ? "too short for a base block" :
		    "no regf signature: not a registry hive");
	}
	/* The logs, and what replaying them gives. */
	ret = hive_replay_dir(&quiet, dfd, dir, base, &r);
	if (ret == OFFMIG_ENOMEM) {
		bad = -1;
		goto out;
	}
	doc_logs(doc, o, dir, &r);
	doc_add_int(doc, o, "log_count", (int64_t)r.nlogs);
	if (ret != OFFMIG_OK && r.note[0] == '\0')
		snprintf(r.note, sizeof(r.note), "%s", offmig_errmsg(&quiet));
	if (r.dirty || !parsed)
		doc_recovery(doc, o, &r);
	else
		doc_add_null(doc, o, "recovery");
	if ((r.dirty || !parsed) && !r.recovered) {
		doc_push_str(doc, probs, r.note[0] != '\0' ? r.note :
		    "dirty, and no log recovers it");
		bad = 1;
	}
	/* The structure of the hive as Windows would load it. */
	if (r.recovered && r.data != NULL && !(flags & OFFMIG_HIVE_NO_LOGS)) {
		walk = r.data;
		wlen = r.len;
		doc_add_str(doc, o, "walked", "recovered");
	} else {
		walk = buf;
		wlen = len;
		doc_add_str(doc, o, "walked", "primary");
	}
	st = doc_add_object(doc, o, "structure");
	ret = hive_check_buf(&quiet, path, walk, wlen, &hc);
	if (ret == OFFMIG_ENOMEM) {
		bad = -1;
		goto out;
	}
	doc_add_bool(doc, st, "walked", ret == OFFMIG_OK);
	doc_add_int(doc, st, "keys", (int64_t)hc.keys);
	doc_add_int(doc, st, "values", (int64_t)hc.values);
	doc_add_int(doc, st, "bins", (int64_t)hc.bins);
	doc_add_int(doc, st, "cells_used", (int64_t)hc.cells_used);
	doc_add_int(doc, st, "cells_free", (int64_t)hc.cells_free);
	doc_add_int(doc, st, "bytes_used", (int64_t)hc.bytes_used);
	doc_add_int(doc, st, "bytes_free", (int64_t)hc.bytes_free);
	doc_add_int(doc, st, "max_depth", hc.max_depth);
	doc_add_int(doc, st, "big_values", (int64_t)hc.big_values);
	doc_add_int(doc, st, "problems", (int64_t)hc.problems_total);
	if (ret != OFFMIG_OK && parsed) {
		doc_push_str(doc, probs, offmig_errmsg(&quiet));
		bad = 1;
	}
	for (i = 0; i < hc.nproblems; i++) {
		char *m = str_printf("0x%llx: %s",
		    (unsigned long long)hc.problems[i].offset,
		    hc.problems[i].msg);

		doc_push_str(doc, probs, m);
		free(m);
		bad = 1;
	}
	notes = doc_add_array(doc, o, "notes");
	for (i = 0; i < hc.nnotes; i++) {
		char *m = str_printf("0x%llx: %s",
		    (unsigned long long)hc.notes[i].offset, hc.notes[i].msg);

		doc_push_str(doc, notes, m);
		free(m);
	}
	if (!parsed)
		bad = 1;
out:
	hive_check_free(&hc);
	replay_result_free(&r);
	free(buf);
	if (dfd >= 0)
		close(dfd);
	free(dir);
	free(base);
	return bad;
}

int
offmig_hive_check(struct offmig_ctx *ctx, const char *const *paths,
    size_t npaths, unsigned flags, size_t *problemsp,
    struct offmig_doc **docp)
{
	struct offmig_doc *doc;
	struct offmig_node *arr;
	size_t i, nbad = 0;
	int r;

	*docp = NULL;
	if (problemsp != NULL)
		*problemsp = 0;
	if ((doc = doc_new()) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "hive check");
	arr = doc_add_array(doc, doc_root_mut(doc), "hives");
	for (i = 0; i < npaths; i++) {
		if ((r = check_one(ctx, doc, doc_push_object(doc, arr),
		    paths[i], flags)) < 0) {
			offmig_doc_free(doc);
			return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "%s",
			    paths[i]);
		}
		nbad += (size_t)r;
	}
	if (doc_status(doc) != OFFMIG_OK) {
		offmig_doc_free(doc);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "hive check");
	}
	if (problemsp != NULL)
		*problemsp = nbad;
	*docp = doc;
	return OFFMIG_OK;
}

/*
 * Writes len bytes to out atomically: a temporary file in out's directory,
 * fsync, rename (refusing to replace an existing out unless force), fsync
 * of the directory.
 */
static int
write_out(struct offmig_ctx *ctx, const char *out, const void *data,
    size_t len, int force)
{
	char *dir = NULL, *base = NULL, *tmp = NULL;
	const unsigned char *p = data;
	mode_t um;
	int dfd, fd = -1, ret = OFFMIG_OK;

	if ((dfd = open_dir_of(ctx, out, &dir, &base, &ret)) < 0)
		return ret;
	if ((tmp = str_printf(".%s.offmig-tmp-%ld", base, (long)getpid())) ==
	    NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", out);
		goto out;
	}
	if (!force && faccessat(dfd, base, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0,
		    "%s exists; give --force to replace it", out);
		goto out;
	}
	um = umask(0);
	umask(um);
	(void)unlinkat(dfd, tmp, 0);
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0666 & ~um)) < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s", dir, tmp);
		goto out;
	}
	if (io_write_all(fd, p, len) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", out);
		goto fail;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", out);
		goto fail;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, base) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", out);
		goto fail;
	}
	if (fsync(dfd) != 0)
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", dir);
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	(void)unlinkat(dfd, tmp, 0);
out:
	close(dfd);
	free(tmp);
	free(dir);
	free(base);
	return ret;
}

int
offmig_hive_recover(struct offmig_ctx *ctx, const char *path,
    const char *out, unsigned flags, struct offmig_doc **docp)
{
	struct offmig_doc *doc = NULL;
	struct offmig_node *o;
	struct replay_result r;
	struct stat sin, sout;
	unsigned char *copy = NULL;
	const unsigned char *data;
	char *dir = NULL, *base = NULL;
	size_t len, i;
	int dfd, ret;

	*docp = NULL;
	memset(&r, 0, sizeof(r));
	if ((dfd = open_dir_of(ctx, path, &dir, &base, &ret)) < 0)
		return ret;
	if ((ret = hive_replay_dir(ctx, dfd, dir, base, &r)) != OFFMIG_OK)
		goto done;
	/* Never over the hive or one of its logs. */
	if (stat(out, &sout) == 0) {
		int same = fstatat(dfd, base, &sin, 0) == 0 &&
		    sin.st_dev == sout.st_dev && sin.st_ino == sout.st_ino;

		for (i = 0; !same && i < r.nlogs; i++)
			same = r.logs[i].name != NULL &&
			    fstatat(dfd, r.logs[i].name, &sin, 0) == 0 &&
			    sin.st_dev == sout.st_dev &&
			    sin.st_ino == sout.st_ino;
		if (same) {
			ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s is the "
			    "hive or one of its logs: the evidence is never "
			    "written; name another output", out);
			goto done;
		}
	}
	if (r.dirty && !r.recovered) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s is dirty and "
		    "no transaction log recovers it: %s", path,
		    r.note[0] != '\0' ? r.note : "no log applies");
		goto done;
	}
	if (r.recovered && r.data != NULL) {
		data = r.data;
		len = r.len;
	} else {
		/* Clean: the copy is the hive as it is. */
		if ((ret = read_file(ctx, dfd, base, path, HIVE_REPLAY_MAX_FILE,
		    &copy, &len)) != OFFMIG_OK)
			goto done;
		data = copy;
	}
	if ((ret = write_out(ctx, out, data, len,
	    (flags & OFFMIG_HIVE_FORCE) != 0)) != OFFMIG_OK)
		goto done;
	if ((doc = doc_new()) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
		goto done;
	}
	o = doc_add_object(doc, doc_root_mut(doc), "recover");
	doc_add_str(doc, o, "path", path);
	doc_add_str(doc, o, "out", out);
	doc_add_int(doc, o, "size", (int64_t)len);
	doc_add_bool(doc, o, "dirty", r.dirty);
	doc_add_bool(doc, o, "recovered", r.recovered);
	doc_add_int(doc, o, "seq1_before", r.seq1_before);
	doc_add_int(doc, o, "seq2_before", r.seq2_before);
	doc_add_int(doc, o, "seq_after", r.recovered ? r.seq_after :
	    r.seq2_before);
	doc_add_int(doc, o, "entries_applied", (int64_t)r.entries_applied);
	doc_add_int(doc, o, "pages_applied", (int64_t)r.pages_applied);
	doc_add_bool(doc, o, "base_from_log", r.base_from_log);
	doc_add_bool(doc, o, "grew", r.grew);
	doc_add_str(doc, o, "note", r.note[0] != '\0' ? r.note : NULL);
	doc_logs(doc, o, dir, &r);
	if (doc_status(doc) != OFFMIG_OK) {
		offmig_doc_free(doc);
		doc = NULL;
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "%s", path);
		goto done;
	}
	*docp = doc;
done:
	replay_result_free(&r);
	free(copy);
	close(dfd);
	free(dir);
	free(base);
	return ret;
}

/* Names under which Windows loads machine hives (HKLM\\SOFTWARE...). */
static int
is_hive_mount_name(const char *s)
{
	static const char *const names[] = { "SOFTWARE", "SYSTEM", "SAM",
	    "SECURITY", "COMPONENTS", "DRIVERS", "SCHEMA", "BCD00000000" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0)
			return 1;
	return 0;
}

/*
 * Finds a key from a path as users write it: "HKLM\SOFTWARE\Microsoft",
 * "SOFTWARE\Microsoft" or "Microsoft" for the SOFTWARE hive.  A first
 * component naming a root key (HKEY_..., HKLM, HKCU, HKU, HKCR) is dropped;
 * when the rest is not found below the root and its first component is
 * the root key's own name, the hive's file name or the name Windows loads
 * a machine hive under (HKLM\SOFTWARE...), that is dropped too.
 */
static int
find_key(struct offmig_ctx *ctx, struct hive *h, const char *path,
    hnode *out)
{
	static const char *const roots[] = { "HKLM", "HKCU", "HKU", "HKCR",
	    "HKCC" };
	const char *p = path != NULL ? path : "", *q, *fname;
	char *first, *rootname;
	size_t i;
	int ret, drop = 0;

	while (*p == '\\')
		p++;
	if ((q = strchr(p, '\\')) == NULL)
		q = p + strlen(p);
	if (strncasecmp(p, "HKEY_", 5) == 0)
		drop = 1;
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if ((size_t)(q - p) == strlen(roots[i]) &&
		    strncasecmp(p, roots[i], (size_t)(q - p)) == 0)
			drop = 1;
	if (drop)
		p = *q == '\\' ? q + 1 : q;
	ret = hive_lookup(ctx, h, 0, p, out);
	if (ret != OFFMIG_ENOTFOUND || *p == '\0')
		return ret;
	if ((q = strchr(p, '\\')) == NULL)
		q = p + strlen(p);
	if ((first = strndup(p, (size_t)(q - p))) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
	rootname = hive_key_name(NULL, h, hive_root(h));
	fname = strrchr(hive_name(h), '/');
	fname = fname != NULL ? fname + 1 : hive_name(h);
	if ((rootname != NULL && wstrcasecmp(first, rootname) == 0) ||
	    wstrcasecmp(first, fname) == 0 || is_hive_mount_name(first))
		ret = hive_lookup(ctx, h, 0, *q == '\\' ? q + 1 : q, out);
	free(first);
	free(rootname);
	return ret;
}

/* The data of a value as plain text, for "offmig hive get". */
static char *
value_text(uint32_t type, const void *data, size_t len)
{
	const unsigned char *d = data;
	struct hive_val v;
	char *s, *t, *out;
	size_t i, start;

	memset(&v, 0, sizeof(v));
	v.present = 1;
	v.type = type;
	v.data = (void *)data;
	v.len = len;
	switch (type) {
	case REG_SZ:
	case REG_EXPAND_SZ:
	case REG_LINK:
		if (len % 2 == 0 && hive_val_string(&v, &s) == OFFMIG_OK)
			return s;
		break;
	case REG_DWORD:
		if (len == 4)
			return str_printf("%u", le32(d));
		break;
	case REG_DWORD_BIG_ENDIAN:
		if (len == 4)
			return str_printf("%u", (unsigned)d[0] << 24 |
			    (unsigned)d[1] << 16 | (unsigned)d[2] << 8 | d[3]);
		break;
	case REG_QWORD:
		if (len == 8)
			return str_printf("%llu", (unsigned long long)le64(d));
		break;
	case REG_MULTI_SZ:
		if (len % 2 != 0)
			break;
		/* One string per line; the final empty string dropped. */
		if ((out = strdup("")) == NULL)
			return NULL;
		for (start = 0, i = 0; i + 1 < len; i += 2) {
			if (d[i] != 0 || d[i + 1] != 0)
				continue;
			if (i == start && i + 2 >= len)
				break;
			s = utf16le_to_utf8(d + start, i - start, NULL);
			t = s != NULL ? str_printf("%s%s\n", out, s) : NULL;
			free(s);
			free(out);
			if ((out = t) == NULL)
				return NULL;
			start = i + 2;
		}
		if (start + 1 < len) {
			s = utf16le_to_utf8(d + start, len - start, NULL);
			t = s != NULL ? str_printf("%s%s\n", out, s) : NULL;
			free(s);
			free(out);
			out = t;
		}
		if (out != NULL && *out != '\0')
			out[strlen(out) - 1] = '\0';
		return out;
	}
	return regexport_value_text(type, data, len);
}

int
offmig_hive_get(struct offmig_ctx *ctx, const char *path, const char *key,
    const char *value, unsigned flags, struct offmig_doc **docp)
{
	struct offmig_doc *doc;
	struct offmig_node *root, *o;
	struct hive *h;
	uint32_t type;
	void *data = NULL;
	size_t len;
	char tbuf[32], *text, *reg;
	hnode k;
	int ret;

	*docp = NULL;
	if ((ret = open_hive(ctx, path, flags, &h)) != OFFMIG_OK)
		return ret;
	if ((ret = find_key(ctx, h, key, &k)) != OFFMIG_OK) {
		if (ret == OFFMIG_ENOTFOUND)
			ctx_set_error(ctx, ret, 0, "%s: no key '%s'", path,
			    key != NULL ? key : "");
		hive_close(h);
		return ret;
	}
	if ((doc = doc_new()) == NULL) {
		hive_close(h);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
	}
	root = doc_root_mut(doc);
	doc_add_str(doc, root, "hive", path);
	doc_add_bool(doc, root, "recovered", hive_replay_info(h) != NULL &&
	    hive_replay_info(h)->recovered);
	if (value == NULL) {
		ret = hive_export_json(ctx, h, k, 0, doc,
		    doc_add_array(doc, root, "keys"));
	} else if ((ret = hive_get_raw(ctx, h, k, value, &type, &data,
	    &len)) == OFFMIG_OK) {
		o = doc_add_object(doc, root, "value");
		doc_add_str(doc, o, "name", value);
		doc_add_str(doc, o, "type", regexport_type_name(type, tbuf,
		    sizeof(tbuf)));
		doc_add_int(doc, o, "type_number", type);
		doc_add_int(doc, o, "size", (int64_t)len);
		text = value_text(type, data, len);
		reg = regexport_value_text(type, data, len);
		doc_add_str(doc, o, "text", text);
		doc_add_str(doc, o, "reg", reg);
		free(text);
		free(reg);
		free(data);
	} else if (ret == OFFMIG_ENOTFOUND)
		ctx_set_error(ctx, ret, 0, "%s: key '%s' has no value '%s'",
		    path, key != NULL ? key : "", value);
	hive_close(h);
	if (ret == OFFMIG_OK && doc_status(doc) != OFFMIG_OK)
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "%s", path);
	if (ret != OFFMIG_OK) {
		offmig_doc_free(doc);
		return ret;
	}
	*docp = doc;
	return OFFMIG_OK;
}

int
offmig_hive_export(struct offmig_ctx *ctx, const char *path, const char *key,
    enum offmig_export_format format, const char *prefix, unsigned flags,
    FILE *fp)
{
	struct regexport_opts o;
	struct offmig_doc *doc;
	struct hive *h;
	hnode k = 0;
	int ret;

	if ((ret = open_hive(ctx, path, flags, &h)) != OFFMIG_OK)
		return ret;
	if (key != NULL && *key != '\0' &&
	    (ret = find_key(ctx, h, key, &k)) != OFFMIG_OK) {
		if (ret == OFFMIG_ENOTFOUND)
			ctx_set_error(ctx, ret, 0, "%s: no key '%s'", path, key);
		hive_close(h);
		return ret;
	}
	if (format == OFFMIG_EXPORT_REG) {
		memset(&o, 0, sizeof(o));
		o.root_prefix = prefix;
		o.enc = (flags & OFFMIG_HIVE_UTF8) ? REGEXPORT_UTF8 :
		    REGEXPORT_UTF16;
		o.recursive = (flags & OFFMIG_HIVE_RECURSIVE) != 0;
		ret = hive_export_reg(ctx, h, k, &o, fp);
	} else if ((doc = doc_new()) == NULL)
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
	else {
		doc_add_str(doc, doc_root_mut(doc), "hive", path);
		ret = hive_export_json(ctx, h, k,
		    (flags & OFFMIG_HIVE_RECURSIVE) != 0, doc,
		    doc_add_array(doc, doc_root_mut(doc), "keys"));
		if (ret == OFFMIG_OK && doc_status(doc) != OFFMIG_OK)
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "%s",
			    path);
		if (ret == OFFMIG_OK && offmig_write_json(fp,
		    offmig_doc_root(doc)) != OFFMIG_OK)
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
			    "cannot write the export");
		offmig_doc_free(doc);
	}
	hive_close(h);
	return ret;
}

int
offmig_hive_import(struct offmig_ctx *ctx, const char *path,
    const char *regfile, const char *prefix, const char *backup,
    struct offmig_doc **docp)
{
	struct hive_builder *b = NULL;
	struct offmig_doc *doc;
	struct offmig_node *o;
	struct hive *h;
	unsigned char *text = NULL;
	char *dir = NULL, *base = NULL, *bak = NULL;
	size_t len;
	int dfd, ret;

	*docp = NULL;
	ret = read_file(ctx, AT_FDCWD, regfile, regfile, MAX_REG_FILE, &text,
	    &len);
	if (ret != OFFMIG_OK)
		return ret;
	if ((dfd = open_dir_of(ctx, path, &dir, &base, &ret)) < 0) {
		free(text);
		return ret;
	}
	if ((ret = hive_writer_open(ctx, dfd, dir, base, 0, &b)) != OFFMIG_OK)
		goto out;
	if (backup != NULL &&
	    (ret = hive_writer_set_backup(b, backup)) != OFFMIG_OK) {
		hive_builder_abort(b);
		goto out;
	}
	if ((ret = hive_builder_apply_reg_prefix(b, (const char *)text, len,
	    regfile, prefix)) != OFFMIG_OK) {
		hive_builder_abort(b);
		/* A .reg file that does not parse is bad input data. */
		if (ret == OFFMIG_EINVAL)
			ret = OFFMIG_ECORRUPT;
		goto out;
	}
	if ((ret = hive_writer_commit(b, &bak)) != OFFMIG_OK)
		goto out;
	if ((doc = doc_new()) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
		goto out;
	}
	o = doc_add_object(doc, doc_root_mut(doc), "import");
	doc_add_str(doc, o, "path", path);
	doc_add_str(doc, o, "file", regfile);
	doc_add_str(doc, o, "backup", bak);
	if (hive_open_path(NULL, path, &h) == OFFMIG_OK) {
		doc_add_int(doc, o, "seq", hive_info(h)->seq1);
		doc_add_bool(doc, o, "dirty", hive_info(h)->dirty);
		hive_close(h);
	}
	if (doc_status(doc) != OFFMIG_OK) {
		offmig_doc_free(doc);
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "%s", path);
		goto out;
	}
	*docp = doc;
out:
	close(dfd);
	free(text);
	free(dir);
	free(base);
	free(bak);
	return ret;
}
