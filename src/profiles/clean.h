/*
 * clean.h - `offmig hive clean`: finding and cleaning stale hive state on a
 * volume (clean.c; the design is in its header comment and in
 * docs/ARCHITECTURE.md "hive clean").
 */
#ifndef OFFMIG_CLEAN_H
#define OFFMIG_CLEAN_H

#include "offmig.h"

/*
 * XXX The enum and offmig_hive_clean() move to include/offmig.h; this
 * copy goes when they are there.
 */
#ifndef OFFMIG_CLEAN_DECLARED
#define OFFMIG_CLEAN_DECLARED
enum offmig_clean_mode {
	OFFMIG_CLEAN_DRY_RUN = 0,
	OFFMIG_CLEAN_APPLY = 1,
	OFFMIG_CLEAN_UNDO = 2
};

/*
 * Plans (and with APPLY or UNDO carries out) the clean-up of vol's hives;
 * on success *docp gets the report, which the caller frees:
 * { "volume", "mode", "journal" (host path or null), "quarantine" (host
 * path or null), "hibernated", "actions"[] { "kind" (replay, reset-log,
 * quarantine, remove-orphan-log, refused), "path" (relative to the volume),
 * "reason", "detail" {...}, "state" (planned, done, failed, skipped,
 * undone), "error" }, "summary" { kind: { state: count } } }.
 * Returns OFFMIG_OK (also when there is nothing to do; failed items are in
 * the actions and logged with OFFMIG_LOG_ERROR), OFFMIG_EUNSAFE (a
 * hibernated or Fast Startup volume with APPLY or UNDO, a symbolic link
 * where the clean folder should be, a file changed since the clean that
 * UNDO would replace, or a finished clean APPLY would mix with a new one;
 * the message says why and what to do), OFFMIG_ECORRUPT (a damaged
 * journal, named), OFFMIG_EIO, OFFMIG_ENOMEM.
 */
int	offmig_hive_clean(struct offmig_ctx *ctx, struct offmig_volume *vol,
	    enum offmig_clean_mode mode, struct offmig_doc **docp);
#endif

/* The folder at the volume root that holds the journal and what was kept. */
#define CLEAN_DIR		"offmig-clean"
#define CLEAN_JOURNAL		"journal"
#define CLEAN_BACKUP		"backup"
#define CLEAN_QUARANTINE	"quarantine"

/*
 * Test hook: with n > 0 the process ends with _exit(CLEAN_FAULT_EXIT) at
 * the n-th fault point of the next offmig_hive_clean() (after each change
 * on the disk and after each journal record), as if it were killed there.
 * 0 turns it off.  Without a call, OFFMIG_FAULT_STEP=N in the environment
 * does the same.
 */
#define CLEAN_FAULT_EXIT	86
void	clean_set_fault(long n);

#endif /* OFFMIG_CLEAN_H */
