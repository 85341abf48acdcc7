// SPDX-License-Identifier: MIT
/* The virtio-mmio transport (version 2, "modern") as QEMU's microvm machine
 * lays it out: transports of 512 bytes from 0xfeb00000 up.  Devices are found
 * by probing each window for the magic value, which does not depend on the
 * kernel command line (microvm appends virtio_mmio.device= entries to it, but
 * a long command line gets truncated).  A driver that wants interrupts gets
 * the transport's line routed level-triggered through the I/O APIC.  The core
 * is virtio.c. */
#include <string.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <uapi/errno.h>
#include "arch/x86_64/arch.h"
#include "drivers/pci.h"
#include "drivers/virtio.h"
#include "mm/mm_internal.h"

#define MMIO_BASE_PA 0xfeb00000UL
#define MMIO_STRIDE  0x200
#define MMIO_SLOTS   32		/* microvm has 24 */
#define MMIO_MAGIC   0x74726976 /* "virt" */

#define R_MAGIC		0x000
#define R_VERSION	0x004
#define R_DEVICE_ID	0x008
#define R_DEV_FEAT	0x010
#define R_DEV_FEAT_SEL	0x014
#define R_DRV_FEAT	0x020
#define R_DRV_FEAT_SEL	0x024
#define R_QUEUE_SEL	0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM	0x038
#define R_QUEUE_READY	0x044
#define R_QUEUE_NOTIFY	0x050
#define R_IRQ_STATUS	0x060
#define R_IRQ_ACK	0x064
#define R_STATUS	0x070
#define R_DESC_LO	0x080
#define R_DESC_HI	0x084
#define R_AVAIL_LO	0x090
#define R_AVAIL_HI	0x094
#define R_USED_LO	0x0a0
#define R_USED_HI	0x0a4
#define R_CONFIG	0x100

/* microvm wires transport i to GSI 24 + i on its second I/O APIC (present
 * with ACPI, QEMU's default), else to GSI 16 + i */
#define GSI_IOAPIC2 24
#define GSI_ACPI    16

static uint8_t *win; /* the transports' window, mapped once */

static inline uint32_t rd(struct virtio_dev *d, uint32_t off)
{
	return *(volatile uint32_t *)((uint8_t *)d->priv + off);
}

static inline void wr(struct virtio_dev *d, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)((uint8_t *)d->priv + off) = v;
}

static uint8_t mmio_get_status(struct virtio_dev *d)
{
	return (uint8_t)rd(d, R_STATUS);
}

static void mmio_set_status(struct virtio_dev *d, uint8_t s)
{
	wr(d, R_STATUS, s);
}

static uint64_t mmio_get_features(struct virtio_dev *d)
{
	wr(d, R_DEV_FEAT_SEL, 0);
	uint64_t lo = rd(d, R_DEV_FEAT);
	wr(d, R_DEV_FEAT_SEL, 1);
	return lo | (uint64_t)rd(d, R_DEV_FEAT) << 32;
}

static void mmio_set_features(struct virtio_dev *d, uint64_t f)
{
	wr(d, R_DRV_FEAT_SEL, 0);
	wr(d, R_DRV_FEAT, (uint32_t)f);
	wr(d, R_DRV_FEAT_SEL, 1);
	wr(d, R_DRV_FEAT, (uint32_t)(f >> 32));
}

static uint16_t mmio_queue_max(struct virtio_dev *d, uint16_t q)
{
	wr(d, R_QUEUE_SEL, q);
	uint32_t n = rd(d, R_QUEUE_NUM_MAX);
	return n > 0xffff ? 0xffff : (uint16_t)n;
}

static int mmio_queue_setup(struct virtio_dev *d, uint16_t q, uint16_t size,
			    uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(d, R_QUEUE_SEL, q);
	if (rd(d, R_QUEUE_READY))
		return -1;
	wr(d, R_QUEUE_NUM, size);
	wr(d, R_DESC_LO, (uint32_t)desc);
	wr(d, R_DESC_HI, (uint32_t)(desc >> 32));
	wr(d, R_AVAIL_LO, (uint32_t)avail);
	wr(d, R_AVAIL_HI, (uint32_t)(avail >> 32));
	wr(d, R_USED_LO, (uint32_t)used);
	wr(d, R_USED_HI, (uint32_t)(used >> 32));
	wr(d, R_QUEUE_READY, 1);
	return rd(d, R_QUEUE_READY) == 1 ? 0 : -1;
}

static void mmio_notify(struct virtio_dev *d, uint16_t q)
{
	wr(d, R_QUEUE_NOTIFY, q);
}

static uint8_t mmio_config_read8(struct virtio_dev *d, uint32_t off)
{
	return *(volatile uint8_t *)((uint8_t *)d->priv + R_CONFIG + off);
}

static int mmio_irq_setup(struct virtio_dev *d, unsigned vector)
{
	unsigned slot = (unsigned)(((uint8_t *)d->priv - win) / MMIO_STRIDE);
	unsigned gsi = (ioapic_present(GSI_IOAPIC2) ? GSI_IOAPIC2 : GSI_ACPI) + slot;
	/* the line stays high while InterruptStatus is non-zero: level */
	return ioapic_route_gsi(gsi, vector, true) ? 0 : -ENODEV;
}

static void mmio_irq_ack(struct virtio_dev *d)
{
	uint32_t isr = rd(d, R_IRQ_STATUS);
	if (isr)
		wr(d, R_IRQ_ACK, isr);
}

static const struct virtio_transport mmio_transport = {
    .name = "virtio-mmio",
    .get_status = mmio_get_status,
    .set_status = mmio_set_status,
    .get_features = mmio_get_features,
    .set_features = mmio_set_features,
    .queue_max = mmio_queue_max,
    .queue_setup = mmio_queue_setup,
    .notify = mmio_notify,
    .config_read8 = mmio_config_read8,
    .irq_setup = mmio_irq_setup,
    .irq_ack = mmio_irq_ack,
};

void virtio_mmio_probe(void)
{
	/* Only where there is no PCI host bridge (microvm): on q35 the window
	 * belongs to nothing, and probing it would be a guess. */
	if (pci_present())
		return;
	win = mmu_map_mmio(MMIO_BASE_PA, MMIO_SLOTS * MMIO_STRIDE);
	for (int i = 0; i < MMIO_SLOTS; i++) {
		volatile uint32_t *regs = (volatile uint32_t *)(win + i * MMIO_STRIDE);
		if (regs[R_MAGIC / 4] != MMIO_MAGIC)
			continue;
		uint32_t version = regs[R_VERSION / 4], id = regs[R_DEVICE_ID / 4];
		if (!id)
			continue; /* an empty transport */
		if (version != 2) {
			printk("virtio: mmio@%lx: legacy transport (version %u) skipped; "
			       "QEMU needs -global virtio-mmio.force-legacy=false",
			       MMIO_BASE_PA + i * MMIO_STRIDE, version);
			continue;
		}
		struct virtio_dev *d = kzalloc(sizeof(*d));
		if (!d)
			return;
		d->t = &mmio_transport;
		d->priv = (void *)regs;
		d->device_id = id;
		snprintf(d->where, sizeof(d->where), "mmio@%lx",
			 MMIO_BASE_PA + i * MMIO_STRIDE);
		virtio_register(d);
	}
}
