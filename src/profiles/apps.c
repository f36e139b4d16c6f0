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

/* Adds a string value as a field (null when absent or unreadable). */
static char *
field(struct offmig_ctx *ctx, struct offmig_doc *doc, struct offmig_node *o,
    const char *key, struct hive *h, hnode k, const char *value)
{
	char *s = NULL;

	if (hive_get_string(ctx, h, k, value, &s, NULL) != OFFMIG_OK)
		s = NULL;
	if (s != NULL && *s == '\0') {
		free(s);
		s = NULL;
	}
	doc_add_str(doc, o, key, s);
	return s;
}

static void
install_date(struct offmig_ctx *ctx, struct offmig_doc *doc,
    struct offmig_node *o, struct hive *h, hnode k)
{
	uint32_t type;
	char *s = NULL, buf[32];
	uint64_t v;

	if (hive_value_type(ctx, h, k, "InstallDate", &type, NULL) !=
	    OFFMIG_OK) {
		doc_add_null(doc, o, "install_date");
		return;
	}
	if (type == REG_DWORD && hive_get_qword(ctx, h, k, "InstallDate",
	    &v) == OFFMIG_OK && v > 0) {
		/* A Unix time, as some installers write it. */
		if (iso8601((int64_t)v, buf, sizeof(buf)) != NULL) {
			buf[10] = '\0';
			doc_add_str(doc, o, "install_date", buf);
			return;
		}
	}
	if (hive_get_string(ctx, h, k, "InstallDate", &s, NULL) == OFFMIG_OK &&
	    parse_yyyymmdd(s) != NO_TIME) {
		snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2s", s, s + 4, s + 6);
		doc_add_str(doc, o, "install_date", buf);
	} else {
		doc_add_null(doc, o, "install_date");
		if (s != NULL && *s != '\0')
			doc_add_str(doc, o, "install_date_raw", s);
	}
	free(s);
}

/* Why Add/Remove Programs would not show an entry, or NULL. */
static const char *
hidden_reason(struct offmig_ctx *ctx, struct hive *h, hnode k,
    const char *name)
{
	uint32_t v;
	char *s = NULL;
	const char *why = NULL;

	if (name == NULL)
		return "no-name";
	if (hive_get_dword(ctx, h, k, "SystemComponent", &v) == OFFMIG_OK &&
	    v == 1)
		return "system-component";
	if (hive_get_string(ctx, h, k, "ParentKeyName", &s, NULL) == OFFMIG_OK &&
	    *s != '\0')
		why = "update";
	free(s);
	if (why != NULL)
		return why;
	if (hive_get_string(ctx, h, k, "ReleaseType", &s, NULL) == OFFMIG_OK) {
		static const char *const types[] = {
			"Security Update", "Update Rollup", "Hotfix", "Update",
			"Service Pack"
		};
		size_t i;

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
		struct offmig_node *o;
		char *keyname, *name, *ver, *full;
		const char *why;
		struct app *t;
		uint32_t v, maj, min;

		if ((keyname = hive_key_name(ctx, h, kids[i])) == NULL) {
			ctx_log(ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(ctx));
			continue;
		}
		if (hive_get_string(ctx, h, kids[i], "DisplayName", &name,
		    NULL) != OFFMIG_OK || *name == '\0') {
			free(name);
			name = NULL;
		}
		why = hidden_reason(ctx, h, kids[i], name);
		if (why != NULL && !(flags & OFFMIG_REPORT_ALL_APPS)) {
			free(name);
			free(keyname);
			continue;
		}
		if ((t = realloc(*appsp, (*nappsp + 1) * sizeof(*t))) == NULL) {
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
		if (hive_get_string(ctx, h, kids[i], "DisplayVersion", &ver,
		    NULL) == OFFMIG_OK && *ver != '\0')
			doc_add_str(scratch, o, "version", ver);
		else if (hive_get_dword(ctx, h, kids[i], "VersionMajor", &maj) ==
		    OFFMIG_OK && hive_get_dword(ctx, h, kids[i], "VersionMinor",
		    &min) == OFFMIG_OK) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%u.%u", maj, min);
			doc_add_str(scratch, o, "version", buf);
		} else
			doc_add_null(scratch, o, "version");
		free(ver);
		free(field(ctx, scratch, o, "publisher", h, kids[i],
		    "Publisher"));
		install_date(ctx, scratch, o, h, kids[i]);
		free(field(ctx, scratch, o, "location", h, kids[i],
		    "InstallLocation"));
		free(field(ctx, scratch, o, "uninstall_string", h, kids[i],
		    "UninstallString"));
		free(field(ctx, scratch, o, "quiet_uninstall_string", h,
		    kids[i], "QuietUninstallString"));
		if (hive_get_dword(ctx, h, kids[i], "EstimatedSize", &v) ==
		    OFFMIG_OK)
			doc_add_int(scratch, o, "estimated_size_kb", v);
		else
			doc_add_null(scratch, o, "estimated_size_kb");
		if (is_guid(keyname) && hive_get_dword(ctx, h, kids[i],
		    "WindowsInstaller", &v) == OFFMIG_OK && v == 1)
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
