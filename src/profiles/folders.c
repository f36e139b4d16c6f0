/*
 * folders.c - each profile's known folders, as Windows resolves them: User
 * Shell Folders (with %USERPROFILE%-style variables), then Shell Folders,
 * then the defaults of that Windows version; the common folders of the
 * machine; and the browser profiles found in each user's folders.
 *
 * Every path here comes from the disk.  Redirections to other drives or
 * network shares are reported, never read; everything on the volume is
 * looked at through vpath_resolve() and openat() with O_NOFOLLOW, so no
 * symbolic link (or a junction ntfs-3g shows as one) is ever followed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/par.h"
#include "profiles/profiles.h"

/* The keys in SOFTWARE (HKLM); a user's are below "Software\" in NTUSER. */
#define EXPLORER	"Microsoft\\Windows\\CurrentVersion\\Explorer\\"
#define MACHINE_USF	EXPLORER "User Shell Folders"
#define MACHINE_SF	EXPLORER "Shell Folders"
#define USF		"Software\\" MACHINE_USF
#define SF		"Software\\" MACHINE_SF

/* Caps on what a hostile volume could make us read. */
#define MAX_CHROMIUM_ENTRIES	4096	/* directory entries looked at */
#define MAX_CHROMIUM_PROFILES	256
#define MAX_FIREFOX_INI		65536	/* bytes of profiles.ini read */
#define MAX_FIREFOX_PROFILES	256
#define MAX_FAVORITES_ENTRIES	20000
#define MAX_FAVORITES_DEPTH	8

/* Windows versions whose default folder names differ. */
enum winver {
	WV_XP = 0,	/* 2000, XP, 2003: "Documents and Settings" */
	WV_VISTA7,	/* Vista and 7 */
	WV_WIN8		/* 8 and later */
};

struct known {
	const char	*value;		/* registry value name */
	const char	*alt;		/* another spelling, or NULL */
	const char	*label;
	const char	*csidl;
	const char	*vista;		/* default below the profile (8+) */
	const char	*win7;		/* Vista/7 default when different */
	const char	*xp;		/* XP default, or NULL: none on XP */
};

static const struct known user_folders[] = {
	{ "Desktop", NULL, "Desktop", "CSIDL_DESKTOPDIRECTORY", "Desktop",
	    NULL, "Desktop" },
	{ "Personal", NULL, "Documents", "CSIDL_PERSONAL", "Documents", NULL,
	    "My Documents" },
	{ "{374DE290-123F-4565-9164-39C4925E467B}", NULL, "Downloads",
	    "FOLDERID_Downloads", "Downloads", NULL, NULL },
	{ "My Pictures", NULL, "Pictures", "CSIDL_MYPICTURES", "Pictures",
	    NULL, "My Documents\\My Pictures" },
	{ "My Music", NULL, "Music", "CSIDL_MYMUSIC", "Music", NULL,
	    "My Documents\\My Music" },
	{ "My Video", "My Videos", "Videos", "CSIDL_MYVIDEO", "Videos", NULL,
	    "My Documents\\My Videos" },
	{ "Favorites", NULL, "Favorites", "CSIDL_FAVORITES", "Favorites", NULL,
	    "Favorites" },
	{ "AppData", NULL, "AppData (Roaming)", "CSIDL_APPDATA",
	    "AppData\\Roaming", NULL, "Application Data" },
	{ "Local AppData", NULL, "AppData (Local)", "CSIDL_LOCAL_APPDATA",
	    "AppData\\Local", NULL, "Local Settings\\Application Data" },
	{ "Start Menu", NULL, "Start Menu", "CSIDL_STARTMENU",
	    "AppData\\Roaming\\Microsoft\\Windows\\Start Menu", NULL,
	    "Start Menu" },
	{ "Programs", NULL, "Programs", "CSIDL_PROGRAMS",
	    "AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs", NULL,
	    "Start Menu\\Programs" },
	{ "Startup", NULL, "Startup", "CSIDL_STARTUP",
	    "AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\"
	    "Startup", NULL, "Start Menu\\Programs\\Startup" },
	{ "Templates", NULL, "Templates", "CSIDL_TEMPLATES",
	    "AppData\\Roaming\\Microsoft\\Windows\\Templates", NULL,
	    "Templates" },
	{ "SendTo", NULL, "SendTo", "CSIDL_SENDTO",
	    "AppData\\Roaming\\Microsoft\\Windows\\SendTo", NULL, "SendTo" },
	{ "Recent", NULL, "Recent", "CSIDL_RECENT",
	    "AppData\\Roaming\\Microsoft\\Windows\\Recent", NULL, "Recent" },
	{ "NetHood", NULL, "Network Shortcuts", "CSIDL_NETHOOD",
	    "AppData\\Roaming\\Microsoft\\Windows\\Network Shortcuts", NULL,
	    "NetHood" },
	{ "PrintHood", NULL, "Printer Shortcuts", "CSIDL_PRINTHOOD",
	    "AppData\\Roaming\\Microsoft\\Windows\\Printer Shortcuts", NULL,
	    "PrintHood" },
	{ "Cookies", NULL, "Cookies", "CSIDL_COOKIES",
	    "AppData\\Local\\Microsoft\\Windows\\INetCookies",
	    "AppData\\Roaming\\Microsoft\\Windows\\Cookies", "Cookies" },
	{ "History", NULL, "History", "CSIDL_HISTORY",
	    "AppData\\Local\\Microsoft\\Windows\\History", NULL,
	    "Local Settings\\History" },
	{ "Cache", NULL, "Internet Cache", "CSIDL_INTERNET_CACHE",
	    "AppData\\Local\\Microsoft\\Windows\\INetCache",
	    "AppData\\Local\\Microsoft\\Windows\\Temporary Internet Files",
	    "Local Settings\\Temporary Internet Files" },
};
#define NUSER	(sizeof(user_folders) / sizeof(user_folders[0]))
/* Indices the expansion of the others depends on. */
#define UF_FAVORITES	6
#define UF_APPDATA	7
#define UF_LOCAL	8

/*
 * Common folders.  The defaults start with the variable Windows uses for
 * them: %PUBLIC% or %ProgramData% on Vista and later, %ALLUSERSPROFILE%
 * ("Documents and Settings\All Users") on XP.
 */
static const struct known common_folders[] = {
	{ "Common Desktop", NULL, "Public Desktop",
	    "CSIDL_COMMON_DESKTOPDIRECTORY", "%PUBLIC%\\Desktop", NULL,
	    "%ALLUSERSPROFILE%\\Desktop" },
	{ "Common Documents", NULL, "Public Documents",
	    "CSIDL_COMMON_DOCUMENTS", "%PUBLIC%\\Documents", NULL,
	    "%ALLUSERSPROFILE%\\Documents" },
	{ "CommonMusic", NULL, "Public Music", "CSIDL_COMMON_MUSIC",
	    "%PUBLIC%\\Music", NULL, "%ALLUSERSPROFILE%\\Documents\\My Music" },
	{ "CommonPictures", NULL, "Public Pictures", "CSIDL_COMMON_PICTURES",
	    "%PUBLIC%\\Pictures", NULL,
	    "%ALLUSERSPROFILE%\\Documents\\My Pictures" },
	{ "CommonVideo", NULL, "Public Videos", "CSIDL_COMMON_VIDEO",
	    "%PUBLIC%\\Videos", NULL,
	    "%ALLUSERSPROFILE%\\Documents\\My Videos" },
	{ "Common AppData", NULL, "ProgramData", "CSIDL_COMMON_APPDATA",
	    "%ProgramData%", NULL, "%ALLUSERSPROFILE%\\Application Data" },
	{ "Common Start Menu", NULL, "Common Start Menu",
	    "CSIDL_COMMON_STARTMENU",
	    "%ProgramData%\\Microsoft\\Windows\\Start Menu", NULL,
	    "%ALLUSERSPROFILE%\\Start Menu" },
	{ "Common Programs", NULL, "Common Programs", "CSIDL_COMMON_PROGRAMS",
	    "%ProgramData%\\Microsoft\\Windows\\Start Menu\\Programs", NULL,
	    "%ALLUSERSPROFILE%\\Start Menu\\Programs" },
	{ "Common Startup", NULL, "Common Startup", "CSIDL_COMMON_STARTUP",
	    "%ProgramData%\\Microsoft\\Windows\\Start Menu\\Programs\\Startup",
	    NULL, "%ALLUSERSPROFILE%\\Start Menu\\Programs\\Startup" },
	{ "Common Templates", NULL, "Common Templates",
	    "CSIDL_COMMON_TEMPLATES", "%ProgramData%\\Microsoft\\Windows\\"
	    "Templates", NULL, "%ALLUSERSPROFILE%\\Templates" },
	{ "Common Favorites", NULL, "Common Favorites",
	    "CSIDL_COMMON_FAVORITES", "%PUBLIC%\\Favorites", NULL,
	    "%ALLUSERSPROFILE%\\Favorites" },
};
#define NCOMMON	(sizeof(common_folders) / sizeof(common_folders[0]))

/* The default of a folder for a Windows version, or NULL. */
static const char *
folder_default(const struct known *k, enum winver wv)
{
	if (wv == WV_XP)
		return k->xp;
	if (wv == WV_VISTA7 && k->win7 != NULL)
		return k->win7;
	return k->vista;
}

/*
 * The Windows version, from SOFTWARE's CurrentVersion ("5.1", "6.1",
 * "6.3"); without it, from the profiles directory's name.
 */
static enum winver
windows_version(struct offmig_volume *vol, const struct profile_list *pl)
{
	struct offmig_ctx quiet;
	struct hive *sw;
	hnode cv;
	char *ver = NULL;
	enum winver wv = WV_WIN8;

	memset(&quiet, 0, sizeof(quiet));
	if (!(vol->hive_tried[SYS_HIVE_SOFTWARE] &&
	    vol->hives[SYS_HIVE_SOFTWARE] == NULL) &&
	    volume_sys_hive(vol, SYS_HIVE_SOFTWARE, &sw) == OFFMIG_OK &&
	    hive_lookup(&quiet, sw, 0, "Microsoft\\Windows NT\\CurrentVersion",
	    &cv) == OFFMIG_OK && hive_get_string(&quiet, sw, cv,
	    "CurrentVersion", &ver, NULL) == OFFMIG_OK && ver[0] != '\0') {
		if (strncmp(ver, "5.", 2) == 0 || strncmp(ver, "4.", 2) == 0)
			wv = WV_XP;
		else if (strcmp(ver, "6.0") == 0 || strcmp(ver, "6.1") == 0)
			wv = WV_VISTA7;
	} else if (pl->profiles_dir != NULL &&
	    strcasestr(pl->profiles_dir, "Documents and Settings") != NULL)
		wv = WV_XP;
	free(ver);
	return wv;
}

/*
 * A Windows path normalized for comparison: '/' as '\', runs of
 * separators as one, no trailing separator.  Caller frees.
 */
static char *
norm_path(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (; *s != '\0'; s++) {
		char c = *s == '/' ? '\\' : *s;

		if (c == '\\' && o > out && o[-1] == '\\')
			continue;
		*o++ = c;
	}
	while (o > out + 1 && o[-1] == '\\')
		o--;
	*o = '\0';
	return out;
}

/* Non-zero when some component of s (normalized) is "..". */
static int
has_dotdot(const char *s)
{
	const char *c;

	for (c = s; (c = strstr(c, "..")) != NULL; c += 2)
		if ((c == s || c[-1] == '\\') && (c[2] == '\0' || c[2] == '\\'))
			return 1;
	return 0;
}

/*
 * Non-zero when path is base or below it (as Windows compares names),
 * and no ".." in what follows base leads back out of it.
 */
static int
under(const char *path, const char *base)
{
	char *p = norm_path(path), *b = norm_path(base);
	size_t n;
	int in = 0;

	if (p != NULL && b != NULL && (n = strlen(b)) <= strlen(p) &&
	    (p[n] == '\0' || p[n] == '\\')) {
		char c = p[n];

		p[n] = '\0';
		in = wstrcasecmp(p, b) == 0;
		p[n] = c;
		if (in && has_dotdot(p + n))
			in = 0;
	}
	free(p);
	free(b);
	return in;
}

/* What a folder resolved to, for the browsers that live in it. */
struct place {
	char		*win;		/* Windows path, expanded */
	char		*host;		/* host path when it exists, else NULL */
};

static void
place_release(struct place *pl)
{
	free(pl->win);
	free(pl->host);
	pl->win = pl->host = NULL;
}

/* Adds "what: msg" to a problems array and logs it as a warning. */
static void
problem(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *probs, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
problem(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *probs, const char *fmt, ...)
{
	char buf[OFFMIG_ERRMSG_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	doc_push_str(doc, probs, buf);
	ctx_log(vol->ctx, OFFMIG_LOG_WARN, "%s", buf);
}

/*
 * Resolves one folder and adds it: path (expanded), path_raw, host_path,
 * exists, source, redirected, redirect_kind.  base is the profile folder
 * (a folder elsewhere is redirected), or NULL for common folders.  lookup
 * is 0 when the profile folder itself cannot be looked at (off the volume,
 * a link, missing): then only folders redirected away from it are.  When
 * out != NULL it gets the folder's paths.  lc, when not NULL, keeps the
 * listings of the folders that hold several of them (struct vlist).
 */
static void
add_folder(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr, struct offmig_node *probs, const char *who,
    const struct known *k, const char *raw, const char *expanded,
    const char *source, const char *base, int lookup, struct place *out,
    struct vlist *lc)
{
	struct offmig_ctx *ctx = vol->ctx;
	struct offmig_node *o = doc_push_object(doc, arr);
	enum winpath_kind kind;
	const char *redirect = NULL;
	char *host = NULL;
	int ret = OFFMIG_ENOTFOUND;

	doc_add_str(doc, o, "name", k->value);
	doc_add_str(doc, o, "label", k->label);
	doc_add_str(doc, o, "csidl", k->csidl);
	doc_add_str(doc, o, "path", expanded);
	doc_add_str(doc, o, "path_raw", raw);
	doc_add_str(doc, o, "source", source);
	kind = winpath_classify(expanded, vol->sysdrive, NULL);
	if (base == NULL || !under(expanded, base)) {
		switch (kind) {
		case WINPATH_INVALID:
			redirect = "invalid";
			break;
		case WINPATH_OTHER_DRIVE:
			redirect = "drive";
			break;
		case WINPATH_UNC:
			redirect = "unc";
			break;
		case WINPATH_DEVICE:
			redirect = "device";
			break;
		default:
			redirect = base != NULL ? "local" : NULL;
			break;
		}
	}
	/*
	 * Below a profile folder that is not on the volume (or is a link)
	 * nothing can be found; a folder redirected elsewhere may still be.
	 */
	if ((lookup || (base != NULL && redirect != NULL)) &&
	    (kind == WINPATH_SYSTEM_DRIVE || kind == WINPATH_RELATIVE))
		ret = lc != NULL ? volume_resolve_dir_listed(vol, lc, expanded,
		    &host) : volume_resolve(vol, expanded, VPATH_DIR, &host,
		    NULL);
	else if (kind == WINPATH_INVALID && (lookup || redirect != NULL))
		problem(vol, doc, probs, "%s%s%s: '%s' is not a valid path from "
		    "the disk; it is not followed", who != NULL ? who : "",
		    who != NULL ? ": " : "", k->value, expanded);
	doc_add_str(doc, o, "host_path", ret == OFFMIG_OK ? host : NULL);
	doc_add_bool(doc, o, "exists", ret == OFFMIG_OK);
	doc_add_bool(doc, o, "redirected", redirect != NULL);
	doc_add_str(doc, o, "redirect_kind", redirect);
	if (ret != OFFMIG_OK && ret != OFFMIG_ENOTFOUND) {
		/* A symbolic link on the way, or an I/O error. */
		doc_add_str(doc, o, "problem", offmig_errmsg(ctx));
		problem(vol, doc, probs, "%s%s%s: %s", who != NULL ? who : "",
		    who != NULL ? ": " : "", k->value, offmig_errmsg(ctx));
	}
	if (out != NULL) {
		out->win = strdup(expanded);
		out->host = ret == OFFMIG_OK ? host : NULL;
		host = NULL;
	}
	free(host);
}

/*
 * Reads the values of every folder of a table from a key in one pass.
 * names[] gets value and alt of each entry; idx[2 * i] and idx[2 * i + 1]
 * their positions (or -1).
 */
static size_t
table_names(const struct known *t, size_t n, const char **names, int *idx)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		idx[2 * i] = (int)m;
		names[m++] = t[i].value;
		idx[2 * i + 1] = -1;
		if (t[i].alt != NULL) {
			idx[2 * i + 1] = (int)m;
			names[m++] = t[i].alt;
		}
	}
	return m;
}

/* A non-empty string value at position i, or NULL. */
static char *
val_at(const struct hive_val *v, int i)
{
	char *s;

	if (i < 0 || hive_val_string(&v[i], &s) != OFFMIG_OK)
		return NULL;
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * The stored value of folder i: User Shell Folders first, then Shell
 * Folders, each under either spelling.  NULL when neither has it.
 */
static char *
stored_value(const struct hive_val *usf, const struct hive_val *sf,
    const int *idx, size_t i, const char **sourcep)
{
	char *s;

	if ((s = val_at(usf, idx[2 * i])) != NULL ||
	    (s = val_at(usf, idx[2 * i + 1])) != NULL) {
		*sourcep = "user-shell-folders";
		return s;
	}
	if ((s = val_at(sf, idx[2 * i])) != NULL ||
	    (s = val_at(sf, idx[2 * i + 1])) != NULL) {
		*sourcep = "shell-folders";
		return s;
	}
	return NULL;
}

/*
 * Reads a folder key (path) of hive h into vals; a missing key leaves
 * them absent, a damaged one is a problem.
 */
static void
read_folder_key(struct offmig_volume *vol, struct hive *h, const char *path,
    const char **names, size_t n, struct hive_val *vals,
    struct offmig_doc *doc, struct offmig_node *probs)
{
	struct offmig_ctx *ctx = vol->ctx;
	hnode k;
	int ret;

	memset(vals, 0, n * sizeof(*vals));
	if ((ret = hive_lookup(ctx, h, 0, path, &k)) == OFFMIG_ENOTFOUND)
		return;
	if (ret == OFFMIG_OK)
		ret = hive_get_values(ctx, h, k, names, n, vals);
	if (ret != OFFMIG_OK)
		problem(vol, doc, probs, "%s", offmig_errmsg(ctx));
}

/* Describes one browser profile directory. */
static void
add_browser(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr, struct offmig_node *probs, const char *browser,
    const char *profile, const char *win, const char *dirhost,
    const char *bookmarks)
{
	struct offmig_ctx quiet;
	struct offmig_node *o = doc_push_object(doc, arr);
	struct stat st;
	char *rel = NULL, *found = NULL;
	int ret = OFFMIG_ENOTFOUND;

	memset(&quiet, 0, sizeof(quiet));
	doc_add_str(doc, o, "browser", browser);
	doc_add_str(doc, o, "profile", profile);
	doc_add_str(doc, o, "path", win);
	doc_add_str(doc, o, "host_path", dirhost);
	if (dirhost != NULL && (rel = str_join_path(dirhost, bookmarks)) !=
	    NULL)
		ret = vpath_resolve(&quiet, vol->rootfd, rel, VPATH_FILE, NULL,
		    &found, &st);
	if (ret == OFFMIG_OK) {
		doc_add_str(doc, o, "bookmarks", found);
		doc_add_int(doc, o, "bookmarks_size", (int64_t)st.st_size);
	} else {
		doc_add_null(doc, o, "bookmarks");
		doc_add_null(doc, o, "bookmarks_size");
		if (ret != OFFMIG_ENOTFOUND)
			problem(vol, doc, probs, "%s profile '%s': %s", browser,
			    profile, offmig_errmsg(&quiet));
	}
	free(found);
	free(rel);
}

/* Default first, then "Profile N" in numeric order. */
static int
cmp_chromium(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int dx = strcasecmp(x, "Default") == 0, dy = strcasecmp(y, "Default") == 0;
	long nx, ny;

	if (dx != dy)
		return dx ? -1 : 1;
	nx = strtol(x + 8, NULL, 10);
	ny = strtol(y + 8, NULL, 10);
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(x, y);
}

/*
 * Chromium-style "User Data" directories (Chrome, Edge): the Default
 * profile and "Profile N", each with its Bookmarks file.
 */
static void
chromium_profiles(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr, struct offmig_node *probs, const char *browser,
    const struct place *local, const char *sub)
{
	struct offmig_ctx quiet;
	struct dirent *de;
	char *rel, *host = NULL, *names[MAX_CHROMIUM_PROFILES];
	size_t n = 0, seen = 0, i;
	DIR *dir;
	int fd, ret;

	memset(&quiet, 0, sizeof(quiet));
	if ((rel = str_printf("%s/%s", local->host, sub)) == NULL)
		return;
	for (i = 0; rel[i] != '\0'; i++)
		if (rel[i] == '\\')
			rel[i] = '/';
	ret = vpath_resolve(&quiet, vol->rootfd, rel, VPATH_DIR, &fd, &host,
	    NULL);
	free(rel);
	if (ret != OFFMIG_OK) {
		if (ret != OFFMIG_ENOTFOUND)
			problem(vol, doc, probs, "%s: %s", browser,
			    offmig_errmsg(&quiet));
		return;
	}
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		free(host);
		return;
	}
	while ((de = readdir(dir)) != NULL && seen++ < MAX_CHROMIUM_ENTRIES &&
	    n < MAX_CHROMIUM_PROFILES) {
		struct stat st;

		if (strcasecmp(de->d_name, "Default") != 0 &&
		    strncasecmp(de->d_name, "Profile ", 8) != 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
		    0 || !S_ISDIR(st.st_mode))
			continue;
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_chromium);
	for (i = 0; i < n; i++) {
		char *p = str_join_path(host, names[i]);
		char *win = str_printf("%s\\%s\\%s", local->win, sub, names[i]);

		if (p != NULL && win != NULL)
			add_browser(vol, doc, arr, probs, browser, names[i], win,
			    p, "Bookmarks");
		free(win);
		free(p);
		free(names[i]);
	}
	free(host);
}

/* One [ProfileN] section of profiles.ini, once it is complete. */
static void
firefox_one(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr, struct offmig_node *probs, const char *ffwin,
    const char *ffhost, const char *name, const char *path, int relative)
{
	struct offmig_ctx quiet;
	char *win = NULL, *host = NULL, *rel = NULL, *c;
	int ret;

	memset(&quiet, 0, sizeof(quiet));
	if (relative) {
		win = str_printf("%s\\%s", ffwin, path);
		rel = str_printf("%s/%s", ffhost, path);
		if (win == NULL || rel == NULL)
			goto out;
		for (c = win; *c != '\0'; c++)
			if (*c == '/')
				*c = '\\';
		/* vpath_resolve refuses ".." and stays below the root. */
		ret = vpath_resolve(&quiet, vol->rootfd, rel, VPATH_DIR, NULL,
		    &host, NULL);
		if (ret != OFFMIG_OK && ret != OFFMIG_ENOTFOUND)
			problem(vol, doc, probs, "firefox profile '%s': %s", name,
			    offmig_errmsg(&quiet));
	} else {
		if ((win = strdup(path)) == NULL)
			goto out;
		ret = volume_resolve(vol, path, VPATH_DIR, &host, NULL);
		if (ret != OFFMIG_OK && ret != OFFMIG_ENOTFOUND)
			problem(vol, doc, probs, "firefox profile '%s': %s", name,
			    offmig_errmsg(vol->ctx));
	}
	add_browser(vol, doc, arr, probs, "firefox", name, win,
	    ret == OFFMIG_OK ? host : NULL, "places.sqlite");
out:
	free(win);
	free(host);
	free(rel);
}

/*
 * Firefox: profiles.ini in the Firefox directory of AppData lists the
 * profiles, relative to it (IsRelative=1) or as absolute Windows paths.
 * At most MAX_FIREFOX_INI bytes are read; long or odd lines are skipped.
 */
static void
firefox_profiles(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr, struct offmig_node *probs,
    const struct place *roaming)
{
	struct offmig_ctx quiet;
	char *ffrel = NULL, *ffhost = NULL, *ffwin = NULL, *ini = NULL;
	char *buf = NULL, *line, *next, name[256] = "", path[1024] = "";
	size_t nprof = 0;
	int fd = -1, relative = 1, insection = 0, ret;
	ssize_t n;

	memset(&quiet, 0, sizeof(quiet));
	if ((ffrel = str_join_path(roaming->host, "Mozilla/Firefox")) == NULL ||
	    (ffwin = str_printf("%s\\Mozilla\\Firefox", roaming->win)) == NULL)
		goto out;
	if ((ret = vpath_resolve(&quiet, vol->rootfd, ffrel, VPATH_DIR, NULL,
	    &ffhost, NULL)) != OFFMIG_OK) {
		if (ret != OFFMIG_ENOTFOUND)
			problem(vol, doc, probs, "firefox: %s",
			    offmig_errmsg(&quiet));
		goto out;
	}
	if ((ini = str_join_path(ffhost, "profiles.ini")) == NULL)
		goto out;
	if ((ret = vpath_resolve(&quiet, vol->rootfd, ini, VPATH_FILE, &fd,
	    NULL, NULL)) != OFFMIG_OK) {
		if (ret != OFFMIG_ENOTFOUND)
			problem(vol, doc, probs, "firefox: %s",
			    offmig_errmsg(&quiet));
		goto out;
	}
	if ((buf = malloc(MAX_FIREFOX_INI + 1)) == NULL)
		goto out;
	if ((n = pread(fd, buf, MAX_FIREFOX_INI, 0)) < 0) {
		problem(vol, doc, probs, "%s: %s", ini, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	/* A NUL byte ends the text: what follows is not an ini file. */
	for (line = buf; line != NULL; line = next) {
		size_t len = strcspn(line, "\r\n");

		next = line[len] != '\0' ? line + len + 1 : NULL;
		line[len] = '\0';
		if (line[0] == '[') {
			if (insection && path[0] != '\0' &&
			    nprof++ < MAX_FIREFOX_PROFILES)
				firefox_one(vol, doc, arr, probs, ffwin, ffhost,
				    name[0] != '\0' ? name : path, path, relative);
			insection = strncasecmp(line, "[Profile", 8) == 0;
			name[0] = path[0] = '\0';
			relative = 1;
			continue;
		}
		if (!insection)
			continue;
		if (strncasecmp(line, "Name=", 5) == 0 && len - 5 < sizeof(name))
			memcpy(name, line + 5, len - 5 + 1);
		else if (strncasecmp(line, "Path=", 5) == 0) {
			if (len - 5 < sizeof(path))
				memcpy(path, line + 5, len - 5 + 1);
			else
				path[0] = '\0';
		} else if (strncasecmp(line, "IsRelative=", 11) == 0)
			relative = strtol(line + 11, NULL, 10) != 0;
	}
	if (insection && path[0] != '\0' && nprof < MAX_FIREFOX_PROFILES)
		firefox_one(vol, doc, arr, probs, ffwin, ffhost,
		    name[0] != '\0' ? name : path, path, relative);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(ini);
	free(ffwin);
	free(ffhost);
	free(ffrel);
}

/* Counts the .url files below an open directory, without following links. */
static void
count_urls(int dfd, int depth, size_t *budget, int64_t *count,
    int64_t *bytes)
{
	struct dirent *de;
	DIR *dir;

	if ((dir = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while (*budget > 0 && (de = readdir(dir)) != NULL) {
		struct stat st;
		size_t len = strlen(de->d_name);
		int sub;

		(*budget)--;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(st.st_mode) && len > 4 &&
		    strcasecmp(de->d_name + len - 4, ".url") == 0) {
			(*count)++;
			*bytes += (int64_t)st.st_size;
		} else if (S_ISDIR(st.st_mode) && depth < MAX_FAVORITES_DEPTH &&
		    (sub = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) >= 0)
			count_urls(sub, depth + 1, budget, count, bytes);
	}
	closedir(dir);
}

/*
 * Internet Explorer (and the legacy Edge, which shares them) keeps its
 * bookmarks as .url files in the Favorites folder; it is listed as a
 * browser profile when it holds any.
 */
static void
ie_favorites(struct offmig_volume *vol, struct offmig_doc *doc,
    struct offmig_node *arr, const struct place *fav)
{
	struct offmig_ctx quiet;
	struct offmig_node *o;
	size_t budget = MAX_FAVORITES_ENTRIES;
	int64_t count = 0, bytes = 0;
	int fd;

	memset(&quiet, 0, sizeof(quiet));
	if (vpath_resolve(&quiet, vol->rootfd, fav->host, VPATH_DIR, &fd, NULL,
	    NULL) != OFFMIG_OK)
		return;
	count_urls(fd, 0, &budget, &count, &bytes);
	if (count == 0)
		return;
	o = doc_push_object(doc, arr);
	doc_add_str(doc, o, "browser", "ie");
	doc_add_str(doc, o, "profile", "Favorites");
	doc_add_str(doc, o, "path", fav->win);
	doc_add_str(doc, o, "host_path", fav->host);
	doc_add_str(doc, o, "bookmarks", fav->host);
	doc_add_int(doc, o, "bookmarks_size", bytes);
	doc_add_int(doc, o, "bookmarks_count", count);
}

/* The browser profiles in a user's AppData folders. */
static void
browsers(struct offmig_volume *vol, const struct place *roaming,
    const struct place *local, const struct place *fav,
    struct offmig_doc *doc, struct offmig_node *arr, struct offmig_node *probs,
    struct vlist *lc)
{
	char *ms;

	/*
	 * Only folders found on the volume (and named) are looked into.  A
	 * vendor folder that AppData's listing shows absent (most users have
	 * no Chrome) costs no walk; anything else takes the full lookup.
	 */
	if (local->host != NULL && local->win != NULL) {
		if (!vlist_absent(lc, local->host, "Google"))
			chromium_profiles(vol, doc, arr, probs, "chrome", local,
			    "Google\\Chrome\\User Data");
		ms = str_join_path(local->host, "Microsoft");
		if (ms == NULL || (!vlist_absent(lc, local->host,
		    "Microsoft") && !vlist_absent(lc, ms, "Edge")))
			chromium_profiles(vol, doc, arr, probs, "edge", local,
			    "Microsoft\\Edge\\User Data");
		free(ms);
	}
	if (roaming->host != NULL && roaming->win != NULL &&
	    !vlist_absent(lc, roaming->host, "Mozilla"))
		firefox_profiles(vol, doc, arr, probs, roaming);
	if (fav->host != NULL && fav->win != NULL)
		ie_favorites(vol, doc, arr, fav);
}

/* "C:" and "\Users\bob" from "C:\Users\bob" (HOMEDRIVE, HOMEPATH). */
static void
split_home(const char *profile, char drive[3], const char **pathp)
{
	if (((profile[0] >= 'A' && profile[0] <= 'Z') ||
	    (profile[0] >= 'a' && profile[0] <= 'z')) && profile[1] == ':') {
		drive[0] = profile[0];
		drive[1] = ':';
		drive[2] = '\0';
		*pathp = profile + 2;
	} else {
		drive[0] = '\0';
		*pathp = profile;
	}
}

/*
 * The folders that hold a profile's known folders where Windows puts them
 * by default, and those the browsers are looked for in: Vista and later,
 * and XP (below Documents and Settings).
 */
static const char *const prefetch_vista[] = {
	"", "AppData", "AppData/Roaming", "AppData/Local",
	"AppData/Local/Microsoft", "AppData/Local/Microsoft/Windows",
	"AppData/Roaming/Microsoft/Windows",
	"AppData/Roaming/Microsoft/Windows/Start Menu",
	"AppData/Roaming/Microsoft/Windows/Start Menu/Programs",
};
static const char *const prefetch_xp[] = {
	"", "My Documents", "Application Data", "Local Settings",
	"Local Settings/Application Data", "Start Menu", "Start Menu/Programs",
};

void
folders_prefetch(struct vlist *l, const char *host, int xp)
{
	const char *const *v = xp ? prefetch_xp : prefetch_vista;
	size_t i, n = xp ? sizeof(prefetch_xp) / sizeof(prefetch_xp[0]) :
	    sizeof(prefetch_vista) / sizeof(prefetch_vista[0]);

	for (i = 0; i < n; i++) {
		char *dir = *v[i] != '\0' ? str_join_path(host, v[i]) :
		    strdup(host);

		if (dir != NULL)
			vlist_prefetch(l, dir);
		free(dir);
	}
}

/* The folders of one profile, and its browsers. */
static void
profile_folders(struct offmig_volume *vol, const struct profile *p,
    enum winver wv, struct offmig_doc *doc, struct offmig_node *o)
{
	struct offmig_ctx *ctx = vol->ctx;
	struct offmig_node *arr, *probs, *barr;
	struct hive_val usf[2 * NUSER], sf[2 * NUSER];
	const char *names[2 * NUSER], *homepath, *who;
	struct place places[NUSER];
	struct vlist own, *lc;
	struct hive *h = NULL;
	char *profile = NULL, drive[3];
	enum winpath_kind pk;
	int idx[2 * NUSER], lookup;
	size_t nnames, i, pass;

	memset(usf, 0, sizeof(usf));
	memset(sf, 0, sizeof(sf));
	memset(places, 0, sizeof(places));
	nnames = table_names(user_folders, NUSER, names, idx);
	doc_add_str(doc, o, "sid", p->sid);
	doc_add_str(doc, o, "user", p->user);
	doc_add_str(doc, o, "path", p->path);
	doc_add_str(doc, o, "host_path", p->host_path);
	doc_add_str(doc, o, "status", profile_status_name(p->status));
	arr = doc_add_array(doc, o, "folders");
	barr = doc_add_array(doc, o, "browsers");
	probs = doc_add_array(doc, o, "problems");
	who = p->user != NULL ? p->user : p->key;
	if (p->path == NULL) {
		doc_push_str(doc, probs, "no ProfileImagePath: the folders of "
		    "this profile cannot be placed");
		return;
	}
	if ((profile = volume_expand(vol, p->path)) == NULL) {
		problem(vol, doc, probs, "%s: out of memory", who);
		return;
	}
	/* The folders listed ahead for this profile's folder, if any. */
	if ((lc = volume_take_vlist(vol, p->host_path)) == NULL) {
		vlist_init(&own, vol->rootfd);
		lc = &own;
	}
	pk = winpath_classify(profile, vol->sysdrive, NULL);
	lookup = (pk == WINPATH_SYSTEM_DRIVE || pk == WINPATH_RELATIVE) &&
	    p->host_path != NULL;
	if (!lookup)
		doc_push_str(doc, probs, "the profile folder is not on this "
		    "volume (see the profile's problems): its folders are "
		    "listed, not looked at");
	if (p->hive_present && p->hive_host != NULL) {
		if (volume_user_hive(vol, p, &h) != OFFMIG_OK) {
			doc_push_str(doc, probs, offmig_errmsg(ctx));
			h = NULL;
		} else {
			read_folder_key(vol, h, USF, names, nnames, usf, doc,
			    probs);
			read_folder_key(vol, h, SF, names, nnames, sf, doc, probs);
		}
	} else
		doc_push_str(doc, probs, "no NTUSER.DAT: folders are the "
		    "defaults of this Windows version");
	split_home(profile, drive, &homepath);
	/*
	 * AppData and Local AppData are placed first (pass 0): %APPDATA% and
	 * %LOCALAPPDATA% in the other values mean where those two really
	 * are.  Pass 1 adds every folder in the order of the table.
	 */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < NUSER; i++) {
			const struct known *k = &user_folders[i];
			const char *source = "default", *def;
			char *raw, *exp1, *exp;

			if (pass == 0 && i != UF_APPDATA && i != UF_LOCAL)
				continue;
			raw = stored_value(usf, sf, idx, i, &source);
			def = folder_default(k, wv);
			if (raw == NULL && def == NULL)
				continue;
			if (raw == NULL &&
			    (raw = str_printf("%%USERPROFILE%%\\%s", def)) == NULL)
				continue;
			{
				const struct winenv env[] = {
					{ "USERPROFILE", profile },
					{ "HOMEDRIVE", drive[0] != '\0' ? drive :
					    NULL },
					{ "HOMEPATH", homepath },
					{ "USERNAME", p->user },
					{ "APPDATA", places[UF_APPDATA].win },
					{ "LOCALAPPDATA", places[UF_LOCAL].win },
				};

				exp1 = winpath_expand(raw, env,
				    sizeof(env) / sizeof(env[0]));
			}
			exp = exp1 != NULL ? volume_expand(vol, exp1) : NULL;
			if (exp != NULL && pass == 0) {
				places[i].win = exp;
				exp = NULL;
			} else if (exp != NULL) {
				place_release(&places[i]);
				add_folder(vol, doc, arr, probs, NULL, k, raw, exp,
				    source, profile, lookup, &places[i], lc);
			}
			free(exp1);
			free(exp);
			free(raw);
		}
	}
	if (lookup)
		browsers(vol, &places[UF_APPDATA], &places[UF_LOCAL],
		    &places[UF_FAVORITES], doc, barr, probs, lc);
	vlist_release(lc);
	if (lc != &own)
		free(lc);
	hive_vals_release(usf, nnames);
	hive_vals_release(sf, nnames);
	for (i = 0; i < NUSER; i++)
		place_release(&places[i]);
	free(profile);
}

/* The common (all users) folders from SOFTWARE. */
static void
common(struct offmig_volume *vol, enum winver wv, struct offmig_doc *doc,
    struct offmig_node *arr, struct offmig_node *probs)
{
	struct hive_val usf[2 * NCOMMON], sf[2 * NCOMMON];
	const char *names[2 * NCOMMON];
	int idx[2 * NCOMMON];
	struct hive *sw;
	size_t nnames, i;

	if (volume_sys_hive(vol, SYS_HIVE_SOFTWARE, &sw) != OFFMIG_OK) {
		doc_push_str(doc, probs, offmig_errmsg(vol->ctx));
		return;
	}
	nnames = table_names(common_folders, NCOMMON, names, idx);
	read_folder_key(vol, sw, MACHINE_USF, names, nnames, usf, doc,
	    probs);
	read_folder_key(vol, sw, MACHINE_SF, names, nnames, sf, doc,
	    probs);
	for (i = 0; i < NCOMMON; i++) {
		const struct known *k = &common_folders[i];
		const char *source = "default";
		char *raw = stored_value(usf, sf, idx, i, &source), *exp;

		if (raw == NULL && (raw = strdup(folder_default(k, wv))) == NULL)
			continue;
		if ((exp = volume_expand(vol, raw)) != NULL)
			add_folder(vol, doc, arr, probs, "common", k, raw, exp,
			    source, NULL, 1, NULL, NULL);
		free(exp);
		free(raw);
	}
	hive_vals_release(usf, nnames);
	hive_vals_release(sf, nnames);
}

/* A folders report in three steps (folders_begin() in profiles.h). */
struct folders_run {
	struct offmig_volume	 *vol;
	enum winver		  wv;
	struct offmig_node	 *root, *arr, *probs;
	const struct profile	**v;
	size_t			  n;
	struct offmig_node	**out;	/* what was built for v[i] */
};

int
folders_begin(struct offmig_volume *vol, const char *user,
    const struct offmig_filter *f, struct offmig_doc *doc,
    struct offmig_node *root, struct folders_run **runp)
{
	const struct profile_list *pl;
	const struct profile *one = NULL;
	struct folders_run *r;
	size_t i;
	int ret;

	*runp = NULL;
	if ((ret = volume_profiles(vol, &pl)) != OFFMIG_OK)
		return ret;
	if (user != NULL && (one = profile_find(pl, user)) == NULL)
		return ctx_set_error(vol->ctx, OFFMIG_ENOTFOUND, 0,
		    "no profile for user or SID '%s'", user);
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->v = reallocarray(NULL, pl->n + 1, sizeof(*r->v))) == NULL ||
	    (r->out = calloc(pl->n + 1, sizeof(*r->out))) == NULL) {
		if (r != NULL)
			free(r->v);
		free(r);
		return ctx_set_error(vol->ctx, OFFMIG_ENOMEM, errno, "folders");
	}
	r->vol = vol;
	r->root = root;
	r->wv = windows_version(vol, pl);
	doc_add_str(doc, root, "layout", r->wv == WV_XP ? "xp" : "vista");
	doc_add_str(doc, root, "windows", r->wv == WV_XP ? "xp" :
	    r->wv == WV_VISTA7 ? "vista-7" : "8+");
	r->arr = doc_add_array(doc, root, "profiles");
	r->probs = doc_add_array(doc, root, "problems");
	for (i = 0; i < pl->n; i++) {
		const struct profile *p = &pl->v[i];

		if (one != NULL ? p != one : (!filter_match(f, p) ||
		    p->status == PROFILE_SYSTEM || p->path == NULL ||
		    p->status == PROFILE_ORPHAN_FOLDER))
			continue;
		r->v[r->n++] = p;
	}
	volume_prepare(vol);
	*runp = r;
	return OFFMIG_OK;
}

size_t
folders_count(const struct folders_run *r)
{
	return r->n;
}

void
folders_item(struct folders_run *r, size_t i, struct offmig_doc *doc)
{
	r->out[i] = doc_new_object(doc);
	profile_folders(r->vol, r->v[i], r->wv, doc, r->out[i]);
}

int
folders_end(struct folders_run *r, struct offmig_doc *doc)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		doc_push_node(doc, r->arr, r->out[i]);
	common(r->vol, r->wv, doc, doc_add_array(doc, r->root, "common"),
	    r->probs);
	free(r->v);
	free(r->out);
	free(r);
	return OFFMIG_OK;
}

static void
folders_par(void *arg, size_t i, struct offmig_doc *doc)
{
	folders_item(arg, i, doc);
}

int
folders_build(struct offmig_volume *vol, const char *user,
    const struct offmig_filter *f, struct offmig_doc *doc,
    struct offmig_node *root)
{
	struct folders_run *r;
	int ret;

	if ((ret = folders_begin(vol, user, f, doc, root, &r)) != OFFMIG_OK)
		return ret;
	if ((ret = par_run(vol->ctx, r->n, folders_par, r, doc)) !=
	    OFFMIG_OK) {
		r->n = 0;
		(void)folders_end(r, doc);
		return ret;
	}
	return folders_end(r, doc);
}
