/*
 * check_common.c - unit tests of src/common: errors, UTF, times, wildcards,
 * documents and their writers, safe path resolution.  Every failing call is
 * checked for its code, its out-parameters and a message naming the culprit.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "common/doc.h"
#include "common/par.h"
#include "common/vpath.h"

static struct offmig_ctx *ctx;

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
}

static void
teardown(void)
{
	offmig_ctx_free(ctx);
	ctx = NULL;
}

typedef int writer_fn(FILE *, const struct offmig_node *, const void *);

/* Captures what a writer prints; the writer must succeed. */
static char *
capture(writer_fn *fn, const struct offmig_node *n, const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fn(fp, n, arg), OFFMIG_OK);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

/* A writer on a stream that cannot be written must say so. */
static void
expect_eio(writer_fn *fn, const struct offmig_node *n, const void *arg)
{
	FILE *fp = fopen("/dev/null", "r");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fn(fp, n, arg), OFFMIG_EIO);
	fclose(fp);
}

static int
json_fn(FILE *fp, const struct offmig_node *n, const void *arg)
{
	(void)arg;
	return offmig_write_json(fp, n);
}

/*
 * errors
 */

START_TEST(test_error_message_names_culprit_and_errno)
{
	int r = ctx_set_error(ctx, OFFMIG_EIO, ENOENT, "%s", "/mnt/x");

	ck_assert_int_eq(r, OFFMIG_EIO);
	ck_assert_str_eq(offmig_errmsg(ctx),
	    "/mnt/x: No such file or directory");
	ck_assert_int_eq(offmig_errno(ctx), ENOENT);
	ctx_prefix_error(ctx, "profile %s", "bob");
	ck_assert_str_eq(offmig_errmsg(ctx),
	    "profile bob: /mnt/x: No such file or directory");
	/* Without errno nothing is appended, and errno is cleared. */
	ck_assert_int_eq(ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
	    "%s: bad checksum", "SAM"), OFFMIG_ECORRUPT);
	ck_assert_str_eq(offmig_errmsg(ctx), "SAM: bad checksum");
	ck_assert_int_eq(offmig_errno(ctx), 0);
}
END_TEST

START_TEST(test_error_message_may_quote_itself)
{
	ctx_set_error(ctx, OFFMIG_ENOTFOUND, 0, "no value '%s'", "Path");
	ctx_set_error(ctx, OFFMIG_ENOTFOUND, 0, "%s: %s", "SOFTWARE",
	    offmig_errmsg(ctx));
	ck_assert_str_eq(offmig_errmsg(ctx), "SOFTWARE: no value 'Path'");
	ctx_prefix_error(ctx, "%s", offmig_errmsg(ctx));
	ck_assert_str_eq(offmig_errmsg(ctx),
	    "SOFTWARE: no value 'Path': SOFTWARE: no value 'Path'");
}
END_TEST

START_TEST(test_error_long_message_is_cut_safely)
{
	char name[4001];
	const char *msg, *tail = ": No such file or directory";
	size_t i, len;

	/* 2000 times U+00E9: every cut risks splitting a character. */
	for (i = 0; i + 1 < sizeof(name); i += 2)
		memcpy(name + i, "\xC3\xA9", 2);
	name[sizeof(name) - 1] = '\0';
	ctx_set_error(ctx, OFFMIG_EIO, ENOENT, "%s", name);
	msg = offmig_errmsg(ctx);
	len = strlen(msg);
	ck_assert_uint_lt(len, OFFMIG_ERRMSG_MAX);
	ck_assert(utf8_valid(msg, len));
	ck_assert_msg(len > strlen(tail) &&
	    strcmp(msg + len - strlen(tail), tail) == 0,
	    "the reason was cut off: '...%s'", msg + len - 30);
	ctx_set_error(ctx, OFFMIG_EIO, 0, "%s", name);
	msg = offmig_errmsg(ctx);
	ck_assert(utf8_valid(msg, strlen(msg)));
	ck_assert_uint_ge(strlen(msg), OFFMIG_ERRMSG_MAX - 3);
	ctx_prefix_error(ctx, "x");
	msg = offmig_errmsg(ctx);
	ck_assert(strncmp(msg, "x: ", 3) == 0);
	ck_assert(utf8_valid(msg, strlen(msg)));
}
END_TEST

START_TEST(test_errmsg_is_never_null)
{
	ck_assert_str_eq(offmig_errmsg(ctx), "success");
	ck_assert_ptr_nonnull(offmig_errmsg(NULL));
	ck_assert_int_eq(offmig_errno(NULL), 0);
	/* A NULL context records nothing but still returns the code. */
	ck_assert_int_eq(ctx_set_error(NULL, OFFMIG_EIO, EIO, "x"), OFFMIG_EIO);
	ctx_prefix_error(NULL, "x");
	ctx_log(NULL, OFFMIG_LOG_WARN, "x");
	ck_assert_uint_eq(offmig_ctx_warnings(NULL), 0);
	/* An empty message falls back to the text of the code. */
	ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s", "");
	ck_assert_str_eq(offmig_errmsg(ctx), offmig_strerror(OFFMIG_EUNSAFE));
	ck_assert_str_eq(offmig_version(), PACKAGE_VERSION);
}
END_TEST

START_TEST(test_exit_status_per_code)
{
	static const struct {
		int	err;
		int	status;
	} map[] = {
		{ OFFMIG_OK, 0 },
		{ OFFMIG_EINVAL, 2 },
		{ OFFMIG_EAMBIGUOUS, 2 },
		{ OFFMIG_ECORRUPT, 3 },
		{ OFFMIG_EXML, 3 },
		{ OFFMIG_EIO, 4 },
		{ OFFMIG_EXDEV, 4 },
		{ OFFMIG_ENOMEM, 4 },
		{ OFFMIG_ENOTFOUND, 4 },
		{ OFFMIG_EUNSAFE, 5 },
		{ OFFMIG_ENOWINDOWS, 6 },
		{ -999, 4 },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		ck_assert_msg(offmig_exit_status(map[i].err) == map[i].status,
		    "code %d gives exit %d, not %d", map[i].err,
		    offmig_exit_status(map[i].err), map[i].status);
		if (map[i].err != -999)
			ck_assert_str_ne(offmig_strerror(map[i].err),
			    "unknown error");
	}
	ck_assert_str_eq(offmig_strerror(12345), "unknown error");
}
END_TEST

static int logged;
static int last_level;

static void
count_log(void *arg, enum offmig_level level, const char *msg)
{
	ck_assert_ptr_eq(arg, &logged);
	ck_assert_str_eq(msg, "item 3 failed");
	last_level = (int)level;
	logged++;
}

START_TEST(test_log_counts_warnings_and_failures)
{
	logged = 0;
	/* Counted even without a callback. */
	ctx_log(ctx, OFFMIG_LOG_WARN, "item %d failed", 3);
	offmig_ctx_set_log(ctx, count_log, &logged);
	ctx_log(ctx, OFFMIG_LOG_WARN, "item %d failed", 3);
	ctx_log(ctx, OFFMIG_LOG_ERROR, "item %d failed", 3);
	ck_assert_int_eq(last_level, OFFMIG_LOG_ERROR);
	ctx_log(ctx, OFFMIG_LOG_INFO, "item %d failed", 3);
	ck_assert_int_eq(logged, 3);
	ck_assert_uint_eq(offmig_ctx_warnings(ctx), 2);
	ck_assert_uint_eq(offmig_ctx_failures(ctx), 1);
	/* Logging leaves the last error alone. */
	ck_assert_str_eq(offmig_errmsg(ctx), "success");
}
END_TEST

/*
 * par_run: items on threads, the result as if one after the other
 */

#define PAR_ITEMS	300

struct par_job {
	struct offmig_ctx	*ctx;
	struct offmig_node	*out[PAR_ITEMS];
};

static void
par_item(void *arg, size_t i, struct offmig_doc *doc)
{
	struct par_job *job = arg;
	struct offmig_node *o = doc_new_object(doc), *a;
	struct offmig_ctx quiet;
	size_t k;

	job->out[i] = o;
	doc_add_int(doc, o, "i", (int64_t)i);
	a = doc_add_array(doc, o, "squares");
	for (k = 0; k < i % 17; k++)
		doc_push_int(doc, a, (int64_t)(k * k));
	/* An error recorded in the shared context is the item's own. */
	ctx_set_error(job->ctx, OFFMIG_ENOTFOUND, 0, "item %zu", i);
	doc_add_str(doc, o, "error", offmig_errmsg(job->ctx));
	if (i % 7 == 0)
		ctx_log(job->ctx, OFFMIG_LOG_WARN, "warning of item %zu", i);
	if (i % 11 == 0)
		ctx_log(job->ctx, OFFMIG_LOG_ERROR, "failure of item %zu", i);
	/* Another context is left alone, and its log stays quiet. */
	memset(&quiet, 0, sizeof(quiet));
	ctx_set_error(&quiet, OFFMIG_EIO, 0, "quiet %zu", i);
	ctx_log(&quiet, OFFMIG_LOG_WARN, "never seen");
	{
		char want[32];

		snprintf(want, sizeof(want), "quiet %zu", i);
		ck_assert_str_eq(offmig_errmsg(&quiet), want);
	}
	/* ... while the shared one still holds the item's error. */
	ck_assert_str_eq(offmig_errmsg(job->ctx), offmig_node_get_str(o, "error"));
}

static void
append_log(void *arg, enum offmig_level level, const char *msg)
{
	FILE *fp = arg;

	fprintf(fp, "%d %s\n", (int)level, msg);
}

/* Runs the items with jobs threads; returns the JSON and the log. */
static void
par_once(unsigned jobs, char **jsonp, char **logp)
{
	struct offmig_ctx *c = offmig_ctx_new();
	struct offmig_doc *doc = doc_new();
	struct offmig_node *arr;
	struct par_job *job = calloc(1, sizeof(*job));
	size_t len = 0, i;
	FILE *fp = open_memstream(logp, &len);

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(doc);
	ck_assert_ptr_nonnull(job);
	ck_assert_ptr_nonnull(fp);
	offmig_ctx_set_log(c, append_log, fp);
	offmig_ctx_set_jobs(c, jobs);
	ctx_set_error(c, OFFMIG_EIO, 0, "before");
	job->ctx = c;
	arr = doc_add_array(doc, doc_root_mut(doc), "items");
	ck_assert_int_eq(par_run(c, PAR_ITEMS, par_item, job, doc), OFFMIG_OK);
	for (i = 0; i < PAR_ITEMS; i++)
		doc_push_node(doc, arr, job->out[i]);
	ck_assert_int_eq(doc_status(doc), OFFMIG_OK);
	ck_assert_int_eq(fclose(fp), 0);
	/* 43 items log a warning, 28 a failure. */
	ck_assert_uint_eq(offmig_ctx_warnings(c), 43);
	ck_assert_uint_eq(offmig_ctx_failures(c), 28);
	if (jobs > 1)
		/* The workers' errors did not reach the caller's context. */
		ck_assert_str_eq(offmig_errmsg(c), "before");
	*jsonp = capture(json_fn, offmig_doc_root(doc), NULL);
	offmig_doc_free(doc);
	offmig_ctx_free(c);
	free(job);
}

START_TEST(test_par_same_result_any_jobs)
{
	char *json1, *log1, *json, *log;
	unsigned jobs[] = { 2, 3, 8 };
	size_t k;

	par_once(1, &json1, &log1);
	ck_assert_ptr_nonnull(strstr(json1, "\"error\": \"item 299\""));
	ck_assert_ptr_nonnull(strstr(log1, "1 warning of item 294\n2 failure "
	    "of item 297\n"));
	ck_assert_ptr_null(strstr(log1, "never seen"));
	for (k = 0; k < sizeof(jobs) / sizeof(jobs[0]); k++) {
		par_once(jobs[k], &json, &log);
		ck_assert_str_eq(json, json1);
		ck_assert_str_eq(log, log1);
		free(json);
		free(log);
	}
	free(json1);
	free(log1);
}
END_TEST

START_TEST(test_par_jobs_bounds)
{
	struct offmig_ctx *c = offmig_ctx_new();

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_ge(par_jobs(c, 100), 1);
	ck_assert_uint_le(par_jobs(c, 100), PAR_MAX_JOBS);
	ck_assert_uint_eq(par_jobs(c, 0), 1);
	ck_assert_uint_eq(par_jobs(c, 1), 1);
	offmig_ctx_set_jobs(c, 1);
	ck_assert_uint_eq(par_jobs(c, 100), 1);
	offmig_ctx_set_jobs(c, 64);
	ck_assert_uint_eq(par_jobs(c, 100), PAR_MAX_JOBS);
	ck_assert_uint_eq(par_jobs(c, 3), 3);
	offmig_ctx_free(c);
}
END_TEST

START_TEST(test_doc_adopt_moves_nodes)
{
	struct offmig_doc *doc = doc_new(), *child = doc_new();
	struct offmig_node *o, *arr;
	char *json;

	ck_assert_ptr_nonnull(doc);
	ck_assert_ptr_nonnull(child);
	arr = doc_add_array(doc, doc_root_mut(doc), "a");
	o = doc_new_object(child);
	doc_add_str(child, o, "name", "from the child");
	doc_adopt(doc, child);
	doc_push_node(doc, arr, o);
	doc_push_str(doc, arr, "after");
	json = capture(json_fn, offmig_doc_root(doc), NULL);
	ck_assert_ptr_nonnull(strstr(json, "\"name\": \"from the child\""));
	ck_assert_ptr_nonnull(strstr(json, "\"after\""));
	free(json);
	/* A NULL child is nothing; a NULL parent frees the child. */
	doc_adopt(doc, NULL);
	doc_adopt(NULL, doc_new());
	ck_assert_int_eq(doc_status(doc), OFFMIG_OK);
	doc_fail(doc);
	ck_assert_int_eq(doc_status(doc), OFFMIG_ENOMEM);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_string_helpers)
{
	char *s;

	ck_assert_ptr_null(xstrdup_or_null(NULL));
	s = xstrdup_or_null("x");
	ck_assert_str_eq(s, "x");
	free(s);
	s = str_printf("%s-%d", "a", 42);
	ck_assert_str_eq(s, "a-42");
	free(s);
	s = str_join_path("a", "b");
	ck_assert_str_eq(s, "a/b");
	free(s);
	s = str_join_path("/mnt/", "Users");
	ck_assert_str_eq(s, "/mnt/Users");
	free(s);
	s = str_join_path("", "b");
	ck_assert_str_eq(s, "b");
	free(s);
	s = str_join_path("a", "");
	ck_assert_str_eq(s, "a");
	free(s);
}
END_TEST

/*
 * io
 */

START_TEST(test_io_short_only_at_end_of_file)
{
	FILE *f = tmpfile();
	char buf[64];
	int fd, p[2];

	ck_assert_ptr_nonnull(f);
	fd = fileno(f);
	ck_assert_int_eq(io_write_all(fd, "hello world", 11), 0);
	ck_assert_int_eq(io_write_all(fd, "", 0), 0);
	/* io_pread_full() stops at the end and sets no errno there. */
	errno = ENOENT;
	ck_assert_int_eq(io_pread_full(fd, buf, sizeof(buf), 6), 5);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(memcmp(buf, "world", 5), 0);
	ck_assert_int_eq(io_pread_full(fd, buf, 4, 0), 4);
	ck_assert_int_eq(io_pread_full(fd, buf, sizeof(buf), 11), 0);
	/* io_pread_all(): all of it, or EIO when the file ends first. */
	ck_assert_int_eq(io_pread_all(fd, buf, 5, 6), 0);
	ck_assert_int_eq(memcmp(buf, "world", 5), 0);
	errno = 0;
	ck_assert_int_eq(io_pread_all(fd, buf, 6, 6), -1);
	ck_assert_int_eq(errno, EIO);
	/* io_read_full() moves the file offset; pread() did not. */
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(io_read_full(fd, buf, 5), 5);
	ck_assert_int_eq(io_read_full(fd, buf, sizeof(buf)), 6);
	ck_assert_int_eq(memcmp(buf, " world", 6), 0);
	ck_assert_int_eq(io_read_full(fd, buf, sizeof(buf)), 0);
	fclose(f);
	/* A pipe gives what was written, then end of file. */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(io_write_all(p[1], "ab", 2), 0);
	close(p[1]);
	ck_assert_int_eq(io_read_full(p[0], buf, sizeof(buf)), 2);
	close(p[0]);
}
END_TEST

START_TEST(test_io_errors_keep_errno)
{
	char buf[8];
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	errno = 0;
	ck_assert_int_eq(io_write_all(p[0], "x", 1), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(io_read_full(p[1], buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EBADF);
	errno = 0;
	ck_assert_int_eq(io_pread_full(p[0], buf, sizeof(buf), 0), -1);
	ck_assert_int_eq(errno, ESPIPE);
	errno = 0;
	ck_assert_int_eq(io_pread_all(p[0], buf, sizeof(buf), 0), -1);
	ck_assert_int_eq(errno, ESPIPE);
	close(p[0]);
	close(p[1]);
}
END_TEST

/*
 * utf
 */

START_TEST(test_utf16_round_trip_and_lone_surrogate)
{
	/* "Aä€😀" then a lone high surrogate, then NUL and junk. */
	static const unsigned char u16[] = {
		'A', 0, 0xE4, 0, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE,
		0x00, 0xD8, 'x', 0, 0, 0, 'j', 0
	};
	size_t len, back;
	char *s = utf16le_to_utf8(u16, sizeof(u16), &len);
	void *again;

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s,
	    "A\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80\xED\xA0\x80x");
	ck_assert_uint_eq(len, strlen(s));
	ck_assert(!utf8_valid(s, len));		/* the surrogate */
	/* Back to UTF-16: the same units, the lone surrogate included. */
	again = utf8_to_utf16le(s, len, &back);
	ck_assert_uint_eq(back, 14);
	ck_assert_mem_eq(again, u16, 14);
	free(again);
	free(s);
	/* An odd trailing byte is ignored, not read past. */
	s = utf16le_to_utf8("a\0b", 3, &len);
	ck_assert_str_eq(s, "a");
	free(s);
	/* Nothing at all. */
	s = utf16le_to_utf8("", 0, &len);
	ck_assert_str_eq(s, "");
	ck_assert_uint_eq(len, 0);
	free(s);
}
END_TEST

START_TEST(test_utf16_unpaired_surrogates_kept)
{
	/* Low alone, two highs, then a low: only the last pair joins. */
	static const unsigned char u16[] = {
		0x00, 0xDC, 0x00, 0xD8, 0x01, 0xD8, 0x02, 0xDC
	};
	char *s = utf16le_to_utf8(u16, sizeof(u16), NULL);

	ck_assert_ptr_nonnull(s);
	/* U+DC00, U+D800, then U+D801 U+DC02 = U+10402. */
	ck_assert_str_eq(s, "\xED\xB0\x80\xED\xA0\x80\xF0\x90\x90\x82");
	free(s);
}
END_TEST

START_TEST(test_utf8_to_utf16_replaces_invalid)
{
	size_t n;
	unsigned char *u = utf8_to_utf16le("a\xFF\xC3", 3, &n);

	ck_assert_uint_eq(n, 6);
	ck_assert_mem_eq(u, "a\0\xFD\xFF\xFD\xFF", 6);
	free(u);
	u = utf8_to_utf16le("", 0, &n);
	ck_assert_ptr_nonnull(u);
	ck_assert_uint_eq(n, 0);
	free(u);
}
END_TEST

START_TEST(test_latin1_names)
{
	char *s = latin1_to_utf8("Gr\xFC\xDF\0junk", 9);

	ck_assert_str_eq(s, "Gr\xC3\xBC\xC3\x9F");
	free(s);
}
END_TEST

START_TEST(test_utf8_validity)
{
	uint32_t cp;

	ck_assert(utf8_valid("", 0));
	ck_assert(utf8_valid("J\xC3\xBCrgen \xF0\x9F\x98\x80", 12));
	ck_assert(!utf8_valid("\xC0\x80", 2));		/* overlong NUL */
	ck_assert(!utf8_valid("\xE0\x80\x80", 3));	/* overlong */
	ck_assert(!utf8_valid("\xF4\x90\x80\x80", 4));	/* > U+10FFFF */
	ck_assert(!utf8_valid("\xED\xA0\x80", 3));	/* surrogate */
	ck_assert(!utf8_valid("\xE2\x82", 2));		/* cut short */
	ck_assert(!utf8_valid("\x80", 1));
	/* The decoder accepts WTF-8 surrogates and rejects bad bytes. */
	ck_assert_uint_eq(utf8_decode((const unsigned char *)"\xED\xA0\x80", 3,
	    &cp), 3);
	ck_assert_uint_eq(cp, 0xD800);
	ck_assert_uint_eq(utf8_decode((const unsigned char *)"\xFE", 1, &cp),
	    0);
	ck_assert_uint_eq(cp, 0xFE);
}
END_TEST

START_TEST(test_windows_name_comparison)
{
	ck_assert_int_eq(wstrcasecmp("Users", "USERS"), 0);
	ck_assert_int_eq(wstrcasecmp("\xC3\x84rger", "\xC3\xA4RGER"), 0);
	ck_assert_int_eq(wstrcasecmp("\xD0\x90\xD0\xBD\xD1\x8F",
	    "\xD0\xB0\xD0\x9D\xD0\xAF"), 0);	/* Аня / аНЯ */
	ck_assert_int_eq(wstrcasecmp("\xC3\xBF", "\xC5\xB8"), 0); /* ÿ Ÿ */
	ck_assert_int_ne(wstrcasecmp("\xC3\xB7", "\xC3\x97"), 0); /* ÷ × */
	ck_assert_int_eq(wstrcasecmp("\xC5\x82\xC4\x81", "\xC5\x81\xC4\x80"),
	    0);					/* łā / ŁĀ */
	ck_assert_int_eq(wstrcasecmp("\xCF\x83\xCF\x82\xCE\xB1",
	    "\xCE\xA3\xCE\xA3\xCE\x91"), 0);	/* σςα / ΣΣΑ */
	ck_assert_int_eq(wstrcasecmp("\xD1\x91", "\xD0\x81"), 0); /* ё Ё */
	ck_assert_int_ne(wstrcasecmp("bob", "bob2"), 0);
	ck_assert_int_lt(wstrcasecmp("bob", "BOB2"), 0);
	ck_assert_int_lt(wstrcasecmp("a", "B"), 0);
	ck_assert_int_gt(wstrcasecmp("b", "A"), 0);
	ck_assert_int_ne(wstrcasecmp("a\xFF", "a\xFE"), 0);
	ck_assert_int_eq(wstrcasecmp("a\xFF", "A\xFF"), 0);
	/* Beyond the common blocks: the whole simple mapping of the BMP. */
	ck_assert_int_eq(wstrcasecmp("\xD2\x91", "\xD2\x90"), 0); /* ґ Ґ */
	ck_assert_int_eq(wstrcasecmp("\xD3\x99", "\xD3\x98"), 0); /* ә Ә */
	ck_assert_int_eq(wstrcasecmp("\xC9\x99", "\xC6\x8F"), 0); /* ə Ə */
	ck_assert_int_eq(wstrcasecmp("\xC8\x99", "\xC8\x98"), 0); /* ș Ș */
	ck_assert_int_eq(wstrcasecmp("\xD5\xA1", "\xD4\xB1"), 0); /* ա Ա */
	ck_assert_int_eq(wstrcasecmp("\xE1\xBA\xA1", "\xE1\xBA\xA0"),
	    0);					/* ạ Ạ */
	ck_assert_int_eq(wstrcasecmp("\xEF\xBD\x81", "\xEF\xBC\xA1"),
	    0);					/* ａ Ａ */
	ck_assert_int_eq(wstrcasecmp("\xCE\xAC", "\xCE\x86"), 0); /* ά Ά */
	ck_assert_uint_eq(wupcase(0xAB70), 0x13A0);	/* Cherokee */
	/* Dotless i and long s stay apart from I and S, as in Windows. */
	ck_assert_int_ne(wstrcasecmp("\xC4\xB1", "I"), 0);
	ck_assert_int_ne(wstrcasecmp("\xC5\xBF", "S"), 0);
	ck_assert_uint_eq(wupcase(0x1F600), 0x1F600);
}
END_TEST

/*
 * wildmatch
 */

START_TEST(test_wildcards_like_usmt)
{
	ck_assert(wildmatch_ci("*-500", "S-1-5-21-1-2-3-500"));
	ck_assert(wildmatch_ci("S-1-5-21-*", "s-1-5-21-9"));
	ck_assert(wildmatch_ci("b?b", "BOB"));
	ck_assert(!wildmatch_ci("*-500", "S-1-5-21-1-2-3-5001"));
	ck_assert(wildmatch_ci("*", ""));
	ck_assert(wildmatch_ci("", ""));
	ck_assert(!wildmatch_ci("", "a"));
	ck_assert(!wildmatch_ci("?", ""));
	ck_assert(wildmatch_ci("a*b*c", "AxxBxxC"));
	ck_assert(wildmatch_ci("a**b", "ab"));
	ck_assert(!wildmatch_ci("a*b", "abc"));
	ck_assert(wildmatch_ci("CONTOSO\\*", "contoso\\bob"));
	/* '?' is one character, not one byte. */
	ck_assert(wildmatch_ci("J?rgen", "J\xC3\x9CRGEN"));
	ck_assert(wildmatch_ci("*\xC3\xBC*", "M\xC3\x9CLLER"));
	ck_assert(!wildmatch_ci("J??rgen", "J\xC3\xBCrgen"));
}
END_TEST

START_TEST(test_wildcards_hostile_pattern_finishes)
{
	static char name[100001];
	char pat[64];
	int i;

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	/* "*a" twenty times then "*b": exponential for naive backtracking. */
	pat[0] = '\0';
	for (i = 0; i < 20; i++)
		strcat(pat, "*a");
	strcat(pat, "*b");
	ck_assert(!wildmatch_ci(pat, name));
	pat[strlen(pat) - 1] = 'a';
	ck_assert(wildmatch_ci(pat, name));
	ck_assert(!wildmatch_ci("*?*?*?*?*?*?*?*?*b", name));
}
END_TEST

/*
 * time
 */

START_TEST(test_times)
{
	char buf[32];

	/* 2024-05-01T09:30:00Z = 1714555800 */
	ck_assert_int_eq(filetime_to_unix(133590294000000000ULL), 1714555800);
	ck_assert(filetime_to_unix(0) == NO_TIME);
	ck_assert(filetime_to_unix(1) == NO_TIME);
	ck_assert_int_eq(filetime_to_unix(116444736000000000ULL), 0);
	ck_assert(filetime_to_unix(116444735990000000ULL) == NO_TIME);
	/* 9999-12-31T23:59:59Z is the last date, a second later garbage. */
	ck_assert_int_eq(filetime_to_unix(2650467743990000000ULL),
	    253402300799LL);
	ck_assert(filetime_to_unix(2650467744000000000ULL) == NO_TIME);
	ck_assert(filetime_to_unix(UINT64_MAX) == NO_TIME);
	ck_assert_str_eq(iso8601(1714555800, buf, sizeof(buf)),
	    "2024-05-01T09:30:00Z");
	ck_assert_str_eq(iso8601(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
	ck_assert_str_eq(iso8601(253402300799LL, buf, sizeof(buf)),
	    "9999-12-31T23:59:59Z");
	ck_assert_ptr_null(iso8601(NO_TIME, buf, sizeof(buf)));
	ck_assert_ptr_null(iso8601(0, buf, 20));	/* too small */
}
END_TEST

START_TEST(test_parse_dates)
{
	ck_assert_int_eq(parse_yyyymmdd("20240229"), 1709164800);
	ck_assert_int_eq(parse_yyyymmdd("20000229"), 951782400);
	ck_assert_int_eq(parse_yyyymmdd("19700101"), 0);
	ck_assert(parse_yyyymmdd("20230229") == NO_TIME);
	ck_assert(parse_yyyymmdd("21000229") == NO_TIME);
	ck_assert(parse_yyyymmdd("20240431") == NO_TIME);
	ck_assert(parse_yyyymmdd("20241301") == NO_TIME);
	ck_assert(parse_yyyymmdd("20240100") == NO_TIME);
	ck_assert(parse_yyyymmdd("19691231") == NO_TIME);
	ck_assert(parse_yyyymmdd("2024022") == NO_TIME);
	ck_assert(parse_yyyymmdd("202402291") == NO_TIME);
	ck_assert(parse_yyyymmdd("2024-2-1") == NO_TIME);
	ck_assert(parse_yyyymmdd("2024022a") == NO_TIME);
	ck_assert(parse_yyyymmdd("") == NO_TIME);
	ck_assert(parse_yyyymmdd(NULL) == NO_TIME);
}
END_TEST

/*
 * doc
 */

START_TEST(test_doc_build_and_read)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *root = doc_root_mut(doc), *arr, *o;
	const struct offmig_node *r;
	int i;

	arr = doc_add_array(doc, root, "rows");
	for (i = 0; i < 5000; i++) {
		o = doc_push_object(doc, arr);
		doc_add_int(doc, o, "n", i);
		doc_add_str(doc, o, "s", i % 2 ? "odd" : NULL);
	}
	o = doc_add_object(doc, root, "os");
	doc_add_str(doc, o, "name", "x");
	doc_add_bool(doc, o, "dirty", 7);
	ck_assert_int_eq(doc_status(doc), OFFMIG_OK);
	r = offmig_doc_root(doc);
	ck_assert_int_eq(offmig_node_type(r), OFFMIG_NODE_OBJECT);
	ck_assert_uint_eq(offmig_node_len(offmig_node_get(r, "rows")), 5000);
	ck_assert_int_eq(offmig_node_int(offmig_node_get(
	    offmig_node_at(offmig_node_get(r, "rows"), 4999), "n")), 4999);
	ck_assert_ptr_null(offmig_node_at(offmig_node_get(r, "rows"), 5000));
	ck_assert_str_eq(offmig_node_get_str(r, "os.name"), "x");
	ck_assert_int_eq(offmig_node_int(offmig_node_get(r, "os.dirty")), 1);
	ck_assert_ptr_null(offmig_node_get(r, "os.nope"));
	ck_assert_ptr_null(offmig_node_get(r, "os.name.deeper"));
	ck_assert_ptr_null(offmig_node_get(r, "rows.n"));	/* an array */
	ck_assert_ptr_null(offmig_node_get(NULL, "x"));
	ck_assert_ptr_null(offmig_node_get_str(r, "os"));	/* an object */
	ck_assert_int_eq(offmig_node_type(offmig_node_get(offmig_node_at(
	    offmig_node_get(r, "rows"), 0), "s")), OFFMIG_NODE_NULL);
	/* Members keep the order they were added in. */
	ck_assert_str_eq(offmig_node_key(r, 0), "rows");
	ck_assert_str_eq(offmig_node_key(r, 1), "os");
	ck_assert_ptr_null(offmig_node_key(r, 2));
	ck_assert_ptr_null(offmig_node_key(offmig_node_get(r, "rows"), 0));
	ck_assert_ptr_eq(doc_get_mut(root, "os"), o);
	ck_assert_ptr_null(doc_get_mut(root, "none"));
	/* NULL parents and wrong parent types are ignored, not crashed on. */
	doc_add_str(doc, NULL, "k", "v");
	doc_push_str(doc, NULL, "v");
	doc_push_str(doc, root, "v");		/* root is not an array */
	doc_add_str(doc, arr, "k", "v");	/* arr is not an object */
	ck_assert_uint_eq(offmig_node_len(r), 2);
	ck_assert_int_eq(doc_status(doc), OFFMIG_OK);
	offmig_doc_free(doc);
	offmig_doc_free(NULL);
	ck_assert_int_eq(doc_status(NULL), OFFMIG_ENOMEM);
}
END_TEST

START_TEST(test_doc_many_nodes)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *arr = doc_add_array(doc, doc_root_mut(doc), "apps");
	const struct offmig_node *a;
	char name[32];
	int i;

	for (i = 0; i < 100000; i++) {
		struct offmig_node *o = doc_push_object(doc, arr);

		snprintf(name, sizeof(name), "app %d", i);
		doc_add_str(doc, o, "name", name);
		doc_add_int(doc, o, "i", i);
		doc_push_int(doc, doc_add_array(doc, o, "v"), -i);
	}
	ck_assert_int_eq(doc_status(doc), OFFMIG_OK);
	a = offmig_node_get(offmig_doc_root(doc), "apps");
	ck_assert_uint_eq(offmig_node_len(a), 100000);
	ck_assert_str_eq(offmig_node_get_str(offmig_node_at(a, 99999), "name"),
	    "app 99999");
	ck_assert_int_eq(offmig_node_int(offmig_node_at(offmig_node_get(
	    offmig_node_at(a, 4242), "v"), 0)), -4242);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_doc_copy_is_deep)
{
	struct offmig_doc *src = doc_new(), *dst = doc_new();
	struct offmig_node *o, *arr;
	const struct offmig_node *c;
	char key[16];

	o = doc_add_object(src, doc_root_mut(src), "os");
	snprintf(key, sizeof(key), "%s", "name");
	doc_add_str(src, o, key, "Windows");
	arr = doc_add_array(src, o, "hives");
	doc_push_str(src, arr, "SOFTWARE");
	doc_push_int(src, arr, 3);
	doc_add_null(src, o, "none");
	doc_add_copy(dst, doc_root_mut(dst), "copy", o);
	doc_push_copy(dst, doc_add_array(dst, doc_root_mut(dst), "list"), arr);
	offmig_doc_free(src);
	memset(key, 0, sizeof(key));
	ck_assert_int_eq(doc_status(dst), OFFMIG_OK);
	c = offmig_doc_root(dst);
	ck_assert_str_eq(offmig_node_get_str(c, "copy.name"), "Windows");
	ck_assert_str_eq(offmig_node_str(offmig_node_at(
	    offmig_node_get(c, "copy.hives"), 0), NULL), "SOFTWARE");
	ck_assert_int_eq(offmig_node_int(offmig_node_at(
	    offmig_node_get(c, "copy.hives"), 1)), 3);
	ck_assert_int_eq(offmig_node_type(offmig_node_get(c, "copy.none")),
	    OFFMIG_NODE_NULL);
	ck_assert_ptr_nonnull(offmig_node_get(c, "copy.none"));
	ck_assert_uint_eq(offmig_node_len(offmig_node_at(
	    offmig_node_get(c, "list"), 0)), 2);
	offmig_doc_free(dst);
}
END_TEST

START_TEST(test_doc_times_and_binary_strings)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *root = doc_root_mut(doc);
	const char *s;
	size_t len;

	doc_add_time(doc, root, "t", 1714555800);
	doc_add_time(doc, root, "none", NO_TIME);
	doc_add_strn(doc, root, "bin", "a\0b", 3);
	ck_assert_str_eq(offmig_node_get_str(offmig_doc_root(doc), "t"),
	    "2024-05-01T09:30:00Z");
	ck_assert_int_eq(offmig_node_type(offmig_node_get(offmig_doc_root(doc),
	    "none")), OFFMIG_NODE_NULL);
	s = offmig_node_str(offmig_node_get(offmig_doc_root(doc), "bin"), &len);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(s, "a\0b", 4);
	ck_assert_str_eq(doc_strdup(doc, "kept"), "kept");
	ck_assert_ptr_null(doc_strdup(doc, NULL));
	offmig_doc_free(doc);
}
END_TEST

/* The first failed allocation is remembered; later calls do nothing. */
START_TEST(test_doc_out_of_memory_is_sticky)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *root = doc_root_mut(doc);

	doc_add_str(doc, root, "before", "x");
	/* A length no arena can hold stands in for a failing malloc(). */
	doc_add_strn(doc, root, "huge", "x", SIZE_MAX - 8);
	ck_assert_int_eq(doc_status(doc), OFFMIG_ENOMEM);
	ck_assert_ptr_null(doc_add_object(doc, root, "after"));
	doc_add_int(doc, root, "after", 1);
	ck_assert_ptr_null(doc_strdup(doc, "y"));
	ck_assert_ptr_null(offmig_node_get(offmig_doc_root(doc), "after"));
	ck_assert_str_eq(offmig_node_get_str(offmig_doc_root(doc), "before"),
	    "x");
	ck_assert_int_eq(doc_status(doc), OFFMIG_ENOMEM);
	offmig_doc_free(doc);
}
END_TEST

/*
 * json
 */

START_TEST(test_json_escapes_faithfully)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *root = doc_root_mut(doc);
	char *out;

	doc_add_str(doc, root, "q", "a\"b\\c\n\x01\x7F");
	doc_add_str(doc, root, "lone", "x\xED\xA0\x80y");	/* U+D800 */
	doc_add_str(doc, root, "low", "\xED\xBF\xBF");	/* U+DFFF */
	doc_add_str(doc, root, "bad", "\xFF\xC3");
	doc_add_str(doc, root, "ok", "J\xC3\xBCrgen \xF0\x9F\x98\x80");
	doc_add_strn(doc, root, "nul", "a\0b", 3);
	doc_add_str(doc, root, "k\"ey", "v");
	doc_add_bool(doc, root, "b", 1);
	doc_add_int(doc, root, "i", INT64_MIN);
	doc_add_null(doc, root, "z");
	out = capture(json_fn, offmig_doc_root(doc), NULL);
	ck_assert_ptr_nonnull(strstr(out,
	    "\"q\": \"a\\\"b\\\\c\\n\\u0001\\u007f\""));
	/*
	 * See output.c: U+D800 -> U+10D800, U+DFFF -> U+10DFFF; bytes FF, C3
	 * -> U+10DCFF, U+10DCC3, all as surrogate-pair escapes.
	 */
	ck_assert_ptr_nonnull(strstr(out, "\"lone\": \"x\\udbf6\\udc00y\""));
	ck_assert_ptr_nonnull(strstr(out, "\"low\": \"\\udbf7\\udfff\""));
	ck_assert_ptr_nonnull(strstr(out,
	    "\"bad\": \"\\udbf7\\udcff\\udbf7\\udcc3\""));
	ck_assert_ptr_nonnull(strstr(out,
	    "\"ok\": \"J\xC3\xBCrgen \xF0\x9F\x98\x80\""));
	ck_assert_ptr_nonnull(strstr(out, "\"nul\": \"a\\u0000b\""));
	ck_assert_ptr_nonnull(strstr(out, "\"k\\\"ey\": \"v\""));
	ck_assert_ptr_nonnull(strstr(out, "\"b\": true"));
	ck_assert_ptr_nonnull(strstr(out, "\"i\": -9223372036854775808"));
	ck_assert_ptr_nonnull(strstr(out, "\"z\": null"));
	free(out);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_json_pretty_layout)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *root = doc_root_mut(doc), *arr;
	char *out;

	doc_add_int(doc, root, "a", 1);
	arr = doc_add_array(doc, root, "b");
	doc_push_str(doc, arr, "x");
	doc_push_int(doc, arr, -2);
	doc_push_object(doc, arr);
	doc_add_object(doc, root, "c");
	doc_add_array(doc, root, "d");
	doc_add_bool(doc, root, "e", 0);
	out = capture(json_fn, offmig_doc_root(doc), NULL);
	ck_assert_str_eq(out,
	    "{\n"
	    "  \"a\": 1,\n"
	    "  \"b\": [\n"
	    "    \"x\",\n"
	    "    -2,\n"
	    "    {}\n"
	    "  ],\n"
	    "  \"c\": {},\n"
	    "  \"d\": [],\n"
	    "  \"e\": false\n"
	    "}\n");
	free(out);
	expect_eio(json_fn, offmig_doc_root(doc), NULL);
	offmig_doc_free(doc);
}
END_TEST

/* Whatever the bytes, the JSON is valid UTF-8 with no raw control byte. */
START_TEST(test_json_any_bytes)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *arr = doc_add_array(doc, doc_root_mut(doc), "s");
	unsigned char buf[512];
	uint32_t x = 12345;
	char *out, *p;
	int i, j;

	for (i = 0; i < 64; i++) {
		for (j = 0; j < (int)sizeof(buf); j++) {
			x = x * 1103515245U + 12345U;
			buf[j] = (unsigned char)(x >> 16);
			/* Every other string: high bytes only. */
			if (i % 2 && buf[j] < 0x80)
				buf[j] |= 0x80;
		}
		doc_push_str(doc, arr, "");
		doc_add_strn(doc, doc_push_object(doc, arr), "v",
		    (const char *)buf, sizeof(buf));
	}
	ck_assert_int_eq(doc_status(doc), OFFMIG_OK);
	out = capture(json_fn, offmig_doc_root(doc), NULL);
	ck_assert(utf8_valid(out, strlen(out)));
	/* One assertion at the end: Check marks every one it passes. */
	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			break;
	ck_assert_msg(*p == '\0', "raw control byte 0x%02x at %td",
	    (unsigned char)*p, p - out);
	free(out);
	offmig_doc_free(doc);
}
END_TEST

/*
 * table, csv, fields
 */

static const struct offmig_column cols[] = {
	{ "NAME", "name", 1 },
	{ "N", "n", 0 },
	{ "TAGS", "tags", 0 },
	{ "OK", "ok", 0 },
};
#define NCOLS	(sizeof(cols) / sizeof(cols[0]))

static int
table_fn(FILE *fp, const struct offmig_node *n, const void *arg)
{
	return offmig_write_table(fp, n, cols, NCOLS, *(const unsigned *)arg);
}

static int
csv_fn(FILE *fp, const struct offmig_node *n, const void *arg)
{
	(void)arg;
	return offmig_write_csv(fp, n, cols, NCOLS);
}

/* Rows of the table tests, at "r" below the root. */
static struct offmig_doc *
table_doc(const char *name0)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *arr = doc_add_array(doc, doc_root_mut(doc), "r");
	struct offmig_node *o, *tags;

	o = doc_push_object(doc, arr);
	doc_add_str(doc, o, "name", name0);
	doc_add_int(doc, o, "n", 7);
	tags = doc_add_array(doc, o, "tags");
	doc_push_str(doc, tags, "x");
	doc_push_str(doc, tags, "y");
	doc_add_bool(doc, o, "ok", 1);
	o = doc_push_object(doc, arr);
	doc_add_str(doc, o, "name", "evil\x1b[31m\"q\"\xFF");
	doc_add_null(doc, o, "n");
	doc_add_bool(doc, o, "ok", 0);
	return doc;
}

static const struct offmig_node *
rows_of(const struct offmig_doc *doc)
{
	return offmig_node_get(offmig_doc_root(doc), "r");
}

START_TEST(test_table_layout)
{
	struct offmig_doc *doc = table_doc("alpha");
	unsigned none = 0;
	char *out = capture(table_fn, rows_of(doc), &none);

	/* Widest cell per column, two spaces between, no trailing blanks. */
	ck_assert_str_eq(out,
	    "NAME           N  TAGS  OK\n"
	    "alpha          7  x,y   yes\n"
	    "evil?[31m\"q\"?  -  -     no\n");
	free(out);
	expect_eio(table_fn, rows_of(doc), &none);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_table_fits_width_and_hides_controls)
{
	struct offmig_doc *doc = table_doc(
	    "a very long application name, with comma");
	unsigned width = 30, none = 0;
	char *out = capture(table_fn, rows_of(doc), &width), *line,
	    *save = NULL;

	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		ck_assert_msg(strlen(line) <= 30, "line too wide: '%s'",
		    line);
	free(out);
	out = capture(table_fn, rows_of(doc), &width);
	/* The flexible column gave up the width, with '~' where it cut. */
	ck_assert_ptr_nonnull(strstr(out,
	    "\na very long app~  7  x,y   yes\n"));
	free(out);
	out = capture(table_fn, rows_of(doc), &none);
	ck_assert_ptr_nonnull(strstr(out, "a very long application name, "
	    "with comma  7  x,y   yes"));
	ck_assert_ptr_null(strchr(out, '\x1b'));
	ck_assert_ptr_nonnull(strstr(out, "evil?[31m"));
	ck_assert_ptr_nonnull(strstr(out, "  -"));
	free(out);
	offmig_doc_free(doc);
}
END_TEST

static const struct offmig_column pcols[] = {
	{ "NAME", "name", 1 },
	{ "PATH", "path", 0 },
};

static int
ptable_fn(FILE *fp, const struct offmig_node *n, const void *arg)
{
	return offmig_write_table(fp, n, pcols, 2, *(const unsigned *)arg);
}

START_TEST(test_table_shrinks_others_after_flex)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *arr = doc_add_array(doc, doc_root_mut(doc), "r");
	struct offmig_node *o = doc_push_object(doc, arr);
	unsigned width = 20;
	char *out;

	doc_add_str(doc, o, "name", "alphabet");
	doc_add_str(doc, o, "path", "C:\\Users\\someone\\AppData");
	o = doc_push_object(doc, arr);
	doc_add_str(doc, o, "name", "\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4");
	out = capture(ptable_fn, arr, &width);
	/* NAME down to 4 first, then PATH; widths count characters. */
	ck_assert_str_eq(out,
	    "NAME  PATH\n"
	    "alp~  C:\\Users\\some~\n"
	    "\xC3\xA4\xC3\xA4\xC3\xA4~  -\n");
	free(out);
	/* Never below 4: the lines stay longer than asked. */
	width = 5;
	out = capture(ptable_fn, arr, &width);
	ck_assert_str_eq(out,
	    "NAME  PATH\n"
	    "alp~  C:\\~\n"
	    "\xC3\xA4\xC3\xA4\xC3\xA4~  -\n");
	free(out);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_table_without_rows)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *arr = doc_add_array(doc, doc_root_mut(doc), "r");
	unsigned none = 0;
	char *out = capture(table_fn, arr, &none);

	ck_assert_str_eq(out, "NAME  N  TAGS  OK\n");
	free(out);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_csv_quotes_fields)
{
	struct offmig_doc *doc = table_doc(
	    "a very long application name, with comma");
	char *out = capture(csv_fn, rows_of(doc), NULL);

	ck_assert_str_eq(out, "NAME,N,TAGS,OK\r\n"
	    "\"a very long application name, with comma\",7,\"x,y\",true\r\n"
	    "\"evil\x1b[31m\"\"q\"\"\xFF\",,,false\r\n");
	free(out);
	expect_eio(csv_fn, rows_of(doc), NULL);
	offmig_doc_free(doc);
}
END_TEST

START_TEST(test_csv_line_breaks_quoted)
{
	struct offmig_doc *doc = table_doc("two\r\nlines");
	char *out = capture(csv_fn, rows_of(doc), NULL);

	ck_assert_ptr_nonnull(strstr(out, "\r\n\"two\r\nlines\",7,"));
	free(out);
	offmig_doc_free(doc);
}
END_TEST

static const struct offmig_column fcols[] = {
	{ "Product", "product", 0 },
	{ "Build", "build", 0 },
	{ "Computer name", "computer_name", 0 },
	{ "Hives", "hives", 0 },
};

static int
fields_fn(FILE *fp, const struct offmig_node *n, const void *arg)
{
	return offmig_write_fields(fp, n, fcols, 4, *(const unsigned *)arg);
}

START_TEST(test_fields_align_labels)
{
	struct offmig_doc *doc = doc_new();
	struct offmig_node *root = doc_root_mut(doc), *arr;
	unsigned none = 0, width = 24;
	char *out;

	/* A bell and a right-to-left override (U+202E) are both hidden. */
	doc_add_str(doc, root, "product", "Windows 10 Pro\x07\xE2\x80\xAE");
	doc_add_int(doc, root, "build", 19045);
	arr = doc_add_array(doc, root, "hives");
	doc_push_str(doc, arr, "SOFTWARE");
	doc_push_str(doc, arr, "SYSTEM");
	out = capture(fields_fn, root, &none);
	ck_assert_str_eq(out,
	    "Product:        Windows 10 Pro??\n"
	    "Build:          19045\n"
	    "Computer name:  -\n"
	    "Hives:          SOFTWARE,SYSTEM\n");
	free(out);
	out = capture(fields_fn, root, &width);
	ck_assert_str_eq(out,
	    "Product:        Windows~\n"
	    "Build:          19045\n"
	    "Computer name:  -\n"
	    "Hives:          SOFTWAR~\n");
	free(out);
	expect_eio(fields_fn, root, &none);
	offmig_doc_free(doc);
}
END_TEST

/*
 * vpath
 */

static char tmpl[64];
static int rootfd = -1;

static void
mk(const char *rel, int dir)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
	if (dir)
		ck_assert_int_eq(mkdir(p, 0755), 0);
	else {
		int fd = open(p, O_WRONLY | O_CREAT, 0644);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, "data", 4), 4);
		close(fd);
	}
}

static void
mklink(const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
	ck_assert_int_eq(symlink(target, p), 0);
}

static void
vsetup(void)
{
	setup();
	snprintf(tmpl, sizeof(tmpl), "/tmp/offmig-vpath.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	mk("Windows", 1);
	mk("Windows/System32", 1);
	mk("Windows/System32/config", 1);
	mk("Windows/System32/config/SOFTWARE", 0);
	mk("Users", 1);
	mk("Users/Bob", 1);
	mk("Users/Bob/NTUSER.DAT", 0);
	mk("Users/\xC3\x84rger", 1);				/* Ärger */
	mklink("/etc", "Users/Link");
	mklink(".", "Users/Bob/Loop");
	mklink("Self", "Users/Self");		/* points at itself */
	ck_assert_int_ge(rootfd = open(tmpl, O_RDONLY | O_DIRECTORY), 0);
}

static void
vteardown(void)
{
	char cmd[128];

	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	ck_assert_int_eq(system(cmd), 0);
	teardown();
}

START_TEST(test_vpath_case_insensitive)
{
	char *host = NULL, buf[8];
	struct stat st;
	int fd = -1;

	ck_assert_int_eq(vpath_resolve(ctx, rootfd,
	    "WINDOWS\\system32\\CONFIG\\software", VPATH_FILE, &fd, &host,
	    &st), OFFMIG_OK);
	ck_assert_str_eq(host, "Windows/System32/config/SOFTWARE");
	ck_assert_int_ge(fd, 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 4);
	close(fd);
	free(host);
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "users/BOB", VPATH_DIR,
	    NULL, &host, NULL), OFFMIG_OK);
	ck_assert_str_eq(host, "Users/Bob");
	free(host);
	/* Non-ASCII names fold as Windows folds them. */
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "USERS\\\xC3\xA4RGER",
	    VPATH_DIR, &fd, &host, NULL), OFFMIG_OK);
	ck_assert_str_eq(host, "Users/\xC3\x84rger");
	close(fd);
	free(host);
}
END_TEST

/* Only later components in the wrong case: the whole path is walked. */
START_TEST(test_vpath_deep_case_mismatch)
{
	static const char *const paths[] = {
		"Windows\\system32\\CONFIG\\software",
		"Windows\\System32\\config\\software",
		"windows\\System32\\config\\SOFTWARE",
	};
	char *host = NULL;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ck_assert_msg(vpath_resolve(ctx, rootfd, paths[i], VPATH_ANY,
		    NULL, &host, NULL) == OFFMIG_OK, "%s: %s", paths[i],
		    offmig_errmsg(ctx));
		ck_assert_str_eq(host, "Windows/System32/config/SOFTWARE");
		free(host);
	}
}
END_TEST

START_TEST(test_vpath_skips_empty_and_dot)
{
	char *host = NULL;
	struct stat st;

	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "\\Users\\.\\\\bob\\/",
	    VPATH_DIR, NULL, &host, &st), OFFMIG_OK);
	ck_assert_str_eq(host, "Users/Bob");
	ck_assert(S_ISDIR(st.st_mode));
	free(host);
}
END_TEST

START_TEST(test_vpath_refuses_links_and_dotdot)
{
	char *host = (char *)"x";
	int fd = 5;

	/* A link in the middle: refused, named, out-params cleared. */
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Link\\passwd",
	    VPATH_FILE, &fd, &host, NULL), OFFMIG_EUNSAFE);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_null(host);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Users/Link"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "symbolic link"));
	/* The same with the wrong case: the walk finds it too. */
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "USERS\\link\\passwd",
	    VPATH_FILE, NULL, NULL, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Users/Link"));
	/* The junction Vista leaves pointing back into itself. */
	ck_assert_int_eq(vpath_resolve(ctx, rootfd,
	    "Users\\Bob\\Loop\\Loop\\NTUSER.DAT", VPATH_FILE, NULL, NULL,
	    NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Users/Bob/Loop"));
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Bob\\Loop",
	    VPATH_DIR, NULL, NULL, NULL), OFFMIG_EUNSAFE);
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Self\\x",
	    VPATH_ANY, NULL, NULL, NULL), OFFMIG_EUNSAFE);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Users/Self"));
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Self",
	    VPATH_FILE, NULL, NULL, NULL), OFFMIG_EUNSAFE);
	/* "..": refused before anything is looked at. */
	fd = 5;
	host = (char *)"x";
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\..\\..\\etc",
	    VPATH_DIR, &fd, &host, NULL), OFFMIG_EINVAL);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_null(host);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Users\\..\\..\\etc"));
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "'..'"));
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "..", VPATH_ANY, NULL,
	    NULL, NULL), OFFMIG_EINVAL);
}
END_TEST

START_TEST(test_vpath_links_seen_not_followed)
{
	struct stat st;
	char *host = NULL;
	int fd = -1;

	/* VPATH_ANY gives the link itself, opened O_PATH. */
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "users\\link", VPATH_ANY,
	    &fd, &host, &st), OFFMIG_OK);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(host, "Users/Link");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_PATH, 0);
	close(fd);
	free(host);
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Self", VPATH_ANY,
	    NULL, NULL, &st), OFFMIG_OK);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Link", VPATH_DIR,
	    &fd, NULL, NULL), OFFMIG_EUNSAFE);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Users/Link"));
}
END_TEST

START_TEST(test_vpath_missing_and_wrong_type)
{
	char *host = (char *)"x";
	int fd = 5;

	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Nobody",
	    VPATH_DIR, &fd, &host, NULL), OFFMIG_ENOTFOUND);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_null(host);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Nobody"));
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Bob",
	    VPATH_FILE, NULL, NULL, NULL), OFFMIG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "Users/Bob"));
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "Users\\Bob\\ntuser.dat",
	    VPATH_DIR, NULL, NULL, NULL), OFFMIG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "NTUSER.DAT"));
	/* A file in the middle of the path. */
	ck_assert_int_eq(vpath_resolve(ctx, rootfd,
	    "Users\\Bob\\NTUSER.DAT\\x", VPATH_ANY, NULL, NULL, NULL),
	    OFFMIG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "NTUSER.DAT"));
	/* Nothing to resolve. */
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "", VPATH_DIR, &fd,
	    &host, NULL), OFFMIG_EINVAL);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_null(host);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "empty"));
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, "\\.\\", VPATH_ANY, NULL,
	    NULL, NULL), OFFMIG_EINVAL);
	ck_assert_int_eq(vpath_resolve(ctx, rootfd, NULL, VPATH_ANY, NULL,
	    NULL, NULL), OFFMIG_EINVAL);
}
END_TEST

/*
 * vpath_resolve_dir_listed() answers as vpath_resolve() does (result, host
 * path, message), from listings or not: case variants, twins, files,
 * links as the name or the folder, missing names, odd separators, a
 * folder too big to list.
 */
START_TEST(test_vlist_same_as_vpath)
{
	static const char *const q[] = {
		"Users\\Bob\\Desktop", "Users\\Bob\\Documents",
		"Users\\Bob\\Music", "Users\\Bob\\Pics", "Users\\Bob\\Nothing",
		"Users\\Bob\\twin", "users\\bob\\Desktop", "Users\\Link\\x",
		"Users\\..\\Bob", "", "\\", "Users\\Bob\\Loop", "Users\\Bob",
		"Users", "USERS", "Users\\\xC3\xA4RGER", "Users\\\\Bob\\.\\desktop\\",
		"Users\\Big\\d4000", "Users\\Big\\D0007", "Users\\Big\\none",
		"Users\\Bob\\NTUSER.DAT", "Users\\Self\\x",
	};
	char msg1[OFFMIG_ERRMSG_MAX], p[300];
	struct vlist l;
	size_t i, pass;
	int r1, r2;

	mk("Users/Bob/Desktop", 1);
	mk("Users/Bob/documents", 1);
	mk("Users/Bob/Music", 0);
	mklink("/etc", "Users/Bob/Pics");
	mk("Users/Bob/Twin", 1);
	mk("Users/Bob/TWIN", 1);
	mk("Users/Big", 1);
	for (i = 0; i < VLIST_MAX_NAMES + 1; i++) {
		snprintf(p, sizeof(p), "Users/Big/d%04zu", i);
		mk(p, 1);
	}
	vlist_init(&l, rootfd);
	/* Twice: the second time every folder is listed. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			char *h1 = NULL, *h2 = NULL;

			ctx_set_error(ctx, OFFMIG_OK, 0, "-");
			r1 = vpath_resolve(ctx, rootfd, q[i], VPATH_DIR, NULL,
			    &h1, NULL);
			snprintf(msg1, sizeof(msg1), "%s", offmig_errmsg(ctx));
			ctx_set_error(ctx, OFFMIG_OK, 0, "-");
			r2 = vpath_resolve_dir_listed(ctx, &l, q[i], &h2);
			ck_assert_msg(r1 == r2, "%s: %d, listed %d", q[i], r1,
			    r2);
			ck_assert_msg((h1 == NULL) == (h2 == NULL) &&
			    (h1 == NULL || strcmp(h1, h2) == 0), "%s: '%s', "
			    "listed '%s'", q[i], h1 ? h1 : "(null)",
			    h2 ? h2 : "(null)");
			if (r1 != OFFMIG_OK)
				ck_assert_msg(strcmp(msg1, offmig_errmsg(ctx)) ==
				    0, "%s: '%s', listed '%s'", q[i], msg1,
				    offmig_errmsg(ctx));
			free(h1);
			free(h2);
		}
	ck_assert_int_eq(vlist_absent(&l, "Users/Bob", "Nothing"), 1);
	ck_assert_int_eq(vlist_absent(&l, "Users/Bob", "DESKTOP"), 0);
	ck_assert_int_eq(vlist_absent(&l, "Users/Bob", "music"), 0);
	ck_assert_int_eq(vlist_absent(&l, "Users/Bob", "pics"), 0);
	ck_assert_int_eq(vlist_absent(&l, "Users/Link", "x"), 0);
	ck_assert_int_eq(vlist_absent(&l, "Users/Big", "none"), 0);
	ck_assert_int_eq(vlist_absent(&l, "Users/Bob/../Bob", "Nothing"), 0);
	ck_assert_int_eq(vlist_absent(&l, "Users/Missing", "x"), 0);
	vlist_release(&l);
}
END_TEST

START_TEST(test_vpath_lookup_one_name)
{
	char *found = (char *)"x";
	int fd;

	ck_assert_int_ge(fd = open(tmpl, O_RDONLY | O_DIRECTORY), 0);
	ck_assert_int_eq(vpath_lookup(ctx, fd, "USERS", &found), OFFMIG_OK);
	ck_assert_str_eq(found, "Users");
	free(found);
	ck_assert_int_eq(vpath_lookup(ctx, fd, "Windows", &found), OFFMIG_OK);
	ck_assert_str_eq(found, "Windows");
	free(found);
	found = (char *)"x";
	ck_assert_int_eq(vpath_lookup(ctx, fd, "Program Files", &found),
	    OFFMIG_ENOTFOUND);
	ck_assert_ptr_null(found);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "'Program Files'"));
	close(fd);
}
END_TEST

START_TEST(test_winpath_classify)
{
	const char *rest;

	ck_assert_int_eq(winpath_classify("C:\\Users\\bob", 'C', &rest),
	    WINPATH_SYSTEM_DRIVE);
	ck_assert_str_eq(rest, "Users\\bob");
	ck_assert_int_eq(winpath_classify("c:/x", 'C', &rest),
	    WINPATH_SYSTEM_DRIVE);
	ck_assert_str_eq(rest, "x");
	ck_assert_int_eq(winpath_classify("c:x", 'c', &rest),
	    WINPATH_SYSTEM_DRIVE);
	ck_assert_str_eq(rest, "x");
	ck_assert_int_eq(winpath_classify("\\??\\C:\\Users", 'C', &rest),
	    WINPATH_SYSTEM_DRIVE);
	ck_assert_str_eq(rest, "Users");
	ck_assert_int_eq(winpath_classify("\\\\?\\c:\\Users", 'C', &rest),
	    WINPATH_SYSTEM_DRIVE);
	ck_assert_str_eq(rest, "Users");
	ck_assert_int_eq(winpath_classify("\\Windows", 'C', &rest),
	    WINPATH_RELATIVE);
	ck_assert_str_eq(rest, "Windows");
	ck_assert_int_eq(winpath_classify("Users", 'C', &rest),
	    WINPATH_RELATIVE);
	ck_assert_str_eq(rest, "Users");
	rest = "x";
	ck_assert_int_eq(winpath_classify("D:\\x", 'C', &rest),
	    WINPATH_OTHER_DRIVE);
	ck_assert_ptr_null(rest);
	ck_assert_int_eq(winpath_classify("\\\\?\\E:\\x", 'C', NULL),
	    WINPATH_OTHER_DRIVE);
	ck_assert_int_eq(winpath_classify("\\\\srv\\share", 'C', NULL),
	    WINPATH_UNC);
	ck_assert_int_eq(winpath_classify("//srv/share", 'C', NULL),
	    WINPATH_UNC);
	ck_assert_int_eq(winpath_classify("\\\\?\\UNC\\srv\\s", 'C', NULL),
	    WINPATH_UNC);
	ck_assert_int_eq(winpath_classify("\\\\.\\PhysicalDrive0", 'C', NULL),
	    WINPATH_DEVICE);
	ck_assert_int_eq(winpath_classify("\\\\?\\Volume{1234}\\x", 'C',
	    NULL), WINPATH_DEVICE);
	ck_assert_int_eq(winpath_classify("C:\\a\\..\\b", 'C', NULL),
	    WINPATH_INVALID);
	ck_assert_int_eq(winpath_classify("..", 'C', NULL), WINPATH_INVALID);
	ck_assert_int_eq(winpath_classify("", 'C', NULL), WINPATH_INVALID);
	ck_assert_int_eq(winpath_classify(NULL, 'C', NULL), WINPATH_INVALID);
	ck_assert_int_eq(winpath_classify("a\nb", 'C', NULL), WINPATH_INVALID);
	/* A name that merely starts with two dots is a name. */
	ck_assert_int_eq(winpath_classify("C:\\..x", 'C', NULL),
	    WINPATH_SYSTEM_DRIVE);
}
END_TEST

START_TEST(test_winpath_expand)
{
	const struct winenv env[] = {
		{ "SystemDrive", "C:" }, { "USERPROFILE", "C:\\Users\\bob" }
	};
	struct winenv big = { "BIG", NULL };
	char *s, *v, *in;
	size_t i;

	s = winpath_expand("%systemdrive%\\x\\%USERPROFILE%\\%NOPE%\\100%", env,
	    2);
	ck_assert_str_eq(s, "C:\\x\\C:\\Users\\bob\\%NOPE%\\100%");
	free(s);
	s = winpath_expand("%%SystemDrive%%", env, 2);
	ck_assert_str_eq(s, "%C:%");
	free(s);
	s = winpath_expand("", env, 0);
	ck_assert_str_eq(s, "");
	free(s);
	/* A value repeated many times cannot grow the result without bound. */
	ck_assert_ptr_nonnull(v = malloc(10001));
	memset(v, 'v', 10000);
	v[10000] = '\0';
	big.value = v;
	ck_assert_ptr_nonnull(in = malloc(5 * 1000 + 1));
	for (i = 0; i < 1000; i++)
		memcpy(in + 5 * i, "%BIG%", 5);
	in[5 * 1000] = '\0';
	s = winpath_expand(in, &big, 1);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_le(strlen(s), 32767 * 3);
	ck_assert_ptr_nonnull(strstr(s, "%BIG%"));	/* the rest is kept */
	ck_assert_int_eq(s[0], 'v');
	free(s);
	free(in);
	free(v);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("common");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_error_message_names_culprit_and_errno);
	tcase_add_test(tc, test_error_message_may_quote_itself);
	tcase_add_test(tc, test_error_long_message_is_cut_safely);
	tcase_add_test(tc, test_errmsg_is_never_null);
	tcase_add_test(tc, test_exit_status_per_code);
	tcase_add_test(tc, test_log_counts_warnings_and_failures);
	tcase_add_test(tc, test_string_helpers);
	suite_add_tcase(s, tc);
	tc = tcase_create("io");
	tcase_add_test(tc, test_io_short_only_at_end_of_file);
	tcase_add_test(tc, test_io_errors_keep_errno);
	suite_add_tcase(s, tc);
	tc = tcase_create("utf");
	tcase_add_test(tc, test_utf16_round_trip_and_lone_surrogate);
	tcase_add_test(tc, test_utf16_unpaired_surrogates_kept);
	tcase_add_test(tc, test_utf8_to_utf16_replaces_invalid);
	tcase_add_test(tc, test_latin1_names);
	tcase_add_test(tc, test_utf8_validity);
	tcase_add_test(tc, test_windows_name_comparison);
	suite_add_tcase(s, tc);
	tc = tcase_create("wildmatch");
	tcase_add_test(tc, test_wildcards_like_usmt);
	tcase_add_test(tc, test_wildcards_hostile_pattern_finishes);
	suite_add_tcase(s, tc);
	tc = tcase_create("time");
	tcase_add_test(tc, test_times);
	tcase_add_test(tc, test_parse_dates);
	suite_add_tcase(s, tc);
	tc = tcase_create("doc");
	tcase_add_test(tc, test_doc_build_and_read);
	tcase_add_test(tc, test_doc_many_nodes);
	tcase_add_test(tc, test_doc_copy_is_deep);
	tcase_add_test(tc, test_doc_times_and_binary_strings);
	tcase_add_test(tc, test_doc_out_of_memory_is_sticky);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, test_json_escapes_faithfully);
	tcase_add_test(tc, test_json_pretty_layout);
	tcase_add_test(tc, test_json_any_bytes);
	suite_add_tcase(s, tc);
	tc = tcase_create("table");
	tcase_add_test(tc, test_table_layout);
	tcase_add_test(tc, test_table_fits_width_and_hides_controls);
	tcase_add_test(tc, test_table_shrinks_others_after_flex);
	tcase_add_test(tc, test_table_without_rows);
	tcase_add_test(tc, test_fields_align_labels);
	suite_add_tcase(s, tc);
	tc = tcase_create("csv");
	tcase_add_test(tc, test_csv_quotes_fields);
	tcase_add_test(tc, test_csv_line_breaks_quoted);
	suite_add_tcase(s, tc);
	tc = tcase_create("vpath");
	tcase_add_checked_fixture(tc, vsetup, vteardown);
	tcase_add_test(tc, test_vpath_case_insensitive);
	tcase_add_test(tc, test_vpath_deep_case_mismatch);
	tcase_add_test(tc, test_vpath_skips_empty_and_dot);
	tcase_add_test(tc, test_vpath_refuses_links_and_dotdot);
	tcase_add_test(tc, test_vpath_links_seen_not_followed);
	tcase_add_test(tc, test_vpath_missing_and_wrong_type);
	tcase_add_test(tc, test_vpath_lookup_one_name);
	tcase_add_test(tc, test_vlist_same_as_vpath);
	suite_add_tcase(s, tc);
	tc = tcase_create("par");
	tcase_add_test(tc, test_par_same_result_any_jobs);
	tcase_add_test(tc, test_par_jobs_bounds);
	tcase_add_test(tc, test_doc_adopt_moves_nodes);
	suite_add_tcase(s, tc);
	tc = tcase_create("winpath");
	tcase_add_test(tc, test_winpath_classify);
	tcase_add_test(tc, test_winpath_expand);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
