# src/migrate/pattern.mk - build, tests and fuzz targets of the pattern part of
# src/migrate (issue 4), kept apart so parallel work merges cleanly.

# USMT encoded locations and the rule-set walker.
liboffmig_core_la_SOURCES += \
	src/migrate/pattern.h \
	src/migrate/pattern-impl.h \
	src/migrate/pattern.c \
	src/migrate/walk.h \
	src/migrate/walk.c

# Check suites.
if HAVE_CHECK
check_PROGRAMS += tests/check_pattern tests/check_walk
TESTS += tests/check_pattern tests/check_walk
endif
tests_check_pattern_SOURCES = tests/check_pattern.c tests/testutil.h
tests_check_pattern_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_pattern_LDADD = liboffmig-core.la $(CHECK_LIBS)
tests_check_walk_SOURCES = tests/check_walk.c tests/testutil.h
tests_check_walk_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_walk_LDADD = liboffmig-core.la $(CHECK_LIBS)

# Fuzz target, replayed over fuzz/seeds/fuzz_pattern (distributed with
# fuzz/seeds) by fuzz/run-seeds.sh.
check_PROGRAMS += fuzz/fuzz_pattern
fuzz_fuzz_pattern_SOURCES = fuzz/fuzz_pattern.c fuzz/replay.c
fuzz_fuzz_pattern_LDADD = liboffmig-core.la

# The walker benchmark (bench/walk.sh): never part of "make check".
noinst_PROGRAMS += bench/walkbench
bench_walkbench_SOURCES = bench/walkbench.c
bench_walkbench_LDADD = liboffmig-core.la
EXTRA_DIST += bench/walk.sh
