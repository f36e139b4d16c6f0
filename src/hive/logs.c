/*
 * logs.c - finding the transaction logs beside a hive.  Windows names them
 * <hive>.LOG (old format, up to Windows 8) or <hive>.LOG1 and <hive>.LOG2
 * (new format since 8.1, and dual old-format logs on Vista/7); on a mount
 * they may be stored in any case ("ntuser.dat.LOG1" next to "NTUSER.DAT").
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "common/vpath.h"
#include "hive/hive.h"

static const char *const log_suffixes[] = { ".LOG", ".LOG1", ".LOG2" };

void
hive_logs_free(struct hive_log *logs, size_t nlogs)
{
	size_t i;

	if (logs == NULL)
		return;
	for (i = 0; i < nlogs; i++) {
		free(logs[i].name);
		free(logs[i].host_path);
	}
	free(logs);
}

/*
 * Reads the base block of a log and fills format and sequence numbers:
 * file type 1 or 2 is the old format, whose dirty vector ("DIRT") follows
 * the 512-byte base block; file type 6 is the new format, whose log
 * entries ("HvLE") start there.  A new-format log may hold no entry yet,
 * so "HvLE" is not required; a missing "DIRT" in an old-format log that is
 * long enough to hold it makes the format unknown.
 */
static void
log_describe(int dirfd, struct hive_log *log)
{
	unsigned char buf[516];
	struct regf_info info;
	struct stat st;
	ssize_t n;
	int fd;

	log->format = 0;
	if ((fd = openat(dirfd, log->name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	log->size = (uint64_t)st.st_size;
	do
		n = pread(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 512 || regf_parse(buf, (size_t)n, &info) != OFFMIG_OK)
		return;
	log->seq1 = info.seq1;
	log->seq2 = info.seq2;
	if (info.file_type == 6)
		log->format = 2;
	else if ((info.file_type == 1 || info.file_type == 2) &&
	    (n < (ssize_t)sizeof(buf) || memcmp(buf + 512, "DIRT", 4) == 0))
		log->format = 1;
}

/* Order: by suffix (.LOG, .LOG1, .LOG2), then by name. */
static int
log_cmp(const void *a, const void *b)
{
	const struct hive_log *x = a, *y = b;
	size_t lx = strlen(x->name), ly = strlen(y->name);
	int sx = lx > 0 && x->name[lx - 1] >= '1' && x->name[lx - 1] <= '2' ?
	    x->name[lx - 1] - '0' : 0;
	int sy = ly > 0 && y->name[ly - 1] >= '1' && y->name[ly - 1] <= '2' ?
	    y->name[ly - 1] - '0' : 0;

	if (sx != sy)
		return sx - sy;
	return strcmp(x->name, y->name);
}

/* At most this many logs are reported (case variants on a Linux copy). */
#define MAX_LOGS	16

int
hive_find_logs(struct offmig_ctx *ctx, int dirfd, const char *dir_host,
    const char *hivename, struct hive_log **logsp, size_t *nlogsp)
{
	char *cand[3] = { NULL, NULL, NULL };
	struct hive_log *logs = NULL;
	size_t nlogs = 0, i;
	struct vdir dir;
	const char *de_name;
	int ret = OFFMIG_OK;

	*logsp = NULL;
	*nlogsp = 0;
	dir.fd = -1;
	for (i = 0; i < 3; i++)
		if ((cand[i] = str_printf("%s%s", hivename,
		    log_suffixes[i])) == NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    dir_host);
			goto out;
		}
	if (vdir_open(&dir, dirfd) != 0) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", dir_host);
		goto out;
	}
	while (nlogs < MAX_LOGS) {
		struct hive_log *tmp;
		struct stat st;

		if ((de_name = vdir_next(&dir, NULL)) == NULL) {
			if (errno != 0)
				ret = ctx_set_error(ctx, OFFMIG_EIO, errno,
				    "%s", dir_host);
			break;
		}
		/* The name must match as Windows matches names. */
		for (i = 0; i < 3; i++)
			if (wstrcasecmp(de_name, cand[i]) == 0)
				break;
		if (i == 3)
			continue;
		/* Symbolic links and other odd entries are not logs. */
		if (fstatat(dirfd, de_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if ((tmp = realloc(logs, (nlogs + 1) * sizeof(*logs))) ==
		    NULL) {
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    dir_host);
			break;
		}
		logs = tmp;
		memset(&logs[nlogs], 0, sizeof(logs[nlogs]));
		logs[nlogs].size = (uint64_t)st.st_size;
		if ((logs[nlogs].name = strdup(de_name)) == NULL ||
		    (logs[nlogs].host_path = str_join_path(dir_host,
		    de_name)) == NULL) {
			nlogs++;
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    dir_host);
			break;
		}
		log_describe(dirfd, &logs[nlogs]);
		nlogs++;
	}
	if (ret == OFFMIG_OK && nlogs > 1)
		qsort(logs, nlogs, sizeof(*logs), log_cmp);
out:
	vdir_close(&dir);
	for (i = 0; i < 3; i++)
		free(cand[i]);
	if (ret != OFFMIG_OK) {
		hive_logs_free(logs, nlogs);
		return ret;
	}
	*logsp = logs;
	*nlogsp = nlogs;
	return OFFMIG_OK;
}
