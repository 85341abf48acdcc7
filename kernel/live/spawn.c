// SPDX-License-Identifier: MIT
/* Control requests that look at or start programs: STATUS, PS, SPAWN and KILL.
 * Spawned programs are children of the kernel process (pid 0), which reaps
 * them, so the main program never sees their SIGCHLD. */
#include <string.h>
#include <kern/clock.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/procinfo.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include "live/internal.h"
#include "live/live.h"
#include "mm/vm.h"
#include "proc/internal.h"

struct process *kernel_proc;

struct process *kernel_proc_create(void)
{
	if (kernel_proc)
		return kernel_proc; /* the control channel and the net thread both need it
				     */
	struct process *p = kzalloc(sizeof(*p));
	if (!p || !(p->sigactions = kzalloc(NSIG * sizeof(struct sigaction_k))))
		panic("out of memory for the kernel process");
	p->pid = 0;
	list_init(&p->threads);
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->link);
	waitq_init(&p->child_wq);
	waitq_init(&p->vfork_wq);
	waitq_init(&p->stop_wq);
	p->sigactions[SIGCHLD - 1].handler = SIG_IGN; /* children are auto-reaped */
	p->mm = mm_create();
	if (!p->mm || fs_proc_init(p))
		panic("cannot set up the kernel process");
	strlcpy(p->exe_path, "[kernel]", sizeof(p->exe_path));
	proc_set_comm_from_path(p, p->exe_path);
	kernel_proc = p;
	return p;
}

void live_status(struct ctl_request *q, struct ctl_reply *r)
{
	int n = 0, main_pid = 0;
	struct process *p;
	list_for_each_entry(p, proc_all(), link)
	{
		if (p->reaped || p->zombie)
			continue;
		n++;
		if (p->pid == 1)
			main_pid = 1;
	}
	struct heap_stats hs;
	heap_get_stats(&hs);
	reply_text(r,
		   "uptime_ms %lu\nmem_total_kib %lu\nmem_free_kib %lu\nprocesses "
		   "%d\nmain_pid %d\n"
		   "heap_used_bytes %lu\nheap_kib %lu\n",
		   (unsigned long)(clock_monotonic_ns() / 1000000), frames_total() * 4,
		   frames_free() * 4, n, main_pid, (unsigned long)hs.used_bytes,
		   (unsigned long)(hs.slab_pages + hs.big_pages) * 4);
}

void live_ps(struct ctl_request *q, struct ctl_reply *r)
{
	size_t cap = 4096, len = 0;
	char *buf = kmalloc(cap);
	if (!buf) {
		reply_error(r, "out of memory");
		return;
	}
	len += snprintf(buf, cap, "%5s %5s %-5s %s\n", "PID", "PPID", "STATE", "COMMAND");
	struct process *p;
	list_for_each_entry(p, proc_all(), link)
	{
		if (p->reaped)
			continue;
		char cmd[256];
		size_t c = 0;
		for (size_t i = 0;
		     p->cmdline && i < p->cmdline_len && c < sizeof(cmd) - 1; i++)
			cmd[c++] = p->cmdline[i] ? p->cmdline[i] : ' ';
		while (c && cmd[c - 1] == ' ')
			c--;
		cmd[c] = 0;
		if (len + 300 > cap) {
			char *nb = krealloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		char state[2] = {proc_state_char(p), 0};
		len += snprintf(buf + len, cap - len, "%5d %5d %-5s %s\n", p->pid,
				p->ppid, state, c ? cmd : p->exe_path);
	}
	reply_field(r, CTL_TEXT, buf, (uint32_t)len);
	kfree(buf);
}

int live_write_files(struct ctl_request *q, struct ctl_reply *r)
{
	for (unsigned i = 0; i < q->nfiles; i++) {
		const struct ctl_field *f = &q->files[i];
		if (f->len < 8) {
			reply_error(r, "FILE field too short");
			return -EINVAL;
		}
		uint32_t mode = f->val[0] | f->val[1] << 8 | f->val[2] << 16 |
				(uint32_t)f->val[3] << 24;
		uint32_t plen = f->val[4] | f->val[5] << 8 | f->val[6] << 16 |
				(uint32_t)f->val[7] << 24;
		if (plen == 0 || plen > 4095 || plen > f->len - 8) {
			reply_error(r, "FILE path length invalid");
			return -EINVAL;
		}
		char path[4096];
		memcpy(path, f->val + 8, plen);
		path[plen] = 0;
		if (path[0] != '/' || strlen(path) != plen || strstr(path, "/../") ||
		    !strcmp(path + plen - (plen >= 3 ? 3 : plen), "/..")) {
			reply_error(r, "FILE path must be absolute, without '..'");
			return -EINVAL;
		}
		int e = vfs_write_file(path, f->val + 8 + plen, f->len - 8 - plen,
				       mode & 07777);
		if (e) {
			reply_error(r, "%s: cannot write (error %d)", path, -e);
			return e;
		}
	}
	return 0;
}

static char **copy_vec(const struct ctl_field *f, unsigned n, const char *extra,
		       int *count)
{
	char **v = kzalloc((n + 2) * sizeof(char *));
	if (!v)
		return NULL;
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++) {
		if (memchr(f[i].val, 0, f[i].len))
			goto fail; /* a string with a NUL inside */
		v[k] = kmalloc(f[i].len + 1);
		if (!v[k])
			goto fail;
		memcpy(v[k], f[i].val, f[i].len);
		v[k++][f[i].len] = 0;
	}
	if (extra && !(v[k++] = kstrdup(extra)))
		goto fail;
	*count = (int)k;
	return v;
fail:
	live_free_args(v, (int)k);
	return NULL;
}

void live_free_args(char **v, int n)
{
	if (!v)
		return;
	for (int i = 0; i < n; i++)
		kfree(v[i]);
	kfree(v);
}

int live_build_args(struct ctl_request *q, const char *extra_env, char ***argv, int *argc,
		    char ***envp, int *envc)
{
	*argv = copy_vec(q->args, q->nargs, NULL, argc);
	*envp = copy_vec(q->envs, q->nenvs, extra_env, envc);
	if (!*argv || !*envp) {
		live_free_args(*argv, *argv ? *argc : 0);
		live_free_args(*envp, *envp ? *envc : 0);
		return -ENOMEM;
	}
	return 0;
}

void live_spawn(struct ctl_request *q, struct ctl_reply *r)
{
	if (!q->nargs && !q->exe) {
		reply_error(r, "SPAWN needs ARG or EXE");
		return;
	}
	if (live_write_files(q, r))
		return;
	struct exec_args a = {0};
	if (live_build_args(q, NULL, &a.argv, &a.argc, &a.envp, &a.envc)) {
		reply_error(r, "out of memory");
		return;
	}
	const char *exe = q->exe ? q->exe : a.argv[0];
	struct process *p = proc_alloc();
	struct thread *t = NULL;
	int e = p ? fs_proc_init(p) : -ENOMEM;
	if (!e && q->cwd && (e = vfs_chdir(p, q->cwd)))
		reply_error(r, "%s: cannot change to this directory (error %d)", q->cwd,
			    -e);
	if (!e && !(t = thread_create(p)))
		e = -ENOMEM;
	const char *why = NULL;
	if (!e) {
		e = exec_load(p, exe, &a, t->uregs, &why);
		if (e && !r->error) {
			if (e == -ENOENT)
				reply_error(r, "%s: not found", exe);
			else if (why)
				reply_error(r, "%s: cannot load: %s", exe, why);
			else
				reply_error(r, "%s: cannot load (error %d)", exe, -e);
		}
	}
	if (e) {
		if (!r->error)
			reply_error(r, "cannot create a process (error %d)", -e);
		if (p)
			proc_discard(p, t);
	} else {
		p->parent = kernel_proc;
		p->ppid = 0;
		p->exit_signal = SIGCHLD;
		list_add_tail(&p->sibling, &kernel_proc->children);
		p->start_ns = clock_monotonic_ns();
		t->tid = p->pid;
		sched_make_runnable(t);
		uint32_t pid = (uint32_t)p->pid;
		reply_field(r, CTL_PID, &pid, 4);
		printk("control: spawned pid %d: %s", p->pid, exe);
	}
	live_free_args(a.argv, a.argc);
	live_free_args(a.envp, a.envc);
}

void live_kill(struct ctl_request *q, struct ctl_reply *r)
{
	if (!q->have_pid) {
		reply_error(r, "KILL needs PID");
		return;
	}
	uint32_t sig = q->have_signal ? q->signal : SIGTERM;
	if (sig > 64) {
		reply_error(r, "no signal %u", sig);
		return;
	}
	struct process *p = q->pid ? proc_find((int)q->pid) : NULL;
	if (!p || p->zombie) {
		reply_error(r, "no process %u", q->pid);
		return;
	}
	if (sig)
		signal_send_process(p, (int)sig);
}
