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
 * Upper case as Windows compares registry and file names: the simple
 * (one to one) upper-case mappings of the Basic Multilingual Plane, as
 * runs of letters that share a delta (step 2 for the alternating
 * upper/lower pairs of Latin Extended and others).  Generated with
 * Python's unicodedata from Unicode 14.0.0: for every code point
 * U+0080..U+FFFF whose str.upper() is one BMP character other than itself.
 * Mappings onto ASCII (U+0131 dotless i, U+017F long s) are left out:
 * Windows keeps those apart from I and S.  Code points outside the BMP
 * compare as themselves, as UTF-16 units do in Windows' tables.
 */
static const struct upcase_run {
	uint16_t	lo, hi;
	int32_t		delta;
	uint8_t		step;
} upcase_runs[] = {
	{ 0x00B5, 0x00B5, 743, 1 },
	{ 0x00E0, 0x00F6, -32, 1 },
	{ 0x00F8, 0x00FE, -32, 1 },
	{ 0x00FF, 0x00FF, 121, 1 },
	{ 0x0101, 0x012F, -1, 2 },
	{ 0x0133, 0x0137, -1, 2 },
	{ 0x013A, 0x0148, -1, 2 },
	{ 0x014B, 0x0177, -1, 2 },
	{ 0x017A, 0x017E, -1, 2 },
	{ 0x0180, 0x0180, 195, 1 },
	{ 0x0183, 0x0185, -1, 2 },
	{ 0x0188, 0x0188, -1, 1 },
	{ 0x018C, 0x018C, -1, 1 },
	{ 0x0192, 0x0192, -1, 1 },
	{ 0x0195, 0x0195, 97, 1 },
	{ 0x0199, 0x0199, -1, 1 },
	{ 0x019A, 0x019A, 163, 1 },
	{ 0x019E, 0x019E, 130, 1 },
	{ 0x01A1, 0x01A5, -1, 2 },
	{ 0x01A8, 0x01A8, -1, 1 },
	{ 0x01AD, 0x01AD, -1, 1 },
	{ 0x01B0, 0x01B0, -1, 1 },
	{ 0x01B4, 0x01B6, -1, 2 },
	{ 0x01B9, 0x01B9, -1, 1 },
	{ 0x01BD, 0x01BD, -1, 1 },
	{ 0x01BF, 0x01BF, 56, 1 },
	{ 0x01C5, 0x01C5, -1, 1 },
	{ 0x01C6, 0x01C6, -2, 1 },
	{ 0x01C8, 0x01C8, -1, 1 },
	{ 0x01C9, 0x01C9, -2, 1 },
	{ 0x01CB, 0x01CB, -1, 1 },
	{ 0x01CC, 0x01CC, -2, 1 },
	{ 0x01CE, 0x01DC, -1, 2 },
	{ 0x01DD, 0x01DD, -79, 1 },
	{ 0x01DF, 0x01EF, -1, 2 },
	{ 0x01F2, 0x01F2, -1, 1 },
	{ 0x01F3, 0x01F3, -2, 1 },
	{ 0x01F5, 0x01F5, -1, 1 },
	{ 0x01F9, 0x021F, -1, 2 },
	{ 0x0223, 0x0233, -1, 2 },
	{ 0x023C, 0x023C, -1, 1 },
	{ 0x023F, 0x0240, 10815, 1 },
	{ 0x0242, 0x0242, -1, 1 },
	{ 0x0247, 0x024F, -1, 2 },
	{ 0x0250, 0x0250, 10783, 1 },
	{ 0x0251, 0x0251, 10780, 1 },
	{ 0x0252, 0x0252, 10782, 1 },
	{ 0x0253, 0x0253, -210, 1 },
	{ 0x0254, 0x0254, -206, 1 },
	{ 0x0256, 0x0257, -205, 1 },
	{ 0x0259, 0x0259, -202, 1 },
	{ 0x025B, 0x025B, -203, 1 },
	{ 0x025C, 0x025C, 42319, 1 },
	{ 0x0260, 0x0260, -205, 1 },
	{ 0x0261, 0x0261, 42315, 1 },
	{ 0x0263, 0x0263, -207, 1 },
	{ 0x0265, 0x0265, 42280, 1 },
	{ 0x0266, 0x0266, 42308, 1 },
	{ 0x0268, 0x0268, -209, 1 },
	{ 0x0269, 0x0269, -211, 1 },
	{ 0x026A, 0x026A, 42308, 1 },
	{ 0x026B, 0x026B, 10743, 1 },
	{ 0x026C, 0x026C, 42305, 1 },
	{ 0x026F, 0x026F, -211, 1 },
	{ 0x0271, 0x0271, 10749, 1 },
	{ 0x0272, 0x0272, -213, 1 },
	{ 0x0275, 0x0275, -214, 1 },
	{ 0x027D, 0x027D, 10727, 1 },
	{ 0x0280, 0x0280, -218, 1 },
	{ 0x0282, 0x0282, 42307, 1 },
	{ 0x0283, 0x0283, -218, 1 },
	{ 0x0287, 0x0287, 42282, 1 },
	{ 0x0288, 0x0288, -218, 1 },
	{ 0x0289, 0x0289, -69, 1 },
	{ 0x028A, 0x028B, -217, 1 },
	{ 0x028C, 0x028C, -71, 1 },
	{ 0x0292, 0x0292, -219, 1 },
	{ 0x029D, 0x029D, 42261, 1 },
	{ 0x029E, 0x029E, 42258, 1 },
	{ 0x0345, 0x0345, 84, 1 },
	{ 0x0371, 0x0373, -1, 2 },
	{ 0x0377, 0x0377, -1, 1 },
	{ 0x037B, 0x037D, 130, 1 },
	{ 0x03AC, 0x03AC, -38, 1 },
	{ 0x03AD, 0x03AF, -37, 1 },
	{ 0x03B1, 0x03C1, -32, 1 },
	{ 0x03C2, 0x03C2, -31, 1 },
	{ 0x03C3, 0x03CB, -32, 1 },
	{ 0x03CC, 0x03CC, -64, 1 },
	{ 0x03CD, 0x03CE, -63, 1 },
	{ 0x03D0, 0x03D0, -62, 1 },
	{ 0x03D1, 0x03D1, -57, 1 },
	{ 0x03D5, 0x03D5, -47, 1 },
	{ 0x03D6, 0x03D6, -54, 1 },
	{ 0x03D7, 0x03D7, -8, 1 },
	{ 0x03D9, 0x03EF, -1, 2 },
	{ 0x03F0, 0x03F0, -86, 1 },
	{ 0x03F1, 0x03F1, -80, 1 },
	{ 0x03F2, 0x03F2, 7, 1 },
	{ 0x03F3, 0x03F3, -116, 1 },
	{ 0x03F5, 0x03F5, -96, 1 },
	{ 0x03F8, 0x03F8, -1, 1 },
	{ 0x03FB, 0x03FB, -1, 1 },
	{ 0x0430, 0x044F, -32, 1 },
	{ 0x0450, 0x045F, -80, 1 },
	{ 0x0461, 0x0481, -1, 2 },
	{ 0x048B, 0x04BF, -1, 2 },
	{ 0x04C2, 0x04CE, -1, 2 },
	{ 0x04CF, 0x04CF, -15, 1 },
	{ 0x04D1, 0x052F, -1, 2 },
	{ 0x0561, 0x0586, -48, 1 },
	{ 0x10D0, 0x10FA, 3008, 1 },
	{ 0x10FD, 0x10FF, 3008, 1 },
	{ 0x13F8, 0x13FD, -8, 1 },
	{ 0x1C80, 0x1C80, -6254, 1 },
	{ 0x1C81, 0x1C81, -6253, 1 },
	{ 0x1C82, 0x1C82, -6244, 1 },
	{ 0x1C83, 0x1C84, -6242, 1 },
	{ 0x1C85, 0x1C85, -6243, 1 },
	{ 0x1C86, 0x1C86, -6236, 1 },
	{ 0x1C87, 0x1C87, -6181, 1 },
	{ 0x1C88, 0x1C88, 35266, 1 },
	{ 0x1D79, 0x1D79, 35332, 1 },
	{ 0x1D7D, 0x1D7D, 3814, 1 },
	{ 0x1D8E, 0x1D8E, 35384, 1 },
	{ 0x1E01, 0x1E95, -1, 2 },
	{ 0x1E9B, 0x1E9B, -59, 1 },
	{ 0x1EA1, 0x1EFF, -1, 2 },
	{ 0x1F00, 0x1F07, 8, 1 },
	{ 0x1F10, 0x1F15, 8, 1 },
	{ 0x1F20, 0x1F27, 8, 1 },
	{ 0x1F30, 0x1F37, 8, 1 },
	{ 0x1F40, 0x1F45, 8, 1 },
	{ 0x1F51, 0x1F57, 8, 2 },
	{ 0x1F60, 0x1F67, 8, 1 },
	{ 0x1F70, 0x1F71, 74, 1 },
	{ 0x1F72, 0x1F75, 86, 1 },
	{ 0x1F76, 0x1F77, 100, 1 },
	{ 0x1F78, 0x1F79, 128, 1 },
	{ 0x1F7A, 0x1F7B, 112, 1 },
	{ 0x1F7C, 0x1F7D, 126, 1 },
	{ 0x1FB0, 0x1FB1, 8, 1 },
	{ 0x1FBE, 0x1FBE, -7205, 1 },
	{ 0x1FD0, 0x1FD1, 8, 1 },
	{ 0x1FE0, 0x1FE1, 8, 1 },
	{ 0x1FE5, 0x1FE5, 7, 1 },
	{ 0x214E, 0x214E, -28, 1 },
	{ 0x2170, 0x217F, -16, 1 },
	{ 0x2184, 0x2184, -1, 1 },
	{ 0x24D0, 0x24E9, -26, 1 },
	{ 0x2C30, 0x2C5F, -48, 1 },
	{ 0x2C61, 0x2C61, -1, 1 },
	{ 0x2C65, 0x2C65, -10795, 1 },
	{ 0x2C66, 0x2C66, -10792, 1 },
	{ 0x2C68, 0x2C6C, -1, 2 },
	{ 0x2C73, 0x2C73, -1, 1 },
	{ 0x2C76, 0x2C76, -1, 1 },
	{ 0x2C81, 0x2CE3, -1, 2 },
	{ 0x2CEC, 0x2CEE, -1, 2 },
	{ 0x2CF3, 0x2CF3, -1, 1 },
	{ 0x2D00, 0x2D25, -7264, 1 },
	{ 0x2D27, 0x2D27, -7264, 1 },
	{ 0x2D2D, 0x2D2D, -7264, 1 },
	{ 0xA641, 0xA66D, -1, 2 },
	{ 0xA681, 0xA69B, -1, 2 },
	{ 0xA723, 0xA72F, -1, 2 },
	{ 0xA733, 0xA76F, -1, 2 },
	{ 0xA77A, 0xA77C, -1, 2 },
	{ 0xA77F, 0xA787, -1, 2 },
	{ 0xA78C, 0xA78C, -1, 1 },
	{ 0xA791, 0xA793, -1, 2 },
	{ 0xA794, 0xA794, 48, 1 },
	{ 0xA797, 0xA7A9, -1, 2 },
	{ 0xA7B5, 0xA7C3, -1, 2 },
	{ 0xA7C8, 0xA7CA, -1, 2 },
	{ 0xA7D1, 0xA7D1, -1, 1 },
	{ 0xA7D7, 0xA7D9, -1, 2 },
	{ 0xA7F6, 0xA7F6, -1, 1 },
	{ 0xAB53, 0xAB53, -928, 1 },
	{ 0xAB70, 0xABBF, -38864, 1 },
	{ 0xFF41, 0xFF5A, -32, 1 },
};

uint32_t
wupcase(uint32_t c)
{
	size_t lo = 0, hi = sizeof(upcase_runs) / sizeof(upcase_runs[0]);

	if (c < 0x80)
		return c >= 'a' && c <= 'z' ? c - 0x20 : c;
	if (c > 0xFFFF)
		return c;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct upcase_run *r = &upcase_runs[mid];

		if (c < r->lo)
			hi = mid;
		else if (c > r->hi)
			lo = mid + 1;
		else
			return (c - r->lo) % r->step == 0 ?
			    (uint32_t)((int32_t)c + r->delta) : c;
	}
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
	return wupcase(cp);
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
