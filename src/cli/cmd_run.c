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

static void sim_options_of(const struct vmm_options *o, struct sim_options *ret)
{
	unsigned int i;

	*ret = (struct sim_options){
		.profile = o->sim.profile,
		.guest_script = o->sim.guest_script,
		.faults = o->sim.faults,
		.report_path = o->sim.report_path,
		.vcek_key = o->sim.vcek_key,
		.nr_settings = o->sim.nr_settings,
	};
	for (i = 0; i < o->sim.nr_settings && i < SIM_MAX_SETTINGS; i++)
		ret->settings[i] = o->sim.settings[i];
}

static int open_sim(const struct vmm_options *o, struct kvm_backend **ret_be, struct diag *d)
{
	struct sim_options so;
	int r;

	sim_options_of(o, &so);
	r = sim_backend_create(&so, ret_be, d);
	if (r < 0)
		return d->msg[0] ? r : diag_fail(d, r, "%s", strerror(-r));
	fprintf(stderr,
		"snpvmm: SIMULATED SEV-SNP host (profile %s): no confidentiality and no "
		"hardware measurement; for testing only\n",
		o->sim.profile);
	return 0;
}

static int open_backend(const struct vmm_options *o, struct kvm_backend **ret_be, struct diag *d)
{
	int r;

	if (o->sim.profile)
		return open_sim(o, ret_be, d);
	r = kvm_linux_open(o->kvm_device, ret_be);

	switch (r) {
	case 0:
		return 0;
	case -ENOENT:
		return diag_fail(d, r,
				 "cannot open '%s': no such device (is KVM enabled and the "
				 "kvm module loaded?)",
				 o->kvm_device);
	case -EACCES:
	case -EPERM:
		return diag_fail(d, r,
				 "cannot open '%s': permission denied (run as root or join "
				 "the group that owns it, usually 'kvm')",
				 o->kvm_device);
	case -EPROTONOSUPPORT:
		return diag_fail(d, r, "'%s' speaks an unexpected KVM API version (need 12)",
				 o->kvm_device);
	default:
		return diag_fail(d, r, "cannot use '%s': %s", o->kvm_device, strerror(-r));
	}
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

/* Emits the guest-exit event (docs/events.md: always the last event). */
static void emit_guest_exit(struct events *ev, const char *reason, int status, const char *detail)
{
	char json[2 * sizeof(((struct vm_exit *)0)->detail)];

	events_emit(ev, "guest-exit", ",\"reason\":\"%s\",\"status\":%d,\"detail\":%s", reason,
		    status, events_json_str(detail, json, sizeof(json)));
}

/* The end of every run once the events file is open: a failure to write an event is an
 * error too, or a supervisor reading them would be left without a word. */
static int finish(struct events *ev, int status)
{
	int r = events_close(ev);

	if (r < 0) {
		fprintf(stderr, "snpvmm: cannot write the events file '%s': %s\n", ev->path,
			strerror(-r));
		if (status == 0)
			status = 1;
	}
	return status;
}

int cmd_run(int argc, char **argv)
{
	struct vmm_options o;
	struct sim_options so;
	struct kvm_backend *be = NULL;
	struct events ev;
	struct vm *vm = NULL;
	struct vm_exit e = { 0 };
	struct diag d = { "" };
	int r, status;

	r = options_parse(argc, argv, &o, &d);
	if (r >= 0 && o.sim.profile) {
		/* The simulator's profile, settings and faults are flags too: a bad one is
		 * a usage error, found before anything is opened. */
		sim_options_of(&o, &so);
		r = sim_options_check(&so, &d);
	}
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
	r = events_open(&ev, o.events_path, &d);
	if (r < 0) {
		fprintf(stderr, "snpvmm: %s\n", d.msg);
		return 1;
	}
	r = open_backend(&o, &be, &d);
	if (r >= 0)
		r = vm_create(be, &o, &ev, &vm, &d);
	if (r < 0) {
		if (!d.msg[0])
			snprintf(d.msg, sizeof(d.msg), "%s", strerror(-r));
		fprintf(stderr, "snpvmm: %s\n", d.msg);
		emit_guest_exit(&ev, "vmm-error", 1, d.msg);
		kvm_backend_destroy(be);
		return finish(&ev, 1);
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
	emit_guest_exit(&ev, exit_reason_name(e.reason), status, e.detail);
	vm_destroy(vm);
	kvm_backend_destroy(be);
	return finish(&ev, status);
}
