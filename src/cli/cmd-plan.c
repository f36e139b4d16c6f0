/*
 * cmd-plan.c - "offmig plan": what a USMT scan with these rule files would
 * take from the volume, per user, component and rule, streamed as found.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

enum {
	POPT_CONFIG = 0x300, POPT_EXPLAIN, POPT_GENCONFIG, POPT_LIST,
	POPT_LIMIT, POPT_NO_REGISTRY, POPT_WINDOWS_DIR
};

struct out {
	const struct cli_common *c;
	int		 list;
	unsigned long	 limit;
	unsigned long	 n;
	int		 first;
};

extern const struct offmig_cmd cmd_plan_entry;

#define N(a)	(sizeof(a) / sizeof((a)[0]))
/* What on_item returns to stop the plan when stdout fails. */
#define STOP_WRITE	(-100)

static const char *
nz(const char *s)
{
	return s != NULL ? s : "-";
}

static int
on_item(void *arg, const struct offmig_plan_item *it)
{
	struct out *o = arg;

	o->n++;
	switch (o->c->format) {
	case OFFMIG_FMT_JSON:
		fputs(o->first ? "\n" : ",\n", stdout);
		o->first = 0;
		if (offmig_plan_item_json(stdout, it) != OFFMIG_OK)
			return STOP_WRITE;
		break;
	case OFFMIG_FMT_CSV:
		cli_csv_field(it->type);
		putchar(',');
		cli_csv_field(it->path);
		putchar(',');
		cli_csv_field(it->host_path);
		printf(",%" PRIu64 ",", it->size);
		cli_csv_field(it->user);
		putchar(',');
		cli_csv_field(it->sid);
		putchar(',');
		cli_csv_field(it->component);
		putchar(',');
		cli_csv_field(it->known_folder);
		putchar(',');
		cli_csv_field(it->rule_file);
		printf(",%ld,", it->rule_line);
		cli_csv_field(it->rule_pattern);
		printf(",%s\r\n", it->tie ? "true" : "false");
		break;
	default:
		if (!o->list && o->n > o->limit)
			break;
		cli_wrapf(stdout, 6, o->c->width, "%-8s %s  %" PRIu64 "  "
		    "[%s / %s]  %s:%ld%s", it->type, it->path, it->size,
		    nz(it->user), nz(it->component), nz(it->rule_file),
		    it->rule_line, it->tie ? " (tie: exclude won elsewhere)" :
		    "");
		break;
	}
	if (ferror(stdout))
		return STOP_WRITE;
	return 0;
}

static const struct offmig_column user_cols[] = {
	{ "USER", "user", 0 },
	{ "SID", "sid", 1 },
	{ "CONTEXT", "context", 0 },
	{ "FILES", "files", 0 },
	{ "BYTES", "bytes", 0 },
	{ "FOLDERS", "folders", 0 },
	{ "REGISTRY", "registry_values", 0 },
	{ "INI", "ini_keys", 0 },
};

static const struct offmig_column comp_cols[] = {
	{ "COMPONENT", "component", 1 },
	{ "USER", "user", 0 },
	{ "DETECTED", "detected", 0 },
	{ "FILES", "files", 0 },
	{ "BYTES", "bytes", 0 },
	{ "FOLDERS", "folders", 0 },
	{ "REGISTRY", "registry_values", 0 },
	{ "INI", "ini_keys", 0 },
};

static const struct offmig_column kf_cols[] = {
	{ "USER", "user", 0 },
	{ "FOLDER", "folder", 0 },
	{ "FILES", "files", 0 },
	{ "BYTES", "bytes", 0 },
	{ "PATH", "path", 1 },
};

static const struct offmig_column tie_cols[] = {
	{ "USER", "user", 0 },
	{ "COMPONENT", "component", 0 },
	{ "INCLUDE", "include_line", 0 },
	{ "EXCLUDE", "exclude_line", 0 },
	{ "PATH", "path", 1 },
};

static const struct offmig_column unsup_cols[] = {
	{ "FILE", "file", 0 },
	{ "LINE", "line", 0 },
	{ "COMPONENT", "component", 0 },
	{ "CONSTRUCT", "construct", 0 },
	{ "DETAIL", "detail", 1 },
};

static const struct offmig_column notapp_cols[] = {
	{ "FILE", "file", 0 },
	{ "LINE", "line", 0 },
	{ "COMPONENT", "component", 0 },
	{ "ELEMENT", "element", 0 },
	{ "WHY", "why", 1 },
};

static const struct offmig_column match_cols[] = {
	{ "USER", "user", 0 },
	{ "COMPONENT", "component", 0 },
	{ "KIND", "kind", 0 },
	{ "WON", "won", 0 },
	{ "TIE", "tie", 0 },
	{ "RULE", "file", 0 },
	{ "LINE", "line", 0 },
	{ "PATTERN", "pattern", 1 },
};

static void
table(const struct cli_common *c, const char *title,
    const struct offmig_node *rows, const struct offmig_column *cols,
    size_t ncols)
{
	if (offmig_node_len(rows) == 0)
		return;
	putchar('\n');
	cli_section(stdout, title);
	offmig_write_table(stdout, rows, cols, ncols, c->width);
}

static void
print_summary(const struct cli_common *c, const struct offmig_node *s,
    const struct out *o)
{
	const struct offmig_node *t = offmig_node_get(s, "totals"), *notes;
	size_t i;

	if (!o->list && o->n > o->limit)
		printf("... %lu more; --list shows them all\n",
		    o->n - o->limit);
	table(c, "Users", offmig_node_get(s, "users"), user_cols,
	    N(user_cols));
	table(c, "Components", offmig_node_get(s, "components"), comp_cols,
	    N(comp_cols));
	table(c, "Known folders", offmig_node_get(s, "known_folders"),
	    kf_cols, N(kf_cols));
	table(c, "Left out by a tie (the exclude won)", offmig_node_get(s,
	    "ties"), tie_cols, N(tie_cols));
	table(c, "Not evaluated (exit status 1)", offmig_node_get(s,
	    "unsupported"), unsup_cols, N(unsup_cols));
	table(c, "Not applied at scan time", offmig_node_get(s,
	    "not_applied"), notapp_cols, N(notapp_cols));
	notes = offmig_node_get(s, "notes");
	if (offmig_node_len(notes) > 0) {
		putchar('\n');
		cli_section(stdout, "Notes");
		for (i = 0; i < offmig_node_len(notes); i++)
			cli_wrapf(stdout, 2, c->width, "- %s",
			    offmig_node_str(offmig_node_at(notes, i), NULL));
	}
	printf("\nTotal: %" PRId64 " files, %" PRId64 " bytes, %" PRId64
	    " registry values, %" PRId64 " keys, %" PRId64 " INI keys; %"
	    PRId64 " empty folders, %" PRId64 " ties, %" PRId64
	    " constructs not evaluated, %" PRId64 " errors\n",
	    offmig_node_int(offmig_node_get(t, "files")),
	    offmig_node_int(offmig_node_get(t, "bytes")),
	    offmig_node_int(offmig_node_get(t, "registry_values")),
	    offmig_node_int(offmig_node_get(t, "registry_keys")),
	    offmig_node_int(offmig_node_get(t, "ini_keys")),
	    offmig_node_int(offmig_node_get(t, "folders")),
	    offmig_node_int(offmig_node_get(t, "ties")),
	    offmig_node_int(offmig_node_get(t, "unsupported")),
	    offmig_node_int(offmig_node_get(s, "errors")));
}

/* Prints the rules' diagnostics; returns the number of errors. */
static size_t
print_diags(const struct offmig_cmd *cmd, struct offmig_ctx *ctx,
    const struct offmig_rules *rules)
{
	size_t i, n = offmig_rules_ndiags(rules);

	for (i = 0; i < n; i++) {
		enum offmig_level lv;
		const char *file, *msg;
		long line;

		if (offmig_rules_diag(rules, i, &lv, &file, &line, &msg) !=
		    OFFMIG_OK)
			continue;
		fflush(stdout);
		fprintf(stderr, "offmig %s: ", cmd->name);
		cli_put(stderr, file);
		/* Line 0: the file as a whole (unreadable, too large). */
		if (line > 0)
			fprintf(stderr, ":%ld", line);
		fprintf(stderr, ": %s: ", lv == OFFMIG_LOG_ERROR ?
		    "error" : lv == OFFMIG_LOG_WARN ? "warning" : "note");
		cli_put(stderr, msg);
		putc('\n', stderr);
	}
	return offmig_rules_nerrors(rules);
}

static int
cmd_plan(struct offmig_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "config", required_argument, NULL, POPT_CONFIG },
		{ "explain", required_argument, NULL, POPT_EXPLAIN },
		{ "genconfig", required_argument, NULL, POPT_GENCONFIG },
		{ "list", no_argument, NULL, POPT_LIST },
		{ "limit", required_argument, NULL, POPT_LIMIT },
		{ "no-registry", no_argument, NULL, POPT_NO_REGISTRY },
		{ "windows-dir", required_argument, NULL, POPT_WINDOWS_DIR },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const struct offmig_cmd *cmd = &cmd_plan_entry;
	struct cli_common c;
	struct offmig_rules *rules = NULL;
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc = NULL;
	const char **inputs = NULL, *config = NULL, *explain = NULL;
	const char *genconfig = NULL;
	struct out o;
	size_t ninputs = 0, i;
	unsigned flags = 0;
	int ch, ret, status = OFFMIG_EXIT_OK, r, user_filters = 0;

	cli_common_init(&c);
	memset(&o, 0, sizeof(o));
	o.c = &c;
	o.limit = 20;
	o.first = 1;
	if ((inputs = calloc((size_t)argc + 1, sizeof(*inputs))) == NULL) {
		cli_error(cmd, "out of memory");
		status = OFFMIG_EXIT_ENV;
		goto out;
	}
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":i:h", longopts, NULL)) != -1) {
		char *end;

		switch (ch) {
		case 'i':
			inputs[ninputs++] = optarg;
			break;
		case POPT_CONFIG:
			config = optarg;
			break;
		case POPT_EXPLAIN:
			explain = optarg;
			break;
		case POPT_GENCONFIG:
			genconfig = optarg;
			break;
		case POPT_LIST:
			o.list = 1;
			break;
		case POPT_LIMIT:
			errno = 0;
			o.limit = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0) {
				status = cli_usage(cmd, "--limit takes a number, "
				    "not '%s'", optarg);
				goto out;
			}
			break;
		case POPT_NO_REGISTRY:
			flags |= OFFMIG_PLAN_NO_REGISTRY;
			break;
		case POPT_WINDOWS_DIR:
			c.windows_dir = optarg;
			break;
		case 'h':
			cli_help(cmd);
			goto out;
		case ':':
			status = cli_usage(cmd, "option '%s' needs an argument",
			    argv[optind - 1]);
			goto out;
		case '?':
			status = cli_usage(cmd, "unknown option '%s'",
			    argv[optind - 1]);
			goto out;
		default:
			if (ch == OPT_UI || ch == OPT_UE || ch == OPT_UEL)
				user_filters = 1;
			if ((r = cli_common_opt(cmd, &c, ch, optarg)) < 0) {
				status = OFFMIG_EXIT_USAGE;
				goto out;
			}
			if (r == 0) {
				status = cli_usage(cmd, "unknown option");
				goto out;
			}
			break;
		}
	}
	if (argc - optind != 1) {
		status = cli_usage(cmd, argc - optind == 0 ? "VOLUME is missing" :
		    "one VOLUME only");
		goto out;
	}
	if (ninputs == 0) {
		status = cli_usage(cmd, "at least one -i FILE.xml is needed");
		goto out;
	}
	if ((explain != NULL) + (genconfig != NULL) > 1) {
		status = cli_usage(cmd, "--explain and --genconfig go alone");
		goto out;
	}
	if (c.all && user_filters) {
		status = cli_usage(cmd, "--all goes without --ui, --ue and --uel, "
		    "as ScanState's /all");
		goto out;
	}
	offmig_ctx_set_log(ctx, cli_log, NULL);
	if ((ret = offmig_rules_new(ctx, &rules)) != OFFMIG_OK) {
		status = cli_fail(cmd, ctx, ret);
		goto out;
	}
	ret = OFFMIG_OK;
	for (i = 0; i < ninputs; i++) {
		r = offmig_rules_load(ctx, rules, inputs[i]);
		if (r == OFFMIG_EIO || r == OFFMIG_ENOMEM)
			ret = r;
	}
	if (config != NULL) {
		r = offmig_rules_load_config(ctx, rules, config);
		if (r == OFFMIG_EIO || r == OFFMIG_ENOMEM)
			ret = r;
	}
	if (print_diags(cmd, ctx, rules) > 0) {
		status = ret == OFFMIG_EIO ? OFFMIG_EXIT_ENV : OFFMIG_EXIT_DATA;
		goto out;
	}
	if (offmig_rules_ndiags(rules) > 0)
		status = OFFMIG_EXIT_PARTIAL;
	if ((r = cli_open_volume(cmd, ctx, &c, argv[optind], &vol)) != 0) {
		status = r;
		goto out;
	}
	if (explain != NULL) {
		if ((ret = offmig_plan_explain(ctx, vol, rules, c.filter, explain,
		    &doc)) != OFFMIG_OK) {
			status = cli_fail(cmd, ctx, ret);
			goto out;
		}
		if (c.format == OFFMIG_FMT_JSON)
			offmig_write_json(stdout, offmig_doc_root(doc));
		else {
			const struct offmig_node *sel = offmig_node_get(
			    offmig_doc_root(doc), "selected");

			const struct offmig_node *m = offmig_node_get(
			    offmig_doc_root(doc), "matches");

			printf("%s: ", explain);
			if (offmig_node_len(sel) == 0)
				printf("not selected\n");
			for (i = 0; i < offmig_node_len(m); i++)
				if (offmig_node_int(offmig_node_get(
				    offmig_node_at(m, i), "tie")))
					printf("  tie in '%s': an include is "
					    "exactly as specific as the exclude "
					    "at line %" PRId64 "; the exclude "
					    "wins (USMT's documentation says "
					    "both)\n", cli_strv(offmig_node_at(m,
					    i), "component"), offmig_node_int(
					    offmig_node_get(offmig_node_at(m, i),
					    "line")));
			for (i = 0; i < offmig_node_len(sel); i++) {
				const struct offmig_node *s =
				    offmig_node_at(sel, i);

				printf("%sselected for %s by '%s' (%s:%" PRId64
				    ")%s\n", i > 0 ? "  and " : "",
				    cli_strv(s, "user"), cli_strv(s,
				    "component"), cli_strv(s, "file"),
				    offmig_node_int(offmig_node_get(s, "line")),
				    offmig_node_int(offmig_node_get(s, "tie")) ?
				    " (tie)" : "");
			}
			table(&c, "Matching rules", offmig_node_get(
			    offmig_doc_root(doc), "matches"), match_cols,
			    N(match_cols));
			table(&c, "Not evaluated", offmig_node_get(
			    offmig_doc_root(doc), "unsupported"), unsup_cols,
			    N(unsup_cols));
		}
		if (offmig_node_len(offmig_node_get(offmig_doc_root(doc),
		    "unsupported")) > 0)
			status = OFFMIG_EXIT_PARTIAL;
		goto done;
	}
	if (genconfig != NULL) {
		const struct offmig_node *arr;

		if ((ret = offmig_plan_genconfig(ctx, vol, rules, c.filter,
		    genconfig, &doc)) != OFFMIG_OK) {
			status = cli_fail(cmd, ctx, ret);
			goto out;
		}
		arr = offmig_node_get(offmig_doc_root(doc), "components");
		if (c.format == OFFMIG_FMT_JSON)
			offmig_write_json(stdout, offmig_doc_root(doc));
		else {
			printf("%s: %zu component%s detected, migrate=\"yes\"\n",
			    genconfig, offmig_node_len(arr),
			    offmig_node_len(arr) == 1 ? "" : "s");
			for (i = 0; i < offmig_node_len(arr); i++)
				printf("  %s: %s\n", cli_strv(offmig_node_at(
				    arr, i), "group"), cli_strv(offmig_node_at(
				    arr, i), "name"));
		}
		if (offmig_node_len(offmig_node_get(offmig_doc_root(doc),
		    "unsupported")) > 0)
			status = OFFMIG_EXIT_PARTIAL;
		goto done;
	}
	if (c.format == OFFMIG_FMT_JSON)
		fputs("{\"objects\": [", stdout);
	else if (c.format == OFFMIG_FMT_CSV)
		fputs("type,path,host_path,size,user,sid,component,"
		    "known_folder,rule_file,rule_line,rule_pattern,tie\r\n",
		    stdout);
	ret = offmig_plan_run(ctx, vol, rules, c.filter, flags, on_item, &o,
	    &doc);
	if (ret != OFFMIG_OK) {
		if (c.format == OFFMIG_FMT_JSON)
			fputs("]}\n", stdout);
		status = ret == STOP_WRITE ? OFFMIG_EXIT_ENV :
		    cli_fail(cmd, ctx, ret);
		if (ret == STOP_WRITE)
			cli_error(cmd, "cannot write the output: %s",
			    strerror(errno));
		goto out;
	}
	if (c.format == OFFMIG_FMT_JSON) {
		fputs("\n],\n\"summary\": ", stdout);
		offmig_write_json(stdout, offmig_doc_root(doc));
		fputs("}\n", stdout);
	} else if (c.format == OFFMIG_FMT_TABLE)
		print_summary(&c, offmig_doc_root(doc), &o);
	{
		const struct offmig_node *root = offmig_doc_root(doc);

		if (offmig_node_len(offmig_node_get(root, "unsupported")) > 0 ||
		    offmig_node_int(offmig_node_get(root, "errors")) > 0)
			status = OFFMIG_EXIT_PARTIAL;
	}
done:
	r = cli_finish(ctx);
	if (r > status)
		status = r;
out:
	offmig_doc_free(doc);
	offmig_volume_close(vol);
	offmig_rules_free(rules);
	free(inputs);
	cli_common_release(&c);
	return status;
}

const struct offmig_cmd cmd_plan_entry = {
	.name = "plan",
	.run = cmd_plan,
	.usage = "[--json | --csv] [--list] [--config FILE] "
	    "[--explain PATH | --genconfig OUT] [--ui PATTERN] [--ue PATTERN] "
	    "[--uel DAYS] [--windows DIR] [--no-logs] -i XML ... VOLUME",
	.summary = "what a USMT scan with these rules would take, and why",
	.help =
	    "  -i, --input FILE    a migration XML file (repeat for more)\n"
	    "  --config FILE       a config.xml (migrate=\"no\" components are "
	    "left out)\n"
	    "  --json              one JSON document, streamed: {\"objects\": "
	    "[...], \"summary\": {...}}\n"
	    "  --csv               one CSV row per object\n"
	    "  --list              list every object (the table shows the "
	    "first --limit N, 20)\n"
	    "  --limit N           objects the table shows without --list\n"
	    "  --no-registry       files (and INI keys) only\n"
	    "  --explain PATH      every rule matching PATH (C:\\...\\file or "
	    "HKCU\\Key [value]) and the winner\n"
	    "  --genconfig OUT     write a config.xml of the detected "
	    "components\n"
	    "  --ui/--ue PATTERN, --uel DAYS   user filters (default: every "
	    "user; --all says so)\n"
	    "  --windows DIR, --windows-dir DIR        the installation to use\n"
	    "  --no-logs           read dirty hives as they are\n"
	    "Exit status 1 when a construct could not be evaluated or an item "
	    "failed, 3 for invalid XML.\n",
};
