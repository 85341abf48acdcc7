/* SPDX-License-Identifier: MIT */
/* Host test shim for kernel/fs (shim.c). */
#pragma once
struct process;
extern int shim_sleeps;
/* cmocka setup/teardown: a fresh root ramfs and current process; teardown
 * removes everything, so leaks show up under ASan. */
int shim_setup(void **state);
int shim_teardown(void **state);
struct process *shim_proc(void);
