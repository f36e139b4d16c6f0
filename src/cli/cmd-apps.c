/*
 * cmd-apps.c - "offmig apps": installed applications, machine-wide (64-
 * and 32-bit views) and per user.
 */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"

static const struct offmig_column table_cols[] = {
	{ "NAME", "name", 1 },
	{ "VERSION", "version", 0 },
	{ "PUBLISHER", "publisher", 1 },
	{ "INSTALLED", "install_date", 0 },
	{ "SCOPE", "scope", 0 },
	{ "VIEW", "view", 0 },
	{ "USER", "user", 0 },
};

static const struct offmig_column csv_cols[] = {
	{ "name", "name", 0 },
	{ "version", "version", 0 },
	{ "publisher", "publisher", 0 },
	{ "install_date", "install_date", 0 },
	{ "location", "location", 0 },
	{ "uninstall_string", "uninstall_string", 0 },
	{ "estimated_size_kb", "estimated_size_kb", 0 },
	{ "msi_product_code", "msi_product_code", 0 },
	{ "scope", "scope", 0 },
	{ "sid", "sid", 0 },
	{ "user", "user", 0 },
	{ "view", "view", 0 },
	{ "hidden", "hidden", 0 },
	{ "hidden_reason", "hidden_reason", 0 },
	{ "key", "key", 0 },
};

static int
cmd_apps(struct offmig_ctx *ctx, int argc, char **argv)
{
	struct cli_common c;
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc = NULL;
	int i, ret, err;

	cli_common_init(&c);
	if ((i = cli_parse(&cmd_apps_entry, &c, argc, argv, 1, 1)) < 0) {
		ret = i == CLI_HELP_SHOWN ? 0 : OFFMIG_EXIT_USAGE;
		goto out;
	}
	if ((ret = cli_open_volume(&cmd_apps_entry, ctx, &c, argv[i], &vol)) !=
	    0)
		goto out;
	if ((err = offmig_apps_report(ctx, vol, c.filter, c.all ?
	    OFFMIG_REPORT_ALL_APPS : 0, &doc)) != OFFMIG_OK) {
		ret = cli_fail(&cmd_apps_entry, ctx, err);
		goto out;
	}
	if (c.format == OFFMIG_FMT_CSV)
		ret = cli_print(&cmd_apps_entry, &c, offmig_doc_root(doc), "apps",
		    csv_cols, sizeof(csv_cols) / sizeof(csv_cols[0]));
	else
		ret = cli_print(&cmd_apps_entry, &c, offmig_doc_root(doc), "apps",
		    table_cols, sizeof(table_cols) / sizeof(table_cols[0]));
	if (ret == 0)
		ret = cli_finish(ctx);
out:
	offmig_doc_free(doc);
	offmig_volume_close(vol);
	cli_common_release(&c);
	return ret;
}

const struct offmig_cmd cmd_apps_entry = {
	.name = "apps",
	.run = cmd_apps,
	.usage = "[--json | --csv] [--all] [--windows DIR] [--ui PATTERN] "
	    "[--ue PATTERN] [--uel DAYS] VOLUME",
	.summary = "list installed applications, machine-wide and per user",
	.help =
	    "  --json         print one JSON document\n"
	    "  --csv          print CSV\n"
	    "  --all          include what Add/Remove Programs hides (system\n"
	    "                 components, updates, entries with no name)\n"
	    "  --windows DIR  the installation to read when there are several\n"
	    "  --ui, --ue, --uel   select whose per-user applications are read\n",
};
