/*
 * check_profiles.c - unit tests of the profiles module: SIDs, SAM accounts,
 * volume discovery and path resolution, OS facts, ProfileList entries and
 * user filters, on generated volumes (the .vol files of tests/fixtures,
 * and small ones each test describes for mkwinvol) and on the real hives
 * of the corpus.
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
#include "hive/replay.h"
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

/* The per-test temporary directory, made on first use. */
static const char *
tmpdir(void)
{
	if (tmp[0] == '\0') {
		snprintf(tmp, sizeof(tmp), "/tmp/offmig-prof.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmp));
	}
	return tmp;
}

/* A file under the temporary directory, with its directories. */
static void
put_file(const char *rel, const void *data, size_t len)
{
	char p[512], cmd[600];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", tmpdir(), rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_ptr_nonnull(fp = fopen(p, "wb"));
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/*
 * Builds a volume from a mkwinvol description (docs/FIXTURES.md) under the
 * temporary directory and returns its path.
 */
static const char *
mkvol(const char *desc)
{
	static char out[128];
	char cmd[600];

	put_file("desc.vol", desc, strlen(desc));
	snprintf(out, sizeof(out), "%s/vol", tmpdir());
	snprintf(cmd, sizeof(cmd), "'%s' '%s/desc.vol' '%s' >'%s/mk.log' 2>&1",
	    t_env("OFFMIG_MKWINVOL"), tmp, out, tmp);
	ck_assert_msg(system(cmd) == 0, "mkwinvol failed: see %s/mk.log", tmp);
	return out;
}

static struct offmig_volume *
open_at(const char *path)
{
	struct offmig_volume *vol = NULL;

	ck_assert_msg(offmig_volume_open(ctx, path, NULL, &vol) == OFFMIG_OK,
	    "%s: %s", path, offmig_errmsg(ctx));
	ck_assert_ptr_nonnull(vol);
	return vol;
}

static struct offmig_volume *
open_volume(const char *name)
{
	char p[512];

	return open_at(t_volume(p, sizeof(p), name));
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

static const struct profile *
find_user(const struct profile_list *l, const char *user)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].user != NULL && strcmp(l->v[i].user, user) == 0)
			return &l->v[i];
	return NULL;
}

/* 1 when some problem of p contains s. */
static int
has_problem(const struct profile *p, const char *s)
{
	size_t i;

	for (i = 0; i < p->nproblems; i++)
		if (strstr(p->problems[i], s) != NULL)
			return 1;
	return 0;
}

/* 1 when the array of strings arr holds an element containing s. */
static int
arr_has(const struct offmig_node *arr, const char *s)
{
	size_t i;

	for (i = 0; i < offmig_node_len(arr); i++) {
		const char *e = offmig_node_str(offmig_node_at(arr, i), NULL);

		if (e != NULL && strstr(e, s) != NULL)
			return 1;
	}
	return 0;
}

#define W10 "S-1-5-21-1111111111-2222222222-3333333333-"

/*
 * sid
 */

START_TEST(test_sid_binary_to_string)
{
	static const unsigned char bin[] = {
		1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
		3, 0, 0, 0, 0xE9, 3, 0, 0
	};
	static const unsigned char system[] = { 1, 1, 0, 0, 0, 0, 0, 5,
	    18, 0, 0, 0 };
	static const unsigned char nosub[] = { 1, 0, 0, 0, 0, 0, 0, 5 };
	static const unsigned char max[] = { 1, 1, 0, 0, 0, 0, 0, 5,
	    0xFF, 0xFF, 0xFF, 0xFF };
	static const unsigned char bigauth[] = { 1, 1, 1, 0, 0, 0, 0, 0,
	    7, 0, 0, 0 };
	char *s;

	ck_assert_str_eq(s = sid_to_string(bin, sizeof(bin)),
	    "S-1-5-21-1-2-3-1001");
	free(s);
	ck_assert_str_eq(s = sid_to_string(system, sizeof(system)), "S-1-5-18");
	free(s);
	ck_assert_str_eq(s = sid_to_string(nosub, sizeof(nosub)), "S-1-5");
	free(s);
	ck_assert_str_eq(s = sid_to_string(max, sizeof(max)),
	    "S-1-5-4294967295");
	free(s);
	/* Authorities of 2^32 and more are written in hex, as Windows does. */
	ck_assert_str_eq(s = sid_to_string(bigauth, sizeof(bigauth)),
	    "S-1-0x010000000000-7");
	free(s);
	/* Trailing bytes after the last sub-authority are ignored. */
	{
		unsigned char longer[40];

		memset(longer, 0xAA, sizeof(longer));
		memcpy(longer, system, sizeof(system));
		ck_assert_str_eq(s = sid_to_string(longer, sizeof(longer)),
		    "S-1-5-18");
		free(s);
	}
}
END_TEST

START_TEST(test_sid_malformed_binary_refused)
{
	unsigned char b[8 + 4 * 16];

	memset(b, 0, sizeof(b));
	b[0] = 1;
	b[7] = 5;
	ck_assert_ptr_null(sid_to_string(NULL, 0));
	ck_assert_ptr_null(sid_to_string(b, 7));	/* shorter than 8 */
	b[1] = 5;
	ck_assert_ptr_null(sid_to_string(b, 8 + 4 * 5 - 1));	/* truncated */
	b[1] = 16;					/* more than 15 */
	ck_assert_ptr_null(sid_to_string(b, sizeof(b)));
	b[1] = 1;
	b[0] = 2;					/* revision 2 */
	ck_assert_ptr_null(sid_to_string(b, sizeof(b)));
	b[0] = 0xFF;
	b[1] = 0xFF;
	ck_assert_ptr_null(sid_to_string(b, sizeof(b)));
}
END_TEST

START_TEST(test_sid_rid_and_domain)
{
	char *d;

	ck_assert_uint_eq(sid_rid("S-1-5-21-1-2-3-1001"), 1001);
	ck_assert_uint_eq(sid_rid("S-1-5-18"), 18);
	ck_assert_uint_eq(sid_rid("S-1-5-21-1-2-3-4294967295"), 4294967295U);
	ck_assert_uint_eq(sid_rid("S-1-5-21-1-2-3-4294967296"), 0);
	ck_assert_uint_eq(sid_rid("S-1-5-21-1-2-3-99999999999999999999"), 0);
	ck_assert_uint_eq(sid_rid("S-1-5-21-1-2-3-1001.bak"), 0);
	ck_assert_uint_eq(sid_rid("S-1-5-21-1-2-3- 5"), 0);
	ck_assert_uint_eq(sid_rid("S-1-5-21-1-2-3-"), 0);
	ck_assert_uint_eq(sid_rid("not a sid"), 0);
	ck_assert_uint_eq(sid_rid(NULL), 0);
	ck_assert_str_eq(d = sid_domain("S-1-5-21-1-2-3-500"),
	    "S-1-5-21-1-2-3");
	free(d);
	ck_assert_str_eq(d = sid_domain("S-1-5-18"), "S-1-5");
	free(d);
	ck_assert_ptr_null(sid_domain("S-1-5"));
	ck_assert_ptr_null(sid_domain("S-1-5-21-1-2-3-x"));
	ck_assert_ptr_null(sid_domain("bob"));
	ck_assert_ptr_null(sid_domain(NULL));
}
END_TEST

START_TEST(test_sid_wellknown_names)
{
	ck_assert_str_eq(sid_wellknown_name("S-1-5-18"), "SYSTEM");
	ck_assert_str_eq(sid_wellknown_name("s-1-5-18"), "SYSTEM");
	ck_assert_str_eq(sid_wellknown_name("S-1-5-19"), "LOCAL SERVICE");
	ck_assert_str_eq(sid_wellknown_name("S-1-5-20"), "NETWORK SERVICE");
	ck_assert_str_eq(sid_wellknown_name("S-1-5-93-2-1"),
	    "ContainerAdministrator");
	ck_assert_str_eq(sid_wellknown_name("S-1-5-93-2-2"), "ContainerUser");
	/* Domain RIDs are named by SAM, not by their number. */
	ck_assert_ptr_null(sid_wellknown_name("S-1-5-21-1-2-3-500"));
	ck_assert_ptr_null(sid_wellknown_name("S-1-5-21-1-2-3-501"));
	ck_assert_ptr_null(sid_wellknown_name("S-1-5-180"));
	ck_assert_ptr_null(sid_wellknown_name(NULL));
}
END_TEST

/*
 * sam: hives built here value by value, so that every field is known.
 */

/* An 0xCC-byte V header with entries 1 (name) and 2 (full name). */
static size_t
make_user_v(unsigned char *v, size_t size, const char *name,
    const char *full)
{
	size_t off = 0xCC, i, nl = strlen(name), fl = strlen(full);

	ck_assert_uint_ge(size, off + 2 * (nl + fl) + 4);
	memset(v, 0, size);
	put_le32(v + 0x0C, 0);
	put_le32(v + 0x10, (uint32_t)(2 * nl));
	for (i = 0; i < nl; i++)
		v[off + 2 * i] = (unsigned char)name[i];
	off += 2 * nl + 2;	/* not aligned on purpose */
	put_le32(v + 0x18, (uint32_t)(off - 0xCC));
	put_le32(v + 0x1C, (uint32_t)(2 * fl));
	for (i = 0; i < fl; i++)
		v[off + 2 * i] = (unsigned char)full[i];
	return off + 2 * fl;
}

static void
set_value(struct hive_builder *b, const char *key, const char *name,
    uint32_t type, const void *data, size_t len)
{
	struct hive_value val = { name, type, data, len };
	hnode k;

	ck_assert_int_eq(hive_builder_key(b, key, &k), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_set(b, k, &val, 1), OFFMIG_OK);
}

/*
 * A SAM hive: machine SID S-1-5-21-286331153-572662306-858993459; bob
 * (0x3E9, "Bob Doe", last logon 2023-11-14T22:13:20Z, flags 0x211); evil
 * (0x3EA) whose V and F lie about their sizes; nouser (0x3EB) without a
 * Users key; ghost without a default value (no RID).  When short_account
 * is set, Account\V is too short to hold a SID.
 */
static const char *
make_sam(int short_account)
{
	static char path[512];
	static const unsigned char sid[24] = {
		1, 4, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0,
		0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
		0x33, 0x33, 0x33, 0x33
	};
	unsigned char acc[0x30 + 24], v[0x200], f[0x50], evil[0xCC + 4];
	struct hive_builder *b;
	size_t vlen;

	snprintf(path, sizeof(path), "%s/SAM", tmpdir());
	ck_assert_int_eq(hive_create_empty(ctx, path, "SAM"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, path, &b), OFFMIG_OK);
	memset(acc, 0, sizeof(acc));
	memcpy(acc + 0x30, sid, sizeof(sid));
	set_value(b, "SAM\\Domains\\Account", "V", REG_BINARY, acc,
	    short_account ? 20 : sizeof(acc));
	set_value(b, "SAM\\Domains\\Account\\Users\\Names\\bob", "", 0x3E9,
	    NULL, 0);
	vlen = make_user_v(v, sizeof(v), "bob", "Bob Doe");
	set_value(b, "SAM\\Domains\\Account\\Users\\000003E9", "V",
	    REG_BINARY, v, vlen);
	memset(f, 0, sizeof(f));
	put_le32(f + 0x08, 0xc66d0000);
	put_le32(f + 0x0C, 0x01da1747);
	f[0x38] = 0x11;
	f[0x39] = 0x02;
	set_value(b, "SAM\\Domains\\Account\\Users\\000003E9", "F",
	    REG_BINARY, f, sizeof(f));
	/* evil: full name at 0xFFFFFF40 + 0xCC (wraps in 32 bits), 1 GB. */
	set_value(b, "SAM\\Domains\\Account\\Users\\Names\\evil", "", 0x3EA,
	    NULL, 0);
	memset(evil, 0xFF, sizeof(evil));
	put_le32(evil + 0x18, 0xFFFFFF40);
	put_le32(evil + 0x1C, 0x40000000);
	set_value(b, "SAM\\Domains\\Account\\Users\\000003EA", "V",
	    REG_BINARY, evil, sizeof(evil));
	set_value(b, "SAM\\Domains\\Account\\Users\\000003EA", "F",
	    REG_BINARY, f, 0x3B);	/* one byte short of the flags */
	set_value(b, "SAM\\Domains\\Account\\Users\\Names\\nouser", "", 0x3EB,
	    NULL, 0);
	set_value(b, "SAM\\Domains\\Account\\Users\\Names\\ghost", "x",
	    REG_SZ, "g\0\0", 4);
	ck_assert_int_eq(hive_builder_commit(b), OFFMIG_OK);
	return path;
}

START_TEST(test_sam_synthetic_accounts)
{
	struct sam_info info;
	const struct sam_user *u;
	struct hive *h;

	ck_assert_int_eq(hive_open_path(ctx, make_sam(0), &h), OFFMIG_OK);
	ck_assert_int_eq(sam_read(ctx, h, &info), OFFMIG_OK);
	ck_assert_str_eq(info.machine_sid,
	    "S-1-5-21-286331153-572662306-858993459");
	/* ghost has no default value, so no RID: it is left out. */
	ck_assert_uint_eq(info.nusers, 3);
	ck_assert_ptr_nonnull(u = sam_find_rid(&info, 0x3E9));
	ck_assert_str_eq(u->name, "bob");
	ck_assert_str_eq(u->full_name, "Bob Doe");
	ck_assert_int_eq(u->last_logon, 1700000000);
	ck_assert_uint_eq(u->acb_flags, 0x211);
	ck_assert_ptr_nonnull(u = sam_find_rid(&info, 0x3EB));
	ck_assert_str_eq(u->name, "nouser");
	ck_assert_ptr_null(u->full_name);
	ck_assert_int_eq(u->last_logon, NO_TIME);
	ck_assert_ptr_null(sam_find_rid(&info, 500));
	sam_info_release(&info);
	ck_assert_ptr_null(info.users);
	ck_assert_uint_eq(info.nusers, 0);
	sam_info_release(&info);		/* twice is harmless */
	hive_close(h);
}
END_TEST

START_TEST(test_sam_hostile_sizes_stay_in_bounds)
{
	struct sam_info info;
	const struct sam_user *u;
	struct hive *h;

	ck_assert_int_eq(hive_open_path(ctx, make_sam(1), &h), OFFMIG_OK);
	ck_assert_int_eq(sam_read(ctx, h, &info), OFFMIG_OK);
	/* Account\V of 20 bytes holds no SID: no machine SID, no guess. */
	ck_assert_ptr_null(info.machine_sid);
	ck_assert_ptr_nonnull(u = sam_find_rid(&info, 0x3EA));
	ck_assert_str_eq(u->name, "evil");
	ck_assert_ptr_null(u->full_name);
	ck_assert_int_eq(u->last_logon, NO_TIME);
	ck_assert_uint_eq(u->acb_flags, 0);
	sam_info_release(&info);
	hive_close(h);
}
END_TEST

START_TEST(test_sam_without_accounts)
{
	struct sam_info info;
	struct hive *h;
	char p[512];

	snprintf(p, sizeof(p), "%s/EMPTY", tmpdir());
	ck_assert_int_eq(hive_create_empty(ctx, p, "SAM"), OFFMIG_OK);
	ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
	ck_assert_int_eq(sam_read(ctx, h, &info), OFFMIG_OK);
	ck_assert_uint_eq(info.nusers, 0);
	ck_assert_ptr_null(info.users);
	ck_assert_ptr_null(info.machine_sid);
	sam_info_release(&info);
	hive_close(h);
}
END_TEST

/*
 * volume
 */

START_TEST(test_volume_empty_and_foreign)
{
	struct offmig_volume *vol = (struct offmig_volume *)1;
	char p[512];

	ck_assert_int_eq(offmig_volume_open(ctx, tmpdir(), NULL, &vol),
	    OFFMIG_ENOWINDOWS);
	ck_assert_ptr_null(vol);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), tmp));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "empty"));
	/* A data disk: entries, none of them Windows. */
	put_file("notes.txt", "x", 1);
	put_file("Photos/a.jpg", "x", 1);
	snprintf(p, sizeof(p), "%s/Windows.old", tmp);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	vol = (struct offmig_volume *)1;
	ck_assert_int_eq(offmig_volume_open(ctx, tmp, NULL, &vol),
	    OFFMIG_ENOWINDOWS);
	ck_assert_ptr_null(vol);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), tmp));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "holds 3 entries"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "none is a Windows directory"));
	ck_assert_int_eq(offmig_exit_status(OFFMIG_ENOWINDOWS), 6);
}
END_TEST

START_TEST(test_volume_damaged_installation)
{
	struct offmig_volume *vol = (struct offmig_volume *)1;
	struct offmig_doc *doc;
	const struct offmig_node *inst;
	char p[512], q[600];

	/* System32 without hives. */
	snprintf(p, sizeof(p), "%s/WINDOWS/system32", tmpdir());
	snprintf(q, sizeof(q), "mkdir -p '%s'", p);
	ck_assert_int_eq(system(q), 0);
	ck_assert_int_eq(offmig_volume_open(ctx, tmp, NULL, &vol),
	    OFFMIG_ENOWINDOWS);
	ck_assert_ptr_null(vol);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "damaged Windows installation in 'WINDOWS'"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "no SOFTWARE and no SYSTEM"));
	/* SYSTEM present, SOFTWARE missing. */
	put_file("WINDOWS/system32/config/system", "x", 1);
	ck_assert_int_eq(offmig_volume_open(ctx, tmp, NULL, &vol),
	    OFFMIG_ENOWINDOWS);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "has no SOFTWARE"));
	ck_assert_ptr_null(strstr(offmig_errmsg(ctx), "no SYSTEM"));
	/* SOFTWARE as a symbolic link: there, but not to be read. */
	snprintf(p, sizeof(p), "%s/WINDOWS/system32/config/SOFTWARE", tmp);
	ck_assert_int_eq(symlink("/etc/passwd", p), 0);
	ck_assert_int_eq(offmig_volume_open(ctx, tmp, NULL, &vol),
	    OFFMIG_ENOWINDOWS);
	ck_assert_ptr_null(vol);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "System32\\config\\SOFTWARE cannot be read"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "symbolic link"));
	/* The scan says the same, and reports without failing. */
	ck_assert_int_eq(offmig_volume_scan(ctx, tmp, &doc), OFFMIG_OK);
	inst = offmig_node_at(offmig_node_get(offmig_doc_root(doc),
	    "installations"), 0);
	ck_assert_str_eq(offmig_node_get_str(inst, "dir"), "WINDOWS");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(inst, "complete")), 0);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(inst, "system")), 1);
	ck_assert_ptr_nonnull(strstr(offmig_node_get_str(inst, "problem"),
	    "SOFTWARE"));
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_volume_root_errors)
{
	struct offmig_volume *vol = (struct offmig_volume *)1;
	struct offmig_doc *doc = (struct offmig_doc *)1;
	char p[512];

	ck_assert_int_eq(offmig_volume_open(ctx, "/nonexistent/x", NULL, &vol),
	    OFFMIG_EIO);
	ck_assert_ptr_null(vol);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "/nonexistent/x"));
	ck_assert_int_eq(offmig_errno(ctx), ENOENT);
	put_file("image.raw", "x", 1);
	snprintf(p, sizeof(p), "%s/image.raw", tmp);
	vol = (struct offmig_volume *)1;
	ck_assert_int_eq(offmig_volume_open(ctx, p, NULL, &vol), OFFMIG_EIO);
	ck_assert_ptr_null(vol);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "image.raw"));
	ck_assert_int_eq(offmig_errno(ctx), ENOTDIR);
	ck_assert_int_eq(offmig_volume_scan(ctx, "/nonexistent/y", &doc),
	    OFFMIG_EIO);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "/nonexistent/y"));
	offmig_volume_close(NULL);
}
END_TEST

START_TEST(test_volume_two_installations)
{
	struct offmig_volume *vol = (struct offmig_volume *)1;
	struct offmig_volume_opts opts = { "winnt", 0 };
	struct offmig_doc *doc;
	char p[512];

	t_volume(p, sizeof(p), "two-installs");
	ck_assert_int_eq(offmig_volume_open(ctx, p, NULL, &vol),
	    OFFMIG_EAMBIGUOUS);
	ck_assert_ptr_null(vol);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "'WINNT'"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "'Windows'"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "choose one with --windows DIR"));
	/* --windows matches case-insensitively. */
	ck_assert_int_eq(offmig_volume_open(ctx, p, &opts, &vol), OFFMIG_OK);
	ck_assert_str_eq(vol->windir_host, "WINNT");
	ck_assert_str_eq(vol->configdir_host, "WINNT/System32/config");
	offmig_volume_close(vol);
	opts.windows_dir = "WINDOWS";
	ck_assert_int_eq(offmig_volume_open(ctx, p, &opts, &vol), OFFMIG_OK);
	ck_assert_str_eq(vol->windir_host, "Windows");
	offmig_volume_close(vol);
	opts.windows_dir = "WINXX";
	ck_assert_int_eq(offmig_volume_open(ctx, p, &opts, &vol),
	    OFFMIG_ENOWINDOWS);
	ck_assert_ptr_null(vol);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "'WINXX'"));
	ck_assert_int_eq(offmig_volume_scan(ctx, p, &doc), OFFMIG_OK);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "installations")), 2);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_volume_hibernation)
{
	struct offmig_volume *vol = open_volume("hostile");
	static const unsigned char zeros[4096];
	const char *p;

	ck_assert(vol->hibernated);
	offmig_volume_close(vol);
	vol = open_volume("win10");
	ck_assert(!vol->hibernated);
	offmig_volume_close(vol);
	/*
	 * A hiberfil.sys Windows resumed from (its header zeroed) is not a
	 * hibernated volume: only the "hibr" signature says so.
	 */
	p = mkvol("layout win10\nos machine-sid=1-2-3\n");
	put_file("vol/hiberfil.sys", zeros, sizeof(zeros));
	vol = open_at(p);
	ck_assert(!vol->hibernated);
	offmig_volume_close(vol);
}
END_TEST

/* volume_resolve() on a path that must be refused. */
static void
expect_refused(struct offmig_volume *vol, const char *winpath,
    const char *why)
{
	char *host = (char *)"untouched";
	struct stat st;

	ck_assert_int_eq(volume_resolve(vol, winpath, VPATH_ANY, &host, &st),
	    OFFMIG_EUNSAFE);
	ck_assert_ptr_null(host);
	ck_assert_msg(strstr(offmig_errmsg(ctx), winpath) != NULL &&
	    strstr(offmig_errmsg(ctx), why) != NULL, "%s: %s", winpath,
	    offmig_errmsg(ctx));
	if (*winpath != '\0')
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
		    "outside the volume"));
}

START_TEST(test_volume_resolve_stays_inside)
{
	struct offmig_volume *vol = open_volume("win10");
	struct stat st;
	char *host;

	ck_assert_int_eq(volume_resolve(vol, "C:\\USERS\\ALICE", VPATH_DIR,
	    &host, &st), OFFMIG_OK);
	ck_assert_str_eq(host, "Users/alice");
	ck_assert(S_ISDIR(st.st_mode));
	free(host);
	ck_assert_int_eq(volume_resolve(vol,
	    "%SystemRoot%\\System32\\config\\software", VPATH_FILE, &host,
	    NULL),
	    OFFMIG_OK);
	ck_assert_str_eq(host, "Windows/System32/config/SOFTWARE");
	free(host);
	ck_assert_int_eq(volume_resolve(vol, "\\??\\c:\\Users\\alice",
	    VPATH_DIR, &host, NULL), OFFMIG_OK);
	ck_assert_str_eq(host, "Users/alice");
	free(host);
	host = (char *)"untouched";
	ck_assert_int_eq(volume_resolve(vol, "C:\\Users\\nobody", VPATH_DIR,
	    &host, NULL), OFFMIG_ENOTFOUND);
	ck_assert_ptr_null(host);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "nobody"));
	expect_refused(vol, "D:\\Users\\alice", "another drive (D:)");
	expect_refused(vol, "\\\\?\\E:\\x", "another drive (E:)");
	expect_refused(vol, "\\\\server\\share\\alice", "network path");
	expect_refused(vol, "\\??\\UNC\\server\\share", "network path");
	expect_refused(vol, "\\\\.\\PhysicalDrive0", "device path");
	expect_refused(vol, "C:\\Users\\..\\..\\etc", "'..'");
	expect_refused(vol, "", "not a valid path");
	/* The links Vista+ leaves for old programs are never followed. */
	host = (char *)"untouched";
	ck_assert_int_eq(volume_resolve(vol,
	    "C:\\Users\\alice\\Application Data\\x", VPATH_ANY, &host, NULL),
	    OFFMIG_EUNSAFE);
	ck_assert_ptr_null(host);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Application Data"));
	offmig_volume_close(vol);
}
END_TEST

/*
 * Several components in the wrong case, one after the other, as ntfs-3g
 * shows them: every one of them is matched, and the host path is the whole
 * path as stored.
 */
START_TEST(test_volume_resolve_deep_case_mismatch)
{
	struct offmig_volume *vol = open_volume("win10");
	char *host = NULL;
	int ret;

	ret = volume_resolve(vol, "%SystemRoot%\\system32\\CONFIG\\software",
	    VPATH_ANY, &host, NULL);
	ck_assert_msg(ret == OFFMIG_OK, "%s", offmig_errmsg(ctx));
	ck_assert_msg(strcmp(host, "Windows/System32/config/SOFTWARE") == 0,
	    "vpath_resolve stopped early: 'system32\\CONFIG\\software' gave "
	    "'%s' (the prefix search leaves NULs in the rest it walks)", host);
	free(host);
	ret = volume_resolve(vol, "c:\\USERS\\ALICE\\appdata\\LOCAL",
	    VPATH_DIR, &host, NULL);
	ck_assert_msg(ret == OFFMIG_OK, "%s", offmig_errmsg(ctx));
	ck_assert_str_eq(host, "Users/alice/AppData/Local");
	free(host);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_volume_expand_defaults_and_software)
{
	struct offmig_volume *vol = open_volume("win10");
	const struct profile_list *l;
	char *s;

	ck_assert_str_eq(s = volume_expand(vol, "%SystemDrive%\\x"), "C:\\x");
	free(s);
	ck_assert_str_eq(s = volume_expand(vol, "%windir%\\System32"),
	    "C:\\Windows\\System32");
	free(s);
	ck_assert_str_eq(s = volume_expand(vol, "%ProgramFiles(x86)%\\App"),
	    "C:\\Program Files (x86)\\App");
	free(s);
	ck_assert_str_eq(s = volume_expand(vol, "%CommonProgramFiles%"),
	    "C:\\Program Files\\Common Files");
	free(s);
	ck_assert_str_eq(s = volume_expand(vol, "%NOSUCHVAR%\\y"),
	    "%NOSUCHVAR%\\y");
	free(s);
	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	ck_assert_str_eq(s = volume_expand(vol, "%PUBLIC%\\Desktop"),
	    "C:\\Users\\Public\\Desktop");
	free(s);
	ck_assert_str_eq(s = volume_expand(vol, "%ALLUSERSPROFILE%"),
	    "C:\\ProgramData");
	free(s);
	offmig_volume_close(vol);

	/* XP: ALLUSERSPROFILE is "All Users" under Documents and Settings. */
	vol = open_volume("xp");
	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	ck_assert_str_eq(s = volume_expand(vol, "%ALLUSERSPROFILE%"),
	    "C:\\Documents and Settings\\All Users");
	free(s);
	offmig_volume_close(vol);

	/*
	 * An installation that ran as D: (dual boot) with a localized
	 * Program Files: the values come from SOFTWARE.
	 */
	vol = open_at(mkvol(
	    "layout win10\n"
	    "os computer=DUAL machine-sid=1-2-3\n"
	    "user dee rid=1001 path=D:\\Users\\dee\n"
	    "dir Users/dee\n"
	    "reg SOFTWARE <<END\n"
	    "[Microsoft\\Windows NT\\CurrentVersion]\n"
	    "\"SystemRoot\"=\"D:\\\\WINDOWS\"\n"
	    "[Microsoft\\Windows\\CurrentVersion]\n"
	    "\"ProgramFilesDir\"=\"D:\\\\Programme\"\n"
	    "END\n"));
	ck_assert_str_eq(s = volume_expand(vol, "%ProgramFiles%\\App"),
	    "D:\\Programme\\App");
	free(s);
	ck_assert_int_eq(vol->sysdrive, 'D');
	ck_assert_str_eq(s = volume_expand(vol, "%SystemRoot%"), "D:\\WINDOWS");
	free(s);
	ck_assert_str_eq(s = volume_expand(vol, "%CommonProgramFiles%"),
	    "D:\\Programme\\Common Files");
	free(s);
	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	ck_assert_str_eq(find_user(l, "dee")->host_path, "Users/dee");
	ck_assert_int_eq(find_user(l, "dee")->status, PROFILE_HIVE_MISSING);
	expect_refused(vol, "C:\\Users\\dee", "another drive (C:)");
	offmig_volume_close(vol);
}
END_TEST

static void
count_log(void *arg, enum offmig_level level, const char *msg)
{
	(void)level;
	(void)msg;
	(*(int *)arg)++;
}

START_TEST(test_volume_sys_hive_failures_remembered)
{
	struct offmig_volume *vol = open_volume("hostile");
	struct hive *h = (struct hive *)1;
	int logged = 0;

	offmig_ctx_set_log(ctx, count_log, &logged);
	ck_assert_int_eq(volume_sys_hive(vol, SYS_HIVE_SECURITY, &h),
	    OFFMIG_ECORRUPT);
	ck_assert_ptr_null(h);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "Windows/System32/config/SECURITY"));
	ck_assert_int_eq(logged, 1);
	h = (struct hive *)1;
	ck_assert_int_eq(volume_sys_hive(vol, SYS_HIVE_SECURITY, &h),
	    OFFMIG_ECORRUPT);
	ck_assert_ptr_null(h);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "SECURITY"));
	ck_assert_int_eq(logged, 1);		/* warned once */
	ck_assert_int_eq(volume_sys_hive(vol, SYS_HIVE_SOFTWARE, &h),
	    OFFMIG_OK);
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(sys_hive_name(SYS_HIVE_DEFAULT), "DEFAULT");
	offmig_volume_close(vol);

	vol = open_at(mkvol("layout win10\nos machine-sid=1-2-3\n"
	    "remove Windows/System32/config/SAM\n"));
	logged = 0;
	offmig_ctx_set_log(ctx, count_log, &logged);
	ck_assert_int_eq(volume_sys_hive(vol, SYS_HIVE_SAM, &h),
	    OFFMIG_ENOTFOUND);
	ck_assert_ptr_null(h);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "Windows/System32/config/SAM: no such hive"));
	ck_assert_int_eq(logged, 1);
	offmig_volume_close(vol);
}
END_TEST

/* The element of the hive list with that name (and user, when given). */
static const struct offmig_node *
hive_entry(const struct offmig_node *hives, const char *name,
    const char *user)
{
	size_t i;

	for (i = 0; i < offmig_node_len(hives); i++) {
		const struct offmig_node *h = offmig_node_at(hives, i);
		const char *u = offmig_node_get_str(h, "user");

		if (strcmp(offmig_node_get_str(h, "name"), name) == 0 &&
		    (user == NULL || (u != NULL && strcmp(u, user) == 0)))
			return h;
	}
	return NULL;
}

START_TEST(test_volume_doc_hives)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_doc *doc = doc_new();
	struct offmig_node *arr = doc_add_array(doc, doc_root_mut(doc),
	    "hives");
	const struct offmig_node *h;

	volume_doc_hives(vol, doc, arr);
	ck_assert_int_eq(doc_status(doc), OFFMIG_OK);
	ck_assert_ptr_nonnull(h = hive_entry(arr, "SOFTWARE", NULL));
	ck_assert_str_eq(offmig_node_get_str(h, "path"),
	    "C:\\Windows\\System32\\config\\SOFTWARE");
	ck_assert_str_eq(offmig_node_get_str(h, "host_path"),
	    "Windows/System32/config/SOFTWARE");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(h, "present")), 1);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(h, "dirty")), 0);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(h, "checksum_ok")), 1);
	ck_assert_int_gt(offmig_node_int(offmig_node_get(h, "size")), 4096);
	ck_assert_ptr_nonnull(h = hive_entry(arr, "NTUSER.DAT", "dave"));
	ck_assert_int_eq(offmig_node_int(offmig_node_get(h, "dirty")), 1);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(h, "log_count")), 2);
	ck_assert_str_eq(offmig_node_get_str(h, "path"),
	    "C:\\Users\\dave\\NTUSER.DAT");
	ck_assert(arr_has(offmig_node_get(h, "problems"), "dirty"));
	ck_assert_ptr_nonnull(h = hive_entry(arr, "UsrClass.dat", "alice"));
	ck_assert_str_eq(offmig_node_get_str(h, "host_path"),
	    "Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat");
	/* frank has no NTUSER.DAT: not listed. */
	ck_assert_ptr_null(hive_entry(arr, "NTUSER.DAT", "frank"));
	offmig_doc_free(doc);
	offmig_volume_close(vol);

	/* A garbage machine hive is listed, with what is wrong. */
	vol = open_volume("hostile");
	doc = doc_new();
	arr = doc_add_array(doc, doc_root_mut(doc), "hives");
	volume_doc_hives(vol, doc, arr);
	ck_assert_ptr_nonnull(h = hive_entry(arr, "SECURITY", NULL));
	ck_assert_int_eq(offmig_node_type(offmig_node_get(h, "dirty")),
	    OFFMIG_NODE_NULL);
	ck_assert(arr_has(offmig_node_get(h, "problems"),
	    "not a registry hive"));
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

/*
 * os
 */

static struct offmig_doc *
os_doc(struct offmig_volume *vol)
{
	struct offmig_doc *doc = NULL;

	ck_assert_msg(offmig_os_report(ctx, vol, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_ptr_nonnull(doc);
	return doc;
}

START_TEST(test_os_win10_facts)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_doc *doc = os_doc(vol);
	const struct offmig_node *r = offmig_doc_root(doc);

	ck_assert_str_eq(offmig_node_get_str(r, "product_name"),
	    "Windows 10 Pro");
	ck_assert_str_eq(offmig_node_get_str(r, "edition"), "Professional");
	ck_assert_str_eq(offmig_node_get_str(r, "version"), "10.0");
	ck_assert_str_eq(offmig_node_get_str(r, "build"), "19045");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "ubr")), 3803);
	ck_assert_str_eq(offmig_node_get_str(r, "display_version"), "22H2");
	ck_assert_str_eq(offmig_node_get_str(r, "installation_type"), "Client");
	ck_assert_str_eq(offmig_node_get_str(r, "registered_owner"), "alice");
	ck_assert_str_eq(offmig_node_get_str(r, "install_date"),
	    "2023-02-14T00:00:00Z");
	ck_assert_str_eq(offmig_node_get_str(r, "arch"), "x64");
	ck_assert_str_eq(offmig_node_get_str(r, "arch_source"), "registry");
	ck_assert_str_eq(offmig_node_get_str(r, "cmd_exe_arch"), "x64");
	ck_assert_str_eq(offmig_node_get_str(r, "computer_name"),
	    "DESKTOP-OFFMIG");
	ck_assert_str_eq(offmig_node_get_str(r, "hostname"), "DESKTOP-OFFMIG");
	ck_assert_str_eq(offmig_node_get_str(r, "control_set"),
	    "ControlSet001");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "select.current")),
	    1);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r,
	    "select.last_known_good")), 2);
	/* mkwinvol shuts the machine down 30 days after installing it. */
	ck_assert_str_eq(offmig_node_get_str(r, "last_shutdown"),
	    "2023-03-16T00:00:00Z");
	ck_assert_str_eq(offmig_node_get_str(r, "windows_dir"), "C:\\Windows");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "hibernated")), 0);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(r, "problems")), 0);
	ck_assert_ptr_nonnull(hive_entry(offmig_node_get(r, "hives"), "SYSTEM",
	    NULL));
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_os_win11_and_win7)
{
	struct offmig_volume *vol = open_volume("win11");
	struct offmig_doc *doc = os_doc(vol);
	const struct offmig_node *r = offmig_doc_root(doc);

	/* ProductName still says Windows 10; the build tells. */
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
	doc = os_doc(vol);
	r = offmig_doc_root(doc);
	ck_assert_str_eq(offmig_node_get_str(r, "version"), "6.1");
	ck_assert_str_eq(offmig_node_get_str(r, "csd_version"),
	    "Service Pack 1");
	ck_assert_str_eq(offmig_node_get_str(r, "arch"), "x86");
	ck_assert_int_eq(offmig_node_type(offmig_node_get(r, "ubr")),
	    OFFMIG_NODE_NULL);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_os_xp)
{
	struct offmig_volume *vol = open_volume("xp");
	struct offmig_doc *doc = os_doc(vol);
	const struct offmig_node *r = offmig_doc_root(doc);

	ck_assert_str_eq(offmig_node_get_str(r, "product_name"),
	    "Microsoft Windows XP");
	ck_assert_str_eq(offmig_node_get_str(r, "arch"), "x86");
	ck_assert_str_eq(offmig_node_get_str(r, "windows_dir"), "C:\\WINDOWS");
	ck_assert_ptr_nonnull(hive_entry(offmig_node_get(r, "hives"),
	    "SOFTWARE", NULL));
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_os_control_set_ten_and_arch_mismatch)
{
	struct offmig_volume *vol = open_at(mkvol(
	    "layout win10\n"
	    "os computer=FIRST arch=AMD64 machine-sid=1-2-3\n"
	    "reg SYSTEM <<END\n"
	    "[Select]\n"
	    "\"Current\"=dword:0000000a\n"
	    "\"LastKnownGood\"=dword:0000000b\n"
	    "[ControlSet010\\Control\\ComputerName\\ComputerName]\n"
	    "\"ComputerName\"=\"TENTH\"\n"
	    "[ControlSet010\\Control\\Session Manager\\Environment]\n"
	    "\"PROCESSOR_ARCHITECTURE\"=\"x86\"\n"
	    "END\n"));
	struct offmig_doc *doc = os_doc(vol);
	const struct offmig_node *r = offmig_doc_root(doc);

	ck_assert_str_eq(offmig_node_get_str(r, "control_set"),
	    "ControlSet010");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "select.current")),
	    10);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r,
	    "select.last_known_good")), 11);
	ck_assert_str_eq(offmig_node_get_str(r, "computer_name"), "TENTH");
	ck_assert_int_eq(offmig_node_type(offmig_node_get(r, "hostname")),
	    OFFMIG_NODE_NULL);
	ck_assert_int_eq(offmig_node_type(offmig_node_get(r,
	    "last_shutdown")), OFFMIG_NODE_NULL);
	ck_assert_str_eq(offmig_node_get_str(r, "arch"), "x86");
	ck_assert_str_eq(offmig_node_get_str(r, "cmd_exe_arch"), "x64");
	ck_assert(arr_has(offmig_node_get(r, "problems"),
	    "the registry says x86 but System32\\cmd.exe is built for x64"));
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_os_damaged_cmd_exe_and_select)
{
	struct offmig_volume *vol;
	struct offmig_doc *doc;
	const struct offmig_node *r;
	const char *p;

	/* A cmd.exe cut after the MZ header, and Select pointing nowhere. */
	p = mkvol("layout win10\n"
	    "os arch=AMD64 machine-sid=1-2-3\n"
	    "corrupt Windows/System32/cmd.exe truncate=64\n"
	    "reg SYSTEM <<END\n"
	    "[Select]\n"
	    "\"Current\"=dword:00000007\n"
	    "END\n");
	vol = open_at(p);
	doc = os_doc(vol);
	r = offmig_doc_root(doc);
	ck_assert_int_eq(offmig_node_type(offmig_node_get(r, "control_set")),
	    OFFMIG_NODE_NULL);
	ck_assert_int_eq(offmig_node_type(offmig_node_get(r, "computer_name")),
	    OFFMIG_NODE_NULL);
	ck_assert_int_eq(offmig_node_type(offmig_node_get(r, "arch")),
	    OFFMIG_NODE_NULL);
	ck_assert(arr_has(offmig_node_get(r, "problems"),
	    "no usable Select\\Current"));
	ck_assert(arr_has(offmig_node_get(r, "problems"),
	    "cmd.exe has no PE header"));
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "select.current")),
	    7);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_os_missing_cmd_exe_and_software)
{
	struct offmig_volume *vol;
	struct offmig_doc *doc = (struct offmig_doc *)1;
	const struct offmig_node *r;
	const char *p;

	p = mkvol("layout win10\n"
	    "os arch=ARM64 machine-sid=1-2-3\n"
	    "remove Windows/System32/cmd.exe\n");
	vol = open_at(p);
	doc = os_doc(vol);
	r = offmig_doc_root(doc);
	ck_assert_str_eq(offmig_node_get_str(r, "arch"), "arm64");
	ck_assert_int_eq(offmig_node_type(offmig_node_get(r, "cmd_exe_arch")),
	    OFFMIG_NODE_NULL);
	ck_assert(arr_has(offmig_node_get(r, "problems"),
	    "System32\\cmd.exe is missing"));
	offmig_doc_free(doc);
	offmig_volume_close(vol);

	/* SOFTWARE that is not a hive: no report, an error naming it. */
	put_file("vol/Windows/System32/config/SOFTWARE", "garbage!", 8);
	vol = open_at(p);
	doc = (struct offmig_doc *)1;
	ck_assert_int_eq(offmig_os_report(ctx, vol, &doc), OFFMIG_ECORRUPT);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "Windows/System32/config/SOFTWARE"));
	offmig_volume_close(vol);
}
END_TEST

/*
 * profiles
 */

START_TEST(test_win10_profiles_classified)
{
	struct offmig_volume *vol = open_volume("win10");
	const struct profile_list *l, *again;
	const struct profile *p;

	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	ck_assert_int_eq(volume_profiles(vol, &again), OFFMIG_OK);
	ck_assert_ptr_eq(l, again);		/* cached */
	ck_assert_str_eq(l->machine_sid,
	    "S-1-5-21-1111111111-2222222222-3333333333");
	ck_assert_str_eq(l->profiles_dir, "%SystemDrive%\\Users");
	ck_assert_str_eq(l->profiles_dir_host, "Users");
	p = find(l, W10 "1001");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->user, "alice");
	ck_assert_str_eq(p->user_source, "sam");
	ck_assert_str_eq(p->domain, "DESKTOP-OFFMIG");
	ck_assert_int_eq(p->status, PROFILE_OK);
	ck_assert_str_eq(p->path, "C:\\Users\\alice");
	ck_assert_str_eq(p->host_path, "Users/alice");
	ck_assert_str_eq(p->hive_host, "Users/alice/NTUSER.DAT");
	ck_assert(p->hive_present);
	ck_assert(!p->hive_dirty);
	ck_assert_int_eq(p->last_use, 1714555800);
	ck_assert_int_eq(p->load_time, 1714555800 - 3600);
	ck_assert_str_eq(p->last_use_source, "profile-unload");
	ck_assert_ptr_null(p->partner);
	ck_assert_uint_eq(p->nproblems, 0);
	p = find(l, W10 "1002");
	ck_assert_int_eq(p->status, PROFILE_TEMPORARY);
	ck_assert_str_eq(p->partner, W10 "1002.bak");
	ck_assert(has_problem(p, "a backup of this profile exists"));
	p = find(l, W10 "1002.bak");
	ck_assert_int_eq(p->status, PROFILE_BAK);
	ck_assert(p->is_bak);
	ck_assert_str_eq(p->sid, W10 "1002");
	ck_assert_str_eq(p->partner, W10 "1002");
	ck_assert_str_eq(p->user, "bob");
	p = find(l, W10 "1003");
	ck_assert(p->hive_dirty);
	ck_assert_int_eq(p->hive_logs, 2);
	ck_assert(has_problem(p, "NTUSER.DAT is dirty"));
	ck_assert(has_problem(p, "read through its transaction logs "
	    "(2 entries applied)"));
	ck_assert_ptr_nonnull(p->replay);
	ck_assert(p->replay->recovered);
	ck_assert_int_eq(p->status, PROFILE_OK);
	p = find(l, W10 "1004");
	ck_assert_int_eq(p->status, PROFILE_FOLDER_MISSING);
	ck_assert_ptr_null(p->host_path);
	ck_assert(has_problem(p, "erin"));
	ck_assert_int_eq(find(l, W10 "1005")->status, PROFILE_HIVE_MISSING);
	ck_assert_int_eq(find(l, "S-1-5-18")->status, PROFILE_SYSTEM);
	ck_assert_str_eq(find(l, "S-1-5-18")->user, "SYSTEM");
	ck_assert_str_eq(find(l, "S-1-5-19")->user_source, "wellknown");
	ck_assert_str_eq(find(l, "S-1-5-19")->domain, "NT AUTHORITY");
	{
		size_t i, orphans = 0;

		for (i = 0; i < l->n; i++)
			if (l->v[i].status == PROFILE_ORPHAN_FOLDER) {
				orphans++;
				ck_assert_str_eq(l->v[i].user, "olduser");
				ck_assert_str_eq(l->v[i].host_path,
				    "Users/olduser");
				ck_assert_ptr_null(l->v[i].sid);
			}
		/* Default, Public and the All Users link are not orphans. */
		ck_assert_uint_eq(orphans, 1);
	}
	ck_assert_ptr_eq(profile_find(l, "bob"), find(l, W10 "1002"));
	ck_assert_ptr_eq(profile_find(l, "ALICE"), find(l, W10 "1001"));
	ck_assert_ptr_eq(profile_find(l, W10 "1003"), find(l, W10 "1003"));
	ck_assert_ptr_null(profile_find(l, "nobody"));
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_profile_to_doc_fields)
{
	struct offmig_volume *vol = open_volume("win10");
	const struct profile_list *l;
	struct offmig_doc *doc = doc_new();
	struct offmig_node *arr = doc_add_array(doc, doc_root_mut(doc), "p");
	const struct offmig_node *o;

	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	profile_to_doc(find(l, W10 "1001"), doc, doc_push_object(doc, arr));
	profile_to_doc(find(l, W10 "1002"), doc, doc_push_object(doc, arr));
	ck_assert_int_eq(doc_status(doc), OFFMIG_OK);
	o = offmig_node_at(arr, 0);
	ck_assert_str_eq(offmig_node_get_str(o, "sid"), W10 "1001");
	ck_assert_str_eq(offmig_node_get_str(o, "key"), W10 "1001");
	ck_assert_str_eq(offmig_node_get_str(o, "user"), "alice");
	ck_assert_str_eq(offmig_node_get_str(o, "user_source"), "sam");
	ck_assert_str_eq(offmig_node_get_str(o, "domain"), "DESKTOP-OFFMIG");
	ck_assert_str_eq(offmig_node_get_str(o, "path"), "C:\\Users\\alice");
	ck_assert_str_eq(offmig_node_get_str(o, "host_path"), "Users/alice");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(o, "state")), 0);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(o, "state_flags")),
	    0);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(o, "refcount")), 0);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(o, "flags")), 0);
	ck_assert_str_eq(offmig_node_get_str(o, "last_use"),
	    "2024-05-01T09:30:00Z");
	ck_assert_str_eq(offmig_node_get_str(o, "load_time"),
	    "2024-05-01T08:30:00Z");
	ck_assert_str_eq(offmig_node_get_str(o, "unload_time"),
	    "2024-05-01T09:30:00Z");
	ck_assert_str_eq(offmig_node_get_str(o, "last_use_source"),
	    "profile-unload");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(o, "hive.present")),
	    1);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(o, "hive.dirty")), 0);
	ck_assert_int_gt(offmig_node_int(offmig_node_get(o, "hive.size")),
	    4096);
	ck_assert_str_eq(offmig_node_get_str(o, "hive.host_path"),
	    "Users/alice/NTUSER.DAT");
	ck_assert_str_eq(offmig_node_get_str(o, "usrclass_host"),
	    "Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat");
	ck_assert_str_eq(offmig_node_get_str(o, "status"), "ok");
	ck_assert_int_eq(offmig_node_type(offmig_node_get(o, "partner")),
	    OFFMIG_NODE_NULL);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(o, "problems")), 0);
	o = offmig_node_at(arr, 1);
	ck_assert_str_eq(offmig_node_get_str(o, "status"), "temporary");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(o, "state")), 0x800);
	ck_assert(arr_has(offmig_node_get(o, "state_flags"), "temporary"));
	ck_assert_str_eq(offmig_node_get_str(o, "partner"), W10 "1002.bak");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_xp_layout_case_insensitive)
{
	struct offmig_volume *vol = open_volume("xp");
	const struct profile_list *l;
	const struct profile *p;

	ck_assert_str_eq(vol->windir_host, "WINDOWS");
	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	ck_assert_str_eq(l->profiles_dir_host, "Documents and Settings");
	p = profile_find(l, "kate");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->host_path, "Documents and Settings/kate");
	ck_assert_int_eq(p->status, PROFILE_OK);
	ck_assert_str_eq(p->usrclass_host, "Documents and Settings/kate/"
	    "Local Settings/Application Data/Microsoft/Windows/UsrClass.dat");
	p = profile_find(l, "leo");
	ck_assert(p->hive_dirty);
	ck_assert_int_eq(p->hive_logs, 1);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_hostile_paths_stay_inside)
{
	static const struct {
		const char	*rid;
		const char	*why;
	} outside[] = {
		{ "1002", "'..'" },
		{ "1003", "another drive (D:)" },
		{ "1004", "network path" },
		{ "1005", "device path" },
		{ "1006", "symbolic link" },
	};
	struct offmig_volume *vol = open_volume("hostile");
	const struct profile_list *l;
	const struct profile *p;
	char key[128];
	size_t i;

	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		snprintf(key, sizeof(key),
		    "S-1-5-21-900000001-900000002-900000003-%s",
		    outside[i].rid);
		p = find(l, key);
		ck_assert_ptr_nonnull(p);
		ck_assert_ptr_null(p->host_path);
		ck_assert_ptr_null(p->hive_host);
		ck_assert_int_eq(p->status, PROFILE_FOLDER_MISSING);
		ck_assert_msg(has_problem(p, outside[i].why), "%s: %s", key,
		    p->nproblems > 0 ? p->problems[0] : "no problem");
		ck_assert_int_ge(p->read_failures, 1);
	}
	/* The symlink to /etc is neither followed nor an orphan folder. */
	for (i = 0; i < l->n; i++)
		ck_assert(l->v[i].status != PROFILE_ORPHAN_FOLDER);
	/* A truncated NTUSER.DAT: named in the problem. */
	p = find_user(l, "truncated");
	ck_assert_ptr_nonnull(p);
	ck_assert(has_problem(p, "Users/truncated/NTUSER.DAT is truncated: "
	    "6000 bytes"));
	ck_assert_int_ge(p->read_failures, 1);
	ck_assert(vol->hibernated);
	offmig_volume_close(vol);
}
END_TEST

#define EDGE "S-1-5-21-700000001-700000002-700000003-"

START_TEST(test_profiles_edge_cases)
{
	struct offmig_volume *vol = open_at(mkvol(
	    "layout win10\n"
	    "os computer=EDGE machine-sid=700000001-700000002-700000003\n"
	    "user ann rid=1001 last-use=2024-05-01T00:00:00Z state=0x10801\n"
	    "user ben rid=1002\n"
	    "user cal rid=1003 path=C:\\Users\\TEMP.EDGE\n"
	    "user dan rid=1004 last-use=2024-05-01T00:00:00Z\n"
	    "user eve rid=1005\n"
	    "orphan leftover\n"
	    "symlink Users/jlink ann\n"
	    "file Users/notes.txt 10\n"
	    "corrupt Users/eve/NTUSER.DAT garbage\n"
	    "reg SOFTWARE <<END\n"
	    "[Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\"
	    EDGE "1004]\n"
	    "\"LocalProfileLoadTimeHigh\"=dword:01dab3b6\n"
	    "\"LocalProfileLoadTimeLow\"=dword:a553c000\n"
	    "[Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\"
	    "S-1-5-21-9-9-9-1001]\n"
	    "\"ProfileImagePath\"=expand:"
	    "\"%SystemDrive%\\\\Users\\\\corp.DOMAIN\"\n"
	    "[Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\"
	    "S-1-5-21-9-9-9-1002]\n"
	    "\"State\"=dword:00000000\n"
	    "END\n"));
	struct offmig_doc *doc = doc_new();
	struct offmig_node *o;
	const struct profile_list *l;
	const struct profile *p;
	size_t i, orphans = 0;

	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	/* State 0x10801: mandatory and temporary, 0x10000 kept as is. */
	p = find(l, EDGE "1001");
	ck_assert_int_eq(p->status, PROFILE_TEMPORARY);
	o = doc_push_object(doc, doc_add_array(doc, doc_root_mut(doc), "p"));
	profile_to_doc(p, doc, o);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(o, "state_flags")),
	    3);
	ck_assert_str_eq(offmig_node_str(offmig_node_at(offmig_node_get(o,
	    "state_flags"), 0), NULL), "mandatory");
	ck_assert_str_eq(offmig_node_str(offmig_node_at(offmig_node_get(o,
	    "state_flags"), 1), NULL), "temporary");
	ck_assert_str_eq(offmig_node_str(offmig_node_at(offmig_node_get(o,
	    "state_flags"), 2), NULL), "0x10000");
	/* No load or unload times: NTUSER.DAT's mtime, and it says so. */
	p = find(l, EDGE "1002");
	ck_assert_str_eq(p->last_use_source, "ntuser-mtime");
	ck_assert(p->last_use != NO_TIME);
	ck_assert_int_eq(p->load_time, NO_TIME);
	ck_assert_int_eq(p->status, PROFILE_OK);
	/* A TEMP.<something> folder is a temporary profile. */
	ck_assert_int_eq(find(l, EDGE "1003")->status, PROFILE_TEMPORARY);
	/* Loaded after its last unload: the load time is the last use. */
	p = find(l, EDGE "1004");
	ck_assert_int_eq(p->last_use, 1717200000);
	ck_assert_str_eq(p->last_use_source, "profile-load");
	/* A garbage NTUSER.DAT: present, and the problem names the file. */
	p = find(l, EDGE "1005");
	ck_assert(p->hive_present);
	ck_assert(has_problem(p, "Users/eve/NTUSER.DAT: not a registry hive"));
	ck_assert_int_ge(p->read_failures, 1);
	/* A domain user: no SAM entry, named from the path leaf. */
	p = find(l, "S-1-5-21-9-9-9-1001");
	ck_assert_str_eq(p->user, "corp.DOMAIN");
	ck_assert_str_eq(p->user_source, "path");
	ck_assert_ptr_null(p->domain);
	ck_assert_int_eq(p->status, PROFILE_FOLDER_MISSING);
	/* No ProfileImagePath at all: no name, a problem, no crash. */
	p = find(l, "S-1-5-21-9-9-9-1002");
	ck_assert_ptr_null(p->user);
	ck_assert_str_eq(p->user_source, "none");
	ck_assert(has_problem(p, "no ProfileImagePath"));
	/* Orphans: the folder, not the symlink nor the file. */
	for (i = 0; i < l->n; i++)
		if (l->v[i].status == PROFILE_ORPHAN_FOLDER) {
			orphans++;
			ck_assert_str_eq(l->v[i].user, "leftover");
			ck_assert(has_problem(&l->v[i],
			    "no ProfileList entry"));
		}
	ck_assert_uint_eq(orphans, 1);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_profiles_without_software_or_sam)
{
	struct offmig_volume *vol;
	const struct profile_list *l = (const struct profile_list *)1;
	const char *p;

	/* No SAM: users are named from their paths, with a warning. */
	p = mkvol("layout win10\nos machine-sid=1-2-3\nuser zed rid=1001\n"
	    "remove Windows/System32/config/SAM\n");
	vol = open_at(p);
	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	ck_assert_ptr_null(l->machine_sid);
	ck_assert_str_eq(find_user(l, "zed")->user_source, "path");
	ck_assert_int_eq(find_user(l, "zed")->status, PROFILE_OK);
	ck_assert_uint_ge(offmig_ctx_warnings(ctx), 1);
	offmig_volume_close(vol);
	/* A SOFTWARE that is not a hive: an error naming it. */
	put_file("vol/Windows/System32/config/SOFTWARE", "garbage!", 8);
	vol = open_at(p);
	l = (const struct profile_list *)1;
	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_ECORRUPT);
	ck_assert_ptr_null(l);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
	    "Windows/System32/config/SOFTWARE"));
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_profiles_build_filters)
{
	struct offmig_volume *vol = open_volume("win10");
	struct offmig_filter *f = offmig_filter_new();
	struct offmig_doc *doc = doc_new();
	struct offmig_node *arr = doc_add_array(doc, doc_root_mut(doc), "p");

	ck_assert_int_eq(offmig_filter_include(f, "alice"), OFFMIG_OK);
	ck_assert_int_eq(offmig_filter_exclude(f, "*"), OFFMIG_OK);
	ck_assert_int_eq(profiles_build(vol, f, doc, arr), OFFMIG_OK);
	ck_assert_uint_eq(offmig_node_len(arr), 1);
	ck_assert_str_eq(offmig_node_get_str(offmig_node_at(arr, 0), "user"),
	    "alice");
	offmig_filter_free(f);
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

/*
 * filter
 */

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
	ck_assert(filter_match(NULL, alice));
	ck_assert(filter_match(f, alice));
	ck_assert(filter_match(f, sys));
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
	/* --uel never drops the system profiles, only patterns do. */
	ck_assert(filter_match(f, sys));
	/* --ui wins over --uel. */
	ck_assert_int_eq(offmig_filter_include(f, "*-1004"), OFFMIG_OK);
	ck_assert(filter_match(f, erin));
	ck_assert_int_eq(offmig_filter_include(f, ""), OFFMIG_EINVAL);
	ck_assert_int_eq(offmig_filter_exclude(f, NULL), OFFMIG_EINVAL);
	offmig_filter_free(f);
	offmig_filter_free(NULL);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_filter_patterns)
{
	struct offmig_volume *vol = open_volume("win10");
	const struct profile_list *l;
	struct offmig_filter *f;
	const struct profile *alice, *bob, *erin, *orphan = NULL;
	size_t i;
	static const struct {
		const char	*pattern;
		int		 alice;
	} ex[] = {
		{ "alice", 0 },
		{ "ALICE", 0 },
		{ "al*", 0 },
		{ "a?ice", 0 },
		{ "*\\alice", 0 },
		{ "desktop-offmig\\ALICE", 0 },
		{ "OTHER\\alice", 1 },
		{ W10 "1001", 0 },
		{ "S-1-5-21-*-1001", 0 },
		{ "S-1-5-21-*-1002", 1 },
		{ "bob", 1 },
		{ "alic", 1 },
	};

	ck_assert_int_eq(volume_profiles(vol, &l), OFFMIG_OK);
	alice = find(l, W10 "1001");
	bob = find(l, W10 "1002.bak");
	erin = find(l, W10 "1004");
	for (i = 0; i < l->n; i++)
		if (l->v[i].status == PROFILE_ORPHAN_FOLDER)
			orphan = &l->v[i];
	ck_assert_ptr_nonnull(orphan);
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		ck_assert_ptr_nonnull(f = offmig_filter_new());
		ck_assert_int_eq(offmig_filter_exclude(f, ex[i].pattern),
		    OFFMIG_OK);
		ck_assert_msg(filter_match(f, alice) == ex[i].alice,
		    "--ue '%s' on alice", ex[i].pattern);
		offmig_filter_free(f);
	}
	/* The .bak twin matches by its SID, without ".bak". */
	f = offmig_filter_new();
	offmig_filter_exclude(f, W10 "1002");
	ck_assert(!filter_match(f, bob));
	ck_assert(filter_match(f, erin));
	/* An orphan folder has no SID: matched by its folder name. */
	offmig_filter_exclude(f, "olduser");
	ck_assert(!filter_match(f, orphan));
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
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/Windows/System32/config'",
	    tmp);
	ck_assert_int_eq(system(cmd), 0);
	for (i = 0; i < 3; i++) {
		if (src[i] == NULL)
			continue;
		if (t_corpus(p, sizeof(p), src[i]) == NULL)
			return 0;
		snprintf(cmd, sizeof(cmd),
		    "cp '%s' '%s/Windows/System32/config/%s'", p, tmp, dst[i]);
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
	ck_assert_int_eq(offmig_node_type(offmig_node_get(offmig_doc_root(doc),
	    "build")), OFFMIG_NODE_NULL);
	ck_assert_str_eq(offmig_node_get_str(offmig_doc_root(doc),
	    "computer_name"), "REACTOS-ABO9UHG");
	offmig_doc_free(doc);
	offmig_volume_close(vol);
}
END_TEST

START_TEST(test_corpus_computer_names)
{
	static const char *const sys[][2] = {
		{ "regipy/SYSTEM", "WKS-WIN732BITA" },
		{ "dissect.regf/_data/SYSTEM", "DESKTOP-M3OSHQU" },
		{ "dfwinreg/old_14bc0f1/SYSTEM", "IECOMPATVHD" },
		{ "reactos/SYSTEM", "REACTOS-ABO9UHG" },
		{ "regipy/SYSTEM_2", "SENSEI" },
	};
	size_t i, seen = 0;

	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		struct hive *h;
		char p[512], *cs, *name = NULL;
		hnode csk, k;

		if (t_corpus(p, sizeof(p), sys[i][0]) == NULL) {
			fprintf(stderr, "SKIP: corpus file %s is absent\n",
			    sys[i][0]);
			continue;
		}
		seen++;
		ck_assert_int_eq(hive_open_path(ctx, p, &h), OFFMIG_OK);
		ck_assert_int_eq(os_control_set(ctx, h, &cs, &csk), OFFMIG_OK);
		ck_assert_int_eq(hive_lookup(ctx, h, csk,
		    "Control\\ComputerName\\ComputerName", &k), OFFMIG_OK);
		ck_assert_int_eq(hive_get_string(ctx, h, k, "ComputerName",
		    &name, NULL), OFFMIG_OK);
		ck_assert_str_eq(name, sys[i][1]);
		ck_assert_str_eq(cs, "ControlSet001");
		free(name);
		free(cs);
		hive_close(h);
	}
	if (seen == 0)
		T_SKIP_NO_CORPUS("*/SYSTEM");
}
END_TEST

static TCase *
tcase(Suite *s, const char *name, int timeout)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

int
main(void)
{
	Suite *s = suite_create("profiles");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = tcase(s, "sid", 10);
	tcase_add_test(tc, test_sid_binary_to_string);
	tcase_add_test(tc, test_sid_malformed_binary_refused);
	tcase_add_test(tc, test_sid_rid_and_domain);
	tcase_add_test(tc, test_sid_wellknown_names);
	tc = tcase(s, "sam", 30);
	tcase_add_test(tc, test_sam_synthetic_accounts);
	tcase_add_test(tc, test_sam_hostile_sizes_stay_in_bounds);
	tcase_add_test(tc, test_sam_without_accounts);
	tc = tcase(s, "volume", 60);
	tcase_add_test(tc, test_volume_empty_and_foreign);
	tcase_add_test(tc, test_volume_damaged_installation);
	tcase_add_test(tc, test_volume_root_errors);
	tcase_add_test(tc, test_volume_two_installations);
	tcase_add_test(tc, test_volume_hibernation);
	tcase_add_test(tc, test_volume_resolve_stays_inside);
	tcase_add_test(tc, test_volume_resolve_deep_case_mismatch);
	tcase_add_test(tc, test_volume_expand_defaults_and_software);
	tcase_add_test(tc, test_volume_sys_hive_failures_remembered);
	tcase_add_test(tc, test_volume_doc_hives);
	tc = tcase(s, "os", 60);
	tcase_add_test(tc, test_os_win10_facts);
	tcase_add_test(tc, test_os_win11_and_win7);
	tcase_add_test(tc, test_os_xp);
	tcase_add_test(tc, test_os_control_set_ten_and_arch_mismatch);
	tcase_add_test(tc, test_os_damaged_cmd_exe_and_select);
	tcase_add_test(tc, test_os_missing_cmd_exe_and_software);
	tc = tcase(s, "profiles", 60);
	tcase_add_test(tc, test_win10_profiles_classified);
	tcase_add_test(tc, test_profile_to_doc_fields);
	tcase_add_test(tc, test_xp_layout_case_insensitive);
	tcase_add_test(tc, test_hostile_paths_stay_inside);
	tcase_add_test(tc, test_profiles_edge_cases);
	tcase_add_test(tc, test_profiles_without_software_or_sam);
	tcase_add_test(tc, test_profiles_build_filters);
	tc = tcase(s, "filter", 30);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_filter_patterns);
	tc = tcase(s, "corpus", 120);
	tcase_add_test(tc, test_corpus_sam_users);
	tcase_add_test(tc, test_corpus_reactos_volume);
	tcase_add_test(tc, test_corpus_container_delta_hive);
	tcase_add_test(tc, test_corpus_computer_names);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
