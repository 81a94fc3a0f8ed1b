// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the certificate-table parser (an operator's file) and the guest
 * write. Checks on success: every entry lies after the table, inside the file, apart from
 * the others, with a distinct kind; the write either fits the pages it claims or asks for
 * exactly certs_npages().
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snp/certs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct certs_table *t)
{
	unsigned int i, j;

	if (t->nr > CERTS_MAX_ENTRIES || t->size > CERTS_MAX_BYTES)
		__builtin_trap();
	for (i = 0; i < t->nr; i++) {
		const struct certs_entry *a = &t->entries[i];

		if (!a->length || a->offset < (t->nr + 1) * 24ULL ||
		    (uint64_t)a->offset + a->length > t->size)
			__builtin_trap();
		for (j = 0; j < i; j++) {
			const struct certs_entry *b = &t->entries[j];

			if (a->kind == b->kind || (a->offset < (uint64_t)b->offset + b->length &&
						   b->offset < (uint64_t)a->offset + a->length))
				__builtin_trap();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certs_table t;
	struct diag d;
	uint64_t npages = 0, offered;
	uint8_t *dst;
	int r;

	d.msg[0] = 0;
	r = certs_parse(data, size, &t, &d);
	if (r) {
		if ((r != -EINVAL && r != -EFBIG && r != -ENOMEM) || !d.msg[0])
			__builtin_trap();
		return 0;
	}
	check(&t);
	offered = size ? data[0] % 6 : 0;
	dst = malloc(offered * CERTS_PAGE_SIZE + 1);
	if (dst) {
		uint64_t ret =
			certs_write_to_guest(&t, offered, dst, offered * CERTS_PAGE_SIZE, &npages);

		if (ret == ENOSPC
			    ? npages != certs_npages(&t) || offered >= npages
			    : ret != 0 || offered < certs_npages(&t) || memcmp(dst, t.blob, t.size))
			__builtin_trap();
		free(dst);
	}
	certs_table_free(&t);
	return 0;
}
