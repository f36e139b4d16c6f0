/*
 * cmd-store-restore.c - "offmig store restore": puts a migration store back
 * on a volume after the reinstall (offmig_store_restore()).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

struct progress_state {
	int		 shown;
	struct timespec	 start, last;
};

static double
since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* One line rewritten on stderr: objects, bytes, rate, ETA. */
static void
progress(void *arg, const struct offmig_progress *p)
{
	struct progress_state *s = arg;
	struct timespec now;
	double t, rate;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (s->shown && since(&s->last, &now) < 0.2 &&
	    p->objects != p->objects_total)
		return;
	s->last = now;
	s->shown = 1;
	t = since(&s->start, &now);
	rate = t > 0 ? (double)p->bytes / t : 0;
	fprintf(stderr, "\r%s: %" PRIu64 "/%" PRIu64 " objects, %.1f/%.1f MiB, "
	    "%.1f MiB/s", p->what, p->objects, p->objects_total,
	    (double)p->bytes / 1048576.0, (double)p->bytes_total / 1048576.0,
	    rate / 1048576.0);
	if (rate > 0 && p->bytes_total > p->bytes)
		fprintf(stderr, ", ETA %.0f s  ",
		    (double)(p->bytes_total - p->bytes) / rate);
	else
		fputs("          ", stderr);
}

static const struct offmig_column user_cols[] = {
	{ "USER", "user", 1 },
	{ "OLD SID", "sid_old", 1 },
	{ "NEW SID", "sid_new", 1 },
	{ "PROFILE", "profile", 1 },
	{ "OBJECTS", "objects", 0 },
	{ "BYTES", "bytes", 0 },
	{ "RENAMED", "renamed", 0 },
	{ "SKIPPED", "skipped", 0 },
	{ "FAILED", "failed", 0 },
	{ "REGISTRY", "registry", 0 },
};

static const struct offmig_column sum_cols[] = {
	{ "objects", "objects", 0 },
	{ "bytes", "bytes", 0 },
	{ "linked", "linked", 0 },
	{ "copied", "copied", 0 },
	{ "same", "same", 0 },
	{ "renamed", "renamed", 0 },
	{ "overwritten", "overwritten", 0 },
	{ "skipped", "skipped", 0 },
	{ "failed", "failed", 0 },
	{ "already restored", "already", 0 },
	{ "excluded", "excluded", 0 },
	{ "complete", "complete", 0 },
};

/*
 * A dry run's placements, written as they come (a store of millions of
 * objects needs no memory for them): JSON array members, or table lines.
 */
struct dry_out {
	const struct cli_common *c;
	uint64_t	 n;
	int		 failed;
};

/* What on_place returns to stop the dry run when stdout fails. */
#define STOP_WRITE	(-100)

static const char *
nz(const char *s)
{
	return s != NULL ? s : "-";
}

static int
on_place(void *arg, const struct offmig_placement *p)
{
	struct dry_out *o = arg;

	if (o->c->format == OFFMIG_FMT_JSON) {
		fputs(o->n == 0 ? "{\"store_restore\": {\"placements\": [\n" :
		    ",\n", stdout);
		offmig_placement_json(stdout, p);
	} else {
		if (o->n == 0)
			printf("%6s  %-11s %-10s %s\n", "SEQ", "HOW", "USER",
			    "FROM -> TO");
		printf("%6" PRIu64 "  %-11s %-10s %s -> %s\n", p->seq, p->how,
		    nz(p->user), nz(p->from), nz(p->to));
	}
	o->n++;
	if (ferror(stdout)) {
		o->failed = 1;
		return STOP_WRITE;
	}
	return 0;
}

/*
 * Ends the streamed JSON document: the rest of the report's
 * "store_restore" members after the placements (root NULL: none, the run
 * failed).
 */
static void
dry_json_end(const struct dry_out *o, const struct offmig_node *root)
{
	char *buf = NULL, *brace;
	size_t len = 0;
	FILE *mem;

	if (o->n == 0 && root == NULL)
		return;		/* failed before anything: no document */
	if (o->n == 0)
		fputs("{\"store_restore\": {\"placements\": [", stdout);
	fputs("\n]", stdout);
	if (root != NULL && (mem = open_memstream(&buf, &len)) != NULL) {
		offmig_write_json(mem, root);
		fclose(mem);
		/* "{ members }\n": the members, after the placements. */
		if (buf != NULL && (brace = strchr(buf, '{')) != NULL &&
		    strchr(brace + 1, '"') != NULL)
			printf(",%s", brace + 1);
		else
			fputs("}\n", stdout);
		free(buf);
	} else
		fputs("}\n", stdout);
	fputs("}\n", stdout);
}

static void
print_table(const struct cli_common *c, const struct offmig_node *root)
{
	const struct offmig_node *users = offmig_node_get(root, "users");
	size_t i;
	int dry = offmig_node_int(offmig_node_get(root, "dry_run")) != 0;

	if (dry)
		putchar('\n');
	offmig_write_table(stdout, users, user_cols,
	    sizeof(user_cols) / sizeof(user_cols[0]), c->width);
	putchar('\n');
	offmig_write_fields(stdout, root, sum_cols,
	    sizeof(sum_cols) / sizeof(sum_cols[0]), c->width);
	for (i = 0; i < offmig_node_len(users); i++) {
		const struct offmig_node *u = offmig_node_at(users, i);
		const char *reg = offmig_node_get_str(u, "registry");

		if (reg != NULL && strcmp(reg, "pending") == 0) {
			printf("\n");
			cli_wrapf(stdout, 2, c->width, "%s has no profile hive on "
			    "this volume yet: the registry settings stay in the "
			    "store. Log on once as %s, then run restore again.",
			    cli_strv(u, "user"), cli_strv(u, "user"));
		}
	}
	if (dry)
		printf("\ndry run: nothing was written\n");
}

static int
cmd_restore(struct offmig_ctx *ctx, int argc, char **argv)
{
	enum { OPT_CONFLICT = 0x200, OPT_NO_REGISTRY, OPT_DRY_RUN,
	    OPT_PROGRESS, OPT_NO_PROGRESS };
	static const struct option longopts[] = {
		{ "conflict", required_argument, NULL, OPT_CONFLICT },
		{ "no-registry", no_argument, NULL, OPT_NO_REGISTRY },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "ui", required_argument, NULL, OPT_UI },
		{ "ue", required_argument, NULL, OPT_UE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct offmig_cmd *cmd = &cmd_store_restore_entry;
	enum offmig_conflict conflict = OFFMIG_CONFLICT_RENAME;
	struct progress_state ps;
	struct offmig_doc *doc = NULL;
	struct cli_common c;
	unsigned flags = 0;
	int ch, ret, show = -1;

	cli_common_init(&c);
	memset(&ps, 0, sizeof(ps));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			cli_help(cmd);
			cli_common_release(&c);
			return OFFMIG_EXIT_OK;
		case OPT_CONFLICT:
			if (strcmp(optarg, "rename") == 0)
				conflict = OFFMIG_CONFLICT_RENAME;
			else if (strcmp(optarg, "overwrite") == 0)
				conflict = OFFMIG_CONFLICT_OVERWRITE;
			else if (strcmp(optarg, "skip") == 0)
				conflict = OFFMIG_CONFLICT_SKIP;
			else {
				cli_common_release(&c);
				return cli_usage(cmd, "--conflict takes rename, "
				    "overwrite or skip, not '%s'", optarg);
			}
			break;
		case OPT_NO_REGISTRY:
			flags |= OFFMIG_RESTORE_NO_REGISTRY;
			break;
		case OPT_DRY_RUN:
			flags |= OFFMIG_RESTORE_DRY_RUN;
			break;
		case OPT_PROGRESS:
			show = 1;
			break;
		case OPT_NO_PROGRESS:
			show = 0;
			break;
		case OPT_JSON:
		case OPT_UI:
		case OPT_UE:
			if (cli_common_opt(cmd, &c, ch, optarg) < 0) {
				cli_common_release(&c);
				return OFFMIG_EXIT_USAGE;
			}
			break;
		default:
			cli_common_release(&c);
			return cli_usage(cmd, "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 2) {
		cli_common_release(&c);
		return cli_usage(cmd, "STORE and VOLUME are needed");
	}
	/* A progress line only on a terminal (--progress cannot force one elsewhere). */
	if (show != 0 && isatty(STDERR_FILENO))
		show = 1;
	else
		show = 0;
	clock_gettime(CLOCK_MONOTONIC, &ps.start);
	if (flags & OFFMIG_RESTORE_DRY_RUN) {
		/* Streamed: each placement printed as restore finds it. */
		struct dry_out o;

		memset(&o, 0, sizeof(o));
		o.c = &c;
		ret = offmig_store_restore_dry(ctx, argv[optind],
		    argv[optind + 1], flags, conflict, c.filter, on_place, &o,
		    &doc);
		if (c.format == OFFMIG_FMT_JSON)
			dry_json_end(&o, doc != NULL ? offmig_node_get(
			    offmig_doc_root(doc), "store_restore") : NULL);
		else if (doc != NULL)
			print_table(&c, offmig_node_get(offmig_doc_root(doc),
			    "store_restore"));
		offmig_doc_free(doc);
		cli_common_release(&c);
		if (o.failed || ret == STOP_WRITE) {
			cli_error(cmd, "cannot write the output: %s",
			    strerror(errno));
			return OFFMIG_EXIT_ENV;
		}
		if (ret != OFFMIG_OK)
			return cli_fail(cmd, ctx, ret);
		return cli_finish(ctx);
	}
	ret = offmig_store_restore(ctx, argv[optind], argv[optind + 1], flags,
	    conflict, c.filter, show ? progress : NULL, &ps, &doc);
	if (ps.shown)
		fputs("\n", stderr);
	if (doc != NULL) {
		if (c.format == OFFMIG_FMT_JSON)
			offmig_write_json(stdout, offmig_doc_root(doc));
		else
			print_table(&c, offmig_node_get(offmig_doc_root(doc),
			    "store_restore"));
		offmig_doc_free(doc);
	}
	cli_common_release(&c);
	if (ret != OFFMIG_OK)
		return cli_fail(cmd, ctx, ret);
	return cli_finish(ctx);
}

const struct offmig_cmd cmd_store_restore_entry = {
	.name = "store restore",
	.run = cmd_restore,
	.usage = "[--conflict HOW] [--ui PATTERN] [--ue PATTERN] "
	    "[--no-registry] [--dry-run] [--json] [--progress | --no-progress] "
	    "STORE VOLUME",
	.summary = "put a migration store back on a (reinstalled) volume",
	.help =
	    "  --conflict rename     keep both: the stored file as name(1).ext "
	    "(default)\n"
	    "  --conflict overwrite  replace; the old file is kept as "
	    "name.offmig-old\n"
	    "  --conflict skip       keep the volume's file, do not restore "
	    "that object\n"
	    "  --ui PATTERN          restore only these users (name or SID, '*' "
	    "wildcards)\n"
	    "  --ue PATTERN          leave these users in the store\n"
	    "  --no-registry         leave the users' registry settings in the "
	    "store\n"
	    "  --dry-run             say where everything would go; write "
	    "nothing\n"
	    "  --json                print one JSON document\n"
	    "  --progress, --no-progress  a progress line on a terminal "
	    "(default: on a terminal)\n"
	    "Interrupted? Run the same command again: it finishes the job.\n",
};
