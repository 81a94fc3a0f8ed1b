/* SPDX-License-Identifier: MIT */
/*
 * The keys that sign attestation reports and their certificates (AMD 57230 "Versioned
 * Chip Endorsement Key (VCEK) Certificate and KDS Interface Specification"):
 *
 *   ARK (AMD Root Key, RSA-4096, self-signed)
 *    `- ASK (AMD SEV Key) or ASVK (AMD SEV VLEK Key), RSA-4096
 *        `- VCEK (one per chip and TCB) or VLEK (one per cloud provider), EC P-384
 *
 * Every certificate signature is RSASSA-PSS with SHA-384. A VCEK carries AMD extensions
 * under 1.3.6.1.4.1.3704.1: .1 structVersion, .2 productName (IA5String "Milan-B0"),
 * .3.1 blSPL, .3.2 teeSPL, .3.3 snpSPL, .3.8 ucodeSPL, .3.9 fmcSPL (Turin) as DER
 * INTEGERs inside the extension's OCTET STRING, and .4 hwID, the chip ID as raw bytes
 * (64 bytes; 8 on Turin, where the report's CHIP_ID holds them followed by zeros).
 * A VLEK carries .5 cspID instead of hwID.
 *
 * The crypto is OpenSSL's; nothing here logs. Errors return -errno with d saying what.
 */
#ifndef SNPVMM_SNP_VCEK_H
#define SNPVMM_SNP_VCEK_H

#include <openssl/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "snp/report.h"
#include "util/diag.h"

#define VCEK_HWID_MAX 64

/* Values of the AMD extensions; a SPL is -1 when its extension is absent. */
struct vcek_extensions {
	char product_name[32]; /* "" when absent */
	int bootloader, tee, snp, microcode, fmc;
	uint8_t hwid[VCEK_HWID_MAX];
	size_t hwid_len; /* 0 when absent */
	bool has_csp_id;
};

/* Reads the AMD extensions of a VCEK or VLEK. -EBADMSG if one is present but not what
 * 57230 says it is (an SPL that is not a DER INTEGER in 0..255, a hwID of another size,
 * an extension that appears twice). */
int vcek_read_extensions(X509 *cert, struct vcek_extensions *ret_ext, struct diag *d)
	__attribute__((warn_unused_result));

/* One certificate, DER or PEM. -EBADMSG if data holds anything else. */
int snp_cert_load(const uint8_t *data, size_t len, X509 **ret_cert, struct diag *d)
	__attribute__((warn_unused_result));

/* A cert_chain bundle as the KDS serves it: two PEM certificates, the ASK or ASVK and
 * the self-signed ARK (either order). -EBADMSG otherwise. */
int snp_cert_chain_load(const uint8_t *pem, size_t len, X509 **ret_intermediate, X509 **ret_root,
			struct diag *d) __attribute__((warn_unused_result));

/* AMD's cert_chain for a product (data/amd/, compiled in): the ASK, or the ASVK when
 * vlek is set, then the ARK. NULL for SNP_PRODUCT_UNKNOWN. */
const char *amd_cert_chain_pem(enum snp_product p, bool vlek);

/*
 * Checks leaf <- intermediate <- root with OpenSSL's X509_verify_cert(), root being the
 * only trust anchor (its self-signature checked too), each certificate valid at `at`
 * (0: now), and every signature RSASSA-PSS with SHA-384. 0 or -EBADMSG with d naming
 * the link and OpenSSL's reason.
 */
int snp_cert_chain_verify(X509 *leaf, X509 *intermediate, X509 *root, time_t at, struct diag *d)
	__attribute__((warn_unused_result));

/* The certificate's subject CN ("SEV-Milan") in printable ASCII (others become '?'), or
 * "?"; returns out. */
char *snp_cert_cn(X509 *cert, char *out, size_t size);
/* SHA-256 of the DER certificate. 0 or -EIO. */
int snp_cert_sha256(X509 *cert, uint8_t ret_digest[32]) __attribute__((warn_unused_result));

#endif /* SNPVMM_SNP_VCEK_H */
