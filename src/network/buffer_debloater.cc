#include "network/buffer_debloater.h"

#include <algorithm>
#include <cmath>

#include <weir/core/check.h>

namespace weir::network {

BufferDebloater::BufferDebloater(const BufferDebloatOptions& options)
    : o_(options),
      alpha_(2.0 / (double(options.samples) + 1.0)),
      average_(double(options.maxSize)),
      announced_(options.maxSize) {
  WEIR_CHECK(o_.samples >= 1 && o_.minSize >= 1 && o_.minSize <= o_.maxSize);
}

std::optional<uint32_t> BufferDebloater::recalculate(double throughput, size_t buffersInUse) {
  const double seconds = std::chrono::duration<double>(o_.target).count();
  const double desired = std::max(0.0, throughput) * seconds / double(std::max<size_t>(1, buffersInUse));
  // Seeded with the first sample (Flink starts from the segment size, which keeps
  // full-size buffers coming for the first several seconds of a backpressured job).
  average_ = seeded_ ? alpha_ * desired + (1.0 - alpha_) * average_ : desired;
  seeded_ = true;
  const uint32_t size = uint32_t(std::clamp<int64_t>(std::llround(average_), o_.minSize, o_.maxSize));
  if (size == announced_) return std::nullopt;
  const bool atBound = size == o_.minSize || size == o_.maxSize;
  const double change = std::abs(double(size) - double(announced_));
  if (!atBound && change * 100.0 < double(announced_) * double(o_.thresholdPercent)) return std::nullopt;
  announced_ = size;
  return size;
}

int64_t BufferDebloater::estimatedTimeToConsumeMs(double throughput, size_t buffersInUse) const {
  const double bytes = double(buffersInUse) * double(announced_);
  if (throughput <= 0) return bytes > 0 ? -1 : 0;  // unknown: nothing was consumed
  return int64_t(bytes * 1000.0 / throughput);
}

}  // namespace weir::network
