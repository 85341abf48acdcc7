/* SPDX-License-Identifier: MIT */
/* Generated /proc text (kernel/proc/procinfo.c). */
#pragma once
struct process;

/* The contents of a generated file into a kmalloc'd *out (may be NULL when
 * empty); the length, or -ENOENT for a name it does not know, -ENOMEM.
 * With p: per-process files "maps", "stat", "status", "auxv", "comm".
 * Without: "cpuinfo", "meminfo", "stat", "uptime", "loadavg", "version",
 * "filesystems", "sys/kernel/{ostype,osrelease,hostname,pid_max}",
 * "sys/vm/overcommit_memory". */
long procinfo_render(const char *name, struct process *p, char **out);
/* R (running or runnable), S (sleeping), T (stopped) or Z (zombie). */
char proc_state_char(struct process *p);
