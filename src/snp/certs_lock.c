// SPDX-License-Identifier: MIT
#include "snp/certs_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whole-file OFD lock: owned by the open file description, so it neither conflicts with
 * nor is dropped by other descriptors of this process (fcntl(2) "Open file description
 * locks"), unlike a POSIX record lock. */
static int ofd_setlk(int fd, short type)
{
	struct flock fl = {
		.l_type = type,
		.l_whence = SEEK_SET,
		.l_start = 0,
		.l_len = 0,
	};

	if (fcntl(fd, F_OFD_SETLK, &fl) < 0)
		return errno == EACCES ? -EAGAIN : -errno; /* fcntl(2): EACCES or EAGAIN */
	return 0;
}

int certs_lock_shared(int fd)
{
	return ofd_setlk(fd, F_RDLCK);
}

int certs_unlock(int fd)
{
	return ofd_setlk(fd, F_UNLCK);
}

int certs_read(int fd, uint8_t *buf, size_t cap, size_t *ret_len)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;

	/* A FIFO or device would block or never end: only a regular file will do. */
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	/* One byte more than allowed tells "too big" from "exactly cap". */
	for (;;) {
		uint8_t probe;
		size_t want = len < cap ? cap - len : 1;

		n = pread(fd, len < cap ? buf + len : &probe, want, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (len >= cap)
			return -EFBIG;
		len += (size_t)n;
	}
	*ret_len = len;
	return 0;
}
