// SPDX-License-Identifier: MIT
#include "snp/sev_hashes.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

#include "util/ossl_err.h"

/* GUIDs in EFI byte order (sev_hashes.py; edk2 OvmfPkg/AmdSev/BlobVerifierLibSevHashes). */
static const uint8_t guid_table[16] = { /* 9438d606-4f22-4cc9-b479-a793d411fd21 */
					0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
					0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21
};
static const uint8_t guid_cmdline[16] = { /* 97d02dd8-bd20-4c94-aa78-e7714d36ab2a */
					  0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c,
					  0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a
};
static const uint8_t guid_initrd[16] = { /* 44baf731-3a2f-4bd7-9af1-41e29169781d */
					 0x31, 0xf7, 0xba, 0x44, 0x2f, 0x3a, 0xd7, 0x4b,
					 0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d
};
static const uint8_t guid_kernel[16] = { /* 4de79437-abd2-427f-b835-d5b172d2045b */
					 0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42,
					 0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b
};

#define ENTRY_SIZE (16 + 2 + SEV_HASH_LEN) /* 0x32 */

int sev_sha256(const void *data, size_t len, uint8_t out[SEV_HASH_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != SEV_HASH_LEN)
		return ossl_errno(-EIO);
	return 0;
}

int sev_hashes_compute(const void *kernel, size_t kernel_len, const void *initrd, size_t initrd_len,
		       const char *cmdline, struct sev_hashes *ret_hashes)
{
	struct sev_hashes h;
	int r;

	/* The command line is hashed with its terminating NUL; none means "" (sev_hashes.py,
	 * QEMU build_kernel_loader_hashes()). */
	if (!cmdline)
		cmdline = "";
	r = sev_sha256(cmdline, strlen(cmdline) + 1, h.cmdline);
	if (r < 0)
		return r;
	r = sev_sha256(initrd ? initrd : "", initrd ? initrd_len : 0, h.initrd);
	if (r < 0)
		return r;
	r = sev_sha256(kernel ? kernel : "", kernel ? kernel_len : 0, h.kernel);
	if (r < 0)
		return r;
	*ret_hashes = h;
	return 0;
}

int sev_hashes_compute_sources(const struct byte_source *kernel, const struct byte_source *initrd,
			       const char *cmdline, struct sev_hashes *ret_hashes, struct diag *d)
{
	struct sev_hashes h;
	int r;

	if (!cmdline)
		cmdline = "";
	r = sev_sha256(cmdline, strlen(cmdline) + 1, h.cmdline);
	if (r >= 0)
		r = initrd ? source_digest(initrd, 0, initrd->size, "SHA256", h.initrd, d)
			   : sev_sha256("", 0, h.initrd);
	if (r >= 0)
		r = source_digest(kernel, 0, kernel->size, "SHA256", h.kernel, d);
	if (r < 0)
		return r;
	*ret_hashes = h;
	return 0;
}

static uint8_t *put_entry(uint8_t *p, const uint8_t guid[16], const uint8_t hash[SEV_HASH_LEN])
{
	memcpy(p, guid, 16);
	p[16] = ENTRY_SIZE & 0xff;
	p[17] = ENTRY_SIZE >> 8;
	memcpy(p + 18, hash, SEV_HASH_LEN);
	return p + ENTRY_SIZE;
}

void sev_hashes_table(const struct sev_hashes *h, uint8_t table[SEV_HASH_TABLE_PADDED])
{
	uint8_t *p = table;

	memset(table, 0, SEV_HASH_TABLE_PADDED);
	memcpy(p, guid_table, 16);
	p[16] = SEV_HASH_TABLE_SIZE & 0xff;
	p[17] = SEV_HASH_TABLE_SIZE >> 8;
	p += 18;
	/* Entry order: cmdline, initrd, kernel (QEMU struct SevHashTable). */
	p = put_entry(p, guid_cmdline, h->cmdline);
	p = put_entry(p, guid_initrd, h->initrd);
	(void)put_entry(p, guid_kernel, h->kernel);
	_Static_assert(18 + 3 * ENTRY_SIZE == SEV_HASH_TABLE_SIZE, "SevHashTable size");
}

int sev_hashes_page(const struct sev_hashes *h, uint32_t offset_in_page, uint8_t page[4096])
{
	if (offset_in_page > 4096 - SEV_HASH_TABLE_PADDED)
		return -EINVAL;
	memset(page, 0, 4096);
	sev_hashes_table(h, page + offset_in_page);
	return 0;
}
