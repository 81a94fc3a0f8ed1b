/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: its layout around the 32-bit PCI hole, its backing (guest_memfd or anonymous
 * memory) and its memslots. The layout is pure and unit-tested; creating the memory goes
 * through the kernel seam.
 */
#ifndef SNPVMM_VMM_MEMORY_H
#define SNPVMM_VMM_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/diag.h"
#include "vmm/boot.h"
#include "vmm/options.h"

struct kvm_backend;

/* RAM below 4 GiB stops at 3 GiB; the rest continues at 4 GiB. The hole holds the
 * IOAPIC, LAPIC, the VMX TSS/identity pages and, later, PCI MMIO and ECAM (which direct
 * boot SNP kernels only find below 4 GiB: without DMI, arch/x86/pci/mmconfig-shared.c
 * acpi_mcfg_valid_entry() ignores an ECAM above it; OpenVMM #4237). */
#define MEM_PCI_HOLE_START 0xC0000000ULL
#define MEM_4G		   0x100000000ULL
#define MEM_MAX_REGIONS	   2

struct mem_layout {
	struct mem_range regions[MEM_MAX_REGIONS];
	unsigned int nr;
};

void mem_layout_compute(uint64_t ram_size, struct mem_layout *ret_layout);

struct mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;	  /* the shared (host-visible) view of the region */
	int gmem_fd;	  /* -1 for anonymous memory */
	bool hva_is_gmem; /* hva maps gmem_fd itself (GUEST_MEMFD_FLAG_MMAP) */
	uint32_t slot;
};

struct guest_memory {
	struct mem_region regions[MEM_MAX_REGIONS];
	unsigned int nr;
	enum mem_backend backend; /* resolved: GMEM or ANON */
	/* Boot mode hashes: shared memory outside RAM and the E820 map where the kernel and
	 * initrd wait for the boot stage (size 0 when absent). Never private, never converted. */
	struct mem_region staging;
};

/*
 * Creates and registers guest RAM. For a plain VM, MEM_BACKEND_GMEM (or AUTO when the
 * kernel offers mmap-able guest_memfd, KVM_CAP_GUEST_MEMFD_FLAGS has MMAP|INIT_SHARED)
 * backs RAM with a guest_memfd that is also the host mapping; ANON uses anonymous memory.
 * With `private_memory` (SNP) every region is a guest_memfd for the private view plus an
 * anonymous mapping for the shared view (api.rst KVM_SET_USER_MEMORY_REGION2 with
 * KVM_MEM_GUEST_MEMFD). -ENOTSUP when the requested
 * backend is not available, with d saying why.
 */
int guest_memory_create(struct kvm_backend *be, const struct mem_layout *layout,
			enum mem_backend want, bool private_memory, struct guest_memory *ret_mem,
			struct diag *d) __attribute__((warn_unused_result));
void guest_memory_destroy(struct guest_memory *mem);

/* Adds the staging memslot (slot MEM_MAX_REGIONS): anonymous memory, no guest_memfd, so it
 * stays shared whatever the VM type. gpa and size page aligned, outside RAM. */
int guest_memory_add_staging(struct kvm_backend *be, struct guest_memory *mem, uint64_t gpa,
			     uint64_t size, struct diag *d) __attribute__((warn_unused_result));
/* Host address of [gpa, gpa+len) in the staging area, or NULL. */
void *guest_memory_staging_hva(const struct guest_memory *mem, uint64_t gpa, uint64_t len);

/* Host address of [gpa, gpa+len) in the shared view, or NULL unless the whole range lies
 * in one region. */
void *guest_memory_hva(const struct guest_memory *mem, uint64_t gpa, uint64_t len);

#endif /* SNPVMM_VMM_MEMORY_H */
