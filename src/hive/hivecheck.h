/*
 * hivecheck.h - a full structural check of a hive's bytes, independent of
 * hivex: the base block, the chain of hive bins, every cell, and a walk of
 * every key reachable from the root with its subkey lists, values, big data,
 * security and class cells.  It works on a memory buffer, so it can check a
 * primary file as read from disk or the image rebuilt by log replay.
 *
 * Problems are content, not errors: a damaged hive still gives OFFMIG_OK
 * with a list of problems, each with the file offset of the structure that
 * holds the wrong field.  Nothing is ever followed twice (a visited bitmap
 * stops loops), depth is bounded and the walk uses its own stack, so a
 * hostile hive cannot make it read out of bounds, run forever or allocate
 * more than a few bitmaps proportional to the buffer.
 */
#ifndef OFFMIG_HIVECHECK_H
#define OFFMIG_HIVECHECK_H

#include <stddef.h>
#include <stdint.h>

#include "offmig.h"

/* At most this many problems (and notes) are kept; the rest are counted. */
#define HCHECK_MAX_PROBLEMS	1000
/* Keys deeper than this (the root is depth 0) are not walked. */
#define HCHECK_MAX_DEPTH	512

/*
 * One finding.  offset is a file offset (base block = 0, first bin = 0x1000):
 *   - base block fields: 0;
 *   - bins: the bin header;
 *   - cells (too small, misaligned, crossing their bin): the cell;
 *   - keys (signature, parent, counts, names, sk, class, loops): the nk cell;
 *   - subkey lists (signature, count, elements, order, hash, hint): the
 *     list cell that holds the bad element (a leaf, or the ri);
 *   - values list: its cell; values: the vk cell; big data: the db cell.
 * msg is a lower-case sentence naming what is wrong.
 */
struct hcheck_problem {
	uint64_t	offset;
	char		msg[200];
};

struct hive_check {
	/* Reachable from the root, each key counted once. */
	uint64_t	keys, values;
	/* Every cell of every bin walked. */
	uint64_t	bins, cells_used, cells_free, bytes_used, bytes_free;
	uint32_t	max_depth;		/* the root is depth 0 */
	uint64_t	big_values;		/* values stored as db records */
	/*
	 * Problems, at most HCHECK_MAX_PROBLEMS plus a final "... N more"
	 * entry; problems_total counts them all.
	 */
	size_t		 nproblems;
	struct hcheck_problem *problems;
	uint64_t	 problems_total;
	/*
	 * Notes: facts worth saying that Windows tolerates (a dirty base
	 * block, a zero-filled tail the hbins size claims as bins).  Capped
	 * the same way.
	 */
	size_t		 nnotes;
	struct hcheck_problem *notes;
	uint64_t	 notes_total;
};

/*
 * Checks the hive in data[0..len) (not modified, not kept).  name is how
 * messages name it.  *out is always initialised, whatever is returned, and
 * must be released with hive_check_free().
 *
 * Returns OFFMIG_OK whenever the walk completed, however many problems it
 * found; OFFMIG_ECORRUPT (message set, naming the file) only when there is
 * no walkable hive at all: no base block, no "regf" signature, or a root
 * that is not an allocated key cell; OFFMIG_ENOMEM.
 */
int	hive_check_buf(struct offmig_ctx *ctx, const char *name,
	    const unsigned char *data, size_t len, struct hive_check *out);
/* Frees the problem and note lists; c itself is the caller's. NULL ok. */
void	hive_check_free(struct hive_check *c);

#endif /* OFFMIG_HIVECHECK_H */
