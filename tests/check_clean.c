/*
 * check_clean.c - `hive clean` (src/profiles/clean.c) on volumes built
 * from tests/fixtures/dirty.vol: the dry run changes nothing, --apply
 * leaves every hive clean with the content its logs gave, --undo puts every
 * byte back, a process killed at every fault point of --apply or --undo
 * ends, after a rerun, fully clean or as it was, and hostile volumes
 * (hibernated, symbolic links, a log that is a directory, a damaged
 * journal) are refused without anything being followed or lost.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "profiles/profiles.h"
#include "profiles/clean.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char tmpdir[256];
static char base[512];		/* dirty.vol, built once per test */

static void
run(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/* Builds the description name.vol into dir with mkwinvol. */
static void
mkvol(const char *name, const char *dir)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "'%s' '%s/fixtures/%s.vol' '%s'",
	    t_env("OFFMIG_MKWINVOL"), t_env("OFFMIG_SRCDIR"), name, dir);
	run(cmd);
}

static void
setup(void)
{
	const char *tb = getenv("TMPDIR");

	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	snprintf(tmpdir, sizeof(tmpdir), "%s/check_clean.XXXXXX",
	    tb != NULL && *tb != '\0' ? tb : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(base, sizeof(base), "%s/base", tmpdir);
	mkvol("dirty", base);
}

static void
teardown(void)
{
	offmig_ctx_free(ctx);
	t_tmpdir_remove(tmpdir);
}

/* A fresh copy of the base volume at tmpdir/name. */
static const char *
copy_vol(char *buf, size_t size, const char *name)
{
	char cmd[1200];

	snprintf(buf, size, "%s/%s", tmpdir, name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", buf,
	    base, buf);
	run(cmd);
	return buf;
}

/* ---- a digest of a whole tree (FNV-1a over sorted entries) ---- */

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

struct ents {
	char	**v;
	size_t	  n;
};

static void
collect(struct ents *e, const char *root, const char *rel, const char *skip)
{
	char path[4096], line[16384];
	struct dirent *de;
	struct stat st;
	DIR *d;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((de = readdir(d)) != NULL) {
		char sub[4096], full[8192];
		uint64_t h = 0xcbf29ce484222325ULL;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
		    de->d_name);
		if (skip != NULL && strcmp(sub, skip) == 0)
			continue;
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		ck_assert_int_eq(lstat(full, &st), 0);
		if (S_ISREG(st.st_mode)) {
			char buf[65536];
			ssize_t n;
			int fd = open(full, O_RDONLY | O_NOFOLLOW);

			ck_assert_int_ge(fd, 0);
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				h = fnv(h, buf, (size_t)n);
			close(fd);
			snprintf(line, sizeof(line), "f %s %llu %016llx", sub,
			    (unsigned long long)st.st_size,
			    (unsigned long long)h);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(full, target, sizeof(target) - 1);

			ck_assert_int_ge(n, 0);
			target[n] = '\0';
			snprintf(line, sizeof(line), "l %s %s", sub, target);
		} else
			snprintf(line, sizeof(line), "%c %s",
			    S_ISDIR(st.st_mode) ? 'd' : '?', sub);
		e->v = realloc(e->v, (e->n + 1) * sizeof(*e->v));
		ck_assert_ptr_nonnull(e->v);
		ck_assert_ptr_nonnull(e->v[e->n++] = strdup(line));
		if (S_ISDIR(st.st_mode))
			collect(e, root, sub, skip);
	}
	closedir(d);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Digest of every name, type, link target and file content under root. */
static uint64_t
tree_hash(const char *root, const char *skip)
{
	struct ents e = { NULL, 0 };
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	collect(&e, root, "", skip);
	qsort(e.v, e.n, sizeof(*e.v), cmp_str);
	for (i = 0; i < e.n; i++) {
		h = fnv(h, e.v[i], strlen(e.v[i]) + 1);
		free(e.v[i]);
	}
	free(e.v);
	return h;
}

#define JOURNAL_REL	CLEAN_DIR "/" CLEAN_JOURNAL

/* ---- running a clean ---- */

static int
clean(const char *vpath, enum offmig_clean_mode mode, struct offmig_doc **dp)
{
	struct offmig_volume *vol;
	struct offmig_doc *doc = NULL;
	int ret;

	ck_assert_int_eq(offmig_volume_open(ctx, vpath, NULL, &vol), OFFMIG_OK);
	ret = offmig_hive_clean(ctx, vol, mode, &doc);
	offmig_volume_close(vol);
	if (ret != OFFMIG_OK)
		ck_assert_ptr_null(doc);
	else
		ck_assert_ptr_nonnull(doc);
	if (dp != NULL)
		*dp = doc;
	else
		offmig_doc_free(doc);
	return ret;
}

/*
 * Runs a clean in a child stopped at fault point n: returns the child's
 * exit status (CLEAN_FAULT_EXIT when it stopped there, 0 when it finished
 * before reaching it).
 */
static int
clean_killed(const char *vpath, enum offmig_clean_mode mode, long n)
{
	pid_t pid;
	int status;

	fflush(NULL);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		struct offmig_ctx *c = offmig_ctx_new();
		struct offmig_volume *vol;
		struct offmig_doc *doc = NULL;
		int ret;

		if (c == NULL || offmig_volume_open(c, vpath, NULL, &vol) !=
		    OFFMIG_OK)
			_exit(2);
		clean_set_fault(n);
		ret = offmig_hive_clean(c, vol, mode, &doc);
		offmig_doc_free(doc);
		offmig_volume_close(vol);
		offmig_ctx_free(c);
		_exit(ret == OFFMIG_OK ? 0 : 3);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Number of actions of a kind (NULL: any) in a state (NULL: any). */
static size_t
count(const struct offmig_doc *doc, const char *kind, const char *state)
{
	const struct offmig_node *a = offmig_node_get(offmig_doc_root(doc),
	    "actions");
	size_t i, n = 0;

	for (i = 0; i < offmig_node_len(a); i++) {
		const struct offmig_node *o = offmig_node_at(a, i);

		if ((kind == NULL || strcmp(offmig_node_get_str(o, "kind"),
		    kind) == 0) && (state == NULL ||
		    strcmp(offmig_node_get_str(o, "state"), state) == 0))
			n++;
	}
	return n;
}

/* The action on path, or NULL. */
static const struct offmig_node *
action_on(const struct offmig_doc *doc, const char *path)
{
	const struct offmig_node *a = offmig_node_get(offmig_doc_root(doc),
	    "actions");
	size_t i;

	for (i = 0; i < offmig_node_len(a); i++) {
		const struct offmig_node *o = offmig_node_at(a, i);

		if (strcmp(offmig_node_get_str(o, "path"), path) == 0)
			return o;
	}
	return NULL;
}

static int
exists(const char *vpath, const char *rel, struct stat *stp)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", vpath, rel);
	return lstat(p, stp != NULL ? stp : &st) == 0;
}

/* ---- what a hive holds ---- */

static uint64_t
walk(struct hive *h, hnode n, uint64_t acc, int depth)
{
	hnode *kids = NULL;
	char **names = NULL, *kn;
	size_t nk = 0, i;

	ck_assert_int_lt(depth, 64);
	ck_assert_ptr_nonnull(kn = hive_key_name(ctx, h, n));
	acc = fnv(acc, kn, strlen(kn) + 1);
	free(kn);
	ck_assert_int_eq(hive_value_names(ctx, h, n, &names), OFFMIG_OK);
	for (i = 0; names[i] != NULL; i++) {
		uint32_t type;
		void *data = NULL;
		size_t len = 0;

		acc = fnv(acc, names[i], strlen(names[i]) + 1);
		if (hive_get_raw(ctx, h, n, names[i], &type, &data, &len) ==
		    OFFMIG_OK) {
			acc = fnv(acc, &type, sizeof(type));
			acc = fnv(acc, data, len);
			free(data);
		}
	}
	hive_strv_free(names);
	ck_assert_int_eq(hive_children(ctx, h, n, &kids, &nk), OFFMIG_OK);
	for (i = 0; i < nk; i++)
		acc = walk(h, kids[i], acc, depth + 1);
	free(kids);
	return acc;
}

/*
 * Digest of the keys and values of the hive at rel, read through its logs
 * (logs = 1) or as the file is; *dirtyp gets the file's dirty flag.
 */
static uint64_t
hive_digest(const char *vpath, const char *rel, int logs, int *dirtyp)
{
	char p[4096], dir[4096], *slash;
	struct hive *h;
	uint64_t d;
	int fd, dfd;

	snprintf(p, sizeof(p), "%s/%s", vpath, rel);
	snprintf(dir, sizeof(dir), "%s", p);
	slash = strrchr(dir, '/');
	*slash = '\0';
	ck_assert_int_ge(fd = open(p, O_RDONLY | O_NOFOLLOW), 0);
	ck_assert_int_ge(dfd = open(dir, O_RDONLY | O_DIRECTORY), 0);
	if (logs)
		ck_assert_int_eq(hive_open_logs(ctx, fd, p, dfd, dir, slash + 1,
		    0, &h), OFFMIG_OK);
	else
		ck_assert_int_eq(hive_open_fd(ctx, fd, p, &h), OFFMIG_OK);
	*dirtyp = hive_info(h)->dirty;
	d = walk(h, hive_root(h), 0xcbf29ce484222325ULL, 0);
	hive_close(h);
	close(fd);
	close(dfd);
	return d;
}

/* ---- fully clean ---- */

/*
 * Fully clean: --apply finished, a new dry run plans nothing, and the
 * volume is what an uninterrupted --apply leaves (journal aside: it
 * records inode numbers and failures, not content).
 */
static void
assert_fully_clean(const char *vpath, uint64_t want)
{
	struct offmig_doc *doc;

	ck_assert_int_eq(clean(vpath, OFFMIG_CLEAN_DRY_RUN, &doc), OFFMIG_OK);
	ck_assert_uint_eq(count(doc, NULL, NULL), 0);
	offmig_doc_free(doc);
	ck_assert_msg(tree_hash(vpath, JOURNAL_REL) == want,
	    "%s is not what a whole --apply leaves", vpath);
}

/* ---- the tests ---- */

START_TEST(test_dry_run_changes_nothing)
{
	struct offmig_doc *doc;
	const struct offmig_node *o;
	uint64_t before = tree_hash(base, NULL);

	ck_assert_int_eq(clean(base, OFFMIG_CLEAN_DRY_RUN, &doc), OFFMIG_OK);
	ck_assert_uint_eq(tree_hash(base, NULL), before);
	ck_assert(!exists(base, CLEAN_DIR, NULL));
	ck_assert_str_eq(offmig_node_get_str(offmig_doc_root(doc), "mode"),
	    "dry-run");
	ck_assert_int_eq(offmig_node_type(offmig_node_get(
	    offmig_doc_root(doc), "journal")), OFFMIG_NODE_NULL);
	/* Six dirty hives, each with one non-empty log. */
	ck_assert_uint_eq(count(doc, "replay", "planned"), 6);
	ck_assert_uint_eq(count(doc, "reset-log", "planned"), 7);
	ck_assert_uint_eq(count(doc, "remove-orphan-log", "planned"), 2);
	ck_assert_uint_eq(count(doc, "quarantine", "planned"), 3);
	ck_assert_uint_eq(count(doc, "refused", NULL), 0);
	ck_assert_ptr_nonnull(o = action_on(doc,
	    "Windows/System32/config/SOFTWARE"));
	ck_assert_str_eq(offmig_node_get_str(o, "kind"), "replay");
	ck_assert_int_gt(offmig_node_int(offmig_node_get(o,
	    "detail.entries_applied")), 0);
	ck_assert_ptr_nonnull(o = action_on(doc,
	    "Windows/System32/config/SYSTEM.LOG1"));
	ck_assert_str_eq(offmig_node_get_str(o, "kind"), "reset-log");
	ck_assert_ptr_nonnull(strstr(offmig_node_get_str(o, "reason"),
	    "clean"));
	ck_assert_ptr_nonnull(o = action_on(doc,
	    "Windows/System32/config/DRIVERS.LOG1"));
	ck_assert_str_eq(offmig_node_get_str(o, "kind"), "remove-orphan-log");
	ck_assert_ptr_nonnull(action_on(doc, "Users/carol/NTUSER.DAT.tmp"));
	ck_assert_ptr_nonnull(action_on(doc, "USMT.TMP"));
	ck_assert_ptr_nonnull(action_on(doc,
	    "Windows/AppCompat/Programs/Amcache.hve"));
	ck_assert_ptr_nonnull(action_on(doc,
	    "Users/bob/AppData/Local/Microsoft/Windows/UsrClass.dat"));
	/* A text file named *.tmp is no hive copy. */
	ck_assert_ptr_null(action_on(doc, "Windows/System32/config/notes.tmp"));
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_apply_cleans_every_hive)
{
	struct offmig_doc *doc, *plan;
	const struct offmig_node *a;
	char vb[512];
	const char *v = copy_vol(vb, sizeof(vb), "v");
	uint64_t want[32], after;
	size_t i, n;
	int dirty;

	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_DRY_RUN, &plan), OFFMIG_OK);
	a = offmig_node_get(offmig_doc_root(plan), "actions");
	n = offmig_node_len(a);
	ck_assert_uint_le(n, 32);
	for (i = 0; i < n; i++) {
		const struct offmig_node *o = offmig_node_at(a, i);

		if (strcmp(offmig_node_get_str(o, "kind"), "replay") == 0) {
			want[i] = hive_digest(v, offmig_node_get_str(o, "path"),
			    1, &dirty);
			ck_assert(dirty);
		}
	}
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, &doc), OFFMIG_OK);
	ck_assert_uint_eq(count(doc, NULL, "done"), n);
	ck_assert_uint_eq(offmig_ctx_failures(ctx), 0);
	ck_assert_ptr_nonnull(offmig_node_get_str(offmig_doc_root(doc),
	    "journal"));
	ck_assert_ptr_nonnull(strstr(offmig_node_get_str(offmig_doc_root(doc),
	    "quarantine"), CLEAN_DIR "/" CLEAN_QUARANTINE));
	offmig_doc_free(doc);
	for (i = 0; i < n; i++) {
		const struct offmig_node *o = offmig_node_at(a, i);
		const char *kind = offmig_node_get_str(o, "kind");
		const char *path = offmig_node_get_str(o, "path");
		struct stat st;

		if (strcmp(kind, "replay") == 0) {
			/* Clean on the disk, with what the logs held. */
			ck_assert_uint_eq(hive_digest(v, path, 0, &dirty),
			    want[i]);
			ck_assert_msg(!dirty, "%s is still dirty", path);
		} else if (strcmp(kind, "reset-log") == 0) {
			ck_assert(exists(v, path, &st));
			ck_assert(S_ISREG(st.st_mode));
			ck_assert_int_eq(st.st_size, 0);
		} else
			ck_assert_msg(!exists(v, path, NULL), "%s is still "
			    "there", path);
	}
	offmig_doc_free(plan);
	/* The leftovers are in the quarantine, whole. */
	ck_assert(exists(v, CLEAN_DIR "/" CLEAN_QUARANTINE, NULL));
	/* A second --apply does nothing. */
	after = tree_hash(v, NULL);
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, &doc), OFFMIG_OK);
	ck_assert_uint_eq(count(doc, NULL, NULL), 0);
	offmig_doc_free(doc);
	ck_assert_uint_eq(tree_hash(v, NULL), after);
	assert_fully_clean(v, tree_hash(v, JOURNAL_REL));
}
END_TEST

START_TEST(test_undo_restores_every_byte)
{
	struct offmig_doc *doc;
	char vb[512];
	const char *v = copy_vol(vb, sizeof(vb), "v");
	uint64_t before = tree_hash(v, NULL), cleaned;
	size_t n;

	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, &doc), OFFMIG_OK);
	n = count(doc, NULL, "done");
	ck_assert_uint_gt(n, 0);
	offmig_doc_free(doc);
	cleaned = tree_hash(v, JOURNAL_REL);
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, &doc), OFFMIG_OK);
	ck_assert_uint_eq(count(doc, NULL, "undone"), n);
	offmig_doc_free(doc);
	ck_assert_uint_eq(tree_hash(v, NULL), before);
	ck_assert(!exists(v, CLEAN_DIR, NULL));
	/* Undo with nothing to undo is fine too. */
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, &doc), OFFMIG_OK);
	ck_assert_uint_eq(count(doc, NULL, NULL), 0);
	offmig_doc_free(doc);
	/* And --apply works again, to the same result. */
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, &doc), OFFMIG_OK);
	ck_assert_uint_eq(count(doc, NULL, "done"), n);
	offmig_doc_free(doc);
	ck_assert_uint_eq(tree_hash(v, JOURNAL_REL), cleaned);
}
END_TEST

START_TEST(test_undo_refuses_a_changed_hive)
{
	struct offmig_doc *doc;
	char vb[512], p[1024];
	const char *v = copy_vol(vb, sizeof(vb), "v");
	uint64_t mid;
	FILE *fp;

	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, NULL), OFFMIG_OK);
	/* Windows booted and wrote the hive since. */
	snprintf(p, sizeof(p), "%s/Users/alice/NTUSER.DAT", v);
	ck_assert_ptr_nonnull(fp = fopen(p, "r+b"));
	ck_assert_int_eq(fseek(fp, 5000, SEEK_SET), 0);
	ck_assert_int_ne(fputc(0x5A, fp), EOF);
	fclose(fp);
	mid = tree_hash(v, NULL);
	doc = (struct offmig_doc *)1;
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, &doc), OFFMIG_EUNSAFE);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "Users/alice/NTUSER.DAT"));
	ck_assert_uint_eq(tree_hash(v, NULL), mid);
}
END_TEST

/* Kill --apply at every fault point; the rerun must end fully clean. */
START_TEST(test_apply_killed_at_every_step)
{
	char vb[512];
	const char *v = copy_vol(vb, sizeof(vb), "ref");
	uint64_t want;
	long n;
	int st;

	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, NULL), OFFMIG_OK);
	want = tree_hash(v, JOURNAL_REL);
	for (n = 1; n < 1000; n++) {
		v = copy_vol(vb, sizeof(vb), "k");
		st = clean_killed(v, OFFMIG_CLEAN_APPLY, n);
		if (st == 0)
			break;
		ck_assert_int_eq(st, CLEAN_FAULT_EXIT);
		ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, NULL), OFFMIG_OK);
		assert_fully_clean(v, want);
	}
	/* Every step was hit: plan, 3 per replay, 2 per reset, 1 per move. */
	ck_assert_int_gt(n, 40);
}
END_TEST

/* Kill --undo at every fault point; the rerun must restore every byte. */
START_TEST(test_undo_killed_at_every_step)
{
	char vb[512];
	const char *v = NULL;
	uint64_t before = tree_hash(base, NULL);
	long n;
	int st;

	for (n = 1; n < 1000; n++) {
		v = copy_vol(vb, sizeof(vb), "k");
		ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, NULL), OFFMIG_OK);
		st = clean_killed(v, OFFMIG_CLEAN_UNDO, n);
		if (st == 0)
			break;
		ck_assert_int_eq(st, CLEAN_FAULT_EXIT);
		ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, NULL), OFFMIG_OK);
		ck_assert_msg(tree_hash(v, NULL) == before, "undo killed at "
		    "%ld and resumed: not as it was", n);
	}
	ck_assert_int_gt(n, 20);
	ck_assert_uint_eq(tree_hash(v, NULL), before);
}
END_TEST

/* Kill --apply at every point, then undo instead of resuming. */
START_TEST(test_apply_killed_then_undone)
{
	char vb[512];
	const char *v;
	uint64_t before = tree_hash(base, NULL);
	long n;

	for (n = 1; n < 1000; n++) {
		v = copy_vol(vb, sizeof(vb), "k");
		if (clean_killed(v, OFFMIG_CLEAN_APPLY, n) == 0)
			break;
		ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, NULL), OFFMIG_OK);
		ck_assert_msg(tree_hash(v, NULL) == before, "apply killed at "
		    "%ld, then undone: not as it was", n);
	}
	ck_assert_int_gt(n, 40);
}
END_TEST

START_TEST(test_hibernated_refused)
{
	struct offmig_doc *doc;
	char v[512];
	uint64_t before;

	snprintf(v, sizeof(v), "%s/hiber", tmpdir);
	mkvol("dirty-hiber", v);
	before = tree_hash(v, NULL);
	doc = (struct offmig_doc *)1;
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, &doc), OFFMIG_EUNSAFE);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "hiberfil.sys"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "powercfg /h off"));
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, NULL), OFFMIG_EUNSAFE);
	ck_assert_uint_eq(tree_hash(v, NULL), before);
	/* The dry run still says what a clean would do, and why not now. */
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_DRY_RUN, &doc), OFFMIG_OK);
	ck_assert(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "hibernated")));
	ck_assert_uint_gt(count(doc, "replay", "planned"), 0);
	offmig_doc_free(doc);
	ck_assert_uint_eq(tree_hash(v, NULL), before);
}
END_TEST

START_TEST(test_symlinked_clean_folder_refused)
{
	char vb[512], out[512], lnk[1024];
	const char *v = copy_vol(vb, sizeof(vb), "v");
	uint64_t before;

	snprintf(out, sizeof(out), "%s/outside", tmpdir);
	ck_assert_int_eq(mkdir(out, 0700), 0);
	snprintf(lnk, sizeof(lnk), "%s/" CLEAN_DIR, v);
	ck_assert_int_eq(symlink(out, lnk), 0);
	before = tree_hash(v, NULL);
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), CLEAN_DIR));
	ck_assert_uint_eq(tree_hash(v, NULL), before);
	{
		DIR *d = opendir(out);
		struct dirent *de;
		int n = 0;

		ck_assert_ptr_nonnull(d);
		while ((de = readdir(d)) != NULL)
			n++;
		closedir(d);
		ck_assert_int_eq(n, 2);		/* "." and ".." only */
	}
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, NULL), OFFMIG_EUNSAFE);
}
END_TEST

/*
 * Links planted where a hive, a log and a leftover should be, and a log
 * that is a directory: each is refused and left alone, nothing behind a
 * link is read or written, and the rest is cleaned.
 */
START_TEST(test_hostile_entries_refused)
{
	struct offmig_doc *doc;
	const struct offmig_node *o;
	char vb[512], p[1024], outf[512], cmd[2048];
	const char *v = copy_vol(vb, sizeof(vb), "v");
	struct stat st;

	/* carol's NTUSER.DAT becomes a link to a dirty hive outside. */
	snprintf(outf, sizeof(outf), "%s/outside.dat", tmpdir);
	snprintf(cmd, sizeof(cmd), "cp '%s/Users/bob/NTUSER.DAT' '%s' && "
	    "rm '%s/Users/carol/NTUSER.DAT' && ln -s '%s' "
	    "'%s/Users/carol/NTUSER.DAT'", v, outf, v, outf, v);
	run(cmd);
	/* alice's empty .LOG2 becomes a link to a file outside. */
	snprintf(cmd, sizeof(cmd), "rm '%s/Users/alice/ntuser.dat.LOG2' && "
	    "ln -s '%s' '%s/Users/alice/ntuser.dat.LOG2'", v, outf, v);
	run(cmd);
	/* bob's .LOG2 is a directory. */
	snprintf(cmd, sizeof(cmd), "rm '%s/Users/bob/ntuser.dat.LOG2' && "
	    "mkdir '%s/Users/bob/ntuser.dat.LOG2'", v, v);
	run(cmd);
	/* A leftover name that is a link to /etc. */
	snprintf(p, sizeof(p), "%s/Windows/System32/config/SYSTEM.sav", v);
	ck_assert_int_eq(symlink("/etc", p), 0);

	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, &doc), OFFMIG_OK);
	ck_assert_ptr_nonnull(o = action_on(doc, "Users/carol/NTUSER.DAT"));
	ck_assert_str_eq(offmig_node_get_str(o, "kind"), "refused");
	ck_assert_str_eq(offmig_node_get_str(o, "state"), "skipped");
	ck_assert_ptr_nonnull(strstr(offmig_node_get_str(o, "reason"),
	    "symbolic link"));
	ck_assert_ptr_nonnull(o = action_on(doc,
	    "Users/alice/ntuser.dat.LOG2"));
	ck_assert_str_eq(offmig_node_get_str(o, "kind"), "refused");
	ck_assert_ptr_nonnull(o = action_on(doc, "Users/bob/ntuser.dat.LOG2"));
	ck_assert_str_eq(offmig_node_get_str(o, "kind"), "refused");
	ck_assert_ptr_nonnull(strstr(offmig_node_get_str(o, "reason"),
	    "not a regular file"));
	ck_assert_ptr_nonnull(o = action_on(doc,
	    "Windows/System32/config/SYSTEM.sav"));
	ck_assert_str_eq(offmig_node_get_str(o, "kind"), "refused");
	/* bob's hive was still recovered from his .LOG1. */
	ck_assert_ptr_nonnull(o = action_on(doc, "Users/bob/NTUSER.DAT"));
	ck_assert_str_eq(offmig_node_get_str(o, "state"), "done");
	offmig_doc_free(doc);
	/* The links are still links, their targets untouched. */
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	snprintf(p, sizeof(p), "%s/Users/carol/NTUSER.DAT", v);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	snprintf(p, sizeof(p), "%s/Users/alice/ntuser.dat.LOG2", v);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	{
		int dirty;
		char b[1024];

		snprintf(b, sizeof(b), "%s", tmpdir);
		hive_digest(b, "outside.dat", 0, &dirty);
		ck_assert_msg(dirty, "the hive behind the link was written");
	}
	{
		char l[64];
		ssize_t k;

		snprintf(p, sizeof(p), "%s/Windows/System32/config/SYSTEM.sav",
		    v);
		ck_assert_int_eq(k = readlink(p, l, sizeof(l) - 1), 4);
		l[k] = '\0';
		ck_assert_str_eq(l, "/etc");
	}
	/* Undo gives the volume back as it was, links included. */
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, NULL), OFFMIG_OK);
	ck_assert(!exists(v, CLEAN_DIR, NULL));
}
END_TEST

START_TEST(test_corrupt_journal)
{
	char vb[512], p[1024];
	const char *v = copy_vol(vb, sizeof(vb), "v");
	uint64_t before;
	FILE *fp;

	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, NULL), OFFMIG_OK);
	snprintf(p, sizeof(p), "%s/" JOURNAL_REL, v);
	ck_assert_ptr_nonnull(fp = fopen(p, "ab"));
	fputs("step\t9999\tbogus\n", fp);
	fclose(fp);
	before = tree_hash(v, NULL);
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, NULL), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), JOURNAL_REL));
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, NULL), OFFMIG_ECORRUPT);
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_DRY_RUN, NULL), OFFMIG_ECORRUPT);
	ck_assert_uint_eq(tree_hash(v, NULL), before);

	/* A step whose temporary file is not its own. */
	{
		char line[4096], *tab;
		FILE *in, *o;
		char q[1100];
		int changed = 0;

		snprintf(q, sizeof(q), "%s.new", p);
		/* Drop the bogus line appended above. */
		ck_assert_int_eq(clean(v, OFFMIG_CLEAN_DRY_RUN, NULL),
		    OFFMIG_ECORRUPT);
		ck_assert_ptr_nonnull(in = fopen(p, "rb"));
		ck_assert_ptr_nonnull(o = fopen(q, "wb"));
		while (fgets(line, sizeof(line), in) != NULL) {
			if (strncmp(line, "step\t9999", 9) == 0)
				continue;
			if (!changed && strncmp(line, "step\t", 5) == 0 &&
			    strstr(line, "\treset\t") != NULL &&
			    (tab = strstr(line, ".LOG1.offmig-new")) != NULL) {
				char fixed[4096];

				*tab = '\0';
				snprintf(fixed, sizeof(fixed), "%s%s", line,
				    tab + strlen(".LOG1.offmig-new"));
				/*
				 * The temporary name becomes the hive's:
				 * the reset would empty the hive.
				 */
				fputs(fixed, o);
				changed = 1;
				continue;
			}
			fputs(line, o);
		}
		fclose(in);
		fclose(o);
		ck_assert(changed);
		ck_assert_int_eq(rename(q, p), 0);
		ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, NULL),
		    OFFMIG_ECORRUPT);
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
		    "outside the clean folder"));
	}

	/* Not a journal at all. */
	ck_assert_ptr_nonnull(fp = fopen(p, "wb"));
	fputs("#!/bin/sh\nrm -rf /\n", fp);
	fclose(fp);
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, NULL), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "line 1"));
}
END_TEST

/* A record cut by a crash (no newline) is dropped; the run resumes. */
START_TEST(test_torn_journal_record)
{
	char vb[512], p[1024];
	const char *v = copy_vol(vb, sizeof(vb), "ref");
	uint64_t want, before = tree_hash(base, NULL);
	FILE *fp;

	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, NULL), OFFMIG_OK);
	want = tree_hash(v, JOURNAL_REL);
	v = copy_vol(vb, sizeof(vb), "k");
	ck_assert_int_eq(clean_killed(v, OFFMIG_CLEAN_APPLY, 9),
	    CLEAN_FAULT_EXIT);
	snprintf(p, sizeof(p), "%s/" JOURNAL_REL, v);
	ck_assert_ptr_nonnull(fp = fopen(p, "ab"));
	fputs("done\t1", fp);
	fclose(fp);
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_APPLY, NULL), OFFMIG_OK);
	assert_fully_clean(v, want);
	ck_assert_int_eq(clean(v, OFFMIG_CLEAN_UNDO, NULL), OFFMIG_OK);
	ck_assert_uint_eq(tree_hash(v, NULL), before);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("clean");
	TCase *tc = tcase_create("clean");
	TCase *tf = tcase_create("faults");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_dry_run_changes_nothing);
	tcase_add_test(tc, test_apply_cleans_every_hive);
	tcase_add_test(tc, test_undo_restores_every_byte);
	tcase_add_test(tc, test_undo_refuses_a_changed_hive);
	tcase_add_test(tc, test_hibernated_refused);
	tcase_add_test(tc, test_symlinked_clean_folder_refused);
	tcase_add_test(tc, test_hostile_entries_refused);
	tcase_add_test(tc, test_corrupt_journal);
	tcase_add_test(tc, test_torn_journal_record);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tf, setup, teardown);
	tcase_set_timeout(tf, 900);
	tcase_add_test(tf, test_apply_killed_at_every_step);
	tcase_add_test(tf, test_undo_killed_at_every_step);
	tcase_add_test(tf, test_apply_killed_then_undone);
	suite_add_tcase(s, tf);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
