# fuzz: fuzz targets for every parser.  Each target has a libFuzzer entry
# point; fuzz/replay.c turns it into a program that replays files, so the
# seeds and crash reproducers run under "make check" with the sanitizers.
FUZZ_TARGETS = fuzz/fuzz_hive fuzz/fuzz_regtext
FUZZ_TARGETS += fuzz/fuzz_logs
FUZZ_TARGETS += fuzz/fuzz_check
check_PROGRAMS += $(FUZZ_TARGETS)
fuzz_fuzz_hive_SOURCES = fuzz/fuzz_hive.c fuzz/replay.c
fuzz_fuzz_hive_LDADD = liboffmig-core.la
fuzz_fuzz_regtext_SOURCES = fuzz/fuzz_regtext.c fuzz/replay.c
fuzz_fuzz_regtext_LDADD = liboffmig-core.la
fuzz_fuzz_logs_SOURCES = fuzz/fuzz_logs.c fuzz/replay.c
fuzz_fuzz_logs_LDADD = liboffmig-core.la
fuzz_fuzz_check_SOURCES = fuzz/fuzz_check.c fuzz/replay.c
fuzz_fuzz_check_LDADD = liboffmig-core.la
TESTS += fuzz/run-seeds.sh
EXTRA_DIST += fuzz/run-seeds.sh fuzz/README.md fuzz/seeds
