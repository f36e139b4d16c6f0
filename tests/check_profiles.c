/*
 * check_profiles.c - unit tests of volume discovery, OS facts, SAM,
 * ProfileList and user filters, on generated volumes and real hives.
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

static const struct profile *
find(const struct profile_list *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].key != NULL && strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

#define W10 "S-1-5-21-1111111111-2222222222-3333333333-"

START_TEST(test_sid_helpers)
{
	static const unsigned char bin[] = {
		1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
		3, 0, 0, 0, 0xE9, 3, 0, 0
	};
	char *s = sid_to_string(bin, sizeof(bin)), *d;

	ck_assert_str_eq(s, "S-1-5-21-1-2-3-1001");
	ck_assert_uint_eq(sid_rid(s), 1001);
	d = sid_domain(s);
	ck_assert_str_eq(d, "S-1-5-21-1-2-3");
	free(d);
	free(s);
	ck_assert_ptr_null(sid_to_string(bin, 20));	/* truncated */
	ck_assert_str_eq(sid_wellknown_name("S-1-5-18"), "SYSTEM");
	ck_assert_ptr_null(sid_wellknown_name("S-1-5-21-1-2-3-500"));
}
END_TEST

START_TEST(test_win10_profiles_classified)
{
	struct offmig_volume *vol = open_volume("win10");
	const struct profile_list *l;
	const struct profile *p;

	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	ck_assert_str_eq(l->machine_sid,
	    "S-1-5-21-1111111111-2222222222-3333333333");
	p = find(l, W10 "1001");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->user, "alice");
	ck_assert_str_eq(p->user_source, "sam");
	ck_assert_int_eq(p->status, PROFILE_OK);
	ck_assert_str_eq(p->host_path, "Users/alice");
	ck_assert_int_eq(p->last_use, 1714555800);
	ck_assert_str_eq(p->last_use_source, "profile-unload");
	p = find(l, W10 "1002");
	ck_assert_int_eq(p->status, PROFILE_TEMPORARY);
	ck_assert_str_eq(p->partner, W10 "1002.bak");
	p = find(l, W10 "1002.bak");
	ck_assert_int_eq(p->status, PROFILE_BAK);
	ck_assert(p->is_bak);
	ck_assert_str_eq(p->sid, W10 "1002");
	p = find(l, W10 "1003");
	ck_assert(p->hive_dirty);
	ck_assert_int_eq(p->hive_logs, 2);
	ck_assert_int_eq(find(l, W10 "1004")->status, PROFILE_FOLDER_MISSING);
	ck_assert_int_eq(find(l, W10 "1005")->status, PROFILE_HIVE_MISSING);
	ck_assert_int_eq(find(l, "S-1-5-18")->status, PROFILE_SYSTEM);
	ck_assert_str_eq(find(l, "S-1-5-19")->user_source, "wellknown");
	{
		size_t i, orphans = 0;

		for (i = 0; i < l->n; i++)
			if (l->v[i].status == PROFILE_ORPHAN_FOLDER) {
				orphans++;
				ck_assert_str_eq(l->v[i].user, "olduser");
			}
		ck_assert_uint_eq(orphans, 1);
	}
	ck_assert_ptr_eq(profile_find(l, "bob"), find(l, W10 "1002"));
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_xp_layout_case_insensitive)
{
	struct offmig_volume *vol = open_volume("xp");
	const struct profile_list *l;
	const struct profile *p;
	struct offmig_doc *doc;

	ck_assert_str_eq(vol->windir_host, "WINDOWS");
	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	p = profile_find(l, "kate");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->host_path, "Documents and Settings/kate");
	ck_assert_int_eq(p->status, PROFILE_OK);
	p = profile_find(l, "leo");
	ck_assert(p->hive_dirty);
	ck_assert_int_eq(p->hive_logs, 1);
	ck_assert_int_eq(offmig_os_report(ctx, vol, &doc), OFFMIG_OK);
	ck_assert_str_eq(offmig_node_get_str(offmig_doc_root(doc),
	    "product_name"), "Microsoft Windows XP");
	ck_assert_str_eq(offmig_node_get_str(offmig_doc_root(doc), "arch"),
	    "x86");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_os_facts_win11_and_win7)
{
	struct offmig_volume *vol = open_volume("win11");
	struct offmig_doc *doc;
	const struct offmig_node *r;

	ck_assert_int_eq(offmig_os_report(ctx, vol, &doc), OFFMIG_OK);
	r = offmig_doc_root(doc);
	ck_assert_str_eq(offmig_node_get_str(r, "product_name"),
	    "Windows 11 Pro");
	ck_assert_str_eq(offmig_node_get_str(r, "product_name_raw"),
	    "Windows 10 Pro");
	ck_assert_str_eq(offmig_node_get_str(r, "build"), "22631");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "ubr")), 3447);
	ck_assert_str_eq(offmig_node_get_str(r, "arch"), "arm64");
	ck_assert_str_eq(offmig_node_get_str(r, "cmd_exe_arch"), "arm64");
	ck_assert_str_eq(offmig_node_get_str(r, "computer_name"), "SURFACE-11");
	ck_assert_str_eq(offmig_node_get_str(r, "control_set"),
	    "ControlSet001");
	ck_assert_str_eq(offmig_node_get_str(r, "install_date"),
	    "2024-01-15T00:00:00Z");
	ck_assert_str_eq(offmig_node_get_str(r, "version"), "10.0");
	offmig_doc_free(doc);
	offmig_volume_close(vol);

	vol = open_volume("win7");
	ck_assert_int_eq(offmig_os_report(ctx, vol, &doc), OFFMIG_OK);
	r = offmig_doc_root(doc);
	ck_assert_str_eq(offmig_node_get_str(r, "version"), "6.1");
	ck_assert_str_eq(offmig_node_get_str(r, "csd_version"),
	    "Service Pack 1");
	ck_assert_str_eq(offmig_node_get_str(r, "arch"), "x86");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_discovery_errors)
{
	struct offmig_volume *vol = (struct offmig_volume *)1;
	struct offmig_volume_opts opts = { "winnt", 0 };
	char p[512];
	struct offmig_doc *doc;

	snprintf(tmp, sizeof(tmp), "/tmp/offmig-vol.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	ck_assert_int_eq(offmig_volume_open(ctx, tmp, NULL, &vol),
	    OFFMIG_ENOWINDOWS);
	ck_assert_ptr_null(vol);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "empty"));
	/* A Windows directory without its hives is a damaged installation. */
	snprintf(p, sizeof(p), "%s/Windows", tmp);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/Windows/system32", tmp);
	mkdir(p, 0755);
	ck_assert_int_eq(offmig_volume_open(ctx, tmp, NULL, &vol),
	    OFFMIG_ENOWINDOWS);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "damaged"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "SOFTWARE"));
	ck_assert_int_eq(offmig_volume_open(ctx, "/nonexistent/x", NULL, &vol),
	    OFFMIG_EIO);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "/nonexistent/x"));
	t_volume(p, sizeof(p), "two-installs");
	ck_assert_int_eq(offmig_volume_open(ctx, p, NULL, &vol),
	    OFFMIG_EAMBIGUOUS);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "WINNT"));
	ck_assert_int_eq(offmig_volume_open(ctx, p, &opts, &vol), OFFMIG_OK);
	ck_assert_str_eq(vol->windir_host, "WINNT");
	offmig_volume_close(vol);
	ck_assert_int_eq(offmig_volume_scan(ctx, p, &doc), OFFMIG_OK);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "installations")), 2);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_hostile_paths_stay_inside)
{
	struct offmig_volume *vol = open_volume("hostile");
	const struct profile_list *l;
	const char *const outside[] = { "1002", "1003", "1004", "1005",
	    "1006" };
	char key[128];
	size_t i;

	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	for (i = 0; i < 5; i++) {
		const struct profile *p;

		snprintf(key, sizeof(key),
		    "S-1-5-21-900000001-900000002-900000003-%s", outside[i]);
		p = find(l, key);
		ck_assert_ptr_nonnull(p);
		ck_assert_ptr_null(p->host_path);
		ck_assert_int_eq(p->status, PROFILE_FOLDER_MISSING);
		ck_assert_uint_ge(p->nproblems, 1);
	}
	ck_assert_ptr_nonnull(strstr(find(l, "S-1-5-21-900000001-900000002-"
	    "900000003-1006")->problems[0], "symbolic link"));
	ck_assert(vol->hibernated);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_filters)
{
	struct offmig_volume *vol = open_volume("win10");
	const struct profile_list *l;
	struct offmig_filter *f = offmig_filter_new();
	const struct profile *alice, *erin, *sys;

	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	alice = find(l, W10 "1001");
	erin = find(l, W10 "1004");
	sys = find(l, "S-1-5-18");
	ck_assert(filter_match(f, alice));
	ck_assert_int_eq(offmig_filter_exclude(f, "*"), OFFMIG_OK);
	ck_assert_int_eq(offmig_filter_include(f, "DESKTOP-OFFMIG\\alice"),
	    OFFMIG_OK);
	ck_assert(filter_match(f, alice));
	ck_assert(!filter_match(f, erin));
	ck_assert(!filter_match(f, sys));
	offmig_filter_free(f);
	/* --uel: erin was last used 2023-01-10. */
	f = offmig_filter_new();
	offmig_filter_set_uel(f, 30, 1714600000);
	ck_assert(filter_match(f, alice));
	ck_assert(!filter_match(f, erin));
	offmig_filter_include(f, "*-1004");
	ck_assert(filter_match(f, erin));
	ck_assert_int_eq(offmig_filter_include(f, ""), OFFMIG_EINVAL);
	offmig_filter_free(f);
	offmig_volume_close(vol);
}
END_TEST

/* SAM accounts of real hives (CATALOG.md lists them). */
static void
check_sam(const char *rel, const char *const *names, size_t n)
{
	struct sam_info info;
	struct hive *h;
	char p[512];
	size_t i, j;

	if (t_corpus(p, sizeof(p), rel) == NULL) {
		fprintf(stderr, "SKIP: corpus file %s is absent\n", rel);
		return;
	}
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_int_eq(sam_read(ctx, h, &info), OFFMIG_OK);
	ck_assert_msg(info.nusers == n, "%s: %zu users, expected %zu", rel,
	    info.nusers, n);
	for (j = 0; j < n; j++) {
		int seen = 0;

		for (i = 0; i < info.nusers; i++)
			seen |= strcmp(info.users[i].name, names[j]) == 0;
		ck_assert_msg(seen, "%s: no user %s", rel, names[j]);
	}
	if (n > 0) {
		ck_assert_ptr_nonnull(info.machine_sid);
		ck_assert_ptr_nonnull(sam_find_rid(&info, 500));
		ck_assert_str_eq(sam_find_rid(&info, 500)->name,
		    strcmp(rel, "iped/test_sam") == 0 ? "Administrador" :
		    "Administrator");
	}
	sam_info_release(&info);
	hive_close(h);
}

START_TEST(test_corpus_sam_users)
{
	static const char *const regipy[] = { "Administrator", "Guest",
	    "Preston" };
	static const char *const rathbun[] = { "Administrator",
	    "AndrewRathbun", "DefaultAccount", "Guest", "WDAGUtilityAccount" };
	static const char *const dupe[] = { "Administrator", "aitch", "emily",
	    "Guest", "harry", "harrymsn", "HelpAssistant", "IUSR_FINN",
	    "IWAM_FINN", "liam", "martina", "SophosSAUFINN0",
	    "SUPPORT_388945a0", "thegaffer", "visitor" };
	static const char *const iped[] = { "Administrador", "convi",
	    "Convidado", "DefaultAccount", "guilh", "WDAGUtilityAccount" };

	check_sam("regipy/SAM", regipy, 3);
	check_sam("museum/Registry/Win10/RathbunVM/SAM", rathbun, 5);
	check_sam("ez_registry/Hives/SAM_DUPENAME", dupe, 15);
	check_sam("iped/test_sam", iped, 6);
	check_sam("reactos/SAM", NULL, 0);
}
END_TEST

/* Copies corpus hives into a temporary volume layout (never symlinks). */
static int
corpus_volume(const char *sw, const char *sys, const char *sam)
{
	const char *src[3] = { sw, sys, sam };
	const char *dst[3] = { "SOFTWARE", "SYSTEM", "SAM" };
	char p[512], cmd[1200];
	int i;

	snprintf(tmp, sizeof(tmp), "/tmp/offmig-cvol.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/Windows/System32/config'", tmp);
	ck_assert_int_eq(system(cmd), 0);
	for (i = 0; i < 3; i++) {
		if (src[i] == NULL)
			continue;
		if (t_corpus(p, sizeof(p), src[i]) == NULL)
			return 0;
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s/Windows/System32/config/%s'",
		    p, tmp, dst[i]);
		ck_assert_int_eq(system(cmd), 0);
	}
	return 1;
}

START_TEST(test_corpus_reactos_volume)
{
	struct offmig_volume *vol = NULL;
	const struct profile_list *l;
	struct offmig_doc *doc;
	const struct offmig_node *r;

	if (!corpus_volume("reactos/SOFTWARE", "reactos/SYSTEM", "reactos/SAM"))
		T_SKIP_NO_CORPUS("reactos/");
	ck_assert_int_eq(offmig_volume_open(ctx, tmp, NULL, &vol), OFFMIG_OK);
	ck_assert_int_eq(offmig_os_report(ctx, vol, &doc), OFFMIG_OK);
	r = offmig_doc_root(doc);
	ck_assert_str_eq(offmig_node_get_str(r, "product_name"), "ReactOS");
	ck_assert_str_eq(offmig_node_get_str(r, "version"), "5.2");
	ck_assert_str_eq(offmig_node_get_str(r, "build"), "3790");
	ck_assert_str_eq(offmig_node_get_str(r, "csd_version"),
	    "Service Pack 2");
	ck_assert_str_eq(offmig_node_get_str(r, "computer_name"),
	    "REACTOS-ABO9UHG");
	ck_assert_str_eq(offmig_node_get_str(r, "hostname"), "REACTOS-ABO9UHG");
	ck_assert_str_eq(offmig_node_get_str(r, "control_set"),
	    "ControlSet001");
	offmig_doc_free(doc);
	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	ck_assert_uint_eq(l->n, 3);
	ck_assert_ptr_nonnull(find(l, "S-1-5-18"));
	ck_assert_ptr_nonnull(find(l, "S-1-5-20"));
	/* ReactOS's SAM names nobody: the name comes from the path. */
	ck_assert_str_eq(find(l, "S-1-5-21-1298302299-44693752-1353953156-500")
	    ->user_source, "path");
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_corpus_container_delta_hive)
{
	struct offmig_volume *vol = NULL;
	const struct profile_list *l;
	const struct profile *p;
	struct offmig_doc *doc;

	if (!corpus_volume("scancode/Software_Delta", "reactos/SYSTEM", NULL))
		T_SKIP_NO_CORPUS("scancode/Software_Delta");
	ck_assert_int_eq(offmig_volume_open(ctx, tmp, NULL, &vol), OFFMIG_OK);
	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	ck_assert_uint_eq(l->n, 1);
	p = find(l, "S-1-5-93-2-1");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->user, "ContainerAdministrator");
	ck_assert_ptr_null(p->path);
	ck_assert_ptr_nonnull(strstr(p->problems[0], "ProfileImagePath"));
	ck_assert(p->last_use != NO_TIME);
	/* CurrentVersion without ProductName: nulls, not a crash. */
	ck_assert_int_eq(offmig_os_report(ctx, vol, &doc), OFFMIG_OK);
	ck_assert_int_eq(offmig_node_type(offmig_node_get(offmig_doc_root(doc),
	    "product_name")), OFFMIG_NODE_NULL);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_corpus_computer_names)
{
	static const char *const sys[][2] = {
		{ "regipy/SYSTEM", "WKS-WIN732BITA" },
		{ "dfwinreg/old_14bc0f1/SYSTEM", "IECOMPATVHD" },
		{ "regipy/SYSTEM_2", "SENSEI" },
	};
	size_t i;

	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		struct hive *h;
		char p[512], *cs, *name = NULL;
		hnode csk, k;

		if (t_corpus(p, sizeof(p), sys[i][0]) == NULL)
			continue;
		ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
		ck_assert_int_eq(os_control_set(ctx, h, &cs, &csk), OFFMIG_OK);
		ck_assert_int_eq(hive_lookup(ctx, h, csk,
		    "Control\\ComputerName\\ComputerName", &k), OFFMIG_OK);
		ck_assert_int_eq(hive_get_string(ctx, h, k, "ComputerName",
		    &name, NULL), OFFMIG_OK);
		ck_assert_str_eq(name, sys[i][1]);
		free(name);
		free(cs);
		hive_close(h);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("profiles");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = tcase_create("volumes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sid_helpers);
	tcase_add_test(tc, test_win10_profiles_classified);
	tcase_add_test(tc, test_xp_layout_case_insensitive);
	tcase_add_test(tc, test_os_facts_win11_and_win7);
	tcase_add_test(tc, test_discovery_errors);
	tcase_add_test(tc, test_hostile_paths_stay_inside);
	tcase_add_test(tc, test_filters);
	suite_add_tcase(s, tc);
	tc = tcase_create("corpus");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_corpus_sam_users);
	tcase_add_test(tc, test_corpus_reactos_volume);
	tcase_add_test(tc, test_corpus_container_delta_hive);
	tcase_add_test(tc, test_corpus_computer_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
