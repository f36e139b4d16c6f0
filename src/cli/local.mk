# src/cli: the offmig command, a thin client of liboffmig.
bin_PROGRAMS += offmig
offmig_SOURCES = \
	%reldir%/cli.h \
	%reldir%/offmig.c \
	%reldir%/cli.c \
	%reldir%/cmd-inspect.c \
	%reldir%/cmd-os.c \
	%reldir%/cmd-profiles.c \
	%reldir%/cmd-apps.c \
	%reldir%/cmd-folders.c \
	%reldir%/cmd-hive.c \
	%reldir%/cmd-hive-clean.c \
	%reldir%/cmd-plan.c
offmig_LDADD = liboffmig.la
offmig_SOURCES += %reldir%/cmd-xml.c
