// SPDX-License-Identifier: MIT
/*
 * One test per rule the simulated SNP host enforces (docs/sim.md "Rules"), driving the
 * backend ops directly as the VMM does. Each name says the rule and the result.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/psp-sev.h>

#include <cmocka.h>

#include "sim_test_util.h"
#include "snp/idblock.h"
#include "snp/vmsa.h"

#define PAGE 4096u

static void started(struct t_vm *vm, const char *profile, const char *faults,
		    const char *const *settings)
{
	uint32_t fw;

	t_vm_create(vm, profile, faults, NULL, settings);
	assert_int_equal(t_init2(vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(vm, T_POLICY, &fw), 0);
}

/* ---- VM creation and the ioctl's presence ---- */

static void test_sim_create_vm_type_outside_vm_types_is_einval(void **state)
{
	struct t_vm vm;

	t_sim_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->create_vm(vm.be, 5 /* TDX */), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_vm_types_reports_snp(void **state)
{
	struct t_vm vm;

	t_sim_create(&vm, NULL, NULL, NULL, NULL);
	assert_true(vm.be->ops->check_extension(vm.be, false, KVM_CAP_VM_TYPES) &
		    (1 << KVM_X86_SNP_VM));
	t_vm_destroy(&vm);
}

static void test_sim_memory_encrypt_op_on_default_vm_is_enotty(void **state)
{
	struct t_vm vm;

	t_sim_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->create_vm(vm.be, KVM_X86_DEFAULT_VM), 0);
	assert_int_equal(t_init2(&vm, 0, 0, 0), -ENOTTY);
	t_vm_destroy(&vm);
}

/* ---- device attributes ---- */

static void test_sim_vmsa_features_attr_reports_debug_swap(void **state)
{
	struct t_vm vm;
	uint64_t v = 0;

	t_sim_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(
		vm.be->ops->get_device_attr(vm.be, KVM_X86_GRP_SEV, KVM_X86_SEV_VMSA_FEATURES, &v),
		0);
	assert_int_equal(v, SVM_SEV_FEAT_DEBUG_SWAP);
	t_vm_destroy(&vm);
}

static void test_sim_6_18_has_no_policy_bits_attr(void **state)
{
	struct t_vm vm;
	uint64_t v = 0;

	t_sim_create(&vm, "6.18", NULL, NULL, NULL);
	assert_int_equal(
		vm.be->ops->get_device_attr(vm.be, KVM_X86_GRP_SEV, KVM_X86_SNP_POLICY_BITS, &v),
		-ENXIO);
	t_vm_destroy(&vm);
}

static void test_sim_6_19_policy_bits_attr_is_reported(void **state)
{
	struct t_vm vm;
	uint64_t v = 0;

	t_sim_create(&vm, "6.19", NULL, NULL, NULL);
	assert_int_equal(
		vm.be->ops->get_device_attr(vm.be, KVM_X86_GRP_SEV, KVM_X86_SNP_POLICY_BITS, &v),
		0);
	assert_true(v & SNP_POLICY_CXL_ALLOW);
	assert_false(v & SNP_POLICY_MIGRATE_MA);
	t_vm_destroy(&vm);
}

static void test_sim_req_certs_attr_from_7_0_on(void **state)
{
	struct t_vm a, b;
	uint64_t v = 0;

	t_sim_create(&a, "6.19", NULL, NULL, NULL);
	t_sim_create(&b, "7.0", NULL, NULL, NULL);
	assert_int_equal(
		a.be->ops->get_device_attr(a.be, KVM_X86_GRP_SEV, KVM_X86_SEV_SNP_REQ_CERTS, &v),
		-ENXIO);
	assert_int_equal(
		b.be->ops->get_device_attr(b.be, KVM_X86_GRP_SEV, KVM_X86_SEV_SNP_REQ_CERTS, &v),
		0);
	assert_int_equal(v, 1);
	t_vm_destroy(&a);
	t_vm_destroy(&b);
}

static void test_sim_host_facts_report_profile_cbit(void **state)
{
	static const char *const settings[] = { "cbitpos=47", "smt=0", NULL };
	struct host_facts f;
	struct t_vm vm;

	t_sim_create(&vm, NULL, NULL, NULL, settings);
	assert_int_equal(vm.be->ops->get_host_facts(vm.be, &f), 0);
	assert_int_equal(f.cpuid_8000001f[1] & 0x3f, 47);
	assert_int_equal((f.cpuid_8000001f[1] >> 6) & 0x3f, 1);
	assert_false(f.smt_active);
	assert_true(f.cpuid_8000001f[0] & (1u << 4));
	t_vm_destroy(&vm);
}

/* ---- KVM_SEV_INIT2 ---- */

/* Upstream: the second INIT2 is an id below 100 on an SNP guest, refused with -EPERM
 * before sev_guest_init2() sees need_init. */
static void test_sim_init2_twice_is_eperm(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, "6.11", NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_init2(&vm, 0, 0, 0), -EPERM);
	t_vm_destroy(&vm);
}

static void test_sim_v12_init2_twice_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, "v12", NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_init2(&vm, 0, 0, 0), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_init2_after_vcpu_create_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(t_init2(&vm, 0, 0, 0), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_init2_nonzero_flags_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 1, 0), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_init2_unknown_vmsa_feature_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, SVM_SEV_FEAT_SECURE_TSC, 0, 0), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_init2_snp_active_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, SVM_SEV_FEAT_SNP_ACTIVE, 0, 0), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_6_18_init2_ghcb_version_1_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, "6.18", NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 1), -EINVAL);
	assert_int_equal(t_init2(&vm, SVM_SEV_FEAT_DEBUG_SWAP, 0, 2), 0);
	t_vm_destroy(&vm);
}

static void test_sim_init2_ghcb_version_above_2_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 3), -EINVAL);
	t_vm_destroy(&vm);
}

/* ---- command ids per ABI ---- */

static void test_sim_upstream_v12_command_after_init2_is_eperm(void **state)
{
	struct kvm_sev_snp_v12_launch_start s = { .policy = T_POLICY };
	struct t_vm vm;
	uint32_t fw = 1;

	t_vm_create(&vm, "6.11", NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_V12_LAUNCH_START, &s, &fw), -EPERM);
	assert_int_equal(fw, 0);
	t_vm_destroy(&vm);
}

static void test_sim_v12_upstream_command_is_einval(void **state)
{
	struct kvm_sev_snp_launch_start s = { .policy = T_POLICY };
	struct t_vm vm;
	uint32_t fw = 1;

	t_vm_create(&vm, "v12", NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_LAUNCH_START, &s, &fw), -EINVAL);
	assert_int_equal(fw, 0);
	t_vm_destroy(&vm);
}

static void test_sim_launch_start_before_init2_is_enotty(void **state)
{
	struct t_vm vm;
	uint32_t fw;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_launch_start(&vm, T_POLICY, &fw), -ENOTTY);
	t_vm_destroy(&vm);
}

static void test_sim_6_19_enable_req_certs_is_an_unknown_command(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, "6.19", NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_ENABLE_REQ_CERTS, NULL, NULL), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_enable_req_certs_before_init2_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, "7.0", NULL, NULL, NULL);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_ENABLE_REQ_CERTS, NULL, NULL), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_enable_req_certs_after_vcpu_create_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, "7.0", NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_ENABLE_REQ_CERTS, NULL, NULL), -EINVAL);
	t_vm_destroy(&vm);
}

/* ---- SNP_LAUNCH_START ---- */

static void test_sim_launch_start_without_rsvd_mbo_is_einval(void **state)
{
	struct t_vm vm;
	uint32_t fw;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&vm, SNP_POLICY_SMT, &fw), -EINVAL);
	t_vm_destroy(&vm);
}

/* SNP_POLICY_MASK_VALID (6.11 .. 6.18) lacks CXL_ALLOW; KVM_SNP_POLICY_MASK_VALID (6.19)
 * has it, never MIGRATE_MA. */
static void test_sim_6_18_refuses_policy_bit_21_and_6_19_passes_it(void **state)
{
	struct t_vm a, b;
	uint32_t fw;

	t_vm_create(&a, "6.18", NULL, NULL, NULL);
	t_vm_create(&b, "6.19", NULL, NULL, NULL);
	assert_int_equal(t_init2(&a, 0, 0, 0), 0);
	assert_int_equal(t_init2(&b, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&a, T_POLICY | SNP_POLICY_CXL_ALLOW, &fw), -EINVAL);
	assert_int_equal(t_launch_start(&b, T_POLICY | SNP_POLICY_CXL_ALLOW, &fw), 0);
	assert_int_equal(t_launch_start(&b, T_POLICY | SNP_POLICY_MIGRATE_MA, &fw), -EINVAL);
	t_vm_destroy(&a);
	t_vm_destroy(&b);
}

/* 6.19: "params.policy & ~snp_supported_policy_bits", KVM's mask ANDed with the firmware's
 * bits, so a bit the firmware lacks is refused by KVM. */
static void test_sim_6_19_policy_bit_the_firmware_lacks_is_einval(void **state)
{
	static const char *const settings[] = { "policy_bits=0x3ffff", NULL };
	struct t_vm vm;
	uint32_t fw;

	t_vm_create(&vm, "6.19", NULL, NULL, settings);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&vm, T_POLICY | SNP_POLICY_DEBUG, &fw), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_launch_start_nonzero_flags_is_einval(void **state)
{
	struct kvm_sev_snp_launch_start s = { .policy = T_POLICY, .flags = 1 };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_LAUNCH_START, &s, NULL), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_launch_start_twice_is_einval(void **state)
{
	struct t_vm vm;
	uint32_t fw;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_launch_start(&vm, T_POLICY, &fw), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_launch_start_smt_disallowed_on_smt_host_is_policy_failure(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&vm, SNP_POLICY_RSVD_MBO, &fw), -EIO);
	assert_int_equal(fw, SEV_RET_POLICY_FAILURE);
	t_vm_destroy(&vm);
}

static void test_sim_launch_start_smt_disallowed_without_host_smt_succeeds(void **state)
{
	static const char *const settings[] = { "smt=0", NULL };
	struct t_vm vm;
	uint32_t fw = 0;

	t_vm_create(&vm, NULL, NULL, NULL, settings);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&vm, SNP_POLICY_RSVD_MBO, &fw), 0);
	t_vm_destroy(&vm);
}

/* Linux's nosmt makes sysfs smt/active 0 but leaves SMT enabled in the BIOS, which is what
 * the firmware checks (9f4701e05fae, 6.17: SMT = 0 asks for "SMT disabled in the BIOS"):
 * the host facts say SMT is off, PLATFORM_INFO still has SMT_EN, and LAUNCH_START of a
 * policy without SMT is POLICY_FAILURE. */
static void test_sim_nosmt_with_bios_smt_policy_without_smt_is_policy_failure(void **state)
{
	static const char *const nosmt[] = { "smt_active=0", NULL };
	static const char *const bios_off[] = { "smt_bios=0", "smt_active=0", NULL };
	struct host_facts f;
	struct t_vm vm, off;
	uint32_t fw = 0;

	t_vm_create(&vm, "6.17", NULL, NULL, nosmt);
	assert_int_equal(vm.be->ops->get_host_facts(vm.be, &f), 0);
	assert_false(f.smt_active);
	assert_true(vm.sim->profile.smt_bios);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&vm, SNP_POLICY_RSVD_MBO, &fw), -EIO);
	assert_int_equal(fw, SEV_RET_POLICY_FAILURE);
	t_vm_destroy(&vm);

	t_vm_create(&off, "6.17", NULL, NULL, bios_off);
	assert_int_equal(t_init2(&off, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&off, SNP_POLICY_RSVD_MBO, &fw), 0);
	t_vm_destroy(&off);
}

static void test_sim_launch_start_abi_newer_than_firmware_is_policy_failure(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	/* firmware 1.55; the guest asks for at least 2.0 */
	assert_int_equal(t_launch_start(&vm, T_POLICY | (2u << 8), &fw), -EIO);
	assert_int_equal(fw, SEV_RET_POLICY_FAILURE);
	assert_int_equal(t_launch_start(&vm, T_POLICY | (1u << 8) | 55, &fw), 0);
	t_vm_destroy(&vm);
}

/* [PATCH v12 10/29] and 6.11 .. 6.16 snp_launch_start(): a policy without SMT, or with
 * SINGLE_SOCKET, is -EINVAL whatever the host's SMT. */
static void
test_sim_v12_and_6_11_launch_start_without_smt_or_with_single_socket_is_einval(void **state)
{
	static const char *const smt_off[] = { "smt=0", NULL };
	static const char *const profiles[] = { "v12", "6.11", "6.16" };
	unsigned int i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct t_vm a, b;
		uint32_t fw = 0;

		t_vm_create(&a, profiles[i], NULL, NULL, smt_off);
		t_vm_create(&b, profiles[i], NULL, NULL, NULL);
		assert_int_equal(t_init2(&a, 0, 0, 0), 0);
		assert_int_equal(t_init2(&b, 0, 0, 0), 0);
		assert_int_equal(t_launch_start(&a, SNP_POLICY_RSVD_MBO, &fw), -EINVAL);
		assert_int_equal(fw, 0);
		assert_int_equal(t_launch_start(&b, T_POLICY | SNP_POLICY_SINGLE_SOCKET, &fw),
				 -EINVAL);
		t_vm_destroy(&a);
		t_vm_destroy(&b);
	}
}

/* ---- SNP_LAUNCH_UPDATE ---- */

static void test_sim_launch_update_before_launch_start_is_einval(void **state)
{
	struct t_vm vm;
	uint32_t fw;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL),
			 -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_unaligned_len_is_einval(void **state)
{
	struct t_vm vm;
	uint32_t fw;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, 2 * PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, PAGE + 1, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL),
			 -EINVAL);
	assert_int_equal(t_launch_update(&vm, 0, 0, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL),
			 -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_vmsa_type_is_einval(void **state)
{
	struct t_vm vm;
	uint32_t fw;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, PAGE, SNP_PAGE_TYPE_VMSA, &fw, NULL), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_nonzero_flags_is_einval(void **state)
{
	struct t_vm vm;
	struct kvm_sev_snp_launch_update u = { .len = PAGE, .type = 1, .flags = 1 };

	started(&vm, NULL, NULL, NULL);
	u.uaddr = (uint64_t)(uintptr_t)vm.ram;
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, NULL), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_7_0_launch_update_unaligned_uaddr_is_einval(void **state)
{
	struct t_vm vm;
	struct kvm_sev_snp_launch_update u = { .len = PAGE, .type = 1 };

	started(&vm, "7.0", NULL, NULL);
	u.uaddr = (uint64_t)(uintptr_t)vm.ram + 8;
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, NULL), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_zero_type_ignores_uaddr(void **state)
{
	struct t_vm vm;
	struct kvm_sev_snp_launch_update u = { .len = PAGE,
					       .type = KVM_SEV_SNP_PAGE_TYPE_ZERO,
					       .uaddr = 3 };

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, NULL), 0);
	assert_int_equal(u.len, 0);
	assert_int_equal(u.gfn_start, 1);
	assert_int_equal(u.uaddr, 3);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_without_gmem_memslot_is_einval(void **state)
{
	struct t_vm vm;
	struct kvm_sev_snp_launch_update u = { .len = PAGE,
					       .type = 1,
					       .gfn_start = (1ull << 32) >> 12 };

	started(&vm, NULL, NULL, NULL);
	u.uaddr = (uint64_t)(uintptr_t)vm.ram;
	assert_int_equal(t_set_private(&vm, 1ull << 32, PAGE, true), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, NULL), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_not_private_is_eio(void **state)
{
	struct t_vm vm;
	uint32_t fw = 1;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL),
			 -EIO);
	assert_int_equal(fw, 0);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_same_page_twice_is_eio(void **state)
{
	struct t_vm vm;
	uint32_t fw = 1;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL), 0);
	assert_int_equal(t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL),
			 -EIO);
	assert_int_equal(fw, 0);
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_NORMAL], 1);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_failure_after_progress_returns_progress(void **state)
{
	struct kvm_sev_snp_launch_update io;
	struct t_vm vm;
	uint32_t fw;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
	/* page 1 is shared: kvm_gmem_populate() stops there and reports one page done */
	assert_int_equal(t_launch_update(&vm, 0, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, &io),
			 0);
	assert_int_equal(io.gfn_start, 1);
	assert_int_equal(io.len, PAGE);
	assert_int_equal(io.uaddr, (uint64_t)(uintptr_t)(vm.ram + PAGE));
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_past_memslot_end_stops_at_slot_end(void **state)
{
	struct kvm_sev_snp_launch_update io;
	struct t_vm vm;
	uint32_t fw;
	uint64_t last = T_RAM_SIZE - PAGE;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_set_private(&vm, last, 2 * PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, last, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_ZERO, &fw, &io),
			 0);
	assert_int_equal(io.len, PAGE);
	assert_int_equal(io.gfn_start, T_RAM_SIZE >> 12);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_copies_source_into_guest_memfd(void **state)
{
	struct kvm_sev_snp_launch_update io;
	uint8_t back[PAGE];
	struct t_vm vm;
	uint32_t fw;

	started(&vm, NULL, NULL, NULL);
	memset(vm.ram + 2 * PAGE, 0xa5, 2 * PAGE);
	assert_int_equal(t_set_private(&vm, 2 * PAGE, 2 * PAGE, true), 0);
	assert_int_equal(
		t_launch_update(&vm, 2 * PAGE, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, &io),
		0);
	assert_int_equal(io.len, 0);
	assert_int_equal(io.gfn_start, 4);
	assert_int_equal(pread(vm.gmem_fd, back, PAGE, 3 * PAGE), PAGE);
	assert_memory_equal(back, vm.ram + 3 * PAGE, PAGE);
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_NORMAL], 2);
	t_vm_destroy(&vm);
}

/* ---- the CPUID page ---- */

struct cpuid_fn {
	uint32_t eax_in, ecx_in;
	uint64_t xcr0_in, xss_in;
	uint32_t eax, ebx, ecx, edx;
	uint64_t reserved;
} __attribute__((packed));

struct cpuid_page {
	uint32_t count, reserved1;
	uint64_t reserved2;
	struct cpuid_fn fn[64];
} __attribute__((packed));

/* The host's supported CPUID, copied into a CPUID page unmasked (a naive VMM). */
static void naive_cpuid_page(struct t_vm *vm, struct cpuid_page *p)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 64 * sizeof(struct kvm_cpuid_entry2));
	unsigned int i;

	assert_non_null(c);
	c->nent = 64;
	assert_int_equal(vm->be->ops->get_supported_cpuid(vm->be, c), 0);
	memset(p, 0, sizeof(*p));
	p->count = c->nent;
	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		p->fn[i].eax_in = e->function;
		p->fn[i].ecx_in = e->index;
		p->fn[i].eax = e->eax;
		p->fn[i].ebx = e->ebx;
		p->fn[i].ecx = e->ecx;
		p->fn[i].edx = e->edx;
		if (e->function == 0xd && e->index <= 1)
			p->fn[i].xcr0_in = 1;
	}
	free(c);
}

static struct cpuid_fn *find_fn(struct cpuid_page *p, uint32_t leaf, uint32_t sub)
{
	unsigned int i;

	for (i = 0; i < p->count; i++)
		if (p->fn[i].eax_in == leaf && p->fn[i].ecx_in == sub)
			return &p->fn[i];
	fail_msg("leaf 0x%x.%u missing", leaf, sub);
	return &p->fn[0];
}

static void test_sim_cpuid_page_unmasked_is_rejected_with_corrected_page(void **state)
{
	struct cpuid_page *page;
	struct t_vm vm;
	uint32_t fw = 0;

	started(&vm, NULL, NULL, NULL);
	page = (struct cpuid_page *)(vm.ram + 0x5000);
	naive_cpuid_page(&vm, page);
	assert_int_equal(t_set_private(&vm, 0x5000, PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0x5000, PAGE, KVM_SEV_SNP_PAGE_TYPE_CPUID, &fw, NULL),
			 -EIO);
	assert_int_equal(fw, SEV_RET_INVALID_PARAM);
	/* the firmware's expected values were copied back over the source buffer */
	assert_int_equal(find_fn(page, 0x1, 0)->ecx & (1u << 24), 0);
	assert_int_equal(find_fn(page, 0x7, 0)->ebx & (1u << 1), 0);
	assert_int_equal(find_fn(page, 0x7, 0)->edx & 0xfc000000u, 0);
	assert_int_equal(find_fn(page, 0x80000008, 0)->ebx & (1u << 25), 0);
	assert_int_equal(find_fn(page, 0xd, 0)->ebx, 0x240);
	assert_int_not_equal(find_fn(page, 0x1, 0)->ecx & (1u << 30), 0); /* RDRAND kept */
	/* nothing was measured; the corrected page is accepted on retry */
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_CPUID], 0);
	assert_int_equal(t_launch_update(&vm, 0x5000, PAGE, KVM_SEV_SNP_PAGE_TYPE_CPUID, &fw, NULL),
			 0);
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_CPUID], 1);
	t_vm_destroy(&vm);
}

static void test_sim_cpuid_page_more_than_64_entries_is_rejected(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	started(&vm, NULL, NULL, NULL);
	((struct cpuid_page *)(vm.ram + 0x5000))->count = 65;
	assert_int_equal(t_set_private(&vm, 0x5000, PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0x5000, PAGE, KVM_SEV_SNP_PAGE_TYPE_CPUID, &fw, NULL),
			 -EIO);
	assert_int_equal(fw, SEV_RET_INVALID_PARAM);
	assert_int_equal(((struct cpuid_page *)(vm.ram + 0x5000))->count, 64);
	t_vm_destroy(&vm);
}

static void test_sim_cpuid_page_bad_xcr0_in_is_rejected(void **state)
{
	struct cpuid_page *page;
	struct t_vm vm;
	uint32_t fw = 0;

	started(&vm, NULL, NULL, NULL);
	page = (struct cpuid_page *)(vm.ram + 0x5000);
	page->count = 1;
	page->fn[0].eax_in = 0xd;
	page->fn[0].xcr0_in = 1ull << 40; /* no x87, unsupported component */
	page->fn[0].ebx = 0x240;
	assert_int_equal(t_set_private(&vm, 0x5000, PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0x5000, PAGE, KVM_SEV_SNP_PAGE_TYPE_CPUID, &fw, NULL),
			 -EIO);
	assert_int_equal(fw, SEV_RET_INVALID_PARAM);
	assert_int_equal(page->fn[0].xcr0_in, 1);
	t_vm_destroy(&vm);
}

static void test_sim_cpuid_page_nonzero_reserved_is_rejected(void **state)
{
	struct cpuid_page *page;
	struct t_vm vm;
	uint32_t fw = 0;

	started(&vm, NULL, NULL, NULL);
	page = (struct cpuid_page *)(vm.ram + 0x5000);
	page->count = 1;
	page->fn[0].eax_in = 0x80000000;
	page->fn[0].reserved = 1;
	assert_int_equal(t_set_private(&vm, 0x5000, PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0x5000, PAGE, KVM_SEV_SNP_PAGE_TYPE_CPUID, &fw, NULL),
			 -EIO);
	assert_int_equal(fw, SEV_RET_INVALID_PARAM);
	assert_int_equal(page->fn[0].reserved, 0);
	t_vm_destroy(&vm);
}

static void test_sim_cpuid_reject_fault_rejects_a_valid_page_once(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	started(&vm, NULL, "cpuid-reject", NULL);
	assert_int_equal(t_set_private(&vm, 0x5000, PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0x5000, PAGE, KVM_SEV_SNP_PAGE_TYPE_CPUID, &fw, NULL),
			 -EIO);
	assert_int_equal(fw, SEV_RET_INVALID_PARAM);
	assert_int_equal(t_launch_update(&vm, 0x5000, PAGE, KVM_SEV_SNP_PAGE_TYPE_CPUID, &fw, NULL),
			 0);
	t_vm_destroy(&vm);
}

/* ---- SNP_LAUNCH_FINISH and after ---- */

static void test_sim_launch_finish_twice_is_einval(void **state)
{
	struct t_vm vm;
	uint32_t fw;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	t_launch_all(&vm);
	assert_int_equal(t_launch_finish(&vm, &fw), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_launch_finish_nonzero_flags_is_einval(void **state)
{
	struct kvm_sev_snp_launch_finish f = { .flags = 1 };
	struct t_vm vm;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_LAUNCH_FINISH, &f, NULL), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_register_ioctls_after_finish_are_einval(void **state)
{
	struct vcpu_state st = { 0 };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	t_launch_all(&vm);
	assert_int_equal(vm.be->ops->vcpu_get_state(vm.be, 0, &st), -EINVAL);
	vmsa_kvm_reset_state(&st);
	assert_int_equal(vm.be->ops->vcpu_set_state(vm.be, 0, &st), -EINVAL);
	t_vm_destroy(&vm);
}

/* Issue 10 defect 9: kvm_arch_vcpu_ioctl_set_mpstate() has no protected-state guard, so
 * KVM_SET_MP_STATE alone still works after LAUNCH_FINISH. */
static void test_sim_mp_state_after_finish_is_accepted(void **state)
{
	struct vcpu_state st = { .valid = VCPU_STATE_MP_STATE };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->create_irqchip(vm.be), 0);
	t_launch_all(&vm);
	st.mp_state.mp_state = KVM_MP_STATE_HALTED;
	assert_int_equal(vm.be->ops->vcpu_set_state(vm.be, 0, &st), 0);
	assert_int_equal(vm.sim->vcpus[0].state.mp_state.mp_state, KVM_MP_STATE_HALTED);
	st.valid |= VCPU_STATE_REGS;
	assert_int_equal(vm.be->ops->vcpu_set_state(vm.be, 0, &st), -EINVAL);
	t_vm_destroy(&vm);
}

/* kvm_arch_vcpu_ioctl_set_mpstate(): the local-APIC states need an in-kernel irqchip,
 * unknown states are -EINVAL. */
static void test_sim_mp_state_without_irqchip_or_unknown_is_einval(void **state)
{
	struct vcpu_state st = { .valid = VCPU_STATE_MP_STATE };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	st.mp_state.mp_state = KVM_MP_STATE_HALTED;
	assert_int_equal(vm.be->ops->vcpu_set_state(vm.be, 0, &st), -EINVAL);
	st.mp_state.mp_state = 42;
	assert_int_equal(vm.be->ops->vcpu_set_state(vm.be, 0, &st), -EINVAL);
	st.mp_state.mp_state = KVM_MP_STATE_RUNNABLE;
	assert_int_equal(vm.be->ops->vcpu_set_state(vm.be, 0, &st), 0);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_after_finish_is_eio(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	t_launch_all(&vm);
	assert_int_equal(t_set_private(&vm, 0x200000, PAGE, true), 0);
	assert_int_equal(
		t_launch_update(&vm, 0x200000, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL),
		-EIO);
	assert_int_equal(fw, SEV_RET_INVALID_GUEST_STATE);
	t_vm_destroy(&vm);
}

static void test_sim_pre_fault_before_finish_is_eopnotsupp(void **state)
{
	struct kvm_pre_fault_memory pf = { .gpa = 0, .size = PAGE };
	struct t_vm vm;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(vm.be->ops->vcpu_pre_fault_memory(vm.be, 0, &pf), -EOPNOTSUPP);
	t_vm_destroy(&vm);
}

static void test_sim_pre_fault_after_finish_consumes_range(void **state)
{
	struct kvm_pre_fault_memory pf = { .gpa = 0x400000, .size = 4 * PAGE };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	t_launch_all(&vm);
	assert_int_equal(vm.be->ops->vcpu_pre_fault_memory(vm.be, 0, &pf), 0);
	assert_int_equal(pf.size, 0);
	assert_int_equal(pf.gpa, 0x400000 + 4 * PAGE);
	t_vm_destroy(&vm);
}

static void test_sim_pre_fault_empty_range_is_einval(void **state)
{
	struct kvm_pre_fault_memory pf = { .gpa = 0x400000, .size = 0 };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	t_launch_all(&vm);
	assert_int_equal(vm.be->ops->vcpu_pre_fault_memory(vm.be, 0, &pf), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_pre_fault_unaligned_is_einval(void **state)
{
	struct kvm_pre_fault_memory pf = { .gpa = 0x400800, .size = PAGE };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	t_launch_all(&vm);
	assert_int_equal(vm.be->ops->vcpu_pre_fault_memory(vm.be, 0, &pf), -EINVAL);
	pf.gpa = 0x400000;
	pf.size = PAGE / 2;
	assert_int_equal(vm.be->ops->vcpu_pre_fault_memory(vm.be, 0, &pf), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_pre_fault_wrapping_range_is_einval(void **state)
{
	struct kvm_pre_fault_memory pf = { .gpa = UINT64_MAX - PAGE + 1, .size = 2 * PAGE };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	t_launch_all(&vm);
	assert_int_equal(vm.be->ops->vcpu_pre_fault_memory(vm.be, 0, &pf), -EINVAL);
	t_vm_destroy(&vm);
}

/* kvm_vcpu_pre_fault_memory() checks the range before the arch hook's -EOPNOTSUPP. */
static void test_sim_pre_fault_bad_range_before_finish_is_einval(void **state)
{
	struct kvm_pre_fault_memory pf = { .gpa = 0, .size = PAGE, .flags = 1 };
	struct t_vm vm;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(vm.be->ops->vcpu_pre_fault_memory(vm.be, 0, &pf), -EINVAL);
	t_vm_destroy(&vm);
}

/* Issue 10 defect 9: KVM does not refuse KVM_RUN before LAUNCH_FINISH. The BSP enters,
 * VMRUN fails on a VMSA that is not yet guest-owned, and KVM_RUN returns 0 with
 * KVM_EXIT_FAIL_ENTRY and SVM_EXIT_ERR. */
static void test_sim_run_of_the_bsp_before_finish_is_a_failed_entry(void **state)
{
	struct kvm_run *run;
	struct t_vm vm;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	run = vm.sim->vcpus[0].run;
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), 0);
	assert_int_equal(run->exit_reason, KVM_EXIT_FAIL_ENTRY);
	assert_int_equal(run->fail_entry.hardware_entry_failure_reason, 0xffffffffffffffffull);
	t_vm_destroy(&vm);
}

/* svm_vcpu_pre_run(): "if (to_kvm_sev_info(vcpu->kvm)->need_init) return -EINVAL". */
static void test_sim_run_before_init2_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), -EINVAL);
	t_vm_destroy(&vm);
}

struct run_thread {
	struct t_vm *vm;
	int vcpu, ret;
	bool done;
};

static void *run_vcpu(void *arg)
{
	struct run_thread *t = arg;

	t->ret = t->vm->be->ops->vcpu_run(t->vm->be, t->vcpu);
	__atomic_store_n(&t->done, true, __ATOMIC_SEQ_CST);
	return NULL;
}

static void on_kick(int sig)
{
}

/* Kicks the thread in KVM_RUN with SIGUSR1 until KVM_RUN returns, as a VMM does: a kick
 * that lands before the thread blocks runs its handler in user space and is lost (rule
 * 58), so it is repeated. */
static void kick_until_done(pthread_t thread, struct run_thread *t)
{
	struct sigaction sa = { .sa_handler = on_kick }, old;
	struct timespec ms1 = { 0, 1000 * 1000 };

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	while (!__atomic_load_n(&t->done, __ATOMIC_SEQ_CST)) {
		pthread_kill(thread, SIGUSR1);
		nanosleep(&ms1, NULL);
	}
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
}

/* A HALTED vCPU does not enter before LAUNCH_FINISH either: KVM_RUN blocks in
 * kvm_vcpu_block() until a wake-up or a signal; immediate_exit set while it blocks does
 * not end the wait (rule 61). */
static void test_sim_run_of_a_halted_vcpu_before_finish_blocks_until_kicked(void **state)
{
	struct vcpu_state st = { .valid = VCPU_STATE_MP_STATE };
	struct run_thread t;
	struct timespec ms20 = { 0, 20 * 1000 * 1000 };
	pthread_t thread;
	struct t_vm vm;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->create_irqchip(vm.be), 0);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	st.mp_state.mp_state = KVM_MP_STATE_HALTED;
	assert_int_equal(vm.be->ops->vcpu_set_state(vm.be, 0, &st), 0);
	t = (struct run_thread){ .vm = &vm, .vcpu = 0, .ret = 1 };
	assert_int_equal(pthread_create(&thread, NULL, run_vcpu, &t), 0);
	nanosleep(&ms20, NULL);
	__atomic_store_n(&vm.sim->vcpus[0].run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	nanosleep(&ms20, NULL);
	assert_false(__atomic_load_n(&t.done, __ATOMIC_SEQ_CST));
	kick_until_done(thread, &t);
	assert_int_equal(t.ret, -EINTR);
	t_vm_destroy(&vm);
}

static void test_sim_run_with_immediate_exit_is_eintr(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	t_launch_all(&vm);
	vm.sim->vcpus[0].run->immediate_exit = 1;
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), -EINTR);
	t_vm_destroy(&vm);
}

/* --sim-faults fail-call=N:ERRNO: the Nth call into the seam, whatever it is, fails once
 * and is recorded; the calls around it are untouched. */
static void test_sim_fail_call_fails_the_nth_seam_call_once(void **state)
{
	struct t_vm vm;

	t_sim_create(&vm, NULL, "fail-call=2:ENOMEM", NULL, NULL);
	assert_true(vm.be->ops->check_extension(vm.be, false, KVM_CAP_VM_TYPES) > 0);
	assert_int_equal(vm.be->ops->create_vm(vm.be, KVM_X86_SNP_VM), -ENOMEM);
	assert_int_equal(vm.be->ops->create_vm(vm.be, KVM_X86_SNP_VM), 0);
	assert_int_equal(vm.sim->seam_calls, 3);
	assert_int_equal(vm.sim->nr_injected, 1);
	assert_int_equal(vm.sim->injected[0].call, 2);
	assert_int_equal(vm.sim->injected[0].op, SIM_IOC_CREATE_VM);
	assert_int_equal(vm.sim->injected[0].err, ENOMEM);
	kvm_backend_destroy(vm.be);
}

/* INIT2 .. LAUNCH_FINISH with two vCPUs: vCPU 1 has no script, an AP in KVM_RUN. */
static void launched_with_an_ap(struct t_vm *vm)
{
	uint32_t fw = 0;

	t_vm_create(vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(vm, T_POLICY, &fw), 0);
	assert_int_equal(t_create_vcpu(vm, 0), 0);
	assert_int_equal(t_create_vcpu(vm, 1), 1);
	assert_int_equal(t_launch_finish(vm, &fw), 0);
}

static void on_alarm(int sig)
{
}

/* kvm_arch_vcpu_ioctl_run(): an AP waiting for INIT/SIPI blocks in kvm_vcpu_block() until
 * kvm_vcpu_check_block() sees a pending signal: -EINTR, KVM_EXIT_INTR. A periodic timer is
 * the signal here, so a tick that lands before the wait only delays the next. */
static void test_sim_idle_vcpu_blocks_until_a_signal_then_eintr(void **state)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old_sa;
	struct itimerval tick = { { 0, 10000 }, { 0, 10000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct t_vm vm;
	int r;

	launched_with_an_ap(&vm);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old_sa), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &tick, NULL), 0);
	r = vm.be->ops->vcpu_run(vm.be, 1);
	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	assert_int_equal(sigaction(SIGALRM, &old_sa, NULL), 0);
	assert_int_equal(r, -EINTR);
	assert_int_equal(vm.sim->vcpus[1].run->exit_reason, KVM_EXIT_INTR);
	t_vm_destroy(&vm);
}

static void test_sim_idle_vcpu_with_immediate_exit_at_entry_is_eintr(void **state)
{
	struct t_vm vm;

	launched_with_an_ap(&vm);
	vm.sim->vcpus[1].run->immediate_exit = 1;
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 1), -EINTR);
	t_vm_destroy(&vm);
}

static void test_sim_get_state_of_fresh_vcpu_is_kvm_reset_state(void **state)
{
	struct vcpu_state st = { .nr_msrs = 1, .msrs[0].index = 0x277 }, reset;
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(vm.be->ops->vcpu_get_state(vm.be, 0, &st), 0);
	vmsa_kvm_reset_state(&reset);
	assert_memory_equal(&st.sregs, &reset.sregs, sizeof(st.sregs));
	assert_int_equal(st.regs.rip, 0xfff0);
	assert_int_equal(st.msrs[0].data, 0x0007040600070406ull);
	t_vm_destroy(&vm);
}

static void test_sim_set_state_invalid_sregs_is_einval(void **state)
{
	struct vcpu_state st;
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	vmsa_kvm_reset_state(&st);
	st.valid = VCPU_STATE_SREGS;
	st.sregs.cr0 = 0x80000000; /* PG without PE */
	assert_int_equal(vm.be->ops->vcpu_set_state(vm.be, 0, &st), -EINVAL);
	t_vm_destroy(&vm);
}

/* The measurement at LAUNCH_FINISH: the page chain plus one VMSA per vCPU synthesized
 * by the measurement library from the state the VMM set, at 0xFFFFFFFFF000. */
static void test_sim_launch_finish_measures_one_vmsa_per_vcpu(void **state)
{
	static const struct vmsa_host_facts host = { .cr4_mce = true };
	struct launch_digest ld;
	uint8_t page[PAGE], vmsa[PAGE];
	struct vcpu_state st;
	struct t_vm vm;
	uint32_t fw = 0;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, SVM_SEV_FEAT_DEBUG_SWAP, 0, 0), 0);
	assert_int_equal(t_launch_start(&vm, T_POLICY, &fw), 0);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(t_create_vcpu(&vm, 1), 1);
	vmsa_kvm_reset_state(&st);
	st.valid = VCPU_STATE_REGS;
	st.regs.rip = 0x1234;
	st.regs.rsi = 0x7000;
	assert_int_equal(vm.be->ops->vcpu_set_state(vm.be, 0, &st), 0);
	memset(vm.ram + 0x100000, 0x42, PAGE);
	memcpy(page, vm.ram + 0x100000, PAGE);
	assert_int_equal(t_set_private(&vm, 0x100000, PAGE, true), 0);
	assert_int_equal(
		t_launch_update(&vm, 0x100000, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL), 0);
	assert_int_equal(t_launch_finish(&vm, &fw), 0);

	assert_int_equal(launch_digest_init(&ld, NULL), 0);
	assert_int_equal(launch_digest_add_page(&ld, SNP_PAGE_NORMAL, 0x100000, page), 0);
	assert_int_equal(vmsa_from_kvm_state(&st, SVM_SEV_FEAT_DEBUG_SWAP, &host, vmsa), 0);
	assert_int_equal(launch_digest_add_vmsa(&ld, vmsa), 0);
	vmsa_kvm_reset_state(&st);
	st.valid = 0;
	assert_int_equal(vmsa_from_kvm_state(&st, SVM_SEV_FEAT_DEBUG_SWAP, &host, vmsa), 0);
	assert_int_equal(launch_digest_add_vmsa(&ld, vmsa), 0);
	assert_memory_equal(vm.sim->psp.measurement, ld.ld, 48);
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_VMSA], 2);
	launch_digest_fini(&ld);
	t_vm_destroy(&vm);
}

/* ---- memory ---- */

static void test_sim_memory_attributes_unaligned_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0x800, PAGE, true), -EINVAL);
	assert_int_equal(t_set_private(&vm, 0, PAGE + 0x800, true), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_memory_attributes_size_0_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, 0, true), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_memory_attributes_wrapping_range_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_set_private(&vm, UINT64_MAX - PAGE + 1, 2 * PAGE, true), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_memory_attributes_nonzero_flags_is_einval(void **state)
{
	struct kvm_memory_attributes a = { .size = PAGE, .flags = 1 };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->set_memory_attributes(vm.be, &a), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_memory_attributes_private_on_default_vm_is_einval(void **state)
{
	struct t_vm vm;

	t_sim_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->create_vm(vm.be, KVM_X86_DEFAULT_VM), 0);
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_create_guest_memfd_init_shared_on_snp_is_einval(void **state)
{
	struct kvm_create_guest_memfd g = { .size = 1 << 20,
					    .flags = GUEST_MEMFD_FLAG_INIT_SHARED };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->create_guest_memfd(vm.be, &g), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_create_guest_memfd_size_0_is_einval(void **state)
{
	struct kvm_create_guest_memfd g = { .size = 0 };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->create_guest_memfd(vm.be, &g), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_create_guest_memfd_unaligned_size_is_einval(void **state)
{
	struct kvm_create_guest_memfd g = { .size = PAGE + 0x800 };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->create_guest_memfd(vm.be, &g), -EINVAL);
	t_vm_destroy(&vm);
}

#define T_GMEM2_SIZE (1u << 20)

/* A valid second guest_memfd memslot (slot 1, 1 MiB at 4 GiB) over a new guest_memfd, whose
 * fd the caller closes. Tests spoil one field of it. */
static struct kvm_userspace_memory_region2 second_gmem_region(struct t_vm *vm, int *ret_fd)
{
	struct kvm_create_guest_memfd g = { .size = T_GMEM2_SIZE };
	struct kvm_userspace_memory_region2 r = {
		.slot = 1,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = 1ull << 32,
		.memory_size = T_GMEM2_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)vm->ram,
	};
	int fd = vm->be->ops->create_guest_memfd(vm->be, &g);

	assert_true(fd >= 0);
	r.guest_memfd = (uint32_t)fd;
	*ret_fd = fd;
	return r;
}

static void test_sim_memslot_second_guest_memfd_slot_succeeds(void **state)
{
	struct kvm_userspace_memory_region2 r;
	struct t_vm vm;
	int fd;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r = second_gmem_region(&vm, &fd);
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), 0);
	close(fd);
	t_vm_destroy(&vm);
}

static void test_sim_memslot_unaligned_gpa_is_einval(void **state)
{
	struct kvm_userspace_memory_region2 r;
	struct t_vm vm;
	int fd;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r = second_gmem_region(&vm, &fd);
	r.guest_phys_addr += 0x800;
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EINVAL);
	close(fd);
	t_vm_destroy(&vm);
}

static void test_sim_memslot_unaligned_size_is_einval(void **state)
{
	struct kvm_userspace_memory_region2 r;
	struct t_vm vm;
	int fd;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r = second_gmem_region(&vm, &fd);
	r.memory_size -= 0x800;
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EINVAL);
	close(fd);
	t_vm_destroy(&vm);
}

static void test_sim_memslot_unaligned_uaddr_is_einval(void **state)
{
	struct kvm_userspace_memory_region2 r;
	struct t_vm vm;
	int fd;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r = second_gmem_region(&vm, &fd);
	r.userspace_addr += 0x800;
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EINVAL);
	close(fd);
	t_vm_destroy(&vm);
}

static void test_sim_memslot_unaligned_guest_memfd_offset_is_einval(void **state)
{
	struct kvm_userspace_memory_region2 r;
	struct t_vm vm;
	int fd;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r = second_gmem_region(&vm, &fd);
	r.memory_size = PAGE;
	r.guest_memfd_offset = 0x800;
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EINVAL);
	close(fd);
	t_vm_destroy(&vm);
}

/* kvm_gmem_bind(): "if (file->f_op != &kvm_gmem_fops) goto err" (-EINVAL). */
static void test_sim_memslot_foreign_guest_memfd_is_einval(void **state)
{
	struct kvm_userspace_memory_region2 r;
	struct t_vm vm;
	int fd, foreign;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r = second_gmem_region(&vm, &fd);
	foreign = memfd_create("not-a-guest_memfd", MFD_CLOEXEC);
	assert_true(foreign >= 0);
	assert_int_equal(ftruncate(foreign, T_GMEM2_SIZE), 0);
	r.guest_memfd = (uint32_t)foreign;
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EINVAL);
	close(foreign);
	close(fd);
	t_vm_destroy(&vm);
}

static void test_sim_memslot_range_outside_guest_memfd_is_einval(void **state)
{
	struct kvm_userspace_memory_region2 r;
	struct t_vm vm;
	int fd;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r = second_gmem_region(&vm, &fd);
	r.guest_memfd_offset = PAGE; /* the slot's last page is past the file's end */
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EINVAL);
	close(fd);
	t_vm_destroy(&vm);
}

static void test_sim_memslot_resize_is_einval(void **state)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = 0,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = T_RAM_GPA,
		.memory_size = T_RAM_SIZE / 2,
	};
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r.userspace_addr = (uint64_t)(uintptr_t)vm.ram;
	r.guest_memfd = (uint32_t)vm.gmem_fd;
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_memslot_move_guest_memfd_slot_is_einval(void **state)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = 0,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = 1ull << 32,
		.memory_size = T_RAM_SIZE,
	};
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r.userspace_addr = (uint64_t)(uintptr_t)vm.ram;
	r.guest_memfd = (uint32_t)vm.gmem_fd;
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_memslot_overlap_is_eexist(void **state)
{
	struct kvm_userspace_memory_region2 r = { .slot = 7,
						  .guest_phys_addr = 0x100000,
						  .memory_size = 1 << 20 };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r.userspace_addr = (uint64_t)(uintptr_t)vm.ram;
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EEXIST);
	t_vm_destroy(&vm);
}

/* ---- more VM-level rules ---- */

static void test_sim_enable_cap_exit_hypercall_other_bits_is_einval(void **state)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXIT_HYPERCALL, .args[0] = 1ull << 11 };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->enable_cap(vm.be, &cap), -EINVAL);
	cap.args[0] = 1ull << KVM_HC_MAP_GPA_RANGE;
	assert_int_equal(vm.be->ops->enable_cap(vm.be, &cap), 0);
	t_vm_destroy(&vm);
}

static void test_sim_irq_line_without_irqchip_is_enxio(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->irq_line(vm.be, 4, true), -ENXIO);
	assert_int_equal(vm.be->ops->create_irqchip(vm.be), 0);
	assert_int_equal(vm.be->ops->irq_line(vm.be, 4, true), 0);
	assert_int_equal(vm.be->ops->create_irqchip(vm.be), -EEXIST);
	t_vm_destroy(&vm);
}

static void test_sim_create_irqchip_after_vcpu_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(vm.be->ops->create_irqchip(vm.be), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_create_vcpu_duplicate_id_is_eexist(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 3), 0);
	assert_int_equal(t_create_vcpu(&vm, 3), -EEXIST);
	t_vm_destroy(&vm);
}

static void test_sim_create_vcpu_id_4096_is_einval(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 4095), 0);
	assert_int_equal(t_create_vcpu(&vm, 4096), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_create_vcpu_beyond_max_vcpus_is_einval(void **state)
{
	static const char *const settings[] = { "max_vcpus=2", NULL };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, settings);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(t_create_vcpu(&vm, 7), 1);
	assert_int_equal(t_create_vcpu(&vm, 1), -EINVAL);
	t_vm_destroy(&vm);
}

/* api.rst KVM_CREATE_VCPU: KVM_CAP_MAX_VCPUS is the limit, KVM_CAP_NR_VCPUS the
 * recommendation; x86 KVM_MAX_VCPUS is 1024 unless CONFIG_KVM_MAX_NR_VCPUS raises it. */
static void test_sim_max_vcpus_cap_reports_1024(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->check_extension(vm.be, false, KVM_CAP_MAX_VCPUS), 1024);
	assert_int_equal(vm.be->ops->check_extension(vm.be, true, KVM_CAP_MAX_VCPUS), 1024);
	assert_int_equal(vm.be->ops->check_extension(vm.be, true, KVM_CAP_NR_VCPUS), 1024);
	t_vm_destroy(&vm);
}

static void test_sim_max_vcpus_cap_follows_max_vcpus_setting(void **state)
{
	static const char *const settings[] = { "max_vcpus=300", NULL };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, settings);
	assert_int_equal(vm.be->ops->check_extension(vm.be, true, KVM_CAP_MAX_VCPUS), 300);
	assert_int_equal(vm.be->ops->check_extension(vm.be, true, KVM_CAP_NR_VCPUS), 300);
	t_vm_destroy(&vm);
}

static void test_sim_pre_fault_outside_memslots_is_enoent(void **state)
{
	struct kvm_pre_fault_memory pf = { .gpa = 1ull << 40, .size = PAGE };
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	t_launch_all(&vm);
	assert_int_equal(vm.be->ops->vcpu_pre_fault_memory(vm.be, 0, &pf), -ENOENT);
	pf.flags = 1;
	assert_int_equal(vm.be->ops->vcpu_pre_fault_memory(vm.be, 0, &pf), -EINVAL);
	t_vm_destroy(&vm);
}

static void test_sim_memslot_guest_memfd_with_dirty_logging_is_einval(void **state)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = 9,
		.flags = KVM_MEM_GUEST_MEMFD | KVM_MEM_LOG_DIRTY_PAGES,
		.guest_phys_addr = 1ull << 32,
		.memory_size = 1 << 20,
	};
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r.userspace_addr = (uint64_t)(uintptr_t)vm.ram;
	r.guest_memfd = (uint32_t)vm.gmem_fd;
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EINVAL);
	t_vm_destroy(&vm);
}

/* kvm_gmem_bind() (virt/kvm/guest_memfd.c, read in 7.0) starts with "r = -EINVAL" and a
 * range already bound to another memslot ("xa_find(&f->bindings, ...)") jumps to err: a
 * guest_memfd range bound twice is -EINVAL, not the -EEXIST of overlapping GPAs. */
static void test_sim_memslot_guest_memfd_range_bound_twice_is_einval(void **state)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = 9,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = 1ull << 32,
		.memory_size = 1 << 20,
	};
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r.userspace_addr = (uint64_t)(uintptr_t)vm.ram;
	r.guest_memfd = (uint32_t)vm.gmem_fd; /* offset 0: slot 0 has it already */
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EINVAL);
	t_vm_destroy(&vm);
}

/* kvm_gmem_bind(): "file = fget(fd); if (!file) return -EBADF" -- a closed fd is -EBADF,
 * an open fd that is not a guest_memfd -EINVAL (test_sim_memslot_foreign_guest_memfd). */
static void test_sim_memslot_closed_guest_memfd_fd_is_ebadf(void **state)
{
	struct kvm_userspace_memory_region2 r;
	struct t_vm vm;
	int fd;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	r = second_gmem_region(&vm, &fd);
	assert_int_equal(close(fd), 0);
	assert_int_equal(vm.be->ops->set_user_memory_region2(vm.be, &r), -EBADF);
	t_vm_destroy(&vm);
}

/* ---- the ID block at LAUNCH_FINISH ---- */

/* What a test spoils in a correctly signed ID block / ID auth pair. */
enum id_tamper {
	ID_INTACT,
	ID_AUTH_BAD_ALGORITHM,	/* id_key_algo not ECDSA P-384 with SHA-384 */
	ID_BLOCK_BAD_VERSION,	/* version not 1 (re-signed, so only the version is wrong) */
	ID_BLOCK_AFTER_SIGNING, /* guest_svn changed after the signature was made */
};

static int finish_with_id_block(struct t_vm *vm, const uint8_t ld[48], uint64_t policy,
				enum id_tamper tamper, uint32_t *fw)
{
	struct snp_id_block *blk = calloc(1, sizeof(*blk));
	struct snp_id_auth *auth = calloc(1, sizeof(*auth));
	struct kvm_sev_snp_launch_finish f = { .id_block_en = 1, .auth_key_en = 1 };
	EVP_PKEY *id_key = EVP_EC_gen("P-384"), *author = EVP_EC_gen("P-384");
	struct diag d = { { 0 } };
	int r;

	assert_non_null(blk);
	assert_non_null(auth);
	assert_non_null(id_key);
	assert_non_null(author);
	snp_id_block_build(blk, ld, policy, NULL, NULL, 1);
	blk->version = tamper == ID_BLOCK_BAD_VERSION ? 2 : blk->version;
	assert_int_equal(snp_id_auth_build(blk, id_key, author, auth, &d), 0);
	auth->id_key_algo = tamper == ID_AUTH_BAD_ALGORITHM ? 2 : auth->id_key_algo;
	blk->guest_svn += tamper == ID_BLOCK_AFTER_SIGNING;
	f.id_block_uaddr = (uint64_t)(uintptr_t)blk;
	f.id_auth_uaddr = (uint64_t)(uintptr_t)auth;
	memset(f.host_data, 0x5a, sizeof(f.host_data));
	r = t_sev(vm, KVM_SEV_SNP_LAUNCH_FINISH, &f, fw);
	EVP_PKEY_free(id_key);
	EVP_PKEY_free(author);
	free(blk);
	free(auth);
	return r;
}

/* The launch digest LAUNCH_FINISH will reach: the current LD plus vCPU 0's VMSA. */
static void predict_ld(struct t_vm *vm, uint8_t ret_ld[48])
{
	static const struct vmsa_host_facts host = { .cr4_mce = true };
	struct launch_digest ld;
	uint8_t vmsa[PAGE];
	struct vcpu_state st;

	assert_int_equal(launch_digest_init(&ld, vm->sim->psp.ld.ld), 0);
	vmsa_kvm_reset_state(&st);
	st.valid = 0;
	assert_int_equal(vmsa_from_kvm_state(&st, 0, &host, vmsa), 0);
	assert_int_equal(launch_digest_add_vmsa(&ld, vmsa), 0);
	memcpy(ret_ld, ld.ld, 48);
	launch_digest_fini(&ld);
}

/* Starts a VM with one vCPU and finishes it with an ID block signed for the digest the
 * launch will reach, with the given policy and tampering. */
static int launch_with_id_block(struct t_vm *vm, uint64_t policy, enum id_tamper tamper,
				uint32_t *fw)
{
	uint8_t ld[48];

	started(vm, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(vm, 0), 0);
	predict_ld(vm, ld);
	return finish_with_id_block(vm, ld, policy, tamper, fw);
}

/* psp_copy_user_blob(): "if (!uaddr || !len) return ERR_PTR(-EINVAL)" -- an ID block or ID
 * auth at address 0 is -EINVAL with firmware status 0, not -EFAULT (6.11 .. 7.0, v12). */
static void test_sim_launch_finish_id_block_at_address_0_is_einval(void **state)
{
	static const char *const profiles[] = { "v12", "6.11", "7.0" };
	unsigned int i, which;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		for (which = 0; which < 2; which++) {
			struct snp_id_auth auth = { 0 };
			struct snp_id_block blk = { 0 };
			struct kvm_sev_snp_launch_finish f = { .id_block_en = 1 };
			struct kvm_sev_snp_v12_launch_finish f12 = { .id_block_en = 1 };
			uint32_t fw = 0xff;
			struct t_vm vm;
			bool v12 = i == 0;

			started(&vm, profiles[i], NULL, NULL);
			assert_int_equal(t_create_vcpu(&vm, 0), 0);
			f.id_block_uaddr = which ? (uint64_t)(uintptr_t)&blk : 0;
			f.id_auth_uaddr = which ? 0 : (uint64_t)(uintptr_t)&auth;
			f12.id_block_uaddr = f.id_block_uaddr;
			f12.id_auth_uaddr = f.id_auth_uaddr;
			assert_int_equal(t_sev(&vm,
					       v12 ? KVM_SEV_SNP_V12_LAUNCH_FINISH
						   : KVM_SEV_SNP_LAUNCH_FINISH,
					       v12 ? (void *)&f12 : (void *)&f, &fw),
					 -EINVAL);
			assert_int_equal(fw, 0);
			t_vm_destroy(&vm);
		}
	}
}

static void test_sim_launch_finish_with_signed_id_block_records_key_digests(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	assert_int_equal(launch_with_id_block(&vm, T_POLICY, ID_INTACT, &fw), 0);
	assert_int_equal(fw, 0);
	assert_true(vm.sim->psp.id_block_en);
	assert_true(vm.sim->psp.auth_key_en);
	assert_int_equal(vm.sim->psp.host_data[0], 0x5a);
	t_vm_destroy(&vm);
}

static void test_sim_launch_finish_id_block_wrong_ld_is_bad_measurement(void **state)
{
	static const uint8_t wrong[48] = { 1 };
	struct t_vm vm;
	uint32_t fw = 0;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(finish_with_id_block(&vm, wrong, T_POLICY, ID_INTACT, &fw), -EIO);
	assert_int_equal(fw, SEV_RET_BAD_MEASUREMENT);
	t_vm_destroy(&vm);
}

static void test_sim_launch_finish_id_block_wrong_policy_is_policy_failure(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	assert_int_equal(launch_with_id_block(&vm, T_POLICY | SNP_POLICY_DEBUG, ID_INTACT, &fw),
			 -EIO);
	assert_int_equal(fw, SEV_RET_POLICY_FAILURE);
	t_vm_destroy(&vm);
}

static void test_sim_launch_finish_id_auth_bad_algorithm_is_invalid_param(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	assert_int_equal(launch_with_id_block(&vm, T_POLICY, ID_AUTH_BAD_ALGORITHM, &fw), -EIO);
	assert_int_equal(fw, SEV_RET_INVALID_PARAM);
	t_vm_destroy(&vm);
}

static void test_sim_launch_finish_id_block_bad_version_is_invalid_param(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	assert_int_equal(launch_with_id_block(&vm, T_POLICY, ID_BLOCK_BAD_VERSION, &fw), -EIO);
	assert_int_equal(fw, SEV_RET_INVALID_PARAM);
	t_vm_destroy(&vm);
}

static void test_sim_launch_finish_id_block_changed_after_signing_is_bad_signature(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	assert_int_equal(launch_with_id_block(&vm, T_POLICY, ID_BLOCK_AFTER_SIGNING, &fw), -EIO);
	assert_int_equal(fw, SEV_RET_BAD_SIGNATURE);
	t_vm_destroy(&vm);
}

/* ---- the scripted guest's certificate requests (rules 48, 49) ---- */

#define T_CERTS_GPA 0x2600000ull

/* An SNP VM on the 7.0 profile, launched with one vCPU, whose guest plays
 * script; with req_certs, KVM_SEV_SNP_ENABLE_REQ_CERTS is issued before the vCPU. */
static void launched_with_script(struct t_vm *vm, const char *script, bool req_certs,
				 const char *const *settings)
{
	char path[] = "/tmp/sim-rules-script-XXXXXX";
	int fd = mkstemp(path);
	uint32_t fw = 0;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, script, strlen(script)), (ssize_t)strlen(script));
	close(fd);
	t_vm_create(vm, "7.0", NULL, path, settings);
	unlink(path); /* the script is loaded when the backend is created */
	assert_int_equal(t_init2(vm, 0, 0, 0), 0);
	if (req_certs)
		assert_int_equal(t_sev(vm, KVM_SEV_SNP_ENABLE_REQ_CERTS, NULL, NULL), 0);
	assert_int_equal(t_launch_start(vm, T_POLICY, &fw), 0);
	assert_int_equal(t_create_vcpu(vm, 0), 0);
	assert_int_equal(t_launch_finish(vm, &fw), 0);
}

static void test_sim_certs_exit_ret_einval_fails_kvm_run_with_einval(void **state)
{
	struct kvm_exit_snp_req_certs *rc;
	struct t_vm vm;

	launched_with_script(&vm, "certs 0x2600000 2\nshutdown\n", true, NULL);
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), 0);
	assert_int_equal(vm.sim->vcpus[0].run->exit_reason, KVM_EXIT_SNP_REQ_CERTS);
	rc = kvm_run_exit_data(vm.sim->vcpus[0].run);
	rc->ret = EINVAL; /* snp_complete_req_certs() accepts 0, ENOSPC, EAGAIN, EIO */
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), -EINVAL);
	t_vm_destroy(&vm);
}

/* kvm_arch_vcpu_ioctl_run(): the pending exit's completion (snp_complete_req_certs()) runs
 * before "if (!vcpu->wants_to_run) r = -EINTR": a bad reply fails the KVM_RUN that
 * immediate_exit would end, with -EINVAL, not -EINTR. */
static void test_sim_certs_reply_is_completed_before_immediate_exit(void **state)
{
	struct kvm_exit_snp_req_certs *rc;
	struct t_vm vm;

	launched_with_script(&vm, "certs 0x2600000 2\nshutdown\n", true, NULL);
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), 0);
	rc = kvm_run_exit_data(vm.sim->vcpus[0].run);
	rc->ret = EINVAL;
	vm.sim->vcpus[0].run->immediate_exit = 1;
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), -EINVAL);
	t_vm_destroy(&vm);
}

/* ... and a good reply is taken by that KVM_RUN: after the -EINTR, the guest goes on with
 * its next event, the request is not delivered again. */
static void test_sim_reply_taken_by_a_kvm_run_that_immediate_exit_ends(void **state)
{
	struct kvm_exit_snp_req_certs *rc;
	struct kvm_run *run;
	struct t_vm vm;

	launched_with_script(&vm, "certs 0x2600000 2 expect=eagain\nshutdown\n", true, NULL);
	run = vm.sim->vcpus[0].run;
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), 0);
	assert_int_equal(run->exit_reason, KVM_EXIT_SNP_REQ_CERTS);
	rc = kvm_run_exit_data(run);
	rc->ret = EAGAIN;
	run->immediate_exit = 1;
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), -EINTR);
	run->immediate_exit = 0;
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), 0);
	assert_int_equal(run->exit_reason, KVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(run->system_event.type, KVM_SYSTEM_EVENT_SHUTDOWN);
	assert_int_equal(vm.sim->outcome, SIM_OUTCOME_PASSED);
	t_vm_destroy(&vm);
}

static void test_sim_certs_without_req_certs_gets_empty_table_in_kernel(void **state)
{
	static const uint8_t zero[24];
	struct kvm_run *run;
	struct t_vm vm;

	launched_with_script(&vm, "certs 0x2600000 1\nshutdown\n", false, NULL);
	run = vm.sim->vcpus[0].run;
	memset(vm.ram + T_CERTS_GPA, 0xff, PAGE);
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), 0);
	assert_int_equal(run->exit_reason, KVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(run->system_event.type, KVM_SYSTEM_EVENT_SHUTDOWN);
	assert_memory_equal(vm.ram + T_CERTS_GPA, zero, sizeof(zero));
	assert_int_equal(vm.ram[T_CERTS_GPA + sizeof(zero)], 0xff);
	assert_int_equal(vm.sim->outcome, SIM_OUTCOME_PASSED);
	t_vm_destroy(&vm);
}

/* sev_handle_vmgexit(): svm_vmgexit_success(svm, 0) before the switch zeroes the guest
 * GHCB's SW_EXITINFO1/2, then SVM_VMGEXIT_TERM_REQUEST exits with SEV_TERM, ndata 1,
 * data[0] = the GHCB's GPA: the reason the guest wrote is not in the page any more. */
static void test_sim_ghcb_termination_zeroes_the_reason_and_exits_with_the_ghcb_gpa(void **state)
{
	uint64_t code, info1, info2;
	struct kvm_run *run;
	struct t_vm vm;

	launched_with_script(&vm, "terminate-ghcb 1 2\n", false, NULL);
	run = vm.sim->vcpus[0].run;
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), 0);
	assert_int_equal(run->exit_reason, KVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(run->system_event.type, KVM_SYSTEM_EVENT_SEV_TERM);
	assert_int_equal(run->system_event.ndata, 1);
	assert_int_equal(run->system_event.data[0], vm.sim->profile.ghcb_gpa);
	memcpy(&code, vm.ram + vm.sim->profile.ghcb_gpa + 0x390, 8);
	memcpy(&info1, vm.ram + vm.sim->profile.ghcb_gpa + 0x398, 8);
	memcpy(&info2, vm.ram + vm.sim->profile.ghcb_gpa + 0x3a0, 8);
	assert_int_equal(code, 0x80000016);
	assert_int_equal(info1, 0);
	assert_int_equal(info2, 0);
	assert_int_equal(vm.sim->outcome, SIM_OUTCOME_TERMINATED);
	t_vm_destroy(&vm);
}

/* ---- fault injection ---- */

static void test_sim_gmem_enomem_fault_fails_create_guest_memfd(void **state)
{
	struct kvm_create_guest_memfd g = { .size = 1 << 20 };
	struct t_vm vm;

	t_sim_create(&vm, NULL, "gmem-enomem", NULL, NULL);
	assert_int_equal(vm.be->ops->create_vm(vm.be, KVM_X86_SNP_VM), 0);
	assert_int_equal(vm.be->ops->create_guest_memfd(vm.be, &g), -ENOMEM);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_eagain_fault_makes_no_progress(void **state)
{
	struct kvm_sev_snp_launch_update io;
	struct t_vm vm;
	uint32_t fw;

	started(&vm, NULL, "launch-update-eagain=1", NULL);
	assert_int_equal(t_set_private(&vm, 0, 2 * PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_ZERO, &fw, &io),
			 -EAGAIN);
	assert_int_equal(io.len, 2 * PAGE);
	assert_int_equal(t_launch_update(&vm, 0, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_ZERO, &fw, &io),
			 0);
	assert_int_equal(io.len, 0);
	t_vm_destroy(&vm);
}

static void test_sim_launch_update_partial_fault_writes_back_progress(void **state)
{
	struct kvm_sev_snp_launch_update io;
	struct t_vm vm;
	uint32_t fw;

	started(&vm, NULL, "launch-update-partial=1", NULL);
	assert_int_equal(t_set_private(&vm, 0, 4 * PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, 4 * PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, &io),
			 0);
	assert_int_equal(io.len, 2 * PAGE);
	assert_int_equal(io.gfn_start, 2);
	t_vm_destroy(&vm);
}

static void test_sim_fw_error_fault_fails_launch_start_with_eio(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	t_vm_create(&vm, NULL, "fw-error=launch-start:0x16@1", NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&vm, T_POLICY, &fw), -EIO);
	assert_int_equal(fw, 0x16);
	assert_int_equal(t_launch_start(&vm, T_POLICY, &fw), 0);
	t_vm_destroy(&vm);
}

static void test_sim_run_eintr_fault_interrupts_the_nth_run(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, "run-eintr=1", NULL, NULL);
	t_launch_all(&vm);
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), -EINTR);
	assert_int_equal(vm.be->ops->vcpu_run(vm.be, 0), 0);
	t_vm_destroy(&vm);
}

static void test_sim_bad_fault_spec_is_einval(void **state)
{
	struct sim_options o = { .faults = "launch-update-eagain=0" };
	struct kvm_backend *be = NULL;
	struct diag d = { { 0 } };

	assert_int_equal(sim_backend_create(&o, &be, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "launch-update-eagain"));
}

static void test_sim_bad_profile_is_einval(void **state)
{
	struct sim_options o = { .profile = "v13" };
	struct kvm_backend *be = NULL;
	struct diag d = { { 0 } };

	assert_int_equal(sim_backend_create(&o, &be, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "v13"));
}

/* ---- what differs between the kernel versions (docs/testing.md "Profiles") ---- */

static void test_sim_profile_names_select_kernels_and_aliases(void **state)
{
	static const struct {
		const char *name, *canonical, *alias;
		enum sim_kernel kernel;
	} cases[] = {
		{ "v12", "v12", "", SIM_KERNEL_V12 },
		{ "6.11", "6.11", "", SIM_KERNEL_6_11 },
		{ "6.16", "6.11", "6.16", SIM_KERNEL_6_11 },
		{ "6.17", "6.17", "", SIM_KERNEL_6_17 },
		{ "6.18", "6.18", "", SIM_KERNEL_6_18 },
		{ "6.19", "6.19", "", SIM_KERNEL_6_19 },
		{ "7.0", "7.0", "", SIM_KERNEL_7_0 },
		{ "upstream", "6.18", "upstream", SIM_KERNEL_6_18 },
		{ "upstream-policy-bits", "6.19", "upstream-policy-bits", SIM_KERNEL_6_19 },
		{ "upstream-certs", "7.0", "upstream-certs", SIM_KERNEL_7_0 },
		{ NULL, "7.0", "", SIM_KERNEL_7_0 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_profile p;
		struct diag d = { { 0 } };

		assert_int_equal(sim_profile_init(&p, cases[i].name, &d), 0);
		assert_string_equal(p.name, cases[i].canonical);
		assert_string_equal(p.alias, cases[i].alias);
		assert_int_equal(p.kernel, cases[i].kernel);
		assert_int_equal(p.abi, cases[i].kernel == SIM_KERNEL_V12 ? SIM_ABI_V12
									  : SIM_ABI_UPSTREAM);
	}
}

/* [PATCH v12 11/29] snp_launch_update() returns kvm_gmem_populate()'s 0 once the whole
 * range is done and never copies the parameters back (issue 10 defect 1). */
static void test_sim_v12_launch_update_writes_no_progress_back(void **state)
{
	struct kvm_sev_snp_launch_update io;
	struct t_vm vm;
	uint32_t fw;

	started(&vm, "v12", NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, 2 * PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, &io),
			 0);
	assert_int_equal(io.len, 2 * PAGE);
	assert_int_equal(io.gfn_start, 0);
	assert_int_equal(io.uaddr, (uint64_t)(uintptr_t)vm.ram);
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_NORMAL], 2);
	t_vm_destroy(&vm);
}

/* 6.11 snp_launch_update(): gfn_start, uaddr and len are advanced and copied back. */
static void test_sim_6_11_launch_update_writes_progress_back(void **state)
{
	struct kvm_sev_snp_launch_update io;
	struct t_vm vm;
	uint32_t fw;

	started(&vm, "6.11", NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, 2 * PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, &io),
			 0);
	assert_int_equal(io.len, 0);
	assert_int_equal(io.gfn_start, 2);
	assert_int_equal(io.uaddr, (uint64_t)(uintptr_t)(vm.ram + 2 * PAGE));
	t_vm_destroy(&vm);
}

/* v12 sev_gmem_post_populate(): an RMP-assigned page ends the loop with ret 0, so a ZERO
 * range repeated is measured once and answered 0 each time. */
static void test_sim_v12_repeated_zero_range_is_a_silent_no_op(void **state)
{
	struct t_vm vm;
	uint32_t fw;

	started(&vm, "v12", NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, 2 * PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_ZERO, &fw, NULL),
			 0);
	assert_int_equal(t_launch_update(&vm, 0, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_ZERO, &fw, NULL),
			 0);
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_ZERO], 2);
	t_vm_destroy(&vm);
}

/* v12 kvm_gmem_populate() copies the source into the page before any check: repeating a
 * NORMAL range writes into guest-owned memory, an RMP violation in the host. */
static void test_sim_v12_repeated_normal_range_is_a_host_rmp_violation(void **state)
{
	struct t_vm vm;
	uint32_t fw;

	started(&vm, "v12", NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL), 0);
	assert_int_equal(t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL),
			 -EFAULT);
	assert_non_null(strstr(vm.sim->host_fault, "RMP violation"));
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_NORMAL], 1);
	t_vm_destroy(&vm);
}

/* 6.11+: a populated page is -EEXIST in kvm_gmem_populate(), reported as -EIO, fw 0. */
static void test_sim_6_11_to_7_0_repeated_range_is_eio(void **state)
{
	static const char *const profiles[] = { "6.11", "6.17", "6.18", "6.19", "7.0" };
	unsigned int i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct t_vm vm;
		uint32_t fw = 1;

		started(&vm, profiles[i], NULL, NULL);
		assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
		assert_int_equal(
			t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_ZERO, &fw, NULL), 0);
		assert_int_equal(
			t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_ZERO, &fw, NULL), -EIO);
		assert_int_equal(fw, 0);
		t_vm_destroy(&vm);
	}
}

/* v12 returns kvm_gmem_populate()'s errno as it is: a shared page is -EINVAL (6.11+: -EIO). */
static void test_sim_v12_launch_update_of_a_shared_page_is_einval(void **state)
{
	struct t_vm vm;
	uint32_t fw = 1;

	started(&vm, "v12", NULL, NULL);
	assert_int_equal(t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL),
			 -EINVAL);
	assert_int_equal(fw, 0);
	t_vm_destroy(&vm);
}

/* v12 kvm_gmem_populate() does not clamp to the memslot: the pages inside are done, the
 * first beyond is -EIO (__kvm_gmem_get_pfn(): not bound to the slot). */
static void test_sim_v12_launch_update_past_the_memslot_is_eio(void **state)
{
	struct t_vm vm;
	uint32_t fw;
	uint64_t last = T_RAM_SIZE - PAGE;

	started(&vm, "v12", NULL, NULL);
	assert_int_equal(t_set_private(&vm, last, 2 * PAGE, true), 0);
	assert_int_equal(
		t_launch_update(&vm, last, 2 * PAGE, KVM_SEV_SNP_PAGE_TYPE_ZERO, &fw, NULL), -EIO);
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_ZERO], 1);
	t_vm_destroy(&vm);
}

/* A source of two pages whose second page is not mapped (copy_from_user() faults there). */
static uint8_t *source_with_a_hole(void)
{
	uint8_t *src =
		mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(src != MAP_FAILED);
	memset(src, 0xa5, PAGE);
	assert_int_equal(munmap(src + PAGE, PAGE), 0);
	return src;
}

/* v12 kvm_gmem_populate(): "ret = copy_from_user(...); if (ret) goto e_release" and
 * snp_launch_update() returns it as it is: a source page that faults makes the ioctl
 * return copy_from_user()'s positive count of bytes not copied, firmware status 0, with
 * the pages before it done. */
static void test_sim_v12_launch_update_source_fault_returns_bytes_not_copied(void **state)
{
	uint8_t *src = source_with_a_hole();
	struct kvm_sev_snp_v12_launch_update u = {
		.gfn_start = 0x100,
		.uaddr = (uint64_t)(uintptr_t)src,
		.len = 2 * PAGE,
		.type = KVM_SEV_SNP_PAGE_TYPE_NORMAL,
	};
	struct t_vm vm;
	uint32_t fw = 1;

	started(&vm, "v12", NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0x100000, 2 * PAGE, true), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_V12_LAUNCH_UPDATE, &u, &fw), (int)PAGE);
	assert_int_equal(fw, 0);
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_NORMAL], 1);
	t_vm_destroy(&vm);
	munmap(src, PAGE);
}

/* 6.11 sev_gmem_post_populate(): "if (copy_from_user(...)) { ret = -EFAULT; ... }" (7.0:
 * get_user_pages_fast() fails): after one page done that is partial progress, 0. */
static void test_sim_6_11_launch_update_source_fault_is_partial_progress(void **state)
{
	uint8_t *src = source_with_a_hole();
	struct kvm_sev_snp_launch_update u = {
		.gfn_start = 0x100,
		.uaddr = (uint64_t)(uintptr_t)src,
		.len = 2 * PAGE,
		.type = KVM_SEV_SNP_PAGE_TYPE_NORMAL,
	};
	struct t_vm vm;
	uint32_t fw = 1;

	started(&vm, "6.11", NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0x100000, 2 * PAGE, true), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), 0);
	assert_int_equal(u.gfn_start, 0x101);
	assert_int_equal(u.len, PAGE);
	assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_NORMAL], 1);
	t_vm_destroy(&vm);
	munmap(src, PAGE);
}

/* 6.11 kvm_gmem_populate(): "if (signal_pending(current)) { ret = -EINTR; break; }" before
 * the first page, which snp_launch_update() reports as -EIO with firmware error 0 (issue
 * 10 defect 5). */
static void test_sim_launch_update_with_a_pending_signal_is_eio_fw_0(void **state)
{
	static const char *const profiles[] = { "6.11", "6.17", "6.18", "6.19", "7.0" };
	unsigned int i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct kvm_sev_snp_launch_update io;
		struct t_vm vm;
		uint32_t fw = 1;

		started(&vm, profiles[i], "launch-update-signal=1", NULL);
		assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
		assert_int_equal(
			t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, &io),
			-EIO);
		assert_int_equal(fw, 0);
		assert_int_equal(vm.sim->psp.page_ops[SNP_PAGE_NORMAL], 0);
		/* the next call has no signal pending */
		assert_int_equal(
			t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, &io), 0);
		assert_int_equal(io.len, 0);
		t_vm_destroy(&vm);
	}
}

/* signal_pending() ignores blocked signals: a VMM that blocks SIGUSR1 around the launch is
 * not interrupted by it, but is by SIGINT. */
static void test_sim_launch_update_signal_interrupts_only_when_not_blocked(void **state)
{
	sigset_t usr1, old;
	struct t_vm a, b;
	uint32_t fw;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);
	started(&a, "7.0", "launch-update-signal=1", NULL);
	started(&b, "7.0", "launch-update-signal=1:INT", NULL);
	assert_int_equal(t_set_private(&a, 0, PAGE, true), 0);
	assert_int_equal(t_set_private(&b, 0, PAGE, true), 0);
	assert_int_equal(t_launch_update(&a, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL), 0);
	assert_int_equal(t_launch_update(&b, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL),
			 -EIO);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	t_vm_destroy(&a);
	t_vm_destroy(&b);
}

/* The v12-era kvm_gmem_populate() has no signal check. */
static void test_sim_v12_launch_update_ignores_a_pending_signal(void **state)
{
	struct t_vm vm;
	uint32_t fw;

	started(&vm, "v12", "launch-update-signal=1", NULL);
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL), 0);
	t_vm_destroy(&vm);
}

/* 6.17 drops KVM's SMT and SINGLE_SOCKET checks ("KVM: SVM: Allow SNP guest policy
 * disallow running with SMT enabled"): the firmware refuses SMT=0 only when the host has
 * SMT enabled. */
static void test_sim_6_17_leaves_smt_and_single_socket_to_the_firmware(void **state)
{
	static const char *const smt_off[] = { "smt=0", NULL };
	static const char *const profiles[] = { "6.17", "6.18", "6.19", "7.0" };
	unsigned int i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct t_vm on, off, ss;
		uint32_t fw = 0;

		t_vm_create(&on, profiles[i], NULL, NULL, NULL);
		t_vm_create(&off, profiles[i], NULL, NULL, smt_off);
		t_vm_create(&ss, profiles[i], NULL, NULL, NULL);
		assert_int_equal(t_init2(&on, 0, 0, 0), 0);
		assert_int_equal(t_init2(&off, 0, 0, 0), 0);
		assert_int_equal(t_init2(&ss, 0, 0, 0), 0);
		assert_int_equal(t_launch_start(&on, SNP_POLICY_RSVD_MBO, &fw), -EIO);
		assert_int_equal(fw, SEV_RET_POLICY_FAILURE);
		assert_int_equal(t_launch_start(&off, SNP_POLICY_RSVD_MBO, &fw), 0);
		assert_int_equal(t_launch_start(&ss, T_POLICY | SNP_POLICY_SINGLE_SOCKET, &fw), 0);
		t_vm_destroy(&on);
		t_vm_destroy(&off);
		t_vm_destroy(&ss);
	}
}

/* [PATCH v12 10/29] snp_launch_start() checks the policy after snp_context_create() and
 * returns -EINVAL without freeing the context: the next LAUNCH_START is refused too. */
static void test_sim_v12_policy_refusal_keeps_the_context(void **state)
{
	struct t_vm vm;
	uint32_t fw = 0;

	t_vm_create(&vm, "v12", NULL, NULL, NULL);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&vm, SNP_POLICY_RSVD_MBO, &fw), -EINVAL);
	assert_int_equal(t_launch_start(&vm, T_POLICY, &fw), -EINVAL);
	t_vm_destroy(&vm);
}

/* Before 6.19 KVM lets every SNP_POLICY_MASK_VALID bit through; the firmware refuses a
 * bit it does not support (modelled: POLICY_FAILURE). */
static void test_sim_6_18_policy_bit_the_firmware_lacks_fails_in_firmware(void **state)
{
	static const char *const settings[] = { "policy_bits=0x3ffff", NULL };
	struct t_vm vm;
	uint64_t v;
	uint32_t fw = 0;

	t_vm_create(&vm, "6.18", NULL, NULL, settings);
	assert_int_equal(
		vm.be->ops->get_device_attr(vm.be, KVM_X86_GRP_SEV, KVM_X86_SNP_POLICY_BITS, &v),
		-ENXIO);
	assert_int_equal(t_init2(&vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(&vm, T_POLICY | SNP_POLICY_DEBUG, &fw), -EIO);
	assert_int_equal(fw, SEV_RET_POLICY_FAILURE);
	t_vm_destroy(&vm);
}

/* Before 6.18 __sev_guest_init() accepted GHCB version 1 for SNP. */
static void test_sim_6_17_init2_accepts_ghcb_version_1(void **state)
{
	static const char *const profiles[] = { "v12", "6.11", "6.17" };
	unsigned int i;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct t_vm vm;

		t_vm_create(&vm, profiles[i], NULL, NULL, NULL);
		assert_int_equal(t_init2(&vm, 0, 0, 1), 0);
		assert_int_equal(vm.sim->ghcb_version, 1);
		t_vm_destroy(&vm);
	}
}

/* 6.11 .. 6.17: len 0 populates nothing, writes the parameters back unchanged and returns
 * 0; 6.18 adds "!params.len" to the -EINVAL checks. */
static void test_sim_6_17_launch_update_len_0_is_a_no_op_and_6_18_refuses_it(void **state)
{
	struct kvm_sev_snp_launch_update io;
	struct t_vm a, b;
	uint32_t fw;

	started(&a, "6.17", NULL, NULL);
	started(&b, "6.18", NULL, NULL);
	assert_int_equal(t_set_private(&a, 0, PAGE, true), 0);
	assert_int_equal(t_set_private(&b, 0, PAGE, true), 0);
	assert_int_equal(t_launch_update(&a, 0, 0, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, &io), 0);
	assert_int_equal(io.gfn_start, 0);
	assert_int_equal(a.sim->psp.page_ops[SNP_PAGE_NORMAL], 0);
	assert_int_equal(t_launch_update(&b, 0, 0, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, &io),
			 -EINVAL);
	t_vm_destroy(&a);
	t_vm_destroy(&b);
}

/* Before 7.0 an unaligned source is copied as it is (copy_from_user()). */
static void test_sim_6_19_launch_update_copies_an_unaligned_source(void **state)
{
	struct kvm_sev_snp_launch_update u = { .len = PAGE, .type = KVM_SEV_SNP_PAGE_TYPE_NORMAL };
	uint8_t back[PAGE];
	struct t_vm vm;

	started(&vm, "6.19", NULL, NULL);
	memset(vm.ram, 0x11, 2 * PAGE);
	vm.ram[8] = 0x5a;
	u.uaddr = (uint64_t)(uintptr_t)vm.ram + 8;
	assert_int_equal(t_set_private(&vm, 0, PAGE, true), 0);
	assert_int_equal(t_sev(&vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, NULL), 0);
	assert_int_equal(pread(vm.gmem_fd, back, PAGE, 0), PAGE);
	assert_memory_equal(back, vm.ram + 8, PAGE);
	t_vm_destroy(&vm);
}

/* 6.11+: uaddr 0 for a type other than ZERO passes snp_launch_update()'s checks (7.0's
 * PAGE_ALIGNED(NULL) too) and hits the WARN in sev_gmem_post_populate(): -EIO, fw 0. The
 * v12 series measures the page as it is. */
static void test_sim_launch_update_source_0_is_eio_and_v12_measures_the_page(void **state)
{
	struct kvm_sev_snp_launch_update u = { .len = PAGE, .type = KVM_SEV_SNP_PAGE_TYPE_NORMAL };
	struct t_vm a, b;
	uint32_t fw = 1;

	started(&a, "6.11", NULL, NULL);
	started(&b, "v12", NULL, NULL);
	assert_int_equal(t_set_private(&a, 0, PAGE, true), 0);
	assert_int_equal(t_set_private(&b, 0, PAGE, true), 0);
	assert_int_equal(t_sev(&a, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw), -EIO);
	assert_int_equal(fw, 0);
	{
		struct kvm_sev_snp_v12_launch_update v = { .len = PAGE,
							   .type = KVM_SEV_SNP_PAGE_TYPE_NORMAL };

		assert_int_equal(t_sev(&b, KVM_SEV_SNP_V12_LAUNCH_UPDATE, &v, &fw), 0);
	}
	assert_int_equal(b.sim->psp.page_ops[SNP_PAGE_NORMAL], 1);
	t_vm_destroy(&a);
	t_vm_destroy(&b);
}

/* 6.18 sev_hardware_setup(): SECURE_TSC in KVM_X86_SEV_VMSA_FEATURES only with the CPU
 * feature (CPUID 0x8000001F EAX[8]); earlier kernels never offer it. */
static void test_sim_secure_tsc_is_offered_from_6_18_where_the_host_has_it(void **state)
{
	static const char *const with[] = { "secure_tsc=1", NULL };
	struct t_vm a, b, c;

	t_vm_create(&a, "6.17", NULL, NULL, with);
	t_vm_create(&b, "6.18", NULL, NULL, NULL);
	t_vm_create(&c, "6.18", NULL, NULL, with);
	assert_false(a.sim->profile.vmsa_features & SVM_SEV_FEAT_SECURE_TSC);
	assert_false(b.sim->profile.vmsa_features & SVM_SEV_FEAT_SECURE_TSC);
	assert_true(c.sim->profile.vmsa_features & SVM_SEV_FEAT_SECURE_TSC);
	assert_int_equal(t_init2(&a, SVM_SEV_FEAT_SECURE_TSC, 0, 0), -EINVAL);
	assert_int_equal(t_init2(&c, SVM_SEV_FEAT_SECURE_TSC, 0, 0), 0);
	t_vm_destroy(&a);
	t_vm_destroy(&b);
	t_vm_destroy(&c);
}

/* 6.18 snp_launch_start(): "start.desired_tsc_khz = kvm->arch.default_tsc_khz", which
 * KVM_SET_TSC_KHZ on the VM sets and which is the host's frequency otherwise. */
static void test_sim_6_18_secure_tsc_gives_the_vm_tsc_khz_to_the_firmware(void **state)
{
	static const char *const with[] = { "secure_tsc=1", NULL };
	struct t_vm a, b;
	uint32_t fw;

	t_vm_create(&a, "6.18", NULL, NULL, with);
	t_vm_create(&b, "6.18", NULL, NULL, with);
	assert_int_equal(a.be->ops->vm_set_tsc_khz(a.be, 2000000), 0);
	assert_int_equal(t_init2(&a, SVM_SEV_FEAT_SECURE_TSC, 0, 0), 0);
	assert_int_equal(t_init2(&b, SVM_SEV_FEAT_SECURE_TSC, 0, 0), 0);
	assert_int_equal(t_launch_start(&a, T_POLICY, &fw), 0);
	assert_int_equal(t_launch_start(&b, T_POLICY, &fw), 0);
	assert_int_equal(a.sim->psp.desired_tsc_khz, 2000000);
	assert_int_equal(b.sim->psp.desired_tsc_khz, b.sim->profile.tsc_khz);
	t_vm_destroy(&a);
	t_vm_destroy(&b);
}

/* x86.c KVM_SET_TSC_KHZ on the VM: below the scaling limit, 0 for the host's frequency,
 * -EINVAL once a vCPU exists. */
static void test_sim_vm_set_tsc_khz_rules(void **state)
{
	struct t_vm vm;

	t_vm_create(&vm, NULL, NULL, NULL, NULL);
	assert_int_equal(vm.be->ops->vm_set_tsc_khz(vm.be, UINT32_MAX), -EINVAL);
	assert_int_equal(vm.be->ops->vm_set_tsc_khz(vm.be, 1000000), 0);
	assert_int_equal(vm.sim->default_tsc_khz, 1000000);
	assert_int_equal(vm.be->ops->vm_set_tsc_khz(vm.be, 0), 0);
	assert_int_equal(vm.sim->default_tsc_khz, vm.sim->profile.tsc_khz);
	assert_int_equal(t_create_vcpu(&vm, 0), 0);
	assert_int_equal(vm.be->ops->vm_set_tsc_khz(vm.be, 1000000), -EINVAL);
	assert_true(vm.be->ops->check_extension(vm.be, true, KVM_CAP_VM_TSC_CONTROL) > 0);
	t_vm_destroy(&vm);
}

/* KVM_CAP_MEMORY_ATTRIBUTES reports PRIVATE for an SNP VM; without VM-level attributes
 * (the in-place conversion series' mode) it reports 0 and the ioctl is unknown. */
static void test_sim_memory_attributes_cap_and_its_absence(void **state)
{
	static const char *const off[] = { "vm_memory_attributes=0", NULL };
	struct t_vm a, b;

	t_vm_create(&a, NULL, NULL, NULL, NULL);
	t_vm_create(&b, NULL, NULL, NULL, off);
	assert_int_equal(a.be->ops->check_extension(a.be, true, KVM_CAP_MEMORY_ATTRIBUTES),
			 KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_equal(b.be->ops->check_extension(b.be, true, KVM_CAP_MEMORY_ATTRIBUTES), 0);
	assert_int_equal(t_set_private(&b, 0, PAGE, true), -ENOTTY);
	t_vm_destroy(&a);
	t_vm_destroy(&b);
}

/* KVM_PRE_FAULT_MEMORY came with 6.11, after the v12 series' base. */
static void test_sim_v12_has_no_pre_fault_memory(void **state)
{
	struct kvm_pre_fault_memory pf = { .gpa = 0x400000, .size = PAGE };
	struct t_vm vm;

	t_vm_create(&vm, "v12", NULL, NULL, NULL);
	t_launch_all(&vm);
	assert_int_equal(vm.be->ops->check_extension(vm.be, true, KVM_CAP_PRE_FAULT_MEMORY), 0);
	assert_int_equal(vm.be->ops->vcpu_pre_fault_memory(vm.be, 0, &pf), -EINVAL);
	t_vm_destroy(&vm);
}

/* guest_memfd mmap (GUEST_MEMFD_FLAG_MMAP, KVM_CAP_GUEST_MEMFD_FLAGS) came with 6.18;
 * before, flags are 0 and a plain VM has no guest_memfd memslots. */
static void test_sim_guest_memfd_mmap_from_6_18(void **state)
{
	struct kvm_create_guest_memfd g = { .size = 1 << 20, .flags = GUEST_MEMFD_FLAG_MMAP };
	struct kvm_userspace_memory_region2 r = { .flags = KVM_MEM_GUEST_MEMFD,
						  .memory_size = 1 << 20 };
	struct t_vm a, b, c;
	int fd;

	t_vm_create(&a, "6.17", NULL, NULL, NULL);
	t_vm_create(&b, "6.18", NULL, NULL, NULL);
	t_sim_create(&c, "6.17", NULL, NULL, NULL);
	assert_int_equal(a.be->ops->check_extension(a.be, true, KVM_CAP_GUEST_MEMFD_FLAGS), 0);
	assert_int_equal(b.be->ops->check_extension(b.be, true, KVM_CAP_GUEST_MEMFD_FLAGS),
			 GUEST_MEMFD_FLAG_MMAP);
	assert_int_equal(a.be->ops->create_guest_memfd(a.be, &g), -EINVAL);
	fd = b.be->ops->create_guest_memfd(b.be, &g);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(c.be->ops->create_vm(c.be, KVM_X86_DEFAULT_VM), 0);
	assert_int_equal(c.be->ops->check_extension(c.be, true, KVM_CAP_GUEST_MEMFD), 0);
	g.flags = 0;
	fd = c.be->ops->create_guest_memfd(c.be, &g);
	assert_true(fd >= 0);
	r.guest_memfd = (uint32_t)fd;
	r.userspace_addr = (uint64_t)(uintptr_t)a.ram;
	assert_int_equal(c.be->ops->set_user_memory_region2(c.be, &r), -EINVAL);
	close(fd);
	t_vm_destroy(&a);
	t_vm_destroy(&b);
	t_vm_destroy(&c);
}

/* 7.0: the certificate exit is 43; kvm-x86 before the merge delivered 42 (certs_exit). */
static void test_sim_certs_exit_number_is_43_or_the_setting(void **state)
{
	static const char *const exit42[] = { "certs_exit=42", NULL };
	struct t_vm a, b;

	launched_with_script(&a, "certs 0x2600000 2\nshutdown\n", true, NULL);
	launched_with_script(&b, "certs 0x2600000 2\nshutdown\n", true, exit42);
	assert_int_equal(a.be->ops->vcpu_run(a.be, 0), 0);
	assert_int_equal(b.be->ops->vcpu_run(b.be, 0), 0);
	assert_int_equal(a.sim->vcpus[0].run->exit_reason, 43);
	assert_int_equal(b.sim->vcpus[0].run->exit_reason, 42);
	t_vm_destroy(&a);
	t_vm_destroy(&b);
}

/* The simulated host backs at most host_memory of guest_memfd (default: this machine's
 * MemAvailable): beyond, KVM_CREATE_GUEST_MEMFD is -ENOMEM instead of an OOM kill. */
static void test_sim_guest_memfd_beyond_host_memory_is_enomem(void **state)
{
	static const char *const settings[] = { "host_memory=0x300000", NULL };
	struct kvm_create_guest_memfd g = { .size = 2 << 20 };
	struct t_vm vm;
	int fd;

	t_sim_create(&vm, NULL, NULL, NULL, settings);
	assert_int_equal(vm.be->ops->create_vm(vm.be, KVM_X86_SNP_VM), 0);
	fd = vm.be->ops->create_guest_memfd(vm.be, &g);
	assert_true(fd >= 0);
	assert_int_equal(vm.be->ops->create_guest_memfd(vm.be, &g), -ENOMEM);
	close(fd);
	t_vm_destroy(&vm);
}

/* ZERO pages are holes in the simulator's guest_memfd: pre-validating RAM allocates none. */
static void test_sim_zero_pages_take_no_memory(void **state)
{
	struct stat st;
	struct t_vm vm;
	uint32_t fw;

	started(&vm, NULL, NULL, NULL);
	assert_int_equal(t_set_private(&vm, 0, 256 * PAGE, true), 0);
	assert_int_equal(t_launch_update(&vm, 0, 256 * PAGE, KVM_SEV_SNP_PAGE_TYPE_ZERO, &fw, NULL),
			 0);
	assert_int_equal(fstat(vm.gmem_fd, &st), 0);
	assert_int_equal(st.st_blocks, 0);
	memset(vm.ram + 0x200000, 0xa5, PAGE);
	assert_int_equal(t_set_private(&vm, 0x200000, PAGE, true), 0);
	assert_int_equal(
		t_launch_update(&vm, 0x200000, PAGE, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL), 0);
	assert_int_equal(fstat(vm.gmem_fd, &st), 0);
	assert_true(st.st_blocks > 0);
	t_vm_destroy(&vm);
}

static void test_sim_partial_progress_fault_on_v12_is_refused(void **state)
{
	struct sim_options o = { .profile = "v12", .faults = "launch-update-partial=1" };
	struct kvm_backend *be = NULL;
	struct diag d = { { 0 } };

	assert_int_equal(sim_backend_create(&o, &be, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "6.11+"));
}

/* ---- --sim-report ---- */

static void test_sim_report_path_that_cannot_be_created_fails_create(void **state)
{
	struct sim_options o = { .report_path = "/nonexistent-sim-dir/report.json" };
	struct kvm_backend *be = NULL;
	struct diag d = { { 0 } };

	assert_int_equal(sim_backend_create(&o, &be, &d), -ENOENT);
	assert_null(be);
	assert_non_null(strstr(d.msg, "'/nonexistent-sim-dir/report.json'"));
}

static void test_sim_report_is_written_to_the_created_file_at_destroy(void **state)
{
	char dir[] = "/tmp/sim-rules-report-XXXXXX", path[64], buf[64] = { 0 };
	struct sim_options o = { .report_path = path };
	struct kvm_backend *be = NULL;
	struct diag d = { { 0 } };
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	assert_int_equal(sim_backend_create(&o, &be, &d), 0);
	assert_int_equal(access(path, F_OK), 0); /* created up front, empty */
	kvm_backend_destroy(be);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	assert_non_null(strstr(buf, "\"profile\": \"7.0\""));
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_create_vm_type_outside_vm_types_is_einval),
		cmocka_unit_test(test_sim_vm_types_reports_snp),
		cmocka_unit_test(test_sim_memory_encrypt_op_on_default_vm_is_enotty),
		cmocka_unit_test(test_sim_vmsa_features_attr_reports_debug_swap),
		cmocka_unit_test(test_sim_6_18_has_no_policy_bits_attr),
		cmocka_unit_test(test_sim_6_19_policy_bits_attr_is_reported),
		cmocka_unit_test(test_sim_req_certs_attr_from_7_0_on),
		cmocka_unit_test(test_sim_host_facts_report_profile_cbit),
		cmocka_unit_test(test_sim_init2_twice_is_eperm),
		cmocka_unit_test(test_sim_v12_init2_twice_is_einval),
		cmocka_unit_test(test_sim_init2_after_vcpu_create_is_einval),
		cmocka_unit_test(test_sim_init2_nonzero_flags_is_einval),
		cmocka_unit_test(test_sim_init2_unknown_vmsa_feature_is_einval),
		cmocka_unit_test(test_sim_init2_snp_active_is_einval),
		cmocka_unit_test(test_sim_6_18_init2_ghcb_version_1_is_einval),
		cmocka_unit_test(test_sim_init2_ghcb_version_above_2_is_einval),
		cmocka_unit_test(test_sim_upstream_v12_command_after_init2_is_eperm),
		cmocka_unit_test(test_sim_v12_upstream_command_is_einval),
		cmocka_unit_test(test_sim_launch_start_before_init2_is_enotty),
		cmocka_unit_test(test_sim_6_19_enable_req_certs_is_an_unknown_command),
		cmocka_unit_test(test_sim_enable_req_certs_before_init2_is_einval),
		cmocka_unit_test(test_sim_enable_req_certs_after_vcpu_create_is_einval),
		cmocka_unit_test(test_sim_launch_start_without_rsvd_mbo_is_einval),
		cmocka_unit_test(test_sim_6_18_refuses_policy_bit_21_and_6_19_passes_it),
		cmocka_unit_test(test_sim_6_19_policy_bit_the_firmware_lacks_is_einval),
		cmocka_unit_test(test_sim_launch_start_nonzero_flags_is_einval),
		cmocka_unit_test(test_sim_launch_start_twice_is_einval),
		cmocka_unit_test(
			test_sim_launch_start_smt_disallowed_on_smt_host_is_policy_failure),
		cmocka_unit_test(test_sim_launch_start_smt_disallowed_without_host_smt_succeeds),
		cmocka_unit_test(test_sim_nosmt_with_bios_smt_policy_without_smt_is_policy_failure),
		cmocka_unit_test(test_sim_launch_start_abi_newer_than_firmware_is_policy_failure),
		cmocka_unit_test(
			test_sim_v12_and_6_11_launch_start_without_smt_or_with_single_socket_is_einval),
		cmocka_unit_test(test_sim_launch_update_before_launch_start_is_einval),
		cmocka_unit_test(test_sim_launch_update_unaligned_len_is_einval),
		cmocka_unit_test(test_sim_launch_update_vmsa_type_is_einval),
		cmocka_unit_test(test_sim_launch_update_nonzero_flags_is_einval),
		cmocka_unit_test(test_sim_7_0_launch_update_unaligned_uaddr_is_einval),
		cmocka_unit_test(test_sim_launch_update_zero_type_ignores_uaddr),
		cmocka_unit_test(test_sim_launch_update_without_gmem_memslot_is_einval),
		cmocka_unit_test(test_sim_launch_update_not_private_is_eio),
		cmocka_unit_test(test_sim_launch_update_same_page_twice_is_eio),
		cmocka_unit_test(test_sim_launch_update_failure_after_progress_returns_progress),
		cmocka_unit_test(test_sim_launch_update_past_memslot_end_stops_at_slot_end),
		cmocka_unit_test(test_sim_launch_update_copies_source_into_guest_memfd),
		cmocka_unit_test(test_sim_cpuid_page_unmasked_is_rejected_with_corrected_page),
		cmocka_unit_test(test_sim_cpuid_page_more_than_64_entries_is_rejected),
		cmocka_unit_test(test_sim_cpuid_page_bad_xcr0_in_is_rejected),
		cmocka_unit_test(test_sim_cpuid_page_nonzero_reserved_is_rejected),
		cmocka_unit_test(test_sim_cpuid_reject_fault_rejects_a_valid_page_once),
		cmocka_unit_test(test_sim_launch_finish_twice_is_einval),
		cmocka_unit_test(test_sim_launch_finish_id_block_at_address_0_is_einval),
		cmocka_unit_test(test_sim_launch_finish_nonzero_flags_is_einval),
		cmocka_unit_test(test_sim_register_ioctls_after_finish_are_einval),
		cmocka_unit_test(test_sim_mp_state_after_finish_is_accepted),
		cmocka_unit_test(test_sim_mp_state_without_irqchip_or_unknown_is_einval),
		cmocka_unit_test(test_sim_launch_update_after_finish_is_eio),
		cmocka_unit_test(test_sim_pre_fault_before_finish_is_eopnotsupp),
		cmocka_unit_test(test_sim_pre_fault_after_finish_consumes_range),
		cmocka_unit_test(test_sim_pre_fault_empty_range_is_einval),
		cmocka_unit_test(test_sim_pre_fault_unaligned_is_einval),
		cmocka_unit_test(test_sim_pre_fault_wrapping_range_is_einval),
		cmocka_unit_test(test_sim_pre_fault_bad_range_before_finish_is_einval),
		cmocka_unit_test(test_sim_run_of_the_bsp_before_finish_is_a_failed_entry),
		cmocka_unit_test(test_sim_run_before_init2_is_einval),
		cmocka_unit_test(test_sim_run_of_a_halted_vcpu_before_finish_blocks_until_kicked),
		cmocka_unit_test(test_sim_run_with_immediate_exit_is_eintr),
		cmocka_unit_test(test_sim_idle_vcpu_blocks_until_a_signal_then_eintr),
		cmocka_unit_test(test_sim_fail_call_fails_the_nth_seam_call_once),
		cmocka_unit_test(test_sim_idle_vcpu_with_immediate_exit_at_entry_is_eintr),
		cmocka_unit_test(test_sim_get_state_of_fresh_vcpu_is_kvm_reset_state),
		cmocka_unit_test(test_sim_set_state_invalid_sregs_is_einval),
		cmocka_unit_test(test_sim_launch_finish_measures_one_vmsa_per_vcpu),
		cmocka_unit_test(test_sim_memory_attributes_unaligned_is_einval),
		cmocka_unit_test(test_sim_memory_attributes_size_0_is_einval),
		cmocka_unit_test(test_sim_memory_attributes_wrapping_range_is_einval),
		cmocka_unit_test(test_sim_memory_attributes_nonzero_flags_is_einval),
		cmocka_unit_test(test_sim_memory_attributes_private_on_default_vm_is_einval),
		cmocka_unit_test(test_sim_create_guest_memfd_init_shared_on_snp_is_einval),
		cmocka_unit_test(test_sim_create_guest_memfd_size_0_is_einval),
		cmocka_unit_test(test_sim_create_guest_memfd_unaligned_size_is_einval),
		cmocka_unit_test(test_sim_memslot_second_guest_memfd_slot_succeeds),
		cmocka_unit_test(test_sim_memslot_unaligned_gpa_is_einval),
		cmocka_unit_test(test_sim_memslot_unaligned_size_is_einval),
		cmocka_unit_test(test_sim_memslot_unaligned_uaddr_is_einval),
		cmocka_unit_test(test_sim_memslot_unaligned_guest_memfd_offset_is_einval),
		cmocka_unit_test(test_sim_memslot_foreign_guest_memfd_is_einval),
		cmocka_unit_test(test_sim_memslot_range_outside_guest_memfd_is_einval),
		cmocka_unit_test(test_sim_memslot_resize_is_einval),
		cmocka_unit_test(test_sim_memslot_move_guest_memfd_slot_is_einval),
		cmocka_unit_test(test_sim_memslot_overlap_is_eexist),
		cmocka_unit_test(test_sim_enable_cap_exit_hypercall_other_bits_is_einval),
		cmocka_unit_test(test_sim_irq_line_without_irqchip_is_enxio),
		cmocka_unit_test(test_sim_create_irqchip_after_vcpu_is_einval),
		cmocka_unit_test(test_sim_create_vcpu_duplicate_id_is_eexist),
		cmocka_unit_test(test_sim_create_vcpu_id_4096_is_einval),
		cmocka_unit_test(test_sim_create_vcpu_beyond_max_vcpus_is_einval),
		cmocka_unit_test(test_sim_max_vcpus_cap_reports_1024),
		cmocka_unit_test(test_sim_max_vcpus_cap_follows_max_vcpus_setting),
		cmocka_unit_test(test_sim_pre_fault_outside_memslots_is_enoent),
		cmocka_unit_test(test_sim_memslot_guest_memfd_with_dirty_logging_is_einval),
		cmocka_unit_test(test_sim_memslot_guest_memfd_range_bound_twice_is_einval),
		cmocka_unit_test(test_sim_memslot_closed_guest_memfd_fd_is_ebadf),
		cmocka_unit_test(test_sim_launch_finish_with_signed_id_block_records_key_digests),
		cmocka_unit_test(test_sim_launch_finish_id_block_wrong_ld_is_bad_measurement),
		cmocka_unit_test(test_sim_launch_finish_id_block_wrong_policy_is_policy_failure),
		cmocka_unit_test(test_sim_launch_finish_id_auth_bad_algorithm_is_invalid_param),
		cmocka_unit_test(test_sim_launch_finish_id_block_bad_version_is_invalid_param),
		cmocka_unit_test(
			test_sim_launch_finish_id_block_changed_after_signing_is_bad_signature),
		cmocka_unit_test(test_sim_certs_exit_ret_einval_fails_kvm_run_with_einval),
		cmocka_unit_test(test_sim_certs_without_req_certs_gets_empty_table_in_kernel),
		cmocka_unit_test(test_sim_certs_reply_is_completed_before_immediate_exit),
		cmocka_unit_test(test_sim_reply_taken_by_a_kvm_run_that_immediate_exit_ends),
		cmocka_unit_test(
			test_sim_ghcb_termination_zeroes_the_reason_and_exits_with_the_ghcb_gpa),
		cmocka_unit_test(test_sim_gmem_enomem_fault_fails_create_guest_memfd),
		cmocka_unit_test(test_sim_launch_update_eagain_fault_makes_no_progress),
		cmocka_unit_test(test_sim_launch_update_partial_fault_writes_back_progress),
		cmocka_unit_test(test_sim_fw_error_fault_fails_launch_start_with_eio),
		cmocka_unit_test(test_sim_run_eintr_fault_interrupts_the_nth_run),
		cmocka_unit_test(test_sim_bad_fault_spec_is_einval),
		cmocka_unit_test(test_sim_bad_profile_is_einval),
		cmocka_unit_test(test_sim_profile_names_select_kernels_and_aliases),
		cmocka_unit_test(test_sim_v12_launch_update_writes_no_progress_back),
		cmocka_unit_test(test_sim_6_11_launch_update_writes_progress_back),
		cmocka_unit_test(test_sim_v12_repeated_zero_range_is_a_silent_no_op),
		cmocka_unit_test(test_sim_v12_repeated_normal_range_is_a_host_rmp_violation),
		cmocka_unit_test(test_sim_6_11_to_7_0_repeated_range_is_eio),
		cmocka_unit_test(test_sim_v12_launch_update_of_a_shared_page_is_einval),
		cmocka_unit_test(test_sim_v12_launch_update_past_the_memslot_is_eio),
		cmocka_unit_test(test_sim_v12_launch_update_source_fault_returns_bytes_not_copied),
		cmocka_unit_test(test_sim_6_11_launch_update_source_fault_is_partial_progress),
		cmocka_unit_test(test_sim_launch_update_with_a_pending_signal_is_eio_fw_0),
		cmocka_unit_test(test_sim_launch_update_signal_interrupts_only_when_not_blocked),
		cmocka_unit_test(test_sim_v12_launch_update_ignores_a_pending_signal),
		cmocka_unit_test(test_sim_6_17_leaves_smt_and_single_socket_to_the_firmware),
		cmocka_unit_test(test_sim_v12_policy_refusal_keeps_the_context),
		cmocka_unit_test(test_sim_6_18_policy_bit_the_firmware_lacks_fails_in_firmware),
		cmocka_unit_test(test_sim_6_17_init2_accepts_ghcb_version_1),
		cmocka_unit_test(test_sim_6_17_launch_update_len_0_is_a_no_op_and_6_18_refuses_it),
		cmocka_unit_test(test_sim_6_19_launch_update_copies_an_unaligned_source),
		cmocka_unit_test(test_sim_launch_update_source_0_is_eio_and_v12_measures_the_page),
		cmocka_unit_test(test_sim_secure_tsc_is_offered_from_6_18_where_the_host_has_it),
		cmocka_unit_test(test_sim_6_18_secure_tsc_gives_the_vm_tsc_khz_to_the_firmware),
		cmocka_unit_test(test_sim_vm_set_tsc_khz_rules),
		cmocka_unit_test(test_sim_memory_attributes_cap_and_its_absence),
		cmocka_unit_test(test_sim_v12_has_no_pre_fault_memory),
		cmocka_unit_test(test_sim_guest_memfd_mmap_from_6_18),
		cmocka_unit_test(test_sim_certs_exit_number_is_43_or_the_setting),
		cmocka_unit_test(test_sim_guest_memfd_beyond_host_memory_is_enomem),
		cmocka_unit_test(test_sim_zero_pages_take_no_memory),
		cmocka_unit_test(test_sim_partial_progress_fault_on_v12_is_refused),
		cmocka_unit_test(test_sim_report_path_that_cannot_be_created_fails_create),
		cmocka_unit_test(test_sim_report_is_written_to_the_created_file_at_destroy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
