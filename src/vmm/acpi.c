// SPDX-License-Identifier: MIT
/*
 * Byte-level ACPI table builder. Offsets are from the ACPI 6.5 specification (§5.2.5.3
 * RSDP, §5.2.6 table header, §5.2.8 XSDT, §5.2.9 FADT, §5.2.11.1 DSDT, §5.2.12 MADT);
 * writing them byte by byte keeps the output independent of struct padding and host ABI.
 */
#include "vmm/acpi.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "x86 only: host integers have the guest's byte order");

#define ACPI_OEM_ID	  "SNPVMM"
#define ACPI_OEM_REVISION 1
#define ACPI_CREATOR_ID	  "SNPV"
#define ACPI_CREATOR_REV  1

#define ACPI_TABLE_ALIGN 64 /* ours, for readable dumps; only the RSDP needs 16 (§5.2.5.1) */

/* §5.2.5.3: 36 bytes in revision 2; the first checksum covers the ACPI 1.0 part. */
#define RSDP_SIZE	    36
#define RSDP_V1_SIZE	    20
#define RSDP_OFF_CHECKSUM   8
#define RSDP_OFF_OEMID	    9
#define RSDP_OFF_REVISION   15
#define RSDP_OFF_LENGTH	    20
#define RSDP_OFF_XSDT	    24
#define RSDP_OFF_EXT_CHKSUM 32
#define RSDP_REVISION	    2

/* §5.2.6 System Description Table Header. */
#define SDT_HDR_SIZE	     36
#define SDT_OFF_LENGTH	     4
#define SDT_OFF_REVISION     8
#define SDT_OFF_CHECKSUM     9
#define SDT_OFF_OEMID	     10
#define SDT_OFF_OEM_TABLE_ID 16
#define SDT_OFF_OEM_REVISION 24
#define SDT_OFF_CREATOR_ID   28
#define SDT_OFF_CREATOR_REV  32

#define XSDT_REVISION	1
#define XSDT_NR_ENTRIES 2 /* FADT, MADT */
#define XSDT_SIZE	(SDT_HDR_SIZE + XSDT_NR_ENTRIES * 8)

/* §5.2.9 Table 5.9: revision 6 is 276 bytes. */
#define FADT_SIZE		  276
#define FADT_REVISION		  6
#define FADT_MINOR_VERSION	  5 /* ACPI 6.5 */
#define FADT_OFF_IAPC_BOOT	  109
#define FADT_OFF_FLAGS		  112
#define FADT_OFF_MINOR		  131
#define FADT_OFF_X_DSDT		  140
#define FADT_OFF_HYPERVISOR	  268
/* §5.2.9.3 IA-PC Boot Architecture Flags. Firecracker (src/vmm/src/acpi/x86_64.rs
 * setup_arch_fadt) sets VGA Not Present, PCIe ASPM Controls and MSI Not Supported. We keep
 * the first two but not MSI Not Supported: Linux would then disable MSI for good
 * (pci_no_msi()), and our virtio-pci plan needs MSI-X (virtio-snp.md). No "8042" bit:
 * our i8042 only implements the reset line, which reboot=k drives without the driver. */
#define FADT_IAPC_VGA_NOT_PRESENT (1u << 2)
#define FADT_IAPC_PCIE_ASPM	  (1u << 4)
/* §5.2.9 Table 5.10 Fixed Feature Flags. HW_REDUCED_ACPI: there is no PM1/GPE/SCI
 * hardware behind this FADT, so Linux does not look for one. PWR_BUTTON/SLP_BUTTON set
 * mean "no fixed-feature button", as in Firecracker's build_fadt (acpi/mod.rs). */
#define FADT_F_PWR_BUTTON	  (1u << 4)
#define FADT_F_SLP_BUTTON	  (1u << 5)
#define FADT_F_HW_REDUCED_ACPI	  (1u << 20)

/* §5.2.11.1: a DSDT with no AML at all is a valid (empty) definition block. */
#define DSDT_SIZE     SDT_HDR_SIZE
#define DSDT_REVISION 2

/* §5.2.12 MADT. Revision 5 is ACPI 6.3's, the first with the Online Capable bit, which we
 * leave clear: every CPU we list is enabled. */
#define MADT_REVISION	    5
#define MADT_OFF_LAPIC_ADDR 36
#define MADT_OFF_FLAGS	    40
#define MADT_HDR_SIZE	    44
#define MADT_PCAT_COMPAT    1u /* dual 8259s present: Linux masks them */
#define MADT_TYPE_LAPIC	    0
#define MADT_LAPIC_SIZE	    8
#define MADT_LAPIC_ENABLED  1u
#define MADT_TYPE_IOAPIC    1
#define MADT_IOAPIC_SIZE    12

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)(0x100 - sum);
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Fills the common header; the checksum is set by sdt_finish() once the body is written. */
static void sdt_header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev,
		       const char table_id[8])
{
	memcpy(t, sig, 4);
	put32(t + SDT_OFF_LENGTH, len);
	t[SDT_OFF_REVISION] = rev;
	memcpy(t + SDT_OFF_OEMID, ACPI_OEM_ID, 6);
	memcpy(t + SDT_OFF_OEM_TABLE_ID, table_id, 8);
	put32(t + SDT_OFF_OEM_REVISION, ACPI_OEM_REVISION);
	memcpy(t + SDT_OFF_CREATOR_ID, ACPI_CREATOR_ID, 4);
	put32(t + SDT_OFF_CREATOR_REV, ACPI_CREATOR_REV);
}

static void sdt_finish(uint8_t *t, uint32_t len)
{
	t[SDT_OFF_CHECKSUM] = 0;
	t[SDT_OFF_CHECKSUM] = acpi_checksum(t, len);
}

static size_t madt_size(uint32_t nr_cpus)
{
	return MADT_HDR_SIZE + (size_t)nr_cpus * MADT_LAPIC_SIZE + MADT_IOAPIC_SIZE;
}

static void build_madt(uint8_t *t, uint32_t nr_cpus)
{
	uint32_t len = (uint32_t)madt_size(nr_cpus);
	uint8_t *e = t + MADT_HDR_SIZE;
	uint32_t cpu;

	sdt_header(t, "APIC", len, MADT_REVISION, "SNPVMADT");
	put32(t + MADT_OFF_LAPIC_ADDR, ACPI_LAPIC_ADDR);
	put32(t + MADT_OFF_FLAGS, MADT_PCAT_COMPAT);

	/* ACPI processor UID = APIC ID = vCPU index: KVM_CREATE_VCPU's id is the APIC ID. */
	for (cpu = 0; cpu < nr_cpus; cpu++, e += MADT_LAPIC_SIZE) {
		e[0] = MADT_TYPE_LAPIC;
		e[1] = MADT_LAPIC_SIZE;
		e[2] = (uint8_t)cpu;
		e[3] = (uint8_t)cpu;
		put32(e + 4, MADT_LAPIC_ENABLED);
	}

	/* KVM's in-kernel IOAPIC (KVM_CREATE_IRQCHIP) at its default address, GSIs 0..23. */
	e[0] = MADT_TYPE_IOAPIC;
	e[1] = MADT_IOAPIC_SIZE;
	e[2] = 0; /* I/O APIC ID */
	e[3] = 0;
	put32(e + 4, ACPI_IOAPIC_ADDR);
	put32(e + 8, 0); /* global system interrupt base */

	/* No interrupt source override: KVM's default routing (virt/kvm/irqchip.c,
	 * kvm_setup_default_irq_routing) wires each ISA IRQ n, including the in-kernel PIT's
	 * IRQ0, to IOAPIC pin n, which is what Linux assumes when the MADT overrides nothing
	 * (ACPI 6.5 §5.2.12.5). An IRQ0->GSI2 override, as QEMU's MADT has, is only true with
	 * QEMU's KVM_SET_GSI_ROUTING remap (kvm_pc_setup_irq_routing); Firecracker, like us,
	 * keeps the default routing and no override. */

	sdt_finish(t, len);
}

static void build_fadt(uint8_t *t, uint64_t dsdt_gpa)
{
	sdt_header(t, "FACP", FADT_SIZE, FADT_REVISION, "SNPVFADT");
	put16(t + FADT_OFF_IAPC_BOOT, FADT_IAPC_VGA_NOT_PRESENT | FADT_IAPC_PCIE_ASPM);
	put32(t + FADT_OFF_FLAGS, FADT_F_HW_REDUCED_ACPI | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON);
	t[FADT_OFF_MINOR] = FADT_MINOR_VERSION;
	/* Only X_DSDT: "If the X_DSDT field contains a non-zero value ... the DSDT field
	 * must be ignored by the OSPM" (§5.2.9). */
	put64(t + FADT_OFF_X_DSDT, dsdt_gpa);
	memcpy(t + FADT_OFF_HYPERVISOR, "SNPVMM  ", 8);
	sdt_finish(t, FADT_SIZE);
}

int acpi_build(uint8_t *buf, size_t buf_size, uint64_t gpa, uint32_t nr_cpus,
	       uint64_t *ret_rsdp_gpa)
{
	size_t off_xsdt, off_fadt, off_dsdt, off_madt, end;
	uint8_t *rsdp, *xsdt;

	if (nr_cpus < 1 || nr_cpus > ACPI_MAX_CPUS)
		return -EINVAL;

	/* RSDP first, so it sits at `gpa` itself (16-byte aligned if gpa is). */
	off_xsdt = align_up(RSDP_SIZE, ACPI_TABLE_ALIGN);
	off_fadt = align_up(off_xsdt + XSDT_SIZE, ACPI_TABLE_ALIGN);
	off_dsdt = align_up(off_fadt + FADT_SIZE, ACPI_TABLE_ALIGN);
	off_madt = align_up(off_dsdt + DSDT_SIZE, ACPI_TABLE_ALIGN);
	end = off_madt + madt_size(nr_cpus);
	if (end > buf_size)
		return -ENOSPC;
	if (gpa > UINT64_MAX - buf_size)
		return -EINVAL;

	memset(buf, 0, buf_size);

	sdt_header(buf + off_dsdt, "DSDT", DSDT_SIZE, DSDT_REVISION, "SNPVDSDT");
	sdt_finish(buf + off_dsdt, DSDT_SIZE);
	build_fadt(buf + off_fadt, gpa + off_dsdt);
	build_madt(buf + off_madt, nr_cpus);

	xsdt = buf + off_xsdt;
	sdt_header(xsdt, "XSDT", XSDT_SIZE, XSDT_REVISION, "SNPVXSDT");
	put64(xsdt + SDT_HDR_SIZE, gpa + off_fadt);
	put64(xsdt + SDT_HDR_SIZE + 8, gpa + off_madt);
	sdt_finish(xsdt, XSDT_SIZE);

	/* RsdtAddress stays 0: with revision 2 and an XSDT, Linux (ACPICA
	 * acpi_tb_parse_root_table) uses the XSDT. */
	rsdp = buf;
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + RSDP_OFF_OEMID, ACPI_OEM_ID, 6);
	rsdp[RSDP_OFF_REVISION] = RSDP_REVISION;
	put32(rsdp + RSDP_OFF_LENGTH, RSDP_SIZE);
	put64(rsdp + RSDP_OFF_XSDT, gpa + off_xsdt);
	rsdp[RSDP_OFF_CHECKSUM] = acpi_checksum(rsdp, RSDP_V1_SIZE);
	rsdp[RSDP_OFF_EXT_CHKSUM] = acpi_checksum(rsdp, RSDP_SIZE);

	*ret_rsdp_gpa = gpa;
	return 0;
}
