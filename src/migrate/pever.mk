# src/migrate/pever.mk - build, tests and fuzz targets of the pever part of
# src/migrate (issue 4), kept apart so parallel work merges cleanly.
