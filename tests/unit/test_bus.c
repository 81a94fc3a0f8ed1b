// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devices/bus.h"

/* A device that records its last access and answers reads with its own id byte. */
struct fake_dev {
	uint8_t id;
	unsigned int reads, writes;
	uint64_t offset;
	uint32_t len;
	uint8_t data[8];
};

struct fixture {
	struct bus bus;
	struct fake_dev a, b;
};

static void fake_read(void *opaque, uint64_t offset, uint8_t *data, uint32_t len)
{
	struct fake_dev *d = opaque;

	d->reads++;
	d->offset = offset;
	d->len = len;
	memset(data, d->id, len);
}

static void fake_write(void *opaque, uint64_t offset, const uint8_t *data, uint32_t len)
{
	struct fake_dev *d = opaque;

	d->writes++;
	d->offset = offset;
	d->len = len;
	memcpy(d->data, data, len);
}

static const struct device_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	bus_init(&f->bus);
	f->a.id = 0xa0;
	f->b.id = 0xb0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static int reg(struct fixture *f, uint64_t base, uint64_t len, struct fake_dev *d)
{
	return bus_register(&f->bus, BUS_PIO, base, len, &fake_ops, d);
}

/* Fills the PIO table with BUS_MAX_RANGES one-byte ranges at 0x1000, 0x1002, ... */
static void fill_pio(struct fixture *f)
{
	unsigned int i;

	for (i = 0; i < BUS_MAX_RANGES; i++)
		assert_int_equal(reg(f, 0x1000 + 2 * i, 1, &f->a), 0);
}

static void test_bus_register_zero_len_returns_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(reg(f, 0x3f8, 0, &f->a), -EINVAL);
}

static void test_bus_register_bad_space_returns_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(bus_register(&f->bus, BUS_SPACE_MAX, 0x3f8, 8, &fake_ops, &f->a), -EINVAL);
}

static void test_bus_register_null_ops_returns_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(bus_register(&f->bus, BUS_PIO, 0x3f8, 8, NULL, &f->a), -EINVAL);
}

static void test_bus_register_wrapping_range_returns_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(reg(f, UINT64_MAX - 3, 8, &f->a), -EINVAL);
}

static void test_bus_register_range_ending_at_top_succeeds(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(reg(f, UINT64_MAX - 7, 8, &f->a), 0);
}

static void test_bus_register_overlap_from_below_returns_eexist(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(reg(f, 0x100, 0x10, &f->a), 0);

	assert_int_equal(reg(f, 0xf8, 0x10, &f->b), -EEXIST);
}

static void test_bus_register_overlap_from_above_returns_eexist(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(reg(f, 0x100, 0x10, &f->a), 0);

	assert_int_equal(reg(f, 0x10f, 0x10, &f->b), -EEXIST);
}

static void test_bus_register_contained_range_returns_eexist(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(reg(f, 0x100, 0x10, &f->a), 0);

	assert_int_equal(reg(f, 0x104, 4, &f->b), -EEXIST);
}

static void test_bus_register_containing_range_returns_eexist(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(reg(f, 0x104, 4, &f->a), 0);

	assert_int_equal(reg(f, 0x100, 0x10, &f->b), -EEXIST);
}

static void test_bus_register_adjacent_below_succeeds(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(reg(f, 0x100, 0x10, &f->a), 0);

	assert_int_equal(reg(f, 0xf0, 0x10, &f->b), 0);
}

static void test_bus_register_adjacent_above_succeeds(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(reg(f, 0x100, 0x10, &f->a), 0);

	assert_int_equal(reg(f, 0x110, 0x10, &f->b), 0);
}

static void test_bus_register_same_address_other_space_succeeds(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(reg(f, 0x100, 0x10, &f->a), 0);

	assert_int_equal(bus_register(&f->bus, BUS_MMIO, 0x100, 0x10, &fake_ops, &f->b), 0);
}

static void test_bus_register_full_table_returns_enospc(void **state)
{
	struct fixture *f = *state;
	fill_pio(f);

	assert_int_equal(reg(f, 0x9000, 1, &f->b), -ENOSPC);
}

static void test_bus_register_out_of_order_keeps_ranges_sorted(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(reg(f, 0x300, 8, &f->a), 0);
	assert_int_equal(reg(f, 0x100, 8, &f->a), 0);

	assert_int_equal(reg(f, 0x200, 8, &f->b), 0);

	assert_int_equal(f->bus.nr[BUS_PIO], 3);
	assert_int_equal(f->bus.ranges[BUS_PIO][0].base, 0x100);
	assert_int_equal(f->bus.ranges[BUS_PIO][1].base, 0x200);
	assert_int_equal(f->bus.ranges[BUS_PIO][2].base, 0x300);
}

static void test_bus_dispatch_read_passes_offset_relative_to_base(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2];
	assert_int_equal(reg(f, 0x3f8, 8, &f->a), 0);

	assert_true(bus_dispatch(&f->bus, BUS_PIO, 0x3fd, data, 2, false));

	assert_int_equal(f->a.offset, 5);
	assert_int_equal(f->a.len, 2);
	assert_int_equal(data[1], 0xa0);
}

static void test_bus_dispatch_write_passes_data_to_device(void **state)
{
	struct fixture *f = *state;
	uint8_t data[4] = { 1, 2, 3, 4 };
	assert_int_equal(reg(f, 0x1000, 0x100, &f->a), 0);

	assert_true(bus_dispatch(&f->bus, BUS_PIO, 0x1010, data, 4, true));

	assert_int_equal(f->a.writes, 1);
	assert_int_equal(f->a.offset, 0x10);
	assert_memory_equal(f->a.data, data, 4);
}

static void test_bus_dispatch_picks_device_covering_address(void **state)
{
	struct fixture *f = *state;
	uint8_t data;
	assert_int_equal(reg(f, 0x64, 1, &f->b), 0);
	assert_int_equal(reg(f, 0x60, 1, &f->a), 0);

	assert_true(bus_dispatch(&f->bus, BUS_PIO, 0x64, &data, 1, false));

	assert_int_equal(data, 0xb0);
	assert_int_equal(f->a.reads, 0);
}

static void test_bus_dispatch_last_byte_of_range_hits(void **state)
{
	struct fixture *f = *state;
	uint8_t data;
	assert_int_equal(reg(f, 0x3f8, 8, &f->a), 0);

	assert_true(bus_dispatch(&f->bus, BUS_PIO, 0x3ff, &data, 1, false));

	assert_int_equal(f->a.offset, 7);
}

static void test_bus_dispatch_unclaimed_read_returns_false_and_all_ones(void **state)
{
	struct fixture *f = *state;
	uint8_t data[4] = { 0 };
	static const uint8_t ones[4] = { 0xff, 0xff, 0xff, 0xff };
	assert_int_equal(reg(f, 0x3f8, 8, &f->a), 0);

	assert_false(bus_dispatch(&f->bus, BUS_PIO, 0x2f8, data, 4, false));

	assert_memory_equal(data, ones, 4);
}

static void test_bus_dispatch_read_on_empty_bus_returns_false(void **state)
{
	struct fixture *f = *state;
	uint8_t data = 0;

	assert_false(bus_dispatch(&f->bus, BUS_MMIO, 0xfee00000, &data, 1, false));

	assert_int_equal(data, 0xff);
}

static void test_bus_dispatch_unclaimed_write_returns_false(void **state)
{
	struct fixture *f = *state;
	uint8_t data = 0x42;
	assert_int_equal(reg(f, 0x3f8, 8, &f->a), 0);

	assert_false(bus_dispatch(&f->bus, BUS_PIO, 0x400, &data, 1, true));

	assert_int_equal(f->a.writes, 0);
}

static void test_bus_dispatch_access_straddling_range_end_returns_false(void **state)
{
	struct fixture *f = *state;
	uint8_t data[4] = { 0 };
	static const uint8_t ones[4] = { 0xff, 0xff, 0xff, 0xff };
	assert_int_equal(reg(f, 0x3f8, 8, &f->a), 0);

	assert_false(bus_dispatch(&f->bus, BUS_PIO, 0x3fe, data, 4, false));

	assert_int_equal(f->a.reads, 0);
	assert_memory_equal(data, ones, 4);
}

static void test_bus_dispatch_access_straddling_adjacent_ranges_returns_false(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2] = { 0 };
	assert_int_equal(reg(f, 0x60, 1, &f->a), 0);
	assert_int_equal(reg(f, 0x61, 1, &f->b), 0);

	assert_false(bus_dispatch(&f->bus, BUS_PIO, 0x60, data, 2, true));

	assert_int_equal(f->a.writes + f->b.writes, 0);
}

static void test_bus_dispatch_access_wrapping_address_space_returns_false(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2] = { 0 };
	assert_int_equal(reg(f, UINT64_MAX - 7, 8, &f->a), 0);

	assert_false(bus_dispatch(&f->bus, BUS_PIO, UINT64_MAX, data, 2, false));

	assert_int_equal(f->a.reads, 0);
}

static void test_bus_dispatch_other_space_returns_false(void **state)
{
	struct fixture *f = *state;
	uint8_t data = 0;
	assert_int_equal(reg(f, 0x3f8, 8, &f->a), 0);

	assert_false(bus_dispatch(&f->bus, BUS_MMIO, 0x3f8, &data, 1, false));

	assert_int_equal(f->a.reads, 0);
}

static void test_bus_dispatch_in_full_table_finds_last_range(void **state)
{
	struct fixture *f = *state;
	uint8_t data = 0;
	fill_pio(f);

	assert_true(
		bus_dispatch(&f->bus, BUS_PIO, 0x1000 + 2 * (BUS_MAX_RANGES - 1), &data, 1, false));

	assert_int_equal(data, 0xa0);
}

static void test_bus_dispatch_in_full_table_gap_returns_false(void **state)
{
	struct fixture *f = *state;
	uint8_t data = 0;
	fill_pio(f);

	assert_false(bus_dispatch(&f->bus, BUS_PIO, 0x1011, &data, 1, false));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bus_register_zero_len_returns_einval),
		T(test_bus_register_bad_space_returns_einval),
		T(test_bus_register_null_ops_returns_einval),
		T(test_bus_register_wrapping_range_returns_einval),
		T(test_bus_register_range_ending_at_top_succeeds),
		T(test_bus_register_overlap_from_below_returns_eexist),
		T(test_bus_register_overlap_from_above_returns_eexist),
		T(test_bus_register_contained_range_returns_eexist),
		T(test_bus_register_containing_range_returns_eexist),
		T(test_bus_register_adjacent_below_succeeds),
		T(test_bus_register_adjacent_above_succeeds),
		T(test_bus_register_same_address_other_space_succeeds),
		T(test_bus_register_full_table_returns_enospc),
		T(test_bus_register_out_of_order_keeps_ranges_sorted),
		T(test_bus_dispatch_read_passes_offset_relative_to_base),
		T(test_bus_dispatch_write_passes_data_to_device),
		T(test_bus_dispatch_picks_device_covering_address),
		T(test_bus_dispatch_last_byte_of_range_hits),
		T(test_bus_dispatch_unclaimed_read_returns_false_and_all_ones),
		T(test_bus_dispatch_read_on_empty_bus_returns_false),
		T(test_bus_dispatch_unclaimed_write_returns_false),
		T(test_bus_dispatch_access_straddling_range_end_returns_false),
		T(test_bus_dispatch_access_straddling_adjacent_ranges_returns_false),
		T(test_bus_dispatch_access_wrapping_address_space_returns_false),
		T(test_bus_dispatch_other_space_returns_false),
		T(test_bus_dispatch_in_full_table_finds_last_range),
		T(test_bus_dispatch_in_full_table_gap_returns_false),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
