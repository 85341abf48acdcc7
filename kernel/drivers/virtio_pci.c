// SPDX-License-Identifier: MIT
/* The virtio-pci transport, modern interface only: vendor capabilities point
 * at the common configuration, the notification area and the device
 * configuration inside memory BARs, which are mapped with mmu_map_mmio.
 * Transitional devices (0x1000-0x103f) are driven through the same modern
 * capabilities; legacy-only devices are skipped.  A driver that wants
 * interrupts gets one MSI-X vector for all its queues, sent straight to the
 * local APIC (no I/O APIC routing, no INTx).  The core is virtio.c. */
#include <string.h>
#include <kern/compiler.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <uapi/errno.h>
#include "drivers/pci.h"
#include "drivers/virtio.h"
#include "mm/mm_internal.h"

#define VIRTIO_VENDOR 0x1af4

#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_DEVICE 4

#define PCI_CAP_MSIX	 0x11
#define MSIX_ENABLE	 0x8000 /* message control */
#define MSIX_FUNC_MASK	 0x4000
#define MSI_ADDR_APIC0	 0xfee00000u /* physical destination APIC 0 */
#define VIRTIO_NO_VECTOR 0xffff

/* common configuration layout */
#define C_DFSELECT 0x00
#define C_DF	   0x04
#define C_GFSELECT 0x08
#define C_GF	   0x0c
#define C_MSIX	   0x10
#define C_STATUS   0x14
#define C_Q_SELECT 0x16
#define C_Q_SIZE   0x18
#define C_Q_MSIX   0x1a
#define C_Q_ENABLE 0x1c
#define C_Q_NOFF   0x1e
#define C_Q_DESC   0x20
#define C_Q_DRIVER 0x28
#define C_Q_DEVICE 0x30

#define VP_QUEUES 8

struct vpci {
	volatile uint8_t *common, *notify, *device;
	uint32_t notify_mult;
	struct pci_dev pdev;
	uint8_t msix_cap;   /* 0: none */
	uint16_t queue_vec; /* what queue_setup writes to queue_msix_vector */
	/* per queue: QEMU tells queues apart by the address written */
	uint16_t notify_off[VP_QUEUES];
};

#define VP(d) ((struct vpci *)(d)->priv)

static inline void w8(volatile uint8_t *b, uint32_t off, uint8_t v)
{
	b[off] = v;
}
static inline void w16(volatile uint8_t *b, uint32_t off, uint16_t v)
{
	*(volatile uint16_t *)(b + off) = v;
}
static inline void w32(volatile uint8_t *b, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(b + off) = v;
}
static inline uint16_t r16(volatile uint8_t *b, uint32_t off)
{
	return *(volatile uint16_t *)(b + off);
}
static inline uint32_t r32(volatile uint8_t *b, uint32_t off)
{
	return *(volatile uint32_t *)(b + off);
}

static uint8_t vp_get_status(struct virtio_dev *d)
{
	return VP(d)->common[C_STATUS];
}

static void vp_set_status(struct virtio_dev *d, uint8_t s)
{
	w8(VP(d)->common, C_STATUS, s);
}

static uint64_t vp_get_features(struct virtio_dev *d)
{
	volatile uint8_t *c = VP(d)->common;
	w32(c, C_DFSELECT, 0);
	uint64_t lo = r32(c, C_DF);
	w32(c, C_DFSELECT, 1);
	return lo | (uint64_t)r32(c, C_DF) << 32;
}

static void vp_set_features(struct virtio_dev *d, uint64_t f)
{
	volatile uint8_t *c = VP(d)->common;
	w32(c, C_GFSELECT, 0);
	w32(c, C_GF, (uint32_t)f);
	w32(c, C_GFSELECT, 1);
	w32(c, C_GF, (uint32_t)(f >> 32));
}

static uint16_t vp_queue_max(struct virtio_dev *d, uint16_t q)
{
	volatile uint8_t *c = VP(d)->common;
	w16(c, C_Q_SELECT, q);
	return r16(c, C_Q_SIZE);
}

static void w64(volatile uint8_t *c, uint32_t off, uint64_t v)
{
	w32(c, off, (uint32_t)v);
	w32(c, off + 4, (uint32_t)(v >> 32));
}

static int vp_queue_setup(struct virtio_dev *d, uint16_t q, uint16_t size, uint64_t desc,
			  uint64_t avail, uint64_t used)
{
	volatile uint8_t *c = VP(d)->common;
	if (q >= VP_QUEUES)
		return -1;
	w16(c, C_MSIX, VIRTIO_NO_VECTOR); /* no configuration interrupts */
	w16(c, C_Q_SELECT, q);
	w16(c, C_Q_SIZE, size);
	w16(c, C_Q_MSIX, VP(d)->queue_vec); /* none unless irq_setup asked */
	if (r16(c, C_Q_MSIX) != VP(d)->queue_vec)
		return -1; /* the device had no room for the vector */
	w64(c, C_Q_DESC, desc);
	w64(c, C_Q_DRIVER, avail);
	w64(c, C_Q_DEVICE, used);
	VP(d)->notify_off[q] = r16(c, C_Q_NOFF);
	w16(c, C_Q_ENABLE, 1);
	return r16(c, C_Q_ENABLE) == 1 ? 0 : -1;
}

static void vp_notify(struct virtio_dev *d, uint16_t q)
{
	struct vpci *v = VP(d);
	if (q < VP_QUEUES)
		w16(v->notify, (uint32_t)v->notify_off[q] * v->notify_mult, q);
}

static uint8_t vp_config_read8(struct virtio_dev *d, uint32_t off)
{
	return VP(d)->device[off];
}

/* Programs MSI-X table entry 0 with `vector` for CPU 0 and enables MSI-X;
 * the queues set up afterwards signal through entry 0. */
static int vp_irq_setup(struct virtio_dev *d, unsigned vector)
{
	struct vpci *v = VP(d);
	const struct pci_dev *p = &v->pdev;
	if (!v->msix_cap)
		return -ENODEV;
	uint32_t table = pci_read32(p, v->msix_cap + 4);
	uint64_t base = pci_bar(p, table & 7);
	if (!base)
		return -ENODEV;
	uint64_t pa = base + (table & ~7u);
	uint64_t start = ALIGN_DOWN(pa, PAGE_SIZE);
	volatile uint32_t *entry =
	    (volatile uint32_t *)((uint8_t *)mmu_map_mmio(start, PAGE_SIZE) +
				  (pa - start));
	entry[0] = MSI_ADDR_APIC0; /* message address: fixed delivery, physical */
	entry[1] = 0;
	entry[2] = vector; /* message data: edge, fixed */
	entry[3] = 0;	   /* vector control: unmasked */
	uint16_t ctl = pci_read16(p, v->msix_cap + 2);
	pci_write16(p, v->msix_cap + 2,
		    (uint16_t)((ctl | MSIX_ENABLE) & ~MSIX_FUNC_MASK));
	v->queue_vec = 0;
	return 0;
}

static void vp_irq_ack(struct virtio_dev *d)
{
	/* MSI-X: an edge message, nothing to acknowledge */
}

static const struct virtio_transport pci_transport = {
    .name = "virtio-pci",
    .get_status = vp_get_status,
    .set_status = vp_set_status,
    .get_features = vp_get_features,
    .set_features = vp_set_features,
    .queue_max = vp_queue_max,
    .queue_setup = vp_queue_setup,
    .notify = vp_notify,
    .config_read8 = vp_config_read8,
    .irq_setup = vp_irq_setup,
    .irq_ack = vp_irq_ack,
};

static volatile uint8_t *map_region(const struct pci_dev *p, uint8_t bar, uint32_t off,
				    uint32_t len)
{
	uint64_t base = pci_bar(p, bar);
	if (!base || !len)
		return NULL;
	uint64_t pa = base + off;
	uint64_t start = ALIGN_DOWN(pa, PAGE_SIZE), end = ALIGN_UP(pa + len, PAGE_SIZE);
	uint8_t *va = mmu_map_mmio(start, end - start);
	return va + (pa - start);
}

static void found(const struct pci_dev *p, void *arg)
{
	if (p->vendor != VIRTIO_VENDOR || p->device < 0x1000 || p->device > 0x107f)
		return;
	uint32_t id = p->device >= 0x1040 ? p->device - 0x1040u : pci_read16(p, 0x2e);
	if (!(pci_read16(p, 0x06) & 0x10))
		return; /* no capability list: legacy only */
	struct vpci *v = kzalloc(sizeof(*v));
	if (!v)
		return;
	uint8_t ptr = pci_read8(p, 0x34) & 0xfc;
	for (int guard = 0; ptr && guard < 48; guard++) {
		uint8_t cap = pci_read8(p, ptr), next = pci_read8(p, ptr + 1) & 0xfc;
		if (cap == PCI_CAP_VENDOR) {
			uint8_t type = pci_read8(p, ptr + 3), bar = pci_read8(p, ptr + 4);
			uint32_t off = pci_read32(p, ptr + 8),
				 len = pci_read32(p, ptr + 12);
			if (type == CAP_COMMON && !v->common)
				v->common = map_region(p, bar, off, len);
			else if (type == CAP_NOTIFY && !v->notify) {
				v->notify = map_region(p, bar, off, len);
				v->notify_mult = pci_read32(p, ptr + 16);
			} else if (type == CAP_DEVICE && !v->device)
				v->device = map_region(p, bar, off, len);
		} else if (cap == PCI_CAP_MSIX) {
			v->msix_cap = ptr;
		}
		ptr = next;
	}
	if (!v->common || !v->notify || !v->device) {
		printk("virtio: pci %02x:%02x.%u (%04x): no modern interface (or BAR "
		       "unassigned)",
		       p->bus, p->dev, p->fn, p->device);
		kfree(v);
		return;
	}
	pci_enable(p);
	v->pdev = *p;
	v->queue_vec = VIRTIO_NO_VECTOR;
	struct virtio_dev *d = kzalloc(sizeof(*d));
	if (!d) {
		kfree(v);
		return;
	}
	d->t = &pci_transport;
	d->priv = v;
	d->device_id = id;
	snprintf(d->where, sizeof(d->where), "pci %02x:%02x.%u", p->bus, p->dev, p->fn);
	virtio_register(d);
}

void virtio_pci_probe(void)
{
	pci_scan(found, NULL);
}
