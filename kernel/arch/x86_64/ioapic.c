// SPDX-License-Identifier: MIT
/* The I/O APICs at their standard addresses, used to route device lines to
 * CPU vectors: the legacy ISA lines of the two serial ports (IRQ 4: console,
 * IRQ 3: control channel; microvm and q35 both wire ISA IRQ n to pin n for
 * n != 0), and microvm's virtio-mmio lines, which sit on a second I/O APIC
 * (GSI 24..47) when QEMU gives the machine one. */
#include <stdint.h>
#include "arch/x86_64/arch.h"
#include "mm/mm_internal.h"

#define IOAPIC_PINS 24

#define RTE_LEVEL (1u << 15) /* level triggered (else edge) */

static const uint64_t ioapic_phys[2] = {0xfec00000UL, 0xfec10000UL};
static volatile uint32_t *ioapic[2];
static bool probed[2];

static void ioapic_write(volatile uint32_t *a, uint32_t reg, uint32_t v)
{
	a[0] = reg;
	a[4] = v;
}

static uint32_t ioapic_read(volatile uint32_t *a, uint32_t reg)
{
	a[0] = reg;
	return a[4];
}

/* The registers of I/O APIC i, or NULL when nothing answers there. */
static volatile uint32_t *ioapic_get(unsigned i)
{
	if (!probed[i]) {
		probed[i] = true;
		volatile uint32_t *a = mmu_map_mmio(ioapic_phys[i], 4096);
		uint32_t ver = ioapic_read(a, 1);
		if (ver != 0xffffffff && ver != 0)
			ioapic[i] = a;
	}
	return ioapic[i];
}

bool ioapic_present(unsigned gsi)
{
	return gsi < 2 * IOAPIC_PINS && ioapic_get(gsi / IOAPIC_PINS);
}

bool ioapic_route_gsi(unsigned gsi, unsigned vector, bool level)
{
	if (!ioapic_present(gsi))
		return false;
	volatile uint32_t *a = ioapic[gsi / IOAPIC_PINS];
	unsigned pin = gsi % IOAPIC_PINS;
	ioapic_write(a, 0x10 + 2 * pin + 1, 0); /* destination APIC 0 */
	/* fixed, physical, active high, unmasked */
	ioapic_write(a, 0x10 + 2 * pin, vector | (level ? RTE_LEVEL : 0));
	return true;
}

bool ioapic_route(unsigned irq, unsigned vector)
{
	return ioapic_route_gsi(irq, vector, false);
}
