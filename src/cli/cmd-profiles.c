/*
 * cmd-profiles.c - "offmig profiles": every ProfileList entry, named, dated
 * and classified, and the folders no entry owns.
 */
#include "config.h"

#include <stdio.h>

#include "cli/cli.h"

static const struct offmig_column table_cols[] = {
	{ "SID", "sid", 1 },
	{ "USER", "user", 0 },
	{ "FROM", "user_source", 0 },
	{ "STATUS", "status", 0 },
	{ "LAST USE", "last_use", 0 },
	{ "PATH", "path", 1 },
	{ "STATE", "state_flags", 1 },
	{ "DIRTY", "hive.dirty", 0 },
};

static const struct offmig_column csv_cols[] = {
	{ "sid", "sid", 0 },
	{ "key", "key", 0 },
	{ "user", "user", 0 },
	{ "user_source", "user_source", 0 },
	{ "domain", "domain", 0 },
	{ "status", "status", 0 },
	{ "path", "path", 0 },
	{ "host_path", "host_path", 0 },
	{ "state", "state", 0 },
	{ "state_flags", "state_flags", 0 },
	{ "refcount", "refcount", 0 },
	{ "last_use", "last_use", 0 },
	{ "last_use_source", "last_use_source", 0 },
	{ "hive_present", "hive.present", 0 },
	{ "hive_dirty", "hive.dirty", 0 },
	{ "partner", "partner", 0 },
	{ "problems", "problems", 0 },
};

static int
cmd_profiles(struct offmig_ctx *ctx, int argc, char **argv)
{
	struct cli_common c;
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc = NULL;
	int i, ret, err;

	cli_common_init(&c);
	if ((i = cli_parse(&cmd_profiles_entry, &c, argc, argv, 1, 1)) < 0) {
		ret = i == CLI_HELP_SHOWN ? 0 : OFFMIG_EXIT_USAGE;
		goto out;
	}
	if ((ret = cli_open_volume(&cmd_profiles_entry, ctx, &c, argv[i],
	    &vol)) != 0)
		goto out;
	if ((err = offmig_profiles_report(ctx, vol, c.filter, &doc)) !=
	    OFFMIG_OK) {
		ret = cli_fail(&cmd_profiles_entry, ctx, err);
		goto out;
	}
	if (c.format == OFFMIG_FMT_CSV)
		ret = cli_print(&cmd_profiles_entry, &c, offmig_doc_root(doc),
		    "profiles", csv_cols, sizeof(csv_cols) / sizeof(csv_cols[0]));
	else
		ret = cli_print(&cmd_profiles_entry, &c, offmig_doc_root(doc),
		    "profiles", table_cols, sizeof(table_cols) /
		    sizeof(table_cols[0]));
	if (ret == 0)
		ret = cli_finish(ctx);
out:
	offmig_doc_free(doc);
	offmig_volume_close(vol);
	cli_common_release(&c);
	return ret;
}

const struct offmig_cmd cmd_profiles_entry = {
	.name = "profiles",
	.run = cmd_profiles,
	.usage = "[--json | --csv] [--windows DIR] [--ui PATTERN] "
	    "[--ue PATTERN] [--uel DAYS] VOLUME",
	.summary = "list user profiles: SID, name, path, state, last use",
	.help =
	    "  --json         print one JSON document\n"
	    "  --csv          print CSV\n"
	    "  --windows DIR  the installation to read when there are several\n"
	    "  --ui PATTERN   include users matching DOMAIN\\user, user or SID\n"
	    "                 ('*' wildcards); overrides --ue and --uel\n"
	    "  --ue PATTERN   exclude matching users\n"
	    "  --uel DAYS     exclude users not used for DAYS days\n",
};
