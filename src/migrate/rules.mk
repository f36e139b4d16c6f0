# src/migrate/rules.mk - build, tests and fuzz targets of the rules part of
# src/migrate (issue 4), kept apart so parallel work merges cleanly.
