#!/usr/bin/env bash
# Race test: runs a gtest binary's filtered tests REPEAT times pinned to one CPU core,
# beside a busy loop pinned to the same core, so that the threads of a job (tasks, the
# transport, timers, snapshot executors) interleave in ways an idle machine rarely shows.
#   run_pinned.sh BINARY REPEAT FILTER
set -euo pipefail
binary=$1
repeat=$2
filter=$3
pin=()
if command -v taskset >/dev/null 2>&1; then
  pin=(taskset -c 0)
else
  echo "run_pinned.sh: taskset not found (util-linux); running unpinned" >&2
fi
"${pin[@]}" bash -c 'while :; do :; done' &
spinner=$!
trap 'kill "$spinner" 2>/dev/null || true' EXIT
"${pin[@]}" "$binary" --gtest_filter="$filter" --gtest_repeat="$repeat" --gtest_brief=1
