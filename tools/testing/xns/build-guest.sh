#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-guest.sh [--module-only | --kernel-suites] VARIANT: build what runs
# inside the test kernel: the Rust module, the static selftests (xns's own
# and the kernel's namespaces and pidfd_setns tests), the KTAP driver, and
# pack them with busybox into build/VARIANT/initramfs.cpio.  With
# --kernel-suites, only the kernel's suites, into XNS_GUEST_OUT (for
# series-check.sh, whose kernels cannot load the module).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$here/env.sh"

module_only=0
kernel_suites=0
case ${1:-} in
--module-only) module_only=1; shift ;;
--kernel-suites) kernel_suites=1; shift ;;
esac
variant_vars "${1:?usage: build-guest.sh [--module-only | --kernel-suites] VARIANT}" || exit 1

say() { printf 'guest %s: %s\n' "$variant" "$*"; }
die() { printf 'guest %s: error: %s\n' "$variant" "$*" >&2; exit 1; }

[ -f "$build/.xns-key" ] || die "no test kernel in $build: run 'make kernel ARCH=$arch'"
out=${XNS_GUEST_OUT:-$top/build/$variant}

# build_module: xns.ko and the samples, against the test kernel.
build_module() {
	say "building the module"
	# Built against another build of the kernel, the module is stale even where
	# kbuild does not see it: a config change that resizes struct module left
	# the Rust modules' .gnu.linkonce.this_module at the old size.
	if [ "$(cat "$out/module/.xns-kernel-key" 2>/dev/null)" != "$(cat "$build/.xns-key")" ]; then
		rm -rf "$out/module"
	fi
	# make check (XNS_STRICT=1) runs clippy and turns every warning into an error.
	local strict=()
	[ "${XNS_STRICT:-0}" = 1 ] && strict=(CLIPPY=1 KRUSTFLAGS=-Dwarnings)
	"${kmake[@]}" -s -j"$(nproc)" M="$top" MO="$out/module" ${CLIPPY:+CLIPPY=1} "${strict[@]}" modules ||
		die "module build failed"
	cp "$build/.xns-key" "$out/module/.xns-kernel-key"
}
[ "$kernel_suites" = 1 ] || build_module
[ "$module_only" = 1 ] && exit 0

cc=${cross}gcc
hdrs="-isystem $build/headers/include"
ldflags=-static
# libcap for the kernel's namespaces selftests: the host's on x86_64, the
# Debian package deps.sh unpacked for the others.
if [ "$arch" != x86_64 ]; then
	libcap=$XNS_CACHE/$arch/libcap-dev/usr
	hdrs+=" -isystem $libcap/include"
	ldflags+=" -L$libcap/lib/${cross%-}"
fi
root=$out/root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/modules,selftests}

# riscv64's libcap.a comes from trixie and wants two C23 symbols of a newer
# glibc than the cross one (isoc23-shim.c); an object, so that it is
# linked whatever its place on the command line.
if [ "$arch" = riscv64 ]; then
	$cc -O2 -Wall -c -o "$out/isoc23-shim.o" "$here/isoc23-shim.c"
	ldflags+=" $out/isoc23-shim.o"
fi

say "building the selftests"
$cc -static -O2 -Wall -o "$root/bin/ktap-run" "$here/ktap-run.c"

# The kernel's own tests depend only on the kernel: build them once per kernel.
ktests=$build/kernel-selftests
if [ "$(cat "$ktests/.xns-key" 2>/dev/null)" != "$(cat "$build/.xns-key")" ]; then
	rm -rf "$ktests"
	# All of namespaces/, and pidfd_setns_test from pidfd/.
	for target in namespaces: pidfd:pidfd_setns_test; do
		suite=${target%%:*}
		prog=${target#*:}
		mkdir -p "$ktests/$suite"
		make -s -j"$(nproc)" -C "$KSRC/tools/testing/selftests/$suite" CC="$cc" \
			OUTPUT="$ktests/$suite" KHDR_INCLUDES="$hdrs" \
			LDFLAGS="$ldflags" ${prog:+"$ktests/$suite/$prog"} \
			>"$ktests.$suite.log" 2>&1 ||
			die "kernel $suite selftests do not build (log: $ktests.$suite.log)"
	done
	cp "$build/.xns-key" "$ktests/.xns-key"
fi
mkdir -p "$root/selftests/namespaces" "$root/selftests/pidfd"
find "$ktests/namespaces" -maxdepth 1 -type f -perm -u+x -exec cp {} "$root/selftests/namespaces/" \;
cp "$ktests/pidfd/pidfd_setns_test" "$root/selftests/pidfd/"

# xns's part of the guest: the module, its selftests and tools, and the
# kernel's suites once more from inside module namespaces.
add_xns() {
	$cc -static -O2 -Wall $hdrs -I"$top/include/uapi" -o "$root/bin/in-module-ns" \
		"$here/in-module-ns.c"
	$cc -static -O2 -Wall $hdrs -I"$top/include/uapi" -o "$root/bin/xns-bench" \
		"$here/bench/xns_bench.c"
	make -s -j"$(nproc)" -C "$top/tools/testing/selftests/xns" CC="$cc" OUTPUT="$root/selftests/xns" \
		KHDR_INCLUDES="$hdrs" KSELFTEST_DIR="$KSRC/tools/testing/selftests" ||
		die "xns selftests do not build"
	# Only a kernel that injects allocation failures (the debug kernel)
	# gets the program that needs it; elsewhere it could only skip.
	injects_failures || rm -f "$root/selftests/xns/xns_fault_test"
	# The kernel's suites once more, from inside a new xns and a new counter
	# namespace (in-module-ns.c), so that they run through the slots the
	# series adds: one wrapper per program, in SUITE-in-module-ns/.
	for suite in namespaces pidfd; do
		mkdir -p "$root/selftests/$suite-in-module-ns"
		for prog in "$root/selftests/$suite"/*; do
			wrapper=$root/selftests/$suite-in-module-ns/${prog##*/}
			printf '#!/bin/sh\nexec /bin/in-module-ns /selftests/%s/%s "$@"\n' \
				"$suite" "${prog##*/}" > "$wrapper"
			chmod 755 "$wrapper"
		done
	done
	# xns.ko and any sample namespace types built beside it: the modules this
	# build made (modules.order), not a .ko left behind by a type since removed
	# from the tree, e.g. one tried with make new-type.
	for ko in $(sed -n 's/\.o$/.ko/p' "$out/module/modules.order"); do
		cp "$out/module/$ko" "$root/lib/modules/"
	done
	# Userspace tools (xnsctl), if the tree has them.
	if [ -f "$top/tools/xns/Makefile" ]; then
		make -s -j"$(nproc)" -C "$top/tools/xns" CC="$cc" OUTPUT="$root/bin" \
			KHDR_INCLUDES="$hdrs" || die "tools/xns does not build"
	fi
}
[ "$kernel_suites" = 1 ] || add_xns

case $arch in
x86_64) busybox=/bin/busybox ;;
arm64) busybox=$XNS_CACHE/arm64/busybox/bin/busybox ;;
riscv64) busybox=$XNS_CACHE/riscv64/busybox/usr/bin/busybox ;;
esac
cp "$busybox" "$root/bin/busybox"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"

# make run: the user's command and files.
if [ -n "${XNS_RUN_CMD:-}" ]; then
	printf '%s\n' "$XNS_RUN_CMD" > "$root/cmd"
fi
if [ -n "${SHARE:-}" ]; then
	[ -d "$SHARE" ] || die "SHARE=$SHARE is not a directory"
	mkdir -p "$root/share"
	cp -a "$SHARE/." "$root/share/"
fi

(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) > "$out/initramfs.cpio"
say "initramfs $(du -h "$out/initramfs.cpio" | cut -f1) ($out/initramfs.cpio)"
