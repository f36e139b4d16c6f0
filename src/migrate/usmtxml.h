/*
 * usmtxml.h - the model of USMT migration XML (MigUser.xml, MigApp.xml,
 * custom files) and of config.xml, as parsed by usmtxml.c with libxml2.
 * Nothing outside src/migrate sees libxml2: the model is plain C.
 *
 * A file is kept as a tree of struct ux_node, one per element, each with
 * its kind, attributes, text, file and line.  Parsing checks each element
 * against the table of USMT's elements (reference §4.3): an unknown
 * element or attribute, an attribute value out of its set, a helper call
 * that does not parse, a name= reference to nothing are diagnostics with
 * file:line, never silently dropped.  Helper calls (conditions, scripts,
 * filters) are parsed into struct ux_call.
 *
 * Hostile input: files are read with a size cap, without network access,
 * without DTDs or entity declarations (a DOCTYPE is refused, so entity
 * expansion attacks and external entities never reach the parser's entity
 * code) and with a bounded depth.
 */
#ifndef OFFMIG_MIGRATE_USMTXML_H
#define OFFMIG_MIGRATE_USMTXML_H

#include <stddef.h>

#include "offmig.h"

/* Caps on what a rule file may make us hold. */
#define UX_MAX_FILE	(64u << 20)	/* bytes of one XML file */
#define UX_MAX_DEPTH	64		/* element nesting */
#define UX_MAX_ARGS	16		/* arguments of one helper call */

enum ux_kind {
	UX_UNKNOWN = 0,
	/* migration files */
	UX_MIGRATION, UX_LIBRARY, UX_NAMED_ELEMENTS, UX_COMPONENT, UX_ROLE,
	UX_RULES, UX_INCLUDE, UX_EXCLUDE, UX_UNCOND_EXCLUDE, UX_OBJECTSET,
	UX_PATTERN, UX_SCRIPT, UX_CONTENT, UX_CONDITIONS, UX_CONDITION,
	UX_DETECTS, UX_DETECT, UX_DETECTION, UX_ENVIRONMENT, UX_VARIABLE,
	UX_TEXT, UX_MERGE, UX_LOCATION_MODIFY, UX_CONTENT_MODIFY,
	UX_DEST_CLEANUP, UX_ADD_OBJECTS, UX_OBJECT, UX_LOCATION,
	UX_ATTRIBUTES, UX_BYTES, UX_INCLUDE_ATTRS, UX_EXCLUDE_ATTRS,
	UX_EXTENSIONS, UX_EXTENSION, UX_EXTERNAL_PROCESS, UX_COMMAND_LINE,
	UX_PROCESSING, UX_DISPLAY_NAME, UX_PATHS, UX_PATH, UX_ICON,
	UX_MANUFACTURER, UX_VERSION, UX_DESCRIPTION, UX_LOCDEF, UX_PLUGIN,
	UX_WINDOWS_OBJECTS, UX_LOC_STRING,
	/* config.xml */
	UX_CONFIGURATION, UX_APPLICATIONS, UX_DOCUMENTS, UX_WINDOWS_COMPONENTS,
	UX_CFG_COMPONENT, UX_POLICIES, UX_ERROR_CONTROL, UX_FILE_ERROR,
	UX_REGISTRY_ERROR, UX_NON_FATAL, UX_FATAL, UX_PROFILE_CONTROL,
	UX_LOCAL_GROUPS, UX_MAPPINGS, UX_CHANGE_GROUP, UX_HARDLINK_CONTROL,
	UX_FILE_LOCKED, UX_CREATE_HARDLINK, UX_ERROR_HARDLINK,
	UX_KIND_COUNT
};

/* A helper call: MigXmlHelper.Fn("a", 'b', NULL). */
struct ux_call {
	char		*prefix;	/* "MigXmlHelper" (or a <library> prefix) */
	char		*fn;		/* "DoesObjectExist" */
	size_t		 nargs;
	char		*args[UX_MAX_ARGS];	/* NULL for a NULL argument */
};

struct ux_attr {
	char		*name;
	char		*value;
};

struct ux_file;

struct ux_node {
	enum ux_kind	 kind;
	const char	*tag;		/* element name as in the table */
	const struct ux_file *file;
	long		 line;
	struct ux_attr	*attrs;
	size_t		 nattrs;
	char		*text;		/* trimmed text of a leaf element, or NULL */
	struct ux_call	*call;		/* parsed script/condition/filter, or NULL */
	const struct ux_node *ref;	/* name= target in namedElements, or NULL */
	struct ux_node	*parent, *first, *next;
};

struct ux_file {
	char		*path;		/* as given */
	char		*urlid;		/* migration files; NULL for config.xml */
	int		 is_config;
	int		 skipped;	/* duplicate urlid: not processed */
	struct ux_node	*root;
};

enum ux_sev {
	UX_DIAG_INFO = 0,	/* remark (informational element, ...) */
	UX_DIAG_WARN,		/* not evaluable / ignored by USMT: said here */
	UX_DIAG_ERROR		/* invalid XML or rule: exit status 3 */
};

struct ux_diag {
	enum ux_sev	 sev;
	char		*file;
	long		 line;
	char		*msg;
};

/* A set of loaded rule files and their diagnostics. */
struct ux_set {
	struct ux_file	**files;
	size_t		 nfiles;
	struct ux_file	*config;	/* or NULL */
	struct ux_diag	*diags;
	size_t		 ndiags;
	size_t		 nerrors;
};

void	ux_set_init(struct ux_set *s);
void	ux_set_release(struct ux_set *s);
/*
 * Parses a migration file (or config.xml when is_config) from memory and
 * adds it to the set.  Problems are recorded as diagnostics in the set;
 * returns OFFMIG_EXML when the file could not be used at all (not well
 * formed, refused), OFFMIG_ENOMEM, else OFFMIG_OK (possibly with
 * diagnostics of any severity: check s->nerrors).
 */
int	ux_load_memory(struct offmig_ctx *ctx, struct ux_set *s,
	    const char *name, const char *buf, size_t len, int is_config);
/* The same from a file (read with the UX_MAX_FILE cap). */
int	ux_load_file(struct offmig_ctx *ctx, struct ux_set *s,
	    const char *path, int is_config);

/* Attribute value by name (case-sensitive, as XML), or NULL. */
const char *ux_attr(const struct ux_node *n, const char *name);
/* The first child of that kind, or NULL; the next sibling of that kind. */
const struct ux_node *ux_child(const struct ux_node *n, enum ux_kind k);
const struct ux_node *ux_next(const struct ux_node *n, enum ux_kind k);
/* n itself, or the namedElements element it refers to with name=. */
const struct ux_node *ux_deref(const struct ux_node *n);
/* "MigUser.xml:12" style location into buf. */
const char *ux_where(const struct ux_node *n, char *buf, size_t size);
/* Element name of a kind. */
const char *ux_kind_name(enum ux_kind k);
/* The displayName text of a component, or NULL. */
const char *ux_display_name(const struct ux_node *component);

/*
 * Parses a helper call text.  On error returns OFFMIG_EXML with a message
 * saying what is wrong (the caller adds file:line).  Free with
 * ux_call_free().
 */
int	ux_call_parse(struct offmig_ctx *ctx, const char *text,
	    struct ux_call **cp);
void	ux_call_free(struct ux_call *c);
/* Whether fn is a known MigXmlHelper function (any group). */
int	ux_helper_known(const char *fn);

#endif /* OFFMIG_MIGRATE_USMTXML_H */
