// SPDX-License-Identifier: MIT
#include "snp/certs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* virtee/sev src/firmware/host/types/snp.rs CertType (also google/go-sev-guest abi), bytes in
 * the order of the textual GUID. */
static const uint8_t guids[CERTS_KIND_MAX][16] = {
	[CERTS_ARK] = { 0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6,
			0x01, 0x4c, 0xd0, 0xae },
	[CERTS_ASK] = { 0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae,
			0xf3, 0x27, 0xc7, 0x82 },
	[CERTS_VCEK] = { 0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9,
			 0x3b, 0xe8, 0xac, 0xcd },
	[CERTS_VLEK] = { 0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0,
			 0x45, 0xa0, 0xb8, 0xa1 },
	[CERTS_CRL] = { 0x92, 0xf8, 0x1b, 0xc3, 0x58, 0x11, 0x4d, 0x3d, 0x97, 0xff, 0xd1, 0x9f,
			0x88, 0xdc, 0x67, 0xea },
};
_Static_assert(sizeof(guids) / sizeof(guids[0]) == CERTS_KIND_MAX, "one GUID per kind");

static const char *const names[CERTS_KIND_MAX] = {
	[CERTS_ARK] = "ARK",   [CERTS_ASK] = "ASK", [CERTS_VCEK] = "VCEK",
	[CERTS_VLEK] = "VLEK", [CERTS_CRL] = "CRL",
};

const uint8_t *certs_kind_guid(enum certs_kind kind)
{
	return kind < CERTS_KIND_MAX ? guids[kind] : NULL;
}

const char *certs_kind_name(enum certs_kind kind)
{
	return kind < CERTS_KIND_MAX ? names[kind] : "?";
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void guid_str(const uint8_t *g, char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12],
		 g[13], g[14], g[15]);
}

static bool is_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int certs_parse(const uint8_t *buf, size_t len, struct certs_table *ret_table, struct diag *d)
{
	struct certs_table t = { 0 };
	uint64_t table_end;
	unsigned int i, j, k;
	char g[37];

	if (len > CERTS_MAX_BYTES)
		return diag_fail(d, -EFBIG,
				 "certificate table is %zu bytes, more than the %u a Linux guest "
				 "accepts (SEV_FW_BLOB_MAX_SIZE)",
				 len, CERTS_MAX_BYTES);
	for (i = 0;; i++) {
		const uint8_t *e;

		/* Bounds first: an empty file has no buffer at all (buf may be NULL). */
		if ((size_t)(i + 1) * CERTS_ENTRY_SIZE > len)
			return diag_fail(d, -EINVAL,
					 "certificate table has no all-zero terminator entry "
					 "within its %zu bytes",
					 len);
		e = buf + (size_t)i * CERTS_ENTRY_SIZE;
		if (is_zero(e, CERTS_ENTRY_SIZE))
			break;
		if (i == CERTS_MAX_ENTRIES)
			return diag_fail(d, -EINVAL,
					 "certificate table has more than %u entries before its "
					 "terminator",
					 CERTS_MAX_ENTRIES);
		for (k = 0; k < CERTS_KIND_MAX; k++)
			if (!memcmp(e, guids[k], 16))
				break;
		guid_str(e, g);
		if (k == CERTS_KIND_MAX)
			return diag_fail(d, -EINVAL,
					 "certificate entry %u has unknown GUID %s (known: ARK, "
					 "ASK, VCEK, VLEK, CRL)",
					 i, g);
		t.entries[i] = (struct certs_entry){ k, le32(e + 16), le32(e + 20) };
	}
	t.nr = i;
	table_end = (uint64_t)(t.nr + 1) * CERTS_ENTRY_SIZE;
	for (i = 0; i < t.nr; i++) {
		const struct certs_entry *a = &t.entries[i];
		uint64_t a_end = (uint64_t)a->offset + a->length;

		if (!a->length)
			return diag_fail(d, -EINVAL, "certificate entry %u (%s) has length 0", i,
					 names[a->kind]);
		if (a->offset < table_end)
			return diag_fail(d, -EINVAL,
					 "certificate entry %u (%s) at offset %u overlaps the "
					 "table, which ends at %llu",
					 i, names[a->kind], a->offset,
					 (unsigned long long)table_end);
		if (a_end > len)
			return diag_fail(d, -EINVAL,
					 "certificate entry %u (%s) [%u, +%u) runs past the end "
					 "of the %zu-byte file",
					 i, names[a->kind], a->offset, a->length, len);
		for (j = 0; j < i; j++) {
			const struct certs_entry *b = &t.entries[j];

			if (b->kind == a->kind)
				return diag_fail(d, -EINVAL,
						 "certificate entries %u and %u are both %s", j, i,
						 names[a->kind]);
			if (a->offset < (uint64_t)b->offset + b->length && b->offset < a_end)
				return diag_fail(d, -EINVAL,
						 "certificate entries %u (%s) and %u (%s) overlap",
						 j, names[b->kind], i, names[a->kind]);
		}
	}
	t.blob = malloc(len);
	if (!t.blob)
		return -ENOMEM;
	memcpy(t.blob, buf, len);
	t.size = len;
	*ret_table = t;
	return 0;
}

void certs_table_free(struct certs_table *t)
{
	if (!t)
		return;
	free(t->blob);
	t->blob = NULL;
	t->size = 0;
	t->nr = 0;
}

uint64_t certs_npages(const struct certs_table *t)
{
	size_t size = t ? t->size : CERTS_ENTRY_SIZE;

	return (size + CERTS_PAGE_SIZE - 1) / CERTS_PAGE_SIZE;
}

uint64_t certs_write_to_guest(const struct certs_table *t, uint64_t guest_npages, uint8_t *dst,
			      size_t dst_len, uint64_t *ret_npages)
{
	uint64_t need = certs_npages(t);
	size_t size = t ? t->size : CERTS_ENTRY_SIZE;
	size_t fill = need * CERTS_PAGE_SIZE;

	if (guest_npages < need) {
		*ret_npages = need;
		return ENOSPC;
	}
	if (!dst || dst_len < size)
		return EIO;
	if (t)
		memcpy(dst, t->blob, size);
	else
		memset(dst, 0, size);
	if (fill > dst_len)
		fill = dst_len;
	memset(dst + size, 0, fill - size);
	return 0;
}

uint64_t certs_ret_for_error(int err)
{
	if (err == -EAGAIN || err == -EWOULDBLOCK || err == -EINTR)
		return EAGAIN;
	return EIO;
}
