/*
 * offmig.c - the offmig command: finds the subcommand in one table and runs
 * it.  Each subcommand lives in its own cmd-<name>.c file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const struct offmig_cmd *const commands[] = {
	&cmd_inspect_entry,
	&cmd_os_entry,
	&cmd_profiles_entry,
	&cmd_apps_entry,
	&cmd_folders_entry,
	NULL
};

static const struct offmig_cmd *
find(const char *name)
{
	size_t i;

	for (i = 0; commands[i] != NULL; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: offmig [--version] [--help] COMMAND [ARGS]\n\n"
	    "Inspect an offline Windows installation from its mounted volume.\n"
	    "Nothing on the volume is written.\n\ncommands:\n");
	for (i = 0; commands[i] != NULL; i++)
		fprintf(fp, "  %-10s %s\n", commands[i]->name,
		    commands[i]->summary);
	fprintf(fp, "\n'offmig help COMMAND' describes one command; "
	    "offmig(1) has the details.\n");
}

int
main(int argc, char **argv)
{
	const struct offmig_cmd *cmd;
	struct offmig_ctx *ctx;
	int ret;

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
		if ((cmd = find(argv[2])) == NULL) {
			fprintf(stderr, "offmig: no command '%s'\n", argv[2]);
			return OFFMIG_EXIT_USAGE;
		}
		cli_help(cmd);
		return OFFMIG_EXIT_OK;
	}
	if ((cmd = find(argv[1])) == NULL) {
		fprintf(stderr, "offmig: no command '%s'\n", argv[1]);
		usage(stderr);
		return OFFMIG_EXIT_USAGE;
	}
	if ((ctx = offmig_ctx_new()) == NULL) {
		fprintf(stderr, "offmig: out of memory\n");
		return OFFMIG_EXIT_ENV;
	}
	offmig_ctx_set_log(ctx, cli_log, NULL);
	ret = cmd->run(ctx, argc - 1, argv + 1);
	offmig_ctx_free(ctx);
	return ret;
}
