/* SPDX-License-Identifier: MIT */
/* Linux x86_64 ioctl request numbers for terminals and generic files. */
#pragma once

#define TCGETS	   0x5401
#define TCSETS	   0x5402
#define TCSETSW	   0x5403
#define TCSETSF	   0x5404
#define TCGETA	   0x5405
#define TCSETA	   0x5406
#define TCSETAW	   0x5407
#define TCSETAF	   0x5408
#define TCSBRK	   0x5409
#define TCXONC	   0x540A
#define TCFLSH	   0x540B
#define TIOCEXCL   0x540C
#define TIOCNXCL   0x540D
#define TIOCSCTTY  0x540E
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCOUTQ   0x5411
#define TIOCSTI	   0x5412
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define TIOCMGET   0x5415
#define FIONREAD   0x541B
#define TIOCINQ	   FIONREAD
#define TIOCLINUX  0x541C
#define TIOCCONS   0x541D
#define FIONBIO	   0x5421
#define TIOCNOTTY  0x5422
#define TIOCGSID   0x5429
#define TIOCGPTN   0x80045430
#define FIONCLEX   0x5450
#define FIOCLEX	   0x5451
#define FIOASYNC   0x5452
