// StatusWatermarkValve: combines the watermarks and watermark statuses of
// several channels into the watermark of one input (Flink's StatusWatermarkValve).
//
// The input's watermark is the minimum over its active channels, and it only
// ever increases: a channel's watermark lower than one it sent before is
// ignored, and a channel that comes back from idleness behind the input's
// watermark counts again only once it has caught up ("aligned"). A channel that
// goes idle no longer holds the minimum back; when every channel is idle the
// input is idle (and first emits the largest watermark any channel reached,
// since nothing will advance it otherwise). The first active channel makes the
// input active again. Watermarks arriving while their channel is idle are
// ignored (a channel sends "active" before it sends anything else).
//
// Used per input of a task over the channels of its network gates (a union
// input spans several gates: give each gate its channel offset), and by
// two-input operators over their two inputs.
//
// Threading: one thread (the task's). Output calls happen synchronously inside
// inputWatermark / inputWatermarkStatus.
#pragma once

#include <vector>

#include <weir/runtime/stream_operator.h>

namespace weir {

class StatusWatermarkValve {
 public:
  // `output` receives the combined watermarks and statuses; it must outlive the valve.
  StatusWatermarkValve(int numChannels, InputBase& output);

  void inputWatermark(int channel, Timestamp watermark);
  void inputWatermarkStatus(int channel, WatermarkStatus status);

  int numberOfChannels() const { return int(channels_.size()); }
  Timestamp lastOutputWatermark() const { return lastWatermark_; }
  WatermarkStatus lastOutputStatus() const { return lastStatus_; }

 private:
  struct Channel {
    Timestamp watermark = kMinWatermark;
    WatermarkStatus status = WatermarkStatus::kActive;
    // Active and not behind the last output: takes part in the minimum.
    bool aligned = true;
  };
  void emitMinOfAligned();
  void emitMaxOfAll();

  std::vector<Channel> channels_;
  InputBase& output_;
  Timestamp lastWatermark_ = kMinWatermark;
  WatermarkStatus lastStatus_ = WatermarkStatus::kActive;
};

}  // namespace weir
