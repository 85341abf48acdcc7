#!/usr/bin/env python3
"""An interactive shell in `unielf run` on a real pseudo-terminal: prompt, line
editing by the host terminal, a command's output, Ctrl-C reaching the foreground
job (not the shell), `stty` seeing the terminal size, and the exit status.

Usage: tests/e2e/terminal/run.py [BUILD]   (exit 0 when every check passes)"""
import os
import pty
import select
import sys
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
UNIELF = os.path.join(BUILD, "unielf")
TIMEOUT = 90.0


def main() -> int:
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["PS1"] = "PROMPT> "
        os.execv(UNIELF, [UNIELF, "run", "--accel", "tcg", "--no-cwd", "--env", "PS1=PROMPT> ",
                          "--file", "/usr/bin/sleep", "--file", "/usr/bin/stty",
                          "/bin/bash", "--norc", "-i"])
    out = b""
    failures = []

    def expect(what: bytes, name: str) -> bool:
        nonlocal out
        deadline = time.monotonic() + TIMEOUT
        while what not in out:
            left = deadline - time.monotonic()
            if left <= 0:
                failures.append(f"{name}: no {what!r} within {TIMEOUT:g} s; got {out[-200:]!r}")
                return False
            r, _, _ = select.select([fd], [], [], left)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    failures.append(f"{name}: terminal closed; got {out[-200:]!r}")
                    return False
                out += data
        out = out[out.index(what) + len(what):]
        print(f"PASS  {name}")
        return True

    ok = expect(b"PROMPT> ", "prompt")
    if ok:
        os.write(fd, b"echo hello-$((6*7))\n")
        ok = expect(b"hello-42", "command output")
    if ok:
        ok = expect(b"PROMPT> ", "prompt again")
    if ok:
        os.write(fd, b"stty size\n")
        ok = expect(b"24 80", "stty sees the terminal size")
    if ok:
        ok = expect(b"PROMPT> ", "prompt after stty")
    if ok:
        os.write(fd, b"sleep 100; echo status-$?\n")
        time.sleep(3)
        os.write(fd, b"\x03")
        ok = expect(b"PROMPT> ", "Ctrl-C ends the foreground sleep, the shell stays")
    if ok:
        os.write(fd, b"exit 7\n")
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if ok and code != 7:
        failures.append(f"exit status {code}, expected 7")
    elif ok:
        print("PASS  exit status 7")
    for f in failures:
        print(f"FAIL  {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
