/* SPDX-License-Identifier: MIT */
/*
 * The SEV kernel-hashes table that OVMF checks before booting a -kernel/-initrd/-append
 * triple (QEMU target/i386/sev.c build_kernel_loader_hashes, sev-snp-measure
 * sevsnpmeasure/sev_hashes.py; edk2 OvmfPkg/AmdSev/BlobVerifierLibSevHashes checks it).
 */
#ifndef SNPVMM_SNP_SEV_HASHES_H
#define SNPVMM_SNP_SEV_HASHES_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/source.h"

#define SEV_HASH_LEN	      32   /* SHA-256 */
#define SEV_HASH_TABLE_SIZE   0xA8 /* the table without padding */
#define SEV_HASH_TABLE_PADDED 0xB0 /* padded to a 16-byte multiple */

struct sev_hashes {
	uint8_t cmdline[SEV_HASH_LEN];
	uint8_t initrd[SEV_HASH_LEN];
	uint8_t kernel[SEV_HASH_LEN];
};

/* SHA-256 of one buffer (0 or -EIO). */
int sev_sha256(const void *data, size_t len, uint8_t out[SEV_HASH_LEN])
	__attribute__((warn_unused_result));

/*
 * kernel: the bzImage bytes as given. initrd: NULL/0 for none (hashes the empty string).
 * cmdline: NUL-terminated, NULL for none; the hash covers the string and its NUL, so NULL and
 * "" both hash a single 0x00 byte.
 */
int sev_hashes_compute(const void *kernel, size_t kernel_len, const void *initrd, size_t initrd_len,
		       const char *cmdline, struct sev_hashes *ret_hashes)
	__attribute__((warn_unused_result));

/* The same from sources, streamed (initrd NULL for none). d names a file that cannot be
 * read. */
int sev_hashes_compute_sources(const struct byte_source *kernel, const struct byte_source *initrd,
			       const char *cmdline, struct sev_hashes *ret_hashes, struct diag *d)
	__attribute__((warn_unused_result));

/* The padded table (0xB0 bytes). */
void sev_hashes_table(const struct sev_hashes *h, uint8_t table[SEV_HASH_TABLE_PADDED]);

/* A zero 4 KiB page with the padded table at offset_in_page. -EINVAL if it does not fit. */
int sev_hashes_page(const struct sev_hashes *h, uint32_t offset_in_page, uint8_t page[4096])
	__attribute__((warn_unused_result));

#endif /* SNPVMM_SNP_SEV_HASHES_H */
