// SPDX-License-Identifier: MIT
/* /init of the Linux baseline guest (bench only, never part of UniELF).
 *
 * The kernel passes what follows `--` on its command line as our arguments:
 *   /init [-b] [-n] PROGRAM [ARG...]
 * We mount devtmpfs (for /dev/console), proc and a tmpfs on /tmp, run PROGRAM
 * with fork+execve+wait, and power the VM off through isa-debug-exit (port 0xf4,
 * the same device UniELF uses), so QEMU exits with (status << 1) | 1.  If that
 * port is missing we fall back to reboot(RB_POWER_OFF).
 *
 * With -b, before running PROGRAM we read the kernel log (/dev/kmsg, which does
 * not depend on the console log level, so `quiet` stays on) and print
 *   BENCH linux_run_init value=<us> unit=us
 * the printk timestamp of "Run /init as init process".
 *
 * With -n (the network rows of bench/netbench.py) we first load the kernel modules
 * listed in /modules/order (virtio-mmio and virtio-net: Debian builds them as
 * modules), then bring up lo and eth0 as QEMU's user network expects them:
 * 10.0.2.15/24, default route via 10.0.2.2 (static: no DHCP client needed). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void setup_console(void)
{
	int fd;

	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/* /dev/kmsg records look like "6,123,4567890,-;Run /init as init process". */
static void print_run_init_time(void)
{
	char rec[1024];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0) {
		printf("BENCH-ERROR cannot open /dev/kmsg\n");
		return;
	}
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *semi;
		unsigned long long us;

		if (n <= 0)
			break;
		rec[n] = 0;
		semi = strchr(rec, ';');
		if (!semi || !strstr(semi, "Run /init as init process"))
			continue;
		if (sscanf(rec, "%*u,%*u,%llu", &us) == 1)
			printf("BENCH linux_run_init rep=0 value=%llu unit=us\n", us);
		break;
	}
	close(fd);
	fflush(stdout);
}

/* Loads each module named in /modules/order, one path a line, dependencies first. */
static int load_modules(void)
{
	char path[512];
	FILE *f = fopen("/modules/order", "r");

	if (!f) {
		printf("init: no /modules/order\n");
		return -1;
	}
	while (fgets(path, sizeof(path), f)) {
		int fd;

		path[strcspn(path, "\n")] = 0;
		if (!path[0])
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) {
			printf("init: cannot load %s: %m\n", path);
			fclose(f);
			return -1;
		}
		close(fd);
	}
	fclose(f);
	return 0;
}

static int set_addr(int s, const char *ifname, unsigned long req, const char *addr)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	return ioctl(s, req, &ifr);
}

static int set_up(int s, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(s, SIOCSIFFLAGS, &ifr);
}

/* lo up; eth0 10.0.2.15/24 up; default route via 10.0.2.2 (QEMU's user network). */
static int net_up(void)
{
	struct rtentry rt;
	struct sockaddr_in *a;
	int s, i;

	if (load_modules() != 0)
		return -1;
	for (i = 0; i < 500 && !if_nametoindex("eth0"); i++)
		usleep(10000); /* the driver probes the device asynchronously */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || set_up(s, "lo") != 0 ||
	    set_addr(s, "eth0", SIOCSIFADDR, "10.0.2.15") != 0 ||
	    set_addr(s, "eth0", SIOCSIFNETMASK, "255.255.255.0") != 0 ||
	    set_up(s, "eth0") != 0) {
		printf("init: cannot configure lo and eth0: %m\n");
		return -1;
	}
	memset(&rt, 0, sizeof(rt));
	a = (struct sockaddr_in *)&rt.rt_dst;
	a->sin_family = AF_INET;
	a = (struct sockaddr_in *)&rt.rt_genmask;
	a->sin_family = AF_INET;
	a = (struct sockaddr_in *)&rt.rt_gateway;
	a->sin_family = AF_INET;
	inet_pton(AF_INET, "10.0.2.2", &a->sin_addr);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	if (ioctl(s, SIOCADDRT, &rt) != 0) {
		printf("init: cannot add the default route: %m\n");
		return -1;
	}
	close(s);
	printf("init: network up\n");
	fflush(stdout);
	return 0;
}

static void power_off(int status)
{
	fflush(stdout);
	sync();
	if (ioperm(0xf4, 4, 1) == 0)
		outl((unsigned)status & 0xff, 0xf4);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int boot_time = 0, net = 0, status = 0;
	pid_t pid;

	setup_console();
	mkdir("/proc", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mkdir("/tmp", 01777);
	mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");

	argv++;
	argc--;
	for (; argc > 0 && argv[0][0] == '-'; argv++, argc--) {
		if (!strcmp(argv[0], "-b"))
			boot_time = 1;
		else if (!strcmp(argv[0], "-n"))
			net = 1;
		else
			break;
	}
	if (boot_time)
		print_run_init_time();
	if (net && net_up() != 0)
		power_off(122);
	if (argc < 1) {
		printf("init: no program given (append `-- PROGRAM ARGS` to the command "
		       "line)\n");
		power_off(120);
	}
	pid = fork();
	if (pid == 0) {
		char *envp[] = {"PATH=/bin:/usr/bin:/usr/sbin", "HOME=/", NULL};

		execve(argv[0], argv, envp);
		printf("init: cannot execute %s\n", argv[0]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		power_off(121);
	if (WIFEXITED(status))
		power_off(WEXITSTATUS(status));
	power_off(128 + WTERMSIG(status));
	return 0;
}
