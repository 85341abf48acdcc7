// SPDX-License-Identifier: MIT
/* Carries out `unielf run`: finds PROGRAM, packs the initrd, picks the
 * accelerator (KVM with a boot deadline and a silent TCG retry, or TCG) and maps
 * how the VM ended to the tool's exit status.  The pieces are pathlookup.c,
 * initrd.c, qemu.c and relay.c. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include "control.h"
#include "elfdeps.h"
#include "initrd.h"
#include "netopts.h"
#include "pathlookup.h"
#include "qemu.h"
#include "relay.h"
#include "run.h"

#define DEFAULT_KVM_BOOT_TIMEOUT_MS 3000

static char *kernel_path(void)
{
	const char *env = getenv("UNIELF_KERNEL");
	char self[PATH_MAX];
	ssize_t n;
	char *dir, *k;

	if (env && *env)
		return ue_xstrdup(env);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return ue_xstrdup("kernel.elf");
	self[n] = '\0';
	dir = path_dirname(self);
	k = path_join(dir, "kernel.elf");
	free(dir);
	return k;
}

static int kvm_boot_timeout_ms(void)
{
	const char *env = getenv("UNIELF_KVM_BOOT_TIMEOUT_MS");
	char *end;
	long v;

	if (!env || !*env)
		return DEFAULT_KVM_BOOT_TIMEOUT_MS;
	errno = 0;
	v = strtol(env, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX) {
		ue_msg("UNIELF_KVM_BOOT_TIMEOUT_MS=%s: not a positive number of ms, "
		       "using %d",
		       env, DEFAULT_KVM_BOOT_TIMEOUT_MS);
		return DEFAULT_KVM_BOOT_TIMEOUT_MS;
	}
	return v;
}

/* The .unielf/tty line and the first terminal among fds 0..2 (-1: none). */
static int tty_line(char *line, size_t size)
{
	int first = -1, is[3];
	unsigned rows = 24, cols = 80;

	for (int fd = 0; fd < 3; fd++) {
		is[fd] = isatty(fd);
		if (is[fd] && first < 0)
			first = fd;
	}
	if (first >= 0) {
		struct winsize ws;
		if (ioctl(first, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
			rows = ws.ws_row;
			cols = ws.ws_col;
		}
	}
	snprintf(line, size, "%d %d %d %u %u\n", is[0], is[1], is[2], rows, cols);
	return first;
}

/* @path made absolute against the working directory, lexically. */
static char *absolute(const char *path)
{
	char *cwd, *joined, *abs;

	if (path[0] == '/')
		return path_normalize(path);
	cwd = getcwd(NULL, 0);
	joined = path_join(cwd ? cwd : "/", path);
	abs = path_normalize(joined);
	free(cwd);
	free(joined);
	return abs;
}

/* The interpreter named by a "#!" first line, or NULL; malloc'd. */
static char *script_interpreter(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "re");
	size_t n, len;

	if (!f)
		return NULL;
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return NULL;
	n = 2 + strspn(line + 2, " \t");
	len = strcspn(line + n, " \t\r\n");
	if (!len || line[n] != '/')
		return NULL;
	return strndup(line + n, len);
}

/* The interpreter and libraries of a dynamic ELF where the host has them, plus
 * the host's ld.so.cache so the guest's ld.so finds them there too, and the
 * files glibc reads at run time.  What --file already put at a path wins. */
static int pack_elf_deps(const struct run_opts *o, struct initrd *r, const char *elf)
{
	struct elfdeps d;
	int err = elfdeps_collect(elf, &d);

	if (err < 0) {
		ue_msg("%s: %s", elf, strerror(-err));
		return -1;
	}
	for (size_t i = 0; i < d.n && !err; i++) {
		char *abs = absolute(d.paths[i]);
		if (!initrd_contains(r, abs)) {
			if (o->verbose)
				ue_msg("packing %s", abs);
			err = initrd_add_host_path(r, abs);
		}
		free(abs);
	}
	for (size_t i = 0; i < d.nmissing && o->verbose; i++)
		ue_msg("%s: needed by %s, not found on the host", d.missing[i], elf);
	/* what glibc reads at run time besides libraries: the loader cache,
	 * user and group names, host name, time zone, resolver, character set
	 * conversions and the C.UTF-8 locale */
	static const char *const support[] = {
	    "/etc/ld.so.cache",
	    "/etc/nsswitch.conf",
	    "/etc/passwd",
	    "/etc/group",
	    "/etc/hostname",
	    "/etc/localtime",
	    "/etc/resolv.conf",
	    "/etc/host.conf",
	    "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache",
	    "/usr/lib/locale/C.utf8",
	};
	for (size_t i = 0; i < sizeof(support) / sizeof(support[0]) && !err && d.n; i++)
		if (!initrd_contains(r, support[i]) && access(support[i], R_OK) == 0)
			err = initrd_add_host_path(r, support[i]);
	elfdeps_free(&d);
	return err;
}

/* What PROGRAM needs to start: libraries, or for a "#!" script its interpreter
 * (as named on that line) and the interpreter's libraries. */
static int pack_deps(const struct run_opts *o, struct initrd *r, const char *exe)
{
	char *interp = script_interpreter(exe);
	int err = 0;

	if (!interp)
		return pack_elf_deps(o, r, exe);
	if (access(interp, X_OK) == 0 && !initrd_contains(r, interp)) {
		if (o->verbose)
			ue_msg("packing %s (script interpreter)", interp);
		err = initrd_add_host_path(r, interp);
		if (!err)
			err = pack_elf_deps(o, r, interp);
	}
	free(interp);
	return err;
}

/* Whether the VM gets a NIC: --net user, or -p without --net (also when the
 * options did not come through the command line parser). */
static bool net_on(const struct run_opts *o)
{
	return o->net == UE_NET_USER || (o->net == UE_NET_DEFAULT && o->nports);
}

static struct initrd *pack(const struct run_opts *o, const char *exe, char *tty)
{
	struct initrd *r = initrd_create();
	struct ue_buf argv = {0}, env = {0};
	int err = 0;

	if (!r)
		return NULL;
	err = initrd_add_host_path(r, exe);
	for (size_t i = 0; i < o->nfiles && !err; i++) {
		char *host, *guest;
		if (initrd_parse_file_spec(o->files[i], &host, &guest) < 0) {
			ue_msg("--file %s: expected HOST[:GUEST] with GUEST outside "
			       "/.unielf",
			       o->files[i]);
			err = -1;
			break;
		}
		if (guest) {
			err = initrd_add_tree(r, host, guest);
		} else {
			/* Same place as on the host, under the name given, symlinks on
			 * the way included: --file /lib64/ld-linux-x86-64.so.2 works. */
			char *abs = absolute(host);
			err = initrd_add_host_path(r, abs);
			free(abs);
		}
		free(host);
		free(guest);
	}
	/* before pack_deps, which would take the host's: 10.0.2.3 is QEMU's DNS
	 * relay (a --file at /etc/resolv.conf still wins) */
	if (!err && net_on(o)) {
		const char *rc = netopt_resolv_conf();
		err = initrd_add_data(r, "/etc/resolv.conf", 0644, rc, strlen(rc));
	}
	if (!err)
		err = pack_deps(o, r, exe);
	for (size_t i = 0; i < o->nshares && !err; i++)
		if (strcmp(o->shares[i].guest, "/")) /* mount points */
			err = initrd_add_dir(r, o->shares[i].guest);
	if (!err)
		err = initrd_add_dir(r, o->workdir);
	for (int i = 0; i < o->prog_argc; i++)
		ue_buf_addz(&argv, o->prog_argv[i]);
	initrd_build_env(o->envs, o->nenvs, isatty(STDOUT_FILENO) ? getenv("TERM") : NULL,
			 &env);
	if (!err)
		err = initrd_add_descriptor(r, "argv", argv.data, argv.len);
	if (!err)
		err = initrd_add_descriptor(r, "env", env.data, env.len);
	if (!err)
		err = initrd_add_descriptor(r, "exe", exe, strlen(exe));
	if (!err)
		err = initrd_add_descriptor(r, "workdir", o->workdir, strlen(o->workdir));
	if (!err)
		err = initrd_add_descriptor(r, "tty", tty, strlen(tty));
	if (!err && o->nshares) {
		struct ue_buf m = {0};
		for (size_t i = 0; i < o->nshares; i++) {
			char *line =
			    ue_xasprintf("unielf%zu %s %s\n", i, o->shares[i].guest,
					 o->shares[i].readonly ? "ro" : "rw");
			ue_buf_addstr(&m, line);
			free(line);
		}
		err = initrd_add_descriptor(r, "mounts", m.data, m.len);
		ue_buf_free(&m);
	}
	if (!err && net_on(o)) {
		char *d = netopt_descriptor();
		err = initrd_add_descriptor(r, "net", d, strlen(d));
		free(d);
	}
	if (!err && o->control_key) {
		struct ctl_key k;
		char why[512];
		if (ctl_key_load(o->control_key, &k, why, sizeof(why)) < 0) {
			ue_msg("--control-key %s", why);
			err = -1;
		} else {
			err = initrd_add_descriptor(r, "control-key", k.bytes, k.len);
		}
		memset(&k, 0, sizeof(k));
	}
	if (!err)
		err = initrd_finish(r);
	ue_buf_free(&argv);
	ue_buf_free(&env);
	if (err) {
		initrd_destroy(r);
		return NULL;
	}
	return r;
}

/* ---------------------------------------------------------------- shares */

static void shares_free(struct ue_share *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].host);
		free(v[i].guest);
	}
	free(v);
}

/* Adds one share after checking HOST is a directory and GUEST is new and fits
 * the mount table's line format.  0, or -1 after a message. */
static int share_add(struct ue_share **v, size_t *n, const char *opt, const char *host,
		     const char *guest, bool readonly)
{
	struct stat st;
	char *real;

	if (stat(host, &st) < 0) {
		ue_msg("%s %s: %s", opt, host, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		ue_msg("%s %s: not a directory", opt, host);
		return -1;
	}
	if (guest[strcspn(guest, " \t\n\r")]) {
		ue_msg("%s %s: the guest path may not contain white space", opt, guest);
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp((*v)[i].guest, guest)) {
			ue_msg("%s: two shares at %s", opt, guest);
			return -1;
		}
	}
	real = realpath(host, NULL);
	if (!real) {
		ue_msg("%s %s: %s", opt, host, strerror(errno));
		return -1;
	}
	*v = ue_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].host = real;
	(*v)[*n].guest = ue_xstrdup(guest);
	(*v)[*n].readonly = readonly;
	(*n)++;
	return 0;
}

/* The mount table in tag order: --root, the --share list, then the current
 * directory (unless --no-cwd, UNIELF_DEFAULT_CWD_SHARE=0, or the current
 * directory is / itself: sharing the whole host root read-write is --root-rw's
 * job, never a default).  Returns 0 or -1 after a message. */
static int shares_resolve(const struct run_opts *o, struct ue_share **v, size_t *n,
			  char **cwd_share)
{
	const char *env = getenv("UNIELF_DEFAULT_CWD_SHARE");

	*v = NULL;
	*n = 0;
	*cwd_share = NULL;
	if (o->root && share_add(v, n, "--root", o->root, "/", !o->root_rw))
		return -1;
	for (size_t i = 0; i < o->nshare_args; i++) {
		char *host, *guest;
		int err;
		if (initrd_parse_file_spec(o->share_args[i], &host, &guest) < 0) {
			ue_msg("--share %s: expected HOST[:GUEST] with GUEST outside "
			       "/.unielf",
			       o->share_args[i]);
			return -1;
		}
		if (!guest)
			guest = absolute(host);
		err = share_add(v, n, "--share", host, guest, false);
		free(host);
		free(guest);
		if (err)
			return -1;
	}
	if (!o->no_cwd && !(env && !strcmp(env, "0"))) {
		char *cwd = getcwd(NULL, 0);
		bool taken = false;
		if (!cwd) {
			ue_msg("the current directory: %s", strerror(errno));
			return -1;
		}
		if (!strcmp(cwd, "/")) {
			free(cwd);
			return 0;
		}
		for (size_t i = 0; i < *n; i++)
			taken |= !strcmp((*v)[i].guest, cwd);
		if (!taken && share_add(v, n, "the current directory", cwd, cwd, false)) {
			free(cwd);
			return -1;
		}
		*cwd_share = cwd;
	}
	return 0;
}

/* ---------------------------------------------------------------- control */

/* Makes room for QEMU's listening socket: a stale socket is removed, anything
 * else there is refused.  0, or -1 after a message. */
static int control_prepare(const char *path)
{
	struct sockaddr_un a;
	struct stat st;

	if (strlen(path) >= sizeof(a.sun_path)) {
		ue_msg(
		    "--control %s: path too long for a Unix socket (at most %zu bytes)",
		    path, sizeof(a.sun_path) - 1);
		return -1;
	}
	if (lstat(path, &st) < 0)
		return errno == ENOENT
			   ? 0
			   : (ue_msg("--control %s: %s", path, strerror(errno)), -1);
	if (!S_ISSOCK(st.st_mode)) {
		ue_msg("--control %s: exists and is not a socket", path);
		return -1;
	}
	if (unlink(path) < 0) {
		ue_msg("--control %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void control_cleanup(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
}

/* One boot under one accelerator. Returns 0, or 125 if QEMU did not start. */
static int boot(struct qemu_config *qc, const struct relay_config *rc, int initrd_fd,
		struct ue_buf *qerr, struct relay_result *res)
{
	char **argv = qemu_build_argv(qc);
	struct qemu_proc q;
	int e;

	if (qc->verbose) {
		char *line = qemu_format_argv(argv);
		ue_msg("starting %s", line);
		free(line);
	}
	e = qemu_spawn(argv, initrd_fd, &q);
	if (e < 0) {
		ue_msg("%s: %s", qc->qemu, strerror(-e));
		qemu_free_argv(argv);
		return UE_EXIT_FAILURE;
	}
	qemu_free_argv(argv);
	qerr->len = 0;
	relay_run(rc, &q, qerr, res);
	return 0;
}

/* True when QEMU refused a -p forward: TCG would refuse it just the same. */
static bool hostfwd_refused(const struct ue_buf *qerr)
{
	char *line = relay_last_line(qerr);
	bool r = netopt_is_hostfwd_error(line);

	free(line);
	return r;
}

/* Explains a boot that ended without an exit status. */
static int vm_failed(const struct run_opts *o, const struct ue_buf *qerr,
		     const struct relay_result *res)
{
	char *line = relay_last_line(qerr);

	if (o->verbose && qerr->len)
		(void)ue_write_full(STDERR_FILENO, qerr->data, qerr->len);
	if (!res->synced && netopt_is_hostfwd_error(line)) {
		const char *rule = strchr(line, '\'');
		ue_msg(
		    "-p: QEMU could not set up host forwarding rule %s (is the host port "
		    "in use, or the address not this host's?)",
		    rule ? rule : line);
	} else if (!res->synced && *line)
		ue_msg("%s", line);
	else
		ue_msg("the VM stopped without an exit status");
	free(line);
	return UE_EXIT_FAILURE;
}

int run_launch(const struct run_opts *o, const char *kernel, int initrd_fd, int tty_fd,
	       const char *kvm_why)
{
	const char *qemu = getenv("UNIELF_QEMU");
	struct qemu_config qc = {
	    .qemu = qemu && *qemu ? qemu : "qemu-system-x86_64",
	    .kernel = kernel,
	    .machine = o->machine,
	    .mem_mb = o->mem_mb,
	    .verbose = o->verbose,
	    .report = o->report,
	    .control_socket = o->control,
	    .shares = o->shares,
	    .nshares = o->nshares,
	    .net = net_on(o),
	    .ports = o->ports,
	    .nports = o->nports,
	};
	struct relay_config rc = {
	    .verbose = o->verbose,
	    .report = o->report,
	    .winsize_fd = tty_fd,
	};
	struct ue_buf qerr = {0};
	struct relay_result res;
	int status;

	if (o->accel != UE_ACCEL_TCG) {
		if (!kvm_why) {
			qc.accel = UE_ACCEL_KVM;
			/* A KVM that hangs guests must not hang us: give it a deadline,
			 * and hold output back while a TCG retry is still possible. */
			rc.boot_timeout_ms = kvm_boot_timeout_ms();
			rc.hold = o->accel == UE_ACCEL_AUTO;
			status = boot(&qc, &rc, initrd_fd, &qerr, &res);
			if (status)
				goto out;
			/* Retry only what TCG might fix: a guest that never got ready.
			 * An EXIT before READY (say, an ELF the kernel rejects) is an
			 * answer, and a forced KVM gets no second chance. */
			if (o->accel == UE_ACCEL_KVM || res.ready ||
			    (res.end != RELAY_BOOT_TIMEOUT &&
			     res.end != RELAY_NO_STATUS) ||
			    hostfwd_refused(&qerr))
				goto done;
			if (o->verbose) {
				ue_msg("KVM: %s; retrying with TCG",
				       res.end == RELAY_BOOT_TIMEOUT
					   ? "the guest was not ready in time"
					   : "QEMU stopped before the guest was ready");
				if (qerr.len)
					(void)ue_write_full(2, qerr.data, qerr.len);
			}
		} else if (o->accel == UE_ACCEL_KVM) {
			ue_msg("%s", kvm_why);
			status = UE_EXIT_FAILURE;
			goto out;
		} else if (o->verbose) {
			ue_msg("using TCG: %s", kvm_why);
		}
	}
	qc.accel = UE_ACCEL_TCG;
	rc.boot_timeout_ms = 0; /* emulation may be slow on a busy machine: no deadline */
	rc.hold = false;
	status = boot(&qc, &rc, initrd_fd, &qerr, &res);
	if (status)
		goto out;
done:
	switch (res.end) {
	case RELAY_EXITED:
		status = res.status;
		break;
	case RELAY_SIGNALLED:
		status = 128 + res.signo;
		break;
	case RELAY_BOOT_TIMEOUT:
		ue_msg("KVM: the guest was not ready within %d ms", rc.boot_timeout_ms);
		status = UE_EXIT_FAILURE;
		break;
	case RELAY_PROTOCOL:
		status = UE_EXIT_FAILURE;
		break;
	case RELAY_NO_STATUS:
		status = vm_failed(o, &qerr, &res);
		break;
	}
out:
	ue_buf_free(&qerr);
	return status;
}

static int run_prepared(const struct run_opts *o);

int run_main(const struct run_opts *given)
{
	struct run_opts o = *given;
	char *cwd_share = NULL;
	int status = UE_EXIT_FAILURE;

	if (shares_resolve(given, &o.shares, &o.nshares, &cwd_share) < 0)
		goto out;
	if (cwd_share && !o.workdir_given)
		o.workdir = cwd_share; /* the program starts where the user is */
	if (o.control && control_prepare(o.control) < 0)
		goto out;
	status = run_prepared(&o);
	if (o.control)
		control_cleanup(o.control);
out:
	shares_free(o.shares, o.nshares);
	free(cwd_share);
	return status;
}

static int run_prepared(const struct run_opts *o)
{
	const char *prog = o->prog_argv[0];
	char *found = NULL, *exe = NULL, *kernel = NULL;
	struct initrd *initrd = NULL;
	char tty[64], why[256];
	int tty_fd, err, status = UE_EXIT_FAILURE;

	err = path_lookup(prog, getenv("PATH"), &found);
	if (err == -ENOENT) {
		ue_msg("%s: not found", prog);
		return UE_EXIT_NOTFOUND;
	}
	if (err < 0) {
		ue_msg("%s: %s", prog, strerror(-err));
		return UE_EXIT_NOEXEC;
	}
	exe = path_host_absolute(found);
	if (!exe) {
		ue_msg("%s: %s", found, strerror(errno));
		goto out;
	}
	kernel = kernel_path();
	if (access(kernel, R_OK) < 0) {
		ue_msg("%s: %s", kernel, strerror(errno));
		goto out;
	}
	tty_fd = tty_line(tty, sizeof(tty));
	initrd = pack(o, exe, tty);
	if (!initrd)
		goto out;
	if (o->verbose)
		ue_msg("initrd: %llu bytes, program %s", initrd_size(initrd), exe);
	err = relay_signals_install();
	if (err < 0) {
		ue_msg("signals: %s", strerror(-err));
		goto out;
	}
	atexit(qemu_kill_running); /* belt and braces: QEMU never outlives us */
	if (o->accel == UE_ACCEL_TCG || qemu_kvm_usable(NULL, why, sizeof(why)))
		status = run_launch(o, kernel, initrd_fd(initrd), tty_fd, NULL);
	else
		status = run_launch(o, kernel, initrd_fd(initrd), tty_fd, why);
out:
	initrd_destroy(initrd);
	free(kernel);
	free(exe);
	free(found);
	return status;
}
