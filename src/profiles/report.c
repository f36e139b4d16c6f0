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

#include "profiles/profiles.h"


/* Creates the document, or reports ENOMEM. */
static int
start(struct offmig_ctx *ctx, struct offmig_doc **docp)
{
	*docp = NULL;
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

	if ((ret = start(ctx, &doc)) != OFFMIG_OK)
		return ret;
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

	if ((ret = start(ctx, &doc)) != OFFMIG_OK)
		return ret;
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
	int ret;

	if ((ret = start(ctx, &doc)) != OFFMIG_OK)
		return ret;
	ret = apps_build(vol, filter, flags, doc, doc_add_array(doc,
	    doc_root_mut(doc), "apps"));
	return finish(ctx, doc, ret, docp);
}

int
offmig_folders_report(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const char *user, const struct offmig_filter *filter,
    struct offmig_doc **docp)
{
	struct offmig_doc *doc;
	int ret;

	if ((ret = start(ctx, &doc)) != OFFMIG_OK)
		return ret;
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
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	doc_add_str(doc, o, "severity", severity);
	doc_add_str(doc, o, "what", what);
	doc_add_str(doc, o, "subject", subject);
	doc_add_str(doc, o, "detail", buf);
}

/* What a migration would trip on, from the profiles and the hive list. */
static void
build_attention(struct offmig_volume *vol, const struct offmig_filter *f,
    struct offmig_doc *doc, struct offmig_node *arr,
    const struct offmig_node *os)
{
	const struct profile_list *pl;
	const struct offmig_node *hives = offmig_node_get(os, "hives");
	size_t i;
	int w;

	if (vol->hibernated)
		attention(doc, arr, "error", "hibernated", vol->root,
		    "Windows is hibernated: boot it and shut it down fully (or "
		    "run 'powercfg /h off') before any migration writes here");
	for (w = 0; w < SYS_HIVE_COUNT; w++)
		if (vol->hive_tried[w] && vol->hives[w] == NULL &&
		    vol->hive_msg[w] != NULL)
			attention(doc, arr, w <= SYS_HIVE_SAM ? "error" :
			    "warning", "hive-unreadable", sys_hive_name(w),
			    "%s", vol->hive_msg[w]);
	for (i = 0; i < offmig_node_len(hives); i++) {
		const struct offmig_node *h = offmig_node_at(hives, i);

		if (offmig_node_int(offmig_node_get(h, "dirty")) &&
		    offmig_node_type(offmig_node_get(h, "dirty")) ==
		    OFFMIG_NODE_BOOL)
			attention(doc, arr, "warning", "dirty-hive",
			    offmig_node_get_str(h, "host_path"),
			    "%s was not saved cleanly; recent changes may be "
			    "only in its %zu transaction log(s) and were not "
			    "applied", offmig_node_get_str(h, "name"),
			    offmig_node_len(offmig_node_get(h, "logs")));
	}
	if (volume_profiles(vol, &pl) != OFFMIG_OK)
		return;
	for (i = 0; i < pl->n; i++) {
		const struct profile *p = &pl->v[i];
		const char *who = p->user != NULL ? p->user : (p->sid != NULL ?
		    p->sid : p->host_path);

		if (!filter_match(f, p))
			continue;
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
			    "in the original profile%s, not here", who,
			    p->path != NULL ? p->path : "no path",
			    p->partner != NULL ? " (the .bak twin)" : "");
			break;
		case PROFILE_FOLDER_MISSING:
			attention(doc, arr, "warning", "folder-missing", p->key,
			    "the profile folder of %s (%s) is not on this volume; "
			    "USMT retries such entries for minutes", who,
			    p->path != NULL ? p->path : "no path");
			break;
		case PROFILE_HIVE_MISSING:
			attention(doc, arr, "warning", "hive-missing", p->key,
			    "%s has no NTUSER.DAT: its settings cannot be "
			    "migrated", who);
			break;
		case PROFILE_ORPHAN_FOLDER:
			attention(doc, arr, "info", "orphan-folder",
			    p->host_path, "the folder %s belongs to no profile "
			    "entry; its files would not be migrated by user",
			    p->path);
			break;
		default:
			break;
		}
		if (p->status != PROFILE_SYSTEM &&
		    p->status != PROFILE_ORPHAN_FOLDER &&
		    strcmp(p->user_source, "none") == 0)
			attention(doc, arr, "warning", "unresolved-user", p->key,
			    "no name could be found for %s; select it by SID",
			    p->sid);
		{
			size_t j;

			for (j = 0; j < p->nproblems; j++)
				if (strstr(p->problems[j], "not read") != NULL ||
				    strstr(p->problems[j], "symbolic link") !=
				    NULL)
					attention(doc, arr, "warning",
					    "outside-volume", p->key, "%s",
					    p->problems[j]);
		}
	}
}

int
offmig_inspect_report(struct offmig_ctx *ctx, struct offmig_volume *vol,
    const struct offmig_filter *filter, unsigned flags,
    struct offmig_doc **docp)
{
	struct offmig_doc *doc;
	struct offmig_node *root, *os;
	int ret;

	if ((ret = start(ctx, &doc)) != OFFMIG_OK)
		return ret;
	root = doc_root_mut(doc);
	os = doc_add_object(doc, root, "os");
	if ((ret = os_build(vol, doc, os)) != OFFMIG_OK)
		return finish(ctx, doc, ret, docp);
	if ((ret = profiles_build(vol, filter, doc, doc_add_array(doc, root,
	    "profiles"))) != OFFMIG_OK)
		return finish(ctx, doc, ret, docp);
	if ((ret = apps_build(vol, filter, flags, doc, doc_add_array(doc, root,
	    "apps"))) != OFFMIG_OK)
		return finish(ctx, doc, ret, docp);
	if ((ret = folders_build(vol, NULL, filter, doc, doc_add_object(doc,
	    root, "folders"))) != OFFMIG_OK)
		return finish(ctx, doc, ret, docp);
	build_attention(vol, filter, doc, doc_add_array(doc, root, "attention"),
	    os);
	return finish(ctx, doc, OFFMIG_OK, docp);
}
