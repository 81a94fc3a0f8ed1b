// SPDX-License-Identifier: MIT
#include "vmm/page_tables.h"

#include <stdint.h>
#include <string.h>

#include "vmm/boot.h"

#define PT_PAGE	     0x1000
#define PT_ENTRIES   512
#define PT_NR_PDS    4 /* 4 x 1 GiB */
#define PAGE_SIZE_2M 0x200000ULL
#define PAGE_SIZE_1G 0x40000000ULL

_Static_assert(PAGE_TABLES_SIZE == BOOT_PAGE_TABLES_PAGES * PT_PAGE,
	       "boot.h and page_tables.h disagree on the table size");
_Static_assert(PAGE_TABLES_SIZE == (2 + PT_NR_PDS) * PT_PAGE, "PML4 + PDPT + PDs");

static void put_entry(uint8_t *table, unsigned int index, uint64_t entry)
{
	memcpy(table + (size_t)index * sizeof(entry), &entry, sizeof(entry));
}

void page_tables_build(uint8_t *buf, uint64_t gpa, uint64_t cbit_mask)
{
	uint8_t *pml4 = buf;
	uint8_t *pdpt = buf + PT_PAGE;
	/* Without SEV the C-bit is 0 and this is the plain identity map. Under SNP every
	 * entry carries it (OpenVMM with_confidential_bit(), and the decompressor's
	 * sev_verify_cbit() hangs if data accesses through our tables are not private:
	 * arch/x86/boot/compressed/sev_verify_cbit.S). Writable, kernel-only, no NX: the kernel
	 * executes through these mappings until it loads its own tables. */
	uint64_t flags = PTE_PRESENT | PTE_WRITE | cbit_mask;
	unsigned int pd, i;

	memset(buf, 0, PAGE_TABLES_SIZE);
	put_entry(pml4, 0, (gpa + PT_PAGE) | flags);
	for (pd = 0; pd < PT_NR_PDS; pd++) {
		uint8_t *table = buf + (size_t)(2 + pd) * PT_PAGE;

		put_entry(pdpt, pd, (gpa + (2 + pd) * PT_PAGE) | flags);
		for (i = 0; i < PT_ENTRIES; i++)
			put_entry(table, i,
				  (pd * PAGE_SIZE_1G + i * PAGE_SIZE_2M) | flags | PTE_LARGE);
	}
}

void page_tables_build_1g(uint8_t *buf, uint64_t gpa, unsigned int nr_pdpt, uint64_t private_end,
			  uint64_t shared_start, uint64_t shared_end, uint64_t cbit_mask)
{
	const uint64_t flags = PTE_PRESENT | PTE_WRITE;
	unsigned int t;
	uint64_t a;

	memset(buf, 0, (size_t)(1 + nr_pdpt) * PT_PAGE);
	for (t = 0; t < nr_pdpt; t++)
		put_entry(buf, t, (gpa + (1 + t) * PT_PAGE) | flags | cbit_mask);
	for (a = 0; a < private_end; a += PAGE_SIZE_1G)
		put_entry(buf + (1 + a / PAGE_TABLES_1G_SPAN) * PT_PAGE,
			  (unsigned int)(a % PAGE_TABLES_1G_SPAN / PAGE_SIZE_1G),
			  a | flags | PTE_LARGE | cbit_mask);
	for (a = shared_start; a < shared_end; a += PAGE_SIZE_1G)
		put_entry(buf + (1 + a / PAGE_TABLES_1G_SPAN) * PT_PAGE,
			  (unsigned int)(a % PAGE_TABLES_1G_SPAN / PAGE_SIZE_1G),
			  a | flags | PTE_LARGE);
}
