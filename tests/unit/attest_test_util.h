/* SPDX-License-Identifier: MIT */
/*
 * Test data for the attestation tests: the real hardware reports and VCEKs of
 * tests/data/attestation/ and AMD's chains in data/amd/, found through
 * SNPVMM_SOURCE_DIR (set by tests/unit/meson.build). Every helper fails the running
 * cmocka test when a file is missing.
 */
#ifndef SNPVMM_TESTS_ATTEST_TEST_UTIL_H
#define SNPVMM_TESTS_ATTEST_TEST_UTIL_H

#include <openssl/types.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "snp/report.h"

/* 2026-06-01T00:00:00Z: inside every test VCEK's validity (tests/data/attestation). */
#define ATTEST_TEST_TIME ((time_t)1780272000)

/* The whole file at SNPVMM_SOURCE_DIR/rel; the caller frees *ret_data. */
void attest_load_file(const char *rel, uint8_t **ret_data, size_t *ret_len);
/* A report file of tests/data/attestation/ in any form snp_report_decode takes. */
void attest_load_report(const char *name, struct snp_report *ret_report);
/* A certificate file of tests/data/attestation/ (DER or PEM); X509_free it. */
X509 *attest_load_cert(const char *name);
/* AMD's compiled-in chain for p; X509_free both. */
void attest_amd_chain(enum snp_product p, int vlek, X509 **ret_intermediate, X509 **ret_root);

#endif /* SNPVMM_TESTS_ATTEST_TEST_UTIL_H */
