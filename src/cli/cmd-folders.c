/*
 * cmd-folders.c - "offmig folders": each profile's known folders, where
 * they really are, and its browser profiles.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct offmig_column folder_cols[] = {
	{ "NAME", "label", 0 },
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

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static const char *
nz(const char *s)
{
	return s != NULL ? s : "-";
}

/* Redirected folders the short form lists before it says "... N more". */
#define BRIEF_REDIRECTED	5

/*
 * The short form for inspect: a line of counts after the title (made of
 * title, sid and status, the last two NULL for the common folders), then
 * only the folders that are redirected, which are what a migration must
 * treat differently.
 */
static void
print_brief(const struct cli_common *c, const char *title, const char *sid,
    const char *status, const struct offmig_node *fs,
    const struct offmig_node *browsers)
{
	char counts[160];
	size_t i, shown, nredir = 0, nmissing = 0;
	size_t nb = offmig_node_len(browsers);

	for (i = 0; i < offmig_node_len(fs); i++) {
		const struct offmig_node *f = offmig_node_at(fs, i);

		if (offmig_node_int(offmig_node_get(f, "redirected")))
			nredir++;
		else if (!offmig_node_int(offmig_node_get(f, "exists")))
			nmissing++;
	}
	snprintf(counts, sizeof(counts), "%zu folders, %zu redirected, %zu "
	    "not on the volume", offmig_node_len(fs), nredir, nmissing);
	if (sid == NULL)
		cli_wrapf(stdout, 4, c->width, "%s: %s", title, counts);
	else
		cli_wrapf(stdout, 4, c->width, "%s (%s%s%s): %s, %zu browser "
		    "profile%s", title, sid, status != NULL ? ", " : "",
		    status != NULL ? status : "", counts, nb,
		    nb == 1 ? "" : "s");
	for (i = 0, shown = 0; i < offmig_node_len(fs); i++) {
		const struct offmig_node *f = offmig_node_at(fs, i);

		if (!offmig_node_int(offmig_node_get(f, "redirected")))
			continue;
		if (shown++ == BRIEF_REDIRECTED) {
			printf("    ... %zu more; 'offmig folders' lists them "
			    "all\n", nredir - BRIEF_REDIRECTED);
			break;
		}
		cli_wrapf(stdout, 8, c->width, "    %s -> %s (%s%s)",
		    nz(offmig_node_get_str(f, "label")),
		    nz(offmig_node_get_str(f, "path")),
		    nz(offmig_node_get_str(f, "redirect_kind")),
		    offmig_node_int(offmig_node_get(f, "exists")) ? "" :
		    ", not on this volume");
	}
}

/*
 * Prints the readable form of a folders document: a section per profile
 * with its folders and browser profiles, then the common folders.  brief
 * (inspect) prints counts and the redirected folders only.
 */
void
cli_print_folders(const struct cli_common *c, const struct offmig_node *root,
    int brief)
{
	const struct offmig_node *profiles = offmig_node_get(root, "profiles");
	const struct offmig_node *common = offmig_node_get(root, "common");
	size_t i;

	for (i = 0; i < offmig_node_len(profiles); i++) {
		const struct offmig_node *p = offmig_node_at(profiles, i);
		const struct offmig_node *b = offmig_node_get(p, "browsers");
		const struct offmig_node *fs = offmig_node_get(p, "folders");
		const char *user = nz(offmig_node_get_str(p, "user"));
		const char *sid = offmig_node_get_str(p, "sid");
		const char *status = offmig_node_get_str(p, "status");
		/* Twins share a SID: their status tells them apart. */
		int other = status != NULL && strcmp(status, "ok") != 0;

		if (brief) {
			print_brief(c, user, sid != NULL ? sid : "no SID",
			    other ? status : NULL, fs, b);
			continue;
		}
		printf("%s== ", i > 0 ? "\n" : "");
		cli_put(stdout, user);
		printf(" (");
		cli_put(stdout, sid != NULL ? sid : "no SID");
		if (other) {
			printf(", ");
			cli_put(stdout, status);
		}
		printf(") ==\n");
		offmig_write_table(stdout, fs, folder_cols, N(folder_cols),
		    c->width);
		if (offmig_node_len(b) > 0) {
			putchar('\n');
			offmig_write_table(stdout, b, browser_cols,
			    N(browser_cols), c->width);
		}
	}
	if (brief) {
		print_brief(c, "Common folders", NULL, NULL, common, NULL);
		return;
	}
	printf("%s== Common folders ==\n", offmig_node_len(profiles) > 0 ?
	    "\n" : "");
	offmig_write_table(stdout, common, folder_cols, N(folder_cols),
	    c->width);
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
		    "profiles"), 0), "folders", csv_cols, N(csv_cols));
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
	.usage = "[--json | --csv] [--windows DIR] [--jobs N] "
	    "[--ui PATTERN] [--ue PATTERN] [--uel DAYS] VOLUME [USER]",
	.summary = "show each profile's known folders and browser profiles",
	.help =
	    "  --json         print one JSON document\n"
	    "  --csv          print the folders of USER as CSV\n"
	    "  --windows DIR  the installation to read when there are several\n"
	    "  USER           one profile, by user name or SID\n",
};
