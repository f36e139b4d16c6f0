# man: hand-written mdoc pages; lint.sh fails on any groff warning and on a
# SYNOPSIS that disagrees with the command table.
dist_man_MANS += \
	man/offmig.1 \
	man/offmig-inspect.1 \
	man/offmig-hive.1
TESTS += man/lint.sh
EXTRA_DIST += man/lint.sh
