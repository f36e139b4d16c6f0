/*
 * walk.h - compiled sets of USMT file rules, their decision for one object
 * (USMT precedence, reference §4.1), and the walker that finds every file
 * of an offline volume they select.
 */
#ifndef OFFMIG_MIGRATE_WALK_H
#define OFFMIG_MIGRATE_WALK_H
#include <stdint.h>
#include <sys/stat.h>
#include "offmig.h"
#include "migrate/pattern.h"

enum rule_kind { RULE_INCLUDE = 0, RULE_EXCLUDE, RULE_UNCONDITIONAL_EXCLUDE };

/* One object met by the walker (files and directories; registry is not walked here). */
struct walk_entry {
	const char	*winpath;	/* "C:\Users\bob\Documents\a.txt" (names as stored) */
	const char	*windir;	/* "C:\Users\bob\Documents" */
	const char	*name;		/* "a.txt" */
	const char	*host_path;	/* "Users/bob/Documents/a.txt", relative to the volume root */
	const struct stat *st;		/* lstat() data */
	int		 is_dir;
	int		 is_link;	/* symlink (junction on ntfs-3g): reported, never followed */
};

/*
 * Optional per-rule filter (an include/exclude "filter" script such as
 * FileProperties or AnswerNo): returns 1 when the rule applies to e.
 */
typedef int rule_filter_fn(void *arg, const struct walk_entry *e);

/*
 * A compiled set of file rules.  group separates components: rules of
 * different groups never interact (USMT: "rules in different components
 * don't interact"), except RULE_UNCONDITIONAL_EXCLUDE, which applies to every
 * group.  tag is the caller's rule (returned as is).
 */
struct ruleset;
struct ruleset *ruleset_new(void);			/* NULL on ENOMEM */
void	ruleset_free(struct ruleset *rs);		/* NULL ok */
/* Takes ownership of pat (also on failure). */
int	ruleset_add(struct ruleset *rs, enum rule_kind kind, unsigned group,
	    struct upat *pat, rule_filter_fn *filter, void *filter_arg,
	    const void *tag);

/* One decision for one file in one group. */
struct rule_hit {
	unsigned	 group;
	const void	*tag;		/* the winning include */
	int		 tie;		/* an equally specific exclude/include pair was
					   met (USMT's docs disagree; flagged, exclude won) */
};

/*
 * Called for every file (not directory) selected in at least one group:
 * hits[0..nhits) one per group that takes it.  Return 0 to go on, <0 to stop.
 */
typedef int walk_select_fn(void *arg, const struct walk_entry *e,
	    const struct rule_hit *hits, size_t nhits);
/* Per-item problem (unreadable folder, ...): already logged via ctx_warn; counted. */
struct walk_stats {
	uint64_t	 dirs, files, links_skipped, errors, selected, selected_bytes;
	/* Added: files some group left out only because an exclude was
	   exactly as specific as a matching include (see ruleset_set_tie_fn). */
	uint64_t	 ties;
	/* Added: empty folders selected (see ruleset_set_empty_dirs). */
	uint64_t	 selected_dirs;
};

/*
 * Walks the volume (rootfd: its root, O_RDONLY|O_DIRECTORY; sysdrive 'C') from
 * the roots of the set's include patterns, each directory visited once even
 * when roots nest, with openat/fstatat (AT_SYMLINK_NOFOLLOW), names matched
 * case-insensitively, no link followed, subtrees pruned when no include can
 * match below or an exclude covering the subtree wins; memory bounded by the
 * depth of the tree, not the number of files.  Returns OFFMIG_OK, or the
 * callback's negative value, or OFFMIG_ENOMEM.
 */
int	ruleset_walk(struct offmig_ctx *ctx, const struct ruleset *rs,
	    int rootfd, char sysdrive, walk_select_fn *fn, void *arg,
	    struct walk_stats *stats);
/*
 * The decision for one object without walking (for --explain and registry
 * objects): fills hits (capacity cap) and, when trace_fn != NULL, calls it for
 * every rule that matched, with whether it won.  Returns nhits.
 */
typedef void rule_trace_fn(void *arg, unsigned group, enum rule_kind kind,
	    const struct upat *pat, const void *tag, int won);
size_t	ruleset_decide(const struct ruleset *rs, const char *dir,
	    const char *leaf, const struct walk_entry *e_or_null,
	    struct rule_hit *hits, size_t cap, rule_trace_fn *trace_fn, void *arg);

/*
 * Additions to the interface of migrate-api.md.
 *
 * Details of the rules above:
 * - Only File patterns with a leaf take part in the walk (node-only patterns
 *   match folders, which are not selected objects; Registry and Ini patterns
 *   are for ruleset_decide()).  ruleset_decide() weighs only the patterns of
 *   the object's type: a dir starting with HKLM, HKCU or HKEY_ is a registry
 *   key, one holding '|' an Ini section, anything else a folder.
 * - A rule's filter is called only with an entry: ruleset_decide() without
 *   one counts a filtered rule as applying.
 * - Among matching rules of one group the most specific wins; an exclude
 *   exactly as specific as the best include wins (the file is left out,
 *   counted in stats->ties and passed to the tie callback); rule_hit.tie says
 *   that some lower include/exclude pair of the group was equally specific.
 *   Among equally specific includes the first added is the one reported.
 * - Order: the files of a directory in the order the file system lists them,
 *   then its subdirectories in byte order of their names (depth first);
 *   roots in byte order of their upper-cased Windows paths.  Links (files or
 *   folders) are never followed or passed to fn: they are counted in
 *   links_skipped; only a root that is a link gets a warning.  Only regular
 *   files are selected.  Missing roots are skipped quietly, roots on another
 *   drive than sysdrive with a warning.
 * - Per-item errors (a folder that cannot be opened or read, a file gone
 *   before its lstat, a path longer than Windows allows) are logged as
 *   OFFMIG_LOG_WARN and counted in stats->errors; the walk goes on.
 */
typedef void walk_tie_fn(void *arg, const struct walk_entry *e,
	    unsigned group, const void *include_tag, const void *exclude_tag);
/* Sets the callback for files an exclude won only by a tie (NULL: none). */
void	ruleset_set_tie_fn(struct ruleset *rs, walk_tie_fn *fn, void *arg);
/*
 * With on != 0, ruleset_walk() also passes fn every empty folder (no
 * entry at all but "." and "..") that the rules take, with e->is_dir set
 * and e->st its lstat() data.  A folder is taken as a file of any name in
 * it would be, weighing only the rules whose leaf is "*" (any name), and
 * of the includes only those whose node matches its parent too: the
 * folder lies inside a tree an include takes whole ("X\* [*]" takes the
 * empty folders below X, not X itself; "X\ [*]" takes none), and an
 * exclude "X\Tmp\* [*]" leaves X\Tmp out.  Rules with another leaf
 * ("[*.doc]": an empty folder holds no .doc) or a filter do not take
 * part.  The volume root is never passed.  Counted in
 * stats->selected_dirs, not in selected.  Off by default (the walks that
 * test whether an object exists want files only).
 */
void	ruleset_set_empty_dirs(struct ruleset *rs, int on);
#endif
