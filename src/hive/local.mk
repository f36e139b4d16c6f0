# src/hive: the only code that includes <hivex.h>.
liboffmig_core_la_SOURCES += \
	%reldir%/hive.h \
	%reldir%/regf.c \
	%reldir%/hive.c \
	%reldir%/logs.c \
	%reldir%/build.c
liboffmig_core_la_SOURCES += %reldir%/regexport.h %reldir%/regexport.c
