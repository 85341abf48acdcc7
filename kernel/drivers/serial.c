// SPDX-License-Identifier: MIT
/* The COM1 16550 UART, used polled: the console (console.c) frames everything
 * that crosses it.  QEMU transmits synchronously, so the transmit wait is short. */
#include "arch/x86_64/cpu.h"
#include "drivers/serial.h"

#define COM1	  0x3f8
#define UART_DATA 0
#define UART_IER  1
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define LSR_DR	  0x01
#define LSR_THRE  0x20

#define UART_SCRATCH 7

bool serial_port_init(uint16_t port)
{
	/* a missing UART reads back 0xff from every register */
	outb(port + UART_SCRATCH, 0x5a);
	if (inb(port + UART_SCRATCH) != 0x5a)
		return false;
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x80); /* DLAB: 115200 baud */
	outb(port + 0, 0x01);
	outb(port + 1, 0x00);
	outb(port + UART_LCR, 0x03); /* 8N1 */
	/* FIFO on, cleared, interrupt at 14 bytes: QEMU offers the guest only
	 * up to the trigger level per main-loop turn, so level 1 means 1 byte */
	outb(port + UART_FCR, 0xc7);
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
	return true;
}

/* THRE means the 16-byte transmit FIFO is empty: then 16 bytes go in one
 * `rep outsb`, one status read per 16 bytes instead of one per byte. */
void serial_port_write(uint16_t port, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		while (!(inb(port + UART_LSR) & LSR_THRE))
			cpu_relax();
		size_t n = len < 16 ? len : 16;
		__asm__ volatile("rep outsb"
				 : "+S"(p), "+c"(n)
				 : "d"(port + UART_DATA)
				 : "memory");
		len -= len < 16 ? len : 16;
	}
}

/* Interrupt on received data (IER bit 0); OUT2 routes the line to the PIC/IOAPIC. */
void serial_port_enable_rx_irq(uint16_t port)
{
	outb(port + UART_MCR, 0x0b);
	outb(port + UART_IER, 0x01);
}

bool serial_port_rx_ready(uint16_t port)
{
	return inb(port + UART_LSR) & LSR_DR;
}

uint8_t serial_port_rx(uint16_t port)
{
	return inb(port + UART_DATA);
}

void serial_init(void)
{
	serial_port_init(COM1);
}

void serial_write(const void *buf, size_t len)
{
	serial_port_write(COM1, buf, len);
}

bool serial_rx_ready(void)
{
	return inb(COM1 + UART_LSR) & LSR_DR;
}

uint8_t serial_rx_byte(void)
{
	return inb(COM1 + UART_DATA);
}
