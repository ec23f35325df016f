/*
 * hooktest: a tiny multiboot guest for the execution-hook tests.  In
 * 32-bit protected mode at CPL0, with interrupts off, it runs N loops
 * over hooked sites.  Before site S it sets EBX = magic + (S << 20) + i
 * (i = 1..N); each site's instruction increments its own counter, so
 * a doubled or skipped execution shows.  It arms its own DR0 on site 2
 * and counts its own #DB.  Results go to the info block at INFO_ADDR
 * (layout in hooktest.h), which the test reads from guest memory.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hooktest.h"

    .section .multiboot, "a"
    .align 4
    .long 0x1BADB002
    .long 0
    .long -0x1BADB002

    .section .hookinfo, "aw"
info:
    .long HT_INFO_MAGIC         /* HT_MAGIC */
    .long HT_LOOPS_N
    .long site0, site1, site2, gdbsite
    .fill (HT_INFO_SIZE - HT_DONE) / 4, 4, 0

    .text
    .code32
    .globl _start
_start:
    cli
    mov $stack_top, %esp
    lgdt gdt_desc
    ljmp $0x08, $1f
1:  mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    movl $HT_BASE_MAGIC, info + HT_MAGIC_BASE
    movl $0xffffffff, info + HT_FAULT

    /* IDT: #DB goes to db_handler, every other vector to fault. */
    xor %ecx, %ecx
2:  mov $fault, %eax
    cmp $1, %ecx
    jne 3f
    mov $db_handler, %eax
3:  mov %ax, idt(,%ecx,8)
    movw $0x08, idt + 2(,%ecx,8)
    movw $0x8e00, idt + 4(,%ecx,8)
    shr $16, %eax
    mov %ax, idt + 6(,%ecx,8)
    inc %ecx
    cmp $32, %ecx
    jb 2b
    lidt idt_desc

    /* The host's hooks must not show in our debug registers. */
    call read_drs
    mov %eax, info + HT_DR_BEFORE
    mov %edx, info + HT_DR7_BEFORE

    /* Our own instruction breakpoint on site 2 (L0, execute, len 1). */
    mov $site2, %eax
    mov %eax, %dr0
    mov $0x401, %eax
    mov %eax, %dr7
    mov %dr0, %eax
    mov %eax, info + HT_DR0_READBACK
    mov %dr7, %eax
    mov %eax, info + HT_DR7_READBACK

    mov $1, %esi
    jmp loop

    /* Sites at fixed addresses (HT_*_ADDR) so the test knows them. */
    .section .sites, "ax"
loop:
    mov %esi, %ebx
    add $HT_BASE_MAGIC, %ebx
    jmp site0
    .org HT_SITE0_ADDR - HT_SITES_BASE
site0:
    incl info + HT_COUNT0
    mov %esi, %ebx
    add $(HT_BASE_MAGIC + (1 << 20)), %ebx
    jmp site1
    .org HT_SITE1_ADDR - HT_SITES_BASE
site1:
    incl info + HT_COUNT1
    mov %esi, %ebx
    add $(HT_BASE_MAGIC + (2 << 20)), %ebx
    jmp site2
    .org HT_SITE2_ADDR - HT_SITES_BASE
site2:
    incl info + HT_COUNT2
    mov $0x401, %eax            /* re-arm our DR0 for the next loop */
    mov %eax, %dr7
    mov %esi, %ebx
    add $(HT_BASE_MAGIC + (3 << 20)), %ebx
    jmp gdbsite
    .org HT_GDBSITE_ADDR - HT_SITES_BASE
gdbsite:
    incl info + HT_COUNT3
    incl info + HT_LOOPS
    inc %esi
    cmp $HT_LOOPS_N, %esi
    jbe loop
    jmp finish

    .text
finish:
    xor %eax, %eax
    mov %eax, %dr7
    call read_drs
    mov %eax, info + HT_DR_AFTER
    mov %edx, info + HT_DR7_AFTER
    movl $HT_DONE_MAGIC, info + HT_DONE
    mov $done_msg, %esi
4:  lodsb
    test %al, %al
    jz halt
    mov $0x3f8, %dx
    out %al, %dx
    jmp 4b
halt:
    hlt
    jmp halt

/* EAX = DR0 | DR1 | DR2 | DR3 (DR0 as the guest set it), EDX = DR7. */
read_drs:
    mov %dr1, %eax
    mov %dr2, %edx
    or %edx, %eax
    mov %dr3, %edx
    or %edx, %eax
    mov %dr0, %edx
    cmp $site2, %edx
    je 5f
    or %edx, %eax
5:  mov %dr7, %edx
    ret

db_handler:
    push %eax
    mov %dr6, %eax
    mov %eax, info + HT_LAST_DR6
    test $1, %eax
    jz 6f
    incl info + HT_DB_COUNT
    jmp 7f
6:  incl info + HT_DB_OTHER
7:  xor %eax, %eax
    mov %eax, %dr6
    /*
     * Return without IRET (kvm_pvm cannot emulate a 32-bit IRET): turn
     * the breakpoint off so site 2 can run; the loop re-arms it.
     */
    mov $0x400, %eax
    mov %eax, %dr7
    pop %eax
    popl db_ret
    add $4, %esp
    popf
    jmp *db_ret

fault:
    movl $1, info + HT_FAULT
    jmp halt

    .section .rodata
done_msg:
    .asciz "HOOKTEST done\n"
    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff
    .quad 0x00cf92000000ffff
gdt_desc:
    .word 23
    .long gdt
idt_desc:
    .word 32 * 8 - 1
    .long idt

    .bss
    .align 16
db_ret:
    .skip 4
idt:
    .skip 32 * 8
    .skip 4096
stack_top:
