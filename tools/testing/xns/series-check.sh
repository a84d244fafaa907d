#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# series-check.sh [VARIANT [FIRST [LAST]]]: every prefix of the patch series
# builds and boots.  For each N from FIRST (default 1) to LAST (default the
# last patch), the kernel with patches
# 0001..N is built for VARIANT (default x86_64) and booted with the
# kernel's own namespaces and pidfd_setns suites, which must pass as they
# do in make check: the same retries for the same named upstream flakes,
# the same checks of the boot log for splats and hangs.  The module needs
# the whole series and is not loaded; the whole series is what make check
# tests.
#
# The prefixes are built one after the other in a source tree and build
# directory of their own ($XNS_CACHE/series-check), so each is an
# incremental build of the one before and the test kernels of make check
# stay as they are.  Logs: build/series-check/VARIANT/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$here/env.sh"

v=${1:-x86_64}
first=${2:-1}
last=${3:-}
export XNS_KSRC=$XNS_CACHE/series-check/src
export XNS_KBUILD=$XNS_CACHE/series-check/build
. "$here/qemu.sh"
out=$top/build/series-check/$v
mkdir -p "$out"

shopt -s nullglob
series=()
for p in "$top"/patches/*.patch; do
	[[ $p = */0000-* ]] || series+=("$p")
done
shopt -u nullglob
[ ${#series[@]} -gt 0 ] || { echo "series-check: no patches in $top/patches" >&2; exit 1; }
[ -n "$last" ] && [ "$last" -le ${#series[@]} ] || last=${#series[@]}

{
	selftest_programs "$KSRC_PRISTINE/tools/testing/selftests/namespaces"
	echo "pidfd: pidfd_setns_test"
} >"$out/programs.expected"

failed=()
for ((n = first; n <= last; n++)); do
	name=$(basename "${series[n - 1]}" .patch)
	prefix=$out/patches
	rm -rf "$prefix"
	mkdir -p "$prefix"
	cp "${series[@]:0:n}" "$prefix/"
	echo "== series-check $v: $name"
	start=$SECONDS
	if ! XNS_PATCHES=$prefix bash "$here/build-kernel.sh" "$v" ||
	   ! XNS_GUEST_OUT=$out bash "$here/build-guest.sh" --kernel-suites "$v"; then
		echo "series-check $v: FAIL: $name does not build"
		failed+=("$name (build)")
		continue
	fi
	log=$out/boot-$n.log
	ktap_log=$out/ktap-$n.log
	rm -f "$ktap_log"
	XNS_INITRD=$out/initramfs.cpio XNS_KTAP_LOG=$ktap_log qemu_cmd "$v" kernel-suites
	timeout -k 10 "${XNS_BOOT_TIMEOUT:-900}" "${qemu[@]}" </dev/null >"$log" 2>&1
	if ! python3 "$here/ktap.py" check "$ktap_log" --console "$log" \
		--arch "$v+$(printf %04d "$n")" --expect "$out/programs.expected"; then
		echo "series-check $v: FAIL: $name (boot log: $log, results: $ktap_log)"
		failed+=("$name (boot)")
	fi
	echo "series-check $v: $name took $(( SECONDS - start ))s"
done

if [ ${#failed[@]} -gt 0 ]; then
	printf 'series-check %s: FAILED: %s\n' "$v" "${failed[@]}"
	exit 1
fi
echo "series-check $v: patches $first..$last each build and boot"
