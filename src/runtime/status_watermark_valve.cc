#include <weir/runtime/status_watermark_valve.h>

#include <algorithm>

#include <weir/core/check.h>

namespace weir {

StatusWatermarkValve::StatusWatermarkValve(int numChannels, InputBase& output)
    : channels_(size_t(numChannels)), output_(output) {
  WEIR_CHECK(numChannels > 0);
}

void StatusWatermarkValve::inputWatermark(int channel, Timestamp watermark) {
  Channel& c = channels_.at(size_t(channel));
  if (lastStatus_ == WatermarkStatus::kIdle || c.status == WatermarkStatus::kIdle) return;
  if (watermark <= c.watermark) return;
  c.watermark = watermark;
  if (!c.aligned && watermark >= lastWatermark_) c.aligned = true;
  emitMinOfAligned();
}

void StatusWatermarkValve::inputWatermarkStatus(int channel, WatermarkStatus status) {
  Channel& c = channels_.at(size_t(channel));
  if (status == c.status) return;
  if (status == WatermarkStatus::kIdle) {
    c.status = WatermarkStatus::kIdle;
    c.aligned = false;
    const bool anyActive = std::any_of(channels_.begin(), channels_.end(), [](const Channel& ch) {
      return ch.status == WatermarkStatus::kActive;
    });
    if (!anyActive) {
      // Nothing will advance the watermark any more: flush the furthest any channel got.
      if (c.watermark == lastWatermark_) emitMaxOfAll();
      lastStatus_ = WatermarkStatus::kIdle;
      output_.processWatermarkStatus(WatermarkStatus::kIdle);
    } else if (c.watermark == lastWatermark_) {
      // This channel may have been the one holding the minimum back.
      emitMinOfAligned();
    }
    return;
  }
  c.status = WatermarkStatus::kActive;
  if (c.watermark >= lastWatermark_) c.aligned = true;
  if (lastStatus_ == WatermarkStatus::kIdle) {
    lastStatus_ = WatermarkStatus::kActive;
    output_.processWatermarkStatus(WatermarkStatus::kActive);
  }
}

void StatusWatermarkValve::emitMinOfAligned() {
  bool any = false;
  Timestamp min = kMaxWatermark;
  for (const Channel& c : channels_) {
    if (!c.aligned) continue;
    any = true;
    min = std::min(min, c.watermark);
  }
  if (any && min > lastWatermark_) {
    lastWatermark_ = min;
    output_.processWatermark(min);
  }
}

void StatusWatermarkValve::emitMaxOfAll() {
  Timestamp max = kMinWatermark;
  for (const Channel& c : channels_) max = std::max(max, c.watermark);
  if (max > lastWatermark_) {
    lastWatermark_ = max;
    output_.processWatermark(max);
  }
}

}  // namespace weir
