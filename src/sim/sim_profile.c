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

/* include/linux/psp-sev.h SNP_POLICY_MASK_*: SEV-SNP ABI 56860 "Guest Policy". */
#define POLICY_API (SNP_POLICY_API_MINOR_MASK | SNP_POLICY_API_MAJOR_MASK)
/* arch/x86/kvm/svm/sev.c SNP_POLICY_MASK_VALID, 6.11 .. 6.18: API, SMT, RSVD_MBO, DEBUG,
 * SINGLE_SOCKET. */
#define POLICY_VALID_6_11                                                       \
	(POLICY_API | SNP_POLICY_SMT | SNP_POLICY_RSVD_MBO | SNP_POLICY_DEBUG | \
	 SNP_POLICY_SINGLE_SOCKET)
/* KVM_SNP_POLICY_MASK_VALID, 6.19+: every SNP_POLICY_MASK_* bit except MIGRATE_MA. */
#define POLICY_VALID_6_19                                                        \
	(POLICY_VALID_6_11 | SNP_POLICY_CXL_ALLOW | SNP_POLICY_MEM_AES_256_XTS | \
	 SNP_POLICY_RAPL_DIS | SNP_POLICY_CIPHERTEXT_HIDING_DRAM | SNP_POLICY_PAGE_SWAP_DISABLE)
/* Every bit SEV-SNP ABI 56860 "Guest Policy" defines: what a current firmware supports. */
#define POLICY_FIRMWARE (POLICY_VALID_6_19 | SNP_POLICY_MIGRATE_MA)

/* CPUID 0x8000001F (AMD APM Vol. 3, CPUID Fn8000_001F): EAX SEV(1) SEV-ES(3) SNP(4) DebugSwap(14); bit 8,
 * SNP Secure TSC, only with the secure_tsc setting (the default host is Milan-like). EBX:
 * C-bit 51, one bit of physical-address reduction in EBX[11:6]; ECX 509 encrypted guests,
 * EDX minimum SEV ASID 100 (so SNP/ES ASIDs 1..99 exist). */
#define CPUID_SEV_SECURE_TSC (1u << 8)
#define CPUID_SEV_DEBUG_SWAP (1u << 14)
#define HOST_8000001F_EAX    ((1u << 1) | (1u << 3) | (1u << 4) | CPUID_SEV_DEBUG_SWAP)
#define HOST_8000001F_EBX    (51u | (1u << 6))
/* An EPYC 7763's TSC, 2.45 GHz. */
#define HOST_TSC_KHZ	     2450000u

static const struct {
	const char *name;
	enum sim_kernel kernel;
	const char *canonical;
} profile_names[] = {
	{ "v12", SIM_KERNEL_V12, "v12" },
	{ "6.11", SIM_KERNEL_6_11, "6.11" },
	{ "6.12", SIM_KERNEL_6_11, "6.11" },
	{ "6.13", SIM_KERNEL_6_11, "6.11" },
	{ "6.14", SIM_KERNEL_6_11, "6.11" },
	{ "6.15", SIM_KERNEL_6_11, "6.11" },
	{ "6.16", SIM_KERNEL_6_11, "6.11" },
	{ "6.17", SIM_KERNEL_6_17, "6.17" },
	{ "6.18", SIM_KERNEL_6_18, "6.18" },
	{ "6.19", SIM_KERNEL_6_19, "6.19" },
	{ "7.0", SIM_KERNEL_7_0, "7.0" },
	/* The names of the first profiles, kept as aliases (docs/sim.md). */
	{ "upstream", SIM_KERNEL_6_18, "6.18" },
	{ "upstream-policy-bits", SIM_KERNEL_6_19, "6.19" },
	{ "upstream-certs", SIM_KERNEL_7_0, "7.0" },
};

/*
 * The rules of each kernel. Sources are arch/x86/kvm/svm/sev.c and virt/kvm/guest_memfd.c of
 * the version named, and for v12 the patches "[PATCH v12 10/29] KVM: SEV: Add
 * KVM_SEV_SNP_LAUNCH_START command" and "[PATCH v12 11/29] KVM: SEV: Add
 * KVM_SEV_SNP_LAUNCH_UPDATE command" with the kvm_gmem_populate() they were written for
 * (docs/testing.md has the table with every source).
 */
static void kernel_rules(struct sim_kernel_rules *r, enum sim_kernel k)
{
	bool upstream = k != SIM_KERNEL_V12;

	memset(r, 0, sizeof(*r));
	/* 6.11 snp_launch_update(): "params.gfn_start += count; params.len -= count *
	 * PAGE_SIZE; ... copy_to_user()". v12 returned kvm_gmem_populate()'s 0 or -errno and
	 * never wrote the parameters back. */
	r->launch_update_progress = upstream;
	/* 6.11 kvm_gmem_populate(): "if (signal_pending(current)) { ret = -EINTR; break; }";
	 * the v12-era populate loop had no such check. */
	r->populate_checks_signal = upstream;
	/* v12 snp_launch_start() and 6.11 ... 6.16: "!(params.policy &
	 * SNP_POLICY_MASK_SMT)" and "params.policy & SNP_POLICY_MASK_SINGLE_SOCKET" are
	 * -EINVAL. 6.17 leaves both to the firmware ("KVM: SVM: Allow SNP guest policy
	 * disallow running with SMT enabled", 2025-05-29, and its SINGLE_SOCKET sibling). */
	r->smt_required = k <= SIM_KERNEL_6_11;
	r->single_socket_rejected = k <= SIM_KERNEL_6_11;
	/* v12 has no mask; 6.11 .. 6.18 SNP_POLICY_MASK_VALID; 6.19 snp_supported_policy_bits =
	 * sev_get_snp_policy_bits() & KVM_SNP_POLICY_MASK_VALID, reported by the attribute. */
	r->policy_mask = k == SIM_KERNEL_V12	? UINT64_MAX
			 : k >= SIM_KERNEL_6_19 ? POLICY_VALID_6_19
						: POLICY_VALID_6_11;
	r->has_policy_bits_attr = k >= SIM_KERNEL_6_19;
	/* 6.18 __sev_guest_init(): "if (snp_active && data->ghcb_version < 2) return
	 * -EINVAL" (with Secure TSC); before, SNP accepted version 1. */
	r->ghcb_v2_required = k >= SIM_KERNEL_6_18;
	/* 6.18 snp_launch_update(): "if (!params.len || ..." ("KVM: SEV: Reject non-positive
	 * effective lengths during LAUNCH_UPDATE"); before, len 0 populated nothing and
	 * returned 0. */
	r->len0_rejected = k >= SIM_KERNEL_6_18;
	/* 7.0 snp_launch_update(): "if (!PAGE_ALIGNED(src)) return -EINVAL" (guest_memfd
	 * changes for 6.20: sources must be 4 KiB aligned). */
	r->uaddr_aligned = k >= SIM_KERNEL_7_0;
	/* 6.18 sev_hardware_setup(): SECURE_TSC offered "if (sev_snp_enabled && tsc_khz &&
	 * cpu_feature_enabled(X86_FEATURE_SNP_SECURE_TSC))". */
	r->secure_tsc = k >= SIM_KERNEL_6_18;
	/* 7.0: KVM_X86_SEV_SNP_REQ_CERTS, KVM_SEV_SNP_ENABLE_REQ_CERTS and
	 * KVM_EXIT_SNP_REQ_CERTS 43 (kvm-x86 before the merge: 42, the certs_exit setting). */
	r->has_req_certs = k >= SIM_KERNEL_7_0;
	r->certs_exit = 43;
	/* KVM_PRE_FAULT_MEMORY was merged in 6.11, after the v12 series' base. */
	r->pre_fault_memory = upstream;
	/* 6.18 guest_memfd: GUEST_MEMFD_FLAG_MMAP (and INIT_SHARED for VMs without private
	 * memory), KVM_CAP_GUEST_MEMFD_FLAGS, guest_memfd for every VM type. */
	r->gmem_mmap = k >= SIM_KERNEL_6_18;
	r->vm_memory_attributes = true;
}

/* MemAvailable of this machine: the simulated host cannot back more guest memory. */
static uint64_t available_memory(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return UINT64_MAX;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb ? (uint64_t)kb * 1024 : UINT64_MAX;
}

static void host_defaults(struct sim_profile *p)
{
	/* DEFAULT, SEV, SEV_ES and SNP (sev.c sev_hardware_setup(), Linux 6.11). */
	p->vm_types = (1u << KVM_X86_DEFAULT_VM) | (1u << KVM_X86_SEV_VM) |
		      (1u << KVM_X86_SEV_ES_VM) | (1u << KVM_X86_SNP_VM);
	p->fw_policy_bits = POLICY_FIRMWARE;
	p->cpuid_8000001f[0] = HOST_8000001F_EAX;
	p->cpuid_8000001f[1] = HOST_8000001F_EBX;
	p->cpuid_8000001f[2] = 509;
	p->cpuid_8000001f[3] = 100;
	p->smt_active = true;
	p->smt_bios = true;
	p->api_major = 1;
	p->api_minor = 55;
	p->max_vcpus = SIM_DEFAULT_MAX_VCPUS;
	p->ghcb_gpa = 0x2fff000;
	p->tsc_khz = HOST_TSC_KHZ;
	p->host_memory = available_memory();
}

int sim_profile_init(struct sim_profile *p, const char *name, struct diag *d)
{
	unsigned int i;

	if (!name)
		name = "7.0";
	memset(p, 0, sizeof(*p));
	for (i = 0; i < sizeof(profile_names) / sizeof(profile_names[0]); i++) {
		if (strcmp(name, profile_names[i].name) != 0)
			continue;
		snprintf(p->name, sizeof(p->name), "%s", profile_names[i].canonical);
		if (strcmp(name, profile_names[i].canonical) != 0)
			snprintf(p->alias, sizeof(p->alias), "%s", name);
		p->kernel = profile_names[i].kernel;
		p->abi = p->kernel == SIM_KERNEL_V12 ? SIM_ABI_V12 : SIM_ABI_UPSTREAM;
		kernel_rules(&p->rules, p->kernel);
		host_defaults(p);
		sim_profile_finish(p);
		return 0;
	}
	return diag_fail(d, -EINVAL,
			 "unknown simulated kernel profile '%s' (v12, 6.11 .. 6.16, 6.17, 6.18, "
			 "6.19, 7.0; aliases upstream, upstream-policy-bits, upstream-certs)",
			 name);
}

void sim_profile_finish(struct sim_profile *p)
{
	/* sev_hardware_setup(): DEBUG_SWAP with the CPU feature (and NO_NESTED_DATA_BP,
	 * 0x80000021 EAX[0] in the host table); SECURE_TSC from 6.18 (kernel_rules()). */
	if (!(p->set & SIM_SET_VMSA_FEATURES)) {
		p->vmsa_features = 0;
		if (p->cpuid_8000001f[0] & CPUID_SEV_DEBUG_SWAP)
			p->vmsa_features |= SVM_SEV_FEAT_DEBUG_SWAP;
		if (p->rules.secure_tsc && (p->cpuid_8000001f[0] & CPUID_SEV_SECURE_TSC) &&
		    p->tsc_khz)
			p->vmsa_features |= SVM_SEV_FEAT_SECURE_TSC;
	}
	/* kvm_gmem_get_supported_flags(): MMAP, and INIT_SHARED only without private memory
	 * (x86.c kvm_arch_supports_gmem_init_shared()); before 6.18, 0. */
	if (!(p->set & SIM_SET_GMEM_FLAGS))
		p->gmem_flags_snp = p->rules.gmem_mmap ? GUEST_MEMFD_FLAG_MMAP : 0;
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
	U64_KEY("policy_bits", p->fw_policy_bits, UINT64_MAX)
	BOOL_KEY("policy_bits_attr", p->rules.has_policy_bits_attr)
	BOOL_KEY("req_certs", p->rules.has_req_certs)
	/* The firmware knows only the BIOS setting; Linux's nosmt turns SMT off in the kernel
	 * (sysfs smt/active 0) but not for the firmware (9f4701e05fae: SMT = 0 in a policy
	 * means "SMT disabled in the BIOS"). smt sets both: a host with SMT off in the BIOS. */
	BOOL_KEY("smt_active", p->smt_active)
	BOOL_KEY("smt_bios", p->smt_bios)
	if (strcmp(key, "smt") == 0) {
		if (parse_bool(val, &b) < 0)
			return diag_fail(d, -EINVAL, "simulator setting smt: bad value '%s'", val);
		p->smt_active = b;
		p->smt_bios = b;
		return 0;
	}
	BOOL_KEY("smt_required", p->rules.smt_required)
	BOOL_KEY("single_socket_rejected", p->rules.single_socket_rejected)
	BOOL_KEY("vm_memory_attributes", p->rules.vm_memory_attributes)
	U64_KEY("cpuid_8000001f_eax", p->cpuid_8000001f[0], UINT32_MAX)
	U64_KEY("cpuid_8000001f_ebx", p->cpuid_8000001f[1], UINT32_MAX)
	U64_KEY("cpuid_8000001f_ecx", p->cpuid_8000001f[2], UINT32_MAX)
	U64_KEY("cpuid_8000001f_edx", p->cpuid_8000001f[3], UINT32_MAX)
	U64_KEY("max_vcpus", p->max_vcpus, SIM_MAX_VCPUS_LIMIT)
	U64_KEY("ghcb_gpa", p->ghcb_gpa, UINT64_MAX - SIM_PAGE_SIZE)
	U64_KEY("tsc_khz", p->tsc_khz, UINT32_MAX)
	U64_KEY("host_memory", p->host_memory, UINT64_MAX)
#undef U64_KEY
#undef BOOL_KEY
	if (strcmp(key, "vmsa_features") == 0 || strcmp(key, "gmem_flags") == 0) {
		if (parse_uint(val, UINT64_MAX, &v) < 0)
			return diag_fail(d, -EINVAL, "simulator setting %s: bad value '%s'", key,
					 val);
		if (key[0] == 'v') {
			p->vmsa_features = v;
			p->set |= SIM_SET_VMSA_FEATURES;
		} else {
			p->gmem_flags_snp = v;
			p->set |= SIM_SET_GMEM_FLAGS;
		}
		return 0;
	}
	if (strcmp(key, "secure_tsc") == 0) {
		/* The host CPU's SNP Secure TSC feature, CPUID 0x8000001F EAX[8]. */
		if (parse_bool(val, &b) < 0)
			return diag_fail(d, -EINVAL, "simulator setting secure_tsc: bad value '%s'",
					 val);
		if (b)
			p->cpuid_8000001f[0] |= CPUID_SEV_SECURE_TSC;
		else
			p->cpuid_8000001f[0] &= ~CPUID_SEV_SECURE_TSC;
		return 0;
	}
	if (strcmp(key, "certs_exit") == 0) {
		/* The exit number of the certificate request: 43 as merged in 7.0, 42 in the
		 * kvm-x86 "svm" branch of 2026-02 before the merge window). */
		if (parse_uint(val, UINT64_MAX, &v) < 0 || (v != 42 && v != 43))
			return diag_fail(d, -EINVAL,
					 "simulator setting certs_exit: '%s' is not 42 or 43", val);
		p->rules.certs_exit = (uint32_t)v;
		return 0;
	}
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
		unsigned int maj, min, build = 0;
		char tail;
		int n = sscanf(val, "%u.%u.%u%c", &maj, &min, &build, &tail);

		if (n == 2)
			n = sscanf(val, "%u.%u%c", &maj, &min, &tail) == 2 ? 3 : 0;
		if (n != 3 || maj > 255 || min > 255 || build > 255)
			return diag_fail(d, -EINVAL,
					 "simulator setting api: '%s' is not MAJOR.MINOR[.BUILD]",
					 val);
		p->api_major = (uint8_t)maj;
		p->api_minor = (uint8_t)min;
		p->build_id = (uint8_t)build;
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
