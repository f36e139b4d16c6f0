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
build(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct cli_common *c, char **args, int nargs,
    struct offmig_doc **docp)
{
	return offmig_apps_report(ctx, vol, c->filter, c->all ?
	    OFFMIG_REPORT_ALL_APPS : 0, docp);
}

static int
print(const struct offmig_cmd *cmd, const struct cli_common *c,
    const struct offmig_node *root)
{
	if (c->format == OFFMIG_FMT_CSV)
		return cli_print(cmd, c, root, "apps", csv_cols,
		    sizeof(csv_cols) / sizeof(csv_cols[0]));
	return cli_print(cmd, c, root, "apps", table_cols,
	    sizeof(table_cols) / sizeof(table_cols[0]));
}

static int
cmd_apps(struct offmig_ctx *ctx, int argc, char **argv)
{
	return cli_run_report(&cmd_apps_entry, ctx, argc, argv, 1, NULL, build,
	    print);
}

const struct offmig_cmd cmd_apps_entry = {
	.name = "apps",
	.run = cmd_apps,
	.usage = "[--json | --csv] [--all] [--windows DIR] [--jobs N] "
	    "[--ui PATTERN] [--ue PATTERN] [--uel DAYS] VOLUME",
	.summary = "list installed applications, machine-wide and per user",
	.help =
	    "  --json         print one JSON document\n"
	    "  --csv          print CSV\n"
	    "  --all          include what Add/Remove Programs hides (system\n"
	    "                 components, updates, entries with no name)\n"
	    "  --windows DIR  the installation to read when there are several\n"
	    "  --ui, --ue, --uel   select whose per-user applications are read\n",
};
