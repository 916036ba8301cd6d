#include <weir/runtime/watermark_output_multiplexer.h>

#include <algorithm>

#include <weir/core/check.h>

namespace weir {

void WatermarkOutputMultiplexer::Output::emitWatermark(Timestamp watermark) {
  const bool changed = idle_ || watermark > watermark_;
  idle_ = false;
  watermark_ = std::max(watermark_, watermark);
  if (changed) owner_.update();
}

void WatermarkOutputMultiplexer::Output::markIdle() {
  if (idle_) return;
  idle_ = true;
  owner_.update();
}

void WatermarkOutputMultiplexer::Output::markActive() {
  if (!idle_) return;
  idle_ = false;
  owner_.update();
}

WatermarkOutputMultiplexer::Output& WatermarkOutputMultiplexer::registerOutput(const std::string& id) {
  auto [it, inserted] = outputs_.emplace(id, std::make_unique<Output>(*this));
  WEIR_CHECK_MSG(inserted, "a watermark output registered twice for one split");
  update();
  return *it->second;
}

void WatermarkOutputMultiplexer::unregisterOutput(const std::string& id) {
  if (outputs_.erase(id) > 0) update();
}

void WatermarkOutputMultiplexer::setCombinedStatus(WatermarkStatus status) {
  if (status == status_) return;
  status_ = status;
  downstream_.processWatermarkStatus(status);
}

void WatermarkOutputMultiplexer::emitFinalWatermark(Timestamp watermark) {
  setCombinedStatus(WatermarkStatus::kActive);
  if (watermark > combined_) {
    combined_ = watermark;
    downstream_.processWatermark(watermark);
  }
}

void WatermarkOutputMultiplexer::update() {
  if (outputs_.empty()) return;
  bool allIdle = true;
  Timestamp min = kMaxWatermark;
  for (const auto& [id, out] : outputs_) {
    if (out->idle_) continue;
    allIdle = false;
    min = std::min(min, out->watermark_);
  }
  if (allIdle) {
    setCombinedStatus(WatermarkStatus::kIdle);
    return;
  }
  setCombinedStatus(WatermarkStatus::kActive);
  if (min > combined_) {
    combined_ = min;
    downstream_.processWatermark(min);
  }
}

}  // namespace weir
