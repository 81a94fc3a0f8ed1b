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

static void test_acpi_fadt_rev6_hw_reduced_with_x_dsdt(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_int_equal(get32(fadt(f) + 4), 276);
	assert_int_equal(fadt(f)[8], 6);
	assert_true(get32(fadt(f) + 112) & (1u << 20));
	assert_int_equal(get32(fadt(f) + 40), 0);
	assert_memory_equal(dsdt(f), "DSDT", 4);
}

static void test_acpi_fadt_iapc_boot_arch_vga_not_present_and_aspm(void **state)
{
	struct fixture *f = *state;

	build(f, 1);

	assert_int_equal(fadt(f)[109] | fadt(f)[110] << 8, (1u << 2) | (1u << 4));
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
	assert_int_equal(get32(madt(f) + 4), 44 + 255 * 8 + 12);
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

static void test_acpi_madt_has_no_interrupt_source_override(void **state)
{
	struct fixture *f = *state;

	build(f, 2);

	assert_int_equal(madt_count(madt(f), 2), 0);
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

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_acpi_rsdp_at_buffer_start_with_signature),
		T(test_acpi_rsdp_checksums_valid),
		T(test_acpi_rsdp_points_to_xsdt_points_to_fadt_and_madt),
		T(test_acpi_all_table_checksums_valid),
		T(test_acpi_all_tables_carry_oem_id),
		T(test_acpi_fadt_rev6_hw_reduced_with_x_dsdt),
		T(test_acpi_fadt_iapc_boot_arch_vga_not_present_and_aspm),
		T(test_acpi_madt_one_cpu_has_one_lapic),
		T(test_acpi_madt_two_cpus_have_two_lapics),
		T(test_acpi_madt_255_cpus_have_255_lapics),
		T(test_acpi_madt_lapic_ids_equal_index_and_enabled),
		T(test_acpi_madt_header_lapic_addr_and_pcat_compat),
		T(test_acpi_madt_has_ioapic_at_fec00000),
		T(test_acpi_madt_has_no_interrupt_source_override),
		T(test_acpi_same_input_gives_same_bytes),
		T(test_acpi_zero_cpus_returns_einval),
		T(test_acpi_256_cpus_returns_einval),
		T(test_acpi_small_buffer_returns_enospc),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
