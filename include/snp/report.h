/* SPDX-License-Identifier: MIT */
/*
 * The SEV-SNP attestation report: the 1184-byte ATTESTATION_REPORT the PSP returns to a
 * guest's MSG_REPORT_REQ (SEV-SNP Firmware ABI 56860, table "ATTESTATION_REPORT
 * Structure"), its TCB_VERSION fields (56860 "TCB_VERSION Structure", whose byte layout
 * differs on Turin), and the products whose TCB layout and AMD roots we know.
 *
 * Report versions: 2 (the first SNP firmware), 3 (adds CPUID_FAM_ID/MOD_ID/STEP at
 * 0x188), 4 (the layout of 3; seen from Milan firmware 1.55.31, virtee/sev PR 307), 5
 * (adds LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR at 0x1F8; ABI 1.58). Offsets are facts
 * cross-checked against google/go-sev-guest abi/abi.go and virtee/sev
 * src/firmware/guest/types/snp.rs, and against real reports of each version
 * (tests/data/attestation/); no code was taken from either project.
 *
 * Everything here is pure (no OpenSSL except base64 decoding, no I/O).
 */
#ifndef SNPVMM_SNP_REPORT_H
#define SNPVMM_SNP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snp/idblock.h"
#include "util/diag.h"

#define SNP_REPORT_SIZE	       1184  /* 0x4a0 */
#define SNP_REPORT_SIGNED_SIZE 0x2a0 /* SIGNATURE covers bytes 0x0..0x29f */
#define SNP_REPORT_DATA_SIZE   64
#define SNP_HOST_DATA_SIZE     32
#define SNP_CHIP_ID_SIZE       64
#define SNP_REPORT_ID_SIZE     32
#define SNP_KEY_DIGEST_SIZE    48

#define SNP_REPORT_VERSION_MIN 2
#define SNP_REPORT_VERSION_MAX 5

/* KEY_INFO (0x48), 56860 "ATTESTATION_REPORT Structure". */
#define SNP_KEY_INFO_AUTHOR_KEY_EN   (1u << 0)
#define SNP_KEY_INFO_MASK_CHIP_KEY   (1u << 1)
#define SNP_KEY_INFO_SIGNING_KEY(ki) (((ki) >> 2) & 7u)
#define SNP_SIGNING_KEY_VCEK	     0
#define SNP_SIGNING_KEY_VLEK	     1
#define SNP_SIGNING_KEY_NONE	     7

struct snp_report {
	uint32_t version;				/* 0x000 */
	uint32_t guest_svn;				/* 0x004 from the ID block */
	uint64_t policy;				/* 0x008 */
	uint8_t family_id[SNP_FAMILY_ID_SIZE];		/* 0x010 from the ID block */
	uint8_t image_id[SNP_IMAGE_ID_SIZE];		/* 0x020 from the ID block */
	uint32_t vmpl;					/* 0x030 VMPL of the request */
	uint32_t signature_algo;			/* 0x034 SNP_SIG_ALGO_* */
	uint64_t current_tcb;				/* 0x038 TCB_VERSION */
	uint64_t platform_info;				/* 0x040 SMT_EN, TSME_EN, ... */
	uint32_t key_info;				/* 0x048 SNP_KEY_INFO_* */
	uint32_t reserved0;				/* 0x04c */
	uint8_t report_data[SNP_REPORT_DATA_SIZE];	/* 0x050 the guest's 64 bytes */
	uint8_t measurement[SNP_LD_SIZE];		/* 0x090 launch digest */
	uint8_t host_data[SNP_HOST_DATA_SIZE];		/* 0x0c0 from SNP_LAUNCH_FINISH */
	uint8_t id_key_digest[SNP_KEY_DIGEST_SIZE];	/* 0x0e0 SHA-384 of the ID key */
	uint8_t author_key_digest[SNP_KEY_DIGEST_SIZE]; /* 0x110 SHA-384 of the author key */
	uint8_t report_id[SNP_REPORT_ID_SIZE];		/* 0x140 */
	uint8_t report_id_ma[SNP_REPORT_ID_SIZE];	/* 0x160 all ones: no migration agent */
	uint64_t reported_tcb;				/* 0x180 the TCB the VCEK is derived for */
	uint8_t cpuid_fam_id;				/* 0x188 version >= 3 */
	uint8_t cpuid_mod_id;				/* 0x189 version >= 3 */
	uint8_t cpuid_step;				/* 0x18a version >= 3 */
	uint8_t reserved1[21];				/* 0x18b */
	uint8_t chip_id[SNP_CHIP_ID_SIZE];		/* 0x1a0 zero if the host masks it */
	uint64_t committed_tcb;				/* 0x1e0 */
	uint8_t current_build;				/* 0x1e8 */
	uint8_t current_minor;				/* 0x1e9 */
	uint8_t current_major;				/* 0x1ea */
	uint8_t reserved2;				/* 0x1eb */
	uint8_t committed_build;			/* 0x1ec */
	uint8_t committed_minor;			/* 0x1ed */
	uint8_t committed_major;			/* 0x1ee */
	uint8_t reserved3;				/* 0x1ef */
	uint64_t launch_tcb;				/* 0x1f0 CurrentTcb at launch */
	uint64_t launch_mit_vector;			/* 0x1f8 version >= 5 */
	uint64_t current_mit_vector;			/* 0x200 version >= 5 */
	uint8_t reserved4[152];				/* 0x208 */
	struct snp_ecdsa_sig signature;			/* 0x2a0 over bytes 0x0..0x29f */
};

_Static_assert(sizeof(struct snp_report) == SNP_REPORT_SIZE, "ATTESTATION_REPORT size");
_Static_assert(offsetof(struct snp_report, guest_svn) == 0x004, "GUEST_SVN");
_Static_assert(offsetof(struct snp_report, policy) == 0x008, "POLICY");
_Static_assert(offsetof(struct snp_report, family_id) == 0x010, "FAMILY_ID");
_Static_assert(offsetof(struct snp_report, image_id) == 0x020, "IMAGE_ID");
_Static_assert(offsetof(struct snp_report, vmpl) == 0x030, "VMPL");
_Static_assert(offsetof(struct snp_report, signature_algo) == 0x034, "SIGNATURE_ALGO");
_Static_assert(offsetof(struct snp_report, current_tcb) == 0x038, "CURRENT_TCB");
_Static_assert(offsetof(struct snp_report, platform_info) == 0x040, "PLATFORM_INFO");
_Static_assert(offsetof(struct snp_report, key_info) == 0x048, "KEY_INFO");
_Static_assert(offsetof(struct snp_report, reserved0) == 0x04c, "reserved 0x4c");
_Static_assert(offsetof(struct snp_report, report_data) == 0x050, "REPORT_DATA");
_Static_assert(offsetof(struct snp_report, measurement) == 0x090, "MEASUREMENT");
_Static_assert(offsetof(struct snp_report, host_data) == 0x0c0, "HOST_DATA");
_Static_assert(offsetof(struct snp_report, id_key_digest) == 0x0e0, "ID_KEY_DIGEST");
_Static_assert(offsetof(struct snp_report, author_key_digest) == 0x110, "AUTHOR_KEY_DIGEST");
_Static_assert(offsetof(struct snp_report, report_id) == 0x140, "REPORT_ID");
_Static_assert(offsetof(struct snp_report, report_id_ma) == 0x160, "REPORT_ID_MA");
_Static_assert(offsetof(struct snp_report, reported_tcb) == 0x180, "REPORTED_TCB");
_Static_assert(offsetof(struct snp_report, cpuid_fam_id) == 0x188, "CPUID_FAM_ID");
_Static_assert(offsetof(struct snp_report, cpuid_mod_id) == 0x189, "CPUID_MOD_ID");
_Static_assert(offsetof(struct snp_report, cpuid_step) == 0x18a, "CPUID_STEP");
_Static_assert(offsetof(struct snp_report, reserved1) == 0x18b, "reserved 0x18b");
_Static_assert(offsetof(struct snp_report, chip_id) == 0x1a0, "CHIP_ID");
_Static_assert(offsetof(struct snp_report, committed_tcb) == 0x1e0, "COMMITTED_TCB");
_Static_assert(offsetof(struct snp_report, current_build) == 0x1e8, "CURRENT_BUILD");
_Static_assert(offsetof(struct snp_report, current_minor) == 0x1e9, "CURRENT_MINOR");
_Static_assert(offsetof(struct snp_report, current_major) == 0x1ea, "CURRENT_MAJOR");
_Static_assert(offsetof(struct snp_report, committed_build) == 0x1ec, "COMMITTED_BUILD");
_Static_assert(offsetof(struct snp_report, committed_minor) == 0x1ed, "COMMITTED_MINOR");
_Static_assert(offsetof(struct snp_report, committed_major) == 0x1ee, "COMMITTED_MAJOR");
_Static_assert(offsetof(struct snp_report, launch_tcb) == 0x1f0, "LAUNCH_TCB");
_Static_assert(offsetof(struct snp_report, launch_mit_vector) == 0x1f8, "LAUNCH_MIT_VECTOR");
_Static_assert(offsetof(struct snp_report, current_mit_vector) == 0x200, "CURRENT_MIT_VECTOR");
_Static_assert(offsetof(struct snp_report, reserved4) == 0x208, "reserved 0x208");
_Static_assert(offsetof(struct snp_report, signature) == SNP_REPORT_SIGNED_SIZE, "SIGNATURE");

/* The SNP-capable EPYC generations whose AMD roots ship with snpvmm (data/amd/). */
enum snp_product {
	SNP_PRODUCT_UNKNOWN,
	SNP_PRODUCT_MILAN,
	SNP_PRODUCT_GENOA,
	SNP_PRODUCT_TURIN,
	SNP_PRODUCT_MAX,
};

/* "milan", "genoa", "turin" (KDS spells them Milan, Genoa, Turin); "unknown". */
const char *snp_product_name(enum snp_product p);
/* Case-insensitive name; also takes the VCEK productName form "Milan-B0". -EINVAL. */
int snp_product_parse(const char *name, enum snp_product *ret_product)
	__attribute__((warn_unused_result));
/* From a version >= 3 report's combined CPUID family and model: family 19h models
 * 00h-0Fh Milan, 10h-1Fh and A0h-AFh Genoa; family 1Ah models 00h-11h Turin (the ranges
 * virtee/sev Generation::identify_cpu uses). SNP_PRODUCT_UNKNOWN otherwise. */
enum snp_product snp_product_from_cpuid(uint8_t family, uint8_t model);

/*
 * A TCB_VERSION's security patch levels. Milan and Genoa: byte 0 BOOT_LOADER, 1 TEE,
 * 2-5 reserved, 6 SNP, 7 MICROCODE. Turin: byte 0 FMC, 1 BOOT_LOADER, 2 TEE, 3 SNP, 4-6
 * reserved, 7 MICROCODE (56860 rev 1.58 "TCB_VERSION"; virtee/sev TcbVersion
 * from_turin_bytes). The VCEK's SPL extensions hold the same values.
 */
struct snp_tcb {
	uint8_t fmc; /* Turin only */
	uint8_t bootloader;
	uint8_t tee;
	uint8_t snp;
	uint8_t microcode;
	bool has_fmc;
};

void snp_tcb_decode(uint64_t raw, enum snp_product p, struct snp_tcb *ret_tcb);
/* "bl 4, tee 0, snp 24, ucode 219" (with "fmc N, " first on Turin); returns out. */
char *snp_tcb_format(const struct snp_tcb *t, char *out, size_t size);

/* The report in bytes as the firmware wrote them -> struct (a copy; the layout is the
 * firmware's, so this is a memcpy after the checks). -EINVAL for a wrong size,
 * -EPROTONOSUPPORT for a version outside 2..5; d says which. */
int snp_report_parse(const uint8_t *bytes, size_t len, struct snp_report *ret_report,
		     struct diag *d) __attribute__((warn_unused_result));

/* The product a version >= 3 report names in its CPUID fields; UNKNOWN for version 2. */
enum snp_product snp_report_product(const struct snp_report *r);

/*
 * A report as a user may hand it over: the 1184 raw bytes; hex text (whitespace
 * allowed); base64 text; or console output holding exactly one frame written by
 * snp_report_frame() (the simulated guest and tools/snp-guest-report). Writes the raw
 * bytes to ret_raw. -EINVAL with d naming the form that was tried and why it failed.
 */
int snp_report_decode(const uint8_t *data, size_t len, uint8_t ret_raw[SNP_REPORT_SIZE],
		      struct diag *d) __attribute__((warn_unused_result));

#endif /* SNPVMM_SNP_REPORT_H */
