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

#include "devices/acpi_pm.h"
#include "devices/bus.h"
#include "devices/i8042.h"
#include "devices/serial.h"
#include "devices/stage_exit.h"
#include "snp/launch_digest.h"
#include "snp/snp_launch.h"
#include "util/diag.h"
#include "util/file.h"
#include "util/source.h"
#include "vmm/boot.h"
#include "vmm/boot_images.h"
#include "vmm/console.h"
#include "vmm/events.h"
#include "vmm/memory.h"
#include "vmm/options.h"
#include "vmm/page_state.h"
#include "vmm/snp_host.h"
#include "vmm/snp_plan.h"
#include "vmm/stage_plan.h"

struct kvm_backend;
struct kvm_run;

#define VM_MAX_PHASES 12
struct vm;

enum vm_exit_reason {
	VM_EXIT_NONE,
	VM_EXIT_RESET,	     /* the guest asked for a reset (i8042 0xFE, system event) */
	VM_EXIT_POWEROFF,    /* the guest powered off (system event) */
	VM_EXIT_GUEST_CRASH, /* triple fault (KVM_EXIT_SHUTDOWN), internal error, crash event */
	VM_EXIT_GUEST_TERMINATED, /* SEV termination request (GHCB MSR protocol / NAE) */
	VM_EXIT_VMM_ERROR,	  /* we failed: an ioctl, an unhandled exit */
	VM_EXIT_STOPPED,	  /* the host stopped it: a stop request, a power-button deadline */
};

/* What the host asks of a VM (vm_request_host_stop(), vm_control.c). */
enum vm_stop_kind {
	VM_STOP_POWERDOWN, /* press the power button; stop by force after the deadline */
	VM_STOP_FORCE,	   /* stop now: VM_EXIT_STOPPED */
	VM_STOP_RESET,	   /* end as a reset (VM_EXIT_RESET): no guest is reset in place */
};

/* Where a VM is in its life, for status queries. */
enum vm_state {
	VM_STATE_CREATED, /* built, vm_run() not called yet */
	VM_STATE_RUNNING,
	VM_STATE_ENDED, /* vm_run() has returned or is about to */
};

struct vm_exit {
	enum vm_exit_reason reason;
	int error;		   /* -errno for VM_EXIT_VMM_ERROR */
	char detail[DIAG_MSG_MAX]; /* one sentence for the user */
};

struct vm_vcpu {
	struct vm *vm;
	int index;   /* backend vCPU index */
	uint32_t id; /* KVM vCPU id == APIC id */
	struct kvm_run *run;
	pthread_t thread;	    /* for pthread_join() by vm_run() only */
	bool thread_created;	    /* vm_run() only */
	bool kickable;		    /* under vm->exit_lock: may be inside KVM_RUN (vm.c) */
	pthread_t self;		    /* under vm->exit_lock: the thread to signal when kickable */
	atomic_uint_fast64_t exits; /* KVM_RUNs that returned an exit (halt watch, statistics) */
	/* The halt watch (halt_watch.h): vm_run() bumps probe_asked and kicks the thread,
	 * which stores its state and then probe_answered = probe_asked before the next
	 * KVM_RUN. */
	atomic_uint probe_asked;
	atomic_uint probe_answered;
	atomic_int probe_state; /* enum vcpu_run_state */
	struct {
		uint64_t gpa, size, flags;
		unsigned int repeats;
	} last_fault;	   /* the same memory fault again and again means it cannot be served */
	bool certs_locked; /* certs_fd holds a shared lock until the request is done */
	int certs_fd;
};

/* What an SNP launch decided and measured. */
struct vm_snp {
	bool enabled;
	enum snp_abi abi;
	uint64_t vmsa_features; /* as passed to KVM_SEV_INIT2 (without SNP_ACTIVE) */
	uint64_t policy;
	uint32_t cbitpos;
	struct snp_plan plan;
	bool have_plan;
	uint8_t measurement[SNP_LD_SIZE]; /* predicted before LAUNCH_UPDATE */
	struct snp_launch_stats stats;
	uint8_t *id_block;	/* 96 bytes, or NULL */
	uint8_t *id_auth;	/* 4096 bytes, or NULL */
	char cpuid_retry[512];	/* which CPUID leaves the firmware corrected, if it did */
	const char *certs_path; /* --certs: re-read under a shared lock for every request */
	struct snp_firmware_version firmware; /* read at the host checks (query-sev) */
};

/* Private/shared conversions of a running SNP guest (convert.c). */
struct vm_conversions {
	bool enabled;
	bool pre_fault;	      /* KVM_CAP_PRE_FAULT_MEMORY */
	pthread_mutex_t lock; /* serialises attributes + map across vCPU threads */
	struct page_state_map states;
	uint64_t conversions;
	uint64_t discard_failures;
	atomic_uint_fast64_t rejected; /* guest requests answered with an error */
};

struct cpuid_table;

struct vm {
	struct kvm_backend *be; /* borrowed */
	struct events *events;	/* borrowed, may be off */
	struct vm_snp snp;
	struct vm_conversions conv;
	struct cpuid_table *supported_cpuid; /* KVM_GET_SUPPORTED_CPUID, fetched once */
	struct guest_memory mem;
	struct boot_plan plan;
	bool have_plan;
	struct stage_plan stage; /* plain VM, boot mode hashes (SNP: snp.plan.stage) */
	bool have_stage;
	/* The images, opened and sized, of which only the kernel's header is read: the
	 * launch reads them straight into guest RAM or the staging area (boot_load.c). */
	struct boot_images images;
	bool have_images;
	/* SHA-384 of the kernel payload and the initrd as the prediction read them; the
	 * launch checks the bytes it loads against them (SNP only). */
	uint8_t image_sha384[2][SNP_LD_SIZE];
	bool have_image_sha384;

	struct bus bus;
	struct serial serial;
	bool have_serial;
	struct i8042 i8042;
	struct acpi_pm acpi_pm;
	bool have_acpi_pm;
	struct stage_exit stage_exit;
	struct console console;
	bool have_console;

	uint32_t nr_vcpus;
	struct vm_vcpu vcpus[OPT_MAX_SMP];

	/* Launch phases (launch-progress events; launch-finished lists them). */
	struct vm_phase {
		const char *name;
		uint64_t us; /* how long it took */
	} phases[VM_MAX_PHASES];
	unsigned int nr_phases;
	uint64_t phase_start_ns; /* CLOCK_MONOTONIC: the end of the previous phase */
	int kick_signal;	 /* sent to a vCPU thread to end its KVM_RUN (default SIGRTMIN) */
	atomic_bool stopping;
	pthread_mutex_t exit_lock;
	pthread_cond_t exited_cond; /* signalled under exit_lock as each vCPU thread ends */
	uint32_t nr_exited;	    /* under exit_lock */
	bool watch_halts;	    /* plain VMs: their vCPU state is readable (halt_watch.h) */
	struct vm_exit exit;
	/* Under exit_lock (vm_control.c): the life cycle and a pending power-button press
	 * with the CLOCK_MONOTONIC time (ns) after which the VM is stopped (0: none). */
	enum vm_state state;
	uint64_t powerdown_deadline_ns;
	unsigned int powerdown_timeout_ms;
	unsigned int power_button_presses;
};

int vm_create(struct kvm_backend *be, const struct vmm_options *opts, struct events *ev,
	      struct vm **ret_vm, struct diag *d) __attribute__((warn_unused_result));
/* Returns 0 with *ret_exit saying how the guest ended, or -errno if the threads could not
 * even start. */
int vm_run(struct vm *vm, struct vm_exit *ret_exit) __attribute__((warn_unused_result));
void vm_destroy(struct vm *vm);

/* Ends the VM: the first caller's reason wins; every vCPU leaves KVM_RUN. Safe from any
 * thread, including a vCPU thread inside an exit handler. */
void vm_request_stop(struct vm *vm, enum vm_exit_reason reason, int error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Ends a launch phase: records how long it took and emits launch-progress. */
void vm_phase_done(struct vm *vm, const char *name);
/*
 * Requests from the host (vm_control.c); thread-safe, from any thread but not from a signal
 * handler (they take exit_lock). The first stop reason wins, as with vm_request_stop():
 *   VM_STOP_POWERDOWN presses the ACPI power button (the guest's kernel decides; Linux
 *     hands KEY_POWER to user space, which powers off through ACPI S5) and, with a
 *     non-zero timeout_ms, stops the VM as VM_EXIT_STOPPED if it has not ended by then (a
 *     second press keeps the earlier deadline);
 *   VM_STOP_FORCE stops it now as VM_EXIT_STOPPED, VM_STOP_RESET as VM_EXIT_RESET.
 * `why` is the sentence of the exit's detail (FORCE, RESET). Before vm_run() a stop makes
 * vm_run() return at once; after it, nothing happens.
 */
void vm_request_host_stop(struct vm *vm, enum vm_stop_kind kind, unsigned int timeout_ms,
			  const char *why);
/* One press of the ACPI power button, nothing more (no deadline). */
void vm_press_power_button(struct vm *vm);
/* The state; *ret_presses (if not NULL) counts power-button presses so far. */
enum vm_state vm_get_state(struct vm *vm, unsigned int *ret_presses);
/* vm.c's wait loop, under exit_lock: stops the VM if a powerdown deadline has passed and
 * returns the time (ns, CLOCK_MONOTONIC) it should wake up at the latest (0: none). */
uint64_t vm_check_powerdown_deadline_locked(struct vm *vm, uint64_t now_ns);
/* vm_request_stop() for a caller that holds exit_lock. */
void vm_request_stop_locked(struct vm *vm, enum vm_exit_reason reason, int error,
			    const char *detail);

/* The KVM_RUN loop of one vCPU (run.c). */
void *vcpu_thread(void *arg);
/* Called by a vCPU thread before its first KVM_RUN: false if the VM is stopping, and the
 * thread must not enter KVM_RUN at all. */
bool vm_vcpu_thread_begin(struct vm_vcpu *v);
/* Called by a vCPU thread as it returns. */
void vm_vcpu_thread_exited(struct vm_vcpu *v);
/* Clears immediate_exit unless the VM is stopping (a stop's kick must never be undone). */
void vm_vcpu_clear_immediate_exit(struct vm_vcpu *v);

#endif /* SNPVMM_VMM_VM_H */
