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
};
const size_t cli_nhive_columns = sizeof(cli_hive_columns) /
    sizeof(cli_hive_columns[0]);

static int
cmd_os(struct offmig_ctx *ctx, int argc, char **argv)
{
	struct cli_common c;
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc = NULL;
	const struct offmig_node *root;
	int i, ret, err;

	cli_common_init(&c);
	if ((i = cli_parse(&cmd_os_entry, &c, argc, argv, 1, 1)) < 0) {
		ret = i == CLI_HELP_SHOWN ? 0 : OFFMIG_EXIT_USAGE;
		goto out;
	}
	if ((ret = cli_open_volume(&cmd_os_entry, ctx, &c, argv[i], &vol)) != 0)
		goto out;
	if ((err = offmig_os_report(ctx, vol, &doc)) != OFFMIG_OK) {
		ret = cli_fail(&cmd_os_entry, ctx, err);
		goto out;
	}
	root = offmig_doc_root(doc);
	if (c.format == OFFMIG_FMT_TABLE) {
		offmig_write_fields(stdout, root, os_fields,
		    sizeof(os_fields) / sizeof(os_fields[0]), c.width);
		cli_section(stdout, "Hives");
	}
	if ((ret = cli_print(&cmd_os_entry, &c, root, "hives", cli_hive_columns,
	    cli_nhive_columns)) != 0)
		goto out;
	ret = cli_finish(ctx);
out:
	offmig_doc_free(doc);
	offmig_volume_close(vol);
	cli_common_release(&c);
	return ret;
}

const struct offmig_cmd cmd_os_entry = {
	.name = "os",
	.run = cmd_os,
	.usage = "[--json | --csv] [--windows DIR] VOLUME",
	.summary = "show the Windows version, machine facts and hive states",
	.help =
	    "  --json         print one JSON document\n"
	    "  --csv          print the hive list as CSV\n"
	    "  --windows DIR  the installation to read when there are several\n",
};
