/* SPDX-License-Identifier: MIT */
/*
 * Test fixture: what a system with Linux 7.0's UAPI headers defines for SEV-SNP and
 * guest_memfd beyond Debian 12's linux-libc-dev (6.1). It is layered on the 6.1 headers
 * the way a newer <linux/kvm.h>, <asm/kvm.h> and <linux/psp-sev.h> would present these
 * names: same names, numbers and layouts (facts of the ABI, written down here in our own
 * words from include/uapi/linux/kvm.h, arch/x86/include/uapi/asm/kvm.h and
 * include/uapi/linux/psp-sev.h of 7.0). Enumerators that 7.0 adds
 * to enums 6.1 already has come as anonymous enums: for name clashes, which is what this
 * fixture exists to provoke, they are the same.
 *
 * tests/build compiles include/abi/kvm_snp.h and every snpvmm source with this header
 * forced in first (-include): our own definitions must step aside for the system's.
 */
#ifndef SNPVMM_TEST_LINUX_7_0_UAPI_H
#define SNPVMM_TEST_LINUX_7_0_UAPI_H

#include <linux/kvm.h>
#include <linux/psp-sev.h>
#include <linux/types.h>

/* ---- include/uapi/linux/kvm.h ---- */

#define KVM_CAP_USER_MEMORY2	  231
#define KVM_CAP_MEMORY_FAULT_INFO 232
#define KVM_CAP_MEMORY_ATTRIBUTES 233
#define KVM_CAP_GUEST_MEMFD	  234
#define KVM_CAP_VM_TYPES	  235
#define KVM_CAP_PRE_FAULT_MEMORY  236
#define KVM_CAP_GUEST_MEMFD_FLAGS 244

/* Memslots that name a guest_memfd. */
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

#define KVM_MEM_GUEST_MEMFD (1UL << 2)

#define KVM_SET_USER_MEMORY_REGION2 _IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)

/* Exit reasons after KVM_EXIT_NOTIFY (37) and KVM_EXIT_LOONGARCH_IOCSR (38). */
#define KVM_EXIT_MEMORY_FAULT  39
#define KVM_EXIT_TDX	       40
#define KVM_EXIT_ARM_SEA       41
#define KVM_EXIT_ARM_LDST64B   42
#define KVM_EXIT_SNP_REQ_CERTS 43

#define KVM_MEMORY_EXIT_FLAG_PRIVATE (1ULL << 3)

/* The payload of KVM_EXIT_SNP_REQ_CERTS in struct kvm_run's exit union. */
struct kvm_exit_snp_req_certs {
	__u64 gpa;
	__u64 npages;
	__u64 ret;
};

struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};

#define KVM_SET_MEMORY_ATTRIBUTES _IOW(KVMIO, 0xd2, struct kvm_memory_attributes)

#define KVM_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3)

struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};

#define KVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)

#define GUEST_MEMFD_FLAG_MMAP	     (1ULL << 0)
#define GUEST_MEMFD_FLAG_INIT_SHARED (1ULL << 1)

struct kvm_pre_fault_memory {
	__u64 gpa;
	__u64 size;
	__u64 flags;
	__u64 padding[5];
};

#define KVM_PRE_FAULT_MEMORY _IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)

/* ---- arch/x86/include/uapi/asm/kvm.h ---- */

#define KVM_X86_GRP_SYSTEM	  0
#define KVM_X86_GRP_SEV		  1
#define KVM_X86_SEV_VMSA_FEATURES 0
#define KVM_X86_SNP_POLICY_BITS	  1
#define KVM_X86_SEV_SNP_REQ_CERTS 2

#define KVM_X86_DEFAULT_VM	0
#define KVM_X86_SW_PROTECTED_VM 1
#define KVM_X86_SEV_VM		2
#define KVM_X86_SEV_ES_VM	3
#define KVM_X86_SNP_VM		4
#define KVM_X86_TDX_VM		5

/* 7.0's enum sev_cmd_id continues past KVM_SEV_SEND_CANCEL (21). */
enum {
	KVM_SEV_INIT2 = 22,
	KVM_SEV_SNP_LAUNCH_START = 100,
	KVM_SEV_SNP_LAUNCH_UPDATE,
	KVM_SEV_SNP_LAUNCH_FINISH,
	KVM_SEV_SNP_ENABLE_REQ_CERTS,
};

struct kvm_sev_init {
	__u64 vmsa_features;
	__u32 flags;
	__u16 ghcb_version;
	__u16 pad1;
	__u32 pad2[8];
};

struct kvm_sev_snp_launch_start {
	__u64 policy;
	__u8 gosvw[16];
	__u16 flags;
	__u8 pad0[6];
	__u64 pad1[4];
};

/* Page types, kept equal to the firmware's. */
#define KVM_SEV_PAGE_TYPE_INVALID	 0x0
#define KVM_SEV_SNP_PAGE_TYPE_NORMAL	 0x1
#define KVM_SEV_SNP_PAGE_TYPE_ZERO	 0x3
#define KVM_SEV_SNP_PAGE_TYPE_UNMEASURED 0x4
#define KVM_SEV_SNP_PAGE_TYPE_SECRETS	 0x5
#define KVM_SEV_SNP_PAGE_TYPE_CPUID	 0x6

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

/* ---- include/uapi/linux/psp-sev.h ---- */

/* enum sev_cmd continues past SEV_GET_ID2 (8). */
enum {
	SNP_PLATFORM_STATUS = 9,
	SNP_COMMIT,
	SNP_SET_CONFIG,
	SNP_VLEK_LOAD,
};

/* enum sev_ret_code continues past SEV_RET_SECURE_DATA_INVALID (0x18). */
enum {
	SEV_RET_INVALID_PAGE_SIZE = 0x0019,
	SEV_RET_INVALID_PAGE_STATE,
	SEV_RET_INVALID_MDATA_ENTRY,
	SEV_RET_INVALID_PAGE_OWNER,
	SEV_RET_AEAD_OFLOW,
	SEV_RET_EXIT_RING_BUFFER = 0x001F,
	SEV_RET_RMP_INIT_REQUIRED,
	SEV_RET_BAD_SVN,
	SEV_RET_BAD_VERSION,
	SEV_RET_SHUTDOWN_REQUIRED,
	SEV_RET_UPDATE_FAILED,
	SEV_RET_RESTORE_REQUIRED,
	SEV_RET_RMP_INITIALIZATION_FAILED,
	SEV_RET_INVALID_KEY,
};

struct sev_user_data_snp_status {
	__u8 api_major;
	__u8 api_minor;
	__u8 state;
	__u8 is_rmp_initialized : 1;
	__u8 rsvd : 7;
	__u32 build_id;
	__u32 mask_chip_id : 1;
	__u32 mask_chip_key : 1;
	__u32 vlek_en : 1;
	__u32 feature_info : 1;
	__u32 rapl_dis : 1;
	__u32 ciphertext_hiding_cap : 1;
	__u32 ciphertext_hiding_en : 1;
	__u32 rsvd1 : 25;
	__u32 guest_count;
	__u64 current_tcb_version;
	__u64 reported_tcb_version;
} __attribute__((packed));

struct sev_user_data_snp_config {
	__u64 reported_tcb;
	__u32 mask_chip_id : 1;
	__u32 mask_chip_key : 1;
	__u32 rsvd : 30;
	__u8 rsvd1[52];
} __attribute__((packed));

struct sev_user_data_snp_vlek_load {
	__u32 len;
	__u8 vlek_wrapped_version;
	__u8 rsvd[3];
	__u64 vlek_wrapped_address;
} __attribute__((packed));

struct sev_user_data_snp_wrapped_vlek_hashstick {
	__u8 data[432];
} __attribute__((packed));

#endif /* SNPVMM_TEST_LINUX_7_0_UAPI_H */
