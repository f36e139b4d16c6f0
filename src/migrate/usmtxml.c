/*
 * usmtxml.c - parses USMT migration XML and config.xml with libxml2 into the
 * plain model of usmtxml.h.  This file and the rest of src/migrate are the
 * only code that includes libxml2.
 *
 * The parser is run without network access, without loading DTDs, without
 * substituting entities, and a document that declares a DOCTYPE is refused
 * as soon as the parser meets it (before any entity declaration is read), so
 * "billion laughs" and external entities never get anywhere.  Every element
 * is checked against the table below: unknown elements and attributes,
 * values out of their set, helper calls that do not parse and name=
 * references to nothing become diagnostics with file:line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>


#include "common/common.h"
#include "migrate/usmtxml.h"
#include "migrate/xmllib.h"

/*
 * One element of the schema.  attrs and parents are space-separated lists
 * ("*" in attrs: any attribute; an empty parents list: the root).  text:
 * 1 when the element holds text.  call: where its helper call is ("text",
 * or the attribute name), or NULL.
 */
struct ux_elem {
	const char	*tag;
	enum ux_kind	 kind;
	const char	*attrs;
	const char	*parents;
	int		 text;
	const char	*call;
};

static const struct ux_elem mig_elems[] = {
	{ "migration", UX_MIGRATION, "urlid", "", 0, NULL },
	{ "library", UX_LIBRARY, "prefix", "migration", 1, NULL },
	{ "namedElements", UX_NAMED_ELEMENTS, "", "migration", 0, NULL },
	{ "_locDefinition", UX_LOCDEF, "", "migration component", 0, NULL },
	{ "_locDefault", UX_LOC_STRING, "_loc", "_locDefinition", 0, NULL },
	{ "_locTag", UX_LOC_STRING, "_loc", "_locDefinition", 1, NULL },
	{ "component", UX_COMPONENT, "type context defaultSupported hidden",
	    "migration role", 0, NULL },
	{ "displayName", UX_DISPLAY_NAME, "_locID", "component", 1, NULL },
	{ "manufacturer", UX_MANUFACTURER, "", "component", 1, NULL },
	{ "version", UX_VERSION, "", "component", 1, NULL },
	{ "description", UX_DESCRIPTION, "", "component", 1, NULL },
	{ "icon", UX_ICON, "*", "component", 1, NULL },
	{ "paths", UX_PATHS, "", "component", 0, NULL },
	{ "path", UX_PATH, "type", "paths", 1, NULL },
	{ "windowsObjects", UX_WINDOWS_OBJECTS, "*", "component role", 0,
	    NULL },
	{ "role", UX_ROLE, "role", "component role", 0, NULL },
	{ "plugin", UX_PLUGIN, "*", "role", 1, NULL },
	{ "rules", UX_RULES, "name context", "role rules namedElements", 0,
	    NULL },
	{ "include", UX_INCLUDE, "filter", "rules", 0, "filter" },
	{ "exclude", UX_EXCLUDE, "filter", "rules", 0, "filter" },
	{ "unconditionalExclude", UX_UNCOND_EXCLUDE, "", "rules", 0, NULL },
	{ "objectSet", UX_OBJECTSET, "", "include exclude unconditionalExclude "
	    "merge contentModify locationModify destinationCleanup "
	    "includeAttributes excludeAttributes variable content detect", 0,
	    NULL },
	{ "pattern", UX_PATTERN, "type", "objectSet", 1, NULL },
	{ "script", UX_SCRIPT, "", "objectSet variable processing", 1,
	    "text" },
	{ "content", UX_CONTENT, "filter", "objectSet", 0, "filter" },
	{ "conditions", UX_CONDITIONS, "operation name", "detection conditions "
	    "namedElements objectSet rules environment role detect", 0,
	    NULL },
	{ "condition", UX_CONDITION, "negation", "conditions detect objectSet "
	    "rules", 1, "text" },
	{ "detects", UX_DETECTS, "name", "role rules namedElements", 0, NULL },
	{ "detect", UX_DETECT, "name context", "detects namedElements", 0,
	    NULL },
	{ "detection", UX_DETECTION, "name context", "role namedElements", 0,
	    NULL },
	{ "environment", UX_ENVIRONMENT, "name context", "role component "
	    "namedElements", 0, NULL },
	{ "variable", UX_VARIABLE, "name remap", "environment", 0, NULL },
	{ "text", UX_TEXT, "", "variable", 1, NULL },
	{ "merge", UX_MERGE, "script", "rules", 0, "script" },
	{ "locationModify", UX_LOCATION_MODIFY, "script", "rules", 0,
	    "script" },
	{ "contentModify", UX_CONTENT_MODIFY, "script", "rules", 0, "script" },
	{ "destinationCleanup", UX_DEST_CLEANUP, "filter", "rules", 0,
	    "filter" },
	{ "addObjects", UX_ADD_OBJECTS, "", "rules", 0, NULL },
	{ "object", UX_OBJECT, "", "addObjects", 0, NULL },
	{ "location", UX_LOCATION, "type", "object", 1, NULL },
	{ "attributes", UX_ATTRIBUTES, "", "object", 1, NULL },
	{ "bytes", UX_BYTES, "string expand", "object", 1, NULL },
	{ "includeAttributes", UX_INCLUDE_ATTRS, "attributes", "rules", 0,
	    NULL },
	{ "excludeAttributes", UX_EXCLUDE_ATTRS, "attributes", "rules", 0,
	    NULL },
	{ "extensions", UX_EXTENSIONS, "", "component", 0, NULL },
	{ "extension", UX_EXTENSION, "", "extensions", 1, NULL },
	{ "externalProcess", UX_EXTERNAL_PROCESS, "when", "rules", 0, NULL },
	{ "commandLine", UX_COMMAND_LINE, "", "externalProcess", 1, NULL },
	{ "processing", UX_PROCESSING, "when", "rules", 0, NULL },
};

static const struct ux_elem cfg_elems[] = {
	{ "Configuration", UX_CONFIGURATION, "", "", 0, NULL },
	{ "Applications", UX_APPLICATIONS, "", "Configuration", 0, NULL },
	{ "Documents", UX_DOCUMENTS, "", "Configuration", 0, NULL },
	{ "WindowsComponents", UX_WINDOWS_COMPONENTS, "", "Configuration", 0,
	    NULL },
	{ "component", UX_CFG_COMPONENT, "displayname migrate ID type context "
	    "defaultSupported", "Applications Documents WindowsComponents "
	    "component", 0, NULL },
	{ "Policies", UX_POLICIES, "", "Configuration", 0, NULL },
	{ "ErrorControl", UX_ERROR_CONTROL, "", "Policies", 0, NULL },
	{ "fileError", UX_FILE_ERROR, "", "ErrorControl", 0, NULL },
	{ "registryError", UX_REGISTRY_ERROR, "", "ErrorControl", 0, NULL },
	{ "nonFatal", UX_NON_FATAL, "errorCode", "fileError registryError", 1,
	    NULL },
	{ "fatal", UX_FATAL, "errorCode", "fileError registryError", 1, NULL },
	{ "HardLinkStoreControl", UX_HARDLINK_CONTROL, "", "Policies "
	    "Configuration", 0, NULL },
	{ "fileLocked", UX_FILE_LOCKED, "", "HardLinkStoreControl", 0, NULL },
	{ "createHardLink", UX_CREATE_HARDLINK, "", "fileLocked", 1, NULL },
	{ "errorHardLink", UX_ERROR_HARDLINK, "", "fileLocked", 1, NULL },
	{ "ProfileControl", UX_PROFILE_CONTROL, "", "Configuration", 0, NULL },
	{ "localGroups", UX_LOCAL_GROUPS, "", "ProfileControl", 0, NULL },
	{ "mappings", UX_MAPPINGS, "", "localGroups", 0, NULL },
	{ "changeGroup", UX_CHANGE_GROUP, "From To appliesTo", "mappings", 0,
	    NULL },
	{ "include", UX_INCLUDE, "", "changeGroup", 0, NULL },
	{ "exclude", UX_EXCLUDE, "", "changeGroup", 0, NULL },
	{ "pattern", UX_PATTERN, "", "include exclude", 1, NULL },
};

#define NMIG	(sizeof(mig_elems) / sizeof(mig_elems[0]))
#define NCFG	(sizeof(cfg_elems) / sizeof(cfg_elems[0]))

/* Attribute values that must be one of a set (compared case-insensitively). */
static const struct {
	const char	*tag;
	const char	*attr;
	const char	*values;
} enum_attrs[] = {
	{ "component", "type", "System Application Device Documents" },
	{ "component", "context", "User System UserAndSystem" },
	{ "component", "defaultSupported", "TRUE FALSE Yes No" },
	{ "component", "hidden", "TRUE FALSE Yes No" },
	{ "component", "migrate", "yes no" },
	{ "role", "role", "Container Binaries Settings Data" },
	{ "rules", "context", "User System UserAndSystem" },
	{ "detect", "context", "User System UserAndSystem" },
	{ "detection", "context", "User System UserAndSystem" },
	{ "environment", "context", "User System UserAndSystem" },
	{ "pattern", "type", "File Registry Ini" },
	{ "path", "type", "File Registry Ini" },
	{ "location", "type", "File Registry Ini" },
	{ "conditions", "operation", "AND OR" },
	{ "condition", "negation", "Yes No TRUE FALSE" },
	{ "variable", "remap", "TRUE FALSE Yes No" },
	{ "bytes", "expand", "TRUE FALSE Yes No" },
	{ "bytes", "string", "TRUE FALSE Yes No" },
	{ "externalProcess", "when", "pre-scan scan-success post-scan "
	    "pre-apply apply-success post-apply" },
	{ "processing", "when", "pre-scan scan-success post-scan pre-apply "
	    "apply-success post-apply" },
	{ "changeGroup", "appliesTo", "nonmigratedUsers migratedUsers "
	    "AllUsers" },
};

/* Every MigXmlHelper function of reference §4.4. */
static const char *const helpers[] = {
	"DoesOSMatch", "IsNative64Bit", "IsOSLaterThan", "IsOSEarlierThan",
	"DoesObjectExist", "DoesFileVersionMatch", "IsFileVersionAbove",
	"IsFileVersionBelow", "IsSystemContext", "DoesStringContentEqual",
	"DoesStringContentContain", "IsSameObject", "IsSameContent",
	"IsSameStringContent", "ExtractSingleFile", "ExtractMultipleFiles",
	"ExtractDirectory", "ConvertToDWORD", "ConvertToString",
	"ConvertToBinary", "OffsetValue", "SetValueByTable", "KeepExisting",
	"MergeMultiSzContent", "MergeDelimitedContent", "MergeShellLibraries",
	"CompareStringContent", "IgnoreIrrelevantLinks", "AnswerNo",
	"NeverRestore", "SameRegContent", "FileProperties", "ExactMove",
	"Move", "RelativeMove", "SourcePriority", "DestinationPriority",
	"FindFilePlaceByPattern", "LeafPattern", "NewestVersion",
	"HigherValue", "LowerValue", "GetStringContent",
	"GenerateDrivePatterns", "GenerateUserPatterns",
	"GenerateDocPatterns", "AskForLogoff", "ConvertToShortFileName",
	"KillExplorer", "RegisterFonts", "RemoveEmptyDirectories",
	"RestartExplorer", "StartService", "StopService", "SyncSCM",
	"AntiAlias", "ConvertScreenSaver", "ConvertShowIEOnDesktop",
	"ConvertToOfficeLangID", "MigrateActiveDesktop",
	"MigrateAppearanceUPM", "MigrateDisplayCS", "MigrateDisplaySS",
	"MigrateIEAutoSearch", "MigrateMouseUPM", "MigrateSoundSysTray",
	"MigrateTaskBarSS", "SetPstPathInMapiStruc",
};

int
ux_helper_known(const char *fn)
{
	size_t i;

	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (strcasecmp(helpers[i], fn) == 0)
			return 1;
	return 0;
}

const char *
ux_kind_name(enum ux_kind k)
{
	size_t i;

	for (i = 0; i < NMIG; i++)
		if (mig_elems[i].kind == k)
			return mig_elems[i].tag;
	for (i = 0; i < NCFG; i++)
		if (cfg_elems[i].kind == k)
			return cfg_elems[i].tag;
	return "?";
}

/* 1 when word is one of the space-separated words of list. */
static int
in_list(const char *list, const char *word, int icase)
{
	size_t wl = strlen(word);
	const char *p = list;

	while (*p != '\0') {
		const char *e = strchr(p, ' ');
		size_t l = e != NULL ? (size_t)(e - p) : strlen(p);

		if (l == wl && (icase ? strncasecmp(p, word, l) :
		    strncmp(p, word, l)) == 0)
			return 1;
		p += l;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* Calls. */

void
ux_call_free(struct ux_call *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->prefix);
	free(c->fn);
	for (i = 0; i < c->nargs; i++)
		free(c->args[i]);
	free(c);
}

static int
is_ident(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/*
 * Prefix.Function(args): arguments are "double" or 'single' quoted strings
 * taken as they are (USMT has no escapes inside them: a backslash is a path
 * separator, and XML already turned &quot; into a quote), or bare words
 * (TRUE, FALSE, numbers); a bare NULL is a null argument.
 */
int
ux_call_parse(struct offmig_ctx *ctx, const char *text, struct ux_call **cp)
{
	struct ux_call *c;
	const char *p = skip_ws(text), *s;
	int ret;

	*cp = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "helper call");
	if (!is_ident(*p)) {
		ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "helper call '%s' does "
		    "not start with a name", text);
		goto fail;
	}
	for (s = p; is_ident(*p); p++)
		;
	if (*p == '.') {
		if ((c->prefix = strndup(s, (size_t)(p - s))) == NULL)
			goto nomem;
		for (s = ++p; is_ident(*p); p++)
			;
		if (p == s) {
			ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "helper call "
			    "'%s': no function name after '.'", text);
			goto fail;
		}
	}
	if ((c->fn = strndup(s, (size_t)(p - s))) == NULL)
		goto nomem;
	p = skip_ws(p);
	if (*p != '(') {
		ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "helper call '%s': "
		    "'(' expected after '%s'", text, c->fn);
		goto fail;
	}
	p = skip_ws(p + 1);
	if (*p != ')') {
		for (;;) {
			char *arg = NULL;

			if (c->nargs == UX_MAX_ARGS) {
				ret = ctx_set_error(ctx, OFFMIG_EXML, 0,
				    "helper call '%s': more than %d arguments",
				    text, UX_MAX_ARGS);
				goto fail;
			}
			if (*p == '"' || *p == '\'') {
				char q = *p;

				s = ++p;
				while (*p != '\0' && *p != q)
					p++;
				if (*p != q) {
					ret = ctx_set_error(ctx, OFFMIG_EXML, 0,
					    "helper call '%s': unterminated "
					    "string in argument %zu", text,
					    c->nargs + 1);
					goto fail;
				}
				if ((arg = strndup(s, (size_t)(p - s))) == NULL)
					goto nomem;
				p++;
			} else if (is_ident(*p) || *p == '-' || *p == '.') {
				for (s = p; is_ident(*p) || *p == '-' ||
				    *p == '.'; p++)
					;
				if (!(p - s == 4 && strncasecmp(s, "NULL", 4)
				    == 0) && (arg = strndup(s,
				    (size_t)(p - s))) == NULL)
					goto nomem;
			} else {
				ret = ctx_set_error(ctx, OFFMIG_EXML, 0,
				    "helper call '%s': argument %zu expected "
				    "(a quoted string, TRUE, FALSE or NULL)",
				    text, c->nargs + 1);
				goto fail;
			}
			c->args[c->nargs++] = arg;
			p = skip_ws(p);
			if (*p == ')')
				break;
			if (*p != ',') {
				ret = ctx_set_error(ctx, OFFMIG_EXML, 0,
				    "helper call '%s': ',' or ')' expected "
				    "after argument %zu", text, c->nargs);
				goto fail;
			}
			p = skip_ws(p + 1);
		}
	}
	p = skip_ws(p + 1);
	if (*p != '\0') {
		ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "helper call '%s': "
		    "unexpected text after ')'", text);
		goto fail;
	}
	*cp = c;
	return OFFMIG_OK;
nomem:
	ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "helper call");
fail:
	ux_call_free(c);
	return ret;
}

/* The model. */

static void
node_free(struct ux_node *n)
{
	while (n != NULL) {
		struct ux_node *next = n->next;
		size_t i;

		node_free(n->first);
		for (i = 0; i < n->nattrs; i++) {
			free(n->attrs[i].name);
			free(n->attrs[i].value);
		}
		free(n->attrs);
		free(n->text);
		ux_call_free(n->call);
		free(n);
		n = next;
	}
}

static void
file_free(struct ux_file *f)
{
	if (f == NULL)
		return;
	node_free(f->root);
	free(f->path);
	free(f->urlid);
	free(f);
}

void
ux_set_init(struct ux_set *s)
{
	memset(s, 0, sizeof(*s));
}

void
ux_set_release(struct ux_set *s)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		file_free(s->files[i]);
	free(s->files);
	file_free(s->config);
	for (i = 0; i < s->ndiags; i++) {
		free(s->diags[i].file);
		free(s->diags[i].msg);
	}
	free(s->diags);
	memset(s, 0, sizeof(*s));
}

static void diag(struct ux_set *s, enum ux_sev sev, const char *file,
    long line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
diag(struct ux_set *s, enum ux_sev sev, const char *file, long line,
    const char *fmt, ...)
{
	struct ux_diag *d;
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((d = realloc(s->diags, (s->ndiags + 1) * sizeof(*d))) == NULL) {
		free(msg);
		return;
	}
	s->diags = d;
	d += s->ndiags;
	d->sev = sev;
	d->file = strdup(file);
	d->line = line;
	d->msg = msg;
	s->ndiags++;
	if (sev == UX_DIAG_ERROR)
		s->nerrors++;
}

const char *
ux_attr(const struct ux_node *n, const char *name)
{
	size_t i;

	for (i = 0; n != NULL && i < n->nattrs; i++)
		if (strcmp(n->attrs[i].name, name) == 0)
			return n->attrs[i].value;
	return NULL;
}

const struct ux_node *
ux_child(const struct ux_node *n, enum ux_kind k)
{
	const struct ux_node *c;

	for (c = n != NULL ? n->first : NULL; c != NULL; c = c->next)
		if (c->kind == k)
			return c;
	return NULL;
}

const struct ux_node *
ux_next(const struct ux_node *n, enum ux_kind k)
{
	for (n = n->next; n != NULL; n = n->next)
		if (n->kind == k)
			return n;
	return NULL;
}

const struct ux_node *
ux_deref(const struct ux_node *n)
{
	return n != NULL && n->ref != NULL ? n->ref : n;
}

const char *
ux_where(const struct ux_node *n, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%ld", n->file->path, n->line);
	return buf;
}

const char *
ux_display_name(const struct ux_node *component)
{
	const struct ux_node *d = ux_child(component, UX_DISPLAY_NAME);

	if (d != NULL)
		return d->text;
	return ux_attr(component, "displayname");
}

/* Conversion of the libxml2 tree. */

struct conv {
	struct offmig_ctx *ctx;
	struct ux_set	*set;
	struct ux_file	*file;
	const struct ux_elem *elems;
	size_t		 nelems;
	int		 nomem;
};

static char *
trimmed(const char *s)
{
	const char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		e--;
	return strndup(s, (size_t)(e - s));
}

static const struct ux_elem *
find_elem(const struct conv *cv, const char *tag)
{
	size_t i;

	for (i = 0; i < cv->nelems; i++)
		if (strcmp(cv->elems[i].tag, tag) == 0)
			return &cv->elems[i];
	return NULL;
}

static void
check_enum(struct conv *cv, const struct ux_node *n, const char *attr,
    const char *value)
{
	size_t i;

	for (i = 0; i < sizeof(enum_attrs) / sizeof(enum_attrs[0]); i++) {
		if (strcmp(enum_attrs[i].tag, n->tag) != 0 ||
		    strcmp(enum_attrs[i].attr, attr) != 0)
			continue;
		if (!in_list(enum_attrs[i].values, value, 1))
			diag(cv->set, UX_DIAG_ERROR, cv->file->path, n->line,
			    "<%s %s=\"%s\">: not one of %s", n->tag, attr,
			    value, enum_attrs[i].values);
		return;
	}
}

static void
parse_call(struct conv *cv, struct ux_node *n, const char *text)
{
	struct ux_call *c;
	int ret;

	if ((ret = ux_call_parse(cv->ctx, text, &c)) != OFFMIG_OK) {
		if (ret == OFFMIG_ENOMEM)
			cv->nomem = 1;
		else
			diag(cv->set, UX_DIAG_ERROR, cv->file->path, n->line,
			    "<%s>: %s", n->tag, offmig_errmsg(cv->ctx));
		return;
	}
	n->call = c;
	if (!ux_helper_known(c->fn))
		diag(cv->set, UX_DIAG_WARN, cv->file->path, n->line,
		    "<%s>: unknown helper function '%s%s%s': USMT would "
		    "silently collect nothing here", n->tag,
		    c->prefix != NULL ? c->prefix : "",
		    c->prefix != NULL ? "." : "", c->fn);
}

/* The concatenated text of an element's text and CDATA children. */
static char *
node_text(xmlNode *x, int *has_elem)
{
	size_t len = 0;
	char *buf, *t;
	xmlNode *c;

	*has_elem = 0;
	for (c = x->children; c != NULL; c = c->next)
		if ((c->type == XML_TEXT_NODE ||
		    c->type == XML_CDATA_SECTION_NODE) && c->content != NULL)
			len += strlen((const char *)c->content);
		else if (c->type == XML_ELEMENT_NODE)
			*has_elem = 1;
	if ((buf = malloc(len + 1)) == NULL)
		return NULL;
	len = 0;
	for (c = x->children; c != NULL; c = c->next)
		if ((c->type == XML_TEXT_NODE ||
		    c->type == XML_CDATA_SECTION_NODE) && c->content != NULL) {
			size_t l = strlen((const char *)c->content);

			memcpy(buf + len, c->content, l);
			len += l;
		}
	buf[len] = '\0';
	t = trimmed(buf);
	free(buf);
	return t;
}

static struct ux_node *
convert(struct conv *cv, xmlNode *x, struct ux_node *parent, int depth)
{
	const struct ux_elem *e;
	struct ux_node *n, **tail;
	const char *tag = (const char *)x->name;
	xmlAttr *a;
	xmlNode *c;
	char *text;
	int has_elem;
	long line = XL->GetLineNo(x);

	if (depth > UX_MAX_DEPTH) {
		diag(cv->set, UX_DIAG_ERROR, cv->file->path, line,
		    "<%s>: elements nested more than %d deep", tag,
		    UX_MAX_DEPTH);
		return NULL;
	}
	e = find_elem(cv, tag);
	if (e == NULL) {
		diag(cv->set, UX_DIAG_WARN, cv->file->path, line,
		    "unknown element <%s>%s%s%s: ignored with what it holds",
		    tag, parent != NULL ? " in <" : "",
		    parent != NULL ? parent->tag : "", parent != NULL ? ">" : "");
		return NULL;
	}
	if (!in_list(e->parents, parent != NULL ? parent->tag : "", 0) &&
	    !(parent == NULL && e->parents[0] == '\0')) {
		diag(cv->set, UX_DIAG_WARN, cv->file->path, line,
		    "<%s> is not allowed %s%s%s: ignored with what it holds",
		    tag, parent != NULL ? "in <" : "at the top",
		    parent != NULL ? parent->tag : "", parent != NULL ? ">" : "");
		return NULL;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		cv->nomem = 1;
		return NULL;
	}
	n->kind = e->kind;
	n->tag = e->tag;
	n->file = cv->file;
	n->line = line;
	n->parent = parent;
	for (a = x->properties; a != NULL; a = a->next) {
		const char *an = (const char *)a->name;
		xmlChar *v;
		struct ux_attr *na;

		if (!in_list(e->attrs, an, 0) && strcmp(e->attrs, "*") != 0) {
			diag(cv->set, UX_DIAG_WARN, cv->file->path, line,
			    "<%s>: unknown attribute '%s' ignored", tag, an);
			continue;
		}
		if ((v = XL->NodeGetContent((xmlNode *)a)) == NULL) {
			cv->nomem = 1;
			continue;
		}
		if ((na = realloc(n->attrs, (n->nattrs + 1) *
		    sizeof(*na))) == NULL) {
			XL->Free(v);
			cv->nomem = 1;
			continue;
		}
		n->attrs = na;
		na[n->nattrs].name = strdup(an);
		na[n->nattrs].value = strdup((const char *)v);
		XL->Free(v);
		if (na[n->nattrs].name == NULL || na[n->nattrs].value == NULL) {
			free(na[n->nattrs].name);
			free(na[n->nattrs].value);
			cv->nomem = 1;
			continue;
		}
		check_enum(cv, n, an, na[n->nattrs].value);
		n->nattrs++;
	}
	text = node_text(x, &has_elem);
	if (text == NULL)
		cv->nomem = 1;
	else if (e->text && !has_elem)
		n->text = text, text = NULL;
	else if (*text != '\0')
		diag(cv->set, UX_DIAG_WARN, cv->file->path, line,
		    "<%s>: text '%.40s' outside any element that holds text, "
		    "ignored", tag, text);
	free(text);
	if (e->call != NULL) {
		const char *src = strcmp(e->call, "text") == 0 ? n->text :
		    ux_attr(n, e->call);

		if (src != NULL && *src != '\0')
			parse_call(cv, n, src);
		else if (strcmp(e->call, "text") == 0)
			diag(cv->set, UX_DIAG_ERROR, cv->file->path, line,
			    "<%s> is empty: a helper call is expected", tag);
	}
	tail = &n->first;
	for (c = x->children; c != NULL; c = c->next) {
		struct ux_node *k;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if ((k = convert(cv, c, n, depth + 1)) != NULL) {
			*tail = k;
			tail = &k->next;
		}
	}
	return n;
}

/* Elements that can be defined in namedElements and referenced by name=. */
static int
nameable(enum ux_kind k)
{
	return k == UX_RULES || k == UX_DETECTS || k == UX_DETECT ||
	    k == UX_DETECTION || k == UX_ENVIRONMENT || k == UX_CONDITIONS;
}

static int
has_children(const struct ux_node *n)
{
	return n->first != NULL;
}

/* Resolves name= references: an element with a name and no content. */
static void
resolve(struct conv *cv, struct ux_node *n, const struct ux_node *named)
{
	struct ux_node *c;

	for (; n != NULL; n = n->next) {
		const char *name = ux_attr(n, "name");

		if (name != NULL && nameable(n->kind) && !has_children(n) &&
		    !(n->parent != NULL && n->parent->kind == UX_NAMED_ELEMENTS)) {
			const struct ux_node *d = NULL;

			for (c = named != NULL ? named->first : NULL; c != NULL;
			    c = c->next)
				if (c->kind == n->kind &&
				    (ux_attr(c, "name") != NULL &&
				    strcmp(ux_attr(c, "name"), name) == 0))
					d = c;
			if (d == NULL)
				diag(cv->set, UX_DIAG_ERROR, cv->file->path,
				    n->line, "<%s name=\"%s\">: no <%s> of that "
				    "name in <namedElements>", n->tag, name,
				    n->tag);
			else
				n->ref = d;
		}
		resolve(cv, n->first, named);
	}
}

/* What the parser hooks record (pctx->_private). */
struct hooks {
	long		 doctype_line;	/* -1: no DOCTYPE met */
	long		 err_line;	/* the first error */
	char		 err_msg[512];
	int		 has_err;
};

/* Records the first error the parser reports (the cause, not its echoes). */
static void
first_error(void *data, xmlErrorPtr xe)
{
	xmlParserCtxt *pctx = data;
	struct hooks *hk = pctx->_private;
	size_t l;

	if (hk->has_err || xe == NULL || xe->level < XML_ERR_ERROR)
		return;
	hk->has_err = 1;
	hk->err_line = xe->line;
	snprintf(hk->err_msg, sizeof(hk->err_msg), "%s",
	    xe->message != NULL ? xe->message : "error");
	l = strlen(hk->err_msg);
	while (l > 0 && (hk->err_msg[l - 1] == '\n' ||
	    hk->err_msg[l - 1] == ' '))
		hk->err_msg[--l] = '\0';
}

/*
 * SAX hook: a DOCTYPE is refused as soon as it starts, before any of its
 * declarations is read.
 */
static void
refuse_doctype(void *data, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	xmlParserCtxt *pctx = data;
	struct hooks *hk = pctx->_private;

	hk->doctype_line = pctx->input != NULL ? pctx->input->line : 0;
	XL->StopParser(pctx);
}

int
ux_load_memory(struct offmig_ctx *ctx, struct ux_set *s, const char *name,
    const char *buf, size_t len, int is_config)
{
	struct conv cv = { ctx, s, NULL, NULL, 0, 0 };
	xmlParserCtxt *pctx = NULL;
	xmlDoc *doc = NULL;
	xmlNode *root;
	struct ux_file *f, **nf;
	size_t i, errs0 = s->nerrors;
	struct hooks hk = { -1, 0, "", 0 };
	int ret = OFFMIG_OK;

	if (xmllib_load(ctx) == NULL)
		return OFFMIG_EIO;
	if (len > UX_MAX_FILE || len > (size_t)INT32_MAX) {
		diag(s, UX_DIAG_ERROR, name, 0, "larger than %u MiB: refused",
		    UX_MAX_FILE >> 20);
		return ctx_set_error(ctx, OFFMIG_EXML, 0, "%s: larger than %u "
		    "MiB", name, UX_MAX_FILE >> 20);
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->path = strdup(name)) == NULL) {
		free(f);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", name);
	}
	f->is_config = is_config;
	cv.file = f;
	cv.elems = is_config ? cfg_elems : mig_elems;
	cv.nelems = is_config ? NCFG : NMIG;
	if ((pctx = XL->NewParserCtxt()) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "%s", name);
		goto out;
	}
	pctx->sax->internalSubset = refuse_doctype;
	pctx->sax->externalSubset = NULL;
	pctx->sax->serror = first_error;
	pctx->_private = &hk;
	doc = XL->CtxtReadMemory(pctx, buf, (int)len, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
	if (hk.doctype_line >= 0) {
		diag(s, UX_DIAG_ERROR, name, hk.doctype_line, "a DOCTYPE is not "
		    "allowed in USMT XML (entity declarations and external "
		    "entities are refused)");
		ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "%s:%ld: DOCTYPE "
		    "refused", name, hk.doctype_line);
		goto out;
	}
	if (doc == NULL || !pctx->wellFormed) {
		diag(s, UX_DIAG_ERROR, name, hk.has_err ? hk.err_line : 0,
		    "not well-formed XML: %s", hk.has_err ? hk.err_msg :
		    "unreadable");
		ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "%s: not well-formed "
		    "XML", name);
		goto out;
	}
	root = XL->DocGetRootElement(doc);
	if (root == NULL || strcmp((const char *)root->name, is_config ?
	    "Configuration" : "migration") != 0) {
		diag(s, UX_DIAG_ERROR, name, root != NULL ? XL->GetLineNo(root) :
		    0, "the root element must be <%s>%s",
		    is_config ? "Configuration" : "migration", is_config ? "" :
		    " (config.xml is given with --config)");
		ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "%s: wrong root "
		    "element", name);
		goto out;
	}
	f->root = convert(&cv, root, NULL, 0);
	if (cv.nomem) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "%s", name);
		goto out;
	}
	if (f->root == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "%s: unusable", name);
		goto out;
	}
	if (!is_config) {
		const char *u = ux_attr(f->root, "urlid");

		if (u == NULL || *u == '\0')
			diag(s, UX_DIAG_WARN, name, f->root->line, "<migration> "
			    "has no urlid");
		else if ((f->urlid = strdup(u)) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "%s", name);
			goto out;
		}
		resolve(&cv, f->root->first,
		    ux_child(f->root, UX_NAMED_ELEMENTS));
		for (i = 0; f->urlid != NULL && i < s->nfiles; i++)
			if (s->files[i]->urlid != NULL &&
			    strcmp(s->files[i]->urlid, f->urlid) == 0) {
				f->skipped = 1;
				diag(s, UX_DIAG_WARN, name, f->root->line,
				    "urlid \"%s\" is the urlid of %s too: USMT "
				    "does not process this second file, and "
				    "neither does this plan", f->urlid,
				    s->files[i]->path);
				break;
			}
	}
	if (is_config) {
		file_free(s->config);
		s->config = f;
	} else {
		if ((nf = realloc(s->files, (s->nfiles + 1) *
		    sizeof(*nf))) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "%s", name);
			goto out;
		}
		s->files = nf;
		s->files[s->nfiles++] = f;
	}
	f = NULL;
	if (s->nerrors > errs0)
		ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "%s: %zu error%s",
		    name, s->nerrors - errs0, s->nerrors - errs0 == 1 ? "" :
		    "s");
out:
	file_free(f);
	if (doc != NULL)
		XL->FreeDoc(doc);
	if (pctx != NULL)
		XL->FreeParserCtxt(pctx);
	return ret;
}

int
ux_load_file(struct offmig_ctx *ctx, struct ux_set *s, const char *path,
    int is_config)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd, ret;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		int e = errno;

		ret = ctx_set_error(ctx, OFFMIG_EIO, e, "%s", path);
		diag(s, UX_DIAG_ERROR, path, 0, "%s", strerror(e));
		return ret;
	}
	if (fstat(fd, &st) != 0) {
		int e = errno;

		ret = ctx_set_error(ctx, OFFMIG_EIO, e, "%s", path);
		diag(s, UX_DIAG_ERROR, path, 0, "%s", strerror(e));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, 0, "%s: not a regular file",
		    path);
		diag(s, UX_DIAG_ERROR, path, 0, "not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > UX_MAX_FILE) {
		diag(s, UX_DIAG_ERROR, path, 0, "larger than %u MiB: refused",
		    UX_MAX_FILE >> 20);
		ret = ctx_set_error(ctx, OFFMIG_EXML, 0, "%s: larger than %u "
		    "MiB", path, UX_MAX_FILE >> 20);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
		goto out;
	}
	if ((n = io_read_full(fd, buf, (size_t)st.st_size)) < 0) {
		int e = errno;

		ret = ctx_set_error(ctx, OFFMIG_EIO, e, "%s", path);
		diag(s, UX_DIAG_ERROR, path, 0, "%s", strerror(e));
		goto out;
	}
	ret = ux_load_memory(ctx, s, path, buf, (size_t)n, is_config);
out:
	free(buf);
	close(fd);
	return ret;
}
