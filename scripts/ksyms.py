#!/usr/bin/env python3
"""Reads `nm -n kernel` on stdin, writes C for the kernel's symbol table.

Everything, names included, goes to the .ksyms section, which the linker script
places last, so the second link moves no code or data."""
import sys

syms = []
for line in sys.stdin:
    parts = line.split()
    if len(parts) != 3 or parts[1] not in "tTwW":
        continue
    syms.append((int(parts[0], 16), parts[2]))
blob, offs = [], []
pos = 0
for _, name in syms:
    offs.append(pos)
    blob.append(name)
    pos += len(name) + 1
print('#include "core/ksyms.h"')
print('__attribute__((section(".ksyms"))) static const char names[] =')
for name in blob:
    print(f'\t"{name}\\0"')
print('\t"";')
print('__attribute__((section(".ksyms"))) const struct ksym ksym_table[] = {')
for (addr, _), off in zip(syms, offs):
    print(f'\t{{0x{addr:x}UL, names + {off}}},')
print('};')
print(f'__attribute__((section(".ksyms"))) const unsigned long ksym_count = {len(syms)};')
