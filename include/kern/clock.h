/* SPDX-License-Identifier: MIT */
/* Clocks (kernel/arch/x86_64/time.c): monotonic from the calibrated TSC,
 * realtime = RTC at boot + monotonic. */
#pragma once
#include <stdint.h>

#define NSEC_PER_SEC 1000000000ULL

uint64_t clock_monotonic_ns(void);
uint64_t clock_realtime_ns(void);
void clock_set_realtime_ns(uint64_t ns);
