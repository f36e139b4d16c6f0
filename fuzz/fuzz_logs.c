/*
 * fuzz_logs.c - fuzz target for transaction-log replay: the input is split
 * into a primary and up to two logs, replayed, and the result checked:
 * never a crash, hang or leak, and a result that claims recovery is always
 * a sealed hive (seq1 == seq2, checksum right, File type 0).
 *
 * Input layout: byte 0 = number of logs (mod 3), bytes 1..4 and 5..8 the
 * little-endian lengths of the primary and the first log (clipped to what
 * is there), then the primary, the first log, and the second log (the
 * rest).  fuzz/run-seeds.sh builds seeds in this layout.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/replay.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct offmig_ctx *ctx;
	struct replay_log_in in[2];
	struct replay_result r;
	struct regf_info bi;
	size_t nlogs, plen, l1, rest;

	if (size < 9 || (ctx = offmig_ctx_new()) == NULL)
		return 0;
	nlogs = data[0] % 3;
	rest = size - 9;
	plen = le32(data + 1);
	if (plen > rest)
		plen = rest;
	l1 = le32(data + 5);
	if (l1 > rest - plen)
		l1 = rest - plen;
	in[0].name = "fuzz.LOG1";
	in[0].data = data + 9 + plen;
	in[0].len = l1;
	in[1].name = "fuzz.LOG2";
	in[1].data = data + 9 + plen + l1;
	in[1].len = rest - plen - l1;
	if (hive_replay(ctx, "fuzz", data + 9, plen, in, nlogs, &r) ==
	    OFFMIG_OK && r.recovered) {
		if (r.data == NULL || regf_parse(r.data, r.len, &bi) !=
		    OFFMIG_OK || !bi.checksum_ok || bi.seq1 != bi.seq2 ||
		    bi.file_type != 0 || r.len < REGF_BASE_BLOCK +
		    (uint64_t)bi.hbins_size)
			abort();
	}
	replay_result_free(&r);
	offmig_ctx_free(ctx);
	return 0;
}
