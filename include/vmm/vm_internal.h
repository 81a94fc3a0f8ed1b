/* SPDX-License-Identifier: MIT */
/*
 * Pieces of VM construction shared by the plain (vm.c) and SNP (vm_snp.c) paths.
 */
#ifndef SNPVMM_VMM_VM_INTERNAL_H
#define SNPVMM_VMM_VM_INTERNAL_H

#include "vmm/cpuid.h"
#include "vmm/vm.h"

/* The boot configuration of the launch options over the RAM layout; sd is storage for the
 * setup_data entries the config points at. */
void vm_boot_config(struct vm *vm, const struct vmm_options *o, const struct mem_layout *l,
		    struct boot_setup_data sd[OPT_MAX_SETUP_DATA], struct boot_config *ret_cfg);
/* Copies segments into the shared view of guest RAM. */
int vm_copy_segments(struct vm *vm, const struct boot_segment *segs, unsigned int nr,
		     struct diag *d) __attribute__((warn_unused_result));
/* The name of a guest's termination reason (GHCB reason set, code). */
const char *vm_term_reason_name(unsigned int set, unsigned int code);

/* The CPUID vCPU `apic_id` gets (masked for SNP). */
int vm_vcpu_cpuid(struct vm *vm, uint32_t apic_id, uint32_t nr_cpus, bool snp,
		  struct cpuid_table *ret, struct diag *d) __attribute__((warn_unused_result));
/* Creates vCPUs 0..nr-1 (id = APIC id) with their CPUID. */
int vm_create_vcpus(struct vm *vm, uint32_t nr, bool snp, struct diag *d)
	__attribute__((warn_unused_result));
/* The SNP launch (vm_snp.c): VM, INIT2, memory, plan, LAUNCH_*, vCPUs. */
int vm_snp_setup(struct vm *vm, const struct vmm_options *o, struct diag *d)
	__attribute__((warn_unused_result));

/* Conversions (convert.c): set up over RAM (all private after a launch), convert one
 * page-aligned range inside one RAM region (-EINVAL otherwise), tear down. */
int vm_convert_init(struct vm *vm) __attribute__((warn_unused_result));
int vm_convert(struct vm *vm, struct vm_vcpu *v, uint64_t gpa, uint64_t size, bool to_private)
	__attribute__((warn_unused_result));
void vm_convert_destroy(struct vm *vm);

#endif /* SNPVMM_VMM_VM_INTERNAL_H */
