#!/bin/bash
# SPDX-License-Identifier: MIT
# Live-patch end-to-end tests: builds the target program (static, static-PIE,
# dynamic) and the patches, then drives real VMs (TCG) with `unielf patch`,
# `unielf revert` and `unielf patches` (tests/e2e/livepatch/run.py).
#   bash tests/e2e/livepatch/run.sh [run.py options, e.g. --accel kvm, -k static, -k soak]
# LP_SOAK_CYCLES (default 1000, 0 skips) sets the apply/revert soak's cycle count.
# BUILD (default build) names the build directory holding unielf and kernel.elf;
# it is built first with `make BUILD=$BUILD all`.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
BUILD=${BUILD:-build}
cd "$REPO"
make -s --no-print-directory BUILD="$BUILD" "$BUILD/kernel.elf" "$BUILD/unielf"
OUT="$BUILD/e2e-livepatch"
mkdir -p "$OUT"
CF="-O2 -g -Wall -Wextra -Werror"
gcc $CF -pthread -static -no-pie -fno-pie "$HERE/target.c" -o "$OUT/target-static"
gcc $CF -pthread -static-pie -fPIE "$HERE/target.c" -o "$OUT/target-static-pie"
gcc $CF -pthread -pie -fPIE "$HERE/target.c" -o "$OUT/target-dynamic"
for p in compute2 compute3 puts tiny missing noold buildid main strlen both linger; do
	gcc $CF -shared -fPIC -Iinclude "$HERE/p_$p.c" -o "$OUT/p_$p.so"
done
# writable and executable: -N puts everything in one RWX segment
gcc $CF -shared -fPIC -nostdlib -Iinclude -Wl,-N "$HERE/p_wx.c" -o "$OUT/p_wx.so" 2>/dev/null
# corrupt: a real patch with its program header offset pointing past the end
python3 - "$OUT/p_compute2.so" "$OUT/p_corrupt.so" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<Q", b, 32, len(b) + 4096)   # e_phoff
open(sys.argv[2], "wb").write(b)
PY
exec python3 "$HERE/run.py" --build "$BUILD" --out "$OUT" "$@"
