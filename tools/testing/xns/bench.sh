#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh VARIANT: boot the test kernel with xns loaded and run xns-bench
# (tools/testing/xns/bench/) in it: xns against the UTS namespace in one
# boot, then creation at scale.  Writes build/VARIANT/bench.{log,csv,json,txt}
# and prints the table.
#
# bench.sh --series VARIANT: what the series costs the built-in types.  The
# same guest boots the patched kernel and the kernel built without
# patches/ (VARIANT-unpatched), xns not loaded, and runs the UTS and fork
# ops on each; prints patched/unpatched per op (build/VARIANT/series.txt).
#
# bench.sh --gate VARIANT: the cost gate of make check.  A short run of the
# ops that bench/cost-limits lists for VARIANT, failing when an xns/uts
# ratio is over its limit.  Uses the kernel and guest make check built.
#
# MEASURE=icount (the default) boots QEMU with -icount shift=0, so every
# figure is a count of guest instructions: deterministic, whatever the host
# is doing.  MEASURE=time measures wall-clock time instead (the only choice
# with XNS_KVM=1); --series and --gate always count instructions, since
# they compare figures from different boots or against fixed limits.
# BENCH_ARGS are passed to xns-bench (e.g. --quick, --scale 1000,10000);
# XNS_QEMU_MEM is the guest's memory (default 4G).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$here/env.sh"
. "$here/qemu.sh"

what=bench
case ${1:-} in
--series | --gate) what=${1#--}; shift ;;
esac
v=${1:?usage: bench.sh [--series|--gate] VARIANT}
measure=${MEASURE:-icount}
[ "$what" = bench ] || measure=icount
case $measure in
icount) icount=1 ;;
time) icount=0 ;;
*) echo "bench: MEASURE=$measure: icount or time" >&2; exit 1 ;;
esac
if [ $icount = 1 ] && [ "${XNS_KVM:-0}" = 1 ]; then
	echo "bench: MEASURE=icount counts instructions under TCG; with XNS_KVM=1 use MEASURE=time" >&2
	exit 1
fi
limits=$here/bench/cost-limits
out=$top/build/$v
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
cpu="${cpu:-unknown} ($(nproc) CPUs)"
qmode=TCG
[ $icount = 0 ] && [ "${XNS_KVM:-0}" = 1 ] && [ -w /dev/kvm ] && qmode=KVM-requested

# boot KERNEL NAME ARGS [KERNEL_ARGS]: boot the kernel of variant KERNEL
# with the guest of $v and xns-bench ARGS; the serial log is $out/NAME.log.
boot() {
	local kernel=$1 name=$2 args=$3 kargs=${4:-} extra=$out/$2-extra start
	rm -rf "$extra"
	mkdir -p "$extra"
	printf '%s\n' "$args" > "$extra/bench-args"
	# The kernel unpacks concatenated archives in order: /bench-args is
	# added to the test initramfs without touching the one make check boots.
	(cd "$extra" && echo bench-args | cpio -o -H newc -R 0:0 --quiet) > "$extra.cpio"
	cat "$out/initramfs.cpio" "$extra.cpio" > "$out/$name.cpio"
	# slab_nomerge keeps every cache apart, so slab deltas have one owner.
	XNS_ICOUNT=$icount XNS_QEMU_MEM=${XNS_QEMU_MEM:-4G} XNS_INITRD=$out/$name.cpio \
	XNS_KERNEL_ARGS="slab_nomerge $kargs" qemu_cmd "$kernel" bench
	echo "bench $v: booting $kernel (${XNS_QEMU_MEM:-4G}, $measure, log: $out/$name.log)"
	start=$SECONDS
	timeout -k 10 "${XNS_BENCH_TIMEOUT:-3600}" "${qemu[@]}" </dev/null >"$out/$name.log" 2>&1 || true
	echo "bench $v: $(( SECONDS - start ))s in QEMU"
}

report() {
	local name=$1
	shift
	python3 "$here/bench/report.py" report "$out/$name.log" --variant "$v" \
		--mode "$qmode" --measure "$measure" --host-cpu "$cpu" \
		--out "$out/$name" "$@"
}

case $what in
bench)
	bash "$here/build-kernel.sh" "$v"
	XNS_RUN_CMD= SHARE= bash "$here/build-guest.sh" "$v"
	boot "$v" bench "${BENCH_ARGS:-}"
	report bench
	;;
series)
	bash "$here/build-kernel.sh" "$v"
	bash "$here/build-kernel.sh" "$v-unpatched"
	XNS_RUN_CMD= SHARE= bash "$here/build-guest.sh" "$v"
	args="--types uts --no-scale ${BENCH_ARGS:-}"
	boot "$v" series-patched "$args" xns.insmod=0
	boot "$v-unpatched" series-unpatched "$args" xns.insmod=0
	status=0
	report series-patched >/dev/null || status=1
	report series-unpatched >/dev/null || status=1
	python3 "$here/bench/report.py" diff "$out/series-unpatched.json" \
		"$out/series-patched.json" --base-label unpatched \
		--new-label patched --target 1.005 --out "$out/series" || status=1
	exit $status
	;;
gate)
	ops=$(awk -v v="$v" '$1 == v { print $2 }' "$limits" | paste -sd, -)
	if [ -z "$ops" ]; then
		echo "bench $v: no cost limits for $v in $limits" >&2
		exit 1
	fi
	boot "$v" gate "--rounds 3 --iters 20 --no-scale --ops $ops"
	report gate --limits "$limits"
	;;
esac
