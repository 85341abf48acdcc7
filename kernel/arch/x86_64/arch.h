/* SPDX-License-Identifier: MIT */
/* What kernel/arch/x86_64 offers the rest of the kernel: CPU setup, the
 * per-thread FPU state, the timer, and entering user mode. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/regs.h"

void cpu_init(void);			 /* GDT, TSS, IDT, SYSCALL MSRs, FPU/XSAVE */
void cpu_set_kernel_stack(uint64_t top); /* TSS.rsp0 and the syscall stack */
extern size_t fpu_state_size;		 /* bytes of an XSAVE area (64-byte aligned) */
extern uint64_t fpu_xcr0;
void fpu_init_state(void *area); /* a clean state for a new program */
void fpu_save(void *area);
void fpu_restore(void *area);
uint64_t cpu_hwcap(void); /* AT_HWCAP: CPUID.1:EDX */
uint64_t cpu_hwcap2(void);

void time_init(void); /* TSC calibration, RTC, LAPIC timer */
uint64_t tsc_to_ns(uint64_t tsc);
extern uint64_t tsc_at_entry;
extern uint64_t tsc_khz;
void timer_eoi(void);
/* Routes ISA irq to vector on CPU 0: edge triggered, active high.  False when
 * no I/O APIC answers. */
bool ioapic_route(unsigned irq, unsigned vector);
/* Routes global system interrupt gsi (0..23 on the first I/O APIC, 24..47 on
 * a second one) to vector on CPU 0, active high, level or edge triggered.
 * False when no I/O APIC serves gsi. */
bool ioapic_route_gsi(unsigned gsi, unsigned vector, bool level);
bool ioapic_present(unsigned gsi);

/* Context switch: saves callee-saved registers on the current stack, stores
 * its pointer in *old_sp, loads new_sp and returns on the other stack. */
void context_switch(uint64_t *old_sp, uint64_t new_sp);
