// SPDX-License-Identifier: MIT
/*
 * Events: typed events reach the callback with the VM's name and a monotonic time, nothing
 * follows guest-exit; strings are made valid JSON and UTF-8 whatever their bytes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

struct seen {
	unsigned int nr;
	enum snpvmm_event_type last;
	char name[32];
	uint64_t mono;
	size_t nr_fields;
};

static void record(void *opaque, const struct snpvmm_event *ev)
{
	struct seen *s = opaque;

	s->nr++;
	s->last = ev->type;
	snprintf(s->name, sizeof(s->name), "%s", ev->vm_name);
	s->mono = ev->monotonic_ns;
	s->nr_fields = ev->nr_fields;
}

static void test_events_emit_hands_typed_event_with_name_and_time_to_callback(void **state)
{
	struct snpvmm_event_field f[] = { EV_STR("measurement", "ab"), EV_UINT("n", 1) };
	struct seen s = { 0 };
	struct events ev;

	events_init(&ev, record, &s, "vm-7");
	events_emit(&ev, SNPVMM_EVENT_MEASUREMENT, f, 2);
	events_destroy(&ev);
	assert_int_equal(s.nr, 1);
	assert_int_equal(s.last, SNPVMM_EVENT_MEASUREMENT);
	assert_string_equal(s.name, "vm-7");
	assert_true(s.mono > 0);
	assert_int_equal(s.nr_fields, 2);
}

static void test_events_nothing_follows_guest_exit(void **state)
{
	struct seen s = { 0 };
	struct events ev;

	events_init(&ev, record, &s, NULL);
	events_emit(&ev, SNPVMM_EVENT_GUEST_EXIT, NULL, 0);
	events_emit(&ev, SNPVMM_EVENT_PAGE_STATE, NULL, 0);
	events_destroy(&ev);
	assert_int_equal(s.nr, 1);
	assert_int_equal(s.last, SNPVMM_EVENT_GUEST_EXIT);
	assert_string_equal(s.name, "");
}

static void test_events_utf8_dup_replaces_invalid_bytes(void **state)
{
	char *s = events_utf8_dup("a\xff"
				  "b\xc3\xa9");

	assert_string_equal(s, "a\xef\xbf\xbd"
			       "b\xc3\xa9");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_json_str_escapes_quote_backslash_and_controls),
		cmocka_unit_test(test_events_json_str_keeps_well_formed_utf8),
		cmocka_unit_test(test_events_json_str_replaces_each_invalid_byte_with_u_fffd),
		cmocka_unit_test(test_events_json_str_cuts_long_strings_between_characters),
		cmocka_unit_test(test_events_emit_hands_typed_event_with_name_and_time_to_callback),
		cmocka_unit_test(test_events_nothing_follows_guest_exit),
		cmocka_unit_test(test_events_utf8_dup_replaces_invalid_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
