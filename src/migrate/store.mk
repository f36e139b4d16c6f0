# src/migrate/store.mk - the hard-link migration store (issue 5): sources,
# the Check suite, the manifest fuzz target and the format document, kept
# apart so parallel work merges cleanly.
liboffmig_core_la_SOURCES += \
	src/common/sha256.h \
	src/common/sha256.c \
	%reldir%/store.h \
	%reldir%/manifest.h \
	%reldir%/manifest.c \
	%reldir%/store.c

if HAVE_CHECK
check_PROGRAMS += tests/check_store
TESTS += tests/check_store
endif
tests_check_store_SOURCES = tests/check_store.c tests/testutil.h
tests_check_store_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_store_LDADD = liboffmig-core.la $(CHECK_LIBS)

# The manifest reader's fuzz target; fuzz/run-seeds.sh replays
# fuzz/seeds/fuzz_manifest/ and mutations of it under the sanitizers.
check_PROGRAMS += fuzz/fuzz_manifest
fuzz_fuzz_manifest_SOURCES = fuzz/fuzz_manifest.c fuzz/replay.c
fuzz_fuzz_manifest_LDADD = liboffmig-core.la

# Store create against cp -al (bench/store-bench DIR [FILES [ROUNDS]]);
# built so it cannot rot, never run by make check.
noinst_PROGRAMS += bench/store-bench
bench_store_bench_SOURCES = bench/store-bench.c
bench_store_bench_LDADD = liboffmig-core.la
