/* SPDX-License-Identifier: MIT */
/* Host directories over virtio-9p (kernel/fs/9p_mount.c, 9p_vfs.c,
 * 9p_client.c; docs/9p.md). */
#pragma once

/* Boot: mounts every share listed in the initrd's /.unielf/mounts (one line
 * per share, "TAG GUESTPATH rw|ro"); nothing when the file is missing.  A
 * share that cannot be mounted stops the VM with one error line (125). */
void p9_mount_all(void);
