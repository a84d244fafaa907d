#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install and fetch every tool xns needs on a Debian bookworm machine.
# Idempotent: what is already installed or cached is skipped.
#
# Packages from suites the machine does not carry (trixie-backports for the
# kernel source and rust-src, bookworm-backports for QEMU) go through a
# private apt configuration under the cache; the system's sources are never
# edited.
set -euo pipefail

. "$(dirname "$0")/env.sh"

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

APT_OPTS=(-o Dir::Etc::SourceParts=/dev/null -o APT::Get::Assume-Yes=true
	  -o APT::Sandbox::User=root
	  -o Dpkg::Options::=--force-confold -o quiet=1)
export DEBIAN_FRONTEND=noninteractive

# private_apt NAME SOURCES-LINE...: set up a private apt state for NAME.
private_apt() {
	local name=$1 dir="$XNS_CACHE/apt/$1"
	shift
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	printf '%s\n' "$@" > "$dir/sources.list.new"
	if ! cmp -s "$dir/sources.list.new" "$dir/sources.list" ||
	   [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440)" ]; then
		mv "$dir/sources.list.new" "$dir/sources.list"
		say "updating private apt lists ($name)"
		apt-get "${APT_OPTS[@]}" "${PAPT[@]}" update >/dev/null ||
			die "apt-get update failed for suites: $*"
	fi
}
papt_opts() {
	local dir="$XNS_CACHE/apt/$1"
	PAPT=(-o "Dir::Etc::SourceList=$dir/sources.list"
	      -o "Dir::State::Lists=$dir/lists"
	      -o "Dir::Cache::Archives=$dir/archives")
}

# fetch_deb APTNAME PKG VERSION: download PKG=VERSION into $XNS_CACHE/debs.
fetch_deb() {
	local name=$1 pkg=$2 ver=$3 arch=${4:-}
	local extra=()
	[ -n "$arch" ] && extra=(-o "APT::Architecture=$arch" -o "APT::Architectures::=$arch")
	mkdir -p "$XNS_CACHE/debs"
	local pattern="$XNS_CACHE/debs/${pkg}_*${arch:+_$arch}.deb"
	if ! compgen -G "$XNS_CACHE/debs/${pkg}_${ver//:/%3a}_*.deb" >/dev/null; then
		papt_opts "$name"
		say "downloading $pkg ${ver:-(latest)} ${arch:+($arch) }from $name"
		(cd "$XNS_CACHE/debs" &&
		 apt-get "${APT_OPTS[@]}" "${PAPT[@]}" "${extra[@]}" download "$pkg${ver:+=$ver}" >/dev/null) ||
			die "could not download $pkg${ver:+=$ver} from $name"
	fi
	: "$pattern"
}

# --- 1. Packages from the machine's own suite (bookworm). ---------------------
SYSTEM_PKGS=(make patch bc flex bison libelf-dev libssl-dev cpio rsync xz-utils perl
	     python3 clang-19 lld-19 llvm-19 libclang-19-dev
	     gcc libc6-dev libcap-dev busybox-static
	     gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	     gcc-riscv64-linux-gnu libc6-dev-riscv64-cross)
missing=()
for p in "${SYSTEM_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing from bookworm: ${missing[*]}"
	apt-get -o quiet=1 update >/dev/null || die "apt-get update failed (bookworm)"
	apt-get -o quiet=1 -y install --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install failed for: ${missing[*]} (bookworm)"
fi

# --- 1b. bindgen, pinned: its build (cargo, both CPUs, about a minute)
# runs beside the downloads and unpacking below; section 5 waits for it.
bindgen_pid=
bindgen_log=$XNS_CACHE/bindgen-build.log
if [ ! -x "$BINDGEN_ROOT/bin/bindgen" ]; then
	say "building bindgen-cli $BINDGEN_VERSION (cargo install, in the background)"
	mkdir -p "$XNS_CACHE"
	# opt-level 1: a 50 s build instead of 60 (94 CPU-s instead of 114),
	# and the kernel's bindings take 4.9 s to generate instead of 4.5.
	CARGO_PROFILE_RELEASE_OPT_LEVEL=1 cargo install --quiet --locked --root "$BINDGEN_ROOT" \
		bindgen-cli --version "=$BINDGEN_VERSION" >"$bindgen_log" 2>&1 &
	bindgen_pid=$!
	# A failure below stops the build too.
	trap 'kill "$bindgen_pid" 2>/dev/null || true' EXIT
fi

# --- 2. QEMU from bookworm-backports (matches the preinstalled qemu-utils). ---
# qemu-system-riscv brings the OpenSBI firmware (opensbi) it boots with.
QEMU_PKGS=(qemu-system-x86 qemu-system-arm qemu-system-riscv)
missing=()
for p in "${QEMU_PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	papt_opts bpo
	private_apt bpo \
		"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR bookworm main" \
		"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR bookworm-updates main" \
		"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR bookworm-backports main"
	say "installing from bookworm-backports: ${missing[*]}"
	apt-get "${APT_OPTS[@]}" "${PAPT[@]}" install --no-install-recommends \
		-t bookworm-backports "${missing[@]}" >/dev/null ||
		die "apt-get install failed for: ${missing[*]} (bookworm-backports)"
fi

# --- 3. Kernel source and rust-src from trixie-backports. ---------------------
papt_opts trixie
need_trixie=0
[ -f "$KSRC_PRISTINE/Makefile" ] || need_trixie=1
[ -d "$RUST_LIB_SRC/core" ] || need_trixie=1
if [ $need_trixie = 1 ]; then
	private_apt trixie \
		"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR trixie-backports main"
fi

if [ ! -f "$KSRC_PRISTINE/Makefile" ]; then
	fetch_deb trixie "linux-source-$KERNEL_SERIES" "$KERNEL_DEB_VERSION"
	deb=$(ls "$XNS_CACHE/debs/linux-source-${KERNEL_SERIES}_"*.deb | head -n1)
	tmp="$XNS_CACHE/tmp.$$"
	rm -rf "$tmp" && mkdir -p "$tmp"
	say "extracting kernel source ($KERNEL_DEB_VERSION)"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp" "./usr/src/linux-source-$KERNEL_SERIES.tar.xz"
	tar -xJf "$tmp/usr/src/linux-source-$KERNEL_SERIES.tar.xz" -C "$tmp"
	rm -rf "$KSRC_PRISTINE"
	mkdir -p "$(dirname "$KSRC_PRISTINE")"
	mv "$tmp/linux-source-$KERNEL_SERIES" "$KSRC_PRISTINE"
	rm -rf "$tmp"
fi

if [ ! -d "$RUST_LIB_SRC/core" ]; then
	fetch_deb trixie rust-src "$RUST_SRC_DEB_VERSION"
	deb=$(ls "$XNS_CACHE/debs/rust-src_${RUST_VERSION}"*.deb | head -n1)
	say "extracting rust-src $RUST_VERSION"
	rm -rf "$RUST_SRC_ROOT" && mkdir -p "$RUST_SRC_ROOT"
	dpkg-deb -x "$deb" "$RUST_SRC_ROOT"
	[ -d "$RUST_LIB_SRC/core" ] || die "rust-src $RUST_VERSION has no library/core"
fi

# --- 4. arm64 and riscv64 userspace bits not installable on an amd64 host. ---
# cross_pkg ARCH SUITE PKG DEST: unpack PKG of Debian's ARCH port from
# SUITE into DEST.  bookworm has no riscv64 port: its bits come from trixie
# (busybox is static; libcap.a is linked into the static selftests).
cross_pkg() {
	local a=$1 suite=$2 pkg=$3 dest=$4
	[ -e "$dest/.done" ] && return 0
	local dir="$XNS_CACHE/apt/$a"
	papt_opts "$a"
	PAPT+=(-o "APT::Architecture=$a" -o "APT::Architectures::=$a")
	local line="deb [arch=$a signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $DEBIAN_MIRROR $suite main"
	if [ "$(cat "$dir/sources.list" 2>/dev/null)" != "$line" ] ||
	   [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' 2>/dev/null)" ]; then
		mkdir -p "$dir/lists/partial" "$dir/archives/partial"
		printf '%s\n' "$line" > "$dir/sources.list"
		say "updating private apt lists ($a)"
		apt-get "${APT_OPTS[@]}" "${PAPT[@]}" update >/dev/null ||
			die "apt-get update failed for $suite $a"
	fi
	mkdir -p "$XNS_CACHE/debs/$a"
	if ! compgen -G "$XNS_CACHE/debs/$a/${pkg}_*.deb" >/dev/null; then
		say "downloading $pkg ($a) from $suite"
		(cd "$XNS_CACHE/debs/$a" &&
		 apt-get "${APT_OPTS[@]}" "${PAPT[@]}" download "$pkg:$a" >/dev/null) ||
			die "could not download $pkg:$a from $suite"
	fi
	rm -rf "$dest" && mkdir -p "$dest"
	dpkg-deb -x "$XNS_CACHE/debs/$a/${pkg}_"*.deb "$dest"
	touch "$dest/.done"
}
for pkg in busybox-static libcap-dev libcap2; do
	cross_pkg arm64 bookworm "$pkg" "$XNS_CACHE/arm64/${pkg%-static}"
	cross_pkg riscv64 trixie "$pkg" "$XNS_CACHE/riscv64/${pkg%-static}"
done

# --- 5. bindgen, built (section 1b) while the rest downloaded. -------------
if [ -n "$bindgen_pid" ]; then
	wait "$bindgen_pid" || {
		cat "$bindgen_log" >&2
		die "cargo install bindgen-cli $BINDGEN_VERSION failed (log: $bindgen_log)"
	}
	rm -f "$bindgen_log"
	trap - EXIT
fi

say "all tools present (cache: $XNS_CACHE)"
