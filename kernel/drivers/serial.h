/* SPDX-License-Identifier: MIT */
/* 16550 UART on COM1, polled (kernel/drivers/serial.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_COM2 0x2f8

/* Any 16550 by I/O base; false when no UART answers there. */
bool serial_port_init(uint16_t port);
void serial_port_write(uint16_t port, const void *buf, size_t len);
void serial_port_enable_rx_irq(uint16_t port);
bool serial_port_rx_ready(uint16_t port);
uint8_t serial_port_rx(uint16_t port);

void serial_init(void);
void serial_write(const void *buf, size_t len);
/* true when a received byte is waiting */
bool serial_rx_ready(void);
uint8_t serial_rx_byte(void);
