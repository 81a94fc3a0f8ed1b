// SPDX-License-Identifier: MIT
/*
 * The ACPI PM device through the bus, as a guest reaches it: PM1a event block at 0x600,
 * control block at 0x604, reset register at 0x606 (register semantics: ACPI 6.5 §4.8.4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "devices/acpi_pm.h"
#include "devices/bus.h"

#define PM1_STS	   (ACPI_PM_IO_BASE + ACPI_PM1_EVT_OFFSET)
#define PM1_EN	   (ACPI_PM_IO_BASE + ACPI_PM1_EVT_OFFSET + 2)
#define PM1_CNT	   (ACPI_PM_IO_BASE + ACPI_PM1_CNT_OFFSET)
#define RESET_REG  (ACPI_PM_IO_BASE + ACPI_PM_RESET_OFFSET)
#define SLP_TYP(t) ((uint16_t)((t) << ACPI_PM1_CNT_SLP_TYP_SHIFT))

struct fixture {
	struct bus bus;
	struct acpi_pm pm;
	unsigned int poweroffs, resets, sci_changes;
	bool sci;
};

static void on_poweroff(void *ctx)
{
	((struct fixture *)ctx)->poweroffs++;
}

static void on_reset(void *ctx)
{
	((struct fixture *)ctx)->resets++;
}

static void on_sci(void *ctx, bool level)
{
	struct fixture *f = ctx;

	f->sci = level;
	f->sci_changes++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	bus_init(&f->bus);
	if (acpi_pm_init(&f->pm, &(struct acpi_pm_callbacks){ .poweroff = on_poweroff,
							      .reset = on_reset,
							      .set_sci = on_sci,
							      .ctx = f }) < 0 ||
	    bus_register(&f->bus, BUS_PIO, ACPI_PM_IO_BASE, ACPI_PM_IO_LEN, &acpi_pm_ops, &f->pm) <
		    0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	acpi_pm_destroy(&f->pm);
	free(f);
	return 0;
}

static void out16(struct fixture *f, uint16_t port, uint16_t v)
{
	uint8_t d[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	assert_true(bus_dispatch(&f->bus, BUS_PIO, port, d, 2, true));
}

static void out8(struct fixture *f, uint16_t port, uint8_t v)
{
	assert_true(bus_dispatch(&f->bus, BUS_PIO, port, &v, 1, true));
}

static uint16_t in16(struct fixture *f, uint16_t port)
{
	uint8_t d[2];

	assert_true(bus_dispatch(&f->bus, BUS_PIO, port, d, 2, false));
	return (uint16_t)(d[0] | d[1] << 8);
}

/* ACPICA's acpi_hw_legacy_sleep(): SLP_TYP first, then SLP_TYP | SLP_EN. */
static void test_acpi_pm_s5_sleep_enable_powers_off_once(void **state)
{
	struct fixture *f = *state;

	out16(f, PM1_CNT, SLP_TYP(ACPI_PM_SLP_TYP_S5));
	assert_int_equal(f->poweroffs, 0);
	out16(f, PM1_CNT, SLP_TYP(ACPI_PM_SLP_TYP_S5) | ACPI_PM1_CNT_SLP_EN);

	assert_int_equal(f->poweroffs, 1);
	assert_int_equal(f->resets, 0);
}

static void test_acpi_pm_s5_written_as_the_high_byte_powers_off(void **state)
{
	struct fixture *f = *state;

	out8(f, PM1_CNT + 1, (uint8_t)((SLP_TYP(ACPI_PM_SLP_TYP_S5) | ACPI_PM1_CNT_SLP_EN) >> 8));

	assert_int_equal(f->poweroffs, 1);
}

static void test_acpi_pm_other_sleep_types_do_nothing(void **state)
{
	struct fixture *f = *state;

	out16(f, PM1_CNT, SLP_TYP(0) | ACPI_PM1_CNT_SLP_EN);
	out16(f, PM1_CNT, SLP_TYP(3) | ACPI_PM1_CNT_SLP_EN);
	out16(f, PM1_CNT, SLP_TYP(7) | ACPI_PM1_CNT_SLP_EN);

	assert_int_equal(f->poweroffs, 0);
}

static void test_acpi_pm_cnt_reads_sci_en_and_slp_typ_but_not_slp_en(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(in16(f, PM1_CNT), ACPI_PM1_CNT_SCI_EN);
	out16(f, PM1_CNT, SLP_TYP(2) | ACPI_PM1_CNT_GBL_RLS);

	assert_int_equal(in16(f, PM1_CNT), SLP_TYP(2) | ACPI_PM1_CNT_SCI_EN);
}

static void test_acpi_pm_reset_value_resets_once(void **state)
{
	struct fixture *f = *state;

	out8(f, RESET_REG, ACPI_PM_RESET_VALUE);

	assert_int_equal(f->resets, 1);
	assert_int_equal(f->poweroffs, 0);
}

static void test_acpi_pm_other_reset_values_do_nothing(void **state)
{
	struct fixture *f = *state;

	out8(f, RESET_REG, 0x00);
	out8(f, RESET_REG, 0x06);
	out8(f, RESET_REG, 0xFE);

	assert_int_equal(f->resets, 0);
}

static void test_acpi_pm_enable_keeps_only_gbl_and_pwrbtn(void **state)
{
	struct fixture *f = *state;

	out16(f, PM1_EN, 0xFFFF);

	assert_int_equal(in16(f, PM1_EN), ACPI_PM1_EN_GBL | ACPI_PM1_EN_PWRBTN);
}

static void test_acpi_pm_power_button_without_enable_sets_status_only(void **state)
{
	struct fixture *f = *state;

	acpi_pm_press_power_button(&f->pm);

	assert_int_equal(in16(f, PM1_STS), ACPI_PM1_STS_PWRBTN);
	assert_false(f->sci);
	assert_int_equal(f->sci_changes, 0);
}

static void test_acpi_pm_power_button_raises_sci_when_enabled(void **state)
{
	struct fixture *f = *state;
	out16(f, PM1_EN, ACPI_PM1_EN_PWRBTN);

	acpi_pm_press_power_button(&f->pm);

	assert_true(f->sci);
	assert_int_equal(f->sci_changes, 1);
}

static void test_acpi_pm_enabling_a_pending_status_raises_sci(void **state)
{
	struct fixture *f = *state;
	acpi_pm_press_power_button(&f->pm);

	out16(f, PM1_EN, ACPI_PM1_EN_PWRBTN);

	assert_true(f->sci);
}

static void test_acpi_pm_status_write_one_clears_and_lowers_sci(void **state)
{
	struct fixture *f = *state;
	out16(f, PM1_EN, ACPI_PM1_EN_PWRBTN);
	acpi_pm_press_power_button(&f->pm);

	out16(f, PM1_STS, 0);
	assert_int_equal(in16(f, PM1_STS), ACPI_PM1_STS_PWRBTN);
	out16(f, PM1_STS, ACPI_PM1_STS_PWRBTN);

	assert_int_equal(in16(f, PM1_STS), 0);
	assert_false(f->sci);
	assert_int_equal(f->sci_changes, 2);
}

static void test_acpi_pm_clearing_all_status_bits_before_sleep_is_harmless(void **state)
{
	struct fixture *f = *state;

	/* ACPICA acpi_hw_clear_acpi_status() writes ACPI_BITMASK_ALL_FIXED_STATUS. */
	out16(f, PM1_STS, 0xFFFF);

	assert_int_equal(in16(f, PM1_STS), 0);
	assert_int_equal(f->poweroffs + f->resets + f->sci_changes, 0);
}

static void test_acpi_pm_block_ends_after_the_reset_register(void **state)
{
	struct fixture *f = *state;
	uint8_t v = 0;

	assert_false(
		bus_dispatch(&f->bus, BUS_PIO, ACPI_PM_IO_BASE + ACPI_PM_IO_LEN, &v, 1, false));
	assert_int_equal(v, 0xff);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_acpi_pm_s5_sleep_enable_powers_off_once),
		T(test_acpi_pm_s5_written_as_the_high_byte_powers_off),
		T(test_acpi_pm_other_sleep_types_do_nothing),
		T(test_acpi_pm_cnt_reads_sci_en_and_slp_typ_but_not_slp_en),
		T(test_acpi_pm_reset_value_resets_once),
		T(test_acpi_pm_other_reset_values_do_nothing),
		T(test_acpi_pm_enable_keeps_only_gbl_and_pwrbtn),
		T(test_acpi_pm_power_button_without_enable_sets_status_only),
		T(test_acpi_pm_power_button_raises_sci_when_enabled),
		T(test_acpi_pm_enabling_a_pending_status_raises_sci),
		T(test_acpi_pm_status_write_one_clears_and_lowers_sci),
		T(test_acpi_pm_clearing_all_status_bits_before_sleep_is_harmless),
		T(test_acpi_pm_block_ends_after_the_reset_register),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
