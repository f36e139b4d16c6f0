/*
 * check_usmtxml.c - the USMT XML model (src/migrate/usmtxml.c): every
 * element is accepted and kept with its line, helper calls are parsed, and
 * every kind of bad input gives a diagnostic with the exact file:line.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "migrate/usmtxml.h"
#include "testutil.h"

static struct offmig_ctx *ctx;
static struct ux_set set;

static void
setup(void)
{
	ck_assert_ptr_nonnull(ctx = offmig_ctx_new());
	ux_set_init(&set);
}

static void
teardown(void)
{
	ux_set_release(&set);
	offmig_ctx_free(ctx);
}

static int
load(const char *name, const char *xml, int is_config)
{
	return ux_load_memory(ctx, &set, name, xml, strlen(xml), is_config);
}

/* The diagnostic at file:line whose message contains what, or NULL. */
static const struct ux_diag *
find_diag(const char *file, long line, const char *what)
{
	size_t i;

	for (i = 0; i < set.ndiags; i++)
		if (strcmp(set.diags[i].file, file) == 0 &&
		    set.diags[i].line == line &&
		    strstr(set.diags[i].msg, what) != NULL)
			return &set.diags[i];
	return NULL;
}

static void
dump_diags(void)
{
	size_t i;

	for (i = 0; i < set.ndiags; i++)
		fprintf(stderr, "diag %d %s:%ld: %s\n", set.diags[i].sev,
		    set.diags[i].file, set.diags[i].line, set.diags[i].msg);
}

/* Every element of reference §4.3 in one file: no diagnostic at all. */
static const char every[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"			/* 1 */
"<migration urlid=\"http://example.org/every\">\n"		/* 2 */
"  <library prefix=\"MigSysHelper\">MigSys.dll</library>\n"	/* 3 */
"  <_locDefinition><_locDefault _loc=\"locNone\"/>"
"<_locTag _loc=\"locData\">displayName</_locTag></_locDefinition>\n" /* 4 */
"  <namedElements>\n"						/* 5 */
"    <environment name=\"Env64\">\n"				/* 6 */
"      <conditions><condition>MigXmlHelper.IsNative64Bit()</condition>"
"</conditions>\n"						/* 7 */
"      <variable name=\"Wow\"><text>HKLM\\Software\\Wow6432Node</text>"
"</variable>\n"							/* 8 */
"    </environment>\n"						/* 9 */
"    <detection name=\"HasApp\"><conditions operation=\"OR\">"
"<condition negation=\"Yes\">MigXmlHelper.IsSystemContext()</condition>"
"</conditions></detection>\n"					/* 10 */
"    <detects name=\"AppDetects\"><detect><condition>"
"MigXmlHelper.DoesOSMatch(\"NT\",\"10.*\")</condition></detect></detects>\n" /* 11 */
"    <rules name=\"Common\"><include><objectSet><pattern type=\"File\">"
"C:\\X\\* [*]</pattern></objectSet></include></rules>\n"	/* 12 */
"  </namedElements>\n"						/* 13 */
"  <component type=\"Application\" context=\"UserAndSystem\" "
"defaultSupported=\"TRUE\" hidden=\"FALSE\">\n"			/* 14 */
"    <displayName _locID=\"x\">Every element</displayName>\n"	/* 15 */
"    <manufacturer>Nobody</manufacturer><version>1.0</version>"
"<description>all</description><icon>x.ico</icon>\n"		/* 16 */
"    <paths><path type=\"File\">%CSIDL_PERSONAL%</path></paths>\n" /* 17 */
"    <environment name=\"Env64\"/>\n"				/* 18 */
"    <extensions><extension>doc</extension></extensions>\n"	/* 19 */
"    <role role=\"Container\">\n"				/* 20 */
"      <component type=\"Application\" context=\"User\">\n"	/* 21 */
"        <displayName>Child</displayName>\n"			/* 22 */
"        <role role=\"Settings\">\n"				/* 23 */
"          <detection name=\"HasApp\"/>\n"			/* 24 */
"          <detects name=\"AppDetects\"/>\n"			/* 25 */
"          <environment><variable name=\"V\" remap=\"TRUE\"><script>"
"MigXmlHelper.GetStringContent(\"Registry\",'HKCU\\X [Y]')</script>"
"</variable></environment>\n"					/* 26 */
"          <plugin file=\"x.dll\" classId=\"{0}\"/>\n"		/* 27 */
"          <rules context=\"User\">\n"				/* 28 */
"            <include filter=\"MigXmlHelper.IgnoreIrrelevantLinks()\">"
"<objectSet><pattern type=\"Registry\">HKCU\\Software\\X\\* [*]</pattern>"
"</objectSet></include>\n"					/* 29 */
"            <exclude filter='MigXmlHelper.FileProperties(\"filesize\", "
"\"gt\", \"5GB\")'><objectSet><script>MigXmlHelper.GenerateDrivePatterns"
"(\"* [*.tmp]\", \"Fixed\")</script></objectSet></exclude>\n"	/* 30 */
"            <unconditionalExclude><objectSet><pattern type=\"Ini\">"
"%WINDIR%\\x.ini|Sect[key]</pattern></objectSet></unconditionalExclude>\n" /* 31 */
"            <merge script=\"MigXmlHelper.SourcePriority()\"><objectSet>"
"<pattern type=\"File\">C:\\A [b]</pattern></objectSet></merge>\n" /* 32 */
"            <locationModify script=\"MigXmlHelper.Move('C:\\Data')\">"
"<objectSet><pattern type=\"File\">C:\\A\\* [*]</pattern></objectSet>"
"</locationModify>\n"						/* 33 */
"            <contentModify script=\"MigXmlHelper.ConvertToDWORD('1')\">"
"<objectSet><pattern type=\"Registry\">HKCU\\A [b]</pattern></objectSet>"
"</contentModify>\n"						/* 34 */
"            <destinationCleanup filter=\"MigXmlHelper.AnswerNo()\">"
"<objectSet><pattern type=\"Registry\">HKCU\\A\\* [*]</pattern>"
"</objectSet></destinationCleanup>\n"				/* 35 */
"            <addObjects><object><location type=\"Registry\">HKCU\\A [c]"
"</location><attributes>DWORD</attributes><bytes string=\"FALSE\" "
"expand=\"FALSE\">01000000</bytes></object></addObjects>\n"	/* 36 */
"            <includeAttributes attributes=\"Security\"><objectSet>"
"<pattern type=\"File\">C:\\A\\* [*]</pattern></objectSet>"
"</includeAttributes>\n"					/* 37 */
"            <excludeAttributes attributes=\"TimeFields\"><objectSet>"
"<content filter=\"MigXmlHelper.ExtractSingleFile(NULL, NULL)\">"
"<objectSet><pattern type=\"Registry\">HKCU\\A [p]</pattern></objectSet>"
"</content></objectSet></excludeAttributes>\n"			/* 38 */
"            <externalProcess when=\"pre-scan\"><commandLine>x.exe"
"</commandLine></externalProcess>\n"				/* 39 */
"            <processing when=\"post-apply\"><script>"
"MigXmlHelper.RestartExplorer()</script></processing>\n"	/* 40 */
"            <rules name=\"Common\"/>\n"				/* 41 */
"          </rules>\n"						/* 42 */
"        </role>\n"						/* 43 */
"      </component>\n"						/* 44 */
"    </role>\n"							/* 45 */
"  </component>\n"						/* 46 */
"</migration>\n";

START_TEST(test_every_element)
{
	const struct ux_node *root, *comp, *role, *child, *rules, *n;

	ck_assert_int_eq(load("every.xml", every, 0), OFFMIG_OK);
	if (set.ndiags != 0)
		dump_diags();
	ck_assert_uint_eq(set.ndiags, 0);
	ck_assert_uint_eq(set.nfiles, 1);
	ck_assert_str_eq(set.files[0]->urlid, "http://example.org/every");
	root = set.files[0]->root;
	ck_assert_int_eq(root->kind, UX_MIGRATION);
	comp = ux_child(root, UX_COMPONENT);
	ck_assert_ptr_nonnull(comp);
	ck_assert_int_eq(comp->line, 14);
	ck_assert_str_eq(ux_attr(comp, "context"), "UserAndSystem");
	ck_assert_str_eq(ux_display_name(comp), "Every element");
	n = ux_child(comp, UX_ENVIRONMENT);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->line, 18);
	ck_assert_int_eq(ux_deref(n)->line, 6);	/* resolved name= */
	role = ux_child(comp, UX_ROLE);
	ck_assert_str_eq(ux_attr(role, "role"), "Container");
	child = ux_child(role, UX_COMPONENT);
	ck_assert_int_eq(child->line, 21);
	role = ux_child(child, UX_ROLE);
	ck_assert_int_eq(ux_deref(ux_child(role, UX_DETECTION))->line, 10);
	ck_assert_int_eq(ux_deref(ux_child(role, UX_DETECTS))->line, 11);
	rules = ux_child(role, UX_RULES);
	ck_assert_int_eq(rules->line, 28);
	n = ux_child(rules, UX_INCLUDE);
	ck_assert_ptr_nonnull(n->call);
	ck_assert_str_eq(n->call->prefix, "MigXmlHelper");
	ck_assert_str_eq(n->call->fn, "IgnoreIrrelevantLinks");
	ck_assert_uint_eq(n->call->nargs, 0);
	n = ux_child(rules, UX_EXCLUDE);
	ck_assert_str_eq(n->call->fn, "FileProperties");
	ck_assert_uint_eq(n->call->nargs, 3);
	ck_assert_str_eq(n->call->args[2], "5GB");
	n = ux_child(ux_child(n, UX_OBJECTSET), UX_SCRIPT);
	ck_assert_str_eq(n->call->fn, "GenerateDrivePatterns");
	ck_assert_str_eq(n->call->args[0], "* [*.tmp]");
	ck_assert_int_eq(ux_child(rules, UX_UNCOND_EXCLUDE)->line, 31);
	ck_assert_int_eq(ux_child(rules, UX_MERGE)->line, 32);
	ck_assert_str_eq(ux_child(rules, UX_LOCATION_MODIFY)->call->args[0],
	    "C:\\Data");
	ck_assert_int_eq(ux_child(rules, UX_CONTENT_MODIFY)->line, 34);
	ck_assert_int_eq(ux_child(rules, UX_DEST_CLEANUP)->line, 35);
	n = ux_child(ux_child(ux_child(rules, UX_ADD_OBJECTS), UX_OBJECT),
	    UX_BYTES);
	ck_assert_str_eq(n->text, "01000000");
	ck_assert_int_eq(ux_child(rules, UX_INCLUDE_ATTRS)->line, 37);
	n = ux_child(ux_child(ux_child(rules, UX_EXCLUDE_ATTRS),
	    UX_OBJECTSET), UX_CONTENT);
	ck_assert_uint_eq(n->call->nargs, 2);
	ck_assert_ptr_null(n->call->args[0]);		/* NULL argument */
	ck_assert_int_eq(ux_child(rules, UX_EXTERNAL_PROCESS)->line, 39);
	ck_assert_int_eq(ux_child(rules, UX_PROCESSING)->line, 40);
	n = ux_child(rules, UX_RULES);
	ck_assert_int_eq(ux_deref(n)->line, 12);
}
END_TEST

START_TEST(test_calls)
{
	struct ux_call *c;

	ck_assert_int_eq(ux_call_parse(ctx, " MigXmlHelper.Fn(\"a\",'b' , TRUE)"
	    " ", &c), OFFMIG_OK);
	ck_assert_str_eq(c->fn, "Fn");
	ck_assert_uint_eq(c->nargs, 3);
	ck_assert_str_eq(c->args[0], "a");
	ck_assert_str_eq(c->args[1], "b");
	ck_assert_str_eq(c->args[2], "TRUE");
	ux_call_free(c);
	/* Quotes of the other kind and backslashes are kept as they are. */
	ck_assert_int_eq(ux_call_parse(ctx, "X.F('say \"hi\"', \"C:\\a'b\")",
	    &c), OFFMIG_OK);
	ck_assert_str_eq(c->args[0], "say \"hi\"");
	ck_assert_str_eq(c->args[1], "C:\\a'b");
	ux_call_free(c);
	ck_assert_int_eq(ux_call_parse(ctx, "F()", &c), OFFMIG_OK);
	ck_assert_ptr_null(c->prefix);
	ux_call_free(c);
	c = (struct ux_call *)1;
	ck_assert_int_eq(ux_call_parse(ctx, "X.F(\"a\"", &c), OFFMIG_EXML);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "',' or ')'"));
	ck_assert_int_eq(ux_call_parse(ctx, "X.F(\"a)", &c), OFFMIG_EXML);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "unterminated"));
	ck_assert_int_eq(ux_call_parse(ctx, "X.F(a,,b)", &c), OFFMIG_EXML);
	ck_assert_int_eq(ux_call_parse(ctx, "X.F() junk", &c), OFFMIG_EXML);
	ck_assert_int_eq(ux_call_parse(ctx, "X.(1)", &c), OFFMIG_EXML);
	ck_assert_int_eq(ux_call_parse(ctx, "(1)", &c), OFFMIG_EXML);
	ck_assert_int_eq(ux_call_parse(ctx, "X.F 1", &c), OFFMIG_EXML);
}
END_TEST

START_TEST(test_unclosed_tag)
{
	ck_assert_int_eq(load("bad.xml", "<migration urlid=\"u\">\n"
	    "<component type=\"Documents\">\n<displayName>x</displayName>\n"
	    "</migration>\n", 0), OFFMIG_EXML);
	ck_assert_uint_eq(set.nerrors, 1);
	ck_assert_ptr_nonnull(find_diag("bad.xml", 4, "not well-formed"));
	ck_assert_uint_eq(set.nfiles, 0);
}
END_TEST

START_TEST(test_bad_attribute_value)
{
	ck_assert_int_eq(load("bad.xml", "<migration urlid=\"u\">\n"
	    "<component type=\"Documents\" context=\"Everyone\">\n"
	    "<displayName>x</displayName><role role=\"Data\"><rules>\n"
	    "<include><objectSet><pattern type=\"Disk\">C:\\ [*]</pattern>"
	    "</objectSet></include></rules></role></component></migration>\n",
	    0), OFFMIG_EXML);
	ck_assert_ptr_nonnull(find_diag("bad.xml", 2, "context=\"Everyone\""));
	ck_assert_ptr_nonnull(find_diag("bad.xml", 4, "type=\"Disk\""));
	ck_assert_uint_eq(set.nerrors, 2);
	/* Unquoted attribute: not XML at all. */
	ck_assert_int_eq(load("bad2.xml", "<migration urlid=\"u\">\n\n"
	    "<component type=Documents/></migration>", 0), OFFMIG_EXML);
	ck_assert_ptr_nonnull(find_diag("bad2.xml", 3, "not well-formed"));
}
END_TEST

START_TEST(test_unknown_element_attribute_helper)
{
	ck_assert_int_eq(load("u.xml", "<migration urlid=\"u\">\n"
	    "<component type=\"Documents\" colour=\"red\">\n"
	    "<displayName>x</displayName><gadget/>\n<role role=\"Data\">"
	    "<detects><detect><condition>\n"
	    "MigXmlHelper.DoesUnicornExist(\"File\")</condition></detect>"
	    "</detects><rules><include><objectSet><script>\n"
	    "MigXmlHelper.GenerateDrivePatterns(\"* [*.doc]\", \"Fixed\"\n"
	    "</script></objectSet></include></rules></role></component>"
	    "</migration>\n", 0), OFFMIG_EXML);
	ck_assert_ptr_nonnull(find_diag("u.xml", 2, "unknown attribute "
	    "'colour'"));
	ck_assert_ptr_nonnull(find_diag("u.xml", 3, "unknown element "
	    "<gadget>"));
	/* The condition element starts on line 4. */
	ck_assert_ptr_nonnull(find_diag("u.xml", 4, "unknown helper function "
	    "'MigXmlHelper.DoesUnicornExist'"));
	ck_assert_ptr_nonnull(find_diag("u.xml", 5, "',' or ')' expected"));
	ck_assert_uint_eq(set.nerrors, 1);	/* the syntax error only */
	ck_assert_uint_eq(set.nfiles, 1);
}
END_TEST

START_TEST(test_missing_name)
{
	ck_assert_int_eq(load("n.xml", "<migration urlid=\"u\">\n"
	    "<namedElements><detects name=\"A\"><detect><condition>"
	    "MigXmlHelper.IsSystemContext()</condition></detect></detects>"
	    "</namedElements>\n<component type=\"Documents\">"
	    "<displayName>x</displayName>\n<role role=\"Data\">\n"
	    "<detects name=\"B\"/><rules><include><objectSet><pattern "
	    "type=\"File\">C:\\ [a]</pattern></objectSet></include></rules>"
	    "</role></component></migration>\n", 0), OFFMIG_EXML);
	ck_assert_ptr_nonnull(find_diag("n.xml", 5, "<detects name=\"B\">: "
	    "no <detects> of that name"));
	ck_assert_uint_eq(set.nerrors, 1);
}
END_TEST

START_TEST(test_duplicate_urlid)
{
	const char *x = "<migration urlid=\"http://x/same\">\n</migration>\n";

	ck_assert_int_eq(load("a.xml", x, 0), OFFMIG_OK);
	ck_assert_int_eq(load("b.xml", x, 0), OFFMIG_OK);
	ck_assert_uint_eq(set.nfiles, 2);
	ck_assert_int_eq(set.files[0]->skipped, 0);
	ck_assert_int_eq(set.files[1]->skipped, 1);
	ck_assert_ptr_nonnull(find_diag("b.xml", 1, "is the urlid of a.xml"));
}
END_TEST

START_TEST(test_billion_laughs)
{
	static const char x[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE migration [\n"
	    " <!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
	    " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    " <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	    " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	    " <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
	    " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
	    " <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
	    "]>\n"
	    "<migration urlid=\"&g;\"/>\n";

	ck_assert_int_eq(load("laughs.xml", x, 0), OFFMIG_EXML);
	ck_assert_ptr_nonnull(find_diag("laughs.xml", 2, "DOCTYPE is not "
	    "allowed"));
	ck_assert_uint_eq(set.nfiles, 0);
}
END_TEST

START_TEST(test_external_entity)
{
	static const char x[] =
	    "<?xml version=\"1.0\"?>\n\n"
	    "<!DOCTYPE m [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
	    "<migration urlid=\"u\"><component type=\"Documents\">"
	    "<displayName>&xxe;</displayName></component></migration>\n";

	ck_assert_int_eq(load("xxe.xml", x, 0), OFFMIG_EXML);
	ck_assert_ptr_nonnull(find_diag("xxe.xml", 3, "DOCTYPE"));
	/* An entity never declared is simply not XML. */
	ck_assert_int_eq(load("undecl.xml", "<migration urlid=\"u\">\n"
	    "&xxe;</migration>", 0), OFFMIG_EXML);
	ck_assert_ptr_nonnull(find_diag("undecl.xml", 2, "not well-formed"));
}
END_TEST

START_TEST(test_deep_nesting)
{
	size_t n = 10000, i, len = 0;
	char *x = malloc(n * 20 + 100);

	ck_assert_ptr_nonnull(x);
	len += (size_t)sprintf(x + len, "<migration urlid=\"u\">\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(x + len, "<role>");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(x + len, "</role>");
	sprintf(x + len, "</migration>\n");
	ck_assert_int_eq(load("deep.xml", x, 0), OFFMIG_EXML);
	free(x);
	ck_assert_uint_ge(set.nerrors, 1);
	ck_assert_str_eq(set.diags[0].file, "deep.xml");
	ck_assert_int_eq(set.diags[0].line, 2);
	ck_assert_uint_eq(set.nfiles, 0);
	/* Below libxml2's own limit, our cap says it. */
	x = malloc(200 * 20 + 100);
	len = 0;
	len += (size_t)sprintf(x + len, "<migration urlid=\"v\">"
	    "<component>\n");
	for (i = 0; i < 100; i++)
		len += (size_t)sprintf(x + len, "<role>");
	for (i = 0; i < 100; i++)
		len += (size_t)sprintf(x + len, "</role>");
	sprintf(x + len, "</component></migration>\n");
	ck_assert_int_eq(load("deep2.xml", x, 0), OFFMIG_EXML);
	free(x);
	ck_assert_ptr_nonnull(find_diag("deep2.xml", 2, "nested more than"));
}
END_TEST

START_TEST(test_wrong_root_and_config)
{
	ck_assert_int_eq(load("c.xml", "<Configuration/>", 0), OFFMIG_EXML);
	ck_assert_ptr_nonnull(find_diag("c.xml", 1, "must be <migration>"));
	ck_assert_int_eq(load("config.xml",
	    "<Configuration>\n"
	    "<Applications><component displayname=\"App\" migrate=\"yes\" "
	    "ID=\"http://x/app\"><component displayname=\"Sub\" "
	    "migrate=\"no\" ID=\"http://x/sub\"/></component></Applications>\n"
	    "<Documents/><WindowsComponents/>\n"
	    "<Policies><ErrorControl><fileError><nonFatal errorCode=\"33\">"
	    "* [*]</nonFatal><fatal errorCode=\"any\">C:\\X\\* [*]</fatal>"
	    "</fileError><registryError/></ErrorControl>\n"
	    "<HardLinkStoreControl><fileLocked><createHardLink>C:\\a [*]"
	    "</createHardLink><errorHardLink>C:\\* [*]</errorHardLink>"
	    "</fileLocked></HardLinkStoreControl></Policies>\n"
	    "<ProfileControl><localGroups><mappings><changeGroup "
	    "From=\"Administrators\" To=\"Users\" appliesTo=\"MigratedUsers\">"
	    "<include><pattern>*</pattern></include><exclude><pattern>a</pattern>"
	    "</exclude></changeGroup></mappings></localGroups></ProfileControl>\n"
	    "</Configuration>\n", 1), OFFMIG_OK);
	if (set.ndiags != 1)
		dump_diags();
	ck_assert_uint_eq(set.ndiags, 1);	/* c.xml's */
	ck_assert_ptr_nonnull(set.config);
	ck_assert_int_eq(ux_child(ux_child(set.config->root, UX_APPLICATIONS),
	    UX_CFG_COMPONENT)->line, 2);
	ck_assert_int_eq(load("config2.xml", "<Configuration>\n<Documents>"
	    "<component displayname=\"D\" migrate=\"perhaps\"/></Documents>"
	    "</Configuration>", 1), OFFMIG_EXML);
	ck_assert_ptr_nonnull(find_diag("config2.xml", 2, "migrate=\"perhaps\""));
}
END_TEST

START_TEST(test_empty_condition_and_text)
{
	ck_assert_int_eq(load("e.xml", "<migration urlid=\"u\">\n"
	    "<component type=\"Documents\">stray\n<displayName>x</displayName>"
	    "<role role=\"Data\"><detects><detect>\n<condition/></detect>"
	    "</detects></role></component></migration>", 0), OFFMIG_EXML);
	ck_assert_ptr_nonnull(find_diag("e.xml", 2, "text 'stray'"));
	ck_assert_ptr_nonnull(find_diag("e.xml", 4, "<condition> is empty"));
}
END_TEST

START_TEST(test_file_errors)
{
	char path[4096];
	FILE *fp;

	ck_assert_int_eq(ux_load_file(ctx, &set, "/nonexistent/x.xml", 0),
	    OFFMIG_EIO);
	ck_assert_ptr_nonnull(strstr(offmig_errmsg(ctx), "/nonexistent/x.xml"));
	ck_assert_int_eq(ux_load_file(ctx, &set, "/", 0), OFFMIG_EIO);
	snprintf(path, sizeof(path), "check_usmtxml-%d.xml", (int)getpid());
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs("<migration urlid=\"f\">\n<component/>\n</migration>\n", fp);
	fclose(fp);
	ck_assert_int_eq(ux_load_file(ctx, &set, path, 0), OFFMIG_OK);
	unlink(path);
	ck_assert_uint_eq(set.nfiles, 1);
	ck_assert_int_eq(ux_child(set.files[0]->root, UX_COMPONENT)->line, 2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("usmtxml");
	TCase *tc = tcase_create("model");
	TCase *tb = tcase_create("bad");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_element);
	tcase_add_test(tc, test_calls);
	tcase_add_test(tc, test_duplicate_urlid);
	tcase_add_test(tc, test_wrong_root_and_config);
	tcase_add_test(tc, test_file_errors);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_add_test(tb, test_unclosed_tag);
	tcase_add_test(tb, test_bad_attribute_value);
	tcase_add_test(tb, test_unknown_element_attribute_helper);
	tcase_add_test(tb, test_missing_name);
	tcase_add_test(tb, test_billion_laughs);
	tcase_add_test(tb, test_external_entity);
	tcase_add_test(tb, test_deep_nesting);
	tcase_add_test(tb, test_empty_condition_and_text);
	suite_add_tcase(s, tb);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
