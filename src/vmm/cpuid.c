// SPDX-License-Identifier: MIT
/*
 * Per-vCPU CPUID. The topology we present is flat: one package, one thread per core,
 * nr_cpus cores, core ID = APIC ID = vCPU index 0..nr_cpus-1 -- matching the MADT
 * (acpi.c). Every leaf that describes it says so: 0x1, 0xB/0x1F, 0x80000008, 0x8000001E.
 */
#include "vmm/cpuid.h"

#include <errno.h>
#include <string.h>

#define CPUID_1_ECX_HYPERVISOR	 (1u << 31)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_EDX_HTT		 (1u << 28)

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

/* Leaf 0xB/0x1F subleaf `level` of the flat topology (Intel SDM Vol. 2A CPUID "V2
 * Extended Topology Enumeration Leaf"; AMD APM Vol. 3 E.4.1 for 0xB): level 0 is SMT,
 * one thread per core; level 1 the cores of the one package; above that, level type 0
 * (invalid) ends the enumeration. EDX is the x2APIC ID on every subleaf. */
static void set_ext_topology(struct kvm_cpuid_entry2 *e, uint32_t apic_id, uint32_t nr_cpus)
{
	e->edx = apic_id;
	if (e->index == 0) {
		e->eax = 0; /* no APIC ID bits for threads */
		e->ebx = 1;
		e->ecx = (1u << 8) | 0; /* type SMT */
	} else if (e->index == 1) {
		e->eax = id_bits(nr_cpus); /* APIC ID bits below the package */
		e->ebx = nr_cpus;
		e->ecx = (2u << 8) | 1; /* type Core */
	} else {
		e->eax = 0;
		e->ebx = 0;
		e->ecx = e->index; /* type 0: invalid */
	}
}

/*
 * KVM_GET_SUPPORTED_CPUID reports leaves 0xB and 0x1F as subleaf 0 only, all zero, and
 * 0x8000001E all zero: "If userspace wishes to set up a guest topology, it should be
 * careful that the values of these three leaves differ for each CPU" (api.rst §9.1,
 * "KVM_GET_SUPPORTED_CPUID issues", Linux 6.1; arch/x86/kvm/cpuid.c __do_cpuid_func).
 * A leaf 0xB without its core subleaf makes Linux put every CPU in a package of its own
 * (arch/x86/kernel/cpu/topology.c detect_extended_topology(), Linux 6.1: the package
 * shift is that of the last valid level).
 */
static int add_core_subleaf(struct kvm_cpuid2 *c, uint32_t function)
{
	struct kvm_cpuid_entry2 *e;

	if (!cpuid_find(c, function, 0) || cpuid_find(c, function, 1))
		return 0;
	if (c->nent >= CPUID_MAX_ENTRIES)
		return -E2BIG;
	e = &c->entries[c->nent++];
	*e = (struct kvm_cpuid_entry2){ .function = function,
					.index = 1,
					.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX };
	return 0;
}

int cpuid_for_vcpu(const struct kvm_cpuid2 *supported, uint32_t apic_id, uint32_t nr_cpus,
		   bool tsc_deadline, struct cpuid_table *out)
{
	struct kvm_cpuid2 *c = &out->hdr;
	uint32_t i;

	if (supported->nent > CPUID_MAX_ENTRIES)
		return -E2BIG;
	memset(out, 0, sizeof(*out));
	c->nent = supported->nent;
	memcpy(c->entries, supported->entries, sizeof(c->entries[0]) * supported->nent);
	if (add_core_subleaf(c, 0xb) < 0 || add_core_subleaf(c, 0x1f) < 0)
		return -E2BIG;

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
			/* KVM emulates the TSC-deadline timer but never reports it; it may be
			 * set with KVM_CAP_TSC_DEADLINE_TIMER and an in-kernel LAPIC (api.rst
			 * §9.1). Without it Linux calibrates the LAPIC timer against the PIT
			 * (arch/x86/kernel/apic/apic.c calibrate_APIC_clock()), which a loaded
			 * host can fail: "APIC timer disabled due to verification failure". */
			if (tsc_deadline)
				e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
			break;
		case 0xb:
		case 0x1f:
			set_ext_topology(e, apic_id, nr_cpus);
			break;
		case 0x80000008:
			/* ECX[7:0] NC: threads in the package - 1; ECX[15:12] ApicIdSize: APIC ID
			 * bits for them (AMD APM Vol. 3 E.4.7). KVM passes the host's through
			 * (arch/x86/kvm/cpuid.c); Linux 6.1 takes x86_max_cores from NC
			 * (arch/x86/kernel/cpu/amd.c early_init_amd_mc()), 6.9+ the core domain
			 * (topology_amd.c parse_8000_0008()). */
			e->ecx = (e->ecx & ~0xf0ffu) | ((nr_cpus - 1) & 0xff) |
				 (id_bits(nr_cpus) << 12);
			break;
		case 0x8000001e:
			/* EAX extended APIC ID; EBX[15:8] threads per core - 1, [7:0] core ID;
			 * ECX[10:8] nodes per package - 1, [7:0] node ID (AMD APM Vol. 3 E.4.16).
			 * Linux 6.1 takes the core ID from EBX on family 17h+
			 * (arch/x86/kernel/cpu/amd.c amd_get_topology()); 6.9+ takes the initial
			 * APIC ID from EAX and reports "[Firmware Bug]: CPU n: APIC ID mismatch"
			 * when it differs from the APIC's (topology_amd.c parse_8000_001e(),
			 * topology_common.c). */
			e->eax = apic_id;
			e->ebx = apic_id & 0xff;
			e->ecx = 0;
			e->edx = 0;
			break;
		default:
			break;
		}
	}
	return 0;
}
