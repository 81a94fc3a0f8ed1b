/* SPDX-License-Identifier: MIT */
/*
 * The CPUID a vCPU is given: KVM_GET_SUPPORTED_CPUID, adjusted so that each vCPU reports
 * its own APIC ID (which equals its KVM vCPU id, as SNP AP creation requires:
 * arch/x86/kvm/svm/sev.c sev_snp_ap_creation() finds the target with kvm_get_vcpu_by_id(),
 * Linux 6.11) and a topology consistent with --smp.
 */
#ifndef SNPVMM_VMM_CPUID_H
#define SNPVMM_VMM_CPUID_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm.h>

#define CPUID_MAX_ENTRIES 256

/* struct kvm_cpuid2 ends in a flexible array; the union gives it room for the entries. */
struct cpuid_table {
	union {
		struct kvm_cpuid2 hdr;
		uint8_t bytes[sizeof(struct kvm_cpuid2) +
			      CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2)];
	};
};

/* Copies `supported` into *out with the per-vCPU adjustments (and the core subleaf of
 * 0xB/0x1F that KVM does not report). tsc_deadline: KVM_CAP_TSC_DEADLINE_TIMER with an
 * in-kernel LAPIC. Pure. -E2BIG if the result would hold more than CPUID_MAX_ENTRIES. */
int cpuid_for_vcpu(const struct kvm_cpuid2 *supported, uint32_t apic_id, uint32_t nr_cpus,
		   bool tsc_deadline, struct cpuid_table *out) __attribute__((warn_unused_result));

/* The entry for (function, index), or NULL. Index is ignored for non-indexed leaves. */
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *cpuid, uint32_t function, uint32_t index);

#endif /* SNPVMM_VMM_CPUID_H */
