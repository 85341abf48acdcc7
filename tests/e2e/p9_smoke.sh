#!/bin/bash
# SPDX-License-Identifier: MIT
# By-hand smoke test of virtio-9p shares, without the host tool: builds an
# initrd with a .unielf/ launch descriptor (docs/console-protocol.md) and a
# .unielf/mounts table (docs/9p.md), boots build/kernel.elf under QEMU with
# -fsdev/-device options like tools/unielf/qemu.c, runs busybox to ls, cat,
# write, mkdir, rename, chmod and rm on a shared temp dir, then checks the
# host side.  On microvm (virtio-mmio) and q35 (virtio-pci).
#
#   tests/e2e/p9_smoke.sh [microvm|q35 ...]      (default: both)
#   BUSYBOX=/path/to/static/busybox  ACCEL=kvm|tcg  KERNEL=build/kernel.elf
set -euo pipefail

cd "$(dirname "$0")/../.."
KERNEL=${KERNEL:-build/kernel.elf}
BUSYBOX=${BUSYBOX:-/bin/busybox}
QEMU=${QEMU:-qemu-system-x86_64}
if [ -z "${ACCEL:-}" ]; then
	if [ -w /dev/kvm ]; then ACCEL=kvm; else ACCEL=tcg; fi
fi
MACHINES=("$@")
[ ${#MACHINES[@]} -gt 0 ] || MACHINES=(microvm q35)

[ -f "$KERNEL" ] || { echo "p9_smoke: $KERNEL missing (run make)"; exit 2; }
[ -x "$BUSYBOX" ] || { echo "p9_smoke: $BUSYBOX missing"; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Reads QEMU's serial stream on stdin: program stdout/stderr to ours, kernel
# log to $WORK/log; exits with the status of the EXIT frame (125 without one).
cat > "$WORK/frames.py" <<'EOF'
import sys, struct
data = sys.stdin.buffer.read()
sync = data.find(b"\nUNIELF-SYNC\n")
if sync < 0:
    sys.stderr.write("p9_smoke: no UNIELF-SYNC from the kernel\n")
    sys.exit(125)
p = sync + len(b"\nUNIELF-SYNC\n")
status = 125
log = open(sys.argv[1], "ab")
while p + 3 <= len(data):
    t, n = data[p], struct.unpack_from("<H", data, p + 1)[0]
    body = data[p + 3:p + 3 + n]
    p += 3 + n
    if t == 1:
        sys.stdout.buffer.write(body)
    elif t == 2:
        sys.stderr.buffer.write(body)
    elif t == 3:
        log.write(body.rstrip(b"\n") + b"\n")
    elif t == 4:
        status = body[0]
    elif t == 5:
        sys.stderr.buffer.write(b"unielf: " + body + b"\n")
sys.stdout.flush()
sys.exit(status)
EOF

# make_initrd DIR ARGV... : the launch descriptor runs /bin/busybox ARGV with
# the share of tag unielf0 at /share.
make_initrd() {
	local out=$1
	shift
	local root="$WORK/initrd"
	rm -rf "$root"
	mkdir -p "$root/.unielf" "$root/bin"
	cp "$BUSYBOX" "$root/bin/busybox"
	printf '%s\0' busybox "$@" > "$root/.unielf/argv"
	printf '%s\0' PATH=/bin HOME=/ > "$root/.unielf/env"
	printf '/bin/busybox' > "$root/.unielf/exe"
	printf '/' > "$root/.unielf/workdir"
	printf 'unielf0 /share rw\n' > "$root/.unielf/mounts"
	(cd "$root" && find .unielf bin | cpio -o -H newc --quiet) > "$out"
}

boot() {
	local machine=$1 share=$2 initrd=$3
	local mopt dev
	if [ "$machine" = q35 ]; then
		mopt=q35
		dev=virtio-9p-pci
	else
		mopt=microvm,x-option-roms=off,rtc=on
		dev=virtio-9p-device
	fi
	local cpu=max
	[ "$ACCEL" = kvm ] && cpu=host
	timeout 120 "$QEMU" -M "$mopt" -cpu "$cpu" -accel "$ACCEL" -m 256 -smp 1 \
		-nodefaults -no-user-config -display none -no-reboot \
		-chardev stdio,id=con,signal=off -serial chardev:con \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-global virtio-mmio.force-legacy=false \
		-fsdev "local,id=fs0,path=$share,security_model=none" \
		-device "$dev,fsdev=fs0,mount_tag=unielf0" \
		-kernel "$KERNEL" -initrd "$initrd" -append verbose </dev/null |
		python3 "$WORK/frames.py" "$WORK/log.$machine"
	# QEMU's own status is isa-debug-exit's (2n+1): the EXIT frame rules
	return "${PIPESTATUS[1]}"
}

fail=0
check() {
	if eval "$2"; then
		echo "  ok   $1"
	else
		echo "  FAIL $1"
		fail=1
	fi
}

GUEST_SCRIPT='
set -e
cd /share
ls
cat hello.txt
echo written-by-guest > out.txt
mkdir -p newdir/sub
mv out.txt newdir/moved.txt
rm todelete.txt
rmdir emptydir
chmod 640 keep.txt
ln -s moved.txt newdir/link
readlink newdir/link
dd if=/dev/zero of=big.bin bs=65536 count=320 2>/dev/null
time cat big.bin > /dev/null
wc -c < big.bin
cp big.bin big2.bin
ls -l newdir
echo guest-done
'

for m in "${MACHINES[@]}"; do
	echo "== $m ($ACCEL)"
	share="$WORK/share-$m"
	mkdir -p "$share/emptydir"
	echo "hello from host" > "$share/hello.txt"
	echo "delete me" > "$share/todelete.txt"
	echo "keep" > "$share/keep.txt"
	make_initrd "$WORK/initrd-$m.cpio" sh -c "$GUEST_SCRIPT"
	set +e
	boot "$m" "$share" "$WORK/initrd-$m.cpio" > "$WORK/out.$m" 2> "$WORK/err.$m"
	status=$?
	set -e
	check "exit status 0 (got $status)" "[ $status = 0 ]"
	check "guest listed the share" "grep -qx todelete.txt '$WORK/out.$m'"
	check "guest read the host's file" "grep -qx 'hello from host' '$WORK/out.$m'"
	check "guest read a symlink" "grep -qx moved.txt '$WORK/out.$m'"
	check "guest saw 20 MiB" "grep -qx 20971520 '$WORK/out.$m'"
	check "guest finished" "grep -qx guest-done '$WORK/out.$m'"
	check "written, renamed into a new directory" \
		"[ \"\$(cat '$share/newdir/moved.txt' 2>/dev/null)\" = written-by-guest ]"
	check "nested mkdir" "[ -d '$share/newdir/sub' ]"
	check "rm" "[ ! -e '$share/todelete.txt' ] && [ ! -e '$share/out.txt' ]"
	check "rmdir" "[ ! -e '$share/emptydir' ]"
	check "chmod" "[ \"\$(stat -c %a '$share/keep.txt')\" = 640 ]"
	check "symlink" "[ \"\$(readlink '$share/newdir/link')\" = moved.txt ]"
	check "20 MiB write and copy" \
		"[ \"\$(stat -c %s '$share/big2.bin')\" = 20971520 ] && cmp -s '$share/big.bin' '$share/big2.bin'"
	if [ $fail != 0 ]; then
		echo "--- stdout"; cat "$WORK/out.$m"
		echo "--- stderr"; cat "$WORK/err.$m"
		echo "--- kernel log"; tail -20 "$WORK/log.$m" 2>/dev/null || true
	else
		grep -E '^real' "$WORK/err.$m" | sed 's/^/  read 20 MiB: /' || true
	fi
done
[ $fail = 0 ] && echo "p9_smoke: all passed" || echo "p9_smoke: FAILED"
exit $fail
