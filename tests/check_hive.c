/*
 * check_hive.c - the hive module: base block parsing, opening (including
 * hives hivex alone refuses), Windows-style lookups and value decoding,
 * the hive writer and its .reg-like text, transaction log discovery, real
 * hives from the corpus, and damaged copies that must never crash.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char tmpdir[256];

/* Each test gets a context and a fresh empty directory. */
static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	t_tmpdir_make(tmpdir, sizeof(tmpdir), "check_hive");
}

static void
teardown(void)
{
	offmig_ctx_free(ctx);
	t_tmpdir_remove(tmpdir);
}

static char *
tpath(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
	return buf;
}

/* Builds a hive at path from .reg text; fails the test on error. */
static void
build_hive(const char *path, const char *text)
{
	struct hive_builder *b;

	ck_assert_int_eq(hive_create_empty(ctx, path, "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, path, &b), OFFMIG_OK);
	ck_assert_msg(hive_builder_apply_reg(b, text, strlen(text),
	    "test.reg") == OFFMIG_OK, "%s", offmig_errmsg(ctx));
	ck_assert_msg(hive_builder_commit(b) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
}

/*
 * Reads every key and value below n, bounded (depth 64, 10000 keys); what
 * matters is that nothing crashes and every failure is a clean code.
 */
static void
walk(struct hive *h, hnode n, int depth, size_t *budget)
{
	hnode *kids = NULL;
	char **names = NULL, *s;
	size_t nk, i;
	int ret;

	if (depth > 64 || *budget == 0)
		return;
	(*budget)--;
	s = hive_key_name(ctx, h, n);
	free(s);
	s = hive_key_path(ctx, h, n);
	free(s);
	(void)hive_key_mtime(h, n);
	if (hive_value_names(ctx, h, n, &names) == OFFMIG_OK) {
		for (i = 0; names[i] != NULL; i++) {
			uint32_t t, dw;
			uint64_t qw;
			size_t len;
			void *data;
			char **multi;

			ret = hive_get_raw(ctx, h, n, names[i], &t, &data,
			    &len);
			ck_assert(ret == OFFMIG_OK || ret == OFFMIG_ECORRUPT ||
			    ret == OFFMIG_ENOTFOUND);
			free(data);
			if (hive_get_string(ctx, h, n, names[i], &s, NULL) ==
			    OFFMIG_OK)
				free(s);
			(void)hive_get_dword(ctx, h, n, names[i], &dw);
			(void)hive_get_qword(ctx, h, n, names[i], &qw);
			if (hive_get_multi(ctx, h, n, names[i], &multi) ==
			    OFFMIG_OK)
				hive_strv_free(multi);
		}
		hive_strv_free(names);
	}
	ret = hive_children(ctx, h, n, &kids, &nk);
	ck_assert(ret == OFFMIG_OK || ret == OFFMIG_ECORRUPT);
	if (ret != OFFMIG_OK)
		return;
	for (i = 0; i < nk; i++)
		walk(h, kids[i], depth + 1, budget);
	free(kids);
}

/* Opens path; OK or ECORRUPT (message naming the file); walks if open. */
static int
open_and_walk(const char *path)
{
	struct hive *h = (struct hive *)&h;
	size_t budget = 10000;
	int ret;

	ret = hive_open_path(ctx, path, &h);
	ck_assert_msg(ret == OFFMIG_OK || ret == OFFMIG_ECORRUPT,
	    "%s: %d %s", path, ret, offmig_errmsg(ctx));
	if (ret != OFFMIG_OK) {
		ck_assert_ptr_null(h);
		ck_assert_msg(strstr(offmig_errmsg(ctx), path) != NULL,
		    "message does not name the file: %s", offmig_errmsg(ctx));
		return ret;
	}
	walk(h, hive_root(h), 0, &budget);
	hive_close(h);
	return ret;
}

/*
 * regf: base block.
 */

START_TEST(test_checksum_fixups)
{
	unsigned char buf[512];

	memset(buf, 0, sizeof(buf));
	/* XOR 0 is stored as 1. */
	ck_assert_uint_eq(regf_checksum(buf), 1);
	/* XOR ~0 is stored as ~1. */
	put_le32(buf + 8, 0xFFFFFFFF);
	ck_assert_uint_eq(regf_checksum(buf), 0xFFFFFFFE);
	/* Otherwise the plain XOR, and the field itself is not included. */
	put_le32(buf + 8, 0x12345678);
	put_le32(buf + 0x100, 0x0F0F0F0F);
	put_le32(buf + 0x1FC, 0xDEADBEEF);
	ck_assert_uint_eq(regf_checksum(buf), 0x12345678 ^ 0x0F0F0F0F);
}
END_TEST

/* A base block with every field set. */
static void
make_base(unsigned char *buf)
{
	static const char name[] = "\\??\\C:\\Users\\J\xc3\xb6rg\\NTUSER.DAT";
	unsigned char *u;
	size_t ulen;

	memset(buf, 0, REGF_BASE_BLOCK);
	memcpy(buf, "regf", 4);
	put_le32(buf + 0x04, 749);
	put_le32(buf + 0x08, 749);
	put_le32(buf + 0x0C, 0x89ABCDEF);
	put_le32(buf + 0x10, 0x01D12345);
	put_le32(buf + 0x14, 1);
	put_le32(buf + 0x18, 5);
	put_le32(buf + 0x1C, 0);
	put_le32(buf + 0x20, 1);
	put_le32(buf + 0x24, 0x20);
	put_le32(buf + 0x28, 0x8000);
	put_le32(buf + 0x2C, 1);
	ck_assert_ptr_nonnull(u = utf8_to_utf16le(name, strlen(name), &ulen));
	/* Only the last 64 bytes of the path are stored; here all fit. */
	ck_assert_uint_le(ulen, 64);
	memcpy(buf + 0x30, u, ulen);
	free(u);
	put_le32(buf + 0x1FC, regf_checksum(buf));
}

START_TEST(test_parse_fields)
{
	unsigned char buf[REGF_BASE_BLOCK];
	struct regf_info info;

	make_base(buf);
	ck_assert_int_eq(regf_parse(buf, sizeof(buf), &info), OFFMIG_OK);
	ck_assert_uint_eq(info.seq1, 749);
	ck_assert_uint_eq(info.seq2, 749);
	ck_assert(info.last_written == 0x01D1234589ABCDEFULL);
	ck_assert_uint_eq(info.major, 1);
	ck_assert_uint_eq(info.minor, 5);
	ck_assert_uint_eq(info.file_type, 0);
	ck_assert_uint_eq(info.file_format, 1);
	ck_assert_uint_eq(info.root_offset, 0x20);
	ck_assert_uint_eq(info.hbins_size, 0x8000);
	ck_assert_uint_eq(info.clustering, 1);
	ck_assert_str_eq(info.file_name,
	    "\\??\\C:\\Users\\J\xc3\xb6rg\\NTUSER.DAT");
	ck_assert_uint_eq(info.checksum, info.checksum_calc);
	ck_assert_int_eq(info.checksum_ok, 1);
	ck_assert_int_eq(info.dirty, 0);
	/* 512 bytes are enough (a log's base block). */
	ck_assert_int_eq(regf_parse(buf, 512, &info), OFFMIG_OK);
}
END_TEST

START_TEST(test_parse_not_regf)
{
	unsigned char buf[REGF_BASE_BLOCK];
	struct regf_info info;

	make_base(buf);
	ck_assert_int_eq(regf_parse(buf, 511, &info), OFFMIG_ECORRUPT);
	memcpy(buf, "CREG", 4);
	ck_assert_int_eq(regf_parse(buf, sizeof(buf), &info), OFFMIG_ECORRUPT);
}
END_TEST

START_TEST(test_parse_dirty)
{
	unsigned char buf[REGF_BASE_BLOCK];
	struct regf_info info;

	make_base(buf);
	regf_set_sequences(buf, 195, 194);
	ck_assert_int_eq(regf_parse(buf, sizeof(buf), &info), OFFMIG_OK);
	ck_assert_uint_eq(info.seq1, 195);
	ck_assert_uint_eq(info.seq2, 194);
	ck_assert_int_eq(info.checksum_ok, 1);
	ck_assert_int_eq(info.dirty, 1);
	/* Equal sequence numbers but a damaged checksum: dirty too. */
	regf_set_sequences(buf, 7, 7);
	buf[0x1FC] ^= 0x40;
	ck_assert_int_eq(regf_parse(buf, sizeof(buf), &info), OFFMIG_OK);
	ck_assert_int_eq(info.checksum_ok, 0);
	ck_assert_int_eq(info.dirty, 1);
}
END_TEST

/*
 * A hive whose checksum is right only with Windows' fix-up (the plain XOR
 * is 0, stored as 1) opens, although hivex alone refuses it, and the file
 * is not modified.
 */
START_TEST(test_open_checksum_fixup)
{
	unsigned char *before, *after;
	size_t blen, alen;
	struct hive *h;
	char p[512];
	uint32_t x;
	int i;

	build_hive(tpath(p, sizeof(p), "fix.hiv"), "[A]\n\"v\"=\"1\"\n");
	before = t_read_file(p, &blen);
	/* Make the plain XOR 0 through a reserved dword, store 1. */
	put_le32(before + 0x80, 0);
	for (x = 0, i = 0; i < 127; i++)
		x ^= le32(before + 4 * i);
	put_le32(before + 0x80, x);
	put_le32(before + 0x1FC, 1);
	ck_assert_uint_eq(regf_checksum(before), 1);
	t_write_file(p, before, blen);

	ck_assert_msg(hive_open_path(ctx, p, &h) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(hive_info(h)->checksum_ok, 1);
	ck_assert_int_eq(hive_info(h)->dirty, 0);
	ck_assert_uint_eq(hive_file_size(h), blen);
	hive_close(h);
	after = t_read_file(p, &alen);
	ck_assert_uint_eq(alen, blen);
	ck_assert_int_eq(memcmp(before, after, blen), 0);
	free(before);
	free(after);
}
END_TEST

/* A damaged checksum: the hive opens from a private copy, and is dirty. */
START_TEST(test_open_bad_checksum)
{
	unsigned char *buf;
	struct hive *h;
	hnode k;
	char p[512], *s;
	size_t len;

	build_hive(tpath(p, sizeof(p), "bad.hiv"), "[A]\n\"v\"=\"1\"\n");
	buf = t_read_file(p, &len);
	buf[0x1FC] ^= 0x01;
	t_write_file(p, buf, len);
	free(buf);
	ck_assert_msg(hive_open_path(ctx, p, &h) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(hive_info(h)->checksum_ok, 0);
	ck_assert_int_eq(hive_info(h)->dirty, 1);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "a", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "V", &s, NULL), OFFMIG_OK);
	ck_assert_str_eq(s, "1");
	free(s);
	hive_close(h);
}
END_TEST

START_TEST(test_open_not_a_hive)
{
	unsigned char buf[9000];
	struct hive *h = (struct hive *)&h;
	char p[512];

	memset(buf, 'x', sizeof(buf));
	t_write_file(tpath(p, sizeof(p), "text.hiv"), buf, sizeof(buf));
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_ECORRUPT);
	ck_assert_ptr_null(h);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), p));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "no regf signature"));

	t_write_file(tpath(p, sizeof(p), "empty.hiv"), buf, 0);
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "no regf signature"));

	memcpy(buf, "regf", 4);
	t_write_file(tpath(p, sizeof(p), "short.hiv"), buf, 5000);
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "truncated: 5000 bytes"));

	ck_assert_int_eq(hive_open_path(ctx, tpath(p, sizeof(p), "absent"),
	    &h), OFFMIG_ENOTFOUND);
	ck_assert_ptr_null(h);
}
END_TEST

/* A missing hbin signature is reported with its offset. */
START_TEST(test_open_bad_hbin)
{
	unsigned char *buf;
	struct hive *h;
	char p[512];
	size_t len;

	build_hive(tpath(p, sizeof(p), "hbin.hiv"), "[A]\n\"v\"=\"1\"\n");
	buf = t_read_file(p, &len);
	ck_assert_uint_ge(len, 12288);
	ck_assert_int_eq(memcmp(buf + 0x2000, "hbin", 4), 0);
	memcpy(buf + 0x2000, "gbin", 4);
	t_write_file(p, buf, len);
	free(buf);
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), p));
	ck_assert_msg(strstr(offmig_errmsg(ctx),
	    "hbin signature missing at offset 0x2000") != NULL, "%s",
	    offmig_errmsg(ctx));
}
END_TEST

/*
 * build: create, fill, reopen.
 */

static const char roundtrip_reg[] =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "; a comment\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]\r\n"
    "\"ProductName\"=\"Windows 10 Pro\"\r\n"
    "\"Owner\"=\"Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x98\x80\"\r\n"
    "\"Lone\"=\"a\xed\xa0\x80z\"\r\n"
    "\"Quoted\"=\"say \\\"hi\\\" C:\\\\dir\\\\\"\r\n"
    "@=\"the default\"\r\n"
    "\"Dw\"=dword:0000002a\r\n"
    "\"Big\"=dword:FFFFFFFF\r\n"
    "\"Qw\"=qword:1122334455667788\r\n"
    "\"SmallQ\"=qword:10\r\n"
    "\"DecSz\"=\"12345\"\r\n"
    "\"BE\"=hex(5):00,00,01,02\r\n"
    "\"Multi\"=multi:\"a\",\"\",\"b c\"\r\n"
    "\"Bin\"=hex:01,02,03,\\\r\n"
    "  04,05\r\n"
    "\"Exp\"=expand:\"%SystemRoot%\\\\x\"\r\n"
    "\"Exp2\"=hex(2):25,00,41,00,25,00,00,00\r\n"
    "\"Multi2\"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n"
    "\"Qw2\"=hex(b):01,00,00,00,00,00,00,00\r\n"
    "\"Gr\xc3\xb6\xc3\x9f" "e\"=\"name\"\r\n"
    "\r\n"
    "[\xc3\x84rger\\Sub]\r\n"
    "\"x\"=\"y\"\r\n"
    "[\xc3\x84rger\\sub\\Deeper]\r\n"
    "[ROOTVALS]\r\n"
    "\"Empty\"=hex:\r\n"
    "\"Odd\"=hex:41,00,42\r\n"
    "\"Utf16Bin\"=hex:41,00,42,00\r\n";

static struct hive *
open_roundtrip(char *p, size_t size)
{
	struct hive *h;

	build_hive(tpath(p, size, "rt.hiv"), roundtrip_reg);
	ck_assert_msg(hive_open_path(ctx, p, &h) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	return h;
}

START_TEST(test_create_empty)
{
	struct hive *h;
	hnode *kids = (hnode *)&kids;
	char p[512], **names, *s;
	size_t n = 99;

	ck_assert_int_eq(hive_create_empty(ctx, tpath(p, sizeof(p), "e.hiv"),
	    "CsiTool"), OFFMIG_OK);
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_uint_eq(hive_file_size(h), 8192);
	ck_assert_uint_eq(hive_info(h)->major, 1);
	ck_assert_uint_eq(hive_info(h)->minor, 3);
	ck_assert_int_eq(hive_info(h)->dirty, 0);
	ck_assert_uint_eq(hive_info(h)->root_offset, 0x20);
	ck_assert_ptr_nonnull(s = hive_key_name(ctx, h, hive_root(h)));
	ck_assert_str_eq(s, "CsiTool");
	free(s);
	ck_assert_int_eq(hive_children(ctx, h, hive_root(h), &kids, &n),
	    OFFMIG_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(kids);
	ck_assert_int_eq(hive_value_names(ctx, h, hive_root(h), &names),
	    OFFMIG_OK);
	ck_assert_ptr_null(names[0]);
	hive_strv_free(names);
	hive_close(h);

	ck_assert_int_eq(hive_create_empty(ctx, p, "b\xc3\xa4""d"),
	    OFFMIG_EINVAL);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), p));
}
END_TEST

/* hivexml and hivexsh, hivex's own tools, read what offmig writes. */
START_TEST(test_hivex_tools_read_it)
{
	char p[512], cmd[1200];

	if (system("command -v hivexml >/dev/null 2>&1") != 0)
		T_SKIP("hivexml is not installed");
	ck_assert_int_eq(hive_create_empty(ctx, tpath(p, sizeof(p), "e.hiv"),
	    "ROOT"), OFFMIG_OK);
	snprintf(cmd, sizeof(cmd), "hivexml '%s' >/dev/null", p);
	ck_assert_int_eq(system(cmd), 0);
	build_hive(tpath(p, sizeof(p), "rt.hiv"), roundtrip_reg);
	snprintf(cmd, sizeof(cmd), "hivexml '%s' | grep -q 'Windows 10 Pro'",
	    p);
	ck_assert_int_eq(system(cmd), 0);
	if (system("command -v hivexsh >/dev/null 2>&1") != 0)
		return;
	snprintf(cmd, sizeof(cmd), "printf 'cd \\\\SOFTWARE\\\\Microsoft\\n"
	    "ls\\n' | hivexsh '%s' | grep -q 'Windows NT'", p);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_roundtrip_strings)
{
	struct hive *h;
	char p[512], *s = (char *)"untouched";
	uint32_t type;
	hnode k;

	h = open_roundtrip(p, sizeof(p));
	ck_assert_int_eq(hive_lookup(ctx, h, 0,
	    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "ProductName", &s, &type),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "Windows 10 Pro");
	ck_assert_uint_eq(type, REG_SZ);
	free(s);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "owner", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s,
	    "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x98\x80");
	free(s);
	/* A lone surrogate survives as WTF-8. */
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Lone", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "a\xed\xa0\x80z");
	free(s);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Quoted", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "say \"hi\" C:\\dir\\");
	free(s);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "", &s, NULL), OFFMIG_OK);
	ck_assert_str_eq(s, "the default");
	free(s);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Exp", &s, &type),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "%SystemRoot%\\x");
	ck_assert_uint_eq(type, REG_EXPAND_SZ);
	free(s);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Exp2", &s, &type),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "%A%");
	ck_assert_uint_eq(type, REG_EXPAND_SZ);
	free(s);
	/* Non-ASCII value names, matched case-insensitively. */
	ck_assert_int_eq(hive_get_string(ctx, h, k, "GR\xc3\x96\xc3\x9f" "E",
	    &s, NULL), OFFMIG_OK);
	ck_assert_str_eq(s, "name");
	free(s);
	/* A number is not a string: EINVAL, naming hive, key and value. */
	s = (char *)"untouched";
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Dw", &s, NULL),
	    OFFMIG_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), p));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "'Dw'"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "CurrentVersion"));
	/* Absent: ENOTFOUND, out-param cleared. */
	s = (char *)"untouched";
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Nope", &s, NULL),
	    OFFMIG_ENOTFOUND);
	ck_assert_ptr_null(s);
	hive_close(h);
}
END_TEST

START_TEST(test_roundtrip_numbers)
{
	struct hive *h;
	char p[512];
	uint32_t dw = 7;
	uint64_t qw = 7;
	hnode k;

	h = open_roundtrip(p, sizeof(p));
	ck_assert_int_eq(hive_lookup(ctx, h, 0,
	    "software\\microsoft\\windows nt\\currentversion", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "dw", &dw), OFFMIG_OK);
	ck_assert_uint_eq(dw, 42);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "Big", &dw), OFFMIG_OK);
	ck_assert_uint_eq(dw, 0xFFFFFFFF);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "BE", &dw), OFFMIG_OK);
	ck_assert_uint_eq(dw, 0x102);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "DecSz", &dw), OFFMIG_OK);
	ck_assert_uint_eq(dw, 12345);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "SmallQ", &dw), OFFMIG_OK);
	ck_assert_uint_eq(dw, 16);
	/* A QWORD above 32 bits does not fit a DWORD. */
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "Qw", &dw), OFFMIG_EINVAL);
	ck_assert_uint_eq(dw, 0);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "'Qw'"));
	ck_assert_int_eq(hive_get_qword(ctx, h, k, "Qw", &qw), OFFMIG_OK);
	ck_assert(qw == 0x1122334455667788ULL);
	ck_assert_int_eq(hive_get_qword(ctx, h, k, "Qw2", &qw), OFFMIG_OK);
	ck_assert(qw == 1);
	ck_assert_int_eq(hive_get_qword(ctx, h, k, "Dw", &qw), OFFMIG_OK);
	ck_assert(qw == 42);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "ProductName", &dw),
	    OFFMIG_EINVAL);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "Bin", &dw), OFFMIG_EINVAL);
	hive_close(h);
}
END_TEST

START_TEST(test_roundtrip_multi_binary)
{
	struct hive *h;
	char p[512], **v = (char **)&v, *s;
	uint32_t type;
	void *data;
	size_t len;
	hnode k;

	h = open_roundtrip(p, sizeof(p));
	ck_assert_int_eq(hive_lookup(ctx, h, 0,
	    "\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\", &k),
	    OFFMIG_OK);
	/* The empty string inside is kept, the terminator dropped. */
	ck_assert_int_eq(hive_get_multi(ctx, h, k, "Multi", &v), OFFMIG_OK);
	ck_assert_str_eq(v[0], "a");
	ck_assert_str_eq(v[1], "");
	ck_assert_str_eq(v[2], "b c");
	ck_assert_ptr_null(v[3]);
	hive_strv_free(v);
	ck_assert_int_eq(hive_get_multi(ctx, h, k, "Multi2", &v), OFFMIG_OK);
	ck_assert_str_eq(v[0], "a");
	ck_assert_str_eq(v[1], "b");
	ck_assert_ptr_null(v[2]);
	hive_strv_free(v);
	v = (char **)&v;
	ck_assert_int_eq(hive_get_multi(ctx, h, k, "Dw", &v), OFFMIG_EINVAL);
	ck_assert_ptr_null(v);

	ck_assert_int_eq(hive_get_raw(ctx, h, k, "Bin", &type, &data, &len),
	    OFFMIG_OK);
	ck_assert_uint_eq(type, REG_BINARY);
	ck_assert_uint_eq(len, 5);
	ck_assert_int_eq(memcmp(data, "\1\2\3\4\5", 5), 0);
	free(data);
	ck_assert_int_eq(hive_value_type(ctx, h, k, "Qw", &type, &len),
	    OFFMIG_OK);
	ck_assert_uint_eq(type, REG_QWORD);
	ck_assert_uint_eq(len, 8);

	ck_assert_int_eq(hive_lookup(ctx, h, 0, "RootVals", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_raw(ctx, h, k, "Empty", &type, &data, &len),
	    OFFMIG_OK);
	ck_assert_uint_eq(len, 0);
	free(data);
	/* Binary of even length is decoded as UTF-16LE; odd is not text. */
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Utf16Bin", &s, &type),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "AB");
	ck_assert_uint_eq(type, REG_BINARY);
	free(s);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Odd", &s, NULL),
	    OFFMIG_EINVAL);
	ck_assert_ptr_null(s);
	hive_close(h);
}
END_TEST

START_TEST(test_lookup_case_insensitive)
{
	struct hive *h;
	hnode k, k2, sub, *kids;
	char p[512], *s, **names;
	size_t n, i;

	h = open_roundtrip(p, sizeof(p));
	/* hivex folds ASCII only; offmig folds as Windows does. */
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "\xc3\x84rger", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "\xc3\x84RGER", &k2),
	    OFFMIG_OK);
	ck_assert(k == k2);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "\xc3\xa4rger", &k2),
	    OFFMIG_OK);
	ck_assert(k == k2);
	ck_assert_int_eq(hive_lookup(ctx, h, k, "SUB\\deeper", &sub),
	    OFFMIG_OK);
	ck_assert_ptr_nonnull(s = hive_key_path(ctx, h, sub));
	ck_assert_str_eq(s, "\xc3\x84rger\\Sub\\Deeper");
	free(s);
	ck_assert_ptr_nonnull(s = hive_key_name(ctx, h, sub));
	ck_assert_str_eq(s, "Deeper");
	free(s);
	ck_assert_ptr_nonnull(s = hive_key_path(ctx, h, hive_root(h)));
	ck_assert_str_eq(s, "");
	free(s);
	/* Empty path and "\\" are the start key. */
	ck_assert_int_eq(hive_lookup(ctx, h, k, "", &k2), OFFMIG_OK);
	ck_assert(k == k2);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "\\", &k2), OFFMIG_OK);
	ck_assert(k2 == hive_root(h));
	/* Missing: ENOTFOUND, out cleared. */
	k2 = 99;
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "\xc3\x84rger\\Nope", &k2),
	    OFFMIG_ENOTFOUND);
	ck_assert(k2 == 0);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "Arger", &k2),
	    OFFMIG_ENOTFOUND);

	ck_assert_int_eq(hive_children(ctx, h, hive_root(h), &kids, &n),
	    OFFMIG_OK);
	ck_assert_uint_eq(n, 3);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(s = hive_key_name(ctx, h, kids[i]));
		ck_assert(strcmp(s, "SOFTWARE") == 0 ||
		    strcmp(s, "\xc3\x84rger") == 0 ||
		    strcmp(s, "ROOTVALS") == 0);
		free(s);
	}
	free(kids);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "ROOTVALS", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_value_names(ctx, h, k, &names), OFFMIG_OK);
	ck_assert_str_eq(names[0], "Empty");
	ck_assert_str_eq(names[1], "Odd");
	ck_assert_str_eq(names[2], "Utf16Bin");
	ck_assert_ptr_null(names[3]);
	hive_strv_free(names);
	ck_assert(hive_key_mtime(h, k) != NO_TIME);
	hive_close(h);
}
END_TEST

/* Replaces the first occurrence of old by new (same length) in a file. */
static void
patch_file(const char *path, const void *old, const void *new, size_t n)
{
	unsigned char *buf, *q;
	size_t len;

	buf = t_read_file(path, &len);
	for (q = buf; q + n <= buf + len; q++)
		if (memcmp(q, old, n) == 0)
			break;
	ck_assert_msg(q + n <= buf + len, "pattern not found in %s", path);
	memcpy(q, new, n);
	t_write_file(path, buf, len);
	free(buf);
}

/*
 * A key whose UTF-16LE name holds a lone surrogate (iconv, and so hivex,
 * refuses it) still comes back faithfully, as WTF-8.
 */
START_TEST(test_key_name_lone_surrogate)
{
	struct hive *h;
	char p[512], *s;
	hnode k;

	/* U+20AC is not Latin-1: hivex stores the name as UTF-16LE. */
	build_hive(tpath(p, sizeof(p), "sur.hiv"),
	    "[Q\xe2\x82\xacQ]\n\"v\"=\"1\"\n");
	patch_file(p, "Q\0\xac\x20Q\0", "Q\0\x00\xd8Q\0", 6);
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "q\xed\xa0\x80q", &k),
	    OFFMIG_OK);
	ck_assert_ptr_nonnull(s = hive_key_name(ctx, h, k));
	ck_assert_str_eq(s, "Q\xed\xa0\x80Q");
	free(s);
	ck_assert_ptr_nonnull(s = hive_key_path(ctx, h, k));
	ck_assert_str_eq(s, "Q\xed\xa0\x80Q");
	free(s);
	hive_close(h);
}
END_TEST

START_TEST(test_builder_api)
{
	static const unsigned char lone[] = { 'x', 0, 0x00, 0xDC, 0, 0 };
	struct hive_builder *b;
	struct hive_value v[3];
	struct hive *h;
	unsigned char *big;
	char p[512], *s;
	hnode k, k2;
	uint32_t dw;

	ck_assert_int_eq(hive_create_empty(ctx, tpath(p, sizeof(p), "b.hiv"),
	    "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, p, &b), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "A\\B", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "a\\b", &k2), OFFMIG_OK);
	ck_assert(k == k2);
	v[0] = (struct hive_value){ "one", REG_DWORD, "\1\0\0\0", 4 };
	v[1] = (struct hive_value){ "two", REG_DWORD, "\2\0\0\0", 4 };
	ck_assert_int_eq(hive_builder_set(b, k, v, 2), OFFMIG_OK);
	/* Merged: "one" kept, "TWO" replaced, "lone" added. */
	v[0] = (struct hive_value){ "TWO", REG_DWORD, "\3\0\0\0", 4 };
	v[1] = (struct hive_value){ "lone", REG_SZ, lone, sizeof(lone) };
	ck_assert_int_eq(hive_builder_set(b, k, v, 2), OFFMIG_OK);
	/* More than hivex can allocate at once is refused. */
	ck_assert_ptr_nonnull(big = calloc(1, 1100000));
	v[0] = (struct hive_value){ "big", REG_BINARY, big, 1100000 };
	ck_assert_int_eq(hive_builder_set(b, k, v, 1), OFFMIG_EINVAL);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "'big'"));
	/* A large value that fits one cell is fine in a 1.3 hive. */
	v[0] = (struct hive_value){ "large", REG_BINARY, big, 200000 };
	ck_assert_int_eq(hive_builder_set(b, k, v, 1), OFFMIG_OK);
	free(big);
	ck_assert_int_eq(hive_builder_commit(b), OFFMIG_OK);

	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "A\\B", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "one", &dw), OFFMIG_OK);
	ck_assert_uint_eq(dw, 1);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "two", &dw), OFFMIG_OK);
	ck_assert_uint_eq(dw, 3);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "lone", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "x\xed\xb0\x80");
	free(s);
	hive_close(h);

	/* Abort writes nothing; NULL is fine. */
	ck_assert_int_eq(hive_builder_open(ctx, p, &b), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "Gone", &k), OFFMIG_OK);
	hive_builder_abort(b);
	hive_builder_abort(NULL);
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "Gone", &k), OFFMIG_ENOTFOUND);
	hive_close(h);
	hive_close(NULL);
}
END_TEST

START_TEST(test_set_sequences_file)
{
	struct hive *h;
	char p[512];

	build_hive(tpath(p, sizeof(p), "d.hiv"), "[A]\n");
	ck_assert_int_eq(hive_file_set_sequences(ctx, p, 195, 194), OFFMIG_OK);
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_uint_eq(hive_info(h)->seq1, 195);
	ck_assert_uint_eq(hive_info(h)->seq2, 194);
	ck_assert_int_eq(hive_info(h)->checksum_ok, 1);
	ck_assert_int_eq(hive_info(h)->dirty, 1);
	hive_close(h);
	ck_assert_int_eq(hive_file_set_sequences(ctx,
	    tpath(p, sizeof(p), "none"), 1, 1), OFFMIG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), p));
}
END_TEST

/*
 * regtext: the .reg-like parser.
 */

struct bad_reg {
	const char	*text;
	const char	*where;		/* "test.reg:N:" */
	const char	*what;		/* part of the message */
};

static const struct bad_reg bad_regs[] = {
	{ "\"x\"=\"1\"\n", "test.reg:1:", "before any [key]" },
	{ "[A]\n\n\"x\"=dword:123456789\n", "test.reg:3:", "dword" },
	{ "[A]\n\"x\"=qword:zz\n", "test.reg:2:", "qword" },
	{ "[A]\n\"x\"=\"open\n", "test.reg:2:", "unterminated" },
	{ "[A]\n\"x=\"1\"\n", "test.reg:2:", "" },
	{ "[A\n", "test.reg:1:", "]" },
	{ "REGEDIT4\n[A]\n\"x\"=hex:0g\n", "test.reg:3:", "hex" },
	{ "[A]\n\"x\"=hex:01,02,\\\n  03,4\n", "test.reg:2:", "hex" },
	{ "[A]\n\"x\"=hex(zz):01\n", "test.reg:2:", "hex(" },
	{ "[A]\n\"x\"=bogus\n", "test.reg:2:", "unknown value type" },
	{ "[A]\n\"x\" \"y\"\n", "test.reg:2:", "'='" },
	{ "[A]\nnoquote=1\n", "test.reg:2:", "expected" },
	{ "[A]\n\"x\"=\"1\" trailing\n", "test.reg:2:", "after" },
	{ "[A]\n\"x\"=multi:\"a\",b\n", "test.reg:2:", "multi" },
	{ "; c\n[-]\n", "test.reg:2:", "no key name" },
	{ "[A]\n\"x\"=dword:\n", "test.reg:2:", "dword" },
};

START_TEST(test_reg_errors)
{
	const struct bad_reg *br = &bad_regs[_i];
	struct hive_builder *b;
	char p[512];

	ck_assert_int_eq(hive_create_empty(ctx, tpath(p, sizeof(p), "r.hiv"),
	    "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, p, &b), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_apply_reg(b, br->text, strlen(br->text),
	    "test.reg"), OFFMIG_EINVAL);
	ck_assert_msg(strncmp(offmig_errmsg(ctx), br->where,
	    strlen(br->where)) == 0, "case %d: '%s' does not start with '%s'",
	    _i, offmig_errmsg(ctx), br->where);
	ck_assert_msg(strstr(offmig_errmsg(ctx), br->what) != NULL,
	    "case %d: '%s' does not say '%s'", _i, offmig_errmsg(ctx),
	    br->what);
	hive_builder_abort(b);
}
END_TEST

/* Input that is not text at all fails cleanly (or applies), never crashes. */
START_TEST(test_reg_binary_junk)
{
	static const char junk[] =
	    "[A]\n\"\0x\"=\"\xff\xfe\"\n[\0]\n\"a\"=hex(\0";
	struct hive_builder *b;
	char p[512];
	int ret;

	ck_assert_int_eq(hive_create_empty(ctx, tpath(p, sizeof(p), "j.hiv"),
	    "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, p, &b), OFFMIG_OK);
	ret = hive_builder_apply_reg(b, junk, sizeof(junk) - 1, "junk.reg");
	ck_assert(ret == OFFMIG_OK || ret == OFFMIG_EINVAL);
	if (ret != OFFMIG_OK)
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "junk.reg:"));
	hive_builder_abort(b);
}
END_TEST

/*
 * logs: discovery beside a hive.
 */

/* A log file: base block of type file_type, then sig at 512. */
static void
write_log(const char *path, uint32_t file_type, uint32_t s1, uint32_t s2,
    const char *sig)
{
	unsigned char buf[1024];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, "regf", 4);
	put_le32(buf + 0x14, 1);
	put_le32(buf + 0x18, 3);
	put_le32(buf + 0x1C, file_type);
	put_le32(buf + 0x20, 1);
	regf_set_sequences(buf, s1, s2);
	memcpy(buf + 512, sig, 4);
	t_write_file(path, buf, sizeof(buf));
}

START_TEST(test_logs_found)
{
	struct hive_log *logs = (struct hive_log *)&logs;
	size_t n = 99;
	char p[512], q[512];
	int dfd;

	build_hive(tpath(p, sizeof(p), "NTUSER.DAT"), "[A]\n");
	write_log(tpath(p, sizeof(p), "ntuser.dat.LOG1"), 6, 12, 12, "HvLE");
	t_write_file(tpath(p, sizeof(p), "NtUser.Dat.log2"), "", 0);
	write_log(tpath(p, sizeof(p), "ntuser.dat.log"), 1, 5, 4, "DIRT");
	/* Not logs: a link, a wrong suffix, a longer name, a directory. */
	ck_assert_int_eq(symlink("ntuser.dat.LOG1",
	    tpath(p, sizeof(p), "NTUSER.DAT.LOG1")), 0);
	write_log(tpath(p, sizeof(p), "NTUSER.DAT.LOG3"), 6, 1, 1, "HvLE");
	write_log(tpath(p, sizeof(p), "NTUSER.DATX.LOG1"), 6, 1, 1, "HvLE");
	ck_assert_int_eq(mkdir(tpath(p, sizeof(p), "NTUSER.DAT.LOG2"), 0755),
	    0);

	ck_assert_int_ge(dfd = open(tmpdir, O_RDONLY | O_DIRECTORY), 0);
	ck_assert_int_eq(hive_find_logs(ctx, dfd, tmpdir, "NTUSER.DAT", &logs,
	    &n), OFFMIG_OK);
	ck_assert_uint_eq(n, 3);
	/* Ordered .LOG, .LOG1, .LOG2. */
	ck_assert_str_eq(logs[0].name, "ntuser.dat.log");
	ck_assert_int_eq(logs[0].format, 1);
	ck_assert_uint_eq(logs[0].seq1, 5);
	ck_assert_uint_eq(logs[0].seq2, 4);
	ck_assert_uint_eq(logs[0].size, 1024);
	ck_assert_str_eq(logs[1].name, "ntuser.dat.LOG1");
	ck_assert_str_eq(logs[1].host_path,
	    tpath(q, sizeof(q), "ntuser.dat.LOG1"));
	ck_assert_int_eq(logs[1].format, 2);
	ck_assert_uint_eq(logs[1].seq1, 12);
	ck_assert_str_eq(logs[2].name, "NtUser.Dat.log2");
	ck_assert_int_eq(logs[2].format, 0);
	ck_assert_uint_eq(logs[2].size, 0);
	hive_logs_free(logs, n);

	/* Non-ASCII hive names match as Windows matches them. */
	build_hive(tpath(p, sizeof(p), "\xc3\x84RGER.DAT"), "[A]\n");
	write_log(tpath(p, sizeof(p), "\xc3\xa4rger.dat.LOG1"), 2, 3, 3,
	    "DIRT");
	/* An old-format log without its dirty vector is not recognised. */
	write_log(tpath(p, sizeof(p), "\xc3\xa4rger.dat.LOG2"), 2, 3, 3,
	    "XXXX");
	ck_assert_int_eq(hive_find_logs(ctx, dfd, tmpdir, "\xc3\x84RGER.DAT",
	    &logs, &n), OFFMIG_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(logs[0].format, 1);
	ck_assert_int_eq(logs[1].format, 0);
	hive_logs_free(logs, n);

	ck_assert_int_eq(hive_find_logs(ctx, dfd, tmpdir, "SAM", &logs, &n),
	    OFFMIG_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(logs);
	hive_logs_free(NULL, 0);
	close(dfd);
}
END_TEST

/*
 * corpus: real hives (skipped visibly when the corpus is absent).
 */

START_TEST(test_corpus_clean_ntuser)
{
	struct hive *h;
	char p[1024];

	if (t_corpus(p, sizeof(p), "regipy/NTUSER.DAT") == NULL)
		T_SKIP_NO_CORPUS("regipy/NTUSER.DAT");
	ck_assert_msg(hive_open_path(ctx, p, &h) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_uint_eq(hive_info(h)->seq1, 749);
	ck_assert_uint_eq(hive_info(h)->seq2, 749);
	ck_assert_int_eq(hive_info(h)->checksum_ok, 1);
	ck_assert_int_eq(hive_info(h)->dirty, 0);
	hive_close(h);
}
END_TEST

START_TEST(test_corpus_dirty_with_logs)
{
	struct hive_log *logs;
	struct hive *h;
	char p[1024], dir[1024];
	size_t n;
	int dfd;

	if (t_corpus(p, sizeof(p), "museum/Registry/Win10/RathbunVM/NTUSER.DAT")
	    == NULL)
		T_SKIP_NO_CORPUS("museum/Registry/Win10/RathbunVM/NTUSER.DAT");
	ck_assert_msg(hive_open_path(ctx, p, &h) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_uint_eq(hive_info(h)->seq1, 195);
	ck_assert_uint_eq(hive_info(h)->seq2, 194);
	ck_assert_int_eq(hive_info(h)->dirty, 1);
	hive_close(h);

	t_corpus(dir, sizeof(dir), "museum/Registry/Win10/RathbunVM");
	ck_assert_int_ge(dfd = open(dir, O_RDONLY | O_DIRECTORY), 0);
	ck_assert_int_eq(hive_find_logs(ctx, dfd, dir, "NTUSER.DAT", &logs,
	    &n), OFFMIG_OK);
	close(dfd);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(logs[0].name, "ntuser.dat.LOG1");
	ck_assert_str_eq(logs[1].name, "ntuser.dat.LOG2");
	ck_assert_int_eq(logs[0].format, 2);
	ck_assert_int_eq(logs[1].format, 2);
	ck_assert_uint_eq(logs[0].size, 339968);
	hive_logs_free(logs, n);
}
END_TEST

START_TEST(test_corpus_old_log)
{
	struct hive_log *logs;
	char dir[1024];
	size_t n;
	int dfd;

	if (t_corpus(dir, sizeof(dir), "dfwinreg/old_14bc0f1/NTUSER.DAT.LOG")
	    == NULL)
		T_SKIP_NO_CORPUS("dfwinreg/old_14bc0f1/NTUSER.DAT.LOG");
	t_corpus(dir, sizeof(dir), "dfwinreg/old_14bc0f1");
	ck_assert_int_ge(dfd = open(dir, O_RDONLY | O_DIRECTORY), 0);
	ck_assert_int_eq(hive_find_logs(ctx, dfd, dir, "ntuser.dat", &logs,
	    &n), OFFMIG_OK);
	close(dfd);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(logs[0].name, "NTUSER.DAT.LOG");
	ck_assert_int_eq(logs[0].format, 1);
	hive_logs_free(logs, n);
}
END_TEST

/* Files hivex refuses (CATALOG "hivex failures"), and files not hives. */
static const char *const broken_hives[] = {
	"ez_registry/Hives/SAMBadHBinHeader",
	"ez_registry/Hives/SAN(OTHER)",
	"regipy/corrupted_system_hive",
	"yarp/hives_for_tests/BadBaseBlockHive/BadBaseBlockHive",
	"ez_registry/Hives/NotAHive",
	"dfwinreg/SYSTEM.DAT",
	"yarp/hives_for_tests/EffectiveSizeHive",
	"yarp/hives_for_tests/GarbageHive",
	"yarp/hives_for_tests/TruncatedHive",
	"yarp/hives_for_tests/TruncatedDirtyHive",
	"yarp/hives_for_tests/BadListHive",
	"yarp/hives_for_tests/BadSubkeyHive",
	"yarp/hives_for_tests/TruncatedNameHive",
	"yarp/hives_for_tests/DeletedDataHiveTruncated",
	"plaso/regf/corrupt_sub_key_list.hiv",
};

START_TEST(test_corpus_broken)
{
	const char *rel = broken_hives[_i];
	char p[1024];
	int ret;

	if (t_corpus(p, sizeof(p), rel) == NULL) {
		fprintf(stderr, "SKIP: %s: corpus file %s is absent\n",
		    __func__, rel);
		return;
	}
	ret = open_and_walk(p);
	/* Not a regf file at all: refused before hivex sees it. */
	if (strstr(rel, "NotAHive") != NULL || strstr(rel, "SYSTEM.DAT") !=
	    NULL) {
		ck_assert_int_eq(ret, OFFMIG_ECORRUPT);
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
		    "no regf signature"));
	}
	/* Damaged hive bins: the offset is named. */
	if (strstr(rel, "SAMBadHBinHeader") != NULL) {
		ck_assert_int_eq(ret, OFFMIG_ECORRUPT);
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
		    "hbin signature missing at offset 0x2000"));
	}
	if (strstr(rel, "corrupted_system_hive") != NULL) {
		ck_assert_int_eq(ret, OFFMIG_ECORRUPT);
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
		    "hbin signature missing at offset 0x1a000"));
	}
	/* Only its checksum is bad: it opens (from a private copy). */
	if (strstr(rel, "SAN(OTHER)") != NULL)
		ck_assert_int_eq(ret, OFFMIG_OK);
}
END_TEST

START_TEST(test_corpus_tombstones)
{
	static const char *const vals[][2] = {
		{ "ControlSet001\\Services\\XboxNetApiSvc", "DisplayName" },
		{ "ControlSet001\\Control\\Session Manager\\Memory Management",
		    "ExistingPageFiles" },
	};
	struct hive *h;
	char p[1024], *s = (char *)"untouched";
	size_t budget = 10000, i;
	hnode k;
	int ret, seen = 0;

	if (t_corpus(p, sizeof(p), "yarp/hives_for_tests/System_Delta") == NULL)
		T_SKIP_NO_CORPUS("yarp/hives_for_tests/System_Delta");
	ck_assert_msg(hive_open_path(ctx, p, &h) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		if (hive_lookup(ctx, h, 0, vals[i][0], &k) != OFFMIG_OK)
			continue;
		ret = hive_get_string(ctx, h, k, vals[i][1], &s, NULL);
		if (ret == OFFMIG_ENOTFOUND)
			continue;
		ck_assert_int_eq(ret, OFFMIG_ECORRUPT);
		ck_assert_ptr_null(s);
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), p));
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), vals[i][1]));
		seen++;
	}
	ck_assert_int_eq(seen, 2);
	walk(h, hive_root(h), 0, &budget);
	hive_close(h);
}
END_TEST

static void
corpus_string(const char *rel, const char *key, const char *value,
    const char *want)
{
	struct hive *h;
	char p[1024], *s;
	hnode k;

	if (t_corpus(p, sizeof(p), rel) == NULL) {
		fprintf(stderr, "SKIP: corpus file %s is absent\n", rel);
		return;
	}
	ck_assert_msg(hive_open_path(ctx, p, &h) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_msg(hive_lookup(ctx, h, 0, key, &k) == OFFMIG_OK, "%s: %s",
	    key, offmig_errmsg(ctx));
	ck_assert_msg(hive_get_string(ctx, h, k, value, &s, NULL) == OFFMIG_OK,
	    "%s", offmig_errmsg(ctx));
	ck_assert_str_eq(s, want);
	free(s);
	hive_close(h);
}

START_TEST(test_corpus_computername)
{
	corpus_string("dissect.regf/_data/SYSTEM",
	    "ControlSet001\\Control\\ComputerName\\ComputerName",
	    "ComputerName", "DESKTOP-M3OSHQU");
	/* The same, spelt in another case. */
	corpus_string("dissect.regf/_data/SYSTEM",
	    "controlset001\\CONTROL\\computername\\COMPUTERNAME",
	    "computername", "DESKTOP-M3OSHQU");
}
END_TEST

START_TEST(test_corpus_reactos)
{
	corpus_string("reactos/SOFTWARE",
	    "Microsoft\\Windows NT\\CurrentVersion", "ProductName", "ReactOS");
}
END_TEST

/*
 * hostile: damaged copies of a generated hive never crash.
 */

/* A fixed generator: the same damage on every run. */
static uint32_t
prng(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static unsigned char *
hostile_source(char *p, size_t size, size_t *lenp)
{
	build_hive(tpath(p, size, "src.hiv"), roundtrip_reg);
	return t_read_file(p, lenp);
}

START_TEST(test_hostile_truncated)
{
	unsigned char *buf;
	size_t len, cut;
	char p[512];

	buf = hostile_source(p, sizeof(p), &len);
	tpath(p, sizeof(p), "cut.hiv");
	for (cut = 0; cut < len; cut += cut < 8300 ? 509 : 97) {
		t_write_file(p, buf, cut);
		(void)open_and_walk(p);
	}
	free(buf);
}
END_TEST

START_TEST(test_hostile_bitflips)
{
	unsigned char *buf, *copy;
	uint32_t state = 0x2545F491;
	size_t len, i;
	char p[512];
	int round, flips;

	buf = hostile_source(p, sizeof(p), &len);
	ck_assert_ptr_nonnull(copy = malloc(len));
	tpath(p, sizeof(p), "flip.hiv");
	for (round = 0; round < 200; round++) {
		memcpy(copy, buf, len);
		flips = 1 + (int)(prng(&state) % 8);
		for (i = 0; i < (size_t)flips; i++) {
			/* Mostly in the bins, where the records are. */
			size_t at = round % 4 == 0 ? prng(&state) % len :
			    4096 + prng(&state) % (len - 4096);

			copy[at] ^= (unsigned char)(1u << (prng(&state) % 8));
		}
		/* Keep the checksum right half the time, to get past it. */
		if (round % 2 == 0)
			put_le32(copy + 0x1FC, regf_checksum(copy));
		t_write_file(p, copy, len);
		(void)open_and_walk(p);
	}
	free(copy);
	free(buf);
}
END_TEST

static Suite *
hive_suite(void)
{
	Suite *s = suite_create("hive");
	TCase *tc;

	tc = tcase_create("regf");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_checksum_fixups);
	tcase_add_test(tc, test_parse_fields);
	tcase_add_test(tc, test_parse_not_regf);
	tcase_add_test(tc, test_parse_dirty);
	tcase_add_test(tc, test_open_checksum_fixup);
	tcase_add_test(tc, test_open_bad_checksum);
	tcase_add_test(tc, test_open_not_a_hive);
	tcase_add_test(tc, test_open_bad_hbin);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_create_empty);
	tcase_add_test(tc, test_hivex_tools_read_it);
	tcase_add_test(tc, test_roundtrip_strings);
	tcase_add_test(tc, test_roundtrip_numbers);
	tcase_add_test(tc, test_roundtrip_multi_binary);
	tcase_add_test(tc, test_lookup_case_insensitive);
	tcase_add_test(tc, test_key_name_lone_surrogate);
	tcase_add_test(tc, test_builder_api);
	tcase_add_test(tc, test_set_sequences_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("regtext");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_reg_errors, 0,
	    (int)(sizeof(bad_regs) / sizeof(bad_regs[0])));
	tcase_add_test(tc, test_reg_binary_junk);
	suite_add_tcase(s, tc);

	tc = tcase_create("logs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_logs_found);
	suite_add_tcase(s, tc);

	tc = tcase_create("corpus");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_corpus_clean_ntuser);
	tcase_add_test(tc, test_corpus_dirty_with_logs);
	tcase_add_test(tc, test_corpus_old_log);
	tcase_add_loop_test(tc, test_corpus_broken, 0,
	    (int)(sizeof(broken_hives) / sizeof(broken_hives[0])));
	tcase_add_test(tc, test_corpus_tombstones);
	tcase_add_test(tc, test_corpus_computername);
	tcase_add_test(tc, test_corpus_reactos);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_hostile_truncated);
	tcase_add_test(tc, test_hostile_bitflips);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hive_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
