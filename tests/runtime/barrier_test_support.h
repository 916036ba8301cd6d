// What the barrier handler tests share: two producers feeding one gate over
// local channels, a Target that records what the handler asks of the task (and
// which records had been read by then), and a reader that drains the gate.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <weir/core/data_io.h>

#include "network/buffer_pool.h"
#include "network/gate_reader.h"
#include "network/input_gate.h"
#include "network/partition_writer.h"
#include "network/result_partition.h"
#include "runtime/checkpoint_barrier_handler.h"

namespace weir::runtime::barrier_testing {

using network::CancelCheckpointMarker;
using network::CheckpointBarrier;
using network::EndOfPartitionEvent;

// Two producers (channels 0 and 1) of one gate.
struct TwoProducers {
  TwoProducers() : global(64, 4096), gate("consumer", 2) {
    for (int p = 0; p < 2; ++p) {
      partitions.push_back(std::make_unique<network::ResultPartition>(
          "p" + std::to_string(p), 1, network::LocalBufferPool::create(global, 16, "p").valueOrThrow()));
      writers.push_back(std::make_unique<network::PartitionRecordWriter>(
          *partitions.back(), network::FlushMode::kAfterEveryRecord));
      gate.setChannel(
          p, std::make_unique<network::LocalInputChannel>(gate, p, partitions.back()->subpartition(0)));
    }
    gate.requestPartitions();
  }
  void record(int p, const std::string& r) {
    writers[size_t(p)]->emit(reinterpret_cast<const uint8_t*>(r.data()), r.size(), 0);
  }
  void event(int p, const network::TaskEvent& e) { writers[size_t(p)]->broadcastEvent(e); }
  // An unaligned barrier as a producer sends it: a priority event at the head of its queue.
  void priorityBarrier(int p, int64_t id) {
    writers[size_t(p)]->broadcastPriorityEvent(CheckpointBarrier{id, 0, network::CheckpointKind::kCheckpoint,
                                                                 network::BarrierAlignment::kUnaligned});
  }

  network::NetworkBufferPool global;
  std::vector<std::unique_ptr<network::ResultPartition>> partitions;
  std::vector<std::unique_ptr<network::PartitionRecordWriter>> writers;
  network::InputGate gate;
};

// Records what the handler asks of the task, and which records had been read by then.
class RecordingTarget final : public CheckpointBarrierHandler::Target {
 public:
  void triggerCheckpointOnBarrier(const CheckpointBarrier& b, std::chrono::nanoseconds,
                                  std::chrono::nanoseconds) override {
    log.push_back(std::string(b.isUnaligned() ? "unaligned " : "") + "snapshot " + std::to_string(b.id) +
                  " after [" + join(read) + "]");
  }
  void abortCheckpointOnBarrier(int64_t id, const std::string&) override {
    log.push_back("abort " + std::to_string(id));
  }
  void channelBarrierArrived(int gate, int channel) override {
    log.push_back("channel " + std::to_string(gate) + "/" + std::to_string(channel) + " after [" +
                  join(read) + "]");
  }
  void alignmentStarted(const CheckpointBarrier& b) override {
    if (b.hasAlignmentTimeout()) log.push_back("alignment with timeout " + std::to_string(b.id));
  }
  void allBarriersArrived(int64_t id, std::chrono::nanoseconds) override {
    log.push_back("complete " + std::to_string(id) + " after [" + join(read) + "]");
  }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  }
  std::vector<std::string> read;
  std::vector<std::string> log;
};

// Reads everything; returns the records in read order.
inline void drain(TwoProducers& t, RecordingTarget& target, CheckpointBarrierHandler& handler) {
  network::GateRecordReader reader(t.gate);
  reader.setCheckpointEventListener(&handler.listenerForGate(0));
  DataInput in;
  for (int guard = 0; guard < 10000; ++guard) {
    auto s = reader.next(in);
    if (s == RecordReader::ReadStatus::kEndOfInput) return;
    if (s == RecordReader::ReadStatus::kEndOfData) continue;
    if (s == RecordReader::ReadStatus::kNothingAvailable) return;  // everything was written up front
    std::string r(reinterpret_cast<const char*>(in.current()), in.remaining());
    target.read.push_back(r);
  }
  FAIL() << "reader did not end";
}

}  // namespace weir::runtime::barrier_testing
