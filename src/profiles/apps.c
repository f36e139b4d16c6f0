/*
 * apps.c - installed applications: the Uninstall keys of SOFTWARE (native
 * and WOW6432Node views) and of every selected user's NTUSER.DAT, with what
 * Add/Remove Programs would hide marked as hidden.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profiles.h"

#define UNINSTALL	"Microsoft\\Windows\\CurrentVersion\\Uninstall"

/* One application, gathered before sorting. */
struct app {
	char		*name;
	char		*sortkey;
	struct offmig_node *node;	/* its object in the scratch doc */
	int		 user_rank;	/* 0 machine, then profile order */
	int		 view;
};

static int
cmp_app(const void *a, const void *b)
{
	const struct app *x = a, *y = b;
	int c;

	if (x->user_rank != y->user_rank)
		return x->user_rank < y->user_rank ? -1 : 1;
	if ((c = wstrcasecmp(x->sortkey, y->sortkey)) != 0)
		return c;
	return x->view > y->view ? -1 : x->view < y->view;
}

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

/* A number value, or -1 when absent or not a number. */
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

/* InstallDate as YYYY-MM-DD: a YYYYMMDD string or a DWORD Unix time. */
static void
install_date(struct offmig_doc *doc, struct offmig_node *o,
    const struct hive_val *v)
{
	char buf[32], *s;
	int64_t n;

	if (!v->present) {
		doc_add_null(doc, o, "install_date");
		return;
	}
	if (v->type == REG_DWORD && (n = val_num(v)) > 0 &&
	    iso8601(n, buf, sizeof(buf)) != NULL) {
		buf[10] = '\0';
		doc_add_str(doc, o, "install_date", buf);
		return;
	}
	s = val_str(v);
	if (s != NULL && parse_yyyymmdd(s) != NO_TIME) {
		snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2s", s, s + 4, s + 6);
		doc_add_str(doc, o, "install_date", buf);
	} else {
		doc_add_null(doc, o, "install_date");
		if (s != NULL)
			doc_add_str(doc, o, "install_date_raw", s);
	}
	free(s);
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

	if (name == NULL)
		return "no-name";
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
	}
	return why;
}

/*
 * Reads every subkey of one Uninstall key into scratch objects and appends
 * them to *appsp.
 */
static int
read_uninstall(struct offmig_volume *vol, struct hive *h, const char *path,
    int view, const struct profile *user, int rank, unsigned flags,
    struct offmig_doc *scratch, struct offmig_node *rows, struct app **appsp,
    size_t *nappsp)
{
	struct offmig_ctx *ctx = vol->ctx;
	hnode key, *kids = NULL;
	size_t nk = 0, i;
	int ret;

	if ((ret = hive_lookup(ctx, h, 0, path, &key)) != OFFMIG_OK) {
		if (ret != OFFMIG_ENOTFOUND)
			ctx_log(ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(ctx));
		return OFFMIG_OK;
	}
	if (hive_children(ctx, h, key, &kids, &nk) != OFFMIG_OK) {
		ctx_log(ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(ctx));
		return OFFMIG_OK;
	}
	for (i = 0; i < nk; i++) {
		struct hive_val v[V_COUNT];
		struct offmig_node *o;
		char *keyname, *name, *ver, *full;
		const char *why;
		struct app *t;
		int64_t maj, min, n;

		if ((keyname = hive_key_name(ctx, h, kids[i])) == NULL) {
			ctx_log(ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(ctx));
			continue;
		}
		if (hive_get_values(ctx, h, kids[i], value_names, V_COUNT, v) !=
		    OFFMIG_OK) {
			ctx_log(ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(ctx));
			free(keyname);
			continue;
		}
		name = val_str(&v[V_NAME]);
		why = hidden_reason(v, name);
		if (why != NULL && !(flags & OFFMIG_REPORT_ALL_APPS)) {
			hive_vals_release(v, V_COUNT);
			free(name);
			free(keyname);
			continue;
		}
		if ((t = realloc(*appsp, (*nappsp + 1) * sizeof(*t))) == NULL) {
			hive_vals_release(v, V_COUNT);
			free(name);
			free(keyname);
			free(kids);
			return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "apps");
		}
		*appsp = t;
		o = doc_push_object(scratch, rows);
		t[*nappsp].node = o;
		t[*nappsp].name = name;
		t[*nappsp].sortkey = name != NULL ? name : keyname;
		t[*nappsp].user_rank = rank;
		t[*nappsp].view = view;
		doc_add_str(scratch, o, "name", name);
		if ((ver = val_str(&v[V_VERSION])) != NULL)
			doc_add_str(scratch, o, "version", ver);
		else if ((maj = val_num(&v[V_MAJOR])) >= 0 &&
		    (min = val_num(&v[V_MINOR])) >= 0) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%lld.%lld", (long long)maj,
			    (long long)min);
			doc_add_str(scratch, o, "version", buf);
		} else
			doc_add_null(scratch, o, "version");
		free(ver);
		field(scratch, o, "publisher", &v[V_PUBLISHER]);
		install_date(scratch, o, &v[V_DATE]);
		field(scratch, o, "location", &v[V_LOCATION]);
		field(scratch, o, "uninstall_string", &v[V_UNINSTALL]);
		field(scratch, o, "quiet_uninstall_string", &v[V_QUIET]);
		if ((n = val_num(&v[V_SIZE])) >= 0)
			doc_add_int(scratch, o, "estimated_size_kb", n);
		else
			doc_add_null(scratch, o, "estimated_size_kb");
		if (is_guid(keyname) && val_num(&v[V_MSI]) == 1)
			doc_add_str(scratch, o, "msi_product_code", keyname);
		else
			doc_add_null(scratch, o, "msi_product_code");
		doc_add_str(scratch, o, "scope", user != NULL ? "user" :
		    "machine");
		doc_add_str(scratch, o, "sid", user != NULL ? user->sid : NULL);
		doc_add_str(scratch, o, "user", user != NULL ? user->user : NULL);
		doc_add_int(scratch, o, "view", view);
		full = str_printf("%s\\%s", path, keyname);
		doc_add_str(scratch, o, "key", full);
		free(full);
		doc_add_str(scratch, o, "hive", hive_name(h));
		doc_add_bool(scratch, o, "hidden", why != NULL);
		doc_add_str(scratch, o, "hidden_reason", why);
		hive_vals_release(v, V_COUNT);
		/* sortkey points at name or keyname; keep keyname alive. */
		if (name != NULL)
			free(keyname);
		else
			t[*nappsp].name = keyname;
		(*nappsp)++;
	}
	free(kids);
	return OFFMIG_OK;
}

/* Whether the installation is 64-bit (a WOW6432Node view exists). */
static int
os_is_64bit(struct offmig_volume *vol, struct hive *sw)
{
	struct hive *sys;
	char *cs = NULL, *pa = NULL;
	hnode csk, env;
	int is64 = -1;

	if (volume_sys_hive(vol, SYS_HIVE_SYSTEM, &sys) == OFFMIG_OK &&
	    os_control_set(vol->ctx, sys, &cs, &csk) == OFFMIG_OK &&
	    hive_lookup(vol->ctx, sys, csk,
	    "Control\\Session Manager\\Environment", &env) == OFFMIG_OK &&
	    hive_get_string(vol->ctx, sys, env, "PROCESSOR_ARCHITECTURE", &pa,
	    NULL) == OFFMIG_OK)
		is64 = strcasecmp(pa, "x86") != 0;
	free(cs);
	free(pa);
	if (is64 < 0) {
		hnode w;

		is64 = hive_lookup(vol->ctx, sw, 0, "WOW6432Node", &w) ==
		    OFFMIG_OK;
	}
	return is64;
}

int
apps_build(struct offmig_volume *vol, const struct offmig_filter *f,
    unsigned flags, struct offmig_doc *doc, struct offmig_node *arr)
{
	struct offmig_ctx *ctx = vol->ctx;
	const struct profile_list *pl = NULL;
	struct offmig_doc *scratch = NULL;
	struct offmig_node *rows;
	struct app *apps = NULL;
	size_t napps = 0, i;
	struct hive *sw;
	int ret, native;

	if ((ret = volume_sys_hive(vol, SYS_HIVE_SOFTWARE, &sw)) != OFFMIG_OK)
		return ret;
	if ((scratch = doc_new()) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "apps");
	rows = doc_add_array(scratch, doc_root_mut(scratch), "rows");
	native = os_is_64bit(vol, sw) ? 64 : 32;
	ret = read_uninstall(vol, sw, UNINSTALL, native, NULL, 0, flags,
	    scratch, rows, &apps, &napps);
	if (ret == OFFMIG_OK && native == 64)
		ret = read_uninstall(vol, sw, "WOW6432Node\\" UNINSTALL, 32, NULL,
		    0, flags, scratch, rows, &apps, &napps);
	if (ret == OFFMIG_OK && volume_profiles(vol, &pl) == OFFMIG_OK) {
		for (i = 0; i < pl->n && ret == OFFMIG_OK; i++) {
			const struct profile *p = &pl->v[i];
			struct hive *uh = NULL;

			if (!p->hive_present || p->hive_host == NULL ||
			    p->status == PROFILE_ORPHAN_FOLDER ||
			    !filter_match(f, p))
				continue;
			if (volume_user_hive(vol, p, &uh) != OFFMIG_OK)
				continue;
			ret = read_uninstall(vol, uh, "Software\\" UNINSTALL,
			    native, p, (int)i + 1, flags, scratch, rows, &apps,
			    &napps);
			if (ret == OFFMIG_OK && native == 64)
				ret = read_uninstall(vol, uh,
				    "Software\\WOW6432Node\\" UNINSTALL, 32, p,
				    (int)i + 1, flags, scratch, rows, &apps,
				    &napps);
		}
	}
	if (ret == OFFMIG_OK) {
		/* qsort() must not be given NULL, even for no elements. */
		if (napps > 1)
			qsort(apps, napps, sizeof(*apps), cmp_app);
		for (i = 0; i < napps; i++)
			doc_push_copy(doc, arr, apps[i].node);
	}
	for (i = 0; i < napps; i++)
		free(apps[i].name);
	free(apps);
	offmig_doc_free(scratch);
	return ret;
}
