// SPDX-License-Identifier: MIT
/*
 * What the host asks of a running VM: a press of the ACPI power button (with a deadline
 * after which the VM is stopped), a stop, a reset; and its state for status queries. These
 * are the thread-safe entry points a control socket, a signal handler thread or an
 * embedder use; everything happens under vm->exit_lock, which vm_request_stop() and the
 * wait loop of vm_run() (vm.c) take as well.
 */
#include <stdio.h>
#include <time.h>

#include "vmm/vm.h"

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The button is a device register: a press before the guest enabled PWRBTN_EN stays in
 * PWRBTN_STS and raises the SCI once it does (acpi_pm.c). Pressed outside exit_lock: the
 * device's own lock comes first on the guest's path (a write of S5 under the device lock
 * calls vm_request_stop()), so taking it under exit_lock could deadlock. Returns false
 * if the VM is stopping (no press).
 */
static bool press(struct vm *vm)
{
	bool ok;

	pthread_mutex_lock(&vm->exit_lock);
	ok = !atomic_load(&vm->stopping);
	if (ok)
		vm->power_button_presses++;
	pthread_mutex_unlock(&vm->exit_lock);
	if (ok && vm->have_acpi_pm)
		acpi_pm_press_power_button(&vm->acpi_pm);
	return ok;
}

void vm_press_power_button(struct vm *vm)
{
	(void)press(vm);
}

void vm_request_host_stop(struct vm *vm, enum vm_stop_kind kind, unsigned int timeout_ms,
			  const char *why)
{
	uint64_t deadline;

	if (kind == VM_STOP_POWERDOWN && (!press(vm) || !timeout_ms))
		return;
	pthread_mutex_lock(&vm->exit_lock);
	switch (kind) {
	case VM_STOP_POWERDOWN:
		deadline = monotonic_ns() + (uint64_t)timeout_ms * 1000000ULL;
		if (!vm->powerdown_deadline_ns || deadline < vm->powerdown_deadline_ns) {
			vm->powerdown_deadline_ns = deadline;
			vm->powerdown_timeout_ms = timeout_ms;
		}
		/* vm_run()'s wait loop recomputes its wake-up time. */
		pthread_cond_broadcast(&vm->exited_cond);
		break;
	case VM_STOP_FORCE:
		vm_request_stop_locked(vm, VM_EXIT_STOPPED, 0, why);
		break;
	case VM_STOP_RESET:
		vm_request_stop_locked(vm, VM_EXIT_RESET, 0, why);
		break;
	}
	pthread_mutex_unlock(&vm->exit_lock);
}

enum vm_state vm_get_state(struct vm *vm, unsigned int *ret_presses)
{
	enum vm_state st;

	pthread_mutex_lock(&vm->exit_lock);
	st = vm->state;
	if (ret_presses)
		*ret_presses = vm->power_button_presses;
	pthread_mutex_unlock(&vm->exit_lock);
	return st;
}

uint64_t vm_check_powerdown_deadline_locked(struct vm *vm, uint64_t now_ns)
{
	char detail[sizeof(vm->exit.detail)];

	if (!vm->powerdown_deadline_ns || atomic_load(&vm->stopping))
		return 0;
	if (now_ns < vm->powerdown_deadline_ns)
		return vm->powerdown_deadline_ns;
	snprintf(detail, sizeof(detail),
		 "the guest did not power off within %u ms of the power button: stopped",
		 vm->powerdown_timeout_ms);
	vm_request_stop_locked(vm, VM_EXIT_STOPPED, 0, detail);
	return 0;
}
