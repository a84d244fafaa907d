#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh VARIANT: boot the test kernel with the module loaded.  Without CMD,
# an interactive busybox shell; with CMD='...', run it in the guest (in the
# copy of SHARE=dir, if given) and exit with its status.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$here/env.sh"
. "$here/qemu.sh"

v=${1:?usage: run.sh VARIANT}
bash "$here/build-kernel.sh" "$v"
bash "$here/build-guest.sh" "$v"
if [ -z "${XNS_RUN_CMD:-}" ]; then
	qemu_cmd "$v" shell
	exec "${qemu[@]}"
fi
qemu_cmd "$v" cmd
log=$top/build/$v/run.log
# Stream the command's output (between the guest's markers) as it runs.
timeout -k 10 "${XNS_BOOT_TIMEOUT:-600}" "${qemu[@]}" </dev/null 2>&1 | tee "$log" |
	awk '/^XNS-EXIT: /{exit} on{sub(/\r$/, ""); print; fflush()} /^XNS-CMD-BEGIN/{on=1}' || true
code=$(sed -n 's/^XNS-EXIT: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ -z "$code" ]; then
	echo "run: the guest did not report an exit status (boot log: $log)" >&2
	exit 1
fi
exit "$code"
