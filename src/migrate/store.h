/*
 * store.h - the hard-link migration store (issue 5): create a store of hard
 * links (or copies) of the objects a plan selects, with an append-only,
 * sealed manifest; read, list and verify it.  docs/STORE-FORMAT.md
 * describes the layout and the manifest format.
 *
 * The declarations down to store_fault() are the interface agreed between
 * the helpers writing create and restore (/work/briefs/store-api.md); they
 * do not change.  What follows them is added.
 */
#ifndef OFFMIG_STORE_H
#define OFFMIG_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "offmig.h"

/* Flags of store_create_begin(). */
#define STORE_COPY	(1u << 0)	/* copy the files instead of linking them */

struct store;                       /* an open store */
struct store_object {               /* one object to capture */
	const char *winpath, *host_path; /* as in walk_entry */
	const char *sid, *folder, *component, *rule;  /* may be NULL */
	const struct stat *st;
};
int  store_create_begin(struct offmig_ctx *ctx, int vol_rootfd, const char *volroot,
         const char *storepath, unsigned flags /* STORE_COPY */, const char *computer,
         const char *windows, struct store **sp);  /* resumes an interrupted create */
int  store_add(struct store *s, const struct store_object *o);   /* link + record; idempotent */
int  store_add_registry(struct store *s, const char *sid, const char *regtext, size_t len);
int  store_user(struct store *s, const char *sid, const char *user, const char *profile_path,
         const char *status, const char *problems);
int  store_create_end(struct store *s, struct offmig_doc **summaryp); /* seal, fsync, close */
void store_abort(struct store *s);
/* Reading */
struct manifest_reader;
struct manifest_record { char kind; uint64_t seq; char *winpath, *host_path, *store_path, *sid,
	*folder, *component, *rule; uint64_t size; int64_t mtime_ns; uint64_t ino, nlink;
	uint32_t mode; char *attrs; };
int  manifest_open(struct offmig_ctx *ctx, int storefd, const char *name, struct manifest_reader **rp);
int  manifest_next(struct manifest_reader *r, struct manifest_record *rec); /* 1 rec, 0 end, <0 err */
int  manifest_sealed(const struct manifest_reader *r);   /* valid after 0 from next */
void manifest_close(struct manifest_reader *r);
/* Fault injection for tests: OFFMIG_FAULT=<step>:<n> in the environment makes the n-th
   occurrence of the named step ("link", "record", "fsync", "rename", "unlink", "mkdir")
   fail or, with OFFMIG_FAULT_KILL=1, _exit(99) — one function store_fault(const char *step). */
int  store_fault(const char *step);

/*
 * Additions (not part of the agreed block above).
 *
 * Record kinds as manifest_next() returns them in rec->kind: 'f', 'd', 'r'
 * for O records (the object's kind), 'U' for a user record.  For a 'U'
 * record the fields are reused: sid, winpath = user name, host_path =
 * profile path, folder = status, component = problems, size = bytes,
 * seq = object count; the other strings are "" and numbers 0.  Strings are
 * owned by the reader and valid until the next manifest_next() or
 * manifest_close().
 */
#define STORE_MANIFEST		"manifest"
#define STORE_HEADER		"offmig-store.ini"
#define STORE_JOURNAL		"journal"
#define STORE_FILES_DIR		"files"
#define STORE_REGISTRY_DIR	"registry"
#define MANIFEST_MAX_LINE	(64 * 1024)	/* longer lines are an error */

/*
 * Fields of the manifest's first line and seal, valid once read:
 * manifest_id() after manifest_open() (borrowed, owned by the reader),
 * the seal's counts after manifest_next() returned 0 on a sealed manifest.
 */
const char *manifest_id(const struct manifest_reader *r);
uint64_t manifest_seal_objects(const struct manifest_reader *r);
uint64_t manifest_seal_bytes(const struct manifest_reader *r);

/*
 * Escaping of one manifest field: bytes 0x00-0x1F, 0x7F, '%' and every byte
 * of an invalid UTF-8 sequence become %XX (upper-case hex).  Returns a string
 * the caller must free(), or NULL on ENOMEM.  manifest_unescape() reverses
 * it into a NUL-terminated string of *outlen bytes (which may hold NULs
 * itself) the caller frees; -1 on a bad escape (a '%' not followed by two
 * hex digits, or a raw byte that must have been escaped), -2 on ENOMEM.
 */
char *manifest_escape(const char *s, size_t len);
int  manifest_unescape(const char *s, size_t len, char **outp, size_t *outlen);

/*
 * Forgets the OFFMIG_FAULT occurrences counted so far (tests that run
 * several creates in one process with the same OFFMIG_FAULT).
 */
void store_fault_reset(void);

/*
 * The header, STORE/offmig-store.ini (at most 64 KiB), read and checked:
 * format 1, a 32-hex-digit id, mode hardlink or copy, volume and
 * volume_dev present; fields unescaped.  OFFMIG_ENOTFOUND when there is no
 * header, OFFMIG_ECORRUPT naming the file and line otherwise.  Release
 * with store_header_release() (also after a failure: it is then empty).
 */
struct store_header {
	char	*id, *mode, *volume, *volume_dev, *format;
};
int  store_header_read(struct offmig_ctx *ctx, int storefd,
         const char *storepath, struct store_header *h);
void store_header_release(struct store_header *h);

/* Flags of store_verify(). */
#define STORE_VERIFY_HASH	(1u << 0)	/* compare contents with the volume's */

/*
 * Checks a store: complete (sealed, seal checksum and counts right), and
 * for each record the store file exists with the inode, size and mtime
 * recorded (copy stores: size and mtime); with STORE_VERIFY_HASH, the
 * SHA-256 of the store file's content equals that of the file at host_path
 * under the volume the header names (volume=) when both exist.  The report (caller
 * frees with offmig_doc_free()): "verify" {"store", "id", "mode",
 * "complete", "objects", "bytes", "ok", "problems"[] {"seq", "store_path",
 * "winpath", "problem", "detail"}, "counts" {...}}.  A store with problems
 * still returns OFFMIG_OK (the report says what is wrong; problems are
 * logged through the context as errors); a manifest that cannot be read
 * returns OFFMIG_ECORRUPT with the file:line message.
 */
int  store_verify(struct offmig_ctx *ctx, const char *storepath,
         unsigned flags, struct offmig_doc **docp);

/*
 * Streams the records of STORE's manifest to fn, in order; fn returns 0 to
 * go on, anything else to stop (then store_list returns that value).  On
 * OFFMIG_OK *sealedp (when not NULL) says whether the manifest was sealed.
 */
typedef int store_list_fn(void *arg, const struct manifest_record *rec);
int  store_list(struct offmig_ctx *ctx, const char *storepath,
         store_list_fn *fn, void *arg, int *sealedp);

#endif /* OFFMIG_STORE_H */
