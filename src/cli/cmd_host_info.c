// SPDX-License-Identifier: MIT
/*
 * `snpvmm host-info`: whether this host (or a simulated one) can launch SEV-SNP guests,
 * with each fact it rests on (CPUID 0x8000001F, AMD APM Vol. 3; the kvm_amd sev_snp
 * parameter, which sev.c sev_hardware_setup() overwrites with the effective value; the
 * KVM_X86_SNP_VM bit of KVM_CAP_VM_TYPES, api.rst) and a one-line verdict naming what is
 * missing. Exit status 0 when ready, 1 when not.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "abi/psp_sev.h"
#include "cli/commands.h"
#include "sev/sev_fw.h"
#include "sim/sim.h"
#include "vmm/backend.h"
#include "vmm/options.h"

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static const char *param(const char *v)
{
	return v[0] ? v : "(not loaded)";
}

static void print_features(uint64_t mask)
{
	unsigned int bit;
	bool any = false;

	for (bit = 0; bit < 64; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		printf("%s%s", any ? "," : " (",
		       sev_feature_name(bit) ? sev_feature_name(bit) : "?");
		any = true;
	}
	printf("%s\n", any ? ")" : "");
}

static int usage(FILE *f, int status)
{
	fprintf(f,
		"usage: snpvmm host-info [--kvm-device PATH] [--sim=PROFILE [--sim-set K=V]...]\n"
		"Prints the host's SEV-SNP readiness; exit status 0 when ready, 1 when not.\n");
	return status;
}

int cmd_host_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kvm-device", required_argument, NULL, 'k' },
		{ "sim", required_argument, NULL, 's' },
		{ "sim-set", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_options so = { .profile = NULL };
	const char *dev = "/dev/kvm", *missing = NULL;
	struct snp_platform_status st = { 0 };
	struct kvm_backend *be = NULL;
	struct host_facts f;
	struct diag d = { "" };
	uint64_t feats = 0, bits = 0;
	uint32_t fw = 0;
	int c, r, types;
	bool snp_cpu;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			dev = optarg;
			break;
		case 's':
			so.profile = optarg;
			break;
		case 'S':
			if (so.nr_settings < SIM_MAX_SETTINGS)
				so.settings[so.nr_settings++] = optarg;
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			fprintf(stderr, "snpvmm host-info: unknown option or missing value '%s'\n",
				argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (so.profile && sim_options_check(&so, &d) < 0) {
		fprintf(stderr, "snpvmm host-info: %s\n", d.msg);
		return EXIT_USAGE;
	}
	r = so.profile ? sim_backend_create(&so, &be, &d) : kvm_linux_open(dev, &be);
	if (r < 0) {
		printf("KVM:          cannot open %s: %s\n",
		       so.profile ? "the simulated host" : dev, d.msg[0] ? d.msg : strerror(-r));
		printf("verdict:      NOT ready: no usable KVM\n");
		return 1;
	}
	if (so.profile)
		printf("host:         SIMULATED (profile %s): no confidentiality\n", so.profile);
	(void)be->ops->get_host_facts(be, &f);
	snp_cpu = f.cpuid_8000001f[0] & (1u << 4);
	printf("CPU:          SEV %s, SEV-ES %s, SEV-SNP %s, DebugSwap %s, Secure TSC %s (CPUID "
	       "0x8000001F EAX=0x%08x)\n",
	       yes(f.cpuid_8000001f[0] & 2), yes(f.cpuid_8000001f[0] & 8), yes(snp_cpu),
	       yes(f.cpuid_8000001f[0] & (1u << 14)), yes(f.cpuid_8000001f[0] & (1u << 8)),
	       f.cpuid_8000001f[0]);
	printf("C-bit:        %u, reduced phys bits %u\n", f.cpuid_8000001f[1] & 0x3f,
	       (f.cpuid_8000001f[1] >> 6) & 0x3f);
	printf("kvm_amd:      sev=%s sev_es=%s sev_snp=%s debug_swap=%s\n", param(f.kvm_amd_sev),
	       param(f.kvm_amd_sev_es), param(f.kvm_amd_sev_snp), param(f.kvm_amd_debug_swap));
	types = be->ops->check_extension(be, false, KVM_CAP_VM_TYPES);
	printf("VM types:     0x%x%s\n", types < 0 ? 0 : types,
	       types > 0 && (types & (1 << KVM_X86_SNP_VM)) ? " (SNP offered)" : " (no SNP)");
	if (be->ops->get_device_attr(be, KVM_X86_GRP_SEV, KVM_X86_SEV_VMSA_FEATURES, &feats) >= 0) {
		printf("VMSA features: 0x%llx", (unsigned long long)feats);
		print_features(feats);
	} else {
		printf("VMSA features: not reported (kernel without KVM_SEV_INIT2)\n");
	}
	if (be->ops->get_device_attr(be, KVM_X86_GRP_SEV, KVM_X86_SNP_POLICY_BITS, &bits) >= 0)
		printf("policy bits:  0x%llx\n", (unsigned long long)bits);
	else
		printf("policy bits:  not reported (kernel before 6.19)\n");
	printf("SMT:          %s\n", f.smt_active ? "active" : "off");
	/* --tsc-khz sets the Secure TSC frequency through KVM_SET_TSC_KHZ on the VM fd. */
	printf("TSC control:  %s (KVM_CAP_VM_TSC_CONTROL)\n",
	       yes(be->ops->check_extension(be, false, KVM_CAP_VM_TSC_CONTROL) > 0));
	r = f.has_sev_device ? be->ops->sev_platform_cmd(be, SEV_CMD_SNP_PLATFORM_STATUS, &st, &fw)
			     : -ENODEV;
	if (r >= 0)
		printf("SNP firmware: API %u.%u build %u, %s, %u guests, TCB current 0x%016llx "
		       "reported 0x%016llx\n",
		       st.api_major, st.api_minor, st.build_id,
		       st.state ? "initialized" : "uninitialized", st.guest_count,
		       (unsigned long long)st.current_tcb_version,
		       (unsigned long long)st.reported_tcb_version);
	else
		printf("SNP firmware: status unavailable (%s%s%s)\n",
		       f.has_sev_device ? "SNP_PLATFORM_STATUS: " : "/dev/sev cannot be opened",
		       f.has_sev_device ? strerror(-r) : "", fw ? sev_fw_strerror(fw) : "");

	if (!snp_cpu)
		missing = "the CPU does not report SEV-SNP";
	else if (strcmp(f.kvm_amd_sev_snp, "Y") && strcmp(f.kvm_amd_sev_snp, "1"))
		missing = "kvm_amd's sev_snp parameter is not enabled";
	else if (!f.has_sev_device)
		missing = "/dev/sev is missing (ccp driver or SNP firmware)";
	else if (r >= 0 && !st.state)
		missing = "the SNP firmware is not initialized";
	else if (types <= 0 || !(types & (1 << KVM_X86_SNP_VM)))
		missing = "KVM does not offer the SNP VM type (kernel without SNP support)";
	if (missing)
		printf("verdict:      NOT ready: %s\n", missing);
	else
		printf("verdict:      ready for SEV-SNP guests\n");
	kvm_backend_destroy(be);
	return missing ? 1 : 0;
}
