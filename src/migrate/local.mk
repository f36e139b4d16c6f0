# src/migrate: USMT XML rules and the hard-link store (issues 4 and 5).
# Each part has its own fragment (pattern.mk, pever.mk, rules.mk,
# genxml.mk), included at the end of Makefile.am after the test and fuzz
# lists they add to.
EXTRA_DIST += %reldir%/README
