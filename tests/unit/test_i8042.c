// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "devices/bus.h"
#include "devices/i8042.h"

struct fixture {
	struct i8042 kbd;
	unsigned int resets;
};

static void count_reset(void *ctx)
{
	unsigned int *resets = ctx;

	(*resets)++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	i8042_init(&f->kbd, count_reset, &f->resets);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void cmd_out(struct fixture *f, uint8_t cmd)
{
	i8042_ops.write(&f->kbd, 0, &cmd, 1);
}

static void test_i8042_reset_command_calls_reset_once(void **state)
{
	struct fixture *f = *state;

	cmd_out(f, I8042_CMD_RESET);

	assert_int_equal(f->resets, 1);
}

static void test_i8042_selftest_command_does_not_call_reset(void **state)
{
	struct fixture *f = *state;

	cmd_out(f, 0xaa); /* controller self-test */

	assert_int_equal(f->resets, 0);
}

static void test_i8042_write_output_port_command_does_not_call_reset(void **state)
{
	struct fixture *f = *state;

	cmd_out(f, 0xd1);

	assert_int_equal(f->resets, 0);
}

static void test_i8042_reset_byte_on_data_port_does_not_call_reset(void **state)
{
	struct fixture *f = *state;
	uint8_t byte = I8042_CMD_RESET;

	i8042_data_ops.write(&f->kbd, 0, &byte, 1);

	assert_int_equal(f->resets, 0);
}

static void test_i8042_reset_command_without_callback_is_ignored(void **state)
{
	struct i8042 kbd;
	uint8_t cmd = I8042_CMD_RESET;
	i8042_init(&kbd, NULL, NULL);

	i8042_ops.write(&kbd, 0, &cmd, 1);
}

/* kvmtool's idle status; OBF (bit 0) and IBF (bit 1) clear is what Linux's kb_wait() needs. */
static void test_i8042_status_read_returns_idle_status(void **state)
{
	struct fixture *f = *state;
	uint8_t status = 0xff;

	i8042_ops.read(&f->kbd, 0, &status, 1);

	assert_int_equal(status, 0x1c);
}

static void test_i8042_data_port_read_returns_zero(void **state)
{
	struct fixture *f = *state;
	uint8_t data = 0xff;

	i8042_data_ops.read(&f->kbd, 0, &data, 1);

	assert_int_equal(data, 0);
}

static void test_i8042_reset_through_bus_at_port_0x64_calls_reset(void **state)
{
	struct fixture *f = *state;
	struct bus bus;
	uint8_t cmd = I8042_CMD_RESET;
	bus_init(&bus);
	assert_int_equal(bus_register(&bus, BUS_PIO, I8042_DATA_PORT, 1, &i8042_data_ops, &f->kbd),
			 0);
	assert_int_equal(bus_register(&bus, BUS_PIO, I8042_COMMAND_PORT, 1, &i8042_ops, &f->kbd),
			 0);

	assert_true(bus_dispatch(&bus, BUS_PIO, I8042_COMMAND_PORT, &cmd, 1, true));

	assert_int_equal(f->resets, 1);
}

static void test_i8042_reset_byte_through_bus_at_port_0x60_does_not_call_reset(void **state)
{
	struct fixture *f = *state;
	struct bus bus;
	uint8_t cmd = I8042_CMD_RESET;
	bus_init(&bus);
	assert_int_equal(bus_register(&bus, BUS_PIO, I8042_DATA_PORT, 1, &i8042_data_ops, &f->kbd),
			 0);
	assert_int_equal(bus_register(&bus, BUS_PIO, I8042_COMMAND_PORT, 1, &i8042_ops, &f->kbd),
			 0);

	assert_true(bus_dispatch(&bus, BUS_PIO, I8042_DATA_PORT, &cmd, 1, true));

	assert_int_equal(f->resets, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_i8042_reset_command_calls_reset_once),
		T(test_i8042_selftest_command_does_not_call_reset),
		T(test_i8042_write_output_port_command_does_not_call_reset),
		T(test_i8042_reset_byte_on_data_port_does_not_call_reset),
		T(test_i8042_reset_command_without_callback_is_ignored),
		T(test_i8042_status_read_returns_idle_status),
		T(test_i8042_data_port_read_returns_zero),
		T(test_i8042_reset_through_bus_at_port_0x64_calls_reset),
		T(test_i8042_reset_byte_through_bus_at_port_0x60_does_not_call_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
