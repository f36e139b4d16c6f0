/*
 * cmd-hive.c - "offmig hive check | recover | get | export | import |
 * clean": the hive tools.  Each parses its options, calls one library
 * function and prints the result.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/*
 * Parses the options of one tool (only those in allowed are accepted) and
 * checks that between minpos and maxpos arguments remain.  Returns the
 * index of the first argument, CLI_HELP_SHOWN or CLI_USAGE_ERROR.
 */
int
cli_hive_parse(const struct offmig_cmd *cmd, struct cli_hive_opts *o, int argc, char **argv,
    const char *allowed, int minpos, int maxpos)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, HOPT_JSON },
		{ "no-logs", no_argument, NULL, HOPT_NO_LOGS },
		{ "force", no_argument, NULL, HOPT_FORCE },
		{ "format", required_argument, NULL, HOPT_FORMAT },
		{ "utf8", no_argument, NULL, HOPT_UTF8 },
		{ "prefix", required_argument, NULL, HOPT_PREFIX },
		{ "key-only", no_argument, NULL, HOPT_KEY_ONLY },
		{ "backup", required_argument, NULL, HOPT_BACKUP },
		{ "apply", no_argument, NULL, HOPT_APPLY },
		{ "undo", no_argument, NULL, HOPT_UNDO },
		{ "windows", required_argument, NULL, HOPT_WINDOWS },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_common c;
	int ch, npos, idx;

	memset(o, 0, sizeof(*o));
	cli_common_init(&c);
	o->width = c.width;
	cli_common_release(&c);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+ho:", longopts, &idx)) != -1) {
		const char *name = NULL;
		size_t i;

		if (ch == 'h') {
			cli_help(cmd);
			return CLI_HELP_SHOWN;
		}
		if (ch == '?' || ch == ':') {
			if (optopt != 0 && optopt < 0x100)
				return cli_usage(cmd, "unknown option -%c",
				    optopt), CLI_USAGE_ERROR;
			return cli_usage(cmd, "unknown or incomplete option "
			    "'%s'", argv[optind - 1]), CLI_USAGE_ERROR;
		}
		for (i = 0; longopts[i].name != NULL; i++)
			if (longopts[i].val == ch)
				name = longopts[i].name;
		if (ch != 'o' && (name == NULL || strstr(allowed, name) ==
		    NULL)) {
			cli_usage(cmd, "option --%s does not apply here",
			    name != NULL ? name : "?");
			return CLI_USAGE_ERROR;
		}
		if (ch == 'o' && strstr(allowed, "output") == NULL) {
			cli_usage(cmd, "option -o does not apply here");
			return CLI_USAGE_ERROR;
		}
		switch (ch) {
		case HOPT_JSON:		o->json = 1; break;
		case HOPT_NO_LOGS:	o->no_logs = 1; break;
		case HOPT_FORCE:	o->force = 1; break;
		case HOPT_FORMAT:	o->format = optarg; break;
		case HOPT_UTF8:		o->utf8 = 1; break;
		case HOPT_PREFIX:	o->prefix = optarg; break;
		case HOPT_KEY_ONLY:	o->key_only = 1; break;
		case HOPT_BACKUP:	o->backup = optarg; break;
		case HOPT_APPLY:	o->apply = 1; break;
		case HOPT_UNDO:		o->undo = 1; break;
		case HOPT_WINDOWS:	o->windows = optarg; break;
		case 'o':		o->out = optarg; break;
		}
	}
	npos = argc - optind;
	if (npos < minpos || (maxpos >= 0 && npos > maxpos)) {
		cli_usage(cmd, npos < minpos ? "missing arguments" :
		    "too many arguments");
		return CLI_USAGE_ERROR;
	}
	return optind;
}

int
cli_print_doc(const struct offmig_cmd *cmd, const struct offmig_doc *doc)
{
	if (offmig_write_json(stdout, offmig_doc_root(doc)) != OFFMIG_OK) {
		cli_error(cmd, "cannot write the output: %s", strerror(errno));
		return OFFMIG_EXIT_ENV;
	}
	return 0;
}

const char *
cli_strv(const struct offmig_node *o, const char *key)
{
	const char *s = offmig_node_get_str(o, key);

	return s != NULL ? s : "-";
}

static long long
num(const struct offmig_node *o, const char *key)
{
	return (long long)offmig_node_int(offmig_node_get(o, key));
}

/*
 * hive check
 */

static void
print_check(const struct cli_hive_opts *o, const struct offmig_node *root)
{
	const struct offmig_node *hives = offmig_node_get(root, "hives");
	size_t i, j, n = offmig_node_len(hives);

	for (i = 0; i < n; i++) {
		const struct offmig_node *h = offmig_node_at(hives, i);
		const struct offmig_node *logs = offmig_node_get(h, "logs");
		const struct offmig_node *probs = offmig_node_get(h,
		    "problems");
		const struct offmig_node *notes = offmig_node_get(h, "notes");
		const struct offmig_node *rec = offmig_node_get(h, "recovery");
		const struct offmig_node *st = offmig_node_get(h, "structure");
		const char *state;

		if (i > 0)
			putchar('\n');
		cli_wrapf(stdout, 4, o->width, "%s", cli_strv(h, "path"));
		if (offmig_node_type(offmig_node_get(h, "seq1")) ==
		    OFFMIG_NODE_INT) {
			if (offmig_node_int(offmig_node_get(h, "dirty")) == 0)
				state = "clean";
			else if (offmig_node_int(offmig_node_get(rec,
			    "recovered")))
				state = "dirty, recovered by its logs";
			else
				state = "dirty, no log recovers it";
			cli_wrapf(stdout, 4, o->width, "  state:     %s "
			    "(sequence numbers %lld/%lld, checksum %s, "
			    "version %s)", state, num(h, "seq1"),
			    num(h, "seq2"), offmig_node_int(offmig_node_get(h,
			    "checksum_ok")) ? "right" : "wrong",
			    cli_strv(h, "version"));
		}
		if (offmig_node_type(rec) == OFFMIG_NODE_OBJECT &&
		    offmig_node_int(offmig_node_get(rec, "recovered")))
			cli_wrapf(stdout, 4, o->width, "  recovery:  %lld "
			    "entries / %lld pages applied, sequence number "
			    "%lld after%s", num(rec, "entries_applied"),
			    num(rec, "pages_applied"), num(rec, "seq_after"),
			    offmig_node_int(offmig_node_get(rec,
			    "base_from_log")) ? ", base block from a log" : "");
		for (j = 0; j < offmig_node_len(logs); j++) {
			const struct offmig_node *l = offmig_node_at(logs, j);
			char range[64] = "";

			if (offmig_node_type(offmig_node_get(l, "first_seq")) ==
			    OFFMIG_NODE_INT)
				snprintf(range, sizeof(range), ", sequence "
				    "%lld-%lld", num(l, "first_seq"),
				    num(l, "last_seq"));
			cli_wrapf(stdout, 6, o->width, "  log:       %s: %s%s"
			    "%lld entries%s, %s%s%s", cli_strv(l, "path"),
			    cli_strv(l, "format"), strcmp(cli_strv(l, "format"),
			    "empty") == 0 ? ", " : " format, ",
			    num(l, "entries"), range,
			    offmig_node_int(offmig_node_get(l, "applies")) ?
			    "applies" : "does not apply",
			    offmig_node_get_str(l, "note") != NULL ? ": " : "",
			    offmig_node_get_str(l, "note") != NULL ?
			    offmig_node_get_str(l, "note") : "");
		}
		if (offmig_node_type(st) == OFFMIG_NODE_OBJECT &&
		    offmig_node_int(offmig_node_get(st, "walked")))
			cli_wrapf(stdout, 4, o->width, "  structure: %lld keys, "
			    "%lld values, %lld bins, %lld problems (%s walked)",
			    num(st, "keys"), num(st, "values"), num(st, "bins"),
			    num(st, "problems"), cli_strv(h, "walked"));
		for (j = 0; j < offmig_node_len(notes); j++)
			cli_wrapf(stdout, 6, o->width, "  note:      %s",
			    offmig_node_str(offmig_node_at(notes, j), NULL));
		for (j = 0; j < offmig_node_len(probs); j++)
			cli_wrapf(stdout, 6, o->width, "  problem:   %s",
			    offmig_node_str(offmig_node_at(probs, j), NULL));
	}
}

static int
cmd_check(struct offmig_ctx *ctx, int argc, char **argv)
{
	const struct offmig_cmd *cmd = &cmd_hive_check_entry;
	struct offmig_doc *doc;
	struct cli_hive_opts o;
	size_t bad;
	int i, ret;

	if ((i = cli_hive_parse(cmd, &o, argc, argv, "json no-logs", 1, -1)) < 0)
		return i == CLI_HELP_SHOWN ? OFFMIG_EXIT_OK : OFFMIG_EXIT_USAGE;
	if ((ret = offmig_hive_check(ctx, (const char *const *)argv + i,
	    (size_t)(argc - i), o.no_logs ? OFFMIG_HIVE_NO_LOGS : 0, &bad,
	    &doc)) != OFFMIG_OK)
		return cli_fail(cmd, ctx, ret);
	if (o.json)
		ret = cli_print_doc(cmd, doc);
	else
		print_check(&o, offmig_doc_root(doc));
	offmig_doc_free(doc);
	if (ret != 0)
		return ret;
	ret = cli_finish(ctx);
	/* A hive with problems is a finding that must not pass silently. */
	return ret == OFFMIG_EXIT_OK && bad > 0 ? OFFMIG_EXIT_PARTIAL : ret;
}

const struct offmig_cmd cmd_hive_check_entry = {
	.name = "hive check",
	.run = cmd_check,
	.usage = "[--json] [--no-logs] HIVE ...",
	.summary = "check hives: base block, logs, replay, structure",
	.help =
	    "  --json         print one JSON document\n"
	    "  --no-logs      walk the primary as it is, not as its logs "
	    "would make it\n"
	    "Exit status 1 when a hive has problems (a dirty hive its logs\n"
	    "recover is not one).\n",
};

/*
 * hive recover
 */

static int
cmd_recover(struct offmig_ctx *ctx, int argc, char **argv)
{
	const struct offmig_cmd *cmd = &cmd_hive_recover_entry;
	const struct offmig_node *r;
	struct offmig_doc *doc;
	struct cli_hive_opts o;
	int i, ret;

	if ((i = cli_hive_parse(cmd, &o, argc, argv, "json force output", 1, 1)) < 0)
		return i == CLI_HELP_SHOWN ? OFFMIG_EXIT_OK : OFFMIG_EXIT_USAGE;
	if (o.out == NULL)
		return cli_usage(cmd, "-o OUT is required");
	if ((ret = offmig_hive_recover(ctx, argv[i], o.out,
	    o.force ? OFFMIG_HIVE_FORCE : 0, &doc)) != OFFMIG_OK)
		return cli_fail(cmd, ctx, ret);
	if (o.json)
		ret = cli_print_doc(cmd, doc);
	else {
		r = offmig_node_get(offmig_doc_root(doc), "recover");
		if (offmig_node_int(offmig_node_get(r, "recovered")))
			cli_wrapf(stdout, 2, o.width, "%s: %lld log entries "
			    "and %lld pages applied; %s written (sequence "
			    "number %lld, clean)", cli_strv(r, "path"),
			    num(r, "entries_applied"), num(r, "pages_applied"),
			    cli_strv(r, "out"), num(r, "seq_after"));
		else
			cli_wrapf(stdout, 2, o.width, "%s is clean: copied "
			    "as it is to %s", cli_strv(r, "path"), cli_strv(r, "out"));
	}
	offmig_doc_free(doc);
	return ret != 0 ? ret : cli_finish(ctx);
}

const struct offmig_cmd cmd_hive_recover_entry = {
	.name = "hive recover",
	.run = cmd_recover,
	.usage = "[--json] [--force] -o OUT HIVE",
	.summary = "write a hive with its transaction logs applied",
	.help =
	    "  -o OUT         where the recovered hive goes (written "
	    "atomically)\n"
	    "  --force        replace OUT when it exists\n"
	    "  --json         print one JSON document\n"
	    "HIVE and its logs are never modified.\n",
};

/*
 * hive get
 */

/*
 * A value's decoded data: "text", a number, ["a", "b"]; data kept as hex
 * (binary types, or data that does not fit its type) as hex:0a0b....
 */
static void
print_data(const struct offmig_node *d, int hex)
{
	size_t i;

	switch (offmig_node_type(d)) {
	case OFFMIG_NODE_INT:
		printf("%lld", (long long)offmig_node_int(d));
		break;
	case OFFMIG_NODE_STRING:
		if (hex) {
			printf("hex:");
			cli_put(stdout, offmig_node_str(d, NULL));
			break;
		}
		putchar('"');
		cli_put(stdout, offmig_node_str(d, NULL));
		putchar('"');
		break;
	case OFFMIG_NODE_ARRAY:
		putchar('[');
		for (i = 0; i < offmig_node_len(d); i++) {
			if (i > 0)
				printf(", ");
			print_data(offmig_node_at(d, i), 0);
		}
		putchar(']');
		break;
	default:
		putchar('-');
		break;
	}
}

static int
cmd_get(struct offmig_ctx *ctx, int argc, char **argv)
{
	const struct offmig_cmd *cmd = &cmd_hive_get_entry;
	const struct offmig_node *root, *v, *k, *vals, *subs;
	struct offmig_doc *doc;
	struct cli_hive_opts o;
	size_t j;
	int i, ret;

	if ((i = cli_hive_parse(cmd, &o, argc, argv, "json no-logs", 2, 3)) < 0)
		return i == CLI_HELP_SHOWN ? OFFMIG_EXIT_OK : OFFMIG_EXIT_USAGE;
	if ((ret = offmig_hive_get(ctx, argv[i], argv[i + 1],
	    argc - i == 3 ? argv[i + 2] : NULL,
	    o.no_logs ? OFFMIG_HIVE_NO_LOGS : 0, &doc)) != OFFMIG_OK)
		return cli_fail(cmd, ctx, ret);
	root = offmig_doc_root(doc);
	if (o.json)
		ret = cli_print_doc(cmd, doc);
	else if ((v = offmig_node_get(root, "value")) != NULL) {
		/* The data alone, as hivexget prints it. */
		cli_put(stdout, cli_strv(v, "text"));
		putchar('\n');
	} else {
		k = offmig_node_at(offmig_node_get(root, "keys"), 0);
		vals = offmig_node_get(k, "values");
		subs = offmig_node_get(k, "subkeys");
		for (j = 0; j < offmig_node_len(subs); j++) {
			printf("[");
			cli_put(stdout, cli_strv(offmig_node_at(subs, j), "name"));
			printf("]\n");
		}
		for (j = 0; j < offmig_node_len(vals); j++) {
			const struct offmig_node *val = offmig_node_at(vals, j);
			const char *name = cli_strv(val, "name"), *t;

			if (*name == '\0')
				printf("@ ");
			else {
				putchar('"');
				cli_put(stdout, name);
				printf("\" ");
			}
			cli_put(stdout, cli_strv(val, "type"));
			putchar(' ');
			t = cli_strv(val, "type");
			print_data(offmig_node_get(val, "data"),
			    offmig_node_int(offmig_node_get(val, "raw")) ||
			    (strcmp(t, "REG_SZ") != 0 &&
			    strcmp(t, "REG_EXPAND_SZ") != 0 &&
			    strcmp(t, "REG_LINK") != 0 &&
			    strcmp(t, "REG_MULTI_SZ") != 0));
			putchar('\n');
		}
	}
	offmig_doc_free(doc);
	return ret != 0 ? ret : cli_finish(ctx);
}

const struct offmig_cmd cmd_hive_get_entry = {
	.name = "hive get",
	.run = cmd_get,
	.usage = "[--json] [--no-logs] HIVE KEY [VALUE]",
	.summary = "print a key's subkeys and values, or one value",
	.help =
	    "  --json         print one JSON document\n"
	    "  --no-logs      read a dirty hive as it is\n"
	    "KEY is '\\\\'-separated and found case-insensitively; \"\" is the "
	    "root.\nVALUE \"\" is the default value.\n",
};

/*
 * hive export
 */

static int
cmd_export(struct offmig_ctx *ctx, int argc, char **argv)
{
	const struct offmig_cmd *cmd = &cmd_hive_export_entry;
	enum offmig_export_format fmt = OFFMIG_EXPORT_REG;
	struct cli_hive_opts o;
	unsigned flags = OFFMIG_HIVE_RECURSIVE;
	FILE *fp = stdout;
	int i, ret;

	if ((i = cli_hive_parse(cmd, &o, argc, argv,
	    "format utf8 prefix key-only no-logs output", 1, 2)) < 0)
		return i == CLI_HELP_SHOWN ? OFFMIG_EXIT_OK : OFFMIG_EXIT_USAGE;
	if (o.format != NULL && strcmp(o.format, "json") == 0)
		fmt = OFFMIG_EXPORT_JSON;
	else if (o.format != NULL && strcmp(o.format, "reg") != 0)
		return cli_usage(cmd, "--format is reg or json, not '%s'",
		    o.format);
	if (o.utf8)
		flags |= OFFMIG_HIVE_UTF8;
	if (o.key_only)
		flags &= ~(unsigned)OFFMIG_HIVE_RECURSIVE;
	if (o.no_logs)
		flags |= OFFMIG_HIVE_NO_LOGS;
	if (o.out != NULL && strcmp(o.out, "-") != 0 &&
	    (fp = fopen(o.out, "wbx")) == NULL) {
		cli_error(cmd, "%s: %s", o.out, strerror(errno));
		return errno == EEXIST ? OFFMIG_EXIT_SAFETY : OFFMIG_EXIT_ENV;
	}
	ret = offmig_hive_export(ctx, argv[i], argc - i == 2 ? argv[i + 1] :
	    NULL, fmt, o.prefix, flags, fp);
	if (fp != stdout && fclose(fp) != 0 && ret == OFFMIG_OK)
		ret = OFFMIG_EIO;
	if (ret != OFFMIG_OK) {
		if (fp != stdout)
			(void)remove(o.out);
		return cli_fail(cmd, ctx, ret);
	}
	return cli_finish(ctx);
}

const struct offmig_cmd cmd_hive_export_entry = {
	.name = "hive export",
	.run = cmd_export,
	.usage = "[--format FORMAT] [--utf8] [--prefix ROOT] [--key-only] "
	    "[--no-logs] [-o OUT] HIVE [KEY]",
	.summary = "export keys and values as regedit does, or as JSON",
	.help =
	    "  --format FORMAT  reg (default: regedit's UTF-16 .reg file) or "
	    "json\n"
	    "  --utf8         .reg text in UTF-8 with LF line ends\n"
	    "  --prefix ROOT  what key paths start with, e.g.\n"
	    "                 HKEY_LOCAL_MACHINE\\\\SOFTWARE (default: the "
	    "root key's name)\n"
	    "  --key-only     the key alone, not the keys below it\n"
	    "  --no-logs      read a dirty hive as it is\n"
	    "  -o OUT         write to OUT, which must not exist (default: "
	    "stdout)\n",
};

/*
 * hive import
 */

static int
cmd_import(struct offmig_ctx *ctx, int argc, char **argv)
{
	const struct offmig_cmd *cmd = &cmd_hive_import_entry;
	const struct offmig_node *r;
	struct offmig_doc *doc;
	struct cli_hive_opts o;
	int i, ret;

	if ((i = cli_hive_parse(cmd, &o, argc, argv, "json prefix backup", 2, 2)) < 0)
		return i == CLI_HELP_SHOWN ? OFFMIG_EXIT_OK : OFFMIG_EXIT_USAGE;
	if ((ret = offmig_hive_import(ctx, argv[i], argv[i + 1], o.prefix,
	    o.backup, &doc)) != OFFMIG_OK)
		return cli_fail(cmd, ctx, ret);
	if (o.json)
		ret = cli_print_doc(cmd, doc);
	else {
		r = offmig_node_get(offmig_doc_root(doc), "import");
		cli_wrapf(stdout, 2, o.width, "%s: %s applied (sequence number "
		    "%lld); the hive as it was is %s", cli_strv(r, "path"),
		    cli_strv(r, "file"), num(r, "seq"), cli_strv(r, "backup"));
	}
	offmig_doc_free(doc);
	return ret != 0 ? ret : cli_finish(ctx);
}

const struct offmig_cmd cmd_hive_import_entry = {
	.name = "hive import",
	.run = cmd_import,
	.usage = "[--json] [--prefix ROOT] [--backup NAME] HIVE FILE",
	.summary = "apply a .reg file to a hive through the safe writer",
	.help =
	    "  --prefix ROOT  the key path prefix that names the hive's root\n"
	    "  --backup NAME  keep the hive as it was under NAME (default:\n"
	    "                 HIVE.offmig-bak)\n"
	    "  --json         print one JSON document\n"
	    "Refused (exit 5) when the hive is dirty or its logs would "
	    "apply.\n",
};
