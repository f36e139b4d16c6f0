/*
 * build.c - writing new hives: the smallest valid hive, written from the
 * format description (hivex cannot create one), then filled through hivex,
 * and the .reg-like text format the fixtures are written in.
 *
 * Only files offmig creates itself are written here, always to a temporary
 * name, synced and renamed into place.  A volume's own hives are never
 * opened for writing by this code.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "hive/hive.h"
#include "hive/writer.h"
#include "hive/regexport.h"

/* 2024-01-01T00:00:00Z as a FILETIME: fixtures are reproducible. */
#define FIXED_FILETIME	133485408000000000ULL
/* hivex allocates at most this much in one cell. */
#define MAX_VALUE_LEN	(1000 * 1000 - 64)

/*
 * A self-relative security descriptor: owner and group BUILTIN\Administrators,
 * a DACL granting Everyone KEY_ALL_ACCESS, inherited by subkeys.
 */
static const unsigned char default_sd[80] = {
	/* revision, sbz1, control = SELF_RELATIVE | DACL_PRESENT */
	0x01, 0x00, 0x04, 0x80,
	/* owner at 20, group at 36, no SACL, DACL at 52 */
	0x14, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x00,
	/* S-1-5-32-544 */
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x20, 0x00, 0x00, 0x00, 0x20, 0x02, 0x00, 0x00,
	/* S-1-5-32-544 */
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x20, 0x00, 0x00, 0x00, 0x20, 0x02, 0x00, 0x00,
	/* ACL: revision 2, size 28, one ACE */
	0x02, 0x00, 0x1C, 0x00, 0x01, 0x00, 0x00, 0x00,
	/* ACCESS_ALLOWED, OBJECT|CONTAINER_INHERIT, size 20, KEY_ALL_ACCESS */
	0x00, 0x03, 0x14, 0x00, 0x3F, 0x00, 0x0F, 0x00,
	/* S-1-1-0 */
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00
};

static void
put_le16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void
put_le64(unsigned char *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Writes len bytes to a new file at path (temp file, fsync, rename). */
static int
write_atomic(struct offmig_ctx *ctx, const char *path, const void *buf,
    size_t len)
{
	char *tmp = str_printf("%s.tmp%ld", path, (long)getpid());
	int fd, ret = OFFMIG_OK;

	if (tmp == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
		free(tmp);
		return ret;
	}
	if (io_write_all(fd, buf, len) != 0)
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
	if (ret == OFFMIG_OK && fsync(fd) != 0)
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
	if (close(fd) != 0 && ret == OFFMIG_OK)
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
	if (ret == OFFMIG_OK && rename(tmp, path) != 0)
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", path);
	if (ret != OFFMIG_OK)
		unlink(tmp);
	free(tmp);
	return ret;
}

int
hive_create_empty(struct offmig_ctx *ctx, const char *path,
    const char *root_name)
{
	unsigned char *buf;
	unsigned char *bin, *nk, *sk;
	size_t nlen = strlen(root_name), i;
	uint32_t nk_size, sk_off, free_off;
	int ret;

	if (nlen == 0 || nlen > 255)
		return ctx_set_error(ctx, OFFMIG_EINVAL, 0,
		    "%s: root key name must have 1 to 255 characters", path);
	for (i = 0; i < nlen; i++)
		if ((unsigned char)root_name[i] < 0x20 ||
		    (unsigned char)root_name[i] >= 0x80)
			return ctx_set_error(ctx, OFFMIG_EINVAL, 0,
			    "%s: root key name must be printable ASCII", path);
	if ((buf = calloc(1, 8192)) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);

	/* Base block. */
	memcpy(buf, "regf", 4);
	/* Sequence numbers equal: clean. */
	put_le32(buf + 0x04, 1);
	put_le32(buf + 0x08, 1);
	put_le64(buf + 0x0C, FIXED_FILETIME);
	put_le32(buf + 0x14, 1);		/* version 1.3 */
	put_le32(buf + 0x18, 3);
	put_le32(buf + 0x1C, 0);		/* primary file */
	put_le32(buf + 0x20, 1);		/* direct memory load */
	put_le32(buf + 0x24, 0x20);		/* root cell offset */
	put_le32(buf + 0x28, 4096);		/* hive bins data size */
	put_le32(buf + 0x2C, 1);		/* clustering factor */
	for (i = 0; i < nlen && i < 31; i++)	/* file name, UTF-16LE */
		put_le16(buf + 0x30 + 2 * i, (unsigned char)root_name[i]);

	/* One hive bin. */
	bin = buf + 4096;
	memcpy(bin, "hbin", 4);
	put_le32(bin + 0x04, 0);		/* offset from the first bin */
	put_le32(bin + 0x08, 4096);		/* size */
	put_le64(bin + 0x14, FIXED_FILETIME);

	/* The root key: a 4-byte cell size, then the 76-byte nk record. */
	nk_size = (uint32_t)((4 + 76 + nlen + 7) / 8 * 8);
	sk_off = 0x20 + nk_size;
	nk = bin + 0x20;
	/* Cells in use have a negative size. */
	put_le32(nk, (uint32_t)-(int32_t)nk_size);
	memcpy(nk + 4, "nk", 2);
	/* KEY_HIVE_ENTRY | KEY_NO_DELETE | KEY_COMP_NAME */
	put_le16(nk + 6, 0x2C);
	put_le64(nk + 8, FIXED_FILETIME);
	put_le32(nk + 0x14, 0);			/* parent: none */
	put_le32(nk + 0x18, 0);			/* subkeys */
	put_le32(nk + 0x1C, 0);			/* volatile subkeys */
	put_le32(nk + 0x20, 0xFFFFFFFF);	/* subkey list */
	put_le32(nk + 0x24, 0xFFFFFFFF);	/* volatile subkey list */
	put_le32(nk + 0x28, 0);			/* values */
	put_le32(nk + 0x2C, 0xFFFFFFFF);	/* value list */
	put_le32(nk + 0x30, sk_off);		/* security */
	put_le32(nk + 0x34, 0xFFFFFFFF);	/* class name */
	put_le16(nk + 0x4C, (uint16_t)nlen);	/* name length */
	memcpy(nk + 0x50, root_name, nlen);

	/* The security cell, linked to itself: the only sk of the hive. */
	sk = bin + sk_off;
	put_le32(sk, (uint32_t)-(int32_t)(4 + 20 + sizeof(default_sd)));
	memcpy(sk + 4, "sk", 2);
	put_le32(sk + 8, sk_off);		/* flink */
	put_le32(sk + 12, sk_off);		/* blink */
	put_le32(sk + 16, 1);			/* reference count */
	put_le32(sk + 20, sizeof(default_sd));
	memcpy(sk + 24, default_sd, sizeof(default_sd));

	/* The rest of the bin is one free cell (positive size). */
	free_off = sk_off + 4 + 20 + (uint32_t)sizeof(default_sd);
	put_le32(bin + free_off, 4096 - free_off);

	put_le32(buf + 0x1FC, regf_checksum(buf));
	ret = write_atomic(ctx, path, buf, 8192);
	free(buf);
	return ret;
}

int
hive_file_set_sequences(struct offmig_ctx *ctx, const char *path,
    uint32_t seq1, uint32_t seq2)
{
	unsigned char buf[65536];
	struct regf_info info;
	char *tmp = NULL;
	int in = -1, out = -1, ret = OFFMIG_OK;
	off_t off = 0;

	if ((tmp = str_printf("%s.tmp%ld", path, (long)getpid())) == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
	if ((in = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		ret = ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", path);
		goto out;
	}
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
		goto out;
	}
	for (;;) {
		ssize_t n = pread(in, buf, sizeof(buf), off), w;
		size_t done;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", path);
			goto out;
		}
		if (n == 0)
			break;
		if (off == 0) {
			/* The first read of a regular file gets 4096 bytes. */
			if (n < REGF_BASE_BLOCK ||
			    regf_parse(buf, (size_t)n, &info) != OFFMIG_OK) {
				ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
				    "%s: not a registry hive (no regf "
				    "signature)", path);
				goto out;
			}
			regf_set_sequences(buf, seq1, seq2);
		}
		for (done = 0; done < (size_t)n; done += (size_t)w) {
			w = write(out, buf + done, (size_t)n - done);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0) {
				ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
				    "%s", tmp);
				goto out;
			}
		}
		off += n;
	}
	if (off == 0) {
		ret = ctx_set_error(ctx, OFFMIG_ECORRUPT, 0,
		    "%s: not a registry hive (no regf signature)", path);
		goto out;
	}
	if (fsync(out) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
		goto out;
	}
	if (close(out) != 0) {
		out = -1;
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
		goto out;
	}
	out = -1;
	if (rename(tmp, path) != 0)
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", path);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (ret != OFFMIG_OK)
		unlink(tmp);
	free(tmp);
	return ret;
}

int
hive_builder_open(struct offmig_ctx *ctx, const char *path,
    struct hive_builder **bp)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int dfd, ret;

	*bp = NULL;
	/* The fixture goes through the safe writer's commit like any hive. */
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ret = ctx_set_error(ctx, errno == ENOENT ? OFFMIG_ENOTFOUND :
		    OFFMIG_EIO, errno, "%s", dir);
		free(dir);
		return ret;
	}
	ret = hive_writer_open(ctx, dfd, dir, slash != NULL ? slash + 1 : path,
	    HIVE_WRITER_FIXTURE, bp);
	close(dfd);
	free(dir);
	return ret;
}

void
hive_builder_abort(struct hive_builder *b)
{
	size_t i;

	if (b == NULL)
		return;
	if (b->h != NULL)
		hivex_close(b->h);
	if (b->dirfd >= 0)
		close(b->dirfd);
	for (i = 0; i < b->nkeys; i++)
		free(b->keys[i]);
	free(b->keys);
	free(b->added);
	free(b->orig);
	free(b->backup);
	free(b->name);
	free(b->path);
	free(b);
}

int
hive_builder_commit(struct hive_builder *b)
{
	return hive_writer_commit(b, NULL);
}

/* Number of characters of a UTF-8 string (continuation bytes skipped). */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Windows' limits: key names 255 characters, value names 16383. */
#define MAX_KEY_NAME	255
#define MAX_VALUE_NAME	16383

/* Largest value data in one cell of a version 1.4+ hive. */
#define MAX_CELL_DATA	16344

/* Path of a key for messages (caller frees), NULL when unknown. */
static char *
builder_key_path(struct hive_builder *b, hive_node_h n)
{
	char *path = NULL, *name, *tmp;
	int depth;

	for (depth = 0; depth < 512 && n != hivex_root(b->h); depth++) {
		if ((name = hivex_node_name(b->h, n)) == NULL)
			break;
		tmp = path == NULL ? strdup(name) :
		    str_printf("%s\\%s", name, path);
		free(name);
		free(path);
		if ((path = tmp) == NULL)
			return NULL;
		if ((n = hivex_node_parent(b->h, n)) == 0)
			break;
	}
	return path != NULL ? path : strdup("");
}

/* Finds a child by Windows name comparison among all children. */
static hive_node_h
builder_child(struct hive_builder *b, hive_node_h n, const char *name)
{
	hive_node_h *kids, found = 0;
	size_t i;

	if ((kids = hivex_node_children(b->h, n)) == NULL)
		return 0;
	for (i = 0; kids[i] != 0 && found == 0; i++) {
		char *kn = hivex_node_name(b->h, kids[i]);

		if (kn != NULL && wstrcasecmp(kn, name) == 0)
			found = kids[i];
		free(kn);
	}
	free(kids);
	return found;
}

/*
 * Adds the child name under parent.  hivex hashes and sorts the subkey
 * list by ASCII-only rules; the commit fixes the lists of the parents
 * noted here (writer.c), which needs every non-ASCII name to have a
 * Windows hash offmig knows.
 */
static int
builder_add(struct hive_builder *b, hive_node_h parent, const char *name,
    const char *path, hive_node_h *out)
{
	struct hive_added *tmp;
	uint32_t hash;

	if (hive_name_hash(name, &hash) != 0)
		return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
		    "%s: key name '%s' in '%s' has characters whose Windows "
		    "upper case offmig does not know; not written", b->path,
		    name, path);
	if ((tmp = realloc(b->added, (b->nadded + 1) * sizeof(*tmp))) ==
	    NULL)
		return ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    b->path);
	b->added = tmp;
	if ((*out = hivex_node_add_child(b->h, parent, name)) == 0)
		return ctx_set_error(b->ctx, OFFMIG_EIO, errno,
		    "%s: cannot add key '%s'", b->path, name);
	b->added[b->nadded].parent = parent;
	b->added[b->nadded].child = *out;
	b->nadded++;
	return OFFMIG_OK;
}

/* Remembers a key path for the check after commit (once in a row). */
static int
builder_note_key(struct hive_builder *b, const char *path)
{
	char **tmp;

	if (b->nkeys > 0 && strcmp(b->keys[b->nkeys - 1], path) == 0)
		return OFFMIG_OK;
	if ((tmp = realloc(b->keys, (b->nkeys + 1) * sizeof(*tmp))) == NULL)
		return ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    b->path);
	b->keys = tmp;
	if ((b->keys[b->nkeys] = strdup(path)) == NULL)
		return ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    b->path);
	b->nkeys++;
	return OFFMIG_OK;
}

int
hive_builder_key(struct hive_builder *b, const char *path, hnode *out)
{
	hive_node_h cur = hivex_root(b->h), next;
	const char *p = path, *q;
	char *comp;

	*out = 0;
	while (*p != '\0') {
		while (*p == '\\')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && *q != '\\'; q++)
			;
		if (utf8_chars(p, (size_t)(q - p)) > MAX_KEY_NAME)
			return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
			    "%s: key name longer than %d characters in '%s'",
			    b->path, MAX_KEY_NAME, path);
		/* hivex's iconv conversion crashes on invalid UTF-8. */
		if (!utf8_valid(p, (size_t)(q - p)))
			return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
			    "%s: key name is not valid UTF-8 in '%s'", b->path,
			    path);
		if ((comp = strndup(p, (size_t)(q - p))) == NULL)
			return ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno, "%s",
			    b->path);
		if ((next = builder_child(b, cur, comp)) == 0) {
			int ret = builder_add(b, cur, comp, path, &next);

			if (ret != OFFMIG_OK) {
				free(comp);
				return ret;
			}
		}
		free(comp);
		cur = next;
		p = q;
	}
	*out = cur;
	return builder_note_key(b, path);
}

int
hive_builder_set(struct hive_builder *b, hnode key,
    const struct hive_value *vals, size_t n)
{
	hive_value_h *old = NULL;
	hive_set_value *sv = NULL;
	void **owned = NULL;
	size_t nold = 0, ns = 0, i, j;
	int ret = OFFMIG_OK;

	/*
	 * hivex converts names with iconv and crashes on a name that is not
	 * valid UTF-8 (found by fuzz_regtext): check them here.
	 */
	for (i = 0; i < n; i++)
		if (!utf8_valid(vals[i].name, strlen(vals[i].name)) ||
		    strlen(vals[i].name) > 16383)
			return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
			    "%s: value name is not valid UTF-8 of at most "
			    "16383 bytes", b->path);
	/*
	 * hivex writes every value in one cell, without a big-data record:
	 * valid in a version 1.3 hive (which hive_create_empty() makes), and
	 * hivex allocates at most 1 MB at once.  From version 1.4 on, Windows
	 * reads data over 16344 bytes only through a big-data record.
	 */
	for (i = 0; i < n; i++) {
		if (b->minor > 3 && vals[i].len > MAX_CELL_DATA) {
			char *kp = builder_key_path(b, key);

			ret = ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
			    "%s: key '%s', value '%s': %zu bytes; hivex cannot "
			    "write more than %d in a version 1.%u hive",
			    b->path, kp != NULL ? kp : "?", vals[i].name,
			    vals[i].len, MAX_CELL_DATA, b->minor);

			free(kp);
			return ret;
		}
		if (vals[i].len > MAX_VALUE_LEN)
			return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
			    "%s: value '%s' is %zu bytes; at most %d can be "
			    "written", b->path, vals[i].name, vals[i].len,
			    MAX_VALUE_LEN);
		if (utf8_chars(vals[i].name, strlen(vals[i].name)) >
		    MAX_VALUE_NAME)
			return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
			    "%s: value name longer than %d characters",
			    b->path, MAX_VALUE_NAME);
		if (vals[i].len > 0 && vals[i].data == NULL)
			return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
			    "%s: value '%s' has no data", b->path,
			    vals[i].name);
	}
	if ((old = hivex_node_values(b->h, key)) == NULL)
		return ctx_set_error(b->ctx, OFFMIG_ECORRUPT, errno,
		    "%s: cannot read values", b->path);
	while (old[nold] != 0)
		nold++;
	if ((sv = calloc(nold + n + 1, sizeof(*sv))) == NULL ||
	    (owned = calloc(2 * nold + 1, sizeof(*owned))) == NULL) {
		ret = ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    b->path);
		goto out;
	}
	/* Keep the old values that are not being replaced. */
	for (i = 0; i < nold; i++) {
		char *name = hivex_value_key(b->h, old[i]);
		hive_type t;
		size_t len;
		char *data;
		int replaced = 0;

		if (name == NULL) {
			ret = ctx_set_error(b->ctx, OFFMIG_ECORRUPT, errno,
			    "%s: cannot read a value name", b->path);
			goto out;
		}
		owned[2 * i] = name;
		for (j = 0; j < n && !replaced; j++)
			replaced = wstrcasecmp(name, vals[j].name) == 0;
		if (replaced)
			continue;
		if ((data = hivex_value_value(b->h, old[i], &t, &len)) ==
		    NULL) {
			ret = ctx_set_error(b->ctx, OFFMIG_ECORRUPT, errno,
			    "%s: cannot read value '%s'", b->path, name);
			goto out;
		}
		owned[2 * i + 1] = data;
		sv[ns].key = name;
		sv[ns].t = t;
		sv[ns].len = len;
		sv[ns].value = data;
		ns++;
	}
	for (i = 0; i < n; i++) {
		/* A later duplicate in vals replaces an earlier one. */
		for (j = i + 1; j < n; j++)
			if (wstrcasecmp(vals[i].name, vals[j].name) == 0)
				break;
		if (j < n)
			continue;
		sv[ns].key = (char *)vals[i].name;
		sv[ns].t = (hive_type)vals[i].type;
		sv[ns].len = vals[i].len;
		sv[ns].value = (char *)vals[i].data;
		ns++;
	}
	if (hivex_node_set_values(b->h, key, ns, sv, 0) != 0)
		ret = ctx_set_error(b->ctx, OFFMIG_EIO, errno,
		    "%s: cannot set values", b->path);
out:
	if (owned != NULL)
		for (i = 0; i < 2 * nold; i++)
			free(owned[i]);
	free(owned);
	free(sv);
	free(old);
	return ret;
}

/*
 * One key of the path of the last "[key]" line.  Sections come depth
 * first, so the next path shares most of it: the shared part is not looked
 * up again.  A key this parse created (fresh) had no subkeys, so while it
 * stays on the chain its subkeys are exactly those in kids, and a new one
 * is added without scanning the siblings (hivex has no index: each scan
 * converts every sibling's name).
 */
struct reg_kid {
	char		*name;
	uint32_t	 hash;
	hnode		 node;
};

struct reg_level {
	char		*comp;		/* as written in the file */
	hnode		 node;
	int		 fresh;
	struct reg_kid	*kids;
	size_t		 nkids;
	size_t		 capkids;
};

/*
 * Hash of a name that equal names under wstrcasecmp() share: it folds
 * ASCII letters and skips everything else (non-ASCII letters fold only
 * to non-ASCII ones there).
 */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261U;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80)
			continue;
		if (c >= 'a' && c <= 'z')
			c -= 0x20;
		h = (h ^ c) * 16777619U;
	}
	return h;
}

/*
 * The .reg text parser: regedit's files (see regexport.h) and the fixtures'
 * extensions.  It gathers every value of a section and sets them in one
 * call when the section ends; value deletions ("name"=-) are gathered the
 * same way, as entries with del set.
 */
struct reg_parse {
	struct hive_builder	*b;
	const char		*file;
	const char		*prefix;	/* removed from key paths */
	int			 regedit4;	/* ANSI strings in hex(1/2/7) */
	int			 deleted;	/* in a [-key] section */
	unsigned		 line;		/* last line read */
	unsigned		 start;		/* first line of entry */
	unsigned		 keyline;	/* line of the [key] */
	hnode			 key;
	struct hive_value	*vals;
	char			**names;
	void			**datas;
	char			*dels;		/* 1: delete this value */
	size_t			 n;
	size_t			 cap;
	struct reg_level	*chain;		/* keys of the last [key] */
	size_t			 depth;
	size_t			 chain_cap;
};

/* Frees the chain from level i down. */
static void
reg_chain_cut(struct reg_parse *rp, size_t i)
{
	size_t j, k;

	for (j = i; j < rp->depth; j++) {
		for (k = 0; k < rp->chain[j].nkids; k++)
			free(rp->chain[j].kids[k].name);
		free(rp->chain[j].kids);
		free(rp->chain[j].comp);
	}
	if (i < rp->depth)
		rp->depth = i;
}

static int
reg_error(struct reg_parse *rp, const char *what)
{
	return ctx_set_error(rp->b->ctx, OFFMIG_EINVAL, 0, "%s:%u: %s",
	    rp->file, rp->start, what);
}

static void
reg_clear(struct reg_parse *rp)
{
	size_t i;

	for (i = 0; i < rp->n; i++) {
		free(rp->names[i]);
		free(rp->datas[i]);
	}
	rp->n = 0;
}

/*
 * Rewrites the values of the current key without those named in del (hivex
 * deletes values only by rewriting the whole list).  Deleting a value that
 * does not exist does nothing, as in regedit.
 */
static int
reg_delete_values(struct reg_parse *rp, const char *const *del, size_t ndel)
{
	hive_h *h = rp->b->h;
	hive_value_h *old;
	hive_set_value *sv = NULL;
	void **owned = NULL;
	size_t nold = 0, ns = 0, i, j, gone = 0;
	int ret = OFFMIG_OK;

	if ((old = hivex_node_values(h, rp->key)) == NULL)
		return ctx_set_error(rp->b->ctx, OFFMIG_ECORRUPT, errno,
		    "%s: cannot read values", rp->b->path);
	while (old[nold] != 0)
		nold++;
	if ((sv = calloc(nold + 1, sizeof(*sv))) == NULL ||
	    (owned = calloc(2 * nold + 1, sizeof(*owned))) == NULL) {
		ret = ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    rp->b->path);
		goto out;
	}
	for (i = 0; i < nold; i++) {
		char *name = hivex_value_key(h, old[i]), *data;
		hive_type t;
		size_t len;

		if (name == NULL) {
			ret = ctx_set_error(rp->b->ctx, OFFMIG_ECORRUPT, errno,
			    "%s: cannot read a value name", rp->b->path);
			goto out;
		}
		owned[2 * i] = name;
		for (j = 0; j < ndel; j++)
			if (wstrcasecmp(name, del[j]) == 0)
				break;
		if (j < ndel) {
			gone++;
			continue;
		}
		if ((data = hivex_value_value(h, old[i], &t, &len)) == NULL) {
			ret = ctx_set_error(rp->b->ctx, OFFMIG_ECORRUPT, errno,
			    "%s: cannot read value '%s'", rp->b->path, name);
			goto out;
		}
		owned[2 * i + 1] = data;
		sv[ns].key = name;
		sv[ns].t = t;
		sv[ns].len = len;
		sv[ns].value = data;
		ns++;
	}
	if (gone > 0 && hivex_node_set_values(h, rp->key, ns, sv, 0) != 0)
		ret = ctx_set_error(rp->b->ctx, OFFMIG_EIO, errno,
		    "%s: cannot set values", rp->b->path);
out:
	if (owned != NULL)
		for (i = 0; i < 2 * nold; i++)
			free(owned[i]);
	free(owned);
	free(sv);
	free(old);
	return ret;
}

static int
reg_flush(struct reg_parse *rp)
{
	struct hive_value *set = NULL;
	const char **del = NULL;
	uint32_t *hash;
	size_t i, j, nset = 0, ndel = 0;
	int ret = OFFMIG_OK;

	if (rp->key == 0 || rp->n == 0) {
		reg_clear(rp);
		return OFFMIG_OK;
	}
	if ((set = calloc(rp->n, sizeof(*set))) == NULL ||
	    (del = calloc(rp->n, sizeof(*del))) == NULL) {
		free(set);
		reg_clear(rp);
		return ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    rp->file);
	}
	if ((hash = calloc(rp->n, sizeof(*hash))) == NULL) {
		free(set);
		free(del);
		reg_clear(rp);
		return ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    rp->file);
	}
	for (i = 0; i < rp->n; i++)
		hash[i] = name_hash(rp->names[i]);
	for (i = 0; i < rp->n; i++) {
		/* The last line naming a value decides what becomes of it. */
		for (j = i + 1; j < rp->n; j++)
			if (hash[i] == hash[j] &&
			    wstrcasecmp(rp->names[i], rp->names[j]) == 0)
				break;
		if (j < rp->n)
			continue;
		if (rp->dels[i])
			del[ndel++] = rp->names[i];
		else
			set[nset++] = rp->vals[i];
	}
	if (ndel > 0)
		ret = reg_delete_values(rp, del, ndel);
	if (ret == OFFMIG_OK && nset > 0)
		ret = hive_builder_set(rp->b, rp->key, set, nset);
	if (ret != OFFMIG_OK)
		ctx_prefix_error(rp->b->ctx, "%s:%u", rp->file, rp->keyline);
	free(hash);
	free(set);
	free(del);
	reg_clear(rp);
	return ret;
}

/* Takes ownership of name and data; del marks a "name"=- line. */
static int
reg_add(struct reg_parse *rp, char *name, uint32_t type, void *data,
    size_t len, int del)
{
	char what[96];

	if (len > MAX_VALUE_LEN ||
	    utf8_chars(name, strlen(name)) > MAX_VALUE_NAME) {
		if (len > MAX_VALUE_LEN)
			snprintf(what, sizeof(what), "value is %zu bytes, at "
			    "most %d can be written", len, MAX_VALUE_LEN);
		else
			snprintf(what, sizeof(what), "value name longer than "
			    "%d characters", MAX_VALUE_NAME);
		free(name);
		free(data);
		return reg_error(rp, what);
	}
	if (rp->n == rp->cap) {
		size_t cap = rp->cap ? rp->cap * 2 : 16;
		struct hive_value *v = realloc(rp->vals, cap * sizeof(*v));
		char **nm, *dl;
		void **dt;

		if (v != NULL)
			rp->vals = v;
		nm = v != NULL ? realloc(rp->names, cap * sizeof(*nm)) : NULL;
		if (nm != NULL)
			rp->names = nm;
		dt = nm != NULL ? realloc(rp->datas, cap * sizeof(*dt)) : NULL;
		if (dt != NULL)
			rp->datas = dt;
		dl = dt != NULL ? realloc(rp->dels, cap) : NULL;
		if (dl == NULL) {
			free(name);
			free(data);
			return ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno,
			    "%s:%u", rp->file, rp->line);
		}
		rp->dels = dl;
		rp->cap = cap;
	}
	rp->dels[rp->n] = (char)del;
	rp->names[rp->n] = name;
	rp->datas[rp->n] = data;
	rp->vals[rp->n].name = name;
	rp->vals[rp->n].type = type;
	rp->vals[rp->n].data = data;
	rp->vals[rp->n].len = len;
	rp->n++;
	return OFFMIG_OK;
}

/*
 * Parses a quoted string at *pp (pointing at '"'), handling \" and \\.
 * Returns a malloc'd UTF-8 string and advances *pp past the closing quote,
 * or NULL when it is not terminated.
 */
static char *
parse_quoted(const char **pp, const char *end)
{
	const char *p = *pp + 1;
	char *out, *o;

	if ((out = malloc((size_t)(end - p) + 1)) == NULL)
		return NULL;
	o = out;
	while (p < end && *p != '"') {
		if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\'))
			p++;
		*o++ = *p++;
	}
	if (p >= end) {
		free(out);
		return NULL;
	}
	*o = '\0';
	*pp = p + 1;
	return out;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses "aa,bb,..." into bytes; NULL (*errp set) when malformed. */
static unsigned char *
parse_hex_bytes(const char *p, const char *end, size_t *lenp, int *errp)
{
	unsigned char *out = malloc((size_t)(end - p) / 2 + 1);
	size_t n = 0;

	*errp = 0;
	if (out == NULL)
		return NULL;
	while (p < end) {
		int hi, lo;

		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p >= end)
			break;
		if (p + 1 >= end || (hi = hexval(p[0])) < 0 ||
		    (lo = hexval(p[1])) < 0) {
			free(out);
			*errp = 1;
			return NULL;
		}
		out[n++] = (unsigned char)(hi << 4 | lo);
		p += 2;
		if (p < end && *p != ',' && *p != ' ' && *p != '\t') {
			free(out);
			*errp = 1;
			return NULL;
		}
	}
	*lenp = n;
	return out;
}

static int
parse_uint(const char *p, const char *end, int digits, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (p < end && hexval(*p) >= 0 && n < digits) {
		v = v << 4 | (uint64_t)hexval(*p);
		p++;
		n++;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (n == 0 || p != end)
		return -1;
	*out = v;
	return 0;
}

/*
 * Parses multi:"a","b" into REG_MULTI_SZ data (each string and the list
 * terminated by a UTF-16 NUL).  NULL with *errp set when malformed.
 */
static unsigned char *
multi_data(const char *p, const char *end, size_t *lenp, int *errp)
{
	unsigned char *data = NULL, *t;
	size_t n = 0, cap = 0;

	*errp = 0;
	for (;;) {
		unsigned char *u = NULL;
		size_t sl = 0;
		char *s;

		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p < end) {
			if (*p != '"' || (s = parse_quoted(&p, end)) == NULL) {
				free(data);
				*errp = 1;
				return NULL;
			}
			u = utf8_to_utf16le(s, strlen(s), &sl);
			free(s);
			if (u == NULL) {
				free(data);
				return NULL;
			}
		}
		if (n + sl + 4 > cap) {
			cap = (n + sl + 4) * 2;
			if ((t = realloc(data, cap)) == NULL) {
				free(u);
				free(data);
				return NULL;
			}
			data = t;
		}
		if (p >= end && u == NULL) {
			data[n++] = 0;
			data[n++] = 0;
			break;
		}
		memcpy(data + n, u, sl);
		n += sl;
		data[n++] = 0;
		data[n++] = 0;
		free(u);
	}
	*lenp = n;
	return data;
}

/* A UTF-8 string as UTF-16LE with its terminator. */
static void *
sz_data(const char *s, size_t *lenp)
{
	size_t n;
	unsigned char *u = utf8_to_utf16le(s, strlen(s), &n), *t;

	if (u == NULL)
		return NULL;
	if ((t = realloc(u, n + 2)) == NULL) {
		free(u);
		return NULL;
	}
	t[n] = t[n + 1] = 0;
	*lenp = n + 2;
	return t;
}

/*
 * Windows-1252, the ANSI code page of Western installations, to UTF-16LE:
 * REGEDIT4 files are written in the ANSI code page.  The bytes 0x80-0x9F
 * differ from Latin-1; the five Windows leaves undefined map to themselves.
 */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
};

static unsigned char *
cp1252_to_utf16le(const unsigned char *s, size_t n, size_t *lenp)
{
	unsigned char *out;
	size_t i;

	if (n > SIZE_MAX / 2 - 1 || (out = malloc(2 * n + 2)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		uint16_t u = s[i] >= 0x80 && s[i] < 0xA0 ?
		    cp1252_high[s[i] - 0x80] : s[i];

		out[2 * i] = (unsigned char)(u & 0xFF);
		out[2 * i + 1] = (unsigned char)(u >> 8);
	}
	*lenp = 2 * n;
	return out;
}

/* Skips blanks; returns 1 when only a "; comment" or nothing follows. */
static int
at_line_end(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p == end || *p == ';';
}

/* The end of the data on a line: before a "; comment". */
static const char *
data_end(const char *p, const char *end)
{
	const char *semi = memchr(p, ';', (size_t)(end - p));

	return semi != NULL ? semi : end;
}

/* Parses one "name"=data line (already joined across continuations). */
static int
reg_value_line(struct reg_parse *rp, const char *p, const char *end)
{
	char *name = NULL, *s = NULL;
	unsigned char *data = NULL;
	size_t len = 0;
	uint32_t type;
	uint64_t v;
	int err;

	if (rp->deleted)
		return reg_error(rp, "value under a deleted key ([-key])");
	if (rp->key == 0)
		return reg_error(rp, "value before any [key] line");
	if (*p == '@') {
		name = strdup("");
		p++;
	} else if (*p == '"') {
		if ((name = parse_quoted(&p, end)) == NULL)
			return reg_error(rp, "unterminated value name");
	} else
		return reg_error(rp, "expected \"name\"= or @=");
	if (name == NULL)
		return ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    rp->file);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '=') {
		free(name);
		return reg_error(rp, "expected '=' after the value name");
	}
	p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;

	if (p < end && *p == '-' && at_line_end(p + 1, end))
		return reg_add(rp, name, 0, NULL, 0, 1);
	if (*p == '"' || strncasecmp(p, "expand:\"", 8) == 0) {
		type = *p == '"' ? REG_SZ : REG_EXPAND_SZ;
		if (type == REG_EXPAND_SZ)
			p += 7;
		if ((s = parse_quoted(&p, end)) == NULL) {
			free(name);
			return reg_error(rp, "unterminated string");
		}
		if (!at_line_end(p, end)) {
			free(s);
			free(name);
			return reg_error(rp, "text after the closing quote");
		}
		data = sz_data(s, &len);
		free(s);
	} else if (strncasecmp(p, "multi:", 6) == 0) {
		type = REG_MULTI_SZ;
		if ((data = multi_data(p + 6, end, &len, &err)) == NULL) {
			free(name);
			if (err)
				return reg_error(rp, "bad multi: string list");
			return ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno,
			    "%s", rp->file);
		}
	} else if (strncasecmp(p, "dword:", 6) == 0) {
		type = REG_DWORD;
		if (parse_uint(p + 6, data_end(p + 6, end), 8, &v) != 0) {
			free(name);
			return reg_error(rp, "dword: needs up to 8 hex digits");
		}
		if ((data = malloc(4)) != NULL)
			put_le32(data, (uint32_t)v);
		len = 4;
	} else if (strncasecmp(p, "qword:", 6) == 0) {
		type = REG_QWORD;
		if (parse_uint(p + 6, data_end(p + 6, end), 16, &v) != 0) {
			free(name);
			return reg_error(rp,
			    "qword: needs up to 16 hex digits");
		}
		if ((data = malloc(8)) != NULL)
			put_le64(data, v);
		len = 8;
	} else if (strncasecmp(p, "hex", 3) == 0) {
		type = REG_BINARY;
		p += 3;
		end = data_end(p, end);
		if (p < end && *p == '(') {
			uint64_t t;
			const char *close = memchr(p, ')', (size_t)(end - p));

			if (close == NULL || parse_uint(p + 1, close, 8, &t) !=
			    0) {
				free(name);
				return reg_error(rp, "bad hex(type)");
			}
			type = (uint32_t)t;
			p = close + 1;
		}
		if (p >= end || *p != ':') {
			free(name);
			return reg_error(rp, "expected ':' after hex");
		}
		data = parse_hex_bytes(p + 1, end, &len, &err);
		if (err) {
			free(name);
			return reg_error(rp, "bad hex byte list");
		}
		/*
		 * REGEDIT4 files hold these strings in the ANSI code page;
		 * regedit widens them to UTF-16.
		 */
		if (rp->regedit4 && data != NULL && (type == REG_SZ ||
		    type == REG_EXPAND_SZ || type == REG_MULTI_SZ)) {
			unsigned char *w = cp1252_to_utf16le(data, len, &len);

			free(data);
			data = w;
		}
	} else {
		free(name);
		return reg_error(rp, "unknown value type");
	}
	if (data == NULL) {
		free(name);
		return ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    rp->file);
	}
	return reg_add(rp, name, type, data, len, 0);
}

/*
 * Compares the first component of a and b (up to '\\' or the end) as
 * Windows compares names; sets *alen and *blen to their lengths.
 */
static int
comp_equal(const char *a, const char *b, size_t *alen, size_t *blen)
{
	char *x, *y;
	int eq;

	*alen = strcspn(a, "\\");
	*blen = strcspn(b, "\\");
	if ((x = strndup(a, *alen)) == NULL)
		return -1;
	if ((y = strndup(b, *blen)) == NULL) {
		free(x);
		return -1;
	}
	eq = wstrcasecmp(x, y) == 0;
	free(x);
	free(y);
	return eq;
}

/*
 * The part of a key path below the hive's root: path with rp->prefix
 * removed, or (no prefix) with a first "HKEY_..." component removed.
 * Returns a pointer into path, or NULL (message set) when path is outside
 * the prefix.
 */
static const char *
reg_relative(struct reg_parse *rp, const char *path, int *errp)
{
	const char *p = path, *q = rp->prefix;
	size_t pl, ql;

	*errp = OFFMIG_OK;
	if (q == NULL) {
		if (strncasecmp(p, "HKEY_", 5) != 0)
			return p;
		p += strcspn(p, "\\");
		return *p == '\\' ? p + 1 : p;
	}
	while (*q != '\0') {
		int eq = comp_equal(p, q, &pl, &ql);

		if (eq < 0) {
			*errp = ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno,
			    "%s", rp->file);
			return NULL;
		}
		if (!eq)
			break;
		p += pl;
		q += ql;
		if (*q == '\\')
			q++;
		if (*q != '\0' && *p == '\\')
			p++;
	}
	if (*q != '\0' || (*p != '\0' && *p != '\\')) {
		char what[160];

		snprintf(what, sizeof(what), "key is not under '%.100s'",
		    rp->prefix);
		*errp = reg_error(rp, what);
		return NULL;
	}
	return *p == '\\' ? p + 1 : p;
}

/*
 * Deletes the key at the relative path rel and everything below it; a key
 * that does not exist is not an error (regedit ignores it too).
 */
static int
reg_delete_key(struct reg_parse *rp, const char *rel)
{
	struct hive_builder *b = rp->b;
	hive_node_h root = hivex_root(b->h), cur = root;
	const char *p = rel;

	while (*p != '\0') {
		size_t n;
		char *comp;

		while (*p == '\\')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, "\\");
		if ((comp = strndup(p, n)) == NULL)
			return ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno,
			    "%s", rp->file);
		cur = builder_child(b, cur, comp);
		free(comp);
		if (cur == 0)
			return OFFMIG_OK;
		p += n;
	}
	if (cur == root)
		return reg_error(rp, "the root key cannot be deleted");
	if (hivex_node_delete_child(b->h, cur) != 0)
		return ctx_set_error(b->ctx, OFFMIG_EIO, errno,
		    "%s:%u: cannot delete key '%s'", rp->file, rp->start, rel);
	return OFFMIG_OK;
}

/* Adds a subkey to the kids of a fresh level. */
static int
reg_kid_add(struct reg_level *lv, const char *name, hnode node)
{
	if (lv->nkids == lv->capkids) {
		size_t cap = lv->capkids ? lv->capkids * 2 : 16;
		struct reg_kid *k = realloc(lv->kids, cap * sizeof(*k));

		if (k == NULL)
			return -1;
		lv->kids = k;
		lv->capkids = cap;
	}
	if ((lv->kids[lv->nkids].name = strdup(name)) == NULL)
		return -1;
	lv->kids[lv->nkids].hash = name_hash(name);
	lv->kids[lv->nkids].node = node;
	lv->nkids++;
	return 0;
}

/*
 * Finds or creates the key at the relative path rel (empty components
 * skipped, as hive_builder_key() does), reusing the chain of the previous
 * key line.  Sets rp->key.
 */
static int
reg_open_key(struct reg_parse *rp, const char *rel)
{
	struct hive_builder *b = rp->b;
	hnode cur = hivex_root(b->h);
	const char *p = rel;
	size_t i = 0;
	int fresh_parent = 0;

	rp->key = 0;
	for (;;) {
		struct reg_level *lv, *parent;
		size_t n, k;
		hnode next = 0;
		char *comp;
		int fresh = 0;

		while (*p == '\\')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, "\\");
		/* The same bytes as the previous path: the same key. */
		if (i < rp->depth && strlen(rp->chain[i].comp) == n &&
		    memcmp(rp->chain[i].comp, p, n) == 0) {
			cur = rp->chain[i].node;
			fresh_parent = rp->chain[i].fresh;
			i++;
			p += n;
			continue;
		}
		reg_chain_cut(rp, i);
		if (utf8_chars(p, n) > MAX_KEY_NAME)
			return reg_error(rp, "key name longer than 255 "
			    "characters");
		/* hivex's iconv conversion crashes on invalid UTF-8. */
		if (!utf8_valid(p, n))
			return reg_error(rp, "key name is not valid UTF-8");
		if ((comp = strndup(p, n)) == NULL)
			return ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno,
			    "%s", rp->file);
		parent = i > 0 ? &rp->chain[i - 1] : NULL;
		if (fresh_parent && parent != NULL) {
			uint32_t hsh = name_hash(comp);

			for (k = 0; k < parent->nkids && next == 0; k++)
				if (parent->kids[k].hash == hsh &&
				    wstrcasecmp(parent->kids[k].name, comp) ==
				    0)
					next = parent->kids[k].node;
		} else
			next = builder_child(b, cur, comp);
		if (next == 0) {
			if ((next = hivex_node_add_child(b->h, cur, comp)) ==
			    0) {
				int ret = ctx_set_error(b->ctx, OFFMIG_EIO,
				    errno, "%s:%u: cannot add key '%s'",
				    rp->file, rp->start, comp);

				free(comp);
				return ret;
			}
			fresh = 1;
			if (fresh_parent && parent != NULL &&
			    reg_kid_add(parent, comp, next) != 0) {
				free(comp);
				return ctx_set_error(b->ctx, OFFMIG_ENOMEM,
				    errno, "%s", rp->file);
			}
		}
		if (rp->depth == rp->chain_cap) {
			size_t cap = rp->chain_cap ? rp->chain_cap * 2 : 16;
			struct reg_level *c = realloc(rp->chain,
			    cap * sizeof(*c));

			if (c == NULL) {
				free(comp);
				return ctx_set_error(b->ctx, OFFMIG_ENOMEM,
				    errno, "%s", rp->file);
			}
			rp->chain = c;
			rp->chain_cap = cap;
		}
		lv = &rp->chain[rp->depth++];
		memset(lv, 0, sizeof(*lv));
		lv->comp = comp;
		lv->node = next;
		lv->fresh = fresh;
		cur = next;
		fresh_parent = fresh;
		i++;
		p += n;
	}
	/* A shorter path than the previous one: drop the deeper levels. */
	reg_chain_cut(rp, i);
	rp->key = cur;
	return OFFMIG_OK;
}

/* A "[key]" or "[-key]" line from s to e (e[-1] is ']'). */
static int
reg_key_line(struct reg_parse *rp, const char *s, const char *e)
{
	const char *rel;
	char *path;
	int ret, del = s[1] == '-';

	/* s[0] is '[' and e[-1] is ']': "[-]" names no key. */
	if (del && e - s < 4)
		return reg_error(rp, "no key name after '[-'");
	if ((ret = reg_flush(rp)) != OFFMIG_OK)
		return ret;
	rp->key = 0;
	rp->deleted = 0;
	if ((path = strndup(s + 1 + del, (size_t)(e - 1 - (s + 1 + del)))) ==
	    NULL)
		return ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    rp->file);
	if ((rel = reg_relative(rp, path, &ret)) == NULL) {
		free(path);
		return ret;
	}
	rp->keyline = rp->start;
	if (del) {
		rp->deleted = 1;
		/* Cached keys may be among those deleted. */
		reg_chain_cut(rp, 0);
		ret = reg_delete_key(rp, rel);
	} else
		ret = reg_open_key(rp, rel);
	free(path);
	return ret;
}

/* Parses UTF-8 text (already decoded) line by line. */
static int
reg_parse_text(struct reg_parse *rp, const char *text, size_t len)
{
	struct hive_builder *b = rp->b;
	const char *p = text, *end = text + len;
	char *joined = NULL;
	size_t jcap = 0;
	int ret = OFFMIG_OK;

	while (p < end && ret == OFFMIG_OK) {
		const char *eol, *s, *e;
		size_t jlen = 0;
		int comment = 0, first = 1;

		rp->start = ++rp->line;
		/*
		 * Join lines ending in '\' (hex lists wrap that way), but not
		 * comment lines.
		 */
		for (;;) {
			const char *t;

			eol = memchr(p, '\n', (size_t)(end - p));
			if (eol == NULL)
				eol = end;
			if (first) {
				for (t = p; t < eol && (*t == ' ' ||
				    *t == '\t'); t++)
					;
				comment = t < eol && *t == ';';
				first = 0;
			}
			t = eol;
			while (t > p && (t[-1] == '\r' || t[-1] == ' ' ||
			    t[-1] == '\t'))
				t--;
			if (jlen + (size_t)(t - p) + 1 > jcap) {
				char *nj;

				jcap = (jlen + (size_t)(t - p) + 1) * 2;
				if ((nj = realloc(joined, jcap)) == NULL) {
					ret = ctx_set_error(b->ctx,
					    OFFMIG_ENOMEM, errno, "%s",
					    rp->file);
					goto out;
				}
				joined = nj;
			}
			if (!comment && t > p && t[-1] == '\\' && eol < end) {
				memcpy(joined + jlen, p, (size_t)(t - p - 1));
				jlen += (size_t)(t - p - 1);
				p = eol + 1;
				rp->line++;
				continue;
			}
			memcpy(joined + jlen, p, (size_t)(t - p));
			jlen += (size_t)(t - p);
			joined[jlen] = '\0';
			p = eol < end ? eol + 1 : end;
			break;
		}
		s = joined;
		e = joined + jlen;
		if (memchr(s, '\0', jlen) != NULL) {
			ret = reg_error(rp, "NUL character in the line");
			break;
		}
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		/* A UTF-8 byte order mark on the first line. */
		if (rp->start == 1 && e - s >= 3 &&
		    memcmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3;
		if (s == e || *s == ';' || *s == '#')
			continue;
		if (strncmp(s, "Windows Registry Editor", 23) == 0 ||
		    strcmp(s, "REGEDIT4") == 0)
			continue;
		if (*s == '[') {
			/* The key name runs to the last ']' of the line. */
			if (e[-1] != ']' || e - s < 2) {
				ret = reg_error(rp,
				    "key line must end with ']'");
				break;
			}
			ret = reg_key_line(rp, s, e);
			continue;
		}
		ret = reg_value_line(rp, s, e);
	}
	if (ret == OFFMIG_OK)
		ret = reg_flush(rp);
out:
	free(joined);
	return ret;
}

/* Line number (from 1) of byte offset off in UTF-16LE text after a BOM. */
static unsigned
utf16_line_of(const unsigned char *u, size_t off)
{
	unsigned line = 1;
	size_t i;

	for (i = 2; i + 1 < off; i += 2)
		if (u[i] == '\n' && u[i + 1] == 0)
			line++;
	return line;
}

int
hive_builder_apply_reg_prefix(struct hive_builder *b, const char *text,
    size_t len, const char *filename, const char *prefix)
{
	const unsigned char *u = (const unsigned char *)text;
	struct reg_parse rp;
	char *conv = NULL;
	size_t i;
	int ret;

	memset(&rp, 0, sizeof(rp));
	rp.b = b;
	rp.file = filename;
	rp.prefix = prefix != NULL && *prefix != '\0' ? prefix : NULL;
	if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
		return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0, "%s: UTF-16 "
		    "big-endian text is not supported (regedit writes "
		    "little-endian)", filename);
	if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		/* regedit's own form: UTF-16LE after a byte order mark. */
		if (len % 2 != 0)
			return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
			    "%s: UTF-16 text with an odd number of bytes",
			    filename);
		for (i = 2; i < len; i += 2)
			if (u[i] == 0 && u[i + 1] == 0)
				return ctx_set_error(b->ctx, OFFMIG_EINVAL, 0,
				    "%s:%u: NUL character in the line",
				    filename, utf16_line_of(u, i));
		if ((conv = utf16le_to_utf8(u + 2, len - 2, &len)) == NULL)
			return ctx_set_error(b->ctx, OFFMIG_ENOMEM, errno,
			    "%s", filename);
		text = conv;
	} else {
		const char *t = text, *nl;
		size_t n;

		if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
			t += 3;
		nl = memchr(t, '\n', len - (size_t)(t - text));
		n = nl != NULL ? (size_t)(nl - t) : len - (size_t)(t - text);
		while (n > 0 && (t[n - 1] == '\r' || t[n - 1] == ' ' ||
		    t[n - 1] == '\t'))
			n--;
		rp.regedit4 = n == 8 && memcmp(t, "REGEDIT4", 8) == 0;
		/*
		 * A REGEDIT4 file that is not UTF-8 is in the ANSI code
		 * page.  NUL bytes are left for the line parser to report.
		 */
		if (rp.regedit4 && memchr(text, '\0', len) == NULL &&
		    !utf8_valid(text, len)) {
			size_t wl;
			unsigned char *w = cp1252_to_utf16le(u, len, &wl);

			if (w == NULL)
				return ctx_set_error(b->ctx, OFFMIG_ENOMEM,
				    errno, "%s", filename);
			conv = utf16le_to_utf8(w, wl, &len);
			free(w);
			if (conv == NULL)
				return ctx_set_error(b->ctx, OFFMIG_ENOMEM,
				    errno, "%s", filename);
			text = conv;
		}
	}
	ret = reg_parse_text(&rp, text, len);
	reg_clear(&rp);
	reg_chain_cut(&rp, 0);
	free(rp.chain);
	free(rp.vals);
	free(rp.names);
	free(rp.datas);
	free(rp.dels);
	free(conv);
	return ret;
}

int
hive_builder_apply_reg(struct hive_builder *b, const char *text, size_t len,
    const char *filename)
{
	return hive_builder_apply_reg_prefix(b, text, len, filename, NULL);
}
