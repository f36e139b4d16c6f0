# src/common: context and errors, UTF, time, strings, whole-buffer I/O,
# documents and their writers, safe case-insensitive path resolution.
#
# All library code goes into the convenience library liboffmig-core.la (the
# other directories add their sources to it), which tests and fixture tools
# link whole.  The installed liboffmig.la wraps it and exports only offmig_*
# symbols; the offmig command links that, so it can use nothing else.
noinst_LTLIBRARIES += liboffmig-core.la
liboffmig_core_la_CFLAGS = $(AM_CFLAGS) $(HIVEX_CFLAGS) $(LIBXML2_CFLAGS)
# libxml2 is not linked: src/migrate/xmllib.c loads it when XML is used.
liboffmig_core_la_LIBADD = $(HIVEX_LIBS)
liboffmig_core_la_SOURCES = \
	%reldir%/common.h \
	%reldir%/ctx.c \
	%reldir%/utf.c \
	%reldir%/timefmt.c \
	%reldir%/str.c \
	%reldir%/io.c \
	%reldir%/doc.h \
	%reldir%/doc.c \
	%reldir%/output.c \
	%reldir%/par.h \
	%reldir%/par.c \
	%reldir%/vpath.h \
	%reldir%/vpath.c

lib_LTLIBRARIES += liboffmig.la
liboffmig_la_SOURCES =
liboffmig_la_LIBADD = liboffmig-core.la
liboffmig_la_LDFLAGS = -version-info 0:0:0 -no-undefined \
	-export-symbols-regex '^offmig_'
