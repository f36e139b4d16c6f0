# src/migrate/genxml.mk - build, tests and fuzz targets of the genxml part of
# src/migrate (issue 4), kept apart so parallel work merges cleanly.
