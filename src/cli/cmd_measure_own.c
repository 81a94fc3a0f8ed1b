// SPDX-License-Identifier: MIT
/*
 * `snpvmm measure` for snpvmm's own firmware-less layout: the launch options of a real
 * launch (run's option table, which measure's includes, and options_check()), the same
 * plan (snp_plan_build) and the same measurement code (snp_plan_measure) the launch uses
 * to predict its digest, so the two cannot drift. The digest depends only on the options
 * and images and on two host facts the user states: the C-bit position (default 51, the
 * value on every SNP-capable EPYC generation) and the VMSA features (--sev-features and
 * --secure-tsc, none by default, exactly as the launch takes them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "snp/launch_digest.h"
#include "util/file.h"
#include "vmm/measure.h"
#include "vmm/snp_plan.h"

static int fail(int status, const char *msg)
{
	fprintf(stderr, "snpvmm measure: %s\n", msg);
	return status;
}

static void trace_step(void *opaque, const struct launch_digest_step *step)
{
	char line[LAUNCH_DIGEST_TRACE_LINE_MAX];

	if (launch_digest_step_format(step, line, sizeof(line)) >= 0)
		fprintf(opaque, "%s\n", line);
}

/* Writes DIR/vmsa0.bin ... (BSP first), the pages KVM will measure. */
static int dump_vmsas(const struct snp_plan *plan, uint32_t nr, uint64_t features, const char *dir,
		      struct diag *d)
{
	uint8_t page[4096];
	char path[4096];
	uint32_t i;
	FILE *f;

	for (i = 0; i < nr; i++) {
		int r = snp_plan_vmsa(plan, i, features, page);

		if (r < 0)
			return diag_fail(d, r, "building the VMSA of vCPU %u failed", i);
		snprintf(path, sizeof(path), "%s/vmsa%u.bin", dir, i);
		r = file_create_stream(path, "VMSA file", &f, d);
		if (r < 0)
			return r;
		if (fwrite(page, sizeof(page), 1, f) != 1) {
			r = -errno;
			fclose(f);
			return diag_fail(d, r, "cannot write '%s': %s", path, strerror(-r));
		}
		if (fclose(f))
			return diag_fail(d, -errno, "cannot write '%s': %s", path, strerror(errno));
	}
	return 0;
}

static int dump_hook(void *opaque, const struct snp_plan *plan, uint32_t nr, uint64_t features,
		     struct diag *d)
{
	return dump_vmsas(plan, nr, features, opaque, d);
}

int measure_own_digest(const struct vmm_options *o, const char *trace_path, const char *vmsa_dir,
		       uint8_t ret_ld[SNP_LD_SIZE])
{
	struct diag d = { "" };
	struct measure_hooks hooks = { .with_plan = vmsa_dir ? dump_hook : NULL,
				       .plan_opaque = (void *)vmsa_dir };
	FILE *trace = NULL;
	int r, status = 1;

	if (options_check(o, &d) < 0)
		return fail(EXIT_USAGE, d.msg);
	if (o->no_snp || o->sim.profile)
		return fail(EXIT_USAGE, "--no-snp and --sim are launch modes, not inputs of the "
					"digest: measure the same options without them");
	if (o->tamper_staging)
		return fail(EXIT_USAGE, "--debug-tamper-staging is a launch test option, not an "
					"input of the digest");
	if (trace_path) {
		trace = stdout;
		if (strcmp(trace_path, "-") &&
		    file_create_stream(trace_path, "trace file", &trace, &d) < 0)
			goto out;
		fprintf(trace, "%s\n", LAUNCH_DIGEST_TRACE_HEADER);
		hooks.trace = trace_step;
		hooks.trace_opaque = trace;
	}
	r = measure_launch(o, &hooks, ret_ld, &d);
	if (r < 0) {
		if (!d.msg[0])
			snprintf(d.msg, sizeof(d.msg), "measuring failed: %s", strerror(-r));
		goto out;
	}
	/* Every write is checked: a trace that did not reach its file must not end in exit
	 * status 0. */
	if (trace && trace != stdout && fclose(trace) != 0) {
		trace = NULL;
		snprintf(d.msg, sizeof(d.msg), "cannot write the trace '%s': %s", trace_path,
			 strerror(errno));
		goto out;
	}
	trace = NULL;
	status = 0;
out:
	if (status)
		(void)fail(1, cli_diag_text(&d));
	if (trace && trace != stdout)
		fclose(trace);
	return status;
}
