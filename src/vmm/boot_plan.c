// SPDX-License-Identifier: MIT
/*
 * boot_plan_build(): everything a firmware-less 64-bit Linux boot puts in guest memory,
 * computed as a value (Documentation/arch/x86/boot.rst; the layout below 1 MiB follows
 * OpenVMM's vm/loader/src/linux.rs, see docs/snp-launch.md).
 * The generated pages are laid out at their fixed GPAs inside one owned buffer that
 * mirrors [BOOT_GDT_GPA, BOOT_SETUP_DATA_GPA + BOOT_SETUP_DATA_SIZE).
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/acpi.h"
#include "vmm/backend.h"
#include "vmm/boot.h"
#include "vmm/page_tables.h"

#define PAGE_SIZE 0x1000ULL
#define SZ_4G	  0x100000000ULL
#define ALIGN_16  16ULL
#define NO_LIMIT  (~0ULL)

/* boot.rst: the 64-bit entry point is "at the offset 0x200 from the start of the loaded
 * 64-bit kernel" ("64bit entry is 0x200 and it is ABI so immutable!", head_64.S). */
#define BOOT_ENTRY_64_OFFSET  0x200
/* boot.rst type_of_loader: without an assigned loader ID, "enter 0xFF here". */
#define BOOT_LOADER_UNDEFINED 0xFF
/* The setup header occupies [0x1F1, 0x290) of the zero page; edd_mbr_sig_buffer follows.
 * A header claiming to be longer is cut there rather than overwrite other fields. */
#define BOOT_HDR_AREA_END     offsetof(struct boot_params, edd_mbr_sig_buffer)

/* GDT entries (Intel SDM Vol. 3A §3.4.5): base 0, limit 0xFFFFF pages (G=1).
 * 0x00AF9B...: P, DPL0, S, type 0xB (execute/read, accessed), L=1, D=0: 64-bit code.
 * 0x00CF93...: P, DPL0, S, type 0x3 (read/write, accessed), D/B=1: flat data. */
#define GDT_CODE64   0x00AF9B000000FFFFULL
#define GDT_DATA     0x00CF93000000FFFFULL
#define GDT_ENTRIES  4
#define GDT_LIMIT    (GDT_ENTRIES * 8 - 1)
#define SEG_CODE_XRA 0xB
#define SEG_DATA_RWA 0x3

#define X86_CR0_PE	      (1ULL << 0)
#define X86_CR0_ET	      (1ULL << 4)
#define X86_CR0_PG	      (1ULL << 31)
#define X86_CR4_PAE	      (1ULL << 5)
#define X86_EFER_LME	      (1ULL << 8)
#define X86_EFER_LMA	      (1ULL << 10)
#define X86_RFLAGS_RESERVED_1 0x2ULL

/* The owned buffer mirrors guest memory from the GDT page to the end of setup_data. */
#define OWNED_GPA  BOOT_GDT_GPA
#define OWNED_END  (BOOT_SETUP_DATA_GPA + BOOT_SETUP_DATA_SIZE)
#define OWNED_SIZE (OWNED_END - OWNED_GPA)

_Static_assert(sizeof(struct boot_params) == PAGE_SIZE, "zero page is one page");
_Static_assert(BOOT_PAGE_TABLES_GPA + PAGE_TABLES_SIZE <= BOOT_ACPI_GPA, "tables overlap ACPI");
_Static_assert(BOOT_ACPI_GPA + BOOT_ACPI_SIZE <= BOOT_SNP_PAGES_GPA, "ACPI overlaps SNP pages");
_Static_assert(ACPI_NVS_OFFSET + ACPI_NVS_SIZE == BOOT_ACPI_SIZE,
	       "the FACS page ends the ACPI area");
_Static_assert(BOOT_SNP_PAGES_GPA + BOOT_SNP_PAGES_SIZE <= BOOT_SETUP_DATA_GPA,
	       "SNP pages overlap setup_data");
_Static_assert(OWNED_END <= BOOT_LOW_RAM_END, "fixed pages must sit in low RAM");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "x86 only: host integers have the guest's byte order");

/* One overlay on top of RAM in the E820 map; later ones win. */
struct e820_overlay {
	uint64_t start;
	uint64_t end;
	uint32_t type;
};

static bool add_overflows(uint64_t a, uint64_t b, uint64_t *ret_sum)
{
	return __builtin_add_overflow(a, b, ret_sum);
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint8_t *owned_at(uint8_t *owned, uint64_t gpa)
{
	return owned + (gpa - OWNED_GPA);
}

static int check_ram(const struct boot_config *cfg, struct diag *d)
{
	uint64_t prev_end = 0, end;
	unsigned int i;

	if (!cfg->ram || cfg->nr_ram == 0)
		return diag_fail(d, -EINVAL, "no guest RAM regions given");
	/* Each region yields at least one E820 entry unless adjacent ones merge; a bound
	 * here keeps the map computation's scratch allocation small. */
	if (cfg->nr_ram > E820_MAX_ENTRIES_ZEROPAGE)
		return diag_fail(d, -E2BIG, "%u RAM regions: the zero page's E820 table holds %d",
				 cfg->nr_ram, E820_MAX_ENTRIES_ZEROPAGE);
	for (i = 0; i < cfg->nr_ram; i++) {
		const struct mem_range *r = &cfg->ram[i];

		if (r->size == 0 || add_overflows(r->gpa, r->size, &end))
			return diag_fail(d, -EINVAL,
					 "RAM region %u [0x%llx, +0x%llx) is empty or wraps", i,
					 (unsigned long long)r->gpa, (unsigned long long)r->size);
		if (i > 0 && r->gpa < prev_end)
			return diag_fail(d, -EINVAL,
					 "RAM region %u at 0x%llx is not above the previous one "
					 "(ending 0x%llx)",
					 i, (unsigned long long)r->gpa,
					 (unsigned long long)prev_end);
		prev_end = end;
	}
	return 0;
}

/* Whether [start, end) is covered by the union of the RAM regions (ascending, so
 * adjacent regions chain). */
static bool range_in_ram(const struct boot_config *cfg, uint64_t start, uint64_t end)
{
	uint64_t cursor = start;
	unsigned int i;

	for (i = 0; i < cfg->nr_ram && cursor < end; i++) {
		const struct mem_range *r = &cfg->ram[i];

		if (r->gpa <= cursor && cursor < r->gpa + r->size)
			cursor = r->gpa + r->size;
	}
	return cursor >= end;
}

static uint32_t e820_type_at(const struct e820_overlay *ov, unsigned int nr_ov, uint64_t addr)
{
	uint32_t type = E820_TYPE_RAM;
	unsigned int i;

	for (i = 0; i < nr_ov; i++)
		if (ov[i].start <= addr && addr < ov[i].end)
			type = ov[i].type;
	return type;
}

static bool addr_in_ram(const struct boot_config *cfg, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_ram; i++)
		if (cfg->ram[i].gpa <= addr && addr - cfg->ram[i].gpa < cfg->ram[i].size)
			return true;
	return false;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Cuts the RAM regions at every region and overlay boundary, types each piece by the
 * last overlay covering it, and merges neighbours of equal type: the result is sorted,
 * disjoint, and covers exactly the RAM. */
static int e820_compute(const struct boot_config *cfg, const struct e820_overlay *ov,
			unsigned int nr_ov, struct e820_map *ret_map, struct diag *d)
{
	size_t nr_pts = 0, i;
	struct e820_map map = { 0 };
	uint64_t *pts;
	int r = 0;

	pts = calloc(2 * ((size_t)cfg->nr_ram + nr_ov), sizeof(*pts));
	if (!pts)
		return -ENOMEM;
	for (i = 0; i < cfg->nr_ram; i++) {
		pts[nr_pts++] = cfg->ram[i].gpa;
		pts[nr_pts++] = cfg->ram[i].gpa + cfg->ram[i].size;
	}
	for (i = 0; i < nr_ov; i++) {
		pts[nr_pts++] = ov[i].start;
		pts[nr_pts++] = ov[i].end;
	}
	qsort(pts, nr_pts, sizeof(*pts), cmp_u64);

	for (i = 0; i + 1 < nr_pts; i++) {
		uint64_t start = pts[i], end = pts[i + 1];
		struct boot_e820_entry *last = map.nr ? &map.entries[map.nr - 1] : NULL;
		uint32_t type;

		if (start == end || !addr_in_ram(cfg, start))
			continue;
		type = e820_type_at(ov, nr_ov, start);
		if (last && last->type == type && last->addr + last->size == start) {
			last->size += end - start;
			continue;
		}
		if (map.nr == E820_MAX_ENTRIES_ZEROPAGE) {
			r = diag_fail(d, -E2BIG,
				      "the memory map needs more than the %d E820 entries the "
				      "zero page holds",
				      E820_MAX_ENTRIES_ZEROPAGE);
			goto out_free_pts;
		}
		map.entries[map.nr++] = (struct boot_e820_entry){
			.addr = start,
			.size = end - start,
			.type = type,
		};
	}
	*ret_map = map;

out_free_pts:
	free(pts);
	return r;
}

static int build_e820(const struct boot_config *cfg, struct e820_map *ret_map, struct diag *d)
{
	struct e820_overlay *ov;
	unsigned int nr_ov = 0, i;
	uint64_t end;
	int r;

	if (cfg->nr_carve && !cfg->carve)
		return diag_fail(d, -EINVAL, "%u E820 carve-outs but no array", cfg->nr_carve);
	if (cfg->nr_carve > E820_MAX_ENTRIES_ZEROPAGE)
		return diag_fail(d, -E2BIG, "%u E820 carve-outs: the zero page holds %d entries",
				 cfg->nr_carve, E820_MAX_ENTRIES_ZEROPAGE);
	/* Everything the loader writes below 1 MiB must be RAM the guest has. */
	if (!range_in_ram(cfg, OWNED_GPA, OWNED_END))
		return diag_fail(d, -EINVAL,
				 "guest RAM must cover [0x%llx, 0x%llx) for the boot pages",
				 (unsigned long long)OWNED_GPA, (unsigned long long)OWNED_END);

	ov = calloc((size_t)cfg->nr_carve + 3, sizeof(*ov));
	if (!ov)
		return -ENOMEM;
	/* The tables are ACPI-reclaimable memory (ACPI 6.5 §15.1); the FACS, which the OS
	 * keeps using, is ACPI NVS (§5.2.10). Linux maps E820 ACPI and NVS ranges encrypted
	 * under SEV (arch/x86/mm/ioremap.c memremap_should_map_decrypted()). */
	ov[nr_ov++] = (struct e820_overlay){ BOOT_ACPI_GPA, BOOT_ACPI_GPA + BOOT_ACPI_SIZE,
					     E820_TYPE_ACPI };
	ov[nr_ov++] = (struct e820_overlay){ BOOT_ACPI_GPA + ACPI_NVS_OFFSET,
					     BOOT_ACPI_GPA + ACPI_NVS_OFFSET + ACPI_NVS_SIZE,
					     E820_TYPE_NVS };
	/* The legacy VGA/ROM hole, reserved as PC firmware reports it (Linux drops RAM
	 * there anyway: arch/x86/kernel/setup.c trim_bios_range()). */
	ov[nr_ov++] =
		(struct e820_overlay){ BOOT_LOW_RAM_END, BOOT_KERNEL_GPA, E820_TYPE_RESERVED };
	for (i = 0; i < cfg->nr_carve; i++) {
		const struct boot_e820_carve *c = &cfg->carve[i];

		if (c->size == 0 || add_overflows(c->gpa, c->size, &end) ||
		    !range_in_ram(cfg, c->gpa, end)) {
			r = diag_fail(d, -EINVAL,
				      "E820 carve-out %u [0x%llx, +0x%llx) is empty or not "
				      "inside guest RAM",
				      i, (unsigned long long)c->gpa, (unsigned long long)c->size);
			goto out_free_ov;
		}
		ov[nr_ov++] = (struct e820_overlay){ c->gpa, end, c->type };
	}
	r = e820_compute(cfg, ov, nr_ov, ret_map, d);

out_free_ov:
	free(ov);
	return r;
}

/* Whether [start, start + size) lies inside one E820 RAM entry. Adjacent RAM is merged,
 * so one entry is one contiguous run of usable RAM. */
static bool range_is_e820_ram(const struct e820_map *map, uint64_t start, uint64_t size)
{
	uint64_t end;
	uint32_t i;

	if (add_overflows(start, size, &end))
		return false;
	for (i = 0; i < map->nr; i++) {
		const struct boot_e820_entry *e = &map->entries[i];

		if (e->type == E820_TYPE_RAM && e->addr <= start && end <= e->addr + e->size)
			return true;
	}
	return false;
}

/* The highest 4 KiB-aligned GPA at which `size` bytes fit inside one E820 RAM entry,
 * within [lo, hi). Returns false if there is none. */
static bool place_high(const struct e820_map *map, uint64_t size, uint64_t lo, uint64_t hi,
		       uint64_t *ret_gpa)
{
	bool found = false;
	uint32_t i;

	for (i = 0; i < map->nr; i++) {
		const struct boot_e820_entry *e = &map->entries[i];
		uint64_t top = min_u64(e->addr + e->size, hi);
		uint64_t bottom = max_u64(e->addr, lo);
		uint64_t gpa;

		if (e->type != E820_TYPE_RAM || top < bottom || top - bottom < size)
			continue;
		gpa = (top - size) & ~(PAGE_SIZE - 1);
		if (gpa < bottom)
			continue;
		if (!found || gpa > *ret_gpa)
			*ret_gpa = gpa;
		found = true;
	}
	return found;
}

/* Where the kernel will decompress itself: head_64.S startup_64 rounds the load address
 * up to kernel_alignment (CONFIG_RELOCATABLE) and never goes below LOAD_PHYSICAL_ADDR,
 * which the header publishes as pref_address. Mirrors its 32-bit "decl; not; and". */
static uint64_t kernel_extract_base(const struct bzimage_info *k)
{
	uint64_t base = max_u64(BOOT_KERNEL_GPA, k->pref_address);

	if (k->relocatable) {
		uint64_t mask = (uint32_t)(k->kernel_alignment - 1);

		base = max_u64(base, (BOOT_KERNEL_GPA + mask) & ~mask);
	}
	return base;
}

static int place_kernel(const struct bzimage_info *k, const struct e820_map *map,
			uint64_t *ret_kernel_end, struct diag *d)
{
	uint64_t load_size = max_u64(k->payload_size, k->init_size);
	uint64_t base = kernel_extract_base(k);

	if (!range_is_e820_ram(map, BOOT_KERNEL_GPA, load_size))
		return diag_fail(d, -ENOSPC,
				 "the kernel needs 0x%llx bytes of RAM from 0x%llx (payload 0x%zx, "
				 "init_size 0x%x) and guest RAM does not have them",
				 (unsigned long long)load_size, (unsigned long long)BOOT_KERNEL_GPA,
				 k->payload_size, k->init_size);
	/* range_is_e820_ram() also rejects a base + init_size that wraps. */
	if (!range_is_e820_ram(map, base, k->init_size))
		return diag_fail(d, -ENOSPC,
				 "the kernel decompresses to [0x%llx, +0x%x) (pref_address, "
				 "init_size) and guest RAM does not cover that",
				 (unsigned long long)base, k->init_size);
	*ret_kernel_end = max_u64(BOOT_KERNEL_GPA + load_size, base + k->init_size);
	return 0;
}

/* The end of the highest RAM entry at or below `limit` (clamped to it), for messages. */
static uint64_t ram_end_below(const struct e820_map *map, uint64_t limit)
{
	uint64_t end = 0;
	uint32_t i;

	for (i = 0; i < map->nr; i++)
		if (map->entries[i].type == E820_TYPE_RAM && map->entries[i].addr < limit)
			end = max_u64(end,
				      min_u64(map->entries[i].addr + map->entries[i].size, limit));
	return end;
}

/* boot.rst "initrd_addr_max": the initrd must end at or below it. We place it as high as
 * possible, as boot.rst recommends, so the kernel's own allocations below stay free;
 * above 4 GiB only if the kernel says it can take that (XLF_CAN_BE_LOADED_ABOVE_4G). */
static int place_initrd(const struct boot_config *cfg, const struct bzimage_info *k,
			const struct e820_map *map, uint64_t kernel_end, uint64_t *ret_gpa,
			struct diag *d)
{
	uint64_t limit = min_u64((uint64_t)k->initrd_addr_max + 1, SZ_4G);

	if (place_high(map, cfg->initrd_size, kernel_end, limit, ret_gpa))
		return 0;
	if ((k->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) &&
	    place_high(map, cfg->initrd_size, max_u64(kernel_end, SZ_4G), NO_LIMIT, ret_gpa))
		return 0;
	return diag_fail(d, -ENOSPC,
			 "the initrd (%zu bytes) does not fit in guest RAM: it must lie between "
			 "the kernel's end 0x%llx and 0x%llx, where RAM ends at 0x%llx%s",
			 cfg->initrd_size, (unsigned long long)kernel_end,
			 (unsigned long long)limit, (unsigned long long)ram_end_below(map, limit),
			 (k->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G)
				 ? ", and RAM above 4 GiB is too small too"
				 : " (the kernel cannot take one above 4 GiB)");
}

static int build_cmdline(const struct boot_config *cfg, const struct bzimage_info *k, uint8_t *page,
			 struct diag *d)
{
	const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
	size_t max = min_u64(k->cmdline_size, BOOT_CMDLINE_MAX);
	size_t len = strnlen(cmdline, BOOT_CMDLINE_MAX + 1);

	if (len > max)
		return diag_fail(d, -E2BIG,
				 "the kernel command line is %s%zu bytes, the limit is %zu (%s)",
				 len > BOOT_CMDLINE_MAX ? "over " : "", len, max,
				 max == k->cmdline_size ? "the kernel's cmdline_size" : "one page");
	memcpy(page, cmdline, len);
	page[len] = '\0';
	return 0;
}

/* boot.rst "setup_data": a singly linked list of struct setup_data, each node 16-byte
 * aligned here (the kernel maps and reserves each node by its own length). */
static int build_setup_data(const struct boot_config *cfg, uint8_t *area, uint64_t *ret_used,
			    struct diag *d)
{
	uint64_t off = 0, end;
	unsigned int i;

	if (cfg->nr_setup_data && !cfg->setup_data)
		return diag_fail(d, -EINVAL, "%u setup_data entries but no array",
				 cfg->nr_setup_data);
	for (i = 0; i < cfg->nr_setup_data; i++) {
		const struct boot_setup_data *sd = &cfg->setup_data[i];
		struct setup_data node = { .type = sd->type, .len = sd->len };
		uint64_t next;

		if (sd->len && !sd->data)
			return diag_fail(d, -EINVAL, "setup_data entry %u has no data", i);
		end = off + sizeof(node) + sd->len; /* < 2^33: no overflow */
		if (end > BOOT_SETUP_DATA_SIZE)
			return diag_fail(d, -E2BIG,
					 "setup_data entries need more than the 0x%llx bytes at "
					 "0x%llx (entry %u of type %u, %u bytes, ends at +0x%llx)",
					 (unsigned long long)BOOT_SETUP_DATA_SIZE,
					 (unsigned long long)BOOT_SETUP_DATA_GPA, i, sd->type,
					 sd->len, (unsigned long long)end);
		next = (end + ALIGN_16 - 1) & ~(ALIGN_16 - 1);
		if (i + 1 < cfg->nr_setup_data)
			node.next = BOOT_SETUP_DATA_GPA + next;
		memcpy(area + off, &node, sizeof(node));
		if (sd->len)
			memcpy(area + off + sizeof(node), sd->data, sd->len);
		off = next;
	}
	*ret_used = off;
	return 0;
}

static void build_gdt(uint8_t *page)
{
	const uint64_t gdt[GDT_ENTRIES] = {
		[BOOT_GDT_CS / 8] = GDT_CODE64,
		[BOOT_GDT_DS / 8] = GDT_DATA,
	};

	memcpy(page, gdt, sizeof(gdt));
}

static void add_segment(struct boot_plan *plan, enum boot_segment_kind kind, uint64_t gpa,
			uint64_t size, const uint8_t *data)
{
	plan->segs[plan->nr_segs++] = (struct boot_segment){
		.kind = kind,
		.gpa = gpa,
		.size = size,
		.data = data,
	};
}

/* boot.rst: setup_sects is one byte; the boot sector comes on top. */
#define SETUP_MAX_BYTES ((255ULL + 1) * 512)

void boot_image_limits(const struct mem_range *ram, unsigned int nr_ram,
		       struct boot_image_limits *ret)
{
	uint64_t kernel_room = 0, initrd_room = 0;
	unsigned int i;

	for (i = 0; i < nr_ram; i++) {
		uint64_t start = max_u64(ram[i].gpa, BOOT_KERNEL_GPA),
			 end = ram[i].gpa + ram[i].size;

		if (end <= start)
			continue;
		if (ram[i].gpa <= BOOT_KERNEL_GPA)
			kernel_room = end - BOOT_KERNEL_GPA;
		initrd_room = max_u64(initrd_room, end - start);
	}
	*ret = (struct boot_image_limits){
		.kernel = kernel_room + SETUP_MAX_BYTES,
		.initrd = initrd_room,
		.setup_data = BOOT_SETUP_DATA_SIZE - sizeof(struct setup_data),
	};
}

int boot_plan_build(const struct boot_config *cfg, struct boot_plan *ret_plan, struct diag *d)
{
	struct boot_plan plan = { 0 };
	struct boot_params bp;
	uint64_t kernel_end = 0, sd_used = 0, initrd_gpa = 0;
	uint8_t *owned;
	int r;

	assert(cfg && ret_plan);
	if (!cfg->kernel)
		return diag_fail(d, -EINVAL, "no kernel image given");
	/* A C-bit is one physical-address bit above the 4 GiB we map and below bit 52 where
	 * the PTE's software/NX bits start (AMD APM Vol. 2 §7.10.1, CPUID 0x8000001F). */
	if (cfg->cbit_mask && ((cfg->cbit_mask & (cfg->cbit_mask - 1)) || cfg->cbit_mask < SZ_4G ||
			       cfg->cbit_mask > (1ULL << 51)))
		return diag_fail(d, -EINVAL,
				 "C-bit mask 0x%llx is not a single address bit between 32 and 51",
				 (unsigned long long)cfg->cbit_mask);
	if (cfg->nr_cpus < 1 || cfg->nr_cpus > ACPI_MAX_CPUS)
		return diag_fail(d, -EINVAL, "%u vCPUs: the MADT describes 1 to %d", cfg->nr_cpus,
				 ACPI_MAX_CPUS);

	r = bzimage_parse_head(cfg->kernel,
			       cfg->kernel_head_len ? cfg->kernel_head_len : cfg->kernel_size,
			       cfg->kernel_size, &plan.kernel, d);
	if (r < 0)
		return r;
	r = check_ram(cfg, d);
	if (r < 0)
		return r;
	r = build_e820(cfg, &plan.e820, d);
	if (r < 0)
		return r;
	r = place_kernel(&plan.kernel, &plan.e820, &kernel_end, d);
	if (r < 0)
		return r;
	if (cfg->initrd_size) {
		r = place_initrd(cfg, &plan.kernel, &plan.e820, kernel_end, &initrd_gpa, d);
		if (r < 0)
			return r;
	}

	owned = calloc(1, OWNED_SIZE);
	if (!owned)
		return -ENOMEM;
	plan.owned = owned;

	r = build_cmdline(cfg, &plan.kernel, owned_at(owned, BOOT_CMDLINE_GPA), d);
	if (r < 0)
		goto out_free_owned;
	r = build_setup_data(cfg, owned_at(owned, BOOT_SETUP_DATA_GPA), &sd_used, d);
	if (r < 0)
		goto out_free_owned;
	r = acpi_build(owned_at(owned, BOOT_ACPI_GPA), BOOT_ACPI_SIZE, BOOT_ACPI_GPA, cfg->nr_cpus,
		       &plan.rsdp_gpa);
	if (r < 0) {
		r = diag_fail(d, r, "building the ACPI tables failed");
		goto out_free_owned;
	}
	build_gdt(owned_at(owned, BOOT_GDT_GPA));
	page_tables_build(owned_at(owned, BOOT_PAGE_TABLES_GPA), BOOT_PAGE_TABLES_GPA,
			  cfg->cbit_mask);

	/* The zero page: the kernel's own setup header (boot.rst: "the [...] header [...]
	 * should be loaded [...] then the fields modified"), then what the loader fills.
	 * hdr.cmdline_size stays as the kernel wrote it: boot.rst types it "read". */
	memset(&bp, 0, sizeof(bp));
	memcpy((uint8_t *)&bp + offsetof(struct boot_params, hdr),
	       cfg->kernel + offsetof(struct boot_params, hdr),
	       min_u64(plan.kernel.header_end, BOOT_HDR_AREA_END) -
		       offsetof(struct boot_params, hdr));
	bp.hdr.type_of_loader = BOOT_LOADER_UNDEFINED;
	bp.hdr.cmd_line_ptr = (uint32_t)BOOT_CMDLINE_GPA;
	bp.ext_cmd_line_ptr = (uint32_t)(BOOT_CMDLINE_GPA >> 32);
	bp.hdr.ramdisk_image = (uint32_t)initrd_gpa;
	bp.ext_ramdisk_image = (uint32_t)(initrd_gpa >> 32);
	bp.hdr.ramdisk_size = (uint32_t)cfg->initrd_size;
	bp.ext_ramdisk_size = (uint32_t)((uint64_t)cfg->initrd_size >> 32);
	bp.hdr.setup_data = cfg->nr_setup_data ? BOOT_SETUP_DATA_GPA : 0;
	bp.acpi_rsdp_addr = plan.rsdp_gpa;
	bp.e820_entries = (uint8_t)plan.e820.nr;
	memcpy(bp.e820_table, plan.e820.entries, plan.e820.nr * sizeof(plan.e820.entries[0]));
	/* No EFI (efi_info zero) and no cc_blob_address: SNP guests get the CC blob from
	 * setup_data (SETUP_CC_BLOB: arch/x86/boot/compressed/sev.c finds it there and
	 * writes cc_blob_address itself; without an EFI signature compressed/mem.c
	 * init_unaccepted_memory() sees no unaccepted memory). Both are zero from the memset. */
	memcpy(owned_at(owned, BOOT_PARAMS_GPA), &bp, sizeof(bp));

	add_segment(&plan, BOOT_SEG_GDT, BOOT_GDT_GPA, PAGE_SIZE, owned_at(owned, BOOT_GDT_GPA));
	add_segment(&plan, BOOT_SEG_BOOT_PARAMS, BOOT_PARAMS_GPA, PAGE_SIZE,
		    owned_at(owned, BOOT_PARAMS_GPA));
	add_segment(&plan, BOOT_SEG_CMDLINE, BOOT_CMDLINE_GPA, PAGE_SIZE,
		    owned_at(owned, BOOT_CMDLINE_GPA));
	add_segment(&plan, BOOT_SEG_PAGE_TABLES, BOOT_PAGE_TABLES_GPA, PAGE_TABLES_SIZE,
		    owned_at(owned, BOOT_PAGE_TABLES_GPA));
	add_segment(&plan, BOOT_SEG_ACPI, BOOT_ACPI_GPA, BOOT_ACPI_SIZE,
		    owned_at(owned, BOOT_ACPI_GPA));
	if (sd_used)
		add_segment(&plan, BOOT_SEG_SETUP_DATA, BOOT_SETUP_DATA_GPA,
			    (sd_used + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1),
			    owned_at(owned, BOOT_SETUP_DATA_GPA));
	add_segment(&plan, BOOT_SEG_KERNEL, BOOT_KERNEL_GPA, plan.kernel.payload_size,
		    cfg->kernel_head_len && cfg->kernel_head_len < cfg->kernel_size
			    ? NULL
			    : cfg->kernel + plan.kernel.payload_offset);
	if (cfg->initrd_size)
		add_segment(&plan, BOOT_SEG_INITRD, initrd_gpa, cfg->initrd_size, cfg->initrd);

	plan.entry_rip = BOOT_KERNEL_GPA + BOOT_ENTRY_64_OFFSET;
	plan.initrd_gpa = initrd_gpa;
	plan.cbit_mask = cfg->cbit_mask;
	*ret_plan = plan;
	return 0;

out_free_owned:
	free(owned);
	return r;
}

const struct boot_segment *boot_plan_segment(const struct boot_plan *plan, enum boot_segment_kind k)
{
	unsigned int i;

	for (i = 0; i < plan->nr_segs; i++)
		if (plan->segs[i].kind == k)
			return &plan->segs[i];
	return NULL;
}

void boot_plan_free(struct boot_plan *plan)
{
	if (!plan)
		return;
	free(plan->owned);
	memset(plan, 0, sizeof(*plan));
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type, bool code64)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xFFFFFFFF,
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = code64 ? 0 : 1, /* L=1 requires D=0 (SDM Vol. 3A §5.2.1) */
		.s = 1,
		.l = code64 ? 1 : 0,
		.g = 1,
	};
}

void boot_set_entry_state(const struct boot_plan *plan, struct vcpu_state *state)
{
	struct kvm_sregs *s = &state->sregs;
	struct kvm_segment data = flat_segment(BOOT_GDT_DS, SEG_DATA_RWA, false);

	/* boot.rst 64-bit protocol: "the CPU must be in 64-bit mode with paging enabled":
	 * PG|PE (0x80000001). ET (bit 4) is reserved and reads as 1 on every CPU since the
	 * 486 (SDM Vol. 3A §2.5), and KVM's kvm_set_cr0() forces it on guest writes; we set
	 * it so the CR0 we hand over (and SNP measures in the VMSA) is the one the CPU
	 * reports. OpenVMM's SNP test VMSA does the same (vmm_core/virt_kvm/src/snp.rs). */
	s->cr0 = X86_CR0_PG | X86_CR0_ET | X86_CR0_PE;
	s->cr4 = X86_CR4_PAE;
	/* LME|LMA: long mode active. No SVME: KVM adds it to the VMSA itself for SEV-ES/SNP
	 * guests (svm.c svm_set_efer() ORs EFER_SVME in); the guest never sees it. */
	s->efer = X86_EFER_LME | X86_EFER_LMA;
	/* No C-bit in CR3: table pages are always private under SEV
	 * (Documentation/arch/x86/amd-memory-encryption.rst); the C-bit in the entries is what
	 * matters (arch/x86/boot/compressed/sev_verify_cbit.S checks it). */
	s->cr3 = BOOT_PAGE_TABLES_GPA;
	s->gdt.base = BOOT_GDT_GPA;
	s->gdt.limit = GDT_LIMIT;
	s->cs = flat_segment(BOOT_GDT_CS, SEG_CODE_XRA, true);
	s->ds = data;
	s->es = data;
	s->ss = data;
	s->fs = data;
	s->gs = data;

	/* boot.rst: "%rsi must hold the base address of the struct boot_params"; interrupts
	 * off. Everything else zero so the entry state (and an SNP measurement) depends on
	 * nothing the caller happened to read from KVM. */
	memset(&state->regs, 0, sizeof(state->regs));
	state->regs.rip = plan->entry_rip;
	state->regs.rsi = BOOT_PARAMS_GPA;
	state->regs.rflags = X86_RFLAGS_RESERVED_1;

	state->valid |= VCPU_STATE_REGS | VCPU_STATE_SREGS;
}
