#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of the control channel: real VMs (TCG) started with
`unielf run --control SOCKET`, driven with `unielf status|ps|spawn|kill|upgrade`
and with hand-made frames (garbage, bad MAC).  Run by `make e2e-control`.

  tests/e2e/control/run.py [--build DIR] [--accel tcg|kvm|auto] [--keep]

Prints one line per check (PASS/FAIL) and the measured request latencies; exits
1 when any check failed.  Every VM and every command has a timeout: nothing hangs.
"""

import argparse
import hashlib
import hmac
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
PROGRAMS = ["main_v1", "main_v2", "exit3", "hello", "sleeper", "big", "listener"]
CMD_TIMEOUT = 240  # seconds for one unielf subcommand (COM2 may be slow on a loaded host)

failures = []
timings = []


def check(name, ok, detail=""):
    print(("PASS  " if ok else "FAIL  ") + name + ("" if ok or not detail else f": {detail}"),
          flush=True)
    if not ok:
        failures.append(name)
    return ok


class VM:
    """One `unielf run --control` in the background, output collected in files."""

    def __init__(self, unielf, work, name, prog, key=None, accel="tcg", args=()):
        self.sock = os.path.join(work, name + ".sock")
        self.out_path = os.path.join(work, name + ".out")
        self.err_path = os.path.join(work, name + ".err")
        self.key = key
        cmd = [unielf, "run", "--accel", accel, "--control", self.sock]
        if key:
            cmd += ["--control-key", key]
        cmd += [prog, *args]
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=self.err)

    def output(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode(errors="replace")

    def errors(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_output(self, text, timeout=60):
        """True once `text` appears on the VM's stdout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.output():
                return True
            if self.proc.poll() is not None:
                return text in self.output()
            time.sleep(0.1)
        return False

    def wait_exit(self, timeout=60):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()
        self.err.close()


def cli(unielf, *args, timeout=CMD_TIMEOUT):
    """Runs a unielf subcommand: (status, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([unielf, *args], stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", "timed out", time.monotonic() - t0
    return (p.returncode, p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"), time.monotonic() - t0)


# ---------------------------------------------------------------- raw frames

def frame(type_, id_, payload=b"", key=None, flags=0, mac=None):
    body = b"UEC1" + bytes([type_, flags, 0, 0]) + struct.pack("<II", id_, len(payload)) + payload
    if mac is None:
        mac = (hmac.new(key, body, hashlib.sha256).digest() if key
               else hashlib.sha256(body).digest())
    return body + mac


def field(tag, value):
    return struct.pack("<HHI", tag, 0, len(value)) + value


def raw_exchange(sock_path, data, want_replies=1, timeout=30):
    """Sends bytes, returns the list of (type, flags, id, payload) replies read."""
    end = time.monotonic() + timeout
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:
        try:
            s.connect(sock_path)
            break
        except (ConnectionRefusedError, FileNotFoundError, BlockingIOError):
            if time.monotonic() > end:
                raise
            time.sleep(0.05)
    s.settimeout(max(1, end - time.monotonic()))
    s.sendall(data)
    buf = b""
    replies = []
    try:
        while len(replies) < want_replies:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 16:
                n = struct.unpack("<I", buf[12:16])[0]
                if len(buf) < 16 + n + 32:
                    break
                replies.append((buf[4], buf[5], struct.unpack("<I", buf[8:12])[0],
                                buf[16:16 + n], buf[:16 + n + 32]))
                buf = buf[16 + n + 32:]
    except socket.timeout:
        pass
    s.close()
    return replies


def text_of(payload):
    off = 0
    while off + 8 <= len(payload):
        tag, _, n = struct.unpack("<HHI", payload[off:off + 8])
        if tag == 7:
            return payload[off + 8:off + 8 + n].decode(errors="replace")
        off += 8 + n
    return ""


# ---------------------------------------------------------------- the suites

def last_tick(vm, who="v1"):
    ticks = [int(line.split()[-1]) for line in vm.output().splitlines()
             if line.startswith(who + " tick ")]
    return ticks[-1] if ticks else -1


def ticks_continue(vm, who="v1", timeout=30):
    before = last_tick(vm, who)
    return vm.wait_output(f"{who} tick {before + 1}\n", timeout)


def suite_basic(unielf, work, bins, accel):
    vm = VM(unielf, work, "basic", bins["main_v1"], accel=accel)
    try:
        if not check("basic: main program starts", vm.wait_output("v1 tick 0\n", 120),
                     vm.errors()):
            return
        S = vm.sock

        st, out, err, t = cli(unielf, "status", S)
        timings.append(("status", t, 0))
        check("status: exit 0", st == 0, err)
        for k in ("uptime_ms ", "mem_total_kib ", "mem_free_kib ", "processes "):
            check(f"status: shows {k.strip()}", k in out, out)
        check("status: main_pid 1", "main_pid 1\n" in out, out)

        st, out, err, t = cli(unielf, "ps", S)
        timings.append(("ps", t, 0))
        check("ps: exit 0", st == 0, err)
        check("ps: lists pid 1 running main_v1",
              any(line.split()[:1] == ["1"] and "main_v1" in line
                  for line in out.splitlines()), out)

        size = os.path.getsize(bins["hello"])
        st, out, err, t = cli(unielf, "spawn", S, bins["hello"], "greetings")
        timings.append(("spawn hello", t, size))
        pid = out.strip()
        check("spawn hello: prints a pid", st == 0 and pid.isdigit() and int(pid) > 1,
              f"status {st}, stdout {out!r}, stderr {err!r}")
        check("spawn hello: its output is on the VM's stdout",
              vm.wait_output(f"hello from spawn pid={pid} arg=greetings\n", 30))

        corrupt = os.path.join(work, "corrupt-hello")
        with open(bins["hello"], "rb") as f:
            data = f.read()
        with open(corrupt, "wb") as f:
            f.write(data[:len(data) // 3])
        os.chmod(corrupt, 0o755)
        st, out, err, t = cli(unielf, "spawn", S, corrupt)
        check("spawn corrupt ELF: refused with exit 1", st == 1, f"status {st} {err!r}")
        check("spawn corrupt ELF: one-line reason",
              err.startswith("unielf: ") and err.count("\n") == 1 and not out, repr(err))
        st, out, _, _ = cli(unielf, "status", S)
        check("spawn corrupt ELF: main program still there", "main_pid 1\n" in out, out)
        check("spawn corrupt ELF: main program keeps running", ticks_continue(vm))

        st, out, err, t = cli(unielf, "spawn", S, bins["sleeper"])
        spid = out.strip()
        ok = check("spawn sleeper: prints a pid", st == 0 and spid.isdigit(), err)
        if ok and check("spawn sleeper: it runs", vm.wait_output(f"sleeper started pid={spid}", 30)):
            st, out, _, _ = cli(unielf, "ps", S)
            check("ps: lists the sleeper",
                  any(line.split()[:1] == [spid] for line in out.splitlines()), out)
            st, out, err, t = cli(unielf, "kill", S, spid, "SIGTERM")
            timings.append(("kill", t, 0))
            check("kill sleeper: exit 0", st == 0, err)
            gone = False
            for _ in range(50):
                _, out, _, _ = cli(unielf, "ps", S)
                if not any(line.split()[:1] == [spid] for line in out.splitlines()):
                    gone = True
                    break
                time.sleep(0.2)
            check("kill sleeper: gone from ps", gone, out)
            check("kill sleeper: never woke", "sleeper woke" not in vm.output())
        st, out, err, _ = cli(unielf, "kill", S, "4242", "KILL")
        check("kill of no such pid: refused with exit 1", st == 1 and err.startswith("unielf: "),
              f"{st} {err!r}")
        st, out, err, _ = cli(unielf, "kill", S, "1", "NOSUCHSIG")
        check("kill with a bad signal name: usage error 125", st == 125, f"{st} {err!r}")

        # hand-made frames
        rnd = random.Random(7)
        garbage = bytes(rnd.choice(b"abcdefghijklmnopqrstvwxyz0123456789") for _ in range(300))
        reps = raw_exchange(S, garbage + frame(1, 1001))
        check("garbage bytes: skipped, the next frame is answered",
              len(reps) == 1 and reps[0][2] == 1001 and not (reps[0][1] & 2)
              and "main_pid 1" in text_of(reps[0][3]), repr(reps))
        reps = raw_exchange(S, b"UEC1" + bytes([0x77, 0, 0, 0]) + struct.pack("<II", 1002, 0))
        check("garbage header: error reply",
              len(reps) == 1 and (reps[0][1] & 2) and reps[0][2] == 1002, repr(reps))
        if reps:
            r = reps[0]
            check("garbage header: the error reply's MAC verifies",
                  hashlib.sha256(r[4][:-32]).digest() == r[4][-32:])
        bad = frame(1, 1003, mac=bytes(32))
        reps = raw_exchange(S, bad)
        check("bad MAC: error reply",
              len(reps) == 1 and (reps[0][1] & 2) and reps[0][2] == 1003
              and "checksum" in text_of(reps[0][3]), repr(reps))
        reps = raw_exchange(S, frame(3, 1004, field(99, b"junk")))
        check("unknown field: error reply", len(reps) == 1 and (reps[0][1] & 2), repr(reps))
        reps = raw_exchange(S, frame(3, 1005, b"\x01\x00\x00\x00\xff\xff\x00\x00ls"))
        check("field running past the payload: error reply",
              len(reps) == 1 and (reps[0][1] & 2), repr(reps))
        # a client that dies mid-frame: the kernel drops the half frame after
        # 2 s of silence, so the next request is answered (regression: it was
        # taken as the rest of the dead frame and never answered)
        half = frame(1, 1006, field(7, b"x" * 1000))[:300]
        raw_exchange(S, half, want_replies=0, timeout=2)
        time.sleep(3)
        reps = raw_exchange(S, frame(1, 1007))
        check("a half frame from a dead client expires; the next one is answered",
              len(reps) == 1 and reps[0][2] == 1007 and not (reps[0][1] & 2), repr(reps))
        st, out, _, _ = cli(unielf, "ps", S)
        check("after bad frames: nothing new runs",
              [line.split()[0] for line in out.splitlines()[1:]] == ["1"], out)
        check("after bad frames: main program keeps running", ticks_continue(vm))

        # upgrades that must change nothing
        st, out, err, t = cli(unielf, "upgrade", S, "--grace", "1000", corrupt)
        check("upgrade to a corrupt ELF: refused with exit 1",
              st == 1 and err.startswith("unielf: ") and err.count("\n") == 1, f"{st} {err!r}")
        check("upgrade to a corrupt ELF: old program keeps running", ticks_continue(vm))
        st, out, err, t = cli(unielf, "upgrade", S, "--grace", "3000", bins["exit3"])
        timings.append(("upgrade (rolled back, grace 3000 ms)", t, os.path.getsize(bins["exit3"])))
        check("upgrade to a program exiting 3: refused with exit 1", st == 1, f"{st} {err!r}")
        check("upgrade to a program exiting 3: says it rolled back",
              "status 3" in err and "resumed" in err, err)
        check("upgrade to a program exiting 3: old program continues", ticks_continue(vm))
        st, out, _, _ = cli(unielf, "status", S)
        check("after rollback: main_pid 1", "main_pid 1\n" in out, out)

        # a 1-2 MB binary: throughput
        size = os.path.getsize(bins["big"])
        st, out, err, t = cli(unielf, "spawn", S, bins["big"], timeout=600)
        timings.append(("spawn big", t, size))
        check("spawn of a big binary works", st == 0 and out.strip().isdigit(), err)
        check("spawn of a big binary: it ran", vm.wait_output("big spawned", 30))

        st, out, err, _ = cli(unielf, "kill", S, "1", "USR1")
        check("kill 1 USR1: exit 0", st == 0, err)
        status = vm.wait_exit(60)
        check("the VM's exit status is the old program's (7)", status == 7,
              f"{status}; stderr {vm.errors()!r}")
        check("the old program's last words appear", "v1 exiting" in vm.output())
        check("the control socket is removed at exit", not os.path.exists(S))
        st, out, err, t = cli(unielf, "status", S)
        check("status with no VM: exit 125, one line",
              st == 125 and err.count("\n") == 1 and t < 10, f"{st} {err!r} {t:.1f}s")
    finally:
        vm.stop()


def suite_key_and_upgrade(unielf, work, bins, accel):
    key = os.path.join(work, "key")
    wrong = os.path.join(work, "wrong-key")
    with open(key, "wb") as f:
        f.write(b"correct horse battery staple")
    with open(wrong, "wb") as f:
        f.write(b"incorrect horse")
    # v1 drops some credentials: v2 must run with them (exec's rules applied)
    vm = VM(unielf, work, "keyed", bins["main_v1"], key=key, accel=accel, args=("drop",))
    try:
        if not check("keyed: main program starts", vm.wait_output("v1 tick 0\n", 120),
                     vm.errors()):
            return
        S = vm.sock
        st, out, err, _ = cli(unielf, "status", S)
        check("keyed: a client without the key is refused",
              st in (1, 125) and not out and "authentication failed" in err, f"{st} {err!r}")
        st, out, err, _ = cli(unielf, "status", "--control-key", wrong, S)
        check("keyed: a client with the wrong key is refused",
              st in (1, 125) and not out and "authentication failed" in err, f"{st} {err!r}")
        reps = raw_exchange(S, frame(4, 77, field(4, struct.pack("<I", 1)) +
                                     field(5, struct.pack("<I", 9)), key=b"incorrect horse"))
        check("keyed: a KILL with the wrong key gets an error reply",
              len(reps) == 1 and (reps[0][1] & 2), repr(reps))
        check("keyed: ... and the program keeps running", ticks_continue(vm))
        st, out, err, _ = cli(unielf, "status", "--control-key", key, S)
        check("keyed: the right key works", st == 0 and "main_pid 1" in out, err)

        st, out, err, t = cli(unielf, "upgrade", S, "--control-key", key, "--grace", "2000",
                              bins["main_v2"], "two")
        timings.append(("upgrade (grace 2000 ms)", t, os.path.getsize(bins["main_v2"])))
        check("upgrade: exit 0", st == 0, f"{st} {err!r}")
        check("upgrade: prints the reply", "upgraded" in out, out)
        check("upgrade: new version keeps pid 1, sees UNIELF_UPGRADED=1, inherits fd 3 "
              "and v1's credentials",
              vm.wait_output("v2 started pid=1 upgraded=1 fd3=state-from-v1 arg=two "
                             "ids=0/1234/1234 gids=0/4242/4242 groups=1:4242\n", 30),
              vm.output()[-400:])
        check("upgrade: new version runs", vm.wait_output("v2 tick 1\n", 30))
        before = last_tick(vm, "v1")
        time.sleep(0.5)
        check("upgrade: old version stopped", last_tick(vm, "v1") == before)
        st, out, _, _ = cli(unielf, "ps", "--control-key", key, S)
        check("upgrade: ps shows pid 1 running main_v2",
              any(line.split()[:1] == ["1"] and "main_v2" in line for line in out.splitlines()),
              out)
        st, out, err, _ = cli(unielf, "kill", "--control-key", key, S, "1", "10")
        check("kill 1 10: exit 0", st == 0, err)
        status = vm.wait_exit(60)
        check("the VM's exit status is the new program's (8)", status == 8,
              f"{status}; stderr {vm.errors()!r}")
    finally:
        vm.stop()


def suite_listener(unielf, work, bins, accel):
    """An unmodified server's listening socket survives upgrades: the new version's
    own bind() of the same address adopts it with the connections queued while
    nobody accepted (tests/e2e/control/listener.c); a rolled back upgrade hands it
    back untouched."""
    port = 8000 + os.getpid() % 1000
    vm = VM(unielf, work, "listener", bins["listener"], accel=accel,
            args=["v1", str(port), "client"])
    try:
        if not check("listener: v1 serves its in-VM client",
                     vm.wait_output("client: round 1: 3/3 answered by v1\n", 120),
                     vm.output()[-400:] + vm.errors()[-400:]):
            return
        check("listener: 5 connections queued while v1 does not accept",
              vm.wait_output("client: round 2: 5 sent\n", 60), vm.output()[-400:])
        S = vm.sock
        st, out, err, t = cli(unielf, "upgrade", S, "--grace", "2000",
                              bins["listener"], "v2", str(port))
        timings.append(("upgrade of a listening server", t, 0))
        check("listener: upgrade to v2: exit 0 (its bind adopted the listener)", st == 0,
              f"{st} {err!r} {vm.output()[-300:]!r}")
        check("listener: v2 answered the 5 queued connections",
              vm.wait_output("client: round 2: 5/5 answered by v2\n", 60), vm.output()[-400:])
        check("listener: v2 serves new connections",
              vm.wait_output("client: round 3: 3/3 answered by v2\n", 60), vm.output()[-400:])
        st, out, err, t = cli(unielf, "upgrade", S, "--grace", "3000", bins["listener"],
                              "fail", str(port))
        check("listener: an upgrade whose program adopts then exits 1 rolls back",
              st == 1 and "status 1" in err and "resumed" in err, f"{st} {err!r}")
        m = [ln for ln in vm.output().splitlines() if ln.startswith("client: pid ")]
        if not check("listener: client waits", bool(m), vm.output()[-400:]):
            return
        pid = m[0].split()[2]
        st, out, err, _ = cli(unielf, "kill", S, pid, "10")
        check("listener: v1's other listener, not taken over, was closed at commit",
              vm.wait_output("client: v1's other port refused\n", 60), vm.output()[-400:])
        check("listener: after the rollback v2 still owns the listener",
              vm.wait_output("client: round 4: 3/3 answered by v2\n", 60), vm.output()[-400:])
        check("listener: no request failed", vm.wait_output("client: done, 0 failed\n", 30),
              vm.output()[-400:])
    finally:
        vm.stop()


def suite_shares(unielf, work, bins, accel):
    """A run with shares must end (kernels without 9p ignore the mount table)."""
    d = os.path.join(work, "share")
    os.makedirs(d, exist_ok=True)
    t0 = time.monotonic()
    try:
        p = subprocess.run([unielf, "run", "--accel", accel, "--share", d + ":/data",
                            bins["hello"], "shared"], capture_output=True, timeout=120)
        check("run with --share ends with the program's status",
              p.returncode == 0 and b"hello from spawn" in p.stdout,
              f"{p.returncode} {p.stderr!r}")
    except subprocess.TimeoutExpired:
        check("run with --share ends", False, "timed out")
    timings.append(("run --share hello (whole run)", time.monotonic() - t0, 0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--accel", default=os.environ.get("E2E_CONTROL_ACCEL", "tcg"))
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("suites", nargs="*", default=["basic", "key", "shares", "listener"])
    args = ap.parse_args()
    build = args.build if os.path.isabs(args.build) else os.path.join(REPO, args.build)
    unielf = os.path.join(build, "unielf")
    bindir = os.path.join(build, "e2e-control")
    os.makedirs(bindir, exist_ok=True)
    bins = {}
    for p in PROGRAMS:
        src = os.path.join(HERE, p + ".c")
        out = os.path.join(bindir, p)
        if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
            # musl keeps the programs small (COM2 is slow); big is big on purpose
            cc = ["musl-gcc"] if shutil.which("musl-gcc") and p != "big" else ["gcc"]
            subprocess.run(cc + ["-static", "-O2", "-o", out, src], check=True)
        bins[p] = out
    # short socket paths: sun_path holds 107 bytes
    work = tempfile.mkdtemp(prefix="uectl-")
    try:
        if "basic" in args.suites:
            suite_basic(unielf, work, bins, args.accel)
        if "key" in args.suites:
            suite_key_and_upgrade(unielf, work, bins, args.accel)
        if "shares" in args.suites:
            suite_shares(unielf, work, bins, args.accel)
        if "listener" in args.suites:
            suite_listener(unielf, work, bins, args.accel)
    finally:
        if args.keep:
            print("work directory:", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\nrequest latencies (whole unielf command, connect to reply):")
    for name, t, size in timings:
        rate = f", {size / t / 1024:.0f} KiB/s for {size / 1048576:.2f} MiB" if size else ""
        print(f"  {name:40s} {t * 1000:8.0f} ms{rate}")
    print(f"\n{len(failures)} failed" + (": " + ", ".join(failures) if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
