/* SPDX-License-Identifier: MIT */
/* The register frame every kernel entry (entry.S) saves, and the constants
 * describing it. */
#pragma once
#include <stdint.h>

struct regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct regs) == 22 * 8, "regs frame");

#define VEC_SYSCALL  0x100
#define VEC_TIMER    64
#define VEC_COM2     0x23
#define VEC_COM1     0x24
#define VEC_NET	     0x25 /* the virtio-net NIC (kernel/drivers/virtio_net.c) */
#define VEC_SPURIOUS 255

static inline int regs_from_user(const struct regs *r)
{
	return (r->cs & 3) == 3;
}

void trap_dispatch(struct regs *r);
void syscall_dispatch(struct regs *r);
extern char trap_return[];
