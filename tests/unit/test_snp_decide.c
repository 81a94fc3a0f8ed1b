// SPDX-License-Identifier: MIT
/*
 * The decisions of an SNP launch (vmm/snp_decide.h), made from the options and the host
 * facts alone: VM type, C-bit, VMSA features, policy, the ABI asked for, GOSVW, Secure TSC
 * frequency, the finish parameters, and what is enabled once SNP_LAUNCH_START has found
 * the kernel's ABI. (`--sev-features auto` never reaches a decision: the option parser
 * refuses it, test_options.c.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "snp_host_fixtures.h"
#include "vmm/snp_decide.h"

/* Decisions that must succeed; a refusal fails the test with its sentence. */
static struct snp_launch_decisions decide(const struct snp_options *o, const struct snp_host *h)
{
	struct snp_launch_decisions dec;
	struct diag d = { "" };
	int r;

	memset(&dec, 0xa5, sizeof(dec));
	r = snp_launch_decide(o, h, &dec, &d);
	if (r < 0)
		fail_msg("snp_launch_decide: %d: %s", r, d.msg);
	return dec;
}

static uint64_t default_policy_on(struct snp_host h)
{
	struct snp_options o = no_options();

	return decide(&o, &h).policy;
}

static struct snp_after_start after_start(bool certs, enum snp_abi abi)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct snp_launch_decisions dec;
	struct snp_after_start after;
	struct diag d = { "" };
	int r;

	o.certs_path = certs ? "certs.bin" : NULL;
	dec = decide(&o, &h);
	memset(&after, 0xa5, sizeof(after));
	r = snp_after_start_decide(&dec, abi, &after, &d);
	if (r < 0)
		fail_msg("snp_after_start_decide: %d: %s", r, d.msg);
	return after;
}

static void test_decide_vm_type_is_the_snp_vm_type(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	assert_int_equal(decide(&o, &h).vm_type, KVM_X86_SNP_VM);
}

static void test_decide_cbitpos_other_than_the_hosts_is_refused_naming_cbitpos(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct snp_launch_decisions dec = { .policy = 7 };
	struct diag d = { "" };

	o.cbitpos = 47;
	assert_int_equal(snp_launch_decide(&o, &h, &dec, &d), -EINVAL);
	assert_string_equal(d.field, "cbitpos");
	assert_string_equal(d.msg, "cbitpos 47 disagrees with the host's C-bit position 51 (CPUID "
				   "0x8000001F EBX[5:0])");
	assert_int_equal(dec.policy, 7);
}

static void test_decide_cbitpos_unset_is_the_hosts(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_without_debug_swap();

	assert_int_equal(decide(&o, &h).cbitpos, 47);
}

static void test_decide_cbitpos_equal_to_the_hosts_is_kept(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	o.cbitpos = 51;
	assert_int_equal(decide(&o, &h).cbitpos, 51);
}

static void test_decide_no_sev_feature_is_enabled_where_debug_swap_is_offered(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	assert_int_equal(decide(&o, &h).vmsa_features, 0);
}

static void test_decide_no_sev_feature_on_a_host_without_debug_swap_launches(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_without_debug_swap();

	assert_int_equal(decide(&o, &h).vmsa_features, 0);
}

static void test_decide_explicit_debug_swap_is_enabled_where_offered(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	o.sev_features = SVM_SEV_FEAT_DEBUG_SWAP;
	assert_int_equal(decide(&o, &h).vmsa_features, SVM_SEV_FEAT_DEBUG_SWAP);
}

static void test_decide_explicit_debug_swap_without_it_is_refused_naming_sev_features(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_without_debug_swap();
	struct snp_launch_decisions dec = { .vmsa_features = 7 };
	struct diag d = { "" };

	o.sev_features = SVM_SEV_FEAT_DEBUG_SWAP;
	assert_int_equal(snp_launch_decide(&o, &h, &dec, &d), -ENOTSUP);
	assert_string_equal(d.field, "sev_features");
	assert_non_null(strstr(d.msg, "does not offer debug-swap"));
	assert_non_null(strstr(d.msg, "debug_swap=N"));
	assert_int_equal(dec.vmsa_features, 7);
}

static void test_decide_secure_tsc_adds_feature_bit_9(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_19();

	o.secure_tsc = true;
	assert_int_equal(decide(&o, &h).vmsa_features, SVM_SEV_FEAT_SECURE_TSC);
}

static void test_decide_default_policy_is_0x30000_on_every_host(void **state)
{
	assert_int_equal(default_policy_on(host_6_11(true)), 0x30000);
	assert_int_equal(default_policy_on(host_6_11(false)), 0x30000);
	assert_int_equal(default_policy_on(host_6_19()), 0x30000);
	assert_int_equal(default_policy_on(host_without_debug_swap()), 0x30000);
}

static void test_decide_explicit_policy_is_kept(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	o.policy = 0x30005;
	assert_int_equal(decide(&o, &h).policy, 0x30005);
}

static void test_decide_explicit_policy_without_smt_is_kept_on_a_host_without_smt(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(false);

	o.policy = 0x20000;
	assert_int_equal(decide(&o, &h).policy, 0x20000);
}

static void test_decide_policy_refusal_names_policy(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct diag d = { "" };
	struct snp_launch_decisions dec;

	o.policy = 0x10000;
	assert_int_equal(snp_launch_decide(&o, &h, &dec, &d), -EINVAL);
	assert_string_equal(d.field, "policy");
	assert_non_null(strstr(d.msg, "bit 17"));
}

static void test_decide_abi_auto_is_left_to_launch_start(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	o.abi = KVM_ABI_AUTO;
	assert_int_equal(decide(&o, &h).abi, SNP_ABI_AUTO);
}

static void test_decide_abi_upstream_asks_for_upstream(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	o.abi = KVM_ABI_UPSTREAM;
	assert_int_equal(decide(&o, &h).abi, SNP_ABI_UPSTREAM);
}

static void test_decide_abi_v12_asks_for_v12(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	o.abi = KVM_ABI_V12;
	assert_int_equal(decide(&o, &h).abi, SNP_ABI_V12);
}

static void test_decide_gosvw_is_carried_to_launch_start(void **state)
{
	static const uint8_t gosvw[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	memcpy(o.gosvw, gosvw, sizeof(gosvw));
	assert_memory_equal(decide(&o, &h).gosvw, gosvw, sizeof(gosvw));
}

static void test_decide_tsc_khz_is_carried_to_the_vm(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_19();

	o.secure_tsc = true;
	o.tsc_khz = 2450000;
	assert_int_equal(decide(&o, &h).tsc_khz, 2450000);
}

static void test_decide_tsc_khz_unset_leaves_the_vm_alone(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_19();

	assert_int_equal(decide(&o, &h).tsc_khz, 0);
}

static void test_decide_tsc_khz_without_vm_tsc_control_is_refused_naming_tsc_khz(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_19();
	struct snp_launch_decisions dec;
	struct diag d = { "" };

	h.vm_tsc_control = false;
	o.tsc_khz = 2450000;
	assert_int_equal(snp_launch_decide(&o, &h, &dec, &d), -ENOTSUP);
	assert_string_equal(d.field, "tsc_khz");
}

static void test_decide_finish_copies_host_data(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	o.have_host_data = true;
	memset(o.host_data, 0x5c, sizeof(o.host_data));
	o.host_data[31] = 0x01;
	assert_memory_equal(decide(&o, &h).finish.host_data, o.host_data, sizeof(o.host_data));
}

static void test_decide_finish_host_data_is_zero_unless_given(void **state)
{
	static const uint8_t zero[32];
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	memset(o.host_data, 0x5c, sizeof(o.host_data));
	assert_memory_equal(decide(&o, &h).finish.host_data, zero, sizeof(zero));
}

static void test_decide_finish_author_key_flag_follows_the_option(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	assert_false(decide(&o, &h).finish.auth_key_en);
	o.author_key_enabled = true;
	assert_true(decide(&o, &h).finish.auth_key_en);
}

static void test_decide_finish_vcek_disabled_follows_the_option(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	assert_false(decide(&o, &h).finish.vcek_disabled);
	o.vcek_disabled = true;
	assert_true(decide(&o, &h).finish.vcek_disabled);
}

static void test_decide_finish_id_block_and_auth_are_read_by_the_launch(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct snp_launch_decisions dec;

	o.id_block_path = "id-block.bin";
	o.id_auth_path = "id-auth.bin";
	dec = decide(&o, &h);
	assert_true(dec.read_id_block);
	assert_true(dec.read_id_auth);
	assert_null(dec.finish.id_block);
	assert_null(dec.finish.id_auth);
}

static void test_decide_finish_without_id_block_reads_none(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct snp_launch_decisions dec = decide(&o, &h);

	assert_false(dec.read_id_block);
	assert_false(dec.read_id_auth);
}

static void test_decide_certs_follow_the_certs_option(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);

	assert_false(decide(&o, &h).certs);
	o.certs_path = "certs.bin";
	assert_true(decide(&o, &h).certs);
}

static void test_after_start_upstream_enables_map_gpa_range_exits(void **state)
{
	struct snp_after_start a = after_start(false, SNP_ABI_UPSTREAM);

	assert_true(a.exit_map_gpa_range);
	assert_false(a.req_certs);
}

static void test_after_start_upstream_with_certs_enables_req_certs(void **state)
{
	struct snp_after_start a = after_start(true, SNP_ABI_UPSTREAM);

	assert_true(a.exit_map_gpa_range);
	assert_true(a.req_certs);
}

static void test_after_start_v12_enables_nothing(void **state)
{
	struct snp_after_start a = after_start(false, SNP_ABI_V12);

	assert_false(a.exit_map_gpa_range);
	assert_false(a.req_certs);
}

static void test_after_start_v12_with_certs_is_refused_naming_certs(void **state)
{
	struct snp_options o = no_options();
	struct snp_host h = host_6_11(true);
	struct snp_after_start a = { .exit_map_gpa_range = true };
	struct snp_launch_decisions dec;
	struct diag d = { "" };

	o.certs_path = "certs.bin";
	dec = decide(&o, &h);
	assert_int_equal(snp_after_start_decide(&dec, SNP_ABI_V12, &a, &d), -ENOTSUP);
	assert_string_equal(d.field, "certs");
	assert_string_equal(d.msg, "certs: this kernel cannot hand certificate requests to "
				   "userspace (no KVM_X86_SEV_SNP_REQ_CERTS)");
	assert_true(a.exit_map_gpa_range);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_vm_type_is_the_snp_vm_type),
		cmocka_unit_test(
			test_decide_cbitpos_other_than_the_hosts_is_refused_naming_cbitpos),
		cmocka_unit_test(test_decide_cbitpos_unset_is_the_hosts),
		cmocka_unit_test(test_decide_cbitpos_equal_to_the_hosts_is_kept),
		cmocka_unit_test(test_decide_no_sev_feature_is_enabled_where_debug_swap_is_offered),
		cmocka_unit_test(test_decide_no_sev_feature_on_a_host_without_debug_swap_launches),
		cmocka_unit_test(test_decide_explicit_debug_swap_is_enabled_where_offered),
		cmocka_unit_test(
			test_decide_explicit_debug_swap_without_it_is_refused_naming_sev_features),
		cmocka_unit_test(test_decide_secure_tsc_adds_feature_bit_9),
		cmocka_unit_test(test_decide_default_policy_is_0x30000_on_every_host),
		cmocka_unit_test(test_decide_explicit_policy_is_kept),
		cmocka_unit_test(
			test_decide_explicit_policy_without_smt_is_kept_on_a_host_without_smt),
		cmocka_unit_test(test_decide_policy_refusal_names_policy),
		cmocka_unit_test(test_decide_abi_auto_is_left_to_launch_start),
		cmocka_unit_test(test_decide_abi_upstream_asks_for_upstream),
		cmocka_unit_test(test_decide_abi_v12_asks_for_v12),
		cmocka_unit_test(test_decide_gosvw_is_carried_to_launch_start),
		cmocka_unit_test(test_decide_tsc_khz_is_carried_to_the_vm),
		cmocka_unit_test(test_decide_tsc_khz_unset_leaves_the_vm_alone),
		cmocka_unit_test(
			test_decide_tsc_khz_without_vm_tsc_control_is_refused_naming_tsc_khz),
		cmocka_unit_test(test_decide_finish_copies_host_data),
		cmocka_unit_test(test_decide_finish_host_data_is_zero_unless_given),
		cmocka_unit_test(test_decide_finish_author_key_flag_follows_the_option),
		cmocka_unit_test(test_decide_finish_vcek_disabled_follows_the_option),
		cmocka_unit_test(test_decide_finish_id_block_and_auth_are_read_by_the_launch),
		cmocka_unit_test(test_decide_finish_without_id_block_reads_none),
		cmocka_unit_test(test_decide_certs_follow_the_certs_option),
		cmocka_unit_test(test_after_start_upstream_enables_map_gpa_range_exits),
		cmocka_unit_test(test_after_start_upstream_with_certs_enables_req_certs),
		cmocka_unit_test(test_after_start_v12_enables_nothing),
		cmocka_unit_test(test_after_start_v12_with_certs_is_refused_naming_certs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
