/*
 * check_replay.c - transaction-log replay: Marvin32 vectors, Windows' own
 * recoveries and yarp's recoveries of real dirty hives from the corpus,
 * synthetic logs from our log writer (hash mismatch, sequence gaps, order,
 * bad primary base block, growth, large old-format bitmaps, clean hives,
 * truncated and empty logs), and a bit-flip sweep of real logs that must
 * never crash and never give a half-sealed hive.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/replay.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char tmpdir[256];

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	t_tmpdir_make(tmpdir, sizeof(tmpdir), "check_replay");
}

static void
teardown(void)
{
	offmig_ctx_free(ctx);
	t_tmpdir_remove(tmpdir);
}

/* A recovered hive must be sealed: regf, seq1 == seq2, checksum, type 0. */
static void
assert_sealed(const struct replay_result *r)
{
	struct regf_info bi;

	ck_assert_msg(r->recovered, "not recovered: %s; log 1: %s", r->note,
	    r->nlogs > 0 ? r->logs[0].note : "none");
	ck_assert_ptr_nonnull(r->data);
	ck_assert_int_eq(regf_parse(r->data, r->len, &bi), OFFMIG_OK);
	ck_assert(bi.checksum_ok);
	ck_assert_uint_eq(bi.seq1, bi.seq2);
	ck_assert_uint_eq(bi.seq1, r->seq_after);
	ck_assert_uint_eq(bi.file_type, 0);
	ck_assert_uint_ge(r->len, REGF_BASE_BLOCK + (size_t)bi.hbins_size);
}

/* Opens an image through hivex (memfd) for key and value walks. */
static struct hive *
open_image(const unsigned char *data, size_t len, const char *name)
{
	struct hive *h = NULL;
	int fd;

	ck_assert_int_ge(fd = memfd_create("replay", MFD_CLOEXEC), 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_msg(hive_open_fd(ctx, fd, name, &h) == OFFMIG_OK, "%s: %s",
	    name, offmig_errmsg(ctx));
	close(fd);
	return h;
}

/* Counts keys (the root included) and values below n. */
static void
count(struct hive *h, hnode n, size_t *keys, size_t *vals, int depth)
{
	hnode *kids = NULL;
	char **names = NULL;
	size_t nk = 0, i;

	ck_assert_int_lt(depth, 128);
	(*keys)++;
	ck_assert_int_eq(hive_value_names(ctx, h, n, &names), OFFMIG_OK);
	for (i = 0; names[i] != NULL; i++)
		(*vals)++;
	hive_strv_free(names);
	ck_assert_msg(hive_children(ctx, h, n, &kids, &nk) == OFFMIG_OK,
	    "%s", offmig_errmsg(ctx));
	for (i = 0; i < nk; i++)
		count(h, kids[i], keys, vals, depth + 1);
	free(kids);
}

static void
image_counts(const unsigned char *data, size_t len, size_t *keys,
    size_t *vals)
{
	struct hive *h = open_image(data, len, "recovered");

	*keys = *vals = 0;
	count(h, hive_root(h), keys, vals, 0);
	hive_close(h);
}

/* Compares two trees key by key and value by value (names, types, data). */
static void
same_tree(struct hive *a, hnode na, struct hive *b, hnode nb, int depth)
{
	hnode *ka = NULL, *kb = NULL;
	char **va = NULL, **vb = NULL, *sa, *sb;
	size_t n1, n2, i;

	ck_assert_int_lt(depth, 128);
	sa = hive_key_path(ctx, a, na);
	sb = hive_key_path(ctx, b, nb);
	ck_assert_ptr_nonnull(sa);
	ck_assert_ptr_nonnull(sb);
	ck_assert_str_eq(sa, sb);
	ck_assert_int_eq(hive_value_names(ctx, a, na, &va), OFFMIG_OK);
	ck_assert_int_eq(hive_value_names(ctx, b, nb, &vb), OFFMIG_OK);
	for (i = 0; va[i] != NULL && vb[i] != NULL; i++) {
		uint32_t ta, tb;
		void *da, *db;
		size_t la, lb;

		ck_assert_str_eq(va[i], vb[i]);
		ck_assert_int_eq(hive_get_raw(ctx, a, na, va[i], &ta, &da,
		    &la), OFFMIG_OK);
		ck_assert_int_eq(hive_get_raw(ctx, b, nb, vb[i], &tb, &db,
		    &lb), OFFMIG_OK);
		ck_assert_msg(ta == tb && la == lb && (la == 0 ||
		    memcmp(da, db, la) == 0), "%s: value %s differs", sa,
		    va[i]);
		free(da);
		free(db);
	}
	ck_assert_msg(va[i] == NULL && vb[i] == NULL, "%s: value count", sa);
	hive_strv_free(va);
	hive_strv_free(vb);
	ck_assert_int_eq(hive_children(ctx, a, na, &ka, &n1), OFFMIG_OK);
	ck_assert_int_eq(hive_children(ctx, b, nb, &kb, &n2), OFFMIG_OK);
	ck_assert_msg(n1 == n2, "%s: %zu subkeys vs %zu", sa, n1, n2);
	for (i = 0; i < n1; i++)
		same_tree(a, ka[i], b, kb[i], depth + 1);
	free(ka);
	free(kb);
	free(sa);
	free(sb);
}

/*
 * marvin: the public .NET vectors, our own hive-seed vectors, and the
 * hashes Windows stored in NewDirtyHive1's logs.
 */

START_TEST(test_marvin_vectors)
{
	static const struct {
		uint64_t	 seed;
		const char	*hex;	/* "*" = bytes 00..FF, "0*32" zeros */
		uint64_t	 hash;
	} v[] = {
		{ 0x004FB61A001BDBCCULL, "", 0x30ED35C100CD3C7DULL },
		{ 0x004FB61A001BDBCCULL, "af", 0x48E73FC77D75DDC1ULL },
		{ 0x004FB61A001BDBCCULL, "e70f", 0xB5F6E1FC485DBFF8ULL },
		{ 0x004FB61A001BDBCCULL, "37f495", 0xF0B07C789B8CF7E8ULL },
		{ 0x004FB61A001BDBCCULL, "8642dc59", 0x7008F2E87E9CF556ULL },
		{ 0x004FB61A001BDBCCULL, "153fb79826", 0xE6C08C6DA2AFA997ULL },
		{ 0x004FB61A001BDBCCULL, "0932e6246c47",
		    0x6F04BF1A5EA24060ULL },
		{ 0x004FB61A001BDBCCULL, "ab427ea8d10fc7",
		    0xE11847E4F0678C41ULL },
		{ 0x004FB61A001BDBCCULL, "*", 0x7DFCAB33FCEAD72CULL },
		{ 0x804FB61A001BDBCCULL, "ab427ea8d10fc7",
		    0xE203987DBA252FB3ULL },
		{ 0x804FB61A001BDBCCULL, "*", 0x73B4AE569E0DB919ULL },
		{ 0x804FB61A801BDBCCULL, "00FF00FF00FF00",
		    0x71876F2EFB1B0EE8ULL },
		{ HIVE_MARVIN_SEED, "0*32", 0xDA91A06AC5359223ULL },
		{ HIVE_MARVIN_SEED, "*", 0xE8F3685710A60B65ULL },
		{ HIVE_MARVIN_SEED, "", 0xB39EFCA403966E08ULL },
		{ HIVE_MARVIN_SEED, "48764c45", 0x914527932CF336DDULL },
	};
	unsigned char buf[256];
	size_t i, j, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (strcmp(v[i].hex, "*") == 0) {
			for (n = 0; n < 256; n++)
				buf[n] = (unsigned char)n;
		} else if (strcmp(v[i].hex, "0*32") == 0) {
			n = 32;
			memset(buf, 0, n);
		} else {
			n = strlen(v[i].hex) / 2;
			for (j = 0; j < n; j++) {
				unsigned int b;

				ck_assert_int_eq(sscanf(v[i].hex + 2 * j,
				    "%2x", &b), 1);
				buf[j] = (unsigned char)b;
			}
		}
		ck_assert_msg(marvin32(v[i].seed, buf, n) == v[i].hash,
		    "vector %zu: 0x%016llx", i,
		    (unsigned long long)marvin32(v[i].seed, buf, n));
	}
}
END_TEST

START_TEST(test_marvin_windows_logs)
{
	static const struct {
		const char	*log;
		size_t		 off;
		uint32_t	 seq;
		uint64_t	 h1, h2;
	} v[] = {
		{ "NewDirtyHive.LOG1", 512, 2, 0x67866C661807E431ULL,
		    0xCD44F3CFA7657F02ULL },
		{ "NewDirtyHive.LOG2", 0, 3, 0x4746A81707701E5DULL,
		    0xE637DCAFF6877267ULL },
		{ "NewDirtyHive.LOG2", 0, 4, 0xB4DC2754DC799E0DULL,
		    0xB1A781FC3917B6B5ULL },
		{ "NewDirtyHive.LOG2", 0, 5, 0x4A147AEF2DCDBBEBULL,
		    0x366395A8E5BEA556ULL },
	};
	char p[1024], rel[256];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned char *d;
		size_t len, pos = 512;

		snprintf(rel, sizeof(rel), "yarp/hives_for_tests/"
		    "NewDirtyHive1/%s", v[i].log);
		if (t_corpus(p, sizeof(p), rel) == NULL)
			T_SKIP_NO_CORPUS("yarp/hives_for_tests/NewDirtyHive1");
		d = t_read_file(p, &len);
		/* Find the entry with that sequence number. */
		while (pos + 40 <= len && memcmp(d + pos, "HvLE", 4) == 0 &&
		    le32(d + pos + 12) != v[i].seq)
			pos += le32(d + pos + 4) ? le32(d + pos + 4) : len;
		ck_assert_msg(pos + 40 <= len && le32(d + pos + 12) == v[i].seq,
		    "%s: no entry %u", v[i].log, v[i].seq);
		ck_assert_uint_le(le32(d + pos + 4), len - pos);
		ck_assert(le64(d + pos + 24) == v[i].h1);
		ck_assert(le64(d + pos + 32) == v[i].h2);
		ck_assert(marvin32(HIVE_MARVIN_SEED, d + pos + 40,
		    le32(d + pos + 4) - 40) == v[i].h1);
		ck_assert(marvin32(HIVE_MARVIN_SEED, d + pos, 32) == v[i].h2);
		free(d);
	}
}
END_TEST

/*
 * corpus: Windows' own recoveries, yarp's fixtures, real dirty hives.
 */

/* Loads a hive and named logs from a corpus directory. */
struct loaded {
	unsigned char	*p;
	size_t		 plen;
	struct replay_log_in in[4];
	unsigned char	*buf[4];
	size_t		 n;
};

static int
load(struct loaded *L, const char *dir, const char *hive,
    const char *const *logs)
{
	char rel[512], p[1024];
	size_t i;

	memset(L, 0, sizeof(*L));
	snprintf(rel, sizeof(rel), "%s/%s", dir, hive);
	if (t_corpus(p, sizeof(p), rel) == NULL)
		return 0;
	L->p = t_read_file(p, &L->plen);
	for (i = 0; logs[i] != NULL && i < 4; i++) {
		snprintf(rel, sizeof(rel), "%s/%s", dir, logs[i]);
		ck_assert_ptr_nonnull(t_corpus(p, sizeof(p), rel));
		L->buf[i] = t_read_file(p, &L->in[i].len);
		L->in[i].data = L->buf[i];
		L->in[i].name = logs[i];
	}
	L->n = i;
	return 1;
}

static void
unload(struct loaded *L)
{
	size_t i;

	for (i = 0; i < L->n; i++)
		free(L->buf[i]);
	free(L->p);
}

static void
assert_same_from_4096(const struct replay_result *r, const char *relref)
{
	unsigned char *ref;
	char p[1024];
	size_t len, i;

	ck_assert_ptr_nonnull(t_corpus(p, sizeof(p), relref));
	ref = t_read_file(p, &len);
	ck_assert_uint_eq(r->len, len);
	for (i = REGF_BASE_BLOCK; i < len; i++)
		if (r->data[i] != ref[i])
			break;
	ck_assert_msg(i == len, "%s: first difference at 0x%zx", relref, i);
	free(ref);
}

#define NDH1	"yarp/hives_for_tests/NewDirtyHive1"

START_TEST(test_new_dirty1_windows)
{
	static const char *const logs[] = { "NewDirtyHive.LOG1",
	    "NewDirtyHive.LOG2", NULL };
	static const char *const rlogs[] = { "NewDirtyHive.LOG2",
	    "NewDirtyHive.LOG1", NULL };
	struct replay_result r, r2;
	struct loaded L, L2;

	if (!load(&L, NDH1, "NewDirtyHive", logs))
		T_SKIP_NO_CORPUS(NDH1);
	ck_assert_int_eq(hive_replay(ctx, "NewDirtyHive", L.p, L.plen, L.in,
	    L.n, &r), OFFMIG_OK);
	ck_assert(r.dirty);
	assert_sealed(&r);
	ck_assert_uint_eq(r.seq1_before, 3);
	ck_assert_uint_eq(r.seq2_before, 2);
	ck_assert_uint_eq(r.seq_after, 5);
	ck_assert_uint_eq(r.entries_applied, 4);
	ck_assert(r.logs[0].applies && r.logs[1].applies);
	ck_assert_uint_eq(r.logs[0].first_seq, 2);
	ck_assert_uint_eq(r.logs[1].first_seq, 3);
	ck_assert_uint_eq(r.logs[1].last_seq, 5);
	/* What Windows 10 itself produced, byte for byte past the base. */
	assert_same_from_4096(&r, NDH1 "/RecoveredHive_Windows10");
	/* The order of the inputs does not matter, only sequence numbers. */
	ck_assert(load(&L2, NDH1, "NewDirtyHive", rlogs));
	ck_assert_int_eq(hive_replay(ctx, "NewDirtyHive", L2.p, L2.plen,
	    L2.in, L2.n, &r2), OFFMIG_OK);
	ck_assert_uint_eq(r2.len, r.len);
	ck_assert_mem_eq(r2.data, r.data, r.len);
	ck_assert_str_eq(r2.logs[0].name, "NewDirtyHive.LOG2");
	replay_result_free(&r);
	replay_result_free(&r2);
	replay_result_free(NULL);
	unload(&L);
	unload(&L2);
}
END_TEST

START_TEST(test_new_dirty2_log1_too_old)
{
	static const char *const logs[] = { "NewDirtyHive.LOG1",
	    "NewDirtyHive.LOG2", NULL };
	struct replay_result r;
	struct loaded L;

	if (!load(&L, "yarp/hives_for_tests/NewDirtyHive2", "NewDirtyHive",
	    logs))
		T_SKIP_NO_CORPUS("yarp/hives_for_tests/NewDirtyHive2");
	ck_assert_int_eq(hive_replay(ctx, "NewDirtyHive", L.p, L.plen, L.in,
	    L.n, &r), OFFMIG_OK);
	assert_sealed(&r);
	ck_assert(!r.logs[0].applies);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "too old"));
	ck_assert(r.logs[1].applies);
	ck_assert_uint_eq(r.logs[1].entries_applied, 3);
	ck_assert_uint_eq(r.seq_after, 5);
	/* The same end state as NewDirtyHive1 (CATALOG: same SHA-256). */
	assert_same_from_4096(&r, NDH1 "/RecoveredHive_Windows10");
	replay_result_free(&r);
	unload(&L);
}
END_TEST

#define ODH	"yarp/hives_for_tests/OldDirtyHive"

START_TEST(test_old_dirty_windows7)
{
	static const char *const logs[] = { "OldDirtyHive.LOG1",
	    "OldDirtyHive.LOG2", NULL };
	struct replay_result r;
	struct hive *a, *b;
	unsigned char *ref;
	struct loaded L;
	size_t rlen, keys, vals, i, diff = 0;
	char p[1024];

	if (!load(&L, ODH, "OldDirtyHive", logs))
		T_SKIP_NO_CORPUS(ODH);
	ck_assert_int_eq(hive_replay(ctx, "OldDirtyHive", L.p, L.plen, L.in,
	    L.n, &r), OFFMIG_OK);
	assert_sealed(&r);
	ck_assert_int_eq(r.logs[0].format, REPLAY_FMT_OLD);
	ck_assert(r.logs[0].applies);
	ck_assert_uint_eq(r.logs[0].pages_applied, 64);
	ck_assert_int_eq(r.logs[1].format, REPLAY_FMT_EMPTY);
	ck_assert_uint_eq(r.seq_after, 5);	/* the primary's seq1 */
	ck_assert(!r.base_from_log);
	/*
	 * Windows 7 refreshed bin 0's timestamp and one nk's largest value
	 * name length when it wrote the hive afterwards: 6 bytes of bins data
	 * differ, so the comparison is by keys and values.
	 */
	ck_assert_ptr_nonnull(t_corpus(p, sizeof(p),
	    ODH "/RecoveredHive_Windows7"));
	ref = t_read_file(p, &rlen);
	ck_assert_uint_eq(rlen, r.len);
	for (i = REGF_BASE_BLOCK; i < rlen; i++)
		diff += ref[i] != r.data[i];
	ck_assert_uint_eq(diff, 6);
	a = open_image(r.data, r.len, "recovered");
	b = open_image(ref, rlen, "RecoveredHive_Windows7");
	same_tree(a, hive_root(a), b, hive_root(b), 0);
	hive_close(a);
	hive_close(b);
	image_counts(r.data, r.len, &keys, &vals);
	ck_assert_uint_eq(keys, 5003);
	ck_assert_uint_eq(vals, 1);
	assert_same_from_4096(&r, "_derived/yarp_recovered/" ODH
	    "/OldDirtyHive.recovered");
	free(ref);
	replay_result_free(&r);
	unload(&L);
}
END_TEST

START_TEST(test_bad_logs)
{
	static const char *const logs[] = { "BadLogHive.LOG1",
	    "BadLogHive.LOG2", NULL };
	static const char *const why[] = { "checksum", "DIRT" };
	char dir[128], p[1024];
	int i;

	for (i = 1; i <= 2; i++) {
		struct replay_result r;
		struct loaded L;

		snprintf(dir, sizeof(dir), "yarp/hives_for_tests/BadLogHive%d",
		    i);
		if (!load(&L, dir, "BadLogHive", logs))
			T_SKIP_NO_CORPUS("yarp/hives_for_tests/BadLogHive*");
		ck_assert_int_eq(hive_replay(ctx, "BadLogHive", L.p, L.plen,
		    L.in, L.n, &r), OFFMIG_OK);
		ck_assert(r.dirty);
		ck_assert(!r.recovered);
		ck_assert_ptr_null(r.data);
		ck_assert(!r.logs[0].base_ok);
		ck_assert_ptr_nonnull(strstr(r.logs[0].note, why[i - 1]));
		ck_assert_ptr_nonnull(strstr(r.note, "no log applies"));
		ck_assert_ptr_nonnull(strstr(r.note, "BadLogHive.LOG1"));
		replay_result_free(&r);
		unload(&L);
	}
	if (t_corpus(p, sizeof(p), "yarp/hives_for_tests/BadLogHive3") ==
	    NULL && t_corpus(p, sizeof(p),
	    "yarp/hives_for_manual_tests/BadLogHive3") == NULL)
		fprintf(stderr, "SKIP: %s: BadLogHive3 is not in the corpus; "
		    "test_synth_both_logs_bad covers its case\n", __func__);
}
END_TEST

#define BBH	"yarp/hives_for_tests/BadBaseBlockHive"

START_TEST(test_bad_base_block)
{
	static const char *const logs[] = { "BadBaseBlockHive.LOG1",
	    "BadBaseBlockHive.LOG2", NULL };
	struct replay_result r;
	struct loaded L;
	size_t keys, vals;

	if (!load(&L, BBH, "BadBaseBlockHive", logs))
		T_SKIP_NO_CORPUS(BBH);
	ck_assert_int_eq(hive_replay(ctx, "BadBaseBlockHive", L.p, L.plen,
	    L.in, L.n, &r), OFFMIG_OK);
	assert_sealed(&r);
	ck_assert(r.base_from_log);
	ck_assert(r.logs[0].applies);
	/* Bin 0's timestamp lags the log's: the relaxed rule, said so. */
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "not older than"));
	image_counts(r.data, r.len, &keys, &vals);
	ck_assert_uint_eq(keys, 5003);
	ck_assert_uint_eq(vals, 1);
	assert_same_from_4096(&r, "_derived/yarp_recovered/" BBH
	    "/BadBaseBlockHive.recovered");
	replay_result_free(&r);
	unload(&L);
}
END_TEST

/* CATALOG "Dirty hives and log replay": real hives and yarp's results. */
static const struct real_case {
	const char	*dir;
	const char	*hive;
	const char	*applied[2];	/* in application order */
	uint32_t	 last;
	size_t		 keys, vals;
} real_cases[] = {
	{ "museum/Amcache/Win10/APTSimulatorVM", "Amcache.hve",
	    { "Amcache.hve.LOG1", "Amcache.hve.LOG2" }, 39, 471, 10961 },
	{ "museum/Amcache/Win10/RathbunVM", "Amcache.hve",
	    { "Amcache.hve.LOG1", "Amcache.hve.LOG2" }, 81, 972, 18956 },
	{ "museum/Registry/Win10/RathbunVM", "BBI",
	    { "BBI.LOG2", "BBI.LOG1" }, 61, 284, 1964 },
	{ "museum/Registry/Win10/RathbunVM", "DEFAULT",
	    { "DEFAULT.LOG1", "DEFAULT.LOG2" }, 110, 354, 1325 },
	{ "museum/Registry/Win10/RathbunVM/LocalService", "NTUSER.DAT",
	    { "NTUSER.DAT.LOG2", "NTUSER.DAT.LOG1" }, 38, 613, 973 },
	{ "museum/Registry/Win10/RathbunVM", "NTUSER.DAT",
	    { "ntuser.dat.LOG1", "ntuser.dat.LOG2" }, 232, 3182, 5072 },
	{ "museum/Registry/Win10/RathbunVM/NetworkService", "NTUSER.DAT",
	    { "NTUSER.DAT.LOG1", "NTUSER.DAT.LOG2" }, 436, 654, 1005 },
	{ "museum/Registry/Win10/RathbunVM", "SECURITY",
	    { "SECURITY.LOG1", NULL }, 110, 100, 109 },
	{ "museum/Registry/Win10/RathbunVM", "UsrClass.dat",
	    { "UsrClass.dat.LOG1", "UsrClass.dat.LOG2" }, 151, 6392, 12988 },
	{ "regipy", "SYSTEM_B",
	    { "SYSTEM_B.LOG1", "SYSTEM_B.LOG2" }, 2130, 35595, 78901 },
	{ "regipy", "UsrClass.dat",
	    { "UsrClass.dat.LOG1", "UsrClass.dat.LOG2" }, 300, 6238, 12531 },
};

START_TEST(test_real_dirty)
{
	const struct real_case *c = &real_cases[_i];
	struct replay_result r;
	char rel[512], p[1024];
	size_t keys, vals, i, napplied = 0;
	uint32_t prev = 0;
	int dfd;

	snprintf(rel, sizeof(rel), "%s/%s", c->dir, c->hive);
	if (t_corpus(p, sizeof(p), c->dir) == NULL ||
	    t_corpus(p, sizeof(p), rel) == NULL)
		T_SKIP("corpus hive is absent");
	ck_assert_ptr_nonnull(t_corpus(p, sizeof(p), c->dir));
	ck_assert_int_ge(dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0);
	/* Through the directory: logs found case-insensitively. */
	ck_assert_msg(hive_replay_dir(ctx, dfd, p, c->hive, &r) == OFFMIG_OK,
	    "%s", offmig_errmsg(ctx));
	close(dfd);
	ck_assert(r.dirty);
	assert_sealed(&r);
	ck_assert_uint_eq(r.seq_after, c->last);
	for (i = 0; i < r.nlogs; i++) {
		const struct replay_log *l = &r.logs[i];
		int want = (c->applied[0] != NULL &&
		    strcmp(l->name, c->applied[0]) == 0) ||
		    (c->applied[1] != NULL &&
		    strcmp(l->name, c->applied[1]) == 0);

		ck_assert_msg(l->applies == want, "%s: %s applies=%d (%s)",
		    rel, l->name, l->applies, l->note);
		napplied += l->applies;
	}
	ck_assert_uint_eq(napplied, c->applied[1] != NULL ? 2 : 1);
	/* Application order = order of their sequence numbers. */
	for (i = 0; i < 2 && c->applied[i] != NULL; i++) {
		size_t j;

		for (j = 0; j < r.nlogs; j++)
			if (strcmp(r.logs[j].name, c->applied[i]) == 0)
				break;
		ck_assert_uint_lt(j, r.nlogs);
		if (i > 0)
			ck_assert_uint_eq(r.logs[j].first_seq, prev + 1);
		prev = r.logs[j].first_seq + (uint32_t)
		    r.logs[j].entries_applied - 1;
	}
	ck_assert_uint_eq(prev, c->last);
	image_counts(r.data, r.len, &keys, &vals);
	ck_assert_msg(keys == c->keys && vals == c->vals, "%s: %zu/%zu keys/"
	    "values, expected %zu/%zu", rel, keys, vals, c->keys, c->vals);
	snprintf(rel, sizeof(rel), "_derived/yarp_recovered/%s/%s.recovered",
	    c->dir, c->hive);
	assert_same_from_4096(&r, rel);
	replay_result_free(&r);
}
END_TEST

START_TEST(test_clean_real_hive_untouched)
{
	static const char *const logs[] = { "NTUSER.DAT.LOG1",
	    "NTUSER.DAT.LOG2", NULL };
	struct replay_result r;
	struct loaded L;

	if (!load(&L, "museum/Registry/Win10/RathbunVM/DEFAULT_NTUSER",
	    "NTUSER.DAT", logs))
		T_SKIP_NO_CORPUS("museum/.../DEFAULT_NTUSER/NTUSER.DAT");
	ck_assert_int_eq(hive_replay(ctx, "NTUSER.DAT", L.p, L.plen, L.in,
	    L.n, &r), OFFMIG_OK);
	ck_assert(!r.dirty);
	ck_assert(!r.recovered);
	ck_assert_ptr_null(r.data);
	ck_assert_uint_eq(r.logs[0].entries, 1);
	ck_assert(!r.logs[0].applies && !r.logs[1].applies);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "clean"));
	replay_result_free(&r);
	unload(&L);
}
END_TEST

/*
 * synthetic: images built here, logs from logwrite.c.
 */

/*
 * A raw image of nbins 4 KiB bins: valid base block (seq s/s), each bin a
 * header and a free cell filled with a pattern.  Not a complete hive (no
 * root key); replay does not need one.
 */
static unsigned char *
mkimg(size_t nbins, uint32_t seq, size_t *lenp)
{
	size_t len = REGF_BASE_BLOCK + nbins * 4096, i, j;
	unsigned char *p;

	ck_assert_ptr_nonnull(p = calloc(1, len));
	memcpy(p, "regf", 4);
	put_le32(p + 0x0C, 0x11223344);
	put_le32(p + 0x10, 0x01D00000);
	put_le32(p + 0x14, 1);
	put_le32(p + 0x18, 5);
	put_le32(p + 0x20, 1);
	put_le32(p + 0x24, 0x20);
	put_le32(p + 0x28, (uint32_t)(nbins * 4096));
	put_le32(p + 0x2C, 1);
	regf_set_sequences(p, seq, seq);
	for (i = 0; i < nbins; i++) {
		unsigned char *b = p + REGF_BASE_BLOCK + i * 4096;

		memcpy(b, "hbin", 4);
		put_le32(b + 4, (uint32_t)(i * 4096));
		put_le32(b + 8, 4096);
		put_le32(b + 32, 4096 - 32);
		for (j = 36; j < 4096; j++)
			b[j] = (unsigned char)(i * 7 + j);
	}
	*lenp = len;
	return p;
}

static unsigned char *
dup_img(const unsigned char *p, size_t len)
{
	unsigned char *q;

	ck_assert_ptr_nonnull(q = malloc(len));
	memcpy(q, p, len);
	return q;
}

/* Changes bytes in the middle of bin b (its header untouched). */
static void
scribble(unsigned char *img, size_t b, unsigned char v)
{
	memset(img + REGF_BASE_BLOCK + b * 4096 + 100, v, 300);
}

static const unsigned char *
bin(const unsigned char *img, size_t b)
{
	return img + REGF_BASE_BLOCK + b * 4096;
}

/* Offset of the k-th (0-based) HvLE entry of a log. */
static size_t
entry_at(const unsigned char *log, size_t len, size_t k)
{
	size_t pos = 512;

	while (k-- > 0) {
		ck_assert_uint_le(pos + 40, len);
		pos += le32(log + pos + 4);
	}
	ck_assert_uint_le(pos + 40, len);
	ck_assert_mem_eq(log + pos, "HvLE", 4);
	return pos;
}

/* old, new (bins 1, 4, 6 changed), a 3-entry log from seq 10. */
struct synth {
	unsigned char	*old, *new, *log;
	size_t		 len, loglen;
};

static void
synth_make(struct synth *s, size_t nentries)
{
	s->old = mkimg(8, 9, &s->len);
	s->new = dup_img(s->old, s->len);
	scribble(s->new, 1, 0xA1);
	scribble(s->new, 4, 0xA4);
	scribble(s->new, 6, 0xA6);
	ck_assert_int_eq(replay_write_new_log(ctx, s->old, s->len, s->new,
	    s->len, 10, nentries, &s->log, &s->loglen), OFFMIG_OK);
	/* Windows started writing seq 10 and did not finish. */
	regf_set_sequences(s->old, 10, 9);
}

static void
synth_free(struct synth *s)
{
	free(s->old);
	free(s->new);
	free(s->log);
}

static int
replay1(const struct synth *s, const unsigned char *log, size_t loglen,
    struct replay_result *r)
{
	struct replay_log_in in = { "x.LOG1", log, loglen };

	return hive_replay(ctx, "x", s->old, s->len, &in, 1, r);
}

START_TEST(test_synth_roundtrip)
{
	struct replay_result r;
	struct synth s;

	synth_make(&s, 3);
	ck_assert_int_eq(replay1(&s, s.log, s.loglen, &r), OFFMIG_OK);
	assert_sealed(&r);
	ck_assert_uint_eq(r.seq_after, 12);
	ck_assert_uint_eq(r.entries_applied, 3);
	ck_assert_uint_eq(r.logs[0].entries, 3);
	ck_assert_uint_eq(r.logs[0].first_seq, 10);
	ck_assert_uint_eq(r.logs[0].last_seq, 12);
	ck_assert(!r.grew);
	ck_assert_uint_eq(r.len, s.len);
	ck_assert_mem_eq(r.data + REGF_BASE_BLOCK, s.new + REGF_BASE_BLOCK,
	    s.len - REGF_BASE_BLOCK);
	replay_result_free(&r);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_hash_mismatch)
{
	struct replay_result r;
	struct synth s;
	size_t e2;

	synth_make(&s, 3);
	e2 = entry_at(s.log, s.loglen, 1);
	s.log[e2 + 600] ^= 0x40;	/* page data of entry 2 */
	ck_assert_int_eq(replay1(&s, s.log, s.loglen, &r), OFFMIG_OK);
	assert_sealed(&r);
	ck_assert_uint_eq(r.entries_applied, 1);
	ck_assert_uint_eq(r.seq_after, 10);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "entry 2"));
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "hash mismatch"));
	/* Entry 1 (bin 1) applied; entries 2 and 3 (bins 4, 6) not. */
	ck_assert_mem_eq(bin(r.data, 1), bin(s.new, 1), 4096);
	ck_assert_mem_eq(bin(r.data, 4), bin(s.old, 4), 4096);
	ck_assert_mem_eq(bin(r.data, 6), bin(s.old, 6), 4096);
	replay_result_free(&r);
	/* A flip in the header (Hash-2's input) stops it the same way. */
	s.log[e2 + 600] ^= 0x40;
	s.log[e2 + 8] ^= 0x01;
	ck_assert_int_eq(replay1(&s, s.log, s.loglen, &r), OFFMIG_OK);
	ck_assert_uint_eq(r.entries_applied, 1);
	replay_result_free(&r);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_sequence_gap)
{
	struct replay_result r;
	struct synth s;
	size_t e2;

	synth_make(&s, 3);
	e2 = entry_at(s.log, s.loglen, 1);
	put_le32(s.log + e2 + 12, 12);	/* 10, 12, 12 */
	ck_assert_int_eq(replay_rehash_entry(s.log, s.loglen, e2), 0);
	ck_assert_int_eq(replay1(&s, s.log, s.loglen, &r), OFFMIG_OK);
	assert_sealed(&r);
	ck_assert_uint_eq(r.entries_applied, 1);
	ck_assert_uint_eq(r.seq_after, 10);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note,
	    "sequence 12, expected 11"));
	replay_result_free(&r);
	/* A first entry that is not the base block's sequence: nothing. */
	put_le32(s.log + 4, 11);
	put_le32(s.log + 8, 11);
	put_le32(s.log + 0x1FC, regf_checksum(s.log));
	ck_assert_int_eq(replay1(&s, s.log, s.loglen, &r), OFFMIG_OK);
	ck_assert(!r.recovered);
	ck_assert_ptr_null(r.data);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "expected 11"));
	replay_result_free(&r);
	replay_result_free(&r);		/* twice is harmless */
	synth_free(&s);
}
END_TEST

/* Two logs: old -> mid at seq a, mid -> new at a+1, a+2. */
static void
two_logs(uint32_t a, int bad_primary, int swap)
{
	unsigned char *old, *mid, *new, *l1, *l2;
	struct replay_log_in in[2];
	struct replay_result r;
	size_t len, n1, n2;

	old = mkimg(6, a - 1, &len);
	mid = dup_img(old, len);
	scribble(mid, 2, 0xB2);
	new = dup_img(mid, len);
	scribble(new, 3, 0xB3);
	scribble(new, 5, 0xB5);
	ck_assert_int_eq(replay_write_new_log(ctx, old, len, mid, len, a, 1,
	    &l1, &n1), OFFMIG_OK);
	ck_assert_int_eq(replay_write_new_log(ctx, mid, len, new, len, a + 1,
	    2, &l2, &n2), OFFMIG_OK);
	regf_set_sequences(old, a, a - 1);
	if (bad_primary)
		old[0x1FC] ^= 0xFF;
	in[swap ? 1 : 0] = (struct replay_log_in){ "h.LOG1", l1, n1 };
	in[swap ? 0 : 1] = (struct replay_log_in){ "h.LOG2", l2, n2 };
	ck_assert_int_eq(hive_replay(ctx, "h", old, len, in, 2, &r),
	    OFFMIG_OK);
	assert_sealed(&r);
	ck_assert_uint_eq(r.seq_after, a + 2);
	if (!bad_primary) {
		ck_assert(!r.base_from_log);
		ck_assert_uint_eq(r.entries_applied, 3);
		ck_assert_mem_eq(r.data + REGF_BASE_BLOCK,
		    new + REGF_BASE_BLOCK, len - REGF_BASE_BLOCK);
	} else {
		/* Only the log with the latest entries, with its base. */
		const struct replay_log *o1 = &r.logs[swap ? 1 : 0];
		const struct replay_log *o2 = &r.logs[swap ? 0 : 1];

		ck_assert(r.base_from_log);
		ck_assert(!o1->applies);
		ck_assert_ptr_nonnull(strstr(o1->note, "h.LOG2"));
		ck_assert(o2->applies);
		ck_assert_uint_eq(r.entries_applied, 2);
		ck_assert_mem_eq(bin(r.data, 3), bin(new, 3), 4096);
		ck_assert_mem_eq(bin(r.data, 5), bin(new, 5), 4096);
		ck_assert_mem_eq(bin(r.data, 2), bin(old, 2), 4096);
	}
	replay_result_free(&r);
	free(old);
	free(mid);
	free(new);
	free(l1);
	free(l2);
}

START_TEST(test_synth_two_logs_any_order)
{
	two_logs(10, 0, 0);
	two_logs(10, 0, 1);
	/* Sequence numbers wrapping at 2^32: serial arithmetic. */
	two_logs(0xFFFFFFFFU, 0, 0);
	two_logs(0xFFFFFFFFU, 0, 1);
	two_logs(0xFFFFFFFEU, 0, 1);
}
END_TEST

START_TEST(test_synth_bad_primary_checksum)
{
	two_logs(10, 1, 0);
	two_logs(10, 1, 1);
	two_logs(0xFFFFFFFFU, 1, 1);
}
END_TEST

START_TEST(test_synth_not_a_hive)
{
	struct replay_result r;
	struct synth s;

	synth_make(&s, 2);
	/* The base block wiped: the log's stands in. */
	memset(s.old, 0, 512);
	ck_assert_int_eq(replay1(&s, s.log, s.loglen, &r), OFFMIG_OK);
	assert_sealed(&r);
	ck_assert(r.base_from_log);
	ck_assert_mem_eq(r.data + REGF_BASE_BLOCK, s.new + REGF_BASE_BLOCK,
	    s.len - REGF_BASE_BLOCK);
	replay_result_free(&r);
	/* No log either: not a hive, ECORRUPT naming it. */
	ck_assert_int_eq(hive_replay(ctx, "zeros.hiv", s.old, s.len, NULL, 0,
	    &r), OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "zeros.hiv"));
	ck_assert_ptr_null(r.data);
	replay_result_free(&r);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_both_logs_bad)
{
	struct replay_log_in in[2];
	struct replay_result r;
	struct synth s;
	unsigned char *l2;

	/* BadLogHive3's case: both new-format logs' base blocks are bad. */
	synth_make(&s, 2);
	l2 = dup_img(s.log, s.loglen);
	s.log[0x1FC] ^= 1;
	l2[0x30] ^= 1;
	in[0] = (struct replay_log_in){ "b.LOG1", s.log, s.loglen };
	in[1] = (struct replay_log_in){ "b.LOG2", l2, s.loglen };
	ck_assert_int_eq(hive_replay(ctx, "b", s.old, s.len, in, 2, &r),
	    OFFMIG_OK);
	ck_assert(r.dirty && !r.recovered);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "checksum"));
	ck_assert_ptr_nonnull(strstr(r.logs[1].note, "checksum"));
	ck_assert_ptr_nonnull(strstr(r.note, "b.LOG2"));
	replay_result_free(&r);
	free(l2);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_clean_with_newer_entries)
{
	struct replay_result r;
	struct synth s;

	synth_make(&s, 3);
	regf_set_sequences(s.old, 10, 10);
	ck_assert_int_eq(replay1(&s, s.log, s.loglen, &r), OFFMIG_OK);
	ck_assert(!r.dirty);
	ck_assert(!r.recovered);
	ck_assert_ptr_null(r.data);
	ck_assert_uint_eq(r.logs[0].entries, 3);
	ck_assert(!r.logs[0].applies);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "newer"));
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "10..12"));
	replay_result_free(&r);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_truncated_and_empty)
{
	struct replay_log_in in[2];
	struct replay_result r;
	struct synth s;
	size_t e2;

	synth_make(&s, 3);
	e2 = entry_at(s.log, s.loglen, 1);
	/* Cut in the middle of entry 2: entry 1 only. */
	ck_assert_int_eq(replay1(&s, s.log, e2 + 1000, &r), OFFMIG_OK);
	assert_sealed(&r);
	ck_assert_uint_eq(r.entries_applied, 1);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "entry 2"));
	replay_result_free(&r);
	/* Shorter than a base block. */
	ck_assert_int_eq(replay1(&s, s.log, 300, &r), OFFMIG_OK);
	ck_assert(!r.recovered);
	ck_assert_int_eq(r.logs[0].format, REPLAY_FMT_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "too short"));
	replay_result_free(&r);
	/* Two 0-byte logs, as Windows leaves them. */
	in[0] = (struct replay_log_in){ "e.LOG1", NULL, 0 };
	in[1] = (struct replay_log_in){ "e.LOG2", s.log, 0 };
	ck_assert_int_eq(hive_replay(ctx, "e", s.old, s.len, in, 2, &r),
	    OFFMIG_OK);
	ck_assert(r.dirty && !r.recovered);
	ck_assert_int_eq(r.logs[0].format, REPLAY_FMT_EMPTY);
	ck_assert_int_eq(r.logs[1].format, REPLAY_FMT_EMPTY);
	ck_assert_ptr_nonnull(strstr(r.note, "no log applies"));
	replay_result_free(&r);
	ck_assert_int_eq(hive_replay(ctx, "e", s.old, s.len, NULL, 0, &r),
	    OFFMIG_OK);
	ck_assert(r.dirty && !r.recovered);
	ck_assert_ptr_nonnull(strstr(r.note, "no logs"));
	replay_result_free(&r);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_growth_refused)
{
	struct replay_result r;
	struct synth s;
	size_t e1;

	/* One page cannot justify a 1 GiB hive: the chain ends there. */
	synth_make(&s, 1);
	e1 = entry_at(s.log, s.loglen, 0);
	put_le32(s.log + e1 + 16, 0x40000000);
	ck_assert_int_eq(replay_rehash_entry(s.log, s.loglen, e1), 0);
	ck_assert_int_eq(replay1(&s, s.log, s.loglen, &r), OFFMIG_OK);
	ck_assert(!r.recovered);
	ck_assert_ptr_null(r.data);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "can fill"));
	replay_result_free(&r);
	/* Not a multiple of 4096: the entry is invalid. */
	put_le32(s.log + e1 + 16, 8192 + 512);
	ck_assert_int_eq(replay_rehash_entry(s.log, s.loglen, e1), 0);
	ck_assert_int_eq(replay1(&s, s.log, s.loglen, &r), OFFMIG_OK);
	ck_assert(!r.recovered);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "hive bins size"));
	replay_result_free(&r);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_dummy_bin)
{
	struct replay_result r;
	struct synth s;

	synth_make(&s, 1);
	free(s.log);
	/* The logged bin 4 has a broken header: Windows puts a dummy. */
	memcpy(s.new + REGF_BASE_BLOCK + 4 * 4096, "hbxx", 4);
	regf_set_sequences(s.old, 9, 9);
	ck_assert_int_eq(replay_write_new_log(ctx, s.old, s.len, s.new,
	    s.len, 10, 1, &s.log, &s.loglen), OFFMIG_OK);
	regf_set_sequences(s.old, 10, 9);
	ck_assert_int_eq(replay1(&s, s.log, s.loglen, &r), OFFMIG_OK);
	assert_sealed(&r);
	ck_assert_uint_eq(r.dummy_bins, 1);
	ck_assert_mem_eq(bin(r.data, 4), "hbin", 4);
	ck_assert_uint_eq(le32(bin(r.data, 4) + 4), 4 * 4096);
	ck_assert_uint_eq(le32(bin(r.data, 4) + 8), 4096);
	ck_assert_uint_eq(le32(bin(r.data, 4) + 32), 4096 - 32);
	ck_assert_mem_eq(bin(r.data, 6), bin(s.new, 6), 4096);
	replay_result_free(&r);
	synth_free(&s);
}
END_TEST

START_TEST(test_synth_old_large_bitmap)
{
	unsigned char *old, *new, *log;
	struct replay_log_in in;
	struct replay_result r;
	size_t len, loglen, nbins = 600;

	/* 600 bins: a 600-byte bitmap, so the pages start at 1536. */
	old = mkimg(nbins, 7, &len);
	new = dup_img(old, len);
	scribble(new, 5, 0xC5);
	scribble(new, 550, 0xC6);
	scribble(new, 599, 0xC7);
	ck_assert_int_eq(replay_write_old_log(ctx, old, len, new, len, 7,
	    le64(old + 0x0C), &log, &loglen), OFFMIG_OK);
	ck_assert_uint_eq(loglen, 1536 + 3 * 4096);
	ck_assert_mem_eq(log + 512, "DIRT", 4);
	ck_assert_mem_eq(log + 1536, bin(new, 5), 4096);
	regf_set_sequences(old, 7, 6);
	in = (struct replay_log_in){ "o.LOG", log, loglen };
	ck_assert_int_eq(hive_replay(ctx, "o", old, len, &in, 1, &r),
	    OFFMIG_OK);
	assert_sealed(&r);
	ck_assert_uint_eq(r.seq_after, 7);
	ck_assert_uint_eq(r.logs[0].pages_applied, 24);
	ck_assert_mem_eq(r.data + REGF_BASE_BLOCK, new + REGF_BASE_BLOCK,
	    len - REGF_BASE_BLOCK);
	replay_result_free(&r);
	/* Another timestamp: not this hive's log. */
	put_le32(log + 0x0C, 0x55);
	put_le32(log + 0x1FC, regf_checksum(log));
	ck_assert_int_eq(hive_replay(ctx, "o", old, len, &in, 1, &r),
	    OFFMIG_OK);
	ck_assert(!r.recovered);
	ck_assert_ptr_nonnull(strstr(r.logs[0].note, "timestamp"));
	replay_result_free(&r);
	free(log);
	/* A dirty bin with a bad header stops recovery there. */
	memcpy(new + REGF_BASE_BLOCK + 550 * 4096, "hbxx", 4);
	ck_assert_int_eq(replay_write_old_log(ctx, old, len, new, len, 7,
	    le64(old + 0x0C), &log, &loglen), OFFMIG_OK);
	in = (struct replay_log_in){ "o.LOG", log, loglen };
	ck_assert_int_eq(hive_replay(ctx, "o", old, len, &in, 1, &r),
	    OFFMIG_OK);
	assert_sealed(&r);
	ck_assert_uint_eq(r.pages_applied, 8);
	ck_assert_mem_eq(bin(r.data, 5), bin(new, 5), 4096);
	ck_assert_mem_eq(bin(r.data, 550), bin(old, 550), 4096);
	ck_assert_mem_eq(bin(r.data, 599), bin(old, 599), 4096);
	ck_assert_ptr_nonnull(strstr(r.note, "invalid header"));
	replay_result_free(&r);
	free(log);
	free(old);
	free(new);
}
END_TEST

/* Real hives from hivex: growth, and the result opens with new keys. */
START_TEST(test_synth_growth_real_hive)
{
	char a[512], b[512], d[512];
	struct hive_builder *hb;
	unsigned char *pa, *pb, *log;
	struct replay_log_in in;
	struct replay_result r;
	struct hive *h;
	size_t la, lb, loglen, i, keys, vals;
	hnode k;
	char line[160];
	int dfd;

	snprintf(a, sizeof(a), "%s/g.hiv", tmpdir);
	snprintf(b, sizeof(b), "%s/big.hiv", tmpdir);
	ck_assert_int_eq(hive_create_empty(ctx, a, "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_create_empty(ctx, b, "ROOT"), OFFMIG_OK);
	ck_assert_int_eq(hive_builder_open(ctx, b, &hb), OFFMIG_OK);
	for (i = 0; i < 300; i++) {
		snprintf(line, sizeof(line), "[Grown\\Key%03zu]\n\"v\"=\"value "
		    "number %zu with some length to it\"\n", i, i);
		ck_assert_int_eq(hive_builder_apply_reg(hb, line, strlen(line),
		    "g.reg"), OFFMIG_OK);
	}
	ck_assert_int_eq(hive_builder_commit(hb), OFFMIG_OK);
	pa = t_read_file(a, &la);
	pb = t_read_file(b, &lb);
	ck_assert_uint_gt(le32(pb + 0x28), le32(pa + 0x28));
	ck_assert_int_eq(replay_write_new_log(ctx, pa, la, pb, lb, 5, 2,
	    &log, &loglen), OFFMIG_OK);
	regf_set_sequences(pa, 5, 4);
	in = (struct replay_log_in){ "g.hiv.LOG1", log, loglen };
	ck_assert_int_eq(hive_replay(ctx, "g.hiv", pa, la, &in, 1, &r),
	    OFFMIG_OK);
	assert_sealed(&r);
	ck_assert(r.grew);
	ck_assert_uint_eq(le32(r.data + 0x28), le32(pb + 0x28));
	ck_assert_mem_eq(r.data + REGF_BASE_BLOCK, pb + REGF_BASE_BLOCK,
	    REGF_BASE_BLOCK + le32(pb + 0x28) - REGF_BASE_BLOCK);
	h = open_image(r.data, r.len, "grown");
	ck_assert_int_eq(hive_lookup(ctx, h, 0, "grown\\KEY299", &k),
	    OFFMIG_OK);
	hive_close(h);
	image_counts(r.data, r.len, &keys, &vals);
	ck_assert_uint_eq(keys, 302);
	ck_assert_uint_eq(vals, 300);
	replay_result_free(&r);
	/* The same through a directory, logs named in another case. */
	t_write_file(a, pa, la);
	snprintf(d, sizeof(d), "%s/G.HIV.log1", tmpdir);
	t_write_file(d, log, loglen);
	ck_assert_int_ge(dfd = open(tmpdir, O_RDONLY | O_DIRECTORY), 0);
	ck_assert_int_eq(hive_replay_dir(ctx, dfd, tmpdir, "g.hiv", &r),
	    OFFMIG_OK);
	assert_sealed(&r);
	ck_assert_uint_eq(r.nlogs, 1);
	ck_assert_str_eq(r.logs[0].name, "G.HIV.log1");
	replay_result_free(&r);
	ck_assert_int_eq(hive_replay_dir(ctx, dfd, tmpdir, "none.hiv", &r),
	    OFFMIG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "none.hiv"));
	close(dfd);
	free(pa);
	free(pb);
	free(log);
}
END_TEST

/*
 * sweep: bit flips in real logs (base blocks, entry headers, a stride of
 * other bytes) and primaries; every replay must end cleanly.
 */

static const char *const sweep_hives[] = {
	"yarp/hives_for_tests/NewDirtyHive1/NewDirtyHive",
	"yarp/hives_for_tests/NewDirtyHive2/NewDirtyHive",
	"yarp/hives_for_tests/OldDirtyHive/OldDirtyHive",
	"yarp/hives_for_tests/BadBaseBlockHive/BadBaseBlockHive",
	"yarp/hives_for_tests/BadLogHive1/BadLogHive",
	"yarp/hives_for_tests/BadLogHive2/BadLogHive",
	"museum/Amcache/Win10/APTSimulatorVM/Amcache.hve",
	"museum/Amcache/Win10/RathbunVM/Amcache.hve",
	"museum/Registry/Win10/RathbunVM/BBI",
	"museum/Registry/Win10/RathbunVM/DEFAULT",
	"museum/Registry/Win10/RathbunVM/DEFAULT_NTUSER/NTUSER.DAT",
	"museum/Registry/Win10/RathbunVM/LocalService/NTUSER.DAT",
	"museum/Registry/Win10/RathbunVM/NTUSER.DAT",
	"museum/Registry/Win10/RathbunVM/NetworkService/NTUSER.DAT",
	"museum/Registry/Win10/RathbunVM/SECURITY",
	"museum/Registry/Win10/RathbunVM/UsrClass.dat",
	"regipy/SYSTEM_B",
	"regipy/UsrClass.dat",
};

static void
sweep_check(const unsigned char *p, size_t plen,
    const struct replay_log_in *in, size_t n)
{
	struct replay_result r;
	int ret;

	ret = hive_replay(ctx, "sweep", p, plen, in, n, &r);
	ck_assert_msg(ret == OFFMIG_OK || ret == OFFMIG_ECORRUPT, "%d", ret);
	if (r.recovered)
		assert_sealed(&r);
	else
		ck_assert_ptr_null(r.data);
	replay_result_free(&r);
}

static void
flip(unsigned char *b, size_t len, size_t off, int bit,
    const unsigned char *p, size_t plen, const struct replay_log_in *in,
    size_t n)
{
	if (off >= len)
		return;
	b[off] ^= (unsigned char)(1u << bit);
	sweep_check(p, plen, in, n);
	b[off] ^= (unsigned char)(1u << bit);
}

START_TEST(test_bitflip_sweep)
{
	static const size_t bb[] = { 0, 4, 8, 12, 19, 28, 40, 41, 44, 144, 508,
	    511, 512, 515, 516, 600 };
	const char *rel = sweep_hives[_i];
	struct replay_log_in in[3];
	unsigned char *p, *buf[3];
	char path[1024], lp[1100];
	const char *sfx[] = { ".LOG1", ".LOG2", ".LOG" };
	size_t plen, n = 0, i, j, k, done = 0;
	struct timespec t0, t1;

	if (t_corpus(path, sizeof(path), rel) == NULL)
		T_SKIP("corpus hive is absent");
	p = t_read_file(path, &plen);
	for (i = 0; i < 3; i++) {
		struct stat st;
		char *slash = strrchr(path, '/');

		snprintf(lp, sizeof(lp), "%s%s", path, sfx[i]);
		if (stat(lp, &st) != 0 && strcmp(slash + 1, "NTUSER.DAT") ==
		    0) {
			/* RathbunVM's ntuser.dat.LOG1 beside NTUSER.DAT. */
			snprintf(lp, sizeof(lp), "%.*s/ntuser.dat%s",
			    (int)(slash - path), path, sfx[i]);
		}
		if (stat(lp, &st) != 0)
			continue;
		buf[n] = t_read_file(lp, &in[n].len);
		in[n].data = buf[n];
		in[n].name = sfx[i];
		n++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sweep_check(p, plen, in, n);
	for (i = 0; i < n; i++) {
		unsigned char *b = buf[i];
		size_t len = in[i].len, pos = 512, stride;

		for (j = 0; j < sizeof(bb) / sizeof(bb[0]); j++, done++)
			flip(b, len, bb[j], (int)(j % 8), p, plen, in, n);
		/* Headers of the first entries. */
		for (k = 0; k < 4 && pos + 40 <= len &&
		    memcmp(b + pos, "HvLE", 4) == 0; k++) {
			for (j = 0; j < 40; j += 3, done++)
				flip(b, len, pos + j, (int)((j + k) % 8), p,
				    plen, in, n);
			if (le32(b + pos + 4) < 512)
				break;
			pos += le32(b + pos + 4);
		}
		/* A stride over the rest, within the time budget. */
		stride = len / 24 + 1;
		for (j = 700; j < len; j += stride, done++) {
			flip(b, len, j, (int)(j % 8), p, plen, in, n);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (t1.tv_sec - t0.tv_sec > 6)
				break;
		}
	}
	/* The primary's base block: sequence numbers, size, checksum. */
	for (j = 0; j < 5; j++, done++) {
		static const size_t po[] = { 4, 8, 28, 40, 508 };

		p[po[j]] ^= 1;
		sweep_check(p, plen, in, n);
		p[po[j]] ^= 1;
	}
	fprintf(stderr, "sweep: %s: %zu flips over %zu logs\n", rel, done, n);
	for (i = 0; i < n; i++)
		free(buf[i]);
	free(p);
}
END_TEST

static Suite *
replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc;

	tc = tcase_create("marvin");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_marvin_vectors);
	tcase_add_test(tc, test_marvin_windows_logs);
	suite_add_tcase(s, tc);

	tc = tcase_create("synthetic");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_synth_roundtrip);
	tcase_add_test(tc, test_synth_hash_mismatch);
	tcase_add_test(tc, test_synth_sequence_gap);
	tcase_add_test(tc, test_synth_two_logs_any_order);
	tcase_add_test(tc, test_synth_bad_primary_checksum);
	tcase_add_test(tc, test_synth_not_a_hive);
	tcase_add_test(tc, test_synth_both_logs_bad);
	tcase_add_test(tc, test_synth_clean_with_newer_entries);
	tcase_add_test(tc, test_synth_truncated_and_empty);
	tcase_add_test(tc, test_synth_growth_refused);
	tcase_add_test(tc, test_synth_dummy_bin);
	tcase_add_test(tc, test_synth_old_large_bitmap);
	tcase_add_test(tc, test_synth_growth_real_hive);
	suite_add_tcase(s, tc);

	tc = tcase_create("corpus");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_new_dirty1_windows);
	tcase_add_test(tc, test_new_dirty2_log1_too_old);
	tcase_add_test(tc, test_old_dirty_windows7);
	tcase_add_test(tc, test_bad_logs);
	tcase_add_test(tc, test_bad_base_block);
	tcase_add_test(tc, test_clean_real_hive_untouched);
	tcase_add_loop_test(tc, test_real_dirty, 0,
	    (int)(sizeof(real_cases) / sizeof(real_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("sweep");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_bitflip_sweep, 0,
	    (int)(sizeof(sweep_hives) / sizeof(sweep_hives[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(replay_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
