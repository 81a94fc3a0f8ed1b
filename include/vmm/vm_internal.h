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
/* Where the launch put the images: memory sources over guest RAM (boot mode content) or
 * the staging area (hashes), so that hashing and measuring read the launched bytes. */
struct vm_loaded_images {
	struct byte_source kernel;   /* the payload */
	struct byte_source initrd;   /* size 0 without one */
	struct image_sources images; /* points at the two above */
};

/* SHA-384 of the images from their sources into vm->image_sha384 (and, in boot mode
 * hashes, into the stage's parameters page): what the prediction uses, and what
 * vm_load_boot() later requires of the bytes it loads. */
int vm_hash_images(struct vm *vm, struct snp_plan *plan, const struct image_sources *images,
		   struct diag *d) __attribute__((warn_unused_result));
/* Puts a plan's bytes into guest memory (boot_load.c): each image straight from its file
 * into RAM (stage NULL: boot mode content) or into the staging memslot, which it creates;
 * then checks the loaded images against vm->image_sha384 where the prediction recorded
 * them (-EIO: a file changed in between), or else hashes them into the stage's
 * parameters page; then copies every segment with data into RAM. *ret must stay where it
 * is while ret->images is used. */
int vm_load_boot(struct vm *vm, const struct boot_plan *boot, const struct boot_segment *segs,
		 unsigned int nr_segs, struct stage_plan *stage, struct vm_loaded_images *ret,
		 struct diag *d) __attribute__((warn_unused_result));
/* KVM_PRE_FAULT_MEMORY over the staging area where the kernel offers it (after the
 * launch: SNP refuses it before LAUNCH_FINISH). Best effort. */
void vm_prefault_staging(struct vm *vm);
/* --debug-tamper-staging: flips one byte of the staged kernel payload or initrd. */
int vm_tamper_staging(struct vm *vm, enum staging_tamper what, struct diag *d)
	__attribute__((warn_unused_result));
/* The stage plan of this VM (plain or SNP), or NULL in boot mode content. */
const struct stage_plan *vm_stage_plan(const struct vm *vm);
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
