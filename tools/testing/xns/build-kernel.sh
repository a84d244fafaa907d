#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-kernel.sh VARIANT: build the xns test kernel for VARIANT
# (x86_64, arm64, or ARCH-debug) into $XNS_CACHE/build/VARIANT.
#
# The kernel source is patched with patches/*.patch (or the series in
# XNS_PATCHES, a directory, for series-check.sh), configured from
# tinyconfig plus the fragments in configs/, and built with LLVM.  The build
# is skipped when nothing it depends on changed: kernel version, patch series,
# config fragments, toolchain versions.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$here/env.sh"

variant_vars "${1:?usage: build-kernel.sh VARIANT}" || exit 1

say() { printf 'kernel %s: %s\n' "$variant" "$*"; }
die() { printf 'kernel %s: error: %s\n' "$variant" "$*" >&2; exit 1; }

[ -f "$KSRC_PRISTINE/Makefile" ] || die "no kernel source in $KSRC_PRISTINE: run 'make deps'"
[ -d "$RUST_LIB_SRC/core" ] || die "no rust-src for rustc $RUST_VERSION: run 'make deps'"
[ -x "$BINDGEN_ROOT/bin/bindgen" ] || die "no bindgen $BINDGEN_VERSION: run 'make deps'"

fragments=("$here/configs/common.config" "$here/configs/$arch.config")
case $flavour in
"" | unpatched) ;;
*) fragments+=("$here/configs/$flavour.config") ;;
esac
for f in "${fragments[@]}"; do
	[ -f "$f" ] || die "missing config fragment $f"
done
shopt -s nullglob
series=()
for p in "${XNS_PATCHES:-$top/patches}"/*.patch; do
	[[ $p = */0000-* ]] || series+=("$p")	# 0000, the cover letter, changes no file
done
shopt -u nullglob
[ "$flavour" = unpatched ] && series=()

# --- Patched source tree, shared by all patched variants. ----------------------
# A new series rewrites only the files whose content it changes: every
# other file keeps its mtime, so make rebuilds only what the change
# reaches.  The unpatched variant builds from the pristine tree itself.
series_key=$( { echo "$KERNEL_DEB_VERSION"; cat "${series[@]}" /dev/null; } | sha256sum | cut -c1-16)

# series_files PATCH...: the files the patches touch, from their diff headers.
series_files() {
	sed -n 's|^+++ b/||p; s|^--- a/||p' "$@" /dev/null | sort -u
}

apply_series() {
	local stage old files f p
	lock=$XNS_CACHE/src/.patch.lock
	mkdir -p "$XNS_CACHE/src"
	exec 9>"$lock"
	flock 9
	if [ "$(cat "$ksrc/.xns-series" 2>/dev/null)" != "$series_key" ]; then
		if [ ! -f "$ksrc/Makefile" ]; then
			say "copying pristine source"
			rm -rf "$ksrc"
			# Its contents: a copy of a symlink would patch the original.
			mkdir -p "$ksrc"
			cp -a "$KSRC_PRISTINE/." "$ksrc/"
		fi
		shopt -s nullglob
		old=("$ksrc"/.xns-applied/*.patch)
		shopt -u nullglob
		# The new series applied to pristine copies of the files that it
		# or the previous series touch.
		files=$(series_files "${old[@]}" "${series[@]}")
		stage=$(mktemp -d)
		for f in $files; do
			[ -f "$KSRC_PRISTINE/$f" ] || continue
			mkdir -p "$stage/$(dirname "$f")"
			cp "$KSRC_PRISTINE/$f" "$stage/$f"
		done
		for p in "${series[@]}"; do
			say "applying $(basename "$p")"
			if ! out=$(patch -d "$stage" -p1 -s --batch --forward < "$p" 2>&1); then
				printf '%s\n' "$out" >&2
				rm -rf "$stage"
				die "patch $(basename "$p") does not apply to linux $KERNEL_DEB_VERSION"
			fi
		done
		for f in $files; do
			if [ ! -f "$stage/$f" ]; then
				rm -f "$ksrc/$f"	# created by the previous series only
			elif ! cmp -s "$stage/$f" "$ksrc/$f"; then
				say "updating $f"
				mkdir -p "$(dirname "$ksrc/$f")"
				cp "$stage/$f" "$ksrc/$f"
			fi
		done
		rm -rf "$stage" "$ksrc/.xns-applied"
		mkdir -p "$ksrc/.xns-applied"
		cp "${series[@]}" "$ksrc/.xns-applied/"
		echo "$series_key" > "$ksrc/.xns-series"
	fi
	flock -u 9
}
[ "$flavour" = unpatched ] || apply_series

# --- Configure and build. -----------------------------------------------------
mkdir -p "$build"
toolchain=$( { rustc --version; clang$LLVM_SUFFIX --version | head -n1;
	       "$BINDGEN_ROOT/bin/bindgen" --version; } )
config_key=$( { cat "${fragments[@]}"; echo "$series_key"; } | sha256sum | cut -c1-16)
build_key=$( { echo "$config_key"; echo "$toolchain"; } | sha256sum | cut -c1-16)

if [ "$(cat "$build/.xns-key" 2>/dev/null)" = "$build_key" ] && [ -f "$build/$image" ]; then
	say "up to date ($build/$image)"
	exit 0
fi
rm -f "$build/.xns-key"

if [ "$(cat "$build/.xns-config-key" 2>/dev/null)" != "$config_key" ] || [ ! -f "$build/.config" ]; then
	say "configuring: tinyconfig + ${fragments[*]##*/}"
	"${kmake[@]}" -s tinyconfig >/dev/null
	KCONFIG_CONFIG="$build/.config" "$ksrc/scripts/kconfig/merge_config.sh" \
		-m -O "$build" "$build/.config" "${fragments[@]}" >/dev/null
	"${kmake[@]}" -s olddefconfig >/dev/null
	# Like kunit.py: every requested option must survive olddefconfig.
	# A later fragment overrides an earlier one, as in merge_config.sh.
	dropped=()
	while read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF "$line" "$build/.config" || dropped+=("$line") ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$build/.config" && dropped+=("$line") ;;
		esac
	done < <(cat "${fragments[@]}" | sed -n 's/^\(# \)\{0,1\}\(CONFIG_[A-Za-z0-9_]*\)[= ].*/\2 &/p' |
		 awk '{ sym = $1; sub(/^[^ ]* /, ""); last[sym] = $0; if (!(sym in seen)) { seen[sym] = 1; order[n++] = sym } }
		      END { for (i = 0; i < n; i++) print last[order[i]] }')
	if [ ${#dropped[@]} -gt 0 ]; then
		grep -q '^CONFIG_RUST=y' "$build/.config" ||
			"${kmake[@]}" rustavailable >&2 || true
		die "options dropped by Kconfig (missing dependencies?): ${dropped[*]}"
	fi
	echo "$config_key" > "$build/.xns-config-key"
fi

log=$build/build.log
say "building (log: $log)"
start=$SECONDS
"${kmake[@]}" -j"$(nproc)" all > "$log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	for _ in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 2
	done
	kill -0 "$pid" 2>/dev/null &&
		say "$(( SECONDS - start ))s, $(grep -c '^  [A-Z]' "$log") build steps so far"
done
if ! wait "$pid"; then
	grep -E 'error|Error' "$log" | head -n 20 >&2 || true
	tail -n 20 "$log" >&2
	die "build failed after $(( SECONDS - start ))s; full log: $log"
fi
"${kmake[@]}" -s headers_install INSTALL_HDR_PATH="$build/headers" >/dev/null
echo "$build_key" > "$build/.xns-key"
say "built $image in $(( SECONDS - start ))s"
