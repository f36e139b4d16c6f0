/*
 * maptouch.c - maps a file read-only and reads one byte of each page, the
 * least any reader that looks at the whole file must do.  bench/run.sh
 * times it on SOFTWARE: hivex_open() walks every cell of a hive, so a
 * program that opens the hive with hivex cannot take less than this, and
 * on a machine where page faults are slow (a paravirtualised VM) it is
 * most of what hivexget costs.
 *
 * Usage: maptouch FILE.  Prints the number of pages touched and the sum of
 * the bytes read (so the reads cannot be optimised away).  Exit status 0,
 * or 1 when the file cannot be opened or mapped.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const volatile unsigned char *p;
	unsigned long sum = 0, pages = 0;
	struct stat st;
	long pagesize;
	void *map;
	off_t off;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: maptouch FILE\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		fprintf(stderr, "maptouch: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (st.st_size == 0) {
		printf("0 pages, sum 0\n");
		return 0;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "maptouch: %s: mmap: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	if ((pagesize = sysconf(_SC_PAGESIZE)) <= 0)
		pagesize = 4096;
	p = map;
	for (off = 0; off < st.st_size; off += pagesize, pages++)
		sum += p[off];
	printf("%lu pages, sum %lu\n", pages, sum);
	munmap(map, (size_t)st.st_size);
	close(fd);
	return 0;
}
