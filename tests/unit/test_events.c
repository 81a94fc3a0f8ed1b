// SPDX-License-Identifier: MIT
/*
 * The JSON Lines writer: strings are escaped into valid JSON and valid UTF-8 whatever their
 * bytes, long strings are cut between characters, and a failed write is reported.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/events.h"

static const char *json(const char *s)
{
	static char buf[256];

	return events_json_str(s, buf, sizeof(buf));
}

static void test_events_json_str_escapes_quote_backslash_and_controls(void **state)
{
	assert_string_equal(json("a\"b\\c\n\x01\x1f\x7f"),
			    "\"a\\\"b\\\\c\\u000a\\u0001\\u001f\\u007f\"");
}

static void test_events_json_str_keeps_well_formed_utf8(void **state)
{
	/* é, €, U+10FFFF, U+1F600 */
	assert_string_equal(json("\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80"),
			    "\"\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf\xf0\x9f\x98\x80\"");
}

static void test_events_json_str_replaces_each_invalid_byte_with_u_fffd(void **state)
{
	/* a lone byte, a stray continuation, an overlong '/', a surrogate (U+D800), above
	 * U+10FFFF, and a sequence cut by the end of the string */
	assert_string_equal(json("\xff"), "\"\\ufffd\"");
	assert_string_equal(json("\x80x"), "\"\\ufffdx\"");
	assert_string_equal(json("\xc0\xaf"), "\"\\ufffd\\ufffd\"");
	assert_string_equal(json("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(json("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(json("a\xe2\x82"), "\"a\\ufffd\\ufffd\"");
}

static void test_events_json_str_cuts_long_strings_between_characters(void **state)
{
	char buf[8];

	/* room for the quotes and 5 bytes: "abc" + é (2) fits, the next é does not */
	assert_string_equal(events_json_str("abc\xc3\xa9\xc3\xa9", buf, sizeof(buf)),
			    "\"abc\xc3\xa9\"");
	/* an escape is never cut either */
	assert_string_equal(events_json_str("abcd\n", buf, sizeof(buf)), "\"abcd\"");
	assert_string_equal(events_json_str("x", buf, 2), "");
}

static void test_events_write_failure_is_returned_by_close(void **state)
{
	struct events ev;
	struct diag d = { "" };

	assert_int_equal(events_open(&ev, "/dev/full", &d), 0);
	events_emit(&ev, "test", ",\"n\":%d", 1);
	assert_int_equal(events_close(&ev), -ENOSPC);
}

static void test_events_off_writes_nothing_and_closes_cleanly(void **state)
{
	struct events ev;
	struct diag d = { "" };

	assert_int_equal(events_open(&ev, NULL, &d), 0);
	events_emit(&ev, "test", ",\"n\":%d", 1);
	assert_int_equal(events_close(&ev), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_json_str_escapes_quote_backslash_and_controls),
		cmocka_unit_test(test_events_json_str_keeps_well_formed_utf8),
		cmocka_unit_test(test_events_json_str_replaces_each_invalid_byte_with_u_fffd),
		cmocka_unit_test(test_events_json_str_cuts_long_strings_between_characters),
		cmocka_unit_test(test_events_write_failure_is_returned_by_close),
		cmocka_unit_test(test_events_off_writes_nothing_and_closes_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
