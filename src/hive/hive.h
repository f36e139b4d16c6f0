/*
 * hive.h - internal access to registry hives.  src/hive is the only part of
 * liboffmig that includes <hivex.h>; the rest sees struct hive and node ids.
 *
 * Reading: hive_open_fd() takes a descriptor already resolved safely under
 * the volume (vpath_resolve) and never writes anything.  Lookups follow
 * Windows' rules: names are compared with wstrcasecmp(), not ASCII-only as
 * hivex does.  Values are decoded by offmig, not hivex, so odd lengths,
 * missing terminators, wrong types and lone surrogates are handled the same
 * way everywhere.
 *
 * Writing (fixtures, and later the safe writer): hive_create_empty() writes a
 * fresh minimal hive, hive_build_*() fill it through hivex.
 */
#ifndef OFFMIG_HIVE_H
#define OFFMIG_HIVE_H

#include <stddef.h>
#include <stdint.h>

#include "offmig.h"

/* A key in an open hive: hivex's node handle (an offset); 0 is "none". */
typedef size_t hnode;

/* Registry value types. */
enum reg_type {
	REG_NONE = 0, REG_SZ = 1, REG_EXPAND_SZ = 2, REG_BINARY = 3,
	REG_DWORD = 4, REG_DWORD_BIG_ENDIAN = 5, REG_LINK = 6,
	REG_MULTI_SZ = 7, REG_RESOURCE_LIST = 8,
	REG_FULL_RESOURCE_DESCRIPTOR = 9, REG_RESOURCE_REQUIREMENTS_LIST = 10,
	REG_QWORD = 11
};

/*
 * The base block ("regf", the first 4096 bytes of a primary hive or the
 * first 512 of a log), as parsed by regf_parse().
 */
struct regf_info {
	uint32_t	seq1;		/* 0x04 primary sequence number */
	uint32_t	seq2;		/* 0x08 secondary sequence number */
	uint64_t	last_written;	/* 0x0C FILETIME */
	uint32_t	major;		/* 0x14 major version (1) */
	uint32_t	minor;		/* 0x18 minor version (3..6) */
	uint32_t	file_type;	/* 0x1C 0 primary, 1/2 old log, 6 new log */
	uint32_t	file_format;	/* 0x20 1 = direct memory load */
	uint32_t	root_offset;	/* 0x24 root key cell, from 0x1000 */
	uint32_t	hbins_size;	/* 0x28 hive bins data size */
	uint32_t	clustering;	/* 0x2C clustering factor */
	char		file_name[200];	/* 0x30 64 UTF-16LE bytes, as UTF-8 */
	uint32_t	checksum;	/* 0x1FC stored */
	uint32_t	checksum_calc;	/* computed with Windows' fix-ups */
	int		checksum_ok;
	int		dirty;		/* seq1 != seq2 or bad checksum */
};

/* Size of the base block. */
#define REGF_BASE_BLOCK	4096

/*
 * Parses a base block of len bytes (>= 512).  Returns OFFMIG_OK, or
 * OFFMIG_ECORRUPT when the signature is not "regf" (no message is set: the
 * caller names the file).
 */
int		regf_parse(const void *buf, size_t len, struct regf_info *info);
/* XOR of the first 127 dwords, with Windows' fix-ups (0 -> 1, ~0 -> ~1). */
uint32_t	regf_checksum(const void *buf);
/*
 * Rewrites the sequence numbers of the base block in buf and its checksum
 * (fixtures use it to make a dirty hive).
 */
void		regf_set_sequences(void *buf, uint32_t seq1, uint32_t seq2);

/* Transaction log files found beside a hive. */
struct hive_log {
	char		*name;		/* stored name, e.g. "ntuser.dat.LOG1" */
	char		*host_path;	/* path as given to hive_find_logs + name */
	uint64_t	 size;
	int		 format;	/* 0 unknown/empty, 1 old (DIRT), 2 new (HvLE) */
	uint32_t	 seq1;		/* its base block's sequence numbers */
	uint32_t	 seq2;
};

/*
 * Finds <hivename>.LOG, .LOG1 and .LOG2 (case-insensitively) in the open
 * directory dirfd.  On success *logsp is an array of *nlogsp entries to be
 * released with hive_logs_free().  dir_host names the directory in
 * host_path.  No log is not an error.
 */
int		hive_find_logs(struct offmig_ctx *ctx, int dirfd,
		    const char *dir_host, const char *hivename,
		    struct hive_log **logsp, size_t *nlogsp);
void		hive_logs_free(struct hive_log *logs, size_t nlogs);

struct hive;

enum hive_open_flags {
	HIVE_OPEN_WRITE = 1 << 0,	/* hive_create/hive_build only */
	HIVE_OPEN_NO_LOGS = 1 << 1	/* read a dirty hive as it is */
};

/*
 * Opens the hive in fd (which it does not take: the caller still closes it)
 * read-only.  name is how messages name the file (its host path).  The base
 * block is parsed first: a file that is not a hive, or that hivex refuses,
 * gives OFFMIG_ECORRUPT with a message saying what is wrong.  A dirty hive
 * opens and says so in hive_info().  On success *hp must be closed with
 * hive_close().
 */
int		hive_open_fd(struct offmig_ctx *ctx, int fd, const char *name,
		    struct hive **hp);
/*
 * Opens the hive in fd as Windows would load it: a dirty hive (sequence
 * numbers apart, bad checksum, damaged base block) is replayed with the
 * transaction logs found beside it (base in the directory dirfd, named
 * dir_host in messages) into an anonymous memory file that hivex reads;
 * nothing on the disk is written.  hive_info() still describes the file on
 * the disk, hive_replay_info() what the logs held and what was applied.
 * When no log applies, the primary is read as it is (and
 * hive_replay_info() says why).  dirfd < 0 or HIVE_OPEN_NO_LOGS in flags
 * give hive_open_fd().
 */
int		hive_open_logs(struct offmig_ctx *ctx, int fd, const char *name,
		    int dirfd, const char *dir_host, const char *base,
		    unsigned flags, struct hive **hp);
/* 1 when the base block in fd is dirty or damaged, 0 clean, -1 unreadable. */
int		hive_fd_dirty(int fd);
struct replay_result;
/* The replay of a hive opened by hive_open_logs(), or NULL if clean. */
const struct replay_result *hive_replay_info(const struct hive *h);
/* The same from a host path (opened O_RDONLY|O_NOFOLLOW). */
int		hive_open_path(struct offmig_ctx *ctx, const char *path,
		    struct hive **hp);
void		hive_close(struct hive *h);		/* NULL ok */
const char	*hive_name(const struct hive *h);
const struct regf_info *hive_info(const struct hive *h);
uint64_t	hive_file_size(const struct hive *h);
hnode		hive_root(const struct hive *h);

/*
 * Finds the key at path ("Microsoft\\Windows NT\\CurrentVersion"; '\\'
 * separated, empty or "\\" is the start key) below from (0: the root).
 * OFFMIG_ENOTFOUND when a component is missing (no message is set; callers
 * decide whether a missing key is a problem).
 */
int		hive_lookup(struct offmig_ctx *ctx, struct hive *h, hnode from,
		    const char *path, hnode *out);
/*
 * Subkeys of a key.  On success *kidsp is an array of *np ids the caller must
 * free() (may be NULL when *np is 0).  A damaged subkey list gives
 * OFFMIG_ECORRUPT with a message naming the hive and key.
 */
int		hive_children(struct offmig_ctx *ctx, struct hive *h, hnode n,
		    hnode **kidsp, size_t *np);
/* Name of a key as UTF-8 (caller frees), NULL on error (message set). */
char		*hive_key_name(struct offmig_ctx *ctx, struct hive *h, hnode n);
/* Last write time of a key, Unix seconds, or NO_TIME. */
int64_t		hive_key_mtime(struct hive *h, hnode n);
/* Full path of a key from the root, '\\' separated (caller frees), or NULL. */
char		*hive_key_path(struct offmig_ctx *ctx, struct hive *h, hnode n);

/*
 * Values.  name "" is the default value.  Each getter returns
 * OFFMIG_ENOTFOUND (no message) when the value is absent, OFFMIG_ECORRUPT
 * (message names hive, key and value) when it cannot be read, and
 * OFFMIG_EINVAL (message set) when its type or size does not fit.
 */
int		hive_value_type(struct offmig_ctx *ctx, struct hive *h,
		    hnode key, const char *name, uint32_t *typep, size_t *lenp);
/* Raw data; *datap is malloc'd (caller frees), *lenp its size. */
int		hive_get_raw(struct offmig_ctx *ctx, struct hive *h, hnode key,
		    const char *name, uint32_t *typep, void **datap, size_t *lenp);
/*
 * A string: REG_SZ, REG_EXPAND_SZ, REG_LINK, or REG_BINARY/REG_NONE holding
 * UTF-16LE text, decoded with utf16le_to_utf8 (stops at the first NUL).
 * *typep (when typep != NULL) gets the stored type.  Caller frees *sp.
 */
int		hive_get_string(struct offmig_ctx *ctx, struct hive *h,
		    hnode key, const char *name, char **sp, uint32_t *typep);
/*
 * A number: REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_QWORD, or REG_BINARY of 4
 * or 8 bytes; a REG_SZ of decimal digits is accepted too.
 */
int		hive_get_dword(struct offmig_ctx *ctx, struct hive *h,
		    hnode key, const char *name, uint32_t *vp);
int		hive_get_qword(struct offmig_ctx *ctx, struct hive *h,
		    hnode key, const char *name, uint64_t *vp);
/*
 * REG_MULTI_SZ as a NULL-terminated array of strings, the trailing empty
 * string of a well-terminated value dropped.  Free with hive_strv_free().
 */
int		hive_get_multi(struct offmig_ctx *ctx, struct hive *h,
		    hnode key, const char *name, char ***vp);
void		hive_strv_free(char **v);
/*
 * Reads several values of one key in a single pass over its value list
 * (hivex converts every name it compares, so n separate lookups cost n
 * passes).  out[i] describes names[i]: present, type and malloc'd data.
 * Release with hive_vals_release().  A damaged value list gives
 * OFFMIG_ECORRUPT; a value whose data cannot be read is left absent.
 */
struct hive_val {
	int		 present;
	uint32_t	 type;
	void		*data;
	size_t		 len;
};
int		hive_get_values(struct offmig_ctx *ctx, struct hive *h,
		    hnode key, const char *const *names, size_t n,
		    struct hive_val *out);
void		hive_vals_release(struct hive_val *v, size_t n);
/* Decoders of such values, with the rules of hive_get_string/qword. */
int		hive_val_string(const struct hive_val *v, char **sp);
int		hive_val_qword(const struct hive_val *v, uint64_t *vp);

/* Names of all values of a key (NULL-terminated, free with hive_strv_free). */
int		hive_value_names(struct offmig_ctx *ctx, struct hive *h,
		    hnode key, char ***namesp);

/*
 * All values of a key in the order of its value list, read in one pass:
 * name (UTF-8; lone surrogates kept as WTF-8), type and raw data.  On
 * success *valsp is an array of *np entries (NULL when *np is 0) to be
 * released with hive_rawvals_free().  A value whose name or data cannot be
 * read is left out and counted in *nbadp (exporters warn about it).  A
 * damaged value list gives OFFMIG_ECORRUPT with a message naming the key.
 */
struct hive_rawval {
	char		*name;
	uint32_t	 type;
	void		*data;
	size_t		 len;
};
int		hive_key_values(struct offmig_ctx *ctx, struct hive *h,
		    hnode key, struct hive_rawval **valsp, size_t *np,
		    size_t *nbadp);
void		hive_rawvals_free(struct hive_rawval *v, size_t n);

/*
 * Building hives (fixtures; never used on a volume's own hives).
 *
 * hive_create_empty() writes to path a new hive: a base block (version 1.3,
 * clean, checksum right) and one 4 KiB bin holding a root key named
 * root_name with a security descriptor.  Existing files are replaced
 * atomically (temp file + rename).
 */
int		hive_create_empty(struct offmig_ctx *ctx, const char *path,
		    const char *root_name);

/*
 * Rewrites the sequence numbers (and checksum) of the hive at path, through
 * a temporary copy renamed over it; fixtures use it to make a dirty hive.
 */
int		hive_file_set_sequences(struct offmig_ctx *ctx,
		    const char *path, uint32_t seq1, uint32_t seq2);

struct hive_builder;

/* Opens a hive made by hive_create_empty() for writing through hivex. */
int		hive_builder_open(struct offmig_ctx *ctx, const char *path,
		    struct hive_builder **bp);
/*
 * Creates (or finds) the key at path below the root, creating the
 * missing components, and returns it.
 */
int		hive_builder_key(struct hive_builder *b, const char *path,
		    hnode *out);
/*
 * Sets the values of key in one call (hivex rewrites a key's value list on
 * every change, so callers gather all of a key's values first).  Values
 * already set on the key and not named are kept.
 */
struct hive_value {
	const char	*name;		/* "" for the default value */
	uint32_t	 type;		/* enum reg_type, or any number */
	const void	*data;
	size_t		 len;
};
int		hive_builder_set(struct hive_builder *b, hnode key,
		    const struct hive_value *vals, size_t n);
/*
 * Applies a .reg-like text (see tests/fixtures/README and offmig-hive(1)):
 * "[Key\\Path]" sections, "name"=value lines with "string", dword:, qword:,
 * hex:, hex(N):, expand:"...", multi:"a","b", @ for the default value, ';'
 * comments and '\\' line continuations.  Keys are relative to the root;
 * a leading HKEY_* component is dropped.  Errors name file:line.  It reads
 * regedit's own files too (UTF-16LE, REGEDIT4, [-key] and "name"=-
 * deletions): see hive_builder_apply_reg_prefix() in hive/regexport.h.
 */
int		hive_builder_apply_reg(struct hive_builder *b, const char *text,
		    size_t len, const char *filename);
/* Writes the hive (temp file + fsync + rename) and frees the builder. */
int		hive_builder_commit(struct hive_builder *b);
/* Frees the builder without writing; NULL ok. */
void		hive_builder_abort(struct hive_builder *b);

#endif /* OFFMIG_HIVE_H */
