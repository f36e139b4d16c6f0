/*
 * skeleton.c - offmig_store_wipe_except(): wipe a volume down to its store,
 * as a reinstall of Windows does, and lay down a fresh Windows 10
 * skeleton for the restore (used by the demo and the tests).
 *
 * Everything on the volume is removed except the store and the folders
 * leading to it, with *at() calls relative to directory descriptors: no
 * symbolic link is followed (a link is unlinked as a link, its target
 * untouched), no folder of another filesystem entered.  The skeleton is
 * what a clean install and a first logon leave: the machine hives
 * (SOFTWARE with CurrentVersion and ProfileList, SYSTEM, SAM, DEFAULT),
 * Users\Default and Users\Public, ProgramData, Program Files, and one new
 * profile per user of the store, with a new SID: a reinstall makes a new
 * machine SID, so local SIDs change.  The journal (STORE/journal) gets
 * "wipe begin", "wipe removed", "wipe done"; a rerun does the whole job
 * again, which ends in the same state.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "common/doc.h"
#include "hive/hive.h"
#include "migrate/manifest.h"
#include "migrate/remove.h"
#include "migrate/store.h"

#define MAX_USERS	1024

/* Known folders of a new profile: value name, folder below the profile. */
static const char *const user_folders[][2] = {
	{ "Desktop", "Desktop" },
	{ "Personal", "Documents" },
	{ "{374DE290-123F-4565-9164-39C4925E467B}", "Downloads" },
	{ "My Pictures", "Pictures" },
	{ "My Music", "Music" },
	{ "My Video", "Videos" },
	{ "Favorites", "Favorites" },
	{ "AppData", "AppData\\Roaming" },
	{ "Local AppData", "AppData\\Local" },
};
#define NUSER_FOLDERS	(sizeof(user_folders) / sizeof(user_folders[0]))

static const char *const public_folders[] = {
	"Users/Public/Documents", "Users/Public/Desktop",
	"Users/Public/Downloads", "Users/Public/Music", "Users/Public/Pictures",
	"Users/Public/Videos",
};

static const char *const machine_dirs[] = {
	"Windows/System32/config/systemprofile",
	"Windows/ServiceProfiles/LocalService",
	"Windows/ServiceProfiles/NetworkService",
	"Windows/Temp", "ProgramData", "Program Files", "Program Files (x86)",
	"Users/Default", "Users/Public",
};

struct wuser {
	char	*name, *oldsid;
	uint32_t rid;
};

struct wipe {
	struct offmig_ctx *ctx;
	const char	*volroot, *storepath;
	int		 volfd;
	struct offmig_doc *doc;
	struct wuser	*users;
	size_t		 nusers;
	uint32_t	 msid[3];
	char		 computer[16];
};

/* .reg text helpers. */

static void
reg_quote(struct mbuf *b, const char *s)
{
	mbuf_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			mbuf_add(b, "\\", 1);
		mbuf_add(b, s, 1);
	}
	mbuf_add(b, "\"", 1);
}

static void
reg_key(struct mbuf *b, const char *key)
{
	mbuf_add(b, "\n[", 2);
	mbuf_add(b, key, strlen(key));
	mbuf_add(b, "]\n", 2);
}

static void
reg_sz(struct mbuf *b, const char *name, const char *value, int expand)
{
	reg_quote(b, name);
	mbuf_add(b, expand ? "=expand:" : "=", expand ? 8 : 1);
	reg_quote(b, value);
	mbuf_add(b, "\n", 1);
}

static void
reg_dword(struct mbuf *b, const char *name, uint32_t v)
{
	char buf[32];

	reg_quote(b, name);
	snprintf(buf, sizeof(buf), "=dword:%08" PRIx32 "\n", v);
	mbuf_add(b, buf, strlen(buf));
}

static void
reg_hex(struct mbuf *b, const char *name, const unsigned char *d, size_t n)
{
	char buf[4];
	size_t i;

	if (name[0] == '\0')
		mbuf_add(b, "@", 1);
	else
		reg_quote(b, name);
	mbuf_add(b, "=hex:", 5);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s%02x", i ? "," : "", d[i]);
		mbuf_add(b, buf, strlen(buf));
	}
	mbuf_add(b, "\n", 1);
}

/* Writes a new hive at rel below the volume from .reg text. */
static int
make_hive(struct wipe *w, const char *rel, const struct mbuf *text)
{
	struct hive_builder *hb = NULL;
	char *path;
	int ret;

	if (text->oom)
		return ctx_set_error(w->ctx, OFFMIG_ENOMEM, ENOMEM, "skeleton");
	if ((path = str_join_path(w->volroot, rel)) == NULL)
		return ctx_set_error(w->ctx, OFFMIG_ENOMEM, ENOMEM, "skeleton");
	if (store_fault("hive")) {
		ret = ctx_set_error(w->ctx, OFFMIG_EIO, EIO, "%s: (injected "
		    "fault)", path);
		goto out;
	}
	if ((ret = hive_create_empty(w->ctx, path, "ROOT")) != OFFMIG_OK ||
	    (ret = hive_builder_open(w->ctx, path, &hb)) != OFFMIG_OK)
		goto out;
	if ((ret = hive_builder_apply_reg(hb, text->p, text->len, rel)) !=
	    OFFMIG_OK) {
		hive_builder_abort(hb);
		goto out;
	}
	ret = hive_builder_commit(hb);
out:
	free(path);
	return ret;
}

/*
 * Makes the folders of rel ('/'-separated) below the volume, one name at
 * a time with O_NOFOLLOW: a link in the way stops it.
 */
static int
make_dirs(struct wipe *w, const char *rel)
{
	char name[256];
	const char *p, *q;
	int fd, next;

	if ((fd = fcntl(w->volfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return ctx_set_error(w->ctx, OFFMIG_EIO, errno, "%s",
		    w->volroot);
	for (p = rel; *p != '\0'; p = *q ? q + 1 : q) {
		size_t len;

		q = strchr(p, '/');
		if (q == NULL)
			q = p + strlen(p);
		len = (size_t)(q - p);
		if (len == 0 || len >= sizeof(name)) {
			close(fd);
			return ctx_set_error(w->ctx, OFFMIG_EINVAL, 0, "%s: bad "
			    "folder", rel);
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (store_fault("mkdir") ||
		    (mkdirat(fd, name, 0755) != 0 && errno != EEXIST)) {
			int e = errno;

			close(fd);
			return ctx_set_error(w->ctx, OFFMIG_EIO, e, "%s/%s: mkdir",
			    w->volroot, rel);
		}
		next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		if (next < 0)
			return ctx_set_error(w->ctx, errno == ELOOP ||
			    errno == ENOTDIR ? OFFMIG_EUNSAFE : OFFMIG_EIO, errno,
			    "%s/%s", w->volroot, rel);
		fd = next;
	}
	close(fd);
	return OFFMIG_OK;
}

static void
sid_string(const struct wipe *w, uint32_t rid, char *buf, size_t size)
{
	snprintf(buf, size, "S-1-5-21-%" PRIu32 "-%" PRIu32 "-%" PRIu32 "-%"
	    PRIu32, w->msid[0], w->msid[1], w->msid[2], rid);
}

/* The binary form of the machine SID's user rid (ProfileList "Sid"). */
static size_t
sid_binary(const struct wipe *w, uint32_t rid, unsigned char *out)
{
	uint32_t sub[5] = { 21, w->msid[0], w->msid[1], w->msid[2], rid };
	size_t i;

	out[0] = 1;
	out[1] = 5;
	memset(out + 2, 0, 6);
	out[7] = 5;
	for (i = 0; i < 5; i++)
		put_le32(out + 8 + 4 * i, sub[i]);
	return 28;
}

static int
make_software(struct wipe *w)
{
	struct mbuf b = { 0 };
	char sid[96], *path;
	unsigned char bsid[28];
	size_t i;
	int ret;

	mbuf_add(&b, "Windows Registry Editor Version 5.00\n", 37);
	reg_key(&b, "Microsoft\\Windows NT\\CurrentVersion");
	reg_sz(&b, "ProductName", "Windows 10 Pro", 0);
	reg_sz(&b, "EditionID", "Professional", 0);
	reg_sz(&b, "CurrentVersion", "6.3", 0);
	reg_dword(&b, "CurrentMajorVersionNumber", 10);
	reg_dword(&b, "CurrentMinorVersionNumber", 0);
	reg_sz(&b, "CurrentBuild", "19045", 0);
	reg_sz(&b, "CurrentBuildNumber", "19045", 0);
	reg_sz(&b, "DisplayVersion", "22H2", 0);
	reg_sz(&b, "InstallationType", "Client", 0);
	reg_dword(&b, "InstallDate", (uint32_t)time(NULL));
	reg_sz(&b, "SystemRoot", "C:\\Windows", 0);
	reg_key(&b, "Microsoft\\Windows NT\\CurrentVersion\\ProfileList");
	reg_sz(&b, "ProfilesDirectory", "%SystemDrive%\\Users", 1);
	reg_sz(&b, "Default", "%SystemDrive%\\Users\\Default", 1);
	reg_sz(&b, "Public", "%SystemDrive%\\Users\\Public", 1);
	reg_sz(&b, "ProgramData", "%SystemDrive%\\ProgramData", 1);
	reg_key(&b, "Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\"
	    "S-1-5-18");
	reg_sz(&b, "ProfileImagePath",
	    "%systemroot%\\system32\\config\\systemprofile", 1);
	reg_dword(&b, "Flags", 12);
	reg_dword(&b, "State", 0);
	reg_key(&b, "Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\"
	    "S-1-5-19");
	reg_sz(&b, "ProfileImagePath",
	    "%systemroot%\\ServiceProfiles\\LocalService", 1);
	reg_dword(&b, "Flags", 0);
	reg_dword(&b, "State", 0);
	reg_key(&b, "Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\"
	    "S-1-5-20");
	reg_sz(&b, "ProfileImagePath",
	    "%systemroot%\\ServiceProfiles\\NetworkService", 1);
	reg_dword(&b, "Flags", 0);
	reg_dword(&b, "State", 0);
	for (i = 0; i < w->nusers; i++) {
		char key[160];

		sid_string(w, w->users[i].rid, sid, sizeof(sid));
		snprintf(key, sizeof(key), "Microsoft\\Windows NT\\"
		    "CurrentVersion\\ProfileList\\%s", sid);
		reg_key(&b, key);
		if ((path = str_printf("C:\\Users\\%s", w->users[i].name)) ==
		    NULL) {
			mbuf_free(&b);
			return ctx_set_error(w->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "skeleton");
		}
		reg_sz(&b, "ProfileImagePath", path, 1);
		free(path);
		reg_hex(&b, "Sid", bsid, sid_binary(w, w->users[i].rid, bsid));
		reg_dword(&b, "Flags", 0);
		reg_dword(&b, "State", 0);
		reg_dword(&b, "RefCount", 0);
	}
	reg_key(&b, "Microsoft\\Windows\\CurrentVersion");
	reg_sz(&b, "ProgramFilesDir", "C:\\Program Files", 0);
	reg_sz(&b, "ProgramFilesDir (x86)", "C:\\Program Files (x86)", 0);
	reg_key(&b, "Microsoft\\Windows\\CurrentVersion\\Explorer\\"
	    "User Shell Folders");
	reg_sz(&b, "Common Desktop", "%PUBLIC%\\Desktop", 1);
	reg_sz(&b, "Common Documents", "%PUBLIC%\\Documents", 1);
	reg_sz(&b, "CommonMusic", "%PUBLIC%\\Music", 1);
	reg_sz(&b, "CommonPictures", "%PUBLIC%\\Pictures", 1);
	reg_sz(&b, "CommonVideo", "%PUBLIC%\\Videos", 1);
	reg_sz(&b, "Common AppData", "%ProgramData%", 1);
	ret = make_hive(w, "Windows/System32/config/SOFTWARE", &b);
	mbuf_free(&b);
	return ret;
}

static int
make_system(struct wipe *w)
{
	struct mbuf b = { 0 };
	int ret;

	reg_key(&b, "Select");
	reg_dword(&b, "Current", 1);
	reg_dword(&b, "Default", 1);
	reg_dword(&b, "Failed", 0);
	reg_dword(&b, "LastKnownGood", 1);
	reg_key(&b, "ControlSet001\\Control\\ComputerName\\ComputerName");
	reg_sz(&b, "ComputerName", w->computer, 0);
	reg_key(&b, "ControlSet001\\Control\\ComputerName\\ActiveComputerName");
	reg_sz(&b, "ComputerName", w->computer, 0);
	reg_key(&b, "ControlSet001\\Services\\Tcpip\\Parameters");
	reg_sz(&b, "Hostname", w->computer, 0);
	reg_key(&b, "ControlSet001\\Control\\Session Manager\\Environment");
	reg_sz(&b, "PROCESSOR_ARCHITECTURE", "AMD64", 0);
	ret = make_hive(w, "Windows/System32/config/SYSTEM", &b);
	mbuf_free(&b);
	return ret;
}

/* Users\<RID>\V: a table of 17 (offset, length, 0) entries, then the data. */
static void
sam_user(struct mbuf *b, uint32_t rid, const char *name)
{
	unsigned char v[0xCC + 520], f[0x50];
	char key[96];
	void *u;
	size_t nl = 0, off;

	snprintf(key, sizeof(key), "SAM\\Domains\\Account\\Users\\Names\\");
	mbuf_add(b, "\n[", 2);
	mbuf_add(b, key, strlen(key));
	mbuf_add(b, name, strlen(name));
	mbuf_add(b, "]\n", 2);
	/* The RID is the type of the default value; its data is empty. */
	snprintf(key, sizeof(key), "@=hex(%" PRIx32 "):\n", rid);
	mbuf_add(b, key, strlen(key));
	snprintf(key, sizeof(key), "SAM\\Domains\\Account\\Users\\%08" PRIX32,
	    rid);
	reg_key(b, key);
	memset(v, 0, sizeof(v));
	if ((u = utf8_to_utf16le(name, strlen(name), &nl)) == NULL)
		nl = 0;
	if (nl > 512)
		nl = 512;
	if (u != NULL)
		memcpy(v + 0xCC, u, nl);
	free(u);
	off = (nl + 3) / 4 * 4;
	put_le32(v + 4, 0xBC);		/* a user account */
	put_le32(v + 0x0C, 0);		/* name: offset, length */
	put_le32(v + 0x10, (uint32_t)nl);
	put_le32(v + 0x18, (uint32_t)off);	/* full name: empty */
	put_le32(v + 0x24, (uint32_t)off);	/* comment: empty */
	reg_hex(b, "V", v, 0xCC + off);
	memset(f, 0, sizeof(f));
	put_le32(f + 0x30, rid);
	f[0x38] = 0x10;			/* ACB: a normal account */
	f[0x39] = 0x02;			/* password does not expire */
	reg_hex(b, "F", f, sizeof(f));
}

static int
make_sam(struct wipe *w)
{
	struct mbuf b = { 0 };
	unsigned char v[0x58], f[0x68];
	size_t i;
	int ret;

	/* Account\V ends with the machine SID S-1-5-21-A-B-C in binary. */
	memset(v, 0, sizeof(v));
	v[sizeof(v) - 24] = 1;
	v[sizeof(v) - 23] = 4;
	v[sizeof(v) - 17] = 5;
	put_le32(v + sizeof(v) - 16, 21);
	for (i = 0; i < 3; i++)
		put_le32(v + sizeof(v) - 12 + 4 * i, w->msid[i]);
	memset(f, 0, sizeof(f));
	put_le32(f, 2);
	put_le32(f + 0x48, 1001 + (uint32_t)w->nusers);	/* next RID */
	reg_key(&b, "SAM\\Domains\\Account");
	reg_hex(&b, "F", f, sizeof(f));
	reg_hex(&b, "V", v, sizeof(v));
	sam_user(&b, 500, "Administrator");
	sam_user(&b, 501, "Guest");
	sam_user(&b, 503, "DefaultAccount");
	sam_user(&b, 504, "WDAGUtilityAccount");
	for (i = 0; i < w->nusers; i++)
		sam_user(&b, w->users[i].rid, w->users[i].name);
	ret = make_hive(w, "Windows/System32/config/SAM", &b);
	mbuf_free(&b);
	return ret;
}

/* A user hive: the known folders, unexpanded and as Explorer caches them. */
static int
make_ntuser(struct wipe *w, const char *rel, const char *profile)
{
	struct mbuf b = { 0 };
	char v[512];
	size_t i;
	int ret;

	reg_key(&b, "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\"
	    "User Shell Folders");
	for (i = 0; i < NUSER_FOLDERS; i++) {
		snprintf(v, sizeof(v), "%%USERPROFILE%%\\%s",
		    user_folders[i][1]);
		reg_sz(&b, user_folders[i][0], v, 1);
	}
	reg_key(&b, "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\"
	    "Shell Folders");
	for (i = 0; i < NUSER_FOLDERS; i++) {
		snprintf(v, sizeof(v), "%s\\%s", profile, user_folders[i][1]);
		reg_sz(&b, user_folders[i][0], v, 0);
	}
	reg_key(&b, "Control Panel\\Desktop");
	reg_sz(&b, "WallPaper", "C:\\Windows\\web\\wallpaper\\Windows\\img0.jpg",
	    0);
	reg_key(&b, "Environment");
	reg_sz(&b, "TEMP", "%USERPROFILE%\\AppData\\Local\\Temp", 1);
	reg_sz(&b, "TMP", "%USERPROFILE%\\AppData\\Local\\Temp", 1);
	ret = make_hive(w, rel, &b);
	mbuf_free(&b);
	return ret;
}

/* Users\<name> with its folders and hive. */
static int
make_profile(struct wipe *w, const char *name)
{
	char rel[512], profile[300];
	size_t i;
	int ret;

	for (i = 0; i < NUSER_FOLDERS; i++) {
		char *p;

		snprintf(rel, sizeof(rel), "Users/%s/%s", name,
		    user_folders[i][1]);
		for (p = rel; *p != '\0'; p++)
			if (*p == '\\')
				*p = '/';
		if ((ret = make_dirs(w, rel)) != OFFMIG_OK)
			return ret;
	}
	snprintf(rel, sizeof(rel), "Users/%s/NTUSER.DAT", name);
	snprintf(profile, sizeof(profile), "C:\\Users\\%s", name);
	return make_ntuser(w, rel, profile);
}

/* A user name usable as a folder of Users: one component, nothing odd. */
static int
name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < 200 && strcmp(name, ".") != 0 &&
	    strcmp(name, "..") != 0 && strpbrk(name, "/\\:*?\"<>|") == NULL &&
	    utf8_valid(name, n) && strcasecmp(name, "Default") != 0 &&
	    strcasecmp(name, "Public") != 0;
}

static int
make_skeleton(struct wipe *w, struct offmig_node *sk)
{
	struct offmig_node *arr = doc_add_array(w->doc, sk, "users");
	struct mbuf b = { 0 };
	size_t i;
	int ret;

	for (i = 0; i < sizeof(machine_dirs) / sizeof(machine_dirs[0]); i++)
		if ((ret = make_dirs(w, machine_dirs[i])) != OFFMIG_OK)
			return ret;
	for (i = 0; i < sizeof(public_folders) / sizeof(public_folders[0]);
	    i++)
		if ((ret = make_dirs(w, public_folders[i])) != OFFMIG_OK)
			return ret;
	if ((ret = make_software(w)) != OFFMIG_OK ||
	    (ret = make_system(w)) != OFFMIG_OK ||
	    (ret = make_sam(w)) != OFFMIG_OK)
		return ret;
	reg_key(&b, "Control Panel\\Desktop");
	reg_sz(&b, "WallPaper", "", 0);
	ret = make_hive(w, "Windows/System32/config/DEFAULT", &b);
	mbuf_free(&b);
	if (ret != OFFMIG_OK)
		return ret;
	for (i = 0; i < NUSER_FOLDERS; i++) {
		char rel[128], *p;

		snprintf(rel, sizeof(rel), "Users/Default/%s",
		    user_folders[i][1]);
		for (p = rel; *p != '\0'; p++)
			if (*p == '\\')
				*p = '/';
		if ((ret = make_dirs(w, rel)) != OFFMIG_OK)
			return ret;
	}
	if ((ret = make_ntuser(w, "Users/Default/NTUSER.DAT",
	    "C:\\Users\\Default")) != OFFMIG_OK)
		return ret;
	for (i = 0; i < w->nusers; i++) {
		struct offmig_node *o;
		char sid[96], profile[300];

		if ((ret = make_profile(w, w->users[i].name)) != OFFMIG_OK)
			return ret;
		sid_string(w, w->users[i].rid, sid, sizeof(sid));
		snprintf(profile, sizeof(profile), "C:\\Users\\%s",
		    w->users[i].name);
		o = doc_push_object(w->doc, arr);
		doc_add_str(w->doc, o, "user", w->users[i].name);
		doc_add_str(w->doc, o, "sid", sid);
		doc_add_str(w->doc, o, "old_sid", w->users[i].oldsid);
		doc_add_str(w->doc, o, "profile", profile);
	}
	return OFFMIG_OK;
}

/*
 * Removes everything below dirfd except the entry keep[0] (when keep is
 * not empty), and inside it everything except keep[1], and so on: the
 * path to the store.  keep is '/'-separated; the last component (the
 * store) is left whole.
 */
static int
wipe_dir(struct wipe *w, int dirfd, const char *path, const char *keep,
    struct rm_counts *c)
{
	struct dirent *de;
	const char *slash = strchr(keep, '/');
	size_t klen = slash != NULL ? (size_t)(slash - keep) : strlen(keep);
	DIR *d;
	int dfd, ret = OFFMIG_OK;

	if ((dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return ctx_set_error(w->ctx, OFFMIG_EIO, errno, "%s", path);
	}
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((p = str_join_path(path, de->d_name)) == NULL) {
			ret = ctx_set_error(w->ctx, OFFMIG_ENOMEM, ENOMEM,
			    "wipe");
			break;
		}
		if (strlen(de->d_name) == klen &&
		    memcmp(de->d_name, keep, klen) == 0) {
			/* On the way to the store: go in, keep the store. */
			if (slash != NULL) {
				int sub = openat(dirfd, de->d_name, O_RDONLY |
				    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

				if (sub < 0)
					ret = ctx_set_error(w->ctx,
					    OFFMIG_EUNSAFE, errno, "%s: on the "
					    "way to the store", p);
				else {
					ret = wipe_dir(w, sub, p, slash + 1, c);
					close(sub);
				}
			}
		} else
			ret = rm_entry(w->ctx, dirfd, de->d_name, p, c);
		free(p);
		if (ret != OFFMIG_OK)
			break;
	}
	closedir(d);
	return ret;
}

static char *
rel_below(const char *volroot, const char *storepath)
{
	char *vr = realpath(volroot, NULL), *sr = realpath(storepath, NULL);
	char *rel = NULL;
	size_t n;

	if (vr != NULL && sr != NULL) {
		n = strcmp(vr, "/") == 0 ? 0 : strlen(vr);
		if (strncmp(sr, vr, n) == 0 && sr[n] == '/' && sr[n + 1] != '\0')
			rel = strdup(sr + n + 1);
	}
	free(vr);
	free(sr);
	return rel;
}

/*
 * Reads the store's users from its sealed manifest (U records, in order),
 * checking the header's id.  OFFMIG_EUNSAFE when it is not sealed.
 */
static int
read_users(struct wipe *w, int storefd)
{
	struct manifest_reader *r = NULL;
	struct manifest_record rec;
	char *name;
	int ret;

	if ((name = str_join_path(w->storepath, STORE_MANIFEST)) == NULL)
		return ctx_set_error(w->ctx, OFFMIG_ENOMEM, ENOMEM, "wipe");
	if ((ret = manifest_open(w->ctx, storefd, name, &r)) != OFFMIG_OK)
		goto out;
	while ((ret = manifest_next(r, &rec)) > 0) {
		struct wuser *u;
		size_t i;
		int dup = 0;

		if (rec.kind != 'U')
			continue;
		if (!name_ok(rec.winpath)) {
			ctx_log(w->ctx, OFFMIG_LOG_WARN, "%s: user '%s' (%s): "
			    "the name cannot be a profile folder; no profile "
			    "made", w->storepath, rec.winpath, rec.sid);
			continue;
		}
		for (i = 0; i < w->nusers; i++)
			dup |= strcasecmp(w->users[i].name, rec.winpath) == 0;
		if (dup)
			continue;
		if (w->nusers == MAX_USERS) {
			ret = ctx_set_error(w->ctx, OFFMIG_ECORRUPT, 0, "%s: more "
			    "than %d users", name, MAX_USERS);
			goto out;
		}
		if ((u = realloc(w->users, (w->nusers + 1) * sizeof(*u))) ==
		    NULL) {
			ret = ctx_set_error(w->ctx, OFFMIG_ENOMEM, ENOMEM, "wipe");
			goto out;
		}
		w->users = u;
		u = &w->users[w->nusers];
		memset(u, 0, sizeof(*u));
		if ((u->name = strdup(rec.winpath)) == NULL ||
		    (u->oldsid = strdup(rec.sid)) == NULL) {
			free(u->name);
			ret = ctx_set_error(w->ctx, OFFMIG_ENOMEM, ENOMEM, "wipe");
			goto out;
		}
		u->rid = 1001 + (uint32_t)w->nusers;
		w->nusers++;
	}
	if (ret < 0)
		goto out;
	ret = OFFMIG_OK;
	if (!manifest_sealed(r))
		ret = ctx_set_error(w->ctx, OFFMIG_EUNSAFE, 0, "%s: the store is "
		    "not sealed (an interrupted create); wiping the volume "
		    "would lose what it lacks; refused", w->storepath);
out:
	manifest_close(r);
	free(name);
	return ret;
}

int
offmig_store_wipe_except(struct offmig_ctx *ctx, const char *store,
    const char *volroot, unsigned flags, struct offmig_doc **docp)
{
	struct wipe w;
	struct rm_counts c;
	struct offmig_node *o, *rm, *kept;
	struct stat vst;
	unsigned char rnd[16];
	char *rel = NULL, t[32];
	int storefd = -1, ret;
	size_t i;

	*docp = NULL;
	memset(&w, 0, sizeof(w));
	memset(&c, 0, sizeof(c));
	w.ctx = ctx;
	w.volfd = -1;
	w.volroot = volroot;
	w.storepath = store;
	if (store == NULL || volroot == NULL || (flags &
	    ~(OFFMIG_STORE_WIPE_YES | OFFMIG_STORE_WIPE_NO_USERS)) != 0)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0, "store wipe-except: "
		    "bad arguments");
	if (!(flags & OFFMIG_STORE_WIPE_YES))
		return ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: wipe-except "
		    "removes everything on the volume but the store; refused "
		    "without --yes", volroot);
	if ((w.volfd = open(volroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fstat(w.volfd, &vst) != 0) {
		ret = ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", volroot);
		goto out;
	}
	if (volume_hibernated(w.volfd)) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: Windows is "
		    "hibernated or was shut down with Fast Startup (hiberfil.sys "
		    "says so); refused: start Windows and shut it down fully "
		    "(shutdown /s /t 0), then run the same command again",
		    volroot);
		goto out;
	}
	storefd = open(store, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (storefd < 0) {
		ret = ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EUNSAFE, errno, "%s", store);
		goto out;
	}
	if ((rel = rel_below(volroot, store)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: the store is not "
		    "inside the volume '%s'; refused (it would not survive a "
		    "reinstall of it either)", store, volroot);
		goto out;
	}
	if (faccessat(storefd, STORE_HEADER, F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EUNSAFE, 0, "%s: not an offmig "
		    "store (no %s); refused", store, STORE_HEADER);
		goto out;
	}
	if ((ret = read_users(&w, storefd)) != OFFMIG_OK)
		goto out;
	if (flags & OFFMIG_STORE_WIPE_NO_USERS) {
		for (i = 0; i < w.nusers; i++) {
			free(w.users[i].name);
			free(w.users[i].oldsid);
		}
		w.nusers = 0;
	}
	/* A reinstall makes a new machine SID and a new computer name. */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "getrandom");
		goto out;
	}
	for (i = 0; i < 3; i++)
		w.msid[i] = (le32(rnd + 4 * i) % 3000000000u) + 1000000000u;
	snprintf(w.computer, sizeof(w.computer), "DESKTOP-%07" PRIX32,
	    le32(rnd + 12) & 0xFFFFFFF);
	if ((w.doc = doc_new()) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "wipe");
		goto out;
	}
	o = doc_add_object(w.doc, doc_root_mut(w.doc), "wipe_except");
	doc_add_str(w.doc, o, "store", store);
	doc_add_str(w.doc, o, "volume", volroot);
	kept = doc_add_array(w.doc, o, "kept");
	doc_push_str(w.doc, kept, rel);
	c.doc = w.doc;
	c.failures = doc_add_array(w.doc, o, "not_removed");
	c.xdev_dev_set = 1;
	c.want_bytes = 1;
	c.dev = vst.st_dev;
	iso8601((int64_t)time(NULL), t, sizeof(t));
	if ((ret = store_journal_add(ctx, storefd, store, "wipe", "begin", t,
	    1)) != OFFMIG_OK)
		goto out;
	if ((ret = wipe_dir(&w, w.volfd, volroot, rel, &c)) != OFFMIG_OK)
		goto out;
	if (syncfs(w.volfd) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: syncfs",
		    volroot);
		goto out;
	}
	rm = doc_add_object(w.doc, o, "removed");
	doc_add_int(w.doc, rm, "files", (int64_t)c.files);
	doc_add_int(w.doc, rm, "dirs", (int64_t)c.dirs);
	doc_add_int(w.doc, rm, "bytes", (int64_t)c.bytes);
	doc_add_int(w.doc, rm, "failed", (int64_t)c.failed);
	if ((ret = store_journal_add(ctx, storefd, store, "wipe", "removed",
	    "", 1)) != OFFMIG_OK)
		goto out;
	if ((ret = make_skeleton(&w, doc_add_object(w.doc, o, "skeleton"))) !=
	    OFFMIG_OK)
		goto out;
	if (syncfs(w.volfd) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s: syncfs",
		    volroot);
		goto out;
	}
	if ((ret = store_journal_add(ctx, storefd, store, "wipe", "done",
	    w.computer, 1)) != OFFMIG_OK)
		goto out;
	if (c.failed > 0)
		ctx_log(ctx, OFFMIG_LOG_ERROR, "%s: %" PRIu64 " entr%s could not "
		    "be removed", volroot, c.failed, c.failed == 1 ? "y" :
		    "ies");
	if (doc_status(w.doc) != OFFMIG_OK) {
		ret = ctx_set_error(ctx, OFFMIG_ENOMEM, ENOMEM, "wipe report");
		goto out;
	}
	*docp = w.doc;
	w.doc = NULL;
out:
	offmig_doc_free(w.doc);
	for (i = 0; i < w.nusers; i++) {
		free(w.users[i].name);
		free(w.users[i].oldsid);
	}
	free(w.users);
	free(rel);
	if (storefd >= 0)
		close(storefd);
	if (w.volfd >= 0)
		close(w.volfd);
	return ret;
}
