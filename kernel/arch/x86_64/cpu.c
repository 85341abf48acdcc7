// SPDX-License-Identifier: MIT
/* CPU tables and modes: the GDT and TSS, the IDT, the SYSCALL MSRs, and the
 * FPU/SSE/AVX state with XSAVE.  Trap handling itself is in trap.c. */
#include <string.h>
#include <kern/compiler.h>
#include <kern/printk.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __packed;
_Static_assert(sizeof(struct tss) == 104, "tss");

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __packed;

static uint64_t gdt[9];
static struct tss tss;
static struct idt_entry idt[256];
static uint8_t double_fault_stack[8192] __attribute__((aligned(16)));

extern uint64_t cpu_kernel_rsp;
extern const uint64_t isr_table[32];
extern char isr_timer[], isr_spurious[], isr_35[], isr_36[], isr_37[], syscall_entry[];

size_t fpu_state_size = 512;
uint64_t fpu_xcr0;
static bool have_xsave;
static uint8_t fpu_clean[4096] __attribute__((aligned(64)));

static void idt_set(int vec, void *handler, int dpl, int ist)
{
	uint64_t a = (uint64_t)handler;
	idt[vec] = (struct idt_entry){
	    .off_lo = a & 0xffff,
	    .sel = KERNEL_CS,
	    .ist = ist,
	    .type = 0x8e | (dpl << 5),
	    .off_mid = (a >> 16) & 0xffff,
	    .off_hi = a >> 32,
	};
}

static void gdt_init(void)
{
	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffff; /* 0x08 kernel code 64 */
	gdt[2] = 0x00cf92000000ffff; /* 0x10 kernel data */
	gdt[3] = 0x00cffa000000ffff; /* 0x18 user code 32 (unused; SYSRET layout) */
	gdt[4] = 0x00cff2000000ffff; /* 0x20 user data */
	gdt[5] = 0x00affa000000ffff; /* 0x28 user code 64 */
	uint64_t base = (uint64_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	gdt[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[7] = base >> 32;
	tss.iomap_base = sizeof(tss);
	tss.ist[0] = (uint64_t)double_fault_stack + sizeof(double_fault_stack);

	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = {sizeof(gdt) - 1, (uint64_t)gdt};
	__asm__ volatile("lgdt %0\n"
			 "mov %1, %%ds\n mov %1, %%es\n mov %1, %%ss\n"
			 "pushq %2\n leaq 1f(%%rip), %%rax\n pushq %%rax\n lretq\n1:\n"
			 "ltr %w3\n"
			 :
			 : "m"(ptr), "r"((uint64_t)KERNEL_DS), "i"(KERNEL_CS),
			   "r"(TSS_SEL)
			 : "rax", "memory");
}

static void idt_init(void)
{
	for (int i = 0; i < 32; i++)
		idt_set(i, (void *)isr_table[i], 0, i == 8 ? 1 : 0);
	idt_set(VEC_TIMER, isr_timer, 0, 0);
	idt_set(VEC_SPURIOUS, isr_spurious, 0, 0);
	idt_set(VEC_COM2, isr_35, 0, 0);
	idt_set(VEC_COM1, isr_36, 0, 0);
	idt_set(VEC_NET, isr_37, 0, 0);
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed ptr = {sizeof(idt) - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

static void syscall_init(void)
{
	wrmsr(MSR_STAR, ((uint64_t)0x18 << 48) | ((uint64_t)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* clear IF, TF, DF, AC, NT on entry */
	wrmsr(MSR_SFMASK, 0x200 | 0x100 | 0x400 | 0x40000 | 0x4000);
}

static void fpu_init(void)
{
	uint32_t a, b, c, d;
	uint64_t cr0 = read_cr0();
	cr0 &= ~(1ULL << 2);		  /* EM */
	cr0 |= (1ULL << 1) | (1ULL << 5); /* MP, NE */
	cr0 &= ~(1ULL << 3);		  /* TS */
	write_cr0(cr0);
	uint64_t cr4 = read_cr4();
	cr4 |= (1ULL << 9) | (1ULL << 10); /* OSFXSR, OSXMMEXCPT */
	cpuid(1, 0, &a, &b, &c, &d);
	if (c & (1u << 26)) {	   /* XSAVE */
		cr4 |= 1ULL << 18; /* OSXSAVE */
		write_cr4(cr4);
		cpuid(0xd, 0, &a, &b, &c, &d);
		fpu_xcr0 = ((uint64_t)d << 32 | a) & 0xe7; /* x87 SSE AVX opmask zmm */
		__asm__ volatile("xsetbv"
				 :
				 : "c"(0), "a"((uint32_t)fpu_xcr0),
				   "d"((uint32_t)(fpu_xcr0 >> 32)));
		cpuid(0xd, 0, &a, &b, &c, &d);
		fpu_state_size = ALIGN_UP((size_t)b, 64);
		have_xsave = true;
	} else {
		write_cr4(cr4);
	}
	if (fpu_state_size > sizeof(fpu_clean))
		panic("XSAVE area of %zu bytes is too large", fpu_state_size);
	/* capture a clean initial state */
	__asm__ volatile("fninit");
	uint32_t mxcsr = 0x1f80;
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	fpu_save(fpu_clean);
}

void fpu_init_state(void *area)
{
	memcpy(area, fpu_clean, fpu_state_size);
}

void fpu_save(void *area)
{
	if (have_xsave)
		__asm__ volatile("xsave64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)fpu_xcr0),
				   "d"((uint32_t)(fpu_xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(void *area)
{
	if (have_xsave)
		__asm__ volatile("xrstor64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)fpu_xcr0),
				   "d"((uint32_t)(fpu_xcr0 >> 32))
				 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

uint64_t cpu_hwcap(void)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	return d;
}

uint64_t cpu_hwcap2(void)
{
	return 0;
}

void cpu_set_kernel_stack(uint64_t top)
{
	tss.rsp0 = top;
	cpu_kernel_rsp = top;
}

void cpu_init(void)
{
	gdt_init();
	idt_init();
	syscall_init();
	fpu_init();
	/* SMEP/SMAP where present: the kernel never runs or reads user pages by accident
	 */
	uint32_t a, b, c, d;
	cpuid(7, 0, &a, &b, &c, &d);
	uint64_t cr4 = read_cr4();
	if (b & (1u << 7))
		cr4 |= 1ULL << 20; /* SMEP */
	write_cr4(cr4);
}
