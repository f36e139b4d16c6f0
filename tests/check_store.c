/*
 * check_store.c - the migration store: SHA-256 against the FIPS 180-4
 * examples; manifest escaping; create on a temp tree (hard links: same
 * inode, link count + 1, free space unchanged but for the metadata); copy
 * stores; another filesystem refused; the store never capturing itself;
 * symbolic links refused; odd names round-tripping; resuming after a fault
 * at every step and several counts, and after a kill; hostile manifests
 * refused with file:line; verify finding swapped, truncated and missing
 * files; and memory flat over 100,000 objects.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "common/doc.h"
#include "common/sha256.h"
#include "migrate/store.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char tmpdir[256];
static char vol[300], storep[400];

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	t_tmpdir_make(tmpdir, sizeof(tmpdir), "check_store");
	snprintf(vol, sizeof(vol), "%s/vol", tmpdir);
	snprintf(storep, sizeof(storep), "%s/vol/offmig-store", tmpdir);
	ck_assert_int_eq(mkdir(vol, 0755), 0);
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

/* A test volume: objects in a fixed order. */
struct tobj {
	char	 kind;		/* 'f' file, 'd' empty folder, 'r' registry, 'U' user */
	char	 host[256];
	char	 win[300];
	char	 sid[64];
};

#define MAXOBJ	64
static struct tobj objs[MAXOBJ];
static int nobj;

static void
mkdirs(const char *base, const char *rel)
{
	char path[1024], *p;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	for (p = path + strlen(base) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
}

static void
add_file(const char *base, const char *rel, const char *sid, size_t size)
{
	char path[1024], *q;
	struct tobj *o = &objs[nobj++];
	FILE *fp;
	size_t i;

	ck_assert_int_lt(nobj, MAXOBJ);
	mkdirs(base, rel);
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	for (i = 0; i < size; i++)
		fputc((int)((i * 31 + strlen(rel)) & 0xff), fp);
	fclose(fp);
	o->kind = 'f';
	snprintf(o->host, sizeof(o->host), "%s", rel);
	snprintf(o->win, sizeof(o->win), "C:\\%s", rel);
	for (q = o->win; *q; q++)
		if (*q == '/')
			*q = '\\';
	snprintf(o->sid, sizeof(o->sid), "%s", sid ? sid : "");
}

static void
add_dir(const char *base, const char *rel, const char *sid)
{
	char path[1024];
	struct tobj *o = &objs[nobj++];

	mkdirs(base, rel);
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	o->kind = 'f';		/* store_add finds out it is a folder */
	snprintf(o->host, sizeof(o->host), "%s", rel);
	snprintf(o->win, sizeof(o->win), "C:\\%s", rel);
	snprintf(o->sid, sizeof(o->sid), "%s", sid);
}

static void
add_special(char kind, const char *sid)
{
	struct tobj *o = &objs[nobj++];

	o->kind = kind;
	snprintf(o->sid, sizeof(o->sid), "%s", sid);
	snprintf(o->win, sizeof(o->win), "HKEY_USERS\\%s", sid);
}

#define SID1	"S-1-5-21-1-2-3-1001"
#define SID2	"S-1-5-21-1-2-3-1002"

/* Two users, files in several folders, an empty folder, registry, users. */
static void
make_volume(const char *base)
{
	int i;
	char rel[256];

	nobj = 0;
	for (i = 0; i < 12; i++) {
		snprintf(rel, sizeof(rel), "Users/bob/Documents/%s/doc%02d.txt",
		    i < 6 ? "a" : "b", i);
		add_file(base, rel, SID1, (size_t)(100 + i * 500));
	}
	add_dir(base, "Users/bob/Documents/empty", SID1);
	add_file(base, "Users/bob/Desktop/note.txt", SID1, 10);
	add_special('r', SID1);
	add_special('U', SID1);
	for (i = 0; i < 10; i++) {
		snprintf(rel, sizeof(rel), "Users/amy/Pictures/p%02d.jpg", i);
		add_file(base, rel, SID2, (size_t)(4096 * (i + 1)));
	}
	add_special('r', SID2);
	add_special('U', SID2);
	add_file(base, "ProgramData/App/settings.ini", NULL, 77);
}

static const char regtext[] = "Windows Registry Editor Version 5.00\r\n";

/*
 * Runs a whole create over objs; returns the first error (the store is
 * aborted then) or the result of store_create_end.
 */
static int
run_create(const char *volroot, const char *store, unsigned flags,
    struct offmig_doc **docp)
{
	struct store *s = NULL;
	int vfd, ret, i;

	ck_assert_int_ge(vfd = open(volroot, O_PATH | O_DIRECTORY), 0);
	ret = store_create_begin(ctx, vfd, volroot, store, flags, "PC1",
	    "Windows 10 Pro 19045", &s);
	if (ret != OFFMIG_OK) {
		close(vfd);
		return ret;
	}
	for (i = 0; i < nobj && ret == OFFMIG_OK; i++) {
		struct store_object o;

		memset(&o, 0, sizeof(o));
		o.winpath = objs[i].win;
		o.host_path = objs[i].host;
		o.sid = objs[i].sid[0] ? objs[i].sid : NULL;
		o.folder = "Documents";
		o.rule = "MigUser.xml:12";
		if (objs[i].kind == 'r')
			ret = store_add_registry(s, objs[i].sid, regtext,
			    sizeof(regtext) - 1);
		else if (objs[i].kind == 'U')
			ret = store_user(s, objs[i].sid, "bob",
			    "C:\\Users\\bob", "complete", "");
		else
			ret = store_add(s, &o);
	}
	if (ret != OFFMIG_OK)
		store_abort(s);
	else
		ret = store_create_end(s, docp);
	close(vfd);
	return ret;
}

/* Collects the records of a store. */
struct seen {
	int	 count[MAXOBJ];
	int	 other;
	uint64_t last_seq;
};

static int
find_obj(const struct manifest_record *rec)
{
	int i;

	for (i = 0; i < nobj; i++) {
		if (rec->kind == 'U' && objs[i].kind == 'U' &&
		    strcmp(objs[i].sid, rec->sid) == 0)
			return i;
		if (rec->kind != 'U' && objs[i].kind != 'U' &&
		    strcmp(objs[i].win, rec->winpath) == 0)
			return i;
	}
	return -1;
}

static int
seen_cb(void *arg, const struct manifest_record *rec)
{
	struct seen *s = arg;
	int i = find_obj(rec);

	if (i < 0)
		s->other++;
	else
		s->count[i]++;
	if (rec->kind != 'U') {
		ck_assert_uint_eq(rec->seq, s->last_seq + 1);
		s->last_seq = rec->seq;
	}
	return 0;
}

/*
 * The invariant after every finished create: sealed, every object recorded
 * exactly once, every file in the store the same inode as on the volume
 * (hard-link stores), nothing else recorded, verify clean.
 */
static void
check_complete(const char *volroot, const char *store, int copy)
{
	struct seen s;
	struct offmig_doc *doc = NULL;
	char a[1024], b[1024];
	struct stat sa, sb;
	int sealed = 0, i;

	memset(&s, 0, sizeof(s));
	ck_assert_msg(store_list(ctx, store, seen_cb, &s, &sealed) == OFFMIG_OK,
	    "%s", offmig_errmsg(ctx));
	ck_assert_int_eq(sealed, 1);
	ck_assert_int_eq(s.other, 0);
	for (i = 0; i < nobj; i++) {
		ck_assert_msg(s.count[i] == 1, "%s recorded %d times",
		    objs[i].kind == 'U' ? objs[i].sid : objs[i].win,
		    s.count[i]);
		if (objs[i].kind != 'f')
			continue;
		snprintf(a, sizeof(a), "%s/%s", volroot, objs[i].host);
		snprintf(b, sizeof(b), "%s/files/C/%s", store, objs[i].host);
		ck_assert_int_eq(lstat(a, &sa), 0);
		ck_assert_msg(lstat(b, &sb) == 0, "%s: %s", b, strerror(errno));
		if (S_ISDIR(sa.st_mode)) {
			ck_assert(S_ISDIR(sb.st_mode));
		} else if (!copy) {
			ck_assert_uint_eq(sa.st_ino, sb.st_ino);
			ck_assert_uint_eq(sa.st_nlink, 2);
		} else {
			ck_assert_uint_ne(sa.st_ino, sb.st_ino);
			ck_assert_int_eq(sa.st_size, sb.st_size);
			ck_assert_int_eq(sa.st_mtim.tv_sec, sb.st_mtim.tv_sec);
			ck_assert_int_eq(sa.st_mtim.tv_nsec, sb.st_mtim.tv_nsec);
			ck_assert_uint_eq(sa.st_mode, sb.st_mode);
		}
	}
	ck_assert_msg(store_verify(ctx, store, STORE_VERIFY_HASH, &doc) ==
	    OFFMIG_OK, "%s", offmig_errmsg(ctx));
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "verify.ok")), 1);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "verify.counts.problems")), 0);
	offmig_doc_free(doc);
}

/* SHA-256 */

static void
hash_str(const void *data, size_t len, char hex[65])
{
	unsigned char d[32];
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, d);
	sha256_hex(d, hex);
}

START_TEST(test_sha256_fips_examples)
{
	/* FIPS 180-4 / the NIST example values for SHA-256. */
	char hex[65];
	struct sha256 c;
	unsigned char d[32], *mil;
	size_t i;

	hash_str("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a"
	    "9cb410ff61f20015ad");
	hash_str("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b93"
	    "4ca495991b7852b855");
	hash_str("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    hex);
	ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff21"
	    "67f6ecedd419db06c1");
	/* One million 'a', in one call and in pieces of 997 bytes. */
	ck_assert_ptr_nonnull(mil = malloc(1000000));
	memset(mil, 'a', 1000000);
	hash_str(mil, 1000000, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a49720"
	    "0e046d39ccc7112cd0");
	sha256_init(&c);
	for (i = 0; i < 1000000; i += 997)
		sha256_update(&c, mil + i, 1000000 - i < 997 ? 1000000 - i : 997);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a49720"
	    "0e046d39ccc7112cd0");
	free(mil);
}
END_TEST

/* Escaping */

START_TEST(test_escape_round_trip)
{
	static const char *const names[] = {
		"plain.txt", "tab\there", "new\nline", "100%.txt",
		"bad\xff\xfe utf8", "ctl\x01\x1f\x7f", "caf\xc3\xa9 \xf0\x9f\x98\x80",
		"surrogate\xed\xa0\x80", "trunc\xe2\x82", "%41%"
	};
	size_t i, len;
	char *e, *d;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_ptr_nonnull(e = manifest_escape(names[i],
		    strlen(names[i])));
		ck_assert_ptr_null(strchr(e, '\t'));
		ck_assert_ptr_null(strchr(e, '\n'));
		ck_assert_int_eq(manifest_unescape(e, strlen(e), &d, &len), 0);
		ck_assert_uint_eq(len, strlen(names[i]));
		ck_assert_mem_eq(d, names[i], len);
		free(e);
		free(d);
	}
	e = manifest_escape("a%b\tc\xff\xc3\xa9", 8);
	ck_assert_str_eq(e, "a%25b%09c%FF\xc3\xa9");
	free(e);
	/* Bad escapes and raw bytes that must have been escaped. */
	d = (char *)"untouched";
	ck_assert_int_eq(manifest_unescape("%4", 2, &d, NULL), -1);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(manifest_unescape("%zz", 3, &d, NULL), -1);
	ck_assert_int_eq(manifest_unescape("%4a", 3, &d, NULL), -1);
	ck_assert_int_eq(manifest_unescape("a\tb", 3, &d, NULL), -1);
	ck_assert_int_eq(manifest_unescape("\xff", 1, &d, NULL), -1);
	ck_assert_int_eq(manifest_unescape("%00", 3, &d, &len), 0);
	ck_assert_uint_eq(len, 1);
	free(d);
}
END_TEST

/* Create */

START_TEST(test_create_links_every_object)
{
	struct offmig_doc *doc = NULL;
	const struct offmig_node *r;
	char path[1024];
	struct stat st;

	make_volume(vol);
	ck_assert_msg(run_create(vol, storep, 0, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	r = offmig_node_get(offmig_doc_root(doc), "store_create");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "objects")),
	    nobj - 2);	/* every object but the two user records */
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "failed")), 0);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "resumed")), 0);
	offmig_doc_free(doc);
	check_complete(vol, storep, 0);
	snprintf(path, sizeof(path), "%s/registry/" SID1 ".reg", storep);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, sizeof(regtext) - 1);
	snprintf(path, sizeof(path), "%s/offmig-store.ini", storep);
	ck_assert_int_eq(stat(path, &st), 0);
	/* Nothing left behind by the atomic writes. */
	snprintf(path, sizeof(path), "%s/offmig-store.ini.tmp", storep);
	ck_assert_int_ne(stat(path, &st), 0);
	ck_assert_uint_eq(offmig_ctx_failures(ctx), 0);
}
END_TEST

START_TEST(test_rerun_of_complete_store_changes_nothing)
{
	unsigned char *before, *after;
	size_t lb, la;
	char path[1024];
	struct offmig_doc *doc = NULL;

	make_volume(vol);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_OK);
	snprintf(path, sizeof(path), "%s/manifest", storep);
	before = t_read_file(path, &lb);
	ck_assert_int_eq(run_create(vol, storep, 0, &doc), OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "store_create.complete_before")), 1);
	offmig_doc_free(doc);
	after = t_read_file(path, &la);
	ck_assert_uint_eq(la, lb);
	ck_assert_mem_eq(before, after, la);
	free(before);
	free(after);
	check_complete(vol, storep, 0);
	/* Continuing in the other mode is refused. */
	ck_assert_int_eq(run_create(vol, storep, STORE_COPY, NULL),
	    OFFMIG_EINVAL);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "same mode"));
}
END_TEST

/* Bytes used by the store's own files and folders (not the linked files). */
static uint64_t
metadata_bytes(const char *store)
{
	char cmd[1200];
	FILE *fp;
	unsigned long long kb = 0, files_kb = 0;

	/* du counts a hard-linked inode once per run: run it on the metadata alone. */
	snprintf(cmd, sizeof(cmd), "cd '%s' && du -sk --apparent-size . | "
	    "cut -f1; find files -type d | wc -l", store);
	ck_assert_ptr_nonnull(fp = popen(cmd, "r"));
	ck_assert_int_eq(fscanf(fp, "%llu %llu", &kb, &files_kb), 2);
	pclose(fp);
	(void)kb;
	/* The header, manifest, journal, registry files and each folder. */
	snprintf(cmd, sizeof(cmd), "cd '%s' && du -skc offmig-store.ini "
	    "manifest journal registry | tail -n1 | cut -f1", store);
	ck_assert_ptr_nonnull(fp = popen(cmd, "r"));
	ck_assert_int_eq(fscanf(fp, "%llu", &kb), 1);
	pclose(fp);
	return (kb + files_kb * 4) * 1024;
}

START_TEST(test_free_space_unchanged_but_metadata)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmpdir;
	char root[400], v[450], st[500];
	struct statvfs a, b;
	uint64_t used, meta, data = 0;
	int i, attempt;

	snprintf(root, sizeof(root), "%s/check_store_space.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(root));
	for (attempt = 0; attempt < 3; attempt++) {
		snprintf(v, sizeof(v), "%s/vol%d", root, attempt);
		snprintf(st, sizeof(st), "%s/store", v);
		ck_assert_int_eq(mkdir(v, 0755), 0);
		nobj = 0;
		for (i = 0; i < 40; i++) {
			char rel[64];

			snprintf(rel, sizeof(rel), "Users/u/D%d/f%02d.bin",
			    i % 4, i);
			add_file(v, rel, SID1, 256 * 1024);
			data += 256 * 1024;
		}
		sync();
		ck_assert_int_eq(statvfs(v, &a), 0);
		ck_assert_msg(run_create(v, st, 0, NULL) == OFFMIG_OK, "%s",
		    offmig_errmsg(ctx));
		ck_assert_int_eq(statvfs(v, &b), 0);
		used = a.f_bfree > b.f_bfree ? (a.f_bfree - b.f_bfree) *
		    a.f_frsize : 0;
		meta = metadata_bytes(st);
		fprintf(stderr, "free space: %s: data %" PRIu64 " bytes linked, "
		    "free space down by %" PRIu64 ", store metadata %" PRIu64
		    "\n", base, data, used, meta);
		if (used <= meta + 64 * 1024)
			break;
		/* Another process wrote meanwhile: measure again. */
	}
	ck_assert_msg(used <= meta + 64 * 1024, "free space down by %" PRIu64
	    " with %" PRIu64 " of metadata", used, meta);
	check_complete(v, st, 0);
	t_tmpdir_remove(root);
}
END_TEST

START_TEST(test_copy_store_on_other_media)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmpdir;
	char root[512], st[600];

	snprintf(root, sizeof(root), "%s/check_store_copy.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(st, sizeof(st), "%s/store", root);
	make_volume(vol);
	ck_assert_msg(run_create(vol, st, STORE_COPY, NULL) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	check_complete(vol, st, 1);
	t_tmpdir_remove(root);
}
END_TEST

START_TEST(test_other_filesystem_refused)
{
	struct stat a, b;
	char root[512], st[600];

	if (stat("/dev/shm", &a) != 0 || stat(tmpdir, &b) != 0 ||
	    a.st_dev == b.st_dev)
		T_SKIP("/dev/shm and the temp folder are one filesystem here");
	snprintf(root, sizeof(root), "/dev/shm/check_store_xdev.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(st, sizeof(st), "%s/store", root);
	make_volume(vol);
	ck_assert_int_eq(run_create(vol, st, 0, NULL), OFFMIG_EXDEV);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "another filesystem"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), st));
	/* Nothing was made. */
	ck_assert_int_ne(access(st, F_OK), 0);
	t_tmpdir_remove(root);
}
END_TEST

START_TEST(test_store_never_captures_itself)
{
	struct store *s = NULL;
	struct store_object o;
	int vfd;

	make_volume(vol);
	ck_assert_int_ge(vfd = open(vol, O_PATH | O_DIRECTORY), 0);
	ck_assert_int_eq(store_create_begin(ctx, vfd, vol, storep, 0, "PC",
	    "W10", &s), OFFMIG_OK);
	memset(&o, 0, sizeof(o));
	o.winpath = "C:\\offmig-store\\manifest";
	o.host_path = "offmig-store/manifest";
	ck_assert_int_eq(store_add(s, &o), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "inside the store"));
	o.winpath = "C:\\offmig-store";
	o.host_path = "offmig-store";
	ck_assert_int_eq(store_add(s, &o), OFFMIG_EUNSAFE);
	store_abort(s);
	/* A store inside a profile being captured. */
	snprintf(storep, sizeof(storep), "%s/Users/bob/store", vol);
	ck_assert_int_eq(store_create_begin(ctx, vfd, vol, storep, 0, "PC",
	    "W10", &s), OFFMIG_OK);
	ck_assert_int_eq(store_user(s, SID1, "bob", "C:\\Users\\Bob", "ok",
	    ""), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "inside the profile"));
	o.winpath = "C:\\Users\\bob";
	o.host_path = "Users/bob";
	ck_assert_int_eq(store_add(s, &o), OFFMIG_EUNSAFE);
	store_abort(s);
	/* The store cannot be the volume itself. */
	ck_assert_int_eq(store_create_begin(ctx, vfd, vol, vol, 0, "PC", "W10",
	    &s), OFFMIG_EUNSAFE);
	ck_assert_ptr_null(s);
	/* Nor a folder holding the volume. */
	ck_assert_int_eq(store_create_begin(ctx, vfd, vol, tmpdir, 0, "PC",
	    "W10", &s), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "or contain it"));
	ck_assert_ptr_null(s);
	close(vfd);
}
END_TEST

START_TEST(test_nonempty_folder_is_not_a_store)
{
	char path[1024];

	make_volume(vol);
	ck_assert_int_eq(mkdir(storep, 0700), 0);
	snprintf(path, sizeof(path), "%s/precious.txt", storep);
	t_write_file(path, "x", 1);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "not an offmig store"));
}
END_TEST

static void
log_ignore(void *arg, enum offmig_level level, const char *msg)
{
	int *n = arg;

	if (level == OFFMIG_LOG_ERROR)
		(*n)++;
}

START_TEST(test_symlinks_never_followed)
{
	char path[1024], target[512];
	struct seen s;
	int errors = 0, sealed;

	make_volume(vol);
	/* A link as an object, and a linked folder on an object's way. */
	snprintf(target, sizeof(target), "%s/outside", tmpdir);
	ck_assert_int_eq(mkdir(target, 0755), 0);
	snprintf(path, sizeof(path), "%s/secret", target);
	t_write_file(path, "secret", 6);
	snprintf(path, sizeof(path), "%s/Users/bob/link.txt", vol);
	ck_assert_int_eq(symlink("../../../outside/secret", path), 0);
	snprintf(path, sizeof(path), "%s/Users/bob/Linked", vol);
	ck_assert_int_eq(symlink(target, path), 0);
	snprintf(objs[nobj].host, sizeof(objs[nobj].host), "Users/bob/link.txt");
	snprintf(objs[nobj].win, sizeof(objs[nobj].win),
	    "C:\\Users\\bob\\link.txt");
	objs[nobj++].kind = 'f';
	snprintf(objs[nobj].host, sizeof(objs[nobj].host),
	    "Users/bob/Linked/secret");
	snprintf(objs[nobj].win, sizeof(objs[nobj].win),
	    "C:\\Users\\bob\\Linked\\secret");
	objs[nobj++].kind = 'f';
	offmig_ctx_set_log(ctx, log_ignore, &errors);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_OK);
	ck_assert_int_eq(errors, 2);
	ck_assert_uint_eq(offmig_ctx_failures(ctx), 2);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_list(ctx, storep, seen_cb, &s, &sealed), 0);
	ck_assert_int_eq(s.count[nobj - 1], 0);
	ck_assert_int_eq(s.count[nobj - 2], 0);
	snprintf(path, sizeof(path), "%s/files/C/Users/bob/Linked", storep);
	ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

/* The record of host path rel, for test_link_first. */
struct lf_seen {
	const char	*host;
	int		 found;
	uint64_t	 ino, nlink, size;
};

static int
lf_cb(void *arg, const struct manifest_record *rec)
{
	struct lf_seen *l = arg;

	if (rec->kind == 'f' && strcmp(rec->host_path, l->host) == 0) {
		l->found++;
		l->ino = rec->ino;
		l->nlink = rec->nlink;
		l->size = rec->size;
	}
	return 0;
}

/*
 * Files of a folder already made in the mirror are linked first and the
 * new link stat'ed once: what it is gets recorded; a symbolic link or a
 * FIFO linked that way is unlinked and reported, a missing source too,
 * and nothing of theirs stays in the store.
 */
START_TEST(test_link_first)
{
	static const char *const bad[] = {
		"ProgramData/App/lnk", "ProgramData/App/fifo",
		"ProgramData/App/gone.txt"
	};
	char path[1024];
	struct lf_seen l = { "ProgramData/App/second.ini", 0, 0, 0, 0 };
	struct stat st;
	int errors = 0, sealed;
	size_t i;

	make_volume(vol);
	add_file(vol, "ProgramData/App/second.ini", NULL, 33);
	snprintf(path, sizeof(path), "%s/ProgramData/App/lnk", vol);
	ck_assert_int_eq(symlink("settings.ini", path), 0);
	snprintf(path, sizeof(path), "%s/ProgramData/App/fifo", vol);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tobj *o = &objs[nobj++];

		o->kind = 'f';
		snprintf(o->host, sizeof(o->host), "%s", bad[i]);
		snprintf(o->win, sizeof(o->win), "C:\\%s", bad[i]);
	}
	offmig_ctx_set_log(ctx, log_ignore, &errors);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_OK);
	ck_assert_int_eq(errors, 3);
	ck_assert_uint_eq(offmig_ctx_failures(ctx), 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s/files/C/%s", storep, bad[i]);
		ck_assert_msg(lstat(path, &st) != 0, "%s is in the store",
		    bad[i]);
	}
	ck_assert_int_eq(store_list(ctx, storep, lf_cb, &l, &sealed), 0);
	ck_assert_int_eq(sealed, 1);
	ck_assert_int_eq(l.found, 1);
	snprintf(path, sizeof(path), "%s/ProgramData/App/second.ini", vol);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(l.ino, (uint64_t)st.st_ino);
	ck_assert_uint_eq(l.size, 33);
	ck_assert_uint_eq(l.nlink, 1);		/* before the store's link */
	ck_assert_int_eq(st.st_nlink, 2);
}
END_TEST

START_TEST(test_symlink_planted_in_store_refused)
{
	char path[1024], target[512];

	make_volume(vol);
	/* Interrupt after a few links, then plant a link in the mirror. */
	setenv("OFFMIG_FAULT", "link:3", 1);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_EIO);
	unsetenv("OFFMIG_FAULT");
	snprintf(target, sizeof(target), "%s/elsewhere", tmpdir);
	ck_assert_int_eq(mkdir(target, 0755), 0);
	snprintf(path, sizeof(path), "%s/files/C/Users/amy", storep);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "symbolic link"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "files/C/Users/amy"));
	/* Nothing went through the link. */
	snprintf(path, sizeof(path), "rmdir '%s'", target);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

START_TEST(test_odd_names_round_trip)
{
	static const char *const names[] = {
		"tab\there.txt", "new\nline.txt", "100%.txt", "bad\xff\xfe.bin",
		"ctl\x01\x7f.txt", "caf\xc3\xa9.txt", "%25.txt"
	};
	size_t i;
	struct seen s;
	int sealed;

	nobj = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char rel[256];

		snprintf(rel, sizeof(rel), "Users/bob/odd/%s", names[i]);
		add_file(vol, rel, SID1, 5 + i);
	}
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_OK);
	check_complete(vol, storep, 0);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_list(ctx, storep, seen_cb, &s, &sealed), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ck_assert_int_eq(s.count[i], 1);
}
END_TEST

START_TEST(test_object_given_twice_is_recorded_once)
{
	int warnings = 0;

	make_volume(vol);
	objs[nobj++] = objs[3];		/* a file given twice */
	objs[nobj++] = objs[12];	/* the empty folder given twice */
	offmig_ctx_set_log(ctx, log_ignore, &warnings);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_OK);
	ck_assert_uint_eq(offmig_ctx_failures(ctx), 0);
	nobj -= 2;
	check_complete(vol, storep, 0);
}
END_TEST

/* Resume */

static void
faulted_then_finished(const char *step, int n, int kill, int *triggered)
{
	int ret;

	t_tmpdir_remove(vol);
	ck_assert_int_eq(mkdir(vol, 0755), 0);
	make_volume(vol);
	store_fault_reset();
	setenv("OFFMIG_FAULT", step, 1);
	{
		char spec[64];

		snprintf(spec, sizeof(spec), "%s:%d", step, n);
		setenv("OFFMIG_FAULT", spec, 1);
	}
	if (kill) {
		pid_t pid = fork();
		int status;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			setenv("OFFMIG_FAULT_KILL", "1", 1);
			_exit(run_create(vol, storep, 0, NULL) == OFFMIG_OK ?
			    0 : 1);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ck_assert_msg(WEXITSTATUS(status) == 99 ||
		    WEXITSTATUS(status) == 0, "%s:%d: child exit %d", step, n,
		    WEXITSTATUS(status));
		if (WEXITSTATUS(status) == 99)
			(*triggered)++;
	} else {
		ret = run_create(vol, storep, 0, NULL);
		if (ret != OFFMIG_OK) {
			(*triggered)++;
			ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
			    "injected fault"));
		}
	}
	unsetenv("OFFMIG_FAULT");
	/* The rerun finishes the job. */
	ret = run_create(vol, storep, 0, NULL);
	ck_assert_msg(ret == OFFMIG_OK, "%s:%d%s: rerun: %s", step, n,
	    kill ? " (killed)" : "", offmig_errmsg(ctx));
	check_complete(vol, storep, 0);
}

START_TEST(test_resume_after_faults)
{
	static const char *const steps[] = { "link", "record", "fsync",
	    "rename", "mkdir" };
	static const int counts[] = { 1, 2, 3, 7, 13, 25 };
	size_t i, j;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int triggered = 0;

		for (j = 0; j < sizeof(counts) / sizeof(counts[0]); j++)
			faulted_then_finished(steps[i], counts[j], 0,
			    &triggered);
		ck_assert_msg(triggered >= 2, "%s: only %d faults happened",
		    steps[i], triggered);
	}
}
END_TEST

START_TEST(test_resume_after_kill)
{
	static const char *const steps[] = { "link", "record", "fsync",
	    "rename", "mkdir" };
	static const int counts[] = { 1, 2, 3, 9, 20 };
	size_t i, j;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int triggered = 0;

		for (j = 0; j < sizeof(counts) / sizeof(counts[0]); j++)
			faulted_then_finished(steps[i], counts[j], 1,
			    &triggered);
		ck_assert_msg(triggered >= 2, "%s: only %d kills happened",
		    steps[i], triggered);
	}
}
END_TEST

START_TEST(test_resume_twice_and_torn_line)
{
	char path[1024];
	int fd;

	make_volume(vol);
	setenv("OFFMIG_FAULT", "link:5", 1);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_EIO);
	/* A second interruption while catching up, then a torn write. */
	store_fault_reset();
	setenv("OFFMIG_FAULT", "link:8", 1);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_EIO);
	unsetenv("OFFMIG_FAULT");
	snprintf(path, sizeof(path), "%s/manifest", storep);
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_APPEND), 0);
	ck_assert_int_eq(write(fd, "O\t99\tf\tC:\\half", 14), 14);
	close(fd);
	ck_assert_msg(run_create(vol, storep, 0, NULL) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	check_complete(vol, storep, 0);
}
END_TEST

START_TEST(test_copy_store_resumes)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmpdir;
	char root[512], st[600];
	static const char *const faults[] = { "link:4", "rename:6", "fsync:9",
	    "record:3" };
	size_t i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		snprintf(root, sizeof(root), "%s/check_store_copy.XXXXXX",
		    base);
		ck_assert_ptr_nonnull(mkdtemp(root));
		snprintf(st, sizeof(st), "%s/store", root);
		t_tmpdir_remove(vol);
		ck_assert_int_eq(mkdir(vol, 0755), 0);
		make_volume(vol);
		store_fault_reset();
		setenv("OFFMIG_FAULT", faults[i], 1);
		ck_assert_int_eq(run_create(vol, st, STORE_COPY, NULL),
		    OFFMIG_EIO);
		unsetenv("OFFMIG_FAULT");
		ck_assert_msg(run_create(vol, st, STORE_COPY, NULL) ==
		    OFFMIG_OK, "%s: %s", faults[i], offmig_errmsg(ctx));
		check_complete(vol, st, 1);
		t_tmpdir_remove(root);
	}
}
END_TEST

/* Hostile manifests */

static const char store_id[] = "0123456789abcdef0123456789abcdef";

/* A store folder with a valid header and the given manifest text. */
static void
write_store(const char *manifest, size_t len)
{
	char path[1024], hdr[1200];

	mkdir(storep, 0700);
	snprintf(hdr, sizeof(hdr), "format=1\nid=%s\ncreated=x\nvolume=%s\n"
	    "volume_dev=1\nmode=hardlink\n", store_id, vol);
	snprintf(path, sizeof(path), "%s/offmig-store.ini", storep);
	t_write_file(path, hdr, strlen(hdr));
	snprintf(path, sizeof(path), "%s/manifest", storep);
	t_write_file(path, manifest, len);
}

/* Header line + body + a correct seal for it (unless seal == 0). */
static char *
manifest_text(const char *body, int seal, uint64_t objects, uint64_t bytes)
{
	char hex[65], *text;

	text = str_printf("offmig-manifest\t1\tid=%s\n%s", store_id, body);
	ck_assert_ptr_nonnull(text);
	if (seal) {
		char *t;

		hash_str(text, strlen(text), hex);
		t = str_printf("%sS\tobjects=%" PRIu64 "\tbytes=%" PRIu64
		    "\tsha256=%s\n", text, objects, bytes, hex);
		free(text);
		text = t;
	}
	return text;
}

#define REC(seq, host, store) \
	"O\t" seq "\tf\tC:\\x\t" host "\t" store "\t\t\t\t\t5\t0\t1\t1\t100644\t\n"

static int
count_cb(void *arg, const struct manifest_record *rec)
{
	(*(int *)arg)++;
	return 0;
}

static void
expect_rejected(const char *text, size_t len, const char *line,
    const char *what)
{
	char want[64];
	int n = 0, sealed = 0, ret;

	write_store(text, len);
	ret = store_list(ctx, storep, count_cb, &n, &sealed);
	ck_assert_msg(ret == OFFMIG_ECORRUPT, "accepted (%d), expected '%s'",
	    ret, what);
	snprintf(want, sizeof(want), "manifest:%s: ", line);
	ck_assert_msg(strstr(offmig_errmsg(ctx), want) != NULL &&
	    strstr(offmig_errmsg(ctx), what) != NULL, "message '%s', expected "
	    "'%s' and '%s'", offmig_errmsg(ctx), want, what);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), storep));
}

START_TEST(test_hostile_manifests_rejected)
{
	char *t, *big;
	size_t n;

	t = manifest_text(REC("1", "Users/a", "files/C/Users/a"), 1, 1, 5);
	write_store(t, strlen(t));
	{
		int c = 0, sealed = 0;

		ck_assert_int_eq(store_list(ctx, storep, count_cb, &c, &sealed),
		    OFFMIG_OK);
		ck_assert_int_eq(c, 1);
		ck_assert_int_eq(sealed, 1);
	}
	free(t);
	t = manifest_text(REC("1", "/etc/passwd", "files/C/x"), 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "absolute");
	free(t);
	t = manifest_text(REC("1", "Users/../../etc", "files/C/x"), 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "'..'");
	free(t);
	t = manifest_text(REC("1", "Users/a", "files/C/../../../etc/passwd"),
	    1, 1, 5);
	expect_rejected(t, strlen(t), "2", "'..'");
	free(t);
	t = manifest_text(REC("1", "Users/a", "/etc/passwd"), 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "absolute");
	free(t);
	t = manifest_text(REC("1", "Users/a", "elsewhere/a"), 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "not under files/");
	free(t);
	t = manifest_text(REC("1", "Users//a", "files/C/a"), 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "empty path component");
	free(t);
	t = manifest_text(REC("1", "Users/a%G1", "files/C/a"), 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "bad escape");
	free(t);
	t = manifest_text(REC("1", "Users/a%2", "files/C/a"), 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "bad escape");
	free(t);
	t = manifest_text(REC("1", "Users/a%00b", "files/C/a"), 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "NUL");
	free(t);
	t = manifest_text(REC("1", "a", "files/C/a") REC("3", "b", "files/C/b"),
	    1, 2, 10);
	expect_rejected(t, strlen(t), "3", "out of order");
	free(t);
	t = manifest_text(REC("1", "a", "files/C/a") REC("1", "b", "files/C/b"),
	    1, 2, 10);
	expect_rejected(t, strlen(t), "3", "out of order");
	free(t);
	/* Truncated in the middle of a line. */
	t = manifest_text(REC("1", "a", "files/C/a") REC("2", "b", "files/C/b"),
	    0, 0, 0);
	expect_rejected(t, strlen(t) - 7, "3", "truncated");
	free(t);
	/* Seal mismatch: a record changed after sealing, wrong counts. */
	t = manifest_text(REC("1", "a", "files/C/a"), 1, 1, 5);
	t[strlen("offmig-manifest\t1\tid=") + 32 + 1 + 11] = 'y';
	expect_rejected(t, strlen(t), "3", "seal mismatch");
	free(t);
	t = manifest_text(REC("1", "a", "files/C/a"), 1, 2, 5);
	expect_rejected(t, strlen(t), "3", "seal mismatch");
	free(t);
	t = manifest_text(REC("1", "a", "files/C/a"), 1, 1, 5);
	n = strlen(t);
	big = str_printf("%s%s", t, REC("2", "b", "files/C/b"));
	expect_rejected(big, strlen(big), "4", "after the seal");
	free(big);
	free(t);
	/* Over-long line. */
	ck_assert_ptr_nonnull(big = malloc(80000));
	n = (size_t)snprintf(big, 80000, "offmig-manifest\t1\tid=%s\nO\t1\tf\t",
	    store_id);
	memset(big + n, 'a', 70000);
	big[n + 70000] = '\n';
	expect_rejected(big, n + 70001, "2", "longer than 65536");
	/* The same without any newline at all. */
	expect_rejected(big, n + 70000, "2", "longer than 65536");
	free(big);
	/* NUL bytes. */
	t = manifest_text(REC("1", "a", "files/C/a"), 0, 0, 0);
	t[strlen(t) - 4] = '\0';
	expect_rejected(t, strlen(t) + 4, "2", "NUL");
	free(t);
	/* Bad version, bad kinds, bad numbers. */
	t = str_printf("offmig-manifest\t2\tid=%s\n", store_id);
	expect_rejected(t, strlen(t), "1", "version");
	free(t);
	t = manifest_text("O\t1\tz\tC:\\a\ta\tfiles/C/a\t\t\t\t\t5\t0\t1\t1\t100644"
	    "\t\n", 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "bad kind");
	free(t);
	t = manifest_text("O\t1\tf\tC:\\a\ta\tfiles/C/a\t\t\t\t\t99999999999999"
	    "999999999\t0\t1\t1\t100644\t\n", 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "bad size");
	free(t);
	t = manifest_text("O\t1\tf\tC:\\a\ta\tfiles/C/a\t\t\t\t\t5\t0\t1\t1\t100"
	    "644\n", 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "16 fields");
	free(t);
	t = manifest_text("X\t1\n", 1, 0, 0);
	expect_rejected(t, strlen(t), "2", "unknown record");
	free(t);
	t = manifest_text("O\t1\tf\tC:\\..\\a\ta\tfiles/C/a\t\t\t\t\t5\t0\t1\t1"
	    "\t100644\t\n", 1, 1, 5);
	expect_rejected(t, strlen(t), "2", "'..'");
	free(t);
	write_store("", 0);
	{
		int c = 0;

		ck_assert_int_eq(store_list(ctx, storep, count_cb, &c, NULL),
		    OFFMIG_ECORRUPT);
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "manifest:1: "
		    "empty"));
	}
	/* An unsealed manifest is incomplete, not an error. */
	t = manifest_text(REC("1", "a", "files/C/a"), 0, 0, 0);
	write_store(t, strlen(t));
	{
		int c = 0, sealed = 1;

		ck_assert_int_eq(store_list(ctx, storep, count_cb, &c, &sealed),
		    OFFMIG_OK);
		ck_assert_int_eq(sealed, 0);
		ck_assert_int_eq(c, 1);
	}
	free(t);
}
END_TEST

/* Verify */

static const struct offmig_node *
vnode(struct offmig_doc *doc, const char *path)
{
	const struct offmig_node *n = offmig_node_get(offmig_doc_root(doc),
	    path);

	ck_assert_msg(n != NULL, "no %s in the report", path);
	return n;
}

START_TEST(test_verify_finds_swapped_truncated_missing)
{
	struct offmig_doc *doc = NULL;
	char path[1024], other[1024];
	const struct offmig_node *probs;
	struct stat st;
	struct timespec ts[2];
	int errors = 0;
	size_t i;

	make_volume(vol);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_OK);
	/* Swapped: another file, same size and mtime, at the same place. */
	snprintf(path, sizeof(path), "%s/files/C/%s", storep, objs[1].host);
	ck_assert_int_eq(stat(path, &st), 0);
	snprintf(other, sizeof(other), "%s/swap", tmpdir);
	{
		unsigned char *d;
		size_t len;

		d = t_read_file(path, &len);
		d[0] ^= 1;
		t_write_file(other, d, len);
		free(d);
	}
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, other, ts, 0), 0);
	ck_assert_int_eq(rename(other, path), 0);
	/* Truncated (the volume's file too: one inode). */
	snprintf(path, sizeof(path), "%s/files/C/%s", storep, objs[3].host);
	ck_assert_int_eq(truncate(path, 3), 0);
	/* Missing. */
	snprintf(path, sizeof(path), "%s/files/C/%s", storep, objs[5].host);
	ck_assert_int_eq(unlink(path), 0);
	offmig_ctx_set_log(ctx, log_ignore, &errors);
	ck_assert_int_eq(store_verify(ctx, storep, 0, &doc), OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.complete")), 1);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.ok")), 0);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.counts.missing")),
	    1);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.counts.changed")),
	    2);
	probs = vnode(doc, "verify.problems");
	ck_assert_uint_eq(offmig_node_len(probs), 3);
	for (i = 0; i < 3; i++) {
		const struct offmig_node *p = offmig_node_at(probs, i);
		const char *w = offmig_node_get_str(p, "winpath");
		const char *what = offmig_node_get_str(p, "problem");

		if (strcmp(w, objs[1].win) == 0)
			ck_assert_ptr_nonnull(strstr(offmig_node_get_str(p,
			    "detail"), "another file"));
		else if (strcmp(w, objs[3].win) == 0)
			ck_assert_ptr_nonnull(strstr(offmig_node_get_str(p,
			    "detail"), "size 3"));
		else {
			ck_assert_str_eq(w, objs[5].win);
			ck_assert_str_eq(what, "missing");
		}
	}
	ck_assert_int_eq(errors, 3);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_verify_refuses_links_in_the_store)
{
	struct offmig_doc *doc = NULL;
	char path[1024], moved[1024];
	int errors = 0;

	make_volume(vol);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_OK);
	/* amy's folder in the mirror replaced by a link to a look-alike. */
	snprintf(path, sizeof(path), "%s/files/C/Users/amy", storep);
	snprintf(moved, sizeof(moved), "%s/amy-elsewhere", tmpdir);
	ck_assert_int_eq(rename(path, moved), 0);
	ck_assert_int_eq(symlink(moved, path), 0);
	offmig_ctx_set_log(ctx, log_ignore, &errors);
	ck_assert_int_eq(store_verify(ctx, storep, STORE_VERIFY_HASH, &doc),
	    OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.ok")), 0);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.counts.unsafe")),
	    10);
	ck_assert_int_eq(errors, 10);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_verify_hash_compares_contents)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmpdir;
	struct offmig_doc *doc = NULL;
	char root[512], st[600], path[1024];
	struct stat sb;
	struct timespec ts[2];
	int errors = 0, fd;

	snprintf(root, sizeof(root), "%s/check_store_hash.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(st, sizeof(st), "%s/store", root);
	make_volume(vol);
	ck_assert_int_eq(run_create(vol, st, STORE_COPY, NULL), OFFMIG_OK);
	/* The volume's file changes, same size and mtime: only --hash sees it. */
	snprintf(path, sizeof(path), "%s/%s", vol, objs[2].host);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_ge(fd = open(path, O_WRONLY), 0);
	ck_assert_int_eq(pwrite(fd, "Z", 1, 0), 1);
	close(fd);
	ts[0] = sb.st_atim;
	ts[1] = sb.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	offmig_ctx_set_log(ctx, log_ignore, &errors);
	ck_assert_int_eq(store_verify(ctx, st, 0, &doc), OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.ok")), 1);
	offmig_doc_free(doc);
	ck_assert_int_eq(store_verify(ctx, st, STORE_VERIFY_HASH, &doc),
	    OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.ok")), 0);
	ck_assert_int_eq(offmig_node_int(vnode(doc,
	    "verify.counts.content_differs")), 1);
	offmig_doc_free(doc);
	/* A file gone from the volume is not a problem of the store. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(store_verify(ctx, st, STORE_VERIFY_HASH, &doc),
	    OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.ok")), 1);
	ck_assert_int_eq(offmig_node_int(vnode(doc,
	    "verify.counts.source_missing")), 1);
	offmig_doc_free(doc);
	t_tmpdir_remove(root);
}
END_TEST

START_TEST(test_verify_incomplete_store)
{
	struct offmig_doc *doc = NULL;
	int errors = 0;

	make_volume(vol);
	setenv("OFFMIG_FAULT", "link:10", 1);
	ck_assert_int_eq(run_create(vol, storep, 0, NULL), OFFMIG_EIO);
	unsetenv("OFFMIG_FAULT");
	offmig_ctx_set_log(ctx, log_ignore, &errors);
	ck_assert_int_eq(store_verify(ctx, storep, 0, &doc), OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.complete")), 0);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.ok")), 0);
	ck_assert_int_eq(errors, 1);
	offmig_doc_free(doc);
}
END_TEST

/* The public wrappers. */

struct iter {
	int	 i;
};

static int
iter_next(void *arg, struct offmig_store_item *item)
{
	struct iter *it = arg;
	struct tobj *o;

	if (it->i >= nobj)
		return 0;
	o = &objs[it->i++];
	item->kind = o->kind;
	item->winpath = o->win;
	item->host_path = o->host;
	item->sid = o->sid[0] ? o->sid : NULL;
	item->data = regtext;
	item->len = sizeof(regtext) - 1;
	item->user = "bob";
	item->profile_path = "C:\\Users\\bob";
	item->status = "complete";
	return 1;
}

static int
pub_list_cb(void *arg, const struct offmig_store_record *rec)
{
	int *n = arg;

	ck_assert_ptr_nonnull(rec->winpath);
	(*n)++;
	return 0;
}

START_TEST(test_public_api)
{
	struct offmig_doc *doc = NULL;
	struct iter it = { 0 };
	int n = 0, complete = 0;

	make_volume(vol);
	ck_assert_msg(offmig_store_create(ctx, vol, storep, 0, "PC", "W10",
	    iter_next, &it, &doc) == OFFMIG_OK, "%s", offmig_errmsg(ctx));
	offmig_doc_free(doc);
	check_complete(vol, storep, 0);
	ck_assert_int_eq(offmig_store_list(ctx, storep, pub_list_cb, &n,
	    &complete), OFFMIG_OK);
	ck_assert_int_eq(n, nobj);
	ck_assert_int_eq(complete, 1);
	ck_assert_int_eq(offmig_store_verify(ctx, storep,
	    OFFMIG_STORE_VERIFY_HASH, &doc), OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.ok")), 1);
	offmig_doc_free(doc);
	ck_assert_int_eq(offmig_store_verify(ctx, tmpdir, 0, &doc),
	    OFFMIG_ENOTFOUND);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "not an offmig store"));
}
END_TEST

/* Memory */

START_TEST(test_memory_flat_100k_objects)
{
	struct rusage ru;
	struct store *s = NULL;
	struct store_object o;
	char rel[128], win[160], path[1024];
	int vfd, d, f, fd;
	long before;

	/* 100 folders of 1,000 empty files. */
	for (d = 0; d < 100; d++) {
		snprintf(path, sizeof(path), "%s/Users/u/D%03d", vol, d);
		mkdirs(vol, "Users/u/x");
		ck_assert_int_eq(mkdir(path, 0755), 0);
		for (f = 0; f < 1000; f++) {
			snprintf(path, sizeof(path), "%s/Users/u/D%03d/file-%04d"
			    ".txt", vol, d, f);
			ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT,
			    0644), 0);
			close(fd);
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	before = ru.ru_maxrss;
	ck_assert_int_ge(vfd = open(vol, O_PATH | O_DIRECTORY), 0);
	ck_assert_int_eq(store_create_begin(ctx, vfd, vol, storep, 0, "PC",
	    "W10", &s), OFFMIG_OK);
	memset(&o, 0, sizeof(o));
	o.winpath = win;
	o.host_path = rel;
	o.sid = SID1;
	for (d = 0; d < 100; d++)
		for (f = 0; f < 1000; f++) {
			snprintf(rel, sizeof(rel), "Users/u/D%03d/file-%04d.txt",
			    d, f);
			snprintf(win, sizeof(win), "C:\\Users\\u\\D%03d\\file-"
			    "%04d.txt", d, f);
			ck_assert_int_eq(store_add(s, &o), OFFMIG_OK);
		}
	ck_assert_int_eq(store_create_end(s, NULL), OFFMIG_OK);
	close(vfd);
	{
		struct offmig_doc *doc = NULL;

		ck_assert_int_eq(store_verify(ctx, storep, 0, &doc), OFFMIG_OK);
		ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.objects")),
		    100000);
		ck_assert_int_eq(offmig_node_int(vnode(doc, "verify.ok")), 1);
		offmig_doc_free(doc);
	}
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "memory: peak RSS %ld KiB before create, %ld KiB after "
	    "create and verify of 100,000 objects\n", before, ru.ru_maxrss);
	ck_assert_int_lt(ru.ru_maxrss, 64 * 1024);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc;

	tc = tcase_create("sha256");
	tcase_add_test(tc, test_sha256_fips_examples);
	suite_add_tcase(s, tc);

	tc = tcase_create("escape");
	tcase_add_test(tc, test_escape_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("create");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_create_links_every_object);
	tcase_add_test(tc, test_rerun_of_complete_store_changes_nothing);
	tcase_add_test(tc, test_free_space_unchanged_but_metadata);
	tcase_add_test(tc, test_copy_store_on_other_media);
	tcase_add_test(tc, test_other_filesystem_refused);
	tcase_add_test(tc, test_store_never_captures_itself);
	tcase_add_test(tc, test_nonempty_folder_is_not_a_store);
	tcase_add_test(tc, test_symlinks_never_followed);
	tcase_add_test(tc, test_link_first);
	tcase_add_test(tc, test_symlink_planted_in_store_refused);
	tcase_add_test(tc, test_odd_names_round_trip);
	tcase_add_test(tc, test_object_given_twice_is_recorded_once);
	tcase_add_test(tc, test_public_api);
	suite_add_tcase(s, tc);

	tc = tcase_create("resume");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_resume_after_faults);
	tcase_add_test(tc, test_resume_after_kill);
	tcase_add_test(tc, test_resume_twice_and_torn_line);
	tcase_add_test(tc, test_copy_store_resumes);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hostile_manifests_rejected);
	suite_add_tcase(s, tc);

	tc = tcase_create("verify");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_verify_finds_swapped_truncated_missing);
	tcase_add_test(tc, test_verify_hash_compares_contents);
	tcase_add_test(tc, test_verify_refuses_links_in_the_store);
	tcase_add_test(tc, test_verify_incomplete_store);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_memory_flat_100k_objects);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
