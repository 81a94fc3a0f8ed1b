/* SPDX-License-Identifier: MIT */
/*
 * OVMF firmware facts needed to measure an SNP launch (sev-snp-measure sevsnpmeasure/ovmf.py):
 * the GUIDed footer table at the end of the image, the SEV-ES reset block (AP reset EIP),
 * the kernel-hashes table location and the "ASEV" SEV metadata sections.
 *
 * The parser treats the image as hostile: every length is bounds-checked against the
 * buffer before use.
 */
#ifndef SNPVMM_SNP_OVMF_H
#define SNPVMM_SNP_OVMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

/* OvmfSevMetadataSectionType (edk2 OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm). */
enum ovmf_section_type {
	OVMF_SECTION_SNP_SEC_MEM = 1,
	OVMF_SECTION_SNP_SECRETS = 2,
	OVMF_SECTION_CPUID = 3,
	OVMF_SECTION_SVSM_CAA = 4,
	OVMF_SECTION_SNP_KERNEL_HASHES = 0x10,
};

/* A bound far above any real firmware (edk2 has 7) that keeps hostile counts cheap. */
#define OVMF_MAX_SECTIONS 64

struct ovmf_section {
	uint32_t gpa;
	uint32_t size;
	uint32_t type; /* enum ovmf_section_type, or an unknown value as found */
};

struct ovmf_info {
	bool has_reset_eip; /* SEV-ES reset block 00f771de-... */
	uint32_t reset_eip;
	bool has_hashes_table; /* SEV kernel-hashes table 7255371f-... */
	uint32_t hashes_table_base;
	uint32_t hashes_table_size;
	bool has_secret_area; /* 4c2eb361-... (not used for SNP measurement) */
	uint32_t secret_area_base;
	uint32_t secret_area_size;
	bool has_metadata; /* SEV metadata dc886566-... */
	uint32_t metadata_offset;
	uint32_t nr_sections;
	struct ovmf_section sections[OVMF_MAX_SECTIONS];
};

/*
 * Parses the footer table and, if it points to one, the SEV metadata.
 * Errors, with a sentence in *d (d may be NULL):
 *   -ENOEXEC  no footer table GUID at the end of the image (not an OVMF image), or
 *             bad "ASEV" signature/version
 *   -EINVAL   a footer or metadata length/offset outside the image, an entry too short for
 *             its GUID, sections that are unaligned, wrap past 4 GiB or overlap, too many
 * A table without a metadata entry is not an error (has_metadata = false), as in
 * sev-snp-measure.
 */
int ovmf_parse(const uint8_t *img, size_t len, struct ovmf_info *ret_info, struct diag *d)
	__attribute__((warn_unused_result));

const char *ovmf_section_type_name(uint32_t type);

bool ovmf_has_section(const struct ovmf_info *info, enum ovmf_section_type type);

#endif /* SNPVMM_SNP_OVMF_H */
