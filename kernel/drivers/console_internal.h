/* SPDX-License-Identifier: MIT */
/* The console's kernel-facing side (kernel/drivers/console.c): log, error and
 * report frames, the launch terminal settings, and stopping the VM. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kern/compiler.h>

extern bool console_verbose;
void console_init(void);
void console_enable_irq(void);
void console_log(const char *s, size_t len);
void console_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_report(const char *s);
void console_ready(void);
void console_set_tty(int in, int out, int err, uint16_t rows, uint16_t cols);
/* Drains the UART into the stdin buffer; called from the timer and on reads. */
void console_poll_input(void);
/* Sends the EXIT frame and stops the VM through isa-debug-exit. */
__noreturn void console_exit(int status);
