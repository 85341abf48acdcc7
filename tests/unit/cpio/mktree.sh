#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the directory tree the cpio unit test archives with GNU cpio: files of
# every size mod 4 (padding), modes, a symlink, a hard link, deep and long names.
set -e
t="$1"
rm -rf "$t"
mkdir -p "$t/sub/dir"
: > "$t/empty"
printf 'A' > "$t/a"
printf 'bb' > "$t/bb"
printf 'ccc' > "$t/ccc"
printf '4444' > "$t/four"
printf '55555' > "$t/five"
printf '#!/bin/sh\necho hi\n' > "$t/exec.sh"
printf 'deep\n' > "$t/sub/dir/deep.txt"
i=0; while [ $i -lt 1000 ]; do printf '%09d\n' $i; i=$((i + 1)); done > "$t/big"
ln -s a "$t/link"
ln -s sub/dir/deep.txt "$t/link-to-deep"
ln "$t/five" "$t/hard-five"
long=$(printf '%0200d' 0 | tr 0 n)
printf 'long' > "$t/$long"
chmod 0600 "$t/empty"
chmod 0644 "$t/a" "$t/bb" "$t/ccc" "$t/four" "$t/five" "$t/big" "$t/$long"
chmod 0755 "$t/exec.sh" "$t/sub" "$t/sub/dir"
chmod 0640 "$t/sub/dir/deep.txt"
