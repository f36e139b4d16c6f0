/*
 * fuzz_manifest.c - fuzz target for the store manifest reader: any bytes
 * as STORE/manifest give records, the end, or a "file:line: what" error,
 * never a crash or a read outside; every record's paths are relative,
 * without "..", and its store_path under files/ or registry/.  The same
 * bytes go through store_verify() (which opens what the records name,
 * beneath the store only) and through the field unescaper.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "migrate/store.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void
cleanup(void)
{
	char path[128];

	if (dir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/manifest", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/offmig-store.ini", dir);
	unlink(path);
	rmdir(dir);
}

static void
put(const char *name, const void *data, size_t size)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	fclose(fp);
}

/*
 * What the reader promises of a path: relative, made of non-empty
 * components, none of them "." or "..".  A component that merely starts
 * with dots ("..,", "...") is an ordinary name.
 */
static void
check_path(const char *p, int may_be_empty)
{
	const char *c = p, *e;
	size_t n;

	if (*p == '\0' && may_be_empty)
		return;
	for (;;) {
		e = strchr(c, '/');
		n = e != NULL ? (size_t)(e - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			abort();
		if (e == NULL)
			break;
		c = e + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct offmig_ctx *ctx = offmig_ctx_new();
	struct manifest_reader *r = NULL;
	struct manifest_record rec;
	struct offmig_doc *doc = NULL;
	char hdr[256], id[33] = "00000000000000000000000000000000";
	char *out = NULL;
	int fd, ret;

	if (ctx == NULL)
		return 0;
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/offmig-fuzz-manifest.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			offmig_ctx_free(ctx);
			return 0;
		}
		atexit(cleanup);
	}
	/* The header names the manifest's own id, so verify reads on. */
	if (size >= 53 && memcmp(data, "offmig-manifest\t1\tid=", 21) == 0)
		for (ret = 0; ret < 32; ret++)
			id[ret] = strchr("0123456789abcdef", data[21 + ret]) &&
			    data[21 + ret] ? (char)data[21 + ret] : '0';
	snprintf(hdr, sizeof(hdr), "format=1\nid=%s\nvolume=%s\nvolume_dev=1\n"
	    "mode=hardlink\n", id, dir);
	put("offmig-store.ini", hdr, strlen(hdr));
	put("manifest", data, size);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	if (manifest_open(ctx, fd, "fuzz/manifest", &r) == OFFMIG_OK) {
		while ((ret = manifest_next(r, &rec)) > 0) {
			if (rec.kind == 'U')
				continue;
			check_path(rec.host_path, rec.kind == 'r');
			check_path(rec.store_path, 0);
			if (strncmp(rec.store_path, "files/", 6) != 0 &&
			    strncmp(rec.store_path, "registry/", 9) != 0)
				abort();
		}
		if (ret < 0 && offmig_errno(ctx) == 0 &&
		    strstr(offmig_errmsg(ctx), "fuzz/manifest:") == NULL)
			abort();	/* an error names the file and line */
		manifest_close(r);
	} else if (offmig_errno(ctx) == 0 &&
	    strstr(offmig_errmsg(ctx), "fuzz/manifest:") == NULL)
		abort();
	close(fd);
	if (store_verify(ctx, dir, STORE_VERIFY_HASH, &doc) == OFFMIG_OK)
		offmig_doc_free(doc);
	if (manifest_unescape((const char *)data, size, &out, NULL) == 0)
		free(out);
	offmig_ctx_free(ctx);
	return 0;
}
