// SPDX-License-Identifier: MIT
/*
 * The SEV-SNP launch plan: which page gets which launch type, the SNP pages a stock Linux
 * needs (CC blob, secrets, CPUID), and the predicted launch digest.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bzimage_fixture.h"
#include "snp/snp_cpuid.h"
#include "snp/vmsa.h"
#include "vmm/memory.h"
#include "vmm/snp_plan.h"

#define MiB  (1ULL << 20)
#define PAGE 4096ULL

struct fixture {
	uint8_t *kernel;
	uint8_t initrd[3 * 4096 + 100];
	struct mem_layout layout;
	struct snp_plan_config cfg;
	struct snp_plan plan;
	/* Last: struct kvm_cpuid2 ends in a flexible array. */
	union {
		struct kvm_cpuid2 hdr;
		uint8_t bytes[sizeof(struct kvm_cpuid2) + 8 * sizeof(struct kvm_cpuid_entry2)];
	} cpuid;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct kvm_cpuid_entry2 *e = f->cpuid.hdr.entries;

	f->kernel = fixture_bzimage();
	memset(f->initrd, 0x5a, sizeof(f->initrd));
	mem_layout_compute(256 * MiB, &f->layout);
	e[0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0x10, .ebx = 0x68747541 };
	e[1] = (struct kvm_cpuid_entry2){ .function = 1, .eax = 0xa00f11, .ecx = 1u << 30 };
	e[2] = (struct kvm_cpuid_entry2){ .function = 0x80000000, .eax = 0x80000021 };
	e[3] = (struct kvm_cpuid_entry2){ .function = 0x8000001f, .eax = 0x1b, .ebx = 0x33 };
	f->cpuid.hdr.nent = 4;
	f->cfg = (struct snp_plan_config){
		.boot = {
			.kernel = f->kernel,
			.kernel_size = FIXTURE_SIZE,
			.initrd = f->initrd,
			.initrd_size = sizeof(f->initrd),
			.cmdline = "console=ttyS0",
			.ram = f->layout.regions,
			.nr_ram = f->layout.nr,
			.nr_cpus = 2,
		},
		.cbitpos = 51,
		.cpuid = &f->cpuid.hdr,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	snp_plan_free(&f->plan);
	free(f->kernel);
	free(f);
	return 0;
}

/* The range holding gpa (a zero-length ZERO range if none does, which no test expects). */
static struct snp_range range_at(const struct snp_plan *p, uint64_t gpa)
{
	struct snp_range none = { .gpa = gpa, .len = 0, .type = SNP_PAGE_ZERO };
	unsigned int i;

	for (i = 0; i < p->nr_ranges; i++)
		if (gpa >= p->ranges[i].gpa && gpa < p->ranges[i].gpa + p->ranges[i].len)
			return p->ranges[i];
	fail_msg("no range holds 0x%llx", (unsigned long long)gpa);
	return none;
}

static void test_snp_plan_ranges_cover_ram_in_order_without_gaps(void **state)
{
	struct fixture *f = *state;
	uint64_t next = 0;
	unsigned int i;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);

	for (i = 0; i < f->plan.nr_ranges; i++) {
		assert_int_equal(f->plan.ranges[i].gpa, next);
		assert_int_equal(f->plan.ranges[i].len % PAGE, 0);
		next += f->plan.ranges[i].len;
	}
	assert_int_equal(next, 256 * MiB);
}

static void test_snp_plan_adjacent_ranges_differ_in_type(void **state)
{
	struct fixture *f = *state;
	unsigned int i;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);

	for (i = 1; i < f->plan.nr_ranges; i++)
		assert_int_not_equal(f->plan.ranges[i].type, f->plan.ranges[i - 1].type);
}

static void test_snp_plan_page_types_follow_the_layout(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);

	assert_int_equal(range_at(&f->plan, 0).type, SNP_PAGE_ZERO);
	assert_int_equal(range_at(&f->plan, BOOT_GDT_GPA).type, SNP_PAGE_NORMAL);
	assert_int_equal(range_at(&f->plan, BOOT_PARAMS_GPA).type, SNP_PAGE_NORMAL);
	assert_int_equal(range_at(&f->plan, BOOT_PAGE_TABLES_GPA).type, SNP_PAGE_NORMAL);
	assert_int_equal(range_at(&f->plan, BOOT_ACPI_GPA).type, SNP_PAGE_NORMAL);
	assert_int_equal(range_at(&f->plan, SNP_SECRETS_GPA).type, SNP_PAGE_SECRETS);
	assert_int_equal(range_at(&f->plan, SNP_CPUID_GPA).type, SNP_PAGE_CPUID);
	assert_int_equal(range_at(&f->plan, SNP_CC_BLOB_GPA).type, SNP_PAGE_NORMAL);
	assert_int_equal(range_at(&f->plan, BOOT_SETUP_DATA_GPA).type, SNP_PAGE_NORMAL);
	assert_int_equal(range_at(&f->plan, 0xF0000).type, SNP_PAGE_ZERO);
	assert_int_equal(range_at(&f->plan, BOOT_KERNEL_GPA).type, SNP_PAGE_NORMAL);
	assert_int_equal(range_at(&f->plan, f->plan.boot.initrd_gpa).type, SNP_PAGE_NORMAL);
	assert_int_equal(range_at(&f->plan, 128 * MiB).type,
			 SNP_PAGE_ZERO); /* between kernel and initrd */
	assert_int_equal(range_at(&f->plan, 256 * MiB - PAGE).type,
			 SNP_PAGE_NORMAL); /* initrd, placed high */
}

static void test_snp_plan_secrets_and_cpuid_are_single_pages(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);

	assert_int_equal(range_at(&f->plan, SNP_SECRETS_GPA).len, PAGE);
	assert_int_equal(range_at(&f->plan, SNP_CPUID_GPA).len, PAGE);
	assert_int_equal(snp_plan_pages(&f->plan, SNP_PAGE_SECRETS), 1);
	assert_int_equal(snp_plan_pages(&f->plan, SNP_PAGE_CPUID), 1);
}

static void test_snp_plan_needs_few_launch_updates(void **state)
{
	struct fixture *f = *state;

	mem_layout_compute(8ULL << 30, &f->layout);
	f->cfg.boot.nr_ram = f->layout.nr;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
	assert_in_range(f->plan.nr_ranges, 1, 16);
}

static void test_snp_plan_cc_blob_points_at_secrets_and_cpuid(void **state)
{
	struct fixture *f = *state;
	struct cc_blob_sev_info blob;
	uint8_t page[4096];

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
	assert_int_equal(snp_plan_read_page(&f->plan, NULL, SNP_CC_BLOB_GPA, page, NULL), 0);
	memcpy(&blob, page, sizeof(blob));

	assert_int_equal(blob.magic, SNP_CC_BLOB_MAGIC);
	assert_int_equal(blob.secrets_phys, SNP_SECRETS_GPA);
	assert_int_equal(blob.secrets_len, 4096);
	assert_int_equal(blob.cpuid_phys, SNP_CPUID_GPA);
	assert_int_equal(blob.cpuid_len, 4096);
}

static void test_snp_plan_setup_data_chain_starts_with_cc_blob(void **state)
{
	struct fixture *f = *state;
	struct boot_params bp;
	uint8_t page[4096];
	uint32_t type, len, addr;
	uint64_t head;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
	assert_int_equal(snp_plan_read_page(&f->plan, NULL, BOOT_PARAMS_GPA, page, NULL), 0);
	memcpy(&bp, page, sizeof(bp));
	head = bp.hdr.setup_data;
	assert_int_equal(snp_plan_read_page(&f->plan, NULL, head & ~(PAGE - 1), page, NULL), 0);
	memcpy(&type, page + (head & (PAGE - 1)) + 8, 4);
	memcpy(&len, page + (head & (PAGE - 1)) + 12, 4);
	memcpy(&addr, page + (head & (PAGE - 1)) + 16, 4);

	assert_int_equal(type, SETUP_CC_BLOB);
	assert_true(len >= 4);
	assert_int_equal(addr, SNP_CC_BLOB_GPA);
	assert_int_equal(bp.cc_blob_address, 0);
}

static void test_snp_plan_snp_pages_are_e820_reserved(void **state)
{
	struct fixture *f = *state;
	const struct e820_map *m;
	unsigned int i;
	int found = 0;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
	m = &f->plan.boot.e820;

	for (i = 0; i < m->nr; i++)
		found |= m->entries[i].addr <= SNP_SECRETS_GPA &&
			 m->entries[i].addr + m->entries[i].size >= SNP_CC_BLOB_GPA + PAGE &&
			 m->entries[i].type == E820_TYPE_RESERVED;
	assert_true(found);
}

static void test_snp_plan_page_tables_carry_the_c_bit(void **state)
{
	struct fixture *f = *state;
	uint8_t page[4096];
	uint64_t pml4e, pde;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
	assert_int_equal(snp_plan_read_page(&f->plan, NULL, BOOT_PAGE_TABLES_GPA, page, NULL), 0);
	memcpy(&pml4e, page, 8);
	assert_int_equal(
		snp_plan_read_page(&f->plan, NULL, BOOT_PAGE_TABLES_GPA + 2 * PAGE, page, NULL), 0);
	memcpy(&pde, page + 8, 8);

	assert_true(pml4e & (1ULL << 51));
	assert_true(pde & (1ULL << 51));
	assert_int_equal(pde & 0xfffffffff000ULL, 0x200000);
}

static void test_snp_plan_cpuid_page_holds_the_vcpu_leaves(void **state)
{
	struct fixture *f = *state;
	struct snp_cpuid_table t;
	uint8_t page[4096];

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
	assert_int_equal(snp_plan_read_page(&f->plan, NULL, SNP_CPUID_GPA, page, NULL), 0);
	memcpy(&t, page, sizeof(t));

	assert_int_equal(t.count, 4);
	assert_int_equal(t.fn[3].eax_in, 0x8000001f);
	assert_int_equal(t.fn[3].ebx, 0x33);
}

static void test_snp_plan_bad_cbitpos_is_rejected(void **state)
{
	struct fixture *f = *state;

	f->cfg.cbitpos = 60;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), -EINVAL);
}

static void measure(struct fixture *f, uint32_t vcpus, uint64_t features, uint8_t out[48])
{
	struct launch_digest ld = { 0 };

	snp_plan_free(&f->plan);
	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	assert_int_equal(snp_plan_measure(&f->plan, NULL, vcpus, features, &ld, NULL), 0);
	memcpy(out, ld.ld, 48);
	launch_digest_fini(&ld);
}

static void test_snp_plan_measure_is_deterministic(void **state)
{
	struct fixture *f = *state;
	uint8_t a[48], b[48];

	measure(f, 2, 0, a);
	measure(f, 2, 0, b);

	assert_memory_equal(a, b, 48);
}

static void test_snp_plan_measure_depends_on_cmdline(void **state)
{
	struct fixture *f = *state;
	uint8_t a[48], b[48];

	measure(f, 1, 0, a);
	f->cfg.boot.cmdline = "console=ttyS1";
	measure(f, 1, 0, b);

	assert_memory_not_equal(a, b, 48);
}

static void test_snp_plan_measure_depends_on_vcpu_count_and_features(void **state)
{
	struct fixture *f = *state;
	uint8_t one[48], two[48], swap[48];

	measure(f, 1, 0, one);
	measure(f, 2, 0, two);
	measure(f, 1, SVM_SEV_FEAT_DEBUG_SWAP, swap);

	assert_memory_not_equal(one, two, 48);
	assert_memory_not_equal(one, swap, 48);
}

static void test_snp_plan_measure_ignores_cpuid_page_contents(void **state)
{
	struct fixture *f = *state;
	uint8_t a[48], b[48];

	measure(f, 1, 0, a);
	f->cpuid.hdr.entries[1].ebx = 0x12345678;
	measure(f, 1, 0, b);

	assert_memory_equal(a, b, 48);
}

/* Counts trace steps: one per page of every range, then one per vCPU. */
static void count_step(void *opaque, const struct launch_digest_step *step)
{
	(*(uint64_t *)opaque)++;
}

static void test_snp_plan_measure_has_one_step_per_page_and_vcpu(void **state)
{
	struct fixture *f = *state;
	struct launch_digest ld = { 0 };
	uint64_t steps = 0;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	launch_digest_set_trace(&ld, count_step, &steps);
	assert_int_equal(snp_plan_measure(&f->plan, NULL, 3, 0, &ld, NULL), 0);
	launch_digest_fini(&ld);

	assert_int_equal(steps, 256 * MiB / PAGE + 3);
}

static void test_snp_plan_bsp_state_is_the_64bit_entry(void **state)
{
	struct fixture *f = *state;
	struct vcpu_state st;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
	snp_plan_vcpu_state(&f->plan, 0, &st);

	assert_int_equal(st.regs.rip, BOOT_KERNEL_GPA + 0x200);
	assert_int_equal(st.regs.rsi, BOOT_PARAMS_GPA);
	assert_int_equal(st.sregs.cr3, BOOT_PAGE_TABLES_GPA);
	assert_true(st.sregs.efer & 0x400); /* LMA */
}

static void test_snp_plan_ap_state_is_kvm_reset(void **state)
{
	struct fixture *f = *state;
	struct vcpu_state ap, reset;

	assert_int_equal(snp_plan_build(&f->cfg, &f->plan, NULL), 0);
	snp_plan_vcpu_state(&f->plan, 1, &ap);
	vmsa_kvm_reset_state(&reset);

	assert_int_equal(ap.regs.rip, reset.regs.rip);
	assert_int_equal(ap.sregs.cs.base, reset.sregs.cs.base);
	assert_int_equal(ap.regs.rdx, reset.regs.rdx);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_snp_plan_ranges_cover_ram_in_order_without_gaps),
		T(test_snp_plan_adjacent_ranges_differ_in_type),
		T(test_snp_plan_page_types_follow_the_layout),
		T(test_snp_plan_secrets_and_cpuid_are_single_pages),
		T(test_snp_plan_needs_few_launch_updates),
		T(test_snp_plan_cc_blob_points_at_secrets_and_cpuid),
		T(test_snp_plan_setup_data_chain_starts_with_cc_blob),
		T(test_snp_plan_snp_pages_are_e820_reserved),
		T(test_snp_plan_page_tables_carry_the_c_bit),
		T(test_snp_plan_cpuid_page_holds_the_vcpu_leaves),
		T(test_snp_plan_bad_cbitpos_is_rejected),
		T(test_snp_plan_measure_is_deterministic),
		T(test_snp_plan_measure_depends_on_cmdline),
		T(test_snp_plan_measure_depends_on_vcpu_count_and_features),
		T(test_snp_plan_measure_ignores_cpuid_page_contents),
		T(test_snp_plan_measure_has_one_step_per_page_and_vcpu),
		T(test_snp_plan_bsp_state_is_the_64bit_entry),
		T(test_snp_plan_ap_state_is_kvm_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
