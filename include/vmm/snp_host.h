/* SPDX-License-Identifier: MIT */
/*
 * What an SNP host offers, and what a launch chooses from it and the options: the VMSA
 * features, the guest policy, and the sentence that explains a refusal. Pure, so every
 * rule of every kernel version is unit-tested (tests/unit/test_snp_host.c); vm_snp.c
 * reads the facts through the seam and executes the choices.
 */
#ifndef SNPVMM_VMM_SNP_HOST_H
#define SNPVMM_VMM_SNP_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "snp/snp_launch.h"
#include "util/diag.h"
#include "vmm/options.h"

/* QEMU's default (sev-snp-guest policy=0x30000): SMT allowed, reserved bit 17 set. Every
 * kernel and firmware accepts it; see snp_choose_policy(). */
#define SNP_POLICY_DEFAULT (SNP_POLICY_RSVD_MBO | SNP_POLICY_SMT)

/* CPUID 0x8000001F EAX (AMD APM Vol. 3, "CPUID Fn8000_001F"). */
#define SNP_CPUID_EAX_SNP	 (1u << 4)
#define SNP_CPUID_EAX_SECURE_TSC (1u << 8)
#define SNP_CPUID_EAX_DEBUG_SWAP (1u << 14)

/* The SEV firmware's version as SNP_PLATFORM_STATUS reports it (SEV-SNP ABI 56860
 * SNP_PLATFORM_STATUS: API_MAJOR, API_MINOR, BUILD_ID). */
struct snp_firmware_version {
	bool known; /* false: /dev/sev absent or the command failed; the rest 0 */
	uint8_t api_major;
	uint8_t api_minor;
	uint32_t build_id;
};

/* Read before anything is created. */
struct snp_host {
	uint32_t cpuid_8000001f_eax;
	uint32_t cbitpos;	    /* CPUID 0x8000001F EBX[5:0] */
	uint32_t reduced_phys_bits; /* EBX[11:6] */
	uint64_t vmsa_features;	    /* KVM_X86_SEV_VMSA_FEATURES */
	bool have_policy_bits;	    /* KVM_X86_SNP_POLICY_BITS exists (Linux 6.19+) */
	uint64_t policy_bits;
	bool smt_active;     /* /sys/devices/system/cpu/smt/active */
	bool vm_tsc_control; /* KVM_CAP_VM_TSC_CONTROL: KVM_SET_TSC_KHZ on the VM fd */
	char kvm_amd_debug_swap[8];
	struct snp_firmware_version firmware; /* SNP_PLATFORM_STATUS, if it could be read */
};

/* A --policy value: the one number syntax (util/num.h), plus a hint when a decimal reads
 * like a hex policy ("30000" is 0x7530, which lacks bit 17, while 0x30000 has it). flag
 * names the option in the message. 0 or -EINVAL with d set. */
int snp_policy_parse(const char *flag, const char *text, uint64_t *ret_policy, struct diag *d)
	__attribute__((warn_unused_result));

/* The VMSA SEV_FEATURES for KVM_SEV_INIT2: exactly the features asked for (--sev-features,
 * --secure-tsc), each checked against what the host offers, with the reason when it does
 * not. Also checks that --tsc-khz can be applied. */
int snp_choose_features(const struct snp_options *o, const struct snp_host *h,
			uint64_t *ret_features, struct diag *d) __attribute__((warn_unused_result));

/* The policy rules of every host: bit 17 set, no reserved bit (beyond bit 25, SEV-SNP ABI
 * 56860 "Guest Policy"), no MIGRATE_MA. The launch (snp_choose_policy) and `snpvmm
 * id-block`, whose ID block carries the policy a launch must use, both check with it.
 * 0 or -EINVAL with d naming the rule. */
int snp_policy_check(uint64_t policy, struct diag *d) __attribute__((warn_unused_result));

/* The guest policy: --policy, or SNP_POLICY_DEFAULT on every host. Refuses up front what
 * every kernel (or the firmware) would refuse. */
int snp_choose_policy(const struct snp_options *o, const struct snp_host *h, uint64_t *ret_policy,
		      struct diag *d) __attribute__((warn_unused_result));

/* The sentence for an SNP_LAUNCH_START that failed with r (fw_error 0: the kernel refused
 * before the firmware ran; else the firmware's status). forced is --kvm-abi, abi what the
 * detection concluded. Returns r. */
int snp_launch_start_refused(struct diag *d, int r, uint32_t fw_error, enum kvm_abi_choice forced,
			     enum snp_abi abi, uint64_t policy, const struct snp_host *h);

#endif /* SNPVMM_VMM_SNP_HOST_H */
