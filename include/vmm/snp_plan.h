/* SPDX-License-Identifier: MIT */
/*
 * The SEV-SNP launch plan: what SNP_LAUNCH_UPDATE will measure, in order. It is the direct boot
 * plan (boot.h) plus the SNP pages a stock Linux needs without firmware
 * (arch/x86/boot/compressed/sev.c and arch/x86/boot/startup/sev-shared.c, Linux 6.16: CC blob
 * lookup, setup_cpuid_table(), snp_init(); see docs/snp-launch.md): a SECRETS page, a CPUID page,
 * and a CC blob announced through a SETUP_CC_BLOB setup_data node, all in an E820-reserved run
 * below 1 MiB; page tables carry the C-bit. Every page of guest RAM gets a launch type: NORMAL
 * where the plan has bytes, SECRETS and CPUID for those pages, ZERO (pre-validated, measured as
 * zeros) for the rest, because a non-EFI Linux treats all E820 RAM as validated
 * (arch/x86/boot/compressed/mem.c init_unaccepted_memory() returns false without EFI).
 *
 * Pure: the same function feeds the real launch (snp_launch) and the offline prediction
 * (`snpvmm measure`), so they cannot drift. See docs/snp-launch.md for the page table.
 */
#ifndef SNPVMM_VMM_SNP_PLAN_H
#define SNPVMM_VMM_SNP_PLAN_H

#include <stdint.h>

#include "snp/launch_digest.h"
#include "util/diag.h"
#include "vmm/backend.h"
#include "vmm/boot.h"
#include "vmm/stage_plan.h"

#define SNP_SECRETS_GPA	  (BOOT_SNP_PAGES_GPA + 0x0000)
#define SNP_CPUID_GPA	  (BOOT_SNP_PAGES_GPA + 0x1000)
#define SNP_CC_BLOB_GPA	  (BOOT_SNP_PAGES_GPA + 0x2000)
#define SNP_CC_BLOB_MAGIC 0x45444d41u /* "AMDE", CC_BLOB_SEV_HDR_MAGIC */

/* struct cc_blob_sev_info (arch/x86/include/asm/sev.h, __packed). */
struct cc_blob_sev_info {
	uint32_t magic;
	uint16_t version;
	uint16_t reserved;
	uint64_t secrets_phys;
	uint32_t secrets_len;
	uint32_t rsvd1;
	uint64_t cpuid_phys;
	uint32_t cpuid_len;
	uint32_t rsvd2;
} __attribute__((packed));
_Static_assert(sizeof(struct cc_blob_sev_info) == 40, "cc_blob_sev_info size");
_Static_assert(offsetof(struct cc_blob_sev_info, secrets_phys) == 0x08, "cc_blob.secrets_phys");
_Static_assert(offsetof(struct cc_blob_sev_info, secrets_len) == 0x10, "cc_blob.secrets_len");
_Static_assert(offsetof(struct cc_blob_sev_info, cpuid_phys) == 0x18, "cc_blob.cpuid_phys");
_Static_assert(offsetof(struct cc_blob_sev_info, cpuid_len) == 0x20, "cc_blob.cpuid_len");

/* One SNP_LAUNCH_UPDATE: a run of pages of one type. */
struct snp_range {
	uint64_t gpa;
	uint64_t len;
	enum snp_page_type type;
};

#define SNP_PLAN_MAX_RANGES 64
#define SNP_PLAN_MAX_SEGS   (BOOT_SEG_MAX + 2 + STAGE_PLAN_SEGS)

struct snp_plan {
	enum boot_mode mode;
	struct boot_plan boot;
	/* Every byte the plan places in guest RAM: the boot segments, then the CPUID page and
	 * the CC blob page (the secrets page is a zero page); in boot mode hashes without the
	 * kernel and the initrd (they go to the staging area) but with the stage's pages.
	 * Ascending GPA. */
	struct boot_segment segs[SNP_PLAN_MAX_SEGS];
	unsigned int nr_segs;
	/* Ascending. Content: covering all RAM (ZERO where nothing is placed). Hashes: only
	 * the placed pages; the stage validates the rest. */
	struct snp_range ranges[SNP_PLAN_MAX_RANGES];
	unsigned int nr_ranges;
	uint8_t *owned;		 /* CPUID page + CC blob page */
	struct stage_plan stage; /* boot mode hashes */
};

struct snp_plan_config {
	struct boot_config boot; /* cbit_mask is set by snp_plan_build from cbitpos */
	uint32_t cbitpos;
	const struct kvm_cpuid2 *cpuid; /* the boot vCPU's CPUID (what KVM_SET_CPUID2 gets) */
	enum boot_mode mode;
};

int snp_plan_build(const struct snp_plan_config *cfg, struct snp_plan *ret_plan, struct diag *d)
	__attribute__((warn_unused_result));
void snp_plan_free(struct snp_plan *plan);

/* The bytes the plan puts in the 4 KiB page at gpa (zeros where it puts none); images is
 * needed when the plan's image segments have no data (may be NULL otherwise). */
int snp_plan_read_page(const struct snp_plan *plan, const struct image_sources *images,
		       uint64_t gpa, uint8_t page[4096], struct diag *d)
	__attribute__((warn_unused_result));

/* Boot mode hashes: the kernel payload's and the initrd's SHA-384 into the stage's
 * parameters page, from images (the staging area at launch, the files in `measure`).
 * A no-op in boot mode content. Must precede snp_plan_measure() in boot mode hashes. */
int snp_plan_hash_images(struct snp_plan *plan, const struct image_sources *images, struct diag *d)
	__attribute__((warn_unused_result));

/* Number of 4 KiB pages of each type the plan launches (for statistics and events). */
uint64_t snp_plan_pages(const struct snp_plan *plan, enum snp_page_type type);

/* The initial register state of vCPU `index` as KVM will hold it at LAUNCH_FINISH: KVM's
 * reset state (the model in snp/vmsa.h), with the 64-bit entry state for the BSP.
 * The launch applies the same transformation to the state it reads from KVM. */
void snp_plan_vcpu_state(const struct snp_plan *plan, unsigned int index,
			 struct vcpu_state *ret_state);
/* Applies the plan's entry state to a state read from the kernel (BSP only). */
void snp_plan_apply_entry_state(const struct snp_plan *plan, unsigned int index,
				struct vcpu_state *state);

/* The VMSA page KVM will measure for vCPU `index` (its state from snp_plan_vcpu_state(),
 * converted as sev_es_sync_vmsa does, on a host with CR4.MCE set). */
int snp_plan_vmsa(const struct snp_plan *plan, unsigned int index, uint64_t vmsa_features,
		  uint8_t page[4096]) __attribute__((warn_unused_result));

/* The launch digest of the plan: every range in order, then one VMSA per vCPU built from
 * snp_plan_vcpu_state() as KVM's sev_es_sync_vmsa would (vmsa_features without
 * SNP_ACTIVE). ld must be initialised by the caller (it may carry a trace hook). Image
 * segments without data are streamed from images (-errno and d on a read error); in boot
 * mode hashes -EINVAL until snp_plan_hash_images() ran. */
int snp_plan_measure(const struct snp_plan *plan, const struct image_sources *images,
		     uint32_t nr_vcpus, uint64_t vmsa_features, struct launch_digest *ld,
		     struct diag *d) __attribute__((warn_unused_result));

#endif /* SNPVMM_VMM_SNP_PLAN_H */
