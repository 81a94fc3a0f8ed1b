// SPDX-License-Identifier: MIT
/*
 * KVM_MEMORY_ENCRYPT_OP of the simulated host: kvm_amd's SEV/SNP command state machine
 * for both ABIs (upstream 6.11+ ids 22/100..103, the v12 series' ids 22/23..25), with
 * the errno KVM returns and the firmware status of the simulated PSP. Each rule cites the
 * function of arch/x86/kvm/svm/sev.c (Linux 6.11 unless a later version is named) it comes
 * from.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/psp-sev.h>

#include "sim_internal.h"
#include "snp/vmsa.h"

#define PAGE_ALIGNED(x)	 (((x) & (SIM_PAGE_SIZE - 1)) == 0)
#define GHCB_VERSION_MAX 2 /* arch/x86/kvm/svm/sev.c */

static void *user_ptr(uint64_t addr)
{
	return (void *)(uintptr_t)addr;
}

/* sev_guest_init2() + __sev_guest_init(). */
static int sev_init2(struct sim *sim, struct kvm_sev_cmd *cmd)
{
	struct kvm_sev_init init;
	uint16_t ghcb_version;

	/* "if (!to_kvm_sev_info(kvm)->need_init) return -EINVAL": once only. */
	if (sim->sev_init)
		return -EINVAL;
	if (!cmd->data)
		return -EFAULT;
	memcpy(&init, user_ptr(cmd->data), sizeof(init));
	/* __sev_guest_init(): "if (kvm->created_vcpus) return -EINVAL". */
	if (sim->nr_vcpus)
		return -EINVAL;
	if (init.flags)
		return -EINVAL;
	/* Unknown VMSA features, and SNP_ACTIVE (bit 0, which KVM adds itself and never
	 * advertises), fail "vmsa_features & ~valid_vmsa_features" (__sev_guest_init()). */
	if (init.vmsa_features & ~sim->profile.vmsa_features)
		return -EINVAL;
	/* "data->ghcb_version > GHCB_VERSION_MAX" is -EINVAL; 0 becomes 2. */
	if (init.ghcb_version > GHCB_VERSION_MAX)
		return -EINVAL;
	ghcb_version = init.ghcb_version ? init.ghcb_version : GHCB_VERSION_MAX;
	/* 6.18+: "if (snp_active && data->ghcb_version < 2) return -EINVAL"; 6.11 .. 6.17
	 * and v12 accept version 1 for SNP. */
	if (sim->profile.rules.ghcb_v2_required && ghcb_version < 2)
		return -EINVAL;
	sim->sev_init = true;
	sim->vmsa_features = init.vmsa_features;
	sim->ghcb_version = ghcb_version;
	return 0;
}

/* The firmware's SNP_LAUNCH_START (with injected failures); a failure frees the context
 * (e_free_context) and KVM returns the PSP driver's -EIO (drivers/crypto/ccp/sev-dev.c
 * __sev_do_cmd_locked). */
static int firmware_launch_start(struct sim *sim, struct kvm_sev_cmd *cmd, uint64_t policy,
				 const uint8_t gosvw[16], uint32_t desired_tsc_khz)
{
	uint32_t fw = 0, inject;
	int r;

	inject = sim_fw_fault(&sim->faults, SIM_FW_LAUNCH_START,
			      ++sim->fw_calls[SIM_FW_LAUNCH_START]);
	if (inject) {
		cmd->error = inject;
		sim->snp_context = false;
		return -EIO;
	}
	r = sim_psp_launch_start(&sim->psp, &sim->profile, policy, gosvw, desired_tsc_khz, &fw);
	cmd->error = fw;
	sim->snp_context = r == 0;
	return r;
}

/* [PATCH v12 10/29] snp_launch_start(): the context is created first, then the policy is
 * checked; the two -EINVAL returns keep the context, so a second LAUNCH_START is refused
 * ("Don't allow userspace to allocate memory for more than 1 SNP context"). */
static int snp_launch_start_v12(struct sim *sim, struct kvm_sev_cmd *cmd)
{
	const struct sim_kernel_rules *rules = &sim->profile.rules;
	struct kvm_sev_snp_v12_launch_start s;

	if (!sim->sev_init)
		return -ENOTTY;
	if (!cmd->data)
		return -EFAULT;
	memcpy(&s, user_ptr(cmd->data), sizeof(s));
	if (sim->snp_context)
		return -EINVAL;
	/* snp_context_create(): SNP_GCTX_CREATE. */
	sim->snp_context = true;
	if (rules->single_socket_rejected && (s.policy & SNP_POLICY_SINGLE_SOCKET))
		return -EINVAL;
	if (rules->smt_required && !(s.policy & SNP_POLICY_SMT))
		return -EINVAL;
	/* No policy mask in KVM: every other bit is the firmware's to judge. */
	return firmware_launch_start(sim, cmd, s.policy, s.gosvw, 0);
}

/* snp_launch_start(), 6.11+: KVM's checks, then the firmware's SNP_LAUNCH_START. */
static int snp_launch_start(struct sim *sim, struct kvm_sev_cmd *cmd)
{
	const struct sim_kernel_rules *rules = &sim->profile.rules;
	struct kvm_sev_snp_launch_start s;
	uint64_t valid = rules->policy_mask;

	/* "if (!sev_snp_guest(kvm)) return -ENOTTY": SNP is only active after INIT2. */
	if (!sim->sev_init)
		return -ENOTTY;
	if (!cmd->data)
		return -EFAULT;
	memcpy(&s, user_ptr(cmd->data), sizeof(s));
	/* "Don't allow userspace to allocate memory for more than 1 SNP context." */
	if (sim->snp_context)
		return -EINVAL;
	if (s.flags)
		return -EINVAL;
	/* 6.11 .. 6.18: "params.policy & ~SNP_POLICY_MASK_VALID"; 6.19: "& ~snp_supported_
	 * policy_bits", KVM's mask ANDed with what the firmware supports. */
	if (rules->has_policy_bits_attr)
		valid &= sim->profile.fw_policy_bits;
	if (s.policy & ~valid)
		return -EINVAL;
	/* "Check for policy bits that must be set": RSVD_MBO (bit 17); 6.11 .. 6.16 also
	 * SMT, and refuse SINGLE_SOCKET. */
	if (!(s.policy & SNP_POLICY_RSVD_MBO))
		return -EINVAL;
	if (rules->smt_required && !(s.policy & SNP_POLICY_SMT))
		return -EINVAL;
	if (rules->single_socket_rejected && (s.policy & SNP_POLICY_SINGLE_SOCKET))
		return -EINVAL;
	/* 6.18 Secure TSC: "start.desired_tsc_khz = kvm->arch.default_tsc_khz", the VM's
	 * KVM_SET_TSC_KHZ value or the host's frequency. */
	return firmware_launch_start(
		sim, cmd, s.policy, s.gosvw,
		(sim->vmsa_features & SVM_SEV_FEAT_SECURE_TSC) ? sim->default_tsc_khz : 0);
}

struct launch_update_args {
	uint64_t gfn_start, uaddr, len;
	uint8_t type;
};

static bool page_type_valid(uint8_t type)
{
	return type == KVM_SEV_SNP_PAGE_TYPE_NORMAL || type == KVM_SEV_SNP_PAGE_TYPE_ZERO ||
	       type == KVM_SEV_SNP_PAGE_TYPE_UNMEASURED || type == KVM_SEV_SNP_PAGE_TYPE_SECRETS ||
	       type == KVM_SEV_SNP_PAGE_TYPE_CPUID;
}

static bool test_bit(const uint8_t *map, uint64_t i)
{
	return map[i / 8] & (1u << (i % 8));
}

static void set_bit(uint8_t *map, uint64_t i)
{
	map[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* signal_pending(current) for the signal a fault injects into this LAUNCH_UPDATE: a
 * signal the calling thread blocks stays pending without interrupting anything. */
static bool signal_pending(struct sim *sim)
{
	int signo = sim_fault_signal(&sim->faults, sim->launch_update_calls);
	sigset_t blocked;

	if (!signo)
		return false;
	if (pthread_sigmask(SIG_BLOCK, NULL, &blocked) == 0 && sigismember(&blocked, signo))
		return false;
	return true;
}

/* The firmware's SNP_LAUNCH_UPDATE of one page (injected failures first), with the CPUID
 * page copied back to the source on INVALID_PARAM (sev_gmem_post_populate() fw_err). */
static int firmware_launch_update(struct sim *sim, uint8_t type, uint64_t gfn, uint8_t *page,
				  uint8_t *src, bool first, uint32_t *fw_error)
{
	bool reject_cpuid = false;
	int r;

	if (type == KVM_SEV_SNP_PAGE_TYPE_CPUID && sim->faults.cpuid_reject) {
		sim->faults.cpuid_reject = false;
		reject_cpuid = true;
	}
	if (first) {
		uint32_t inject = sim_fw_fault(&sim->faults, SIM_FW_LAUNCH_UPDATE,
					       sim->fw_calls[SIM_FW_LAUNCH_UPDATE]);
		if (inject) {
			*fw_error = inject;
			return -EIO;
		}
	}
	r = sim_psp_launch_update(&sim->psp, &sim->profile, type, gfn * SIM_PAGE_SIZE, page,
				  reject_cpuid, fw_error);
	/* "Copy this page back into the source buffer so userspace can use this information
	 * to provide information on which CPUID leaves/fields failed CPUID validation." */
	if (r < 0 && type == KVM_SEV_SNP_PAGE_TYPE_CPUID && *fw_error == SEV_RET_INVALID_PARAM &&
	    src)
		memcpy(src, page, SIM_PAGE_SIZE);
	return r;
}

static uint64_t slot_pages_from(const struct sim_slot *slot, uint64_t gfn)
{
	return slot->size / SIM_PAGE_SIZE - (gfn - slot->gpa / SIM_PAGE_SIZE);
}

static uint64_t gmem_index(const struct sim_slot *slot, uint64_t gfn)
{
	return slot->gmem_offset / SIM_PAGE_SIZE + (gfn - slot->gpa / SIM_PAGE_SIZE);
}

/*
 * copy_from_user() of one source page: returns how many bytes it could not copy (0: all),
 * having copied those before the first page that is not mapped (mincore() fails with
 * ENOMEM there). A mapped page without read permission also faults in the kernel; that is
 * not detected (docs/testing.md, simplification 8).
 */
static size_t copy_from_user_sim(uint8_t *dst, const uint8_t *src, size_t len)
{
	uintptr_t start = (uintptr_t)src, end = start + len, p;
	unsigned char vec;

	for (p = start & ~(uintptr_t)(SIM_PAGE_SIZE - 1); p < end; p += SIM_PAGE_SIZE) {
		if (mincore((void *)p, SIM_PAGE_SIZE, &vec) < 0 && errno == ENOMEM) {
			size_t ok = p > start ? p - start : 0;

			memcpy(dst, src, ok);
			return len - ok;
		}
	}
	memcpy(dst, src, len);
	return 0;
}

/*
 * kvm_gmem_populate() (6.11+) with sev_gmem_post_populate() as the callback: returns the
 * number of pages done, or -errno if the very first page failed ("return ret && !i ? ret
 * : i"). Per page: a pending signal -EINTR; populated before -EEXIST (the up-to-date folio
 * check of kvm_gmem_populate() before 7.0, and sev_gmem_post_populate()'s "ret = ret ?
 * -EINVAL : -EEXIST" for an RMP-assigned page; snp_launch_update() turns both into -EIO
 * with firmware status 0); not PRIVATE -EINVAL; no source for a type other than ZERO
 * -EINVAL (the WARN in sev_gmem_post_populate()); then the copy and the firmware.
 */
static long gmem_populate(struct sim *sim, struct sim_slot *slot, struct launch_update_args *a,
			  uint64_t npages, uint32_t *fw_error)
{
	uint8_t page[SIM_PAGE_SIZE];
	uint64_t i;
	long ret = 0;

	/* "npages = min_t(ulong, slot->npages - (start_gfn - slot->base_gfn), npages)":
	 * a range running past the memslot is done up to its end only. */
	if (npages > slot_pages_from(slot, a->gfn_start))
		npages = slot_pages_from(slot, a->gfn_start);
	for (i = 0; i < npages; i++) {
		uint64_t gfn = a->gfn_start + i;
		uint64_t index = gmem_index(slot, gfn);
		uint8_t *src = a->type == KVM_SEV_SNP_PAGE_TYPE_ZERO || !a->uaddr
				       ? NULL
				       : user_ptr(a->uaddr + i * SIM_PAGE_SIZE);

		if (sim->profile.rules.populate_checks_signal && signal_pending(sim)) {
			ret = -EINTR;
			break;
		}
		if (test_bit(slot->gmem->prepared, index)) {
			ret = -EEXIST;
			break;
		}
		/* "while (!kvm_range_has_memory_attributes(..., PRIVATE))": -EINVAL. */
		if (!sim_memory_range_is(&sim->mem, gfn, gfn + 1, true)) {
			ret = -EINVAL;
			break;
		}
		/* "WARN_ON_ONCE(type != KVM_SEV_SNP_PAGE_TYPE_ZERO && !src)": uaddr 0. */
		if (a->type != KVM_SEV_SNP_PAGE_TYPE_ZERO && !src) {
			ret = -EINVAL;
			break;
		}
		/* copy_from_user() of the source page for every type but ZERO ("ret =
		 * -EFAULT" when it faults; 7.0: get_user_pages_fast() fails); the firmware
		 * zeroes a ZERO page itself. */
		if (src && copy_from_user_sim(page, src, sizeof(page))) {
			ret = -EFAULT;
			break;
		}
		if (!src)
			memset(page, 0, sizeof(page));
		ret = firmware_launch_update(sim, a->type, gfn, page, src, i == 0, fw_error);
		if (ret < 0)
			break;
		ret = sim_gmem_write_page(slot->gmem, index, page);
		if (ret < 0)
			break;
		set_bit(slot->gmem->prepared, index);
	}
	return ret && !i ? ret : (long)i;
}

/*
 * The v12 series' kvm_gmem_populate() with its sev_gmem_post_populate(): the whole range
 * or an error, nothing written back. Per page: a GFN past the memslot's binding is -EIO
 * (__kvm_gmem_get_pfn()); the source is copied into the guest_memfd page before any check
 * ("if (args->do_memcpy && args->src) copy_from_user()"); a page not PRIVATE is -EINVAL;
 * an RMP-assigned page is skipped without a word ("if (ret || assigned) break" with ret
 * 0), so a repeated range is a silent no-op for ZERO pages and, for the others, a host
 * write into a guest-owned page. A source that faults ends the loop with copy_from_user()'s
 * count of bytes not copied, which kvm_gmem_populate() and snp_launch_update() return as
 * they are: the ioctl returns that positive count, firmware status 0.
 */
static int gmem_populate_v12(struct sim *sim, struct sim_slot *slot, struct launch_update_args *a,
			     uint64_t npages, uint32_t *fw_error)
{
	uint8_t page[SIM_PAGE_SIZE];
	uint64_t i;
	int r;

	for (i = 0; i < npages; i++) {
		uint64_t gfn = a->gfn_start + i;
		uint64_t index = gmem_index(slot, gfn);
		uint8_t *src = a->type == KVM_SEV_SNP_PAGE_TYPE_ZERO || !a->uaddr
				       ? NULL
				       : user_ptr(a->uaddr + i * SIM_PAGE_SIZE);
		size_t not_copied = 0;
		bool assigned;

		if (i >= slot_pages_from(slot, a->gfn_start))
			return -EIO;
		assigned = test_bit(slot->gmem->prepared, index);
		/* "ret = copy_from_user(pfn_to_kaddr(pfn), src, ...); if (ret) goto e_release":
		 * a source read fault copies nothing more and returns the bytes left. */
		if (src)
			not_copied = copy_from_user_sim(page, src, sizeof(page));
		if (not_copied == sizeof(page))
			return (int)not_copied;
		if (src && assigned) {
			/* copy_from_user() into a page the RMP gives to the guest: an RMP
			 * violation in the host kernel, which oopses. */
			snprintf(sim->host_fault, sizeof(sim->host_fault),
				 "RMP violation: v12 SNP_LAUNCH_UPDATE copied into the guest-owned "
				 "page at gfn 0x%llx (a real host oopses)",
				 (unsigned long long)gfn);
			return -EFAULT;
		}
		if (not_copied)
			return (int)not_copied;
		if (!src) {
			r = sim_gmem_read_page(slot->gmem, index, page);
			if (r < 0)
				return r;
		}
		if (!sim_memory_range_is(&sim->mem, gfn, gfn + 1, true))
			return -EINVAL;
		if (assigned)
			continue;
		if (a->type == KVM_SEV_SNP_PAGE_TYPE_ZERO)
			memset(page, 0, sizeof(page));
		r = firmware_launch_update(sim, a->type, gfn, page, src, i == 0, fw_error);
		if (r < 0)
			return r;
		r = sim_gmem_write_page(slot->gmem, index, page);
		if (r < 0)
			return r;
		set_bit(slot->gmem->prepared, index);
	}
	return 0;
}

static int read_launch_update(struct sim *sim, struct kvm_sev_cmd *cmd,
			      struct launch_update_args *a)
{
	if (sim->profile.abi == SIM_ABI_UPSTREAM) {
		struct kvm_sev_snp_launch_update up;

		memcpy(&up, user_ptr(cmd->data), sizeof(up));
		*a = (struct launch_update_args){ up.gfn_start, up.uaddr, up.len, up.type };
		return up.flags ? -EINVAL : 0;
	} else {
		struct kvm_sev_snp_v12_launch_update v12;

		memcpy(&v12, user_ptr(cmd->data), sizeof(v12));
		*a = (struct launch_update_args){ v12.gfn_start, v12.uaddr, v12.len, v12.type };
		return 0;
	}
}

/* "params.gfn_start += count; params.len -= count * PAGE_SIZE; if (params.type !=
 * KVM_SEV_SNP_PAGE_TYPE_ZERO) params.uaddr += count * PAGE_SIZE" and copy_to_user(). */
static void write_back_progress(struct kvm_sev_cmd *cmd, const struct launch_update_args *a,
				uint64_t count)
{
	struct kvm_sev_snp_launch_update up;

	memcpy(&up, user_ptr(cmd->data), sizeof(up));
	up.gfn_start = a->gfn_start + count;
	up.len = a->len - count * SIM_PAGE_SIZE;
	if (a->type != KVM_SEV_SNP_PAGE_TYPE_ZERO)
		up.uaddr = a->uaddr + count * SIM_PAGE_SIZE;
	memcpy(user_ptr(cmd->data), &up, sizeof(up));
}

/* snp_launch_update(): the v12 patch and 6.11 .. 7.0 (kernel_rules() says what differs). */
static int snp_launch_update(struct sim *sim, struct kvm_sev_cmd *cmd)
{
	const struct sim_kernel_rules *rules = &sim->profile.rules;
	struct launch_update_args a;
	struct sim_slot *slot;
	uint64_t npages;
	uint32_t fw = 0;
	long count;
	int r;

	/* "if (!sev_snp_guest(kvm) || !sev->snp_context) return -EINVAL". */
	if (!sim->sev_init || !sim->snp_context)
		return -EINVAL;
	if (!cmd->data)
		return -EFAULT;
	r = read_launch_update(sim, cmd, &a);
	/* "if (!params.len || !PAGE_ALIGNED(params.len) || params.flags || <type>)"; the
	 * "!params.len" from 6.18 on. */
	if (r < 0 || (rules->len0_rejected && !a.len) || !PAGE_ALIGNED(a.len) ||
	    !page_type_valid(a.type))
		return -EINVAL;
	/* 7.0: "src = params.type == ZERO ? NULL : params.uaddr; if (!PAGE_ALIGNED(src))
	 * return -EINVAL". Before, an unaligned source was copied as it was. */
	if (rules->uaddr_aligned && a.type != KVM_SEV_SNP_PAGE_TYPE_ZERO && !PAGE_ALIGNED(a.uaddr))
		return -EINVAL;
	/* "if (!kvm_slot_can_be_private(memslot)) return -EINVAL": checked for gfn_start. */
	slot = sim_memory_slot_of(&sim->mem, a.gfn_start);
	if (!slot || !slot->gmem)
		return -EINVAL;

	sim->launch_update_calls++;
	sim->fw_calls[SIM_FW_LAUNCH_UPDATE]++;
	/* amd-memory-encryption.rst: "-EAGAIN if caller should retry" (injected; no kernel
	 * version returns it). */
	if (sim_fault_hit(&sim->faults.launch_update_eagain, sim->launch_update_calls))
		return -EAGAIN;
	npages = a.len / SIM_PAGE_SIZE;

	if (!rules->launch_update_progress) {
		/* v12: "ret = kvm_gmem_populate(kvm, memslot, &populate_args); if (ret)
		 * argp->error = sev_populate_args.fw_error; return ret". */
		r = gmem_populate_v12(sim, slot, &a, npages, &fw);
		cmd->error = fw;
		return r;
	}
	/* 6.11 .. 6.17: len 0 populates nothing and writes the parameters back unchanged. */
	if (!npages) {
		write_back_progress(cmd, &a, 0);
		return 0;
	}
	/* Partial progress is legal: the command writes back what remains (injected). */
	if (sim_fault_hit(&sim->faults.launch_update_partial, sim->launch_update_calls) &&
	    npages > 1)
		npages /= 2;
	count = gmem_populate(sim, slot, &a, npages, &fw);
	if (count < 0) {
		/* "argp->error = sev_populate_args.fw_error; ... ret = -EIO" for any
		 * kvm_gmem_populate() failure, including -EEXIST, -EINVAL and -EINTR. */
		cmd->error = fw;
		return -EIO;
	}
	write_back_progress(cmd, &a, (uint64_t)count);
	return 0;
}

/* snp_launch_update_vmsa(): sev_es_sync_vmsa() + firmware LAUNCH_UPDATE(VMSA) per vCPU. */
static int launch_update_vmsa(struct sim *sim, struct sim_vcpu *v, uint32_t *fw_error)
{
	static const struct vmsa_host_facts host = { .cr4_mce = true };
	uint8_t page[SIM_PAGE_SIZE];
	int r;

	/* The VMSA KVM's sev_es_sync_vmsa() writes from the vCPU's state (the measurement
	 * library's model, include/snp/vmsa.h); SNPActive is added as KVM does. */
	r = vmsa_from_kvm_state(&v->state, sim->vmsa_features, &host, page);
	if (r < 0)
		return r;
	/* rmp_make_private(pfn, INITIAL_VMSA_GPA, ...) then SNP_LAUNCH_UPDATE with page
	 * type VMSA: measured at GPA 0xFFFFFFFFF000 (snp_launch_update_vmsa()). */
	r = sim_psp_launch_update(&sim->psp, &sim->profile, SNP_PAGE_VMSA, SNP_VMSA_GPA, page,
				  false, fw_error);
	if (r < 0)
		return r;
	v->protected_state = true;
	return 0;
}

/* snp_launch_finish(). */
static int snp_launch_finish(struct sim *sim, struct kvm_sev_cmd *cmd)
{
	uint8_t id_block[KVM_SEV_SNP_ID_BLOCK_SIZE], id_auth[KVM_SEV_SNP_ID_AUTH_SIZE];
	uint64_t id_block_uaddr, id_auth_uaddr;
	bool id_block_en, auth_key_en, vcek_disabled;
	uint8_t host_data[32];
	uint32_t fw = 0, inject;
	unsigned int i;
	int r;

	if (!sim->sev_init)
		return -ENOTTY;
	if (!sim->snp_context)
		return -EINVAL;
	if (!cmd->data)
		return -EFAULT;
	if (sim->profile.abi == SIM_ABI_UPSTREAM) {
		struct kvm_sev_snp_launch_finish f;

		memcpy(&f, user_ptr(cmd->data), sizeof(f));
		if (f.flags)
			return -EINVAL;
		id_block_uaddr = f.id_block_uaddr;
		id_auth_uaddr = f.id_auth_uaddr;
		id_block_en = f.id_block_en;
		auth_key_en = f.auth_key_en;
		vcek_disabled = f.vcek_disabled;
		memcpy(host_data, f.host_data, sizeof(host_data));
	} else {
		struct kvm_sev_snp_v12_launch_finish f;

		memcpy(&f, user_ptr(cmd->data), sizeof(f));
		id_block_uaddr = f.id_block_uaddr;
		id_auth_uaddr = f.id_auth_uaddr;
		id_block_en = f.id_block_en;
		auth_key_en = f.auth_key_en;
		vcek_disabled = f.vlek_required;
		memcpy(host_data, f.host_data, sizeof(host_data));
	}
	/* A second LAUNCH_FINISH: the VMSAs are already guest-owned (simplification:
	 * docs/sim.md). */
	if (sim->finished)
		return -EINVAL;

	/* "Measure all vCPUs using LAUNCH_UPDATE before finalizing the launch flow":
	 * upstream in kvm_for_each_vcpu order; v12 "Handle boot vCPU first to ensure
	 * consistent measurement of initial state" (vcpu_id 0 first). */
	if (sim->profile.abi == SIM_ABI_V12) {
		for (i = 0; i < sim->nr_vcpus; i++) {
			if (sim->vcpus[i].id != 0)
				continue;
			r = launch_update_vmsa(sim, &sim->vcpus[i], &fw);
			if (r < 0)
				goto out_fw;
		}
	}
	for (i = 0; i < sim->nr_vcpus; i++) {
		if (sim->profile.abi == SIM_ABI_V12 && sim->vcpus[i].id == 0)
			continue;
		r = launch_update_vmsa(sim, &sim->vcpus[i], &fw);
		if (r < 0)
			goto out_fw;
	}

	/* psp_copy_user_blob() of the ID block and ID auth when id_block_en, after the VMSAs
	 * were measured: "if (!uaddr || !len) return ERR_PTR(-EINVAL)"
	 * (drivers/crypto/ccp/sev-dev.c; the caller reads the same in 7.0 and v12 12/29). */
	memset(id_block, 0, sizeof(id_block));
	memset(id_auth, 0, sizeof(id_auth));
	if (id_block_en) {
		if (!id_block_uaddr || !id_auth_uaddr)
			return -EINVAL;
		memcpy(id_block, user_ptr(id_block_uaddr), sizeof(id_block));
		memcpy(id_auth, user_ptr(id_auth_uaddr), sizeof(id_auth));
	}
	inject = sim_fw_fault(&sim->faults, SIM_FW_LAUNCH_FINISH,
			      ++sim->fw_calls[SIM_FW_LAUNCH_FINISH]);
	if (inject) {
		cmd->error = inject;
		return -EIO;
	}
	r = sim_psp_launch_finish(&sim->psp, id_block, id_auth, id_block_en,
				  id_block_en && auth_key_en, vcek_disabled, host_data, &fw);
	cmd->error = fw;
	if (r < 0)
		return r;
	/* "if (!ret) kvm->arch.pre_fault_allowed = true". */
	sim->finished = true;
	return 0;

out_fw:
	cmd->error = fw;
	return r;
}

/* snp_enable_certs(): "if (!sev_snp_guest(kvm) || kvm->created_vcpus) return -EINVAL". */
static int snp_enable_req_certs(struct sim *sim)
{
	if (!sim->sev_init || sim->nr_vcpus)
		return -EINVAL;
	sim->req_certs = true;
	return 0;
}

static int sev_upstream(struct sim *sim, struct kvm_sev_cmd *cmd)
{
	/* "Once KVM_SEV_INIT2 initializes a KVM instance as an SNP guest, only allow the
	 * use of SNP-specific commands": id < KVM_SEV_SNP_LAUNCH_START is -EPERM. */
	if (sim->sev_init && cmd->id < KVM_SEV_SNP_LAUNCH_START)
		return -EPERM;
	switch (cmd->id) {
	case KVM_SEV_INIT2:
		sim->ioctls[SIM_IOC_SEV_INIT2]++;
		return sev_init2(sim, cmd);
	case KVM_SEV_SNP_LAUNCH_START:
		sim->ioctls[SIM_IOC_SNP_LAUNCH_START]++;
		return snp_launch_start(sim, cmd);
	case KVM_SEV_SNP_LAUNCH_UPDATE:
		sim->ioctls[SIM_IOC_SNP_LAUNCH_UPDATE]++;
		return snp_launch_update(sim, cmd);
	case KVM_SEV_SNP_LAUNCH_FINISH:
		sim->ioctls[SIM_IOC_SNP_LAUNCH_FINISH]++;
		return snp_launch_finish(sim, cmd);
	case KVM_SEV_SNP_ENABLE_REQ_CERTS:
		sim->ioctls[SIM_IOC_SNP_ENABLE_REQ_CERTS]++;
		/* Only kernels with the certificate exit know id 103: "default: -EINVAL". */
		if (!sim->profile.rules.has_req_certs)
			return -EINVAL;
		return snp_enable_req_certs(sim);
	default:
		break;
	}
	sim->ioctls[SIM_IOC_SEV_OTHER]++;
	/* Before INIT2: KVM_SEV_INIT/ES_INIT refuse non-DEFAULT VM types (-EINVAL); the
	 * other legacy commands find no SEV guest ("if (!sev_guest(kvm)) return -ENOTTY").
	 * Unknown ids: "default: r = -EINVAL". */
	if (cmd->id == KVM_SEV_INIT || cmd->id == KVM_SEV_ES_INIT)
		return -EINVAL;
	if (cmd->id < KVM_SEV_INIT2)
		return -ENOTTY;
	return -EINVAL;
}

static int sev_v12(struct sim *sim, struct kvm_sev_cmd *cmd)
{
	switch (cmd->id) {
	case KVM_SEV_INIT2:
		sim->ioctls[SIM_IOC_SEV_INIT2]++;
		return sev_init2(sim, cmd);
	case KVM_SEV_SNP_V12_LAUNCH_START:
		sim->ioctls[SIM_IOC_SNP_LAUNCH_START]++;
		return snp_launch_start_v12(sim, cmd);
	case KVM_SEV_SNP_V12_LAUNCH_UPDATE:
		sim->ioctls[SIM_IOC_SNP_LAUNCH_UPDATE]++;
		return snp_launch_update(sim, cmd);
	case KVM_SEV_SNP_V12_LAUNCH_FINISH:
		sim->ioctls[SIM_IOC_SNP_LAUNCH_FINISH]++;
		return snp_launch_finish(sim, cmd);
	default:
		break;
	}
	sim->ioctls[SIM_IOC_SEV_OTHER]++;
	/* v12's enum ends at 25: 100.. are unknown ("default: r = -EINVAL"), which is how a VMM
	 * tells the ABIs apart ([PATCH v12 10/29] enum sev_cmd_id). Legacy ids as upstream before
	 * INIT2; after it, -EINVAL (simplification: docs/sim.md). */
	if (cmd->id == KVM_SEV_INIT || cmd->id == KVM_SEV_ES_INIT)
		return -EINVAL;
	if (cmd->id < KVM_SEV_INIT2 && !sim->sev_init)
		return -ENOTTY;
	return -EINVAL;
}

int sim_sev_ioctl(struct sim *sim, struct kvm_sev_cmd *cmd)
{
	int r;

	cmd->error = 0;
	/* sev_mem_enc_ioctl(): "if (!sev_enabled) return -ENOTTY"; a VM without SEV
	 * has no KVM_MEMORY_ENCRYPT_OP. */
	if (!sim->vm_created || sim->vm_type != KVM_X86_SNP_VM)
		return -ENOTTY;
	if (sim->profile.abi == SIM_ABI_UPSTREAM)
		r = sev_upstream(sim, cmd);
	else
		r = sev_v12(sim, cmd);
	return r;
}
