# SPDX-License-Identifier: MIT
# End-to-end tests: boot UniELF VMs with build/unielf and compare each case with the
# same program run natively (tests/e2e/run.py; cases in tests/e2e/cases.py, known
# failures in tests/e2e/known-failures.txt).
#   make e2e            every suite (part of `make test`)
#   make e2e-apps       tests/apps programs, three variants each
#   make e2e-tool       the `unielf run` contract
#   make e2e-busybox    Debian's /bin/busybox applets
#   make e2e-selftest   the harness against tests/e2e/fake_unielf.py (runs programs
#                       natively; known failures ignored): checks the harness
#                       and the cases, not UniELF
# Knobs: E2E_UNIELF_OPTS (default "--accel tcg"), E2E_JOBS (default 2), E2E_TIMEOUT (120 s),
# E2E_ARGS (extra run.py arguments, e.g. E2E_ARGS="-k 'apps/musl/*'").

E2E_RUN := python3 tests/e2e/run.py --build $(BUILD) $(E2E_ARGS)

e2e: all apps
	$(Q)$(E2E_RUN)

e2e-apps e2e-tool e2e-busybox e2e-debian e2e-shell: e2e-%: all apps
	$(Q)$(E2E_RUN) $*

e2e-selftest: apps
	$(Q)E2E_UNIELF="python3 tests/e2e/fake_unielf.py" $(E2E_RUN) --known-failures /dev/null

TEST_TARGETS += e2e

.PHONY: e2e e2e-apps e2e-tool e2e-busybox e2e-debian e2e-shell e2e-selftest

# An interactive bash on a real pseudo-terminal (tests/e2e/terminal/run.py).
e2e-terminal: all
	$(Q)timeout 600 python3 tests/e2e/terminal/run.py $(BUILD)

# Live patching against real VMs (tests/e2e/livepatch/run.sh).
e2e-livepatch: all
	$(Q)BUILD=$(BUILD) timeout 1500 bash tests/e2e/livepatch/run.sh

TEST_TARGETS += e2e-terminal e2e-livepatch
.PHONY: e2e-terminal e2e-livepatch

# Servers inside UniELF driven from the host over QEMU user networking, and guest
# clients of host servers (tests/e2e/net.py): the echo server, nginx, redis,
# python3 -m http.server, curl, upgrade under load.  Each case runs natively first
# (about 2 minutes under TCG in all).  E2E_NET_ARGS: e.g. -k 'net/nginx-*'.
e2e-net: all apps
	$(Q)python3 tests/e2e/net.py --build $(BUILD) $(E2E_NET_ARGS)

e2e-net-native: apps
	$(Q)python3 tests/e2e/net.py --native --build $(BUILD) $(E2E_NET_ARGS)

TEST_TARGETS += e2e-net
.PHONY: e2e-net e2e-net-native
