/*
 * cmd-store.c - "offmig store create", "store verify" and "store list":
 * capture what the rules select into a migration store, check a store,
 * and list what it holds.  docs/STORE-FORMAT.md describes the store.
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

#define N(a)	(sizeof(a) / sizeof((a)[0]))

enum {
	SOPT_CONFIG = 0x400, SOPT_COPY, SOPT_NO_REGISTRY, SOPT_PROGRESS,
	SOPT_NO_PROGRESS, SOPT_HASH, SOPT_USERS
};

/* Reports an option error the way the other commands do. */
static int
bad_option(const struct offmig_cmd *cmd, int ch, char **argv)
{
	if (ch == ':')
		return cli_usage(cmd, "option '%s' needs an argument",
		    argv[optind - 1]);
	return cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
}

/* Progress on stderr. */

struct prog {
	int		 on;
	double		 start, last;
	int		 shown;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
human(char *buf, size_t size, double v)
{
	const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, size, i == 0 ? "%.0f %s" : "%.1f %s", v, u[i]);
}

static void
on_progress(void *arg, const struct offmig_progress *p)
{
	struct prog *pr = arg;
	char done[32], total[32], rate[32], eta[32] = "";
	double t = now_s(), el, r;

	if (!pr->on)
		return;
	if (strcmp(p->what, "start") == 0) {
		pr->start = t;
		return;
	}
	if (strcmp(p->what, "done") != 0 && t - pr->last < 0.2)
		return;
	pr->last = t;
	el = t - pr->start > 0.001 ? t - pr->start : 0.001;
	r = (double)p->bytes / el;
	human(done, sizeof(done), (double)p->bytes);
	human(total, sizeof(total), (double)p->bytes_total);
	human(rate, sizeof(rate), r);
	if (p->bytes_total > p->bytes && r > 0) {
		double left = (double)(p->bytes_total - p->bytes) / r;

		snprintf(eta, sizeof(eta), ", ETA %d:%02d", (int)left / 60,
		    (int)left % 60);
	} else if (p->objects_total > p->objects && p->objects > 0) {
		double left = el * (double)(p->objects_total - p->objects) /
		    (double)p->objects;

		snprintf(eta, sizeof(eta), ", ETA %d:%02d", (int)left / 60,
		    (int)left % 60);
	}
	fprintf(stderr, "\r%" PRIu64 "/%" PRIu64 " objects, %s/%s, %s/s%s "
	    "(%s)\033[K", p->objects, p->objects_total, done, total, rate, eta,
	    p->what);
	pr->shown = 1;
	if (strcmp(p->what, "done") == 0) {
		fputs("\r\033[K", stderr);
		pr->shown = 0;
	}
	fflush(stderr);
}

/* The progress line gives way to a message. */
static struct prog *cur_prog;

static void
store_log(void *arg, enum offmig_level level, const char *msg)
{
	if (cur_prog != NULL && cur_prog->shown && level != OFFMIG_LOG_INFO) {
		fputs("\r\033[K", stderr);
		cur_prog->shown = 0;
	}
	cli_log(arg, level, msg);
}

/* store create */

static const struct offmig_column user_cols[] = {
	{ "USER", "user", 0 },
	{ "SID", "sid", 1 },
	{ "STATUS", "status", 0 },
	{ "OBJECTS", "objects", 0 },
	{ "BYTES", "bytes", 0 },
	{ "REGISTRY", "registry_values", 0 },
	{ "PROBLEMS", "problems", 1 },
};

static int64_t
num(const struct offmig_node *o, const char *key)
{
	return offmig_node_int(offmig_node_get(o, key));
}

static void
print_create(const struct cli_common *c, const struct offmig_node *root)
{
	const struct offmig_node *s = offmig_node_get(root, "store_create");
	const struct offmig_node *rules = offmig_node_get(s, "rules");
	const struct offmig_node *nc = offmig_node_get(s, "not_captured");
	const struct offmig_node *reg = offmig_node_get(s, "registry");
	size_t i;

	cli_wrapf(stdout, 2, c->width, "store %s (%s store of %s, id %s)%s",
	    cli_strv(s, "store"), cli_strv(s, "mode"), cli_strv(s, "volume"),
	    cli_strv(s, "id"), num(s, "resumed") ? ", resumed" : "");
	printf("objects: %" PRId64 " (%" PRId64 " bytes): %" PRId64 " %s, %"
	    PRId64 " adopted, %" PRId64 " skipped, %" PRId64 " failed\n",
	    num(s, "objects"), num(s, "bytes"), num(s, "linked"),
	    strcmp(cli_strv(s, "mode"), "copy") == 0 ? "copied" : "linked",
	    num(s, "adopted"), num(s, "skipped"), num(s, "failed"));
	printf("registry: %" PRId64 " values, %" PRId64 " keys exported\n",
	    num(reg, "values"), num(reg, "keys"));
	printf("rules:");
	for (i = 0; i < offmig_node_len(rules); i++) {
		printf(" rules/");
		cli_put(stdout, cli_strv(offmig_node_at(rules, i), "name"));
	}
	putchar('\n');
	if (num(nc, "machine_registry_values") + num(nc,
	    "machine_registry_keys") > 0)
		printf("not captured: %" PRId64 " machine registry values and %"
		    PRId64 " keys (HKLM is not stored)\n",
		    num(nc, "machine_registry_values"),
		    num(nc, "machine_registry_keys"));
	if (num(nc, "ini_keys") > 0)
		printf("not captured: %" PRId64 " INI keys\n", num(nc,
		    "ini_keys"));
	if (offmig_node_len(offmig_node_get(s, "users")) > 0) {
		cli_section(stdout, "Users");
		offmig_write_table(stdout, offmig_node_get(s, "users"), user_cols,
		    N(user_cols), c->width);
	}
}

static int
cmd_store_create(struct offmig_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "input", required_argument, NULL, 'i' },
		{ "config", required_argument, NULL, SOPT_CONFIG },
		{ "copy", no_argument, NULL, SOPT_COPY },
		{ "no-registry", no_argument, NULL, SOPT_NO_REGISTRY },
		{ "progress", no_argument, NULL, SOPT_PROGRESS },
		{ "no-progress", no_argument, NULL, SOPT_NO_PROGRESS },
		{ NULL, 0, NULL, 0 }
	};
	const struct offmig_cmd *cmd = &cmd_store_create_entry;
	struct offmig_volume *vol = NULL;
	struct offmig_doc *doc = NULL;
	struct cli_common c;
	struct prog pr;
	const char **inputs = NULL, *config = NULL;
	size_t ninputs = 0;
	unsigned flags = 0;
	int ch, r, status = OFFMIG_EXIT_OK, ret, progress = -1;

	cli_common_init(&c);
	memset(&pr, 0, sizeof(pr));
	if ((inputs = calloc((size_t)argc + 1, sizeof(*inputs))) == NULL) {
		fprintf(stderr, "offmig: out of memory\n");
		status = OFFMIG_EXIT_ENV;
		goto out;
	}
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hi:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			cli_help(cmd);
			goto out;
		case 'i':
			inputs[ninputs++] = optarg;
			continue;
		case SOPT_CONFIG:
			config = optarg;
			continue;
		case SOPT_COPY:
			flags |= OFFMIG_STORE_COPY;
			continue;
		case SOPT_NO_REGISTRY:
			flags |= OFFMIG_STORE_NO_REGISTRY;
			continue;
		case SOPT_PROGRESS:
			progress = 1;
			continue;
		case SOPT_NO_PROGRESS:
			progress = 0;
			continue;
		case OPT_CSV:
		case OPT_ALL:
			status = cli_usage(cmd, "unknown option '%s'",
			    argv[optind - 1]);
			goto out;
		case ':':
		case '?':
			status = bad_option(cmd, ch, argv);
			goto out;
		}
		if ((r = cli_common_opt(cmd, &c, ch, optarg)) <= 0) {
			status = r < 0 ? OFFMIG_EXIT_USAGE : cli_usage(cmd,
			    "unknown option");
			goto out;
		}
	}
	if (argc - optind != 2) {
		status = cli_usage(cmd, argc - optind < 2 ? "VOLUME and STORE "
		    "are needed" : "unexpected argument '%s'", argv[optind + 2]);
		goto out;
	}
	if (config != NULL && ninputs == 0) {
		status = cli_usage(cmd, "--config goes with -i files (without "
		    "-i the tailored XML has its own config.xml)");
		goto out;
	}
	pr.on = progress == 1 || (progress == -1 && isatty(STDERR_FILENO));
	cur_prog = &pr;
	offmig_ctx_set_log(ctx, store_log, NULL);
	if ((r = cli_open_volume(cmd, ctx, &c, argv[optind], &vol)) != 0) {
		status = r;
		goto out;
	}
	ret = offmig_store_capture(ctx, vol, ninputs > 0 ? inputs : NULL,
	    config, c.filter, argv[optind + 1], flags, pr.on ? on_progress :
	    NULL, &pr, &doc);
	if (pr.shown)
		fputs("\r\033[K", stderr);
	if (ret != OFFMIG_OK) {
		status = cli_fail(cmd, ctx, ret);
		goto out;
	}
	if (c.format == OFFMIG_FMT_JSON)
		offmig_write_json(stdout, offmig_doc_root(doc));
	else
		print_create(&c, offmig_doc_root(doc));
	status = cli_finish(ctx);
out:
	cur_prog = NULL;
	offmig_doc_free(doc);
	offmig_volume_close(vol);
	free(inputs);
	cli_common_release(&c);
	return status;
}

const struct offmig_cmd cmd_store_create_entry = {
	.name = "store create",
	.run = cmd_store_create,
	.usage = "[-i XML ...] [--config FILE] [--ui PATTERN] [--ue PATTERN] "
	    "[--uel DAYS] [--copy] [--no-registry] [--json] "
	    "[--progress | --no-progress] VOLUME STORE",
	.summary = "capture what the rules select into a hard-link migration "
	    "store",
	.help =
	    "  -i, --input FILE  a migration XML file (repeat for more); "
	    "without -i, the\n"
	    "                    XML 'offmig xml' tailors to the volume\n"
	    "  --config FILE     a config.xml (with -i)\n"
	    "  --ui/--ue PATTERN, --uel DAYS   the users captured (default: "
	    "all)\n"
	    "  --copy            a copy store (may be on another filesystem)\n"
	    "  --no-registry     files only: no registry/<SID>.reg exports\n"
	    "  --json            the report as one JSON document\n"
	    "  --progress        a progress line on stderr even when it is not "
	    "a terminal\n"
	    "  --no-progress     no progress line (default when stderr is not "
	    "a terminal)\n"
	    "  --windows DIR, --no-logs   as for inspect\n"
	    "Exit status 1 when objects or users could not be captured fully, "
	    "4 for a\nstore on another filesystem, 5 when refused for safety.\n",
};

/* store verify */

static const struct offmig_column problem_cols[] = {
	{ "SEQ", "seq", 0 },
	{ "PROBLEM", "problem", 0 },
	{ "STORE PATH", "store_path", 1 },
	{ "DETAIL", "detail", 1 },
};

static int
cmd_store_verify(struct offmig_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "hash", no_argument, NULL, SOPT_HASH },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct offmig_cmd *cmd = &cmd_store_verify_entry;
	struct offmig_doc *doc = NULL;
	const struct offmig_node *v, *cn;
	unsigned flags = 0;
	int ch, json = 0, status, ret, ok;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			cli_help(cmd);
			return OFFMIG_EXIT_OK;
		case SOPT_HASH:
			flags |= OFFMIG_STORE_VERIFY_HASH;
			break;
		case OPT_JSON:
			json = 1;
			break;
		default:
			return bad_option(cmd, ch, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage(cmd, argc - optind == 0 ? "STORE is missing" :
		    "one STORE only");
	offmig_ctx_set_log(ctx, cli_log, NULL);
	if ((ret = offmig_store_verify(ctx, argv[optind], flags, &doc)) !=
	    OFFMIG_OK)
		return cli_fail(cmd, ctx, ret);
	v = offmig_node_get(offmig_doc_root(doc), "verify");
	cn = offmig_node_get(v, "counts");
	ok = (int)num(v, "ok");
	if (json)
		offmig_write_json(stdout, offmig_doc_root(doc));
	else {
		unsigned width = isatty(STDOUT_FILENO) ? 100 : 0;

		cli_wrapf(stdout, 2, width, "store %s (%s store of %s, id %s)",
		    cli_strv(v, "store"), cli_strv(v, "mode"), cli_strv(v,
		    "volume"), cli_strv(v, "id"));
		printf("%s: %" PRId64 " objects, %" PRId64 " bytes, %" PRId64
		    " users\n", num(v, "complete") ? "complete" :
		    "INCOMPLETE (not sealed: create was interrupted)",
		    num(v, "objects"), num(v, "bytes"), num(v, "users"));
		printf("checked: %" PRId64 " ok, %" PRId64 " missing, %" PRId64
		    " changed, %" PRId64 " unsafe", num(cn, "ok"),
		    num(cn, "missing"), num(cn, "changed"), num(cn, "unsafe"));
		if (num(v, "hashed_contents"))
			printf(", %" PRId64 " contents compared, %" PRId64
			    " differ, %" PRId64 " no longer on the volume",
			    num(cn, "hashed"), num(cn, "content_differs"),
			    num(cn, "source_missing"));
		putchar('\n');
		if (offmig_node_len(offmig_node_get(v, "problems")) > 0) {
			cli_section(stdout, "Problems");
			offmig_write_table(stdout, offmig_node_get(v,
			    "problems"), problem_cols, N(problem_cols), width);
		}
		printf("%s\n", ok ? "the store is intact" : "the store is NOT "
		    "intact");
	}
	offmig_doc_free(doc);
	status = cli_finish(ctx);
	if (!ok)
		status = OFFMIG_EXIT_DATA;
	return status;
}

const struct offmig_cmd cmd_store_verify_entry = {
	.name = "store verify",
	.run = cmd_store_verify,
	.usage = "[--hash] [--json] STORE",
	.summary = "check that a store is complete and every object intact",
	.help =
	    "  --hash   also compare each stored file's content (SHA-256) with "
	    "the\n"
	    "           volume's file at the same place when they are two "
	    "files\n"
	    "  --json   the report as one JSON document\n"
	    "Exit status 3 when the store is incomplete or damaged.\n",
};

/* store list */

struct lister {
	int		 fmt;		/* 0 table, 1 json, 2 csv */
	int		 users;
	uint64_t	 n;
	unsigned	 width;
};

static int
list_one(void *arg, const struct offmig_store_record *r)
{
	struct lister *l = arg;
	char kind[2] = { r->kind, 0 };

	if (l->users != (r->kind == 'U'))
		return 0;
	if (l->fmt == 1) {
		int ret;

		/* One small document a record: memory stays flat. */
		if (l->n > 0)
			fputs(",\n", stdout);
		fputs("  ", stdout);
		ret = offmig_store_record_json(stdout, r);
		l->n++;
		return ret == OFFMIG_OK && !ferror(stdout) ? 0 : -1;
	}
	l->n++;
	if (l->fmt == 2) {
		cli_csv_field(kind);
		putchar(',');
		if (r->kind == 'U') {
			cli_csv_field(r->sid);
			putchar(',');
			cli_csv_field(r->winpath);
			putchar(',');
			cli_csv_field(r->host_path);
			putchar(',');
			cli_csv_field(r->folder);
			printf(",%" PRIu64 ",%" PRIu64 ",", r->seq, r->size);
			cli_csv_field(r->component);
			fputs("\r\n", stdout);
		} else {
			printf("%" PRIu64 ",", r->seq);
			cli_csv_field(r->winpath);
			putchar(',');
			cli_csv_field(r->host_path);
			putchar(',');
			cli_csv_field(r->store_path);
			putchar(',');
			cli_csv_field(r->sid);
			putchar(',');
			cli_csv_field(r->folder);
			putchar(',');
			cli_csv_field(r->component);
			putchar(',');
			cli_csv_field(r->rule);
			printf(",%" PRIu64 ",%" PRId64 ",%" PRIu64 ",%" PRIu64
			    ",%o,", r->size, r->mtime_ns, r->ino, r->nlink,
			    (unsigned)r->mode);
			cli_csv_field(r->attrs);
			fputs("\r\n", stdout);
		}
	} else if (r->kind == 'U') {
		printf("%-16s %-8s %8" PRIu64 " %12" PRIu64 "  ", r->winpath[0] ?
		    r->winpath : "-", r->folder, r->seq, r->size);
		cli_put(stdout, r->sid);
		if (r->component[0] != '\0') {
			fputs("\n    problems: ", stdout);
			cli_put(stdout, r->component);
		}
		putchar('\n');
	} else {
		printf("%6" PRIu64 " %c %12" PRIu64 "  ", r->seq, r->kind,
		    r->size);
		cli_put(stdout, r->winpath);
		putchar('\n');
	}
	return ferror(stdout) ? -1 : 0;
}

static int
cmd_store_list(struct offmig_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "users", no_argument, NULL, SOPT_USERS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct offmig_cmd *cmd = &cmd_store_list_entry;
	struct lister l;
	int ch, ret, complete = 0;

	memset(&l, 0, sizeof(l));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			cli_help(cmd);
			return OFFMIG_EXIT_OK;
		case OPT_JSON:
		case OPT_CSV:
			if (l.fmt != 0)
				return cli_usage(cmd, "--json or --csv, not "
				    "both");
			l.fmt = ch == OPT_JSON ? 1 : 2;
			break;
		case SOPT_USERS:
			l.users = 1;
			break;
		default:
			return bad_option(cmd, ch, argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage(cmd, argc - optind == 0 ? "STORE is missing" :
		    "one STORE only");
	offmig_ctx_set_log(ctx, cli_log, NULL);
	if (l.fmt == 1)
		fputs("{\"records\": [\n", stdout);
	else if (l.fmt == 2 && l.users)
		fputs("kind,sid,user,profile_path,status,objects,bytes,"
		    "problems\r\n", stdout);
	else if (l.fmt == 2)
		fputs("kind,seq,winpath,host_path,store_path,sid,folder,"
		    "component,rule,size,mtime_ns,ino,nlink,mode,attrs\r\n",
		    stdout);
	else if (l.users)
		printf("%-16s %-8s %8s %12s  %s\n", "USER", "STATUS", "OBJECTS",
		    "BYTES", "SID");
	else
		printf("%6s %s %12s  %s\n", "SEQ", "K", "SIZE", "WINDOWS PATH");
	ret = offmig_store_list(ctx, argv[optind], list_one, &l, &complete);
	if (l.fmt == 1)
		printf("\n],\n\"complete\": %s}\n", ret == OFFMIG_OK && complete
		    ? "true" : "false");
	if (ret == -1) {
		cli_error(cmd, "cannot write the output: %s", strerror(errno));
		return OFFMIG_EXIT_ENV;
	}
	if (ret != OFFMIG_OK)
		return cli_fail(cmd, ctx, ret);
	if (l.fmt == 0)
		printf("%" PRIu64 " %s; the store is %s\n", l.n, l.users ?
		    "users" : "objects", complete ? "complete (sealed)" :
		    "INCOMPLETE (create was interrupted)");
	ret = cli_finish(ctx);
	if (!complete && ret == OFFMIG_EXIT_OK)
		ret = OFFMIG_EXIT_DATA;
	return ret;
}

const struct offmig_cmd cmd_store_list_entry = {
	.name = "store list",
	.run = cmd_store_list,
	.usage = "[--json | --csv] [--users] STORE",
	.summary = "list what a store holds, object by object or per user",
	.help =
	    "  --users  the user records (status and problems of each profile)\n"
	    "  --json   one JSON document {\"records\": [...], \"complete\"}\n"
	    "  --csv    one CSV row per record\n"
	    "Exit status 3 when the store is incomplete or its manifest "
	    "damaged.\n",
};
