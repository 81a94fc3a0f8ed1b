// SPDX-License-Identifier: MIT
/*
 * The digest depends only on the options and images and on two host facts the caller
 * states: the C-bit position (default 51) and the VMSA features (sev_features and Secure
 * TSC, none by default, exactly as the launch takes them).
 */
#include "vmm/measure.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/boot_images.h"
#include "vmm/memory.h"

/* The CPUID page's contents are not measured (56860 PAGE_INFO: CONTENTS is zero for a
 * CPUID page; sev-snp-measure gctx.py update_cpuid_page()); the plan only needs
 * the leaves a guest cannot do without, so any table with them gives the same digest. */
static void minimal_cpuid(struct kvm_cpuid2 *c)
{
	c->nent = 3;
	c->entries[0] = (struct kvm_cpuid_entry2){ .function = 0x0, .eax = 0x10 };
	c->entries[1] = (struct kvm_cpuid_entry2){ .function = 0x80000000, .eax = 0x80000021 };
	c->entries[2] = (struct kvm_cpuid_entry2){ .function = 0x8000001f, .eax = 0x1b };
}

int measure_launch(const struct vmm_options *o, const struct measure_hooks *hooks,
		   uint8_t ret_ld[SNP_LD_SIZE], struct diag *d)
{
	union {
		struct kvm_cpuid2 hdr;
		uint8_t bytes[sizeof(struct kvm_cpuid2) + 4 * sizeof(struct kvm_cpuid_entry2)];
	} cpuid;
	struct boot_images images = { .nr_setup_data = 0 };
	struct boot_setup_data sd[OPT_MAX_SETUP_DATA];
	struct launch_digest ld = { 0 };
	struct snp_plan plan = { .nr_ranges = 0 };
	struct byte_source payload;
	struct image_sources sources;
	struct snp_plan_config cfg;
	struct mem_layout layout;
	uint64_t features = o->snp.sev_features | (o->snp.secure_tsc ? SVM_SEV_FEAT_SECURE_TSC : 0);
	int r;

	if (o->no_snp || o->sim.profile)
		return diag_fail(d, -EINVAL,
				 "a plain or a simulated launch is not an input of the digest: "
				 "measure the same configuration without it");
	if (o->tamper_staging)
		return diag_fail_field(d, -EINVAL, "debug_tamper_staging",
				       "debug_tamper_staging is a launch test setting, not an "
				       "input of the digest");
	mem_layout_compute(o->mem_size, &layout);
	/* The launch's own loader: the same size checks before anything is read, and only the
	 * kernel's header read here; the images are streamed when hashed. */
	r = boot_images_load(o, layout.regions, layout.nr, &images, d);
	if (r < 0)
		return r;
	boot_images_setup_data(o, &images, sd);
	minimal_cpuid(&cpuid.hdr);
	cfg = (struct snp_plan_config){
		.boot = {
			.kernel = images.kernel_head,
			.kernel_size = images.kernel.size,
			.kernel_head_len = images.kernel_head_len,
			.initrd_size = o->initrd ? images.initrd.size : 0,
			.cmdline = o->append,
			.ram = layout.regions,
			.nr_ram = layout.nr,
			.nr_cpus = o->smp,
			.setup_data = sd,
			.nr_setup_data = o->nr_setup_data,
		},
		.cbitpos = o->snp.cbitpos >= 0 ? (uint32_t)o->snp.cbitpos : MEASURE_DEFAULT_CBITPOS,
		.cpuid = &cpuid.hdr,
		.mode = o->boot_mode,
	};
	r = snp_plan_build(&cfg, &plan, d);
	if (r < 0)
		goto out;
	payload = source_view(&images.kernel, plan.boot.kernel.payload_offset,
			      plan.boot.kernel.payload_size);
	sources = (struct image_sources){ &payload, o->initrd ? &images.initrd : NULL };
	r = snp_plan_hash_images(&plan, &sources, d);
	if (r < 0)
		goto out;
	r = launch_digest_init(&ld, NULL);
	if (r < 0) {
		r = diag_fail(d, r, "SHA-384 is unavailable: %s", strerror(-r));
		goto out;
	}
	if (hooks && hooks->trace)
		launch_digest_set_trace(&ld, hooks->trace, hooks->trace_opaque);
	r = snp_plan_measure(&plan, &sources, o->smp, features, &ld, d);
	if (r < 0) {
		if (!d || !d->msg[0])
			r = diag_fail(d, r, "measuring failed: %s", strerror(-r));
		goto out;
	}
	if (hooks && hooks->with_plan) {
		r = hooks->with_plan(hooks->plan_opaque, &plan, o->smp, features, d);
		if (r < 0)
			goto out;
	}
	memcpy(ret_ld, ld.ld, SNP_LD_SIZE);
	r = 0;
out:
	launch_digest_fini(&ld);
	snp_plan_free(&plan);
	boot_images_free(&images);
	return r;
}
