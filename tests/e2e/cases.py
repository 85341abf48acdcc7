# SPDX-License-Identifier: MIT
"""The e2e cases, in three suites:

  apps     every tests/apps program x variant (musl, glibc, static-pie), natively
           and inside UniELF, compared byte for byte (`make apps-native` runs only
           the native half)
  tool     the `unielf run` contract: stream split, exit statuses, stdin, corrupt
           and missing programs, PATH lookup, --file, --workdir, faults
  busybox  Debian's static /bin/busybox applets that do not fork, against the same
           busybox run natively

Case names are <suite>/...; tests/e2e/known-failures.txt refers to them.  Inputs
the cases share are generated into WORK (deterministic content, absolute paths, so
a --file lands at the same path in the guest).
"""

import os
from typing import List

from harness import DEVNULL, GUEST_PATH, Case, Result

VARIANTS = ["musl", "glibc", "static-pie", "glibc-dyn", "musl-dyn"]
BUSYBOX = "/bin/busybox"


def lcg_bytes(n: int, seed: int) -> bytes:
    """n deterministic pseudo-random bytes (all 256 values occur)."""
    out = bytearray(n)
    x = seed & 0xFFFFFFFF
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i] = (x >> 16) & 0xFF
    return bytes(out)


def fnv1a(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima "
         "mike november oscar papa quebec romeo sierra tango uniform victor whiskey "
         "xray yankee zulu").split()


def text_lines(n: int, seed: int) -> List[str]:
    r = lcg_bytes(n * 4, seed)
    return [" ".join(WORDS[r[i * 4 + k] % len(WORDS)] for k in range(1 + r[i * 4 + 3] % 3))
            for i in range(n)]


class Work:
    """The shared inputs, created afresh under one absolute directory."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    def write(self, name: str, data, mode: int = 0o644) -> str:
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        os.chmod(p, mode)
        return p

    def prepare(self, apps_dir: str) -> None:
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root)
        lines = text_lines(2000, 7)
        self.write("text.txt", "\n".join(lines) + "\n")
        self.write("unsorted.txt", "\n".join(text_lines(300, 11)) + "\n")
        self.write("dups.txt", "\n".join(sorted(text_lines(400, 13))) + "\n")
        nums = lcg_bytes(200, 17)
        self.write("numbers.txt", "".join(f"{(b * 37) % 1000 - 300}\n" for b in nums))
        self.write("blob.bin", lcg_bytes(300 << 10, 19))
        self.write("empty.txt", b"")
        # A directory tree for ls: files, a hidden one, an empty file, a subdir.
        self.write("tree/a.txt", "a\n")
        self.write("tree/b.txt", "bb\n")
        self.write("tree/.hidden", "h\n")
        self.write("tree/zero", b"")
        self.write("tree/sub/deep.txt", "deep\n")
        os.makedirs(self.path("tree/emptydir"))
        # Things `unielf run` must refuse (exit 126): truncated ELFs, a wrong
        # machine, a text file with the execute bit.
        with open(os.path.join(apps_dir, "musl", "exit_codes"), "rb") as f:
            elf = f.read()
        self.write("corrupt-header", elf[:40], 0o755)
        self.write("corrupt-segments", elf[:1500], 0o755)
        bad = bytearray(elf)
        bad[18:20] = (183).to_bytes(2, "little")  # e_machine = EM_AARCH64
        self.write("wrong-machine", bytes(bad), 0o755)
        self.write("text-exec", "this is not an ELF file\n", 0o755)
        # Inputs of the debian suite.
        self.write("deb/data.json", '{"name": "unielf", "list": [3, 1, 2], "nested": {"k": true}}\n')
        self.write("deb/calc.bc", "scale=20\n4*a(1)\n2^100\nsqrt(2)\n")
        self.write("deb/script.sql", "create table t(id integer primary key, name text);\n"
                   "insert into t(name) values ('a'),('b'),('c');\n"
                   "select count(*), group_concat(name, '-') from t;\n")
        self.write("deb/prog.lua", "local t = {}\nfor i = 1, 10 do t[i] = i * i end\n"
                   "print(table.concat(t, ','))\nprint(string.format('%.3f', math.pi))\n")
        self.write("deb/prog.py", "import json, re, hashlib, threading\n"
                   "d = json.loads(open('" + self.path("deb/data.json") + "').read())\n"
                   "print(json.dumps(d, sort_keys=True))\n"
                   "print(re.sub(r'[aeiou]', '_', 'unikernel elf loader'))\n"
                   "print(hashlib.sha256(b'unielf').hexdigest())\n"
                   "out = []\n"
                   "ts = [threading.Thread(target=lambda i=i: out.append(i * i)) for i in range(8)]\n"
                   "[t.start() for t in ts]\n[t.join() for t in ts]\nprint(sorted(out))\n")
        self.write("deb/a.txt", "one\ntwo\nthree\n")
        self.write("deb/b.txt", "one\n2\nthree\nfour\n")


def one_unielf_line(r: Result) -> str:
    if r.stdout:
        return f"stdout not empty: {r.stdout[:60]!r}"
    if not r.stderr.startswith(b"unielf: "):
        return f"stderr does not start with 'unielf: ': {r.stderr[:80]!r}"
    if r.stderr.count(b"\n") != 1 or not r.stderr.endswith(b"\n"):
        return f"stderr is not exactly one line: {r.stderr[:200]!r}"
    return ""


def expect_status(status: int):
    def check(r: Result):
        return None if r.status == status else f"exit status {r.status}, expected {status}"
    return check


def expect_refusal(status: int):
    """A guest-only check: exit `status` and exactly one `unielf: ` line on stderr."""

    def check(r: Result):
        if r.status != status:
            return f"exit status {r.status}, want {status}; stderr: {r.stderr[:200]!r}"
        return one_unielf_line(r) or None

    return check


# ---------------------------------------------------------------- apps


# Apps that must not run natively (they would exhaust the host): tool cases only.
GUEST_ONLY_APPS = {"memory_hog.c"}


def app_cases(apps_src: str, apps_dir: str, work: Work) -> List[Case]:
    names = sorted(f[:-2] for f in os.listdir(apps_src) if f.endswith(".c")
                   and f not in GUEST_ONLY_APPS)
    stdin_big = lcg_bytes(300 << 10, 23)
    cases = []
    for v in VARIANTS:
        for name in names:
            exe = os.path.realpath(os.path.join(apps_dir, v, name))
            base = f"apps/{v}/{name}"

            def add(suffix="", args=(), **kw):
                kw.setdefault("status", 0)
                cases.append(Case(name=base + suffix, argv=[exe, *args], app=True, **kw))

            if name == "args_env_auxv":
                add(args=["alpha", "two words", "", "tab\tx", "\u00fcn\u00ef"],
                    env={"E2E_MARK": "unielf-e2e"})
            elif name == "exit_codes":
                for n in (0, 1, 42, 255):
                    add(f"-{n}", [str(n)], status=n,
                        stdout=f"exiting with status {n}\n".encode())
                add("-42-_exit", ["42", "_exit"], status=42)
            elif name == "stdin_echo":
                for suffix, data in (("-pipe", stdin_big), ("-empty", b""),
                                     ("-devnull", DEVNULL)):
                    raw = b"" if data == DEVNULL else data
                    want = (f"bytes {len(raw)} lines {raw.count(10)} "
                            f"fnv1a {fnv1a(raw):016x}\n").encode()
                    add(suffix, stdin=data, stdout=want)
            elif name == "fault":
                add(status=139, stdout=b"about to dereference NULL\n")
            elif name == "devfiles":
                add(args=[exe])
            elif name == "split_streams":
                add(stdout=b"out\n", stderr=b"err\n")
            elif name == "epoll":
                add(stdin=b"epoll reads stdin\nthrough a pipe\n" * 40)
            elif name == "binary_output":
                add(stdout=bytes((i + (i >> 8) * 7) & 0xFF for i in range(256 << 10)))
            else:
                add()
    return cases


# ---------------------------------------------------------------- tool contract


def tool_cases(apps_dir: str, work: Work) -> List[Case]:
    app = lambda name: os.path.realpath(os.path.join(apps_dir, "musl", name))
    blob = work.path("blob.bin")
    cases = [
        Case("tool/split-streams", [app("split_streams")], stdout=b"out\n",
             stderr=b"err\n", status=0),
        Case("tool/stdin-pipe", [app("stdin_echo")], stdin=lcg_bytes(100 << 10, 29),
             status=0),
        Case("tool/stdin-empty-pipe", [app("stdin_echo")], stdin=b"", status=0),
        Case("tool/stdin-devnull", [app("stdin_echo")], stdin=DEVNULL, status=0),
        Case("tool/fault-139", [app("fault")], status=139),
        Case("tool/path-lookup-busybox", ["busybox", "echo", "found", "via", "PATH"],
             host_path=GUEST_PATH, status=0),
        Case("tool/path-lookup-app", ["exit_codes", "42"], status=42,
             host_path=os.path.dirname(app("exit_codes")) + ":/usr/bin:/bin"),
        # Host coreutils' sha256sum is the oracle for busybox's inside the guest.
        Case("tool/file-sha256sum", ["sha256sum", blob], files=[blob],
             guest_argv=[BUSYBOX, "sha256sum", blob], status=0),
        Case("tool/file-directory-cat", [BUSYBOX, "cat", work.path("tree/sub/deep.txt")],
             files=[work.path("tree")], status=0),
        Case("tool/workdir", [BUSYBOX, "cat", "a.txt", "sub/deep.txt"],
             files=[work.path("tree")], cwd=work.path("tree"), status=0),
        Case("tool/env", [app("args_env_auxv"), "alpha", "two words", "", "tab\tx",
                          "\u00fcn\u00ef"], env={"E2E_MARK": "unielf-e2e",
                                                 "E2E_SECOND": "x=y z"}, status=0),
    ]
    for n in (0, 1, 42, 255):
        cases.append(Case(f"tool/exit-{n}", [app("exit_codes"), str(n)], status=n))
    for name in ("corrupt-header", "corrupt-segments", "wrong-machine", "text-exec"):
        cases.append(Case(f"tool/refuse-{name}", [work.path(name)], native=False,
                          check=expect_refusal(126)))
    # Memory exhaustion kills the program as Linux's OOM killer would (SIGKILL),
    # and the kernel survives to report it (regression: it was SIGSEGV).
    cases.append(Case("tool/oom-kill-137", [app("memory_hog")], native=False,
                      run_opts=["--mem", "48"], check=expect_status(137)))
    cases.append(Case("tool/missing-absolute", [work.path("no-such-program")],
                      native=False, check=expect_refusal(127)))
    cases.append(Case("tool/missing-in-path", ["unielf-e2e-no-such-program"],
                      native=False, check=expect_refusal(127)))
    # Regression: a share under /tmp made the guest's /tmp a plain 0755 directory
    under_tmp = "/tmp/unielf-e2e-share"
    os.makedirs(under_tmp, exist_ok=True)
    cases.append(Case("tool/share-under-tmp-keeps-sticky", [BUSYBOX, "stat", "-c", "%a",
                                                            "/tmp"], native=False,
                      run_opts=["--share", under_tmp], check=expect_stdout(0, b"1777\n")))
    # --report lists the calls that returned ENOSYS, a registered one's too
    # (regression: prctl's unimplemented options were EINVAL and not listed)
    cases.append(Case("tool/report-enosys", [app("prctl")], native=False,
                      run_opts=["--report"], check=expect_report(
                          b"unielf: syscall 157 (prctl): 1 call, returned ENOSYS")))
    cases += net_tool_cases(app)
    return cases


def expect_report(line: bytes):
    """Exit 0 and, among the stderr lines, one starting with `line`."""
    def check(r: Result):
        if r.status != 0:
            return f"exit status {r.status}; stderr: {r.stderr[:300]!r}"
        if not any(l.startswith(line) for l in r.stderr.splitlines()):
            return f"no {line!r} on stderr: {r.stderr[:300]!r}"
        return None
    return check


def expect_usage_error(prefix: str):
    """Bad usage: 125, nothing on stdout, `unielf: PREFIX...` on stderr (then at
    most the `Try 'unielf run --help'.` hint)."""

    def check(r: Result):
        lines = r.stderr.decode("utf-8", "replace").splitlines()
        if r.status != 125:
            return f"exit status {r.status}, want 125; stderr: {r.stderr[:200]!r}"
        if r.stdout:
            return f"stdout not empty: {r.stdout[:60]!r}"
        if not lines or not lines[0].startswith("unielf: " + prefix):
            return f"stderr does not start with 'unielf: {prefix}': {r.stderr[:200]!r}"
        if lines[1:] and lines[1:] != ["Try 'unielf run --help'."]:
            return f"more than the error and the hint on stderr: {r.stderr[:300]!r}"
        return None

    return check


def expect_stdout(status: int, stdout: bytes):
    def check(r: Result):
        if r.status != status:
            return f"exit status {r.status}, want {status}; stderr: {r.stderr[:200]!r}"
        if r.stdout != stdout:
            return f"stdout {r.stdout[:200]!r}, want {stdout!r}"
        return None

    return check


def net_tool_cases(app) -> List[Case]:
    """--net and -p: refusals before QEMU starts, QEMU refusing a forward, and
    runs with a NIC on both machines (the program's status and resolv.conf)."""
    exit42 = [app("exit_codes"), "42"]
    cases = []
    for name, opts, prefix in (
            ("bad-spec", ["-p", "abc"], "-p abc"),
            ("port-zero", ["-p", "0:80"], "-p 0:80"),
            ("port-too-big", ["-p", "8080:65536"], "-p 8080:65536"),
            ("bad-proto", ["-p", "8080:80/sctp"], "-p 8080:80/sctp"),
            ("bad-mode", ["--net", "tap"], "--net tap"),
            ("none-with-port", ["--net", "none", "-p", "8080:80"], "-p"),
            ("port-twice", ["-p", "18080:80", "-p", "18080:81"], "-p")):
        cases.append(Case(f"tool/net-usage-{name}", exit42, native=False, run_opts=opts,
                          check=expect_usage_error(prefix)))
    # 192.0.2.1 (TEST-NET-1) is no address of this host: QEMU cannot bind it
    cases.append(Case("tool/net-hostfwd-refused", exit42, native=False,
                      run_opts=["-p", "192.0.2.1:18080:80"], check=expect_refusal(125)))
    for machine in ("microvm", "q35"):
        cases.append(Case(f"tool/net-user-{machine}", exit42, native=False,
                          run_opts=["--net", "user", "--machine", machine],
                          check=expect_status(42)))
    cases.append(Case("tool/net-resolv-conf", [BUSYBOX, "cat", "/etc/resolv.conf"],
                      native=False, run_opts=["-p", "18081:80"],
                      check=expect_stdout(0, b"nameserver 10.0.2.3\n")))
    return cases


# ---------------------------------------------------------------- busybox


def busybox_cases(work: Work) -> List[Case]:
    w = work.path
    text, uns, dups, nums, blob = (w("text.txt"), w("unsorted.txt"), w("dups.txt"),
                                   w("numbers.txt"), w("blob.bin"))
    stdin_text = ("\n".join(text_lines(500, 31)) + "\n").encode()
    table = [
        # name, args, files, stdin, expected status
        ("echo", ["echo", "hello", "two  spaces", "", "end"], [], DEVNULL, 0),
        ("echo-n", ["echo", "-n", "no newline"], [], DEVNULL, 0),
        ("cat-file", ["cat", text], [text], DEVNULL, 0),
        ("cat-binary", ["cat", blob], [blob], DEVNULL, 0),
        ("cat-stdin", ["cat"], [], lcg_bytes(64 << 10, 37), 0),
        ("cat-missing", ["cat", w("missing.txt")], [], DEVNULL, 1),
        ("wc-file", ["wc", text], [text], DEVNULL, 0),
        ("wc-stdin", ["wc", "-l", "-w", "-c"], [], stdin_text, 0),
        ("head", ["head", "-n", "7", text], [text], DEVNULL, 0),
        ("head-c", ["head", "-c", "1000", blob], [blob], DEVNULL, 0),
        ("tail", ["tail", "-n", "7", text], [text], DEVNULL, 0),
        ("tail-c", ["tail", "-c", "100", blob], [blob], DEVNULL, 0),
        ("sort", ["sort", uns], [uns], DEVNULL, 0),
        ("sort-rn", ["sort", "-r", "-n", nums], [nums], DEVNULL, 0),
        ("sort-stdin", ["sort", "-u"], [], stdin_text, 0),
        ("uniq", ["uniq", dups], [dups], DEVNULL, 0),
        ("uniq-c", ["uniq", "-c", dups], [dups], DEVNULL, 0),
        ("md5sum", ["md5sum", text, blob], [text, blob], DEVNULL, 0),
        ("sha256sum", ["sha256sum", blob], [blob], DEVNULL, 0),
        ("sha256sum-stdin", ["sha256sum"], [], lcg_bytes(64 << 10, 41), 0),
        ("ls-dir", ["ls", w("tree")], [w("tree")], DEVNULL, 0),
        ("ls-a", ["ls", "-a", w("tree")], [w("tree")], DEVNULL, 0),
        ("ls-R", ["ls", "-R", w("tree")], [w("tree")], DEVNULL, 0),
        ("ls-missing", ["ls", w("missing")], [], DEVNULL, 1),
        ("expr-mul", ["expr", "6", "*", "7"], [], DEVNULL, 0),
        ("expr-false", ["expr", "1", "=", "2"], [], DEVNULL, 1),
        ("expr-length", ["expr", "length", "unikernel"], [], DEVNULL, 0),
        ("seq", ["seq", "1", "20"], [], DEVNULL, 0),
        ("seq-step", ["seq", "10", "-3", "-8"], [], DEVNULL, 0),
        ("tr-stdin", ["tr", "a-z", "A-Z"], [], stdin_text, 0),
        ("tr-delete", ["tr", "-d", "aeiou\n"], [], stdin_text, 0),
        ("basename", ["basename", "/usr/lib/libfoo.so.txt", ".txt"], [], DEVNULL, 0),
        ("dirname", ["dirname", "/usr/lib/libfoo.so"], [], DEVNULL, 0),
        ("printf", ["printf", "%s=%d %x %5.2f|%-4s|\\n", "k", "42", "255", "3.14159",
                    "ab"], [], DEVNULL, 0),
        ("true", ["true"], [], DEVNULL, 0),
        ("false", ["false"], [], DEVNULL, 1),
        ("unknown-applet", ["no-such-applet"], [], DEVNULL, 127),
    ]
    cases = []
    for name, args, files, stdin, status in table:
        cases.append(Case(f"busybox/{name}", [BUSYBOX, *args], files=files, stdin=stdin,
                          status=status))
    return cases


# ---------------------------------------------------------------- debian

# The tool packs glibc's support files (passwd, group, nsswitch.conf, ...)
# with a dynamic program itself; nothing extra is needed.
NSS_FILES: List[str] = []


def with_libs(*programs: str) -> List[str]:
    """The programs plus the shared libraries ldd says they load (the tool packs
    the closure of PROGRAM itself, not of programs a shell starts)."""
    import subprocess

    out = list(programs)
    for prog in programs:
        r = subprocess.run(["ldd", prog], capture_output=True, text=True)
        for line in r.stdout.splitlines():
            parts = line.split()
            path = parts[2] if len(parts) >= 3 and parts[1] == "=>" else parts[0]
            if path.startswith("/") and path not in out:
                out.append(path)
    return out


PY_SELECTORS = """\
import asyncio, os, selectors
s = selectors.DefaultSelector()
print(type(s).__name__)
r, w = os.pipe()
s.register(r, selectors.EVENT_READ, "pipe")
print(s.select(0))
os.write(w, b"x")
print([(k.data, ev) for k, ev in s.select(1)])
async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.call_later(0.05, fut.set_result, "timer fired")
    print(await fut)
    proc = await asyncio.create_subprocess_exec("/usr/bin/echo", "child",
                                                stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    print(out.decode().strip(), await proc.wait())
asyncio.run(main())
"""


def debian_cases(work: Work) -> List[Case]:
    """Debian's own dynamically linked programs, byte for byte against a native run."""
    w = work.path
    text, uns, dups, nums, blob = (w("text.txt"), w("unsorted.txt"), w("dups.txt"),
                                   w("numbers.txt"), w("blob.bin"))
    deb = w("deb")
    tree = w("tree")
    sh = "/bin/sh"
    table = [
        # name, argv, files, stdin, status
        # file entries only: directory sizes and block totals belong to the
        # file system (ext4 on the host, ramfs in the guest), not to ls
        ("ls-l", ["ls", "-l", w("tree/a.txt"), w("tree/b.txt"), w("tree/zero")],
         [tree] + NSS_FILES, DEVNULL, 0),
        ("ls-l-time", ["ls", "-ln", "--time-style=+%s", w("tree/a.txt"), w("tree/sub/deep.txt")],
         [tree], DEVNULL, 0),
        ("ls-1a", ["ls", "-1a", tree], [tree], DEVNULL, 0),
        ("cat", ["cat", text], [text], DEVNULL, 0),
        ("sort", ["sort", uns], [uns], DEVNULL, 0),
        ("sort-n", ["sort", "-n", nums], [nums], DEVNULL, 0),
        ("uniq-c", ["uniq", "-c", dups], [dups], DEVNULL, 0),
        ("wc", ["wc", text, blob], [text, blob], DEVNULL, 0),
        ("sha256sum", ["sha256sum", blob, text], [blob, text], DEVNULL, 0),
        ("md5sum", ["md5sum", blob], [blob], DEVNULL, 0),
        ("gzip-roundtrip", [sh, "-c", f"gzip -c {blob} | gunzip -c | sha256sum"],
         [blob, "/bin/gunzip"] + with_libs("/bin/gzip", "/bin/sha256sum"), DEVNULL, 0),
        ("tar-roundtrip", [sh, "-c", f"cd /tmp && tar cf t.tar -C {tree} . && mkdir -p x && "
                          "tar xf t.tar -C x && find x | sort && cat x/sub/deep.txt"],
         [tree] + with_libs("/bin/tar", "/bin/mkdir", "/bin/find", "/bin/sort", "/bin/cat")
         + NSS_FILES,
         DEVNULL, 0),
        ("find", [sh, "-c", f"find {tree} -name '*.txt' | sort"],
         [tree] + with_libs("/bin/find", "/bin/sort"), DEVNULL, 0),
        ("grep", ["grep", "-n", "e", text], [text], DEVNULL, 0),
        ("grep-count-stdin", ["grep", "-c", "e"], [],
         ("\n".join(text_lines(2000, 7)) + "\n").encode(), 0),
        ("sed", ["sed", "-e", "s/a/A/g", "-e", "3q", text], [text], DEVNULL, 0),
        ("awk", ["awk", "{ s += $1 } END { print s, NR }", nums], [nums], DEVNULL, 0),
        ("diff", ["diff", w("deb/a.txt"), w("deb/b.txt")], [deb], DEVNULL, 1),
        ("jq", ["jq", "-S", ".list |= sort", w("deb/data.json")], [deb], DEVNULL, 0),
        ("bc", ["bc", "-l", w("deb/calc.bc")], [deb], DEVNULL, 0),
        ("sqlite3", ["sqlite3", ":memory:", f".read {w('deb/script.sql')}"], [deb], DEVNULL, 0),
        ("lua", ["lua5.4", w("deb/prog.lua")], [deb], DEVNULL, 0),
        ("python3", ["/usr/bin/python3", w("deb/prog.py")], [deb, "/usr/lib/python3.11"],
         DEVNULL, 0),
        # selectors.DefaultSelector is epoll; asyncio runs on it (timers, a child)
        ("python3-selectors", ["/usr/bin/python3", "-c", PY_SELECTORS],
         ["/usr/lib/python3.11"] + with_libs("/usr/bin/echo"), DEVNULL, 0),
        ("sh-pipeline", [sh, "-c", "echo one two three | tr ' ' '\\n' | sort -r | head -n 2"],
         with_libs("/bin/tr", "/bin/sort", "/bin/head"), DEVNULL, 0),
    ]
    # ls -l of a directory the host shares over 9p (the current directory, shared
    # by default): sizes, block totals, owners and times are the host's own
    cases_cwd = [Case("debian/ls-l-shared-cwd", ["ls", "-l"], cwd=tree, status=0),
                 Case("debian/ls-la-shared-cwd", ["ls", "-la", "sub"], cwd=tree, status=0),
                 Case("debian/cat-relative-shared-cwd", ["cat", "a.txt", "sub/deep.txt"],
                      cwd=tree, status=0)]
    cases = list(cases_cwd)
    for name, argv, files, stdin, status in table:
        cases.append(Case(f"debian/{name}", argv, files=files, stdin=stdin, status=status))
    return cases


# ---------------------------------------------------------------- shell

SHELL_SCRIPTS = {
    "pipes-subst-redirect-heredoc": """
set -e
x=$(echo hello world | tr a-z A-Z)
echo "subst: $x"
y=`echo back | tr a-z A-Z`; echo "backticks: $y"
(cd /tmp && pwd; echo "in a subshell")
f=/tmp/unielf-sh-test-$$.txt
echo one > $f; echo two >> $f; echo three >> $f
wc -l < $f
sort -r $f | head -n 2
cat <<END
here-doc with $x
  indented line
END
cat <<'END'
quoted here-doc keeps $x
END
{ echo to-stderr 1>&2; } 2>&1 | tr a-z A-Z
rm $f
""",
    "jobs-and-wait": """
( sleep 0.2; exit 3 ) & a=$!
( exit 5 ) & b=$!
wait $b; echo "b exited $?"
wait $a; echo "a exited $?"
i=0
while [ $i -lt 200 ]; do ( exit 0 ) & i=$((i + 1)); done
wait
echo "forked and reaped 200 children"
""",
    "traps": """
trap 'echo caught USR1' USR1
trap 'echo on exit' EXIT
kill -USR1 $$
echo after the signal
""",
    "set-e-and-status": """
false || echo "recovered from false"
sh -c 'set -e; false; echo never printed'; echo "set -e child status $?"
sh -c 'exit 42'; echo "status $?"
if ! grep -q nomatch /dev/null; then echo "grep found nothing"; fi
case "abc" in a*) echo "case matched";; esac
""",
    "exec-chain": """
sh -c 'exec sh -c "exec echo end of the exec chain"'
echo "back in the first shell"
""",
}


def shell_cases(work: Work) -> List[Case]:
    """Real scripts by Debian's busybox sh and by bash, against native runs."""
    cases = []
    bash_files = with_libs("/usr/bin/sort", "/usr/bin/head", "/usr/bin/tr", "/usr/bin/wc",
                           "/usr/bin/cat", "/usr/bin/sleep", "/usr/bin/grep", "/usr/bin/rm",
                           "/usr/bin/echo", "/usr/bin/dash") + ["/bin/sh", "/usr/bin/sh"]
    for name, script in SHELL_SCRIPTS.items():
        cases.append(Case(f"shell/busybox-sh/{name}", [BUSYBOX, "sh", "-c", script], status=0))
        # bash runs the tools from /usr/bin; `sh` inside is dash, as on Debian
        cases.append(Case(f"shell/bash/{name}", ["/bin/bash", "-c", script],
                          files=bash_files, status=0))
    py = ("import subprocess\n"
          "r = subprocess.run(['/usr/bin/echo', 'from a child'], capture_output=True)\n"
          "print(r.returncode, r.stdout.decode().strip())\n"
          "p = subprocess.Popen(['/usr/bin/tr', 'a-z', 'A-Z'], stdin=subprocess.PIPE,"
          " stdout=subprocess.PIPE)\n"
          "print(p.communicate(b'piped through tr')[0].decode())\n"
          "print(subprocess.call(['/usr/bin/sh', '-c', 'exit 7']))\n")
    cases.append(Case("shell/python3-subprocess", ["/usr/bin/python3", "-c", py],
                      files=["/usr/lib/python3.11"] + with_libs("/usr/bin/echo", "/usr/bin/tr",
                                                                 "/usr/bin/dash")
                      + ["/bin/sh", "/usr/bin/sh"], status=0))
    return cases


SUITES = ("apps", "tool", "busybox", "debian", "shell")


def suite_cases(suite: str, repo: str, build: str, work: Work) -> List[Case]:
    """The cases of one suite; inputs live in `work`, apps in BUILD/apps."""
    apps_dir = os.path.join(os.path.abspath(build), "apps")
    if suite == "apps":
        return app_cases(os.path.join(repo, "tests", "apps"), apps_dir, work)
    if suite == "tool":
        return tool_cases(apps_dir, work)
    if suite == "busybox":
        return busybox_cases(work)
    if suite == "debian":
        return debian_cases(work)
    if suite == "shell":
        return shell_cases(work)
    raise ValueError(f"unknown suite {suite}")
