// SPDX-License-Identifier: MIT
/*
 * The decisions of an SNP launch (include/vmm/snp_decide.h), from the options and the host
 * facts, then from the kernel ABI that SNP_LAUNCH_START found.
 */
#include "vmm/snp_decide.h"

#include <errno.h>
#include <string.h>

/* --kvm-abi: auto detects at SNP_LAUNCH_START (snp_launch_start()). */
static enum snp_abi abi_request(enum kvm_abi_choice choice)
{
	switch (choice) {
	case KVM_ABI_UPSTREAM:
		return SNP_ABI_UPSTREAM;
	case KVM_ABI_V12:
		return SNP_ABI_V12;
	case KVM_ABI_AUTO:
		break;
	}
	return SNP_ABI_AUTO;
}

int snp_launch_decide(const struct snp_options *o, const struct snp_host *h,
		      struct snp_launch_decisions *ret, struct diag *d)
{
	struct snp_launch_decisions dec = {
		.vm_type = KVM_X86_SNP_VM,
		.cbitpos = h->cbitpos,
		.tsc_khz = o->tsc_khz,
		.abi = abi_request(o->abi),
		.certs = o->certs_path != NULL,
		.read_id_block = o->id_block_path != NULL,
		.read_id_auth = o->id_auth_path != NULL,
		.finish = {
			.auth_key_en = o->author_key_enabled,
			.vcek_disabled = o->vcek_disabled,
		},
	};
	int r;

	/* The guest's page tables carry the C-bit: it must be the hardware's. (QEMU also
	 * compares --reduced-phys-bits, which nothing here uses: options.c.) */
	if (o->cbitpos >= 0 && (uint32_t)o->cbitpos != h->cbitpos)
		return diag_fail_field(
			d, -EINVAL, "cbitpos",
			"cbitpos %d disagrees with the host's C-bit position %u (CPUID "
			"0x8000001F EBX[5:0])",
			o->cbitpos, h->cbitpos);
	r = snp_choose_features(o, h, &dec.vmsa_features, d);
	if (r < 0)
		return r;
	r = snp_choose_policy(o, h, &dec.policy, d);
	if (r < 0)
		return r;
	memcpy(dec.gosvw, o->gosvw, sizeof(dec.gosvw));
	if (o->have_host_data)
		memcpy(dec.finish.host_data, o->host_data, sizeof(dec.finish.host_data));
	*ret = dec;
	return 0;
}

int snp_req_certs_unsupported(struct diag *d)
{
	return diag_fail_field(d, -ENOTSUP, "certs",
			       "certs: this kernel cannot hand certificate requests to "
			       "userspace (no KVM_X86_SEV_SNP_REQ_CERTS)");
}

int snp_after_start_decide(const struct snp_launch_decisions *dec, enum snp_abi abi,
			   struct snp_after_start *ret, struct diag *d)
{
	/* Certificate requests reach userspace only upstream, by opt-in before any vCPU
	 * exists (amd-memory-encryption.rst KVM_SEV_SNP_ENABLE_REQ_CERTS); the v12 series
	 * has no such command. */
	if (dec->certs && abi != SNP_ABI_UPSTREAM)
		return snp_req_certs_unsupported(d);
	*ret = (struct snp_after_start){
		/* Upstream, page-state changes reach userspace only as KVM_HC_MAP_GPA_RANGE
		 * exits, and only once enabled; otherwise every PSC fails in the guest (sev.c
		 * snp_begin_psc_msr(), snp_begin_psc(), Linux 6.11). v12 reports them as
		 * KVM_EXIT_VMGEXIT without asking. */
		.exit_map_gpa_range = abi == SNP_ABI_UPSTREAM,
		.req_certs = dec->certs,
	};
	return 0;
}
