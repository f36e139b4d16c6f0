/*
 * pattern.c - USMT encoded locations ("node [leaf]", reference §4.2):
 * parsing with errors that say what is wrong and where, matching as
 * Windows compares names, and the precedence order of §4.1.
 *
 * A pattern is compiled once: node and leaf are folded to upper case and
 * cut at their stars, so that matching folds only the subject, one code
 * point at a time, ASCII inline.  Subjects may hold any bytes (names from
 * the disk need not be UTF-8): an invalid byte is a character of its own
 * that equals only the same byte, as in wstrcasecmp().  Every match is
 * linear in practice and O(n * m) at worst; nothing recurses.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "migrate/pattern.h"
#include "migrate/pattern-impl.h"

/* Upper case of the character at s (n > 0 bytes left); its length in *len. */
static inline uint32_t
fold_cp(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t cp;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0] >= 'a' && s[0] <= 'z' ? s[0] - 0x20u : s[0];
	}
	if ((*len = utf8_decode(s, n, &cp)) == 0) {
		/* Keep invalid bytes apart from every real code point. */
		*len = 1;
		return 0x110000u + s[0];
	}
	return wupcase(cp);
}

/* Length of the character at s (n > 0 bytes left), as fold_cp() steps. */
static inline size_t
char_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	len = utf8_decode(s, n, &cp);
	return len != 0 ? len : 1;
}

static size_t
put_cp(unsigned char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

unsigned char *
upat_fold(const char *str, size_t n, size_t *lenp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char *out, *o;
	size_t i = 0;

	/* A 2-byte character may fold to a 3-byte one: at most 1.5 n. */
	if ((out = malloc(2 * n + 1)) == NULL)
		return NULL;
	o = out;
	while (i < n) {
		size_t len;
		uint32_t cp = fold_cp(s + i, n - i, &len);

		if (cp >= 0x110000u)
			*o++ = s[i];		/* an invalid byte, kept */
		else
			o += put_cp(o, cp);
		i += len;
	}
	*o = '\0';
	if (lenp != NULL)
		*lenp = (size_t)(o - out);
	return out;
}

/*
 * Walks the folded literal lit[0..llen) and the subject s[0..slen) while
 * they are equal; *lip and *sjp get where each stopped.
 */
static void
fold_common(const unsigned char *lit, size_t llen, const unsigned char *s,
    size_t slen, size_t *lip, size_t *sjp)
{
	size_t i = 0, j = 0;

	while (i < llen && j < slen) {
		unsigned char a = lit[i], b = s[j];
		size_t la, lb;

		if (a < 0x80 && b < 0x80) {
			if (b >= 'a' && b <= 'z')
				b -= 0x20;
			if (a != b)
				break;
			i++;
			j++;
			continue;
		}
		if (fold_cp(lit + i, llen - i, &la) !=
		    fold_cp(s + j, slen - j, &lb))
			break;
		i += la;
		j += lb;
	}
	*lip = i;
	*sjp = j;
}

/*
 * Knuth-Morris-Pratt over s[q..n) for a long piece: returns the byte
 * offset just past its first occurrence, or SIZE_MAX; with at_end, only an
 * occurrence that ends exactly at n counts.
 */
static size_t
kmp_scan(const struct upat_piece *pc, const unsigned char *s, size_t q,
    size_t n, int at_end)
{
	size_t k = 0;

	while (q < n) {
		size_t len;
		uint32_t c = fold_cp(s + q, n - q, &len);

		while (k > 0 && pc->cp[k] != c)
			k = pc->fail[k - 1];
		if (pc->cp[k] == c)
			k++;
		q += len;
		if (k == pc->ncp) {
			if (!at_end || q == n)
				return q;
			k = pc->fail[k - 1];
		}
	}
	return SIZE_MAX;
}

/* The code points and failure table of a long piece.  -1 on ENOMEM. */
static int
kmp_compile(struct upat_piece *pc, const unsigned char *lit)
{
	size_t i = 0, n = 0, k;

	if ((pc->cp = malloc((pc->len + 1) * sizeof(*pc->cp))) == NULL ||
	    (pc->fail = malloc((pc->len + 1) * sizeof(*pc->fail))) == NULL)
		return -1;
	while (i < pc->len) {
		size_t len;

		pc->cp[n++] = fold_cp(lit + i, pc->len - i, &len);
		i += len;
	}
	pc->ncp = (uint32_t)n;
	pc->fail[0] = 0;
	for (i = 1, k = 0; i < n; i++) {
		while (k > 0 && pc->cp[i] != pc->cp[k])
			k = pc->fail[k - 1];
		if (pc->cp[i] == pc->cp[k])
			k++;
		pc->fail[i] = (uint32_t)k;
	}
	return 0;
}

/*
 * Finds the leftmost place at or after *pos where the piece matches; *pos
 * gets the end of that match.  Greedy leftmost is exact for '*'-only
 * globs: a later piece can only gain from an earlier end.
 */
static int
find_piece(const struct upat_glob *g, const struct upat_piece *pc,
    const unsigned char *s, size_t n, size_t *pos)
{
	const unsigned char *lit = g->base + pc->off;
	size_t q = *pos, li, sj;

	if (pc->cp != NULL) {
		if ((q = kmp_scan(pc, s, q, n, 0)) == SIZE_MAX)
			return 0;
		*pos = q;
		return 1;
	}
	for (;;) {
		if (pc->ascii) {
			if (n - q < pc->len)
				return 0;
			/* First byte first: most places fail there. */
			if ((s[q] >= 'a' && s[q] <= 'z' ? s[q] - 0x20 : s[q]) !=
			    lit[0]) {
				q += char_len(s + q, n - q);
				continue;
			}
		}
		fold_common(lit, pc->len, s + q, n - q, &li, &sj);
		if (li == pc->len) {
			*pos = q + sj;
			return 1;
		}
		if (q >= n)
			return 0;
		q += char_len(s + q, n - q);
	}
}

/* Whether the piece matches the whole end of s[0..n). */
static int
ends_with(const struct upat_glob *g, const struct upat_piece *pc,
    const unsigned char *s, size_t n)
{
	const unsigned char *lit = g->base + pc->off;
	size_t q, i, li, sj;

	if (pc->ascii) {
		/*
		 * An ASCII letter only ever equals an ASCII letter (Windows
		 * maps nothing else onto ASCII), and an ASCII byte is always
		 * a character of its own: compare the last len bytes.
		 */
		if (n < pc->len)
			return 0;
		s += n - pc->len;
		for (i = 0; i < pc->len; i++) {
			unsigned char b = s[i];

			if (b >= 'a' && b <= 'z')
				b -= 0x20;
			if (b != lit[i])
				return 0;
		}
		return 1;
	}
	if (pc->cp != NULL)
		return kmp_scan(pc, s, 0, n, 1) != SIZE_MAX;
	for (q = 0; q <= n; q += char_len(s + q, n - q)) {
		fold_common(lit, pc->len, s + q, n - q, &li, &sj);
		if (li == pc->len && sj == n - q)
			return 1;
		if (q == n)
			break;
	}
	return 0;
}

int
upat_glob_match(const struct upat_glob *g, const unsigned char *s, size_t n)
{
	size_t pos = 0, i = 0, last, li, sj;

	if (g->n == 0)
		return g->lead || g->trail ? 1 : n == 0;
	if (!g->lead) {
		const struct upat_piece *pc = &g->pc[0];

		fold_common(g->base + pc->off, pc->len, s, n, &li, &sj);
		if (li != pc->len)
			return 0;
		if (g->n == 1 && !g->trail)
			return sj == n;
		pos = sj;
		i = 1;
	}
	last = g->trail ? g->n : g->n - 1;
	for (; i < last; i++)
		if (!find_piece(g, &g->pc[i], s, n, &pos))
			return 0;
	if (g->trail)
		return 1;
	return ends_with(g, &g->pc[g->n - 1], s + pos, n - pos);
}

/* Cuts folded text at its stars.  -1 on ENOMEM. */
static int
glob_compile(struct upat_glob *g, const unsigned char *base, size_t len)
{
	size_t i = 0, n = 0, stars = 0;

	for (i = 0; i < len; i++)
		stars += base[i] == '*';
	g->base = base;
	g->pc = NULL;
	g->n = 0;
	g->lead = len > 0 && base[0] == '*';
	g->trail = len > 0 && base[len - 1] == '*';
	if ((g->pc = calloc(stars + 1, sizeof(*g->pc))) == NULL)
		return -1;
	i = 0;
	while (i < len) {
		size_t start, k;
		int ascii = 1;

		while (i < len && base[i] == '*')
			i++;
		start = i;
		while (i < len && base[i] != '*')
			i++;
		if (i == start)
			continue;
		for (k = start; k < i; k++)
			if (base[k] >= 0x80)
				ascii = 0;
		g->pc[n].off = (uint32_t)start;
		g->pc[n].len = (uint32_t)(i - start);
		g->pc[n].ascii = (uint8_t)ascii;
		g->n = (uint32_t)++n;
		if (i - start > UPAT_PIECE_KMP &&
		    kmp_compile(&g->pc[n - 1], base + start) != 0)
			return -1;
	}
	return 0;
}

void
upat_glob_release(struct upat_glob *g)
{
	uint32_t i;

	for (i = 0; g->pc != NULL && i < g->n; i++) {
		free(g->pc[i].cp);
		free(g->pc[i].fail);
	}
	free(g->pc);
	g->pc = NULL;
	g->n = 0;
}

int
upat_node_match(const struct upat *p, const char *dir, size_t n)
{
	const unsigned char *s = (const unsigned char *)dir;

	if (upat_glob_match(&p->ng, s, n))
		return 1;
	return p->has_alt && upat_glob_match(&p->alt, s, n);
}

int
upat_node_may_match_below(const struct upat *p, const char *dir, size_t n)
{
	size_t li, sj;

	fold_common(p->fnode, p->lit_len, (const unsigned char *)dir, n, &li,
	    &sj);
	if (p->node_star) {
		/* dir holds the whole literal prefix: the star does the rest. */
		if (li == p->lit_len)
			return 1;
		/* The prefix goes on below dir. */
		return sj == n && p->fnode[li] == '\\';
	}
	if (li == p->lit_len && sj == n)
		return 1;
	return sj == n && li < p->lit_len && p->fnode[li] == '\\';
}

int
upat_leaf_match(const struct upat *p, const char *name, size_t n,
    const char *ext, size_t extlen)
{
	switch (p->lk) {
	case UPAT_LEAF_NONE:
		return 0;
	case UPAT_LEAF_ANY:
		return 1;
	case UPAT_LEAF_EXT:
		return extlen == p->extlen && memcmp(ext, p->ext, extlen) == 0;
	case UPAT_LEAF_LIT:
	case UPAT_LEAF_GLOB:
		break;
	}
	return upat_glob_match(&p->lg, (const unsigned char *)name, n);
}

/* The extension of name for upat_leaf_match(), folded into buf. */
static size_t
name_ext(const char *name, size_t n, char *buf)
{
	const char *dot = NULL;
	size_t i, len;

	for (i = n; i > 0; i--)
		if (name[i - 1] == '.') {
			dot = name + i - 1;
			break;
		}
	if (dot == NULL)
		return SIZE_MAX;
	len = n - (size_t)(dot + 1 - name);
	if (len > UPAT_EXT_MAX)
		return SIZE_MAX;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)dot[1 + i];

		if (c >= 0x80)
			return SIZE_MAX;
		buf[i] = (char)(c >= 'a' && c <= 'z' ? c - 0x20 : c);
	}
	return len;
}

/* Error reporting: the start of the text, printable, and what is wrong. */
static int __attribute__((format(printf, 4, 5)))
perr(struct offmig_ctx *ctx, const char *text, size_t len, const char *fmt,
    ...)
{
	char what[256], quote[72];
	size_t i, q = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	for (i = 0; i < len && q < 60; i++) {
		unsigned char c = (unsigned char)text[i];

		quote[q++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
	}
	/* Never end in half a UTF-8 character. */
	if (i < len)
		while (q > 0 && ((unsigned char)quote[q - 1] & 0xC0) == 0x80)
			q--;
	if (i < len && q > 0 && (unsigned char)quote[q - 1] >= 0xC0)
		q--;
	quote[q] = '\0';
	return ctx_set_error(ctx, OFFMIG_EXML, 0, "pattern '%s%s': %s", quote,
	    i < len ? "..." : "", what);
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Counts code points of s that are not '*' (nor '\' when nosep). */
static int
count_chars(const char *s, int nosep)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	int c = 0;

	while (i < n) {
		if (p[i] != '*' && !(nosep && p[i] == '\\'))
			c++;
		i += char_len(p + i, n - i);
	}
	return c;
}

/* Appends s with '[', ']' and '^' escaped. */
static char *
escape_into(char *o, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '[' || *s == ']' || *s == '^')
			*o++ = '^';
		*o++ = *s;
	}
	return o;
}

/* Drops runs of '*' to one, in place. */
static void
squeeze_stars(char *s)
{
	const char *p;
	char *o = s;

	for (p = s; *p != '\0'; p++)
		if (!(*p == '*' && o > s && o[-1] == '*'))
			*o++ = *p;
	*o = '\0';
}

/*
 * The node of a file pattern: '/' is '\', runs of '\' are one (but a
 * leading "\\" stays), no trailing '\'.
 */
static void
tidy_file_node(char *s)
{
	size_t keep = 0;
	char *o, *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '/')
			*p = '\\';
	if (s[0] == '\\' && s[1] == '\\')
		keep = 2;
	o = s + keep;
	for (p = s + keep; *p != '\0'; p++) {
		if (*p == '\\' && o > s + keep && o[-1] == '\\')
			continue;
		*o++ = *p;
	}
	while (o > s + keep && o[-1] == '\\')
		o--;
	*o = '\0';
}

static int
has_dotdot(const char *s)
{
	const char *p = s;

	while (*p != '\0') {
		const char *q = p;

		while (*q != '\0' && *q != '\\' && *q != '/')
			q++;
		if (q - p == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p = *q != '\0' ? q + 1 : q;
	}
	return 0;
}

/* Rewrites a registry root to HKLM / HKCU; -1 when it is neither. */
static int
registry_root(char *s)
{
	static const struct {
		const char	*name;
		const char	*shortname;
	} roots[] = {
		{ "HKEY_LOCAL_MACHINE", "HKLM" },
		{ "HKEY_CURRENT_USER", "HKCU" },
		{ "HKLM", "HKLM" },
		{ "HKCU", "HKCU" },
	};
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		size_t len = strlen(roots[i].name);

		if (strncasecmp(s, roots[i].name, len) == 0 &&
		    (s[len] == '\\' || s[len] == '\0')) {
			memcpy(s, roots[i].shortname, 4);
			memmove(s + 4, s + len, strlen(s + len) + 1);
			return 0;
		}
	}
	return -1;
}

static int
compile(struct upat *p)
{
	unsigned char *u;
	size_t i;
	int comps = 0, lit = 1;
	const char *c;

	if ((p->fnode = upat_fold(p->node, strlen(p->node), &p->fnode_len)) ==
	    NULL)
		return -1;
	u = memchr(p->fnode, '*', p->fnode_len);
	p->node_star = u != NULL;
	p->lit_len = u != NULL ? (size_t)(u - p->fnode) : p->fnode_len;
	p->node_trail = p->fnode_len > 0 && p->fnode[p->fnode_len - 1] == '*';
	if (glob_compile(&p->ng, p->fnode, p->fnode_len) != 0)
		return -1;
	if (p->fnode_len >= 2 && p->fnode[p->fnode_len - 1] == '*' &&
	    p->fnode[p->fnode_len - 2] == '\\') {
		p->has_alt = 1;
		if (glob_compile(&p->alt, p->fnode, p->fnode_len - 2) != 0)
			return -1;
	}
	p->lk = UPAT_LEAF_NONE;
	if (p->leaf != NULL) {
		if ((p->fleaf = upat_fold(p->leaf, strlen(p->leaf),
		    &p->fleaf_len)) == NULL ||
		    glob_compile(&p->lg, p->fleaf, p->fleaf_len) != 0)
			return -1;
		if (p->lg.n == 0 && (p->lg.lead || p->lg.trail))
			p->lk = UPAT_LEAF_ANY;
		else if (memchr(p->fleaf, '*', p->fleaf_len) == NULL)
			p->lk = UPAT_LEAF_LIT;
		else {
			p->lk = UPAT_LEAF_GLOB;
			if (p->fleaf_len >= 3 &&
			    p->fleaf_len - 2 <= UPAT_EXT_MAX &&
			    p->fleaf[0] == '*' && p->fleaf[1] == '.') {
				int ok = 1;

				for (i = 2; i < p->fleaf_len; i++)
					if (p->fleaf[i] >= 0x80 ||
					    p->fleaf[i] == '*' ||
					    p->fleaf[i] == '.')
						ok = 0;
				if (ok) {
					p->lk = UPAT_LEAF_EXT;
					p->extlen = p->fleaf_len - 2;
					memcpy(p->ext, p->fleaf + 2, p->extlen);
				}
			}
		}
	}

	/* The specificity key (see pattern.h). */
	for (c = p->node; lit && *c != '\0'; ) {
		const char *e = c;

		while (*e != '\0' && *e != '\\') {
			if (*e == '*')
				lit = 0;
			e++;
		}
		if (lit)
			comps++;
		c = *e != '\0' ? e + 1 : e;
	}
	p->spec[0] = comps;
	p->spec[1] = !p->node_star;
	p->spec[2] = count_chars(p->node, 1);
	if (p->leaf == NULL)
		p->spec[3] = 0;
	else if (p->lk == UPAT_LEAF_ANY)
		p->spec[3] = 1;
	else if (p->lk == UPAT_LEAF_LIT)
		p->spec[3] = 3;
	else
		p->spec[3] = 2;
	p->spec[4] = p->leaf != NULL ? count_chars(p->leaf, 0) : 0;
	return 0;
}

int
upat_parse(struct offmig_ctx *ctx, enum upat_type type, const char *text,
    struct upat **pp)
{
	struct upat *p = NULL;
	char *node = NULL, *leaf = NULL, *o;
	size_t len, b, e, i, nn = 0, nl = 0, open_col = 0;
	int in_leaf = 0, have_leaf = 0, ended = 0, ret;

	*pp = NULL;
	if (text == NULL)
		return ctx_set_error(ctx, OFFMIG_EXML, 0, "empty pattern");
	if (type != UPAT_FILE && type != UPAT_REGISTRY && type != UPAT_INI)
		return ctx_set_error(ctx, OFFMIG_EXML, 0,
		    "pattern '%.60s': unknown pattern type %d", text,
		    (int)type);
	if ((len = strnlen(text, UPAT_MAX_TEXT + 1)) > UPAT_MAX_TEXT)
		return perr(ctx, text, UPAT_MAX_TEXT, "longer than %d bytes",
		    UPAT_MAX_TEXT);
	for (b = 0; b < len && is_ws(text[b]); b++)
		;
	for (e = len; e > b && is_ws(text[e - 1]); e--)
		;
	if (b == e)
		return ctx_set_error(ctx, OFFMIG_EXML, 0, "empty pattern");
	for (i = b; i < e; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7F)
			return perr(ctx, text + b, e - b,
			    "control character 0x%02X at column %zu", c,
			    i + 1);
	}
	if ((node = malloc(e - b + 1)) == NULL ||
	    (leaf = malloc(e - b + 1)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "pattern");
		goto fail;
	}
	for (i = b; i < e; i++) {
		char c = text[i];

		if (ended) {
			ret = perr(ctx, text + b, e - b,
			    "unexpected text after ']' at column %zu (a leaf "
			    "ends the pattern)", i + 1);
			goto fail;
		}
		if (c == '^') {
			char n = i + 1 < e ? text[i + 1] : '\0';

			if (n == '\0') {
				ret = perr(ctx, text + b, e - b,
				    "'^' at the end escapes nothing");
				goto fail;
			}
			if (n != '[' && n != ']' && n != '^') {
				ret = perr(ctx, text + b, e - b,
				    "bad escape '^%c' at column %zu ('^' "
				    "escapes only '[', ']' and '^')", n, i + 1);
				goto fail;
			}
			if (in_leaf)
				leaf[nl++] = n;
			else
				node[nn++] = n;
			i++;
			continue;
		}
		if (c == '[') {
			if (in_leaf) {
				ret = perr(ctx, text + b, e - b,
				    "'[' at column %zu inside the leaf opened "
				    "at column %zu (write '^[' for a bracket "
				    "in a name)", i + 1, open_col);
				goto fail;
			}
			if (type != UPAT_INI && i > b && text[i - 1] != ' ') {
				ret = perr(ctx, text + b, e - b,
				    "missing space before '[' at column %zu "
				    "(write 'node [leaf]', or '^[' for a "
				    "bracket in a name)", i + 1);
				goto fail;
			}
			in_leaf = 1;
			open_col = i + 1;
			continue;
		}
		if (c == ']') {
			if (!in_leaf) {
				ret = perr(ctx, text + b, e - b,
				    "unbalanced ']' at column %zu (write '^]' "
				    "for a bracket in a name)", i + 1);
				goto fail;
			}
			in_leaf = 0;
			have_leaf = 1;
			ended = 1;
			continue;
		}
		if (in_leaf)
			leaf[nl++] = c;
		else
			node[nn++] = c;
	}
	if (in_leaf) {
		ret = perr(ctx, text + b, e - b,
		    "unbalanced '[' at column %zu: no closing ']'", open_col);
		goto fail;
	}
	/* The spaces that separate node and leaf. */
	while (nn > 0 && node[nn - 1] == ' ')
		nn--;
	node[nn] = '\0';
	leaf[nl] = '\0';
	if (!have_leaf) {
		free(leaf);
		leaf = NULL;
	}
	squeeze_stars(node);
	if (leaf != NULL)
		squeeze_stars(leaf);

	if (type == UPAT_FILE)
		tidy_file_node(node);
	/* No trailing blanks or separators: Windows names end in neither. */
	for (nn = strlen(node); nn > 0 && (node[nn - 1] == ' ' ||
	    (type != UPAT_INI && node[nn - 1] == '\\')); )
		node[--nn] = '\0';
	switch (type) {
	case UPAT_FILE:
		if (leaf != NULL && *leaf == '\0') {
			ret = perr(ctx, text + b, e - b, "empty leaf '[]' "
			    "(only a registry default value has no name)");
			goto fail;
		}
		if (leaf != NULL && strpbrk(leaf, "\\/") != NULL) {
			ret = perr(ctx, text + b, e - b, "the leaf '%.60s' "
			    "holds a path separator; a file name has none",
			    leaf);
			goto fail;
		}
		break;
	case UPAT_REGISTRY:
		if (*node != '\0' && registry_root(node) != 0) {
			ret = perr(ctx, text + b, e - b, "a registry pattern "
			    "starts with HKLM\\ or HKCU\\ (or "
			    "HKEY_LOCAL_MACHINE\\, HKEY_CURRENT_USER\\)");
			goto fail;
		}
		break;
	case UPAT_INI:
		if (strchr(node, '|') == NULL) {
			ret = perr(ctx, text + b, e - b, "an Ini pattern is "
			    "'path|Section[key]' and has no '|'");
			goto fail;
		}
		if (node[0] == '|') {
			ret = perr(ctx, text + b, e - b,
			    "no file before '|' in an Ini pattern");
			goto fail;
		}
		break;
	}
	if (*node == '\0') {
		ret = perr(ctx, text + b, e - b, "no node (a folder or key) "
		    "before the leaf");
		goto fail;
	}
	if (type != UPAT_REGISTRY && has_dotdot(node)) {
		ret = perr(ctx, text + b, e - b,
		    "'..' in a pattern is refused: it would leave the folder");
		goto fail;
	}

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "pattern");
		goto fail;
	}
	p->type = type;
	p->node = node;
	p->leaf = leaf;
	node = leaf = NULL;
	/* Canonical text: every bracket and caret escaped again. */
	if ((p->text = malloc(2 * strlen(p->node) + (p->leaf != NULL ?
	    2 * strlen(p->leaf) : 0) + 4)) == NULL || compile(p) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "pattern");
		goto fail;
	}
	o = escape_into(p->text, p->node);
	if (p->leaf != NULL) {
		if (type != UPAT_INI)
			*o++ = ' ';
		*o++ = '[';
		o = escape_into(o, p->leaf);
		*o++ = ']';
	}
	*o = '\0';
	*pp = p;
	return OFFMIG_OK;

fail:
	upat_free(p);
	free(node);
	free(leaf);
	return ret;
}

void
upat_free(struct upat *p)
{
	if (p == NULL)
		return;
	free(p->text);
	free(p->node);
	free(p->leaf);
	free(p->fnode);
	free(p->fleaf);
	upat_glob_release(&p->ng);
	upat_glob_release(&p->alt);
	upat_glob_release(&p->lg);
	free(p);
}

enum upat_type
upat_type(const struct upat *p)
{
	return p->type;
}

const char *
upat_text(const struct upat *p)
{
	return p->text;
}

const char *
upat_node(const struct upat *p)
{
	return p->node;
}

const char *
upat_leaf(const struct upat *p)
{
	return p->leaf;
}

int
upat_has_leaf(const struct upat *p)
{
	return p->leaf != NULL;
}

/*
 * dir as the compiled node expects it: registry long root names made
 * short, trailing '\'s dropped.  *tofree gets what the caller frees.
 * NULL on ENOMEM.
 */
static const char *
canon_dir(const struct upat *p, const char *dir, size_t *np, char **tofree)
{
	size_t n = strlen(dir);

	*tofree = NULL;
	if (p->type == UPAT_REGISTRY) {
		static const char *const longs[] = {
			"HKEY_LOCAL_MACHINE", "HKEY_CURRENT_USER"
		};
		static const char *const shorts[] = { "HKLM", "HKCU" };
		size_t i;

		for (i = 0; i < 2; i++) {
			size_t l = strlen(longs[i]);

			if (n >= l && strncasecmp(dir, longs[i], l) == 0 &&
			    (dir[l] == '\\' || dir[l] == '\0')) {
				if ((*tofree = malloc(n - l + 5)) == NULL)
					return NULL;
				memcpy(*tofree, shorts[i], 4);
				memcpy(*tofree + 4, dir + l, n - l + 1);
				dir = *tofree;
				n = n - l + 4;
				break;
			}
		}
	}
	while (n > 0 && dir[n - 1] == '\\')
		n--;
	*np = n;
	return dir;
}

int
upat_match(const struct upat *p, const char *dir, const char *leaf)
{
	char *tofree, ext[UPAT_EXT_MAX + 1];
	const char *d;
	size_t n;
	int m;

	if (p == NULL || dir == NULL || (leaf == NULL) != (p->leaf == NULL))
		return 0;
	if ((d = canon_dir(p, dir, &n, &tofree)) == NULL)
		return 0;
	m = upat_node_match(p, d, n);
	if (m && leaf != NULL) {
		size_t ln = strlen(leaf);

		m = upat_leaf_match(p, leaf, ln, ext, name_ext(leaf, ln, ext));
	}
	free(tofree);
	return m;
}

int
upat_may_match_below(const struct upat *p, const char *dir)
{
	char *tofree;
	const char *d;
	size_t n;
	int m;

	if (p == NULL || dir == NULL)
		return 0;
	/* Unsure (out of memory): yes, as the contract allows. */
	if ((d = canon_dir(p, dir, &n, &tofree)) == NULL)
		return 1;
	m = upat_node_may_match_below(p, d, n);
	free(tofree);
	return m;
}

int
upat_covers_tree(const struct upat *p, const char *dir)
{
	char *tofree;
	const char *d;
	size_t n;
	int m;

	if (p == NULL || dir == NULL || !p->node_trail ||
	    (p->leaf != NULL && p->lk != UPAT_LEAF_ANY))
		return 0;
	if ((d = canon_dir(p, dir, &n, &tofree)) == NULL)
		return 0;
	/*
	 * A node ending in '*' that matches dir matches every path below
	 * it too: the last star takes the rest.
	 */
	m = upat_node_match(p, d, n);
	free(tofree);
	return m;
}

char *
upat_root(const struct upat *p)
{
	const char *star = strchr(p->node, '*');
	size_t k;

	if (star == NULL)
		return strdup(p->node);
	for (k = (size_t)(star - p->node); k > 0 && p->node[k - 1] != '\\';
	    k--)
		;
	/* k is just past the last '\' before the star, or 0. */
	return strndup(p->node, k > 0 ? k - 1 : 0);
}

int
upat_specificity_cmp(const struct upat *a, const struct upat *b)
{
	int i;

	for (i = 0; i < 5; i++)
		if (a->spec[i] != b->spec[i])
			return a->spec[i] < b->spec[i] ? -1 : 1;
	return 0;
}
