// SPDX-License-Identifier: MIT
/*
 * Per-vCPU CPUID. The topology we present is flat: one package, one thread per core,
 * nr_cpus cores, APIC IDs 0..nr_cpus-1 -- matching the MADT (acpi.c).
 */
#include "vmm/cpuid.h"

#include <errno.h>
#include <string.h>

#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_HTT	       (1u << 28)

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *cpuid, uint32_t function, uint32_t index)
{
	uint32_t i;

	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function != function)
			continue;
		if (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index)
			return e;
	}
	return NULL;
}

/* Bits needed to hold values 0..n-1. */
static uint32_t id_bits(uint32_t n)
{
	uint32_t bits = 0;

	while ((1u << bits) < n)
		bits++;
	return bits;
}

int cpuid_for_vcpu(const struct kvm_cpuid2 *supported, uint32_t apic_id, uint32_t nr_cpus,
		   struct cpuid_table *out)
{
	struct kvm_cpuid2 *c = &out->hdr;
	uint32_t i;

	if (supported->nent > CPUID_MAX_ENTRIES)
		return -E2BIG;
	memset(out, 0, sizeof(*out));
	c->nent = supported->nent;
	memcpy(c->entries, supported->entries, sizeof(c->entries[0]) * supported->nent);

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 0x1:
			/* EBX[31:24] initial APIC ID, EBX[23:16] logical processors per package
			 * (valid with EDX.HTT). ECX[31]: running under a hypervisor. */
			e->ebx = (e->ebx & 0x0000ffffu) | (apic_id << 24) |
				 ((nr_cpus > 255 ? 255 : nr_cpus) << 16);
			if (nr_cpus > 1)
				e->edx |= CPUID_1_EDX_HTT;
			else
				e->edx &= ~CPUID_1_EDX_HTT;
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			break;
		case 0xb:
		case 0x1f:
			/* Extended topology: EDX is the x2APIC ID on every subleaf. Level 0 is
			 * SMT (one thread), level 1 the cores of the package. */
			e->edx = apic_id;
			if (e->index == 0) {
				e->eax = 0;
				e->ebx = 1;
				e->ecx = (1u << 8) | 0;
			} else if (e->index == 1) {
				e->eax = id_bits(nr_cpus);
				e->ebx = nr_cpus;
				e->ecx = (2u << 8) | 1;
			} else {
				e->eax = 0;
				e->ebx = 0;
				e->ecx = e->index;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}
