/*
 * ctx.c - the context: the last error and its message, the problem log and
 * its counters, and the tables that turn codes into text and exit statuses.
 *
 * Messages are formatted into a local buffer first and then copied, so a
 * caller may pass offmig_errmsg(ctx) itself as an argument ("%s: %s", path,
 * offmig_errmsg(ctx)) without the source and the destination overlapping.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/* This thread's redirection (see ctx_redirect() in common.h). */
static _Thread_local const struct offmig_ctx *redirect_from;
static _Thread_local struct offmig_ctx *redirect_to;

/* The context a call on ctx really works on. */
static struct offmig_ctx *
eff(const struct offmig_ctx *ctx)
{
	return ctx != NULL && ctx == redirect_from ? redirect_to :
	    (struct offmig_ctx *)ctx;
}

void
ctx_redirect(const struct offmig_ctx *from, struct offmig_ctx *to)
{
	redirect_from = to != NULL ? from : NULL;
	redirect_to = to;
}

struct offmig_ctx *
offmig_ctx_new(void)
{
	return calloc(1, sizeof(struct offmig_ctx));
}

void
offmig_ctx_free(struct offmig_ctx *ctx)
{
	free(ctx);
}

void
offmig_ctx_set_log(struct offmig_ctx *ctx, offmig_log_fn *fn, void *arg)
{
	if (ctx == NULL)
		return;
	ctx->log_fn = fn;
	ctx->log_arg = arg;
}

void
offmig_ctx_set_jobs(struct offmig_ctx *ctx, unsigned jobs)
{
	if (ctx != NULL)
		ctx->jobs = jobs;
}

unsigned long
offmig_ctx_warnings(const struct offmig_ctx *ctx)
{
	return ctx != NULL ? ctx->warnings : 0;
}

unsigned long
offmig_ctx_failures(const struct offmig_ctx *ctx)
{
	return ctx != NULL ? ctx->failures : 0;
}

const char *
offmig_errmsg(const struct offmig_ctx *ctx)
{
	ctx = eff(ctx);
	if (ctx == NULL)
		return "no context";
	if (ctx->msg[0] == '\0')
		return offmig_strerror(ctx->err);
	return ctx->msg;
}

int
offmig_errno(const struct offmig_ctx *ctx)
{
	ctx = eff(ctx);
	return ctx != NULL ? ctx->sys_errno : 0;
}

const char *
offmig_strerror(int err)
{
	switch (err) {
	case OFFMIG_OK:		return "success";
	case OFFMIG_ENOMEM:	return "out of memory";
	case OFFMIG_EIO:	return "input/output error";
	case OFFMIG_ECORRUPT:	return "damaged or unrecognised data";
	case OFFMIG_ENOTFOUND:	return "not found";
	case OFFMIG_EXML:	return "invalid migration XML";
	case OFFMIG_EXDEV:	return "would cross volumes";
	case OFFMIG_EINVAL:	return "invalid argument";
	case OFFMIG_ENOWINDOWS:	return "no Windows installation found";
	case OFFMIG_EAMBIGUOUS:
		return "several Windows installations found";
	case OFFMIG_EUNSAFE:	return "refused for safety";
	}
	return "unknown error";
}

/*
 * Codes to the exit statuses of offmig(1).  ENOTFOUND is an environment
 * failure (the key, profile or file asked for is not there), EAMBIGUOUS a
 * usage error (the user must choose with an option).  Unknown codes count
 * as environment failures rather than success.
 */
int
offmig_exit_status(int err)
{
	switch (err) {
	case OFFMIG_OK:
		return OFFMIG_EXIT_OK;
	case OFFMIG_EINVAL:
	case OFFMIG_EAMBIGUOUS:
		return OFFMIG_EXIT_USAGE;
	case OFFMIG_ECORRUPT:
	case OFFMIG_EXML:
		return OFFMIG_EXIT_DATA;
	case OFFMIG_EUNSAFE:
		return OFFMIG_EXIT_SAFETY;
	case OFFMIG_ENOWINDOWS:
		return OFFMIG_EXIT_NOTHING;
	case OFFMIG_ENOMEM:
	case OFFMIG_EIO:
	case OFFMIG_EXDEV:
	case OFFMIG_ENOTFOUND:
	default:
		return OFFMIG_EXIT_ENV;
	}
}

const char *
offmig_version(void)
{
	return PACKAGE_VERSION;
}

/*
 * Cuts a string that vsnprintf() may have truncated in the middle of a
 * UTF-8 sequence back to the start of that sequence, so a long name never
 * leaves half a character at the end of a message.
 */
static void
trim_partial_utf8(char *s)
{
	size_t len = strlen(s), start = len, need;
	unsigned char lead;

	while (start > 0 && len - start < 4 &&
	    ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;
	if (start == 0)
		return;
	lead = (unsigned char)s[start - 1];
	if (lead < 0xC0)
		return;
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	if (len - (start - 1) < need)
		s[start - 1] = '\0';
}

static void	format_msg(char *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

/* Formats into buf (OFFMIG_ERRMSG_MAX bytes), cut at a character. */
static void
format_msg(char *buf, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, OFFMIG_ERRMSG_MAX, fmt, ap);

	if (n < 0)
		buf[0] = '\0';
	else if ((size_t)n >= OFFMIG_ERRMSG_MAX)
		trim_partial_utf8(buf);
}

int
ctx_set_error(struct offmig_ctx *ctx, int err, int sys_errno,
    const char *fmt, ...)
{
	char buf[OFFMIG_ERRMSG_MAX];
	va_list ap;
	size_t len;

	ctx = eff(ctx);

	if (ctx == NULL)
		return err;
	va_start(ap, fmt);
	format_msg(buf, fmt, ap);
	va_end(ap);
	if (sys_errno != 0) {
		const char *es = strerror(sys_errno);
		size_t elen = strlen(es) + 2;

		/*
		 * The system's reason matters more than the end of a very
		 * long name: make room for it.
		 */
		len = strlen(buf);
		if (len + elen >= sizeof(buf) && elen < sizeof(buf) / 2) {
			buf[sizeof(buf) - elen - 1] = '\0';
			trim_partial_utf8(buf);
			len = strlen(buf);
		}
		snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    len > 0 ? ": " : "", es);
	}
	memcpy(ctx->msg, buf, sizeof(ctx->msg));
	ctx->err = err;
	ctx->sys_errno = sys_errno;
	return err;
}

void
ctx_prefix_error(struct offmig_ctx *ctx, const char *fmt, ...)
{
	char buf[OFFMIG_ERRMSG_MAX];
	const char *old;
	va_list ap;
	size_t len;

	ctx = eff(ctx);

	if (ctx == NULL)
		return;
	va_start(ap, fmt);
	format_msg(buf, fmt, ap);
	va_end(ap);
	old = offmig_errmsg(ctx);
	len = strlen(buf);
	if (len == 0)
		return;
	if (snprintf(buf + len, sizeof(buf) - len, ": %s", old) >=
	    (int)(sizeof(buf) - len))
		trim_partial_utf8(buf);
	memcpy(ctx->msg, buf, sizeof(ctx->msg));
}

void
ctx_log(struct offmig_ctx *ctx, enum offmig_level level, const char *fmt, ...)
{
	char msg[OFFMIG_ERRMSG_MAX];
	va_list ap;

	ctx = eff(ctx);

	if (ctx == NULL)
		return;
	if (level == OFFMIG_LOG_WARN)
		ctx->warnings++;
	else if (level == OFFMIG_LOG_ERROR)
		ctx->failures++;
	if (ctx->log_fn == NULL)
		return;
	va_start(ap, fmt);
	format_msg(msg, fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_arg, level, msg);
}
