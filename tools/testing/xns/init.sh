#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the xns test initramfs.  xns.mode= on the kernel command line
# selects: check (run the selftests as KTAP), kernel-suites (only the
# kernel's own suites, without the module: series-check.sh boots every
# prefix of the series so), cmd (run /cmd, print its exit status), bench
# (run xns-bench with the arguments in /bench-args) or shell
# (interactive).  Powers off at the end.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname xns
mode=shell
for arg in $(cat /proc/cmdline); do
	case $arg in
	xns.mode=*) mode=${arg#xns.mode=} ;;
	xns.variant=*) variant=${arg#xns.variant=} ;;
	esac
done

# open_results: fd 3 to the serial port of the KTAP results (qemu.sh
# gives check boots a second one, or on riscv64 a virtio console): on the
# console, kernel messages can land in the middle of a KTAP line.  Without
# that port they stay on the console, and ktap.py, which reads the port's
# file, fails the run.
open_results() {
	for port in /dev/ttyS1 /dev/ttyAMA1 /dev/hvc0 ""; do
		[ -c "$port" ] && break
	done
	if [ -n "$port" ]; then
		stty -F "$port" raw -echo 2>/dev/null
		exec 3>"$port"
	else
		echo "# init: FAIL: no second serial port for the KTAP results"
		exec 3>&1
	fi
}

# Two programs of the kernel's own suites have cases that race with task
# exit and can lose on a slow emulated CPU: they get one retry, which
# ktap.py reports as FLAKY.  Never the xns tests.
kernel_suite_retries="
	-r /selftests/namespaces/ns_active_ref_test
	-r /selftests/namespaces/stress_test
	-r /selftests/namespaces-in-module-ns/ns_active_ref_test
	-r /selftests/namespaces-in-module-ns/stress_test
"
kernel_suites="/selftests/namespaces/* /selftests/pidfd/pidfd_setns_test"

case $mode in
kernel-suites)
	open_results
	cd /tmp
	# shellcheck disable=SC2086 # the retries and suites are words
	ktap-run -t "${XNS_TEST_TIMEOUT:-180}" $kernel_suite_retries \
		$kernel_suites >&3
	exec 3>&-
	;;
check)
	open_results
	# The module is loaded while the kernel's own suites run, so they also
	# show that a registered type changes nothing for the built-in ones.
	# If it does not load, ktap.py fails the run on this line.
	if ! err=$(insmod /lib/modules/xns.ko 2>&1); then
		echo "# init: FAIL: insmod /lib/modules/xns.ko: ${err:-failed}" >&3
	fi
	# xns.ko is always shipped: a selftest that cannot find it fails
	# instead of skipping (xns_harness.h).
	export XNS_REQUIRE_MODULE=1
	# xns_fault_test is shipped only to kernels that inject allocation
	# failures (build-guest.sh): where it is, it must run.
	export XNS_REQUIRE_FAULT_INJECTION=1
	# On kernels with kmemleak: forget what boot left, report what the
	# tests leak (the kernel prints "N new suspected memory leaks", which
	# fails the run).
	leaks=/sys/kernel/debug/kmemleak
	if [ -w $leaks ]; then
		echo scan > $leaks
		echo clear > $leaks
	fi
	cd /tmp
	# A program's limit must outlast the harness limits of all its test
	# cases (TEST_F_TIMEOUT), or a hung case is reported as the program's
	# timeout and its successors never run.  The bounded tests work for
	# XNS_STRESS_SECONDS each, on TCG and KASAN up to 2 S + 60 s with
	# set-up and drain; xns_fault_test loads modules some 60 times.
	# PROGRAM:CASES:HARNESS_LIMIT_OF_EACH, checked against the sources by
	# test_ktap.py.
	limits=
	for bounded in xns_stress_test:2:150 xns_fuzz_test:4:120 \
		xns_lifetime_test:4:150 xns_fault_test:18:120; do
		# shellcheck disable=SC2046 # split at the colons
		set -- $(echo "$bounded" | tr : ' ')
		limit=$(awk -v n="$2" -v each="$3" -v s="${XNS_STRESS_SECONDS:-5}" \
			'BEGIN { t = n * (2 * s + 60); if (t < n * each) t = n * each
				 printf "%d", t + 60 }')
		limits="$limits -T /selftests/xns/$1=$limit"
	done
	# The kernel's suites run twice: as they are, and from inside a new
	# xns and a new counter namespace (*-in-module-ns, see in-module-ns.c).
	# The sanitizer kernels (debug, KCSAN), five times slower at them, run
	# them only from inside, where they go through the slots the series
	# adds; the plain kernels run both.  The sanitizer kernels run xns's
	# suites first: make check boots the uniprocessor x86_64 guest beside
	# the first minute and a half of the debug guest, and xns's tests
	# (one process at a time, or working for a fixed time) lose less to
	# it than the kernel's stress_test and pidfd_setns_test, which run
	# many processes through a fixed amount of work (20 s longer beside
	# it).
	in_module_ns="/selftests/namespaces-in-module-ns/*
		/selftests/pidfd-in-module-ns/pidfd_setns_test"
	case ${variant:-} in
	*-debug | *-kcsan)
		suites_first=/selftests/xns/*
		suites_last=$in_module_ns
		;;
	*)
		suites_first="$kernel_suites $in_module_ns"
		suites_last=/selftests/xns/*
		;;
	esac
	# shellcheck disable=SC2086 # $limits, the retries and suites are words
	ktap-run -t "${XNS_TEST_TIMEOUT:-180}" $limits $kernel_suite_retries \
		$suites_first $suites_last >&3
	exec 3>&-
	if [ -w $leaks ]; then
		# Objects younger than 5 s are never reported.
		sleep 6
		echo scan > $leaks
		echo scan > $leaks
		cat $leaks
	fi
	;;
bench)
	# xns.insmod=0: the kernel as users have it before loading xns (the
	# series' cost to the built-in types, make bench-series).
	grep -q 'xns.insmod=0' /proc/cmdline || insmod /lib/modules/xns.ko
	cd /tmp
	# shellcheck disable=SC2046 # the arguments are words
	xns-bench $(cat /bench-args 2>/dev/null)
	echo "XNS-BENCH-EXIT: $?"
	;;
cmd)
	insmod /lib/modules/xns.ko
	cd /share 2>/dev/null || cd /tmp
	echo XNS-CMD-BEGIN
	sh /cmd
	echo "XNS-EXIT: $?"
	;;
*)
	insmod /lib/modules/xns.ko
	echo "xns test kernel: the module is loaded; 'poweroff' or Ctrl-D to leave."
	setsid cttyhack sh -l
	;;
esac
sync
reboot -f
