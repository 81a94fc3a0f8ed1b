// SPDX-License-Identifier: MIT
/*
 * Kernel profiles of the simulated SNP host and their key=value settings (docs/sim.md
 * "Profiles"), plus the simulated host's KVM_GET_SUPPORTED_CPUID table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"
#include "util/num.h"

/* include/linux/psp-sev.h SNP_POLICY_MASK_* as KVM accepts them (sev.c
 * KVM_SNP_POLICY_MASK_VALID). */
#define POLICY_API (SNP_POLICY_API_MINOR_MASK | SNP_POLICY_API_MAJOR_MASK)
/* KVM_SNP_POLICY_MASK_VALID before 6.19: API, SMT, RSVD_MBO, DEBUG, SINGLE_SOCKET. */
#define POLICY_VALID_6_11                                                       \
	(POLICY_API | SNP_POLICY_SMT | SNP_POLICY_RSVD_MBO | SNP_POLICY_DEBUG | \
	 SNP_POLICY_SINGLE_SOCKET)
/* 6.19+: every SNP_POLICY_MASK_* bit except MIGRATE_MA ("KVM SVM changes for 6.19"). */
#define POLICY_VALID_6_19                                                        \
	(POLICY_VALID_6_11 | SNP_POLICY_CXL_ALLOW | SNP_POLICY_MEM_AES_256_XTS | \
	 SNP_POLICY_RAPL_DIS | SNP_POLICY_CIPHERTEXT_HIDING_DRAM | SNP_POLICY_PAGE_SWAP_DISABLE)

/* CPUID 0x8000001F (AMD APM Vol. 3, CPUID Fn8000_001F): EAX SEV(1) SEV-ES(3) SNP(4) DebugSwap(14);
 * EBX C-bit 51, one bit of physical-address reduction in EBX[11:6]; ECX 509 encrypted guests, EDX
 * minimum SEV ASID 100 (so SNP/ES ASIDs 1..99 exist). */
#define HOST_8000001F_EAX ((1u << 1) | (1u << 3) | (1u << 4) | (1u << 14))
#define HOST_8000001F_EBX (51u | (1u << 6))

static void profile_base(struct sim_profile *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->abi = SIM_ABI_UPSTREAM;
	/* DEFAULT, SEV, SEV_ES and SNP (sev.c sev_hardware_setup(), Linux 6.11). */
	p->vm_types = (1u << KVM_X86_DEFAULT_VM) | (1u << KVM_X86_SEV_VM) |
		      (1u << KVM_X86_SEV_ES_VM) | (1u << KVM_X86_SNP_VM);
	/* sev.c sev_hardware_setup() only ever offers DEBUG_SWAP and SECURE_TSC. */
	p->vmsa_features = SVM_SEV_FEAT_DEBUG_SWAP;
	p->policy_bits = POLICY_VALID_6_11;
	p->cpuid_8000001f[0] = HOST_8000001F_EAX;
	p->cpuid_8000001f[1] = HOST_8000001F_EBX;
	p->cpuid_8000001f[2] = 509;
	p->cpuid_8000001f[3] = 100;
	p->smt_active = true;
	p->api_major = 1;
	p->api_minor = 55;
	p->max_vcpus = SIM_DEFAULT_MAX_VCPUS;
	/* x86.c kvm_arch_supports_gmem_init_shared() is false for SNP: MMAP only (6.18+). */
	p->gmem_flags_snp = GUEST_MEMFD_FLAG_MMAP;
	p->ghcb_gpa = 0x2fff000;
}

int sim_profile_init(struct sim_profile *p, const char *name, struct diag *d)
{
	if (!name)
		name = "upstream";
	profile_base(p, name);
	if (strcmp(name, "upstream") == 0)
		return 0;
	if (strcmp(name, "upstream-policy-bits") == 0) {
		p->has_policy_bits_attr = true;
		p->policy_bits = POLICY_VALID_6_19;
		return 0;
	}
	if (strcmp(name, "upstream-certs") == 0) {
		/* The certificate exit was applied to kvm-x86 in 2026, after 6.19's
		 * KVM_X86_SNP_POLICY_BITS: such a kernel has both. */
		p->has_policy_bits_attr = true;
		p->policy_bits = POLICY_VALID_6_19;
		p->has_req_certs = true;
		return 0;
	}
	if (strcmp(name, "v12") == 0) {
		/* [PATCH v12 10/29] snp_launch_start(): SMT required, SINGLE_SOCKET refused
		 * (the same checks 6.11 merged, later relaxed by T. Lendacky's fix). No
		 * KVM_CAP_GUEST_MEMFD_FLAGS on a 2024 base. */
		p->abi = SIM_ABI_V12;
		p->smt_required = true;
		p->single_socket_rejected = true;
		p->gmem_flags_snp = 0;
		return 0;
	}
	return diag_fail(d, -EINVAL,
			 "unknown simulated kernel profile '%s' (upstream, upstream-policy-bits, "
			 "upstream-certs, v12)",
			 name);
}

static int parse_bool(const char *s, bool *ret)
{
	if (strcmp(s, "1") == 0 || strcmp(s, "y") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "true") == 0) {
		*ret = true;
		return 0;
	}
	if (strcmp(s, "0") == 0 || strcmp(s, "n") == 0 || strcmp(s, "no") == 0 ||
	    strcmp(s, "false") == 0) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

int sim_profile_apply(struct sim_profile *p, const char *setting, struct diag *d)
{
	char key[64];
	const char *eq = strchr(setting, '=');
	const char *val;
	uint64_t v = 0;
	bool b = false;
	size_t klen;

	if (!eq || eq == setting || (size_t)(eq - setting) >= sizeof(key))
		return diag_fail(d, -EINVAL, "simulator setting '%s' is not KEY=VALUE", setting);
	klen = (size_t)(eq - setting);
	memcpy(key, setting, klen);
	key[klen] = '\0';
	val = eq + 1;

#define U64_KEY(k, field, max)                                                                    \
	if (strcmp(key, k) == 0) {                                                                \
		if (parse_uint(val, UINT64_MAX, &v) < 0 || v > (max))                             \
			return diag_fail(d, -EINVAL, "simulator setting %s: bad value '%s'", key, \
					 val);                                                    \
		field = v;                                                                        \
		return 0;                                                                         \
	}
#define BOOL_KEY(k, field)                                                                        \
	if (strcmp(key, k) == 0) {                                                                \
		if (parse_bool(val, &b) < 0)                                                      \
			return diag_fail(d, -EINVAL, "simulator setting %s: bad value '%s'", key, \
					 val);                                                    \
		field = b;                                                                        \
		return 0;                                                                         \
	}
	U64_KEY("vm_types", p->vm_types, UINT32_MAX)
	U64_KEY("vmsa_features", p->vmsa_features, UINT64_MAX)
	U64_KEY("policy_bits", p->policy_bits, UINT64_MAX)
	BOOL_KEY("policy_bits_attr", p->has_policy_bits_attr)
	BOOL_KEY("req_certs", p->has_req_certs)
	BOOL_KEY("smt", p->smt_active)
	BOOL_KEY("smt_required", p->smt_required)
	BOOL_KEY("single_socket_rejected", p->single_socket_rejected)
	U64_KEY("cpuid_8000001f_eax", p->cpuid_8000001f[0], UINT32_MAX)
	U64_KEY("cpuid_8000001f_ebx", p->cpuid_8000001f[1], UINT32_MAX)
	U64_KEY("cpuid_8000001f_ecx", p->cpuid_8000001f[2], UINT32_MAX)
	U64_KEY("cpuid_8000001f_edx", p->cpuid_8000001f[3], UINT32_MAX)
	U64_KEY("max_vcpus", p->max_vcpus, SIM_MAX_VCPUS_LIMIT)
	U64_KEY("gmem_flags", p->gmem_flags_snp, UINT64_MAX)
	U64_KEY("ghcb_gpa", p->ghcb_gpa, UINT64_MAX - SIM_PAGE_SIZE)
#undef U64_KEY
#undef BOOL_KEY
	if (strcmp(key, "cbitpos") == 0) {
		if (parse_uint(val, UINT64_MAX, &v) < 0 || v > 63)
			return diag_fail(d, -EINVAL, "simulator setting cbitpos: bad value '%s'",
					 val);
		p->cpuid_8000001f[1] = (p->cpuid_8000001f[1] & ~0x3fu) | (uint32_t)v;
		return 0;
	}
	if (strcmp(key, "phys_bits_reduction") == 0) {
		if (parse_uint(val, UINT64_MAX, &v) < 0 || v > 63)
			return diag_fail(d, -EINVAL,
					 "simulator setting phys_bits_reduction: bad value '%s'",
					 val);
		p->cpuid_8000001f[1] = (p->cpuid_8000001f[1] & ~0xfc0u) | (uint32_t)v << 6;
		return 0;
	}
	if (strcmp(key, "api") == 0) {
		unsigned int maj, min;
		char tail;

		if (sscanf(val, "%u.%u%c", &maj, &min, &tail) != 2 || maj > 255 || min > 255)
			return diag_fail(d, -EINVAL,
					 "simulator setting api: '%s' is not MAJOR.MINOR", val);
		p->api_major = (uint8_t)maj;
		p->api_minor = (uint8_t)min;
		return 0;
	}
	return diag_fail(d, -EINVAL, "unknown simulator setting '%s'", key);
}

/* ---- KVM_GET_SUPPORTED_CPUID of a Milan-like EPYC host, as KVM reports it ---- */

#define IDX KVM_CPUID_FLAG_SIGNIFCANT_INDEX

struct cpuid_row {
	uint32_t function, index, flags, eax, ebx, ecx, edx;
};

/*
 * Bits KVM synthesizes (and the firmware therefore rejects in a CPUID page,
 * the bits QEMU's target/i386/sev.c sev_snp_mask_cpuid_features() and OpenVMM's
 * sanitize_snp_cpuid_entry() clear) are set here as KVM reports them:
 * 1.ECX[24] TSC-deadline, 7.0.EBX[1] TSC_ADJUST, 7.0.EDX[26,27,29,31] SPEC_CTRL family,
 * 0x80000008.EBX[25] VIRT_SSBD, 0x80000021.EAX[9] NO_SMM_CTL_MSR.
 */
static const struct cpuid_row host_cpuid[] = {
	/* "AuthenticAMD", max standard leaf 0x10 */
	{ 0x0, 0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65 },
	/* family 19h model 01h (Milan); ECX: SSE3..AVX, RDRAND(30), hypervisor(31),
	 * TSC-deadline(24, synthesized) */
	{ 0x1, 0, 0, 0x00a00f11, 0x00000800, 0xf7f83203, 0x178bfbff },
	{ 0x7, 0, IDX, 0, 0x219c07ab, 0x0040060c, 0xac000010 },
	{ 0xb, 0, IDX, 0x1, 0x2, 0x100, 0 },
	{ 0xb, 1, IDX, 0x4, 0x10, 0x201, 0 },
	/* XSAVE: x87|SSE|AVX; standard size 0x340 */
	{ 0xd, 0, IDX, 0x7, 0x340, 0x340, 0 },
	{ 0xd, 1, IDX, 0xf, 0x340, 0, 0 },
	{ 0xd, 2, IDX, 0x100, 0x240, 0, 0 },
	/* "KVMKVMKVM\0\0\0" and the PV features */
	{ 0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d },
	{ 0x40000001, 0, 0, 0x01007afb, 0, 0, 0 },
	{ 0x80000000, 0, 0, 0x80000021, 0x68747541, 0x444d4163, 0x69746e65 },
	{ 0x80000001, 0, 0, 0x00a00f11, 0, 0x00c003f1, 0x2fd3fbff },
	{ 0x80000008, 0, 0, 0x3030, 0x0302d205, 0x3, 0 },
	{ 0x8000001e, 0, 0, 0, 0x100, 0, 0 },
	{ 0x8000001f, 0, 0, 0, 0, 0, 0 }, /* filled from the profile */
	{ 0x80000021, 0, 0, 0x0000024d, 0, 0, 0 },
};

#define HOST_CPUID_N (sizeof(host_cpuid) / sizeof(host_cpuid[0]))

static void fill_entry(const struct sim_profile *p, const struct cpuid_row *row,
		       struct kvm_cpuid_entry2 *e)
{
	memset(e, 0, sizeof(*e));
	e->function = row->function;
	e->index = row->index;
	e->flags = row->flags;
	e->eax = row->eax;
	e->ebx = row->ebx;
	e->ecx = row->ecx;
	e->edx = row->edx;
	if (row->function == 0x8000001f) {
		/* arch/x86/kvm/cpuid.c __do_cpuid_func(): EAX limited to the SEV bits KVM
		 * supports; "Clear NumVMPL since KVM does not support VMPL" (EBX[31:12]);
		 * "Enumerate '0' for PA bits reduction" (EBX[11:6]). ECX/EDX stay host. */
		e->eax = p->cpuid_8000001f[0] & ((1u << 1) | (1u << 3) | (1u << 4));
		e->ebx = p->cpuid_8000001f[1] & 0x3fu;
		e->ecx = p->cpuid_8000001f[2];
		e->edx = p->cpuid_8000001f[3];
	}
}

int sim_supported_cpuid(const struct sim_profile *p, struct kvm_cpuid2 *cpuid)
{
	unsigned int i;

	/* kvm_dev_ioctl_get_cpuid(): -E2BIG when nent is too small (api.rst). */
	if (cpuid->nent < HOST_CPUID_N)
		return -E2BIG;
	for (i = 0; i < HOST_CPUID_N; i++)
		fill_entry(p, &host_cpuid[i], &cpuid->entries[i]);
	cpuid->nent = HOST_CPUID_N;
	return 0;
}

const struct kvm_cpuid_entry2 *sim_supported_cpuid_entry(const struct sim_profile *p,
							 uint32_t function, uint32_t index)
{
	static __thread struct kvm_cpuid_entry2 e;
	unsigned int i;

	for (i = 0; i < HOST_CPUID_N; i++) {
		const struct cpuid_row *row = &host_cpuid[i];

		if (row->function != function || ((row->flags & IDX) && row->index != index))
			continue;
		fill_entry(p, row, &e);
		return &e;
	}
	return NULL;
}
