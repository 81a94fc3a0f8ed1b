/* SPDX-License-Identifier: MIT */
/*
 * The checks `snpvmm verify` runs on an attestation report (docs/attestation.md says what
 * each proves and what it does not). attest_verify() runs all of them and records each
 * outcome with both values, so the edge can print every check, not just the first
 * failure. Pure apart from OpenSSL; nothing here logs.
 */
#ifndef SNPVMM_SNP_ATTEST_H
#define SNPVMM_SNP_ATTEST_H

#include <openssl/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "snp/report.h"
#include "util/diag.h"

enum attest_status {
	ATTEST_PASS,
	ATTEST_FAIL,
	ATTEST_SKIP, /* not requested, or not applicable to this report or key */
};

struct attest_check {
	const char *name; /* "signature", "chain", "measurement", ... */
	enum attest_status status;
	char detail[256];   /* what was checked, or why it failed */
	char expected[200]; /* for comparisons: the value asked for ("" otherwise) */
	char actual[200];   /* and the value the report or certificate holds */
};

#define ATTEST_MAX_CHECKS 16

struct attest_result {
	struct attest_check checks[ATTEST_MAX_CHECKS];
	unsigned int nr;
	unsigned int failed;
};

/* What signed the report and what it chains to. */
struct attest_evidence {
	const struct snp_report *report;
	X509 *key_cert;	    /* the VCEK or VLEK */
	bool vlek;	    /* key_cert is a VLEK (its chain runs through the ASVK) */
	X509 *intermediate; /* the ASK or ASVK handed over with the report */
	X509 *root;	    /* the ARK handed over with it */
	X509 *anchor;	    /* the ARK trusted: AMD's, or one the user named */
	bool anchor_is_amd;
	enum snp_product product; /* decides the TCB layout; UNKNOWN: from the report */
	time_t at;		  /* certificate validity time; 0: now */
};

/* A minimum TCB: each component the report's REPORTED_TCB must reach; -1: any. */
struct attest_min_tcb {
	int fmc, bootloader, tee, snp, microcode;
};

/* What the user expects; NULL pointers and false flags are not checked. */
struct attest_expectations {
	const uint8_t *measurement;	  /* SNP_LD_SIZE */
	const uint8_t *host_data;	  /* SNP_HOST_DATA_SIZE */
	const uint8_t *report_data;	  /* SNP_REPORT_DATA_SIZE */
	const uint8_t *id_key_digest;	  /* SNP_KEY_DIGEST_SIZE */
	const uint8_t *author_key_digest; /* SNP_KEY_DIGEST_SIZE */
	bool has_policy;
	uint64_t policy;
	bool has_vmpl;
	uint32_t vmpl;
	const struct attest_min_tcb *min_tcb;
	bool allow_debug;		/* otherwise a report with policy DEBUG set fails */
	const char *measurement_source; /* "--expect-measurement", "the launch options" */
};

void attest_verify(const struct attest_evidence *ev, const struct attest_expectations *ex,
		   struct attest_result *ret_result);

/* The report's ECDSA P-384/SHA-384 signature over bytes 0x0..0x29f under key (56860
 * "Signature Formats": r and s little-endian, zero above bit 383, the rest of the
 * 512-byte field zero). 0, or -EBADMSG with d saying why. */
int snp_report_verify_signature(const struct snp_report *r, EVP_PKEY *key, struct diag *d)
	__attribute__((warn_unused_result));

/* "bl=N,tee=N,snp=N,ucode=N,fmc=N", any subset in any order. -EINVAL with d. */
int attest_min_tcb_parse(const char *text, struct attest_min_tcb *ret_min, struct diag *d)
	__attribute__((warn_unused_result));

/* The firmware's SHA-384 digest of a P-384 public key in its 0x404-byte ABI form (what
 * ID_KEY_DIGEST and AUTHOR_KEY_DIGEST hold). 0 or -errno with d. */
int snp_key_digest(EVP_PKEY *key, uint8_t ret_digest[SNP_KEY_DIGEST_SIZE], struct diag *d)
	__attribute__((warn_unused_result));

#endif /* SNPVMM_SNP_ATTEST_H */
