/*
 * offmig.c - the offmig command: finds the subcommand in one table and runs
 * it.  Each subcommand lives in its own cmd-<name>.c file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/cli.h"

extern const struct offmig_cmd cmd_plan_entry;	/* cmd-plan.c */

static const struct offmig_cmd *const commands[] = {
	&cmd_inspect_entry,
	&cmd_os_entry,
	&cmd_profiles_entry,
	&cmd_apps_entry,
	&cmd_folders_entry,
	&cmd_hive_check_entry,
	&cmd_hive_recover_entry,
	&cmd_hive_get_entry,
	&cmd_hive_export_entry,
	&cmd_hive_import_entry,
	&cmd_hive_clean_entry,
	&cmd_plan_entry,
	&cmd_xml_entry,
	&cmd_store_create_entry,
	&cmd_store_verify_entry,
	&cmd_store_list_entry,
	&cmd_store_restore_entry,
	&cmd_store_remove_entry,
	&cmd_store_wipe_entry,
	NULL
};

/*
 * The command named by argv[0] or, for a group ("hive check"), by
 * argv[0] and argv[1]; *usedp gets how many words the name took.
 */
static const struct offmig_cmd *
find(int argc, char **argv, int *usedp)
{
	size_t i, len = strlen(argv[0]);

	*usedp = 1;
	for (i = 0; commands[i] != NULL; i++)
		if (strcmp(commands[i]->name, argv[0]) == 0)
			return commands[i];
	if (argc < 2)
		return NULL;
	*usedp = 2;
	for (i = 0; commands[i] != NULL; i++)
		if (strncmp(commands[i]->name, argv[0], len) == 0 &&
		    commands[i]->name[len] == ' ' &&
		    strcmp(commands[i]->name + len + 1, argv[1]) == 0)
			return commands[i];
	return NULL;
}

/* Non-zero when name is a command group ("hive"). */
static int
is_group(const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; commands[i] != NULL; i++)
		if (strncmp(commands[i]->name, name, len) == 0 &&
		    commands[i]->name[len] == ' ')
			return 1;
	return 0;
}

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: offmig [--version] [--help] COMMAND [ARGS]\n\n"
	    "Inspect an offline Windows installation from its mounted volume and\n"
	    "carry its users' state across a reinstall.  Only 'hive import',\n"
	    "'hive clean --apply | --undo', 'store restore' and 'store "
	    "wipe-except'\nwrite to a volume; 'store create' and 'store remove' "
	    "write only inside the store;\nevery other command only reads.\n\n"
	    "commands:\n");
	for (i = 0; commands[i] != NULL; i++)
		fprintf(fp, "  %-17s  %s\n", commands[i]->name,
		    commands[i]->summary);
	fprintf(fp, "\n'offmig help COMMAND' describes one command; "
	    "offmig(1) has the details.\n");
}

int
main(int argc, char **argv)
{
	const struct offmig_cmd *cmd;
	struct offmig_ctx *ctx;
	struct rlimit rl;
	int ret, used;

	/*
	 * A report keeps every user's hive open, and hivex holds a file
	 * descriptor for each: a volume with a thousand profiles needs more
	 * than the usual soft limit of 1024.  offmig never uses select().
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}

	if (argc < 2) {
		usage(stderr);
		return OFFMIG_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("offmig %s\n", offmig_version());
		return OFFMIG_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return OFFMIG_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			usage(stdout);
			return OFFMIG_EXIT_OK;
		}
		if ((cmd = find(argc - 2, argv + 2, &used)) == NULL) {
			if (is_group(argv[2])) {
				usage(stdout);
				return OFFMIG_EXIT_OK;
			}
			fprintf(stderr, "offmig: no command '%s'\n", argv[2]);
			return OFFMIG_EXIT_USAGE;
		}
		cli_help(cmd);
		return OFFMIG_EXIT_OK;
	}
	if ((cmd = find(argc - 1, argv + 1, &used)) == NULL) {
		if (is_group(argv[1]))
			fprintf(stderr, "offmig: '%s' needs a subcommand%s%s\n",
			    argv[1], argc > 2 ? ", not " : "",
			    argc > 2 ? argv[2] : "");
		else
			fprintf(stderr, "offmig: no command '%s'\n", argv[1]);
		usage(stderr);
		return OFFMIG_EXIT_USAGE;
	}
	if ((ctx = offmig_ctx_new()) == NULL) {
		fprintf(stderr, "offmig: out of memory\n");
		return OFFMIG_EXIT_ENV;
	}
	offmig_ctx_set_log(ctx, cli_log, NULL);
	ret = cmd->run(ctx, argc - used, argv + used);
	offmig_ctx_free(ctx);
	return ret;
}
