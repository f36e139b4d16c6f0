/*
 * check_writer.c - the safe hive writer: what it writes reads back, the
 * base block is right (sequence numbers, time, checksum with its fix-ups),
 * the backup is the original, hives with applying logs and writes hivex
 * would get wrong are refused, non-ASCII key names get Windows' hash and
 * order, and a commit stopped after any step leaves the old hive or the
 * new one, never a torn one.
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
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/writer.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char tmpdir[256];
static int dfd = -1;

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	t_tmpdir_make(tmpdir, sizeof(tmpdir), "check_writer");
	ck_assert_int_ge(dfd = open(tmpdir, O_RDONLY | O_DIRECTORY), 0);
	hive_writer_set_fault(0);
}

static void
teardown(void)
{
	char cmd[512];

	hive_writer_set_fault(0);
	close(dfd);
	offmig_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static char *
tpath(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
	return buf;
}

/* Non-zero when the file at path holds exactly len bytes of data. */
static int
file_equals(const char *path, const void *data, size_t len)
{
	unsigned char *buf;
	size_t n;
	int same;

	buf = t_read_file(path, &n);
	same = n == len && memcmp(buf, data, len) == 0;
	free(buf);
	return same;
}

/* Number of ".offmig-tmp-" files left in the test directory. */
static int
temp_files(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	ck_assert_ptr_nonnull(d = opendir(tmpdir));
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".offmig-tmp-") != NULL)
			n++;
	closedir(d);
	return n;
}

/*
 * A fresh hive named name with the given minor version and sequence
 * numbers seq/seq (the writer refuses nothing about it).
 */
static void
make_hive(const char *name, uint32_t minor, uint32_t seq)
{
	char p[512];
	unsigned char *buf;
	size_t len;

	ck_assert_int_eq(hive_create_empty(ctx, tpath(p, sizeof(p), name),
	    "ROOT"), OFFMIG_OK);
	buf = t_read_file(p, &len);
	put_le32(buf + 0x18, minor);
	regf_set_sequences(buf, seq, seq);
	t_write_file(p, buf, len);
	free(buf);
}

/* Opens the hive for writing in the test directory; fails the test else. */
static struct hive_builder *
wopen(const char *name, unsigned flags)
{
	struct hive_builder *b;

	ck_assert_msg(hive_writer_open(ctx, dfd, tmpdir, name, flags, &b) ==
	    OFFMIG_OK, "%s", offmig_errmsg(ctx));
	return b;
}

static void
set_sz(struct hive_builder *b, hnode k, const char *name, const char *s)
{
	size_t n;
	void *u16 = utf8_to_utf16le(s, strlen(s) + 1, &n);
	struct hive_value v = { name, REG_SZ, u16, n };

	ck_assert_ptr_nonnull(u16);
	ck_assert_msg(hive_builder_set(b, k, &v, 1) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	free(u16);
}

/* Reads Software\Offmig's "Greeting" back, or fails. */
static void
expect_greeting(const char *path, const char *want)
{
	struct hive *h;
	char *s;
	hnode k;

	ck_assert_msg(hive_open_path(ctx, path, &h) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "software\\OFFMIG", &k),
	    OFFMIG_OK);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "greeting", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, want);
	free(s);
	hive_close(h);
}

START_TEST(test_write_read_back)
{
	char p[512], bp[512], *bak = NULL, *s;
	unsigned char *orig, *now, blob[5000];
	size_t olen, nlen, i;
	struct hive_builder *b;
	struct hive *h;
	struct stat st;
	uint32_t dw;
	uint64_t ft_before;
	void *raw;
	size_t rlen;
	uint32_t type;
	hnode k;

	make_hive("NTUSER.DAT", 5, 41);
	tpath(p, sizeof(p), "NTUSER.DAT");
	ck_assert_int_eq(chmod(p, 0640), 0);
	orig = t_read_file(p, &olen);
	ft_before = le64(orig + 0x0C);

	b = wopen("NTUSER.DAT", 0);
	ck_assert_int_eq(hive_builder_key(b, "Software\\Offmig", &k),
	    OFFMIG_OK);
	set_sz(b, k, "Greeting", "hello, world");
	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)(i * 7);
	{
		struct hive_value v[2] = {
			{ "Count", REG_DWORD, "\x2a\0\0\0", 4 },
			{ "Blob", REG_BINARY, blob, sizeof(blob) }
		};

		ck_assert_int_eq(hive_builder_set(b, k, v, 2), OFFMIG_OK);
	}
	ck_assert_msg(hive_writer_commit(b, &bak) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_str_eq(bak, "NTUSER.DAT.offmig-bak");
	free(bak);

	/* The backup is the original, byte for byte. */
	ck_assert(file_equals(tpath(bp, sizeof(bp), "NTUSER.DAT.offmig-bak"),
	    orig, olen));
	ck_assert_int_eq(temp_files(), 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);

	/* Base block: clean, checksum right, seq + 1, time now. */
	now = t_read_file(p, &nlen);
	ck_assert_uint_eq(le32(now + 0x04), 42);
	ck_assert_uint_eq(le32(now + 0x08), 42);
	ck_assert_uint_eq(le32(now + 0x1FC), regf_checksum(now));
	ck_assert_uint_gt(le64(now + 0x0C), ft_before);
	ck_assert_int_le(llabs((long long)filetime_to_unix(le64(now + 0x0C)) -
	    (long long)time(NULL)), 60);
	ck_assert_uint_eq(le64(now + 0x1000 + 20), le64(now + 0x0C));
	ck_assert_uint_eq(le32(now + 0x28), nlen - 4096);
	free(now);

	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert(!hive_info(h)->dirty);
	ck_assert(hive_info(h)->checksum_ok);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "Software\\Offmig", &k),
	    OFFMIG_OK);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Greeting", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "hello, world");
	free(s);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "Count", &dw), OFFMIG_OK);
	ck_assert_uint_eq(dw, 42);
	ck_assert_int_eq(hive_get_raw(ctx, h, k, "Blob", &type, &raw, &rlen),
	    OFFMIG_OK);
	ck_assert_uint_eq(type, REG_BINARY);
	ck_assert_uint_eq(rlen, sizeof(blob));
	ck_assert_int_eq(memcmp(raw, blob, sizeof(blob)), 0);
	free(raw);
	hive_close(h);

	/* A second write keeps the first backup and makes another. */
	b = wopen("NTUSER.DAT", 0);
	ck_assert_int_eq(hive_builder_key(b, "Software\\Offmig", &k),
	    OFFMIG_OK);
	set_sz(b, k, "Greeting", "again");
	ck_assert_int_eq(hive_writer_commit(b, &bak), OFFMIG_OK);
	ck_assert_str_eq(bak, "NTUSER.DAT.offmig-bak.1");
	free(bak);
	ck_assert(file_equals(bp, orig, olen));
	expect_greeting(tpath(bp, sizeof(bp), "NTUSER.DAT.offmig-bak.1"),
	    "hello, world");
	expect_greeting(p, "again");
	free(orig);
}
END_TEST

/*
 * Makes the hive's final XOR come out as target: commits once in fixture
 * mode (which keeps the time, so the result is reproducible), then sets a
 * reserved dword of the original so that the same commit XORs to target.
 */
static void
commit_with_xor(uint32_t target, uint32_t want_stored)
{
	char p[512], q[512];
	unsigned char *buf;
	size_t len;
	uint32_t x = 0;
	struct hive_builder *b;
	struct hive *h;
	hnode k;
	int i, pass;

	make_hive("orig.hiv", 5, 3);
	for (pass = 0; pass < 2; pass++) {
		buf = t_read_file(tpath(p, sizeof(p), "orig.hiv"), &len);
		t_write_file(tpath(q, sizeof(q), "w.hiv"), buf, len);
		free(buf);
		ck_assert_int_eq(hive_builder_open(ctx, q, &b), OFFMIG_OK);
		ck_assert_int_eq(hive_builder_key(b, "Key", &k), OFFMIG_OK);
		ck_assert_msg(hive_builder_commit(b) == OFFMIG_OK, "%s",
		    offmig_errmsg(ctx));
		buf = t_read_file(q, &len);
		for (x = 0, i = 0; i < 127; i++)
			x ^= le32(buf + 4 * i);
		free(buf);
		if (pass == 1)
			break;
		buf = t_read_file(p, &len);
		put_le32(buf + 0x100, le32(buf + 0x100) ^ x ^ target);
		put_le32(buf + 0x1FC, regf_checksum(buf));
		t_write_file(p, buf, len);
		free(buf);
	}
	ck_assert_uint_eq(x, target);
	buf = t_read_file(q, &len);
	ck_assert_uint_eq(le32(buf + 0x1FC), want_stored);
	free(buf);
	ck_assert_msg(hive_open_path(ctx, q, &h) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert(hive_info(h)->checksum_ok);
	ck_assert(!hive_info(h)->dirty);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "KEY", &k), OFFMIG_OK);
	hive_close(h);
}

START_TEST(test_checksum_fixup_zero)
{
	commit_with_xor(0, 1);
}
END_TEST

START_TEST(test_checksum_fixup_ones)
{
	commit_with_xor(0xFFFFFFFF, 0xFFFFFFFE);
}
END_TEST

/* Opening must fail with code err and a message holding what. */
static void
expect_refusal(const char *name, int err, const char *what)
{
	struct hive_builder *b = NULL;
	int ret = hive_writer_open(ctx, dfd, tmpdir, name, 0, &b);

	ck_assert_msg(ret == err, "%s: got %d (%s)", name, ret,
	    offmig_errmsg(ctx));
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(offmig_errmsg(ctx), what) != NULL, "%s",
	    offmig_errmsg(ctx));
}

START_TEST(test_refuse_dirty)
{
	char p[512];
	unsigned char *before;
	size_t len;

	make_hive("NTUSER.DAT", 5, 1);
	tpath(p, sizeof(p), "NTUSER.DAT");
	ck_assert_int_eq(hive_file_set_sequences(ctx, p, 5, 4), OFFMIG_OK);
	before = t_read_file(p, &len);
	expect_refusal("NTUSER.DAT", OFFMIG_EUNSAFE,
	    "NTUSER.DAT is dirty (sequence numbers differ): its logs would "
	    "apply; run offmig hive recover/clean first");
	ck_assert(file_equals(p, before, len));
	free(before);
}
END_TEST

/*
 * A minimal new-format log: base block of file type 6 with sequence
 * numbers seq, checksum right (or wrong), then one HvLE entry header.
 */
static void
make_log(const char *name, uint32_t seq, int good_sum, int entry)
{
	unsigned char buf[1024];
	char p[512];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, "regf", 4);
	put_le32(buf + 0x04, seq);
	put_le32(buf + 0x08, seq);
	put_le32(buf + 0x14, 1);
	put_le32(buf + 0x18, 5);
	put_le32(buf + 0x1C, 6);
	put_le32(buf + 0x20, 1);
	put_le32(buf + 0x24, 0x20);
	put_le32(buf + 0x28, 4096);
	put_le32(buf + 0x2C, 1);
	put_le32(buf + 0x1FC, regf_checksum(buf) ^ (good_sum ? 0 : 0x10));
	if (entry) {
		memcpy(buf + 512, "HvLE", 4);
		put_le32(buf + 512 + 4, 512);
		put_le32(buf + 512 + 12, seq);
		put_le32(buf + 512 + 16, 4096);
		put_le32(buf + 512 + 20, 1);
	}
	t_write_file(tpath(p, sizeof(p), name), buf, sizeof(buf));
}

START_TEST(test_refuse_applying_log)
{
	char p[512];
	struct hive_builder *b;

	make_hive("NTUSER.DAT", 5, 7);
	/* Same sequence as the hive, with an entry: would apply. */
	make_log("ntuser.dat.LOG1", 7, 1, 1);
	expect_refusal("NTUSER.DAT", OFFMIG_EUNSAFE,
	    "log ntuser.dat.LOG1 holds changes that would apply");
	/* Newer still. */
	make_log("ntuser.dat.LOG1", 9, 1, 1);
	expect_refusal("NTUSER.DAT", OFFMIG_EUNSAFE, "hive recover/clean");
	/* Across the wrap-around, 0 is newer than 0xFFFFFFF0. */
	make_hive("W.DAT", 5, 0xFFFFFFF0);
	make_log("W.DAT.LOG2", 0, 1, 1);
	expect_refusal("W.DAT", OFFMIG_EUNSAFE, "W.DAT.LOG2");

	/* Older than the clean hive: the hive is newer, the log is done. */
	make_log("ntuser.dat.LOG1", 6, 1, 1);
	b = wopen("NTUSER.DAT", 0);
	hive_builder_abort(b);
	/* Bad checksum: Windows ignores the log. */
	make_log("ntuser.dat.LOG1", 8, 0, 1);
	b = wopen("NTUSER.DAT", 0);
	hive_builder_abort(b);
	/* No entry: nothing to apply. */
	make_log("ntuser.dat.LOG1", 8, 1, 0);
	b = wopen("NTUSER.DAT", 0);
	hive_builder_abort(b);
	/* Empty logs are normal. */
	t_write_file(tpath(p, sizeof(p), "ntuser.dat.LOG1"), "", 0);
	t_write_file(tpath(p, sizeof(p), "NTUSER.DAT.LOG2"), "", 0);
	b = wopen("NTUSER.DAT", 0);
	hive_builder_abort(b);
	/* Nothing was left behind by the refusals or the aborts. */
	ck_assert_int_eq(temp_files(), 0);
	ck_assert_int_ne(access(tpath(p, sizeof(p),
	    "NTUSER.DAT.offmig-bak"), F_OK), 0);
}
END_TEST

START_TEST(test_refuse_paths)
{
	char p[512], q[512];
	struct hive_builder *b;

	make_hive("REAL.DAT", 5, 1);
	ck_assert_int_eq(symlink("REAL.DAT", tpath(p, sizeof(p), "LINK.DAT")),
	    0);
	expect_refusal("LINK.DAT", OFFMIG_EUNSAFE, "symbolic link");
	ck_assert_int_eq(mkdir(tpath(p, sizeof(p), "sub"), 0755), 0);
	expect_refusal("sub", OFFMIG_EUNSAFE, "not a regular file");
	/* The hive must be a name in the directory given, nowhere else. */
	ck_assert_int_eq(rename(tpath(p, sizeof(p), "REAL.DAT"),
	    tpath(q, sizeof(q), "sub/REAL.DAT")), 0);
	expect_refusal("sub/REAL.DAT", OFFMIG_EINVAL, "file name");
	expect_refusal("../REAL.DAT", OFFMIG_EINVAL, "file name");
	expect_refusal("..", OFFMIG_EINVAL, "file name");
	expect_refusal("", OFFMIG_EINVAL, "file name");
	expect_refusal("NONE.DAT", OFFMIG_ENOTFOUND, "NONE.DAT");
	t_write_file(tpath(p, sizeof(p), "junk.dat"), "regf", 4);
	expect_refusal("junk.dat", OFFMIG_ECORRUPT, "junk.dat");

	/* And so must the backup. */
	make_hive("B.DAT", 5, 1);
	b = wopen("B.DAT", 0);
	ck_assert_int_eq(hive_writer_set_backup(b, "sub/B.bak"),
	    OFFMIG_EINVAL);
	ck_assert_int_eq(hive_writer_set_backup(b, "B.DAT"), OFFMIG_EINVAL);
	hive_builder_abort(b);
}
END_TEST

START_TEST(test_backup_never_overwritten)
{
	char p[512], q[512];
	unsigned char *orig;
	size_t len;
	struct hive_builder *b;
	hnode k;

	make_hive("H.DAT", 5, 1);
	orig = t_read_file(tpath(p, sizeof(p), "H.DAT"), &len);
	t_write_file(tpath(q, sizeof(q), "mine.bak"), "precious", 8);
	b = wopen("H.DAT", 0);
	ck_assert_int_eq(hive_writer_set_backup(b, "mine.bak"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "K", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_writer_commit(b, NULL), OFFMIG_EUNSAFE);
	ck_assert_msg(strstr(offmig_errmsg(ctx), "mine.bak") != NULL, "%s",
	    offmig_errmsg(ctx));
	ck_assert(file_equals(q, "precious", 8));
	ck_assert(file_equals(p, orig, len));
	ck_assert_int_eq(temp_files(), 0);

	/* Default names: the eleventh backup is refused. */
	{
		char name[64];
		int i;

		t_write_file(tpath(q, sizeof(q), "H.DAT.offmig-bak"), "x", 1);
		for (i = 1; i <= 9; i++) {
			snprintf(name, sizeof(name), "H.DAT.offmig-bak.%d", i);
			t_write_file(tpath(q, sizeof(q), name), "x", 1);
		}
	}
	b = wopen("H.DAT", 0);
	ck_assert_int_eq(hive_builder_key(b, "K", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_writer_commit(b, NULL), OFFMIG_EUNSAFE);
	ck_assert(file_equals(p, orig, len));
	free(orig);
}
END_TEST

START_TEST(test_changed_since_open)
{
	char p[512], q[512];
	unsigned char *other;
	size_t len;
	struct hive_builder *b;
	hnode k;

	make_hive("H.DAT", 5, 1);
	make_hive("OTHER.DAT", 5, 9);
	b = wopen("H.DAT", 0);
	ck_assert_int_eq(hive_builder_key(b, "K", &k), OFFMIG_OK);
	/* Someone replaces the hive meanwhile. */
	ck_assert_int_eq(rename(tpath(q, sizeof(q), "OTHER.DAT"),
	    tpath(p, sizeof(p), "H.DAT")), 0);
	other = t_read_file(p, &len);
	ck_assert_int_eq(hive_writer_commit(b, NULL), OFFMIG_EUNSAFE);
	ck_assert_msg(strstr(offmig_errmsg(ctx), "changed") != NULL, "%s",
	    offmig_errmsg(ctx));
	ck_assert(file_equals(p, other, len));
	ck_assert_int_eq(temp_files(), 0);
	free(other);
}
END_TEST

START_TEST(test_big_values)
{
	char p[512];
	unsigned char *data;
	struct hive_builder *b;
	struct hive *h;
	hnode k;
	void *raw;
	size_t rlen;
	uint32_t type;

	ck_assert_ptr_nonnull(data = calloc(1, 40000));
	memset(data, 0x5A, 40000);
	make_hive("V5.DAT", 5, 1);
	b = wopen("V5.DAT", 0);
	ck_assert_int_eq(hive_builder_key(b, "Software\\Big", &k), OFFMIG_OK);
	{
		struct hive_value ok = { "Fits", REG_BINARY, data, 16344 };
		struct hive_value no = { "TooBig", REG_BINARY, data, 16345 };

		ck_assert_int_eq(hive_builder_set(b, k, &ok, 1), OFFMIG_OK);
		ck_assert_int_eq(hive_builder_set(b, k, &no, 1),
		    OFFMIG_EINVAL);
		ck_assert_msg(strstr(offmig_errmsg(ctx), "Software\\Big") !=
		    NULL && strstr(offmig_errmsg(ctx), "TooBig") != NULL,
		    "%s", offmig_errmsg(ctx));
	}
	ck_assert_int_eq(hive_writer_commit(b, NULL), OFFMIG_OK);
	ck_assert_int_eq(hive_open_path(ctx, tpath(p, sizeof(p), "V5.DAT"),
	    &h), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "Software\\Big", &k),
	    OFFMIG_OK);
	ck_assert_int_eq(hive_get_raw(ctx, h, k, "Fits", &type, &raw, &rlen),
	    OFFMIG_OK);
	ck_assert_uint_eq(rlen, 16344);
	free(raw);
	ck_assert_int_eq(hive_get_raw(ctx, h, k, "TooBig", &type, &raw,
	    &rlen), OFFMIG_ENOTFOUND);
	hive_close(h);

	/* Version 1.3 hives hold any size in one cell. */
	make_hive("V3.DAT", 3, 1);
	b = wopen("V3.DAT", 0);
	ck_assert_int_eq(hive_builder_key(b, "Big", &k), OFFMIG_OK);
	{
		struct hive_value v = { "Large", REG_BINARY, data, 40000 };

		ck_assert_int_eq(hive_builder_set(b, k, &v, 1), OFFMIG_OK);
	}
	ck_assert_int_eq(hive_writer_commit(b, NULL), OFFMIG_OK);
	ck_assert_int_eq(hive_open_path(ctx, tpath(p, sizeof(p), "V3.DAT"),
	    &h), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "big", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_raw(ctx, h, k, "Large", &type, &raw, &rlen),
	    OFFMIG_OK);
	ck_assert_uint_eq(rlen, 40000);
	ck_assert_int_eq(memcmp(raw, data, 40000), 0);
	free(raw);
	hive_close(h);
	free(data);
}
END_TEST

START_TEST(test_name_hash)
{
	uint32_t hv;

	/* format-notes §3.4: Windows' hash of "ÄRGER". */
	ck_assert_int_eq(hive_name_hash("\xc3\x84rger", &hv), 0);
	ck_assert_uint_eq(hv, 0x1625FF48);
	ck_assert_int_eq(hive_name_hash("\xc3\xa4RGER", &hv), 0);
	ck_assert_uint_eq(hv, 0x1625FF48);
	/* ASCII: 37 * 'A' + 'B'. */
	ck_assert_int_eq(hive_name_hash("ab", &hv), 0);
	ck_assert_uint_eq(hv, 37 * 'A' + 'B');
	/* Cyrillic and CJK are known; fullwidth letters are not. */
	ck_assert_int_eq(hive_name_hash("\xd0\xb4", &hv), 0);	/* д */
	ck_assert_uint_eq(hv, 0x414);
	ck_assert_int_eq(hive_name_hash("\xe6\xbc\xa2", &hv), 0); /* 漢 */
	ck_assert_uint_eq(hv, 0x6F22);
	ck_assert_int_eq(hive_name_hash("\xef\xbd\x81", &hv), -1); /* ａ */
	ck_assert_int_eq(hive_name_hash("\xff", &hv), -1);
}
END_TEST

/* Name of the key at hbins-relative off in the raw image. */
static char *
raw_name(struct hive *h, uint32_t off)
{
	return hive_key_name(ctx, h, 0x1000 + (hnode)off);
}

START_TEST(test_non_ascii_keys)
{
	static const char *const names[] = {
		"zeta", "\xc3\x84rger", "apple", "\303\211clair",
		"\xc3\xa4rmel", "Zebra", "\xd0\x94\xd0\xbe\xd0\xbc", "_under",
		"\xc3\xb6l", "Omega"
	};
	char p[512];
	unsigned char *img;
	size_t len, i, n;
	struct hive_builder *b;
	struct hive *h;
	hnode k, parent, arger;
	uint32_t list;
	int found = 0;

	make_hive("U.DAT", 5, 1);
	b = wopen("U.DAT", 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[64];

		snprintf(path, sizeof(path), "Software\\%s", names[i]);
		ck_assert_msg(hive_builder_key(b, path, &k) == OFFMIG_OK, "%s",
		    offmig_errmsg(ctx));
	}
	/* A letter whose Windows upper case offmig does not know. */
	ck_assert_int_eq(hive_builder_key(b, "Software\\\xef\xbd\x81x", &k),
	    OFFMIG_EINVAL);
	ck_assert_msg(strstr(offmig_errmsg(ctx), "upper case") != NULL, "%s",
	    offmig_errmsg(ctx));
	ck_assert_msg(hive_writer_commit(b, NULL) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));

	tpath(p, sizeof(p), "U.DAT");
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	/* Found case-insensitively, as Windows would. */
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "SOFTWARE\\\xc3\xa4rger",
	    &arger), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "Software\\\xd0\xb4\xd0\x9e"
	    "\xd0\x9c", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "Software", &parent),
	    OFFMIG_OK);

	/* The raw lh list: Windows' hashes, sorted by upper-case name. */
	img = t_read_file(p, &len);
	list = le32(img + parent + 4 + 0x1C);
	ck_assert_uint_lt(0x1000ULL + list + 8, len);
	ck_assert_int_eq(memcmp(img + 0x1000 + list + 4, "lh", 2), 0);
	n = le16(img + 0x1000 + list + 6);
	ck_assert_uint_eq(n, sizeof(names) / sizeof(names[0]));
	for (i = 0; i < n; i++) {
		const unsigned char *e = img + 0x1000 + list + 8 + 8 * i;
		char *name = raw_name(h, le32(e)), *prev;
		uint32_t hv;

		ck_assert_ptr_nonnull(name);
		ck_assert_int_eq(hive_name_hash(name, &hv), 0);
		ck_assert_msg(hv == le32(e + 4), "%s: hash %08x, stored %08x",
		    name, hv, le32(e + 4));
		if (0x1000 + (hnode)le32(e) == arger) {
			ck_assert_uint_eq(le32(e + 4), 0x1625FF48);
			found = 1;
		}
		if (i > 0) {
			prev = raw_name(h, le32(e - 8));
			ck_assert_msg(wstrcasecmp(prev, name) < 0,
			    "'%s' before '%s'", prev, name);
			free(prev);
		}
		free(name);
	}
	ck_assert(found);
	free(img);
	hive_close(h);
}
END_TEST

START_TEST(test_apply_reg)
{
	static const char reg[] =
	    "Windows Registry Editor Version 5.00\n"
	    "[HKEY_CURRENT_USER\\Software\\Offmig]\n"
	    "\"Greeting\"=\"from a .reg\"\n"
	    "\"N\"=dword:00000007\n"
	    "[HKEY_CURRENT_USER\\Software\\\xc3\x84rger]\n"
	    "@=\"default\"\n";
	char p[512];
	struct hive_builder *b;
	struct hive *h;
	uint32_t dw;
	hnode k;

	make_hive("NTUSER.DAT", 5, 100);
	b = wopen("NTUSER.DAT", 0);
	ck_assert_msg(hive_builder_apply_reg(b, reg, strlen(reg),
	    "import.reg") == OFFMIG_OK, "%s", offmig_errmsg(ctx));
	ck_assert_int_eq(hive_writer_commit(b, NULL), OFFMIG_OK);
	expect_greeting(tpath(p, sizeof(p), "NTUSER.DAT"), "from a .reg");
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "software\\offmig", &k),
	    OFFMIG_OK);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "N", &dw), OFFMIG_OK);
	ck_assert_uint_eq(dw, 7);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "software\\\xc3\xa4RGER", &k),
	    OFFMIG_OK);
	ck_assert_uint_eq(hive_info(h)->seq1, 101);
	hive_close(h);
}
END_TEST

/*
 * Stops the commit after each step: the hive is then the old one, byte
 * for byte, or the new one, complete; running the same write again
 * succeeds and the first backup holds the original.
 */
START_TEST(test_fault_every_step)
{
	char p[512], bp[512];
	unsigned char *orig, *now;
	size_t olen, nlen;
	struct hive_builder *b;
	hnode k;
	int step = _i;

	make_hive("NTUSER.DAT", 5, 10);
	orig = t_read_file(tpath(p, sizeof(p), "NTUSER.DAT"), &olen);
	hive_writer_set_fault(step);
	b = wopen("NTUSER.DAT", 0);
	ck_assert_int_eq(hive_builder_key(b, "Software\\Offmig", &k),
	    OFFMIG_OK);
	set_sz(b, k, "Greeting", "step");
	ck_assert_int_eq(hive_writer_commit(b, NULL), OFFMIG_EIO);
	ck_assert_msg(strstr(offmig_errmsg(ctx), "fault injected") != NULL,
	    "%s", offmig_errmsg(ctx));
	hive_writer_set_fault(0);

	now = t_read_file(p, &nlen);
	if (step < HIVE_WSTEP_RENAMED) {
		ck_assert_msg(nlen == olen && memcmp(now, orig, olen) == 0,
		    "step %d: the hive changed before the rename", step);
	} else {
		ck_assert_uint_eq(le32(now + 0x04), 11);
		ck_assert_uint_eq(le32(now + 0x08), 11);
		ck_assert_uint_eq(le32(now + 0x1FC), regf_checksum(now));
		expect_greeting(p, "step");
	}
	free(now);

	/* Run again. */
	b = wopen("NTUSER.DAT", 0);
	ck_assert_int_eq(temp_files(), 0);
	ck_assert_int_eq(hive_builder_key(b, "Software\\Offmig", &k),
	    OFFMIG_OK);
	set_sz(b, k, "Greeting", "rerun");
	ck_assert_msg(hive_writer_commit(b, NULL) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	expect_greeting(p, "rerun");
	ck_assert_int_eq(temp_files(), 0);
	/* One backup of the original, reused by the rerun if left. */
	ck_assert(file_equals(tpath(bp, sizeof(bp), "NTUSER.DAT.offmig-bak"),
	    orig, olen));
	tpath(bp, sizeof(bp), "NTUSER.DAT.offmig-bak.1");
	if (step >= HIVE_WSTEP_RENAMED)
		expect_greeting(bp, "step");	/* what the first run wrote */
	else
		ck_assert_int_ne(access(bp, F_OK), 0);
	free(orig);
}
END_TEST

/* The fixture path (hive_builder_open) gets the same base block fix-ups. */
START_TEST(test_fixture_commit)
{
	char p[512];
	unsigned char *buf;
	size_t len;
	struct hive_builder *b;
	hnode k;

	ck_assert_int_eq(hive_create_empty(ctx, tpath(p, sizeof(p), "f.hiv"),
	    "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_file_set_sequences(ctx, p, 4, 4), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, p, &b), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "A\\B", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_commit(b), OFFMIG_OK);
	buf = t_read_file(p, &len);
	ck_assert_uint_eq(le32(buf + 0x04), 5);
	ck_assert_uint_eq(le32(buf + 0x08), 5);
	ck_assert_uint_eq(le32(buf + 0x1FC), regf_checksum(buf));
	/* Reproducible: the time is the one hive_create_empty wrote. */
	ck_assert_uint_eq(le64(buf + 0x0C), 133485408000000000ULL);
	free(buf);
	/* No backup for fixtures. */
	ck_assert_int_ne(access(tpath(p, sizeof(p), "f.hiv.offmig-bak"),
	    F_OK), 0);
	ck_assert_int_eq(temp_files(), 0);
}
END_TEST

/* A real Windows 10 user hive, made clean, takes a write. */
START_TEST(test_corpus_ntuser)
{
	char src[512], p[512];
	unsigned char *buf;
	size_t len;
	struct hive_builder *b;
	struct hive *h;
	hnode k;
	char *s;

	if (t_corpus(src, sizeof(src),
	    "museum/Registry/Win10/RathbunVM/NTUSER.DAT") == NULL)
		T_SKIP_NO_CORPUS("museum/Registry/Win10/RathbunVM/NTUSER.DAT");
	buf = t_read_file(src, &len);
	regf_set_sequences(buf, 195, 195);
	t_write_file(tpath(p, sizeof(p), "NTUSER.DAT"), buf, len);
	b = wopen("NTUSER.DAT", 0);
	ck_assert_int_eq(hive_builder_key(b, "Software\\Offmig\\\xc3\x84rger",
	    &k), OFFMIG_OK);
	set_sz(b, k, "Greeting", "hi");
	ck_assert_msg(hive_writer_commit(b, NULL) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert(!hive_info(h)->dirty);
	ck_assert_uint_eq(hive_info(h)->seq1, 196);
	ck_assert_int_eq(hive_lookup(ctx, h, 0,
	    "software\\offmig\\\xc3\xa4rger", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Greeting", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "hi");
	free(s);
	/* What Windows put there is still there. */
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "Software\\Microsoft\\Windows"
	    "\\CurrentVersion\\Explorer\\Shell Folders", &k), OFFMIG_OK);
	hive_close(h);
	ck_assert(file_equals(tpath(p, sizeof(p), "NTUSER.DAT.offmig-bak"),
	    buf, len));
	free(buf);
}
END_TEST

static Suite *
writer_suite(void)
{
	Suite *s = suite_create("writer");
	TCase *tc = tcase_create("writer");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_write_read_back);
	tcase_add_test(tc, test_checksum_fixup_zero);
	tcase_add_test(tc, test_checksum_fixup_ones);
	tcase_add_test(tc, test_refuse_dirty);
	tcase_add_test(tc, test_refuse_applying_log);
	tcase_add_test(tc, test_refuse_paths);
	tcase_add_test(tc, test_backup_never_overwritten);
	tcase_add_test(tc, test_changed_since_open);
	tcase_add_test(tc, test_big_values);
	tcase_add_test(tc, test_name_hash);
	tcase_add_test(tc, test_non_ascii_keys);
	tcase_add_test(tc, test_apply_reg);
	tcase_add_loop_test(tc, test_fault_every_step, HIVE_WSTEP_TEMP_WRITTEN,
	    HIVE_WSTEP_DIR_SYNCED + 1);
	tcase_add_test(tc, test_fixture_commit);
	tcase_add_test(tc, test_corpus_ntuser);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(writer_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
