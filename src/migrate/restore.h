/*
 * restore.h - putting a migration store back on a volume (restore.c;
 * docs/STORE-FORMAT.md "Restore").  The public entry point is
 * offmig_store_restore() in include/offmig.h; this header has the names
 * restore writes and the layout mapping, which the tests check directly.
 */
#ifndef OFFMIG_RESTORE_H
#define OFFMIG_RESTORE_H

#include "offmig.h"

#define STORE_RESTORED		"restored"	/* the restore record in STORE */
/* A copy or replacement being written, in its destination folder. */
#define RESTORE_TMP		"offmig~restore~tmp:"
/* Suffix of the file an --conflict overwrite replaced. */
#define RESTORE_OLD_SUFFIX	".offmig-old"
/* Most "name(N).ext" / ".offmig-old.N" candidates tried. */
#define RESTORE_MAX_CANDIDATES	1000

/*
 * Maps rel, a path below a user's old profile folder ('/'-separated, names
 * as stored: "My Documents/My Pictures/a.jpg", "Application Data/x"), to
 * the path below the new profile in Windows Vista and later's default
 * layout ("Pictures/a.jpg", "AppData/Roaming/x").  Paths that are no known
 * folder keep their place.  *folderp (when not NULL) gets the known
 * folder's registry name ("My Pictures") or NULL; *restp the part of rel
 * below the known folder.  Returns a string the caller frees, NULL on
 * ENOMEM.
 */
char	*restore_map_default(const char *rel, const char **folderp,
	    const char **restp);

#endif /* OFFMIG_RESTORE_H */
