/* SPDX-License-Identifier: MIT */
/*
 * The SEV-SNP launch commands, issued through the kernel seam, for both kernel ABIs:
 * upstream (6.11+: KVM_SEV_SNP_LAUNCH_* = 100..102, 64/64/88-byte structs) and the SNP v12
 * series (23..25, 24/24/64-byte structs): amd-memory-encryption.rst KVM_SEV_SNP_LAUNCH_*,
 * sev.c snp_launch_start/update/finish() (Linux 6.11), and [PATCH v12 10/29, 11/29, 12/29]
 * (2024-03-29). One function per
 * command; each returns 0 or -errno and the firmware status in *fw_error.
 */
#ifndef SNPVMM_SNP_SNP_LAUNCH_H
#define SNPVMM_SNP_SNP_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>

#include "snp/launch_digest.h"
#include "vmm/backend.h"

enum snp_abi {
	SNP_ABI_AUTO,
	SNP_ABI_UPSTREAM,
	SNP_ABI_V12,
};

const char *snp_abi_name(enum snp_abi abi);

struct snp_launch_stats {
	uint32_t update_ioctls; /* KVM_SEV_SNP_LAUNCH_UPDATE calls, retries included */
	uint32_t retries;	/* calls repeated after -EAGAIN or a stop signal */
	uint32_t partial;	/* calls that returned with part of the range left */
	uint64_t pages[8];	/* pages launched, by snp_page_type */
};

/* KVM_SEV_INIT2 (22 in both ABIs). vmsa_features must not contain SNP_ACTIVE: KVM adds it
 * (sev.c __sev_guest_init(), Linux 6.11). ghcb_version 2: the only version SNP accepts,
 * and the default KVM picks. */
int snp_init2(struct kvm_backend *be, uint64_t vmsa_features, uint32_t *fw_error)
	__attribute__((warn_unused_result));

/* SNP_LAUNCH_START. With *abi == SNP_ABI_AUTO, detects the ABI: upstream's command (100)
 * first; a v12 kernel does not know it (-EINVAL, no firmware call), then v12's (23), which
 * an upstream kernel refuses with -EPERM once INIT2 made the VM an SNP guest
 * (sev_mem_enc_ioctl). *abi is set to the ABI that accepted the command. */
int snp_launch_start(struct kvm_backend *be, enum snp_abi *abi, uint64_t policy,
		     const uint8_t gosvw[16], uint32_t *fw_error)
	__attribute__((warn_unused_result));

/* SNP_LAUNCH_UPDATE of [gpa, gpa+len) from the source buffer at uaddr, in chunks of at most
 * 256 MiB, each issued with every blockable signal blocked (a pending signal makes the
 * kernel fail the call before any progress). Upstream (6.11+) a call may stop early with
 * the rest written back, and the loop continues it; on v12 a 0 return means the chunk is
 * done (the struct is never written back). Any failure stops the loop: -EIO with the
 * firmware status in *fw_error, or 0 there when the kernel failed before the firmware. */
int snp_launch_update(struct kvm_backend *be, enum snp_abi abi, uint64_t gpa, void *uaddr,
		      uint64_t len, enum snp_page_type type, struct snp_launch_stats *stats,
		      uint32_t *fw_error) __attribute__((warn_unused_result));

struct snp_finish_params {
	const uint8_t *id_block; /* 96 bytes, or NULL */
	const uint8_t *id_auth;	 /* 4096 bytes, with id_block */
	bool auth_key_en;
	bool vcek_disabled; /* v12: vlek_required */
	uint8_t host_data[32];
};

int snp_launch_finish(struct kvm_backend *be, enum snp_abi abi, const struct snp_finish_params *p,
		      uint32_t *fw_error) __attribute__((warn_unused_result));

/* KVM_SEV_SNP_ENABLE_REQ_CERTS (upstream only, before any vCPU exists;
 * amd-memory-encryption.rst, kvm-x86 2026). */
int snp_enable_req_certs(struct kvm_backend *be, uint32_t *fw_error)
	__attribute__((warn_unused_result));

#endif /* SNPVMM_SNP_SNP_LAUNCH_H */
