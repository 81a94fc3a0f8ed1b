/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables for a firmware-less guest: RSDP, XSDT, FADT (hardware-reduced), DSDT and
 * MADT with one Local APIC per vCPU (APIC ID = vCPU id) and the IOAPIC. Linux never looks
 * for an MP table in an SNP guest (arch/x86/mm/mem_encrypt_amd.c sme_early_init(), Linux
 * commit 0f4a1e80989a "x86/sev: Skip ROM range scans and validation for SEV-SNP guests"),
 * so ACPI is how it finds
 * every CPU; the same bytes are measured in SNP launches.
 */
#ifndef SNPVMM_VMM_ACPI_H
#define SNPVMM_VMM_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_IOAPIC_ADDR 0xFEC00000u
#define ACPI_LAPIC_ADDR	 0xFEE00000u
#define ACPI_MAX_CPUS	 255

/* Builds the tables into buf (which will sit at guest-physical `gpa`, size buf_size),
 * zero-filling the rest. Returns 0 and the RSDP's GPA, -ENOSPC if they do not fit,
 * -EINVAL for nr_cpus outside 1..ACPI_MAX_CPUS. Pure and deterministic. */
int acpi_build(uint8_t *buf, size_t buf_size, uint64_t gpa, uint32_t nr_cpus,
	       uint64_t *ret_rsdp_gpa) __attribute__((warn_unused_result));

#endif /* SNPVMM_VMM_ACPI_H */
