// SPDX-License-Identifier: MIT
/* The rules that tell a dead guest (every vCPU halted with interrupts off) from an idle
 * one (halt_watch.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include <cmocka.h>

#include "vmm/halt_watch.h"

#define IF (1ULL << 9)

static void test_halt_watch_halted_with_if_clear_is_halted_if0(void **state)
{
	assert_int_equal(vcpu_run_state_of(KVM_MP_STATE_HALTED, 0x2), VCPU_HALTED_IF0);
}

static void test_halt_watch_halted_with_if_set_still_runs(void **state)
{
	assert_int_equal(vcpu_run_state_of(KVM_MP_STATE_HALTED, 0x2 | IF), VCPU_RUNS);
}

static void test_halt_watch_runnable_runs_whatever_if_says(void **state)
{
	assert_int_equal(vcpu_run_state_of(KVM_MP_STATE_RUNNABLE, 0x2), VCPU_RUNS);
	assert_int_equal(vcpu_run_state_of(KVM_MP_STATE_RUNNABLE, 0x2 | IF), VCPU_RUNS);
}

static void test_halt_watch_ap_before_sipi_waits(void **state)
{
	assert_int_equal(vcpu_run_state_of(KVM_MP_STATE_UNINITIALIZED, 0x2), VCPU_WAITS_FOR_SIPI);
	assert_int_equal(vcpu_run_state_of(KVM_MP_STATE_INIT_RECEIVED, 0x2), VCPU_WAITS_FOR_SIPI);
}

static void test_halt_watch_one_vcpu_halted_if0_is_dead(void **state)
{
	const enum vcpu_run_state s[] = { VCPU_HALTED_IF0 };

	assert_true(halt_watch_all_dead(s, 1));
}

static void test_halt_watch_halted_bsp_and_waiting_aps_are_dead(void **state)
{
	const enum vcpu_run_state s[] = { VCPU_HALTED_IF0, VCPU_WAITS_FOR_SIPI,
					  VCPU_WAITS_FOR_SIPI };

	assert_true(halt_watch_all_dead(s, 3));
}

static void test_halt_watch_only_waiting_vcpus_are_not_dead(void **state)
{
	const enum vcpu_run_state s[] = { VCPU_WAITS_FOR_SIPI, VCPU_WAITS_FOR_SIPI };

	assert_false(halt_watch_all_dead(s, 2));
}

static void test_halt_watch_one_running_vcpu_keeps_the_guest_alive(void **state)
{
	const enum vcpu_run_state s[] = { VCPU_HALTED_IF0, VCPU_RUNS };

	assert_false(halt_watch_all_dead(s, 2));
}

static void test_halt_watch_an_unanswered_probe_keeps_the_guest_alive(void **state)
{
	const enum vcpu_run_state s[] = { VCPU_HALTED_IF0, VCPU_UNKNOWN };

	assert_false(halt_watch_all_dead(s, 2));
}

static void test_halt_watch_needs_two_dead_rounds_in_a_row(void **state)
{
	struct halt_watch w = { 0 };

	assert_false(halt_watch_round(&w, true));
	assert_false(halt_watch_round(&w, false));
	assert_false(halt_watch_round(&w, true));
	assert_true(halt_watch_round(&w, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_halt_watch_halted_with_if_clear_is_halted_if0),
		cmocka_unit_test(test_halt_watch_halted_with_if_set_still_runs),
		cmocka_unit_test(test_halt_watch_runnable_runs_whatever_if_says),
		cmocka_unit_test(test_halt_watch_ap_before_sipi_waits),
		cmocka_unit_test(test_halt_watch_one_vcpu_halted_if0_is_dead),
		cmocka_unit_test(test_halt_watch_halted_bsp_and_waiting_aps_are_dead),
		cmocka_unit_test(test_halt_watch_only_waiting_vcpus_are_not_dead),
		cmocka_unit_test(test_halt_watch_one_running_vcpu_keeps_the_guest_alive),
		cmocka_unit_test(test_halt_watch_an_unanswered_probe_keeps_the_guest_alive),
		cmocka_unit_test(test_halt_watch_needs_two_dead_rounds_in_a_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
