/*
 * remove.h - removing a migration store (offmig store remove) and wiping a
 * volume down to its store (offmig store wipe-except): what remove.c and
 * skeleton.c share.  docs/STORE-FORMAT.md, "Removing a store" and "Wiping
 * a volume", describe the checks, the order and the journal.
 */
#ifndef OFFMIG_REMOVE_H
#define OFFMIG_REMOVE_H

#include <stdint.h>

#include "offmig.h"
#include "profiles/profiles.h"

/* The restore record written by restore, read by remove. */
#define STORE_RESTORED		"restored"

/* What a tree removal removed, and what it could not. */
struct rm_counts {
	uint64_t	 files, dirs, bytes, failed;
	struct offmig_doc *doc;		/* where failures are listed, or NULL */
	struct offmig_node *failures;	/* array {path, error} */
	uint64_t	 listed;
	int		 want_bytes;	/* stat each file to count bytes */
	int		 xdev_dev_set;
	dev_t		 dev;		/* never cross into another filesystem */
	int		 silent;	/* count failures only: no log, no list, no ctx */
};

/*
 * Removes the entry name of the open directory dirfd (a file, a symbolic
 * link as a link, or a directory with everything in it), never following a
 * link and never entering a directory of another filesystem than c->dev.
 * Read-only files and folders (mode bits, the NTFS read-only attribute
 * through ntfs-3g's system.ntfs_attrib_be) are made writable first; an
 * entry that cannot be removed is logged as an error, listed in c and
 * counted in c->failed, and the rest goes on.  path names the entry in
 * messages only.  Returns OFFMIG_OK or a fatal error (ENOMEM).
 */
int	rm_entry(struct offmig_ctx *ctx, int dirfd, const char *name,
	    const char *path, struct rm_counts *c);

/*
 * Appends "<command>\t<event>\t<arg escaped>\n" to STORE/journal (opened
 * O_APPEND) and, when sync, fdatasyncs it.
 */
int	store_journal_add(struct offmig_ctx *ctx, int storefd,
	    const char *storepath, const char *command, const char *event,
	    const char *arg, int sync);
/*
 * Non-zero when STORE/journal has a line "<command>\t<event>\t..."
 * (arg NULL: any argument).
 */
int	store_journal_has(int storefd, const char *command, const char *event);

#endif /* OFFMIG_REMOVE_H */
