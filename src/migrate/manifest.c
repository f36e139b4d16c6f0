/*
 * manifest.c - the store manifest: field escaping, the append-only writer
 * (O_APPEND, a running SHA-256 of every byte written, fdatasync every
 * MANIFEST_SYNC_RECORDS records or MANIFEST_SYNC_BYTES of linked data and
 * at the seal) and the streaming reader, which never holds more than one
 * line (at most MANIFEST_MAX_LINE bytes) and checks every field as
 * docs/STORE-FORMAT.md says.  A manifest is untrusted input: whatever it
 * holds gives records or a "file:line: what" error, never a crash or a read
 * outside the buffer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/common.h"
#include "common/sha256.h"
#include "migrate/manifest.h"
#include "migrate/store.h"

#define READ_CHUNK	65536
#define RBUF_SIZE	(MANIFEST_MAX_LINE + 1 + READ_CHUNK)
#define MAX_FIELDS	16
#define FLUSH_AT	65536

/* Growable buffers. */

void
mbuf_add(struct mbuf *b, const void *s, size_t len)
{
	if (b->oom)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static void
mbuf_addstr(struct mbuf *b, const char *s)
{
	mbuf_add(b, s, strlen(s));
}

void
mbuf_free(struct mbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Escaping. */

static int
must_escape_ascii(unsigned char c)
{
	return c < 0x20 || c == 0x7F || c == '%';
}

void
mbuf_add_escaped(struct mbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;
		char esc[3];

		if (p[i] < 0x80 && !must_escape_ascii(p[i])) {
			i++;
			continue;
		}
		if (p[i] >= 0x80) {
			n = utf8_decode(p + i, len - i, &cp);
			if (n > 0 && !(cp >= 0xD800 && cp <= 0xDFFF)) {
				i += n;
				continue;
			}
		}
		/* Flush the plain run before byte i, then escape byte i. */
		mbuf_add(b, s + run, i - run);
		esc[0] = '%';
		esc[1] = hex[p[i] >> 4];
		esc[2] = hex[p[i] & 15];
		mbuf_add(b, esc, 3);
		run = ++i;
	}
	mbuf_add(b, s + run, len - run);
}

char *
manifest_escape(const char *s, size_t len)
{
	struct mbuf b = { 0 };

	mbuf_add(&b, "", 0);
	mbuf_add_escaped(&b, s, len);
	if (b.oom) {
		mbuf_free(&b);
		return NULL;
	}
	return b.p;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes the escaped field s[0..n) into out (room for n + 1 bytes),
 * NUL-terminated.  Returns the decoded length, or -1 with *why set: raw
 * bytes that must have been escaped, or a bad escape.
 */
static long
unescape_into(const unsigned char *s, size_t n, char *out, const char **why)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (n - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0) {
				*why = "bad escape ('%' not followed by two "
				    "upper-case hex digits)";
				return -1;
			}
			out[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else if (c < 0x20 || c == 0x7F) {
			*why = c == 0 ? "NUL byte" :
			    "raw control byte (must be escaped)";
			return -1;
		} else if (c >= 0x80) {
			uint32_t cp;
			size_t k = utf8_decode(s + i, n - i, &cp);

			if (k == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
				*why = "invalid UTF-8 (must be escaped)";
				return -1;
			}
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		} else {
			out[o++] = (char)c;
			i++;
		}
	}
	out[o] = '\0';
	return (long)o;
}

int
manifest_unescape(const char *s, size_t len, char **outp, size_t *outlen)
{
	const char *why;
	char *out;
	long n;

	*outp = NULL;
	if (outlen != NULL)
		*outlen = 0;
	if ((out = malloc(len + 1)) == NULL)
		return -2;
	if ((n = unescape_into((const unsigned char *)s, len, out, &why)) < 0) {
		free(out);
		return -1;
	}
	*outp = out;
	if (outlen != NULL)
		*outlen = (size_t)n;
	return 0;
}

/* The writer. */

struct manifest_writer {
	struct offmig_ctx *ctx;
	int		 fd;
	int		 failed;
	struct sha256	 sha;		/* of every byte appended to the file */
	struct mbuf	 buf;		/* bytes not yet written */
	uint64_t	 unsynced_records;
	uint64_t	 unsynced_bytes;
};

static int
writer_flush(struct manifest_writer *w)
{
	if (w->failed)
		return ctx_set_error(w->ctx, OFFMIG_EIO, 0,
		    "manifest: an earlier write failed");
	if (io_write_all(w->fd, w->buf.p, w->buf.len) != 0) {
		w->failed = 1;
		return ctx_set_error(w->ctx, OFFMIG_EIO, errno,
		    "manifest: write");
	}
	w->buf.len = 0;
	return OFFMIG_OK;
}

int
manifest_writer_sync(struct manifest_writer *w)
{
	int ret;

	if ((ret = writer_flush(w)) != OFFMIG_OK)
		return ret;
	if (store_fault("fsync"))
		return ctx_set_error(w->ctx, OFFMIG_EIO, EIO,
		    "manifest: fdatasync (injected fault)");
	if (fdatasync(w->fd) != 0)
		return ctx_set_error(w->ctx, OFFMIG_EIO, errno,
		    "manifest: fdatasync");
	w->unsynced_records = 0;
	w->unsynced_bytes = 0;
	return OFFMIG_OK;
}

/* Ends the line being built at buf[from..], hashes it, and flushes or syncs when due. */
static int
writer_end_line(struct manifest_writer *w, size_t from)
{
	mbuf_add(&w->buf, "\n", 1);
	if (w->buf.oom) {
		w->failed = 1;
		return ctx_set_error(w->ctx, OFFMIG_ENOMEM, ENOMEM, "manifest");
	}
	sha256_update(&w->sha, w->buf.p + from, w->buf.len - from);
	w->unsynced_records++;
	if (w->unsynced_records >= MANIFEST_SYNC_RECORDS ||
	    w->unsynced_bytes >= MANIFEST_SYNC_BYTES)
		return manifest_writer_sync(w);
	if (w->buf.len >= FLUSH_AT)
		return writer_flush(w);
	return OFFMIG_OK;
}

static struct manifest_writer *
writer_new(struct offmig_ctx *ctx)
{
	struct manifest_writer *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->ctx = ctx;
	w->fd = -1;
	sha256_init(&w->sha);
	return w;
}

int
manifest_writer_create(struct offmig_ctx *ctx, int storefd, const char *id,
    struct manifest_writer **wp)
{
	struct manifest_writer *w;
	size_t from;
	int ret;

	*wp = NULL;
	if ((w = writer_new(ctx)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "manifest");
	w->fd = openat(storefd, STORE_MANIFEST, O_WRONLY | O_CREAT | O_EXCL |
	    O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->fd < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "manifest: create");
		goto fail;
	}
	from = w->buf.len;
	mbuf_addstr(&w->buf, "offmig-manifest\t1\tid=");
	mbuf_add_escaped(&w->buf, id, strlen(id));
	if ((ret = writer_end_line(w, from)) != OFFMIG_OK ||
	    (ret = manifest_writer_sync(w)) != OFFMIG_OK)
		goto fail;
	*wp = w;
	return OFFMIG_OK;
fail:
	manifest_writer_abort(w);
	return ret;
}

int
manifest_write_object(struct manifest_writer *w,
    const struct manifest_record *rec)
{
	char num[96];
	size_t from = w->buf.len;
	const char *strs[7];
	int i;

	if (store_fault("record"))
		return ctx_set_error(w->ctx, OFFMIG_EIO, EIO,
		    "manifest: record %" PRIu64 " (injected fault)", rec->seq);
	snprintf(num, sizeof(num), "O\t%" PRIu64 "\t%c", rec->seq, rec->kind);
	mbuf_addstr(&w->buf, num);
	strs[0] = rec->winpath;
	strs[1] = rec->host_path;
	strs[2] = rec->store_path;
	strs[3] = rec->sid;
	strs[4] = rec->folder;
	strs[5] = rec->component;
	strs[6] = rec->rule;
	for (i = 0; i < 7; i++) {
		mbuf_add(&w->buf, "\t", 1);
		if (strs[i] != NULL)
			mbuf_add_escaped(&w->buf, strs[i], strlen(strs[i]));
	}
	snprintf(num, sizeof(num), "\t%" PRIu64 "\t%" PRId64 "\t%" PRIu64
	    "\t%" PRIu64 "\t%o\t", rec->size, rec->mtime_ns, rec->ino,
	    rec->nlink, (unsigned)rec->mode);
	mbuf_addstr(&w->buf, num);
	if (rec->attrs != NULL)
		mbuf_add_escaped(&w->buf, rec->attrs, strlen(rec->attrs));
	return writer_end_line(w, from);
}

int
manifest_write_user(struct manifest_writer *w, const char *sid,
    const char *user, const char *profile_path, uint64_t objects,
    uint64_t bytes, const char *status, const char *problems)
{
	char num[64];
	size_t from = w->buf.len;
	const char *strs[3] = { sid, user, profile_path };
	int i;

	if (store_fault("record"))
		return ctx_set_error(w->ctx, OFFMIG_EIO, EIO,
		    "manifest: user record (injected fault)");
	mbuf_add(&w->buf, "U", 1);
	for (i = 0; i < 3; i++) {
		mbuf_add(&w->buf, "\t", 1);
		if (strs[i] != NULL)
			mbuf_add_escaped(&w->buf, strs[i], strlen(strs[i]));
	}
	snprintf(num, sizeof(num), "\t%" PRIu64 "\t%" PRIu64 "\t", objects,
	    bytes);
	mbuf_addstr(&w->buf, num);
	if (status != NULL)
		mbuf_add_escaped(&w->buf, status, strlen(status));
	mbuf_add(&w->buf, "\t", 1);
	if (problems != NULL)
		mbuf_add_escaped(&w->buf, problems, strlen(problems));
	return writer_end_line(w, from);
}

void
manifest_note_data(struct manifest_writer *w, uint64_t bytes)
{
	w->unsynced_bytes += bytes;
}

int
manifest_seal(struct manifest_writer *w, uint64_t objects, uint64_t bytes)
{
	unsigned char d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN + 1], line[200];
	struct sha256 c = w->sha;
	int ret;

	sha256_final(&c, d);
	sha256_hex(d, hex);
	snprintf(line, sizeof(line), "S\tobjects=%" PRIu64 "\tbytes=%" PRIu64
	    "\tsha256=%s\n", objects, bytes, hex);
	if (store_fault("record")) {
		ret = ctx_set_error(w->ctx, OFFMIG_EIO, EIO,
		    "manifest: seal (injected fault)");
		goto out;
	}
	mbuf_addstr(&w->buf, line);
	if (w->buf.oom) {
		ret = ctx_set_error(w->ctx, OFFMIG_ENOMEM, ENOMEM, "manifest");
		goto out;
	}
	ret = manifest_writer_sync(w);
out:
	if (close(w->fd) != 0 && ret == OFFMIG_OK)
		ret = ctx_set_error(w->ctx, OFFMIG_EIO, errno,
		    "manifest: close");
	w->fd = -1;
	manifest_writer_abort(w);
	return ret;
}

int
manifest_writer_close(struct manifest_writer *w)
{
	int ret;

	if (w == NULL)
		return OFFMIG_OK;
	ret = writer_flush(w);
	if (close(w->fd) != 0 && ret == OFFMIG_OK)
		ret = ctx_set_error(w->ctx, OFFMIG_EIO, errno,
		    "manifest: close");
	w->fd = -1;
	manifest_writer_abort(w);
	return ret;
}

void
manifest_writer_abort(struct manifest_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	mbuf_free(&w->buf);
	free(w);
}

/* The reader. */

struct manifest_reader {
	struct offmig_ctx *ctx;
	int		 fd;
	char		*name;		/* for messages */
	int		 resume;	/* a torn last line ends the manifest */
	unsigned char	*buf;		/* RBUF_SIZE bytes */
	size_t		 start, end;	/* unread bytes are buf[start..end) */
	int		 eof;		/* read() returned 0 */
	int		 state;		/* 0 reading, 1 done, -1 failed */
	int		 failed_ret;
	uint64_t	 line;		/* number of the last line read */
	uint64_t	 consumed;	/* bytes of the complete lines read */
	struct sha256	 sha;		/* of those bytes, seal excluded */
	char		 id[80];
	uint64_t	 last_seq, objects, bytes;
	int		 sealed;
	uint64_t	 seal_objects, seal_bytes;
	char		*fields;	/* decoded fields of the record */
	uint64_t	 want_seq;
	struct mbuf	 want_winpath, last_winpath;
};

static int	rd_error(struct manifest_reader *r, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

static int
rd_error(struct manifest_reader *r, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->state = -1;
	r->failed_ret = ctx_set_error(r->ctx, OFFMIG_ECORRUPT, 0,
	    "%s:%" PRIu64 ": %s", r->name, r->line, msg);
	return r->failed_ret;
}

/*
 * Reads the next line: 1 with the line in *linep and *lenp (no newline), 0 at the end,
 * <0 on error.
 */
static int
rd_line(struct manifest_reader *r, const unsigned char **linep, size_t *lenp)
{
	for (;;) {
		unsigned char *nl = memchr(r->buf + r->start, '\n',
		    r->end - r->start);
		ssize_t n;

		if (nl != NULL) {
			size_t len = (size_t)(nl - (r->buf + r->start));

			r->line++;
			if (len > MANIFEST_MAX_LINE)
				return rd_error(r, "line longer than %d bytes",
				    MANIFEST_MAX_LINE);
			*linep = r->buf + r->start;
			*lenp = len;
			r->start += len + 1;
			return 1;
		}
		if (r->end - r->start > MANIFEST_MAX_LINE) {
			r->line++;
			return rd_error(r, "line longer than %d bytes",
			    MANIFEST_MAX_LINE);
		}
		if (r->eof) {
			if (r->start == r->end)
				return 0;
			r->line++;
			if (r->resume) {
				r->line--;
				return 0;	/* a torn write: cut off */
			}
			return rd_error(r, "%s", "truncated line (no newline "
			    "at the end of the file)");
		}
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		n = read(r->fd, r->buf + r->end, RBUF_SIZE - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->state = -1;
			return r->failed_ret = ctx_set_error(r->ctx, OFFMIG_EIO,
			    errno, "%s: read", r->name);
		}
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
	}
}

static void
rd_consume(struct manifest_reader *r, const unsigned char *line, size_t len)
{
	sha256_update(&r->sha, line, len + 1);	/* with its newline */
	r->consumed += len + 1;
}

/* Splits line into at most MAX_FIELDS fields; returns their number, or MAX_FIELDS + 1. */
static int
split(const unsigned char *line, size_t len, const unsigned char **f,
    size_t *flen)
{
	size_t i, s = 0;
	int n = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || line[i] == '\t') {
			if (n == MAX_FIELDS)
				return MAX_FIELDS + 1;
			f[n] = line + s;
			flen[n] = i - s;
			n++;
			s = i + 1;
		}
	}
	return n;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

static int
parse_i64(const char *s, int64_t *v)
{
	uint64_t u;

	if (*s == '-') {
		if (parse_u64(s + 1, &u) != 0 || u > (uint64_t)INT64_MAX + 1)
			return -1;
		*v = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
		return 0;
	}
	if (parse_u64(s, &u) != 0 || u > (uint64_t)INT64_MAX)
		return -1;
	*v = (int64_t)u;
	return 0;
}

/* NULL when p is a relative path of non-empty components, none "." or "..". */
const char *
manifest_check_relpath(const char *p, size_t len)
{
	const char *c, *e;

	if (strlen(p) != len)
		return "NUL byte in a path";
	if (len == 0)
		return "empty path";
	if (p[0] == '/')
		return "absolute path";
	for (c = p; ; c = e + 1) {
		e = strchr(c, '/');
		if (e == NULL)
			e = p + len;
		if (e == c)
			return "empty path component";
		if ((e - c == 1 && c[0] == '.') ||
		    (e - c == 2 && c[0] == '.' && c[1] == '.'))
			return "'.' or '..' component in a path";
		if (*e == '\0')
			return NULL;
	}
}

/* A Windows path: no NUL, no ".." component (separators '\' and '/'). */
static const char *
check_winpath(const char *p, size_t len)
{
	const char *c = p, *e;

	if (strlen(p) != len)
		return "NUL byte in a path";
	for (;;) {
		for (e = c; *e != '\0' && *e != '\\' && *e != '/'; e++)
			;
		if (e - c == 2 && c[0] == '.' && c[1] == '.')
			return "'..' component in a Windows path";
		if (*e == '\0')
			return NULL;
		c = e + 1;
	}
}

static void
keep(struct mbuf *b, const char *s)
{
	b->len = 0;
	mbuf_add(b, s, strlen(s));
}

/* Parses the O record whose fields are f[0..15]; fills rec. */
static int
parse_object(struct manifest_reader *r, const unsigned char **f, size_t *fl,
    int n, struct manifest_record *rec)
{
	char *out = r->fields, *v[MAX_FIELDS];
	size_t vl[MAX_FIELDS];
	const char *why;
	uint64_t seq, u;
	int i;

	if (n != 16)
		return rd_error(r, "%s", "O record without its 16 fields");
	for (i = 1; i < n; i++) {
		long k = unescape_into(f[i], fl[i], out, &why);

		if (k < 0)
			return rd_error(r, "%s", why);
		v[i] = out;
		vl[i] = (size_t)k;
		out += k + 1;
	}
	if (parse_u64(v[1], &seq) != 0)
		return rd_error(r, "bad seq '%.40s'", v[1]);
	if (seq != r->last_seq + 1)
		return rd_error(r, "seq %.40s out of order", v[1]);
	if (vl[2] != 1 || strchr("fdr", v[2][0]) == NULL)
		return rd_error(r, "bad kind '%.40s' (f, d or r)", v[2]);
	rec->kind = v[2][0];
	rec->seq = seq;
	if ((why = check_winpath(v[3], vl[3])) != NULL ||
	    (rec->kind != 'r' && vl[3] == 0))
		return rd_error(r, "winpath: %s", why ? why : "empty");
	if (!(rec->kind == 'r' && vl[4] == 0) &&
	    (why = manifest_check_relpath(v[4], vl[4])) != NULL)
		return rd_error(r, "host_path: %s", why);
	if ((why = manifest_check_relpath(v[5], vl[5])) != NULL)
		return rd_error(r, "store_path: %s", why);
	if (rec->kind == 'r' ? strncmp(v[5], STORE_REGISTRY_DIR "/", 9) != 0 :
	    strncmp(v[5], STORE_FILES_DIR "/", 6) != 0)
		return rd_error(r, "store_path '%.200s' not under files/ "
		    "(objects) or registry/ (registry exports)", v[5]);
	for (i = 6; i <= 9; i++)
		if (strlen(v[i]) != vl[i])
			return rd_error(r, "%s", "NUL byte in a field");
	if (strchr(v[6], '/') != NULL || strchr(v[6], '\\') != NULL)
		return rd_error(r, "bad sid '%.80s'", v[6]);
	rec->winpath = v[3];
	rec->host_path = v[4];
	rec->store_path = v[5];
	rec->sid = v[6];
	rec->folder = v[7];
	rec->component = v[8];
	rec->rule = v[9];
	if (parse_u64(v[10], &rec->size) != 0)
		return rd_error(r, "bad size '%.40s'", v[10]);
	if (parse_i64(v[11], &rec->mtime_ns) != 0)
		return rd_error(r, "bad mtime_ns '%.40s'", v[11]);
	if (parse_u64(v[12], &rec->ino) != 0)
		return rd_error(r, "bad ino '%.40s'", v[12]);
	if (parse_u64(v[13], &rec->nlink) != 0)
		return rd_error(r, "bad nlink '%.40s'", v[13]);
	for (u = 0, i = 0; v[14][i] != '\0'; i++) {
		if (v[14][i] < '0' || v[14][i] > '7' || i >= 11)
			break;
		u = u * 8 + (uint64_t)(v[14][i] - '0');
	}
	if (i == 0 || v[14][i] != '\0' || u > UINT32_MAX)
		return rd_error(r, "bad mode '%.40s' (octal)", v[14]);
	rec->mode = (uint32_t)u;
	if (vl[15] > 8 || strspn(v[15], "0123456789abcdefABCDEF") != vl[15])
		return rd_error(r, "bad attrs '%.40s' (hex)", v[15]);
	rec->attrs = v[15];
	if (r->bytes > UINT64_MAX - rec->size)
		return rd_error(r, "%s", "sizes overflow");
	r->last_seq = seq;
	r->objects++;
	r->bytes += rec->size;
	keep(&r->last_winpath, rec->winpath);
	if (seq == r->want_seq)
		keep(&r->want_winpath, rec->winpath);
	if (r->last_winpath.oom || r->want_winpath.oom) {
		r->state = -1;
		return r->failed_ret = ctx_set_error(r->ctx, OFFMIG_ENOMEM,
		    ENOMEM, "%s", r->name);
	}
	return 1;
}

static int
parse_user(struct manifest_reader *r, const unsigned char **f, size_t *fl,
    int n, struct manifest_record *rec)
{
	char *out = r->fields, *v[MAX_FIELDS];
	const char *why;
	int i;

	if (n != 8)
		return rd_error(r, "%s", "U record without its 8 fields");
	for (i = 1; i < n; i++) {
		long k = unescape_into(f[i], fl[i], out, &why);

		if (k < 0)
			return rd_error(r, "%s", why);
		if (strlen(out) != (size_t)k)
			return rd_error(r, "%s", "NUL byte in a field");
		v[i] = out;
		out += k + 1;
	}
	if (v[1][0] == '\0' || strchr(v[1], '/') != NULL ||
	    strchr(v[1], '\\') != NULL)
		return rd_error(r, "bad sid '%.80s'", v[1]);
	memset(rec, 0, sizeof(*rec));
	rec->kind = 'U';
	rec->sid = v[1];
	rec->winpath = v[2];
	rec->host_path = v[3];
	if (parse_u64(v[4], &rec->seq) != 0)
		return rd_error(r, "bad object count '%.40s'", v[4]);
	if (parse_u64(v[5], &rec->size) != 0)
		return rd_error(r, "bad byte count '%.40s'", v[5]);
	rec->folder = v[6];
	rec->component = v[7];
	rec->store_path = rec->rule = rec->attrs = out;	/* "" */
	*out = '\0';
	return 1;
}

static int
parse_seal(struct manifest_reader *r, const unsigned char *line, size_t len)
{
	unsigned char d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN + 1], want[200];
	struct sha256 c = r->sha;
	const unsigned char *f[MAX_FIELDS];
	size_t fl[MAX_FIELDS];
	char a[32], b[32];
	uint64_t objects, bytes;
	int n;

	n = split(line, len, f, fl);
	if (n != 4 || fl[1] < 9 || fl[1] > 28 || memcmp(f[1], "objects=", 8) ||
	    fl[2] < 7 || fl[2] > 26 || memcmp(f[2], "bytes=", 6) ||
	    fl[3] != 7 + SHA256_HEX_LEN || memcmp(f[3], "sha256=", 7))
		return rd_error(r, "%s", "bad seal (S objects=N bytes=N "
		    "sha256=HEX)");
	memcpy(a, f[1] + 8, fl[1] - 8);
	a[fl[1] - 8] = '\0';
	memcpy(b, f[2] + 6, fl[2] - 6);
	b[fl[2] - 6] = '\0';
	if (parse_u64(a, &objects) != 0 || parse_u64(b, &bytes) != 0)
		return rd_error(r, "%s", "bad seal counts");
	sha256_final(&c, d);
	sha256_hex(d, hex);
	if (memcmp(f[3] + 7, hex, SHA256_HEX_LEN) != 0)
		return rd_error(r, "%s", "seal mismatch: the checksum is not "
		    "that of the lines before it");
	if (objects != r->objects || bytes != r->bytes) {
		snprintf(want, sizeof(want), "seal mismatch: it counts %s "
		    "objects and %s bytes, the records %" PRIu64 " and %"
		    PRIu64, a, b, r->objects, r->bytes);
		return rd_error(r, "%s", want);
	}
	r->seal_objects = objects;
	r->seal_bytes = bytes;
	r->sealed = 1;
	return 0;
}

static int
rd_first_line(struct manifest_reader *r)
{
	const unsigned char *line;
	size_t len, i;
	int ret;

	if ((ret = rd_line(r, &line, &len)) < 0)
		return ret;
	if (ret == 0) {
		r->line = 1;
		return rd_error(r, "%s", "empty manifest (no header line)");
	}
	if (len < 16 || memcmp(line, "offmig-manifest\t", 16) != 0)
		return rd_error(r, "%s", "not an offmig manifest");
	if (len < 18 || line[16] != '1' || line[17] != '\t')
		return rd_error(r, "%s", "unsupported manifest version "
		    "(only 1 is known)");
	if (len < 21 || memcmp(line + 18, "id=", 3) != 0 || len - 21 != 32)
		return rd_error(r, "%s", "bad store id in the header line");
	for (i = 21; i < len; i++)
		if (strchr("0123456789abcdef", line[i]) == NULL || line[i] == 0)
			return rd_error(r, "%s", "bad store id in the header "
			    "line");
	memcpy(r->id, line + 21, 32);
	r->id[32] = '\0';
	rd_consume(r, line, len);
	return OFFMIG_OK;
}

static int
reader_open(struct offmig_ctx *ctx, int storefd, const char *name,
    int resume, uint64_t want_seq, struct manifest_reader **rp)
{
	struct manifest_reader *r;
	int ret;

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->name = strdup(name)) == NULL ||
	    (r->buf = malloc(RBUF_SIZE)) == NULL ||
	    (r->fields = malloc(MANIFEST_MAX_LINE + MAX_FIELDS + 2)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "%s", name);
		if (r != NULL)
			r->fd = -1;
		goto fail;
	}
	r->ctx = ctx;
	r->resume = resume;
	r->want_seq = want_seq;
	sha256_init(&r->sha);
	r->fd = openat(storefd, STORE_MANIFEST, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW | O_NONBLOCK);
	if (r->fd < 0) {
		ret = ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", name);
		goto fail;
	}
	{
		struct stat st;

		if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
			    "%s: not a regular file", name);
			goto fail;
		}
	}
	if ((ret = rd_first_line(r)) != OFFMIG_OK)
		goto fail;
	*rp = r;
	return OFFMIG_OK;
fail:
	manifest_close(r);
	return ret;
}

int
manifest_open(struct offmig_ctx *ctx, int storefd, const char *name,
    struct manifest_reader **rp)
{
	return reader_open(ctx, storefd, name, 0, 0, rp);
}

int
manifest_open_resume(struct offmig_ctx *ctx, int storefd, uint64_t want_seq,
    struct manifest_reader **rp)
{
	return reader_open(ctx, storefd, STORE_MANIFEST, 1, want_seq, rp);
}

int
manifest_next(struct manifest_reader *r, struct manifest_record *rec)
{
	const unsigned char *line, *f[MAX_FIELDS];
	size_t len, fl[MAX_FIELDS];
	int ret, n;

	if (r->state == 1)
		return 0;
	if (r->state < 0)
		return r->failed_ret;
	if ((ret = rd_line(r, &line, &len)) < 0)
		return ret;
	if (ret == 0) {
		r->state = 1;
		return 0;
	}
	if (r->sealed)
		return rd_error(r, "%s", "data after the seal");
	if (memchr(line, '\0', len) != NULL)
		return rd_error(r, "%s", "NUL byte");
	if (len >= 1 && line[0] == 'S' && (len == 1 || line[1] == '\t')) {
		if ((ret = parse_seal(r, line, len)) < 0)
			return ret;
		r->consumed += len + 1;
		/* Nothing may follow the seal. */
		if ((ret = rd_line(r, &line, &len)) < 0)
			return ret;
		if (ret > 0)
			return rd_error(r, "%s", "data after the seal");
		r->state = 1;
		return 0;
	}
	n = split(line, len, f, fl);
	if (n > MAX_FIELDS)
		return rd_error(r, "%s", "too many fields");
	memset(rec, 0, sizeof(*rec));
	if (fl[0] == 1 && f[0][0] == 'O')
		ret = parse_object(r, f, fl, n, rec);
	else if (fl[0] == 1 && f[0][0] == 'U')
		ret = parse_user(r, f, fl, n, rec);
	else
		return rd_error(r, "%s", "unknown record type (O, U or S)");
	if (ret < 0)
		return ret;
	rd_consume(r, line, len);
	return 1;
}

int
manifest_sealed(const struct manifest_reader *r)
{
	return r->sealed;
}

const char *
manifest_id(const struct manifest_reader *r)
{
	return r->id;
}

uint64_t
manifest_seal_objects(const struct manifest_reader *r)
{
	return r->seal_objects;
}

uint64_t
manifest_seal_bytes(const struct manifest_reader *r)
{
	return r->seal_bytes;
}

void
manifest_resume_state(const struct manifest_reader *r, uint64_t *last_seqp,
    uint64_t *objectsp, uint64_t *bytesp)
{
	*last_seqp = r->last_seq;
	*objectsp = r->objects;
	*bytesp = r->bytes;
}

const char *
manifest_resume_winpath(const struct manifest_reader *r)
{
	return r->want_winpath.len > 0 ? r->want_winpath.p : NULL;
}

const char *
manifest_last_winpath(const struct manifest_reader *r)
{
	return r->last_winpath.len > 0 ? r->last_winpath.p : NULL;
}

void
manifest_close(struct manifest_reader *r)
{
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r->buf);
	free(r->fields);
	mbuf_free(&r->want_winpath);
	mbuf_free(&r->last_winpath);
	free(r);
}

int
manifest_writer_resume(struct offmig_ctx *ctx, int storefd,
    const struct manifest_reader *r, struct manifest_writer **wp)
{
	struct manifest_writer *w;
	struct stat st;
	int ret;

	*wp = NULL;
	if ((w = writer_new(ctx)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "manifest");
	w->fd = openat(storefd, STORE_MANIFEST, O_WRONLY | O_APPEND |
	    O_CLOEXEC | O_NOFOLLOW);
	if (w->fd < 0 || fstat(w->fd, &st) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "manifest: reopen");
		goto fail;
	}
	/* A torn last line (a write cut short) is cut off before appending. */
	if ((uint64_t)st.st_size != r->consumed &&
	    ftruncate(w->fd, (off_t)r->consumed) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "manifest: cutting off a torn last line");
		goto fail;
	}
	w->sha = r->sha;
	*wp = w;
	return OFFMIG_OK;
fail:
	manifest_writer_abort(w);
	return ret;
}
