/*
 * check_common.c - unit tests of src/common: errors, UTF, times, wildcards,
 * documents and their writers, safe path resolution.
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
#include "common/doc.h"
#include "common/vpath.h"

static struct offmig_ctx *ctx;

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
}

static void
teardown(void)
{
	offmig_ctx_free(ctx);
}

/* Captures what a writer prints. */
static char *
capture(int (*fn)(FILE *, const struct offmig_node *, const void *),
    const struct offmig_node *n, const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fn(fp, n, arg), OFFMIG_OK);
	fclose(fp);
	return buf;
}

static int
json_fn(FILE *fp, const struct offmig_node *n, const void *arg)
{
	(void)arg;
	return offmig_write_json(fp, n);
}

START_TEST(test_error_message_names_culprit_and_errno)
{
	int r = ctx_set_error(ctx, OFFMIG_EIO, ENOENT, "%s", "/mnt/x");

	ck_assert_int_eq(r, OFFMIG_EIO);
	ck_assert_str_eq(offmig_errmsg(ctx), "/mnt/x: No such file or directory");
	ck_assert_int_eq(offmig_errno(ctx), ENOENT);
	ctx_prefix_error(ctx, "profile %s", "bob");
	ck_assert_str_eq(offmig_errmsg(ctx),
	    "profile bob: /mnt/x: No such file or directory");
}
END_TEST

START_TEST(test_exit_status_per_code)
{
	ck_assert_int_eq(offmig_exit_status(OFFMIG_OK), 0);
	ck_assert_int_eq(offmig_exit_status(OFFMIG_EINVAL), 2);
	ck_assert_int_eq(offmig_exit_status(OFFMIG_ECORRUPT), 3);
	ck_assert_int_eq(offmig_exit_status(OFFMIG_EIO), 4);
	ck_assert_int_eq(offmig_exit_status(OFFMIG_EUNSAFE), 5);
	ck_assert_int_eq(offmig_exit_status(OFFMIG_ENOWINDOWS), 6);
	ck_assert_str_ne(offmig_strerror(OFFMIG_ECORRUPT), "unknown error");
	ck_assert_str_eq(offmig_strerror(12345), "unknown error");
}
END_TEST

static int logged;

static void
count_log(void *arg, enum offmig_level level, const char *msg)
{
	(void)arg;
	(void)level;
	ck_assert_str_eq(msg, "item 3 failed");
	logged++;
}

START_TEST(test_log_counts_warnings_and_failures)
{
	offmig_ctx_set_log(ctx, count_log, NULL);
	ctx_log(ctx, OFFMIG_LOG_WARN, "item %d failed", 3);
	ctx_log(ctx, OFFMIG_LOG_ERROR, "item %d failed", 3);
	ck_assert_int_eq(logged, 2);
	ck_assert_uint_eq(offmig_ctx_warnings(ctx), 1);
	ck_assert_uint_eq(offmig_ctx_failures(ctx), 1);
}
END_TEST

START_TEST(test_utf16_round_trip_and_lone_surrogate)
{
	/* "Aä€😀" then a lone high surrogate, then NUL and junk. */
	static const unsigned char u16[] = {
		'A', 0, 0xE4, 0, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE,
		0x00, 0xD8, 'x', 0, 0, 0, 'j', 0
	};
	size_t len, back;
	char *s = utf16le_to_utf8(u16, sizeof(u16), &len);
	void *again;

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "A\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80\xED\xA0\x80x");
	ck_assert(!utf8_valid(s, len));		/* the surrogate */
	again = utf8_to_utf16le("A\xC3\xA4", 3, &back);
	ck_assert_uint_eq(back, 4);
	ck_assert_mem_eq(again, u16, 4);
	free(again);
	free(s);
	/* An odd trailing byte is ignored, not read past. */
	s = utf16le_to_utf8("a\0b", 3, &len);
	ck_assert_str_eq(s, "a");
	free(s);
}
END_TEST

START_TEST(test_windows_name_comparison)
{
	ck_assert_int_eq(wstrcasecmp("Users", "USERS"), 0);
	ck_assert_int_eq(wstrcasecmp("\xC3\x84rger", "\xC3\xA4RGER"), 0);
	ck_assert_int_eq(wstrcasecmp("\xD0\x90\xD0\xBD\xD1\x8F",
	    "\xD0\xB0\xD0\x9D\xD0\xAF"), 0);	/* Аня / аНЯ */
	ck_assert_int_ne(wstrcasecmp("bob", "bob2"), 0);
	ck_assert_int_ne(wstrcasecmp("a\xFF", "a\xFE"), 0);
}
END_TEST

START_TEST(test_wildcards_like_usmt)
{
	ck_assert(wildmatch_ci("*-500", "S-1-5-21-1-2-3-500"));
	ck_assert(wildmatch_ci("S-1-5-21-*", "s-1-5-21-9"));
	ck_assert(wildmatch_ci("b?b", "BOB"));
	ck_assert(!wildmatch_ci("*-500", "S-1-5-21-1-2-3-5001"));
	ck_assert(wildmatch_ci("*", ""));
	/* A hostile pattern finishes quickly. */
	{
		char name[4001];

		memset(name, 'a', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		ck_assert(!wildmatch_ci("*a*a*a*a*a*a*a*a*a*b", name));
	}
}
END_TEST

START_TEST(test_times)
{
	char buf[32];

	/* 2024-05-01T09:30:00Z = 1714555800 */
	ck_assert_int_eq(filetime_to_unix(133590294000000000ULL), 1714555800);
	ck_assert(filetime_to_unix(0) == NO_TIME);
	ck_assert(filetime_to_unix(1) == NO_TIME);
	ck_assert_str_eq(iso8601(1714555800, buf, sizeof(buf)),
	    "2024-05-01T09:30:00Z");
	ck_assert_ptr_null(iso8601(NO_TIME, buf, sizeof(buf)));
	ck_assert_int_eq(parse_yyyymmdd("20240229"), 1709164800);
	ck_assert(parse_yyyymmdd("20230229") == NO_TIME);
	ck_assert(parse_yyyymmdd("2024022") == NO_TIME);
	ck_assert(parse_yyyymmdd("2024-2-1") == NO_TIME);
}
END_TEST

START_TEST(test_doc_build_and_read)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *root = doc_root_mut(doc), *arr, *o;
	const struct offmig_node *r;
	int i;

	arr = doc_add_array(doc, root, "rows");
	for (i = 0; i < 5000; i++) {
		o = doc_push_object(doc, arr);
		doc_add_int(doc, o, "n", i);
		doc_add_str(doc, o, "s", i % 2 ? "odd" : NULL);
	}
	o = doc_add_object(doc, root, "os");
	doc_add_str(doc, o, "name", "x");
	ck_assert_int_eq(doc_status(doc), OFFMIG_OK);
	r = offmig_doc_root(doc);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(r, "rows")), 5000);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(
	    offmig_node_at(offmig_node_get(r, "rows"), 4999), "n")), 4999);
	ck_assert_str_eq(offmig_node_get_str(r, "os.name"), "x");
	ck_assert_ptr_null(offmig_node_get(r, "os.nope"));
	ck_assert_int_eq(offmig_node_type(offmig_node_get(offmig_node_at(
	    offmig_node_get(r, "rows"), 0), "s")), OFFMIG_NODE_NULL);
	/* NULL parents are ignored, not crashed on. */
	doc_add_str(doc, NULL, "k", "v");
	doc_push_str(doc, NULL, "v");
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_json_escapes_faithfully)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *root = doc_root_mut(doc);
	char *out;

	doc_add_str(doc, root, "q", "a\"b\\c\n\x01");
	doc_add_str(doc, root, "lone", "x\xED\xA0\x80y");	/* U+D800 */
	doc_add_str(doc, root, "bad", "\xFF\xC3");
	doc_add_str(doc, root, "ok", "J\xC3\xBCrgen");
	doc_add_bool(doc, root, "b", 1);
	doc_add_null(doc, root, "z");
	out = capture(json_fn, offmig_doc_root(doc), NULL);
	ck_assert_ptr_nonnull(strstr(out, "\"q\": \"a\\\"b\\\\c\\n\\u0001\""));
	/* U+D800 -> U+10D800; bytes FF, C3 -> U+10DCFF, U+10DCC3. */
	ck_assert_ptr_nonnull(strstr(out, "\"lone\": \"x\\udbf6\\udc00y\""));
	ck_assert_ptr_nonnull(strstr(out,
	    "\"bad\": \"\\udbf7\\udcff\\udbf7\\udcc3\""));
	ck_assert_ptr_nonnull(strstr(out, "\"ok\": \"J\xC3\xBCrgen\""));
	ck_assert_ptr_nonnull(strstr(out, "\"b\": true"));
	ck_assert_ptr_nonnull(strstr(out, "\"z\": null"));
	free(out);
	offmig_doc_free(doc);
}
END_TEST

static const struct offmig_column cols[] = {
	{ "NAME", "name", 1 },
	{ "N", "n", 0 },
	{ "TAGS", "tags", 0 },
};

static int
table_fn(FILE *fp, const struct offmig_node *n, const void *arg)
{
	return offmig_write_table(fp, n, cols, 3, *(const unsigned *)arg);
}

static int
csv_fn(FILE *fp, const struct offmig_node *n, const void *arg)
{
	(void)arg;
	return offmig_write_csv(fp, n, cols, 3);
}

static struct offmig_doc *
table_doc(void)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *arr = doc_add_array(doc, doc_root_mut(doc), "r");
	struct offmig_node *o, *tags;

	o = doc_push_object(doc, arr);
	doc_add_str(doc, o, "name", "a very long application name, with comma");
	doc_add_int(doc, o, "n", 7);
	tags = doc_add_array(doc, o, "tags");
	doc_push_str(doc, tags, "x");
	doc_push_str(doc, tags, "y");
	o = doc_push_object(doc, arr);
	doc_add_str(doc, o, "name", "evil\x1b[31m\"q\"");
	return doc;
}

START_TEST(test_table_fits_width_and_hides_controls)
{
	struct offmig_doc *doc = table_doc();
	unsigned width = 30, none = 0;
	char *out = capture(table_fn, offmig_node_get(offmig_doc_root(doc), "r"),
	    &width), *line, *save = NULL;

	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		ck_assert_msg(strlen(line) <= 30, "line too wide: '%s'", line);
	free(out);
	out = capture(table_fn, offmig_node_get(offmig_doc_root(doc), "r"),
	    &none);
	ck_assert_ptr_nonnull(strstr(out, "a very long application name, "
	    "with comma  7  x,y"));
	ck_assert_ptr_null(strchr(out, '\x1b'));
	ck_assert_ptr_nonnull(strstr(out, "evil?[31m"));
	ck_assert_ptr_nonnull(strstr(out, "  -"));
	free(out);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_csv_quotes_fields)
{
	struct offmig_doc *doc = table_doc();
	char *out = capture(csv_fn, offmig_node_get(offmig_doc_root(doc), "r"),
	    NULL);

	ck_assert_str_eq(out, "NAME,N,TAGS\r\n"
	    "\"a very long application name, with comma\",7,\"x,y\"\r\n"
	    "\"evil\x1b[31m\"\"q\"\"\",,\r\n");
	free(out);
	offmig_doc_free(doc);
}
END_TEST

static char tmpl[64];
static int rootfd = -1;

static void
mk(const char *rel, int dir)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
	if (dir)
		ck_assert_int_eq(mkdir(p, 0755), 0);
	else {
		int fd = open(p, O_WRONLY | O_CREAT, 0644);

		ck_assert_int_ge(fd, 0);
		close(fd);
	}
}

static void
vsetup(void)
{
	char p[256];

	setup();
	snprintf(tmpl, sizeof(tmpl), "/tmp/offmig-vpath.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	mk("Windows", 1);
	mk("Windows/System32", 1);
	mk("Windows/System32/config", 1);
	mk("Windows/System32/config/SOFTWARE", 0);
	mk("Users", 1);
	mk("Users/Bob", 1);
	snprintf(p, sizeof(p), "%s/Users/Link", tmpl);
	ck_assert_int_eq(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/Users/Bob/Loop", tmpl);
	ck_assert_int_eq(symlink(".", p), 0);
	ck_assert_int_ge(rootfd = open(tmpl, O_RDONLY | O_DIRECTORY), 0);
}

static void
vteardown(void)
{
	char cmd[128];

	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	ck_assert_int_eq(system(cmd), 0);
	teardown();
}

START_TEST(test_vpath_case_insensitive)
{
	char *host = NULL;
	int fd = -1;

	ck_assert_int_eq(vpath_resolve(ctx, rootfd,
	    "WINDOWS\\system32\\CONFIG\\software", VPATH_FILE, &fd, &host,
	    NULL), OFFMIG_OK);
	ck_assert_str_eq(host, "Windows/System32/config/SOFTWARE");
	ck_assert_int_ge(fd, 0);
	close(fd);
	free(host);
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "users/BOB", VPATH_DIR,
	    NULL, &host, NULL), OFFMIG_OK);
	ck_assert_str_eq(host, "Users/Bob");
	free(host);
}
END_TEST

START_TEST(test_vpath_refuses_links_and_dotdot)
{
	char *host = (char *)"x";
	int fd = 5;

	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Link\\passwd",
	    VPATH_FILE, &fd, &host, NULL), OFFMIG_EUNSAFE);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_null(host);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Users/Link"));
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Bob\\Loop",
	    VPATH_DIR, NULL, NULL, NULL), OFFMIG_EUNSAFE);
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\..\\..\\etc",
	    VPATH_DIR, NULL, NULL, NULL), OFFMIG_EINVAL);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), ".."));
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Nobody",
	    VPATH_DIR, NULL, NULL, NULL), OFFMIG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Nobody"));
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Bob",
	    VPATH_FILE, NULL, NULL, NULL), OFFMIG_ENOTFOUND);
	/* VPATH_ANY sees the link itself, without following it. */
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Link", VPATH_ANY,
	    &fd, NULL, NULL), OFFMIG_OK);
	close(fd);
}
END_TEST

START_TEST(test_winpath_classify_and_expand)
{
	const char *rest;
	char *s;
	const struct winenv env[] = {
		{ "SystemDrive", "C:" }, { "USERPROFILE", "C:\\Users\\bob" }
	};

	ck_assert_int_eq(winpath_classify("C:\\Users\\bob", 'C', &rest),
	    WINPATH_SYSTEM_DRIVE);
	ck_assert_str_eq(rest, "Users\\bob");
	ck_assert_int_eq(winpath_classify("c:/x", 'C', &rest),
	    WINPATH_SYSTEM_DRIVE);
	ck_assert_int_eq(winpath_classify("\\??\\C:\\Users", 'C', &rest),
	    WINPATH_SYSTEM_DRIVE);
	ck_assert_str_eq(rest, "Users");
	ck_assert_int_eq(winpath_classify("D:\\x", 'C', NULL),
	    WINPATH_OTHER_DRIVE);
	ck_assert_int_eq(winpath_classify("\\\\srv\\share", 'C', NULL),
	    WINPATH_UNC);
	ck_assert_int_eq(winpath_classify("\\\\?\\UNC\\srv\\s", 'C', NULL),
	    WINPATH_UNC);
	ck_assert_int_eq(winpath_classify("\\\\.\\PhysicalDrive0", 'C', NULL),
	    WINPATH_DEVICE);
	ck_assert_int_eq(winpath_classify("C:\\a\\..\\b", 'C', NULL),
	    WINPATH_INVALID);
	ck_assert_int_eq(winpath_classify("", 'C', NULL), WINPATH_INVALID);
	ck_assert_int_eq(winpath_classify("a\nb", 'C', NULL), WINPATH_INVALID);
	s = winpath_expand("%systemdrive%\\x\\%USERPROFILE%\\%NOPE%\\100%", env,
	    2);
	ck_assert_str_eq(s, "C:\\x\\C:\\Users\\bob\\%NOPE%\\100%");
	free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("common");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_error_message_names_culprit_and_errno);
	tcase_add_test(tc, test_exit_status_per_code);
	tcase_add_test(tc, test_log_counts_warnings_and_failures);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_test(tc, test_utf16_round_trip_and_lone_surrogate);
	tcase_add_test(tc, test_windows_name_comparison);
	tcase_add_test(tc, test_wildcards_like_usmt);
	tcase_add_test(tc, test_times);
	suite_add_tcase(s, tc);
	tc = tcase_create("doc");
	tcase_add_test(tc, test_doc_build_and_read);
	tcase_add_test(tc, test_json_escapes_faithfully);
	tcase_add_test(tc, test_table_fits_width_and_hides_controls);
	tcase_add_test(tc, test_csv_quotes_fields);
	suite_add_tcase(s, tc);
	tc = tcase_create("vpath");
	tcase_add_checked_fixture(tc, vsetup, vteardown);
	tcase_add_test(tc, test_vpath_case_insensitive);
	tcase_add_test(tc, test_vpath_refuses_links_and_dotdot);
	tcase_add_test(tc, test_winpath_classify_and_expand);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
