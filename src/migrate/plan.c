/*
 * plan.c - evaluates USMT rules (usmtxml.h) against an offline volume, the
 * way ScanState would, and streams every object it would take: offmig plan.
 *
 * One evaluation context ("instance") per selected profile, plus one for
 * the system.  Each component is evaluated once for the system, once per
 * user, or both, as its context (narrowed by its rules) says.  Variables
 * come from the profile's known folders (folders.c) and from SOFTWARE;
 * <environment> adds the component's own.  Detects decide whether a
 * component is there.  The include/exclude patterns of all instances go
 * into one rule set (walk.h), one group per component instance, and the
 * volume is walked once; registry patterns are evaluated against each
 * user's NTUSER.DAT (HKCU) and SOFTWARE/SYSTEM (HKLM), logs applied.
 *
 * Whatever cannot be evaluated offline is recorded as "unsupported" with
 * file:line and component, never dropped; LoadState-only rules are listed
 * as not applied.  Nothing per object is kept: records go to the callback.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "common/doc.h"
#include "common/vpath.h"
#include "hive/hive.h"
#include "profiles/profiles.h"
#include "migrate/usmtxml.h"
#include "migrate/pattern.h"
#include "migrate/walk.h"
#include "migrate/pever.h"
#include "migrate/ini.h"

#define MAX_REG_DEPTH	512		/* key nesting followed */
#define MAX_REG_KEYS	2000000		/* keys visited per walk */
#define MAX_HITS	64
#define MAX_TIES_LISTED	1000		/* ties listed in the summary (all counted) */

struct offmig_rules {
	struct ux_set	 set;
};

/* Rule files. */

int
offmig_rules_new(struct offmig_ctx *ctx, struct offmig_rules **rulesp)
{
	if ((*rulesp = calloc(1, sizeof(**rulesp))) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "rules");
	ux_set_init(&(*rulesp)->set);
	return OFFMIG_OK;
}

void
offmig_rules_free(struct offmig_rules *rules)
{
	if (rules == NULL)
		return;
	ux_set_release(&rules->set);
	free(rules);
}

int
offmig_rules_load(struct offmig_ctx *ctx, struct offmig_rules *rules,
    const char *path)
{
	return ux_load_file(ctx, &rules->set, path, 0);
}

int
offmig_rules_load_config(struct offmig_ctx *ctx, struct offmig_rules *rules,
    const char *path)
{
	return ux_load_file(ctx, &rules->set, path, 1);
}

int
offmig_rules_load_memory(struct offmig_ctx *ctx, struct offmig_rules *rules,
    const char *name, const char *xml, size_t len, int is_config)
{
	return ux_load_memory(ctx, &rules->set, name, xml, len, is_config);
}

size_t
offmig_rules_ndiags(const struct offmig_rules *rules)
{
	return rules->set.ndiags;
}

size_t
offmig_rules_nerrors(const struct offmig_rules *rules)
{
	return rules->set.nerrors;
}

int
offmig_rules_diag(const struct offmig_rules *rules, size_t i,
    enum offmig_level *levelp, const char **filep, long *linep,
    const char **msgp)
{
	const struct ux_diag *d;

	if (i >= rules->set.ndiags)
		return OFFMIG_EINVAL;
	d = &rules->set.diags[i];
	*levelp = d->sev == UX_DIAG_ERROR ? OFFMIG_LOG_ERROR :
	    d->sev == UX_DIAG_WARN ? OFFMIG_LOG_WARN : OFFMIG_LOG_INFO;
	*filep = d->file;
	*linep = d->line;
	*msgp = d->msg;
	return OFFMIG_OK;
}

/* Variables. */

struct var {
	char		*name;
	char		*value;
};

struct vars {
	struct var	*v;
	size_t		 n;
};

static void
vars_release(struct vars *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].value);
	}
	free(vs->v);
	vs->v = NULL;
	vs->n = 0;
}

static const char *
vars_get(const struct vars *vs, const char *name)
{
	size_t i;

	for (i = 0; vs != NULL && i < vs->n; i++)
		if (strcasecmp(vs->v[i].name, name) == 0)
			return vs->v[i].value;
	return NULL;
}

/* Sets name (replacing it); value NULL does nothing.  -1 on ENOMEM. */
static int
vars_set(struct vars *vs, const char *name, const char *value)
{
	struct var *nv;
	char *val;
	size_t i;

	if (value == NULL || *value == '\0')
		return 0;
	if ((val = strdup(value)) == NULL)
		return -1;
	for (i = 0; i < vs->n; i++)
		if (strcasecmp(vs->v[i].name, name) == 0) {
			free(vs->v[i].value);
			vs->v[i].value = val;
			return 0;
		}
	if ((nv = realloc(vs->v, (vs->n + 1) * sizeof(*nv))) == NULL) {
		free(val);
		return -1;
	}
	vs->v = nv;
	if ((nv[vs->n].name = strdup(name)) == NULL) {
		free(val);
		return -1;
	}
	nv[vs->n++].value = val;
	return 0;
}

/* The plan. */

struct kf {
	char		*label;
	char		*win;		/* Windows path */
	size_t		 len;
	uint64_t	 files, bytes;
};

struct inst {
	const struct profile *p;	/* NULL: the system */
	const char	*who;		/* user name, SID or "system" */
	struct vars	 vars;
	struct kf	*kf;
	size_t		 nkf;
	struct hive	*hkcu;		/* NULL: none (system, no hive) */
	int		 usable;	/* the profile folder is on the volume */
	struct ruleset	*reg;		/* registry rules of this instance */
	struct upat	**reginc;	/* registry includes (for walking) */
	size_t		 nreginc;
	uint64_t	 files, bytes, regvals, regkeys, inikeys, folders;
};

struct group {
	struct inst	*inst;
	const struct ux_node *comp;
	const char	*name;
	int		 detected;
	uint64_t	 files, bytes, regvals, regkeys, inikeys, folders;
};

/* What a rule set's tag points to: the include or exclude that matched. */
struct rtag {
	const struct ux_node *node;	/* the <pattern>/<script>/<extension> */
	unsigned	 group;
	char		*pattern;	/* expanded text */
};

enum filt_kind { FILT_PROPS, FILT_NO, FILT_COMPARE };

/* An include/exclude filter= that applies at scan time. */
struct filt {
	struct plan	*pl;
	enum filt_kind	 kind;
	int		 prop;		/* 0 size, 1 mtime, 2 atime */
	int		 op;		/* 0 range 1 neq 2 lte 3 lt 4 eq 5 gte 6 gt */
	int64_t		 lo, hi;
	char		*str;
	int		 equal;
};

struct plan {
	struct offmig_ctx *ctx;
	struct offmig_volume *vol;
	struct ux_set	*set;
	const struct offmig_filter *filter;
	unsigned	 flags;
	struct offmig_doc *doc;
	struct offmig_node *unsup, *notapp, *notes, *detected;
	size_t		 nunsup;
	struct inst	*insts;
	size_t		 ninst;
	struct group	*groups;
	size_t		 ngroups;
	struct rtag	**tags;
	size_t		 ntags;
	struct filt	**filts;
	size_t		 nfilts;
	struct ruleset	*files;
	size_t		 nfileinc;
	struct ruleset	*ini;		/* Ini rules of every instance */
	char		**inifiles;	/* INI files the includes name */
	size_t		 ninifiles;
	const void	**seen;
	size_t		 nseen;
	char		**notetexts;
	size_t		 nnotes;
	int		 is64;
	int		 xp;
	char		 osver[64];
	offmig_plan_fn	*fn;
	void		*arg;
	const struct hive_rawval *cur_val;	/* CompareStringContent */
	const char	*cur_ini;		/* the same, an Ini value */
	struct offmig_node *ties;
	uint64_t	 nties;
	int		 nomem;
	int		 cb_ret;
	uint64_t	 reg_errors;
};

static const char *
comp_name(const struct ux_node *comp)
{
	const char *n = comp != NULL ? ux_display_name(comp) : NULL;

	return n != NULL ? n : "(unnamed component)";
}

/* 1 the first time (a, b) is seen. */
static int
first_time(struct plan *pl, const void *a, const void *b)
{
	const void **s;
	size_t i;

	for (i = 0; i + 1 < pl->nseen; i += 2)
		if (pl->seen[i] == a && pl->seen[i + 1] == b)
			return 0;
	if ((s = realloc(pl->seen, (pl->nseen + 2) * sizeof(*s))) == NULL) {
		pl->nomem = 1;
		return 0;
	}
	pl->seen = s;
	s[pl->nseen++] = a;
	s[pl->nseen++] = b;
	return 1;
}

static void unsupported(struct plan *pl, const struct ux_node *n,
    const struct ux_node *comp, const char *construct, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A construct that could not be evaluated: listed once, the CLI exits 1. */
static void
unsupported(struct plan *pl, const struct ux_node *n,
    const struct ux_node *comp, const char *construct, const char *fmt, ...)
{
	struct offmig_node *o;
	char detail[1024];
	va_list ap;

	if (!first_time(pl, n, construct))
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	o = doc_push_object(pl->doc, pl->unsup);
	doc_add_str(pl->doc, o, "file", n->file->path);
	doc_add_int(pl->doc, o, "line", n->line);
	doc_add_str(pl->doc, o, "component", comp != NULL ? comp_name(comp) :
	    NULL);
	doc_add_str(pl->doc, o, "construct", construct);
	doc_add_str(pl->doc, o, "detail", detail);
	pl->nunsup++;
	ctx_log(pl->ctx, OFFMIG_LOG_WARN, "%s:%ld: %s: not evaluated: %s",
	    n->file->path, n->line, construct, detail);
}

/* A LoadState-only or informational rule: listed once. */
static void
not_applied(struct plan *pl, const struct ux_node *n,
    const struct ux_node *comp, const char *why)
{
	struct offmig_node *o;

	if (!first_time(pl, n, "not_applied"))
		return;
	o = doc_push_object(pl->doc, pl->notapp);
	doc_add_str(pl->doc, o, "file", n->file->path);
	doc_add_int(pl->doc, o, "line", n->line);
	doc_add_str(pl->doc, o, "component", comp != NULL ? comp_name(comp) :
	    NULL);
	doc_add_str(pl->doc, o, "element", n->tag);
	doc_add_str(pl->doc, o, "why", why);
}

static void note(struct plan *pl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A remark about the plan, listed once. */
static void
note(struct plan *pl, const char *fmt, ...)
{
	char buf[1024], **nn;
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (i = 0; i < pl->nnotes; i++)
		if (strcmp(pl->notetexts[i], buf) == 0)
			return;
	if ((nn = realloc(pl->notetexts, (pl->nnotes + 1) *
	    sizeof(*nn))) == NULL || (nn[pl->nnotes] = strdup(buf)) == NULL) {
		if (nn != NULL)
			pl->notetexts = nn;
		pl->nomem = 1;
		return;
	}
	pl->notetexts = nn;
	pl->nnotes++;
	doc_push_str(pl->doc, pl->notes, buf);
}

/*
 * Expands %VARIABLES% with the component's variables first, then the
 * instance's.  Returns a string the caller frees, NULL on ENOMEM; *badp
 * (may be NULL) gets the first reference left unexpanded ("%X%"), or "".
 */
static char *
expand(struct plan *pl, const struct inst *in, const struct vars *cv,
    const char *s, char *bad, size_t badsize)
{
	struct winenv *env;
	size_t n = 0, i;
	const char *p, *e;
	char *out;

	if (bad != NULL)
		*bad = '\0';
	env = calloc((cv != NULL ? cv->n : 0) + in->vars.n + 1, sizeof(*env));
	if (env == NULL) {
		pl->nomem = 1;
		return NULL;
	}
	for (i = 0; cv != NULL && i < cv->n; i++, n++) {
		env[n].name = cv->v[i].name;
		env[n].value = cv->v[i].value;
	}
	for (i = 0; i < in->vars.n; i++, n++) {
		env[n].name = in->vars.v[i].name;
		env[n].value = in->vars.v[i].value;
	}
	out = winpath_expand(s, env, n);
	free(env);
	if (out == NULL) {
		pl->nomem = 1;
		return NULL;
	}
	for (p = out; bad != NULL && (p = strchr(p, '%')) != NULL; p = e) {
		e = strchr(p + 1, '%');
		if (e == NULL)
			break;
		if (e > p + 1 && strcspn(p + 1, "\\ [];") >= (size_t)(e - p - 1)) {
			snprintf(bad, badsize, "%.*s", (int)(e - p + 1), p);
			break;
		}
	}
	return out;
}

/* Splits "node [leaf]" (leaf with ^ escapes resolved); leaf NULL: none. */
static int
split_location(const char *s, char **nodep, char **leafp)
{
	const char *lb = NULL, *p, *end;
	size_t l;

	*nodep = *leafp = NULL;
	end = s + strlen(s);
	while (end > s && end[-1] == ' ')
		end--;
	if (end > s && end[-1] == ']') {
		for (p = s; p < end - 1; p++) {
			if (*p == '^' && p + 1 < end - 1) {
				p++;
				continue;
			}
			if (*p == '[') {
				lb = p;
				break;
			}
		}
	}
	l = lb != NULL ? (size_t)(lb - s) : (size_t)(end - s);
	while (l > 0 && s[l - 1] == ' ')
		l--;
	if ((*nodep = strndup(s, l)) == NULL)
		return -1;
	if (lb != NULL) {
		char *o;

		if ((*leafp = o = malloc((size_t)(end - lb))) == NULL)
			return -1;
		for (p = lb + 1; p < end - 1; p++) {
			if (*p == '^' && p + 1 < end - 1)
				p++;
			*o++ = *p;
		}
		*o = '\0';
	}
	return 0;
}

/* Context masks. */
#define CTX_USER	1
#define CTX_SYSTEM	2

static unsigned
ctx_mask(const char *s, unsigned dflt)
{
	if (s == NULL)
		return dflt;
	if (strcasecmp(s, "User") == 0)
		return CTX_USER;
	if (strcasecmp(s, "System") == 0)
		return CTX_SYSTEM;
	return CTX_USER | CTX_SYSTEM;
}

static unsigned
inst_type(const struct inst *in)
{
	return in->p != NULL ? CTX_USER : CTX_SYSTEM;
}

static int
truthy(const char *s)
{
	return s != NULL && (strcasecmp(s, "TRUE") == 0 ||
	    strcasecmp(s, "Yes") == 0 || strcmp(s, "1") == 0);
}

/* Registry access. */

/*
 * The hive and key path inside it for a registry location ("HKLM\SOFTWARE\X"
 * -> SOFTWARE, "X").  NULL hive with *whyp set when it cannot be read.
 */
static struct hive *
reg_hive(struct plan *pl, struct inst *in, const char *loc, char **subp,
    const char **whyp)
{
	struct hive *h = NULL;
	const char *rest;
	enum sys_hive which;

	*subp = NULL;
	*whyp = NULL;
	if (strncasecmp(loc, "HKCU", 4) == 0 && (loc[4] == '\0' ||
	    loc[4] == '\\')) {
		if (in->p == NULL) {
			*whyp = "HKCU is not defined in the system context";
			return NULL;
		}
		if (in->hkcu == NULL) {
			*whyp = "the user has no readable NTUSER.DAT";
			return NULL;
		}
		rest = loc[4] == '\\' ? loc + 5 : loc + 4;
		h = in->hkcu;
	} else if (strncasecmp(loc, "HKLM\\", 5) == 0) {
		rest = loc + 5;
		if (strncasecmp(rest, "SOFTWARE", 8) == 0 && (rest[8] == '\0' ||
		    rest[8] == '\\')) {
			which = SYS_HIVE_SOFTWARE;
			rest += rest[8] == '\\' ? 9 : 8;
		} else if (strncasecmp(rest, "SYSTEM", 6) == 0 &&
		    (rest[6] == '\0' || rest[6] == '\\')) {
			which = SYS_HIVE_SYSTEM;
			rest += rest[6] == '\\' ? 7 : 6;
		} else {
			*whyp = "only HKLM\\SOFTWARE and HKLM\\SYSTEM are read";
			return NULL;
		}
		if (volume_sys_hive(pl->vol, which, &h) != OFFMIG_OK) {
			*whyp = "the machine hive cannot be read";
			return NULL;
		}
		if (which == SYS_HIVE_SYSTEM && strncasecmp(rest,
		    "CurrentControlSet", 17) == 0 && (rest[17] == '\0' ||
		    rest[17] == '\\')) {
			char *cs = NULL;
			hnode k;

			if (os_control_set(pl->ctx, h, &cs, &k) != OFFMIG_OK) {
				*whyp = "SYSTEM has no current control set";
				return NULL;
			}
			*subp = str_printf("%s%s", cs, rest + 17);
			free(cs);
			if (*subp == NULL)
				pl->nomem = 1;
			return *subp != NULL ? h : NULL;
		}
	} else {
		*whyp = "only HKCU and HKLM locations can be read offline";
		return NULL;
	}
	if ((*subp = strdup(rest)) == NULL) {
		pl->nomem = 1;
		return NULL;
	}
	return h;
}

/*
 * Walks the keys at and below the registry location root (no wildcard),
 * calling fn for each with its full path ("HKCU\Software\X"); fn returns
 * <0 to stop (returned), 0 to go on.  prune, when not NULL, says whether
 * anything can match at or below a key.
 */
typedef int regkey_fn(struct plan *pl, void *arg, const char *path,
    struct hive *h, hnode key);
typedef int regprune_fn(void *arg, const char *path);

struct regwalk {
	struct plan	*pl;
	struct hive	*h;
	regkey_fn	*fn;
	regprune_fn	*prune;
	void		*arg;
	size_t		 keys;
};

static int
reg_walk_key(struct regwalk *w, hnode key, const char *path, int depth)
{
	hnode *kids = NULL;
	size_t n = 0, i;
	int ret;

	if (w->prune != NULL && !w->prune(w->arg, path))
		return 0;
	if (++w->keys > MAX_REG_KEYS) {
		if (w->keys == MAX_REG_KEYS + 1)
			ctx_log(w->pl->ctx, OFFMIG_LOG_WARN, "%s: more than %d "
			    "keys below: the rest is not looked at", path,
			    MAX_REG_KEYS);
		w->pl->reg_errors += w->keys == MAX_REG_KEYS + 1;
		return 0;
	}
	if ((ret = w->fn(w->pl, w->arg, path, w->h, key)) < 0)
		return ret;
	if (depth >= MAX_REG_DEPTH)
		return 0;
	if (hive_children(w->pl->ctx, w->h, key, &kids, &n) != OFFMIG_OK) {
		ctx_log(w->pl->ctx, OFFMIG_LOG_WARN, "%s: %s", path,
		    offmig_errmsg(w->pl->ctx));
		w->pl->reg_errors++;
		return 0;
	}
	for (i = 0; i < n; i++) {
		char *name = hive_key_name(w->pl->ctx, w->h, kids[i]), *sub;

		if (name == NULL) {
			w->pl->reg_errors++;
			continue;
		}
		sub = str_printf("%s\\%s", path, name);
		free(name);
		if (sub == NULL) {
			w->pl->nomem = 1;
			break;
		}
		ret = reg_walk_key(w, kids[i], sub, depth + 1);
		free(sub);
		if (ret < 0) {
			free(kids);
			return ret;
		}
	}
	free(kids);
	return 0;
}

static int
reg_walk(struct plan *pl, struct inst *in, const char *root, regkey_fn *fn,
    regprune_fn *prune, void *arg, const char **whyp)
{
	struct regwalk w = { pl, NULL, fn, prune, arg, 0 };
	char *sub = NULL;
	hnode key;
	int ret;

	if (strcasecmp(root, "HKLM") == 0) {
		if ((ret = reg_walk(pl, in, "HKLM\\SOFTWARE", fn, prune, arg,
		    whyp)) < 0)
			return ret;
		return reg_walk(pl, in, "HKLM\\SYSTEM", fn, prune, arg, whyp);
	}
	if ((w.h = reg_hive(pl, in, root, &sub, whyp)) == NULL)
		return 0;
	if (hive_lookup(pl->ctx, w.h, 0, sub, &key) != OFFMIG_OK) {
		free(sub);
		return 0;
	}
	free(sub);
	return reg_walk_key(&w, key, root, 0);
}

/* Reads a registry string ("HKCU\X [v]"); NULL when absent. */
static char *
reg_string(struct plan *pl, struct inst *in, const char *loc)
{
	char *node = NULL, *leaf = NULL, *sub = NULL, *s = NULL;
	const char *why;
	struct hive *h;
	hnode key;

	if (split_location(loc, &node, &leaf) != 0) {
		pl->nomem = 1;
		goto out;
	}
	if ((h = reg_hive(pl, in, node, &sub, &why)) == NULL)
		goto out;
	if (hive_lookup(pl->ctx, h, 0, sub, &key) != OFFMIG_OK)
		goto out;
	if (hive_get_string(pl->ctx, h, key, leaf != NULL ? leaf : "", &s,
	    NULL) != OFFMIG_OK) {
		uint32_t v;

		if (hive_get_dword(pl->ctx, h, key, leaf != NULL ? leaf : "",
		    &v) == OFFMIG_OK)
			s = str_printf("%u", v);
	}
out:
	free(node);
	free(leaf);
	free(sub);
	return s;
}

/* Objects. */

static int
has_wild(const char *s)
{
	return strchr(s, '*') != NULL;
}

static int
stop_first(void *arg, const struct walk_entry *e, const struct rule_hit *hits,
    size_t nhits)
{
	return -100;
}

static int
reg_exists_fn(struct plan *pl, void *arg, const char *path, struct hive *h,
    hnode key)
{
	const struct upat *p = arg;
	char **names = NULL;
	size_t i;
	int found = 0;

	if (!upat_has_leaf(p))
		return upat_match(p, path, NULL) ? -100 : 0;
	if (hive_value_names(pl->ctx, h, key, &names) != OFFMIG_OK)
		return 0;
	for (i = 0; names[i] != NULL && !found; i++)
		found = upat_match(p, path, names[i]);
	hive_strv_free(names);
	return found ? -100 : 0;
}

static int
reg_prune_one(void *arg, const char *path)
{
	return upat_may_match_below(arg, path);
}

/*
 * An Ini location ("C:\x\a.ini|Section[key]", '*' allowed in section and
 * key): 1 when some key (or, without [key], some section) matches, its
 * value in *valuep when valuep != NULL (caller frees; the first match in
 * file order); 0 when none; -1 when it cannot be decided (*whyp).
 */
static int
ini_lookup(struct plan *pl, const char *loc, char **valuep, const char **whyp)
{
	struct ini_file f;
	struct upat *p = NULL;
	char *file = NULL, *dir = NULL;
	const char *prev = NULL;
	size_t i;
	int ret = 0, r;

	*whyp = NULL;
	if (valuep != NULL)
		*valuep = NULL;
	if (upat_parse(pl->ctx, UPAT_INI, loc, &p) != OFFMIG_OK) {
		*whyp = offmig_errmsg(pl->ctx);
		return -1;
	}
	if ((file = strndup(upat_node(p), strcspn(upat_node(p), "|"))) ==
	    NULL) {
		pl->nomem = 1;
		goto out;
	}
	if (has_wild(file)) {
		*whyp = "a wildcard in the file name of an Ini location is not "
		    "evaluated";
		ret = -1;
		goto out;
	}
	if ((r = ini_read(pl->ctx, pl->vol, file, &f, NULL)) != OFFMIG_OK) {
		if (r == OFFMIG_ENOMEM)
			pl->nomem = 1;
		else if (r != OFFMIG_ENOTFOUND) {
			*whyp = offmig_errmsg(pl->ctx);
			ret = -1;
		}
		goto out;
	}
	if (!upat_has_leaf(p)) {
		for (i = 0; i < f.nsections && ret == 0; i++) {
			free(dir);
			if ((dir = str_printf("%s|%s", file, f.sections[i])) ==
			    NULL) {
				pl->nomem = 1;
				break;
			}
			ret = upat_match(p, dir, NULL);
		}
	} else
		for (i = 0; i < f.nkeys && ret == 0; i++) {
			if (f.keys[i].section != prev) {
				free(dir);
				prev = f.keys[i].section;
				if ((dir = str_printf("%s|%s", file, prev)) ==
				    NULL) {
					pl->nomem = 1;
					break;
				}
			}
			if ((ret = upat_match(p, dir, f.keys[i].key)) &&
			    valuep != NULL &&
			    (*valuep = strdup(f.keys[i].value)) == NULL)
				pl->nomem = 1;
		}
	ini_release(&f);
out:
	free(dir);
	free(file);
	upat_free(p);
	return ret;
}

/*
 * DoesObjectExist on an expanded location: 1, 0, or -1 when it cannot be
 * decided (*whyp says why).
 */
static int
object_exists(struct plan *pl, struct inst *in, const char *type,
    const char *loc, const char **whyp)
{
	char *node = NULL, *leaf = NULL, *path = NULL, *host = NULL;
	struct upat *p = NULL;
	int ret = 0, isreg = strcasecmp(type, "Registry") == 0;

	*whyp = NULL;
	if (strcasecmp(type, "Ini") == 0)
		return ini_lookup(pl, loc, NULL, whyp);
	if (!isreg && strcasecmp(type, "File") != 0) {
		*whyp = "only File, Registry and Ini objects can be tested";
		return -1;
	}
	if (!has_wild(loc)) {
		if (split_location(loc, &node, &leaf) != 0) {
			pl->nomem = 1;
			return 0;
		}
		if (isreg) {
			char *sub = NULL;
			struct hive *h = reg_hive(pl, in, node, &sub, whyp);
			hnode key;
			uint32_t t;
			size_t l;

			if (h == NULL)
				ret = *whyp != NULL &&
				    strstr(*whyp, "HKCU is not") == NULL &&
				    strstr(*whyp, "no readable") == NULL ? -1 : 0;
			else if (hive_lookup(pl->ctx, h, 0, sub, &key) ==
			    OFFMIG_OK)
				ret = leaf == NULL || hive_value_type(pl->ctx,
				    h, key, leaf, &t, &l) == OFFMIG_OK;
			if (ret == 0)
				*whyp = NULL;
			free(sub);
		} else {
			enum winpath_kind k;
			struct stat st;

			path = leaf != NULL ? str_printf("%s\\%s", node, leaf) :
			    strdup(node);
			if (path == NULL) {
				pl->nomem = 1;
				goto out;
			}
			k = winpath_classify(path, pl->vol->sysdrive, NULL);
			if (k != WINPATH_SYSTEM_DRIVE && k != WINPATH_RELATIVE) {
				note(pl, "%s is not on this volume: objects "
				    "there count as absent", path);
				goto out;
			}
			ret = volume_resolve(pl->vol, path, VPATH_ANY, &host,
			    &st) == OFFMIG_OK;
		}
		goto out;
	}
	if (upat_parse(pl->ctx, isreg ? UPAT_REGISTRY : UPAT_FILE, loc, &p) !=
	    OFFMIG_OK) {
		*whyp = offmig_errmsg(pl->ctx);
		ret = -1;
		goto out;
	}
	if (isreg) {
		char *root = upat_root(p);

		if (root == NULL) {
			pl->nomem = 1;
			goto out;
		}
		ret = reg_walk(pl, in, root, reg_exists_fn, reg_prune_one, p,
		    whyp) == -100;
		free(root);
	} else if (!upat_has_leaf(p)) {
		*whyp = "a folder pattern with wildcards cannot be tested "
		    "without its leaf";
		ret = -1;
	} else {
		struct ruleset *rs = ruleset_new();
		struct walk_stats ws;

		if (rs == NULL) {
			pl->nomem = 1;
			goto out;
		}
		memset(&ws, 0, sizeof(ws));
		if (ruleset_add(rs, RULE_INCLUDE, 0, p, NULL, NULL, NULL) ==
		    OFFMIG_OK)
			ret = ruleset_walk(pl->ctx, rs, pl->vol->rootfd,
			    pl->vol->sysdrive, stop_first, NULL, &ws) == -100;
		p = NULL;
		ruleset_free(rs);
	}
out:
	upat_free(p);
	free(node);
	free(leaf);
	free(path);
	free(host);
	return ret;
}

#define MAX_SAME_BYTES	(64u << 20)	/* larger contents are not read */

/*
 * The bytes of one object for IsSameContent (caller frees *datap): 1 read,
 * 0 absent, -1 cannot be decided (*whyp).  A file is read up to
 * MAX_SAME_BYTES; a registry value gives its data, an INI key its value.
 */
static int
object_bytes(struct plan *pl, struct inst *in, const char *type,
    const char *loc, unsigned char **datap, size_t *lenp, const char **whyp)
{
	*datap = NULL;
	*lenp = 0;
	*whyp = NULL;
	if (has_wild(loc)) {
		*whyp = "a location with '*' names no single object";
		return -1;
	}
	if (strcasecmp(type, "Registry") == 0) {
		char *node = NULL, *leaf = NULL, *sub = NULL;
		struct hive *h;
		uint32_t t;
		hnode key;
		void *d = NULL;
		int r = 0;

		if (split_location(loc, &node, &leaf) != 0) {
			pl->nomem = 1;
			return 0;
		}
		if (leaf == NULL)
			*whyp = "a registry key has no content; name a value "
			    "(Key [value])";
		else if ((h = reg_hive(pl, in, node, &sub, whyp)) == NULL) {
			/* No user hive: the value is absent, as for
			   DoesObjectExist. */
			if (*whyp != NULL && (strstr(*whyp, "HKCU is not") !=
			    NULL || strstr(*whyp, "no readable") != NULL))
				*whyp = NULL;
		} else if (hive_lookup(pl->ctx, h, 0, sub, &key) ==
		    OFFMIG_OK && hive_get_raw(pl->ctx, h, key, leaf, &t, &d,
		    lenp) == OFFMIG_OK) {
			*datap = d;
			r = 1;
		}
		free(node);
		free(leaf);
		free(sub);
		return *whyp != NULL ? -1 : r;
	}
	if (strcasecmp(type, "Ini") == 0) {
		char *v = NULL;
		int r = ini_lookup(pl, loc, &v, whyp);

		if (r == 1 && v == NULL) {
			*whyp = "an INI section has no content; name a key";
			return -1;
		}
		*datap = (unsigned char *)v;
		*lenp = v != NULL ? strlen(v) : 0;
		return r;
	}
	if (strcasecmp(type, "File") == 0) {
		char *node = NULL, *leaf = NULL, *path;
		const char *rest;
		struct stat st;
		ssize_t n;
		int fd = -1, r = 0;

		if (split_location(loc, &node, &leaf) != 0) {
			pl->nomem = 1;
			return 0;
		}
		path = leaf != NULL ? str_printf("%s\\%s", node, leaf) :
		    strdup(node);
		free(node);
		free(leaf);
		if (path == NULL) {
			pl->nomem = 1;
			return 0;
		}
		r = winpath_classify(path, pl->vol->sysdrive, &rest);
		if (r != WINPATH_SYSTEM_DRIVE && r != WINPATH_RELATIVE) {
			note(pl, "%s is not on this volume: IsSameContent counts "
			    "it as absent", path);
			free(path);
			return 0;
		}
		r = 0;
		if (vpath_resolve(pl->ctx, pl->vol->rootfd, rest, VPATH_FILE,
		    &fd, NULL, NULL) != OFFMIG_OK)
			goto fdone;
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
			goto fdone;
		if (st.st_size > (off_t)MAX_SAME_BYTES) {
			*whyp = "a file larger than 64 MiB is not compared";
			r = -1;
			goto fdone;
		}
		if ((*datap = malloc((size_t)st.st_size + 1)) == NULL) {
			pl->nomem = 1;
			goto fdone;
		}
		n = io_read_full(fd, *datap, (size_t)st.st_size);
		if (n != (ssize_t)st.st_size) {
			*whyp = "a file could not be read whole";
			free(*datap);
			*datap = NULL;
			r = -1;
			goto fdone;
		}
		*lenp = (size_t)n;
		r = 1;
fdone:
		if (fd >= 0)
			close(fd);
		free(path);
		return r;
	}
	*whyp = "only File, Registry and Ini objects have content";
	return -1;
}

/* The PE version of a file ("C:\x\a.exe"); OFFMIG_OK and v filled. */
static int
file_version(struct plan *pl, const char *path, struct pe_version *v)
{
	const char *rest;
	enum winpath_kind k = winpath_classify(path, pl->vol->sysdrive, &rest);
	int fd = -1, ret;

	memset(v, 0, sizeof(*v));
	if (k != WINPATH_SYSTEM_DRIVE && k != WINPATH_RELATIVE)
		return OFFMIG_ENOTFOUND;
	if ((ret = vpath_resolve(pl->ctx, pl->vol->rootfd, rest, VPATH_FILE,
	    &fd, NULL, NULL)) != OFFMIG_OK)
		return ret;
	ret = pe_version_read(pl->ctx, fd, path, v);
	close(fd);
	return ret;
}

/* Helpers used as conditions and scripts. */

struct evalctx {
	struct plan	*pl;
	struct inst	*in;
	const struct vars *cv;
	const struct ux_node *comp;
	int		 depth;		/* nested rules/conditions followed */
};

/* Argument i expanded (caller frees), or NULL when absent/NULL. */
static char *
arg_x(struct evalctx *ec, const struct ux_call *c, size_t i)
{
	if (i >= c->nargs || c->args[i] == NULL)
		return NULL;
	return expand(ec->pl, ec->in, ec->cv, c->args[i], NULL, 0);
}

/* GetStringContent and friends: a string, or NULL. */
static char *
string_content(struct evalctx *ec, const struct ux_node *n,
    const struct ux_call *c, size_t at, int *unsup)
{
	char *type = arg_x(ec, c, at), *loc = arg_x(ec, c, at + 1), *s = NULL;

	*unsup = 0;
	if (type == NULL || loc == NULL)
		unsupported(ec->pl, n, ec->comp, c->fn, "missing arguments");
	else if (strcasecmp(type, "Registry") == 0 ||
	    strcasecmp(type, "Ini") == 0) {
		const char *why = NULL;

		if (strcasecmp(type, "Registry") == 0)
			s = reg_string(ec->pl, ec->in, loc);
		else if (ini_lookup(ec->pl, loc, &s, &why) < 0) {
			unsupported(ec->pl, n, ec->comp, c->fn, "%s: %s", loc,
			    why);
			*unsup = 1;
		}
		if (s != NULL && c->nargs > at + 2 && c->args[at + 2] != NULL &&
		    strcasecmp(c->args[at + 2], "FALSE") == 0)
			;	/* ExpandContent=FALSE: kept as stored */
		else if (s != NULL) {
			char *x = expand(ec->pl, ec->in, ec->cv, s, NULL, 0);

			free(s);
			s = x;
		}
	} else if (strcasecmp(type, "File") == 0)
		;	/* USMT returns NULL for files */
	else {
		unsupported(ec->pl, n, ec->comp, c->fn, "%s content (only "
		    "Registry and Ini strings are read offline)", type);
		*unsup = 1;
	}
	free(type);
	free(loc);
	return s;
}

static int
is_fn(const struct ux_call *c, const char *fn)
{
	return strcasecmp(c->fn, fn) == 0;
}

/* A condition helper: 1, 0, or -1 (unsupported, recorded). */
static int
eval_call(struct evalctx *ec, const struct ux_node *n, const struct ux_call *c)
{
	struct plan *pl = ec->pl;
	const char *why;
	char *a0 = NULL, *a1 = NULL, *a2 = NULL;
	int r = -1, unsup;

	if (is_fn(c, "IsNative64Bit"))
		return pl->is64;
	if (is_fn(c, "IsSystemContext"))
		return ec->in->p == NULL;
	a0 = arg_x(ec, c, 0);
	a1 = arg_x(ec, c, 1);
	a2 = arg_x(ec, c, 2);
	if (is_fn(c, "DoesOSMatch") || is_fn(c, "IsOSLaterThan") ||
	    is_fn(c, "IsOSEarlierThan")) {
		if (a0 == NULL || a1 == NULL)
			unsupported(pl, n, ec->comp, c->fn, "two arguments "
			    "expected");
		else if (strcasecmp(a0, "NT") != 0)
			r = 0;		/* never a 9x system */
		else if (is_fn(c, "DoesOSMatch"))
			r = version_match(pl->osver, a1);
		else if (is_fn(c, "IsOSLaterThan"))
			r = version_cmp(pl->osver, a1) >= 0;
		else
			r = version_cmp(pl->osver, a1) < 0;
	} else if (is_fn(c, "DoesObjectExist")) {
		if (a0 == NULL || a1 == NULL)
			unsupported(pl, n, ec->comp, c->fn, "two arguments "
			    "expected");
		else if ((r = object_exists(pl, ec->in, a0, a1, &why)) < 0)
			unsupported(pl, n, ec->comp, c->fn, "%s", why);
	} else if (is_fn(c, "DoesFileVersionMatch") ||
	    is_fn(c, "IsFileVersionAbove") || is_fn(c, "IsFileVersionBelow")) {
		struct pe_version v;
		const char *have;

		if (a0 == NULL || a1 == NULL || a2 == NULL)
			unsupported(pl, n, ec->comp, c->fn, "three arguments "
			    "expected");
		else if (file_version(pl, a0, &v) != OFFMIG_OK)
			r = 0;
		else {
			have = pe_version_get(&v, a1);
			if (have == NULL)
				r = 0;
			else if (is_fn(c, "DoesFileVersionMatch"))
				r = version_match(have, a2);
			else if (is_fn(c, "IsFileVersionAbove"))
				r = version_cmp(have, a2) > 0;
			else
				r = version_cmp(have, a2) < 0;
			pe_version_release(&v);
		}
	} else if (is_fn(c, "IsSameObject")) {
		if (a0 == NULL || a1 == NULL || a2 == NULL)
			unsupported(pl, n, ec->comp, c->fn, "three arguments "
			    "expected");
		else if (strcasecmp(a0, "File") == 0) {
			char *h1 = NULL, *h2 = NULL;
			struct stat s1, s2;

			if (volume_resolve(pl->vol, a1, VPATH_ANY, &h1, &s1) ==
			    OFFMIG_OK && volume_resolve(pl->vol, a2, VPATH_ANY,
			    &h2, &s2) == OFFMIG_OK)
				r = s1.st_dev == s2.st_dev &&
				    s1.st_ino == s2.st_ino;
			else
				r = wstrcasecmp(a1, a2) == 0;
			free(h1);
			free(h2);
		} else
			r = wstrcasecmp(a1, a2) == 0;
	} else if (is_fn(c, "DoesStringContentEqual") ||
	    is_fn(c, "DoesStringContentContain")) {
		char *s = string_content(ec, n, c, 0, &unsup);

		if (unsup)
			r = -1;
		else if (s == NULL || a2 == NULL)
			r = 0;
		else if (is_fn(c, "DoesStringContentEqual"))
			r = strcmp(s, a2) == 0;
		else
			r = strstr(s, a2) != NULL;
		free(s);
	} else if (is_fn(c, "IsSameContent")) {
		char *a3 = arg_x(ec, c, 3);
		unsigned char *d1 = NULL, *d2 = NULL;
		size_t l1 = 0, l2 = 0;
		const char *why2 = NULL;
		int r1 = 0, r2 = 0;

		if (a0 == NULL || a1 == NULL || a2 == NULL || a3 == NULL)
			unsupported(pl, n, ec->comp, c->fn, "four arguments "
			    "expected (type, location, type, location)");
		else if ((r1 = object_bytes(pl, ec->in, a0, a1, &d1, &l1,
		    &why)) < 0)
			unsupported(pl, n, ec->comp, c->fn, "%s: %s", a1, why);
		else if ((r2 = object_bytes(pl, ec->in, a2, a3, &d2, &l2,
		    &why2)) < 0)
			unsupported(pl, n, ec->comp, c->fn, "%s: %s", a3, why2);
		else
			r = r1 == 1 && r2 == 1 && l1 == l2 &&
			    (l1 == 0 || memcmp(d1, d2, l1) == 0);
		free(d1);
		free(d2);
		free(a3);
	} else if (is_fn(c, "IsSameStringContent")) {
		char *s1 = string_content(ec, n, c, 0, &unsup), *s2 = NULL;

		if (!unsup)
			s2 = string_content(ec, n, c, 2, &unsup);
		r = unsup ? -1 : s1 != NULL && s2 != NULL && strcmp(s1, s2) == 0;
		free(s1);
		free(s2);
	} else
		unsupported(pl, n, ec->comp, c->fn, "%s is not a condition "
		    "offmig can evaluate offline", c->fn);
	free(a0);
	free(a1);
	free(a2);
	return r;
}

static int eval_conditions(struct evalctx *ec, const struct ux_node *n,
    int is_or);

/* One <condition>: 1/0; unsupported counts as false (and is recorded). */
static int
eval_condition(struct evalctx *ec, const struct ux_node *n)
{
	int r;

	if (n->call == NULL)
		return 0;	/* a syntax error, already a diagnostic */
	r = eval_call(ec, n, n->call);
	if (r < 0)
		return 0;
	return truthy(ux_attr(n, "negation")) ? !r : r;
}

/*
 * The children of n that are <condition>/<conditions>, combined with AND
 * (or OR); none gives 1.
 */
static int
eval_conditions(struct evalctx *ec, const struct ux_node *n, int is_or)
{
	const struct ux_node *c;
	int any = 0, r;

	for (c = n->first; c != NULL; c = c->next) {
		if (c->kind == UX_CONDITION)
			r = eval_condition(ec, c);
		else if (c->kind == UX_CONDITIONS) {
			const struct ux_node *d = ux_deref(c);
			const char *op = ux_attr(d, "operation");

			if (ec->depth >= UX_MAX_DEPTH) {
				unsupported(ec->pl, c, ec->comp, "conditions",
				    "nested more than %d deep, or a name= "
				    "reference to itself: not followed, false",
				    UX_MAX_DEPTH);
				r = 0;
			} else {
				ec->depth++;
				r = eval_conditions(ec, d, op != NULL &&
				    strcasecmp(op, "OR") == 0);
				ec->depth--;
			}
		} else
			continue;
		any = 1;
		if (is_or && r)
			return 1;
		if (!is_or && !r)
			return 0;
	}
	return !any || !is_or;
}

/* Patterns an objectSet holds exist (for <detect><objectSet>). */
static int objectset_exists(struct evalctx *ec, const struct ux_node *os);

/* <detect>: OR of its conditions and objectSets; empty holds. */
static int
eval_detect(struct evalctx *ec, const struct ux_node *d)
{
	const struct ux_node *c;
	int any = 0;

	d = ux_deref(d);
	if (ux_attr(d, "context") != NULL &&
	    !(ctx_mask(ux_attr(d, "context"), 3) & inst_type(ec->in)))
		return 1;
	for (c = d->first; c != NULL; c = c->next) {
		if (c->kind == UX_CONDITION) {
			any = 1;
			if (eval_condition(ec, c))
				return 1;
		} else if (c->kind == UX_CONDITIONS) {
			const char *op = ux_attr(ux_deref(c), "operation");

			any = 1;
			if (eval_conditions(ec, ux_deref(c), op != NULL &&
			    strcasecmp(op, "OR") == 0))
				return 1;
		} else if (c->kind == UX_OBJECTSET) {
			any = 1;
			if (objectset_exists(ec, c))
				return 1;
		}
	}
	return !any;
}

/* <detects>: AND of its <detect>s. */
static int
eval_detects(struct evalctx *ec, const struct ux_node *ds)
{
	const struct ux_node *d;

	ds = ux_deref(ds);
	for (d = ux_child(ds, UX_DETECT); d != NULL; d = ux_next(d, UX_DETECT))
		if (!eval_detect(ec, d))
			return 0;
	return 1;
}

/* <detection>: its conditions (AND). */
static int
eval_detection(struct evalctx *ec, const struct ux_node *dn)
{
	dn = ux_deref(dn);
	if (ux_attr(dn, "context") != NULL &&
	    !(ctx_mask(ux_attr(dn, "context"), 3) & inst_type(ec->in)))
		return 1;
	return eval_conditions(ec, dn, 0);
}

/* Detects of a role or rules element: detects AND, detections OR. */
static int
detected(struct evalctx *ec, const struct ux_node *n)
{
	const struct ux_node *c;
	int ndetection = 0, anydetection = 0;

	for (c = n->first; c != NULL; c = c->next) {
		if (c->kind == UX_DETECTS && !eval_detects(ec, c))
			return 0;
		if (c->kind == UX_DETECTION) {
			ndetection++;
			if (!anydetection && eval_detection(ec, c))
				anydetection = 1;
		}
		if (c->kind == UX_CONDITIONS) {
			const char *op = ux_attr(ux_deref(c), "operation");

			if (!eval_conditions(ec, ux_deref(c), op != NULL &&
			    strcasecmp(op, "OR") == 0))
				return 0;
		}
	}
	return ndetection == 0 || anydetection;
}

/* Pattern generation. */

/* Known document extensions for GenerateDocPatterns (document finder). */
static const char *const doc_exts[] = {
	"doc", "docx", "docm", "dot", "dotx", "dotm", "rtf", "odt", "ott",
	"txt", "wpd", "wps", "wri", "xls", "xlsx", "xlsm", "xlsb", "xlt",
	"xltx", "csv", "ods", "ppt", "pptx", "pptm", "pps", "ppsx", "pot",
	"potx", "odp", "pdf", "xps", "oxps", "one", "onepkg", "pub", "vsd",
	"vsdx", "mpp", "accdb", "mdb", "pst", "msg", "eml", "vcf", "htm",
	"html", "mht", "mhtml", "xml", "epub", "md", "tex",
};

typedef void pattern_fn(struct evalctx *ec, void *arg, const char *type,
    const char *text, const struct ux_node *n);

/*
 * The patterns a <script> yields (GenerateDrivePatterns, ...), each handed
 * to fn.  Returns 0, or -1 when the script is not supported (recorded).
 */
static int
script_patterns(struct evalctx *ec, const struct ux_node *n,
    pattern_fn *fn, void *arg, int is_include)
{
	const struct ux_call *c = n->call;
	struct plan *pl = ec->pl;
	size_t i;

	if (c == NULL)
		return -1;
	if (is_fn(c, "GenerateDrivePatterns")) {
		const char *seg = c->nargs > 0 ? c->args[0] : NULL;
		const char *dt = c->nargs > 1 && c->args[1] != NULL ?
		    c->args[1] : "Fixed";
		char *t;

		if (seg == NULL) {
			unsupported(pl, n, ec->comp, c->fn, "no pattern");
			return -1;
		}
		if (strcasecmp(dt, "Fixed") != 0) {
			note(pl, "GenerateDrivePatterns(..., \"%s\"): no %s "
			    "drives exist offline; nothing generated", dt, dt);
			return 0;
		}
		note(pl, "GenerateDrivePatterns: the only fixed drive is the "
		    "volume itself, %c:", pl->vol->sysdrive);
		t = str_printf("%c:%s%s", pl->vol->sysdrive, seg[0] == '\\' ?
		    "" : "\\", seg);
		if (t == NULL) {
			pl->nomem = 1;
			return -1;
		}
		fn(ec, arg, "File", t, n);
		free(t);
		return 0;
	}
	if (is_fn(c, "GenerateUserPatterns")) {
		const char *type = c->nargs > 0 ? c->args[0] : NULL;
		const char *pat = c->nargs > 1 ? c->args[1] : NULL;
		int cur = c->nargs > 2 && truthy(c->args[2]);

		if (type == NULL || pat == NULL) {
			unsupported(pl, n, ec->comp, c->fn, "two arguments "
			    "expected");
			return -1;
		}
		for (i = 1; i < pl->ninst; i++) {
			struct evalctx other = *ec;
			char bad[128], *t;

			if (&pl->insts[i] == ec->in && !cur)
				continue;
			if (!pl->insts[i].usable)
				continue;
			other.in = &pl->insts[i];
			other.cv = NULL;
			t = expand(pl, other.in, NULL, pat, bad, sizeof(bad));
			if (t != NULL && *bad == '\0')
				fn(ec, arg, type, t, n);
			free(t);
		}
		return 0;
	}
	if (is_fn(c, "GenerateDocPatterns")) {
		int scan_pf = c->nargs > 0 && truthy(c->args[0]);
		int inc = c->nargs > 1 ? truthy(c->args[1]) : 1;
		static const char *const excl_sys[] = {
			"%WINDIR%\\* [*]", "%PROFILESFOLDER%\\* [*]",
			"%PROGRAMDATA%\\* [*]", "%SYSTEMDRIVE%\\$Recycle.Bin\\* [*]",
			"%SYSTEMDRIVE%\\System Volume Information\\* [*]",
		};
		static const char *const excl_user[] = {
			"%CSIDL_LOCAL_APPDATA%\\* [*]", "%CSIDL_APPDATA%\\* [*]",
		};
		static const char *const excl_pf[] = {
			"%PROGRAMFILES%\\* [*]", "%PROGRAMFILES(X86)%\\* [*]",
		};
		char *t, bad[128];

		note(pl, "GenerateDocPatterns: the document finder takes the "
		    "known document extensions (%zu of them) under the "
		    "profiles' folders in the user context and on the rest of "
		    "drive %c: in the system context, leaving out Windows, "
		    "Program Files, ProgramData and application data",
		    sizeof(doc_exts) / sizeof(doc_exts[0]), pl->vol->sysdrive);
		if (inc) {
			for (i = 0; i < sizeof(doc_exts) / sizeof(doc_exts[0]);
			    i++) {
				t = ec->in->p != NULL ?
				    str_printf("%%USERPROFILE%%\\* [*.%s]",
				    doc_exts[i]) : str_printf("%c:\\* [*.%s]",
				    pl->vol->sysdrive, doc_exts[i]);
				char *x = t != NULL ? expand(pl, ec->in, ec->cv,
				    t, bad, sizeof(bad)) : NULL;

				if (x != NULL && *bad == '\0')
					fn(ec, arg, "File", x, n);
				free(x);
				free(t);
			}
			return 0;
		}
		for (i = 0; i < sizeof(excl_sys) / sizeof(excl_sys[0]) +
		    sizeof(excl_user) / sizeof(excl_user[0]) +
		    sizeof(excl_pf) / sizeof(excl_pf[0]); i++) {
			const char *p;
			size_t ns = sizeof(excl_sys) / sizeof(excl_sys[0]);
			size_t nu = sizeof(excl_user) / sizeof(excl_user[0]);

			if (i < ns)
				p = excl_sys[i];
			else if (i < ns + nu)
				p = excl_user[i - ns];
			else if (scan_pf)
				continue;
			else
				p = excl_pf[i - ns - nu];
			if (i < ns && i == 1 && ec->in->p != NULL)
				continue;	/* a user's own profile */
			t = expand(pl, ec->in, ec->cv, p, bad, sizeof(bad));
			if (t != NULL && *bad == '\0')
				fn(ec, arg, "File", t, n);
			free(t);
		}
		(void)is_include;
		return 0;
	}
	unsupported(pl, n, ec->comp, c->fn, "%s does not give patterns "
	    "offmig can evaluate offline", c->fn);
	return -1;
}

/* Tests whether some object of the objectSet exists. */
struct exist_arg {
	int	found;
	int	unsup;
};

static void
exist_one(struct evalctx *ec, void *arg, const char *type, const char *text,
    const struct ux_node *n)
{
	struct exist_arg *ea = arg;
	const char *why;
	int r;

	if (ea->found)
		return;
	r = object_exists(ec->pl, ec->in, type, text, &why);
	if (r < 0)
		unsupported(ec->pl, n, ec->comp, "objectSet", "%s", why);
	else
		ea->found = r;
}

static int
objectset_exists(struct evalctx *ec, const struct ux_node *os)
{
	struct exist_arg ea = { 0, 0 };
	const struct ux_node *c;

	if (!eval_conditions(ec, os, 0))
		return 0;
	for (c = os->first; c != NULL && !ea.found; c = c->next) {
		if (c->kind == UX_PATTERN && c->text != NULL) {
			char bad[128], *t = expand(ec->pl, ec->in, ec->cv,
			    c->text, bad, sizeof(bad));
			const char *type = ux_attr(c, "type");

			if (t != NULL && *bad == '\0')
				exist_one(ec, &ea, type != NULL ? type : "File",
				    t, c);
			free(t);
		} else if (c->kind == UX_SCRIPT)
			script_patterns(ec, c, exist_one, &ea, 0);
		else if (c->kind == UX_CONTENT)
			unsupported(ec->pl, c, ec->comp, "content", "<content> "
			    "in a detect's objectSet is not evaluated");
	}
	return ea.found;
}

/* Rules. */

static struct rtag *
new_tag(struct plan *pl, const struct ux_node *n, unsigned group,
    const char *text)
{
	struct rtag *t, **nt;

	if ((nt = realloc(pl->tags, (pl->ntags + 1) * sizeof(*nt))) == NULL ||
	    (t = calloc(1, sizeof(*t))) == NULL) {
		if (nt != NULL)
			pl->tags = nt;
		pl->nomem = 1;
		return NULL;
	}
	pl->tags = nt;
	t->node = n;
	t->group = group;
	if ((t->pattern = strdup(text)) == NULL)
		pl->nomem = 1;
	nt[pl->ntags++] = t;
	return t;
}

/* Filters. */

static int
filt_fn(void *arg, const struct walk_entry *e)
{
	struct filt *f = arg;
	int64_t v;
	int r;

	switch (f->kind) {
	case FILT_NO:
		return 0;
	case FILT_COMPARE:
		if (e != NULL && e->st == NULL && f->pl->cur_ini != NULL) {
			r = strcmp(f->pl->cur_ini, f->str) == 0;
			return f->equal ? r : !r;
		}
		if (e == NULL || e->st != NULL || f->pl->cur_val == NULL)
			return 0;
		{
			const struct hive_rawval *rv = f->pl->cur_val;
			struct hive_val hv = { 1, rv->type, rv->data, rv->len };
			char *s = NULL;

			if (hive_val_string(&hv, &s) != OFFMIG_OK)
				return !f->equal;
			r = strcmp(s, f->str) == 0;
			free(s);
			return f->equal ? r : !r;
		}
	case FILT_PROPS:
		if (e == NULL || e->st == NULL)
			return 0;
		v = f->prop == 0 ? (int64_t)e->st->st_size : f->prop == 1 ?
		    (int64_t)e->st->st_mtime : (int64_t)e->st->st_atime;
		switch (f->op) {
		case 0:
			return v >= f->lo && v <= f->hi;
		case 1:
			return v != f->lo;
		case 2:
			return v <= f->lo;
		case 3:
			return v < f->lo;
		case 4:
			return f->prop == 0 ? v == f->lo : v >= f->lo &&
			    v < f->lo + 86400;
		case 5:
			return v >= f->lo;
		default:
			return v > f->lo;
		}
	}
	return 0;
}

/* "5GB", "1KB"; -1 when invalid. */
static int64_t
parse_size(const char *s)
{
	char *end;
	double d = strtod(s, &end);
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	size_t i;

	if (end == s || d < 0)
		return -1;
	while (*end == ' ')
		end++;
	if (*end == '\0')
		return (int64_t)d;
	for (i = 0; i < 5; i++)
		if (strcasecmp(end, units[i]) == 0) {
			while (i-- > 0)
				d *= 1024;
			return d > 9e18 ? -1 : (int64_t)d;
		}
	return -1;
}

/* "2008/05/15" (optionally " hh:mm:ss"), UTC; NO_TIME when invalid. */
static int64_t
parse_date(const char *s)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, se = 0, n;

	memset(&tm, 0, sizeof(tm));
	n = sscanf(s, "%d/%d/%d %d:%d:%d", &y, &mo, &d, &h, &mi, &se);
	if (n < 3 || y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return NO_TIME;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return (int64_t)timegm(&tm);
}

/*
 * The scan-time filter of an include/exclude: *fp NULL when there is none
 * (or it does nothing at scan time).  Returns -1 when unsupported.
 */
static int
make_filter(struct evalctx *ec, const struct ux_node *rule,
    struct filt **fp)
{
	const struct ux_call *c = rule->call;
	struct plan *pl = ec->pl;
	struct filt *f, **nf;
	static const char *const ops[] = { "range", "neq", "lte", "lt", "eq",
	    "gte", "gt" };
	size_t i;

	*fp = NULL;
	if (c == NULL) {
		if (ux_attr(rule, "filter") != NULL)
			return -1;	/* did not parse: a diagnostic */
		return 0;
	}
	if (is_fn(c, "IgnoreIrrelevantLinks")) {
		note(pl, "IgnoreIrrelevantLinks: every .lnk file is collected "
		    "at scan time; LoadState drops those pointing nowhere");
		return 0;
	}
	if (is_fn(c, "NeverRestore")) {
		note(pl, "NeverRestore: collected at scan time, never applied "
		    "by LoadState");
		return 0;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		pl->nomem = 1;
		return -1;
	}
	f->pl = pl;
	if (is_fn(c, "AnswerNo"))
		f->kind = FILT_NO;
	else if (is_fn(c, "CompareStringContent")) {
		f->kind = FILT_COMPARE;
		f->equal = c->nargs < 2 || c->args[1] == NULL ||
		    strcasecmp(c->args[1], "Equal") == 0;
		if (c->nargs < 1 || c->args[0] == NULL ||
		    (f->str = strdup(c->args[0])) == NULL) {
			unsupported(pl, rule, ec->comp, c->fn, "a string is "
			    "expected");
			free(f);
			return -1;
		}
	} else if (is_fn(c, "FileProperties")) {
		const char *prop = c->nargs > 0 ? c->args[0] : NULL;
		const char *op = c->nargs > 1 ? c->args[1] : NULL;
		const char *val = c->nargs > 2 ? c->args[2] : NULL;
		const char *dash;
		char lo[64];

		f->kind = FILT_PROPS;
		f->op = -1;
		for (i = 0; op != NULL && i < sizeof(ops) / sizeof(ops[0]); i++)
			if (strcasecmp(op, ops[i]) == 0)
				f->op = (int)i;
		if (prop == NULL || val == NULL || f->op < 0) {
			unsupported(pl, rule, ec->comp, c->fn, "property, "
			    "operator (range neq lte lt eq gte gt) and value "
			    "expected");
			free(f);
			return -1;
		}
		if (strcasecmp(prop, "filesize") == 0)
			f->prop = 0;
		else if (strcasecmp(prop, "dateModified") == 0)
			f->prop = 1;
		else if (strcasecmp(prop, "dateAccessed") == 0)
			f->prop = 2;
		else {
			unsupported(pl, rule, ec->comp, c->fn, "%s: the creation "
			    "date is not readable through this mount, and other "
			    "properties are unknown", prop);
			free(f);
			return -1;
		}
		dash = f->op == 0 ? strchr(val, '-') : NULL;
		snprintf(lo, sizeof(lo), "%.*s", dash != NULL ?
		    (int)(dash - val) : (int)strlen(val), val);
		f->lo = f->prop == 0 ? parse_size(lo) : parse_date(lo);
		f->hi = dash == NULL ? f->lo : f->prop == 0 ?
		    parse_size(dash + 1) : parse_date(dash + 1);
		if (f->prop != 0 && f->hi != NO_TIME && dash != NULL)
			f->hi += 86399;
		if (f->lo == -1 || f->hi == -1 || f->lo == NO_TIME ||
		    f->hi == NO_TIME || (f->op == 0 && dash == NULL)) {
			unsupported(pl, rule, ec->comp, c->fn, "value '%s' is "
			    "not a %s", val, f->prop == 0 ? "size (5GB, "
			    "1KB-1MB)" : "date (2008/05/15, "
			    "2008/05/15-2008/05/17)");
			free(f);
			return -1;
		}
	} else {
		unsupported(pl, rule, ec->comp, c->fn, "%s is not a filter "
		    "offmig can apply at scan time", c->fn);
		free(f);
		return -1;
	}
	if ((nf = realloc(pl->filts, (pl->nfilts + 1) * sizeof(*nf))) == NULL) {
		free(f->str);
		free(f);
		pl->nomem = 1;
		return -1;
	}
	pl->filts = nf;
	nf[pl->nfilts++] = f;
	*fp = f;
	return 0;
}

struct add_arg {
	enum rule_kind	 kind;
	unsigned	 group;
	struct filt	*filt;
};

/* An Ini include/exclude: "C:\x\a.ini|Sect*[key*]". */
static void
add_ini_pattern(struct evalctx *ec, struct add_arg *aa, const char *text,
    const struct ux_node *n)
{
	struct plan *pl = ec->pl;
	struct upat *p = NULL;
	struct rtag *tag;
	enum winpath_kind k;
	char *file, **nf;
	size_t i;

	if (pl->flags & OFFMIG_PLAN_NO_FILES)
		return;
	if (upat_parse(pl->ctx, UPAT_INI, text, &p) != OFFMIG_OK) {
		unsupported(pl, n, ec->comp, "Ini pattern", "%s",
		    offmig_errmsg(pl->ctx));
		return;
	}
	if (!upat_has_leaf(p)) {
		unsupported(pl, n, ec->comp, "Ini pattern", "%s: no [key] "
		    "(write 'path|Section[key]', '*' for every key)", text);
		upat_free(p);
		return;
	}
	file = strndup(upat_node(p), strcspn(upat_node(p), "|"));
	if (file == NULL) {
		pl->nomem = 1;
		upat_free(p);
		return;
	}
	if (has_wild(file)) {
		unsupported(pl, n, ec->comp, "Ini pattern", "%s: a wildcard in "
		    "the file name of an Ini pattern is not evaluated (only "
		    "section and key may have '*')", text);
		goto out;
	}
	k = winpath_classify(file, pl->vol->sysdrive, NULL);
	if (k != WINPATH_SYSTEM_DRIVE && k != WINPATH_RELATIVE) {
		note(pl, "%s: %s is not on this volume; its keys are not "
		    "listed", ec->in->who, text);
		goto out;
	}
	if ((tag = new_tag(pl, n, aa->group, upat_text(p))) == NULL)
		goto out;
	if (ruleset_add(pl->ini, aa->kind, aa->group, p, aa->filt != NULL ?
	    filt_fn : NULL, aa->filt, tag) != OFFMIG_OK)
		pl->nomem = 1;
	p = NULL;
	if (aa->kind != RULE_INCLUDE)
		goto out;
	for (i = 0; i < pl->ninifiles; i++)
		if (wstrcasecmp(pl->inifiles[i], file) == 0)
			goto out;
	if ((nf = realloc(pl->inifiles, (pl->ninifiles + 1) *
	    sizeof(*nf))) == NULL) {
		pl->nomem = 1;
		goto out;
	}
	pl->inifiles = nf;
	nf[pl->ninifiles++] = file;
	file = NULL;
out:
	upat_free(p);
	free(file);
}

static void
add_pattern(struct evalctx *ec, void *arg, const char *type,
    const char *text, const struct ux_node *n)
{
	struct add_arg *aa = arg;
	struct plan *pl = ec->pl;
	struct upat *p = NULL, *p2 = NULL;
	struct rtag *tag;
	size_t i;
	int isreg;

	if (strcasecmp(type, "Ini") == 0) {
		add_ini_pattern(ec, aa, text, n);
		return;
	}
	isreg = strcasecmp(type, "Registry") == 0;
	if (isreg && (pl->flags & OFFMIG_PLAN_NO_REGISTRY))
		return;
	if (!isreg && (pl->flags & OFFMIG_PLAN_NO_FILES))
		return;
	if (upat_parse(pl->ctx, isreg ? UPAT_REGISTRY : UPAT_FILE, text, &p) !=
	    OFFMIG_OK) {
		unsupported(pl, n, ec->comp, "pattern", "%s", offmig_errmsg(
		    pl->ctx));
		return;
	}
	if (!isreg) {
		char *root = upat_root(p);
		enum winpath_kind k = root != NULL ? winpath_classify(root,
		    pl->vol->sysdrive, NULL) : WINPATH_INVALID;

		if (root == NULL)
			pl->nomem = 1;
		else if (k != WINPATH_SYSTEM_DRIVE && k != WINPATH_RELATIVE) {
			note(pl, "%s: %s is not on this volume; its objects "
			    "are not listed", ec->in->who, text);
			free(root);
			upat_free(p);
			return;
		}
		free(root);
	}
	if ((tag = new_tag(pl, n, aa->group, upat_text(p))) == NULL) {
		upat_free(p);
		return;
	}
	if (!isreg) {
		if (ruleset_add(pl->files, aa->kind, aa->group, p,
		    aa->filt != NULL ? filt_fn : NULL, aa->filt, tag) !=
		    OFFMIG_OK)
			pl->nomem = 1;
		if (aa->kind == RULE_INCLUDE)
			pl->nfileinc++;
		return;
	}
	if (strncasecmp(upat_text(p), "HKCU", 4) == 0 && ec->in->p == NULL) {
		note(pl, "%s:%ld: HKCU pattern in the system context: no user "
		    "hive, nothing taken", n->file->path, n->line);
		upat_free(p);
		return;
	}
	if (aa->kind == RULE_INCLUDE) {
		struct upat **ni;

		if (upat_parse(pl->ctx, UPAT_REGISTRY, text, &p2) != OFFMIG_OK ||
		    (ni = realloc(ec->in->reginc, (ec->in->nreginc + 1) *
		    sizeof(*ni))) == NULL) {
			upat_free(p2);
			upat_free(p);
			pl->nomem = 1;
			return;
		}
		ec->in->reginc = ni;
		ni[ec->in->nreginc++] = p2;
	}
	if (aa->kind == RULE_UNCONDITIONAL_EXCLUDE) {
		/* It applies to every user's registry too. */
		for (i = 0; i < pl->ninst; i++) {
			struct upat *q = NULL;

			if (&pl->insts[i] == ec->in)
				continue;
			if (upat_parse(pl->ctx, UPAT_REGISTRY, text, &q) !=
			    OFFMIG_OK || ruleset_add(pl->insts[i].reg,
			    aa->kind, aa->group, q, NULL, NULL, tag) !=
			    OFFMIG_OK)
				pl->nomem = 1;
		}
	}
	if (ruleset_add(ec->in->reg, aa->kind, aa->group, p, aa->filt != NULL ?
	    filt_fn : NULL, aa->filt, tag) != OFFMIG_OK)
		pl->nomem = 1;
}

/*
 * <content filter="MigXmlHelper.ExtractSingleFile(Separators, PathHints)">
 * and its siblings ExtractMultipleFiles and ExtractDirectory(Separators,
 * LevelsToTrim, PatternSuffix): the string of every registry value or INI
 * key the inner objectSets select is read as file or folder paths, and
 * those that exist on the volume become File patterns of the outer rule.
 */
#define MAX_CONTENT_VALUES	100000	/* strings read per <content> */
#define MAX_CONTENT_NOTES	50	/* per-item notes per <content> */

enum content_fn { CONTENT_SINGLE, CONTENT_MULTIPLE, CONTENT_DIRECTORY };

struct content {
	struct evalctx	*ec;
	struct add_arg	*aa;
	const struct ux_node *cn;	/* the <content> */
	enum content_fn	 fn;
	char		*seps;		/* NULL: none */
	char		*hints;		/* ';'-separated folders, or NULL */
	long		 trim;
	char		*suffix;
	const struct upat *p;		/* the inner registry pattern */
	size_t		 nvalues, nnotes, nadded;
};

static void content_note(struct content *cc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A per-item note, at most MAX_CONTENT_NOTES for one <content>. */
static void
content_note(struct content *cc, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	if (cc->nnotes++ > MAX_CONTENT_NOTES)
		return;
	if (cc->nnotes > MAX_CONTENT_NOTES) {
		note(cc->ec->pl, "%s:%ld: more paths than %d could not be "
		    "used; the rest are not listed", cc->cn->file->path,
		    cc->cn->line, MAX_CONTENT_NOTES);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	note(cc->ec->pl, "%s:%ld: %s: %s", cc->cn->file->path, cc->cn->line,
	    cc->ec->in->who, buf);
}

/* s with '[', ']' and '^' escaped for a pattern (caller frees). */
static char *
pat_escape(const char *s)
{
	char *o = malloc(2 * strlen(s) + 1), *d = o;

	if (o == NULL)
		return NULL;
	for (; *s != '\0'; s++) {
		if (*s == '[' || *s == ']' || *s == '^')
			*d++ = '^';
		*d++ = *s;
	}
	*d = '\0';
	return o;
}

/*
 * A Windows path on the volume as a file (want_dir 0) or folder: 1 when it
 * exists as that (no link), 0 when not, -1 when it is not on the volume.
 */
static int
on_volume(struct plan *pl, const char *path, int want_dir)
{
	enum winpath_kind k = winpath_classify(path, pl->vol->sysdrive, NULL);
	struct stat st;
	char *host = NULL;
	int ret;

	if (k != WINPATH_SYSTEM_DRIVE && k != WINPATH_RELATIVE)
		return -1;
	ret = volume_resolve(pl->vol, path, VPATH_ANY, &host, &st) ==
	    OFFMIG_OK && (want_dir ? S_ISDIR(st.st_mode) :
	    S_ISREG(st.st_mode));
	free(host);
	return ret;
}

/* Adds the File pattern "dir [leaf]" / "dir\suffix" for cc's rule. */
static void
content_add(struct content *cc, const char *dir, const char *leaf)
{
	char *d = pat_escape(dir), *l = leaf != NULL ? pat_escape(leaf) : NULL,
	    *t = NULL;

	if (d != NULL && (leaf == NULL || l != NULL))
		t = leaf != NULL ? str_printf("%s [%s]", d, l) :
		    str_printf("%s\\%s", d, cc->suffix);
	if (t == NULL)
		cc->ec->pl->nomem = 1;
	else {
		add_pattern(cc->ec, cc->aa, "File", t, cc->cn);
		cc->nadded++;
	}
	free(d);
	free(l);
	free(t);
}

/* One path from the content: "C:\x\a.exe", "a.exe" (PathHints). */
static void
content_path(struct content *cc, const char *raw)
{
	struct evalctx *ec = cc->ec;
	struct plan *pl = ec->pl;
	char bad[128], *s, *x = NULL, *bs;
	size_t n;
	int r;

	/* Trimmed, one pair of quotes dropped ("C:\x y\a.exe" -1). */
	while (*raw == ' ' || *raw == '\t')
		raw++;
	if (*raw == '"') {
		raw++;
		n = strcspn(raw, "\"");
	} else {
		n = strlen(raw);
		while (n > 0 && (raw[n - 1] == ' ' || raw[n - 1] == '\t'))
			n--;
	}
	if (n == 0)
		return;
	if ((s = strndup(raw, n)) == NULL) {
		pl->nomem = 1;
		return;
	}
	if ((x = expand(pl, ec->in, ec->cv, s, bad, sizeof(bad))) == NULL)
		goto out;
	if (*bad != '\0') {
		content_note(cc, "'%s': %s is not defined: not used", s, bad);
		goto out;
	}
	for (n = strlen(x); n > 3 && x[n - 1] == '\\'; )
		x[--n] = '\0';
	if (cc->fn == CONTENT_DIRECTORY) {
		long t;

		for (t = 0; t < cc->trim; t++) {
			if ((bs = strrchr(x, '\\')) == NULL || bs == x) {
				content_note(cc, "'%s' has fewer than %ld "
				    "folders to trim", x, cc->trim);
				goto out;
			}
			*bs = '\0';
		}
		if ((r = on_volume(pl, x, 1)) < 0)
			content_note(cc, "%s is not on this volume", x);
		else if (r == 0)
			content_note(cc, "folder %s does not exist", x);
		else
			content_add(cc, x, NULL);
		goto out;
	}
	if (strchr(x, '\\') == NULL && strchr(x, ':') == NULL) {
		/* A bare name: looked for in the PathHints folders. */
		const char *h = cc->hints;

		while (h != NULL && *h != '\0') {
			size_t hl = strcspn(h, ";");
			char *dir = strndup(h, hl), *full;

			if (dir == NULL) {
				pl->nomem = 1;
				goto out;
			}
			while (hl > 0 && dir[hl - 1] == '\\')
				dir[--hl] = '\0';
			full = hl > 0 ? str_printf("%s\\%s", dir, x) : NULL;
			r = full != NULL ? on_volume(pl, full, 0) : 0;
			free(full);
			if (r == 1) {
				content_add(cc, dir, x);
				free(dir);
				goto out;
			}
			free(dir);
			h += hl;
			h += *h == ';';
		}
		content_note(cc, "'%s' is not found in %s", x, cc->hints !=
		    NULL ? cc->hints : "any PathHints folder (none given)");
		goto out;
	}
	if ((r = on_volume(pl, x, 0)) < 0)
		content_note(cc, "%s is not on this volume", x);
	else if (r == 0)
		content_note(cc, "file %s does not exist", x);
	else if ((bs = strrchr(x, '\\')) == NULL || bs[1] == '\0')
		content_note(cc, "'%s' is not a file path", x);
	else {
		*bs = '\0';
		content_add(cc, *x != '\0' ? x : "\\", bs + 1);
	}
out:
	free(s);
	free(x);
}

/* The string segments of one object (one, or a MULTI_SZ's). */
static void
content_strings(struct content *cc, char **segs, size_t nsegs)
{
	size_t i, last = cc->fn == CONTENT_MULTIPLE ? nsegs : nsegs > 0 ? 1 : 0;

	if (cc->nvalues++ == MAX_CONTENT_VALUES)
		note(cc->ec->pl, "%s:%ld: more than %d objects: the rest of "
		    "their content is not read", cc->cn->file->path,
		    cc->cn->line, MAX_CONTENT_VALUES);
	if (cc->nvalues > MAX_CONTENT_VALUES)
		return;
	for (i = 0; i < last && !cc->ec->pl->nomem; i++) {
		char *s = segs[i], *e;

		if (cc->seps == NULL || *cc->seps == '\0') {
			content_path(cc, s);
			continue;
		}
		/* Single/Directory: what precedes the first separator;
		   Multiple: every piece. */
		for (;;) {
			size_t n = strcspn(s, cc->seps);

			e = s[n] != '\0' ? s + n : NULL;
			if (e != NULL)
				*e = '\0';
			content_path(cc, s);
			if (e == NULL || cc->fn != CONTENT_MULTIPLE)
				break;
			s = e + 1;
		}
	}
}

/* A registry value's strings: REG_SZ, REG_EXPAND_SZ, each of a MULTI_SZ. */
static void
content_regval(struct content *cc, const struct hive_rawval *v)
{
	const unsigned char *d = v->data;
	char **segs = NULL, **ns;
	size_t nsegs = 0, off = 0, i;

	if (v->type != 1 && v->type != 2 && v->type != 7)
		return;		/* REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ */
	while (off + 1 < v->len) {
		size_t end = off;
		char *s;

		while (end + 1 < v->len && (d[end] != 0 || d[end + 1] != 0))
			end += 2;
		if (end == off)
			break;		/* the empty string ends a MULTI_SZ */
		if ((s = utf16le_to_utf8(d + off, end - off, NULL)) == NULL ||
		    (ns = realloc(segs, (nsegs + 1) * sizeof(*ns))) == NULL) {
			free(s);
			cc->ec->pl->nomem = 1;
			break;
		}
		segs = ns;
		segs[nsegs++] = s;
		if (v->type != 7 || cc->fn != CONTENT_MULTIPLE)
			break;
		off = end + 2;
	}
	content_strings(cc, segs, nsegs);
	for (i = 0; i < nsegs; i++)
		free(segs[i]);
	free(segs);
}

static int
content_regkey(struct plan *pl, void *arg, const char *path, struct hive *h,
    hnode key)
{
	struct content *cc = arg;
	struct hive_rawval *vals = NULL;
	size_t n = 0, nbad = 0, i;

	if (!upat_has_leaf(cc->p))
		return 0;
	if (hive_key_values(pl->ctx, h, key, &vals, &n, &nbad) != OFFMIG_OK)
		return 0;
	for (i = 0; i < n && !pl->nomem; i++)
		if (upat_match(cc->p, path, vals[i].name))
			content_regval(cc, &vals[i]);
	hive_rawvals_free(vals, n);
	return pl->nomem ? -1 : 0;
}

static int
content_prune(void *arg, const char *path)
{
	const struct content *cc = arg;

	return upat_may_match_below(cc->p, path);
}

/* The INI keys an Ini pattern selects, their values as content. */
static void
content_ini(struct content *cc, const char *text, const struct ux_node *n)
{
	struct plan *pl = cc->ec->pl;
	struct ini_file f;
	struct upat *p = NULL;
	char *file = NULL, *dir = NULL;
	size_t i;
	int r;

	if (upat_parse(pl->ctx, UPAT_INI, text, &p) != OFFMIG_OK) {
		unsupported(pl, n, cc->ec->comp, "Ini pattern", "%s",
		    offmig_errmsg(pl->ctx));
		return;
	}
	if ((file = strndup(upat_node(p), strcspn(upat_node(p), "|"))) ==
	    NULL) {
		pl->nomem = 1;
		goto out;
	}
	if (has_wild(file) || !upat_has_leaf(p)) {
		unsupported(pl, n, cc->ec->comp, "Ini pattern", "%s: a "
		    "wildcard in the file name, or no [key]", text);
		goto out;
	}
	if ((r = ini_read(pl->ctx, pl->vol, file, &f, NULL)) != OFFMIG_OK) {
		if (r == OFFMIG_ENOMEM)
			pl->nomem = 1;
		else if (r != OFFMIG_ENOTFOUND)
			content_note(cc, "%s", offmig_errmsg(pl->ctx));
		goto out;
	}
	for (i = 0; i < f.nkeys && !pl->nomem; i++) {
		char *seg = f.keys[i].value;

		free(dir);
		if ((dir = str_printf("%s|%s", file, f.keys[i].section)) ==
		    NULL) {
			pl->nomem = 1;
			break;
		}
		if (upat_match(p, dir, f.keys[i].key))
			content_strings(cc, &seg, 1);
	}
	ini_release(&f);
out:
	free(dir);
	free(file);
	upat_free(p);
}

static void
add_content(struct evalctx *ec, const struct ux_node *cn, struct add_arg *aa)
{
	struct plan *pl = ec->pl;
	const struct ux_call *c = cn->call;
	const struct ux_node *os, *pn;
	struct content cc;
	char *lv = NULL;

	if (c == NULL) {
		if (ux_attr(cn, "filter") == NULL)
			unsupported(pl, cn, ec->comp, "content", "no filter");
		return;		/* else it did not parse: a diagnostic */
	}
	memset(&cc, 0, sizeof(cc));
	cc.ec = ec;
	cc.aa = aa;
	cc.cn = cn;
	if (is_fn(c, "ExtractSingleFile"))
		cc.fn = CONTENT_SINGLE;
	else if (is_fn(c, "ExtractMultipleFiles"))
		cc.fn = CONTENT_MULTIPLE;
	else if (is_fn(c, "ExtractDirectory"))
		cc.fn = CONTENT_DIRECTORY;
	else {
		unsupported(pl, cn, ec->comp, c->fn, "%s is not a <content> "
		    "function (ExtractSingleFile, ExtractMultipleFiles, "
		    "ExtractDirectory)", c->fn);
		return;
	}
	cc.seps = arg_x(ec, c, 0);
	if (cc.fn == CONTENT_DIRECTORY) {
		char *end;

		lv = arg_x(ec, c, 1);
		cc.trim = lv != NULL ? strtol(lv, &end, 10) : -1;
		if (lv == NULL || end == lv || *end != '\0' || cc.trim < 0 ||
		    cc.trim > 256) {
			unsupported(pl, cn, ec->comp, c->fn, "LevelsToTrim "
			    "'%s' is not a number from 0 to 256", lv != NULL ?
			    lv : "NULL");
			goto out;
		}
		cc.suffix = arg_x(ec, c, 2);
		if (cc.suffix == NULL && (cc.suffix = strdup("* [*]")) ==
		    NULL) {
			pl->nomem = 1;
			goto out;
		}
	} else
		cc.hints = arg_x(ec, c, 1);
	for (os = cn->first; os != NULL; os = os->next) {
		if (os->kind != UX_OBJECTSET || !eval_conditions(ec, os, 0))
			continue;
		for (pn = os->first; pn != NULL && !pl->nomem; pn = pn->next) {
			const char *type = ux_attr(pn, "type");
			char bad[128], *t;

			if (pn->kind == UX_SCRIPT) {
				unsupported(pl, pn, ec->comp, "content",
				    "a <script> inside <content> is not "
				    "evaluated");
				continue;
			}
			if (pn->kind != UX_PATTERN || pn->text == NULL)
				continue;
			if (type == NULL || strcasecmp(type, "File") == 0) {
				note(pl, "%s:%ld: <content> reads registry and "
				    "INI strings; a file has none (as in USMT)",
				    pn->file->path, pn->line);
				continue;
			}
			if ((t = expand(pl, ec->in, ec->cv, pn->text, bad,
			    sizeof(bad))) == NULL)
				continue;
			if (*bad != '\0')
				note(pl, "%s:%ld: %s is not defined for %s: "
				    "pattern '%s' skipped there", pn->file->path,
				    pn->line, bad, ec->in->who, pn->text);
			else if (strcasecmp(type, "Ini") == 0)
				content_ini(&cc, t, pn);
			else {
				struct upat *p = NULL;
				const char *why = NULL;
				char *root;

				if (upat_parse(pl->ctx, UPAT_REGISTRY, t, &p) !=
				    OFFMIG_OK) {
					unsupported(pl, pn, ec->comp, "pattern",
					    "%s", offmig_errmsg(pl->ctx));
					free(t);
					continue;
				}
				if ((root = upat_root(p)) == NULL)
					pl->nomem = 1;
				else {
					cc.p = p;
					reg_walk(pl, ec->in, root, content_regkey,
					    content_prune, &cc, &why);
					cc.p = NULL;
				}
				free(root);
				upat_free(p);
			}
			free(t);
		}
	}
out:
	free(lv);
	free(cc.seps);
	free(cc.hints);
	free(cc.suffix);
}

static void
add_objectset(struct evalctx *ec, const struct ux_node *os,
    struct add_arg *aa)
{
	const struct ux_node *c;

	if (!eval_conditions(ec, os, 0))
		return;
	for (c = os->first; c != NULL; c = c->next) {
		if (c->kind == UX_PATTERN && c->text != NULL) {
			const char *type = ux_attr(c, "type");
			char bad[128], *t = expand(ec->pl, ec->in, ec->cv,
			    c->text, bad, sizeof(bad));

			if (t != NULL && *bad != '\0')
				note(ec->pl, "%s:%ld: %s is not defined for %s: "
				    "pattern '%s' skipped there", c->file->path,
				    c->line, bad, ec->in->p != NULL ? "a user "
				    "without it" : "the system context",
				    c->text);
			else if (t != NULL)
				add_pattern(ec, aa, type != NULL ? type : "File",
				    t, c);
			free(t);
		} else if (c->kind == UX_SCRIPT)
			script_patterns(ec, c, add_pattern, aa,
			    aa->kind == RULE_INCLUDE);
		else if (c->kind == UX_CONTENT)
			add_content(ec, c, aa);
	}
}

static void
eval_rules(struct evalctx *ec, const struct ux_node *rules, unsigned mask,
    unsigned group)
{
	const struct ux_node *r = ux_deref(rules), *c;
	struct plan *pl = ec->pl;

	mask &= ctx_mask(ux_attr(rules, "context"), 3);
	mask &= ctx_mask(ux_attr(r, "context"), 3);
	if (!(mask & inst_type(ec->in)))
		return;
	if (!detected(ec, r))
		return;
	if (ec->depth >= UX_MAX_DEPTH) {
		unsupported(pl, rules, ec->comp, "rules", "nested more than %d "
		    "deep, or a name= reference to itself: not followed",
		    UX_MAX_DEPTH);
		return;
	}
	ec->depth++;
	for (c = r->first; c != NULL; c = c->next) {
		struct add_arg aa = { RULE_INCLUDE, group, NULL };
		const struct ux_node *os;

		switch (c->kind) {
		case UX_INCLUDE:
		case UX_EXCLUDE:
		case UX_UNCOND_EXCLUDE:
			aa.kind = c->kind == UX_INCLUDE ? RULE_INCLUDE :
			    c->kind == UX_EXCLUDE ? RULE_EXCLUDE :
			    RULE_UNCONDITIONAL_EXCLUDE;
			if (make_filter(ec, c, &aa.filt) < 0)
				break;
			for (os = ux_child(c, UX_OBJECTSET); os != NULL;
			    os = ux_next(os, UX_OBJECTSET))
				add_objectset(ec, os, &aa);
			break;
		case UX_RULES:
			eval_rules(ec, c, mask, group);
			break;
		case UX_MERGE:
		case UX_LOCATION_MODIFY:
		case UX_CONTENT_MODIFY:
		case UX_DEST_CLEANUP:
			not_applied(pl, c, ec->comp, "LoadState only");
			break;
		case UX_ADD_OBJECTS:
			not_applied(pl, c, ec->comp, "objects added to the "
			    "store, not found on the volume");
			break;
		case UX_INCLUDE_ATTRS:
		case UX_EXCLUDE_ATTRS:
			not_applied(pl, c, ec->comp, "attributes travel with "
			    "the objects; nothing changes what is selected");
			break;
		case UX_EXTERNAL_PROCESS:
		case UX_PROCESSING:
			not_applied(pl, c, ec->comp, "programs and scripts are "
			    "never run offline");
			break;
		default:
			break;
		}
	}
	ec->depth--;
}

/* <environment>: the component's own variables. */
static void
apply_env(struct evalctx *ec, struct vars *cv, const struct ux_node *env)
{
	const struct ux_node *e = ux_deref(env), *v, *c;
	struct plan *pl = ec->pl;

	if (!(ctx_mask(ux_attr(e, "context"), 3) & inst_type(ec->in)) ||
	    !(ctx_mask(ux_attr(env, "context"), 3) & inst_type(ec->in)))
		return;
	if (!eval_conditions(ec, e, 0))
		return;
	for (v = ux_child(e, UX_VARIABLE); v != NULL;
	    v = ux_next(v, UX_VARIABLE)) {
		const char *name = ux_attr(v, "name");
		char *val = NULL;

		if (name == NULL) {
			unsupported(pl, v, ec->comp, "variable", "no name");
			continue;
		}
		if (truthy(ux_attr(v, "remap")))
			note(pl, "%s:%ld: remap of %%%s%% is applied by "
			    "LoadState; the plan lists source locations",
			    v->file->path, v->line, name);
		for (c = v->first; c != NULL && val == NULL; c = c->next) {
			struct evalctx vec = *ec;

			vec.cv = cv;
			if (c->kind == UX_TEXT && c->text != NULL)
				val = expand(pl, ec->in, cv, c->text, NULL, 0);
			else if (c->kind == UX_SCRIPT && c->call != NULL) {
				int unsup;

				if (is_fn(c->call, "GetStringContent"))
					val = string_content(&vec, c, c->call, 0,
					    &unsup);
				else
					unsupported(pl, c, ec->comp,
					    c->call->fn, "not a string "
					    "function offmig evaluates");
			} else if (c->kind == UX_OBJECTSET) {
				const struct ux_node *pn;

				for (pn = ux_child(c, UX_PATTERN); pn != NULL &&
				    val == NULL; pn = ux_next(pn, UX_PATTERN)) {
					const char *type = ux_attr(pn, "type");
					char *t = pn->text != NULL ? expand(pl,
					    ec->in, cv, pn->text, NULL, 0) : NULL;
					const char *why;

					if (t != NULL && object_exists(pl, ec->in,
					    type != NULL ? type : "File", t,
					    &why) == 1) {
						char *node = NULL, *leaf = NULL;

						if (split_location(t, &node,
						    &leaf) == 0)
							val = node, node = NULL;
						free(node);
						free(leaf);
					}
					free(t);
				}
			}
		}
		if (val != NULL && vars_set(cv, name, val) != 0)
			pl->nomem = 1;
		free(val);
	}
}

/* Config.xml: 1 when a component is marked migrate="no". */
static int
config_excluded(const struct plan *pl, const struct ux_node *n,
    const char *name)
{
	const struct ux_node *c;

	if (pl->set->config == NULL || name == NULL)
		return 0;
	if (n == NULL)
		n = pl->set->config->root;
	for (c = n->first; c != NULL; c = c->next) {
		const char *dn = ux_attr(c, "displayname");

		if (c->kind == UX_CFG_COMPONENT && dn != NULL &&
		    wstrcasecmp(dn, name) == 0 && ux_attr(c, "migrate") != NULL &&
		    strcasecmp(ux_attr(c, "migrate"), "no") == 0)
			return 1;
		if (c->first != NULL && config_excluded(pl, c, name))
			return 1;
	}
	return 0;
}

static unsigned
new_group(struct plan *pl, struct inst *in, const struct ux_node *comp)
{
	struct group *g;

	if ((g = realloc(pl->groups, (pl->ngroups + 1) * sizeof(*g))) == NULL) {
		pl->nomem = 1;
		return 0;
	}
	pl->groups = g;
	g += pl->ngroups;
	memset(g, 0, sizeof(*g));
	g->inst = in;
	g->comp = comp;
	g->name = comp_name(comp);
	return (unsigned)pl->ngroups++;
}

static void eval_component(struct plan *pl, struct inst *in,
    const struct ux_node *comp, unsigned mask);

static int
eval_role(struct evalctx *ec, struct vars *cv, const struct ux_node *role,
    unsigned mask, unsigned group)
{
	const struct ux_node *c;

	for (c = ux_child(role, UX_ENVIRONMENT); c != NULL;
	    c = ux_next(c, UX_ENVIRONMENT))
		apply_env(ec, cv, c);
	if (!detected(ec, role))
		return 0;
	for (c = role->first; c != NULL; c = c->next) {
		if (c->kind == UX_COMPONENT)
			eval_component(ec->pl, ec->in, c, mask);
		else if (c->kind == UX_ROLE)
			(void)eval_role(ec, cv, c, mask, group);
		else if (c->kind == UX_RULES)
			eval_rules(ec, c, mask, group);
		else if (c->kind == UX_PLUGIN)
			not_applied(ec->pl, c, ec->comp, "internal USMT plug-in "
			    "(run by Windows)");
	}
	return 1;
}

static void
record_detected(struct plan *pl, struct inst *in, const struct ux_node *comp,
    int det)
{
	struct offmig_node *o = doc_push_object(pl->doc, pl->detected);

	doc_add_str(pl->doc, o, "component", comp_name(comp));
	doc_add_str(pl->doc, o, "file", comp->file->path);
	doc_add_int(pl->doc, o, "line", comp->line);
	doc_add_str(pl->doc, o, "context", in->p != NULL ? "user" : "system");
	doc_add_str(pl->doc, o, "user", in->p != NULL ? in->who : NULL);
	doc_add_bool(pl->doc, o, "detected", det);
}

static void
eval_component(struct plan *pl, struct inst *in, const struct ux_node *comp,
    unsigned mask)
{
	struct evalctx ec = { pl, in, NULL, comp, 0 };
	struct vars cv = { NULL, 0 };
	const struct ux_node *c;
	unsigned group;
	int det = 0;

	mask &= ctx_mask(ux_attr(comp, "context"), 3);
	if (!(mask & inst_type(in)))
		return;
	if (config_excluded(pl, NULL, ux_display_name(comp))) {
		note(pl, "component '%s' is migrate=\"no\" in config.xml",
		    comp_name(comp));
		return;
	}
	group = new_group(pl, in, comp);
	ec.cv = &cv;
	for (c = ux_child(comp, UX_ENVIRONMENT); c != NULL;
	    c = ux_next(c, UX_ENVIRONMENT))
		apply_env(&ec, &cv, c);
	for (c = comp->first; c != NULL; c = c->next) {
		if (c->kind == UX_ROLE)
			det |= eval_role(&ec, &cv, c, mask, group);
		else if (c->kind == UX_EXTENSIONS) {
			const struct ux_node *x;
			struct add_arg aa = { RULE_INCLUDE, group, NULL };

			det = 1;
			for (x = ux_child(c, UX_EXTENSION); x != NULL;
			    x = ux_next(x, UX_EXTENSION)) {
				char *t = x->text != NULL ? str_printf("%c:\\* "
				    "[*.%s]", pl->vol->sysdrive, x->text) : NULL;

				if (t != NULL)
					add_pattern(&ec, &aa, "File", t, x);
				free(t);
			}
		}
	}
	if (!pl->nomem && group < pl->ngroups)
		pl->groups[group].detected = det;
	record_detected(pl, in, comp, det);
	vars_release(&cv);
}

/* Instances and their variables. */

static void
setv(struct plan *pl, struct vars *vs, const char *name, const char *value)
{
	if (vars_set(vs, name, value) != 0)
		pl->nomem = 1;
}

static void
setx(struct plan *pl, struct vars *vs, const char *name, const char *raw)
{
	char *x = volume_expand(pl->vol, raw);

	if (x == NULL) {
		pl->nomem = 1;
		return;
	}
	if (strchr(x, '%') == NULL)
		setv(pl, vs, name, x);
	free(x);
}

static void
setj(struct plan *pl, struct vars *vs, const char *name, const char *base,
    const char *rel)
{
	char *x;

	if (base == NULL)
		return;
	if ((x = str_printf("%s\\%s", base, rel)) == NULL) {
		pl->nomem = 1;
		return;
	}
	setv(pl, vs, name, x);
	free(x);
}

/* CSIDL_DEFAULT_*: below the default profile (Vista+ name, XP name). */
static const struct {
	const char	*name;
	const char	*vista;
	const char	*xp;
} defaults[] = {
	{ "CSIDL_DEFAULT_APPDATA", "AppData\\Roaming", "Application Data" },
	{ "CSIDL_DEFAULT_LOCAL_APPDATA", "AppData\\Local",
	    "Local Settings\\Application Data" },
	{ "CSIDL_DEFAULT_COOKIES", "AppData\\Roaming\\Microsoft\\Windows\\"
	    "Cookies", "Cookies" },
	{ "CSIDL_DEFAULT_CONTACTS", "Contacts", NULL },
	{ "CSIDL_DEFAULT_DESKTOP", "Desktop", "Desktop" },
	{ "CSIDL_DEFAULT_DOWNLOADS", "Downloads", NULL },
	{ "CSIDL_DEFAULT_FAVORITES", "Favorites", "Favorites" },
	{ "CSIDL_DEFAULT_HISTORY", "AppData\\Local\\Microsoft\\Windows\\"
	    "History", "Local Settings\\History" },
	{ "CSIDL_DEFAULT_INTERNET_CACHE", "AppData\\Local\\Microsoft\\Windows\\"
	    "INetCache", "Local Settings\\Temporary Internet Files" },
	{ "CSIDL_DEFAULT_PERSONAL", "Documents", "My Documents" },
	{ "CSIDL_DEFAULT_MYDOCUMENTS", "Documents", "My Documents" },
	{ "CSIDL_DEFAULT_MYPICTURES", "Pictures", "My Documents\\My Pictures" },
	{ "CSIDL_DEFAULT_MYMUSIC", "Music", "My Documents\\My Music" },
	{ "CSIDL_DEFAULT_MYVIDEO", "Videos", "My Documents\\My Videos" },
	{ "CSIDL_DEFAULT_RECENT", "AppData\\Roaming\\Microsoft\\Windows\\Recent",
	    "Recent" },
	{ "CSIDL_DEFAULT_SENDTO", "AppData\\Roaming\\Microsoft\\Windows\\SendTo",
	    "SendTo" },
	{ "CSIDL_DEFAULT_STARTMENU", "AppData\\Roaming\\Microsoft\\Windows\\"
	    "Start Menu", "Start Menu" },
	{ "CSIDL_DEFAULT_PROGRAMS", "AppData\\Roaming\\Microsoft\\Windows\\"
	    "Start Menu\\Programs", "Start Menu\\Programs" },
	{ "CSIDL_DEFAULT_STARTUP", "AppData\\Roaming\\Microsoft\\Windows\\"
	    "Start Menu\\Programs\\Startup", "Start Menu\\Programs\\Startup" },
	{ "CSIDL_DEFAULT_TEMPLATES", "AppData\\Roaming\\Microsoft\\Windows\\"
	    "Templates", "Templates" },
	{ "CSIDL_DEFAULT_QUICKLAUNCH", "AppData\\Roaming\\Microsoft\\"
	    "Internet Explorer\\Quick Launch", "Application Data\\Microsoft\\"
	    "Internet Explorer\\Quick Launch" },
};

/* Known folders of a folders-report entry into variables and kf[]. */
static void
take_folders(struct plan *pl, struct inst *in, const struct offmig_node *arr)
{
	size_t i, n = offmig_node_len(arr);

	if ((in->kf = calloc(n + 1, sizeof(*in->kf))) == NULL) {
		pl->nomem = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		const struct offmig_node *f = offmig_node_at(arr, i);
		const char *csidl = offmig_node_get_str(f, "csidl");
		const char *path = offmig_node_get_str(f, "path");
		const char *label = offmig_node_get_str(f, "label");
		struct kf *k;

		if (path == NULL)
			continue;
		if (csidl != NULL && strncmp(csidl, "CSIDL_", 6) == 0)
			setv(pl, &in->vars, csidl, path);
		k = &in->kf[in->nkf];
		k->label = strdup(label != NULL ? label : csidl != NULL ? csidl :
		    "?");
		k->win = strdup(path);
		if (k->label == NULL || k->win == NULL) {
			free(k->label);
			free(k->win);
			pl->nomem = 1;
			continue;
		}
		k->len = strlen(k->win);
		while (k->len > 0 && k->win[k->len - 1] == '\\')
			k->win[--k->len] = '\0';
		in->nkf++;
	}
}

static void
system_vars(struct plan *pl, struct inst *in, const struct profile_list *plist)
{
	struct vars *vs = &in->vars;
	const char *win, *pf, *defp;
	char drive[3] = { pl->vol->sysdrive, ':', '\0' };
	size_t i;

	setv(pl, vs, "SYSTEMDRIVE", drive);
	setx(pl, vs, "SYSTEMROOT", "%SystemRoot%");
	win = vars_get(vs, "SYSTEMROOT");
	setv(pl, vs, "WINDIR", win);
	setv(pl, vs, "CSIDL_WINDOWS", win);
	setj(pl, vs, "SYSTEM32", win, "System32");
	setj(pl, vs, "SYSTEM", win, "System32");
	setj(pl, vs, "CSIDL_SYSTEM", win, "System32");
	setj(pl, vs, "SYSTEM16", win, "System");
	setj(pl, vs, "CSIDL_FONTS", win, "Fonts");
	setj(pl, vs, "CSIDL_RESOURCES", win, "Resources");
	setx(pl, vs, "PROGRAMFILES", "%ProgramFiles%");
	pf = vars_get(vs, "PROGRAMFILES");
	setv(pl, vs, "CSIDL_PROGRAM_FILES", pf);
	setx(pl, vs, "COMMONPROGRAMFILES", "%CommonProgramFiles%");
	setv(pl, vs, "CSIDL_PROGRAM_FILES_COMMON",
	    vars_get(vs, "COMMONPROGRAMFILES"));
	if (pl->is64) {
		setx(pl, vs, "PROGRAMFILES(X86)", "%ProgramFiles(x86)%");
		setx(pl, vs, "COMMONPROGRAMFILES(X86)",
		    "%CommonProgramFiles(x86)%");
		setv(pl, vs, "CSIDL_PROGRAM_FILESX86",
		    vars_get(vs, "PROGRAMFILES(X86)"));
		setv(pl, vs, "CSIDL_PROGRAM_FILES_COMMONX86",
		    vars_get(vs, "COMMONPROGRAMFILES(X86)"));
	} else {
		/* 32-bit Windows: the x86 folders are the only ones. */
		setv(pl, vs, "CSIDL_PROGRAM_FILESX86", pf);
		setv(pl, vs, "CSIDL_PROGRAM_FILES_COMMONX86",
		    vars_get(vs, "COMMONPROGRAMFILES"));
	}
	setx(pl, vs, "ALLUSERSPROFILE", "%ALLUSERSPROFILE%");
	if (!pl->xp) {
		setx(pl, vs, "PROGRAMDATA", "%ProgramData%");
		setx(pl, vs, "PUBLIC", "%PUBLIC%");
	}
	if (plist->profiles_dir != NULL)
		setx(pl, vs, "PROFILESFOLDER", plist->profiles_dir);
	defp = plist->default_path;
	if (defp != NULL) {
		setx(pl, vs, "DEFAULTUSERPROFILE", defp);
		defp = vars_get(vs, "DEFAULTUSERPROFILE");
		for (i = 0; defp != NULL &&
		    i < sizeof(defaults) / sizeof(defaults[0]); i++) {
			const char *rel = pl->xp ? defaults[i].xp :
			    defaults[i].vista;

			if (rel != NULL)
				setj(pl, vs, defaults[i].name, defp, rel);
		}
	}
	for (i = 0; i < plist->n; i++)
		if (plist->v[i].sid != NULL &&
		    strcmp(plist->v[i].sid, "S-1-5-18") == 0 &&
		    plist->v[i].path != NULL)
			setx(pl, vs, "SYSTEMPROFILE", plist->v[i].path);
}

static void
user_vars(struct plan *pl, struct inst *in)
{
	struct vars *vs = &in->vars;
	const struct profile *p = in->p;
	const char *up, *v;
	char *x;

	if ((x = volume_expand(pl->vol, p->path)) == NULL) {
		pl->nomem = 1;
		return;
	}
	setv(pl, vs, "USERPROFILE", x);
	setv(pl, vs, "CSIDL_PROFILE", x);
	if (strlen(x) >= 2 && x[1] == ':') {
		char d[3] = { x[0], ':', '\0' };

		setv(pl, vs, "HOMEDRIVE", d);
		setv(pl, vs, "HOMEPATH", x + 2);
	}
	free(x);
	up = vars_get(vs, "USERPROFILE");
	setv(pl, vs, "USERSID", p->sid);
	setv(pl, vs, "USERNAME", p->user);
	setv(pl, vs, "CSIDL_MYDOCUMENTS", vars_get(vs, "CSIDL_PERSONAL"));
	if (vars_get(vs, "CSIDL_DESKTOPDIRECTORY") != NULL)
		setv(pl, vs, "CSIDL_DESKTOP",
		    vars_get(vs, "CSIDL_DESKTOPDIRECTORY"));
	setv(pl, vs, "APPDATA", vars_get(vs, "CSIDL_APPDATA"));
	setv(pl, vs, "LOCALAPPDATA", vars_get(vs, "CSIDL_LOCAL_APPDATA"));
	if ((v = vars_get(vs, "CSIDL_LOCAL_APPDATA")) != NULL) {
		setj(pl, vs, "TEMP", pl->xp ? up : v, pl->xp ?
		    "Local Settings\\Temp" : "Temp");
		setv(pl, vs, "TMP", vars_get(vs, "TEMP"));
		setj(pl, vs, "CSIDL_CDBURN_AREA", v, "Microsoft\\Windows\\"
		    "Burn\\Burn");
	}
	if ((v = vars_get(vs, "CSIDL_PROGRAMS")) != NULL)
		setj(pl, vs, "CSIDL_ADMINTOOLS", v, "Administrative Tools");
	setv(pl, vs, "CSIDL_ALTSTARTUP", vars_get(vs, "CSIDL_STARTUP"));
	if ((v = vars_get(vs, "CSIDL_MYMUSIC")) != NULL)
		setj(pl, vs, "CSIDL_PLAYLISTS", v, "Playlists");
	if (!pl->xp && up != NULL)
		setj(pl, vs, "CSIDL_CONTACTS", up, "Contacts");
}

static void
inst_release(struct inst *in)
{
	size_t i;

	vars_release(&in->vars);
	for (i = 0; i < in->nkf; i++) {
		free(in->kf[i].label);
		free(in->kf[i].win);
	}
	free(in->kf);
	for (i = 0; i < in->nreginc; i++)
		upat_free(in->reginc[i]);
	free(in->reginc);
	ruleset_free(in->reg);
}

static void
plan_release(struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->ninst; i++)
		inst_release(&pl->insts[i]);
	free(pl->insts);
	free(pl->groups);
	for (i = 0; i < pl->ntags; i++) {
		free(pl->tags[i]->pattern);
		free(pl->tags[i]);
	}
	free(pl->tags);
	for (i = 0; i < pl->nfilts; i++) {
		free(pl->filts[i]->str);
		free(pl->filts[i]);
	}
	free(pl->filts);
	ruleset_free(pl->files);
	ruleset_free(pl->ini);
	for (i = 0; i < pl->ninifiles; i++)
		free(pl->inifiles[i]);
	free(pl->inifiles);
	free(pl->seen);
	for (i = 0; i < pl->nnotes; i++)
		free(pl->notetexts[i]);
	free(pl->notetexts);
	offmig_doc_free(pl->doc);
}

/*
 * Builds the instances, their variables, and every rule: everything but
 * the walks.
 */
static int
plan_prepare(struct plan *pl, struct offmig_ctx *ctx,
    struct offmig_volume *vol, struct offmig_rules *rules,
    const struct offmig_filter *filter, unsigned flags)
{
	const struct profile_list *plist;
	struct offmig_doc *fdoc = NULL, *odoc = NULL;
	struct offmig_node *root;
	const struct offmig_node *profs;
	const char *s;
	size_t i, j;
	int ret;

	memset(pl, 0, sizeof(*pl));
	pl->ctx = ctx;
	pl->vol = vol;
	pl->set = &rules->set;
	pl->filter = filter;
	pl->flags = flags;
	if ((pl->doc = doc_new()) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "plan");
	root = doc_root_mut(pl->doc);
	if (rules->set.nerrors > 0)
		return ctx_set_error(ctx, OFFMIG_EXML, 0, "the rules have %zu "
		    "error%s: nothing is evaluated", rules->set.nerrors,
		    rules->set.nerrors == 1 ? "" : "s");
	pl->unsup = doc_add_array(pl->doc, root, "unsupported");
	pl->notapp = doc_add_array(pl->doc, root, "not_applied");
	pl->notes = doc_add_array(pl->doc, root, "notes");
	pl->detected = doc_add_array(pl->doc, root, "detected");
	if ((ret = volume_profiles(vol, &plist)) != OFFMIG_OK)
		return ret;
	/* OS facts for DoesOSMatch and IsNative64Bit. */
	if ((odoc = doc_new()) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "plan");
	if ((ret = os_build(vol, odoc, doc_root_mut(odoc))) != OFFMIG_OK) {
		offmig_doc_free(odoc);
		return ret;
	}
	s = offmig_node_get_str(offmig_doc_root(odoc), "arch");
	pl->is64 = s != NULL && (strcasecmp(s, "AMD64") == 0 ||
	    strcasecmp(s, "ARM64") == 0 || strcasecmp(s, "IA64") == 0 ||
	    strcasecmp(s, "x64") == 0);
	snprintf(pl->osver, sizeof(pl->osver), "%s.%s",
	    offmig_node_get_str(offmig_doc_root(odoc), "version") != NULL ?
	    offmig_node_get_str(offmig_doc_root(odoc), "version") : "0.0",
	    offmig_node_get_str(offmig_doc_root(odoc), "build") != NULL ?
	    offmig_node_get_str(offmig_doc_root(odoc), "build") : "0");
	offmig_doc_free(odoc);
	doc_add_str(pl->doc, root, "os_version", pl->osver);
	doc_add_bool(pl->doc, root, "native_64bit", pl->is64);
	/* Known folders of the selected profiles and the machine. */
	if ((fdoc = doc_new()) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "plan");
	if ((ret = folders_build(vol, NULL, filter, fdoc,
	    doc_root_mut(fdoc))) != OFFMIG_OK) {
		offmig_doc_free(fdoc);
		return ret;
	}
	s = offmig_node_get_str(offmig_doc_root(fdoc), "layout");
	pl->xp = s != NULL && strcmp(s, "xp") == 0;
	profs = offmig_node_get(offmig_doc_root(fdoc), "profiles");
	if ((pl->insts = calloc(plist->n + 1, sizeof(*pl->insts))) == NULL) {
		offmig_doc_free(fdoc);
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "plan");
	}
	pl->ninst = 1;
	pl->insts[0].who = "system";
	pl->insts[0].usable = 1;
	system_vars(pl, &pl->insts[0], plist);
	take_folders(pl, &pl->insts[0],
	    offmig_node_get(offmig_doc_root(fdoc), "common"));
	setv(pl, &pl->insts[0].vars, "ALLUSERSAPPDATA",
	    vars_get(&pl->insts[0].vars, "CSIDL_COMMON_APPDATA"));
	for (i = 0; i < offmig_node_len(profs); i++) {
		const struct offmig_node *pn = offmig_node_at(profs, i);
		const char *key = offmig_node_get_str(pn, "sid");
		const struct profile *p = NULL;
		struct inst *in;

		for (j = 0; key != NULL && j < plist->n; j++)
			if (plist->v[j].sid != NULL &&
			    strcmp(plist->v[j].sid, key) == 0 &&
			    plist->v[j].path != NULL &&
			    offmig_node_get_str(pn, "path") != NULL &&
			    strcmp(plist->v[j].path, offmig_node_get_str(pn,
			    "path")) == 0)
				p = &plist->v[j];
		if (p == NULL)
			continue;
		if (p->status == PROFILE_TEMPORARY) {
			note(pl, "%s: temporary profile %s left out (ScanState "
			    "refuses an active temporary profile)", p->key,
			    p->path);
			continue;
		}
		in = &pl->insts[pl->ninst++];
		in->p = p;
		in->who = p->user != NULL ? p->user : p->sid;
		in->usable = p->host_path != NULL;
		if (!in->usable)
			note(pl, "%s: the profile folder %s cannot be read on "
			    "this volume (see offmig profiles): no files are "
			    "listed for this user", in->who,
			    p->path != NULL ? p->path : "(none)");
		if (p->is_bak)
			note(pl, "%s: evaluated from the %s entry (the live "
			    "entry points at a temporary profile)", in->who,
			    p->key);
		if (p->hive_present && volume_user_hive(vol, p, &in->hkcu) !=
		    OFFMIG_OK)
			in->hkcu = NULL;
		if (in->hkcu == NULL)
			note(pl, "%s: no readable NTUSER.DAT: HKCU patterns "
			    "take nothing for this user", in->who);
		/* The system variables are visible in the user context too. */
		for (j = 0; j < pl->insts[0].vars.n; j++)
			setv(pl, &in->vars, pl->insts[0].vars.v[j].name,
			    pl->insts[0].vars.v[j].value);
		take_folders(pl, in, offmig_node_get(pn, "folders"));
		user_vars(pl, in);
	}
	offmig_doc_free(fdoc);
	if ((pl->files = ruleset_new()) == NULL ||
	    (pl->ini = ruleset_new()) == NULL)
		pl->nomem = 1;
	for (i = 0; i < pl->ninst; i++)
		if ((pl->insts[i].reg = ruleset_new()) == NULL)
			pl->nomem = 1;
	if (pl->nomem)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "plan");
	/* Config.xml parts that do not change what a scan selects. */
	if (pl->set->config != NULL) {
		const struct ux_node *c;

		for (c = pl->set->config->root->first; c != NULL; c = c->next)
			if (c->kind == UX_POLICIES || c->kind ==
			    UX_PROFILE_CONTROL || c->kind == UX_HARDLINK_CONTROL)
				not_applied(pl, c, NULL, c->kind ==
				    UX_PROFILE_CONTROL ? "group mappings are "
				    "applied by LoadState" : "error control and "
				    "hard-link policies act while copying");
	}
	/* Every component of every file, for every instance. */
	for (i = 0; i < pl->set->nfiles; i++) {
		const struct ux_file *f = pl->set->files[i];
		const struct ux_node *c;

		if (f->skipped)
			continue;
		for (c = ux_child(f->root, UX_COMPONENT); c != NULL;
		    c = ux_next(c, UX_COMPONENT))
			for (j = 0; j < pl->ninst && !pl->nomem; j++)
				if (pl->insts[j].usable || pl->insts[j].hkcu)
					eval_component(pl, &pl->insts[j], c,
					    CTX_USER | CTX_SYSTEM);
		for (c = ux_child(f->root, UX_LIBRARY); c != NULL;
		    c = ux_next(c, UX_LIBRARY))
			not_applied(pl, c, NULL, "helper libraries are Windows "
			    "DLLs; their functions are listed where used");
	}
	if (pl->nomem)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "plan");
	return OFFMIG_OK;
}

/* Walking and records. */

/*
 * 1 when the first len bytes of path name the folder win, as Windows
 * compares names: ASCII bytes compare without case at once (the common
 * case, with no allocation per file); anything else goes to wstrcasecmp().
 */
static int
prefix_eq(const char *path, const char *win, size_t len)
{
	size_t i;
	char *pre;
	int eq;

	for (i = 0; i < len; i++) {
		unsigned char a = (unsigned char)path[i];
		unsigned char b = (unsigned char)win[i];

		if (a >= 0x80 || b >= 0x80)
			break;
		if (a != b && (a | 0x20) != (b | 0x20))
			return 0;
		if (a != b && !((a | 0x20) >= 'a' && (a | 0x20) <= 'z'))
			return 0;
	}
	if (i == len)
		return 1;
	if ((pre = strndup(path, len)) == NULL)
		return 0;
	eq = wstrcasecmp(pre, win) == 0;
	free(pre);
	return eq;
}

static const struct kf *
find_kf(const struct inst *in, const char *winpath)
{
	const struct kf *best = NULL;
	size_t i, l = strlen(winpath);

	for (i = 0; i < in->nkf; i++) {
		const struct kf *k = &in->kf[i];

		if (k->len == 0 || k->len > l || (winpath[k->len] != '\\' &&
		    winpath[k->len] != '\0'))
			continue;
		if (best != NULL && best->len >= k->len)
			continue;
		if (prefix_eq(winpath, k->win, k->len))
			best = k;
	}
	return best;
}

static const struct rule_hit *
best_hit(const struct plan *pl, const struct rule_hit *hits, size_t nhits)
{
	size_t i;

	/* A user's component before the system's, for attribution. */
	for (i = 0; i < nhits; i++)
		if (pl->groups[hits[i].group].inst->p != NULL)
			return &hits[i];
	return &hits[0];
}

static int
emit(struct plan *pl, struct offmig_plan_item *it, const struct rule_hit *h)
{
	const struct rtag *t = h->tag;
	struct group *g = &pl->groups[h->group];

	it->user = g->inst->p != NULL ? g->inst->who : NULL;
	it->sid = g->inst->p != NULL ? g->inst->p->sid : NULL;
	it->component = g->name;
	it->rule_file = t != NULL ? t->node->file->path : NULL;
	it->rule_line = t != NULL ? t->node->line : 0;
	it->rule_pattern = t != NULL ? t->pattern : NULL;
	it->tie = h->tie;
	if (pl->fn != NULL)
		return pl->fn(pl->arg, it);
	return 0;
}

static int
on_file(void *arg, const struct walk_entry *e, const struct rule_hit *hits,
    size_t nhits)
{
	struct plan *pl = arg;
	const struct rule_hit *h;
	struct offmig_plan_item it;
	struct group *g;
	const struct kf *k;
	size_t i;
	int ret;

	if (nhits == 0)
		return 0;
	h = best_hit(pl, hits, nhits);
	g = &pl->groups[h->group];
	memset(&it, 0, sizeof(it));
	if (e->is_dir) {
		/* An empty folder the rules take (walk.h): kept, not lost. */
		it.type = "folder";
		it.path = e->winpath;
		it.host_path = e->host_path;
		it.st = e->st;
		it.mtime = e->st != NULL ? (int64_t)e->st->st_mtime : NO_TIME;
		k = find_kf(g->inst, e->winpath);
		it.known_folder = k != NULL ? k->label : NULL;
		for (i = 0; i < nhits; i++)
			pl->groups[hits[i].group].folders++;
		g->inst->folders++;
		if ((ret = emit(pl, &it, h)) < 0)
			pl->cb_ret = ret;
		return ret;
	}
	it.type = "file";
	it.path = e->winpath;
	it.host_path = e->host_path;
	it.st = e->st;
	it.size = e->st != NULL && e->st->st_size > 0 ?
	    (uint64_t)e->st->st_size : 0;
	it.mtime = e->st != NULL ? (int64_t)e->st->st_mtime : NO_TIME;
	k = find_kf(g->inst, e->winpath);
	it.known_folder = k != NULL ? k->label : NULL;
	/* Each component that takes the file counts it; its user once. */
	for (i = 0; i < nhits; i++) {
		pl->groups[hits[i].group].files++;
		pl->groups[hits[i].group].bytes += it.size;
	}
	g->inst->files++;
	g->inst->bytes += it.size;
	if (k != NULL) {
		((struct kf *)k)->files++;
		((struct kf *)k)->bytes += it.size;
	}
	if ((ret = emit(pl, &it, h)) < 0)
		pl->cb_ret = ret;
	return ret;
}

/* A file an exclude took away from a component only by a tie. */
static void
on_tie(void *arg, const struct walk_entry *e, unsigned group,
    const void *include_tag, const void *exclude_tag)
{
	struct plan *pl = arg;
	const struct rtag *it = include_tag, *xt = exclude_tag;
	const struct group *g = &pl->groups[group];
	struct offmig_node *o;

	if (pl->nties++ >= MAX_TIES_LISTED)
		return;
	o = doc_push_object(pl->doc, pl->ties);
	doc_add_str(pl->doc, o, "path", e->winpath);
	doc_add_str(pl->doc, o, "user", g->inst->p != NULL ? g->inst->who :
	    NULL);
	doc_add_str(pl->doc, o, "component", g->name);
	if (it != NULL) {
		doc_add_str(pl->doc, o, "include_file", it->node->file->path);
		doc_add_int(pl->doc, o, "include_line", it->node->line);
	}
	if (xt != NULL) {
		doc_add_str(pl->doc, o, "exclude_file", xt->node->file->path);
		doc_add_int(pl->doc, o, "exclude_line", xt->node->line);
	}
}

static int
reg_prune_inst(void *arg, const char *path)
{
	struct inst *in = arg;
	size_t i;

	for (i = 0; i < in->nreginc; i++)
		if (upat_may_match_below(in->reginc[i], path))
			return 1;
	return 0;
}

static int
on_regkey(struct plan *pl, void *arg, const char *path, struct hive *h,
    hnode key)
{
	struct inst *in = arg;
	struct hive_rawval *vals = NULL;
	size_t n = 0, nbad = 0, i;
	int ret = 0;

	/*
	 * The key itself, when a node-only pattern ("HKCU\X", "HKCU\X\*")
	 * takes it: USMT carries the key, so an empty one is not lost.
	 */
	{
		struct rule_hit hits[MAX_HITS];
		struct walk_entry we;
		struct offmig_plan_item it;
		size_t nh, j;

		memset(&we, 0, sizeof(we));
		we.winpath = path;
		we.windir = path;
		we.name = "";
		nh = ruleset_decide(in->reg, path, NULL, &we, hits, MAX_HITS,
		    NULL, NULL);
		if (nh > MAX_HITS)
			nh = MAX_HITS;
		if (nh > 0) {
			memset(&it, 0, sizeof(it));
			it.type = "key";
			it.path = path;
			it.mtime = NO_TIME;
			for (j = 0; j < nh; j++)
				pl->groups[hits[j].group].regkeys++;
			in->regkeys++;
			if ((ret = emit(pl, &it, best_hit(pl, hits, nh))) < 0) {
				pl->cb_ret = ret;
				return ret;
			}
		}
	}
	if (hive_key_values(pl->ctx, h, key, &vals, &n, &nbad) != OFFMIG_OK) {
		ctx_log(pl->ctx, OFFMIG_LOG_WARN, "%s: %s", path,
		    offmig_errmsg(pl->ctx));
		pl->reg_errors++;
		return 0;
	}
	if (nbad > 0) {
		ctx_log(pl->ctx, OFFMIG_LOG_WARN, "%s: %zu value%s cannot be "
		    "read", path, nbad, nbad == 1 ? "" : "s");
		pl->reg_errors += nbad;
	}
	for (i = 0; i < n && ret >= 0; i++) {
		struct rule_hit hits[MAX_HITS];
		struct walk_entry we;
		struct offmig_plan_item it;
		const struct rule_hit *hb;
		size_t nh, j;
		char *loc;

		memset(&we, 0, sizeof(we));
		we.winpath = path;
		we.windir = path;
		we.name = vals[i].name;
		pl->cur_val = &vals[i];
		nh = ruleset_decide(in->reg, path, vals[i].name, &we, hits,
		    MAX_HITS, NULL, NULL);
		pl->cur_val = NULL;
		if (nh == 0)
			continue;
		if (nh > MAX_HITS)
			nh = MAX_HITS;
		if ((loc = str_printf("%s [%s]", path, vals[i].name)) == NULL) {
			pl->nomem = 1;
			ret = -1;
			break;
		}
		hb = best_hit(pl, hits, nh);
		memset(&it, 0, sizeof(it));
		it.type = "registry";
		it.path = loc;
		it.size = vals[i].len;
		it.mtime = NO_TIME;
		for (j = 0; j < nh; j++)
			pl->groups[hits[j].group].regvals++;
		in->regvals++;
		ret = emit(pl, &it, hb);
		if (ret < 0)
			pl->cb_ret = ret;
		free(loc);
	}
	hive_rawvals_free(vals, n);
	return ret;
}

/* Registry roots of an instance, each walked once (nested ones skipped). */
static int
walk_registry(struct plan *pl, struct inst *in)
{
	char **roots;
	size_t n = 0, i, j;
	int ret = 0;

	if (in->nreginc == 0)
		return 0;
	if ((roots = calloc(in->nreginc, sizeof(*roots))) == NULL) {
		pl->nomem = 1;
		return -1;
	}
	for (i = 0; i < in->nreginc; i++) {
		char *r = upat_root(in->reginc[i]);
		int dup = 0;

		if (r == NULL) {
			pl->nomem = 1;
			break;
		}
		for (j = 0; j < n && !dup; j++) {
			size_t l = strlen(roots[j]);

			dup = strncasecmp(r, roots[j], l) == 0 &&
			    (r[l] == '\0' || r[l] == '\\');
			if (!dup && strncasecmp(r, roots[j], strlen(r)) == 0 &&
			    roots[j][strlen(r)] == '\\') {
				/* The new root holds an older one. */
				free(roots[j]);
				roots[j] = r;
				r = NULL;
				dup = 1;
			}
		}
		if (dup)
			free(r);
		else
			roots[n++] = r;
	}
	for (i = 0; i < n && ret >= 0 && !pl->nomem; i++) {
		const char *why = NULL;

		ret = reg_walk(pl, in, roots[i], on_regkey, reg_prune_inst, in,
		    &why);
		if (why != NULL && strstr(why, "HKCU") == NULL &&
		    strstr(why, "NTUSER") == NULL)
			note(pl, "%s: %s", roots[i], why);
	}
	for (i = 0; i < n; i++)
		free(roots[i]);
	free(roots);
	return ret;
}

/*
 * The keys of one INI file the Ini rules select: each "FILE|Section[key]"
 * decided like a registry value (ruleset_decide, USMT precedence).
 */
static int
walk_ini_file(struct plan *pl, const char *file)
{
	struct ini_file f;
	char *host = NULL, *dir = NULL;
	const char *prev = NULL;
	size_t i, j;
	int ret = 0, r;

	if ((r = ini_read(pl->ctx, pl->vol, file, &f, &host)) != OFFMIG_OK) {
		if (r == OFFMIG_ENOMEM) {
			pl->nomem = 1;
			return -1;
		}
		if (r != OFFMIG_ENOTFOUND) {
			ctx_log(pl->ctx, OFFMIG_LOG_WARN, "%s",
			    offmig_errmsg(pl->ctx));
			pl->reg_errors++;
		}
		return 0;
	}
	for (i = 0; i < f.nkeys && ret >= 0; i++) {
		struct rule_hit hits[MAX_HITS];
		struct walk_entry we;
		struct offmig_plan_item it;
		const struct rule_hit *hb;
		size_t nh;
		char *loc;

		if (f.keys[i].section != prev) {
			free(dir);
			prev = f.keys[i].section;
			if ((dir = str_printf("%s|%s", file, prev)) == NULL) {
				pl->nomem = 1;
				ret = -1;
				break;
			}
		}
		memset(&we, 0, sizeof(we));
		we.winpath = dir;
		we.windir = dir;
		we.name = f.keys[i].key;
		pl->cur_ini = f.keys[i].value;
		nh = ruleset_decide(pl->ini, dir, f.keys[i].key, &we, hits,
		    MAX_HITS, NULL, NULL);
		pl->cur_ini = NULL;
		if (nh == 0)
			continue;
		if (nh > MAX_HITS)
			nh = MAX_HITS;
		if ((loc = str_printf("%s[%s]", dir, f.keys[i].key)) == NULL) {
			pl->nomem = 1;
			ret = -1;
			break;
		}
		hb = best_hit(pl, hits, nh);
		memset(&it, 0, sizeof(it));
		it.type = "ini";
		it.path = loc;
		it.host_path = host;
		it.size = strlen(f.keys[i].value);
		it.mtime = NO_TIME;
		it.value = f.keys[i].value;
		for (j = 0; j < nh; j++)
			pl->groups[hits[j].group].inikeys++;
		pl->groups[hb->group].inst->inikeys++;
		if ((ret = emit(pl, &it, hb)) < 0)
			pl->cb_ret = ret;
		free(loc);
	}
	free(dir);
	free(host);
	ini_release(&f);
	return ret;
}

static void
summary(struct plan *pl, const struct walk_stats *ws)
{
	struct offmig_doc *doc = pl->doc;
	struct offmig_node *root = doc_root_mut(doc), *arr, *o, *t;
	uint64_t files = 0, bytes = 0, regs = 0, keys = 0, inis = 0;
	uint64_t folders = 0;
	size_t i, j;

	arr = doc_add_array(doc, root, "users");
	for (i = 0; i < pl->ninst; i++) {
		struct inst *in = &pl->insts[i];

		o = doc_push_object(doc, arr);
		doc_add_str(doc, o, "user", in->p != NULL ? in->who : NULL);
		doc_add_str(doc, o, "sid", in->p != NULL ? in->p->sid : NULL);
		doc_add_str(doc, o, "context", in->p != NULL ? "user" : "system");
		doc_add_int(doc, o, "files", (int64_t)in->files);
		doc_add_int(doc, o, "bytes", (int64_t)in->bytes);
		doc_add_int(doc, o, "folders", (int64_t)in->folders);
		doc_add_int(doc, o, "registry_values", (int64_t)in->regvals);
		doc_add_int(doc, o, "registry_keys", (int64_t)in->regkeys);
		doc_add_int(doc, o, "ini_keys", (int64_t)in->inikeys);
		keys += in->regkeys;
		files += in->files;
		bytes += in->bytes;
		regs += in->regvals;
		inis += in->inikeys;
		folders += in->folders;
	}
	arr = doc_add_array(doc, root, "components");
	for (i = 0; i < pl->ngroups; i++) {
		struct group *g = &pl->groups[i];

		o = doc_push_object(doc, arr);
		doc_add_str(doc, o, "component", g->name);
		doc_add_str(doc, o, "user", g->inst->p != NULL ? g->inst->who :
		    NULL);
		doc_add_str(doc, o, "file", g->comp->file->path);
		doc_add_int(doc, o, "line", g->comp->line);
		doc_add_bool(doc, o, "detected", g->detected);
		doc_add_int(doc, o, "files", (int64_t)g->files);
		doc_add_int(doc, o, "bytes", (int64_t)g->bytes);
		doc_add_int(doc, o, "folders", (int64_t)g->folders);
		doc_add_int(doc, o, "registry_values", (int64_t)g->regvals);
		doc_add_int(doc, o, "registry_keys", (int64_t)g->regkeys);
		doc_add_int(doc, o, "ini_keys", (int64_t)g->inikeys);
	}
	arr = doc_add_array(doc, root, "known_folders");
	for (i = 0; i < pl->ninst; i++)
		for (j = 0; j < pl->insts[i].nkf; j++) {
			const struct kf *k = &pl->insts[i].kf[j];

			if (k->files == 0)
				continue;
			o = doc_push_object(doc, arr);
			doc_add_str(doc, o, "user", pl->insts[i].p != NULL ?
			    pl->insts[i].who : NULL);
			doc_add_str(doc, o, "folder", k->label);
			doc_add_str(doc, o, "path", k->win);
			doc_add_int(doc, o, "files", (int64_t)k->files);
			doc_add_int(doc, o, "bytes", (int64_t)k->bytes);
		}
	t = doc_add_object(doc, root, "totals");
	doc_add_int(doc, t, "files", (int64_t)files);
	doc_add_int(doc, t, "bytes", (int64_t)bytes);
	doc_add_int(doc, t, "folders", (int64_t)folders);
	doc_add_int(doc, t, "registry_values", (int64_t)regs);
	doc_add_int(doc, t, "registry_keys", (int64_t)keys);
	doc_add_int(doc, t, "ini_keys", (int64_t)inis);
	doc_add_int(doc, t, "dirs_walked", ws != NULL ? (int64_t)ws->dirs : 0);
	doc_add_int(doc, t, "files_walked", ws != NULL ? (int64_t)ws->files :
	    0);
	doc_add_int(doc, t, "links_skipped", ws != NULL ?
	    (int64_t)ws->links_skipped : 0);
	doc_add_int(doc, t, "unsupported", (int64_t)pl->nunsup);
	doc_add_int(doc, t, "ties", (int64_t)pl->nties);
	doc_add_int(doc, root, "errors", (int64_t)((ws != NULL ? ws->errors :
	    0) + pl->reg_errors));
	arr = doc_add_array(doc, root, "diagnostics");
	for (i = 0; i < pl->set->ndiags; i++) {
		const struct ux_diag *d = &pl->set->diags[i];

		o = doc_push_object(doc, arr);
		doc_add_str(doc, o, "severity", d->sev == UX_DIAG_ERROR ?
		    "error" : d->sev == UX_DIAG_WARN ? "warning" : "info");
		doc_add_str(doc, o, "file", d->file);
		doc_add_int(doc, o, "line", d->line);
		doc_add_str(doc, o, "message", d->msg);
	}
}

int
offmig_plan_run(struct offmig_ctx *ctx, struct offmig_volume *vol,
    struct offmig_rules *rules, const struct offmig_filter *filter,
    unsigned flags, offmig_plan_fn *fn, void *arg,
    struct offmig_doc **summaryp)
{
	struct plan pl;
	struct walk_stats ws;
	size_t i;
	int ret;

	*summaryp = NULL;
	memset(&ws, 0, sizeof(ws));
	if ((ret = plan_prepare(&pl, ctx, vol, rules, filter, flags)) !=
	    OFFMIG_OK)
		goto out;
	pl.fn = fn;
	pl.arg = arg;
	pl.ties = doc_add_array(pl.doc, doc_root_mut(pl.doc), "ties");
	ruleset_set_tie_fn(pl.files, on_tie, &pl);
	ruleset_set_empty_dirs(pl.files, 1);
	if (pl.nfileinc > 0) {
		ret = ruleset_walk(ctx, pl.files, vol->rootfd, vol->sysdrive,
		    on_file, &pl, &ws);
		if (ret < 0 && pl.cb_ret < 0) {
			ret = pl.cb_ret;
			goto out;
		}
		if (ret != OFFMIG_OK)
			goto out;
	}
	for (i = 0; i < pl.ninst && !(flags & OFFMIG_PLAN_NO_REGISTRY); i++)
		if (walk_registry(&pl, &pl.insts[i]) < 0) {
			ret = pl.nomem ? ctx_set_error(ctx, OFFMIG_ENOMEM, 0,
			    "plan") : pl.cb_ret;
			goto out;
		}
	for (i = 0; i < pl.ninifiles; i++)
		if (walk_ini_file(&pl, pl.inifiles[i]) < 0) {
			ret = pl.nomem ? ctx_set_error(ctx, OFFMIG_ENOMEM, 0,
			    "plan") : pl.cb_ret;
			goto out;
		}
	summary(&pl, &ws);
	if (doc_status(pl.doc) != OFFMIG_OK || pl.nomem) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "plan");
		goto out;
	}
	*summaryp = pl.doc;
	pl.doc = NULL;
out:
	plan_release(&pl);
	return ret;
}

/*
 * A JSON string, escaped as the document writer (output.c) does: what is
 * not valid Unicode goes to Supplementary Private Use Area-B as a \\u
 * surrogate pair (a stray byte 0xXY as U+10DCXY, a lone surrogate U+DXYZ
 * as U+10DXYZ), so the output stays valid JSON and the original bytes can
 * be recovered.  Written straight to the stream: one object per selected
 * file must not cost an allocation.
 */
static void
json_str(FILE *fp, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len, i = 0, run = 0;

	if (str == NULL) {
		fputs("null", fp);
		return;
	}
	len = strlen(str);
	putc('"', fp);
	while (i < len) {
		uint32_t cp;
		size_t n;

		if (s[i] >= 0x20 && s[i] < 0x7F && s[i] != '"' && s[i] != '\\') {
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (n > 1 && !(cp >= 0xD800 && cp <= 0xDFFF)) {
			i += n;
			continue;
		}
		if (i > run)
			fwrite(s + run, 1, i - run, fp);
		if (n == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
			uint32_t pua = n == 0 ? 0x10DC00U + s[i] : 0x100000U + cp;

			fprintf(fp, "\\u%04x\\u%04x",
			    (unsigned)(0xD800 + ((pua - 0x10000) >> 10)),
			    (unsigned)(0xDC00 + ((pua - 0x10000) & 0x3FF)));
			i += n == 0 ? 1 : n;
		} else {
			if (cp == '"')
				fputs("\\\"", fp);
			else if (cp == '\\')
				fputs("\\\\", fp);
			else if (cp == '\n')
				fputs("\\n", fp);
			else if (cp == '\t')
				fputs("\\t", fp);
			else if (cp == '\r')
				fputs("\\r", fp);
			else
				fprintf(fp, "\\u%04x", (unsigned)cp);
			i += n;
		}
		run = i;
	}
	if (i > run)
		fwrite(s + run, 1, i - run, fp);
	putc('"', fp);
}

int
offmig_plan_item_json(FILE *fp, const struct offmig_plan_item *it)
{
	char t[32];

	fputs("{\"type\": ", fp);
	json_str(fp, it->type);
	fputs(", \"path\": ", fp);
	json_str(fp, it->path);
	fputs(", \"host_path\": ", fp);
	json_str(fp, it->host_path);
	fprintf(fp, ", \"size\": %" PRIu64 ", \"mtime\": ", it->size);
	if (iso8601(it->mtime, t, sizeof(t)) != NULL)
		fprintf(fp, "\"%s\"", t);
	else
		fputs("null", fp);
	fputs(", \"user\": ", fp);
	json_str(fp, it->user);
	fputs(", \"sid\": ", fp);
	json_str(fp, it->sid);
	fputs(", \"component\": ", fp);
	json_str(fp, it->component);
	fputs(", \"known_folder\": ", fp);
	json_str(fp, it->known_folder);
	fputs(", \"rule\": {\"file\": ", fp);
	json_str(fp, it->rule_file);
	fprintf(fp, ", \"line\": %ld, \"pattern\": ", it->rule_line);
	json_str(fp, it->rule_pattern);
	fprintf(fp, "}, \"tie\": %s", it->tie ? "true" : "false");
	if (it->value != NULL) {
		fputs(", \"value\": ", fp);
		json_str(fp, it->value);
	}
	fputs("}\n", fp);
	return ferror(fp) ? OFFMIG_EIO : OFFMIG_OK;
}

int
offmig_placement_json(FILE *fp, const struct offmig_placement *p)
{
	char kind[2] = { p->kind, '\0' };

	fprintf(fp, "{\"seq\": %" PRIu64 ", \"kind\": ", p->seq);
	json_str(fp, kind);
	fputs(", \"user\": ", fp);
	json_str(fp, p->user);
	fputs(", \"from\": ", fp);
	json_str(fp, p->from);
	fputs(", \"to\": ", fp);
	json_str(fp, p->to);
	fputs(", \"how\": ", fp);
	json_str(fp, p->how);
	fputc('}', fp);
	return ferror(fp) ? OFFMIG_EIO : OFFMIG_OK;
}

/* --explain */

#define MAX_TRACE	256

struct trace {
	unsigned	 group;
	enum rule_kind	 kind;
	const struct upat *pat;
	const struct rtag *tag;
	int		 won;
};

struct explain {
	struct plan	*pl;
	struct trace	 t[MAX_TRACE];
	size_t		 n;
};

static void
on_trace(void *arg, unsigned group, enum rule_kind kind,
    const struct upat *pat, const void *tag, int won)
{
	struct explain *x = arg;

	if (x->n == MAX_TRACE)
		return;
	x->t[x->n].group = group;
	x->t[x->n].kind = kind;
	x->t[x->n].pat = pat;
	x->t[x->n].tag = tag;
	x->t[x->n].won = won;
	x->n++;
}

/*
 * The rules traced, each with whether it won and, for a winning exclude,
 * whether an include of its group was exactly as specific (a tie).
 */
static void
add_matches(struct explain *x, struct offmig_doc *doc,
    struct offmig_node *arr)
{
	size_t i, j;

	for (i = 0; i < x->n; i++) {
		const struct trace *t = &x->t[i];
		const struct group *g = &x->pl->groups[t->group];
		struct offmig_node *o = doc_push_object(doc, arr);
		int tie = 0;

		for (j = 0; t->won && t->kind == RULE_EXCLUDE && j < x->n; j++)
			if (x->t[j].group == t->group &&
			    x->t[j].kind == RULE_INCLUDE &&
			    upat_specificity_cmp(x->t[j].pat, t->pat) == 0)
				tie = 1;
		doc_add_str(doc, o, "user", g->inst->p != NULL ? g->inst->who :
		    NULL);
		doc_add_str(doc, o, "sid", g->inst->p != NULL ?
		    g->inst->p->sid : NULL);
		doc_add_str(doc, o, "component", g->name);
		doc_add_str(doc, o, "kind", t->kind == RULE_INCLUDE ? "include" :
		    t->kind == RULE_EXCLUDE ? "exclude" : "unconditionalExclude");
		doc_add_str(doc, o, "pattern", upat_text(t->pat));
		doc_add_str(doc, o, "file", t->tag != NULL ?
		    t->tag->node->file->path : NULL);
		doc_add_int(doc, o, "line", t->tag != NULL ? t->tag->node->line :
		    0);
		doc_add_bool(doc, o, "won", t->won);
		doc_add_bool(doc, o, "tie", tie);
	}
	x->n = 0;
}

static void
add_selected(struct plan *pl, struct offmig_doc *doc, struct offmig_node *arr,
    const struct rule_hit *hits, size_t nh)
{
	size_t i;

	for (i = 0; i < nh && i < MAX_HITS; i++) {
		const struct rtag *t = hits[i].tag;
		const struct group *g = &pl->groups[hits[i].group];
		struct offmig_node *o = doc_push_object(doc, arr);

		doc_add_str(doc, o, "user", g->inst->p != NULL ? g->inst->who :
		    NULL);
		doc_add_str(doc, o, "component", g->name);
		doc_add_str(doc, o, "file", t != NULL ? t->node->file->path :
		    NULL);
		doc_add_int(doc, o, "line", t != NULL ? t->node->line : 0);
		doc_add_bool(doc, o, "tie", hits[i].tie);
	}
}

int
offmig_plan_explain(struct offmig_ctx *ctx, struct offmig_volume *vol,
    struct offmig_rules *rules, const struct offmig_filter *filter,
    const char *path, struct offmig_doc **docp)
{
	struct plan pl;
	struct explain x;
	struct offmig_doc *doc = NULL;
	struct offmig_node *root, *sel, *matches;
	struct rule_hit hits[MAX_HITS];
	char *node = NULL, *leaf = NULL;
	size_t nh, i;
	int ret, isreg = strncasecmp(path, "HK", 2) == 0;

	*docp = NULL;
	if ((ret = plan_prepare(&pl, ctx, vol, rules, filter, 0)) != OFFMIG_OK)
		goto out;
	if ((doc = doc_new()) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "explain");
		goto out;
	}
	root = doc_root_mut(doc);
	doc_add_str(doc, root, "path", path);
	x.pl = &pl;
	x.n = 0;
	matches = doc_add_array(doc, root, "matches");
	sel = doc_add_array(doc, root, "selected");
	if (isreg) {
		if (split_location(path, &node, &leaf) != 0) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno,
			    "explain");
			goto out;
		}
		for (i = 0; i < pl.ninst; i++) {
			struct walk_entry we;

			memset(&we, 0, sizeof(we));
			we.winpath = node;
			we.windir = node;
			we.name = leaf != NULL ? leaf : "";
			nh = ruleset_decide(pl.insts[i].reg, node, leaf, &we,
			    hits, MAX_HITS, on_trace, &x);
			add_matches(&x, doc, matches);
			add_selected(&pl, doc, sel, hits, nh);
		}
	} else if (strchr(path, '|') != NULL) {
		/* An INI key: "C:\x\a.ini|Section[key]". */
		const char *lb = strrchr(path, '[');
		size_t len = strlen(path);
		struct walk_entry we;

		if (lb == NULL || path[len - 1] != ']' ||
		    lb < strchr(path, '|')) {
			ret = ctx_set_error(ctx, OFFMIG_EINVAL, 0, "%s: an INI "
			    "key is written FILE|Section[key]", path);
			goto out;
		}
		if ((node = strndup(path, (size_t)(lb - path))) == NULL ||
		    (leaf = strndup(lb + 1, len - (size_t)(lb - path) - 2)) ==
		    NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno,
			    "explain");
			goto out;
		}
		memset(&we, 0, sizeof(we));
		we.winpath = node;
		we.windir = node;
		we.name = leaf;
		nh = ruleset_decide(pl.ini, node, leaf, &we, hits, MAX_HITS,
		    on_trace, &x);
		add_matches(&x, doc, matches);
		add_selected(&pl, doc, sel, hits, nh);
	} else {
		const char *bs = strrchr(path, '\\');
		char *host = NULL;
		struct stat st;
		struct walk_entry we;

		if (bs == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_EINVAL, 0, "%s: a Windows "
			    "path (C:\\...) or a registry location (HKCU\\... "
			    "[value]) is expected", path);
			goto out;
		}
		if ((node = strndup(path, (size_t)(bs - path))) == NULL ||
		    (leaf = strdup(bs + 1)) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno,
			    "explain");
			goto out;
		}
		memset(&we, 0, sizeof(we));
		we.winpath = path;
		we.windir = node;
		we.name = leaf;
		if (volume_resolve(vol, path, VPATH_ANY, &host, &st) ==
		    OFFMIG_OK) {
			we.host_path = host;
			we.st = &st;
			we.is_dir = S_ISDIR(st.st_mode);
			we.is_link = S_ISLNK(st.st_mode);
			doc_add_str(doc, root, "host_path", host);
		} else
			doc_add_null(doc, root, "host_path");
		doc_add_bool(doc, root, "exists", host != NULL);
		nh = ruleset_decide(pl.files, node, leaf, host != NULL ? &we :
		    NULL, hits, MAX_HITS, on_trace, &x);
		add_matches(&x, doc, matches);
		add_selected(&pl, doc, sel, hits, nh);
		free(host);
	}
	doc_add_copy(doc, root, "unsupported", pl.unsup);
	doc_add_copy(doc, root, "notes", pl.notes);
	if ((ret = doc_status(doc)) != OFFMIG_OK) {
		ret = ctx_set_error(ctx, ret, 0, "explain");
		goto out;
	}
	*docp = doc;
	doc = NULL;
out:
	free(node);
	free(leaf);
	offmig_doc_free(doc);
	plan_release(&pl);
	return ret;
}

/* --genconfig */

static void
xml_escape(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		default:
			fputc(*s, fp);
		}
}

/* 1 when some instance of comp was detected. */
static int
comp_detected(const struct plan *pl, const struct ux_node *comp)
{
	size_t i;

	for (i = 0; i < pl->ngroups; i++)
		if (pl->groups[i].comp == comp && pl->groups[i].detected)
			return 1;
	return 0;
}

static void
write_components(struct plan *pl, FILE *fp, const struct ux_node *parent,
    const char *urlid, const char *group, int depth, struct offmig_doc *doc,
    struct offmig_node *arr)
{
	const struct ux_node *c, *r;

	for (c = parent->first; c != NULL; c = c->next) {
		const char *type;
		int inner;

		if (c->kind == UX_ROLE) {
			write_components(pl, fp, c, urlid, group, depth, doc,
			    arr);
			continue;
		}
		if (c->kind != UX_COMPONENT)
			continue;
		type = ux_attr(c, "type");
		if (depth == 0 && strcmp(group, type == NULL ||
		    strcasecmp(type, "Application") == 0 ? "Applications" :
		    strcasecmp(type, "Documents") == 0 ? "Documents" :
		    "WindowsComponents") != 0)
			continue;
		if (!comp_detected(pl, c))
			continue;
		{
			struct offmig_node *o = doc_push_object(doc, arr);

			doc_add_str(doc, o, "name", comp_name(c));
			doc_add_str(doc, o, "type", type);
			doc_add_str(doc, o, "group", group);
		}
		fprintf(fp, "%*s<component displayname=\"", 4 + 2 * depth, "");
		xml_escape(fp, comp_name(c));
		fputs("\" migrate=\"yes\" ID=\"", fp);
		xml_escape(fp, urlid != NULL ? urlid : "");
		fputc('/', fp);
		xml_escape(fp, comp_name(c));
		fputc('"', fp);
		inner = 0;
		for (r = ux_child(c, UX_ROLE); r != NULL && !inner;
		    r = ux_next(r, UX_ROLE))
			inner = ux_child(r, UX_COMPONENT) != NULL;
		if (!inner) {
			fputs("/>\n", fp);
			continue;
		}
		fputs(">\n", fp);
		write_components(pl, fp, c, urlid, group, depth + 1, doc, arr);
		fprintf(fp, "%*s</component>\n", 4 + 2 * depth, "");
	}
}

int
offmig_plan_genconfig(struct offmig_ctx *ctx, struct offmig_volume *vol,
    struct offmig_rules *rules, const struct offmig_filter *filter,
    const char *out, struct offmig_doc **docp)
{
	static const char *const groups[] = { "Applications", "Documents",
	    "WindowsComponents" };
	struct plan pl;
	struct offmig_doc *doc = NULL;
	struct offmig_node *arr;
	char *tmp = NULL;
	FILE *fp = NULL;
	size_t g, i;
	int ret, fd = -1;

	if (docp != NULL)
		*docp = NULL;
	if ((ret = plan_prepare(&pl, ctx, vol, rules, filter,
	    OFFMIG_PLAN_NO_FILES | OFFMIG_PLAN_NO_REGISTRY)) != OFFMIG_OK)
		goto out;
	if ((doc = doc_new()) == NULL || (tmp = str_printf("%s.tmp-%ld", out,
	    (long)getpid())) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", out);
		goto out;
	}
	arr = doc_add_array(doc, doc_root_mut(doc), "components");
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0644)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
		goto out;
	}
	fd = -1;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!-- Written by offmig plan (genconfig): the components whose "
	    "detects hold on this volume. -->\n<Configuration>\n", fp);
	for (g = 0; g < 3; g++) {
		fprintf(fp, "  <%s>\n", groups[g]);
		for (i = 0; i < pl.set->nfiles; i++)
			if (!pl.set->files[i]->skipped)
				write_components(&pl, fp, pl.set->files[i]->root,
				    pl.set->files[i]->urlid, groups[g], 0, doc,
				    arr);
		fprintf(fp, "  </%s>\n", groups[g]);
	}
	fputs("</Configuration>\n", fp);
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
		goto out;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
		goto out;
	}
	fp = NULL;
	if (rename(tmp, out) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", out);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	if ((ret = doc_status(doc)) != OFFMIG_OK) {
		ret = ctx_set_error(ctx, ret, 0, "%s", out);
		goto out;
	}
	if (docp != NULL) {
		doc_add_copy(doc, doc_root_mut(doc), "unsupported", pl.unsup);
		*docp = doc;
		doc = NULL;
	}
out:
	if (fp != NULL)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	offmig_doc_free(doc);
	plan_release(&pl);
	return ret;
}
