/*
 * check_hivecheck.c - the structural checker (src/hive/hivecheck.c): real
 * hives from the corpus check clean with hivex's key and value counts;
 * yarp's deliberately broken hives and other damaged files give the
 * specific problem each was made for; small hives built here and then
 * patched byte by byte give each kind of problem at the right offset; and
 * hostile buffers never crash.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/hivecheck.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char tmpdir[256];

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	t_tmpdir_make(tmpdir, sizeof(tmpdir), "check_hivecheck");
}

static void
teardown(void)
{
	offmig_ctx_free(ctx);
	t_tmpdir_remove(tmpdir);
}

/* The first problem whose message contains frag, or NULL. */
static const struct hcheck_problem *
find(const struct hive_check *c, const char *frag)
{
	size_t i;

	for (i = 0; i < c->nproblems; i++)
		if (strstr(c->problems[i].msg, frag) != NULL)
			return &c->problems[i];
	return NULL;
}

/* A problem containing frag at file offset off, or NULL. */
static const struct hcheck_problem *
find_at(const struct hive_check *c, const char *frag, uint64_t off)
{
	size_t i;

	for (i = 0; i < c->nproblems; i++)
		if (c->problems[i].offset == off &&
		    strstr(c->problems[i].msg, frag) != NULL)
			return &c->problems[i];
	return NULL;
}

static const struct hcheck_problem *
find_note(const struct hive_check *c, const char *frag)
{
	size_t i;

	for (i = 0; i < c->nnotes; i++)
		if (strstr(c->notes[i].msg, frag) != NULL)
			return &c->notes[i];
	return NULL;
}

/* All problems, one per line, for failure messages. */
static const char *
dump(const struct hive_check *c)
{
	static char buf[1500];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < c->nproblems && n < sizeof(buf) - 1; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "\n  0x%llx %s", (unsigned long long)c->problems[i].offset,
		    c->problems[i].msg);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Real hives: no problems, hivex's counts (CATALOG.md).              */

static const struct {
	const char	*rel;
	uint64_t	 keys, values;
} clean_hives[] = {
	{ "dfwinreg/old_14bc0f1/SYSTEM", 10269, 27556 },	/* XP */
	{ "ez_registry/Hives/SAM_DUPENAME", 112, 128 },		/* XP */
	{ "regipy/SYSTEM", 30756, 73456 },			/* 7 SP1 */
	{ "regipy/SAM", 65, 70 },				/* 7 */
	{ "plaso/NTUSER-WIN7.DAT", 2288, 5470 },		/* 7 */
	{ "regipy/SYSTEM_2", 20015, 49779 },			/* 8.1 */
	{ "museum/Registry/Win10/RathbunVM/NTUSER.DAT", 3182, 5072 },
	{ "notatin/NTUSER.DAT", 2853, 5523 },
	{ "dissect.regf/_data/SYSTEM", 33317, 74454 },		/* 10 2004+ */
	{ "regipy/UsrClass.dat", 6205, 12369 },			/* 10, v1.3 */
	{ "regipy/NTUSER-WSL.DAT", 3074, 4949 },		/* 10/11 */
	{ "museum/Amcache/Win10/RathbunVM/Amcache.hve", 972, 18956 },
	{ "yarp/hives_for_tests/BigDataHive", 2, 2 },
};

START_TEST(test_real_hive_is_clean)
{
	char p[4096];
	unsigned char *buf;
	size_t len;
	struct hive_check c;

	if (t_corpus(p, sizeof(p), clean_hives[_i].rel) == NULL)
		T_SKIP("corpus (or a real hive in it) is absent");
	buf = t_read_file(p, &len);
	ck_assert_int_eq(hive_check_buf(ctx, p, buf, len, &c), OFFMIG_OK);
	ck_assert_msg(c.problems_total == 0, "%s: %llu problems:%s",
	    clean_hives[_i].rel, (unsigned long long)c.problems_total,
	    dump(&c));
	ck_assert_uint_eq(c.keys, clean_hives[_i].keys);
	ck_assert_uint_eq(c.values, clean_hives[_i].values);
	ck_assert_uint_gt(c.bins, 0);
	ck_assert_uint_gt(c.cells_used, c.keys + c.values);
	ck_assert_uint_gt(c.max_depth, 0);
	hive_check_free(&c);
	free(buf);
}
END_TEST

START_TEST(test_big_data_counted)
{
	char p[4096];
	unsigned char *buf;
	size_t len;
	struct hive_check c;

	if (t_corpus(p, sizeof(p), "yarp/hives_for_tests/BigDataHive") ==
	    NULL)
		T_SKIP_NO_CORPUS("yarp/hives_for_tests/BigDataHive");
	buf = t_read_file(p, &len);
	ck_assert_int_eq(hive_check_buf(ctx, p, buf, len, &c), OFFMIG_OK);
	ck_assert_uint_eq(c.big_values, 2);
	hive_check_free(&c);
	free(buf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Damaged hives: the specific problem each was made for.             */

static const struct {
	const char	*rel;
	const char	*frag;		/* in some problem's message */
	uint64_t	 offset;	/* of that problem, or 0: any */
} broken_hives[] = {
	{ "yarp/hives_for_tests/DuplicateSubkeysHive",
	    "duplicate subkey name '4500'", 0 },
	{ "yarp/hives_for_tests/InvalidParentHive", "parent offset 0x20",
	    0x75b08 },
	{ "yarp/hives_for_tests/WrongOrderHive", "is out of order", 0x14f8 },
	{ "yarp/hives_for_tests/WrongOrderHive", "is out of order", 0x1698 },
	{ "yarp/hives_for_tests/BadListHive", "subkey list is shared",
	    0x12d0 },
	{ "yarp/hives_for_tests/BadSubkeyHive", "which is reached twice",
	    0x1380 },
	{ "yarp/hives_for_tests/BadSubkeyHive", "parent offset", 0x1470 },
	{ "yarp/hives_for_tests/TruncatedNameHive", "key name length",
	    0x1220 },
	{ "yarp/hives_for_tests/GarbageHive", "checksum", 0x1fc },
	{ "yarp/hives_for_tests/EffectiveSizeHive", "checksum", 0x1fc },
	{ "yarp/hives_for_tests/TruncatedHive", "the hive is truncated",
	    0x28 },
	{ "yarp/hives_for_tests/TruncatedHive", "not an allocated cell",
	    0x1720 },
	{ "yarp/hives_for_tests/TruncatedDirtyHive", "the hive is truncated",
	    0x28 },
	{ "yarp/hives_for_tests/DeletedDataHiveTruncated",
	    "values list offset", 0x11b0 },
	{ "yarp/hives_for_tests/BadBaseBlockHive/BadBaseBlockHive",
	    "minor version 1", 0x18 },
	{ "yarp/hives_for_tests/CompHive", "wrong name hint", 0x1320 },
	{ "plaso/regf/corrupt_sub_key_list.hiv", "not a key cell", 0x4b80 },
	{ "ez_registry/Hives/SAMBadHBinHeader", "bin signature is not 'hbin'",
	    0x2000 },
	{ "ez_registry/Hives/SAN(OTHER)", "checksum", 0x1fc },
	{ "regipy/corrupted_system_hive", "bin signature is not 'hbin'",
	    0x1a000 },
	{ "reactos/SYSTEM", "no security descriptor", 0x1020 },
};

START_TEST(test_broken_hive_problem)
{
	char p[4096];
	unsigned char *buf;
	size_t len;
	struct hive_check c;

	if (t_corpus(p, sizeof(p), broken_hives[_i].rel) == NULL)
		T_SKIP("corpus (or a damaged hive in it) is absent");
	buf = t_read_file(p, &len);
	ck_assert_int_eq(hive_check_buf(ctx, p, buf, len, &c), OFFMIG_OK);
	ck_assert_uint_gt(c.problems_total, 0);
	if (broken_hives[_i].offset != 0)
		ck_assert_msg(find_at(&c, broken_hives[_i].frag,
		    broken_hives[_i].offset) != NULL, "%s: no '%s' at 0x%llx:%s",
		    broken_hives[_i].rel, broken_hives[_i].frag,
		    (unsigned long long)broken_hives[_i].offset, dump(&c));
	else
		ck_assert_msg(find(&c, broken_hives[_i].frag) != NULL,
		    "%s: no '%s':%s", broken_hives[_i].rel,
		    broken_hives[_i].frag, dump(&c));
	hive_check_free(&c);
	free(buf);
}
END_TEST

/* Counts of keys reachable in the damaged hives, each key once. */
START_TEST(test_broken_hive_counts)
{
	static const struct {
		const char *rel;
		uint64_t keys, problems;
	} t[] = {
		/* 4999 distinct names, one duplicate nk: every cell walked */
		{ "yarp/hives_for_tests/DuplicateSubkeysHive", 5003, 1 },
		{ "yarp/hives_for_tests/InvalidParentHive", 5003, 1 },
		{ "yarp/hives_for_tests/WrongOrderHive", 11, 2 },
		/* the key listed twice is walked once */
		{ "yarp/hives_for_tests/BadSubkeyHive", 6, 2 },
		/* the key whose name runs past its cell is not entered */
		{ "yarp/hives_for_tests/TruncatedNameHive", 1, 1 },
	};
	char p[4096];
	unsigned char *buf;
	size_t len, i;
	struct hive_check c;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t_corpus(p, sizeof(p), t[i].rel) == NULL)
			T_SKIP("corpus (or a damaged hive in it) is absent");
		buf = t_read_file(p, &len);
		ck_assert_int_eq(hive_check_buf(ctx, p, buf, len, &c),
		    OFFMIG_OK);
		ck_assert_msg(c.keys == t[i].keys && c.problems_total ==
		    t[i].problems, "%s: %llu keys, %llu problems:%s", t[i].rel,
		    (unsigned long long)c.keys,
		    (unsigned long long)c.problems_total, dump(&c));
		hive_check_free(&c);
		free(buf);
	}
}
END_TEST

START_TEST(test_effective_size_is_noted)
{
	char p[4096];
	unsigned char *buf;
	size_t len;
	struct hive_check c;
	const struct hcheck_problem *n;

	if (t_corpus(p, sizeof(p), "yarp/hives_for_tests/EffectiveSizeHive") ==
	    NULL)
		T_SKIP_NO_CORPUS("yarp/hives_for_tests/EffectiveSizeHive");
	buf = t_read_file(p, &len);
	ck_assert_int_eq(hive_check_buf(ctx, p, buf, len, &c), OFFMIG_OK);
	/* Dirty (bad checksum): bins past the hbins size are only a note. */
	ck_assert_ptr_nonnull(n = find_note(&c, "a bin follows the end"));
	ck_assert_uint_eq(n->offset, 0x2000);
	ck_assert_uint_eq(c.bins, 1);
	hive_check_free(&c);
	free(buf);
}
END_TEST

/* Every regf file of yarp's set: no crash, a sane result. */
START_TEST(test_yarp_set_never_crashes)
{
	static const char *const names[] = {
		"BadListHive", "BadSubkeyHive", "BigDataHive",
		"BogusKeyNamesHive", "CompHive", "DeletedDataHive",
		"DeletedDataHiveTruncated", "DeletedTreeHive",
		"DuplicateSubkeysHive", "EffectiveSizeHive", "EmptyHive",
		"GarbageHive", "InvalidParentHive", "ManySubkeysHive",
		"OldLogWithRemnantData", "RemnantsHive", "SlackHive",
		"System_Delta", "TruncatedDirtyHive", "TruncatedHive",
		"TruncatedNameHive", "UnicodeHive", "UpcaseHive",
		"WrongOrderHive", "OffHive",
	};
	char p[4096], rel[256];
	unsigned char *buf;
	size_t len, i, ran = 0;
	struct hive_check c;
	int r;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(rel, sizeof(rel), "yarp/hives_for_tests/%s", names[i]);
		if (t_corpus(p, sizeof(p), rel) == NULL)
			continue;
		buf = t_read_file(p, &len);
		r = hive_check_buf(ctx, p, buf, len, &c);
		ck_assert(r == OFFMIG_OK || r == OFFMIG_ECORRUPT);
		if (r == OFFMIG_ECORRUPT)
			ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
			    names[i]));
		ck_assert_uint_le(c.nproblems, HCHECK_MAX_PROBLEMS + 1);
		hive_check_free(&c);
		free(buf);
		ran++;
	}
	if (ran == 0)
		T_SKIP_NO_CORPUS("yarp/hives_for_tests");
}
END_TEST

/* A log file is a regf file, but not a walkable hive. */
START_TEST(test_log_is_not_a_hive)
{
	char p[4096];
	unsigned char *buf;
	size_t len;
	struct hive_check c;

	if (t_corpus(p, sizeof(p),
	    "yarp/hives_for_tests/OldLogWithRemnantData") == NULL)
		T_SKIP_NO_CORPUS("yarp/hives_for_tests/OldLogWithRemnantData");
	buf = t_read_file(p, &len);
	ck_assert_int_eq(hive_check_buf(ctx, "x.LOG1", buf, len, &c),
	    OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "x.LOG1: root cell"));
	ck_assert_ptr_nonnull(find_at(&c, "file type 1", 0x1c));
	hive_check_free(&c);
	free(buf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Synthetic hives, patched.                                          */

#define BIGLEN	40000u
#define NIL_FOR_TEST	0xFFFFFFFFu

/*
 * A hive built here: ROOT with A, B, C; A\Sub1; A holds "dw" (inline
 * DWORD), "s" (a string in its own cell) and "big" (BIGLEN bytes, one cell
 * in this version 1.3 hive).
 */
static unsigned char *
fixture(size_t *lenp)
{
	static const unsigned char s[] = { 'h', 0, 'i', 0, 0, 0 };
	struct hive_builder *b;
	unsigned char *big;
	char p[512];
	hnode a, k;
	struct hive_value v[3];

	snprintf(p, sizeof(p), "%s/f.hiv", tmpdir);
	ck_assert_int_eq(hive_create_empty(ctx, p, "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, p, &b), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "A", &a), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "A\\Sub1", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "B", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_key(b, "C", &k), OFFMIG_OK);
	ck_assert_ptr_nonnull(big = calloc(1, BIGLEN));
	memset(big, 0x5A, BIGLEN);
	v[0] = (struct hive_value){ "dw", REG_DWORD, "\1\0\0\0", 4 };
	v[1] = (struct hive_value){ "s", REG_SZ, s, sizeof(s) };
	v[2] = (struct hive_value){ "big", REG_BINARY, big, BIGLEN };
	ck_assert_int_eq(hive_builder_set(b, a, v, 3), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_commit(b), OFFMIG_OK);
	free(big);
	return t_read_file(p, lenp);
}

/* File offset of the cell at a bins-relative offset. */
static size_t
F(uint32_t rel)
{
	return (size_t)rel + 0x1000;
}

/* The record (cell data) at a bins-relative offset. */
static unsigned char *
rec(unsigned char *h, uint32_t rel)
{
	return h + F(rel) + 4;
}

static uint32_t
root_of(const unsigned char *h)
{
	return le32(h + 0x24);
}

/* The subkey named name of key (the fixture's lh lists only). */
static uint32_t
child(unsigned char *h, uint32_t key, const char *name)
{
	unsigned char *l = rec(h, le32(rec(h, key) + 28));
	size_t i, n = strlen(name);

	ck_assert_int_eq(memcmp(l, "lh", 2), 0);
	for (i = 0; i < le16(l + 2); i++) {
		uint32_t k = le32(l + 4 + 8 * i);
		unsigned char *nk = rec(h, k);

		if (le16(nk + 72) == n && memcmp(nk + 76, name, n) == 0)
			return k;
	}
	ck_abort_msg("no key %s", name);
	return 0;
}

/* The value named name of key. */
static uint32_t
value(unsigned char *h, uint32_t key, const char *name)
{
	unsigned char *nk = rec(h, key), *l = rec(h, le32(nk + 40));
	size_t i, n = strlen(name);

	for (i = 0; i < le32(nk + 36); i++) {
		uint32_t v = le32(l + 4 * i);
		unsigned char *vk = rec(h, v);

		if (le16(vk + 2) == n && memcmp(vk + 20, name, n) == 0)
			return v;
	}
	ck_abort_msg("no value %s", name);
	return 0;
}

static void
check(unsigned char *h, size_t len, struct hive_check *c)
{
	ck_assert_int_eq(hive_check_buf(ctx, "t.hiv", h, len, c), OFFMIG_OK);
}

START_TEST(test_fixture_is_clean)
{
	size_t len;
	unsigned char *h = fixture(&len);
	struct hive_check c;

	check(h, len, &c);
	ck_assert_msg(c.problems_total == 0, "%s", dump(&c));
	ck_assert_uint_eq(c.keys, 5);
	ck_assert_uint_eq(c.values, 3);
	ck_assert_uint_eq(c.max_depth, 2);
	ck_assert_uint_eq(c.big_values, 0);
	ck_assert_uint_eq(c.cells_used + c.cells_free > 0, 1);
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_cell_crossing_bin)
{
	size_t len, c0 = 0x1020, last = 0;
	unsigned char *h = fixture(&len);
	struct hive_check c;
	int32_t sz;

	/* The last cell of the first bin grows by 8 bytes past its end. */
	while (c0 < 0x2000) {
		sz = (int32_t)le32(h + c0);
		last = c0;
		c0 += (size_t)(sz < 0 ? -sz : sz);
	}
	ck_assert_uint_eq(c0, 0x2000);
	sz = (int32_t)le32(h + last);
	put_le32(h + last, (uint32_t)(sz < 0 ? sz - 8 : sz + 8));
	check(h, len, &c);
	ck_assert_msg(find_at(&c, "crosses the end of its bin at 0x2000",
	    last) != NULL, "%s", dump(&c));
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_lh_out_of_order)
{
	size_t len;
	unsigned char *h = fixture(&len), *l, tmp[8];
	uint32_t list;
	struct hive_check c;

	list = le32(rec(h, root_of(h)) + 28);
	l = rec(h, list);
	/* Swap A and B, hashes included: only the order is wrong. */
	memcpy(tmp, l + 4, 8);
	memcpy(l + 4, l + 12, 8);
	memcpy(l + 12, tmp, 8);
	check(h, len, &c);
	ck_assert_msg(find_at(&c, "'A' is out of order", F(list)) != NULL,
	    "%s", dump(&c));
	ck_assert_ptr_null(find(&c, "hash"));
	ck_assert_uint_eq(c.problems_total, 1);
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_lh_wrong_hash)
{
	size_t len;
	unsigned char *h = fixture(&len), *l;
	uint32_t list;
	struct hive_check c;

	list = le32(rec(h, root_of(h)) + 28);
	l = rec(h, list);
	/* 'B' hashes to 'B' = 0x42 (one code unit). */
	ck_assert_uint_eq(le32(l + 12 + 4), 0x42);
	put_le32(l + 12 + 4, 0x62);
	check(h, len, &c);
	ck_assert_msg(find_at(&c, "hash 0x00000062 of 'B' should be "
	    "0x00000042", F(list)) != NULL, "%s", dump(&c));
	ck_assert_uint_eq(c.problems_total, 1);
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_loop_to_ancestor)
{
	size_t len;
	unsigned char *h = fixture(&len), *l;
	uint32_t root, a;
	struct hive_check c;

	root = root_of(h);
	a = child(h, root, "A");
	/* A's only subkey becomes the root itself. */
	l = rec(h, le32(rec(h, a) + 28));
	put_le32(l + 4, root);
	check(h, len, &c);
	ck_assert_msg(find_at(&c, "loop: key 'A' lists its ancestor 'ROOT'",
	    F(a)) != NULL, "%s", dump(&c));
	/* The walk never goes round: ROOT, A, B, C once each. */
	ck_assert_uint_eq(c.keys, 4);
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_self_loop_and_twice)
{
	size_t len;
	unsigned char *h = fixture(&len), *l;
	uint32_t root, a, b;
	struct hive_check c;

	root = root_of(h);
	a = child(h, root, "A");
	b = child(h, root, "B");
	/* A lists itself; B (given A's list) would list A's child again. */
	l = rec(h, le32(rec(h, a) + 28));
	put_le32(l + 4, a);
	check(h, len, &c);
	ck_assert_ptr_nonnull(find_at(&c, "loop: key 'A' lists its ancestor "
	    "'A'", F(a)));
	hive_check_free(&c);
	free(h);

	h = fixture(&len);
	a = child(h, root, "A");
	b = child(h, root, "B");
	/* B claims A's subkey list: shared, never walked twice. */
	put_le32(rec(h, b) + 20, 1);
	put_le32(rec(h, b) + 28, le32(rec(h, a) + 28));
	check(h, len, &c);
	ck_assert_msg(find(&c, "subkey list is shared") != NULL, "%s",
	    dump(&c));
	ck_assert_uint_eq(c.keys, 5);
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_subkey_count_mismatch)
{
	size_t len;
	unsigned char *h = fixture(&len);
	uint32_t root;
	struct hive_check c;

	root = root_of(h);
	put_le32(rec(h, root) + 20, 4);
	check(h, len, &c);
	ck_assert_msg(find_at(&c, "key 'ROOT': 4 subkeys, but its subkey "
	    "list holds 3", F(root)) != NULL, "%s", dump(&c));
	ck_assert_uint_eq(c.problems_total, 1);
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_value_data_out_of_bounds)
{
	size_t len;
	unsigned char *h = fixture(&len);
	uint32_t a, v;
	struct hive_check c;

	a = child(h, root_of(h), "A");
	v = value(h, a, "s");
	put_le32(rec(h, v) + 8, 0x7FFFFFF0);
	check(h, len, &c);
	ck_assert_msg(find_at(&c, "data offset 0x7ffffff0 is not an allocated "
	    "cell", F(v)) != NULL, "%s", dump(&c));
	ck_assert_uint_eq(c.problems_total, 1);
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_inline_data_too_long)
{
	size_t len;
	unsigned char *h = fixture(&len);
	uint32_t a, v;
	struct hive_check c;

	a = child(h, root_of(h), "A");
	v = value(h, a, "dw");
	ck_assert_uint_eq(le32(rec(h, v) + 4), 0x80000004);
	put_le32(rec(h, v) + 4, 0x80000008);
	check(h, len, &c);
	ck_assert_ptr_nonnull(find_at(&c, "inline data size 8", F(v)));
	hive_check_free(&c);
	free(h);
}
END_TEST

/*
 * Turns the fixture into a version 1.5 hive and rebuilds the big value's
 * single cell as a db record: the cell is carved into a db cell, a segment
 * list and three segments.  nseg is what the db record claims.
 */
static uint32_t
make_db(unsigned char *h, uint16_t nseg)
{
	uint32_t a, v, data, db, list, s0, s1, s2;
	uint32_t total;
	unsigned char *vk;

	a = child(h, root_of(h), "A");
	v = value(h, a, "big");
	vk = rec(h, v);
	data = le32(vk + 8);
	total = (uint32_t)-(int32_t)le32(h + F(data));
	ck_assert_uint_ge(total, BIGLEN + 4);
	db = data;
	list = db + 16;
	s0 = list + 16;
	s1 = s0 + 16352;
	s2 = s1 + 16352;
	put_le32(h + F(db), (uint32_t)-16);
	memcpy(rec(h, db), "db", 2);
	h[F(db) + 6] = (unsigned char)nseg;
	h[F(db) + 7] = (unsigned char)(nseg >> 8);
	put_le32(rec(h, db) + 4, list);
	put_le32(h + F(list), (uint32_t)-16);
	put_le32(rec(h, list), s0);
	put_le32(rec(h, list) + 4, s1);
	put_le32(rec(h, list) + 8, s2);
	put_le32(h + F(s0), (uint32_t)-16352);
	put_le32(h + F(s1), (uint32_t)-16352);
	put_le32(h + F(s2), (uint32_t)-(int32_t)(total - (s2 - data)));
	/* The carving cost 40 bytes of the cell: the value shrinks. */
	put_le32(vk + 4, BIGLEN - 1000);
	put_le32(h + 0x18, 5);
	put_le32(h + 0x1FC, regf_checksum(h));
	return db;
}

START_TEST(test_db_record)
{
	size_t len;
	unsigned char *h = fixture(&len);
	struct hive_check c;

	(void)make_db(h, 3);
	check(h, len, &c);
	ck_assert_msg(c.problems_total == 0, "%s", dump(&c));
	ck_assert_uint_eq(c.big_values, 1);
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_db_bad_segment_count)
{
	size_t len;
	unsigned char *h = fixture(&len);
	struct hive_check c;
	uint32_t db;

	db = make_db(h, 7);
	check(h, len, &c);
	ck_assert_msg(find_at(&c, "has 7 segments, expected 3", F(db)) !=
	    NULL, "%s", dump(&c));
	/* The 7 entries do not fit the 12-byte list either. */
	ck_assert_ptr_nonnull(find_at(&c, "segment list of 7 entries", F(db)));
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_db_missing_in_v15)
{
	size_t len;
	unsigned char *h = fixture(&len);
	struct hive_check c;
	uint32_t v;

	/* Version 1.5 needs a db record for data over 16344 bytes. */
	put_le32(h + 0x18, 5);
	put_le32(h + 0x1FC, regf_checksum(h));
	v = value(h, child(h, root_of(h), "A"), "big");
	check(h, len, &c);
	ck_assert_ptr_nonnull(find_at(&c, "not stored as a big data", F(v)));
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_base_block_problems)
{
	size_t len;
	unsigned char *h = fixture(&len);
	struct hive_check c;

	put_le32(h + 0x28, 0x1800);		/* not a multiple of 4096 */
	put_le32(h + 0x1FC, regf_checksum(h) ^ 1);
	check(h, len, &c);
	ck_assert_ptr_nonnull(find_at(&c, "hbins size 0x1800", 0x28));
	ck_assert_ptr_nonnull(find_at(&c, "checksum", 0x1FC));
	hive_check_free(&c);
	free(h);
}
END_TEST

START_TEST(test_zero_tail_is_a_note)
{
	size_t len, end;
	unsigned char *h = fixture(&len), *g;
	struct hive_check c;
	uint32_t hb = le32(h + 0x28);

	/* Claim two more bins, zero-filled, as Windows 8.1 files do. */
	end = 0x1000 + (size_t)hb;
	ck_assert_uint_le(end, len);
	ck_assert_ptr_nonnull(g = calloc(1, end + 8192));
	memcpy(g, h, end);
	put_le32(g + 0x28, hb + 8192);
	put_le32(g + 0x1FC, regf_checksum(g));
	check(g, end + 8192, &c);
	ck_assert_msg(c.problems_total == 0, "%s", dump(&c));
	ck_assert_ptr_nonnull(find_note(&c, "all zeros"));
	hive_check_free(&c);
	free(g);
	free(h);
}
END_TEST

START_TEST(test_not_a_hive)
{
	unsigned char buf[8192];
	struct hive_check c;

	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(hive_check_buf(ctx, "zero.bin", buf, sizeof(buf),
	    &c), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "zero.bin: no 'regf'"));
	ck_assert_uint_eq(c.nproblems, 0);
	hive_check_free(&c);
	ck_assert_int_eq(hive_check_buf(ctx, "short", buf, 100, &c),
	    OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "too short"));
	hive_check_free(&c);
	hive_check_free(NULL);
}
END_TEST

START_TEST(test_root_unusable)
{
	size_t len;
	unsigned char *h = fixture(&len);
	struct hive_check c;

	put_le32(h + 0x24, 0x12345678);
	put_le32(h + 0x1FC, regf_checksum(h));
	ck_assert_int_eq(hive_check_buf(ctx, "t.hiv", h, len, &c),
	    OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "t.hiv: root cell offset 0x12345678"));
	/* The bins were still walked and counted. */
	ck_assert_uint_gt(c.bins, 0);
	hive_check_free(&c);
	free(h);
}
END_TEST

/* More problems than the cap: the list ends with "... N more". */
START_TEST(test_problem_cap)
{
	size_t len, i, n = 1500, end;
	unsigned char *h = fixture(&len), *g, *bin;
	struct hive_check c;
	uint32_t hb = le32(h + 0x28);

	/* 1500 more bins, each with one cell too small to be a cell. */
	end = 0x1000 + (size_t)hb;
	ck_assert_ptr_nonnull(g = calloc(1, end + n * 4096));
	memcpy(g, h, end);
	for (i = 0; i < n; i++) {
		bin = g + end + i * 4096;
		memcpy(bin, "hbin", 4);
		put_le32(bin + 4, (uint32_t)(end + i * 4096 - 0x1000));
		put_le32(bin + 8, 4096);
		put_le32(bin + 32, 4);
	}
	put_le32(g + 0x28, (uint32_t)(hb + n * 4096));
	put_le32(g + 0x1FC, regf_checksum(g));
	check(g, end + n * 4096, &c);
	ck_assert_uint_eq(c.problems_total, n);
	ck_assert_uint_eq(c.nproblems, HCHECK_MAX_PROBLEMS + 1);
	ck_assert_str_eq(c.problems[0].msg, "cell size 4 is too small");
	ck_assert_uint_eq(c.problems[0].offset, end + 32);
	ck_assert_str_eq(c.problems[HCHECK_MAX_PROBLEMS].msg,
	    "... 500 more problems");
	hive_check_free(&c);
	free(g);
	free(h);
}
END_TEST

/*
 * A hostile hive: a list of 65535 elements all naming one key whose name
 * is 65535 bytes long.  Comparing every element's name would take 4 billion
 * steps; the checker stops the name checks at a budget and says so.
 */
START_TEST(test_repeated_long_names_bounded)
{
	size_t binsize = 0x60000, len = 0x1000 + binsize, i;
	unsigned char *g, *c;
	uint32_t root = 0x20, kid = 0x100, list = 0x10200;
	struct hive_check r;

	ck_assert_ptr_nonnull(g = calloc(1, len));
	memcpy(g, "regf", 4);
	put_le32(g + 0x04, 1);
	put_le32(g + 0x08, 1);
	put_le32(g + 0x14, 1);
	put_le32(g + 0x18, 5);
	put_le32(g + 0x20, 1);
	put_le32(g + 0x24, root);
	put_le32(g + 0x28, (uint32_t)binsize);
	put_le32(g + 0x1FC, regf_checksum(g));
	memcpy(g + 0x1000, "hbin", 4);
	put_le32(g + 0x1008, (uint32_t)binsize);
	/* Root nk at 0x20 (cell of 0xe0 bytes). */
	c = g + F(root);
	put_le32(c, (uint32_t)-0xe0);
	memcpy(c + 4, "nk", 2);
	c[6] = 0x2c;
	put_le32(c + 4 + 16, NIL_FOR_TEST);
	put_le32(c + 4 + 20, 65535);
	put_le32(c + 4 + 28, list);
	put_le32(c + 4 + 40, NIL_FOR_TEST);
	put_le32(c + 4 + 44, NIL_FOR_TEST);
	put_le32(c + 4 + 48, NIL_FOR_TEST);
	/* The child at 0x100, its name 65535 'x's (cell 0x10100 bytes). */
	c = g + F(kid);
	put_le32(c, (uint32_t)-0x10100);
	memcpy(c + 4, "nk", 2);
	c[6] = 0x20;
	put_le32(c + 4 + 16, root);
	put_le32(c + 4 + 28, NIL_FOR_TEST);
	put_le32(c + 4 + 40, NIL_FOR_TEST);
	put_le32(c + 4 + 44, NIL_FOR_TEST);
	put_le32(c + 4 + 48, NIL_FOR_TEST);
	c[4 + 72] = 0xFF;
	c[4 + 73] = 0xFF;
	memset(c + 4 + 76, 'x', 0xFFFF);
	/* The li list: 65535 elements, all the child. */
	c = g + F(list);
	put_le32(c, (uint32_t)-(4 + 4 + 4 * 65535 + 4));
	memcpy(c + 4, "li", 2);
	c[6] = 0xFF;
	c[7] = 0xFF;
	for (i = 0; i < 65535; i++)
		put_le32(c + 8 + 4 * i, kid);
	/* The rest of the bin is one free cell. */
	c += 4 + 4 + 4 * 65535 + 4;
	put_le32(c, (uint32_t)(g + len - c));
	check(g, len, &r);
	ck_assert_msg(find(&r, "name order and hash checks stop here") !=
	    NULL, "%s", dump(&r));
	ck_assert_ptr_nonnull(find(&r, "duplicate subkey name"));
	ck_assert_uint_eq(r.keys, 2);
	ck_assert_uint_eq(r.nproblems, HCHECK_MAX_PROBLEMS + 1);
	hive_check_free(&r);
	free(g);
}
END_TEST

/* Mutations of the fixture: nothing crashes, leaks or reads outside. */
START_TEST(test_mutations_never_crash)
{
	size_t len, i, j;
	unsigned char *h = fixture(&len), *g;
	uint64_t r = 0x243F6A8885A308D3ULL;
	struct hive_check c;
	int ret;

	ck_assert_ptr_nonnull(g = malloc(len));
	for (i = 0; i < 400; i++) {
		memcpy(g, h, len);
		for (j = 0; j < 1 + i % 6; j++) {
			r ^= r << 13;
			r ^= r >> 7;
			r ^= r << 17;
			/* Aim at the bins, where the offsets are. */
			g[0x1000 + r % (len - 0x1000)] ^= (unsigned char)(r >>
			    32 | 1);
		}
		ret = hive_check_buf(ctx, "m.hiv", g, len - (i % 3) * 1000,
		    &c);
		ck_assert(ret == OFFMIG_OK || ret == OFFMIG_ECORRUPT);
		hive_check_free(&c);
	}
	free(g);
	free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hivecheck");
	TCase *real = tcase_create("real");
	TCase *broken = tcase_create("broken");
	TCase *syn = tcase_create("synthetic");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(real, setup, teardown);
	tcase_set_timeout(real, 120);
	tcase_add_loop_test(real, test_real_hive_is_clean, 0,
	    (int)(sizeof(clean_hives) / sizeof(clean_hives[0])));
	tcase_add_test(real, test_big_data_counted);
	suite_add_tcase(s, real);

	tcase_add_checked_fixture(broken, setup, teardown);
	tcase_set_timeout(broken, 60);
	tcase_add_loop_test(broken, test_broken_hive_problem, 0,
	    (int)(sizeof(broken_hives) / sizeof(broken_hives[0])));
	tcase_add_test(broken, test_broken_hive_counts);
	tcase_add_test(broken, test_effective_size_is_noted);
	tcase_add_test(broken, test_yarp_set_never_crashes);
	tcase_add_test(broken, test_log_is_not_a_hive);
	suite_add_tcase(s, broken);

	tcase_add_checked_fixture(syn, setup, teardown);
	tcase_set_timeout(syn, 60);
	tcase_add_test(syn, test_fixture_is_clean);
	tcase_add_test(syn, test_cell_crossing_bin);
	tcase_add_test(syn, test_lh_out_of_order);
	tcase_add_test(syn, test_lh_wrong_hash);
	tcase_add_test(syn, test_loop_to_ancestor);
	tcase_add_test(syn, test_self_loop_and_twice);
	tcase_add_test(syn, test_subkey_count_mismatch);
	tcase_add_test(syn, test_value_data_out_of_bounds);
	tcase_add_test(syn, test_inline_data_too_long);
	tcase_add_test(syn, test_db_record);
	tcase_add_test(syn, test_db_bad_segment_count);
	tcase_add_test(syn, test_db_missing_in_v15);
	tcase_add_test(syn, test_base_block_problems);
	tcase_add_test(syn, test_zero_tail_is_a_note);
	tcase_add_test(syn, test_not_a_hive);
	tcase_add_test(syn, test_root_unusable);
	tcase_add_test(syn, test_problem_cap);
	tcase_add_test(syn, test_repeated_long_names_bounded);
	tcase_add_test(syn, test_mutations_never_crash);
	suite_add_tcase(s, syn);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
