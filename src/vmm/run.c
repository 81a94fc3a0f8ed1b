// SPDX-License-Identifier: MIT
/*
 * The KVM_RUN loop of one vCPU and the dispatch of its exits. Port and MMIO accesses go
 * to the device bus; everything that ends the guest goes through vm_request_stop() so
 * that the first reason wins and every vCPU leaves KVM_RUN.
 */
#include <errno.h>
#include <string.h>

#include "vmm/backend.h"
#include "vmm/vm.h"

static void handle_io(struct vm *vm, struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t i;

	/* A string instruction (rep outsb/insb) arrives as `count` accesses of `size` bytes
	 * laid out one after another in the data area. */
	for (i = 0; i < run->io.count; i++)
		(void)bus_dispatch(&vm->bus, BUS_PIO, run->io.port, data + (size_t)i * run->io.size,
				   run->io.size, is_write);
}

static void handle_mmio(struct vm *vm, struct kvm_run *run)
{
	if (run->mmio.len > sizeof(run->mmio.data))
		return;
	(void)bus_dispatch(&vm->bus, BUS_MMIO, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
			   run->mmio.is_write);
}

static void handle_system_event(struct vm *vm, struct vm_vcpu *v, struct kvm_run *run)
{
	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(vm, VM_EXIT_POWEROFF, 0, "the guest powered off");
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(vm, VM_EXIT_RESET, 0, "the guest reset the machine");
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		vm_request_stop(vm, VM_EXIT_GUEST_CRASH, 0, "the guest reported a crash (vCPU %u)",
				v->id);
		break;
	default:
		vm_request_stop(vm, VM_EXIT_VMM_ERROR, -ENOTSUP,
				"vCPU %u: unhandled system event type %u", v->id,
				run->system_event.type);
		break;
	}
}

/* Handles one exit. Returns false when the loop must end. */
static bool handle_exit(struct vm *vm, struct vm_vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vm, run);
		return true;
	case KVM_EXIT_MMIO:
		handle_mmio(vm, run);
		return true;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC; ours has one, but a halted vCPU is never
		 * an error. */
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		/* A triple fault: SVM intercepts SHUTDOWN and KVM reports it here. */
		vm_request_stop(vm, VM_EXIT_GUEST_CRASH, 0,
				"the guest triple-faulted on vCPU %u (KVM_EXIT_SHUTDOWN)", v->id);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(vm, v, run);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		vm_request_stop(vm, VM_EXIT_GUEST_CRASH, 0,
				"KVM internal error on vCPU %u (suberror %u): the guest did "
				"something KVM cannot emulate",
				v->id, run->internal.suberror);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		vm_request_stop(vm, VM_EXIT_VMM_ERROR, -EINVAL,
				"KVM could not enter vCPU %u (hardware reason 0x%llx)", v->id,
				(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	default:
		vm_request_stop(vm, VM_EXIT_VMM_ERROR, -ENOTSUP,
				"vCPU %u: unhandled exit reason %u", v->id, run->exit_reason);
		return false;
	}
}

void *vcpu_thread(void *arg)
{
	struct vm_vcpu *v = arg;
	struct vm *vm = v->vm;
	struct kvm_backend *be = vm->be;
	int r;

	while (!atomic_load(&vm->stopping)) {
		r = be->ops->vcpu_run(be, v->index);
		if (r == -EINTR || r == -EAGAIN) {
			/* A kick (signal or immediate_exit) or, for an AP that has not been
			 * started yet, "try again": look at the stop flag and re-enter. */
			continue;
		}
		if (r < 0) {
			vm_request_stop(vm, VM_EXIT_VMM_ERROR, r, "KVM_RUN on vCPU %u failed: %s",
					v->id, strerror(-r));
			break;
		}
		v->exits++;
		if (!handle_exit(vm, v))
			break;
	}
	return NULL;
}
