# SPDX-License-Identifier: MIT
"""The e2e engine: runs one case natively and inside UniELF and judges it.

A case is a program and its arguments, stdin, environment and the files it needs.
Differential cases run natively first (Linux is the oracle) and then through
`unielf run`, and must agree byte for byte on stdout, stderr and exit status. Guest-only
cases (what the tool must say about a corrupt ELF, a missing program) carry their own
check. tests/e2e/cases.py defines the cases; tests/e2e/run.py is the command line.
"""

import fnmatch
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Union

# What the tool gives the guest besides --env values (tools/unielf: UE_DEFAULT_PATH).
GUEST_PATH = "/usr/local/bin:/usr/bin:/bin"
DEVNULL = "devnull"  # a Case.stdin value: stdin is /dev/null rather than a pipe


@dataclass
class Result:
    status: int  # 0..255, or 128+N when killed by signal N (as a shell reports it)
    stdout: bytes
    stderr: bytes
    seconds: float
    timed_out: bool = False


@dataclass
class Case:
    name: str
    argv: List[str]  # the native command; also the guest one unless guest_argv
    guest_argv: Optional[List[str]] = None
    files: List[str] = field(default_factory=list)  # packed with --file (absolute)
    stdin: Union[bytes, str] = DEVNULL  # bytes are piped in; DEVNULL is /dev/null
    env: Dict[str, str] = field(default_factory=dict)  # program env beyond PATH/HOME
    host_path: Optional[str] = None  # PATH for the native program and for unielf
    cwd: str = "/"  # native cwd, and the guest's --workdir when not "/"
    status: Optional[int] = None  # exit status the native run must have
    stdout: Optional[bytes] = None  # exact stdout the native run must print
    stderr: Optional[bytes] = None  # exact stderr the native run must print
    native: bool = True  # False: guest only, judged by check()
    check: Optional[Callable[[Result], Optional[str]]] = None  # reason or None
    app: bool = False  # part of `make apps-native`
    run_opts: List[str] = field(default_factory=list)  # extra `unielf run` options


def _status(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def run_process(argv, stdin, env, cwd, timeout) -> Result:
    """Runs argv in its own process group; on timeout the whole group is killed."""
    start = time.monotonic()
    stdin_arg = subprocess.DEVNULL if stdin == DEVNULL else subprocess.PIPE
    try:
        proc = subprocess.Popen(argv, stdin=stdin_arg, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=cwd,
                                start_new_session=True)
    except FileNotFoundError:
        return Result(127, b"", f"harness: {argv[0]}: not found\n".encode(), 0.0)
    except PermissionError:
        return Result(126, b"", f"harness: {argv[0]}: not executable\n".encode(), 0.0)
    except OSError as e:  # ENOEXEC and friends, as a shell would report them
        return Result(126, b"", f"harness: {argv[0]}: {e.strerror}\n".encode(), 0.0)
    try:
        out, err = proc.communicate(None if stdin == DEVNULL else stdin, timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        timed_out = True
    return Result(_status(proc.returncode), out, err, time.monotonic() - start, timed_out)


def _show(data: bytes, at: int) -> str:
    chunk = data[max(0, at - 20):at + 40]
    return repr(chunk)[1:]


def diff_bytes(what: str, want: bytes, got: bytes, want_name: str, got_name: str):
    """None when equal, else one line locating the first difference."""
    if want == got:
        return None
    at = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b),
              min(len(want), len(got)))
    line = want[:at].count(b"\n") + 1
    return (f"{what} differs at byte {at} (line {line}): {want_name} {len(want)} bytes "
            f"{_show(want, at)} vs {got_name} {len(got)} bytes {_show(got, at)}")


def first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip().splitlines()
    return text[0][:200] if text else ""


class Runner:
    def __init__(self, unielf: List[str], unielf_opts: List[str], timeout: float,
                 native_timeout: float, results_dir: str):
        self.unielf = unielf
        self.unielf_opts = unielf_opts
        self.timeout = timeout
        self.native_timeout = native_timeout
        self.results_dir = results_dir

    @staticmethod
    def native_env(case: Case) -> Dict[str, str]:
        env = {"PATH": case.host_path or GUEST_PATH, "HOME": "/"}
        env.update(case.env)
        return env

    def unielf_argv(self, case: Case) -> List[str]:
        argv = list(self.unielf) + ["run"] + list(self.unielf_opts) + list(case.run_opts)
        for f in case.files:
            argv += ["--file", f]
        for k, v in case.env.items():
            argv += ["--env", f"{k}={v}"]
        if case.host_path:
            argv += ["--env", f"PATH={case.host_path}"]
        if case.cwd != "/":
            argv += ["--workdir", case.cwd]
        return argv + list(case.guest_argv or case.argv)

    def unielf_env(self, case: Case) -> Dict[str, str]:
        # The tool's own environment: the harness's, so UNIELF_* settings and TMPDIR
        # reach it; PATH is what PROGRAM is looked up in.
        env = dict(os.environ)
        if case.host_path:
            env["PATH"] = case.host_path
        return env

    def run_native(self, case: Case) -> Result:
        return run_process(case.argv, case.stdin, self.native_env(case), case.cwd,
                           self.native_timeout)

    def run_guest(self, case: Case) -> Result:
        # same cwd as the native run: unielf shares it (9p) unless it is /
        return run_process(self.unielf_argv(case), case.stdin, self.unielf_env(case),
                           case.cwd, self.timeout)

    def judge_native(self, case: Case, r: Result) -> Optional[str]:
        if r.timed_out:
            return f"native run timed out after {self.native_timeout:g} s"
        if case.status is not None and r.status != case.status:
            return (f"native run exited {r.status}, want {case.status}: "
                    f"{first_line(r.stderr)}")
        if case.stdout is not None:
            d = diff_bytes("native stdout", case.stdout, r.stdout, "expected", "native")
            if d:
                return d
        if case.stderr is not None:
            d = diff_bytes("native stderr", case.stderr, r.stderr, "expected", "native")
            if d:
                return d
        return None

    def judge_guest(self, case: Case, native: Optional[Result], g: Result):
        if g.timed_out:
            return f"unielf run timed out after {self.timeout:g} s"
        if native is None:
            return case.check(g) if case.check else None
        if g.status != native.status:
            why = f"exit status {g.status}, native {native.status}"
            if g.stderr:
                why += f"; unielf stderr: {first_line(g.stderr)}"
            return why
        return (diff_bytes("stdout", native.stdout, g.stdout, "native", "unielf") or
                diff_bytes("stderr", native.stderr, g.stderr, "native", "unielf"))

    def save(self, case: Case, native: Optional[Result], guest: Optional[Result]) -> str:
        """Keeps the outputs of a failed case for a look; returns the directory."""
        d = os.path.join(self.results_dir, case.name.replace("/", "__"))
        os.makedirs(d, exist_ok=True)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        with open(os.path.join(d, "command"), "w") as f:
            f.write("native: " + " ".join(map(repr, case.argv)) + "\n")
            f.write("unielf: " + " ".join(map(repr, self.unielf_argv(case))) + "\n")
        for tag, r in (("native", native), ("unielf", guest)):
            if r is None:
                continue
            for stream in ("stdout", "stderr"):
                with open(os.path.join(d, f"{tag}.{stream}"), "wb") as f:
                    f.write(getattr(r, stream))
            with open(os.path.join(d, f"{tag}.status"), "w") as f:
                f.write(f"{r.status}{' (timed out)' if r.timed_out else ''}\n")
        return d

    def run_case(self, case: Case, native_only: bool):
        """Returns (ok, reason, seconds, saved-dir-or-None, native-failed)."""
        native = guest = None
        seconds = 0.0
        why = None
        if case.native:
            native = self.run_native(case)
            seconds += native.seconds
            why = self.judge_native(case, native)
            if why:
                return False, why, seconds, self.save(case, native, None), True
        if native_only:
            return True, None, seconds, None, False
        guest = self.run_guest(case)
        seconds += guest.seconds
        why = self.judge_guest(case, native, guest)
        if why:
            return False, why, seconds, self.save(case, native, guest), False
        return True, None, seconds, None, False


def load_known_failures(path: str) -> Dict[str, str]:
    """`case-name  reason` lines (the name may be an fnmatch pattern); # comments."""
    known = {}
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) < 2:
                raise SystemExit(f"{path}:{n}: a known failure needs a reason: {line}")
            known[parts[0]] = parts[1]
    return known


def known_reason(known: Dict[str, str], name: str) -> Optional[str]:
    for pattern, reason in known.items():
        if fnmatch.fnmatchcase(name, pattern):
            return reason
    return None


def run_all(runner: Runner, cases: List[Case], known: Dict[str, str], jobs: int,
            native_only: bool, out=print) -> int:
    """Runs cases on `jobs` threads, prints one line each and a summary.  Returns
    the number of unexpected results (FAIL and XPASS)."""
    from concurrent.futures import ThreadPoolExecutor

    lock = threading.Lock()
    counts = {"PASS": 0, "XFAIL": 0, "FAIL": 0, "XPASS": 0}
    bad: List[str] = []

    def one(case: Case):
        try:
            ok, why, secs, saved, native_failed = runner.run_case(case, native_only)
        except Exception as e:  # a harness bug must show as a failure, not a hang
            ok, why, secs, saved, native_failed = (False, f"harness error: {e!r}", 0.0,
                                                   None, True)
        # Known failures are about UniELF; a case broken natively always fails.
        reason = None if native_only or native_failed else known_reason(known, case.name)
        if ok and reason is None:
            tag, line = "PASS", ""
        elif ok:
            tag, line = "XPASS", f" unexpected pass: remove it from known-failures.txt ({reason})"
        elif reason is not None:
            tag, line = "XFAIL", f" {reason} [{why}]"
        else:
            tag, line = "FAIL", f" {why}" + (f" (outputs in {saved})" if saved else "")
        with lock:
            counts[tag] += 1
            if tag in ("FAIL", "XPASS"):
                bad.append(case.name)
            out(f"{tag:5} {case.name} ({secs:.1f} s){line}")

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(one, cases))
    summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v or k == "PASS")
    out(f"{'native' if native_only else 'e2e'}: {len(cases)} cases: {summary}")
    if bad:
        out("unexpected: " + " ".join(sorted(bad)))
    return len(bad)
