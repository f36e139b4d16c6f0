/*
 * writer.h - the safe hive writer: how offmig changes a hive that is not
 * its own (profile registration, settings restore, "offmig hive import")
 * and how it finishes the fixture hives it builds.
 *
 * hivex does the editing, on a private copy; offmig does everything around
 * it that hivex gets wrong or does not do (reference/format-notes.md
 * §3.4-3.5, DESIGN.md §3 rules 2 and 5):
 *
 * Opening (hive_writer_open).  The hive is a plain name in a directory the
 * caller already resolved safely (dirfd); it is opened O_NOFOLLOW and must
 * be a regular file with a "regf" base block, major version 1.  It is
 * refused with OFFMIG_EUNSAFE when
 *   - it is dirty (seq1 != seq2 or a bad checksum): its logs would apply;
 *   - a log beside it (hive_find_logs: NAME.LOG, .LOG1, .LOG2 in any case)
 *     would apply.  Without the replay module the rule is conservative: a
 *     log counts as applying when its base block is valid ("regf", the
 *     checksum right with Windows' fix-ups, file type 1, 2 or 6, seq1 ==
 *     seq2), it holds content (a "DIRT" vector or an "HvLE" entry at offset
 *     512) and its sequence number is not older than the hive's secondary
 *     one (serial arithmetic: log.seq1 - hive.seq2 < 2^31).  Only a clean
 *     hive that is newer than the log lets the log pass.  Windows itself
 *     ignores every log of a clean hive, so this refuses some hives Windows
 *     would load as they are; "offmig hive recover/clean" resets the logs.
 * The whole file is read once: it becomes the backup's reference and is
 * copied into an anonymous memory file that hivex opens for writing (with
 * the plain-XOR checksum hivex insists on); the original is never opened
 * for writing.
 *
 * Editing: hive_builder_key, hive_builder_set, hive_builder_apply_reg
 * (hive.h) work on the handle.  What hivex would write wrongly is refused
 * or fixed:
 *   - data over 16344 bytes on a hive of minor version > 3 is refused
 *     (OFFMIG_EINVAL naming key and value): hivex writes it in one cell
 *     where Windows expects a big-data (db) record;
 *   - new keys with non-ASCII names are fixed after the commit: hivex
 *     hashes their UTF-8 bytes and sorts them by ASCII-only upper case, so
 *     the subkey lists of every key that got a new child are re-sorted by
 *     Windows' rule (upper-cased UTF-16 code units) and the lh hashes of
 *     the new entries recomputed (H = 37 * H + upper(unit)).  A name with a
 *     letter whose Windows upper case offmig does not know for sure (see
 *     hive_name_hash) is refused instead.
 *
 * Committing (hive_writer_commit, hive_builder_commit):
 *   1. hivex commits into another memory file; the base block is then
 *      fixed: seq1 = seq2 = old + 1, last written time = now (also in the
 *      first bin's copy), hive bins size from the bins actually present,
 *      file type 0, checksum with Windows' fix-ups;
 *   2. the bytes go to ".NAME.offmig-tmp-PID-N" in the same directory
 *      (O_EXCL, the original's mode), which is fsynced;     (steps 1, 2)
 *   3. the original is kept as a backup: NAME.offmig-bak or the caller's
 *      name, hard-linked (copied where links are not supported).  An
 *      existing backup is never replaced: one that is the same file or a
 *      byte copy of the original (left by an interrupted run) is reused,
 *      otherwise NAME.offmig-bak.1 ... .9 are tried (a caller-given name is
 *      not numbered: the commit is refused);                (step 3)
 *   4. if the original changed since it was opened, the commit is refused;
 *      else the temp file is renamed over it and the directory fsynced;
 *                                                            (steps 4, 5)
 *   5. the file is read back (byte-identical to what was written), opened
 *      with hive_open_fd (clean, checksum right, new sequence numbers) and
 *      every key written through hive_builder_key looked up.  A failure
 *      puts the original back from the backup.
 * Before the rename, any failure leaves the original untouched and
 * removes the temp file.  Leftover temp files of interrupted runs are
 * removed when the hive is next opened for writing.
 *
 * Fixtures (hive_builder_open on a path) take the same commit path with
 * HIVE_WRITER_FIXTURE: no dirty/log refusal, no backup, and the base-block
 * time kept so that generated hives are reproducible.
 */
#ifndef OFFMIG_HIVE_WRITER_H
#define OFFMIG_HIVE_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "hive/hive.h"

enum hive_writer_flags {
	/* Files offmig made itself: no refusal for logs, no backup. */
	HIVE_WRITER_FIXTURE	= 1 << 0,
	/* Replace without keeping a backup (the caller has its own copy). */
	HIVE_WRITER_NO_BACKUP	= 1 << 1
};

/* The steps after which a commit can be stopped (fault injection). */
enum hive_writer_step {
	HIVE_WSTEP_TEMP_WRITTEN	= 1,
	HIVE_WSTEP_TEMP_SYNCED	= 2,
	HIVE_WSTEP_BACKUP	= 3,
	HIVE_WSTEP_RENAMED	= 4,
	HIVE_WSTEP_DIR_SYNCED	= 5
};

/* A key offmig added: its parent's subkey list is fixed after commit. */
struct hive_added {
	hnode	parent;
	hnode	child;
};

/* The handle; hive.h only sees it as struct hive_builder. */
struct hive_builder {
	struct offmig_ctx	*ctx;
	struct hive_h		*h;		/* hivex, on the private copy */
	char			*path;		/* dir_host/name, for messages */
	char			*name;		/* file name within dirfd */
	int			 dirfd;		/* owned duplicate */
	unsigned		 flags;
	uint32_t		 minor;		/* hive minor version */
	uint32_t		 seq;		/* secondary seq at open */
	struct stat		 st;		/* of the original at open */
	unsigned char		*orig;		/* its bytes (NULL: fixture) */
	size_t			 orig_len;
	char			*backup;	/* caller's backup name, or NULL */
	struct hive_added	*added;
	size_t			 nadded;
	char			**keys;		/* paths given to builder_key */
	size_t			 nkeys;
};

/*
 * Opens dirfd/name for writing as described above.  dir_host names the
 * directory in messages.  flags: enum hive_writer_flags.  On success *bp
 * is released by hive_writer_commit/hive_builder_commit or
 * hive_builder_abort.  Errors: OFFMIG_EINVAL (name is not a plain file
 * name), OFFMIG_ENOTFOUND, OFFMIG_EUNSAFE (symlink, not a regular file,
 * dirty, logs would apply), OFFMIG_ECORRUPT (not a hive or hivex refuses
 * it), OFFMIG_EIO, OFFMIG_ENOMEM.
 */
int		hive_writer_open(struct offmig_ctx *ctx, int dirfd,
		    const char *dir_host, const char *name, unsigned flags,
		    struct hive_builder **bp);
/*
 * Names the backup (a plain file name in the same directory) instead of
 * NAME.offmig-bak.  Call before committing.
 */
int		hive_writer_set_backup(struct hive_builder *b,
		    const char *bakname);
/*
 * Commits as described above and frees b.  When backupp != NULL it gets
 * the name of the backup kept (malloc'd; NULL when none was made).
 */
int		hive_writer_commit(struct hive_builder *b, char **backupp);

/*
 * Windows' hash of a key name (UTF-8) for lh lists: H = 37 * H + U over
 * the UTF-16 code units U of the upper-cased name.  Returns 0 and the hash
 * in *hashp, or -1 when the name holds a character whose upper case
 * offmig cannot vouch for (letters outside ASCII, Latin-1, Latin
 * Extended-A, basic Greek and Cyrillic; caseless scripts such as CJK are
 * fine) or is not valid UTF-8.
 */
int		hive_name_hash(const char *name, uint32_t *hashp);

/*
 * Fault injection for tests: the next commits stop right after the given
 * step (enum hive_writer_step) as if the process died there, leaving
 * whatever a crash would leave, and return OFFMIG_EIO.  0 turns it off;
 * then the environment variable OFFMIG_FAULT_STEP is read instead, so that
 * CLI tests can do the same.
 */
void		hive_writer_set_fault(int step);

#endif /* OFFMIG_HIVE_WRITER_H */
