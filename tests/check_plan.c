/*
 * check_plan.c - the public plan API (offmig_rules_*, offmig_plan_*) on the
 * stock Windows 10 fixture volume: diagnostics, the streaming callback and
 * its stop value, registry objects, explain and genconfig errors, and that
 * rules with errors are not evaluated.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "offmig.h"
#include "common/common.h"
#include "migrate/ini.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static struct offmig_volume *vol;
static struct offmig_rules *rules;

static void
setup(void)
{
	char path[4096];

	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	ck_assert_int_eq(offmig_volume_open(ctx, t_volume(path, sizeof(path),
	    "win10"), NULL, &vol), OFFMIG_OK);
	ck_assert_int_eq(offmig_rules_new(ctx, &rules), OFFMIG_OK);
}

static void
teardown(void)
{
	offmig_rules_free(rules);
	offmig_volume_close(vol);
	offmig_ctx_free(ctx);
}

static int
load(const char *name, const char *xml)
{
	return offmig_rules_load_memory(ctx, rules, name, xml, strlen(xml), 0);
}

struct seen {
	int		 n;
	int		 stop_at;
	int		 registry;
	char		 first[256];
	char		 rule[256];
};

static int
collect(void *arg, const struct offmig_plan_item *it)
{
	struct seen *s = arg;

	if (s->n == 0) {
		snprintf(s->first, sizeof(s->first), "%s %s %s %s", it->type,
		    it->path, it->user != NULL ? it->user : "-", it->component);
		snprintf(s->rule, sizeof(s->rule), "%s:%ld %s", it->rule_file,
		    it->rule_line, it->rule_pattern);
	}
	s->registry += strcmp(it->type, "registry") == 0;
	if (++s->n == s->stop_at)
		return -42;
	return 0;
}

static const char desktop[] =
    "<migration urlid=\"http://t/desktop\">\n"
    "<component type=\"Documents\" context=\"User\">\n"
    "<displayName>Desktop</displayName><role role=\"Data\"><rules>\n"
    "<include><objectSet>\n"
    "<pattern type=\"File\">%CSIDL_DESKTOPDIRECTORY%\\* [*]</pattern>\n"
    "</objectSet></include></rules></role></component></migration>\n";

START_TEST(test_stream_and_stop)
{
	struct offmig_doc *doc = NULL;
	struct seen s;

	ck_assert_int_eq(load("desk.xml", desktop), OFFMIG_OK);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(offmig_plan_run(ctx, vol, rules, NULL, 0, collect, &s,
	    &doc), OFFMIG_OK);
	/* alice, bob (.bak), dave and frank have a Desktop\notes.txt. */
	ck_assert_int_eq(s.n, 4);
	ck_assert_str_eq(s.first, "file C:\\Users\\alice\\Desktop\\notes.txt "
	    "alice Desktop");
	ck_assert_str_eq(s.rule, "desk.xml:5 C:\\Users\\alice\\Desktop\\* [*]");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "totals.files")), 4);
	offmig_doc_free(doc);
	/* The callback's negative value stops the plan and is returned. */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	doc = (struct offmig_doc *)1;
	ck_assert_int_eq(offmig_plan_run(ctx, vol, rules, NULL, 0, collect, &s,
	    &doc), -42);
	ck_assert_ptr_null(doc);
	ck_assert_int_eq(s.n, 2);
}
END_TEST

/*
 * A rule rooted at the volume's root walks it from the volume's own folder
 * descriptor: a second plan on the same open volume must find the same
 * objects (a duplicated descriptor shares the directory offset).
 */
static const char rootwide[] =
    "<migration urlid=\"http://t/root\">\n"
    "<component type=\"Documents\" context=\"System\">\n"
    "<displayName>Notes</displayName><role role=\"Data\"><rules>\n"
    "<include><objectSet>\n"
    "<pattern type=\"File\">C:\\* [notes.txt]</pattern>\n"
    "</objectSet></include></rules></role></component></migration>\n";

START_TEST(test_root_walk_twice)
{
	struct offmig_doc *doc = NULL;
	struct seen s1, s2;

	ck_assert_int_eq(load("root.xml", rootwide), OFFMIG_OK);
	memset(&s1, 0, sizeof(s1));
	ck_assert_int_eq(offmig_plan_run(ctx, vol, rules, NULL, 0, collect,
	    &s1, &doc), OFFMIG_OK);
	offmig_doc_free(doc);
	ck_assert_int_ge(s1.n, 4);
	memset(&s2, 0, sizeof(s2));
	ck_assert_int_eq(offmig_plan_run(ctx, vol, rules, NULL, 0, collect,
	    &s2, &doc), OFFMIG_OK);
	offmig_doc_free(doc);
	ck_assert_int_eq(s2.n, s1.n);
	ck_assert_str_eq(s2.first, s1.first);
}
END_TEST

START_TEST(test_user_filter_and_registry)
{
	struct offmig_filter *f = offmig_filter_new();
	struct offmig_doc *doc = NULL;
	struct seen s;

	ck_assert_ptr_nonnull(f);
	/* As USMT: /ue:* /ui:dave is dave alone. */
	ck_assert_int_eq(offmig_filter_exclude(f, "*"), OFFMIG_OK);
	ck_assert_int_eq(offmig_filter_include(f, "dave"), OFFMIG_OK);
	ck_assert_int_eq(load("reg.xml",
	    "<migration urlid=\"http://t/reg\">\n"
	    "<component type=\"Application\" context=\"User\">"
	    "<displayName>Env</displayName><role role=\"Settings\"><rules>\n"
	    "<include><objectSet><pattern type=\"Registry\">HKCU\\Environment"
	    " [*]</pattern></objectSet></include>\n"
	    "</rules></role></component></migration>\n"), OFFMIG_OK);
	memset(&s, 0, sizeof(s));
	/* dave's NTUSER.DAT is dirty: read through its logs. */
	ck_assert_int_eq(offmig_plan_run(ctx, vol, rules, f, 0, collect, &s,
	    &doc), OFFMIG_OK);
	ck_assert_int_gt(s.registry, 0);
	ck_assert_int_eq(s.registry, s.n);
	ck_assert_ptr_nonnull(strstr(s.first, "registry HKCU\\Environment ["));
	ck_assert_ptr_nonnull(strstr(s.first, " dave Env"));
	ck_assert_int_eq(offmig_node_len(offmig_node_get(offmig_doc_root(doc),
	    "users")), 2);	/* the system and dave */
	offmig_doc_free(doc);
	/* Files only: nothing. */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(offmig_plan_run(ctx, vol, rules, f,
	    OFFMIG_PLAN_NO_REGISTRY, collect, &s, &doc), OFFMIG_OK);
	ck_assert_int_eq(s.n, 0);
	offmig_doc_free(doc);
	offmig_filter_free(f);
}
END_TEST

START_TEST(test_diagnostics_and_errors)
{
	struct offmig_doc *doc = (struct offmig_doc *)1;
	enum offmig_level lv;
	const char *file, *msg;
	long line;

	ck_assert_int_eq(load("bad.xml", "<migration urlid=\"u\">\n"
	    "<component type=\"Documents\" context=\"Nobody\"/></migration>"),
	    OFFMIG_EXML);
	ck_assert_uint_eq(offmig_rules_ndiags(rules), 1);
	ck_assert_uint_eq(offmig_rules_nerrors(rules), 1);
	ck_assert_int_eq(offmig_rules_diag(rules, 0, &lv, &file, &line, &msg),
	    OFFMIG_OK);
	ck_assert_int_eq(lv, OFFMIG_LOG_ERROR);
	ck_assert_str_eq(file, "bad.xml");
	ck_assert_int_eq(line, 2);
	ck_assert_ptr_nonnull(strstr(msg, "context=\"Nobody\""));
	ck_assert_int_eq(offmig_rules_diag(rules, 1, &lv, &file, &line, &msg),
	    OFFMIG_EINVAL);
	/* Rules with errors are not evaluated. */
	ck_assert_int_eq(offmig_plan_run(ctx, vol, rules, NULL, 0, NULL, NULL,
	    &doc), OFFMIG_EXML);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "1 error"));
	ck_assert_int_eq(offmig_rules_load(ctx, rules, "/nonexistent/r.xml"),
	    OFFMIG_EIO);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "/nonexistent/r.xml"));
}
END_TEST

/* name= references that loop are cut, said, and do not hang or crash. */
START_TEST(test_reference_loops)
{
	struct offmig_doc *doc = NULL;
	const struct offmig_node *u;

	ck_assert_int_eq(load("loop.xml",
	    "<migration urlid=\"http://t/loop\">\n"
	    "<namedElements>\n"
	    "<rules name=\"R\"><include><objectSet><pattern type=\"File\">"
	    "C:\\Users\\* [notes.txt]</pattern></objectSet></include>\n"
	    "<rules name=\"R\"/></rules>\n"
	    "<conditions name=\"C\"><conditions name=\"C\"/></conditions>\n"
	    "</namedElements>\n"
	    "<component type=\"Documents\" context=\"System\">"
	    "<displayName>Loop</displayName><role role=\"Data\">\n"
	    "<detection><conditions name=\"C\"/></detection>\n"
	    "<rules name=\"R\"/></role></component>\n"
	    "<component type=\"Documents\" context=\"System\">"
	    "<displayName>Loop 2</displayName><role role=\"Data\">\n"
	    "<rules name=\"R\"/></role></component></migration>\n"),
	    OFFMIG_OK);
	ck_assert_int_eq(offmig_plan_run(ctx, vol, rules, NULL, 0, NULL, NULL,
	    &doc), OFFMIG_OK);
	u = offmig_node_get(offmig_doc_root(doc), "unsupported");
	ck_assert_uint_eq(offmig_node_len(u), 2);
	ck_assert_str_eq(offmig_node_get_str(offmig_node_at(u, 0),
	    "construct"), "conditions");
	ck_assert_str_eq(offmig_node_get_str(offmig_node_at(u, 1),
	    "construct"), "rules");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_node_at(u, 1),
	    "line")), 4);
	/*
	 * Loop 2 still takes every notes.txt below C:\Users: the four
	 * profiles' and the temporary profile's (system context).
	 */
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "totals.files")), 5);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_explain_and_genconfig)
{
	struct offmig_doc *doc = NULL;
	const struct offmig_node *m;
	char out[256];

	ck_assert_int_eq(load("desk.xml", desktop), OFFMIG_OK);
	ck_assert_int_eq(offmig_plan_explain(ctx, vol, rules, NULL,
	    "C:\\USERS\\Dave\\desktop\\NOTES.TXT", &doc), OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "exists")), 1);
	m = offmig_node_get(offmig_doc_root(doc), "selected");
	ck_assert_uint_eq(offmig_node_len(m), 1);
	ck_assert_str_eq(offmig_node_get_str(offmig_node_at(m, 0), "user"),
	    "dave");
	offmig_doc_free(doc);
	doc = (struct offmig_doc *)1;
	ck_assert_int_eq(offmig_plan_explain(ctx, vol, rules, NULL, "noslash",
	    &doc), OFFMIG_EINVAL);
	ck_assert_ptr_null(doc);
	ck_assert_int_eq(offmig_plan_genconfig(ctx, vol, rules, NULL,
	    "/nonexistent/dir/config.xml", &doc), OFFMIG_EIO);
	ck_assert_ptr_null(doc);
	snprintf(out, sizeof(out), "check_plan-%d.xml", (int)getpid());
	ck_assert_int_eq(offmig_plan_genconfig(ctx, vol, rules, NULL, out,
	    &doc), OFFMIG_OK);
	ck_assert_int_eq(access(out, R_OK), 0);
	unlink(out);
	m = offmig_node_get(offmig_doc_root(doc), "components");
	ck_assert_uint_eq(offmig_node_len(m), 1);
	ck_assert_str_eq(offmig_node_get_str(offmig_node_at(m, 0), "group"),
	    "Documents");
	offmig_doc_free(doc);
}
END_TEST

/* INI files read as GetPrivateProfileString reads them (ini.c). */
static void
parse(struct offmig_ctx *c, const void *data, size_t len, struct ini_file *f)
{
	ck_assert_int_eq(ini_parse(c, data, len, f), OFFMIG_OK);
}

START_TEST(test_ini_parse)
{
	static const char text[] = "Top=no section\r\n"
	    "; comment=x\r\n"
	    "  [ Main ]  \r\n"
	    "  Key = Value  \r\n"
	    "KEY=second\r\n"
	    "quoted=\"a b\"\r\n"
	    "single='c'\r\n"
	    "half=\"d\r\n"
	    "bare\r\n"
	    "=nokey\r\n"
	    "[main]\r\n"
	    "more=1\r\n"
	    "[\xc3\x89t\xc3\xa9]\n"
	    "\xc3\xa9=lower\n"
	    "\xc3\x89=upper\n"
	    "[Open\n"
	    "k=v";
	static const unsigned char u16le[] = { 0xFF, 0xFE, '[', 0, 'S', 0,
	    ']', 0, '\n', 0, 'k', 0, '=', 0, 0xAC, 0x20, 0 };
	static const unsigned char u16be[] = { 0xFE, 0xFF, 0, '[', 0, 'S',
	    0, ']', 0, '\n', 0, 'k', 0, '=', 0x20, 0xAC };
	static const unsigned char bom8[] = { 0xEF, 0xBB, 0xBF, '[', 'S', ']',
	    '\n', 'k', '=', 0xE2, 0x82, 0xAC };
	static const unsigned char cp[] = { '[', 'S', 0xE9, ']', '\n', 'k',
	    '=', 0x80, 0x9F, '\n', 0, '[', 'X', ']', '\n', 'y', '=', '1' };
	struct offmig_ctx *c = offmig_ctx_new();
	struct ini_file f;

	ck_assert_ptr_nonnull(c);
	parse(c, text, sizeof(text) - 1, &f);
	ck_assert_uint_eq(f.nsections, 3);
	ck_assert_str_eq(f.sections[0], "Main");
	ck_assert_str_eq(ini_get(&f, "MAIN", "key"), "Value");
	ck_assert_str_eq(ini_get(&f, "main", "quoted"), "a b");
	ck_assert_str_eq(ini_get(&f, "main", "single"), "c");
	ck_assert_str_eq(ini_get(&f, "main", "half"), "\"d");
	ck_assert_str_eq(ini_get(&f, "main", "bare"), "");
	ck_assert_str_eq(ini_get(&f, "main", "more"), "1");
	ck_assert_ptr_null(ini_get(&f, "main", "Top"));
	ck_assert_ptr_null(ini_get(&f, "", "Top"));
	ck_assert_ptr_null(ini_get(&f, "main", "comment"));
	/* Non-ASCII names compare as Windows does: é and É are one key. */
	ck_assert_str_eq(ini_get(&f, "\xc3\xa9T\xc3\x89", "\xc3\x89"),
	    "lower");
	ck_assert_str_eq(ini_get(&f, "open", "k"), "v");
	ck_assert(ini_has_section(&f, "OPEN"));
	ck_assert(!ini_has_section(&f, "nowhere"));
	ck_assert_uint_eq(f.nkeys, 8);
	ini_release(&f);

	parse(c, u16le, sizeof(u16le), &f);
	ck_assert_str_eq(ini_get(&f, "s", "K"), "\xe2\x82\xac");
	ini_release(&f);
	parse(c, u16be, sizeof(u16be), &f);
	ck_assert_str_eq(ini_get(&f, "s", "K"), "\xe2\x82\xac");
	ini_release(&f);
	/* An odd trailing byte of UTF-16 is ignored: "[" alone is left. */
	parse(c, u16le, 5, &f);
	ck_assert_uint_eq(f.nsections, 1);
	ck_assert_str_eq(f.sections[0], "");
	ck_assert_uint_eq(f.nkeys, 0);
	ini_release(&f);
	parse(c, bom8, sizeof(bom8), &f);
	ck_assert_str_eq(ini_get(&f, "S", "k"), "\xe2\x82\xac");
	ini_release(&f);
	/* Windows-1252, and the text ends at a NUL. */
	parse(c, cp, sizeof(cp), &f);
	ck_assert_str_eq(f.sections[0], "S\xc3\xa9");
	ck_assert_str_eq(ini_get(&f, "s\xc3\x89", "k"), "\xe2\x82\xac\xc5\xb8");
	ck_assert(!ini_has_section(&f, "X"));
	ini_release(&f);
	parse(c, "", 0, &f);
	ck_assert_uint_eq(f.nkeys, 0);
	ini_release(&f);
	offmig_ctx_free(c);
}
END_TEST

/* Hostile INI text: random bytes never crash; many keys stay fast. */
START_TEST(test_ini_hostile)
{
	struct offmig_ctx *c = offmig_ctx_new();
	struct ini_file f;
	unsigned char buf[512];
	uint32_t seed = 12345;
	char *big, *o;
	size_t i, j, n = 200000;

	ck_assert_ptr_nonnull(c);
	for (i = 0; i < 3000; i++) {
		size_t len = (seed >> 8) % sizeof(buf);

		for (j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			/* Mostly INI syntax, some of anything. */
			buf[j] = (seed >> 16) % 4 == 0 ? (unsigned char)(seed >>
			    8) : (unsigned char)"[]=;\n\r ab\"'"[(seed >> 20) %
			    12];
		}
		if (i % 3 == 0 && len >= 2) {
			buf[0] = 0xFF;
			buf[1] = 0xFE;
		}
		parse(c, buf, len, &f);
		for (j = 0; j < f.nkeys; j++)
			ck_assert_ptr_nonnull(ini_get(&f, f.keys[j].section,
			    f.keys[j].key));
		ini_release(&f);
		seed = seed * 1103515245u + 12345u;
	}
	/* 200,000 distinct keys and as many duplicates: no quadratic time. */
	ck_assert_ptr_nonnull(big = malloc(n * 2 * 16 + 16));
	o = big + sprintf(big, "[s]\n");
	for (i = 0; i < 2 * n; i++)
		o += sprintf(o, "K%zu=%zu\n", i % n, i);
	parse(c, big, (size_t)(o - big), &f);
	ck_assert_uint_eq(f.nkeys, n);
	ck_assert_str_eq(f.keys[n - 1].value, "199999");
	ini_release(&f);
	free(big);
	offmig_ctx_free(c);
}
END_TEST

/* A node-only registry pattern lists the key; Ini patterns are evaluated. */
START_TEST(test_keys_and_ini)
{
	struct offmig_doc *doc = NULL;
	const struct offmig_node *u;
	struct seen s;

	ck_assert_int_eq(load("keys.xml",
	    "<migration urlid=\"http://t/keys\">\n"
	    "<component type=\"Application\" context=\"System\">"
	    "<displayName>Keys</displayName><role role=\"Settings\"><rules>\n"
	    "<include><objectSet>\n"
	    "<pattern type=\"Registry\">HKLM\\SOFTWARE\\Microsoft\\Windows NT"
	    "\\CurrentVersion</pattern>\n"
	    "<pattern type=\"Ini\">%WINDIR%\\none.ini|S[k]</pattern>\n"
	    "<pattern type=\"Ini\">%WINDIR%\\*.ini|S[k]</pattern>\n"
	    "</objectSet></include>\n"
	    "</rules></role></component></migration>\n"), OFFMIG_OK);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(offmig_plan_run(ctx, vol, rules, NULL, 0, collect, &s,
	    &doc), OFFMIG_OK);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.registry, 0);
	ck_assert_str_eq(s.first, "key HKLM\\SOFTWARE\\Microsoft\\Windows NT"
	    "\\CurrentVersion - Keys");
	ck_assert_str_eq(s.rule, "keys.xml:4 HKLM\\SOFTWARE\\Microsoft"
	    "\\Windows NT\\CurrentVersion");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "totals.registry_keys")), 1);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "totals.ini_keys")), 0);
	/* The missing INI file is nothing; a wildcard file name is listed. */
	u = offmig_node_get(offmig_doc_root(doc), "unsupported");
	ck_assert_uint_eq(offmig_node_len(u), 1);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_node_at(u, 0),
	    "line")), 6);
	offmig_doc_free(doc);
}
END_TEST

/* The folder objects a plan lists, gathered. */
struct folders {
	char		 list[2048];
	int		 files;
	int64_t		 mtime;
	const char	*want_mtime_of;
};

static int
collect_folders(void *arg, const struct offmig_plan_item *it)
{
	struct folders *f = arg;

	if (strcmp(it->type, "folder") != 0) {
		f->files++;
		return 0;
	}
	ck_assert_uint_eq(it->size, 0);
	ck_assert_ptr_nonnull(it->host_path);
	snprintf(f->list + strlen(f->list), sizeof(f->list) - strlen(f->list),
	    "%s|%s;", it->path, it->host_path);
	if (f->want_mtime_of != NULL && strcmp(it->host_path,
	    f->want_mtime_of) == 0)
		f->mtime = it->mtime;
	return 0;
}

static void
mkdir_p(const char *top, const char *rel)
{
	char path[2048], *p;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	for (p = path + strlen(top) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(path, 0755);
		*p = '/';
	}
	ck_assert_msg(mkdir(path, 0755) == 0 || access(path, F_OK) == 0,
	    "%s", path);
}

/*
 * Empty folders inside a tree a rule takes whole are listed as "folder"
 * objects (with their mtime); the top of the tree itself, folders that
 * hold anything, folders an exclude takes away (Skip's, and Tmp itself
 * when everything in it is excluded) and folders under a rule for some
 * extension only are not.
 */
START_TEST(test_empty_folders)
{
	struct offmig_volume *v = NULL;
	struct offmig_doc *doc = NULL;
	struct timeval tv[2];
	struct folders f;
	char top[512], src[512], cmd[2048], path[2048];

	t_tmpdir_make(top, sizeof(top), "check_plan");
	t_volume(src, sizeof(src), "win10");
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s/vol'", src, top);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/vol", top);
	mkdir_p(path, "Data/Empty");
	mkdir_p(path, "Data/a/b/Deep empty");
	mkdir_p(path, "Data/Skip/Empty too");
	mkdir_p(path, "Data/Tmp");
	mkdir_p(path, "Data/Full");
	mkdir_p(path, "Docs only/Empty");
	mkdir_p(path, "Top empty");
	snprintf(cmd, sizeof(cmd), "%s/vol/Data/Full/x.txt", top);
	t_write_file(cmd, "x", 1);
	snprintf(cmd, sizeof(cmd), "%s/vol/Data/Empty", top);
	tv[0].tv_sec = tv[1].tv_sec = 1500000000;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	ck_assert_int_eq(utimes(cmd, tv), 0);
	ck_assert_int_eq(offmig_volume_open(ctx, path, NULL, &v), OFFMIG_OK);
	ck_assert_int_eq(load("dirs.xml",
	    "<migration urlid=\"http://t/dirs\">\n"
	    "<component type=\"Documents\" context=\"System\">"
	    "<displayName>Dirs</displayName><role role=\"Data\"><rules>\n"
	    "<include><objectSet>\n"
	    "<pattern type=\"File\">C:\\Data\\* [*]</pattern>\n"
	    "<pattern type=\"File\">C:\\Docs only\\* [*.doc]</pattern>\n"
	    "<pattern type=\"File\">C:\\Top empty\\* [*]</pattern>\n"
	    "</objectSet></include>\n"
	    "<exclude><objectSet>\n"
	    "<pattern type=\"File\">C:\\Data\\Skip\\* [*]</pattern>\n"
	    "<pattern type=\"File\">C:\\Data\\Tmp\\* [*]</pattern>\n"
	    "</objectSet></exclude>\n"
	    "</rules></role></component></migration>\n"), OFFMIG_OK);
	memset(&f, 0, sizeof(f));
	f.want_mtime_of = "Data/Empty";
	ck_assert_int_eq(offmig_plan_run(ctx, v, rules, NULL, 0,
	    collect_folders, &f, &doc), OFFMIG_OK);
	/* Files first in a folder, then its subfolders in byte order. */
	ck_assert_str_eq(f.list,
	    "C:\\Data\\Empty|Data/Empty;"
	    "C:\\Data\\a\\b\\Deep empty|Data/a/b/Deep empty;");
	ck_assert_int_eq(f.files, 1);
	ck_assert_int_eq(f.mtime, 1500000000);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "totals.folders")), 2);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(offmig_doc_root(doc),
	    "totals.files")), 1);
	offmig_doc_free(doc);
	/* A file in it: the folder is no longer empty, and not listed. */
	snprintf(cmd, sizeof(cmd), "%s/vol/Data/Empty/now.txt", top);
	t_write_file(cmd, "y", 1);
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(offmig_plan_run(ctx, v, rules, NULL, 0,
	    collect_folders, &f, &doc), OFFMIG_OK);
	ck_assert_str_eq(f.list, "C:\\Data\\a\\b\\Deep empty|Data/a/b/Deep "
	    "empty;");
	ck_assert_int_eq(f.files, 2);
	offmig_doc_free(doc);
	offmig_volume_close(v);
	t_tmpdir_remove(top);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("api");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stream_and_stop);
	tcase_add_test(tc, test_root_walk_twice);
	tcase_add_test(tc, test_user_filter_and_registry);
	tcase_add_test(tc, test_diagnostics_and_errors);
	tcase_add_test(tc, test_explain_and_genconfig);
	tcase_add_test(tc, test_reference_loops);
	tcase_add_test(tc, test_keys_and_ini);
	tcase_add_test(tc, test_empty_folders);
	suite_add_tcase(s, tc);
	tc = tcase_create("ini");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ini_parse);
	tcase_add_test(tc, test_ini_hostile);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
