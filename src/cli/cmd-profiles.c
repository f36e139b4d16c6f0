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
	{ "SOURCE", "user_source", 0 },
	{ "STATUS", "status", 0 },
	{ "LAST USE", "last_use", 0 },
	{ "PATH", "path", 1 },
	{ "STATE FLAGS", "state_flags", 1 },
	{ "HIVE", "hive.present", 0 },
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
build(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct cli_common *c, char **args, int nargs,
    struct offmig_doc **docp)
{
	return offmig_profiles_report(ctx, vol, c->filter, docp);
}

static int
print(const struct offmig_cmd *cmd, const struct cli_common *c,
    const struct offmig_node *root)
{
	if (c->format == OFFMIG_FMT_CSV)
		return cli_print(cmd, c, root, "profiles", csv_cols,
		    sizeof(csv_cols) / sizeof(csv_cols[0]));
	return cli_print(cmd, c, root, "profiles", table_cols,
	    sizeof(table_cols) / sizeof(table_cols[0]));
}

static int
cmd_profiles(struct offmig_ctx *ctx, int argc, char **argv)
{
	return cli_run_report(&cmd_profiles_entry, ctx, argc, argv, 1, NULL,
	    build, print);
}

const struct offmig_cmd cmd_profiles_entry = {
	.name = "profiles",
	.run = cmd_profiles,
	.usage = "[--json | --csv] [--windows DIR] [--jobs N] "
	    "[--ui PATTERN] [--ue PATTERN] [--uel DAYS] VOLUME",
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
