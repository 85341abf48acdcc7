/* SPDX-License-Identifier: MIT */
/* virtio-console (kernel/drivers/virtio_console.c): one console device, port 0
 * only (no MULTIPORT), used as a byte pipe by the control channel
 * (kernel/live/control.c).  One thread reads and writes it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_ID_CONSOLE 3

/* Whether a console device exists and is initialised (done on the first call;
 * may be called at boot before any process exists). */
bool vcon_present(void);
/* Whether received bytes are waiting. */
bool vcon_readable(void);
/* Copies up to len received bytes into buf; returns how many (0 if none).
 * Never sleeps. */
long vcon_read(void *buf, size_t len);
/* Sends buf[0..len): returns 0 once the device has taken every byte, or -EIO
 * (no device, broken, or no progress for 10 s).  May sleep (1 ms steps). */
int vcon_write(const void *buf, size_t len);
/* Sleeps until bytes are waiting or clock_monotonic_ns() >= deadline_ns,
 * checking the receive ring (guest memory, no device access) every 1 ms. */
void vcon_wait(uint64_t deadline_ns);
