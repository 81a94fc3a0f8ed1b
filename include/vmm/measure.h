/* SPDX-License-Identifier: MIT */
/*
 * The launch digest of snpvmm's own layout, predicted without a kernel: the launch's own
 * image loader (boot_images.c), plan (snp_plan_build) and measurement (snp_plan_measure),
 * so `snpvmm measure`, snpvmm_measure() and a launch cannot drift apart. Pure apart from
 * reading the images.
 */
#ifndef SNPVMM_VMM_MEASURE_H
#define SNPVMM_VMM_MEASURE_H

#include <stdint.h>

#include "snp/launch_digest.h"
#include "util/diag.h"
#include "vmm/options.h"
#include "vmm/snp_plan.h"

/* The C-bit position when the caller states none: every SNP-capable EPYC's. */
#define MEASURE_DEFAULT_CBITPOS 51

struct measure_hooks {
	launch_digest_trace_fn trace; /* every PAGE_INFO step, or NULL */
	void *trace_opaque;
	/* Called with the plan once measured (e.g. to write its VMSAs), or NULL. */
	int (*with_plan)(void *opaque, const struct snp_plan *plan, uint32_t nr_vcpus,
			 uint64_t vmsa_features, struct diag *d);
	void *plan_opaque;
};

/* -EINVAL for a launch that is not SNP or is simulated (not inputs of the digest), -errno
 * of the images, with d saying why. */
int measure_launch(const struct vmm_options *o, const struct measure_hooks *hooks,
		   uint8_t ret_ld[SNP_LD_SIZE], struct diag *d) __attribute__((warn_unused_result));

#endif /* SNPVMM_VMM_MEASURE_H */
