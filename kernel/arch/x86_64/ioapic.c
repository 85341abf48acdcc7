// SPDX-License-Identifier: MIT
/* The I/O APIC at its standard address, used to route the legacy ISA lines
 * of the two serial ports (IRQ 4: console, IRQ 3: control channel) to CPU
 * vectors.  microvm and q35 both wire ISA IRQ n to pin n for n != 0. */
#include <stdint.h>
#include "arch/x86_64/arch.h"
#include "mm/mm_internal.h"

#define IOAPIC_PHYS 0xfec00000UL

static volatile uint32_t *ioapic;

static void ioapic_write(uint32_t reg, uint32_t v)
{
	ioapic[0] = reg;
	ioapic[4] = v;
}

static uint32_t ioapic_read(uint32_t reg)
{
	ioapic[0] = reg;
	return ioapic[4];
}

/* Routes ISA irq to vector on CPU 0: edge triggered, active high.  Returns
 * false when there is no I/O APIC answering. */
bool ioapic_route(unsigned irq, unsigned vector)
{
	if (!ioapic) {
		ioapic = mmu_map_mmio(IOAPIC_PHYS, 4096);
		uint32_t ver = ioapic_read(1);
		if (ver == 0xffffffff) {
			ioapic = NULL;
			return false;
		}
	}
	ioapic_write(0x10 + 2 * irq + 1, 0);		/* destination APIC 0 */
	ioapic_write(0x10 + 2 * irq, vector);		/* fixed, physical, edge, high, unmasked */
	return true;
}
