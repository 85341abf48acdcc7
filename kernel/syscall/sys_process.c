// SPDX-License-Identifier: MIT
/* Process lifecycle system calls: clone, fork, vfork, execve (ELF and #!
 * scripts), exit, wait4, waitid, and process groups and sessions.  The work
 * is kernel/proc/process.c and kernel/proc/exec.c; this file decodes. */
#include <string.h>
#include <kern/clock.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "proc/internal.h"

#define ARG_MAX	 (2UL << 20)
#define MAX_ARGS 65536

long sys_exit_group(int status)
{
	proc_exit_group((status & 0xff) << 8);
}
SYSCALL_REGISTER(__NR_exit_group, sys_exit_group);

long sys_exit(int status)
{
	proc_exit_thread(status);
}
SYSCALL_REGISTER(__NR_exit, sys_exit);

long sys_clone(unsigned long flags, unsigned long newsp, unsigned long ptid,
	       unsigned long ctid, unsigned long tls)
{
	return proc_clone(flags, newsp, ptid, ctid, tls);
}
SYSCALL_REGISTER(__NR_clone, sys_clone);

long sys_fork(void)
{
	return proc_clone(SIGCHLD, 0, 0, 0, 0);
}
SYSCALL_REGISTER(__NR_fork, sys_fork);

long sys_vfork(void)
{
	return proc_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}
SYSCALL_REGISTER(__NR_vfork, sys_vfork);

/* A user string vector into one kmalloc'd block: pointers, then strings. */
static long copy_strv(unsigned long uv, char ***out, int *count, size_t *budget)
{
	int n = 0;
	if (uv) {
		for (;; n++) {
			uint64_t p;
			if (n >= MAX_ARGS)
				return -E2BIG;
			if (copy_from_user(&p, uv + n * 8UL, 8))
				return -EFAULT;
			if (!p)
				break;
		}
	}
	char **v = kzalloc((n + 1) * sizeof(char *));
	if (!v)
		return -ENOMEM;
	char *tmp = kmalloc(4096);
	if (!tmp) {
		kfree(v);
		return -ENOMEM;
	}
	long r = 0;
	for (int i = 0; i < n; i++) {
		uint64_t p;
		if (copy_from_user(&p, uv + i * 8UL, 8)) {
			r = -EFAULT;
			break;
		}
		long len = strncpy_from_user(tmp, p, 4096);
		if (len < 0) {
			r = len == -ENAMETOOLONG ? -E2BIG : len;
			break;
		}
		if ((size_t)len + 1 > *budget) {
			r = -E2BIG;
			break;
		}
		*budget -= len + 1;
		v[i] = kmalloc(len + 1);
		if (!v[i]) {
			r = -ENOMEM;
			break;
		}
		memcpy(v[i], tmp, len + 1);
	}
	kfree(tmp);
	if (r) {
		for (int i = 0; i < n; i++)
			kfree(v[i]);
		kfree(v);
		return r;
	}
	*out = v;
	*count = n;
	return 0;
}

static void free_strv(char **v, int n)
{
	if (!v)
		return;
	for (int i = 0; i < n; i++)
		kfree(v[i]);
	kfree(v);
}

/* "#!interp [arg]" at the start of path: rewrites argv as Linux does. */
static int script_rewrite(const char *path, struct exec_args *a, char **new_path)
{
	struct file *f = vfs_open_exec(path); /* execute permission is enough */
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	char line[256];
	long n = vfs_pread(f, line, sizeof(line) - 1, 0);
	int ok = vfs_check_exec(f);
	file_put(f);
	if (ok)
		return ok;
	if (n < 2 || line[0] != '#' || line[1] != '!')
		return 1; /* not a script */
	line[n] = 0;
	char *nl = strchr(line, '\n');
	if (!nl && n == sizeof(line) - 1)
		return -ENOEXEC;
	if (nl)
		*nl = 0;
	char *p = line + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	char *interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	char *arg = NULL;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			arg = p;
			char *e = arg + strlen(arg);
			while (e > arg && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = 0;
		}
	}
	if (!*interp)
		return -ENOEXEC;
	/* argv: interp [arg] path argv[1..] */
	int extra = arg ? 3 : 2;
	char **v = kzalloc((a->argc - 1 + extra + 1) * sizeof(char *));
	if (!v)
		return -ENOMEM;
	int k = 0;
	v[k++] = kstrdup(interp);
	if (arg)
		v[k++] = kstrdup(arg);
	v[k++] = kstrdup(path);
	for (int i = 1; i < a->argc; i++)
		v[k++] = a->argv[i];
	if (a->argc > 0)
		kfree(a->argv[0]);
	kfree(a->argv);
	a->argv = v;
	a->argc = k;
	*new_path = kstrdup(interp);
	return *new_path ? 0 : -ENOMEM;
}

long sys_execve(unsigned long upath, unsigned long uargv, unsigned long uenvp)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return -ENOMEM;
	long r = strncpy_from_user(path, upath, PATH_MAX);
	if (r < 0) {
		kfree(path);
		return r;
	}
	if (!path[0]) {
		kfree(path);
		return -ENOENT;
	}
	struct exec_args a = {0};
	size_t budget = ARG_MAX;
	r = copy_strv(uargv, &a.argv, &a.argc, &budget);
	if (!r)
		r = copy_strv(uenvp, &a.envp, &a.envc, &budget);
	if (r)
		goto out;
	if (a.argc == 0) {
		/* Linux passes an empty argv[0] */
		kfree(a.argv);
		a.argv = kzalloc(2 * sizeof(char *));
		a.argv[0] = kstrdup("");
		a.argc = 1;
	}
	for (int depth = 0; depth < 4; depth++) {
		char *np = NULL;
		r = script_rewrite(path, &a, &np);
		if (r < 0)
			goto out;
		if (r == 1)
			break;
		kfree(path);
		path = np;
	}
	const char *why = NULL;
	struct regs nr;
	r = exec_load(p, path, &a, &nr, &why);
	if (r) {
		if (why)
			printk("execve %s: %s", path, why);
		goto out;
	}
	/* committed: the new program replaces the old one */
	proc_kill_other_threads(p, t);
	fs_exec_cloexec(p);
	signal_exec_reset(p);
	proc_vfork_release(p);
	*t->uregs = nr;
	t->fs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
	fpu_init_state(t->fpu);
	fpu_restore(t->fpu);
	t->clear_child_tid = 0;
	t->robust_list = 0;
	t->rseq = 0;
	r = 0;
out:
	kfree(path);
	free_strv(a.argv, a.argc);
	free_strv(a.envp, a.envc);
	return r;
}
SYSCALL_REGISTER(__NR_execve, sys_execve);

struct linux_rusage {
	struct {
		int64_t sec, usec;
	} utime, stime;
	int64_t rest[14];
};
_Static_assert(sizeof(struct linux_rusage) == 144, "rusage");

long sys_wait4(int pid, unsigned long ustatus, int options, unsigned long urusage)
{
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE))
		return -EINVAL;
	int status = 0;
	long r = proc_wait(pid, &status, options & (WNOHANG | WUNTRACED | WCONTINUED));
	if (r > 0) {
		if (ustatus && copy_to_user(ustatus, &status, sizeof(status)))
			return -EFAULT;
		if (urusage) {
			struct linux_rusage ru;
			memset(&ru, 0, sizeof(ru));
			if (copy_to_user(urusage, &ru, sizeof(ru)))
				return -EFAULT;
		}
	}
	return r;
}
SYSCALL_REGISTER(__NR_wait4, sys_wait4);

#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3

long sys_waitid(int idtype, int id, unsigned long uinfo, int options,
		unsigned long urusage)
{
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	int pid;
	switch (idtype) {
	case P_ALL:
		pid = -1;
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		pid = id;
		break;
	case P_PGID:
		pid = id ? -id : 0;
		break;
	default:
		return -EINVAL;
	}
	int status = 0;
	int wopts = (options & (WNOHANG | WNOWAIT | WCONTINUED)) |
		    ((options & WSTOPPED) ? WUNTRACED : 0);
	if (!(options & WEXITED))
		wopts |= 0x20000000; /* internal: do not report exits */
	long r = proc_wait(pid, &status, wopts);
	if (r < 0)
		return r;
	struct linux_siginfo si;
	memset(&si, 0, sizeof(si));
	if (r > 0) {
		si.si_signo = SIGCHLD;
		si.kill.pid = (int)r;
		if ((status & 0xff) == 0x7f) {
			si.si_code = 5; /* CLD_STOPPED */
			*(int32_t *)&si.raw[8] = (status >> 8) & 0xff;
		} else if (status == 0xffff) {
			si.si_code = 6; /* CLD_CONTINUED */
			*(int32_t *)&si.raw[8] = SIGCONT;
		} else if (status & 0x7f) {
			si.si_code = (status & 0x80) ? CLD_DUMPED : CLD_KILLED;
			*(int32_t *)&si.raw[8] = status & 0x7f;
		} else {
			si.si_code = CLD_EXITED;
			*(int32_t *)&si.raw[8] = (status >> 8) & 0xff;
		}
	}
	if (uinfo && copy_to_user(uinfo, &si, sizeof(si)))
		return -EFAULT;
	return 0;
}
SYSCALL_REGISTER(__NR_waitid, sys_waitid);

long sys_setpgid(int pid, int pgid)
{
	struct process *self = proc_current();
	struct process *p = pid ? proc_find(pid) : self;
	if (!p || (p != self && p->parent != self))
		return -ESRCH;
	if (pgid < 0)
		return -EINVAL;
	if (p->sid != self->sid)
		return -EPERM;
	p->pgid = pgid ? pgid : p->pid;
	return 0;
}
SYSCALL_REGISTER(__NR_setpgid, sys_setpgid);

long sys_setsid(void)
{
	struct process *p = proc_current();
	struct process *q;
	list_for_each_entry(q, proc_all(), link) if (q != p && !q->zombie &&
						     q->pgid == p->pid) return -EPERM;
	if (p->pgid == p->pid && p->sid == p->pid)
		return -EPERM;
	p->sid = p->pgid = p->pid;
	return p->sid;
}
SYSCALL_REGISTER(__NR_setsid, sys_setsid);

long sys_getrusage(int who, unsigned long uru)
{
	struct linux_rusage ru;
	memset(&ru, 0, sizeof(ru));
	uint64_t ns = clock_monotonic_ns() - proc_current()->start_ns;
	if (who == -1)
		ns = proc_current()->child_utime_ns;
	ru.utime.sec = ns / NSEC_PER_SEC;
	ru.utime.usec = (ns % NSEC_PER_SEC) / 1000;
	return copy_to_user(uru, &ru, sizeof(ru));
}
SYSCALL_REGISTER(__NR_getrusage, sys_getrusage);

long sys_times(unsigned long ubuf)
{
	uint64_t ticks = clock_monotonic_ns() / (NSEC_PER_SEC / 100);
	if (ubuf) {
		uint64_t t[4] = {(clock_monotonic_ns() - proc_current()->start_ns) /
				     (NSEC_PER_SEC / 100),
				 0, proc_current()->child_utime_ns / (NSEC_PER_SEC / 100),
				 0};
		if (copy_to_user(ubuf, t, sizeof(t)))
			return -EFAULT;
	}
	return (long)ticks;
}
SYSCALL_REGISTER(__NR_times, sys_times);

struct linux_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

long sys_clone3(unsigned long uargs, unsigned long size)
{
	struct linux_clone_args ca;
	memset(&ca, 0, sizeof(ca));
	if (size < 64 || size > 4096)
		return -EINVAL;
	if (copy_from_user(&ca, uargs, MIN(size, sizeof(ca))))
		return -EFAULT;
	if (ca.flags & (CLONE_PIDFD | CLONE_NEWNS | 0xff))
		return -EINVAL; /* pidfds and namespaces are not supported */
	if (ca.set_tid_size || ca.exit_signal > 64)
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	uint64_t sp = ca.stack ? ca.stack + ca.stack_size : 0;
	return proc_clone(ca.flags | ca.exit_signal, sp, ca.parent_tid, ca.child_tid,
			  ca.tls);
}
SYSCALL_REGISTER(__NR_clone3, sys_clone3);
