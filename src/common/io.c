/*
 * io.c - whole-buffer read(2), pread(2) and write(2): each retries on EINTR
 * and loops over short transfers, so callers do not repeat the loop.  They
 * set errno only where documented in common.h; everything else errno holds
 * comes from the system calls, so a caller may print it as before.
 */
#include "config.h"

#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/common.h"

int
io_write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* A write of 0 bytes would loop for ever. */
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Reads into buf until len bytes are in or the file ends: with pread()
 * from off when positional is set, else with read() from the file offset.
 */
static ssize_t
read_full(int fd, void *buf, size_t len, off_t off, int positional)
{
	unsigned char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = positional ?
		    pread(fd, p + got, len - got, off + (off_t)got) :
		    read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

ssize_t
io_read_full(int fd, void *buf, size_t len)
{
	return read_full(fd, buf, len, 0, 0);
}

ssize_t
io_pread_full(int fd, void *buf, size_t len, off_t off)
{
	return read_full(fd, buf, len, off, 1);
}

int
io_pread_all(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = io_pread_full(fd, buf, len, off);

	if (n < 0)
		return -1;
	if ((size_t)n < len) {
		errno = EIO;
		return -1;
	}
	return 0;
}
