/* SPDX-License-Identifier: MIT */
/*
 * The identity page tables a 64-bit Linux entry needs (boot.rst "64-bit BOOT PROTOCOL":
 * "the range with setup_header.init_size from start address of loaded kernel and zero
 * page and command line buffer get ident mapping"). We map all of the first 4 GiB with
 * 2 MiB pages, as OpenVMM does (vm/loader IdentityMapBuilder, Size4Gb): one PML4, one PDPT and
 * four page directories, six pages in all.
 */
#ifndef SNPVMM_VMM_PAGE_TABLES_H
#define SNPVMM_VMM_PAGE_TABLES_H

#include <stdint.h>

#define PAGE_TABLES_SIZE 0x6000 /* PML4 + PDPT + 4 PDs */

#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE   (1ULL << 1)
#define PTE_LARGE   (1ULL << 7) /* PS: a PDE that maps a 2 MiB page */
#define PTE_ADDR_2M 0x000FFFFFFFE00000ULL
#define PTE_ADDR_4K 0x000FFFFFFFFFF000ULL

/* Writes the tables into buf (PAGE_TABLES_SIZE bytes) for placement at guest-physical
 * `gpa` (page aligned): PML4 at gpa, PDPT at gpa + 0x1000, PD i at gpa + 0x2000 + i * 0x1000.
 * cbit_mask is ORed into every entry, table pointers and leaf PDEs alike. */
void page_tables_build(uint8_t *buf, uint64_t gpa, uint64_t cbit_mask);

/* The boot stage's tables (boot mode hashes): a PML4 at gpa and nr_pdpt PDPTs after it,
 * mapping [0, private_end) 1:1 with 1 GiB pages that carry cbit_mask (guest RAM, private)
 * and [shared_start, shared_end) 1:1 with 1 GiB pages without it (the staging area, shared).
 * All bounds are 1 GiB aligned, the two ranges disjoint, and nr_pdpt * 512 GiB covers both;
 * buf holds (1 + nr_pdpt) * 4096 bytes. Every SNP-capable CPU has 1 GiB pages
 * (CPUID 0x80000001 EDX[26]), and KVM offers them whenever it uses nested paging. */
#define PAGE_TABLES_1G_SPAN (512ULL << 30) /* what one PDPT maps */
void page_tables_build_1g(uint8_t *buf, uint64_t gpa, unsigned int nr_pdpt, uint64_t private_end,
			  uint64_t shared_start, uint64_t shared_end, uint64_t cbit_mask);

#endif /* SNPVMM_VMM_PAGE_TABLES_H */
