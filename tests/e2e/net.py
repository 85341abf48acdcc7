#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The net suite: real servers inside UniELF, driven from the host through QEMU's
user networking (`unielf run -p HOST:GUEST`), and guest programs reaching the host.

  tests/e2e/net.py [--native] [--build DIR] [-k PATTERN]... [--list] [--keep]

Every case runs natively first, on a free host port, and is driven by the very same
host clients: Linux is the oracle, and what the clients saw (bodies, redis replies)
must be the same inside UniELF.  Cases (one server boot each, several checks):

  net/echo-{musl,glibc-dyn}  tests/apps/echo_server: one client, 8 at once with
                             64 KiB each, 1 MiB, the host's echo_server client
  net/nginx-single           /usr/sbin/nginx, master_process off: a small file,
                             1 MiB, 404, keep-alive, 8 at once; SIGQUIT -> exit 0
  net/nginx-master           nginx master + 1 worker (user root), sendfile on: the same
  net/nginx-www-data         the same with `user www-data;` as Debian's nginx.conf has it
  net/redis                  redis-server: redis-cli commands, redis-benchmark
  net/python-http            python3 -m http.server: file, listing, 404
  net/outbound               guest clients of host servers at 10.0.2.2: the echo and UDP echo
                             client, curl by address and by a name in /etc/hosts
  net/upgrade-under-load     20 `unielf upgrade`s of a serving echo_server under host load:
                             zero failed requests, every version answered
  net/upgrade-under-load-rebind  the same with each new version binding the address
                             again, as an unmodified server does (--rebind)

Each check prints PASS, FAIL (with why and where the server's output is), XFAIL or
XPASS, then a summary; exit 1 on FAIL or XPASS.  Every wait is bounded: a server that
does not answer within --timeout is killed.  Environment: E2E_UNIELF (default
BUILD/unielf), E2E_UNIELF_OPTS (default "--accel tcg"), E2E_TIMEOUT (seconds for a
server to answer, default 180).  tests/README.md says what is and is not covered.
"""

import argparse
import fnmatch
import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# QEMU user networking: the host as the guest sees it.
HOST_FROM_GUEST = "10.0.2.2"
NGINX = "/usr/sbin/nginx"
REDIS_SERVER = "/usr/bin/redis-server"
PYTHON = "/usr/bin/python3"
CURL = "/usr/bin/curl"

# Cases expected to fail inside UniELF, and why (native runs must always pass).
XFAIL = {}


class CheckFailed(Exception):
    pass



def default_signals():
    """In the child before exec: SIGINT and SIGQUIT as a terminal would have them."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)

def need(cond, why):
    if not cond:
        raise CheckFailed(why)


def free_port():
    """A TCP port free on 127.0.0.1 right now (QEMU or the native server takes it
    next; the window is short)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lcg_bytes(n, seed):
    out = bytearray(n)
    x = seed & 0xFFFFFFFF
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i] = (x >> 16) & 0xFF
    return bytes(out)


def no_proxy_env(extra=None):
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(extra or {})
    return env


# ------------------------------------------------------------------ servers


class Server:
    """One server process, native or inside `unielf run -p PORT:PORT`, in its own
    process group (stopping it never leaves QEMU behind), output in files."""

    def __init__(self, ctx, tag, argv, port=None, files=(), shares=(), env=None,
                 control=None, mem=None, net=False, udp=False):
        self.ctx, self.tag, self.port = ctx, tag, port
        os.makedirs(ctx.case_dir, exist_ok=True)
        self.out_path = os.path.join(ctx.case_dir, tag + ".stdout")
        self.err_path = os.path.join(ctx.case_dir, tag + ".stderr")
        env = dict(env or {})
        if ctx.guest:
            cmd = list(ctx.unielf) + ["run"] + list(ctx.unielf_opts)
            if port:
                cmd += ["-p", f"{port}:{port}"]
                if udp:
                    cmd += ["-p", f"{port}:{port}/udp"]
            elif net:
                cmd += ["--net", "user"]
            if mem:
                cmd += ["--mem", str(mem)]
            for f in files:
                cmd += ["--file", f]
            for s in shares:
                cmd += ["--share", s]
            for k, v in env.items():
                cmd += ["--env", f"{k}={v}"]
            if control:
                cmd += ["--control", control]
            cmd += list(argv)
            penv = dict(os.environ)
        else:
            cmd = list(argv)
            penv = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/"}
            penv.update(env)
        self.cmd = cmd
        with open(os.path.join(ctx.case_dir, tag + ".command"), "w") as f:
            f.write(" ".join(shlex.quote(c) for c in cmd) + "\n")
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        self.t0 = time.monotonic()
        # SIGINT and SIGQUIT back to their defaults: a test run started in the
        # background by a non-interactive shell inherits them ignored, and a
        # server (python3's http.server) would then never see the SIGINT that
        # stops it
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=self.err, env=penv, cwd="/",
                                     start_new_session=True,
                                     preexec_fn=default_signals)
        self.status = None

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read()

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read()

    def tail(self):
        err = self.stderr().decode("utf-8", "replace").strip().splitlines()
        out = self.stdout().decode("utf-8", "replace").strip().splitlines()
        lines = err[-3:] or out[-3:]
        return " | ".join(l[:160] for l in lines) or "(no output)"

    def wait_ready(self, probe, timeout, fatal=None):
        """Polls probe(port) until it returns True; CheckFailed when the server
        exits first, prints a line matching the regex fatal (bytes), or timeout
        seconds pass (the server is then killed)."""
        end = time.monotonic() + timeout
        last = None
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise CheckFailed(f"exited {status_of(self.proc.returncode)} before "
                                  f"answering: {self.tail()}")
            if fatal:
                m = re.search(fatal, self.stderr() + self.stdout())
                if m:
                    self.kill()
                    line = m.string[m.string.rfind(b"\n", 0, m.start()) + 1:]
                    line = line.split(b"\n")[0].decode("utf-8", "replace")
                    raise CheckFailed(f"said before answering: {line[:200]}")
            try:
                if probe(self.port):
                    return time.monotonic() - self.t0
            except (OSError, http.client.HTTPException) as e:
                last = e
            time.sleep(0.3 if self.ctx.guest else 0.05)
        self.kill()
        raise CheckFailed(f"no answer on port {self.port} within {timeout:g} s "
                          f"(last: {last!r}); killed: {self.tail()}")

    def wait_exit(self, timeout):
        try:
            self.status = status_of(self.proc.wait(timeout=timeout))
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        return self.status

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Sends sig (unielf forwards it to the program) and waits; kills the
        process group past timeout.  Returns the exit status, None if killed."""
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass
        return self.wait_exit(timeout)

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        self.status = None

    def close(self):
        if self.proc.poll() is None:
            self.kill()
        self.out.close()
        self.err.close()


def status_of(rc):
    return 128 - rc if rc is not None and rc < 0 else rc


# ------------------------------------------------------------------ probes and clients


def echo_probe(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"probe\n")
        s.shutdown(socket.SHUT_WR)
        return recv_all(s) == b"probe\n"


def tag_probe(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"probe\n")
        return s.recv(100).endswith(b" probe\n")


def http_probe(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("HEAD", "/")
        return c.getresponse().status > 0
    finally:
        c.close()


def redis_probe(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"PING\r\n")
        return s.recv(100) == b"+PONG\r\n"


def recv_all(s):
    chunks = []
    while True:
        b = s.recv(65536)
        if not b:
            return b"".join(chunks)
        chunks.append(b)


def echo_once(port, data, timeout=120):
    """One connection: sends data while reading the echo (a writer thread, so a big
    payload cannot deadlock on full buffers), half-closes, returns what came back."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        err = []

        def writer():
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            except OSError as e:
                err.append(e)

        t = threading.Thread(target=writer)
        t.start()
        got = recv_all(s)
        t.join()
        if err:
            raise err[0]
        return got


def in_threads(n, fn):
    """Runs fn(i) on n threads at once; returns the results, re-raising the first
    exception."""
    res, errs = [None] * n, []

    def run(i):
        try:
            res[i] = fn(i)
        except Exception as e:  # noqa: BLE001 - reported by the caller
            errs.append(e)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errs:
        raise errs[0]
    return res


def run(argv, timeout=300, stdin=None, env=None):
    """Runs a host client; returns (status, stdout, stderr)."""
    try:
        p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout,
                           env=env or no_proxy_env(), stdin=None if stdin is not None
                           else subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"{os.path.basename(argv[0])} timed out after {timeout} s")
    return p.returncode, p.stdout, p.stderr


def curl(port, path, method=None, out_dir=None):
    """GETs http://127.0.0.1:port/path with the host's curl: (status code, body)."""
    fd, body_path = tempfile.mkstemp(dir=out_dir)
    os.close(fd)
    argv = [CURL, "-sS", "--noproxy", "*", "--max-time", "120", "-o", body_path,
            "-w", "%{http_code}"]
    if method:
        argv += ["-X", method]
    rc, out, err = run(argv + [f"http://127.0.0.1:{port}{path}"])
    with open(body_path, "rb") as f:
        body = f.read()
    os.unlink(body_path)
    need(rc == 0, f"curl {path}: exit {rc}: {err.decode(errors='replace').strip()}")
    return int(out), body


def http_get(port, path, timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


# ------------------------------------------------------------------ the shared files


class Files:
    """What the servers serve, in one directory shared with the guest (--share) at
    the same path, so native and guest command lines are the same."""

    def __init__(self, root):
        self.root = root
        self.www = os.path.join(root, "www")
        os.makedirs(os.path.join(self.www, "sub"))
        self.small = b"<html><body>hello from the net suite</body></html>\n"
        self.big = lcg_bytes(1 << 20, 99)
        self.write("www/index.html", self.small)
        self.write("www/big.bin", self.big)
        self.write("www/sub/a.txt", b"a file in a subdirectory\n")
        self.write("www/sub/b.txt", b"b" * 3000)
        # guest programs reach the host's loopback at 10.0.2.2; name it for the
        # resolver test (glibc's "files" source: no DNS query leaves the machine)
        self.hosts = self.write("hosts", f"127.0.0.1 localhost\n{HOST_FROM_GUEST} "
                                "unielf-host\n".encode())
        for dirpath, dirs, names in os.walk(root):
            os.chmod(dirpath, 0o755)  # readable by nginx's worker user natively

    def path(self, *p):
        return os.path.join(self.root, *p)

    def write(self, rel, data):
        p = self.path(rel)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, 0o644)
        return p


# ------------------------------------------------------------------ the cases


class Ctx:
    """Per case and mode: guest or native, where its outputs go, the run's options."""

    def __init__(self, args, files, case, guest):
        self.args, self.files, self.case, self.guest = args, files, case, guest
        self.unielf, self.unielf_opts = args.unielf, args.unielf_opts
        self.case_dir = os.path.join(args.results, case.replace("/", "__"))
        self.timeout = args.timeout
        self.build = args.build

    def app(self, variant, name):
        return os.path.realpath(os.path.join(self.build, "apps", variant, name))


def case_echo(ctx, variant):
    port = free_port()
    srv = Server(ctx, ctx.mode, [ctx.app(variant, "echo_server"), "serve", str(port),
                                 "--udp"], port=port, udp=True)

    def body():
        checks = {}
        ready = srv.wait_ready(echo_probe, ctx.timeout)
        checks["ready"] = f"answered after {ready:.1f} s"

        got = echo_once(port, b"hello, echo\n")
        need(got == b"hello, echo\n", f"one line came back as {got[:60]!r}")
        checks["one-client"] = None

        def one(i):
            data = lcg_bytes(64 << 10, 1000 + i)
            got = echo_once(port, data)
            need(got == data, f"client {i}: {len(got)} bytes back of {len(data)}, "
                              f"first difference at {first_diff(data, got)}")
        in_threads(8, one)
        checks["8-concurrent-64k"] = None

        data = lcg_bytes(1 << 20, 7)
        got = echo_once(port, data)
        need(got == data, f"1 MiB: {len(got)} bytes back, first difference at "
                          f"{first_diff(data, got)}")
        checks["1mib"] = None

        host_client = ctx.app("glibc-dyn", "echo_server")
        rc, out, err = run([host_client, "client", "127.0.0.1", str(port), "--conns", "4",
                            "--bytes", str(256 << 10)])
        need(rc == 0, f"host echo_server client: exit {rc}: {err.decode(errors='replace')}")
        checks["host-c-client-4x256k"] = None

        # inbound UDP through -p PORT:PORT/udp, against the same port number
        rc, out, err = run([host_client, "udpclient", "127.0.0.1", str(port), "--count",
                            "64"])
        need(rc == 0, f"host udpclient: exit {rc}: {err.decode(errors='replace')}")
        checks["udp-64-datagrams"] = None
        return checks
    # echo_server has no SIGTERM handler: it dies of the signal, natively and inside
    return serve_and_stop(ctx, srv, body, signal.SIGTERM, 128 + signal.SIGTERM)


def serve_and_stop(ctx, srv, body, sig, want=0):
    """Runs body() (the checks, returning a dict) against a started server, then stops
    it with sig and checks its exit status is want.  The server never outlives this."""
    try:
        checks = body()
    except BaseException:
        srv.stop(sig, 30)
        srv.close()
        raise
    st = srv.stop(sig, 60)
    srv.close()
    name = signal.Signals(sig).name
    need(st == want, f"exit status {st} after {name}, want {want}: {srv.tail()}")
    checks[f"{name}-exit-{want}"] = None
    return checks


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


NGINX_CONF = """\
{user}daemon off;
master_process {master};
worker_processes 1;
pid {run}/nginx.pid;
lock_file {run}/nginx.lock;
error_log stderr notice;
events {{ worker_connections 64; }}
http {{
    types {{ text/html html; text/plain txt; application/octet-stream bin; }}
    default_type application/octet-stream;
    access_log off;
    sendfile {sendfile};
    tcp_nopush {sendfile};
    keepalive_timeout 65;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    server {{
        listen {port};
        root {www};
        location / {{ autoindex off; }}
    }}
}}
"""


def case_nginx(ctx, master, user=None):
    port = free_port()
    run_dir = ctx.files.path(f"nginx-{ctx.case.split('/')[-1]}-{ctx.mode}")
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    os.chmod(run_dir, 0o755)
    conf = os.path.join(run_dir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(
            # the worker's user, when the master runs as root (else nginx ignores it)
            user=f"user {user};\n" if user and os.geteuid() == 0 else "",
            master="on" if master else "off", run=run_dir, port=port,
            www=ctx.files.www, sendfile="on" if master else "off"))
    srv = Server(ctx, ctx.mode, [NGINX, "-e", "stderr", "-p", run_dir, "-c", conf],
                 port=port, shares=[ctx.files.root])

    def body():
        checks = {}
        ready = srv.wait_ready(http_probe, ctx.timeout, fatal=rb"\[(emerg|alert)\]")
        checks["ready"] = f"answered after {ready:.1f} s"
        code, body = curl(port, "/index.html", out_dir=run_dir)
        need((code, body) == (200, ctx.files.small), f"/index.html: {code}, {body[:80]!r}")
        checks["small-file"] = None
        code, body = curl(port, "/big.bin", out_dir=run_dir)
        need(code == 200 and body == ctx.files.big,
             f"/big.bin: {code}, {len(body)} bytes, first difference at "
             f"{first_diff(body, ctx.files.big)}")
        checks["1mib-file"] = None
        code, body = curl(port, "/no-such-file", out_dir=run_dir)
        need(code == 404 and b"404 Not Found" in body, f"/no-such-file: {code}")
        checks["404"] = None
        # keep-alive: curl reuses the connection for the second URL
        rc, out, err = run([CURL, "-sS", "--noproxy", "*", "--max-time", "120",
                            "-o", "/dev/null", "-o", "/dev/null",
                            "-w", "%{http_code} %{num_connects}\n",
                            f"http://127.0.0.1:{port}/index.html",
                            f"http://127.0.0.1:{port}/sub/a.txt"])
        need(rc == 0 and out == b"200 1\n200 0\n",
             f"keep-alive: exit {rc}, {out!r} {err.decode(errors='replace').strip()}")
        checks["keepalive"] = None

        def one(i):
            path = "/big.bin" if i % 2 else "/sub/b.txt"
            want = ctx.files.big if i % 2 else b"b" * 3000
            code, body = http_get(port, path)
            need(code == 200 and body == want, f"request {i} {path}: {code}, "
                                               f"{len(body)} bytes")
        in_threads(8, one)
        checks["8-concurrent"] = None
        return checks
    return serve_and_stop(ctx, srv, body, signal.SIGQUIT)  # graceful shutdown


REDIS_SCRIPT = b"""FLUSHALL
PING
SET greeting hello
GET greeting
INCR counter
INCR counter
INCRBY counter 40
LPUSH list a b c
RPUSH list z
LRANGE list 0 -1
LLEN list
MSET k1 v1 k2 v2
MGET k1 k2 missing
HSET h f1 1 f2 2
HGET h f2
EXISTS greeting missing
DEL greeting
GET greeting
SADD s x y z x
SCARD s
DBSIZE
"""

REDIS_WANT = b"""OK
PONG
OK
hello
1
2
42
3
4
c
b
a
z
4
OK
v1
v2

2
2
1
1

3
3
6
"""


def case_redis(ctx):
    port = free_port()
    rdir = ctx.files.path(f"redis-{ctx.mode}")
    shutil.rmtree(rdir, ignore_errors=True)
    os.makedirs(rdir)
    srv = Server(ctx, ctx.mode, [REDIS_SERVER, "--port", str(port), "--bind", "0.0.0.0",
                                 "--save", "", "--appendonly", "no",
                                 "--protected-mode", "no", "--dir", rdir,
                                 "--logfile", ""],
                 port=port, shares=[ctx.files.root])

    def body():
        checks = {}
        checks["ready"] = f"answered after {srv.wait_ready(redis_probe, ctx.timeout):.1f} s"
        rc, out, err = run(["redis-cli", "-p", str(port)], stdin=REDIS_SCRIPT)
        need(rc == 0 and out == REDIS_WANT,
             f"redis-cli: exit {rc}, output differs: {out!r} {err!r}"[:400])
        checks["redis-cli"] = None
        rc, out, err = run(["redis-cli", "-p", str(port), "INCR", "counter"])
        need(rc == 0 and out == b"43\n", f"a second connection: {out!r}")
        checks["state-across-connections"] = None
        rc, out, err = run(["redis-benchmark", "-p", str(port), "-n", "2000", "-q",
                            "-c", "10", "-t", "set,get,incr,lpush,lrange_100"], timeout=600)
        text = (out + err).decode(errors="replace").replace("\r", "\n")
        lines = [l.strip() for l in text.splitlines() if "requests per second" in l]
        tests = {l.split(":")[0].split()[0] for l in lines}
        want = {"SET", "GET", "INCR", "LPUSH", "LRANGE_100"}
        need(rc == 0 and want <= tests and "rror" not in text,
             f"redis-benchmark: exit {rc}, results for {sorted(tests)}: {text.strip()[-300:]}")
        checks["redis-benchmark"] = "; ".join(
            l.split(" requests")[0] + " rps" for l in lines
            if l.split(":")[0] in want or l.startswith("LRANGE_100"))
        return checks
    return serve_and_stop(ctx, srv, body, signal.SIGTERM)


def case_python_http(ctx):
    port = free_port()
    srv = Server(ctx, ctx.mode, [PYTHON, "-m", "http.server", str(port), "--bind", "0.0.0.0",
                                 "--directory", ctx.files.www],
                 port=port, shares=[ctx.files.root], files=["/usr/lib/python3.11"], mem=512)

    def body():
        checks = {}
        checks["ready"] = f"answered after {srv.wait_ready(http_probe, ctx.timeout):.1f} s"
        code, body = curl(port, "/big.bin")
        need(code == 200 and body == ctx.files.big, f"/big.bin: {code}, {len(body)} bytes")
        checks["1mib-file"] = None
        code, body = curl(port, "/sub/")
        need(code == 200 and b'href="a.txt"' in body and b'href="b.txt"' in body,
             f"/sub/: {code}, {body[:200]!r}")
        checks["listing"] = ctx.compare("listing", body)
        code, body = curl(port, "/missing")
        need(code == 404, f"/missing: {code}")
        checks["404"] = ctx.compare("404 body", body)
        return checks
    return serve_and_stop(ctx, srv, body, signal.SIGINT)  # KeyboardInterrupt: exit 0


class HostUDPEcho:
    """A host UDP echo service on 127.0.0.1 (the guest reaches it as 10.0.2.2)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stopping.is_set():
            try:
                data, peer = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self.sock.sendto(data, peer)

    def close(self):
        self.stopping.set()
        self.t.join(timeout=5)
        self.sock.close()


class HostHTTP:
    """A host HTTP server on 127.0.0.1 serving the shared www directory, for guest
    clients (QEMU forwards the guest's 10.0.2.2 to the host's loopback)."""

    def __init__(self, root):
        import functools
        import http.server

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *a):
                pass

        handler = functools.partial(Quiet, directory=root)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.t = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.t.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def run_client(ctx, tag, argv, files=(), timeout=None):
    """A guest (or native) program run to its end: (status, stdout, stderr)."""
    c = Server(ctx, tag, argv, files=files, net=True)
    try:
        st = c.wait_exit(timeout or ctx.timeout)
        need(st is not None, f"{tag}: no exit within {timeout or ctx.timeout:g} s: "
                             f"{c.tail()}")
        return st, c.stdout(), c.stderr()
    finally:
        c.close()


def case_outbound(ctx):
    host = HOST_FROM_GUEST if ctx.guest else "127.0.0.1"
    checks = {}
    # the host side: a native echo_server and a Python HTTP server on 127.0.0.1
    eport = free_port()
    echo = subprocess.Popen([ctx.app("glibc-dyn", "echo_server"), "serve", str(eport),
                             "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    web = HostHTTP(ctx.files.www)
    udp = HostUDPEcho()
    try:
        end = time.monotonic() + 10
        while True:
            try:
                if echo_probe(eport):
                    break
            except OSError:
                pass
            need(time.monotonic() < end, "the host echo server did not start")
            time.sleep(0.05)
        st, out, err = run_client(ctx, ctx.mode + "-echo",
                                  [ctx.app("musl", "echo_server"), "client", host,
                                   str(eport), "--conns", "4", "--bytes", str(256 << 10)])
        need(st == 0, f"echo client: exit {st}: {err.decode(errors='replace').strip()}")
        checks["echo-client-4x256k"] = None

        st, out, err = run_client(ctx, ctx.mode + "-udp",
                                  [ctx.app("musl", "echo_server"), "udpclient", host,
                                   str(udp.port), "--count", "64"])
        need(st == 0, f"udp client: exit {st}: {err.decode(errors='replace').strip()}")
        checks["udp-64-datagrams"] = None

        url = f"http://{host}:{web.port}/big.bin"
        st, out, err = run_client(ctx, ctx.mode + "-curl", [CURL, "-sS", "--max-time", "120",
                                                           url])
        need(st == 0 and out == ctx.files.big,
             f"curl {url}: exit {st}, {len(out)} bytes: {err.decode(errors='replace')}")
        checks["curl-by-address-1mib"] = None

        # a name resolved through /etc/hosts (nsswitch "files"): natively the host's
        # own /etc/hosts has no unielf-host, so the native run asks for localhost
        name = "unielf-host" if ctx.guest else "localhost"
        files = [f"{ctx.files.hosts}:/etc/hosts"] if ctx.guest else []
        url = f"http://{name}:{web.port}/index.html"
        st, out, err = run_client(ctx, ctx.mode + "-curl-name",
                                  [CURL, "-sS", "-4", "--max-time", "120", url], files=files)
        need(st == 0 and out == ctx.files.small,
             f"curl {url}: exit {st}: {err.decode(errors='replace').strip()}")
        checks["curl-by-name-etc-hosts"] = None
        return checks
    finally:
        web.close()
        udp.close()
        os.killpg(echo.pid, signal.SIGKILL)
        echo.wait()


def case_upgrade(ctx, rebind=False):
    """20 upgrades of a serving echo_server (--tag vN) while host threads keep
    connecting; every request must be answered, by some version.  rebind: each
    new version ignores the descriptors the old one left and binds the address
    again, as an unmodified server would."""
    port = free_port()
    prog = ctx.app("musl", "echo_server")
    # two copies of the binary, alternated, so each upgrade brings a new file
    copies = [ctx.files.path(f"echo_server-{c}") for c in "ab"]
    for c in copies:
        shutil.copy(prog, c)
        os.chmod(c, 0o755)
    sock = os.path.join(ctx.files.root, f"ctl-{ctx.mode}.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    srv = Server(ctx, ctx.mode, [copies[0], "serve", str(port), "--tag", "v1"], port=port,
                 control=sock if ctx.guest else None)
    load = Load(port)
    checks = {}
    try:
        checks["ready"] = f"answered after {srv.wait_ready(tag_probe, ctx.timeout):.1f} s"
        load.start(4)
        if not ctx.guest:
            time.sleep(3)  # natively: the load generator itself, against one version
            load.stop()
            need(load.failed == 0 and load.ok > 0, load.summary())
            checks["load-without-upgrade"] = load.summary()
            return checks
        n = 20
        for k in range(2, n + 2):
            t0 = time.monotonic()
            rc, out, err = run([*ctx.unielf, "upgrade", sock,
                                copies[(k - 1) % 2], "serve", str(port), "--tag", f"v{k}",
                                *(["--rebind"] if rebind else [])],
                               timeout=300)
            need(rc == 0, f"upgrade {k - 1}: exit {rc}: "
                          f"{err.decode(errors='replace').strip()}")
            need(load.wait_version(f"v{k}", 120), f"upgrade {k - 1}: no answer from v{k} "
                                                  f"within 120 s ({load.summary()})")
            ctx.note(f"upgrade to v{k}: {time.monotonic() - t0:.2f} s")
        time.sleep(2)
        load.stop()
        need(load.failed == 0, f"{load.summary()}; first failures: {load.errors[:3]}")
        checks[f"{n}-upgrades-zero-failed"] = load.summary()
        return checks
    finally:
        load.stop()
        srv.stop(signal.SIGTERM, 60)
        srv.close()


class Load:
    """Host threads doing connect, one request line, one reply line, close — in a
    loop until stopped; counts answers, failures and the versions that answered."""

    def __init__(self, port):
        self.port = port
        self.ok = self.failed = 0
        self.versions = {}
        self.errors = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []

    def start(self, n):
        for i in range(n):
            t = threading.Thread(target=self.loop, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)

    def loop(self, tid):
        seq = 0
        deadline = time.monotonic() + 1800  # bounded whatever happens
        while not self.stopping.is_set() and time.monotonic() < deadline:
            seq += 1
            req = f"req {tid}-{seq}"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
                    s.sendall(req.encode() + b"\n")
                    buf = b""
                    while not buf.endswith(b"\n"):
                        b = s.recv(256)
                        if not b:
                            break
                        buf += b
                m = re.fullmatch(rb"(v\d+) " + re.escape(req.encode()) + rb"\n", buf)
                if not m:
                    raise CheckFailed(f"{req}: reply {buf!r}")
                with self.lock:
                    self.ok += 1
                    v = m.group(1).decode()
                    self.versions[v] = self.versions.get(v, 0) + 1
            except (OSError, CheckFailed) as e:
                with self.lock:
                    self.failed += 1
                    if len(self.errors) < 10:
                        self.errors.append(repr(e))

    def wait_version(self, v, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if v in self.versions:
                    return True
            time.sleep(0.05)
        return False

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=60)
        self.threads = []

    def summary(self):
        with self.lock:
            return (f"{self.ok} answered, {self.failed} failed, versions "
                    f"{len(self.versions)}")


CASES = {
    "net/echo-musl": lambda ctx: case_echo(ctx, "musl"),
    "net/echo-glibc-dyn": lambda ctx: case_echo(ctx, "glibc-dyn"),
    "net/nginx-single": lambda ctx: case_nginx(ctx, master=False),
    "net/nginx-master": lambda ctx: case_nginx(ctx, master=True, user="root root"),
    "net/nginx-www-data": lambda ctx: case_nginx(ctx, master=True, user="www-data"),
    "net/redis": case_redis,
    "net/python-http": case_python_http,
    "net/outbound": case_outbound,
    "net/upgrade-under-load": case_upgrade,
    "net/upgrade-under-load-rebind": lambda ctx: case_upgrade(ctx, rebind=True),
}


# ------------------------------------------------------------------ running


class Runner:
    def __init__(self, args):
        self.args = args
        self.counts = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0, "SKIP": 0}
        self.bad = []
        self.native_values = {}

    def report(self, tag, name, secs, detail=""):
        self.counts[tag] += 1
        if tag in ("FAIL", "XPASS"):
            self.bad.append(name)
        print(f"{tag:5} {name} ({secs:.1f} s){' ' + detail if detail else ''}", flush=True)

    def run_case(self, name, fn, files):
        native = self.run_mode(name, fn, files, guest=False)
        if self.args.native:
            return
        if native is None:
            self.report("SKIP", name, 0.0, "(not run in UniELF: the native run failed)")
            return
        why = self.args.no_guest
        if why:
            self.report("SKIP", name, 0.0, f"(UniELF: {why})")
            return
        self.run_mode(name, fn, files, guest=True, native=native)

    def run_mode(self, name, fn, files, guest, native=None):
        mode = "unielf" if guest else "native"
        ctx = Ctx(self.args, files, name, guest)
        ctx.mode = mode
        ctx.notes = []
        ctx.native_values = native or {}
        values = {}

        def compare(what, value):
            if guest and what in ctx.native_values and ctx.native_values[what] != value:
                raise CheckFailed(f"{what} differs from the native run's")
            values[what] = value
            return None

        ctx.compare = compare
        ctx.note = ctx.notes.append
        t0 = time.monotonic()
        checks, why = {}, None
        try:
            checks = fn(ctx) or {}
        except CheckFailed as e:
            why = str(e)
        except Exception as e:  # noqa: BLE001 - a harness bug shows as a failure
            why = f"harness error: {e!r}"
        secs = time.monotonic() - t0
        label = f"{name} [{mode}]"
        xfail = XFAIL.get(name) if guest else None
        for check, detail in checks.items():
            self.report("PASS", f"{label} {check}", secs, detail or "")
            secs = 0.0
        if xfail and not why:
            self.report("XPASS", label, 0.0, f"unexpected pass: remove it from XFAIL in "
                                             f"tests/e2e/net.py ({xfail})")
        if why:
            where = f" (outputs in {ctx.case_dir})"
            if xfail:
                self.report("XFAIL", label, secs, f"{xfail} [{why}]")
            else:
                self.report("FAIL", label, secs, why + where)
            return None
        if ctx.notes and self.args.verbose:
            print("      " + "; ".join(ctx.notes), flush=True)
        return values


def unielf_has_net(unielf):
    """None when `unielf run` takes -p/--net, else why not."""
    try:
        p = subprocess.run([*unielf, "run", "--help"], capture_output=True, text=True,
                           timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unielf run --help failed: {e}"
    text = p.stdout + p.stderr
    if "--net" not in text or not re.search(r"(^|\s)-p\b|--publish", text):
        return "`unielf run --help` lists no --net and -p yet (issue 7)"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--native", action="store_true", help="only the native runs")
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="only cases matching this fnmatch pattern (net/nginx-*)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--timeout", type=float, default=float(os.environ.get("E2E_TIMEOUT", 180)),
                    help="seconds for a server to answer, and for a guest client to end")
    ap.add_argument("--keep", action="store_true", help="keep the shared work directory")
    ap.add_argument("--force", action="store_true",
                    help="run the UniELF half even if `unielf run --help` shows no -p")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    names = [n for n in CASES if not args.patterns or
             any(fnmatch.fnmatchcase(n, p) for p in args.patterns)]
    if args.list:
        print("\n".join(names))
        return 0
    if not names:
        print("net: no cases selected", file=sys.stderr)
        return 1
    args.build = os.path.abspath(args.build)
    args.unielf = shlex.split(os.environ.get("E2E_UNIELF", "")) or [
        os.path.join(args.build, "unielf")]
    args.unielf_opts = shlex.split(os.environ.get("E2E_UNIELF_OPTS", "--accel tcg"))
    args.results = os.path.join(args.build, "e2e", "net")
    missing = [p for p in (NGINX, REDIS_SERVER, CURL, "/usr/bin/redis-cli",
                           "/usr/bin/redis-benchmark", PYTHON,
                           os.path.join(args.build, "apps", "musl", "echo_server"),
                           os.path.join(args.build, "apps", "glibc-dyn", "echo_server"))
               if not os.access(p, os.X_OK)]
    if missing:
        print(f"net: missing {' '.join(missing)} (run scripts/deps and `make apps`)",
              file=sys.stderr)
        return 1
    args.no_guest = None
    if not args.native:
        if not os.access(args.unielf[0], os.X_OK) and not shutil.which(args.unielf[0]):
            args.no_guest = f"{args.unielf[0]} is not built"
        elif not args.force:
            args.no_guest = unielf_has_net(args.unielf)
    shutil.rmtree(args.results, ignore_errors=True)
    os.makedirs(args.results)
    root = tempfile.mkdtemp(prefix="unielf-net-")
    os.chmod(root, 0o755)
    files = Files(root)
    r = Runner(args)
    print(f"net: {len(names)} cases, {'native only' if args.native else 'native then UniELF'}"
          f", unielf = {' '.join(args.unielf)} {' '.join(args.unielf_opts)}, "
          f"timeout {args.timeout:g} s; shared files in {root}", flush=True)
    try:
        for n in names:
            r.run_case(n, CASES[n], files)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    summary = ", ".join(f"{v} {k}" for k, v in r.counts.items() if v or k == "PASS")
    print(f"net: {sum(r.counts.values())} checks: {summary}")
    if r.bad:
        print("unexpected: " + " ".join(r.bad))
    return 1 if r.bad else 0


if __name__ == "__main__":
    sys.exit(main())
