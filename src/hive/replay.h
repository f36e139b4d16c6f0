/*
 * replay.h - transaction-log replay in memory, following the rules Windows
 * applies when it loads a dirty hive (format-notes §1.2 and §2, regf-spec
 * "Format of transaction log files", "Dirty state of a hive", "Multiple
 * transaction log files").  Nothing here writes a file: the recovered hive
 * is returned in a malloc'd buffer, and the caller decides what to do with
 * it.  logwrite.c, declared at the end, writes logs of both formats for the
 * tests and fixtures.
 *
 * Decisions where Windows' behaviour is not fully specified:
 *
 * - Dirty means a bad base-block checksum or seq1 != seq2.  A clean hive is
 *   never changed; logs holding newer entries are only reported.
 * - Logs are classified by their base block's File type (6 new, 1 and 2
 *   old), never by their names, and new-format logs are tried first; old
 *   ones only when no new-format entry could be applied.
 * - New format, valid primary base block: the valid logs are ordered by
 *   their base-block sequence number with serial (mod 2^32) arithmetic.  A
 *   log whose sequence is before the primary's secondary sequence is too
 *   old; the first one that is not applies, and each later one only when it
 *   starts at last applied + 1.  More than two logs (.LOG beside .LOG1 and
 *   .LOG2, or case variants on a Linux copy) follow the same chain rule.
 * - New format, invalid primary base block: the base block of the log with
 *   the latest sequence number is taken (File type reset to 0) and only that
 *   log is applied.
 * - Each log's chain starts at its base-block sequence number and stops at
 *   the first entry with a bad signature, size, hive bins size, page count,
 *   page reference, hash, or an unexpected sequence number.  Stale entries
 *   after it are never applied.
 * - After a new-format replay, a hive bin touched by the applied pages whose
 *   header is invalid is replaced by a dummy bin (header + one free cell)
 *   spanning up to the next valid bin, as spec note 10 says Windows does.
 * - Old format: a valid log applies when its Last written timestamp equals
 *   the primary's.  When the primary base block is invalid Windows compares
 *   with the timestamp in the first bin's header instead; that copy is only
 *   refreshed when bin 0 is written and lags (yarp's OldDirtyHive shows it),
 *   so there a log is accepted when its timestamp is not older than bin 0's
 *   (yarp's BadBaseBlockHive: log 0x01D29627F1C8A860, bin 0
 *   0x01D294F6CCF6F3F0, applied).  With no readable bin 0 the log is
 *   accepted as after Windows' self-healing.  The note says which rule
 *   matched.
 * - Dual old logs: the Windows 8 rule, under which .LOG2 may be used even
 *   when the primary base block is valid and its timestamp matches.  Of the
 *   applicable logs the one with the newest timestamp, then the latest
 *   sequence number, is applied (old logs are cumulative: one is enough).
 * - Old format: hive bins size, root cell offset and version are taken from
 *   the log's base block (the newer in-memory state).  Dirty pages are
 *   applied bin by bin; a dirty bin whose header is invalid stops recovery
 *   there (regf-spec "Dirty pages").  The dirty vector is at 512 ×
 *   clustering factor and the pages start at the next sector boundary after
 *   it, so a bitmap over 508 bytes puts them past offset 1024.
 * - Final base block: seq1 = seq2 = the last entry applied (new) or the
 *   primary's seq1 (old; the log's when the base block came from it), hive
 *   bins size from the log, File type 0, checksum with Windows' fix-ups.
 *   The recovered buffer is as long as the primary file or 4096 + hive bins
 *   size, whichever is larger (data past the bins is kept as it was).
 * - Memory: no hive bins size above HIVE_REPLAY_MAX_HBINS is accepted, and
 *   the hive may grow beyond the primary (its file length or, when its base
 *   block is valid, 4096 + its hive bins size) only by as many bytes as the
 *   pages of the valid chains (old: the dirty pages) carry: a log cannot
 *   make us zero-fill more than it holds.  An entry that would is treated
 *   as the end of its chain.
 */
#ifndef OFFMIG_REPLAY_H
#define OFFMIG_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "offmig.h"

/* The Marvin32 seed of hive log entries (bytes 82 EF 4D 88 7A 4E 55 C5). */
#define HIVE_MARVIN_SEED	0x82EF4D887A4E55C5ULL

/* Largest hive bins size accepted: the whole hive stays within 2 GiB. */
#define HIVE_REPLAY_MAX_HBINS	0x7FFFF000U
/* Largest file hive_replay_dir() reads (primary or log). */
#define HIVE_REPLAY_MAX_FILE	0x80000000ULL

/*
 * Marvin32 of len bytes (the function of .NET's string hashing and
 * SymCrypt): state lo = low half of seed, hi = high half; the result is
 * hi << 32 | lo, the value stored in HvLE Hash-1 and Hash-2.
 */
uint64_t	marvin32(uint64_t seed, const void *data, size_t len);

/* One log file's bytes; nothing is copied but the name. */
struct replay_log_in {
	const char		*name;	/* for notes, e.g. "NTUSER.DAT.LOG1" */
	const unsigned char	*data;	/* may be NULL when len is 0 */
	size_t			 len;
};

enum replay_fmt {
	REPLAY_FMT_EMPTY,	/* 0 bytes */
	REPLAY_FMT_OLD,		/* File type 1 or 2: base block + DIRT + pages */
	REPLAY_FMT_NEW,		/* File type 6: base block + HvLE entries */
	REPLAY_FMT_UNKNOWN	/* too short, not "regf", other File type */
};

/* What one log holds and what was done with it. */
struct replay_log {
	char		*name;
	enum replay_fmt	 format;
	int		 base_ok;	/* regf, checksum, seq1 == seq2, File
					   type and hive bins size right (old:
					   and the dirty vector is whole) */
	uint32_t	 seq1, seq2;	/* base block sequence numbers */
	uint64_t	 last_written;	/* base block FILETIME */
	uint32_t	 hbins_size;	/* base block hive bins size */
	size_t		 entries;	/* new: valid entries chained from seq1;
					   old: 1 when the dirty vector is valid */
	uint32_t	 first_seq;	/* new: sequence range of that chain */
	uint32_t	 last_seq;
	size_t		 pages;		/* old: dirty 512-byte pages; new: page
					   references in the chain */
	int		 applies;	/* was used for this primary */
	size_t		 entries_applied;
	size_t		 pages_applied;
	char		 note[200];	/* why it does not apply, or where and
					   why its chain stops */
};

struct replay_result {
	unsigned char	*data;		/* recovered hive (malloc'd), NULL when
					   nothing was applied */
	size_t		 len;
	int		 dirty;		/* primary: bad checksum or seq1 != seq2
					   (or not a hive at all) */
	int		 recovered;	/* data is a clean hive: seq1 == seq2,
					   checksum right, File type 0 */
	int		 base_from_log;	/* primary base block was invalid and was
					   taken from a log */
	uint32_t	 seq1_before;	/* primary's (0 when not a hive) */
	uint32_t	 seq2_before;
	uint32_t	 seq_after;	/* of the recovered hive */
	size_t		 entries_applied;
	size_t		 pages_applied;
	int		 grew;		/* hive bins size grew */
	size_t		 dummy_bins;	/* invalid dirty bins replaced (new) */
	size_t		 nlogs;		/* one per input, same order */
	struct replay_log *logs;
	char		 note[200];	/* dirty but not recovered: why; partial
					   recoveries: where they stopped */
};

/*
 * Replays the logs over the primary image (plen bytes; name names it in
 * messages) into res, which the caller releases with replay_result_free()
 * whatever the return.  Returns OFFMIG_OK for a clean hive (nothing applied,
 * logs described), a recovered dirty hive, and a dirty hive no log can
 * recover (res->recovered = 0, res->note says why); OFFMIG_ECORRUPT when
 * the primary is not a hive and no log's base block can stand in for it;
 * OFFMIG_ENOMEM.  The inputs are never modified.
 */
int	hive_replay(struct offmig_ctx *ctx, const char *name,
	    const unsigned char *primary, size_t plen,
	    const struct replay_log_in *logs, size_t nlogs,
	    struct replay_result *res);
void	replay_result_free(struct replay_result *res);	/* NULL ok */

/*
 * Reads <hivename> and its logs (hive_find_logs) from the directory dirfd
 * with openat(O_RDONLY|O_NOFOLLOW|O_CLOEXEC), regular files only, at most
 * HIVE_REPLAY_MAX_FILE bytes each, then calls hive_replay().  Never writes.
 * dir_host names the directory in messages.  A primary or log that cannot
 * be read gives OFFMIG_EIO (OFFMIG_ECORRUPT when too large or not a
 * regular file), the message naming it.
 */
int	hive_replay_dir(struct offmig_ctx *ctx, int dirfd,
	    const char *dir_host, const char *hivename,
	    struct replay_result *res);

/*
 * logwrite.c: writes transaction logs that take the primary image oldimg
 * to newimg (both whole hives with valid base blocks; newimg's hive bins
 * size may be larger).  The log goes to a malloc'd buffer (*outp, *outlenp)
 * the caller frees.  OFFMIG_EINVAL when an image is not a hive or its hive
 * bins size is unusable, OFFMIG_ENOMEM.
 *
 * New format: the 4096-byte pages of newimg's bins that differ from oldimg
 * (all of them past oldimg's bins) become HvLE entries, contiguous pages
 * merged into one reference, split as evenly as possible into nentries
 * entries (fewer when there are fewer pages; one entry with no page is
 * never written) numbered from seq, the base block's sequence number.
 * Every entry carries newimg's hive bins size and Flags bit 0, and valid
 * Marvin32 hashes.
 */
int	replay_write_new_log(struct offmig_ctx *ctx,
	    const unsigned char *oldimg, size_t oldlen,
	    const unsigned char *newimg, size_t newlen,
	    uint32_t seq, size_t nentries,
	    unsigned char **outp, size_t *outlenp);
/*
 * Old format: newimg's first 512 bytes with File type 1, seq1 = seq2 = seq
 * and last_written as given (the applicability check compares it), the DIRT
 * vector (hive bins size / 4096 bytes, all 8 bits of a 4 KiB block set as
 * Windows does) and the dirty 512-byte pages.
 */
int	replay_write_old_log(struct offmig_ctx *ctx,
	    const unsigned char *oldimg, size_t oldlen,
	    const unsigned char *newimg, size_t newlen,
	    uint32_t seq, uint64_t last_written,
	    unsigned char **outp, size_t *outlenp);
/*
 * Recomputes Hash-1 and Hash-2 of the HvLE entry at offset off of a log
 * (tests change an entry and re-sign it).  Returns 0, or -1 when no whole
 * entry is there.
 */
int	replay_rehash_entry(unsigned char *log, size_t len, size_t off);

#endif /* OFFMIG_REPLAY_H */
