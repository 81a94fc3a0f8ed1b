/* SPDX-License-Identifier: MIT */
#ifndef SNPVMM_UTIL_FILE_H
#define SNPVMM_UTIL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

/* The whole contents of a regular file, read into memory (a copy, so the file may change
 * afterwards without effect). An empty file gives data == NULL, size == 0. */
struct file_map {
	const uint8_t *data;
	size_t size;
};

/* -errno with d naming the path ("cannot open '...': ..."); -EISDIR for a directory. */
int file_map_open(const char *path, const char *what, struct file_map *ret_map, struct diag *d)
	__attribute__((warn_unused_result));
void file_map_close(struct file_map *map);

#endif /* SNPVMM_UTIL_FILE_H */
