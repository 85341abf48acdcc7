// SPDX-License-Identifier: MIT
/* The command line of the host tool: `unielf --help`, `--version` and the options
 * of `unielf run`, parsed with getopt_long into struct run_opts.  run.c carries a
 * parsed run out. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ctlcmd.h"
#include "netopts.h"
#include "pathlookup.h"
#include "unielf.h"

static void usage(FILE *f)
{
	fputs(
	    "Usage: unielf run [OPTION]... PROGRAM [ARG]...\n"
	    "       unielf status|ps|spawn|kill|upgrade|patch|revert|patches SOCKET ...\n"
	    "       unielf --help | --version\n"
	    "\n"
	    "Runs an unmodified Linux x86_64 ELF program in a fresh UniELF unikernel VM\n"
	    "under QEMU, as if it ran natively: its stdin, stdout and stderr are the\n"
	    "tool's, and the tool exits with the program's status.\n"
	    "\n"
	    "Commands:\n"
	    "  run        boot PROGRAM with ARGs (see 'unielf run --help')\n"
	    "  status, ps, spawn, kill, upgrade, patch, revert, patches\n"
	    "             talk to a VM started with --control SOCKET\n"
	    "             (see 'unielf status --help')\n"
	    "\n"
	    "Options:\n"
	    "  -h, --help     show this help and exit\n"
	    "      --version  show the version and exit\n",
	    f);
}

static void run_usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: unielf run [OPTION]... PROGRAM [ARG]...\n"
	    "\n"
	    "Boots PROGRAM in a fresh UniELF VM and relays its stdin, stdout, stderr "
	    "and\n"
	    "exit status.  PROGRAM without a slash is looked up in PATH; options end at\n"
	    "PROGRAM, so its own options (like -l) are passed to it.\n"
	    "\n"
	    "Options:\n"
	    "  -m, --mem MB             guest memory in MiB (default %d)\n"
	    "  -f, --file HOST[:GUEST]  also pack host file or directory HOST "
	    "(recursively,\n"
	    "                           symlinks kept) at GUEST; GUEST defaults to the\n"
	    "                           absolute host path, a relative GUEST is under /\n"
	    "  -e, --env K=V            set K in the program's environment; a bare K\n"
	    "                           copies the host's value (omitted if unset)\n"
	    "  -w, --workdir DIR        initial working directory in the guest (default "
	    "/;\n"
	    "                           created if nothing is packed there)\n"
	    "      --accel auto|kvm|tcg accelerator (default auto: KVM when /dev/kvm "
	    "works\n"
	    "                           and boots in time, otherwise TCG)\n"
	    "      --machine microvm|q35\n"
	    "                           QEMU machine type (default microvm)\n"
	    "  -i, -t                   accepted as in `docker run -it`: stdin is "
	    "always\n"
	    "                           passed, and a terminal on stdin is always the\n"
	    "                           program's terminal (its modes follow the "
	    "program)\n"
	    "  -v, --verbose            show kernel log, boot noise and the QEMU "
	    "command\n"
	    "      --report             list the system calls the kernel lacked, at "
	    "exit\n"
	    "      --control SOCKET     accept control requests (unielf status, spawn,\n"
	    "                           upgrade, ...) on this Unix socket\n"
	    "      --control-key FILE   authenticate them with this key (1-64 bytes)\n"
	    "      --share HOST[:GUEST] share host directory HOST read-write at GUEST\n"
	    "                           (default: the same path) over virtio-9p\n"
	    "      --root HOSTDIR       the guest's / is HOSTDIR over 9p, read-only\n"
	    "      --root-rw            ... read-write\n"
	    "      --no-cwd             do not share the current directory (shared at\n"
	    "                           its own path by default, unless it is /)\n"
	    "      --net user|none      user: a NIC on QEMU's user network (guest\n"
	    "                           10.0.2.15/24, gateway 10.0.2.2, DNS 10.0.2.3),\n"
	    "                           outbound access only; none: no NIC (default,\n"
	    "                           unless -p is given)\n"
	    "  -p, --publish [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]\n"
	    "                           forward host port HOSTPORT (on HOSTADDR,\n"
	    "                           default 127.0.0.1) to GUESTPORT; repeatable;\n"
	    "                           implies --net user\n"
	    "  -h, --help               show this help and exit\n"
	    "\n"
	    "The program's environment is exactly the --env values plus, unless given,\n"
	    "PATH=%s, HOME=/ and, when stdout is a terminal, the\n"
	    "host's TERM.  argv[0] is PROGRAM as typed.  A dynamic PROGRAM's "
	    "interpreter\n"
	    "and libraries are packed with it.\n"
	    "\n"
	    "SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to the program; a second\n"
	    "one (for SIGINT: three within a second) stops the VM with 128+N.\n"
	    "\n"
	    "Exit status: the program's (0..255), 128+N if it died of signal N, 125 if\n"
	    "unielf, QEMU or the kernel failed, 126 if PROGRAM cannot be executed, 127 "
	    "if\n"
	    "it was not found.\n"
	    "\n"
	    "Environment: UNIELF_QEMU (QEMU binary, default qemu-system-x86_64),\n"
	    "UNIELF_KERNEL (default: kernel.elf next to unielf), "
	    "UNIELF_KVM_BOOT_TIMEOUT_MS\n"
	    "(default 3000), TMPDIR (where the initrd is built).\n",
	    UE_DEFAULT_MEM_MB, UE_DEFAULT_PATH);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("unielf: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'unielf run --help'.\n", stderr);
	return UE_EXIT_FAILURE;
}

static char **push(char **v, size_t *n, char *s)
{
	v = ue_xrealloc(v, (*n + 1) * sizeof(*v));
	v[(*n)++] = s;
	return v;
}

enum {
	OPT_ACCEL = 0x100,
	OPT_MACHINE,
	OPT_REPORT,
	OPT_VERSION,
	OPT_CONTROL,
	OPT_CONTROL_KEY,
	OPT_SHARE,
	OPT_ROOT,
	OPT_ROOT_RW,
	OPT_NO_CWD,
	OPT_NET,
};

/* Parses `run`'s arguments (argv[0] is "run").  Returns -1 to go on, or the exit
 * status to stop with (0 after --help). */
static int parse_run(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
	    {"mem", required_argument, NULL, 'm'},
	    {"file", required_argument, NULL, 'f'},
	    {"env", required_argument, NULL, 'e'},
	    {"workdir", required_argument, NULL, 'w'},
	    {"accel", required_argument, NULL, OPT_ACCEL},
	    {"machine", required_argument, NULL, OPT_MACHINE},
	    {"verbose", no_argument, NULL, 'v'},
	    {"report", no_argument, NULL, OPT_REPORT},
	    {"control", required_argument, NULL, OPT_CONTROL},
	    {"control-key", required_argument, NULL, OPT_CONTROL_KEY},
	    {"share", required_argument, NULL, OPT_SHARE},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"root-rw", no_argument, NULL, OPT_ROOT_RW},
	    {"no-cwd", no_argument, NULL, OPT_NO_CWD},
	    {"net", required_argument, NULL, OPT_NET},
	    {"publish", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char why[256];
	int c;

	memset(o, 0, sizeof(*o));
	o->mem_mb = UE_DEFAULT_MEM_MB;
	o->workdir = ue_xstrdup("/");
	optind = 0; /* full re-initialisation, "+" included */
	while ((c = getopt_long(argc, argv, "+m:f:e:w:p:vhit", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': {
			char *end;
			unsigned long v;
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 16 || v > 1024 * 1024)
				return bad_usage(
				    "--mem %s: expected MiB between 16 and 1048576",
				    optarg);
			o->mem_mb = v;
			break;
		}
		case 'f':
			o->files = push(o->files, &o->nfiles, optarg);
			break;
		case 'e':
			if (optarg[0] == '=' || !optarg[0])
				return bad_usage("--env %s: expected NAME=VALUE", optarg);
			o->envs = push(o->envs, &o->nenvs, optarg);
			break;
		case 'w':
			if (!optarg[0])
				return bad_usage("--workdir: empty directory%s", "");
			free(o->workdir);
			o->workdir = path_normalize(optarg);
			o->workdir_given = true;
			break;
		case OPT_CONTROL:
			if (!optarg[0])
				return bad_usage("--control: empty socket path%s", "");
			o->control = optarg;
			break;
		case OPT_CONTROL_KEY:
			o->control_key = optarg;
			break;
		case OPT_SHARE:
			o->share_args = push(o->share_args, &o->nshare_args, optarg);
			break;
		case OPT_ROOT:
			if (!optarg[0])
				return bad_usage("--root: empty directory%s", "");
			o->root = optarg;
			break;
		case OPT_ROOT_RW:
			o->root_rw = true;
			break;
		case OPT_NO_CWD:
			o->no_cwd = true;
			break;
		case OPT_NET:
			if (netopt_parse_mode(optarg, &o->net, why, sizeof(why)))
				return bad_usage("%s", why);
			break;
		case 'p':
			o->ports =
			    ue_xrealloc(o->ports, (o->nports + 1) * sizeof(*o->ports));
			if (netopt_parse_port(optarg, &o->ports[o->nports], why,
					      sizeof(why)))
				return bad_usage("%s", why);
			o->nports++;
			break;
		case OPT_ACCEL:
			if (!strcmp(optarg, "auto"))
				o->accel = UE_ACCEL_AUTO;
			else if (!strcmp(optarg, "kvm"))
				o->accel = UE_ACCEL_KVM;
			else if (!strcmp(optarg, "tcg"))
				o->accel = UE_ACCEL_TCG;
			else
				return bad_usage("--accel %s: expected auto, kvm or tcg",
						 optarg);
			break;
		case OPT_MACHINE:
			if (!strcmp(optarg, "microvm"))
				o->machine = UE_MACHINE_MICROVM;
			else if (!strcmp(optarg, "q35"))
				o->machine = UE_MACHINE_Q35;
			else
				return bad_usage("--machine %s: expected microvm or q35",
						 optarg);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'i':
		case 't':
			/* as docker's -it: stdin is always passed through, and a
			 * terminal on stdin is always the program's terminal (its
			 * modes are mirrored onto it); accepted for familiarity */
			break;
		case OPT_REPORT:
			o->report = true;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		default:
			fputs("Try 'unielf run --help'.\n", stderr);
			return UE_EXIT_FAILURE;
		}
	}
	if (optind >= argc)
		return bad_usage("run: missing PROGRAM%s", "");
	if (o->control_key && !o->control)
		return bad_usage("--control-key needs --control SOCKET%s", "");
	if (netopt_check(&o->net, o->ports, o->nports, why, sizeof(why)))
		return bad_usage("%s", why);
	o->prog_argv = argv + optind;
	o->prog_argc = argc - optind;
	return -1;
}

/* Later descriptors must not land on 0, 1 or 2 (QEMU's pipes are dup'd there). */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/null", fd ? O_WRONLY : O_RDONLY);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {NULL, 0, NULL, 0},
	};
	struct run_opts o;
	int c, r;

	ensure_std_fds();
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("unielf %s\n", UNIELF_VERSION);
			return 0;
		default:
			fputs("Try 'unielf --help'.\n", stderr);
			return UE_EXIT_FAILURE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return UE_EXIT_FAILURE;
	}
	if (ctlcmd_is_command(argv[optind]))
		return ctlcmd_main(argc - optind, argv + optind);
	if (strcmp(argv[optind], "run")) {
		ue_msg("%s: unknown command (try 'unielf --help')", argv[optind]);
		return UE_EXIT_FAILURE;
	}
	r = parse_run(argc - optind, argv + optind, &o);
	if (r < 0)
		r = run_main(&o);
	free(o.files);
	free(o.envs);
	free(o.share_args);
	free(o.ports);
	free(o.workdir);
	return r;
}
