// SPDX-License-Identifier: MIT
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int file_map_open(const char *path, const char *what, struct file_map *ret_map, struct diag *d)
{
	struct stat st;
	void *p = NULL;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
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
	if (st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			r = diag_fail(d, -errno, "cannot read %s '%s': %s", what, path,
				      strerror(errno));
			goto out_close;
		}
	}
	ret_map->data = p;
	ret_map->size = (size_t)st.st_size;
	r = 0;
out_close:
	close(fd);
	return r;
}

void file_map_close(struct file_map *map)
{
	if (map && map->data)
		munmap((void *)map->data, map->size);
	if (map) {
		map->data = NULL;
		map->size = 0;
	}
}
