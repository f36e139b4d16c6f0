/*
 * testutil.h - what the Check suites share: the environment the harness
 * sets (tests/local.mk AM_TESTS_ENVIRONMENT), fixture and corpus paths, and
 * a visible skip for tests whose data is absent.
 */
#ifndef OFFMIG_TESTUTIL_H
#define OFFMIG_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
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

#endif /* OFFMIG_TESTUTIL_H */
