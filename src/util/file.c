// SPDX-License-Identifier: MIT
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_map_open(const char *path, const char *what, struct file_map *ret_map, struct diag *d)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t len = 0;
	int fd, r;

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
	/* A private copy, not a mapping: a file truncated or rewritten while we launch can
	 * neither fault us (SIGBUS) nor make the measured bytes differ from the predicted. */
	if (st.st_size > 0) {
		buf = malloc((size_t)st.st_size);
		if (!buf) {
			r = diag_fail(d, -ENOMEM, "%s '%s' (%lld bytes) does not fit in memory",
				      what, path, (long long)st.st_size);
			goto out_close;
		}
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + len, (size_t)st.st_size - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = diag_fail(d, n < 0 ? -errno : -EIO, "cannot read %s '%s': %s", what,
				      path, n < 0 ? strerror(errno) : "it shrank while being read");
			goto out_free;
		}
		len += (size_t)n;
	}
	ret_map->data = buf;
	ret_map->size = len;
	buf = NULL;
	r = 0;
out_free:
	free(buf);
out_close:
	close(fd);
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
