/*
 * check_inventory.c - unit tests of the application, known-folder and
 * inspect reports: on the generated XP, 7, 10 and 11 volumes, on volumes
 * built here for one case each, on hostile input, and on real hives from
 * the corpus copied into temporary volume layouts (skipped visibly when the
 * corpus is absent).
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profiles.h"
#include "testutil.h"

#define SID10	"S-1-5-21-1111111111-2222222222-3333333333"
#define UNINST	"Microsoft\\Windows\\CurrentVersion\\Uninstall"

static struct offmig_ctx *ctx;
static char tmp[64];
/* What the log callback received: a warning at all, and every message. */
static int warned;
static char logged[8192];

static void
log_fn(void *arg, enum offmig_level level, const char *msg)
{
	size_t n = strlen(logged);

	(void)arg;
	if (level == OFFMIG_LOG_WARN)
		warned = 1;
	snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	offmig_ctx_set_log(ctx, log_fn, NULL);
	logged[0] = '\0';
	warned = 0;
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
open_root(const char *root)
{
	struct offmig_volume *vol = NULL;

	ck_assert_msg(offmig_volume_open(ctx, root, NULL, &vol) == OFFMIG_OK,
	    "%s: %s", root, offmig_errmsg(ctx));
	return vol;
}

static struct offmig_volume *
open_volume(const char *name)
{
	char p[512];

	return open_root(t_volume(p, sizeof(p), name));
}

/* A fresh temporary directory in tmp (removed by teardown). */
static void
make_tmp(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/offmig-inv.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

/* Writes text to tmp/rel, replacing what was there. */
static void
write_text(const char *rel, const char *text)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	ck_assert_ptr_nonnull(fp = fopen(p, "w"));
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
}

/*
 * Builds a volume from a mkwinvol description (docs/FIXTURES.md) into
 * tmp/v and returns that path.
 */
static const char *
make_volume(const char *desc)
{
	static char root[128];
	char cmd[1024];

	make_tmp();
	write_text("t.vol", desc);
	snprintf(root, sizeof(root), "%s/v", tmp);
	snprintf(cmd, sizeof(cmd), "'%s' '%s/t.vol' '%s' >/dev/null",
	    t_env("OFFMIG_MKWINVOL"), tmp, root);
	ck_assert_int_eq(system(cmd), 0);
	return root;
}

/* Copies a file into the volume built in tmp (never a link). */
static void
copy_in(const char *from, const char *rel)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/%s'", from, tmp, rel);
	ck_assert_int_eq(system(cmd), 0);
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

/* The number of elements of arr whose field key equals value. */
static size_t
count(const struct offmig_node *arr, const char *key, const char *value)
{
	size_t i, n = 0;

	for (i = 0; i < offmig_node_len(arr); i++) {
		const char *s = offmig_node_get_str(offmig_node_at(arr, i), key);

		n += s != NULL && strcmp(s, value) == 0;
	}
	return n;
}

/* A string field, failing the test (with its name) when it is absent. */
static const char *
str(const struct offmig_node *o, const char *key)
{
	const char *s;

	ck_assert_msg(o != NULL, "no object to read '%s' from", key);
	s = offmig_node_get_str(o, key);
	ck_assert_msg(s != NULL, "'%s' is not a string", key);
	return s;
}

static int
is_null(const struct offmig_node *o, const char *key)
{
	const struct offmig_node *n = offmig_node_get(o, key);

	return n != NULL && offmig_node_type(n) == OFFMIG_NODE_NULL;
}

static int64_t
num(const struct offmig_node *o, const char *key)
{
	const struct offmig_node *n = offmig_node_get(o, key);

	ck_assert_msg(n != NULL, "no field '%s'", key);
	return offmig_node_int(n);
}

/*
 * The folders report's profile object of a user (in an inspect report,
 * its "folders" object holds them).
 */
static const struct offmig_node *
folders_of(const struct offmig_doc *doc, const char *user)
{
	const struct offmig_node *root = offmig_doc_root(doc);
	const struct offmig_node *p;

	if (offmig_node_get(root, "folders") != NULL)
		root = offmig_node_get(root, "folders");
	p = row(offmig_node_get(root, "profiles"), "user", user);

	ck_assert_msg(p != NULL, "no profile of '%s' in the folders report",
	    user);
	return p;
}

/*
 * apps
 */

START_TEST(test_apps_views_scopes_and_hiding)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_doc *doc;
	const struct offmig_node *apps, *a;
	size_t i;

	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	/* 7, and one that only dave's dirty NTUSER.DAT's logs hold. */
	ck_assert_uint_eq(offmig_node_len(apps), 8);
	ck_assert_str_eq(str(row(apps, "name", "Microsoft Visual Studio Code (User)"), "user"), "dave");
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "problems")), 0);
	a = row(apps, "name", "7-Zip 23.01 (x64)");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(num(a, "view"), 64);
	ck_assert_str_eq(str(a, "scope"), "machine");
	ck_assert(is_null(a, "sid"));
	ck_assert_str_eq(str(a, "install_date"), "2023-02-14");
	ck_assert_str_eq(str(a, "publisher"), "Igor Pavlov");
	ck_assert_str_eq(str(a, "version"), "23.01");
	ck_assert_int_eq(num(a, "estimated_size_kb"), 5632);
	ck_assert_str_eq(str(a, "key"), UNINST "\\7-Zip");
	ck_assert_str_eq(str(a, "hive"), "Windows/System32/config/SOFTWARE");
	ck_assert(is_null(a, "msi_product_code"));
	ck_assert_int_eq(num(a, "hidden"), 0);
	ck_assert_int_eq(num(a, "system_component"), 0);
	ck_assert(is_null(a, "hidden_reason"));
	a = row(apps, "name", "Notepad++ (32-bit x86)");
	ck_assert_int_eq(num(a, "view"), 32);
	ck_assert_str_eq(str(a, "key"), "WOW6432Node\\" UNINST "\\Notepad++");
	/* A DWORD epoch date is normalized too. */
	a = row(apps, "name", "Mozilla Firefox (x64 en-US)");
	ck_assert_str_eq(str(a, "install_date"), "2024-05-01");
	a = row(apps, "name", "LibreOffice 7.6.4.1");
	ck_assert_str_eq(str(a, "msi_product_code"),
	    "{A1B2C3D4-5E6F-4A5B-8C9D-0E1F2A3B4C5D}");
	a = row(apps, "name", "Zoom Workplace");
	ck_assert_str_eq(str(a, "scope"), "user");
	ck_assert_str_eq(str(a, "user"), "alice");
	ck_assert_str_eq(str(a, "sid"), SID10 "-1001");
	ck_assert_str_eq(str(a, "key"), "Software\\" UNINST "\\ZoomUMX");
	ck_assert_str_eq(str(a, "hive"), "Users/alice/NTUSER.DAT");
	ck_assert_ptr_null(row(apps, "name", "Microsoft Update Health Tools"));
	/* Machine applications first, by name; then each user's. */
	for (i = 0; i + 1 < 5; i++)
		ck_assert_int_lt(wstrcasecmp(str(offmig_node_at(apps, i), "name"),
		    str(offmig_node_at(apps, i + 1), "name")), 0);
	ck_assert_str_eq(str(offmig_node_at(apps, 5), "name"), "Zoom Workplace");
	/* dave's, by name: the one from his hive's logs sorts first. */
	ck_assert_str_eq(str(offmig_node_at(apps, 6), "name"),
	    "Microsoft Visual Studio Code (User)");
	ck_assert_str_eq(str(offmig_node_at(apps, 7), "name"), "Spotify");
	offmig_doc_free(doc);

	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL,
	    OFFMIG_REPORT_ALL_APPS, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	ck_assert_uint_eq(offmig_node_len(apps), 12);
	a = row(apps, "name", "Microsoft Update Health Tools");
	ck_assert_str_eq(str(a, "hidden_reason"), "system-component");
	ck_assert_int_eq(num(a, "hidden"), 1);
	ck_assert_int_eq(num(a, "system_component"), 1);
	ck_assert_str_eq(str(row(apps, "name", "Office Hotfix"),
	    "hidden_reason"), "update");
	ck_assert_str_eq(str(row(apps, "name",
	    "Security Update for Office (KB5002100)"), "hidden_reason"),
	    "release-type");
	a = row(apps, "key", UNINST "\\NoDisplayNameEntry");
	ck_assert_str_eq(str(a, "hidden_reason"), "no-name");
	ck_assert(is_null(a, "name"));
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
		ck_assert_int_eq(num(offmig_node_at(apps, i), "view"), 32);
	ck_assert_str_eq(str(row(apps, "name", "Adobe Reader XI (11.0.23)"),
	    "msi_product_code"), "{AC76BA86-7AD7-1033-7B44-AB0000000001}");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_apps_arm64_and_xp)
{
	struct offmig_volume *vol = open_volume("win11");
	struct offmig_doc *doc;
	const struct offmig_node *apps;

	/* ARM64 is a 64-bit installation: WOW6432Node is its 32-bit view. */
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	ck_assert_uint_eq(offmig_node_len(apps), 1);
	ck_assert_int_eq(num(row(apps, "name", "Microsoft Edge"), "view"), 32);
	offmig_doc_free(doc);
	offmig_volume_close(vol);

	vol = open_volume("xp");
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	/* WinZip, and what the old-format .LOG of a dirty user hive holds. */
	ck_assert_uint_eq(offmig_node_len(apps), 2);
	ck_assert_ptr_nonnull(row(apps, "name", "Microsoft Visual Studio Code (User)"));
	ck_assert_int_eq(num(row(apps, "name", "WinZip 9.0"), "view"), 32);
	ck_assert_str_eq(str(row(apps, "name", "WinZip 9.0"), "install_date"),
	    "2008-03-02");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_apps_filter_selects_user_hives)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_filter *f = offmig_filter_new();
	struct offmig_doc *doc;
	const struct offmig_node *apps;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(offmig_filter_include(f, "alice"), OFFMIG_OK);
	ck_assert_int_eq(offmig_filter_exclude(f, "*"), OFFMIG_OK);
	ck_assert_int_eq(offmig_apps_report(ctx, vol, f, 0, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	/* The machine's five and alice's one; dave's Spotify is not read. */
	ck_assert_uint_eq(offmig_node_len(apps), 6);
	ck_assert_ptr_nonnull(row(apps, "name", "Zoom Workplace"));
	ck_assert_ptr_null(row(apps, "name", "Spotify"));
	offmig_doc_free(doc);
	offmig_filter_free(f);
	offmig_volume_close(vol);
}
END_TEST

/* Dates, versions and product codes as installers really write them. */
static const char odd_apps[] =
    "layout win10\n"
    "os computer=ODDAPPS machine-sid=10-20-30\n"
    "user una rid=1001\n"
    "reg SOFTWARE <<END\n"
    "[" UNINST "\\DateAsNumber]\n"
    "\"DisplayName\"=\"Date As Number\"\n"
    "\"InstallDate\"=dword:0134b046\n"
    "\"VersionMajor\"=dword:00000005\n"
    "\"VersionMinor\"=dword:00000007\n"
    "[" UNINST "\\DateWithDashes]\n"
    "\"DisplayName\"=\"Date With Dashes\"\n"
    "\"InstallDate\"=\"2023-02-14\"\n"
    "\"VersionMajor\"=dword:00000003\n"
    "[" UNINST "\\DateZero]\n"
    "\"DisplayName\"=\"Date Zero\"\n"
    "\"InstallDate\"=dword:00000000\n"
    "[" UNINST "\\DateBinary]\n"
    "\"DisplayName\"=\"Date Binary\"\n"
    "\"InstallDate\"=hex:01,02\n"
    "[" UNINST "\\{12345678-1234-1234-1234-123456789ABC}]\n"
    "\"DisplayName\"=\"Guid Without Installer\"\n"
    "[" UNINST "\\NotAGuid]\n"
    "\"DisplayName\"=\"Installer Without Guid\"\n"
    "\"WindowsInstaller\"=dword:00000001\n"
    "\"QuietUninstallString\"=\"C:\\\\x\\\\u.exe /S\"\n"
    "[" UNINST "\\HotfixEntry]\n"
    "\"DisplayName\"=\"A Hotfix\"\n"
    "\"ReleaseType\"=\"hotfix\"\n"
    "[" UNINST "\\A_dup]\n"
    "\"DisplayName\"=\"Duplicate\"\n"
    "\"DisplayVersion\"=\"1\"\n"
    "[" UNINST "\\B_dup]\n"
    "\"DisplayName\"=\"duplicate\"\n"
    "\"DisplayVersion\"=\"2\"\n"
    "[WOW6432Node\\" UNINST "\\C_dup]\n"
    "\"DisplayName\"=\"Duplicate\"\n"
    "\"DisplayVersion\"=\"3\"\n"
    "[" UNINST "\\EmptyName]\n"
    "\"DisplayName\"=\"\"\n"
    "END\n"
    "reg user:una <<END\n"
    "[Software\\Wow6432Node\\" UNINST "\\UserThirtyTwo]\n"
    "\"DisplayName\"=\"User 32-bit App\"\n"
    "END\n";

START_TEST(test_apps_odd_values)
{
	struct offmig_volume *vol = open_root(make_volume(odd_apps));
	struct offmig_doc *doc;
	const struct offmig_node *apps, *a;

	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL,
	    OFFMIG_REPORT_ALL_APPS, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	/* 20230214 stored as a number is a date, not a Unix time. */
	a = row(apps, "name", "Date As Number");
	ck_assert_str_eq(str(a, "install_date"), "2023-02-14");
	ck_assert_str_eq(str(a, "version"), "5.7");
	a = row(apps, "name", "Date With Dashes");
	ck_assert(is_null(a, "install_date"));
	ck_assert_str_eq(str(a, "install_date_raw"), "2023-02-14");
	ck_assert_str_eq(str(a, "version"), "3");
	a = row(apps, "name", "Date Zero");
	ck_assert(is_null(a, "install_date"));
	ck_assert_str_eq(str(a, "install_date_raw"), "0");
	ck_assert(is_null(a, "version"));
	ck_assert(is_null(a, "publisher"));
	ck_assert(is_null(a, "estimated_size_kb"));
	a = row(apps, "name", "Date Binary");
	ck_assert_str_eq(str(a, "install_date_raw"), "hex(3):01,02");
	ck_assert(is_null(row(apps, "name", "Guid Without Installer"),
	    "msi_product_code"));
	a = row(apps, "name", "Installer Without Guid");
	ck_assert(is_null(a, "msi_product_code"));
	ck_assert_str_eq(str(a, "quiet_uninstall_string"), "C:\\x\\u.exe /S");
	ck_assert_str_eq(str(row(apps, "name", "A Hotfix"), "hidden_reason"),
	    "release-type");
	/* An empty DisplayName is no name. */
	ck_assert_str_eq(str(row(apps, "key", UNINST "\\EmptyName"),
	    "hidden_reason"), "no-name");
	/* Equal names: native view first, then in the order found. */
	a = row(apps, "key", UNINST "\\A_dup");
	ck_assert_ptr_nonnull(a);
	{
		size_t i, first = SIZE_MAX;

		for (i = 0; i < offmig_node_len(apps); i++) {
			const char *n = offmig_node_get_str(offmig_node_at(apps,
			    i), "name");

			if (n != NULL && wstrcasecmp(n, "Duplicate") == 0) {
				first = i;
				break;
			}
		}
		ck_assert_uint_ne(first, SIZE_MAX);
		ck_assert_str_eq(str(offmig_node_at(apps, first), "version"), "1");
		ck_assert_str_eq(str(offmig_node_at(apps, first + 1), "version"),
		    "2");
		ck_assert_str_eq(str(offmig_node_at(apps, first + 2), "version"),
		    "3");
		ck_assert_int_eq(num(offmig_node_at(apps, first + 2), "view"), 32);
	}
	a = row(apps, "name", "User 32-bit App");
	ck_assert_int_eq(num(a, "view"), 32);
	ck_assert_str_eq(str(a, "scope"), "user");
	ck_assert_str_eq(str(a, "user"), "una");
	offmig_doc_free(doc);

	/* Without --all the hotfix and the nameless entry are left out. */
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	ck_assert_ptr_null(row(apps, "name", "A Hotfix"));
	ck_assert_ptr_null(row(apps, "key", UNINST "\\EmptyName"));
	ck_assert_uint_eq(count(apps, "hidden_reason", "no-name"), 0);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_apps_corpus_reactos)
{
	struct offmig_volume *vol;
	struct offmig_doc *doc;
	const struct offmig_node *apps, *a;
	char sw[512], sys[512];

	if (t_corpus(sw, sizeof(sw), "reactos/SOFTWARE") == NULL ||
	    t_corpus(sys, sizeof(sys), "reactos/SYSTEM") == NULL)
		T_SKIP_NO_CORPUS("reactos/SOFTWARE");
	make_tmp();
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "mkdir -p '%s/ReactOS/System32/config'",
		    tmp);
		ck_assert_int_eq(system(cmd), 0);
	}
	copy_in(sw, "ReactOS/System32/config/SOFTWARE");
	copy_in(sys, "ReactOS/System32/config/SYSTEM");
	vol = open_root(tmp);
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL,
	    OFFMIG_REPORT_ALL_APPS, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	/* CATALOG.md: 5 Uninstall subkeys, no WOW6432Node; ReactOS is x86. */
	ck_assert_uint_eq(offmig_node_len(apps), 5);
	ck_assert_uint_eq(count(apps, "hidden_reason", "no-name"), 0);
	a = row(apps, "key", UNINST "\\Mozilla Firefox 48.0.2 (x86 en-US)");
	ck_assert_str_eq(str(a, "name"), "Mozilla Firefox 48.0.2 (x86 en-US)");
	ck_assert_str_eq(str(a, "version"), "48.0.2");
	ck_assert_int_eq(num(a, "view"), 32);
	a = row(apps, "key", UNINST "\\Git_is1");
	ck_assert_str_eq(str(a, "name"), "Git version 2.10.0");
	ck_assert_str_eq(str(a, "install_date"), "2021-02-04");
	ck_assert_str_eq(str(row(apps, "key", UNINST
	    "\\MozillaMaintenanceService"), "name"),
	    "Mozilla Maintenance Service");
	/* The two GUID entries are MSI products. */
	ck_assert_str_eq(str(row(apps, "name", "Wine Gecko (32-bit)"),
	    "msi_product_code"), "{43E91AE4-1065-4255-B035-3035D5287CF8}");
	ck_assert_str_eq(str(row(apps, "name", "TortoiseGit 1.8.16.0 (32 bit)"),
	    "msi_product_code"), "{E1CA499E-D109-4F35-97F0-D8879A5980B9}");
	offmig_doc_free(doc);
	/* Nothing is hidden there. */
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "apps")), 5);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_apps_corpus_container)
{
	struct offmig_volume *vol;
	struct offmig_doc *doc;
	const struct offmig_node *apps, *a;
	char sw[512], sys[512], cmd[256];
	size_t i, n32 = 0;

	if (t_corpus(sw, sizeof(sw), "scancode/Software_Delta") == NULL ||
	    t_corpus(sys, sizeof(sys), "dissect.regf/_data/SYSTEM") == NULL)
		T_SKIP_NO_CORPUS("scancode/Software_Delta");
	make_tmp();
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/Windows/System32/config'", tmp);
	ck_assert_int_eq(system(cmd), 0);
	copy_in(sw, "Windows/System32/config/SOFTWARE");
	/* A 64-bit SYSTEM, so that the WOW6432Node view is read too. */
	copy_in(sys, "Windows/System32/config/SYSTEM");
	vol = open_root(tmp);
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL,
	    OFFMIG_REPORT_ALL_APPS, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	/* CATALOG.md: 7 Uninstall subkeys and 1 under WOW6432Node. */
	ck_assert_uint_eq(offmig_node_len(apps), 8);
	for (i = 0; i < offmig_node_len(apps); i++) {
		a = offmig_node_at(apps, i);
		n32 += num(a, "view") == 32;
		ck_assert_ptr_nonnull(strstr(str(a, "name"), "Python"));
		ck_assert_ptr_nonnull(offmig_node_get_str(a, "msi_product_code"));
	}
	ck_assert_uint_eq(n32, 1);
	a = row(apps, "name", "Python 3.9.5 Core Interpreter (64-bit)");
	ck_assert_str_eq(str(a, "version"), "3.9.5150.0");
	ck_assert_str_eq(str(a, "install_date"), "2021-06-09");
	ck_assert_str_eq(str(a, "hidden_reason"), "system-component");
	offmig_doc_free(doc);
	/* The seven MSI parts are system components: only the launcher shows. */
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	ck_assert_uint_eq(offmig_node_len(apps), 1);
	ck_assert_str_eq(str(offmig_node_at(apps, 0), "name"), "Python Launcher");
	ck_assert_int_eq(num(offmig_node_at(apps, 0), "view"), 32);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

/*
 * folders
 */

START_TEST(test_folders_redirect_and_browsers)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_doc *doc;
	const struct offmig_node *p, *fs, *f, *b;

	ck_assert_int_eq(offmig_folders_report(ctx, vol, "alice", NULL, &doc),
	    OFFMIG_OK);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "profiles")), 1);
	p = folders_of(doc, "alice");
	ck_assert_str_eq(str(p, "sid"), SID10 "-1001");
	ck_assert_str_eq(str(p, "host_path"), "Users/alice");
	fs = offmig_node_get(p, "folders");
	/* Every known folder, in the order of the table. */
	ck_assert_uint_eq(offmig_node_len(fs), 20);
	ck_assert_str_eq(str(offmig_node_at(fs, 0), "name"), "Desktop");
	f = row(fs, "name", "Personal");
	ck_assert_str_eq(str(f, "label"), "Documents");
	ck_assert_str_eq(str(f, "csidl"), "CSIDL_PERSONAL");
	ck_assert_str_eq(str(f, "path"), "D:\\Docs");
	ck_assert(is_null(f, "host_path"));
	ck_assert_int_eq(num(f, "exists"), 0);
	ck_assert_int_eq(num(f, "redirected"), 1);
	ck_assert_str_eq(str(f, "redirect_kind"), "drive");
	f = row(fs, "name", "{374DE290-123F-4565-9164-39C4925E467B}");
	ck_assert_str_eq(str(f, "csidl"), "FOLDERID_Downloads");
	ck_assert_str_eq(str(f, "path"), "C:\\Users\\alice\\Downloads");
	ck_assert_str_eq(str(f, "host_path"), "Users/alice/Downloads");
	ck_assert_str_eq(str(f, "source"), "user-shell-folders");
	ck_assert_str_eq(str(f, "path_raw"), "%USERPROFILE%\\Downloads");
	ck_assert_int_eq(num(f, "exists"), 1);
	ck_assert_int_eq(num(f, "redirected"), 0);
	ck_assert(is_null(f, "redirect_kind"));
	f = row(fs, "name", "Local AppData");
	ck_assert_str_eq(str(f, "host_path"), "Users/alice/AppData/Local");
	b = offmig_node_get(p, "browsers");
	ck_assert_uint_eq(offmig_node_len(b), 3);
	/* Default first, then "Profile N". */
	ck_assert_str_eq(str(offmig_node_at(b, 0), "profile"), "Default");
	ck_assert_str_eq(str(offmig_node_at(b, 1), "profile"), "Profile 1");
	ck_assert_str_eq(str(offmig_node_at(b, 0), "path"),
	    "C:\\Users\\alice\\AppData\\Local\\Google\\Chrome\\User Data\\"
	    "Default");
	ck_assert_str_eq(str(offmig_node_at(b, 0), "bookmarks"),
	    "Users/alice/AppData/Local/Google/Chrome/User Data/Default/"
	    "Bookmarks");
	ck_assert_int_gt(num(offmig_node_at(b, 0), "bookmarks_size"), 0);
	f = row(b, "browser", "firefox");
	ck_assert_str_eq(str(f, "profile"), "default-release");
	ck_assert_str_eq(str(f, "bookmarks"), "Users/alice/AppData/Roaming/"
	    "Mozilla/Firefox/Profiles/abcd1234.default-release/places.sqlite");
	ck_assert_int_eq(num(f, "bookmarks_size"), 4096);
	ck_assert_str_eq(str(f, "path"), "C:\\Users\\alice\\AppData\\Roaming\\"
	    "Mozilla\\Firefox\\Profiles\\abcd1234.default-release");
	f = row(offmig_node_get(offmig_doc_root(doc), "common"), "name",
	    "Common Desktop");
	ck_assert_str_eq(str(f, "path"), "C:\\Users\\Public\\Desktop");
	ck_assert_str_eq(str(f, "host_path"), "Users/Public/Desktop");
	ck_assert_int_eq(num(f, "redirected"), 0);
	/* A common folder the registry does not name: the default. */
	f = row(offmig_node_get(offmig_doc_root(doc), "common"), "name",
	    "Common Templates");
	ck_assert_str_eq(str(f, "source"), "default");
	ck_assert_str_eq(str(f, "path_raw"),
	    "%ProgramData%\\Microsoft\\Windows\\Templates");
	ck_assert_str_eq(str(f, "path"),
	    "C:\\ProgramData\\Microsoft\\Windows\\Templates");
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "problems")), 0);
	offmig_doc_free(doc);
	ck_assert(!warned);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_folders_selection)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_doc *doc;
	const struct offmig_node *profiles, *p, *f;

	/* Every user profile, not the service profiles nor orphans. */
	ck_assert_int_eq(offmig_folders_report(ctx, vol, NULL, NULL, &doc),
	    OFFMIG_OK);
	profiles = offmig_node_get(offmig_doc_root(doc), "profiles");
	ck_assert_ptr_null(row(profiles, "sid", "S-1-5-18"));
	ck_assert_ptr_null(row(profiles, "status", "orphan-folder"));
	ck_assert_ptr_nonnull(row(profiles, "user", "dave"));
	/* frank has no NTUSER.DAT: the defaults of Windows 10. */
	p = folders_of(doc, "frank");
	f = row(offmig_node_get(p, "folders"), "name", "Personal");
	ck_assert_str_eq(str(f, "source"), "default");
	ck_assert_str_eq(str(f, "path"), "C:\\Users\\frank\\Documents");
	ck_assert_str_eq(str(row(offmig_node_get(p, "folders"), "name",
	    "Cookies"), "path"),
	    "C:\\Users\\frank\\AppData\\Local\\Microsoft\\Windows\\INetCookies");
	ck_assert_ptr_nonnull(strstr(offmig_node_str(offmig_node_at(
	    offmig_node_get(p, "problems"), 0), NULL), "NTUSER.DAT"));
	/* erin's folder is gone: listed, not found. */
	p = folders_of(doc, "erin");
	f = row(offmig_node_get(p, "folders"), "name", "Desktop");
	ck_assert_int_eq(num(f, "exists"), 0);
	ck_assert(is_null(f, "host_path"));
	offmig_doc_free(doc);

	/* By SID. */
	ck_assert_int_eq(offmig_folders_report(ctx, vol, SID10 "-1003", NULL,
	    &doc), OFFMIG_OK);
	profiles = offmig_node_get(offmig_doc_root(doc), "profiles");
	ck_assert_uint_eq(offmig_node_len(profiles), 1);
	ck_assert_str_eq(str(offmig_node_at(profiles, 0), "user"), "dave");
	offmig_doc_free(doc);

	/* An unknown user: an error naming it, and no document. */
	doc = (struct offmig_doc *)1;
	ck_assert_int_eq(offmig_folders_report(ctx, vol, "nobody", NULL, &doc),
	    OFFMIG_ENOTFOUND);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "'nobody'"));
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_folders_xp_defaults)
{
	struct offmig_volume *vol = open_volume("xp");
	struct offmig_doc *doc;
	const struct offmig_node *p, *f, *common;

	ck_assert_int_eq(offmig_folders_report(ctx, vol, "kate", NULL, &doc),
	    OFFMIG_OK);
	ck_assert_str_eq(str(offmig_doc_root(doc), "layout"), "xp");
	p = folders_of(doc, "kate");
	f = row(offmig_node_get(p, "folders"), "name", "Personal");
	ck_assert_str_eq(str(f, "path"),
	    "C:\\Documents and Settings\\kate\\My Documents");
	ck_assert_str_eq(str(f, "host_path"),
	    "Documents and Settings/kate/My Documents");
	ck_assert_int_eq(num(f, "exists"), 1);
	/* XP has no Downloads folder. */
	ck_assert_ptr_null(row(offmig_node_get(p, "folders"), "name",
	    "{374DE290-123F-4565-9164-39C4925E467B}"));
	common = offmig_node_get(offmig_doc_root(doc), "common");
	f = row(common, "name", "Common Desktop");
	ck_assert_str_eq(str(f, "path"),
	    "C:\\Documents and Settings\\All Users\\Desktop");
	/* Not in the registry: XP's default under All Users. */
	f = row(common, "name", "CommonMusic");
	ck_assert_str_eq(str(f, "source"), "default");
	ck_assert_str_eq(str(f, "path_raw"),
	    "%ALLUSERSPROFILE%\\Documents\\My Music");
	ck_assert_str_eq(str(f, "path"),
	    "C:\\Documents and Settings\\All Users\\Documents\\My Music");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

/*
 * A user whose shell folders point everywhere a hostile or unusual disk
 * can: "..", a share, another drive, elsewhere on the system drive, a
 * symbolic link out of the volume; only Shell Folders for one; IE
 * favorites; and browser directories that are links.
 */
static const char odd_folders[] =
    "layout win10\n"
    "os computer=ODDFOLDERS machine-sid=10-20-30\n"
    "user zed rid=1001 browsers\n"
    "reg user:zed <<END\n"
    "[Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\"
    "User Shell Folders]\n"
    "\"Personal\"=expand:\"%USERPROFILE%\\\\..\\\\..\\\\Windows\"\n"
    "\"My Music\"=expand:\"\\\\\\\\server\\\\share\\\\music\"\n"
    "\"My Pictures\"=expand:\"%HOMEDRIVE%%HOMEPATH%\\\\Pics\"\n"
    "\"Templates\"=expand:\"E:\\\\Templates\"\n"
    "\"Start Menu\"=expand:\"C:\\\\Data\\\\Start Menu\"\n"
    "\"SendTo\"=expand:\"%USERPROFILE%\\\\SendLink\"\n"
    "\"Recent\"=expand:\"%APPDATA%\\\\Recent2\"\n"
    "\"AppData\"=expand:\"%USERPROFILE%\\\\Roam\"\n"
    "\"My Video\"=\"\"\n"
    "[Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\"
    "Shell Folders]\n"
    "\"My Video\"=\"C:\\\\Users\\\\zed\\\\Movies\"\n"
    "END\n"
    "dir Users/zed/Pics\n"
    "dir Users/zed/Movies\n"
    "dir \"Data/Start Menu\"\n"
    "dir Users/zed/Roam/Recent2\n"
    "symlink Users/zed/SendLink /etc\n"
    "file Users/zed/Favorites/a.URL 10\n"
    "file Users/zed/Favorites/Links/site.url 40\n"
    "file Users/zed/Favorites/notes.txt 5\n"
    "symlink Users/zed/Favorites/Outside /etc\n"
    "symlink \"Users/zed/AppData/Local/Microsoft/Edge/User Data\" /etc\n";

START_TEST(test_folders_odd_values)
{
	struct offmig_volume *vol = open_root(make_volume(odd_folders));
	struct offmig_doc *doc;
	const struct offmig_node *p, *fs, *f, *b, *probs;
	size_t i;
	int found_link = 0;

	ck_assert_int_eq(offmig_folders_report(ctx, vol, "zed", NULL, &doc),
	    OFFMIG_OK);
	p = folders_of(doc, "zed");
	fs = offmig_node_get(p, "folders");
	probs = offmig_node_get(p, "problems");
	f = row(fs, "name", "Personal");
	ck_assert_str_eq(str(f, "path"), "C:\\Users\\zed\\..\\..\\Windows");
	ck_assert_int_eq(num(f, "redirected"), 1);
	ck_assert_str_eq(str(f, "redirect_kind"), "invalid");
	ck_assert_int_eq(num(f, "exists"), 0);
	f = row(fs, "name", "My Music");
	ck_assert_str_eq(str(f, "redirect_kind"), "unc");
	ck_assert(is_null(f, "host_path"));
	f = row(fs, "name", "My Pictures");
	ck_assert_str_eq(str(f, "path"), "C:\\Users\\zed\\Pics");
	ck_assert_int_eq(num(f, "redirected"), 0);
	ck_assert_int_eq(num(f, "exists"), 1);
	ck_assert_str_eq(str(row(fs, "name", "Templates"), "redirect_kind"),
	    "drive");
	f = row(fs, "name", "Start Menu");
	ck_assert_str_eq(str(f, "redirect_kind"), "local");
	ck_assert_str_eq(str(f, "host_path"), "Data/Start Menu");
	ck_assert_int_eq(num(f, "exists"), 1);
	/* A link out of the volume is not followed, and is said so. */
	f = row(fs, "name", "SendTo");
	ck_assert_int_eq(num(f, "exists"), 0);
	ck_assert(is_null(f, "host_path"));
	ck_assert_ptr_nonnull(strstr(str(f, "problem"), "symbolic link"));
	/* %APPDATA% is where AppData really is. */
	f = row(fs, "name", "Recent");
	ck_assert_str_eq(str(f, "path"), "C:\\Users\\zed\\Roam\\Recent2");
	ck_assert_int_eq(num(f, "exists"), 1);
	/* An empty User Shell Folders value: Shell Folders says. */
	f = row(fs, "name", "My Video");
	ck_assert_str_eq(str(f, "source"), "shell-folders");
	ck_assert_str_eq(str(f, "path"), "C:\\Users\\zed\\Movies");
	for (i = 0; i < offmig_node_len(probs); i++)
		if (strstr(offmig_node_str(offmig_node_at(probs, i), NULL),
		    "SendTo") != NULL)
			found_link = 1;
	ck_assert(found_link);
	/*
	 * Browsers: Chrome from the fixture; Edge's "User Data" is a link and
	 * is not followed; AppData moved to "Roam", so Firefox is not found
	 * there; the favorites hold two .url files (one in a subfolder).
	 */
	b = offmig_node_get(p, "browsers");
	ck_assert_uint_eq(count(b, "browser", "chrome"), 2);
	ck_assert_uint_eq(count(b, "browser", "edge"), 0);
	ck_assert_uint_eq(count(b, "browser", "firefox"), 0);
	f = row(b, "browser", "ie");
	ck_assert_int_eq(num(f, "bookmarks_count"), 2);
	ck_assert_int_eq(num(f, "bookmarks_size"), 50);
	ck_assert_str_eq(str(f, "bookmarks"), "Users/zed/Favorites");
	found_link = 0;
	for (i = 0; i < offmig_node_len(probs); i++)
		if (strstr(offmig_node_str(offmig_node_at(probs, i), NULL),
		    "edge") != NULL)
			found_link = 1;
	ck_assert(found_link);
	ck_assert(warned);
	ck_assert_ptr_nonnull(strstr(logged, "SendLink"));
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_folders_firefox_ini_hostile)
{
	struct offmig_volume *vol;
	struct offmig_doc *doc;
	const struct offmig_node *b, *f;
	char ini[4096];
	size_t i;

	vol = open_root(make_volume("layout win10\nos computer=FF "
	    "machine-sid=10-20-30\nuser fox rid=1001 browsers\n"));
	snprintf(ini, sizeof(ini), "[General]\r\nStartWithLastProfile=1\r\n"
	    "[Profile0]\r\nName=evil\r\nIsRelative=1\r\nPath=../../../../etc\r\n"
	    "[Profile1]\r\nName=abs\r\nIsRelative=0\r\nPath=D:\\ff\\prof\r\n"
	    "[Profile2]\r\nName=good\r\nIsRelative=1\r\n"
	    "Path=profiles/ABCD1234.default-release\r\n[Profile3]\r\n"
	    "Name=long\r\nPath=");
	for (i = strlen(ini); i < sizeof(ini) - 1; i++)
		ini[i] = 'A';
	ini[i] = '\0';
	write_text("v/Users/fox/AppData/Roaming/Mozilla/Firefox/profiles.ini",
	    ini);
	ck_assert_int_eq(offmig_folders_report(ctx, vol, "fox", NULL, &doc),
	    OFFMIG_OK);
	b = offmig_node_get(folders_of(doc, "fox"), "browsers");
	ck_assert_uint_eq(count(b, "browser", "firefox"), 3);
	f = row(b, "profile", "evil");
	ck_assert(is_null(f, "host_path"));
	ck_assert(is_null(f, "bookmarks"));
	f = row(b, "profile", "abs");
	ck_assert_str_eq(str(f, "path"), "D:\\ff\\prof");
	ck_assert(is_null(f, "host_path"));
	/* Names are matched as Windows would, stored case reported. */
	f = row(b, "profile", "good");
	ck_assert_str_eq(str(f, "bookmarks"), "Users/fox/AppData/Roaming/"
	    "Mozilla/Firefox/Profiles/abcd1234.default-release/places.sqlite");
	/* A path longer than any Windows path is skipped. */
	ck_assert_ptr_null(row(b, "profile", "long"));
	ck_assert_ptr_nonnull(strstr(logged, "'evil'"));
	ck_assert_ptr_nonnull(strstr(logged, "D:\\ff\\prof"));
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

/* A volume whose user's NTUSER.DAT is a real one from the corpus. */
static void
expect_folder(const char *layout, const char *ntuser, const char *user,
    const char *name, const char *value)
{
	struct offmig_volume *vol;
	struct offmig_doc *doc;
	const struct offmig_node *f;
	char p[512], desc[256], rel[256];

	if (t_corpus(p, sizeof(p), ntuser) == NULL) {
		fprintf(stderr, "SKIP: corpus file %s is absent\n", ntuser);
		return;
	}
	snprintf(desc, sizeof(desc), "layout %s\nuser %s rid=1001 no-hive\n",
	    layout, user);
	make_volume(desc);
	snprintf(rel, sizeof(rel), "v/%s/%s/NTUSER.DAT",
	    strcmp(layout, "xp") == 0 ? "Documents and Settings" : "Users",
	    user);
	copy_in(p, rel);
	snprintf(rel, sizeof(rel), "%s/v", tmp);
	vol = open_root(rel);
	ck_assert_int_eq(offmig_folders_report(ctx, vol, user, NULL, &doc),
	    OFFMIG_OK);
	f = row(offmig_node_get(folders_of(doc, user), "folders"), "name", name);
	ck_assert_msg(f != NULL, "%s: no folder %s", ntuser, name);
	ck_assert_str_eq(str(f, "path"), value);
	ck_assert_str_eq(str(f, "source"), "user-shell-folders");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
	snprintf(p, sizeof(p), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(p), 0);
	tmp[0] = '\0';
}

START_TEST(test_folders_corpus_shell_folders)
{
	expect_folder("win10", "regipy/NTUSER.DAT", "vibranium", "Desktop",
	    "C:\\Users\\vibranium\\Desktop");
	expect_folder("win10", "regipy/NTUSER.DAT", "vibranium", "Personal",
	    "C:\\Users\\vibranium\\Documents");
	expect_folder("win10", "notatin/NTUSER.DAT", "Patrick", "Desktop",
	    "C:\\Users\\Patrick\\Desktop");
	expect_folder("win10", "notatin/NTUSER.DAT", "Patrick",
	    "{374DE290-123F-4565-9164-39C4925E467B}",
	    "C:\\Users\\Patrick\\Downloads");
	expect_folder("xp", "dfwinreg/old_14bc0f1/NTUSER.DAT", "Administrator",
	    "Personal", "C:\\Documents and Settings\\Administrator\\My Documents");
	expect_folder("xp", "dfwinreg/old_14bc0f1/NTUSER.DAT", "Administrator",
	    "Local AppData", "C:\\Documents and Settings\\Administrator\\"
	    "Local Settings\\Application Data");
}
END_TEST

/*
 * inspect
 */

START_TEST(test_inspect_attention)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_doc *doc;
	const struct offmig_node *root, *att, *a;
	size_t i;
	int rank = 0;

	ck_assert_int_eq(offmig_inspect_report(ctx, vol, NULL, 0, &doc),
	    OFFMIG_OK);
	root = offmig_doc_root(doc);
	att = offmig_node_get(root, "attention");
	a = row(att, "what", "bak-twin");
	ck_assert_str_eq(str(a, "severity"), "error");
	ck_assert_str_eq(str(a, "subject"), SID10 "-1002.bak");
	ck_assert_ptr_nonnull(strstr(str(a, "detail"), "bob"));
	a = row(att, "what", "temporary-profile");
	ck_assert_str_eq(str(a, "subject"), SID10 "-1002");
	a = row(att, "what", "dirty-hive");
	ck_assert_str_eq(str(a, "subject"), "Users/dave/NTUSER.DAT");
	/* Its logs were read: a note for the clean-up, not a warning. */
	ck_assert_str_eq(str(a, "severity"), "info");
	ck_assert_ptr_nonnull(strstr(str(a, "detail"), "hive clean --apply"));
	ck_assert_str_eq(str(row(att, "what", "folder-missing"), "subject"),
	    SID10 "-1004");
	ck_assert_str_eq(str(row(att, "what", "hive-missing"), "subject"),
	    SID10 "-1005");
	ck_assert_str_eq(str(row(att, "what", "orphan-folder"), "subject"),
	    "Users/olduser");
	/* alice's Documents are on D:. */
	a = row(att, "what", "outside-volume");
	ck_assert_str_eq(str(a, "subject"), "alice");
	ck_assert_ptr_nonnull(strstr(str(a, "detail"), "D:\\Docs"));
	ck_assert_ptr_null(row(att, "what", "hibernated"));
	ck_assert_ptr_null(row(att, "what", "hive-unreadable"));
	ck_assert_ptr_null(row(att, "what", "unresolved-user"));
	/* Errors first, then warnings, then the rest. */
	for (i = 0; i < offmig_node_len(att); i++) {
		const char *sev = str(offmig_node_at(att, i), "severity");
		int r = strcmp(sev, "error") == 0 ? 0 :
		    strcmp(sev, "warning") == 0 ? 1 : 2;

		ck_assert_int_ge(r, rank);
		rank = r;
		ck_assert_ptr_nonnull(offmig_node_get_str(offmig_node_at(att, i),
		    "detail"));
	}
	ck_assert_str_eq(str(root, "os.computer_name"), "DESKTOP-OFFMIG");
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(root, "apps")), 8);
	ck_assert_ptr_nonnull(row(offmig_node_get(root, "profiles"), "user",
	    "alice"));
	ck_assert_ptr_nonnull(row(offmig_node_get(root, "folders.profiles"),
	    "user", "alice"));
	ck_assert_uint_gt(offmig_node_len(offmig_node_get(root,
	    "folders.common")), 0);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(root, "problems")),
	    0);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_inspect_clean_volumes)
{
	static const char *const names[] = { "win11", "win7", "xp" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct offmig_volume *vol = open_volume(names[i]);
		struct offmig_doc *doc;
		const struct offmig_node *att;

		ck_assert_int_eq(offmig_inspect_report(ctx, vol, NULL, 0, &doc),
		    OFFMIG_OK);
		att = offmig_node_get(offmig_doc_root(doc), "attention");
		ck_assert_ptr_null(row(att, "severity", "error"));
		ck_assert_ptr_null(row(att, "what", "outside-volume"));
		ck_assert_uint_gt(offmig_node_len(offmig_node_get(
		    offmig_doc_root(doc), "apps")), 0);
		/* xp has a dirty NTUSER.DAT (leo) with an old-format log. */
		if (strcmp(names[i], "xp") == 0)
			ck_assert_ptr_nonnull(row(att, "what", "dirty-hive"));
		offmig_doc_free(doc);
		offmig_volume_close(vol);
	}
}
END_TEST

START_TEST(test_reports_check_arguments)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_doc *doc = (struct offmig_doc *)1;

	ck_assert_int_eq(offmig_apps_report(ctx, NULL, NULL, 0, &doc),
	    OFFMIG_EINVAL);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "volume"));
	doc = (struct offmig_doc *)1;
	ck_assert_int_eq(offmig_folders_report(ctx, NULL, NULL, NULL, &doc),
	    OFFMIG_EINVAL);
	ck_assert_ptr_null(doc);
	ck_assert_int_eq(offmig_inspect_report(ctx, vol, NULL, 0, NULL),
	    OFFMIG_EINVAL);
	ck_assert_int_eq(offmig_os_report(ctx, vol, NULL), OFFMIG_EINVAL);
	ck_assert_int_eq(offmig_profiles_report(ctx, vol, NULL, NULL),
	    OFFMIG_EINVAL);
	/* The os report's root is the os object itself. */
	ck_assert_int_eq(offmig_os_report(ctx, vol, &doc), OFFMIG_OK);
	ck_assert_str_eq(str(offmig_doc_root(doc), "computer_name"),
	    "DESKTOP-OFFMIG");
	offmig_doc_free(doc);
	ck_assert_int_eq(offmig_profiles_report(ctx, vol, NULL, &doc),
	    OFFMIG_OK);
	ck_assert_ptr_nonnull(offmig_node_get_str(offmig_doc_root(doc),
	    "profiles_directory"));
	ck_assert_uint_gt(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "profiles")), 0);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

/* Without a readable SOFTWARE there is no report, and the error says why. */
START_TEST(test_reports_without_software)
{
	struct offmig_volume *vol;
	struct offmig_doc *doc;
	char cmd[512];

	make_volume("layout win10\nos computer=NOSW machine-sid=10-20-30\n"
	    "user ann rid=1001\n");
	snprintf(cmd, sizeof(cmd), "head -c 3000 /dev/zero > "
	    "'%s/v/Windows/System32/config/SOFTWARE'", tmp);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/v", tmp);
	if (offmig_volume_open(ctx, cmd, NULL, &vol) != OFFMIG_OK) {
		/* Refused at the door is fine too, as long as it names it. */
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "SOFTWARE"));
		return;
	}
	doc = (struct offmig_doc *)1;
	ck_assert_int_ne(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "SOFTWARE"));
	doc = (struct offmig_doc *)1;
	ck_assert_int_ne(offmig_inspect_report(ctx, vol, NULL, 0, &doc),
	    OFFMIG_OK);
	ck_assert_ptr_null(doc);
	offmig_volume_close(vol);
}
END_TEST

/*
 * hostile
 */

START_TEST(test_hostile_inspect)
{
	struct offmig_volume *vol = open_volume("hostile");
	struct offmig_doc *doc;
	const struct offmig_node *root, *att, *a, *p;
	size_t i;

	ck_assert_int_eq(offmig_inspect_report(ctx, vol, NULL,
	    OFFMIG_REPORT_ALL_APPS, &doc), OFFMIG_OK);
	root = offmig_doc_root(doc);
	att = offmig_node_get(root, "attention");
	ck_assert_str_eq(str(row(att, "what", "hibernated"), "severity"),
	    "error");
	/* .., another drive, UNC, a device, a link to /etc: all five. */
	ck_assert_uint_eq(count(att, "what", "outside-volume"), 5);
	a = row(att, "what", "hive-unreadable");
	ck_assert_str_eq(str(a, "subject"), "Users/truncated/NTUSER.DAT");
	ck_assert_ptr_nonnull(strstr(str(a, "detail"), "truncated"));
	/* A garbage SECURITY hive is named too. */
	ck_assert_ptr_nonnull(row(att, "subject",
	    "Windows/System32/config/SECURITY"));
	ck_assert_uint_ge(offmig_ctx_warnings(ctx), 5);
	/* The odd-named application is reported with its bytes kept. */
	ck_assert_ptr_nonnull(row(offmig_node_get(root, "apps"), "key",
	    UNINST "\\OddName"));
	/* The unreadable user hive is a problem of the applications. */
	ck_assert_ptr_nonnull(row(offmig_node_get(root, "problems"), "hive",
	    "Users/truncated/NTUSER.DAT"));
	/* Nothing under the link to /etc was looked at. */
	p = folders_of(doc, "linked");
	for (i = 0; i < offmig_node_len(offmig_node_get(p, "folders")); i++) {
		const struct offmig_node *f = offmig_node_at(offmig_node_get(p,
		    "folders"), i);

		ck_assert_int_eq(num(f, "exists"), 0);
		ck_assert(is_null(f, "host_path"));
	}
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(p, "browsers")), 0);
	/* A profile off the volume: its folders are not redirected. */
	p = folders_of(doc, "otherdrive");
	a = row(offmig_node_get(p, "folders"), "name", "Desktop");
	ck_assert_str_eq(str(a, "path"), "D:\\Users\\otherdrive\\Desktop");
	ck_assert_int_eq(num(a, "redirected"), 0);
	ck_assert_int_eq(num(a, "exists"), 0);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

/*
 * Sets the subkey list of every key named Uninstall in a hive file to an
 * offset past its end (nk: name length at 0x48, name at 0x4C, subkey list
 * at 0x1C).  Returns how many it damaged.
 */
static int
damage_uninstall_lists(const char *path)
{
	unsigned char *buf;
	size_t len, i;
	int n = 0;
	FILE *fp;

	ck_assert_ptr_nonnull(fp = fopen(path, "r+b"));
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	len = (size_t)ftell(fp);
	rewind(fp);
	ck_assert_ptr_nonnull(buf = malloc(len));
	ck_assert_uint_eq(fread(buf, 1, len, fp), len);
	for (i = 0x4C; i + 9 <= len; i++) {
		unsigned char *nk = buf + i - 0x4C;

		if (memcmp(buf + i, "Uninstall", 9) != 0 || nk[0] != 'n' ||
		    nk[1] != 'k' || le16(nk + 0x48) != 9)
			continue;
		put_le32(nk + 0x1C, 0x7ffffff0);
		n++;
	}
	rewind(fp);
	ck_assert_uint_eq(fwrite(buf, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
	free(buf);
	return n;
}

START_TEST(test_hostile_damaged_uninstall_list)
{
	struct offmig_volume *vol;
	struct offmig_doc *doc;
	const struct offmig_node *root, *pr, *att;
	char path[256];

	make_volume("layout win10\nos computer=DAMAGED machine-sid=10-20-30\n"
	    "user una rid=1001\n"
	    "app \"Machine App\" key=MachineApp version=1\n"
	    "app \"User App\" key=UserApp version=2 user=una\n");
	snprintf(path, sizeof(path), "%s/v/Windows/System32/config/SOFTWARE",
	    tmp);
	ck_assert_int_ge(damage_uninstall_lists(path), 1);
	snprintf(path, sizeof(path), "%s/v", tmp);
	vol = open_root(path);
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc),
	    OFFMIG_OK);
	root = offmig_doc_root(doc);
	/* The user's applications are still listed. */
	ck_assert_ptr_null(row(offmig_node_get(root, "apps"), "name",
	    "Machine App"));
	ck_assert_ptr_nonnull(row(offmig_node_get(root, "apps"), "name",
	    "User App"));
	pr = row(offmig_node_get(root, "problems"), "hive",
	    "Windows/System32/config/SOFTWARE");
	ck_assert_ptr_nonnull(pr);
	ck_assert_str_eq(str(pr, "key"), UNINST);
	ck_assert_ptr_nonnull(strstr(logged, "SOFTWARE"));
	ck_assert_ptr_nonnull(strstr(logged, "Uninstall"));
	offmig_doc_free(doc);
	/* inspect turns it into an attention item. */
	ck_assert_int_eq(offmig_inspect_report(ctx, vol, NULL, 0, &doc),
	    OFFMIG_OK);
	att = offmig_node_get(offmig_doc_root(doc), "attention");
	ck_assert_str_eq(str(row(att, "what", "hive-unreadable"), "subject"),
	    "Windows/System32/config/SOFTWARE");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_hostile_many_apps)
{
	struct offmig_volume *vol;
	struct offmig_doc *doc;
	const struct offmig_node *apps;
	size_t cap = 1000 * 120 + 4096, len, i;
	char *desc = malloc(cap);

	ck_assert_ptr_nonnull(desc);
	len = (size_t)snprintf(desc, cap, "layout win10\nos computer=MANY "
	    "machine-sid=10-20-30\nreg SOFTWARE <<END\n");
	/*
	 * A thousand entries (what hivex takes to build grows with the square
	 * of the number), named in reverse of their key order.
	 */
	for (i = 0; i < 1000; i++)
		len += (size_t)snprintf(desc + len, cap - len,
		    "[" UNINST "\\K%04zu]\n\"DisplayName\"=\"App %04zu\"\n"
		    "\"SystemComponent\"=dword:%08zx\n", i, 999 - i, i % 2);
	snprintf(desc + len, cap - len, "END\n");
	vol = open_root(make_volume(desc));
	free(desc);
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL,
	    OFFMIG_REPORT_ALL_APPS, &doc), OFFMIG_OK);
	apps = offmig_node_get(offmig_doc_root(doc), "apps");
	ck_assert_uint_eq(offmig_node_len(apps), 1000);
	ck_assert_str_eq(str(offmig_node_at(apps, 0), "name"), "App 0000");
	ck_assert_str_eq(str(offmig_node_at(apps, 0), "key"), UNINST "\\K0999");
	ck_assert_str_eq(str(offmig_node_at(apps, 999), "name"), "App 0999");
	offmig_doc_free(doc);
	ck_assert_int_eq(offmig_apps_report(ctx, vol, NULL, 0, &doc), OFFMIG_OK);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "apps")), 500);
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

	tc = tcase_create("apps");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_apps_views_scopes_and_hiding);
	tcase_add_test(tc, test_apps_32bit_os_has_one_view);
	tcase_add_test(tc, test_apps_arm64_and_xp);
	tcase_add_test(tc, test_apps_filter_selects_user_hives);
	tcase_add_test(tc, test_apps_odd_values);
	tcase_add_test(tc, test_apps_corpus_reactos);
	tcase_add_test(tc, test_apps_corpus_container);
	suite_add_tcase(s, tc);

	tc = tcase_create("folders");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_folders_redirect_and_browsers);
	tcase_add_test(tc, test_folders_selection);
	tcase_add_test(tc, test_folders_xp_defaults);
	tcase_add_test(tc, test_folders_odd_values);
	tcase_add_test(tc, test_folders_firefox_ini_hostile);
	tcase_add_test(tc, test_folders_corpus_shell_folders);
	suite_add_tcase(s, tc);

	tc = tcase_create("inspect");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_inspect_attention);
	tcase_add_test(tc, test_inspect_clean_volumes);
	tcase_add_test(tc, test_reports_check_arguments);
	tcase_add_test(tc, test_reports_without_software);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_hostile_inspect);
	tcase_add_test(tc, test_hostile_damaged_uninstall_list);
	tcase_add_test(tc, test_hostile_many_apps);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
