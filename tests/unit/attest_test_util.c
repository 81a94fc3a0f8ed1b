// SPDX-License-Identifier: MIT
#include "attest_test_util.h"

#include <openssl/x509.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "snp/vcek.h"
#include "util/file.h"

void attest_load_file(const char *rel, uint8_t **ret_data, size_t *ret_len)
{
	const char *root = getenv("SNPVMM_SOURCE_DIR");
	struct file_map m = { 0 };
	struct diag d = { "" };
	char path[4096];

	assert_non_null(root);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (file_map_open(path, "test data", 1ull << 30, &m, &d) < 0)
		fail_msg("%s", d.msg);
	*ret_data = (uint8_t *)m.data;
	*ret_len = m.size;
}

void attest_load_report(const char *name, struct snp_report *ret_report)
{
	uint8_t raw[SNP_REPORT_SIZE], *data;
	struct diag d = { "" };
	char rel[256];
	size_t len;

	snprintf(rel, sizeof(rel), "tests/data/attestation/%s", name);
	attest_load_file(rel, &data, &len);
	if (snp_report_decode(data, len, raw, &d) < 0 ||
	    snp_report_parse(raw, sizeof(raw), ret_report, &d) < 0)
		fail_msg("%s: %s", name, d.msg);
	free(data);
}

X509 *attest_load_cert(const char *name)
{
	struct diag d = { "" };
	X509 *cert = NULL;
	uint8_t *data;
	char rel[256];
	size_t len;

	snprintf(rel, sizeof(rel), "tests/data/attestation/%s", name);
	attest_load_file(rel, &data, &len);
	if (snp_cert_load(data, len, &cert, &d) < 0)
		fail_msg("%s: %s", name, d.msg);
	free(data);
	return cert;
}

void attest_amd_chain(enum snp_product p, int vlek, X509 **ret_intermediate, X509 **ret_root)
{
	const char *pem = amd_cert_chain_pem(p, vlek);
	struct diag d = { "" };

	assert_non_null(pem);
	if (snp_cert_chain_load((const uint8_t *)pem, strlen(pem), ret_intermediate, ret_root, &d) <
	    0)
		fail_msg("%s chain: %s", snp_product_name(p), d.msg);
}
