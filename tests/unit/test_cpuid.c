// SPDX-License-Identifier: MIT
/*
 * Per-vCPU CPUID: each vCPU reports its own APIC ID and the --smp topology (one package
 * of single-thread cores) in every leaf that describes it, and the leaves we do not own
 * pass through untouched.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "vmm/cpuid.h"

/*
 * A "supported" table shaped like KVM_GET_SUPPORTED_CPUID's on an EPYC host (Linux 6.1
 * arch/x86/kvm/cpuid.c __do_cpuid_func): leaf 0xB and 0x1F as subleaf 0 only, all zero;
 * 0x80000008 ECX with the host's NC (127: 128 threads) and ApicIdSize (7) passed through;
 * 0x8000001E all zero.
 */
enum { L0, L1, LB0, L1F0, L8, L1E, NR_SUPPORTED };

static struct cpuid_table *supported_table(void)
{
	struct cpuid_table *t = calloc(1, sizeof(*t));
	struct kvm_cpuid_entry2 *e = t->hdr.entries;

	e[L0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 0x1f, .ebx = 0x68747541 };
	e[L1] = (struct kvm_cpuid_entry2){ .function = 1,
					   .eax = 0x00a00f11,
					   .ebx = 0xff000800,
					   .ecx = 0x7ed8320b,
					   .edx = 0x178bfbff };
	e[LB0] = (struct kvm_cpuid_entry2){ .function = 0xb,
					    .index = 0,
					    .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX };
	e[L1F0] = (struct kvm_cpuid_entry2){ .function = 0x1f,
					     .index = 0,
					     .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX };
	e[L8] = (struct kvm_cpuid_entry2){
		.function = 0x80000008, .eax = 0x3030, .ebx = 0x0100d000, .ecx = 0x707f
	};
	e[L1E] = (struct kvm_cpuid_entry2){ .function = 0x8000001e };
	t->hdr.nent = NR_SUPPORTED;
	return t;
}

struct fixture {
	struct cpuid_table *sup, *out;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->sup = supported_table();
	f->out = calloc(1, sizeof(*f->out));
	*state = f;
	return f->sup && f->out ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->sup);
	free(f->out);
	free(f);
	return 0;
}

/* vCPU `apic_id` of `nr` (no TSC-deadline timer unless asked). */
static struct kvm_cpuid2 *vcpu(struct fixture *f, uint32_t apic_id, uint32_t nr)
{
	assert_int_equal(cpuid_for_vcpu(&f->sup->hdr, apic_id, nr, false, f->out), 0);
	return &f->out->hdr;
}

static void test_cpuid_leaf1_reports_apic_id_and_count(void **state)
{
	struct kvm_cpuid2 *c = vcpu(*state, 3, 4);

	assert_int_equal(cpuid_find(c, 1, 0)->ebx >> 24, 3);
	assert_int_equal((cpuid_find(c, 1, 0)->ebx >> 16) & 0xff, 4);
	assert_int_equal(cpuid_find(c, 1, 0)->ebx & 0xffff, 0x0800);
}

static void test_cpuid_leaf1_sets_hypervisor_bit(void **state)
{
	struct kvm_cpuid2 *c = vcpu(*state, 0, 1);

	assert_true(cpuid_find(c, 1, 0)->ecx & (1u << 31));
}

static void test_cpuid_single_cpu_clears_htt(void **state)
{
	struct kvm_cpuid2 *c = vcpu(*state, 0, 1);

	assert_false(cpuid_find(c, 1, 0)->edx & (1u << 28));
}

static void test_cpuid_tsc_deadline_only_when_asked(void **state)
{
	struct fixture *f = *state;

	assert_false(vcpu(f, 0, 1)->entries[L1].ecx & (1u << 24));
	assert_int_equal(cpuid_for_vcpu(&f->sup->hdr, 0, 1, true, f->out), 0);
	assert_true(cpuid_find(&f->out->hdr, 1, 0)->ecx & (1u << 24));
}

static void test_cpuid_leaf_b_gets_the_core_subleaf_kvm_does_not_report(void **state)
{
	struct kvm_cpuid2 *c = vcpu(*state, 5, 6);
	const struct kvm_cpuid_entry2 *core = cpuid_find(c, 0xb, 1);

	assert_non_null(core);
	assert_int_equal(core->flags, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	assert_int_equal(core->ecx, (2u << 8) | 1); /* level type Core, level number 1 */
	assert_int_equal(core->ebx, 6);		    /* cores in the package */
	assert_int_equal(core->eax, 3);		    /* 6 APIC IDs need 3 bits */
	assert_int_equal(core->edx, 5);		    /* x2APIC ID */
}

static void test_cpuid_leaf_b_smt_subleaf_is_one_thread(void **state)
{
	struct kvm_cpuid2 *c = vcpu(*state, 5, 6);
	const struct kvm_cpuid_entry2 *smt = cpuid_find(c, 0xb, 0);

	assert_int_equal(smt->ecx, (1u << 8) | 0); /* level type SMT, level number 0 */
	assert_int_equal(smt->ebx, 1);
	assert_int_equal(smt->eax, 0);
	assert_int_equal(smt->edx, 5);
}

static void test_cpuid_leaf_1f_is_described_like_leaf_b(void **state)
{
	struct kvm_cpuid2 *c = vcpu(*state, 2, 3);

	assert_int_equal(cpuid_find(c, 0x1f, 0)->eax, cpuid_find(c, 0xb, 0)->eax);
	assert_int_equal(cpuid_find(c, 0x1f, 0)->ebx, cpuid_find(c, 0xb, 0)->ebx);
	assert_int_equal(cpuid_find(c, 0x1f, 0)->ecx, cpuid_find(c, 0xb, 0)->ecx);
	assert_int_equal(cpuid_find(c, 0x1f, 0)->edx, cpuid_find(c, 0xb, 0)->edx);
	assert_int_equal(cpuid_find(c, 0x1f, 1)->ebx, 3);
	assert_int_equal(cpuid_find(c, 0x1f, 1)->edx, 2);
}

static void test_cpuid_no_leaf_b_means_none_is_added(void **state)
{
	struct fixture *f = *state;
	f->sup->hdr.nent = LB0; /* leaves 0 and 1 only */

	assert_int_equal(cpuid_for_vcpu(&f->sup->hdr, 1, 2, false, f->out), 0);

	assert_int_equal(f->out->hdr.nent, LB0);
	assert_null(cpuid_find(&f->out->hdr, 0xb, 1));
}

static void test_cpuid_8000001e_reports_apic_id_and_core_id(void **state)
{
	struct kvm_cpuid2 *c = vcpu(*state, 7, 8);
	const struct kvm_cpuid_entry2 *e = cpuid_find(c, 0x8000001e, 0);

	assert_int_equal(e->eax, 7); /* extended APIC ID */
	assert_int_equal(e->ebx, 7); /* one thread per core (0 << 8), core ID 7 */
	assert_int_equal(e->ecx, 0); /* one node (0 << 8), node ID 0 */
	assert_int_equal(e->edx, 0);
}

static void test_cpuid_80000008_counts_the_guests_threads_not_the_hosts(void **state)
{
	struct kvm_cpuid2 *c = vcpu(*state, 0, 6);
	const struct kvm_cpuid_entry2 *e = cpuid_find(c, 0x80000008, 0);

	assert_int_equal(e->ecx & 0xff, 5);	   /* NC: 6 threads - 1 */
	assert_int_equal((e->ecx >> 12) & 0xf, 3); /* ApicIdSize: 3 bits */
	assert_int_equal(e->eax, 0x3030);	   /* address sizes untouched */
	assert_int_equal(e->ebx, 0x0100d000);
}

static void test_cpuid_one_vcpu_is_one_core(void **state)
{
	struct kvm_cpuid2 *c = vcpu(*state, 0, 1);

	assert_int_equal(cpuid_find(c, 0x80000008, 0)->ecx & 0xf0ff, 0);
	assert_int_equal(cpuid_find(c, 0xb, 1)->eax, 0);
	assert_int_equal(cpuid_find(c, 0xb, 1)->ebx, 1);
}

static void test_cpuid_other_leaves_pass_through(void **state)
{
	struct kvm_cpuid2 *c = vcpu(*state, 1, 2);

	assert_int_equal(c->nent, NR_SUPPORTED + 2); /* + 0xB.1 and 0x1F.1 */
	assert_int_equal(cpuid_find(c, 0, 0)->ebx, 0x68747541);
	assert_int_equal(cpuid_find(c, 0, 0)->eax, 0x1f);
}

static void test_cpuid_too_many_entries_is_rejected(void **state)
{
	struct fixture *f = *state;
	f->sup->hdr.nent = CPUID_MAX_ENTRIES + 1;

	assert_int_equal(cpuid_for_vcpu(&f->sup->hdr, 0, 1, false, f->out), -E2BIG);
}

static void test_cpuid_no_room_for_the_core_subleaf_is_rejected(void **state)
{
	struct fixture *f = *state;
	uint32_t i;
	for (i = NR_SUPPORTED; i < CPUID_MAX_ENTRIES; i++)
		f->sup->hdr.entries[i] = (struct kvm_cpuid_entry2){ .function = 0x40000000 + i };
	f->sup->hdr.nent = CPUID_MAX_ENTRIES;

	assert_int_equal(cpuid_for_vcpu(&f->sup->hdr, 0, 1, false, f->out), -E2BIG);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_cpuid_leaf1_reports_apic_id_and_count),
		T(test_cpuid_leaf1_sets_hypervisor_bit),
		T(test_cpuid_single_cpu_clears_htt),
		T(test_cpuid_tsc_deadline_only_when_asked),
		T(test_cpuid_leaf_b_gets_the_core_subleaf_kvm_does_not_report),
		T(test_cpuid_leaf_b_smt_subleaf_is_one_thread),
		T(test_cpuid_leaf_1f_is_described_like_leaf_b),
		T(test_cpuid_no_leaf_b_means_none_is_added),
		T(test_cpuid_8000001e_reports_apic_id_and_core_id),
		T(test_cpuid_80000008_counts_the_guests_threads_not_the_hosts),
		T(test_cpuid_one_vcpu_is_one_core),
		T(test_cpuid_other_leaves_pass_through),
		T(test_cpuid_too_many_entries_is_rejected),
		T(test_cpuid_no_room_for_the_core_subleaf_is_rejected),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
