/*
 * str.c - small string helpers.  Each returns NULL only when out of memory
 * (or, for xstrdup_or_null, when given NULL).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/common.h"

char *
xstrdup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

char *
str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

char *
str_join_path(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (la == 0)
		return strdup(b);
	if (*b == '\0')
		return strdup(a);
	return str_printf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

void
mem_prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t start, end;
	long pg = sysconf(_SC_PAGESIZE);

	/* Small buffers are not worth a system call. */
	if (p == NULL || len < 256 * 1024 || pg <= 0)
		return;
	start = ((uintptr_t)p + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
	end = ((uintptr_t)p + len) & ~((uintptr_t)pg - 1);
	if (end > start) {
#ifdef MADV_HUGEPAGE
		/* Fewer, larger pages: fewer faults, here and in a host. */
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#endif
		(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
	}
#else
	(void)p;
	(void)len;
#endif
}
