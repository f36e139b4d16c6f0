/*
 * header-alone.c - offmig.h must compile on its own and its basic entry
 * points must link from the installed library.
 */
#include "offmig.h"

#include <stdlib.h>
#include <string.h>

int
main(void)
{
	struct offmig_ctx *ctx = offmig_ctx_new();

	if (ctx == NULL)
		return EXIT_FAILURE;
	if (strcmp(offmig_strerror(OFFMIG_ENOTFOUND), "") == 0 ||
	    offmig_exit_status(OFFMIG_ENOWINDOWS) != OFFMIG_EXIT_NOTHING) {
		offmig_ctx_free(ctx);
		return EXIT_FAILURE;
	}
	offmig_ctx_free(ctx);
	return EXIT_SUCCESS;
}
