// BufferDebloater: the buffer size an input gate asks its producers to use, so
// that the data in flight towards it drains within `target` at its measured
// throughput (Flink's BufferDebloater, FLIP-183).
//
// Every `taskmanager.network.memory.buffer-debloat.period` the task measures how
// many bytes each gate consumed per second of non-idle time and calls
// recalculate(throughput, buffersInUse): the desired size is throughput x target
// / buffersInUse, smoothed by an exponential moving average over `samples`
// periods (alpha = 2 / (samples + 1), seeded with the first sample) and clamped
// to [minSize, maxSize]. A new
// size is announced only when it differs from the announced one by at least
// `thresholdPercent` (or reaches a bound), so producers do not churn. The number
// of buffers stays; only how much of each the producer fills changes.
//
// Threading: one task thread; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace weir::network {

struct BufferDebloatOptions {
  std::chrono::milliseconds target{1000};
  int samples = 20;
  int thresholdPercent = 25;
  uint32_t minSize = 256;
  uint32_t maxSize = 32 * 1024;  // the segment size
};

class BufferDebloater {
 public:
  explicit BufferDebloater(const BufferDebloatOptions& options);

  // The size to announce now, if it changed enough; `throughput` in bytes per second.
  std::optional<uint32_t> recalculate(double throughput, size_t buffersInUse);
  // The size announced last (maxSize before the first announcement).
  uint32_t announcedSize() const { return announced_; }
  // How long the data in flight takes to drain at `throughput` (bytes/s), in milliseconds;
  // -1 when data is in flight but nothing was consumed (no estimate).
  int64_t estimatedTimeToConsumeMs(double throughput, size_t buffersInUse) const;

 private:
  const BufferDebloatOptions o_;
  const double alpha_;
  double average_;
  bool seeded_ = false;
  uint32_t announced_;
};

}  // namespace weir::network
