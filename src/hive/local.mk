# src/hive: the only code that includes <hivex.h>.
liboffmig_core_la_SOURCES += \
	%reldir%/hive.h \
	%reldir%/regf.c \
	%reldir%/hive.c \
	%reldir%/logs.c \
	%reldir%/build.c
# Structural check of a hive in memory (no hivex).
liboffmig_core_la_SOURCES += %reldir%/hivecheck.h %reldir%/hivecheck.c
