/* SPDX-License-Identifier: MIT */
/* PCI configuration space through the legacy 0xcf8/0xcfc mechanism
 * (kernel/drivers/pci.c): enough to find devices on bus 0, read their
 * capabilities and memory BARs, and turn on memory decoding and bus
 * mastering.  Drivers map BARs themselves with mmu_map_mmio. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define PCI_CAP_VENDOR 0x09

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
};

/* true when a host bridge answers (q35, pc); false on microvm */
bool pci_present(void);
uint32_t pci_read32(const struct pci_dev *d, uint16_t off);
uint16_t pci_read16(const struct pci_dev *d, uint16_t off);
uint8_t pci_read8(const struct pci_dev *d, uint16_t off);
void pci_write16(const struct pci_dev *d, uint16_t off, uint16_t v);
/* Calls fn for every function on bus 0. */
void pci_scan(void (*fn)(const struct pci_dev *d, void *arg), void *arg);
/* Physical base of memory BAR i (64-bit BARs handled), 0 when it is an I/O
 * BAR or unassigned. */
uint64_t pci_bar(const struct pci_dev *d, int i);
/* Enables memory space and bus mastering. */
void pci_enable(const struct pci_dev *d);
