// WatermarkOutputMultiplexer: combines the watermark outputs of a source
// subtask's splits into the subtask's watermark (Flink's
// WatermarkOutputMultiplexer).
//
// Each registered output (one per split, or the reader's main output) has its
// own watermark, which only increases, and an idle flag. The combined
// watermark is the minimum over the active outputs and only increases; it goes
// downstream whenever it advances. When every registered output is idle the
// combined output is idle; when one becomes active again, so is the combined
// output. A new output starts active with no watermark, so it holds the
// combined watermark where it is until its first watermark; an unregistered
// output (a finished split) no longer counts. With no output registered the
// combined output emits nothing.
//
// Threading: the task thread only. Lifecycle: outputs live until
// unregistered or until the multiplexer dies; the downstream must outlive it.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include <weir/api/watermark_strategy.h>
#include <weir/runtime/stream_operator.h>

namespace weir {

class WatermarkOutputMultiplexer {
 public:
  class Output final : public WatermarkOutput {
   public:
    explicit Output(WatermarkOutputMultiplexer& owner) : owner_(owner) {}
    void emitWatermark(Timestamp watermark) override;
    void markIdle() override;
    void markActive() override;
    bool idle() const { return idle_; }

   private:
    friend class WatermarkOutputMultiplexer;
    WatermarkOutputMultiplexer& owner_;
    Timestamp watermark_ = kMinWatermark;
    bool idle_ = false;
  };

  explicit WatermarkOutputMultiplexer(InputBase& downstream) : downstream_(downstream) {}
  WatermarkOutputMultiplexer(const WatermarkOutputMultiplexer&) = delete;
  WatermarkOutputMultiplexer& operator=(const WatermarkOutputMultiplexer&) = delete;

  // REQUIRES: `id` is not registered.
  Output& registerOutput(const std::string& id);
  // Does nothing if `id` is not registered.
  void unregisterOutput(const std::string& id);
  size_t numberOfOutputs() const { return outputs_.size(); }

  // The combined output's state, as last sent downstream.
  Timestamp combinedWatermark() const { return combined_; }
  WatermarkStatus combinedStatus() const { return status_; }
  // Sends `status` downstream if it differs from the last one sent (for the
  // source's own decisions: idle before any output exists, active at the end).
  void setCombinedStatus(WatermarkStatus status);
  // Sends a final watermark (kMaxWatermark at the end of input), making the combined output active first.
  void emitFinalWatermark(Timestamp watermark);

 private:
  void update();

  InputBase& downstream_;
  std::unordered_map<std::string, std::unique_ptr<Output>> outputs_;
  Timestamp combined_ = kMinWatermark;
  WatermarkStatus status_ = WatermarkStatus::kActive;
};

}  // namespace weir
