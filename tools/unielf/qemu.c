// SPDX-License-Identifier: MIT
/* Launching QEMU for one run: its argument vector, the KVM availability probe,
 * fork/exec with our pipes on its stdio, and making sure it never outlives us.
 * What flows through those pipes is relay.c's concern. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "netopts.h"
#include "qemu.h"

volatile sig_atomic_t qemu_running_pid;

char *qemu_opt_escape(const char *s)
{
	struct ue_buf b = {0};

	for (; *s; s++)
		ue_buf_add(&b, *s == ',' ? ",," : s, *s == ',' ? 2 : 1);
	if (!b.data)
		ue_buf_addstr(&b, "");
	return b.data;
}

char **qemu_build_argv(const struct qemu_config *c)
{
	char **v = ue_xcalloc(56 + 4 * c->nshares, sizeof(*v));
	int n = 0;
	char opts[64] = "";

#define ARG(s) (v[n++] = ue_xstrdup(s))
	ARG(c->qemu);
	ARG("-M");
	ARG(c->machine == UE_MACHINE_Q35 ? "q35" : "microvm,x-option-roms=off,rtc=on");
	ARG("-cpu");
	ARG(c->accel == UE_ACCEL_KVM ? "host" : "max");
	ARG("-accel");
	ARG(c->accel == UE_ACCEL_KVM ? "kvm" : "tcg");
	ARG("-m");
	v[n++] = ue_xasprintf("%u", c->mem_mb);
	ARG("-smp");
	ARG("1");
	ARG("-nodefaults");
	ARG("-no-user-config");
	ARG("-display");
	ARG("none");
	ARG("-no-reboot");
	ARG("-chardev");
	ARG("stdio,id=con,signal=off");
	ARG("-serial");
	ARG("chardev:con");
	ARG("-device");
	ARG("isa-debug-exit,iobase=0xf4,iosize=0x04");
	if ((c->nshares || c->control_socket || c->net) && c->machine != UE_MACHINE_Q35) {
		/* microvm's transports are virtio-mmio; the kernel speaks virtio 1.0 */
		ARG("-global");
		ARG("virtio-mmio.force-legacy=false");
	}
	if (c->control_socket) {
		/* virtio-console port 0 (the kernel falls back to COM2 without it) */
		char *esc = qemu_opt_escape(c->control_socket);
		ARG("-chardev");
		v[n++] = ue_xasprintf("socket,id=ctl,path=%s,server=on,wait=off", esc);
		ARG("-device");
		ARG(c->machine == UE_MACHINE_Q35 ? "virtio-serial-pci,max_ports=1"
						 : "virtio-serial-device,max_ports=1");
		ARG("-device");
		ARG("virtconsole,chardev=ctl,nr=0");
		free(esc);
	}
	for (size_t i = 0; i < c->nshares; i++) {
		char *esc = qemu_opt_escape(c->shares[i].host);
		ARG("-fsdev");
		v[n++] = ue_xasprintf("local,id=fs%zu,path=%s,security_model=none%s", i,
				      esc, c->shares[i].readonly ? ",readonly=on" : "");
		ARG("-device");
		v[n++] = ue_xasprintf("%s,fsdev=fs%zu,mount_tag=unielf%zu",
				      c->machine == UE_MACHINE_Q35 ? "virtio-9p-pci"
								   : "virtio-9p-device",
				      i, i);
		free(esc);
	}
	if (c->net) {
		/* romfile= : no PXE option ROM to load for a kernel that boots by PVH */
		ARG("-netdev");
		v[n++] = netopt_netdev(c->ports, c->nports);
		ARG("-device");
		ARG(c->machine == UE_MACHINE_Q35 ? "virtio-net-pci,netdev=net0,romfile="
						 : "virtio-net-device,netdev=net0");
	}
	ARG("-kernel");
	ARG(c->kernel);
	ARG("-initrd");
	v[n++] = ue_xasprintf("/proc/self/fd/%d", QEMU_INITRD_FD);
	if (c->verbose)
		strcat(opts, "verbose");
	if (c->report)
		strcat(opts, *opts ? " report" : "report");
	ARG("-append");
	ARG(*opts ? opts : "quiet"); /* QEMU rejects an empty -append */
#undef ARG
	v[n] = NULL;
	return v;
}

void qemu_free_argv(char **argv)
{
	for (char **a = argv; a && *a; a++)
		free(*a);
	free(argv);
}

char *qemu_format_argv(char *const *argv)
{
	struct ue_buf b = {0};

	for (char *const *a = argv; *a; a++) {
		if (a != argv)
			ue_buf_addstr(&b, " ");
		if (**a && !(*a)[strspn(
			       *a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789,._+:@%/=-")]) {
			ue_buf_addstr(&b, *a);
			continue;
		}
		ue_buf_addstr(&b, "'");
		for (const char *s = *a; *s; s++) {
			if (*s == '\'')
				ue_buf_addstr(&b, "'\\''");
			else
				ue_buf_add(&b, s, 1);
		}
		ue_buf_addstr(&b, "'");
	}
	if (!b.data)
		ue_buf_addstr(&b, "");
	return b.data;
}

bool qemu_kvm_usable(const char *dev, char *why, size_t whylen)
{
	int fd = open(dev ? dev : "/dev/kvm", O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", dev ? dev : "/dev/kvm", strerror(errno));
		return false;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	if (version != 12) {
		snprintf(why, whylen, "%s: KVM API version %d, expected 12",
			 dev ? dev : "/dev/kvm", version);
		return false;
	}
	return true;
}

void qemu_kill_running(void)
{
	pid_t pid = qemu_running_pid;
	if (pid > 0)
		kill(pid, SIGKILL);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child(char *const *argv, int in_r, int out_w, int err_w, int initrd_fd,
		  int report_fd, pid_t parent)
{
	sigset_t none;
	int e;

	/* Its own process group: Ctrl-C at the terminal reaches unielf, which
	 * forwards it to the guest, and not QEMU, which would just quit. */
	setpgid(0, 0);
	/* If unielf dies in any way, QEMU dies too. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	/* Signals are blocked since before fork: drop unielf's handlers (and the
	 * SIGPIPE it ignores) before letting them through. */
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in_r, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		goto fail;
	/* All our pipe descriptors are >= 3 and close on exec, so overwriting
	 * QEMU_INITRD_FD is harmless; dup2 leaves the copy open across exec. */
	if (initrd_fd == QEMU_INITRD_FD) {
		if (fcntl(initrd_fd, F_SETFD, 0) < 0)
			goto fail;
	} else if (dup2(initrd_fd, QEMU_INITRD_FD) < 0) {
		goto fail;
	}
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(report_fd, &e, sizeof(e)) < 0) {
		/* nothing more we can say */
	}
	_exit(127);
}

int qemu_spawn(char *const *argv, int initrd_fd, struct qemu_proc *p)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, rep[2] = {-1, -1};
	pid_t parent = getpid(), pid;
	sigset_t all, saved;
	int e = 0;
	ssize_t n;

	p->pid = 0;
	p->in_fd = p->out_fd = p->err_fd = -1;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		e = -errno;
		goto out_close;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &saved);
	pid = fork();
	if (pid == 0)
		child(argv, in[0], out[1], err[1], initrd_fd, rep[1], parent);
	e = -errno;
	if (pid > 0)
		qemu_running_pid = pid;
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (pid < 0)
		goto out_close;
	close(rep[1]);
	rep[1] = -1;
	do
		n = read(rep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(e)) {
		/* exec failed: the child is exiting on its own */
		waitpid(pid, NULL, 0);
		qemu_running_pid = 0;
		e = -e;
		goto out_close;
	}
	e = 0;
	p->pid = pid;
	p->in_fd = in[1];
	p->out_fd = out[0];
	p->err_fd = err[0];
	in[1] = out[0] = err[0] = -1;
	fcntl(p->in_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
out_close:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
		if (rep[i] >= 0)
			close(rep[i]);
	}
	return e;
}

static void close_fds(struct qemu_proc *p)
{
	if (p->in_fd >= 0)
		close(p->in_fd);
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	p->in_fd = p->out_fd = p->err_fd = -1;
}

void qemu_kill(struct qemu_proc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
		p->pid = 0;
		qemu_running_pid = 0;
	}
	close_fds(p);
}

void qemu_reap(struct qemu_proc *p, int timeout_ms)
{
	int64_t deadline = ue_now_ms() + timeout_ms;

	while (p->pid > 0) {
		pid_t r = waitpid(p->pid, NULL, WNOHANG);
		if (r == p->pid || (r < 0 && errno != EINTR)) {
			p->pid = 0;
			qemu_running_pid = 0;
			break;
		}
		if (ue_now_ms() >= deadline) {
			qemu_kill(p);
			break;
		}
		poll(NULL, 0, 5);
	}
	close_fds(p);
}
