/*
 * cmd-os.c - "offmig os": what Windows this is, and the state of its hives.
 */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"

static const struct offmig_column os_fields[] = {
	{ "Product", "product_name", 0 },
	{ "Edition", "edition", 0 },
	{ "Version", "version", 0 },
	{ "Build", "build", 0 },
	{ "Update (UBR)", "ubr", 0 },
	{ "Release", "display_version", 0 },
	{ "Service pack", "csd_version", 0 },
	{ "Installation type", "installation_type", 0 },
	{ "Architecture", "arch", 0 },
	{ "Computer name", "computer_name", 0 },
	{ "Hostname", "hostname", 0 },
	{ "Installed", "install_date", 0 },
	{ "Last shutdown", "last_shutdown", 0 },
	{ "Control set", "control_set", 0 },
	{ "Windows directory", "windows_dir", 0 },
	{ "Registered owner", "registered_owner", 0 },
	{ "Hibernated", "hibernated", 0 },
	{ "Problems", "problems", 0 },
};

const struct offmig_column cli_hive_columns[] = {
	{ "HIVE", "name", 0 },
	{ "SCOPE", "scope", 0 },
	{ "USER", "user", 0 },
	{ "PRESENT", "present", 0 },
	{ "DIRTY", "dirty", 0 },
	{ "SEQ", "seq1", 0 },
	{ "SEQ2", "seq2", 0 },
	{ "LOGS", "log_count", 0 },
	{ "HOST PATH", "host_path", 1 },
	{ "PROBLEMS", "problems", 1 },
};
const size_t cli_nhive_columns = sizeof(cli_hive_columns) /
    sizeof(cli_hive_columns[0]);

static const struct offmig_column csv_cols[] = {
	{ "name", "name", 0 },
	{ "scope", "scope", 0 },
	{ "sid", "sid", 0 },
	{ "user", "user", 0 },
	{ "path", "path", 0 },
	{ "host_path", "host_path", 0 },
	{ "present", "present", 0 },
	{ "size", "size", 0 },
	{ "dirty", "dirty", 0 },
	{ "seq1", "seq1", 0 },
	{ "seq2", "seq2", 0 },
	{ "checksum_ok", "checksum_ok", 0 },
	{ "logs", "log_count", 0 },
	{ "problems", "problems", 0 },
};

static int
build(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct cli_common *c, char **args, int nargs,
    struct offmig_doc **docp)
{
	return offmig_os_report(ctx, vol, docp);
}

static int
print(const struct offmig_cmd *cmd, const struct cli_common *c,
    const struct offmig_node *root)
{
	if (c->format == OFFMIG_FMT_CSV)
		return cli_print(cmd, c, root, "hives", csv_cols,
		    sizeof(csv_cols) / sizeof(csv_cols[0]));
	offmig_write_fields(stdout, root, os_fields,
	    sizeof(os_fields) / sizeof(os_fields[0]), c->width);
	cli_section(stdout, "Hives");
	return cli_print(cmd, c, root, "hives", cli_hive_columns,
	    cli_nhive_columns);
}

static int
cmd_os(struct offmig_ctx *ctx, int argc, char **argv)
{
	return cli_run_report(&cmd_os_entry, ctx, argc, argv, 1, NULL, build,
	    print);
}

const struct offmig_cmd cmd_os_entry = {
	.name = "os",
	.run = cmd_os,
	.usage = "[--json | --csv] [--windows DIR] [--jobs N] VOLUME",
	.summary = "show the Windows version, machine facts and hive states",
	.help =
	    "  --json         print one JSON document\n"
	    "  --csv          print the hive list as CSV\n"
	    "  --windows DIR  the installation to read when there are several\n",
};
