/*
 * check_walk.c - rule sets and the walker: USMT precedence for one object
 * (directory over extension, exclude wins a tie and the tie is flagged,
 * unconditionalExclude across components, an exclude in a component
 * without includes, filters, registry objects), and walks over temporary
 * trees: case-insensitive roots, nested roots visited once, links and link
 * loops counted and never followed, pruning (folders visited counted),
 * per-item errors provoked by races, order, and the fixture volumes
 * compared with find(1).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "migrate/pattern.h"
#include "migrate/walk.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static struct ruleset *rs;
static char tmpdir[512];
static char logbuf[8192];

static void
log_fn(void *arg, enum offmig_level level, const char *msg)
{
	size_t n = strlen(logbuf);

	snprintf(logbuf + n, sizeof(logbuf) - n, "%d %s\n", (int)level, msg);
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	offmig_ctx_set_log(ctx, log_fn, NULL);
	logbuf[0] = '\0';
	ck_assert_ptr_nonnull(rs = ruleset_new());
	t_tmpdir_make(tmpdir, sizeof(tmpdir), "check_walk");
}

static void
teardown(void)
{
	ruleset_free(rs);
	offmig_ctx_free(ctx);
	t_tmpdir_remove(tmpdir);
}

static void
add(enum rule_kind kind, unsigned group, enum upat_type t, const char *text,
    const void *tag)
{
	struct upat *p;

	ck_assert_msg(upat_parse(ctx, t, text, &p) == OFFMIG_OK, "%s: %s",
	    text, offmig_errmsg(ctx));
	ck_assert_int_eq(ruleset_add(rs, kind, group, p, NULL, NULL, tag),
	    OFFMIG_OK);
}

static void
addf(enum rule_kind kind, unsigned group, const char *text,
    rule_filter_fn *filter, void *farg, const void *tag)
{
	struct upat *p;

	ck_assert_msg(upat_parse(ctx, UPAT_FILE, text, &p) == OFFMIG_OK,
	    "%s: %s", text, offmig_errmsg(ctx));
	ck_assert_int_eq(ruleset_add(rs, kind, group, p, filter, farg, tag),
	    OFFMIG_OK);
}

#define INC(g, t)	add(RULE_INCLUDE, (g), UPAT_FILE, (t), (t))
#define EXC(g, t)	add(RULE_EXCLUDE, (g), UPAT_FILE, (t), (t))
#define UEXC(g, t)	add(RULE_UNCONDITIONAL_EXCLUDE, (g), UPAT_FILE, (t), (t))

/* ------------------------------------------------------------------ */
/* Decisions. */

struct trace {
	char	 text[2048];
	int	 calls, won;
};

static void
trace_fn(void *arg, unsigned group, enum rule_kind kind,
    const struct upat *pat, const void *tag, int won)
{
	struct trace *t = arg;
	size_t n = strlen(t->text);

	snprintf(t->text + n, sizeof(t->text) - n, "%u %c %s%s\n", group,
	    "IXU"[kind], upat_text(pat), won ? " WON" : "");
	t->calls++;
	t->won += won;
}

START_TEST(test_directory_beats_extension)
{
	struct rule_hit h[4];
	struct trace t = { "", 0, 0 };

	INC(1, "C:\\Data\\* [*]");
	EXC(1, "C:\\* [*.mp3]");
	INC(1, "C:\\* [*.doc]");
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Data\\Music", "a.mp3", NULL,
	    h, 4, trace_fn, &t), 1);
	ck_assert_uint_eq(h[0].group, 1);
	ck_assert_str_eq(h[0].tag, "C:\\Data\\* [*]");
	ck_assert_int_eq(h[0].tie, 0);
	ck_assert_str_eq(t.text, "1 I C:\\Data\\* [*] WON\n"
	    "1 X C:\\* [*.mp3]\n");
	/* Outside C:\Data the exclude is all there is. */
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Music", "a.mp3", NULL, h, 4,
	    NULL, NULL), 0);
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Music", "a.doc", NULL, h, 4,
	    NULL, NULL), 1);
	ck_assert_str_eq(h[0].tag, "C:\\* [*.doc]");
}
END_TEST

START_TEST(test_equal_specificity_exclude_wins)
{
	struct rule_hit h[4];
	struct trace t = { "", 0, 0 };

	INC(1, "C:\\Data\\* [*.doc]");
	EXC(1, "c:\\DATA\\* [*.DOC]");
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Data", "a.doc", NULL, h, 4,
	    trace_fn, &t), 0);
	ck_assert_str_eq(t.text, "1 I C:\\Data\\* [*.doc]\n"
	    "1 X c:\\DATA\\* [*.DOC] WON\n");
	/* A more specific include wins, and the pair below is flagged. */
	INC(1, "C:\\Data\\* [a.doc]");
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Data", "a.doc", NULL, h, 4,
	    NULL, NULL), 1);
	ck_assert_str_eq(h[0].tag, "C:\\Data\\* [a.doc]");
	ck_assert_int_eq(h[0].tie, 1);
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Data", "b.doc", NULL, h, 4,
	    NULL, NULL), 0);
}
END_TEST

START_TEST(test_unconditional_exclude_across_groups)
{
	struct rule_hit h[4];
	struct trace t = { "", 0, 0 };

	INC(1, "C:\\Users\\* [*]");
	INC(1, "C:\\Users\\bob\\Secret [x]");
	INC(2, "C:\\Users\\bob\\* [*]");
	UEXC(3, "C:\\Users\\bob\\Secret\\* [*]");
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Users\\bob\\Secret", "x",
	    NULL, h, 4, trace_fn, &t), 0);
	ck_assert_int_eq(t.calls, 4);
	ck_assert_int_eq(t.won, 1);
	ck_assert_ptr_nonnull(strstr(t.text,
	    "3 U C:\\Users\\bob\\Secret\\* [*] WON"));
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Users\\bob", "x", NULL, h, 4,
	    NULL, NULL), 2);
	ck_assert_uint_eq(h[0].group, 1);
	ck_assert_uint_eq(h[1].group, 2);
	/* cap limits what is filled and returned: the lowest groups. */
	INC(0, "C:\\Users\\bob\\* [*]");
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Users\\bob", "x", NULL, h, 1,
	    NULL, NULL), 1);
	ck_assert_uint_eq(h[0].group, 0);
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Users\\bob", "x", NULL, h, 2,
	    NULL, NULL), 2);
	ck_assert_uint_eq(h[0].group, 0);
	ck_assert_uint_eq(h[1].group, 1);
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Users\\bob", "x", NULL, h, 4,
	    NULL, NULL), 3);
	ck_assert_uint_eq(h[2].group, 2);
}
END_TEST

START_TEST(test_exclude_without_include_ignored)
{
	struct rule_hit h[4];

	INC(1, "C:\\Data\\* [*]");
	EXC(2, "C:\\Data\\* [*]");
	EXC(2, "C:\\Data [a.txt]");
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Data", "a.txt", NULL, h, 4,
	    NULL, NULL), 1);
	ck_assert_uint_eq(h[0].group, 1);
}
END_TEST

static int
big_only(void *arg, const struct walk_entry *e)
{
	return e->st->st_size >= *(const off_t *)arg;
}

START_TEST(test_filters)
{
	static off_t three = 3;
	struct rule_hit h[4];
	struct walk_entry e;
	struct stat st;

	memset(&st, 0, sizeof(st));
	memset(&e, 0, sizeof(e));
	e.st = &st;
	addf(RULE_INCLUDE, 1, "C:\\Data\\* [*]", big_only, &three, "big");
	addf(RULE_EXCLUDE, 1, "C:\\Data\\* [*]", big_only, &three, "xbig");
	INC(1, "C:\\Data\\* [*.txt]");
	/* Without an entry filtered rules count: the exclude ties and wins. */
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Data", "a.bin", NULL, h, 4,
	    NULL, NULL), 0);
	st.st_size = 1;
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Data", "a.bin", &e, h, 4,
	    NULL, NULL), 0);
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Data", "a.txt", &e, h, 4,
	    NULL, NULL), 1);
	ck_assert_str_eq(h[0].tag, "C:\\Data\\* [*.txt]");
	st.st_size = 5;
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\Data", "a.txt", &e, h, 4,
	    NULL, NULL), 1);
	ck_assert_int_eq(h[0].tie, 1);
}
END_TEST

START_TEST(test_registry_decide)
{
	struct rule_hit h[4];

	add(RULE_INCLUDE, 1, UPAT_REGISTRY, "HKCU\\Software\\X\\* [*]", "inc");
	add(RULE_EXCLUDE, 1, UPAT_REGISTRY, "HKCU\\Software\\X\\Y [V]", "exc");
	INC(1, "C:\\* [*]");
	ck_assert_uint_eq(ruleset_decide(rs, "HKCU\\Software\\X\\Y", "V", NULL,
	    h, 4, NULL, NULL), 0);
	ck_assert_uint_eq(ruleset_decide(rs,
	    "HKEY_CURRENT_USER\\Software\\x\\y", "W", NULL, h, 4, NULL, NULL),
	    1);
	ck_assert_str_eq(h[0].tag, "inc");
	ck_assert_uint_eq(ruleset_decide(rs, "HKCU\\Software\\X\\Y", "", NULL,
	    h, 4, NULL, NULL), 1);
	ck_assert_uint_eq(ruleset_decide(rs, "C:\\a", "V", NULL, h, 4, NULL,
	    NULL), 1);
	ck_assert_str_eq(h[0].tag, "C:\\* [*]");
}
END_TEST

START_TEST(test_add_errors)
{
	struct upat *p;

	ck_assert_int_eq(ruleset_add(rs, RULE_INCLUDE, 1, NULL, NULL, NULL,
	    NULL), OFFMIG_EINVAL);
	ck_assert_int_eq(upat_parse(ctx, UPAT_FILE, "C:\\ [*]", &p), OFFMIG_OK);
	/* Taken over and freed on failure too (LeakSanitizer checks). */
	ck_assert_int_eq(ruleset_add(rs, (enum rule_kind)9, 1, p, NULL, NULL,
	    NULL), OFFMIG_EINVAL);
	ck_assert_uint_eq(ruleset_decide(rs, "C:", "x", NULL, NULL, 0, NULL,
	    NULL), 0);
	ruleset_free(NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Walks. */

static void
mk(const char *rel)
{
	char path[1024], *p;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	n = strlen(path);
	for (p = path + strlen(tmpdir) + 1; *p != '\0'; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0755) != 0)
				ck_assert_int_eq(errno, EEXIST);
			*p = '/';
		}
	if (path[n - 1] == '/')
		return;
	t_write_file(path, rel, strlen(rel));
}

static void
mklink(const char *target, const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	ck_assert_msg(symlink(target, path) == 0, "%s: %s", path,
	    strerror(errno));
}

struct sel {
	char	 out[16384];
	int	 calls;
	int	 stop_at;
	int	 hits;
	int	 (*hook)(struct sel *, const struct walk_entry *);
};

static int
sel_fn(void *arg, const struct walk_entry *e, const struct rule_hit *hits,
    size_t nhits)
{
	struct sel *s = arg;
	size_t n = strlen(s->out), i;

	ck_assert_uint_gt(nhits, 0);
	ck_assert(!e->is_dir && !e->is_link);
	ck_assert(S_ISREG(e->st->st_mode));
	/* The paths agree with each other. */
	ck_assert_int_eq(strncmp(e->winpath, e->windir, strlen(e->windir)), 0);
	ck_assert_str_eq(e->winpath + strlen(e->windir) + 1, e->name);
	n += (size_t)snprintf(s->out + n, sizeof(s->out) - n, "%s", e->winpath);
	for (i = 0; i < nhits; i++)
		n += (size_t)snprintf(s->out + n, sizeof(s->out) - n, " %u%s",
		    hits[i].group, hits[i].tie ? "t" : "");
	snprintf(s->out + n, sizeof(s->out) - n, "\n");
	s->calls++;
	s->hits += (int)nhits;
	if (s->hook != NULL && s->hook(s, e) != 0)
		return -1;
	if (s->stop_at != 0 && s->calls == s->stop_at)
		return -42;
	return 0;
}

static int
cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The selection, one line each, sorted. */
static void
sorted(const char *in, char *out, size_t size)
{
	char *copy = strdup(in), *lines[512], *p, *save = NULL;
	size_t n = 0, i, o = 0;

	ck_assert_ptr_nonnull(copy);
	for (p = strtok_r(copy, "\n", &save); p != NULL && n < 512;
	    p = strtok_r(NULL, "\n", &save))
		lines[n++] = p;
	qsort(lines, n, sizeof(*lines), cmp_line);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, size - o, "%s\n", lines[i]);
	free(copy);
}

static int
walk(struct sel *s, struct walk_stats *st)
{
	int fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	ck_assert_int_ge(fd, 0);
	ret = ruleset_walk(ctx, rs, fd, 'C', sel_fn, s, st);
	close(fd);
	return ret;
}

static void
expect(const struct sel *s, const char *want)
{
	char got[16384];

	sorted(s->out, got, sizeof(got));
	ck_assert_str_eq(got, want);
}

static void
tree(void)
{
	mk("Users/Bob/Documents/a.doc");
	mk("Users/Bob/Documents/b.txt");
	mk("Users/Bob/Documents/Sub/c.DOC");
	mk("Users/Bob/AppData/Local/x.doc");
	mk("Windows/System32/k.doc");
	mk("Windows/win.ini");
	mk("Program Files/App/readme.doc");
	mk("Data/report.doc");
	mk("Data/music/a.mp3");
	mk("Data/music/cover.jpg");
	mk("boot.ini");
	mk("root.doc");
}

/* MigUser's "User Data": documents anywhere but in three trees. */
static void
user_data(unsigned g)
{
	INC(g, "C:\\* [*.doc]");
	INC(g, "C:\\* [*.mp3]");
	EXC(g, "C:\\Windows\\* [*]");
	EXC(g, "C:\\Program Files\\* [*]");
	EXC(g, "C:\\Users\\* [*]");
}

START_TEST(test_walk_user_data_prunes)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	tree();
	user_data(1);
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	expect(&s, "C:\\Data\\music\\a.mp3 1\n"
	    "C:\\Data\\report.doc 1\n"
	    "C:\\root.doc 1\n");
	/* The root, Data and Data\music: Users, Windows, Program Files pruned. */
	ck_assert_uint_eq(st.dirs, 3);
	ck_assert_uint_eq(st.files, 5);
	ck_assert_uint_eq(st.selected, 3);
	ck_assert_uint_eq(st.selected_bytes, strlen("Data/music/a.mp3") +
	    strlen("Data/report.doc") + strlen("root.doc"));
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_uint_eq(st.links_skipped, 0);
}
END_TEST

START_TEST(test_walk_folder_per_user_and_user_data)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	tree();
	user_data(1);
	/* Another component, with the name in another case than on disk. */
	INC(2, "c:\\USERS\\bob\\documents\\* [*]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	expect(&s, "C:\\Data\\music\\a.mp3 1\n"
	    "C:\\Data\\report.doc 1\n"
	    "C:\\Users\\Bob\\Documents\\Sub\\c.DOC 2\n"
	    "C:\\Users\\Bob\\Documents\\a.doc 2\n"
	    "C:\\Users\\Bob\\Documents\\b.txt 2\n"
	    "C:\\root.doc 1\n");
	/* Root, Data, music, Users, Bob, Documents, Sub: AppData pruned. */
	ck_assert_uint_eq(st.dirs, 7);
	ck_assert_uint_eq(st.selected, 6);
}
END_TEST

START_TEST(test_walk_nested_roots_once)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	tree();
	INC(1, "C:\\Users\\bob\\* [*]");
	INC(1, "C:\\* [*.doc]");
	INC(2, "C:\\Users\\Bob\\Documents\\ [*]");
	INC(2, "C:\\USERS\\BOB\\Documents\\ [*]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	expect(&s, "C:\\Data\\report.doc 1\n"
	    "C:\\Program Files\\App\\readme.doc 1\n"
	    "C:\\Users\\Bob\\AppData\\Local\\x.doc 1\n"
	    "C:\\Users\\Bob\\Documents\\Sub\\c.DOC 1\n"
	    "C:\\Users\\Bob\\Documents\\a.doc 1 2\n"
	    "C:\\Users\\Bob\\Documents\\b.txt 1 2\n"
	    "C:\\Windows\\System32\\k.doc 1\n"
	    "C:\\root.doc 1\n");
	/* Every folder of the tree, once. */
	ck_assert_uint_eq(st.dirs, 13);
	ck_assert_uint_eq(st.files, 12);
}
END_TEST

/*
 * Several roots held by one: each dropped once, and the ones after a
 * dropped root checked against the roots kept (a freed one was read here).
 */
START_TEST(test_walk_roots_held_by_one)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	tree();
	INC(1, "C:\\Users\\* [*.txt]");
	/* Held by the first: dropped. */
	INC(2, "C:\\Users\\Bob\\* [*.doc]");
	/* Held by nothing, longer than the dropped one and sorted after it. */
	INC(3, "C:\\Windows\\System32\\* [*]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	expect(&s, "C:\\Users\\Bob\\AppData\\Local\\x.doc 2\n"
	    "C:\\Users\\Bob\\Documents\\Sub\\c.DOC 2\n"
	    "C:\\Users\\Bob\\Documents\\a.doc 2\n"
	    "C:\\Users\\Bob\\Documents\\b.txt 1\n"
	    "C:\\Windows\\System32\\k.doc 3\n");
	/* Users, Bob, Documents, Sub, AppData, Local, System32: each once. */
	ck_assert_uint_eq(st.dirs, 7);
}
END_TEST

START_TEST(test_walk_links_not_followed)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	tree();
	/* A profile's junctions as ntfs-3g shows them. */
	mklink(".", "Users/Bob/AppData/Local/Application Data");
	mklink("../../..", "Users/Bob/AppData/Local/Up");
	mklink("Loop", "Users/Bob/Loop");
	mklink("a.doc", "Users/Bob/Documents/link.doc");
	mklink("nowhere", "Users/Bob/Documents/dangling.doc");
	mklink("Users", "Documents and Settings");
	mklink("/", "Users/Bob/Documents/slash");
	INC(1, "C:\\Users\\* [*]");
	INC(2, "C:\\Documents and Settings\\* [*]");
	INC(3, "C:\\Users\\Bob\\AppData\\Local\\Application Data\\* [*]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	expect(&s, "C:\\Users\\Bob\\AppData\\Local\\x.doc 1\n"
	    "C:\\Users\\Bob\\Documents\\Sub\\c.DOC 1\n"
	    "C:\\Users\\Bob\\Documents\\a.doc 1\n"
	    "C:\\Users\\Bob\\Documents\\b.txt 1\n");
	/*
	 * Six links met in the walk (the third root lies inside the first
	 * and is met there), and a root that is a link, with a warning.
	 */
	ck_assert_uint_eq(st.links_skipped, 7);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_msg(strstr(logbuf, "Documents and Settings") != NULL &&
	    strstr(logbuf, "not walked") != NULL, "log: %s", logbuf);
	ck_assert_uint_eq(offmig_ctx_warnings(ctx), 1);
}
END_TEST

START_TEST(test_walk_other_drive_and_relative_roots)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	tree();
	INC(1, "D:\\Projects\\* [*]");
	INC(1, "\\Data\\* [*]");
	INC(1, "C:\\Missing\\* [*]");
	INC(1, "C:\\Data\\music [*.MP3]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	expect(&s, "C:\\Data\\music\\a.mp3 1\n");
	ck_assert_msg(strstr(logbuf, "'D:\\Projects\\* [*]': not on the system "
	    "drive C:, skipped") != NULL, "log: %s", logbuf);
	ck_assert_msg(strstr(logbuf, "'\\Data\\* [*]': no drive letter") !=
	    NULL, "log: %s", logbuf);
	ck_assert_uint_eq(offmig_ctx_warnings(ctx), 2);
	ck_assert_uint_eq(st.dirs, 1);
	ck_assert_uint_eq(st.errors, 0);
}
END_TEST

START_TEST(test_walk_unconditional_exclude_prunes)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	tree();
	INC(1, "C:\\Users\\* [*]");
	INC(2, "C:\\Users\\Bob\\AppData\\Local [x.doc]");
	UEXC(3, "C:\\Users\\Bob\\AppData\\* [*]");
	EXC(4, "C:\\Users\\* [*]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	expect(&s, "C:\\Users\\Bob\\Documents\\Sub\\c.DOC 1\n"
	    "C:\\Users\\Bob\\Documents\\a.doc 1\n"
	    "C:\\Users\\Bob\\Documents\\b.txt 1\n");
	/* Users, Bob, Documents, Sub. */
	ck_assert_uint_eq(st.dirs, 4);
}
END_TEST

static void
tie_fn(void *arg, const struct walk_entry *e, unsigned group,
    const void *inc, const void *exc)
{
	struct sel *s = arg;
	size_t n = strlen(s->out);

	snprintf(s->out + n, sizeof(s->out) - n, "tie %s %u %s / %s\n",
	    e->winpath, group, (const char *)inc, (const char *)exc);
}

START_TEST(test_walk_ties)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	tree();
	INC(1, "C:\\Users\\Bob\\Documents\\* [*.doc]");
	EXC(1, "C:\\Users\\Bob\\Documents\\* [*.DOC]");
	INC(1, "C:\\Users\\Bob\\Documents\\* [a.doc]");
	INC(1, "C:\\Users\\Bob\\Documents\\* [*]");
	ruleset_set_tie_fn(rs, tie_fn, &s);
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	expect(&s, "C:\\Users\\Bob\\Documents\\a.doc 1t\n"
	    "C:\\Users\\Bob\\Documents\\b.txt 1\n"
	    "tie C:\\Users\\Bob\\Documents\\Sub\\c.DOC 1 "
	    "C:\\Users\\Bob\\Documents\\* [*.doc] / "
	    "C:\\Users\\Bob\\Documents\\* [*.DOC]\n");
	ck_assert_uint_eq(st.ties, 1);
	ck_assert_uint_eq(st.selected, 2);
}
END_TEST

START_TEST(test_walk_filters)
{
	static off_t ten = 10;
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	tree();
	addf(RULE_INCLUDE, 1, "C:\\Data\\* [*]", big_only, &ten, "big");
	addf(RULE_EXCLUDE, 2, "C:\\* [*.doc]", big_only, &ten, "xbig");
	INC(2, "C:\\ [*]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	/* "Data/music/a.mp3" etc. hold their own path: 10 bytes or more. */
	expect(&s, "C:\\Data\\music\\a.mp3 1\n"
	    "C:\\Data\\music\\cover.jpg 1\n"
	    "C:\\Data\\report.doc 1\n"
	    "C:\\boot.ini 2\n"
	    "C:\\root.doc 2\n");
}
END_TEST

static int
race_files(struct sel *s, const struct walk_entry *e)
{
	char path[1024];
	int i;

	if (s->calls != 1)
		return 0;
	for (i = 1; i <= 5; i++) {
		snprintf(path, sizeof(path), "%s/Race/f%d", tmpdir, i);
		if (strcmp(e->name, path + strlen(path) - 2) != 0)
			ck_assert_int_eq(unlink(path), 0);
	}
	snprintf(path, sizeof(path), "%s/Race/d1", tmpdir);
	ck_assert_int_eq(rmdir(path), 0);
	return 0;
}

START_TEST(test_walk_errors_counted)
{
	struct sel s = { "", 0, 0, 0, race_files };
	struct walk_stats st;

	mk("Race/f1");
	mk("Race/f2");
	mk("Race/f3");
	mk("Race/f4");
	mk("Race/f5");
	mk("Race/d1/");
	mk("Race/d2/g");
	INC(1, "C:\\Race\\* [*]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	/* Four files gone before their lstat, one folder before its open. */
	ck_assert_uint_eq(st.errors, 5);
	ck_assert_uint_eq(offmig_ctx_warnings(ctx), 5);
	ck_assert_ptr_nonnull(strstr(logbuf, "cannot lstat 'C:\\Race\\f"));
	ck_assert_ptr_nonnull(strstr(logbuf, "cannot open folder "
	    "'C:\\Race\\d1': No such file or directory"));
	/* The walk went on to d2. */
	ck_assert_uint_eq(st.selected, 2);
	ck_assert_ptr_nonnull(strstr(s.out, "C:\\Race\\d2\\g 1\n"));
	ck_assert_uint_eq(st.dirs, 2);
}
END_TEST

START_TEST(test_walk_stop)
{
	struct sel s = { "", 0, 2, 0, NULL };
	struct walk_stats st;

	tree();
	INC(1, "C:\\* [*]");
	ck_assert_int_eq(walk(&s, &st), -42);
	ck_assert_int_eq(s.calls, 2);
}
END_TEST

START_TEST(test_walk_order)
{
	struct sel s1 = { "", 0, 0, 0, NULL }, s2 = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	mk("top.txt");
	mk("b/1.txt");
	mk("a/2.txt");
	mk("C/3.txt");
	mk("a/z/4.txt");
	mk("a/Y/5.txt");
	INC(1, "C:\\* [*.txt]");
	ck_assert_int_eq(walk(&s1, &st), OFFMIG_OK);
	ck_assert_int_eq(walk(&s2, &st), OFFMIG_OK);
	ck_assert_str_eq(s1.out, "C:\\top.txt 1\n"
	    "C:\\C\\3.txt 1\n"
	    "C:\\a\\2.txt 1\n"
	    "C:\\a\\Y\\5.txt 1\n"
	    "C:\\a\\z\\4.txt 1\n"
	    "C:\\b\\1.txt 1\n");
	ck_assert_str_eq(s1.out, s2.out);
}
END_TEST

START_TEST(test_walk_odd_names)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;

	mk("\xc3\x84rger/\xff\xfe.doc");
	mk("\xc3\x84rger/tab\there.doc");
	mk("\xc3\x84rger/back\\slash.doc");
	mk("\xc3\x84rger/x.txt");
	INC(1, "C:\\\xc3\xa4RGER\\ [*.DOC]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	expect(&s, "C:\\\xc3\x84rger\\back\\slash.doc 1\n"
	    "C:\\\xc3\x84rger\\tab\there.doc 1\n"
	    "C:\\\xc3\x84rger\\\xff\xfe.doc 1\n");
}
END_TEST

START_TEST(test_walk_deep)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;
	char rel[1024];
	size_t n = 0;
	int i;

	for (i = 0; i < 150; i++)
		n += (size_t)snprintf(rel + n, sizeof(rel) - n, "d%d/", i % 7);
	snprintf(rel + n, sizeof(rel) - n, "deep.doc");
	mk(rel);
	INC(1, "C:\\* [deep.doc]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	ck_assert_int_eq(s.calls, 1);
	ck_assert_uint_eq(st.dirs, 151);
}
END_TEST

/*
 * The walker and ruleset_decide() agree on every file of the tree: what
 * the walk selects (group, tag, tie) is what decide says with an entry,
 * and whatever the walk left out, pruned folders included, decide leaves
 * out too.
 */
static char agree_walked[16384];
static char agree_decided[16384];

static int
agree_sel(void *arg, const struct walk_entry *e, const struct rule_hit *h,
    size_t nh)
{
	size_t n = strlen(agree_walked), i;

	n += (size_t)snprintf(agree_walked + n, sizeof(agree_walked) - n, "%s",
	    e->winpath);
	for (i = 0; i < nh; i++)
		n += (size_t)snprintf(agree_walked + n,
		    sizeof(agree_walked) - n, " %u:%s%s", h[i].group,
		    (const char *)h[i].tag, h[i].tie ? ":tie" : "");
	snprintf(agree_walked + n, sizeof(agree_walked) - n, "\n");
	return 0;
}

static int
agree_visit(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	char win[1024], *dir, *name;
	struct rule_hit h[8];
	struct walk_entry e;
	size_t nh, n, i;

	if (flag != FTW_F || !S_ISREG(sb->st_mode))
		return 0;
	snprintf(win, sizeof(win), "C:\\%s", path + strlen(tmpdir) + 1);
	for (i = 0; win[i] != '\0'; i++)
		if (win[i] == '/')
			win[i] = '\\';
	memset(&e, 0, sizeof(e));
	e.winpath = win;
	e.st = sb;
	dir = strdup(win);
	ck_assert_ptr_nonnull(dir);
	name = strrchr(dir, '\\');
	*name++ = '\0';
	e.windir = dir;
	e.name = name;
	nh = ruleset_decide(rs, dir, name, &e, h, 8, NULL, NULL);
	if (nh > 0) {
		n = strlen(agree_decided);
		n += (size_t)snprintf(agree_decided + n,
		    sizeof(agree_decided) - n, "%s", win);
		for (i = 0; i < nh; i++)
			n += (size_t)snprintf(agree_decided + n,
			    sizeof(agree_decided) - n, " %u:%s%s", h[i].group,
			    (const char *)h[i].tag, h[i].tie ? ":tie" : "");
		snprintf(agree_decided + n, sizeof(agree_decided) - n, "\n");
	}
	free(dir);
	return 0;
}

START_TEST(test_walk_agrees_with_decide)
{
	static off_t sixteen = 16;
	char a[16384], b[16384];
	struct walk_stats st;
	int fd;

	tree();
	mk("Users/Bob/Documents/Sub/deep/x.mp3");
	mk("Users/Alice/Desktop/note.txt");
	mk("Users/Alice/Desktop/song.MP3");
	mk("Data/music/b.doc");
	user_data(1);
	INC(2, "C:\\Users\\*\\Documents\\* [*]");
	EXC(2, "C:\\Users\\Bob\\Documents\\Sub\\* [*]");
	INC(2, "C:\\Users\\Bob\\Documents\\Sub\\deep [*.mp3]");
	INC(2, "C:\\Users\\Alice\\Desktop [*]");
	EXC(2, "C:\\Users\\Alice\\Desktop [*.mp3]");
	INC(3, "C:\\Data\\* [*.doc]");
	EXC(3, "C:\\Data\\* [*.DOC]");
	INC(3, "C:\\Data\\music\\ [*]");
	INC(3, "C:\\Data\\* [report.doc]");
	addf(RULE_EXCLUDE, 3, "C:\\Data\\music [*]", big_only, &sixteen, "big");
	INC(4, "C:\\W* [*.ini]");
	UEXC(5, "C:\\Windows\\System32\\* [*]");
	agree_walked[0] = agree_decided[0] = '\0';
	ck_assert_int_ge(fd = open(tmpdir, O_RDONLY | O_DIRECTORY), 0);
	ck_assert_int_eq(ruleset_walk(ctx, rs, fd, 'C', agree_sel, NULL, &st),
	    OFFMIG_OK);
	close(fd);
	ck_assert_int_eq(nftw(tmpdir, agree_visit, 16, FTW_PHYS), 0);
	sorted(agree_walked, a, sizeof(a));
	sorted(agree_decided, b, sizeof(b));
	ck_assert_str_eq(a, b);
	ck_assert_ptr_nonnull(strstr(a, "C:\\Data\\report.doc "
	    "1:C:\\* [*.doc] 3:C:\\Data\\* [report.doc]:tie\n"));
	ck_assert_uint_eq(st.selected, 9);
}
END_TEST

/* A path longer than Windows allows: reported, counted, not read. */
START_TEST(test_walk_path_too_long)
{
	struct sel s = { "", 0, 0, 0, NULL };
	struct walk_stats st;
	char name[251];
	int fd, i;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	mk("top.txt");
	ck_assert_int_ge(fd = open(tmpdir, O_RDONLY | O_DIRECTORY), 0);
	/* 400 levels of 250 bytes: 100,000 bytes, past 32767 * 3. */
	for (i = 0; i < 400; i++) {
		int next;

		ck_assert_int_eq(mkdirat(fd, name, 0755), 0);
		ck_assert_int_ge(next = openat(fd, name, O_RDONLY |
		    O_DIRECTORY), 0);
		close(fd);
		fd = next;
	}
	ck_assert_int_ge(i = openat(fd, "bottom.txt", O_WRONLY | O_CREAT,
	    0644), 0);
	close(i);
	close(fd);
	INC(1, "C:\\* [*.txt]");
	ck_assert_int_eq(walk(&s, &st), OFFMIG_OK);
	ck_assert_str_eq(s.out, "C:\\top.txt 1\n");
	ck_assert_uint_eq(st.errors, 1);
	ck_assert_ptr_nonnull(strstr(logbuf, "path longer than Windows allows"));
	ck_assert_uint_eq(st.dirs, 1 + 32767 * 3 / 251);
}
END_TEST

/* Counts what find(1) sees of a fixture volume. */
static unsigned long
count(const char *vol, const char *type)
{
	char cmd[2048], buf[64];
	FILE *fp;
	unsigned long n = 0;

	snprintf(cmd, sizeof(cmd), "find '%s' %s | wc -l", vol, type);
	ck_assert_ptr_nonnull(fp = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	n = strtoul(buf, NULL, 10);
	pclose(fp);
	return n;
}

START_TEST(test_walk_fixture_volumes)
{
	static const char *const vols[] = { "win10", "win7", "xp", "hostile" };
	char vol[1024];
	size_t i;

	INC(1, "C:\\* [*]");
	for (i = 0; i < sizeof(vols) / sizeof(vols[0]); i++) {
		struct sel s = { "", 0, 0, 0, NULL };
		struct walk_stats st;
		int fd;

		t_volume(vol, sizeof(vol), vols[i]);
		ck_assert_int_ge(fd = open(vol, O_RDONLY | O_DIRECTORY), 0);
		ck_assert_int_eq(ruleset_walk(ctx, rs, fd, 'c', NULL, &s, &st),
		    OFFMIG_OK);
		close(fd);
		ck_assert_uint_eq(st.errors, 0);
		ck_assert_uint_eq(st.dirs, count(vol, "-type d"));
		ck_assert_uint_eq(st.links_skipped, count(vol, "-type l"));
		ck_assert_uint_eq(st.files, count(vol, "! -type d ! -type l"));
		ck_assert_uint_eq(st.selected, count(vol, "-type f"));
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("walk");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = tcase_create("decide");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_directory_beats_extension);
	tcase_add_test(tc, test_equal_specificity_exclude_wins);
	tcase_add_test(tc, test_unconditional_exclude_across_groups);
	tcase_add_test(tc, test_exclude_without_include_ignored);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_registry_decide);
	tcase_add_test(tc, test_add_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("walk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_walk_user_data_prunes);
	tcase_add_test(tc, test_walk_folder_per_user_and_user_data);
	tcase_add_test(tc, test_walk_nested_roots_once);
	tcase_add_test(tc, test_walk_roots_held_by_one);
	tcase_add_test(tc, test_walk_links_not_followed);
	tcase_add_test(tc, test_walk_other_drive_and_relative_roots);
	tcase_add_test(tc, test_walk_unconditional_exclude_prunes);
	tcase_add_test(tc, test_walk_ties);
	tcase_add_test(tc, test_walk_filters);
	tcase_add_test(tc, test_walk_errors_counted);
	tcase_add_test(tc, test_walk_stop);
	tcase_add_test(tc, test_walk_order);
	tcase_add_test(tc, test_walk_odd_names);
	tcase_add_test(tc, test_walk_deep);
	tcase_add_test(tc, test_walk_agrees_with_decide);
	tcase_add_test(tc, test_walk_path_too_long);
	tcase_add_test(tc, test_walk_fixture_volumes);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
