// SPDX-License-Identifier: MIT
/*
 * The SEV-SNP launch, in the order KVM requires (amd-memory-encryption.rst; QEMU
 * target/i386/sev.c and tools/testing/selftests/kvm/lib/x86/sev.c do the same; see
 * docs/snp-launch.md):
 *
 *   host checks -> decisions (C-bit, features, policy, ...) -> plan -> predicted digest
 *   -> ID block checked against it -> KVM_CREATE_VM(SNP) -> VM capabilities
 *   -> KVM_SET_TSC_KHZ -> KVM_SEV_INIT2 -> SNP_LAUNCH_START (ABI detected)
 *   -> KVM_CAP_EXIT_HYPERCALL / REQ_CERTS (as the ABI in effect needs)
 *   -> irqchip -> guest_memfd RAM -> plan copied -> private attributes
 *   -> SNP_LAUNCH_UPDATE per range -> vCPUs + registers -> SNP_LAUNCH_FINISH
 *
 * Everything that decides what is measured lives in the pure plan (snp_plan.c), and every
 * other choice of the launch -- VM type, C-bit, features, policy, ABI, GOSVW, TSC, what to
 * enable after LAUNCH_START, the finish parameters -- in the pure decisions (snp_decide.c);
 * this file only executes them, so the digest predicted from the plan is the digest the
 * PSP computes.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/psp_sev.h"
#include "sev/sev_fw.h"
#include "snp/certs.h"
#include "snp/certs_lock.h"
#include "snp/idblock.h"
#include "snp/snp_cpuid.h"
#include "snp/snp_launch.h"
#include "util/base64.h"
#include "vmm/backend.h"
#include "vmm/snp_decide.h"
#include "vmm/snp_host.h"
#include "vmm/vm_internal.h"

static const char *param_or_unreadable(const char *param)
{
	return param[0] ? param : "unreadable";
}

/* The firmware's version, for the control socket's query-sev (QEMU reads it at start
 * too: target/i386/sev.c sev_common_kvm_init()). Read once here, so a query never goes
 * to the host. It decides nothing in the launch, so a host that cannot answer (no
 * /dev/sev, a failed command) leaves it unknown rather than failing the launch. */
static void read_firmware_version(struct kvm_backend *be, bool has_sev_device,
				  struct snp_firmware_version *ret)
{
	struct snp_platform_status st = { 0 };
	uint32_t fw = 0;

	*ret = (struct snp_firmware_version){ .known = false };
	if (!has_sev_device)
		return;
	if (be->ops->sev_platform_cmd(be, SEV_CMD_SNP_PLATFORM_STATUS, &st, &fw) < 0 || fw)
		return;
	ret->known = true;
	ret->api_major = st.api_major;
	ret->api_minor = st.api_minor;
	ret->build_id = st.build_id;
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
	if (!(f.cpuid_8000001f[0] & SNP_CPUID_EAX_SNP))
		return diag_fail(d, -ENODEV,
				 "SEV-SNP is unavailable: the CPU does not report SEV-SNP (CPUID "
				 "0x8000001F EAX bit 4); launch a plain KVM guest without SNP "
				 "or use a simulated SNP host");
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
	h->cpuid_8000001f_eax = f.cpuid_8000001f[0];
	h->cbitpos = f.cpuid_8000001f[1] & 0x3f;
	h->reduced_phys_bits = (f.cpuid_8000001f[1] >> 6) & 0x3f;
	h->smt_active = f.smt_active;
	memcpy(h->kvm_amd_debug_swap, f.kvm_amd_debug_swap, sizeof(h->kvm_amd_debug_swap));
	h->vm_tsc_control = be->ops->check_extension(be, false, KVM_CAP_VM_TSC_CONTROL) > 0;
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
	read_firmware_version(be, f.has_sev_device, &h->firmware);
	return 0;
}

/* --id-block / --id-auth: base64 inline, as QEMU's sev-snp-guest id-block= and id-auth=
 * take it (and Kata passes it), or a file holding the raw structure or its base64. A file
 * of that name wins over the inline reading. */
static int read_id_file(const char *arg, const char *what, size_t want, uint8_t **ret,
			struct diag *d)
{
	struct file_map m = { 0 };
	struct diag why = { "" };
	uint8_t *out = calloc(1, want);
	int r;

	if (!out)
		return -ENOMEM;
	/* Raw, or base64 (4 characters per 3 bytes) with line breaks: never twice as much. */
	r = file_map_open(arg, what, 2 * want + 4096, &m, &why);
	if ((r == -ENOENT || r == -ENAMETOOLONG) &&
	    base64_decode_exact(arg, strlen(arg), out, want) == 0)
		goto out_ok;
	if (r == -ENOENT || r == -ENAMETOOLONG) {
		r = diag_fail(d, r, "%s '%.64s%s' is neither a file nor base64 of %zu bytes", what,
			      arg, strlen(arg) > 64 ? "..." : "", want);
		goto out_free;
	}
	if (r < 0) {
		r = diag_fail(d, r, "%s", why.msg);
		goto out_free;
	}
	if (m.size == want)
		memcpy(out, m.data, want);
	else if (base64_decode_exact((const char *)m.data, m.size, out, want) < 0) {
		r = diag_fail(
			d, -EINVAL,
			"%s '%s' is neither %zu raw bytes nor their base64 (it has %zu bytes)",
			what, arg, want, m.size);
		goto out_free;
	}
out_ok:
	*ret = out;
	out = NULL;
	r = 0;
out_free:
	free(out);
	file_map_close(&m);
	return r;
}

/* An ID block the PSP would refuse at LAUNCH_FINISH -- after the whole launch -- is
 * refused before anything is created: its digest must be the one predicted, its policy the
 * launch's, its version 1 (SEV-SNP ABI 56860 SNP_LAUNCH_FINISH: BAD_MEASUREMENT,
 * POLICY_FAILURE, INVALID_PARAM). The signature is the firmware's to check. */
static int check_id_block(const struct vm *vm, struct diag *d)
{
	struct snp_id_block b;
	char want[2 * SNP_LD_SIZE + 1], got[2 * SNP_LD_SIZE + 1];

	memcpy(&b, vm->snp.id_block, sizeof(b));
	if (memcmp(b.ld, vm->snp.measurement, SNP_LD_SIZE)) {
		snp_hex(b.ld, SNP_LD_SIZE, got);
		snp_hex(vm->snp.measurement, SNP_LD_SIZE, want);
		return diag_fail(d, -EINVAL,
				 "the ID block is for launch digest %s, but this launch measures "
				 "%s: the firmware would refuse it (BAD_MEASUREMENT)",
				 got, want);
	}
	if (b.policy != vm->snp.policy)
		return diag_fail(d, -EINVAL,
				 "the ID block is for policy 0x%llx, but this launch uses policy "
				 "0x%llx: the firmware would refuse it",
				 (unsigned long long)b.policy, (unsigned long long)vm->snp.policy);
	if (b.version != SNP_ID_BLOCK_VERSION)
		return diag_fail(d, -EINVAL,
				 "the ID block has version %u; the firmware takes only version %u",
				 b.version, SNP_ID_BLOCK_VERSION);
	return 0;
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
	if (d)
		d->fw_error = fw;
	if (fw)
		return diag_fail(d, r, "%s failed: firmware error %s (0x%x)", cmd,
				 sev_fw_strerror(fw), fw);
	return diag_fail(d, r, "%s failed: %s", cmd, strerror(-r));
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

/* The images are streamed from their files here (nothing is in guest memory yet); the
 * launch later reads the same bytes into guest memory and checks they are the ones
 * predicted (vm_load_boot() against vm->snp.image_sha384). */
static int predict_measurement(struct vm *vm, const struct image_sources *images, uint32_t nr_vcpus,
			       struct diag *d)
{
	struct launch_digest ld = { 0 };
	char hex[2 * SNP_LD_SIZE + 1];
	int r;

	r = launch_digest_init(&ld, NULL);
	if (r >= 0)
		r = snp_plan_measure(&vm->snp.plan, images, nr_vcpus, vm->snp.vmsa_features, &ld,
				     d);
	if (r >= 0)
		memcpy(vm->snp.measurement, ld.ld, SNP_LD_SIZE);
	launch_digest_fini(&ld);
	if (r < 0 && d && d->msg[0])
		return r;
	if (r < 0)
		return diag_fail(d, r, "computing the launch measurement failed: %s", strerror(-r));
	snp_hex(vm->snp.measurement, SNP_LD_SIZE, hex);
	events_emit(vm->events, SNPVMM_EVENT_MEASUREMENT,
		    (struct snpvmm_event_field[]){ EV_STR("measurement", hex) }, 1);
	return 0;
}

static int finish(struct vm *vm, const struct snp_launch_decisions *dec, struct diag *d)
{
	struct snp_finish_params fp = dec->finish;
	uint32_t fw;
	int r;

	fp.id_block = vm->snp.id_block;
	fp.id_auth = vm->snp.id_auth;
	r = snp_launch_finish(vm->be, vm->snp.abi, &fp, &fw);
	if (r < 0)
		return fw_fail(d, r, "SNP_LAUNCH_FINISH", fw);
	return 0;
}

/* What the VM itself must offer, asked once it exists (KVM answers per VM type). */
static int check_vm(struct kvm_backend *be, struct diag *d)
{
	int attrs = be->ops->check_extension(be, true, KVM_CAP_MEMORY_ATTRIBUTES);

	/* kvm_supported_mem_attributes(): PRIVATE for a VM with private memory, 0 when
	 * memory attributes are not tracked per VM -- the mode the guest_memfd in-place
	 * conversion series adds (kvm.vm_memory_attributes=0), where they live on the
	 * guest_memfd instead. Every launch here needs KVM_SET_MEMORY_ATTRIBUTES. */
	if (attrs < 0 || !(attrs & KVM_MEMORY_ATTRIBUTE_PRIVATE))
		return diag_fail(d, -ENOTSUP,
				 "the kernel does not track private memory per VM "
				 "(KVM_CAP_MEMORY_ATTRIBUTES = 0x%x on an SNP VM): snpvmm needs "
				 "KVM_SET_MEMORY_ATTRIBUTES (is kvm.vm_memory_attributes off?)",
				 attrs < 0 ? 0 : attrs);
	return 0;
}

/* The plan and its digest need only the options, the images and KVM's CPUID, so they are
 * known before anything is created: an ID block that cannot match is refused first. */
static int plan_and_predict(struct vm *vm, const struct vmm_options *o,
			    const struct snp_launch_decisions *dec, struct mem_layout *layout,
			    struct diag *d)
{
	struct boot_setup_data sd[OPT_MAX_SETUP_DATA];
	struct snp_plan_config cfg = { .cbitpos = dec->cbitpos, .mode = o->boot_mode };
	struct cpuid_table *bsp_cpuid;
	struct byte_source payload;
	struct image_sources images;
	int r;

	mem_layout_compute(o->mem_size, layout);
	bsp_cpuid = calloc(1, sizeof(*bsp_cpuid));
	if (!bsp_cpuid)
		return -ENOMEM;
	r = vm_vcpu_cpuid(vm, 0, o->smp, true, bsp_cpuid, d);
	if (r >= 0) {
		vm_boot_config(vm, o, layout, sd, &cfg.boot);
		cfg.cpuid = &bsp_cpuid->hdr;
		r = snp_plan_build(&cfg, &vm->snp.plan, d);
	}
	free(bsp_cpuid);
	if (r < 0)
		return r;
	vm->snp.have_plan = true;
	payload = source_view(&vm->images.kernel, vm->snp.plan.boot.kernel.payload_offset,
			      vm->snp.plan.boot.kernel.payload_size);
	images = (struct image_sources){ &payload, o->initrd ? &vm->images.initrd : NULL };
	r = vm_hash_images(vm, &vm->snp.plan, &images, d);
	if (r >= 0)
		r = predict_measurement(vm, &images, o->smp, d);
	if (r >= 0 && vm->snp.id_block)
		r = check_id_block(vm, d);
	return r;
}

/* KVM_SEV_INIT2 and SNP_LAUNCH_START, with what must precede them, then what the ABI in
 * effect needs enabled before any vCPU exists. */
static int start_launch(struct vm *vm, const struct snp_options *so,
			const struct snp_launch_decisions *dec, const struct snp_host *h,
			struct diag *d)
{
	struct kvm_backend *be = vm->be;
	struct snp_after_start after;
	uint32_t fw;
	int r;

	r = be->ops->create_vm(be, dec->vm_type);
	if (r < 0)
		return diag_fail(d, r, "KVM_CREATE_VM(KVM_X86_SNP_VM) failed: %s", strerror(-r));
	r = check_vm(be, d);
	if (r < 0)
		return r;
	if (dec->tsc_khz) {
		/* No UAPI field carries the Secure TSC frequency: snp_launch_start() (6.18)
		 * passes the VM's default_tsc_khz, which only KVM_SET_TSC_KHZ on the VM fd
		 * sets, and only before any vCPU exists (x86.c kvm_arch_vm_ioctl). */
		r = be->ops->vm_set_tsc_khz(be, dec->tsc_khz);
		if (r < 0)
			return diag_fail(d, r, "KVM_SET_TSC_KHZ(%u kHz) on the VM failed: %s",
					 dec->tsc_khz, strerror(-r));
	}
	r = snp_init2(be, dec->vmsa_features, &fw);
	if (r < 0)
		return fw_fail(d, r, "KVM_SEV_INIT2", fw);
	vm->snp.abi = dec->abi;
	r = snp_launch_start(be, &vm->snp.abi, dec->policy, dec->gosvw, &fw);
	if (r < 0)
		return snp_launch_start_refused(d, r, fw, so->abi, vm->snp.abi, dec->policy, h);
	r = snp_after_start_decide(dec, vm->snp.abi, &after, d);
	if (r < 0)
		return r;
	if (after.exit_map_gpa_range) {
		struct kvm_enable_cap cap = {
			.cap = KVM_CAP_EXIT_HYPERCALL,
			.args = { 1ULL << KVM_HC_MAP_GPA_RANGE },
		};

		r = be->ops->enable_cap(be, &cap);
		if (r < 0)
			return diag_fail(d, r, "enabling KVM_HC_MAP_GPA_RANGE exits failed: %s",
					 strerror(-r));
	}
	if (after.req_certs) {
		uint64_t supported = 0;

		/* Asked only here, as only an upstream kernel may have the attribute. */
		if (be->ops->get_device_attr(be, KVM_X86_GRP_SEV, KVM_X86_SEV_SNP_REQ_CERTS,
					     &supported) < 0 ||
		    supported != 1)
			return snp_req_certs_unsupported(d);
		r = snp_enable_req_certs(be, &fw);
		if (r < 0)
			return fw_fail(d, r, "KVM_SEV_SNP_ENABLE_REQ_CERTS", fw);
	}
	return 0;
}

int vm_snp_setup(struct vm *vm, const struct vmm_options *o, struct diag *d)
{
	const struct snp_options *so = &o->snp;
	struct kvm_backend *be = vm->be;
	struct snp_launch_decisions dec;
	struct vm_loaded_images loaded;
	struct mem_layout layout;
	struct snp_host h;
	int r;

	vm->snp.enabled = true;
	r = check_host(be, &h, d);
	if (r < 0)
		return r;
	events_emit(vm->events, SNPVMM_EVENT_HOST_CHECKED,
		    (struct snpvmm_event_field[]){ EV_UINT("cbitpos", h.cbitpos),
						   EV_UINT("vmsa_features", h.vmsa_features) },
		    2);
	vm_phase_done(vm, "host-checks");
	vm->snp.firmware = h.firmware;
	r = snp_launch_decide(so, &h, &dec, d);
	if (r < 0)
		return r;
	vm->snp.cbitpos = dec.cbitpos;
	vm->snp.vmsa_features = dec.vmsa_features;
	vm->snp.policy = dec.policy;
	if (dec.read_id_block)
		r = read_id_file(so->id_block_path, "ID block", SNP_ID_BLOCK_SIZE,
				 &vm->snp.id_block, d);
	if (r >= 0 && dec.read_id_auth)
		r = read_id_file(so->id_auth_path, "ID auth", SNP_ID_AUTH_SIZE, &vm->snp.id_auth,
				 d);
	if (r >= 0 && dec.certs)
		r = check_certs(vm, so->certs_path, d);
	if (r >= 0)
		r = plan_and_predict(vm, o, &dec, &layout, d);
	if (r >= 0)
		vm_phase_done(vm, "plan");
	if (r >= 0)
		r = start_launch(vm, so, &dec, &h, d);
	if (r < 0)
		return r;
	vm_phase_done(vm, "launch-start");

	r = be->ops->create_irqchip(be);
	if (r < 0)
		return diag_fail(d, r, "creating the in-kernel interrupt controllers failed: %s",
				 strerror(-r));
	r = guest_memory_create(be, &layout, o->mem_backend, true, &vm->mem, d);
	if (r >= 0)
		r = vm_load_boot(vm, &vm->snp.plan.boot, vm->snp.plan.segs, vm->snp.plan.nr_segs,
				 o->boot_mode == BOOT_MODE_HASHES ? &vm->snp.plan.stage : NULL,
				 &loaded, d);
	if (r >= 0)
		vm_phase_done(vm, "memory");
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
		vm_phase_done(vm, "launch-update");
	if (r >= 0)
		r = setup_vcpus(vm, o->smp, d);
	if (r >= 0)
		r = finish(vm, &dec, d);
	if (r >= 0)
		vm_phase_done(vm, "launch-finish");
	return r;
}
