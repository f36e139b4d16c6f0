/*
 * check_sweep.c - a bit-flip sweep over every hive and log of the corpus:
 * each file that starts with "regf" (primaries and logs alike) is damaged
 * one bit at a time at fixed places (all over the base block, the first
 * bin and cells, then a stride through the rest) and handed to every
 * parser that takes a hive's bytes: the structural check, log replay (as a
 * primary, and as the log of a small dirty hive) and opening through hivex.
 * Nothing may crash, hang or leak (the suite runs under ASan and UBSan in
 * CI); the results must be coherent: a replay either seals a hive or gives
 * no data.  Skips visibly when the corpus is absent.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/hivecheck.h"
#include "hive/replay.h"
#include "testutil.h"

/* The largest hive of the corpus is 16 MB; past 4 MB fewer flips. */
#define MAX_FILE	(32UL * 1024 * 1024)
#define BIG_FILE	(4UL * 1024 * 1024)
/* Flips per file: in the base block, then spread over the file. */
#define FLIPS_HEAD	24
#define FLIPS_REST	24

static struct offmig_ctx *ctx;
static size_t nfiles, nflips;

/* Positions to damage: the base block's fields, bin 0, then a stride. */
static size_t
flip_at(size_t k, size_t len, size_t nrest)
{
	static const size_t head[FLIPS_HEAD] = {
		0, 4, 8, 12, 20, 24, 28, 32, 36, 40, 44, 0x1FC, 0x1FD,
		512, 516, 520, 524, 528, 532, 536, 4096, 4100, 4104, 4128
	};

	if (k < FLIPS_HEAD)
		return head[k] < len ? head[k] : len - 1;
	k -= FLIPS_HEAD;
	if (len <= 4096)
		return (k * 37) % len;
	/* The middle of each of nrest equal slices past the base block. */
	return 4096 + (size_t)((uint64_t)(len - 4096) * (2 * k + 1) /
	    (2 * nrest));
}

/* A whole replay result is coherent: sealed, or no data at all. */
static void
check_result(const struct replay_result *r, const char *what)
{
	if (r->data == NULL) {
		ck_assert_msg(!r->recovered, "%s: recovered without data", what);
		return;
	}
	ck_assert_msg(r->recovered, "%s: data without recovery", what);
	ck_assert_msg(r->len >= REGF_BASE_BLOCK, "%s: short image", what);
	ck_assert_msg(le32(r->data + 4) == le32(r->data + 8),
	    "%s: sequence numbers apart after recovery", what);
	ck_assert_msg(le32(r->data + 0x1FC) == regf_checksum(r->data),
	    "%s: wrong checksum after recovery", what);
}

/* Opens the bytes through hivex (a memfd), as a read command would. */
static void
open_bytes(const unsigned char *data, size_t len, const char *name)
{
	struct offmig_ctx *quiet = offmig_ctx_new();
	struct hive *h = NULL;
	hnode *kids = NULL;
	size_t n = 0;
	int fd;

	ck_assert_ptr_nonnull(quiet);
	fd = memfd_create("sweep", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	if (hive_open_fd(quiet, fd, name, &h) == OFFMIG_OK) {
		(void)hive_children(quiet, h, hive_root(h), &kids, &n);
		free(kids);
		hive_close(h);
	}
	close(fd);
	offmig_ctx_free(quiet);
}

/* A small dirty hive, for the files that are logs. */
static unsigned char *small_primary;
static size_t small_len;

static void
sweep_file(const char *path)
{
	struct replay_log_in in;
	unsigned char *buf, *orig;
	size_t len, k, at, nk, nrest;
	int islog;

	orig = t_read_file(path, &len);
	if (len < 512 || len > MAX_FILE || memcmp(orig, "regf", 4) != 0) {
		free(orig);
		return;
	}
	islog = le32(orig + 28) != 0;
	ck_assert_ptr_nonnull(buf = malloc(len));
	nfiles++;
	/* Big files: every other base-block place and a quarter of the rest. */
	nrest = len > BIG_FILE ? FLIPS_REST / 4 : FLIPS_REST;
	nk = FLIPS_HEAD + nrest;
	for (k = 0; k < nk; k += len > BIG_FILE && k < FLIPS_HEAD ? 2 : 1) {
		struct replay_result r;
		struct hive_check hc;

		memcpy(buf, orig, len);
		at = flip_at(k, len, nrest);
		buf[at] ^= (unsigned char)(1U << (k % 8));
		nflips++;
		/* As a primary with no log. */
		(void)hive_replay(ctx, path, buf, len, NULL, 0, &r);
		check_result(&r, path);
		replay_result_free(&r);
		(void)hive_check_buf(ctx, path, buf, len, &hc);
		hive_check_free(&hc);
		if (!islog && k % 4 == 0)
			open_bytes(buf, len, path);
		/* As the log of a dirty hive. */
		if (islog && small_primary != NULL) {
			in.name = path;
			in.data = buf;
			in.len = len;
			(void)hive_replay(ctx, "small", small_primary,
			    small_len, &in, 1, &r);
			check_result(&r, path);
			replay_result_free(&r);
		}
	}
	free(buf);
	free(orig);
}

static void
walk_dir(const char *dir, int depth)
{
	struct dirent *de;
	struct stat st;
	char path[4096];
	DIR *d;

	if (depth > 12 || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk_dir(path, depth + 1);
		else if (S_ISREG(st.st_mode) && st.st_size >= 512 &&
		    (uint64_t)st.st_size <= MAX_FILE)
			sweep_file(path);
	}
	closedir(d);
}

START_TEST(test_corpus_bit_flip_sweep)
{
	const char *corpus = getenv("OFFMIG_CORPUS");
	char p[4096];

	if (corpus == NULL || *corpus == '\0')
		T_SKIP("the corpus is absent");
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	/* The small dirty hive logs are replayed against. */
	if (t_corpus(p, sizeof(p), "yarp/hives_for_tests/NewDirtyHive1/"
	    "NewDirtyHive") != NULL)
		small_primary = t_read_file(p, &small_len);
	walk_dir(corpus, 0);
	fprintf(stderr, "sweep: %zu files, %zu damaged copies\n", nfiles,
	    nflips);
	ck_assert_uint_gt(nfiles, 50);
	free(small_primary);
	small_primary = NULL;
	offmig_ctx_free(ctx);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("corpus");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_corpus_bit_flip_sweep);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
