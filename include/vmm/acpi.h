/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables for a firmware-less guest: RSDP, XSDT, FADT, FACS, DSDT and MADT. The
 * platform is a (small) full ACPI one, not hardware-reduced: the FADT points at the ACPI
 * fixed hardware of devices/acpi_pm.h (PM1a event/control blocks, SCI on IRQ 9, reset
 * register), the DSDT declares COM1 (PNP0501, port 0x3F8, IRQ 4) and \_S5, and the MADT
 * lists one Local APIC per vCPU (APIC ID = vCPU id), the IOAPIC and the SCI's interrupt
 * source override. Linux never looks for an MP table in an SNP guest
 * (arch/x86/mm/mem_encrypt_amd.c sme_early_init(), Linux commit 0f4a1e80989a "x86/sev:
 * Skip ROM range scans and validation for SEV-SNP guests"), so ACPI is how it finds every
 * CPU; the same bytes are measured in SNP launches.
 */
#ifndef SNPVMM_VMM_ACPI_H
#define SNPVMM_VMM_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_IOAPIC_ADDR 0xFEC00000u
#define ACPI_LAPIC_ADDR	 0xFEE00000u
#define ACPI_MAX_CPUS	 255

/* The FACS lives in the last page of the table buffer, which the E820 map must list as
 * ACPI NVS: unlike the tables, it is read and written by the OS for as long as it runs
 * (ACPI 6.5 §5.2.10: not AddressRangeMemory; §15.1: ACPI reclaim memory may be reused
 * once the tables are read). */
#define ACPI_NVS_OFFSET 0x3000u
#define ACPI_NVS_SIZE	0x1000u

/* Builds the tables into buf (which will sit at guest-physical `gpa`, size buf_size,
 * at least ACPI_NVS_OFFSET + ACPI_NVS_SIZE), zero-filling the rest. Returns 0 and the
 * RSDP's GPA, -ENOSPC if they do not fit, -EINVAL for nr_cpus outside 1..ACPI_MAX_CPUS.
 * Pure and deterministic. */
int acpi_build(uint8_t *buf, size_t buf_size, uint64_t gpa, uint32_t nr_cpus,
	       uint64_t *ret_rsdp_gpa) __attribute__((warn_unused_result));

/*
 * A small AML encoder (ACPI 6.5 §20 "ACPI Machine Language Specification"), enough for
 * the DSDT: name strings, integers, Name, Scope, Device, Package, Buffer and the small
 * resource descriptors of a legacy device. It appends to a caller's buffer; running out of
 * room or a malformed name sets `failed` and stops writing.
 */
struct aml {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool failed;
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
void aml_bytes(struct aml *a, const void *p, size_t n);
/* NameString (§20.2.2): an optional leading '\' then 4-character NameSegs joined by '.'
 * ("\\_SB_", "COM1", "_SB_.COM1"); segments are not padded for the caller. */
void aml_name_string(struct aml *a, const char *path);
/* The shortest encoding of an integer: ZeroOp, OneOp, OnesOp (all 64 bits set), or a
 * Byte/Word/DWord/QWord constant (§20.2.3). */
void aml_integer(struct aml *a, uint64_t v);
/* PkgLength (§20.2.4) of a package whose content after the PkgLength is `content_len`
 * bytes: 1 to 4 bytes into out. Returns how many, 0 if the length cannot be encoded. */
size_t aml_pkg_length(uint8_t out[4], size_t content_len);
/* Opens a PkgLength-prefixed body; aml_pkg_end() fills in its length. Returns a mark. */
size_t aml_pkg_begin(struct aml *a);
void aml_pkg_end(struct aml *a, size_t mark);
/* Name (name, integer): DefName with an integer data object (§20.2.5.1). */
void aml_name_integer(struct aml *a, const char *name, uint64_t v);
/* Name (name, EisaId ("ABC1234")): the compressed EISA ID as a DWordConst (§6.1.5). */
void aml_name_eisa_id(struct aml *a, const char *name, const char *eisa_id);
/* Name (name, Buffer () {bytes}) (§20.2.5.4 DefBuffer). */
void aml_name_buffer(struct aml *a, const char *name, const uint8_t *bytes, size_t n);
/* Scope (name) { and Device (name) {: close each with aml_pkg_end(mark). */
size_t aml_scope_begin(struct aml *a, const char *name);
size_t aml_device_begin(struct aml *a, const char *name);
/* Package (n) {: DefPackage with NumElements n; close with aml_pkg_end(mark). */
size_t aml_package_begin(struct aml *a, uint8_t nr_elements);
/* Small resource descriptors (§6.4.2): I/O port with 16-bit decode at a fixed base,
 * IRQ without flags (edge, active high, exclusive), and the End Tag (checksum 0). */
void aml_res_io_fixed16(struct aml *a, uint16_t base, uint8_t len);
void aml_res_irq_noflags(struct aml *a, uint8_t irq);
void aml_res_end(struct aml *a);
/* The compressed EISA ID of "ABC1234" as a DWORD (bytes in the order AML stores them);
 * 0 for a malformed ID. */
uint32_t aml_eisa_id(const char *eisa_id);

#endif /* SNPVMM_VMM_ACPI_H */
