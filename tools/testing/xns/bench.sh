#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh VARIANT: boot the test kernel with xns loaded and run xns-bench
# (tools/testing/xns/bench/) in it: xns against the UTS namespace in one
# boot, then creation at scale.  Writes build/VARIANT/bench.{log,csv,json,txt}
# and prints the table.  BENCH_ARGS are passed to xns-bench (e.g. --quick,
# --scale 1000,10000); XNS_QEMU_MEM is the guest's memory (default 4G).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$here/env.sh"
. "$here/qemu.sh"

v=${1:?usage: bench.sh VARIANT}
bash "$here/build-kernel.sh" "$v"
XNS_RUN_CMD= SHARE= bash "$here/build-guest.sh" "$v"

out=$top/build/$v
extra=$out/bench-extra
rm -rf "$extra"
mkdir -p "$extra"
printf '%s\n' "${BENCH_ARGS:-}" > "$extra/bench-args"
# The kernel unpacks concatenated archives in order: /bench-args is added
# to the test initramfs without touching the one make check boots.
(cd "$extra" && echo bench-args | cpio -o -H newc -R 0:0 --quiet) > "$out/bench-args.cpio"
cat "$out/initramfs.cpio" "$out/bench-args.cpio" > "$out/bench.cpio"

mode=TCG
[ "${XNS_KVM:-0}" = 1 ] && [ -w /dev/kvm ] && mode=KVM-requested
# slab_nomerge keeps every cache apart, so slab deltas have one owner.
XNS_QEMU_MEM=${XNS_QEMU_MEM:-4G} XNS_INITRD=$out/bench.cpio \
XNS_KERNEL_ARGS=slab_nomerge qemu_cmd "$v" bench
log=$out/bench.log
echo "bench $v: booting (${XNS_QEMU_MEM:-4G}, log: $log)"
start=$SECONDS
timeout -k 10 "${XNS_BENCH_TIMEOUT:-3600}" "${qemu[@]}" </dev/null >"$log" 2>&1 || true
echo "bench $v: $(( SECONDS - start ))s in QEMU"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
python3 "$here/bench/report.py" "$log" --variant "$v" --mode "$mode" \
	--host-cpu "${cpu:-unknown} ($(nproc) CPUs)" --out "$out/bench"
