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
#include "vmm/backend.h"
#include "vmm/options.h"
#include "vmm/vm.h"

#define EXIT_GUEST_CRASH 3

static int open_backend(const struct vmm_options *o, struct kvm_backend **ret_be)
{
	int r = kvm_linux_open(o->kvm_device, ret_be);

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
	case VM_EXIT_VMM_ERROR:
		fprintf(stderr, "snpvmm: %s\n", e->detail);
		return 1;
	case VM_EXIT_NONE:
	default:
		fprintf(stderr, "snpvmm: the guest stopped without a reason\n");
		return 1;
	}
}

int cmd_run(int argc, char **argv)
{
	struct vmm_options o;
	struct kvm_backend *be = NULL;
	struct vm *vm = NULL;
	struct vm_exit e = { 0 };
	struct diag d = { "" };
	int r;

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
	if (!o.no_snp) {
		fprintf(stderr,
			"snpvmm: this version cannot launch SEV-SNP guests yet; pass --no-snp "
			"to boot a plain KVM guest\n");
		return EXIT_USAGE;
	}
	if (open_backend(&o, &be) < 0)
		return 1;
	r = vm_create(be, &o, &vm, &d);
	if (r < 0) {
		fprintf(stderr, "snpvmm: %s\n", d.msg[0] ? d.msg : strerror(-r));
		kvm_backend_destroy(be);
		return 1;
	}
	r = vm_run(vm, &e);
	if (r < 0) {
		fprintf(stderr, "snpvmm: cannot run the guest: %s\n", strerror(-r));
		e.reason = VM_EXIT_VMM_ERROR;
		snprintf(e.detail, sizeof(e.detail), "cannot run the guest");
	}
	vm_destroy(vm);
	kvm_backend_destroy(be);
	return r < 0 ? 1 : exit_status(&e);
}
