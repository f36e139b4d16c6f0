# src/migrate/genxml.mk - build, tests and fuzz targets of the genxml part of
# src/migrate (issue 4), kept apart so parallel work merges cleanly.

# offmig xml: tailored migration XML (library part; the command is
# src/cli/cmd-xml.c).
liboffmig_core_la_SOURCES += src/migrate/genxml.c

# The schema of what offmig xml writes, installed for users' own checks.
genxmldir = $(pkgdatadir)
dist_genxml_DATA = src/migrate/offmig-migxml.xsd

dist_man_MANS += man/offmig-xml.1

# tests/fixtures/xmlgen.vol is in FIXTURE_VOLUMES (tests/local.mk).
# cli-xml-plan.sh: the round trip, plan of the generated XML selects what
# the generator counted.
TESTS += tests/cli-xml.sh tests/cli-xml-plan.sh
EXTRA_DIST += tests/cli-xml.sh tests/cli-xml-plan.sh

# The library call: files, report, refusals (Check).
if HAVE_CHECK
check_PROGRAMS += tests/check_genxml
TESTS += tests/check_genxml
endif
tests_check_genxml_SOURCES = tests/check_genxml.c tests/testutil.h
tests_check_genxml_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_genxml_LDADD = liboffmig-core.la $(CHECK_LIBS)
