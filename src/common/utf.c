/*
 * utf.c - UTF-16LE and UTF-8 conversion, and name comparison as Windows does
 * it.  Names from hives are UTF-16 that may hold lone surrogates; they are
 * carried as WTF-8 (surrogates encoded like any other code point) so that no
 * byte from the disk is lost on the way to the report.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/* Appends code point cp as (W)UTF-8 at out; returns the bytes written. */
static size_t
put_utf8(unsigned char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

char *
utf16le_to_utf8(const void *data, size_t len, size_t *outlen)
{
	const unsigned char *p = data;
	size_t units = len / 2, i, o = 0;
	unsigned char *out;

	/* Each unit gives at most 3 bytes; a pair gives 4 for 2 units. */
	if (units > (SIZE_MAX - 1) / 3 || (out = malloc(units * 3 + 1)) == NULL)
		return NULL;
	for (i = 0; i < units; i++) {
		uint32_t u = le16(p + 2 * i);

		if (u == 0)
			break;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units) {
			uint32_t lo = le16(p + 2 * (i + 1));

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (lo - 0xDC00);
				i++;
			}
		}
		o += put_utf8(out + o, u);
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return (char *)out;
}

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len, i;

	*cp = c;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, c &= 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 ||
	    c > 0x10FFFF)))
		return 0;
	*cp = c;
	return len;
}

void *
utf8_to_utf16le(const char *s, size_t len, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char *out;
	size_t i = 0, o = 0;

	/* At most one UTF-16 unit (2 bytes) per input byte, 4 per 4 bytes. */
	if (len > (SIZE_MAX - 2) / 2 || (out = malloc(len * 2 + 2)) == NULL)
		return NULL;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);

		if (n == 0) {
			cp = 0xFFFD;
			n = 1;
		}
		i += n;
		if (cp >= 0x10000) {
			uint32_t hi = 0xD800 + ((cp - 0x10000) >> 10);

			cp -= 0x10000;
			out[o++] = (unsigned char)(hi & 0xFF);
			out[o++] = (unsigned char)(hi >> 8);
			cp = 0xDC00 + (cp & 0x3FF);
		}
		out[o++] = (unsigned char)(cp & 0xFF);
		out[o++] = (unsigned char)(cp >> 8);
	}
	if (outlen != NULL)
		*outlen = o;
	return out;
}

char *
latin1_to_utf8(const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned char *out;
	size_t i, o = 0;

	if (len > (SIZE_MAX - 1) / 2 || (out = malloc(len * 2 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len && p[i] != 0; i++)
		o += put_utf8(out + o, p[i]);
	out[o] = '\0';
	return (char *)out;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + i, len - i, &cp);

		if (n == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n;
	}
	return 1;
}

/*
 * Simple upper-casing of the scripts Windows profile and key names use
 * most.  XXX Windows uses a full upcase table ($UpCase on NTFS, the
 * kernel's table for the registry); letters outside these blocks compare
 * case-sensitively here.
 */
static uint32_t
upcase(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 0x20;
	if (c < 0x80)
		return c;
	if ((c >= 0xE0 && c <= 0xFE && c != 0xF7))
		return c - 0x20;
	if (c == 0xFF)
		return 0x178;
	if (c >= 0x100 && c <= 0x17F) {
		/* Latin Extended-A pairs; 0x130-0x138 and 0x149 are odd. */
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? c : c - 1;
		if (c == 0x17F || c == 0x138 || c == 0x149 || c == 0x131 ||
		    c == 0x130)
			return c;
		return (c & 1) ? c - 1 : c;
	}
	if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2)
		return c - 0x20;
	if (c == 0x3C2)
		return 0x3A3;
	if (c >= 0x430 && c <= 0x44F)
		return c - 0x20;
	if (c >= 0x450 && c <= 0x45F)
		return c - 0x50;
	return c;
}

/* Next folded code point of s (advancing it); invalid bytes as themselves. */
static uint32_t
next_folded(const unsigned char **s)
{
	uint32_t cp;
	size_t n;

	/* ASCII, the common case, needs neither decoding nor the table. */
	if (**s < 0x80) {
		cp = *(*s)++;
		return cp >= 'a' && cp <= 'z' ? cp - 0x20 : cp;
	}
	n = utf8_decode(*s, strnlen((const char *)*s, 4), &cp);

	if (n == 0) {
		/* Keep invalid bytes apart from every real code point. */
		cp = 0x110000 + **s;
		n = 1;
	}
	*s += n;
	return upcase(cp);
}

int
wstrcasecmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p != '\0' && *q != '\0') {
		uint32_t x, y;

		/* Identical ASCII bytes compare equal however they fold. */
		if (*p == *q && *p < 0x80) {
			p++;
			q++;
			continue;
		}
		x = next_folded(&p);
		y = next_folded(&q);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return (*p != '\0') - (*q != '\0');
}

/*
 * Matches with '*' and '?' by the classic greedy algorithm with one
 * backtrack point: linear in practice, O(n*m) at worst, never exponential.
 */
int
wildmatch_ci(const char *pattern, const char *name)
{
	const unsigned char *p = (const unsigned char *)pattern;
	const unsigned char *s = (const unsigned char *)name;
	const unsigned char *star_p = NULL, *star_s = NULL;

	while (*s != '\0') {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return 1;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*p != '\0') {
			const unsigned char *p2 = p, *s2 = s;
			uint32_t pc = next_folded(&p2), sc = next_folded(&s2);

			if (*p == '?' || pc == sc) {
				p = p2;
				s = s2;
				continue;
			}
		}
		if (star_p == NULL)
			return 0;
		/* Let the last star swallow one more character. */
		next_folded(&star_s);
		s = star_s;
		p = star_p;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
