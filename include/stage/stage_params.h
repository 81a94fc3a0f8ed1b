/* SPDX-License-Identifier: MIT */
/*
 * The contract between snpvmm and its measured boot stage (src/stage/, docs/snp-launch.md
 * "Boot mode hashes"): where the stage lives, the parameters page the VMM writes and the
 * launch measures, and the reasons the stage gives when it refuses to boot.
 *
 * Only <stdint.h>: the freestanding stage includes this header too. Little-endian, no
 * padding (checked below), so the VMM's bytes are the stage's struct.
 */
#ifndef SNPVMM_STAGE_STAGE_PARAMS_H
#define SNPVMM_STAGE_STAGE_PARAMS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The stage's pages sit at the bottom of the legacy VGA/ROM hole [0xA0000, 0x100000),
 * which the E820 map lists RESERVED in both boot modes: the kernel sees the same memory
 * map either way and never allocates these pages. They end below 0xC0000: kernels from
 * 5.19 to 6.8 validate [0xC0000, 0x100000) themselves in probe_roms() (snp_prep_memory())
 * and stop on a page that was validated already. Commit 0f4a1e80989a ("x86/sev: Skip ROM
 * range scans and validation for SEV-SNP guests", Linux 6.9; stable 6.1.84, 6.6.24,
 * 6.7.12) removed that.
 */
#define STAGE_PARAMS_GPA   0xA0000ULL /* this struct, one page */
#define STAGE_PT_GPA	   0xA1000ULL /* the stage's PML4, then its PDPTs */
#define STAGE_PT_MAX_PDPT  4	      /* 4 x 512 GiB of address space */
#define STAGE_STACK_GPA	   0xA6000ULL
#define STAGE_STACK_SIZE   0x2000ULL
#define STAGE_CODE_GPA	   0xA8000ULL /* the flat binary, entry at its first byte */
#define STAGE_CODE_MAX	   0x10000ULL
#define STAGE_AREA_END	   (STAGE_CODE_GPA + STAGE_CODE_MAX)
#define STAGE_ROM_START	   0xC0000ULL
#define STAGE_AREA_MAX_END STAGE_ROM_START

/*
 * Without SNP the stage reports a refusal by writing the termination value (the GHCB MSR
 * protocol's encoding, GHCB_MSR_TERM()) to this I/O port with a 32-bit OUT; under SNP it
 * uses the GHCB MSR protocol itself (port I/O would need a #VC handler it does not have).
 */
#define STAGE_EXIT_PORT 0x0B5E

/* Termination reason code set of the stage (GHCB reason sets 0 and 1 belong to the GHCB
 * spec and Linux; the others are the guest's to define). */
#define STAGE_TERM_SET 0xB

enum stage_term_code {
	STAGE_TERM_KERNEL_HASH = 1,	  /* the kernel's private copy does not match its hash */
	STAGE_TERM_INITRD_HASH = 2,	  /* the initrd's private copy does not match its hash */
	STAGE_TERM_CMDLINE_HASH = 3,	  /* the command line does not match its hash */
	STAGE_TERM_BAD_PARAMS = 4,	  /* the parameters page is inconsistent */
	STAGE_TERM_NOT_SNP = 5,		  /* SNP expected, SEV_STATUS says otherwise */
	STAGE_TERM_GHCB_REGISTER = 6,	  /* the GHCB GPA registration was refused */
	STAGE_TERM_PSC = 7,		  /* a page-state change to private failed */
	STAGE_TERM_PVALIDATE = 8,	  /* PVALIDATE failed */
	STAGE_TERM_ALREADY_VALIDATED = 9, /* a page outside the measured ranges was validated */
	STAGE_TERM_MAX
};

#define STAGE_PARAMS_MAGIC   0x3147545356504e53ULL /* "SNPVSTG1" as a little-endian u64 */
#define STAGE_PARAMS_VERSION 1
#define STAGE_FLAG_SNP	     (1u << 0) /* validate RAM (PSC + PVALIDATE); else skip that */
#define STAGE_MAX_RANGES     32
#define STAGE_SHA384_SIZE    48

struct stage_range {
	uint64_t gpa;
	uint64_t size;
};

/* An image the VMM staged in shared memory outside guest RAM; the stage copies it to its
 * final, private address and checks the copy. */
struct stage_image {
	uint64_t staging_gpa;
	uint64_t dest_gpa;
	uint64_t size; /* bytes; 0 = no such image */
	uint8_t sha384[STAGE_SHA384_SIZE];
};

struct stage_params {
	uint64_t magic;
	uint32_t version;
	uint32_t flags;		  /* STAGE_FLAG_* */
	uint64_t cbit_mask;	  /* informational: the measured page tables carry it */
	uint64_t boot_params_gpa; /* RSI at the kernel's entry */
	uint64_t kernel_entry;	  /* the kernel's 64-bit entry point */
	uint64_t kernel_cr3;	  /* the page tables the kernel gets (those of boot mode content) */
	uint64_t staging_gpa;	  /* the shared staging area: [staging_gpa, +staging_size) */
	uint64_t staging_size;
	uint64_t ghcb_gpa; /* a page of the staging area (SNP): shared, outside RAM */
	uint32_t exit_port;
	uint32_t reserved;
	struct stage_image kernel; /* the bzImage's protected-mode payload */
	struct stage_image initrd;
	uint64_t cmdline_gpa;  /* measured in place; its hash is checked too */
	uint64_t cmdline_size; /* bytes including the terminating NUL */
	uint8_t cmdline_sha384[STAGE_SHA384_SIZE];
	uint32_t nr_ram;      /* the E820 RAM ranges: everything the kernel will use */
	uint32_t nr_measured; /* the launch-measured (already validated) ranges: skipped */
	struct stage_range ram[STAGE_MAX_RANGES];
	struct stage_range measured[STAGE_MAX_RANGES];
};

_Static_assert(sizeof(struct stage_image) == 72, "stage_image size");
_Static_assert(offsetof(struct stage_params, kernel) == 0x50, "stage_params.kernel");
_Static_assert(offsetof(struct stage_params, cmdline_gpa) == 0xe0, "stage_params.cmdline_gpa");
_Static_assert(offsetof(struct stage_params, nr_ram) == 0x120, "stage_params.nr_ram");
_Static_assert(offsetof(struct stage_params, ram) == 0x128, "stage_params.ram");
_Static_assert(sizeof(struct stage_params) == 0x128 + 2 * STAGE_MAX_RANGES * 16,
	       "stage_params has no padding");
_Static_assert(sizeof(struct stage_params) <= 4096, "stage_params fits its page");
_Static_assert(STAGE_PT_GPA + (1 + STAGE_PT_MAX_PDPT) * 0x1000ULL <= STAGE_STACK_GPA,
	       "stage page tables overlap the stack");
_Static_assert(STAGE_STACK_GPA + STAGE_STACK_SIZE <= STAGE_CODE_GPA, "stack overlaps the code");
_Static_assert(STAGE_AREA_END <= STAGE_AREA_MAX_END, "the stage reaches the ROM range");

#endif /* SNPVMM_STAGE_STAGE_PARAMS_H */
