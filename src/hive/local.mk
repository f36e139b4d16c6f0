# src/hive: the only code that includes <hivex.h>.
liboffmig_core_la_SOURCES += \
	%reldir%/hive.h \
	%reldir%/regf.c \
	%reldir%/hive.c \
	%reldir%/logs.c \
	%reldir%/build.c \
	%reldir%/writer.h \
	%reldir%/writer.c
liboffmig_core_la_SOURCES += \
	%reldir%/replay.h \
	%reldir%/marvin.c \
	%reldir%/replay.c \
	%reldir%/logwrite.c
# Structural check of a hive in memory (no hivex).
liboffmig_core_la_SOURCES += %reldir%/hivecheck.h %reldir%/hivecheck.c
liboffmig_core_la_SOURCES += %reldir%/regexport.h %reldir%/regexport.c
# The "offmig hive" tools.
liboffmig_core_la_SOURCES += %reldir%/tools.c
