// SPDX-License-Identifier: MIT
/* The virtio core: a registry of the devices the transports found, the
 * initialisation handshake (reset, ACK, DRIVER, features with VERSION_1,
 * FEATURES_OK, queue, DRIVER_OK), and split virtqueues used one request at a
 * time with polled completion.  Register layouts are the transports' business
 * (virtio_mmio.c, virtio_pci.c); what the bytes mean is the drivers'
 * (virtio_9p.c).  The negotiation and the virtq_ring helpers at the end
 * serve the drivers that run their own queues (virtio_net.c,
 * virtio_console.c). */
#include <string.h>
#include <kern/clock.h>
#include <kern/compiler.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include "arch/x86_64/cpu.h"
#include "drivers/virtio.h"
#include "mm/mm_internal.h"
#include <kern/proc.h>

#define INDIRECT_MAX (PAGE_SIZE / sizeof(struct virtq_desc))
#define SPIN_NS	     (2 * 1000 * 1000ULL) /* then sleep in 1 ms steps */
#define TIMEOUT_NS   (10 * NSEC_PER_SEC)

static struct virtio_dev *devices;
static bool probed;

void virtio_register(struct virtio_dev *d)
{
	struct virtio_dev **pp = &devices;
	while (*pp)
		pp = &(*pp)->next;
	d->next = NULL;
	*pp = d;
	printk("virtio: device %u at %s", d->device_id, d->where);
}

void virtio_probe_all(void)
{
	if (probed)
		return;
	probed = true;
	virtio_pci_probe();
	virtio_mmio_probe();
}

struct virtio_dev *virtio_next(uint32_t device_id, struct virtio_dev *after)
{
	for (struct virtio_dev *d = after ? after->next : devices; d; d = d->next)
		if (d->device_id == device_id && !d->claimed)
			return d;
	return NULL;
}

/* The physical address behind a kernel virtual address. */
static uint64_t dma_addr(const void *va)
{
	uint64_t v = (uint64_t)va;
	if (v >= VMALLOC_BASE && v < VMALLOC_BASE + VMALLOC_SIZE) {
		uint64_t *pte = mmu_pte(kernel_pml4, v & ~(PAGE_SIZE - 1), false, false);
		if (!pte || !(*pte & PTE_P))
			return 0;
		return (*pte & PTE_ADDR) | (v & (PAGE_SIZE - 1));
	}
	return virt_to_phys(va);
}

static void fail(struct virtio_dev *d, const char *why)
{
	printk("virtio: %s: %s; device reset", d->where, why);
	d->t->set_status(d, 0);
	d->t->set_status(d, VIRTIO_STATUS_FAILED);
	d->broken = true;
}

int virtio_negotiate(struct virtio_dev *d, uint64_t optional, const char **why)
{
	const struct virtio_transport *t = d->t;
	t->set_status(d, 0);
	for (int i = 0; i < 1000000 && t->get_status(d); i++)
		cpu_relax();
	t->set_status(d, VIRTIO_STATUS_ACK);
	t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
	uint64_t offered = t->get_features(d);
	if (!(offered & (1ULL << VIRTIO_F_VERSION_1))) {
		*why = "no VERSION_1 (legacy-only device)";
		return -ENODEV;
	}
	d->features = offered & (optional | (1ULL << VIRTIO_F_VERSION_1));
	t->set_features(d, d->features);
	t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER |
			     VIRTIO_STATUS_FEATURES_OK);
	if (!(t->get_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		*why = "features refused";
		return -ENODEV;
	}
	return 0;
}

int virtio_init_dev(struct virtio_dev *d, uint64_t optional, uint16_t qmax)
{
	const struct virtio_transport *t = d->t;
	const char *why;
	if (virtio_negotiate(d, optional, &why)) {
		fail(d, why);
		return -ENODEV;
	}
	uint16_t size = t->queue_max(d, 0);
	if (!size) {
		fail(d, "no queue 0");
		return -ENODEV;
	}
	if (size > qmax)
		size = qmax;
	if (size > 256)
		size = 256; /* each ring part then fits one page */
	struct virtq *vq = &d->vq;
	uint64_t pd = frame_alloc(), pa = frame_alloc(), pu = frame_alloc(),
		 pi = frame_alloc();
	if (!pd || !pa || !pu || !pi) {
		fail(d, "out of memory for the queue");
		return -ENOMEM;
	}
	vq->size = size;
	vq->desc = phys_to_virt(pd);
	vq->avail = phys_to_virt(pa);
	vq->used = phys_to_virt(pu);
	vq->indirect = phys_to_virt(pi);
	vq->indirect_pa = pi;
	vq->last_used = 0;
	vq->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	if (t->queue_setup(d, 0, size, pd, pa, pu)) {
		fail(d, "queue setup refused");
		return -ENODEV;
	}
	t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER |
			     VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	return 0;
}

size_t virtio_max_transfer(struct virtio_dev *d)
{
	size_t slots =
	    (d->features & (1ULL << VIRTIO_F_INDIRECT_DESC)) ? INDIRECT_MAX : d->vq.size;
	/* both directions together need at most pages+1 descriptors each */
	return (slots / 2 - 2) * PAGE_SIZE;
}

/* Appends the physical pieces of [va, va+len) to tab; -E2BIG when full. */
static int add_segments(struct virtq_desc *tab, unsigned *n, unsigned max, const void *va,
			size_t len, uint16_t flags)
{
	const uint8_t *p = va;
	while (len) {
		size_t in_page = PAGE_SIZE - ((uint64_t)p & (PAGE_SIZE - 1));
		size_t chunk = MIN(len, in_page);
		uint64_t pa = dma_addr(p);
		if (!pa)
			return -EFAULT;
		if (*n && tab[*n - 1].addr + tab[*n - 1].len == pa &&
		    (tab[*n - 1].flags & VIRTQ_DESC_F_WRITE) == flags) {
			tab[*n - 1].len += (uint32_t)chunk;
		} else {
			if (*n == max)
				return -E2BIG;
			tab[*n].addr = pa;
			tab[*n].len = (uint32_t)chunk;
			tab[*n].flags = flags;
			(*n)++;
		}
		p += chunk;
		len -= chunk;
	}
	return 0;
}

static bool used_ready(struct virtq *vq)
{
	return *(volatile uint16_t *)&vq->used->idx != vq->last_used;
}

/* Waits for the used ring to move: spin, then sleep so other threads run. */
static int wait_used(struct virtio_dev *d)
{
	struct virtq *vq = &d->vq;
	uint64_t start = clock_monotonic_ns();
	while (!used_ready(vq)) {
		uint64_t now = clock_monotonic_ns();
		if (now - start > TIMEOUT_NS) {
			fail(d, "no answer in 10 s");
			return -EIO;
		}
		if (now - start < SPIN_NS || !thread_current()) {
			cpu_relax();
			continue;
		}
		if (waitq_sleep(NULL, now + 1000000) == -ERESTARTSYS)
			cpu_idle(); /* a signal is pending: still wait, tick by tick */
	}
	__asm__ volatile("" ::: "memory");
	return 0;
}

int virtio_transact(struct virtio_dev *d, const void *out, size_t outlen, void *in,
		    size_t incap, uint32_t *inlen)
{
	struct virtq *vq = &d->vq;
	if (d->broken || !vq->size)
		return -EIO;
	bool indirect = d->features & (1ULL << VIRTIO_F_INDIRECT_DESC);
	struct virtq_desc *tab = indirect ? vq->indirect : vq->desc;
	unsigned max = indirect ? INDIRECT_MAX : vq->size;
	unsigned n = 0;
	int r = add_segments(tab, &n, max, out, outlen, 0);
	if (!r)
		r = add_segments(tab, &n, max, in, incap, VIRTQ_DESC_F_WRITE);
	if (r)
		return r;
	for (unsigned i = 0; i < n; i++) {
		tab[i].next = (uint16_t)(i + 1);
		if (i + 1 < n)
			tab[i].flags |= VIRTQ_DESC_F_NEXT;
	}
	if (indirect) {
		vq->desc[0].addr = vq->indirect_pa;
		vq->desc[0].len = n * sizeof(struct virtq_desc);
		vq->desc[0].flags = VIRTQ_DESC_F_INDIRECT;
		vq->desc[0].next = 0;
	}
	struct virtq_avail *av = vq->avail;
	av->ring[av->idx % vq->size] = 0; /* the chain always starts at 0 */
	__asm__ volatile("mfence" ::: "memory");
	*(volatile uint16_t *)&av->idx = av->idx + 1;
	__asm__ volatile("mfence" ::: "memory");
	d->t->notify(d, 0);
	r = wait_used(d);
	if (r)
		return r;
	struct virtq_used_elem *e = &vq->used->ring[vq->last_used % vq->size];
	vq->last_used++;
	if (e->id != 0 || e->len > incap) {
		fail(d, "bad used element");
		return -EIO;
	}
	*inlen = e->len;
	return 0;
}

int virtq_ring_init(struct virtio_dev *d, struct virtq_ring *q, uint16_t index,
		    uint16_t qmax, uint16_t multiple, uint16_t avail_flags)
{
	uint16_t size = d->t->queue_max(d, index);
	if (!size)
		return -ENODEV;
	if (size > qmax)
		size = qmax;
	if (size < multiple)
		return -ENODEV;
	size = (uint16_t)(size - size % multiple);
	uint64_t pd = frame_alloc(), pa = frame_alloc(), pu = frame_alloc();
	if (!pd || !pa || !pu)
		return -ENOMEM;
	q->index = index;
	q->size = size;
	q->desc = phys_to_virt(pd);
	q->avail = phys_to_virt(pa);
	q->used = phys_to_virt(pu);
	q->avail->flags = avail_flags;
	q->avail_idx = q->last_used = 0;
	return d->t->queue_setup(d, index, size, pd, pa, pu) ? -ENODEV : 0;
}

void virtq_offer(struct virtq_ring *q, uint16_t id)
{
	q->avail->ring[q->avail_idx % q->size] = id;
	q->avail_idx++;
}

void virtq_publish(struct virtio_dev *d, struct virtq_ring *q)
{
	__asm__ volatile("" ::: "memory"); /* ring entries before the index */
	*(volatile uint16_t *)&q->avail->idx = q->avail_idx;
	__asm__ volatile("mfence" ::: "memory"); /* index before reading flags */
	if (!(*(volatile uint16_t *)&q->used->flags & VIRTQ_USED_F_NO_NOTIFY))
		d->t->notify(d, q->index);
}

bool virtq_used_ready(struct virtq_ring *q)
{
	return *(volatile uint16_t *)&q->used->idx != q->last_used;
}

struct virtq_used_elem virtq_take_used(struct virtq_ring *q)
{
	__asm__ volatile("" ::: "memory"); /* index before element */
	struct virtq_used_elem e = q->used->ring[q->last_used % q->size];
	q->last_used++;
	return e;
}
