// SPDX-License-Identifier: MIT
/*
 * The SEV-SNP launch, in the order KVM requires (amd-memory-encryption.rst; QEMU
 * target/i386/sev.c and tools/testing/selftests/kvm/lib/x86/sev.c do the same; see
 * docs/snp-launch.md):
 *
 *   host checks -> KVM_CREATE_VM(SNP) -> KVM_SEV_INIT2 -> SNP_LAUNCH_START (ABI detected)
 *   -> KVM_CAP_EXIT_HYPERCALL -> irqchip -> guest_memfd RAM -> plan -> predicted digest
 *   -> private attributes -> SNP_LAUNCH_UPDATE per range -> vCPUs + registers
 *   -> SNP_LAUNCH_FINISH (KVM measures one VMSA per vCPU)
 *
 * Everything that decides what is measured lives in the pure plan (snp_plan.c); this file
 * only executes it, so the digest predicted from the plan is the digest the PSP computes.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sev/sev_fw.h"
#include "snp/certs.h"
#include "snp/certs_lock.h"
#include "snp/snp_cpuid.h"
#include "snp/snp_launch.h"
#include "vmm/backend.h"
#include "vmm/vm_internal.h"

#define SNP_ID_BLOCK_SIZE     96
#define SNP_ID_AUTH_SIZE      4096
#define SNP_POLICY_KNOWN_BITS 0x3ffffffULL /* bits 0..25 (psp-sev.h SNP_POLICY_MASK_*) */

/* What the host offers, read before anything is created. */
struct snp_host {
	uint32_t cbitpos;
	uint32_t reduced_phys_bits;
	uint64_t vmsa_features;
	bool have_policy_bits;
	uint64_t policy_bits;
	bool smt_active;
};

static const char *param_or_unreadable(const char *param)
{
	return param[0] ? param : "unreadable";
}

/* Host detection, in the order a missing piece would be found (docs/snp-launch.md). */
static int check_host(struct kvm_backend *be, struct snp_host *h, struct diag *d)
{
	struct host_facts f;
	int types, r;

	r = be->ops->get_host_facts(be, &f);
	if (r < 0)
		return diag_fail(d, r, "cannot read the host's SEV capabilities: %s", strerror(-r));
	types = be->ops->check_extension(be, false, KVM_CAP_VM_TYPES);
	if (types > 0 && (types & (1 << KVM_X86_SNP_VM)))
		goto have_snp;
	if (!(f.cpuid_8000001f[0] & (1u << 4)))
		return diag_fail(d, -ENODEV,
				 "SEV-SNP is unavailable: the CPU does not report SEV-SNP (CPUID "
				 "0x8000001F EAX bit 4); use --no-snp for a plain KVM guest or "
				 "--sim=upstream for a simulated SNP host");
	if (strcmp(f.kvm_amd_sev_snp, "Y") && strcmp(f.kvm_amd_sev_snp, "1"))
		return diag_fail(d, -ENODEV,
				 "SEV-SNP is unavailable: kvm_amd's sev_snp parameter is %s (load "
				 "kvm_amd with sev_snp=1 on a host kernel with SNP support)",
				 param_or_unreadable(f.kvm_amd_sev_snp));
	if (!f.has_sev_device)
		return diag_fail(
			d, -ENODEV,
			"SEV-SNP is unavailable: /dev/sev cannot be opened (the ccp driver "
			"is not loaded or the SNP firmware is not initialized)");
	return diag_fail(d, -ENODEV,
			 "SEV-SNP is unavailable: KVM does not offer the SNP VM type "
			 "(KVM_CAP_VM_TYPES = 0x%x); the host kernel lacks SNP support (Linux "
			 "6.11+ or the SNP v12 series)",
			 types < 0 ? 0 : types);

have_snp:
	h->cbitpos = f.cpuid_8000001f[1] & 0x3f;
	h->reduced_phys_bits = (f.cpuid_8000001f[1] >> 6) & 0x3f;
	h->smt_active = f.smt_active;
	/* amd-memory-encryption.rst: without this attribute the kernel only has the
	 * legacy KVM_SEV_INIT, which cannot create SNP guests. */
	r = be->ops->get_device_attr(be, KVM_X86_GRP_SEV, KVM_X86_SEV_VMSA_FEATURES,
				     &h->vmsa_features);
	if (r < 0)
		return diag_fail(d, r,
				 "the kernel has no KVM_X86_SEV_VMSA_FEATURES attribute (%s): it "
				 "predates KVM_SEV_INIT2",
				 strerror(-r));
	r = be->ops->get_device_attr(be, KVM_X86_GRP_SEV, KVM_X86_SNP_POLICY_BITS, &h->policy_bits);
	h->have_policy_bits = r >= 0;
	return 0;
}

static int choose_features(const struct snp_options *o, const struct snp_host *h, uint64_t *ret,
			   struct diag *d)
{
	uint64_t unsupported;
	unsigned int bit;

	if (o->sev_features == OPT_SEV_FEATURES_AUTO) {
		/* The kernel's debug_swap default intends DebugSwap wherever the hardware has
		 * it (seed 000: SEV-ES DebugSwap review). */
		*ret = h->vmsa_features & SVM_SEV_FEAT_DEBUG_SWAP;
		return 0;
	}
	unsupported = o->sev_features & ~h->vmsa_features;
	if (unsupported) {
		bit = (unsigned int)__builtin_ctzll(unsupported);
		return diag_fail(d, -EINVAL,
				 "--sev-features: the host does not support %s (bit %u; supported "
				 "mask 0x%llx)",
				 sev_feature_name(bit) ? sev_feature_name(bit) : "this feature",
				 bit, (unsigned long long)h->vmsa_features);
	}
	*ret = o->sev_features;
	return 0;
}

static int choose_policy(const struct snp_options *o, const struct snp_host *h, uint64_t *ret,
			 struct diag *d)
{
	uint64_t p = o->policy, bad;

	if (p == UINT64_MAX) {
		/* QEMU's default 0x30000; the selftests' RSVD_MBO | (smt_on ? SMT : 0). */
		*ret = SNP_POLICY_RSVD_MBO | (h->smt_active ? SNP_POLICY_SMT : 0);
		return 0;
	}
	if (!(p & SNP_POLICY_RSVD_MBO))
		return diag_fail(d, -EINVAL,
				 "--policy 0x%llx: bit 17 is reserved and must be 1 (SNP ABI guest "
				 "policy; KVM rejects it otherwise)",
				 (unsigned long long)p);
	bad = p & ~SNP_POLICY_KNOWN_BITS;
	if (bad)
		return diag_fail(d, -EINVAL, "--policy 0x%llx: reserved bit %d is set",
				 (unsigned long long)p, __builtin_ctzll(bad));
	if (p & SNP_POLICY_MIGRATE_MA)
		return diag_fail(
			d, -EINVAL,
			"--policy 0x%llx: bit 18 (migration agent) is not supported by KVM",
			(unsigned long long)p);
	if (h->have_policy_bits && (p & ~h->policy_bits))
		return diag_fail(d, -EINVAL,
				 "--policy 0x%llx: bit %d is not supported by this host "
				 "(KVM_X86_SNP_POLICY_BITS = 0x%llx)",
				 (unsigned long long)p, __builtin_ctzll(p & ~h->policy_bits),
				 (unsigned long long)h->policy_bits);
	if (h->smt_active && !(p & SNP_POLICY_SMT))
		return diag_fail(d, -EINVAL,
				 "--policy 0x%llx forbids SMT (bit 16 clear) but SMT is active on "
				 "this host: the firmware would refuse the launch",
				 (unsigned long long)p);
	*ret = p;
	return 0;
}

/* QEMU's id-block/id-auth properties take base64; accept that or the raw structure. */
static int read_id_file(const char *path, const char *what, size_t want, uint8_t **ret,
			struct diag *d)
{
	struct file_map m = { 0 };
	uint8_t *out = NULL;
	char *text = NULL;
	size_t i, n = 0;
	int r, len;

	r = file_map_open(path, what, &m, d);
	if (r < 0)
		return r;
	out = calloc(1, want + 4096);
	text = calloc(1, m.size + 1);
	if (!out || !text) {
		r = -ENOMEM;
		goto out_free;
	}
	if (m.size == want) {
		memcpy(out, m.data, want);
		goto out_ok;
	}
	for (i = 0; i < m.size; i++)
		if (m.data[i] != '\n' && m.data[i] != '\r' && m.data[i] != ' ')
			text[n++] = (char)m.data[i];
	len = n % 4 == 0 && n <= (want + 4096) / 3 * 4
		      ? EVP_DecodeBlock(out, (const unsigned char *)text, (int)n)
		      : -1;
	/* EVP_DecodeBlock counts the '=' padding as decoded zero bytes. */
	if (len > 0)
		len -= (n && text[n - 1] == '=') + (n > 1 && text[n - 2] == '=');
	if (len != (int)want) {
		r = diag_fail(
			d, -EINVAL,
			"%s '%s' is neither %zu raw bytes nor their base64 (it has %zu bytes)",
			what, path, want, m.size);
		goto out_free;
	}
out_ok:
	*ret = out;
	out = NULL;
	r = 0;
out_free:
	free(out);
	free(text);
	file_map_close(&m);
	return r;
}

/* --certs: the file must be a valid certificate table now; it is re-read (under a lock)
 * for every request, so an operator can replace it while guests run. */
static int check_certs(struct vm *vm, const char *path, struct diag *d)
{
	struct certs_table t = { 0 };
	struct diag why = { "" };
	uint8_t *buf = malloc(CERTS_MAX_BYTES);
	size_t len = 0;
	int fd, r;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		r = diag_fail(d, -errno, "cannot open certificate file '%s': %s", path,
			      strerror(errno));
		goto out_free;
	}
	r = certs_read(fd, buf, CERTS_MAX_BYTES, &len);
	close(fd);
	if (r == -EFBIG)
		r = diag_fail(d, r,
			      "certificate file '%s' is larger than the %u bytes a guest "
			      "accepts",
			      path, CERTS_MAX_BYTES);
	else if (r == -EINVAL)
		r = diag_fail(d, r, "certificate file '%s' is not a regular file", path);
	else if (r < 0)
		r = diag_fail(d, r, "cannot read certificate file '%s': %s", path, strerror(-r));
	else if ((r = certs_parse(buf, len, &t, &why)) < 0)
		r = diag_fail(d, r, "certificate file '%s': %s", path, why.msg);
	certs_table_free(&t);
	if (r >= 0)
		vm->snp.certs_path = path;
out_free:
	free(buf);
	return r;
}

static int fw_fail(struct diag *d, int r, const char *cmd, uint32_t fw)
{
	if (fw)
		return diag_fail(d, r, "%s failed: firmware error %s (0x%x)", cmd,
				 sev_fw_strerror(fw), fw);
	return diag_fail(d, r, "%s failed: %s", cmd, strerror(-r));
}

/* SNP_LAUNCH_START refused before the firmware ran: say what the kernel most likely
 * objected to (sev.c sev_mem_enc_ioctl(), snp_launch_start(), Linux 6.11). */
static int launch_start_fail(struct diag *d, int r, enum kvm_abi_choice forced, uint64_t policy,
			     const struct snp_host *h)
{
	if (forced == KVM_ABI_V12 && r == -EPERM)
		return diag_fail(d, r,
				 "SNP_LAUNCH_START: the kernel refused the v12 command (EPERM): it "
				 "speaks the upstream ABI; drop --kvm-abi v12");
	if (forced == KVM_ABI_UPSTREAM && r == -EINVAL)
		return diag_fail(d, r,
				 "SNP_LAUNCH_START: the kernel refused the upstream command "
				 "(EINVAL): it may speak the v12 ABI (try --kvm-abi auto), or it "
				 "does not accept policy 0x%llx",
				 (unsigned long long)policy);
	if (r == -EINVAL && !h->have_policy_bits)
		return diag_fail(d, r,
				 "SNP_LAUNCH_START: the kernel refused policy 0x%llx (EINVAL); it "
				 "does not say which bits it supports (no KVM_X86_SNP_POLICY_BITS, "
				 "Linux < 6.19): 6.11-6.18 accept only bits 0-17, 19 and 20",
				 (unsigned long long)policy);
	return diag_fail(d, r, "SNP_LAUNCH_START failed: %s", strerror(-r));
}

static int set_private(struct vm *vm, struct diag *d)
{
	unsigned int i;
	int r;

	/* "KVM_SEV_SNP_LAUNCH_UPDATE requires that GPA ranges have the private memory
	 * attribute set in advance" (QEMU sev.c); all of RAM is launched. */
	for (i = 0; i < vm->mem.nr; i++) {
		struct kvm_memory_attributes a = {
			.address = vm->mem.regions[i].gpa,
			.size = vm->mem.regions[i].size,
			.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
		};

		r = vm->be->ops->set_memory_attributes(vm->be, &a);
		if (r < 0)
			return diag_fail(d, r, "KVM_SET_MEMORY_ATTRIBUTES(private) failed: %s",
					 strerror(-r));
	}
	return 0;
}

/* Runs every range of the plan through SNP_LAUNCH_UPDATE, in order. */
static int launch_ranges(struct vm *vm, struct diag *d)
{
	const struct snp_plan *p = &vm->snp.plan;
	unsigned int i;
	uint32_t fw;
	int r;

	for (i = 0; i < p->nr_ranges; i++) {
		const struct snp_range *rg = &p->ranges[i];
		void *src = guest_memory_hva(&vm->mem, rg->gpa, rg->len);
		uint8_t wanted[4096];

		if (!src)
			return diag_fail(d, -ERANGE, "launch range 0x%llx+0x%llx is not in RAM",
					 (unsigned long long)rg->gpa, (unsigned long long)rg->len);
		if (rg->type == SNP_PAGE_CPUID)
			memcpy(wanted, src, sizeof(wanted));
		r = snp_launch_update(vm->be, vm->snp.abi, rg->gpa, src, rg->len, rg->type,
				      &vm->snp.stats, &fw);
		if (r < 0 && rg->type == SNP_PAGE_CPUID && fw == SEV_RET_INVALID_PARAM) {
			/* The PSP rejected the CPUID page and wrote the values it accepts into
			 * it; KVM copied that page back over our source buffer
			 * (sev_gmem_post_populate). Retry once with it, as QEMU, libkrun and
			 * Enarx do; the contents are not measured, so the digest is unchanged. */
			if (!snp_cpuid_page_diff(wanted, src, vm->snp.cpuid_retry,
						 sizeof(vm->snp.cpuid_retry)))
				snprintf(vm->snp.cpuid_retry, sizeof(vm->snp.cpuid_retry),
					 "it wrote back the same values");
			r = snp_launch_update(vm->be, vm->snp.abi, rg->gpa, src, rg->len, rg->type,
					      &vm->snp.stats, &fw);
		}
		if (r < 0) {
			char what[96];

			snprintf(what, sizeof(what), "SNP_LAUNCH_UPDATE (%s pages at 0x%llx)",
				 snp_page_type_name(rg->type), (unsigned long long)rg->gpa);
			return fw_fail(d, r, what, fw);
		}
	}
	return 0;
}

static int setup_vcpus(struct vm *vm, uint32_t nr, struct diag *d)
{
	struct kvm_backend *be = vm->be;
	uint32_t i;
	int r;

	r = vm_create_vcpus(vm, nr, true, d);
	if (r < 0)
		return r;
	for (i = 0; i < nr; i++) {
		struct vcpu_state st = { 0 };

		r = be->ops->vcpu_get_state(be, vm->vcpus[i].index, &st);
		if (r >= 0) {
			/* The same transformation the prediction applies to KVM's reset state
			 * (snp_plan_vcpu_state): the entry state for the BSP. APs keep their
			 * reset registers -- measured, never run: the guest replaces their VMSA
			 * through AP creation -- and wait HALTED so KVM can install that VMSA
			 * (OpenVMM vmm_core/virt_kvm sets KVM_MP_STATE_HALTED for the same
			 * reason). */
			snp_plan_apply_entry_state(&vm->snp.plan, i, &st);
			if (i > 0) {
				st.mp_state.mp_state = KVM_MP_STATE_HALTED;
				st.valid = VCPU_STATE_MP_STATE;
			}
			r = be->ops->vcpu_set_state(be, vm->vcpus[i].index, &st);
		}
		if (r < 0)
			return diag_fail(d, r, "setting the initial state of vCPU %u failed: %s", i,
					 strerror(-r));
	}
	return 0;
}

static int predict_measurement(struct vm *vm, uint32_t nr_vcpus, struct diag *d)
{
	struct launch_digest ld = { 0 };
	char hex[2 * SNP_LD_SIZE + 1];
	int r;

	r = launch_digest_init(&ld, NULL);
	if (r >= 0)
		r = snp_plan_measure(&vm->snp.plan, nr_vcpus, vm->snp.vmsa_features, &ld);
	if (r >= 0)
		memcpy(vm->snp.measurement, ld.ld, SNP_LD_SIZE);
	launch_digest_fini(&ld);
	if (r < 0)
		return diag_fail(d, r, "computing the launch measurement failed: %s", strerror(-r));
	snp_hex(vm->snp.measurement, SNP_LD_SIZE, hex);
	events_emit(vm->events, "measurement", ",\"measurement\":\"%s\"", hex);
	return 0;
}

static int finish(struct vm *vm, const struct snp_options *o, struct diag *d)
{
	struct snp_finish_params fp = {
		.id_block = vm->snp.id_block,
		.id_auth = vm->snp.id_auth,
		.auth_key_en = o->author_key_enabled,
		.vcek_disabled = o->vcek_disabled,
	};
	uint32_t fw;
	int r;

	if (o->have_host_data)
		memcpy(fp.host_data, o->host_data, sizeof(fp.host_data));
	r = snp_launch_finish(vm->be, vm->snp.abi, &fp, &fw);
	if (r < 0)
		return fw_fail(d, r, "SNP_LAUNCH_FINISH", fw);
	events_emit(vm->events, "launch-finished",
		    ",\"abi\":\"%s\",\"policy\":\"0x%llx\",\"sev_features\":\"0x%llx\","
		    "\"launch_update_ioctls\":%u,\"normal_pages\":%llu,\"zero_pages\":%llu",
		    snp_abi_name(vm->snp.abi), (unsigned long long)vm->snp.policy,
		    (unsigned long long)(vm->snp.vmsa_features | SVM_SEV_FEAT_SNP_ACTIVE),
		    vm->snp.stats.update_ioctls,
		    (unsigned long long)vm->snp.stats.pages[SNP_PAGE_NORMAL],
		    (unsigned long long)vm->snp.stats.pages[SNP_PAGE_ZERO]);
	return 0;
}

int vm_snp_setup(struct vm *vm, const struct vmm_options *o, struct diag *d)
{
	const struct snp_options *so = &o->snp;
	struct kvm_backend *be = vm->be;
	struct boot_setup_data sd[OPT_MAX_SETUP_DATA];
	struct snp_plan_config cfg = { .cbitpos = 0 };
	struct cpuid_table *bsp_cpuid = NULL;
	struct mem_layout layout;
	struct snp_host h;
	uint32_t fw;
	int r;

	vm->snp.enabled = true;
	r = check_host(be, &h, d);
	if (r < 0)
		return r;
	/* QEMU requires cbitpos and reduced-phys-bits to equal the host's: the guest's page
	 * tables and the CPUID page must agree with the hardware. */
	if (so->cbitpos >= 0 && (uint32_t)so->cbitpos != h.cbitpos)
		return diag_fail(d, -EINVAL,
				 "--cbitpos %d disagrees with the host's C-bit position %u (CPUID "
				 "0x8000001F EBX[5:0])",
				 so->cbitpos, h.cbitpos);
	if (so->reduced_phys_bits >= 0 && (uint32_t)so->reduced_phys_bits != h.reduced_phys_bits)
		return diag_fail(d, -EINVAL,
				 "--reduced-phys-bits %d disagrees with the host's %u (CPUID "
				 "0x8000001F EBX[11:6])",
				 so->reduced_phys_bits, h.reduced_phys_bits);
	vm->snp.cbitpos = h.cbitpos;
	r = choose_features(so, &h, &vm->snp.vmsa_features, d);
	if (r >= 0)
		r = choose_policy(so, &h, &vm->snp.policy, d);
	if (r >= 0 && so->id_block_path)
		r = read_id_file(so->id_block_path, "ID block", SNP_ID_BLOCK_SIZE,
				 &vm->snp.id_block, d);
	if (r >= 0 && so->id_auth_path)
		r = read_id_file(so->id_auth_path, "ID auth", SNP_ID_AUTH_SIZE, &vm->snp.id_auth,
				 d);
	if (r >= 0 && so->certs_path)
		r = check_certs(vm, so->certs_path, d);
	if (r < 0)
		return r;

	r = be->ops->create_vm(be, KVM_X86_SNP_VM);
	if (r < 0)
		return diag_fail(d, r, "KVM_CREATE_VM(KVM_X86_SNP_VM) failed: %s", strerror(-r));
	r = snp_init2(be, vm->snp.vmsa_features, &fw);
	if (r < 0)
		return fw_fail(d, r, "KVM_SEV_INIT2", fw);
	vm->snp.abi = so->abi == KVM_ABI_UPSTREAM ? SNP_ABI_UPSTREAM
		      : so->abi == KVM_ABI_V12	  ? SNP_ABI_V12
						  : SNP_ABI_AUTO;
	r = snp_launch_start(be, &vm->snp.abi, vm->snp.policy, so->gosvw, &fw);
	if (r < 0 && !fw)
		return launch_start_fail(d, r, so->abi, vm->snp.policy, &h);
	if (r < 0)
		return fw_fail(d, r, "SNP_LAUNCH_START", fw);
	if (vm->snp.abi == SNP_ABI_UPSTREAM) {
		/* Page-state changes reach userspace only as KVM_HC_MAP_GPA_RANGE exits, and
		 * only once enabled; otherwise every PSC fails in the guest (sev.c
		 * snp_begin_psc_msr(), snp_begin_psc(), Linux 6.11). */
		struct kvm_enable_cap cap = {
			.cap = KVM_CAP_EXIT_HYPERCALL,
			.args = { 1ULL << KVM_HC_MAP_GPA_RANGE },
		};

		r = be->ops->enable_cap(be, &cap);
		if (r < 0)
			return diag_fail(d, r, "enabling KVM_HC_MAP_GPA_RANGE exits failed: %s",
					 strerror(-r));
	}
	if (vm->snp.certs_path) {
		uint64_t supported = 0;

		/* Opt-in, upstream only, and before any vCPU exists (amd-memory-encryption.rst
		 * KVM_SEV_SNP_ENABLE_REQ_CERTS). */
		if (vm->snp.abi != SNP_ABI_UPSTREAM ||
		    be->ops->get_device_attr(be, KVM_X86_GRP_SEV, KVM_X86_SEV_SNP_REQ_CERTS,
					     &supported) < 0 ||
		    supported != 1)
			return diag_fail(d, -ENOTSUP,
					 "--certs: this kernel cannot hand certificate requests to "
					 "userspace (no KVM_X86_SEV_SNP_REQ_CERTS)");
		r = snp_enable_req_certs(be, &fw);
		if (r < 0)
			return fw_fail(d, r, "KVM_SEV_SNP_ENABLE_REQ_CERTS", fw);
	}
	r = be->ops->create_irqchip(be);
	if (r < 0)
		return diag_fail(d, r, "creating the in-kernel interrupt controllers failed: %s",
				 strerror(-r));
	mem_layout_compute(o->mem_size, &layout);
	r = guest_memory_create(be, &layout, o->mem_backend, true, &vm->mem, d);
	if (r < 0)
		return r;

	bsp_cpuid = calloc(1, sizeof(*bsp_cpuid));
	if (!bsp_cpuid)
		return -ENOMEM;
	r = vm_vcpu_cpuid(vm, 0, o->smp, true, bsp_cpuid, d);
	if (r < 0)
		goto out_free;
	vm_boot_config(vm, o, &layout, sd, &cfg.boot);
	cfg.cbitpos = h.cbitpos;
	cfg.cpuid = &bsp_cpuid->hdr;
	r = snp_plan_build(&cfg, &vm->snp.plan, d);
	if (r < 0)
		goto out_free;
	vm->snp.have_plan = true;
	r = vm_copy_segments(vm, vm->snp.plan.segs, vm->snp.plan.nr_segs, d);
	if (r >= 0)
		r = predict_measurement(vm, o->smp, d);
	if (r >= 0)
		r = set_private(vm, d);
	if (r >= 0) {
		r = vm_convert_init(vm);
		if (r < 0)
			r = diag_fail(d, r, "cannot track page states: %s", strerror(-r));
	}
	if (r >= 0)
		r = launch_ranges(vm, d);
	if (r >= 0)
		r = setup_vcpus(vm, o->smp, d);
	if (r >= 0)
		r = finish(vm, so, d);
out_free:
	free(bsp_cpuid);
	return r;
}
