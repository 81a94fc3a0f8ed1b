// SPDX-License-Identifier: MIT
/*
 * The simulated SNP host behind the kernel seam (include/vmm/backend.h): the ops table,
 * the VM and its vCPUs. Every op follows the errno rules of the matching ioctl in KVM;
 * SEV commands are in sim_sev.c, memory in sim_memory.c, the PSP in sim_psp.c and the
 * scripted guest in sim_guest.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/psp-sev.h>

#include "sim_internal.h"
#include "snp/vmsa.h"
#include "util/file.h"

#define KVM_MAX_VCPU_IDS     4096 /* x86: KVM_MAX_VCPUS (1024) * KVM_VCPU_ID_RATIO (4) */
/* KVM_EXIT_HYPERCALL_VALID_MASK: only KVM_HC_MAP_GPA_RANGE can exit (x86.c, Linux 6.11;
 * api.rst KVM_CAP_EXIT_HYPERCALL). */
#define EXIT_HYPERCALL_VALID (1ull << KVM_HC_MAP_GPA_RANGE)
#define SVM_EXIT_ERR	     0xffffffffffffffffull /* asm/svm.h, VMRUN failed (-1) */

static const char *const ioctl_names[] = {
	[SIM_IOC_CHECK_EXTENSION] = "KVM_CHECK_EXTENSION",
	[SIM_IOC_GET_DEVICE_ATTR] = "KVM_GET_DEVICE_ATTR",
	[SIM_IOC_GET_SUPPORTED_CPUID] = "KVM_GET_SUPPORTED_CPUID",
	[SIM_IOC_CREATE_VM] = "KVM_CREATE_VM",
	[SIM_IOC_ENABLE_CAP] = "KVM_ENABLE_CAP",
	[SIM_IOC_SET_TSC_KHZ] = "KVM_SET_TSC_KHZ",
	[SIM_IOC_CREATE_IRQCHIP] = "KVM_CREATE_IRQCHIP",
	[SIM_IOC_IRQ_LINE] = "KVM_IRQ_LINE",
	[SIM_IOC_CREATE_GUEST_MEMFD] = "KVM_CREATE_GUEST_MEMFD",
	[SIM_IOC_SET_USER_MEMORY_REGION2] = "KVM_SET_USER_MEMORY_REGION2",
	[SIM_IOC_SET_MEMORY_ATTRIBUTES] = "KVM_SET_MEMORY_ATTRIBUTES",
	[SIM_IOC_MEMORY_ENCRYPT_OP] = "KVM_MEMORY_ENCRYPT_OP",
	[SIM_IOC_SEV_INIT2] = "KVM_SEV_INIT2",
	[SIM_IOC_SNP_LAUNCH_START] = "KVM_SEV_SNP_LAUNCH_START",
	[SIM_IOC_SNP_LAUNCH_UPDATE] = "KVM_SEV_SNP_LAUNCH_UPDATE",
	[SIM_IOC_SNP_LAUNCH_FINISH] = "KVM_SEV_SNP_LAUNCH_FINISH",
	[SIM_IOC_SNP_ENABLE_REQ_CERTS] = "KVM_SEV_SNP_ENABLE_REQ_CERTS",
	[SIM_IOC_SEV_OTHER] = "KVM_SEV_OTHER",
	[SIM_IOC_SEV_ISSUE_CMD] = "SEV_ISSUE_CMD",
	[SIM_IOC_CREATE_VCPU] = "KVM_CREATE_VCPU",
	[SIM_IOC_SET_CPUID2] = "KVM_SET_CPUID2",
	[SIM_IOC_GET_VCPU_STATE] = "KVM_GET_REGS/SREGS/FPU/XCRS/MSRS/MP_STATE",
	[SIM_IOC_SET_VCPU_STATE] = "KVM_SET_REGS/SREGS/FPU/XCRS/MSRS/MP_STATE",
	[SIM_IOC_RUN] = "KVM_RUN",
	[SIM_IOC_PRE_FAULT_MEMORY] = "KVM_PRE_FAULT_MEMORY",
};
_Static_assert(sizeof(ioctl_names) / sizeof(ioctl_names[0]) == SIM_IOC_MAX, "ioctl_names");

const char *sim_ioctl_name(enum sim_ioctl i)
{
	return (unsigned int)i < SIM_IOC_MAX ? ioctl_names[i] : "?";
}

static void sim_destroy(struct kvm_backend *be)
{
	struct sim *sim = to_sim(be);
	unsigned int i;

	if (sim->report_fd >= 0) {
		int r;

		sim->destroying = true;
		r = sim_report_write(sim);

		/* The last chance to tell the operator: destroy cannot return an error. */
		if (r < 0)
			fprintf(stderr,
				"snpvmm: simulated host: writing the report to '%s' failed: %s\n",
				sim->report_path, strerror(-r));
		close(sim->report_fd);
	}
	for (i = 0; i < sim->nr_vcpus; i++)
		if (sim->vcpus[i].run)
			munmap(sim->vcpus[i].run, SIM_RUN_SIZE);
	free(sim->vcpus);
	sim_memory_fini(&sim->mem);
	sim_psp_fini(&sim->psp);
	sim_attest_fini(&sim->attest);
	sim_script_free(sim->script);
	free(sim->report_path);
	pthread_mutex_destroy(&sim->lock);
	free(sim);
}

/* Counts one call into the seam. Returns the -errno a fail-call fault injects into this
 * call (recorded for the report), else 0. */
static int count(struct sim *sim, enum sim_ioctl i)
{
	int err;

	sim->ioctls[i]++;
	err = sim_call_fault(&sim->faults, ++sim->seam_calls);
	if (!err)
		return 0;
	if (sim->nr_injected < SIM_FAULTS_MAX)
		sim->injected[sim->nr_injected++] =
			(struct sim_injected_fault){ sim->seam_calls, i, err };
	return -err;
}

static int sim_get_host_facts(struct kvm_backend *be, struct host_facts *ret)
{
	struct sim *sim = to_sim(be);
	struct host_facts f = { .smt_active = sim->profile.smt_active, .has_sev_device = true };

	memcpy(f.cpuid_8000001f, sim->profile.cpuid_8000001f, sizeof(f.cpuid_8000001f));
	/* sev_hardware_setup() writes the effective values back to the parameters
	 * (arch/x86/kvm/svm/sev.c, Linux 6.11: sev_snp_enabled = sev_snp_supported). */
	strcpy(f.kvm_amd_sev, "Y");
	strcpy(f.kvm_amd_sev_es, "Y");
	strcpy(f.kvm_amd_sev_snp, "Y");
	strcpy(f.kvm_amd_debug_swap,
	       (sim->profile.vmsa_features & SVM_SEV_FEAT_DEBUG_SWAP) ? "Y" : "N");
	*ret = f;
	return 0;
}

static int sim_check_extension(struct kvm_backend *be, bool vm, long cap)
{
	struct sim *sim = to_sim(be);
	bool snp;
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_CHECK_EXTENSION);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	if (vm && !sim->vm_created) {
		pthread_mutex_unlock(&sim->lock);
		return -EBADF;
	}
	/* On /dev/kvm (no VM) KVM answers as for a VM that could have private memory. */
	snp = !vm || sim->vm_type == KVM_X86_SNP_VM;
	switch (cap) {
	case KVM_CAP_VM_TYPES:
		r = (int)sim->profile.vm_types;
		break;
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_USER_MEMORY2:
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_SYS_ATTRIBUTES:
	case KVM_CAP_ENABLE_CAP_VM:
	case KVM_CAP_MEMORY_FAULT_INFO:
	/* x86.c: "case KVM_CAP_TSC_CONTROL: case KVM_CAP_VM_TSC_CONTROL: r =
	 * kvm_caps.has_tsc_control" (an EPYC host scales the TSC). */
	case KVM_CAP_TSC_CONTROL:
	case KVM_CAP_VM_TSC_CONTROL:
	case KVM_CAP_GET_TSC_KHZ:
		r = 1;
		break;
	case KVM_CAP_GUEST_MEMFD:
		/* 6.11: "!kvm || kvm_arch_has_private_mem(kvm)"; 6.18: every VM type. */
		r = snp || sim->profile.rules.gmem_mmap;
		break;
	case KVM_CAP_PRE_FAULT_MEMORY:
		r = sim->profile.rules.pre_fault_memory;
		break;
	case KVM_CAP_MEMORY_ATTRIBUTES:
		/* kvm_supported_mem_attributes(): PRIVATE only with private memory; none
		 * without VM-level attributes (the in-place conversion series' mode). */
		r = snp && sim->profile.rules.vm_memory_attributes
			    ? (int)KVM_MEMORY_ATTRIBUTE_PRIVATE
			    : 0;
		break;
	case KVM_CAP_GUEST_MEMFD_FLAGS:
		/* 6.18+ kvm_gmem_get_supported_flags(): INIT_SHARED only without private
		 * memory (guest_memfd.c). Older kernels do not know the capability. */
		if (!sim->profile.rules.gmem_mmap)
			r = 0;
		else
			r = (vm && snp)
				    ? (int)sim->profile.gmem_flags_snp
				    : (int)(GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
		break;
	case KVM_CAP_EXIT_HYPERCALL:
		r = (int)EXIT_HYPERCALL_VALID;
		break;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
		/* api.rst KVM_CREATE_VCPU: KVM_CAP_MAX_VCPUS is the most vCPUs a VM can
		 * have (x86.c: KVM_MAX_VCPUS), KVM_CAP_NR_VCPUS the recommended count
		 * (min(num_online_cpus(), KVM_MAX_VCPUS)); the simulated host has as many
		 * CPUs as it allows vCPUs. */
		r = (int)sim->profile.max_vcpus;
		break;
	case KVM_CAP_MAX_VCPU_ID:
		r = KVM_MAX_VCPU_IDS;
		break;
	default:
		r = 0;
		break;
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_get_device_attr(struct kvm_backend *be, uint32_t group, uint64_t attr,
			       uint64_t *ret_value)
{
	struct sim *sim = to_sim(be);
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_GET_DEVICE_ATTR);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	/* sev.c sev_dev_get_attr(): an attribute the kernel lacks is -ENXIO (6.11). */
	if (group != KVM_X86_GRP_SEV)
		r = -ENXIO;
	else if (attr == KVM_X86_SEV_VMSA_FEATURES)
		*ret_value = sim->profile.vmsa_features;
	else if (attr == KVM_X86_SNP_POLICY_BITS && sim->profile.rules.has_policy_bits_attr)
		/* "sev_get_snp_policy_bits() & KVM_SNP_POLICY_MASK_VALID" (6.19). */
		*ret_value = sim->profile.fw_policy_bits & sim->profile.rules.policy_mask;
	else if (attr == KVM_X86_SEV_SNP_REQ_CERTS && sim->profile.rules.has_req_certs)
		*ret_value = 1;
	else
		r = -ENXIO;
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_get_supported_cpuid(struct kvm_backend *be, struct kvm_cpuid2 *cpuid)
{
	struct sim *sim = to_sim(be);
	int r;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_GET_SUPPORTED_CPUID);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	r = sim_supported_cpuid(&sim->profile, cpuid);
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_create_vm(struct kvm_backend *be, unsigned long type)
{
	struct sim *sim = to_sim(be);
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_CREATE_VM);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	if (sim->vm_created)
		r = -EEXIST; /* one VM per backend (backend.h) */
	/* kvm_arch_init_vm(): a type outside KVM_CAP_VM_TYPES is -EINVAL. The simulator
	 * models SNP and plain VMs only. */
	else if (type >= 32 || !(sim->profile.vm_types & (1ull << type)) ||
		 (type != KVM_X86_DEFAULT_VM && type != KVM_X86_SNP_VM))
		r = -EINVAL;
	else {
		sim->vm_created = true;
		sim->vm_type = type;
		/* kvm_arch_init_vm(): "kvm->arch.default_tsc_khz = max_tsc_khz ? : tsc_khz". */
		sim->default_tsc_khz = sim->profile.tsc_khz;
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_enable_cap(struct kvm_backend *be, const struct kvm_enable_cap *cap)
{
	struct sim *sim = to_sim(be);
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_ENABLE_CAP);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	if (!sim->vm_created)
		r = -EBADF;
	else if (cap->flags)
		r = -EINVAL;
	else if (cap->cap == KVM_CAP_EXIT_HYPERCALL) {
		/* "if (cap->args[0] & ~KVM_EXIT_HYPERCALL_VALID_MASK) break" -> -EINVAL. */
		if (cap->args[0] & ~EXIT_HYPERCALL_VALID)
			r = -EINVAL;
		else
			sim->exit_hypercall = cap->args[0];
	} else if (cap->cap == KVM_CAP_X2APIC_API) {
		if (cap->args[0] & ~(uint64_t)3)
			r = -EINVAL;
	} else {
		/* kvm_vm_ioctl_enable_cap(): capabilities it does not handle. */
		r = -EINVAL;
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}

/* x86.c kvm_arch_vm_ioctl(KVM_SET_TSC_KHZ): at most the scaling limit, 0 for the host's
 * frequency, and only "if (!kvm->created_vcpus)" -- else -EINVAL. SNP's Secure TSC hands
 * this value to the firmware at SNP_LAUNCH_START (6.18). */
static int sim_vm_set_tsc_khz(struct kvm_backend *be, uint32_t khz)
{
	struct sim *sim = to_sim(be);
	/* kvm_caps.max_guest_tsc_khz: the SVM TSC ratio's 8 integer bits, at most u32. */
	uint64_t max = (uint64_t)sim->profile.tsc_khz << 8;
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_SET_TSC_KHZ);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	if (max > UINT32_MAX)
		max = UINT32_MAX;
	if (!sim->vm_created)
		r = -EBADF;
	else if (khz >= max || sim->nr_vcpus)
		r = -EINVAL;
	else
		sim->default_tsc_khz = khz ? khz : sim->profile.tsc_khz;
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_create_irqchip(struct kvm_backend *be)
{
	struct sim *sim = to_sim(be);
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_CREATE_IRQCHIP);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	if (!sim->vm_created)
		r = -EBADF;
	else if (sim->irqchip)
		r = -EEXIST; /* "if (irqchip_in_kernel(kvm)) goto ... -EEXIST" */
	else if (sim->nr_vcpus)
		r = -EINVAL; /* "if (kvm->created_vcpus) goto ... -EINVAL" */
	else
		sim->irqchip = true;
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_irq_line(struct kvm_backend *be, uint32_t irq, bool level)
{
	struct sim *sim = to_sim(be);
	int r;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_IRQ_LINE);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	/* KVM_IRQ_LINE needs an in-kernel irqchip ("if (!irqchip_in_kernel(kvm)) return
	 * -ENXIO"). The simulated guest has no interrupt controller to deliver to. */
	r = sim->irqchip ? 0 : -ENXIO;
	/* The scripted guest acts only on the SCI; it sees the line's level. */
	if (r == 0 && irq < 32)
		sim->irq_levels =
			level ? sim->irq_levels | (1u << irq) : sim->irq_levels & ~(1u << irq);
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_create_guest_memfd(struct kvm_backend *be, const struct kvm_create_guest_memfd *g)
{
	struct sim *sim = to_sim(be);
	uint64_t valid;
	int r;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_CREATE_GUEST_MEMFD);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	valid = sim->vm_type == KVM_X86_SNP_VM ? sim->profile.gmem_flags_snp
		: sim->profile.rules.gmem_mmap
			? GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED
			: 0;
	if (!sim->vm_created)
		r = -EBADF;
	else if (sim->faults.gmem_enomem)
		r = -ENOMEM; /* injected: the folio allocation failed */
	else if (g->flags & ~valid)
		r = -EINVAL; /* kvm_gmem_create(): "if (flags & ~valid_flags) -EINVAL" */
	else if (g->size > sim->profile.host_memory ||
		 sim->mem.gmem_bytes > sim->profile.host_memory - g->size)
		/* The simulated host backs at most host_memory of guest_memfd (docs/sim.md
		 * "Memory"): a real host must back every page the launch pre-validates. */
		r = -ENOMEM;
	else
		r = sim_memory_create_gmem(&sim->mem, g);
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_set_user_memory_region2(struct kvm_backend *be,
				       const struct kvm_userspace_memory_region2 *region)
{
	struct sim *sim = to_sim(be);
	int r;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_SET_USER_MEMORY_REGION2);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	if (!sim->vm_created)
		r = -EBADF;
	/* check_memory_region_flags(): KVM_MEM_GUEST_MEMFD only "if
	 * (kvm_arch_has_private_mem(kvm))" before 6.18, for every VM type after. */
	else if ((region->flags & KVM_MEM_GUEST_MEMFD) && sim->vm_type != KVM_X86_SNP_VM &&
		 !sim->profile.rules.gmem_mmap)
		r = -EINVAL;
	else
		r = sim_memory_set_region(&sim->mem, region);
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_set_memory_attributes(struct kvm_backend *be, const struct kvm_memory_attributes *a)
{
	struct sim *sim = to_sim(be);
	uint64_t supported;
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_SET_MEMORY_ATTRIBUTES);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	supported = sim->vm_type == KVM_X86_SNP_VM ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
	/* kvm_vm_ioctl_set_mem_attributes(): flags zero, supported attributes, non-empty
	 * and no wrap-around, page-aligned address and size. No memslot is required. */
	if (!sim->vm_created)
		r = -EBADF;
	/* Without VM-level attributes the ioctl does not exist: kvm_arch_vm_ioctl()'s
	 * "default: r = -ENOTTY". */
	else if (!sim->profile.rules.vm_memory_attributes)
		r = -ENOTTY;
	else if (a->flags || (a->attributes & ~supported) || a->size == 0 ||
		 a->address + a->size < a->address ||
		 ((a->address | a->size) & (SIM_PAGE_SIZE - 1)))
		r = -EINVAL;
	else
		r = sim_memory_set_private(&sim->mem, a->address / SIM_PAGE_SIZE,
					   (a->address + a->size) / SIM_PAGE_SIZE,
					   a->attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE);
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_memory_encrypt_op(struct kvm_backend *be, struct kvm_sev_cmd *cmd,
				 uint32_t *fw_error)
{
	struct sim *sim = to_sim(be);
	int r;

	*fw_error = 0;
	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_MEMORY_ENCRYPT_OP);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	cmd->sev_fd = 0x5e5; /* stands for the /dev/sev fd the real backend fills in */
	r = sim_sev_ioctl(sim, cmd);
	*fw_error = cmd->error;
	pthread_mutex_unlock(&sim->lock);
	return r;
}

/* include/uapi/linux/psp-sev.h struct sev_user_data_snp_status, packed, 32 bytes. */
struct snp_platform_status {
	uint8_t api_major, api_minor, state, rmp_init;
	uint32_t build_id;
	uint32_t features;
	uint32_t guest_count;
	uint64_t current_tcb_version;
	uint64_t reported_tcb_version;
} __attribute__((packed));
_Static_assert(sizeof(struct snp_platform_status) == 32, "sev_user_data_snp_status");

#define SEV_SNP_PLATFORM_STATUS 9 /* psp-sev.h SNP_PLATFORM_STATUS */

static int sim_sev_platform_cmd(struct kvm_backend *be, uint32_t cmd, void *data,
				uint32_t *fw_error)
{
	struct sim *sim = to_sim(be);
	int r = 0;

	*fw_error = 0;
	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_SEV_ISSUE_CMD);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	if (cmd == SEV_PLATFORM_STATUS) {
		struct sev_user_data_status st = {
			.api_major = sim->profile.api_major,
			.api_minor = sim->profile.api_minor,
			.build = sim->profile.build_id,
			.state = 1,	/* INIT */
			.flags = 0x100, /* SEV_STATUS_FLAGS_CONFIG_ES */
		};
		memcpy(data, &st, sizeof(st));
	} else if (cmd == SEV_SNP_PLATFORM_STATUS) {
		struct snp_platform_status st = {
			.api_major = sim->profile.api_major,
			.api_minor = sim->profile.api_minor,
			.state = 1,
			.rmp_init = 1,
			.build_id = sim->profile.build_id,
			.guest_count = sim->psp.state != SIM_GSTATE_NONE,
		};
		memcpy(data, &st, sizeof(st));
	} else {
		r = -EINVAL; /* sev_ioctl(): "if (input.cmd > SEV_MAX) -EINVAL" (modelled) */
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int sim_create_vcpu(struct kvm_backend *be, uint32_t vcpu_id, struct kvm_run **ret_run)
{
	struct sim *sim = to_sim(be);
	struct sim_vcpu *v;
	void *run;
	unsigned int i;
	int r;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_CREATE_VCPU);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	r = -EBADF;
	if (!sim->vm_created)
		goto out;
	/* kvm_vm_ioctl_create_vcpu(): id below KVM_MAX_VCPU_IDS, at most max_vcpus,
	 * unique ids. */
	r = -EINVAL;
	if (vcpu_id >= KVM_MAX_VCPU_IDS || sim->nr_vcpus >= sim->profile.max_vcpus)
		goto out;
	r = -EEXIST;
	for (i = 0; i < sim->nr_vcpus; i++)
		if (sim->vcpus[i].id == vcpu_id)
			goto out;
	if (sim->nr_vcpus == sim->cap_vcpus) {
		unsigned int cap = sim->cap_vcpus ? 2 * sim->cap_vcpus : 8;
		struct sim_vcpu *grown;

		if (cap > sim->profile.max_vcpus)
			cap = sim->profile.max_vcpus;
		grown = realloc(sim->vcpus, cap * sizeof(*grown));
		if (!grown) {
			r = -ENOMEM;
			goto out;
		}
		sim->vcpus = grown;
		sim->cap_vcpus = cap;
	}
	run = mmap(NULL, SIM_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (run == MAP_FAILED) {
		r = -ENOMEM;
		goto out;
	}
	v = &sim->vcpus[sim->nr_vcpus];
	memset(v, 0, sizeof(*v));
	v->id = vcpu_id;
	v->run = run;
	*ret_run = run;
	r = (int)sim->nr_vcpus++;
out:
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static struct sim_vcpu *vcpu_of(struct sim *sim, int vcpu)
{
	if (vcpu < 0 || (unsigned int)vcpu >= sim->nr_vcpus)
		return NULL;
	return &sim->vcpus[vcpu];
}

static int sim_vcpu_set_cpuid(struct kvm_backend *be, int vcpu, const struct kvm_cpuid2 *cpuid)
{
	struct sim *sim = to_sim(be);
	struct sim_vcpu *v;
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_SET_CPUID2);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	v = vcpu_of(sim, vcpu);
	/* KVM_SET_CPUID2: at most KVM_MAX_CPUID_ENTRIES (256) -> -E2BIG. */
	if (!v)
		r = -EINVAL;
	else if (cpuid->nent > 256)
		r = -E2BIG;
	else
		v->has_cpuid = true;
	pthread_mutex_unlock(&sim->lock);
	return r;
}

/* The vCPU's current state: KVM's reset state with every part the VMM set on top. */
static void current_state(const struct sim_vcpu *v, struct vcpu_state *ret)
{
	vmsa_kvm_reset_state(ret);
	if (v->state.valid & VCPU_STATE_REGS)
		ret->regs = v->state.regs;
	if (v->state.valid & VCPU_STATE_SREGS)
		ret->sregs = v->state.sregs;
	if (v->state.valid & VCPU_STATE_FPU)
		ret->fpu = v->state.fpu;
	if (v->state.valid & VCPU_STATE_XCRS)
		ret->xcrs = v->state.xcrs;
	/* kvm_vcpu_is_reset_bsp(): vCPU id 0 starts RUNNABLE, the others UNINITIALIZED. */
	ret->mp_state.mp_state = v->id == 0 ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_UNINITIALIZED;
	if (v->state.valid & VCPU_STATE_MP_STATE)
		ret->mp_state = v->state.mp_state;
}

static uint64_t msr_value(const struct sim_vcpu *v, uint32_t index)
{
	struct vcpu_state reset;
	unsigned int i;

	if (v->state.valid & VCPU_STATE_MSRS)
		for (i = 0; i < v->state.nr_msrs; i++)
			if (v->state.msrs[i].index == index)
				return v->state.msrs[i].data;
	vmsa_kvm_reset_state(&reset);
	for (i = 0; i < reset.nr_msrs; i++)
		if (reset.msrs[i].index == index)
			return reset.msrs[i].data;
	return 0;
}

static int sim_vcpu_get_state(struct kvm_backend *be, int vcpu, struct vcpu_state *st)
{
	struct sim *sim = to_sim(be);
	struct sim_vcpu *v;
	struct vcpu_state cur;
	unsigned int i;
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_GET_VCPU_STATE);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	v = vcpu_of(sim, vcpu);
	if (!v || st->nr_msrs > VCPU_STATE_MAX_MSRS) {
		r = -EINVAL;
		goto out;
	}
	/* x86.c: KVM_GET_REGS/SREGS/... on a vCPU with protected state is -EINVAL
	 * (has_protected_state && guest_state_protected, Linux 6.11). */
	if (v->protected_state) {
		r = -EINVAL;
		goto out;
	}
	current_state(v, &cur);
	st->regs = cur.regs;
	st->sregs = cur.sregs;
	st->fpu = cur.fpu;
	st->xcrs = cur.xcrs;
	st->mp_state = cur.mp_state;
	for (i = 0; i < st->nr_msrs; i++)
		st->msrs[i].data = msr_value(v, st->msrs[i].index);
	st->valid = VCPU_STATE_REGS | VCPU_STATE_SREGS | VCPU_STATE_FPU | VCPU_STATE_XCRS |
		    VCPU_STATE_MP_STATE | (st->nr_msrs ? VCPU_STATE_MSRS : 0);
out:
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static void merge_msrs(struct vcpu_state *dst, const struct vcpu_state *src)
{
	unsigned int i, j;

	for (i = 0; i < src->nr_msrs; i++) {
		for (j = 0; j < dst->nr_msrs; j++)
			if (dst->msrs[j].index == src->msrs[i].index)
				break;
		if (j == dst->nr_msrs) {
			if (dst->nr_msrs == VCPU_STATE_MAX_MSRS)
				continue;
			dst->nr_msrs++;
		}
		dst->msrs[j] = src->msrs[i];
	}
}

/* kvm_arch_vcpu_ioctl_set_mpstate(): RUNNABLE, or a state of the in-kernel local APIC
 * (UNINITIALIZED, HALTED, AP_RESET_HOLD, INIT_RECEIVED, SIPI_RECEIVED) with one;
 * anything else -EINVAL. */
static bool mp_state_valid(const struct sim *sim, uint32_t mp_state)
{
	switch (mp_state) {
	case KVM_MP_STATE_RUNNABLE:
		return true;
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_HALTED:
	case KVM_MP_STATE_AP_RESET_HOLD:
	case KVM_MP_STATE_INIT_RECEIVED:
	case KVM_MP_STATE_SIPI_RECEIVED:
		return sim->irqchip;
	default:
		return false;
	}
}

static int sim_vcpu_set_state(struct kvm_backend *be, int vcpu, const struct vcpu_state *st)
{
	struct sim *sim = to_sim(be);
	struct vcpu_state next;
	struct sim_vcpu *v;
	uint8_t scratch[VMSA_PAGE_SIZE];
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_SET_VCPU_STATE);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	v = vcpu_of(sim, vcpu);
	if (!v || st->nr_msrs > VCPU_STATE_MAX_MSRS) {
		r = -EINVAL;
		goto out;
	}
	/* x86.c guards KVM_SET_REGS/SREGS/FPU/XCRS/MSRS with has_protected_state &&
	 * guest_state_protected: -EINVAL after LAUNCH_FINISH (Linux 6.11). KVM_SET_MP_STATE has
	 * no such guard (kvm_arch_vcpu_ioctl_set_mpstate()). The parts are set in the order
	 * SREGS, REGS, FPU, XCRS, MSRS, MP_STATE, so any register part fails first. */
	if (v->protected_state && (st->valid & ~VCPU_STATE_MP_STATE)) {
		r = -EINVAL;
		goto out;
	}
	if ((st->valid & VCPU_STATE_MP_STATE) && !mp_state_valid(sim, st->mp_state.mp_state)) {
		r = -EINVAL;
		goto out;
	}
	if (v->protected_state) {
		v->state.mp_state = st->mp_state;
		v->state.valid |= VCPU_STATE_MP_STATE;
		goto out;
	}
	next = v->state;
	if (st->valid & VCPU_STATE_REGS)
		next.regs = st->regs;
	if (st->valid & VCPU_STATE_SREGS)
		next.sregs = st->sregs;
	if (st->valid & VCPU_STATE_FPU)
		next.fpu = st->fpu;
	if (st->valid & VCPU_STATE_XCRS)
		next.xcrs = st->xcrs;
	if (st->valid & VCPU_STATE_MSRS)
		merge_msrs(&next, st);
	if (st->valid & VCPU_STATE_MP_STATE)
		next.mp_state = st->mp_state;
	next.valid |= st->valid;
	/* The validity rules KVM_SET_SREGS/XCRS/MSRS apply (kvm_is_valid_sregs,
	 * __kvm_set_xcr, kvm_pat_valid ...), as the measurement library models them. */
	r = vmsa_from_kvm_state(&next, sim->vmsa_features, NULL, scratch);
	if (r < 0)
		goto out;
	v->state = next;
out:
	pthread_mutex_unlock(&sim->lock);
	return r;
}

/* True if a signal the caller has not blocked is pending: what the kernel's
 * signal_pending(current) sees while the thread is inside KVM_RUN. */
static bool unblocked_signal_pending(const sigset_t *caller_mask)
{
	sigset_t pending;
	int sig;

	if (sigpending(&pending) < 0)
		return false;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&pending, sig) == 1 && sigismember(caller_mask, sig) != 1)
			return true;
	return false;
}

/*
 * KVM_RUN of an SNP vCPU before LAUNCH_FINISH. kvm_arch_vcpu_ioctl_run(): an UNINITIALIZED
 * vCPU blocks for INIT/SIPI; else svm_vcpu_pre_run() "if (need_init) return -EINVAL"
 * before INIT2; a HALTED vCPU blocks; a RUNNABLE one enters: pre_sev_run() refuses only an
 * invalid vmsa_pa, which sev_es_init_vmcb() set at vCPU creation, so VMRUN runs on a VMSA
 * page that is not yet a guest-owned VMSA in the RMP, fails, and svm_handle_exit()
 * reports SVM_EXIT_ERR as KVM_EXIT_FAIL_ENTRY with KVM_RUN returning 0. Returns 1 for
 * "blocks until kicked".
 */
static int run_unlaunched(struct sim *sim, struct sim_vcpu *v)
{
	struct vcpu_state st;

	current_state(v, &st);
	if (st.mp_state.mp_state == KVM_MP_STATE_UNINITIALIZED)
		return 1;
	if (!sim->sev_init)
		return -EINVAL;
	if (st.mp_state.mp_state != KVM_MP_STATE_RUNNABLE)
		return 1;
	v->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	v->run->fail_entry.hardware_entry_failure_reason = SVM_EXIT_ERR;
	v->run->fail_entry.cpu = 0;
	return 0;
}

/* KVM_RUN up to the point where the vCPU would block. Returns 1 for a vCPU with nothing to
 * run (it must block), else the ioctl's result. */
static int vcpu_run_enter(struct sim *sim, int vcpu, const sigset_t *caller_mask,
			  struct kvm_run **ret_run)
{
	struct sim_vcpu *v;
	struct kvm_run *run;
	int r;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_RUN);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	v = vcpu_of(sim, vcpu);
	if (!v) {
		r = -EINVAL;
		goto out;
	}
	run = v->run;
	*ret_run = run;
	/* A pending exit is completed first (sim_guest_complete()); only an UNINITIALIZED
	 * vCPU, which has none, checks immediate_exit before. */
	if (vcpu == 0 && !(sim->vm_type == KVM_X86_SNP_VM && !v->protected_state)) {
		r = sim_guest_complete(sim, run);
		if (r < 0)
			goto out;
	}
	/* kvm_vcpu_ioctl(KVM_RUN) reads immediate_exit once, at entry ("wants_to_run"), and
	 * kvm_arch_vcpu_ioctl_run() returns -EINTR for it; nothing looks at it again. */
	if (__atomic_load_n(&run->immediate_exit, __ATOMIC_SEQ_CST)) {
		r = -EINTR;
		goto out;
	}
	if (sim_fault_hit(&sim->faults.run_eintr, ++sim->run_calls)) {
		run->exit_reason = KVM_EXIT_INTR;
		r = -EINTR;
		goto out;
	}
	if (sim->vm_type == KVM_X86_SNP_VM && !v->protected_state) {
		r = run_unlaunched(sim, v); /* 1: blocks, as below */
		goto out;
	}
	/* vcpu_run(): a signal already pending exits before guest entry
	 * (kvm_xfer_to_guest_mode_handle_work: KVM_EXIT_INTR, -EINTR). */
	if (unblocked_signal_pending(caller_mask)) {
		run->exit_reason = KVM_EXIT_INTR;
		r = -EINTR;
		goto out;
	}
	r = vcpu == 0 ? sim_guest_run(sim, run) : 1;
out:
	pthread_mutex_unlock(&sim->lock);
	return r;
}

/*
 * Signals are blocked from entry on, as a thread inside the kernel does not run handlers:
 * a kick that arrives after the entry checks stays pending and ends the wait, while one
 * that arrived before KVM_RUN was entered ran its handler in user space and is gone, as on
 * KVM. That is why a VMM must set immediate_exit before it signals (api.rst
 * "immediate_exit").
 */
static int sim_vcpu_run(struct kvm_backend *be, int vcpu)
{
	struct sim *sim = to_sim(be);
	struct kvm_run *run = NULL;
	sigset_t all, caller_mask;
	int r;

	/* Not the signals of a fault in this thread: blocked, they would kill the process
	 * without a sanitizer's report (the kernel forces their default action). */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGTRAP);
	pthread_sigmask(SIG_BLOCK, &all, &caller_mask);
	r = vcpu_run_enter(sim, vcpu, &caller_mask, &run);
	while (r == SIM_GUEST_HALTED) {
		/* A halted vCPU: kvm_vcpu_block() until an interrupt is pending (the guest
		 * resumes inside KVM_RUN, no exit) or a signal is (-EINTR). The simulator
		 * looks at the IRQ lines every 10 ms instead of being woken by them. */
		struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };

		if (ppoll(NULL, 0, &tick, &caller_mask) < 0) {
			run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
			break;
		}
		pthread_mutex_lock(&sim->lock);
		r = sim_guest_run(sim, run);
		pthread_mutex_unlock(&sim->lock);
	}
	if (r == 1) {
		/* A vCPU with nothing to run (the scripted guest has no APs) is an AP waiting
		 * for INIT/SIPI: kvm_arch_vcpu_ioctl_run() blocks it in kvm_vcpu_block() until
		 * kvm_vcpu_check_block() sees signal_pending(), then returns -EINTR
		 * (KVM_EXIT_INTR). Nothing else wakes it: not immediate_exit, not a timeout. */
		sigsuspend(&caller_mask);
		run->exit_reason = KVM_EXIT_INTR;
		r = -EINTR;
	}
	pthread_sigmask(SIG_SETMASK, &caller_mask, NULL);
	return r;
}

static int sim_vcpu_pre_fault_memory(struct kvm_backend *be, int vcpu,
				     struct kvm_pre_fault_memory *range)
{
	struct sim *sim = to_sim(be);
	struct sim_slot *slot;
	uint64_t end, slot_end;
	int r = 0;

	pthread_mutex_lock(&sim->lock);
	r = count(sim, SIM_IOC_PRE_FAULT_MEMORY);
	if (r < 0) {
		pthread_mutex_unlock(&sim->lock);
		return r;
	}
	/* Before 6.11 (the v12 base) the ioctl is unknown: kvm_arch_vcpu_ioctl() "default:
	 * r = -EINVAL". */
	if (!vcpu_of(sim, vcpu) || !sim->profile.rules.pre_fault_memory) {
		r = -EINVAL;
		goto out;
	}
	/* kvm_vcpu_pre_fault_memory() (generic, before the arch hook): flags zero,
	 * aligned, "range->gpa + range->size <= range->gpa" (empty or wrapping). */
	if (range->flags || range->gpa + range->size <= range->gpa ||
	    ((range->gpa | range->size) & (SIM_PAGE_SIZE - 1))) {
		r = -EINVAL;
		goto out;
	}
	/* kvm_arch_vcpu_pre_fault_memory(): "if (!vcpu->kvm->arch.pre_fault_allowed)
	 * return -EOPNOTSUPP" (mmu.c, 6.11); SNP allows it from LAUNCH_FINISH on
	 * (sev.c snp_launch_finish() sets pre_fault_allowed). */
	if (sim->vm_type == KVM_X86_SNP_VM && !sim->finished) {
		r = -EOPNOTSUPP;
		goto out;
	}
	slot = sim_memory_slot_of(&sim->mem, range->gpa / SIM_PAGE_SIZE);
	if (!slot) {
		r = -ENOENT; /* no memslot: "-ENOENT" (api.rst) */
		goto out;
	}
	/* Everything up to the slot's end is mapped in one call; the rest is returned. */
	end = range->gpa + range->size;
	slot_end = slot->gpa + slot->size;
	if (end > slot_end)
		end = slot_end;
	range->size -= end - range->gpa;
	range->gpa = end;
out:
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static const struct kvm_backend_ops sim_ops = {
	.name = "sim",
	.destroy = sim_destroy,
	.get_host_facts = sim_get_host_facts,
	.check_extension = sim_check_extension,
	.get_device_attr = sim_get_device_attr,
	.get_supported_cpuid = sim_get_supported_cpuid,
	.create_vm = sim_create_vm,
	.enable_cap = sim_enable_cap,
	.vm_set_tsc_khz = sim_vm_set_tsc_khz,
	.create_irqchip = sim_create_irqchip,
	.irq_line = sim_irq_line,
	.create_guest_memfd = sim_create_guest_memfd,
	.set_user_memory_region2 = sim_set_user_memory_region2,
	.set_memory_attributes = sim_set_memory_attributes,
	.memory_encrypt_op = sim_memory_encrypt_op,
	.sev_platform_cmd = sim_sev_platform_cmd,
	.create_vcpu = sim_create_vcpu,
	.vcpu_set_cpuid = sim_vcpu_set_cpuid,
	.vcpu_get_state = sim_vcpu_get_state,
	.vcpu_set_state = sim_vcpu_set_state,
	.vcpu_run = sim_vcpu_run,
	.vcpu_pre_fault_memory = sim_vcpu_pre_fault_memory,
};

int sim_options_check(const struct sim_options *o, struct diag *d)
{
	struct sim_profile profile;
	struct sim_faults faults;
	unsigned int i;
	int r;

	r = sim_profile_init(&profile, o->profile, d);
	for (i = 0; r >= 0 && i < o->nr_settings && i < SIM_MAX_SETTINGS; i++)
		r = sim_profile_apply(&profile, o->settings[i], d);
	if (r >= 0)
		r = sim_faults_parse(&faults, o->faults, d);
	return r;
}

int sim_backend_create(const struct sim_options *o, struct kvm_backend **ret_be, struct diag *d)
{
	struct sim *sim;
	unsigned int i;
	int r;

	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	sim->ops = sim_ops;
	sim->be.ops = &sim->ops;
	sim->report_fd = -1;
	pthread_mutex_init(&sim->lock, NULL);
	r = sim_profile_init(&sim->profile, o->profile, d);
	if (r < 0)
		goto out_destroy;
	snprintf(sim->name, sizeof(sim->name), "sim:%s", sim->profile.name);
	sim->ops.name = sim->name;
	for (i = 0; i < o->nr_settings && i < SIM_MAX_SETTINGS; i++) {
		r = sim_profile_apply(&sim->profile, o->settings[i], d);
		if (r < 0)
			goto out_destroy;
	}
	sim_profile_finish(&sim->profile);
	r = sim_faults_parse(&sim->faults, o->faults, d);
	if (r < 0)
		goto out_destroy;
	if (sim->faults.launch_update_partial.nr && !sim->profile.rules.launch_update_progress) {
		r = diag_fail(d, -EINVAL,
			      "fault launch-update-partial needs a kernel that reports "
			      "SNP_LAUNCH_UPDATE progress (6.11+), not %s",
			      sim->profile.name);
		goto out_destroy;
	}
	r = sim_attest_init(&sim->attest, o->vcek_key, d);
	if (r < 0)
		goto out_destroy;
	if (o->guest_script)
		r = sim_script_load(o->guest_script, &sim->script, d);
	else
		r = sim_script_default(&sim->script, d);
	if (r < 0)
		goto out_destroy;
	if (o->report_path) {
		sim->report_path = strdup(o->report_path);
		if (!sim->report_path) {
			r = -ENOMEM;
			goto out_destroy;
		}
		/* Created now, so that a path that cannot be written fails before the VM
		 * starts instead of losing the report at the end. */
		sim->report_fd = file_create(o->report_path, "the simulator report", false, d);
		if (sim->report_fd < 0) {
			r = sim->report_fd;
			goto out_destroy;
		}
	}
	*ret_be = &sim->be;
	return 0;

out_destroy:
	sim_destroy(&sim->be);
	return r;
}
