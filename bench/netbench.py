# SPDX-License-Identifier: MIT
"""The network rows of `make bench` (bench/run.py): Debian's nginx and redis-server
inside UniELF and inside the Linux guest, both under the same QEMU with the same
virtio-net device on QEMU's user network, driven from the host through a forwarded
port: wrk against nginx serving a small file, redis-benchmark against redis.

The Linux guest gets its own initramfs (build/bench/initramfs-net.cpio) so the other
rows keep theirs: /init (bench/init/init.c, run as `/init -n PROGRAM ...`, which
loads the virtio modules and configures eth0 10.0.2.15/24 via 10.0.2.2), the two
servers with the shared libraries ldd names, /etc/passwd, group, nsswitch.conf, the
loader cache, the configs and the served file.  UniELF gets the same configs and file
with --file.  Method: bench/README.md.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import time

NGINX = "/usr/sbin/nginx"
REDIS = "/usr/bin/redis-server"
NGINX_PORT, REDIS_PORT = 8080, 6379  # in the guests
NET_MODULES = ("virtio_mmio", "virtio_net")
SMALL_FILE = b"<html><body>hello from the bench</body></html>\n"  # 48 bytes
NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr notice;
events { worker_connections 256; }
http {
    default_type text/html;
    access_log off;
    keepalive_requests 100000;
    client_body_temp_path /tmp/nginx-body;
    proxy_temp_path /tmp/nginx-proxy;
    fastcgi_temp_path /tmp/nginx-fastcgi;
    uwsgi_temp_path /tmp/nginx-uwsgi;
    scgi_temp_path /tmp/nginx-scgi;
    server {
        listen %d;
        root /bench-www;
    }
}
""" % NGINX_PORT
REDIS_CONF = """\
port %d
bind 0.0.0.0
protected-mode no
save ""
appendonly no
daemonize no
loglevel notice
logfile ""
""" % REDIS_PORT
CONF_DIR = "/etc/unielf-bench"


def log(msg):
    print("bench: " + msg, file=__import__("sys").stderr, flush=True)


# ------------------------------------------------------------------ the Linux guest's files

def module_depends(path):
    with open(path, "rb") as f:
        m = re.search(rb"(?:^|\x00)depends=([^\x00]*)\x00", f.read())
    return [d.replace("-", "_") for d in m.group(1).decode().split(",") if d] if m else []


def keep_net_modules(xdir, ldir):
    """From an unpacked linux-image package (xdir), keeps the modules virtio-net on
    virtio-mmio needs in ldir/modules/, with `order` listing them dependencies
    first (the package has no modules.dep: depmod makes it at install time)."""
    index = {}
    for dirpath, _, names in os.walk(os.path.join(xdir, "lib", "modules")):
        for n in names:
            if n.endswith(".ko"):
                index[n[:-3].replace("-", "_")] = os.path.join(dirpath, n)
    order = []

    def visit(name, stack=()):
        if name in order:
            return
        if name not in index or name in stack:
            raise RuntimeError("module %s: not in the package" % name)
        for d in module_depends(index[name]):
            visit(d, stack + (name,))
        order.append(name)

    for m in NET_MODULES:
        visit(m)
    mdir = os.path.join(ldir, "modules")
    shutil.rmtree(mdir, ignore_errors=True)
    os.makedirs(mdir)
    for m in order:
        shutil.copy(index[m], os.path.join(mdir, m + ".ko"))
    with open(os.path.join(mdir, "order"), "w") as f:
        f.write("".join("/modules/%s.ko\n" % m for m in order))
    return order


def ensure_net_modules(ldir, kver):
    """The modules of the cached kernel; downloads its package again (apt-get
    download, never installed) when an older run kept only vmlinuz."""
    if os.path.exists(os.path.join(ldir, "modules", "order")):
        return
    pkg = "linux-image-" + kver
    log("fetching the virtio-net modules of %s (apt-get download)" % pkg)
    tmp = os.path.join(ldir, "mods-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        subprocess.run(["apt-get", "download", "-qq", pkg], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if not debs:
            raise RuntimeError("apt-get download %s produced no .deb" % pkg)
        subprocess.run(["dpkg-deb", "-x", os.path.join(tmp, debs[0]),
                        os.path.join(tmp, "x")], check=True)
        keep_net_modules(os.path.join(tmp, "x"), ldir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ldd_closure(prog):
    """prog's shared libraries and interpreter, as ldd prints their paths."""
    out = subprocess.run(["ldd", prog], capture_output=True, text=True, check=True).stdout
    paths = []
    for line in out.splitlines():
        parts = line.split()
        p = parts[2] if len(parts) >= 3 and parts[1] == "=>" else parts[0]
        if p.startswith("/"):
            paths.append(p)
    return paths


def write_configs(bdir):
    """The nginx and redis configs and the served file, under bdir/net-files; the
    same bytes go to both guests.  Returns {guest path: host path}."""
    root = os.path.join(bdir, "net-files")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "www"))
    files = {}
    for name, data in (("nginx.conf", NGINX_CONF), ("redis.conf", REDIS_CONF)):
        p = os.path.join(root, name)
        with open(p, "w") as f:
            f.write(data)
        files[CONF_DIR + "/" + name] = p
    p = os.path.join(root, "www", "small.html")
    with open(p, "wb") as f:
        f.write(SMALL_FILE)
    files["/bench-www"] = os.path.join(root, "www")
    return files


def make_net_initramfs(bdir, ldir, files, out):
    """cpio newc for the Linux guest's network rows (see the module docstring)."""
    root = os.path.join(bdir, "initramfs-net")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "dev", "proc", "tmp", "etc", "modules"):
        os.makedirs(os.path.join(root, d))

    def put(host, guest=None):
        dst = os.path.join(root, (guest or host).lstrip("/"))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.isdir(host):
            shutil.copytree(host, dst, dirs_exist_ok=True)
        else:
            shutil.copy(host, dst)  # follows symlinks: the guest gets plain files

    shutil.copy(os.path.join(bdir, "init"), os.path.join(root, "init"))
    for prog in (NGINX, REDIS):
        put(prog)
        for lib in ldd_closure(prog):
            put(lib)
    for f in ("/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/ld.so.cache"):
        if os.path.exists(f):
            put(f)
    for guest, host in files.items():
        put(host, guest)
    for name in os.listdir(os.path.join(ldir, "modules")):
        put(os.path.join(ldir, "modules", name), "/modules/" + name)
    names = subprocess.run(["find", "."], cwd=root, capture_output=True, check=True).stdout
    names = b"\n".join(sorted(names.split())) + b"\n"
    with open(out, "wb") as f:
        subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], cwd=root,
                       input=names, stdout=f, check=True)


# ------------------------------------------------------------------ probes and load

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ready(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", "/small.html")
        r = c.getresponse()
        return r.status == 200 and r.read() == SMALL_FILE
    finally:
        c.close()


def redis_ready(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"PING\r\n")
        return s.recv(100) == b"+PONG\r\n"


def wait_ready(vm, probe, port, timeout):
    """Seconds until probe(port) held, or a reason string when it did not."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if vm.p.poll() is not None:
            return "exited %s before answering: %s" % (vm.p.returncode, vm.tail())
        try:
            if probe(port):
                return time.monotonic() - t0
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.25)
    return "no answer within %d s: %s" % (timeout, vm.tail())


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def parse_wrk(text):
    """(requests/s, p50 ms, p99 ms, errors or None) from `wrk --latency` output."""
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    lat = dict(re.findall(r"^\s+(50|99)%\s+([0-9.]+(?:us|ms|s))\s*$", text, re.M))
    errs = []
    m = re.search(r"Socket errors: (.*)", text)
    if m:
        errs.append("socket errors: " + m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        errs.append("non-2xx responses: " + m.group(1))

    def ms(v):
        n = re.match(r"([0-9.]+)(us|ms|s)$", v)
        return float(n.group(1)) * UNITS[n.group(2)]
    if not rps or "50" not in lat or "99" not in lat:
        return None, None, None, "no figures in wrk's output: " + text.strip()[-160:]
    return float(rps.group(1)), ms(lat["50"]), ms(lat["99"]), "; ".join(errs) or None


def parse_redis_benchmark(text):
    """{test: requests/s} from `redis-benchmark -q` (its progress lines end in \\r)."""
    out = {}
    for line in text.replace("\r", "\n").splitlines():
        m = re.match(r"\s*([A-Z_0-9]+)(?: \([^)]*\))?: ([0-9.]+) requests per second", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def unielf_net_missing(unielf):
    """None when `unielf run` takes -p, else why the UniELF cells are empty."""
    try:
        h = subprocess.run([unielf, "run", "--help"], capture_output=True, text=True,
                           timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "unielf run --help: %s" % e
    if not re.search(r"(^|\s)-p\b", h.stdout + h.stderr):
        return "unielf run has no -p yet (issue 7: network not landed)"
    return None


# ------------------------------------------------------------------ the measure

def net_runs(b, stat_cls, live_vm, run_cmd):
    """Adds the nginx and redis rows to bench b (a bench/run.py Bench).  stat_cls,
    live_vm and run_cmd are run.py's Stat, LiveVM and run_cmd."""
    g, a = b.g, b.a
    n, secs, reqs = a.net_runs, a.net_seconds, a.net_requests
    why_lin = b.linux_dead
    why_uni = b.unielf_dead or g.unielf_missing() or unielf_net_missing(g.unielf)
    for tool in ("wrk", "redis-benchmark"):
        if not shutil.which(tool):
            why_lin = why_uni = "%s not installed (scripts/deps)" % tool
    initrd = os.path.join(g.bdir, "initramfs-net.cpio")
    files = write_configs(g.bdir)
    if not why_lin:
        try:
            ldir = os.path.dirname(g.vmlinuz)
            ensure_net_modules(ldir, b.kver)
            make_net_initramfs(g.bdir, ldir, files, initrd)
        except (subprocess.CalledProcessError, RuntimeError, OSError) as e:
            why_lin = "no network initramfs: %s" % e
    res = {k: {"unielf": [], "linux": []} for k in ("rps", "p50", "p99", "SET", "GET")}
    dead = {"unielf": why_uni, "linux": why_lin}
    got = {(guest, what): False for guest in dead for what in ("nginx", "redis")}

    def boot(guest, port, guest_port, argv):
        if guest == "linux":
            cmd = g.qemu_base(a.mem) + [
                "-global", "virtio-mmio.force-legacy=false",
                "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:%d-:%d" % (port, guest_port),
                "-device", "virtio-net-device,netdev=net0",
                "-kernel", g.vmlinuz, "-initrd", initrd,
                "-append", g.linux_append(["-n"] + argv)]
        else:
            cmd = [g.unielf, "run", "--mem", str(a.mem), "--accel", a.accel,
                   "-p", "%d:%d" % (port, guest_port)]
            for guest_path, host in files.items():
                cmd += ["--file", "%s:%s" % (host, guest_path)]
            cmd += argv
        return live_vm(cmd)

    def one(guest, what, probe, guest_port, argv, drive):
        port = free_port()
        vm = boot(guest, port, guest_port, argv)
        try:
            t = wait_ready(vm, probe, port, 180)
            if isinstance(t, str):
                b.failed("%s %s boot" % (guest, what), None, t)
                return t
            return drive(port)
        finally:
            vm.finish(1)  # the servers never exit: killed after 1 s

    def nginx(guest):
        def drive(port):
            url = "http://127.0.0.1:%d/small.html" % port
            run_cmd(["wrk", "-t1", "-c8", "-d2s", url], 120, marker=b"\n")  # warm-up
            r = run_cmd(["wrk", "-t1", "-c8", "-d%ds" % secs, "--latency", "--timeout", "30s",
                         url], secs + 120, marker=b"\n")
            rps, p50, p99, err = parse_wrk(r.out.decode("utf-8", "replace"))
            if r.rc != 0 or rps is None or err:
                why = "wrk: rc %s, %s" % (r.rc, err or "no result")
                b.failed("%s nginx wrk" % guest, r, why)
                return why
            res["rps"][guest].append(rps)
            res["p50"][guest].append(p50)
            res["p99"][guest].append(p99)
            return None
        return one(guest, "nginx", http_ready, NGINX_PORT,
                   [NGINX, "-e", "stderr", "-p", "/tmp", "-c", CONF_DIR + "/nginx.conf"], drive)

    def redis(guest):
        def drive(port):
            r = run_cmd(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-n", str(reqs),
                         "-c", "8", "-q", "-t", "set,get"], 600, marker=b"\n")
            text = (r.out + r.err).decode("utf-8", "replace")
            vals = parse_redis_benchmark(text)
            if r.rc != 0 or "SET" not in vals or "GET" not in vals or "rror" in text:
                why = "redis-benchmark: rc %s: %s" % (r.rc, text.strip()[-120:])
                b.failed("%s redis-benchmark" % guest, r, why)
                return why
            res["SET"][guest].append(vals["SET"])
            res["GET"][guest].append(vals["GET"])
            return None
        return one(guest, "redis", redis_ready, REDIS_PORT,
                   [REDIS, CONF_DIR + "/redis.conf"], drive)

    # why a guest has no figures for a server: the first failure, and a server that
    # failed in the first round is not tried again (it will not answer later)
    why = {(guest, what): dead[guest] for guest in dead for what in ("nginx", "redis")}
    for i in range(n):
        for guest in ("linux", "unielf"):  # alternating, as the other rows do
            todo = [(w, fn) for w, fn in (("nginx", nginx), ("redis", redis))
                    if got[guest, w] or not why[guest, w]]
            if not todo:
                continue
            log("network run %d/%d, %s: %s" % (
                i + 1, n, "UniELF" if guest == "unielf" else "Linux guest",
                " and ".join("nginx + wrk %d s" % secs if w == "nginx" else
                             "redis-benchmark -n %d" % reqs for w, _ in todo)))
            for what, fn in todo:
                r = fn(guest)
                if r:
                    why[guest, what] = why[guest, what] or r
                else:
                    got[guest, what] = True

    def stat(key, guest, unit, what):
        vals = res[key][guest]
        if vals:
            return stat_cls(vals, None, unit)
        return stat_cls([], why[guest, what] or "no result", unit)

    label = "nginx: GET of a %d-byte file, wrk -t1 -c8 -d%ds from the host" % (
        len(SMALL_FILE), secs)
    for key, text, unit, better in (("rps", "requests/s", "req/s", "higher"),
                                    ("p50", "latency p50", "ms", "lower"),
                                    ("p99", "latency p99", "ms", "lower")):
        b.rows.append(("%s: %s" % (label, text), unit, better, stat(key, "unielf", unit, "nginx"),
                       stat(key, "linux", unit, "nginx"), None, None))
    for key in ("SET", "GET"):
        b.rows.append(("redis %s: redis-benchmark -q -c 8 -n %d from the host" % (key, reqs),
                       "req/s", "higher", stat(key, "unielf", "req/s", "redis"),
                       stat(key, "linux", "req/s", "redis"), None, None))
