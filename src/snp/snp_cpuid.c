// SPDX-License-Identifier: MIT
/*
 * The SNP CPUID page. Masks follow the bits the PSP rejects because KVM synthesises them rather
 * than the hardware reporting them (QEMU target/i386/sev.c sev_snp_mask_cpuid_features, OpenVMM
 * sanitize_snp_cpuid_entry, Alioth board_amd64/sev.rs). The contents are not measured (56860
 * PAGE_INFO: CPUID pages hash as zero contents), so masking more never changes a launch digest; a
 * page the firmware still rejects is retried once with the page it writes back (snp_launch.c).
 */
#include "snp/snp_cpuid.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define BIT(n) (1u << (n))

bool snp_cpuid_leaf_is_indexed(uint32_t leaf)
{
	switch (leaf) {
	case 0x4:
	case 0x7:
	case 0xb:
	case 0xd:
	case 0xf:
	case 0x10:
	case 0x12:
	case 0x14:
	case 0x17:
	case 0x18:
	case 0x1d:
	case 0x1e:
	case 0x1f:
	case 0x24:
	case 0x8000001d:
		return true;
	default:
		return false;
	}
}

void snp_cpuid_mask_vcpu(struct kvm_cpuid2 *cpuid)
{
	uint32_t i;

	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == 0x7 && e->index == 0)
			e->ecx &= ~BIT(16); /* LA57 */
		/* The page cannot offer the TSC-deadline timer (mask_entry()): KVM's view
		 * of the vCPU says the same as the guest's. */
		if (e->function == 0x1)
			e->ecx &= ~BIT(24);
	}
}

static void mask_entry(struct snp_cpuid_fn *f)
{
	switch (f->eax_in) {
	case 0x1:
		f->ecx &= ~BIT(24); /* TSC-deadline timer: emulated by KVM */
		break;
	case 0x7:
		if (f->ecx_in == 0) {
			f->ebx &= ~BIT(1);  /* IA32_TSC_ADJUST */
			f->ecx &= ~BIT(16); /* LA57, see snp_cpuid_mask_vcpu() */
			/* SPEC_CTRL, STIBP, FLUSH_L1D, ARCH_CAPABILITIES, CORE_CAPABILITY, SSBD:
			 * Intel-defined bits KVM synthesises on AMD (QEMU's mask). */
			f->edx &= ~(BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(30) | BIT(31));
		}
		break;
	case 0xd:
		/* The guest recomputes XSAVE sizes from the subleaves; every peer forces the
		 * legacy+header size and the x87 XCR0 input (a missing 0xD subleaf makes the
		 * guest's snp_cpuid_calc_xsave_size() fail, sev-shared.c). */
		if (f->ecx_in == 0 || f->ecx_in == 1) {
			f->ebx = 0x240;
			f->xcr0_in = 1;
		}
		break;
	case 0x80000008:
		f->ebx &= ~BIT(25); /* VIRT_SSBD */
		break;
	case 0x80000021:
		f->eax &= ~BIT(9); /* NO_SMM_CTL_MSR */
		break;
	default:
		break;
	}
}

int snp_cpuid_page_build(const struct kvm_cpuid2 *cpuid, uint8_t page[4096], struct diag *d)
{
	struct snp_cpuid_table *t = (struct snp_cpuid_table *)page;
	bool have_0 = false, have_ext = false, have_sev = false;
	uint32_t i, n = 0, nonzero = 0;

	for (i = 0; i < cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == 0x80000026)
			continue; /* Alioth drops it: the firmware rejects the leaf */
		if (e->eax | e->ebx | e->ecx | e->edx)
			nonzero++;
	}
	memset(page, 0, 4096);
	for (i = 0; i < cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
		bool zero = !(e->eax | e->ebx | e->ecx | e->edx);
		struct snp_cpuid_fn *f;

		if (e->function == 0x80000026)
			continue;
		/* Over the limit, drop all-zero entries first (OpenVMM): a missing leaf reads
		 * as zeros in the guest anyway (sev-shared.c snp_cpuid()). */
		if (zero && cpuid->nent > SNP_CPUID_COUNT_MAX)
			continue;
		if (n == SNP_CPUID_COUNT_MAX)
			return diag_fail(
				d, -E2BIG,
				"the CPUID page holds at most %d entries and the vCPU has %u "
				"non-zero leaves",
				SNP_CPUID_COUNT_MAX, nonzero);
		f = &t->fn[n++];
		f->eax_in = e->function;
		f->ecx_in = snp_cpuid_leaf_is_indexed(e->function) ? e->index : 0;
		f->eax = e->eax;
		f->ebx = e->ebx;
		f->ecx = e->ecx;
		f->edx = e->edx;
		mask_entry(f);
		have_0 |= e->function == 0;
		have_ext |= e->function == 0x80000000;
		have_sev |= e->function == 0x8000001f;
	}
	/* setup_cpuid_table() derives the valid ranges from these leaves; without them every
	 * leaf reads as zero, and without 0x8000001F the guest cannot find SEV (sev-shared.c,
	 * Linux 6.16). */
	if (!have_0 || !have_ext || !have_sev)
		return diag_fail(d, -EINVAL,
				 "the vCPU's CPUID lacks leaf %s, which an SNP guest needs",
				 !have_0     ? "0x0"
				 : !have_ext ? "0x80000000"
					     : "0x8000001F");
	t->count = n;
	return 0;
}

unsigned int snp_cpuid_page_diff(const uint8_t wanted[4096], const uint8_t corrected[4096],
				 char *out, size_t out_size)
{
	const struct snp_cpuid_table *a = (const void *)wanted, *b = (const void *)corrected;
	static const char *const reg[] = { "eax", "ebx", "ecx", "edx" };
	unsigned int i, r, diffs = 0;
	size_t used = 0;

	if (out_size)
		out[0] = '\0';
	for (i = 0; i < SNP_CPUID_COUNT_MAX; i++) {
		const uint32_t va[4] = { a->fn[i].eax, a->fn[i].ebx, a->fn[i].ecx, a->fn[i].edx };
		const uint32_t vb[4] = { b->fn[i].eax, b->fn[i].ebx, b->fn[i].ecx, b->fn[i].edx };
		bool differs = false;

		for (r = 0; r < 4; r++) {
			if (va[r] == vb[r])
				continue;
			differs = true;
			if (used < out_size) {
				int w = snprintf(out + used, out_size - used,
						 "%s0x%08x.%u %s 0x%08x -> 0x%08x",
						 used ? "; " : "", a->fn[i].eax_in, a->fn[i].ecx_in,
						 reg[r], va[r], vb[r]);
				used += w > 0 ? (size_t)w : 0;
			}
		}
		diffs += differs;
	}
	return diffs;
}
