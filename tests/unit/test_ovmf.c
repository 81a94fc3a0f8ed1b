// SPDX-License-Identifier: MIT
/* OVMF footer table and SEV metadata parsing: the vector firmwares and hostile images. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snp/ovmf.h"
#include "snp_vectors.h"

#define IMG_SIZE 4096u

/* A synthetic image built like edk2's: footer table ending 32 bytes before the end, entries
 * (reset block, hashes table, metadata pointer) in front of it, and an ASEV block. */
struct image {
	uint8_t b[IMG_SIZE];
	size_t table_start; /* first byte of the entries */
	size_t meta;	    /* offset of the ASEV header */
};

static const uint8_t g_footer[16] = { 0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
				      0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d };
static const uint8_t g_reset[16] = { 0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
				     0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e };
static const uint8_t g_meta[16] = { 0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
				    0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc };
static const uint8_t g_hashes[16] = { 0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
				      0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54 };

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* Writes data||size||guid ending at *end and moves *end to its start. */
static void put_entry(uint8_t *img, size_t *end, const uint8_t guid[16], const uint8_t *data,
		      size_t len)
{
	size_t size = len + 18;

	memcpy(img + *end - 16, guid, 16);
	put16(img + *end - 18, (uint32_t)size);
	memcpy(img + *end - size, data, len);
	*end -= size;
}

static void put_section(struct image *im, unsigned int i, uint32_t gpa, uint32_t size,
			uint32_t type)
{
	uint8_t *d = im->b + im->meta + 16 + 12 * i;

	put32(d, gpa);
	put32(d + 4, size);
	put32(d + 8, type);
}

/* Three sections: SEC_MEM, SECRETS, KERNEL_HASHES. */
static void build_image(struct image *im)
{
	size_t footer = IMG_SIZE - 50, end = footer;
	uint8_t data[8];

	memset(im, 0, sizeof(*im));
	im->meta = 0x800;
	memcpy(im->b + im->meta, "ASEV", 4);
	put32(im->b + im->meta + 4, 16 + 3 * 12);
	put32(im->b + im->meta + 8, 1);
	put32(im->b + im->meta + 12, 3);
	put_section(im, 0, 0x800000, 0x9000, OVMF_SECTION_SNP_SEC_MEM);
	put_section(im, 1, 0x80D000, 0x1000, OVMF_SECTION_SNP_SECRETS);
	put_section(im, 2, 0x810000, 0x1000, OVMF_SECTION_SNP_KERNEL_HASHES);

	put32(data, IMG_SIZE - (uint32_t)im->meta);
	put_entry(im->b, &end, g_meta, data, 4);
	put32(data, 0x810C00);
	put32(data + 4, 0x400);
	put_entry(im->b, &end, g_hashes, data, 8);
	put32(data, 0x80B004);
	put_entry(im->b, &end, g_reset, data, 4);
	im->table_start = end;

	memcpy(im->b + footer + 2, g_footer, 16);
	put16(im->b + footer, (uint32_t)(footer - end + 18));
}

static int parse(struct image *im, struct ovmf_info *info, struct diag *d)
{
	return ovmf_parse(im->b, IMG_SIZE, info, d);
}

static void test_ovmf_synthetic_image_parses(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);

	assert_int_equal(parse(&im, &info, NULL), 0);
	assert_true(info.has_reset_eip);
	assert_int_equal(info.reset_eip, 0x80B004);
	assert_int_equal(info.hashes_table_base, 0x810C00);
	assert_int_equal(info.nr_sections, 3);
	assert_int_equal(info.sections[2].type, OVMF_SECTION_SNP_KERNEL_HASHES);
}

static void test_ovmf_amdsev_vector_lists_doc_sections(void **state)
{
	static const struct ovmf_section want[] = {
		{ 0x800000, 0x9000, 1 }, { 0x80A000, 0x3000, 1 }, { 0x80D000, 0x1000, 2 },
		{ 0x80E000, 0x1000, 3 }, { 0x80F000, 0x1000, 4 }, { 0x810000, 0x1000, 0x10 },
		{ 0x811000, 0xF000, 1 },
	};
	struct ovmf_info info;
	size_t len;
	uint8_t *img = vector_read("R1_amdsev_nokernel_1vcpu", "ovmf.bin", &len);

	assert_int_equal(ovmf_parse(img, len, &info, NULL), 0);

	assert_int_equal(info.reset_eip, 0x0080B004);
	assert_true(info.has_hashes_table);
	assert_int_equal(info.hashes_table_base, 0x00810C00);
	assert_int_equal(info.hashes_table_size, 0x400);
	assert_true(info.has_secret_area);
	assert_int_equal(info.secret_area_base, 0x810000);
	assert_int_equal(info.secret_area_size, 0xC00);
	assert_int_equal(info.nr_sections, 7);
	assert_memory_equal(info.sections, want, sizeof(want));
	free(img);
}

static void test_ovmf_ovmfx64_vector_has_no_kernel_hashes_section(void **state)
{
	struct ovmf_info info;
	size_t len;
	uint8_t *img = vector_read("R4_ovmfx64_nokernel_1vcpu", "ovmf.bin", &len);

	assert_int_equal(ovmf_parse(img, len, &info, NULL), 0);

	assert_int_equal(info.nr_sections, 6);
	assert_false(ovmf_has_section(&info, OVMF_SECTION_SNP_KERNEL_HASHES));
	assert_int_equal(info.sections[5].type, OVMF_SECTION_SNP_SEC_MEM);
	assert_int_equal(info.sections[5].gpa, 0x810000);
	assert_int_equal(info.sections[5].size, 0x10000);
	free(img);
}

static void test_ovmf_image_too_small_returns_enoexec(void **state)
{
	struct image im;
	struct ovmf_info info;
	struct diag d = { "" };

	build_image(&im);

	assert_int_equal(ovmf_parse(im.b + IMG_SIZE - 49, 49, &info, &d), -ENOEXEC);
	assert_non_null(strstr(d.msg, "too small"));
}

static void test_ovmf_missing_footer_guid_returns_enoexec(void **state)
{
	struct image im;
	struct ovmf_info info;
	struct diag d = { "" };

	build_image(&im);
	im.b[IMG_SIZE - 48] ^= 0xFF;

	assert_int_equal(parse(&im, &info, &d), -ENOEXEC);
	assert_non_null(strstr(d.msg, "no OVMF footer table"));
}

static void test_ovmf_footer_size_past_image_start_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;
	struct diag d = { "" };
	uint8_t small[64];

	build_image(&im);
	memcpy(small, im.b + IMG_SIZE - 64, 64);
	put16(small + 64 - 50, 0xFFFF);

	assert_int_equal(ovmf_parse(small, sizeof(small), &info, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "before the start"));
}

static void test_ovmf_footer_size_below_18_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);
	put16(im.b + IMG_SIZE - 50, 17);

	assert_int_equal(parse(&im, &info, NULL), -EINVAL);
}

static void test_ovmf_truncated_table_entry_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;
	struct diag d = { "" };

	build_image(&im);
	/* The last entry (metadata pointer) claims more bytes than the table holds. */
	put16(im.b + IMG_SIZE - 50 - 18, 0x400);

	assert_int_equal(parse(&im, &info, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "truncated footer table"));
}

static void test_ovmf_entry_size_below_18_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);
	put16(im.b + IMG_SIZE - 50 - 18, 3);

	assert_int_equal(parse(&im, &info, NULL), -EINVAL);
}

static void test_ovmf_short_reset_block_entry_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;
	size_t end = IMG_SIZE - 50;

	build_image(&im);
	put_entry(im.b, &end, g_reset, (const uint8_t *)"\x01\x02", 2);
	put16(im.b + IMG_SIZE - 50, 18 + 20);

	assert_int_equal(parse(&im, &info, NULL), -EINVAL);
}

static void test_ovmf_metadata_offset_past_end_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;
	struct diag d = { "" };

	build_image(&im);
	put32(im.b + IMG_SIZE - 50 - 22, IMG_SIZE + 0x100);

	assert_int_equal(parse(&im, &info, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "outside"));
}

static void test_ovmf_metadata_offset_below_header_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);
	put32(im.b + IMG_SIZE - 50 - 22, 8);

	assert_int_equal(parse(&im, &info, NULL), -EINVAL);
}

static void test_ovmf_metadata_bad_signature_returns_enoexec(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);
	memcpy(im.b + im.meta, "ASEX", 4);

	assert_int_equal(parse(&im, &info, NULL), -ENOEXEC);
}

static void test_ovmf_metadata_absurd_item_count_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;
	struct diag d = { "" };

	build_image(&im);
	put32(im.b + im.meta + 12, 0xFFFFFFFF);

	assert_int_equal(parse(&im, &info, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "sections"));
}

static void test_ovmf_metadata_size_too_small_for_items_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);
	put32(im.b + im.meta + 4, 16 + 2 * 12);

	assert_int_equal(parse(&im, &info, NULL), -EINVAL);
}

static void test_ovmf_metadata_size_past_end_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;
	struct diag d = { "" };

	build_image(&im);
	put32(im.b + im.meta + 4, IMG_SIZE);

	assert_int_equal(parse(&im, &info, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "past the end"));
}

static void test_ovmf_overlapping_sections_return_einval(void **state)
{
	struct image im;
	struct ovmf_info info;
	struct diag d = { "" };

	build_image(&im);
	put_section(&im, 1, 0x808000, 0x1000, OVMF_SECTION_SNP_SECRETS);

	assert_int_equal(parse(&im, &info, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "overlap"));
}

static void test_ovmf_section_wrapping_4g_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;
	struct diag d = { "" };

	build_image(&im);
	put_section(&im, 2, 0xFFFFF000, 0x2000, OVMF_SECTION_SNP_KERNEL_HASHES);

	assert_int_equal(parse(&im, &info, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "wraps"));
}

static void test_ovmf_unaligned_section_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);
	put_section(&im, 0, 0x800010, 0x9000, OVMF_SECTION_SNP_SEC_MEM);

	assert_int_equal(parse(&im, &info, NULL), -EINVAL);
}

static void test_ovmf_empty_section_returns_einval(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);
	put_section(&im, 0, 0x800000, 0, OVMF_SECTION_SNP_SEC_MEM);

	assert_int_equal(parse(&im, &info, NULL), -EINVAL);
}

static void test_ovmf_unknown_section_type_is_kept_for_the_caller(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);
	put_section(&im, 0, 0x800000, 0x9000, 0x77);

	assert_int_equal(parse(&im, &info, NULL), 0);
	assert_int_equal(info.sections[0].type, 0x77);
}

static void test_ovmf_table_without_metadata_has_no_sections(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);
	/* The metadata-pointer entry sits next to the footer; a foreign GUID there means the
	 * table has no metadata entry. */
	im.b[IMG_SIZE - 50 - 16] ^= 0xFF;

	assert_int_equal(parse(&im, &info, NULL), 0);
	assert_false(info.has_metadata);
	assert_int_equal(info.nr_sections, 0);
}

static void test_ovmf_failed_parse_leaves_output_untouched(void **state)
{
	struct image im;
	struct ovmf_info info;

	build_image(&im);
	memset(&info, 0xAB, sizeof(info));
	memcpy(im.b + im.meta, "XXXX", 4);

	assert_int_equal(parse(&im, &info, NULL), -ENOEXEC);
	assert_int_equal(info.nr_sections, 0xABABABAB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ovmf_synthetic_image_parses),
		cmocka_unit_test(test_ovmf_amdsev_vector_lists_doc_sections),
		cmocka_unit_test(test_ovmf_ovmfx64_vector_has_no_kernel_hashes_section),
		cmocka_unit_test(test_ovmf_image_too_small_returns_enoexec),
		cmocka_unit_test(test_ovmf_missing_footer_guid_returns_enoexec),
		cmocka_unit_test(test_ovmf_footer_size_past_image_start_returns_einval),
		cmocka_unit_test(test_ovmf_footer_size_below_18_returns_einval),
		cmocka_unit_test(test_ovmf_truncated_table_entry_returns_einval),
		cmocka_unit_test(test_ovmf_entry_size_below_18_returns_einval),
		cmocka_unit_test(test_ovmf_short_reset_block_entry_returns_einval),
		cmocka_unit_test(test_ovmf_metadata_offset_past_end_returns_einval),
		cmocka_unit_test(test_ovmf_metadata_offset_below_header_returns_einval),
		cmocka_unit_test(test_ovmf_metadata_bad_signature_returns_enoexec),
		cmocka_unit_test(test_ovmf_metadata_absurd_item_count_returns_einval),
		cmocka_unit_test(test_ovmf_metadata_size_too_small_for_items_returns_einval),
		cmocka_unit_test(test_ovmf_metadata_size_past_end_returns_einval),
		cmocka_unit_test(test_ovmf_overlapping_sections_return_einval),
		cmocka_unit_test(test_ovmf_section_wrapping_4g_returns_einval),
		cmocka_unit_test(test_ovmf_unaligned_section_returns_einval),
		cmocka_unit_test(test_ovmf_empty_section_returns_einval),
		cmocka_unit_test(test_ovmf_unknown_section_type_is_kept_for_the_caller),
		cmocka_unit_test(test_ovmf_table_without_metadata_has_no_sections),
		cmocka_unit_test(test_ovmf_failed_parse_leaves_output_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
