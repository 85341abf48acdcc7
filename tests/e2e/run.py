#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs the e2e suites: each case natively, then through `unielf run`, compared.

  tests/e2e/run.py [options] [SUITE...]     SUITE: apps, tool, busybox (default: all)

Prints one line per case (PASS, FAIL, XFAIL with the known reason, XPASS) and a
summary; exits 1 on any FAIL or XPASS.  Known failures: tests/e2e/known-failures.txt.
Environment: E2E_UNIELF (the tool to test, default BUILD/unielf; may be a command
with arguments, e.g. "python3 tests/e2e/fake_unielf.py" to check the harness itself),
E2E_UNIELF_OPTS (extra `run` options; default "--accel tcg"), E2E_JOBS, E2E_TIMEOUT.
"""

import argparse
import fcntl
import fnmatch
import os
import shlex
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases as C  # noqa: E402
import harness as H  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("suites", nargs="*", metavar="SUITE",
                    help="apps, tool, busybox (default: all)")
    ap.add_argument("--native", action="store_true",
                    help="run the cases natively only (apps-native)")
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="only cases whose name matches this fnmatch pattern")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"),
                    help="build directory (default: build)")
    ap.add_argument("--jobs", "-j", type=int, default=int(os.environ.get("E2E_JOBS", 2)))
    ap.add_argument("--timeout", type=float,
                    default=float(os.environ.get("E2E_TIMEOUT", 120)),
                    help="seconds per unielf run (default 120, enough for TCG)")
    ap.add_argument("--known-failures",
                    default=os.path.join(REPO, "tests", "e2e", "known-failures.txt"))
    args = ap.parse_args()

    for s in args.suites:
        if s not in C.SUITES:
            ap.error(f"unknown suite {s} (choose from {', '.join(C.SUITES)})")
    build = os.path.join(REPO, args.build) if not os.path.isabs(args.build) else args.build
    suites = args.suites or list(C.SUITES)
    work = C.Work(os.path.join(build, "e2e", "work"))
    cases = []
    for s in suites:
        cases += C.suite_cases(s, REPO, build, work)
    if args.native:
        cases = [c for c in cases if c.native]
    if args.patterns:
        cases = [c for c in cases if any(fnmatch.fnmatchcase(c.name, p)
                                         for p in args.patterns)]
    if args.list:
        for c in cases:
            print(c.name)
        return 0
    if not cases:
        print("e2e: no cases selected", file=sys.stderr)
        return 1

    missing = sorted({c.argv[0] for c in cases
                      if c.argv[0].startswith(os.path.join(build, "apps"))
                      and not os.access(c.argv[0], os.X_OK)})
    if missing:
        print(f"e2e: apps not built (run `make apps`): {' '.join(missing[:3])}...",
              file=sys.stderr)
        return 1
    # One run at a time per build directory: runs share build/e2e/work and results.
    os.makedirs(os.path.join(build, "e2e"), exist_ok=True)
    lock = open(os.path.join(build, "e2e", "lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("e2e: waiting for another e2e run in this build directory", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    work.prepare(os.path.join(build, "apps"))

    unielf = shlex.split(os.environ.get("E2E_UNIELF", "")) or [os.path.join(build, "unielf")]
    if not args.native and not os.access(shutil_which(unielf[0]) or "", os.X_OK):
        print(f"e2e: {unielf[0]} is not an executable (run `make`)", file=sys.stderr)
        return 1
    results = os.path.join(build, "e2e", "results")
    shutil.rmtree(results, ignore_errors=True)
    # TCG unless told otherwise: /dev/kvm exists on CI machines but is not
    # reliable there, and a test must never depend on it.
    runner = H.Runner(unielf, shlex.split(os.environ.get("E2E_UNIELF_OPTS", "--accel tcg")),
                      args.timeout, 60.0, results)
    known = H.load_known_failures(args.known_failures)
    if not args.native:
        names = [c.name for c in cases]
        for pattern in known:
            if not any(fnmatch.fnmatchcase(n, pattern) for n in names) and \
                    len(suites) == len(C.SUITES) and not args.patterns:
                print(f"warning: known-failures.txt: {pattern} matches no case")
        print(f"e2e: {len(cases)} cases, {args.jobs} at a time, unielf = "
              f"{' '.join(unielf)}, timeout {args.timeout:g} s")
    bad = H.run_all(runner, cases, known, args.jobs, args.native,
                    out=lambda line: print(line, flush=True))
    return 1 if bad else 0


def shutil_which(cmd: str):
    return cmd if os.sep in cmd else shutil.which(cmd)


if __name__ == "__main__":
    sys.exit(main())
