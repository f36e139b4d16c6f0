/*
 * offmig.h - the one public header of liboffmig: inspect an offline Windows
 * installation from its mounted volume and carry its users' state across a
 * reinstall.
 *
 * Everything here is prefixed offmig_.  Types are opaque; hivex and libxml2
 * types never appear.  Every fallible function returns OFFMIG_OK (0) or a
 * negative enum offmig_err and records a message in the context; the
 * library never prints to the terminal on its own and never exits.
 */
#ifndef OFFMIG_H
#define OFFMIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes.  Each maps to one exit status of the offmig command. */
enum offmig_err {
	OFFMIG_OK	  =  0,
	OFFMIG_ENOMEM	  = -1,	/* out of memory */
	OFFMIG_EIO	  = -2,	/* I/O error; errno is in offmig_errno() */
	OFFMIG_ECORRUPT	  = -3,	/* input file is damaged or not what it claims */
	OFFMIG_ENOTFOUND  = -4,	/* key, value, profile or file does not exist */
	OFFMIG_EXML	  = -5,	/* XML is not well formed or not valid USMT */
	OFFMIG_EXDEV	  = -6,	/* hard link would cross volumes */
	OFFMIG_EINVAL	  = -7,	/* caller passed a bad argument */
	OFFMIG_ENOWINDOWS = -8,	/* no Windows installation on the volume */
	OFFMIG_EAMBIGUOUS = -9,	/* several installations; caller must choose */
	OFFMIG_EUNSAFE	  = -10	/* refused: would lose data or alter evidence */
};

/* Exit statuses shared by every command (offmig(1), EXIT STATUS). */
enum offmig_exit {
	OFFMIG_EXIT_OK		= 0,	/* done */
	OFFMIG_EXIT_PARTIAL	= 1,	/* done, but some items failed */
	OFFMIG_EXIT_USAGE	= 2,	/* bad command line */
	OFFMIG_EXIT_DATA	= 3,	/* bad input data */
	OFFMIG_EXIT_ENV		= 4,	/* environment or I/O failure */
	OFFMIG_EXIT_SAFETY	= 5,	/* refused for safety */
	OFFMIG_EXIT_NOTHING	= 6	/* nothing to work on */
};

/*
 * Context: error detail, the problem log and its counters.  One per thread.
 */
struct offmig_ctx;

/* Severity of a message handed to the log callback. */
enum offmig_level {
	OFFMIG_LOG_INFO = 0,	/* progress or a remark */
	OFFMIG_LOG_WARN = 1,	/* a per-item problem: reported, counted, skipped */
	OFFMIG_LOG_ERROR = 2	/* an item failed: counted in offmig_ctx_failures() */
};

typedef void offmig_log_fn(void *arg, enum offmig_level level, const char *msg);

/* Returns a new context, or NULL when out of memory. */
struct offmig_ctx *offmig_ctx_new(void);
/* Frees the context; accepts NULL. */
void		 offmig_ctx_free(struct offmig_ctx *ctx);
/*
 * Sets the callback that receives per-item problems (one line each, no
 * trailing newline).  Without one, messages are only counted.
 */
void		 offmig_ctx_set_log(struct offmig_ctx *ctx, offmig_log_fn *fn,
		    void *arg);
/*
 * How many threads a report may use for its per-profile work (user hives,
 * known folders, browser profiles): 1 for none, 0 (the default) for one
 * per online CPU, at most 8.  The report and its messages are the same
 * whatever the number.
 */
void		 offmig_ctx_set_jobs(struct offmig_ctx *ctx, unsigned jobs);
/* Number of warnings and errors reported through the log since creation. */
unsigned long	 offmig_ctx_warnings(const struct offmig_ctx *ctx);
unsigned long	 offmig_ctx_failures(const struct offmig_ctx *ctx);
/* Detail of the last error; borrowed until the next call on ctx.  Never NULL. */
const char	*offmig_errmsg(const struct offmig_ctx *ctx);
/* errno saved with the last error, or 0. */
int		 offmig_errno(const struct offmig_ctx *ctx);
/* Static text for a code. */
const char	*offmig_strerror(int err);
/* Exit status for a code (OFFMIG_OK gives 0). */
int		 offmig_exit_status(int err);
/* Library version string, e.g. "0.1.0". */
const char	*offmig_version(void);

/*
 * Documents: every report is a tree of objects, arrays, strings, integers,
 * booleans and nulls, with the stable field names of DESIGN.md.  The same
 * tree is printed as JSON, as tables or as CSV.  Strings are UTF-8; bytes
 * that are not valid UTF-8 and lone UTF-16 surrogates from the disk are kept
 * as they are and escaped faithfully by the JSON writer (see offmig(1)).
 */
struct offmig_doc;	/* owns all its nodes */
struct offmig_node;	/* borrowed from its doc until offmig_doc_free() */

enum offmig_node_type {
	OFFMIG_NODE_NULL = 0,
	OFFMIG_NODE_BOOL,
	OFFMIG_NODE_INT,
	OFFMIG_NODE_STRING,
	OFFMIG_NODE_ARRAY,
	OFFMIG_NODE_OBJECT
};

void			 offmig_doc_free(struct offmig_doc *doc);	/* NULL ok */
const struct offmig_node *offmig_doc_root(const struct offmig_doc *doc);
enum offmig_node_type	 offmig_node_type(const struct offmig_node *n);
/*
 * Member of an object by name; "a.b.c" descends through objects.  NULL when
 * absent or when n is not an object.
 */
const struct offmig_node *offmig_node_get(const struct offmig_node *n,
			    const char *path);
/* Number of elements of an array or members of an object; 0 otherwise. */
size_t			 offmig_node_len(const struct offmig_node *n);
/* Element i of an array or value of member i of an object, or NULL. */
const struct offmig_node *offmig_node_at(const struct offmig_node *n, size_t i);
/* Name of member i of an object, or NULL. */
const char		*offmig_node_key(const struct offmig_node *n, size_t i);
/* String value (NULL if not a string); length in *lenp when lenp != NULL. */
const char		*offmig_node_str(const struct offmig_node *n, size_t *lenp);
/* Integer value, booleans as 0/1; 0 for other types. */
int64_t			 offmig_node_int(const struct offmig_node *n);
/* Convenience: string member at path, or NULL. */
const char		*offmig_node_get_str(const struct offmig_node *n,
			    const char *path);

/* Output formats. */
enum offmig_format {
	OFFMIG_FMT_TABLE = 0,
	OFFMIG_FMT_JSON,
	OFFMIG_FMT_CSV
};

/*
 * One column of a table or CSV listing.  key is a path below each row
 * object ("user", "hive.dirty"); arrays of scalars are joined with ",".
 * A column with flex set gives up width first when the table must fit.
 */
struct offmig_column {
	const char	*header;	/* column title */
	const char	*key;		/* path in each row */
	int		 flex;		/* may be shortened to fit the width */
};

/* Writes the whole tree as one pretty-printed JSON document and a newline. */
int	offmig_write_json(FILE *fp, const struct offmig_node *n);
/*
 * Writes the array rows as an aligned table with a header line, fitting
 * width columns (0: no limit).  Values too wide are shortened with "~".
 * Missing or null cells print as "-".
 */
int	offmig_write_table(FILE *fp, const struct offmig_node *rows,
	    const struct offmig_column *cols, size_t ncols, unsigned width);
/* Writes the array rows as RFC 4180 CSV with a header line. */
int	offmig_write_csv(FILE *fp, const struct offmig_node *rows,
	    const struct offmig_column *cols, size_t ncols);
/*
 * Writes "label: value" lines for the given members of an object, labels
 * aligned (the header of each column is the label).
 */
int	offmig_write_fields(FILE *fp, const struct offmig_node *obj,
	    const struct offmig_column *cols, size_t ncols, unsigned width);

/*
 * Volumes: a mounted Windows system volume, read only.
 */
struct offmig_volume;

enum offmig_volume_flags {
	OFFMIG_VOLUME_NO_LOGS = 1 << 0	/* read dirty hives as they are */
};

struct offmig_volume_opts {
	const char	*windows_dir;	/* choose an installation by its
					   directory name ("Windows", "WINNT");
					   NULL: the only one */
	unsigned	 flags;		/* enum offmig_volume_flags */
};

/*
 * Opens the volume mounted at root and finds its Windows installation:
 * a directory whose System32\config holds SOFTWARE and SYSTEM, every name
 * matched case-insensitively.  Nothing on the volume is written; every file
 * is opened O_RDONLY and no symbolic link is followed.  Errors:
 * OFFMIG_ENOWINDOWS (none found; the message tells a blank or non-Windows
 * volume from a damaged installation), OFFMIG_EAMBIGUOUS (several; the
 * message lists them), OFFMIG_EIO.  On success *volp must be closed with
 * offmig_volume_close().  opts may be NULL.
 */
int	offmig_volume_open(struct offmig_ctx *ctx, const char *root,
	    const struct offmig_volume_opts *opts, struct offmig_volume **volp);
void	offmig_volume_close(struct offmig_volume *vol);	/* NULL ok */
/*
 * Lists the candidate installations on a volume (doc: "installations"[]
 * {"dir", "host_path", "software", "system", "complete"}).  Returns OK even
 * when there are none.  On success *docp belongs to the caller.
 */
int	offmig_volume_scan(struct offmig_ctx *ctx, const char *root,
	    struct offmig_doc **docp);

/*
 * User filters, as USMT's /ui, /ue and /uel.  Patterns are DOMAIN\user,
 * user or a SID, with '*' wildcards, matched case-insensitively.  A user is
 * selected when it matches an --ui pattern, or else when it matches no --ue
 * pattern and, with uel_days set, was used within that many days.
 */
struct offmig_filter;

struct offmig_filter *offmig_filter_new(void);		/* NULL on ENOMEM */
void	offmig_filter_free(struct offmig_filter *f);	/* NULL ok */
int	offmig_filter_include(struct offmig_filter *f, const char *pattern);
int	offmig_filter_exclude(struct offmig_filter *f, const char *pattern);
/* days < 0: no age limit.  now is the reference time (Unix seconds). */
void	offmig_filter_set_uel(struct offmig_filter *f, int days, int64_t now);

/*
 * Reports.  Each builds a document the caller frees with offmig_doc_free().
 * They return OFFMIG_OK when the report was produced, even if some parts
 * were missing or damaged: those problems are in the document
 * ("problems"[] of the item, "attention"[]) and were logged as warnings.
 * A fatal problem (the SOFTWARE hive cannot be read at all) returns an
 * error and no document.
 */
enum offmig_report_flags {
	OFFMIG_REPORT_ALL_APPS = 1 << 0	/* keep what Add/Remove Programs hides */
};

/* OS facts and the hive list (doc: the "os" object of DESIGN.md §1). */
int	offmig_os_report(struct offmig_ctx *ctx, struct offmig_volume *vol,
	    struct offmig_doc **docp);
/* ProfileList entries and orphan folders (doc: "profiles"[]). */
int	offmig_profiles_report(struct offmig_ctx *ctx,
	    struct offmig_volume *vol, const struct offmig_filter *filter,
	    struct offmig_doc **docp);
/* Installed applications (doc: "apps"[]); filter selects user hives. */
int	offmig_apps_report(struct offmig_ctx *ctx, struct offmig_volume *vol,
	    const struct offmig_filter *filter, unsigned flags,
	    struct offmig_doc **docp);
/*
 * Known folders per profile (doc: "profiles"[] {"folders"[]}, "common"[],
 * "browsers"[]).  user, when not NULL, selects one profile by name or SID.
 */
int	offmig_folders_report(struct offmig_ctx *ctx,
	    struct offmig_volume *vol, const char *user,
	    const struct offmig_filter *filter, struct offmig_doc **docp);
/*
 * Everything above in one document ("os", "profiles", "apps", "folders",
 * "attention"[] {"severity", "what", "subject", "detail"}).
 */
int	offmig_inspect_report(struct offmig_ctx *ctx,
	    struct offmig_volume *vol, const struct offmig_filter *filter,
	    unsigned flags, struct offmig_doc **docp);

/*
 * Hive tools ("offmig hive ..."): hive files named by host path, outside
 * any volume.  A dirty hive is read through the transaction logs beside it
 * (NAME.LOG, NAME.LOG1, NAME.LOG2 in any letter case) unless
 * OFFMIG_HIVE_NO_LOGS is given; nothing but the named output is written.
 */
enum offmig_hive_flags {
	OFFMIG_HIVE_NO_LOGS = 1 << 0,	/* read a dirty hive as it is */
	OFFMIG_HIVE_RECURSIVE = 1 << 1,	/* export: the key and all below */
	OFFMIG_HIVE_UTF8 = 1 << 2,	/* export: UTF-8 and LF, not UTF-16 */
	OFFMIG_HIVE_FORCE = 1 << 3	/* recover: replace an existing OUT */
};

/*
 * Checks each hive (doc: "hives"[] {"path", "size", "checksum_ok", "seq1",
 * "seq2", "dirty", ..., "logs"[] {"path", "format", "entries", "applies",
 * ...}, "recovery" {...}, "structure" {...}, "problems"[]}).  Structural
 * problems are found by a full walk of the hive as Windows would load it
 * (logs applied).  Returns OFFMIG_OK when the report was made; *problemsp
 * (may be NULL) gets the number of hives with problems.
 */
int	offmig_hive_check(struct offmig_ctx *ctx, const char *const *paths,
	    size_t npaths, unsigned flags, size_t *problemsp,
	    struct offmig_doc **docp);
/*
 * Replays the logs of the hive at path into a clean hive written to out
 * (temporary file in out's directory, fsync, rename, fsync of the
 * directory); the hive and its logs are never modified.  out must not exist
 * unless OFFMIG_HIVE_FORCE, and must not be the hive or one of its logs.
 * doc: "recover" {"path", "out", "dirty", "recovered", "entries_applied",
 * "pages_applied", "seq_after", "logs"[]}.  A dirty hive no log recovers
 * gives OFFMIG_ECORRUPT and no output.
 */
int	offmig_hive_recover(struct offmig_ctx *ctx, const char *path,
	    const char *out, unsigned flags, struct offmig_doc **docp);
/*
 * One key (its values and subkeys) or, with value != NULL, one value ("" is
 * the default value).  key is '\'-separated, compared as Windows compares
 * names; a leading HKEY_* component and the hive's root name are ignored.
 * doc: "hive", "key" {...} or "value" {"name", "type", "size", "data",
 * "reg" (the .reg form), "text" (the data as text)}.  OFFMIG_ENOTFOUND
 * when the key or value does not exist.
 */
int	offmig_hive_get(struct offmig_ctx *ctx, const char *path,
	    const char *key, const char *value, unsigned flags,
	    struct offmig_doc **docp);
enum offmig_export_format {
	OFFMIG_EXPORT_REG,	/* what regedit writes and reads back */
	OFFMIG_EXPORT_JSON
};
/*
 * Writes the key (NULL or "": the root) and, with OFFMIG_HIVE_RECURSIVE,
 * everything below it to fp.  prefix names the hive's root in .reg key
 * paths ("HKEY_LOCAL_MACHINE\SOFTWARE"); NULL: the root key's own name.
 */
int	offmig_hive_export(struct offmig_ctx *ctx, const char *path,
	    const char *key, enum offmig_export_format format,
	    const char *prefix, unsigned flags, FILE *fp);
/*
 * Applies a .reg file to the hive at path through offmig's safe writer
 * (refused when the hive is dirty or its logs would apply; backup kept as
 * NAME.offmig-bak unless backup names another).  doc: "import" {"path",
 * "file", "backup", "seq"}.
 */
int	offmig_hive_import(struct offmig_ctx *ctx, const char *path,
	    const char *regfile, const char *prefix, const char *backup,
	    struct offmig_doc **docp);

/*
 * Stale hive state on a volume (dirty hives whose logs apply, logs that
 * no longer apply or have no hive, leftover hive copies): planned
 * (OFFMIG_CLEAN_DRY_RUN), carried out with a journal and backups
 * (OFFMIG_CLEAN_APPLY; refused with OFFMIG_EUNSAFE on a hibernated
 * volume), or undone (OFFMIG_CLEAN_UNDO).  docs/ARCHITECTURE.md describes
 * the journal.  doc: "volume", "mode", "journal", "quarantine",
 * "hibernated", "actions"[] {"kind", "path", "reason", "state", ...},
 * "summary".
 */
#define OFFMIG_CLEAN_DECLARED
enum offmig_clean_mode {
	OFFMIG_CLEAN_DRY_RUN = 0,
	OFFMIG_CLEAN_APPLY = 1,
	OFFMIG_CLEAN_UNDO = 2
};
int	offmig_hive_clean(struct offmig_ctx *ctx, struct offmig_volume *vol,
	    enum offmig_clean_mode mode, struct offmig_doc **docp);

/* Migration plans (offmig plan) */

/*
 * A set of USMT rule files (-i) and an optional config.xml, parsed once
 * (reference §4): every problem found is a diagnostic with file:line,
 * never dropped.  offmig_rules_load() returns OFFMIG_EXML when the file is
 * not usable or has errors (the diagnostics say where), OFFMIG_EIO when it
 * cannot be read; the set stays usable either way.
 */
struct offmig_rules;

int	offmig_rules_new(struct offmig_ctx *ctx, struct offmig_rules **rulesp);
void	offmig_rules_free(struct offmig_rules *rules);	/* NULL ok */
int	offmig_rules_load(struct offmig_ctx *ctx, struct offmig_rules *rules,
	    const char *path);
int	offmig_rules_load_config(struct offmig_ctx *ctx,
	    struct offmig_rules *rules, const char *path);
/* Same from memory; name is used in messages. */
int	offmig_rules_load_memory(struct offmig_ctx *ctx,
	    struct offmig_rules *rules, const char *name, const char *xml,
	    size_t len, int is_config);
/* Diagnostics: count, errors among them, and each one (borrowed strings). */
size_t	offmig_rules_ndiags(const struct offmig_rules *rules);
size_t	offmig_rules_nerrors(const struct offmig_rules *rules);
int	offmig_rules_diag(const struct offmig_rules *rules, size_t i,
	    enum offmig_level *levelp, const char **filep, long *linep,
	    const char **msgp);

/*
 * One object a scan would take, handed to the callback as it is found
 * (nothing per object is kept).  Strings are borrowed for the call only.
 */
struct stat;
struct offmig_plan_item {
	const char	*type;		/* "file", "registry" (a value), "key"
					   or "ini" (a key of an INI file) */
	const char	*path;		/* "C:\Users\bob\a.txt", "HKCU\Software\X [v]" */
	const char	*host_path;	/* relative to the volume root; NULL for registry */
	uint64_t	 size;		/* bytes (registry: value data) */
	int64_t		 mtime;		/* Unix seconds, files only, else NO time (INT64_MIN) */
	const char	*user;		/* NULL in the system context */
	const char	*sid;
	const char	*component;	/* displayName */
	const char	*known_folder;	/* label of the user's known folder holding it, or NULL */
	const char	*rule_file;	/* the include that took it */
	long		 rule_line;
	const char	*rule_pattern;	/* that include's pattern, expanded */
	int		 tie;		/* an equally specific include/exclude pair met */
	const char	*value;		/* "ini": the value as text (UTF-8); else NULL */
	const struct stat *st;		/* "file" and "folder": the walk's
					   lstat(2) of it, valid during the
					   callback; else NULL */
};
/* Return 0 to go on, a negative value to stop the plan (returned as is). */
typedef int offmig_plan_fn(void *arg, const struct offmig_plan_item *item);

enum offmig_plan_flags {
	OFFMIG_PLAN_NO_REGISTRY = 1 << 0,	/* files only */
	OFFMIG_PLAN_NO_FILES = 1 << 1		/* registry only */
};

/*
 * Evaluates the rules against the volume for the profiles the filter
 * selects (NULL: all) and calls fn for every object selected.  *summaryp
 * (caller frees) gets "users"[], "components"[], "known_folders"[]
 * (count and bytes each), "totals", "detected"[] (components and whether
 * their detects hold per context), "unsupported"[] {file, line, component,
 * construct, detail} (constructs that could not be evaluated: the CLI exits
 * 1), "not_applied"[] (LoadState-only rules, noted), "notes"[],
 * "diagnostics"[] and "errors" (items that failed while walking).
 * Returns OFFMIG_OK even with unsupported constructs; OFFMIG_EXML when the
 * rules have errors (nothing evaluated), or fn's negative value.
 */
int	offmig_plan_run(struct offmig_ctx *ctx, struct offmig_volume *vol,
	    struct offmig_rules *rules, const struct offmig_filter *filter,
	    unsigned flags, offmig_plan_fn *fn, void *arg,
	    struct offmig_doc **summaryp);
/*
 * Writes one item as a JSON object on one line (ending in a newline),
 * with the fields of struct offmig_plan_item ("rule": {"file", "line",
 * "pattern"}); text from the disk is escaped as in every offmig document.
 */
int	offmig_plan_item_json(FILE *fp, const struct offmig_plan_item *item);
/*
 * Every rule that matches one object (a Windows file path "C:\...\a.txt"
 * or a registry location "HKCU\Software\X [v]"), per user and component,
 * and which one won: doc "path", "matches"[] {user, sid, component, kind,
 * pattern, file, line, won}, "selected"[] {user, component, file, line,
 * tie}, "unsupported"[].
 */
int	offmig_plan_explain(struct offmig_ctx *ctx, struct offmig_volume *vol,
	    struct offmig_rules *rules, const struct offmig_filter *filter,
	    const char *path, struct offmig_doc **docp);
/*
 * Writes a config.xml to out (a new file, replaced atomically) listing the
 * components whose detects hold on this volume, migrate="yes", in the
 * Applications/Documents/WindowsComponents groups of their type.  doc
 * (caller frees, may be NULL) lists them: "components"[] {name, type,
 * detected}.
 */
int	offmig_plan_genconfig(struct offmig_ctx *ctx,
	    struct offmig_volume *vol, struct offmig_rules *rules,
	    const struct offmig_filter *filter, const char *out,
	    struct offmig_doc **docp);
/* Tailored migration XML (offmig xml) */
enum offmig_xml_flags {
	OFFMIG_XML_FORCE = 1 << 0	/* replace files already in dir */
};
/*
 * Writes USMT migration XML tailored to the volume into dir (created when
 * missing; a symbolic link, a file, or a directory on the volume itself is
 * refused with OFFMIG_EUNSAFE): offmig-user.xml (known folders that hold
 * data, redirected folders on the volume, browser profiles, data folders
 * outside the profiles and system folders), offmig-apps.xml (the
 * applications offmig knows how to migrate, with detections on their
 * Uninstall entries and WOW64-aware variables) and config.xml (every
 * component, migrate="yes").  The urlids are
 * http://offmig.example/migxml/<computer name>/user and .../apps; each
 * component carries a comment saying why it is there.  filter selects the
 * profiles (NULL: all).  An existing file gives OFFMIG_EUNSAFE (nothing is
 * written) unless OFFMIG_XML_FORCE; each file is written atomically.
 * Nothing is written to the volume.  doc: "volume", "computer_name", "dir",
 * "files"[] {"name", "path", "urlid", "components", "bytes"},
 * "components"[] {"file", "name", "id", "type", "context", "files",
 * "bytes", "registry_values", "profiles", "reason", "detail"},
 * "omitted"[] {"file", "what"}, "counts" {...}, "truncated".  On success
 * *docp belongs to the caller.
 */
int	offmig_xml_generate(struct offmig_ctx *ctx, struct offmig_volume *vol,
	    const struct offmig_filter *filter, const char *dir,
	    unsigned flags, struct offmig_doc **docp);

/* Migration stores (offmig store) */
/*
 * A migration store (docs/STORE-FORMAT.md): a folder on the volume's
 * filesystem holding hard links (or, with OFFMIG_STORE_COPY, copies) of the
 * captured files under files/, the users' registry state under registry/,
 * a header (offmig-store.ini) and a sealed, append-only manifest.
 */
#define OFFMIG_STORE_COPY		(1u << 0)	/* copy, do not link */
#define OFFMIG_STORE_VERIFY_HASH	(1u << 0)	/* compare contents */

/*
 * One object for offmig_store_create(), filled by the caller's iterator.
 * kind 'f' (or 0): a file or empty folder at host_path (relative to the
 * volume root, names as stored) known to Windows as winpath; 'r': the
 * registry export data[0..len) (.reg text, UTF-8) of user sid; 'U': the
 * user record of sid (user, profile_path, status, problems).  Strings are
 * borrowed until the iterator is called again.
 */
struct offmig_store_item {
	char		 kind;
	const char	*winpath, *host_path, *sid, *folder, *component, *rule;
	const char	*data;
	size_t		 len;
	const char	*user, *profile_path, *status, *problems;
};
/* Fills *item; returns 1 for an item, 0 at the end, <0 (an offmig_err) to stop. */
typedef int offmig_store_next_fn(void *arg, struct offmig_store_item *item);

/*
 * Creates (or, after an interruption, continues) the store at store for
 * the volume mounted at volroot with the items next gives, in a
 * deterministic order, and seals it.  Refused with OFFMIG_EXDEV when store
 * is on another filesystem than the volume (unless OFFMIG_STORE_COPY),
 * OFFMIG_EUNSAFE when the store would capture itself or a symbolic link is
 * met in it.  Objects that cannot be captured are reported through the log
 * and counted (offmig_ctx_failures()), not recorded.  doc (caller frees):
 * "store_create" {"store", "volume", "id", "mode", "resumed", "objects",
 * "bytes", "linked", "adopted", "skipped", "failed", "users"[]}.
 */
int	offmig_store_create(struct offmig_ctx *ctx, const char *volroot,
	    const char *store, unsigned flags, const char *computer,
	    const char *windows, offmig_store_next_fn *next, void *arg,
	    struct offmig_doc **docp);

/*
 * Checks the store: complete (sealed, checksum and counts right) and every
 * record's file present with the inode, size and mtime recorded (copy
 * stores: size and mtime); with OFFMIG_STORE_VERIFY_HASH the content
 * compared (SHA-256) with the volume's file at the same place when both
 * exist.  Problems are reported through the log and in the report; the
 * call still returns OFFMIG_OK.  A damaged manifest gives OFFMIG_ECORRUPT
 * with "file:line: what".  doc (caller frees): "verify" {"store", "id",
 * "mode", "volume", "problems"[] {"seq", "store_path", "winpath",
 * "problem", "detail"}, "complete", "objects", "bytes", "users",
 * "hashed_contents", "ok", "counts" {...}}.
 */
int	offmig_store_verify(struct offmig_ctx *ctx, const char *store,
	    unsigned flags, struct offmig_doc **docp);

/*
 * One manifest record as offmig_store_list() hands it: kind 'f' (file),
 * 'd' (empty folder), 'r' (registry export) or 'U' (user: sid, winpath =
 * user name, host_path = profile path, folder = status, component =
 * problems, seq = objects, size = bytes).  Strings are borrowed for the
 * duration of the callback.
 */
struct offmig_store_record {
	char		 kind;
	uint64_t	 seq;
	const char	*winpath, *host_path, *store_path, *sid, *folder;
	const char	*component, *rule;
	uint64_t	 size;
	int64_t		 mtime_ns;
	uint64_t	 ino, nlink;
	uint32_t	 mode;
	const char	*attrs;
};
/* Returns 0 to go on; anything else stops the listing and is returned. */
typedef int offmig_store_list_fn(void *arg,
	    const struct offmig_store_record *rec);
/*
 * Streams the store's records to fn in order (memory does not grow with
 * their number).  *completep (when not NULL) says whether it is sealed.
 */
int	offmig_store_list(struct offmig_ctx *ctx, const char *store,
	    offmig_store_list_fn *fn, void *arg, int *completep);

/* Progress of a long store command: done/total objects and bytes (total 0: unknown). */
struct offmig_progress { uint64_t objects, objects_total, bytes, bytes_total; const char *what; };
typedef void offmig_progress_fn(void *arg, const struct offmig_progress *p);

#define OFFMIG_STORE_NO_REGISTRY	(1u << 1)	/* capture: files only */

/*
 * offmig store create: evaluates rules against the volume (as
 * offmig_plan_run()) and captures what they select into the store at
 * store (created, or continued after an interruption), then seals it.
 * inputs (NULL-terminated -i files) and config (--config, only with
 * inputs) give the rules; inputs NULL: the XML offmig_xml_generate()
 * tailors to the volume.  Either way the files are copied into
 * STORE/rules/ (rules/index names them) and loaded from there, and a rerun
 * on an interrupted store uses them (other -i files are refused with
 * OFFMIG_EINVAL).  Files are linked (copied with OFFMIG_STORE_COPY); each
 * selected user's registry values and keys go to registry/<SID>.reg
 * (HKEY_CURRENT_USER .reg text, UTF-8) unless OFFMIG_STORE_NO_REGISTRY;
 * the machine's registry (HKLM) and INI keys are not stored, only counted
 * ("not_captured").  One U record per selected user (filter; NULL: all)
 * with status "ok", "partial" or "failed" and its problems (temporary or
 * backup profile, SID without a name, missing folder or hive, files or
 * values that could not be captured); each user not "ok" is logged as an
 * error (offmig_ctx_failures()).  progress (may be NULL) is called after
 * each object; with one, a first pass counts the files and bytes for the
 * totals.  Errors as offmig_store_create(), OFFMIG_EXML when the rules have
 * errors (logged with file:line; no store made).  doc (caller frees):
 * "store_create" {the fields of offmig_store_create()'s, "rules"[] {name,
 * kind, bytes}, "users"[] {sid, user, profile_path, status, objects,
 * bytes, registry_values, registry_keys, problems[]}, "registry" {values,
 * keys}, "not_captured" {machine_registry_values, machine_registry_keys,
 * ini_keys, system_files_failed}}.
 */
int	offmig_store_capture(struct offmig_ctx *ctx, struct offmig_volume *vol,
	    const char *const *inputs, const char *config,
	    const struct offmig_filter *filter, const char *store,
	    unsigned flags, offmig_progress_fn *progress, void *arg,
	    struct offmig_doc **docp);
/*
 * Writes one record as a JSON object ("kind", and for 'U' "sid", "user",
 * "profile_path", "status", "objects", "bytes", "problems"; else "seq",
 * "winpath", "host_path", "store_path", "sid", "folder", "component",
 * "rule", "size", "mtime_ns", "ino", "nlink", "mode" (octal text),
 * "attrs"), escaped as every offmig document, and a newline.
 */
int	offmig_store_record_json(FILE *fp, const struct offmig_store_record *r);
#define OFFMIG_STORE_REMOVE_FORCE	(1u << 0)	/* remove unreachable files too */

/*
 * Removes the store: first checks, for the whole store, that every stored
 * file is also reachable outside it, at the place STORE/restored says a
 * restore put it (the same inode with another link, or a copy of the same
 * size and SHA-256) or, for objects never restored, at its original place
 * on the volume (volroot, or NULL: the volume STORE/restored or the header
 * names); then removes files/, registry/, rules/, the restore record, the
 * manifest, the header, the journal and the folder, never following a
 * symbolic link.  Refused with OFFMIG_EUNSAFE when files are not reachable
 * (unless OFFMIG_STORE_REMOVE_FORCE), OFFMIG_ECORRUPT when stored files are
 * missing or the manifest is damaged before anything was removed; *docp is
 * then the report saying why.  Entries that cannot be removed are logged,
 * listed and counted (offmig_ctx_failures()); the call still returns
 * OFFMIG_OK and a rerun finishes the job.  A rerun after an interruption
 * goes on where it stopped.  doc (caller frees): "store_remove" {"store",
 * "volume", "id", "mode", "forced", "resumed", "restored", "checked"
 * {"complete", "objects", "reachable", "unreachable", "links"},
 * "unreachable"[] {"seq", "store_path", "winpath", "reason"}, "removed"
 * {"files", "dirs", "bytes", "failed"}, "not_removed"[] {"path", "error"},
 * "complete"}.
 */
int	offmig_store_remove(struct offmig_ctx *ctx, const char *store,
	    const char *volroot, unsigned flags, struct offmig_doc **docp);

#define OFFMIG_STORE_WIPE_YES		(1u << 0)	/* the caller confirmed */
#define OFFMIG_STORE_WIPE_NO_USERS	(1u << 1)	/* no user profiles */

/*
 * Removes everything on the volume mounted at volroot except the store
 * (and the folders leading to it), as a reinstall of Windows does, never
 * leaving the volume's filesystem nor following a link (links are
 * unlinked as links), then lays down a fresh Windows 10 skeleton
 * (Windows\System32\config hives, Users\Default, Users\Public,
 * ProgramData, Program Files) and, unless OFFMIG_STORE_WIPE_NO_USERS, a
 * new profile for each user of the store (a new SID, as after a
 * reinstall and a first logon).  Refused with OFFMIG_EUNSAFE without
 * OFFMIG_STORE_WIPE_YES, for a store that is not sealed, or not inside the
 * volume.  Journaled in STORE/journal; a rerun finishes an interrupted
 * wipe.  doc (caller frees): "wipe_except" {"store", "volume", "removed"
 * {"files", "dirs", "bytes", "failed"}, "kept"[], "skeleton" {"users"[]
 * {"user", "sid", "profile"}}, "not_removed"[] {"path", "error"}}.
 */
int	offmig_store_wipe_except(struct offmig_ctx *ctx, const char *store,
	    const char *volroot, unsigned flags, struct offmig_doc **docp);
/* Flags of offmig_store_restore(). */
#define OFFMIG_RESTORE_DRY_RUN		(1u << 0)	/* say where, write nothing */
#define OFFMIG_RESTORE_NO_REGISTRY	(1u << 1)	/* leave registry/ alone */
/* What restore does when the destination is another file. */
enum offmig_conflict {
	OFFMIG_CONFLICT_RENAME = 0,	/* keep both: "name(1).ext" (USMT) */
	OFFMIG_CONFLICT_OVERWRITE,	/* replace; the old kept as name.offmig-old */
	OFFMIG_CONFLICT_SKIP		/* keep the volume's file */
};
/*
 * Puts the objects of the sealed store back on the volume mounted at
 * volroot (docs/STORE-FORMAT.md "Restore"): at the same place, or mapped
 * by known folder to the profile of the user of the same name on the new
 * volume (its hives when present, else Windows' default layout); hard
 * links when the store is a hard-link store on the volume's filesystem,
 * else copies with their times and NTFS attributes; folders made one
 * component at a time, no symbolic link followed; each user's registry
 * export merged into that user's NTUSER.DAT through the safe writer, or
 * left pending when the user has no hive yet.  Every placement is recorded
 * in STORE/restored; a rerun after an interruption finishes the job.
 * filter (NULL: all) selects the store's users.  Refused: OFFMIG_EUNSAFE
 * for an incomplete store, a hibernated volume, a symbolic link in the
 * way (the rest is still restored), ECORRUPT for a damaged manifest or
 * restored record.  Objects that could not be restored (a store file
 * changed, I/O errors) are logged as errors and counted.  doc (caller
 * frees): "store_restore" {"store", "volume", "mode", "placement",
 * "conflict", "dry_run", "complete", "users"[] {"user", "sid_old",
 * "sid_new", "profile", "objects", "bytes", "renamed", "skipped",
 * "failed", "registry"}, "objects", "bytes", "linked", "copied", "same",
 * "renamed", "overwritten", "skipped", "failed", "already",
 * "problems"[], and with OFFMIG_RESTORE_DRY_RUN "placements"[] {"seq",
 * "kind", "user", "from", "to", "how"}}.
 */
int	offmig_store_restore(struct offmig_ctx *ctx, const char *store,
	    const char *volroot, unsigned flags, enum offmig_conflict conflict,
	    const struct offmig_filter *filter, offmig_progress_fn *progress,
	    void *arg, struct offmig_doc **docp);
/*
 * One placement of a dry run: where the object of record seq (kind 'f',
 * 'd' or 'r') would go and how ("link", "copy", "same", "renamed",
 * "overwritten", "skipped", "registry", "pending"); from is its
 * host path on the old volume (the store path for 'r'), to its
 * destination below the volume root (NULL when there is none).  Strings
 * are borrowed for the call only.
 */
struct offmig_placement {
	uint64_t	 seq;
	char		 kind;
	const char	*user, *from, *to, *how;
};
/* Return 0 to go on, a negative value to stop the dry run (returned as is). */
typedef int offmig_placement_fn(void *arg, const struct offmig_placement *p);
/*
 * offmig_store_restore() with OFFMIG_RESTORE_DRY_RUN, each placement
 * handed to fn as it is found instead of kept in the report (which then
 * has no "placements"): memory does not grow with the number of objects.
 */
int	offmig_store_restore_dry(struct offmig_ctx *ctx, const char *store,
	    const char *volroot, unsigned flags, enum offmig_conflict conflict,
	    const struct offmig_filter *filter, offmig_placement_fn *fn,
	    void *arg, struct offmig_doc **docp);
/*
 * Writes one placement as a JSON object on one line (no newline), its
 * members those of the report's "placements"[]; text escaped as in every
 * offmig document.
 */
int	offmig_placement_json(FILE *fp, const struct offmig_placement *p);

#ifdef __cplusplus
}
#endif

#endif /* OFFMIG_H */
