// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/acpi.h"

#define ACPI_GPA  0xA000ULL
#define ACPI_SIZE 0x4000

struct fixture {
	uint8_t buf[ACPI_SIZE];
	uint8_t other[ACPI_SIZE];
	uint64_t rsdp_gpa;
};

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* The table at guest-physical `gpa` inside the fixture buffer. */
static const uint8_t *at(const struct fixture *f, uint64_t gpa)
{
	assert_true(gpa >= ACPI_GPA && gpa < ACPI_GPA + ACPI_SIZE);
	return f->buf + (gpa - ACPI_GPA);
}

static const uint8_t *xsdt(const struct fixture *f)
{
	return at(f, get64(at(f, f->rsdp_gpa) + 24));
}

static const uint8_t *xsdt_entry(const struct fixture *f, unsigned int i)
{
	return at(f, get64(xsdt(f) + 36 + 8 * i));
}

static const uint8_t *fadt(const struct fixture *f)
{
	return xsdt_entry(f, 0);
}

static const uint8_t *madt(const struct fixture *f)
{
	return xsdt_entry(f, 1);
}

static const uint8_t *dsdt(const struct fixture *f)
{
	return at(f, get64(fadt(f) + 140));
}

/* Counts MADT entries of `type`, and checks the entries tile the table exactly. */
static unsigned int madt_count(const uint8_t *m, uint8_t type)
{
	uint32_t len = get32(m + 4), off = 44;
	unsigned int n = 0;

	while (off < len) {
		assert_true(m[off + 1] >= 2);
		n += m[off] == type;
		off += m[off + 1];
	}
	assert_int_equal(off, len);
	return n;
}

/* The nth (from 0) MADT entry of `type`. */
static const uint8_t *madt_find(const uint8_t *m, uint8_t type, unsigned int nth)
{
	uint32_t len = get32(m + 4), off = 44;

	while (off < len) {
		if (m[off] == type && nth-- == 0)
			return m + off;
		off += m[off + 1];
	}
	fail_msg("no MADT entry of type %u", type);
	return NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void build(struct fixture *f, uint32_t nr_cpus)
{
	assert_int_equal(acpi_build(f->buf, ACPI_SIZE, ACPI_GPA, nr_cpus, &f->rsdp_gpa), 0);
}

static void test_acpi_rsdp_at_buffer_start_with_signature(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_int_equal(f->rsdp_gpa, ACPI_GPA);
	assert_memory_equal(f->buf, "RSD PTR ", 8);
	assert_int_equal(f->buf[15], 2);
	assert_int_equal(get32(f->buf + 20), 36);
	assert_memory_equal(f->buf + 9, "SNPVMM", 6);
}

static void test_acpi_rsdp_checksums_valid(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_int_equal(sum(f->buf, 20), 0);
	assert_int_equal(sum(f->buf, 36), 0);
}

static void test_acpi_rsdp_points_to_xsdt_points_to_fadt_and_madt(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_memory_equal(xsdt(f), "XSDT", 4);
	assert_int_equal(get32(xsdt(f) + 4), 36 + 2 * 8);
	assert_memory_equal(fadt(f), "FACP", 4);
	assert_memory_equal(madt(f), "APIC", 4);
}

static void test_acpi_all_table_checksums_valid(void **state)
{
	struct fixture *f = *state;

	build(f, 2);

	assert_int_equal(sum(xsdt(f), get32(xsdt(f) + 4)), 0);
	assert_int_equal(sum(fadt(f), get32(fadt(f) + 4)), 0);
	assert_int_equal(sum(dsdt(f), get32(dsdt(f) + 4)), 0);
	assert_int_equal(sum(madt(f), get32(madt(f) + 4)), 0);
}

static void test_acpi_all_tables_carry_oem_id(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_memory_equal(xsdt(f) + 10, "SNPVMM", 6);
	assert_memory_equal(fadt(f) + 10, "SNPVMM", 6);
	assert_memory_equal(dsdt(f) + 10, "SNPVMM", 6);
	assert_memory_equal(madt(f) + 10, "SNPVMM", 6);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void test_acpi_fadt_rev6_full_acpi_with_x_dsdt(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_int_equal(get32(fadt(f) + 4), 276);
	assert_int_equal(fadt(f)[8], 6);
	assert_int_equal(fadt(f)[131], 5);		 /* minor version: ACPI 6.5 */
	assert_false(get32(fadt(f) + 112) & (1u << 20)); /* not HW_REDUCED_ACPI */
	assert_int_equal(get32(fadt(f) + 40), 0);	 /* 32-bit DSDT: X_DSDT is used */
	assert_memory_equal(dsdt(f), "DSDT", 4);
}

static void test_acpi_fadt_flags_wbinvd_c1_no_sleep_button_reset_reg(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	/* WBINVD (0), PROC_C1 (2), SLP_BUTTON (5), RESET_REG_SUP (10); PWR_BUTTON (4) clear:
	 * the power button is fixed hardware. */
	assert_int_equal(get32(fadt(f) + 112), (1u << 0) | (1u << 2) | (1u << 5) | (1u << 10));
}

static void test_acpi_fadt_iapc_boot_arch_legacy_no_vga_aspm_no_cmos_rtc(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_int_equal(get16(fadt(f) + 109), (1u << 0) | (1u << 2) | (1u << 4) | (1u << 5));
}

static void test_acpi_fadt_sci_on_irq9_and_no_smi_command(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_int_equal(get16(fadt(f) + 46), 9);
	assert_int_equal(get32(fadt(f) + 48), 0); /* SMI_CMD: always in ACPI mode */
	assert_int_equal(fadt(f)[52], 0);	  /* ACPI_ENABLE */
	assert_int_equal(fadt(f)[53], 0);	  /* ACPI_DISABLE */
}

static void test_acpi_fadt_pm1a_blocks_are_system_io_at_0x600(void **state)
{
	struct fixture *f = *state;
	/* GAS: space 1 (system I/O), bit width, bit offset 0, access size 2 (word), address */
	static const uint8_t evt[12] = { 1, 32, 0, 2, 0x00, 0x06, 0, 0, 0, 0, 0, 0 };
	static const uint8_t cnt[12] = { 1, 16, 0, 2, 0x04, 0x06, 0, 0, 0, 0, 0, 0 };

	build(f, 1);

	assert_memory_equal(fadt(f) + 148, evt, sizeof(evt)); /* X_PM1a_EVT_BLK */
	assert_memory_equal(fadt(f) + 172, cnt, sizeof(cnt)); /* X_PM1a_CNT_BLK */
	assert_int_equal(fadt(f)[88], 4);		      /* PM1_EVT_LEN */
	assert_int_equal(fadt(f)[89], 2);		      /* PM1_CNT_LEN */
	assert_int_equal(get32(fadt(f) + 56), 0); /* 32-bit PM1a_EVT_BLK: the X field is used */
	assert_int_equal(get32(fadt(f) + 64), 0); /* 32-bit PM1a_CNT_BLK */
}

static void test_acpi_fadt_has_no_pm_timer_gpe_or_pm2_block(void **state)
{
	struct fixture *f = *state;
	static const uint8_t none[12];

	build(f, 1);

	assert_int_equal(fadt(f)[90], 0);			/* PM2_CNT_LEN */
	assert_int_equal(fadt(f)[91], 0);			/* PM_TMR_LEN */
	assert_int_equal(fadt(f)[92], 0);			/* GPE0_BLK_LEN */
	assert_int_equal(fadt(f)[93], 0);			/* GPE1_BLK_LEN */
	assert_memory_equal(fadt(f) + 208, none, sizeof(none)); /* X_PM_TMR_BLK */
}

static void test_acpi_fadt_c2_c3_latencies_say_unsupported(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_true(get16(fadt(f) + 96) > 100);
	assert_true(get16(fadt(f) + 98) > 1000);
}

static void test_acpi_fadt_reset_register_is_io_byte_0x606_value_1(void **state)
{
	struct fixture *f = *state;
	static const uint8_t reset_reg[12] = { 1, 8, 0, 1, 0x06, 0x06, 0, 0, 0, 0, 0, 0 };

	build(f, 1);

	assert_memory_equal(fadt(f) + 116, reset_reg, sizeof(reset_reg));
	assert_int_equal(fadt(f)[128], 1);
}

static void test_acpi_fadt_x_firmware_ctrl_points_at_facs_in_last_page(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_int_equal(get32(fadt(f) + 36), 0); /* FIRMWARE_CTRL must be 0 with X_ set */
	assert_int_equal(get64(fadt(f) + 132), ACPI_GPA + ACPI_NVS_OFFSET);
}

static void test_acpi_facs_is_64_bytes_version_2_lock_free(void **state)
{
	struct fixture *f = *state;
	uint8_t expect[64] = { 'F', 'A', 'C', 'S', 64 };
	expect[32] = 2;

	build(f, 2);

	assert_memory_equal(f->buf + ACPI_NVS_OFFSET, expect, sizeof(expect));
	assert_int_equal((ACPI_GPA + ACPI_NVS_OFFSET) % 64, 0);
}

/*
 * The DSDT's AML, byte for byte, hand-encoded from ACPI 6.5 §20 (opcodes, NameString,
 * PkgLength) and §6.4.2 (resource descriptors):
 *
 *   Scope (\_SB) { Device (COM1) { Name (_HID, EisaId ("PNP0501")) Name (_UID, One)
 *       Name (_CRS, ResourceTemplate () { IO (Decode16, 0x3F8, 0x3F8, 1, 8)
 *                                        IRQNoFlags () {4} }) } }
 *   Name (_S5, Package (4) { 5, 5, Zero, Zero })
 */
static const uint8_t expected_dsdt_aml[] = {
	0x10, 0x33, '\\', '_',	'S',  'B',  '_', /* ScopeOp PkgLength(51) \_SB_ */
	0x5B, 0x82, 0x2B, 'C',	'O',  'M',  '1', /* DeviceOp PkgLength(43) COM1 */
	0x08, '_',  'H',  'I',	'D',  0x0C, 0x41, 0xD0, 0x05, 0x01, /* _HID DWord 0x0105D041 */
	0x08, '_',  'U',  'I',	'D',  0x01,			    /* _UID OneOp */
	0x08, '_',  'C',  'R',	'S',  0x11, 0x10, 0x0A, 0x0D, /* _CRS BufferOp PkgLength(16) 13 */
	0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08,	      /* IO Decode16 0x3F8..0x3F8 a1 l8 */
	0x22, 0x10, 0x00,				      /* IRQNoFlags mask 1 << 4 */
	0x79, 0x00,					      /* End tag */
	0x08, '_',  'S',  '5',	'_',  0x12, 0x08, 0x04,	      /* _S5_ PackageOp PkgLength(8) 4 */
	0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00,		      /* 5, 5, Zero, Zero */
};

static void test_acpi_dsdt_aml_declares_com1_and_s5_byte_for_byte(void **state)
{
	struct fixture *f = *state;

	build(f, 2);

	assert_int_equal(get32(dsdt(f) + 4), 36 + sizeof(expected_dsdt_aml));
	assert_int_equal(dsdt(f)[8], 2); /* revision 2: 64-bit integers */
	assert_memory_equal(dsdt(f) + 36, expected_dsdt_aml, sizeof(expected_dsdt_aml));
}

static void test_acpi_madt_one_cpu_has_one_lapic(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_int_equal(madt_count(madt(f), 0), 1);
}

static void test_acpi_madt_two_cpus_have_two_lapics(void **state)
{
	struct fixture *f = *state;

	build(f, 2);

	assert_int_equal(madt_count(madt(f), 0), 2);
}

static void test_acpi_madt_255_cpus_have_255_lapics(void **state)
{
	struct fixture *f = *state;

	build(f, 255);

	assert_int_equal(madt_count(madt(f), 0), 255);
	assert_int_equal(get32(madt(f) + 4), 44 + 255 * 8 + 12 + 10);
	assert_int_equal(sum(madt(f), get32(madt(f) + 4)), 0);
}

static void test_acpi_madt_lapic_ids_equal_index_and_enabled(void **state)
{
	struct fixture *f = *state;
	const uint8_t *lapic;

	build(f, 3);
	lapic = madt_find(madt(f), 0, 2);

	assert_int_equal(lapic[1], 8);
	assert_int_equal(lapic[2], 2); /* ACPI processor UID */
	assert_int_equal(lapic[3], 2); /* APIC ID */
	assert_int_equal(get32(lapic + 4), 1);
}

static void test_acpi_madt_header_lapic_addr_and_pcat_compat(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_int_equal(get32(madt(f) + 36), 0xFEE00000);
	assert_int_equal(get32(madt(f) + 40), 1);
}

static void test_acpi_madt_has_ioapic_at_fec00000(void **state)
{
	struct fixture *f = *state;
	const uint8_t *io;

	build(f, 2);
	io = madt_find(madt(f), 1, 0);

	assert_int_equal(madt_count(madt(f), 1), 1);
	assert_int_equal(io[1], 12);
	assert_int_equal(io[2], 0);
	assert_int_equal(get32(io + 4), 0xFEC00000);
	assert_int_equal(get32(io + 8), 0);
}

static void test_acpi_madt_overrides_only_irq9_as_level_active_high(void **state)
{
	struct fixture *f = *state;
	const uint8_t *iso;

	build(f, 2);
	iso = madt_find(madt(f), 2, 0);

	assert_int_equal(madt_count(madt(f), 2), 1);
	assert_int_equal(iso[1], 10);
	assert_int_equal(iso[2], 0);		  /* bus: ISA */
	assert_int_equal(iso[3], 9);		  /* source: IRQ 9 */
	assert_int_equal(get32(iso + 4), 9);	  /* GSI 9 */
	assert_int_equal(get16(iso + 8), 0x000D); /* active high (01), level (11) */
}

static void test_acpi_same_input_gives_same_bytes(void **state)
{
	struct fixture *f = *state;
	uint64_t rsdp;
	memset(f->other, 0xA5, sizeof(f->other));

	build(f, 4);
	assert_int_equal(acpi_build(f->other, ACPI_SIZE, ACPI_GPA, 4, &rsdp), 0);

	assert_memory_equal(f->buf, f->other, ACPI_SIZE);
}

static void test_acpi_zero_cpus_returns_einval(void **state)
{
	struct fixture *f = *state;

	int r = acpi_build(f->buf, ACPI_SIZE, ACPI_GPA, 0, &f->rsdp_gpa);

	assert_int_equal(r, -EINVAL);
}

static void test_acpi_256_cpus_returns_einval(void **state)
{
	struct fixture *f = *state;

	int r = acpi_build(f->buf, ACPI_SIZE, ACPI_GPA, 256, &f->rsdp_gpa);

	assert_int_equal(r, -EINVAL);
}

static void test_acpi_small_buffer_returns_enospc(void **state)
{
	struct fixture *f = *state;

	int r = acpi_build(f->buf, 0x200, ACPI_GPA, 1, &f->rsdp_gpa);

	assert_int_equal(r, -ENOSPC);
}

/* ---- AML encoder ---- */

static size_t encode(uint8_t *out, size_t cap, void (*fn)(struct aml *, uint64_t), uint64_t v)
{
	struct aml a;

	aml_init(&a, out, cap);
	fn(&a, v);
	assert_false(a.failed);
	return a.len;
}

static void test_aml_integer_uses_const_ops_for_0_1_and_ones(void **state)
{
	uint8_t out[16];

	assert_int_equal(encode(out, sizeof(out), aml_integer, 0), 1);
	assert_int_equal(out[0], 0x00); /* ZeroOp */
	assert_int_equal(encode(out, sizeof(out), aml_integer, 1), 1);
	assert_int_equal(out[0], 0x01); /* OneOp */
	assert_int_equal(encode(out, sizeof(out), aml_integer, UINT64_MAX), 1);
	assert_int_equal(out[0], 0xFF); /* OnesOp */
}

static void test_aml_integer_picks_the_smallest_prefix(void **state)
{
	static const uint8_t b[] = { 0x0A, 0xFF };
	static const uint8_t w[] = { 0x0B, 0x00, 0x01 };
	static const uint8_t w_max[] = { 0x0B, 0xFF, 0xFF };
	static const uint8_t d[] = { 0x0C, 0x00, 0x00, 0x01, 0x00 };
	static const uint8_t d_max[] = { 0x0C, 0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t q[] = { 0x0E, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 };
	uint8_t out[16];

	assert_int_equal(encode(out, sizeof(out), aml_integer, 0xFF), sizeof(b));
	assert_memory_equal(out, b, sizeof(b));
	assert_int_equal(encode(out, sizeof(out), aml_integer, 0x100), sizeof(w));
	assert_memory_equal(out, w, sizeof(w));
	assert_int_equal(encode(out, sizeof(out), aml_integer, 0xFFFF), sizeof(w_max));
	assert_memory_equal(out, w_max, sizeof(w_max));
	assert_int_equal(encode(out, sizeof(out), aml_integer, 0x10000), sizeof(d));
	assert_memory_equal(out, d, sizeof(d));
	assert_int_equal(encode(out, sizeof(out), aml_integer, 0xFFFFFFFF), sizeof(d_max));
	assert_memory_equal(out, d_max, sizeof(d_max));
	assert_int_equal(encode(out, sizeof(out), aml_integer, 0x100000000ULL), sizeof(q));
	assert_memory_equal(out, q, sizeof(q));
}

/* §20.2.4: one byte holds totals up to 63; 2, 3 and 4 bytes hold 12, 20 and 28 bits. */
static void test_aml_pkg_length_one_byte_up_to_63(void **state)
{
	uint8_t out[4];

	assert_int_equal(aml_pkg_length(out, 0), 1);
	assert_int_equal(out[0], 0x01);
	assert_int_equal(aml_pkg_length(out, 62), 1);
	assert_int_equal(out[0], 0x3F);
}

static void test_aml_pkg_length_two_bytes_from_65(void **state)
{
	static const uint8_t at65[] = { 0x41, 0x04 };	/* total 0x041: nibble 1, one more byte */
	static const uint8_t at4095[] = { 0x4F, 0xFF }; /* total 0xFFF */
	uint8_t out[4];

	assert_int_equal(aml_pkg_length(out, 63), 2);
	assert_memory_equal(out, at65, sizeof(at65));
	assert_int_equal(aml_pkg_length(out, 4095 - 2), 2);
	assert_memory_equal(out, at4095, sizeof(at4095));
}

static void test_aml_pkg_length_three_and_four_bytes_then_too_long(void **state)
{
	static const uint8_t at4097[] = { 0x81, 0x00, 0x01 };	     /* total 0x1001 */
	static const uint8_t at_3max[] = { 0x8F, 0xFF, 0xFF };	     /* total 0xFFFFF */
	static const uint8_t at_4min[] = { 0xC1, 0x00, 0x00, 0x01 }; /* total 0x100001 */
	static const uint8_t at_max[] = { 0xCF, 0xFF, 0xFF, 0xFF };  /* total 0xFFFFFFF */
	uint8_t out[4];

	assert_int_equal(aml_pkg_length(out, 4095 - 1), 3);
	assert_memory_equal(out, at4097, sizeof(at4097));
	assert_int_equal(aml_pkg_length(out, 0xFFFFF - 3), 3);
	assert_memory_equal(out, at_3max, sizeof(at_3max));
	assert_int_equal(aml_pkg_length(out, 0xFFFFF - 2), 4);
	assert_memory_equal(out, at_4min, sizeof(at_4min));
	assert_int_equal(aml_pkg_length(out, 0xFFFFFFF - 4), 4);
	assert_memory_equal(out, at_max, sizeof(at_max));
	assert_int_equal(aml_pkg_length(out, 0xFFFFFFF - 3), 0);
}

static void test_aml_pkg_end_moves_a_long_body_behind_a_two_byte_length(void **state)
{
	uint8_t out[128], body[70];
	struct aml a;
	size_t mark;
	memset(body, 0x5A, sizeof(body));

	aml_init(&a, out, sizeof(out));
	mark = aml_pkg_begin(&a);
	aml_bytes(&a, body, sizeof(body));
	aml_pkg_end(&a, mark);

	assert_false(a.failed);
	assert_int_equal(a.len, 2 + sizeof(body));
	assert_int_equal(out[0], 0x48); /* total 72 = 0x48: nibble 8, one more byte */
	assert_int_equal(out[1], 0x04);
	assert_memory_equal(out + 2, body, sizeof(body));
}

static void test_aml_name_string_root_single_dual_multi(void **state)
{
	static const uint8_t root[] = { '\\', '_', 'S', 'B', '_' };
	static const uint8_t dual[] = { 0x2E, '_', 'S', 'B', '_', 'C', 'O', 'M', '1' };
	static const uint8_t multi[] = { '\\', 0x2F, 3,	  '_', 'S', 'B', '_', 'P',
					 'C',  'I',  '0', 'S', 'F', '0', '1' };
	uint8_t out[32];
	struct aml a;

	aml_init(&a, out, sizeof(out));
	aml_name_string(&a, "\\_SB_");
	assert_int_equal(a.len, sizeof(root));
	assert_memory_equal(out, root, sizeof(root));
	aml_init(&a, out, sizeof(out));
	aml_name_string(&a, "_SB_.COM1");
	assert_int_equal(a.len, sizeof(dual));
	assert_memory_equal(out, dual, sizeof(dual));
	aml_init(&a, out, sizeof(out));
	aml_name_string(&a, "\\_SB_.PCI0.SF01");
	assert_int_equal(a.len, sizeof(multi));
	assert_memory_equal(out, multi, sizeof(multi));
	assert_false(a.failed);
}

static void test_aml_name_string_rejects_malformed_segments(void **state)
{
	static const char *const bad[] = { "",	   "\\",   "_SB",   "_SB__",
					   "1ABC", "_sb_", "_SB_.", "_SB_COM1" };
	uint8_t out[32];
	struct aml a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a, out, sizeof(out));
		aml_name_string(&a, bad[i]);
		assert_true(a.failed);
	}
}

static void test_aml_eisa_id_compresses_pnp_ids(void **state)
{
	assert_int_equal(aml_eisa_id("PNP0501"), 0x0105D041);
	assert_int_equal(aml_eisa_id("PNP0A03"), 0x030AD041);
	assert_int_equal(aml_eisa_id("PNP0C0C"), 0x0C0CD041);
	assert_int_equal(aml_eisa_id("pnp0501"), 0);
	assert_int_equal(aml_eisa_id("PNP05"), 0);
	assert_int_equal(aml_eisa_id("PNP050G"), 0);
}

static void test_aml_running_out_of_room_fails_without_overrun(void **state)
{
	uint8_t out[8] = { 0 };
	struct aml a;

	aml_init(&a, out, 4);
	aml_name_integer(&a, "_UID", 0x1234);

	assert_true(a.failed);
	assert_int_equal(a.len, 1); /* NameOp only: the name did not fit */
	assert_int_equal(out[4], 0);
}

static void test_aml_irq_above_15_fails(void **state)
{
	uint8_t out[8];
	struct aml a;

	aml_init(&a, out, sizeof(out));
	aml_res_irq_noflags(&a, 16);

	assert_true(a.failed);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_acpi_rsdp_at_buffer_start_with_signature),
		T(test_acpi_rsdp_checksums_valid),
		T(test_acpi_rsdp_points_to_xsdt_points_to_fadt_and_madt),
		T(test_acpi_all_table_checksums_valid),
		T(test_acpi_all_tables_carry_oem_id),
		T(test_acpi_fadt_rev6_full_acpi_with_x_dsdt),
		T(test_acpi_fadt_flags_wbinvd_c1_no_sleep_button_reset_reg),
		T(test_acpi_fadt_iapc_boot_arch_legacy_no_vga_aspm_no_cmos_rtc),
		T(test_acpi_fadt_sci_on_irq9_and_no_smi_command),
		T(test_acpi_fadt_pm1a_blocks_are_system_io_at_0x600),
		T(test_acpi_fadt_has_no_pm_timer_gpe_or_pm2_block),
		T(test_acpi_fadt_c2_c3_latencies_say_unsupported),
		T(test_acpi_fadt_reset_register_is_io_byte_0x606_value_1),
		T(test_acpi_fadt_x_firmware_ctrl_points_at_facs_in_last_page),
		T(test_acpi_facs_is_64_bytes_version_2_lock_free),
		T(test_acpi_dsdt_aml_declares_com1_and_s5_byte_for_byte),
		T(test_acpi_madt_one_cpu_has_one_lapic),
		T(test_acpi_madt_two_cpus_have_two_lapics),
		T(test_acpi_madt_255_cpus_have_255_lapics),
		T(test_acpi_madt_lapic_ids_equal_index_and_enabled),
		T(test_acpi_madt_header_lapic_addr_and_pcat_compat),
		T(test_acpi_madt_has_ioapic_at_fec00000),
		T(test_acpi_madt_overrides_only_irq9_as_level_active_high),
		T(test_acpi_same_input_gives_same_bytes),
		T(test_acpi_zero_cpus_returns_einval),
		T(test_acpi_256_cpus_returns_einval),
		T(test_acpi_small_buffer_returns_enospc),
		cmocka_unit_test(test_aml_integer_uses_const_ops_for_0_1_and_ones),
		cmocka_unit_test(test_aml_integer_picks_the_smallest_prefix),
		cmocka_unit_test(test_aml_pkg_length_one_byte_up_to_63),
		cmocka_unit_test(test_aml_pkg_length_two_bytes_from_65),
		cmocka_unit_test(test_aml_pkg_length_three_and_four_bytes_then_too_long),
		cmocka_unit_test(test_aml_pkg_end_moves_a_long_body_behind_a_two_byte_length),
		cmocka_unit_test(test_aml_name_string_root_single_dual_multi),
		cmocka_unit_test(test_aml_name_string_rejects_malformed_segments),
		cmocka_unit_test(test_aml_eisa_id_compresses_pnp_ids),
		cmocka_unit_test(test_aml_running_out_of_room_fails_without_overrun),
		cmocka_unit_test(test_aml_irq_above_15_fails),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
