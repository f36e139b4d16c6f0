# src/migrate/remove.mk - removing a store (offmig store remove) and wiping a
# volume down to its store (offmig store wipe-except): sources and the Check
# suite, kept apart so parallel work merges cleanly.
liboffmig_core_la_SOURCES += \
	%reldir%/remove.h \
	%reldir%/remove.c \
	%reldir%/skeleton.c

if HAVE_CHECK
check_PROGRAMS += tests/check_remove
TESTS += tests/check_remove
endif
tests_check_remove_SOURCES = tests/check_remove.c tests/testutil.h
tests_check_remove_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_remove_LDADD = liboffmig-core.la $(CHECK_LIBS)

# The two commands, and their CLI test.
offmig_SOURCES += src/cli/cmd-store-remove.c
TESTS += tests/cli-store-remove.sh
EXTRA_DIST += tests/cli-store-remove.sh
# Its page (the lead may fold it into offmig-store(1)).
dist_man_MANS += man/offmig-store-remove.1
