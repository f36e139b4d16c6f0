/*
 * check_inventory.c - unit tests of the application, known-folder and
 * inspect reports, on generated volumes and on real hives.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profiles.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char tmp[64];

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	tmp[0] = '\0';
}

static void
teardown(void)
{
	char cmd[128];

	if (tmp[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		ck_assert_int_eq(system(cmd), 0);
	}
	offmig_ctx_free(ctx);
}

static struct offmig_volume *
open_volume(const char *name)
{
	struct offmig_volume *vol = NULL;
	char p[512];

	ck_assert_msg(offmig_volume_open(ctx, t_volume(p, sizeof(p), name), NULL,
	    &vol) == OFFMIG_OK, "%s", offmig_errmsg(ctx));
	return vol;
}

/* The element of arr whose field key equals value, or NULL. */
static const struct offmig_node *
row(const struct offmig_node *arr, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < offmig_node_len(arr); i++) {
		const char *s = offmig_node_get_str(offmig_node_at(arr, i), key);

		if (s != NULL && strcmp(s, value) == 0)
			return offmig_node_at(arr, i);
	}
	return NULL;
}

START_TEST(test_apps_views_scopes_and_hiding)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_doc *doc;
	const struct offmig_node *apps, *a;

	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	ck_assert_uint_eq(offmig_node_len(apps), 7);
	a = row(apps, "name", "7-Zip 23.01 (x64)");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(a, "view")), 64);
	ck_assert_str_eq(offmig_node_get_str(a, "scope"), "machine");
	ck_assert_str_eq(offmig_node_get_str(a, "install_date"), "2023-02-14");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(a,
	    "estimated_size_kb")), 5632);
	a = row(apps, "name", "Notepad++ (32-bit x86)");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(a, "view")), 32);
	ck_assert_ptr_nonnull(strstr(offmig_node_get_str(a, "key"),
	    "WOW6432Node"));
	/* A DWORD epoch date is normalized too. */
	a = row(apps, "name", "Mozilla Firefox (x64 en-US)");
	ck_assert_str_eq(offmig_node_get_str(a, "install_date"), "2024-05-01");
	a = row(apps, "name", "LibreOffice 7.6.4.1");
	ck_assert_str_eq(offmig_node_get_str(a, "msi_product_code"),
	    "{A1B2C3D4-5E6F-4A5B-8C9D-0E1F2A3B4C5D}");
	a = row(apps, "name", "Zoom Workplace");
	ck_assert_str_eq(offmig_node_get_str(a, "scope"), "user");
	ck_assert_str_eq(offmig_node_get_str(a, "user"), "alice");
	ck_assert_str_eq(offmig_node_get_str(a, "sid"),
	    "S-1-5-21-1111111111-2222222222-3333333333-1001");
	ck_assert_ptr_null(row(apps, "name", "Microsoft Update Health Tools"));
	offmig_doc_free(doc);

	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL,
	    OFFMIG_REPORT_ALL_APPS, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	ck_assert_uint_eq(offmig_node_len(apps), 11);
	ck_assert_str_eq(offmig_node_get_str(row(apps, "name",
	    "Microsoft Update Health Tools"), "hidden_reason"),
	    "system-component");
	ck_assert_str_eq(offmig_node_get_str(row(apps, "name", "Office Hotfix"),
	    "hidden_reason"), "update");
	ck_assert_str_eq(offmig_node_get_str(row(apps, "name",
	    "Security Update for Office (KB5002100)"), "hidden_reason"),
	    "release-type");
	ck_assert_str_eq(offmig_node_get_str(row(apps, "key",
	    "Microsoft\\Windows\\CurrentVersion\\Uninstall\\NoDisplayNameEntry"),
	    "hidden_reason"), "no-name");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_apps_32bit_os_has_one_view)
{
	struct offmig_volume *vol = open_volume("win7");
	struct offmig_doc *doc;
	const struct offmig_node *apps;
	size_t i;

	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	ck_assert_uint_eq(offmig_node_len(apps), 2);
	for (i = 0; i < offmig_node_len(apps); i++)
		ck_assert_int_eq(offmig_node_int(offmig_node_get(
		    offmig_node_at(apps, i), "view")), 32);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_apps_none_visible)
{
	struct offmig_volume_opts opts = { "WINNT", 0 };
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc;
	char p[512];

	/* The Windows 2000 directory of two-installs has no Uninstall key. */
	ck_assert_int_eq(offmig_volume_open(ctx, t_volume(p, sizeof(p),
	    "two-installs"), &opts, &vol), OFFMIG_OK);
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "apps")), 0);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_folders_redirect_and_browsers)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_doc *doc;
	const struct offmig_node *p, *f, *b;

	ck_assert_int_eq(offmig_folders_report(ctx, vol, "alice", NULL, &doc),
	    OFFMIG_OK);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "profiles")), 1);
	p = offmig_node_at(offmig_node_get(offmig_doc_root(doc), "profiles"), 0);
	f = row(offmig_node_get(p, "folders"), "name", "Personal");
	ck_assert_str_eq(offmig_node_get_str(f, "path"), "D:\\Docs");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(f, "redirected")), 1);
	ck_assert_str_eq(offmig_node_get_str(f, "redirect_kind"), "drive");
	f = row(offmig_node_get(p, "folders"), "name",
	    "{374DE290-123F-4565-9164-39C4925E467B}");
	ck_assert_str_eq(offmig_node_get_str(f, "path"),
	    "C:\\Users\\alice\\Downloads");
	ck_assert_str_eq(offmig_node_get_str(f, "host_path"),
	    "Users/alice/Downloads");
	ck_assert_str_eq(offmig_node_get_str(f, "source"),
	    "user-shell-folders");
	ck_assert_str_eq(offmig_node_get_str(f, "path_raw"),
	    "%USERPROFILE%\\Downloads");
	b = offmig_node_get(p, "browsers");
	ck_assert_uint_eq(offmig_node_len(b), 3);
	ck_assert_ptr_nonnull(row(b, "profile", "Profile 1"));
	ck_assert_str_eq(offmig_node_get_str(row(b, "browser", "firefox"),
	    "bookmarks"), "Users/alice/AppData/Roaming/Mozilla/Firefox/"
	    "Profiles/abcd1234.default-release/places.sqlite");
	f = row(offmig_node_get(offmig_doc_root(doc), "common"), "name",
	    "Common Desktop");
	ck_assert_str_eq(offmig_node_get_str(f, "path"),
	    "C:\\Users\\Public\\Desktop");
	offmig_doc_free(doc);
	doc = (struct offmig_doc *)1;
	ck_assert_int_eq(offmig_folders_report(ctx, vol, "nobody", NULL, &doc),
	    OFFMIG_ENOTFOUND);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "nobody"));
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_folders_xp_defaults)
{
	struct offmig_volume *vol = open_volume("xp");
	struct offmig_doc *doc;
	const struct offmig_node *p, *f;

	ck_assert_int_eq(offmig_folders_report(ctx, vol, "kate", NULL, &doc),
	    OFFMIG_OK);
	ck_assert_str_eq(offmig_node_get_str(offmig_doc_root(doc), "layout"),
	    "xp");
	p = offmig_node_at(offmig_node_get(offmig_doc_root(doc), "profiles"), 0);
	f = row(offmig_node_get(p, "folders"), "name", "Personal");
	ck_assert_str_eq(offmig_node_get_str(f, "path"),
	    "C:\\Documents and Settings\\kate\\My Documents");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(f, "exists")), 1);
	ck_assert_ptr_null(row(offmig_node_get(p, "folders"), "name",
	    "{374DE290-123F-4565-9164-39C4925E467B}"));
	f = row(offmig_node_get(offmig_doc_root(doc), "common"), "name",
	    "Common Desktop");
	ck_assert_str_eq(offmig_node_get_str(f, "path"),
	    "C:\\Documents and Settings\\All Users\\Desktop");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_inspect_attention)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_doc *doc;
	const struct offmig_node *att;

	ck_assert_int_eq(offmig_inspect_report(ctx, vol, NULL, 0, &doc),
	    OFFMIG_OK);
	att = offmig_node_get(offmig_doc_root(doc), "attention");
	ck_assert_ptr_nonnull(row(att, "what", "bak-twin"));
	ck_assert_ptr_nonnull(row(att, "what", "temporary-profile"));
	ck_assert_ptr_nonnull(row(att, "what", "dirty-hive"));
	ck_assert_ptr_nonnull(row(att, "what", "folder-missing"));
	ck_assert_ptr_nonnull(row(att, "what", "hive-missing"));
	ck_assert_ptr_nonnull(row(att, "what", "orphan-folder"));
	ck_assert_ptr_null(row(att, "what", "hibernated"));
	ck_assert_str_eq(offmig_node_get_str(offmig_doc_root(doc),
	    "os.computer_name"), "DESKTOP-OFFMIG");
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "apps")), 7);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_inspect_hostile_volume)
{
	struct offmig_volume *vol = open_volume("hostile");
	struct offmig_doc *doc;
	const struct offmig_node *att;

	ck_assert_int_eq(offmig_inspect_report(ctx, vol, NULL,
	    OFFMIG_REPORT_ALL_APPS, &doc), OFFMIG_OK);
	att = offmig_node_get(offmig_doc_root(doc), "attention");
	ck_assert_ptr_nonnull(row(att, "what", "hibernated"));
	ck_assert_ptr_nonnull(row(att, "what", "outside-volume"));
	ck_assert_uint_ge(offmig_ctx_warnings(ctx), 5);
	/* The odd-named application is reported with its bytes kept. */
	ck_assert_ptr_nonnull(row(offmig_node_get(offmig_doc_root(doc), "apps"),
	    "key", "Microsoft\\Windows\\CurrentVersion\\Uninstall\\OddName"));
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

/* A volume whose user's NTUSER.DAT is a real one from the corpus. */
static int
corpus_user_volume(const char *ntuser, const char *profile_path)
{
	char p[512], cmd[4096], reg[1024];
	FILE *fp;

	if (t_corpus(p, sizeof(p), ntuser) == NULL)
		return 0;
	snprintf(tmp, sizeof(tmp), "/tmp/offmig-cu.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(reg, sizeof(reg), "%s/t.vol", tmp);
	ck_assert_ptr_nonnull(fp = fopen(reg, "w"));
	fprintf(fp, "layout win10\nuser u rid=1001 path='%s' no-hive\n",
	    profile_path);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s/v' && cp '%s' '%s/v/%s/NTUSER.DAT'",
	    t_env("OFFMIG_MKWINVOL"), reg, tmp, p, tmp, strchr(profile_path,
	    '\\') + 1);
	for (char *c = cmd + strlen(cmd) - 40; *c; c++)
		if (*c == '\\')
			*c = '/';
	ck_assert_int_eq(system(cmd), 0);
	return 1;
}

static void
expect_folder(const char *ntuser, const char *profile, const char *name,
    const char *value)
{
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc;
	const struct offmig_node *p;
	char root[128];

	if (!corpus_user_volume(ntuser, profile)) {
		fprintf(stderr, "SKIP: corpus file %s is absent\n", ntuser);
		return;
	}
	snprintf(root, sizeof(root), "%s/v", tmp);
	ck_assert_int_eq(offmig_volume_open(ctx, root, NULL, &vol), OFFMIG_OK);
	ck_assert_int_eq(offmig_folders_report(ctx, vol, "u", NULL, &doc),
	    OFFMIG_OK);
	p = offmig_node_at(offmig_node_get(offmig_doc_root(doc), "profiles"), 0);
	ck_assert_str_eq(offmig_node_get_str(row(offmig_node_get(p, "folders"),
	    "name", name), "path"), value);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
	snprintf(root, sizeof(root), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(root), 0);
	tmp[0] = '\0';
}

START_TEST(test_corpus_shell_folders)
{
	expect_folder("regipy/NTUSER.DAT", "C:\\Users\\vibranium", "Desktop",
	    "C:\\Users\\vibranium\\Desktop");
	expect_folder("regipy/NTUSER.DAT", "C:\\Users\\vibranium", "Personal",
	    "C:\\Users\\vibranium\\Documents");
	expect_folder("notatin/NTUSER.DAT", "C:\\Users\\Patrick", "Desktop",
	    "C:\\Users\\Patrick\\Desktop");
	expect_folder("dfwinreg/old_14bc0f1/NTUSER.DAT",
	    "C:\\Users\\Administrator", "Personal",
	    "C:\\Users\\Administrator\\My Documents");
}
END_TEST

START_TEST(test_corpus_reactos_apps)
{
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc;
	const struct offmig_node *apps;
	char p[512], sys[512], cmd[4096];

	if (t_corpus(p, sizeof(p), "reactos/SOFTWARE") == NULL ||
	    t_corpus(sys, sizeof(sys), "reactos/SYSTEM") == NULL)
		T_SKIP_NO_CORPUS("reactos/SOFTWARE");
	snprintf(tmp, sizeof(tmp), "/tmp/offmig-ra.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/ReactOS/System32/config' && "
	    "cp '%s' '%s/ReactOS/System32/config/' && cp '%s' "
	    "'%s/ReactOS/System32/config/'", tmp, p, tmp, sys, tmp);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(offmig_volume_open(ctx, tmp, NULL, &vol), OFFMIG_OK);
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL,
	    OFFMIG_REPORT_ALL_APPS, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	/* CATALOG.md: 5 Uninstall subkeys, no WOW6432Node. */
	ck_assert_uint_eq(offmig_node_len(apps), 5);
	ck_assert_ptr_nonnull(row(apps, "name",
	    "Mozilla Firefox 48.0.2 (x86 en-US)"));
	ck_assert_ptr_nonnull(row(apps, "key",
	    "Microsoft\\Windows\\CurrentVersion\\Uninstall\\Git_is1"));
	ck_assert_ptr_nonnull(row(apps, "key",
	    "Microsoft\\Windows\\CurrentVersion\\Uninstall\\"
	    "MozillaMaintenanceService"));
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_corpus_container_apps)
{
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc;
	const struct offmig_node *apps;
	char p[512], s[512], cmd[4096];
	size_t i, n32 = 0;

	if (t_corpus(p, sizeof(p), "scancode/Software_Delta") == NULL ||
	    t_corpus(s, sizeof(s), "dissect.regf/_data/SYSTEM") == NULL)
		T_SKIP_NO_CORPUS("scancode/Software_Delta");
	snprintf(tmp, sizeof(tmp), "/tmp/offmig-sd.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/Windows/System32/config' && "
	    "cp '%s' '%s/Windows/System32/config/SOFTWARE' && cp '%s' "
	    "'%s/Windows/System32/config/SYSTEM'", tmp, p, tmp, s, tmp);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(offmig_volume_open(ctx, tmp, NULL, &vol), OFFMIG_OK);
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL,
	    OFFMIG_REPORT_ALL_APPS, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	/* CATALOG.md: 7 Uninstall subkeys and 1 under WOW6432Node. */
	ck_assert_uint_eq(offmig_node_len(apps), 8);
	for (i = 0; i < offmig_node_len(apps); i++)
		n32 += offmig_node_int(offmig_node_get(offmig_node_at(apps, i),
		    "view")) == 32;
	ck_assert_uint_eq(n32, 1);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("inventory");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = tcase_create("volumes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_apps_views_scopes_and_hiding);
	tcase_add_test(tc, test_apps_32bit_os_has_one_view);
	tcase_add_test(tc, test_apps_none_visible);
	tcase_add_test(tc, test_folders_redirect_and_browsers);
	tcase_add_test(tc, test_folders_xp_defaults);
	tcase_add_test(tc, test_inspect_attention);
	tcase_add_test(tc, test_inspect_hostile_volume);
	suite_add_tcase(s, tc);
	tc = tcase_create("corpus");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_corpus_shell_folders);
	tcase_add_test(tc, test_corpus_reactos_apps);
	tcase_add_test(tc, test_corpus_container_apps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
