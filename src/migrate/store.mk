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
