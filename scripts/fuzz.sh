#!/usr/bin/env bash
# Runs each libFuzzer target (build/fuzz, `make fuzz-build`) for SECONDS seconds
# (default 30) over its corpus: the seeds that write_seeds makes with the current
# code, plus whatever earlier runs on this machine added. A crash, a leak, an
# uncaught exception, a timeout or an allocation over 512 MB fails the run; the
# input that did it is kept under build/fuzz/artifacts/<target>/ for replay
# (`build/fuzz/bin/<target>_fuzzer <file>`).
set -euo pipefail
seconds="${1:-30}"
dir=build/fuzz
corpus="$dir/corpus"
"$dir/bin/write_seeds" "$corpus"
status=0
for target in metadata keyed_state operator_state; do
  mkdir -p "$dir/artifacts/$target"
  echo "fuzz: $target for ${seconds}s"
  if ! "$dir/bin/${target}_fuzzer" -max_total_time="$seconds" -malloc_limit_mb=512 -rss_limit_mb=2048 \
      -timeout=10 -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$target/" \
      "$corpus/$target" 2>"$dir/$target.log"; then
    tail -n 60 "$dir/$target.log" >&2
    echo "fuzz: $target FAILED (input kept in $dir/artifacts/$target/)" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$dir/$target.log" | tr '\n' ' '
    echo
  fi
done
exit "$status"
