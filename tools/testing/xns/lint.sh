#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh: the style rules of the project, checked by make check:
# rustfmt (kernel .rustfmt.toml) on rust/ and samples/rust/, checkpatch
# --strict on the patch series and on the C sources.  Clippy runs in the module build.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$here/env.sh"

status=0
checkpatch=(perl "$KSRC_PRISTINE/scripts/checkpatch.pl" --strict --no-tree -q)

if ! rustfmt --edition 2021 --check --config-path "$KSRC_PRISTINE/.rustfmt.toml" "$top"/rust/*.rs "$top"/samples/rust/*.rs; then
	echo "lint: FAIL: rustfmt (fix with: rustfmt --edition 2021 --config-path $KSRC_PRISTINE/.rustfmt.toml rust/*.rs samples/rust/*.rs)"
	status=1
fi
for p in "$top"/patches/*.patch; do
	[[ $p = */0000-* ]] && continue	# the cover letter
	# A new file under rust/helpers/ is covered by the RUST entry of
	# MAINTAINERS; checkpatch cannot know that.
	out=$("${checkpatch[@]}" --ignore FILE_PATH_CHANGES "$p") || {
		printf '%s\n' "$out"
		echo "lint: FAIL: checkpatch $(basename "$p")"
		status=1
	}
done
for f in "$here"/*.c "$here"/bench/*.c "$top"/tools/xns/*.c "$top"/tools/testing/selftests/xns/*.[ch] \
	"$top"/tools/testing/selftests/xns/test_modules/*.c; do
	out=$("${checkpatch[@]}" -f "$f") || {
		printf '%s\n' "$out"
		echo "lint: FAIL: checkpatch $f"
		status=1
	}
done
[ $status = 0 ] && echo "lint: rustfmt and checkpatch --strict clean"
exit $status
