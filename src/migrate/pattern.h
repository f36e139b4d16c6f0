/*
 * pattern.h - USMT encoded locations ("node [leaf]", reference §4.2):
 * parsing, Windows case-insensitive matching and USMT's precedence order.
 * No libxml2 here; the XML model hands the text of <pattern> elements in.
 */
#ifndef OFFMIG_MIGRATE_PATTERN_H
#define OFFMIG_MIGRATE_PATTERN_H
#include <stddef.h>
#include "offmig.h"

enum upat_type { UPAT_FILE = 0, UPAT_REGISTRY, UPAT_INI };

/*
 * A parsed pattern "node [leaf]" (reference §4.2), after the caller expanded
 * %variables%: node is '\'-separated with '*' as the only wildcard (any run
 * of characters within or across components, as USMT does: "C:\*" covers
 * every folder below C:\); leaf is the bracketed object ("*", "*.doc",
 * "" for a registry default value) with '^' escapes resolved, or absent
 * (node-only pattern: matches containers/keys only, not their leaves).
 * Registry nodes start with HKLM\ / HKCU\ (HKEY_LOCAL_MACHINE / HKEY_CURRENT_USER
 * accepted and normalised to the short form). Ini: "path|Section[key]".
 */
struct upat;

/* Parses text; on error returns OFFMIG_EXML with a message saying what is wrong
   (the caller prefixes file:line).  *pp freed with upat_free(). */
int	upat_parse(struct offmig_ctx *ctx, enum upat_type type, const char *text,
	    struct upat **pp);
void	upat_free(struct upat *p);			/* NULL ok */
enum upat_type upat_type(const struct upat *p);
const char *upat_text(const struct upat *p);		/* canonical text, for reports */
int	upat_has_leaf(const struct upat *p);
/*
 * Windows-style case-insensitive match (wupcase rules) of an object: dir is the
 * container path in Windows form ("C:\Users\bob\Documents", "HKCU\Software\X"),
 * leaf the file/value name, or NULL for the container itself.  1 match, 0 not.
 */
int	upat_match(const struct upat *p, const char *dir, const char *leaf);
/* 1 when some object at or below container dir could match (for pruning walks). */
int	upat_may_match_below(const struct upat *p, const char *dir);
/* 1 when every object at or below dir (containers and leaves) matches. */
int	upat_covers_tree(const struct upat *p, const char *dir);
/*
 * The longest wildcard-free leading container of the node ("C:\Users\bob" for
 * "C:\Users\bob\Doc*\* [*]"; "C:" for "C:\* [*.doc]"), caller frees.
 */
char	*upat_root(const struct upat *p);
/*
 * USMT precedence (reference §4.1): <0 when a is less specific than b, >0 when
 * more, 0 when equally specific.  Node first (more literal components / characters,
 * non-recursive beats recursive), then leaf (literal name beats "*.ext" beats "*").
 * "Directory names take precedence over file extensions".
 */
int	upat_specificity_cmp(const struct upat *a, const struct upat *b);

/*
 * Additions to the interface of migrate-api.md.
 *
 * Details of the rules above:
 * - parsing trims white space (space, tab, CR, LF) around the text; the
 *   node may use '/' for '\', runs of '\' count as one and trailing '\'s
 *   are dropped ("C:\Folder\ [*]" has the node "C:\Folder"); '^' escapes
 *   '[', ']' and '^' in node and leaf alike and nothing else; a node
 *   ending in "\*" also matches the folder itself ("C:\Folder\* [*]" takes
 *   the files of C:\Folder and of every folder below it); ".." components
 *   and control characters are refused; the text is at most
 *   UPAT_MAX_TEXT bytes.
 * - dir may end with '\' ("C:\" is "C:"); registry dirs may use the long
 *   root names.  A pattern with a leaf never matches a container (leaf
 *   NULL), a node-only pattern never matches a leaf.
 * - upat_covers_tree(): for a pattern with a leaf, every leaf at or below
 *   dir matches (the containers along with them, as USMT carries them);
 *   for a node-only pattern every container at or below dir matches.  It
 *   may answer 0 where a cleverer test would say 1 (only "X\*" and "X*"
 *   style nodes are recognised), never the other way round.
 * - upat_may_match_below() may answer 1 where nothing can match, never 0
 *   where something can.
 * - specificity compares, in order: the literal components before the
 *   first '*', no '*' in the node (a folder only beats its subtree), the
 *   literal characters of the node ('\' not counted), then the leaf:
 *   a literal name, a name with '*' and literal characters ("*.doc"),
 *   "*" alone, then its literal characters.
 */
#define UPAT_MAX_TEXT	(32767 * 3 + 64)

/* The node and the leaf as parsed, '^' escapes resolved; leaf NULL if none. */
const char *upat_node(const struct upat *p);
const char *upat_leaf(const struct upat *p);
#endif
