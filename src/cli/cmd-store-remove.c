/*
 * cmd-store-remove.c - "offmig store remove" (remove a store once every
 * file it holds is reachable outside it) and "offmig store wipe-except"
 * (remove everything on a volume but the store and lay down a fresh
 * Windows 10 skeleton, as a reinstall would).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

enum { ROPT_JSON = 0x400, ROPT_FORCE, ROPT_YES, ROPT_NO_USERS };

static const struct offmig_column unreach_cols[] = {
	{ "SEQ", "seq", 0 },
	{ "WINPATH", "winpath", 1 },
	{ "REASON", "reason", 1 },
};

static const struct offmig_column failed_cols[] = {
	{ "PATH", "path", 1 },
	{ "ERROR", "error", 1 },
};

static const struct offmig_column user_cols[] = {
	{ "USER", "user", 0 },
	{ "SID", "sid", 0 },
	{ "PROFILE", "profile", 1 },
	{ "OLD SID", "old_sid", 1 },
};

static long long
num(const struct offmig_node *n, const char *path)
{
	return (long long)offmig_node_int(offmig_node_get(n, path));
}

/*
 * Parses the options (those allowed: "force", "yes", "no-users"; --json
 * always) and checks minpos..maxpos arguments.  Returns the index of the
 * first argument, CLI_HELP_SHOWN or CLI_USAGE_ERROR.
 */
static int
parse(const struct offmig_cmd *cmd, int argc, char **argv, const char *allowed,
    int minpos, int maxpos, int *json, int *force, int *yes, int *no_users)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, ROPT_JSON },
		{ "force", no_argument, NULL, ROPT_FORCE },
		{ "yes", no_argument, NULL, ROPT_YES },
		{ "no-users", no_argument, NULL, ROPT_NO_USERS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		const char *name = NULL;

		switch (ch) {
		case 'h':
			cli_help(cmd);
			return CLI_HELP_SHOWN;
		case ROPT_JSON:
			*json = 1;
			continue;
		case ROPT_FORCE:
			name = "force";
			*force = 1;
			break;
		case ROPT_YES:
			name = "yes";
			*yes = 1;
			break;
		case ROPT_NO_USERS:
			name = "no-users";
			*no_users = 1;
			break;
		default:
			cli_usage(cmd, "unknown option or missing argument "
			    "'%s'", argv[optind - 1]);
			return CLI_USAGE_ERROR;
		}
		if (strstr(allowed, name) == NULL) {
			cli_usage(cmd, "unknown option '--%s'", name);
			return CLI_USAGE_ERROR;
		}
	}
	if (argc - optind < minpos) {
		cli_usage(cmd, "missing %s", minpos == 2 && argc - optind == 1 ?
		    "VOLUME" : "STORE");
		return CLI_USAGE_ERROR;
	}
	if (argc - optind > maxpos) {
		cli_usage(cmd, "unexpected argument '%s'", argv[optind + maxpos]);
		return CLI_USAGE_ERROR;
	}
	return optind;
}

static int
print_json(const struct offmig_cmd *cmd, const struct offmig_doc *doc)
{
	return cli_print_doc(cmd, doc);
}

static void
print_rows(const struct offmig_node *rows, const struct offmig_column *cols,
    size_t ncols)
{
	if (offmig_node_len(rows) > 0)
		offmig_write_table(stdout, rows, cols, ncols, 0);
}

static void
print_remove(const struct offmig_node *root)
{
	const struct offmig_node *r = offmig_node_get(root, "store_remove");
	const struct offmig_node *un = offmig_node_get(r, "unreachable");
	const struct offmig_node *nr = offmig_node_get(r, "not_removed");

	printf("store: ");
	cli_put(stdout, cli_strv(r, "store"));
	putchar('\n');
	if (offmig_node_get(r, "checked.objects") != NULL)
		printf("checked: %lld objects, %lld reachable outside the store, "
		    "%lld not\n", num(r, "checked.objects"),
		    num(r, "checked.reachable"), num(r, "checked.unreachable"));
	else if (offmig_node_int(offmig_node_get(r, "resumed")))
		printf("checked by an earlier run: removal resumed\n");
	if (offmig_node_len(un) > 0) {
		printf("\nnot reachable outside the store%s:\n",
		    offmig_node_int(offmig_node_get(r, "forced")) ?
		    " (removed: --force)" : "");
		print_rows(un, unreach_cols, sizeof(unreach_cols) /
		    sizeof(unreach_cols[0]));
	}
	if (offmig_node_get(r, "removed") != NULL)
		printf("removed: %lld files, %lld folders, %lld bytes\n",
		    num(r, "removed.files"), num(r, "removed.dirs"),
		    num(r, "removed.bytes"));
	if (offmig_node_len(nr) > 0) {
		printf("\nnot removed:\n");
		print_rows(nr, failed_cols, sizeof(failed_cols) /
		    sizeof(failed_cols[0]));
	}
}

static int
cmd_store_remove(struct offmig_ctx *ctx, int argc, char **argv)
{
	const struct offmig_cmd *cmd = &cmd_store_remove_entry;
	struct offmig_doc *doc = NULL;
	int json = 0, force = 0, yes = 0, no_users = 0, i, err, ret;

	if ((i = parse(cmd, argc, argv, "force", 1, 2, &json, &force, &yes,
	    &no_users)) < 0)
		return i == CLI_HELP_SHOWN ? OFFMIG_EXIT_OK : OFFMIG_EXIT_USAGE;
	err = offmig_store_remove(ctx, argv[i], i + 1 < argc ? argv[i + 1] :
	    NULL, force ? OFFMIG_STORE_REMOVE_FORCE : 0, &doc);
	if (doc != NULL) {
		if (json)
			ret = print_json(cmd, doc);
		else
			print_remove(offmig_doc_root(doc));
	}
	if (err != OFFMIG_OK)
		ret = cli_fail(cmd, ctx, err);
	else
		ret = cli_finish(ctx);
	offmig_doc_free(doc);
	return ret;
}

const struct offmig_cmd cmd_store_remove_entry = {
	.name = "store remove",
	.run = cmd_store_remove,
	.usage = "[--force] [--json] STORE [VOLUME]",
	.summary = "remove a store once every file in it is reachable "
	    "outside it",
	.help = "  --force   remove even files found nowhere else (their last "
	    "link)\n"
	    "  --json    print the report as one JSON document\n"
	    "  VOLUME    where to look for the files (default: the volume the "
	    "store's\n"
	    "            restore record or header names)\n",
};

static int
cmd_store_wipe(struct offmig_ctx *ctx, int argc, char **argv)
{
	const struct offmig_cmd *cmd = &cmd_store_wipe_entry;
	struct offmig_doc *doc = NULL;
	const struct offmig_node *w;
	int json = 0, force = 0, yes = 0, no_users = 0, i, err, ret;
	unsigned flags = 0;

	if ((i = parse(cmd, argc, argv, "yes no-users", 2, 2, &json, &force,
	    &yes, &no_users)) < 0)
		return i == CLI_HELP_SHOWN ? OFFMIG_EXIT_OK : OFFMIG_EXIT_USAGE;
	if (yes)
		flags |= OFFMIG_STORE_WIPE_YES;
	if (no_users)
		flags |= OFFMIG_STORE_WIPE_NO_USERS;
	if ((err = offmig_store_wipe_except(ctx, argv[i], argv[i + 1], flags,
	    &doc)) != OFFMIG_OK) {
		ret = cli_fail(cmd, ctx, err);
		goto out;
	}
	if (json) {
		ret = print_json(cmd, doc);
	} else {
		w = offmig_node_get(offmig_doc_root(doc), "wipe_except");
		printf("wiped: ");
		cli_put(stdout, cli_strv(w, "volume"));
		printf(" (kept: ");
		cli_put(stdout, offmig_node_str(offmig_node_at(
		    offmig_node_get(w, "kept"), 0), NULL));
		printf(")\nremoved: %lld files, %lld folders, %lld bytes\n",
		    num(w, "removed.files"), num(w, "removed.dirs"),
		    num(w, "removed.bytes"));
		if (offmig_node_len(offmig_node_get(w, "not_removed")) > 0) {
			printf("\nnot removed:\n");
			print_rows(offmig_node_get(w, "not_removed"), failed_cols,
			    sizeof(failed_cols) / sizeof(failed_cols[0]));
		}
		printf("skeleton: Windows 10 Pro, %zu user profile(s)\n",
		    offmig_node_len(offmig_node_get(w, "skeleton.users")));
		print_rows(offmig_node_get(w, "skeleton.users"), user_cols,
		    sizeof(user_cols) / sizeof(user_cols[0]));
		ret = 0;
	}
	if (ret == 0)
		ret = cli_finish(ctx);
out:
	offmig_doc_free(doc);
	return ret;
}

const struct offmig_cmd cmd_store_wipe_entry = {
	.name = "store wipe-except",
	.run = cmd_store_wipe,
	.usage = "--yes [--no-users] [--json] STORE VOLUME",
	.summary = "remove everything on a volume but the store, and lay down "
	    "a fresh Windows 10 skeleton",
	.help = "  --yes       required: everything on VOLUME but STORE is "
	    "removed\n"
	    "  --no-users  make no user profiles in the skeleton\n"
	    "  --json      print the report as one JSON document\n",
};
