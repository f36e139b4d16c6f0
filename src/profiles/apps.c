/*
 * apps.c - installed applications: the Uninstall keys of SOFTWARE (native
 * and WOW6432Node views) and of every selected user's NTUSER.DAT, with what
 * Add/Remove Programs would hide marked as hidden.
 *
 * Nothing here stops at a damaged key: a subkey list or value list that
 * cannot be read is logged as a warning naming the hive and key, recorded
 * in the problems array, and the rest is still listed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profiles/profiles.h"

#define UNINSTALL	"Microsoft\\Windows\\CurrentVersion\\Uninstall"

/* One application, gathered before sorting. */
struct app {
	char		*keyname;	/* subkey name (owned) */
	char		*name;		/* DisplayName, or NULL (owned) */
	struct offmig_node *node;	/* its row, already in the report */
	size_t		 seq;		/* order found: keeps the sort stable */
	int		 user_rank;	/* 0 machine, then profile order */
	int		 view;
};

/*
 * Machine applications first, then each user's in profile order; within a
 * scope by name as Windows compares names (entries without a name by
 * their key name), the native view before the 32-bit one, then the order
 * in which they were found.
 */
static int
cmp_app(const void *a, const void *b)
{
	const struct app *x = a, *y = b;
	int c;

	if (x->user_rank != y->user_rank)
		return x->user_rank < y->user_rank ? -1 : 1;
	if ((c = wstrcasecmp(x->name != NULL ? x->name : x->keyname,
	    y->name != NULL ? y->name : y->keyname)) != 0)
		return c;
	if (x->view != y->view)
		return x->view > y->view ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" */
static int
is_guid(const char *s)
{
	size_t i;

	if (strlen(s) != 38 || s[0] != '{' || s[37] != '}')
		return 0;
	for (i = 1; i < 37; i++) {
		if (i == 9 || i == 14 || i == 19 || i == 24) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	}
	return 1;
}

/* The values read from each Uninstall entry, in one pass. */
enum {
	V_NAME, V_VERSION, V_MAJOR, V_MINOR, V_PUBLISHER, V_DATE, V_LOCATION,
	V_UNINSTALL, V_QUIET, V_SIZE, V_MSI, V_SYSCOMP, V_PARENT, V_RELEASE,
	V_COUNT
};
static const char *const value_names[V_COUNT] = {
	"DisplayName", "DisplayVersion", "VersionMajor", "VersionMinor",
	"Publisher", "InstallDate", "InstallLocation", "UninstallString",
	"QuietUninstallString", "EstimatedSize", "WindowsInstaller",
	"SystemComponent", "ParentKeyName", "ReleaseType"
};

/* A string value, or NULL when absent, empty or not a string. */
static char *
val_str(const struct hive_val *v)
{
	char *s;

	if (hive_val_string(v, &s) != OFFMIG_OK)
		return NULL;
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* A number value of 32 bits, or -1 when absent or not a number. */
static int64_t
val_num(const struct hive_val *v)
{
	uint64_t q;

	if (hive_val_qword(v, &q) != OFFMIG_OK || q > 0xFFFFFFFFULL)
		return -1;
	return (int64_t)q;
}

/* Adds a string value as a field (null when absent or unreadable). */
static void
field(struct offmig_doc *doc, struct offmig_node *o, const char *key,
    const struct hive_val *v)
{
	char *s = val_str(v);

	doc_add_str(doc, o, key, s);
	free(s);
}

/* The stored form of a value nothing else could make sense of. */
static char *
val_raw(const struct hive_val *v)
{
	const unsigned char *d = v->data;
	char *s, *p;
	size_t i, n;
	uint64_t q;

	if (v->type == REG_SZ || v->type == REG_EXPAND_SZ ||
	    v->type == REG_MULTI_SZ)
		return hive_val_string(v, &s) == OFFMIG_OK ? s : NULL;
	if ((v->type == REG_DWORD || v->type == REG_QWORD ||
	    v->type == REG_DWORD_BIG_ENDIAN) && hive_val_qword(v, &q) ==
	    OFFMIG_OK)
		return str_printf("%llu", (unsigned long long)q);
	/* Anything else as "hex(T):.." with at most 64 bytes shown. */
	n = v->len < 64 ? v->len : 64;
	if ((s = malloc(16 + 3 * n + 4)) == NULL)
		return NULL;
	p = s + sprintf(s, "hex(%u):", (unsigned)v->type);
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s%02x", i > 0 ? "," : "", d[i]);
	if (n < v->len)
		strcpy(p, ",..");
	return s;
}

/*
 * InstallDate as YYYY-MM-DD: a YYYYMMDD string, or a DWORD holding a Unix
 * time (or, as some installers write it, YYYYMMDD as a number).  Anything
 * else gives null and the stored form in install_date_raw.
 */
static void
install_date(struct offmig_doc *doc, struct offmig_node *o,
    const struct hive_val *v)
{
	char buf[32], *s = NULL, *raw;
	int64_t n;

	if (!v->present) {
		doc_add_null(doc, o, "install_date");
		return;
	}
	if (v->type == REG_DWORD || v->type == REG_DWORD_BIG_ENDIAN ||
	    v->type == REG_QWORD) {
		if ((n = val_num(v)) >= 19700101 && n <= 99991231) {
			snprintf(buf, sizeof(buf), "%08lld", (long long)n);
			if (parse_yyyymmdd(buf) != NO_TIME) {
				s = strdup(buf);
				goto ymd;
			}
		}
		if (n > 0 && iso8601(n, buf, sizeof(buf)) != NULL) {
			buf[10] = '\0';
			doc_add_str(doc, o, "install_date", buf);
			return;
		}
	} else
		s = val_str(v);
ymd:
	if (s != NULL && parse_yyyymmdd(s) != NO_TIME) {
		snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2s", s, s + 4, s + 6);
		doc_add_str(doc, o, "install_date", buf);
		free(s);
		return;
	}
	free(s);
	doc_add_null(doc, o, "install_date");
	raw = val_raw(v);
	doc_add_str(doc, o, "install_date_raw", raw);
	free(raw);
}

/* Why Add/Remove Programs would not show an entry, or NULL. */
static const char *
hidden_reason(const struct hive_val *v, const char *name)
{
	static const char *const types[] = {
		"Security Update", "Update Rollup", "Hotfix", "Update",
		"Service Pack"
	};
	const char *why = NULL;
	char *s;
	size_t i;

	if (val_num(&v[V_SYSCOMP]) == 1)
		return "system-component";
	if ((s = val_str(&v[V_PARENT])) != NULL) {
		free(s);
		return "update";
	}
	if ((s = val_str(&v[V_RELEASE])) != NULL) {
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(s, types[i]) == 0)
				why = "release-type";
		free(s);
		if (why != NULL)
			return why;
	}
	if (name == NULL)
		return "no-name";
	return NULL;
}

/* Where one call of read_uninstall() puts what it finds. */
struct gather {
	struct offmig_volume *vol;
	unsigned	 flags;
	struct offmig_node *rows;	/* the report's array, sorted at the end */
	struct app	*apps;
	size_t		 napps;
	size_t		 cap;
	struct offmig_doc *doc;		/* the report */
	struct offmig_node *problems;	/* may be NULL */
};

/*
 * The host path of a hive relative to the volume root, as every other
 * host_path of the reports ("Windows/System32/config/SOFTWARE").
 */
static const char *
hive_rel(const struct offmig_volume *vol, struct hive *h)
{
	const char *name = hive_name(h);
	size_t n = strlen(vol->root);

	while (n > 1 && vol->root[n - 1] == '/')
		n--;
	if (strncmp(name, vol->root, n) == 0 && name[n] == '/')
		return name + n + 1;
	return name;
}

/* Logs a problem of one hive and key, and records it in the report. */
static void
problem(struct gather *g, const char *hive, const char *key, const char *msg)
{
	struct offmig_node *o;

	ctx_log(g->vol->ctx, OFFMIG_LOG_WARN, "%s", msg);
	if (g->problems == NULL)
		return;
	o = doc_push_object(g->doc, g->problems);
	doc_add_str(g->doc, o, "hive", hive);
	doc_add_str(g->doc, o, "key", key);
	doc_add_str(g->doc, o, "problem", msg);
}

/* Adds the fields of one entry to its row. */
static void
entry_fields(struct gather *g, struct offmig_node *o, struct hive *h,
    const char *path, const char *keyname, const char *name,
    const struct hive_val *v, int view, const struct profile *user,
    const char *why)
{
	struct offmig_doc *doc = g->doc;
	char buf[48], *ver, *full;
	int64_t maj, min, n;

	doc_add_str(doc, o, "name", name);
	if ((ver = val_str(&v[V_VERSION])) != NULL)
		doc_add_str(doc, o, "version", ver);
	else if ((maj = val_num(&v[V_MAJOR])) >= 0) {
		if ((min = val_num(&v[V_MINOR])) >= 0)
			snprintf(buf, sizeof(buf), "%lld.%lld", (long long)maj,
			    (long long)min);
		else
			snprintf(buf, sizeof(buf), "%lld", (long long)maj);
		doc_add_str(doc, o, "version", buf);
	} else
		doc_add_null(doc, o, "version");
	free(ver);
	field(doc, o, "publisher", &v[V_PUBLISHER]);
	install_date(doc, o, &v[V_DATE]);
	field(doc, o, "location", &v[V_LOCATION]);
	field(doc, o, "uninstall_string", &v[V_UNINSTALL]);
	field(doc, o, "quiet_uninstall_string", &v[V_QUIET]);
	if ((n = val_num(&v[V_SIZE])) >= 0)
		doc_add_int(doc, o, "estimated_size_kb", n);
	else
		doc_add_null(doc, o, "estimated_size_kb");
	if (is_guid(keyname) && val_num(&v[V_MSI]) == 1)
		doc_add_str(doc, o, "msi_product_code", keyname);
	else
		doc_add_null(doc, o, "msi_product_code");
	doc_add_bool(doc, o, "system_component", val_num(&v[V_SYSCOMP]) == 1);
	doc_add_str(doc, o, "scope", user != NULL ? "user" : "machine");
	doc_add_str(doc, o, "sid", user != NULL ? user->sid : NULL);
	doc_add_str(doc, o, "user", user != NULL ? user->user : NULL);
	doc_add_int(doc, o, "view", view);
	full = str_printf("%s\\%s", path, keyname);
	doc_add_str(doc, o, "key", full);
	free(full);
	doc_add_str(doc, o, "hive", hive_rel(g->vol, h));
	doc_add_bool(doc, o, "hidden", why != NULL);
	doc_add_str(doc, o, "hidden_reason", why);
}

/*
 * Reads every subkey of one Uninstall key (path, in hive h) into rows of
 * the report.  A missing key is not a problem; a damaged one is.  Returns
 * OFFMIG_OK, or OFFMIG_ENOMEM.
 */
static int
read_uninstall(struct gather *g, struct hive *h, const char *path, int view,
    const struct profile *user, int rank)
{
	struct offmig_ctx *ctx = g->vol->ctx;
	hnode key, *kids = NULL;
	size_t nk = 0, i;
	int ret;

	if ((ret = hive_lookup(ctx, h, 0, path, &key)) != OFFMIG_OK) {
		if (ret != OFFMIG_ENOTFOUND)
			problem(g, hive_rel(g->vol, h), path, offmig_errmsg(ctx));
		return ret == OFFMIG_ENOMEM ? ret : OFFMIG_OK;
	}
	if ((ret = hive_children(ctx, h, key, &kids, &nk)) != OFFMIG_OK) {
		problem(g, hive_rel(g->vol, h), path, offmig_errmsg(ctx));
		return ret == OFFMIG_ENOMEM ? ret : OFFMIG_OK;
	}
	for (i = 0; i < nk; i++) {
		struct hive_val v[V_COUNT];
		char *keyname, *name;
		const char *why;
		struct app *a;

		if ((keyname = hive_key_name(ctx, h, kids[i])) == NULL) {
			problem(g, hive_rel(g->vol, h), path, offmig_errmsg(ctx));
			continue;
		}
		if ((ret = hive_get_values(ctx, h, kids[i], value_names, V_COUNT,
		    v)) != OFFMIG_OK) {
			char *full = str_printf("%s\\%s", path, keyname);

			problem(g, hive_rel(g->vol, h), full != NULL ? full : path,
			    offmig_errmsg(ctx));
			free(full);
			free(keyname);
			continue;
		}
		name = val_str(&v[V_NAME]);
		why = hidden_reason(v, name);
		if (why != NULL && !(g->flags & OFFMIG_REPORT_ALL_APPS)) {
			hive_vals_release(v, V_COUNT);
			free(name);
			free(keyname);
			continue;
		}
		if (g->napps == g->cap) {
			size_t cap = g->cap > 0 ? g->cap * 2 : 64;
			struct app *t = reallocarray(g->apps, cap, sizeof(*t));

			if (t == NULL) {
				hive_vals_release(v, V_COUNT);
				free(name);
				free(keyname);
				free(kids);
				return ctx_set_error(ctx, OFFMIG_ENOMEM, errno,
				    "applications of %s", hive_name(h));
			}
			g->apps = t;
			g->cap = cap;
		}
		a = &g->apps[g->napps];
		a->keyname = keyname;
		a->name = name;
		a->seq = g->napps;
		a->user_rank = rank;
		a->view = view;
		a->node = doc_push_object(g->doc, g->rows);
		g->napps++;
		entry_fields(g, a->node, h, path, keyname, name, v, view, user,
		    why);
		hive_vals_release(v, V_COUNT);
	}
	free(kids);
	return OFFMIG_OK;
}

/*
 * Whether the installation is 64-bit: SYSTEM's PROCESSOR_ARCHITECTURE
 * (anything but x86 is 64-bit: AMD64, ARM64, IA64), else whether SOFTWARE
 * has a WOW6432Node.  Lookups are quiet: a missing value is no problem.
 */
static int
os_is_64bit(struct offmig_volume *vol, struct hive *sw)
{
	struct offmig_ctx quiet;
	struct hive *sys;
	char *cs = NULL, *pa = NULL;
	hnode csk, env, w;
	int is64 = -1;

	memset(&quiet, 0, sizeof(quiet));
	if (!(vol->hive_tried[SYS_HIVE_SYSTEM] &&
	    vol->hives[SYS_HIVE_SYSTEM] == NULL) &&
	    volume_sys_hive(vol, SYS_HIVE_SYSTEM, &sys) == OFFMIG_OK &&
	    os_control_set(&quiet, sys, &cs, &csk) == OFFMIG_OK &&
	    hive_lookup(&quiet, sys, csk,
	    "Control\\Session Manager\\Environment", &env) == OFFMIG_OK &&
	    hive_get_string(&quiet, sys, env, "PROCESSOR_ARCHITECTURE", &pa,
	    NULL) == OFFMIG_OK && *pa != '\0')
		is64 = strcasecmp(pa, "x86") != 0;
	free(cs);
	free(pa);
	if (is64 < 0)
		is64 = hive_lookup(&quiet, sw, 0, "WOW6432Node", &w) ==
		    OFFMIG_OK;
	return is64;
}

/* Both Uninstall keys of one hive: the native view, then WOW6432Node. */
static int
read_hive(struct gather *g, struct hive *h, const char *prefix, int native,
    const struct profile *user, int rank)
{
	char *p;
	int ret;

	if ((p = str_printf("%s" UNINSTALL, prefix)) == NULL)
		return ctx_set_error(g->vol->ctx, OFFMIG_ENOMEM, errno, "apps");
	ret = read_uninstall(g, h, p, native, user, rank);
	free(p);
	/*
	 * The 32-bit view exists only on a 64-bit installation; if a 32-bit
	 * one has it anyway, what it lists is still installed software.
	 */
	if (ret != OFFMIG_OK)
		return ret;
	if ((p = str_printf("%sWOW6432Node\\" UNINSTALL, prefix)) == NULL)
		return ctx_set_error(g->vol->ctx, OFFMIG_ENOMEM, errno, "apps");
	ret = read_uninstall(g, h, p, 32, user, rank);
	free(p);
	return ret;
}

/* An applications report in three steps (apps_begin() in profiles.h). */
struct apps_run {
	struct gather		 g;
	const struct offmig_filter *f;
	struct hive		*sw;
	size_t			 first;	/* rows of arr before this report's */
	int			 native;
	int			 ret;	/* of the machine part */
};

int
apps_begin(struct offmig_volume *vol, const struct offmig_filter *f,
    unsigned flags, struct offmig_doc *doc, struct offmig_node *arr,
    struct offmig_node *problems, struct apps_run **runp)
{
	struct apps_run *r;
	struct hive *sw;
	int ret;

	*runp = NULL;
	if ((ret = volume_sys_hive(vol, SYS_HIVE_SOFTWARE, &sw)) != OFFMIG_OK)
		return ret;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return ctx_set_error(vol->ctx, OFFMIG_ENOMEM, errno, "apps");
	r->g.vol = vol;
	r->g.flags = flags;
	r->g.doc = doc;
	r->g.problems = problems;
	r->g.rows = arr;
	r->f = f;
	r->sw = sw;
	r->first = offmig_node_len(arr);
	r->native = os_is_64bit(vol, sw) ? 64 : 32;
	*runp = r;
	return OFFMIG_OK;
}

void
apps_machine(struct apps_run *r, struct offmig_doc *doc)
{
	r->g.doc = doc;
	r->ret = read_hive(&r->g, r->sw, "", r->native, NULL, 0);
}

int
apps_end(struct apps_run *r, struct offmig_doc *doc)
{
	struct offmig_volume *vol = r->g.vol;
	struct offmig_ctx *ctx = vol->ctx;
	const struct profile_list *pl = NULL;
	struct offmig_node **order;
	struct gather g;
	size_t i;
	int ret = r->ret;

	r->g.doc = doc;
	g = r->g;
	/* The user hives are opened on a few threads, then read in order. */
	if (ret == OFFMIG_OK && volume_prefetch_hives(vol, r->f) ==
	    OFFMIG_ENOMEM)
		ret = OFFMIG_ENOMEM;
	if (ret == OFFMIG_OK && volume_profiles(vol, &pl) == OFFMIG_OK) {
		for (i = 0; i < pl->n && ret == OFFMIG_OK; i++) {
			const struct profile *p = &pl->v[i];
			struct hive *uh = NULL;
			int e;

			if (!p->hive_present || p->hive_host == NULL ||
			    p->status == PROFILE_ORPHAN_FOLDER ||
			    !filter_match(r->f, p))
				continue;
			/* A hive that fails to open was logged by the volume. */
			if ((e = volume_user_hive(vol, p, &uh)) != OFFMIG_OK) {
				if (g.problems != NULL) {
					struct offmig_node *o =
					    doc_push_object(doc, g.problems);

					doc_add_str(doc, o, "hive", p->hive_host);
					doc_add_null(doc, o, "key");
					doc_add_str(doc, o, "problem",
					    offmig_errmsg(ctx));
				}
				if (e == OFFMIG_ENOMEM)
					ret = e;
				continue;
			}
			ret = read_hive(&g, uh, "Software\\", r->native, p,
			    (int)i + 1);
		}
	}
	if (ret == OFFMIG_OK && doc_status(doc) != OFFMIG_OK)
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "apps");
	/*
	 * The rows went into the report as they were found; sorting puts
	 * them in order without copying them.
	 */
	if (ret == OFFMIG_OK && g.napps > 0) {
		qsort(g.apps, g.napps, sizeof(*g.apps), cmp_app);
		if ((order = reallocarray(NULL, g.napps, sizeof(*order))) ==
		    NULL)
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "apps");
		else {
			for (i = 0; i < g.napps; i++)
				order[i] = g.apps[i].node;
			if (doc_array_reorder(g.rows, r->first, order,
			    g.napps) != 0)
				ret = ctx_set_error(ctx, OFFMIG_EINVAL, 0,
				    "apps: rows out of step with the report");
			free(order);
		}
	}
	for (i = 0; i < g.napps; i++) {
		free(g.apps[i].name);
		free(g.apps[i].keyname);
	}
	free(g.apps);
	free(r);
	return ret;
}

int
apps_build_problems(struct offmig_volume *vol, const struct offmig_filter *f,
    unsigned flags, struct offmig_doc *doc, struct offmig_node *arr,
    struct offmig_node *problems)
{
	struct apps_run *r;
	int ret;

	if ((ret = apps_begin(vol, f, flags, doc, arr, problems, &r)) !=
	    OFFMIG_OK)
		return ret;
	apps_machine(r, doc);
	return apps_end(r, doc);
}

int
apps_build(struct offmig_volume *vol, const struct offmig_filter *f,
    unsigned flags, struct offmig_doc *doc, struct offmig_node *arr)
{
	return apps_build_problems(vol, f, flags, doc, arr, NULL);
}
