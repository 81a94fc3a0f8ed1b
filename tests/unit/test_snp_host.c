// SPDX-License-Identifier: MIT
/*
 * The choices of an SNP launch (vmm/snp_host.h) on hosts of every kernel version: the
 * default policy, the policy refusals and their sentences, the VMSA features.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "snp_host_fixtures.h"
#include "vmm/snp_host.h"

static void test_default_policy_allows_smt_when_the_host_runs_without_smt(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(false);
	struct diag d = { "" };
	uint64_t p = 0;

	assert_int_equal(snp_choose_policy(&o, &h, &p, &d), 0);
	assert_int_equal(p, 0x30000);
}

static void test_default_policy_is_0x30000_with_smt_active(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	uint64_t p = 0;

	assert_int_equal(snp_choose_policy(&o, &h, &p, &d), 0);
	assert_int_equal(p, 0x30000);
}

static void test_policy_forbidding_smt_on_smt_host_is_refused_before_launch(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	uint64_t p = 0;

	o.policy = 0x20000;
	assert_int_equal(snp_choose_policy(&o, &h, &p, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "SMT is active"));
	assert_non_null(strstr(d.msg, "firmware"));
}

static void test_policy_bit_outside_policy_bits_is_refused_on_6_19(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	uint64_t p = 0;

	h.have_policy_bits = true;
	h.policy_bits = 0x1fffff;
	o.policy = 0x230000;
	assert_int_equal(snp_choose_policy(&o, &h, &p, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "bit 21 is not supported by this host"));
}

/* Bit 18 is outside every upstream mask (6.11's SNP_POLICY_MASK_VALID, 6.19's
 * KVM_SNP_POLICY_MASK_VALID), but v12's snp_launch_start() has no mask: the refusal must
 * not claim that no KVM at all accepts it. */
static void test_policy_migration_agent_bit_refusal_names_upstream_and_v12(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	uint64_t p = 0;

	o.policy = 0x70000;
	assert_int_equal(snp_choose_policy(&o, &h, &p, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "bit 18"));
	assert_non_null(strstr(d.msg, "no upstream KVM"));
	assert_non_null(strstr(d.msg, "v12"));
	assert_null(strstr(d.msg, "any KVM"));
}

static void test_v12_refusal_names_single_socket(void **state)
{
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };

	assert_int_equal(
		snp_launch_start_refused(&d, -EINVAL, 0, KVM_ABI_AUTO, SNP_ABI_V12, 0x130000, &h),
		-EINVAL);
	assert_non_null(strstr(d.msg, "v12"));
	assert_non_null(strstr(d.msg, "SINGLE_SOCKET (bit 20)"));
}

static void test_v12_refusal_names_smt_required(void **state)
{
	struct snp_host h = host_6_11(false);
	struct diag d = { "" };

	assert_int_equal(
		snp_launch_start_refused(&d, -EINVAL, 0, KVM_ABI_AUTO, SNP_ABI_V12, 0x20000, &h),
		-EINVAL);
	assert_non_null(strstr(d.msg, "requires SMT allowed (bit 16)"));
}

static void test_refusal_before_6_19_of_single_socket_says_6_11_to_6_16(void **state)
{
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };

	assert_int_equal(
		snp_launch_start_refused(&d, -EINVAL, 0, KVM_ABI_AUTO, SNP_ABI_AUTO, 0x130000, &h),
		-EINVAL);
	assert_non_null(strstr(d.msg, "Linux 6.11-6.16 refuse SINGLE_SOCKET (bit 20)"));
	assert_non_null(strstr(d.msg, "6.17 and later leave that to the firmware"));
}

static void test_refusal_before_6_19_without_smt_says_6_11_to_6_16(void **state)
{
	struct snp_host h = host_6_11(false);
	struct diag d = { "" };

	assert_int_equal(
		snp_launch_start_refused(&d, -EINVAL, 0, KVM_ABI_AUTO, SNP_ABI_AUTO, 0x20000, &h),
		-EINVAL);
	assert_non_null(strstr(d.msg, "6.11-6.16 refuse a policy without SMT allowed (bit 16)"));
}

static void test_refusal_before_6_19_of_a_newer_bit_names_the_6_11_mask(void **state)
{
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };

	assert_int_equal(
		snp_launch_start_refused(&d, -EINVAL, 0, KVM_ABI_AUTO, SNP_ABI_AUTO, 0x230000, &h),
		-EINVAL);
	assert_non_null(strstr(d.msg, "bit 21 is outside what Linux 6.11-6.18 accept"));
}

static void test_refusal_on_6_19_says_the_policy_bits_allowed_it(void **state)
{
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };

	h.have_policy_bits = true;
	h.policy_bits = 0x3fbffff;
	assert_int_equal(
		snp_launch_start_refused(&d, -EINVAL, 0, KVM_ABI_AUTO, SNP_ABI_AUTO, 0x130000, &h),
		-EINVAL);
	assert_non_null(strstr(d.msg, "although KVM_X86_SNP_POLICY_BITS allows it"));
}

static void test_firmware_policy_failure_without_smt_blames_smt_in_the_bios(void **state)
{
	struct snp_host h = host_6_11(false);
	struct diag d = { "" };

	assert_int_equal(snp_launch_start_refused(&d, -EIO, 0x7, KVM_ABI_AUTO, SNP_ABI_UPSTREAM,
						  0x20000, &h),
			 -EIO);
	assert_non_null(strstr(d.msg, "POLICY_FAILURE (0x7)"));
	assert_non_null(strstr(d.msg, "SMT is enabled in the BIOS"));
}

static void test_other_firmware_error_is_named(void **state)
{
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };

	assert_int_equal(snp_launch_start_refused(&d, -EIO, 0x16, KVM_ABI_AUTO, SNP_ABI_UPSTREAM,
						  0x30000, &h),
			 -EIO);
	assert_string_equal(d.msg, "SNP_LAUNCH_START failed: firmware error INVALID_PARAM (0x16)");
}

static void test_features_default_to_none_where_debug_swap_is_offered(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	uint64_t f = 0xff;

	assert_int_equal(snp_choose_features(&o, &h, &f, &d), 0);
	assert_true(f == 0);
}

static void test_debug_swap_the_host_lacks_names_kvm_amd_parameter(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	uint64_t f = 0;

	h.vmsa_features = 0;
	strcpy(h.kvm_amd_debug_swap, "N");
	o.sev_features = SVM_SEV_FEAT_DEBUG_SWAP;
	assert_int_equal(snp_choose_features(&o, &h, &f, &d), -ENOTSUP);
	assert_non_null(strstr(d.msg, "debug_swap=N"));
}

static void test_secure_tsc_sets_bit_9_where_offered(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	uint64_t f = 0;

	h.vmsa_features |= SVM_SEV_FEAT_SECURE_TSC;
	o.secure_tsc = true;
	o.tsc_khz = 2000000;
	assert_int_equal(snp_choose_features(&o, &h, &f, &d), 0);
	assert_true(f == SVM_SEV_FEAT_SECURE_TSC);
}

static void test_secure_tsc_without_cpu_support_names_cpuid(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	uint64_t f = 0;

	h.cpuid_8000001f_eax &= ~SNP_CPUID_EAX_SECURE_TSC;
	o.secure_tsc = true;
	assert_int_equal(snp_choose_features(&o, &h, &f, &d), -ENOTSUP);
	assert_non_null(strstr(d.msg, "CPUID 0x8000001F EAX bit 8"));
}

static void test_secure_tsc_on_kernel_before_6_18_names_the_kernel(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	uint64_t f = 0;

	o.secure_tsc = true;
	assert_int_equal(snp_choose_features(&o, &h, &f, &d), -ENOTSUP);
	assert_non_null(strstr(d.msg, "Linux 6.18"));
}

static void test_tsc_khz_without_vm_tsc_control_is_refused(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	uint64_t f = 0;

	h.vmsa_features |= SVM_SEV_FEAT_SECURE_TSC;
	h.vm_tsc_control = false;
	o.secure_tsc = true;
	o.tsc_khz = 2000000;
	assert_int_equal(snp_choose_features(&o, &h, &f, &d), -ENOTSUP);
	assert_non_null(strstr(d.msg, "KVM_CAP_VM_TSC_CONTROL"));
}

static void test_policy_parse_refuses_octal_looking_text(void **state)
{
	struct diag d = { "" };
	uint64_t p = 1;

	assert_int_equal(snp_policy_parse("--policy", "030000", &p, &d), -EINVAL);
	assert_int_equal(p, 1);
}

static void test_policy_parse_decimal_with_bit_17_is_taken_as_is(void **state)
{
	struct diag d = { "" };
	uint64_t p = 0;

	assert_int_equal(snp_policy_parse("--policy", "196608", &p, &d), 0);
	assert_int_equal(p, 0x30000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_policy_allows_smt_when_the_host_runs_without_smt),
		cmocka_unit_test(test_default_policy_is_0x30000_with_smt_active),
		cmocka_unit_test(test_policy_forbidding_smt_on_smt_host_is_refused_before_launch),
		cmocka_unit_test(test_policy_bit_outside_policy_bits_is_refused_on_6_19),
		cmocka_unit_test(test_policy_migration_agent_bit_refusal_names_upstream_and_v12),
		cmocka_unit_test(test_v12_refusal_names_single_socket),
		cmocka_unit_test(test_v12_refusal_names_smt_required),
		cmocka_unit_test(test_refusal_before_6_19_of_single_socket_says_6_11_to_6_16),
		cmocka_unit_test(test_refusal_before_6_19_without_smt_says_6_11_to_6_16),
		cmocka_unit_test(test_refusal_before_6_19_of_a_newer_bit_names_the_6_11_mask),
		cmocka_unit_test(test_refusal_on_6_19_says_the_policy_bits_allowed_it),
		cmocka_unit_test(test_firmware_policy_failure_without_smt_blames_smt_in_the_bios),
		cmocka_unit_test(test_other_firmware_error_is_named),
		cmocka_unit_test(test_features_default_to_none_where_debug_swap_is_offered),
		cmocka_unit_test(test_debug_swap_the_host_lacks_names_kvm_amd_parameter),
		cmocka_unit_test(test_secure_tsc_sets_bit_9_where_offered),
		cmocka_unit_test(test_secure_tsc_without_cpu_support_names_cpuid),
		cmocka_unit_test(test_secure_tsc_on_kernel_before_6_18_names_the_kernel),
		cmocka_unit_test(test_tsc_khz_without_vm_tsc_control_is_refused),
		cmocka_unit_test(test_policy_parse_refuses_octal_looking_text),
		cmocka_unit_test(test_policy_parse_decimal_with_bit_17_is_taken_as_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
