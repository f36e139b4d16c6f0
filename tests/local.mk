# tests: Check unit suites, CLI tests, fixture builders, real-NTFS tests.
#
# Fixture hives and volumes are generated from the text sources in
# tests/fixtures/ by mkhive and mkwinvol, never committed.

noinst_PROGRAMS += tests/fixtures/mkhive tests/fixtures/mkwinvol
tests_fixtures_mkhive_SOURCES = tests/fixtures/mkhive.c
tests_fixtures_mkhive_CFLAGS = $(AM_CFLAGS)
tests_fixtures_mkhive_LDADD = liboffmig-core.la
tests_fixtures_mkwinvol_SOURCES = tests/fixtures/mkwinvol.c tests/fixtures/mkpe.c tests/fixtures/mkpe.h
tests_fixtures_mkwinvol_CFLAGS = $(AM_CFLAGS)
tests_fixtures_mkwinvol_LDADD = liboffmig-core.la

# Volume descriptions built once per "make check" into tests/fixtures/vol/.
FIXTURE_VOLUMES = \
	tests/fixtures/win10.vol \
	tests/fixtures/plan10.vol \
	tests/fixtures/xmlgen.vol \
	tests/fixtures/win11.vol \
	tests/fixtures/win7.vol \
	tests/fixtures/xp.vol \
	tests/fixtures/two-installs.vol \
	tests/fixtures/hostile.vol \
	tests/fixtures/dirty.vol \
	tests/fixtures/dirty-hiber.vol
FIXTURE_REGS =
EXTRA_DIST += $(FIXTURE_VOLUMES) $(FIXTURE_REGS) tests/fixtures/README.md \
	tests/lib.sh tests/summary.sh

tests/fixtures/volumes.stamp: tests/fixtures/mkwinvol$(EXEEXT) $(FIXTURE_VOLUMES)
	$(AM_V_GEN)rm -rf tests/fixtures/vol && $(MKDIR_P) tests/fixtures/vol && \
	for d in $(FIXTURE_VOLUMES); do \
		n=`basename $$d .vol`; \
		tests/fixtures/mkwinvol$(EXEEXT) "$(srcdir)/$$d" "tests/fixtures/vol/$$n" || exit 1; \
	done && touch $@
check_DATA = tests/fixtures/volumes.stamp
clean-local: clean-fixture-volumes
clean-fixture-volumes:
	rm -rf tests/fixtures/vol
CLEANFILES += tests/fixtures/volumes.stamp

AM_TESTS_ENVIRONMENT = \
	OFFMIG_SRCDIR='$(abs_top_srcdir)/tests'; export OFFMIG_SRCDIR; \
	OFFMIG_FIXTURES='$(abs_top_builddir)/tests/fixtures'; export OFFMIG_FIXTURES; \
	OFFMIG_VOLUMES='$(abs_top_builddir)/tests/fixtures/vol'; export OFFMIG_VOLUMES; \
	OFFMIG='$(abs_top_builddir)/offmig'; export OFFMIG; \
	OFFMIG_MKHIVE='$(abs_top_builddir)/tests/fixtures/mkhive'; export OFFMIG_MKHIVE; \
	OFFMIG_MKWINVOL='$(abs_top_builddir)/tests/fixtures/mkwinvol'; export OFFMIG_MKWINVOL; \
	OFFMIG_CORPUS='$(CORPUS_DIR)'; export OFFMIG_CORPUS; \
	OFFMIG_MANDIR='$(abs_top_srcdir)/man'; export OFFMIG_MANDIR; \
	ASAN_OPTIONS='detect_leaks=1:abort_on_error=0'; export ASAN_OPTIONS; \
	UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1'; export UBSAN_OPTIONS;

CHECK_UNIT = \
	tests/check_common \
	tests/check_hive \
	tests/check_profiles \
	tests/check_inventory \
	tests/check_replay \
	tests/check_writer
CHECK_UNIT += tests/check_hivecheck
CHECK_UNIT += tests/check_regtext
CHECK_UNIT += tests/check_clean
CHECK_UNIT += tests/check_sweep
if HAVE_CHECK
check_PROGRAMS += $(CHECK_UNIT)
TESTS += $(CHECK_UNIT)
endif
tests_check_common_SOURCES = tests/check_common.c
tests_check_common_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_common_LDADD = liboffmig-core.la $(CHECK_LIBS)
tests_check_hive_SOURCES = tests/check_hive.c tests/testutil.h
tests_check_hive_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_hive_LDADD = liboffmig-core.la $(CHECK_LIBS)
tests_check_profiles_SOURCES = tests/check_profiles.c tests/testutil.h
tests_check_profiles_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_profiles_LDADD = liboffmig-core.la $(CHECK_LIBS)
tests_check_inventory_SOURCES = tests/check_inventory.c tests/testutil.h
tests_check_inventory_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_inventory_LDADD = liboffmig-core.la $(CHECK_LIBS)
tests_check_replay_SOURCES = tests/check_replay.c tests/testutil.h
tests_check_replay_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_replay_LDADD = liboffmig-core.la $(CHECK_LIBS)
tests_check_hivecheck_SOURCES = tests/check_hivecheck.c tests/testutil.h
tests_check_hivecheck_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_hivecheck_LDADD = liboffmig-core.la $(CHECK_LIBS)
tests_check_regtext_SOURCES = tests/check_regtext.c tests/testutil.h
tests_check_regtext_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_regtext_LDADD = liboffmig-core.la $(CHECK_LIBS)
tests_check_sweep_SOURCES = tests/check_sweep.c tests/testutil.h
tests_check_sweep_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_sweep_LDADD = liboffmig-core.la $(CHECK_LIBS)
tests_check_clean_SOURCES = tests/check_clean.c tests/testutil.h
tests_check_clean_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_clean_LDADD = liboffmig-core.la $(CHECK_LIBS)

# A C file that includes only offmig.h must compile on its own.
check_PROGRAMS += tests/header-alone
tests_header_alone_SOURCES = tests/header-alone.c
tests_header_alone_LDADD = liboffmig.la
TESTS += tests/header-alone

CLI_TESTS = \
	tests/cli-help.sh \
	tests/cli-inventory.sh \
	tests/cli-errors.sh \
	tests/cli-corpus.sh \
	tests/cli-hive.sh \
	tests/cli-jobs.sh \
	tests/ntfs-inventory.sh
TESTS += $(CLI_TESTS)
EXTRA_DIST += $(CLI_TESTS)
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
tests_check_writer_SOURCES = tests/check_writer.c tests/testutil.h
tests_check_writer_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_writer_LDADD = liboffmig-core.la $(CHECK_LIBS)

# The store journey (issue 5), on a plain directory or tmpfs and on a real
# NTFS image; both source tests/journey.sh and build their volumes from
# store10.vol and storexp.vol themselves.
TESTS += tests/cli-store-journey.sh tests/ntfs-store.sh
EXTRA_DIST += tests/cli-store-journey.sh tests/ntfs-store.sh tests/journey.sh \
	tests/fixtures/store10.vol tests/fixtures/storexp.vol
