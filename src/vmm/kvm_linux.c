// SPDX-License-Identifier: MIT
/*
 * The real kernel backend: /dev/kvm, the VM fd, vCPU fds and /dev/sev. This is the only
 * file in snpvmm that calls ioctl(). Every request goes through kvm_ioctl(), which checks
 * at compile time that the argument's type matches the size the request encodes (the
 * KVM selftests' kvm_do_ioctl idea), and every failure becomes -errno at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/psp-sev.h>

#include "vmm/backend.h"

#define KVM_LINUX_MAX_VCPUS	 256
#define KVM_API_VERSION_EXPECTED 12

/* _IOC_SIZE of an _IO() request is 0: then any argument (or none) is fine. */
#define kvm_ioctl(fd, req, arg)                                                     \
	({                                                                          \
		_Static_assert(!_IOC_SIZE(req) || sizeof(*(arg)) == _IOC_SIZE(req), \
			       #req ": wrong argument type");                       \
		int r_ = ioctl(fd, req, arg);                                       \
		r_ < 0 ? -errno : r_;                                               \
	})

/* _IO() requests whose argument is a plain integer. */
#define kvm_ioctl_val(fd, req, val)                                       \
	({                                                                \
		_Static_assert(!_IOC_SIZE(req), #req " takes a pointer"); \
		int r_ = ioctl(fd, req, val);                             \
		r_ < 0 ? -errno : r_;                                     \
	})

struct kvm_linux_vcpu {
	int fd;
	struct kvm_run *run;
};

struct kvm_linux {
	struct kvm_backend be;
	int kvm_fd;
	int vm_fd;
	int sev_fd; /* -1 until first needed */
	long run_mmap_size;
	unsigned int nr_vcpus;
	struct kvm_linux_vcpu vcpus[KVM_LINUX_MAX_VCPUS];
};

static struct kvm_linux *to_linux(struct kvm_backend *be)
{
	return (struct kvm_linux *)be;
}

static void kvm_linux_destroy(struct kvm_backend *be)
{
	struct kvm_linux *k = to_linux(be);
	unsigned int i;

	for (i = 0; i < k->nr_vcpus; i++) {
		if (k->vcpus[i].run)
			munmap(k->vcpus[i].run, (size_t)k->run_mmap_size);
		if (k->vcpus[i].fd >= 0)
			close(k->vcpus[i].fd);
	}
	if (k->sev_fd >= 0)
		close(k->sev_fd);
	if (k->vm_fd >= 0)
		close(k->vm_fd);
	if (k->kvm_fd >= 0)
		close(k->kvm_fd);
	free(k);
}

static void read_sysfs_word(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static int open_sev(struct kvm_linux *k)
{
	if (k->sev_fd >= 0)
		return 0;
	k->sev_fd = open("/dev/sev", O_RDWR | O_CLOEXEC);
	return k->sev_fd < 0 ? -errno : 0;
}

static int kvm_linux_get_host_facts(struct kvm_backend *be, struct host_facts *ret)
{
	struct host_facts f = { 0 };
	uint32_t max_ext;
	char smt[8];

	/* CPUID 0x8000001F: SEV capabilities and the C-bit position (AMD APM Vol. 3). */
	__asm__ volatile("cpuid" : "=a"(max_ext) : "a"(0x80000000u) : "ebx", "ecx", "edx");
	if (max_ext >= 0x8000001Fu)
		__asm__ volatile("cpuid"
				 : "=a"(f.cpuid_8000001f[0]), "=b"(f.cpuid_8000001f[1]),
				   "=c"(f.cpuid_8000001f[2]), "=d"(f.cpuid_8000001f[3])
				 : "a"(0x8000001Fu), "c"(0));
	read_sysfs_word("/sys/devices/system/cpu/smt/active", smt, sizeof(smt));
	f.smt_active = smt[0] == '1';
	read_sysfs_word("/sys/module/kvm_amd/parameters/sev", f.kvm_amd_sev, sizeof(f.kvm_amd_sev));
	read_sysfs_word("/sys/module/kvm_amd/parameters/sev_es", f.kvm_amd_sev_es,
			sizeof(f.kvm_amd_sev_es));
	read_sysfs_word("/sys/module/kvm_amd/parameters/sev_snp", f.kvm_amd_sev_snp,
			sizeof(f.kvm_amd_sev_snp));
	read_sysfs_word("/sys/module/kvm_amd/parameters/debug_swap", f.kvm_amd_debug_swap,
			sizeof(f.kvm_amd_debug_swap));
	f.has_sev_device = open_sev(to_linux(be)) == 0;
	*ret = f;
	return 0;
}

static int kvm_linux_check_extension(struct kvm_backend *be, bool vm, long cap)
{
	struct kvm_linux *k = to_linux(be);
	int fd = vm ? k->vm_fd : k->kvm_fd;

	if (fd < 0)
		return -EBADF;
	return kvm_ioctl_val(fd, KVM_CHECK_EXTENSION, cap);
}

static int kvm_linux_get_device_attr(struct kvm_backend *be, uint32_t group, uint64_t attr,
				     uint64_t *ret_value)
{
	struct kvm_linux *k = to_linux(be);
	uint64_t value = 0;
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uint64_t)(uintptr_t)&value,
	};
	int r;

	r = kvm_ioctl(k->kvm_fd, KVM_GET_DEVICE_ATTR, &a);
	if (r < 0)
		return r;
	*ret_value = value;
	return 0;
}

static int kvm_linux_get_supported_cpuid(struct kvm_backend *be, struct kvm_cpuid2 *cpuid)
{
	return kvm_ioctl(to_linux(be)->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
}

static int kvm_linux_create_vm(struct kvm_backend *be, unsigned long type)
{
	struct kvm_linux *k = to_linux(be);
	int fd, tries;

	if (k->vm_fd >= 0)
		return -EEXIST;
	/* KVM_CREATE_VM can fail with EINTR when a signal arrives while the kernel sets up
	 * the VM's MMU notifiers; QEMU and Firecracker retry a bounded number of times
	 * (qemu commit 94ccff13, "kvm: Retry KVM_CREATE_VM on EINTR"). */
	for (tries = 0; tries < 5; tries++) {
		fd = kvm_ioctl_val(k->kvm_fd, KVM_CREATE_VM, type);
		if (fd != -EINTR)
			break;
	}
	if (fd < 0)
		return fd;
	k->vm_fd = fd;
	return 0;
}

static int kvm_linux_enable_cap(struct kvm_backend *be, const struct kvm_enable_cap *cap)
{
	return kvm_ioctl(to_linux(be)->vm_fd, KVM_ENABLE_CAP, cap);
}

static int kvm_linux_vm_set_tsc_khz(struct kvm_backend *be, uint32_t khz)
{
	struct kvm_linux *k = to_linux(be);

	if (k->vm_fd < 0)
		return -EBADF;
	return kvm_ioctl_val(k->vm_fd, KVM_SET_TSC_KHZ, (unsigned long)khz);
}

static int kvm_linux_create_irqchip(struct kvm_backend *be)
{
	struct kvm_linux *k = to_linux(be);
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t identity_map = 0xfffbc000ULL;
	int r;

	/* Intel VMX needs three pages for the real-mode TSS and one for the identity map
	 * below 4 GiB; on AMD these calls are accepted and unused. kvmtool and QEMU place
	 * them just below the BIOS at 0xfffbd000 / 0xfffbc000, inside our PCI hole. */
	r = kvm_ioctl_val(k->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	if (r < 0 && r != -ENOTTY)
		return r;
	r = kvm_ioctl(k->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity_map);
	if (r < 0 && r != -ENOTTY && r != -EINVAL)
		return r;
	r = kvm_ioctl_val(k->vm_fd, KVM_CREATE_IRQCHIP, 0);
	if (r < 0)
		return r;
	r = kvm_ioctl(k->vm_fd, KVM_CREATE_PIT2, &pit);
	return r < 0 ? r : 0;
}

static int kvm_linux_irq_line(struct kvm_backend *be, uint32_t irq, bool level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level ? 1 : 0 };
	int r = kvm_ioctl(to_linux(be)->vm_fd, KVM_IRQ_LINE, &l);

	return r < 0 ? r : 0;
}

static int kvm_linux_create_guest_memfd(struct kvm_backend *be,
					const struct kvm_create_guest_memfd *gmem)
{
	struct kvm_create_guest_memfd arg = *gmem;

	return kvm_ioctl(to_linux(be)->vm_fd, KVM_CREATE_GUEST_MEMFD, &arg);
}

static int kvm_linux_set_user_memory_region2(struct kvm_backend *be,
					     const struct kvm_userspace_memory_region2 *region)
{
	struct kvm_linux *k = to_linux(be);
	struct kvm_userspace_memory_region legacy;
	int r;

	r = kvm_ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION2, region);
	if (r != -EINVAL && r != -ENOTTY)
		return r < 0 ? r : 0;
	/* Kernels before 6.8 lack KVM_SET_USER_MEMORY_REGION2 (KVM_CAP_USER_MEMORY2); a slot
	 * without guest_memfd means the same through the original ioctl. */
	if ((region->flags & KVM_MEM_GUEST_MEMFD) ||
	    kvm_ioctl_val(k->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY2) > 0)
		return r;
	legacy = (struct kvm_userspace_memory_region){
		.slot = region->slot,
		.flags = region->flags,
		.guest_phys_addr = region->guest_phys_addr,
		.memory_size = region->memory_size,
		.userspace_addr = region->userspace_addr,
	};
	r = kvm_ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &legacy);
	return r < 0 ? r : 0;
}

static int kvm_linux_set_memory_attributes(struct kvm_backend *be,
					   const struct kvm_memory_attributes *attrs)
{
	int r = kvm_ioctl(to_linux(be)->vm_fd, KVM_SET_MEMORY_ATTRIBUTES, attrs);

	return r < 0 ? r : 0;
}

static int kvm_linux_memory_encrypt_op(struct kvm_backend *be, struct kvm_sev_cmd *cmd,
				       uint32_t *fw_error)
{
	struct kvm_linux *k = to_linux(be);
	/* KVM_MEMORY_ENCRYPT_OP encodes sizeof(unsigned long) but takes a struct kvm_sev_cmd;
	 * the KVM selftests pass it through this same overlay (lib/x86/sev.h). */
	union {
		struct kvm_sev_cmd c;
		unsigned long raw;
	} *arg = (void *)cmd;
	int r;

	*fw_error = 0;
	r = open_sev(k);
	if (r < 0)
		return r;
	cmd->sev_fd = (uint32_t)k->sev_fd;
	cmd->error = 0;
	r = kvm_ioctl(k->vm_fd, KVM_MEMORY_ENCRYPT_OP, &arg->raw);
	*fw_error = cmd->error;
	/* A positive result is passed on: the v12 series' LAUNCH_UPDATE returns one for a
	 * failure (backend.h), which must not read as success. */
	return r;
}

static int kvm_linux_sev_platform_cmd(struct kvm_backend *be, uint32_t cmd, void *data,
				      uint32_t *fw_error)
{
	struct kvm_linux *k = to_linux(be);
	struct sev_issue_cmd arg = { .cmd = cmd, .data = (uint64_t)(uintptr_t)data };
	int r;

	*fw_error = 0;
	r = open_sev(k);
	if (r < 0)
		return r;
	r = kvm_ioctl(k->sev_fd, SEV_ISSUE_CMD, &arg);
	*fw_error = arg.error;
	return r < 0 ? r : 0;
}

static int kvm_linux_create_vcpu(struct kvm_backend *be, uint32_t vcpu_id, struct kvm_run **ret_run)
{
	struct kvm_linux *k = to_linux(be);
	struct kvm_linux_vcpu *v;
	void *run;
	int fd;

	if (k->nr_vcpus == KVM_LINUX_MAX_VCPUS)
		return -ENOSPC;
	fd = kvm_ioctl_val(k->vm_fd, KVM_CREATE_VCPU, (unsigned long)vcpu_id);
	if (fd < 0)
		return fd;
	run = mmap(NULL, (size_t)k->run_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		int r = -errno;

		close(fd);
		return r;
	}
	v = &k->vcpus[k->nr_vcpus];
	v->fd = fd;
	v->run = run;
	*ret_run = run;
	return (int)k->nr_vcpus++;
}

static struct kvm_linux_vcpu *vcpu_of(struct kvm_backend *be, int vcpu)
{
	struct kvm_linux *k = to_linux(be);

	if (vcpu < 0 || (unsigned int)vcpu >= k->nr_vcpus)
		return NULL;
	return &k->vcpus[vcpu];
}

static int kvm_linux_vcpu_set_cpuid(struct kvm_backend *be, int vcpu,
				    const struct kvm_cpuid2 *cpuid)
{
	struct kvm_linux_vcpu *v = vcpu_of(be, vcpu);
	int r;

	if (!v)
		return -EINVAL;
	r = kvm_ioctl(v->fd, KVM_SET_CPUID2, cpuid);
	return r < 0 ? r : 0;
}

static int get_msrs(int fd, struct vcpu_state *st)
{
	union {
		struct kvm_msrs hdr;
		uint8_t bytes[sizeof(struct kvm_msrs) +
			      VCPU_STATE_MAX_MSRS * sizeof(struct kvm_msr_entry)];
	} m = { .hdr.nmsrs = st->nr_msrs };
	int r;

	if (!st->nr_msrs)
		return 0;
	memcpy(m.hdr.entries, st->msrs, sizeof(st->msrs[0]) * st->nr_msrs);
	r = kvm_ioctl(fd, KVM_GET_MSRS, &m.hdr);
	if (r < 0)
		return r;
	if ((uint32_t)r != st->nr_msrs)
		return -EINVAL;
	memcpy(st->msrs, m.hdr.entries, sizeof(st->msrs[0]) * st->nr_msrs);
	return 0;
}

static int kvm_linux_vcpu_get_state(struct kvm_backend *be, int vcpu, struct vcpu_state *st)
{
	struct kvm_linux_vcpu *v = vcpu_of(be, vcpu);
	int r;

	if (!v || st->nr_msrs > VCPU_STATE_MAX_MSRS)
		return -EINVAL;
	r = kvm_ioctl(v->fd, KVM_GET_REGS, &st->regs);
	if (r >= 0)
		r = kvm_ioctl(v->fd, KVM_GET_SREGS, &st->sregs);
	if (r >= 0)
		r = kvm_ioctl(v->fd, KVM_GET_FPU, &st->fpu);
	if (r >= 0)
		r = kvm_ioctl(v->fd, KVM_GET_XCRS, &st->xcrs);
	if (r >= 0)
		r = kvm_ioctl(v->fd, KVM_GET_MP_STATE, &st->mp_state);
	if (r >= 0)
		r = get_msrs(v->fd, st);
	if (r < 0)
		return r;
	st->valid = VCPU_STATE_REGS | VCPU_STATE_SREGS | VCPU_STATE_FPU | VCPU_STATE_XCRS |
		    VCPU_STATE_MP_STATE | (st->nr_msrs ? VCPU_STATE_MSRS : 0);
	return 0;
}

static int set_msrs(int fd, const struct vcpu_state *st)
{
	union {
		struct kvm_msrs hdr;
		uint8_t bytes[sizeof(struct kvm_msrs) +
			      VCPU_STATE_MAX_MSRS * sizeof(struct kvm_msr_entry)];
	} m = { .hdr.nmsrs = st->nr_msrs };
	int r;

	if (st->nr_msrs > VCPU_STATE_MAX_MSRS)
		return -EINVAL;
	memcpy(m.hdr.entries, st->msrs, sizeof(st->msrs[0]) * st->nr_msrs);
	r = kvm_ioctl(fd, KVM_SET_MSRS, &m.hdr);
	if (r < 0)
		return r;
	/* KVM_SET_MSRS returns how many MSRs it set, stopping at the first it rejects. */
	return (uint32_t)r == st->nr_msrs ? 0 : -EINVAL;
}

static int kvm_linux_vcpu_set_state(struct kvm_backend *be, int vcpu, const struct vcpu_state *st)
{
	struct kvm_linux_vcpu *v = vcpu_of(be, vcpu);
	int r = 0;

	if (!v)
		return -EINVAL;
	/* SREGS before REGS: KVM validates RIP/RFLAGS against the mode in force, and CR4,
	 * EFER and XCR0 against guest CPUID, so KVM_SET_CPUID2 must already have run
	 * (x86.c __set_sregs_common() and __kvm_set_xcr() check against the guest CPUID). */
	if (st->valid & VCPU_STATE_SREGS)
		r = kvm_ioctl(v->fd, KVM_SET_SREGS, &st->sregs);
	if (r >= 0 && (st->valid & VCPU_STATE_REGS))
		r = kvm_ioctl(v->fd, KVM_SET_REGS, &st->regs);
	if (r >= 0 && (st->valid & VCPU_STATE_FPU))
		r = kvm_ioctl(v->fd, KVM_SET_FPU, &st->fpu);
	if (r >= 0 && (st->valid & VCPU_STATE_XCRS))
		r = kvm_ioctl(v->fd, KVM_SET_XCRS, &st->xcrs);
	if (r >= 0 && (st->valid & VCPU_STATE_MSRS))
		r = set_msrs(v->fd, st);
	if (r >= 0 && (st->valid & VCPU_STATE_MP_STATE))
		r = kvm_ioctl(v->fd, KVM_SET_MP_STATE, &st->mp_state);
	return r < 0 ? r : 0;
}

static int kvm_linux_vcpu_run(struct kvm_backend *be, int vcpu)
{
	struct kvm_linux_vcpu *v = vcpu_of(be, vcpu);
	int r;

	if (!v)
		return -EINVAL;
	r = kvm_ioctl_val(v->fd, KVM_RUN, 0);
	return r < 0 ? r : 0;
}

static int kvm_linux_vcpu_pre_fault_memory(struct kvm_backend *be, int vcpu,
					   struct kvm_pre_fault_memory *range)
{
	struct kvm_linux_vcpu *v = vcpu_of(be, vcpu);
	int r;

	if (!v)
		return -EINVAL;
	r = kvm_ioctl(v->fd, KVM_PRE_FAULT_MEMORY, range);
	return r < 0 ? r : 0;
}

static const struct kvm_backend_ops kvm_linux_ops = {
	.name = "linux",
	.destroy = kvm_linux_destroy,
	.get_host_facts = kvm_linux_get_host_facts,
	.check_extension = kvm_linux_check_extension,
	.get_device_attr = kvm_linux_get_device_attr,
	.get_supported_cpuid = kvm_linux_get_supported_cpuid,
	.create_vm = kvm_linux_create_vm,
	.enable_cap = kvm_linux_enable_cap,
	.vm_set_tsc_khz = kvm_linux_vm_set_tsc_khz,
	.create_irqchip = kvm_linux_create_irqchip,
	.irq_line = kvm_linux_irq_line,
	.create_guest_memfd = kvm_linux_create_guest_memfd,
	.set_user_memory_region2 = kvm_linux_set_user_memory_region2,
	.set_memory_attributes = kvm_linux_set_memory_attributes,
	.memory_encrypt_op = kvm_linux_memory_encrypt_op,
	.sev_platform_cmd = kvm_linux_sev_platform_cmd,
	.create_vcpu = kvm_linux_create_vcpu,
	.vcpu_set_cpuid = kvm_linux_vcpu_set_cpuid,
	.vcpu_get_state = kvm_linux_vcpu_get_state,
	.vcpu_set_state = kvm_linux_vcpu_set_state,
	.vcpu_run = kvm_linux_vcpu_run,
	.vcpu_pre_fault_memory = kvm_linux_vcpu_pre_fault_memory,
};

int kvm_linux_open(const char *dev_kvm, struct kvm_backend **ret_be)
{
	struct kvm_linux *k;
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->be.ops = &kvm_linux_ops;
	k->vm_fd = -1;
	k->sev_fd = -1;
	k->kvm_fd = open(dev_kvm ? dev_kvm : "/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm_fd < 0) {
		r = -errno;
		goto out_free;
	}
	r = kvm_ioctl_val(k->kvm_fd, KVM_GET_API_VERSION, 0);
	if (r < 0)
		goto out_free;
	if (r != KVM_API_VERSION_EXPECTED) {
		r = -EPROTONOSUPPORT;
		goto out_free;
	}
	r = kvm_ioctl_val(k->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r < 0)
		goto out_free;
	k->run_mmap_size = r;
	*ret_be = &k->be;
	return 0;

out_free:
	kvm_linux_destroy(&k->be);
	return r;
}
