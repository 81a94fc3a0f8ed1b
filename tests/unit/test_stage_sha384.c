// SPDX-License-Identifier: MIT
/*
 * The boot stage's own SHA-384 (src/stage/sha384.c) against OpenSSL's: the stage cannot
 * link OpenSSL, so it carries a second implementation, and this is what keeps the two the
 * same. Every length around the block and padding boundaries, and every way of splitting
 * the input into updates.
 */
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stage/sha384.h"

static void openssl_sha384(const uint8_t *data, size_t len, uint8_t out[48])
{
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(data, len, out, &n, EVP_sha384(), NULL), 1);
	assert_int_equal(n, 48);
}

static void stage_sha384(const uint8_t *data, size_t len, size_t step, uint8_t out[48])
{
	struct sha384_ctx c;
	size_t off;

	sha384_init(&c);
	for (off = 0; off < len; off += step)
		sha384_update(&c, data + off, len - off < step ? len - off : step);
	sha384_final(&c, out);
}

static uint8_t *pattern(size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	uint32_t x = 0x12345678;
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
	return p;
}

/* FIPS 180-4 examples (the NIST "abc" vector) pin the algorithm, not just agreement. */
static void test_sha384_of_abc_is_the_fips_180_example(void **state)
{
	static const char expect[] = "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a4"
				     "3ff5bed8086072ba1e7cc2358baeca134c825a7";
	uint8_t out[48];
	char hex[97];
	int i;

	stage_sha384((const uint8_t *)"abc", 3, 3, out);
	for (i = 0; i < 48; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	assert_string_equal(hex, expect);
}

static void test_sha384_equals_openssl_for_every_length_up_to_three_blocks(void **state)
{
	uint8_t *data = pattern(3 * 128 + 1), a[48], b[48];
	size_t len;

	for (len = 0; len <= 3 * 128 + 1; len++) {
		stage_sha384(data, len, len ? len : 1, a);
		openssl_sha384(data, len, b);
		assert_memory_equal(a, b, 48);
	}
	free(data);
}

static void test_sha384_equals_openssl_whatever_the_update_sizes(void **state)
{
	static const size_t steps[] = { 1, 7, 111, 112, 113, 127, 128, 129, 4096, 262144 };
	size_t len = 1 << 20 | 77;
	uint8_t *data = pattern(len), expect[48], got[48];
	unsigned int i;

	openssl_sha384(data, len, expect);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		stage_sha384(data, len, steps[i], got);
		assert_memory_equal(got, expect, 48);
	}
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha384_of_abc_is_the_fips_180_example),
		cmocka_unit_test(test_sha384_equals_openssl_for_every_length_up_to_three_blocks),
		cmocka_unit_test(test_sha384_equals_openssl_whatever_the_update_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
