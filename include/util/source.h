/* SPDX-License-Identifier: MIT */
/*
 * The bytes of one input (a kernel payload, an initrd, a firmware image) wherever they are:
 * in memory, or in a file read in bounded pieces. Hashing and copying go through here so
 * that no image is ever held whole in the VMM's own memory: `snpvmm measure` streams the
 * files, and the launch reads each image straight into the guest memory it launches from
 * and then hashes it there.
 */
#ifndef SNPVMM_UTIL_SOURCE_H
#define SNPVMM_UTIL_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/file.h"

struct byte_source {
	const uint8_t *mem; /* the bytes, or NULL: pread them from fd at base + offset */
	int fd;
	uint64_t base;
	uint64_t size;
	const char *what; /* "kernel", "initrd": for messages */
	const char *path; /* NULL for memory */
};

/* The piece size for streaming: a multiple of 4 KiB small enough to stay in L2 between
 * the read and the hash. */
#define SOURCE_CHUNK (256u * 1024u)

/* A source over an opened file (file_in_open(): a regular file, its size from fstat, nothing
 * read yet); the source takes over the fd (f->fd becomes -1). */
struct byte_source source_from_file_in(struct file_in *f);
/* file_in_open() and source_from_file_in(), refusing (-EFBIG) a file larger than max_size;
 * -errno with d naming the path. */
int source_open_file(struct byte_source *ret, const char *path, const char *what, uint64_t max_size,
		     struct diag *d) __attribute__((warn_unused_result));
/* Closes a file source (memory sources and views hold nothing); accepts a zeroed struct. */
void source_close(struct byte_source *s);

struct byte_source source_from_memory(const void *mem, uint64_t size, const char *what);
/* [off, off + len) of s as a source of its own (the caller checked it lies inside). */
struct byte_source source_view(const struct byte_source *s, uint64_t off, uint64_t len);

/* Exactly len bytes at off; -EIO with d saying so if the file ended early (it shrank after
 * fstat), -EINVAL for a range outside the source. */
int source_read(const struct byte_source *s, uint64_t off, void *buf, size_t len, struct diag *d)
	__attribute__((warn_unused_result));

/* Calls fn on consecutive pieces of [off, off + len) of at most SOURCE_CHUNK bytes, each
 * starting at a multiple of SOURCE_CHUNK from off: straight from memory, or read into one
 * buffer of that size. Stops at fn's first negative return and returns it. */
typedef int (*source_piece_fn)(void *opaque, uint64_t piece_off, const uint8_t *piece, size_t n);
int source_walk(const struct byte_source *s, uint64_t off, uint64_t len, source_piece_fn fn,
		void *opaque, struct diag *d) __attribute__((warn_unused_result));

/* The digest (OpenSSL algorithm name: "SHA384", "SHA256") of [off, off + len), streamed.
 * out must hold the algorithm's size. */
int source_digest(const struct byte_source *s, uint64_t off, uint64_t len, const char *alg,
		  uint8_t *out, struct diag *d) __attribute__((warn_unused_result));

#endif /* SNPVMM_UTIL_SOURCE_H */
