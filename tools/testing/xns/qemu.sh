# SPDX-License-Identifier: GPL-2.0
# qemu_cmd VARIANT MODE: set the qemu array to boot the test kernel and the
# initramfs of VARIANT with xns.mode=MODE and xns.variant=VARIANT (sourced
# after env.sh).
#
# TCG by default: nested KVM hangs on the machines we run on.  XNS_KVM=1
# asks for KVM; QEMU falls back to TCG when KVM cannot be initialised.
# In check and kernel-suites modes the KTAP results come on a second
# serial port, written to build/VARIANT/ktap.log; the console (stdout)
# keeps the kernel's messages.
# XNS_QEMU_MEM (default 1G) and XNS_KERNEL_ARGS (appended to the command
# line) are for the benchmark; XNS_INITRD replaces the initramfs, and
# XNS_KTAP_LOG the file the results of a check boot go to.
#
# XNS_ICOUNT=1 makes the guest clock count instructions: with -icount
# shift=0 every guest instruction advances it by one nanosecond, sleep=off
# skips idle time instead of waiting for the host, and align=off never
# slows the guest down to the host's clock.  A time difference measured in
# the guest is then an instruction count, whatever else the host is doing.
qemu_cmd() {
	variant_vars "$1" || return 1
	local mode=$2 accel=(-accel tcg) extra=${XNS_KERNEL_ARGS:-}

	if [ "${XNS_ICOUNT:-0}" = 1 ]; then
		accel+=(-icount shift=0,sleep=off,align=off)
	elif [ "${XNS_KVM:-0}" = 1 ] && [ -w /dev/kvm ]; then
		accel=(-accel kvm -accel tcg)
	fi
	case $arch in
	x86_64)
		qemu=(qemu-system-x86_64 -machine q35 -cpu max
		      -append "console=ttyS0 panic=-1 xns.mode=$mode xns.variant=$variant $extra")
		;;
	arm64)
		qemu=(qemu-system-aarch64 -machine virt -cpu max,pauth-impdef=on
		      -append "console=ttyAMA0 panic=-1 xns.mode=$mode xns.variant=$variant $extra")
		;;
	riscv64)
		# The virt machine's default CPU, booted by the OpenSBI that
		# Debian's opensbi package ships (what -bios default finds).
		qemu=(qemu-system-riscv64 -machine virt
		      -bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
		      -append "console=ttyS0 panic=-1 xns.mode=$mode xns.variant=$variant $extra")
		;;
	esac
	# Check boots write the KTAP results to a second serial port, into
	# build/VARIANT/ktap.log, away from the kernel's messages.  The riscv64
	# virt machine has a single UART: there the results go to a virtio
	# console, the guest's /dev/hvc0.
	if [ "$mode" = check ] || [ "$mode" = kernel-suites ]; then
		local ktap_log=${XNS_KTAP_LOG:-$top/build/$variant/ktap.log}
		case $arch in
		riscv64)
			qemu+=(-serial mon:stdio -device virtio-serial-device
			       -chardev "file,id=ktap,path=$ktap_log"
			       -device virtconsole,chardev=ktap)
			;;
		*)
			qemu+=(-serial mon:stdio -serial "file:$ktap_log")
			;;
		esac
	fi
	qemu+=("${accel[@]}" -m "${XNS_QEMU_MEM:-1G}" -smp 2 -nographic -no-reboot
	       -kernel "$build/$image"
	       -initrd "${XNS_INITRD:-$top/build/$variant/initramfs.cpio}")
}
