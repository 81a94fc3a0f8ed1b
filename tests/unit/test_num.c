// SPDX-License-Identifier: MIT
/*
 * The one number syntax (util/num.h) and base64 of exact sizes (util/base64.h): what every
 * numeric option of a launch, `measure` and `id-block` accepts and refuses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/base64.h"
#include "util/num.h"

static void test_parse_uint_takes_decimal_and_0x_hex(void **state)
{
	uint64_t v = 0;

	assert_int_equal(parse_uint("196608", UINT64_MAX, &v), 0);
	assert_int_equal(v, 0x30000);
	assert_int_equal(parse_uint("0x30000", UINT64_MAX, &v), 0);
	assert_int_equal(v, 0x30000);
	assert_int_equal(parse_uint("0X1f", UINT64_MAX, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(parse_uint("0", UINT64_MAX, &v), 0);
	assert_int_equal(v, 0);
}

static void test_parse_uint_leading_zero_is_refused_never_octal(void **state)
{
	uint64_t v = 7;

	assert_int_equal(parse_uint("030000", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint("00", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint("08", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(v, 7);
}

static void test_parse_uint_sign_blank_separator_and_empty_hex_are_refused(void **state)
{
	uint64_t v;

	assert_int_equal(parse_uint("", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint("+1", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint("-1", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint(" 1", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint("1 ", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint("1_000", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint("0x", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint("0o17", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint("0b101", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint("12a", UINT64_MAX, &v), -EINVAL);
}

static void test_parse_uint_above_max_or_64_bits_is_erange(void **state)
{
	uint64_t v;

	assert_int_equal(parse_uint("256", 255, &v), -ERANGE);
	assert_int_equal(parse_uint("0xffffffffffffffff", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_uint("0x10000000000000000", UINT64_MAX, &v), -ERANGE);
	assert_int_equal(parse_uint("18446744073709551616", UINT64_MAX, &v), -ERANGE);
}

static void test_parse_uint128_hex_is_stored_least_significant_first(void **state)
{
	uint8_t b[16];

	assert_int_equal(parse_uint128_le("0x0102030405060708090a0b0c0d0e0f10", b), 0);
	assert_int_equal(b[0], 0x10);
	assert_int_equal(b[15], 0x01);
}

static void test_parse_uint128_decimal_beyond_64_bits(void **state)
{
	uint8_t b[16];

	/* 2^64 + 1 */
	assert_int_equal(parse_uint128_le("18446744073709551617", b), 0);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[8], 1);
	assert_int_equal(b[15], 0);
}

static void test_parse_uint128_too_wide_or_octal_is_refused(void **state)
{
	uint8_t b[16];

	assert_int_equal(parse_uint128_le("0x1"
					  "00000000000000000000000000000000",
					  b),
			 -ERANGE);
	assert_int_equal(parse_uint128_le("0102", b), -EINVAL);
}

static void test_parse_size_units_as_qemu_writes_them(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("64k", &v), 0);
	assert_int_equal(v, 64ULL << 10);
	assert_int_equal(parse_size("512M", &v), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(parse_size("512m", &v), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(parse_size("4G", &v), 0);
	assert_int_equal(v, 4ULL << 30);
	assert_int_equal(parse_size("1T", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_equal(parse_size("4GiB", &v), 0);
	assert_int_equal(v, 4ULL << 30);
	assert_int_equal(parse_size("4096B", &v), 0);
	assert_int_equal(v, 4096);
}

static void test_parse_size_plain_and_hex_numbers_are_bytes(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("268435456", &v), 0);
	assert_int_equal(v, 268435456ULL);
	assert_int_equal(parse_size("0x10000000", &v), 0);
	assert_int_equal(v, 0x10000000ULL);
	assert_int_equal(parse_size("0x1B", &v), 0);
	assert_int_equal(v, 27);
}

static void test_parse_size_fraction_giving_whole_bytes_is_accepted(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("1.5G", &v), 0);
	assert_int_equal(v, 3ULL << 29);
	assert_int_equal(parse_size("0.5M", &v), 0);
	assert_int_equal(v, 512ULL << 10);
}

static void test_parse_size_fraction_of_a_byte_is_refused(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("1.5", &v), -EINVAL);
	assert_int_equal(parse_size("0.3K", &v), -EINVAL);
	assert_int_equal(parse_size("1.K", &v), -EINVAL);
	assert_int_equal(parse_size("1.0000001G", &v), -EINVAL);
}

static void test_parse_size_si_units_are_refused_as_ambiguous(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("512MB", &v), -EINVAL);
	assert_int_equal(parse_size("4GB", &v), -EINVAL);
	assert_int_equal(parse_size("64kB", &v), -EINVAL);
}

static void test_parse_size_garbage_and_overflow_are_refused(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("M", &v), -EINVAL);
	assert_int_equal(parse_size(" 4G", &v), -EINVAL);
	assert_int_equal(parse_size("4 G", &v), -EINVAL);
	assert_int_equal(parse_size("0512M", &v), -EINVAL);
	assert_int_equal(parse_size("0x10M", &v), -EINVAL);
	assert_int_equal(parse_size("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_size("17179869184G", &v), -ERANGE);
}

/* 32 bytes 0x00..0x1f, base64 as `base64` prints it. */
#define B64_0_31 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static void test_base64_of_exact_size_is_decoded(void **state)
{
	uint8_t b[32];

	assert_int_equal(base64_decode_exact(B64_0_31, strlen(B64_0_31), b, sizeof(b)), 0);
	assert_int_equal(b[0], 0);
	assert_int_equal(b[31], 31);
}

static void test_base64_line_breaks_are_skipped(void **state)
{
	const char text[] = "AAECAwQFBgcICQoLDA0ODxAR\nEhMUFRYXGBkaGxwdHh8=\n";
	uint8_t b[32];

	assert_int_equal(base64_decode_exact(text, strlen(text), b, sizeof(b)), 0);
	assert_int_equal(b[31], 31);
}

static void test_base64_of_another_size_or_alphabet_is_refused(void **state)
{
	uint8_t b[33] = { 0xaa };

	assert_int_equal(base64_decode_exact(B64_0_31, strlen(B64_0_31), b, 33), -EINVAL);
	assert_int_equal(base64_decode_exact(B64_0_31, strlen(B64_0_31), b, 31), -EINVAL);
	assert_int_equal(
		base64_decode_exact("AAEC-wQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", 44, b, 32),
		-EINVAL);
	assert_int_equal(
		base64_decode_exact("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", 44, b, 32),
		-EINVAL);
	assert_int_equal(b[0], 0xaa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_uint_takes_decimal_and_0x_hex),
		cmocka_unit_test(test_parse_uint_leading_zero_is_refused_never_octal),
		cmocka_unit_test(test_parse_uint_sign_blank_separator_and_empty_hex_are_refused),
		cmocka_unit_test(test_parse_uint_above_max_or_64_bits_is_erange),
		cmocka_unit_test(test_parse_uint128_hex_is_stored_least_significant_first),
		cmocka_unit_test(test_parse_uint128_decimal_beyond_64_bits),
		cmocka_unit_test(test_parse_uint128_too_wide_or_octal_is_refused),
		cmocka_unit_test(test_parse_size_units_as_qemu_writes_them),
		cmocka_unit_test(test_parse_size_plain_and_hex_numbers_are_bytes),
		cmocka_unit_test(test_parse_size_fraction_giving_whole_bytes_is_accepted),
		cmocka_unit_test(test_parse_size_fraction_of_a_byte_is_refused),
		cmocka_unit_test(test_parse_size_si_units_are_refused_as_ambiguous),
		cmocka_unit_test(test_parse_size_garbage_and_overflow_are_refused),
		cmocka_unit_test(test_base64_of_exact_size_is_decoded),
		cmocka_unit_test(test_base64_line_breaks_are_skipped),
		cmocka_unit_test(test_base64_of_another_size_or_alphabet_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
