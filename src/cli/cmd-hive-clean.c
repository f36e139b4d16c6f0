/*
 * cmd-hive-clean.c - "offmig hive clean": the stale hive state of a volume,
 * planned, cleaned with a journal, or put back.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void
print_clean(const struct cli_hive_opts *o, const struct offmig_node *root)
{
	const struct offmig_node *acts = offmig_node_get(root, "actions");
	size_t j, n = offmig_node_len(acts);
	const char *mode = cli_strv(root, "mode");

	if (n == 0) {
		printf("nothing to clean: no stale hive state was found\n");
		return;
	}
	for (j = 0; j < n; j++) {
		const struct offmig_node *a = offmig_node_at(acts, j);
		const char *err = offmig_node_get_str(a, "error");

		printf("%-8s %-17s ", cli_strv(a, "state"),
		    cli_strv(a, "kind"));
		cli_put(stdout, cli_strv(a, "path"));
		printf(": ");
		cli_put(stdout, cli_strv(a, "reason"));
		if (err != NULL) {
			printf(": ");
			cli_put(stdout, err);
		}
		putchar('\n');
	}
	if (strcmp(mode, "dry-run") == 0)
		printf("\ndry run: nothing was changed; --apply carries this "
		    "out\n");
	else if (offmig_node_get_str(root, "journal") != NULL) {
		putchar('\n');
		cli_wrapf(stdout, 2, o->width, "journal: %s%s%s",
		    cli_strv(root, "journal"),
		    offmig_node_get_str(root, "quarantine") != NULL ?
		    "; quarantine: " : "",
		    offmig_node_get_str(root, "quarantine") != NULL ?
		    cli_strv(root, "quarantine") : "");
	}
}

static int
cmd_clean(struct offmig_ctx *ctx, int argc, char **argv)
{
	const struct offmig_cmd *cmd = &cmd_hive_clean_entry;
	struct offmig_volume_opts vo;
	struct offmig_volume *vol;
	struct offmig_doc *doc;
	struct cli_hive_opts o;
	enum offmig_clean_mode mode = OFFMIG_CLEAN_DRY_RUN;
	int i, ret;

	if ((i = cli_hive_parse(cmd, &o, argc, argv, "json apply undo windows", 1,
	    1)) < 0)
		return i == CLI_HELP_SHOWN ? OFFMIG_EXIT_OK : OFFMIG_EXIT_USAGE;
	if (o.apply && o.undo)
		return cli_usage(cmd, "--apply and --undo exclude each other");
	if (o.apply)
		mode = OFFMIG_CLEAN_APPLY;
	else if (o.undo)
		mode = OFFMIG_CLEAN_UNDO;
	memset(&vo, 0, sizeof(vo));
	vo.windows_dir = o.windows;
	if ((ret = offmig_volume_open(ctx, argv[i], &vo, &vol)) != OFFMIG_OK)
		return cli_fail(cmd, ctx, ret);
	ret = offmig_hive_clean(ctx, vol, mode, &doc);
	offmig_volume_close(vol);
	if (ret != OFFMIG_OK)
		return cli_fail(cmd, ctx, ret);
	if (o.json)
		ret = cli_print_doc(cmd, doc);
	else
		print_clean(&o, offmig_doc_root(doc));
	offmig_doc_free(doc);
	return ret != 0 ? ret : cli_finish(ctx);
}

const struct offmig_cmd cmd_hive_clean_entry = {
	.name = "hive clean",
	.run = cmd_clean,
	.usage = "[--json] [--apply | --undo] [--windows DIR] VOLUME",
	.summary = "find and clean stale hive state on a volume",
	.help =
	    "  --apply        carry the plan out (journalled; run again to "
	    "resume)\n"
	    "  --undo         put back what an earlier --apply changed\n"
	    "  --windows DIR  the installation to clean when there are "
	    "several\n"
	    "  --json         print one JSON document\n"
	    "Without --apply or --undo nothing is written (a dry run).\n",
};
