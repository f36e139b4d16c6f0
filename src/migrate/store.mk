# src/migrate/store.mk - the hard-link migration store (issue 5): sources,
# the Check suite, the manifest fuzz target and the format document, kept
# apart so parallel work merges cleanly.
liboffmig_core_la_SOURCES += \
	src/common/sha256.h \
	src/common/sha256.c \
	%reldir%/store.h \
	%reldir%/manifest.h \
	%reldir%/manifest.c \
	%reldir%/store.c
