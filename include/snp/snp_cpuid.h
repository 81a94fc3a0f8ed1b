/* SPDX-License-Identifier: MIT */
/*
 * The SNP CPUID page (struct snp_cpuid_table, arch/x86/include/asm/sev.h; SNP firmware ABI
 * 56860 §7.1 "CPUID Reporting"): the CPUID values a guest trusts, validated by the PSP at
 * SNP_LAUNCH_UPDATE (page type CPUID). Built from the boot vCPU's CPUID with the masks
 * peers apply for bits the firmware rejects (QEMU target/i386/sev.c
 * sev_snp_mask_cpuid_features(), OpenVMM sanitize_snp_cpuid_entry()) and the leaves a
 * Linux guest needs (setup_cpuid_table(), snp_cpuid() in arch/x86/boot/startup/sev-shared.c,
 * Linux 6.16; arch/x86/kernel/sev-shared.c before).
 */
#ifndef SNPVMM_SNP_SNP_CPUID_H
#define SNPVMM_SNP_SNP_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "util/diag.h"

#define SNP_CPUID_COUNT_MAX 64 /* "SNP firmware-enforced limit of 64 entries" */

struct snp_cpuid_fn {
	uint32_t eax_in;
	uint32_t ecx_in;
	uint64_t xcr0_in;
	uint64_t xss_in;
	uint32_t eax;
	uint32_t ebx;
	uint32_t ecx;
	uint32_t edx;
	uint64_t reserved;
} __attribute__((packed));

struct snp_cpuid_table {
	uint32_t count;
	uint32_t reserved1;
	uint64_t reserved2;
	struct snp_cpuid_fn fn[SNP_CPUID_COUNT_MAX];
} __attribute__((packed));

_Static_assert(sizeof(struct snp_cpuid_fn) == 0x30, "snp_cpuid_fn size");
_Static_assert(offsetof(struct snp_cpuid_fn, xcr0_in) == 0x08, "snp_cpuid_fn.xcr0_in");
_Static_assert(offsetof(struct snp_cpuid_fn, xss_in) == 0x10, "snp_cpuid_fn.xss_in");
_Static_assert(offsetof(struct snp_cpuid_fn, eax) == 0x18, "snp_cpuid_fn.eax");
_Static_assert(offsetof(struct snp_cpuid_fn, edx) == 0x24, "snp_cpuid_fn.edx");
_Static_assert(offsetof(struct snp_cpuid_fn, reserved) == 0x28, "snp_cpuid_fn.reserved");
_Static_assert(offsetof(struct snp_cpuid_table, fn) == 0x10, "snp_cpuid_table.fn");
_Static_assert(sizeof(struct snp_cpuid_table) == 16 + 64 * 48, "snp_cpuid_table size");

/* Leaves whose subleaf (ecx_in) is significant (arch/x86/include/asm/cpuid.h
 * cpuid_function_is_indexed(), which the guest's snp_cpuid() matches with). */
bool snp_cpuid_leaf_is_indexed(uint32_t leaf);

/* Fills the 4 KiB page from the vCPU's CPUID. -E2BIG if more than 64 entries remain after
 * dropping all-zero ones; -EINVAL if leaf 0x0, 0x80000000 or 0x8000001F is missing. */
int snp_cpuid_page_build(const struct kvm_cpuid2 *cpuid, uint8_t page[4096], struct diag *d)
	__attribute__((warn_unused_result));

/* Masks applied to the vCPU's own CPUID (what KVM_SET_CPUID2 gets) for an SNP guest:
 * LA57 cleared (the decompressor's 5-level switch, arch/x86/boot/compressed/pgtable_64.c
 * configure_5level_paging(), drops to a 32-bit trampoline; untested under SNP), and the
 * TSC-deadline timer cleared, as the CPUID page must (mask_entry()). */
void snp_cpuid_mask_vcpu(struct kvm_cpuid2 *cpuid);

/* Describes, in `out`, the leaves where `wanted` and `corrected` (the page the firmware
 * wrote back) differ, e.g. "0x00000007.0 ebx 0x219c07ab -> 0x219c07a9; ...". Returns the
 * number of differing entries. */
unsigned int snp_cpuid_page_diff(const uint8_t wanted[4096], const uint8_t corrected[4096],
				 char *out, size_t out_size);

#endif /* SNPVMM_SNP_SNP_CPUID_H */
