// SPDX-License-Identifier: MIT
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
#include "vmm/acpi.h"
#include "vmm/backend.h"
#include "vmm/boot.h"
#include "vmm/page_tables.h"

#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)
#define CBIT_51 (1ULL << 51)

struct fixture {
	uint8_t *kernel;
	uint8_t *big; /* a large initrd or setup_data payload, when a test needs one */
	struct mem_range ram[2];
	struct boot_e820_carve carve[80];
	struct boot_setup_data sd[2];
	struct boot_config cfg;
	struct boot_plan plan;
	struct diag d;
	struct boot_params bp; /* the plan's zero page, after build() */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->kernel = fixture_bzimage();
	if (!f->kernel) {
		free(f);
		return -1;
	}
	f->ram[0] = (struct mem_range){ 0, 256 * MiB };
	f->cfg = (struct boot_config){
		.kernel = f->kernel,
		.kernel_size = FIXTURE_SIZE,
		.ram = f->ram,
		.nr_ram = 1,
		.nr_cpus = 1,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	boot_plan_free(&f->plan);
	free(f->big);
	free(f->kernel);
	free(f);
	return 0;
}

static bool has_seg(const struct boot_plan *p, enum boot_segment_kind k)
{
	unsigned int i;

	for (i = 0; i < p->nr_segs; i++)
		if (p->segs[i].kind == k)
			return true;
	return false;
}

/* The segment of kind k; fails the test if there is none. */
static const struct boot_segment *seg(const struct boot_plan *p, enum boot_segment_kind k)
{
	unsigned int i;

	for (i = 0; i < p->nr_segs; i++)
		if (p->segs[i].kind == k)
			return &p->segs[i];
	fail_msg("no segment of kind %d", k);
	return &p->segs[0];
}

/* Builds the plan and, on success, copies its zero page out for inspection. */
static int build(struct fixture *f)
{
	const struct boot_segment *s;
	int r = boot_plan_build(&f->cfg, &f->plan, &f->d);

	if (r < 0)
		return r;
	s = seg(&f->plan, BOOT_SEG_BOOT_PARAMS);
	assert_int_equal(s->size, sizeof(f->bp));
	memcpy(&f->bp, s->data, sizeof(f->bp));
	return r;
}

static const uint8_t *guest(const struct fixture *f, enum boot_segment_kind k, uint64_t gpa)
{
	const struct boot_segment *s = seg(&f->plan, k);

	assert_true(gpa >= s->gpa && gpa < s->gpa + s->size);
	return s->data + (gpa - s->gpa);
}

static void assert_e820(const struct boot_e820_entry *e, uint64_t addr, uint64_t size,
			uint32_t type)
{
	assert_int_equal(e->addr, addr);
	assert_int_equal(e->size, size);
	assert_int_equal(e->type, type);
}

static void use_ram_split_around_hole(struct fixture *f, uint64_t low, uint64_t high)
{
	f->ram[0] = (struct mem_range){ 0, low };
	f->ram[1] = (struct mem_range){ 4 * GiB, high };
	f->cfg.nr_ram = 2;
}

static void use_initrd(struct fixture *f, size_t size)
{
	f->big = calloc(1, size);
	assert_non_null(f->big);
	f->cfg.initrd = f->big;
	f->cfg.initrd_size = size;
}

/* n one-page RESERVED carve-outs, every other page from 2 MiB: each splits RAM. */
static void use_carves(struct fixture *f, unsigned int n)
{
	unsigned int i;

	assert_true(n <= sizeof(f->carve) / sizeof(f->carve[0]));
	for (i = 0; i < n; i++)
		f->carve[i] = (struct boot_e820_carve){ 2 * MiB + i * 0x2000, 0x1000,
							E820_TYPE_RESERVED };
	f->cfg.carve = f->carve;
	f->cfg.nr_carve = n;
}

static char *string_of(size_t len)
{
	char *s = malloc(len + 1);

	assert_non_null(s);
	memset(s, 'a', len);
	s[len] = '\0';
	return s;
}

/* ---- kernel ---- */

static void test_boot_plan_kernel_payload_at_1mib_borrowed(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(seg(&f->plan, BOOT_SEG_KERNEL)->gpa, BOOT_KERNEL_GPA);
	assert_int_equal(seg(&f->plan, BOOT_SEG_KERNEL)->size, FIXTURE_PAYLOAD_SIZE);
	assert_ptr_equal(seg(&f->plan, BOOT_SEG_KERNEL)->data, f->kernel + FIXTURE_PAYLOAD_OFF);
}

static void test_boot_plan_entry_rip_is_load_plus_0x200(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.entry_rip, 0x100200);
}

static void test_boot_plan_bad_kernel_returns_enoexec(void **state)
{
	struct fixture *f = *state;
	FIXTURE_SET(f->kernel, boot_flag, 0);

	int r = build(f);

	assert_int_equal(r, -ENOEXEC);
	assert_non_null(strstr(f->d.msg, "not a bzImage"));
}

static void test_boot_plan_kernel_load_range_outside_ram_returns_enospc(void **state)
{
	struct fixture *f = *state;
	f->ram[0].size = 32 * MiB; /* [1 MiB, +init_size 32 MiB) does not fit */

	int r = build(f);

	assert_int_equal(r, -ENOSPC);
	assert_non_null(strstr(f->d.msg, "init_size 0x2000000"));
}

static void test_boot_plan_kernel_extract_range_outside_ram_returns_enospc(void **state)
{
	struct fixture *f = *state;
	f->ram[0].size = 40 * MiB; /* load fits, [16 MiB, 48 MiB) does not */

	int r = build(f);

	assert_int_equal(r, -ENOSPC);
	assert_non_null(strstr(f->d.msg, "decompresses to [0x1000000, +0x2000000)"));
}

static void test_boot_plan_huge_pref_address_returns_enospc(void **state)
{
	struct fixture *f = *state;
	FIXTURE_SET(f->kernel, pref_address, ~0ULL - 0x1000);

	int r = build(f);

	assert_int_equal(r, -ENOSPC);
}

/* ---- image size bounds, known before any image is read ---- */

static void test_boot_image_limits_16mib_ram_bound_each_image(void **state)
{
	const struct mem_range ram[] = { { 0, 16 * MiB } };
	struct boot_image_limits lim;

	boot_image_limits(ram, 1, &lim);

	assert_int_equal(lim.kernel, 15 * MiB + 256 * 512);
	assert_int_equal(lim.initrd, 15 * MiB);
	assert_int_equal(lim.setup_data, BOOT_SETUP_DATA_SIZE - 16);
}

static void test_boot_image_limits_split_ram_bound_by_the_largest_region(void **state)
{
	const struct mem_range ram[] = { { 0, 3 * GiB }, { 4 * GiB, 5 * GiB } };
	struct boot_image_limits lim;

	boot_image_limits(ram, 2, &lim);

	assert_int_equal(lim.kernel, 3 * GiB - MiB + 256 * 512);
	assert_int_equal(lim.initrd, 5 * GiB);
}

/* The bound is sound: an initrd one byte over it is one the plan cannot place either. */
static void test_boot_plan_initrd_over_the_image_limit_returns_enospc(void **state)
{
	struct fixture *f = *state;
	struct boot_image_limits lim;

	boot_image_limits(f->ram, 1, &lim);
	f->cfg.initrd = f->kernel; /* borrowed, never read: the placement fails first */
	f->cfg.initrd_size = lim.initrd + 1;

	int r = build(f);

	assert_int_equal(r, -ENOSPC);
	assert_non_null(strstr(f->d.msg, "initrd"));
}

/* ---- boot_params ---- */

static void test_boot_plan_boot_params_copies_setup_header(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->bp.hdr.boot_flag, 0xAA55);
	assert_int_equal(f->bp.hdr.header, 0x53726448);
	assert_int_equal(f->bp.hdr.version, FIXTURE_PROTOCOL);
	assert_int_equal(f->bp.hdr.init_size, FIXTURE_INIT_SIZE);
	assert_int_equal(f->bp.hdr.cmdline_size, FIXTURE_CMDLINE_SIZE);
	assert_int_equal(f->bp.sentinel, 0);
}

static void test_boot_plan_boot_params_loader_fields(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->bp.hdr.type_of_loader, 0xFF);
	assert_int_equal(f->bp.hdr.cmd_line_ptr, BOOT_CMDLINE_GPA);
	assert_int_equal(f->bp.ext_cmd_line_ptr, 0);
	assert_int_equal(f->bp.hdr.setup_data, 0);
	assert_int_equal(f->bp.cc_blob_address, 0);
	assert_int_equal(f->bp.efi_info.efi_systab, 0);
	assert_int_equal(f->bp.efi_info.efi_loader_signature, 0);
}

static void test_boot_plan_boot_params_e820_matches_plan(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->bp.e820_entries, f->plan.e820.nr);
	assert_memory_equal(f->bp.e820_table, f->plan.e820.entries,
			    f->plan.e820.nr * sizeof(struct boot_e820_entry));
}

static void test_boot_plan_rsdp_in_boot_params(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.rsdp_gpa, BOOT_ACPI_GPA);
	assert_int_equal(f->bp.acpi_rsdp_addr, f->plan.rsdp_gpa);
	assert_memory_equal(guest(f, BOOT_SEG_ACPI, f->plan.rsdp_gpa), "RSD PTR ", 8);
}

static void test_boot_plan_zero_cpus_returns_einval(void **state)
{
	struct fixture *f = *state;
	f->cfg.nr_cpus = 0;

	int r = build(f);

	assert_int_equal(r, -EINVAL);
}

/* ---- cmdline ---- */

static void test_boot_plan_cmdline_copied_with_nul(void **state)
{
	struct fixture *f = *state;
	char cmdline[] = "console=ttyS0 reboot=k";
	f->cfg.cmdline = cmdline;

	int r = build(f);
	cmdline[0] = 'X'; /* the plan must hold its own copy */

	assert_int_equal(r, 0);
	assert_string_equal((const char *)guest(f, BOOT_SEG_CMDLINE, BOOT_CMDLINE_GPA),
			    "console=ttyS0 reboot=k");
}

static void test_boot_plan_null_cmdline_is_empty(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(*guest(f, BOOT_SEG_CMDLINE, BOOT_CMDLINE_GPA), '\0');
	assert_int_equal(f->bp.hdr.cmd_line_ptr, BOOT_CMDLINE_GPA);
}

static void test_boot_plan_cmdline_at_kernel_limit_is_accepted(void **state)
{
	struct fixture *f = *state;
	char *cmdline = string_of(FIXTURE_CMDLINE_SIZE);
	f->cfg.cmdline = cmdline;

	int r = build(f);

	free(cmdline);
	assert_int_equal(r, 0);
}

static void test_boot_plan_cmdline_over_kernel_limit_returns_e2big(void **state)
{
	struct fixture *f = *state;
	char *cmdline = string_of(FIXTURE_CMDLINE_SIZE + 1);
	f->cfg.cmdline = cmdline;

	int r = build(f);

	free(cmdline);
	assert_int_equal(r, -E2BIG);
	assert_non_null(strstr(f->d.msg, "cmdline_size"));
}

static void test_boot_plan_cmdline_over_one_page_returns_e2big(void **state)
{
	struct fixture *f = *state;
	char *cmdline = string_of(BOOT_CMDLINE_MAX + 1);
	f->cfg.cmdline = cmdline;
	FIXTURE_SET(f->kernel, cmdline_size, 0x10000);

	int r = build(f);

	free(cmdline);
	assert_int_equal(r, -E2BIG);
	assert_non_null(strstr(f->d.msg, "one page"));
}

/* ---- initrd ---- */

static void test_boot_plan_initrd_placed_at_top_of_ram_page_aligned(void **state)
{
	struct fixture *f = *state;
	use_initrd(f, 0x1800);

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.initrd_gpa, 256 * MiB - 0x2000);
	assert_int_equal(f->bp.hdr.ramdisk_image, 256 * MiB - 0x2000);
	assert_int_equal(f->bp.hdr.ramdisk_size, 0x1800);
	assert_int_equal(f->bp.ext_ramdisk_image, 0);
	assert_int_equal(seg(&f->plan, BOOT_SEG_INITRD)->gpa, 256 * MiB - 0x2000);
	assert_ptr_equal(seg(&f->plan, BOOT_SEG_INITRD)->data, f->big);
}

static void test_boot_plan_initrd_ends_at_or_below_initrd_addr_max(void **state)
{
	struct fixture *f = *state;
	use_ram_split_around_hole(f, 3 * GiB, 1 * GiB);
	FIXTURE_SET(f->kernel, initrd_addr_max, 0x0FFFFFFF);
	use_initrd(f, 0x1800);

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.initrd_gpa, 0x10000000 - 0x2000);
}

static void test_boot_plan_initrd_prefers_below_4g_over_high_ram(void **state)
{
	struct fixture *f = *state;
	use_ram_split_around_hole(f, 3 * GiB, 1 * GiB);
	use_initrd(f, 0x1000);

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.initrd_gpa, (uint64_t)FIXTURE_INITRD_MAX + 1 - 0x1000);
	assert_int_equal(f->bp.ext_ramdisk_image, 0);
}

static void test_boot_plan_initrd_above_4g_when_low_ram_full_sets_ext(void **state)
{
	struct fixture *f = *state;
	use_ram_split_around_hole(f, 64 * MiB, 1 * GiB);
	use_initrd(f, 32 * MiB); /* only 16 MiB above the kernel's 48 MiB end */

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.initrd_gpa, 5 * GiB - 32 * MiB);
	assert_int_equal(f->bp.hdr.ramdisk_image, (uint32_t)(5 * GiB - 32 * MiB));
	assert_int_equal(f->bp.ext_ramdisk_image, 1);
	assert_int_equal(f->bp.hdr.ramdisk_size, 32 * MiB);
	assert_int_equal(f->bp.ext_ramdisk_size, 0);
}

static void test_boot_plan_initrd_too_big_without_above_4g_flag_returns_enospc(void **state)
{
	struct fixture *f = *state;
	use_ram_split_around_hole(f, 64 * MiB, 1 * GiB);
	use_initrd(f, 32 * MiB);
	FIXTURE_SET(f->kernel, xloadflags, XLF_KERNEL_64);

	int r = build(f);

	assert_int_equal(r, -ENOSPC);
	assert_non_null(strstr(f->d.msg, "initrd (33554432 bytes)"));
	assert_non_null(strstr(f->d.msg, "cannot take one above 4 GiB"));
}

static void test_boot_plan_initrd_avoids_kernel_extract_range(void **state)
{
	struct fixture *f = *state;
	f->ram[0].size = 49 * MiB; /* 1 MiB free above the kernel's 48 MiB end */
	use_initrd(f, 2 * MiB);

	int r = build(f);

	assert_int_equal(r, -ENOSPC);
}

static void test_boot_plan_empty_initrd_has_no_segment(void **state)
{
	struct fixture *f = *state;
	static const uint8_t empty[1];
	f->cfg.initrd = empty;
	f->cfg.initrd_size = 0;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_false(has_seg(&f->plan, BOOT_SEG_INITRD));
	assert_int_equal(f->bp.hdr.ramdisk_image, 0);
	assert_int_equal(f->bp.hdr.ramdisk_size, 0);
}

/* The launch reads an initrd straight into guest memory: the plan places it by its size
 * alone and leaves its bytes to the executor. */
static void test_boot_plan_initrd_size_without_data_is_a_segment_without_bytes(void **state)
{
	struct fixture *f = *state;
	f->cfg.initrd_size = 4096;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_null(seg(&f->plan, BOOT_SEG_INITRD)->data);
	assert_int_equal(seg(&f->plan, BOOT_SEG_INITRD)->size, 4096);
	assert_int_equal(f->bp.hdr.ramdisk_size, 4096);
}

/* Only the kernel's header is in memory: the plan is the same, the KERNEL segment has no
 * bytes of its own. */
static void test_boot_plan_kernel_head_only_gives_a_kernel_segment_without_bytes(void **state)
{
	struct fixture *f = *state;
	f->cfg.kernel_head_len = BZIMAGE_HEAD_MIN;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_null(seg(&f->plan, BOOT_SEG_KERNEL)->data);
	assert_int_equal(seg(&f->plan, BOOT_SEG_KERNEL)->size, f->plan.kernel.payload_size);
}

/* ---- E820 ---- */

static void test_boot_plan_e820_256m_layout(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.e820.nr, 6);
	assert_e820(&f->plan.e820.entries[0], 0, BOOT_ACPI_GPA, E820_TYPE_RAM);
	assert_e820(&f->plan.e820.entries[1], BOOT_ACPI_GPA, ACPI_NVS_OFFSET, E820_TYPE_ACPI);
	assert_e820(&f->plan.e820.entries[2], BOOT_ACPI_GPA + ACPI_NVS_OFFSET, ACPI_NVS_SIZE,
		    E820_TYPE_NVS);
	assert_e820(&f->plan.e820.entries[3], BOOT_ACPI_GPA + BOOT_ACPI_SIZE,
		    BOOT_LOW_RAM_END - (BOOT_ACPI_GPA + BOOT_ACPI_SIZE), E820_TYPE_RAM);
	assert_e820(&f->plan.e820.entries[4], BOOT_LOW_RAM_END, BOOT_KERNEL_GPA - BOOT_LOW_RAM_END,
		    E820_TYPE_RESERVED);
	assert_e820(&f->plan.e820.entries[5], BOOT_KERNEL_GPA, 256 * MiB - BOOT_KERNEL_GPA,
		    E820_TYPE_RAM);
}

static void test_boot_plan_e820_split_around_4g_hole(void **state)
{
	struct fixture *f = *state;
	use_ram_split_around_hole(f, 3 * GiB, 2 * GiB);

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.e820.nr, 7);
	assert_e820(&f->plan.e820.entries[5], BOOT_KERNEL_GPA, 3 * GiB - BOOT_KERNEL_GPA,
		    E820_TYPE_RAM);
	assert_e820(&f->plan.e820.entries[6], 4 * GiB, 2 * GiB, E820_TYPE_RAM);
}

static void test_boot_plan_e820_adjacent_ram_regions_merge(void **state)
{
	struct fixture *f = *state;
	f->ram[0] = (struct mem_range){ 0, 128 * MiB };
	f->ram[1] = (struct mem_range){ 128 * MiB, 128 * MiB };
	f->cfg.nr_ram = 2;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.e820.nr, 6);
	assert_e820(&f->plan.e820.entries[5], BOOT_KERNEL_GPA, 256 * MiB - BOOT_KERNEL_GPA,
		    E820_TYPE_RAM);
}

static void test_boot_plan_e820_carve_replaces_ram(void **state)
{
	struct fixture *f = *state;
	f->carve[0] = (struct boot_e820_carve){ BOOT_SNP_PAGES_GPA, BOOT_SNP_PAGES_SIZE,
						E820_TYPE_RESERVED };
	f->cfg.carve = f->carve;
	f->cfg.nr_carve = 1;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.e820.nr, 7);
	assert_e820(&f->plan.e820.entries[2], BOOT_ACPI_GPA + ACPI_NVS_OFFSET, ACPI_NVS_SIZE,
		    E820_TYPE_NVS);
	assert_e820(&f->plan.e820.entries[3], BOOT_SNP_PAGES_GPA, BOOT_SNP_PAGES_SIZE,
		    E820_TYPE_RESERVED);
	assert_e820(&f->plan.e820.entries[4], BOOT_SNP_PAGES_GPA + BOOT_SNP_PAGES_SIZE,
		    BOOT_LOW_RAM_END - (BOOT_SNP_PAGES_GPA + BOOT_SNP_PAGES_SIZE), E820_TYPE_RAM);
}

static void test_boot_plan_e820_carve_next_to_hole_merges(void **state)
{
	struct fixture *f = *state;
	f->carve[0] = (struct boot_e820_carve){ 0x9F000, 0x1000, E820_TYPE_RESERVED };
	f->cfg.carve = f->carve;
	f->cfg.nr_carve = 1;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.e820.nr, 6);
	assert_e820(&f->plan.e820.entries[4], 0x9F000, BOOT_KERNEL_GPA - 0x9F000,
		    E820_TYPE_RESERVED);
}

static void test_boot_plan_e820_carve_outside_ram_returns_einval(void **state)
{
	struct fixture *f = *state;
	f->carve[0] = (struct boot_e820_carve){ 256 * MiB - 0x1000, 0x2000, E820_TYPE_RESERVED };
	f->cfg.carve = f->carve;
	f->cfg.nr_carve = 1;

	int r = build(f);

	assert_int_equal(r, -EINVAL);
	assert_non_null(strstr(f->d.msg, "carve-out 0"));
}

static void test_boot_plan_e820_carve_over_kernel_returns_enospc(void **state)
{
	struct fixture *f = *state;
	f->carve[0] = (struct boot_e820_carve){ 2 * MiB, 0x1000, E820_TYPE_RESERVED };
	f->cfg.carve = f->carve;
	f->cfg.nr_carve = 1;

	int r = build(f);

	assert_int_equal(r, -ENOSPC);
}

static void test_boot_plan_e820_over_128_entries_returns_e2big(void **state)
{
	struct fixture *f = *state;
	use_carves(f, 70); /* 5 base entries + 2 per carve */

	int r = build(f);

	assert_int_equal(r, -E2BIG);
}

static void test_boot_plan_ram_missing_low_pages_returns_einval(void **state)
{
	struct fixture *f = *state;
	f->ram[0] = (struct mem_range){ BOOT_KERNEL_GPA, 256 * MiB };

	int r = build(f);

	assert_int_equal(r, -EINVAL);
}

static void test_boot_plan_overlapping_ram_returns_einval(void **state)
{
	struct fixture *f = *state;
	f->ram[1] = (struct mem_range){ 128 * MiB, 256 * MiB };
	f->cfg.nr_ram = 2;

	int r = build(f);

	assert_int_equal(r, -EINVAL);
}

/* ---- setup_data ---- */

static void test_boot_plan_setup_data_chain_in_order(void **state)
{
	struct fixture *f = *state;
	static const uint8_t blob[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct setup_data n0, n1;
	f->sd[0] = (struct boot_setup_data){ SETUP_RNG_SEED, (const uint8_t *)"hello", 5 };
	f->sd[1] = (struct boot_setup_data){ SETUP_CC_BLOB, blob, sizeof(blob) };
	f->cfg.setup_data = f->sd;
	f->cfg.nr_setup_data = 2;

	int r = build(f);
	memcpy(&n0, guest(f, BOOT_SEG_SETUP_DATA, f->bp.hdr.setup_data), sizeof(n0));
	memcpy(&n1, guest(f, BOOT_SEG_SETUP_DATA, n0.next), sizeof(n1));

	assert_int_equal(r, 0);
	assert_int_equal(f->bp.hdr.setup_data, BOOT_SETUP_DATA_GPA);
	assert_int_equal(n0.type, SETUP_RNG_SEED);
	assert_int_equal(n0.len, 5);
	assert_memory_equal(guest(f, BOOT_SEG_SETUP_DATA, BOOT_SETUP_DATA_GPA + 16), "hello", 5);
	assert_int_equal(n0.next, BOOT_SETUP_DATA_GPA + 32); /* 16 + 5, 16-byte aligned */
	assert_int_equal(n1.type, SETUP_CC_BLOB);
	assert_int_equal(n1.len, sizeof(blob));
	assert_memory_equal(guest(f, BOOT_SEG_SETUP_DATA, n0.next + 16), blob, sizeof(blob));
	assert_int_equal(n1.next, 0);
	assert_int_equal(seg(&f->plan, BOOT_SEG_SETUP_DATA)->size, 0x1000);
}

static void test_boot_plan_no_setup_data_has_no_segment(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->bp.hdr.setup_data, 0);
	assert_false(has_seg(&f->plan, BOOT_SEG_SETUP_DATA));
}

static void test_boot_plan_setup_data_too_big_returns_e2big(void **state)
{
	struct fixture *f = *state;
	f->big = calloc(1, BOOT_SETUP_DATA_SIZE);
	assert_non_null(f->big);
	f->sd[0] =
		(struct boot_setup_data){ SETUP_RNG_SEED, f->big, BOOT_SETUP_DATA_SIZE - 16 + 1 };
	f->cfg.setup_data = f->sd;
	f->cfg.nr_setup_data = 1;

	int r = build(f);

	assert_int_equal(r, -E2BIG);
}

static void test_boot_plan_setup_data_exactly_fills_area(void **state)
{
	struct fixture *f = *state;
	f->big = calloc(1, BOOT_SETUP_DATA_SIZE);
	assert_non_null(f->big);
	f->sd[0] = (struct boot_setup_data){ SETUP_RNG_SEED, f->big, BOOT_SETUP_DATA_SIZE - 16 };
	f->cfg.setup_data = f->sd;
	f->cfg.nr_setup_data = 1;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(seg(&f->plan, BOOT_SEG_SETUP_DATA)->size, BOOT_SETUP_DATA_SIZE);
}

/* ---- segments, GDT, page tables ---- */

static void test_boot_plan_segments_in_kind_order(void **state)
{
	struct fixture *f = *state;
	f->sd[0] = (struct boot_setup_data){ SETUP_RNG_SEED, (const uint8_t *)"x", 1 };
	f->cfg.setup_data = f->sd;
	f->cfg.nr_setup_data = 1;
	use_initrd(f, 0x1000);

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.nr_segs, BOOT_SEG_MAX);
	assert_int_equal(f->plan.segs[0].kind, BOOT_SEG_GDT);
	assert_int_equal(f->plan.segs[1].kind, BOOT_SEG_BOOT_PARAMS);
	assert_int_equal(f->plan.segs[2].kind, BOOT_SEG_CMDLINE);
	assert_int_equal(f->plan.segs[3].kind, BOOT_SEG_PAGE_TABLES);
	assert_int_equal(f->plan.segs[4].kind, BOOT_SEG_ACPI);
	assert_int_equal(f->plan.segs[5].kind, BOOT_SEG_SETUP_DATA);
	assert_int_equal(f->plan.segs[6].kind, BOOT_SEG_KERNEL);
	assert_int_equal(f->plan.segs[7].kind, BOOT_SEG_INITRD);
}

static void test_boot_plan_minimal_plan_has_six_segments(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.nr_segs, 6);
	assert_int_equal(f->plan.segs[5].kind, BOOT_SEG_KERNEL);
}

static void test_boot_plan_generated_segments_at_fixed_gpas(void **state)
{
	struct fixture *f = *state;

	int r = build(f);

	assert_int_equal(r, 0);
	assert_int_equal(seg(&f->plan, BOOT_SEG_GDT)->gpa, BOOT_GDT_GPA);
	assert_int_equal(seg(&f->plan, BOOT_SEG_BOOT_PARAMS)->gpa, BOOT_PARAMS_GPA);
	assert_int_equal(seg(&f->plan, BOOT_SEG_CMDLINE)->gpa, BOOT_CMDLINE_GPA);
	assert_int_equal(seg(&f->plan, BOOT_SEG_PAGE_TABLES)->gpa, BOOT_PAGE_TABLES_GPA);
	assert_int_equal(seg(&f->plan, BOOT_SEG_PAGE_TABLES)->size,
			 BOOT_PAGE_TABLES_PAGES * 0x1000);
	assert_int_equal(seg(&f->plan, BOOT_SEG_ACPI)->gpa, BOOT_ACPI_GPA);
	assert_int_equal(seg(&f->plan, BOOT_SEG_ACPI)->size, BOOT_ACPI_SIZE);
}

static void test_boot_plan_gdt_has_code64_and_data(void **state)
{
	struct fixture *f = *state;
	uint64_t gdt[4];

	int r = build(f);
	memcpy(gdt, guest(f, BOOT_SEG_GDT, BOOT_GDT_GPA), sizeof(gdt));

	assert_int_equal(r, 0);
	assert_int_equal(gdt[0], 0);
	assert_int_equal(gdt[1], 0);
	assert_int_equal(gdt[BOOT_GDT_CS / 8], 0x00AF9B000000FFFFULL);
	assert_int_equal(gdt[BOOT_GDT_DS / 8], 0x00CF93000000FFFFULL);
}

static void test_boot_plan_page_tables_carry_cbit(void **state)
{
	struct fixture *f = *state;
	uint64_t pml4e, pde;
	f->cfg.cbit_mask = CBIT_51;

	int r = build(f);
	memcpy(&pml4e, guest(f, BOOT_SEG_PAGE_TABLES, BOOT_PAGE_TABLES_GPA), sizeof(pml4e));
	memcpy(&pde, guest(f, BOOT_SEG_PAGE_TABLES, BOOT_PAGE_TABLES_GPA + 0x2000), sizeof(pde));

	assert_int_equal(r, 0);
	assert_int_equal(f->plan.cbit_mask, CBIT_51);
	assert_int_equal(pml4e,
			 CBIT_51 | (BOOT_PAGE_TABLES_GPA + 0x1000) | PTE_PRESENT | PTE_WRITE);
	assert_int_equal(pde, CBIT_51 | PTE_LARGE | PTE_PRESENT | PTE_WRITE);
}

static void test_boot_plan_cbit_below_4g_returns_einval(void **state)
{
	struct fixture *f = *state;
	f->cfg.cbit_mask = 1ULL << 20;

	int r = build(f);

	assert_int_equal(r, -EINVAL);
}

static void test_boot_plan_cbit_two_bits_returns_einval(void **state)
{
	struct fixture *f = *state;
	f->cfg.cbit_mask = (1ULL << 51) | (1ULL << 47);

	int r = build(f);

	assert_int_equal(r, -EINVAL);
}

static void test_boot_plan_failure_leaves_plan_untouched(void **state)
{
	struct fixture *f = *state;
	f->plan.entry_rip = 0x5A5A;
	f->cfg.nr_cpus = 0;

	int r = build(f);

	assert_int_equal(r, -EINVAL);
	assert_int_equal(f->plan.entry_rip, 0x5A5A);
	assert_null(f->plan.owned);
}

static void test_boot_plan_free_null_is_noop(void **state)
{
	boot_plan_free(NULL);
}

/* ---- entry state ---- */

static void test_boot_entry_state_long_mode_control_registers(void **state)
{
	struct fixture *f = *state;
	struct vcpu_state vs = { 0 };
	assert_int_equal(build(f), 0);

	boot_set_entry_state(&f->plan, &vs);

	assert_int_equal(vs.sregs.cr0, 0x80000011);
	assert_int_equal(vs.sregs.cr4, 0x20);
	assert_int_equal(vs.sregs.efer, 0x500);
	assert_int_equal(vs.sregs.cr3, BOOT_PAGE_TABLES_GPA);
	assert_int_equal(vs.sregs.gdt.base, BOOT_GDT_GPA);
	assert_int_equal(vs.sregs.gdt.limit, 31);
}

static void test_boot_entry_state_code_segment_64bit(void **state)
{
	struct fixture *f = *state;
	struct vcpu_state vs = { 0 };
	assert_int_equal(build(f), 0);

	boot_set_entry_state(&f->plan, &vs);

	assert_int_equal(vs.sregs.cs.selector, 0x10);
	assert_int_equal(vs.sregs.cs.type, 0xB);
	assert_int_equal(vs.sregs.cs.s, 1);
	assert_int_equal(vs.sregs.cs.present, 1);
	assert_int_equal(vs.sregs.cs.l, 1);
	assert_int_equal(vs.sregs.cs.db, 0);
	assert_int_equal(vs.sregs.cs.g, 1);
	assert_int_equal(vs.sregs.cs.limit, 0xFFFFFFFF);
	assert_int_equal(vs.sregs.cs.base, 0);
}

static void test_boot_entry_state_data_segments_flat(void **state)
{
	struct fixture *f = *state;
	struct vcpu_state vs = { 0 };
	assert_int_equal(build(f), 0);

	boot_set_entry_state(&f->plan, &vs);

	assert_int_equal(vs.sregs.ds.selector, 0x18);
	assert_int_equal(vs.sregs.ds.type, 3);
	assert_int_equal(vs.sregs.ds.s, 1);
	assert_int_equal(vs.sregs.ds.present, 1);
	assert_int_equal(vs.sregs.ds.db, 1);
	assert_int_equal(vs.sregs.ds.l, 0);
	assert_int_equal(vs.sregs.ds.g, 1);
	assert_int_equal(vs.sregs.ds.limit, 0xFFFFFFFF);
	assert_memory_equal(&vs.sregs.es, &vs.sregs.ds, sizeof(vs.sregs.ds));
	assert_memory_equal(&vs.sregs.ss, &vs.sregs.ds, sizeof(vs.sregs.ds));
	assert_memory_equal(&vs.sregs.fs, &vs.sregs.ds, sizeof(vs.sregs.ds));
	assert_memory_equal(&vs.sregs.gs, &vs.sregs.ds, sizeof(vs.sregs.ds));
}

static void test_boot_entry_state_regs_rip_rsi_rflags_rest_zero(void **state)
{
	struct fixture *f = *state;
	struct vcpu_state vs = { 0 };
	assert_int_equal(build(f), 0);
	memset(&vs.regs, 0xEE, sizeof(vs.regs));

	boot_set_entry_state(&f->plan, &vs);

	assert_int_equal(vs.regs.rip, 0x100200);
	assert_int_equal(vs.regs.rsi, BOOT_PARAMS_GPA);
	assert_int_equal(vs.regs.rflags, 0x2);
	assert_int_equal(vs.regs.rax, 0);
	assert_int_equal(vs.regs.rsp, 0);
	assert_int_equal(vs.regs.rdi, 0);
	assert_int_equal(vs.regs.r15, 0);
}

static void test_boot_entry_state_keeps_other_state(void **state)
{
	struct fixture *f = *state;
	struct vcpu_state vs = { 0 };
	assert_int_equal(build(f), 0);
	vs.valid = VCPU_STATE_FPU;
	vs.sregs.apic_base = 0xFEE00900;
	vs.sregs.tr.selector = 0x28;
	vs.sregs.idt.limit = 0xFFFF;

	boot_set_entry_state(&f->plan, &vs);

	assert_int_equal(vs.valid, VCPU_STATE_FPU | VCPU_STATE_REGS | VCPU_STATE_SREGS);
	assert_int_equal(vs.sregs.apic_base, 0xFEE00900);
	assert_int_equal(vs.sregs.tr.selector, 0x28);
	assert_int_equal(vs.sregs.idt.limit, 0xFFFF);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_boot_plan_kernel_payload_at_1mib_borrowed),
		T(test_boot_image_limits_16mib_ram_bound_each_image),
		T(test_boot_image_limits_split_ram_bound_by_the_largest_region),
		T(test_boot_plan_initrd_over_the_image_limit_returns_enospc),
		T(test_boot_plan_entry_rip_is_load_plus_0x200),
		T(test_boot_plan_bad_kernel_returns_enoexec),
		T(test_boot_plan_kernel_load_range_outside_ram_returns_enospc),
		T(test_boot_plan_kernel_extract_range_outside_ram_returns_enospc),
		T(test_boot_plan_huge_pref_address_returns_enospc),
		T(test_boot_plan_boot_params_copies_setup_header),
		T(test_boot_plan_boot_params_loader_fields),
		T(test_boot_plan_boot_params_e820_matches_plan),
		T(test_boot_plan_rsdp_in_boot_params),
		T(test_boot_plan_zero_cpus_returns_einval),
		T(test_boot_plan_cmdline_copied_with_nul),
		T(test_boot_plan_null_cmdline_is_empty),
		T(test_boot_plan_cmdline_at_kernel_limit_is_accepted),
		T(test_boot_plan_cmdline_over_kernel_limit_returns_e2big),
		T(test_boot_plan_cmdline_over_one_page_returns_e2big),
		T(test_boot_plan_initrd_placed_at_top_of_ram_page_aligned),
		T(test_boot_plan_initrd_ends_at_or_below_initrd_addr_max),
		T(test_boot_plan_initrd_prefers_below_4g_over_high_ram),
		T(test_boot_plan_initrd_above_4g_when_low_ram_full_sets_ext),
		T(test_boot_plan_initrd_too_big_without_above_4g_flag_returns_enospc),
		T(test_boot_plan_initrd_avoids_kernel_extract_range),
		T(test_boot_plan_empty_initrd_has_no_segment),
		T(test_boot_plan_initrd_size_without_data_is_a_segment_without_bytes),
		T(test_boot_plan_kernel_head_only_gives_a_kernel_segment_without_bytes),
		T(test_boot_plan_e820_256m_layout),
		T(test_boot_plan_e820_split_around_4g_hole),
		T(test_boot_plan_e820_adjacent_ram_regions_merge),
		T(test_boot_plan_e820_carve_replaces_ram),
		T(test_boot_plan_e820_carve_next_to_hole_merges),
		T(test_boot_plan_e820_carve_outside_ram_returns_einval),
		T(test_boot_plan_e820_carve_over_kernel_returns_enospc),
		T(test_boot_plan_e820_over_128_entries_returns_e2big),
		T(test_boot_plan_ram_missing_low_pages_returns_einval),
		T(test_boot_plan_overlapping_ram_returns_einval),
		T(test_boot_plan_setup_data_chain_in_order),
		T(test_boot_plan_no_setup_data_has_no_segment),
		T(test_boot_plan_setup_data_too_big_returns_e2big),
		T(test_boot_plan_setup_data_exactly_fills_area),
		T(test_boot_plan_segments_in_kind_order),
		T(test_boot_plan_minimal_plan_has_six_segments),
		T(test_boot_plan_generated_segments_at_fixed_gpas),
		T(test_boot_plan_gdt_has_code64_and_data),
		T(test_boot_plan_page_tables_carry_cbit),
		T(test_boot_plan_cbit_below_4g_returns_einval),
		T(test_boot_plan_cbit_two_bits_returns_einval),
		T(test_boot_plan_failure_leaves_plan_untouched),
		T(test_boot_plan_free_null_is_noop),
		T(test_boot_entry_state_long_mode_control_registers),
		T(test_boot_entry_state_code_segment_64bit),
		T(test_boot_entry_state_data_segments_flat),
		T(test_boot_entry_state_regs_rip_rsi_rflags_rest_zero),
		T(test_boot_entry_state_keeps_other_state),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
