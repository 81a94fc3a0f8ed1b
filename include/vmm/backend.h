/* SPDX-License-Identifier: MIT */
/*
 * The kernel seam as the VMM sees it: the installed definition (include/snpvmm/backend.h)
 * plus snpvmm's internal SNP facts (abi/kvm_snp.h) and the real /dev/kvm backend, which
 * only the library opens.
 */
#ifndef SNPVMM_VMM_BACKEND_H
#define SNPVMM_VMM_BACKEND_H

#include "abi/kvm_snp.h"
#include "snpvmm/backend.h"

/* The real /dev/kvm backend. dev_kvm may be NULL for "/dev/kvm". */
int kvm_linux_open(const char *dev_kvm, struct kvm_backend **ret_be)
	__attribute__((warn_unused_result));

#endif /* SNPVMM_VMM_BACKEND_H */
