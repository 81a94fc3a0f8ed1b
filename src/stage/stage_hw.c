// SPDX-License-Identifier: MIT
/*
 * The stage's instructions: the real struct stage_ops behind stage_core.c, in the guest.
 * Under SNP there is no #VC handler, so nothing here may be intercepted: no CPUID, no port
 * I/O, no MSR but the GHCB MSR (swapped through the VMSA, never intercepted) and SEV_STATUS
 * (whose reads are not intercepted: Linux's decompressor reads it in sev_enable() with only
 * a CPUID-capable #VC handler installed, arch/x86/boot/compressed/sev.c). Port I/O is used
 * only without SNP, to report a refusal.
 */
#include <stddef.h>
#include <stdint.h>

#include "abi/ghcb.h"
#include "stage/stage_core.h"

void stage_main(const struct stage_params *p);
/* entry.S: loads CR3, clears the registers, jumps to stage_kernel_entry. */
__attribute__((noreturn)) void stage_jump_to_kernel(uint64_t boot_params, uint64_t cr3);
uint64_t stage_kernel_entry;

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

/* VMGEXIT is "rep; vmmcall" (F3 0F 01 D9), GHCB spec "VMGEXIT". */
static void vmgexit(void)
{
	__asm__ volatile("rep; vmmcall" : : : "memory");
}

static __attribute__((noreturn)) void halt_forever(void)
{
	/* HLT is an automatic exit under SEV-ES/SNP, not a #VC. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void *hw_map(void *ctx, uint64_t gpa, uint64_t len)
{
	/* The stage's page tables map RAM 1:1 with the C-bit and the staging area 1:1
	 * without it. */
	return (void *)(uintptr_t)gpa;
}

static uint64_t hw_read_sev_status(void *ctx)
{
	return rdmsr(MSR_SEV_STATUS);
}

static uint64_t hw_ghcb_call(void *ctx, uint64_t value)
{
	wrmsr(GHCB_MSR, value);
	vmgexit();
	return rdmsr(GHCB_MSR);
}

/* PVALIDATE (F2 0F 01 FF): RAX = virtual address, ECX = page size, EDX = 1 to validate;
 * returns RAX, CF = 1 when the RMP entry was left as it was (APM Vol. 3 "PVALIDATE"). */
static int hw_pvalidate(void *ctx, uint64_t gpa, int page_size, bool *ret_unchanged)
{
	uint64_t rax = gpa;
	uint8_t cf;

	__asm__ volatile(".byte 0xf2, 0x0f, 0x01, 0xff\n\tsetc %1"
			 : "+a"(rax), "=qm"(cf)
			 : "c"((uint64_t)page_size), "d"(1ULL)
			 : "memory", "cc");
	*ret_unchanged = cf;
	return (int)(uint32_t)rax;
}

static void hw_terminate(void *ctx, const struct stage_params *p, unsigned int code)
{
	uint64_t value = GHCB_MSR_TERM(STAGE_TERM_SET, code);

	if (p->flags & STAGE_FLAG_SNP) {
		wrmsr(GHCB_MSR, value);
		vmgexit();
	} else {
		__asm__ volatile("outl %0, %w1" : : "a"((uint32_t)value), "Nd"(p->exit_port));
	}
	halt_forever();
}

static void hw_enter_kernel(void *ctx, const struct stage_params *p)
{
	stage_kernel_entry = p->kernel_entry;
	stage_jump_to_kernel(p->boot_params_gpa, p->kernel_cr3);
}

void stage_main(const struct stage_params *p)
{
	const struct stage_ops ops = {
		.map = hw_map,
		.read_sev_status = hw_read_sev_status,
		.ghcb_call = hw_ghcb_call,
		.pvalidate = hw_pvalidate,
		.terminate = hw_terminate,
		.enter_kernel = hw_enter_kernel,
	};

	(void)stage_run(p, &ops);
	halt_forever();
}
