// SPDX-License-Identifier: MIT
/*
 * `snpvmm host-info`: whether this host (or a simulated one) can launch SEV-SNP guests,
 * with each fact it rests on (CPUID 0x8000001F, AMD APM Vol. 3; the kvm_amd sev_snp
 * parameter, which sev.c sev_hardware_setup() overwrites with the effective value; the
 * KVM_X86_SNP_VM bit of KVM_CAP_VM_TYPES, api.rst) and a one-line verdict naming what is
 * missing. Exit status 0 when ready, 1 when not. --json prints the same facts as one JSON
 * object (docs/snpvmm.1).
 */
#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "abi/psp_sev.h"
#include "cli/commands.h"
#include "cli/option_table.h"
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

static void print_features(uint64_t mask, json_t *names)
{
	unsigned int bit;
	bool any = false;

	for (bit = 0; bit < 64; bit++) {
		const char *name = sev_feature_name(bit) ? sev_feature_name(bit) : "?";

		if (!(mask & (1ULL << bit)))
			continue;
		if (names)
			json_array_append_new(names, json_string(name));
		else
			printf("%s%s", any ? "," : " (", name);
		any = true;
	}
	if (!names)
		printf("%s\n", any ? ")" : "");
}

static json_t *hex64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

/* A kvm_amd parameter's value, or null when the module is not loaded. */
static json_t *param_json(const char *v)
{
	return v[0] ? json_string(v) : json_null();
}

/* --json: the facts as one object, in the order of the text. Written whole or not at
 * all (main() checks stdout). */
static int print_json(json_t *o)
{
	int r = o ? json_dumpf(o, stdout, JSON_INDENT(2)) : -1;

	json_decref(o);
	if (r < 0 || putchar('\n') == EOF) {
		fprintf(stderr, "snpvmm host-info: cannot write the JSON output\n");
		return 1;
	}
	return 0;
}

/* What the flags of `snpvmm host-info` set. */
struct host_info_args {
	const char *kvm_device;
	struct sim_options sim;
	bool json, help;
};

/* Settings past SIM_MAX_SETTINGS are left out, as they always were: host-info only reads
 * the host's facts. */
static int set_sim_setting(const struct option_row *row, const char *arg, void *ctx, struct diag *d)
{
	struct host_info_args *a = ctx;

	if (a->sim.nr_settings < SIM_MAX_SETTINGS)
		a->sim.settings[a->sim.nr_settings++] = arg;
	return 0;
}

static const struct option_row host_info_rows[] = {
	{ .name = "json",
	  .help = "print the facts as one JSON object",
	  .set = option_set_true,
	  .offset = offsetof(struct host_info_args, json) },
	{ .name = "kvm-device",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "PATH",
	  .help = "KVM device (default /dev/kvm)",
	  .set = option_set_string,
	  .offset = offsetof(struct host_info_args, kvm_device) },
	{ .name = "sim",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "=PROFILE",
	  .help = "ask a simulated host instead (snpvmm --help lists the profiles)",
	  .set = option_set_string,
	  .offset = offsetof(struct host_info_args, sim.profile) },
	{ .name = "sim-set",
	  .arg = OPTION_ARG_REQUIRED,
	  .metavar = "K=V",
	  .help = "override a profile setting (repeatable)",
	  .set = set_sim_setting },
	{ .name = "help",
	  .short_name = 'h',
	  .help = "this text",
	  .set = option_set_true,
	  .offset = offsetof(struct host_info_args, help) },
};

const struct option_table host_info_options = {
	.command = "snpvmm host-info",
	.synopsis =
		"usage: snpvmm host-info [--json] [--kvm-device PATH] [--sim=PROFILE [--sim-set "
		"K=V]...]\n"
		"Prints the host's SEV-SNP readiness (--json: as one JSON object); exit status 0\n"
		"when ready, 1 when not, 2 bad usage.\n"
		"\n",
	.rows = host_info_rows,
	.nr_rows = sizeof(host_info_rows) / sizeof(host_info_rows[0]),
	.help_column = 23,
};

int cmd_host_info(int argc, char **argv)
{
	struct host_info_args a = { .kvm_device = "/dev/kvm" };
	const struct sim_options *so = &a.sim;
	const char *dev, *missing = NULL;
	struct snp_platform_status st = { 0 };
	struct kvm_backend *be = NULL;
	struct host_facts f;
	struct diag d = { "" };
	uint64_t feats = 0, bits = 0;
	uint32_t fw = 0;
	int r, types;
	bool snp_cpu, json;
	json_t *o = NULL, *names = NULL;

	if (option_table_parse(&host_info_options, argc, argv, &a, &d) < 0) {
		fprintf(stderr, "snpvmm host-info: %s\n", d.msg);
		return EXIT_USAGE;
	}
	if (a.help) {
		option_table_help(&host_info_options, stdout);
		return 0;
	}
	dev = a.kvm_device;
	json = a.json;
	if (so->profile && sim_options_check(so, &d) < 0) {
		fprintf(stderr, "snpvmm host-info: %s\n", d.msg);
		return EXIT_USAGE;
	}
	r = so->profile ? sim_backend_create(so, &be, &d) : kvm_linux_open(dev, &be);
	if (json)
		o = json_pack("{s:s?}", "simulated", so->profile);
	if (r < 0) {
		if (!d.msg[0])
			snprintf(d.msg, sizeof(d.msg), "%s", strerror(-r));
		if (json) {
			json_object_set_new(o, "kvm",
					    json_pack("{s:s,s:b,s:s}", "device",
						      so->profile ? "simulated" : dev, "usable", 0,
						      "error", d.msg));
			json_object_set_new(o, "ready", json_false());
			json_object_set_new(o, "missing", json_string("no usable KVM"));
			(void)print_json(o);
			return 1;
		}
		printf("KVM:          cannot open %s: %s\n",
		       so->profile ? "the simulated host" : dev, d.msg);
		printf("verdict:      NOT ready: no usable KVM\n");
		return 1;
	}
	if (so->profile && !json)
		printf("host:         SIMULATED (profile %s): no confidentiality\n", so->profile);
	(void)be->ops->get_host_facts(be, &f);
	snp_cpu = f.cpuid_8000001f[0] & (1u << 4);
	types = be->ops->check_extension(be, false, KVM_CAP_VM_TYPES);
	if (types < 0)
		types = 0;
	if (json) {
		json_object_set_new(o, "kvm",
				    json_pack("{s:s,s:b}", "device",
					      so->profile ? "simulated" : dev, "usable", 1));
		json_object_set_new(o, "cpu",
				    json_pack("{s:b,s:b,s:b,s:b,s:b,s:o}", "sev",
					      f.cpuid_8000001f[0] & 2, "sev_es",
					      f.cpuid_8000001f[0] & 8, "sev_snp", snp_cpu,
					      "debug_swap", f.cpuid_8000001f[0] & (1u << 14),
					      "secure_tsc", f.cpuid_8000001f[0] & (1u << 8),
					      "cpuid_8000001f_eax", hex64(f.cpuid_8000001f[0])));
		json_object_set_new(o, "cbitpos", json_integer(f.cpuid_8000001f[1] & 0x3f));
		json_object_set_new(o, "reduced_phys_bits",
				    json_integer((f.cpuid_8000001f[1] >> 6) & 0x3f));
		json_object_set_new(o, "kvm_amd",
				    json_pack("{s:o,s:o,s:o,s:o}", "sev", param_json(f.kvm_amd_sev),
					      "sev_es", param_json(f.kvm_amd_sev_es), "sev_snp",
					      param_json(f.kvm_amd_sev_snp), "debug_swap",
					      param_json(f.kvm_amd_debug_swap)));
		json_object_set_new(o, "vm_types", hex64((uint64_t)types));
		json_object_set_new(o, "snp_vm_type", json_boolean(types & (1 << KVM_X86_SNP_VM)));
	} else {
		printf("CPU:          SEV %s, SEV-ES %s, SEV-SNP %s, DebugSwap %s, Secure TSC %s "
		       "(CPUID 0x8000001F EAX=0x%08x)\n",
		       yes(f.cpuid_8000001f[0] & 2), yes(f.cpuid_8000001f[0] & 8), yes(snp_cpu),
		       yes(f.cpuid_8000001f[0] & (1u << 14)), yes(f.cpuid_8000001f[0] & (1u << 8)),
		       f.cpuid_8000001f[0]);
		printf("C-bit:        %u, reduced phys bits %u\n", f.cpuid_8000001f[1] & 0x3f,
		       (f.cpuid_8000001f[1] >> 6) & 0x3f);
		printf("kvm_amd:      sev=%s sev_es=%s sev_snp=%s debug_swap=%s\n",
		       param(f.kvm_amd_sev), param(f.kvm_amd_sev_es), param(f.kvm_amd_sev_snp),
		       param(f.kvm_amd_debug_swap));
		printf("VM types:     0x%x%s\n", types,
		       types & (1 << KVM_X86_SNP_VM) ? " (SNP offered)" : " (no SNP)");
	}
	if (be->ops->get_device_attr(be, KVM_X86_GRP_SEV, KVM_X86_SEV_VMSA_FEATURES, &feats) >= 0) {
		if (json) {
			names = json_array();
			print_features(feats, names);
			json_object_set_new(o, "vmsa_features", hex64(feats));
			json_object_set_new(o, "vmsa_feature_names", names);
		} else {
			printf("VMSA features: 0x%llx", (unsigned long long)feats);
			print_features(feats, NULL);
		}
	} else if (json) {
		json_object_set_new(o, "vmsa_features", json_null());
	} else {
		printf("VMSA features: not reported (kernel without KVM_SEV_INIT2)\n");
	}
	if (be->ops->get_device_attr(be, KVM_X86_GRP_SEV, KVM_X86_SNP_POLICY_BITS, &bits) >= 0) {
		if (json)
			json_object_set_new(o, "policy_bits", hex64(bits));
		else
			printf("policy bits:  0x%llx\n", (unsigned long long)bits);
	} else if (json) {
		json_object_set_new(o, "policy_bits", json_null());
	} else {
		printf("policy bits:  not reported (kernel before 6.19)\n");
	}
	/* --tsc-khz sets the Secure TSC frequency through KVM_SET_TSC_KHZ on the VM fd. */
	if (json) {
		json_object_set_new(o, "smt", json_boolean(f.smt_active));
		json_object_set_new(o, "tsc_control",
				    json_boolean(be->ops->check_extension(
							 be, false, KVM_CAP_VM_TSC_CONTROL) > 0));
	} else {
		printf("SMT:          %s\n", f.smt_active ? "active" : "off");
		printf("TSC control:  %s (KVM_CAP_VM_TSC_CONTROL)\n",
		       yes(be->ops->check_extension(be, false, KVM_CAP_VM_TSC_CONTROL) > 0));
	}
	r = f.has_sev_device ? be->ops->sev_platform_cmd(be, SEV_CMD_SNP_PLATFORM_STATUS, &st, &fw)
			     : -ENODEV;
	if (r >= 0 && json)
		json_object_set_new(o, "firmware",
				    json_pack("{s:i,s:i,s:i,s:b,s:i,s:o,s:o}", "api_major",
					      st.api_major, "api_minor", st.api_minor, "build_id",
					      st.build_id, "initialized", st.state != 0, "guests",
					      st.guest_count, "current_tcb",
					      hex64(st.current_tcb_version), "reported_tcb",
					      hex64(st.reported_tcb_version)));
	else if (r >= 0)
		printf("SNP firmware: API %u.%u build %u, %s, %u guests, TCB current 0x%016llx "
		       "reported 0x%016llx\n",
		       st.api_major, st.api_minor, st.build_id,
		       st.state ? "initialized" : "uninitialized", st.guest_count,
		       (unsigned long long)st.current_tcb_version,
		       (unsigned long long)st.reported_tcb_version);
	else if (json)
		json_object_set_new(o, "firmware",
				    json_pack("{s:s+}", "error",
					      f.has_sev_device ? "SNP_PLATFORM_STATUS: "
							       : "/dev/sev cannot be opened",
					      f.has_sev_device ? strerror(-r) : ""));
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
	else if (!(types & (1 << KVM_X86_SNP_VM)))
		missing = "KVM does not offer the SNP VM type (kernel without SNP support)";
	kvm_backend_destroy(be);
	if (json) {
		json_object_set_new(o, "ready", json_boolean(!missing));
		json_object_set_new(o, "missing", missing ? json_string(missing) : json_null());
		return print_json(o) ? 1 : missing ? 1 : 0;
	}
	if (missing)
		printf("verdict:      NOT ready: %s\n", missing);
	else
		printf("verdict:      ready for SEV-SNP guests\n");
	return missing ? 1 : 0;
}
