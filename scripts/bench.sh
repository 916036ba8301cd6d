#!/usr/bin/env bash
# Runs Weir's benchmarks against the release build (what `make bench` calls):
#   1. weir-bench all: the chain, exchange and keyed jobs on the embedded cluster,
#      each ending with "<name> records_per_sec=<N>";
#   2. weir-micro-bench: Google Benchmark microbenchmarks, with a short minimum time.
# With --checkpoints (what `make bench-checkpoints` calls) it runs only the checkpoint
# benchmarks instead, `weir-bench checkpoints`: snapshot-sync, snapshot-async and
# keyed-checkpointed (two to three minutes and up to 3 GB of memory; docs/performance.md).
# Works from any directory; expects build/release (run `make release` first).
# Extra arguments are passed to weir-bench (e.g. --records 10000000, or --dir DIR for
# where the checkpoint benchmarks write).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${ROOT}/build/release/bin"
MIN_TIME="${WEIR_BENCH_MIN_TIME:-0.2}"

for exe in weir-bench weir-micro-bench; do
  if [ ! -x "${BIN}/${exe}" ]; then
    echo "bench: ${BIN}/${exe} not found; build it with 'make release'" >&2
    exit 1
  fi
done

if [ "${1:-}" = "--checkpoints" ]; then
  shift
  echo "== weir-bench checkpoints"
  exec "${BIN}/weir-bench" checkpoints "$@"
fi

echo "== weir-bench all"
"${BIN}/weir-bench" all "$@"

echo
echo "== weir-micro-bench (min time ${MIN_TIME}s per benchmark)"
# Google Benchmark >= 1.8 wants a unit suffix ("0.2s"); older versions take a plain number.
if "${BIN}/weir-micro-bench" --benchmark_min_time="${MIN_TIME}s" --benchmark_list_tests=true >/dev/null 2>&1; then
  "${BIN}/weir-micro-bench" --benchmark_min_time="${MIN_TIME}s"
else
  "${BIN}/weir-micro-bench" --benchmark_min_time="${MIN_TIME}"
fi
