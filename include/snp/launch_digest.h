/* SPDX-License-Identifier: MIT */
/*
 * The SEV-SNP launch digest chain (sev-snp-measure sevsnpmeasure/gctx.py GCTX; SEV-SNP ABI 56860
 * §8.17 SNP_LAUNCH_UPDATE, "PAGE_INFO"). Every 4 KiB launch step replaces the 48-byte
 * digest LD with SHA-384(PAGE_INFO), where PAGE_INFO carries the old LD, the SHA-384 of
 * the page contents (NORMAL and VMSA only), the page type and the GPA.
 *
 * A struct launch_digest owns an OpenSSL digest context so that hashing a multi-MiB
 * firmware image does not re-fetch the algorithm for every page: pair
 * launch_digest_init() with launch_digest_fini().
 */
#ifndef SNPVMM_SNP_LAUNCH_DIGEST_H
#define SNPVMM_SNP_LAUNCH_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"
#include "util/source.h"

#define SNP_LD_SIZE   48 /* SHA-384 */
#define SNP_PAGE_SIZE 4096u

/* The GPA the firmware records for every VMSA page: KVM's INITIAL_VMSA_GPA
 * (arch/x86/kvm/svm/sev.c, snp_launch_update_vmsa(), Linux 6.11). */
#define SNP_VMSA_GPA 0xFFFFFFFFF000ull

/* PAGE_INFO.PAGE_TYPE (SEV-SNP ABI 56860 Table "Page Types"). Named without the _TYPE
 * infix so that they do not clash with the KVM uAPI macros in abi/kvm_snp.h. */
enum snp_page_type {
	SNP_PAGE_NORMAL = 0x1,
	SNP_PAGE_VMSA = 0x2,
	SNP_PAGE_ZERO = 0x3,
	SNP_PAGE_UNMEASURED = 0x4,
	SNP_PAGE_SECRETS = 0x5,
	SNP_PAGE_CPUID = 0x6,
};

/* PAGE_INFO, exactly as hashed (56860 "PAGE_INFO"; gctx.py). Little-endian host assumed. */
struct snp_page_info {
	uint8_t digest_cur[SNP_LD_SIZE]; /* 0x00: LD before this step */
	uint8_t contents[SNP_LD_SIZE];	 /* 0x30: SHA-384(page) or zeros */
	uint16_t length;		 /* 0x60: sizeof(struct snp_page_info) */
	uint8_t page_type;		 /* 0x62 */
	uint8_t imi_page;		 /* 0x63: bit 0 IMI; always 0 here */
	uint8_t vmpl3_perms;		 /* 0x64 */
	uint8_t vmpl2_perms;		 /* 0x65 */
	uint8_t vmpl1_perms;		 /* 0x66 */
	uint8_t reserved;		 /* 0x67 */
	uint64_t gpa;			 /* 0x68 */
} __attribute__((packed));

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "PAGE_INFO is built in host order");
_Static_assert(sizeof(struct snp_page_info) == 0x70, "PAGE_INFO size");
_Static_assert(offsetof(struct snp_page_info, contents) == 0x30, "PAGE_INFO.CONTENTS");
_Static_assert(offsetof(struct snp_page_info, length) == 0x60, "PAGE_INFO.LENGTH");
_Static_assert(offsetof(struct snp_page_info, page_type) == 0x62, "PAGE_INFO.PAGE_TYPE");
_Static_assert(offsetof(struct snp_page_info, imi_page) == 0x63, "PAGE_INFO.IMI_PAGE");
_Static_assert(offsetof(struct snp_page_info, vmpl3_perms) == 0x64, "PAGE_INFO.VMPL3_PERMS");
_Static_assert(offsetof(struct snp_page_info, vmpl1_perms) == 0x66, "PAGE_INFO.VMPL1_PERMS");
_Static_assert(offsetof(struct snp_page_info, gpa) == 0x68, "PAGE_INFO.GPA");

/* One step of the chain, as handed to the trace hook (the columns of the vectors'
 * trace.tsv). */
struct launch_digest_step {
	uint64_t index; /* 0-based step number */
	enum snp_page_type page_type;
	uint64_t gpa;
	uint8_t contents[SNP_LD_SIZE];
	uint8_t digest_after[SNP_LD_SIZE];
};

typedef void (*launch_digest_trace_fn)(void *opaque, const struct launch_digest_step *step);

struct launch_digest {
	uint8_t ld[SNP_LD_SIZE];
	uint64_t steps;
	launch_digest_trace_fn trace; /* optional, called after every step */
	void *trace_opaque;
	void *md_ctx; /* EVP_MD_CTX */
	void *md;     /* EVP_MD (SHA-384, fetched once) */
};

/* seed: NULL for the all-zero start, else the 48-byte starting LD (--snp-ovmf-hash).
 * -ENOMEM/-EIO if OpenSSL cannot provide SHA-384. */
int launch_digest_init(struct launch_digest *ld, const uint8_t *seed)
	__attribute__((warn_unused_result));
/* Accepts a zeroed or half-initialised struct. */
void launch_digest_fini(struct launch_digest *ld);
void launch_digest_set_trace(struct launch_digest *ld, launch_digest_trace_fn fn, void *opaque);

/* The primitive: one PAGE_INFO step. contents is the 48-byte contents field, NULL for
 * zeros. gpa must be page-aligned (-EINVAL). */
int launch_digest_add_page_hash(struct launch_digest *ld, enum snp_page_type type, uint64_t gpa,
				const uint8_t *contents) __attribute__((warn_unused_result));
/* One page: for NORMAL and VMSA `page` (4096 bytes) is hashed into CONTENTS; for the other
 * types it is ignored (may be NULL) and CONTENTS is zero, as the firmware does. */
int launch_digest_add_page(struct launch_digest *ld, enum snp_page_type type, uint64_t gpa,
			   const void *page) __attribute__((warn_unused_result));

/* NORMAL pages over [gpa, gpa+len); a partial last page is zero-padded. */
int launch_digest_add_normal_pages(struct launch_digest *ld, uint64_t gpa, const void *data,
				   size_t len) __attribute__((warn_unused_result));
/* NORMAL pages over [gpa, gpa+len) with the bytes [off, off + len) of src, streamed in
 * SOURCE_CHUNK pieces (memory stays constant whatever len is); a partial last page is
 * zero-padded. A read error is -errno with d saying which file. */
int launch_digest_add_normal_source(struct launch_digest *ld, uint64_t gpa,
				    const struct byte_source *src, uint64_t off, uint64_t len,
				    struct diag *d) __attribute__((warn_unused_result));
/* ZERO / UNMEASURED pages over [gpa, gpa+len); len must be a multiple of 4096. */
int launch_digest_add_zero_pages(struct launch_digest *ld, uint64_t gpa, uint64_t len)
	__attribute__((warn_unused_result));
int launch_digest_add_unmeasured_pages(struct launch_digest *ld, uint64_t gpa, uint64_t len)
	__attribute__((warn_unused_result));
int launch_digest_add_secrets_page(struct launch_digest *ld, uint64_t gpa)
	__attribute__((warn_unused_result));
int launch_digest_add_cpuid_page(struct launch_digest *ld, uint64_t gpa)
	__attribute__((warn_unused_result));
/* One VMSA page (4096 bytes) at SNP_VMSA_GPA. */
int launch_digest_add_vmsa(struct launch_digest *ld, const uint8_t *page)
	__attribute__((warn_unused_result));

/* "NORMAL", "VMSA", ... or "UNKNOWN". */
const char *snp_page_type_name(enum snp_page_type type);

/* SHA-384 of one buffer (0 or -EIO). */
int snp_sha384(const void *data, size_t len, uint8_t out[SNP_LD_SIZE])
	__attribute__((warn_unused_result));

/* trace.tsv formatting: the header line and one step, each without the newline. */
#define LAUNCH_DIGEST_TRACE_HEADER   "step\tpage_type\ttype_name\tgpa\tcontents\tdigest_after"
#define LAUNCH_DIGEST_TRACE_LINE_MAX 256
/* Returns the length written (< size), or -ENOSPC. */
int launch_digest_step_format(const struct launch_digest_step *step, char *buf, size_t size);

/* Lower-case hex of n bytes into out (2n+1 bytes incl. NUL). */
void snp_hex(const uint8_t *bytes, size_t n, char *out);

#endif /* SNPVMM_SNP_LAUNCH_DIGEST_H */
