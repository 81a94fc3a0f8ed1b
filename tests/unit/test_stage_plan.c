// SPDX-License-Identifier: MIT
/*
 * Boot mode hashes in the launch plan (include/vmm/stage_plan.h, snp_plan.c): what the
 * launch measures, the parameters page the stage trusts, and the constant PSP cost.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bzimage_fixture.h"
#include "stage/stage_blob.h"
#include "stage/stage_core.h"
#include "vmm/backend.h"
#include "vmm/memory.h"
#include "vmm/page_tables.h"
#include "vmm/snp_plan.h"

#define MiB  (1ULL << 20)
#define GiB  (1ULL << 30)
#define PAGE 4096ULL

struct fixture {
	uint8_t *kernel;
	uint8_t initrd[5 * 4096 + 321];
	struct byte_source ksrc, isrc;
	struct image_sources images;
	struct mem_layout layout;
	struct snp_plan_config cfg;
	struct snp_plan plan;
	union {
		struct kvm_cpuid2 hdr;
		uint8_t bytes[sizeof(struct kvm_cpuid2) + 8 * sizeof(struct kvm_cpuid_entry2)];
	} cpuid;
};

static void layout(struct fixture *f, uint64_t ram)
{
	mem_layout_compute(ram, &f->layout);
	f->cfg.boot.ram = f->layout.regions;
	f->cfg.boot.nr_ram = f->layout.nr;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct kvm_cpuid_entry2 *e = f->cpuid.hdr.entries;

	f->kernel = fixture_bzimage();
	memset(f->initrd, 0x5a, sizeof(f->initrd));
	e[0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0x10, .ebx = 0x68747541 };
	e[1] = (struct kvm_cpuid_entry2){ .function = 0x80000000, .eax = 0x80000021 };
	e[2] = (struct kvm_cpuid_entry2){ .function = 0x8000001f, .eax = 0x1b, .ebx = 0x33 };
	f->cpuid.hdr.nent = 3;
	f->cfg = (struct snp_plan_config){
		.boot = {
			.kernel = f->kernel,
			.kernel_size = FIXTURE_SIZE,
			.initrd = f->initrd,
			.initrd_size = sizeof(f->initrd),
			.cmdline = "console=ttyS0",
			.nr_cpus = 2,
		},
		.cbitpos = 51,
		.cpuid = &f->cpuid.hdr,
		.mode = BOOT_MODE_HASHES,
	};
	layout(f, 256 * MiB);
	f->ksrc =
		source_from_memory(f->kernel + FIXTURE_PAYLOAD_OFF, FIXTURE_PAYLOAD_SIZE, "kernel");
	f->isrc = source_from_memory(f->initrd, sizeof(f->initrd), "initrd");
	f->images = (struct image_sources){ &f->ksrc, &f->isrc };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	snp_plan_free(&f->plan);
	free(f->kernel);
	free(f);
	return 0;
}

static void build(struct fixture *f)
{
	snp_plan_free(&f->plan);
	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
}

static uint64_t psp_pages(const struct snp_plan *p)
{
	return snp_plan_pages(p, SNP_PAGE_NORMAL) + snp_plan_pages(p, SNP_PAGE_ZERO) +
	       snp_plan_pages(p, SNP_PAGE_SECRETS) + snp_plan_pages(p, SNP_PAGE_CPUID);
}

static bool page_in(const struct stage_range *r, uint32_t nr, uint64_t gpa)
{
	uint32_t i;

	for (i = 0; i < nr; i++)
		if (gpa >= r[i].gpa && gpa - r[i].gpa < r[i].size)
			return true;
	return false;
}

/* ---- what is measured ---- */

static void test_hashes_plan_launches_no_zero_pages_and_no_image_pages(void **state)
{
	struct fixture *f = *state;
	unsigned int i;

	build(f);

	assert_int_equal(snp_plan_pages(&f->plan, SNP_PAGE_ZERO), 0);
	for (i = 0; i < f->plan.nr_segs; i++) {
		assert_int_not_equal(f->plan.segs[i].kind, BOOT_SEG_KERNEL);
		assert_int_not_equal(f->plan.segs[i].kind, BOOT_SEG_INITRD);
	}
	assert_true(f->plan.nr_ranges <= 8);
}

/* The goal: fewer than 100 PSP page operations, the same for any RAM and image
 * size (VMSAs aside). The sizes are all the plan looks at, so no bytes are needed. */
static void test_hashes_plan_psp_pages_are_a_small_constant(void **state)
{
	static const uint64_t rams[] = { GiB, 4 * GiB, 16 * GiB, 1ULL << 40 };
	static const uint64_t initrds[] = { 0, 4 * MiB, 256 * MiB };
	struct fixture *f = *state;
	uint64_t first = 0;
	unsigned int r, i;

	f->cfg.boot.initrd = NULL;
	for (r = 0; r < 4; r++) {
		for (i = 0; i < 3; i++) {
			layout(f, rams[r]);
			f->cfg.boot.initrd_size = initrds[i];
			build(f);
			if (!first)
				first = psp_pages(&f->plan);
			assert_int_equal(psp_pages(&f->plan), first);
		}
	}
	assert_true(first < 100);
}

static void test_content_plan_psp_pages_grow_with_ram(void **state)
{
	struct fixture *f = *state;

	f->cfg.mode = BOOT_MODE_CONTENT;
	build(f);

	assert_int_equal(psp_pages(&f->plan), 256 * MiB / PAGE); /* every page of RAM */
}

/* The kernel reads the same boot_params (E820, addresses, header) in both modes. */
static void test_both_modes_give_the_kernel_the_same_boot_params(void **state)
{
	struct fixture *f = *state;
	uint8_t hashes[4096], content[4096];

	build(f);
	assert_int_equal(snp_plan_read_page(&f->plan, NULL, BOOT_PARAMS_GPA, hashes, NULL), 0);
	f->cfg.mode = BOOT_MODE_CONTENT;
	build(f);
	assert_int_equal(snp_plan_read_page(&f->plan, NULL, BOOT_PARAMS_GPA, content, NULL), 0);

	assert_memory_equal(hashes, content, sizeof(hashes));
}

/* ---- the parameters page ---- */

static void test_params_measured_ranges_are_exactly_the_launched_pages(void **state)
{
	struct fixture *f = *state;
	const struct stage_params *p;
	uint64_t gpa, launched = 0, listed = 0;
	unsigned int i;

	build(f);
	p = stage_plan_params(&f->plan.stage);

	for (i = 0; i < f->plan.nr_ranges; i++) {
		launched += f->plan.ranges[i].len / PAGE;
		for (gpa = f->plan.ranges[i].gpa;
		     gpa < f->plan.ranges[i].gpa + f->plan.ranges[i].len; gpa += PAGE)
			assert_true(page_in(p->measured, p->nr_measured, gpa));
	}
	for (i = 0; i < p->nr_measured; i++)
		listed += p->measured[i].size / PAGE;
	assert_int_equal(listed, launched);
}

static void test_params_ram_is_the_e820_ram(void **state)
{
	struct fixture *f = *state;
	const struct stage_params *p;
	uint32_t i, n = 0;

	layout(f, 5 * GiB);
	build(f);
	p = stage_plan_params(&f->plan.stage);

	for (i = 0; i < f->plan.boot.e820.nr; i++) {
		const struct boot_e820_entry *e = &f->plan.boot.e820.entries[i];

		if (e->type != E820_TYPE_RAM)
			continue;
		assert_int_equal(p->ram[n].gpa, e->addr);
		assert_int_equal(p->ram[n].size, e->size);
		n++;
	}
	assert_int_equal(p->nr_ram, n);
	assert_int_equal(p->ram[n - 1].gpa + p->ram[n - 1].size, 6 * GiB);
}

static void test_params_pass_the_stages_own_check(void **state)
{
	struct fixture *f = *state;

	build(f);
	assert_int_equal(snp_plan_hash_images(&f->plan, &f->images, NULL), 0);

	assert_int_equal(stage_check_params(stage_plan_params(&f->plan.stage)), 0);
}

static void test_params_place_the_images_where_the_boot_plan_says(void **state)
{
	struct fixture *f = *state;
	const struct stage_params *p;

	build(f);
	p = stage_plan_params(&f->plan.stage);

	assert_int_equal(p->magic, STAGE_PARAMS_MAGIC);
	assert_int_equal(p->flags, STAGE_FLAG_SNP);
	assert_int_equal(p->kernel.dest_gpa, BOOT_KERNEL_GPA);
	assert_int_equal(p->kernel.size, FIXTURE_PAYLOAD_SIZE);
	assert_int_equal(p->initrd.dest_gpa, f->plan.boot.initrd_gpa);
	assert_int_equal(p->initrd.size, sizeof(f->initrd));
	assert_int_equal(p->kernel_entry, f->plan.boot.entry_rip);
	assert_int_equal(p->boot_params_gpa, BOOT_PARAMS_GPA);
	assert_int_equal(p->kernel_cr3, BOOT_PAGE_TABLES_GPA);
	assert_int_equal(p->cbit_mask, 1ULL << 51);
	assert_int_equal(p->cmdline_size, sizeof("console=ttyS0"));
	/* Staging: at 4 GiB for a small guest, GHCB first, kernel, then initrd. */
	assert_int_equal(p->staging_gpa, 4 * GiB);
	assert_int_equal(p->ghcb_gpa, 4 * GiB);
	assert_int_equal(p->kernel.staging_gpa, 4 * GiB + PAGE);
	assert_int_equal(p->initrd.staging_gpa, 4 * GiB + PAGE + FIXTURE_PAYLOAD_SIZE);
}

static void test_staging_lies_above_all_ram_on_a_gib_boundary(void **state)
{
	struct fixture *f = *state;

	layout(f, 7 * GiB + 12345 * PAGE);
	build(f);

	/* RAM ends at 8 GiB + 48 MiB + ...: staging at the next GiB. */
	assert_int_equal(f->plan.stage.staging_gpa, 9 * GiB);
}

static void test_hashes_fill_the_params_and_follow_the_bytes(void **state)
{
	struct fixture *f = *state;
	uint8_t expect[48], first[48];

	build(f);
	assert_int_equal(snp_plan_hash_images(&f->plan, &f->images, NULL), 0);
	assert_int_equal(snp_sha384(f->initrd, sizeof(f->initrd), expect), 0);
	assert_memory_equal(stage_plan_params(&f->plan.stage)->initrd.sha384, expect, 48);
	memcpy(first, stage_plan_params(&f->plan.stage)->kernel.sha384, 48);

	f->kernel[FIXTURE_PAYLOAD_OFF + 7] ^= 1;
	assert_int_equal(snp_plan_hash_images(&f->plan, &f->images, NULL), 0);

	assert_memory_not_equal(stage_plan_params(&f->plan.stage)->kernel.sha384, first, 48);
}

/* ---- measurement ---- */

static void measure(struct fixture *f, uint8_t out[48])
{
	struct launch_digest ld;

	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	assert_int_equal(snp_plan_measure(&f->plan, &f->images, 2, 0, &ld, NULL), 0);
	memcpy(out, ld.ld, 48);
	launch_digest_fini(&ld);
}

static void test_hashes_measure_needs_the_hashes_first(void **state)
{
	struct fixture *f = *state;
	struct launch_digest ld;

	build(f);
	assert_int_equal(launch_digest_init(&ld, NULL), 0);

	assert_int_equal(snp_plan_measure(&f->plan, &f->images, 1, 0, &ld, NULL), -EINVAL);
	launch_digest_fini(&ld);
}

static void test_hashes_digest_depends_on_the_initrd_bytes(void **state)
{
	struct fixture *f = *state;
	uint8_t a[48], b[48];

	build(f);
	assert_int_equal(snp_plan_hash_images(&f->plan, &f->images, NULL), 0);
	measure(f, a);
	f->initrd[sizeof(f->initrd) - 1] ^= 1;
	assert_int_equal(snp_plan_hash_images(&f->plan, &f->images, NULL), 0);
	measure(f, b);

	assert_memory_not_equal(a, b, 48);
}

/* Streaming the images from their sources measures what the whole buffers measure. */
static void test_content_digest_is_the_same_streamed_or_from_memory(void **state)
{
	struct fixture *f = *state;
	uint8_t whole[48], streamed[48];

	f->cfg.mode = BOOT_MODE_CONTENT;
	build(f);
	measure(f, whole);
	f->cfg.boot.kernel_head_len = BZIMAGE_HEAD_MIN;
	f->cfg.boot.initrd = NULL;
	build(f);
	measure(f, streamed);

	assert_memory_equal(whole, streamed, 48);
}

static void test_the_two_modes_have_different_digests(void **state)
{
	struct fixture *f = *state;
	uint8_t hashes[48], content[48];

	build(f);
	assert_int_equal(snp_plan_hash_images(&f->plan, &f->images, NULL), 0);
	measure(f, hashes);
	f->cfg.mode = BOOT_MODE_CONTENT;
	build(f);
	measure(f, content);

	assert_memory_not_equal(hashes, content, 48);
}

/* ---- the stage's pages ---- */

static void test_stage_code_is_the_embedded_blob_at_its_address(void **state)
{
	struct fixture *f = *state;
	uint8_t page[4096];

	build(f);
	assert_int_equal(snp_plan_read_page(&f->plan, NULL, STAGE_CODE_GPA, page, NULL), 0);

	assert_true(boot_stage_image_size > 0 && boot_stage_image_size <= STAGE_CODE_MAX);
	assert_memory_equal(page, boot_stage_image,
			    boot_stage_image_size < PAGE ? boot_stage_image_size : PAGE);
	assert_int_equal(page[0], 0xFA); /* cli: the entry is the first byte */
}

static void test_stage_tables_map_ram_private_and_staging_shared_with_1g_pages(void **state)
{
	struct fixture *f = *state;
	uint8_t pml4[4096], pdpt[4096];
	uint64_t e;

	build(f);
	assert_int_equal(snp_plan_read_page(&f->plan, NULL, STAGE_PT_GPA, pml4, NULL), 0);
	assert_int_equal(snp_plan_read_page(&f->plan, NULL, STAGE_PT_GPA + PAGE, pdpt, NULL), 0);

	memcpy(&e, pml4, 8);
	assert_int_equal(e, (STAGE_PT_GPA + PAGE) | PTE_PRESENT | PTE_WRITE | 1ULL << 51);
	memcpy(&e, pdpt, 8); /* [0, 1 GiB): RAM */
	assert_int_equal(e, PTE_PRESENT | PTE_WRITE | PTE_LARGE | 1ULL << 51);
	memcpy(&e, pdpt + 8, 8); /* [1, 2 GiB): beyond 256 MiB of RAM, unmapped */
	assert_int_equal(e, 0);
	memcpy(&e, pdpt + 4 * 8, 8); /* [4, 5 GiB): the staging area, no C-bit */
	assert_int_equal(e, 4 * GiB | PTE_PRESENT | PTE_WRITE | PTE_LARGE);
}

static void test_bsp_enters_the_stage(void **state)
{
	struct fixture *f = *state;
	struct vcpu_state st;

	build(f);
	snp_plan_vcpu_state(&f->plan, 0, &st);

	assert_int_equal(st.regs.rip, STAGE_CODE_GPA);
	assert_int_equal(st.regs.rsp, STAGE_STACK_GPA + STAGE_STACK_SIZE);
	assert_int_equal(st.regs.rsi, STAGE_PARAMS_GPA);
	assert_int_equal(st.sregs.cr3, STAGE_PT_GPA);
	assert_int_equal(st.sregs.efer & (1 << 10), 1 << 10); /* long mode active */
}

static void test_stage_pages_sit_in_the_reserved_vga_hole(void **state)
{
	struct fixture *f = *state;
	unsigned int i;

	build(f);

	for (i = 0; i < f->plan.stage.nr_segs; i++) {
		assert_true(f->plan.stage.segs[i].gpa >= 0xA0000);
		assert_true(f->plan.stage.segs[i].gpa + f->plan.stage.segs[i].size <= 0xC0000);
	}
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hashes_plan_launches_no_zero_pages_and_no_image_pages),
		T(test_hashes_plan_psp_pages_are_a_small_constant),
		T(test_content_plan_psp_pages_grow_with_ram),
		T(test_both_modes_give_the_kernel_the_same_boot_params),
		T(test_params_measured_ranges_are_exactly_the_launched_pages),
		T(test_params_ram_is_the_e820_ram),
		T(test_params_pass_the_stages_own_check),
		T(test_params_place_the_images_where_the_boot_plan_says),
		T(test_staging_lies_above_all_ram_on_a_gib_boundary),
		T(test_hashes_fill_the_params_and_follow_the_bytes),
		T(test_hashes_measure_needs_the_hashes_first),
		T(test_hashes_digest_depends_on_the_initrd_bytes),
		T(test_content_digest_is_the_same_streamed_or_from_memory),
		T(test_the_two_modes_have_different_digests),
		T(test_stage_code_is_the_embedded_blob_at_its_address),
		T(test_stage_tables_map_ram_private_and_staging_shared_with_1g_pages),
		T(test_bsp_enters_the_stage),
		T(test_stage_pages_sit_in_the_reserved_vga_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
