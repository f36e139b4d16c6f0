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
	const unsigned char *p = buf;
	int fd, ret = OFFMIG_OK;

	if (tmp == NULL)
		return ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) < 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
		free(tmp);
		return ret;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", tmp);
			break;
		}
		p += n;
		len -= (size_t)n;
	}
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
	if ((in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
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
 * The .reg-like text parser.  It gathers every value of a section and sets
 * them in one call when the section ends.
 */
struct reg_parse {
	struct hive_builder	*b;
	const char		*file;
	unsigned		 line;		/* last line read */
	unsigned		 start;		/* first line of entry */
	unsigned		 keyline;	/* line of the [key] */
	hnode			 key;
	struct hive_value	*vals;
	char			**names;
	void			**datas;
	size_t			 n;
	size_t			 cap;
};

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

static int
reg_flush(struct reg_parse *rp)
{
	int ret = OFFMIG_OK;

	if (rp->key != 0 && rp->n > 0 && (ret = hive_builder_set(rp->b,
	    rp->key, rp->vals, rp->n)) != OFFMIG_OK)
		ctx_prefix_error(rp->b->ctx, "%s:%u", rp->file, rp->keyline);
	reg_clear(rp);
	return ret;
}

/* Takes ownership of name and data. */
static int
reg_add(struct reg_parse *rp, char *name, uint32_t type, void *data,
    size_t len)
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
		char **nm;
		void **dt;

		if (v != NULL)
			rp->vals = v;
		nm = v != NULL ? realloc(rp->names, cap * sizeof(*nm)) : NULL;
		if (nm != NULL)
			rp->names = nm;
		dt = nm != NULL ? realloc(rp->datas, cap * sizeof(*dt)) : NULL;
		if (dt == NULL) {
			free(name);
			free(data);
			return ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno,
			    "%s:%u", rp->file, rp->line);
		}
		rp->datas = dt;
		rp->cap = cap;
	}
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

	if (*p == '"' || strncmp(p, "expand:\"", 8) == 0) {
		type = *p == '"' ? REG_SZ : REG_EXPAND_SZ;
		if (type == REG_EXPAND_SZ)
			p += 7;
		if ((s = parse_quoted(&p, end)) == NULL) {
			free(name);
			return reg_error(rp, "unterminated string");
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p != end) {
			free(s);
			free(name);
			return reg_error(rp, "text after the closing quote");
		}
		data = sz_data(s, &len);
		free(s);
	} else if (strncmp(p, "multi:", 6) == 0) {
		type = REG_MULTI_SZ;
		if ((data = multi_data(p + 6, end, &len, &err)) == NULL) {
			free(name);
			if (err)
				return reg_error(rp, "bad multi: string list");
			return ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno,
			    "%s", rp->file);
		}
	} else if (strncmp(p, "dword:", 6) == 0) {
		type = REG_DWORD;
		if (parse_uint(p + 6, end, 8, &v) != 0) {
			free(name);
			return reg_error(rp, "dword: needs up to 8 hex digits");
		}
		if ((data = malloc(4)) != NULL)
			put_le32(data, (uint32_t)v);
		len = 4;
	} else if (strncmp(p, "qword:", 6) == 0) {
		type = REG_QWORD;
		if (parse_uint(p + 6, end, 16, &v) != 0) {
			free(name);
			return reg_error(rp,
			    "qword: needs up to 16 hex digits");
		}
		if ((data = malloc(8)) != NULL)
			put_le64(data, v);
		len = 8;
	} else if (strncmp(p, "hex", 3) == 0) {
		type = REG_BINARY;
		p += 3;
		if (*p == '(') {
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
	} else {
		free(name);
		return reg_error(rp, "unknown value type");
	}
	if (data == NULL) {
		free(name);
		return ctx_set_error(rp->b->ctx, OFFMIG_ENOMEM, errno, "%s",
		    rp->file);
	}
	return reg_add(rp, name, type, data, len);
}

int
hive_builder_apply_reg(struct hive_builder *b, const char *text, size_t len,
    const char *filename)
{
	struct reg_parse rp;
	const char *p = text, *end = text + len;
	char *joined = NULL;
	size_t jcap = 0;
	int ret = OFFMIG_OK;

	memset(&rp, 0, sizeof(rp));
	rp.b = b;
	rp.file = filename;
	while (p < end && ret == OFFMIG_OK) {
		const char *eol, *s, *e;
		size_t jlen = 0;

		rp.start = ++rp.line;
		/* Join lines ending in '\' (hex lists wrap that way). */
		for (;;) {
			const char *t;

			eol = memchr(p, '\n', (size_t)(end - p));
			if (eol == NULL)
				eol = end;
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
					    filename);
					goto out;
				}
				joined = nj;
			}
			if (t > p && t[-1] == '\\' && eol < end) {
				memcpy(joined + jlen, p, (size_t)(t - p - 1));
				jlen += (size_t)(t - p - 1);
				p = eol + 1;
				rp.line++;
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
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		/* A UTF-8 byte order mark on the first line. */
		if (rp.start == 1 && e - s >= 3 &&
		    memcmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3;
		if (s == e || *s == ';' || *s == '#')
			continue;
		if (strncmp(s, "Windows Registry Editor", 23) == 0 ||
		    strcmp(s, "REGEDIT4") == 0)
			continue;
		if (*s == '[') {
			char *path;
			const char *start;

			if (e[-1] != ']') {
				ret = reg_error(&rp,
				    "key line must end with ']'");
				break;
			}
			if ((ret = reg_flush(&rp)) != OFFMIG_OK)
				break;
			start = s + 1;
			if (*start == '-') {
				ret = reg_error(&rp, "deleting keys ([-key]) "
				    "is not supported");
				break;
			}
			if (strncmp(start, "HKEY_", 5) == 0) {
				const char *bs = memchr(start, '\\',
				    (size_t)(e - 1 - start));

				start = bs != NULL ? bs + 1 : e - 1;
			}
			if ((path = strndup(start, (size_t)(e - 1 - start))) ==
			    NULL) {
				ret = ctx_set_error(b->ctx, OFFMIG_ENOMEM,
				    errno, "%s", filename);
				break;
			}
			rp.keyline = rp.start;
			ret = hive_builder_key(b, path, &rp.key);
			free(path);
			if (ret != OFFMIG_OK)
				ctx_prefix_error(b->ctx, "%s:%u", filename,
				    rp.start);
			continue;
		}
		ret = reg_value_line(&rp, s, e);
	}
	if (ret == OFFMIG_OK)
		ret = reg_flush(&rp);
out:
	reg_clear(&rp);
	free(rp.vals);
	free(rp.names);
	free(rp.datas);
	free(joined);
	return ret;
}
