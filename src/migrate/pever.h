#ifndef OFFMIG_MIGRATE_PEVER_H
#define OFFMIG_MIGRATE_PEVER_H
#include <stdint.h>
#include "offmig.h"

struct pe_version {
	uint16_t	 machine;		/* IMAGE_FILE_HEADER.Machine */
	int		 has_fixed;		/* VS_FIXEDFILEINFO present */
	uint16_t	 file_ver[4];		/* dwFileVersionMS/LS split */
	uint16_t	 product_ver[4];
	/* StringFileInfo of the first (or US-English) table, UTF-8, NULL when absent:
	   CompanyName FileDescription FileVersion InternalName LegalCopyright
	   OriginalFilename ProductName ProductVersion, in that order. */
	char		*strings[8];
};
/* Reads the version resource of the PE file open on fd (name for messages).
   OFFMIG_ECORRUPT not a PE / damaged (message says what), OFFMIG_ENOTFOUND no
   version resource, OFFMIG_EIO. Bounded reads; hostile files never crash/hang. */
int	pe_version_read(struct offmig_ctx *ctx, int fd, const char *name,
	    struct pe_version *v);
void	pe_version_release(struct pe_version *v);
/* A tag ("FileVersion", case-insensitive) as text; FileVersion/ProductVersion
   fall back to the fixed info "a.b.c.d". NULL when absent. */
const char *pe_version_get(struct pe_version *v, const char *tag);
/* USMT version tests on dotted versions: pattern with '*' ("6.*", "6.1.*", "*");
   cmp numeric by component ("6.10" > "6.9"; missing components are 0). */
int	version_match(const char *have, const char *pattern);	/* 1/0 */
int	version_cmp(const char *a, const char *b);		/* <0, 0, >0 */
#endif
