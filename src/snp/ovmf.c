// SPDX-License-Identifier: MIT
/*
 * OVMF footer table and SEV metadata parser (edk2
 * OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm and X64/OvmfSevMetadata.asm; sev-snp-measure
 * ovmf.py). All multi-byte fields are little-endian and read bytewise, so the image may be
 * unaligned.
 */
#include "snp/ovmf.h"

#include <errno.h>
#include <string.h>

#define GUID_LEN	 16
/* Each entry ends with u16 size + GUID; so does the footer entry. */
#define ENTRY_TRAILER	 (2 + GUID_LEN)
/* The footer entry sits 32 bytes before the end: 16 bytes of reset vector at 0xFFFFFFF0
 * preceded by 16 bytes of padding. */
#define FOOTER_END_GAP	 32
#define FOOTER_MIN_IMAGE (FOOTER_END_GAP + ENTRY_TRAILER)
#define METADATA_HDR	 16
#define METADATA_DESC	 12
#define PAGE_MASK_4K	 0xFFFu

/* GUIDs in EFI (mixed-endian) byte order, i.e. Python's uuid.bytes_le. */
static const uint8_t guid_footer[GUID_LEN] = { /* 96b582de-1fb2-45f7-baea-a366c55a082d */
					       0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
					       0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d
};
static const uint8_t guid_sev_es_reset[GUID_LEN] = { /* 00f771de-1a7e-4fcb-890e-68c77e2fb44e */
						     0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
						     0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e
};
static const uint8_t guid_sev_metadata[GUID_LEN] = { /* dc886566-984a-4798-a75e-5585a7bf67cc */
						     0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
						     0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc
};
static const uint8_t guid_hash_table[GUID_LEN] = { /* 7255371f-3a3b-4b04-927b-1da6efa8d454 */
						   0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
						   0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54
};
static const uint8_t guid_secret_area[GUID_LEN] = { /* 4c2eb361-7d9b-4cc3-8081-127c90d3d294 */
						    0x61, 0xb3, 0x2e, 0x4c, 0x9b, 0x7d, 0xc3, 0x4c,
						    0x80, 0x81, 0x12, 0x7c, 0x90, 0xd3, 0xd2, 0x94
};

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

const char *ovmf_section_type_name(uint32_t type)
{
	switch (type) {
	case OVMF_SECTION_SNP_SEC_MEM:
		return "SNP_SEC_MEM";
	case OVMF_SECTION_SNP_SECRETS:
		return "SNP_SECRETS";
	case OVMF_SECTION_CPUID:
		return "CPUID";
	case OVMF_SECTION_SVSM_CAA:
		return "SVSM_CAA";
	case OVMF_SECTION_SNP_KERNEL_HASHES:
		return "SNP_KERNEL_HASHES";
	}
	return "unknown";
}

bool ovmf_has_section(const struct ovmf_info *info, enum ovmf_section_type type)
{
	uint32_t i;

	for (i = 0; i < info->nr_sections; i++) {
		if (info->sections[i].type == (uint32_t)type)
			return true;
	}
	return false;
}

/* One footer-table entry: data[0..len) with its GUID. */
static int parse_entry(struct ovmf_info *info, const uint8_t *guid, const uint8_t *data, size_t len,
		       struct diag *d)
{
	if (memcmp(guid, guid_sev_es_reset, GUID_LEN) == 0) {
		if (len < 4)
			return diag_fail(d, -EINVAL,
					 "SEV-ES reset block entry too short (%zu bytes)", len);
		info->has_reset_eip = true;
		info->reset_eip = le32(data);
	} else if (memcmp(guid, guid_sev_metadata, GUID_LEN) == 0) {
		if (len < 4)
			return diag_fail(d, -EINVAL, "SEV metadata entry too short (%zu bytes)",
					 len);
		info->has_metadata = true;
		info->metadata_offset = le32(data);
	} else if (memcmp(guid, guid_hash_table, GUID_LEN) == 0) {
		if (len < 8)
			return diag_fail(d, -EINVAL,
					 "kernel-hashes table entry too short (%zu bytes)", len);
		info->has_hashes_table = true;
		info->hashes_table_base = le32(data);
		info->hashes_table_size = le32(data + 4);
	} else if (memcmp(guid, guid_secret_area, GUID_LEN) == 0) {
		if (len < 8)
			return diag_fail(d, -EINVAL,
					 "launch-secret area entry too short (%zu bytes)", len);
		info->has_secret_area = true;
		info->secret_area_base = le32(data);
		info->secret_area_size = le32(data + 4);
	}
	/* Other GUIDs (TDX metadata, ...) are not ours to judge. */
	return 0;
}

static int parse_footer(const uint8_t *img, size_t len, struct ovmf_info *info, struct diag *d)
{
	size_t footer = len - FOOTER_MIN_IMAGE; /* offset of the footer's u16 total_size */
	size_t total, start, end, entry;
	int r;

	if (memcmp(img + footer + 2, guid_footer, GUID_LEN) != 0)
		return diag_fail(d, -ENOEXEC, "no OVMF footer table GUID at offset 0x%zx",
				 footer + 2);
	total = le16(img + footer);
	if (total < ENTRY_TRAILER)
		return diag_fail(d, -EINVAL, "footer table size %zu is smaller than its footer",
				 total);
	/* The entries sit directly in front of the footer entry. */
	if (total - ENTRY_TRAILER > footer)
		return diag_fail(d, -EINVAL,
				 "footer table size %zu reaches before the start of the image",
				 total);
	start = footer - (total - ENTRY_TRAILER);
	end = footer;

	/* Walk backwards: data || u16 entry_size || GUID, entry_size counting all three. */
	while (end - start >= ENTRY_TRAILER) {
		entry = le16(img + end - ENTRY_TRAILER);
		if (entry < ENTRY_TRAILER)
			return diag_fail(d, -EINVAL,
					 "footer table entry at offset 0x%zx has size %zu (< 18)",
					 end - ENTRY_TRAILER, entry);
		if (entry > end - start)
			return diag_fail(
				d, -EINVAL,
				"truncated footer table: entry at offset 0x%zx has size %zu "
				"but only %zu bytes of table remain",
				end - ENTRY_TRAILER, entry, end - start);
		r = parse_entry(info, img + end - GUID_LEN, img + end - entry,
				entry - ENTRY_TRAILER, d);
		if (r < 0)
			return r;
		end -= entry;
	}
	return 0;
}

static int parse_metadata(const uint8_t *img, size_t len, struct ovmf_info *info, struct diag *d)
{
	const uint8_t *hdr, *desc;
	size_t off = info->metadata_offset;
	uint32_t size, num, i, j;
	uint64_t end_i, end_j;
	struct ovmf_section *s;

	/* The header is at image_size - offset and must fit in the image. */
	if (off > len || off < METADATA_HDR)
		return diag_fail(d, -EINVAL,
				 "SEV metadata offset 0x%zx is outside the %zu-byte image", off,
				 len);
	hdr = img + (len - off);
	if (memcmp(hdr, "ASEV", 4) != 0)
		return diag_fail(d, -ENOEXEC,
				 "SEV metadata at offset 0x%zx has no \"ASEV\" signature",
				 len - off);
	size = le32(hdr + 4);
	num = le32(hdr + 12);
	if (num > OVMF_MAX_SECTIONS)
		return diag_fail(d, -EINVAL,
				 "SEV metadata lists %u sections (at most %d supported)", num,
				 OVMF_MAX_SECTIONS);
	if (size < METADATA_HDR + (size_t)num * METADATA_DESC)
		return diag_fail(d, -EINVAL, "SEV metadata size %u is too small for %u sections",
				 size, num);
	if (size > off)
		return diag_fail(d, -EINVAL, "SEV metadata size %u runs past the end of the image",
				 size);

	desc = hdr + METADATA_HDR;
	for (i = 0; i < num; i++) {
		s = &info->sections[i];
		s->gpa = le32(desc + (size_t)i * METADATA_DESC);
		s->size = le32(desc + (size_t)i * METADATA_DESC + 4);
		s->type = le32(desc + (size_t)i * METADATA_DESC + 8);
		if ((s->gpa & PAGE_MASK_4K) || (s->size & PAGE_MASK_4K) || s->size == 0)
			return diag_fail(d, -EINVAL,
					 "SEV metadata section %u (gpa 0x%x size 0x%x) is empty or "
					 "not 4 KiB aligned",
					 i, s->gpa, s->size);
		if ((uint64_t)s->gpa + s->size > 0x100000000ull)
			return diag_fail(
				d, -EINVAL,
				"SEV metadata section %u (gpa 0x%x size 0x%x) wraps past 4 GiB", i,
				s->gpa, s->size);
		end_i = (uint64_t)s->gpa + s->size;
		for (j = 0; j < i; j++) {
			end_j = (uint64_t)info->sections[j].gpa + info->sections[j].size;
			if (s->gpa < end_j && info->sections[j].gpa < end_i)
				return diag_fail(
					d, -EINVAL,
					"SEV metadata sections %u and %u overlap (0x%x+0x%x, "
					"0x%x+0x%x)",
					j, i, info->sections[j].gpa, info->sections[j].size, s->gpa,
					s->size);
		}
	}
	info->nr_sections = num;
	return 0;
}

int ovmf_parse(const uint8_t *img, size_t len, struct ovmf_info *ret_info, struct diag *d)
{
	struct ovmf_info info;
	int r;

	memset(&info, 0, sizeof(info));
	if (!img || len < FOOTER_MIN_IMAGE)
		return diag_fail(
			d, -ENOEXEC,
			"firmware image of %zu bytes is too small for an OVMF footer table", len);
	r = parse_footer(img, len, &info, d);
	if (r < 0)
		return r;
	if (info.has_metadata) {
		r = parse_metadata(img, len, &info, d);
		if (r < 0)
			return r;
	}
	*ret_info = info;
	return 0;
}
