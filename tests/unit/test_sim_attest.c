// SPDX-License-Identifier: MIT
/*
 * The simulated PSP's attestation reports (src/sim/sim_attest.c): the fields a launched
 * guest's report carries, read back at 56860's offsets (written out here, not taken from
 * struct snp_report), the simulated chip's documented identity, and a signature that
 * verifies under the VCEK's public key through OpenSSL directly (r and s turned into a
 * DER ECDSA_SIG by hand), for a key made up by the simulator or given as a PEM file.
 */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim_test_util.h"

#define OFF_VERSION	 0x000
#define OFF_POLICY	 0x008
#define OFF_SIG_ALGO	 0x034
#define OFF_KEY_INFO	 0x048
#define OFF_REPORT_DATA	 0x050
#define OFF_MEASUREMENT	 0x090
#define OFF_HOST_DATA	 0x0c0
#define OFF_REPORT_ID	 0x140
#define OFF_REPORT_ID_MA 0x160
#define OFF_REPORTED_TCB 0x180
#define OFF_CPUID	 0x188
#define OFF_CHIP_ID	 0x1a0
#define OFF_LAUNCH_TCB	 0x1f0
#define OFF_SIG		 0x2a0

static const uint8_t chip_tcb[8] = { 3, 0, 0, 0, 0, 0, 8, 115 };

static void launched_vm(struct t_vm *vm)
{
	t_vm_create(vm, NULL, NULL, NULL, NULL);
	t_launch_all(vm);
}

/* ECDSA P-384/SHA-384 over bytes 0..0x29f with r, s little-endian at 0x2a0 / 0x2e8. */
static bool signature_verifies(const uint8_t *raw, EVP_PKEY *key)
{
	BIGNUM *r = BN_lebin2bn(raw + OFF_SIG, 72, NULL),
	       *s = BN_lebin2bn(raw + OFF_SIG + 72, 72, NULL);
	ECDSA_SIG *sig = ECDSA_SIG_new();
	unsigned char *der = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int len, ok;

	assert_true(r && s && sig && md && ECDSA_SIG_set0(sig, r, s));
	len = i2d_ECDSA_SIG(sig, &der);
	assert_true(len > 0);
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, key), 1);
	ok = EVP_DigestVerify(md, der, (size_t)len, raw, 0x2a0) == 1;
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(md);
	return ok;
}

static void test_sim_attest_report_carries_the_launch_and_the_chip(void **state)
{
	uint8_t report_data[64], chip_id[64];
	struct snp_report r;
	const uint8_t *raw = (const uint8_t *)&r;
	unsigned int n = 0;
	struct t_vm vm;
	unsigned int i;

	for (i = 0; i < sizeof(report_data); i++)
		report_data[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(EVP_Digest("snpvmm simulated chip", 21, chip_id, &n, EVP_sha512(), NULL),
			 1);
	launched_vm(&vm);

	assert_int_equal(sim_attest_report(vm.sim, report_data, 0, &r, NULL), 0);

	assert_int_equal(raw[OFF_VERSION], 3);
	assert_memory_equal(raw + OFF_POLICY, &(uint64_t){ T_POLICY }, 8);
	assert_int_equal(raw[OFF_SIG_ALGO], 1);
	assert_int_equal(raw[OFF_KEY_INFO], 0); /* VCEK, no author key */
	assert_memory_equal(raw + OFF_REPORT_DATA, report_data, 64);
	assert_memory_equal(raw + OFF_MEASUREMENT, vm.sim->psp.measurement, 48);
	assert_memory_equal(raw + OFF_HOST_DATA, vm.sim->psp.host_data, 32);
	assert_memory_equal(raw + OFF_REPORTED_TCB, chip_tcb, 8);
	assert_memory_equal(raw + OFF_LAUNCH_TCB, chip_tcb, 8);
	assert_memory_equal(raw + OFF_CPUID, "\x19\x01\x01", 3);
	assert_memory_equal(raw + OFF_CHIP_ID, chip_id, 64);
	for (i = 0; i < 32; i++)
		assert_int_equal(raw[OFF_REPORT_ID_MA + i], 0xff);
	assert_true(signature_verifies(raw, vm.sim->attest.vcek));
	t_vm_destroy(&vm);
}

static void test_sim_attest_report_id_is_stable_for_the_guest(void **state)
{
	static const uint8_t zero[64];
	struct snp_report a, b;
	struct t_vm vm;

	launched_vm(&vm);

	assert_int_equal(sim_attest_report(vm.sim, zero, 0, &a, NULL), 0);
	assert_int_equal(sim_attest_report(vm.sim, zero, 0, &b, NULL), 0);

	assert_memory_equal(a.report_id, b.report_id, sizeof(a.report_id));
	assert_memory_not_equal(a.report_id, zero, sizeof(a.report_id));
	t_vm_destroy(&vm);
}

static void test_sim_attest_no_report_before_launch_finish(void **state)
{
	static const uint8_t zero[64];
	struct diag d = { "" };
	struct snp_report r;
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);

	assert_int_equal(sim_attest_report(vm.sim, zero, 0, &r, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "no launched guest"));
	t_vm_destroy(&vm);
}

static void test_sim_attest_signs_with_the_given_vcek_key(void **state)
{
	static const uint8_t zero[64];
	char path[] = "/tmp/snpvmm-sim-vcek-XXXXXX";
	EVP_PKEY *key = EVP_EC_gen("P-384");
	struct sim_attest a;
	struct snp_report r;
	struct t_vm vm;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	assert_non_null(key);
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
	assert_int_equal(fclose(f), 0);
	launched_vm(&vm);
	assert_int_equal(sim_attest_init(&a, path, NULL), 0);
	sim_attest_fini(&vm.sim->attest);
	vm.sim->attest = a;

	assert_int_equal(sim_attest_report(vm.sim, zero, 0, &r, NULL), 0);

	assert_true(signature_verifies((const uint8_t *)&r, key));
	unlink(path);
	EVP_PKEY_free(key);
	t_vm_destroy(&vm);
}

static void test_sim_attest_unreadable_key_names_the_file(void **state)
{
	struct diag d = { "" };
	struct sim_attest a;

	assert_int_equal(sim_attest_init(&a, "/nonexistent/vcek.pem", &d), -ENOENT);
	assert_non_null(strstr(d.msg, "/nonexistent/vcek.pem"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_attest_report_carries_the_launch_and_the_chip),
		cmocka_unit_test(test_sim_attest_report_id_is_stable_for_the_guest),
		cmocka_unit_test(test_sim_attest_no_report_before_launch_finish),
		cmocka_unit_test(test_sim_attest_signs_with_the_given_vcek_key),
		cmocka_unit_test(test_sim_attest_unreadable_key_names_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
