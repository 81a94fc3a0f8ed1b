/* SPDX-License-Identifier: MIT */
/*
 * <snpvmm/backend.h>: the kernel seam. Everything snpvmm asks of the host kernel goes
 * through these typed operations, one per ioctl family. The real implementation
 * (src/vmm/kvm_linux.c) is the only file that calls ioctl(); a simulated SNP host
 * implements the same operations, so the VMM above this line never knows which one it
 * talks to. Installed next to <snpvmm/snpvmm.h>, so an embedder can plug in a backend
 * of its own: embed a struct kvm_backend as the first member of an object, point its
 * ops at a table of these operations, and hand it to snpvmm_backend_from_ops() with
 * SNPVMM_BACKEND_ABI_VERSION (docs/embedding.md "Backends").
 *
 * A backend holds one VM at most. vCPUs are named by their index in creation order.
 * Every operation returns >= 0 on success or -errno; SEV operations also report the
 * firmware status separately in *fw_error (always written, 0 = success). vcpu_run runs
 * on each vCPU's own thread, several at once; irq_line on any thread.
 *
 * The types are the kernel's (<linux/kvm.h>) and, for what Debian 12's 6.1 headers lack,
 * snpvmm's own definitions in <snpvmm/kvm_abi.h>, which step aside for newer system ones.
 */
#ifndef SNPVMM_BACKEND_H
#define SNPVMM_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm_abi.h"

/* The version of everything below: struct kvm_backend_ops (its members, their order,
 * their meaning), struct host_facts, struct vcpu_state. It changes with any change of
 * them; snpvmm_backend_from_ops() refuses a backend built for another version. */
#define SNPVMM_BACKEND_ABI_VERSION 1

struct kvm_backend;

/* Host facts that are not ioctls but that a simulated host must be able to fake. */
struct host_facts {
	uint32_t cpuid_8000001f[4]; /* eax, ebx, ecx, edx of host CPUID 0x8000001F (0 if absent) */
	bool smt_active;	    /* /sys/devices/system/cpu/smt/active */
	char kvm_amd_sev[8];	    /* /sys/module/kvm_amd/parameters/<name>, "" if unreadable */
	char kvm_amd_sev_es[8];
	char kvm_amd_sev_snp[8];
	char kvm_amd_debug_swap[8];
	bool has_sev_device; /* /dev/sev could be opened */
};

/* The register state of one vCPU, as the KVM_{GET,SET}_{REGS,SREGS,FPU,XCRS,MSRS,MP_STATE}
 * ioctls see it. `valid` says which parts a set operation applies. */
enum vcpu_state_part {
	VCPU_STATE_REGS = 1u << 0,
	VCPU_STATE_SREGS = 1u << 1,
	VCPU_STATE_FPU = 1u << 2,
	VCPU_STATE_XCRS = 1u << 3,
	VCPU_STATE_MSRS = 1u << 4,
	VCPU_STATE_MP_STATE = 1u << 5,
};

#define VCPU_STATE_MAX_MSRS 16

struct vcpu_state {
	unsigned int valid; /* enum vcpu_state_part bits */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_xcrs xcrs;
	uint32_t nr_msrs;
	struct kvm_msr_entry msrs[VCPU_STATE_MAX_MSRS];
	struct kvm_mp_state mp_state;
};

struct kvm_backend_ops {
	const char *name; /* "linux", "sim:upstream", ... */
	void (*destroy)(struct kvm_backend *be);

	/* Host facts (CPUID, sysfs, /dev/sev presence). */
	int (*get_host_facts)(struct kvm_backend *be, struct host_facts *ret_facts);

	/* KVM_CHECK_EXTENSION on /dev/kvm (vm == false) or on the VM fd (vm == true). */
	int (*check_extension)(struct kvm_backend *be, bool vm, long cap);
	/* KVM_GET_DEVICE_ATTR on /dev/kvm. -ENXIO for an attribute the kernel lacks. */
	int (*get_device_attr)(struct kvm_backend *be, uint32_t group, uint64_t attr,
			       uint64_t *ret_value);
	/* KVM_GET_SUPPORTED_CPUID; cpuid->nent is the capacity in, the count out. */
	int (*get_supported_cpuid)(struct kvm_backend *be, struct kvm_cpuid2 *cpuid);

	/* KVM_CREATE_VM with a VM type, plus KVM_GET_VCPU_MMAP_SIZE bookkeeping. */
	int (*create_vm)(struct kvm_backend *be, unsigned long type);
	/* KVM_ENABLE_CAP on the VM. */
	int (*enable_cap)(struct kvm_backend *be, const struct kvm_enable_cap *cap);
	/* KVM_SET_TSC_KHZ on the VM fd (KVM_CAP_VM_TSC_CONTROL): the TSC frequency of the
	 * vCPUs created afterwards, and for SNP Secure TSC the frequency SNP_LAUNCH_START
	 * gives the firmware (6.18). 0 means the host's. -EINVAL once vCPUs exist. */
	int (*vm_set_tsc_khz)(struct kvm_backend *be, uint32_t khz);
	/* In-kernel interrupt controllers: KVM_SET_TSS_ADDR, KVM_SET_IDENTITY_MAP_ADDR,
	 * KVM_CREATE_IRQCHIP and KVM_CREATE_PIT2 (one family: x86 VM platform setup). */
	int (*create_irqchip)(struct kvm_backend *be);
	/* KVM_IRQ_LINE. Called from device code on any thread. */
	int (*irq_line)(struct kvm_backend *be, uint32_t irq, bool level);

	/* KVM_CREATE_GUEST_MEMFD: returns a new fd the caller owns. */
	int (*create_guest_memfd)(struct kvm_backend *be,
				  const struct kvm_create_guest_memfd *gmem);
	/* KVM_SET_USER_MEMORY_REGION2. */
	int (*set_user_memory_region2)(struct kvm_backend *be,
				       const struct kvm_userspace_memory_region2 *region);
	/* KVM_SET_MEMORY_ATTRIBUTES. */
	int (*set_memory_attributes)(struct kvm_backend *be,
				     const struct kvm_memory_attributes *attrs);

	/* KVM_MEMORY_ENCRYPT_OP. cmd->sev_fd is filled by the backend. The firmware status is
	 * returned in *fw_error (and in cmd->error). Returns the ioctl's result as it is:
	 * -errno, 0, or a positive value, which only the v12 series' LAUNCH_UPDATE returns
	 * (copy_from_user()'s count of bytes not copied; snp_launch.c turns it into -EFAULT). */
	int (*memory_encrypt_op)(struct kvm_backend *be, struct kvm_sev_cmd *cmd,
				 uint32_t *fw_error);
	/* SEV_ISSUE_CMD on /dev/sev (platform commands such as SNP_PLATFORM_STATUS). */
	int (*sev_platform_cmd)(struct kvm_backend *be, uint32_t cmd, void *data,
				uint32_t *fw_error);

	/* KVM_CREATE_VCPU with this APIC/vCPU id; maps struct kvm_run. Returns the vCPU index. */
	int (*create_vcpu)(struct kvm_backend *be, uint32_t vcpu_id, struct kvm_run **ret_run);
	/* KVM_SET_CPUID2. */
	int (*vcpu_set_cpuid)(struct kvm_backend *be, int vcpu, const struct kvm_cpuid2 *cpuid);
	/* KVM_GET_{REGS,SREGS,FPU,XCRS,MP_STATE} (all parts; MSRs as listed in state->msrs). */
	int (*vcpu_get_state)(struct kvm_backend *be, int vcpu, struct vcpu_state *state);
	/* KVM_SET_* for the parts flagged in state->valid, in the order KVM needs:
	 * SREGS, REGS, FPU, XCRS, MSRS, MP_STATE. */
	int (*vcpu_set_state)(struct kvm_backend *be, int vcpu, const struct vcpu_state *state);
	/* KVM_RUN. -EINTR when interrupted (a signal or run->immediate_exit). */
	int (*vcpu_run)(struct kvm_backend *be, int vcpu);
	/* KVM_PRE_FAULT_MEMORY (gpa/size updated to the rest). */
	int (*vcpu_pre_fault_memory)(struct kvm_backend *be, int vcpu,
				     struct kvm_pre_fault_memory *range);
};

struct kvm_backend {
	const struct kvm_backend_ops *ops;
};

static inline void kvm_backend_destroy(struct kvm_backend *be)
{
	if (be)
		be->ops->destroy(be);
}

#endif /* SNPVMM_BACKEND_H */
