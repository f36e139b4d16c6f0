/*
 * ctx.c - the context: the last error and its message, the problem log and
 * its counters, and the tables that turn codes into text and exit statuses.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

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
	ctx->log_fn = fn;
	ctx->log_arg = arg;
}

unsigned long
offmig_ctx_warnings(const struct offmig_ctx *ctx)
{
	return ctx->warnings;
}

unsigned long
offmig_ctx_failures(const struct offmig_ctx *ctx)
{
	return ctx->failures;
}

const char *
offmig_errmsg(const struct offmig_ctx *ctx)
{
	if (ctx == NULL || ctx->msg[0] == '\0')
		return ctx != NULL ? offmig_strerror(ctx->err) : "no context";
	return ctx->msg;
}

int
offmig_errno(const struct offmig_ctx *ctx)
{
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
	case OFFMIG_EAMBIGUOUS:	return "several Windows installations found";
	case OFFMIG_EUNSAFE:	return "refused for safety";
	}
	return "unknown error";
}

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

int
ctx_set_error(struct offmig_ctx *ctx, int err, int sys_errno,
    const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (ctx == NULL)
		return err;
	ctx->err = err;
	ctx->sys_errno = sys_errno;
	va_start(ap, fmt);
	vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	va_end(ap);
	len = strlen(ctx->msg);
	if (sys_errno != 0 && len < sizeof(ctx->msg))
		snprintf(ctx->msg + len, sizeof(ctx->msg) - len, "%s%s",
		    len > 0 ? ": " : "", strerror(sys_errno));
	return err;
}

void
ctx_prefix_error(struct offmig_ctx *ctx, const char *fmt, ...)
{
	char old[OFFMIG_ERRMSG_MAX];
	size_t len;
	va_list ap;

	if (ctx == NULL)
		return;
	memcpy(old, ctx->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	va_end(ap);
	len = strlen(ctx->msg);
	if (len + 2 < sizeof(ctx->msg)) {
		memcpy(ctx->msg + len, ": ", 3);
		len += 2;
		/* Truncation of the old message is fine: it is already bounded. */
		memcpy(ctx->msg + len, old, strnlen(old,
		    sizeof(ctx->msg) - len - 1));
		ctx->msg[len + strnlen(old, sizeof(ctx->msg) - len - 1)] = '\0';
	}
}

void
ctx_log(struct offmig_ctx *ctx, enum offmig_level level, const char *fmt, ...)
{
	char msg[OFFMIG_ERRMSG_MAX];
	va_list ap;

	if (ctx == NULL)
		return;
	if (level == OFFMIG_LOG_WARN)
		ctx->warnings++;
	else if (level == OFFMIG_LOG_ERROR)
		ctx->failures++;
	if (ctx->log_fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_arg, level, msg);
}
