/*
 * manifest.h - the store manifest's writer and the reader's extras that
 * create needs to resume (internal to src/migrate; store.h has the public
 * reading interface).  docs/STORE-FORMAT.md describes the format.
 */
#ifndef OFFMIG_MANIFEST_H
#define OFFMIG_MANIFEST_H

#include <stdint.h>

#include "common/sha256.h"
#include "migrate/store.h"

/* Sync the manifest every this many records or bytes of linked data. */
#define MANIFEST_SYNC_RECORDS	1000
#define MANIFEST_SYNC_BYTES	(64ull * 1024 * 1024)

struct manifest_writer;

/*
 * Creates STORE/manifest (O_EXCL) with its first line for store id, and
 * syncs it.  The caller closes with manifest_seal() or
 * manifest_writer_close().
 */
int	manifest_writer_create(struct offmig_ctx *ctx, int storefd,
	    const char *id, struct manifest_writer **wp);
/*
 * Reopens an unsealed manifest for appending: what a reader in resume mode
 * read (manifest_resume_state()) is kept, a torn last line is cut off.
 */
int	manifest_writer_resume(struct offmig_ctx *ctx, int storefd,
	    const struct manifest_reader *r, struct manifest_writer **wp);
/*
 * Appends one record (an O record when rec->kind is f, d or r; the seq is
 * the caller's).  Records are buffered and written with O_APPEND; every
 * MANIFEST_SYNC_RECORDS records or MANIFEST_SYNC_BYTES of data (counted
 * with manifest_note_data()) the manifest is written and fdatasync'ed.
 */
int	manifest_write_object(struct manifest_writer *w,
	    const struct manifest_record *rec);
int	manifest_write_user(struct manifest_writer *w, const char *sid,
	    const char *user, const char *profile_path, uint64_t objects,
	    uint64_t bytes, const char *status, const char *problems);
void	manifest_note_data(struct manifest_writer *w, uint64_t bytes);
/* Writes what is buffered and fdatasyncs. */
int	manifest_writer_sync(struct manifest_writer *w);
/* Writes the seal line, syncs and closes (w is freed, whatever happens). */
int	manifest_seal(struct manifest_writer *w, uint64_t objects,
	    uint64_t bytes);
/* Writes what is buffered, and closes without sealing; w is freed. */
int	manifest_writer_close(struct manifest_writer *w);
/* Closes without writing what is buffered (as a crash would); w is freed. */
void	manifest_writer_abort(struct manifest_writer *w);

/*
 * A reader for resuming: a last line without its newline (a torn write) is
 * not an error but the end; manifest_resume_state() then tells what was
 * read.  The record with seq want_seq (when not 0) has its winpath kept,
 * returned by manifest_resume_winpath() (owned by the reader).
 */
int	manifest_open_resume(struct offmig_ctx *ctx, int storefd,
	    uint64_t want_seq, struct manifest_reader **rp);
void	manifest_resume_state(const struct manifest_reader *r,
	    uint64_t *last_seqp, uint64_t *objectsp, uint64_t *bytesp);
const char *manifest_resume_winpath(const struct manifest_reader *r);
/* The winpath of the last O record read (owned by the reader), or NULL. */
const char *manifest_last_winpath(const struct manifest_reader *r);

/*
 * NULL when p (len bytes) is a relative path of non-empty '/'-separated
 * components, none "." or "..", without NUL; else what is wrong.
 */
const char *manifest_check_relpath(const char *p, size_t len);

/* Appends the escaped form of s[0..len) to buf (see manifest_escape()). */
struct mbuf {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};
void	mbuf_add(struct mbuf *b, const void *s, size_t len);
void	mbuf_add_escaped(struct mbuf *b, const char *s, size_t len);
void	mbuf_free(struct mbuf *b);

#endif /* OFFMIG_MANIFEST_H */
