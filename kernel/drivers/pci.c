// SPDX-License-Identifier: MIT
/* PCI configuration access, legacy mechanism #1: write the address of a
 * dword to 0xcf8, read or write it at 0xcfc.  Only bus 0 is scanned: QEMU's
 * q35 and pc put -device PCI devices there unless told otherwise.  Virtio on
 * PCI is virtio_pci.c. */
#include <kern/printk.h>
#include "arch/x86_64/cpu.h"
#include "drivers/pci.h"

#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc

static inline uint32_t port_inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint32_t cfg_addr(const struct pci_dev *d, uint16_t off)
{
	return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->dev << 11 |
	       (uint32_t)d->fn << 8 | (off & 0xfc);
}

uint32_t pci_read32(const struct pci_dev *d, uint16_t off)
{
	outl(CFG_ADDR, cfg_addr(d, off));
	return port_inl(CFG_DATA);
}

uint16_t pci_read16(const struct pci_dev *d, uint16_t off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, uint16_t off)
{
	return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v)
{
	uint32_t old = pci_read32(d, off);
	unsigned shift = (off & 2) * 8;
	uint32_t nv = (old & ~(0xffffu << shift)) | (uint32_t)v << shift;
	outl(CFG_ADDR, cfg_addr(d, off));
	outl(CFG_DATA, nv);
}

bool pci_present(void)
{
	struct pci_dev host = {0, 0, 0, 0, 0};
	uint16_t vendor = (uint16_t)pci_read32(&host, 0);
	return vendor != 0xffff && vendor != 0;
}

void pci_scan(void (*fn)(const struct pci_dev *d, void *arg), void *arg)
{
	if (!pci_present())
		return;
	for (uint8_t dev = 0; dev < 32; dev++) {
		for (uint8_t f = 0; f < 8; f++) {
			struct pci_dev d = {0, dev, f, 0, 0};
			uint32_t id = pci_read32(&d, 0);
			if ((id & 0xffff) == 0xffff) {
				if (f == 0)
					break;
				continue;
			}
			d.vendor = (uint16_t)id;
			d.device = (uint16_t)(id >> 16);
			fn(&d, arg);
			if (f == 0 && !(pci_read8(&d, 0x0e) & 0x80))
				break; /* not multi-function */
		}
	}
}

uint64_t pci_bar(const struct pci_dev *d, int i)
{
	if (i < 0 || i > 5)
		return 0;
	uint32_t lo = pci_read32(d, (uint16_t)(0x10 + 4 * i));
	if (lo & 1)
		return 0; /* I/O space */
	uint64_t base = lo & ~0xfULL;
	if (((lo >> 1) & 3) == 2 && i < 5)
		base |= (uint64_t)pci_read32(d, (uint16_t)(0x10 + 4 * (i + 1))) << 32;
	return base;
}

void pci_enable(const struct pci_dev *d)
{
	pci_write16(d, 0x04, pci_read16(d, 0x04) | 0x6);
}
