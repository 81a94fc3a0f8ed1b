/* SPDX-License-Identifier: MIT */
/*
 * Telling a guest that can never run again from one that is idle. With KVM's in-kernel
 * LAPIC a HLT never reaches userspace (KVM_EXIT_HLT is only for a userspace LAPIC:
 * arch/x86/kvm/x86.c __kvm_emulate_halt()), so a guest that ends in "cli; hlt" on every
 * vCPU (Linux's halt, a test guest after its report) just leaves every vCPU thread asleep
 * in KVM_RUN for ever. vm_run() therefore asks each vCPU of a plain VM, twice a second,
 * for its KVM_GET_MP_STATE and RFLAGS (the vCPU thread answers between two KVM_RUNs,
 * kicked out of a halt by a signal), and these pure rules decide.
 *
 * A halted vCPU with RFLAGS.IF = 0 wakes only for an NMI, SMI, INIT or a PV unhalt
 * (KVM_HC_KICK_CPU), and those come only from another vCPU; snpvmm's devices raise
 * maskable ISA interrupts only. So when every vCPU is either halted with IF = 0 or is
 * an AP still waiting for its start-up IPI, and that holds on consecutive probes with no
 * vCPU leaving KVM_RUN for anything else in between, nothing can ever run again.
 * (KVM_GET_MP_STATE reports a halted vCPU with a pending PV unhalt as RUNNABLE.)
 */
#ifndef SNPVMM_VMM_HALT_WATCH_H
#define SNPVMM_VMM_HALT_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#define HALT_WATCH_INTERVAL_MS 500
#define HALT_WATCH_ROUNDS      2 /* consecutive all-dead probes before the verdict */

enum vcpu_run_state {
	VCPU_UNKNOWN,	     /* no answer (busy outside KVM_RUN) or the state is unreadable */
	VCPU_RUNS,	     /* anything that can still make progress */
	VCPU_HALTED_IF0,     /* KVM_MP_STATE_HALTED with RFLAGS.IF = 0 */
	VCPU_WAITS_FOR_SIPI, /* an AP in KVM_MP_STATE_UNINITIALIZED or INIT_RECEIVED */
};

/* From KVM_GET_MP_STATE's mp_state and KVM_GET_REGS' rflags. */
enum vcpu_run_state vcpu_run_state_of(uint32_t mp_state, uint64_t rflags);
/* Every vCPU halted with IF = 0 or waiting for SIPI, and at least one halted. */
bool halt_watch_all_dead(const enum vcpu_run_state *states, unsigned int nr);

struct halt_watch {
	unsigned int dead_rounds;
};

/* Records one probe round; true once HALT_WATCH_ROUNDS consecutive rounds were dead. */
bool halt_watch_round(struct halt_watch *w, bool all_dead);

#endif /* SNPVMM_VMM_HALT_WATCH_H */
