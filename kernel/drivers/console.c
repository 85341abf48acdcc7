// SPDX-License-Identifier: MIT
/* The console: frames stdout, stderr, log, errors and the exit status onto the
 * serial line, and unframes stdin, EOF, signals and window sizes coming back
 * (docs/console-protocol.md).  devfs turns it into files; signals go to proc/. */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <kern/console.h>
#include <kern/poll.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <uapi/errno.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "drivers/console_internal.h"
#include "drivers/serial.h"

enum {
	OUT_STDOUT = 1,
	OUT_STDERR,
	OUT_LOG,
	OUT_EXIT,
	OUT_ERROR,
	OUT_REPORT,
	OUT_READY,
	OUT_TERMIOS
};
enum { IN_DATA = 1, IN_EOF, IN_SIGNAL, IN_WINSIZE };

#define FRAME_MAX 4096
#define RX_SIZE	  65536

struct waitq console_wq = WAITQ_INIT(console_wq);
static uint64_t rx_seq; /* poll sequence of stdin: data or EOF arrived */

static bool tty[3];
static uint16_t win_rows = 24, win_cols = 80;

static uint8_t rx_buf[RX_SIZE];
static size_t rx_head, rx_tail; /* head: next write, tail: next read */
static bool rx_eof;

/* input frame parser state */
static uint8_t in_hdr[3];
static unsigned in_hdr_len;
static unsigned in_remaining;
static uint8_t in_small[8];
static unsigned in_small_len;

void proc_console_signal(int sig); /* kernel/proc/signal.c */

static void frame(int type, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	do {
		size_t n = len > FRAME_MAX ? FRAME_MAX : len;
		uint8_t hdr[3] = {(uint8_t)type, (uint8_t)n, (uint8_t)(n >> 8)};
		uint64_t f = irq_save();
		serial_write(hdr, 3);
		serial_write(p, n);
		irq_restore(f);
		p += n;
		len -= n;
	} while (len);
}

void console_init(void)
{
	serial_init();
	serial_write("\nUNIELF-SYNC\n", 13);
}

/* After the APICs are up: stdin arrives by interrupt, not only on the tick. */
void console_enable_irq(void)
{
	if (ioapic_route(4, VEC_COM1))
		serial_port_enable_rx_irq(0x3f8);
}

bool console_verbose;

void console_log(const char *s, size_t len)
{
	if (!console_verbose)
		return;
	frame(OUT_LOG, s, len);
	if (!len || s[len - 1] != '\n')
		frame(OUT_LOG, "\n", 1);
}

void console_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	frame(OUT_ERROR, buf, n);
}

void console_report(const char *s)
{
	frame(OUT_REPORT, s, strlen(s));
}

static int foreground_pgrp;

/* The program changed the terminal's settings: the host tool applies them to
 * the real terminal, whose line discipline then does echo, line editing and
 * ^C as the program asked (docs/console-protocol.md, TERMIOS). */
void console_termios_changed(const void *termios, size_t len)
{
	if (tty[0])
		frame(OUT_TERMIOS, termios, len);
}

void console_set_foreground(int pgrp)
{
	foreground_pgrp = pgrp;
}

int console_foreground(void)
{
	return foreground_pgrp;
}

void console_ready(void)
{
	frame(OUT_READY, "", 0);
}

void console_exit(int status)
{
	uint8_t st = (uint8_t)status;
	frame(OUT_EXIT, &st, 1);
	for (;;) {
		outl(0xf4, st);
		irq_disable();
		cpu_halt();
	}
}

void console_set_tty(int in, int out, int err, uint16_t rows, uint16_t cols)
{
	tty[0] = in;
	tty[1] = out;
	tty[2] = err;
	if (rows && cols) {
		win_rows = rows;
		win_cols = cols;
	}
}

bool console_is_tty(int chan)
{
	return chan >= 0 && chan < 3 && tty[chan];
}

void console_winsize(uint16_t *rows, uint16_t *cols)
{
	*rows = win_rows;
	*cols = win_cols;
}

long console_write(int chan, const void *buf, size_t len)
{
	frame(chan == CONSOLE_STDERR ? OUT_STDERR : OUT_STDOUT, buf, len);
	return (long)len;
}

static size_t rx_used(void)
{
	return rx_head - rx_tail;
}

void console_poll_input(void)
{
	bool woke = false;
	uint64_t f = irq_save();
	while (serial_rx_ready()) {
		if (in_hdr_len < 3) {
			in_hdr[in_hdr_len++] = serial_rx_byte();
			if (in_hdr_len < 3)
				continue;
			in_remaining = in_hdr[1] | (in_hdr[2] << 8);
			in_small_len = 0;
		} else if (in_hdr[0] == IN_DATA) {
			if (rx_used() == RX_SIZE)
				break; /* leave it in the UART: QEMU holds the rest */
			rx_buf[rx_head++ % RX_SIZE] = serial_rx_byte();
			in_remaining--;
			woke = true;
		} else {
			uint8_t b = serial_rx_byte();
			if (in_small_len < sizeof(in_small))
				in_small[in_small_len++] = b;
			in_remaining--;
		}
		if (in_hdr_len == 3 && in_remaining == 0) {
			in_hdr_len = 0;
			switch (in_hdr[0]) {
			case IN_EOF:
				rx_eof = true;
				woke = true;
				break;
			case IN_SIGNAL:
				if (in_small_len >= 1)
					proc_console_signal(in_small[0]);
				woke = true;
				break;
			case IN_WINSIZE:
				if (in_small_len >= 4) {
					win_rows = in_small[0] | (in_small[1] << 8);
					win_cols = in_small[2] | (in_small[3] << 8);
				}
				break;
			}
		}
	}
	irq_restore(f);
	if (woke) {
		poll_seq_bump(&rx_seq);
		waitq_wake_all(&console_wq);
	}
}

uint64_t console_read_seq(void)
{
	return rx_seq;
}

long console_read(void *buf, size_t len)
{
	console_poll_input();
	size_t avail = rx_used();
	if (!avail)
		return rx_eof ? 0 : -EAGAIN;
	size_t n = len < avail ? len : avail;
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i++)
		p[i] = rx_buf[rx_tail++ % RX_SIZE];
	if (n)
		console_poll_input(); /* room again: take what QEMU held back */
	return (long)n;
}

bool console_read_ready(void)
{
	console_poll_input();
	return rx_used() || rx_eof;
}
