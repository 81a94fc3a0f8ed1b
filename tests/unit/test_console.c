// SPDX-License-Identifier: MIT
/* The console's escape (console.h): what reaches the guest and which command a key is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/console.h"

struct filtered {
	uint8_t out[64];
	size_t len, used;
	int cmd;
};

static struct filtered filter(struct console *c, const char *in)
{
	struct filtered f = { .len = 0 };

	f.len = console_filter_input(c, (const uint8_t *)in, strlen(in), f.out, &f.used, &f.cmd);
	return f;
}

static void test_console_without_escape_passes_ctrl_a_through(void **state)
{
	struct console c = { .escape = false };
	struct filtered f = filter(&c, "a\x01x");

	assert_int_equal(f.len, 3);
	assert_memory_equal(f.out, "a\x01x", 3);
	assert_int_equal(f.cmd, 0);
}

static void test_console_ctrl_a_x_is_quit_and_stops_there(void **state)
{
	struct console c = { .escape = true };
	struct filtered f = filter(&c, "ab\x01xcd");

	assert_int_equal(f.cmd, 'x');
	assert_int_equal(f.len, 2);
	assert_memory_equal(f.out, "ab", 2);
	assert_int_equal(f.used, 4);
}

static void test_console_ctrl_a_ctrl_a_sends_one_ctrl_a(void **state)
{
	struct console c = { .escape = true };
	struct filtered f = filter(&c, "\x01\x01z");

	assert_int_equal(f.cmd, 0);
	assert_int_equal(f.len, 2);
	assert_memory_equal(f.out, "\x01z", 2);
}

static void test_console_ctrl_a_h_is_help(void **state)
{
	struct console c = { .escape = true };
	struct filtered f = filter(&c, "\x01h");

	assert_int_equal(f.cmd, 'h');
	assert_int_equal(f.len, 0);
}

static void test_console_other_key_after_ctrl_a_is_dropped_with_it(void **state)
{
	struct console c = { .escape = true };
	struct filtered f = filter(&c, "\x01qr");

	assert_int_equal(f.cmd, 0);
	assert_int_equal(f.len, 1);
	assert_memory_equal(f.out, "r", 1);
}

static void test_console_escape_split_across_reads_still_works(void **state)
{
	struct console c = { .escape = true };
	struct filtered first = filter(&c, "a\x01");
	struct filtered second = filter(&c, "x");

	assert_int_equal(first.cmd, 0);
	assert_int_equal(first.len, 1);
	assert_int_equal(second.cmd, 'x');
	assert_int_equal(second.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_console_without_escape_passes_ctrl_a_through),
		cmocka_unit_test(test_console_ctrl_a_x_is_quit_and_stops_there),
		cmocka_unit_test(test_console_ctrl_a_ctrl_a_sends_one_ctrl_a),
		cmocka_unit_test(test_console_ctrl_a_h_is_help),
		cmocka_unit_test(test_console_other_key_after_ctrl_a_is_dropped_with_it),
		cmocka_unit_test(test_console_escape_split_across_reads_still_works),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
