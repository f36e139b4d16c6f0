/*
 * fuzz_hive.c - fuzz target for the hive reader: base block parsing, the
 * hand-over to hivex, lookups, value decoding and log discovery never crash,
 * hang or leak on any input.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks keys and values, bounded in depth and count. */
static void
walk(struct offmig_ctx *ctx, struct hive *h, hnode n, int depth,
    size_t *budget)
{
	hnode *kids = NULL;
	char **names = NULL;
	size_t nk = 0, i;

	if (depth > 32 || *budget == 0)
		return;
	(*budget)--;
	free(hive_key_name(ctx, h, n));
	free(hive_key_path(ctx, h, n));
	if (hive_value_names(ctx, h, n, &names) == OFFMIG_OK) {
		for (i = 0; names[i] != NULL; i++) {
			char *s = NULL, **v = NULL;
			uint64_t q;

			if (hive_get_string(ctx, h, n, names[i], &s, NULL) ==
			    OFFMIG_OK)
				free(s);
			(void)hive_get_qword(ctx, h, n, names[i], &q);
			if (hive_get_multi(ctx, h, n, names[i], &v) == OFFMIG_OK)
				hive_strv_free(v);
		}
		hive_strv_free(names);
	}
	if (hive_children(ctx, h, n, &kids, &nk) != OFFMIG_OK)
		return;
	for (i = 0; i < nk; i++)
		walk(ctx, h, kids[i], depth + 1, budget);
	free(kids);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct offmig_ctx *ctx = offmig_ctx_new();
	struct regf_info info;
	struct hive *h = NULL;
	size_t budget = 5000;
	hnode k;
	int fd;

	if (ctx == NULL)
		return 0;
	(void)regf_parse(data, size, &info);
	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) < 0) {
		offmig_ctx_free(ctx);
		return 0;
	}
	if (write(fd, data, size) == (ssize_t)size &&
	    hive_open_fd(ctx, fd, "fuzz.hiv", &h) == OFFMIG_OK) {
		walk(ctx, h, hive_root(h), 0, &budget);
		(void)hive_lookup(ctx, h, 0, "Microsoft\\Windows NT\\"
		    "CurrentVersion\\ProfileList", &k);
		(void)hive_lookup(ctx, h, 0, "\xC3\x84rger\\x", &k);
		hive_close(h);
	}
	close(fd);
	offmig_ctx_free(ctx);
	return 0;
}
