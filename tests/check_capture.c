/*
 * check_capture.c - offmig_store_capture(): the plan pushed into a store on
 * copies of the fixture volumes plan10 and win10: every file linked (the
 * same inode), the users' registry exports read back against their hives,
 * one U record per user with its status and problems, the rules recorded
 * in STORE/rules/, a file that cannot be linked reported (status partial,
 * counted as a failure), resumption after faults and kills at every step,
 * a 100,000-value HKCU captured with flat memory.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "offmig.h"
#include "hive/hive.h"
#include "migrate/store.h"
#include "testutil.h"

#define SID(n)	"S-1-5-21-1111111111-2222222222-3333333333-" n

static struct offmig_ctx *ctx;
static char top[512], vol[600], storep[640], rules[600];

static void
setup(void)
{
	char src[512], cmd[2048];

	ctx = offmig_ctx_new();
	ck_assert_ptr_nonnull(ctx);
	t_tmpdir_make(top, sizeof(top), "check_capture");
	snprintf(vol, sizeof(vol), "%s/vol", top);
	snprintf(storep, sizeof(storep), "%s/vol/MigStore", top);
	snprintf(rules, sizeof(rules), "%s/fixtures/usmt", t_env(
	    "OFFMIG_SRCDIR"));
	t_volume(src, sizeof(src), "plan10");
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", src, vol);
	ck_assert_int_eq(system(cmd), 0);
	unsetenv("OFFMIG_FAULT");
	unsetenv("OFFMIG_FAULT_KILL");
	store_fault_reset();
}

static void
teardown(void)
{
	offmig_ctx_free(ctx);
	t_tmpdir_remove(top);
	unsetenv("OFFMIG_FAULT");
}

/* Uses the fixture volume name instead of plan10. */
static void
use_volume(const char *name)
{
	char src[512], cmd[2048];

	t_tmpdir_remove(vol);
	t_volume(src, sizeof(src), name);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", src, vol);
	ck_assert_int_eq(system(cmd), 0);
}

/* Captures vol into storep with the usmt rules named (NULL: tailored). */
static int
capture(const char *const *names, unsigned flags, offmig_progress_fn *pfn,
    void *arg, struct offmig_doc **docp)
{
	struct offmig_volume *v = NULL;
	char paths[8][700];
	const char *inputs[9];
	size_t i;
	int ret;

	for (i = 0; names != NULL && names[i] != NULL && i < 8; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s", rules, names[i]);
		inputs[i] = paths[i];
	}
	inputs[i] = NULL;
	ret = offmig_volume_open(ctx, vol, NULL, &v);
	ck_assert_msg(ret == OFFMIG_OK, "%s", offmig_errmsg(ctx));
	ret = offmig_store_capture(ctx, v, names != NULL ? inputs : NULL, NULL,
	    NULL, storep, flags, pfn, arg, docp);
	offmig_volume_close(v);
	return ret;
}

static const char *const plan_rules[] = { "userdata.xml", "apps.xml",
    "regkeys.xml", NULL };

/* Manifest records, gathered. */
struct seen {
	uint64_t	 files, regs, users, bad_inode;
	char		 status[8][16];
	char		 sids[8][64];
	char		 problems[8][512];
};

static int
seen_cb(void *arg, const struct offmig_store_record *r)
{
	struct seen *s = arg;
	struct stat st;
	char path[2048];

	if (r->kind == 'U') {
		if (s->users < 8) {
			snprintf(s->status[s->users], sizeof(s->status[0]), "%s",
			    r->folder);
			snprintf(s->sids[s->users], sizeof(s->sids[0]), "%s",
			    r->sid);
			snprintf(s->problems[s->users], sizeof(s->problems[0]),
			    "%s", r->component);
		}
		s->users++;
	} else if (r->kind == 'r') {
		s->regs++;
	} else if (r->kind == 'f') {
		s->files++;
		/* The same file as the volume's, and the store's name for it. */
		snprintf(path, sizeof(path), "%s/%s", vol, r->host_path);
		ck_assert_msg(lstat(path, &st) == 0, "%s", path);
		if ((uint64_t)st.st_ino != r->ino || st.st_nlink < 2)
			s->bad_inode++;
		snprintf(path, sizeof(path), "%s/%s", storep, r->store_path);
		ck_assert_msg(lstat(path, &st) == 0, "%s", path);
		if ((uint64_t)st.st_ino != r->ino)
			s->bad_inode++;
	}
	return 0;
}

static void
list(struct seen *s, int *completep)
{
	memset(s, 0, sizeof(*s));
	ck_assert_int_eq(offmig_store_list(ctx, storep, seen_cb, s, completep),
	    OFFMIG_OK);
}

static const struct offmig_node *
node(const struct offmig_doc *doc, const char *path)
{
	const struct offmig_node *n = offmig_node_get(offmig_doc_root(doc),
	    path);

	ck_assert_msg(n != NULL, "no %s in the report", path);
	return n;
}

/*
 * Every value line of a registry export, read back against the hive: the
 * key exists and the value's .reg form is the line's.  Returns the values.
 */
static unsigned
check_reg_export(const char *regfile, const char *hive)
{
	size_t len;
	char *text = (char *)t_read_file(regfile, &len), *line, *next;
	char key[1024] = "";
	unsigned values = 0, sections = 0;

	ck_assert_msg(strncmp(text, "Windows Registry Editor Version 5.00\n",
	    37) == 0, "%s: no header", regfile);
	for (line = text; *line != '\0'; line = next) {
		struct offmig_doc *doc = NULL;
		char name[512], *eq, *p, *o;
		const char *reg;
		int ret;

		next = strchr(line, '\n');
		ck_assert_ptr_nonnull(next);
		*next++ = '\0';
		if (*line == '\0' || line == text)
			continue;
		if (*line == '[') {
			ck_assert_msg(strncmp(line, "[HKEY_CURRENT_USER", 18) ==
			    0, "%s: '%s'", regfile, line);
			snprintf(key, sizeof(key), "%.*s", (int)strlen(line) -
			    19 - (line[18] == '\\'), line + 18 +
			    (line[18] == '\\'));
			sections++;
			continue;
		}
		ck_assert_msg(sections > 0, "%s: a value before any key",
		    regfile);
		/* "name"=rhs or @=rhs */
		if (*line == '@') {
			name[0] = '\0';
			eq = line + 1;
		} else {
			ck_assert_int_eq(*line, '"');
			for (p = line + 1, o = name; *p != '"'; p++) {
				ck_assert_int_ne(*p, '\0');
				if (*p == '\\')
					p++;
				*o++ = *p;
			}
			*o = '\0';
			eq = p + 1;
		}
		ck_assert_int_eq(*eq, '=');
		ret = offmig_hive_get(ctx, hive, key, name, 0, &doc);
		ck_assert_msg(ret == OFFMIG_OK, "%s [%s]: %s", key, name,
		    offmig_errmsg(ctx));
		reg = offmig_node_get_str(offmig_doc_root(doc), "value.reg");
		ck_assert_ptr_nonnull(reg);
		ck_assert_msg(strcmp(reg, eq + 1) == 0, "%s [%s]: export '%s', "
		    "hive '%s'", key, name, eq + 1, reg);
		offmig_doc_free(doc);
		values++;
	}
	free(text);
	return values;
}

START_TEST(test_capture_links_every_file)
{
	struct offmig_doc *doc = NULL, *pdoc = NULL;
	struct offmig_volume *v = NULL;
	struct offmig_rules *r = NULL;
	struct seen s;
	char path[1024];
	int complete = 0;
	size_t i;
	int64_t planned;

	/* As many files as the plan selects, each once. */
	ck_assert_int_eq(offmig_volume_open(ctx, vol, NULL, &v), OFFMIG_OK);
	ck_assert_int_eq(offmig_rules_new(ctx, &r), OFFMIG_OK);
	for (i = 0; plan_rules[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", rules, plan_rules[i]);
		ck_assert_int_eq(offmig_rules_load(ctx, r, path), OFFMIG_OK);
	}
	ck_assert_int_eq(offmig_plan_run(ctx, v, r, NULL, 0, NULL, NULL, &pdoc),
	    OFFMIG_OK);
	ck_assert_msg(capture(plan_rules, 0, NULL, NULL, &doc) == OFFMIG_OK,
	    "%s", offmig_errmsg(ctx));
	list(&s, &complete);
	ck_assert_int_eq(complete, 1);
	ck_assert_uint_eq(s.bad_inode, 0);
	planned = offmig_node_int(node(pdoc, "totals.files"));
	ck_assert_int_gt(planned, 10);
	ck_assert_int_eq((int64_t)s.files, planned);
	ck_assert_int_eq(offmig_node_int(node(doc, "store_create.objects")),
	    planned + (int64_t)s.regs);
	ck_assert_int_eq(offmig_node_int(node(doc, "store_create.failed")), 0);
	/* Three users, all complete; two with registry exports. */
	ck_assert_uint_eq(s.users, 3);
	for (i = 0; i < 3; i++)
		ck_assert_str_eq(s.status[i], "ok");
	ck_assert_uint_eq(s.regs, 2);
	ck_assert_int_eq(offmig_node_len(node(doc, "store_create.users")), 3);
	ck_assert_str_eq(offmig_node_get_str(offmig_node_at(node(doc,
	    "store_create.users"), 0), "status"), "ok");
	ck_assert_int_eq(offmig_node_int(node(doc, "store_create.registry."
	    "values")), 4);
	ck_assert_int_eq(offmig_node_int(node(doc, "store_create.not_captured."
	    "machine_registry_keys")), 1);
	ck_assert_uint_eq(offmig_ctx_failures(ctx), 0);
	/* The rules are recorded, byte for byte. */
	ck_assert_int_eq(offmig_node_len(node(doc, "store_create.rules")), 3);
	for (i = 0; plan_rules[i] != NULL; i++) {
		size_t l1, l2;
		unsigned char *a, *b;

		snprintf(path, sizeof(path), "%s/%s", rules, plan_rules[i]);
		a = t_read_file(path, &l1);
		snprintf(path, sizeof(path), "%s/rules/%s", storep,
		    plan_rules[i]);
		b = t_read_file(path, &l2);
		ck_assert(l1 == l2 && memcmp(a, b, l1) == 0);
		free(a);
		free(b);
	}
	snprintf(path, sizeof(path), "%s/rules/index", storep);
	{
		size_t l;
		char *idx = (char *)t_read_file(path, &l);

		ck_assert_str_eq(idx, "input\tuserdata.xml\ninput\tapps.xml\n"
		    "input\tregkeys.xml\n");
		free(idx);
	}
	/* The registry exports read back to the hives' values. */
	snprintf(path, sizeof(path), "%s/registry/%s.reg", storep, SID("1001"));
	{
		char hive[1024];

		snprintf(hive, sizeof(hive), "%s/Users/alice/NTUSER.DAT", vol);
		ck_assert_uint_eq(check_reg_export(path, hive), 3);
		snprintf(path, sizeof(path), "%s/registry/%s.reg", storep,
		    SID("1002"));
		snprintf(hive, sizeof(hive), "%s/Users/bob/NTUSER.DAT", vol);
		ck_assert_uint_eq(check_reg_export(path, hive), 1);
	}
	/* verify agrees. */
	{
		struct offmig_doc *vd = NULL;

		ck_assert_int_eq(offmig_store_verify(ctx, storep,
		    OFFMIG_STORE_VERIFY_HASH, &vd), OFFMIG_OK);
		ck_assert_int_eq(offmig_node_int(node(vd, "verify.ok")), 1);
		offmig_doc_free(vd);
	}
	offmig_doc_free(pdoc);
	offmig_doc_free(doc);
	offmig_rules_free(r);
	offmig_volume_close(v);
}
END_TEST

START_TEST(test_no_registry)
{
	struct offmig_doc *doc = NULL;
	struct seen s;
	int complete;

	ck_assert_int_eq(capture(plan_rules, OFFMIG_STORE_NO_REGISTRY, NULL,
	    NULL, &doc), OFFMIG_OK);
	list(&s, &complete);
	ck_assert_uint_eq(s.regs, 0);
	ck_assert_uint_eq(s.users, 3);
	ck_assert_int_eq(offmig_node_int(node(doc, "store_create.registry."
	    "values")), 0);
	offmig_doc_free(doc);
}
END_TEST

/* win10: a temporary profile with its .bak, a missing folder, a missing hive. */
START_TEST(test_problem_profiles_reported)
{
	struct offmig_doc *doc = NULL;
	const struct offmig_node *users;
	struct seen s;
	int complete;
	size_t i;

	use_volume("win10");
	ck_assert_msg(capture(NULL, 0, NULL, NULL, &doc) == OFFMIG_OK, "%s",
	    offmig_errmsg(ctx));
	ck_assert_uint_ge(offmig_ctx_failures(ctx), 3);
	list(&s, &complete);
	ck_assert_int_eq(complete, 1);
	ck_assert_uint_eq(s.users, 5);
	for (i = 0; i < s.users; i++) {
		if (strcmp(s.sids[i], SID("1001")) == 0 ||
		    strcmp(s.sids[i], SID("1003")) == 0) {
			ck_assert_str_eq(s.status[i], "ok");
		} else if (strcmp(s.sids[i], SID("1002")) == 0) {
			ck_assert_str_eq(s.status[i], "partial");
			ck_assert_ptr_nonnull(strstr(s.problems[i], "temporary"));
			ck_assert_ptr_nonnull(strstr(s.problems[i], ".bak"));
		} else if (strcmp(s.sids[i], SID("1004")) == 0) {
			ck_assert_str_eq(s.status[i], "failed");
			ck_assert_ptr_nonnull(strstr(s.problems[i], "missing"));
		} else {
			ck_assert_str_eq(s.sids[i], SID("1005"));
			ck_assert_str_eq(s.status[i], "partial");
			ck_assert_ptr_nonnull(strstr(s.problems[i], "NTUSER"));
		}
	}
	users = node(doc, "store_create.users");
	ck_assert_int_eq(offmig_node_len(users), 5);
	for (i = 0; i < offmig_node_len(users); i++) {
		const struct offmig_node *u = offmig_node_at(users, i);

		if (strcmp(offmig_node_get_str(u, "status"), "ok") == 0)
			ck_assert_int_eq(offmig_node_len(offmig_node_get(u,
			    "problems")), 0);
		else
			ck_assert_int_gt(offmig_node_len(offmig_node_get(u,
			    "problems")), 0);
	}
	/* The tailored XML is the store's rules. */
	ck_assert_int_eq(offmig_node_len(node(doc, "store_create.rules")), 3);
	{
		char path[1024];
		struct stat st;

		snprintf(path, sizeof(path), "%s/rules/offmig-user.xml", storep);
		ck_assert_int_eq(stat(path, &st), 0);
		snprintf(path, sizeof(path), "%s/rules/config.xml", storep);
		ck_assert_int_eq(stat(path, &st), 0);
	}
	offmig_doc_free(doc);
}
END_TEST

/* A file that cannot be linked (immutable): reported, counted, user partial. */
START_TEST(test_unlinkable_file_reported)
{
	struct offmig_doc *doc = NULL;
	char path[1024], cmd[1200];
	struct seen s;
	int complete;
	size_t i;
	int found = 0;

	snprintf(path, sizeof(path), "%s/Users/alice/Documents", vol);
	{
		char f[1100];

		snprintf(f, sizeof(f), "%s/locked.txt", path);
		t_write_file(f, "locked\n", 7);
		snprintf(cmd, sizeof(cmd), "chattr +i '%s' 2>/dev/null", f);
		if (system(cmd) != 0)
			T_SKIP("chattr +i is not available here (not root, or "
			    "the filesystem has no immutable flag)");
		ck_assert_int_eq(capture(plan_rules, 0, NULL, NULL, &doc),
		    OFFMIG_OK);
		snprintf(cmd, sizeof(cmd), "chattr -i '%s'", f);
		ck_assert_int_eq(system(cmd), 0);
	}
	ck_assert_uint_ge(offmig_ctx_failures(ctx), 2);	/* the file, the user */
	ck_assert_int_eq(offmig_node_int(node(doc, "store_create.failed")), 1);
	list(&s, &complete);
	ck_assert_int_eq(complete, 1);
	for (i = 0; i < s.users; i++)
		if (strcmp(s.sids[i], SID("1001")) == 0) {
			found = 1;
			ck_assert_str_eq(s.status[i], "partial");
			ck_assert_ptr_nonnull(strstr(s.problems[i],
			    "1 file could not be captured"));
		} else
			ck_assert_str_eq(s.status[i], "ok");
	ck_assert(found);
	offmig_doc_free(doc);
}
END_TEST

/* Progress: totals known, objects and bytes reach them. */
struct pstate {
	unsigned	 calls;
	uint64_t	 objects, bytes, ototal, btotal;
	int		 done;
};

static void
on_progress(void *arg, const struct offmig_progress *p)
{
	struct pstate *ps = arg;

	ps->calls++;
	ck_assert_uint_ge(p->objects, ps->objects);
	ps->objects = p->objects;
	ps->bytes = p->bytes;
	ps->ototal = p->objects_total;
	ps->btotal = p->bytes_total;
	if (strcmp(p->what, "done") == 0)
		ps->done = 1;
}

START_TEST(test_progress)
{
	struct offmig_doc *doc = NULL;
	struct pstate ps;

	memset(&ps, 0, sizeof(ps));
	ck_assert_int_eq(capture(plan_rules, 0, on_progress, &ps, &doc),
	    OFFMIG_OK);
	ck_assert(ps.done);
	ck_assert_uint_gt(ps.ototal, 10);
	ck_assert_uint_gt(ps.btotal, 0);
	ck_assert_uint_eq(ps.bytes, ps.btotal);
	/* Files and the two registry exports. */
	ck_assert_uint_eq(ps.objects, ps.ototal + 2);
	ck_assert_int_eq(offmig_node_int(node(doc, "store_create.objects")),
	    (int64_t)ps.objects);
	offmig_doc_free(doc);
}
END_TEST

/* Refusals. */
START_TEST(test_refusals)
{
	struct offmig_doc *doc = NULL;
	char other[700];
	int ret;

	/* Inside a profile being captured: nothing is made. */
	snprintf(storep, sizeof(storep), "%s/Users/bob/Documents/St", vol);
	ret = capture(plan_rules, 0, NULL, NULL, &doc);
	ck_assert_int_eq(ret, OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "inside the profile"));
	ck_assert_int_ne(access(storep, F_OK), 0);
	/* Other rules than those an interrupted store was begun with. */
	snprintf(storep, sizeof(storep), "%s/vol/MigStore", top);
	setenv("OFFMIG_FAULT", "link:3", 1);
	ck_assert_int_eq(capture(plan_rules, 0, NULL, NULL, &doc), OFFMIG_EIO);
	unsetenv("OFFMIG_FAULT");
	{
		static const char *const fewer[] = { "userdata.xml", NULL };

		ret = capture(fewer, 0, NULL, NULL, &doc);
		ck_assert_int_eq(ret, OFFMIG_EINVAL);
		ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "other rules"));
	}
	ck_assert_int_eq(capture(plan_rules, 0, NULL, NULL, &doc), OFFMIG_OK);
	offmig_doc_free(doc);
	doc = NULL;
	/* Rules with errors: no store. */
	snprintf(other, sizeof(other), "%s/bad.xml", top);
	t_write_file(other, "<migration urlid=\"x\"><component>", 32);
	snprintf(storep, sizeof(storep), "%s/vol/Other", top);
	{
		struct offmig_volume *v = NULL;
		const char *in[] = { other, NULL };

		ck_assert_int_eq(offmig_volume_open(ctx, vol, NULL, &v),
		    OFFMIG_OK);
		ret = offmig_store_capture(ctx, v, in, NULL, NULL, storep, 0,
		    NULL, NULL, &doc);
		offmig_volume_close(v);
	}
	ck_assert_int_eq(ret, OFFMIG_EXML);
	ck_assert_int_ne(access(storep, F_OK), 0);
}
END_TEST

/* Resumption. */

static uint64_t clean_objects;

static void
check_finished(void)
{
	struct offmig_doc *vd = NULL;
	struct seen s;
	int complete = 0;

	list(&s, &complete);
	ck_assert_int_eq(complete, 1);
	ck_assert_uint_eq(s.bad_inode, 0);
	ck_assert_uint_eq(s.users, 3);
	ck_assert_uint_eq(s.regs, 2);
	ck_assert_uint_eq(s.files + s.regs, clean_objects);
	ck_assert_int_eq(offmig_store_verify(ctx, storep, 0, &vd), OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(node(vd, "verify.ok")), 1);
	offmig_doc_free(vd);
}

static void
fault_then_finish(const char *step, int n, int kill, int *triggered)
{
	struct offmig_doc *doc = NULL;
	char spec[64], cmd[1300];
	int ret;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", storep);
	ck_assert_int_eq(system(cmd), 0);
	store_fault_reset();
	snprintf(spec, sizeof(spec), "%s:%d", step, n);
	setenv("OFFMIG_FAULT", spec, 1);
	if (kill) {
		pid_t pid = fork();
		int status;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			setenv("OFFMIG_FAULT_KILL", "1", 1);
			ret = capture(plan_rules, 0, NULL, NULL, &doc);
			offmig_doc_free(doc);
			_exit(ret == OFFMIG_OK ? 0 : 1);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ck_assert_msg(WEXITSTATUS(status) == 99 ||
		    WEXITSTATUS(status) == 0, "%s: child exit %d", spec,
		    WEXITSTATUS(status));
		*triggered += WEXITSTATUS(status) == 99;
	} else {
		ret = capture(plan_rules, 0, NULL, NULL, &doc);
		offmig_doc_free(doc);
		doc = NULL;
		if (ret != OFFMIG_OK) {
			(*triggered)++;
			ck_assert_int_eq(ret, OFFMIG_EIO);
		}
	}
	unsetenv("OFFMIG_FAULT");
	unsetenv("OFFMIG_FAULT_KILL");
	ret = capture(plan_rules, 0, NULL, NULL, &doc);
	ck_assert_msg(ret == OFFMIG_OK, "%s%s: rerun: %s", spec, kill ?
	    " (killed)" : "", offmig_errmsg(ctx));
	offmig_doc_free(doc);
	check_finished();
}

static void
resume_steps(int kill)
{
	static const char *const steps[] = { "link", "fsync", "rename",
	    "mkdir" };
	static const int counts[] = { 1, 2, 4, 9, 20 };
	struct offmig_doc *doc = NULL;
	size_t i, j;

	ck_assert_int_eq(capture(plan_rules, 0, NULL, NULL, &doc), OFFMIG_OK);
	clean_objects = (uint64_t)offmig_node_int(node(doc,
	    "store_create.objects"));
	offmig_doc_free(doc);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int triggered = 0;

		for (j = 0; j < sizeof(counts) / sizeof(counts[0]); j++)
			fault_then_finish(steps[i], counts[j], kill, &triggered);
		ck_assert_msg(triggered >= 2, "%s: only %d %s happened",
		    steps[i], triggered, kill ? "kills" : "faults");
	}
}

START_TEST(test_resume_after_faults)
{
	resume_steps(0);
}
END_TEST

START_TEST(test_resume_after_kills)
{
	resume_steps(1);
}
END_TEST

/* The 'd' records of a store, gathered. */
struct dirs {
	char		 list[2048];
	int64_t		 mtime_ns;
	uint32_t	 mode;
	uint64_t	 files;
};

static int
dirs_cb(void *arg, const struct offmig_store_record *r)
{
	struct dirs *d = arg;
	struct stat st;
	char path[2048];

	if (r->kind == 'f')
		d->files++;
	if (r->kind != 'd')
		return 0;
	snprintf(d->list + strlen(d->list), sizeof(d->list) - strlen(d->list),
	    "%s|%s|%s|%s;", r->winpath, r->host_path, r->store_path,
	    r->folder != NULL ? r->folder : "");
	ck_assert_uint_eq(r->size, 0);
	snprintf(path, sizeof(path), "%s/%s", storep, r->store_path);
	ck_assert_msg(lstat(path, &st) == 0 && S_ISDIR(st.st_mode), "%s",
	    path);
	if (strcmp(r->host_path, "Users/alice/Documents/Empty") == 0) {
		d->mtime_ns = r->mtime_ns;
		d->mode = r->mode;
	}
	return 0;
}

/*
 * An empty folder inside a tree the rules take whole is captured as a 'd'
 * record with its mtime and mode; one outside the rules is not, nor is an
 * empty known folder itself.
 */
START_TEST(test_empty_folders_captured)
{
	struct offmig_doc *doc = NULL, *vd = NULL;
	struct timespec ts[2];
	struct dirs d;
	char path[1024], first[2048];
	int complete = 0;
	static const char *const mk[] = { "Users/alice/Documents/Empty",
	    "Users/alice/Documents/Letters/Sub", "Users/alice/Documents/"
	    "Letters/Sub/Deeper", "Users/alice/AppData/Roaming/EmptyApp",
	    NULL };
	size_t i;

	for (i = 0; mk[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", vol, mk[i]);
		ck_assert_msg(mkdir(path, 0750) == 0, "%s", path);
	}
	snprintf(path, sizeof(path), "%s/Users/alice/Documents/Empty", vol);
	ts[0].tv_sec = ts[1].tv_sec = 1600000000;
	ts[0].tv_nsec = ts[1].tv_nsec = 123456789;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	ck_assert_msg(capture(plan_rules, 0, NULL, NULL, &doc) == OFFMIG_OK,
	    "%s", offmig_errmsg(ctx));
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(offmig_store_list(ctx, storep, dirs_cb, &d,
	    &complete), OFFMIG_OK);
	ck_assert_int_eq(complete, 1);
	/* Sub holds Deeper: only Deeper is empty. */
	ck_assert_str_eq(d.list,
	    "C:\\Users\\alice\\Documents\\Empty|Users/alice/Documents/Empty|"
	    "files/C/Users/alice/Documents/Empty|Documents;"
	    "C:\\Users\\alice\\Documents\\Letters\\Sub\\Deeper|"
	    "Users/alice/Documents/Letters/Sub/Deeper|files/C/Users/alice/"
	    "Documents/Letters/Sub/Deeper|Documents;");
	ck_assert_int_eq(d.mtime_ns, 1600000000123456789LL);
	ck_assert_uint_eq(d.mode, 040750);
	snprintf(first, sizeof(first), "%s", d.list);
	ck_assert_uint_eq(offmig_ctx_failures(ctx), 0);
	ck_assert_int_eq(offmig_node_int(node(doc, "store_create.failed")), 0);
	/* verify takes them as they are. */
	ck_assert_int_eq(offmig_store_verify(ctx, storep, 0, &vd), OFFMIG_OK);
	ck_assert_int_eq(offmig_node_int(node(vd, "verify.ok")), 1);
	offmig_doc_free(vd);
	offmig_doc_free(doc);
	/* A rerun on the sealed store changes nothing. */
	ck_assert_int_eq(capture(plan_rules, 0, NULL, NULL, &doc), OFFMIG_OK);
	offmig_doc_free(doc);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(offmig_store_list(ctx, storep, dirs_cb, &d,
	    &complete), OFFMIG_OK);
	ck_assert_str_eq(d.list, first);
}
END_TEST

/* A 100,000-value HKCU: exported whole, memory flat. */
START_TEST(test_big_hkcu_memory_flat)
{
	struct hive_builder *b = NULL;
	struct hive_value *vals;
	struct offmig_doc *doc = NULL;
	struct rusage ru;
	char hive[1024], xml[1024], path[1024], (*names)[16];
	static const char rule[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<migration urlid=\"http://example/big\">\n"
	    " <component type=\"Application\" context=\"User\">\n"
	    "  <displayName>Big</displayName>\n"
	    "  <role role=\"Settings\"><rules><include><objectSet>\n"
	    "   <pattern type=\"Registry\">HKCU\\Software\\Big\\* [*]</pattern>\n"
	    "  </objectSet></include></rules></role>\n"
	    " </component>\n"
	    "</migration>\n";
	uint32_t data;
	int k, i;
	long before;
	FILE *fp;
	unsigned lines = 0;
	char line[256];

	snprintf(hive, sizeof(hive), "%s/Users/carol/NTUSER.DAT", vol);
	/* Built in a child, so that its memory is not this process's peak. */
	{
		pid_t pid = fork();
		int status;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			struct offmig_ctx *c2 = offmig_ctx_new();
			int ok = 1;

			ok = ok && hive_create_empty(c2, hive, "ROOT") ==
			    OFFMIG_OK && hive_builder_open(c2, hive, &b) ==
			    OFFMIG_OK;
			vals = calloc(1000, sizeof(*vals));
			names = calloc(1000, sizeof(*names));
			ok = ok && vals != NULL && names != NULL;
			data = 42;
			for (k = 0; ok && k < 100; k++) {
				hnode key;

				snprintf(path, sizeof(path),
				    "Software\\Big\\K%03d", k);
				ok = hive_builder_key(b, path, &key) ==
				    OFFMIG_OK;
				for (i = 0; ok && i < 1000; i++) {
					snprintf(names[i], sizeof(names[i]),
					    "v%04d", i);
					vals[i].name = names[i];
					vals[i].type = REG_DWORD;
					vals[i].data = &data;
					vals[i].len = 4;
				}
				ok = ok && hive_builder_set(b, key, vals, 1000)
				    == OFFMIG_OK;
			}
			ok = ok && hive_builder_commit(b) == OFFMIG_OK;
			_exit(ok ? 0 : 1);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	snprintf(xml, sizeof(xml), "%s/big.xml", top);
	t_write_file(xml, rule, strlen(rule));
	getrusage(RUSAGE_SELF, &ru);
	before = ru.ru_maxrss;
	{
		struct offmig_volume *v = NULL;
		const char *in[] = { xml, NULL };

		ck_assert_int_eq(offmig_volume_open(ctx, vol, NULL, &v),
		    OFFMIG_OK);
		ck_assert_msg(offmig_store_capture(ctx, v, in, NULL, NULL,
		    storep, 0, NULL, NULL, &doc) == OFFMIG_OK, "%s",
		    offmig_errmsg(ctx));
		offmig_volume_close(v);
	}
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "memory: peak RSS %ld KiB before, %ld KiB after "
	    "capturing 100,000 registry values\n", before, ru.ru_maxrss);
	ck_assert_int_lt(ru.ru_maxrss, 64 * 1024);
	ck_assert_int_eq(offmig_node_int(node(doc, "store_create.registry."
	    "values")), 100000);
	snprintf(path, sizeof(path), "%s/registry/%s.reg", storep, SID("1003"));
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL)
		lines += line[0] == '"';
	fclose(fp);
	ck_assert_uint_eq(lines, 100000);
	offmig_doc_free(doc);
}
END_TEST

static Suite *
capture_suite(void)
{
	Suite *s = suite_create("capture");
	TCase *tc;

	tc = tcase_create("capture");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_capture_links_every_file);
	tcase_add_test(tc, test_no_registry);
	tcase_add_test(tc, test_problem_profiles_reported);
	tcase_add_test(tc, test_unlinkable_file_reported);
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_empty_folders_captured);
	suite_add_tcase(s, tc);

	tc = tcase_create("resume");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_resume_after_faults);
	tcase_add_test(tc, test_resume_after_kills);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_big_hkcu_memory_flat);
	suite_add_tcase(s, tc);
	return s;
}

int
main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	(void)argc;
	t_small_quarantine(argv, "OFFMIG_CHECK_CAPTURE_EXEC");
	sr = srunner_create(capture_suite());

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
