/* SPDX-License-Identifier: MIT */
/*
 * A simulated SEV-SNP host: a model of kvm_amd and the PSP behind the same kernel seam as
 * the real backend (include/vmm/backend.h), so the real snpvmm binary and library run
 * unchanged against it. Its value is its fidelity: every rule it enforces is the kernel's
 * or the firmware's, cited where it is enforced; every knowing simplification is listed
 * in docs/testing.md. It offers no confidentiality whatsoever.
 *
 * After SNP_LAUNCH_FINISH, KVM_RUN on vCPU 0 plays a guest script (docs/sim-guest.md):
 * serial output, page-state changes in the forms the profile's kernel delivers them,
 * memory faults, certificate and attestation requests, checks of the VMM's replies, and
 * shutdown. Other vCPUs idle in KVM_RUN until kicked.
 */
#ifndef SNPVMM_SIM_SIM_H
#define SNPVMM_SIM_SIM_H

#include "util/diag.h"

struct kvm_backend;

#define SIM_MAX_SETTINGS 16

struct sim_options {
	const char *profile;	  /* "upstream", "upstream-policy-bits", "upstream-certs", "v12" */
	const char *guest_script; /* path of a script; NULL plays the default script */
	const char *faults;	  /* fault-injection spec (docs/sim-guest.md); NULL: none */
	const char *report_path;  /* JSON report, created by sim_backend_create(); NULL: none */
	const char *vcek_key;	  /* PEM P-384 key signing attestation reports; NULL: made up */
	const char *settings[SIM_MAX_SETTINGS]; /* "key=value" profile overrides */
	unsigned int nr_settings;
};

/* Checks what the command line decides alone: the profile's name, the settings and the
 * fault spec. -EINVAL with d naming the bad one (a usage error); no file is read. */
int sim_options_check(const struct sim_options *o, struct diag *d)
	__attribute__((warn_unused_result));

/* -EINVAL with d naming the bad profile, setting, script line or fault spec; -errno with d
 * naming report_path if that file cannot be created. */
int sim_backend_create(const struct sim_options *o, struct kvm_backend **ret_be, struct diag *d)
	__attribute__((warn_unused_result));

/* What the VMM prints before it starts a VM on the simulated host. */
#define SIM_BANNER                                                                     \
	"snpvmm: SIMULATED SEV-SNP host (no AMD SEV-SNP hardware, no PSP): the guest " \
	"has NO confidentiality and NO integrity protection"

/* The GHCB termination reason set the scripted guest uses to report a failed expectation
 * (sets 0 and 1 belong to the GHCB spec and Linux: arch/x86/include/asm/sev-common.h
 * SEV_TERM_SET_GEN, SEV_TERM_SET_LINUX). */
#define SIM_TERM_REASON_SET	    0x7
#define SIM_TERM_EXPECTATION_FAILED 0x1

#endif /* SNPVMM_SIM_SIM_H */
