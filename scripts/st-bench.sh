#!/bin/sh
# make bench: the tracker's cost on a fixed guest workload, under KVM
# nested in TCG (the nest, where L2's exits are counted) and under TCG.
# A benchmark: prints figures, asserts nothing.
# usage: st-bench.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
exec python3 "$here/tests/e2e/bench.py" \
    --qemu "$build/qemu/qemu-system-x86_64" --guest "$build/guest/demo" \
    --nest-image "$build/guest/nest" --log-dir "$build/bench"
