/*
 * genxml.c - "offmig xml": USMT migration XML tailored to one offline
 * machine, written with libxml2's xmlTextWriter so that every name from the
 * disk is escaped by the writer, never by hand.
 *
 * Three files go into the output directory: offmig-user.xml (the known
 * folders that hold data, browser profiles, data folders outside the
 * profiles and system folders), offmig-apps.xml (the applications offmig
 * knows how to migrate, with WOW64-aware detections) and config.xml (every
 * component, migrate="yes").  Each component carries a comment saying why
 * it is there; its counts come from evaluating the very patterns written,
 * on this volume, with the walker below (openat/fstatat, no symbolic link
 * ever followed, bounded), so that an evaluator that follows USMT's rules
 * selects exactly what the comments say.
 *
 * Nothing is written to the volume: it is only read through the reports and
 * vpath_resolve(); the output directory must lie outside it.  Each file is
 * written atomically (temporary file in the directory, fsync, rename, fsync
 * of the directory).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate/xmllib.h"
#include "profiles/profiles.h"

#define URL_BASE	"http://offmig.example/migxml/"
#define F_USER		"offmig-user.xml"
#define F_APPS		"offmig-apps.xml"
#define F_CONFIG	"config.xml"

/* Caps on what a hostile or huge volume could make us do. */
#define MAX_DEPTH	64		/* directory levels below a pattern */
#define MAX_ENTRIES	4000000UL	/* entries looked at in one run */
#define MAX_SCAN_DEPTH	24		/* the PST search below the root */
#define MAX_REG_KEYS	200000UL	/* registry keys counted in one run */
#define MAX_HOSTPATH	8192		/* bytes of a host path while walking */

enum ptype {
	PT_TREE = 0,	/* node\* [*]: the folder and everything below */
	PT_FILE,	/* node [leaf]: one file */
	PT_REG		/* key\* [*]: a registry key and everything below */
};

/*
 * One pattern.  var is a USMT variable ("CSIDL_PERSONAL") or NULL for an
 * explicit path on the system drive (node is then the path after "C:\") or
 * a registry key (node starts with HKCU or HKLM).  node and leaf hold the
 * names as they are on the disk, '\'-separated; the XML form is made from
 * them by pattern_text().
 */
struct gpat {
	enum ptype	 type;
	int		 reg;		/* a registry location */
	const char	*var;
	char		*node;
	char		*leaf;
};

/* A DoesObjectExist detection ("File" or "Registry") on an object. */
struct gdet {
	int		 reg;
	char		*text;		/* the pattern, already in XML form */
};

struct gcomp {
	int		 apps;		/* in offmig-apps.xml, else user */
	char		*name;		/* displayName */
	char		*id;		/* config.xml ID: urlid/slug */
	const char	*type;		/* Documents | Application */
	const char	*context;	/* User | System */
	const char	*role;		/* Data | Settings */
	int		 wow;		/* refers to the WOW64 environments */
	char		*reason;	/* the first line of the comment */
	struct gpat	*inc, *exc;
	size_t		 ninc, nexc;
	struct gdet	*det;
	size_t		 ndet;
	int64_t		 files, bytes, values, users, docs;
	char		*detail;	/* per-user counts, for the comment */
	size_t		 detail_len;
};

struct guser {
	const char	*sid, *user, *status;
	const char	*host;		/* profile folder, relative to the root */
	const struct offmig_node *folders;
	const struct offmig_node *browsers;
	const struct profile *p;	/* for the user hive, or NULL */
};

struct found {
	char		**dir;		/* '\'-separated, "" for the root */
	char		**leaf;
	size_t		 n;
};

struct gen {
	struct offmig_ctx *ctx;
	struct offmig_volume *vol;
	struct offmig_doc *fdoc, *adoc, *odoc;	/* folders, apps, os reports */
	struct guser	*users;
	size_t		 nusers;
	const struct offmig_node *common;	/* folders report "common"[] */
	int		 x64;		/* the installation is 64-bit */
	char		*computer;	/* for the urlids, URI-encoded */
	char		*url_user, *url_apps;
	struct gcomp	*c;
	size_t		 nc;
	/* Omitted candidates: "name: why". */
	char		**omit;
	size_t		 nomit;
	const char	**omit_file;
	/* Host paths of folders redirected on the volume (data folders skip them). */
	char		**redirects;
	size_t		 nredirects;
	struct found	*pst;		/* .pst files outside the profiles */
	unsigned long	 entries;	/* walker budget used */
	unsigned long	 regkeys;
	int		 truncated;	/* a budget ran out */
	int		 oom;
};

/* ---------------------------------------------------------------- utils */

static void *
grow(struct gen *g, void *v, size_t n, size_t size)
{
	void *p = realloc(v, (n + 1) * size);

	if (p == NULL)
		g->oom = 1;
	return p;
}

static char *
xdup(struct gen *g, const char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		g->oom = 1;
	return p;
}

static char *
xprintf(struct gen *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *
xprintf(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		s = NULL;
		g->oom = 1;
	}
	va_end(ap);
	return s;
}

/* '/' to '\' in place. */
static char *
to_win(char *s)
{
	char *c;

	for (c = s; c != NULL && *c != '\0'; c++)
		if (*c == '/')
			*c = '\\';
	return s;
}

/* "a\b" to "a/b" (a new string), for vpath_resolve(). */
static char *
to_host(struct gen *g, const char *s)
{
	char *p = xdup(g, s), *c;

	for (c = p; c != NULL && *c != '\0'; c++)
		if (*c == '\\')
			*c = '/';
	return p;
}

/*
 * Length of the next character of s that XML 1.0 can carry (valid UTF-8,
 * no surrogate, no control character but tab, LF and CR, not U+FFFE or
 * U+FFFF), or 0 when the byte at s cannot be written.
 */
static size_t
xml_char(const char *s)
{
	uint32_t cp;
	size_t n = utf8_decode((const unsigned char *)s, strlen(s), &cp);

	if (n == 0)
		return 0;
	if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
		return 0;
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF ||
	    (cp >= 0x7F && cp <= 0x9F))
		return 0;
	return n;
}

/*
 * Text from the disk for a comment or a display name: every character
 * XML cannot carry becomes "\xHH" for each of its bytes, so nothing is lost
 * and the writer never sees a byte it would reject.  Comments also lose
 * "--" and a trailing '-', which XML forbids in them.
 */
static char *
xml_text(struct gen *g, const char *s, int comment)
{
	size_t len = strlen(s), i = 0, o = 0;
	char *out = malloc(len * 4 + 2);

	if (out == NULL) {
		g->oom = 1;
		return NULL;
	}
	while (s[i] != '\0') {
		size_t n = xml_char(s + i);

		if (n == 0) {
			o += (size_t)sprintf(out + o, "\\x%02X",
			    (unsigned char)s[i]);
			i++;
			continue;
		}
		if (comment && s[i] == '-' && o > 0 && out[o - 1] == '-')
			out[o++] = ' ';
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	if (comment && o > 0 && out[o - 1] == '-')
		out[o++] = ' ';
	out[o] = '\0';
	return out;
}

/*
 * Appends one name of a pattern.  In a node, a character that XML cannot
 * carry or that the pattern syntax gives a meaning ('[', ']', '^', '%',
 * '"' in a helper argument) becomes '*', USMT's only wildcard, which still
 * matches it.  In a leaf '[', ']' and '^' are escaped with '^' as USMT
 * documents; the others become '*' too.
 */
static void
put_name(char *out, size_t *o, const char *s, int leaf, int arg)
{
	size_t i = 0;

	while (s[i] != '\0') {
		size_t n = xml_char(s + i);
		char c = s[i];

		if (n == 0) {
			/* One '*' for a run of them: "a**b" means "a*b". */
			if (*o == 0 || out[*o - 1] != '*')
				out[(*o)++] = '*';
			i++;
			/* Skip the rest of an invalid sequence's bytes. */
			while ((s[i] & 0xC0) == 0x80 && xml_char(s + i) == 0)
				i++;
			continue;
		}
		if (leaf && (c == '[' || c == ']' || c == '^')) {
			out[(*o)++] = '^';
			out[(*o)++] = c;
		} else if (c == '[' || c == ']' || c == '^' || c == '%' ||
		    (arg && c == '"')) {
			if (*o == 0 || out[*o - 1] != '*')
				out[(*o)++] = '*';
		}
		else {
			memcpy(out + *o, s + i, n);
			*o += n;
		}
		i += n;
	}
}

/*
 * The XML text of a pattern: "%VAR%\node\* [*]", "C:\node [leaf]",
 * "HKCU\Software\7-Zip\* [*]".  arg: for a helper argument in double
 * quotes.
 */
static char *
pattern_text(struct gen *g, const struct gpat *p, int arg)
{
	size_t len = (p->var != NULL ? strlen(p->var) : 0) + strlen(p->node) +
	    (p->leaf != NULL ? strlen(p->leaf) * 2 : 0) + 16;
	char *out = malloc(len * 2), *seg;
	size_t o = 0;
	int reg = p->reg || p->type == PT_REG;

	if (out == NULL) {
		g->oom = 1;
		return NULL;
	}
	if (p->var != NULL)
		o += (size_t)sprintf(out, "%%%s%%", p->var);
	else if (!reg)
		o += (size_t)sprintf(out, "%c:", g->vol->sysdrive);
	/* Each component separately: '\' stays the separator. */
	seg = xdup(g, p->node);
	if (seg != NULL) {
		char *save = NULL, *c;
		int first = 1;

		for (c = strtok_r(seg, "\\", &save); c != NULL;
		    c = strtok_r(NULL, "\\", &save)) {
			if (!first || p->var != NULL || !reg)
				out[o++] = '\\';
			first = 0;
			put_name(out, &o, c, 0, arg);
		}
		free(seg);
	}
	if (p->type == PT_FILE) {
		/* "C:" alone is the current directory of C:; the root is "C:\". */
		if (!reg && p->var == NULL && o == 2)
			out[o++] = '\\';
		out[o++] = ' ';
		out[o++] = '[';
		put_name(out, &o, p->leaf, 1, arg);
		out[o++] = ']';
	} else {
		if (o == 0 || out[o - 1] != '\\')
			out[o++] = '\\';
		memcpy(out + o, "* [*]", 5);
		o += 5;
	}
	out[o] = '\0';
	return out;
}

/* A slug for IDs: lower-case ASCII letters and digits, '-' between words. */
static char *
slug(struct gen *g, const char *s)
{
	char *out = malloc(strlen(s) + 2);
	size_t o = 0;

	if (out == NULL) {
		g->oom = 1;
		return NULL;
	}
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[o++] = (char)c;
		else if (c >= 'A' && c <= 'Z')
			out[o++] = (char)(c - 'A' + 'a');
		else if (c == '+')
			out[o++] = 'p';
		else if (o > 0 && out[o - 1] != '-')
			out[o++] = '-';
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	if (o == 0)
		out[o++] = 'x';
	out[o] = '\0';
	return out;
}

/* Percent-encodes everything but RFC 3986's unreserved characters. */
static char *
uri_encode(struct gen *g, const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1);
	size_t o = 0;

	if (out == NULL) {
		g->oom = 1;
		return NULL;
	}
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			out[o++] = (char)c;
		else
			o += (size_t)sprintf(out + o, "%%%02X", c);
	}
	out[o] = '\0';
	return out;
}

/* Case-insensitive "s starts with prefix" as Windows compares names. */
static int
wprefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	char *head;
	int r;

	if (strlen(s) < n || (head = strndup(s, n)) == NULL)
		return 0;
	r = wstrcasecmp(head, prefix) == 0;
	free(head);
	return r;
}

/* ------------------------------------------------------------ the model */

static struct gcomp *
comp_new(struct gen *g, int apps, const char *name, const char *type,
    const char *context, const char *role)
{
	struct gcomp *c, *v;
	char *s;
	size_t i, n = 1;

	if ((v = grow(g, g->c, g->nc, sizeof(*g->c))) == NULL)
		return NULL;
	g->c = v;
	c = &g->c[g->nc++];
	memset(c, 0, sizeof(*c));
	c->apps = apps;
	/* config.xml takes no wildcards: a '*' from the disk becomes '_'. */
	if ((c->name = xml_text(g, name, 0)) != NULL)
		for (s = c->name; *s != '\0'; s++)
			if (*s == '*')
				*s = '_';
	c->type = type;
	c->context = context;
	c->role = role;
	/* IDs are unique: a second "documents" becomes "documents-2". */
	s = slug(g, name);
	c->id = xprintf(g, "%s/%s", apps ? g->url_apps : g->url_user,
	    s != NULL ? s : "x");
	for (i = 0; c->id != NULL && i + 1 < g->nc; i++)
		if (g->c[i].id != NULL && strcmp(g->c[i].id, c->id) == 0) {
			free(c->id);
			c->id = xprintf(g, "%s/%s-%zu", apps ? g->url_apps :
			    g->url_user, s != NULL ? s : "x", ++n);
			i = (size_t)-1;
		}
	free(s);
	/* Display names are unique in a file: "Pictures of bob (redirected) (2)". */
	for (i = 0, n = 1; c->name != NULL && i + 1 < g->nc; i++)
		if (g->c[i].apps == apps && g->c[i].name != NULL &&
		    strcmp(g->c[i].name, c->name) == 0) {
			char *nn = xprintf(g, "%s (%zu)", g->c[i].name, ++n);

			if (nn == NULL)
				break;
			free(c->name);
			c->name = nn;
			i = (size_t)-1;
		}
	return c;
}

static struct gpat *
add_pat(struct gen *g, struct gpat **arr, size_t *n, enum ptype type,
    const char *var, const char *node, const char *leaf)
{
	struct gpat *v, *p;

	if ((v = grow(g, *arr, *n, sizeof(**arr))) == NULL)
		return NULL;
	*arr = v;
	p = &v[(*n)++];
	p->type = type;
	p->reg = type == PT_REG;
	p->var = var;
	p->node = xdup(g, node != NULL ? node : "");
	p->leaf = xdup(g, leaf);
	return p;
}

#define INC(c, t, var, node, leaf) \
	add_pat(g, &(c)->inc, &(c)->ninc, (t), (var), (node), (leaf))
#define EXC(c, t, var, node, leaf) \
	add_pat(g, &(c)->exc, &(c)->nexc, (t), (var), (node), (leaf))

static void
add_det(struct gen *g, struct gcomp *c, int reg, const struct gpat *p)
{
	struct gdet *v;
	size_t i;
	char *t = pattern_text(g, p, 1);

	if (t == NULL)
		return;
	for (i = 0; i < c->ndet; i++)
		if (strcmp(c->det[i].text, t) == 0) {
			free(t);
			return;
		}
	if ((v = grow(g, c->det, c->ndet, sizeof(*c->det))) == NULL) {
		free(t);
		return;
	}
	c->det = v;
	v[c->ndet].reg = reg;
	v[c->ndet++].text = t;
}

static void
detail(struct gen *g, struct gcomp *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
detail(struct gen *g, struct gcomp *c, const char *fmt, ...)
{
	va_list ap;
	char *s, *n;
	size_t len;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		va_end(ap);
		g->oom = 1;
		return;
	}
	va_end(ap);
	len = strlen(s);
	if ((n = realloc(c->detail, c->detail_len + len + 3)) == NULL) {
		free(s);
		g->oom = 1;
		return;
	}
	c->detail = n;
	if (c->detail_len > 0) {
		memcpy(n + c->detail_len, "; ", 2);
		c->detail_len += 2;
	}
	memcpy(n + c->detail_len, s, len + 1);
	c->detail_len += len;
	free(s);
}

static void
omit(struct gen *g, int apps, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
omit(struct gen *g, int apps, const char *fmt, ...)
{
	va_list ap;
	const char **f;
	char **v, *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		va_end(ap);
		g->oom = 1;
		return;
	}
	va_end(ap);
	if ((v = grow(g, g->omit, g->nomit, sizeof(*v))) == NULL) {
		free(s);
		return;
	}
	g->omit = v;
	if ((f = grow(g, g->omit_file, g->nomit, sizeof(*f))) == NULL) {
		free(s);
		return;
	}
	g->omit_file = f;
	f[g->nomit] = apps ? F_APPS : F_USER;
	v[g->nomit++] = s;
}

static void
comp_release(struct gcomp *c)
{
	size_t i;

	for (i = 0; i < c->ninc; i++) {
		free(c->inc[i].node);
		free(c->inc[i].leaf);
	}
	for (i = 0; i < c->nexc; i++) {
		free(c->exc[i].node);
		free(c->exc[i].leaf);
	}
	for (i = 0; i < c->ndet; i++)
		free(c->det[i].text);
	free(c->inc);
	free(c->exc);
	free(c->det);
	free(c->name);
	free(c->id);
	free(c->reason);
	free(c->detail);
}

/* ----------------------------------------------------------- the walker */

struct walk {
	int64_t		 files, bytes, docs;
	char		**excl;		/* host paths not to enter */
	size_t		 nexcl;
};

/* Extensions of documents, for telling a data folder from the rest. */
static const char *const doc_ext[] = {
	"doc", "docx", "docm", "dot", "dotx", "rtf", "txt", "pdf", "odt",
	"ods", "odp", "odg", "xls", "xlsx", "xlsm", "xlsb", "csv", "ppt",
	"pptx", "pps", "ppsx", "pub", "vsd", "vsdx", "mpp", "one", "accdb",
	"mdb", "pst", "wpd", "wps", "md", "tex", "xml", "htm", "html",
	NULL
};

static int
is_doc(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot == NULL || dot == name)
		return 0;
	for (i = 0; doc_ext[i] != NULL; i++)
		if (strcasecmp(dot + 1, doc_ext[i]) == 0)
			return 1;
	return 0;
}

static int
excluded(const struct walk *w, const char *host)
{
	size_t i;

	for (i = 0; i < w->nexcl; i++)
		if (strcmp(w->excl[i], host) == 0)
			return 1;
	return 0;
}

/*
 * Counts the regular files below the open directory dfd (host path in
 * path[0..len)), skipping excluded directories; never follows a symbolic
 * link; closes dfd.
 */
static void
walk_dir(struct gen *g, int dfd, char *path, size_t len, int depth,
    struct walk *w)
{
	struct dirent *de;
	DIR *dir;

	if ((dir = fdopendir(dfd)) == NULL) {
		ctx_log(g->ctx, OFFMIG_LOG_WARN, "%s: %s", path, strerror(errno));
		close(dfd);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		struct stat st;
		size_t n = strlen(de->d_name);
		int sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (++g->entries > MAX_ENTRIES) {
			g->truncated = 1;
			break;
		}
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0) {
			ctx_log(g->ctx, OFFMIG_LOG_WARN, "%s/%s: %s", path,
			    de->d_name, strerror(errno));
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			/* A file an exclude names (a .pst another takes). */
			if (w->nexcl > 0 && len + 1 + n + 1 <= MAX_HOSTPATH) {
				int ex;

				path[len] = '/';
				memcpy(path + len + 1, de->d_name, n + 1);
				ex = excluded(w, path);
				path[len] = '\0';
				if (ex)
					continue;
			}
			w->files++;
			w->bytes += (int64_t)st.st_size;
			w->docs += is_doc(de->d_name);
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (len + 1 + n + 1 > MAX_HOSTPATH || depth >= MAX_DEPTH) {
			g->truncated = 1;
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		if (!excluded(w, path)) {
			if ((sub = openat(dirfd(dir), de->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
				ctx_log(g->ctx, OFFMIG_LOG_WARN, "%s: %s", path,
				    strerror(errno));
			else
				walk_dir(g, sub, path, len + 1 + n, depth + 1, w);
		}
		path[len] = '\0';
	}
	closedir(dir);
}

/* Resolves a host path (relative to the root; "" is the root itself). */
static int
resolve(struct gen *g, const char *rel, enum vpath_want want, int *fdp,
    char **hostp, struct stat *stp)
{
	struct offmig_ctx quiet;
	int ret;

	memset(&quiet, 0, sizeof(quiet));
	if (rel[0] == '\0') {
		if (fdp != NULL && (*fdp = openat(g->vol->rootfd, ".", O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC)) < 0)
			return OFFMIG_EIO;
		if (hostp != NULL)
			*hostp = xdup(g, "");
		return OFFMIG_OK;
	}
	ret = vpath_resolve(&quiet, g->vol->rootfd, rel, want, fdp, hostp, stp);
	if (ret != OFFMIG_OK && ret != OFFMIG_ENOTFOUND)
		ctx_log(g->ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(&quiet));
	return ret;
}

/* ---------------------------------------------------- evaluating patterns */

/* Host path of a user variable for one user, or NULL. */
static const char *
user_var(const struct guser *u, const char *var)
{
	size_t i, n = offmig_node_len(u->folders);

	if (strcmp(var, "USERPROFILE") == 0 || strcmp(var, "CSIDL_PROFILE") == 0)
		return u->host;
	for (i = 0; i < n; i++) {
		const struct offmig_node *f = offmig_node_at(u->folders, i);
		const char *cs = offmig_node_get_str(f, "csidl");

		if (cs != NULL && strcmp(cs, var) == 0)
			return offmig_node_get_str(f, "host_path");
	}
	return NULL;
}

/* Host path of a system variable or NULL; "" is the root. */
static const char *
sys_var(const struct gen *g, const char *var)
{
	size_t i, n = offmig_node_len(g->common);

	if (strcmp(var, "SYSTEMDRIVE") == 0)
		return "";
	for (i = 0; i < n; i++) {
		const struct offmig_node *f = offmig_node_at(g->common, i);
		const char *cs = offmig_node_get_str(f, "csidl");

		if (cs != NULL && strcmp(cs, var) == 0)
			return offmig_node_get_str(f, "host_path");
	}
	return NULL;
}

/*
 * Host path (to be resolved) of a file pattern's node for one user (u) or
 * the system (u NULL), or NULL when its variable has no value here.
 */
static char *
pat_base(struct gen *g, const struct gpat *p, const struct guser *u)
{
	const char *base;
	char *node, *r;

	if (p->var == NULL)
		base = "";
	else if ((base = u != NULL ? user_var(u, p->var) : sys_var(g, p->var))
	    == NULL)
		return NULL;
	if ((node = to_host(g, p->node)) == NULL)
		return NULL;
	if (base[0] == '\0')
		r = xdup(g, node);
	else if (node[0] == '\0')
		r = xdup(g, base);
	else
		r = xprintf(g, "%s/%s", base, node);
	free(node);
	return r;
}

static void
walk_release(struct walk *w)
{
	size_t i;

	for (i = 0; i < w->nexcl; i++)
		free(w->excl[i]);
	free(w->excl);
	memset(w, 0, sizeof(*w));
}

static void
walk_exclude(struct gen *g, struct walk *w, const char *host)
{
	char **v;

	if ((v = grow(g, w->excl, w->nexcl, sizeof(*v))) == NULL)
		return;
	w->excl = v;
	if ((v[w->nexcl] = xdup(g, host)) != NULL)
		w->nexcl++;
}

/*
 * What the file patterns of a component select for one user (or the
 * system): includes minus the folders its tree excludes name, with USMT's
 * precedence (an exclude as specific as the include wins; an include below
 * an excluded folder is more specific and wins).
 */
static void
eval_files(struct gen *g, struct gcomp *c, const struct guser *u,
    struct walk *w)
{
	char path[MAX_HOSTPATH];
	size_t i, j;

	for (i = 0; i < c->nexc; i++) {
		const struct gpat *x = &c->exc[i];
		char *b, *host = NULL, *rel;

		if ((x->type != PT_TREE && x->type != PT_FILE) ||
		    (b = pat_base(g, x, u)) == NULL)
			continue;
		if (x->type == PT_TREE) {
			if (resolve(g, b, VPATH_DIR, NULL, &host, NULL) ==
			    OFFMIG_OK)
				walk_exclude(g, w, host);
		} else {
			rel = b[0] != '\0' ? xprintf(g, "%s/%s", b, x->leaf) :
			    xdup(g, x->leaf);
			if (rel != NULL && resolve(g, rel, VPATH_FILE, NULL,
			    &host, NULL) == OFFMIG_OK)
				walk_exclude(g, w, host);
			free(rel);
		}
		free(host);
		free(b);
	}
	for (i = 0; i < c->ninc; i++) {
		const struct gpat *p = &c->inc[i];
		char *b, *host = NULL, *rel;
		struct stat st;
		int fd;

		if (p->type == PT_REG || (b = pat_base(g, p, u)) == NULL)
			continue;
		if (p->type == PT_FILE) {
			rel = b[0] != '\0' ? xprintf(g, "%s/%s", b, p->leaf) :
			    xdup(g, p->leaf);
			if (rel != NULL && resolve(g, rel, VPATH_FILE, NULL, NULL,
			    &st) == OFFMIG_OK && S_ISREG(st.st_mode)) {
				w->files++;
				w->bytes += (int64_t)st.st_size;
				w->docs += is_doc(p->leaf);
			}
			free(rel);
			free(b);
			continue;
		}
		if (resolve(g, b, VPATH_DIR, &fd, &host, NULL) == OFFMIG_OK) {
			int skip = 0;

			for (j = 0; j < w->nexcl; j++)
				if (strcmp(w->excl[j], host) == 0)
					skip = 1;
			if (skip || strlen(host) + 1 > sizeof(path))
				close(fd);
			else {
				memcpy(path, host, strlen(host) + 1);
				walk_dir(g, fd, path, strlen(path), 0, w);
			}
		}
		free(host);
		free(b);
	}
}

/* Counts the values of a key and all below it (bounded). */
static void
count_reg(struct gen *g, struct hive *h, hnode k, int depth, int64_t *vals)
{
	struct offmig_ctx quiet;
	char **names = NULL;
	hnode *kids = NULL;
	size_t n = 0, i;

	memset(&quiet, 0, sizeof(quiet));
	if (++g->regkeys > MAX_REG_KEYS || depth > MAX_DEPTH) {
		g->truncated = 1;
		return;
	}
	if (hive_value_names(&quiet, h, k, &names) == OFFMIG_OK) {
		for (i = 0; names[i] != NULL; i++)
			(*vals)++;
		hive_strv_free(names);
	}
	if (hive_children(&quiet, h, k, &kids, &n) == OFFMIG_OK)
		for (i = 0; i < n; i++)
			count_reg(g, h, kids[i], depth + 1, vals);
	free(kids);
}

/* The HKCU patterns of a component for one user: objects selected. */
static int64_t
eval_reg(struct gen *g, struct gcomp *c, const struct guser *u)
{
	struct offmig_ctx quiet;
	struct hive *h;
	int64_t vals = 0;
	size_t i;

	memset(&quiet, 0, sizeof(quiet));
	if (u->p == NULL || !u->p->hive_present ||
	    volume_user_hive(g->vol, u->p, &h) != OFFMIG_OK)
		return 0;
	for (i = 0; i < c->ninc; i++) {
		hnode k;

		if (c->inc[i].type != PT_REG ||
		    strncmp(c->inc[i].node, "HKCU\\", 5) != 0)
			continue;
		if (hive_lookup(&quiet, h, 0, c->inc[i].node + 5, &k) ==
		    OFFMIG_OK)
			count_reg(g, h, k, 0, &vals);
	}
	return vals;
}

static const char *
who(const struct guser *u)
{
	return u->user != NULL ? u->user : u->sid;
}

/* Evaluates a component on the volume: counts and the per-user detail. */
static void
eval_comp(struct gen *g, struct gcomp *c)
{
	struct walk w;
	size_t i;

	if (strcmp(c->context, "System") == 0) {
		memset(&w, 0, sizeof(w));
		eval_files(g, c, NULL, &w);
		c->files = w.files;
		c->bytes = w.bytes;
		c->docs = w.docs;
		walk_release(&w);
		return;
	}
	for (i = 0; i < g->nusers; i++) {
		const struct guser *u = &g->users[i];
		int64_t v;

		memset(&w, 0, sizeof(w));
		eval_files(g, c, u, &w);
		v = eval_reg(g, c, u);
		c->files += w.files;
		c->bytes += w.bytes;
		c->docs += w.docs;
		c->values += v;
		if (w.files > 0 || v > 0) {
			c->users++;
			if (v > 0 && w.files > 0)
				detail(g, c, "%s%s%s: %lld files, %lld bytes, "
				    "%lld registry values", who(u),
				    strcmp(u->status, "ok") != 0 ? " " : "",
				    strcmp(u->status, "ok") != 0 ? u->status : "",
				    (long long)w.files, (long long)w.bytes,
				    (long long)v);
			else if (v > 0)
				detail(g, c, "%s%s%s: %lld registry values",
				    who(u), strcmp(u->status, "ok") != 0 ? " " :
				    "", strcmp(u->status, "ok") != 0 ? u->status :
				    "", (long long)v);
			else
				detail(g, c, "%s%s%s: %lld files, %lld bytes",
				    who(u), strcmp(u->status, "ok") != 0 ? " " :
				    "", strcmp(u->status, "ok") != 0 ? u->status :
				    "", (long long)w.files, (long long)w.bytes);
		}
		walk_release(&w);
	}
}

/* ------------------------------------------------------ user components */

/* The data folders of a profile and of the machine, in this order. */
struct datafolder {
	const char	*name;		/* folders report "name" */
	const char	*display;
	const char	*var;		/* USMT variable */
	const char	*node;		/* below var */
	const char	*exclude[3];	/* nested known folders' variables */
};

static const struct datafolder user_data[] = {
	{ "Desktop", "Desktop", "CSIDL_DESKTOPDIRECTORY", "", { NULL } },
	{ "Personal", "Documents", "CSIDL_PERSONAL", "",
	    { "CSIDL_MYPICTURES", "CSIDL_MYMUSIC", "CSIDL_MYVIDEO" } },
	/* USMT has no user variable for Downloads (FOLDERID_Downloads). */
	{ "{374DE290-123F-4565-9164-39C4925E467B}", "Downloads",
	    "USERPROFILE", "Downloads", { NULL } },
	{ "My Pictures", "Pictures", "CSIDL_MYPICTURES", "", { NULL } },
	{ "My Music", "Music", "CSIDL_MYMUSIC", "", { NULL } },
	{ "My Video", "Videos", "CSIDL_MYVIDEO", "", { NULL } },
	{ "Favorites", "Favorites", "CSIDL_FAVORITES", "", { NULL } },
};

static const struct datafolder common_data[] = {
	{ "Common Desktop", "Public Desktop", "CSIDL_COMMON_DESKTOPDIRECTORY",
	    "", { NULL } },
	{ "Common Documents", "Public Documents", "CSIDL_COMMON_DOCUMENTS", "",
	    { "CSIDL_COMMON_PICTURES", "CSIDL_COMMON_MUSIC",
	    "CSIDL_COMMON_VIDEO" } },
	{ "CommonPictures", "Public Pictures", "CSIDL_COMMON_PICTURES", "",
	    { NULL } },
	{ "CommonMusic", "Public Music", "CSIDL_COMMON_MUSIC", "", { NULL } },
	{ "CommonVideo", "Public Videos", "CSIDL_COMMON_VIDEO", "", { NULL } },
	{ "Common Favorites", "Public Favorites", "CSIDL_COMMON_FAVORITES", "",
	    { NULL } },
};

static const struct offmig_node *
find_folder(const struct offmig_node *arr, const char *name)
{
	size_t i, n = offmig_node_len(arr);

	for (i = 0; i < n; i++) {
		const struct offmig_node *f = offmig_node_at(arr, i);
		const char *fn = offmig_node_get_str(f, "name");

		if (fn != NULL && strcmp(fn, name) == 0)
			return f;
	}
	return NULL;
}

static int
node_true(const struct offmig_node *o, const char *key)
{
	const struct offmig_node *n = offmig_node_get(o, key);

	return n != NULL && offmig_node_int(n) != 0;
}

/* Path after the drive ("C:\x\y" -> "x\y"), or NULL when not on C:. */
static const char *
after_drive(struct gen *g, const char *win)
{
	const char *rest;

	if (winpath_classify(win, g->vol->sysdrive, &rest) !=
	    WINPATH_SYSTEM_DRIVE)
		return NULL;
	return rest;
}

/* Removes a component that selects nothing, noting why. */
static void
drop_if_empty(struct gen *g, const char *what)
{
	struct gcomp *c = &g->c[g->nc - 1];

	if (c->files > 0 || c->values > 0)
		return;
	omit(g, c->apps, "%s: %s", c->name != NULL ? c->name : "?", what);
	comp_release(c);
	g->nc--;
}

static void
user_folders(struct gen *g)
{
	size_t i, j, k;

	for (i = 0; i < sizeof(user_data) / sizeof(user_data[0]); i++) {
		const struct datafolder *d = &user_data[i];
		struct gcomp *c;
		char *elsewhere = NULL;
		size_t nelse = 0;

		if ((c = comp_new(g, 0, d->display, "Documents", "User",
		    "Data")) == NULL)
			return;
		INC(c, PT_TREE, d->var, d->node, NULL);
		for (k = 0; k < 3 && d->exclude[k] != NULL; k++)
			EXC(c, PT_TREE, d->exclude[k], "", NULL);
		/*
		 * A folder redirected elsewhere on the volume gets its own
		 * component with the explicit path; it is excluded here so
		 * that the variable (which follows the redirection) does not
		 * select it a second time.
		 */
		for (j = 0; j < g->nusers; j++) {
			const struct offmig_node *f =
			    find_folder(g->users[j].folders, d->name);
			const char *path = offmig_node_get_str(f, "path");
			const char *kind = offmig_node_get_str(f,
			    "redirect_kind");
			const char *rest;
			char *s;

			if (f == NULL || !node_true(f, "redirected") || path ==
			    NULL)
				continue;
			if (kind != NULL && strcmp(kind, "local") == 0 &&
			    offmig_node_get_str(f, "host_path") != NULL &&
			    (rest = after_drive(g, path)) != NULL) {
				EXC(c, PT_TREE, NULL, rest, NULL);
				s = xprintf(g, "%s%s's %s is redirected to %s on "
				    "this volume, which has a component of its "
				    "own", nelse > 0 ? "; " : "",
				    who(&g->users[j]), d->display, path);
			} else
				s = xprintf(g, "%s%s's %s is redirected to %s, "
				    "which is %s", nelse > 0 ? "; " : "",
				    who(&g->users[j]), d->display, path,
				    kind != NULL && strcmp(kind, "local") == 0 ?
				    "missing" : "not on this volume");
			if (s != NULL) {
				char *n = elsewhere == NULL ? s :
				    xprintf(g, "%s%s", elsewhere, s);

				if (n != s)
					free(s);
				free(elsewhere);
				elsewhere = n;
				nelse++;
			}
		}
		eval_comp(g, c);
		c->reason = xprintf(g, "%s (%%%s%%%s%s) of each user holds %lld "
		    "files, %lld bytes in %lld profiles%s%s", d->display, d->var,
		    d->node[0] != '\0' ? "\\" : "", d->node,
		    (long long)c->files, (long long)c->bytes,
		    (long long)c->users, elsewhere != NULL ? "; " : "",
		    elsewhere != NULL ? elsewhere : "");
		if (c->files == 0) {
			omit(g, 0, "%s: empty or absent in every profile%s%s",
			    d->display, elsewhere != NULL ? "; " : "",
			    elsewhere != NULL ? elsewhere : "");
			comp_release(c);
			g->nc--;
		}
		free(elsewhere);
	}
}

/* One component per distinct local redirection target. */
static void
redirected_folders(struct gen *g)
{
	size_t i, j, k;

	for (i = 0; i < sizeof(user_data) / sizeof(user_data[0]); i++) {
		const struct datafolder *d = &user_data[i];

		for (j = 0; j < g->nusers; j++) {
			const struct offmig_node *f =
			    find_folder(g->users[j].folders, d->name);
			const char *path = offmig_node_get_str(f, "path");
			const char *kind = offmig_node_get_str(f,
			    "redirect_kind");
			const char *host = offmig_node_get_str(f, "host_path");
			const char *rest;
			struct gcomp *c;
			char *name, **v;
			int dup = 0;

			if (f == NULL || !node_true(f, "redirected") ||
			    path == NULL || kind == NULL ||
			    strcmp(kind, "local") != 0 || host == NULL ||
			    (rest = after_drive(g, path)) == NULL)
				continue;
			for (k = 0; k < g->nredirects; k++)
				if (strcmp(g->redirects[k], host) == 0)
					dup = 1;
			if (dup)
				continue;
			if ((v = grow(g, g->redirects, g->nredirects,
			    sizeof(*v))) == NULL)
				return;
			g->redirects = v;
			if ((v[g->nredirects] = xdup(g, host)) == NULL)
				return;
			g->nredirects++;
			name = xprintf(g, "%s of %s (redirected)", d->display,
			    who(&g->users[j]));
			if (name == NULL || (c = comp_new(g, 0, name,
			    "Documents", "System", "Data")) == NULL) {
				free(name);
				return;
			}
			free(name);
			INC(c, PT_TREE, NULL, rest, NULL);
			eval_comp(g, c);
			c->reason = xprintf(g, "%s of %s is redirected to %s "
			    "on this volume (User Shell Folders): %lld files, "
			    "%lld bytes", d->display, who(&g->users[j]), path,
			    (long long)c->files, (long long)c->bytes);
			drop_if_empty(g, "redirected folder is empty");
		}
	}
}

static void
common_folders(struct gen *g)
{
	size_t i, k;

	for (i = 0; i < sizeof(common_data) / sizeof(common_data[0]); i++) {
		const struct datafolder *d = &common_data[i];
		const struct offmig_node *f = find_folder(g->common, d->name);
		struct gcomp *c;

		if ((c = comp_new(g, 0, d->display, "Documents", "System",
		    "Data")) == NULL)
			return;
		INC(c, PT_TREE, d->var, "", NULL);
		for (k = 0; k < 3 && d->exclude[k] != NULL; k++)
			EXC(c, PT_TREE, d->exclude[k], "", NULL);
		eval_comp(g, c);
		c->reason = xprintf(g, "%s (%%%s%%, %s) holds %lld files, %lld "
		    "bytes", d->display, d->var, f != NULL &&
		    offmig_node_get_str(f, "path") != NULL ?
		    offmig_node_get_str(f, "path") : "not found",
		    (long long)c->files, (long long)c->bytes);
		drop_if_empty(g, "empty or absent on this volume");
	}
}

/* Cache folders of a browser profile, left out. */
static const char *const chromium_caches[] = {
	"Cache", "Code Cache", "GPUCache", "DawnCache", "DawnGraphiteCache",
	"DawnWebGPUCache", "ShaderCache", "Service Worker\\CacheStorage",
	"Service Worker\\ScriptCache", "Media Cache", "Application Cache",
	NULL
};
static const char *const firefox_caches[] = {
	"cache2", "startupCache", "shader-cache", "thumbnails", "OfflineCache",
	NULL
};

struct browser {
	const char	*key;		/* folders report "browser" */
	const char	*display;
	const char	*var;		/* the folder its profiles are under */
	const char	*folder;	/* that folder's report name */
	const char	*const *caches;
	const char	*files[3];	/* beside the profiles, below var */
};

static const struct browser browsers[] = {
	{ "chrome", "Google Chrome profiles", "CSIDL_LOCAL_APPDATA",
	    "Local AppData", chromium_caches,
	    { "Google\\Chrome\\User Data\\Local State", NULL } },
	{ "edge", "Microsoft Edge profiles", "CSIDL_LOCAL_APPDATA",
	    "Local AppData", chromium_caches,
	    { "Microsoft\\Edge\\User Data\\Local State", NULL } },
	{ "firefox", "Mozilla Firefox profiles", "CSIDL_APPDATA", "AppData",
	    firefox_caches,
	    { "Mozilla\\Firefox\\profiles.ini", "Mozilla\\Firefox\\installs.ini",
	    NULL } },
};

/* "dir\leaf" split at the last '\' into a new node and the leaf. */
static void
add_file_pat(struct gen *g, struct gcomp *c, const char *var,
    const char *path)
{
	const char *sl = strrchr(path, '\\');
	char *node = sl != NULL ? strndup(path, (size_t)(sl - path)) :
	    xdup(g, "");

	if (node == NULL) {
		g->oom = 1;
		return;
	}
	INC(c, PT_FILE, var, node, sl != NULL ? sl + 1 : path);
	free(node);
}

static int
has_inc(const struct gcomp *c, const char *node)
{
	size_t i;

	for (i = 0; i < c->ninc; i++)
		if (c->inc[i].type == PT_TREE &&
		    wstrcasecmp(c->inc[i].node, node) == 0)
			return 1;
	return 0;
}

static void
browser_profiles(struct gen *g)
{
	size_t b, i, j, k;

	for (b = 0; b < sizeof(browsers) / sizeof(browsers[0]); b++) {
		const struct browser *br = &browsers[b];
		struct gcomp *c = NULL;
		char *outside = NULL;

		for (i = 0; i < g->nusers; i++) {
			const struct guser *u = &g->users[i];
			const struct offmig_node *f = find_folder(u->folders,
			    br->folder);
			const char *base = offmig_node_get_str(f, "path");
			size_t blen = base != NULL ? strlen(base) : 0;

			for (j = 0; j < offmig_node_len(u->browsers); j++) {
				const struct offmig_node *e =
				    offmig_node_at(u->browsers, j);
				const char *bn = offmig_node_get_str(e, "browser");
				const char *path = offmig_node_get_str(e, "path");
				const char *rel;

				if (bn == NULL || strcmp(bn, br->key) != 0 ||
				    path == NULL)
					continue;
				if (base == NULL || !wprefix(path, base) ||
				    path[blen] != '\\' || path[blen + 1] == '\0') {
					char *s = xprintf(g, "%s%s's profile %s "
					    "is outside %%%s%% and is not "
					    "included", outside != NULL ? outside :
					    "", who(u), path, br->var);

					free(outside);
					outside = s;
					continue;
				}
				rel = path + blen + 1;
				if (c == NULL && (c = comp_new(g, 0, br->display,
				    "Documents", "User", "Data")) == NULL) {
					free(outside);
					return;
				}
				if (has_inc(c, rel))
					continue;
				INC(c, PT_TREE, br->var, rel, NULL);
				for (k = 0; br->caches[k] != NULL; k++) {
					char *x = xprintf(g, "%s\\%s", rel,
					    br->caches[k]);

					if (x != NULL)
						EXC(c, PT_TREE, br->var, x, NULL);
					free(x);
				}
			}
		}
		if (c == NULL) {
			if (outside != NULL)
				omit(g, 0, "%s: %s", br->display, outside);
			free(outside);
			continue;
		}
		for (k = 0; k < 3 && br->files[k] != NULL; k++)
			add_file_pat(g, c, br->var, br->files[k]);
		eval_comp(g, c);
		c->reason = xprintf(g, "the %s profile folders offmig found "
		    "(bookmarks, history, settings; caches left out): %lld "
		    "files, %lld bytes in %lld profiles%s%s", br->key,
		    (long long)c->files, (long long)c->bytes, (long long)c->users,
		    outside != NULL ? "; " : "", outside != NULL ? outside : "");
		free(outside);
		drop_if_empty(g, "the profile folders are empty");
	}
}

/* --------------------------------------------- folders outside profiles */

/*
 * Non-zero when host (a path relative to the root) is the folder of a
 * profile, wherever ProfileImagePath puts it.
 */
static int
is_profile_dir(struct gen *g, const char *host)
{
	const struct profile_list *pl;
	size_t i;

	if (volume_profiles(g->vol, &pl) != OFFMIG_OK)
		return 0;
	for (i = 0; i < pl->n; i++)
		if (pl->v[i].host_path != NULL &&
		    strcmp(pl->v[i].host_path, host) == 0)
			return 1;
	return 0;
}

/* Top-level names that are the system's, never user data. */
static const char *const system_dirs[] = {
	"Windows", "WINNT", "Program Files", "Program Files (x86)",
	"Program Files (Arm)", "ProgramData", "Users", "Documents and Settings",
	"System Volume Information", "Recovery", "PerfLogs", "RECYCLER",
	"RECYCLED", "Config.Msi", "MSOCache", "Boot", "EFI", "Intel", "AMD",
	"NVIDIA", "OneDriveTemp", "inetpub", "MigStore", "USMT", NULL
};

/*
 * Non-zero when a top-level directory is the system's: the names above
 * (and every "Program Files*", "$*", "MigStore*", "USMT*"), the Windows
 * directory and the profiles directory of this installation, and any
 * folder that holds a migration store ("USMT" or "USMT.MIG" in it, or an
 * offmig store manifest).
 */
static int
is_system_dir(struct gen *g, int dfd, const char *name)
{
	const struct profile_list *pl;
	struct offmig_ctx quiet;
	char *found = NULL;
	size_t i;

	if (name[0] == '$' || wildmatch_ci("Program Files*", name) ||
	    wildmatch_ci("MigStore*", name) || wildmatch_ci("USMT*", name))
		return 1;
	for (i = 0; system_dirs[i] != NULL; i++)
		if (wstrcasecmp(name, system_dirs[i]) == 0)
			return 1;
	if ((g->vol->windir_host != NULL &&
	    wstrcasecmp(name, g->vol->windir_host) == 0) ||
	    is_profile_dir(g, name))
		return 1;
	if (volume_profiles(g->vol, &pl) == OFFMIG_OK &&
	    pl->profiles_dir_host != NULL) {
		size_t n = strcspn(pl->profiles_dir_host, "/");
		char *top = strndup(pl->profiles_dir_host, n);

		if (top != NULL && wstrcasecmp(top, name) == 0) {
			free(top);
			return 1;
		}
		free(top);
	}
	memset(&quiet, 0, sizeof(quiet));
	if (vpath_lookup(&quiet, dfd, "USMT", &found) == OFFMIG_OK ||
	    vpath_lookup(&quiet, dfd, "USMT.MIG", &found) == OFFMIG_OK ||
	    vpath_lookup(&quiet, dfd, "offmig-store.manifest", &found) ==
	    OFFMIG_OK) {
		free(found);
		return 1;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the top-level directories that are not the system's. */
static char **
top_dirs(struct gen *g, size_t *np)
{
	struct dirent *de;
	char **v = NULL, **nv;
	size_t n = 0;
	DIR *dir;
	int fd;

	*np = 0;
	if ((fd = openat(g->vol->rootfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0 || (dir = fdopendir(fd)) == NULL) {
		ctx_log(g->ctx, OFFMIG_LOG_WARN, "%s: %s", g->vol->root,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(dir)) != NULL && n < 100000) {
		struct stat st;
		int sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0 || !S_ISDIR(st.st_mode))
			continue;
		if ((sub = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		if (!is_system_dir(g, sub, de->d_name) &&
		    (nv = grow(g, v, n, sizeof(*v))) != NULL) {
			v = nv;
			if ((v[n] = xdup(g, de->d_name)) != NULL)
				n++;
		}
		close(sub);
	}
	closedir(dir);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	*np = n;
	return v;
}

static void
data_folders(struct gen *g)
{
	char **names;
	size_t n, i, k;

	names = top_dirs(g, &n);
	for (i = 0; i < n; i++) {
		struct gcomp *c;
		char *dn = xprintf(g, "Data folder %c:\\%s", g->vol->sysdrive,
		    names[i]);
		size_t len = strlen(names[i]);

		if (dn == NULL || (c = comp_new(g, 0, dn, "Documents", "System",
		    "Data")) == NULL) {
			free(dn);
			break;
		}
		free(dn);
		INC(c, PT_TREE, "SYSTEMDRIVE", names[i], NULL);
		/*
		 * Profile folders inside it (ProfileImagePath may point
		 * anywhere) are not data outside the profiles.
		 */
		{
			const struct profile_list *pl;

			for (k = 0; volume_profiles(g->vol, &pl) == OFFMIG_OK &&
			    k < pl->n; k++) {
				const char *h = pl->v[k].host_path;
				char *w;

				if (h == NULL || strncmp(h, names[i], len) != 0 ||
				    h[len] != '/')
					continue;
				if ((w = to_win(xdup(g, h))) != NULL)
					EXC(c, PT_TREE, "SYSTEMDRIVE", w, NULL);
				free(w);
			}
		}
		/* Its .pst files are the Outlook component's. */
		for (k = 0; g->pst != NULL && k < g->pst->n; k++) {
			const char *d = g->pst->dir[k];

			if (strncmp(d, names[i], len) == 0 &&
			    (d[len] == '\0' || d[len] == '\\'))
				EXC(c, PT_FILE, NULL, d, g->pst->leaf[k]);
		}
		/* Redirected known folders inside it have their own component. */
		for (k = 0; k < g->nredirects; k++)
			if (strncmp(g->redirects[k], names[i], len) == 0 &&
			    g->redirects[k][len] == '/') {
				char *w = to_win(xdup(g, g->redirects[k]));

				if (w != NULL)
					EXC(c, PT_TREE, "SYSTEMDRIVE", w, NULL);
				free(w);
			}
		eval_comp(g, c);
		c->reason = xprintf(g, "%c:\\%s is a folder outside the profiles "
		    "and the system folders that holds %lld documents among "
		    "%lld files, %lld bytes", g->vol->sysdrive, names[i],
		    (long long)c->docs, (long long)c->files, (long long)c->bytes);
		if (c->docs == 0) {
			omit(g, 0, "%c:\\%s: a folder outside the profiles with no "
			    "documents (%lld files)", g->vol->sysdrive, names[i],
			    (long long)c->files);
			comp_release(c);
			g->nc--;
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ------------------------------------------------------------ Outlook */


#define MAX_PST		1000

static void
scan_pst(struct gen *g, int dfd, char *path, size_t len, int depth,
    struct found *f)
{
	struct dirent *de;
	DIR *dir;

	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(dir)) != NULL && f->n < MAX_PST) {
		struct stat st;
		size_t n = strlen(de->d_name);
		int sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (++g->entries > MAX_ENTRIES) {
			g->truncated = 1;
			break;
		}
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(st.st_mode) && n > 4 &&
		    strcasecmp(de->d_name + n - 4, ".pst") == 0) {
			char **d, **l;

			if ((d = grow(g, f->dir, f->n, sizeof(*d))) == NULL)
				break;
			f->dir = d;
			if ((l = grow(g, f->leaf, f->n, sizeof(*l))) == NULL)
				break;
			f->leaf = l;
			d[f->n] = to_win(xdup(g, path));
			l[f->n] = xdup(g, de->d_name);
			if (d[f->n] == NULL || l[f->n] == NULL) {
				free(d[f->n]);
				free(l[f->n]);
				break;
			}
			f->n++;
			continue;
		}
		if (!S_ISDIR(st.st_mode) || depth >= MAX_SCAN_DEPTH ||
		    len + 1 + n + 1 > MAX_HOSTPATH)
			continue;
		if ((sub = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		if (depth == 0 && is_system_dir(g, sub, de->d_name)) {
			close(sub);
			continue;
		}
		if (len > 0)
			path[len] = '/';
		memcpy(path + len + (len > 0), de->d_name, n + 1);
		if (is_profile_dir(g, path))
			close(sub);
		else
			scan_pst(g, sub, path, len + (len > 0) + n, depth + 1, f);
		path[len] = '\0';
	}
	closedir(dir);
}

/*
 * Finds the .pst files outside the profiles and system folders, sorted,
 * into g->pst: before the data folders are written, so that those holding
 * one leave it to the Outlook component (each file is taken once).
 */
static void
pst_scan(struct gen *g)
{
	char path[MAX_HOSTPATH] = "";
	struct found *f;
	size_t i;
	int fd;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		g->oom = 1;
		return;
	}
	g->pst = f;
	if ((fd = openat(g->vol->rootfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return;
	scan_pst(g, fd, path, 0, 0, f);
	if (f->n == MAX_PST)
		g->truncated = 1;
	/* Directory order depends on the filesystem: sort, for stable output. */
	for (i = 1; i < f->n; i++) {
		size_t j;

		for (j = i; j > 0; j--) {
			int d = strcmp(f->dir[j - 1], f->dir[j]);
			char *t;

			if (d < 0 || (d == 0 && strcmp(f->leaf[j - 1],
			    f->leaf[j]) <= 0))
				break;
			t = f->dir[j - 1];
			f->dir[j - 1] = f->dir[j];
			f->dir[j] = t;
			t = f->leaf[j - 1];
			f->leaf[j - 1] = f->leaf[j];
			f->leaf[j] = t;
		}
	}
}

static void
pst_free(struct gen *g)
{
	size_t i;

	if (g->pst == NULL)
		return;
	for (i = 0; i < g->pst->n; i++) {
		free(g->pst->dir[i]);
		free(g->pst->leaf[i]);
	}
	free(g->pst->dir);
	free(g->pst->leaf);
	free(g->pst);
	g->pst = NULL;
}

static void
outlook_pst(struct gen *g)
{
	const struct found *f = g->pst;
	struct gcomp *c;
	size_t i;

	if (f != NULL && f->n > 0 && (c = comp_new(g, 1, "Outlook data files "
	    "outside the profiles", "Application", "System", "Data")) != NULL) {
		for (i = 0; i < f->n; i++) {
			const struct gpat *p = INC(c, PT_FILE, NULL, f->dir[i],
			    f->leaf[i]);

			if (p != NULL)
				add_det(g, c, 0, p);
		}
		eval_comp(g, c);
		c->reason = xprintf(g, "%zu Outlook data files (.pst) found "
		    "outside the profiles and system folders: %lld bytes", f->n,
		    (long long)c->bytes);
	} else
		omit(g, 1, "Outlook data files outside the profiles: no .pst "
		    "file found outside the profiles and system folders");
}

/* ------------------------------------------------------- applications */

enum app_kind {
	APP_CHROME, APP_EDGE, APP_FIREFOX, APP_NOTEPADPP, APP_7ZIP, APP_OFFICE,
	APP_COUNT
};

static const char *const app_names[APP_COUNT] = {
	"Google Chrome", "Microsoft Edge", "Mozilla Firefox", "Notepad++",
	"7-Zip", "Microsoft Office"
};

/* Which known application an Uninstall entry is, or -1. */
static int
app_kind(const char *name)
{
	if (wprefix(name, "Google Chrome"))
		return APP_CHROME;
	if (wstrcasecmp(name, "Microsoft Edge") == 0)
		return APP_EDGE;
	if (wprefix(name, "Mozilla Firefox"))
		return APP_FIREFOX;
	if (wprefix(name, "Notepad++"))
		return APP_NOTEPADPP;
	if (wprefix(name, "7-Zip"))
		return APP_7ZIP;
	if ((wprefix(name, "Microsoft Office") || wprefix(name,
	    "Microsoft 365")) && strcasestr(name, "Update") == NULL &&
	    strcasestr(name, "Viewer") == NULL &&
	    strcasestr(name, "Runtime") == NULL)
		return APP_OFFICE;
	return -1;
}

/*
 * The Uninstall entry as a detection pattern: a 32-bit entry through
 * %HklmWowSoftware% (the WOW6432Node view on a 64-bit system, the only
 * view on a 32-bit one), a 64-bit one under HKLM\Software, a user's under
 * HKCU.
 */
static void
app_detect(struct gen *g, struct gcomp *c, const struct offmig_node *a)
{
	const char *key = offmig_node_get_str(a, "key");
	const char *scope = offmig_node_get_str(a, "scope");
	int64_t view = offmig_node_int(offmig_node_get(a, "view"));
	struct gpat p;
	char *node;

	if (key == NULL)
		return;
	if (wprefix(key, "WOW6432Node\\"))
		key += strlen("WOW6432Node\\");
	memset(&p, 0, sizeof(p));
	p.type = PT_FILE;
	p.reg = 1;
	p.leaf = (char *)"DisplayName";
	if (scope != NULL && strcmp(scope, "user") == 0)
		node = xprintf(g, "HKCU\\%s", key);
	else if (view == 32 || !g->x64) {
		p.var = "HklmWowSoftware";
		node = xdup(g, key);
		c->wow = 1;
	} else
		node = xprintf(g, "HKLM\\Software\\%s", key);
	if (node == NULL)
		return;
	p.node = node;
	add_det(g, c, 1, &p);
	free(node);
}

/* Office's version folder ("14.0") from an entry's version or key name. */
static char *
office_version(struct gen *g, const struct offmig_node *a)
{
	const char *v = offmig_node_get_str(a, "version");
	const char *k = offmig_node_get_str(a, "key");
	long major = 0;

	if (v != NULL)
		major = strtol(v, NULL, 10);
	if ((major < 9 || major > 99) && k != NULL) {
		const char *o = strcasestr(k, "\\Office");

		if (o != NULL)
			major = strtol(o + 7, NULL, 10);
	}
	if (major < 9 || major > 99)
		return NULL;
	return xprintf(g, "%ld.0", major);
}

/* What a browser's application component takes. */
static const char browser_what[] = "its per-user registry settings (the "
    "profiles are in " F_USER ")";

static void
app_components(struct gen *g)
{
	const struct offmig_node *apps = offmig_node_get(offmig_doc_root(g->adoc),
	    "apps");
	size_t ci[APP_COUNT];
	char *entries[APP_COUNT], *ver[8];
	size_t i, nver = 0, k;
	int kind;

	/* Indices: g->c moves as components are added. */
	for (kind = 0; kind < APP_COUNT; kind++)
		ci[kind] = SIZE_MAX;
	memset(entries, 0, sizeof(entries));
	for (i = 0; i < offmig_node_len(apps); i++) {
		const struct offmig_node *a = offmig_node_at(apps, i);
		const char *name = offmig_node_get_str(a, "name");
		char *s;

		if (name == NULL || node_true(a, "hidden") ||
		    (kind = app_kind(name)) < 0)
			continue;
		if (ci[kind] == SIZE_MAX) {
			if (comp_new(g, 1, app_names[kind], "Application", "User",
			    "Settings") == NULL)
				break;
			ci[kind] = g->nc - 1;
		}
		app_detect(g, &g->c[ci[kind]], a);
		s = xprintf(g, "%s%s%s %s (%s%s%s)", entries[kind] != NULL ?
		    entries[kind] : "", entries[kind] != NULL ? ", " : "", name,
		    offmig_node_get_str(a, "version") != NULL ?
		    offmig_node_get_str(a, "version") : "",
		    offmig_node_get_str(a, "scope") != NULL ?
		    offmig_node_get_str(a, "scope") : "?",
		    offmig_node_get_str(a, "user") != NULL ? " " : "",
		    offmig_node_get_str(a, "user") != NULL ?
		    offmig_node_get_str(a, "user") : "");
		free(entries[kind]);
		entries[kind] = s;
		if (kind == APP_OFFICE && nver < 8) {
			char *v = office_version(g, a);

			for (k = 0; v != NULL && k < nver; k++)
				if (strcmp(ver[k], v) == 0) {
					free(v);
					v = NULL;
				}
			if (v != NULL)
				ver[nver++] = v;
		}
	}
	for (kind = 0; kind < APP_COUNT; kind++) {
		struct gcomp *a = ci[kind] != SIZE_MAX ? &g->c[ci[kind]] : NULL;
		const char *what = "";

		if (a == NULL) {
			omit(g, 1, "%s: not installed", app_names[kind]);
			continue;
		}
		switch (kind) {
		case APP_CHROME:
			INC(a, PT_REG, NULL, "HKCU\\Software\\Google\\Chrome", NULL);
			what = browser_what;
			break;
		case APP_EDGE:
			INC(a, PT_REG, NULL, "HKCU\\Software\\Microsoft\\Edge",
			    NULL);
			what = browser_what;
			break;
		case APP_FIREFOX:
			INC(a, PT_REG, NULL, "HKCU\\Software\\Mozilla\\Firefox",
			    NULL);
			what = browser_what;
			break;
		case APP_NOTEPADPP:
			INC(a, PT_TREE, "CSIDL_APPDATA", "Notepad++", NULL);
			what = "its configuration folder %CSIDL_APPDATA%\\Notepad++ "
			    "(config.xml, shortcuts.xml, session.xml, themes, "
			    "user languages)";
			break;
		case APP_7ZIP:
			INC(a, PT_REG, NULL, "HKCU\\Software\\7-Zip", NULL);
			what = "its settings in HKCU\\Software\\7-Zip";
			break;
		case APP_OFFICE:
			for (k = 0; k < nver; k++) {
				char *key = xprintf(g, "HKCU\\Software\\Microsoft\\"
				    "Office\\%s", ver[k]);

				if (key != NULL)
					INC(a, PT_REG, NULL, key, NULL);
				free(key);
			}
			INC(a, PT_TREE, "CSIDL_APPDATA", "Microsoft\\Templates",
			    NULL);
			INC(a, PT_TREE, "CSIDL_APPDATA", "Microsoft\\UProof", NULL);
			INC(a, PT_TREE, "CSIDL_APPDATA", "Microsoft\\Proof", NULL);
			what = "its settings (HKCU\\Software\\Microsoft\\Office\\"
			    "<version>), templates and custom dictionaries";
			break;
		}
		eval_comp(g, a);
		a->reason = xprintf(g, "%s is installed (%s): %s; on this volume "
		    "%lld files, %lld bytes, %lld registry values in %lld "
		    "profiles", app_names[kind], entries[kind] != NULL ?
		    entries[kind] : "", what, (long long)a->files,
		    (long long)a->bytes, (long long)a->values,
		    (long long)a->users);
	}
	for (kind = 0; kind < APP_COUNT; kind++)
		free(entries[kind]);
	for (k = 0; k < nver; k++)
		free(ver[k]);
}

/* -------------------------------------------------------- writing XML */

struct xw {
	xmlBufferPtr	 buf;
	xmlTextWriterPtr w;
	int		 bad;
};

static int
xw_open(struct xw *x)
{
	memset(x, 0, sizeof(*x));
	if ((x->buf = XL->BufferCreate()) == NULL ||
	    (x->w = XL->NewTextWriterMemory(x->buf, 0)) == NULL)
		return -1;
	if (XL->TextWriterSetIndent(x->w, 1) < 0 ||
	    XL->TextWriterSetIndentString(x->w, BAD_CAST "  ") < 0 ||
	    XL->TextWriterStartDocument(x->w, NULL, "UTF-8", NULL) < 0)
		x->bad = 1;
	return 0;
}

/* Ends the document; the text stays in x->buf. */
static int
xw_finish(struct xw *x)
{
	if (!x->bad && XL->TextWriterEndDocument(x->w) < 0)
		x->bad = 1;
	XL->FreeTextWriter(x->w);
	x->w = NULL;
	return x->bad ? -1 : 0;
}

static void
xw_free(struct xw *x)
{
	if (x->w != NULL)
		XL->FreeTextWriter(x->w);
	if (x->buf != NULL)
		XL->BufferFree(x->buf);
	memset(x, 0, sizeof(*x));
}

static void
xstart(struct xw *x, const char *name)
{
	if (!x->bad && XL->TextWriterStartElement(x->w, BAD_CAST name) < 0)
		x->bad = 1;
}

static void
xend(struct xw *x)
{
	if (!x->bad && XL->TextWriterEndElement(x->w) < 0)
		x->bad = 1;
}

/* Every string handed to these is valid for XML (xml_text, pattern_text). */
static void
xattr(struct xw *x, const char *name, const char *value)
{
	if (!x->bad && XL->TextWriterWriteAttribute(x->w, BAD_CAST name,
	    BAD_CAST value) < 0)
		x->bad = 1;
}

static void
xelem(struct xw *x, const char *name, const char *text)
{
	if (!x->bad && XL->TextWriterWriteElement(x->w, BAD_CAST name,
	    BAD_CAST text) < 0)
		x->bad = 1;
}

static void
xcomment(struct gen *g, struct xw *x, const char *text)
{
	char *t = xml_text(g, text, 1), *s;

	if (t == NULL) {
		x->bad = 1;
		return;
	}
	/* Spaces around it, as people write comments. */
	s = xprintf(g, " %s ", t);
	if (s == NULL || (!x->bad && XL->TextWriterWriteComment(x->w,
	    BAD_CAST s) < 0))
		x->bad = 1;
	free(s);
	free(t);
}

static void
xpattern(struct gen *g, struct xw *x, const struct gpat *p)
{
	char *t = pattern_text(g, p, 0);

	if (t == NULL) {
		x->bad = 1;
		return;
	}
	xstart(x, "pattern");
	xattr(x, "type", p->type == PT_REG ? "Registry" : "File");
	if (!x->bad && XL->TextWriterWriteString(x->w, BAD_CAST t) < 0)
		x->bad = 1;
	xend(x);
	free(t);
}

static void
xobjects(struct gen *g, struct xw *x, const char *what,
    const struct gpat *v, size_t n, const char *filter)
{
	size_t i;

	if (n == 0)
		return;
	xstart(x, what);
	if (filter != NULL)
		xattr(x, "filter", filter);
	xstart(x, "objectSet");
	for (i = 0; i < n; i++)
		xpattern(g, x, &v[i]);
	xend(x);
	xend(x);
}

/* The WOW64 environments, in the way MigApp.xml lays them out. */
static void
x_environments(struct xw *x)
{
	static const struct {
		const char	*name;
		int		 native64;
		const char	*wow, *pf, *cpf;
	} env[] = {
		{ "GlobalEnvX64", 1, "HKLM\\SOFTWARE\\Wow6432Node",
		    "%ProgramFiles(x86)%", "%CommonProgramFiles(x86)%" },
		{ "GlobalEnv", 0, "HKLM\\Software", "%ProgramFiles%",
		    "%CommonProgramFiles%" },
	};
	size_t i;

	xstart(x, "namedElements");
	for (i = 0; i < 2; i++) {
		xstart(x, "environment");
		xattr(x, "name", env[i].name);
		xstart(x, "conditions");
		xstart(x, "condition");
		if (!env[i].native64)
			xattr(x, "negation", "Yes");
		if (!x->bad && XL->TextWriterWriteString(x->w,
		    BAD_CAST "MigXmlHelper.IsNative64Bit()") < 0)
			x->bad = 1;
		xend(x);
		xend(x);
		xstart(x, "variable");
		xattr(x, "name", "HklmWowSoftware");
		xelem(x, "text", env[i].wow);
		xend(x);
		xstart(x, "variable");
		xattr(x, "name", "ProgramFiles32bit");
		xelem(x, "text", env[i].pf);
		xend(x);
		xstart(x, "variable");
		xattr(x, "name", "CommonProgramFiles32bit");
		xelem(x, "text", env[i].cpf);
		xend(x);
		xend(x);
	}
	xend(x);
}

static void
x_component(struct gen *g, struct xw *x, const struct gcomp *c)
{
	size_t i;

	xcomment(g, x, c->reason != NULL ? c->reason : "");
	if (c->detail != NULL)
		xcomment(g, x, c->detail);
	xstart(x, "component");
	xattr(x, "type", c->type);
	xattr(x, "context", c->context);
	xelem(x, "displayName", c->name);
	if (c->wow) {
		xstart(x, "environment");
		xattr(x, "name", "GlobalEnv");
		xend(x);
		xstart(x, "environment");
		xattr(x, "name", "GlobalEnvX64");
		xend(x);
	}
	xstart(x, "role");
	xattr(x, "role", c->role);
	if (c->ndet > 0) {
		xstart(x, "detection");
		xstart(x, "conditions");
		if (c->ndet > 1)
			xattr(x, "operation", "OR");
		for (i = 0; i < c->ndet; i++) {
			char *s = xprintf(g, "MigXmlHelper.DoesObjectExist(\"%s\","
			    "\"%s\")", c->det[i].reg ? "Registry" : "File",
			    c->det[i].text);

			if (s == NULL) {
				x->bad = 1;
				break;
			}
			xelem(x, "condition", s);
			free(s);
		}
		xend(x);
		xend(x);
	}
	xstart(x, "rules");
	xattr(x, "context", c->context);
	xobjects(g, x, "include", c->inc, c->ninc,
	    strcmp(c->type, "Documents") == 0 ?
	    "MigXmlHelper.IgnoreIrrelevantLinks()" : NULL);
	xobjects(g, x, "exclude", c->exc, c->nexc, NULL);
	xend(x);
	xend(x);
	xend(x);
}

static int
x_migration(struct gen *g, struct xw *x, int apps)
{
	size_t i, n = 0;
	int wow = 0;

	if (xw_open(x) < 0)
		return -1;
	for (i = 0; i < g->nc; i++)
		if (g->c[i].apps == apps) {
			n++;
			wow |= g->c[i].wow;
		}
	{
		char *s = xprintf(g, "%s written by offmig %s for %s: %s.  "
		    "%zu components; each says why it is there.",
		    apps ? F_APPS : F_USER, offmig_version(),
		    offmig_node_get_str(offmig_doc_root(g->odoc),
		    "computer_name") != NULL ? offmig_node_get_str(
		    offmig_doc_root(g->odoc), "computer_name") : "?",
		    apps ? "the applications offmig knows how to migrate" :
		    "the user data found on this volume", n);

		if (s != NULL)
			xcomment(g, x, s);
		free(s);
	}
	for (i = 0; i < g->nomit; i++)
		if (strcmp(g->omit_file[i], apps ? F_APPS : F_USER) == 0) {
			char *s = xprintf(g, "left out: %s", g->omit[i]);

			if (s != NULL)
				xcomment(g, x, s);
			free(s);
		}
	xstart(x, "migration");
	xattr(x, "urlid", apps ? g->url_apps : g->url_user);
	if (wow)
		x_environments(x);
	for (i = 0; i < g->nc; i++)
		if (g->c[i].apps == apps)
			x_component(g, x, &g->c[i]);
	xend(x);
	return xw_finish(x);
}

static int
x_config(struct gen *g, struct xw *x)
{
	static const char *const sections[2] = { "Documents", "Applications" };
	size_t i, s;

	if (xw_open(x) < 0)
		return -1;
	xcomment(g, x, "config.xml written by offmig: every component of "
	    F_USER " and " F_APPS ", migrate=\"yes\".  Set migrate=\"no\" to "
	    "leave one out; deleting its line does not.  No ErrorControl "
	    "policy: an offline scan has no running program to lock files.");
	xstart(x, "Configuration");
	for (s = 0; s < 2; s++) {
		int any = 0;

		for (i = 0; i < g->nc; i++)
			any |= g->c[i].apps == (int)s;
		if (!any)
			continue;
		xstart(x, sections[s]);
		for (i = 0; i < g->nc; i++) {
			if (g->c[i].apps != (int)s)
				continue;
			xstart(x, "component");
			xattr(x, "displayname", g->c[i].name);
			xattr(x, "migrate", "yes");
			xattr(x, "ID", g->c[i].id);
			xend(x);
		}
		xend(x);
	}
	xend(x);
	return xw_finish(x);
}

/* ------------------------------------------------------ the output dir */

/* Non-zero when the open directory fd is the volume's root or below it. */
static int
inside_volume(struct gen *g, int fd)
{
	struct stat root, st;
	int cur, up, depth, in = 0;

	if (fstat(g->vol->rootfd, &root) != 0 || (cur = dup(fd)) < 0)
		return 0;
	for (depth = 0; depth < 4096; depth++) {
		if (fstat(cur, &st) != 0)
			break;
		if (st.st_dev == root.st_dev && st.st_ino == root.st_ino) {
			in = 1;
			break;
		}
		if ((up = openat(cur, "..", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0)
			break;
		{
			struct stat ust;

			if (fstat(up, &ust) != 0 || (ust.st_dev == st.st_dev &&
			    ust.st_ino == st.st_ino)) {
				close(up);
				break;
			}
		}
		close(cur);
		cur = up;
	}
	close(cur);
	return in;
}

/*
 * Opens (creating it when missing) the output directory.  A symbolic
 * link, something that is not a directory, and a directory on the volume
 * are refused.
 */
static int
open_outdir(struct gen *g, const char *dir, int *fdp)
{
	struct offmig_ctx *ctx = g->ctx;
	char *copy = NULL, *base, *slash;
	const char *parent;
	struct stat st;
	int pfd = -1, fd = -1, ret = OFFMIG_OK;

	*fdp = -1;
	if (dir[0] == '\0')
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "empty output "
		    "directory name");
	if ((copy = strdup(dir)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", dir);
	/* Trailing slashes name the same directory. */
	for (slash = copy + strlen(copy) - 1; slash > copy && *slash == '/';
	    slash--)
		*slash = '\0';
	if ((slash = strrchr(copy, '/')) == NULL) {
		parent = ".";
		base = copy;
	} else if (slash == copy) {
		parent = "/";
		base = slash + 1;
	} else {
		*slash = '\0';
		parent = copy;
		base = slash + 1;
	}
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ret = ctx_set_error(ctx, errno == ENOENT || errno == ENOTDIR ?
		    OFFMIG_ENOTFOUND : OFFMIG_EIO, errno, "%s: cannot open the "
		    "output directory's parent '%s'", dir, parent);
		goto out;
	}
	if (inside_volume(g, pfd)) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: the output "
		    "directory is on the inspected volume %s; offmig xml writes "
		    "nothing to it", dir, g->vol->root);
		goto out;
	}
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") ==
	    0) {
		fd = openat(pfd, base[0] == '\0' ? "." : base, O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC);
	} else if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", dir);
			goto out;
		}
		if (mkdirat(pfd, base, 0777) != 0 && errno != EEXIST) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: cannot "
			    "create the output directory", dir);
			goto out;
		}
		fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	} else if (S_ISLNK(st.st_mode)) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: the output "
		    "directory is a symbolic link; refused", dir);
		goto out;
	} else if (!S_ISDIR(st.st_mode)) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: exists and is "
		    "not a directory; refused", dir);
		goto out;
	} else
		fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0) {
		ret = ctx_set_error(ctx, errno == ELOOP ? OFFMIG_EUNSAFE :
		    OFFMIG_EIO, errno, "%s", dir);
		goto out;
	}
	if (inside_volume(g, fd)) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: the output "
		    "directory is on the inspected volume %s; offmig xml writes "
		    "nothing to it", dir, g->vol->root);
		goto out;
	}
	*fdp = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	free(copy);
	return ret;
}

/* Writes name in dfd atomically: temporary file, fsync, rename. */
static int
write_atomic(struct offmig_ctx *ctx, int dfd, const char *dir,
    const char *name, const void *data, size_t len)
{
	static unsigned counter;
	const char *p = data;
	char tmp[64];
	int fd = -1, i, e;

	for (i = 0; i < 100 && fd < 0; i++) {
		snprintf(tmp, sizeof(tmp), ".%s.%ld.%u.tmp", name, (long)getpid(),
		    counter++);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return ctx_set_error(ctx, OFFMIG_EIO, errno, "%s/%s", dir, tmp);
	if (io_write_all(fd, p, len) != 0)
		goto fail;
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) != 0)
		goto fail;
	return OFFMIG_OK;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, tmp, 0);
	return ctx_set_error(ctx, OFFMIG_EIO, e, "%s/%s", dir, name);
}

/* --------------------------------------------------------- the report */

static void
report(struct gen *g, const char *dir, const size_t *sizes,
    struct offmig_doc *doc)
{
	static const char *const names[3] = { F_USER, F_APPS, F_CONFIG };
	struct offmig_node *root = doc_root_mut(doc), *arr, *o;
	int64_t files = 0, bytes = 0, values = 0;
	size_t i, n[2] = { 0, 0 };

	doc_add_str(doc, root, "volume", g->vol->root);
	doc_add_str(doc, root, "computer_name",
	    offmig_node_get_str(offmig_doc_root(g->odoc), "computer_name"));
	doc_add_str(doc, root, "dir", dir);
	for (i = 0; i < g->nc; i++)
		n[g->c[i].apps]++;
	arr = doc_add_array(doc, root, "files");
	for (i = 0; i < 3; i++) {
		char *path = str_printf("%s/%s", dir, names[i]);

		o = doc_push_object(doc, arr);
		doc_add_str(doc, o, "name", names[i]);
		doc_add_str(doc, o, "path", path);
		doc_add_str(doc, o, "urlid", i == 0 ? g->url_user : i == 1 ?
		    g->url_apps : NULL);
		doc_add_int(doc, o, "components", i < 2 ? (int64_t)n[i] :
		    (int64_t)g->nc);
		doc_add_int(doc, o, "bytes", (int64_t)sizes[i]);
		free(path);
	}
	arr = doc_add_array(doc, root, "components");
	for (i = 0; i < g->nc; i++) {
		const struct gcomp *c = &g->c[i];

		o = doc_push_object(doc, arr);
		doc_add_str(doc, o, "file", c->apps ? F_APPS : F_USER);
		doc_add_str(doc, o, "name", c->name);
		doc_add_str(doc, o, "id", c->id);
		doc_add_str(doc, o, "type", c->type);
		doc_add_str(doc, o, "context", c->context);
		doc_add_int(doc, o, "files", c->files);
		doc_add_int(doc, o, "bytes", c->bytes);
		doc_add_int(doc, o, "registry_values", c->values);
		doc_add_int(doc, o, "profiles", c->users);
		doc_add_str(doc, o, "reason", c->reason);
		doc_add_str(doc, o, "detail", c->detail);
		files += c->files;
		bytes += c->bytes;
		values += c->values;
	}
	arr = doc_add_array(doc, root, "omitted");
	for (i = 0; i < g->nomit; i++) {
		o = doc_push_object(doc, arr);
		doc_add_str(doc, o, "file", g->omit_file[i]);
		doc_add_str(doc, o, "what", g->omit[i]);
	}
	o = doc_add_object(doc, root, "counts");
	doc_add_int(doc, o, "components", (int64_t)g->nc);
	doc_add_int(doc, o, "user_components", (int64_t)n[0]);
	doc_add_int(doc, o, "app_components", (int64_t)n[1]);
	doc_add_int(doc, o, "omitted", (int64_t)g->nomit);
	doc_add_int(doc, o, "files", files);
	doc_add_int(doc, o, "bytes", bytes);
	doc_add_int(doc, o, "registry_values", values);
	doc_add_bool(doc, root, "truncated", g->truncated);
}

/* ------------------------------------------------------------ the API */

static int
gather(struct gen *g, const struct offmig_filter *filter)
{
	const struct offmig_node *profs, *os;
	const struct profile_list *pl = NULL;
	const char *cn, *arch;
	size_t i, j;
	int ret;

	if ((ret = offmig_os_report(g->ctx, g->vol, &g->odoc)) != OFFMIG_OK ||
	    (ret = offmig_folders_report(g->ctx, g->vol, NULL, filter,
	    &g->fdoc)) != OFFMIG_OK ||
	    (ret = offmig_apps_report(g->ctx, g->vol, filter, 0, &g->adoc)) !=
	    OFFMIG_OK)
		return ret;
	os = offmig_doc_root(g->odoc);
	cn = offmig_node_get_str(os, "computer_name");
	arch = offmig_node_get_str(os, "arch");
	g->x64 = arch != NULL && (strcmp(arch, "x64") == 0 ||
	    strcmp(arch, "arm64") == 0 || strcmp(arch, "AMD64") == 0 ||
	    strcmp(arch, "ARM64") == 0);
	g->computer = uri_encode(g, cn != NULL && cn[0] != '\0' ? cn :
	    "unnamed");
	g->url_user = xprintf(g, URL_BASE "%s/user", g->computer);
	g->url_apps = xprintf(g, URL_BASE "%s/apps", g->computer);
	g->common = offmig_node_get(offmig_doc_root(g->fdoc), "common");
	profs = offmig_node_get(offmig_doc_root(g->fdoc), "profiles");
	if (volume_profiles(g->vol, &pl) != OFFMIG_OK)
		pl = NULL;
	if ((g->users = calloc(offmig_node_len(profs) + 1,
	    sizeof(*g->users))) == NULL)
		return ctx_set_error(g->ctx, OFFMIG_ENOMEM, errno, "users");
	for (i = 0; i < offmig_node_len(profs); i++) {
		const struct offmig_node *p = offmig_node_at(profs, i);
		struct guser *u = &g->users[g->nusers];

		if ((u->host = offmig_node_get_str(p, "host_path")) == NULL)
			continue;
		u->sid = offmig_node_get_str(p, "sid");
		u->user = offmig_node_get_str(p, "user");
		u->status = offmig_node_get_str(p, "status");
		if (u->status == NULL)
			u->status = "ok";
		/*
		 * ScanState refuses an active temporary profile, and offmig
		 * plan leaves it out too (its .bak twin, the real profile,
		 * is taken): nothing of it is counted.
		 */
		if (strcmp(u->status, "temporary") == 0) {
			omit(g, 0, "%s: temporary profile %s left out, as "
			    "ScanState does", u->user != NULL ? u->user :
			    u->sid != NULL ? u->sid : "?", u->host);
			continue;
		}
		u->folders = offmig_node_get(p, "folders");
		u->browsers = offmig_node_get(p, "browsers");
		for (j = 0; pl != NULL && j < pl->n; j++)
			if (pl->v[j].sid != NULL && u->sid != NULL &&
			    strcmp(pl->v[j].sid, u->sid) == 0 &&
			    pl->v[j].host_path != NULL &&
			    strcmp(pl->v[j].host_path, u->host) == 0)
				u->p = &pl->v[j];
		g->nusers++;
	}
	return g->oom ? ctx_set_error(g->ctx, OFFMIG_ENOMEM, 0, "out of "
	    "memory") : OFFMIG_OK;
}

static void
gen_release(struct gen *g)
{
	size_t i;

	for (i = 0; i < g->nc; i++)
		comp_release(&g->c[i]);
	free(g->c);
	for (i = 0; i < g->nomit; i++)
		free(g->omit[i]);
	free(g->omit);
	free(g->omit_file);
	for (i = 0; i < g->nredirects; i++)
		free(g->redirects[i]);
	free(g->redirects);
	pst_free(g);
	free(g->users);
	free(g->computer);
	free(g->url_user);
	free(g->url_apps);
	offmig_doc_free(g->fdoc);
	offmig_doc_free(g->adoc);
	offmig_doc_free(g->odoc);
}

int
offmig_xml_generate(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct offmig_filter *filter, const char *dir, unsigned flags,
    struct offmig_doc **docp)
{
	static const char *const names[3] = { F_USER, F_APPS, F_CONFIG };
	struct offmig_doc *doc = NULL;
	struct xw x[3];
	struct gen g;
	size_t sizes[3] = { 0, 0, 0 }, i;
	int dfd = -1, ret;

	*docp = NULL;
	memset(&g, 0, sizeof(g));
	memset(x, 0, sizeof(x));
	g.ctx = ctx;
	g.vol = vol;
	if (dir == NULL)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "no output "
		    "directory");
	if (xmllib_load(ctx) == NULL)
		return OFFMIG_EIO;
	if ((ret = open_outdir(&g, dir, &dfd)) != OFFMIG_OK)
		goto out;
	/* Refuse before anything is written: all three or nothing. */
	for (i = 0; i < 3; i++) {
		struct stat st;

		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (!(flags & OFFMIG_XML_FORCE)) {
			ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s/%s exists; "
			    "--force replaces it", dir, names[i]);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s/%s is a "
			    "directory; refused", dir, names[i]);
			goto out;
		}
	}
	if ((ret = gather(&g, filter)) != OFFMIG_OK)
		goto out;
	user_folders(&g);
	redirected_folders(&g);
	common_folders(&g);
	browser_profiles(&g);
	pst_scan(&g);
	data_folders(&g);
	app_components(&g);
	outlook_pst(&g);
	if (g.truncated)
		ctx_log(ctx, OFFMIG_LOG_WARN, "the volume is larger than offmig "
		    "xml looks at (%lu entries, %lu registry keys): some counts "
		    "are lower bounds", MAX_ENTRIES, MAX_REG_KEYS);
	if (g.oom) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, 0, "out of memory");
		goto out;
	}
	if (x_migration(&g, &x[0], 0) < 0 || x_migration(&g, &x[1], 1) < 0 ||
	    x_config(&g, &x[2]) < 0 || g.oom) {
		ret = ctx_set_error(ctx, g.oom ? OFFMIG_ENOMEM : OFFMIG_EXML, 0,
		    "cannot build the XML documents");
		goto out;
	}
	for (i = 0; i < 3; i++) {
		sizes[i] = (size_t)XL->BufferLength(x[i].buf);
		if ((ret = write_atomic(ctx, dfd, dir, names[i],
		    XL->BufferContent(x[i].buf), sizes[i])) != OFFMIG_OK)
			goto out;
	}
	if (fsync(dfd) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", dir);
		goto out;
	}
	if ((doc = doc_new()) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "report");
		goto out;
	}
	report(&g, dir, sizes, doc);
	if ((ret = doc_status(doc)) != OFFMIG_OK) {
		ret = ctx_set_error(ctx, ret, 0, "report");
		offmig_doc_free(doc);
		goto out;
	}
	*docp = doc;
	ret = OFFMIG_OK;
out:
	for (i = 0; i < 3; i++)
		xw_free(&x[i]);
	if (dfd >= 0)
		close(dfd);
	gen_release(&g);
	return ret;
}
