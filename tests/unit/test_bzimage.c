// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bzimage_fixture.h"
#include "vmm/boot.h"

static int setup(void **state)
{
	*state = fixture_bzimage();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_bzimage_valid_returns_header_fields(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	struct diag d = { 0 };

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, &d);

	assert_int_equal(r, 0);
	assert_int_equal(info.protocol, FIXTURE_PROTOCOL);
	assert_int_equal(info.setup_sects, FIXTURE_SETUP_SECTS);
	assert_int_equal(info.xloadflags, FIXTURE_XLOADFLAGS);
	assert_int_equal(info.relocatable, 1);
	assert_int_equal(info.kernel_alignment, FIXTURE_ALIGNMENT);
	assert_int_equal(info.initrd_addr_max, FIXTURE_INITRD_MAX);
	assert_int_equal(info.cmdline_size, FIXTURE_CMDLINE_SIZE);
	assert_int_equal(info.init_size, FIXTURE_INIT_SIZE);
	assert_int_equal(info.pref_address, FIXTURE_PREF_ADDRESS);
	assert_int_equal(info.header_end, FIXTURE_HEADER_END);
	assert_int_equal(info.payload_offset, FIXTURE_PAYLOAD_OFF);
	assert_int_equal(info.payload_size, FIXTURE_PAYLOAD_SIZE);
}

static void test_bzimage_setup_sects_zero_means_four(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	FIXTURE_SET(img, setup_sects, 0);

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, NULL);

	assert_int_equal(r, 0);
	assert_int_equal(info.setup_sects, 0);
	assert_int_equal(info.payload_offset, 5 * 512);
}

static void test_bzimage_more_setup_sects_moves_payload(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	FIXTURE_SET(img, setup_sects, 8);

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, NULL);

	assert_int_equal(r, 0);
	assert_int_equal(info.payload_offset, 9 * 512);
	assert_int_equal(info.payload_size, FIXTURE_SIZE - 9 * 512);
}

static void test_bzimage_too_small_returns_enoexec(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	struct diag d = { 0 };

	int r = bzimage_parse(img, 0x200, &info, &d);

	assert_int_equal(r, -ENOEXEC);
	assert_non_null(strstr(d.msg, "too small"));
}

static void test_bzimage_null_image_returns_enoexec(void **state)
{
	struct bzimage_info info;

	int r = bzimage_parse(NULL, 0, &info, NULL);

	assert_int_equal(r, -ENOEXEC);
}

static void test_bzimage_no_boot_flag_returns_enoexec(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	struct diag d = { 0 };
	FIXTURE_SET(img, boot_flag, 0);

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, &d);

	assert_int_equal(r, -ENOEXEC);
	assert_non_null(strstr(d.msg, "not a bzImage"));
}

static void test_bzimage_no_hdrs_magic_returns_enoexec(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	struct diag d = { 0 };
	memcpy(img + FIXTURE_OFF(header), "ELF!", 4);

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, &d);

	assert_int_equal(r, -ENOEXEC);
	assert_non_null(strstr(d.msg, "not a bzImage"));
}

static void test_bzimage_old_protocol_returns_eprotonosupport(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	struct diag d = { 0 };
	FIXTURE_SET(img, version, 0x0206);

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, &d);

	assert_int_equal(r, -EPROTONOSUPPORT);
	assert_non_null(strstr(d.msg, "boot protocol 2.06 is older than 2.12"));
}

static void test_bzimage_protocol_2_12_is_accepted(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	FIXTURE_SET(img, version, 0x020C);

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, NULL);

	assert_int_equal(r, 0);
}

static void test_bzimage_no_64bit_entry_returns_eprotonosupport(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	struct diag d = { 0 };
	FIXTURE_SET(img, xloadflags, XLF_CAN_BE_LOADED_ABOVE_4G);

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, &d);

	assert_int_equal(r, -EPROTONOSUPPORT);
	assert_non_null(strstr(d.msg, "no 64-bit entry point"));
}

static void test_bzimage_short_header_returns_enoexec(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	struct diag d = { 0 };
	FIXTURE_SET(img, jump, 0xEB | (0x40 << 8));

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, &d);

	assert_int_equal(r, -ENOEXEC);
	assert_non_null(strstr(d.msg, "setup header ends at 0x242"));
}

static void test_bzimage_truncated_returns_enoexec(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	struct diag d = { 0 };
	FIXTURE_SET(img, setup_sects, 4);

	int r = bzimage_parse(img, 1024, &info, &d);

	assert_int_equal(r, -ENOEXEC);
	assert_string_equal(d.msg, "kernel image is truncated: setup header says 4 setup sectors "
				   "(payload at 0xa00) but the file has 1024 bytes");
}

static void test_bzimage_payload_shorter_than_syssize_returns_enoexec(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	struct diag d = { 0 };
	FIXTURE_SET(img, syssize, FIXTURE_PAYLOAD_SIZE / 16);

	int r = bzimage_parse(img, FIXTURE_SIZE - 64, &info, &d);

	assert_int_equal(r, -ENOEXEC);
	assert_non_null(strstr(d.msg, "says the payload has 12288 bytes (syssize)"));
}

static void test_bzimage_payload_within_syssize_rounding_is_accepted(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	FIXTURE_SET(img, syssize, FIXTURE_PAYLOAD_SIZE / 16);

	int r = bzimage_parse(img, FIXTURE_SIZE - 15, &info, NULL);

	assert_int_equal(r, 0);
}

static void test_bzimage_payload_at_file_end_returns_enoexec(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;

	int r = bzimage_parse(img, FIXTURE_PAYLOAD_OFF, &info, NULL);

	assert_int_equal(r, -ENOEXEC);
}

static void test_bzimage_max_setup_sects_beyond_file_returns_enoexec(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	FIXTURE_SET(img, setup_sects, 0xFF);

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, NULL);

	assert_int_equal(r, -ENOEXEC);
}

static void test_bzimage_failure_leaves_output_untouched(void **state)
{
	uint8_t *img = *state;
	struct bzimage_info info;
	memset(&info, 0x5A, sizeof(info));
	FIXTURE_SET(img, boot_flag, 0);

	int r = bzimage_parse(img, FIXTURE_SIZE, &info, NULL);

	assert_int_equal(r, -ENOEXEC);
	assert_int_equal(info.protocol, 0x5A5A);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bzimage_valid_returns_header_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_setup_sects_zero_means_four, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_more_setup_sects_moves_payload, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_too_small_returns_enoexec, setup,
						teardown),
		cmocka_unit_test(test_bzimage_null_image_returns_enoexec),
		cmocka_unit_test_setup_teardown(test_bzimage_no_boot_flag_returns_enoexec, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_no_hdrs_magic_returns_enoexec, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_old_protocol_returns_eprotonosupport,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_protocol_2_12_is_accepted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_no_64bit_entry_returns_eprotonosupport,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_short_header_returns_enoexec, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_truncated_returns_enoexec, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_bzimage_payload_shorter_than_syssize_returns_enoexec, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_bzimage_payload_within_syssize_rounding_is_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_payload_at_file_end_returns_enoexec,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_bzimage_max_setup_sects_beyond_file_returns_enoexec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bzimage_failure_leaves_output_untouched, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
