/*
 * ini.c - INI files read the way GetPrivateProfileString reads them:
 * "[Section]" lines open a section, "key=value" lines give a key, names
 * compared case-insensitively, white space around names and values
 * trimmed, ';' starts a comment line, the first occurrence of a key in a
 * section wins (a section written twice is one section), a line without
 * '=' is a key with an empty value, lines before the first section belong
 * to no section and are not reachable.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "common/vpath.h"
#include "profiles/profiles.h"
#include "migrate/ini.h"

/* Windows-1252 0x80..0x9F (unassigned bytes kept as C1 controls). */
static const unsigned short cp1252_hi[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
};

static char *
cp1252_to_utf8(const unsigned char *s, size_t len)
{
	char *out, *o;
	size_t i;

	if ((out = malloc(len * 3 + 1)) == NULL)
		return NULL;
	o = out;
	for (i = 0; i < len; i++) {
		unsigned cp = s[i];

		if (cp >= 0x80 && cp < 0xA0)
			cp = cp1252_hi[cp - 0x80];
		if (cp < 0x80)
			*o++ = (char)cp;
		else if (cp < 0x800) {
			*o++ = (char)(0xC0 | (cp >> 6));
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*o++ = (char)(0xE0 | (cp >> 12));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		}
	}
	*o = '\0';
	return out;
}

/* The text of the file as UTF-8, up to its first NUL. */
static char *
decode(const unsigned char *d, size_t len)
{
	char *s;
	size_t n;

	if (len >= 2 && d[0] == 0xFF && d[1] == 0xFE)
		return utf16le_to_utf8(d + 2, len - 2, NULL);
	if (len >= 2 && d[0] == 0xFE && d[1] == 0xFF) {
		unsigned char *sw;
		size_t i;

		if ((sw = malloc(len)) == NULL)
			return NULL;
		for (i = 2; i + 1 < len; i += 2) {
			sw[i - 2] = d[i + 1];
			sw[i - 1] = d[i];
		}
		s = utf16le_to_utf8(sw, (len - 2) & ~(size_t)1, NULL);
		free(sw);
		return s;
	}
	if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
		d += 3;
		len -= 3;
	}
	n = strnlen((const char *)d, len);
	if (utf8_valid((const char *)d, n)) {
		if ((s = malloc(n + 1)) == NULL)
			return NULL;
		memcpy(s, d, n);
		s[n] = '\0';
		return s;
	}
	return cp1252_to_utf8(d, n);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* s[0..*lenp) trimmed; returns the new start. */
static char *
trim(char *s, size_t *lenp)
{
	size_t n = *lenp;

	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	*lenp = n;
	return s;
}

/*
 * A hash equal for names wstrcasecmp() calls equal: code points upper-cased
 * with wupcase(), bytes that start no valid sequence taken as themselves.
 */
static uint64_t
name_hash(uint64_t h, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		uint32_t cp = *p;
		size_t n = 1, i;

		if (cp >= 0xC2 && cp < 0xF5) {
			n = cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
			cp &= n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07;
			for (i = 1; i < n; i++) {
				if ((p[i] & 0xC0) != 0x80)
					break;
				cp = (cp << 6) | (p[i] & 0x3F);
			}
			if (i < n) {
				cp = *p;
				n = 1;
			}
		}
		p += n;
		h = (h ^ wupcase(cp)) * 0x100000001B3ULL;
	}
	return h;
}

/* The hash table of (section, key): slots hold index + 1, 0 free. */
struct keyidx {
	size_t		*slot;
	size_t		 cap;		/* a power of two */
	size_t		 used;
};

static uint64_t
key_hash(const char *section, const char *key)
{
	return name_hash(name_hash(0xCBF29CE484222325ULL, section) ^ 0x5B,
	    key);
}

/* The index of section/key in f, or SIZE_MAX. */
static size_t
idx_find(const struct keyidx *x, const struct ini_file *f,
    const char *section, const char *key)
{
	size_t i;

	if (x->cap == 0)
		return SIZE_MAX;
	for (i = key_hash(section, key) & (x->cap - 1); x->slot[i] != 0;
	    i = (i + 1) & (x->cap - 1)) {
		const struct ini_key *k = &f->keys[x->slot[i] - 1];

		if (wstrcasecmp(k->section, section) == 0 &&
		    wstrcasecmp(k->key, key) == 0)
			return x->slot[i] - 1;
	}
	return SIZE_MAX;
}

static int
idx_put(struct keyidx *x, const struct ini_file *f, size_t at)
{
	size_t i;

	if ((x->used + 1) * 2 > x->cap) {
		struct keyidx nx;
		size_t j;

		nx.cap = x->cap == 0 ? 64 : x->cap * 2;
		nx.used = 0;
		if ((nx.slot = calloc(nx.cap, sizeof(*nx.slot))) == NULL)
			return -1;
		for (j = 0; j < x->cap; j++)
			if (x->slot[j] != 0) {
				const struct ini_key *k = &f->keys[x->slot[j] -
				    1];

				for (i = key_hash(k->section, k->key) &
				    (nx.cap - 1); nx.slot[i] != 0;
				    i = (i + 1) & (nx.cap - 1))
					;
				nx.slot[i] = x->slot[j];
				nx.used++;
			}
		free(x->slot);
		*x = nx;
	}
	for (i = key_hash(f->keys[at].section, f->keys[at].key) &
	    (x->cap - 1); x->slot[i] != 0; i = (i + 1) & (x->cap - 1))
		;
	x->slot[i] = at + 1;
	x->used++;
	return 0;
}

/*
 * Sections get the same table with a key that no key can be: "" is never
 * stored as a key (a line "=x" is dropped).
 */
static const char *
find_section(const struct ini_file *f, const struct keyidx *sx,
    const char *name)
{
	size_t i;

	if (sx->cap == 0)
		return NULL;
	for (i = key_hash(name, "") & (sx->cap - 1); sx->slot[i] != 0;
	    i = (i + 1) & (sx->cap - 1))
		if (wstrcasecmp(f->sections[sx->slot[i] - 1], name) == 0)
			return f->sections[sx->slot[i] - 1];
	return NULL;
}

static int
section_put(struct keyidx *sx, const struct ini_file *f, size_t at)
{
	size_t i;

	if ((sx->used + 1) * 2 > sx->cap) {
		struct keyidx nx;
		size_t j;

		nx.cap = sx->cap == 0 ? 64 : sx->cap * 2;
		nx.used = 0;
		if ((nx.slot = calloc(nx.cap, sizeof(*nx.slot))) == NULL)
			return -1;
		for (j = 0; j < sx->cap; j++)
			if (sx->slot[j] != 0) {
				for (i = key_hash(f->sections[sx->slot[j] - 1],
				    "") & (nx.cap - 1); nx.slot[i] != 0;
				    i = (i + 1) & (nx.cap - 1))
					;
				nx.slot[i] = sx->slot[j];
				nx.used++;
			}
		free(sx->slot);
		*sx = nx;
	}
	for (i = key_hash(f->sections[at], "") & (sx->cap - 1);
	    sx->slot[i] != 0; i = (i + 1) & (sx->cap - 1))
		;
	sx->slot[i] = at + 1;
	sx->used++;
	return 0;
}

void
ini_release(struct ini_file *f)
{
	size_t i;

	for (i = 0; i < f->nkeys; i++) {
		free(f->keys[i].key);
		free(f->keys[i].value);
	}
	free(f->keys);
	for (i = 0; i < f->nsections; i++)
		free(f->sections[i]);
	free(f->sections);
	memset(f, 0, sizeof(*f));
}

const char *
ini_get(const struct ini_file *f, const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < f->nkeys; i++)
		if (wstrcasecmp(f->keys[i].section, section) == 0 &&
		    wstrcasecmp(f->keys[i].key, key) == 0)
			return f->keys[i].value;
	return NULL;
}

int
ini_has_section(const struct ini_file *f, const char *section)
{
	size_t i;

	for (i = 0; i < f->nsections; i++)
		if (wstrcasecmp(f->sections[i], section) == 0)
			return 1;
	return 0;
}

static char *
dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

int
ini_parse(struct offmig_ctx *ctx, const void *data, size_t len,
    struct ini_file *f)
{
	char *text, *line, *next;
	const char *cur = NULL;
	struct keyidx kx = { NULL, 0, 0 }, sx = { NULL, 0, 0 };
	size_t kcap = 0, scap = 0;	/* grown geometrically */

	memset(f, 0, sizeof(*f));
	if ((text = decode(data, len)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "INI file");
	for (line = text; line != NULL; line = next) {
		size_t n;
		char *s, *eq;

		if ((next = strchr(line, '\n')) != NULL) {
			n = (size_t)(next - line);
			next++;
		} else
			n = strlen(line);
		s = trim(line, &n);
		if (n == 0 || *s == ';')
			continue;
		if (*s == '[') {
			char *end = memchr(s, ']', n), **ns;
			size_t sl;

			/* "[Name" without ']' names the rest of the line. */
			sl = end != NULL ? (size_t)(end - s - 1) : n - 1;
			s = trim(s + 1, &sl);
			s[sl] = '\0';
			if ((cur = find_section(f, &sx, s)) != NULL)
				continue;
			if (f->nsections == scap) {
				scap = scap == 0 ? 16 : scap * 2;
				if ((ns = realloc(f->sections, scap *
				    sizeof(*ns))) == NULL)
					goto nomem;
				f->sections = ns;
			}
			ns = f->sections;
			if ((ns[f->nsections] = dupn(s, sl)) == NULL)
				goto nomem;
			cur = ns[f->nsections++];
			if (section_put(&sx, f, f->nsections - 1) != 0)
				goto nomem;
			continue;
		}
		if (cur == NULL)
			continue;
		{
			struct ini_key *nk;
			size_t kl, vl = 0;
			char *k = s, *v = NULL;

			eq = memchr(s, '=', n);
			kl = eq != NULL ? (size_t)(eq - s) : n;
			k = trim(k, &kl);
			if (eq != NULL) {
				vl = n - (size_t)(eq + 1 - s);
				v = trim(eq + 1, &vl);
				if (vl >= 2 && (v[0] == '"' || v[0] == '\'') &&
				    v[vl - 1] == v[0]) {
					v++;
					vl -= 2;
				}
			}
			k[kl] = '\0';
			if (kl == 0 || idx_find(&kx, f, cur, k) != SIZE_MAX)
				continue;
			if (f->nkeys == kcap) {
				kcap = kcap == 0 ? 64 : kcap * 2;
				if ((nk = realloc(f->keys, kcap *
				    sizeof(*nk))) == NULL)
					goto nomem;
				f->keys = nk;
			}
			nk = f->keys + f->nkeys;
			nk->section = cur;
			nk->key = dupn(k, kl);
			nk->value = dupn(v != NULL ? v : "", vl);
			if (nk->key == NULL || nk->value == NULL) {
				free(nk->key);
				free(nk->value);
				goto nomem;
			}
			if (idx_put(&kx, f, f->nkeys++) != 0)
				goto nomem;
		}
	}
	free(text);
	free(kx.slot);
	free(sx.slot);
	return OFFMIG_OK;
nomem:
	free(text);
	free(kx.slot);
	free(sx.slot);
	ini_release(f);
	return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "INI file");
}

int
ini_read(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const char *winpath, struct ini_file *f, char **hostp)
{
	const char *rest;
	enum winpath_kind k = winpath_classify(winpath, vol->sysdrive, &rest);
	unsigned char *buf;
	struct stat st;
	size_t got;
	ssize_t n;
	int fd = -1, ret;

	memset(f, 0, sizeof(*f));
	if (hostp != NULL)
		*hostp = NULL;
	if (k != WINPATH_SYSTEM_DRIVE && k != WINPATH_RELATIVE)
		return ctx_set_error(ctx, OFFMIG_ENOTFOUND, 0, "%s: not on "
		    "this volume", winpath);
	if ((ret = vpath_resolve(ctx, vol->rootfd, rest, VPATH_FILE, &fd,
	    hostp, NULL)) != OFFMIG_OK)
		return ret;
	if (fstat(fd, &st) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", winpath);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = ctx_set_error(ctx, OFFMIG_ENOTFOUND, 0, "%s: not a "
		    "file", winpath);
		goto out;
	}
	if (st.st_size > (off_t)INI_MAX_SIZE) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0, "%s: %lld bytes, "
		    "larger than %u: not read as an INI file", winpath,
		    (long long)st.st_size, INI_MAX_SIZE);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", winpath);
		goto out;
	}
	/* Read at most one byte more than its size: it may grow meanwhile. */
	if ((n = io_read_full(fd, buf, (size_t)st.st_size + 1)) < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", winpath);
		free(buf);
		goto out;
	}
	got = (size_t)n;
	if (got > (size_t)st.st_size)
		got = (size_t)st.st_size;
	ret = ini_parse(ctx, buf, got, f);
	free(buf);
out:
	close(fd);
	if (ret != OFFMIG_OK && hostp != NULL) {
		free(*hostp);
		*hostp = NULL;
	}
	return ret;
}
