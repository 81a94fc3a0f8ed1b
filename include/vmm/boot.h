/* SPDX-License-Identifier: MIT */
/*
 * Firmware-less direct boot of a Linux bzImage (Documentation/arch/x86/boot.rst, 64-bit
 * boot protocol). boot_plan_build() is a pure function: from the kernel and initrd
 * images, the command line and the RAM layout it computes every byte the guest must find
 * in memory (boot_params with E820, cmdline, setup_data chain, identity page tables,
 * GDT, ACPI tables, kernel payload, initrd) and the BSP's 64-bit entry state. Nothing is
 * written to guest memory here: a plain-KVM launch copies the segments in, an SNP launch
 * measures them with SNP_LAUNCH_UPDATE. The layout below 1 MiB follows OpenVMM's
 * firmware-less loader (microsoft/openvmm vm/loader/src/linux.rs); docs/snp-launch.md
 * explains it.
 */
#ifndef SNPVMM_VMM_BOOT_H
#define SNPVMM_VMM_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>

#include "util/diag.h"
#include "util/source.h"

struct vcpu_state;

/* Fixed guest-physical layout below 1 MiB (OpenVMM's, vm/loader/src/linux.rs). */
#define BOOT_GDT_GPA	       0x1000ULL
#define BOOT_PARAMS_GPA	       0x2000ULL
#define BOOT_CMDLINE_GPA       0x3000ULL
#define BOOT_CMDLINE_MAX       4095	 /* bytes without the NUL: one page */
#define BOOT_PAGE_TABLES_GPA   0x4000ULL /* PML4, PDPT, 4 PDs: identity map of 4 GiB, 2 MiB pages */
#define BOOT_PAGE_TABLES_PAGES 6
#define BOOT_ACPI_GPA	       0xA000ULL /* RSDP, XSDT, FADT, DSDT, MADT; FACS in the last page */
#define BOOT_ACPI_SIZE	       0x4000ULL
#define BOOT_SNP_PAGES_GPA     0xE000ULL /* reserved for the SNP pages (secrets, CPUID, CC blob) */
#define BOOT_SNP_PAGES_SIZE    0x3000ULL
#define BOOT_SETUP_DATA_GPA    0x11000ULL /* setup_data nodes, 16-byte aligned, packed */
#define BOOT_SETUP_DATA_SIZE   0xF000ULL
#define BOOT_LOW_RAM_END       0xA0000ULL /* [0xA0000, 0x100000) is listed RESERVED (VGA/ROM hole) */
#define BOOT_KERNEL_GPA	       0x100000ULL
#define BOOT_MIN_PROTOCOL      0x020C /* 2.12: 64-bit entry, xloadflags */

#define BOOT_GDT_CS 0x10 /* __BOOT_CS, as boot.rst's 32-bit protocol names it */
#define BOOT_GDT_DS 0x18 /* __BOOT_DS */

#define E820_TYPE_RAM	   1
#define E820_TYPE_RESERVED 2
#define E820_TYPE_ACPI	   3
#define E820_TYPE_NVS	   4

/* What the bzImage setup header says (boot.rst "The real-mode kernel header"). */
struct bzimage_info {
	uint16_t protocol;   /* hdr.version, e.g. 0x020f */
	uint8_t setup_sects; /* 0 means 4 */
	uint16_t xloadflags; /* XLF_* */
	uint8_t relocatable; /* hdr.relocatable_kernel */
	uint32_t kernel_alignment;
	uint32_t initrd_addr_max; /* highest address the initrd may end at (inclusive) */
	uint32_t cmdline_size;	  /* max cmdline length without the NUL */
	uint32_t init_size;	  /* bytes the kernel needs from its load address */
	uint64_t pref_address;
	size_t header_end;     /* 0x202 + byte at 0x201: setup header bytes to copy */
	size_t payload_offset; /* (setup_sects + 1) * 512 */
	size_t payload_size;
};

/* Validates a bzImage: size, boot_flag 0xAA55, "HdrS", protocol >= 2.12, XLF_KERNEL_64,
 * payload inside the file. -ENOEXEC for "not a bzImage", -EPROTONOSUPPORT for a protocol
 * or entry it cannot use; d explains which check failed. */
int bzimage_parse(const uint8_t *image, size_t size, struct bzimage_info *ret_info, struct diag *d)
	__attribute__((warn_unused_result));
/* The same from the file's first head_len bytes (at least BZIMAGE_HEAD_MIN, or the whole
 * file) and its size: the payload need not be in memory. */
#define BZIMAGE_HEAD_MIN 0x400
int bzimage_parse_head(const uint8_t *head, size_t head_len, uint64_t file_size,
		       struct bzimage_info *ret_info, struct diag *d)
	__attribute__((warn_unused_result));

/* A RAM region (one memslot). */
struct mem_range {
	uint64_t gpa;
	uint64_t size;
};

struct boot_setup_data {
	uint32_t type; /* SETUP_* */
	const uint8_t *data;
	uint32_t len;
};

/* An extra E820 range carved out of RAM (e.g. RESERVED for the SNP secrets/CPUID pages). */
struct boot_e820_carve {
	uint64_t gpa;
	uint64_t size;
	uint32_t type;
};

struct boot_config {
	const uint8_t *kernel; /* a bzImage, validated by boot_plan_build */
	size_t kernel_size;
	/* Bytes of the image at `kernel`: the whole file (0, or kernel_size), or only its
	 * head (at least BZIMAGE_HEAD_MIN): then the payload's bytes are the executor's to
	 * supply (the KERNEL segment has no data). */
	size_t kernel_head_len;
	const uint8_t *initrd; /* may be NULL: no bytes here (supplied by the executor) */
	size_t initrd_size;
	const char *cmdline;	     /* may be NULL: empty */
	const struct mem_range *ram; /* guest RAM regions (the memslots), ascending, disjoint */
	unsigned int nr_ram;
	uint64_t cbit_mask; /* ORed into every page-table entry (SNP C-bit); 0 otherwise */
	uint32_t nr_cpus;   /* one MADT Local APIC per CPU, APIC IDs 0..nr_cpus-1 */
	const struct boot_setup_data *setup_data; /* appended to the chain in order */
	unsigned int nr_setup_data;
	const struct boot_e820_carve *carve; /* extra non-RAM ranges inside RAM */
	unsigned int nr_carve;
};

enum boot_segment_kind {
	BOOT_SEG_GDT,
	BOOT_SEG_BOOT_PARAMS,
	BOOT_SEG_CMDLINE,
	BOOT_SEG_PAGE_TABLES,
	BOOT_SEG_ACPI,
	BOOT_SEG_SETUP_DATA,
	BOOT_SEG_KERNEL,
	BOOT_SEG_INITRD,
	BOOT_SEG_MAX
};

/* Bytes to place at a guest-physical address. `data` points into the plan's own buffer or
 * into the caller's kernel/initrd image (borrowed: keep the images alive with the plan);
 * it is NULL for an image the caller did not hand over whole (the KERNEL segment is then
 * the file's bytes from payload_offset, the INITRD segment the initrd file). */
struct boot_segment {
	enum boot_segment_kind kind;
	uint64_t gpa;
	uint64_t size;
	const uint8_t *data;
};

/* Where an executor finds the bytes of the image segments that have no `data`: the
 * KERNEL segment's (the payload: offset 0 is the file's payload_offset) and the INITRD's. */
struct image_sources {
	const struct byte_source *kernel;
	const struct byte_source *initrd;
};

struct e820_map {
	uint32_t nr;
	struct boot_e820_entry entries[E820_MAX_ENTRIES_ZEROPAGE];
};

struct boot_plan {
	struct bzimage_info kernel;
	struct boot_segment segs[BOOT_SEG_MAX];
	unsigned int nr_segs; /* in boot_segment_kind order; absent ones (no initrd) skipped */
	struct e820_map e820;
	uint64_t entry_rip; /* BOOT_KERNEL_GPA + 0x200 */
	uint64_t initrd_gpa;
	uint64_t rsdp_gpa;
	uint64_t cbit_mask;
	uint8_t *owned; /* generated bytes, freed by boot_plan_free */
};

/*
 * The largest image files a boot into `ram` could ever use, known from the RAM layout
 * alone, so that a larger file is refused from its size (fstat) before any of it is read
 * (boot_images.c). Each bound is loose but sound: boot_plan_build() makes the exact checks
 * once the kernel's header is known.
 *   kernel:     the real-mode setup (at most 256 sectors, never loaded) plus a payload
 *               loaded at BOOT_KERNEL_GPA inside the RAM region that holds it;
 *   initrd:     inside one RAM region, above the kernel (so above BOOT_KERNEL_GPA);
 *   setup_data: one node with its 16-byte header in the BOOT_SETUP_DATA_SIZE area.
 */
struct boot_image_limits {
	uint64_t kernel;
	uint64_t initrd;
	uint64_t setup_data;
};

void boot_image_limits(const struct mem_range *ram, unsigned int nr_ram,
		       struct boot_image_limits *ret);

/* -ENOEXEC/-EPROTONOSUPPORT (kernel image), -E2BIG (cmdline too long, too many setup_data
 * or E820 entries), -ENOSPC (kernel or initrd does not fit in RAM), -EINVAL (config). */
int boot_plan_build(const struct boot_config *cfg, struct boot_plan *ret_plan, struct diag *d)
	__attribute__((warn_unused_result));
void boot_plan_free(struct boot_plan *plan);

/* The plan's segment of kind k, or NULL when the plan has none (no initrd). */
const struct boot_segment *boot_plan_segment(const struct boot_plan *plan,
					     enum boot_segment_kind k);

/* Sets the BSP's 64-bit entry state (boot.rst "64-bit BOOT PROTOCOL"): long mode with the
 * plan's page tables, CS/DS from the plan's GDT, RIP = entry, RSI = boot_params,
 * RFLAGS = 0x2. Leaves every other part of *state as the caller read it from KVM, and
 * marks REGS and SREGS valid. */
void boot_set_entry_state(const struct boot_plan *plan, struct vcpu_state *state);

#endif /* SNPVMM_VMM_BOOT_H */
