/* SPDX-License-Identifier: MIT */
/*
 * /dev/sev platform commands Debian 12's psp-sev.h (6.1) lacks: SNP_PLATFORM_STATUS and
 * its reply (include/uapi/linux/psp-sev.h, 6.11+;
 * Documentation/virt/coco/sev-guest.rst SNP_PLATFORM_STATUS).
 */
#ifndef SNPVMM_ABI_PSP_SEV_H
#define SNPVMM_ABI_PSP_SEV_H

#include <stddef.h>

#include <linux/psp-sev.h>
#include <linux/types.h>

/* enum sev_cmd continues after SEV_GET_ID2 (8). */
#define SEV_CMD_SNP_PLATFORM_STATUS 9

struct snp_platform_status {
	__u8 api_major;
	__u8 api_minor;
	__u8 state;		 /* 0 uninitialized, 1 initialized */
	__u8 is_rmp_initialized; /* bit 0 */
	__u32 build_id;
	__u32 flags; /* mask_chip_id:1 mask_chip_key:1 vlek_en:1 feature_info:1 rapl_dis:1 ... */
	__u32 guest_count;
	__u64 current_tcb_version;
	__u64 reported_tcb_version;
} __attribute__((packed));

_Static_assert(sizeof(struct snp_platform_status) == 32, "snp_platform_status size");
_Static_assert(offsetof(struct snp_platform_status, build_id) == 4, "build_id");
_Static_assert(offsetof(struct snp_platform_status, guest_count) == 12, "guest_count");
_Static_assert(offsetof(struct snp_platform_status, current_tcb_version) == 16, "current_tcb");
_Static_assert(offsetof(struct snp_platform_status, reported_tcb_version) == 24, "reported_tcb");
_Static_assert(sizeof(struct sev_issue_cmd) == 16, "sev_issue_cmd size");

#endif /* SNPVMM_ABI_PSP_SEV_H */
