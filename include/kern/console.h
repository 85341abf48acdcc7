/* SPDX-License-Identifier: MIT */
/* The console: the program's stdin, stdout and stderr, carried over the serial
 * port to the host tool as framed channels (docs/console-protocol.md).
 * kernel/drivers/console.c owns the framing; devfs exposes it as files. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kern/wait.h>

enum console_chan {
	CONSOLE_STDIN = 0,
	CONSOLE_STDOUT = 1,
	CONSOLE_STDERR = 2,
};

/* Whether the host end of this channel is a terminal (isatty on the host). */
bool console_is_tty(int chan);
void console_winsize(uint16_t *rows, uint16_t *cols);
/* Writes a kernel buffer to stdout or stderr; returns len.  Never blocks long. */
long console_write(int chan, const void *buf, size_t len);
/* Reads buffered stdin into a kernel buffer without blocking: returns the byte
 * count, 0 at end of input, -EAGAIN when nothing is buffered yet. */
long console_read(void *buf, size_t len);
/* true when console_read would not return -EAGAIN */
bool console_read_ready(void);
/* Poll sequence of stdin (kern/poll.h): stamped when data or EOF arrives. */
uint64_t console_read_seq(void);
/* A program set the terminal's termios (struct linux_termios bytes): passed
 * to the host tool, which applies them to the real terminal. */
void console_termios_changed(const void *termios, size_t len);
/* The terminal's foreground process group (TIOCSPGRP); 0 = pid 1's group.
 * Ctrl-C and friends from the host go to it. */
void console_set_foreground(int pgrp);
int console_foreground(void);
/* Woken whenever stdin data or EOF arrives. */
extern struct waitq console_wq;
