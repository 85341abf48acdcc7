/* SPDX-License-Identifier: MIT */
/* The kernel's struct termios (what TCGETS/TCSETS copy: NCCS is 19, not
 * glibc's 32) and struct winsize, with the flag bits a cooked tty uses. */
#pragma once
#include <stdint.h>

#define LINUX_NCCS 19

struct linux_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LINUX_NCCS];
};
_Static_assert(sizeof(struct linux_termios) == 36, "termios");
_Static_assert(__builtin_offsetof(struct linux_termios, c_line) == 16, "termios.c_line");
_Static_assert(__builtin_offsetof(struct linux_termios, c_cc) == 17, "termios.c_cc");

struct linux_winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};
_Static_assert(sizeof(struct linux_winsize) == 8, "winsize");

/* c_cc indices */
#define VINTR	 0
#define VQUIT	 1
#define VERASE	 2
#define VKILL	 3
#define VEOF	 4
#define VTIME	 5
#define VMIN	 6
#define VSWTC	 7
#define VSTART	 8
#define VSTOP	 9
#define VSUSP	 10
#define VEOL	 11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE	 14
#define VLNEXT	 15
#define VEOL2	 16

/* c_iflag */
#define IGNBRK	0000001
#define BRKINT	0000002
#define IGNPAR	0000004
#define ICRNL	0000400
#define IXON	0002000
#define IXOFF	0010000
#define IMAXBEL 0020000
#define IUTF8	0040000
/* c_oflag */
#define OPOST 0000001
#define ONLCR 0000004
/* c_cflag */
#define B38400 0000017
#define CSIZE  0000060
#define CS8    0000060
#define CREAD  0000200
#define HUPCL  0002000
/* c_lflag */
#define ISIG	0000001
#define ICANON	0000002
#define ECHO	0000010
#define ECHOE	0000020
#define ECHOK	0000040
#define ECHOCTL 0001000
#define ECHOKE	0004000
#define IEXTEN	0100000
