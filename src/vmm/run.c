// SPDX-License-Identifier: MIT
/*
 * The KVM_RUN loop of one vCPU and the dispatch of its exits. Port and MMIO accesses go
 * to the device bus; everything that ends the guest goes through vm_request_stop() so
 * that the first reason wins and every vCPU leaves KVM_RUN.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snp/certs.h"
#include "snp/certs_lock.h"
#include "snp/psc.h"
#include "vmm/backend.h"
#include "vmm/halt_watch.h"
#include "vmm/vm.h"
#include "vmm/vm_internal.h"

static void handle_io(struct vm *vm, struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t i;

	/* A string instruction (rep outsb/insb) arrives as `count` accesses of `size` bytes
	 * laid out one after another in the data area. */
	/* A long rep outsb to a stalled console must not delay a stop request. */
	for (i = 0; i < run->io.count && !atomic_load(&vm->stopping); i++)
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

/* GHCB termination reason names: termination.c. GHCB offsets: abi/ghcb.h. */

static void handle_sev_term(struct vm *vm, struct vm_vcpu *v, struct kvm_run *run)
{
	/* data[0] is the GHCB MSR value (api.rst KVM_SYSTEM_EVENT_SEV_TERM): the MSR-protocol
	 * request itself (low 12 bits 0x100, reason set [15:12], code [23:16]), or the GHCB's
	 * GPA for the GHCB protocol's TERM_REQUEST event. The latter's reason is gone: KVM's
	 * sev_handle_vmgexit() answers every event with svm_vmgexit_success(svm, 0) before it
	 * looks at the exit code, which zeroes SW_EXITINFO1/2 in the guest's GHCB, and it
	 * logs the reason only in the host's kernel log ("SEV-ES guest requested termination:
	 * reason ..."; [PATCH v12 20/29], 6.11 .. 7.0). So the page is not read. */
	uint64_t v0 = run->system_event.ndata ? run->system_event.data[0] : 0;
	unsigned int set, code;

	if ((v0 & 0xfff) == 0x100) {
		set = (unsigned int)(v0 >> 12) & 0xf;
		code = (unsigned int)(v0 >> 16) & 0xff;
		vm_request_stop(vm, VM_EXIT_GUEST_TERMINATED, 0,
				"the guest asked to be terminated on vCPU %u: reason set %u, code "
				"%u (%s)",
				v->id, set, code, vm_term_reason_name(set, code));
	} else if ((v0 & 0xfff) == 0 && v0) {
		vm_request_stop(vm, VM_EXIT_GUEST_TERMINATED, 0,
				"the guest asked to be terminated on vCPU %u through its GHCB at "
				"0x%llx (TERM_REQUEST); KVM does not forward the reason (see the "
				"host's kernel log)",
				v->id, (unsigned long long)v0);
	} else {
		vm_request_stop(vm, VM_EXIT_GUEST_TERMINATED, 0,
				"the guest asked to be terminated on vCPU %u (GHCB MSR 0x%llx)",
				v->id, (unsigned long long)v0);
	}
}

static void handle_system_event(struct vm *vm, struct vm_vcpu *v, struct kvm_run *run)
{
	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SEV_TERM:
		handle_sev_term(vm, v, run);
		break;
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

/* ---- page-state changes of an SNP guest (all values are the guest's: untrusted) ---- */

#define VM_MAX_SAME_FAULT 16

struct convert_ctx {
	struct vm *vm;
	struct vm_vcpu *v;
};

static int convert_cb(void *opaque, uint64_t gpa, uint64_t size, bool to_private)
{
	struct convert_ctx *c = opaque;

	return vm_convert(c->vm, c->v, gpa, size, to_private);
}

/* A page-state change the host could not make for lack of memory is the VMM's failure,
 * not the guest's: the VM stops with vmm-error. Answering the guest with an error instead
 * would hide the cause: a Linux guest terminates itself on a failed page-state change
 * (arch/x86/boot/compressed/sev.c __page_state_change(), Linux 6.11). */
static bool stop_if_out_of_memory(struct vm *vm, const struct vm_vcpu *v, int r)
{
	if (r != -ENOMEM)
		return false;
	vm_request_stop(vm, VM_EXIT_VMM_ERROR, r,
			"vCPU %u: a page-state change failed: the host is out of memory", v->id);
	return true;
}

static unsigned int ram_ranges(const struct vm *vm, struct mem_range ram[MEM_MAX_REGIONS])
{
	unsigned int i;

	for (i = 0; i < vm->mem.nr; i++)
		ram[i] = (struct mem_range){ vm->mem.regions[i].gpa, vm->mem.regions[i].size };
	return vm->mem.nr;
}

/* Upstream: KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE) (sev.c snp_begin_psc_msr(), snp_begin_psc(),
 * Linux 6.11; hypercalls.rst). The reply in
 * hypercall.ret must be 0, EINVAL or EAGAIN, or KVM_RUN fails. */
static bool handle_hypercall(struct vm *vm, struct vm_vcpu *v, struct kvm_run *run)
{
	struct kvm_exit_hypercall *hc = kvm_run_exit_data(run);
	struct mem_range ram[MEM_MAX_REGIONS];
	unsigned int nr = ram_ranges(vm, ram);
	struct psc_request req;
	int r;

	r = vm->conv.enabled ? psc_decode_map_gpa_range(hc, ram, nr, &req) : -ENOSYS;
	if (r == -ENOSYS) {
		vm_request_stop(vm, VM_EXIT_VMM_ERROR, -ENOSYS,
				"vCPU %u: unexpected hypercall %llu", v->id,
				(unsigned long long)hc->nr);
		return false;
	}
	if (r >= 0)
		r = vm_convert(vm, v, req.gpa, req.size, req.to_private);
	if (stop_if_out_of_memory(vm, v, r))
		return false;
	if (r < 0)
		atomic_fetch_add(&vm->conv.rejected, 1);
	hc->ret = psc_map_gpa_range_ret(r);
	return true;
}

/* KVM_EXIT_MEMORY_FAULT: an implicit conversion, the guest touched a page through the
 * other view (api.rst KVM_EXIT_MEMORY_FAULT; QEMU kvm_convert_memory()). */
static bool handle_memory_fault(struct vm *vm, struct vm_vcpu *v, struct kvm_run *run)
{
	const struct kvm_exit_memory_fault *mf = kvm_run_exit_data(run);
	bool to_private = mf->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE;
	int r;

	/* api.rst (KVM_CAP_MEMORY_FAULT_INFO): "Userspaces which attempt to resolve memory
	 * faults so that they can retry KVM_RUN are encouraged to guard against repeatedly
	 * receiving the same error/annotated fault." */
	if (v->last_fault.gpa == mf->gpa && v->last_fault.size == mf->size &&
	    v->last_fault.flags == mf->flags) {
		if (++v->last_fault.repeats >= VM_MAX_SAME_FAULT) {
			vm_request_stop(
				vm, VM_EXIT_VMM_ERROR, -EFAULT,
				"vCPU %u: the memory fault at 0x%llx (+0x%llx, %s) persists "
				"after %u conversions",
				v->id, (unsigned long long)mf->gpa, (unsigned long long)mf->size,
				to_private ? "private" : "shared", VM_MAX_SAME_FAULT);
			return false;
		}
	} else {
		v->last_fault.gpa = mf->gpa;
		v->last_fault.size = mf->size;
		v->last_fault.flags = mf->flags;
		v->last_fault.repeats = 0;
	}
	r = vm->conv.enabled ? vm_convert(vm, v, mf->gpa, mf->size, to_private) : -ENOTSUP;
	if (r == -EINVAL) {
		/* Not guest RAM: the guest touched something that is not memory as private
		 * (or the like); re-entering would fault again forever. */
		vm_request_stop(vm, VM_EXIT_GUEST_CRASH, r,
				"vCPU %u: the guest accessed 0x%llx (+0x%llx) as %s memory, which "
				"is not guest RAM",
				v->id, (unsigned long long)mf->gpa, (unsigned long long)mf->size,
				to_private ? "private" : "shared");
		return false;
	}
	if (r < 0) {
		vm_request_stop(
			vm, VM_EXIT_VMM_ERROR, r,
			"vCPU %u: memory fault at 0x%llx (+0x%llx, %s) cannot be served: %s", v->id,
			(unsigned long long)mf->gpa, (unsigned long long)mf->size,
			to_private ? "private" : "shared", strerror(-r));
		return false;
	}
	return true;
}

/* The host mapping of [gpa, gpa + size) if the guest has made all of it shared, else NULL:
 * the only guest memory the VMM writes for the guest. Call with conv.lock held. */
static uint8_t *shared_hva_locked(struct vm *vm, uint64_t gpa, uint64_t size)
{
	if (!page_state_is_uniform(&vm->conv.states, gpa, size, PAGE_STATE_SHARED))
		return NULL;
	return guest_memory_hva(&vm->mem, gpa, size);
}

/* v12: KVM_EXIT_VMGEXIT, the page-state change forwarded raw ([PATCH v12 15/29]). */
static bool handle_vmgexit_v12(struct vm *vm, struct vm_vcpu *v, struct kvm_run *run)
{
	struct kvm_user_vmgexit_v12 *g = kvm_run_exit_data(run);
	struct mem_range ram[MEM_MAX_REGIONS];
	unsigned int nr = ram_ranges(vm, ram);
	struct convert_ctx ctx = { vm, v };
	struct psc_request req;
	uint64_t gpa, len, ret;
	uint8_t *desc;
	int r;

	switch (g->type) {
	case KVM_USER_VMGEXIT_PSC_MSR:
		r = psc_decode_msr(g, ram, nr, &req);
		if (r >= 0)
			r = vm_convert(vm, v, req.gpa, req.size, req.to_private);
		if (stop_if_out_of_memory(vm, v, r))
			return false;
		if (r < 0)
			atomic_fetch_add(&vm->conv.rejected, 1);
		g->psc_msr.ret = psc_msr_ret(r);
		return true;
	case KVM_USER_VMGEXIT_PSC:
		/* The descriptor is in the GHCB's shared buffer; never look past its page. We
		 * write progress into it, so it must be shared memory like every GHCB (GHCB
		 * 56421 "GHCB"): in the shared view of a private page our writes would reach
		 * nothing the guest sees. Otherwise NULL: a generic error reply. */
		gpa = g->psc.shared_gpa;
		len = 4096 - (gpa & 0xfff);
		pthread_mutex_lock(&vm->conv.lock);
		desc = shared_hva_locked(vm, gpa, len);
		pthread_mutex_unlock(&vm->conv.lock);
		/* The staging area (the boot stage's GHCB) is shared memory only: a plain
		 * memslot without guest_memfd, which the guest cannot make private. */
		if (!desc)
			desc = guest_memory_staging_hva(&vm->mem, gpa, len);
		r = psc_process_descriptor(desc, desc ? len : 0, ram, nr, convert_cb, &ctx, &ret);
		if (stop_if_out_of_memory(vm, v, r))
			return false;
		if (r < 0 || ret)
			atomic_fetch_add(&vm->conv.rejected, 1);
		g->psc.ret = ret;
		return true;
	default:
		vm_request_stop(vm, VM_EXIT_VMM_ERROR, -ENOTSUP,
				"vCPU %u: unknown v12 VMGEXIT type %u", v->id, g->type);
		return false;
	}
}

/* KVM_EXIT_SNP_REQ_CERTS (sev.c snp_handle_ext_guest_req(), snp_complete_req_certs(), kvm-x86
 * 2026): write the certificate table into the guest's pages and say so in ret. The file is re-read
 * for every request under a shared OFD lock, so an operator replaces it by taking an exclusive lock
 * (the guest gets EAGAIN, "busy, retry", meanwhile); ours is held until KVM has handed the request
 * to the firmware, which immediate_exit makes visible as the next -EINTR (api.rst's documented
 * protocol). */
static bool handle_req_certs(struct vm *vm, struct vm_vcpu *v, struct kvm_run *run)
{
	struct kvm_exit_snp_req_certs *rc = kvm_run_exit_data(run);
	struct certs_table table = { 0 };
	uint64_t need, npages = rc->npages;
	uint8_t *buf = NULL, *dst;
	size_t len = 0;
	int fd = -1, r;

	/* The exit is only enabled with --certs (vm_snp.c), on an SNP guest whose page
	 * states we track. */
	if (!vm->snp.certs_path || !vm->conv.enabled) {
		rc->ret = certs_ret_for_error(-EIO);
		goto out;
	}
	buf = malloc(CERTS_MAX_BYTES);
	fd = buf ? open(vm->snp.certs_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1;
	if (fd < 0) {
		rc->ret = certs_ret_for_error(buf ? -errno : -ENOMEM);
		goto out;
	}
	r = certs_lock_shared(fd);
	if (r >= 0)
		r = certs_read(fd, buf, CERTS_MAX_BYTES, &len);
	if (r >= 0)
		r = certs_parse(buf, len, &table, NULL);
	if (r < 0) {
		rc->ret = certs_ret_for_error(r);
		goto out;
	}
	/* Map only the pages the table needs, never the guest's (untrusted) npages, and only
	 * if the guest made them shared: the certificate pages are shared memory the
	 * hypervisor writes (GHCB 56421 "SNP Extended Guest Request": RAX is the GPA of the
	 * shared pages). Written through our shared view, private pages would give the guest
	 * nothing and only make the host keep memory. NULL makes the reply EIO, which KVM
	 * passes on as SNP_GUEST_VMM_ERR_GENERIC (snp_complete_req_certs(), kvm-x86 2026).
	 * Under conv.lock, so no conversion can make them private while we write. */
	need = certs_npages(&table);
	pthread_mutex_lock(&vm->conv.lock);
	dst = rc->npages >= need ? shared_hva_locked(vm, rc->gpa, need * 4096) : NULL;
	rc->ret = certs_write_to_guest(&table, rc->npages, dst, dst ? need * 4096 : 0, &npages);
	pthread_mutex_unlock(&vm->conv.lock);
	rc->npages = npages;
	if (rc->ret == 0) {
		v->certs_fd = fd;
		v->certs_locked = true;
		__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		fd = -1;
	}
out:
	/* Every answer, a refusal too (an unreadable or locked file, no memory): an operator
	 * sees why a guest's attestation got no certificates. */
	events_emit(vm->events, SNPVMM_EVENT_CERTS_SERVED,
		    (struct snpvmm_event_field[]){ EV_UINT("vcpu", v->id), EV_UINT("ret", rc->ret),
						   EV_UINT("pages", rc->npages) },
		    3);
	certs_table_free(&table);
	free(buf);
	if (fd >= 0)
		close(fd); /* closing the fd drops its OFD lock */
	return true;
}

/* The request a certificate lock was held for has reached the firmware. */
static void release_certs_lock(struct vm_vcpu *v)
{
	close(v->certs_fd); /* closing the fd drops its OFD lock */
	v->certs_locked = false;
	vm_vcpu_clear_immediate_exit(v);
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
	case KVM_EXIT_HYPERCALL:
		return handle_hypercall(vm, v, run);
	case SNP_EXIT_REQ_CERTS:
		if (vm->snp.enabled && vm->snp.abi == SNP_ABI_UPSTREAM)
			return handle_req_certs(vm, v, run);
		break;
	case SNP_EXIT_REQ_CERTS_KVM_X86:
		/* kvm-x86 trees between the v7 certificate patch (2026-02) and the 7.0 merge
		 * numbered this exit 42, with the same payload and the same opt-in (attribute
		 * KVM_X86_SEV_SNP_REQ_CERTS, command 103); in 7.0, 42 is arm64's LDST64B, which
		 * an x86 kernel never delivers. So on an SNP VM that enabled the exit, 42 is
		 * that request; anything else is refused with the reason. */
		if (vm->snp.enabled && vm->snp.abi == SNP_ABI_UPSTREAM && vm->snp.certs_path)
			return handle_req_certs(vm, v, run);
		vm_request_stop(vm, VM_EXIT_VMM_ERROR, -ENOTSUP,
				"vCPU %u: exit reason 42 (a certificate request as pre-7.0 kvm-x86 "
				"trees numbered it) on a VM that did not enable certificate exits "
				"(certificate serving): the kernel and snpvmm disagree on the ABI",
				v->id);
		return false;
	case KVM_EXIT_VMGEXIT_V12:
		/* Upstream gave exit 40 to TDX; only a v12 kernel means a VMGEXIT by it. */
		if (vm->snp.enabled && vm->snp.abi == SNP_ABI_V12)
			return handle_vmgexit_v12(vm, v, run);
		break;
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
		break;
	}
	vm_request_stop(vm, VM_EXIT_VMM_ERROR, -ENOTSUP, "vCPU %u: unhandled exit reason %u", v->id,
			run->exit_reason);
	return false;
}

/* Answers a halt-watch probe (vm.c vm_wait_for_vcpus()), if one is pending. */
static void vcpu_answer_probe(struct vm *vm, struct vm_vcpu *v)
{
	unsigned int asked = atomic_load(&v->probe_asked);
	enum vcpu_run_state state = VCPU_UNKNOWN;
	struct vcpu_state st;

	if (asked == atomic_load(&v->probe_answered))
		return;
	memset(&st, 0, sizeof(st));
	if (vm->be->ops->vcpu_get_state(vm->be, v->index, &st) >= 0)
		state = vcpu_run_state_of(st.mp_state.mp_state, st.regs.rflags);
	atomic_store(&v->probe_state, (int)state);
	atomic_store(&v->probe_answered, asked);
}

void *vcpu_thread(void *arg)
{
	struct vm_vcpu *v = arg;
	struct vm *vm = v->vm;
	struct kvm_backend *be = vm->be;
	sigset_t kick;
	int r;

	/* The kick must reach KVM_RUN even if snpvmm was started with it blocked (a
	 * signal mask is inherited across exec): otherwise a vCPU inside KVM_RUN, such as a
	 * halted AP, would never leave it. */
	sigemptyset(&kick);
	sigaddset(&kick, vm->kick_signal);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	if (!vm_vcpu_thread_begin(v)) {
		vm_vcpu_thread_exited(v); /* vm_run() counts every thread it created */
		return NULL;
	}
	while (!atomic_load(&vm->stopping)) {
		vcpu_answer_probe(vm, v);
		r = be->ops->vcpu_run(be, v->index);
		/* The one exit that comes with -EFAULT (api.rst KVM_EXIT_MEMORY_FAULT). */
		if (r == -EFAULT && v->run->exit_reason == KVM_EXIT_MEMORY_FAULT) {
			if (!handle_memory_fault(vm, v, v->run))
				break;
			continue;
		}
		if (r == -EINTR && v->certs_locked)
			release_certs_lock(v);
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
		atomic_fetch_add(&v->exits, 1);
		v->last_fault.repeats = 0; /* any other exit: the guest made progress */
		if (!handle_exit(vm, v))
			break;
	}
	if (v->certs_locked)
		release_certs_lock(v);
	vm_vcpu_thread_exited(v);
	return NULL;
}
