/* SPDX-License-Identifier: MIT */
/* 16550 UART on COM1, polled (kernel/drivers/serial.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void serial_init(void);
void serial_write(const void *buf, size_t len);
/* true when a received byte is waiting */
bool serial_rx_ready(void);
uint8_t serial_rx_byte(void);
