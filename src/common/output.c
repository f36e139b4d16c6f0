/*
 * output.c - printing documents: JSON, aligned tables, CSV and "label: value"
 * blocks.  One tree, three forms, so the table and the JSON of a report can
 * never disagree.
 *
 * JSON and bytes from the disk: strings are written as UTF-8.  What is not
 * valid Unicode is mapped into Supplementary Private Use Area-B, so that the
 * document stays valid for every JSON parser (jq refuses lone surrogate
 * escapes) and the original can still be recovered: a lone UTF-16
 * surrogate U+D800..U+DFFF from a hive (carried as WTF-8) becomes
 * U+10D800..U+10DFFF, and a byte 0x80..0xFF that is not part of valid UTF-8
 * becomes U+10DC80..U+10DCFF (the surrogate Python's "surrogateescape" would
 * give it, moved to plane 16).  Both are written as \\u surrogate-pair
 * escapes, visible in the text.  Tables print them and control characters
 * as '?'.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "common/doc.h"

/*
 * JSON goes through a private buffer: a report of a large volume is
 * millions of small tokens, and one locked stdio call per token cost more
 * than building the report.
 */
struct jout {
	FILE	*fp;
	size_t	 n;
	int	 err;
	char	 buf[64 * 1024];
};

static void
jflush(struct jout *j)
{
	if (j->n > 0 && fwrite(j->buf, 1, j->n, j->fp) != j->n)
		j->err = 1;
	j->n = 0;
}

static void
jput(struct jout *j, const void *p, size_t len)
{
	if (len > sizeof(j->buf) - j->n) {
		jflush(j);
		if (len > sizeof(j->buf)) {
			if (fwrite(p, 1, len, j->fp) != len)
				j->err = 1;
			return;
		}
	}
	memcpy(j->buf + j->n, p, len);
	j->n += len;
}

static void
jputs(struct jout *j, const char *s)
{
	jput(j, s, strlen(s));
}

static void
jputc(struct jout *j, char c)
{
	if (j->n == sizeof(j->buf))
		jflush(j);
	j->buf[j->n++] = c;
}

static void
json_string(struct jout *j, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;
	char esc[16];

	jputc(j, '"');
	while (i < len) {
		uint32_t cp;
		size_t n;

		/* Plain ASCII is the common case: gather it into one write. */
		if (s[i] >= 0x20 && s[i] < 0x7F && s[i] != '"' &&
		    s[i] != '\\') {
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (n > 1 && !(cp >= 0xD800 && cp <= 0xDFFF)) {
			i += n;		/* valid UTF-8: kept as it is */
			continue;
		}
		if (i > run)
			jput(j, s + run, i - run);
		if (n == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
			/* Plane 16 as a pair: U+10XXXX = DBC0+hi, DC00+lo. */
			uint32_t pua = n == 0 ? 0x10DC00U + s[i] :
			    0x100000U + cp;

			snprintf(esc, sizeof(esc), "\\u%04" PRIx32 "\\u%04"
			    PRIx32, 0xD800 + ((pua - 0x10000) >> 10),
			    0xDC00 + ((pua - 0x10000) & 0x3FF));
			jputs(j, esc);
			i += n == 0 ? 1 : n;
		} else {
			if (cp == '"')
				jputs(j, "\\\"");
			else if (cp == '\\')
				jputs(j, "\\\\");
			else if (cp == '\n')
				jputs(j, "\\n");
			else if (cp == '\t')
				jputs(j, "\\t");
			else if (cp == '\r')
				jputs(j, "\\r");
			else {
				snprintf(esc, sizeof(esc), "\\u%04" PRIx32, cp);
				jputs(j, esc);
			}
			i += n;
		}
		run = i;
	}
	if (i > run)
		jput(j, s + run, i - run);
	jputc(j, '"');
}

static void
indent(struct jout *j, int depth)
{
	static const char spaces[] = "                                ";
	size_t want = 2 * (size_t)depth;

	while (want > 0) {
		size_t n = want < sizeof(spaces) - 1 ? want : sizeof(spaces) - 1;

		jput(j, spaces, n);
		want -= n;
	}
}

static void
json_node(struct jout *j, const struct offmig_node *n, int depth)
{
	size_t i, len = offmig_node_len(n);
	const char *s;
	size_t slen;
	char num[32];

	switch (offmig_node_type(n)) {
	case OFFMIG_NODE_NULL:
		jputs(j, "null");
		break;
	case OFFMIG_NODE_BOOL:
		jputs(j, offmig_node_int(n) ? "true" : "false");
		break;
	case OFFMIG_NODE_INT:
		snprintf(num, sizeof(num), "%" PRId64, offmig_node_int(n));
		jputs(j, num);
		break;
	case OFFMIG_NODE_STRING:
		s = offmig_node_str(n, &slen);
		json_string(j, s, slen);
		break;
	case OFFMIG_NODE_ARRAY:
	case OFFMIG_NODE_OBJECT:
		if (len == 0) {
			jputs(j, offmig_node_type(n) == OFFMIG_NODE_ARRAY ?
			    "[]" : "{}");
			break;
		}
		jputc(j, offmig_node_type(n) == OFFMIG_NODE_ARRAY ? '[' : '{');
		for (i = 0; i < len; i++) {
			jputc(j, '\n');
			indent(j, depth + 1);
			if (offmig_node_type(n) == OFFMIG_NODE_OBJECT) {
				const char *k = offmig_node_key(n, i);

				json_string(j, k, strlen(k));
				jput(j, ": ", 2);
			}
			json_node(j, offmig_node_at(n, i), depth + 1);
			if (i + 1 < len)
				jputc(j, ',');
		}
		jputc(j, '\n');
		indent(j, depth);
		jputc(j, offmig_node_type(n) == OFFMIG_NODE_ARRAY ? ']' : '}');
		break;
	}
}

static int
finish(FILE *fp)
{
	if (fflush(fp) != 0 || ferror(fp))
		return OFFMIG_EIO;
	return OFFMIG_OK;
}

int
offmig_write_json(FILE *fp, const struct offmig_node *n)
{
	struct jout *j;
	int err;

	if ((j = malloc(sizeof(*j))) == NULL)
		return OFFMIG_ENOMEM;
	j->fp = fp;
	j->n = 0;
	j->err = 0;
	json_node(j, n, 0);
	jputc(j, '\n');
	jflush(j);
	err = j->err;
	free(j);
	if (err)
		return OFFMIG_EIO;
	return finish(fp);
}

/*
 * Cell text of a node for tables and CSV (csv != 0: booleans as true/false,
 * null as empty).  Arrays are joined with ",", an object inside a cell is
 * shown as "{...}".  Returns a malloc'd string, or NULL on ENOMEM.
 */
static char *
cell_text(const struct offmig_node *n, int csv)
{
	char **parts, *joined, *p;
	size_t i, len, total;

	switch (offmig_node_type(n)) {
	case OFFMIG_NODE_NULL:
		return strdup(csv ? "" : "-");
	case OFFMIG_NODE_BOOL:
		return strdup(offmig_node_int(n) ? (csv ? "true" : "yes") :
		    (csv ? "false" : "no"));
	case OFFMIG_NODE_INT:
		return str_printf("%" PRId64, offmig_node_int(n));
	case OFFMIG_NODE_STRING:
		return strdup(offmig_node_str(n, NULL));
	case OFFMIG_NODE_OBJECT:
		return strdup(csv ? "" : "{...}");
	case OFFMIG_NODE_ARRAY:
		break;
	}
	if ((len = offmig_node_len(n)) == 0)
		return strdup(csv ? "" : "-");
	if ((parts = calloc(len, sizeof(*parts))) == NULL)
		return NULL;
	joined = NULL;
	total = 1;
	for (i = 0; i < len; i++) {
		if ((parts[i] = cell_text(offmig_node_at(n, i), csv)) == NULL)
			goto out;
		total += strlen(parts[i]) + 1;
	}
	if ((joined = malloc(total)) == NULL)
		goto out;
	for (p = joined, i = 0; i < len; i++) {
		size_t l = strlen(parts[i]);

		if (i > 0)
			*p++ = ',';
		memcpy(p, parts[i], l);
		p += l;
	}
	*p = '\0';
out:
	for (i = 0; i < len; i++)
		free(parts[i]);
	free(parts);
	return joined;
}

/*
 * Non-zero for what must not reach a terminal as it is: C0 and C1 control
 * characters, lone surrogates, and the bidirectional controls that would
 * let a name reorder the text around it on screen (U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069).
 */
static int
unsafe_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0x200E || cp == 0x200F ||
	    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Makes a cell safe for a terminal: unsafe characters (above) and invalid
 * bytes become '?'.  Returns its width in code points.
 */
static size_t
sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s, *o = p;
	size_t width = 0;

	while (*p != '\0') {
		uint32_t cp;
		size_t n = utf8_decode(p, strnlen((char *)p, 4), &cp);

		if (n == 0 || unsafe_cp(cp)) {
			*o++ = '?';
			p += n == 0 ? 1 : n;
		} else {
			memmove(o, p, n);
			o += n;
			p += n;
		}
		width++;
	}
	*o = '\0';
	return width;
}

/* Writes s padded or cut to width code points ("~" marks a cut). */
static void
put_cell(FILE *fp, const char *s, size_t swidth, size_t width, int pad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;

	if (swidth <= width) {
		fputs(s, fp);
		if (pad)
			fprintf(fp, "%*s", (int)(width - swidth), "");
		return;
	}
	while (*p != '\0' && w + 1 < width) {
		uint32_t cp;
		size_t n = utf8_decode(p, strnlen((const char *)p, 4), &cp);

		fwrite(p, 1, n ? n : 1, fp);
		p += n ? n : 1;
		w++;
	}
	putc('~', fp);
}

int
offmig_write_table(FILE *fp, const struct offmig_node *rows,
    const struct offmig_column *cols, size_t ncols, unsigned width)
{
	size_t nrows = offmig_node_len(rows), r, c, total;
	size_t *w = NULL, *nat = NULL, *cw = NULL;
	char **cells = NULL;
	int ret = OFFMIG_ENOMEM, pass;

	if (ncols == 0)
		return finish(fp);
	if (nrows >= SIZE_MAX / sizeof(*cells) / ncols - 1)
		return OFFMIG_ENOMEM;
	if ((w = calloc(ncols, sizeof(*w))) == NULL ||
	    (nat = calloc(ncols, sizeof(*nat))) == NULL ||
	    (cw = calloc((nrows + 1) * ncols, sizeof(*cw))) == NULL ||
	    (cells = calloc((nrows + 1) * ncols, sizeof(*cells))) == NULL)
		goto out;
	for (c = 0; c < ncols; c++) {
		if ((cells[c] = strdup(cols[c].header)) == NULL)
			goto out;
		cw[c] = w[c] = sanitize(cells[c]);
	}
	for (r = 0; r < nrows; r++) {
		const struct offmig_node *row = offmig_node_at(rows, r);

		for (c = 0; c < ncols; c++) {
			size_t i = (r + 1) * ncols + c;

			if ((cells[i] = cell_text(offmig_node_get(row,
			    cols[c].key), 0)) == NULL)
				goto out;
			cw[i] = sanitize(cells[i]);
			if (cw[i] > w[c])
				w[c] = cw[i];
		}
	}

	/*
	 * Fit the width: take from flexible columns first, widest first, then
	 * from any column, never below 4 characters (or the column's natural
	 * width when that is smaller).  When even that does not fit, the
	 * lines are left longer than width rather than cut to nothing.
	 */
	total = 0;
	for (c = 0; c < ncols; c++) {
		nat[c] = w[c];
		total += w[c] + (c > 0 ? 2 : 0);
	}
	for (pass = 0; width > 0 && total > width && pass < 2; pass++) {
		while (total > width) {
			size_t best = ncols, min;

			for (c = 0; c < ncols; c++) {
				min = nat[c] > 4 ? 4 : nat[c];
				if ((pass == 0 && !cols[c].flex) || w[c] <= min)
					continue;
				if (best == ncols || w[c] > w[best])
					best = c;
			}
			if (best == ncols)
				break;
			w[best]--;
			total--;
		}
	}

	for (r = 0; r <= nrows; r++) {
		for (c = 0; c < ncols; c++) {
			size_t i = r * ncols + c;

			if (c > 0)
				fputs("  ", fp);
			put_cell(fp, cells[i], cw[i], w[c], c + 1 < ncols);
		}
		putc('\n', fp);
	}
	ret = finish(fp);
out:
	if (cells != NULL)
		for (r = 0; r < (nrows + 1) * ncols; r++)
			free(cells[r]);
	free(cells);
	free(cw);
	free(nat);
	free(w);
	return ret;
}

static void
csv_field(FILE *fp, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	putc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putc('"', fp);
		putc(*s, fp);
	}
	putc('"', fp);
}

int
offmig_write_csv(FILE *fp, const struct offmig_node *rows,
    const struct offmig_column *cols, size_t ncols)
{
	size_t nrows = offmig_node_len(rows), r, c;

	for (c = 0; c < ncols; c++) {
		if (c > 0)
			putc(',', fp);
		csv_field(fp, cols[c].header);
	}
	fputs("\r\n", fp);
	for (r = 0; r < nrows; r++) {
		const struct offmig_node *row = offmig_node_at(rows, r);

		for (c = 0; c < ncols; c++) {
			char *s = cell_text(offmig_node_get(row,
			    cols[c].key), 1);

			if (s == NULL)
				return OFFMIG_ENOMEM;
			if (c > 0)
				putc(',', fp);
			csv_field(fp, s);
			free(s);
		}
		fputs("\r\n", fp);
	}
	return finish(fp);
}

int
offmig_write_fields(FILE *fp, const struct offmig_node *obj,
    const struct offmig_column *cols, size_t ncols, unsigned width)
{
	size_t c, lw = 0;

	for (c = 0; c < ncols; c++)
		if (strlen(cols[c].header) > lw)
			lw = strlen(cols[c].header);
	for (c = 0; c < ncols; c++) {
		char *s = cell_text(offmig_node_get(obj, cols[c].key), 0);
		size_t sw, avail;

		if (s == NULL)
			return OFFMIG_ENOMEM;
		sw = sanitize(s);
		fprintf(fp, "%s:%*s", cols[c].header,
		    (int)(lw - strlen(cols[c].header) + 2), "");
		avail = width > lw + 3 + 4 ? width - lw - 3 : sw;
		put_cell(fp, s, sw, avail < sw ? avail : sw, 0);
		putc('\n', fp);
		free(s);
	}
	return finish(fp);
}
