// SPDX-License-Identifier: MIT
/*
 * Names for the reasons a guest gives when it asks to be terminated (GHCB spec
 * "Termination Request": reason code set and code), as a user needs them in the one line
 * snpvmm prints: the GHCB's own set 0, Linux's set 1 (arch/x86/include/asm/sev-common.h
 * SEV_TERM_SET_GEN, SEV_TERM_SET_LINUX, GHCB_TERM_*), snpvmm's boot stage
 * (STAGE_TERM_SET) and the simulated host's scripted guest.
 */
#include "sim/sim.h"
#include "stage/stage_params.h"
#include "vmm/stage_plan.h"
#include "vmm/vm_internal.h"

const char *vm_term_reason_name(unsigned int set, unsigned int code)
{
	static const char *const set0[] = { "general request", "protocol version unsupported",
					    "SNP features unsupported" };
	static const char *const set1[] = { "GHCB registration", "page-state change",
					    "PVALIDATE",	 "not at VMPL0",
					    "CPUID table",	 "CPUID from the hypervisor",
					    "secrets page",	 "no SVSM",
					    "SVSM at VMPL0",	 "SVSM CAA",
					    "Secure TSC",	 "SVSM CA remap",
					    "Secure AVIC" };
	const char *stage;

	if (set == 0 && code < sizeof(set0) / sizeof(set0[0]))
		return set0[code];
	if (set == 1 && code < sizeof(set1) / sizeof(set1[0]))
		return set1[code];
	if (set == STAGE_TERM_SET && (stage = stage_term_reason(code)))
		return stage;
	if (set == SIM_TERM_REASON_SET && code == SIM_TERM_EXPECTATION_FAILED)
		return "simulated guest: an expectation failed";
	return "unknown reason";
}
