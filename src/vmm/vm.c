// SPDX-License-Identifier: MIT
/*
 * Building and tearing down a guest. The order follows what KVM needs: the VM, then its
 * interrupt controllers, then memory (slots before vCPUs touch it), the boot image copied
 * into RAM, devices, and last the vCPUs with CPUID set before any register state
 * (x86.c validates CR4, EFER, XCR0 and a C-bit CR3 against the guest CPUID).
 */
#include "vmm/vm.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abi/ghcb.h"
#include "snp/snp_cpuid.h"
#include "vmm/backend.h"
#include "vmm/cpuid.h"
#include "vmm/halt_watch.h"
#include "vmm/vm_internal.h"

static void vm_serial_irq(void *ctx, bool level)
{
	struct vm *vm = ctx;

	/* A failure here would only lose an interrupt; the guest's 8250 driver polls too. */
	(void)vm->be->ops->irq_line(vm->be, SERIAL_COM1_IRQ, level);
}

static void vm_i8042_reset(void *ctx)
{
	vm_request_stop(ctx, VM_EXIT_RESET, 0, "the guest reset the machine (i8042 command 0xfe)");
}

static void vm_acpi_poweroff(void *ctx)
{
	vm_request_stop(ctx, VM_EXIT_POWEROFF, 0, "the guest powered off (ACPI S5)");
}

static void vm_acpi_reset(void *ctx)
{
	vm_request_stop(ctx, VM_EXIT_RESET, 0, "the guest reset the machine (ACPI reset register)");
}

static void vm_acpi_sci(void *ctx, bool level)
{
	struct vm *vm = ctx;

	/* Level-triggered: the line stays high until the guest clears the status bit. */
	(void)vm->be->ops->irq_line(vm->be, ACPI_PM_SCI_IRQ, level);
}

static void vm_stage_exit(void *ctx, uint32_t value)
{
	unsigned int set = (value >> GHCB_MSR_TERM_SET_SHIFT) & 0xf;
	unsigned int code = (value >> GHCB_MSR_TERM_CODE_SHIFT) & 0xff;

	if ((value & GHCB_MSR_INFO_MASK) != GHCB_MSR_TERM_REQ)
		return;
	vm_request_stop(ctx, VM_EXIT_GUEST_TERMINATED, 0,
			"the guest asked to be terminated (boot stage exit port): reason set %u, "
			"code %u (%s)",
			set, code, vm_term_reason_name(set, code));
}

/*
 * Stopping the vCPUs: why a kick cannot be lost.
 *
 * A vCPU thread inside KVM_RUN leaves it only when a signal is pending or when
 * immediate_exit was set before KVM read it at entry (api.rst "immediate_exit"; an AP
 * waiting for INIT/SIPI blocks in kvm_vcpu_block() until signal_pending()). So a stop sets
 * immediate_exit on every vCPU and then signals every thread that may be inside KVM_RUN.
 * "May be inside" is v->kickable, and both sides decide under exit_lock:
 *
 *   - a vCPU thread makes itself kickable (vm_vcpu_thread_begin) before its first
 *     KVM_RUN, and only if no stop has been requested; otherwise it never enters;
 *   - vm_request_stop() sets stopping, then immediate_exit, then signals the kickable
 *     threads, all under the lock.
 *
 * So a thread either saw the stop and never runs, or is kickable when the stop walks the
 * vCPUs. Each of its KVM_RUN entries then either reads immediate_exit after the store
 * (-EINTR at once) or read it before; then it was inside the ioctl when the signal was
 * sent (the signal follows the store), and the pending signal ends KVM_RUN. Either way it
 * comes back and sees `stopping`. The one other writer of immediate_exit, the certificate
 * protocol in run.c, clears it only under the same lock and only while not stopping.
 *
 * The thread ID kicked is the one the thread stored itself (pthread_self()), not the one
 * pthread_create() writes in the creating thread, which may not be written yet. A thread
 * that has ended is no longer kickable, so a joined thread is never signalled.
 */
void vm_request_stop_locked(struct vm *vm, enum vm_exit_reason reason, int error,
			    const char *detail)
{
	uint32_t i;

	if (vm->exit.reason == VM_EXIT_NONE) {
		vm->exit.reason = reason;
		vm->exit.error = error;
		snprintf(vm->exit.detail, sizeof(vm->exit.detail), "%s", detail);
	}
	atomic_store(&vm->stopping, true);
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vm_vcpu *v = &vm->vcpus[i];

		if (v->run)
			__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (v->kickable && !pthread_equal(v->self, pthread_self()))
			pthread_kill(v->self, vm->kick_signal);
	}
}

void vm_request_stop(struct vm *vm, enum vm_exit_reason reason, int error, const char *fmt, ...)
{
	char detail[sizeof(vm->exit.detail)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&vm->exit_lock);
	vm_request_stop_locked(vm, reason, error, detail);
	pthread_mutex_unlock(&vm->exit_lock);
}

bool vm_vcpu_thread_begin(struct vm_vcpu *v)
{
	bool run;

	pthread_mutex_lock(&v->vm->exit_lock);
	run = !atomic_load(&v->vm->stopping);
	if (run) {
		v->self = pthread_self();
		v->kickable = true;
	}
	pthread_mutex_unlock(&v->vm->exit_lock);
	return run;
}

void vm_vcpu_thread_exited(struct vm_vcpu *v)
{
	pthread_mutex_lock(&v->vm->exit_lock);
	v->kickable = false;
	v->vm->nr_exited++;
	pthread_cond_broadcast(&v->vm->exited_cond);
	pthread_mutex_unlock(&v->vm->exit_lock);
}

void vm_vcpu_clear_immediate_exit(struct vm_vcpu *v)
{
	pthread_mutex_lock(&v->vm->exit_lock);
	if (!atomic_load(&v->vm->stopping))
		__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&v->vm->exit_lock);
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void vm_phase_done(struct vm *vm, const char *name)
{
	uint64_t now = monotonic_ns();
	uint64_t us = (now - vm->phase_start_ns) / 1000u;

	vm->phase_start_ns = now;
	if (vm->nr_phases < VM_MAX_PHASES)
		vm->phases[vm->nr_phases++] = (struct vm_phase){ name, us };
	events_emit(
		vm->events, SNPVMM_EVENT_LAUNCH_PROGRESS,
		(struct snpvmm_event_field[]){ EV_STR("phase", name), EV_UINT("elapsed_us", us) },
		2);
}

/* Opens the images, checks their sizes (fstat) against the RAM layout and reads only the
 * kernel's header (boot_images.c); the plan places them before any other image byte is
 * read, straight into guest memory (boot_load.c). */
static int load_images(struct vm *vm, const struct vmm_options *o, struct diag *d)
{
	struct mem_layout layout;
	int r;

	mem_layout_compute(o->mem_size, &layout);
	r = boot_images_load(o, layout.regions, layout.nr, &vm->images, d);
	vm->have_images = r >= 0;
	return r;
}

void vm_boot_config(struct vm *vm, const struct vmm_options *o, const struct mem_layout *l,
		    struct boot_setup_data sd[OPT_MAX_SETUP_DATA], struct boot_config *ret_cfg)
{
	boot_images_setup_data(o, &vm->images, sd);
	*ret_cfg = (struct boot_config){
		.kernel = vm->images.kernel_head,
		.kernel_size = vm->images.kernel.size,
		.kernel_head_len = vm->images.kernel_head_len,
		.initrd_size = o->initrd ? vm->images.initrd.size : 0,
		.cmdline = o->append,
		.ram = l->regions,
		.nr_ram = l->nr,
		.nr_cpus = o->smp,
		.setup_data = sd,
		.nr_setup_data = o->nr_setup_data,
	};
}

int vm_copy_segments(struct vm *vm, const struct boot_segment *segs, unsigned int nr,
		     struct diag *d)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		void *dst = guest_memory_hva(&vm->mem, segs[i].gpa, segs[i].size);

		if (!segs[i].data)
			continue; /* an image: boot_load.c reads it into place */
		if (!dst)
			return diag_fail(
				d, -ERANGE, "boot segment at 0x%llx (%llu bytes) is not in RAM",
				(unsigned long long)segs[i].gpa, (unsigned long long)segs[i].size);
		if (segs[i].size)
			memcpy(dst, segs[i].data, segs[i].size);
	}
	return 0;
}

/* Boot mode hashes on a plain VM: the stage runs as it does under SNP but skips RAM
 * validation; "placed" are the pages copied in, which the stage never overwrites. */
static int plan_plain_stage(struct vm *vm, const struct mem_layout *l, struct diag *d)
{
	struct mem_range placed[BOOT_SEG_MAX];
	struct stage_plan_config sc = {
		.boot = &vm->plan,
		.ram = l->regions,
		.nr_ram = l->nr,
		.placed = placed,
	};
	unsigned int i;
	int r;

	for (i = 0; i < vm->plan.nr_segs; i++) {
		const struct boot_segment *s = &vm->plan.segs[i];
		uint64_t start = s->gpa & ~0xfffULL, end = (s->gpa + s->size + 0xfff) & ~0xfffULL;

		if (s->data)
			placed[sc.nr_placed++] = (struct mem_range){ start, end - start };
	}
	r = stage_plan_build(&sc, &vm->stage, d);
	if (r >= 0)
		vm->have_stage = true;
	return r;
}

/* Builds the boot plan and puts it into guest RAM (and the images into the staging area in
 * boot mode hashes). */
static int load_boot_plan(struct vm *vm, const struct vmm_options *o, const struct mem_layout *l,
			  struct diag *d)
{
	struct boot_setup_data sd[OPT_MAX_SETUP_DATA];
	struct vm_loaded_images loaded;
	struct boot_config cfg;
	int r;

	vm_boot_config(vm, o, l, sd, &cfg);
	r = boot_plan_build(&cfg, &vm->plan, d);
	if (r < 0)
		return r;
	vm->have_plan = true;
	if (o->boot_mode == BOOT_MODE_HASHES) {
		r = plan_plain_stage(vm, l, d);
		if (r < 0)
			return r;
	}
	r = vm_load_boot(vm, &vm->plan, vm->plan.segs, vm->plan.nr_segs,
			 vm->have_stage ? &vm->stage : NULL, &loaded, d);
	if (r >= 0 && vm->have_stage)
		r = vm_copy_segments(vm, vm->stage.segs, vm->stage.nr_segs, d);
	return r;
}

static int setup_devices(struct vm *vm, const struct vmm_options *o, struct diag *d)
{
	int r;

	bus_init(&vm->bus);
	r = serial_init(&vm->serial, vm->console.out_fd, vm_serial_irq, vm);
	if (r < 0)
		return diag_fail(d, r, "cannot set up the serial port: %s", strerror(-r));
	vm->have_serial = true;
	i8042_init(&vm->i8042, vm_i8042_reset, vm);
	r = acpi_pm_init(&vm->acpi_pm, &(struct acpi_pm_callbacks){ .poweroff = vm_acpi_poweroff,
								    .reset = vm_acpi_reset,
								    .set_sci = vm_acpi_sci,
								    .ctx = vm });
	if (r < 0)
		return diag_fail(d, r, "cannot set up the ACPI power management device: %s",
				 strerror(-r));
	vm->have_acpi_pm = true;

	r = bus_register(&vm->bus, BUS_PIO, SERIAL_COM1_BASE, SERIAL_NR_REGS, &serial_ops,
			 &vm->serial);
	if (r >= 0)
		r = bus_register(&vm->bus, BUS_PIO, I8042_DATA_PORT, 1, &i8042_data_ops,
				 &vm->i8042);
	if (r >= 0)
		r = bus_register(&vm->bus, BUS_PIO, I8042_COMMAND_PORT, 1, &i8042_ops, &vm->i8042);
	if (r >= 0)
		r = bus_register(&vm->bus, BUS_PIO, ACPI_PM_IO_BASE, ACPI_PM_IO_LEN, &acpi_pm_ops,
				 &vm->acpi_pm);
	/* Without SNP the stage can only report a refusal through a port (stage_params.h). */
	stage_exit_init(&vm->stage_exit, vm_stage_exit, vm);
	if (r >= 0 && vm->have_stage)
		r = bus_register(&vm->bus, BUS_PIO, STAGE_EXIT_PORT, STAGE_EXIT_PORT_LEN,
				 &stage_exit_ops, &vm->stage_exit);
	if (r < 0)
		return diag_fail(d, r, "cannot register the legacy devices: %s", strerror(-r));
	return 0;
}

int vm_vcpu_cpuid(struct vm *vm, uint32_t apic_id, uint32_t nr_cpus, bool snp,
		  struct cpuid_table *ret, struct diag *d)
{
	struct kvm_backend *be = vm->be;
	bool tsc_deadline;
	int r;

	if (!vm->supported_cpuid) {
		vm->supported_cpuid = calloc(1, sizeof(*vm->supported_cpuid));
		if (!vm->supported_cpuid)
			return -ENOMEM;
		vm->supported_cpuid->hdr.nent = CPUID_MAX_ENTRIES;
		r = be->ops->get_supported_cpuid(be, &vm->supported_cpuid->hdr);
		if (r < 0) {
			free(vm->supported_cpuid);
			vm->supported_cpuid = NULL;
			return diag_fail(d, r, "KVM_GET_SUPPORTED_CPUID failed: %s", strerror(-r));
		}
	}
	/* KVM_CREATE_IRQCHIP came first: the LAPIC is in-kernel, as the TSC-deadline bit
	 * needs (api.rst §9.1). */
	tsc_deadline = be->ops->check_extension(be, false, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	r = cpuid_for_vcpu(&vm->supported_cpuid->hdr, apic_id, nr_cpus, tsc_deadline, ret);
	if (r < 0)
		return diag_fail(d, r, "KVM reports more CPUID leaves than snpvmm handles");
	if (snp)
		snp_cpuid_mask_vcpu(&ret->hdr);
	return 0;
}

int vm_create_vcpus(struct vm *vm, uint32_t nr, bool snp, struct diag *d)
{
	struct kvm_backend *be = vm->be;
	struct cpuid_table *cpuid;
	uint32_t i;
	int r = 0;

	/* api.rst KVM_CAP_MAX_VCPUS: the most vCPUs a VM may have (0: not reported). */
	r = be->ops->check_extension(be, true, KVM_CAP_MAX_VCPUS);
	if (r > 0 && nr > (uint32_t)r)
		return diag_fail_field(d, -EINVAL, "vcpus",
				       "vcpus %u: this kernel allows at most %d vCPUs per VM", nr,
				       r);
	r = 0;
	cpuid = calloc(1, sizeof(*cpuid));
	if (!cpuid)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct vm_vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->id = i; /* vCPU id = APIC id (sev.c sev_snp_ap_creation()) */
		v->certs_fd = -1;
		r = be->ops->create_vcpu(be, v->id, &v->run);
		if (r < 0) {
			r = diag_fail(d, r, "KVM_CREATE_VCPU %u failed: %s", i, strerror(-r));
			break;
		}
		v->index = r;
		vm->nr_vcpus++;
		r = vm_vcpu_cpuid(vm, v->id, nr, snp, cpuid, d);
		if (r < 0)
			break;
		r = be->ops->vcpu_set_cpuid(be, v->index, &cpuid->hdr);
		if (r < 0) {
			r = diag_fail(d, r, "KVM_SET_CPUID2 on vCPU %u failed: %s", i,
				      strerror(-r));
			break;
		}
	}
	free(cpuid);
	return r < 0 ? r : 0;
}

/* The BSP starts at the kernel's 64-bit entry; APs stay in KVM's reset state and wait for
 * INIT/SIPI from the BSP, as on hardware. */
static int set_plain_entry_state(struct vm *vm, struct diag *d)
{
	struct kvm_backend *be = vm->be;
	struct vcpu_state st = { 0 };
	int r;

	r = be->ops->vcpu_get_state(be, vm->vcpus[0].index, &st);
	if (r >= 0) {
		st.valid = 0;
		boot_set_entry_state(&vm->plan, &st);
		if (vm->have_stage)
			stage_plan_apply_entry_state(&vm->stage, &st);
		r = be->ops->vcpu_set_state(be, vm->vcpus[0].index, &st);
	}
	if (r < 0)
		return diag_fail(d, r, "setting the boot CPU's entry state failed: %s",
				 strerror(-r));
	return 0;
}

static int vm_plain_setup(struct vm *vm, const struct vmm_options *o, struct diag *d)
{
	struct kvm_backend *be = vm->be;
	struct mem_layout layout;
	int r;

	r = be->ops->create_vm(be, KVM_X86_DEFAULT_VM);
	if (r < 0)
		return diag_fail(d, r, "KVM_CREATE_VM failed: %s", strerror(-r));
	r = be->ops->create_irqchip(be);
	if (r < 0)
		return diag_fail(d, r, "creating the in-kernel interrupt controllers failed: %s",
				 strerror(-r));
	mem_layout_compute(o->mem_size, &layout);
	r = guest_memory_create(be, &layout, o->mem_backend, false, &vm->mem, d);
	if (r >= 0)
		r = load_boot_plan(vm, o, &layout, d);
	if (r >= 0)
		r = vm_create_vcpus(vm, o->smp, false, d);
	if (r >= 0)
		r = set_plain_entry_state(vm, d);
	return r;
}

int vm_create(struct kvm_backend *be, const struct vmm_options *o, struct events *ev,
	      struct vm **ret_vm, struct diag *d)
{
	pthread_condattr_t cattr;
	struct vm *vm;
	int r;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->be = be;
	vm->events = ev;
	vm->kick_signal = o->kick_signal ? o->kick_signal : SIGRTMIN;
	vm->phase_start_ns = monotonic_ns();
	pthread_mutex_init(&vm->exit_lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->exited_cond, &cattr);
	pthread_condattr_destroy(&cattr);
	/* An SNP guest's registers and MP state are protected once launched (KVM_GET_REGS
	 * and KVM_GET_MP_STATE fail: x86.c's guest_state_protected checks), so only a plain
	 * guest can be watched. */
	vm->watch_halts = o->no_snp;

	/* Read and validate the images and open the console first: a bad file is the most
	 * likely error, and it must not be found after a launch. */
	r = load_images(vm, o, d);
	if (r >= 0)
		vm_phase_done(vm, "images");
	if (r >= 0) {
		if (o->console == CONSOLE_FDS)
			r = console_open_fds(&vm->console, o->console_in_fd, o->console_out_fd);
		else
			r = console_open(&vm->console, o->console, o->console_path, d);
		vm->have_console = r >= 0;
	}
	if (r >= 0)
		r = o->no_snp ? vm_plain_setup(vm, o, d) : vm_snp_setup(vm, o, d);
	if (r >= 0)
		vm_prefault_staging(vm);
	if (r >= 0 && o->no_snp)
		vm_phase_done(vm, "vm");
	if (r >= 0)
		r = setup_devices(vm, o, d);
	if (r >= 0)
		vm_phase_done(vm, "devices");
	if (r >= 0 && o->tamper_staging)
		r = vm_tamper_staging(vm, o->tamper_staging, d);
	if (r < 0) {
		vm_destroy(vm);
		return r;
	}
	*ret_vm = vm;
	return 0;
}

/* One halt-watch round is over: were all vCPUs dead, by their answers to probe `seq`,
 * without leaving KVM_RUN for anything else since it was asked? Under exit_lock. */
static bool vm_round_was_dead(struct vm *vm, unsigned int seq, const uint64_t *exits_before)
{
	enum vcpu_run_state states[OPT_MAX_SMP];
	uint32_t i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vm_vcpu *v = &vm->vcpus[i];

		states[i] = VCPU_UNKNOWN;
		if (atomic_load(&v->probe_answered) == seq &&
		    atomic_load(&v->exits) == exits_before[i])
			states[i] = (enum vcpu_run_state)atomic_load(&v->probe_state);
	}
	return halt_watch_all_dead(states, vm->nr_vcpus);
}

/* Asks every running vCPU thread for its state (answered in run.c before its next
 * KVM_RUN). A kick that lands outside KVM_RUN is lost, but only a busy vCPU is outside
 * it, and a busy vCPU is not dead: the round just does not count. Under exit_lock. */
static void vm_ask_vcpus(struct vm *vm, unsigned int seq, uint64_t *exits_before)
{
	uint32_t i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vm_vcpu *v = &vm->vcpus[i];

		exits_before[i] = atomic_load(&v->exits);
		atomic_store(&v->probe_asked, seq);
		if (v->kickable)
			pthread_kill(v->self, vm->kick_signal);
	}
}

/* Waits until all `nr_started` vCPU threads have ended. Meanwhile, for a plain guest,
 * the halt watch: a guest halted with interrupts off on every vCPU has crashed. */
static void vm_wait_for_vcpus(struct vm *vm, uint32_t nr_started)
{
	uint64_t exits_before[OPT_MAX_SMP];
	struct halt_watch watch = { 0 };
	struct timespec deadline;
	unsigned int seq = 0;
	bool dead;

	pthread_mutex_lock(&vm->exit_lock);
	while (vm->nr_exited < nr_started) {
		uint64_t now, wake, button;

		clock_gettime(CLOCK_MONOTONIC, &deadline);
		now = (uint64_t)deadline.tv_sec * 1000000000ULL + (uint64_t)deadline.tv_nsec;
		wake = now + HALT_WATCH_INTERVAL_MS * 1000000ULL;
		/* A power-button deadline (vm_control.c) may come sooner; a new request
		 * broadcasts exited_cond so that this wait starts again with it. */
		button = vm_check_powerdown_deadline_locked(vm, now);
		if (button && button < wake)
			wake = button;
		deadline.tv_sec = (time_t)(wake / 1000000000ULL);
		deadline.tv_nsec = (long)(wake % 1000000000ULL);
		while (vm->nr_exited < nr_started &&
		       pthread_cond_timedwait(&vm->exited_cond, &vm->exit_lock, &deadline) == 0)
			;
		if (vm->nr_exited == nr_started || !vm->watch_halts || atomic_load(&vm->stopping))
			continue;
		dead = seq && vm_round_was_dead(vm, seq, exits_before);
		if (halt_watch_round(&watch, dead)) {
			pthread_mutex_unlock(&vm->exit_lock);
			vm_request_stop(vm, VM_EXIT_GUEST_CRASH, 0,
					"every vCPU halted with interrupts disabled (HLT with "
					"RFLAGS.IF=0): the guest can never run again");
			pthread_mutex_lock(&vm->exit_lock);
			continue;
		}
		vm_ask_vcpus(vm, ++seq, exits_before);
	}
	pthread_mutex_unlock(&vm->exit_lock);
}

/* Ctrl-a x on the console: QEMU's "exit emulator", at once. */
static void vm_console_quit(void *ctx)
{
	vm_request_host_stop(ctx, VM_STOP_FORCE, 0, "stopped from the console (Ctrl-a x)");
}

int vm_run(struct vm *vm, struct vm_exit *ret_exit)
{
	uint32_t i;
	int r;

	/* The kick signal needs a handler without SA_RESTART (KVM_RUN must come back with
	 * EINTR); the embedder installs it (snpvmm_install_kick_handler()). */
	r = console_start_input(&vm->console, &vm->serial, vm_console_quit, vm);
	if (r < 0)
		return r;
	pthread_mutex_lock(&vm->exit_lock);
	vm->state = VM_STATE_RUNNING;
	pthread_mutex_unlock(&vm->exit_lock);
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vm_vcpu *v = &vm->vcpus[i];

		r = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (r) {
			vm_request_stop(vm, VM_EXIT_VMM_ERROR, -r,
					"cannot start the thread of vCPU %u: %s", i, strerror(r));
			break;
		}
		v->thread_created = true;
	}
	vm_wait_for_vcpus(vm, i);
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].thread_created) {
			pthread_join(vm->vcpus[i].thread, NULL);
			vm->vcpus[i].thread_created = false;
		}
	}
	console_close(&vm->console);
	vm->have_console = false;
	pthread_mutex_lock(&vm->exit_lock);
	vm->state = VM_STATE_ENDED;
	*ret_exit = vm->exit;
	pthread_mutex_unlock(&vm->exit_lock);
	return 0;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	if (vm->have_console)
		console_close(&vm->console);
	if (vm->have_serial)
		serial_destroy(&vm->serial);
	if (vm->have_acpi_pm)
		acpi_pm_destroy(&vm->acpi_pm);
	if (vm->have_plan)
		boot_plan_free(&vm->plan);
	if (vm->have_stage)
		stage_plan_free(&vm->stage);
	if (vm->snp.have_plan)
		snp_plan_free(&vm->snp.plan);
	free(vm->snp.id_block);
	free(vm->snp.id_auth);
	free(vm->supported_cpuid);
	vm_convert_destroy(vm);
	guest_memory_destroy(&vm->mem);
	if (vm->have_images)
		boot_images_free(&vm->images);
	pthread_cond_destroy(&vm->exited_cond);
	pthread_mutex_destroy(&vm->exit_lock);
	free(vm);
}
