/* SPDX-License-Identifier: MIT */
/* Linux clone flags and wait options. */
#pragma once

#define CSIGNAL		     0x000000ff
#define CLONE_VM	     0x00000100
#define CLONE_FS	     0x00000200
#define CLONE_FILES	     0x00000400
#define CLONE_SIGHAND	     0x00000800
#define CLONE_PIDFD	     0x00001000
#define CLONE_PTRACE	     0x00002000
#define CLONE_VFORK	     0x00004000
#define CLONE_PARENT	     0x00008000
#define CLONE_THREAD	     0x00010000
#define CLONE_NEWNS	     0x00020000
#define CLONE_SYSVSEM	     0x00040000
#define CLONE_SETTLS	     0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED	     0x00400000
#define CLONE_UNTRACED	     0x00800000
#define CLONE_CHILD_SETTID   0x01000000
#define CLONE_IO	     0x80000000

#define WNOHANG	   0x00000001
#define WUNTRACED  0x00000002
#define WSTOPPED   WUNTRACED
#define WEXITED	   0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT	   0x01000000
#define __WALL	   0x40000000
#define __WCLONE   0x80000000

#define P_ALL	0
#define P_PID	1
#define P_PGID	2
#define P_PIDFD 3
