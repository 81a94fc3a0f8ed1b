/* SPDX-License-Identifier: MIT */
/*
 * Everything an SNP launch decides, as a value: what vm_snp.c passes to KVM_CREATE_VM,
 * KVM_SET_TSC_KHZ, KVM_SEV_INIT2, SNP_LAUNCH_START, what it enables after LAUNCH_START and
 * what it passes to SNP_LAUNCH_FINISH. Pure (no ioctl, no file, no global), so each
 * decision is unit-tested on hosts of every kind (tests/unit/test_snp_decide.c); vm_snp.c
 * reads the host facts, calls these and only executes the result.
 */
#ifndef SNPVMM_VMM_SNP_DECIDE_H
#define SNPVMM_VMM_SNP_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "snp/snp_launch.h"
#include "util/diag.h"
#include "vmm/options.h"
#include "vmm/snp_host.h"

/* Decided from the options and the host facts, before anything is created. */
struct snp_launch_decisions {
	uint32_t vm_type;	/* KVM_CREATE_VM: KVM_X86_SNP_VM */
	uint32_t cbitpos;	/* the host's C-bit, which the guest's page tables carry */
	uint32_t tsc_khz;	/* KVM_SET_TSC_KHZ on the VM before INIT2; 0: left alone */
	uint64_t vmsa_features; /* KVM_SEV_INIT2, without SNP_ACTIVE */
	uint64_t policy;	/* SNP_LAUNCH_START */
	enum snp_abi abi;	/* SNP_LAUNCH_START's ABI; SNP_ABI_AUTO: detected there */
	uint8_t gosvw[16];	/* SNP_LAUNCH_START */
	bool certs;		/* certificate requests are answered from --certs */
	bool read_id_block;	/* --id-block: read, checked against the digest, finished with */
	bool read_id_auth;	/* --id-auth */
	/* SNP_LAUNCH_FINISH; id_block and id_auth stay NULL here: the launch reads them. */
	struct snp_finish_params finish;
};

/* Decided once SNP_LAUNCH_START has told which kernel ABI is in effect. */
struct snp_after_start {
	bool exit_map_gpa_range; /* KVM_CAP_EXIT_HYPERCALL for KVM_HC_MAP_GPA_RANGE */
	bool req_certs;		 /* KVM_SEV_SNP_ENABLE_REQ_CERTS, if the kernel offers it */
};

/* The decisions of a launch with options o on host h: the C-bit must be the host's,
 * features and policy as snp_choose_features() and snp_choose_policy() rule, the rest
 * carried from the options. 0, or -errno with d naming the field at fault; *ret is
 * written only on success. */
int snp_launch_decide(const struct snp_options *o, const struct snp_host *h,
		      struct snp_launch_decisions *ret, struct diag *d)
	__attribute__((warn_unused_result));

/* What to enable after SNP_LAUNCH_START under the ABI in effect (never SNP_ABI_AUTO).
 * -ENOTSUP with d naming "certs" when certificate requests cannot reach userspace. */
int snp_after_start_decide(const struct snp_launch_decisions *dec, enum snp_abi abi,
			   struct snp_after_start *ret, struct diag *d)
	__attribute__((warn_unused_result));

/* The refusal of --certs on a kernel that cannot hand certificate requests to userspace:
 * a v12 kernel (snp_after_start_decide()), or an upstream one without the
 * KVM_X86_SEV_SNP_REQ_CERTS attribute (asked by the launch, only when needed). Returns
 * -ENOTSUP. */
int snp_req_certs_unsupported(struct diag *d);

#endif /* SNPVMM_VMM_SNP_DECIDE_H */
