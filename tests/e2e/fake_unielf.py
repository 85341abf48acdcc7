#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in for `unielf run` that runs the program natively, for checking the e2e
harness itself (`make e2e-selftest`) while the kernel cannot run it yet.

It follows the documented contract (README, `unielf run --help`): options end at
PROGRAM; PROGRAM without a slash is looked up in PATH; the program's environment is
exactly the --env values plus PATH and HOME defaults; --workdir (default /); exit
status is the program's, 128+N for signal N, 126 with one `unielf: ` line when the
file is not a loadable x86_64 ELF, 127 when it does not exist.  --file is accepted
and ignored: natively the file is already at its absolute path.
"""

import os
import shutil
import struct
import subprocess
import sys

DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


def die(status: int, msg: str):
    sys.stderr.write(f"unielf: {msg}\n")
    sys.exit(status)


def elf_problem(path: str):
    """None when path looks like a loadable x86_64 ELF, else the reason."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 64 or data[:4] != b"\x7fELF":
        return "not an ELF file"
    if data[4] != 2 or data[5] != 1:
        return "not a 64-bit little-endian ELF"
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    if e_type not in (2, 3) or e_machine != 62:
        return "not an x86_64 executable"
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    if phentsize != 56 or phoff + phnum * 56 > len(data):
        return "program headers outside the file"
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data,
                                                                  phoff + i * 56)
        if p_type == 1 and p_offset + p_filesz > len(data):
            return "segment outside the file"
    return None


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0] != "run":
        die(125, "usage: fake_unielf.py run [OPTION]... PROGRAM [ARG]...")
    args = args[1:]
    env = {}
    workdir = "/"
    with_value = {"-m", "--mem", "-f", "--file", "-e", "--env", "-w", "--workdir",
                  "--accel", "--machine"}
    while args and args[0].startswith("-"):
        opt = args.pop(0)
        if opt == "--":
            break
        value = None
        if "=" in opt and opt.startswith("--"):
            opt, value = opt.split("=", 1)
        if opt in with_value and value is None:
            if not args:
                die(125, f"{opt}: missing value")
            value = args.pop(0)
        if opt in ("-e", "--env"):
            k, _, v = value.partition("=")
            env[k] = v
        elif opt in ("-w", "--workdir"):
            workdir = value
    if not args:
        die(125, "run: missing PROGRAM")
    prog = args[0]
    path = prog if "/" in prog else shutil.which(prog)
    if not path or not os.path.exists(path):
        die(127, f"{prog}: not found")
    problem = elf_problem(path)
    if problem:
        die(126, f"{path}: {problem}")
    env.setdefault("PATH", DEFAULT_PATH)
    env.setdefault("HOME", "/")
    r = subprocess.run(args, executable=path, env=env, cwd=workdir)
    return 128 - r.returncode if r.returncode < 0 else r.returncode


if __name__ == "__main__":
    sys.exit(main())
