# SPDX-License-Identifier: GPL-2.0
# Versions and cache paths shared by the xns scripts (sourced, not run).

XNS_CACHE=${XNS_CACHE:-$HOME/.cache/xns}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

KERNEL_SERIES=7.3
KERNEL_DEB_VERSION=7.3.4-1~bpo13+1
KSRC_PRISTINE=$XNS_CACHE/src/linux-source-$KERNEL_DEB_VERSION

RUST_VERSION=$(rustc --version | awk '{print $2}')
case $RUST_VERSION in
1.93.*) RUST_SRC_DEB_VERSION=1.93.1+dfsg1-2~bpo13+1 ;;
1.94.*) RUST_SRC_DEB_VERSION=1.94.1+dfsg1-1~bpo13+3 ;;
1.95.*) RUST_SRC_DEB_VERSION=1.95.0+dfsg1-2~bpo13+1 ;;
1.96.*) RUST_SRC_DEB_VERSION=1.96.1+dfsg1-2~bpo13+1 ;;
*) RUST_SRC_DEB_VERSION= ;;
esac
RUST_SRC_ROOT=$XNS_CACHE/rust-src-$RUST_VERSION
RUST_LIB_SRC=$RUST_SRC_ROOT/usr/lib/rustlib/src/rust/library

BINDGEN_VERSION=0.72.1
BINDGEN_ROOT=$XNS_CACHE/bindgen-$BINDGEN_VERSION
LLVM_SUFFIX=-19

# series-check.sh builds the prefixes of the series in a tree and build
# directories of their own.
KSRC=${XNS_KSRC:-$XNS_CACHE/src/linux-patched}
export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm$LLVM_SUFFIX/lib}

# variant_vars VARIANT: set arch, flavour, karch, image, qemu_image, build,
# ksrc and the kmake command for a kernel variant (x86_64, arm64, riscv64,
# ARCH-FLAVOUR).  The flavour "unpatched" is the same configuration built
# from the pristine source, without patches/: the baseline that
# make bench-series compares the patched kernel with.
variant_vars() {
	variant=$1
	arch=${variant%%-*}
	flavour=${variant#"$arch"}
	flavour=${flavour#-}
	ksrc=$KSRC
	[ "$flavour" = unpatched ] && ksrc=$KSRC_PRISTINE
	case $arch in
	x86_64) karch=x86_64 image=arch/x86/boot/bzImage cross= ;;
	arm64) karch=arm64 image=arch/arm64/boot/Image cross=aarch64-linux-gnu- ;;
	riscv64) karch=riscv image=arch/riscv/boot/Image cross=riscv64-linux-gnu- ;;
	*) echo "unknown arch '$arch' (x86_64, arm64 or riscv64)" >&2; return 1 ;;
	esac
	build=${XNS_KBUILD:-$XNS_CACHE/build}/$variant
	kmake=(make -C "$ksrc" O="$build" ARCH="$karch" LLVM="$LLVM_SUFFIX"
	       RUST_LIB_SRC="$RUST_LIB_SRC" BINDGEN="$BINDGEN_ROOT/bin/bindgen")
}

# injects_failures: whether the kernel of the variant set by variant_vars
# can inject allocation failures (FAILSLAB and fail_nth), which
# xns_fault_test needs: only such guests ship and expect that program.
injects_failures() {
	grep -q '^CONFIG_FAILSLAB=y' "$build/.config" 2>/dev/null &&
		grep -q '^CONFIG_FAULT_INJECTION_DEBUG_FS=y' "$build/.config"
}

# uniprocessor_kernel: whether the kernel of the variant set by
# variant_vars is built without SMP (one vCPU busy whatever QEMU offers).
uniprocessor_kernel() {
	! grep -q '^CONFIG_SMP=y' "$build/.config"
}

# sanitizer_variant VARIANT: whether VARIANT's kernel is a sanitizer
# kernel (debug, KCSAN): the longest boots, which run the kernel's suites
# only from inside module namespaces (init.sh decides that in the guest).
sanitizer_variant() {
	case $1 in
	*-debug | *-kcsan) return 0 ;;
	esac
	return 1
}

# selftest_programs DIR: the programs the kselftest Makefile in DIR builds
# (TEST_GEN_PROGS), as ktap-run names them: "SUITE: PROGRAM".
selftest_programs() {
	# shellcheck disable=SC2016 # $(...) is make's
	make -s --no-print-directory -C "$1" xns-list-programs \
		--eval='xns-list-programs: ; @printf "%s\n" $(notdir $(TEST_GEN_PROGS))' |
		sed "s/^/$(basename "$1"): /"
}
