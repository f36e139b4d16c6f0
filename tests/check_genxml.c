/*
 * check_genxml.c - offmig_xml_generate(): the files and the report it
 * produces on a fixture volume, and each refusal with its code, a cleared
 * out-parameter and a message that names the culprit.
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "offmig.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static struct offmig_volume *vol;
static char tmp[1024];

static void
setup(void)
{
	char path[1024];
	const char *base = getenv("TMPDIR");

	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	ck_assert_int_eq(offmig_volume_open(ctx, t_volume(path, sizeof(path),
	    "win10"), NULL, &vol), OFFMIG_OK);
	snprintf(tmp, sizeof(tmp), "%s/check_genxml.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void
teardown(void)
{
	char cmd[1100];

	offmig_volume_close(vol);
	offmig_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}

static int
exists(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

START_TEST(test_writes_three_files_and_reports_them)
{
	struct offmig_doc *doc = NULL;
	const struct offmig_node *root, *comps;
	char dir[2048];

	snprintf(dir, sizeof(dir), "%s/new", tmp);
	ck_assert_int_eq(offmig_xml_generate(ctx, vol, NULL, dir, 0, &doc),
	    OFFMIG_OK);
	ck_assert_ptr_nonnull(doc);
	ck_assert(exists(dir, "offmig-user.xml"));
	ck_assert(exists(dir, "offmig-apps.xml"));
	ck_assert(exists(dir, "config.xml"));
	root = offmig_doc_root(doc);
	ck_assert_str_eq(offmig_node_get_str(root, "computer_name"),
	    "DESKTOP-OFFMIG");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(root,
	    "counts.components")), 7);
	comps = offmig_node_get(root, "components");
	ck_assert_uint_eq(offmig_node_len(comps), 7);
	ck_assert_str_eq(offmig_node_get_str(offmig_node_at(comps, 0), "id"),
	    "http://offmig.example/migxml/DESKTOP-OFFMIG/user/desktop");
	ck_assert_str_eq(offmig_node_get_str(offmig_node_at(comps, 6), "name"),
	    "Notepad++");
	offmig_doc_free(doc);
	/* Again: refused, then replaced with OFFMIG_XML_FORCE. */
	doc = (struct offmig_doc *)1;
	ck_assert_int_eq(offmig_xml_generate(ctx, vol, NULL, dir, 0, &doc),
	    OFFMIG_EUNSAFE);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "offmig-user.xml exists"));
	ck_assert_int_eq(offmig_xml_generate(ctx, vol, NULL, dir,
	    OFFMIG_XML_FORCE, &doc), OFFMIG_OK);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_symlink_dir_is_refused)
{
	struct offmig_doc *doc = (struct offmig_doc *)1;
	char dir[2048], target[2048];

	snprintf(target, sizeof(target), "%s/target", tmp);
	snprintf(dir, sizeof(dir), "%s/link", tmp);
	ck_assert_int_eq(mkdir(target, 0700), 0);
	ck_assert_int_eq(symlink(target, dir), 0);
	ck_assert_int_eq(offmig_xml_generate(ctx, vol, NULL, dir, 0, &doc),
	    OFFMIG_EUNSAFE);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), dir));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "symbolic link"));
	ck_assert(!exists(target, "config.xml"));
}
END_TEST

START_TEST(test_file_as_dir_is_refused)
{
	struct offmig_doc *doc = (struct offmig_doc *)1;
	char dir[2048];
	int fd;

	snprintf(dir, sizeof(dir), "%s/plain", tmp);
	ck_assert_int_ge(fd = open(dir, O_WRONLY | O_CREAT | O_EXCL, 0600), 0);
	close(fd);
	ck_assert_int_eq(offmig_xml_generate(ctx, vol, NULL, dir,
	    OFFMIG_XML_FORCE, &doc), OFFMIG_EUNSAFE);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "not a directory"));
}
END_TEST

START_TEST(test_dir_on_the_volume_is_refused)
{
	struct offmig_doc *doc = (struct offmig_doc *)1;
	char dir[2048], path[1024];

	snprintf(dir, sizeof(dir), "%s/Users/alice/migxml",
	    t_volume(path, sizeof(path), "win10"));
	ck_assert_int_eq(offmig_xml_generate(ctx, vol, NULL, dir, 0, &doc),
	    OFFMIG_EUNSAFE);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "is on the inspected volume"));
	ck_assert(access(dir, F_OK) != 0);
}
END_TEST

START_TEST(test_missing_parent_is_enotfound)
{
	struct offmig_doc *doc = (struct offmig_doc *)1;
	char dir[2048];

	snprintf(dir, sizeof(dir), "%s/no/such", tmp);
	ck_assert_int_eq(offmig_xml_generate(ctx, vol, NULL, dir, 0, &doc),
	    OFFMIG_ENOTFOUND);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), dir));
	ck_assert_int_eq(offmig_xml_generate(ctx, vol, NULL, NULL, 0, &doc),
	    OFFMIG_EINVAL);
	ck_assert_ptr_null(doc);
}
END_TEST

START_TEST(test_filter_selects_profiles)
{
	struct offmig_filter *f = offmig_filter_new();
	struct offmig_doc *doc = NULL;
	const struct offmig_node *comps;
	char dir[2048];
	size_t i;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(offmig_filter_exclude(f, "*"), OFFMIG_OK);
	ck_assert_int_eq(offmig_filter_include(f, "dave"), OFFMIG_OK);
	snprintf(dir, sizeof(dir), "%s/dave", tmp);
	ck_assert_int_eq(offmig_xml_generate(ctx, vol, f, dir, 0, &doc),
	    OFFMIG_OK);
	comps = offmig_node_get(offmig_doc_root(doc), "components");
	for (i = 0; i < offmig_node_len(comps); i++) {
		const struct offmig_node *c = offmig_node_at(comps, i);
		const char *name = offmig_node_get_str(c, "name");

		/* alice's browsers are not looked at. */
		ck_assert_str_ne(name, "Google Chrome profiles");
		if (strcmp(name, "Documents") == 0)
			ck_assert_str_eq(offmig_node_get_str(c, "detail"),
			    "dave: 1 files, 1500 bytes");
	}
	offmig_doc_free(doc);
	offmig_filter_free(f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("genxml");
	TCase *tc = tcase_create("generate");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_writes_three_files_and_reports_them);
	tcase_add_test(tc, test_symlink_dir_is_refused);
	tcase_add_test(tc, test_file_as_dir_is_refused);
	tcase_add_test(tc, test_dir_on_the_volume_is_refused);
	tcase_add_test(tc, test_missing_parent_is_enotfound);
	tcase_add_test(tc, test_filter_selects_profiles);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
