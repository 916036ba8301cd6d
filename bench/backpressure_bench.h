// weir-bench backpressure (issue 6): how long checkpoints take when a slow
// operator backpressures the job, per way of handling barriers.
//
// The job: source (as fast as it can) -> rebalance -> map -> keyBy(a % 1000)
// -> slow operator (spins --record-us, default 1000 us, per record) -> rebalance
// -> sink: three exchanges with the default network buffers (32 KiB segments,
// 2 per channel + 8 floating), so several tens of thousands of records queue
// in front of the slow operator. A checkpoint every second (memory storage,
// timeout 10 min, one at a time) for --seconds (default 60) per mode; then the
// job is cancelled. Per mode one line:
//   backpressure mode=<m> p50_ms=<x> p99_ms=<y> records_per_sec=<z> completed=<n>
//     steady_p50_ms=<x> steady_p99_ms=<y> steady_completed=<n>
// over the checkpoints that completed (when none did, p50 and p99 are the age
// of the one still pending, a lower bound, and completed=0); steady_* over those
// triggered after the first third of the run (at most 20 s), when the queues
// filled at start-up have drained. Modes: aligned
// (EXACTLY_ONCE), unaligned (execution.checkpointing.unaligned.enabled),
// timeout (unaligned after 100 ms of alignment: aligned-checkpoint-timeout),
// debloat (aligned, with buffer debloating at its defaults) and at_least_once.
#pragma once

#include <cstdint>
#include <string>

namespace weir::bench {

struct BackpressureBenchOptions {
  std::string mode = "all";  // aligned, unaligned, timeout, debloat, at_least_once or all
  int64_t seconds = 60;
  int64_t recordMicros = 1000;
};

// False (after printing why) for an unknown mode.
bool runBackpressure(const BackpressureBenchOptions& options);

}  // namespace weir::bench
