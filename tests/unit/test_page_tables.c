// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/boot.h"
#include "vmm/page_tables.h"

#define PT_GPA	BOOT_PAGE_TABLES_GPA
#define CBIT_51 (1ULL << 51)
#define NO_MAP	(~0ULL)

static uint64_t entry_at(const uint8_t *buf, uint64_t table_gpa, unsigned int index)
{
	uint64_t e;

	memcpy(&e, buf + (table_gpa - PT_GPA) + index * 8u, sizeof(e));
	return e;
}

/* Walks the tables as the MMU would (4-level, 2 MiB leaves), stripping the C-bit from
 * each table pointer. Returns NO_MAP if any level is absent or leaves the buffer. */
static uint64_t walk(const uint8_t *buf, uint64_t cbit, uint64_t va)
{
	uint64_t pml4e, pdpte, pde, next;

	pml4e = entry_at(buf, PT_GPA, (va >> 39) & 511);
	if (!(pml4e & PTE_PRESENT))
		return NO_MAP;
	next = (pml4e & ~cbit) & PTE_ADDR_4K;
	if (next < PT_GPA || next >= PT_GPA + PAGE_TABLES_SIZE)
		return NO_MAP;
	pdpte = entry_at(buf, next, (va >> 30) & 511);
	if (!(pdpte & PTE_PRESENT) || (pdpte & PTE_LARGE))
		return NO_MAP;
	next = (pdpte & ~cbit) & PTE_ADDR_4K;
	if (next < PT_GPA || next >= PT_GPA + PAGE_TABLES_SIZE)
		return NO_MAP;
	pde = entry_at(buf, next, (va >> 21) & 511);
	if (!(pde & PTE_PRESENT) || !(pde & PTE_LARGE))
		return NO_MAP;
	return ((pde & ~cbit) & PTE_ADDR_2M) | (va & 0x1FFFFF);
}

/* Present entries across all six pages, and those among them lacking `bits`. */
static unsigned int count_present(const uint8_t *buf)
{
	unsigned int i, n = 0;

	for (i = 0; i < PAGE_TABLES_SIZE / 8; i++)
		n += entry_at(buf, PT_GPA, i) & PTE_PRESENT;
	return n;
}

static unsigned int count_present_without(const uint8_t *buf, uint64_t bits)
{
	unsigned int i, n = 0;

	for (i = 0; i < PAGE_TABLES_SIZE / 8; i++) {
		uint64_t e = entry_at(buf, PT_GPA, i);

		if ((e & PTE_PRESENT) && (e & bits) != bits)
			n++;
	}
	return n;
}

static int setup(void **state)
{
	*state = malloc(PAGE_TABLES_SIZE);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_page_tables_no_cbit_identity_maps_address(void **state)
{
	uint8_t *buf = *state;

	page_tables_build(buf, PT_GPA, 0);

	assert_int_equal(walk(buf, 0, 0x12345678), 0x12345678);
}

static void test_page_tables_no_cbit_maps_first_and_last_byte_below_4g(void **state)
{
	uint8_t *buf = *state;

	page_tables_build(buf, PT_GPA, 0);

	assert_int_equal(walk(buf, 0, 0), 0);
	assert_int_equal(walk(buf, 0, 0xFFFFFFFF), 0xFFFFFFFF);
}

static void test_page_tables_4g_and_above_is_unmapped(void **state)
{
	uint8_t *buf = *state;

	page_tables_build(buf, PT_GPA, 0);

	assert_int_equal(walk(buf, 0, 0x100000000ULL), NO_MAP);
}

static void test_page_tables_layout_pml4_pdpt_four_pds(void **state)
{
	uint8_t *buf = *state;

	page_tables_build(buf, PT_GPA, 0);

	assert_int_equal(entry_at(buf, PT_GPA, 0), 0x5000 | PTE_PRESENT | PTE_WRITE);
	assert_int_equal(entry_at(buf, 0x5000, 0), 0x6000 | PTE_PRESENT | PTE_WRITE);
	assert_int_equal(entry_at(buf, 0x5000, 3), 0x9000 | PTE_PRESENT | PTE_WRITE);
	assert_int_equal(entry_at(buf, 0x5000, 4), 0);
	assert_int_equal(entry_at(buf, 0x9000, 511),
			 0xFFE00000 | PTE_PRESENT | PTE_WRITE | PTE_LARGE);
}

static void test_page_tables_entry_count_is_1_plus_4_plus_2048(void **state)
{
	uint8_t *buf = *state;

	page_tables_build(buf, PT_GPA, CBIT_51);

	assert_int_equal(count_present(buf), 1 + 4 + 4 * 512);
}

static void test_page_tables_cbit_is_in_every_present_entry(void **state)
{
	uint8_t *buf = *state;

	page_tables_build(buf, PT_GPA, CBIT_51);

	assert_int_equal(count_present_without(buf, CBIT_51), 0);
}

static void test_page_tables_cbit_in_leaf_pde(void **state)
{
	uint8_t *buf = *state;

	page_tables_build(buf, PT_GPA, CBIT_51);

	assert_int_equal(entry_at(buf, 0x6000, 0x91),
			 0x12200000 | PTE_PRESENT | PTE_WRITE | PTE_LARGE | CBIT_51);
}

static void test_page_tables_cbit_identity_maps_address(void **state)
{
	uint8_t *buf = *state;

	page_tables_build(buf, PT_GPA, CBIT_51);

	assert_int_equal(walk(buf, CBIT_51, 0x12345678), 0x12345678);
}

static void test_page_tables_no_cbit_mask_sets_no_high_bits(void **state)
{
	uint8_t *buf = *state;

	page_tables_build(buf, PT_GPA, 0);

	assert_int_equal(entry_at(buf, 0x6000, 0x91) & ~PTE_ADDR_2M & ~0xFFFULL, 0);
	assert_int_equal(entry_at(buf, PT_GPA, 0) & ~PTE_ADDR_4K & ~0xFFFULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_tables_no_cbit_identity_maps_address,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_page_tables_no_cbit_maps_first_and_last_byte_below_4g, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_page_tables_4g_and_above_is_unmapped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_page_tables_layout_pml4_pdpt_four_pds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_page_tables_entry_count_is_1_plus_4_plus_2048,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_tables_cbit_is_in_every_present_entry,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_tables_cbit_in_leaf_pde, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_tables_cbit_identity_maps_address, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_page_tables_no_cbit_mask_sets_no_high_bits,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
