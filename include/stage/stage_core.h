/* SPDX-License-Identifier: MIT */
/*
 * The measured boot stage's logic (docs/snp-launch.md "Boot mode hashes"). It runs in the
 * guest before the kernel, from pages the launch measured, and trusts only those pages:
 * the parameters page (struct stage_params) and its own code. Everything it touches through
 * the hardware goes through struct stage_ops, so the same code is compiled into the
 * freestanding stage (src/stage/stage_hw.c supplies the instructions) and into host unit
 * tests (tests/unit/test_stage.c supplies a model of them).
 *
 * stage_run():
 *   1. checks the parameters page is consistent (STAGE_TERM_BAD_PARAMS);
 *   2. under SNP: confirms SEV_STATUS says SNP, registers the GHCB (MSR protocol), then
 *      for all E820 RAM minus the measured ranges, in batches of at most 253 descriptor
 *      entries (2 MiB entries where aligned): asks for the pages to be private (GHCB page
 *      state change), PVALIDATEs them (2 MiB, or 4 KiB after FAIL_SIZEMISMATCH) and zeroes
 *      them, so every RAM page reads as it would after a launch by content (ZERO pages);
 *   3. copies the kernel and the initrd from the shared staging area to their private
 *      destinations, hashes the private copies (never the shared bytes, which the host may
 *      change at any time) and compares with the measured hashes; checks the command line;
 *   4. enters the kernel's 64-bit entry with RSI = boot_params and the kernel's CR3.
 * Any failure ends in ops->terminate() with a STAGE_TERM_* code (stage_params.h).
 */
#ifndef SNPVMM_STAGE_STAGE_CORE_H
#define SNPVMM_STAGE_STAGE_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "stage/stage_params.h"

#define STAGE_PAGE_4K	 0x1000ULL
#define STAGE_PAGE_2M	 0x200000ULL
/* Copy and hash in pieces that stay in the cache between the two. */
#define STAGE_COPY_CHUNK 0x40000ULL

struct stage_ops {
	void *ctx;
	/* A pointer for [gpa, gpa + len): the identity map in the guest (private for RAM,
	 * shared for the staging area). */
	void *(*map)(void *ctx, uint64_t gpa, uint64_t len);
	uint64_t (*read_sev_status)(void *ctx);
	/* Writes the GHCB MSR, exits to the hypervisor (VMGEXIT), returns the GHCB MSR. */
	uint64_t (*ghcb_call)(void *ctx, uint64_t ghcb_msr);
	/* PVALIDATE(validate) of the page at gpa of page_size (PVALIDATE_PAGE_4K/2M): returns
	 * the RAX result and sets *ret_unchanged from CF. */
	int (*pvalidate)(void *ctx, uint64_t gpa, int page_size, bool *ret_unchanged);
	/* Stops the guest with this reason; in the guest it never returns. */
	void (*terminate)(void *ctx, const struct stage_params *p, unsigned int code);
	/* Enters the kernel; in the guest it never returns. */
	void (*enter_kernel)(void *ctx, const struct stage_params *p);
};

/* Returns 0 once ops->enter_kernel() returned (only in tests), or the STAGE_TERM_* code
 * passed to ops->terminate(). */
int stage_run(const struct stage_params *p, const struct stage_ops *ops);

/* ---- the pieces, exposed for the unit tests ---- */

/* 0, or STAGE_TERM_BAD_PARAMS if any range, image or address in *p is inconsistent. */
int stage_check_params(const struct stage_params *p);

/* Walks E820 RAM minus the measured ranges in ascending order: the RAM the stage must
 * validate. Start with a zeroed cursor; false when there is nothing left. */
struct stage_cursor {
	uint32_t ram;	 /* index into p->ram */
	uint64_t offset; /* bytes of that range already handed out */
};
bool stage_next_unmeasured(const struct stage_params *p, struct stage_cursor *c,
			   struct stage_range *ret);

/* Fills up to max PSC entries (op private) for [*gpa, end): a 2 MiB entry where *gpa is
 * 2 MiB aligned and 2 MiB fit, else a 4 KiB one. Advances *gpa past what it covered and
 * returns the number of entries. */
unsigned int stage_psc_fill(uint64_t *entries, unsigned int max, uint64_t *gpa, uint64_t end);

/* Validates [gpa, end) (page aligned): 2 MiB pages where aligned, 4 KiB pages otherwise and
 * after FAIL_SIZEMISMATCH. 0, STAGE_TERM_PVALIDATE, or STAGE_TERM_ALREADY_VALIDATED for a
 * page that was validated before (CF = 1): only the launch and PVALIDATE validate pages
 * (RMPUPDATE clears the bit), the launch only validated the measured ones and the stage
 * validates each page once, so CF = 1 means the launch was not the one the parameters
 * describe. (A page swapped after the stage validated it is unvalidated; the guest's next
 * access to it stops it with #VC 0x404.) */
int stage_validate(const struct stage_ops *ops, uint64_t gpa, uint64_t end);

#endif /* SNPVMM_STAGE_STAGE_CORE_H */
