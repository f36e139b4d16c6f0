/*
 * fuzz_pever.c - fuzz target for the PE version resource reader: any bytes
 * give OK, ENOTFOUND or ECORRUPT (with a message naming the file), never a
 * crash, a hang or a leak; what is read is then queried and compared the
 * way USMT's version helpers use it.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "migrate/pever.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;

static void
cleanup(void)
{
	if (fd >= 0)
		close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tags[] = {
		"CompanyName", "FileDescription", "FileVersion", "InternalName",
		"LegalCopyright", "OriginalFilename", "ProductName",
		"ProductVersion", "Comments",
	};
	struct offmig_ctx *ctx;
	struct pe_version v;
	const char *s;
	size_t i;
	int ret;

	/* One unnamed scratch file, rewritten for every input. */
	if (fd < 0) {
		char path[] = "/tmp/offmig-fuzz-pe.XXXXXX";

		if ((fd = mkstemp(path)) < 0)
			abort();
		unlink(path);
		atexit(cleanup);
	}
	if (ftruncate(fd, 0) != 0 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	if ((ctx = offmig_ctx_new()) == NULL)
		return 0;
	ret = pe_version_read(ctx, fd, "fuzz.exe", &v);
	if (ret != OFFMIG_OK && ret != OFFMIG_ENOTFOUND &&
	    ret != OFFMIG_ECORRUPT && ret != OFFMIG_ENOMEM)
		abort();
	if (ret != OFFMIG_OK && ret != OFFMIG_ENOMEM &&
	    strncmp(offmig_errmsg(ctx), "fuzz.exe: ", 10) != 0)
		abort();
	for (i = 0; ret == OFFMIG_OK && i < sizeof(tags) / sizeof(tags[0]);
	    i++) {
		if ((s = pe_version_get(&v, tags[i])) == NULL)
			continue;
		if (strlen(s) == 0)
			abort();
		(void)version_match(s, "6.1.*");
		(void)version_match("10.0.19041.1", s);
		(void)version_cmp(s, "6.1.7600.16385");
	}
	pe_version_release(&v);
	offmig_ctx_free(ctx);
	return 0;
}
