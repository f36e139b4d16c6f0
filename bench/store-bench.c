/*
 * store-bench.c - times a hard-link store create against "cp -al" of the
 * same files on the same filesystem (issue 5: at most 1.3x), and reports
 * the peak memory of each.  Usage: store-bench DIR [FILES [ROUNDS]]; it
 * makes DIR/vol with FILES files (1,000 a folder, 3 levels deep) and times,
 * each in its own child process, "cp -al DIR/vol/Users DIR/cp-N" and a
 * store create of the same files into DIR/vol/store-N (remove them
 * between runs; the tree is reused).  Not part of make check.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "migrate/store.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
rel_of(long i, char *rel, size_t size, char *win, size_t wsize)
{
	snprintf(rel, size, "Users/u%ld/Documents/d%03ld/file-%04ld.txt",
	    i / 100000, (i / 1000) % 100, i % 1000);
	snprintf(win, wsize, "C:\\Users\\u%ld\\Documents\\d%03ld\\file-%04ld.txt",
	    i / 100000, (i / 1000) % 100, i % 1000);
}

static int
make_tree(const char *vol, long n)
{
	char rel[256], win[256], path[1400];
	long i;
	int fd;

	for (i = 0; i < n; i++) {
		rel_of(i, rel, sizeof(rel), win, sizeof(win));
		if (i % 1000 == 0) {
			char *p;

			snprintf(path, sizeof(path), "%s/%s", vol, rel);
			for (p = path + strlen(vol) + 1; (p = strchr(p, '/'));
			    p++) {
				*p = '\0';
				mkdir(path, 0755);
				*p = '/';
			}
		}
		snprintf(path, sizeof(path), "%s/%s", vol, rel);
		if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) < 0)
			return -1;
		if (write(fd, rel, strlen(rel)) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static int
store_run(const char *vol, const char *store, long n)
{
	struct offmig_ctx *ctx = offmig_ctx_new();
	struct store *s = NULL;
	struct store_object o;
	char rel[256], win[256];
	long i;
	int vfd = open(vol, O_PATH | O_DIRECTORY);

	if (ctx == NULL || vfd < 0 || store_create_begin(ctx, vfd, vol, store,
	    0, "BENCH", "Windows 10", &s) != OFFMIG_OK) {
		fprintf(stderr, "begin: %s\n", offmig_errmsg(ctx));
		return 1;
	}
	memset(&o, 0, sizeof(o));
	o.winpath = win;
	o.host_path = rel;
	o.sid = "S-1-5-21-1-2-3-1001";
	for (i = 0; i < n; i++) {
		rel_of(i, rel, sizeof(rel), win, sizeof(win));
		if (store_add(s, &o) != OFFMIG_OK) {
			fprintf(stderr, "add: %s\n", offmig_errmsg(ctx));
			store_abort(s);
			return 1;
		}
	}
	if (store_create_end(s, NULL) != OFFMIG_OK) {
		fprintf(stderr, "end: %s\n", offmig_errmsg(ctx));
		return 1;
	}
	close(vfd);
	offmig_ctx_free(ctx);
	return 0;
}

static double cpu_total;	/* user + system seconds of the last timed() */

/* Runs what in a child; prints its wall and CPU times and peak RSS. */
static double
timed(const char *label, const char *vol, const char *store, long n,
    const char *cmd)
{
	struct rusage ru;
	double t0 = now(), t;
	pid_t pid;
	int status;

	if ((pid = fork()) == 0) {
		if (cmd != NULL)
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(store_run(vol, store, n));
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s failed\n", label);
		exit(1);
	}
	t = now() - t0;
	cpu_total = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec /
	    1e6 + (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("%-14s %8.3f s wall %8.3f s cpu  peak RSS %6ld KiB\n", label, t,
	    cpu_total, ru.ru_maxrss);
	return t;
}

int
main(int argc, char **argv)
{
	char vol[1024], store[1100], cmd[3000], label[64];
	long n = argc > 2 ? atol(argv[2]) : 100000;
	int rounds = argc > 3 ? atoi(argv[3]) : 2, r;
	double ts = 0, tc = 0, cs = 0, cc = 0, t0;

	if (argc < 2) {
		fprintf(stderr, "usage: store-bench DIR [FILES [ROUNDS]]\n");
		return 2;
	}
	snprintf(vol, sizeof(vol), "%s/vol", argv[1]);
	mkdir(argv[1], 0755);
	if (mkdir(vol, 0755) != 0 && errno != EEXIST)
		return 1;
	/* A tree made before for the same count is reused. */
	snprintf(store, sizeof(store), "%s/.made-%ld", argv[1], n);
	if (access(store, F_OK) != 0) {
		t0 = now();
		if (make_tree(vol, n) != 0) {
			perror("make_tree");
			return 1;
		}
		printf("%ld files made in %.1f s under %s\n", n, now() - t0,
		    vol);
		close(open(store, O_WRONLY | O_CREAT, 0644));
	}
	sync();
	for (r = 0; r < rounds; r++) {
		snprintf(cmd, sizeof(cmd), "cp -al '%s/Users' '%s/cp-%d'", vol,
		    argv[1], r);
		snprintf(label, sizeof(label), "cp -al #%d", r + 1);
		tc += timed(label, vol, NULL, n, cmd);
		cc += cpu_total;
		snprintf(store, sizeof(store), "%s/store-%d", vol, r);
		snprintf(label, sizeof(label), "store #%d", r + 1);
		ts += timed(label, vol, store, n, NULL);
		cs += cpu_total;
	}
	printf("store create / cp -al = %.2f wall, %.2f cpu\n", ts / tc,
	    cs / cc);
	return 0;
}
