// SPDX-License-Identifier: MIT
#include "sim_test_util.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

void t_sim_create(struct t_vm *vm, const char *profile, const char *faults, const char *script,
		  const char *const *settings)
{
	struct sim_options o = { .profile = profile, .faults = faults, .guest_script = script };
	struct diag d = { { 0 } };

	memset(vm, 0, sizeof(*vm));
	vm->gmem_fd = -1;
	while (settings && *settings && o.nr_settings < SIM_MAX_SETTINGS)
		o.settings[o.nr_settings++] = *settings++;
	assert_int_equal(sim_backend_create(&o, &vm->be, &d), 0);
	vm->sim = to_sim(vm->be);
}

void t_vm_create(struct t_vm *vm, const char *profile, const char *faults, const char *script,
		 const char *const *settings)
{
	struct kvm_create_guest_memfd g = { .size = T_RAM_SIZE };
	struct kvm_userspace_memory_region2 r = { 0 };

	t_sim_create(vm, profile, faults, script, settings);
	assert_int_equal(vm->be->ops->create_vm(vm->be, KVM_X86_SNP_VM), 0);
	vm->gmem_fd = vm->be->ops->create_guest_memfd(vm->be, &g);
	assert_true(vm->gmem_fd >= 0);
	vm->ram = mmap(NULL, T_RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(vm->ram != MAP_FAILED);
	r.slot = 0;
	r.flags = KVM_MEM_GUEST_MEMFD;
	r.guest_phys_addr = T_RAM_GPA;
	r.memory_size = T_RAM_SIZE;
	r.userspace_addr = (uint64_t)(uintptr_t)vm->ram;
	r.guest_memfd = (uint32_t)vm->gmem_fd;
	assert_int_equal(vm->be->ops->set_user_memory_region2(vm->be, &r), 0);
}

void t_vm_destroy(struct t_vm *vm)
{
	kvm_backend_destroy(vm->be);
	if (vm->ram)
		munmap(vm->ram, T_RAM_SIZE);
	if (vm->gmem_fd >= 0)
		close(vm->gmem_fd);
}

int t_sev(struct t_vm *vm, uint32_t id, void *data, uint32_t *fw)
{
	struct kvm_sev_cmd cmd = { .id = id, .data = (uint64_t)(uintptr_t)data };
	uint32_t dummy;

	return vm->be->ops->memory_encrypt_op(vm->be, &cmd, fw ? fw : &dummy);
}

int t_init2(struct t_vm *vm, uint64_t vmsa_features, uint32_t flags, uint16_t ghcb_version)
{
	struct kvm_sev_init init = {
		.vmsa_features = vmsa_features,
		.flags = flags,
		.ghcb_version = ghcb_version,
	};

	return t_sev(vm, KVM_SEV_INIT2, &init, NULL);
}

int t_launch_start(struct t_vm *vm, uint64_t policy, uint32_t *fw)
{
	if (vm->sim->profile.abi == SIM_ABI_V12) {
		struct kvm_sev_snp_v12_launch_start s = { .policy = policy };

		return t_sev(vm, KVM_SEV_SNP_V12_LAUNCH_START, &s, fw);
	} else {
		struct kvm_sev_snp_launch_start s = { .policy = policy };

		return t_sev(vm, KVM_SEV_SNP_LAUNCH_START, &s, fw);
	}
}

int t_launch_update(struct t_vm *vm, uint64_t gpa, uint64_t len, uint8_t type, uint32_t *fw,
		    struct kvm_sev_snp_launch_update *io)
{
	struct kvm_sev_snp_launch_update u = {
		.gfn_start = gpa >> 12,
		.uaddr = (uint64_t)(uintptr_t)(vm->ram + (gpa - T_RAM_GPA)),
		.len = len,
		.type = type,
	};
	int r;

	if (vm->sim->profile.abi == SIM_ABI_V12) {
		struct kvm_sev_snp_v12_launch_update v = {
			.gfn_start = u.gfn_start,
			.uaddr = u.uaddr,
			.len = (uint32_t)len,
			.type = type,
		};

		r = t_sev(vm, KVM_SEV_SNP_V12_LAUNCH_UPDATE, &v, fw);
		u.gfn_start = v.gfn_start;
		u.uaddr = v.uaddr;
		u.len = v.len;
	} else {
		r = t_sev(vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, fw);
	}
	if (io)
		*io = u;
	return r;
}

int t_launch_finish(struct t_vm *vm, uint32_t *fw)
{
	if (vm->sim->profile.abi == SIM_ABI_V12) {
		struct kvm_sev_snp_v12_launch_finish f = { 0 };

		return t_sev(vm, KVM_SEV_SNP_V12_LAUNCH_FINISH, &f, fw);
	} else {
		struct kvm_sev_snp_launch_finish f = { 0 };

		return t_sev(vm, KVM_SEV_SNP_LAUNCH_FINISH, &f, fw);
	}
}

int t_set_private(struct t_vm *vm, uint64_t gpa, uint64_t len, bool priv)
{
	struct kvm_memory_attributes a = {
		.address = gpa,
		.size = len,
		.attributes = priv ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	return vm->be->ops->set_memory_attributes(vm->be, &a);
}

int t_create_vcpu(struct t_vm *vm, uint32_t id)
{
	struct kvm_run *run;

	return vm->be->ops->create_vcpu(vm->be, id, &run);
}

void t_launch_all(struct t_vm *vm)
{
	uint32_t fw = 0;

	assert_int_equal(t_init2(vm, 0, 0, 0), 0);
	assert_int_equal(t_launch_start(vm, T_POLICY, &fw), 0);
	assert_int_equal(t_create_vcpu(vm, 0), 0);
	memset(vm->ram + 0x100000, 0x90, 4096);
	assert_int_equal(t_set_private(vm, 0x100000, 4096, true), 0);
	assert_int_equal(
		t_launch_update(vm, 0x100000, 4096, KVM_SEV_SNP_PAGE_TYPE_NORMAL, &fw, NULL), 0);
	assert_int_equal(t_launch_finish(vm, &fw), 0);
}
