/*
 * par.c - par_run(): the items of a report on a few threads.
 *
 * The threads take items in turn from one atomic counter, so a slow item
 * does not hold up the others.  Each builds into a document of its own
 * (a document is not thread-safe), and records errors and log messages
 * in a context of its own, to which ctx_redirect() sends what the library
 * code below records in the caller's context (the volume's).  The messages
 * of each item are kept apart and handed on afterwards in item order, so
 * the output is the same with one thread or eight.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "common/doc.h"
#include "common/par.h"

struct run {
	const struct offmig_ctx *ctx;	/* the one redirected */
	par_fn		*fn;
	void		*arg;
	size_t		 n;
	atomic_size_t	 next;
	struct par_log	*logs;		/* n of them */
};

struct worker {
	struct run		*run;
	struct offmig_doc	*doc;
	struct offmig_ctx	 ctx;
	struct par_log		*cur;	/* of the item being built */
	pthread_t		 tid;
	int			 started;
};

unsigned
par_jobs(const struct offmig_ctx *ctx, size_t n)
{
	unsigned jobs = ctx != NULL ? ctx->jobs : 0;

	if (jobs == 0) {
#ifdef CPU_COUNT
		cpu_set_t set;

		if (sched_getaffinity(0, sizeof(set), &set) == 0)
			jobs = (unsigned)CPU_COUNT(&set);
#endif
		if (jobs == 0) {
			long c = sysconf(_SC_NPROCESSORS_ONLN);

			jobs = c > 0 ? (unsigned)c : 1;
		}
	}
	if (jobs > PAR_MAX_JOBS)
		jobs = PAR_MAX_JOBS;
	if (jobs > n)
		jobs = n > 0 ? (unsigned)n : 1;
	return jobs;
}

void
par_log_keep(void *arg, enum offmig_level level, const char *msg)
{
	struct par_log *l = arg;
	size_t mlen = strlen(msg) + 2;

	if (l == NULL || l->oom)
		return;
	if (l->cap - l->len < mlen) {
		size_t cap = l->cap > 0 ? l->cap : 256;
		char *p;

		while (cap - l->len < mlen)
			cap *= 2;
		if ((p = realloc(l->buf, cap)) == NULL) {
			l->oom = 1;
			return;
		}
		l->buf = p;
		l->cap = cap;
	}
	l->buf[l->len] = (char)('0' + (int)level);
	memcpy(l->buf + l->len + 1, msg, mlen - 1);
	l->len += mlen;
}

int
par_log_replay(struct offmig_ctx *ctx, struct par_log *l)
{
	const char *p = l->buf, *end = l->buf + l->len;
	int ret = OFFMIG_OK;

	while (p != NULL && p < end) {
		ctx_log(ctx, (enum offmig_level)(p[0] - '0'), "%s", p + 1);
		p += strlen(p) + 1;
	}
	if (l->oom)
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM,
		    "log messages of a thread");
	free(l->buf);
	memset(l, 0, sizeof(*l));
	return ret;
}

/* The log callback of a worker's context: the item's messages. */
static void
keep(void *arg, enum offmig_level level, const char *msg)
{
	struct worker *w = arg;

	par_log_keep(w->cur, level, msg);
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	size_t i;

	ctx_redirect(r->ctx, &w->ctx);
	while ((i = atomic_fetch_add(&r->next, 1)) < r->n) {
		w->cur = &r->logs[i];
		r->fn(r->arg, i, w->doc);
	}
	w->cur = NULL;
	ctx_redirect(NULL, NULL);
	return NULL;
}

int
par_run(struct offmig_ctx *ctx, size_t n, par_fn *fn, void *arg,
    struct offmig_doc *doc)
{
	struct worker *w = NULL;
	struct run r;
	unsigned jobs = par_jobs(ctx, n), t, nw;
	size_t i;
	int ret = OFFMIG_OK;

	if (jobs > 1) {
		memset(&r, 0, sizeof(r));
		r.ctx = ctx;
		r.fn = fn;
		r.arg = arg;
		r.n = n;
		atomic_init(&r.next, 0);
		if ((r.logs = calloc(n, sizeof(*r.logs))) == NULL ||
		    (w = calloc(jobs, sizeof(*w))) == NULL) {
			free(r.logs);
			jobs = 1;
		}
	}
	if (jobs <= 1) {
		for (i = 0; i < n; i++)
			fn(arg, i, doc);
		return OFFMIG_OK;
	}
	/* Worker 0 is this thread; a thread that cannot start is not needed. */
	for (nw = 0; nw < jobs; nw++) {
		w[nw].run = &r;
		w[nw].ctx.log_fn = keep;
		w[nw].ctx.log_arg = &w[nw];
		if ((w[nw].doc = doc_new()) == NULL)
			break;
		if (nw > 0 && pthread_create(&w[nw].tid, NULL, work,
		    &w[nw]) != 0) {
			offmig_doc_free(w[nw].doc);
			w[nw].doc = NULL;
			break;
		}
		w[nw].started = nw > 0;
	}
	if (nw == 0) {
		/* Not even a document: build straight into doc. */
		free(w);
		free(r.logs);
		for (i = 0; i < n; i++)
			fn(arg, i, doc);
		return OFFMIG_OK;
	}
	(void)work(&w[0]);
	for (t = 0; t < nw; t++) {
		if (w[t].started)
			pthread_join(w[t].tid, NULL);
		doc_adopt(doc, w[t].doc);
	}
	for (i = 0; i < n; i++)
		if (par_log_replay(ctx, &r.logs[i]) != OFFMIG_OK &&
		    ret == OFFMIG_OK)
			ret = OFFMIG_ENOMEM;
	free(r.logs);
	free(w);
	return ret;
}
