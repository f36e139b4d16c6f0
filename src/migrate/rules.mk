# src/migrate/rules.mk - build, tests and fuzz targets of the rules part of
# src/migrate (issue 4), kept apart so parallel work merges cleanly.

liboffmig_core_la_SOURCES += \
	%reldir%/usmtxml.h \
	%reldir%/usmtxml.c \
	%reldir%/xmllib.h \
	%reldir%/xmllib.c

CHECK_UNIT += tests/check_usmtxml
tests_check_usmtxml_SOURCES = tests/check_usmtxml.c tests/testutil.h
tests_check_usmtxml_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_usmtxml_LDADD = liboffmig-core.la $(CHECK_LIBS)
liboffmig_core_la_SOURCES += \
	%reldir%/plan.c

# offmig plan, end to end on volumes built from tests/fixtures/usmt/.
CLI_TESTS += tests/cli-plan.sh
EXTRA_DIST += tests/fixtures/usmt
dist_man_MANS += man/offmig-plan.1

# Fuzz target of the XML model; seeds in fuzz/seeds/fuzz_usmtxml/.
FUZZ_TARGETS += fuzz/fuzz_usmtxml
check_PROGRAMS += fuzz/fuzz_usmtxml
fuzz_fuzz_usmtxml_SOURCES = fuzz/fuzz_usmtxml.c fuzz/replay.c
fuzz_fuzz_usmtxml_LDADD = liboffmig-core.la

CHECK_UNIT += tests/check_plan
tests_check_plan_SOURCES = tests/check_plan.c tests/testutil.h
tests_check_plan_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_plan_LDADD = liboffmig-core.la $(CHECK_LIBS)

# Ini patterns: INI files read as GetPrivateProfileString does.
liboffmig_core_la_SOURCES += \
	%reldir%/ini.h \
	%reldir%/ini.c
