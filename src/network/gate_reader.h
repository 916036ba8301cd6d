// GateRecordReader: turns the buffers of an InputGate back into records
// (Flink's SpillingAdaptiveSpanningRecordDeserializer per channel).
//
// A record that lies wholly inside one buffer is returned as a view into that
// buffer (no copy); a record spanning buffers is reassembled in a per-channel
// scratch area. A buffer is recycled, so that its producer may reuse it, as soon
// as the reader has moved past its last byte. When every channel has sent
// EndOfData (or ended), next() returns kEndOfData once; EndOfPartition events
// finish their channel, and when every channel has finished, next() returns
// kEndOfInput.
//
// Threading: only the consuming task thread.
#pragma once

#include <functional>
#include <vector>

#include <weir/core/data_io.h>
#include <weir/core/metrics.h>
#include <weir/network/record_io.h>

#include "network/events.h"
#include "network/input_gate.h"

namespace weir::network {

// Told about the checkpoint-related events of one gate, in channel order, on the
// task thread (the task's barrier handler implements it).
class CheckpointEventListener {
 public:
  virtual ~CheckpointEventListener() = default;
  virtual void onBarrier(int channel, const CheckpointBarrier& barrier) = 0;
  virtual void onCancelMarker(int channel, const CancelCheckpointMarker& marker) = 0;
  // The channel ended: it will deliver no barrier any more.
  virtual void onEndOfPartition(int channel) = 0;
};

class GateRecordReader final : public RecordReader {
 public:
  explicit GateRecordReader(InputGate& gate);
  // Barriers, cancellation markers and ends of partition go to `listener` (may be null:
  // then barriers are ignored, as in a job without checkpointing).
  void setCheckpointEventListener(CheckpointEventListener* listener) { listener_ = listener; }

  ReadStatus next(DataInput& record) override;
  int lastChannel() const override { return current_; }
  int numberOfChannels() const override { return gate_.numberOfChannels(); }

  InputGate& gate() { return gate_; }
  bool isFinished() const { return finishedChannels_ == gate_.numberOfChannels(); }
  uint64_t bytesRead() const { return bytesRead_; }
  // Optional: counts the bytes of every data buffer taken from the gate. Must outlive the reader.
  void setBytesInCounter(Counter* bytesIn) { bytesIn_ = bytesIn; }

 private:
  struct ChannelState {
    BufferPtr buffer;
    uint32_t pos = 0;
    std::vector<uint8_t> spanning;  // bytes of a record that began in an earlier buffer
    uint32_t spanningNeeded = 0;    // bytes still missing for that record; 0 = none in progress
    bool finished = false;
    bool endOfData = false;
  };
  // Tries to produce a record from channel `c`'s current buffer.
  bool readFrom(ChannelState& c, DataInput& record);
  void onEvent(int channel, const Buffer& buffer);

  InputGate& gate_;
  CheckpointEventListener* listener_ = nullptr;
  std::vector<ChannelState> channels_;
  int current_ = -1;  // channel whose buffer is being read, -1 = none
  int finishedChannels_ = 0;
  int endOfDataChannels_ = 0;
  bool endOfDataReported_ = false;
  uint64_t bytesRead_ = 0;
  Counter* bytesIn_ = nullptr;
};

}  // namespace weir::network
