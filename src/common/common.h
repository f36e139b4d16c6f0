/*
 * common.h - internal helpers shared by every module of liboffmig: error
 * recording in the context, the problem log, UTF-16/UTF-8 conversion, time
 * conversion, string helpers and whole-buffer I/O.  Nothing here knows
 * about hivex or libxml2.
 */
#ifndef OFFMIG_COMMON_H
#define OFFMIG_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "offmig.h"

#define OFFMIG_ERRMSG_MAX	1024

struct offmig_ctx {
	int		 err;		/* last enum offmig_err */
	int		 sys_errno;	/* errno saved with it, or 0 */
	char		 msg[OFFMIG_ERRMSG_MAX];
	offmig_log_fn	*log_fn;
	void		*log_arg;
	unsigned long	 warnings;
	unsigned long	 failures;
	unsigned	 jobs;		/* offmig_ctx_set_jobs(); 0: automatic */
};

/*
 * Sends every ctx_* call this thread makes on from to to instead (to ==
 * NULL ends it); other contexts (the quiet ones code makes on its stack)
 * are left alone.  The worker threads of par_run() use it so that library
 * code deep down, which records errors in vol->ctx, writes to a context
 * of the thread's own.
 */
void	ctx_redirect(const struct offmig_ctx *from, struct offmig_ctx *to);

/*
 * Records err with a printf-style message (and ": strerror(sys_errno)"
 * appended when sys_errno != 0), and returns err, so that every error site
 * is one statement: return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", p);
 * ctx may be NULL (then nothing is recorded).
 */
int	ctx_set_error(struct offmig_ctx *ctx, int err, int sys_errno,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Prefixes the recorded message with "prefix: " (adds context on the way up). */
void	ctx_prefix_error(struct offmig_ctx *ctx, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Reports a per-item problem through the log callback and counts it
 * (OFFMIG_LOG_WARN in warnings, OFFMIG_LOG_ERROR in failures).
 */
void	ctx_log(struct offmig_ctx *ctx, enum offmig_level level,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * UTF-16LE to UTF-8.  Stops at the first NUL code unit or after len bytes
 * (an odd trailing byte is ignored).  Lone surrogates are kept, encoded as
 * three-byte sequences (WTF-8) so nothing is lost.  Returns a string the
 * caller must free(), its length in *outlen when outlen != NULL, or NULL
 * when out of memory.
 */
char	*utf16le_to_utf8(const void *data, size_t len, size_t *outlen);
/*
 * UTF-8 (WTF-8 accepted) to UTF-16LE, without a terminator.  Invalid bytes
 * become U+FFFD.  Returns a buffer the caller must free() and its size in
 * bytes in *outlen, or NULL when out of memory.
 */
void	*utf8_to_utf16le(const char *s, size_t len, size_t *outlen);
/* Latin-1 to UTF-8 (names stored compressed in hives). Caller frees. */
char	*latin1_to_utf8(const void *data, size_t len);
/*
 * Compares two UTF-8 strings as Windows compares names: case-insensitive
 * with simple upper-casing of ASCII, Latin-1, Latin Extended-A, Greek and
 * Cyrillic letters.  Returns <0, 0, >0.  Invalid bytes compare as themselves.
 */
int	wstrcasecmp(const char *a, const char *b);
/* The upper case of a code point as Windows compares names (see utf.c). */
uint32_t wupcase(uint32_t cp);
/*
 * Matches name against a pattern where '*' matches any run of characters
 * and '?' one character, case-insensitively as wstrcasecmp().  Returns 1 on
 * a match.
 */
int	wildmatch_ci(const char *pattern, const char *name);
/*
 * Decodes one UTF-8 sequence at s (n bytes available); WTF-8 surrogates are
 * decoded too.  Returns its length and the code point in *cp, or 0 for an
 * invalid byte (then *cp is the byte).  Overlong forms and values past
 * U+10FFFF are invalid.
 */
size_t	utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Non-zero when s is valid UTF-8 (WTF-8 surrogates count as invalid). */
int	utf8_valid(const char *s, size_t len);

/*
 * Times.  A FILETIME counts 100 ns intervals since 1601-01-01 UTC.
 * filetime_to_unix() returns Unix seconds; 0 and values before 1970 or
 * past 9999 are treated as "no time" and give INT64_MIN.
 */
#define NO_TIME		INT64_MIN
int64_t	filetime_to_unix(uint64_t ft);
/*
 * Formats Unix seconds as ISO 8601 UTC ("2024-05-01T09:30:00Z") into buf
 * (at least 21 bytes).  Returns buf, or NULL for NO_TIME.
 */
char	*iso8601(int64_t t, char *buf, size_t size);
/* Parses YYYYMMDD into Unix seconds at midnight UTC; NO_TIME when invalid. */
int64_t	parse_yyyymmdd(const char *s);

/* String helpers; all return NULL only when out of memory. */
char	*xstrdup_or_null(const char *s);	/* NULL stays NULL */
char	*str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char	*str_join_path(const char *a, const char *b);	/* "a/b" */
/*
 * Faults in the pages of a large buffer just allocated, in one system call
 * (MADV_POPULATE_WRITE) rather than one page fault per page as it is
 * first written; a hint only, ignored where the kernel lacks it.
 */
void	mem_prefault(void *p, size_t len);

/*
 * Whole-buffer I/O (io.c).  Each retries a call interrupted by a signal
 * (EINTR) and goes on after a short transfer; errno is left as the failing
 * system call set it unless said otherwise.  len is at most SSIZE_MAX.
 *
 * io_write_all() writes all len bytes of buf to fd.  Returns 0, or -1 with
 * errno set (EIO when write() returns 0).
 */
int	io_write_all(int fd, const void *buf, size_t len);
/*
 * io_read_full() reads into buf until len bytes are in or read() reports
 * end of file.  Returns the count, less than len only at end of file, or
 * -1 with errno set (what was read before the error is lost).  End of
 * file sets no errno.
 */
ssize_t	io_read_full(int fd, void *buf, size_t len);
/* The same with pread() from offset off; the file offset does not move. */
ssize_t	io_pread_full(int fd, void *buf, size_t len, off_t off);
/*
 * Exactly len bytes at off: 0, or -1 with errno set, EIO when the file
 * ends first.
 */
int	io_pread_all(int fd, void *buf, size_t len, off_t off);

/* Little-endian readers for on-disk structures. */
static inline uint16_t
le16(const void *p)
{
	const unsigned char *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t
le32(const void *p)
{
	const unsigned char *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

static inline uint64_t
le64(const void *p)
{
	const unsigned char *b = p;

	return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

static inline void
put_le32(void *p, uint32_t v)
{
	unsigned char *b = p;

	b[0] = v & 0xff;
	b[1] = (v >> 8) & 0xff;
	b[2] = (v >> 16) & 0xff;
	b[3] = (v >> 24) & 0xff;
}

#endif /* OFFMIG_COMMON_H */
