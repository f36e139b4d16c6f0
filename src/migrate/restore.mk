# src/migrate/restore.mk - offmig store restore (issue 5): the library part,
# its Check suite and the CLI test, kept apart so parallel work merges
# cleanly.
liboffmig_core_la_SOURCES += \
	%reldir%/restore.h \
	%reldir%/restore.c

if HAVE_CHECK
check_PROGRAMS += tests/check_restore
TESTS += tests/check_restore
endif
tests_check_restore_SOURCES = tests/check_restore.c tests/testutil.h
tests_check_restore_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_restore_LDADD = liboffmig-core.la $(CHECK_LIBS)

# A store for the CLI test, made through the library (store create's CLI
# is not needed): tests/restore-mkstore STORE VOLUME [--copy].
check_PROGRAMS += tests/restore-mkstore
tests_restore_mkstore_SOURCES = tests/restore-mkstore.c
tests_restore_mkstore_LDADD = liboffmig-core.la
TESTS += tests/cli-store-restore.sh
EXTRA_DIST += tests/cli-store-restore.sh
offmig_SOURCES += src/cli/cmd-store-restore.c

# Its page (the lead may fold it into offmig-store(1)).
dist_man_MANS += man/offmig-store-restore.1
