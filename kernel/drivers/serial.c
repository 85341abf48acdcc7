// SPDX-License-Identifier: MIT
/* The COM1 16550 UART, used polled: the console (console.c) frames everything
 * that crosses it.  QEMU transmits synchronously, so the transmit wait is short. */
#include "arch/x86_64/cpu.h"
#include "drivers/serial.h"

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);	/* DLAB: 115200 baud */
	outb(COM1 + 0, 0x01);
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03);	/* 8N1 */
	outb(COM1 + UART_FCR, 0x07);	/* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS */
}

void serial_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		while (!(inb(COM1 + UART_LSR) & LSR_THRE))
			cpu_relax();
		outb(COM1 + UART_DATA, p[i]);
	}
}

bool serial_rx_ready(void)
{
	return inb(COM1 + UART_LSR) & LSR_DR;
}

uint8_t serial_rx_byte(void)
{
	return inb(COM1 + UART_DATA);
}
