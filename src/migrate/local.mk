# src/migrate: USMT XML rules and the hard-link store (issues 4 and 5).
# It has no sources yet; the directory is kept so the layout of DESIGN.md
# holds from the start.
EXTRA_DIST += %reldir%/README
