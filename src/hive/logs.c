/*
 * logs.c - finding the transaction logs beside a hive.  Windows names them
 * <hive>.LOG (old format, up to Windows 8) or <hive>.LOG1 and <hive>.LOG2
 * (new format since 8.1, and dual old-format logs on Vista/7); on a mount
 * they may be stored in any case ("ntuser.dat.LOG1" next to "NTUSER.DAT").
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
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

/* Reads the base block of a log and fills format and sequence numbers. */
static void
log_describe(int dirfd, struct hive_log *log)
{
	unsigned char buf[516];
	struct regf_info info;
	ssize_t n;
	int fd;

	log->format = 0;
	if ((fd = openat(dirfd, log->name, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return;
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < 512 || regf_parse(buf, (size_t)n, &info) != OFFMIG_OK)
		return;
	log->seq1 = info.seq1;
	log->seq2 = info.seq2;
	if (info.file_type == 6)
		log->format = 2;
	else if (info.file_type == 1 || info.file_type == 2)
		log->format = 1;
}

int
hive_find_logs(struct offmig_ctx *ctx, int dirfd, const char *dir_host,
    const char *hivename, struct hive_log **logsp, size_t *nlogsp)
{
	struct hive_log *logs = NULL;
	size_t nlogs = 0, i;
	struct dirent *de;
	DIR *dir = NULL;
	int fd, ret = OFFMIG_OK;

	*logsp = NULL;
	*nlogsp = 0;
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (dir = fdopendir(fd)) == NULL) {
		ret = ctx_set_error(ctx, OFFMIG_EIO, errno, "%s", dir_host);
		if (fd >= 0)
			close(fd);
		return ret;
	}
	while ((de = readdir(dir)) != NULL && nlogs < 3) {
		size_t hl = strlen(hivename), dl = strlen(de->d_name);
		struct stat st;

		if (dl <= hl || strncasecmp(de->d_name, hivename, hl) != 0)
			continue;
		for (i = 0; i < 3; i++)
			if (strcasecmp(de->d_name + hl, log_suffixes[i]) == 0)
				break;
		if (i == 3)
			continue;
		/* The prefix must match as Windows matches names. */
		{
			char *prefix = strndup(de->d_name, hl);
			int same = prefix != NULL &&
			    wstrcasecmp(prefix, hivename) == 0;

			free(prefix);
			if (!same)
				continue;
		}
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		{
			struct hive_log *tmp = realloc(logs,
			    (nlogs + 1) * sizeof(*logs));

			if (tmp == NULL) {
				ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno,
				    "%s", dir_host);
				goto out;
			}
			logs = tmp;
		}
		memset(&logs[nlogs], 0, sizeof(logs[nlogs]));
		logs[nlogs].size = (uint64_t)st.st_size;
		if ((logs[nlogs].name = strdup(de->d_name)) == NULL ||
		    (logs[nlogs].host_path = str_join_path(dir_host,
		    de->d_name)) == NULL) {
			nlogs++;
			ret = ctx_set_error(ctx, OFFMIG_ENOMEM, errno, "%s",
			    dir_host);
			goto out;
		}
		log_describe(dirfd, &logs[nlogs]);
		nlogs++;
	}
out:
	closedir(dir);
	if (ret != OFFMIG_OK) {
		hive_logs_free(logs, nlogs);
		return ret;
	}
	*logsp = logs;
	*nlogsp = nlogs;
	return OFFMIG_OK;
}
