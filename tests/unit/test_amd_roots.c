// SPDX-License-Identifier: MIT
/*
 * AMD's root certificates shipped in data/amd/ and compiled into snpvmm: each file holds
 * the ASK or ASVK and the ARK in KDS order, the ARK is self-signed and signed the other
 * one with RSASSA-PSS/SHA-384, the SHA-256 fingerprints are the ones data/amd/README.md
 * records (the same bytes virtee/sev, go-sev-guest and Microsoft's verifier ship), and
 * the compiled-in copy is the file (apart from CR line ends). Each test runs once per product.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
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
#include "snp/launch_digest.h"
#include "snp/vcek.h"

struct product_roots {
	enum snp_product product;
	const char *dir;
	const char *ark_cn, *ask_cn, *asvk_cn;
	const char *ark_sha256, *ask_sha256, *asvk_sha256;
};

static const struct product_roots milan = {
	SNP_PRODUCT_MILAN,
	"milan",
	"ARK-Milan",
	"SEV-Milan",
	"SEV-VLEK-Milan",
	"69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd",
	"67d303bd3905fd38db8b20e0793699870e7fa612eaad5dec358293fd8c0bac1b",
	"c5e081f59b7efab1fe2f8b505e159704e72f29cab7ef7cf628a05a42439082f5",
};
static const struct product_roots genoa = {
	SNP_PRODUCT_GENOA,
	"genoa",
	"ARK-Genoa",
	"SEV-Genoa",
	"SEV-VLEK-Genoa",
	"4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1",
	"5464738c1546aed5f2cecf1dc98c5c960a92e8913238a61711bc90ec6e828521",
	"197e610743a917d6b9bb982a5a9226ccc0a15b611be0619e626aca9151457372",
};
static const struct product_roots turin = {
	SNP_PRODUCT_TURIN,
	"turin",
	"ARK-Turin",
	"SEV-Turin",
	"SEV-VLEK-Turin",
	"1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a",
	"5b77ef5fe7a7a004fd9032668fba9d0fda22f88c4442069a479636a6ae3b3185",
	"104e10a8bd060a3c20a434261a57d0588fd65a88915b4f65b08bdecaf8df1a3c",
};

/* The two certificates of data/amd/DIR/FILE, read with plain PEM_read_bio_X509 in file
 * order (independently of snp_cert_chain_load). */
static void read_file_chain(const struct product_roots *p, const char *file, X509 **ret_first,
			    X509 **ret_second)
{
	char rel[128];
	uint8_t *data;
	size_t len;
	BIO *bio;

	snprintf(rel, sizeof(rel), "data/amd/%s/%s", p->dir, file);
	attest_load_file(rel, &data, &len);
	bio = BIO_new_mem_buf(data, (int)len);
	assert_non_null(bio);
	*ret_first = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	*ret_second = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	assert_null(PEM_read_bio_X509(bio, NULL, NULL, NULL));
	BIO_free(bio);
	free(data);
	assert_non_null(*ret_first);
	assert_non_null(*ret_second);
}

static void assert_fingerprint(X509 *cert, const char *want_hex)
{
	uint8_t fp[32];
	char hex[65];

	assert_int_equal(snp_cert_sha256(cert, fp), 0);
	snp_hex(fp, sizeof(fp), hex);
	assert_string_equal(hex, want_hex);
}

static void assert_cn(X509 *cert, const char *want)
{
	char cn[64];

	assert_string_equal(snp_cert_cn(cert, cn, sizeof(cn)), want);
}

static void assert_pss_sha384(X509 *cert)
{
	int md = 0, pk = 0;

	assert_int_equal(X509_get_signature_info(cert, &md, &pk, NULL, NULL), 1);
	assert_int_equal(pk, EVP_PKEY_RSA_PSS);
	assert_int_equal(md, NID_sha384);
}

static void test_amd_roots_vcek_chain_file_is_ask_then_self_signed_ark(void **state)
{
	const struct product_roots *p = *state;
	X509 *ask, *ark;

	read_file_chain(p, "cert_chain.pem", &ask, &ark);

	assert_cn(ask, p->ask_cn);
	assert_cn(ark, p->ark_cn);
	assert_int_equal(X509_verify(ark, X509_get0_pubkey(ark)), 1);
	assert_int_equal(X509_verify(ask, X509_get0_pubkey(ark)), 1);
	assert_pss_sha384(ark);
	assert_pss_sha384(ask);
	assert_int_equal(EVP_PKEY_get_bits(X509_get0_pubkey(ark)), 4096);
	X509_free(ask);
	X509_free(ark);
}

static void test_amd_roots_vlek_chain_file_is_asvk_then_the_same_ark(void **state)
{
	const struct product_roots *p = *state;
	X509 *asvk, *ark, *ask, *vcek_ark;

	read_file_chain(p, "vlek_cert_chain.pem", &asvk, &ark);
	read_file_chain(p, "cert_chain.pem", &ask, &vcek_ark);

	assert_cn(asvk, p->asvk_cn);
	assert_int_equal(X509_cmp(ark, vcek_ark), 0);
	assert_int_equal(X509_verify(asvk, X509_get0_pubkey(ark)), 1);
	assert_pss_sha384(asvk);
	X509_free(asvk);
	X509_free(ark);
	X509_free(ask);
	X509_free(vcek_ark);
}

static void test_amd_roots_fingerprints_are_the_recorded_ones(void **state)
{
	const struct product_roots *p = *state;
	X509 *ask, *ark, *asvk, *ark2;

	read_file_chain(p, "cert_chain.pem", &ask, &ark);
	read_file_chain(p, "vlek_cert_chain.pem", &asvk, &ark2);

	assert_fingerprint(ark, p->ark_sha256);
	assert_fingerprint(ask, p->ask_sha256);
	assert_fingerprint(asvk, p->asvk_sha256);
	X509_free(ask);
	X509_free(ark);
	X509_free(asvk);
	X509_free(ark2);
}

/* The Turin files end their lines with CR LF as the KDS served them; meson reads them
 * as text, so the compiled copy has LF only. */
static size_t drop_cr(uint8_t *data, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (data[i] != '\r')
			data[n++] = data[i];
	return n;
}

static void assert_compiled_copy_equals_file(const struct product_roots *p, int vlek)
{
	const char *pem = amd_cert_chain_pem(p->product, vlek);
	char rel[128];
	uint8_t *data;
	size_t len;

	snprintf(rel, sizeof(rel), "data/amd/%s/%s", p->dir,
		 vlek ? "vlek_cert_chain.pem" : "cert_chain.pem");
	attest_load_file(rel, &data, &len);
	len = drop_cr(data, len);
	assert_non_null(pem);
	assert_int_equal(strlen(pem), len);
	assert_memory_equal(pem, data, len);
	free(data);
}

static void test_amd_roots_compiled_in_chains_are_the_files(void **state)
{
	const struct product_roots *p = *state;

	assert_compiled_copy_equals_file(p, 0);
	assert_compiled_copy_equals_file(p, 1);
}

static void test_amd_roots_chain_loader_returns_ask_and_ark_in_either_order(void **state)
{
	const struct product_roots *p = *state;
	const char *pem = amd_cert_chain_pem(p->product, 0);
	const char *second = strstr(pem + 1, "-----BEGIN CERTIFICATE-----");
	size_t first_len = (size_t)(second - pem);
	char *swapped = malloc(strlen(pem) + 1);
	X509 *ask, *ark, *ask2, *ark2;
	struct diag d = { "" };

	assert_non_null(swapped);
	strcpy(swapped, second);
	strncat(swapped, pem, first_len);

	assert_int_equal(snp_cert_chain_load((const uint8_t *)pem, strlen(pem), &ask, &ark, &d), 0);
	assert_int_equal(
		snp_cert_chain_load((const uint8_t *)swapped, strlen(swapped), &ask2, &ark2, &d),
		0);
	assert_cn(ask, p->ask_cn);
	assert_cn(ark, p->ark_cn);
	assert_int_equal(X509_cmp(ask, ask2), 0);
	assert_int_equal(X509_cmp(ark, ark2), 0);
	X509_free(ask);
	X509_free(ark);
	X509_free(ask2);
	X509_free(ark2);
	free(swapped);
}

static void test_amd_roots_unknown_product_has_no_chain(void **state)
{
	assert_null(amd_cert_chain_pem(SNP_PRODUCT_UNKNOWN, 0));
	assert_null(amd_cert_chain_pem(SNP_PRODUCT_UNKNOWN, 1));
}

#define PER_PRODUCT(fn)                                        \
	cmocka_unit_test_prestate(fn, (void *)&milan),         \
		cmocka_unit_test_prestate(fn, (void *)&genoa), \
		cmocka_unit_test_prestate(fn, (void *)&turin)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PER_PRODUCT(test_amd_roots_vcek_chain_file_is_ask_then_self_signed_ark),
		PER_PRODUCT(test_amd_roots_vlek_chain_file_is_asvk_then_the_same_ark),
		PER_PRODUCT(test_amd_roots_fingerprints_are_the_recorded_ones),
		PER_PRODUCT(test_amd_roots_compiled_in_chains_are_the_files),
		PER_PRODUCT(test_amd_roots_chain_loader_returns_ask_and_ark_in_either_order),
		cmocka_unit_test(test_amd_roots_unknown_product_has_no_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
