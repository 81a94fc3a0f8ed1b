// SPDX-License-Identifier: MIT
/*
 * attest_verify() on attestation reports signed by real AMD hardware
 * (tests/data/attestation/README.md): each verifies with its VCEK against AMD's roots;
 * flipping any byte of the signed part or of the signature fails the signature check,
 * flipping any byte of the VCEK fails loading it or its chain; a VCEK of another product
 * fails the chain, one of another chip fails the signature and the chip ID; and every
 * expectation check passes on the right value and fails, with both values, on a wrong
 * one.
 */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attest_test_util.h"
#include "snp/attest.h"
#include "snp/vcek.h"

struct real_report {
	const char *report, *vcek;
	enum snp_product product;
};

static const struct real_report virtee_milan = { "virtee-milan-v2.hex", "virtee-milan-vcek.der",
						 SNP_PRODUCT_MILAN };
static const struct real_report gosevguest_milan = { "gosevguest-milan-v2.bin",
						     "gosevguest-milan-vcek.der",
						     SNP_PRODUCT_MILAN };
static const struct real_report msft_milan = { "msft-milan-v3.bin", "msft-milan-vcek.pem",
					       SNP_PRODUCT_MILAN };
static const struct real_report msft_genoa = { "msft-genoa-v3.bin", "msft-genoa-vcek.pem",
					       SNP_PRODUCT_GENOA };
static const struct real_report msft_turin = { "msft-turin-v5.bin", "msft-turin-vcek.pem",
					       SNP_PRODUCT_TURIN };

/* A report with its VCEK and AMD's chain for the product, as `verify --product` uses. */
struct fixture {
	struct snp_report report;
	X509 *vcek, *ask, *ark;
	struct attest_evidence ev;
	struct attest_expectations ex;
	struct attest_result res;
};

static struct fixture *fixture_new(const struct real_report *rr)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	attest_load_report(rr->report, &f->report);
	f->vcek = attest_load_cert(rr->vcek);
	attest_amd_chain(rr->product, 0, &f->ask, &f->ark);
	f->ev = (struct attest_evidence){
		.report = &f->report,
		.key_cert = f->vcek,
		.intermediate = f->ask,
		.root = f->ark,
		.anchor = f->ark,
		.anchor_is_amd = true,
		.product = rr->product,
		.at = ATTEST_TEST_TIME,
	};
	/* The real DEBUG-policy report is accepted only where a test says so. */
	f->ex.allow_debug = rr == &gosevguest_milan;
	return f;
}

static void fixture_free(struct fixture *f)
{
	X509_free(f->vcek);
	X509_free(f->ask);
	X509_free(f->ark);
	free(f);
}

static const struct attest_check *check(const struct attest_result *res, const char *name)
{
	static const struct attest_check none = { .name = "none", .status = ATTEST_SKIP };
	unsigned int i;

	for (i = 0; i < res->nr; i++)
		if (strcmp(res->checks[i].name, name) == 0)
			return &res->checks[i];
	fail_msg("no check named %s", name);
	return &none;
}

static void assert_status(const struct attest_result *res, const char *name,
			  enum attest_status want)
{
	const struct attest_check *c = check(res, name);

	if (c->status != want)
		fail_msg("check %s: status %d, want %d (%s)", name, c->status, want, c->detail);
}

static void test_attest_real_report_verifies_against_amd_roots(void **state)
{
	struct fixture *f = fixture_new(*state);
	unsigned int i;

	attest_verify(&f->ev, &f->ex, &f->res);

	for (i = 0; i < f->res.nr; i++)
		if (f->res.checks[i].status == ATTEST_FAIL)
			fail_msg("%s failed: %s", f->res.checks[i].name, f->res.checks[i].detail);
	assert_int_equal(f->res.failed, 0);
	assert_status(&f->res, "signature", ATTEST_PASS);
	assert_status(&f->res, "chain", ATTEST_PASS);
	assert_status(&f->res, "chip-id", ATTEST_PASS);
	assert_status(&f->res, "tcb", ATTEST_PASS);
	assert_status(&f->res, "measurement", ATTEST_SKIP);
	fixture_free(f);
}

static void test_attest_real_turin_tcb_and_short_hwid_are_read(void **state)
{
	struct fixture *f = fixture_new(&msft_turin);

	attest_verify(&f->ev, &f->ex, &f->res);

	assert_string_equal(check(&f->res, "tcb")->actual, "fmc 1, bl 1, tee 1, snp 4, ucode 81");
	assert_string_equal(check(&f->res, "tcb")->expected, check(&f->res, "tcb")->actual);
	assert_string_equal(check(&f->res, "chip-id")->expected, "59790fb1c39f35c1");
	assert_status(&f->res, "product", ATTEST_PASS);
	fixture_free(f);
}

static void test_attest_real_milan_ucode_above_127_is_read_as_der_integer(void **state)
{
	struct fixture *f = fixture_new(&msft_milan);

	attest_verify(&f->ev, &f->ex, &f->res);

	/* ucodeSPL is encoded 02 02 00 db: a DER INTEGER needs the leading zero. */
	assert_string_equal(check(&f->res, "tcb")->expected, "bl 4, tee 0, snp 24, ucode 219");
	assert_status(&f->res, "tcb", ATTEST_PASS);
	fixture_free(f);
}

/* Every byte of [from, to) of the report flipped: the signature check must fail. */
static void flip_each_report_byte(struct fixture *f, size_t from, size_t to)
{
	uint8_t *bytes = (uint8_t *)&f->report;
	size_t off;

	for (off = from; off < to; off++) {
		bytes[off] ^= 0x01;
		attest_verify(&f->ev, &f->ex, &f->res);
		bytes[off] ^= 0x01;
		if (check(&f->res, "signature")->status != ATTEST_FAIL)
			fail_msg("flipping report byte 0x%zx did not fail the signature", off);
	}
	attest_verify(&f->ev, &f->ex, &f->res);
	assert_int_equal(f->res.failed, 0);
}

static void test_attest_real_any_flipped_byte_of_the_signed_part_fails_the_signature(void **state)
{
	struct fixture *f = fixture_new(&msft_milan);

	flip_each_report_byte(f, 0, SNP_REPORT_SIGNED_SIZE);
	fixture_free(f);
}

static void test_attest_real_any_flipped_byte_of_the_signature_fails_it(void **state)
{
	struct fixture *f = fixture_new(&msft_turin);

	flip_each_report_byte(f, SNP_REPORT_SIGNED_SIZE, SNP_REPORT_SIZE);
	fixture_free(f);
}

static void test_attest_real_any_flipped_byte_of_the_vcek_fails_load_or_chain(void **state)
{
	struct fixture *f = fixture_new(&virtee_milan);
	unsigned char *der = NULL;
	int len = i2d_X509(f->vcek, &der);
	unsigned int loaded_but_failed = 0;
	int off;

	assert_true(len > 0);
	for (off = 0; off < len; off++) {
		struct diag d = { "" };
		X509 *bad = NULL;

		der[off] ^= 0x01;
		if (snp_cert_load(der, (size_t)len, &bad, &d) == 0) {
			f->ev.key_cert = bad;
			attest_verify(&f->ev, &f->ex, &f->res);
			if (check(&f->res, "chain")->status != ATTEST_FAIL)
				fail_msg("flipping VCEK byte %d did not fail the chain", off);
			loaded_but_failed++;
			X509_free(bad);
		}
		der[off] ^= 0x01;
	}
	f->ev.key_cert = f->vcek;
	attest_verify(&f->ev, &f->ex, &f->res);
	assert_int_equal(f->res.failed, 0);
	/* Most flips leave a parsable certificate whose signature no longer verifies. */
	assert_true(loaded_but_failed > (unsigned int)len / 2);
	OPENSSL_free(der);
	fixture_free(f);
}

static void test_attest_real_vcek_of_another_product_fails_the_chain(void **state)
{
	struct fixture *f = fixture_new(&msft_milan);
	X509 *turin_vcek = attest_load_cert("virtee-turin-vcek.der");
	const struct attest_check *chain;

	f->ev.key_cert = turin_vcek;
	attest_verify(&f->ev, &f->ex, &f->res);

	chain = check(&f->res, "chain");
	assert_int_equal(chain->status, ATTEST_FAIL);
	assert_non_null(strstr(chain->detail, "the VCEK/VLEK"));
	assert_status(&f->res, "signature", ATTEST_FAIL);
	X509_free(turin_vcek);
	fixture_free(f);
}

static void test_attest_real_vcek_of_another_milan_chip_fails_signature_and_chip_id(void **state)
{
	struct fixture *f = fixture_new(&msft_milan);
	X509 *other = attest_load_cert("virtee-milan-vcek.der");

	f->ev.key_cert = other;
	attest_verify(&f->ev, &f->ex, &f->res);

	assert_status(&f->res, "chain", ATTEST_PASS);
	assert_status(&f->res, "signature", ATTEST_FAIL);
	assert_status(&f->res, "chip-id", ATTEST_FAIL);
	assert_status(&f->res, "tcb", ATTEST_FAIL);
	X509_free(other);
	fixture_free(f);
}

static void test_attest_real_chain_of_another_product_is_not_the_anchor(void **state)
{
	struct fixture *f = fixture_new(&msft_genoa);
	X509 *milan_ask, *milan_ark;
	const struct attest_check *chain;

	attest_amd_chain(SNP_PRODUCT_MILAN, 0, &milan_ask, &milan_ark);
	f->ev.anchor = milan_ark; /* the user said --product milan */
	attest_verify(&f->ev, &f->ex, &f->res);

	chain = check(&f->res, "chain");
	assert_int_equal(chain->status, ATTEST_FAIL);
	assert_non_null(strstr(chain->detail, "not the trusted AMD root 'ARK-Milan'"));
	assert_string_equal(chain->expected,
			    "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd");
	X509_free(milan_ask);
	X509_free(milan_ark);
	fixture_free(f);
}

static void test_attest_real_product_check_compares_cpuid_with_the_chain(void **state)
{
	struct fixture *f = fixture_new(&msft_genoa);

	f->ev.product = SNP_PRODUCT_MILAN;
	attest_verify(&f->ev, &f->ex, &f->res);

	assert_status(&f->res, "product", ATTEST_FAIL);
	assert_non_null(strstr(check(&f->res, "product")->actual, "genoa"));
	fixture_free(f);
}

static void test_attest_real_expired_or_not_yet_valid_vcek_fails_the_chain(void **state)
{
	struct fixture *f = fixture_new(&msft_milan);

	f->ev.at = (time_t)2208988800; /* 2040-01-01 */
	attest_verify(&f->ev, &f->ex, &f->res);
	assert_status(&f->res, "chain", ATTEST_FAIL);
	assert_non_null(strstr(check(&f->res, "chain")->detail, "expired"));

	f->ev.at = (time_t)1704067200; /* 2024-01-01, before this VCEK was issued */
	attest_verify(&f->ev, &f->ex, &f->res);
	assert_status(&f->res, "chain", ATTEST_FAIL);
	assert_non_null(strstr(check(&f->res, "chain")->detail, "not yet valid"));
	fixture_free(f);
}

static void test_attest_real_debug_policy_fails_unless_allowed(void **state)
{
	struct fixture *f = fixture_new(&gosevguest_milan); /* policy 0xb0000: DEBUG set */

	f->ex.allow_debug = false;
	attest_verify(&f->ev, &f->ex, &f->res);
	assert_status(&f->res, "debug", ATTEST_FAIL);
	assert_int_equal(f->res.failed, 1);

	f->ex.allow_debug = true;
	attest_verify(&f->ev, &f->ex, &f->res);
	assert_status(&f->res, "debug", ATTEST_PASS);
	assert_int_equal(f->res.failed, 0);
	fixture_free(f);
}

static void test_attest_real_expectations_pass_on_the_values_and_fail_with_both(void **state)
{
	struct fixture *f = fixture_new(&msft_turin);
	uint8_t measurement[48], host_data[32], report_data[64], id_key[48];
	const struct attest_check *c;

	memcpy(measurement, (uint8_t *)&f->report + 0x90, sizeof(measurement));
	memcpy(host_data, (uint8_t *)&f->report + 0xc0, sizeof(host_data));
	memcpy(report_data, (uint8_t *)&f->report + 0x50, sizeof(report_data));
	memcpy(id_key, (uint8_t *)&f->report + 0xe0, sizeof(id_key));
	f->ex = (struct attest_expectations){ .measurement = measurement,
					      .host_data = host_data,
					      .report_data = report_data,
					      .id_key_digest = id_key,
					      .has_policy = true,
					      .policy = 0x3001f,
					      .has_vmpl = true,
					      .vmpl = 0 };
	attest_verify(&f->ev, &f->ex, &f->res);
	assert_int_equal(f->res.failed, 0);
	assert_status(&f->res, "measurement", ATTEST_PASS);
	assert_status(&f->res, "host-data", ATTEST_PASS);
	assert_status(&f->res, "report-data", ATTEST_PASS);
	assert_status(&f->res, "id-key", ATTEST_PASS);
	assert_status(&f->res, "policy", ATTEST_PASS);
	assert_status(&f->res, "vmpl", ATTEST_PASS);

	measurement[47] ^= 0xff;
	f->ex.policy = 0x30000;
	attest_verify(&f->ev, &f->ex, &f->res);
	assert_int_equal(f->res.failed, 2);
	c = check(&f->res, "measurement");
	assert_int_equal(c->status, ATTEST_FAIL);
	assert_int_equal(strlen(c->expected), 96);
	assert_int_equal(strlen(c->actual), 96);
	assert_string_not_equal(c->expected, c->actual);
	c = check(&f->res, "policy");
	assert_string_equal(c->expected, "0x30000");
	assert_string_equal(c->actual, "0x3001f");
	fixture_free(f);
}

static void test_attest_real_min_tcb_compares_each_component(void **state)
{
	struct fixture *f = fixture_new(&msft_turin); /* fmc 1, bl 1, tee 1, snp 4, ucode 81 */
	struct attest_min_tcb m;

	assert_int_equal(attest_min_tcb_parse("fmc=1,bl=1,tee=1,snp=4,ucode=0x51", &m, NULL), 0);
	f->ex.min_tcb = &m;
	attest_verify(&f->ev, &f->ex, &f->res);
	assert_status(&f->res, "min-tcb", ATTEST_PASS);

	assert_int_equal(attest_min_tcb_parse("snp=5", &m, NULL), 0);
	attest_verify(&f->ev, &f->ex, &f->res);
	assert_status(&f->res, "min-tcb", ATTEST_FAIL);
	fixture_free(f);
}

static void test_attest_real_min_tcb_fmc_is_turin_only(void **state)
{
	struct fixture *f = fixture_new(&msft_genoa);
	struct attest_min_tcb m;

	assert_int_equal(attest_min_tcb_parse("fmc=0", &m, NULL), 0);
	f->ex.min_tcb = &m;
	attest_verify(&f->ev, &f->ex, &f->res);

	assert_status(&f->res, "min-tcb", ATTEST_FAIL);
	assert_non_null(strstr(check(&f->res, "min-tcb")->detail, "no FMC"));
	fixture_free(f);
}

static void test_attest_min_tcb_parse_refuses_bad_specs(void **state)
{
	struct attest_min_tcb m;
	struct diag d = { "" };

	assert_int_equal(attest_min_tcb_parse("", &m, &d), -EINVAL);
	assert_int_equal(attest_min_tcb_parse("bl=256", &m, &d), -EINVAL);
	assert_int_equal(attest_min_tcb_parse("bl=1,bl=2", &m, &d), -EINVAL);
	assert_int_equal(attest_min_tcb_parse("bl=1,", &m, &d), -EINVAL);
	assert_int_equal(attest_min_tcb_parse("microcode=1", &m, &d), -EINVAL);
	assert_int_equal(attest_min_tcb_parse("snp=-1", &m, &d), -EINVAL);
	assert_int_equal(attest_min_tcb_parse("snp", &m, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "--min-tcb 'snp'"));
}

static void test_attest_real_vcek_given_as_vlek_fails_the_signing_key(void **state)
{
	struct fixture *f = fixture_new(&msft_genoa);

	f->ev.vlek = true;
	attest_verify(&f->ev, &f->ex, &f->res);

	assert_status(&f->res, "signing-key", ATTEST_FAIL);
	assert_string_equal(check(&f->res, "signing-key")->actual, "0 (VCEK)");
	fixture_free(f);
}

/* The key digest is SHA-384 over the 0x404-byte ABI key: curve 2, then x and y
 * little-endian in 72-byte fields (built here by hand, not by snp_key_digest). */
static void test_attest_key_digest_hashes_the_firmware_key_structure(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("P-384");
	uint8_t abi[0x404] = { 2 }, want[48], got[48];
	BIGNUM *x = NULL, *y = NULL;
	unsigned int n = 0;

	assert_non_null(key);
	assert_int_equal(EVP_PKEY_get_bn_param(key, "qx", &x), 1);
	assert_int_equal(EVP_PKEY_get_bn_param(key, "qy", &y), 1);
	assert_int_equal(BN_bn2lebinpad(x, abi + 4, 72), 72);
	assert_int_equal(BN_bn2lebinpad(y, abi + 4 + 72, 72), 72);
	assert_int_equal(EVP_Digest(abi, sizeof(abi), want, &n, EVP_sha384(), NULL), 1);

	assert_int_equal(snp_key_digest(key, got, NULL), 0);

	assert_memory_equal(got, want, sizeof(want));
	BN_free(x);
	BN_free(y);
	EVP_PKEY_free(key);
}

#define EACH_REAL_REPORT(fn)                                              \
	cmocka_unit_test_prestate(fn, (void *)&virtee_milan),             \
		cmocka_unit_test_prestate(fn, (void *)&gosevguest_milan), \
		cmocka_unit_test_prestate(fn, (void *)&msft_milan),       \
		cmocka_unit_test_prestate(fn, (void *)&msft_genoa),       \
		cmocka_unit_test_prestate(fn, (void *)&msft_turin)

int main(void)
{
	const struct CMUnitTest tests[] = {
		EACH_REAL_REPORT(test_attest_real_report_verifies_against_amd_roots),
		cmocka_unit_test(test_attest_real_turin_tcb_and_short_hwid_are_read),
		cmocka_unit_test(test_attest_real_milan_ucode_above_127_is_read_as_der_integer),
		cmocka_unit_test(
			test_attest_real_any_flipped_byte_of_the_signed_part_fails_the_signature),
		cmocka_unit_test(test_attest_real_any_flipped_byte_of_the_signature_fails_it),
		cmocka_unit_test(test_attest_real_any_flipped_byte_of_the_vcek_fails_load_or_chain),
		cmocka_unit_test(test_attest_real_vcek_of_another_product_fails_the_chain),
		cmocka_unit_test(
			test_attest_real_vcek_of_another_milan_chip_fails_signature_and_chip_id),
		cmocka_unit_test(test_attest_real_chain_of_another_product_is_not_the_anchor),
		cmocka_unit_test(test_attest_real_product_check_compares_cpuid_with_the_chain),
		cmocka_unit_test(test_attest_real_expired_or_not_yet_valid_vcek_fails_the_chain),
		cmocka_unit_test(test_attest_real_debug_policy_fails_unless_allowed),
		cmocka_unit_test(
			test_attest_real_expectations_pass_on_the_values_and_fail_with_both),
		cmocka_unit_test(test_attest_real_min_tcb_compares_each_component),
		cmocka_unit_test(test_attest_real_min_tcb_fmc_is_turin_only),
		cmocka_unit_test(test_attest_min_tcb_parse_refuses_bad_specs),
		cmocka_unit_test(test_attest_real_vcek_given_as_vlek_fails_the_signing_key),
		cmocka_unit_test(test_attest_key_digest_hashes_the_firmware_key_structure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
