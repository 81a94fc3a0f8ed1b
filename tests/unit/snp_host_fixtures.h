/* SPDX-License-Identifier: MIT */
/*
 * Host facts (struct snp_host, as check_host() reads them) of the kinds of SNP host the
 * unit tests of the launch decisions run against, and options that state nothing.
 */
#ifndef SNPVMM_TESTS_SNP_HOST_FIXTURES_H
#define SNPVMM_TESTS_SNP_HOST_FIXTURES_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/snp_host.h"

#define CPUID_SNP_HOST (SNP_CPUID_EAX_SNP | SNP_CPUID_EAX_DEBUG_SWAP | SNP_CPUID_EAX_SECURE_TSC)

/* A 6.11-6.18 host: DebugSwap offered, no KVM_X86_SNP_POLICY_BITS. */
static inline struct snp_host host_6_11(bool smt_active)
{
	return (struct snp_host){
		.cpuid_8000001f_eax = CPUID_SNP_HOST,
		.cbitpos = 51,
		.reduced_phys_bits = 1,
		.vmsa_features = SVM_SEV_FEAT_DEBUG_SWAP,
		.smt_active = smt_active,
		.vm_tsc_control = true,
		.kvm_amd_debug_swap = "Y",
	};
}

/* A host whose kernel offers no VMSA feature (kvm_amd debug_swap=N), C-bit 47. */
static inline struct snp_host host_without_debug_swap(void)
{
	return (struct snp_host){
		.cpuid_8000001f_eax = SNP_CPUID_EAX_SNP,
		.cbitpos = 47,
		.reduced_phys_bits = 1,
		.vmsa_features = 0,
		.smt_active = true,
		.vm_tsc_control = true,
		.kvm_amd_debug_swap = "N",
	};
}

/* A 6.19+ host: KVM_X86_SNP_POLICY_BITS reports what the firmware takes. */
static inline struct snp_host host_6_19(void)
{
	struct snp_host h = host_6_11(true);

	h.vmsa_features = SVM_SEV_FEAT_DEBUG_SWAP | SVM_SEV_FEAT_SECURE_TSC;
	h.have_policy_bits = true;
	h.policy_bits = 0x1f00ffULL;
	return h;
}

static inline struct snp_options no_options(void)
{
	return (struct snp_options){ .cbitpos = -1, .reduced_phys_bits = -1, .policy = UINT64_MAX };
}

#endif
