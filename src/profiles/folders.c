/*
 * folders.c - each profile's known folders, as Windows resolves them: User
 * Shell Folders (with %USERPROFILE%-style variables), then Shell Folders,
 * then the defaults of that Windows version; the common folders of the
 * machine; and the browser profiles found in each user's folders.
 * Redirections to other drives or network shares are reported, not read.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/profiles.h"

#define USF	"Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\" \
		"User Shell Folders"
#define SF	"Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\" \
		"Shell Folders"

struct known {
	const char	*value;		/* registry value name */
	const char	*alt;		/* another spelling, or NULL */
	const char	*label;
	const char	*csidl;
	const char	*vista;		/* default below the profile */
	const char	*xp;
};

static const struct known user_folders[] = {
	{ "Desktop", NULL, "Desktop", "CSIDL_DESKTOPDIRECTORY", "Desktop",
	    "Desktop" },
	{ "Personal", NULL, "Documents", "CSIDL_PERSONAL", "Documents",
	    "My Documents" },
	{ "{374DE290-123F-4565-9164-39C4925E467B}", NULL, "Downloads",
	    "FOLDERID_Downloads", "Downloads", NULL },
	{ "My Pictures", NULL, "Pictures", "CSIDL_MYPICTURES", "Pictures",
	    "My Documents\\My Pictures" },
	{ "My Music", NULL, "Music", "CSIDL_MYMUSIC", "Music",
	    "My Documents\\My Music" },
	{ "My Video", "My Videos", "Videos", "CSIDL_MYVIDEO", "Videos",
	    "My Documents\\My Videos" },
	{ "Favorites", NULL, "Favorites", "CSIDL_FAVORITES", "Favorites",
	    "Favorites" },
	{ "AppData", NULL, "AppData (Roaming)", "CSIDL_APPDATA",
	    "AppData\\Roaming", "Application Data" },
	{ "Local AppData", NULL, "AppData (Local)", "CSIDL_LOCAL_APPDATA",
	    "AppData\\Local", "Local Settings\\Application Data" },
	{ "Start Menu", NULL, "Start Menu", "CSIDL_STARTMENU",
	    "AppData\\Roaming\\Microsoft\\Windows\\Start Menu", "Start Menu" },
	{ "Programs", NULL, "Programs", "CSIDL_PROGRAMS",
	    "AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs",
	    "Start Menu\\Programs" },
	{ "Startup", NULL, "Startup", "CSIDL_STARTUP",
	    "AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\"
	    "Startup", "Start Menu\\Programs\\Startup" },
	{ "Templates", NULL, "Templates", "CSIDL_TEMPLATES",
	    "AppData\\Roaming\\Microsoft\\Windows\\Templates", "Templates" },
	{ "SendTo", NULL, "SendTo", "CSIDL_SENDTO",
	    "AppData\\Roaming\\Microsoft\\Windows\\SendTo", "SendTo" },
	{ "Recent", NULL, "Recent", "CSIDL_RECENT",
	    "AppData\\Roaming\\Microsoft\\Windows\\Recent", "Recent" },
	{ "NetHood", NULL, "Network Shortcuts", "CSIDL_NETHOOD",
	    "AppData\\Roaming\\Microsoft\\Windows\\Network Shortcuts",
	    "NetHood" },
	{ "PrintHood", NULL, "Printer Shortcuts", "CSIDL_PRINTHOOD",
	    "AppData\\Roaming\\Microsoft\\Windows\\Printer Shortcuts",
	    "PrintHood" },
	{ "Cookies", NULL, "Cookies", "CSIDL_COOKIES",
	    "AppData\\Local\\Microsoft\\Windows\\INetCookies", "Cookies" },
	{ "History", NULL, "History", "CSIDL_HISTORY",
	    "AppData\\Local\\Microsoft\\Windows\\History",
	    "Local Settings\\History" },
	{ "Cache", NULL, "Internet Cache", "CSIDL_INTERNET_CACHE",
	    "AppData\\Local\\Microsoft\\Windows\\INetCache",
	    "Local Settings\\Temporary Internet Files" },
};

/* Common folders: defaults relative to %PUBLIC% (P) or %ProgramData% (D). */
static const struct known common_folders[] = {
	{ "Common Desktop", NULL, "Public Desktop",
	    "CSIDL_COMMON_DESKTOPDIRECTORY", "P\\Desktop", "Desktop" },
	{ "Common Documents", NULL, "Public Documents",
	    "CSIDL_COMMON_DOCUMENTS", "P\\Documents", "Documents" },
	{ "CommonMusic", NULL, "Public Music", "CSIDL_COMMON_MUSIC",
	    "P\\Music", "Documents\\My Music" },
	{ "CommonPictures", NULL, "Public Pictures", "CSIDL_COMMON_PICTURES",
	    "P\\Pictures", "Documents\\My Pictures" },
	{ "CommonVideo", NULL, "Public Videos", "CSIDL_COMMON_VIDEO",
	    "P\\Videos", "Documents\\My Videos" },
	{ "Common AppData", NULL, "ProgramData", "CSIDL_COMMON_APPDATA",
	    "D", "Application Data" },
	{ "Common Start Menu", NULL, "Common Start Menu",
	    "CSIDL_COMMON_STARTMENU", "D\\Microsoft\\Windows\\Start Menu",
	    "Start Menu" },
	{ "Common Programs", NULL, "Common Programs", "CSIDL_COMMON_PROGRAMS",
	    "D\\Microsoft\\Windows\\Start Menu\\Programs",
	    "Start Menu\\Programs" },
	{ "Common Startup", NULL, "Common Startup", "CSIDL_COMMON_STARTUP",
	    "D\\Microsoft\\Windows\\Start Menu\\Programs\\Startup",
	    "Start Menu\\Programs\\Startup" },
	{ "Common Templates", NULL, "Common Templates",
	    "CSIDL_COMMON_TEMPLATES", "D\\Microsoft\\Windows\\Templates",
	    "Templates" },
	{ "Common Favorites", NULL, "Common Favorites",
	    "CSIDL_COMMON_FAVORITES", "P\\Favorites", "Favorites" },
};

/* XP and 2003 keep profiles in "Documents and Settings" with other names. */
static int
xp_layout(struct offmig_volume *vol)
{
	struct hive *sw;
	hnode cv;
	char *ver = NULL;
	int xp = 0;

	if (volume_sys_hive(vol, SYS_HIVE_SOFTWARE, &sw) == OFFMIG_OK &&
	    hive_lookup(vol->ctx, sw, 0, "Microsoft\\Windows NT\\CurrentVersion",
	    &cv) == OFFMIG_OK && hive_get_string(vol->ctx, sw, cv,
	    "CurrentVersion", &ver, NULL) == OFFMIG_OK)
		xp = strncmp(ver, "5.", 2) == 0;
	free(ver);
	return xp;
}

/* Non-zero when path is base or below it (case-insensitive, '\' or '/'). */
static int
under(const char *path, const char *base)
{
	size_t n = strlen(base);
	char *prefix;
	int same;

	while (n > 0 && (base[n - 1] == '\\' || base[n - 1] == '/'))
		n--;
	if (strlen(path) < n || (prefix = strndup(path, n)) == NULL)
		return 0;
	same = wstrcasecmp(prefix, base) == 0 || (n == 0);
	free(prefix);
	return same && (path[n] == '\0' || path[n] == '\\' || path[n] == '/');
}

/*
 * Resolves one folder and adds it: path (expanded), path_raw, host_path,
 * exists, source, redirected, redirect_kind.  base is where it would be when
 * not redirected (the profile folder), or NULL for common folders.
 */
static void
add_folder(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr, const struct known *k, const char *raw,
    const char *expanded, const char *source, const char *base)
{
	struct offmig_ctx *ctx = vol->ctx;
	struct offmig_node *o = doc_push_object(doc, arr);
	enum winpath_kind kind;
	char *host = NULL;
	int ret;

	doc_add_str(doc, o, "name", k->value);
	doc_add_str(doc, o, "label", k->label);
	doc_add_str(doc, o, "csidl", k->csidl);
	doc_add_str(doc, o, "path", expanded);
	doc_add_str(doc, o, "path_raw", raw);
	doc_add_str(doc, o, "source", source);
	kind = winpath_classify(expanded, vol->sysdrive, NULL);
	if (kind == WINPATH_OTHER_DRIVE || kind == WINPATH_UNC ||
	    kind == WINPATH_DEVICE) {
		doc_add_null(doc, o, "host_path");
		doc_add_bool(doc, o, "exists", 0);
		doc_add_bool(doc, o, "redirected", 1);
		doc_add_str(doc, o, "redirect_kind", kind == WINPATH_UNC ?
		    "unc" : "drive");
		return;
	}
	ret = volume_resolve(vol, expanded, VPATH_DIR, &host, NULL);
	doc_add_str(doc, o, "host_path", ret == OFFMIG_OK ? host : NULL);
	doc_add_bool(doc, o, "exists", ret == OFFMIG_OK);
	if (base != NULL && !under(expanded, base)) {
		doc_add_bool(doc, o, "redirected", 1);
		doc_add_str(doc, o, "redirect_kind", "local");
	} else {
		doc_add_bool(doc, o, "redirected", 0);
		doc_add_null(doc, o, "redirect_kind");
	}
	if (ret != OFFMIG_OK && ret != OFFMIG_ENOTFOUND)
		doc_add_str(doc, o, "problem", offmig_errmsg(ctx));
	free(host);
}

/* Reads a folder value from User Shell Folders, then Shell Folders. */
static char *
folder_value(struct offmig_ctx *ctx, struct hive *h, hnode usf, hnode sf,
    const struct known *k, const char **sourcep)
{
	const char *names[2] = { k->value, k->alt };
	char *s = NULL;
	int i;

	for (i = 0; i < 2; i++) {
		if (names[i] == NULL)
			continue;
		if (usf != 0 && hive_get_string(ctx, h, usf, names[i], &s,
		    NULL) == OFFMIG_OK && *s != '\0') {
			*sourcep = "user-shell-folders";
			return s;
		}
		free(s);
		s = NULL;
	}
	for (i = 0; i < 2; i++) {
		if (names[i] == NULL)
			continue;
		if (sf != 0 && hive_get_string(ctx, h, sf, names[i], &s,
		    NULL) == OFFMIG_OK && *s != '\0') {
			*sourcep = "shell-folders";
			return s;
		}
		free(s);
		s = NULL;
	}
	return NULL;
}

/* Describes one browser profile directory (host path relative to root). */
static void
add_browser(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr, const char *browser, const char *profile,
    const char *dirhost, const char *bookmarks)
{
	struct offmig_ctx quiet;
	struct offmig_node *o = doc_push_object(doc, arr);
	struct stat st;
	char *rel = str_join_path(dirhost, bookmarks), *found = NULL;

	memset(&quiet, 0, sizeof(quiet));
	doc_add_str(doc, o, "browser", browser);
	doc_add_str(doc, o, "profile", profile);
	doc_add_str(doc, o, "host_path", dirhost);
	if (rel != NULL && vpath_resolve(&quiet, vol->rootfd, rel, VPATH_FILE,
	    NULL, &found, &st) == OFFMIG_OK) {
		doc_add_str(doc, o, "bookmarks", found);
		doc_add_int(doc, o, "bookmarks_size", (int64_t)st.st_size);
	} else {
		doc_add_null(doc, o, "bookmarks");
		doc_add_null(doc, o, "bookmarks_size");
	}
	free(found);
	free(rel);
}

/* Chromium-style "User Data" directories: Default and "Profile N". */
static void
chromium_profiles(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr, const char *browser, const char *userdata)
{
	struct offmig_ctx quiet;
	struct dirent *de;
	char *host = NULL;
	DIR *dir;
	int fd;

	memset(&quiet, 0, sizeof(quiet));
	if (vpath_resolve(&quiet, vol->rootfd, userdata, VPATH_DIR, &fd, &host,
	    NULL) != OFFMIG_OK)
		return;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		free(host);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		struct stat st;
		char *p;

		if (strcmp(de->d_name, "Default") != 0 &&
		    strncmp(de->d_name, "Profile ", 8) != 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0 || !S_ISDIR(st.st_mode))
			continue;
		if ((p = str_join_path(host, de->d_name)) != NULL)
			add_browser(vol, doc, arr, browser, de->d_name, p,
			    "Bookmarks");
		free(p);
	}
	closedir(dir);
	free(host);
}

/* Firefox: profiles.ini lists the profiles, relative or absolute. */
static void
firefox_profiles(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr, const char *ffdir)
{
	struct offmig_ctx quiet;
	char *ini = str_join_path(ffdir, "profiles.ini"), *host = NULL;
	char buf[65536], name[256] = "", path[1024] = "";
	int fd, relative = 1, insection = 0;
	ssize_t n;
	char *line, *save = NULL;

	memset(&quiet, 0, sizeof(quiet));
	if (ini == NULL || vpath_resolve(&quiet, vol->rootfd, ini, VPATH_FILE,
	    &fd, &host, NULL) != OFFMIG_OK) {
		free(ini);
		return;
	}
	free(ini);
	free(host);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* One extra pass with an empty line flushes the last section. */
	for (line = strtok_r(buf, "\r\n", &save); ; line = strtok_r(NULL,
	    "\r\n", &save)) {
		if (line == NULL || line[0] == '[') {
			if (insection && path[0] != '\0') {
				char *dir = NULL;

				if (relative) {
					char *rel = str_join_path(ffdir, path);
					size_t i;

					for (i = 0; rel != NULL && rel[i]; i++)
						if (rel[i] == '\\')
							rel[i] = '/';
					dir = rel;
				} else if (volume_resolve(vol, path, VPATH_DIR,
				    &dir, NULL) != OFFMIG_OK)
					dir = NULL;
				if (dir != NULL)
					add_browser(vol, doc, arr, "firefox",
					    name[0] ? name : path, dir,
					    "places.sqlite");
				free(dir);
			}
			if (line == NULL)
				break;
			insection = strncasecmp(line, "[Profile", 8) == 0;
			name[0] = path[0] = '\0';
			relative = 1;
			continue;
		}
		if (!insection)
			continue;
		if (strncasecmp(line, "Name=", 5) == 0)
			snprintf(name, sizeof(name), "%s", line + 5);
		else if (strncasecmp(line, "Path=", 5) == 0)
			snprintf(path, sizeof(path), "%s", line + 5);
		else if (strncasecmp(line, "IsRelative=", 11) == 0)
			relative = atoi(line + 11) != 0;
	}
}

static void
browsers(struct offmig_volume *vol, const struct profile *p, int xp,
    struct offmig_doc *doc, struct offmig_node *arr)
{
	const char *local = xp ? "Local Settings/Application Data" :
	    "AppData/Local";
	const char *roaming = xp ? "Application Data" : "AppData/Roaming";
	char *d;

	if ((d = str_printf("%s/%s/Google/Chrome/User Data", p->host_path,
	    local)) != NULL)
		chromium_profiles(vol, doc, arr, "chrome", d);
	free(d);
	if ((d = str_printf("%s/%s/Microsoft/Edge/User Data", p->host_path,
	    local)) != NULL)
		chromium_profiles(vol, doc, arr, "edge", d);
	free(d);
	if ((d = str_printf("%s/%s/Mozilla/Firefox", p->host_path,
	    roaming)) != NULL)
		firefox_profiles(vol, doc, arr, d);
	free(d);
}

static void
profile_folders(struct offmig_volume *vol, const struct profile *p, int xp,
    struct offmig_doc *doc, struct offmig_node *o)
{
	struct offmig_ctx *ctx = vol->ctx;
	struct offmig_node *arr, *probs;
	struct hive *h = NULL;
	hnode usf = 0, sf = 0;
	char *profile, *appdata, *local;
	size_t i;

	doc_add_str(doc, o, "sid", p->sid);
	doc_add_str(doc, o, "user", p->user);
	doc_add_str(doc, o, "path", p->path);
	doc_add_str(doc, o, "host_path", p->host_path);
	doc_add_str(doc, o, "status", profile_status_name(p->status));
	arr = doc_add_array(doc, o, "folders");
	probs = doc_add_array(doc, o, "problems");
	if ((profile = volume_expand(vol, p->path)) == NULL)
		return;
	appdata = str_printf("%s\\%s", profile, xp ? "Application Data" :
	    "AppData\\Roaming");
	local = str_printf("%s\\%s", profile, xp ?
	    "Local Settings\\Application Data" : "AppData\\Local");
	if (p->hive_present && p->hive_host != NULL) {
		if (volume_user_hive(vol, p, &h) != OFFMIG_OK) {
			doc_push_str(doc, probs, offmig_errmsg(ctx));
			h = NULL;
		} else {
			if (hive_lookup(ctx, h, 0, USF, &usf) != OFFMIG_OK)
				usf = 0;
			if (hive_lookup(ctx, h, 0, SF, &sf) != OFFMIG_OK)
				sf = 0;
		}
	} else
		doc_push_str(doc, probs, "no NTUSER.DAT: folders are the "
		    "defaults of this Windows version");
	for (i = 0; i < sizeof(user_folders) / sizeof(user_folders[0]); i++) {
		const struct known *k = &user_folders[i];
		const char *source = "default";
		char *raw = h != NULL ? folder_value(ctx, h, usf, sf, k, &source) :
		    NULL;
		char *exp1, *exp;
		const char *def = xp ? k->xp : k->vista;

		if (raw == NULL && def == NULL)
			continue;
		if (raw == NULL)
			raw = str_printf("%%USERPROFILE%%\\%s", def);
		if (raw == NULL)
			continue;
		{
			const struct winenv env[] = {
				{ "USERPROFILE", profile },
				{ "APPDATA", appdata != NULL ? appdata : "" },
				{ "LOCALAPPDATA", local != NULL ? local : "" },
				{ "USERNAME", p->user != NULL ? p->user : "" },
			};

			exp1 = winpath_expand(raw, env, 4);
		}
		exp = exp1 != NULL ? volume_expand(vol, exp1) : NULL;
		if (exp != NULL)
			add_folder(vol, doc, arr, k, raw, exp, source, profile);
		free(exp1);
		free(exp);
		free(raw);
	}
	if (p->host_path != NULL)
		browsers(vol, p, xp, doc, doc_add_array(doc, o, "browsers"));
	else
		doc_add_array(doc, o, "browsers");
	free(profile);
	free(appdata);
	free(local);
}

static void
common(struct offmig_volume *vol, const struct profile_list *pl, int xp,
    struct offmig_doc *doc, struct offmig_node *arr)
{
	struct offmig_ctx *ctx = vol->ctx;
	struct hive *sw;
	hnode usf = 0, sf = 0;
	char *pub, *pd;
	size_t i;

	if (volume_sys_hive(vol, SYS_HIVE_SOFTWARE, &sw) != OFFMIG_OK)
		return;
	if (hive_lookup(ctx, sw, 0, USF + 9, &usf) != OFFMIG_OK)
		usf = 0;
	if (hive_lookup(ctx, sw, 0, SF + 9, &sf) != OFFMIG_OK)
		sf = 0;
	if (xp) {
		/* XP: "All Users" under the profiles directory holds both. */
		pub = str_printf("%s\\%s", pl->profiles_dir != NULL ?
		    pl->profiles_dir : "%SystemDrive%\\Documents and Settings",
		    pl->public_path != NULL ? pl->public_path : "All Users");
		pd = pub != NULL ? strdup(pub) : NULL;
	} else {
		pub = volume_expand(vol, "%PUBLIC%");
		pd = volume_expand(vol, "%ProgramData%");
	}
	for (i = 0; pub != NULL && pd != NULL && i < sizeof(common_folders) /
	    sizeof(common_folders[0]); i++) {
		const struct known *k = &common_folders[i];
		const char *source = "default";
		char *raw = folder_value(ctx, sw, usf, sf, k, &source), *exp;

		if (raw == NULL) {
			if (xp)
				raw = str_printf("%s\\%s", pub, k->xp);
			else
				raw = str_printf("%s%s", k->vista[0] == 'P' ? pub :
				    pd, k->vista + 1);
		}
		if (raw == NULL)
			continue;
		if ((exp = volume_expand(vol, raw)) != NULL)
			add_folder(vol, doc, arr, k, raw, exp, source, NULL);
		free(exp);
		free(raw);
	}
	free(pub);
	free(pd);
}

int
folders_build(struct offmig_volume *vol, const char *user,
    const struct offmig_filter *f, struct offmig_doc *doc,
    struct offmig_node *root)
{
	const struct profile_list *pl;
	struct offmig_node *arr;
	const struct profile *one = NULL;
	size_t i;
	int ret, xp;

	if ((ret = volume_profiles(vol, &pl)) != OFFMIG_OK)
		return ret;
	if (user != NULL && (one = profile_find(pl, user)) == NULL)
		return ctx_set_error(vol->ctx, OFFMIG_ENOTFOUND, 0,
		    "no profile for user or SID '%s'", user);
	xp = xp_layout(vol);
	doc_add_str(doc, root, "layout", xp ? "xp" : "vista");
	arr = doc_add_array(doc, root, "profiles");
	for (i = 0; i < pl->n; i++) {
		const struct profile *p = &pl->v[i];

		if (one != NULL ? p != one : (!filter_match(f, p) ||
		    p->status == PROFILE_SYSTEM || p->path == NULL ||
		    p->status == PROFILE_ORPHAN_FOLDER))
			continue;
		profile_folders(vol, p, xp, doc, doc_push_object(doc, arr));
	}
	common(vol, pl, xp, doc, doc_add_array(doc, root, "common"));
	return OFFMIG_OK;
}
