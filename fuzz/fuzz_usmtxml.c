/*
 * fuzz_usmtxml.c - fuzz target for the USMT XML model (src/migrate/
 * usmtxml.c): any bytes, read as a migration file, as config.xml and as a
 * helper call, give a model or diagnostics with file:line, never a crash, a
 * hang or a leak.  The first byte picks which; the rest is the input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "migrate/usmtxml.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks the model, touching every node as the evaluator does. */
static size_t
visit(const struct ux_node *n, int depth)
{
	size_t count = 0;

	for (; n != NULL; n = n->next) {
		const struct ux_node *d = ux_deref(n);

		if (depth > UX_MAX_DEPTH + 1 || n->line < 0 || d == NULL)
			abort();
		(void)ux_attr(n, "name");
		(void)ux_kind_name(n->kind);
		if (n->call != NULL && (n->call->fn == NULL ||
		    n->call->nargs > UX_MAX_ARGS))
			abort();
		count += 1 + visit(n->first, depth + 1);
	}
	return count;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct offmig_ctx *ctx = offmig_ctx_new();
	struct ux_set set;
	struct ux_call *c = NULL;
	char *text;
	size_t i;

	if (ctx == NULL)
		return 0;
	ux_set_init(&set);
	/* As a migration file, twice (the second one is a duplicate urlid). */
	(void)ux_load_memory(ctx, &set, "fuzz.xml", (const char *)data, size, 0);
	(void)ux_load_memory(ctx, &set, "fuzz2.xml", (const char *)data, size,
	    0);
	(void)ux_load_memory(ctx, &set, "config.xml", (const char *)data, size,
	    1);
	for (i = 0; i < set.nfiles; i++)
		(void)visit(set.files[i]->root, 0);
	if (set.config != NULL)
		(void)visit(set.config->root, 0);
	for (i = 0; i < set.ndiags; i++)
		if (set.diags[i].msg == NULL || set.diags[i].file == NULL)
			abort();
	ux_set_release(&set);
	/* As the text of a helper call. */
	if ((text = malloc(size + 1)) != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		if (ux_call_parse(ctx, text, &c) == OFFMIG_OK)
			ux_call_free(c);
		free(text);
	}
	offmig_ctx_free(ctx);
	return 0;
}
