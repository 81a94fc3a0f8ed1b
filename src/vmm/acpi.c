// SPDX-License-Identifier: MIT
/*
 * Byte-level ACPI table builder and a small AML encoder. Offsets are from the ACPI 6.5
 * specification (§5.2.5.3 RSDP, §5.2.6 table header, §5.2.8 XSDT, §5.2.9 FADT, §5.2.10
 * FACS, §5.2.11.1 DSDT, §5.2.12 MADT, §20 AML); writing them byte by byte keeps the output
 * independent of struct padding and host ABI.
 */
#include "vmm/acpi.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "devices/acpi_pm.h"
#include "devices/serial.h"

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
#define FADT_OFF_SCI_INT	  46
#define FADT_OFF_PM1_EVT_LEN	  88
#define FADT_OFF_PM1_CNT_LEN	  89
#define FADT_OFF_P_LVL2_LAT	  96
#define FADT_OFF_P_LVL3_LAT	  98
#define FADT_OFF_IAPC_BOOT	  109
#define FADT_OFF_FLAGS		  112
#define FADT_OFF_RESET_REG	  116
#define FADT_OFF_RESET_VALUE	  128
#define FADT_OFF_MINOR		  131
#define FADT_OFF_X_FACS		  132
#define FADT_OFF_X_DSDT		  140
#define FADT_OFF_X_PM1A_EVT	  148
#define FADT_OFF_X_PM1A_CNT	  172
#define FADT_OFF_HYPERVISOR	  268
/* P_LVL2_LAT > 100 and P_LVL3_LAT > 1000 say C2 and C3 are not supported (§5.2.9). */
#define FADT_NO_C2_LATENCY	  101
#define FADT_NO_C3_LATENCY	  1001
/* §5.2.9.3 IA-PC Boot Architecture Flags. LEGACY_DEVICES: COM1 sits on the ISA ports.
 * VGA Not Present and PCIe ASPM Controls as Firecracker (src/vmm/src/acpi/x86_64.rs
 * setup_arch_fadt); not MSI Not Supported: Linux would then disable MSI for good
 * (pci_no_msi()), and our virtio-pci plan needs MSI-X (virtio-snp.md). CMOS RTC Not
 * Present: there is none, and Linux then registers no rtc_cmos device
 * (arch/x86/kernel/acpi/boot.c acpi_parse_fadt(), Linux 6.1), whose probe of the
 * missing chip costs seconds and logs "rtc_cmos: broken or not accessible". No "8042"
 * bit: our i8042 only implements the reset line, which the reboot path drives without
 * the driver. */
#define FADT_IAPC_LEGACY_DEVICES  (1u << 0)
#define FADT_IAPC_VGA_NOT_PRESENT (1u << 2)
#define FADT_IAPC_PCIE_ASPM	  (1u << 4)
#define FADT_IAPC_NO_CMOS_RTC	  (1u << 5)
/* §5.2.9 Table 5.10 Fixed Feature Flags. Not HW_REDUCED_ACPI: the PM1 blocks and the SCI
 * are real (devices/acpi_pm.c), and Linux on a hardware-reduced platform chooses EFI
 * reboot (arch/x86/kernel/reboot.c reboot_init(): efi_reboot_required() is true exactly
 * when acpi_gbl_reduced_hardware, Linux 6.1), which without EFI falls through to a
 * real-mode BIOS jump that never ends the VM. With a full FADT the default reboot is
 * BOOT_ACPI: acpi_reboot() writes RESET_VALUE to RESET_REG (drivers/acpi/reboot.c).
 * PWR_BUTTON clear: the power button is fixed hardware (PM1 PWRBTN_STS/EN);
 * SLP_BUTTON set: there is no sleep button. */
#define FADT_F_WBINVD		  (1u << 0)
#define FADT_F_PROC_C1		  (1u << 2)
#define FADT_F_SLP_BUTTON	  (1u << 5)
#define FADT_F_RESET_REG_SUP	  (1u << 10)

/* §5.2.3.2 Generic Address Structure. */
#define GAS_SIZE	    12
#define GAS_SPACE_SYSTEM_IO 1
#define GAS_ACCESS_BYTE	    1
#define GAS_ACCESS_WORD	    2

/* §5.2.10 FACS: 64 bytes, 64-byte aligned, no checksum. */
#define FACS_SIZE	 64
#define FACS_OFF_LENGTH	 4
#define FACS_OFF_VERSION 32
#define FACS_VERSION	 2

#define DSDT_REVISION 2 /* 2 and up: integers are 64 bits (§19.6.29 DefinitionBlock) */
#define DSDT_MAX_SIZE 512

/* §5.2.12 MADT. Revision 5 is ACPI 6.3's, the first with the Online Capable bit, which we
 * leave clear: every CPU we list is enabled. */
#define MADT_REVISION		    5
#define MADT_OFF_LAPIC_ADDR	    36
#define MADT_OFF_FLAGS		    40
#define MADT_HDR_SIZE		    44
#define MADT_PCAT_COMPAT	    1u /* dual 8259s present: Linux masks them */
#define MADT_TYPE_LAPIC		    0
#define MADT_LAPIC_SIZE		    8
#define MADT_LAPIC_ENABLED	    1u
#define MADT_TYPE_IOAPIC	    1
#define MADT_IOAPIC_SIZE	    12
#define MADT_TYPE_ISO		    2
#define MADT_ISO_SIZE		    10
/* §5.2.12.5 MPS INTI flags: polarity bits 1:0 (01 active high), trigger bits 3:2 (11
 * level). */
#define MADT_INTI_ACTIVE_HIGH_LEVEL 0x000D

/* AML opcodes (§20.3, §20.2.x) and small resource descriptor tags (§6.4.2). */
#define AML_ZERO_OP	      0x00
#define AML_ONE_OP	      0x01
#define AML_NAME_OP	      0x08
#define AML_BYTE_PREFIX	      0x0A
#define AML_WORD_PREFIX	      0x0B
#define AML_DWORD_PREFIX      0x0C
#define AML_QWORD_PREFIX      0x0E
#define AML_SCOPE_OP	      0x10
#define AML_BUFFER_OP	      0x11
#define AML_PACKAGE_OP	      0x12
#define AML_DUAL_NAME_PREFIX  0x2E
#define AML_MULTI_NAME_PREFIX 0x2F
#define AML_EXT_OP_PREFIX     0x5B
#define AML_DEVICE_OP	      0x82 /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR	      '\\'
#define AML_ONES_OP	      0xFF
#define AML_NAME_SEG_SIZE     4
#define AML_PKG_LENGTH_MAX    4	   /* bytes */
#define AML_RES_IO	      0x47 /* I/O port descriptor, length 7 */
#define AML_RES_IO_DECODE16   0x01
#define AML_RES_IRQ_NOFLAGS   0x22 /* IRQ descriptor, length 2 */
#define AML_RES_END_TAG	      0x79 /* End tag, length 1 */

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

/* ---- AML encoder ---- */

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	*a = (struct aml){ .buf = buf, .cap = cap };
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->failed || n > a->cap - a->len) {
		a->failed = true;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

/* §20.2.2 NameSeg: a lead character (A-Z or _) and three name characters (A-Z, 0-9, _). */
static bool aml_is_name_seg(const char *s)
{
	unsigned int i;

	for (i = 0; i < AML_NAME_SEG_SIZE; i++) {
		char c = s[i];
		bool lead = (c >= 'A' && c <= 'Z') || c == '_';

		if (!lead && (i == 0 || c < '0' || c > '9'))
			return false;
	}
	return true;
}

void aml_name_string(struct aml *a, const char *path)
{
	size_t len, nr_segs, i;

	if (*path == AML_ROOT_CHAR) {
		aml_byte(a, AML_ROOT_CHAR);
		path++;
	}
	/* NAME.NAME.NAME: 4 characters per segment, one separator between segments. */
	len = strlen(path);
	nr_segs = (len + 1) / (AML_NAME_SEG_SIZE + 1);
	if (nr_segs == 0 || nr_segs > 255 || nr_segs * (AML_NAME_SEG_SIZE + 1) - 1 != len) {
		a->failed = true;
		return;
	}
	for (i = 0; i < nr_segs; i++) {
		const char *seg = path + i * (AML_NAME_SEG_SIZE + 1);

		if (!aml_is_name_seg(seg) || (i + 1 < nr_segs && seg[AML_NAME_SEG_SIZE] != '.')) {
			a->failed = true;
			return;
		}
	}
	/* §20.2.2 NamePath: one NameSeg, DualNamePath or MultiNamePath. */
	if (nr_segs == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nr_segs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)nr_segs);
	}
	for (i = 0; i < nr_segs; i++)
		aml_bytes(a, path + i * (AML_NAME_SEG_SIZE + 1), AML_NAME_SEG_SIZE);
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t le[8];

	memcpy(le, &v, sizeof(le));
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v == UINT64_MAX) {
		aml_byte(a, AML_ONES_OP); /* all ones with a revision-2 DSDT's 64-bit integers */
	} else if (v <= UINT8_MAX) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_bytes(a, le, 1);
	} else if (v <= UINT16_MAX) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_bytes(a, le, 2);
	} else if (v <= UINT32_MAX) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_bytes(a, le, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_bytes(a, le, 8);
	}
}

/*
 * §20.2.4: PkgLength counts itself. Up to 63 it is one byte; beyond, bits 7:6 of the lead
 * byte give the number of bytes that follow (1..3), its bits 3:0 the least significant
 * nibble, and each following byte the next 8 bits: 12, 20 or 28 bits in all.
 */
size_t aml_pkg_length(uint8_t out[AML_PKG_LENGTH_MAX], size_t content_len)
{
	size_t n, total, i;

	if (content_len + 1 <= 0x3f) {
		out[0] = (uint8_t)(content_len + 1);
		return 1;
	}
	for (n = 2; n <= AML_PKG_LENGTH_MAX; n++) {
		total = content_len + n;
		if (total < (1ULL << (4 + 8 * (n - 1))))
			break;
	}
	if (n > AML_PKG_LENGTH_MAX)
		return 0;
	out[0] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
	for (i = 1; i < n; i++)
		out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	return n;
}

size_t aml_pkg_begin(struct aml *a)
{
	static const uint8_t room[AML_PKG_LENGTH_MAX];
	size_t mark = a->len;

	/* Room for the longest PkgLength; aml_pkg_end() moves the body down over what the
	 * actual length does not need. */
	aml_bytes(a, room, sizeof(room));
	return mark;
}

void aml_pkg_end(struct aml *a, size_t mark)
{
	uint8_t enc[AML_PKG_LENGTH_MAX];
	size_t body, content, n;

	if (a->failed)
		return;
	body = mark + AML_PKG_LENGTH_MAX;
	content = a->len - body;
	n = aml_pkg_length(enc, content);
	if (!n) {
		a->failed = true;
		return;
	}
	memcpy(a->buf + mark, enc, n);
	memmove(a->buf + mark + n, a->buf + body, content);
	a->len = mark + n + content;
}

void aml_name_integer(struct aml *a, const char *name, uint64_t v)
{
	aml_byte(a, AML_NAME_OP);
	aml_name_string(a, name);
	aml_integer(a, v);
}

/* §6.1.5 _HID: "EisaId" compresses three uppercase letters into 5 bits each (letter -
 * 0x40) of a big-endian 16-bit word, followed by the 4 hex digits of the product number,
 * big-endian too. */
uint32_t aml_eisa_id(const char *id)
{
	uint8_t bytes[4];
	uint16_t mfg = 0;
	uint32_t v;
	int i;

	if (strlen(id) != 7)
		return 0;
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return 0;
		mfg = (uint16_t)(mfg << 5 | (id[i] - 0x40));
	}
	for (i = 3; i < 7; i++) {
		char c = id[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	bytes[0] = (uint8_t)(mfg >> 8);
	bytes[1] = (uint8_t)mfg;
	for (i = 0; i < 2; i++) {
		char hi = id[3 + 2 * i], lo = id[4 + 2 * i];

		bytes[2 + i] = (uint8_t)(((hi <= '9' ? hi - '0' : hi - 'A' + 10) << 4) |
					 (lo <= '9' ? lo - '0' : lo - 'A' + 10));
	}
	memcpy(&v, bytes, sizeof(v));
	return v;
}

void aml_name_eisa_id(struct aml *a, const char *name, const char *eisa_id)
{
	uint32_t id = aml_eisa_id(eisa_id);
	uint8_t le[4];

	if (!id) {
		a->failed = true;
		return;
	}
	memcpy(le, &id, sizeof(le));
	aml_byte(a, AML_NAME_OP);
	aml_name_string(a, name);
	aml_byte(a, AML_DWORD_PREFIX); /* always a DWordConst, as ASL compilers emit it */
	aml_bytes(a, le, sizeof(le));
}

void aml_name_buffer(struct aml *a, const char *name, const uint8_t *bytes, size_t n)
{
	size_t mark;

	aml_byte(a, AML_NAME_OP);
	aml_name_string(a, name);
	aml_byte(a, AML_BUFFER_OP);
	mark = aml_pkg_begin(a);
	aml_integer(a, n); /* BufferSize */
	aml_bytes(a, bytes, n);
	aml_pkg_end(a, mark);
}

size_t aml_scope_begin(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_SCOPE_OP);
	mark = aml_pkg_begin(a);
	aml_name_string(a, name);
	return mark;
}

size_t aml_device_begin(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	mark = aml_pkg_begin(a);
	aml_name_string(a, name);
	return mark;
}

size_t aml_package_begin(struct aml *a, uint8_t nr_elements)
{
	size_t mark;

	aml_byte(a, AML_PACKAGE_OP);
	mark = aml_pkg_begin(a);
	aml_byte(a, nr_elements);
	return mark;
}

/* §6.4.2.5 I/O Port Descriptor: info (bit 0: 16-bit decode), minimum and maximum base,
 * alignment, length. A fixed port has minimum = maximum; the alignment then says
 * nothing and is 1. */
void aml_res_io_fixed16(struct aml *a, uint16_t base, uint8_t len)
{
	uint8_t d[8] = { AML_RES_IO, AML_RES_IO_DECODE16, 0, 0, 0, 0, 1, len };

	put16(d + 2, base);
	put16(d + 4, base);
	aml_bytes(a, d, sizeof(d));
}

/* §6.4.2.1 IRQ Descriptor without the information byte: a 16-bit mask of ISA IRQs,
 * which means edge-triggered, active high, not shared. */
void aml_res_irq_noflags(struct aml *a, uint8_t irq)
{
	uint8_t d[3] = { AML_RES_IRQ_NOFLAGS, 0, 0 };

	if (irq > 15) {
		a->failed = true;
		return;
	}
	put16(d + 1, (uint16_t)(1u << irq));
	aml_bytes(a, d, sizeof(d));
}

/* §6.4.2.9 End Tag: a checksum of 0 means "valid, not computed". */
void aml_res_end(struct aml *a)
{
	static const uint8_t d[2] = { AML_RES_END_TAG, 0 };

	aml_bytes(a, d, sizeof(d));
}

/* ---- tables ---- */

/*
 * The DSDT's definition block (ASL):
 *
 *   Scope (\_SB) {
 *       Device (COM1) {
 *           Name (_HID, EisaId ("PNP0501"))    16550A-compatible serial port
 *           Name (_UID, One)
 *           Name (_CRS, ResourceTemplate () {
 *               IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
 *               IRQNoFlags () {4}
 *           })
 *       }
 *   }
 *   Name (_S5, Package (4) { 5, 5, Zero, Zero })   SLP_TYPa, SLP_TYPb, reserved
 *
 * COM1 gives Linux's 8250_pnp the port's IRQ, which makes the kernel map ISA IRQ 4
 * through the IOAPIC (acpi_register_gsi) for the tty's interrupt-driven output; \_S5
 * makes acpi_sleep_state_supported(ACPI_STATE_S5) true (drivers/acpi/sleep.c), so Linux
 * registers acpi_power_off as its power-off handler.
 */
static size_t build_dsdt_aml(uint8_t *buf, size_t cap)
{
	uint8_t crs_bytes[16];
	struct aml crs, a;
	size_t scope, dev, pkg;

	aml_init(&crs, crs_bytes, sizeof(crs_bytes));
	aml_res_io_fixed16(&crs, SERIAL_COM1_BASE, SERIAL_NR_REGS);
	aml_res_irq_noflags(&crs, SERIAL_COM1_IRQ);
	aml_res_end(&crs);

	aml_init(&a, buf, cap);
	scope = aml_scope_begin(&a, "\\_SB_");
	dev = aml_device_begin(&a, "COM1");
	aml_name_eisa_id(&a, "_HID", "PNP0501");
	aml_name_integer(&a, "_UID", 1);
	aml_name_buffer(&a, "_CRS", crs_bytes, crs.len);
	aml_pkg_end(&a, dev);
	aml_pkg_end(&a, scope);

	aml_byte(&a, AML_NAME_OP);
	aml_name_string(&a, "_S5_");
	pkg = aml_package_begin(&a, 4);
	aml_integer(&a, ACPI_PM_SLP_TYP_S5);
	aml_integer(&a, ACPI_PM_SLP_TYP_S5);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_pkg_end(&a, pkg);

	return crs.failed || a.failed ? 0 : a.len;
}

static size_t madt_size(uint32_t nr_cpus)
{
	return MADT_HDR_SIZE + (size_t)nr_cpus * MADT_LAPIC_SIZE + MADT_IOAPIC_SIZE + MADT_ISO_SIZE;
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
	e += MADT_IOAPIC_SIZE;

	/* The SCI, ISA IRQ 9 on GSI 9, is level-triggered and active high: what the ACPI PM
	 * device drives through KVM_IRQ_LINE (1 = asserted, api.rst 4.25). Without this entry
	 * Linux would program the SCI level-triggered active low (arch/x86/kernel/acpi/boot.c
	 * acpi_sci_ioapic_setup(), Linux 6.1); QEMU's MADT declares the same override. */
	e[0] = MADT_TYPE_ISO;
	e[1] = MADT_ISO_SIZE;
	e[2] = 0; /* bus: ISA */
	e[3] = ACPI_PM_SCI_IRQ;
	put32(e + 4, ACPI_PM_SCI_IRQ);
	put16(e + 8, MADT_INTI_ACTIVE_HIGH_LEVEL);

	/* No other override: KVM's default routing (virt/kvm/irqchip.c,
	 * kvm_setup_default_irq_routing) wires each ISA IRQ n, including the in-kernel PIT's
	 * IRQ0 and COM1's IRQ 4, to IOAPIC pin n, which is what Linux assumes when the MADT
	 * overrides nothing (ACPI 6.5 §5.2.12.5). An IRQ0->GSI2 override, as QEMU's MADT has,
	 * is only true with QEMU's KVM_SET_GSI_ROUTING remap (kvm_pc_setup_irq_routing);
	 * Firecracker, like us, keeps the default routing and no override. */

	sdt_finish(t, len);
}

static void put_gas_io(uint8_t *p, uint8_t bit_width, uint8_t access_size, uint16_t port)
{
	p[0] = GAS_SPACE_SYSTEM_IO;
	p[1] = bit_width;
	p[2] = 0; /* bit offset */
	p[3] = access_size;
	put64(p + 4, port);
}

static void build_fadt(uint8_t *t, uint64_t dsdt_gpa, uint64_t facs_gpa)
{
	sdt_header(t, "FACP", FADT_SIZE, FADT_REVISION, "SNPVFADT");
	put16(t + FADT_OFF_SCI_INT, ACPI_PM_SCI_IRQ);
	/* SMI_CMD, ACPI_ENABLE, ACPI_DISABLE stay 0: "the system does not support mode
	 * transition", it is always in ACPI mode (§5.2.9; ACPICA acpi_hw_get_mode()). */
	t[FADT_OFF_PM1_EVT_LEN] = ACPI_PM1_EVT_LEN;
	t[FADT_OFF_PM1_CNT_LEN] = ACPI_PM1_CNT_LEN;
	/* No PM timer, no GPE blocks, no PM2 block: their lengths stay 0 (the PM timer is
	 * optional since ACPI 5.0A; ACPICA's fadt_info_table marks it so). */
	put16(t + FADT_OFF_P_LVL2_LAT, FADT_NO_C2_LATENCY);
	put16(t + FADT_OFF_P_LVL3_LAT, FADT_NO_C3_LATENCY);
	put16(t + FADT_OFF_IAPC_BOOT, FADT_IAPC_LEGACY_DEVICES | FADT_IAPC_VGA_NOT_PRESENT |
					      FADT_IAPC_PCIE_ASPM | FADT_IAPC_NO_CMOS_RTC);
	put32(t + FADT_OFF_FLAGS,
	      FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON | FADT_F_RESET_REG_SUP);
	put_gas_io(t + FADT_OFF_RESET_REG, 8, GAS_ACCESS_BYTE,
		   ACPI_PM_IO_BASE + ACPI_PM_RESET_OFFSET);
	t[FADT_OFF_RESET_VALUE] = ACPI_PM_RESET_VALUE;
	t[FADT_OFF_MINOR] = FADT_MINOR_VERSION;
	/* Only the 64-bit X_ fields: "If the X_FIRMWARE_CTRL field contains a non zero value
	 * then [FIRMWARE_CTRL] must be zero", and with X_DSDT set the DSDT field is ignored
	 * (§5.2.9); ACPICA takes a 64-bit address over a zero 32-bit one
	 * (acpi_tb_convert_fadt). */
	put64(t + FADT_OFF_X_FACS, facs_gpa);
	put64(t + FADT_OFF_X_DSDT, dsdt_gpa);
	put_gas_io(t + FADT_OFF_X_PM1A_EVT, ACPI_PM1_EVT_LEN * 8, GAS_ACCESS_WORD,
		   ACPI_PM_IO_BASE + ACPI_PM1_EVT_OFFSET);
	put_gas_io(t + FADT_OFF_X_PM1A_CNT, ACPI_PM1_CNT_LEN * 8, GAS_ACCESS_WORD,
		   ACPI_PM_IO_BASE + ACPI_PM1_CNT_OFFSET);
	memcpy(t + FADT_OFF_HYPERVISOR, "SNPVMM  ", 8);
	sdt_finish(t, FADT_SIZE);
}

/* §5.2.10: hardware signature 0 (it never changes), waking vectors 0 (no S1-S4), global
 * lock free, no flags (no S4BIOS, no 64-bit wake). */
static void build_facs(uint8_t *t)
{
	memcpy(t, "FACS", 4);
	put32(t + FACS_OFF_LENGTH, FACS_SIZE);
	t[FACS_OFF_VERSION] = FACS_VERSION;
}

int acpi_build(uint8_t *buf, size_t buf_size, uint64_t gpa, uint32_t nr_cpus,
	       uint64_t *ret_rsdp_gpa)
{
	size_t off_xsdt, off_fadt, off_dsdt, off_madt, dsdt_size, end;
	uint8_t *rsdp, *xsdt;

	if (nr_cpus < 1 || nr_cpus > ACPI_MAX_CPUS)
		return -EINVAL;
	if (buf_size < ACPI_NVS_OFFSET + ACPI_NVS_SIZE)
		return -ENOSPC;
	if (gpa > UINT64_MAX - buf_size)
		return -EINVAL;

	memset(buf, 0, buf_size);

	/* RSDP first, so it sits at `gpa` itself (16-byte aligned if gpa is). */
	off_xsdt = align_up(RSDP_SIZE, ACPI_TABLE_ALIGN);
	off_fadt = align_up(off_xsdt + XSDT_SIZE, ACPI_TABLE_ALIGN);
	off_dsdt = align_up(off_fadt + FADT_SIZE, ACPI_TABLE_ALIGN);
	dsdt_size = build_dsdt_aml(buf + off_dsdt + SDT_HDR_SIZE, DSDT_MAX_SIZE);
	if (!dsdt_size)
		return -ENOSPC;
	dsdt_size += SDT_HDR_SIZE;
	off_madt = align_up(off_dsdt + dsdt_size, ACPI_TABLE_ALIGN);
	end = off_madt + madt_size(nr_cpus);
	if (end > ACPI_NVS_OFFSET)
		return -ENOSPC;

	sdt_header(buf + off_dsdt, "DSDT", (uint32_t)dsdt_size, DSDT_REVISION, "SNPVDSDT");
	sdt_finish(buf + off_dsdt, (uint32_t)dsdt_size);
	build_facs(buf + ACPI_NVS_OFFSET);
	build_fadt(buf + off_fadt, gpa + off_dsdt, gpa + ACPI_NVS_OFFSET);
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
