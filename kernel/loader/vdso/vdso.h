/* SPDX-License-Identifier: MIT */
/* The page the kernel shares read-only with every process for the vDSO
 * (kernel/loader/vdso.c writes it, vdso/vdso.c reads it in user mode). */
#pragma once
#include <stdint.h>

struct vdso_data {
	volatile uint32_t seq; /* odd while the kernel updates it */
	uint32_t pad;
	uint64_t tsc_base;	 /* TSC at monotonic zero */
	uint64_t ns_mult;	 /* ns = (tsc - tsc_base) * ns_mult >> 32 */
	int64_t realtime_offset; /* realtime = monotonic + this */
};
