// SPDX-License-Identifier: MIT
/*
 * SEV-SNP launch commands for the upstream and v12 kernel ABIs (amd-memory-encryption.rst;
 * sev.c snp_launch_start/update/finish(), Linux 6.11; [PATCH v12 10,11,12/29]).
 */
#include "snp/snp_launch.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

const char *snp_abi_name(enum snp_abi abi)
{
	switch (abi) {
	case SNP_ABI_UPSTREAM:
		return "upstream";
	case SNP_ABI_V12:
		return "v12";
	default:
		return "auto";
	}
}

static int encrypt_op(struct kvm_backend *be, uint32_t id, void *data, uint32_t *fw_error)
{
	struct kvm_sev_cmd cmd = { .id = id, .data = (uint64_t)(uintptr_t)data };
	int r = be->ops->memory_encrypt_op(be, &cmd, fw_error);

	/* No SEV command succeeds with a positive value (amd-memory-encryption.rst: "0 on
	 * success, -negative on error"). The v12 series' snp_launch_update() ([PATCH v12
	 * 11/29]) returns kvm_gmem_populate()'s result as it is, and that populate loop
	 * returns copy_from_user()'s count of bytes it could not copy: a fault reading our
	 * source, with the rest of the range not done. */
	return r > 0 ? -EFAULT : r;
}

int snp_init2(struct kvm_backend *be, uint64_t vmsa_features, uint32_t *fw_error)
{
	struct kvm_sev_init init = { .vmsa_features = vmsa_features, .ghcb_version = 2 };

	return encrypt_op(be, KVM_SEV_INIT2, &init, fw_error);
}

static int launch_start_upstream(struct kvm_backend *be, uint64_t policy, const uint8_t gosvw[16],
				 uint32_t *fw_error)
{
	struct kvm_sev_snp_launch_start start = { .policy = policy };

	memcpy(start.gosvw, gosvw, sizeof(start.gosvw));
	return encrypt_op(be, KVM_SEV_SNP_LAUNCH_START, &start, fw_error);
}

static int launch_start_v12(struct kvm_backend *be, uint64_t policy, const uint8_t gosvw[16],
			    uint32_t *fw_error)
{
	struct kvm_sev_snp_v12_launch_start start = { .policy = policy };

	memcpy(start.gosvw, gosvw, sizeof(start.gosvw));
	return encrypt_op(be, KVM_SEV_SNP_V12_LAUNCH_START, &start, fw_error);
}

int snp_launch_start(struct kvm_backend *be, enum snp_abi *abi, uint64_t policy,
		     const uint8_t gosvw[16], uint32_t *fw_error)
{
	int r, r12;

	if (*abi == SNP_ABI_V12)
		return launch_start_v12(be, policy, gosvw, fw_error);
	r = launch_start_upstream(be, policy, gosvw, fw_error);
	if (*abi == SNP_ABI_UPSTREAM || r != -EINVAL || *fw_error)
		goto out;
	/* Upstream answered -EINVAL without reaching the firmware: either a v12 kernel that
	 * does not know command 100, or an upstream kernel refusing our arguments. Only v12
	 * accepts 23; upstream refuses it with -EPERM, so the probe cannot do harm. */
	r12 = launch_start_v12(be, policy, gosvw, fw_error);
	if (r12 != -EPERM) {
		*abi = SNP_ABI_V12;
		return r12;
	}
	*fw_error = 0;
out:
	if (r == 0)
		*abi = SNP_ABI_UPSTREAM;
	return r;
}

/* One LAUNCH_UPDATE call of [*gpa, *gpa + len) from *uaddr; advances *gpa, *uaddr and *len
 * by what the kernel did. */
static int launch_update_once(struct kvm_backend *be, enum snp_abi abi, uint64_t *gpa,
			      uint64_t *uaddr, uint64_t *len, enum snp_page_type type,
			      uint32_t *fw_error)
{
	int r;

	if (abi == SNP_ABI_V12) {
		/* [PATCH v12 11/29] snp_launch_update() returns kvm_gmem_populate()'s result
		 * and never copies the struct back: 0 means the whole range is done, and
		 * the struct still says what we asked. Its len is 32 bits. */
		struct kvm_sev_snp_v12_launch_update u = {
			.gfn_start = *gpa >> 12,
			.uaddr = *uaddr,
			.len = (uint32_t)*len,
			.type = (uint8_t)type,
		};

		r = encrypt_op(be, KVM_SEV_SNP_V12_LAUNCH_UPDATE, &u, fw_error);
		if (r < 0)
			return r;
		*gpa += *len;
		*uaddr += *len;
		*len = 0;
		return 0;
	}
	{
		/* 6.11+: on success the kernel writes back what is left (gfn_start, uaddr
		 * and len advanced past the pages it did, uaddr not for ZERO pages), and it
		 * may stop early (amd-memory-encryption.rst, SNP_LAUNCH_UPDATE). */
		struct kvm_sev_snp_launch_update u = {
			.gfn_start = *gpa >> 12,
			.uaddr = *uaddr,
			.len = *len,
			.type = (uint8_t)type,
		};

		r = encrypt_op(be, KVM_SEV_SNP_LAUNCH_UPDATE, &u, fw_error);
		if (r < 0)
			return r;
		if (u.len > *len || (u.gfn_start << 12) + u.len != *gpa + *len)
			return -EIO; /* the kernel's progress report makes no sense */
		*gpa = u.gfn_start << 12;
		*uaddr += *len - u.len;
		*len = u.len;
		return 0;
	}
}

/* A kernel that keeps answering without progress is stuck, not busy. */
#define SNP_UPDATE_MAX_STALLS 1000

/* Ranges are issued in chunks of at most this much, so that signals, blocked while the
 * kernel works (see below), wait for at most one chunk: about 64k PSP commands. */
#define SNP_UPDATE_CHUNK (256ULL << 20)

/* One call with every blockable signal blocked. kvm_gmem_populate() (virt/kvm/guest_memfd.c,
 * 6.11-7.0) stops at a pending signal: with pages done that is partial progress, but
 * before the first page it returns -EINTR, which snp_launch_update() reports as -EIO with
 * firmware status 0 -- indistinguishable from a real failure; and a v12 kernel reports
 * no progress at all, so its partial work would be lost. Signals that arrive meanwhile
 * stay pending and are delivered when the mask is restored, between chunks. */
static int launch_update_masked(struct kvm_backend *be, enum snp_abi abi, uint64_t *gpa,
				uint64_t *uaddr, uint64_t *len, enum snp_page_type type,
				uint32_t *fw_error)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	if (pthread_sigmask(SIG_BLOCK, &all, &old))
		return -EINVAL;
	r = launch_update_once(be, abi, gpa, uaddr, len, type, fw_error);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

int snp_launch_update(struct kvm_backend *be, enum snp_abi abi, uint64_t gpa, void *uaddr,
		      uint64_t len, enum snp_page_type type, struct snp_launch_stats *stats,
		      uint32_t *fw_error)
{
	uint64_t addr = (uint64_t)(uintptr_t)uaddr, end = gpa + len;
	unsigned int stalls = 0;
	bool retried = false;
	int r;

	*fw_error = 0;
	while (gpa < end) {
		uint64_t chunk = end - gpa < SNP_UPDATE_CHUNK ? end - gpa : SNP_UPDATE_CHUNK;
		uint64_t left = chunk;

		stats->update_ioctls++;
		r = launch_update_masked(be, abi, &gpa, &addr, &left, type, fw_error);
		if (r == -EIO && !*fw_error && !retried && abi != SNP_ABI_V12) {
			/* SIGKILL and SIGSTOP cannot be blocked: a stop (then SIGCONT) before
			 * the first page looks like this. A real failure repeats; once is
			 * enough to tell them apart. */
			retried = true;
			stats->retries++;
			continue;
		}
		if (r == -EAGAIN) {
			/* Documented ("-EAGAIN if caller should retry") but returned by no
			 * kernel from 6.11 to 7.0: snp_launch_update() maps every failure of
			 * kvm_gmem_populate() to -EIO. Honoured, bounded by the stall count. */
			stats->retries++;
		} else if (r < 0) {
			return r;
		} else if (left) {
			stats->partial++;
		}
		retried = false;
		stalls = left == chunk ? stalls + 1 : 0;
		if (stalls > SNP_UPDATE_MAX_STALLS)
			return -ETIMEDOUT;
		if (type < 8)
			stats->pages[type] += (chunk - left) / 4096;
	}
	return 0;
}

int snp_launch_finish(struct kvm_backend *be, enum snp_abi abi, const struct snp_finish_params *p,
		      uint32_t *fw_error)
{
	if (abi == SNP_ABI_V12) {
		struct kvm_sev_snp_v12_launch_finish f = {
			.id_block_uaddr = (uint64_t)(uintptr_t)p->id_block,
			.id_auth_uaddr = (uint64_t)(uintptr_t)p->id_auth,
			.id_block_en = p->id_block != NULL,
			.auth_key_en = p->id_block && p->auth_key_en,
			.vlek_required = p->vcek_disabled,
		};

		memcpy(f.host_data, p->host_data, sizeof(f.host_data));
		return encrypt_op(be, KVM_SEV_SNP_V12_LAUNCH_FINISH, &f, fw_error);
	}
	{
		struct kvm_sev_snp_launch_finish f = {
			.id_block_uaddr = (uint64_t)(uintptr_t)p->id_block,
			.id_auth_uaddr = (uint64_t)(uintptr_t)p->id_auth,
			.id_block_en = p->id_block != NULL,
			.auth_key_en = p->id_block && p->auth_key_en,
			.vcek_disabled = p->vcek_disabled,
		};

		memcpy(f.host_data, p->host_data, sizeof(f.host_data));
		return encrypt_op(be, KVM_SEV_SNP_LAUNCH_FINISH, &f, fw_error);
	}
}

int snp_enable_req_certs(struct kvm_backend *be, uint32_t *fw_error)
{
	return encrypt_op(be, KVM_SEV_SNP_ENABLE_REQ_CERTS, NULL, fw_error);
}
