/* SPDX-License-Identifier: MIT */
/*
 * A running guest: memory, devices, vCPUs and their threads, over one kernel backend.
 *
 *   vm_create()  builds everything from the options (backend VM, RAM, boot plan copied
 *                into RAM, devices, vCPUs with their CPUID and entry state);
 *   vm_run()     runs one thread per vCPU until the guest resets, powers off or crashes,
 *                or the VMM fails, and says which;
 *   vm_destroy() undoes all of it; it accepts NULL and half-built VMs.
 */
#ifndef SNPVMM_VMM_VM_H
#define SNPVMM_VMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/i8042.h"
#include "devices/serial.h"
#include "util/diag.h"
#include "util/file.h"
#include "vmm/boot.h"
#include "vmm/console.h"
#include "vmm/memory.h"
#include "vmm/options.h"

struct kvm_backend;
struct kvm_run;
struct vm;

enum vm_exit_reason {
	VM_EXIT_NONE,
	VM_EXIT_RESET,	     /* the guest asked for a reset (i8042 0xFE, system event) */
	VM_EXIT_POWEROFF,    /* the guest powered off (system event) */
	VM_EXIT_GUEST_CRASH, /* triple fault (KVM_EXIT_SHUTDOWN), internal error, crash event */
	VM_EXIT_VMM_ERROR,   /* we failed: an ioctl, an unhandled exit */
};

struct vm_exit {
	enum vm_exit_reason reason;
	int error;	  /* -errno for VM_EXIT_VMM_ERROR */
	char detail[200]; /* one sentence for the user */
};

struct vm_vcpu {
	struct vm *vm;
	int index;   /* backend vCPU index */
	uint32_t id; /* KVM vCPU id == APIC id */
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;
	uint64_t exits; /* statistics */
};

struct vm {
	struct kvm_backend *be; /* borrowed */
	struct guest_memory mem;
	struct boot_plan plan;
	bool have_plan;
	struct file_map kernel;
	struct file_map initrd;
	struct file_map setup_data[OPT_MAX_SETUP_DATA];

	struct bus bus;
	struct serial serial;
	bool have_serial;
	struct i8042 i8042;
	struct console console;
	bool have_console;

	uint32_t nr_vcpus;
	struct vm_vcpu vcpus[OPT_MAX_SMP];

	atomic_bool stopping;
	pthread_mutex_t exit_lock;
	struct vm_exit exit;
};

int vm_create(struct kvm_backend *be, const struct vmm_options *opts, struct vm **ret_vm,
	      struct diag *d) __attribute__((warn_unused_result));
/* Returns 0 with *ret_exit saying how the guest ended, or -errno if the threads could not
 * even start. */
int vm_run(struct vm *vm, struct vm_exit *ret_exit) __attribute__((warn_unused_result));
void vm_destroy(struct vm *vm);

/* Ends the VM: the first caller's reason wins; every vCPU leaves KVM_RUN. Safe from any
 * thread, including a vCPU thread inside an exit handler. */
void vm_request_stop(struct vm *vm, enum vm_exit_reason reason, int error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The KVM_RUN loop of one vCPU (run.c). */
void *vcpu_thread(void *arg);

#endif /* SNPVMM_VMM_VM_H */
