#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The `make bench` runner: UniELF side by side with a Linux guest under the same QEMU.

It fetches Debian's kernel (apt-get download + dpkg-deb -x, never installed), packs
an initramfs with the bench programs, runs every measure for the null kernel (the
floor), the Linux guest and UniELF, and prints one table (also written, with the
machine's description, to bench/results/latest.md).  Method and fairness choices:
bench/README.md.  Every QEMU run has a timeout; nothing here may hang.
"""

import argparse
import lzma
import os
import platform
import re
import selectors
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netbench  # noqa: E402

HELLO_TEXT = b"hello, world"
BENCH_LINE = re.compile(rb"^BENCH (\S+) rep=(\d+) value=([0-9.]+) unit=(\S+)", re.M)
PROC_ERROR = re.compile(rb"^BENCH-ERROR (\w+): (.*)$", re.M)
UNIELF_BOOT = re.compile(rb"boot: entry to user (\d+) us")
LINUX_PKG = "linux-image-amd64"


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ running things

class Run:
    """One finished process: exit status (None on timeout), wall seconds, output,
    and when the marker (HELLO_TEXT unless told) first appeared on stdout (seconds
    since start) if it did."""

    def __init__(self, rc, wall, out, err, t_hello, timed_out):
        self.rc, self.wall, self.out, self.err = rc, wall, out, err
        self.t_hello, self.timed_out = t_hello, timed_out


def run_cmd(cmd, timeout, marker=HELLO_TEXT):
    """Runs cmd with stdin at EOF, collecting stdout and stderr; kills its whole
    process group (it gets its own session) when it runs past timeout seconds."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ, "out")
    sel.register(p.stderr, selectors.EVENT_READ, "err")
    bufs = {"out": bytearray(), "err": bytearray()}
    t_hello = None
    timed_out = False
    open_streams = 2
    while open_streams:
        left = timeout - (time.monotonic() - t0)
        if left <= 0:
            timed_out = True
            break
        for key, _ in sel.select(timeout=min(left, 1.0)):
            data = os.read(key.fileobj.fileno(), 65536)
            if not data:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            bufs[key.data] += data
            if key.data == "out" and t_hello is None and marker in bufs["out"]:
                t_hello = time.monotonic() - t0
    if timed_out:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        rc = p.wait(timeout=max(1.0, timeout - (time.monotonic() - t0)))
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        rc = None
    wall = time.monotonic() - t0
    sel.close()
    p.stdout.close()
    p.stderr.close()
    return Run(None if timed_out else rc, wall, bytes(bufs["out"]), bytes(bufs["err"]),
               t_hello, timed_out)


class LiveVM:
    """A `unielf run --control SOCKET` VM that stays up while the runner talks to
    it: stdin is a pipe (our idle program ends at its EOF), stdout and stderr are
    collected by a thread so the runner can wait for a line while it times the
    control commands."""

    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, start_new_session=True)
        self.out = bytearray()
        self.err = bytearray()
        self.lock = threading.Lock()
        self.readers = [threading.Thread(target=self._pump, args=(f, b), daemon=True)
                        for f, b in ((self.p.stdout, self.out), (self.p.stderr, self.err))]
        for t in self.readers:
            t.start()

    def _pump(self, f, buf):
        while True:
            data = os.read(f.fileno(), 65536)
            if not data:
                return
            with self.lock:
                buf += data

    def wait_for(self, text, timeout, start=0):
        """Waits until stdout holds text at or after offset start; returns the
        offset just past it, or None on timeout or when the VM ended first."""
        t_end = time.monotonic() + timeout
        while time.monotonic() < t_end:
            with self.lock:
                i = self.out.find(text, start)
            if i >= 0:
                return i + len(text)
            if self.p.poll() is not None:
                time.sleep(0.1)  # let the readers drain what is left
                with self.lock:
                    i = self.out.find(text, start)
                return i + len(text) if i >= 0 else None
            time.sleep(0.005)
        return None

    def finish(self, timeout):
        """Closes stdin (the program's EOF) and waits; kills the VM's process group
        past timeout.  Returns the exit status, None when it had to be killed."""
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.p.wait()
            rc = None
        for t in self.readers:
            t.join(timeout=5)
        self.p.stdout.close()
        self.p.stderr.close()
        return rc

    def tail(self, limit=90):
        with self.lock:
            return last_line(bytes(self.err) or bytes(self.out), limit)


def last_line(b, limit=120):
    lines = [l.strip() for l in b.decode("utf-8", "replace").splitlines() if l.strip()]
    return lines[-1][:limit] if lines else "(no output)"


def first_line(b, limit=120):
    for line in b.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line:
            return line[:limit]
    return ""


# ------------------------------------------------------------------ the three guests

class Guests:
    def __init__(self, a):
        self.a = a
        self.build = a.build
        self.bdir = os.path.join(a.build, "bench")
        self.qemu = shutil.which("qemu-system-x86_64") or "qemu-system-x86_64"
        self.kvm = a.accel == "kvm"
        # Mirrors tools/unielf/qemu.c (qemu_build_argv), so all three guests get
        # the same machine, CPU model, accelerator, vCPU count and devices.
        self.machine = "microvm,x-option-roms=off,rtc=on"
        self.cpu = "host" if self.kvm else "max"
        self.vmlinuz = None
        self.vmlinux = None  # the same kernel, decompressed, booted through PVH
        self.initramfs = os.path.join(self.bdir, "initramfs.cpio")
        self.unielf = os.path.join(a.build, "unielf")
        self.kernel_elf = os.path.join(a.build, "kernel.elf")
        self.tsc_khz = host_tsc_khz() if not self.kvm else None
        self.unielf_qemu_line = None

    def qemu_base(self, mem):
        return [self.qemu, "-M", self.machine, "-cpu", self.cpu,
                "-accel", "kvm" if self.kvm else "tcg", "-m", str(mem), "-smp", "1",
                "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]

    # -- null kernel
    def null_cmd(self, mem):
        return self.qemu_base(mem) + ["-kernel", os.path.join(self.bdir, "nullkernel.elf")]

    @staticmethod
    def null_ok(r):
        # isa-debug-exit makes QEMU exit with (value << 1) | 1: always odd.
        return r.rc is not None and r.rc % 2 == 1

    # -- Linux
    def linux_append(self, init_args):
        parts = ["console=ttyS0", "quiet", "panic=-1", "printk.time=1"]
        if self.tsc_khz:
            parts.append("tsc_early_khz=%d" % self.tsc_khz)
        return " ".join(parts + ["--"] + init_args)

    def linux_cmd(self, mem, init_args, pvh=False):
        kernel = self.vmlinux if pvh else self.vmlinuz
        return self.qemu_base(mem) + ["-kernel", kernel, "-initrd", self.initramfs,
                                      "-append", self.linux_append(init_args)]

    @staticmethod
    def linux_ok(r, need_hello=True):
        # Our /init powers off through isa-debug-exit with the program's status 0.
        return r.rc == 1 and (not need_hello or HELLO_TEXT in r.out)

    # -- UniELF
    def unielf_cmd(self, mem, prog_args, verbose=False, files=(), control=None):
        cmd = [self.unielf, "run", "--mem", str(mem), "--accel", self.a.accel]
        if verbose:
            cmd.append("--verbose")
        for f in files:
            cmd += ["--file", f]
        if control:
            cmd += ["--control", control]
        return cmd + prog_args

    @staticmethod
    def unielf_ok(r, need_hello=True):
        return r.rc == 0 and (not need_hello or HELLO_TEXT in r.out)

    def unielf_why(self, r):
        if r.timed_out:
            return "timed out"
        line = ""
        for l in r.err.decode("utf-8", "replace").splitlines():
            if l.startswith("unielf:") and "starting" not in l:
                line = l.strip()
        return "exit %s%s" % (r.rc, (": " + line[:90]) if line else "")

    def unielf_missing(self):
        for f in (self.unielf, self.kernel_elf):
            if not os.path.exists(f):
                return "%s not built" % f
        return None


def host_tsc_khz():
    """The host's TSC rate, for the Linux guest under TCG (see README: microvm has
    no PM timer or HPET, and PIT calibration of the TSC fails at random under
    TCG, after which Debian's kernel hangs)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return int(float(line.split(":")[1]) * 1000)
    except OSError:
        pass
    return None


# ------------------------------------------------------------------ Linux baseline

def fetch_linux(bdir):
    """Returns the path of Debian's vmlinuz under bdir/linux, downloading the
    package once (apt-get download; dpkg-deb -x; never installed on the host)."""
    ldir = os.path.join(bdir, "linux")
    os.makedirs(ldir, exist_ok=True)
    for f in sorted(os.listdir(ldir)):
        if f.startswith("vmlinuz-"):
            return os.path.join(ldir, f), f[len("vmlinuz-"):]
    dep = subprocess.run(["apt-cache", "depends", LINUX_PKG], capture_output=True,
                         text=True, check=True).stdout
    m = re.search(r"Depends: (linux-image-\S+)", dep)
    if not m:
        raise RuntimeError("apt-cache depends %s: no linux-image dependency" % LINUX_PKG)
    pkg = m.group(1)
    log("downloading %s (apt-get download)" % pkg)
    subprocess.run(["apt-get", "download", "-qq", pkg], cwd=ldir, check=True,
                   stdout=subprocess.DEVNULL)
    debs = [f for f in os.listdir(ldir) if f.startswith(pkg + "_") and f.endswith(".deb")]
    if not debs:
        raise RuntimeError("apt-get download %s produced no .deb" % pkg)
    xdir = os.path.join(ldir, "x")
    shutil.rmtree(xdir, ignore_errors=True)
    subprocess.run(["dpkg-deb", "-x", os.path.join(ldir, debs[0]), xdir], check=True)
    kver = None
    for f in os.listdir(os.path.join(xdir, "boot")):
        if f.startswith("vmlinuz-"):
            kver = f[len("vmlinuz-"):]
            shutil.copy(os.path.join(xdir, "boot", f), ldir)
        if f.startswith("config-"):
            shutil.copy(os.path.join(xdir, "boot", f), ldir)
    try:  # the few modules the network rows' guest loads (virtio-mmio, virtio-net)
        netbench.keep_net_modules(xdir, ldir)
    except (RuntimeError, OSError) as e:
        log("no virtio-net modules kept: %s" % e)
    shutil.rmtree(xdir)  # the other modules: not needed, hundreds of MiB
    os.unlink(os.path.join(ldir, debs[0]))
    if not kver:
        raise RuntimeError("%s holds no /boot/vmlinuz-*" % pkg)
    return os.path.join(ldir, "vmlinuz-" + kver), kver


def has_pvh_note(path):
    """True when the ELF at path has a Xen note of type 18 (XEN_ELFNOTE_PHYS32_ENTRY)
    in a PT_NOTE segment: QEMU can then boot it directly, as it boots UniELF."""
    with open(path, "rb") as f:
        d = f.read()
    if d[:4] != b"\x7fELF" or d[4] != 2:
        return False
    phoff, = struct.unpack_from("<Q", d, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", d, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", d, phoff + i * phentsize)
        if p_type != 4:
            continue
        off, end = p_offset, p_offset + p_filesz
        while off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", d, off)
            name = d[off + 12:off + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == 18:
                return True
            off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False


def extract_vmlinux(vmlinuz, out):
    """Decompresses the vmlinux ELF inside a bzImage (Debian's is XZ-compressed).
    Returns out, or None when it is not there or carries no PVH entry note."""
    if os.path.exists(out):
        return out if has_pvh_note(out) else None
    with open(vmlinuz, "rb") as f:
        d = f.read()
    i = d.find(b"\xfd7zXZ\x00")
    if i < 0:
        return None
    try:
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(d[i:])
    except lzma.LZMAError:
        return None
    with open(out + ".tmp", "wb") as f:
        f.write(elf)
    os.rename(out + ".tmp", out)
    return out if has_pvh_note(out) else None


def make_initramfs(bdir, out):
    """cpio newc, uncompressed (like UniELF's initrd): /init, /bin/hello,
    /bin/ubench, /bin/procbench, /bin/tiny and the empty mount points.  /init mounts devtmpfs for its console,
    so the archive needs no device nodes and no root privileges."""
    root = os.path.join(bdir, "initramfs")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "dev", "proc", "tmp"):
        os.makedirs(os.path.join(root, d))
    shutil.copy(os.path.join(bdir, "init"), os.path.join(root, "init"))
    for p in ("hello", "ubench", "procbench", "tiny"):
        shutil.copy(os.path.join(bdir, p), os.path.join(root, "bin", p))
    names = subprocess.run(["find", "."], cwd=root, capture_output=True, check=True).stdout
    names = b"\n".join(sorted(names.split())) + b"\n"
    with open(out, "wb") as f:
        subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], cwd=root,
                       input=names, stdout=f, check=True)


# ------------------------------------------------------------------ statistics

class Stat:
    """A measure for one guest: a list of samples, or why there are none."""

    def __init__(self, samples=None, why=None, unit="", exact=False):
        self.samples = samples or []
        self.why = why
        self.unit = unit
        self.exact = exact  # a single figure (sizes, bisection), not a sample set
        self.detail = None

    @property
    def ok(self):
        return bool(self.samples)

    def median(self):
        return statistics.median(self.samples)

    def cell(self):
        if not self.samples:
            return "n/a (%s)" % (self.why or "not measured")
        if self.exact:
            s = fmt(self.samples[0], self.unit)
            return s + (" (%s)" % self.detail if self.detail else "")
        s = sorted(self.samples)
        return "%s [%s–%s] n=%d" % (fmt(self.median(), self.unit), fmt(s[0], ""),
                                   fmt(s[-1], ""), len(s))


def fmt(v, unit):
    if unit == "B":
        return "%.2f MiB" % (v / 1048576.0) if v >= 1048576 else "%.0f KiB" % (v / 1024.0)
    if abs(v) >= 100:
        s = "%.0f" % v
    elif abs(v) >= 10:
        s = "%.1f" % v
    else:
        s = "%.3g" % v
    return s + (" " + unit if unit else "")


# ------------------------------------------------------------------ the measures

class Bench:
    def __init__(self, a):
        self.a = a
        self.g = Guests(a)
        self.rows = []
        self.notes = []
        self.unielf_dead = None  # why UniELF cannot run hello, once known
        self.linux_dead = None
        self.failures = {}

    def failed(self, what, r, why=None):
        """Records a failed run for the notes under the table (counts and last reason)."""
        if not why:
            why = "timed out" if r.timed_out else "rc %s, last line: %s" % (
                r.rc, last_line(r.out))
        n = self.failures.get(what, (0, ""))[0]
        self.failures[what] = (n + 1, why)

    # -- whole run of hello, and QEMU start -> "hello, world" on stdout
    def hello_runs(self):
        g, n, mem = self.g, self.a.runs, self.a.mem
        null, lin, uni, pvh = [], [], [], []
        lin_first, uni_first, pvh_first = [], [], []
        why_null = why_lin = None
        self.pvh_dead = None if g.vmlinux else "no vmlinux with a PVH note"
        self.unielf_dead = g.unielf_missing()
        self.linux_dead = self.linux_dead
        to_lin = self.a.timeout_linux
        for i in range(n):
            log("hello run %d/%d" % (i + 1, n))
            r = run_cmd(g.null_cmd(mem), 30)
            if g.null_ok(r):
                null.append(r.wall)
            else:
                why_null = "null kernel: rc %s" % r.rc
            if not self.linux_dead:
                r = run_cmd(g.linux_cmd(mem, ["/bin/hello"]), to_lin)
                if g.linux_ok(r):
                    lin.append(r.wall)
                    lin_first.append(r.t_hello)
                else:
                    self.failed("Linux hello", r)
                if not lin and i == 0:
                    self.linux_dead = "Linux guest failed: %s" % (
                        "timed out" if r.timed_out else "rc %s, %s" % (r.rc, first_line(r.out)))
                    why_lin = self.linux_dead
            if not self.linux_dead and not self.pvh_dead:
                r = run_cmd(g.linux_cmd(mem, ["/bin/hello"], pvh=True), to_lin)
                if g.linux_ok(r):
                    pvh.append(r.wall)
                    pvh_first.append(r.t_hello)
                else:
                    self.failed("Linux-PVH hello", r)
                if not pvh and i == 0:
                    self.pvh_dead = "PVH boot failed: %s" % (
                        "timed out" if r.timed_out else "rc %s, %s" % (r.rc, first_line(r.out)))
            if not self.unielf_dead:
                r = run_cmd(g.unielf_cmd(mem, [os.path.join(g.bdir, "hello")]), 60)
                if g.unielf_ok(r):
                    uni.append(r.wall)
                    uni_first.append(r.t_hello)
                else:
                    self.failed("UniELF hello", r, g.unielf_why(r))
                if not uni and i == 0:
                    self.unielf_dead = "unielf run: %s" % g.unielf_why(r)
        why_uni = self.unielf_dead
        why_pvh = self.linux_dead or self.pvh_dead
        self.rows.append(("hello: whole run, launch to exit (qemu or unielf run)", "s", "lower",
                          Stat(uni, why_uni, "s"), Stat(lin, why_lin or self.linux_dead, "s"),
                          Stat(pvh, why_pvh, "s"), Stat(null, why_null, "s")))
        self.rows.append(("hello: launch to \"hello, world\" on host stdout", "s",
                          "lower", Stat(uni_first, why_uni, "s"),
                          Stat(lin_first, why_lin or self.linux_dead, "s"),
                          Stat(pvh_first, why_pvh, "s"), None))
        self.linux_hello_median = statistics.median(lin) if lin else None
        self.unielf_hello_median = statistics.median(uni) if uni else None

    # -- guest time from kernel entry to the program's first instruction
    def boot_runs(self):
        g, n, mem = self.g, self.a.runs, self.a.mem
        lin, uni, pvh = [], [], []
        why_lin, why_uni = self.linux_dead, self.unielf_dead
        why_pvh = self.linux_dead or self.pvh_dead
        for i in range(n):
            log("boot-time run %d/%d" % (i + 1, n))
            for is_pvh in (False, True):
                if (why_pvh if is_pvh else why_lin):
                    continue
                r = run_cmd(g.linux_cmd(mem, ["-b", "/bin/hello"], pvh=is_pvh),
                            self.a.timeout_linux)
                vals = [float(m.group(3)) for m in BENCH_LINE.finditer(r.out)
                        if m.group(1) == b"linux_run_init"]
                if g.linux_ok(r) and vals:
                    (pvh if is_pvh else lin).append(vals[0])
                elif i == 0:
                    why = "no Run /init timestamp (rc %s)" % r.rc
                    if is_pvh:
                        why_pvh = why
                    else:
                        why_lin = why
            if not why_uni:
                r = run_cmd(g.unielf_cmd(mem, [os.path.join(g.bdir, "hello")], verbose=True),
                            60)
                m = UNIELF_BOOT.search(r.err)
                qline = re.search(rb"unielf: starting (.*)", r.err)
                if qline and not g.unielf_qemu_line:
                    g.unielf_qemu_line = qline.group(1).decode("utf-8", "replace")
                if g.unielf_ok(r) and m:
                    uni.append(float(m.group(1)))
                elif i == 0:
                    why_uni = ("kernel prints no `boot: entry to user N us`"
                               if g.unielf_ok(r) else g.unielf_why(r))
        self.rows.append(("boot: guest time, kernel entry to program's first instruction",
                          "us", "lower", Stat(uni, why_uni, "us"), Stat(lin, why_lin, "us"),
                          Stat(pvh, why_pvh, "us"), None))

    # -- in-guest micro-benchmarks: one boot per guest, ubench repeats each measure
    def ubench_runs(self):
        g, n, mem = self.g, self.a.runs, self.a.mem
        # Two boots per guest, alternating (Linux, UniELF, Linux, UniELF), each
        # running half the repetitions: a spell of load on the host then falls on
        # both guests rather than on one.
        chunks = [n - n // 2, n // 2] if n > 1 else [n]
        res = {"unielf": ({}, self.unielf_dead), "linux": ({}, self.linux_dead)}
        if not self.unielf_dead and g.unielf_missing():
            res["unielf"] = ({}, g.unielf_missing())

        def merge(guest, r, ok, why):
            vals, old_why = res[guest]
            for k, v in parse_bench(r.out).items():
                if k == "_error":
                    vals.setdefault(k, v)
                else:
                    vals.setdefault(k, []).extend(v)
            res[guest] = (vals, old_why or (None if ok else why))

        for c, reps in enumerate(chunks):
            args = ["all", str(reps)]
            if not self.linux_dead:
                log("ubench in the Linux guest, boot %d/%d (%d reps)" % (c + 1, len(chunks), reps))
                r = run_cmd(g.linux_cmd(mem, ["/bin/ubench"] + args), self.a.timeout_ubench)
                merge("linux", r, g.linux_ok(r, False),
                      "timed out" if r.timed_out else "rc %s" % r.rc)
            if not self.unielf_dead and not g.unielf_missing():
                log("ubench in UniELF, boot %d/%d (%d reps)" % (c + 1, len(chunks), reps))
                r = run_cmd(g.unielf_cmd(mem, [os.path.join(g.bdir, "ubench")] + args),
                            self.a.timeout_ubench)
                merge("unielf", r, g.unielf_ok(r, False), g.unielf_why(r))

        def stat(guest, name, unit):
            vals, why = res[guest]
            if name in vals:
                return Stat(vals[name], None, unit)
            err = vals.get("_error")
            return Stat([], why or err or "no %s result" % name, unit)

        for name, label, unit, better in (
                ("syscall_getppid", "syscall: getppid() round trip (1e6 calls)", "ns", "lower"),
                ("compute_hash", "compute: hash of a 64 MiB buffer", "MiB/s", "higher"),
                ("file_write", "file: write 32 MiB to /tmp (ramfs / tmpfs)", "MiB/s", "higher"),
                ("file_read", "file: read it back", "MiB/s", "higher")):
            self.rows.append((label, unit, better, stat("unielf", name, unit),
                              stat("linux", name, unit), None, None))

    # -- process, thread and signal micro-benchmarks: procbench, one boot per sample
    PROC_ROWS = (
        # procbench's measure, its BENCH name, label, unit, better
        ("fork", "proc_fork", "fork + _exit + waitpid (200 per boot)", "us", "lower"),
        ("vfork", "proc_vfork_exec",
         "vfork + execve /bin/tiny (static) + waitpid (100 per boot)", "us", "lower"),
        ("spawn", "proc_spawn", "posix_spawn /bin/tiny + waitpid (100 per boot)", "us",
         "lower"),
        ("pingpong", "proc_pipe_pingpong",
         "pipe ping-pong, 1-byte round trips between two processes (4000)", "rt/s",
         "higher"),
        ("pipe", "proc_pipe_throughput",
         "pipe throughput, 64 KiB writes to a reading child (16 MiB)", "MiB/s", "higher"),
        ("thread", "proc_thread", "pthread_create + pthread_join (400 per boot)", "us",
         "lower"),
        ("futex", "proc_futex_pingpong",
         "futex hand-off ping-pong between two threads (8000)", "rt/s", "higher"),
        ("signal", "proc_signal",
         "signal: kill(self, SIGUSR1) to a handler, round trip (5000)", "us", "lower"),
    )

    def proc_runs(self):
        g, n, mem = self.g, self.a.runs, self.a.mem
        # One sample per boot, BENCH_RUNS boots per guest, alternating Linux and
        # UniELF as the hello runs do: the spread is across boots (where fork's and
        # exec's costs can differ with memory layout), and load on the host falls on
        # both guests.  Each boot runs every measure once, many iterations each.
        res = {"unielf": ({}, self.unielf_dead or g.unielf_missing()),
               "linux": ({}, self.linux_dead)}
        errs = {"unielf": {}, "linux": {}}
        tiny = os.path.join(g.bdir, "tiny")

        def merge(guest, r, why):
            # A measure that fails prints BENCH-ERROR and procbench goes on with the
            # next one: its row says why.  A boot that ends before BENCH-DONE
            # (crash, timeout) is a failed run; the measures it finished still count.
            vals, old_why = res[guest]
            for k, v in parse_bench(r.out).items():
                if k != "_error":
                    vals.setdefault(k, []).extend(v)
            for m in PROC_ERROR.finditer(r.out):
                errs[guest].setdefault(m.group(1).decode(), m.group(2).decode(
                    "utf-8", "replace")[:80])
            if b"BENCH-DONE" not in r.out:
                self.failed("%s procbench boot (incomplete; its finished measures are "
                            "kept)" % ("UniELF" if guest == "unielf" else "Linux"), r, why)
                res[guest] = (vals, old_why or (why if not vals else None))

        for i in range(n):
            log("procbench run %d/%d" % (i + 1, n))
            if not res["linux"][1]:
                r = run_cmd(g.linux_cmd(mem, ["/bin/procbench", "all", "1"]),
                            self.a.timeout_ubench)
                merge("linux", r, "timed out" if r.timed_out else "rc %s, last line: %s" % (
                    r.rc, last_line(r.out)))
            if not res["unielf"][1]:
                r = run_cmd(g.unielf_cmd(mem, [os.path.join(g.bdir, "procbench"), "all", "1"],
                                         files=["%s:/bin/tiny" % tiny]),
                            self.a.timeout_ubench)
                merge("unielf", r, g.unielf_why(r))

        def stat(guest, short, name, unit):
            vals, why = res[guest]
            if vals.get(name):
                return Stat(vals[name], None, unit)
            if short in errs[guest]:
                return Stat([], "procbench: " + errs[guest][short], unit)
            return Stat([], why or "no %s result" % name, unit)

        for guest, who in (("unielf", "UniELF"), ("linux", "Linux")):
            for short, why in sorted(errs[guest].items()):
                name = [row[1] for row in self.PROC_ROWS if row[0] == short]
                if name and res[guest][0].get(name[0]):
                    self.notes.append("%s procbench %s failed in some boot(s), which are "
                                      "left out: %s" % (who, short, why))
        for short, name, label, unit, better in self.PROC_ROWS:
            self.rows.append((label, unit, better, stat("unielf", short, name, unit),
                              stat("linux", short, name, unit), None, None))

    # -- the control channel, host side: unielf spawn and unielf upgrade
    def control_runs(self):
        g, n, mem = self.g, self.a.runs, self.a.mem
        spawn, upgrade = [], []
        why = self.unielf_dead or g.unielf_missing()
        if not why:
            h = subprocess.run([g.unielf, "--help"], capture_output=True, text=True)
            if not re.search(r"\bspawn\b", h.stdout + h.stderr) or not re.search(
                    r"\bupgrade\b", h.stdout + h.stderr):
                why = "unielf has no spawn/upgrade command yet"
        hello = os.path.join(g.bdir, "hello")
        sdir = tempfile.mkdtemp(prefix="unielf-bench-")
        sock = os.path.join(sdir, "ctl.sock")
        ctl_timeout = 60
        for i in range(n if not why else 0):
            log("control run %d/%d (unielf spawn, unielf upgrade)" % (i + 1, n))
            if os.path.exists(sock):
                os.unlink(sock)
            cmd = g.unielf_cmd(mem, [os.path.join(g.bdir, "idle-v1")], control=sock)
            vm = LiveVM(cmd)
            try:
                at = vm.wait_for(b"idle v1 ready upgraded=0\n", 60)
                if at is None:
                    self.failed("UniELF control VM", None, "main program not ready: %s" %
                                vm.tail())
                    continue
                r = run_cmd([g.unielf, "spawn", sock, hello], ctl_timeout, marker=b"\n")
                if r.rc == 0 and re.match(rb"\d+\n", r.out) and vm.wait_for(
                        HELLO_TEXT, 30, at) is not None:
                    spawn.append(r.t_hello)
                else:
                    self.failed("unielf spawn", r, "rc %s: %s" % (
                        r.rc, last_line(r.err or r.out) or "no hello, world from the VM"))
                # --grace 0: the reply comes as soon as the new version runs.
                r = run_cmd([g.unielf, "upgrade", sock, "--grace", "0",
                             os.path.join(g.bdir, "idle-v2")], ctl_timeout)
                if r.rc == 0 and vm.wait_for(b"idle v2 ready upgraded=1\n", 30,
                                             at) is not None:
                    upgrade.append(r.wall)
                else:
                    self.failed("unielf upgrade", r, "rc %s: %s" % (
                        r.rc, last_line(r.err or r.out) or "no v2 line from the VM"))
            finally:
                rc = vm.finish(30)
                if rc != 0:
                    self.failed("UniELF control VM", None, "exit %s: %s" % (rc, vm.tail()))
        shutil.rmtree(sdir, ignore_errors=True)
        if not why and not spawn and not upgrade:
            why = "every control run failed (see the notes)"
        self.rows.append(("unielf spawn SOCKET hello: host, launch to pid printed", "s",
                          "lower", Stat(spawn, why or "every spawn failed", "s"), None, None,
                          None))
        self.rows.append(("unielf upgrade SOCKET --grace 0 to a new static version: host, "
                          "launch to reply", "s", "lower",
                          Stat(upgrade, why or "every upgrade failed", "s"), None, None, None))

    # -- live patching (UniELF only): pause in the guest, host latency
    def livepatch_runs(self):
        g, n, mem = self.g, self.a.runs, self.a.mem
        pause, lat = [], []
        why = self.unielf_dead or g.unielf_missing()
        prog, fix = os.path.join(g.bdir, "lptarget"), os.path.join(g.bdir, "lpfix.so")
        sdir = tempfile.mkdtemp(prefix="unielf-bench-")
        sock = os.path.join(sdir, "lp.sock")
        for i in range(n if not why else 0):
            log("live-patch run %d/%d (12 unielf patch + revert)" % (i + 1, n))
            if os.path.exists(sock):
                os.unlink(sock)
            vm = LiveVM(g.unielf_cmd(mem, [prog], control=sock))
            try:
                if vm.wait_for(b"lp value 1\n", 60) is None:
                    self.failed("UniELF live-patch VM", None, "not ready: %s" % vm.tail())
                    continue
                for _ in range(12):
                    r = run_cmd([g.unielf, "patch", sock, fix], 60, marker=b"\n")
                    m = re.search(rb"pause_us (\d+)", r.out + r.err)
                    pid = re.search(rb"^patch (\d+)", r.out + r.err, re.M)
                    if r.rc != 0 or not m or not pid:
                        self.failed("unielf patch", r, "rc %s: %s" % (
                            r.rc, last_line(r.err or r.out)))
                        break
                    pause.append(float(m.group(1)))
                    lat.append(r.wall)
                    r = run_cmd([g.unielf, "revert", sock, pid.group(1).decode()], 60,
                                marker=b"\n")
                    if r.rc != 0:
                        self.failed("unielf revert", r, "rc %s: %s" % (
                            r.rc, last_line(r.err or r.out)))
                        break
            finally:
                vm.finish(1)   # the target never exits: killed after 1 s
        shutil.rmtree(sdir, ignore_errors=True)
        if not why and not pause:
            why = "every live-patch run failed (see the notes)"
        self.rows.append(("unielf patch: pause, all threads stopped to resumed (guest, "
                          "pause_us of the reply; 12 patches per boot)", "us", "lower",
                          Stat(pause, why or "no pause", "us"), None, None, None))
        self.rows.append(("unielf patch SOCKET fix.so: host, launch to reply", "s", "lower",
                          Stat(lat, why or "no patch", "s"), None, None, None))

    # -- smallest memory that runs hello, by bisection
    def mem_bisect(self):
        g = self.g
        lo_start, hi_start = self.a.mem_lo, self.a.mem

        def bisect(ok):
            # Invariant: hi runs hello (it is the size every other measure used);
            # lo does not (checked first).
            if ok(lo_start):
                return lo_start, "runs at the lowest size tried"
            lo, hi = lo_start, hi_start
            while hi - lo > 1:
                if self.over_budget():
                    return hi, "bisection cut short by the time budget: between %d and %d MiB" % (
                        lo + 1, hi)
                mid = (lo + hi) // 2
                if ok(mid):
                    hi = mid
                else:
                    lo = mid
            return hi, None

        lto = max(30.0, 3 * (self.linux_hello_median or 10.0))
        uto = max(20.0, 5 * (self.unielf_hello_median or 10.0))
        uni = lin = None
        why_lin, why_uni = self.linux_dead, self.unielf_dead
        if not why_lin:
            log("memory bisection, Linux guest")

            fails = {}

            def lin_ok(m):
                for _ in range(2):  # near the edge KASLR makes single boots flaky
                    r = run_cmd(g.linux_cmd(m, ["/bin/hello"]), lto)
                    log("  linux -m %d: %s" % (m, "ok" if g.linux_ok(r) else "fails"))
                    if not g.linux_ok(r):
                        fails[m] = "timed out" if r.timed_out else "rc %s, last line: %s" % (
                            r.rc, last_line(r.out))
                        return False
                return True
            v, note = bisect(lin_ok)
            lin = Stat([v], None, "MiB", exact=True)
            if note:
                self.notes.append("Linux smallest memory: " + note)
            if v - 1 in fails:
                self.notes.append("Linux guest at %d MiB: %s" % (v - 1, fails[v - 1]))
        if not why_uni:
            log("memory bisection, UniELF")

            ufails = {}

            def uni_ok(m):
                for _ in range(2):
                    r = run_cmd(g.unielf_cmd(m, [os.path.join(g.bdir, "hello")]), uto)
                    log("  unielf --mem %d: %s" % (m, "ok" if g.unielf_ok(r) else "fails"))
                    if not g.unielf_ok(r):
                        ufails[m] = g.unielf_why(r)
                        return False
                return True
            v, note = bisect(uni_ok)
            uni = Stat([v], None, "MiB", exact=True)
            if note:
                self.notes.append("UniELF smallest memory: " + note)
            if v - 1 in ufails:
                self.notes.append("UniELF at %d MiB: %s" % (v - 1, ufails[v - 1]))
        self.rows.append(("memory: smallest that runs hello twice in a row (bisection, 1 MiB)", "MiB",
                          "lower", uni or Stat([], why_uni), lin or Stat([], why_lin), None, None))

    def sizes(self):
        g = self.g
        uni = (Stat([os.path.getsize(g.kernel_elf)], None, "B", exact=True)
               if os.path.exists(g.kernel_elf) else Stat([], "kernel.elf not built"))
        lin = Stat([], self.linux_dead or "no vmlinuz")
        pvh = Stat([], "no vmlinux with a PVH note")
        if g.vmlinuz and os.path.exists(g.initramfs):
            rd = os.path.getsize(g.initramfs)
            lin = Stat([os.path.getsize(g.vmlinuz) + rd], None, "B", exact=True)
            lin.detail = "vmlinuz %s + initramfs %s" % (fmt(os.path.getsize(g.vmlinuz), "B"),
                                                        fmt(rd, "B"))
            if g.vmlinux:
                pvh = Stat([os.path.getsize(g.vmlinux) + rd], None, "B", exact=True)
                pvh.detail = "vmlinux %s + initramfs" % fmt(os.path.getsize(g.vmlinux), "B")
        self.rows.append(("image: kernel.elf / vmlinuz + initramfs", "B", "lower", uni, lin,
                          pvh, None))

    # -- nginx and redis over QEMU's user network (bench/netbench.py)
    def net_runs(self):
        netbench.net_runs(self, Stat, LiveVM, run_cmd)

    def over_budget(self):
        return time.monotonic() - self.t0 > self.a.budget

    def check_unielf_qemu(self):
        """Warns in the output when UniELF's own QEMU line (printed by --verbose)
        differs from the baselines' in machine, CPU, accelerator, memory or vCPUs."""
        line = self.g.unielf_qemu_line
        if not line:
            return
        theirs = line.split()
        ours = self.g.qemu_base(self.a.mem)
        for opt in ("-M", "-cpu", "-accel", "-m", "-smp"):
            a = theirs[theirs.index(opt) + 1] if opt in theirs[:-1] else None
            b = ours[ours.index(opt) + 1]
            if a != b:
                self.notes.append("WARNING: UniELF runs QEMU with %s %s, the baselines with "
                                  "%s %s: the comparison is not like for like" % (opt, a, opt, b))

    def run(self):
        self.t0 = t0 = time.monotonic()
        try:
            with open("/proc/loadavg") as f:
                self.loadavg = " ".join(f.read().split()[:3])
        except OSError:
            self.loadavg = "unknown"
        g = self.g
        try:
            g.vmlinuz, self.kver = fetch_linux(g.bdir)
            make_initramfs(g.bdir, g.initramfs)
            g.vmlinux = extract_vmlinux(g.vmlinuz, os.path.join(g.bdir, "linux", "vmlinux"))
        except (subprocess.CalledProcessError, RuntimeError, OSError) as e:
            self.linux_dead = "no Debian kernel: %s" % e
            self.kver = None
        only = self.a.only
        self.unielf_dead = g.unielf_missing()
        self.linux_hello_median = self.unielf_hello_median = None
        for group, measure in (("hello", self.hello_runs), ("boot", self.boot_runs),
                               ("ubench", self.ubench_runs), ("proc", self.proc_runs),
                               ("control", self.control_runs),
                               ("livepatch", self.livepatch_runs),
                               ("net", self.net_runs), ("mem", self.mem_bisect),
                               ("sizes", self.sizes)):
            if not only or group in only:
                measure()
        self.check_unielf_qemu()
        try:
            with open("/proc/loadavg") as f:
                self.loadavg_end = " ".join(f.read().split()[:3])
            la = max(float(self.loadavg.split()[0]), float(self.loadavg_end.split()[0]))
            if la > (os.cpu_count() or 1) * 0.75:
                self.notes.append(
                    "WARNING: host load average %.1f on %d cores (start %s, end %s): other "
                    "work competed with the guests; figures are noisy, rerun on an idle "
                    "machine before quoting them" % (la, os.cpu_count() or 1, self.loadavg,
                                                     self.loadavg_end))
        except (OSError, ValueError, AttributeError):
            pass
        for what, (n, why) in sorted(self.failures.items()):
            self.notes.append("%d %s run(s) failed and are not in the figures (last: %s)" % (
                n, what, why))
        self.elapsed = time.monotonic() - t0


def parse_bench(out):
    vals = {}
    for m in BENCH_LINE.finditer(out):
        vals.setdefault(m.group(1).decode(), []).append(float(m.group(3)))
    err = re.search(rb"^BENCH-ERROR (.*)$", out, re.M)
    if err:
        vals["_error"] = err.group(1).decode("utf-8", "replace")[:80]
    return vals


# ------------------------------------------------------------------ output

def machine_description(a, g, kver, loadavg):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    qv = subprocess.run([g.qemu, "--version"], capture_output=True, text=True).stdout
    qv = qv.splitlines()[0] if qv else "unknown"
    return [
        ("date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
        ("host", "%s, %s, %d cores (os.cpu_count), Linux %s" % (
            platform.node() or "?", cpu, os.cpu_count() or 0, platform.release())),
        ("QEMU", qv),
        ("accelerator", a.accel.upper() + (" (no /dev/kvm here)" if a.accel == "tcg" and
                                           not os.path.exists("/dev/kvm") else "")),
        ("machine", "-M %s -cpu %s -smp 1 -m %d (all three guests)" % (g.machine, g.cpu, a.mem)),
        ("Linux guest", "Debian %s (%s), bzImage booted by microvm's qboot via fw_cfg" % (
            LINUX_PKG, kver or "not available")),
        ("Linux command line", g.linux_append(["/bin/hello"])),
        ("Linux via PVH", "the vmlinux ELF inside that vmlinuz (XZ-decompressed by the "
         "runner), booted like UniELF through its XEN_ELFNOTE_PHYS32_ENTRY note: no firmware "
         "bzImage setup, no decompressor" if g.vmlinux else "not available"),
        ("runs", "%d per measure (median [min–max]); host load average at start: %s" % (
            a.runs, loadavg)),
    ] + ([("network rows", "%d boots per guest and server; wrk %d s, redis-benchmark -n %d; "
           "QEMU user networking, virtio-net-device, a host port forwarded" % (
               a.net_runs, a.net_seconds, a.net_requests))]
         if not a.only or "net" in a.only else []) + (
        [("only", ", ".join(a.only))] if a.only else [])


def render(b):
    a, g = b.a, b.g
    lines = ["# UniELF vs Linux guest — `make bench`", ""]
    for k, v in machine_description(a, g, b.kver, b.loadavg):
        lines.append("- **%s:** %s" % (k, v))
    if g.unielf_qemu_line:
        lines.append("- **UniELF's QEMU line (from --verbose):** `%s`" % g.unielf_qemu_line)
    lines += ["", "| measure | UniELF | Linux guest | ratio UniELF/Linux | floor (null kernel) "
              "| Linux booted via PVH | ratio UniELF/Linux-PVH |",
              "|---|---|---|---|---|---|---|"]

    def ratio(u, l, better):
        if u.ok and l is not None and l.ok and l.median():
            text = "%.3g (%s is better)" % (u.median() / l.median(), better)
            if not u.exact and len(u.samples) > 1 and len(l.samples) > 1:
                # Host load only ever slows a guest down: the best runs are the
                # least disturbed, a useful second look on a busy machine.
                pick = min if better == "lower" else max
                text += "; best runs %.3g" % (pick(u.samples) / pick(l.samples))
            return text
        return "n/a"

    for label, unit, better, uni, lin, pvh, floor in b.rows:
        fl = floor.cell() if floor is not None else "—"
        pv = pvh.cell() if pvh is not None else "—"
        if lin is None:  # a UniELF-only measure: nothing in Linux to compare with
            lc, rt = "— (no Linux equivalent)", "— (%s is better)" % better
        else:
            lc, rt = lin.cell(), ratio(uni, lin, better)
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            label, uni.cell(), lc, rt, fl, pv,
            ratio(uni, pvh, better) if pvh is not None else "—"))
    lines.append("")
    for n in b.notes:
        lines.append("- " + n)
    if b.notes:
        lines.append("")
    lines.append("Under TCG the absolute times are emulation times; compare the ratios. "
                 "Method and fairness: bench/README.md. Bench took %.0f s." % b.elapsed)
    return "\n".join(lines) + "\n"


GROUPS = ("hello", "boot", "ubench", "proc", "control", "livepatch", "net", "mem", "sizes")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--accel", choices=("tcg", "kvm"), default="tcg")
    ap.add_argument("--mem", type=int, default=256, help="MiB, for every guest")
    ap.add_argument("--mem-lo", type=int, default=4, help="bisection lower bound, MiB")
    ap.add_argument("--timeout-linux", type=float, default=90.0)
    ap.add_argument("--timeout-ubench", type=float, default=240.0)
    ap.add_argument("--budget", type=float, default=780.0,
                    help="seconds; past it the memory bisection stops early")
    ap.add_argument("--out", default="bench/results/latest.md")
    ap.add_argument("--only", default="",
                    help="comma-separated measure groups to run: " + ",".join(GROUPS) +
                    " (default: all); the table then has only their rows")
    ap.add_argument("--net-runs", type=int, default=3,
                    help="boots per guest and server for the network rows")
    ap.add_argument("--net-seconds", type=int, default=10, help="wrk's duration")
    ap.add_argument("--net-requests", type=int, default=10000,
                    help="redis-benchmark -n, per command")
    a = ap.parse_args()
    a.only = [g for g in a.only.split(",") if g]
    for g in a.only:
        if g not in GROUPS:
            ap.error("--only: unknown group %s (choose from %s)" % (g, ",".join(GROUPS)))
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    if a.accel == "kvm" and not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("bench: ACCEL=kvm but /dev/kvm is not usable here; run without ACCEL=kvm "
              "for the TCG table", file=sys.stderr)
        return 1
    b = Bench(a)
    b.run()
    text = render(b)
    sys.stdout.write(text)
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)
    log("table written to %s" % a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
