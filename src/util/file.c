// SPDX-License-Identifier: MIT
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_in_open(const char *path, const char *what, struct file_in *ret, struct diag *d)
{
	struct stat st;
	int fd, r;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return diag_fail(d, -errno, "cannot open %s '%s': %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = diag_fail(d, -errno, "cannot stat %s '%s': %s", what, path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		r = diag_fail(d, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
			      "%s '%s' is not a regular file", what, path);
		goto out_close;
	}
	*ret = (struct file_in){
		.fd = fd, .size = (uint64_t)st.st_size, .path = path, .what = what
	};
	return 0;
out_close:
	close(fd);
	return r;
}

int file_in_read(struct file_in *f, struct file_map *ret_map, struct diag *d)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	if (f->size > SIZE_MAX)
		return diag_fail(d, -EFBIG, "%s '%s' (%llu bytes) does not fit in memory", f->what,
				 f->path, (unsigned long long)f->size);
	/* A private copy, not a mapping: a file truncated or rewritten while we launch can
	 * neither fault us (SIGBUS) nor make the measured bytes differ from the predicted.
	 * Exactly the size fstat gave, which the caller checked: a file that grows since is
	 * not read further. */
	if (f->size > 0) {
		buf = malloc((size_t)f->size);
		if (!buf)
			return diag_fail(d, -ENOMEM, "%s '%s' (%llu bytes) does not fit in memory",
					 f->what, f->path, (unsigned long long)f->size);
	}
	while (len < f->size) {
		ssize_t n = pread(f->fd, buf + len, (size_t)f->size - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = diag_fail(d, n < 0 ? -errno : -EIO, "cannot read %s '%s': %s", f->what,
				      f->path,
				      n < 0 ? strerror(errno) : "it shrank while being read");
			free(buf);
			return r;
		}
		len += (size_t)n;
	}
	ret_map->data = buf;
	ret_map->size = len;
	return 0;
}

void file_in_close(struct file_in *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

int file_map_open(const char *path, const char *what, uint64_t max_size, struct file_map *ret_map,
		  struct diag *d)
{
	struct file_in f;
	int r;

	r = file_in_open(path, what, &f, d);
	if (r < 0)
		return r;
	if (f.size > max_size)
		r = diag_fail(d, -EFBIG,
			      "%s '%s' is too large: %llu bytes, at most %llu can be used", what,
			      path, (unsigned long long)f.size, (unsigned long long)max_size);
	else
		r = file_in_read(&f, ret_map, d);
	file_in_close(&f);
	return r;
}

void file_map_close(struct file_map *map)
{
	if (!map)
		return;
	free((void *)map->data);
	map->data = NULL;
	map->size = 0;
}

int file_create(const char *path, const char *what, bool keep_nonblocking, struct diag *d)
{
	int fd, flags;

	/* fifo(7): "opening for write-only [with O_NONBLOCK] fails with ENXIO unless the other
	 * end has already been opened"; without O_NONBLOCK open() waits for a reader forever.
	 * O_TRUNC is ignored for a FIFO or a terminal. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0644);
	if (fd < 0 && errno == ENXIO)
		return diag_fail(d, -ENXIO,
				 "cannot open %s '%s': it is a FIFO that no process reads (start "
				 "the reader first)",
				 what, path);
	if (fd < 0)
		return diag_fail(d, -errno, "cannot create %s '%s': %s", what, path,
				 strerror(errno));
	if (!keep_nonblocking) {
		flags = fcntl(fd, F_GETFL);
		if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
			int err = errno;

			close(fd);
			return diag_fail(d, -err, "cannot use %s '%s': %s", what, path,
					 strerror(err));
		}
	}
	return fd;
}

int file_create_stream(const char *path, const char *what, FILE **ret, struct diag *d)
{
	int fd = file_create(path, what, false, d);
	FILE *f;

	if (fd < 0)
		return fd;
	f = fdopen(fd, "w");
	if (!f) {
		int err = errno;

		close(fd);
		return diag_fail(d, -err, "cannot use %s '%s': %s", what, path, strerror(err));
	}
	*ret = f;
	return 0;
}
