# src/profiles: the Windows installation, OS facts, users, applications,
# known folders, and the inventory reports.
liboffmig_core_la_SOURCES += \
	%reldir%/profiles.h \
	%reldir%/volume.c \
	%reldir%/os.c \
	%reldir%/sid.c \
	%reldir%/sam.c \
	%reldir%/profiles.c \
	%reldir%/filter.c \
	%reldir%/apps.c \
	%reldir%/folders.c \
	%reldir%/report.c
liboffmig_core_la_SOURCES += \
	%reldir%/clean.h \
	%reldir%/clean.c
