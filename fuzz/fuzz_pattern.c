/*
 * fuzz_pattern.c - fuzz target for USMT encoded locations: the input is
 * cut at its first three NUL bytes into a pattern, a container path and a
 * leaf (a missing part is empty).  The pattern is parsed as File, Registry
 * and Ini; whatever parses must give a canonical text that parses back to
 * itself, and every predicate runs on the path and leaf; an error must say
 * "pattern".  A rule set of the parsed patterns decides the object too.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "migrate/pattern.h"
#include "migrate/walk.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct offmig_ctx *ctx = offmig_ctx_new();
	struct ruleset *rs = ruleset_new();
	struct rule_hit hits[4];
	char *buf, *part[3];
	size_t i, k = 0;
	int t;

	if (ctx == NULL || rs == NULL || (buf = malloc(size + 3)) == NULL) {
		ruleset_free(rs);
		offmig_ctx_free(ctx);
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = buf[size + 2] = '\0';
	part[0] = buf;
	for (i = 0, k = 1; i < size && k < 3; i++)
		if (buf[i] == '\0')
			part[k++] = buf + i + 1;
	while (k < 3)
		part[k++] = buf + size;
	for (t = UPAT_FILE; t <= UPAT_INI; t++) {
		struct upat *p = NULL, *q = NULL;

		if (upat_parse(ctx, (enum upat_type)t, part[0], &p) !=
		    OFFMIG_OK) {
			if (p != NULL || strstr(offmig_errmsg(ctx), "pattern") ==
			    NULL)
				abort();
			continue;
		}
		if (upat_parse(ctx, (enum upat_type)t, upat_text(p), &q) !=
		    OFFMIG_OK || strcmp(upat_text(p), upat_text(q)) != 0 ||
		    upat_specificity_cmp(p, q) != 0)
			abort();
		/* What matches must be found by a pruning walk. */
		if (upat_match(p, part[1], part[2]) &&
		    !upat_may_match_below(p, part[1]))
			abort();
		if (upat_match(p, part[1], NULL) &&
		    !upat_may_match_below(p, part[1]))
			abort();
		if (upat_covers_tree(p, part[1]) && upat_has_leaf(p) &&
		    !upat_match(p, part[1], part[2]))
			abort();
		free(upat_root(p));
		upat_free(q);
		if (ruleset_add(rs, (enum rule_kind)(t % 3), (unsigned)t, p,
		    NULL, NULL, NULL) != OFFMIG_OK)
			abort();
	}
	(void)ruleset_decide(rs, part[1], part[2], NULL, hits, 4, NULL, NULL);
	(void)ruleset_decide(rs, part[1], NULL, NULL, hits, 4, NULL, NULL);
	ruleset_free(rs);
	free(buf);
	offmig_ctx_free(ctx);
	return 0;
}
