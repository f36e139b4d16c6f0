/*
 * check_regtext.c - .reg text as regedit writes it and reads it: exact
 * output for each value type, line wrapping, names, both encodings; JSON
 * export; regedit-style input (UTF-16LE with BOM, CRLF, continuations,
 * deletions, REGEDIT4); malformed input; and real hives exported, imported
 * into an empty hive and exported again to the same text.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "common/doc.h"
#include "hive/hive.h"
#include "hive/regexport.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char tmpdir[256];

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	t_tmpdir_make(tmpdir, sizeof(tmpdir), "check_regtext");
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

/* Exports key of h to memory; *lenp gets the size.  Caller frees. */
static char *
export_mem(struct hive *h, hnode key, const char *prefix,
    enum regexport_enc enc, int recursive, size_t *lenp)
{
	struct regexport_opts o = { prefix, enc, recursive };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	ck_assert_ptr_nonnull(fp = open_memstream(&buf, &len));
	ck_assert_msg(hive_export_reg(ctx, h, key, &o, fp) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(fclose(fp), 0);
	*lenp = len;
	return buf;
}

/* A new empty hive at path, with text applied (prefix as given). */
static int
import_text(const char *path, const char *text, size_t len,
    const char *prefix)
{
	struct hive_builder *b;
	int ret;

	ck_assert_int_eq(hive_create_empty(ctx, path, "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, path, &b), OFFMIG_OK);
	if ((ret = hive_builder_apply_reg_prefix(b, text, len, "in.reg",
	    prefix)) != OFFMIG_OK) {
		hive_builder_abort(b);
		return ret;
	}
	return hive_builder_commit(b);
}

/* Builds a hive from raw values through the builder API (no parser). */
struct gold_val {
	const char	*name;
	uint32_t	 type;
	const char	*data;
	size_t		 len;
};

#define V(n, t, d)	{ n, t, d, sizeof(d) - 1 }

static const unsigned char bin60[60] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
	0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
	0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
	0x37, 0x38, 0x39, 0x3a, 0x3b
};

static const struct gold_val gold_vals[] = {
	V("", REG_SZ, "d\0e\0f\0\0\0"),
	V("Quote\"Back\\slash", REG_SZ,
	    "s\0a\0y\0 \0\"\0h\0i\0\"\0 \0C\0:\0\\\0d\0\\\0\0\0"),
	V("Empty", REG_SZ, "\0\0"),
	V("NoData", REG_SZ, ""),
	V("Exp", REG_EXPAND_SZ, "%\0W\0%\0\0\0"),
	V("Multi", REG_MULTI_SZ, "a\0\0\0\0\0b\0\0\0\0\0"),
	V("Dword", REG_DWORD, "\x2a\0\0\0"),
	V("DwordBig", REG_DWORD, "\xef\xbe\xad\xde"),
	V("Dword3", REG_DWORD, "\1\2\3"),
	V("Qword", REG_QWORD, "\2\0\0\0\1\0\0\0"),
	{ "Bin", REG_BINARY, (const char *)bin60, sizeof(bin60) },
	V("None", REG_NONE, ""),
	V("Odd", 0x20000, "\1\2"),
	V("OddSz", REG_SZ, "A\0B"),
	V("NoNul", REG_SZ, "A\0B\0"),
	V("AfterNul", REG_SZ, "A\0\0\0B\0\0\0"),
	V("Lines", REG_SZ, "a\0\r\0\n\0b\0\0\0"),
	V("Lone", REG_SZ, "\0\xd8\0\0"),
	V("\xc3\x84rger \xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", REG_SZ,
	    "\xe5\x65\x2c\x67\0\0"),
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", REG_BINARY,
	    (const char *)bin60, 26 },
	{ "\xf0\x9f\x98\x80", REG_BINARY, (const char *)bin60, 26 },
	{ "N23456789012345678901234567890123456789012345678901234567890"
	    "123456789012345", REG_BINARY, (const char *)bin60, 3 },
};

/* What regedit writes for gold_vals, key by key, with LF line ends. */
static const char gold_text[] =
    "Windows Registry Editor Version 5.00\n"
    "\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE]\n"
    "\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Gold]\n"
    "@=\"def\"\n"
    "\"Quote\\\"Back\\\\slash\"=\"say \\\"hi\\\" C:\\\\d\\\\\"\n"
    "\"Empty\"=\"\"\n"
    "\"NoData\"=hex(1):\n"
    "\"Exp\"=hex(2):25,00,57,00,25,00,00,00\n"
    "\"Multi\"=hex(7):61,00,00,00,00,00,62,00,00,00,00,00\n"
    "\"Dword\"=dword:0000002a\n"
    "\"DwordBig\"=dword:deadbeef\n"
    "\"Dword3\"=hex(4):01,02,03\n"
    "\"Qword\"=hex(b):02,00,00,00,01,00,00,00\n"
    "\"Bin\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,"
    "13,14,15,16,\\\n"
    "  17,18,19,1a,1b,1c,1d,1e,1f,20,21,22,23,24,25,26,27,28,29,2a,2b,2c,"
    "2d,2e,2f,\\\n"
    "  30,31,32,33,34,35,36,37,38,39,3a,3b\n"
    "\"None\"=hex(0):\n"
    "\"Odd\"=hex(20000):01,02\n"
    "\"OddSz\"=hex(1):41,00,42\n"
    "\"NoNul\"=hex(1):41,00,42,00\n"
    "\"AfterNul\"=hex(1):41,00,00,00,42,00,00,00\n"
    "\"Lines\"=hex(1):61,00,0d,00,0a,00,62,00,00,00\n"
    "\"Lone\"=hex(1):00,d8,00,00\n"
    "\"\xc3\x84rger \xd0\xba\xd0\xbb\xd1\x8e\xd1\x87\"=\"\xe6\x97\xa5"
    "\xe6\x9c\xac\"\n"
    /* 3 UTF-16 units of name: 23 bytes fit the first line, as for "Bin". */
    "\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"=hex:00,01,02,03,04,05,06,07,"
    "08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,16,\\\n"
    "  17,18,19\n"
    /* A surrogate pair is 2 units: 9 + 3 * 23 = 78. */
    "\"\xf0\x9f\x98\x80\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,"
    "0e,0f,10,11,12,13,14,15,16,\\\n"
    "  17,18,19\n"
    /* A name past column 77: one byte, then the wrap. */
    "\"N23456789012345678901234567890123456789012345678901234567890"
    "123456789012345\"=hex:00,\\\n"
    "  01,02\n"
    "\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Gold\\Br]acket]\n"
    "\"x\"=dword:00000001\n"
    "\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Gold\\\xc3\x84rger]\n"
    "\n";

static void
build_gold(const char *path)
{
	struct hive_value hv[sizeof(gold_vals) / sizeof(gold_vals[0])];
	struct hive_value one = { "x", REG_DWORD, "\1\0\0\0", 4 };
	struct hive_builder *b;
	hnode k;
	size_t i;

	for (i = 0; i < sizeof(gold_vals) / sizeof(gold_vals[0]); i++) {
		hv[i].name = gold_vals[i].name;
		hv[i].type = gold_vals[i].type;
		hv[i].data = gold_vals[i].data;
		hv[i].len = gold_vals[i].len;
	}
	ck_assert_int_eq(hive_create_empty(ctx, path, "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, path, &b), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "Gold", &k), OFFMIG_OK);
	ck_assert_msg(hive_builder_set(b, k, hv, i) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_int_eq(hive_builder_key(b, "Gold\\Br]acket", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_set(b, k, &one, 1), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "Gold\\\xc3\x84rger", &k),
	    OFFMIG_OK);
	ck_assert_int_eq(hive_builder_commit(b), OFFMIG_OK);
}

/* The expected UTF-8 text as regedit's UTF-16LE file: BOM, CRLF. */
static unsigned char *
as_utf16(const char *lf, size_t *lenp)
{
	size_t n = strlen(lf), i, o = 0, ul;
	char *crlf = malloc(2 * n + 1);
	unsigned char *u, *out;

	ck_assert_ptr_nonnull(crlf);
	for (i = 0; i < n; i++) {
		if (lf[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = lf[i];
	}
	ck_assert_ptr_nonnull(u = utf8_to_utf16le(crlf, o, &ul));
	ck_assert_ptr_nonnull(out = malloc(ul + 2));
	out[0] = 0xFF;
	out[1] = 0xFE;
	memcpy(out + 2, u, ul);
	free(u);
	free(crlf);
	*lenp = ul + 2;
	return out;
}

START_TEST(test_golden_utf8)
{
	struct hive *h;
	char p[512], *out;
	size_t len;

	build_gold(tpath(p, sizeof(p), "gold.hiv"));
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	out = export_mem(h, 0, "HKEY_LOCAL_MACHINE\\SOFTWARE", REGEXPORT_UTF8,
	    1, &len);
	ck_assert_uint_eq(len, strlen(out));
	ck_assert_str_eq(out, gold_text);
	free(out);
	hive_close(h);
}
END_TEST

START_TEST(test_golden_utf16)
{
	unsigned char *want;
	struct hive *h;
	char p[512], *out;
	size_t len, wlen, i;

	build_gold(tpath(p, sizeof(p), "gold.hiv"));
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	out = export_mem(h, 0, "HKEY_LOCAL_MACHINE\\SOFTWARE", REGEXPORT_UTF16,
	    1, &len);
	/* BOM, "W", "i": regedit's first bytes; every line ends in CR LF. */
	ck_assert_int_eq(memcmp(out, "\xFF\xFEW\0i\0", 6), 0);
	ck_assert_int_eq(memcmp(out + 2 + 36 * 2, "\r\0\n\0\r\0\n\0[\0", 10),
	    0);
	want = as_utf16(gold_text, &wlen);
	ck_assert_uint_eq(len, wlen);
	for (i = 0; i < len; i++)
		ck_assert_msg(out[i] == (char)want[i], "byte %zu differs", i);
	free(want);
	free(out);
	hive_close(h);
}
END_TEST

/* Exports one key without its subkeys, and the start key's full path. */
START_TEST(test_export_one_key)
{
	struct hive *h;
	char p[512], *out;
	size_t len;
	hnode k;

	build_gold(tpath(p, sizeof(p), "gold.hiv"));
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "gold\\BR]ACKET", &k),
	    OFFMIG_OK);
	out = export_mem(h, k, "HKEY_USERS\\S-1-5-18", REGEXPORT_UTF8, 0,
	    &len);
	ck_assert_str_eq(out, "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_USERS\\S-1-5-18\\Gold\\Br]acket]\n"
	    "\"x\"=dword:00000001\n\n");
	free(out);
	/* No prefix: the root key's own name starts the paths. */
	out = export_mem(h, k, NULL, REGEXPORT_UTF8, 0, &len);
	ck_assert_ptr_nonnull(strstr(out, "\n[ROOT\\Gold\\Br]acket]\n"));
	free(out);
	hive_close(h);
}
END_TEST

/* Windows' case rules for non-ASCII key names in lookups. */
START_TEST(test_lookup_non_ascii)
{
	static const char *const pairs[][2] = {
		{ "\xc3\x84rger", "\xc3\xa4rger" },		/* Ärger */
		{ "\xc3\x84RGER", "\xc3\xa4rger" },
		{ "\xd0\x9a\xd0\x9b\xd0\xae\xd0\xa7",		/* КЛЮЧ */
		    "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87" },
		{ "\xd0\x81", "\xd1\x91" },			/* Ё ё */
		{ "\xce\xa3\xce\xa3", "\xcf\x83\xcf\x82" },	/* ΣΣ σς */
		{ "\xc5\xb8", "\xc3\xbf" },			/* Ÿ ÿ */
		{ "\xc5\x81\xc3\xb3" "d\xc5\xba",
		    "\xc5\x82\xc3\x93" "D\xc5\xb9" },
	};
	struct hive_builder *b;
	struct hive *h;
	char p[512], *name;
	size_t i;
	hnode k, found;

	ck_assert_int_eq(hive_create_empty(ctx, tpath(p, sizeof(p), "l.hiv"),
	    "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, p, &b), OFFMIG_OK);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (i != 1)
			ck_assert_int_eq(hive_builder_key(b, pairs[i][0], &k),
			    OFFMIG_OK);
	ck_assert_int_eq(hive_builder_commit(b), OFFMIG_OK);
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		ck_assert_msg(hive_lookup(ctx, h, 0, pairs[i][1], &found) ==
		    OFFMIG_OK, "'%s' not found as '%s'", pairs[i][0],
		    pairs[i][1]);
		ck_assert_ptr_nonnull(name = hive_key_name(ctx, h, found));
		/* Ärger was created once: "ÄRGER" finds the same key. */
		ck_assert_str_eq(name, pairs[i == 1 ? 0 : i][0]);
		free(name);
	}
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "\xc3\xa4rgen", &found),
	    OFFMIG_ENOTFOUND);
	ck_assert_uint_eq(found, 0);
	hive_close(h);
}
END_TEST

START_TEST(test_value_text)
{
	static const struct {
		uint32_t	 type;
		const char	*data;
		size_t		 len;
		const char	*want;
	} cases[] = {
		{ REG_SZ, "a\0\\\0\0\0", 6, "\"a\\\\\"" },
		{ REG_DWORD, "\x01\0\0\0", 4, "dword:00000001" },
		{ REG_QWORD, "\x01\0\0\0\0\0\0\0", 8,
		    "hex(b):01,00,00,00,00,00,00,00" },
		{ REG_BINARY, "", 0, "hex:" },
		{ 0xFFFFFFFF, "\xff", 1, "hex(ffffffff):ff" },
	};
	const char *want;
	char *s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_ptr_nonnull(s = regexport_value_text(cases[i].type,
		    cases[i].data, cases[i].len));
		ck_assert_str_eq(s, cases[i].want);
		free(s);
	}
	/* hive get prints long data on one line. */
	ck_assert_ptr_nonnull(s = regexport_value_text(REG_BINARY, bin60,
	    sizeof(bin60)));
	ck_assert_ptr_null(strchr(s, '\\'));
	ck_assert_uint_eq(strlen(s), 4 + 60 * 3 - 1);
	want = "hex:00,01,02";
	ck_assert_int_eq(strncmp(s, want, strlen(want)), 0);
	free(s);
}
END_TEST

START_TEST(test_json)
{
	const struct offmig_node *key, *vals, *v, *sub;
	struct offmig_node *arr;
	struct offmig_doc *doc;
	struct hive *h;
	char p[512], tn[32];
	size_t i;
	int seen = 0;

	build_gold(tpath(p, sizeof(p), "gold.hiv"));
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_ptr_nonnull(doc = doc_new());
	arr = doc_add_array(doc, doc_root_mut(doc), "keys");
	ck_assert_int_eq(hive_export_json(ctx, h, 0, 1, doc, arr), OFFMIG_OK);
	key = offmig_node_at(offmig_node_get(offmig_doc_root(doc), "keys"), 0);
	ck_assert_str_eq(offmig_node_get_str(key, "name"), "ROOT");
	ck_assert_str_eq(offmig_node_get_str(key, "path"), "");
	/* The hive's keys carry the fixed time hive_create_empty() uses. */
	ck_assert_str_eq(offmig_node_get_str(key, "last_write"),
	    "2024-01-01T00:00:00Z");
	key = offmig_node_at(offmig_node_get(key, "subkeys"), 0);
	ck_assert_str_eq(offmig_node_get_str(key, "path"), "Gold");
	vals = offmig_node_get(key, "values");
	ck_assert_uint_eq(offmig_node_len(vals),
	    sizeof(gold_vals) / sizeof(gold_vals[0]));
	for (i = 0; i < offmig_node_len(vals); i++) {
		const char *name;

		v = offmig_node_at(vals, i);
		name = offmig_node_get_str(v, "name");
		ck_assert_str_eq(name, gold_vals[i].name);
		ck_assert_str_eq(offmig_node_get_str(v, "type"),
		    regexport_type_name(gold_vals[i].type, tn, sizeof(tn)));
		ck_assert_int_eq(offmig_node_int(offmig_node_get(v, "size")),
		    (int64_t)gold_vals[i].len);
		if (strcmp(name, "") == 0) {
			ck_assert_str_eq(offmig_node_get_str(v, "data"), "def");
			seen++;
		} else if (strcmp(name, "Dword") == 0) {
			ck_assert_int_eq(offmig_node_int(offmig_node_get(v,
			    "data")), 42);
			seen++;
		} else if (strcmp(name, "Qword") == 0) {
			ck_assert_int_eq(offmig_node_int(offmig_node_get(v,
			    "data")), 0x100000002LL);
			seen++;
		} else if (strcmp(name, "Multi") == 0) {
			sub = offmig_node_get(v, "data");
			ck_assert_uint_eq(offmig_node_len(sub), 3);
			ck_assert_str_eq(offmig_node_str(offmig_node_at(sub, 0),
			    NULL), "a");
			ck_assert_str_eq(offmig_node_str(offmig_node_at(sub, 1),
			    NULL), "");
			ck_assert_str_eq(offmig_node_str(offmig_node_at(sub, 2),
			    NULL), "b");
			seen++;
		} else if (strcmp(name, "Odd") == 0) {
			ck_assert_str_eq(offmig_node_get_str(v, "type"),
			    "0x20000");
			ck_assert_str_eq(offmig_node_get_str(v, "data"),
			    "0102");
			ck_assert_ptr_null(offmig_node_get(v, "raw"));
			seen++;
		} else if (strcmp(name, "OddSz") == 0 ||
		    strcmp(name, "Dword3") == 0) {
			ck_assert_int_eq(offmig_node_int(offmig_node_get(v,
			    "raw")), 1);
			seen++;
		} else if (strcmp(name, "Lines") == 0) {
			/* JSON escapes line breaks: decoded. */
			ck_assert_str_eq(offmig_node_get_str(v, "data"),
			    "a\r\nb");
			seen++;
		}
	}
	ck_assert_int_eq(seen, 8);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(key, "subkeys")), 2);
	offmig_doc_free(doc);

	/* Not recursive: subkeys are listed by name only. */
	ck_assert_ptr_nonnull(doc = doc_new());
	arr = doc_add_array(doc, doc_root_mut(doc), "keys");
	ck_assert_int_eq(hive_export_json(ctx, h, 0, 0, doc, arr), OFFMIG_OK);
	key = offmig_node_at(offmig_node_get(offmig_doc_root(doc), "keys"), 0);
	sub = offmig_node_at(offmig_node_get(key, "subkeys"), 0);
	ck_assert_str_eq(offmig_node_get_str(sub, "name"), "Gold");
	ck_assert_ptr_null(offmig_node_get(sub, "values"));
	offmig_doc_free(doc);
	hive_close(h);
}
END_TEST

/* A first state of the hive, then regedit-style changes in UTF-16. */
static const char base_reg[] =
    "Windows Registry Editor Version 5.00\n\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\App]\n"
    "\"Keep\"=\"k\"\n\"Drop\"=dword:1\n@=\"d\"\n\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\App\\Old]\n\"v\"=\"1\"\n\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\App\\Old\\Deeper]\n\n";

static const char change_reg[] =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "; regedit writes no comments, but reads them \\\r\n"
    "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\app\\OLD]\r\n"
    "\r\n"
    "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\App\\Never]\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\App]\r\n"
    "\"drop\"=-\r\n"
    "@=-\r\n"
    "\"Missing\"=- ; nothing to delete\r\n"
    "\"Path\"=HEX(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,"
    "6f,00,\\\r\n"
    "  74,00,25,00,00,00\r\n"
    "\"N\"=DWORD:0000ABCD ; a comment\r\n"
    "\"\xc3\x84rger\"=\"\xe2\x82\xac\"\r\n"
    "\r\n";

START_TEST(test_parse_regedit_utf16)
{
	unsigned char *u16;
	struct hive *h;
	char p[512], *s, **names;
	size_t len, n;
	uint32_t dw, t;
	hnode k;

	ck_assert_int_eq(import_text(tpath(p, sizeof(p), "app.hiv"),
	    base_reg, strlen(base_reg), "HKEY_LOCAL_MACHINE\\SOFTWARE"),
	    OFFMIG_OK);
	/* Apply the changes as regedit's own file: BOM, UTF-16LE, CRLF. */
	{
		struct hive_builder *b;
		size_t ul;
		void *w = utf8_to_utf16le(change_reg, strlen(change_reg), &ul);

		ck_assert_ptr_nonnull(w);
		ck_assert_ptr_nonnull(u16 = malloc(ul + 2));
		u16[0] = 0xFF;
		u16[1] = 0xFE;
		memcpy(u16 + 2, w, ul);
		free(w);
		len = ul + 2;
		ck_assert_int_eq(hive_builder_open(ctx, p, &b), OFFMIG_OK);
		ck_assert_msg(hive_builder_apply_reg_prefix(b, (char *)u16,
		    len, "change.reg", "hkey_local_machine\\software") ==
		    OFFMIG_OK, "%s", offmig_errmsg(ctx));
		ck_assert_int_eq(hive_builder_commit(b), OFFMIG_OK);
		free(u16);
	}
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "App", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, k, "Old", &k), OFFMIG_ENOTFOUND);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "App", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_value_names(ctx, h, k, &names), OFFMIG_OK);
	for (n = 0; names[n] != NULL; n++)
		;
	hive_strv_free(names);
	ck_assert_uint_eq(n, 4);	/* Keep, Path, N, Ärger */
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "Drop", &dw),
	    OFFMIG_ENOTFOUND);
	ck_assert_int_eq(hive_value_type(ctx, h, k, "", NULL, NULL),
	    OFFMIG_ENOTFOUND);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Keep", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "k");
	free(s);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "path", &s, &t),
	    OFFMIG_OK);
	ck_assert_uint_eq(t, REG_EXPAND_SZ);
	ck_assert_str_eq(s, "%SystemRoot%");
	free(s);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "N", &dw), OFFMIG_OK);
	ck_assert_uint_eq(dw, 0xabcd);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "\xc3\xa4rger", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "\xe2\x82\xac");
	free(s);
	hive_close(h);
}
END_TEST

/* REGEDIT4: ANSI text, and hex(2)/hex(7) bytes widened to UTF-16. */
START_TEST(test_parse_regedit4)
{
	static const char text[] =
	    "REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\A]\r\n"
	    "\"Caf\xe9\"=\"\x80 5\"\r\n"
	    "\"E\"=hex(2):25,41,25,00\r\n"
	    "\"M\"=hex(7):61,00,80,00,00\r\n";
	struct hive *h;
	char p[512], *s, **m;
	uint32_t t;
	void *raw;
	size_t len;
	hnode k;

	ck_assert_msg(import_text(tpath(p, sizeof(p), "r4.hiv"), text,
	    sizeof(text) - 1, NULL) == OFFMIG_OK, "%s", offmig_errmsg(ctx));
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "A", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "caf\xc3\xa9", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "\xe2\x82\xac 5");
	free(s);
	ck_assert_int_eq(hive_get_raw(ctx, h, k, "E", &t, &raw, &len),
	    OFFMIG_OK);
	ck_assert_uint_eq(t, REG_EXPAND_SZ);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(memcmp(raw, "%\0A\0%\0\0\0", 8), 0);
	free(raw);
	ck_assert_int_eq(hive_get_multi(ctx, h, k, "M", &m), OFFMIG_OK);
	ck_assert_str_eq(m[0], "a");
	ck_assert_str_eq(m[1], "\xe2\x82\xac");
	ck_assert_ptr_null(m[2]);
	hive_strv_free(m);
	hive_close(h);
}
END_TEST

/* Malformed regedit-style input: a file:line error, never a crash. */
struct bad {
	const char	*text;
	size_t		 len;
	const char	*where;
	const char	*what;
};

#define B(t, w, x)	{ t, sizeof(t) - 1, w, x }

static const struct bad bads[] = {
	B("\xff\xfe[\0A\0]\0\n", "in.reg:", "odd number"),
	B("\xff\xfe[\0A\0]\0\n\0\0\0", "in.reg:2:", "NUL"),
	B("\xfe\xff\0[", "in.reg:", "big-endian"),
	B("[A]\n\"x\"=\"a\0b\"\n", "in.reg:2:", "NUL"),
	B("[-A]\n\"x\"=dword:1\n", "in.reg:2:", "deleted key"),
	B("[-]\n", "in.reg:1:", "no key name"),
	B("[-HKEY_X]\n", "in.reg:1:", "root key"),
	B("[HKEY_LOCAL_MACHINE\\OTHER\\A]\n", "in.reg:1:", "not under"),
	B("[HKEY_LOCAL_MACHINE\\SOFTWAREX]\n", "in.reg:1:", "not under"),
	B("[HKEY_LOCAL_MACHINE\\SOFTWARE]\n\"x\"=- junk\n", "in.reg:2:",
	    "unknown value type"),
	B("[HKEY_LOCAL_MACHINE\\SOFTWARE]\n\"x\"=dword:1 2\n", "in.reg:2:",
	    "dword"),
	B("[HKEY_LOCAL_MACHINE\\SOFTWARE]\n\"x\"=hex(2:00\n", "in.reg:2:",
	    "hex(type)"),
	B("[HKEY_LOCAL_MACHINE\\SOFTWARE]\n\n\"x\"=hex:00,\\\n  0z\n",
	    "in.reg:3:", "hex byte"),
};

START_TEST(test_parse_errors)
{
	const struct bad *bd = &bads[_i];
	struct hive_builder *b;
	char p[512];
	const char *prefix = _i >= 7 ? "HKEY_LOCAL_MACHINE\\SOFTWARE" : NULL;

	ck_assert_int_eq(hive_create_empty(ctx, tpath(p, sizeof(p), "e.hiv"),
	    "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, p, &b), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_apply_reg_prefix(b, bd->text, bd->len,
	    "in.reg", prefix), OFFMIG_EINVAL);
	ck_assert_msg(strncmp(offmig_errmsg(ctx), bd->where,
	    strlen(bd->where)) == 0, "case %d: '%s' does not start with '%s'",
	    _i, offmig_errmsg(ctx), bd->where);
	ck_assert_msg(strstr(offmig_errmsg(ctx), bd->what) != NULL,
	    "case %d: '%s' does not say '%s'", _i, offmig_errmsg(ctx),
	    bd->what);
	hive_builder_abort(b);
}
END_TEST

/*
 * A lone surrogate in a key and a value name (patched into the hive file,
 * since hivex writes only valid names) is written back as the same code
 * unit in UTF-16 output and as WTF-8 in UTF-8 output.
 */
START_TEST(test_lone_surrogate_names)
{
	/* "ĀZĀ" stored as UTF-16LE; the first unit becomes 0xD800. */
	static const unsigned char name16[] = { 0x00, 0x01, 'Z', 0, 0x00,
	    0x01 };
	struct hive_builder *b;
	struct hive_value hv = { "\xc4\x80Z\xc4\x80", REG_DWORD, "\1\0\0\0",
	    4 };
	struct hive *h;
	unsigned char *file;
	char p[512], *out;
	size_t len, i, hits = 0;
	FILE *fp;
	hnode k;

	ck_assert_int_eq(hive_create_empty(ctx, tpath(p, sizeof(p), "s.hiv"),
	    "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, p, &b), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "\xc4\x80Z\xc4\x80", &k),
	    OFFMIG_OK);
	ck_assert_int_eq(hive_builder_set(b, k, &hv, 1), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_commit(b), OFFMIG_OK);
	ck_assert_ptr_nonnull(fp = fopen(p, "r+b"));
	fseek(fp, 0, SEEK_END);
	len = (size_t)ftell(fp);
	rewind(fp);
	ck_assert_ptr_nonnull(file = malloc(len));
	ck_assert_uint_eq(fread(file, 1, len, fp), len);
	for (i = 4096; i + sizeof(name16) <= len; i++)
		if (memcmp(file + i, name16, sizeof(name16)) == 0) {
			file[i + 1] = 0xD8;
			hits++;
		}
	ck_assert_uint_eq(hits, 2);	/* the nk and the vk name */
	rewind(fp);
	ck_assert_uint_eq(fwrite(file, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
	free(file);

	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	out = export_mem(h, 0, "HKEY_USERS\\X", REGEXPORT_UTF8, 1, &len);
	ck_assert_ptr_nonnull(strstr(out, "\n[HKEY_USERS\\X\\\xed\xa0\x80Z"
	    "\xc4\x80]\n\"\xed\xa0\x80Z\xc4\x80\"=dword:00000001\n"));
	free(out);
	out = export_mem(h, 0, "HKEY_USERS\\X", REGEXPORT_UTF16, 1, &len);
	for (hits = 0, i = 0; i + 6 <= len; i++)
		if (memcmp(out + i, "\x00\xd8Z\0\x00\x01", 6) == 0)
			hits++;
	ck_assert_uint_eq(hits, 2);
	free(out);
	hive_close(h);
}
END_TEST

/* A damaged hive never crashes the exporter: it warns and goes on. */
START_TEST(test_export_damaged)
{
	char src[4096], p[512], *buf = NULL;
	struct regexport_opts o = { "HKEY_LOCAL_MACHINE\\SAM", REGEXPORT_UTF8,
	    1 };
	struct hive *h;
	unsigned char *data;
	size_t len, blen = 0, i;
	FILE *fp;
	int ret;

	if (t_corpus(src, sizeof(src), "regipy/SAM") == NULL)
		T_SKIP_NO_CORPUS("regipy/SAM");
	ck_assert_ptr_nonnull(fp = fopen(src, "rb"));
	fseek(fp, 0, SEEK_END);
	len = (size_t)ftell(fp);
	rewind(fp);
	ck_assert_ptr_nonnull(data = malloc(len));
	ck_assert_uint_eq(fread(data, 1, len, fp), len);
	fclose(fp);
	/* Scribble over cells, not over the base block or bin headers. */
	srand(7);
	for (i = 0; i < 400; i++) {
		size_t at = 4096 + (size_t)rand() % (len - 4096);

		if (at % 4096 >= 32)
			data[at] = (unsigned char)rand();
	}
	ck_assert_ptr_nonnull(fp = fopen(tpath(p, sizeof(p), "bad.hiv"),
	    "wb"));
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	fclose(fp);
	free(data);
	if ((ret = hive_open_path(ctx, p, &h)) != OFFMIG_OK) {
		/* Refused cleanly, with a message naming the file. */
		ck_assert_int_eq(ret, OFFMIG_ECORRUPT);
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), p));
		return;
	}
	ck_assert_ptr_nonnull(fp = open_memstream(&buf, &blen));
	ret = hive_export_reg(ctx, h, 0, &o, fp);
	fclose(fp);
	ck_assert_msg(ret == OFFMIG_OK || ret == OFFMIG_ECORRUPT, "%d: %s",
	    ret, offmig_errmsg(ctx));
	ck_assert_int_eq(strncmp(buf, "Windows Registry Editor", 23), 0);
	free(buf);
	hive_close(h);
}
END_TEST

/*
 * Drops from UTF-8 .reg text the sections whose key path, and the value
 * lines whose name, hivex cannot write (not valid UTF-8: lone surrogates);
 * counts what was dropped.
 */
static char *
writable_only(const char *text, size_t *dropped_keys, size_t *dropped_vals)
{
	size_t n = strlen(text);
	char *out = malloc(n + 1), *o = out;
	const char *p = text;
	int skip_section = 0, skip_value = 0;

	ck_assert_ptr_nonnull(out);
	*dropped_keys = *dropped_vals = 0;
	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t ll = eol != NULL ? (size_t)(eol - p) + 1 : strlen(p);

		if (*p == '[') {
			skip_section = !utf8_valid(p, ll);
			*dropped_keys += skip_section;
			skip_value = 0;
		} else if (*p == '"' || *p == '@') {
			skip_value = !utf8_valid(p, ll);
			*dropped_vals += skip_value && !skip_section;
		} else if (*p == '\n')
			skip_value = 0;
		if (!skip_section && !skip_value) {
			memcpy(o, p, ll);
			o += ll;
		}
		p += ll;
	}
	*o = '\0';
	return out;
}

static void
round_trip(const char *rel, const char *prefix)
{
	char src[4096], p[512], *first, *want, *again, *u16;
	struct hive *h, *h2;
	size_t len, len2, ulen, dk, dv;
	struct timespec t0, t1;

	if (t_corpus(src, sizeof(src), rel) == NULL) {
		fprintf(stderr, "SKIP: round trip: corpus file %s is absent\n",
		    rel);
		return;
	}
	ck_assert_msg(hive_open_path(ctx, src, &h) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	first = export_mem(h, 0, prefix, REGEXPORT_UTF8, 1, &len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	u16 = export_mem(h, 0, prefix, REGEXPORT_UTF16, 1, &ulen);
	hive_close(h);
	want = writable_only(first, &dk, &dv);
	if (dk + dv > 0)
		fprintf(stderr, "%s: %zu keys and %zu values with names hivex "
		    "cannot write (lone surrogates) left out of the round "
		    "trip\n", rel, dk, dv);

	/* UTF-8 text in, the same text out. */
	ck_assert_msg(import_text(tpath(p, sizeof(p), "rt8.hiv"), want,
	    strlen(want), prefix) == OFFMIG_OK, "%s: %s", rel,
	    offmig_errmsg(ctx));
	ck_assert_int_eq(hive_open_path(ctx, p, &h2), OFFMIG_OK);
	again = export_mem(h2, 0, prefix, REGEXPORT_UTF8, 1, &len2);
	hive_close(h2);
	if (strcmp(again, want) != 0) {
		size_t i = 0;

		while (again[i] == want[i])
			i++;
		ck_abort_msg("%s: UTF-8 round trip differs at byte %zu: "
		    "'%.60s' instead of '%.60s'", rel, i, again + i, want + i);
	}
	free(again);

	/* regedit's UTF-16 file in, the same UTF-16 file out. */
	if (dk + dv == 0) {
		ck_assert_msg(import_text(tpath(p, sizeof(p), "rt16.hiv"), u16,
		    ulen, prefix) == OFFMIG_OK, "%s: %s", rel,
		    offmig_errmsg(ctx));
		ck_assert_int_eq(hive_open_path(ctx, p, &h2), OFFMIG_OK);
		again = export_mem(h2, 0, prefix, REGEXPORT_UTF16, 1, &len2);
		hive_close(h2);
		ck_assert_uint_eq(len2, ulen);
		ck_assert_msg(memcmp(again, u16, ulen) == 0,
		    "%s: UTF-16 round trip differs", rel);
		free(again);
	}
	fprintf(stderr, "%s: %zu bytes of .reg text exported in %.3f s\n",
	    rel, len, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(u16);
	free(want);
	free(first);
}

START_TEST(test_round_trip_sam)
{
	round_trip("regipy/SAM", "HKEY_LOCAL_MACHINE\\SAM");
}
END_TEST

START_TEST(test_round_trip_ntuser_museum)
{
	round_trip("museum/Registry/Win10/RathbunVM/NTUSER.DAT",
	    "HKEY_CURRENT_USER");
}
END_TEST

START_TEST(test_round_trip_ntuser_notatin)
{
	round_trip("notatin/NTUSER.DAT", "HKEY_USERS\\S-1-5-21-1");
}
END_TEST

START_TEST(test_round_trip_usrclass)
{
	round_trip("regipy/UsrClass.dat",
	    "HKEY_CURRENT_USER\\Software\\Classes");
}
END_TEST

static Suite *
regtext_suite(void)
{
	Suite *s = suite_create("regtext");
	TCase *tc;

	tc = tcase_create("export");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_golden_utf8);
	tcase_add_test(tc, test_golden_utf16);
	tcase_add_test(tc, test_export_one_key);
	tcase_add_test(tc, test_lookup_non_ascii);
	tcase_add_test(tc, test_value_text);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_lone_surrogate_names);
	tcase_add_test(tc, test_export_damaged);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse_regedit_utf16);
	tcase_add_test(tc, test_parse_regedit4);
	tcase_add_loop_test(tc, test_parse_errors, 0,
	    (int)(sizeof(bads) / sizeof(bads[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("roundtrip");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* Real hives under the sanitizers: minutes, not seconds. */
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, test_round_trip_sam);
	tcase_add_test(tc, test_round_trip_ntuser_museum);
	tcase_add_test(tc, test_round_trip_ntuser_notatin);
	tcase_add_test(tc, test_round_trip_usrclass);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(regtext_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
