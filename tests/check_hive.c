/*
 * check_hive.c - unit tests of src/hive: the base block, the hive writer and
 * .reg parser, lookups and value decoding, log discovery, and real hives
 * from the corpus, damaged ones included.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char dir[64];

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	snprintf(dir, sizeof(dir), "/tmp/offmig-hive.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	offmig_ctx_free(ctx);
}

/* Builds dir/name from .reg text; returns its path (static buffer). */
static const char *
build(const char *name, const char *reg)
{
	static char path[128];
	struct hive_builder *b;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(hive_create_empty(ctx, path, "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, path, &b), OFFMIG_OK);
	ck_assert_msg(hive_builder_apply_reg(b, reg, strlen(reg), "t.reg") ==
	    OFFMIG_OK, "%s", offmig_errmsg(ctx));
	ck_assert_int_eq(hive_builder_commit(b), OFFMIG_OK);
	return path;
}

static const char sample[] =
    "Windows Registry Editor Version 5.00\n"
    "; a comment\n"
    "[Microsoft\\Windows NT\\CurrentVersion]\n"
    "\"ProductName\"=\"Windows 10 Pro\"\n"
    "\"InstallDate\"=dword:63eb1c00\n"
    "\"Big\"=qword:0123456789abcdef\n"
    "\"Path\"=expand:\"%SystemDrive%\\\\Users\"\n"
    "\"List\"=multi:\"a\",\"\",\"b\"\n"
    "\"Bin\"=hex:01,02,\\\n"
    "  03,04\n"
    "\"Quote\"=\"say \\\"hi\\\"\"\n"
    "@=\"default\"\n"
    "[\xC3\x84rger\\Unterschl\xC3\xBCssel]\n"
    "\"N\xC3\xA4me\"=\"\xE2\x82\xAC\"\n"
    "\"Lone\"=hex(1):41,00,00,d8,42,00,00,00\n"
    "\"Digits\"=\"1234\"\n";

START_TEST(test_round_trip_values)
{
	const char *path = build("s.hiv", sample);
	struct hive *h = NULL;
	hnode k;
	char *s = NULL, **v = NULL;
	uint32_t dw, type;
	uint64_t q;
	void *raw;
	size_t len;

	ck_assert_int_eq(hive_open_path(ctx, path, &h), OFFMIG_OK);
	ck_assert(!hive_info(h)->dirty);
	ck_assert_int_eq(hive_lookup(ctx, h, 0,
	    "microsoft\\WINDOWS NT\\currentversion", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "productname", &s, &type),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "Windows 10 Pro");
	ck_assert_int_eq(type, REG_SZ);
	free(s);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "InstallDate", &dw),
	    OFFMIG_OK);
	ck_assert_uint_eq(dw, 0x63eb1c00);
	ck_assert_int_eq(hive_get_qword(ctx, h, k, "Big", &q), OFFMIG_OK);
	ck_assert(q == 0x0123456789abcdefULL);
	ck_assert_int_eq(hive_get_dword(ctx, h, k, "Big", &dw), OFFMIG_EINVAL);
	ck_assert_uint_eq(dw, 0);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Big"));
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Path", &s, &type),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "%SystemDrive%\\Users");
	ck_assert_int_eq(type, REG_EXPAND_SZ);
	free(s);
	ck_assert_int_eq(hive_get_multi(ctx, h, k, "List", &v), OFFMIG_OK);
	ck_assert_str_eq(v[0], "a");
	ck_assert_str_eq(v[1], "");
	ck_assert_str_eq(v[2], "b");
	ck_assert_ptr_null(v[3]);
	hive_strv_free(v);
	ck_assert_int_eq(hive_get_raw(ctx, h, k, "Bin", &type, &raw, &len),
	    OFFMIG_OK);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(raw, "\x01\x02\x03\x04", 4);
	free(raw);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Quote", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "say \"hi\"");
	free(s);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "", &s, NULL), OFFMIG_OK);
	ck_assert_str_eq(s, "default");
	free(s);
	s = (char *)"untouched";
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Nope", &s, NULL),
	    OFFMIG_ENOTFOUND);
	ck_assert_ptr_null(s);
	hive_close(h);
}
END_TEST

START_TEST(test_non_ascii_lookup_and_lone_surrogate)
{
	const char *path = build("u.hiv", sample);
	struct hive *h = NULL;
	hnode k;
	char *s = NULL;
	uint64_t q;

	ck_assert_int_eq(hive_open_path(ctx, path, &h), OFFMIG_OK);
	/* Windows finds "Ärger" as "ÄRGER"; hivex alone would not. */
	ck_assert_int_eq(hive_lookup(ctx, h, 0,
	    "\xC3\xA4RGER\\UNTERSCHL\xC3\x9CSSEL", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "N\xC3\x84ME", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "\xE2\x82\xAC");
	free(s);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Lone", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "A\xED\xA0\x80" "B");
	free(s);
	ck_assert_int_eq(hive_get_qword(ctx, h, k, "Digits", &q), OFFMIG_OK);
	ck_assert(q == 1234);
	s = hive_key_path(ctx, h, k);
	ck_assert_str_eq(s, "\xC3\x84rger\\Unterschl\xC3\xBCssel");
	free(s);
	hive_close(h);
}
END_TEST

START_TEST(test_reg_errors_name_file_and_line)
{
	static const char *const bad[] = {
		"\"x\"=\"y\"\n",
		"[K]\n\"x\"=dword:123456789\n",
		"[K]\n\"x\"=hex:0g\n",
		"[K]\n\"x\"=\"unterminated\n",
		"[K]\n\"x\" \"y\"\n",
		"[K\n",
		"[K]\n\"x\"=wat:1\n",
	};
	static const char *const where[] = {
		"t.reg:1:", "t.reg:2:", "t.reg:2:", "t.reg:2:", "t.reg:2:",
		"t.reg:1:", "t.reg:2:"
	};
	char path[128];
	size_t i;

	snprintf(path, sizeof(path), "%s/e.hiv", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hive_builder *b;

		ck_assert_int_eq(hive_create_empty(ctx, path, "R"), OFFMIG_OK);
		ck_assert_int_eq(hive_builder_open(ctx, path, &b), OFFMIG_OK);
		ck_assert_int_eq(hive_builder_apply_reg(b, bad[i], strlen(bad[i]),
		    "t.reg"), OFFMIG_EINVAL);
		ck_assert_msg(strncmp(offmig_errmsg(ctx), where[i],
		    strlen(where[i])) == 0, "case %zu: '%s'", i,
		    offmig_errmsg(ctx));
		hive_builder_abort(b);
	}
}
END_TEST

START_TEST(test_base_block_and_dirty)
{
	const char *path = build("d.hiv", "[A]\n");
	unsigned char base[REGF_BASE_BLOCK];
	struct regf_info info;
	struct hive *h;
	int fd;

	ck_assert_int_ge(fd = open(path, O_RDWR), 0);
	ck_assert_int_eq(pread(fd, base, sizeof(base), 0), sizeof(base));
	ck_assert_int_eq(regf_parse(base, sizeof(base), &info), OFFMIG_OK);
	ck_assert(info.checksum_ok && !info.dirty);
	ck_assert_uint_eq(info.major, 1);
	regf_set_sequences(base, info.seq2 + 1, info.seq2);
	ck_assert_int_eq(pwrite(fd, base, sizeof(base), 0), sizeof(base));
	close(fd);
	/* A dirty hive opens, and says so. */
	ck_assert_int_eq(hive_open_path(ctx, path, &h), OFFMIG_OK);
	ck_assert(hive_info(h)->dirty);
	ck_assert(hive_info(h)->checksum_ok);
	hive_close(h);
	/* Windows' fix-up: an XOR of 0 is stored as 1. */
	memset(base, 0, sizeof(base));
	memcpy(base, "regf", 4);
	put_le32(base + 4, 0x66676572);	/* "regf" again: XOR becomes 0 */
	ck_assert_uint_eq(regf_checksum(base), 1);
	ck_assert_int_eq(regf_parse("nope", 4, &info), OFFMIG_ECORRUPT);
}
END_TEST

START_TEST(test_damaged_files_never_crash)
{
	const char *path = build("c.hiv", sample);
	unsigned char *data;
	struct stat st;
	char copy[160];
	size_t i, step;
	int fd;

	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_ptr_nonnull(data = malloc((size_t)st.st_size));
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	ck_assert_int_eq(read(fd, data, (size_t)st.st_size), st.st_size);
	close(fd);
	snprintf(copy, sizeof(copy), "%s/flip.hiv", dir);
	step = (size_t)st.st_size / 97;
	for (i = 0; i < (size_t)st.st_size; i += step) {
		struct hive *h = NULL;
		hnode k, *kids;
		size_t nk;
		char *s;

		data[i] ^= 0x5A;
		fd = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ck_assert_int_eq(write(fd, data, (size_t)st.st_size),
		    st.st_size);
		close(fd);
		data[i] ^= 0x5A;
		if (hive_open_path(ctx, copy, &h) != OFFMIG_OK) {
			ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
			    "flip.hiv"));
			continue;
		}
		if (hive_lookup(ctx, h, 0, "Microsoft\\Windows NT\\"
		    "CurrentVersion", &k) == OFFMIG_OK &&
		    hive_get_string(ctx, h, k, "ProductName", &s, NULL) ==
		    OFFMIG_OK)
			free(s);
		if (hive_children(ctx, h, hive_root(h), &kids, &nk) ==
		    OFFMIG_OK)
			free(kids);
		hive_close(h);
	}
	/* Truncations. */
	for (i = 0; i < (size_t)st.st_size; i += 4096 / 2) {
		struct hive *h = NULL;

		fd = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ck_assert_int_eq(write(fd, data, i), (ssize_t)i);
		close(fd);
		if (hive_open_path(ctx, copy, &h) == OFFMIG_OK)
			hive_close(h);
		else
			ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
			    "flip.hiv"));
	}
	free(data);
}
END_TEST

START_TEST(test_logs_found_case_insensitively)
{
	struct hive_log *logs;
	size_t n, i;
	char p[160];
	int dfd, fd;
	static const char *const names[] = {
		"NTUSER.DAT", "ntuser.dat.LOG1", "ntuser.dat.log2",
		"NTUSER.DAT.LOGX", "other.LOG1"
	};

	for (i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		ck_assert_int_ge(fd = open(p, O_WRONLY | O_CREAT, 0644), 0);
		close(fd);
	}
	ck_assert_int_ge(dfd = open(dir, O_RDONLY | O_DIRECTORY), 0);
	ck_assert_int_eq(hive_find_logs(ctx, dfd, "d", "NTUSER.DAT", &logs,
	    &n), OFFMIG_OK);
	ck_assert_uint_eq(n, 2);
	for (i = 0; i < n; i++) {
		ck_assert(strcasecmp(logs[i].name, "ntuser.dat.LOG1") == 0 ||
		    strcasecmp(logs[i].name, "ntuser.dat.LOG2") == 0);
		ck_assert_int_eq(logs[i].format, 0);	/* empty */
	}
	hive_logs_free(logs, n);
	close(dfd);
}
END_TEST

/* Opens a corpus hive or skips visibly. */
#define CORPUS_OPEN(rel, hp)						\
	char cpath_[512];						\
	if (t_corpus(cpath_, sizeof(cpath_), rel) == NULL)		\
		T_SKIP_NO_CORPUS(rel);					\
	ck_assert_msg(hive_open_path(ctx, cpath_, hp) == OFFMIG_OK,	\
	    "%s", offmig_errmsg(ctx))

START_TEST(test_corpus_clean_ntuser)
{
	struct hive *h;
	hnode k;
	char *s;

	CORPUS_OPEN("regipy/NTUSER.DAT", &h);
	ck_assert_uint_eq(hive_info(h)->seq1, 749);
	ck_assert_uint_eq(hive_info(h)->seq2, 749);
	ck_assert(!hive_info(h)->dirty);
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "Software\\Microsoft\\Windows\\"
	    "CurrentVersion\\Explorer\\Shell Folders", &k), OFFMIG_OK);
	ck_assert_int_eq(hive_get_string(ctx, h, k, "Desktop", &s, NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(s, "C:\\Users\\vibranium\\Desktop");
	free(s);
	hive_close(h);
}
END_TEST

START_TEST(test_corpus_dirty_ntuser_and_its_logs)
{
	struct hive_log *logs;
	size_t n, i;
	struct hive *h;
	char d[512], *slash;
	int dfd;

	CORPUS_OPEN("museum/Registry/Win10/RathbunVM/NTUSER.DAT", &h);
	ck_assert(hive_info(h)->dirty);
	ck_assert_uint_eq(hive_info(h)->seq1, 195);
	ck_assert_uint_eq(hive_info(h)->seq2, 194);
	hive_close(h);
	snprintf(d, sizeof(d), "%s", cpath_);
	slash = strrchr(d, '/');
	*slash = '\0';
	ck_assert_int_ge(dfd = open(d, O_RDONLY | O_DIRECTORY), 0);
	ck_assert_int_eq(hive_find_logs(ctx, dfd, d, "NTUSER.DAT", &logs, &n),
	    OFFMIG_OK);
	ck_assert_uint_eq(n, 2);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(logs[i].format, 2);
	hive_logs_free(logs, n);
	close(dfd);
}
END_TEST

START_TEST(test_corpus_old_format_log)
{
	struct hive_log *logs;
	size_t n;
	char d[512];
	int dfd;

	if (t_corpus(d, sizeof(d), "dfwinreg/old_14bc0f1") == NULL)
		T_SKIP_NO_CORPUS("dfwinreg/old_14bc0f1");
	ck_assert_int_ge(dfd = open(d, O_RDONLY | O_DIRECTORY), 0);
	ck_assert_int_eq(hive_find_logs(ctx, dfd, d, "NTUSER.DAT", &logs, &n),
	    OFFMIG_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(logs[0].format, 1);
	hive_logs_free(logs, n);
	close(dfd);
}
END_TEST

START_TEST(test_corpus_system_and_software_values)
{
	struct hive *h;
	hnode k;
	char *s;

	{
		CORPUS_OPEN("dissect.regf/_data/SYSTEM", &h);
		ck_assert_int_eq(hive_lookup(ctx, h, 0, "ControlSet001\\Control\\"
		    "ComputerName\\ComputerName", &k), OFFMIG_OK);
		ck_assert_int_eq(hive_get_string(ctx, h, k, "ComputerName", &s,
		    NULL), OFFMIG_OK);
		ck_assert_str_eq(s, "DESKTOP-M3OSHQU");
		free(s);
		hive_close(h);
	}
	{
		CORPUS_OPEN("reactos/SOFTWARE", &h);
		ck_assert_int_eq(hive_lookup(ctx, h, 0, "Microsoft\\Windows NT\\"
		    "CurrentVersion", &k), OFFMIG_OK);
		ck_assert_int_eq(hive_get_string(ctx, h, k, "ProductName", &s,
		    NULL), OFFMIG_OK);
		ck_assert_str_eq(s, "ReactOS");
		free(s);
		hive_close(h);
	}
}
END_TEST

START_TEST(test_corpus_broken_hives_fail_clearly)
{
	static const char *const broken[] = {
		"ez_registry/Hives/SAMBadHBinHeader",
		"regipy/corrupted_system_hive",
		"ez_registry/Hives/NotAHive",
		"dfwinreg/SYSTEM.DAT",
	};
	size_t i, seen = 0;

	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		char p[512];
		struct hive *h = NULL;
		const char *base;

		if (t_corpus(p, sizeof(p), broken[i]) == NULL)
			continue;
		seen++;
		ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_ECORRUPT);
		ck_assert_ptr_null(h);
		base = strrchr(broken[i], '/') + 1;
		ck_assert_msg(strstr(offmig_errmsg(ctx), base) != NULL,
		    "'%s' does not name %s", offmig_errmsg(ctx), base);
	}
	if (seen == 0)
		T_SKIP("no broken hives in the corpus");
	/* SAMBadHBinHeader says where the damage is. */
	{
		char p[512];
		struct hive *h = NULL;

		if (t_corpus(p, sizeof(p), broken[0]) != NULL) {
			hive_open_path(ctx, p, &h);
			ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
			    "0x2000"));
		}
	}
}
END_TEST

/*
 * Hives hivex refuses for their checksum only: the base block is damaged or
 * needs Windows' fix-up.  offmig reads them from a private copy and flags
 * the checksum.
 */
START_TEST(test_corpus_bad_checksum_opens_flagged)
{
	struct hive *h;

	CORPUS_OPEN("ez_registry/Hives/SAN(OTHER)", &h);
	ck_assert(!hive_info(h)->checksum_ok);
	ck_assert(hive_info(h)->dirty);
	hive_close(h);
}
END_TEST

/* Walks every key and value; counts them.  Never crashes on bad hives. */
static void
walk(struct hive *h, hnode n, int depth, size_t *keys, size_t *vals)
{
	hnode *kids = NULL;
	char **names = NULL;
	size_t nk = 0, i;

	(*keys)++;
	if (hive_value_names(ctx, h, n, &names) == OFFMIG_OK) {
		for (i = 0; names[i] != NULL; i++) {
			void *d;
			size_t len;

			(*vals)++;
			if (hive_get_raw(ctx, h, n, names[i], NULL, &d, &len) ==
			    OFFMIG_OK)
				free(d);
		}
		hive_strv_free(names);
	}
	if (depth > 64 || hive_children(ctx, h, n, &kids, &nk) != OFFMIG_OK)
		return;
	for (i = 0; i < nk; i++)
		walk(h, kids[i], depth + 1, keys, vals);
	free(kids);
}

START_TEST(test_corpus_full_walk_counts)
{
	struct hive *h;
	size_t keys = 0, vals = 0;

	/* notatin's own tests assert 2853 keys and 5523 values. */
	CORPUS_OPEN("notatin/NTUSER.DAT", &h);
	walk(h, hive_root(h), 0, &keys, &vals);
	ck_assert_uint_eq(keys, 2853);
	ck_assert_uint_eq(vals, 5523);
	hive_close(h);
}
END_TEST

START_TEST(test_corpus_tombstones_and_bad_lists_survive)
{
	static const char *const odd[] = {
		"yarp/hives_for_tests/System_Delta",
		"plaso/regf/corrupt_sub_key_list.hiv",
		"yarp/hives_for_tests/TruncatedHive",
		"yarp/hives_for_tests/BadListHive",
		"yarp/hives_for_tests/DeletedDataHiveTruncated",
	};
	size_t i, seen = 0;

	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		char p[512];
		struct hive *h = NULL;
		size_t keys = 0, vals = 0;

		if (t_corpus(p, sizeof(p), odd[i]) == NULL)
			continue;
		seen++;
		if (hive_open_path(ctx, p, &h) != OFFMIG_OK)
			continue;
		walk(h, hive_root(h), 0, &keys, &vals);
		ck_assert_uint_ge(keys, 1);
		hive_close(h);
	}
	if (seen == 0)
		T_SKIP("no odd hives in the corpus");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hive");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = tcase_create("build");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip_values);
	tcase_add_test(tc, test_non_ascii_lookup_and_lone_surrogate);
	tcase_add_test(tc, test_reg_errors_name_file_and_line);
	tcase_add_test(tc, test_base_block_and_dirty);
	tcase_add_test(tc, test_damaged_files_never_crash);
	tcase_add_test(tc, test_logs_found_case_insensitively);
	suite_add_tcase(s, tc);
	tc = tcase_create("corpus");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_corpus_clean_ntuser);
	tcase_add_test(tc, test_corpus_dirty_ntuser_and_its_logs);
	tcase_add_test(tc, test_corpus_old_format_log);
	tcase_add_test(tc, test_corpus_system_and_software_values);
	tcase_add_test(tc, test_corpus_broken_hives_fail_clearly);
	tcase_add_test(tc, test_corpus_bad_checksum_opens_flagged);
	tcase_add_test(tc, test_corpus_full_walk_counts);
	tcase_add_test(tc, test_corpus_tombstones_and_bad_lists_survive);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
