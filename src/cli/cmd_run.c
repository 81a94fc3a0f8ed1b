// SPDX-License-Identifier: MIT
/*
 * `snpvmm [OPTIONS]`: launch a guest. This is the program's edge: it turns options into a
 * VM, prints the one error line a failure deserves, and maps how the guest ended to the
 * exit status documented in --help.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "sim/sim.h"
#include "snp/launch_digest.h"
#include "vmm/backend.h"
#include "vmm/events.h"
#include "vmm/options.h"
#include "vmm/vm.h"

#define EXIT_GUEST_CRASH      3
#define EXIT_GUEST_TERMINATED 4

static int open_sim(const struct vmm_options *o, struct kvm_backend **ret_be)
{
	struct sim_options so = {
		.profile = o->sim.profile,
		.guest_script = o->sim.guest_script,
		.faults = o->sim.faults,
		.report_path = o->sim.report_path,
		.vcek_key = o->sim.vcek_key,
		.nr_settings = o->sim.nr_settings,
	};
	struct diag d = { "" };
	unsigned int i;
	int r;

	for (i = 0; i < o->sim.nr_settings && i < SIM_MAX_SETTINGS; i++)
		so.settings[i] = o->sim.settings[i];
	r = sim_backend_create(&so, ret_be, &d);
	if (r < 0) {
		fprintf(stderr, "snpvmm: %s\n", d.msg[0] ? d.msg : strerror(-r));
		return r;
	}
	fprintf(stderr,
		"snpvmm: SIMULATED SEV-SNP host (profile %s): no confidentiality and no "
		"hardware measurement; for testing only\n",
		o->sim.profile);
	return 0;
}

static int open_backend(const struct vmm_options *o, struct kvm_backend **ret_be)
{
	int r;

	if (o->sim.profile)
		return open_sim(o, ret_be);
	r = kvm_linux_open(o->kvm_device, ret_be);

	switch (r) {
	case 0:
		return 0;
	case -ENOENT:
		fprintf(stderr,
			"snpvmm: cannot open '%s': no such device (is KVM enabled and the "
			"kvm module loaded?)\n",
			o->kvm_device);
		break;
	case -EACCES:
	case -EPERM:
		fprintf(stderr,
			"snpvmm: cannot open '%s': permission denied (run as root or join "
			"the group that owns it, usually 'kvm')\n",
			o->kvm_device);
		break;
	case -EPROTONOSUPPORT:
		fprintf(stderr, "snpvmm: '%s' speaks an unexpected KVM API version (need 12)\n",
			o->kvm_device);
		break;
	default:
		fprintf(stderr, "snpvmm: cannot use '%s': %s\n", o->kvm_device, strerror(-r));
		break;
	}
	return r;
}

static int exit_status(const struct vm_exit *e)
{
	switch (e->reason) {
	case VM_EXIT_RESET:
	case VM_EXIT_POWEROFF:
		return 0;
	case VM_EXIT_GUEST_CRASH:
		fprintf(stderr, "snpvmm: %s\n", e->detail);
		return EXIT_GUEST_CRASH;
	case VM_EXIT_GUEST_TERMINATED:
		fprintf(stderr, "snpvmm: %s\n", e->detail);
		return EXIT_GUEST_TERMINATED;
	case VM_EXIT_VMM_ERROR:
		fprintf(stderr, "snpvmm: %s\n", e->detail);
		return 1;
	case VM_EXIT_NONE:
	default:
		fprintf(stderr, "snpvmm: the guest stopped without a reason\n");
		return 1;
	}
}

static const char *exit_reason_name(enum vm_exit_reason r)
{
	switch (r) {
	case VM_EXIT_RESET:
		return "reset";
	case VM_EXIT_POWEROFF:
		return "poweroff";
	case VM_EXIT_GUEST_CRASH:
		return "crash";
	case VM_EXIT_GUEST_TERMINATED:
		return "terminated";
	case VM_EXIT_VMM_ERROR:
		return "vmm-error";
	default:
		return "none";
	}
}

/* Reports what the launch measured and decided, before the guest runs. */
static void report_launch(const struct vm *vm)
{
	char hex[2 * SNP_LD_SIZE + 1];

	if (!vm->snp.enabled)
		return;
	if (vm->snp.cpuid_retry[0])
		fprintf(stderr,
			"snpvmm: warning: the firmware corrected the CPUID page (%s); "
			"launched with its values\n",
			vm->snp.cpuid_retry);
	snp_hex(vm->snp.measurement, SNP_LD_SIZE, hex);
	fprintf(stderr, "snpvmm: SEV-SNP launch measurement %s\n", hex);
}

int cmd_run(int argc, char **argv)
{
	struct vmm_options o;
	struct kvm_backend *be = NULL;
	struct events ev;
	struct vm *vm = NULL;
	struct vm_exit e = { 0 };
	struct diag d = { "" };
	char detail[256];
	int r, status;

	r = options_parse(argc, argv, &o, &d);
	if (r < 0) {
		fprintf(stderr, "snpvmm: %s\n", d.msg);
		return EXIT_USAGE;
	}
	if (o.help) {
		fputs(options_usage, stdout);
		return 0;
	}
	if (o.version) {
		printf("snpvmm %s\n", SNPVMM_VERSION);
		return 0;
	}
	r = events_open(&ev, o.events_path);
	if (r < 0) {
		fprintf(stderr, "snpvmm: cannot open the events file '%s': %s\n", o.events_path,
			strerror(-r));
		return 1;
	}
	if (open_backend(&o, &be) < 0) {
		events_close(&ev);
		return 1;
	}
	r = vm_create(be, &o, &ev, &vm, &d);
	if (r < 0) {
		fprintf(stderr, "snpvmm: %s\n", d.msg[0] ? d.msg : strerror(-r));
		events_emit(&ev, "guest-exit",
			    ",\"reason\":\"vmm-error\",\"status\":1,"
			    "\"detail\":%s",
			    events_json_str(d.msg, detail, sizeof(detail)));
		kvm_backend_destroy(be);
		events_close(&ev);
		return 1;
	}
	report_launch(vm);
	r = vm_run(vm, &e);
	if (r < 0) {
		e.reason = VM_EXIT_VMM_ERROR;
		snprintf(e.detail, sizeof(e.detail), "cannot run the guest: %s", strerror(-r));
	}
	status = exit_status(&e);
	if (vm->conv.enabled)
		events_emit(&ev, "page-state",
			    ",\"private_pages\":%llu,\"shared_pages\":%llu,\"conversions\":%llu,"
			    "\"rejected_requests\":%llu",
			    (unsigned long long)page_state_count_pages(&vm->conv.states,
								       PAGE_STATE_PRIVATE),
			    (unsigned long long)page_state_count_pages(&vm->conv.states,
								       PAGE_STATE_SHARED),
			    (unsigned long long)vm->conv.conversions,
			    (unsigned long long)atomic_load(&vm->conv.rejected));
	events_emit(&ev, "guest-exit", ",\"reason\":\"%s\",\"status\":%d,\"detail\":%s",
		    exit_reason_name(e.reason), status,
		    events_json_str(e.detail, detail, sizeof(detail)));
	vm_destroy(vm);
	kvm_backend_destroy(be);
	events_close(&ev);
	return status;
}
