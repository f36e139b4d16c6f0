/*
 * par.h - running the per-item work of a report (one item a profile, say)
 * on a few threads, with a result that does not depend on how many.
 */
#ifndef OFFMIG_PAR_H
#define OFFMIG_PAR_H

#include <stddef.h>

#include "common/common.h"
#include "common/doc.h"

/*
 * Builds item i into doc.  It may touch only what belongs to item i and
 * read what is shared; it keeps what it built (node pointers, results) in
 * arg, indexed by i.
 */
typedef void	par_fn(void *arg, size_t i, struct offmig_doc *doc);

/*
 * The number of threads par_run() would use for n items: ctx's setting
 * (offmig_ctx_set_jobs()), or the CPUs this process may run on, at most
 * PAR_MAX_JOBS and at most n; at least 1.
 */
#define PAR_MAX_JOBS	8
unsigned	par_jobs(const struct offmig_ctx *ctx, size_t n);

/*
 * Calls fn(arg, i, ...) once for every i in [0, n).  With one job it runs
 * on the calling thread, into doc, in order.  Otherwise each thread builds
 * into a document of its own, which doc adopts at the end (doc_adopt()),
 * so the nodes fn built may then be linked into doc; and whatever fn
 * records in ctx goes to a context of the thread's own.  Log messages
 * are kept per item and handed to ctx's log afterwards in the order of i,
 * as if the items had run one after the other; the last error message of
 * an item is not kept (fn reads it while it runs, with offmig_errmsg()).
 * Returns OFFMIG_OK, or OFFMIG_ENOMEM when the messages of an item could
 * not be kept (the items all ran).
 */
int		par_run(struct offmig_ctx *ctx, size_t n, par_fn *fn, void *arg,
		    struct offmig_doc *doc);

/*
 * Log messages kept for later: a context whose log_fn is par_log_keep and
 * log_arg a struct par_log keeps them; par_log_replay() hands them to
 * ctx's log in the order they came and frees them (OFFMIG_ENOMEM when
 * some could not be kept).
 */
struct par_log {
	char	*buf;		/* level digit, text, NUL; one after another */
	size_t	 len, cap;
	int	 oom;
};
void		par_log_keep(void *arg, enum offmig_level level,
		    const char *msg);
int		par_log_replay(struct offmig_ctx *ctx, struct par_log *l);

#endif /* OFFMIG_PAR_H */
