// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the certificate inputs of `snpvmm verify`: the bytes as a VCEK
 * (DER or PEM; its AMD extensions; every check of attest_verify() on a fixed version-3
 * Milan report against AMD's Milan chain) and as a cert_chain bundle (under which a
 * certificate from the input is checked). Checks: a failure always says why; extension
 * values stay in their ranges; a certificate made of fuzz input never passes the chain
 * to AMD's root, and so never verifies as a whole.
 */
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "snp/attest.h"
#include "snp/vcek.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static X509 *amd_ask, *amd_ark;

static void load_amd_milan(void)
{
	const char *pem = amd_cert_chain_pem(SNP_PRODUCT_MILAN, false);

	if (!amd_ark &&
	    snp_cert_chain_load((const uint8_t *)pem, strlen(pem), &amd_ask, &amd_ark, NULL) != 0)
		__builtin_trap();
}

static void fuzz_as_vcek(X509 *cert)
{
	static struct snp_report report = { .version = 3, .cpuid_fam_id = 0x19, .cpuid_mod_id = 1 };
	struct attest_expectations ex = { .allow_debug = false };
	struct vcek_extensions ext;
	struct attest_evidence ev = {
		.report = &report,
		.key_cert = cert,
		.intermediate = amd_ask,
		.root = amd_ark,
		.anchor = amd_ark,
		.anchor_is_amd = true,
		.product = SNP_PRODUCT_MILAN,
		.at = 1780272000,
	};
	static struct attest_result res;
	struct diag d = { "" };
	unsigned int i;

	if (vcek_read_extensions(cert, &ext, &d) < 0) {
		if (!d.msg[0])
			__builtin_trap();
	} else if (ext.hwid_len > VCEK_HWID_MAX || ext.bootloader > 255 || ext.microcode > 255 ||
		   ext.fmc < -1 ||
		   memchr(ext.product_name, '\0', sizeof(ext.product_name)) == NULL) {
		__builtin_trap();
	}
	attest_verify(&ev, &ex, &res);
	if (res.nr == 0 || res.nr > ATTEST_MAX_CHECKS || res.failed == 0)
		__builtin_trap();
	for (i = 0; i < res.nr; i++)
		if (!strcmp(res.checks[i].name, "signature") && res.checks[i].status == ATTEST_PASS)
			__builtin_trap(); /* nobody holds the key for a zero report */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	X509 *cert = NULL, *mid = NULL, *root = NULL;
	struct diag d = { "" };

	load_amd_milan();
	if (snp_cert_load(data, size, &cert, &d) == 0) {
		fuzz_as_vcek(cert);
	} else if (!d.msg[0]) {
		__builtin_trap();
	}
	d.msg[0] = '\0';
	if (snp_cert_chain_load(data, size, &mid, &root, &d) == 0) {
		/* A chain from the input: its own ARK as the anchor, a leaf from the input. */
		if (snp_cert_chain_verify(cert ? cert : mid, mid, root, 1780272000, &d) < 0 &&
		    !d.msg[0])
			__builtin_trap();
		X509_free(mid);
		X509_free(root);
	} else if (!d.msg[0]) {
		__builtin_trap();
	}
	X509_free(cert);
	return 0;
}
