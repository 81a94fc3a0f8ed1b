// SPDX-License-Identifier: MIT
/*
 * The SNP CPUID page: built from the vCPU's CPUID with the bits the firmware rejects
 * masked, the XSAVE leaves fixed up, at most 64 entries, and the leaves Linux needs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snp/snp_cpuid.h"

#define MAX_IN 80

struct cpuid_in {
	union {
		struct kvm_cpuid2 hdr;
		uint8_t bytes[sizeof(struct kvm_cpuid2) + MAX_IN * sizeof(struct kvm_cpuid_entry2)];
	};
};

static void add(struct cpuid_in *c, uint32_t fn, uint32_t idx, uint32_t eax, uint32_t ebx,
		uint32_t ecx, uint32_t edx)
{
	c->hdr.entries[c->hdr.nent++] = (struct kvm_cpuid_entry2){
		.function = fn,
		.index = idx,
		.eax = eax,
		.ebx = ebx,
		.ecx = ecx,
		.edx = edx,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	};
}

static struct cpuid_in *basic(void)
{
	struct cpuid_in *c = calloc(1, sizeof(*c));

	add(c, 0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65);
	add(c, 1, 0, 0xa00f11, 0x800, (1u << 30) | (1u << 24), 0x178bfbff);
	add(c, 7, 0, 0, 0x219c07ab, 1u << 16, 0xfc000000);
	add(c, 0xd, 0, 7, 0x340, 0x340, 0);
	add(c, 0xd, 1, 0xf, 0x340, 0, 0);
	add(c, 0x80000000, 0, 0x80000021, 0, 0, 0);
	add(c, 0x80000008, 0, 0x3030, 1u << 25, 0, 0);
	add(c, 0x8000001f, 0, 0x1b, 0x33, 0, 0);
	return c;
}

/* The page's entry for (fn, idx); fails the test if there is none. */
static struct snp_cpuid_fn find(const uint8_t *page, uint32_t fn, uint32_t idx)
{
	const struct snp_cpuid_table *t = (const void *)page;
	struct snp_cpuid_fn none = { 0 };
	uint32_t i;

	for (i = 0; i < t->count; i++)
		if (t->fn[i].eax_in == fn && t->fn[i].ecx_in == idx)
			return t->fn[i];
	fail_msg("no CPUID entry 0x%x.%u", fn, idx);
	return none;
}

static void test_snp_cpuid_masks_tsc_deadline_keeps_rdrand(void **state)
{
	struct cpuid_in *c = basic();
	uint8_t page[4096];

	assert_int_equal(snp_cpuid_page_build(&c->hdr, page, NULL), 0);

	assert_int_equal(find(page, 1, 0).ecx, 1u << 30);
	free(c);
}

static void test_snp_cpuid_vcpu_mask_clears_tsc_deadline_and_la57(void **state)
{
	struct cpuid_in *c = basic();

	snp_cpuid_mask_vcpu(&c->hdr);

	assert_int_equal(c->hdr.entries[1].ecx, 1u << 30); /* leaf 1: RDRAND kept */
	assert_int_equal(c->hdr.entries[2].ecx, 0);	   /* leaf 7.0: LA57 gone */
	free(c);
}

static void test_snp_cpuid_masks_leaf7_synthesized_bits(void **state)
{
	struct cpuid_in *c = basic();
	uint8_t page[4096];

	assert_int_equal(snp_cpuid_page_build(&c->hdr, page, NULL), 0);

	assert_int_equal(find(page, 7, 0).ebx, 0x219c07a9); /* TSC_ADJUST cleared */
	assert_int_equal(find(page, 7, 0).ecx, 0);	    /* LA57 cleared */
	assert_int_equal(find(page, 7, 0).edx, 0);	    /* SPEC_CTRL family cleared */
	free(c);
}

static void test_snp_cpuid_masks_virt_ssbd(void **state)
{
	struct cpuid_in *c = basic();
	uint8_t page[4096];

	assert_int_equal(snp_cpuid_page_build(&c->hdr, page, NULL), 0);

	assert_int_equal(find(page, 0x80000008, 0).ebx, 0);
	free(c);
}

static void test_snp_cpuid_xsave_leaves_use_legacy_size(void **state)
{
	struct cpuid_in *c = basic();
	uint8_t page[4096];

	assert_int_equal(snp_cpuid_page_build(&c->hdr, page, NULL), 0);

	assert_int_equal(find(page, 0xd, 0).ebx, 0x240);
	assert_int_equal(find(page, 0xd, 0).xcr0_in, 1);
	assert_int_equal(find(page, 0xd, 1).ebx, 0x240);
	assert_int_equal(find(page, 0xd, 1).xcr0_in, 1);
	free(c);
}

static void test_snp_cpuid_missing_sev_leaf_is_rejected(void **state)
{
	struct cpuid_in *c = basic();
	uint8_t page[4096];
	struct diag d = { "" };

	c->hdr.nent--; /* drop 0x8000001F */

	assert_int_equal(snp_cpuid_page_build(&c->hdr, page, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "0x8000001F"));
	free(c);
}

static void test_snp_cpuid_over_64_drops_zero_entries(void **state)
{
	struct cpuid_in *c = basic();
	uint8_t page[4096];
	uint32_t i;

	for (i = 0; i < 60; i++)
		add(c, 0x40000010 + i, 0, 0, 0, 0, 0);

	assert_int_equal(snp_cpuid_page_build(&c->hdr, page, NULL), 0);
	assert_int_equal(((const struct snp_cpuid_table *)page)->count, 8);
	free(c);
}

static void test_snp_cpuid_over_64_nonzero_is_e2big(void **state)
{
	struct cpuid_in *c = basic();
	uint8_t page[4096];
	uint32_t i;

	for (i = 0; i < 60; i++)
		add(c, 0x40000010 + i, 0, 1, 0, 0, 0);

	assert_int_equal(snp_cpuid_page_build(&c->hdr, page, NULL), -E2BIG);
	free(c);
}

static void test_snp_cpuid_diff_names_the_changed_leaf(void **state)
{
	struct cpuid_in *c = basic();
	uint8_t a[4096], b[4096];
	struct snp_cpuid_table *t = (void *)b;
	char text[256];

	assert_int_equal(snp_cpuid_page_build(&c->hdr, a, NULL), 0);
	memcpy(b, a, sizeof(b));
	t->fn[1].ecx = 0;

	assert_int_equal(snp_cpuid_page_diff(a, b, text, sizeof(text)), 1);
	assert_string_equal(text, "0x00000001.0 ecx 0x40000000 -> 0x00000000");
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snp_cpuid_masks_tsc_deadline_keeps_rdrand),
		cmocka_unit_test(test_snp_cpuid_vcpu_mask_clears_tsc_deadline_and_la57),
		cmocka_unit_test(test_snp_cpuid_masks_leaf7_synthesized_bits),
		cmocka_unit_test(test_snp_cpuid_masks_virt_ssbd),
		cmocka_unit_test(test_snp_cpuid_xsave_leaves_use_legacy_size),
		cmocka_unit_test(test_snp_cpuid_missing_sev_leaf_is_rejected),
		cmocka_unit_test(test_snp_cpuid_over_64_drops_zero_entries),
		cmocka_unit_test(test_snp_cpuid_over_64_nonzero_is_e2big),
		cmocka_unit_test(test_snp_cpuid_diff_names_the_changed_leaf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
