# SPDX-License-Identifier: GPL-2.0
#
# xns: user entry points.  The module itself is described by Kbuild.
#
#   make deps                 install and fetch every tool (once per machine)
#   make check [ARCHES=all]   build and test each of $(ARCHES) under QEMU
#   make kernel [ARCH=arm64]  build the patched test kernel (x86_64, arm64, riscv64)
#   make modules [CLIPPY=1]   build the Rust module against it
#   make run [ARCH=..] [CMD='..'] [SHARE=dir]   boot it, shell or one command
#   make bench [ARCH=..] [MEASURE=icount|time] [BENCH_ARGS='..']
#                             xns against UTS, and at scale
#   make bench-series [ARCH=..]  the patched kernel against the unpatched one
#   make series-check [ARCH=..] [FIRST=N [LAST=M]]  each prefix of patches/ builds, boots
#   make new-type NAME=foo NS_TYPE=0x10 [MAGIC=0xbb]
#                             a new namespace type, a copy of the counter
#                             sample (Documentation/xns/writing-a-type.rst)

# x86_64-debug is the x86_64 kernel with KASAN, lockdep, kmemleak and
# debug objects (configs/debug.config).  The default, what CI runs, is the
# two architectures and the debug kernel; ARCHES=all adds riscv64 and
# x86_64-kcsan (KCSAN on two CPUs, configs/kcsan.config); ARCHES=x86_64
# is a quick run.
ARCHES_ALL := x86_64 arm64 x86_64-debug riscv64 x86_64-kcsan
ARCHES ?= x86_64 arm64 x86_64-debug
ARCH ?= x86_64
XNS_CACHE ?= $(HOME)/.cache/xns
T := tools/testing/xns

export XNS_CACHE CLIPPY SHARE BENCH_ARGS MEASURE
# CMD reaches the guest as typed: make must not expand its $ signs.
export XNS_RUN_CMD := $(value CMD)
unexport CMD

.PHONY: deps kernel modules check run bench bench-series series-check host-tests new-type clean

deps:
	@bash $(T)/deps.sh

kernel:
	@bash $(T)/build-kernel.sh $(ARCH)

modules:
	@bash $(T)/build-guest.sh --module-only $(ARCH)

check:
	@bash $(T)/check.sh $(patsubst all,$(ARCHES_ALL),$(ARCHES))

run:
	@bash $(T)/run.sh $(ARCH)

bench:
	@bash $(T)/bench.sh $(ARCH)

bench-series:
	@bash $(T)/bench.sh --series $(ARCH)

series-check:
	@bash $(T)/series-check.sh $(ARCH) $(FIRST) $(LAST)

host-tests:
	@python3 -m unittest discover -s $(T) -p 'test_*.py'

new-type:
	@python3 samples/rust/new-type.py $(if $(MAGIC),--magic '$(MAGIC)') -- '$(NAME)' '$(NS_TYPE)'

clean:
	rm -rf build
