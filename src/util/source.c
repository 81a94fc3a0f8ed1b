// SPDX-License-Identifier: MIT
#include "util/source.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/ossl_err.h"

struct byte_source source_from_file_in(struct file_in *f)
{
	struct byte_source s = {
		.fd = f->fd,
		.size = f->size,
		.what = f->what,
		.path = f->path,
	};

	f->fd = -1;
	return s;
}

int source_open_file(struct byte_source *ret, const char *path, const char *what, uint64_t max_size,
		     struct diag *d)
{
	struct file_in f;
	int r;

	r = file_in_open(path, what, &f, d);
	if (r < 0)
		return r;
	if (f.size > max_size) {
		r = diag_fail(d, -EFBIG,
			      "%s '%s' is too large: %llu bytes, at most %llu can be used", what,
			      path, (unsigned long long)f.size, (unsigned long long)max_size);
		file_in_close(&f);
		return r;
	}
	*ret = source_from_file_in(&f);
	return 0;
}

void source_close(struct byte_source *s)
{
	if (s && !s->mem && s->path && s->fd >= 0)
		close(s->fd);
	if (s)
		*s = (struct byte_source){ .fd = -1 };
}

struct byte_source source_from_memory(const void *mem, uint64_t size, const char *what)
{
	return (struct byte_source){ .mem = mem, .fd = -1, .size = size, .what = what };
}

struct byte_source source_view(const struct byte_source *s, uint64_t off, uint64_t len)
{
	struct byte_source v = *s;

	if (v.mem)
		v.mem += off;
	else
		v.base += off;
	v.size = len;
	v.path = NULL; /* a view never closes the file */
	return v;
}

static bool range_ok(const struct byte_source *s, uint64_t off, uint64_t len)
{
	return off <= s->size && len <= s->size - off;
}

int source_read(const struct byte_source *s, uint64_t off, void *buf, size_t len, struct diag *d)
{
	size_t done = 0;

	if (!range_ok(s, off, len))
		return diag_fail(d, -EINVAL,
				 "reading %zu bytes at %llu of the %s: outside its %llu", len,
				 (unsigned long long)off, s->what, (unsigned long long)s->size);
	if (s->mem) {
		memcpy(buf, s->mem + off, len);
		return 0;
	}
	while (done < len) {
		ssize_t n = pread(s->fd, (uint8_t *)buf + done, len - done,
				  (off_t)(s->base + off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return diag_fail(d, n < 0 ? -errno : -EIO, "cannot read %s '%s': %s",
					 s->what, s->path ? s->path : "(file)",
					 n < 0 ? strerror(errno) : "it shrank while being read");
		done += (size_t)n;
	}
	return 0;
}

int source_walk(const struct byte_source *s, uint64_t off, uint64_t len, source_piece_fn fn,
		void *opaque, struct diag *d)
{
	uint8_t *buf = NULL;
	uint64_t done;
	int r = 0;

	if (!range_ok(s, off, len))
		return diag_fail(d, -EINVAL, "%llu bytes at %llu are outside the %llu of the %s",
				 (unsigned long long)len, (unsigned long long)off,
				 (unsigned long long)s->size, s->what);
	if (!s->mem && len) {
		buf = malloc(len < SOURCE_CHUNK ? (size_t)len : SOURCE_CHUNK);
		if (!buf)
			return -ENOMEM;
	}
	for (done = 0; done < len && r >= 0; done += SOURCE_CHUNK) {
		size_t n = len - done < SOURCE_CHUNK ? (size_t)(len - done) : SOURCE_CHUNK;

		if (s->mem) {
			r = fn(opaque, done, s->mem + off + done, n);
			continue;
		}
		r = source_read(s, off + done, buf, n, d);
		if (r >= 0)
			r = fn(opaque, done, buf, n);
	}
	free(buf);
	return r < 0 ? r : 0;
}

static int digest_piece(void *opaque, uint64_t piece_off, const uint8_t *piece, size_t n)
{
	return EVP_DigestUpdate(opaque, piece, n) == 1 ? 0 : ossl_errno(-EIO);
}

int source_digest(const struct byte_source *s, uint64_t off, uint64_t len, const char *alg,
		  uint8_t *out, struct diag *d)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = EVP_get_digestbyname(alg);
	unsigned int n = 0;
	int r = -EIO;

	if (!ctx)
		return ossl_errno(-ENOMEM);
	if (md && EVP_DigestInit_ex(ctx, md, NULL) == 1) {
		r = source_walk(s, off, len, digest_piece, ctx, d);
		if (r >= 0 && EVP_DigestFinal_ex(ctx, out, &n) != 1)
			r = ossl_errno(-EIO);
	} else {
		r = ossl_errno(-EIO);
	}
	EVP_MD_CTX_free(ctx);
	if (r == -EIO && !n && d && !d->msg[0])
		r = diag_fail(d, r, "%s of the %s failed in OpenSSL", alg, s->what);
	return r;
}
