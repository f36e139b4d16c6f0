/*
 * fuzz_check.c - fuzz target for the structural checker: any bytes as a
 * hive buffer never crash, hang, leak or read outside the buffer, and the
 * result is consistent whatever the input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "hive/hivecheck.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct offmig_ctx *ctx = offmig_ctx_new();
	struct hive_check c;
	unsigned char *copy;
	int ret;

	if (ctx == NULL)
		return 0;
	/*
	 * An exact-size copy, so that ASan catches a read one byte past the
	 * end even when the harness's buffer is larger.
	 */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL) {
		offmig_ctx_free(ctx);
		return 0;
	}
	memcpy(copy, data, size);
	ret = hive_check_buf(ctx, "fuzz.hiv", copy, size, &c);
	if (ret != OFFMIG_OK && ret != OFFMIG_ECORRUPT && ret != OFFMIG_ENOMEM)
		abort();
	if (c.nproblems > HCHECK_MAX_PROBLEMS + 1 ||
	    c.nproblems > c.problems_total + 1 ||
	    c.nnotes > HCHECK_MAX_PROBLEMS + 1)
		abort();
	hive_check_free(&c);
	free(copy);
	offmig_ctx_free(ctx);
	return 0;
}
