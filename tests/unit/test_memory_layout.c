// SPDX-License-Identifier: MIT
/*
 * Guest RAM layout around the 32-bit PCI hole, and host-address lookups that must never
 * reach outside a region.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vmm/memory.h"

static void test_mem_layout_small_ram_is_one_region(void **state)
{
	struct mem_layout l;

	mem_layout_compute(256ULL << 20, &l);

	assert_int_equal(l.nr, 1);
	assert_int_equal(l.regions[0].gpa, 0);
	assert_int_equal(l.regions[0].size, 256ULL << 20);
}

static void test_mem_layout_exactly_3g_is_one_region(void **state)
{
	struct mem_layout l;

	mem_layout_compute(3ULL << 30, &l);

	assert_int_equal(l.nr, 1);
	assert_int_equal(l.regions[0].size, 3ULL << 30);
}

static void test_mem_layout_large_ram_splits_around_hole(void **state)
{
	struct mem_layout l;

	mem_layout_compute(8ULL << 30, &l);

	assert_int_equal(l.nr, 2);
	assert_int_equal(l.regions[0].gpa, 0);
	assert_int_equal(l.regions[0].size, MEM_PCI_HOLE_START);
	assert_int_equal(l.regions[1].gpa, MEM_4G);
	assert_int_equal(l.regions[1].size, (8ULL << 30) - MEM_PCI_HOLE_START);
}

#define SIZE0 0x4000
#define SIZE1 0x2000

/* Two regions, [0, 16K) and [4G, 4G+8K), over the caller's buffers. */
static struct guest_memory two_regions(uint8_t *backing0, uint8_t *backing1)
{
	struct guest_memory m = { .nr = 2 };

	m.regions[0] = (struct mem_region){ .gpa = 0, .size = SIZE0, .hva = backing0 };
	m.regions[1] = (struct mem_region){ .gpa = MEM_4G, .size = SIZE1, .hva = backing1 };
	return m;
}

static void test_guest_memory_hva_inside_region_translates(void **state)
{
	uint8_t backing0[SIZE0], backing1[SIZE1];
	struct guest_memory m = two_regions(backing0, backing1);

	assert_ptr_equal(guest_memory_hva(&m, 0x1000, 0x100), backing0 + 0x1000);
	assert_ptr_equal(guest_memory_hva(&m, MEM_4G + 0x1000, 0x1000), backing1 + 0x1000);
}

static void test_guest_memory_hva_crossing_region_end_is_null(void **state)
{
	uint8_t backing0[SIZE0], backing1[SIZE1];
	struct guest_memory m = two_regions(backing0, backing1);

	assert_null(guest_memory_hva(&m, 0x3f00, 0x200));
}

static void test_guest_memory_hva_in_hole_is_null(void **state)
{
	uint8_t backing0[SIZE0], backing1[SIZE1];
	struct guest_memory m = two_regions(backing0, backing1);

	assert_null(guest_memory_hva(&m, MEM_PCI_HOLE_START, 1));
}

static void test_guest_memory_hva_overflowing_length_is_null(void **state)
{
	uint8_t backing0[SIZE0], backing1[SIZE1];
	struct guest_memory m = two_regions(backing0, backing1);

	assert_null(guest_memory_hva(&m, 0x1000, UINT64_MAX));
}

static void test_guest_memory_hva_empty_range_at_end_is_valid(void **state)
{
	uint8_t backing0[SIZE0], backing1[SIZE1];
	struct guest_memory m = two_regions(backing0, backing1);

	assert_ptr_equal(guest_memory_hva(&m, SIZE0, 0), backing0 + SIZE0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_layout_small_ram_is_one_region),
		cmocka_unit_test(test_mem_layout_exactly_3g_is_one_region),
		cmocka_unit_test(test_mem_layout_large_ram_splits_around_hole),
		cmocka_unit_test(test_guest_memory_hva_inside_region_translates),
		cmocka_unit_test(test_guest_memory_hva_crossing_region_end_is_null),
		cmocka_unit_test(test_guest_memory_hva_in_hole_is_null),
		cmocka_unit_test(test_guest_memory_hva_overflowing_length_is_null),
		cmocka_unit_test(test_guest_memory_hva_empty_range_at_end_is_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
