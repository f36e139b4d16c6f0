/*
 * cmd-folders.c - "offmig folders": each profile's known folders, where
 * they really are, and its browser profiles.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct offmig_column folder_cols[] = {
	{ "FOLDER", "label", 0 },
	{ "PATH", "path", 1 },
	{ "SOURCE", "source", 0 },
	{ "REDIRECTED", "redirect_kind", 0 },
	{ "EXISTS", "exists", 0 },
};

static const struct offmig_column browser_cols[] = {
	{ "BROWSER", "browser", 0 },
	{ "PROFILE", "profile", 0 },
	{ "BOOKMARKS", "bookmarks", 1 },
	{ "SIZE", "bookmarks_size", 0 },
};

/* The folders the short view (inspect) shows, besides redirected ones. */
static int
brief_folder(const struct offmig_node *f)
{
	static const char *const names[] = {
		"Desktop", "Personal", "{374DE290-123F-4565-9164-39C4925E467B}",
		"My Pictures", "My Music", "My Video", "Favorites", "AppData"
	};
	const char *n = offmig_node_get_str(f, "name");
	size_t i;

	if (offmig_node_int(offmig_node_get(f, "redirected")))
		return 1;
	for (i = 0; n != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(n, names[i]) == 0)
			return 1;
	return 0;
}

/*
 * Prints the readable form of a folders document; brief (inspect) keeps the
 * main folders and every redirected one.
 */
void
cli_print_folders(const struct cli_common *c, const struct offmig_node *root,
    int brief)
{
	const struct offmig_node *profiles = offmig_node_get(root, "profiles");
	size_t i;

	for (i = 0; i < offmig_node_len(profiles); i++) {
		const struct offmig_node *p = offmig_node_at(profiles, i);
		const struct offmig_node *b = offmig_node_get(p, "browsers");
		const char *user = offmig_node_get_str(p, "user");
		const char *sid = offmig_node_get_str(p, "sid");

		printf("\n-- ");
		cli_put(stdout, user != NULL ? user : "?");
		printf(" (");
		cli_put(stdout, sid != NULL ? sid : "no SID");
		printf(") --\n");
		if (brief) {
			const struct offmig_node *fs = offmig_node_get(p,
			    "folders");
			size_t k;

			/* Print the table rows that pass, under one header. */
			printf("%-18s %s\n", "FOLDER", "PATH");
			for (k = 0; k < offmig_node_len(fs); k++) {
				const struct offmig_node *f = offmig_node_at(fs,
				    k);

				if (!brief_folder(f))
					continue;
				printf("%-18s ", offmig_node_get_str(f,
				    "label"));
				cli_put(stdout, offmig_node_get_str(f, "path"));
				printf("%s%s\n", offmig_node_int(offmig_node_get(
				    f, "redirected")) ? "  (redirected)" : "",
				    offmig_node_int(offmig_node_get(f, "exists")) ?
				    "" : "  (missing)");
			}
		} else
			offmig_write_table(stdout, offmig_node_get(p, "folders"),
			    folder_cols, sizeof(folder_cols) /
			    sizeof(folder_cols[0]), c->width);
		if (offmig_node_len(b) > 0) {
			putchar('\n');
			offmig_write_table(stdout, b, browser_cols,
			    sizeof(browser_cols) / sizeof(browser_cols[0]),
			    c->width);
		}
	}
	printf("\n-- common folders --\n");
	offmig_write_table(stdout, offmig_node_get(root, "common"), folder_cols,
	    sizeof(folder_cols) / sizeof(folder_cols[0]), c->width);
}

static const struct offmig_column csv_cols[] = {
	{ "name", "name", 0 },
	{ "label", "label", 0 },
	{ "csidl", "csidl", 0 },
	{ "path", "path", 0 },
	{ "path_raw", "path_raw", 0 },
	{ "host_path", "host_path", 0 },
	{ "source", "source", 0 },
	{ "redirected", "redirected", 0 },
	{ "redirect_kind", "redirect_kind", 0 },
	{ "exists", "exists", 0 },
};

/* A CSV is one table: the folders of one profile. */
static int
check(const struct offmig_cmd *cmd, const struct cli_common *c, int nargs)
{
	if (c->format == OFFMIG_FMT_CSV && nargs == 0)
		return cli_usage(cmd, "--csv needs a USER");
	return 0;
}

static int
build(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct cli_common *c, char **args, int nargs,
    struct offmig_doc **docp)
{
	return offmig_folders_report(ctx, vol, nargs > 0 ? args[0] : NULL,
	    c->filter, docp);
}

static int
print(const struct offmig_cmd *cmd, const struct cli_common *c,
    const struct offmig_node *root)
{
	if (c->format == OFFMIG_FMT_CSV)
		return cli_print(cmd, c, offmig_node_at(offmig_node_get(root,
		    "profiles"), 0), "folders", csv_cols, sizeof(csv_cols) /
		    sizeof(csv_cols[0]));
	cli_print_folders(c, root, 0);
	return 0;
}

static int
cmd_folders(struct offmig_ctx *ctx, int argc, char **argv)
{
	return cli_run_report(&cmd_folders_entry, ctx, argc, argv, 2, check,
	    build, print);
}

const struct offmig_cmd cmd_folders_entry = {
	.name = "folders",
	.run = cmd_folders,
	.usage = "[--json | --csv] [--windows DIR] [--ui PATTERN] "
	    "[--ue PATTERN] [--uel DAYS] VOLUME [USER]",
	.summary = "show each profile's known folders and browser profiles",
	.help =
	    "  --json         print one JSON document\n"
	    "  --csv          print the folders of USER as CSV\n"
	    "  --windows DIR  the installation to read when there are several\n"
	    "  USER           one profile, by user name or SID\n",
};
