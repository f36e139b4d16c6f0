/*
 * regexport.c - writing keys and values as regedit's .reg text and as JSON
 * documents.  The text is built in UTF-8 (WTF-8 for lone surrogates) one
 * key at a time, then converted to UTF-16LE when that is the output form;
 * line wrapping counts UTF-16 units, as regedit does, so both forms wrap at
 * the same places.  Nothing here writes to a hive.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/doc.h"
#include "hive/hive.h"
#include "hive/regexport.h"

/* regedit ends a hex line once it has this many characters. */
#define HEX_LINE_MAX	77
/* Windows' limit on key depth; deeper is a loop in a damaged hive. */
#define MAX_DEPTH	512

/* A growable text buffer; oom is set once and later appends do nothing. */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 oom;
};

static void
sb_grow(struct sbuf *b, size_t add)
{
	size_t cap;
	char *np;

	if (b->oom || b->len + add + 1 <= b->cap)
		return;
	cap = b->cap != 0 ? b->cap : 256;
	while (cap < b->len + add + 1) {
		if (cap > SIZE_MAX / 2) {
			b->oom = 1;
			return;
		}
		cap *= 2;
	}
	if ((np = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return;
	}
	b->p = np;
	b->cap = cap;
}

static void
sb_addn(struct sbuf *b, const char *s, size_t n)
{
	sb_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_adds(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static void
sb_addc(struct sbuf *b, char c)
{
	sb_addn(b, &c, 1);
}

/* UTF-16 units of a (W)UTF-8 string: regedit counts line lengths in them. */
static size_t
units16(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;

	while (i < len) {
		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);

		if (k == 0)
			k = 1;
		n += cp >= 0x10000 ? 2 : 1;
		i += k;
	}
	return n;
}

/* Appends s with \ and " escaped, as regedit quotes names and strings. */
static void
sb_add_escaped(struct sbuf *b, const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			sb_addc(b, '\\');
		sb_addc(b, *p);
	}
}

static const char *const type_names[] = {
	"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
	"REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ",
	"REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTOR",
	"REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD"
};

const char *
regexport_type_name(uint32_t type, char *buf, size_t size)
{
	if (type < sizeof(type_names) / sizeof(type_names[0]))
		snprintf(buf, size, "%s", type_names[type]);
	else
		snprintf(buf, size, "0x%" PRIx32, type);
	return buf;
}

/*
 * Whether len bytes of UTF-16LE are one string that reads back to the same
 * bytes: even length, no lone surrogate, exactly one NUL, at the end (or,
 * when unterminated_ok, none at all); with no_newlines, no CR or LF either.
 */
static int
utf16_clean(const unsigned char *p, size_t len, int unterminated_ok,
    int no_newlines)
{
	size_t units = len / 2, i;

	if (len % 2 != 0 || (units == 0 && !unterminated_ok))
		return 0;
	for (i = 0; i < units; i++) {
		uint16_t u = le16(p + 2 * i);

		if (u == 0)
			return i == units - 1;
		if (no_newlines && (u == '\r' || u == '\n'))
			return 0;
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (i + 1 >= units || le16(p + 2 * i + 2) < 0xDC00 ||
			    le16(p + 2 * i + 2) > 0xDFFF)
				return 0;
			i++;
		} else if (u >= 0xDC00 && u <= 0xDFFF)
			return 0;
	}
	return unterminated_ok;
}

/*
 * Appends hex bytes as regedit does: "xx,xx,...", and after a comma that
 * brings the line to HEX_LINE_MAX characters or more, "\", a line end and
 * two spaces.  col is the line's length so far; wrap 0 writes one line.
 */
static void
sb_add_hex(struct sbuf *b, const unsigned char *d, size_t len, size_t col,
    const char *nl, int wrap)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len && !b->oom; i++) {
		char x[3];

		x[0] = digits[d[i] >> 4];
		x[1] = digits[d[i] & 15];
		x[2] = ',';
		if (i + 1 == len) {
			sb_addn(b, x, 2);
			break;
		}
		sb_addn(b, x, 3);
		col += 3;
		if (wrap && col >= HEX_LINE_MAX) {
			sb_addc(b, '\\');
			sb_adds(b, nl);
			sb_adds(b, "  ");
			col = 2;
		}
	}
}

/*
 * Appends the data part of a value line.  col is the length (UTF-16 units)
 * of what precedes it on the line ("name"= or @=).
 */
static void
sb_add_data(struct sbuf *b, uint32_t type, const void *data, size_t len,
    size_t col, const char *nl, int wrap)
{
	const unsigned char *d = data;
	char tag[24];

	if (type == REG_SZ && utf16_clean(d, len, 0, 1)) {
		char *s = utf16le_to_utf8(d, len, NULL);

		if (s == NULL) {
			b->oom = 1;
			return;
		}
		sb_addc(b, '"');
		sb_add_escaped(b, s);
		sb_addc(b, '"');
		free(s);
		return;
	}
	if (type == REG_DWORD && len == 4) {
		snprintf(tag, sizeof(tag), "dword:%08" PRIx32, le32(d));
		sb_adds(b, tag);
		return;
	}
	if (type == REG_BINARY)
		snprintf(tag, sizeof(tag), "hex:");
	else
		snprintf(tag, sizeof(tag), "hex(%" PRIx32 "):", type);
	sb_adds(b, tag);
	sb_add_hex(b, d, len, col + strlen(tag), nl, wrap);
}

char *
regexport_value_text(uint32_t type, const void *data, size_t len)
{
	struct sbuf b;

	memset(&b, 0, sizeof(b));
	sb_add_data(&b, type, data, len, 0, "\n", 0);
	sb_grow(&b, 0);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Set of visited keys (open addressing), so a loop is walked once. */
struct seen {
	hnode	*slot;
	size_t	 cap;
	size_t	 n;
};

/* Adds n; returns 1 when it was new, 0 when seen before, -1 on ENOMEM. */
static int
seen_add(struct seen *s, hnode n)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap != 0 ? s->cap * 2 : 1024, j;
		hnode *slot = calloc(cap, sizeof(*slot));

		if (slot == NULL)
			return -1;
		for (j = 0; j < s->cap; j++) {
			if (s->slot[j] == 0)
				continue;
			for (i = (s->slot[j] * 0x9E3779B97F4A7C15ULL >> 7) &
			    (cap - 1); slot[i] != 0; i = (i + 1) & (cap - 1))
				;
			slot[i] = s->slot[j];
		}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	for (i = (n * 0x9E3779B97F4A7C15ULL >> 7) & (s->cap - 1);
	    s->slot[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == n)
			return 0;
	s->slot[i] = n;
	s->n++;
	return 1;
}

/* State of one export. */
struct exp {
	struct offmig_ctx	*ctx;
	struct hive		*h;
	FILE			*fp;		/* .reg output */
	const struct regexport_opts *o;
	const char		*nl;		/* "\r\n" or "\n" */
	struct sbuf		 out;		/* text of the current key */
	struct seen		 seen;
	struct offmig_doc	*doc;		/* JSON output */
	int			 recursive;
};

/* Writes the buffered text in the output encoding and empties the buffer. */
static int
exp_flush(struct exp *e)
{
	size_t n;
	void *u;

	if (e->out.oom)
		return ctx_set_error(e->ctx, OFFMIG_ENOMEM, ENOMEM, "%s",
		    hive_name(e->h));
	if (e->out.len == 0)
		return OFFMIG_OK;
	if (e->o->enc == REGEXPORT_UTF16) {
		/* WTF-8 surrogates go back to the code units they were. */
		if ((u = utf8_to_utf16le(e->out.p, e->out.len, &n)) == NULL)
			return ctx_set_error(e->ctx, OFFMIG_ENOMEM, errno,
			    "%s", hive_name(e->h));
		if (fwrite(u, 1, n, e->fp) != n) {
			free(u);
			return ctx_set_error(e->ctx, OFFMIG_EIO, errno,
			    "cannot write the export");
		}
		free(u);
	} else if (fwrite(e->out.p, 1, e->out.len, e->fp) != e->out.len)
		return ctx_set_error(e->ctx, OFFMIG_EIO, errno,
		    "cannot write the export");
	e->out.len = 0;
	return OFFMIG_OK;
}

/* Whether a key name can stand in a .reg key path. */
static int
key_name_ok(const char *name)
{
	return *name != '\0' && strpbrk(name, "\\\r\n") == NULL;
}

/* Appends the values of one key to e->out. */
static int
exp_values(struct exp *e, hnode key, const char *path)
{
	struct hive_rawval *v = NULL;
	size_t n, bad, i;
	int ret;

	if ((ret = hive_key_values(e->ctx, e->h, key, &v, &n, &bad)) !=
	    OFFMIG_OK) {
		if (ret == OFFMIG_ENOMEM)
			return ret;
		ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(e->ctx));
		return OFFMIG_OK;
	}
	if (bad > 0)
		ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s: key '%s': %zu "
		    "unreadable value%s left out", hive_name(e->h), path, bad,
		    bad == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		size_t start = e->out.len;

		if (strpbrk(v[i].name, "\r\n") != NULL) {
			ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s: key '%s': value "
			    "name with a line break left out (a .reg file "
			    "cannot hold it)", hive_name(e->h), path);
			continue;
		}
		if (*v[i].name == '\0')
			sb_adds(&e->out, "@=");
		else {
			sb_addc(&e->out, '"');
			sb_add_escaped(&e->out, v[i].name);
			sb_adds(&e->out, "\"=");
		}
		sb_add_data(&e->out, v[i].type, v[i].data, v[i].len,
		    units16(e->out.p + start, e->out.len - start), e->nl, 1);
		sb_adds(&e->out, e->nl);
	}
	hive_rawvals_free(v, n);
	return OFFMIG_OK;
}

/* Writes key (whose full .reg path is path) and, if asked, its subtree. */
static int
exp_key(struct exp *e, hnode key, const char *path, int depth)
{
	hnode *kids = NULL;
	size_t nk, i;
	int ret;

	switch (seen_add(&e->seen, key)) {
	case -1:
		return ctx_set_error(e->ctx, OFFMIG_ENOMEM, errno, "%s",
		    hive_name(e->h));
	case 0:
		ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s: key '%s' reached a "
		    "second time (loop in the subkey lists); written once",
		    hive_name(e->h), path);
		return OFFMIG_OK;
	}
	sb_addc(&e->out, '[');
	sb_adds(&e->out, path);
	sb_addc(&e->out, ']');
	sb_adds(&e->out, e->nl);
	if ((ret = exp_values(e, key, path)) != OFFMIG_OK)
		return ret;
	sb_adds(&e->out, e->nl);
	if ((ret = exp_flush(e)) != OFFMIG_OK || !e->o->recursive)
		return ret;
	if (depth >= MAX_DEPTH) {
		ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s: key '%s' is more than %d "
		    "levels deep; its subkeys are left out", hive_name(e->h),
		    path, MAX_DEPTH);
		return OFFMIG_OK;
	}
	if ((ret = hive_children(e->ctx, e->h, key, &kids, &nk)) !=
	    OFFMIG_OK) {
		if (ret == OFFMIG_ENOMEM)
			return ret;
		ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(e->ctx));
		return OFFMIG_OK;
	}
	for (i = 0; i < nk && ret == OFFMIG_OK; i++) {
		char *name = hive_key_name(e->ctx, e->h, kids[i]), *sub;

		if (name == NULL) {
			if (offmig_errno(e->ctx) == ENOMEM) {
				ret = OFFMIG_ENOMEM;
				break;
			}
			ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s: a subkey of '%s' "
			    "has an unreadable name; left out",
			    hive_name(e->h), path);
			continue;
		}
		if (!key_name_ok(name)) {
			ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s: a subkey of '%s' "
			    "is named with %s; a .reg file cannot hold it, "
			    "left out with its subkeys", hive_name(e->h),
			    path, *name == '\0' ? "nothing" :
			    "a backslash or a line break");
			free(name);
			continue;
		}
		sub = str_printf("%s\\%s", path, name);
		free(name);
		if (sub == NULL) {
			ret = ctx_set_error(e->ctx, OFFMIG_ENOMEM, errno, "%s",
			    hive_name(e->h));
			break;
		}
		ret = exp_key(e, kids[i], sub, depth + 1);
		free(sub);
	}
	free(kids);
	return ret;
}

int
hive_export_reg(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const struct regexport_opts *o, FILE *fp)
{
	struct exp e;
	char *rel = NULL, *root = NULL, *path = NULL;
	const char *prefix;
	int ret;

	memset(&e, 0, sizeof(e));
	e.ctx = ctx;
	e.h = h;
	e.fp = fp;
	e.o = o;
	e.nl = o->enc == REGEXPORT_UTF16 ? "\r\n" : "\n";
	if (o->enc != REGEXPORT_UTF16 && o->enc != REGEXPORT_UTF8)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0,
		    "unknown export encoding %d", (int)o->enc);
	if (key == 0)
		key = hive_root(h);
	prefix = o->root_prefix;
	if (prefix == NULL || *prefix == '\0') {
		if ((root = hive_key_name(ctx, h, hive_root(h))) == NULL)
			return offmig_errno(ctx) == ENOMEM ? OFFMIG_ENOMEM :
			    OFFMIG_ECORRUPT;
		prefix = root;
	}
	if ((rel = hive_key_path(ctx, h, key)) == NULL) {
		free(root);
		return offmig_errno(ctx) == ENOMEM ? OFFMIG_ENOMEM :
		    OFFMIG_ECORRUPT;
	}
	if ((path = *rel != '\0' ? str_printf("%s\\%s", prefix, rel) :
	    strdup(prefix)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
		    hive_name(h));
		goto out;
	}
	if (o->enc == REGEXPORT_UTF16 && fwrite("\xFF\xFE", 1, 2, fp) != 2) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "cannot write the export");
		goto out;
	}
	sb_adds(&e.out, "Windows Registry Editor Version 5.00");
	sb_adds(&e.out, e.nl);
	sb_adds(&e.out, e.nl);
	if ((ret = exp_key(&e, key, path, 0)) == OFFMIG_OK &&
	    (ret = exp_flush(&e)) == OFFMIG_OK && fflush(fp) != 0)
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
		    "cannot write the export");
out:
	free(e.out.p);
	free(e.seen.slot);
	free(path);
	free(rel);
	free(root);
	return ret;
}

/* Lowercase hex string of the data into the document. */
static void
json_hex(struct exp *e, struct offmig_node *obj, const void *data,
    size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *d = data;
	char *s;
	size_t i;

	if ((s = malloc(2 * len + 1)) == NULL) {
		e->out.oom = 1;
		return;
	}
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[d[i] >> 4];
		s[2 * i + 1] = digits[d[i] & 15];
	}
	s[2 * len] = '\0';
	doc_add_str(e->doc, obj, "data", s);
	free(s);
}

/*
 * REG_MULTI_SZ as an array: every string NUL-terminated, then one more NUL
 * ends the list; "\0\0" alone (two units) is the empty list.  Returns 0
 * when the data is not of that shape.
 */
static int
json_multi(struct exp *e, struct offmig_node *obj, const unsigned char *d,
    size_t len)
{
	struct offmig_node *arr;
	size_t units = len / 2, i, start;

	if (len % 2 != 0 || units < 2 || le16(d + 2 * (units - 1)) != 0 ||
	    le16(d + 2 * (units - 2)) != 0)
		return 0;
	/* Each string between NULs must itself be clean UTF-16. */
	for (start = 0, i = 0; i < units - 1; i++)
		if (le16(d + 2 * i) == 0) {
			if (!utf16_clean(d + 2 * start, 2 * (i - start + 1), 0,
			    0))
				return 0;
			start = i + 1;
		}
	arr = doc_add_array(e->doc, obj, "data");
	if (units == 2)
		return 1;
	for (start = 0, i = 0; i < units - 1; i++)
		if (le16(d + 2 * i) == 0) {
			char *s = utf16le_to_utf8(d + 2 * start,
			    2 * (i - start), NULL);

			if (s == NULL) {
				e->out.oom = 1;
				return 1;
			}
			doc_push_str(e->doc, arr, s);
			free(s);
			start = i + 1;
		}
	return 1;
}

/* Adds one value's data, decoded when it is what its type says. */
static void
json_data(struct exp *e, struct offmig_node *obj, const struct hive_rawval *v)
{
	const unsigned char *d = v->data;
	int decoded = 0;

	switch (v->type) {
	case REG_SZ:
	case REG_EXPAND_SZ:
	case REG_LINK:
		/* Symbolic links are stored without a terminator. */
		if (utf16_clean(d, v->len, v->type == REG_LINK, 0)) {
			char *s = utf16le_to_utf8(d, v->len, NULL);

			if (s == NULL) {
				e->out.oom = 1;
				return;
			}
			doc_add_str(e->doc, obj, "data", s);
			free(s);
			decoded = 1;
		}
		break;
	case REG_DWORD:
		if ((decoded = v->len == 4))
			doc_add_int(e->doc, obj, "data", le32(d));
		break;
	case REG_DWORD_BIG_ENDIAN:
		if ((decoded = v->len == 4))
			doc_add_int(e->doc, obj, "data", (int64_t)d[0] << 24 |
			    d[1] << 16 | d[2] << 8 | d[3]);
		break;
	case REG_QWORD:
		if ((decoded = v->len == 8 && le64(d) <= INT64_MAX))
			doc_add_int(e->doc, obj, "data", (int64_t)le64(d));
		break;
	case REG_MULTI_SZ:
		decoded = json_multi(e, obj, d, v->len);
		break;
	default:
		json_hex(e, obj, d, v->len);
		return;
	}
	if (!decoded) {
		json_hex(e, obj, d, v->len);
		doc_add_bool(e->doc, obj, "raw", 1);
	}
}

/* Adds key's object to the array parent, and its subtree when asked. */
static int
json_key(struct exp *e, hnode key, struct offmig_node *parent,
    int full, int depth)
{
	struct offmig_node *obj, *arr;
	struct hive_rawval *v = NULL;
	hnode *kids = NULL;
	char *name, *path, tname[32];
	size_t n, bad, i;
	int ret;

	switch (seen_add(&e->seen, key)) {
	case -1:
		return ctx_set_error(e->ctx, OFFMIG_ENOMEM, errno, "%s",
		    hive_name(e->h));
	case 0:
		ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s: key at offset 0x%zx "
		    "reached a second time (loop in the subkey lists)",
		    hive_name(e->h), key);
		return OFFMIG_OK;
	}
	if ((name = hive_key_name(e->ctx, e->h, key)) == NULL ||
	    (path = hive_key_path(e->ctx, e->h, key)) == NULL) {
		free(name);
		if (offmig_errno(e->ctx) == ENOMEM)
			return OFFMIG_ENOMEM;
		ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(e->ctx));
		return OFFMIG_OK;
	}
	obj = doc_push_object(e->doc, parent);
	doc_add_str(e->doc, obj, "name", name);
	doc_add_str(e->doc, obj, "path", path);
	doc_add_time(e->doc, obj, "last_write", hive_key_mtime(e->h, key));
	free(name);
	if (!full) {
		free(path);
		return OFFMIG_OK;
	}
	arr = doc_add_array(e->doc, obj, "values");
	if ((ret = hive_key_values(e->ctx, e->h, key, &v, &n, &bad)) !=
	    OFFMIG_OK) {
		if (ret == OFFMIG_ENOMEM)
			goto out;
		ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(e->ctx));
		n = 0;
	}
	if (bad > 0)
		ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s: key '%s': %zu "
		    "unreadable value%s left out", hive_name(e->h), path, bad,
		    bad == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		struct offmig_node *vo = doc_push_object(e->doc, arr);

		doc_add_str(e->doc, vo, "name", v[i].name);
		doc_add_str(e->doc, vo, "type",
		    regexport_type_name(v[i].type, tname, sizeof(tname)));
		doc_add_int(e->doc, vo, "size", (int64_t)v[i].len);
		json_data(e, vo, &v[i]);
	}
	hive_rawvals_free(v, n);
	arr = doc_add_array(e->doc, obj, "subkeys");
	ret = OFFMIG_OK;
	if (depth >= MAX_DEPTH) {
		ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s: key '%s' is more than %d "
		    "levels deep; its subkeys are left out", hive_name(e->h),
		    path, MAX_DEPTH);
		goto out;
	}
	if ((ret = hive_children(e->ctx, e->h, key, &kids, &n)) !=
	    OFFMIG_OK) {
		if (ret != OFFMIG_ENOMEM) {
			ctx_log(e->ctx, OFFMIG_LOG_WARN, "%s",
			    offmig_errmsg(e->ctx));
			ret = OFFMIG_OK;
		}
		goto out;
	}
	for (i = 0; i < n && ret == OFFMIG_OK && !e->out.oom; i++)
		ret = json_key(e, kids[i], arr, e->recursive, depth + 1);
out:
	free(kids);
	free(path);
	if (ret == OFFMIG_OK && e->out.oom)
		ret = ctx_set_error(e->ctx, OFFMIG_ENOMEM, ENOMEM, "%s",
		    hive_name(e->h));
	return ret;
}

int
hive_export_json(struct offmig_ctx *ctx, struct hive *h, hnode key,
    int recursive, struct offmig_doc *doc, struct offmig_node *parent)
{
	struct exp e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.ctx = ctx;
	e.h = h;
	e.doc = doc;
	e.recursive = recursive;
	ret = json_key(&e, key != 0 ? key : hive_root(h), parent, 1, 0);
	free(e.seen.slot);
	if (ret == OFFMIG_OK && doc_status(doc) != OFFMIG_OK)
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "%s",
		    hive_name(h));
	return ret;
}
