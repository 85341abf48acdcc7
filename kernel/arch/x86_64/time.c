// SPDX-License-Identifier: MIT
/* Time: the TSC calibrated against the PIT at boot gives the monotonic clock,
 * the CMOS RTC gives the wall clock at boot, and the local APIC timer ticks at
 * TICK_HZ to poll the console, wake sleepers and preempt. */
#include <stdbool.h>
#include <kern/clock.h>
#include <kern/printk.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "loader/vdso.h"
#include "mm/mm_internal.h"

#define TICK_HZ		 1000
#define LAPIC_PHYS	 0xfee00000UL
#define LAPIC_EOI	 0xb0
#define LAPIC_SVR	 0xf0
#define LAPIC_LVT_TIMER	 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR	 0x390
#define LAPIC_TIMER_DIV	 0x3e0

uint64_t tsc_at_entry;
uint64_t tsc_khz;
static uint64_t tsc_boot;
static uint64_t realtime_offset_ns; /* realtime = offset + monotonic */
static volatile uint32_t *lapic;
static uint64_t ns_mult; /* ns = tsc * ns_mult >> 32 */

static inline void lapic_write(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
}
static inline uint32_t lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

uint64_t tsc_to_ns(uint64_t t)
{
	return (uint64_t)(((__uint128_t)t * ns_mult) >> 32);
}

uint64_t clock_monotonic_ns(void)
{
	return tsc_to_ns(rdtsc() - tsc_boot);
}

uint64_t clock_realtime_ns(void)
{
	return realtime_offset_ns + clock_monotonic_ns();
}

void clock_set_realtime_ns(uint64_t ns)
{
	realtime_offset_ns = ns - clock_monotonic_ns();
	vdso_set_realtime_offset((int64_t)realtime_offset_ns);
}

static uint16_t pit_read0(void)
{
	outb(0x43, 0x00); /* latch channel 0 */
	uint8_t lo = inb(0x40);
	uint8_t hi = inb(0x40);
	return (uint16_t)(hi << 8 | lo);
}

struct pit_sample {
	uint16_t pit;
	uint32_t apic;
	uint64_t tsc;	/* midpoint of the read */
	uint64_t width; /* TSC ticks the read took: its uncertainty */
};

static void pit_sample(struct pit_sample *s)
{
	uint64_t a = rdtsc();
	s->pit = pit_read0();
	s->apic = lapic_read(LAPIC_TIMER_CUR);
	uint64_t b = rdtsc();
	s->tsc = a + (b - a) / 2;
	s->width = b - a;
}

/* One window of at least `counts` ticks of PIT channel 0 (1.193182 MHz, free
 * running from 0xffff in mode 2).  Each end is bracketed by TSC reads and the
 * window is refused when either read took more than 1% of it: under TCG on a
 * loaded host the QEMU thread may be descheduled between reading the PIT and
 * the TSC.  Returns TSC ticks per PIT tick in 16.16 fixed point (0: refused)
 * and APIC timer ticks per PIT tick likewise in *apic_fx. */
static uint64_t pit_window(uint16_t counts, uint64_t *apic_fx)
{
	struct pit_sample s0, s1;
	pit_sample(&s0);
	uint64_t spins = 0;
	do {
		pit_sample(&s1);
		if (++spins > 10000000)
			return 0;
	} while ((uint16_t)(s0.pit - s1.pit) < counts);
	uint64_t dpit = (uint16_t)(s0.pit - s1.pit);
	uint64_t dtsc = s1.tsc - s0.tsc;
	if (s0.width > dtsc / 100 || s1.width > dtsc / 100)
		return 0;
	*apic_fx = ((uint64_t)(s0.apic - s1.apic) << 16) / dpit;
	return (dtsc << 16) / dpit;
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned bcd(uint8_t v, bool is_bcd)
{
	return is_bcd ? (v & 0xf) + (v >> 4) * 10 : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static uint64_t rtc_read_ns(void)
{
	while (cmos(0x0a) & 0x80)
		;
	uint8_t s = cmos(0), mi = cmos(2), h = cmos(4), d = cmos(7), mo = cmos(8),
		y = cmos(9);
	uint8_t b = cmos(0x0b);
	bool is_bcd = !(b & 0x04);
	unsigned hour = bcd(h & 0x7f, is_bcd);
	if (!(b & 0x02) && (h & 0x80))
		hour = (hour % 12) + 12;
	int64_t days =
	    days_from_civil(2000 + bcd(y, is_bcd), bcd(mo, is_bcd), bcd(d, is_bcd));
	int64_t secs = days * 86400 + hour * 3600 + bcd(mi, is_bcd) * 60 + bcd(s, is_bcd);
	return (uint64_t)secs * NSEC_PER_SEC;
}

void timer_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void time_init(void)
{
	tsc_boot = tsc_at_entry;
	/* local APIC timer counting down, masked, while the PIT measures both */
	lapic = (volatile uint32_t *)mmu_map_mmio(LAPIC_PHYS, 4096);
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1 << 11));
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, 0x10000);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);

	/* Seven good 0.5 ms windows; the median of their rates */
	outb(0x43, 0x34); /* PIT channel 0, lobyte/hibyte, mode 2 */
	outb(0x40, 0xff);
	outb(0x40, 0xff);
	uint64_t rate[7], arate[7];
	int got = 0;
	for (int tries = 0; got < 7 && tries < 50; tries++) {
		uint64_t ar, r = pit_window(597, &ar);
		if (!r)
			continue;
		int i = got++;
		while (i > 0 && rate[i - 1] > r) { /* insertion sort */
			rate[i] = rate[i - 1];
			arate[i] = arate[i - 1];
			i--;
		}
		rate[i] = r;
		arate[i] = ar;
	}
	if (!got)
		panic("TSC calibration failed: no usable PIT window");
	tsc_khz = (rate[got / 2] * 1193182ULL >> 16) / 1000;
	uint64_t apic_per_pit_fx = arate[got / 2];
	if (tsc_khz < 1000)
		panic("TSC calibration failed (%lu kHz)", tsc_khz);
	ns_mult = (1000000ULL << 32) / tsc_khz;
	vdso_init(tsc_boot, ns_mult);
	clock_set_realtime_ns(rtc_read_ns());

	lapic_write(LAPIC_TIMER_INIT, 0);
	uint32_t per_tick = (uint32_t)((apic_per_pit_fx * 1193182ULL >> 16) / TICK_HZ);
	if (!per_tick)
		per_tick = 1;
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER | 0x20000); /* periodic */
	lapic_write(LAPIC_TIMER_INIT, per_tick);
	/* mask the legacy PICs, if any */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	printk("time: TSC %lu kHz, APIC timer %u per tick", tsc_khz, per_tick);
}
