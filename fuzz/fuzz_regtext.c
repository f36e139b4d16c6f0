/*
 * fuzz_regtext.c - fuzz target for the .reg text parser (the fixtures'
 * text and regedit's files): any text gives OK or a file:line error, never a
 * crash, with and without a root prefix to remove.  The same bytes also go
 * through the .reg value formatter as a value's type and data.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/regexport.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
cleanup(void)
{
	char dir[64];

	if (path[0] == '\0')
		return;
	unlink(path);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct offmig_ctx *ctx = offmig_ctx_new();
	struct hive_builder *b = NULL;
	int pass;

	if (ctx == NULL)
		return 0;
	/* One scratch hive, rewritten empty for every input. */
	if (path[0] == '\0') {
		char dir[] = "/tmp/offmig-fuzz.XXXXXX";

		if (mkdtemp(dir) == NULL) {
			offmig_ctx_free(ctx);
			return 0;
		}
		snprintf(path, sizeof(path), "%s/f.hiv", dir);
		atexit(cleanup);
	}
	for (pass = 0; pass < 2; pass++) {
		if (hive_create_empty(ctx, path, "ROOT") != OFFMIG_OK ||
		    hive_builder_open(ctx, path, &b) != OFFMIG_OK)
			break;
		if (hive_builder_apply_reg_prefix(b, (const char *)data, size,
		    "fuzz.reg", pass == 0 ? NULL :
		    "HKEY_LOCAL_MACHINE\\SOFTWARE") != OFFMIG_OK &&
		    strstr(offmig_errmsg(ctx), "fuzz.reg") == NULL &&
		    offmig_errno(ctx) == 0)
			abort();	/* an error must name the file */
		hive_builder_abort(b);
		b = NULL;
	}
	if (size >= 4) {
		char *s = regexport_value_text(le32(data), data + 4, size - 4);

		/* One line, whatever the data. */
		if (s != NULL && strchr(s, '\n') != NULL)
			abort();
		free(s);
	}
	offmig_ctx_free(ctx);
	return 0;
}
