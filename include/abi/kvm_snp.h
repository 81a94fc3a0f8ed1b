/* SPDX-License-Identifier: MIT */
/*
 * snpvmm's own KVM/SNP definitions: the UAPI part is installed as <snpvmm/kvm_abi.h>
 * (the seam's types, include/snpvmm/backend.h); what follows are facts of the firmware
 * and of kvm_amd's internals that only the VMM itself uses.
 */
#ifndef SNPVMM_ABI_KVM_SNP_H
#define SNPVMM_ABI_KVM_SNP_H

#include "snpvmm/kvm_abi.h"

/* The firmware's VMSA page type, used by KVM itself at LAUNCH_FINISH (sev.c
 * snp_launch_update_vmsa(), Linux 6.11; SEV-SNP ABI 56860 SNP_LAUNCH_UPDATE page types). */
#define SNP_PAGE_TYPE_VMSA 0x2

/* ---- VMSA SEV_FEATURES bits (arch/x86/include/asm/svm.h, kernel-internal) ---- */
#define SVM_SEV_FEAT_SNP_ACTIVE		  (1ULL << 0)
#define SVM_SEV_FEAT_RESTRICTED_INJECTION (1ULL << 3)
#define SVM_SEV_FEAT_ALTERNATE_INJECTION  (1ULL << 4)
#define SVM_SEV_FEAT_DEBUG_SWAP		  (1ULL << 5)
#define SVM_SEV_FEAT_SECURE_TSC		  (1ULL << 9)

/* ---- SNP guest policy (include/linux/psp-sev.h SNP_POLICY_MASK_*; SEV-SNP ABI 56860
 * "Guest Policy") ---- */
#define SNP_POLICY_API_MINOR_MASK	  0xffULL
#define SNP_POLICY_API_MAJOR_MASK	  0xff00ULL
#define SNP_POLICY_SMT			  (1ULL << 16)
#define SNP_POLICY_RSVD_MBO		  (1ULL << 17)
#define SNP_POLICY_MIGRATE_MA		  (1ULL << 18)
#define SNP_POLICY_DEBUG		  (1ULL << 19)
#define SNP_POLICY_SINGLE_SOCKET	  (1ULL << 20)
#define SNP_POLICY_CXL_ALLOW		  (1ULL << 21)
#define SNP_POLICY_MEM_AES_256_XTS	  (1ULL << 22)
#define SNP_POLICY_RAPL_DIS		  (1ULL << 23)
#define SNP_POLICY_CIPHERTEXT_HIDING_DRAM (1ULL << 24)
#define SNP_POLICY_PAGE_SWAP_DISABLE	  (1ULL << 25)

#endif /* SNPVMM_ABI_KVM_SNP_H */
