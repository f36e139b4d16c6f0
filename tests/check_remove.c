/*
 * check_remove.c - removing a store and wiping a volume down to it.
 * remove: a store discarded before any reinstall (originals still linked)
 * goes; after a simulated wipe it is refused (link count 1) until every
 * file is linked at its restored place (STORE/restored written here as
 * restore writes it), or copied there with the same content; --force;
 * a damaged store (a stored file missing) refused; read-only files and
 * folders, odd names (newline, invalid UTF-8, a path longer than
 * PATH_MAX); links planted in the store removed as links, their targets
 * kept; the restore record with several runs, and a bad checksum; faults
 * and kills at every unlink, fsync and rmdir, then a rerun: store gone,
 * every user file still there.  wipe-except: refusals, everything outside
 * the store gone, the store intact (verify), a link pointing outside
 * unlinked and its target kept, the skeleton read back by the library
 * (Windows 10 Pro, the users by name, status ok), faults and kills.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "common/doc.h"
#include "common/sha256.h"
#include "migrate/store.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char tmpdir[256];
static char vol[300], storep[400], outside[300];

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	t_tmpdir_make(tmpdir, sizeof(tmpdir), "check_remove");
	snprintf(vol, sizeof(vol), "%s/vol", tmpdir);
	snprintf(storep, sizeof(storep), "%s/vol/MigStore", tmpdir);
	snprintf(outside, sizeof(outside), "%s/outside", tmpdir);
	ck_assert_int_eq(mkdir(vol, 0755), 0);
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	unsetenv("OFFMIG_FAULT");
	unsetenv("OFFMIG_FAULT_KILL");
	store_fault_reset();
}

static void
teardown(void)
{
	offmig_ctx_free(ctx);
	t_tmpdir_remove(tmpdir);
}

#define SID1	"S-1-5-21-1-2-3-1001"
#define SID2	"S-1-5-21-1-2-3-1002"

/* The objects given to create, in order. */
static const char *const files[] = {
	"Users/alice/Documents/a.txt",
	"Users/alice/Documents/sub/b.bin",
	"Users/alice/Desktop/odd\nname.txt",
	"Users/alice/Desktop/bad\xffutf8.txt",
	"Users/bob/Documents/c.txt",
	"Users/bob/Pictures/d.jpg",
};
#define NFILES	(sizeof(files) / sizeof(files[0]))

static void
mkparents(const char *base, const char *rel)
{
	char path[1024], *p;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	for (p = path + strlen(base) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(path, 0755);
		*p = '/';
	}
}

static void
write_file(const char *path, const char *content)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	fputs(content, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

static void
make_files(void)
{
	char path[1024];
	size_t i;

	for (i = 0; i < NFILES; i++) {
		mkparents(vol, files[i]);
		snprintf(path, sizeof(path), "%s/%s", vol, files[i]);
		write_file(path, files[i]);
	}
	/* The users' hives (what a registry export was taken from). */
	snprintf(path, sizeof(path), "%s/Users/alice/NTUSER.DAT", vol);
	write_file(path, "regf");
	snprintf(path, sizeof(path), "%s/Users/bob/NTUSER.DAT", vol);
	write_file(path, "regf");
	/* Something of the machine, not captured. */
	mkparents(vol, "Windows/System32/config/x");
	snprintf(path, sizeof(path), "%s/Windows/win.ini", vol);
	write_file(path, "[fonts]\n");
}

struct iter {
	size_t	 i;
	char	 win[512];
	int	 registry;
};

static int
next_item(void *arg, struct offmig_store_item *it)
{
	struct iter *s = arg;
	char *p;

	memset(it, 0, sizeof(*it));
	if (s->i < NFILES) {
		snprintf(s->win, sizeof(s->win), "C:\\%s", files[s->i]);
		for (p = s->win; *p; p++)
			if (*p == '/')
				*p = '\\';
		it->kind = 'f';
		it->winpath = s->win;
		it->host_path = files[s->i];
		it->sid = strstr(files[s->i], "alice") ? SID1 : SID2;
		s->i++;
		return 1;
	}
	if (s->i == NFILES && s->registry) {
		static const char reg[] = "Windows Registry Editor Version 5.00"
		    "\r\n\r\n[HKEY_CURRENT_USER\\Software\\X]\r\n\"a\"=\"b\"\r\n";

		it->kind = 'r';
		it->sid = SID1;
		it->data = reg;
		it->len = sizeof(reg) - 1;
		s->i++;
		return 1;
	}
	if (s->i == NFILES + (size_t)s->registry) {
		it->kind = 'U';
		it->sid = SID1;
		it->user = "alice";
		it->profile_path = "C:\\Users\\alice";
		it->status = "complete";
		it->problems = "";
		s->i++;
		return 1;
	}
	if (s->i == NFILES + (size_t)s->registry + 1) {
		it->kind = 'U';
		it->sid = SID2;
		it->user = "bob";
		it->profile_path = "C:\\Users\\bob";
		it->status = "complete";
		it->problems = "";
		s->i++;
		return 1;
	}
	return 0;
}

/* The volume's files and a sealed hard-link store of them. */
static void
make_store(int registry)
{
	struct offmig_doc *doc = NULL;
	struct iter it = { 0, "", registry };

	make_files();
	ck_assert_msg(offmig_store_create(ctx, vol, storep, 0, "PC",
	    "Windows 10 Pro", next_item, &it, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	offmig_doc_free(doc);
	ck_assert_int_eq(offmig_ctx_failures(ctx), 0);
}

static void
store_id(char *id)
{
	char path[600], line[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/offmig-store.ini", storep);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	id[0] = '\0';
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "id=", 3) == 0 && strlen(line) >= 35) {
			memcpy(id, line + 3, 32);
			id[32] = '\0';
		}
	fclose(fp);
	ck_assert_int_eq(strlen(id), 32);
}

/* Removes every original (what a wipe does), leaving the store's links. */
static void
wipe_originals(void)
{
	char path[1024];
	size_t i;

	for (i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", vol, files[i]);
		ck_assert_int_eq(unlink(path), 0);
	}
}

/* "Restores" file i: a hard link from the store back at its place. */
static void
relink(size_t i)
{
	char src[1024], dst[1024];

	snprintf(src, sizeof(src), "%s/files/C/%s", storep, files[i]);
	snprintf(dst, sizeof(dst), "%s/%s", vol, files[i]);
	mkparents(vol, files[i]);
	ck_assert_msg(link(src, dst) == 0, "%s: %s", dst, strerror(errno));
}

/* STORE/restored as restore writes it: header, R lines, S when complete. */
static struct sha256 rsha;
static FILE *rfp;

static void
rput(const char *s, size_t n)
{
	ck_assert_uint_eq(fwrite(s, 1, n, rfp), n);
	sha256_update(&rsha, s, n);
}

static void
restored_begin(void)
{
	char path[600], id[40], line[1024];

	store_id(id);
	snprintf(path, sizeof(path), "%s/restored", storep);
	ck_assert_ptr_nonnull(rfp = fopen(path, "wb"));
	sha256_init(&rsha);
	snprintf(line, sizeof(line), "offmig-restored\t1\tid=%s\tvolume=%s\n",
	    id, vol);
	rput(line, strlen(line));
}

static void
restored_r(uint64_t seq, const char *dest, const char *how)
{
	char line[2048], *esc = manifest_escape(dest, strlen(dest));
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", vol, dest);
	if (lstat(path, &st) != 0)
		st.st_ino = 0;
	snprintf(line, sizeof(line), "R\t%" PRIu64 "\t%s\t%ju\t%s\n", seq, esc,
	    (uintmax_t)st.st_ino, how);
	free(esc);
	rput(line, strlen(line));
}

static void
restored_end(int seal)
{
	char line[256], hex[SHA256_HEX_LEN + 1];
	unsigned char d[SHA256_DIGEST_LEN];
	struct sha256 c = rsha;

	if (seal) {
		sha256_final(&c, d);
		sha256_hex(d, hex);
		snprintf(line, sizeof(line), "S\tobjects=%zu\tsha256=%s\n",
		    NFILES, hex);
		rput(line, strlen(line));
	}
	ck_assert_int_eq(fclose(rfp), 0);
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Every user file is at its place with its content, its one link. */
static void
assert_user_files(int nlink)
{
	char path[1024], buf[512];
	struct stat st;
	size_t i;
	FILE *fp;

	for (i = 0; i < NFILES; i++) {
		size_t n;

		snprintf(path, sizeof(path), "%s/%s", vol, files[i]);
		ck_assert_msg(lstat(path, &st) == 0, "%s is gone", files[i]);
		if (nlink > 0)
			ck_assert_int_eq(st.st_nlink, nlink);
		ck_assert_ptr_nonnull(fp = fopen(path, "rb"));
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
		buf[n] = '\0';
		ck_assert_str_eq(buf, files[i]);
	}
}

static int
run_remove(unsigned flags, struct offmig_doc **docp)
{
	struct offmig_doc *doc = NULL;
	int ret = offmig_store_remove(ctx, storep, NULL, flags, &doc);

	if (docp != NULL)
		*docp = doc;
	else
		offmig_doc_free(doc);
	return ret;
}

START_TEST(test_discard_before_reinstall)
{
	struct offmig_doc *doc;
	const struct offmig_node *r;

	make_store(1);
	ck_assert_msg(run_remove(0, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	r = offmig_node_get(offmig_doc_root(doc), "store_remove");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r,
	    "checked.objects")), NFILES + 1);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r,
	    "checked.unreachable")), 0);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "removed.failed")),
	    0);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "complete")), 1);
	offmig_doc_free(doc);
	ck_assert(!exists(storep));
	assert_user_files(1);
	ck_assert_int_eq(offmig_ctx_failures(ctx), 0);
}
END_TEST

START_TEST(test_refused_last_link)
{
	struct offmig_doc *doc;
	const struct offmig_node *r;
	char path[1024];

	make_store(0);
	wipe_originals();
	ck_assert_int_eq(run_remove(0, &doc), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "6 stored file(s)"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "a.txt"));
	r = offmig_node_get(offmig_doc_root(doc), "store_remove");
	ck_assert_int_eq(offmig_node_len(offmig_node_get(r, "unreachable")),
	    NFILES);
	offmig_doc_free(doc);
	/* Nothing was removed. */
	snprintf(path, sizeof(path), "%s/files/C/%s", storep, files[0]);
	ck_assert(exists(path));
	snprintf(path, sizeof(path), "%s/manifest", storep);
	ck_assert(exists(path));
	/* Linked back, all but one: still refused, naming that one. */
	relink(0);
	relink(1);
	relink(2);
	relink(3);
	relink(4);
	restored_begin();
	restored_r(1, files[0], "link");
	restored_r(2, files[1], "link");
	restored_r(3, files[2], "link");
	restored_r(4, files[3], "link");
	restored_r(5, files[4], "link");
	restored_r(6, files[5], "skipped");
	restored_end(1);
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "1 stored file(s)"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "d.jpg"));
	relink(5);
	ck_assert_msg(run_remove(0, NULL) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert(!exists(storep));
	assert_user_files(1);
}
END_TEST

START_TEST(test_copies_and_other_inode)
{
	char path[1024];
	size_t i;

	make_store(0);
	wipe_originals();
	/* Restored as copies: the same content, another inode. */
	for (i = 0; i < NFILES; i++) {
		mkparents(vol, files[i]);
		snprintf(path, sizeof(path), "%s/%s", vol, files[i]);
		/* The same size, another content for one of them. */
		write_file(path, i == 4 ? "Users/bob/Documents/c.txX" : files[i]);
	}
	restored_begin();
	for (i = 0; i < NFILES; i++)
		restored_r(i + 1, files[i], "copy");
	restored_end(1);
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "c.txt"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "content differs"));
	snprintf(path, sizeof(path), "%s/%s", vol, files[4]);
	write_file(path, files[4]);
	ck_assert_msg(run_remove(0, NULL) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert(!exists(storep));
	assert_user_files(1);
}
END_TEST

/* The checked.* numbers of a remove's report. */
static int64_t
checked_int(struct offmig_doc *doc, const char *what)
{
	char key[64];

	snprintf(key, sizeof(key), "store_remove.checked.%s", what);
	return offmig_node_int(offmig_node_get(offmig_doc_root(doc), key));
}

/* Every file restored as a link, recorded in STORE/restored. */
static void
restore_all_links(void)
{
	size_t i;

	wipe_originals();
	for (i = 0; i < NFILES; i++)
		relink(i);
	restored_begin();
	for (i = 0; i < NFILES; i++)
		restored_r(i + 1, files[i], "link");
	restored_end(1);
}

/*
 * The fast check of a hard-link store proves each restored place from its
 * folder's listing (getdents: name, d_ino, d_type) instead of a stat each.
 */
START_TEST(test_fast_check_listing)
{
	struct offmig_doc *doc;

	make_store(0);
	restore_all_links();
	ck_assert_msg(run_remove(0, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(checked_int(doc, "fast"), 1);
	ck_assert_int_eq(checked_int(doc, "reachable"), NFILES);
	ck_assert_int_eq(checked_int(doc, "listed"), NFILES);
	/* One fstatat a folder confirms d_ino: 5 folders hold the 6 files. */
	ck_assert_int_eq(checked_int(doc, "stats"), 5);
	offmig_doc_free(doc);
	ck_assert(!exists(storep));
	assert_user_files(1);
}
END_TEST

/*
 * A restored file replaced by another inode of the same name: the listing
 * does not prove it (another d_ino); a copy of the same content still
 * keeps the content reachable (compared by SHA-256), other content does
 * not, and nothing is removed.
 */
START_TEST(test_fast_check_replaced)
{
	struct offmig_doc *doc;
	char path[1024], store_file[1024];
	struct stat st;

	make_store(0);
	restore_all_links();
	snprintf(path, sizeof(path), "%s/%s", vol, files[0]);
	ck_assert_int_eq(unlink(path), 0);
	write_file(path, files[0]);		/* same content, new inode */
	snprintf(path, sizeof(path), "%s/%s", vol, files[4]);
	ck_assert_int_eq(unlink(path), 0);
	write_file(path, "Users/bob/Documents/c.txX");	/* same size */
	ck_assert_int_eq(run_remove(0, &doc), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "c.txt"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "content differs"));
	ck_assert_int_eq(checked_int(doc, "unreachable"), 1);
	offmig_doc_free(doc);
	snprintf(store_file, sizeof(store_file), "%s/files/C/%s", storep,
	    files[4]);
	ck_assert_int_eq(lstat(store_file, &st), 0);
	ck_assert_int_eq(st.st_nlink, 1);
	/* The same content back: a copy, proved by content, not listing. */
	write_file(path, files[4]);
	ck_assert_msg(run_remove(0, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(checked_int(doc, "fast"), 1);
	ck_assert_int_eq(checked_int(doc, "listed"), NFILES - 2);
	offmig_doc_free(doc);
	ck_assert(!exists(storep));
	assert_user_files(1);
}
END_TEST

/*
 * A restored place that became a symbolic link (to the store's own file,
 * so that following it would "find" the inode) or a folder proves
 * nothing: refused, the store kept whole.
 */
START_TEST(test_fast_check_symlink_place)
{
	struct offmig_doc *doc;
	char path[1024], store_file[1024];

	make_store(0);
	restore_all_links();
	snprintf(store_file, sizeof(store_file), "%s/files/C/%s", storep,
	    files[1]);
	snprintf(path, sizeof(path), "%s/%s", vol, files[1]);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink(store_file, path), 0);
	snprintf(path, sizeof(path), "%s/%s", vol, files[5]);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(run_remove(0, &doc), OFFMIG_EUNSAFE);
	ck_assert_int_eq(checked_int(doc, "unreachable"), 2);
	ck_assert_int_eq(checked_int(doc, "fast"), 0);
	offmig_doc_free(doc);
	ck_assert(exists(store_file));
	snprintf(path, sizeof(path), "%s/files/C/%s", storep, files[5]);
	ck_assert(exists(path));
	/* Each place a link to the store's file again. */
	snprintf(path, sizeof(path), "%s/%s", vol, files[5]);
	ck_assert_int_eq(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/%s", vol, files[1]);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(link(store_file, path), 0);
	relink(5);
	ck_assert_msg(run_remove(0, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(checked_int(doc, "listed"), NFILES);
	offmig_doc_free(doc);
	ck_assert(!exists(storep));
	assert_user_files(1);
}
END_TEST

/*
 * A place whose folder is reached through a symbolic link (planted after
 * the restore) is not looked at: the listing is never taken through it.
 */
START_TEST(test_fast_check_symlinked_folder)
{
	char path[1024], moved[1024];

	make_store(0);
	restore_all_links();
	snprintf(path, sizeof(path), "%s/Users/bob/Pictures", vol);
	snprintf(moved, sizeof(moved), "%s/Pictures", outside);
	ck_assert_int_eq(rename(path, moved), 0);
	ck_assert_int_eq(symlink(moved, path), 0);
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "d.jpg"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "symbolic link"));
	snprintf(path, sizeof(path), "%s/files/C/%s", storep, files[5]);
	ck_assert(exists(path));
}
END_TEST

/* 1,200 files in 12 users' folders, for a removal big enough to be shared out. */
#define MANY_USERS	12
#define MANY_EACH	100

struct many {
	int	 i;
	char	 host[256], win[300];
};

static int
next_many(void *arg, struct offmig_store_item *it)
{
	struct many *m = arg;

	memset(it, 0, sizeof(*it));
	if (m->i >= MANY_USERS * MANY_EACH)
		return 0;
	snprintf(m->host, sizeof(m->host), "Users/u%02d/Documents/f%03d.txt",
	    m->i / MANY_EACH, m->i % MANY_EACH);
	snprintf(m->win, sizeof(m->win), "C:\\Users\\u%02d\\Documents\\"
	    "f%03d.txt", m->i / MANY_EACH, m->i % MANY_EACH);
	it->kind = 'f';
	it->winpath = m->win;
	it->host_path = m->host;
	it->sid = SID1;
	m->i++;
	return 1;
}

/*
 * A store of more than 1,000 objects is removed by two threads (on a
 * machine with two CPUs or more), then by the usual single pass: all of
 * it goes, and every user's file stays with its one link.
 */
START_TEST(test_remove_many_parallel)
{
	struct offmig_doc *doc = NULL;
	struct many it = { 0, "", "" };
	char path[1024];
	struct stat st;
	int i;

	for (i = 0; i < MANY_USERS * MANY_EACH; i++) {
		snprintf(path, sizeof(path), "Users/u%02d/Documents/f%03d.txt",
		    i / MANY_EACH, i % MANY_EACH);
		mkparents(vol, path);
		snprintf(path, sizeof(path), "%s/Users/u%02d/Documents/"
		    "f%03d.txt", vol, i / MANY_EACH, i % MANY_EACH);
		write_file(path, path);
	}
	ck_assert_msg(offmig_store_create(ctx, vol, storep, 0, "PC",
	    "Windows 10 Pro", next_many, &it, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	offmig_doc_free(doc);
	ck_assert_msg(run_remove(0, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(checked_int(doc, "reachable"), MANY_USERS * MANY_EACH);
	ck_assert_int_eq(checked_int(doc, "fast"), 1);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "store_remove.removed.failed")), 0);
	/* Every stored file, and the header, manifest, journal. */
	ck_assert_int_ge(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "store_remove.removed.files")), MANY_USERS * MANY_EACH + 3);
	offmig_doc_free(doc);
	ck_assert(!exists(storep));
	for (i = 0; i < MANY_USERS * MANY_EACH; i++) {
		snprintf(path, sizeof(path), "%s/Users/u%02d/Documents/"
		    "f%03d.txt", vol, i / MANY_EACH, i % MANY_EACH);
		ck_assert_int_eq(lstat(path, &st), 0);
		ck_assert_int_eq(st.st_nlink, 1);
	}
	ck_assert_int_eq(offmig_ctx_failures(ctx), 0);
}
END_TEST

START_TEST(test_force)
{
	struct offmig_doc *doc;
	const struct offmig_node *r;

	make_store(0);
	wipe_originals();
	ck_assert_msg(run_remove(OFFMIG_STORE_REMOVE_FORCE, &doc) == OFFMIG_OK,
	    "%s", offmig_errmsg(ctx));
	r = offmig_node_get(offmig_doc_root(doc), "store_remove");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "forced")), 1);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r,
	    "checked.unreachable")), NFILES);
	offmig_doc_free(doc);
	ck_assert(!exists(storep));
}
END_TEST

START_TEST(test_damaged_store)
{
	char path[1024];

	make_store(0);
	snprintf(path, sizeof(path), "%s/files/C/%s", storep, files[1]);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "damaged"));
	snprintf(path, sizeof(path), "%s/manifest", storep);
	ck_assert(exists(path));
	/* A manifest that is not one. */
	write_file(path, "not a manifest\n");
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "manifest:1"));
	/* Not a store at all. */
	snprintf(path, sizeof(path), "%s/offmig-store.ini", storep);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "not an offmig store"));
	ck_assert(exists(storep));
}
END_TEST

START_TEST(test_stray_file_refused)
{
	char path[1024];

	make_store(0);
	snprintf(path, sizeof(path), "%s/files/C/Users/alice/mine.txt", storep);
	write_file(path, "only here");
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "does not list"));
	ck_assert(exists(path));
	snprintf(path, sizeof(path), "%s/notes.doc", storep);
	ck_assert_int_eq(unlink(path) == 0 || errno == ENOENT, 1);
}
END_TEST

/* A folder chain below dirfd longer than PATH_MAX, made one name at a time. */
static void
deep_tree(int dirfd)
{
	char name[201];
	int fd = dup(dirfd), i;

	memset(name, 'n', 200);
	name[200] = '\0';
	for (i = 0; i < 25; i++) {
		int next;

		name[0] = (char)('a' + i);
		ck_assert_int_eq(mkdirat(fd, name, 0755), 0);
		ck_assert_int_ge(next = openat(fd, name, O_RDONLY |
		    O_DIRECTORY), 0);
		close(fd);
		fd = next;
	}
	ck_assert_int_eq(symlinkat("/etc/passwd", fd, "deep-link"), 0);
	ck_assert_int_eq(mkdirat(fd, "ro", 0555), 0);
	ck_assert_int_eq(fchmod(fd, 0555), 0);
	close(fd);
}

START_TEST(test_readonly_odd_names_links)
{
	char path[1024], target[600], tdir[600];
	struct stat st;
	int fd;

	make_store(1);
	/* Read-only files and folders in the store. */
	snprintf(path, sizeof(path), "%s/files/C/%s", storep, files[0]);
	ck_assert_int_eq(chmod(path, 0444), 0);
	snprintf(path, sizeof(path), "%s/files/C/Users/alice/Documents/sub",
	    storep);
	ck_assert_int_eq(chmod(path, 0555), 0);
	/* Links planted in the store: to a file and a folder outside. */
	snprintf(target, sizeof(target), "%s/precious.txt", outside);
	write_file(target, "precious");
	snprintf(tdir, sizeof(tdir), "%s/dir", outside);
	ck_assert_int_eq(mkdir(tdir, 0755), 0);
	snprintf(path, sizeof(path), "%s/dir/inside.txt", outside);
	write_file(path, "inside");
	snprintf(path, sizeof(path), "%s/files/C/Users/bob/evil-dir", storep);
	ck_assert_int_eq(symlink(tdir, path), 0);
	/* A stored file replaced by a link to a file outside. */
	snprintf(path, sizeof(path), "%s/files/C/%s", storep, files[5]);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink(target, path), 0);
	/* A tree deeper than PATH_MAX in the store. */
	snprintf(path, sizeof(path), "%s/files/C/Users", storep);
	ck_assert_int_ge(fd = open(path, O_RDONLY | O_DIRECTORY), 0);
	deep_tree(fd);
	close(fd);
	ck_assert_msg(run_remove(0, NULL) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert(!exists(storep));
	/* One warning: the link in place of a stored file. */
	ck_assert_int_eq(offmig_ctx_warnings(ctx), 1);
	ck_assert_int_eq(offmig_ctx_failures(ctx), 0);
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 8);
	snprintf(path, sizeof(path), "%s/dir/inside.txt", outside);
	ck_assert(exists(path));
	ck_assert(exists("/etc/passwd"));
	assert_user_files(1);
}
END_TEST

START_TEST(test_swapped_store_file)
{
	char path[1024], other[1024], tmp[1100];

	make_store(0);
	/* The original has a second name, so its link count stays >= 2... */
	snprintf(path, sizeof(path), "%s/%s", vol, files[0]);
	snprintf(other, sizeof(other), "%s/Users/alice/other-name.txt", vol);
	ck_assert_int_eq(link(path, other), 0);
	/* ...while the store's file is swapped for another of the same size. */
	snprintf(path, sizeof(path), "%s/files/C/%s", storep, files[0]);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	write_file(tmp, "Users/alice/Documents/a.txX");
	ck_assert_int_eq(rename(tmp, path), 0);
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "a.txt"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "content differs"));
	ck_assert(exists(path));
}
END_TEST

START_TEST(test_restored_runs)
{
	size_t i;

	make_store(0);
	wipe_originals();
	for (i = 0; i < NFILES; i++)
		relink(i);
	/* Two restores (bob, then alice), the second repeating one object. */
	restored_begin();
	restored_r(5, files[4], "link");
	restored_r(6, files[5], "same");
	restored_r(1, files[0], "link");
	restored_r(2, files[1], "link");
	restored_r(2, files[1], "same");
	restored_r(3, files[2], "renamed");
	restored_r(4, files[3], "link");
	restored_end(0);
	ck_assert_msg(run_remove(0, NULL) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert(!exists(storep));
	assert_user_files(1);
}
END_TEST

START_TEST(test_restored_bad)
{
	char path[600];
	FILE *fp;

	make_store(0);
	restored_begin();
	restored_r(1, files[0], "link");
	restored_end(1);
	/* A checksum that does not match the lines before it. */
	snprintf(path, sizeof(path), "%s/restored", storep);
	ck_assert_ptr_nonnull(fp = fopen(path, "ab"));
	fputs("S\tobjects=1\tsha256=00\n", fp);
	fclose(fp);
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "restored:4"));
	/* A destination outside the volume. */
	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	fclose(fp);
	restored_begin();
	{
		static const char bad[] = "R\t1\t../../etc/passwd\t1\tlink\n";

		rput(bad, sizeof(bad) - 1);
	}
	restored_end(0);
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "restored:2"));
	ck_assert(exists(storep));
}
END_TEST

/* Runs remove in a child that dies at the n-th step, then reruns it. */
static int
kill_at(const char *step, int n, int kill)
{
	char spec[64];
	pid_t pid;
	int status;

	snprintf(spec, sizeof(spec), "%s:%d", step, n);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct offmig_ctx *c = offmig_ctx_new();
		struct offmig_doc *doc = NULL;
		int ret;

		setenv("OFFMIG_FAULT", spec, 1);
		if (kill)
			setenv("OFFMIG_FAULT_KILL", "1", 1);
		ret = offmig_store_remove(c, storep, NULL, 0, &doc);
		offmig_doc_free(doc);
		_exit(ret == OFFMIG_OK && offmig_ctx_failures(c) == 0 ? 0 :
		    ret == OFFMIG_OK ? 1 : 2);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_faults_and_kills)
{
	static const struct {
		const char *step;
		int n;
	} at[] = {
		/* 6 files, the export, restored, manifest, header, journal. */
		{ "unlink", 1 }, { "unlink", 2 }, { "unlink", 4 },
		{ "unlink", 6 }, { "unlink", 7 }, { "unlink", 8 },
		{ "unlink", 9 }, { "unlink", 10 }, { "unlink", 11 },
		/* 10 folders of files/, registry/, STORE. */
		{ "rmdir", 1 }, { "rmdir", 5 }, { "rmdir", 10 }, { "rmdir", 11 },
		{ "rmdir", 12 },
		/* begin, checked, done. */
		{ "fsync", 1 }, { "fsync", 2 }, { "fsync", 3 },
	};
	size_t k, i;
	int kill;

	for (kill = 0; kill <= 1; kill++) {
		for (k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
			char cmd[700];
			int st;

			snprintf(vol, sizeof(vol), "%s/v%d-%zu", tmpdir, kill, k);
			snprintf(storep, sizeof(storep), "%s/MigStore", vol);
			ck_assert_int_eq(mkdir(vol, 0755), 0);
			store_fault_reset();
			make_store(1);
			wipe_originals();
			for (i = 0; i < NFILES; i++)
				relink(i);
			restored_begin();
			for (i = 0; i < NFILES; i++)
				restored_r(i + 1, files[i], "link");
			restored_r(NFILES + 1, "Users/alice/NTUSER.DAT",
			    "registry");
			restored_end(1);
			st = kill_at(at[k].step, at[k].n, kill);
			/* The step was reached: killed, or failed (1, 2). */
			ck_assert_msg(kill ? st == 99 : st == 1 || st == 2,
			    "%s:%d: child exit %d", at[k].step, at[k].n, st);
			if (exists(storep)) {
				int ret = run_remove(0, NULL);

				ck_assert_msg(ret == OFFMIG_OK, "%s:%d%s: rerun: "
				    "%s", at[k].step, at[k].n, kill ? " kill" :
				    "", offmig_errmsg(ctx));
			}
			ck_assert_msg(!exists(storep), "%s:%d: store left",
			    at[k].step, at[k].n);
			assert_user_files(1);
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", vol);
			ck_assert_int_eq(system(cmd), 0);
		}
	}
}
END_TEST

/* Wipe-except. */

static int
run_wipe(unsigned flags, struct offmig_doc **docp)
{
	struct offmig_doc *doc = NULL;
	int ret = offmig_store_wipe_except(ctx, storep, vol, flags, &doc);

	if (docp != NULL)
		*docp = doc;
	else
		offmig_doc_free(doc);
	return ret;
}

START_TEST(test_wipe_refusals)
{
	char other[400];

	make_store(0);
	ck_assert_int_eq(run_wipe(0, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "--yes"));
	/* A store outside the volume. */
	snprintf(other, sizeof(other), "%s/vol/Users", tmpdir);
	ck_assert_int_eq(offmig_store_wipe_except(ctx, storep, other,
	    OFFMIG_STORE_WIPE_YES, &(struct offmig_doc *){ NULL }),
	    OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "not inside"));
	/* A hibernated Windows: nothing written, neither wipe nor remove. */
	snprintf(other, sizeof(other), "%s/vol/hiberfil.sys", tmpdir);
	write_file(other, "HIBR and the rest");
	ck_assert_int_eq(run_wipe(OFFMIG_STORE_WIPE_YES, NULL),
	    OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "hibernated"));
	ck_assert_int_eq(run_remove(0, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "hibernated"));
	ck_assert(exists(storep));
	assert_user_files(2);
}
END_TEST

START_TEST(test_wipe_unsealed_refused)
{
	char path[600];
	FILE *fp;
	char *buf;
	long n;

	make_store(0);
	/* Cut the seal off: an interrupted create. */
	snprintf(path, sizeof(path), "%s/manifest", storep);
	ck_assert_ptr_nonnull(fp = fopen(path, "rb"));
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, fp), n);
	fclose(fp);
	buf[n - 1] = '\0';
	*strrchr(buf, '\n') = '\0';
	ck_assert_int_eq(truncate(path, (off_t)strlen(buf) + 1), 0);
	free(buf);
	ck_assert_int_eq(run_wipe(OFFMIG_STORE_WIPE_YES, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "not sealed"));
	assert_user_files(2);
}
END_TEST

/* The volume holds the store, the skeleton and nothing else. */
static void
assert_wiped(void)
{
	static const char *const allowed[] = {
		"MigStore", "Windows", "Users", "ProgramData", "Program Files",
		"Program Files (x86)", NULL
	};
	struct dirent *de;
	char path[1024];
	DIR *d;
	size_t i;

	ck_assert_ptr_nonnull(d = opendir(vol));
	while ((de = readdir(d)) != NULL) {
		int ok = de->d_name[0] == '.';

		for (i = 0; allowed[i] != NULL; i++)
			ok |= strcmp(de->d_name, allowed[i]) == 0;
		ck_assert_msg(ok, "%s left on the volume", de->d_name);
	}
	closedir(d);
	for (i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", vol, files[i]);
		ck_assert_msg(!exists(path), "%s survived the wipe", files[i]);
	}
	snprintf(path, sizeof(path), "%s/Windows/win.ini", vol);
	ck_assert(!exists(path));
}

/* The store is whole: verify finds it complete with no problem. */
static void
assert_store_ok(void)
{
	struct offmig_doc *doc = NULL;
	const struct offmig_node *v;

	ck_assert_int_eq(offmig_store_verify(ctx, storep, 0, &doc), OFFMIG_OK);
	v = offmig_node_get(offmig_doc_root(doc), "verify");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(v, "ok")), 1);
	offmig_doc_free(doc);
}

/* offmig_inspect_report on the wiped volume: Windows 10, alice and bob. */
static void
assert_skeleton(int users)
{
	struct offmig_volume *v = NULL;
	struct offmig_doc *doc = NULL;
	const struct offmig_node *p;
	size_t i;
	int found = 0;

	ck_assert_msg(offmig_volume_open(ctx, vol, NULL, &v) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(offmig_os_report(ctx, v, &doc), OFFMIG_OK);
	ck_assert_str_eq(offmig_node_get_str(offmig_doc_root(doc),
	    "product_name"), "Windows 10 Pro");
	ck_assert_str_eq(offmig_node_get_str(offmig_doc_root(doc), "build"),
	    "19045");
	ck_assert_ptr_nonnull(offmig_node_get_str(offmig_doc_root(doc),
	    "computer_name"));
	offmig_doc_free(doc);
	ck_assert_int_eq(offmig_profiles_report(ctx, v, NULL, &doc),
	    OFFMIG_OK);
	p = offmig_node_get(offmig_doc_root(doc), "profiles");
	for (i = 0; i < offmig_node_len(p); i++) {
		const struct offmig_node *e = offmig_node_at(p, i);
		const char *user = offmig_node_get_str(e, "user");
		const char *sid = offmig_node_get_str(e, "sid");

		if (user == NULL || sid == NULL || strncmp(sid, "S-1-5-21-", 9)
		    != 0)
			continue;
		ck_assert_msg(strcmp(user, "alice") == 0 ||
		    strcmp(user, "bob") == 0, "user %s", user);
		ck_assert_str_eq(offmig_node_get_str(e, "status"), "ok");
		ck_assert_str_eq(offmig_node_get_str(e, "user_source"), "sam");
		/* A reinstall makes new SIDs. */
		ck_assert_str_ne(sid, SID1);
		ck_assert_str_ne(sid, SID2);
		found++;
	}
	ck_assert_int_eq(found, users);
	offmig_doc_free(doc);
	offmig_volume_close(v);
}

START_TEST(test_wipe)
{
	struct offmig_doc *doc;
	const struct offmig_node *w;
	char path[1024], target[600];
	struct stat st;

	make_store(1);
	/* A link on the volume to a file outside, and one to a folder. */
	snprintf(target, sizeof(target), "%s/precious.txt", outside);
	write_file(target, "precious");
	snprintf(path, sizeof(path), "%s/Users/alice/link-out", vol);
	ck_assert_int_eq(symlink(target, path), 0);
	snprintf(path, sizeof(path), "%s/outdir", vol);
	ck_assert_int_eq(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/Users/bob/ro", vol);
	ck_assert_int_eq(mkdir(path, 0555), 0);
	ck_assert_msg(run_wipe(OFFMIG_STORE_WIPE_YES, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	w = offmig_node_get(offmig_doc_root(doc), "wipe_except");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(w, "removed.failed")),
	    0);
	ck_assert_int_ge(offmig_node_int(offmig_node_get(w, "removed.files")),
	    NFILES);
	ck_assert_int_eq(offmig_node_len(offmig_node_get(w, "skeleton.users")),
	    2);
	ck_assert_str_eq(offmig_node_get_str(offmig_node_at(offmig_node_get(w,
	    "skeleton.users"), 0), "profile"), "C:\\Users\\alice");
	offmig_doc_free(doc);
	assert_wiped();
	assert_store_ok();
	ck_assert_int_eq(stat(target, &st), 0);
	ck_assert_int_eq(st.st_size, 8);
	snprintf(path, sizeof(path), "%s/Users/alice/Documents", vol);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/Users/Public/Documents", vol);
	ck_assert(exists(path));
	snprintf(path, sizeof(path), "%s/Users/Default/NTUSER.DAT", vol);
	ck_assert(exists(path));
	snprintf(path, sizeof(path), "%s/Windows/System32/config/DEFAULT", vol);
	ck_assert(exists(path));
	assert_skeleton(2);
	/* --no-users: the machine only. */
	ck_assert_int_eq(run_wipe(OFFMIG_STORE_WIPE_YES |
	    OFFMIG_STORE_WIPE_NO_USERS, NULL), OFFMIG_OK);
	snprintf(path, sizeof(path), "%s/Users/alice", vol);
	ck_assert(!exists(path));
	assert_skeleton(0);
	assert_store_ok();
	ck_assert_int_eq(offmig_ctx_failures(ctx), 0);
}
END_TEST

START_TEST(test_wipe_faults_and_kills)
{
	static const struct {
		const char *step;
		int n;
	} at[] = {
		{ "unlink", 1 }, { "unlink", 5 }, { "rmdir", 3 },
		{ "mkdir", 1 }, { "mkdir", 20 }, { "hive", 1 }, { "hive", 4 },
		{ "hive", 7 }, { "fsync", 1 }, { "fsync", 2 }, { "fsync", 3 },
	};
	size_t k;
	int kill;

	for (kill = 0; kill <= 1; kill++) {
		for (k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
			char spec[64], cmd[700];
			pid_t pid;
			int status;

			snprintf(vol, sizeof(vol), "%s/w%d-%zu", tmpdir, kill, k);
			snprintf(storep, sizeof(storep), "%s/MigStore", vol);
			ck_assert_int_eq(mkdir(vol, 0755), 0);
			store_fault_reset();
			make_store(1);
			snprintf(spec, sizeof(spec), "%s:%d", at[k].step,
			    at[k].n);
			ck_assert_int_ge(pid = fork(), 0);
			if (pid == 0) {
				struct offmig_ctx *c = offmig_ctx_new();
				struct offmig_doc *doc = NULL;
				int ret;

				setenv("OFFMIG_FAULT", spec, 1);
				if (kill)
					setenv("OFFMIG_FAULT_KILL", "1", 1);
				ret = offmig_store_wipe_except(c, storep, vol,
				    OFFMIG_STORE_WIPE_YES, &doc);
				offmig_doc_free(doc);
				_exit(ret == OFFMIG_OK && offmig_ctx_failures(c)
				    == 0 ? 0 : ret == OFFMIG_OK ? 1 : 2);
			}
			ck_assert_int_eq(waitpid(pid, &status, 0), pid);
			/* The step was reached: killed, or failed (1, 2). */
			ck_assert_msg(WIFEXITED(status) && (kill ?
			    WEXITSTATUS(status) == 99 : WEXITSTATUS(status) ==
			    1 || WEXITSTATUS(status) == 2), "%s: child status "
			    "%d", spec, status);
			ck_assert_msg(run_wipe(OFFMIG_STORE_WIPE_YES, NULL) ==
			    OFFMIG_OK, "%s: rerun: %s", spec,
			    offmig_errmsg(ctx));
			assert_wiped();
			assert_store_ok();
			assert_skeleton(2);
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", vol);
			ck_assert_int_eq(system(cmd), 0);
		}
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("remove");
	TCase *tr = tcase_create("remove");
	TCase *tw = tcase_create("wipe");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_set_timeout(tr, 120);
	tcase_add_test(tr, test_discard_before_reinstall);
	tcase_add_test(tr, test_refused_last_link);
	tcase_add_test(tr, test_copies_and_other_inode);
	tcase_add_test(tr, test_fast_check_listing);
	tcase_add_test(tr, test_fast_check_replaced);
	tcase_add_test(tr, test_fast_check_symlink_place);
	tcase_add_test(tr, test_fast_check_symlinked_folder);
	tcase_add_test(tr, test_remove_many_parallel);
	tcase_add_test(tr, test_force);
	tcase_add_test(tr, test_damaged_store);
	tcase_add_test(tr, test_stray_file_refused);
	tcase_add_test(tr, test_readonly_odd_names_links);
	tcase_add_test(tr, test_swapped_store_file);
	tcase_add_test(tr, test_restored_runs);
	tcase_add_test(tr, test_restored_bad);
	tcase_add_test(tr, test_faults_and_kills);
	suite_add_tcase(s, tr);
	tcase_add_checked_fixture(tw, setup, teardown);
	tcase_set_timeout(tw, 300);
	tcase_add_test(tw, test_wipe_refusals);
	tcase_add_test(tw, test_wipe_unsealed_refused);
	tcase_add_test(tw, test_wipe);
	tcase_add_test(tw, test_wipe_faults_and_kills);
	suite_add_tcase(s, tw);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
