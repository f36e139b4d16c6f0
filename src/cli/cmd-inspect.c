/*
 * cmd-inspect.c - "offmig inspect": the whole inventory in one report, and
 * what a migration would trip on.
 */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"

static const struct offmig_column os_fields[] = {
	{ "Volume", "volume", 0 },
	{ "Product", "product_name", 0 },
	{ "Edition", "edition", 0 },
	{ "Version", "version", 0 },
	{ "Build", "build", 0 },
	{ "Update (UBR)", "ubr", 0 },
	{ "Release", "display_version", 0 },
	{ "Architecture", "arch", 0 },
	{ "Computer name", "computer_name", 0 },
	{ "Hostname", "hostname", 0 },
	{ "Installed", "install_date", 0 },
	{ "Last shutdown", "last_shutdown", 0 },
	{ "Control set", "control_set", 0 },
	{ "Windows directory", "windows_dir", 0 },
	{ "Hibernated", "hibernated", 0 },
};

static const struct offmig_column profile_cols[] = {
	{ "USER", "user", 0 },
	{ "SID", "sid", 1 },
	{ "STATUS", "status", 0 },
	{ "LAST USE", "last_use", 0 },
	{ "PATH", "path", 1 },
	{ "HIVE", "hive.present", 0 },
	{ "DIRTY", "hive.dirty", 0 },
};

static const struct offmig_column app_cols[] = {
	{ "NAME", "name", 1 },
	{ "VERSION", "version", 0 },
	{ "PUBLISHER", "publisher", 1 },
	{ "SCOPE", "scope", 0 },
	{ "VIEW", "view", 0 },
	{ "USER", "user", 0 },
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static const char *
nz(const char *s)
{
	return s != NULL ? s : "-";
}

static void
print_report(const struct cli_common *c, const struct offmig_node *root)
{
	const struct offmig_node *os = offmig_node_get(root, "os");
	const struct offmig_node *profiles = offmig_node_get(root, "profiles");
	const struct offmig_node *apps = offmig_node_get(root, "apps");
	const struct offmig_node *att = offmig_node_get(root, "attention");
	size_t i;

	printf("== OS ==\n");
	offmig_write_fields(stdout, os, os_fields, N(os_fields), c->width);
	cli_section(stdout, "Hives");
	offmig_write_table(stdout, offmig_node_get(os, "hives"),
	    cli_hive_columns, cli_nhive_columns, c->width);
	printf("\n== Profiles (%zu) ==\n", offmig_node_len(profiles));
	offmig_write_table(stdout, profiles, profile_cols, N(profile_cols),
	    c->width);
	printf("\n== Applications (%zu) ==\n", offmig_node_len(apps));
	if (offmig_node_len(apps) > 0)
		offmig_write_table(stdout, apps, app_cols, N(app_cols),
		    c->width);
	cli_section(stdout, "Known folders");
	cli_print_folders(c, offmig_node_get(root, "folders"), 1);
	printf("\n== Attention (%zu) ==\n", offmig_node_len(att));
	if (offmig_node_len(att) == 0)
		printf("nothing a migration would trip on was found\n");
	/* One item a line: "! severity what subject: detail". */
	for (i = 0; i < offmig_node_len(att); i++) {
		const struct offmig_node *a = offmig_node_at(att, i);

		cli_wrapf(stdout, 4, c->width, "! %s %s %s: %s",
		    nz(offmig_node_get_str(a, "severity")),
		    nz(offmig_node_get_str(a, "what")),
		    nz(offmig_node_get_str(a, "subject")),
		    nz(offmig_node_get_str(a, "detail")));
	}
}

static int
check(const struct offmig_cmd *cmd, const struct cli_common *c, int nargs)
{
	if (c->format == OFFMIG_FMT_CSV)
		return cli_usage(cmd, "the report has several tables: use "
		    "--json, or the os, profiles, apps and folders commands "
		    "with --csv");
	return 0;
}

static int
build(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct cli_common *c, char **args, int nargs,
    struct offmig_doc **docp)
{
	return offmig_inspect_report(ctx, vol, c->filter, c->all ?
	    OFFMIG_REPORT_ALL_APPS : 0, docp);
}

static int
print(const struct offmig_cmd *cmd, const struct cli_common *c,
    const struct offmig_node *root)
{
	print_report(c, root);
	return 0;
}

static int
cmd_inspect(struct offmig_ctx *ctx, int argc, char **argv)
{
	return cli_run_report(&cmd_inspect_entry, ctx, argc, argv, 1, check,
	    build, print);
}

const struct offmig_cmd cmd_inspect_entry = {
	.name = "inspect",
	.run = cmd_inspect,
	.usage = "[--json] [--all] [--windows DIR] [--jobs N] "
	    "[--ui PATTERN] [--ue PATTERN] [--uel DAYS] VOLUME",
	.summary = "report OS, profiles, applications, folders and what needs "
	    "attention",
	.help =
	    "  --json         print one JSON document\n"
	    "  --all          include applications Add/Remove Programs hides\n"
	    "  --windows DIR  the installation to read when there are several\n"
	    "  --ui, --ue, --uel   select users, as USMT does\n",
};
