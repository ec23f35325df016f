#!/bin/sh
# make bench: the tracker's cost on a fixed guest workload, under KVM
# (natively, or nested in TCG where this host has no usable KVM) and TCG.
# A benchmark: prints figures, asserts nothing.
# usage: st-bench.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
exec python3 "$here/tests/e2e/bench.py" \
    --qemu "$build/qemu/qemu-system-x86_64" --guest "$build/guest/demo" \
    --nest-image "$build/guest/nest" --accel kvm \
    --log-dir "$build/bench" --out "$build/bench/bench.json"
