/*
 * check_pever.c - PE version resources (src/migrate/pever.c): round trips
 * through tests/fixtures/mkpe.c for PE32 and PE32+, the choice of language
 * and string table, missing resources, every kind of damage the reader
 * names, truncation and bit-flip sweeps, the mkwinvol "pe" directive, and
 * version_match / version_cmp.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "migrate/pever.h"
#include "fixtures/mkpe.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static char tmpdir[256];

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	t_tmpdir_make(tmpdir, sizeof(tmpdir), "check_pever");
}

static void
teardown(void)
{
	offmig_ctx_free(ctx);
	t_tmpdir_remove(tmpdir);
}

/* An unnamed file in tmpdir holding buf; the caller closes it. */
static int
mem_fd(const void *buf, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/pe.XXXXXX", tmpdir);
	ck_assert_msg((fd = mkstemp(path)) >= 0, "mkstemp: %s",
	    strerror(errno));
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(pwrite(fd, buf, len, 0), (ssize_t)len);
	return fd;
}

/* Reads the image in buf as file "name". */
static int
read_mem(const void *buf, size_t len, const char *name, struct pe_version *v)
{
	int fd = mem_fd(buf, len), ret;

	ret = pe_version_read(ctx, fd, name, v);
	close(fd);
	return ret;
}

static unsigned char *
build(const struct mkpe_spec *s, size_t *lenp, struct mkpe_layout *lay)
{
	unsigned char *img;

	ck_assert_msg(mkpe_build(s, &img, lenp, lay) == 0, "mkpe_build: %s",
	    strerror(errno));
	return img;
}

static const char *const full_strings[MKPE_NSTRINGS] = {
	"Société Générale",
	"Éditeur de texte — ✓",
	"8.6.2.0 (release)",
	"npp",
	"© 2024 Ω, 日本語, 📄",
	"notepad++.exe",
	"Notepad++",
	"8.6.2",
};

static void
spec_full(struct mkpe_spec *s, uint16_t machine)
{
	static const uint16_t fv[4] = { 8, 6, 2, 0 };
	static const uint16_t pv[4] = { 8, 6, 65535, 7 };

	memset(s, 0, sizeof(*s));
	s->machine = machine;
	memcpy(s->file_ver, fv, sizeof(fv));
	memcpy(s->product_ver, pv, sizeof(pv));
	memcpy(s->strings, full_strings, sizeof(full_strings));
}

static void
check_full(const struct pe_version *v, uint16_t machine)
{
	size_t i;

	ck_assert_uint_eq(v->machine, machine);
	ck_assert_int_eq(v->has_fixed, 1);
	ck_assert_uint_eq(v->file_ver[0], 8);
	ck_assert_uint_eq(v->file_ver[1], 6);
	ck_assert_uint_eq(v->file_ver[2], 2);
	ck_assert_uint_eq(v->file_ver[3], 0);
	ck_assert_uint_eq(v->product_ver[0], 8);
	ck_assert_uint_eq(v->product_ver[1], 6);
	ck_assert_uint_eq(v->product_ver[2], 65535);
	ck_assert_uint_eq(v->product_ver[3], 7);
	for (i = 0; i < MKPE_NSTRINGS; i++)
		ck_assert_msg(v->strings[i] != NULL &&
		    strcmp(v->strings[i], full_strings[i]) == 0,
		    "%s: '%s', want '%s'", mkpe_string_keys[i],
		    v->strings[i] ? v->strings[i] : "(null)", full_strings[i]);
}

static void
round_trip(uint16_t machine, uint16_t magic)
{
	struct mkpe_spec s;
	struct mkpe_layout lay;
	struct pe_version v;
	unsigned char *img;
	size_t len;

	spec_full(&s, machine);
	img = build(&s, &len, &lay);
	ck_assert_uint_eq(le16(img + lay.opt_off), magic);
	ck_assert_int_eq(read_mem(img, len, "app.exe", &v), OFFMIG_OK);
	check_full(&v, machine);
	ck_assert_str_eq(pe_version_get(&v, "companyname"), "Société Générale");
	ck_assert_str_eq(pe_version_get(&v, "FileVersion"),
	    "8.6.2.0 (release)");
	ck_assert_str_eq(pe_version_get(&v, "PRODUCTVERSION"), "8.6.2");
	ck_assert_ptr_null(pe_version_get(&v, "Comments"));
	ck_assert_ptr_null(pe_version_get(&v, "FileVersio"));
	pe_version_release(&v);
	ck_assert_ptr_null(v.strings[0]);
	pe_version_release(&v);		/* twice is harmless */
	free(img);
}

START_TEST(test_round_trip_pe32plus)
{
	round_trip(MKPE_AMD64, 0x20B);
}
END_TEST

START_TEST(test_round_trip_pe32)
{
	round_trip(MKPE_I386, 0x10B);
}
END_TEST

START_TEST(test_round_trip_arm64)
{
	round_trip(MKPE_ARM64, 0x20B);
}
END_TEST

/* Only some strings; FileVersion/ProductVersion fall back to the numbers. */
START_TEST(test_fixed_fallback)
{
	struct mkpe_spec s;
	struct pe_version v;
	unsigned char *img;
	size_t len, i;

	memset(&s, 0, sizeof(s));
	s.file_ver[0] = 10;
	s.file_ver[2] = 19041;
	s.file_ver[3] = 3636;
	s.product_ver[0] = 10;
	s.strings[MKPE_PRODUCT] = "Microsoft® Windows® Operating System";
	img = build(&s, &len, NULL);
	ck_assert_int_eq(read_mem(img, len, "cmd.exe", &v), OFFMIG_OK);
	for (i = 0; i < MKPE_NSTRINGS; i++)
		if (i != MKPE_PRODUCT)
			ck_assert_ptr_null(v.strings[i]);
	ck_assert_str_eq(pe_version_get(&v, "ProductName"),
	    "Microsoft® Windows® Operating System");
	ck_assert_str_eq(pe_version_get(&v, "FileVersion"), "10.0.19041.3636");
	ck_assert_str_eq(pe_version_get(&v, "ProductVersion"), "10.0.0.0");
	ck_assert_ptr_null(pe_version_get(&v, "CompanyName"));
	pe_version_release(&v);
	free(img);

	/* No VS_FIXEDFILEINFO: strings only, no fallback. */
	s.no_fixed = 1;
	s.strings[MKPE_FILEVERSION] = "1.2.3";
	img = build(&s, &len, NULL);
	ck_assert_int_eq(read_mem(img, len, "nofixed.dll", &v), OFFMIG_OK);
	ck_assert_int_eq(v.has_fixed, 0);
	ck_assert_uint_eq(v.file_ver[0], 0);
	ck_assert_str_eq(pe_version_get(&v, "FileVersion"), "1.2.3");
	ck_assert_ptr_null(pe_version_get(&v, "ProductVersion"));
	pe_version_release(&v);
	free(img);
}
END_TEST

START_TEST(test_not_found)
{
	struct mkpe_spec s;
	struct pe_version v;
	unsigned char *img;
	size_t len;

	memset(&s, 0, sizeof(s));
	s.machine = MKPE_I386;
	s.no_version = 1;
	img = build(&s, &len, NULL);
	ck_assert_int_eq(read_mem(img, len, "C:\\icons.dll", &v),
	    OFFMIG_ENOTFOUND);
	ck_assert_str_eq(offmig_errmsg(ctx),
	    "C:\\icons.dll: no version resource");
	/* The machine is still known, for the callers that want it. */
	ck_assert_uint_eq(v.machine, MKPE_I386);
	ck_assert_ptr_null(v.strings[0]);
	pe_version_release(&v);
	free(img);

	s.no_rsrc = 1;
	img = build(&s, &len, NULL);
	ck_assert_int_eq(read_mem(img, len, "bare.exe", &v), OFFMIG_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "bare.exe: no "
	    "version resource"));
	pe_version_release(&v);
	free(img);
}
END_TEST

/* US English is preferred among languages, else the first. */
START_TEST(test_language_choice)
{
	struct mkpe_spec s;
	struct pe_version v;
	unsigned char *img;
	size_t len;

	spec_full(&s, MKPE_AMD64);
	s.other_lang = 0x407;		/* sorted before 0x409 */
	s.other_strings[MKPE_COMPANY] = "Deutsche Firma";
	img = build(&s, &len, NULL);
	ck_assert_int_eq(read_mem(img, len, "a.exe", &v), OFFMIG_OK);
	ck_assert_str_eq(v.strings[MKPE_COMPANY], "Société Générale");
	pe_version_release(&v);
	free(img);

	s.lang = 0x40C;
	s.table = "040C04B0";
	s.other_lang = 0x411;		/* after 0x40C: the first wins */
	s.other_strings[MKPE_COMPANY] = "日本の会社";
	img = build(&s, &len, NULL);
	ck_assert_int_eq(read_mem(img, len, "b.exe", &v), OFFMIG_OK);
	ck_assert_str_eq(v.strings[MKPE_COMPANY], "Société Générale");
	pe_version_release(&v);
	free(img);

	s.other_lang = 0x407;		/* before 0x40C: now it is the first */
	img = build(&s, &len, NULL);
	ck_assert_int_eq(read_mem(img, len, "c.exe", &v), OFFMIG_OK);
	ck_assert_str_eq(v.strings[MKPE_COMPANY], "日本の会社");
	ck_assert_ptr_null(v.strings[MKPE_PRODUCT]);
	pe_version_release(&v);
	free(img);
}
END_TEST

/* 040904B0, then 040904E4, then the first table. */
START_TEST(test_table_choice)
{
	static const struct {
		const char	*first, *second;
		int		 want_first;
	} cases[] = {
		{ "040704B0", "040904B0", 0 },
		{ "040704B0", "040904e4", 0 },
		{ "040904E4", "040904B0", 0 },
		{ "040904B0", "040904E4", 1 },
		{ "040704B0", "040C04B0", 1 },
		{ "000004B0", "041104B0", 1 },
	};
	struct mkpe_spec s;
	struct pe_version v;
	unsigned char *img;
	size_t len, i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&s, 0, sizeof(s));
		s.other_table = cases[i].first;
		s.other_strings[MKPE_DESCRIPTION] = "first";
		s.table = cases[i].second;
		s.strings[MKPE_DESCRIPTION] = "second";
		s.strings[MKPE_ORIGINAL] = "x.exe";
		img = build(&s, &len, NULL);
		ck_assert_int_eq(read_mem(img, len, "t.exe", &v), OFFMIG_OK);
		ck_assert_msg(strcmp(v.strings[MKPE_DESCRIPTION],
		    cases[i].want_first ? "first" : "second") == 0,
		    "%s then %s: got %s", cases[i].first, cases[i].second,
		    v.strings[MKPE_DESCRIPTION]);
		/* Strings are never mixed from two tables. */
		if (cases[i].want_first)
			ck_assert_ptr_null(v.strings[MKPE_ORIGINAL]);
		else
			ck_assert_str_eq(v.strings[MKPE_ORIGINAL], "x.exe");
		pe_version_release(&v);
		free(img);
	}
}
END_TEST

/* Offsets of the resource tree of an mkpe image, found by walking it. */
struct tree {
	size_t	 root;		/* file offsets */
	size_t	 type_dir, lang_dir, data_entry;
};

static void
find_tree(const unsigned char *img, const struct mkpe_layout *lay,
    struct tree *t)
{
	size_t r = lay->rsrc_off;

	t->root = r;
	ck_assert_uint_eq(le32(img + r + 16), 16);	/* RT_VERSION first */
	t->type_dir = r + (le32(img + r + 20) & 0x7FFFFFFF);
	t->lang_dir = r + (le32(img + t->type_dir + 20) & 0x7FFFFFFF);
	t->data_entry = r + le32(img + t->lang_dir + 20);
	ck_assert_uint_eq(le32(img + t->data_entry) - lay->rsrc_rva +
	    lay->rsrc_off, lay->vs_off);
}

/* One damage: where (an offset from find_tree's data), what to write. */
enum where {
	W_ABS, W_PE, W_OPT, W_SECT, W_ROOT, W_TYPEDIR, W_LANGDIR, W_DATA, W_VS,
	W_TRUNCATE
};
static const struct damage {
	const char	*what;
	enum where	 where;
	size_t		 off;
	int		 size;		/* 1, 2, 4 bytes */
	uint32_t	 value;		/* for W_TRUNCATE: the bytes kept */
	const char	*msg;		/* in the error message */
} damages[] = {
	{ "no MZ", W_ABS, 0, 2, 0x457F, "no MZ signature" },
	{ "e_lfanew past the end", W_ABS, 0x3C, 4, 0x7FFFFFF0,
	    "e_lfanew 0x7ffffff0 points past the end" },
	{ "no PE signature", W_PE, 0, 4, 0x0000454E, "no PE signature" },
	{ "no optional header", W_PE, 20, 2, 0, "no optional header" },
	{ "huge optional header", W_PE, 20, 2, 0xFFFF,
	    "SizeOfOptionalHeader 65535 is implausible" },
	{ "short optional header", W_PE, 20, 2, 0x40, "optional header too "
	    "short" },
	{ "bad magic", W_OPT, 0, 2, 0x107, "unknown optional header magic "
	    "0x0107" },
	{ "no sections", W_PE, 6, 2, 0,
	    "no sections, yet a resource directory" },
	{ "65535 sections", W_PE, 6, 2, 0xFFFF,
	    "section table (65535 sections" },
	{ "resource RVA nowhere", W_OPT, 112 + 16, 4, 0x00900000,
	    "the resource directory's RVA 0x900000 is in no section" },
	{ "rsrc raw data past the end", W_SECT, 40 + 20, 4, 0x7FFFFF00,
	    "RVA 0x2000 is in no section" },
	{ "root: huge id count", W_ROOT, 14, 2, 0xFFFF,
	    "has 65535 entries (more than 4096)" },
	{ "root: huge name count", W_ROOT, 12, 2, 0xFFFF,
	    "has 65537 entries (more than 4096)" },
	{ "root: entries past the section", W_ROOT, 14, 2, 4000,
	    "its 4000 entries run past the resource section" },
	{ "type dir outside", W_ROOT, 20, 4, 0x8FFFFFF0,
	    "at offset 0xffffff0 is outside the resource section" },
	{ "type entry to data", W_ROOT, 20, 4, 0x20,
	    "the root resource directory entry points to data" },
	{ "loop to the root", W_TYPEDIR, 20, 4, 0x80000000,
	    "resource directory loop: the RT_VERSION directory points back "
	    "to offset 0x0" },
	{ "language entry to a directory", W_LANGDIR, 20, 4, 0x80000000,
	    "deeper than three levels" },
	{ "type dir points to itself", W_TYPEDIR, 20, 4, 0x80000020,
	    "resource directory loop" },
	{ "data entry outside", W_LANGDIR, 20, 4, 0x7FFFFF00,
	    "resource data entry at offset 0x7fffff00 is outside" },
	{ "lang dir: huge count", W_LANGDIR, 14, 2, 0x5000,
	    "has 20480 entries (more than 4096)" },
	{ "data RVA nowhere", W_DATA, 0, 4, 0xF0000000,
	    "version resource data at RVA 0xf0000000 is in no section" },
	{ "data size huge", W_DATA, 4, 4, 0xFFFFFFFF,
	    "(4294967295 bytes at RVA 0x20a0) runs past the end of the file" },
	{ "rsrc section cut short", W_SECT, 40 + 16, 4, 0x100,
	    "(720 bytes at RVA 0x20a0) runs past the end of its section" },
	{ "data size tiny", W_DATA, 4, 4, 4, "version resource of 4 bytes" },
	{ "VS wLength too small", W_VS, 0, 2, 4, "has wLength 4 (less than" },
	{ "VS wLength past the data", W_DATA, 4, 4, 0x40,
	    "VS_VERSIONINFO at offset 0 has wLength" },
	{ "VS key", W_VS, 6, 2, 'W', "the root block's key is not "
	    "VS_VERSION_INFO" },
	{ "VS key unterminated", W_VS, 0, 2, 0x24,
	    "its key has no terminator" },
	{ "fixed signature", W_VS, 40, 4, 0xFEEF04BC,
	    "signature is 0xfeef04bc, not 0xfeef04bd" },
	{ "fixed too short", W_VS, 2, 2, 20, "VS_FIXEDFILEINFO of 20 bytes" },
	{ "child wLength 0", W_VS, 92, 2, 0, "a VS_VERSIONINFO child at offset "
	    "92 has wLength 0" },
	{ "child past the parent", W_VS, 92, 2, 0xFFF0,
	    "past its parent's end" },
	{ "truncated in the version data", W_TRUNCATE, 0, 0, 0x4C0,
	    "runs past the end of the file (1216 bytes)" },
	{ "truncated in the resource directory", W_TRUNCATE, 0, 0, 0x408,
	    "resource directory (root) at offset 0x0 is outside" },
	{ "truncated in the section table", W_TRUNCATE, 0, 0, 0x1A0,
	    "section table (2 sections at offset 392) runs past the end" },
	{ "truncated in the optional header", W_TRUNCATE, 0, 0, 0x100,
	    "the optional header (240 bytes at offset 152) runs past the end "
	    "of the file (256 bytes)" },
};

static void
poke(unsigned char *p, int size, uint32_t v)
{
	int i;

	for (i = 0; i < size; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

START_TEST(test_damage)
{
	const struct damage *d = &damages[_i];
	struct mkpe_spec s;
	struct mkpe_layout lay;
	struct pe_version v;
	struct tree t;
	unsigned char *img;
	size_t len, base = 0;
	int ret;

	spec_full(&s, MKPE_AMD64);
	img = build(&s, &len, &lay);
	find_tree(img, &lay, &t);
	switch (d->where) {
	case W_ABS: base = 0; break;
	case W_PE: base = lay.pe_off; break;
	case W_OPT: base = lay.opt_off; break;
	case W_SECT: base = lay.sect_off; break;
	case W_ROOT: base = t.root; break;
	case W_TYPEDIR: base = t.type_dir; break;
	case W_LANGDIR: base = t.lang_dir; break;
	case W_DATA: base = t.data_entry; break;
	case W_VS: base = lay.vs_off; break;
	case W_TRUNCATE: break;
	}
	if (d->where == W_TRUNCATE)
		len = d->value;
	else
		poke(img + base + d->off, d->size, d->value);
	ret = read_mem(img, len, "Windows/damaged.exe", &v);
	ck_assert_msg(ret == OFFMIG_ECORRUPT, "%s: got %d (%s)", d->what, ret,
	    offmig_errmsg(ctx));
	ck_assert_msg(strncmp(offmig_errmsg(ctx), "Windows/damaged.exe: ",
	    21) == 0 && strstr(offmig_errmsg(ctx), d->msg) != NULL,
	    "%s: message '%s' lacks '%s'", d->what, offmig_errmsg(ctx), d->msg);
	ck_assert_ptr_null(v.strings[0]);
	pe_version_release(&v);
	free(img);
}
END_TEST

START_TEST(test_not_pe)
{
	static const char text[] = "this is a text file, not a program\n";
	unsigned char mz[128];
	struct pe_version v;
	int p[2];

	ck_assert_int_eq(read_mem("", 0, "empty.exe", &v), OFFMIG_ECORRUPT);
	ck_assert_str_eq(offmig_errmsg(ctx), "empty.exe: not a PE file (0 "
	    "bytes, too short for a DOS header)");
	ck_assert_int_eq(read_mem(text, sizeof(text) - 1, "readme.exe", &v),
	    OFFMIG_ECORRUPT);
	ck_assert_str_eq(offmig_errmsg(ctx), "readme.exe: not a PE file (35 "
	    "bytes, too short for a DOS header)");
	/* An MS-DOS program: MZ but no PE header at e_lfanew. */
	memset(mz, 0, sizeof(mz));
	memcpy(mz, "MZ", 2);
	put_le32(mz + 0x3C, 0x40);
	ck_assert_int_eq(read_mem(mz, sizeof(mz), "dos.com", &v),
	    OFFMIG_ECORRUPT);
	ck_assert_str_eq(offmig_errmsg(ctx), "dos.com: not a PE file (no PE "
	    "signature at e_lfanew 0x40; an MS-DOS, NE or LE program?)");
	/* A pipe is not read (it could block or never end). */
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pe_version_read(ctx, p[0], "fifo.exe", &v),
	    OFFMIG_ECORRUPT);
	ck_assert_str_eq(offmig_errmsg(ctx), "fifo.exe: not a regular file");
	close(p[0]);
	close(p[1]);
	/* A closed descriptor is an I/O error. */
	ck_assert_int_eq(pe_version_read(ctx, p[0], "gone.exe", &v),
	    OFFMIG_EIO);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "gone.exe"));
}
END_TEST

/*
 * A sparse 3 GiB file whose .rsrc section claims 2 GiB: the version is read
 * with a few small reads; a directory offset past the 16 MiB window is
 * refused without reading there.
 */
START_TEST(test_huge_file)
{
	struct mkpe_spec s;
	struct mkpe_layout lay;
	struct pe_version v;
	struct tree t;
	unsigned char *img;
	size_t len;
	int fd;

	spec_full(&s, MKPE_AMD64);
	img = build(&s, &len, &lay);
	find_tree(img, &lay, &t);
	put_le32(img + lay.sect_off + 40 + 16, 0x80000000u);
	fd = mem_fd(img, len);
	ck_assert_int_eq(ftruncate(fd, (off_t)3 << 30), 0);
	ck_assert_int_eq(pe_version_read(ctx, fd, "big.exe", &v), OFFMIG_OK);
	check_full(&v, MKPE_AMD64);
	pe_version_release(&v);
	put_le32(img + t.root + 20, 0x80000000u | (16u << 20));
	ck_assert_int_eq(pwrite(fd, img, len, 0), (ssize_t)len);
	ck_assert_int_eq(pe_version_read(ctx, fd, "big.exe", &v),
	    OFFMIG_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "big.exe: resource "
	    "directory (RT_VERSION) at offset 0x1000000 is outside"));
	close(fd);
	free(img);
}
END_TEST

/* Result of reading a damaged copy: never a crash; errors name the file. */
static void
sweep_one(const unsigned char *img, size_t len, int must_fail,
    const char *what, size_t at)
{
	struct pe_version v;
	size_t i;
	int ret;

	ret = read_mem(img, len, "sweep.exe", &v);
	ck_assert_msg(ret == OFFMIG_OK || ret == OFFMIG_ECORRUPT ||
	    ret == OFFMIG_ENOTFOUND, "%s %zu: %d", what, at, ret);
	if (ret != OFFMIG_OK) {
		ck_assert_msg(strncmp(offmig_errmsg(ctx), "sweep.exe: ", 11) ==
		    0, "%s %zu: '%s'", what, at, offmig_errmsg(ctx));
		ck_assert_ptr_null(v.strings[0]);
	} else {
		ck_assert_msg(!must_fail, "%s %zu: read as valid", what, at);
		for (i = 0; i < 8; i++)
			if (v.strings[i] != NULL)
				ck_assert_uint_gt(strlen(v.strings[i]), 0);
	}
	pe_version_release(&v);
}

START_TEST(test_truncation_sweep)
{
	struct mkpe_spec s;
	struct mkpe_layout lay;
	unsigned char *img;
	size_t len, cut;

	spec_full(&s, _i ? MKPE_I386 : MKPE_AMD64);
	img = build(&s, &len, &lay);
	for (cut = 0; cut < len; cut++)
		sweep_one(img, cut, cut < lay.vs_off + lay.vs_len, "cut at",
		    cut);
	free(img);
}
END_TEST

START_TEST(test_flip_sweep)
{
	struct mkpe_spec s;
	struct mkpe_layout lay;
	unsigned char *img, *copy;
	uint64_t rng = 0x5DEECE66Dull + (uint64_t)_i;
	size_t len, n, at, k;

	spec_full(&s, _i ? MKPE_I386 : MKPE_AMD64);
	s.other_table = "040704B0";
	s.other_strings[MKPE_COMPANY] = "Zweite Tabelle";
	img = build(&s, &len, &lay);
	ck_assert_ptr_nonnull(copy = malloc(len));
	for (n = 0; n < 2000; n++) {
		memcpy(copy, img, len);
		/* Mostly single bits in the headers and the resources. */
		for (k = 0; k < 1 + n % 3; k++) {
			rng = rng * 6364136223846793005ull +
			    1442695040888963407ull;
			at = (size_t)(rng >> 33) % len;
			if (n % 2 == 0)		/* the interesting part */
				at = (size_t)(rng >> 33) % 2 == 0 ?
				    (size_t)(rng >> 35) % 0x200 :
				    lay.rsrc_off + (size_t)(rng >> 35) %
				    lay.rsrc_size;
			copy[at] ^= (unsigned char)(1u << ((rng >> 20) & 7));
		}
		sweep_one(copy, len, 0, "flips", n);
	}
	/* Every byte of the resource data set to 0xFF, one at a time. */
	for (at = lay.rsrc_off; at < lay.rsrc_off + lay.rsrc_size; at++) {
		memcpy(copy, img, len);
		copy[at] = 0xFF;
		sweep_one(copy, len, 0, "0xFF at", at);
	}
	free(copy);
	free(img);
}
END_TEST

/* The mkwinvol "pe" directive, end to end. */
START_TEST(test_mkwinvol_pe)
{
	static const char desc[] =
	    "layout win10\n"
	    "pe \"Program Files/Notepad++/notepad++.exe\" file-version=8.6.2.0 "
	    "company=\"Société Générale\" description=\"Notepad++\" "
	    "product=Notepad++ original=notepad++.exe internal=npp "
	    "copyright=\"Copyright (C) 2024\"\n"
	    "pe \"Program Files (x86)/Old/old.exe\" machine=I386 "
	    "file-version=6.1.7600.16385 product-version=6.1 "
	    "file-version-text=\"6.1.7600.16385 (win7_rtm.090713-1255)\"\n"
	    "pe Windows/arm.dll machine=ARM64 no-version\n";
	char path[1024], vol[512], cmd[2600];
	struct pe_version v;
	int fd;

	snprintf(path, sizeof(path), "%s/pe.vol", tmpdir);
	t_write_file(path, desc, sizeof(desc) - 1);
	snprintf(vol, sizeof(vol), "%s/vol", tmpdir);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s'", t_env("OFFMIG_MKWINVOL"),
	    path, vol);
	ck_assert_int_eq(system(cmd), 0);

	snprintf(path, sizeof(path), "%s/Program Files/Notepad++/notepad++.exe",
	    vol);
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	ck_assert_int_eq(pe_version_read(ctx, fd, path, &v), OFFMIG_OK);
	close(fd);
	ck_assert_uint_eq(v.machine, 0x8664);
	ck_assert_str_eq(pe_version_get(&v, "FileVersion"), "8.6.2.0");
	ck_assert_str_eq(pe_version_get(&v, "ProductVersion"), "8.6.2.0");
	ck_assert_str_eq(pe_version_get(&v, "CompanyName"), "Société Générale");
	ck_assert_str_eq(pe_version_get(&v, "FileDescription"), "Notepad++");
	ck_assert_str_eq(pe_version_get(&v, "ProductName"), "Notepad++");
	ck_assert_str_eq(pe_version_get(&v, "OriginalFilename"),
	    "notepad++.exe");
	ck_assert_str_eq(pe_version_get(&v, "InternalName"), "npp");
	ck_assert_str_eq(pe_version_get(&v, "LegalCopyright"),
	    "Copyright (C) 2024");
	ck_assert_int_eq(version_match(pe_version_get(&v, "FileVersion"),
	    "8.*"), 1);
	pe_version_release(&v);

	snprintf(path, sizeof(path), "%s/Program Files (x86)/Old/old.exe", vol);
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	ck_assert_int_eq(pe_version_read(ctx, fd, path, &v), OFFMIG_OK);
	close(fd);
	ck_assert_uint_eq(v.machine, 0x14C);
	ck_assert_uint_eq(v.file_ver[3], 16385);
	ck_assert_uint_eq(v.product_ver[1], 1);
	ck_assert_str_eq(pe_version_get(&v, "FileVersion"),
	    "6.1.7600.16385 (win7_rtm.090713-1255)");
	ck_assert_str_eq(pe_version_get(&v, "ProductVersion"), "6.1.0.0");
	ck_assert_int_eq(version_match(pe_version_get(&v, "FileVersion"),
	    "6.1.*"), 1);
	ck_assert_int_gt(version_cmp(pe_version_get(&v, "FileVersion"),
	    "6.1.7600.16384"), 0);
	pe_version_release(&v);

	snprintf(path, sizeof(path), "%s/Windows/arm.dll", vol);
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	ck_assert_int_eq(pe_version_read(ctx, fd, path, &v), OFFMIG_ENOTFOUND);
	close(fd);
	ck_assert_uint_eq(v.machine, 0xAA64);
	pe_version_release(&v);
}
END_TEST

/*
 * tests/fixtures/plan10.vol builds, and its executables carry the versions
 * the USMT fixture rules test (the volume is also built for the plan tests
 * once it is listed in FIXTURE_VOLUMES).
 */
START_TEST(test_plan10_versions)
{
	static const struct {
		const char	*path, *tag, *value;
		uint16_t	 machine;
	} files[] = {
		{ "Program Files/Notepad++/notepad++.exe", "FileVersion",
		    "8.6.2.0", 0x8664 },
		{ "Program Files/7-Zip/7zFM.exe", "FileVersion", "23.01",
		    0x8664 },
		{ "Program Files/Microsoft Office/root/Office16/WINWORD.EXE",
		    "FileVersion", "16.0.17126.20132", 0x8664 },
		{ "Program Files/Microsoft Office/root/Office16/OUTLOOK.EXE",
		    "ProductName", "Microsoft Outlook", 0x8664 },
		{ "Program Files (x86)/VideoLAN/VLC/vlc.exe", "CompanyName",
		    "VideoLAN", 0x014C },
	};
	char path[1024], vol[512], cmd[2600];
	struct pe_version v;
	size_t i;
	int fd;

	snprintf(vol, sizeof(vol), "%s/plan10", tmpdir);
	snprintf(cmd, sizeof(cmd), "'%s' '%s/fixtures/plan10.vol' '%s'",
	    t_env("OFFMIG_MKWINVOL"), t_env("OFFMIG_SRCDIR"), vol);
	ck_assert_int_eq(system(cmd), 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", vol, files[i].path);
		ck_assert_msg((fd = open(path, O_RDONLY)) >= 0, "%s: %s", path,
		    strerror(errno));
		ck_assert_int_eq(pe_version_read(ctx, fd, files[i].path, &v),
		    OFFMIG_OK);
		close(fd);
		ck_assert_uint_eq(v.machine, files[i].machine);
		ck_assert_str_eq(pe_version_get(&v, files[i].tag),
		    files[i].value);
		pe_version_release(&v);
	}
	/* Office 16 as MigApp-style rules test it. */
	snprintf(path, sizeof(path), "%s/Program Files/Microsoft Office/root/"
	    "Office16/WINWORD.EXE", vol);
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	ck_assert_int_eq(pe_version_read(ctx, fd, "WINWORD.EXE", &v),
	    OFFMIG_OK);
	close(fd);
	ck_assert_int_eq(version_match(pe_version_get(&v, "ProductVersion"),
	    "16.*"), 1);
	ck_assert_int_eq(version_match(pe_version_get(&v, "FileVersion"),
	    "15.*"), 0);
	ck_assert_int_lt(version_cmp(pe_version_get(&v, "FileVersion"),
	    "16.0.17200"), 0);
	pe_version_release(&v);
}
END_TEST

static const struct {
	const char	*a, *b;
	int		 cmp;
} cmps[] = {
	{ "6.1", "6.1", 0 },
	{ "6.1", "6.1.0.0", 0 },
	{ "6.10", "6.9", 1 },
	{ "6.9", "6.10", -1 },
	{ "10.0.19041.1", "6.3.9600.0", 1 },
	{ "6.1.7600.16385 (win7_rtm.090713-1255)", "6.1.7600.16385", 0 },
	{ "6.1.7600.16385 (win7_rtm.090713-1255)", "6.1.7601", -1 },
	{ "5, 1, 2600, 0", "5.1.2600.0", 0 },
	{ "5,1,2600,5512", "5.1.2600.5511", 1 },
	{ "  8.6.2", "8.6.1.99", 1 },
	{ "06.01", "6.1", 0 },
	{ "1.2.3.4.5", "1.2.3.4", 1 },
	{ "18446744073709551615", "99999999999999999999999", 0 },
	{ "1.2.", "1.2", 0 },
	{ "1..2", "1", 0 },
	{ "v2.0", "0", 0 },
	{ "", "0.0", 0 },
	{ NULL, "0", 0 },
	{ "0.0.0.1", NULL, 1 },
	{ "16.0.17126.20132", "16.0.17126.20131", 1 },
	{ "65535.65535.65535.65535", "65535.65535.65535.65534", 1 },
};

START_TEST(test_version_cmp)
{
	int r = version_cmp(cmps[_i].a, cmps[_i].b);

	ck_assert_msg((r > 0) - (r < 0) == cmps[_i].cmp,
	    "version_cmp(%s, %s) = %d, want %d", cmps[_i].a ? cmps[_i].a :
	    "NULL", cmps[_i].b ? cmps[_i].b : "NULL", r, cmps[_i].cmp);
	r = version_cmp(cmps[_i].b, cmps[_i].a);
	ck_assert_int_eq((r > 0) - (r < 0), -cmps[_i].cmp);
}
END_TEST

static const struct {
	const char	*have, *pattern;
	int		 match;
} matches[] = {
	{ "6.1.7600.16385", "6.*", 1 },
	{ "6.1.7600.16385", "6.1.*", 1 },
	{ "6.1.7600.16385", "6.2.*", 0 },
	{ "6.10.1", "6.1.*", 0 },
	{ "6.1.7600.16385", "*", 1 },
	{ "anything", "*", 1 },
	{ "", "*", 1 },
	{ "6.1.7600.16385", "6.1.7600.16385", 1 },
	{ "6.1.7600.16385", "6.1.7600.16384", 0 },
	{ "6.1", "6.1.0.0", 1 },
	{ "6.1.0.0", "6.1", 1 },
	{ "6.1.7600.16385", "6.1", 0 },
	{ "6", "6.*", 1 },
	{ "7.0", "6.*", 0 },
	{ "6.1.7600.16385 (win7_rtm.090713-1255)", "6.1.*", 1 },
	{ "6.1.7600.16385 (win7_rtm.090713-1255)", "6.1.7600.16385", 1 },
	{ "6.1.7600.16385 (win7_rtm.090713-1255)", "6.1.7600.16385 (win7*",
	    1 },
	{ "6.1.7600.16385 (win7_rtm.090713-1255)", "6.1.7600.16385 (WIN7*",
	    1 },
	{ "6.1.7600.16385 (win7_rtm.090713-1255)", "*win8*", 0 },
	{ "5, 1, 2600, 5512", "5.1.*", 1 },
	{ "06.01.0001", "6.1.1", 1 },
	{ "6.1.7600", "6.*.7600", 1 },
	{ "6.2.7600", "6.*.7600", 1 },
	{ "6.2.7601", "6.*.7600", 0 },
	{ "6.1.7600", "6.1.76*", 1 },
	{ "6.1.7700", "6.1.76*", 0 },
	{ "16.0.17126.20132", "16.*", 1 },
	{ "16.0.17126.20132", "15.*", 0 },
	{ "1.2.3", "1.2.3.*", 1 },
	{ "1.2", "1..2", 0 },
	{ "1.2", "1.2.", 0 },
	{ "unknown", "6.*", 0 },
	{ "Microsoft Corporation", "Microsoft*", 1 },
	{ "", "", 1 },
	{ "1.0", "", 0 },
	{ NULL, "*", 0 },
	{ "1.0", NULL, 0 },
	{ " 8.6.2.0 ", " 8.* ", 1 },
};

START_TEST(test_version_match)
{
	ck_assert_msg(version_match(matches[_i].have, matches[_i].pattern) ==
	    matches[_i].match, "version_match(%s, %s) != %d",
	    matches[_i].have ? matches[_i].have : "NULL",
	    matches[_i].pattern ? matches[_i].pattern : "NULL",
	    matches[_i].match);
}
END_TEST

static Suite *
pever_suite(void)
{
	Suite *s = suite_create("pever");
	TCase *tc;

	tc = tcase_create("read");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip_pe32plus);
	tcase_add_test(tc, test_round_trip_pe32);
	tcase_add_test(tc, test_round_trip_arm64);
	tcase_add_test(tc, test_fixed_fallback);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_language_choice);
	tcase_add_test(tc, test_table_choice);
	tcase_add_test(tc, test_not_pe);
	tcase_add_test(tc, test_huge_file);
	tcase_add_loop_test(tc, test_damage, 0,
	    (int)(sizeof(damages) / sizeof(damages[0])));
	tcase_add_test(tc, test_mkwinvol_pe);
	tcase_add_test(tc, test_plan10_versions);
	suite_add_tcase(s, tc);

	tc = tcase_create("sweep");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_truncation_sweep, 0, 2);
	tcase_add_loop_test(tc, test_flip_sweep, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("versions");
	tcase_add_loop_test(tc, test_version_cmp, 0,
	    (int)(sizeof(cmps) / sizeof(cmps[0])));
	tcase_add_loop_test(tc, test_version_match, 0,
	    (int)(sizeof(matches) / sizeof(matches[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pever_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
