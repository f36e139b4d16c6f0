/*
 * cmd-xml.c - "offmig xml": writes USMT migration XML tailored to an
 * offline volume (offmig-user.xml, offmig-apps.xml, config.xml) into a
 * directory outside it, and reports what each component holds and why.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

enum { XOPT_FORCE = 0x300, XOPT_WINDOWS_DIR };

static const struct offmig_column table_cols[] = {
	{ "FILE", "file", 0 },
	{ "COMPONENT", "name", 1 },
	{ "CONTEXT", "context", 0 },
	{ "FILES", "files", 0 },
	{ "BYTES", "bytes", 0 },
	{ "REGISTRY", "registry_values", 0 },
	{ "REASON", "reason", 1 },
};

static const struct offmig_column csv_cols[] = {
	{ "file", "file", 0 },
	{ "name", "name", 0 },
	{ "id", "id", 0 },
	{ "type", "type", 0 },
	{ "context", "context", 0 },
	{ "files", "files", 0 },
	{ "bytes", "bytes", 0 },
	{ "registry_values", "registry_values", 0 },
	{ "profiles", "profiles", 0 },
	{ "reason", "reason", 0 },
};

/* The readable report: files written, components, what was left out. */
static int
print_table(const struct offmig_cmd *cmd, const struct cli_common *c,
    const struct offmig_node *root)
{
	const struct offmig_node *files = offmig_node_get(root, "files");
	const struct offmig_node *omitted = offmig_node_get(root, "omitted");
	const struct offmig_node *counts = offmig_node_get(root, "counts");
	size_t i;
	int ret;

	for (i = 0; i < offmig_node_len(files); i++) {
		const struct offmig_node *f = offmig_node_at(files, i);

		cli_wrapf(stdout, 2, c->width, "wrote %s (%lld components, %lld "
		    "bytes)", cli_strv(f, "path"),
		    (long long)offmig_node_int(offmig_node_get(f, "components")),
		    (long long)offmig_node_int(offmig_node_get(f, "bytes")));
	}
	putchar('\n');
	if ((ret = cli_print(cmd, c, root, "components", table_cols,
	    sizeof(table_cols) / sizeof(table_cols[0]))) != 0)
		return ret;
	if (offmig_node_len(omitted) > 0) {
		printf("\nleft out:\n");
		for (i = 0; i < offmig_node_len(omitted); i++)
			cli_wrapf(stdout, 4, c->width, "  %s",
			    cli_strv(offmig_node_at(omitted, i), "what"));
	}
	printf("\n%lld components (%lld user data, %lld applications), "
	    "%lld files, %lld bytes, %lld registry values\n",
	    (long long)offmig_node_int(offmig_node_get(counts, "components")),
	    (long long)offmig_node_int(offmig_node_get(counts,
	    "user_components")),
	    (long long)offmig_node_int(offmig_node_get(counts, "app_components")),
	    (long long)offmig_node_int(offmig_node_get(counts, "files")),
	    (long long)offmig_node_int(offmig_node_get(counts, "bytes")),
	    (long long)offmig_node_int(offmig_node_get(counts,
	    "registry_values")));
	return 0;
}

static int
cmd_xml(struct offmig_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, XOPT_FORCE },
		{ "windows-dir", required_argument, NULL, XOPT_WINDOWS_DIR },
		{ NULL, 0, NULL, 0 }
	};
	const struct offmig_cmd *cmd = &cmd_xml_entry;
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc = NULL;
	struct cli_common c;
	const char *out = NULL;
	unsigned flags = 0;
	int ch, r, ret, err;

	cli_common_init(&c);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			cli_help(cmd);
			ret = OFFMIG_EXIT_OK;
			goto out;
		case 'o':
			out = optarg;
			continue;
		case XOPT_FORCE:
			flags |= OFFMIG_XML_FORCE;
			continue;
		case XOPT_WINDOWS_DIR:
			c.windows_dir = optarg;
			continue;
		case '?':
		case ':':
			if (optopt != 0)
				ret = cli_usage(cmd, "unknown option or missing "
				    "argument '-%c'", optopt);
			else
				ret = cli_usage(cmd, "unknown or incomplete "
				    "option '%s'", argv[optind - 1]);
			goto out;
		}
		if ((r = cli_common_opt(cmd, &c, ch, optarg)) <= 0) {
			ret = r < 0 ? OFFMIG_EXIT_USAGE : cli_usage(cmd,
			    "unexpected option");
			goto out;
		}
	}
	if (argc - optind < 1) {
		ret = cli_usage(cmd, "missing VOLUME");
		goto out;
	}
	if (argc - optind > 1) {
		ret = cli_usage(cmd, "unexpected argument '%s'", argv[optind + 1]);
		goto out;
	}
	if (out == NULL) {
		ret = cli_usage(cmd, "-o DIR is required");
		goto out;
	}
	if ((ret = cli_open_volume(cmd, ctx, &c, argv[optind], &vol)) != 0)
		goto out;
	/* --all selects every profile, which is also what no filter does. */
	if ((err = offmig_xml_generate(ctx, vol, c.all ? NULL : c.filter, out,
	    flags, &doc)) != OFFMIG_OK) {
		ret = cli_fail(cmd, ctx, err);
		goto out;
	}
	if (c.format == OFFMIG_FMT_JSON)
		ret = cli_print(cmd, &c, offmig_doc_root(doc), NULL, NULL, 0);
	else if (c.format == OFFMIG_FMT_CSV)
		ret = cli_print(cmd, &c, offmig_doc_root(doc), "components",
		    csv_cols, sizeof(csv_cols) / sizeof(csv_cols[0]));
	else
		ret = print_table(cmd, &c, offmig_doc_root(doc));
	if (ret == 0)
		ret = cli_finish(ctx);
out:
	offmig_doc_free(doc);
	offmig_volume_close(vol);
	cli_common_release(&c);
	return ret;
}

const struct offmig_cmd cmd_xml_entry = {
	.name = "xml",
	.run = cmd_xml,
	.usage = "[--json | --csv] [--force] [--windows-dir DIR] [--ui PATTERN] "
	    "[--ue PATTERN] [--uel DAYS] [--all] -o DIR VOLUME",
	.summary = "write USMT migration XML and config.xml tailored to a "
	    "volume",
	.help =
	    "  -o, --output DIR   write offmig-user.xml, offmig-apps.xml and\n"
	    "                 config.xml there (created when missing; never on\n"
	    "                 the volume)\n"
	    "  --force        replace those files when they exist\n"
	    "  --json         print the report as one JSON document\n"
	    "  --csv          print the components as CSV\n"
	    "  --windows-dir DIR  the installation to read when there are "
	    "several\n"
	    "                 (also --windows DIR)\n"
	    "  --ui, --ue, --uel  select the profiles whose data is looked at\n"
	    "  --all          every profile (the default)\n",
};
