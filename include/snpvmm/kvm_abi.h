/* SPDX-License-Identifier: MIT */
/*
 * <snpvmm/kvm_abi.h>: the seam's KVM types (installed with <snpvmm/backend.h>).
 *
 * Our own definitions of the KVM UAPI that Debian 12's linux-libc-dev (6.1) lacks:
 * guest_memfd, KVM_SET_USER_MEMORY_REGION2, memory attributes, KVM_EXIT_MEMORY_FAULT,
 * KVM_PRE_FAULT_MEMORY, VM types, device attributes, KVM_SEV_INIT2, and the SEV-SNP
 * launch commands for both kernel ABIs we speak:
 *
 *   upstream  Linux 6.11+ (commands 100..103, KVM_EXIT_HYPERCALL for page-state changes)
 *   v12       the "SEV-SNP Hypervisor Support" v12 series (2024-03-29; commands 23..25,
 *             KVM_EXIT_VMGEXIT for page-state changes, different struct layouts)
 *
 * Numbers and layouts are facts of the ABI, written down from include/uapi/linux/kvm.h,
 * include/uapi/linux/kvm_para.h, arch/x86/include/uapi/asm/kvm.h and
 * arch/x86/include/uapi/asm/kvm_para.h (Linux 6.11 and the 2026 kvm-x86 tree),
 * Documentation/virt/kvm/api.rst and x86/amd-memory-encryption.rst, and for the v12 ABI
 * the patches "[PATCH v12 10,11,12,14,15/29] ... SEV-SNP Hypervisor Support" (2024-03-29).
 * Every struct carries static assertions on its size and field offsets (C11 and C++11).
 *
 * The system header is used for what it has: every definition of ours is guarded by a
 * macro the kernel defines together with it (for a struct or an enumerator, which #ifdef
 * cannot see, a macro from the same header of the same release), so a newer system
 * header wins and the asserts below then check its layout. tests/build compiles this
 * header, and every source, after a fixture with all of Linux 7.0's SNP and guest_memfd
 * UAPI, and against Debian 12's 6.1 headers.
 *
 * Numbers that differ between kernels (the certificate exit: 42 before the merge, 43 in
 * 7.0) are used through names of our own, never through the system's macro, so what a
 * binary understands does not depend on the headers it was built with.
 */
#ifndef SNPVMM_KVM_ABI_H
#define SNPVMM_KVM_ABI_H

#include <stddef.h>

#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/types.h>

/* The layout checks run wherever the language has static assertions (C11, C++11; the
 * library itself is built as C11, so they always run there). Strict C99 skips them. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define SNPVMM_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define SNPVMM_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
#define SNPVMM_STATIC_ASSERT(cond, msg) struct snpvmm_static_assert_unused
#endif
#define SNPVMM_ABI_CHECK_SIZE(type, size) \
	SNPVMM_STATIC_ASSERT(sizeof(type) == (size), #type " size")
#define SNPVMM_ABI_CHECK_OFF(type, field, off) \
	SNPVMM_STATIC_ASSERT(offsetof(type, field) == (off), #type "." #field " offset")

/* An unnamed union member is C11; __extension__ lets strict C99 accept it. */
#if defined(__GNUC__)
#define SNPVMM_EXTENSION __extension__
#else
#define SNPVMM_EXTENSION
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Capabilities (include/uapi/linux/kvm.h KVM_CAP_*) ---- */
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2 231
#endif
#ifndef KVM_CAP_MEMORY_FAULT_INFO
#define KVM_CAP_MEMORY_FAULT_INFO 232
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
#define KVM_CAP_MEMORY_ATTRIBUTES 233
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES 235
#endif
#ifndef KVM_CAP_PRE_FAULT_MEMORY
#define KVM_CAP_PRE_FAULT_MEMORY 236
#endif
/* Named KVM_CAP_GUEST_MEMFD_MMAP before a rename; same number (include/uapi/linux/kvm.h,
 * api.rst KVM_CAP_GUEST_MEMFD_FLAGS). */
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS 244
#endif

/* ---- VM types (arch/x86/include/uapi/asm/kvm.h; api.rst KVM_CAP_VM_TYPES) ---- */
#ifndef KVM_X86_DEFAULT_VM
#define KVM_X86_DEFAULT_VM 0
#endif
#ifndef KVM_X86_SW_PROTECTED_VM
#define KVM_X86_SW_PROTECTED_VM 1
#endif
#ifndef KVM_X86_SEV_VM
#define KVM_X86_SEV_VM 2
#endif
#ifndef KVM_X86_SEV_ES_VM
#define KVM_X86_SEV_ES_VM 3
#endif
#ifndef KVM_X86_SNP_VM
/* The SNP launch enumerators and structs arrived in the same release (6.11). */
#define SNPVMM_DEFINE_SNP_LAUNCH 1
#define KVM_X86_SNP_VM		 4
#endif

/* ---- Device attributes on /dev/kvm (arch/x86/include/uapi/asm/kvm.h KVM_X86_GRP_SEV;
 * amd-memory-encryption.rst "Device attribute API") ---- */
#ifndef KVM_X86_GRP_SEV
#define KVM_X86_GRP_SEV 1
#endif
#ifndef KVM_X86_SEV_VMSA_FEATURES
#define SNPVMM_DEFINE_SEV_INIT2	  1
#define KVM_X86_SEV_VMSA_FEATURES 0
#endif
#ifndef KVM_X86_SNP_POLICY_BITS
#define KVM_X86_SNP_POLICY_BITS 1 /* Linux 6.19 */
#endif
#ifndef KVM_X86_SEV_SNP_REQ_CERTS
/* Linux 7.0 (kvm-x86 before): the attribute and the command (an enumerator of
 * enum sev_cmd_id) came together. */
#define KVM_X86_SEV_SNP_REQ_CERTS    2
#define KVM_SEV_SNP_ENABLE_REQ_CERTS 103
#endif

SNPVMM_ABI_CHECK_SIZE(struct kvm_device_attr, 24);
SNPVMM_ABI_CHECK_OFF(struct kvm_device_attr, group, 4);
SNPVMM_ABI_CHECK_OFF(struct kvm_device_attr, attr, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_device_attr, addr, 16);

/* ---- guest_memfd and memslots (include/uapi/linux/kvm.h; api.rst KVM_CREATE_GUEST_MEMFD,
 * KVM_SET_USER_MEMORY_REGION2, KVM_SET_MEMORY_ATTRIBUTES, KVM_PRE_FAULT_MEMORY) ---- */
#ifndef KVM_CREATE_GUEST_MEMFD
struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};
#define KVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif
SNPVMM_ABI_CHECK_SIZE(struct kvm_create_guest_memfd, 64);
SNPVMM_ABI_CHECK_OFF(struct kvm_create_guest_memfd, flags, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_create_guest_memfd, reserved, 16);

#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP (1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED (1ULL << 1)
#endif

#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_SET_USER_MEMORY_REGION2 _IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif
SNPVMM_ABI_CHECK_SIZE(struct kvm_userspace_memory_region2, 160);
SNPVMM_ABI_CHECK_OFF(struct kvm_userspace_memory_region2, flags, 4);
SNPVMM_ABI_CHECK_OFF(struct kvm_userspace_memory_region2, guest_phys_addr, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_userspace_memory_region2, memory_size, 16);
SNPVMM_ABI_CHECK_OFF(struct kvm_userspace_memory_region2, userspace_addr, 24);
SNPVMM_ABI_CHECK_OFF(struct kvm_userspace_memory_region2, guest_memfd_offset, 32);
SNPVMM_ABI_CHECK_OFF(struct kvm_userspace_memory_region2, guest_memfd, 40);
SNPVMM_ABI_CHECK_OFF(struct kvm_userspace_memory_region2, pad2, 48);

#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD (1UL << 2)
#endif

#ifndef KVM_SET_MEMORY_ATTRIBUTES
struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};
#define KVM_SET_MEMORY_ATTRIBUTES _IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#endif
SNPVMM_ABI_CHECK_SIZE(struct kvm_memory_attributes, 32);
SNPVMM_ABI_CHECK_OFF(struct kvm_memory_attributes, size, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_memory_attributes, attributes, 16);
SNPVMM_ABI_CHECK_OFF(struct kvm_memory_attributes, flags, 24);

#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3)
#endif

#ifndef KVM_PRE_FAULT_MEMORY
struct kvm_pre_fault_memory {
	__u64 gpa;
	__u64 size;
	__u64 flags;
	__u64 padding[5];
};
#define KVM_PRE_FAULT_MEMORY _IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)
#endif
SNPVMM_ABI_CHECK_SIZE(struct kvm_pre_fault_memory, 64);
SNPVMM_ABI_CHECK_OFF(struct kvm_pre_fault_memory, size, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_pre_fault_memory, flags, 16);

/* ---- kvm_run exit payloads 6.1 does not name (include/uapi/linux/kvm.h struct kvm_run;
 * api.rst KVM_EXIT_MEMORY_FAULT, KVM_EXIT_HYPERCALL, KVM_EXIT_SNP_REQ_CERTS) ----
 * The exit union starts at offset 32 of struct kvm_run; we overlay our own structs there
 * through kvm_run_exit_data() rather than depend on the system's union members. */
SNPVMM_STATIC_ASSERT(offsetof(struct kvm_run, mmio) == 32, "kvm_run exit union offset");
#define KVM_RUN_EXIT_UNION_OFFSET 32

static inline void *kvm_run_exit_data(struct kvm_run *run)
{
	return (char *)run + KVM_RUN_EXIT_UNION_OFFSET;
}

#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE (1ULL << 3)
#endif
struct kvm_exit_memory_fault {
	__u64 flags;
	__u64 gpa;
	__u64 size;
};
SNPVMM_ABI_CHECK_SIZE(struct kvm_exit_memory_fault, 24);
SNPVMM_ABI_CHECK_OFF(struct kvm_exit_memory_fault, gpa, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_exit_memory_fault, size, 16);

/* KVM_EXIT_HYPERCALL: since 6.x the last word is a union { __u32 longmode; __u64 flags; }. */
struct kvm_exit_hypercall {
	__u64 nr;
	__u64 args[6];
	__u64 ret;
	__u64 flags;
};
SNPVMM_ABI_CHECK_SIZE(struct kvm_exit_hypercall, 72);
SNPVMM_ABI_CHECK_OFF(struct kvm_exit_hypercall, args, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_exit_hypercall, ret, 56);
SNPVMM_ABI_CHECK_OFF(struct kvm_exit_hypercall, flags, 64);

/* arch/x86/include/uapi/asm/kvm_para.h; Documentation/virt/kvm/x86/hypercalls.rst
 * KVM_HC_MAP_GPA_RANGE */
#ifndef KVM_MAP_GPA_RANGE_PAGE_SZ_4K
#define KVM_MAP_GPA_RANGE_PAGE_SZ_4K  0
#define KVM_MAP_GPA_RANGE_PAGE_SZ_2M  (1 << 0)
#define KVM_MAP_GPA_RANGE_PAGE_SZ_1G  (1 << 1)
#define KVM_MAP_GPA_RANGE_ENC_STAT(n) ((n) << 4)
#define KVM_MAP_GPA_RANGE_ENCRYPTED   KVM_MAP_GPA_RANGE_ENC_STAT(1)
#define KVM_MAP_GPA_RANGE_DECRYPTED   KVM_MAP_GPA_RANGE_ENC_STAT(0)
#endif

/* KVM_EXIT_SNP_REQ_CERTS ("KVM: SEV: Add KVM support for SNP certificate fetching" v7,
 * 2026-01-09). The exit number moved during upstreaming: 40 in the RFCs,
 * 42 in the v7 patch kvm-x86 applied (2026-02, after KVM_EXIT_ARM_SEA 41), 43 in Linux 7.0
 * (KVM_EXIT_ARM_LDST64B took 42). The payload is the same in both. run.c answers both
 * numbers by these names of ours, whatever the system header says. */
#define SNP_EXIT_REQ_CERTS	   43 /* Linux 7.0 */
#define SNP_EXIT_REQ_CERTS_KVM_X86 42 /* kvm-x86 trees before the merge; arm64's LDST64B in 7.0 */
#ifndef KVM_EXIT_SNP_REQ_CERTS
#define KVM_EXIT_SNP_REQ_CERTS SNP_EXIT_REQ_CERTS
struct kvm_exit_snp_req_certs {
	__u64 gpa;
	__u64 npages;
	__u64 ret;
};
#endif
SNPVMM_ABI_CHECK_SIZE(struct kvm_exit_snp_req_certs, 24);
SNPVMM_ABI_CHECK_OFF(struct kvm_exit_snp_req_certs, npages, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_exit_snp_req_certs, ret, 16);

/* SEV termination request: KVM_EXIT_SYSTEM_EVENT, type 6 (api.rst KVM_EXIT_SYSTEM_EVENT
 * KVM_SYSTEM_EVENT_SEV_TERM; sev.c sev_handle_vmgexit(), Linux 6.11). */
#ifndef KVM_SYSTEM_EVENT_SEV_TERM
#define KVM_SYSTEM_EVENT_SEV_TERM 6
#endif

/* ---- KVM_MEMORY_ENCRYPT_OP (arch/x86/include/uapi/asm/kvm.h; sev.c sev_mem_enc_ioctl()) ----
 * The ioctl number encodes sizeof(unsigned long) but the argument is a struct kvm_sev_cmd;
 * the 6.1 header has the struct and the legacy command enum (0..21). */
SNPVMM_ABI_CHECK_SIZE(struct kvm_sev_cmd, 24);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_cmd, data, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_cmd, error, 16);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_cmd, sev_fd, 20);

#ifdef SNPVMM_DEFINE_SEV_INIT2
#define KVM_SEV_INIT2 22
struct kvm_sev_init {
	__u64 vmsa_features;
	__u32 flags;
	__u16 ghcb_version;
	__u16 pad1;
	__u32 pad2[8];
};
#endif
SNPVMM_ABI_CHECK_SIZE(struct kvm_sev_init, 48);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_init, flags, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_init, ghcb_version, 12);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_init, pad2, 16);

/* Upstream SNP launch (6.11+; amd-memory-encryption.rst KVM_SEV_SNP_LAUNCH_START/UPDATE/FINISH). */
#ifdef SNPVMM_DEFINE_SNP_LAUNCH
#define KVM_SEV_SNP_LAUNCH_START  100
#define KVM_SEV_SNP_LAUNCH_UPDATE 101
#define KVM_SEV_SNP_LAUNCH_FINISH 102
struct kvm_sev_snp_launch_start {
	__u64 policy;
	__u8 gosvw[16];
	__u16 flags;
	__u8 pad0[6];
	__u64 pad1[4];
};
struct kvm_sev_snp_launch_update {
	__u64 gfn_start;
	__u64 uaddr;
	__u64 len;
	__u8 type;
	__u8 pad0;
	__u16 flags;
	__u32 pad1;
	__u64 pad2[4];
};
#define KVM_SEV_SNP_ID_BLOCK_SIZE    96
#define KVM_SEV_SNP_ID_AUTH_SIZE     4096
#define KVM_SEV_SNP_FINISH_DATA_SIZE 32
struct kvm_sev_snp_launch_finish {
	__u64 id_block_uaddr;
	__u64 id_auth_uaddr;
	__u8 id_block_en;
	__u8 auth_key_en;
	__u8 vcek_disabled;
	__u8 host_data[KVM_SEV_SNP_FINISH_DATA_SIZE];
	__u8 pad0[3];
	__u16 flags;
	__u64 pad1[4];
};
#define KVM_SEV_PAGE_TYPE_INVALID	 0x0
#define KVM_SEV_SNP_PAGE_TYPE_NORMAL	 0x1
#define KVM_SEV_SNP_PAGE_TYPE_ZERO	 0x3
#define KVM_SEV_SNP_PAGE_TYPE_UNMEASURED 0x4
#define KVM_SEV_SNP_PAGE_TYPE_SECRETS	 0x5
#define KVM_SEV_SNP_PAGE_TYPE_CPUID	 0x6
#endif

SNPVMM_ABI_CHECK_SIZE(struct kvm_sev_snp_launch_start, 64);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_start, gosvw, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_start, flags, 24);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_start, pad1, 32);

SNPVMM_ABI_CHECK_SIZE(struct kvm_sev_snp_launch_update, 64);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_update, uaddr, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_update, len, 16);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_update, type, 24);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_update, flags, 26);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_update, pad2, 32);

SNPVMM_ABI_CHECK_SIZE(struct kvm_sev_snp_launch_finish, 88);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_finish, id_auth_uaddr, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_finish, id_block_en, 16);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_finish, auth_key_en, 17);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_finish, vcek_disabled, 18);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_finish, host_data, 19);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_finish, flags, 54);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_launch_finish, pad1, 56);

/* ---- SNP v12 patch series ABI (2024-03-29, NOT upstream; [PATCH v12 10/29, 11/29, 12/29,
 * 14/29, 15/29]) ----
 * Commands directly follow KVM_SEV_INIT2 in the v12 enum. */
#define KVM_SEV_SNP_V12_LAUNCH_START  23
#define KVM_SEV_SNP_V12_LAUNCH_UPDATE 24
#define KVM_SEV_SNP_V12_LAUNCH_FINISH 25

struct kvm_sev_snp_v12_launch_start {
	__u64 policy;
	__u8 gosvw[16];
};
SNPVMM_ABI_CHECK_SIZE(struct kvm_sev_snp_v12_launch_start, 24);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_v12_launch_start, policy, 0);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_v12_launch_start, gosvw, 8);

struct kvm_sev_snp_v12_launch_update {
	__u64 gfn_start;
	__u64 uaddr;
	__u32 len;
	__u8 type;
};
SNPVMM_ABI_CHECK_SIZE(struct kvm_sev_snp_v12_launch_update, 24);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_v12_launch_update, uaddr, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_v12_launch_update, len, 16);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_v12_launch_update, type, 20);

struct kvm_sev_snp_v12_launch_finish {
	__u64 id_block_uaddr;
	__u64 id_auth_uaddr;
	__u8 id_block_en;
	__u8 auth_key_en;
	__u8 vlek_required;
	__u8 host_data[32];
	__u8 pad[6];
};
SNPVMM_ABI_CHECK_SIZE(struct kvm_sev_snp_v12_launch_finish, 64);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_v12_launch_finish, id_block_en, 16);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_v12_launch_finish, vlek_required, 18);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_v12_launch_finish, host_data, 19);
SNPVMM_ABI_CHECK_OFF(struct kvm_sev_snp_v12_launch_finish, pad, 51);

/* v12 14/29 + 15/29: page-state changes forwarded as KVM_EXIT_VMGEXIT. Upstream later gave
 * exit 40 to KVM_EXIT_TDX: the two ABIs conflict, so the exit is only decoded on v12. */
#define KVM_EXIT_VMGEXIT_V12		    40
#define KVM_USER_VMGEXIT_PSC_MSR	    1
#define KVM_USER_VMGEXIT_PSC		    2
#define KVM_USER_VMGEXIT_PSC_MSR_OP_PRIVATE 1
#define KVM_USER_VMGEXIT_PSC_MSR_OP_SHARED  2
struct kvm_user_vmgexit_v12 {
	__u32 type;
	__u32 pad;
	SNPVMM_EXTENSION union {
		struct {
			__u64 gpa;
			__u8 op;
			__u8 pad0[3];
			__u32 ret;
		} psc_msr;
		struct {
			__u64 shared_gpa;
			__u64 ret;
		} psc;
	};
};
SNPVMM_ABI_CHECK_SIZE(struct kvm_user_vmgexit_v12, 24);
SNPVMM_ABI_CHECK_OFF(struct kvm_user_vmgexit_v12, psc_msr.gpa, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_user_vmgexit_v12, psc_msr.op, 16);
SNPVMM_ABI_CHECK_OFF(struct kvm_user_vmgexit_v12, psc_msr.ret, 20);
SNPVMM_ABI_CHECK_OFF(struct kvm_user_vmgexit_v12, psc.shared_gpa, 8);
SNPVMM_ABI_CHECK_OFF(struct kvm_user_vmgexit_v12, psc.ret, 16);

#ifdef __cplusplus
}
#endif

#endif /* SNPVMM_KVM_ABI_H */
