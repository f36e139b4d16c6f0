# src/migrate/pattern.mk - build, tests and fuzz targets of the pattern part of
# src/migrate (issue 4), kept apart so parallel work merges cleanly.
