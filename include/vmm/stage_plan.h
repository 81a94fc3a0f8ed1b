/* SPDX-License-Identifier: MIT */
/*
 * Boot mode hashes (docs/snp-launch.md): instead of measuring the kernel, the initrd and
 * every page of RAM, the launch measures the boot stage (include/stage/stage_core.h), its
 * parameters page (the images' SHA-384 hashes, where they are and where they go, which RAM
 * to validate) and the boot structures the kernel reads; the VMM stages the kernel payload
 * and the initrd in shared memory outside guest RAM and the E820 map, and the stage copies,
 * hashes and checks them in the guest.
 *
 * stage_plan_build() is pure, on top of a boot plan: the stage's pages (parameters, page
 * tables, stack, code), the staging area's layout and the BSP's entry state. The image
 * hashes come last (stage_plan_hash_images()), from wherever the caller has the bytes: the
 * staging area at launch, the files in `snpvmm measure`.
 */
#ifndef SNPVMM_VMM_STAGE_PLAN_H
#define SNPVMM_VMM_STAGE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "stage/stage_params.h"
#include "util/diag.h"
#include "util/source.h"
#include "vmm/boot.h"

struct vcpu_state;

enum boot_mode {
	BOOT_MODE_CONTENT, /* every image byte and every RAM page measured by the launch */
	BOOT_MODE_HASHES,  /* the measured stage checks the images' hashes (the CLI default) */
};

/* The staging area lies at or above 4 GiB (clear of the PCI hole and the LAPIC), 1 GiB
 * aligned above the highest RAM (the stage maps it with one 1 GiB page per GiB). */
#define STAGE_STAGING_ALIGN (1ULL << 30)
#define STAGE_STAGING_MIN   (4ULL << 30)
#define STAGE_GHCB_OFFSET   0x0ULL    /* the stage's GHCB page (SNP) */
#define STAGE_IMAGES_OFFSET 0x1000ULL /* the kernel payload, then the initrd, page aligned */

struct stage_plan_config {
	const struct boot_plan *boot; /* the kernel's boot plan: addresses, E820, cmdline */
	const struct mem_range *ram;  /* guest RAM regions (memslots) */
	unsigned int nr_ram;
	/* The pages the launch puts in RAM besides the stage's own (SNP: measured; plain:
	 * copied in), any order, page aligned; the stage never validates or overwrites them. */
	const struct mem_range *placed;
	unsigned int nr_placed;
	bool snp; /* the stage validates RAM (PSC + PVALIDATE) */
};

#define STAGE_PLAN_SEGS 4 /* parameters, page tables, stack, code */

struct stage_plan {
	struct boot_segment segs[STAGE_PLAN_SEGS]; /* ascending GPA */
	unsigned int nr_segs;
	uint64_t staging_gpa, staging_size;
	uint64_t kernel_offset, kernel_size; /* within the staging area */
	uint64_t initrd_offset, initrd_size;
	uint8_t *owned; /* parameters page, page tables, stack */
	bool hashed;	/* stage_plan_hash_images() ran */
};

/* -E2BIG when RAM has more ranges than the parameters page holds or the staging area lies
 * beyond what the stage's page tables map (2 TiB), -ENOMEM. */
int stage_plan_build(const struct stage_plan_config *cfg, struct stage_plan *ret, struct diag *d)
	__attribute__((warn_unused_result));
void stage_plan_free(struct stage_plan *sp);

/* The parameters page inside the plan (for reading; tests and diagnostics). */
const struct stage_params *stage_plan_params(const struct stage_plan *sp);

/* SHA-384 of the kernel payload and the initrd from their sources (bytes as the plan's
 * KERNEL and INITRD segments describe them; initrd may be NULL when there is none), into
 * the parameters page. */
int stage_plan_hash_images(struct stage_plan *sp, const struct byte_source *kernel,
			   const struct byte_source *initrd, struct diag *d)
	__attribute__((warn_unused_result));

/* The BSP enters the stage: on top of boot_set_entry_state() (long mode, GDT, segments),
 * RIP = the stage, RSP = its stack, RSI = its parameters, CR3 = its page tables. */
void stage_plan_apply_entry_state(const struct stage_plan *sp, struct vcpu_state *state);

/* "kernel" / "initrd" / "cmdline" / ... for a STAGE_TERM_* code, or NULL. */
const char *stage_term_reason(unsigned int code);

#endif /* SNPVMM_VMM_STAGE_PLAN_H */
