// SPDX-License-Identifier: MIT
/*
 * The choices of an SNP launch and the reasons for refusals (include/vmm/snp_host.h).
 * Each rule names the kernel function and versions it follows:
 *
 *   snp_launch_start(), arch/x86/kvm/svm/sev.c
 *     v12 series (2024-03, [PATCH v12 10/29]) and 6.11-6.16: -EINVAL without SMT (bit 16)
 *       or with SINGLE_SOCKET (bit 20); v12 checks nothing else, 6.11-6.18 also refuse any
 *       bit outside API version, SMT, RSVD_MBO, DEBUG and SINGLE_SOCKET
 *       (SNP_POLICY_MASK_VALID);
 *     6.17 and later ("KVM: SVM: Allow SNP guest policy disallow running with SMT
 *       enabled", 9f4701e05fae, and "KVM: SVM: Allow SNP guest policy to specify
 *       SINGLE_SOCKET", 24be2b7956a5, T. Lendacky, tag kvm-x86-svm-6.17 of 2025-06-20):
 *       SMT and SINGLE_SOCKET are left to the firmware, which refuses SMT = 0 with
 *       POLICY_FAILURE whenever SMT is enabled in the BIOS and accepts SMT = 1 always;
 *     6.19+: the accepted bits are reported as KVM_X86_SNP_POLICY_BITS.
 *   __sev_guest_init() / sev_hardware_setup(): VMSA features are DebugSwap (6.10+) and
 *     Secure TSC (6.18+; needs the CPU's SNP_SECURE_TSC and a known host TSC frequency).
 */
#include "vmm/snp_host.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sev/sev_fw.h"
#include "util/num.h"

/* Bits 0..25 have a meaning in the SEV-SNP ABI 56860 "Guest Policy" (psp-sev.h
 * SNP_POLICY_MASK_*). */
#define SNP_POLICY_KNOWN_BITS 0x3ffffffULL
/* KVM's SNP_POLICY_MASK_VALID in 6.11-6.18: API version, SMT, RSVD_MBO, DEBUG, SINGLE_SOCKET. */
#define SNP_POLICY_VALID_6_11                                                     \
	(SNP_POLICY_API_MINOR_MASK | SNP_POLICY_API_MAJOR_MASK | SNP_POLICY_SMT | \
	 SNP_POLICY_RSVD_MBO | SNP_POLICY_DEBUG | SNP_POLICY_SINGLE_SOCKET)

static const char *const sev_feature_names[64] = {
	[3] = "restricted-injection",
	[4] = "alternate-injection",
	[5] = "debug-swap",
	[9] = "secure-tsc",
};

const char *sev_feature_name(unsigned int bit)
{
	return bit < 64 ? sev_feature_names[bit] : NULL;
}

int snp_policy_parse(const char *flag, const char *text, uint64_t *ret_policy, struct diag *d)
{
	uint64_t v, as_hex;
	char hex[24];
	int r;

	r = parse_uint(text, UINT64_MAX, &v);
	if (r < 0)
		return diag_fail(d, -EINVAL,
				 "%s '%s': expected a number, decimal or 0x hex, such as 0x30000",
				 flag, text);
	snprintf(hex, sizeof(hex), "0x%s", text);
	if (!(v & SNP_POLICY_RSVD_MBO) && text[0] != '0' &&
	    parse_uint(hex, UINT64_MAX, &as_hex) == 0 && (as_hex & SNP_POLICY_RSVD_MBO))
		return diag_fail(d, -EINVAL,
				 "%s '%s' is decimal (0x%llx), which lacks bit 17; did you mean "
				 "0x%s?",
				 flag, text, (unsigned long long)v, text);
	*ret_policy = v;
	return 0;
}

static const char *feature_name(unsigned int bit)
{
	return sev_feature_name(bit) ? sev_feature_name(bit) : "this feature";
}

/* Why the host does not offer a feature the user asked for. */
static int feature_missing(const struct snp_host *h, unsigned int bit, struct diag *d)
{
	uint64_t mask = h->vmsa_features;

	if (bit == 9 && !(h->cpuid_8000001f_eax & SNP_CPUID_EAX_SECURE_TSC))
		return diag_fail(d, -ENOTSUP,
				 "Secure TSC: the CPU does not support it (CPUID 0x8000001F EAX "
				 "bit 8)");
	if (bit == 9)
		return diag_fail(
			d, -ENOTSUP,
			"Secure TSC: the kernel does not offer it (KVM_X86_SEV_VMSA_FEATURES "
			"= 0x%llx lacks bit 9): it needs Linux 6.18 or later with SEV-SNP "
			"and a known host TSC frequency",
			(unsigned long long)mask);
	if (bit == 5)
		return diag_fail_field(
			d, -ENOTSUP, "sev_features",
			"sev_features: the host does not offer debug-swap "
			"(KVM_X86_SEV_VMSA_FEATURES = 0x%llx; kvm_amd debug_swap=%s; "
			"CPUID 0x8000001F EAX bit 14 = %u)",
			(unsigned long long)mask,
			h->kvm_amd_debug_swap[0] ? h->kvm_amd_debug_swap : "unreadable",
			!!(h->cpuid_8000001f_eax & SNP_CPUID_EAX_DEBUG_SWAP));
	return diag_fail_field(d, -ENOTSUP, "sev_features",
			       "sev_features: the host does not support %s (bit %u; "
			       "KVM_X86_SEV_VMSA_FEATURES = 0x%llx)",
			       feature_name(bit), bit, (unsigned long long)mask);
}

int snp_choose_features(const struct snp_options *o, const struct snp_host *h,
			uint64_t *ret_features, struct diag *d)
{
	uint64_t want = o->sev_features | (o->secure_tsc ? SVM_SEV_FEAT_SECURE_TSC : 0);
	uint64_t missing = want & ~h->vmsa_features;

	if (missing)
		return feature_missing(h, (unsigned int)__builtin_ctzll(missing), d);
	/* x86.c KVM_SET_TSC_KHZ on the VM fd exists with KVM_CAP_VM_TSC_CONTROL (5.19+). */
	if (o->tsc_khz && !h->vm_tsc_control)
		return diag_fail_field(
			d, -ENOTSUP, "tsc_khz",
			"tsc_khz: the kernel cannot set a VM's TSC frequency "
			"(no KVM_CAP_VM_TSC_CONTROL, or no TSC scaling on this CPU)");
	*ret_features = want;
	return 0;
}

int snp_policy_check(uint64_t p, struct diag *d)
{
	uint64_t bad = p & ~SNP_POLICY_KNOWN_BITS;

	if (!(p & SNP_POLICY_RSVD_MBO))
		return diag_fail_field(
			d, -EINVAL, "policy",
			"policy 0x%llx: bit 17 is reserved and must be 1 (SNP ABI guest "
			"policy; KVM rejects it otherwise)",
			(unsigned long long)p);
	if (bad)
		return diag_fail_field(d, -EINVAL, "policy",
				       "policy 0x%llx: reserved bit %d is set",
				       (unsigned long long)p, __builtin_ctzll(bad));
	/* 6.11-6.18 SNP_POLICY_MASK_VALID and 6.19's KVM_SNP_POLICY_MASK_VALID leave bit 18
	 * out; v12's snp_launch_start() ([PATCH v12 10/29]) has no mask and hands it to the
	 * firmware. snpvmm has no migration agent to offer either way. */
	if (p & SNP_POLICY_MIGRATE_MA)
		return diag_fail_field(
			d, -EINVAL, "policy",
			"policy 0x%llx: bit 18 (migration agent) is refused: no upstream "
			"KVM accepts it, and a v12-series kernel would pass it to the "
			"firmware for a migration agent snpvmm does not provide",
			(unsigned long long)p);
	return 0;
}

int snp_choose_policy(const struct snp_options *o, const struct snp_host *h, uint64_t *ret_policy,
		      struct diag *d)
{
	uint64_t p = o->policy;
	int r;

	if (p == UINT64_MAX) {
		/* Not derived from the host's SMT: SMT = 1 is accepted by every kernel and
		 * by the firmware whatever the BIOS says, while SMT = 0 is refused by v12 and
		 * 6.11-6.16, and by the firmware of a host whose BIOS enables SMT -- also
		 * when the kernel runs with nosmt. QEMU defaults to 0x30000 as well. */
		*ret_policy = SNP_POLICY_DEFAULT;
		return 0;
	}
	/* The rules of every host, shared with `snpvmm id-block`. */
	r = snp_policy_check(p, d);
	if (r < 0)
		return r;
	if (h->have_policy_bits && (p & ~h->policy_bits))
		return diag_fail_field(d, -EINVAL, "policy",
				       "policy 0x%llx: bit %d is not supported by this host "
				       "(KVM_X86_SNP_POLICY_BITS = 0x%llx)",
				       (unsigned long long)p, __builtin_ctzll(p & ~h->policy_bits),
				       (unsigned long long)h->policy_bits);
	if (h->smt_active && !(p & SNP_POLICY_SMT))
		return diag_fail_field(
			d, -EINVAL, "policy",
			"policy 0x%llx forbids SMT (bit 16 clear) but SMT is active on "
			"this host: Linux 6.11-6.16 refuse such a policy and later kernels "
			"leave it to the firmware, which refuses it too",
			(unsigned long long)p);
	*ret_policy = p;
	return 0;
}

/* The kernel refused the policy before the firmware ran (-EINVAL, firmware status 0). */
static int policy_refused(struct diag *d, int r, enum snp_abi abi, uint64_t p,
			  const struct snp_host *h)
{
	uint64_t outside = p & ~SNP_POLICY_VALID_6_11;

	if (abi == SNP_ABI_V12 && (p & SNP_POLICY_SINGLE_SOCKET))
		return diag_fail(d, r,
				 "SNP_LAUNCH_START: this v12-series kernel refuses policy 0x%llx: "
				 "it does not allow SINGLE_SOCKET (bit 20)",
				 (unsigned long long)p);
	if (abi == SNP_ABI_V12 && !(p & SNP_POLICY_SMT))
		return diag_fail(d, r,
				 "SNP_LAUNCH_START: this v12-series kernel refuses policy 0x%llx: "
				 "it requires SMT allowed (bit 16)",
				 (unsigned long long)p);
	if (abi == SNP_ABI_V12 || h->have_policy_bits)
		return diag_fail(
			d, r, "SNP_LAUNCH_START: the kernel refused policy 0x%llx (EINVAL)%s",
			(unsigned long long)p,
			h->have_policy_bits ? " although KVM_X86_SNP_POLICY_BITS allows it" : "");
	if (outside)
		return diag_fail(
			d, r,
			"SNP_LAUNCH_START: the kernel refused policy 0x%llx (EINVAL): bit "
			"%d is outside what Linux 6.11-6.18 accept (bits 0-17, 19, 20); "
			"6.19 and later say which bits they take (KVM_X86_SNP_POLICY_BITS)",
			(unsigned long long)p, __builtin_ctzll(outside));
	if ((p & SNP_POLICY_SINGLE_SOCKET) || !(p & SNP_POLICY_SMT))
		return diag_fail(d, r,
				 "SNP_LAUNCH_START: the kernel refused policy 0x%llx (EINVAL): "
				 "Linux 6.11-6.16 refuse %s; 6.17 and later leave that to the "
				 "firmware",
				 (unsigned long long)p,
				 (p & SNP_POLICY_SINGLE_SOCKET) && !(p & SNP_POLICY_SMT)
					 ? "SINGLE_SOCKET (bit 20) and require SMT allowed (bit 16)"
				 : (p & SNP_POLICY_SINGLE_SOCKET)
					 ? "SINGLE_SOCKET (bit 20)"
					 : "a policy without SMT allowed (bit 16)");
	return diag_fail(d, r, "SNP_LAUNCH_START: the kernel refused policy 0x%llx (EINVAL)",
			 (unsigned long long)p);
}

int snp_launch_start_refused(struct diag *d, int r, uint32_t fw, enum kvm_abi_choice forced,
			     enum snp_abi abi, uint64_t p, const struct snp_host *h)
{
	if (fw == SEV_RET_POLICY_FAILURE && !(p & SNP_POLICY_SMT))
		return diag_fail(d, r,
				 "SNP_LAUNCH_START failed: firmware error POLICY_FAILURE (0x7): "
				 "the firmware refuses policy 0x%llx without SMT allowed (bit 16) "
				 "because SMT is enabled in the BIOS (even under nosmt)",
				 (unsigned long long)p);
	if (fw)
		return diag_fail(d, r, "SNP_LAUNCH_START failed: firmware error %s (0x%x)",
				 sev_fw_strerror(fw), fw);
	if (forced == KVM_ABI_V12 && r == -EPERM)
		return diag_fail(d, r,
				 "SNP_LAUNCH_START: the kernel refused the v12 command (EPERM): it "
				 "speaks the upstream ABI; do not force the v12 ABI");
	if (forced == KVM_ABI_UPSTREAM && r == -EINVAL)
		return diag_fail(
			d, r,
			"SNP_LAUNCH_START: the kernel refused the upstream command "
			"(EINVAL): it may speak the v12 ABI (let snpvmm detect the ABI), or it "
			"does not accept policy 0x%llx",
			(unsigned long long)p);
	if (r == -EINVAL)
		return policy_refused(d, r, abi, p, h);
	return diag_fail(d, r, "SNP_LAUNCH_START failed: %s", strerror(-r));
}
