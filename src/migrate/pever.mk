# src/migrate/pever.mk - build, tests and fuzz targets of the pever part of
# src/migrate (issue 4), kept apart so parallel work merges cleanly.
liboffmig_core_la_SOURCES += src/migrate/pever.c src/migrate/pever.h

# Check suite: PE images made in memory by tests/fixtures/mkpe.c.
if HAVE_CHECK
check_PROGRAMS += tests/check_pever
TESTS += tests/check_pever
endif
tests_check_pever_SOURCES = tests/check_pever.c tests/testutil.h \
	tests/fixtures/mkpe.c tests/fixtures/mkpe.h
tests_check_pever_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_pever_LDADD = liboffmig-core.la $(CHECK_LIBS)

# Fuzz target; its seeds are fuzz/seeds/pever/ (replayed by fuzz/run-seeds.sh).
FUZZ_TARGETS += fuzz/fuzz_pever
check_PROGRAMS += fuzz/fuzz_pever
fuzz_fuzz_pever_SOURCES = fuzz/fuzz_pever.c fuzz/replay.c
fuzz_fuzz_pever_LDADD = liboffmig-core.la

# The plan fixture volume with version-stamped executables; check_pever
# builds it (the lead lists it in FIXTURE_VOLUMES).
