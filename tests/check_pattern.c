/*
 * check_pattern.c - USMT encoded locations: parsing (canonical text, node
 * and leaf, every error with its wording), matching (folder only against
 * recursive, leaf wildcards, node-only patterns, registry default values,
 * Windows case folding beyond ASCII, '^' escapes, bytes that are not
 * UTF-8), the pruning predicates, roots and specificity.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "migrate/pattern.h"
#include "testutil.h"

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
}

static struct upat *
parse_ok(enum upat_type t, const char *text)
{
	struct upat *p = NULL;
	int ret = upat_parse(ctx, t, text, &p);

	ck_assert_msg(ret == OFFMIG_OK, "'%s': %d %s", text, ret,
	    offmig_errmsg(ctx));
	ck_assert_ptr_nonnull(p);
	return p;
}

/* ------------------------------------------------------------------ */

static const struct {
	enum upat_type	 t;
	const char	*in, *text, *node, *leaf;	/* leaf NULL: none */
} valid[] = {
	{ UPAT_FILE, "C:\\Folder\\ [*]", "C:\\Folder [*]", "C:\\Folder", "*" },
	{ UPAT_FILE, "C:\\Folder\\* [*]", "C:\\Folder\\* [*]",
	    "C:\\Folder\\*", "*" },
	{ UPAT_FILE, "C:\\* [Sample.doc]", "C:\\* [Sample.doc]", "C:\\*",
	    "Sample.doc" },
	{ UPAT_FILE, "c:\\Windows\\System32", "c:\\Windows\\System32",
	    "c:\\Windows\\System32", NULL },
	{ UPAT_FILE, "  C:\\Data\\*   [*.mp3]\r\n", "C:\\Data\\* [*.mp3]",
	    "C:\\Data\\*", "*.mp3" },
	{ UPAT_FILE, "C:\\Docs [file^].txt]", "C:\\Docs [file^].txt]",
	    "C:\\Docs", "file].txt" },
	{ UPAT_FILE, "C:\\Docs [^[a^] b^^c]", "C:\\Docs [^[a^] b^^c]",
	    "C:\\Docs", "[a] b^c" },
	{ UPAT_FILE, "C:\\a^[1^] [x]", "C:\\a^[1^] [x]", "C:\\a[1]", "x" },
	{ UPAT_FILE, "C:/Users//bob\\\\Docs/ [**.txt]",
	    "C:\\Users\\bob\\Docs [*.txt]", "C:\\Users\\bob\\Docs", "*.txt" },
	{ UPAT_FILE, "C:\\ [*]", "C: [*]", "C:", "*" },
	{ UPAT_FILE, "C:\\Users\\*\\AppData\\** [*]",
	    "C:\\Users\\*\\AppData\\* [*]", "C:\\Users\\*\\AppData\\*", "*" },
	{ UPAT_FILE, "C:\\Ärger\\ [Übel.DOC]", "C:\\Ärger [Übel.DOC]",
	    "C:\\Ärger", "Übel.DOC" },
	{ UPAT_REGISTRY, "HKLM\\Software\\MyKey []",
	    "HKLM\\Software\\MyKey []", "HKLM\\Software\\MyKey", "" },
	{ UPAT_REGISTRY, "HKEY_LOCAL_MACHINE\\Software\\X [Path]",
	    "HKLM\\Software\\X [Path]", "HKLM\\Software\\X", "Path" },
	{ UPAT_REGISTRY, "hkey_current_user\\Software\\* [*]",
	    "HKCU\\Software\\* [*]", "HKCU\\Software\\*", "*" },
	{ UPAT_REGISTRY, "hkcu\\Control Panel\\Desktop",
	    "HKCU\\Control Panel\\Desktop", "HKCU\\Control Panel\\Desktop",
	    NULL },
	{ UPAT_REGISTRY, "HKCU\\Software\\a/b [c\\d]",
	    "HKCU\\Software\\a/b [c\\d]", "HKCU\\Software\\a/b", "c\\d" },
	{ UPAT_INI, "%WINDIR%\\win.ini|Desktop[Wallpaper]",
	    "%WINDIR%\\win.ini|Desktop[Wallpaper]", "%WINDIR%\\win.ini|Desktop",
	    "Wallpaper" },
	{ UPAT_INI, "C:\\x.ini|Sec", "C:\\x.ini|Sec", "C:\\x.ini|Sec", NULL },
};

START_TEST(test_parse_valid)
{
	struct upat *p = parse_ok(valid[_i].t, valid[_i].in);

	ck_assert_int_eq(upat_type(p), valid[_i].t);
	ck_assert_str_eq(upat_text(p), valid[_i].text);
	ck_assert_str_eq(upat_node(p), valid[_i].node);
	ck_assert_int_eq(upat_has_leaf(p), valid[_i].leaf != NULL);
	if (valid[_i].leaf != NULL)
		ck_assert_str_eq(upat_leaf(p), valid[_i].leaf);
	else
		ck_assert_ptr_null(upat_leaf(p));
	/* The canonical text parses back to itself. */
	{
		struct upat *q = parse_ok(valid[_i].t, upat_text(p));

		ck_assert_str_eq(upat_text(q), upat_text(p));
		ck_assert_int_eq(upat_specificity_cmp(p, q), 0);
		upat_free(q);
	}
	upat_free(p);
}
END_TEST

static const struct {
	enum upat_type	 t;
	const char	*in, *msg;
} invalid[] = {
	{ UPAT_FILE, "", "empty pattern" },
	{ UPAT_FILE, " \t\r\n ", "empty pattern" },
	{ UPAT_FILE, "C:\\Windows[Notepad.exe]",
	    "missing space before '[' at column 11" },
	{ UPAT_FILE, "C:\\x [a", "unbalanced '[' at column 6: no closing ']'" },
	{ UPAT_FILE, "C:\\x] [a]", "unbalanced ']' at column 5" },
	{ UPAT_FILE, "C:\\x [a]b]", "unexpected text after ']' at column 9" },
	{ UPAT_FILE, "C:\\x [a] [b]", "unexpected text after ']' at column 9" },
	{ UPAT_FILE, "C:\\x [a[b]]", "'[' at column 8 inside the leaf opened "
	    "at column 6" },
	{ UPAT_FILE, "C:\\x [a^b]", "bad escape '^b' at column 8" },
	{ UPAT_FILE, "C:\\x^", "'^' at the end escapes nothing" },
	{ UPAT_FILE, "C:\\x [a]^", "unexpected text after ']' at column 9" },
	{ UPAT_FILE, "C:\\x\ty [a]", "control character 0x09 at column 5" },
	{ UPAT_FILE, "C:\\x [a\x01]", "control character 0x01 at column 8" },
	{ UPAT_FILE, "C:\\x [a\x7f]", "control character 0x7F at column 8" },
	{ UPAT_FILE, "[*.doc]", "no node" },
	{ UPAT_FILE, " [*.doc]", "no node" },
	{ UPAT_FILE, "\\ [*.doc]", "no node" },
	{ UPAT_FILE, "C:\\x []", "empty leaf '[]'" },
	{ UPAT_FILE, "C:\\x [a\\b]", "holds a path separator" },
	{ UPAT_FILE, "C:\\x\\..\\Windows [*]", "'..' in a pattern is refused" },
	{ UPAT_REGISTRY, "HKU\\S-1-5-18 [x]", "starts with HKLM\\ or HKCU\\" },
	{ UPAT_REGISTRY, "Software\\X [x]", "starts with HKLM\\ or HKCU\\" },
	{ UPAT_REGISTRY, "HKLMX\\Software [x]", "starts with HKLM\\ or HKCU\\" },
	{ UPAT_REGISTRY, "HKLM\\Software[x]", "missing space before '['" },
	{ UPAT_INI, "C:\\x.ini[key]", "has no '|'" },
	{ UPAT_INI, "|Sec[key]", "no file before '|'" },
};

START_TEST(test_parse_invalid)
{
	struct upat *p = (struct upat *)&p;	/* must be cleared */
	int ret = upat_parse(ctx, invalid[_i].t, invalid[_i].in, &p);

	ck_assert_int_eq(ret, OFFMIG_EXML);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(offmig_errmsg(ctx), invalid[_i].msg) != NULL,
	    "'%s': message '%s' lacks '%s'", invalid[_i].in,
	    offmig_errmsg(ctx), invalid[_i].msg);
}
END_TEST

START_TEST(test_parse_message_names_pattern)
{
	struct upat *p;

	ck_assert_int_eq(upat_parse(ctx, UPAT_FILE, "C:\\Stuff[x]", &p),
	    OFFMIG_EXML);
	ck_assert_str_eq(offmig_errmsg(ctx), "pattern 'C:\\Stuff[x]': missing "
	    "space before '[' at column 9 (write 'node [leaf]', or '^[' for a "
	    "bracket in a name)");
	ck_assert_int_eq(upat_parse(ctx, UPAT_FILE, NULL, &p), OFFMIG_EXML);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(upat_parse(ctx, (enum upat_type)7, "C:\\x", &p),
	    OFFMIG_EXML);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "unknown pattern "
	    "type 7"));
}
END_TEST

START_TEST(test_parse_huge)
{
	size_t n = UPAT_MAX_TEXT + 10, i;
	char *s = malloc(n + 1);
	struct upat *p;

	ck_assert_ptr_nonnull(s);
	/* Too long: refused, and the message quotes only the start. */
	memset(s, 'a', n);
	s[n] = '\0';
	ck_assert_int_eq(upat_parse(ctx, UPAT_FILE, s, &p), OFFMIG_EXML);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "longer than"));
	ck_assert_uint_lt(strlen(offmig_errmsg(ctx)), 200);

	/* Just short enough: many components and stars, still fast. */
	n = UPAT_MAX_TEXT - 16;
	memcpy(s, "C:", 2);
	for (i = 2; i < n; i++)
		s[i] = i % 4 == 2 ? '\\' : i % 4 == 0 ? '*' : 'b';
	memcpy(s + n, " [*a*]", 7);
	p = parse_ok(UPAT_FILE, s);
	ck_assert_int_eq(upat_match(p, "C:\\bb\\bb", "xa"), 0);
	s[n] = '\0';
	ck_assert_int_eq(upat_match(p, s, "xa"), 1);
	ck_assert_int_eq(upat_match(p, s, "xb"), 0);
	upat_free(p);

	/* A huge leaf full of escapes. */
	memcpy(s, "C:\\ [", 5);
	for (i = 5; i + 2 < UPAT_MAX_TEXT - 8; i += 2)
		memcpy(s + i, "^[", 2);
	memcpy(s + i, "]", 2);
	p = parse_ok(UPAT_FILE, s);
	ck_assert_uint_eq(strlen(upat_leaf(p)), (i - 5) / 2);
	upat_free(p);
	free(s);
}
END_TEST

/* ------------------------------------------------------------------ */

static const struct {
	enum upat_type	 t;
	const char	*pat, *dir, *leaf;
	int		 want;
} matches[] = {
	/* Folder only against folder and subfolders. */
	{ UPAT_FILE, "C:\\Folder\\ [*]", "C:\\Folder", "a.txt", 1 },
	{ UPAT_FILE, "C:\\Folder\\ [*]", "C:\\Folder\\Sub", "a.txt", 0 },
	{ UPAT_FILE, "C:\\Folder\\ [*]", "C:\\Folderx", "a.txt", 0 },
	{ UPAT_FILE, "C:\\Folder\\ [*]", "C:\\", "Folder", 0 },
	{ UPAT_FILE, "C:\\Folder\\* [*]", "C:\\Folder", "a.txt", 1 },
	{ UPAT_FILE, "C:\\Folder\\* [*]", "C:\\Folder\\Sub", "a.txt", 1 },
	{ UPAT_FILE, "C:\\Folder\\* [*]", "C:\\Folder\\Sub\\Deep\\er", "a", 1 },
	{ UPAT_FILE, "C:\\Folder\\* [*]", "C:\\FolderSub", "a.txt", 0 },
	{ UPAT_FILE, "C:\\Folder\\* [*]", "C:\\", "a.txt", 0 },
	{ UPAT_FILE, "C:\\Folder\\* [*]", "D:\\Folder", "a.txt", 0 },
	/* A name anywhere on the drive. */
	{ UPAT_FILE, "C:\\* [Sample.doc]", "C:", "Sample.doc", 1 },
	{ UPAT_FILE, "C:\\* [Sample.doc]", "C:\\", "sample.DOC", 1 },
	{ UPAT_FILE, "C:\\* [Sample.doc]", "C:\\a\\b\\c", "SAMPLE.doc", 1 },
	{ UPAT_FILE, "C:\\* [Sample.doc]", "C:\\a", "Sample.docx", 0 },
	{ UPAT_FILE, "C:\\* [Sample.doc]", "C:\\a", "xSample.doc", 0 },
	/* Leaf wildcards. */
	{ UPAT_FILE, "C:\\* [*.doc]", "C:\\x", "a.doc", 1 },
	{ UPAT_FILE, "C:\\* [*.doc]", "C:\\x", ".doc", 1 },
	{ UPAT_FILE, "C:\\* [*.doc]", "C:\\x", "a.b.DOC", 1 },
	{ UPAT_FILE, "C:\\* [*.doc]", "C:\\x", "a.docx", 0 },
	{ UPAT_FILE, "C:\\* [*.doc]", "C:\\x", "doc", 0 },
	{ UPAT_FILE, "C:\\* [*.doc]", "C:\\x", "a.dóc", 0 },
	{ UPAT_FILE, "C:\\* [*.tar.gz]", "C:\\x", "a.TAR.gz", 1 },
	{ UPAT_FILE, "C:\\* [*.tar.gz]", "C:\\x", "a.gz", 0 },
	{ UPAT_FILE, "C:\\* [a*b*c]", "C:", "abc", 1 },
	{ UPAT_FILE, "C:\\* [a*b*c]", "C:", "aXbYc", 1 },
	{ UPAT_FILE, "C:\\* [a*b*c]", "C:", "aXbYcd", 0 },
	{ UPAT_FILE, "C:\\* [a*b*c]", "C:", "acb", 0 },
	{ UPAT_FILE, "C:\\* [a*b*c]", "C:", "abcbc", 1 },
	{ UPAT_FILE, "C:\\* [*~*]", "C:", "~$doc.docx", 1 },
	{ UPAT_FILE, "C:\\* [*~*]", "C:", "doc.docx", 0 },
	{ UPAT_FILE, "C:\\* [ntuser.dat*]", "C:\\Users\\bob", "NTUSER.DAT", 1 },
	{ UPAT_FILE, "C:\\* [ntuser.dat*]", "C:\\Users\\bob",
	    "ntuser.dat.LOG1", 1 },
	{ UPAT_FILE, "C:\\* [ntuser.dat*]", "C:\\Users\\bob", "ntuser.da", 0 },
	/* Wildcards in the node go across components. */
	{ UPAT_FILE, "C:\\Users\\*\\Documents\\* [*]",
	    "C:\\Users\\bob\\Documents", "a", 1 },
	{ UPAT_FILE, "C:\\Users\\*\\Documents\\* [*]",
	    "C:\\Users\\bob\\x\\Documents\\y", "a", 1 },
	{ UPAT_FILE, "C:\\Users\\*\\Documents\\* [*]",
	    "C:\\Users\\bob\\Documentsx", "a", 0 },
	{ UPAT_FILE, "C:\\Users\\*\\Documents\\* [*]", "C:\\Users", "a", 0 },
	{ UPAT_FILE, "C:\\Users\\*\\Documents [*]",
	    "C:\\Users\\bob\\Documents", "a", 1 },
	{ UPAT_FILE, "C:\\Users\\*\\Documents [*]",
	    "C:\\Users\\bob\\Documents\\x", "a", 0 },
	{ UPAT_FILE, "C:\\Users\\bo* [*]", "C:\\Users\\bob", "a", 1 },
	{ UPAT_FILE, "C:\\Users\\bo* [*]", "C:\\Users\\bob\\x", "a", 1 },
	{ UPAT_FILE, "C:\\Users\\bo* [*]", "C:\\Users", "a", 0 },
	/* Node-only patterns match folders, not their files. */
	{ UPAT_FILE, "C:\\Windows\\*", "C:\\Windows\\System32", NULL, 1 },
	{ UPAT_FILE, "C:\\Windows\\*", "C:\\Windows\\System32", "a.dll", 0 },
	{ UPAT_FILE, "C:\\Windows\\* [*]", "C:\\Windows\\System32", NULL, 0 },
	{ UPAT_FILE, "c:\\Windows\\System32", "C:\\WINDOWS\\system32", NULL,
	    1 },
	{ UPAT_FILE, "c:\\Windows\\System32", "C:\\WINDOWS\\system32\\x", NULL,
	    0 },
	/* Case folding beyond ASCII. */
	{ UPAT_FILE, "C:\\ÄRGER\\ [*]", "C:\\ärger", "x", 1 },
	{ UPAT_FILE, "C:\\ärger\\ [*]", "C:\\ÄRGER", "x", 1 },
	{ UPAT_FILE, "C:\\* [ÜBEL.txt]", "C:\\x", "übel.TXT", 1 },
	{ UPAT_FILE, "C:\\* [*ß*]", "C:\\x", "Straße", 1 },
	{ UPAT_FILE, "C:\\* [Σ*]", "C:\\x", "σίσυφος", 1 },
	{ UPAT_FILE, "C:\\* [документ.doc]", "C:\\x", "ДОКУМЕНТ.DOC", 1 },
	{ UPAT_FILE, "C:\\* [*ё]", "C:\\x", "ЁЁЁ", 1 },
	{ UPAT_FILE, "C:\\* [ａｂ]", "C:\\x", "ＡＢ", 1 },
	{ UPAT_FILE, "C:\\* [a]", "C:\\x", "á", 0 },
	{ UPAT_FILE, "C:\\* [ärger]", "C:\\x", "arger", 0 },
	/* Escapes. */
	{ UPAT_FILE, "C:\\Docs [file^].txt]", "C:\\Docs", "file].txt", 1 },
	{ UPAT_FILE, "C:\\Docs [^[*^]]", "C:\\Docs", "[draft]", 1 },
	{ UPAT_FILE, "C:\\Docs [^[*^]]", "C:\\Docs", "draft", 0 },
	{ UPAT_FILE, "C:\\a^[1^] [x]", "C:\\A[1]", "X", 1 },
	/* Bytes that are not UTF-8 are characters of their own. */
	{ UPAT_FILE, "C:\\* [\xff*]", "C:\\x", "\xff" "abc", 1 },
	{ UPAT_FILE, "C:\\* [\xff*]", "C:\\x", "\xfe" "abc", 0 },
	{ UPAT_FILE, "C:\\* [*\xc3]", "C:\\x", "a\xc3", 1 },
	{ UPAT_FILE, "C:\\* [*\xa9]", "C:\\x", "caf\xc3\xa9", 0 },
	{ UPAT_FILE, "C:\\* [*é]", "C:\\x", "caf\xc3\xa9\x80", 0 },
	{ UPAT_FILE, "C:\\* [*]", "C:\\\xc3\x28", "\xed\xa0\x80", 1 },
	{ UPAT_FILE, "C:\\\xe2\x82\\ [*]", "C:\\\xe2\x82", "x", 1 },
	/* Trailing separators in dir. */
	{ UPAT_FILE, "C:\\ [*]", "C:\\", "boot.ini", 1 },
	{ UPAT_FILE, "C:\\ [*]", "C:", "boot.ini", 1 },
	{ UPAT_FILE, "C:\\Folder [*]", "C:\\Folder\\", "a", 1 },
	/* Registry. */
	{ UPAT_REGISTRY, "HKLM\\Software\\MyKey []", "HKLM\\Software\\MyKey",
	    "", 1 },
	{ UPAT_REGISTRY, "HKLM\\Software\\MyKey []", "HKLM\\Software\\MyKey",
	    "Other", 0 },
	{ UPAT_REGISTRY, "HKLM\\Software\\MyKey []",
	    "HKEY_LOCAL_MACHINE\\SOFTWARE\\mykey", "", 1 },
	{ UPAT_REGISTRY, "HKLM\\Software\\MyKey [Name]", "HKLM\\Software\\MyKey",
	    "", 0 },
	{ UPAT_REGISTRY, "HKCU\\Software\\* [*]", "HKCU\\Software\\A\\B", "", 1 },
	{ UPAT_REGISTRY, "HKCU\\Software\\* [*]", "HKCU\\Software\\A\\B", "V", 1 },
	{ UPAT_REGISTRY, "HKCU\\Software\\* [*]", "HKLM\\Software\\A", "V", 0 },
	{ UPAT_REGISTRY, "HKCU\\Software\\*", "hkey_current_user\\software\\x",
	    NULL, 1 },
	{ UPAT_REGISTRY, "HKCU\\Software\\x [c\\d]", "HKCU\\Software\\X", "C\\D",
	    1 },
	/* Ini. */
	{ UPAT_INI, "C:\\Windows\\win.ini|Desktop[Wallpaper]",
	    "c:\\windows\\WIN.INI|desktop", "wallpaper", 1 },
	{ UPAT_INI, "C:\\Windows\\win.ini|Desktop[Wallpaper]",
	    "c:\\windows\\WIN.INI|Colors", "wallpaper", 0 },
	{ UPAT_INI, "C:\\*.ini|*[*]", "C:\\x\\a.ini|S", "k", 1 },
};

START_TEST(test_match)
{
	struct upat *p = parse_ok(matches[_i].t, matches[_i].pat);

	ck_assert_msg(upat_match(p, matches[_i].dir, matches[_i].leaf) ==
	    matches[_i].want, "'%s' against '%s' [%s]: want %d",
	    matches[_i].pat, matches[_i].dir,
	    matches[_i].leaf != NULL ? matches[_i].leaf : "(none)",
	    matches[_i].want);
	/* What matches can be found by a walk that prunes. */
	if (matches[_i].want)
		ck_assert(upat_may_match_below(p, matches[_i].dir));
	upat_free(p);
}
END_TEST

START_TEST(test_match_null)
{
	struct upat *p = parse_ok(UPAT_FILE, "C:\\* [*]");

	ck_assert_int_eq(upat_match(NULL, "C:", "x"), 0);
	ck_assert_int_eq(upat_match(p, NULL, "x"), 0);
	ck_assert_int_eq(upat_may_match_below(p, NULL), 0);
	ck_assert_int_eq(upat_covers_tree(p, NULL), 0);
	upat_free(p);
	upat_free(NULL);
}
END_TEST

static const struct {
	const char	*pat, *dir;
	int		 below, covers;
} prune[] = {
	{ "C:\\Users\\bob\\* [*]", "C:", 1, 0 },
	{ "C:\\Users\\bob\\* [*]", "C:\\", 1, 0 },
	{ "C:\\Users\\bob\\* [*]", "C:\\users", 1, 0 },
	{ "C:\\Users\\bob\\* [*]", "C:\\Users\\BOB", 1, 1 },
	{ "C:\\Users\\bob\\* [*]", "C:\\Users\\bob\\x\\y", 1, 1 },
	{ "C:\\Users\\bob\\* [*]", "C:\\Users\\bo", 0, 0 },
	{ "C:\\Users\\bob\\* [*]", "C:\\Users\\bobby", 0, 0 },
	{ "C:\\Users\\bob\\* [*]", "C:\\Windows", 0, 0 },
	{ "C:\\Users\\bob\\* [*]", "D:", 0, 0 },
	{ "C:\\Users\\bob\\* [*.doc]", "C:\\Users\\bob", 1, 0 },
	{ "C:\\Users\\bob [*]", "C:\\Users\\bob", 1, 0 },
	{ "C:\\Users\\bob [*]", "C:\\Users", 1, 0 },
	{ "C:\\Users\\bob [*]", "C:\\Users\\bob\\x", 0, 0 },
	{ "C:\\* [*.doc]", "C:\\Windows\\System32", 1, 0 },
	{ "C:\\* [*]", "C:", 1, 1 },
	{ "C:\\* [*]", "C:\\Windows", 1, 1 },
	{ "C:\\Us* [*]", "C:\\Users\\bob", 1, 1 },
	{ "C:\\Us* [*]", "C:\\Program Files", 0, 0 },
	{ "C:\\Us* [*]", "C:\\U", 0, 0 },
	{ "C:\\Users\\*\\Documents\\* [*]", "C:\\Users\\bob\\AppData", 1, 0 },
	{ "C:\\Users\\*\\Documents\\* [*]", "C:\\Users\\bob\\Documents", 1, 1 },
	{ "C:\\Users\\*\\Documents\\* [*]", "C:\\Windows", 0, 0 },
	{ "C:\\Windows\\*", "C:\\Windows\\x", 1, 1 },
	{ "C:\\ÄRGER\\* [*]", "C:\\ärger\\x", 1, 1 },
	{ "C:\\ÄRGER\\* [*]", "c:", 1, 0 },
};

START_TEST(test_prune_predicates)
{
	struct upat *p = parse_ok(UPAT_FILE, prune[_i].pat);

	ck_assert_msg(upat_may_match_below(p, prune[_i].dir) ==
	    prune[_i].below, "may_match_below '%s' at '%s': want %d",
	    prune[_i].pat, prune[_i].dir, prune[_i].below);
	ck_assert_msg(upat_covers_tree(p, prune[_i].dir) == prune[_i].covers,
	    "covers_tree '%s' at '%s': want %d", prune[_i].pat, prune[_i].dir,
	    prune[_i].covers);
	upat_free(p);
}
END_TEST

START_TEST(test_registry_prune)
{
	struct upat *p = parse_ok(UPAT_REGISTRY, "HKCU\\Software\\Foo\\* [*]");

	ck_assert_int_eq(upat_may_match_below(p, "HKEY_CURRENT_USER"), 1);
	ck_assert_int_eq(upat_may_match_below(p, "HKCU\\Software"), 1);
	ck_assert_int_eq(upat_may_match_below(p, "HKCU\\System"), 0);
	ck_assert_int_eq(upat_covers_tree(p,
	    "HKEY_CURRENT_USER\\Software\\foo\\bar"), 1);
	upat_free(p);
}
END_TEST

static const struct {
	const char	*pat, *root;
} roots[] = {
	{ "C:\\Users\\bob\\Doc*\\* [*]", "C:\\Users\\bob" },
	{ "C:\\* [*.doc]", "C:" },
	{ "C:\\ [*.doc]", "C:" },
	{ "C:\\Folder [*]", "C:\\Folder" },
	{ "C:\\Folder\\* [*]", "C:\\Folder" },
	{ "C:\\Fol*der\\x [*]", "C:" },
	{ "* [*.doc]", "" },
	{ "C:\\Users\\*\\AppData [*]", "C:\\Users" },
};

START_TEST(test_root)
{
	struct upat *p = parse_ok(UPAT_FILE, roots[_i].pat);
	char *r = upat_root(p);

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r, roots[_i].root);
	free(r);
	upat_free(p);
}
END_TEST

/* a is more specific than b (and b less than a). */
static const struct {
	const char	*a, *b;
} spec_gt[] = {
	/* "Directory names take precedence over file extensions". */
	{ "C:\\Data\\* [*]", "C:\\* [*.mp3]" },
	{ "C:\\Users\\bob\\* [*]", "C:\\Users\\* [*.doc]" },
	{ "C:\\Folder [*]", "C:\\Folder\\* [*]" },
	{ "C:\\Folder\\* [a.doc]", "C:\\Folder\\* [*.doc]" },
	{ "C:\\Folder\\* [*.doc]", "C:\\Folder\\* [*]" },
	{ "C:\\Folder\\* [*.docx]", "C:\\Folder\\* [*.doc]" },
	{ "C:\\Users\\bob\\x* [*]", "C:\\Users\\bob\\* [*]" },
	{ "C:\\* [Sample.doc]", "C:\\* [*.doc]" },
	{ "C:\\Users\\bob [*]", "C:\\Users\\b* [a.doc]" },
};

START_TEST(test_specificity)
{
	struct upat *a = parse_ok(UPAT_FILE, spec_gt[_i].a);
	struct upat *b = parse_ok(UPAT_FILE, spec_gt[_i].b);

	ck_assert_msg(upat_specificity_cmp(a, b) > 0, "'%s' > '%s'",
	    spec_gt[_i].a, spec_gt[_i].b);
	ck_assert_msg(upat_specificity_cmp(b, a) < 0, "'%s' < '%s'",
	    spec_gt[_i].b, spec_gt[_i].a);
	ck_assert_int_eq(upat_specificity_cmp(a, a), 0);
	upat_free(a);
	upat_free(b);
}
END_TEST

START_TEST(test_specificity_equal)
{
	struct upat *a = parse_ok(UPAT_FILE, "C:\\Data\\* [*.doc]");
	struct upat *b = parse_ok(UPAT_FILE, "c:\\DATA\\* [*.DOC]");
	struct upat *c = parse_ok(UPAT_FILE, "C:\\Data\\* [*.xls]");

	ck_assert_int_eq(upat_specificity_cmp(a, b), 0);
	ck_assert_int_eq(upat_specificity_cmp(a, c), 0);
	upat_free(a);
	upat_free(b);
	upat_free(c);
}
END_TEST

/*
 * Long pieces against long repetitive subjects (a hostile pattern over a
 * hostile tree): the answers, found in linear time (Knuth-Morris-Pratt;
 * the naive search would compare about 10^9 characters here).
 */
START_TEST(test_long_pieces)
{
	size_t n = 40000, i, o;
	char *pat = malloc(3 * n + 64), *dir = malloc(6 * n + 64);
	struct upat *p;

	ck_assert_ptr_nonnull(pat);
	ck_assert_ptr_nonnull(dir);
	/* "C:\*aaa...ab*" against "C:\aaa...a" and "...ab". */
	o = (size_t)sprintf(pat, "C:\\*");
	for (i = 0; i < n; i++)
		pat[o++] = 'a';
	memcpy(pat + o, "b*", 3);
	p = parse_ok(UPAT_FILE, pat);
	o = (size_t)sprintf(dir, "C:\\");
	for (i = 0; i < 2 * n; i++)
		dir[o++] = 'A';
	dir[o] = '\0';
	ck_assert_int_eq(upat_match(p, dir, NULL), 0);
	memcpy(dir + o, "bx", 3);
	ck_assert_int_eq(upat_match(p, dir, NULL), 1);
	upat_free(p);

	/* The same in two-byte letters, the piece at the end: "*ää...äb". */
	o = (size_t)sprintf(pat, "C:\\*");
	for (i = 0; i < n; i++, o += 2)
		memcpy(pat + o, "\xc3\xa4", 2);
	memcpy(pat + o, "b", 2);
	p = parse_ok(UPAT_FILE, pat);
	o = (size_t)sprintf(dir, "C:\\");
	for (i = 0; i < 2 * n; i++, o += 2)
		memcpy(dir + o, "\xc3\x84", 2);
	dir[o] = '\0';
	ck_assert_int_eq(upat_match(p, dir, NULL), 0);
	memcpy(dir + o, "B", 2);
	ck_assert_int_eq(upat_match(p, dir, NULL), 1);
	memcpy(dir + o, "Bb", 3);
	ck_assert_int_eq(upat_match(p, dir, NULL), 0);
	upat_free(p);
	free(pat);
	free(dir);
}
END_TEST

/* Random patterns and subjects: no crash, and a fixed point for text. */
START_TEST(test_random_bytes)
{
	static const char alpha[] = "\\*[]^ .aZ\xc3\xa4\xff|:/";
	uint64_t r = 88172645463325252ULL;
	char pat[64], dir[64], leaf[32];
	int i, k, ok = 0;

	for (i = 0; i < 20000; i++) {
		struct upat *p;
		int n;

		n = (int)(r % 40);
		for (k = 0; k < n; k++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			pat[k] = alpha[r % (sizeof(alpha) - 1)];
		}
		pat[n] = '\0';
		for (k = 0; k < 40; k++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			dir[k] = alpha[r % (sizeof(alpha) - 1)];
		}
		dir[k] = '\0';
		for (k = 0; k < 20; k++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			leaf[k] = alpha[r % (sizeof(alpha) - 1)];
		}
		leaf[k] = '\0';
		if (upat_parse(ctx, (enum upat_type)(i % 3), pat, &p) !=
		    OFFMIG_OK) {
			ck_assert_ptr_null(p);
			ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx),
			    "pattern"));
			continue;
		}
		ok++;
		(void)upat_match(p, dir, leaf);
		(void)upat_match(p, dir, NULL);
		(void)upat_may_match_below(p, dir);
		(void)upat_covers_tree(p, dir);
		free(upat_root(p));
		{
			struct upat *q = parse_ok(upat_type(p), upat_text(p));

			ck_assert_str_eq(upat_text(q), upat_text(p));
			upat_free(q);
		}
		upat_free(p);
	}
	ck_assert_int_gt(ok, 500);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pattern");
	TCase *tc;
	SRunner *sr;
	int failed;

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_parse_valid, 0,
	    (int)(sizeof(valid) / sizeof(valid[0])));
	tcase_add_loop_test(tc, test_parse_invalid, 0,
	    (int)(sizeof(invalid) / sizeof(invalid[0])));
	tcase_add_test(tc, test_parse_message_names_pattern);
	tcase_add_test(tc, test_parse_huge);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_match, 0,
	    (int)(sizeof(matches) / sizeof(matches[0])));
	tcase_add_test(tc, test_match_null);
	tcase_add_loop_test(tc, test_prune_predicates, 0,
	    (int)(sizeof(prune) / sizeof(prune[0])));
	tcase_add_test(tc, test_registry_prune);
	tcase_add_loop_test(tc, test_root, 0,
	    (int)(sizeof(roots) / sizeof(roots[0])));
	tcase_add_test(tc, test_long_pieces);
	tcase_add_test(tc, test_random_bytes);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("specificity");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_specificity, 0,
	    (int)(sizeof(spec_gt) / sizeof(spec_gt[0])));
	tcase_add_test(tc, test_specificity_equal);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
