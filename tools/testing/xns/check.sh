#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh VARIANT...: the test command.  Runs the host-side tests of the
# runner, then for each variant builds the kernel, module, selftests and
# initramfs, boots QEMU, and checks the KTAP results and the boot log.  A
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

# expected_programs: the programs the guest must report, as ktap-run
# names them: the xns selftests and the kernel's suites that init.sh runs,
# from their Makefiles, so that one missing from the initramfs fails.
expected_programs() {
	local dir

	for dir in "$top/tools/testing/selftests/xns" \
		"$KSRC/tools/testing/selftests/namespaces"; do
		# shellcheck disable=SC2016 # $(...) is make's
		make -s --no-print-directory -C "$dir" xns-list-programs \
			--eval='xns-list-programs: ; @printf "%s\n" $(notdir $(TEST_GEN_PROGS))' |
			sed "s/^/$(basename "$dir"): /"
	done | sed '/^namespaces: /p; /^namespaces: /s//namespaces-in-module-ns: /'
	echo "pidfd: pidfd_setns_test"
	echo "pidfd-in-module-ns: pidfd_setns_test"
}

echo "== host-side tests (runner, UAPI mirror) and style"
python3 -m unittest discover -s "$here" -p 'test_*.py' || failed_steps+=("host tests")
bash "$here/lint.sh" || failed_steps+=(lint)

for v in "$@"; do
	echo "== $v"
	start=$SECONDS
	if ! bash "$here/build-kernel.sh" "$v" || ! XNS_RUN_CMD= SHARE= XNS_STRICT=1 bash "$here/build-guest.sh" "$v"; then
		echo "$v: FAIL: build failed"
		failed_steps+=("$v build")
		continue
	fi
	qemu_cmd "$v" check
	log=$top/build/$v/boot.log
	echo "$v: booting (hard timeout ${BOOT_TIMEOUT}s, log: $log)"
	boot=$SECONDS
	timeout -k 10 "$BOOT_TIMEOUT" "${qemu[@]}" </dev/null >"$log" 2>&1
	rc=$?
	[ $rc = 124 ] && echo "$v: FAIL: QEMU hard timeout after ${BOOT_TIMEOUT}s"
	[ $rc = 124 ] && status=1
	echo "$v: boot and tests took $(( SECONDS - boot ))s (total $(( SECONDS - start ))s)"
	# No stale results if ktap.py cannot write them.
	rm -f "$top/build/$v/results.json"
	expected_programs >"$top/build/$v/programs.expected"
	if ! python3 "$here/ktap.py" check "$log" --arch "$v" --json "$top/build/$v/results.json" \
		--expect "$top/build/$v/programs.expected"; then
		echo "$v: boot log: $log"
		status=1
	fi
	results+=("$top/build/$v/results.json")
	if grep -q "^$v[[:space:]]" "$here/bench/cost-limits"; then
		echo "== $v: cost gate"
		gate=$SECONDS
		rm -f "$top/build/$v/gate.json"
		bash "$here/bench.sh" --gate "$v" || status=1
		echo "$v: cost gate took $(( SECONDS - gate ))s"
		results+=("$top/build/$v/gate.json")
	fi
done

[ ${#failed_steps[@]} -gt 0 ] && status=1
python3 "$here/ktap.py" total "${failed_steps[@]/#/--failed-step=}" "${results[@]}" || status=1
exit $status
