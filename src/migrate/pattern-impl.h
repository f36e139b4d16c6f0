/*
 * pattern-impl.h - the compiled form of a pattern, shared by pattern.c and
 * the walker (walk.c) only, so that the walker can match a leaf or a node
 * against a name whose length it already knows, without re-deriving
 * anything per file.
 */
#ifndef OFFMIG_MIGRATE_PATTERN_IMPL_H
#define OFFMIG_MIGRATE_PATTERN_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "migrate/pattern.h"

/* How a leaf is matched; the first three are the fast paths. */
enum upat_leaf_kind {
	UPAT_LEAF_NONE = 0,	/* node-only pattern */
	UPAT_LEAF_ANY,		/* "*" (any run of stars) */
	UPAT_LEAF_EXT,		/* "*.ext", ext ASCII without '.', '*': ext[] */
	UPAT_LEAF_LIT,		/* no star: the whole name */
	UPAT_LEAF_GLOB		/* anything else */
};

/* A literal run between stars: bytes of the folded text. */
struct upat_piece {
	uint32_t	 off;		/* into the glob's base */
	uint32_t	 len;		/* bytes */
	uint8_t		 ascii;		/* all bytes < 0x80 */
	/*
	 * A piece longer than UPAT_PIECE_KMP bytes is also kept as code
	 * points with its Knuth-Morris-Pratt failure table, so that finding
	 * it stays linear in the subject whatever the pattern and the disk
	 * hold; NULL for short pieces.
	 */
	uint32_t	*cp, *fail;
	uint32_t	 ncp;
};

#define UPAT_PIECE_KMP	64

/*
 * A '*'-only glob over folded text: pieces[0..n), a star between each
 * two, and before the first (lead) or after the last (trail).
 */
struct upat_glob {
	const unsigned char *base;
	struct upat_piece *pc;
	uint32_t	 n;
	uint8_t		 lead, trail;
};

#define UPAT_EXT_MAX	15

struct upat {
	enum upat_type	 type;
	char		*text;		/* canonical */
	char		*node;		/* as parsed, escapes resolved */
	char		*leaf;		/* NULL: node-only */
	unsigned char	*fnode;		/* node folded to upper case */
	unsigned char	*fleaf;		/* leaf folded, or NULL */
	size_t		 fnode_len, fleaf_len;
	size_t		 lit_len;	/* bytes of fnode before its first '*' */
	int		 node_star;	/* the node has a '*' */
	int		 node_trail;	/* ... and ends with one */
	int		 has_alt;	/* node ends with "\*": alt is the rest */
	struct upat_glob ng, alt, lg;
	enum upat_leaf_kind lk;
	char		 ext[UPAT_EXT_MAX + 1];	/* folded, for UPAT_LEAF_EXT */
	size_t		 extlen;
	int		 spec[5];	/* specificity key, compared in order */
};

/* Frees what glob_compile() allocated. */
void	upat_glob_release(struct upat_glob *g);
/* Glob match of the subject s[0..n) (folded on the fly).  1 or 0. */
int	upat_glob_match(const struct upat_glob *g, const unsigned char *s,
	    size_t n);
/* The node against a container path of n bytes (no trailing '\'). */
int	upat_node_match(const struct upat *p, const char *dir, size_t n);
/* The node's literal prefix against dir: upat_may_match_below() for n bytes. */
int	upat_node_may_match_below(const struct upat *p, const char *dir,
	    size_t n);
/*
 * The leaf against name[0..n); ext/extlen: the name's extension after its
 * last '.', folded when all ASCII and at most UPAT_EXT_MAX bytes long
 * (extlen SIZE_MAX otherwise).
 */
int	upat_leaf_match(const struct upat *p, const char *name, size_t n,
	    const char *ext, size_t extlen);
/*
 * Folds s[0..n) to upper case as Windows compares names (invalid bytes
 * kept); returns a NUL-terminated string the caller frees and its length,
 * or NULL on ENOMEM.
 */
unsigned char *upat_fold(const char *s, size_t n, size_t *lenp);

#endif /* OFFMIG_MIGRATE_PATTERN_IMPL_H */
