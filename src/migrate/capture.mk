# src/migrate/capture.mk - offmig store create, verify and list end to end
# (issue 5): the capture (plan -> store), its Check suite and the CLI tests.
liboffmig_core_la_SOURCES += %reldir%/capture.c

offmig_SOURCES += src/cli/cmd-store.c
dist_man_MANS += man/offmig-store.1

if HAVE_CHECK
check_PROGRAMS += tests/check_capture
TESTS += tests/check_capture
endif
tests_check_capture_SOURCES = tests/check_capture.c tests/testutil.h
tests_check_capture_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_capture_LDADD = liboffmig-core.la $(CHECK_LIBS)

TESTS += tests/cli-store.sh
EXTRA_DIST += tests/cli-store.sh
