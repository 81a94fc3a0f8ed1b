/* SPDX-License-Identifier: MIT */
/*
 * The stage's entry and its jump to the kernel. The VMSA (snp_plan.c) starts the BSP here
 * in 64-bit mode on the stage's page tables with RSP at the top of the measured stack and
 * RSI = the parameters page; the flat binary is linked to start with this code.
 */
	.section .text.entry, "ax"
	.code64
	.globl	_start
_start:
	cli
	cld
	mov	%rsi, %rdi
	call	stage_main
1:	hlt
	jmp	1b

/*
 * stage_jump_to_kernel(boot_params = %rdi, cr3 = %rsi): the kernel's 64-bit entry state of
 * boot mode content (boot.rst "64-bit BOOT PROTOCOL"): its page tables, RSI = boot_params,
 * every other general register 0, RFLAGS 0x2. The stage's code stays mapped across the
 * CR3 load: the kernel's tables map the first 4 GiB 1:1.
 */
	.text
	.globl	stage_jump_to_kernel
stage_jump_to_kernel:
	mov	%rsi, %cr3
	mov	%rdi, %rsi
	pushq	$2
	popfq
	xor	%eax, %eax
	xor	%ebx, %ebx
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%edi, %edi
	xor	%ebp, %ebp
	xor	%esp, %esp
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d
	jmp	*stage_kernel_entry(%rip)

	.section .note.GNU-stack, "", @progbits
