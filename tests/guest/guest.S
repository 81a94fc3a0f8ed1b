/* SPDX-License-Identifier: MIT */
/*
 * snpvmm test guest: a tiny bzImage (boot protocol 2.15, 64-bit entry only) that prints what
 * the loader handed it to the 16550 at 0x3F8, then resets through the i8042 (0xFE to port
 * 0x64), or with "idle" as its command line's first word waits with interrupts on. Report format and checksum: README.md. Assembled by binutils `as` directly (no C
 * preprocessor), linked by guest.ld, flattened by `objcopy -O binary`.
 *
 * The guest runs on an emulated KVM at ~2 us per instruction: no polling of the UART's LSR
 * (our THR is always ready), no per-byte work beyond one `out`, short loops.
 * All code is RIP-relative, so the payload runs wherever the loader puts it.
 */

	.equ	COM1,		0x3f8
	.equ	I8042_CMD,	0x64
	.equ	I8042_RESET,	0xfe
	.equ	PIC1_DATA,	0x21	/* 8259 IMR (OCW1) */
	.equ	PIC2_DATA,	0xa1

	/* struct boot_params / setup_header offsets (asm/bootparam.h) */
	.equ	BP_ACPI_RSDP,	0x070
	.equ	BP_EXT_RD_IMG,	0x0c0
	.equ	BP_EXT_RD_SIZE,	0x0c4
	.equ	BP_EXT_CMDLINE,	0x0c8
	.equ	BP_E820_NR,	0x1e8
	.equ	BP_VERSION,	0x206
	.equ	BP_RD_IMG,	0x218
	.equ	BP_RD_SIZE,	0x21c
	.equ	BP_CMDLINE,	0x228
	.equ	BP_SETUP_DATA,	0x250
	.equ	BP_E820_TABLE,	0x2d0

	.equ	CMDLINE_MAX,	4095	/* hdr.cmdline_size below */
	.equ	E820_MAX,	128	/* E820_MAX_ENTRIES_ZEROPAGE */
	.equ	SETUP_DATA_MAX,	32
	.equ	ACPI_TABLE_MAX,	0x10000	/* XSDT and MADT lengths above this are garbage */

	.equ	SETUP_SECTS,	1
	.equ	LOADED_HIGH,	0x01
	.equ	XLF_KERNEL_64,	0x01
	.equ	XLF_CAN_BE_LOADED_ABOVE_4G, 0x02

/*
 * Boot sector + one setup sector: file bytes [0, 0x400). Only the setup header matters; the
 * .org before each field pins it to its boot.rst offset (as errors out on an overlap).
 */
	.section .setup, "a"
	.code16
setup_start:
	.org	0x1f1
	.byte	SETUP_SECTS		/* setup_sects */
	.org	0x1f2
	.word	0			/* root_flags */
	.org	0x1f4
	.long	_syssize		/* syssize: payload / 16, from guest.ld */
	.org	0x1f8
	.word	0			/* ram_size */
	.org	0x1fa
	.word	0xffff			/* vid_mode: NORMAL_VGA */
	.org	0x1fc
	.word	0			/* root_dev */
	.org	0x1fe
	.word	0xaa55			/* boot_flag */
	.org	0x200
	.byte	0xeb, realmode_stub - 1f /* jump: also gives the header length (0x202 + byte) */
1:
	.org	0x202
	.ascii	"HdrS"			/* header */
	.org	0x206
	.word	0x020f			/* version */
	.org	0x208
	.long	0			/* realmode_swtch */
	.org	0x20c
	.word	0x1000			/* start_sys_seg (obsolete) */
	.org	0x20e
	.word	kernel_version - setup_start - 0x200 /* kernel_version */
	.org	0x210
	.byte	0			/* type_of_loader: the loader's */
	.org	0x211
	.byte	LOADED_HIGH		/* loadflags: protected-mode code at 0x100000 */
	.org	0x212
	.word	0			/* setup_move_size */
	.org	0x214
	.long	0x100000		/* code32_start */
	.org	0x218
	.long	0			/* ramdisk_image */
	.org	0x21c
	.long	0			/* ramdisk_size */
	.org	0x220
	.long	0			/* bootsect_kludge */
	.org	0x224
	.word	0			/* heap_end_ptr */
	.org	0x226
	.byte	0			/* ext_loader_ver */
	.org	0x227
	.byte	0			/* ext_loader_type */
	.org	0x228
	.long	0			/* cmd_line_ptr */
	.org	0x22c
	.long	0x7fffffff		/* initrd_addr_max */
	.org	0x230
	.long	0x200000		/* kernel_alignment */
	.org	0x234
	.byte	1			/* relocatable_kernel: all code is RIP-relative */
	.org	0x235
	.byte	12			/* min_alignment: 4 KiB (log2) */
	.org	0x236
	.word	XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G /* xloadflags */
	.org	0x238
	.long	CMDLINE_MAX		/* cmdline_size */
	.org	0x23c
	.long	0			/* hardware_subarch: default PC */
	.org	0x240
	.quad	0			/* hardware_subarch_data */
	.org	0x248
	.long	0			/* payload_offset: nothing compressed */
	.org	0x24c
	.long	0			/* payload_length */
	.org	0x250
	.quad	0			/* setup_data */
	.org	0x258
	.quad	0x100000		/* pref_address */
	.org	0x260
	.long	_init_size		/* init_size: payload + .bss + stack, from guest.ld */
	.org	0x264
	.long	0			/* handover_offset: no EFI handover */
	.org	0x268
	.long	_kernel_info_offset	/* kernel_info_offset (2.15), from guest.ld */
	.org	0x26c

	/* Real-mode entry (setup segment + 0x200): unsupported, park the CPU. */
realmode_stub:
	cli
2:	hlt
	jmp	2b

kernel_version:
	.asciz	"snpvmm-test-guest"

	.org	(SETUP_SECTS + 1) * 512	/* the payload starts right here in the file */

/*
 * Protected-mode payload, loaded at 0x100000 (or anywhere: nothing is absolute).
 */
	.section .payload, "ax"
	.code32
payload_start:
startup_32:				/* 32-bit entry: unsupported, park the CPU */
	cli
3:	hlt
	jmp	3b

	.code64
	.org	0x200			/* boot.rst: 64-bit entry = load address + 0x200 */
	.globl	startup_64
startup_64:
	cli
	cld
	lea	stack_top(%rip), %rsp
	mov	%rsi, %rbx		/* boot_params, kept in %rbx throughout */
	call	idt_setup

	lea	s_start(%rip), %rdi
	call	puts
	mov	%rbx, %rax
	call	puthex16

	lea	s_protocol(%rip), %rdi
	call	puts
	movzwl	BP_VERSION(%rbx), %eax
	mov	$4, %ecx
	call	puthex

	/* cmdline: cmd_line_ptr | ext_cmd_line_ptr << 32, NUL-terminated, capped */
	lea	s_cmdline(%rip), %rdi
	call	puts
	mov	BP_CMDLINE(%rbx), %eax
	mov	BP_EXT_CMDLINE(%rbx), %edx
	shl	$32, %rdx
	or	%rdx, %rax
	jz	1f
	mov	%rax, %rdi
	mov	$CMDLINE_MAX, %ecx
	call	putsn
1:
	/* e820: count (clamped), then one line per entry */
	lea	s_e820(%rip), %rdi
	call	puts
	movzbl	BP_E820_NR(%rbx), %r12d
	mov	$E820_MAX, %eax
	cmp	%eax, %r12d
	cmova	%eax, %r12d
	mov	%r12, %rax
	call	putdec
	lea	BP_E820_TABLE(%rbx), %r13
	test	%r12d, %r12d
	jz	2f
1:	lea	s_e820_entry(%rip), %rdi
	call	puts
	mov	(%r13), %rax		/* addr */
	call	puthex16
	lea	s_sp0x(%rip), %rdi
	call	puts
	mov	8(%r13), %rax		/* size */
	call	puthex16
	lea	s_sp(%rip), %rdi
	call	puts
	mov	16(%r13), %eax		/* type */
	call	putdec
	add	$20, %r13
	dec	%r12d
	jnz	1b
2:
	/* initrd: 64-bit address and size from the split fields; sum 0 when size is 0 */
	lea	s_initrd(%rip), %rdi
	call	puts
	mov	BP_RD_IMG(%rbx), %r12d
	mov	BP_EXT_RD_IMG(%rbx), %eax
	shl	$32, %rax
	or	%rax, %r12
	mov	BP_RD_SIZE(%rbx), %r13d
	mov	BP_EXT_RD_SIZE(%rbx), %eax
	shl	$32, %rax
	or	%rax, %r13
	mov	%r12, %rax
	call	puthex16
	lea	s_sp0x(%rip), %rdi
	call	puts
	mov	%r13, %rax
	call	puthex16
	lea	s_sum(%rip), %rdi
	call	puts
	mov	%r12, %rsi
	mov	%r13, %rcx
	call	csum
	call	puthex16

	/* setup_data chain, at most SETUP_DATA_MAX nodes */
	mov	BP_SETUP_DATA(%rbx), %r12
	mov	$SETUP_DATA_MAX, %r13d
1:	test	%r12, %r12
	jz	2f
	lea	s_setup(%rip), %rdi
	call	puts
	mov	%r12, %rax
	call	puthex16
	lea	s_type(%rip), %rdi
	call	puts
	mov	8(%r12), %eax
	mov	$8, %ecx
	call	puthex
	lea	s_len(%rip), %rdi
	call	puts
	mov	12(%r12), %eax
	mov	$8, %ecx
	call	puthex
	lea	s_sum(%rip), %rdi
	call	puts
	lea	16(%r12), %rsi
	mov	12(%r12), %ecx
	call	csum
	call	puthex16
	mov	(%r12), %r12		/* next */
	dec	%r13d
	jnz	1b
2:
	call	acpi_scan
	lea	s_acpi(%rip), %rdi
	call	puts
	mov	%r12, %rax
	call	puthex16
	lea	s_cpus(%rip), %rdi
	call	puts
	mov	%r13, %rax
	call	putdec

	lea	s_done(%rip), %rdi
	call	puts
	/* "idle" as the command line's first word: instead of resetting, wait for the host to
	 * stop the VM (tests/lib/test_many_vms.c on a real KVM). Interrupts on, so that
	 * snpvmm's halt watch does not take the HLT for a crash (RFLAGS.IF=0), with both 8259s
	 * masked (OCW1), as nothing here could take an interrupt: KVM's 8259s start zeroed,
	 * unmasked with vector base 0 (arch/x86/kvm/i8259.c kvm_pic_init(), Linux 6.1), so an
	 * SCI from the power button would arrive as "exception" 1; the IOAPIC's and LAPIC's
	 * entries start masked. The vCPU then sleeps in KVM_RUN until a signal kicks it out. */
	mov	BP_CMDLINE(%rbx), %eax
	mov	BP_EXT_CMDLINE(%rbx), %edx
	shl	$32, %rdx
	or	%rdx, %rax
	jz	reset
	cmpl	$0x656c6469, (%rax)	/* "idle", little-endian */
	jne	reset
	movzbl	4(%rax), %edx
	cmp	$' ', %edx
	je	idle
	test	%edx, %edx
	jnz	reset
idle:
	mov	$0xff, %al
	out	%al, $PIC1_DATA
	out	%al, $PIC2_DATA
	sti
5:	hlt
	jmp	5b
reset:
	mov	$I8042_RESET, %al
	out	%al, $I8042_CMD
4:	hlt				/* in case the reset is not taken */
	jmp	4b

/*
 * acpi_scan: boot_params in %rbx. Returns %r12 = RSDP, %r13 = enabled Local APICs in the
 * MADT found through RSDP -> XSDT; both 0 if any signature, revision or length is wrong.
 * A malformed MADT entry (length < 2 or past the table end) ends the walk, keeping the count.
 */
acpi_scan:
	xor	%r13d, %r13d
	mov	BP_ACPI_RSDP(%rbx), %r12
	test	%r12, %r12
	jz	9f
	movabs	$0x2052545020445352, %rax /* "RSD PTR " */
	cmp	%rax, (%r12)
	jne	9f
	cmpb	$2, 15(%r12)		/* revision >= 2: XsdtAddress is present */
	jb	9f
	mov	24(%r12), %rsi		/* XsdtAddress */
	cmpl	$0x54445358, (%rsi)	/* "XSDT" */
	jne	9f
	mov	4(%rsi), %ecx		/* length */
	cmp	$ACPI_TABLE_MAX, %ecx
	ja	9f
	sub	$36, %ecx
	jb	9f
	shr	$3, %ecx		/* u64 entries after the 36-byte header */
	jz	9f
	lea	36(%rsi), %rdi
1:	mov	(%rdi), %rsi
	cmpl	$0x43495041, (%rsi)	/* "APIC" */
	je	2f
	add	$8, %rdi
	dec	%ecx
	jnz	1b
	jmp	9f
2:	mov	4(%rsi), %ecx		/* MADT length */
	cmp	$44, %ecx
	jb	9f
	cmp	$ACPI_TABLE_MAX, %ecx
	ja	9f
	lea	(%rsi,%rcx), %r8	/* end */
	lea	44(%rsi), %rdi		/* first interrupt controller structure */
3:	lea	2(%rdi), %rax
	cmp	%r8, %rax
	ja	8f
	movzbl	1(%rdi), %ecx		/* entry length */
	cmp	$2, %ecx
	jb	8f
	lea	(%rdi,%rcx), %rax	/* next entry */
	cmp	%r8, %rax
	ja	8f
	cmpb	$0, (%rdi)		/* type 0: Processor Local APIC */
	jne	4f
	cmp	$8, %ecx
	jb	4f
	testb	$1, 4(%rdi)		/* flags.Enabled */
	jz	4f
	inc	%r13d
4:	mov	%rax, %rdi
	jmp	3b
8:	ret
9:	xor	%r12d, %r12d
	xor	%r13d, %r13d
	ret

/*
 * csum: %rsi = data, %rcx = length. Returns %rax = h, with h = rotl64(h, 5) ^ w over the
 * little-endian u64 words, the last partial word zero-padded (never reads past the end).
 * Clobbers %rcx, %rdx, %rsi, %r8, %r9.
 */
csum:
	xor	%eax, %eax
	mov	%rcx, %rdx
	shr	$3, %rcx
	jz	2f
1:	rol	$5, %rax
	xor	(%rsi), %rax
	add	$8, %rsi
	dec	%rcx
	jnz	1b
2:	and	$7, %edx
	jz	4f
	xor	%r8d, %r8d
3:	shl	$8, %r8			/* tail bytes, highest first */
	movzbl	-1(%rsi,%rdx), %r9d
	or	%r9, %r8
	dec	%edx
	jnz	3b
	rol	$5, %rax
	xor	%r8, %rax
4:	ret

/* puts: NUL-terminated string at %rdi. putsn: at most %rcx bytes. Clobber %rax, %rcx, %rdx, %rdi. */
puts:
	mov	$-1, %rcx
putsn:
	mov	$COM1, %edx
1:	movzbl	(%rdi), %eax
	test	%al, %al
	jz	2f
	out	%al, %dx
	inc	%rdi
	dec	%rcx
	jnz	1b
2:	ret

/* puthex: the low %ecx (1..16) hex digits of %rax, lowercase. Clobbers %rax, %rcx, %rdx, %r8-%r10. */
puthex16:
	mov	$16, %ecx
puthex:
	mov	$COM1, %edx
	lea	hexdigits(%rip), %r8
	mov	%ecx, %r9d
	mov	%rax, %r10
	shl	$2, %ecx
	neg	%ecx
	add	$64, %ecx		/* drop the 64 - 4n high bits */
	shl	%cl, %r10
1:	rol	$4, %r10
	mov	%r10d, %eax
	and	$15, %eax
	movzbl	(%r8,%rax), %eax
	out	%al, %dx
	dec	%r9d
	jnz	1b
	ret

/* putdec: %rax in decimal. Clobbers %rax, %rcx, %rdx, %r8, %r9. */
putdec:
	lea	decbuf_end(%rip), %r8
	mov	$10, %ecx
1:	xor	%edx, %edx
	div	%rcx
	add	$'0', %dl
	dec	%r8
	mov	%dl, (%r8)
	test	%rax, %rax
	jnz	1b
	mov	$COM1, %edx
	lea	decbuf_end(%rip), %r9
2:	movzbl	(%r8), %eax
	out	%al, %dx
	inc	%r8
	cmp	%r9, %r8
	jb	2b
	ret

/*
 * A 32-entry IDT whose handlers print "exception vector=<n> rip=0x.. cr2=0x.." and reset, so
 * a bad pointer from the loader shows up in the report instead of as a triple fault.
 * ~14 instructions per vector, once.
 */
idt_setup:
	mov	%cs, %ax
	movzwl	%ax, %eax
	shl	$16, %eax
	movabs	$0x00008e0000000000, %r8 /* present, DPL 0, 64-bit interrupt gate */
	or	%rax, %r8
	lea	idt(%rip), %rdi
	lea	exc_stubs(%rip), %rsi
	mov	$32, %ecx
1:	movzwl	%si, %edx		/* offset 15:0 */
	mov	%rsi, %r9
	shr	$16, %r9
	shl	$48, %r9		/* offset 31:16 */
	or	%r8, %rdx
	or	%r9, %rdx
	mov	%rdx, (%rdi)
	mov	%rsi, %rdx
	shr	$32, %rdx		/* offset 63:32 */
	mov	%rdx, 8(%rdi)
	add	$8, %rsi
	add	$16, %rdi
	dec	%ecx
	jnz	1b
	lea	idtr(%rip), %rax
	movw	$32 * 16 - 1, (%rax)
	lea	idt(%rip), %rdx
	mov	%rdx, 2(%rax)
	lidt	(%rax)
	ret

	.balign	8
exc_stubs:				/* 8 bytes each: push vector, jump */
	.irp	vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.org	exc_stubs + 8 * \vec
	pushq	$\vec
	jmp	exc_common
	.endr
	.org	exc_stubs + 8 * 32

	/* Vectors that push an error code (SDM Vol. 3 Table 6-1): 8, 10-14, 17, 21, 29, 30. */
	.equ	EXC_ERRCODE_MASK, 0x60227d00
exc_common:
	mov	(%rsp), %r12		/* vector */
	lea	8(%rsp), %r13		/* -> [error code,] rip */
	mov	$EXC_ERRCODE_MASK, %eax
	bt	%r12d, %eax
	jnc	1f
	add	$8, %r13
1:	lea	s_exc(%rip), %rdi
	call	puts
	mov	%r12, %rax
	call	putdec
	lea	s_rip(%rip), %rdi
	call	puts
	mov	(%r13), %rax
	call	puthex16
	lea	s_cr2(%rip), %rdi
	call	puts
	mov	%cr2, %rax
	call	puthex16
	lea	s_nl(%rip), %rdi
	call	puts
	jmp	reset

	.section .rodata, "a"
	/* Each string ends the previous line: the report is "\n"-terminated line by line. */
s_start:	.asciz	"snpvmm-test-guest: start\nboot_params: 0x"
s_protocol:	.asciz	"\nprotocol: 0x"
s_cmdline:	.asciz	"\ncmdline: "
s_e820:		.asciz	"\ne820: "
s_e820_entry:	.asciz	"\ne820: 0x"
s_sp0x:		.asciz	" 0x"
s_sp:		.asciz	" "
s_initrd:	.asciz	"\ninitrd: 0x"
s_sum:		.asciz	" sum=0x"
s_setup:	.asciz	"\nsetup_data: 0x"
s_type:		.asciz	" type=0x"
s_len:		.asciz	" len=0x"
s_acpi:		.asciz	"\nacpi: rsdp=0x"
s_cpus:		.asciz	" cpus="
s_done:		.asciz	"\nsnpvmm-test-guest: done\n"
s_exc:		.asciz	"\nsnpvmm-test-guest: exception vector="
s_rip:		.asciz	" rip=0x"
s_cr2:		.asciz	" cr2=0x"
s_nl:		.asciz	"\n"
hexdigits:	.ascii	"0123456789abcdef"

	/* boot.rst "kernel_info" (protocol 2.15): header, size, size_total, setup_type_max. */
	.balign	4
	.globl	kernel_info
kernel_info:
	.ascii	"LToP"
	.long	16			/* size */
	.long	16			/* size_total: no variable data */
	.long	0xffffffff		/* setup_type_max: any node type is only checksummed */

	.section .bss, "aw", @nobits
	.balign	16
idt:		.skip	32 * 16
idtr:		.skip	16
decbuf:		.skip	24
decbuf_end:
	.balign	16
stack:		.skip	4096
stack_top:

	.section .note.GNU-stack, "", @progbits
