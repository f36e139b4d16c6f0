/*
 * report.c - the public reports: each builds a document from the builders
 * of os.c, profiles.c, apps.c and folders.c.  inspect adds the attention
 * list: what a migration of this machine would trip on.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/par.h"
#include "profiles/profiles.h"


/* Checks the arguments and creates the document, or reports ENOMEM. */
static int
start(struct offmig_ctx *ctx, struct offmig_volume *vol,
    struct offmig_doc **docp)
{
	if (docp == NULL)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0,
		    "report: no place for the document");
	*docp = NULL;
	if (vol == NULL)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "report: no volume");
	if ((*docp = doc_new()) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "report");
	return OFFMIG_OK;
}

/* Hands the document over, or frees it on error. */
static int
finish(struct offmig_ctx *ctx, struct offmig_doc *doc, int ret,
    struct offmig_doc **docp)
{
	if (ret == OFFMIG_OK && (ret = doc_status(doc)) != OFFMIG_OK)
		ret = ctx_set_error(ctx, ret, ENOMEM, "report");
	if (ret != OFFMIG_OK) {
		offmig_doc_free(doc);
		*docp = NULL;
		return ret;
	}
	*docp = doc;
	return OFFMIG_OK;
}

int
offmig_os_report(struct offmig_ctx *ctx, struct offmig_volume *vol,
    struct offmig_doc **docp)
{
	struct offmig_doc *doc;
	int ret;

	if ((ret = start(ctx, vol, docp)) != OFFMIG_OK)
		return ret;
	doc = *docp;
	volume_spec_want(vol, SPEC_WANT_HIVELIST);
	ret = os_build(vol, doc, doc_root_mut(doc));
	return finish(ctx, doc, ret, docp);
}

int
offmig_profiles_report(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct offmig_filter *filter, struct offmig_doc **docp)
{
	const struct profile_list *pl;
	struct offmig_doc *doc;
	int ret;

	if ((ret = start(ctx, vol, docp)) != OFFMIG_OK)
		return ret;
	doc = *docp;
	ret = profiles_build(vol, filter, doc, doc_add_array(doc,
	    doc_root_mut(doc), "profiles"));
	if (ret == OFFMIG_OK && volume_profiles(vol, &pl) == OFFMIG_OK) {
		doc_add_str(doc, doc_root_mut(doc), "profiles_directory",
		    pl->profiles_dir);
		doc_add_str(doc, doc_root_mut(doc), "machine_sid",
		    pl->machine_sid);
	}
	return finish(ctx, doc, ret, docp);
}

int
offmig_apps_report(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct offmig_filter *filter, unsigned flags,
    struct offmig_doc **docp)
{
	struct offmig_doc *doc;
	struct offmig_node *root, *apps;
	int ret;

	if ((ret = start(ctx, vol, docp)) != OFFMIG_OK)
		return ret;
	doc = *docp;
	root = doc_root_mut(doc);
	apps = doc_add_array(doc, root, "apps");
	ret = apps_build_problems(vol, filter, flags, doc, apps,
	    doc_add_array(doc, root, "problems"));
	return finish(ctx, doc, ret, docp);
}

int
offmig_folders_report(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const char *user, const struct offmig_filter *filter,
    struct offmig_doc **docp)
{
	struct offmig_doc *doc;
	int ret;

	if ((ret = start(ctx, vol, docp)) != OFFMIG_OK)
		return ret;
	doc = *docp;
	volume_spec_want(vol, SPEC_WANT_FOLDERS);
	ret = folders_build(vol, user, filter, doc, doc_root_mut(doc));
	return finish(ctx, doc, ret, docp);
}

static void
attention(struct offmig_doc *doc, struct offmig_node *arr,
    const char *severity, const char *what, const char *subject,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
attention(struct offmig_doc *doc, struct offmig_node *arr,
    const char *severity, const char *what, const char *subject,
    const char *fmt, ...)
{
	struct offmig_node *o = doc_push_object(doc, arr);
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	doc_add_str(doc, o, "severity", severity);
	doc_add_str(doc, o, "what", what);
	doc_add_str(doc, o, "subject", subject);
	doc_add_str(doc, o, "detail", buf);
}

/*
 * Whether a profile's folder is outside the volume (another drive, a
 * network or device path, "..", or a symbolic link on the way): then
 * *whyp is a message saying so, borrowed from the context.
 */
static int
profile_outside(struct offmig_volume *vol, const struct profile *p,
    const char **whyp)
{
	enum winpath_kind kind;
	char *exp;
	int ret;

	*whyp = NULL;
	if (p->path == NULL || p->host_path != NULL)
		return 0;
	if ((exp = volume_expand(vol, p->path)) == NULL)
		return 0;
	kind = winpath_classify(exp, vol->sysdrive, NULL);
	free(exp);
	if (kind == WINPATH_SYSTEM_DRIVE || kind == WINPATH_RELATIVE) {
		/* On the system drive: only a link on the way leads out. */
		ret = volume_resolve(vol, p->path, VPATH_DIR, NULL, NULL);
		if (ret != OFFMIG_EUNSAFE)
			return 0;
	} else
		(void)volume_resolve(vol, p->path, VPATH_DIR, NULL, NULL);
	*whyp = offmig_errmsg(vol->ctx);
	return 1;
}

/* Attention items of one profile. */
static void
profile_attention(struct offmig_volume *vol, const struct profile *p,
    struct offmig_doc *doc, struct offmig_node *arr)
{
	const char *who = p->user != NULL ? p->user : (p->sid != NULL ?
	    p->sid : p->host_path);
	const char *why;
	struct hive *h;
	int outside = profile_outside(vol, p, &why);

	if (outside)
		attention(doc, arr, "warning", "outside-volume", p->key,
		    "the profile folder of %s is not on this volume (%s): its "
		    "files cannot be migrated from here; check the "
		    "ProfileImagePath or migrate them from where they are",
		    who, why);
	switch (p->status) {
	case PROFILE_BAK:
		if (p->is_bak)
			attention(doc, arr, "error", "bak-twin", p->key,
			    "the profile of %s was backed up as '%s'%s%s; "
			    "USMT fails on duplicate SIDs: restore the "
			    ".bak entry or remove the twin before "
			    "migrating", who, p->key, p->partner ?
			    " and the live key is " : "",
			    p->partner ? p->partner : "");
		break;
	case PROFILE_TEMPORARY:
		attention(doc, arr, "error", "temporary-profile", p->key,
		    "%s is using a temporary profile (%s): its data is "
		    "in the original profile%s, not here; migrate that one",
		    who, p->path != NULL ? p->path : "no path",
		    p->partner != NULL ? " (the .bak twin)" : "");
		break;
	case PROFILE_FOLDER_MISSING:
		if (!outside)
			attention(doc, arr, "warning", "folder-missing", p->key,
			    "the profile folder of %s (%s) is not on this "
			    "volume; USMT retries such entries for minutes: "
			    "exclude it or remove the stale entry", who,
			    p->path != NULL ? p->path : "no path");
		break;
	case PROFILE_HIVE_MISSING:
		attention(doc, arr, "warning", "hive-missing", p->key,
		    "%s has no NTUSER.DAT: its settings cannot be "
		    "migrated, only its files", who);
		break;
	case PROFILE_ORPHAN_FOLDER:
		attention(doc, arr, "info", "orphan-folder", p->host_path,
		    "the folder %s belongs to no profile entry; its files "
		    "would not be migrated with any user: include it by hand "
		    "if it matters", p->path != NULL ? p->path : p->host_path);
		break;
	default:
		break;
	}
	if (p->hive_present && p->hive_host != NULL &&
	    p->status != PROFILE_ORPHAN_FOLDER &&
	    volume_user_hive(vol, p, &h) != OFFMIG_OK) {
		const char *reason = NULL;
		size_t i;

		/* The profile scan said why; the open only that it failed. */
		for (i = 0; i < p->nproblems && reason == NULL; i++)
			if (strstr(p->problems[i], p->hive_host) != NULL ||
			    strstr(p->problems[i], "NTUSER.DAT") != NULL)
				reason = p->problems[i];
		attention(doc, arr, "error", "hive-unreadable", p->hive_host,
		    "the NTUSER.DAT of %s cannot be read%s%s%s: its settings "
		    "and per-user applications cannot be migrated; recover "
		    "it from a backup or its transaction logs first", who,
		    reason != NULL ? " (" : "", reason != NULL ? reason : "",
		    reason != NULL ? ")" : "");
	}
	if (p->status != PROFILE_SYSTEM && p->status != PROFILE_ORPHAN_FOLDER &&
	    (p->user_source == NULL || strcmp(p->user_source, "none") == 0))
		attention(doc, arr, "warning", "unresolved-user", p->key,
		    "no name could be found for %s; select it by SID (--ui "
		    "%s)", p->sid != NULL ? p->sid : p->key,
		    p->sid != NULL ? p->sid : p->key);
}

/* Folders redirected off the volume: their files are elsewhere. */
static void
folders_attention(struct offmig_doc *doc, struct offmig_node *arr,
    const struct offmig_node *folders)
{
	const struct offmig_node *profiles = offmig_node_get(folders,
	    "profiles");
	size_t i, j;

	for (i = 0; i < offmig_node_len(profiles); i++) {
		const struct offmig_node *p = offmig_node_at(profiles, i);
		const struct offmig_node *fs = offmig_node_get(p, "folders");
		const char *who = offmig_node_get_str(p, "user");

		if (who == NULL)
			who = offmig_node_get_str(p, "sid");
		for (j = 0; j < offmig_node_len(fs); j++) {
			const struct offmig_node *f = offmig_node_at(fs, j);
			const char *kind = offmig_node_get_str(f,
			    "redirect_kind");

			if (kind == NULL || strcmp(kind, "local") == 0)
				continue;
			attention(doc, arr, "info", "outside-volume",
			    who, "%s of %s is redirected to %s (%s), which is "
			    "not on this volume: its files are not migrated "
			    "with the profile; copy them separately",
			    offmig_node_get_str(f, "label"), who != NULL ? who :
			    "?", offmig_node_get_str(f, "path"),
			    strcmp(kind, "unc") == 0 ? "a network share" :
			    strcmp(kind, "invalid") == 0 ? "an invalid path" :
			    "another drive");
		}
	}
}

/* What a migration would trip on, from the profiles and the hive list. */
static void
build_attention(struct offmig_volume *vol, const struct offmig_filter *f,
    struct offmig_doc *doc, struct offmig_node *arr,
    const struct offmig_node *os, const struct offmig_node *problems,
    const struct offmig_node *folders)
{
	const struct profile_list *pl;
	const struct offmig_node *hives = offmig_node_get(os, "hives");
	size_t i;
	int w;

	if (vol->hibernated)
		attention(doc, arr, "error", "hibernated", vol->root,
		    "Windows is hibernated (or shut down with Fast Startup): "
		    "boot it and shut it down fully (or run 'powercfg /h off') "
		    "before any migration writes here");
	/* Machine hives that could not be opened, or are not hives. */
	for (w = 0; w < SYS_HIVE_COUNT; w++) {
		const struct offmig_node *h = NULL;
		const char *subject;

		for (i = 0; i < offmig_node_len(hives) && h == NULL; i++) {
			const struct offmig_node *x = offmig_node_at(hives, i);
			const char *scope = offmig_node_get_str(x, "scope");
			const char *name = offmig_node_get_str(x, "name");

			if (scope != NULL && strcmp(scope, "machine") == 0 &&
			    name != NULL && strcmp(name, sys_hive_name(w)) == 0)
				h = x;
		}
		subject = offmig_node_get_str(h, "host_path");
		if (subject == NULL)
			subject = sys_hive_name(w);
		if (vol->hive_tried[w] && vol->hives[w] == NULL &&
		    vol->hive_msg[w] != NULL)
			attention(doc, arr, w <= SYS_HIVE_SAM ? "error" :
			    "warning", "hive-unreadable", subject,
			    "%s; what it holds is missing from this report",
			    vol->hive_msg[w]);
		else if (h != NULL && offmig_node_int(offmig_node_get(h,
		    "present")) && offmig_node_type(offmig_node_get(h,
		    "dirty")) == OFFMIG_NODE_NULL)
			attention(doc, arr, w <= SYS_HIVE_SAM ? "error" :
			    "warning", "hive-unreadable", subject,
			    "%s is not a registry hive: what it holds cannot be "
			    "read or migrated; restore it from a backup "
			    "(Windows keeps one in System32\\config\\RegBack)",
			    sys_hive_name(w));
	}
	for (i = 0; i < offmig_node_len(hives); i++) {
		const struct offmig_node *h = offmig_node_at(hives, i);
		const struct offmig_node *dirty = offmig_node_get(h, "dirty");

		const struct offmig_node *rec = offmig_node_get(h, "recovery");

		if (offmig_node_type(dirty) != OFFMIG_NODE_BOOL ||
		    !offmig_node_int(dirty))
			continue;
		if (offmig_node_int(offmig_node_get(rec, "recovered")))
			attention(doc, arr, "info", "dirty-hive",
			    offmig_node_get_str(h, "host_path"),
			    "%s was not saved cleanly: its last changes are "
			    "only in its transaction logs, which this report "
			    "read (%lld entries); 'offmig hive clean --apply' "
			    "writes them into the hive before anything else "
			    "writes to it", offmig_node_get_str(h, "name"),
			    (long long)offmig_node_int(offmig_node_get(rec,
			    "entries_applied")));
		else if (offmig_node_type(rec) == OFFMIG_NODE_OBJECT)
			attention(doc, arr, "warning", "dirty-hive",
			    offmig_node_get_str(h, "host_path"),
			    "%s was not saved cleanly and no transaction log "
			    "brings it up to date (%s): it was read as it is, "
			    "and recent changes may be lost",
			    offmig_node_get_str(h, "name"),
			    offmig_node_get_str(rec, "note") != NULL ?
			    offmig_node_get_str(rec, "note") : "no log");
		else
			attention(doc, arr, "warning", "dirty-hive",
			    offmig_node_get_str(h, "host_path"),
			    "%s was not saved cleanly; recent changes may be "
			    "only in its %zu transaction log(s), not read "
			    "(--no-logs)", offmig_node_get_str(h, "name"),
			    offmig_node_len(offmig_node_get(h, "logs")));
	}
	/* Damaged Uninstall keys (unreadable user hives come below). */
	for (i = 0; i < offmig_node_len(problems); i++) {
		const struct offmig_node *pr = offmig_node_at(problems, i);

		if (offmig_node_get_str(pr, "key") == NULL)
			continue;
		attention(doc, arr, "warning", "hive-unreadable",
		    offmig_node_get_str(pr, "hive"), "%s; applications listed "
		    "there are missing from this report",
		    offmig_node_get_str(pr, "problem"));
	}
	if (volume_profiles(vol, &pl) == OFFMIG_OK)
		for (i = 0; i < pl->n; i++)
			if (filter_match(f, &pl->v[i]))
				profile_attention(vol, &pl->v[i], doc, arr);
	folders_attention(doc, arr, folders);
}

/* Copies the items of src into dst: errors, then warnings, then the rest. */
static void
sort_attention(struct offmig_doc *doc, struct offmig_node *dst,
    const struct offmig_node *src)
{
	static const char *const order[] = { "error", "warning", NULL };
	size_t i, k;

	for (k = 0; k < 3; k++)
		for (i = 0; i < offmig_node_len(src); i++) {
			const struct offmig_node *a = offmig_node_at(src, i);
			const char *sev = offmig_node_get_str(a, "severity");
			size_t rank;

			for (rank = 0; order[rank] != NULL; rank++)
				if (sev != NULL && strcmp(sev, order[rank]) == 0)
					break;
			if (rank == k)
				doc_push_copy(doc, dst, a);
		}
}

/* Item 0: the machine's applications; item 1 + i: the folders of profile i. */
struct inspect_job {
	struct apps_run		*apps;
	struct folders_run	*folders;
};

static void
inspect_item(void *arg, size_t i, struct offmig_doc *doc)
{
	struct inspect_job *job = arg;

	if (i == 0)
		apps_machine(job->apps, doc);
	else
		folders_item(job->folders, i - 1, doc);
}

int
offmig_inspect_report(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct offmig_filter *filter, unsigned flags,
    struct offmig_doc **docp)
{
	struct offmig_doc *doc, *scratch;
	struct offmig_node *root, *os, *apps, *problems, *folders, *att;
	struct inspect_job job;
	int ret, r;

	if ((ret = start(ctx, vol, docp)) != OFFMIG_OK)
		return ret;
	doc = *docp;
	volume_spec_want(vol, SPEC_WANT_HIVELIST | SPEC_WANT_FOLDERS);
	root = doc_root_mut(doc);
	os = doc_add_object(doc, root, "os");
	if ((ret = os_build(vol, doc, os)) != OFFMIG_OK)
		return finish(ctx, doc, ret, docp);
	if ((ret = profiles_build(vol, filter, doc, doc_add_array(doc, root,
	    "profiles"))) != OFFMIG_OK)
		return finish(ctx, doc, ret, docp);
	apps = doc_add_array(doc, root, "apps");
	problems = doc_add_array(doc, root, "problems");
	folders = doc_add_object(doc, root, "folders");
	/*
	 * The machine's applications (SOFTWARE) and each profile's folders
	 * (its own hive and folders) touch nothing in common: one pool of
	 * threads does both.
	 */
	if ((ret = apps_begin(vol, filter, flags, doc, apps, problems,
	    &job.apps)) != OFFMIG_OK)
		return finish(ctx, doc, ret, docp);
	if ((ret = folders_begin(vol, NULL, filter, doc, folders,
	    &job.folders)) != OFFMIG_OK) {
		(void)apps_end(job.apps, doc);
		return finish(ctx, doc, ret, docp);
	}
	ret = par_run(vol->ctx, 1 + folders_count(job.folders), inspect_item,
	    &job, doc);
	r = apps_end(job.apps, doc);
	if (ret == OFFMIG_OK)
		ret = r;
	r = folders_end(job.folders, doc);
	if (ret == OFFMIG_OK)
		ret = r;
	if (ret != OFFMIG_OK)
		return finish(ctx, doc, ret, docp);
	if ((scratch = doc_new()) == NULL)
		return finish(ctx, doc, ctx_set_error(ctx, OFFMIG_ENOMEM, errno,
		    "report"), docp);
	att = doc_add_array(scratch, doc_root_mut(scratch), "attention");
	build_attention(vol, filter, scratch, att, os, problems, folders);
	if ((ret = doc_status(scratch)) != OFFMIG_OK)
		ret = ctx_set_error(ctx, ret, ENOMEM, "report");
	else
		sort_attention(doc, doc_add_array(doc, root, "attention"), att);
	offmig_doc_free(scratch);
	return finish(ctx, doc, ret, docp);
}
