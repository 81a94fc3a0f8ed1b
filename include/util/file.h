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

/* A regular file opened for reading whose size (fstat) is known and of which nothing has
 * been read: a caller checks the size against what it can ever use before reading, so an
 * absurd file costs nothing. */
struct file_in {
	int fd;
	uint64_t size;
	const char *path, *what; /* for messages: "cannot read initrd 'x.img'" */
};

/* -errno with d naming the path ("cannot open initrd '...': ..."); -EISDIR for a
 * directory, -EINVAL for anything else that is not a regular file (a FIFO, a device). */
int file_in_open(const char *path, const char *what, struct file_in *ret, struct diag *d)
	__attribute__((warn_unused_result));
/* Reads f->size bytes into a new file_map. */
int file_in_read(struct file_in *f, struct file_map *ret_map, struct diag *d)
	__attribute__((warn_unused_result));
void file_in_close(struct file_in *f);

/* file_in_open(), a refusal (-EFBIG) of a file larger than max_size, file_in_read(). */
int file_map_open(const char *path, const char *what, uint64_t max_size, struct file_map *ret_map,
		  struct diag *d) __attribute__((warn_unused_result));
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
