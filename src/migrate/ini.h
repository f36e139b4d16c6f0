/*
 * ini.h - INI files of an offline volume read as Windows'
 * GetPrivateProfileString reads them, for USMT Ini patterns
 * ("path|Section[key]", reference §4.2).
 */
#ifndef OFFMIG_MIGRATE_INI_H
#define OFFMIG_MIGRATE_INI_H
#include <stddef.h>
#include "offmig.h"

#define INI_MAX_SIZE	(4u << 20)	/* larger files are not read */

struct ini_key {
	const char	*section;	/* as stored (UTF-8), trimmed */
	char		*key;		/* as stored (UTF-8), trimmed */
	char		*value;		/* trimmed, one pair of quotes removed */
};

struct ini_file {
	char		**sections;	/* distinct sections, first spelling */
	size_t		 nsections;
	struct ini_key	*keys;		/* file order, duplicates dropped */
	size_t		 nkeys;
};

/*
 * Decodes data (UTF-16LE or UTF-16BE with a BOM, UTF-8 with or without a
 * BOM, else Windows-1252; text ends at the first NUL) and parses it into
 * *f (released with ini_release, also on failure).  Only OFFMIG_ENOMEM.
 */
int	ini_parse(struct offmig_ctx *ctx, const void *data, size_t len,
	    struct ini_file *f);
void	ini_release(struct ini_file *f);
/*
 * Reads the file winpath ("C:\Windows\win.ini") of the volume through
 * vpath_resolve (no link followed, O_RDONLY), at most INI_MAX_SIZE bytes.
 * *hostp (may be NULL) gets its path relative to the volume root.
 * OFFMIG_ENOTFOUND when it is not there (or not on this volume),
 * OFFMIG_ECORRUPT when larger, OFFMIG_EUNSAFE, OFFMIG_EIO, OFFMIG_ENOMEM;
 * the message names the file.
 */
struct offmig_volume;
int	ini_read(struct offmig_ctx *ctx, struct offmig_volume *vol,
	    const char *winpath, struct ini_file *f, char **hostp);
/* The value of section/key (case-insensitive), or NULL. */
const char *ini_get(const struct ini_file *f, const char *section,
	    const char *key);
/* 1 when the section exists. */
int	ini_has_section(const struct ini_file *f, const char *section);
#endif
