/* SPDX-License-Identifier: MIT */
#ifndef SNPVMM_UTIL_FILE_H
#define SNPVMM_UTIL_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* Creates (0644) or truncates `path` for writing and returns the fd, or -errno with d
 * naming the file. Never blocks: a FIFO that no process reads is refused (-ENXIO) instead
 * of waiting for a reader. The fd is blocking unless keep_nonblocking. */
int file_create(const char *path, const char *what, bool keep_nonblocking, struct diag *d)
	__attribute__((warn_unused_result));
/* file_create() as a stdio stream. */
int file_create_stream(const char *path, const char *what, FILE **ret, struct diag *d)
	__attribute__((warn_unused_result));

#endif /* SNPVMM_UTIL_FILE_H */
