// SPDX-License-Identifier: MIT
#include "vmm/halt_watch.h"

#include <linux/kvm.h>

#define X86_RFLAGS_IF (1ULL << 9)

enum vcpu_run_state vcpu_run_state_of(uint32_t mp_state, uint64_t rflags)
{
	switch (mp_state) {
	case KVM_MP_STATE_HALTED:
		return (rflags & X86_RFLAGS_IF) ? VCPU_RUNS : VCPU_HALTED_IF0;
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
		return VCPU_WAITS_FOR_SIPI;
	default:
		return VCPU_RUNS;
	}
}

bool halt_watch_all_dead(const enum vcpu_run_state *states, unsigned int nr)
{
	bool halted = false;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (states[i] == VCPU_HALTED_IF0)
			halted = true;
		else if (states[i] != VCPU_WAITS_FOR_SIPI)
			return false;
	}
	return halted;
}

bool halt_watch_round(struct halt_watch *w, bool all_dead)
{
	w->dead_rounds = all_dead ? w->dead_rounds + 1 : 0;
	return w->dead_rounds >= HALT_WATCH_ROUNDS;
}
