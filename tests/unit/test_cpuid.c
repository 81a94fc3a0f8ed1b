// SPDX-License-Identifier: MIT
/*
 * Per-vCPU CPUID: each vCPU reports its own APIC ID and the --smp topology, and the
 * leaves we do not own pass through untouched.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "vmm/cpuid.h"

/* A small "supported" table: leaf 0, leaf 1, leaf 0xB.0/0xB.1, leaf 0x80000008. */
static struct cpuid_table *supported_table(void)
{
	struct cpuid_table *t = calloc(1, sizeof(*t));
	struct kvm_cpuid_entry2 *e = t->hdr.entries;

	e[0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0xd, .ebx = 0x68747541 };
	e[1] = (struct kvm_cpuid_entry2){ .function = 1,
					  .eax = 0x00a00f11,
					  .ebx = 0xff000800,
					  .ecx = 0x7ed8320b,
					  .edx = 0x178bfbff };
	e[2] = (struct kvm_cpuid_entry2){ .function = 0xb,
					  .index = 0,
					  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX };
	e[3] = (struct kvm_cpuid_entry2){ .function = 0xb,
					  .index = 1,
					  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX };
	e[4] = (struct kvm_cpuid_entry2){ .function = 0x80000008, .eax = 0x3030 };
	t->hdr.nent = 5;
	return t;
}

static void test_cpuid_leaf1_reports_apic_id_and_count(void **state)
{
	struct cpuid_table *sup = supported_table(), *out = calloc(1, sizeof(*out));

	assert_int_equal(cpuid_for_vcpu(&sup->hdr, 3, 4, out), 0);

	assert_int_equal(cpuid_find(&out->hdr, 1, 0)->ebx >> 24, 3);
	assert_int_equal((cpuid_find(&out->hdr, 1, 0)->ebx >> 16) & 0xff, 4);
	assert_int_equal(cpuid_find(&out->hdr, 1, 0)->ebx & 0xffff, 0x0800);
	free(sup);
	free(out);
}

static void test_cpuid_leaf1_sets_hypervisor_bit(void **state)
{
	struct cpuid_table *sup = supported_table(), *out = calloc(1, sizeof(*out));

	assert_int_equal(cpuid_for_vcpu(&sup->hdr, 0, 1, out), 0);

	assert_true(cpuid_find(&out->hdr, 1, 0)->ecx & (1u << 31));
	free(sup);
	free(out);
}

static void test_cpuid_single_cpu_clears_htt(void **state)
{
	struct cpuid_table *sup = supported_table(), *out = calloc(1, sizeof(*out));

	assert_int_equal(cpuid_for_vcpu(&sup->hdr, 0, 1, out), 0);

	assert_false(cpuid_find(&out->hdr, 1, 0)->edx & (1u << 28));
	free(sup);
	free(out);
}

static void test_cpuid_leaf_b_reports_x2apic_id_and_core_count(void **state)
{
	struct cpuid_table *sup = supported_table(), *out = calloc(1, sizeof(*out));

	assert_int_equal(cpuid_for_vcpu(&sup->hdr, 5, 6, out), 0);

	assert_int_equal(cpuid_find(&out->hdr, 0xb, 0)->edx, 5);
	assert_int_equal(cpuid_find(&out->hdr, 0xb, 1)->edx, 5);
	assert_int_equal(cpuid_find(&out->hdr, 0xb, 1)->ebx, 6);
	assert_int_equal(cpuid_find(&out->hdr, 0xb, 1)->eax, 3); /* 6 ids need 3 bits */
	free(sup);
	free(out);
}

static void test_cpuid_other_leaves_pass_through(void **state)
{
	struct cpuid_table *sup = supported_table(), *out = calloc(1, sizeof(*out));

	assert_int_equal(cpuid_for_vcpu(&sup->hdr, 1, 2, out), 0);

	assert_int_equal(out->hdr.nent, 5);
	assert_int_equal(cpuid_find(&out->hdr, 0x80000008, 0)->eax, 0x3030);
	assert_int_equal(cpuid_find(&out->hdr, 0, 0)->ebx, 0x68747541);
	free(sup);
	free(out);
}

static void test_cpuid_too_many_entries_is_rejected(void **state)
{
	struct cpuid_table *sup = supported_table(), *out = calloc(1, sizeof(*out));

	sup->hdr.nent = CPUID_MAX_ENTRIES + 1;

	assert_int_equal(cpuid_for_vcpu(&sup->hdr, 0, 1, out), -E2BIG);
	free(sup);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuid_leaf1_reports_apic_id_and_count),
		cmocka_unit_test(test_cpuid_leaf1_sets_hypervisor_bit),
		cmocka_unit_test(test_cpuid_single_cpu_clears_htt),
		cmocka_unit_test(test_cpuid_leaf_b_reports_x2apic_id_and_core_count),
		cmocka_unit_test(test_cpuid_other_leaves_pass_through),
		cmocka_unit_test(test_cpuid_too_many_entries_is_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
