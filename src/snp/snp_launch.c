// SPDX-License-Identifier: MIT
/*
 * SEV-SNP launch commands for the upstream and v12 kernel ABIs (amd-memory-encryption.rst;
 * sev.c snp_launch_start/update/finish(), Linux 6.11; [PATCH v12 10,11,13/29]).
 */
#include "snp/snp_launch.h"

#include <errno.h>
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

	return be->ops->memory_encrypt_op(be, &cmd, fw_error);
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

/* One LAUNCH_UPDATE call. Writes back the kernel's progress into *gpa, *uaddr, *len. */
static int launch_update_once(struct kvm_backend *be, enum snp_abi abi, uint64_t *gpa,
			      uint64_t *uaddr, uint64_t *len, enum snp_page_type type,
			      uint32_t *fw_error)
{
	int r;

	if (abi == SNP_ABI_V12) {
		/* v12's len is 32 bits: feed at most 4 GiB - 4 KiB per call. */
		struct kvm_sev_snp_v12_launch_update u = {
			.gfn_start = *gpa >> 12,
			.uaddr = *uaddr,
			.len = (uint32_t)(*len > 0xfffff000ULL ? 0xfffff000ULL : *len),
			.type = (uint8_t)type,
		};
		uint64_t asked = u.len;

		r = encrypt_op(be, KVM_SEV_SNP_V12_LAUNCH_UPDATE, &u, fw_error);
		if (r < 0 && r != -EAGAIN)
			return r;
		*gpa = u.gfn_start << 12;
		*uaddr = u.uaddr;
		*len = *len - asked + u.len;
		return r;
	}
	{
		struct kvm_sev_snp_launch_update u = {
			.gfn_start = *gpa >> 12,
			.uaddr = *uaddr,
			.len = *len,
			.type = (uint8_t)type,
		};

		r = encrypt_op(be, KVM_SEV_SNP_LAUNCH_UPDATE, &u, fw_error);
		if (r < 0 && r != -EAGAIN)
			return r;
		*gpa = u.gfn_start << 12;
		*uaddr = u.uaddr;
		*len = u.len;
		return r;
	}
}

/* A kernel that keeps answering -EAGAIN without progress is stuck, not busy. */
#define SNP_UPDATE_MAX_STALLS 1000

int snp_launch_update(struct kvm_backend *be, enum snp_abi abi, uint64_t gpa, void *uaddr,
		      uint64_t len, enum snp_page_type type, struct snp_launch_stats *stats,
		      uint32_t *fw_error)
{
	uint64_t addr = (uint64_t)(uintptr_t)uaddr, end = gpa + len;
	unsigned int stalls = 0;
	int r;

	*fw_error = 0;
	while (len) {
		uint64_t before = len;

		stats->update_ioctls++;
		r = launch_update_once(be, abi, &gpa, &addr, &len, type, fw_error);
		if (r < 0 && r != -EAGAIN)
			return r;
		if (len > before || gpa + len != end)
			return -EIO; /* the kernel's progress report makes no sense */
		if (r == -EAGAIN)
			stats->eagain++;
		else if (len)
			stats->partial++;
		stalls = len == before ? stalls + 1 : 0;
		if (stalls > SNP_UPDATE_MAX_STALLS)
			return -ETIMEDOUT;
		if (type < 8)
			stats->pages[type] += (before - len) / 4096;
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
