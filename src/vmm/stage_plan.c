// SPDX-License-Identifier: MIT
/*
 * The boot stage's part of a launch plan. See include/vmm/stage_plan.h and
 * docs/snp-launch.md "Boot mode hashes".
 */
#include "vmm/stage_plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snp/launch_digest.h"
#include "stage/stage_blob.h"
#include "vmm/backend.h"
#include "vmm/page_tables.h"

#define PAGE	   0x1000ULL
#define OWNED_GPA  STAGE_PARAMS_GPA
#define OWNED_SIZE (STAGE_STACK_GPA + STAGE_STACK_SIZE - STAGE_PARAMS_GPA)

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int cmp_range(const void *a, const void *b)
{
	const struct stage_range *x = a, *y = b;

	return (x->gpa > y->gpa) - (x->gpa < y->gpa);
}

/* Sorted, overlapping and touching ranges merged. -E2BIG past STAGE_MAX_RANGES. */
static int merge_ranges(struct stage_range *r, unsigned int nr, uint32_t *ret_nr)
{
	unsigned int i, out = 0;

	qsort(r, nr, sizeof(*r), cmp_range);
	for (i = 0; i < nr; i++) {
		struct stage_range *last = out ? &r[out - 1] : NULL;

		if (last && r[i].gpa <= last->gpa + last->size) {
			uint64_t end = r[i].gpa + r[i].size;

			if (end > last->gpa + last->size)
				last->size = end - last->gpa;
			continue;
		}
		r[out++] = r[i];
	}
	if (out > STAGE_MAX_RANGES)
		return -E2BIG;
	*ret_nr = out;
	return 0;
}

static void add_seg(struct stage_plan *sp, uint64_t gpa, uint64_t size, const uint8_t *data)
{
	sp->segs[sp->nr_segs++] = (struct boot_segment){
		.kind = BOOT_SEG_MAX,
		.gpa = gpa,
		.size = size,
		.data = data,
	};
}

static int fill_ranges(const struct stage_plan_config *cfg, const struct stage_plan *sp,
		       struct stage_params *p, struct diag *d)
{
	const struct e820_map *map = &cfg->boot->e820;
	struct stage_range *placed;
	unsigned int i, n = 0;
	int r;

	for (i = 0; i < map->nr; i++) {
		if (map->entries[i].type != E820_TYPE_RAM)
			continue;
		if (p->nr_ram == STAGE_MAX_RANGES)
			return diag_fail(d, -E2BIG,
					 "the memory map has more than %d RAM ranges, the most the "
					 "boot stage takes",
					 STAGE_MAX_RANGES);
		p->ram[p->nr_ram++] =
			(struct stage_range){ map->entries[i].addr, map->entries[i].size };
	}
	placed = calloc((size_t)cfg->nr_placed + STAGE_PLAN_SEGS, sizeof(*placed));
	if (!placed)
		return -ENOMEM;
	for (i = 0; i < cfg->nr_placed; i++)
		placed[n++] = (struct stage_range){ cfg->placed[i].gpa, cfg->placed[i].size };
	for (i = 0; i < sp->nr_segs; i++)
		placed[n++] =
			(struct stage_range){ sp->segs[i].gpa, align_up(sp->segs[i].size, PAGE) };
	r = merge_ranges(placed, n, &p->nr_measured);
	if (r < 0)
		r = diag_fail(d, r,
			      "the launch places more than %d separate ranges, the most the "
			      "boot stage takes",
			      STAGE_MAX_RANGES);
	else
		memcpy(p->measured, placed, p->nr_measured * sizeof(*placed));
	free(placed);
	return r;
}

static void fill_image(struct stage_image *img, const struct stage_plan *sp, uint64_t offset,
		       uint64_t size, uint64_t dest)
{
	if (!size)
		return;
	img->staging_gpa = sp->staging_gpa + offset;
	img->dest_gpa = dest;
	img->size = size;
}

int stage_plan_build(const struct stage_plan_config *cfg, struct stage_plan *ret, struct diag *d)
{
	const struct boot_plan *bp = cfg->boot;
	const struct boot_segment *kernel = boot_plan_segment(bp, BOOT_SEG_KERNEL);
	const struct boot_segment *initrd = boot_plan_segment(bp, BOOT_SEG_INITRD);
	const struct boot_segment *cmdline = boot_plan_segment(bp, BOOT_SEG_CMDLINE);
	struct stage_plan sp = { .nr_segs = 0 };
	uint64_t ram_top = 0, shared_end;
	struct stage_params *p;
	unsigned int i, nr_pdpt;
	int r;

	if (!kernel || !cmdline || cfg->nr_ram == 0)
		return diag_fail(d, -EINVAL, "the boot plan has no kernel or command line");
	if (boot_stage_image_size > STAGE_CODE_MAX)
		return diag_fail(d, -E2BIG, "the boot stage (%zu bytes) exceeds its %llu bytes",
				 boot_stage_image_size, (unsigned long long)STAGE_CODE_MAX);
	for (i = 0; i < cfg->nr_ram; i++)
		if (cfg->ram[i].gpa + cfg->ram[i].size > ram_top)
			ram_top = cfg->ram[i].gpa + cfg->ram[i].size;

	sp.kernel_offset = STAGE_IMAGES_OFFSET;
	sp.kernel_size = kernel->size;
	sp.initrd_offset = sp.kernel_offset + align_up(kernel->size, PAGE);
	sp.initrd_size = initrd ? initrd->size : 0;
	sp.staging_size = sp.initrd_offset + align_up(sp.initrd_size, PAGE);
	sp.staging_gpa = align_up(ram_top > STAGE_STAGING_MIN ? ram_top : STAGE_STAGING_MIN,
				  STAGE_STAGING_ALIGN);
	shared_end = align_up(sp.staging_gpa + sp.staging_size, STAGE_STAGING_ALIGN);
	nr_pdpt = (unsigned int)((shared_end + PAGE_TABLES_1G_SPAN - 1) / PAGE_TABLES_1G_SPAN);
	if (nr_pdpt > STAGE_PT_MAX_PDPT)
		return diag_fail(
			d, -E2BIG,
			"the staging area would end at 0x%llx, beyond the %llu GiB the "
			"boot stage maps",
			(unsigned long long)shared_end,
			(unsigned long long)(STAGE_PT_MAX_PDPT * PAGE_TABLES_1G_SPAN >> 30));

	sp.owned = calloc(1, OWNED_SIZE);
	if (!sp.owned)
		return -ENOMEM;
	page_tables_build_1g(sp.owned + (STAGE_PT_GPA - OWNED_GPA), STAGE_PT_GPA, nr_pdpt,
			     align_up(ram_top, STAGE_STAGING_ALIGN), sp.staging_gpa, shared_end,
			     bp->cbit_mask);
	add_seg(&sp, STAGE_PARAMS_GPA, PAGE, sp.owned);
	/* All PDPT pages, used or not: the launch then costs the same whatever the RAM. */
	add_seg(&sp, STAGE_PT_GPA, (1 + STAGE_PT_MAX_PDPT) * PAGE,
		sp.owned + (STAGE_PT_GPA - OWNED_GPA));
	add_seg(&sp, STAGE_STACK_GPA, STAGE_STACK_SIZE, sp.owned + (STAGE_STACK_GPA - OWNED_GPA));
	add_seg(&sp, STAGE_CODE_GPA, boot_stage_image_size, boot_stage_image);

	p = (struct stage_params *)(void *)sp.owned;
	p->magic = STAGE_PARAMS_MAGIC;
	p->version = STAGE_PARAMS_VERSION;
	p->flags = cfg->snp ? STAGE_FLAG_SNP : 0;
	p->cbit_mask = bp->cbit_mask;
	p->boot_params_gpa = BOOT_PARAMS_GPA;
	p->kernel_entry = bp->entry_rip;
	p->kernel_cr3 = BOOT_PAGE_TABLES_GPA;
	p->staging_gpa = sp.staging_gpa;
	p->staging_size = sp.staging_size;
	p->ghcb_gpa = sp.staging_gpa + STAGE_GHCB_OFFSET;
	p->exit_port = STAGE_EXIT_PORT;
	fill_image(&p->kernel, &sp, sp.kernel_offset, sp.kernel_size, kernel->gpa);
	if (initrd)
		fill_image(&p->initrd, &sp, sp.initrd_offset, sp.initrd_size, initrd->gpa);
	/* The command line page is measured as it is; its hash is one more check and tells
	 * a reader of the parameters page what the kernel was given. */
	p->cmdline_gpa = cmdline->gpa;
	p->cmdline_size = strnlen((const char *)cmdline->data, BOOT_CMDLINE_MAX) + 1;
	r = snp_sha384(cmdline->data, p->cmdline_size, p->cmdline_sha384);
	if (r >= 0)
		r = fill_ranges(cfg, &sp, p, d);
	if (r < 0) {
		stage_plan_free(&sp);
		return r;
	}
	*ret = sp;
	return 0;
}

void stage_plan_free(struct stage_plan *sp)
{
	if (!sp)
		return;
	free(sp->owned);
	memset(sp, 0, sizeof(*sp));
}

const struct stage_params *stage_plan_params(const struct stage_plan *sp)
{
	return (const struct stage_params *)(const void *)sp->owned;
}

int stage_plan_hash_images(struct stage_plan *sp, const struct byte_source *kernel,
			   const struct byte_source *initrd, struct diag *d)
{
	struct stage_params *p = (struct stage_params *)(void *)sp->owned;
	int r;

	if (!kernel || kernel->size != sp->kernel_size ||
	    (sp->initrd_size && (!initrd || initrd->size != sp->initrd_size)))
		return diag_fail(d, -EINVAL, "the images to hash are not the ones planned");
	r = source_digest(kernel, 0, kernel->size, "SHA384", p->kernel.sha384, d);
	if (r >= 0 && sp->initrd_size)
		r = source_digest(initrd, 0, initrd->size, "SHA384", p->initrd.sha384, d);
	if (r < 0)
		return r;
	sp->hashed = true;
	return 0;
}

void stage_plan_apply_entry_state(const struct stage_plan *sp, struct vcpu_state *state)
{
	state->regs.rip = STAGE_CODE_GPA;
	state->regs.rsp = STAGE_STACK_GPA + STAGE_STACK_SIZE;
	state->regs.rsi = STAGE_PARAMS_GPA;
	state->sregs.cr3 = STAGE_PT_GPA;
}

const char *stage_term_reason(unsigned int code)
{
	static const char *const reasons[STAGE_TERM_MAX] = {
		[STAGE_TERM_KERNEL_HASH] = "boot stage: the kernel in the staging area does not "
					   "match its measured hash",
		[STAGE_TERM_INITRD_HASH] = "boot stage: the initrd in the staging area does not "
					   "match its measured hash",
		[STAGE_TERM_CMDLINE_HASH] = "boot stage: the command line does not match its "
					    "measured hash",
		[STAGE_TERM_BAD_PARAMS] = "boot stage: its parameters page is inconsistent",
		[STAGE_TERM_NOT_SNP] = "boot stage: SEV_STATUS does not report SNP",
		[STAGE_TERM_GHCB_REGISTER] = "boot stage: the hypervisor refused its GHCB "
					     "registration",
		[STAGE_TERM_PSC] = "boot stage: a page-state change to private failed",
		[STAGE_TERM_PVALIDATE] = "boot stage: PVALIDATE failed",
		[STAGE_TERM_ALREADY_VALIDATED] = "boot stage: a page outside the measured ranges "
						 "was already validated",
	};

	return code < STAGE_TERM_MAX ? reasons[code] : NULL;
}
