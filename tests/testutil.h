/*
 * testutil.h - what the Check suites share: the environment the harness
 * sets (tests/local.mk AM_TESTS_ENVIRONMENT), fixture and corpus paths, and
 * a visible skip for tests whose data is absent.
 */
#ifndef OFFMIG_TESTUTIL_H
#define OFFMIG_TESTUTIL_H

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Environment variable or a test failure naming it. */
static inline const char *
t_env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && *v != '\0', "%s is not set (run under make check)",
	    name);
	return v;
}

/*
 * Path of a generated fixture volume ("win10") in buf; the volumes are built
 * by mkwinvol before the suites run.
 */
static inline const char *
t_volume(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", t_env("OFFMIG_VOLUMES"), name);
	return buf;
}

/*
 * Path of a corpus file ("regipy/SAM") in buf, or NULL when the corpus is
 * absent; callers then skip with T_SKIP_NO_CORPUS.
 */
static inline const char *
t_corpus(char *buf, size_t size, const char *rel)
{
	const char *dir = getenv("OFFMIG_CORPUS");
	struct stat st;

	if (dir == NULL || *dir == '\0')
		return NULL;
	snprintf(buf, size, "%s/%s", dir, rel);
	if (stat(buf, &st) != 0)
		return NULL;
	return buf;
}

/* Says visibly on stderr that a test was skipped, then returns from it. */
#define T_SKIP(why)							\
	do {								\
		fprintf(stderr, "SKIP: %s: %s\n", __func__, (why));	\
		return;							\
	} while (0)
#define T_SKIP_NO_CORPUS(rel)	T_SKIP("corpus file " rel " is absent")

/*
 * A fresh empty directory for one test ("$TMPDIR/SUITE.XXXXXX" in buf),
 * and its removal.
 */
static inline void
t_tmpdir_make(char *buf, size_t size, const char *suite)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, size, "%s/%s.XXXXXX", base != NULL && *base != '\0' ?
	    base : "/tmp", suite);
	ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp %s: %s", buf,
	    strerror(errno));
}

static inline void
t_tmpdir_remove(const char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* The whole of a file (malloc'd, NUL-terminated), or a test failure. */
static inline unsigned char *
t_read_file(const char *path, size_t *lenp)
{
	unsigned char *buf;
	struct stat st;
	FILE *fp;

	ck_assert_msg(stat(path, &st) == 0, "%s: %s", path, strerror(errno));
	ck_assert_ptr_nonnull(buf = malloc((size_t)st.st_size + 1));
	ck_assert_msg((fp = fopen(path, "rb")) != NULL, "%s: %s", path,
	    strerror(errno));
	ck_assert_uint_eq(fread(buf, 1, (size_t)st.st_size, fp),
	    (size_t)st.st_size);
	fclose(fp);
	buf[st.st_size] = '\0';
	*lenp = (size_t)st.st_size;
	return buf;
}

/* Writes len bytes to path (created or truncated), or a test failure. */
static inline void
t_write_file(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/*
 * Under AddressSanitizer freed memory is held in a quarantine (256 MiB by
 * default), so the resident size follows every byte ever allocated.  A
 * suite with a memory test calls this first in main(): it runs itself
 * again once with a small quarantine (marked by the variable mark), so
 * what is measured is what is in use.  If the exec fails the suite goes
 * on with the default.
 */
static inline void
t_small_quarantine(char **argv, const char *mark)
{
	const char *a;
	char opts[1024];

	if (getenv(mark) != NULL)
		return;
	a = getenv("ASAN_OPTIONS");
	snprintf(opts, sizeof(opts), "%s%squarantine_size_mb=4",
	    a != NULL ? a : "", a != NULL && *a != '\0' ? ":" : "");
	setenv("ASAN_OPTIONS", opts, 1);
	setenv(mark, "1", 1);
	execv("/proc/self/exe", argv);
	perror("re-exec");
}

#endif /* OFFMIG_TESTUTIL_H */
