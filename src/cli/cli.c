/*
 * cli.c - what the offmig commands share: the options of the inventory
 * commands, error and usage printing, opening the volume, the exit status.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

/*
 * Writes text from the disk to the terminal: valid UTF-8 passes, control
 * characters, invalid bytes and encoded surrogates become '?', so names from
 * a hostile disk cannot drive the terminal.
 */
void
cli_put(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s != '\0') {
		size_t n = 0, i;
		unsigned c = *s;

		if (c >= 0x20 && c < 0x7F) {
			putc((int)c, fp);
			s++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 4;
		for (i = 1; i < n; i++)
			if ((s[i] & 0xC0) != 0x80)
				n = 0;
		/* Surrogates (ED A0..BF) and C1 controls (C2 80..9F) are out. */
		if (n == 3 && c == 0xED && s[1] >= 0xA0)
			n = 0;
		if (n == 2 && c == 0xC2 && s[1] < 0xA0)
			n = 0;
		if (n == 0) {
			putc('?', fp);
			s++;
		} else {
			fwrite(s, 1, n, fp);
			s += n;
		}
	}
}

/* Width of s in code points (continuation bytes do not count). */
static size_t
cp_width(const char *s, size_t len)
{
	size_t i, w = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

/* Writes the first n code points of s, which holds at least that many. */
static const char *
put_cps(FILE *fp, const char *s, size_t n)
{
	const char *p = s;

	while (n > 0 && *p != '\0') {
		p++;
		while (((unsigned char)*p & 0xC0) == 0x80)
			p++;
		n--;
	}
	fwrite(s, 1, (size_t)(p - s), fp);
	return p;
}

void
cli_wrapf(FILE *fp, size_t indent, unsigned width, const char *fmt, ...)
{
	FILE *mem;
	va_list ap;
	char *raw = NULL, *text = NULL;
	const char *p;
	size_t textlen = 0, col = 0;
	int n, fresh = 1;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (raw = malloc((size_t)n + 1)) == NULL) {
		fprintf(stderr, "offmig: out of memory\n");
		exit(OFFMIG_EXIT_ENV);
	}
	va_start(ap, fmt);
	vsnprintf(raw, (size_t)n + 1, fmt, ap);
	va_end(ap);
	/* Clean the text as cli_put() does, then measure the clean form. */
	if ((mem = open_memstream(&text, &textlen)) == NULL) {
		fprintf(stderr, "offmig: out of memory\n");
		exit(OFFMIG_EXIT_ENV);
	}
	cli_put(mem, raw);
	if (fclose(mem) != 0) {
		fprintf(stderr, "offmig: out of memory\n");
		exit(OFFMIG_EXIT_ENV);
	}
	free(raw);

	/* Too narrow to wrap sensibly: one line. */
	if (width < indent + 20)
		width = 0;
	/* Leading spaces are the caller's indentation: keep them. */
	for (p = text; *p == ' '; p++) {
		putc(' ', fp);
		col++;
	}
	while (*p != '\0') {
		size_t wlen, len;

		if (*p == ' ') {
			p++;
			continue;
		}
		len = strcspn(p, " ");
		wlen = cp_width(p, len);
		if (!fresh && width > 0 && col + 1 + wlen > width) {
			fprintf(fp, "\n%*s", (int)indent, "");
			col = indent;
			fresh = 1;
		}
		if (!fresh) {
			putc(' ', fp);
			col++;
		}
		fresh = 0;
		/* A word longer than a whole line is broken where it must be. */
		while (width > 0 && col + wlen > width) {
			size_t room;
			const char *q;

			if (col >= width)
				break;
			room = width - col;
			q = put_cps(fp, p, room);
			len -= (size_t)(q - p);
			wlen -= room;
			p = q;
			fprintf(fp, "\n%*s", (int)indent, "");
			col = indent;
		}
		fwrite(p, 1, len, fp);
		col += wlen;
		p += len;
	}
	putc('\n', fp);
	free(text);
}

void
cli_error(const struct offmig_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "offmig %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
}

int
cli_usage(const struct offmig_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		fprintf(stderr, "offmig %s: ", cmd->name);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		putc('\n', stderr);
	}
	fprintf(stderr, "usage: offmig %s %s\n", cmd->name, cmd->usage);
	return OFFMIG_EXIT_USAGE;
}

int
cli_fail(const struct offmig_cmd *cmd, struct offmig_ctx *ctx, int err)
{
	fflush(stdout);
	fprintf(stderr, "offmig %s: ", cmd->name);
	cli_put(stderr, offmig_errmsg(ctx));
	putc('\n', stderr);
	return offmig_exit_status(err);
}

void
cli_log(void *arg, enum offmig_level level, const char *msg)
{
	(void)arg;
	if (level == OFFMIG_LOG_INFO)
		return;
	fflush(stdout);
	fprintf(stderr, "offmig: %s: ", level == OFFMIG_LOG_WARN ? "warning" :
	    "error");
	cli_put(stderr, msg);
	putc('\n', stderr);
}

void
cli_common_init(struct cli_common *c)
{
	struct winsize ws;
	const char *cols;

	memset(c, 0, sizeof(*c));
	c->format = OFFMIG_FMT_TABLE;
	if ((c->filter = offmig_filter_new()) == NULL) {
		fprintf(stderr, "offmig: out of memory\n");
		exit(OFFMIG_EXIT_ENV);
	}
	/*
	 * Fit the terminal stdout is; else $COLUMNS; else no limit, so that
	 * piped output is never cut.
	 */
	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		c->width = ws.ws_col;
	else if ((cols = getenv("COLUMNS")) != NULL) {
		char *end;
		long n;

		errno = 0;
		n = strtol(cols, &end, 10);
		if (*cols != '\0' && *end == '\0' && errno == 0 && n > 0 &&
		    n <= 10000)
			c->width = (unsigned)n;
	}
}

void
cli_common_release(struct cli_common *c)
{
	offmig_filter_free(c->filter);
	c->filter = NULL;
}

int
cli_common_opt(const struct offmig_cmd *cmd, struct cli_common *c, int ch,
    const char *arg)
{
	char *end;
	long days;

	switch (ch) {
	case OPT_JSON:
		c->format = OFFMIG_FMT_JSON;
		return 1;
	case OPT_CSV:
		c->format = OFFMIG_FMT_CSV;
		return 1;
	case OPT_WINDOWS:
		c->windows_dir = arg;
		return 1;
	case OPT_NO_LOGS:
		c->no_logs = 1;
		return 1;
	case OPT_JOBS:
		errno = 0;
		days = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || errno != 0 || days < 1 ||
		    days > 64) {
			cli_usage(cmd, "--jobs takes a number of threads from 1 "
			    "to 64, not '%s'", arg);
			return -1;
		}
		c->jobs = (unsigned)days;
		return 1;
	case OPT_ALL:
		c->all = 1;
		return 1;
	case OPT_UI:
	case OPT_UE:
		if ((ch == OPT_UI ? offmig_filter_include(c->filter, arg) :
		    offmig_filter_exclude(c->filter, arg)) != OFFMIG_OK) {
			cli_usage(cmd, "--%s needs a user pattern",
			    ch == OPT_UI ? "ui" : "ue");
			return -1;
		}
		return 1;
	case OPT_UEL:
		errno = 0;
		days = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || errno != 0 || days < 0 ||
		    days > 100000) {
			cli_usage(cmd, "--uel takes a number of days, not '%s'",
			    arg);
			return -1;
		}
		offmig_filter_set_uel(c->filter, (int)days, (int64_t)time(NULL));
		return 1;
	}
	return 0;
}

int
cli_open_volume(const struct offmig_cmd *cmd, struct offmig_ctx *ctx,
    const struct cli_common *c, const char *root,
    struct offmig_volume **volp)
{
	struct offmig_volume_opts opts;
	int ret;

	memset(&opts, 0, sizeof(opts));
	opts.windows_dir = c->windows_dir;
	opts.flags = c->no_logs ? OFFMIG_VOLUME_NO_LOGS : 0;
	offmig_ctx_set_jobs(ctx, c->jobs);
	if ((ret = offmig_volume_open(ctx, root, &opts, volp)) != OFFMIG_OK)
		return cli_fail(cmd, ctx, ret);
	return 0;
}

int
cli_finish(struct offmig_ctx *ctx)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "offmig: cannot write the output: %s\n",
		    strerror(errno));
		return OFFMIG_EXIT_ENV;
	}
	if (offmig_ctx_failures(ctx) > 0 || offmig_ctx_warnings(ctx) > 0)
		return OFFMIG_EXIT_PARTIAL;
	return OFFMIG_EXIT_OK;
}

void
cli_section(FILE *fp, const char *title)
{
	fprintf(fp, "\n== %s ==\n", title);
}

int
cli_print(const struct offmig_cmd *cmd, const struct cli_common *c,
    const struct offmig_node *root, const char *rows,
    const struct offmig_column *cols, size_t ncols)
{
	int ret;

	switch (c->format) {
	case OFFMIG_FMT_JSON:
		ret = offmig_write_json(stdout, root);
		break;
	case OFFMIG_FMT_CSV:
		ret = offmig_write_csv(stdout, offmig_node_get(root, rows), cols,
		    ncols);
		break;
	default:
		ret = offmig_write_table(stdout, offmig_node_get(root, rows),
		    cols, ncols, c->width);
		break;
	}
	if (ret != OFFMIG_OK) {
		cli_error(cmd, "cannot write the output: %s", strerror(errno));
		return OFFMIG_EXIT_ENV;
	}
	return 0;
}

void
cli_help(const struct offmig_cmd *cmd)
{
	printf("usage: offmig %s %s\n\n%s\n", cmd->name, cmd->usage,
	    cmd->summary);
	if (cmd->help != NULL)
		printf("\n%s", cmd->help);
	/* The hive and store tools list their own options. */
	if (strncmp(cmd->name, "hive ", 5) != 0 &&
	    strncmp(cmd->name, "store ", 6) != 0)
		printf("  --no-logs      read dirty hives as they are, without "
		    "replaying their\n"
		    "                 transaction logs\n"
		    "  --jobs N       threads for the per-profile work (default: "
		    "one per CPU,\n"
		    "                 at most 8); the output is the same\n");
}

int
cli_parse(const struct offmig_cmd *cmd, struct cli_common *c, int argc,
    char **argv, int minpos, int maxpos)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int ch, r, npos;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			cli_help(cmd);
			return CLI_HELP_SHOWN;
		}
		if (ch == '?' || ch == ':') {
			if (optopt != 0)
				cli_usage(cmd, "unknown option '-%c'", optopt);
			else
				cli_usage(cmd, "unknown or incomplete option "
				    "'%s'", argv[optind - 1]);
			return CLI_USAGE_ERROR;
		}
		if ((r = cli_common_opt(cmd, c, ch, optarg)) < 0)
			return CLI_USAGE_ERROR;
		if (r == 0) {
			cli_usage(cmd, "unexpected option");
			return CLI_USAGE_ERROR;
		}
	}
	npos = argc - optind;
	if (npos < minpos) {
		cli_usage(cmd, "missing %s", minpos - npos == 1 && npos == 0 ?
		    "VOLUME" : "arguments");
		return CLI_USAGE_ERROR;
	}
	if (npos > maxpos) {
		cli_usage(cmd, "unexpected argument '%s'", argv[optind + maxpos]);
		return CLI_USAGE_ERROR;
	}
	return optind;
}

/*
 * What a report leaves for the end of the process (see cli_run_report()),
 * kept reachable so that leak checkers do not count it.
 */
static struct offmig_volume *volatile report_vol;
static struct offmig_doc *volatile report_doc;

int
cli_run_report(const struct offmig_cmd *cmd, struct offmig_ctx *ctx,
    int argc, char **argv, int maxpos, cli_check_fn *check,
    cli_build_fn *build, cli_print_fn *print)
{
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc = NULL;
	struct cli_common c;
	int i, ret, err;

	cli_common_init(&c);
	if ((i = cli_parse(cmd, &c, argc, argv, 1, maxpos)) < 0) {
		ret = i == CLI_HELP_SHOWN ? OFFMIG_EXIT_OK : OFFMIG_EXIT_USAGE;
		goto out;
	}
	if (check != NULL && (ret = check(cmd, &c, argc - i - 1)) != 0)
		goto out;
	if ((ret = cli_open_volume(cmd, ctx, &c, argv[i], &vol)) != 0)
		goto out;
	if ((err = build(ctx, vol, &c, argv + i + 1, argc - i - 1, &doc)) !=
	    OFFMIG_OK) {
		ret = cli_fail(cmd, ctx, err);
		goto out;
	}
	if (c.format == OFFMIG_FMT_JSON)
		ret = cli_print(cmd, &c, offmig_doc_root(doc), NULL, NULL, 0);
	else
		ret = print(cmd, &c, offmig_doc_root(doc));
	if (ret == 0)
		ret = cli_finish(ctx);
	/*
	 * A report only reads, and the process ends once it is printed: the
	 * volume (hundreds of hives, each its own mapping) and the report are
	 * left to the exit, which releases them at once.  Unmapping them one
	 * by one took longer than printing the report of a large volume.
	 */
	report_vol = vol;
	report_doc = doc;
	vol = NULL;
	doc = NULL;
out:
	offmig_doc_free(doc);
	offmig_volume_close(vol);
	cli_common_release(&c);
	return ret;
}

/* One CSV field on stdout, quoted (RFC 4180) when it needs to be; NULL: empty. */
void
cli_csv_field(const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}
