/*
 * regexport.h - keys and values as regedit writes them (.reg text), as JSON
 * documents, and regedit's files read back into a hive being built.
 *
 * The .reg text is what Windows' Registry Editor writes with File > Export
 * ("Registration Files"), so that regedit, reg.exe import and offmig's own
 * parser read it back to the same data:
 *
 *   Windows Registry Editor Version 5.00		header, then a blank line
 *   [PREFIX\Path\Of\Key]				one section per key,
 *   @="default value"				depth first, in the order of
 *   "Name"="text"					the hive's subkey lists;
 *   "Count"=dword:0000002a				values in the order of the
 *   "Big"=hex(b):2a,00,00,00,00,00,00,00		key's value list; a blank
 *							line after each section
 *
 * REG_SZ is "text" with \ and " escaped; REG_DWORD of 4 bytes is dword:
 * with 8 lowercase hex digits; everything else is hex: (REG_BINARY) or
 * hex(N): with N the type in lowercase hex (hex(0) REG_NONE, hex(2)
 * REG_EXPAND_SZ, hex(7) REG_MULTI_SZ, hex(b) REG_QWORD, hex(20000)...).
 * Bytes are lowercase, comma separated; after each comma, once the line has
 * reached 77 characters (UTF-16 units, counted from the start of the
 * value's line), regedit ends it with "\" and goes on in a line indented by
 * two spaces: 25 bytes to a continuation line.
 *
 * Where regedit's own output would not read back to the same bytes, the
 * exporter writes hex(1): instead of "text": a REG_SZ of odd length, without
 * its terminating NUL, with anything after the first NUL, with a lone
 * surrogate, or holding a CR or LF (regedit writes those raw, which breaks
 * the line structure of the file).  A REG_DWORD that is not 4 bytes is
 * hex(4):.
 *
 * Names that no .reg file can carry are left out, with a warning through
 * the context's log (so the CLI can exit 1): key names that are empty or
 * hold '\' (the path separator), CR or LF, and value names holding CR or
 * LF.  Key names with ']' need nothing: the key is up to the last ']' of
 * the line.
 */
#ifndef OFFMIG_REGEXPORT_H
#define OFFMIG_REGEXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hive/hive.h"

enum regexport_enc {
	/*
	 * regedit's own form: byte order mark FF FE, UTF-16LE, CRLF line
	 * ends.  Names with lone surrogates are written back as the code
	 * units the hive holds.
	 */
	REGEXPORT_UTF16,
	/*
	 * The same text in UTF-8 without a byte order mark and with LF line
	 * ends, for reading, grep and diff on the host: it is the UTF-16 form
	 * through iconv and dos2unix.  Lone surrogates appear as WTF-8 (three
	 * bytes each), so nothing is lost, but such a file is not valid
	 * UTF-8.  Line wrapping is the same as in the UTF-16 form (it counts
	 * UTF-16 units).
	 */
	REGEXPORT_UTF8
};

struct regexport_opts {
	/*
	 * What key paths start with, e.g. "HKEY_LOCAL_MACHINE\\SOFTWARE":
	 * the hive's root key is "[prefix]", its subkeys "[prefix\\Sub]".
	 * NULL or "" uses the name stored in the root key itself.
	 */
	const char		*root_prefix;
	enum regexport_enc	 enc;
	int			 recursive;	/* 0: the key alone */
};

/*
 * Writes key (0: the root) and, when o->recursive, all keys below it to fp
 * as a complete .reg file: header, sections, final blank line.  Damaged
 * subkey or value lists, unreadable values and names no .reg file can
 * carry are skipped and reported through ctx_log() as warnings; the export
 * goes on.  A key reached twice (a loop in a damaged hive) is written
 * once.  Returns OFFMIG_OK, OFFMIG_ENOMEM, OFFMIG_EINVAL (bad options) or
 * OFFMIG_EIO when fp cannot be written.
 */
int		hive_export_reg(struct offmig_ctx *ctx, struct hive *h,
		    hnode key, const struct regexport_opts *o, FILE *fp);

/*
 * Adds key (0: the root) as an object pushed onto the array parent of doc:
 *   { "name", "path" (from the root, '\\' separated, "" for the root),
 *     "last_write" (ISO 8601 or null),
 *     "values": [ { "name" ("" for the default), "type" ("REG_SZ", ...,
 *                   or "0x20000" for a type without a name), "size",
 *                   "data" } ],
 *     "subkeys": [ ...the same objects... ] }
 * data is decoded when it is what its type says: a string (REG_SZ,
 * REG_EXPAND_SZ, REG_LINK), an integer (REG_DWORD and
 * REG_DWORD_BIG_ENDIAN of 4 bytes, REG_QWORD of 8 up to 2^63-1), an array
 * of strings (REG_MULTI_SZ).  Other types, and data that does not fit its
 * type, are a lowercase hex string; the latter also get "raw": true.
 * Without recursive, the subkeys are listed with name, path and
 * last_write only.  Problems are handled as in hive_export_reg().
 */
int		hive_export_json(struct offmig_ctx *ctx, struct hive *h,
		    hnode key, int recursive, struct offmig_doc *doc,
		    struct offmig_node *parent);

/*
 * One value's data as the right-hand side of its .reg line ("text" with
 * quotes, dword:0000002a, hex(2):25,00,...), on one line (no wrapping), in
 * UTF-8.  Returns a string the caller must free(), or NULL when out of
 * memory.
 */
char		*regexport_value_text(uint32_t type, const void *data,
		    size_t len);

/*
 * The name of a value type ("REG_SZ") or, for a type without one, "0x" and
 * its number in lowercase hex, written into buf (at least 32 bytes).
 * Returns buf.
 */
const char	*regexport_type_name(uint32_t type, char *buf, size_t size);

/*
 * Reads a .reg file into the hive being built, like hive_builder_apply_reg()
 * (which is this with prefix NULL), accepting everything regedit writes and
 * reads: UTF-16LE with its byte order mark, UTF-8 with or without one, and
 * REGEDIT4 files in the ANSI code page (taken as Windows-1252 when they are
 * not valid UTF-8; their hex(1), hex(2) and hex(7) bytes are widened to
 * UTF-16 as regedit does); CR LF or LF; the header lines; "\" continuation
 * lines; "; comments"; dword:/hex(N): in any letter case; "[-Key]" deletes
 * a key and everything below it and "name"=- (or @=-) deletes a value;
 * deleting what does not exist does nothing.  offmig's own extensions stay:
 * qword:, expand:"...", multi:"a","b".  Unlike regedit, which appends a NUL
 * to hex(1)/hex(2)/hex(7) data lacking one, the bytes are stored as
 * written, so an export reads back to the same data.
 *
 * prefix, when not NULL, is the part of every key path that names the
 * hive's root ("HKEY_LOCAL_MACHINE\\SOFTWARE"); it is compared as Windows
 * compares names and removed, and a key outside it is an error.  With
 * prefix NULL, a first component starting with "HKEY_" is dropped.
 * Errors are OFFMIG_EINVAL (or the builder's) with a "file:line: " message.
 */
int		hive_builder_apply_reg_prefix(struct hive_builder *b,
		    const char *text, size_t len, const char *filename,
		    const char *prefix);

#endif /* OFFMIG_REGEXPORT_H */
