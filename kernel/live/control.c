// SPDX-License-Identifier: MIT
/* The control channel's loop: a kernel thread polls COM2, assembles frames
 * (resynchronising on the magic after garbage), checks each frame's MAC,
 * decodes its fields, runs the request (spawn.c, upgrade.c) and sends the
 * reply.  A frame that fails any check gets an error reply and changes
 * nothing.  Wire format: docs/control-protocol.md. */
#include <stdarg.h>
#include <string.h>
#include <kern/clock.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/vfs.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "drivers/console_internal.h"
#include "drivers/serial.h"
#include "drivers/virtio_console.h"
#include "live/internal.h"
#include "live/live.h"
#include "proc/internal.h"

#define PORT	   SERIAL_COM2
#define MAX_FIELDS 4096

static uint8_t key[64];
static size_t key_len;
static bool use_vcon; /* virtio-console port 0 instead of COM2 */

/* receive state */
static uint8_t *frame; /* header + payload + MAC */
static size_t frame_cap, frame_have, frame_need;

int reply_field(struct ctl_reply *r, uint16_t tag, const void *val, uint32_t len)
{
	size_t n = ctl_put_field(NULL, tag, NULL, len);
	if (r->len + n > r->cap) {
		size_t cap = MAX(r->cap * 2, r->len + n + 256);
		uint8_t *b = krealloc(r->buf, cap);
		if (!b)
			return -ENOMEM;
		r->buf = b;
		r->cap = cap;
	}
	ctl_put_field(r->buf + r->len, tag, val, len);
	r->len += n;
	return 0;
}

int reply_text(struct ctl_reply *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = kmalloc(n + 1);
	if (!s)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(s, n + 1, fmt, ap);
	va_end(ap);
	int ret = reply_field(r, CTL_TEXT, s, n);
	kfree(s);
	return ret;
}

void reply_error(struct ctl_reply *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error_buf, sizeof(r->error_buf), fmt, ap);
	va_end(ap);
	r->error = r->error_buf;
}

static void send_frame(uint8_t type, uint8_t flags, uint32_t id, const uint8_t *payload,
		       size_t len)
{
	uint8_t hdr[CTL_HDR_LEN], mac[CTL_MAC_LEN];
	struct ctl_hdr h = {type, flags, id, (uint32_t)len};
	ctl_encode_header(hdr, &h);
	uint8_t *whole = kmalloc(CTL_HDR_LEN + len);
	if (!whole)
		return;
	memcpy(whole, hdr, CTL_HDR_LEN);
	if (len)
		memcpy(whole + CTL_HDR_LEN, payload, len);
	ctl_mac(key, key_len, whole, CTL_HDR_LEN + len, mac);
	if (use_vcon) {
		vcon_write(whole, CTL_HDR_LEN + len);
		vcon_write(mac, CTL_MAC_LEN);
	} else {
		serial_port_write(PORT, whole, CTL_HDR_LEN + len);
		serial_port_write(PORT, mac, CTL_MAC_LEN);
	}
	kfree(whole);
}

static void send_error(uint8_t type, uint32_t id, const char *text)
{
	uint8_t buf[200];
	size_t n = strlen(text);
	if (n > sizeof(buf) - 8)
		n = sizeof(buf) - 8;
	size_t len = ctl_put_field(buf, CTL_TEXT, text, (uint32_t)n);
	send_frame(type ? type : CTL_STATUS, CTL_F_REPLY | CTL_F_ERROR, id, buf, len);
	printk("control: refused request %u: %s", id, text);
}

static char *field_str(const struct ctl_field *f)
{
	char *s = kmalloc(f->len + 1);
	if (s) {
		memcpy(s, f->val, f->len);
		s[f->len] = 0;
	}
	return s;
}

static bool u32_field(const struct ctl_field *f, uint32_t *v)
{
	if (f->len != 4)
		return false;
	*v = (uint32_t)f->val[0] | (uint32_t)f->val[1] << 8 | (uint32_t)f->val[2] << 16 |
	     (uint32_t)f->val[3] << 24;
	return true;
}

static void handle(const struct ctl_hdr *h, const uint8_t *payload)
{
	struct ctl_request q;
	struct ctl_reply r = {0};
	memset(&q, 0, sizeof(q));
	q.grace_ms = 2000;
	struct ctl_field *fields[3] = {NULL, NULL, NULL};
	unsigned counts[3] = {0, 0, 0};
	char *exe = NULL, *cwd = NULL;
	const char *why = NULL;

	if (h->flags & CTL_F_REPLY) {
		send_error(h->type, h->id, "a reply is not a request");
		return;
	}
	/* count, then collect, so the request is understood entirely first */
	for (int pass = 0; pass < 2; pass++) {
		size_t off = 0;
		struct ctl_field f;
		int n, k[3] = {0, 0, 0};
		while ((n = ctl_next_field(payload, h->len, &off, &f, &why)) == 1) {
			int slot = f.tag == CTL_ARG    ? 0
				   : f.tag == CTL_ENV  ? 1
				   : f.tag == CTL_FILE ? 2
						       : -1;
			if (slot >= 0) {
				if (pass == 1)
					fields[slot][k[slot]] = f;
				k[slot]++;
				continue;
			}
			if (pass == 0)
				continue;
			switch (f.tag) {
			case CTL_PID:
				if (!u32_field(&f, &q.pid))
					why = "PID must be 4 bytes";
				q.have_pid = 1;
				break;
			case CTL_SIGNAL:
				if (!u32_field(&f, &q.signal))
					why = "SIGNAL must be 4 bytes";
				q.have_signal = 1;
				break;
			case CTL_PATCH_ID:
				if (!u32_field(&f, &q.patch_id))
					why = "PATCH_ID must be 4 bytes";
				q.have_patch_id = 1;
				break;
			case CTL_DEADLINE_MS:
				if (!u32_field(&f, &q.deadline_ms))
					why = "DEADLINE_MS must be 4 bytes";
				q.have_deadline = 1;
				break;
			case CTL_GRACE_MS:
				if (!u32_field(&f, &q.grace_ms))
					why = "GRACE_MS must be 4 bytes";
				break;
			case CTL_EXE:
				kfree(exe);
				exe = field_str(&f);
				break;
			case CTL_CWD:
				kfree(cwd);
				cwd = field_str(&f);
				break;
			case CTL_TEXT:
				why = "TEXT is not a request field";
				break;
			}
			if (why)
				break;
		}
		if (n < 0 || why)
			break;
		if (pass == 0) {
			for (int i = 0; i < 3; i++) {
				if (k[i] > MAX_FIELDS) {
					why = "too many fields";
					break;
				}
				counts[i] = k[i];
				fields[i] =
				    kzalloc((k[i] + 1) * sizeof(struct ctl_field));
				if (!fields[i])
					why = "out of memory";
			}
			if (why)
				break;
		}
	}
	if (why) {
		send_error(h->type, h->id, why);
		goto out;
	}
	q.args = fields[0], q.nargs = counts[0];
	q.envs = fields[1], q.nenvs = counts[1];
	q.files = fields[2], q.nfiles = counts[2];
	q.exe = exe;
	q.cwd = cwd;

	switch (h->type) {
	case CTL_STATUS:
		live_status(&q, &r);
		break;
	case CTL_PS:
		live_ps(&q, &r);
		break;
	case CTL_SPAWN:
		live_spawn(&q, &r);
		break;
	case CTL_KILL:
		live_kill(&q, &r);
		break;
	case CTL_UPGRADE:
		live_upgrade(&q, &r);
		break;
	case CTL_PATCH:
		live_patch(&q, &r);
		break;
	case CTL_REVERT:
		live_revert(&q, &r);
		break;
	case CTL_PATCHES:
		live_patches(&q, &r);
		break;
	}
	if (r.error)
		send_error(h->type, h->id, r.error);
	else
		send_frame(h->type, CTL_F_REPLY, h->id, r.buf, r.len);
out:
	for (int i = 0; i < 3; i++)
		kfree(fields[i]);
	kfree(exe);
	kfree(cwd);
	kfree(r.buf);
}

/* Feeds one received byte; runs the request when a frame is complete. */
static void rx_byte(uint8_t b)
{
	if (frame_have < 4) {
		/* looking for the magic: drop bytes until "UEC1" lines up */
		if (b != (uint8_t)CTL_MAGIC[frame_have]) {
			frame_have = 0;
			if (b != (uint8_t)CTL_MAGIC[0])
				return;
		}
		frame[frame_have++] = b;
		return;
	}
	frame[frame_have++] = b;
	if (frame_have == CTL_HDR_LEN) {
		struct ctl_hdr h;
		const char *why;
		if (ctl_parse_header(frame, &h, &why)) {
			uint32_t id = (uint32_t)frame[8] | (uint32_t)frame[9] << 8 |
				      (uint32_t)frame[10] << 16 |
				      (uint32_t)frame[11] << 24;
			send_error(frame[4] <= CTL_TYPE_MAX ? frame[4] : 0, id, why);
			frame_have = 0;
			return;
		}
		frame_need = CTL_HDR_LEN + (size_t)h.len + CTL_MAC_LEN;
		if (frame_need > frame_cap) {
			uint8_t *n = krealloc(frame, frame_need);
			if (!n) {
				send_error(h.type, h.id, "out of memory for the frame");
				frame_have = 0;
				return;
			}
			frame = n;
			frame_cap = frame_need;
		}
		return;
	}
	if (frame_have < CTL_HDR_LEN || frame_have < frame_need)
		return;
	/* complete */
	struct ctl_hdr h;
	const char *why;
	ctl_parse_header(frame, &h, &why);
	frame_have = 0;
	if (!ctl_mac_ok(key, key_len, frame, CTL_HDR_LEN + h.len)) {
		send_error(h.type, h.id,
			   key_len ? "authentication failed" : "checksum mismatch");
		return;
	}
	handle(&h, frame + CTL_HDR_LEN);
	if (frame_cap > 65536) { /* give big buffers back */
		kfree(frame);
		frame = kmalloc(4096);
		frame_cap = frame ? 4096 : 0;
	}
}

static struct waitq rx_wq = WAITQ_INIT(rx_wq);

void live_control_irq(void)
{
	waitq_wake_all(&rx_wq);
}

/* Reads whatever COM2 holds, then sleeps until its interrupt.  Never spins on
 * the line status register: every port access takes QEMU's global lock, and a
 * guest polling in a loop starves the QEMU thread that feeds the UART (a spin
 * here made 400 KB take 30 s). */
/* A frame whose sender went quiet for this long is dropped, so a client that
 * died mid-frame cannot swallow the next requests. */
#define PARTIAL_FRAME_NS (2 * NSEC_PER_SEC)

static void expire_partial(uint64_t *last_rx, bool got)
{
	uint64_t now = clock_monotonic_ns();
	if (got || !frame_have)
		*last_rx = now;
	else if (now - *last_rx > PARTIAL_FRAME_NS) {
		printk("control: dropped a partial frame (%zu bytes, sender silent)",
		       frame_have);
		frame_have = 0;
		*last_rx = now;
	}
}

static void control_main(void *arg)
{
	static uint8_t buf[4096];
	uint64_t last_rx = clock_monotonic_ns();
	while (use_vcon) {
		long n = vcon_read(buf, sizeof(buf));
		for (long i = 0; i < n; i++)
			rx_byte(buf[i]);
		expire_partial(&last_rx, n > 0);
		live_patch_tick();
		if (!n) /* polls the ring in guest memory, not the device */
			vcon_wait(clock_monotonic_ns() + 20000000);
	}
	for (;;) {
		bool got = false;
		while (serial_port_rx_ready(PORT)) {
			rx_byte(serial_port_rx(PORT));
			got = true;
		}
		expire_partial(&last_rx, got);
		live_patch_tick();
		/* the interrupt wakes us; the deadline covers a lost edge */
		waitq_sleep(&rx_wq,
			    clock_monotonic_ns() + (frame_have ? 2000000 : 20000000));
	}
}

void live_init(void)
{
	use_vcon = vcon_present();
	if (!use_vcon && !serial_port_init(PORT))
		return; /* no control channel on this VM */
	void *k = NULL;
	size_t klen = 0;
	if (vfs_read_file("/.unielf/control-key", &k, &klen) == 0) {
		if (klen == 0 || klen > sizeof(key)) {
			console_error("the control key must be 1 to 64 bytes, not %zu",
				      klen);
			console_exit(125);
		} else {
			memcpy(key, k, klen);
			key_len = klen;
		}
		kfree(k);
	}
	kernel_proc_create();
	frame = kmalloc(4096);
	frame_cap = 4096;
	struct thread *t =
	    kernel_proc ? kthread_create(kernel_proc, control_main, NULL) : NULL;
	if (!frame || !t)
		panic("cannot start the control channel");
	sched_make_runnable(t);
	if (!use_vcon && ioapic_route(3, VEC_COM2))
		serial_port_enable_rx_irq(PORT);
	printk("control: listening on %s%s", use_vcon ? "virtio-console" : "COM2",
	       key_len ? " (HMAC-SHA256)" : "");
}
