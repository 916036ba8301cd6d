// ChannelStateCollector: the in-flight data one task gathers for one unaligned
// checkpoint (Flink's ChannelStateWriter, in memory until the checkpoint is
// complete at the task).
//
// At the checkpoint's first barrier the task snapshots its operators, hands
// each input reader an inputSink() (the reader adds what it holds unconsumed,
// then every buffer it takes from a channel until that channel's barrier, then
// what the barrier overtook on the consumer side) and adds what its outputs'
// barriers overtook (addOutput). When every barrier arrived, the collected
// buffers go to the asynchronous part, which writes them as one channel state
// stream (checkpoint/channel_state.h). The data is bounded by what was in flight
// when the barriers passed: priority barriers reach the task quickly, so it is
// about the buffers of the exchanges, not of the whole run.
//
// Threading: the task thread fills it; then it is moved to the async part.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "checkpoint/channel_state.h"
#include "network/buffer.h"
#include "network/gate_reader.h"

namespace weir::runtime {

class ChannelStateCollector {
 public:
  // `channelsPerGate[g]`: channels of input gate g; `subpartitionsPerOutput[o]`: of output o.
  ChannelStateCollector(int64_t checkpointId, const std::vector<int>& channelsPerGate,
                        const std::vector<int>& subpartitionsPerOutput);
  ~ChannelStateCollector();
  ChannelStateCollector(const ChannelStateCollector&) = delete;
  ChannelStateCollector& operator=(const ChannelStateCollector&) = delete;

  int64_t checkpointId() const { return checkpointId_; }
  network::InFlightDataSink& inputSink(int gate);
  // What the barrier overtook in each subpartition of output `output`.
  void addOutput(int output, std::vector<std::vector<network::BufferBytes>> perSubpartition);
  uint64_t bytes() const { return bytes_; }
  bool empty() const { return bytes_ == 0; }

  std::vector<checkpoint::ChannelData>& inputChannels() { return inputs_; }
  std::vector<checkpoint::ChannelData>& resultSubpartitions() { return outputs_; }

 private:
  class Sink;
  const int64_t checkpointId_;
  std::vector<checkpoint::ChannelData> inputs_;   // every (gate, channel), in order
  std::vector<size_t> firstInputOfGate_;          // index into inputs_
  std::vector<checkpoint::ChannelData> outputs_;  // every (output, subpartition), in order
  std::vector<size_t> firstOutputOfPartition_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  uint64_t bytes_ = 0;
};

}  // namespace weir::runtime
