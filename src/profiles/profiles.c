/*
 * profiles.c - the ProfileList of SOFTWARE: one entry per profile, named
 * from SAM, well-known SIDs or the profile path, dated from the profile
 * service's load and unload times, checked against the volume (folder,
 * NTUSER.DAT, its state and logs) and classified; plus the folders under
 * the profiles directory that no entry owns.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/par.h"
#include "profiles/profiles.h"
#include "hive/replay.h"

#define PROFILELIST	"Microsoft\\Windows NT\\CurrentVersion\\ProfileList"

/* State bits of a ProfileList entry (usmt-and-peers.md §3.1). */
static const struct {
	uint32_t	 bit;
	const char	*name;
} state_bits[] = {
	{ 0x0001, "mandatory" },
	{ 0x0002, "update-local" },
	{ 0x0004, "new-local" },
	{ 0x0008, "new-central" },
	{ 0x0010, "update-central" },
	{ 0x0020, "delete-cache" },
	{ 0x0040, "upgrade" },
	{ 0x0080, "guest" },
	{ 0x0100, "admin" },
	{ 0x0200, "default-net-ready" },
	{ 0x0400, "slow-link" },
	{ 0x0800, "temporary" },
};

/* Folders under the profiles directory that belong to no user. */
static const char *const shared_folders[] = {
	"Default", "Default User", "Public", "All Users", "defaultuser0",
	"desktop.ini", "LocalService", "NetworkService"
};

const char *
profile_status_name(enum profile_status s)
{
	switch (s) {
	case PROFILE_OK:		return "ok";
	case PROFILE_BAK:		return "bak";
	case PROFILE_TEMPORARY:		return "temporary";
	case PROFILE_FOLDER_MISSING:	return "folder-missing";
	case PROFILE_HIVE_MISSING:	return "hive-missing";
	case PROFILE_SYSTEM:		return "system";
	case PROFILE_ORPHAN_FOLDER:	return "orphan-folder";
	}
	return "unknown";
}

void
profile_add_problem(struct profile *p, const char *fmt, ...)
{
	char buf[OFFMIG_ERRMSG_MAX];
	char **t;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if ((t = realloc(p->problems, (p->nproblems + 2) * sizeof(*t))) ==
	    NULL)
		return;
	p->problems = t;
	if ((t[p->nproblems] = strdup(buf)) != NULL)
		p->nproblems++;
	t[p->nproblems] = NULL;
}

static void
profile_release(struct profile *p)
{
	size_t i;

	free(p->key);
	free(p->sid);
	free(p->user);
	free(p->domain);
	free(p->path);
	free(p->host_path);
	free(p->guid);
	free(p->hive_host);
	free(p->usrclass_host);
	free(p->partner);
	hive_logs_free(p->logs, p->nlogs);
	volume_replay_free(p->replay);
	hive_close(p->hive);
	free(p->hive_msg);
	for (i = 0; i < p->nproblems; i++)
		free(p->problems[i]);
	free(p->problems);
}

void
profile_list_free(struct profile_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		profile_release(&l->v[i]);
	free(l->v);
	free(l->profiles_dir);
	free(l->profiles_dir_host);
	free(l->default_path);
	free(l->public_path);
	free(l->programdata_path);
	free(l->machine_sid);
	free(l);
}

static struct profile *
list_add(struct profile_list *l)
{
	struct profile *t = realloc(l->v, (l->n + 1) * sizeof(*t));

	if (t == NULL)
		return NULL;
	l->v = t;
	memset(&t[l->n], 0, sizeof(t[l->n]));
	t[l->n].load_time = t[l->n].unload_time = t[l->n].last_use = NO_TIME;
	t[l->n].user_source = "none";
	t[l->n].last_use_source = "none";
	return &t[l->n++];
}

/* A FILETIME kept as two DWORD values, High and Low. */
static int64_t
split_filetime(struct offmig_ctx *ctx, struct hive *h, hnode key,
    const char *base)
{
	char hi[64], lo[64];
	uint32_t vh, vl;

	snprintf(hi, sizeof(hi), "%sHigh", base);
	snprintf(lo, sizeof(lo), "%sLow", base);
	if (hive_get_dword(ctx, h, key, hi, &vh) != OFFMIG_OK ||
	    hive_get_dword(ctx, h, key, lo, &vl) != OFFMIG_OK)
		return NO_TIME;
	return filetime_to_unix((uint64_t)vh << 32 | vl);
}

/* The last component of a Windows path ("C:\Users\bob" -> "bob"). */
static char *
path_leaf(const char *path)
{
	const char *p = path + strlen(path);

	while (p > path && (p[-1] == '\\' || p[-1] == '/'))
		p--;
	{
		const char *end = p;

		while (p > path && p[-1] != '\\' && p[-1] != '/' &&
		    p[-1] != ':')
			p--;
		if (end == p)
			return NULL;
		return strndup(p, (size_t)(end - p));
	}
}

static int
is_temp_leaf(const char *leaf)
{
	return leaf != NULL && (strcasecmp(leaf, "TEMP") == 0 ||
	    strncasecmp(leaf, "TEMP.", 5) == 0);
}

/*
 * Checks the profile folder and its hives on the volume.  Nothing is
 * opened but for reading the base blocks; nothing is followed.  What lies
 * below the folder may have been checked already, while SOFTWARE was
 * being opened (volume_take_checked()).
 */
static void
check_files(struct offmig_volume *vol, struct profile *p)
{
	struct offmig_ctx *ctx = vol->ctx;
	struct stat st;
	int ret;

	ret = volume_resolve(vol, p->path, VPATH_DIR, &p->host_path, &st);
	if (ret != OFFMIG_OK) {
		profile_add_problem(p, "profile folder: %s", offmig_errmsg(ctx));
		/* A missing folder is a finding; a refused path a failure. */
		if (ret != OFFMIG_ENOTFOUND)
			p->read_failures++;
		return;
	}
	if (!volume_take_checked(vol, p))
		profile_check_below(vol, p);
}

void
profile_check_below(struct offmig_volume *vol, struct profile *p)
{
	struct offmig_ctx quiet;
	unsigned char base[REGF_BASE_BLOCK];
	struct regf_info info;
	struct stat st;
	char *rel;
	int fd, dfd, ret;
	ssize_t n;

	memset(&quiet, 0, sizeof(quiet));
	if ((rel = str_join_path(p->host_path, "NTUSER.DAT")) == NULL)
		return;
	ret = vpath_resolve(&quiet, vol->rootfd, rel, VPATH_FILE, &fd,
	    &p->hive_host, &st);
	free(rel);
	if (ret != OFFMIG_OK) {
		if (ret != OFFMIG_ENOTFOUND) {
			profile_add_problem(p, "NTUSER.DAT: %s",
			    offmig_errmsg(&quiet));
			p->read_failures++;
		}
	} else {
		struct hive_log *logs = NULL;
		size_t nlogs = 0;

		p->hive_present = 1;
		p->hive_size = (uint64_t)st.st_size;
		if (p->last_use == NO_TIME && st.st_mtime > 0) {
			p->last_use = (int64_t)st.st_mtime;
			p->last_use_source = "ntuser-mtime";
		}
		n = pread(fd, base, sizeof(base), 0);
		close(fd);
		if (n < 512 || regf_parse(base, (size_t)n, &info) != OFFMIG_OK) {
			profile_add_problem(p, "%s/%s: not a registry hive",
			    vol->root, p->hive_host);
			p->read_failures++;
		} else {
			p->hive_dirty = info.dirty;
			if (vpath_resolve(&quiet, vol->rootfd, p->host_path,
			    VPATH_DIR, &dfd, NULL, NULL) == OFFMIG_OK) {
				const char *leaf = strrchr(p->hive_host, '/');

				(void)hive_find_logs(&quiet, dfd, p->host_path,
				    leaf != NULL ? leaf + 1 : p->hive_host,
				    &logs, &nlogs);
				p->replay = volume_describe_replay(vol, dfd,
				    p->host_path, leaf != NULL ? leaf + 1 :
				    p->hive_host, &info);
				close(dfd);
			}
			p->hive_logs = (int)nlogs;
			p->hive_info = info;
			p->logs = logs;
			p->nlogs = nlogs;
			if (!info.checksum_ok)
				profile_add_problem(p, "NTUSER.DAT has a bad "
				    "base block checksum");
			/* The base block says how long the hive must be. */
			if ((uint64_t)REGF_BASE_BLOCK + info.hbins_size >
			    p->hive_size) {
				profile_add_problem(p, "%s/%s is truncated: "
				    "%ju bytes where its base block says %ju",
				    vol->root, p->hive_host,
				    (uintmax_t)p->hive_size, (uintmax_t)
				    REGF_BASE_BLOCK + info.hbins_size);
				p->read_failures++;
			}
			if (info.dirty && (vol->flags & OFFMIG_VOLUME_NO_LOGS))
				profile_add_problem(p, "NTUSER.DAT is dirty "
				    "(sequence numbers %u/%u); read as it is "
				    "(--no-logs), %zu log file(s) not applied",
				    info.seq1, info.seq2, nlogs);
			else if (info.dirty && p->replay != NULL &&
			    p->replay->recovered)
				profile_add_problem(p, "NTUSER.DAT is dirty "
				    "(sequence numbers %u/%u); read through its "
				    "transaction logs (%zu %s applied)",
				    info.seq1, info.seq2,
				    p->replay->entries_applied,
				    p->replay->entries_applied == 1 ? "entry" :
				    "entries");
			else if (info.dirty)
				profile_add_problem(p, "NTUSER.DAT is dirty "
				    "(sequence numbers %u/%u) and no "
				    "transaction log brings it up to date "
				    "(%s); read as it is", info.seq1, info.seq2,
				    p->replay != NULL ? p->replay->note :
				    "logs not read");
		}
	}
	/* UsrClass.dat: Vista and later, then the XP location. */
	{
		static const char *const where[] = {
			"AppData/Local/Microsoft/Windows/UsrClass.dat",
			"Local Settings/Application Data/Microsoft/Windows/"
			    "UsrClass.dat"
		};
		size_t i;

		for (i = 0; i < 2 && p->usrclass_host == NULL; i++) {
			if ((rel = str_join_path(p->host_path, where[i])) ==
			    NULL)
				break;
			if (vpath_resolve(&quiet, vol->rootfd, rel, VPATH_FILE,
			    NULL, &p->usrclass_host, NULL) != OFFMIG_OK)
				p->usrclass_host = NULL;
			free(rel);
		}
	}
}

/* Names the user: SAM, then well-known SIDs, then the profile path. */
static void
name_user(struct profile *p, const struct sam_info *sam, const char *computer)
{
	const char *wk;
	char *dom;

	if (sam != NULL && sam->machine_sid != NULL &&
	    (dom = sid_domain(p->sid)) != NULL) {
		int same = strcasecmp(dom, sam->machine_sid) == 0;
		const struct sam_user *u;

		free(dom);
		if (same && (u = sam_find_rid(sam, sid_rid(p->sid))) != NULL &&
		    (p->user = strdup(u->name)) != NULL) {
			p->user_source = "sam";
			p->domain = xstrdup_or_null(computer);
			return;
		}
	}
	if ((wk = sid_wellknown_name(p->sid)) != NULL) {
		p->user = strdup(wk);
		p->user_source = "wellknown";
		p->domain = strdup(strncmp(p->sid, "S-1-5-93", 8) == 0 ?
		    "User Manager" : "NT AUTHORITY");
		return;
	}
	if (p->path != NULL && (p->user = path_leaf(p->path)) != NULL) {
		p->user_source = "path";
		return;
	}
	p->user_source = "none";
}

static int
is_system_sid(const char *sid)
{
	return strcmp(sid, "S-1-5-18") == 0 || strcmp(sid, "S-1-5-19") == 0 ||
	    strcmp(sid, "S-1-5-20") == 0;
}

static void
classify(struct profile *p)
{
	char *leaf = p->path != NULL ? path_leaf(p->path) : NULL;

	if (is_system_sid(p->sid))
		p->status = PROFILE_SYSTEM;
	else if (p->is_bak)
		p->status = PROFILE_BAK;
	else if (is_temp_leaf(leaf) || (p->state & 0x800))
		p->status = PROFILE_TEMPORARY;
	else if (p->host_path == NULL)
		p->status = PROFILE_FOLDER_MISSING;
	else if (!p->hive_present)
		p->status = PROFILE_HIVE_MISSING;
	else
		p->status = PROFILE_OK;
	free(leaf);
}

static void
read_entry(struct offmig_volume *vol, struct hive *sw, hnode key,
    const char *name, struct profile *p, const struct sam_info *sam,
    const char *computer)
{
	struct offmig_ctx *ctx = vol->ctx;
	size_t nlen = strlen(name);
	int64_t load, unload;

	p->key = strdup(name);
	if (nlen > 4 && strcasecmp(name + nlen - 4, ".bak") == 0) {
		p->is_bak = 1;
		p->sid = strndup(name, nlen - 4);
	} else
		p->sid = strdup(name);
	if (p->sid == NULL)
		return;
	if (hive_get_string(ctx, sw, key, "ProfileImagePath", &p->path,
	    NULL) != OFFMIG_OK) {
		p->path = NULL;
		profile_add_problem(p, "no ProfileImagePath value");
	}
	p->has_state = hive_get_dword(ctx, sw, key, "State", &p->state) ==
	    OFFMIG_OK;
	p->has_refcount = hive_get_dword(ctx, sw, key, "RefCount",
	    &p->refcount) == OFFMIG_OK;
	p->has_flags = hive_get_dword(ctx, sw, key, "Flags", &p->flags) ==
	    OFFMIG_OK;
	if (hive_get_string(ctx, sw, key, "Guid", &p->guid, NULL) != OFFMIG_OK)
		p->guid = NULL;
	load = split_filetime(ctx, sw, key, "LocalProfileLoadTime");
	unload = split_filetime(ctx, sw, key, "LocalProfileUnloadTime");
	p->load_time = load;
	p->unload_time = unload;
	if (unload != NO_TIME && (load == NO_TIME || unload >= load)) {
		p->last_use = unload;
		p->last_use_source = "profile-unload";
	} else if (load != NO_TIME) {
		p->last_use = load;
		p->last_use_source = "profile-load";
	}
	name_user(p, sam, computer);
}

void
profile_merge_checked(struct profile *p, struct profile *c)
{
	size_t i;

	p->hive_present = c->hive_present;
	p->hive_size = c->hive_size;
	p->hive_dirty = c->hive_dirty;
	p->hive_logs = c->hive_logs;
	p->hive_host = c->hive_host;
	p->usrclass_host = c->usrclass_host;
	c->hive_host = c->usrclass_host = NULL;
	if (p->last_use == NO_TIME && c->last_use != NO_TIME) {
		p->last_use = c->last_use;
		p->last_use_source = c->last_use_source;
	}
	p->hive_info = c->hive_info;
	p->logs = c->logs;
	p->nlogs = c->nlogs;
	p->replay = c->replay;
	c->logs = NULL;
	c->nlogs = 0;
	c->replay = NULL;
	p->read_failures += c->read_failures;
	for (i = 0; i < c->nproblems; i++)
		profile_add_problem(p, "%s", c->problems[i]);
}

void
profile_scratch_free(struct profile *c)
{
	if (c != NULL) {
		profile_release(c);
		free(c);
	}
}

/* The second half of reading an entry, on the volume: par_run() items. */
static void
check_item(void *arg, size_t i, struct offmig_doc *doc)
{
	struct offmig_volume *vol = arg;
	struct profile *p = &vol->profiles->v[i];

	(void)doc;
	if (p->sid == NULL)
		return;
	if (p->path != NULL)
		check_files(vol, p);
	classify(p);
}

/* Pairs "<SID>.bak" keys with "<SID>" keys. */
static void
pair_twins(struct profile_list *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		struct profile *b = &l->v[i];

		if (!b->is_bak || b->sid == NULL)
			continue;
		for (j = 0; j < l->n; j++) {
			struct profile *o = &l->v[j];

			if (j == i || o->is_bak || o->sid == NULL ||
			    strcasecmp(o->sid, b->sid) != 0)
				continue;
			free(b->partner);
			free(o->partner);
			b->partner = xstrdup_or_null(o->key);
			o->partner = xstrdup_or_null(b->key);
			if (o->status != PROFILE_TEMPORARY &&
			    o->status != PROFILE_SYSTEM)
				o->status = PROFILE_BAK;
			profile_add_problem(o, "a backup of this profile exists "
			    "as '%s': Windows could not load the original and "
			    "the user gets a new or temporary profile", b->key);
			profile_add_problem(b, "backed-up profile: the key "
			    "'%s' now points at '%s'", o->key,
			    o->path != NULL ? o->path : "nothing");
		}
	}
}

static int
is_shared_folder(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(shared_folders) / sizeof(shared_folders[0]); i++)
		if (wstrcasecmp(name, shared_folders[i]) == 0)
			return 1;
	return 0;
}

/* Adds an entry for each folder under the profiles directory no one owns. */
static void
find_orphans(struct offmig_volume *vol, struct profile_list *l)
{
	struct offmig_ctx quiet;
	struct dirent *de;
	DIR *dir;
	char *dirwin;
	int dfd;

	memset(&quiet, 0, sizeof(quiet));
	dirwin = volume_expand(vol, l->profiles_dir != NULL ? l->profiles_dir :
	    "%SystemDrive%\\Users");
	if (dirwin == NULL)
		return;
	if (volume_resolve(vol, dirwin, VPATH_DIR, &l->profiles_dir_host,
	    NULL) != OFFMIG_OK || vpath_resolve(&quiet, vol->rootfd,
	    l->profiles_dir_host, VPATH_DIR, &dfd, NULL, NULL) != OFFMIG_OK ||
	    (dir = fdopendir(dfd)) == NULL) {
		free(dirwin);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		struct profile *p;
		struct stat st;
		char *host;
		size_t i;
		int owned = 0;

		if (de->d_name[0] == '.' || is_shared_folder(de->d_name))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if ((host = str_join_path(l->profiles_dir_host, de->d_name)) ==
		    NULL)
			break;
		for (i = 0; i < l->n && !owned; i++)
			owned = l->v[i].host_path != NULL &&
			    strcmp(l->v[i].host_path, host) == 0;
		if (owned || (p = list_add(l)) == NULL) {
			free(host);
			continue;
		}
		p->host_path = host;
		p->path = str_printf("%s\\%s", dirwin, de->d_name);
		p->user = strdup(de->d_name);
		p->user_source = "path";
		p->status = PROFILE_ORPHAN_FOLDER;
		{
			char *rel = str_join_path(host, "NTUSER.DAT");

			if (rel != NULL && vpath_resolve(&quiet, vol->rootfd,
			    rel, VPATH_FILE, NULL, &p->hive_host, &st) ==
			    OFFMIG_OK) {
				p->hive_present = 1;
				p->hive_size = (uint64_t)st.st_size;
				p->last_use = (int64_t)st.st_mtime;
				p->last_use_source = "ntuser-mtime";
			}
			free(rel);
		}
		profile_add_problem(p, "no ProfileList entry owns this folder");
	}
	closedir(dir);
	free(dirwin);
}

int
volume_profiles(struct offmig_volume *vol, const struct profile_list **listp)
{
	struct offmig_ctx *ctx = vol->ctx;
	struct profile_list *l = NULL;
	struct sam_info sam;
	struct hive *sw, *samh;
	hnode plist, *kids = NULL;
	size_t nk = 0, i;
	char *computer = NULL;
	int ret, have_sam = 0;

	*listp = NULL;
	if (vol->profiles != NULL) {
		*listp = vol->profiles;
		return OFFMIG_OK;
	}
	memset(&sam, 0, sizeof(sam));
	if ((ret = volume_sys_hive(vol, SYS_HIVE_SOFTWARE, &sw)) != OFFMIG_OK)
		return ret;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "profiles");
	if (volume_sys_hive(vol, SYS_HIVE_SAM, &samh) == OFFMIG_OK) {
		if (volume_sam_read(vol, samh, &sam) == OFFMIG_OK)
			have_sam = 1;
		else
			ctx_log(ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(ctx));
	}
	computer = os_computer_name(vol);
	if (have_sam)
		l->machine_sid = xstrdup_or_null(sam.machine_sid);
	/* Cached before the entries are read: volume_expand() uses it. */
	vol->profiles = l;
	ret = hive_lookup(ctx, sw, 0, PROFILELIST, &plist);
	if (ret == OFFMIG_ENOTFOUND) {
		ctx_log(ctx, OFFMIG_LOG_WARN, "%s: no ProfileList key",
		    hive_name(sw));
		ret = OFFMIG_OK;
		goto out;
	}
	if (ret != OFFMIG_OK)
		goto out;
	if (hive_get_string(ctx, sw, plist, "ProfilesDirectory",
	    &l->profiles_dir, NULL) != OFFMIG_OK)
		l->profiles_dir = NULL;
	if (hive_get_string(ctx, sw, plist, "Default", &l->default_path,
	    NULL) != OFFMIG_OK && hive_get_string(ctx, sw, plist,
	    "DefaultUserProfile", &l->default_path, NULL) != OFFMIG_OK)
		l->default_path = NULL;
	if (hive_get_string(ctx, sw, plist, "Public", &l->public_path, NULL) !=
	    OFFMIG_OK && hive_get_string(ctx, sw, plist, "AllUsersProfile",
	    &l->public_path, NULL) != OFFMIG_OK)
		l->public_path = NULL;
	if (hive_get_string(ctx, sw, plist, "ProgramData",
	    &l->programdata_path, NULL) != OFFMIG_OK)
		l->programdata_path = NULL;
	/* XP stores "All Users" and "Default User" relative to the directory. */
	if (l->profiles_dir != NULL) {
		char **rel[2] = { &l->public_path, &l->default_path };
		int r;

		for (r = 0; r < 2; r++)
			if (*rel[r] != NULL && strchr(*rel[r], '\\') == NULL) {
				char *full = str_printf("%s\\%s", l->profiles_dir,
				    *rel[r]);

				if (full != NULL) {
					free(*rel[r]);
					*rel[r] = full;
				}
			}
	}
	if ((ret = hive_children(ctx, sw, plist, &kids, &nk)) != OFFMIG_OK) {
		ctx_log(ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(ctx));
		ret = OFFMIG_OK;
		goto out;
	}
	for (i = 0; i < nk; i++) {
		char *name = hive_key_name(ctx, sw, kids[i]);
		struct profile *p;

		if (name == NULL) {
			ctx_log(ctx, OFFMIG_LOG_WARN, "%s", offmig_errmsg(ctx));
			continue;
		}
		if ((p = list_add(l)) == NULL) {
			free(name);
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno,
			    "profiles");
			goto out;
		}
		read_entry(vol, sw, kids[i], name, p, have_sam ? &sam : NULL,
		    computer);
		free(name);
	}
	/* The folders and hives of the entries, on a few threads. */
	volume_prepare(vol);
	if ((ret = par_run(ctx, l->n, check_item, vol, NULL)) != OFFMIG_OK)
		goto out;
	pair_twins(l);
	find_orphans(vol, l);
	for (i = 0; i < l->n; i++) {
		size_t j;

		/*
		 * Findings (a .bak twin, a dirty hive, a missing folder) are in
		 * the report; only what could not be read is logged as a
		 * warning.  The service profiles often live elsewhere.
		 */
		if (l->v[i].status == PROFILE_SYSTEM || l->v[i].read_failures == 0)
			continue;
		for (j = 0; j < l->v[i].nproblems; j++)
			ctx_log(ctx, OFFMIG_LOG_WARN, "profile %s: %s",
			    l->v[i].key != NULL ? l->v[i].key :
			    (l->v[i].host_path != NULL ? l->v[i].host_path : "?"),
			    l->v[i].problems[j]);
	}
out:
	free(kids);
	free(computer);
	sam_info_release(&sam);
	if (ret != OFFMIG_OK) {
		vol->profiles = NULL;
		profile_list_free(l);
		return ret;
	}
	*listp = l;
	return OFFMIG_OK;
}

/* Opens p's hive the first time; the message of a failure is kept. */
static void
user_hive_open(struct offmig_volume *vol, struct profile *p)
{
	p->hive_tried = 1;
	if (!volume_take_user_hive(vol, p->hive_host, &p->hive, &p->hive_err))
		p->hive_err = volume_open_hive(vol, p->hive_host, &p->hive,
		    NULL);
	if (p->hive_err != OFFMIG_OK) {
		ctx_log(vol->ctx, OFFMIG_LOG_WARN, "%s",
		    offmig_errmsg(vol->ctx));
		free(p->hive_msg);
		p->hive_msg = strdup(offmig_errmsg(vol->ctx));
	}
}

int
volume_user_hive(struct offmig_volume *vol, const struct profile *cp,
    struct hive **hp)
{
	/* The list is the volume's; the cache lives in it. */
	struct profile *p = (struct profile *)cp;

	*hp = NULL;
	if (!p->hive_present || p->hive_host == NULL)
		return OFFMIG_ENOTFOUND;
	if (!p->hive_tried)
		user_hive_open(vol, p);
	else if (p->hive_err != OFFMIG_OK)
		/* Every caller gets the open's own message, logged once. */
		return ctx_set_error(vol->ctx, p->hive_err, 0, "%s",
		    p->hive_msg != NULL ? p->hive_msg : "cannot be read");
	*hp = p->hive;
	return p->hive_err;
}

/* Prefetch: the hives of the profiles f selects, opened by par_run(). */
struct prefetch_job {
	struct offmig_volume	*vol;
	struct profile		**v;
};

static void
prefetch_item(void *arg, size_t i, struct offmig_doc *doc)
{
	struct prefetch_job *job = arg;

	(void)doc;
	user_hive_open(job->vol, job->v[i]);
}

int
volume_prefetch_hives(struct offmig_volume *vol,
    const struct offmig_filter *f)
{
	const struct profile_list *pl;
	struct prefetch_job job;
	size_t i, n = 0;
	int ret;

	if ((ret = volume_profiles(vol, &pl)) != OFFMIG_OK)
		return ret;
	if ((job.v = reallocarray(NULL, pl->n + 1, sizeof(*job.v))) == NULL)
		return ctx_set_error(vol->ctx, OFFMIG_ENOMEM, errno, "hives");
	for (i = 0; i < pl->n; i++) {
		struct profile *p = &pl->v[i];

		if (p->hive_present && p->hive_host != NULL && !p->hive_tried &&
		    p->status != PROFILE_ORPHAN_FOLDER && filter_match(f, p))
			job.v[n++] = p;
	}
	job.vol = vol;
	volume_prepare(vol);
	ret = par_run(vol->ctx, n, prefetch_item, &job, NULL);
	free(job.v);
	return ret;
}

const struct profile *
profile_find(const struct profile_list *l, const char *who)
{
	const struct profile *best = NULL;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct profile *p = &l->v[i];
		int hit = (p->sid != NULL && strcasecmp(p->sid, who) == 0) ||
		    (p->key != NULL && strcasecmp(p->key, who) == 0) ||
		    (p->user != NULL && wstrcasecmp(p->user, who) == 0);

		if (!hit)
			continue;
		/* Prefer the live entry to its .bak twin and to orphans. */
		if (best == NULL || (best->is_bak && !p->is_bak) ||
		    (best->status == PROFILE_ORPHAN_FOLDER &&
		    p->status != PROFILE_ORPHAN_FOLDER))
			best = p;
	}
	return best;
}

void
profile_to_doc(const struct profile *p, struct offmig_doc *doc,
    struct offmig_node *o)
{
	struct offmig_node *flags, *hive, *probs;
	size_t i;

	doc_add_str(doc, o, "sid", p->sid);
	doc_add_str(doc, o, "key", p->key);
	doc_add_str(doc, o, "user", p->user);
	doc_add_str(doc, o, "user_source", p->user_source);
	doc_add_str(doc, o, "domain", p->domain);
	doc_add_str(doc, o, "path", p->path);
	doc_add_str(doc, o, "host_path", p->host_path);
	if (p->has_state)
		doc_add_int(doc, o, "state", p->state);
	else
		doc_add_null(doc, o, "state");
	flags = doc_add_array(doc, o, "state_flags");
	if (p->has_state) {
		uint32_t rest = p->state;

		for (i = 0; i < sizeof(state_bits) / sizeof(state_bits[0]); i++)
			if (p->state & state_bits[i].bit) {
				doc_push_str(doc, flags, state_bits[i].name);
				rest &= ~state_bits[i].bit;
			}
		if (rest != 0) {
			char buf[16];

			snprintf(buf, sizeof(buf), "0x%x", rest);
			doc_push_str(doc, flags, buf);
		}
	}
	if (p->has_refcount)
		doc_add_int(doc, o, "refcount", p->refcount);
	else
		doc_add_null(doc, o, "refcount");
	if (p->has_flags)
		doc_add_int(doc, o, "flags", p->flags);
	else
		doc_add_null(doc, o, "flags");
	doc_add_str(doc, o, "guid", p->guid);
	doc_add_time(doc, o, "load_time", p->load_time);
	doc_add_time(doc, o, "unload_time", p->unload_time);
	doc_add_time(doc, o, "last_use", p->last_use);
	doc_add_str(doc, o, "last_use_source", p->last_use_source);
	hive = doc_add_object(doc, o, "hive");
	doc_add_bool(doc, hive, "present", p->hive_present);
	doc_add_str(doc, hive, "host_path", p->hive_host);
	if (p->hive_present) {
		doc_add_int(doc, hive, "size", (int64_t)p->hive_size);
		doc_add_bool(doc, hive, "dirty", p->hive_dirty);
		doc_add_int(doc, hive, "logs", p->hive_logs);
		/* Dirty: whether offmig reads it through its logs. */
		if (p->replay != NULL)
			doc_add_bool(doc, hive, "recovered",
			    p->replay->recovered);
		else
			doc_add_null(doc, hive, "recovered");
	}
	doc_add_str(doc, o, "usrclass_host", p->usrclass_host);
	doc_add_str(doc, o, "status", profile_status_name(p->status));
	doc_add_str(doc, o, "partner", p->partner);
	probs = doc_add_array(doc, o, "problems");
	for (i = 0; i < p->nproblems; i++)
		doc_push_str(doc, probs, p->problems[i]);
}

int
profiles_build(struct offmig_volume *vol, const struct offmig_filter *f,
    struct offmig_doc *doc, struct offmig_node *arr)
{
	const struct profile_list *l;
	size_t i;
	int ret;

	if ((ret = volume_profiles(vol, &l)) != OFFMIG_OK)
		return ret;
	for (i = 0; i < l->n; i++)
		if (filter_match(f, &l->v[i]))
			profile_to_doc(&l->v[i], doc, doc_push_object(doc, arr));
	return OFFMIG_OK;
}
