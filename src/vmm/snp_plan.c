// SPDX-License-Identifier: MIT
/*
 * The SEV-SNP launch plan. See include/vmm/snp_plan.h and docs/snp-launch.md.
 */
#include "vmm/snp_plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snp/snp_cpuid.h"
#include "snp/vmsa.h"

#define PAGE 4096ULL

static uint64_t page_floor(uint64_t v)
{
	return v & ~(PAGE - 1);
}

static uint64_t page_ceil(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

/* A typed run of pages the plan places (before gaps are filled with ZERO). */
struct typed_run {
	uint64_t start, end;
	enum snp_page_type type;
};

static int cmp_run(const void *a, const void *b)
{
	const struct typed_run *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

static int cmp_seg(const void *a, const void *b)
{
	const struct boot_segment *x = a, *y = b;

	return (x->gpa > y->gpa) - (x->gpa < y->gpa);
}

static int add_range(struct snp_plan *p, uint64_t gpa, uint64_t end, enum snp_page_type type,
		     struct diag *d)
{
	struct snp_range *last = p->nr_ranges ? &p->ranges[p->nr_ranges - 1] : NULL;

	if (end <= gpa)
		return 0;
	if (last && last->type == type && last->gpa + last->len == gpa) {
		last->len += end - gpa;
		return 0;
	}
	if (p->nr_ranges == SNP_PLAN_MAX_RANGES)
		return diag_fail(d, -E2BIG,
				 "the SNP launch would need more than %d LAUNCH_UPDATE "
				 "ranges",
				 SNP_PLAN_MAX_RANGES);
	p->ranges[p->nr_ranges++] =
		(struct snp_range){ .gpa = gpa, .len = end - gpa, .type = type };
	return 0;
}

/* The page-rounded runs the plan places, with their launch types, ascending. Two runs
 * sharing a page cannot happen (every segment but the kernel and initrd starts on a page
 * and the plan keeps those apart). */
static unsigned int collect_runs(const struct snp_plan *p, struct typed_run *runs)
{
	unsigned int nr = 0, i;

	for (i = 0; i < p->nr_segs; i++)
		runs[nr++] = (struct typed_run){
			.start = page_floor(p->segs[i].gpa),
			.end = page_ceil(p->segs[i].gpa + p->segs[i].size),
			.type = p->segs[i].gpa == SNP_CPUID_GPA ? SNP_PAGE_CPUID : SNP_PAGE_NORMAL,
		};
	runs[nr++] =
		(struct typed_run){ SNP_SECRETS_GPA, SNP_SECRETS_GPA + PAGE, SNP_PAGE_SECRETS };
	qsort(runs, nr, sizeof(runs[0]), cmp_run);
	return nr;
}

/* Content: types every page of every RAM region, the runs the plan places and ZERO in
 * between. Hashes: the runs only; the boot stage validates the rest of RAM itself. */
static int build_ranges(struct snp_plan *p, const struct boot_config *boot, struct diag *d)
{
	struct typed_run runs[SNP_PLAN_MAX_SEGS + 1];
	unsigned int nr = collect_runs(p, runs), i, r;
	int ret;

	if (p->mode == BOOT_MODE_HASHES) {
		for (i = 0, ret = 0; i < nr && ret >= 0; i++)
			ret = add_range(p, runs[i].start, runs[i].end, runs[i].type, d);
		return ret;
	}
	for (r = 0; r < boot->nr_ram; r++) {
		uint64_t cursor = boot->ram[r].gpa, end = boot->ram[r].gpa + boot->ram[r].size;

		for (i = 0; i < nr; i++) {
			uint64_t s = runs[i].start < cursor ? cursor : runs[i].start;
			uint64_t e = runs[i].end > end ? end : runs[i].end;

			if (e <= s)
				continue;
			ret = add_range(p, cursor, s, SNP_PAGE_ZERO, d);
			if (ret >= 0)
				ret = add_range(p, s, e, runs[i].type, d);
			if (ret < 0)
				return ret;
			cursor = e;
		}
		ret = add_range(p, cursor, end, SNP_PAGE_ZERO, d);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Boot mode hashes: the stage, told which pages the launch measures (everything placed so
 * far, the secrets page, and its own pages, which it adds itself). */
static int add_stage(struct snp_plan *p, const struct boot_config *boot, struct diag *d)
{
	struct typed_run runs[SNP_PLAN_MAX_SEGS + 1];
	struct mem_range placed[SNP_PLAN_MAX_SEGS + 1];
	unsigned int nr = collect_runs(p, runs), i;
	struct stage_plan_config sc = {
		.boot = &p->boot,
		.ram = boot->ram,
		.nr_ram = boot->nr_ram,
		.placed = placed,
		.nr_placed = nr,
		.snp = true,
	};
	int r;

	for (i = 0; i < nr; i++)
		placed[i] = (struct mem_range){ runs[i].start, runs[i].end - runs[i].start };
	r = stage_plan_build(&sc, &p->stage, d);
	if (r < 0)
		return r;
	for (i = 0; i < p->stage.nr_segs; i++)
		p->segs[p->nr_segs++] = p->stage.segs[i];
	return 0;
}

int snp_plan_build(const struct snp_plan_config *cfg, struct snp_plan *ret_plan, struct diag *d)
{
	struct boot_setup_data sd[1 + 16];
	struct boot_e820_carve carve = {
		.gpa = BOOT_SNP_PAGES_GPA,
		.size = BOOT_SNP_PAGES_SIZE,
		.type = E820_TYPE_RESERVED,
	};
	struct boot_config boot = cfg->boot;
	struct snp_plan p = { .mode = cfg->mode };
	uint32_t cc_blob_address = (uint32_t)SNP_CC_BLOB_GPA;
	struct cc_blob_sev_info *blob;
	unsigned int i;
	int r;

	if (cfg->cbitpos < 32 || cfg->cbitpos > 51)
		return diag_fail(d, -EINVAL, "C-bit position %u is outside 32..51", cfg->cbitpos);
	if (boot.nr_setup_data > 16 || boot.nr_carve)
		return diag_fail(d, -E2BIG, "too many setup_data entries for an SNP launch");

	/* The CC blob reaches the decompressor through a SETUP_CC_BLOB node, first in the
	 * chain; its 32-bit address field (struct cc_setup_data, sev-shared.c) is why the blob
	 * sits below 4 GiB. */
	sd[0] = (struct boot_setup_data){
		.type = SETUP_CC_BLOB,
		.data = (const uint8_t *)&cc_blob_address,
		.len = sizeof(cc_blob_address),
	};
	for (i = 0; i < boot.nr_setup_data; i++)
		sd[1 + i] = boot.setup_data[i];
	boot.setup_data = sd;
	boot.nr_setup_data++;
	/* Secrets, CPUID and CC blob pages are E820 RESERVED, as OVMF and OpenVMM do: older
	 * kernels (up to about 6.10) re-read the CC blob at initcall time (arch/x86/kernel/sev.c
	 * get_secrets_page()); OVMF's SecretPei reserves the secrets page. */
	boot.carve = &carve;
	boot.nr_carve = 1;
	boot.cbit_mask = 1ULL << cfg->cbitpos;

	r = boot_plan_build(&boot, &p.boot, d);
	if (r < 0)
		return r;
	p.owned = calloc(2, PAGE);
	if (!p.owned) {
		r = -ENOMEM;
		goto out_free;
	}
	r = snp_cpuid_page_build(cfg->cpuid, p.owned, d);
	if (r < 0)
		goto out_free;
	blob = (struct cc_blob_sev_info *)(p.owned + PAGE);
	blob->magic = SNP_CC_BLOB_MAGIC;
	blob->secrets_phys = SNP_SECRETS_GPA;
	/* Exactly 4096, or the kernel's snp_init() ignores the blob
	 * (arch/x86/boot/startup/sev-startup.c, 6.16). */
	blob->secrets_len = PAGE;
	blob->cpuid_phys = SNP_CPUID_GPA;
	blob->cpuid_len = PAGE;

	for (i = 0; i < p.boot.nr_segs; i++) {
		enum boot_segment_kind k = p.boot.segs[i].kind;

		/* Hashes: the images go to the staging area; the stage puts them in RAM. */
		if (p.mode == BOOT_MODE_HASHES && (k == BOOT_SEG_KERNEL || k == BOOT_SEG_INITRD))
			continue;
		p.segs[p.nr_segs++] = p.boot.segs[i];
	}
	p.segs[p.nr_segs++] = (struct boot_segment){ BOOT_SEG_MAX, SNP_CPUID_GPA, PAGE, p.owned };
	p.segs[p.nr_segs++] =
		(struct boot_segment){ BOOT_SEG_MAX, SNP_CC_BLOB_GPA, PAGE, p.owned + PAGE };
	if (p.mode == BOOT_MODE_HASHES) {
		r = add_stage(&p, &cfg->boot, d);
		if (r < 0)
			goto out_free;
	}
	qsort(p.segs, p.nr_segs, sizeof(p.segs[0]), cmp_seg);
	r = build_ranges(&p, &cfg->boot, d);
	if (r < 0)
		goto out_free;
	*ret_plan = p;
	return 0;

out_free:
	snp_plan_free(&p);
	return r;
}

void snp_plan_free(struct snp_plan *plan)
{
	if (!plan)
		return;
	boot_plan_free(&plan->boot);
	stage_plan_free(&plan->stage);
	free(plan->owned);
	plan->owned = NULL;
	plan->nr_segs = 0;
	plan->nr_ranges = 0;
}

/* The segment holding the whole page at gpa, or NULL. */
static const struct boot_segment *seg_holding_page(const struct snp_plan *plan, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < plan->nr_segs; i++) {
		const struct boot_segment *s = &plan->segs[i];

		if (gpa >= s->gpa && gpa - s->gpa <= s->size && s->size - (gpa - s->gpa) >= PAGE)
			return s;
	}
	return NULL;
}

/* The source of an image segment's bytes (offset 0 = the segment's first byte). */
static const struct byte_source *image_source(const struct image_sources *images,
					      const struct boot_segment *s)
{
	if (!images)
		return NULL;
	if (s->kind == BOOT_SEG_KERNEL)
		return images->kernel;
	if (s->kind == BOOT_SEG_INITRD)
		return images->initrd;
	return NULL;
}

int snp_plan_read_page(const struct snp_plan *plan, const struct image_sources *images,
		       uint64_t gpa, uint8_t page[4096], struct diag *d)
{
	unsigned int i;

	memset(page, 0, PAGE);
	for (i = 0; i < plan->nr_segs; i++) {
		const struct boot_segment *s = &plan->segs[i];
		uint64_t lo = s->gpa > gpa ? s->gpa : gpa;
		uint64_t hi = s->gpa + s->size < gpa + PAGE ? s->gpa + s->size : gpa + PAGE;
		const struct byte_source *src;
		int r;

		if (lo >= hi)
			continue;
		if (s->data) {
			memcpy(page + (lo - gpa), s->data + (lo - s->gpa), hi - lo);
			continue;
		}
		src = image_source(images, s);
		if (!src)
			return diag_fail(d, -EINVAL, "no bytes for the image at 0x%llx",
					 (unsigned long long)s->gpa);
		r = source_read(src, lo - s->gpa, page + (lo - gpa), hi - lo, d);
		if (r < 0)
			return r;
	}
	return 0;
}

int snp_plan_hash_images(struct snp_plan *plan, const struct image_sources *images, struct diag *d)
{
	if (plan->mode != BOOT_MODE_HASHES)
		return 0;
	if (!images || !images->kernel)
		return diag_fail(d, -EINVAL, "no kernel bytes to hash");
	return stage_plan_hash_images(&plan->stage, images->kernel, images->initrd, d);
}

uint64_t snp_plan_pages(const struct snp_plan *plan, enum snp_page_type type)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < plan->nr_ranges; i++)
		if (plan->ranges[i].type == type)
			n += plan->ranges[i].len / PAGE;
	return n;
}

void snp_plan_apply_entry_state(const struct snp_plan *plan, unsigned int index,
				struct vcpu_state *state)
{
	state->valid = 0;
	if (index != 0)
		return;
	boot_set_entry_state(&plan->boot, state);
	if (plan->mode == BOOT_MODE_HASHES)
		stage_plan_apply_entry_state(&plan->stage, state);
}

void snp_plan_vcpu_state(const struct snp_plan *plan, unsigned int index,
			 struct vcpu_state *ret_state)
{
	vmsa_kvm_reset_state(ret_state);
	snp_plan_apply_entry_state(plan, index, ret_state);
}

int snp_plan_vmsa(const struct snp_plan *plan, unsigned int index, uint64_t vmsa_features,
		  uint8_t page[4096])
{
	/* KVM ORs the host's CR4.MCE into every guest CR4 (svm.c svm_set_cr4()); every
	 * SNP-capable EPYC host runs with machine-check exceptions enabled. */
	const struct vmsa_host_facts host = { .cr4_mce = true };
	struct vcpu_state st;

	snp_plan_vcpu_state(plan, index, &st);
	return vmsa_from_kvm_state(&st, vmsa_features, &host, page);
}

/* NORMAL pages of one range: straight from the segment bytes where a page lies inside one
 * segment (a large initrd costs one SHA-384 pass, no copy), streamed from the image source
 * where the segment has no bytes in memory, composed where segments share a page. */
static int measure_normal(const struct snp_plan *plan, const struct image_sources *images,
			  const struct snp_range *rg, struct launch_digest *ld, struct diag *d)
{
	uint8_t page[4096];
	uint64_t off = 0;
	int r = 0;

	while (off < rg->len && r >= 0) {
		uint64_t gpa = rg->gpa + off;
		const struct boot_segment *s = seg_holding_page(plan, gpa);
		const struct byte_source *src;

		if (s && s->data) {
			r = launch_digest_add_page(ld, SNP_PAGE_NORMAL, gpa,
						   s->data + (gpa - s->gpa));
			off += PAGE;
		} else if (s && (src = image_source(images, s))) {
			/* The whole pages of this image inside the range, in one stream. */
			uint64_t n = page_floor(s->size - (gpa - s->gpa));

			if (n > rg->len - off)
				n = rg->len - off;
			r = launch_digest_add_normal_source(ld, gpa, src, gpa - s->gpa, n, d);
			off += n;
		} else {
			r = snp_plan_read_page(plan, images, gpa, page, d);
			if (r >= 0)
				r = launch_digest_add_page(ld, SNP_PAGE_NORMAL, gpa, page);
			off += PAGE;
		}
	}
	return r;
}

int snp_plan_measure(const struct snp_plan *plan, const struct image_sources *images,
		     uint32_t nr_vcpus, uint64_t vmsa_features, struct launch_digest *ld,
		     struct diag *d)
{
	uint8_t page[4096];
	unsigned int i;
	uint32_t v;
	int r = 0;

	if (plan->mode == BOOT_MODE_HASHES && !plan->stage.hashed)
		return diag_fail(d, -EINVAL, "the images' hashes are not in the plan yet");
	for (i = 0; i < plan->nr_ranges && r >= 0; i++) {
		const struct snp_range *rg = &plan->ranges[i];

		switch (rg->type) {
		case SNP_PAGE_NORMAL:
			r = measure_normal(plan, images, rg, ld, d);
			break;
		case SNP_PAGE_ZERO:
			r = launch_digest_add_zero_pages(ld, rg->gpa, rg->len);
			break;
		case SNP_PAGE_SECRETS:
			r = launch_digest_add_secrets_page(ld, rg->gpa);
			break;
		case SNP_PAGE_CPUID:
			r = launch_digest_add_cpuid_page(ld, rg->gpa);
			break;
		default:
			r = -EINVAL;
			break;
		}
	}
	for (v = 0; v < nr_vcpus && r >= 0; v++) {
		r = snp_plan_vmsa(plan, v, vmsa_features, page);
		if (r >= 0)
			r = launch_digest_add_vmsa(ld, page);
	}
	return r < 0 ? r : 0;
}
