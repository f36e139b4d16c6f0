/*
 * profiles.h - internal model of an offline Windows installation: the
 * volume and its installation (volume.c), OS facts (os.c), local accounts
 * from SAM (sam.c), ProfileList entries (profiles.c), applications
 * (apps.c), known folders and browsers (folders.c), user filters
 * (filter.c) and the combined report (inspect.c).
 *
 * Nothing here writes to the volume: every file is opened through
 * vpath_resolve() (O_RDONLY, no symbolic link followed).
 */
#ifndef OFFMIG_PROFILES_H
#define OFFMIG_PROFILES_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "offmig.h"
#include "common/common.h"
#include "common/doc.h"
#include "common/par.h"
#include "common/vpath.h"
#include "hive/hive.h"

/* The machine hives of an installation, by role. */
enum sys_hive {
	SYS_HIVE_SOFTWARE = 0,
	SYS_HIVE_SYSTEM,
	SYS_HIVE_SAM,
	SYS_HIVE_SECURITY,
	SYS_HIVE_DEFAULT,
	SYS_HIVE_COUNT
};

/*
 * Values of SOFTWARE that volume_expand() uses, read once on first use:
 * SystemRoot from Microsoft\Windows NT\CurrentVersion, the others from
 * Microsoft\Windows\CurrentVersion.
 */
enum volume_env {
	VOLUME_ENV_SYSTEMROOT = 0,	/* SystemRoot */
	VOLUME_ENV_PROGRAMFILES,	/* ProgramFilesDir */
	VOLUME_ENV_PROGRAMFILES_X86,	/* ProgramFilesDir (x86) */
	VOLUME_ENV_PROGRAMW6432,	/* ProgramW6432Dir */
	VOLUME_ENV_COMMONFILES,		/* CommonFilesDir */
	VOLUME_ENV_COMMONFILES_X86,	/* CommonFilesDir (x86) */
	VOLUME_ENV_COUNT
};

/* A machine hive opened ahead of its first use (volume.c). */
struct spec_sys {
	int		 done;
	int		 ret;
	struct hive	*hive;
	char		*msg;		/* of a failed open */
	struct par_log	 log;		/* what the open logged */
};

struct offmig_volume {
	struct offmig_ctx *ctx;		/* the context it was opened with */
	char		*root;		/* mount point as given */
	int		 rootfd;	/* O_RDONLY|O_DIRECTORY */
	char		*windir_host;	/* "Windows" as stored, relative to root */
	int		 windirfd;
	char		*configdir_host;	/* "Windows/System32/config" */
	int		 configfd;
	char		 sysdrive;	/* 'C' unless the hives say otherwise */
	unsigned	 flags;		/* enum offmig_volume_flags */
	int		 hibernated;	/* hiberfil.sys says "hibr" */
	/* Opened lazily by volume_sys_hive(); NULL when missing or broken. */
	struct hive	*hives[SYS_HIVE_COUNT];
	int		 hive_tried[SYS_HIVE_COUNT];
	int		 hive_err[SYS_HIVE_COUNT];	/* enum offmig_err of the open */
	char		*hive_msg[SYS_HIVE_COUNT];	/* its message, when it failed */
	/* Cached by volume_profiles(). */
	struct profile_list *profiles;
	/* enum volume_env values (NULL when absent), once env_loaded is set. */
	int		 env_loaded;
	char		*env[VOLUME_ENV_COUNT];
	/*
	 * The derived defaults volume_expand() needs (windir, ProgramData,
	 * Public, Program Files...), built once per profile list.
	 */
	char		*xdefs[8];
	const struct profile_list *xdefs_for;
	int		 xdefs_built;
	/*
	 * User hives opened ahead, while SOFTWARE was being opened, sorted
	 * by host path (volume.c); volume_take_user_hive() hands them out.
	 */
	struct spec_hive *spec;
	size_t		 nspec;
	struct spec_hive **spec_dirs;	/* those checked, by profile folder */
	size_t		 nspec_dirs;
	struct spec_sys	 spec_sys[SYS_HIVE_COUNT];	/* machine hives too */
	unsigned	 spec_want;	/* SPEC_WANT_*, for the next opening */
	struct sam_info	*spec_sam;	/* SAM read ahead, until taken */
	int		 spec_sam_ret;
	char		*spec_sam_msg;
};

/*
 * For a dirty hive (info->dirty, or info NULL when its base block is
 * damaged) in dirfd (dirrel from the root): what replaying its logs would
 * give, the data dropped.  NULL when clean, with OFFMIG_VOLUME_NO_LOGS, or
 * out of memory.  Release with volume_replay_free().
 */
struct replay_result *volume_describe_replay(struct offmig_volume *vol,
		    int dirfd, const char *dirrel, const char *base,
		    const struct regf_info *info);
void		volume_replay_free(struct replay_result *r);

/* File names of the machine hives ("SOFTWARE", ...). */
const char	*sys_hive_name(enum sys_hive which);
/*
 * Returns the machine hive, opening it on first use.  OFFMIG_ENOTFOUND when
 * the file is absent, OFFMIG_ECORRUPT when it cannot be read; the message is
 * set and kept in vol->hive_msg.  The hive stays owned by the volume.
 */
int		volume_sys_hive(struct offmig_volume *vol, enum sys_hive which,
		    struct hive **hp);
/*
 * Opens a hive given by a Windows path (as stored in the registry, e.g.
 * "C:\\Users\\bob\\NTUSER.DAT" or "%SystemDrive%\\Users\\bob\\NTUSER.DAT")
 * or by a path relative to the volume root.  *hostp (caller frees) gets the
 * host path relative to the root when found.
 */
int		volume_open_hive(struct offmig_volume *vol, const char *winpath,
		    struct hive **hp, char **hostp);
/*
 * Whether the volume whose root is open on rootfd was left hibernated or
 * shut down with Fast Startup: hiberfil.sys starts with "hibr" (any case).
 * Commands that write to a volume refuse it (DESIGN.md §3 rule 6).
 */
int		volume_hibernated(int rootfd);
/*
 * If the hive at host (a path below the root, as resolved) was opened
 * ahead, gives it (or its open's error, with the message in the context,
 * after the messages the open logged) and returns 1; else returns 0 and
 * the caller opens it.  Each hive is given once.
 */
int		volume_take_user_hive(struct offmig_volume *vol,
		    const char *host, struct hive **hp, int *errp);
/*
 * Converts a Windows path from the disk to a host path relative to the
 * volume root, resolving it with vpath_resolve().  OFFMIG_EUNSAFE for paths
 * that leave the volume (other drives, UNC, "..", symlinks); ENOTFOUND when
 * it does not exist.  *hostp (caller frees) is set on success.
 */
int		volume_resolve(struct offmig_volume *vol, const char *winpath,
		    enum vpath_want want,
		    char **hostp, struct stat *stp);
/*
 * volume_resolve(vol, winpath, VPATH_DIR, hostp, NULL), with the same
 * results and messages, answered from l's listings where it can (see
 * struct vlist; l's dirfd is the volume's root).
 */
int		volume_resolve_dir_listed(struct offmig_volume *vol,
		    struct vlist *l, const char *winpath, char **hostp);
/*
 * Expands %SystemDrive%, %SystemRoot%, %windir%, %ProgramData%,
 * %ALLUSERSPROFILE%, %PUBLIC%, %ProgramFiles%, %CommonProgramFiles%, ...
 * with the values SOFTWARE holds, else Windows' defaults.  The first call
 * reads them (and takes the system drive letter from SystemRoot when it
 * names this installation).  Returns a string the caller must free(), or
 * NULL when out of memory.
 */
char		*volume_expand(struct offmig_volume *vol, const char *s);
/* Adds the hive list ("hives"[] {name, path, host_path, dirty, ...}). */
void		volume_doc_hives(struct offmig_volume *vol, struct offmig_doc *doc,
		    struct offmig_node *arr);

/* Local accounts read from SAM. */
struct sam_user {
	uint32_t	 rid;
	char		*name;
	char		*full_name;	/* from V, or NULL */
	uint32_t	 acb_flags;	/* from F, or 0 */
	int64_t		 last_logon;	/* Unix seconds or NO_TIME */
};
struct sam_info {
	char		*machine_sid;	/* "S-1-5-21-a-b-c" or NULL */
	struct sam_user	*users;
	size_t		 nusers;
};
/*
 * Reads the accounts of a SAM hive.  A SAM without accounts (ReactOS) is
 * not an error: nusers is 0.  Free with sam_info_release().
 */
int		sam_read(struct offmig_ctx *ctx, struct hive *sam,
		    struct sam_info *info);
void		sam_info_release(struct sam_info *info);
/*
 * sam_read() of the volume's SAM (samh, from volume_sys_hive()), or what
 * reading it ahead found, with the same result and message.
 */
int		volume_sam_read(struct offmig_volume *vol, struct hive *samh,
		    struct sam_info *info);
/* The account with that RID, or NULL. */
const struct sam_user *sam_find_rid(const struct sam_info *info, uint32_t rid);

/* Well-known SIDs: returns "SYSTEM", "LOCAL SERVICE", ... or NULL. */
const char	*sid_wellknown_name(const char *sid);
/* Binary SID to "S-1-..." (caller frees); NULL when malformed. */
char		*sid_to_string(const void *data, size_t len);
/* RID (last sub-authority) of a SID string; 0 on failure. */
uint32_t	 sid_rid(const char *sid);
/* Prefix of the SID without the RID ("S-1-5-21-a-b-c"); caller frees. */
char		*sid_domain(const char *sid);

/* Profile status (DESIGN.md §1 "status"). */
enum profile_status {
	PROFILE_OK = 0,
	PROFILE_BAK,
	PROFILE_TEMPORARY,
	PROFILE_FOLDER_MISSING,
	PROFILE_HIVE_MISSING,
	PROFILE_SYSTEM,
	PROFILE_ORPHAN_FOLDER
};
const char	*profile_status_name(enum profile_status s);

/* One ProfileList entry (or an orphan folder). */
struct profile {
	char		*key;		/* subkey name: "<SID>" or "<SID>.bak" */
	char		*sid;		/* SID without ".bak" */
	int		 is_bak;
	char		*user;		/* name, or NULL */
	const char	*user_source;	/* "sam", "wellknown", "path", "none" */
	char		*domain;	/* "MACHINE" for SAM users, else NULL */
	char		*path;		/* ProfileImagePath as stored, or NULL */
	char		*host_path;	/* relative to the volume root, or NULL */
	uint32_t	 state;		/* State, 0 when absent */
	int		 has_state;
	uint32_t	 refcount;
	int		 has_refcount;
	uint32_t	 flags;
	int		 has_flags;
	char		*guid;
	int64_t		 load_time;	/* Unix seconds or NO_TIME */
	int64_t		 unload_time;
	int64_t		 last_use;
	const char	*last_use_source;	/* "profile-unload", "profile-load",
						   "ntuser-mtime", "none" */
	int		 hive_present;
	uint64_t	 hive_size;
	int		 hive_dirty;
	int		 hive_logs;	/* number of log files beside it */
	char		*hive_host;	/* NTUSER.DAT host path, or NULL */
	char		*usrclass_host;	/* UsrClass.dat host path, or NULL */
	enum profile_status status;
	char		*partner;	/* the key of the .bak twin, or NULL */
	char		**problems;	/* NULL-terminated, or NULL */
	size_t		 nproblems;
	int		 read_failures;	/* problems that are failures to read */
	struct regf_info hive_info;	/* NTUSER.DAT's base block, when present */
	struct hive_log	*logs;		/* its logs, as hive_find_logs() found */
	size_t		 nlogs;
	struct replay_result *replay;	/* dirty: what its logs give, or NULL */
	struct hive	*hive;		/* NTUSER.DAT, opened once on demand */
	int		 hive_err;	/* its open's result, once tried */
	int		 hive_tried;
	char		*hive_msg;	/* the open's message, when it failed */
};

struct profile_list {
	struct profile	*v;
	size_t		 n;
	char		*profiles_dir;	/* ProfilesDirectory as stored */
	char		*profiles_dir_host;
	char		*default_path;
	char		*public_path;
	char		*programdata_path;
	char		*machine_sid;	/* from SAM */
};

/*
 * Reads ProfileList, names users from SAM, checks folders and hives, finds
 * orphan folders.  The list stays owned by the volume (cached).
 */
int		volume_profiles(struct offmig_volume *vol,
		    const struct profile_list **listp);
void		profile_list_free(struct profile_list *l);
/*
 * The checks below a resolved profile folder (p->host_path): NTUSER.DAT
 * (size, base block, logs, what replaying them gives), UsrClass.dat.  It
 * reads p->host_path and p->last_use and changes nothing but p, so it can
 * run ahead on a scratch profile (volume.c, while SOFTWARE opens), whose
 * findings profile_merge_checked() then gives the real one, as if it had
 * been checked itself.  profile_scratch_free() frees a scratch profile.
 */
void		profile_check_below(struct offmig_volume *vol,
		    struct profile *p);
void		profile_merge_checked(struct profile *p, struct profile *c);
void		profile_scratch_free(struct profile *c);
/*
 * Gives p what the opening ahead found below p->host_path; 0 when it did
 * not check that folder (or gave it away already).
 */
int		volume_take_checked(struct offmig_volume *vol,
		    struct profile *p);
/*
 * The listings made ahead of the folders below host (a profile folder),
 * for the caller to use and free (vlist_release(), free()); NULL when
 * there are none (or they were given away).
 */
struct vlist	*volume_take_vlist(struct offmig_volume *vol, const char *host);
/*
 * What the report about to run will use of the work done while SOFTWARE
 * opens, beyond the user hives and the profile scan's checks: the hive
 * list's UsrClass.dat (SPEC_WANT_HIVELIST), the folder listings
 * (SPEC_WANT_FOLDERS).  Work nothing will use is not done.
 */
#define SPEC_WANT_HIVELIST	(1u << 0)
#define SPEC_WANT_FOLDERS	(1u << 1)
void		volume_spec_want(struct offmig_volume *vol, unsigned want);
/*
 * Lists into l the folders that hold the known folders of the profile
 * folder host where Windows puts them by default (xp: the XP layout), and
 * those the browsers are looked for in.
 */
void		folders_prefetch(struct vlist *l, const char *host, int xp);
/*
 * The profile's NTUSER.DAT, opened on first use and kept open with the
 * profile list (the caller must not close it).  OFFMIG_ENOTFOUND when the
 * profile has none; an open that failed is logged once as a warning and
 * its error returned again on later calls.
 */
int		volume_user_hive(struct offmig_volume *vol,
		    const struct profile *p, struct hive **hp);
/* Adds a problem text to a profile (copied). */
/*
 * Opens the hives of the profiles f selects (NULL: all) on a few threads
 * (par_run()), so that volume_user_hive() finds them open (or finds the
 * message of the failed open, which it gives every caller).
 */
int		volume_prefetch_hives(struct offmig_volume *vol,
		    const struct offmig_filter *f);
/*
 * Loads what the volume loads lazily and the per-profile work reads (the
 * profile list, the environment, the defaults of volume_expand()), so
 * that work can run on several threads.
 */
void		volume_prepare(struct offmig_volume *vol);
void		profile_add_problem(struct profile *p, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* The profile that best matches a user name or SID, or NULL. */
const struct profile *profile_find(const struct profile_list *l,
		    const char *user_or_sid);
/* Adds the JSON form of one profile (DESIGN.md §1 profiles[]). */
void		profile_to_doc(const struct profile *p, struct offmig_doc *doc,
		    struct offmig_node *obj);

/* User filter (offmig_filter). */
struct offmig_filter {
	char		**inc;
	size_t		 ninc;
	char		**exc;
	size_t		 nexc;
	int		 uel_days;	/* < 0: none */
	int64_t		 now;
};
/* 1 when the profile is selected by the filter (NULL filter: all). */
int		filter_match(const struct offmig_filter *f,
		    const struct profile *p);

/*
 * The current control set of SYSTEM ("ControlSet001") in *csp (caller
 * frees) and its key; OFFMIG_ENOTFOUND when Select is missing or points
 * nowhere.
 */
int		os_control_set(struct offmig_ctx *ctx, struct hive *system,
		    char **csp, hnode *keyp);
/* The computer name from SYSTEM, or NULL (caller frees). */
char		*os_computer_name(struct offmig_volume *vol);

/* Builders behind the public reports; they add to an existing object. */
int		os_build(struct offmig_volume *vol, struct offmig_doc *doc,
		    struct offmig_node *os);
int		profiles_build(struct offmig_volume *vol,
		    const struct offmig_filter *f, struct offmig_doc *doc,
		    struct offmig_node *arr);
int		apps_build(struct offmig_volume *vol,
		    const struct offmig_filter *f, unsigned flags,
		    struct offmig_doc *doc, struct offmig_node *arr);
/*
 * apps_build() that also records what could not be read (a damaged
 * Uninstall key, an unreadable user hive) in problems as objects {"hive"
 * (host path), "key" (or null), "problem"}; problems may be NULL.  Each is
 * logged as a warning too.
 */
int		apps_build_problems(struct offmig_volume *vol,
		    const struct offmig_filter *f, unsigned flags,
		    struct offmig_doc *doc, struct offmig_node *arr,
		    struct offmig_node *problems);
int		folders_build(struct offmig_volume *vol, const char *user,
		    const struct offmig_filter *f, struct offmig_doc *doc,
		    struct offmig_node *root);

/*
 * The two big parts of inspect in steps, so that it can run them side by
 * side: *_begin() on the calling thread (it fills *runp, or returns an
 * error and *runp is NULL); then the items, each into the document it is
 * given (a thread's, adopted into doc later: see par_run()): the machine
 * part of apps (it reads SOFTWARE and nothing else) and one item a
 * profile of folders (each reads only its own profile's hive); then
 * *_end() on the calling thread, into doc, which frees the run.
 */
struct apps_run;
int		apps_begin(struct offmig_volume *vol,
		    const struct offmig_filter *f, unsigned flags,
		    struct offmig_doc *doc, struct offmig_node *arr,
		    struct offmig_node *problems, struct apps_run **runp);
void		apps_machine(struct apps_run *r, struct offmig_doc *doc);
int		apps_end(struct apps_run *r, struct offmig_doc *doc);
struct folders_run;
int		folders_begin(struct offmig_volume *vol, const char *user,
		    const struct offmig_filter *f, struct offmig_doc *doc,
		    struct offmig_node *root, struct folders_run **runp);
size_t		folders_count(const struct folders_run *r);
void		folders_item(struct folders_run *r, size_t i,
		    struct offmig_doc *doc);
int		folders_end(struct folders_run *r, struct offmig_doc *doc);

#endif /* OFFMIG_PROFILES_H */
