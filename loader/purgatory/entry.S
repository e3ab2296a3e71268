/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The purgatory's entry: own GDT and stack, check digests, 64-bit boot protocol jump. */
#include "loader/purgatory/params.h"

/*
 * Entered from relocate_kernel in long mode with the identity map, interrupts off, no IDT.
 * Everything is RIP-relative: the blob runs wherever the loader put it.
 */
	.section .text.head, "ax"
	.code64
	.globl purgatory_start
purgatory_start:
	jmp	purgatory_entry

	.text
purgatory_entry:
	cli
	cld
	/* GDT: the descriptor's base is only known at run time. */
	leaq	gdt(%rip), %rax
	movq	%rax, gdt_desc + 2(%rip)
	lgdt	gdt_desc(%rip)
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	leaq	stack_end(%rip), %rsp
	/* Reload CS with __BOOT_CS (0x10) by a far return. */
	leaq	1f(%rip), %rax
	pushq	$0x10
	pushq	%rax
	lretq
1:
	leaq	kd_purgatory_params(%rip), %rdi
	call	purgatory_main		/* returns only if the digests match */

	/* 64-bit boot protocol: rsi = boot_params, jump to kernel + 0x200. */
	leaq	kd_purgatory_params(%rip), %rax
	movq	KD_PP_BOOT_PARAMS(%rax), %rsi
	movq	KD_PP_KERNEL_ENTRY(%rax), %rcx
	leaq	stack_end(%rip), %rsp
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	jmp	*%rcx

	.data
	.balign	16
gdt:
	.quad	0			/* 0x00 null */
	.quad	0			/* 0x08 unused */
	.quad	0x00af9a000000ffff	/* 0x10 __BOOT_CS: 64-bit code, flat */
	.quad	0x00cf92000000ffff	/* 0x18 __BOOT_DS: data, flat */
gdt_end:
	.balign	16
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	0			/* base, set at run time */

	.balign	16
stack:
	.fill	8192, 1, 0
stack_end:
	.section .note.GNU-stack, "", @progbits
