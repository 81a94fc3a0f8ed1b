/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the simulated-host unit tests: a backend with one guest_memfd memslot, and
 * one-line wrappers for the SEV commands of both ABIs. They drive the backend ops
 * directly, the way the VMM does, and fail the running test on unexpected setup errors.
 */
#ifndef SNPVMM_TESTS_SIM_TEST_UTIL_H
#define SNPVMM_TESTS_SIM_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim_internal.h"

#define T_RAM_GPA  0x0ull
#define T_RAM_SIZE (64ull << 20) /* the default script needs RAM up to 48 MiB */
#define T_POLICY   (SNP_POLICY_RSVD_MBO | SNP_POLICY_SMT)

struct t_vm {
	struct kvm_backend *be;
	struct sim *sim;
	int gmem_fd;
	uint8_t *ram; /* the shared view (memslot userspace_addr) */
};

/* profile may be NULL ("upstream"); faults and the settings list may be NULL. */
void t_sim_create(struct t_vm *vm, const char *profile, const char *faults, const char *script,
		  const char *const *settings);
/* Creates an SNP VM and the RAM memslot (no INIT2). */
void t_vm_create(struct t_vm *vm, const char *profile, const char *faults, const char *script,
		 const char *const *settings);
void t_vm_destroy(struct t_vm *vm);

int t_sev(struct t_vm *vm, uint32_t id, void *data, uint32_t *fw);
int t_init2(struct t_vm *vm, uint64_t vmsa_features, uint32_t flags, uint16_t ghcb_version);
int t_launch_start(struct t_vm *vm, uint64_t policy, uint32_t *fw);
/* LAUNCH_UPDATE of [gpa, gpa+len) from the shared view; *io (optional) receives what the
 * kernel wrote back. */
int t_launch_update(struct t_vm *vm, uint64_t gpa, uint64_t len, uint8_t type, uint32_t *fw,
		    struct kvm_sev_snp_launch_update *io);
int t_launch_finish(struct t_vm *vm, uint32_t *fw);
int t_set_private(struct t_vm *vm, uint64_t gpa, uint64_t len, bool priv);
int t_create_vcpu(struct t_vm *vm, uint32_t id);
/* INIT2 + LAUNCH_START + one vCPU + one NORMAL page at 1 MiB + LAUNCH_FINISH. */
void t_launch_all(struct t_vm *vm);

#endif /* SNPVMM_TESTS_SIM_TEST_UTIL_H */
