/* SPDX-License-Identifier: MIT */
/* The vDSO (kernel/loader/vdso.c). */
#pragma once
#include <stdint.h>

struct mm;

void vdso_init(uint64_t tsc_base, uint64_t ns_mult);
void vdso_set_realtime_offset(int64_t offset);
/* Maps vvar + vDSO into mm; returns the vDSO's ELF header address or -errno. */
long vdso_map(struct mm *mm);
