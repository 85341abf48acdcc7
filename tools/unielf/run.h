/* SPDX-License-Identifier: MIT */
/* The boot sequence of `unielf run` below the command line (run.c), split out so
 * the accelerator choice and KVM→TCG retry can be tested with a stand-in QEMU. */
#pragma once
#include "unielf.h"

/* Boots the packed initrd (at @initrd_fd) under the accelerator @o asks for and
 * returns the tool's exit status.  @kvm_why is NULL when KVM is usable, else why
 * not (ignored for --accel tcg).  QEMU is $UNIELF_QEMU or qemu-system-x86_64. */
int run_launch(const struct run_opts *o, const char *kernel, int initrd_fd, int tty_fd,
	       const char *kvm_why);
