/*
 * vpath.h - resolving Windows paths under the root of a mounted volume.
 *
 * ntfs-3g shows names as NTFS stores them, on a case-sensitive mount, while
 * Windows looks names up case-insensitively.  These functions resolve one
 * component at a time with openat(2) below a directory descriptor, matching
 * each name as Windows would (an exact match first, then wstrcasecmp()),
 * and never follow a symbolic link: a link met before the last component
 * stops the resolution with OFFMIG_EUNSAFE.  ".." components, drive letters
 * other than the system drive, UNC paths and device paths are refused: a path
 * from the disk can never leave the volume.
 */
#ifndef OFFMIG_VPATH_H
#define OFFMIG_VPATH_H

#include <sys/stat.h>

#include "offmig.h"

enum vpath_want {
	VPATH_ANY = 0,		/* file, directory or (last component) symlink */
	VPATH_FILE = 1,		/* a regular file */
	VPATH_DIR = 2		/* a directory */
};

/* What kind of Windows path a string is, after environment expansion. */
enum winpath_kind {
	WINPATH_RELATIVE = 0,	/* no drive: relative to the volume root */
	WINPATH_SYSTEM_DRIVE,	/* "C:\..." on the system drive */
	WINPATH_OTHER_DRIVE,	/* "D:\..." */
	WINPATH_UNC,		/* "\\server\share\..." */
	WINPATH_DEVICE,		/* "\\?\...", "\\.\...", "\??\..." forms not on the system drive */
	WINPATH_INVALID		/* empty, "..", or a NUL/control character */
};

/*
 * Classifies a Windows path and returns in *restp a pointer into winpath
 * past the drive ("C:", "\??\C:", "\\?\C:") and leading separators, for
 * WINPATH_SYSTEM_DRIVE and WINPATH_RELATIVE.  sysdrive is the system drive
 * letter ('C'), compared case-insensitively.  ".." anywhere gives
 * WINPATH_INVALID.
 */
enum winpath_kind winpath_classify(const char *winpath, char sysdrive,
		    const char **restp);

/*
 * Resolves rel (components separated by '\\' or '/', relative to dirfd)
 * and, on success, returns in *fdp a descriptor opened O_RDONLY|O_CLOEXEC
 * (O_DIRECTORY for VPATH_DIR, O_PATH|O_NOFOLLOW for a symlink with
 * VPATH_ANY) that the caller must close, and in *hostp, when hostp != NULL,
 * the path relative to dirfd as the names are stored ("Users/Bob/NTUSER.DAT"),
 * which the caller must free().  fdp may be NULL to only test for existence
 * (then *stp, when stp != NULL, gets lstat information).
 * Errors: OFFMIG_ENOTFOUND (a component is missing, or has the wrong type),
 * OFFMIG_EUNSAFE (a symbolic link before the last component, or the last
 * component is a link and VPATH_FILE/VPATH_DIR was asked), OFFMIG_EINVAL
 * (".." or an empty path), OFFMIG_EIO.  Messages name the path.
 */
int	vpath_resolve(struct offmig_ctx *ctx, int dirfd, const char *rel,
	    enum vpath_want want, int *fdp, char **hostp, struct stat *stp);

/*
 * Opens path (components separated by '/', names exactly as stored)
 * below dirfd with openat2(2), RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV: no symbolic link followed at any
 * component, nothing outside dirfd.  flags are open(2) flags (O_CLOEXEC and
 * O_NOFOLLOW are added).  Returns the descriptor, or -1 with errno as
 * openat2 sets it; ENOSYS when the kernel lacks openat2 (callers then walk
 * one component at a time with openat(O_NOFOLLOW)).
 */
int	vpath_open_beneath(int dirfd, const char *path, int flags);

/*
 * Looks up one name in the open directory dirfd as Windows would.  On
 * success *foundp is the stored name (caller frees).  OFFMIG_ENOTFOUND when
 * absent.
 */
int	vpath_lookup(struct offmig_ctx *ctx, int dirfd, const char *name,
	    char **foundp);

/*
 * Reading the names of a directory with getdents64() itself: no
 * allocation and none of the fcntl() calls fdopendir() makes, which count
 * when a report reads a thousand small folders.  vdir_open() reads the
 * directory dirfd names (a descriptor of its own, so dirfd's offset is
 * left alone); vdir_next() gives the next name but "." and "..", with its
 * d_type, or NULL at the end (errno 0) or on an error (errno set).
 */
struct vdir {
	int		 fd;
	size_t		 pos, len;
	_Alignas(8) unsigned char buf[8192];
};
int		 vdir_open(struct vdir *d, int dirfd);
const char	*vdir_next(struct vdir *d, unsigned char *typep);
void		 vdir_close(struct vdir *d);

/*
 * Listings of the folders that many lookups share (a profile's known
 * folders sit in a handful of them), so that a name is found in memory
 * rather than with an openat2() and a close() each, and a missing one
 * without the slow walk.  One thread's; at most VLIST_DIRS folders, each
 * listed only when a second lookup comes to it (or at once for
 * vlist_absent()), with at most VLIST_MAX_NAMES names.  A folder is opened
 * with vpath_open_beneath(), names exactly as given, so a listed folder is
 * one reached without a symbolic link.  Nothing that is not certain is
 * answered from a listing: a name listed as anything but a directory, a
 * folder that did not open as written, or too big, goes to vpath_resolve().
 */
#define VLIST_DIRS		16
#define VLIST_MAX_NAMES		4096
struct vlist_dir {
	char		*host;		/* below dirfd; "" for dirfd itself */
	int		 state;		/* seen once, listed, or not listable */
	char		*names;		/* "name\0" each, in listing order */
	size_t		 len;		/* bytes used in names */
	unsigned char	*types;		/* d_type of each name */
	size_t		 n;
};
struct vlist {
	int		 dirfd;
	size_t		 n;
	struct vlist_dir d[VLIST_DIRS];
};
void	vlist_init(struct vlist *l, int dirfd);
void	vlist_release(struct vlist *l);
/* Lists the folder dir (below l->dirfd) now, ahead of the lookups in it. */
void	vlist_prefetch(struct vlist *l, const char *dir);

/*
 * vpath_resolve(ctx, l->dirfd, rel, VPATH_DIR, NULL, hostp, NULL), with
 * the same results, the same *hostp and the same messages, answered from
 * the listing of rel's folder when it has one.
 */
int	vpath_resolve_dir_listed(struct offmig_ctx *ctx, struct vlist *l,
	    const char *rel, char **hostp);

/*
 * 1 when the folder parent (a host path below l->dirfd, names as stored)
 * lists no entry that Windows would take for name; 0 when it may have one
 * or cannot tell.  Lists parent at once.
 */
int	vlist_absent(struct vlist *l, const char *parent, const char *name);

/*
 * Expands %VAR% references in a Windows path from a table of name/value
 * pairs (names matched case-insensitively); unknown variables are left as
 * they are, and so is a reference whose value would make the result longer
 * than 32767 * 3 bytes (the longest Windows path), so the result stays
 * bounded.  Returns a string the caller must free(), or NULL on ENOMEM.
 */
struct winenv {
	const char	*name;
	const char	*value;
};
char	*winpath_expand(const char *s, const struct winenv *env, size_t nenv);

#endif /* OFFMIG_VPATH_H */
