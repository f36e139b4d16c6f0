/*
 * walk.c - sets of USMT file rules: the decision for one object (USMT
 * precedence, reference §4.1) and the walker that finds the files they
 * select on an offline volume.
 *
 * The walker never follows a link (ntfs-3g shows junctions as symbolic
 * links, and profiles hold junctions that point at themselves), works
 * below one descriptor per directory level with openat()/fstatat(), and
 * keeps nothing per file: per level it holds the state of every rule (dead
 * below here, to be checked, or matching every folder from here down), the
 * rules whose node matches this folder and the names of its subfolders.
 * Each folder costs one node match per live rule; each file costs, in the
 * common case, a few leaf matches of the rules active in its folder and no
 * system call: only files some include could take are lstat()ed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "common/vpath.h"
#include "migrate/pattern.h"
#include "migrate/pattern-impl.h"
#include "migrate/walk.h"

/* Windows paths are at most 32767 UTF-16 units, so at most 3 bytes each. */
#define WALK_PATH_MAX	(32767 * 3)

struct rule {
	struct upat	*pat;
	enum rule_kind	 kind;
	unsigned	 group;
	rule_filter_fn	*filter;
	void		*farg;
	const void	*tag;
	size_t		 gi;		/* index in ruleset.groups */
};

struct ruleset {
	struct rule	*r;
	size_t		 n, cap;
	unsigned	*groups;	/* distinct, in order of first use */
	size_t		 ngroups, gcap;
	walk_tie_fn	*tie_fn;
	void		*tie_arg;
	int		 empty_dirs;	/* select empty folders too */
};

struct ruleset *
ruleset_new(void)
{
	return calloc(1, sizeof(struct ruleset));
}

void
ruleset_free(struct ruleset *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		upat_free(rs->r[i].pat);
	free(rs->r);
	free(rs->groups);
	free(rs);
}

int
ruleset_add(struct ruleset *rs, enum rule_kind kind, unsigned group,
    struct upat *pat, rule_filter_fn *filter, void *filter_arg,
    const void *tag)
{
	struct rule *r;
	size_t gi;

	if (rs == NULL || pat == NULL || (kind != RULE_INCLUDE &&
	    kind != RULE_EXCLUDE && kind != RULE_UNCONDITIONAL_EXCLUDE)) {
		upat_free(pat);
		return OFFMIG_EINVAL;
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;

		if ((r = realloc(rs->r, cap * sizeof(*r))) == NULL) {
			upat_free(pat);
			return OFFMIG_ENOMEM;
		}
		rs->r = r;
		rs->cap = cap;
	}
	for (gi = 0; gi < rs->ngroups && rs->groups[gi] != group; gi++)
		;
	if (gi == rs->ngroups) {
		if (rs->ngroups == rs->gcap) {
			size_t cap = rs->gcap ? rs->gcap * 2 : 8;
			unsigned *g = realloc(rs->groups, cap * sizeof(*g));

			if (g == NULL) {
				upat_free(pat);
				return OFFMIG_ENOMEM;
			}
			rs->groups = g;
			rs->gcap = cap;
		}
		rs->groups[rs->ngroups++] = group;
	}
	r = &rs->r[rs->n++];
	r->gi = gi;
	r->pat = pat;
	r->kind = kind;
	r->group = group;
	r->filter = filter;
	r->farg = filter_arg;
	r->tag = tag;
	return OFFMIG_OK;
}

void
ruleset_set_tie_fn(struct ruleset *rs, walk_tie_fn *fn, void *arg)
{
	rs->tie_fn = fn;
	rs->tie_arg = arg;
}

void
ruleset_set_empty_dirs(struct ruleset *rs, int on)
{
	rs->empty_dirs = on != 0;
}

/* ------------------------------------------------------------------ */
/* One decision without walking. */

static enum upat_type
object_type(const char *dir)
{
	if ((strncasecmp(dir, "HKLM", 4) == 0 ||
	    strncasecmp(dir, "HKCU", 4) == 0) &&
	    (dir[4] == '\\' || dir[4] == '\0'))
		return UPAT_REGISTRY;
	if (strncasecmp(dir, "HKEY_", 5) == 0)
		return UPAT_REGISTRY;
	if (strchr(dir, '|') != NULL)
		return UPAT_INI;
	return UPAT_FILE;
}

/* Whether r matches the object and applies to it (its filter). */
static int
rule_hits(const struct rule *r, enum upat_type t, const char *dir,
    const char *leaf, const struct walk_entry *e)
{
	if (upat_type(r->pat) != t || !upat_match(r->pat, dir, leaf))
		return 0;
	return r->filter == NULL || e == NULL || r->filter(r->farg, e) == 1;
}

size_t
ruleset_decide(const struct ruleset *rs, const char *dir, const char *leaf,
    const struct walk_entry *e, struct rule_hit *hits, size_t cap,
    rule_trace_fn *trace_fn, void *arg)
{
	enum upat_type t;
	unsigned char *m = NULL;
	size_t *inc = NULL, *exc = NULL, *won = NULL, i, j, g, nh = 0;
	int ue = 0, *tie = NULL;

	if (rs == NULL || dir == NULL || rs->n == 0)
		return 0;
	t = object_type(dir);
	/* Which rules match, once each (filters may cost a system call). */
	if ((m = calloc(rs->n, 1)) == NULL ||
	    (inc = calloc(rs->ngroups + 1, sizeof(*inc))) == NULL ||
	    (exc = calloc(rs->ngroups + 1, sizeof(*exc))) == NULL ||
	    (won = calloc(rs->ngroups + 1, sizeof(*won))) == NULL ||
	    (tie = calloc(rs->ngroups + 1, sizeof(*tie))) == NULL)
		goto out;
	for (i = 0; i < rs->n; i++) {
		m[i] = (unsigned char)rule_hits(&rs->r[i], t, dir, leaf, e);
		if (m[i] && rs->r[i].kind == RULE_UNCONDITIONAL_EXCLUDE)
			ue = 1;
	}
	for (g = 0; g < rs->ngroups; g++)
		inc[g] = exc[g] = won[g] = SIZE_MAX;
	/* The most specific include and exclude of each group; the first
	   added among equals. */
	for (i = 0; i < rs->n && !ue; i++) {
		const struct rule *r = &rs->r[i];
		size_t *best = r->kind == RULE_INCLUDE ? &inc[r->gi] :
		    &exc[r->gi];

		if (!m[i])
			continue;
		if (*best == SIZE_MAX || upat_specificity_cmp(r->pat,
		    rs->r[*best].pat) > 0)
			*best = i;
	}
	/* An include and an exclude of the same weight in one group. */
	for (i = 0; i < rs->n && !ue; i++) {
		if (!m[i] || rs->r[i].kind != RULE_EXCLUDE ||
		    tie[rs->r[i].gi])
			continue;
		for (j = 0; j < rs->n; j++)
			if (m[j] && rs->r[j].kind == RULE_INCLUDE &&
			    rs->r[j].gi == rs->r[i].gi &&
			    upat_specificity_cmp(rs->r[j].pat,
			    rs->r[i].pat) == 0) {
				tie[rs->r[i].gi] = 1;
				break;
			}
	}
	for (g = 0; g < rs->ngroups && !ue; g++) {
		if (inc[g] == SIZE_MAX)
			continue;	/* an exclude alone does nothing */
		if (exc[g] != SIZE_MAX && upat_specificity_cmp(
		    rs->r[exc[g]].pat, rs->r[inc[g]].pat) >= 0) {
			won[g] = exc[g];
			continue;
		}
		won[g] = inc[g];
		/*
		 * In order of group number, as the walker gives them; when
		 * more groups take the object than cap, the lowest numbers.
		 */
		if (nh < cap || (cap > 0 && rs->groups[g] <
		    hits[cap - 1].group)) {
			struct rule_hit h = { rs->groups[g], rs->r[inc[g]].tag,
			    tie[g] };

			for (j = nh < cap ? nh : cap - 1; j > 0 &&
			    hits[j - 1].group > h.group; j--)
				hits[j] = hits[j - 1];
			hits[j] = h;
			if (nh < cap)
				nh++;
		}
	}
	for (i = 0; trace_fn != NULL && i < rs->n; i++) {
		const struct rule *r = &rs->r[i];

		if (!m[i])
			continue;
		trace_fn(arg, r->group, r->kind, r->pat, r->tag, ue ?
		    r->kind == RULE_UNCONDITIONAL_EXCLUDE :
		    r->kind != RULE_UNCONDITIONAL_EXCLUDE && won[r->gi] == i);
	}
out:
	free(m);
	free(inc);
	free(exc);
	free(won);
	free(tie);
	return nh;
}

/* ------------------------------------------------------------------ */
/* The walker. */

enum { ST_DEAD = 0, ST_CHECK, ST_ALWAYS };

/* A file rule as the walker uses it. */
struct wrule {
	const struct rule *r;
	const struct upat *pat;
	enum rule_kind	 kind;
	size_t		 seq;		/* order of addition */
	unsigned	 gi;		/* dense group index */
	int		 rank;		/* specificity level, higher wins */
	int		 covers;	/* an unfiltered "X\* [*]"-like rule */
};

/* What the walker keeps per level of the tree. */
struct frame {
	uint8_t		*state;		/* per wrule */
	uint32_t	*act;		/* wrules whose node matches, in order */
	size_t		 nact, nact_inc;
	char		*names;		/* subfolder names, NUL-separated */
	size_t		 nlen, ncap;
	char		**sub;		/* into names, once all are read */
	size_t		*offs;
	size_t		 nsub, scap;
};

struct walker {
	struct offmig_ctx *ctx;
	const struct ruleset *rs;
	struct wrule	*w;
	size_t		 nw;
	unsigned	*gids;		/* dense index -> group */
	size_t		 ngroups;
	int		*cov;		/* per group, scratch */
	struct rule_hit	*hits;
	walk_select_fn	*fn;
	void		*arg;
	struct walk_stats *st;
	char		*wd, *hd, *wp, *hp;	/* Windows/host dir, entry */
	size_t		 wdlen, hdlen, wdcap, hdcap, wpcap, hpcap;
	struct frame	**fr;
	size_t		 nfr;
};

static int
grow(char **buf, size_t *cap, size_t need)
{
	char *p;
	size_t c = *cap ? *cap : 256;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if ((p = realloc(*buf, c)) == NULL)
		return -1;
	*buf = p;
	*cap = c;
	return 0;
}

static int
cmp_spec(const void *a, const void *b)
{
	const struct wrule *x = a, *y = b;

	return upat_specificity_cmp(x->pat, y->pat);
}

/* Unconditional excludes, then by group, most specific first, exclude first. */
static int
cmp_order(const void *a, const void *b)
{
	const struct wrule *x = a, *y = b;
	int ux = x->kind == RULE_UNCONDITIONAL_EXCLUDE;
	int uy = y->kind == RULE_UNCONDITIONAL_EXCLUDE;

	if (ux != uy)
		return uy - ux;
	if (!ux && x->gi != y->gi)
		return x->gi < y->gi ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind == RULE_EXCLUDE ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* The walked rules: File patterns with a leaf, ranked and ordered. */
static int
walker_prepare(struct walker *w)
{
	const struct ruleset *rs = w->rs;
	size_t i, n = 0;

	if ((w->w = calloc(rs->n + 1, sizeof(*w->w))) == NULL ||
	    (w->gids = calloc(rs->n + 1, sizeof(*w->gids))) == NULL)
		return -1;
	for (i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->r[i];

		if (upat_type(r->pat) != UPAT_FILE || !upat_has_leaf(r->pat))
			continue;
		w->w[n].r = r;
		w->w[n].pat = r->pat;
		w->w[n].kind = r->kind;
		w->w[n].seq = i;
		w->w[n].covers = r->filter == NULL && r->pat->node_trail &&
		    r->pat->lk == UPAT_LEAF_ANY;
		if (r->kind != RULE_UNCONDITIONAL_EXCLUDE)
			w->gids[w->ngroups++] = r->group;
		n++;
	}
	w->nw = n;
	/* Dense group indexes. */
	qsort(w->gids, w->ngroups, sizeof(*w->gids), cmp_uint);
	{
		size_t k = 0;

		for (i = 0; i < w->ngroups; i++)
			if (k == 0 || w->gids[k - 1] != w->gids[i])
				w->gids[k++] = w->gids[i];
		w->ngroups = k;
	}
	for (i = 0; i < n; i++) {
		size_t lo = 0, hi = w->ngroups;

		if (w->w[i].kind == RULE_UNCONDITIONAL_EXCLUDE)
			continue;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (w->gids[mid] < w->w[i].r->group)
				lo = mid + 1;
			else
				hi = mid;
		}
		w->w[i].gi = (unsigned)lo;
	}
	/* Ranks: equal specificity, equal rank. */
	qsort(w->w, n, sizeof(*w->w), cmp_spec);
	for (i = 0; i < n; i++)
		w->w[i].rank = i == 0 ? 0 : w->w[i - 1].rank +
		    (upat_specificity_cmp(w->w[i - 1].pat, w->w[i].pat) != 0);
	qsort(w->w, n, sizeof(*w->w), cmp_order);
	if ((w->cov = calloc(w->ngroups + 1, sizeof(*w->cov))) == NULL ||
	    (w->hits = calloc(w->ngroups + 1, sizeof(*w->hits))) == NULL)
		return -1;
	return 0;
}

static struct frame *
frame_at(struct walker *w, size_t depth)
{
	struct frame *f;

	if (depth < w->nfr)
		return w->fr[depth];
	if (depth > w->nfr)
		return NULL;
	{
		struct frame **fr = realloc(w->fr, (w->nfr + 1) * sizeof(*fr));

		if (fr == NULL)
			return NULL;
		w->fr = fr;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if ((f->state = calloc(w->nw + 1, 1)) == NULL ||
	    (f->act = calloc(w->nw + 1, sizeof(*f->act))) == NULL) {
		free(f->state);
		free(f);
		return NULL;
	}
	w->fr[w->nfr++] = f;
	return f;
}

static void
frame_free(struct frame *f)
{
	if (f == NULL)
		return;
	free(f->state);
	free(f->act);
	free(f->names);
	free(f->sub);
	free(f->offs);
	free(f);
}

/*
 * The rule states for the folder in w->wd from those of its parent (NULL
 * for a root: every rule to be checked).
 */
static void
frame_states(struct walker *w, const uint8_t *parent, struct frame *f)
{
	size_t i;

	f->nact = f->nact_inc = 0;
	for (i = 0; i < w->nw; i++) {
		const struct upat *p = w->w[i].pat;
		uint8_t s = parent != NULL ? parent[i] : ST_CHECK;
		int active = s == ST_ALWAYS;

		if (s == ST_CHECK) {
			if (upat_node_match(p, w->wd, w->wdlen)) {
				active = 1;
				/* A node ending in '*' matches all below. */
				if (p->node_trail)
					s = ST_ALWAYS;
			} else if (!upat_node_may_match_below(p, w->wd,
			    w->wdlen))
				s = ST_DEAD;
		}
		f->state[i] = s;
		if (active) {
			f->act[f->nact++] = (uint32_t)i;
			if (w->w[i].kind == RULE_INCLUDE)
				f->nact_inc++;
		}
	}
}

/*
 * Whether anything at or below the folder can be selected: some include
 * still alive that no unfiltered exclude covering the whole subtree beats.
 */
static int
frame_useful(struct walker *w, const struct frame *f)
{
	size_t i;

	for (i = 0; i < w->ngroups; i++)
		w->cov[i] = INT_MIN;
	for (i = 0; i < w->nw; i++) {
		const struct wrule *r = &w->w[i];

		if (f->state[i] != ST_ALWAYS || !r->covers)
			continue;
		if (r->kind == RULE_UNCONDITIONAL_EXCLUDE)
			return 0;
		if (r->kind == RULE_EXCLUDE && r->rank > w->cov[r->gi])
			w->cov[r->gi] = r->rank;
	}
	for (i = 0; i < w->nw; i++) {
		const struct wrule *r = &w->w[i];

		if (r->kind == RULE_INCLUDE && f->state[i] != ST_DEAD &&
		    r->rank > w->cov[r->gi])
			return 1;
	}
	return 0;
}

struct fname {
	const char	*s;		/* NULL: an empty folder, below dir */
	size_t		 n;
	const char	*dir;		/* the folder's parent (Windows path) */
	size_t		 dirlen;
	char		 ext[UPAT_EXT_MAX + 1];
	size_t		 extlen;
};

static void
fname_init(struct fname *nm, const char *s)
{
	const char *dot;
	size_t i;

	nm->s = s;
	nm->n = strlen(s);
	nm->dir = NULL;
	nm->dirlen = 0;
	nm->extlen = SIZE_MAX;
	if ((dot = strrchr(s, '.')) == NULL)
		return;
	dot++;
	if ((size_t)(s + nm->n - dot) > UPAT_EXT_MAX)
		return;
	for (i = 0; dot[i] != '\0'; i++) {
		unsigned char c = (unsigned char)dot[i];

		if (c >= 0x80)
			return;
		nm->ext[i] = (char)(c >= 'a' && c <= 'z' ? c - 0x20 : c);
	}
	nm->extlen = i;
}

/*
 * Whether the rule's leaf takes the name.  For an empty folder (nm->s
 * NULL) only rules that take every name ("[*]") in it weigh, as for a
 * file of any name there; an include must take every name in its parent
 * too: the folder is part of a tree the include takes whole ("X\* [*]"
 * takes the empty folders below X, not X itself, and "X\ [*]" none),
 * while an exclude of everything in the folder ("X\Tmp\* [*]") leaves
 * the folder out.
 */
static int
leaf_ok(const struct wrule *r, const struct fname *nm)
{
	if (nm->s == NULL)
		return r->pat->lk == UPAT_LEAF_ANY && (r->kind !=
		    RULE_INCLUDE || upat_node_match(r->pat, nm->dir,
		    nm->dirlen));
	return upat_leaf_match(r->pat, nm->s, nm->n, nm->ext, nm->extlen);
}

/*
 * 1 applies, 0 not, -1 unknown yet (a filter, and no entry).  Filters
 * (FileProperties, AnswerNo, ...) judge files: a filtered rule never
 * applies to a folder.
 */
static int
applies(const struct wrule *r, const struct walk_entry *e)
{
	if (r->r->filter == NULL)
		return 1;
	if (e == NULL)
		return -1;
	if (e->is_dir)
		return 0;
	return r->r->filter(r->r->farg, e) == 1;
}

/*
 * The decision for one file of the folder of f.  Without an entry (before
 * any lstat()): 0 when no group can take it and no tie is to be reported,
 * -1 when the entry is needed to decide.  With one: the number of hits in
 * w->hits, ties counted and reported.  nm->s NULL (with an entry): the
 * folder of f itself, found empty.
 */
static int
decide_file(struct walker *w, const struct frame *f, const struct fname *nm,
    const struct walk_entry *e)
{
	const uint32_t *act = f->act;
	size_t i = 0, n = f->nact;
	int nh = 0, a;

	for (; i < n && w->w[act[i]].kind == RULE_UNCONDITIONAL_EXCLUDE; i++) {
		const struct wrule *r = &w->w[act[i]];

		if (!leaf_ok(r, nm) || (a = applies(r, e)) == 0)
			continue;
		return a < 0 ? -1 : 0;
	}
	while (i < n) {
		unsigned gi = w->w[act[i]].gi;
		size_t end = i, k, win = SIZE_MAX;

		while (end < n && w->w[act[end]].gi == gi)
			end++;
		for (k = i; k < end; k++) {
			const struct wrule *r = &w->w[act[k]];

			if (!leaf_ok(r, nm) || (a = applies(r, e)) == 0)
				continue;
			if (a < 0)
				return -1;
			win = k;
			break;
		}
		if (win == SIZE_MAX) {
			i = end;
			continue;
		}
		if (w->w[act[win]].kind == RULE_INCLUDE) {
			const struct wrule *inc = &w->w[act[win]];
			int tie = 0, rank = -1, sx = 0, si = 0;

			if (e == NULL)
				return -1;
			/* A lower pair of equal weight is flagged. */
			for (k = win + 1; k < end && !tie; k++) {
				const struct wrule *r = &w->w[act[k]];

				if (r->rank != rank) {
					rank = r->rank;
					sx = si = 0;
				}
				if (!leaf_ok(r, nm) || applies(r, e) != 1)
					continue;
				if (r->kind == RULE_EXCLUDE)
					sx = 1;
				else
					si = 1;
				tie = sx && si;
			}
			w->hits[nh].group = w->gids[gi];
			w->hits[nh].tag = inc->r->tag;
			w->hits[nh].tie = tie;
			nh++;
		} else {
			/* The exclude won: was an include just as specific? */
			const struct wrule *exc = &w->w[act[win]];

			for (k = win + 1; k < end; k++) {
				const struct wrule *r = &w->w[act[k]];

				if (r->rank != exc->rank)
					break;
				if (r->kind != RULE_INCLUDE || !leaf_ok(r, nm) ||
				    (a = applies(r, e)) == 0)
					continue;
				if (e == NULL)
					return -1;
				w->st->ties++;
				if (w->rs->tie_fn != NULL)
					w->rs->tie_fn(w->rs->tie_arg, e,
					    w->gids[gi], r->r->tag,
					    exc->r->tag);
				break;
			}
		}
		i = end;
	}
	return nh;
}

static void
warn_errno(struct walker *w, int e, const char *what, const char *path)
{
	w->st->errors++;
	ctx_log(w->ctx, OFFMIG_LOG_WARN, "%s '%s': %s", what, path,
	    strerror(e));
}

/* w->wp / w->hp = the entry name in the current folder. */
static int
entry_paths(struct walker *w, const char *name, size_t n)
{
	if (grow(&w->wp, &w->wpcap, w->wdlen + n + 2) != 0 ||
	    grow(&w->hp, &w->hpcap, w->hdlen + n + 2) != 0)
		return -1;
	memcpy(w->wp, w->wd, w->wdlen);
	w->wp[w->wdlen] = '\\';
	memcpy(w->wp + w->wdlen + 1, name, n + 1);
	memcpy(w->hp, w->hd, w->hdlen);
	if (w->hdlen > 0) {
		w->hp[w->hdlen] = '/';
		memcpy(w->hp + w->hdlen + 1, name, n + 1);
	} else
		memcpy(w->hp, name, n + 1);
	return 0;
}

/* One file of the folder open on dfd.  <0 stops the walk. */
static int
visit_file(struct walker *w, const struct frame *f, int dfd,
    const char *name, const struct stat *known)
{
	struct walk_entry e;
	struct fname nm;
	struct stat st;
	int nh, ret;

	fname_init(&nm, name);
	if (decide_file(w, f, &nm, NULL) == 0)
		return 0;
	if (known != NULL)
		st = *known;
	else if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		int err = errno;

		if (entry_paths(w, name, nm.n) != 0)
			return ctx_set_error(w->ctx, OFFMIG_ENOMEM, errno,
			    "walk");
		warn_errno(w, err, "cannot lstat", w->wp);
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		w->st->links_skipped++;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	if (entry_paths(w, name, nm.n) != 0)
		return ctx_set_error(w->ctx, OFFMIG_ENOMEM, errno, "walk");
	e.winpath = w->wp;
	e.windir = w->wd;
	e.name = w->wp + w->wdlen + 1;
	e.host_path = w->hp;
	e.st = &st;
	e.is_dir = 0;
	e.is_link = 0;
	if ((nh = decide_file(w, f, &nm, &e)) <= 0)
		return 0;
	w->st->selected++;
	w->st->selected_bytes += st.st_size > 0 ? (uint64_t)st.st_size : 0;
	ret = w->fn != NULL ? w->fn(w->arg, &e, w->hits, (size_t)nh) : 0;
	return ret < 0 ? ret : 0;
}

/*
 * The folder w->wd (frame f, open on dfd), found empty: selected when the
 * rules would take any file it could hold (leaf "[*]", unfiltered), so
 * that an empty folder of an included tree is not lost.  <0 stops.
 */
static int
visit_empty_dir(struct walker *w, const struct frame *f, int dfd)
{
	struct walk_entry e;
	struct fname nm;
	struct stat st;
	const char *bs;
	int nh, ret;

	if (w->hdlen == 0)
		return 0;		/* the volume root itself */
	if (fstat(dfd, &st) != 0) {
		warn_errno(w, errno, "cannot stat folder", w->wd);
		return 0;
	}
	bs = strrchr(w->wd, '\\');
	if (grow(&w->wp, &w->wpcap, w->wdlen + 1) != 0 ||
	    grow(&w->hp, &w->hpcap, w->hdlen + 1) != 0)
		return ctx_set_error(w->ctx, OFFMIG_ENOMEM, errno, "walk");
	/* windir: the parent, "C:\\Users"; as a copy of wd cut short. */
	memcpy(w->wp, w->wd, w->wdlen + 1);
	memcpy(w->hp, w->hd, w->hdlen + 1);
	w->wp[bs - w->wd] = '\0';
	e.winpath = w->wd;
	e.windir = w->wp;
	e.name = bs + 1;
	e.host_path = w->hp;
	e.st = &st;
	e.is_dir = 1;
	e.is_link = 0;
	memset(&nm, 0, sizeof(nm));
	nm.dir = w->wp;
	nm.dirlen = (size_t)(bs - w->wd);
	if ((nh = decide_file(w, f, &nm, &e)) <= 0)
		return 0;
	w->st->selected_dirs++;
	ret = w->fn != NULL ? w->fn(w->arg, &e, w->hits, (size_t)nh) : 0;
	return ret < 0 ? ret : 0;
}

static int
add_subdir(struct frame *f, const char *name)
{
	size_t n = strlen(name) + 1;

	if (grow(&f->names, &f->ncap, f->nlen + n) != 0)
		return -1;
	if (f->nsub == f->scap) {
		size_t cap = f->scap ? f->scap * 2 : 32;
		size_t *o = realloc(f->offs, cap * sizeof(*o));

		if (o == NULL)
			return -1;
		f->offs = o;
		f->scap = cap;
	}
	memcpy(f->names + f->nlen, name, n);
	f->offs[f->nsub++] = f->nlen;
	f->nlen += n;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends "\name" and "/name" to the folder paths; -1 on ENOMEM. */
static int
push_dir(struct walker *w, const char *name, size_t n)
{
	if (grow(&w->wd, &w->wdcap, w->wdlen + n + 2) != 0 ||
	    grow(&w->hd, &w->hdcap, w->hdlen + n + 2) != 0)
		return -1;
	w->wd[w->wdlen++] = '\\';
	memcpy(w->wd + w->wdlen, name, n + 1);
	w->wdlen += n;
	if (w->hdlen > 0)
		w->hd[w->hdlen++] = '/';
	memcpy(w->hd + w->hdlen, name, n + 1);
	w->hdlen += n;
	return 0;
}

static void
pop_dir(struct walker *w, size_t wdlen, size_t hdlen)
{
	w->wdlen = wdlen;
	w->wd[wdlen] = '\0';
	w->hdlen = hdlen;
	w->hd[hdlen] = '\0';
}

/*
 * Reads the folder open on dfd (taken over) whose rule states are in
 * frame depth: its files first, then its subfolders.  <0 stops the walk.
 */
static int
visit_dir(struct walker *w, int dfd, size_t depth)
{
	struct frame *f = w->fr[depth], *child;
	struct dirent *de;
	DIR *d;
	size_t i;
	int fd2, ret = 0;
	uint64_t nent = 0;
	int rderr = 0;

	w->st->dirs++;
	f->nlen = f->nsub = 0;
	if ((fd2 = fcntl(dfd, F_DUPFD_CLOEXEC, 0)) < 0 ||
	    (d = fdopendir(fd2)) == NULL) {
		warn_errno(w, errno, "cannot read folder", w->wd);
		if (fd2 >= 0)
			close(fd2);
		close(dfd);
		return 0;
	}
	for (;;) {
		const char *name;
		struct stat st, *known = NULL;
		unsigned char type;

		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				rderr = 1;
				warn_errno(w, errno, "cannot read folder",
				    w->wd);
			}
			break;
		}
		name = de->d_name;
		if (name[0] == '.' && (name[1] == '\0' ||
		    (name[1] == '.' && name[2] == '\0')))
			continue;
		nent++;
		type = de->d_type;
		if (type == DT_UNKNOWN) {
			/* No type from the file system: ask. */
			if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
				int err = errno;

				if (entry_paths(w, name, strlen(name)) != 0) {
					ret = ctx_set_error(w->ctx,
					    OFFMIG_ENOMEM, errno, "walk");
					break;
				}
				warn_errno(w, err, "cannot lstat", w->wp);
				continue;
			}
			type = S_ISDIR(st.st_mode) ? DT_DIR :
			    S_ISLNK(st.st_mode) ? DT_LNK :
			    S_ISREG(st.st_mode) ? DT_REG : DT_FIFO;
			known = &st;
		}
		if (type == DT_DIR) {
			if (add_subdir(f, name) != 0) {
				ret = ctx_set_error(w->ctx, OFFMIG_ENOMEM,
				    errno, "walk");
				break;
			}
			continue;
		}
		if (type == DT_LNK) {
			w->st->links_skipped++;
			continue;
		}
		w->st->files++;
		if (type != DT_REG || f->nact_inc == 0)
			continue;
		if ((ret = visit_file(w, f, dfd, name, known)) < 0)
			break;
	}
	closedir(d);
	if (ret >= 0 && nent == 0 && !rderr && w->rs->empty_dirs && f->nact_inc > 0)
		ret = visit_empty_dir(w, f, dfd);
	if (ret < 0 || f->nsub == 0) {
		close(dfd);
		return ret;
	}

	/* Subfolders in byte order of their names. */
	{
		char **sub = realloc(f->sub, f->nsub * sizeof(*sub));

		if (sub == NULL) {
			close(dfd);
			return ctx_set_error(w->ctx, OFFMIG_ENOMEM, errno,
			    "walk");
		}
		f->sub = sub;
		for (i = 0; i < f->nsub; i++)
			sub[i] = f->names + f->offs[i];
		qsort(sub, f->nsub, sizeof(*sub), cmp_str);
	}
	if ((child = frame_at(w, depth + 1)) == NULL) {
		close(dfd);
		return ctx_set_error(w->ctx, OFFMIG_ENOMEM, errno, "walk");
	}
	for (i = 0; i < f->nsub && ret >= 0; i++) {
		const char *name = f->sub[i];
		size_t wdlen = w->wdlen, hdlen = w->hdlen, n = strlen(name);
		int cfd;

		if (push_dir(w, name, n) != 0) {
			ret = ctx_set_error(w->ctx, OFFMIG_ENOMEM, errno,
			    "walk");
			break;
		}
		if (w->wdlen > WALK_PATH_MAX) {
			w->st->errors++;
			ctx_log(w->ctx, OFFMIG_LOG_WARN, "'%.200s...': path "
			    "longer than Windows allows, not read", w->wd);
			pop_dir(w, wdlen, hdlen);
			continue;
		}
		frame_states(w, f->state, child);
		if (!frame_useful(w, child)) {
			pop_dir(w, wdlen, hdlen);
			continue;
		}
		cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (cfd < 0) {
			/* Replaced by a link since it was listed: skip it. */
			if (errno == ELOOP)
				w->st->links_skipped++;
			else
				warn_errno(w, errno, "cannot open folder",
				    w->wd);
		} else
			ret = visit_dir(w, cfd, depth + 1);
		pop_dir(w, wdlen, hdlen);
	}
	close(dfd);
	return ret;
}

struct root {
	char		*rest;		/* below the drive, as in the pattern */
	unsigned char	*folded;
	size_t		 flen;
};

static int
cmp_root(const void *a, const void *b)
{
	const struct root *x = a, *y = b;
	int c = memcmp(x->folded, y->folded, x->flen < y->flen ? x->flen :
	    y->flen);

	if (c != 0)
		return c;
	return x->flen < y->flen ? -1 : x->flen > y->flen;
}

/* Whether folded root a is b or above it. */
static int
root_covers(const struct root *a, const struct root *b)
{
	if (a->flen == 0)
		return 1;
	return b->flen >= a->flen && memcmp(a->folded, b->folded, a->flen) ==
	    0 && (b->flen == a->flen || b->folded[a->flen] == '\\');
}

/* The roots of the include patterns: distinct, none below another. */
static int
collect_roots(struct walker *w, char sysdrive, struct root **rootsp,
    size_t *np)
{
	struct root *roots;
	size_t i, k, n = 0;

	*rootsp = NULL;
	*np = 0;
	if ((roots = calloc(w->nw + 1, sizeof(*roots))) == NULL)
		return -1;
	for (i = 0; i < w->nw; i++) {
		const char *rest;
		char *root;
		int dup = 0;

		if (w->w[i].kind != RULE_INCLUDE)
			continue;
		if ((root = upat_root(w->w[i].pat)) == NULL)
			goto enomem;
		switch (winpath_classify(root, sysdrive, &rest)) {
		case WINPATH_SYSTEM_DRIVE:
			break;
		case WINPATH_OTHER_DRIVE:
			ctx_log(w->ctx, OFFMIG_LOG_WARN, "pattern '%s': not "
			    "on the system drive %c:, skipped",
			    upat_text(w->w[i].pat), sysdrive);
			free(root);
			continue;
		default:
			ctx_log(w->ctx, OFFMIG_LOG_WARN, "pattern '%s': no "
			    "drive letter of this volume at its start, "
			    "skipped", upat_text(w->w[i].pat));
			free(root);
			continue;
		}
		roots[n].rest = strdup(rest);
		free(root);
		if (roots[n].rest == NULL || (roots[n].folded =
		    upat_fold(roots[n].rest, strlen(roots[n].rest),
		    &roots[n].flen)) == NULL) {
			free(roots[n].rest);
			goto enomem;
		}
		for (k = 0; k < n && !dup; k++)
			dup = cmp_root(&roots[k], &roots[n]) == 0;
		if (dup) {
			free(roots[n].rest);
			free(roots[n].folded);
			continue;
		}
		n++;
	}
	qsort(roots, n, sizeof(*roots), cmp_root);
	/*
	 * Drop every root that another one holds.  Sorted, a root's holders
	 * come before it, and the roots kept so far are exactly the ones a
	 * later root must be checked against: a dropped root is held by a
	 * kept one, which holds whatever the dropped one holds.
	 */
	for (i = 0, k = 0; i < n; i++) {
		size_t j;
		int held = 0;

		for (j = 0; j < k && !held; j++)
			held = root_covers(&roots[j], &roots[i]);
		if (held) {
			free(roots[i].rest);
			free(roots[i].folded);
		} else
			roots[k++] = roots[i];
	}
	*rootsp = roots;
	*np = k;
	return 0;

enomem:
	for (k = 0; k < n; k++) {
		free(roots[k].rest);
		free(roots[k].folded);
	}
	free(roots);
	return -1;
}

/* Walks from one root. <0 stops. */
static int
walk_root(struct walker *w, int rootfd, char sysdrive, const struct root *r)
{
	struct frame *f;
	char *host = NULL;
	size_t i;
	int fd = -1, ret;

	if (r->rest[0] == '\0') {
		/* Its own open file: a dup would share the root's offset. */
		if ((fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0) {
			warn_errno(w, errno, "cannot open folder", "\\");
			return 0;
		}
		host = strdup("");
	} else {
		ret = vpath_resolve(w->ctx, rootfd, r->rest, VPATH_DIR, &fd,
		    &host, NULL);
		if (ret == OFFMIG_ENOTFOUND)
			return 0;
		if (ret == OFFMIG_EUNSAFE) {
			w->st->links_skipped++;
			ctx_log(w->ctx, OFFMIG_LOG_WARN, "%c:\\%s: %s, not "
			    "walked", sysdrive, r->rest, offmig_errmsg(w->ctx));
			return 0;
		}
		if (ret == OFFMIG_ENOMEM)
			return ret;
		if (ret != OFFMIG_OK) {
			w->st->errors++;
			ctx_log(w->ctx, OFFMIG_LOG_WARN, "%c:\\%s: %s, not "
			    "walked", sysdrive, r->rest, offmig_errmsg(w->ctx));
			return 0;
		}
	}
	if (host == NULL || grow(&w->wd, &w->wdcap, strlen(host) + 4) != 0 ||
	    grow(&w->hd, &w->hdcap, strlen(host) + 1) != 0) {
		free(host);
		close(fd);
		return ctx_set_error(w->ctx, OFFMIG_ENOMEM, errno, "walk");
	}
	/* The names as stored, in Windows form. */
	w->wd[0] = (char)(sysdrive >= 'a' && sysdrive <= 'z' ? sysdrive - 0x20 :
	    sysdrive);
	w->wd[1] = ':';
	w->wdlen = 2;
	if (host[0] != '\0') {
		w->wd[w->wdlen++] = '\\';
		for (i = 0; host[i] != '\0'; i++)
			w->wd[w->wdlen++] = host[i] == '/' ? '\\' : host[i];
	}
	w->wd[w->wdlen] = '\0';
	memcpy(w->hd, host, strlen(host) + 1);
	w->hdlen = strlen(host);
	free(host);
	if ((f = frame_at(w, 0)) == NULL) {
		close(fd);
		return ctx_set_error(w->ctx, OFFMIG_ENOMEM, errno, "walk");
	}
	frame_states(w, NULL, f);
	if (!frame_useful(w, f)) {
		close(fd);
		return 0;
	}
	return visit_dir(w, fd, 0);
}

int
ruleset_walk(struct offmig_ctx *ctx, const struct ruleset *rs, int rootfd,
    char sysdrive, walk_select_fn *fn, void *arg, struct walk_stats *stats)
{
	struct walk_stats dummy;
	struct walker w;
	struct root *roots = NULL;
	size_t i, nroots = 0;
	int ret = OFFMIG_OK;

	if (sysdrive >= 'a' && sysdrive <= 'z')
		sysdrive = (char)(sysdrive - 0x20);
	if (stats == NULL)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	if (rs == NULL)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "no rules to walk");
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.rs = rs;
	w.fn = fn;
	w.arg = arg;
	w.st = stats;
	if (walker_prepare(&w) != 0 ||
	    collect_roots(&w, sysdrive, &roots, &nroots) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "walk");
		goto out;
	}
	for (i = 0; i < nroots && ret == OFFMIG_OK; i++)
		ret = walk_root(&w, rootfd, sysdrive, &roots[i]);
out:
	for (i = 0; i < nroots; i++) {
		free(roots[i].rest);
		free(roots[i].folded);
	}
	free(roots);
	for (i = 0; i < w.nfr; i++)
		frame_free(w.fr[i]);
	free(w.fr);
	free(w.w);
	free(w.gids);
	free(w.cov);
	free(w.hits);
	free(w.wd);
	free(w.hd);
	free(w.wp);
	free(w.hp);
	return ret;
}
