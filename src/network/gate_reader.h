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
// Unaligned checkpoints: processPriorityEvents() delivers the gate's priority
// events (barriers that overtook queued data) at once, even in the middle of a
// buffer or of a record. Between startPersisting() and stopPersisting(channel),
// the reader hands a channel's in-flight data to an InFlightDataSink: first what
// it holds unconsumed (a partly read buffer, a partly assembled record, as the
// bytes they came in), then every buffer it takes from the channel, then, at
// the channel's barrier, the data that barrier overtook on this side.
//
// Threading: only the consuming task thread.
#pragma once

#include <atomic>
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

// Receives one gate's in-flight data for a checkpoint, per channel in channel order;
// each call is one data buffer's bytes (record boundaries as in network buffers).
class InFlightDataSink {
 public:
  virtual ~InFlightDataSink() = default;
  virtual void add(int channel, const uint8_t* data, size_t size) = 0;
};

class GateRecordReader final : public RecordReader {
 public:
  explicit GateRecordReader(InputGate& gate);
  // Barriers, cancellation markers and ends of partition go to `listener` (may be null:
  // then barriers are ignored, as in a job without checkpointing).
  void setCheckpointEventListener(CheckpointEventListener* listener) { listener_ = listener; }

  ReadStatus next(DataInput& record) override;
  // next() returns kInterrupted while `*flag` is set (the task clears it). May be null.
  void setInterruptFlag(const std::atomic<bool>* flag) { interrupt_ = flag; }
  // Delivers the gate's pending priority events to the listener. REQUIRES: not inside next().
  void processPriorityEvents();
  // Starts persisting every channel's in-flight data into `sink` (must outlive stopPersisting).
  void startPersisting(InFlightDataSink& sink);
  // Stops persisting `channel`, after adding what the barrier being delivered on it overtook.
  void stopPersisting(int channel);
  void stopPersistingAll();
  int lastChannel() const override { return current_; }
  int numberOfChannels() const override { return gate_.numberOfChannels(); }

  InputGate& gate() { return gate_; }
  bool isFinished() const { return finishedChannels_ == gate_.numberOfChannels(); }
  uint64_t bytesRead() const { return bytesRead_; }
  // Bytes of the data buffers taken from the gate (the throughput buffer debloating measures).
  uint64_t bufferBytesTaken() const { return bufferBytesTaken_; }
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
    bool persisting = false;  // its in-flight data goes to sink_
  };
  // Tries to produce a record from channel `c`'s current buffer.
  bool readFrom(ChannelState& c, DataInput& record);
  void onEvent(int channel, const Buffer& buffer, std::vector<BufferBytes> overtaken);

  InputGate& gate_;
  CheckpointEventListener* listener_ = nullptr;
  std::vector<ChannelState> channels_;
  int current_ = -1;  // channel whose buffer is being read, -1 = none
  int finishedChannels_ = 0;
  int endOfDataChannels_ = 0;
  bool endOfDataReported_ = false;
  uint64_t bytesRead_ = 0;
  uint64_t bufferBytesTaken_ = 0;
  Counter* bytesIn_ = nullptr;
  const std::atomic<bool>* interrupt_ = nullptr;
  InFlightDataSink* sink_ = nullptr;
  int persistingChannels_ = 0;
  // While a barrier is being delivered: its channel and what it overtook.
  int barrierChannel_ = -1;
  std::vector<BufferBytes> barrierOvertook_;
};

}  // namespace weir::network
