#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh VARIANT...: the test command.  For each variant builds the
# kernel, module, selftests and initramfs, boots QEMU, and checks the KTAP
# results and the boot log; beside the boots, the host-side tests of the
# runner and lint.  A
# variant with limits in bench/cost-limits also boots the cost gate: a
# short instruction-counting benchmark whose xns/uts ratios must stay
# within them (each ratio counts as one test).  Prints per-variant and
# total "N passed, N failed" and fails on any failure, splat, hang or
# truncated log.  A failed step before the tests (host tests, lint, a
# variant's build) counts as one failed test in the total, so the last
# line says "failed" whenever the run failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$here/env.sh"
. "$here/qemu.sh"

BOOT_TIMEOUT=${XNS_BOOT_TIMEOUT:-1500}
status=0
results=()
failed_steps=()

# expected_programs VARIANT: the programs the guest must report, as
# ktap-run names them: the xns selftests and the kernel's suites that
# init.sh runs, from their Makefiles, so that one missing from the
# initramfs fails; xns_fault_test only where build-guest.sh ships it, and
# on the sanitizer kernels (debug, KCSAN) the kernel's suites only from
# inside module namespaces (init.sh).
expected_programs() {
	local dir fault= outside='^$'

	variant_vars "$1"
	injects_failures || fault=xns_fault_test
	sanitizer_variant "$1" && outside='^\(namespaces\|pidfd\): '
	{
		for dir in "$top/tools/testing/selftests/xns" \
			"$KSRC/tools/testing/selftests/namespaces"; do
			selftest_programs "$dir"
		done | sed '/^namespaces: /p; /^namespaces: /s//namespaces-in-module-ns: /'
		echo "pidfd: pidfd_setns_test"
		echo "pidfd-in-module-ns: pidfd_setns_test"
	} | grep -vx "xns: $fault" | grep -v "$outside"
}

# boot_variant V: boot V's test kernel, check its KTAP results and boot log,
# and run its cost gate; prints a report and exits non-zero on failure.
boot_variant() {
	local v=$1 log rc boot gate status=0 TIMEFORMAT='%0Us user + %0Ss system'

	qemu_cmd "$v" check
	log=$top/build/$v/boot.log
	rm -f "$top/build/$v/ktap.log"
	echo "$v: booting (hard timeout ${BOOT_TIMEOUT}s, log: $log)"
	boot=$SECONDS
	# QEMU's CPU time shows how much of the host the guest used.
	{
		time timeout -k 10 "$BOOT_TIMEOUT" "${qemu[@]}" </dev/null >"$log" 2>&1
	} 2>"$top/build/$v/boot.cpu"
	rc=$?
	if [ $rc = 124 ]; then
		echo "$v: FAIL: QEMU hard timeout after ${BOOT_TIMEOUT}s"
		status=1
	fi
	echo "$v: boot and tests took $(( SECONDS - boot ))s, QEMU $(cat "$top/build/$v/boot.cpu") of CPU"
	# No stale results if ktap.py cannot write them.
	rm -f "$top/build/$v/results.json"
	expected_programs "$v" >"$top/build/$v/programs.expected"
	if ! python3 "$here/ktap.py" check "$top/build/$v/ktap.log" --console "$log" \
		--arch "$v" --json "$top/build/$v/results.json" \
		--expect "$top/build/$v/programs.expected"; then
		echo "$v: boot log: $log, results: $top/build/$v/ktap.log"
		status=1
	fi
	if grep -q "^$v[[:space:]]" "$here/bench/cost-limits"; then
		echo "== $v: cost gate"
		gate=$SECONDS
		rm -f "$top/build/$v/gate.json"
		bash "$here/bench.sh" --gate "$v" || status=1
		echo "$v: cost gate took $(( SECONDS - gate ))s"
	fi
	return $status
}

# The boots take turns, the builds fill in.  Each variant is built (kernel,
# then guest) in the order it boots, the longest boots first: the
# sanitizer kernels (debug, KCSAN).  Builds run in the background at the
# lowest priority, so a guest keeps the host CPU it uses and the builds of
# the next variants and lint take only what it leaves (a guest mostly runs
# one test program at a time: one vCPU busy of its two); the host tests,
# some 20 CPU-seconds, run after the builds at the guests' priority.
# A variant boots as soon as it is built and the boot before it has ended.
# XNS_BOOT_JOBS (default 1) boots that many at once; side by side (2 on
# two CPUs) each guest gets half the host, and the upstream races of
# ns_active_ref_test listed in upstream-flakes lost all three attempts on
# arm64 once in four such runs.  A uniprocessor guest (x86_64: one vCPU
# busy, 0.9 of a core) may boot beside one more: beside the debug guest
# (1.2 cores) both keep nearly all they use.  The cost gate counts
# instructions, which nothing else on the host changes.  The reports are
# printed in boot order once all are done.
order=$(for v in "$@"; do
		if sanitizer_variant "$v"; then echo "0 $v"; else echo "1 $v"; fi
	done | sort -s -k1,1n | cut -d' ' -f2)
state=$top/build/check
rm -rf "$state"
mkdir -p "$state"

# build_all: every variant's kernel and guest (build/check/V.built holds
# the status), then the host-side tests of the runner and the UAPI mirror
# and lint; a failed step is a line in build/check/failed-steps.
build_all() {
	local v rc require_kernel=0

	for v in $order; do
		echo "== $v: build"
		rc=0
		if ! nice -n 19 bash "$here/build-kernel.sh" "$v" ||
		   ! XNS_RUN_CMD= SHARE= XNS_STRICT=1 nice -n 19 bash "$here/build-guest.sh" "$v"; then
			echo "$v: FAIL: build failed"
			echo "$v build" >>"$state/failed-steps"
			rc=1
		fi
		echo $rc >"$state/$v.built"
	done
	# The test that builds a type made by make new-type skips without an
	# x86_64 kernel; with one just built it must run.
	[ "$(cat "$state/x86_64.built" 2>/dev/null)" = 0 ] && require_kernel=1
	# The host tests run at the guests' priority: some give a program of
	# ktap-run a second, which a process starved by two guests misses.
	echo "== host-side tests (runner, UAPI mirror, make new-type) and style"
	XNS_REQUIRE_KERNEL=$require_kernel python3 -m unittest discover -s "$here" -p 'test_*.py' ||
		echo "host tests" >>"$state/failed-steps"
	nice -n 19 bash "$here/lint.sh" || echo lint >>"$state/failed-steps"
}

# kill_tree PID: PID and its descendants (background jobs of a script
# ignore SIGINT).
kill_tree() {
	local child

	for child in $(pgrep -P "$1"); do
		kill_tree "$child"
	done
	kill "$1" 2>/dev/null
}
trap 'for p in $(jobs -p); do kill_tree "$p"; done; exit 130' INT TERM

started=$SECONDS
build_all &
builder=$!
jobs_max=${XNS_BOOT_JOBS:-1}
boot_pids=()
booted=()
running_boots() {
	local pid n=0

	for pid in "${boot_pids[@]}"; do
		kill -0 "$pid" 2>/dev/null && n=$((n + 1))
	done
	echo $n
}
# may_boot V: whether V may boot beside the boots running now.
may_boot() {
	local n

	n=$(running_boots)
	[ "$n" -lt "$jobs_max" ] && return 0
	[ "$n" -eq "$jobs_max" ] &&
		(variant_vars "$1" && uniprocessor_kernel)
}
for v in $order; do
	while [ ! -f "$state/$v.built" ] && kill -0 "$builder" 2>/dev/null; do
		sleep 1
	done
	[ "$(cat "$state/$v.built" 2>/dev/null)" = 0 ] || continue
	until may_boot "$v"; do
		sleep 1
	done
	echo "== $v: boot"
	booted+=("$v")
	rm -f "$top/build/$v/check.rc"
	{
		boot_variant "$v"
		echo $? >"$top/build/$v/check.rc"
	} >"$top/build/$v/check.out" 2>&1 &
	boot_pids+=($!)
done
wait
echo "builds and boots: $(( SECONDS - started ))s for ${#booted[@]} variants, $jobs_max boot(s) at a time and a uniprocessor one beside"
for v in $order; do
	[ -f "$state/$v.built" ] || echo "$v build (did not finish)" >>"$state/failed-steps"
done
mapfile -t failed_steps < <(cat "$state/failed-steps" 2>/dev/null)
for v in "${booted[@]}"; do
	[ "$(cat "$top/build/$v/check.rc" 2>/dev/null)" = 0 ] || status=1
	echo "== $v"
	cat "$top/build/$v/check.out"
	results+=("$top/build/$v/results.json")
	grep -q "^$v[[:space:]]" "$here/bench/cost-limits" && results+=("$top/build/$v/gate.json")
done

[ ${#failed_steps[@]} -gt 0 ] && status=1
python3 "$here/ktap.py" total "${failed_steps[@]/#/--failed-step=}" "${results[@]}" || status=1
exit $status
